/* The probe's counters as log lines (see stats.h). */
#include <inttypes.h>
#include <stdio.h>

#include "app_probe.h"
#include "log.h"
#include "stats.h"

/* --egress, --nat: one line per kind of lookup asked for. */
static void
log_enrich(const struct stats *s)
{
	char flushes[48];
	unsigned i;

	snprintf(flushes, sizeof(flushes), " route_flushes %" PRIu64,
	    s->enr.route_flushes);
	for (i = 0; i < 2; i++) {
		const struct enrich_count *c = i == 0 ? &s->enr.egress :
		    &s->enr.nat;
		/* tenths of a microsecond, in integers: no floating point
		 * in the probe (soft-float routers; cross-check's nofp) */
		uint64_t avg = c->queries != 0 ? c->query_ns / 100 /
		    c->queries : 0;

		if (i == 0 ? !s->egress : !s->nat)
			continue;
		log_notice("%s lookups: records %" PRIu64 " found %" PRIu64
		    " cached %" PRIu64 " queries %" PRIu64 " over_rate %"
		    PRIu64 " failed %" PRIu64 " query_us_avg %" PRIu64 ".%"
		    PRIu64 "%s", i == 0 ? "egress" : "nat", c->records,
		    c->found, c->cached, c->queries, c->limited, c->failed,
		    avg / 10, avg % 10, i == 0 ? flushes : "");
	}
}

static void
log_offload(const struct offload_stats *o)
{
	log_notice("offload: dumps %" PRIu64 " entries %" PRIu64
	    " offloaded %" PRIu64 " destroyed %" PRIu64 " records %" PRIu64
	    " tracked %" PRIu32 "/%" PRIu32 " table_full %" PRIu64
	    " vanished %" PRIu64 " lost_events %" PRIu64 " late %" PRIu64
	    " no_counters %" PRIu64 " malformed %" PRIu64 " errors %" PRIu64,
	    o->dumps, o->entries, o->offloaded, o->destroyed, o->records,
	    o->tracked, o->slots, o->table_full, o->vanished, o->lost_events,
	    o->late, o->no_counters, o->malformed, o->errors);
}

/*
 * " name value" at line + *len.  *len counts what snprintf meant to write,
 * which passes size once a line is cut short: nothing is appended then.
 */
static void
append(char *line, size_t size, size_t *len, const char *name, uint64_t v)
{
	if (*len < size)
		*len += (size_t)snprintf(line + *len, size - *len,
		    " %s %" PRIu64, name, v);
}

/* Skip reasons and notes that are not 0, on one line. */
static void
log_skipped(const struct pipeline_counters *pl)
{
	static const char *const notes[PIPELINE_NOTES] = { "l4_truncated",
	    "fragments", "length_from_frame", "ipv6_ext_truncated" };
	char line[512];
	size_t len = 0;
	unsigned i;

	for (i = 1; i < DECODE_RESULT_MAX && len < sizeof(line) - 64; i++)
		if (pl->skipped[i] != 0)
			append(line, sizeof(line), &len, decode_result_name(i),
			    pl->skipped[i]);
	for (i = 0; i < PIPELINE_NOTES && len < sizeof(line) - 64; i++)
		if (pl->notes[i] != 0)
			append(line, sizeof(line), &len, notes[i],
			    pl->notes[i]);
	if (len != 0)
		log_notice("skipped/noted:%s", line);
}

void
stats_log(const struct stats *s)
{
	static const char *const ends[FLOW_END_MAX] = { "idle", "active",
	    "tcp", "evicted", "flush" };
	char line[256];
	uint64_t skipped = 0;
	size_t len = 0;
	unsigned i;

	for (i = 1; i < DECODE_RESULT_MAX; i++)
		skipped += s->pl.skipped[i];
	log_notice("packets %" PRIu64 " ip %" PRIu64 " ip_bytes %" PRIu64
	    " skipped %" PRIu64 " sampled_out %" PRIu64 " flows %" PRIu64
	    " records %" PRIu64 " datagrams %" PRIu64 " send_errors %" PRIu64
	    " unexportable %" PRIu64 " split %" PRIu64,
	    s->pl.frames, s->pl.ip_packets, s->pl.ip_bytes, skipped,
	    s->pl.sampled_out, s->ex.created, s->pl.records,
	    s->exp.datagrams, s->exp.errors, s->pl.unexportable,
	    s->pl.split);
	if (s->egress || s->nat)
		log_enrich(s);
	if (s->offload)
		log_offload(&s->off);
	app_probe_log(s);	/* --app-info, --process */
	log_skipped(&s->pl);
	for (i = 0; i < FLOW_END_MAX; i++)
		append(line, sizeof(line), &len, ends[i], s->ex.ended[i]);
	log_notice("records by end:%s; active flows %zu of %zu; uptime "
	    "rebases %" PRIu64 "; wall clock steps %" PRIu64, line,
	    s->active, s->capacity, s->pl.rebases, s->pl.clock_steps);
	if (s->exp.errors != 0 || s->exp.refused != 0 ||
	    s->exp.unreachable != 0)
		log_notice("send errors: refused %" PRIu64 " unreachable %"
		    PRIu64 " no_buffer %" PRIu64, s->exp.refused,
		    s->exp.unreachable, s->exp.nobufs);
	if (s->detached != 0)
		log_notice("interfaces removed under a capture %" PRIu64
		    ", captures re-attached %" PRIu64, s->detached,
		    s->reattached);
	if (s->kernel_sample != 0)
		log_notice("sampled in the kernel, 1 in %" PRIu32 " at random: "
		    "the counts above and below are of the frames it kept; "
		    "it does not count the others", s->kernel_sample);
	for (i = 0; i < s->ncap; i++)
		if (s->cap[i].ok)
			log_notice("%s: kernel received %" PRIu64 " dropped %"
			    PRIu64, s->cap[i].name, s->cap[i].cs.received,
			    s->cap[i].cs.dropped);
}
