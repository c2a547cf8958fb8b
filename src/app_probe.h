/*
 * --app-info and --process in the probe's own steps: their option
 * rules (opts.c), their tables beside the flow table, the --process
 * lookups, capture settings, statistics and shutdown (probe.c, stats.c),
 * and what a packet does for them (pipeline.c).  app_probe.c with
 * APP_INFO=yes; app_none.c's versions refuse the options and otherwise
 * do what a build without them does.
 */
#ifndef PF_APP_PROBE_H
#define PF_APP_PROBE_H

#include <stddef.h>
#include <stdint.h>

#include "capture.h"
#include "flow.h"
#include "flowtab.h"
#include "opts.h"
#include "pipeline.h"
#include "stats.h"

/* The rules of the two flags and their companions: how many broke. */
int	app_probe_check(const struct pf_opts *);
/*
 * The bytes of the side table the options want beside a flow table, as
 * flowtab_bytes_beside() and flowtab_max_flows_beside() take them; NULL
 * for none.
 */
flowtab_beside_fn *app_probe_side(const struct pf_opts *);
/* --process: its lookups, before the flow table; 0 or an exit status. */
int	app_probe_open(struct pipeline *, const struct pf_opts *);
/* The side table beside pl->tab of n flows; 0 or an exit status. */
int	app_probe_setup(struct pipeline *, const struct pf_opts *, size_t n);
/* What the options ask of each capture. */
void	app_probe_capture(const struct pf_opts *, struct capture_cfg *);
/* Their counters into s, and s's lines about them into the log. */
void	app_probe_stats(const struct pipeline *, const struct pf_opts *,
	    struct stats *s);
void	app_probe_log(const struct stats *s);
void	app_probe_close(struct pipeline *);
/*
 * A packet accounted to pl->ex.last (if any): --process asks about a
 * record's first packet, then app_packet().  Only with pl->app.
 */
void	app_probe_packet(struct pipeline *, const struct pkt *,
	    const struct flow_key *, const struct pkt_meta *);

#endif
