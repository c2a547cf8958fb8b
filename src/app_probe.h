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

/*
 * The Makefile defines PF_APP_NONE for APP_INFO=no, which links
 * app_none.c instead of app.c and app_probe.c: the steps below are then
 * inline and do nothing, and APP_PROBE_BUILT is 0, so that callers'
 * tests of --app-info and --process compile away and that build is what
 * the probe was before them (as QUIC_BUILT does for QUIC, quic.h).
 */
#ifdef PF_APP_NONE
#define APP_PROBE_BUILT	0
#else
#define APP_PROBE_BUILT	1
#endif

/* The rules of the two flags and their companions: how many broke. */
int	app_probe_check(const struct pf_opts *);

#if APP_PROBE_BUILT
/*
 * flowtab_bytes() and flowtab_max_flows() with the side table the
 * options want beside the flow table (SIZE_MAX if too many bytes).
 */
size_t	app_probe_table_bytes(const struct pf_opts *, size_t max_flows);
size_t	app_probe_max_flows(const struct pf_opts *, size_t budget);
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
 * record's first packet (at pl->clk.frame_ms), then app_packet().  Only
 * with pl->app.
 */
void	app_probe_packet(struct pipeline *, const struct pkt *,
	    const struct flow_key *, const struct pkt_meta *);
#else	/* APP_INFO=no: app_probe_check() refused the flags */
static inline size_t
app_probe_table_bytes(const struct pf_opts *o, size_t max_flows)
{
	(void)o;
	return flowtab_bytes(max_flows);
}

static inline size_t
app_probe_max_flows(const struct pf_opts *o, size_t budget)
{
	(void)o;
	return flowtab_max_flows(budget);
}

static inline int
app_probe_open(struct pipeline *pl, const struct pf_opts *o)
{
	(void)pl;
	(void)o;
	return 0;
}

static inline int
app_probe_setup(struct pipeline *pl, const struct pf_opts *o, size_t n)
{
	(void)pl;
	(void)o;
	(void)n;
	return 0;
}

static inline void
app_probe_capture(const struct pf_opts *o, struct capture_cfg *cfg)
{
	(void)o;
	(void)cfg;
}

static inline void
app_probe_stats(const struct pipeline *pl, const struct pf_opts *o,
    struct stats *s)
{
	(void)pl;
	(void)o;
	(void)s;
}

static inline void
app_probe_log(const struct stats *s)
{
	(void)s;
}

static inline void
app_probe_close(struct pipeline *pl)
{
	(void)pl;
}

static inline void
app_probe_packet(struct pipeline *pl, const struct pkt *p,
    const struct flow_key *k, const struct pkt_meta *m)
{
	(void)pl;
	(void)p;
	(void)k;
	(void)m;
}
#endif

#endif
