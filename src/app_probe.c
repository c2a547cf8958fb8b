/*
 * --app-info and --process in the probe's steps (app_probe.h): moved out
 * of opts.c, probe.c, stats.c and pipeline.c so that a build without
 * them (APP_INFO=no) links none of it.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "app_probe.h"
#include "flowtab.h"
#include "kfilter.h"
#include "log.h"
#include "nf9.h"
#include "procinfo.h"

#define APP_PROC_CACHE	256	/* --process: socket inode -> process */
#define APP_PROC_WAIT_MS 1	/* --process: frames handed over at once */

/* As opts.c says what is wrong with a command line. */
static int
complain(const char *why)
{
	fprintf(stderr, "picoflow: %s\n", why);
	return 1;
}

int
app_probe_check(const struct pf_opts *o)
{
	int n = 0;

	if (o->process && o->file != NULL)
		n += complain("--process asks the kernel who owns this host's "
		    "sockets: give -i, not -r");
	if (!o->app_info && !o->process)
		return n;
	if (o->version == NF9_FMT_V5)
		n += complain("--app-info, --process: NetFlow v5 has no fields "
		    "for them; use -v 9 or -v 10");
	else if (o->mtu < NF9_MTU_MIN_APP) {
		fprintf(stderr, "picoflow: --mtu: '%u': --app-info and "
		    "--process need at least %u bytes (their templates and "
		    "a record with names)\n", (unsigned)o->mtu,
		    (unsigned)NF9_MTU_MIN_APP);
		n++;
	}
	return n;
}

size_t
app_probe_table_bytes(const struct pf_opts *o, size_t n)
{
	size_t t = flowtab_bytes(n), b;

	if (!(o->app_info || o->process) || n == 0 || t == SIZE_MAX)
		return t;
	b = app_bytes(FLOWTAB_INDEX_END(n));
	return b > SIZE_MAX - t ? SIZE_MAX : t + b;
}

size_t
app_probe_max_flows(const struct pf_opts *o, size_t budget)
{
	size_t lo = 0, hi = FLOWTAB_MAX_FLOWS;

	/* both tables grow with n: find the last n that fits */
	while (lo < hi) {
		size_t mid = hi - (hi - lo) / 2;

		if (app_probe_table_bytes(o, mid) <= budget)
			lo = mid;
		else
			hi = mid - 1;
	}
	return lo;
}

/* Like probe.c's other lookups (--egress, --nat), before the table. */
int
app_probe_open(struct pipeline *pl, const struct pf_opts *o)
{
	char err[512];

	if (!o->process)
		return 0;
	if ((pl->proc = procinfo_open(o->lookup_rate, APP_PROC_CACHE, err,
	    sizeof(err))) == NULL) {
		log_warnx("--process: %s", err);
		return 1;
	}
	return 0;
}

int
app_probe_setup(struct pipeline *pl, const struct pf_opts *o, size_t n)
{
	unsigned what = 0;

	if (o->app_info)
		what |= APP_NAMES;
	/* Sampled, a connection's packets are not all seen: no TCP
	 * analysis then, only names (docs/appinfo.md, sampling). */
	if (o->app_info && o->sample_interval <= 1)
		what |= APP_TCP;
	if (o->process)
		what |= APP_PROC;
	if (what == 0)
		return 0;
	pl->tab_base = flowtab_base(pl->tab);
	if ((pl->app = app_new(pl->tab, FLOWTAB_INDEX_END(n), what)) == NULL) {
		log_warnx("--app-info, --process: cannot allocate their %zu "
		    "bytes: %s", app_bytes(FLOWTAB_INDEX_END(n)),
		    strerror(errno));
		return 1;
	}
	return 0;
}

void
app_probe_capture(const struct pf_opts *o, struct capture_cfg *cfg)
{
	/* --app-info: more bytes of the packets that may carry a name */
	cfg->app_snaplen = o->app_info ? KFILTER_APP_SNAPLEN : 0;
	/* --process asks while a new flow's socket is still there: a
	 * short connection must not wait out a ring block's timeout */
	cfg->max_wait_ms = o->process ? APP_PROC_WAIT_MS : 0;
}

void
app_probe_stats(const struct pipeline *pl, const struct pf_opts *o,
    struct stats *s)
{
	if ((s->app = o->app_info && pl->app != NULL))
		app_stats(pl->app, &s->apps);
	if ((s->process = pl->proc != NULL))
		procinfo_stats(pl->proc, &s->proc);
}

void
app_probe_log(const struct stats *s)
{
	const struct procinfo_stats *p = &s->proc;

	if (s->app)
		app_log_stats(&s->apps);
	if (!s->process)
		return;
	log_notice("process: asked %" PRIu64 " answered %" PRIu64
	    " no_socket %" PRIu64 " no_process %" PRIu64 " capped %" PRIu64
	    " errors %" PRIu64 " cached %" PRIu64 " requests %" PRIu64
	    " scans %" PRIu64, p->asked, p->answered, p->no_socket,
	    p->no_process, p->capped, p->errors, p->cached, p->requests,
	    p->scans);
}

void
app_probe_close(struct pipeline *pl)
{
	app_free(pl->app);
	procinfo_close(pl->proc);
}

/*
 * --process: a new flow's ends that are this host's are looked up now,
 * while the sockets exist (a connection that closes at once is gone by
 * export time); then the packet goes on to app_packet().  TCP and UDP
 * only; a forwarded flow costs two compares against the host's
 * addresses.
 */
#if defined(__GNUC__) || defined(__clang__)
__attribute__((noinline, cold))	/* its frame off the path of every packet */
#endif
static void
owners(struct pipeline *pl, const struct pkt *p, const struct flow_key *k,
    const struct pkt_meta *m, uint32_t slot, uint64_t now)
{
	if ((k->proto == 6 || k->proto == 17) &&
	    app_owner_wanted(pl->app, slot)) {
		struct proc_owner o;
		int side;

		for (side = 0; side < 2; side++)
			if (procinfo_is_local(pl->proc, side ? k->dst :
			    k->src, k->ipver, now) && procinfo_lookup(pl->proc,
			    k, side ? PROCINFO_SIDE_DST : PROCINFO_SIDE_SRC,
			    now, &o) != PROCINFO_NONE)
				app_owner_set(pl->app, slot, side, &o);
	}
	app_packet(pl->app, p, k, m, slot);
}

void
app_probe_packet(struct pipeline *pl, const struct pkt *p,
    const struct flow_key *k, const struct pkt_meta *m)
{
	uint32_t slot;

	if (pl->ex.last == NULL)
		return;
	slot = flowtab_index_at(pl->tab_base, pl->ex.last);
	/* a record's first packet: a new flow, or an old one's next
	 * record (app.c keeps its owners then).  --process is live
	 * capture only (app_probe_check()), where clock_frame() left this
	 * packet's time in frame_ms. */
	if (pl->proc != NULL && pl->ex.last->packets == 1)
		owners(pl, p, k, m, slot, pl->clk.frame_ms);
	else	/* a call in the tail: no registers kept for it */
		app_packet(pl->app, p, k, m, slot);
}
