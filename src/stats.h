/*
 * The counters the probe logs on SIGUSR1 and at exit, from one snapshot
 * that probe.c gathers: the pipeline's counters and each stage's own
 * statistics, copied, so that this file reads no module's internals.
 */
#ifndef PF_STATS_H
#define PF_STATS_H

#include <stddef.h>
#include <stdint.h>

#include "app.h"
#include "capture.h"
#include "enrich.h"
#include "expire.h"
#include "export.h"
#include "offload.h"
#include "opts.h"
#include "pipeline.h"
#include "procinfo.h"

struct stats_capture {
	const char		*name;
	int			 ok;	/* stats read; else nothing is said */
	struct capture_stats	 cs;
};

struct stats {
	struct pipeline_counters pl;
	struct expire_stats	 ex;
	size_t			 active, capacity;	/* flow table */
	struct export_stats	 exp;
	uint64_t		 detached;	/* captures whose interface
						 * went away */
	uint64_t		 reattached;
	uint32_t		 kernel_sample;	/* the kernel keeps 1 in N */
	int			 egress, nat, offload;	/* which of these: */
	struct enrich_stats	 enr;
	struct offload_stats	 off;
	int			 app;		/* --app-info: */
	struct app_stats	 apps;
	int			 process;	/* --process: */
	struct procinfo_stats	 proc;
	struct stats_capture	 cap[OPTS_MAX_IFACES];
	unsigned		 ncap;
};

void	stats_log(const struct stats *);

#endif
