/*
 * The pipeline core (see pipeline.h): each arrow a plain call returning
 * data, records handed on in batches, datagrams sent downstream.
 */
#include <inttypes.h>
#include <stdio.h>

#include "app.h"
#include "app_probe.h"
#include "enrich.h"
#include "iftable.h"
#include "log.h"
#include "offload.h"
#include "pipeline.h"
#include "print.h"
#include "util.h"

#define OFFLOAD_BATCHES	8	/* batches from conntrack a call, at most */
#define OFFLOAD_FINAL_CALLS 4096 /* bound on the last dump at shutdown */

static void
send_datagram(struct pipeline *pl, uint64_t now)
{
	const uint8_t *buf;
	size_t len;

	buf = nf9_finish(&pl->enc, now, &len);
	if (buf == NULL)
		return;
	if (pl->out.send(pl->out.arg, buf, len) != 0)
		nf9_force_templates(&pl->enc);
	else
		pipeline_ifnames(pl, now);
}

/*
 * Interface names (IF_NAME options) follow every packet that carried the
 * templates, so a collector that learns the templates learns the names,
 * and go out again whenever the interface table changes.
 */
void
pipeline_ifnames(struct pipeline *pl, uint64_t now)
{
	const uint8_t *buf;
	size_t len, next = 0;

	if (pl->ift == NULL || pl->out.send == NULL ||
	    nf9_template_sends(&pl->enc) == 0)
		return;
	if (pl->names_sent && pl->names_tmpl == nf9_template_sends(&pl->enc) &&
	    pl->names_gen == pl->ift->generation)
		return;
	pl->names_sent = 1;
	pl->names_tmpl = nf9_template_sends(&pl->enc);
	pl->names_gen = pl->ift->generation;
	while ((buf = nf9_ifnames(&pl->enc, pl->ift->e, pl->ift->n, &next, now,
	    &len)) != NULL)
		if (pl->out.send(pl->out.arg, buf, len) != 0)
			nf9_force_templates(&pl->enc);
}

void
pipeline_lost(struct pipeline *pl)
{
	nf9_force_templates(&pl->enc);
}

/*
 * A record no packet of the format can carry (IPv6 in NetFlow v5, or
 * counts beyond NF9_PARTS_MAX parts): say so once.
 */
static void
unexportable(struct pipeline *pl)
{
	pl->st.unexportable++;
	if (pl->warned_unexportable)
		return;
	pl->warned_unexportable = 1;
	log_warnx("-v %u cannot express a flow (IPv6 in v5, or counts beyond "
	    "%u records): such flows are not exported, counted as "
	    "'unexportable' in the stats (said once)", pl->enc.cfg.version,
	    NF9_PARTS_MAX);
}

/* nf9_add(), finishing the packet first if the record does not fit. */
static int
encode(struct pipeline *pl, const struct flow_rec *r, uint64_t now)
{
	int rc = nf9_add(&pl->enc, r, now);

	if (rc == 0) {
		send_datagram(pl, now);
		/* An empty packet always has room for one record. */
		rc = nf9_add(&pl->enc, r, now);
	}
	return rc;
}

/*
 * A record the encoder refuses whole: counts over its 32-bit counters go
 * as parts that sum to them (nf9_parts()); -1 if it cannot go at all.
 */
static int
encode_parts(struct pipeline *pl, const struct flow_rec *r, uint64_t now)
{
	struct flow_rec part;
	uint32_t i, n = nf9_parts(&pl->enc, r);

	if (n < 2)
		return -1;
	for (i = 0; i < n; i++) {
		nf9_part(r, i, n, &part);
		if (encode(pl, &part, now) == -1)
			return -1;	/* cannot happen: each part fits */
	}
	pl->st.split++;
	return 1;
}

static void
emit(struct pipeline *pl, struct flow_rec *recs, size_t n, uint64_t now)
{
	size_t i;

	for (i = 0; i < n; i++) {
		pl->st.records++;
		if (APP_PROBE_BUILT && pl->app != NULL)
			app_export(pl->app, &recs[i], pl->app_name);
		if (pl->enr != NULL)
			enrich_flow(pl->enr, &recs[i], now);
		if (pl->print)
			print_flow(stdout, &recs[i], pl->clk.wall_offset_ms);
		if (pl->out.send != NULL && encode(pl, &recs[i], now) == -1 &&
		    encode_parts(pl, &recs[i], now) == -1)
			unexportable(pl);
		if (APP_PROBE_BUILT && pl->app != NULL)
			app_release(pl->app, &recs[i]);
	}
	/* -P into a pipe: each batch's lines now, not a buffer's worth */
	if (pl->print && n > 0)
		fflush(stdout);
}

static void
flush_all(struct pipeline *pl, uint64_t now)
{
	size_t n;

	do {
		n = expire_all(&pl->ex, pl->tab, pl->batch, pl->batch_max);
		emit(pl, pl->batch, n, now);
	} while (n == pl->batch_max);
	if (pl->out.send != NULL && nf9_pending(&pl->enc) != 0)
		send_datagram(pl, now);
}

/* sysUptime is about to leave its range: every flow of the epoch goes
 * out first, at the epoch's time ... */
static void
end_epoch(struct pipeline *pl)
{
	flush_all(pl, pl->clk.now_ms);
	pl->st.rebases++;
}

/* ... then a new one starts. */
static void
new_epoch(struct pipeline *pl)
{
	clock_rebase(&pl->clk);
	nf9_rebase(&pl->enc, pl->clk.boot_ms, pl->clk.wall_offset_ms);
}

/*
 * The wall clock was stepped (a router without a real-time clock, set by
 * NTP after start): flows so far go out with the times they had, then a
 * new sysUptime epoch starts with the new offset to Unix time.
 */
static void
follow_wall_step(struct pipeline *pl)
{
	int64_t was = pl->clk.wall_offset_ms;

	flush_all(pl, pl->clk.now_ms);
	clock_follow_wall(&pl->clk);
	nf9_rebase(&pl->enc, pl->clk.boot_ms, pl->clk.wall_offset_ms);
	pl->st.clock_steps++;
	log_notice("the wall clock was stepped by %+" PRId64 " ms: flows "
	    "until now were exported with their times, later ones use the "
	    "new clock", pl->clk.wall_offset_ms - was);
}

/*
 * --offload-flows: records from conntrack's counters, through the same
 * path as captured flows.  At most OFFLOAD_BATCHES batches a call; what
 * is left waits for the next tick or poll.
 */
void
pipeline_offload(struct pipeline *pl, uint64_t now, int events)
{
	size_t n;
	int i = 0;

	if (pl->off == NULL)
		return;
	do {
		n = events ? offload_events(pl->off, now, pl->batch,
		    pl->batch_max) : offload_tick(pl->off, now, pl->batch,
		    pl->batch_max);
		emit(pl, pl->batch, n, now);
	} while (n + 1 >= pl->batch_max && ++i < OFFLOAD_BATCHES);
}

/*
 * Shutdown: what offloaded connections carried since the last dump goes
 * out too, like the flows left in the table (a last dump, read to its
 * end; bounded, in case the kernel stops answering).
 */
static void
offload_finish(struct pipeline *pl, uint64_t now)
{
	unsigned i;
	int more = 1;

	if (pl->off == NULL)
		return;
	pipeline_offload(pl, now, 1);
	for (i = 0; more && i < OFFLOAD_FINAL_CALLS; i++) {
		size_t n = offload_final(pl->off, now, pl->batch,
		    pl->batch_max, &more);

		emit(pl, pl->batch, n, now);
	}
	if (more)
		log_warnx("--offload-flows: the last conntrack dump did not "
		    "end; its remaining connections are not exported");
}

void
pipeline_finish(struct pipeline *pl)
{
	offload_finish(pl, pl->clk.now_ms);
	flush_all(pl, pl->clk.now_ms);
}

void
pipeline_tick(struct pipeline *pl, uint64_t now)
{
	size_t n;

	if (clock_wall_stepped(&pl->clk))
		follow_wall_step(pl);
	else if (clock_needs_rebase(&pl->clk)) {
		end_epoch(pl);
		new_epoch(pl);
	}
	do {
		n = expire_due(&pl->ex, pl->tab, now, pl->batch,
		    pl->batch_max);
		emit(pl, pl->batch, n, now);
	} while (n == pl->batch_max);
	/* Events left over when a batch filled: their socket may not wake
	 * poll again until the next one comes. */
	pipeline_offload(pl, now, 1);
	pipeline_offload(pl, now, 0);
	if (pl->out.send != NULL && (nf9_pending(&pl->enc) != 0 ||
	    nf9_templates_due(&pl->enc, now)))
		send_datagram(pl, now);
	if (pl->out.flush != NULL)
		pl->out.flush(pl->out.arg);
	pl->next_tick = now - now % PIPELINE_TICK_MS + PIPELINE_TICK_MS;
}

static void
count_notes(struct pipeline *pl, uint8_t notes)
{
	unsigned i;

	for (i = 0; i < PIPELINE_NOTES; i++)
		if (notes & (1U << i))
			pl->st.notes[i]++;
}

/* What account() has of a packet, in one place for after_expiry(). */
struct pipeline_work {
	struct flow_key	key;
	struct pkt_meta	meta;
	struct flow_rec	out[EXPIRE_PACKET_MAX];
};

/*
 * Records a packet ended, then --app-info's look at it (after emit(): a
 * slot the packet's flow reuses was released).
 */
PF_NOINLINE static void
emit_expired(struct pipeline *pl, const struct pkt *p,
    struct pipeline_work *w, size_t n)
{
	emit(pl, w->out, n, pl->clk.now_ms);	/* at the probe's time */
	if (pl->app != NULL)
		app_probe_packet(pl, p, &w->key, &w->meta);
}

/*
 * What follows expiry when it ended records or --app-info is on: apart
 * from account(), so that a packet with neither keeps no more registers
 * than before --app-info, and with --app-info alone (the common case)
 * it saves none.
 */
PF_NOINLINE static void
after_expiry(struct pipeline *pl, const struct pkt *p,
    struct pipeline_work *w, size_t n)
{
	if (n != 0)
		emit_expired(pl, p, w, n);
	else	/* then pl->app is set */
		app_probe_packet(pl, p, &w->key, &w->meta);
}

/* The per-packet path: no allocation, no system call (--process: a
 * rate-capped lookup at a local flow's start). */
static void
account(struct pipeline *pl, const struct pkt *p, uint64_t now)
{
	struct pipeline_work w;
	enum decode_result r;
	size_t n;

	pl->st.frames++;
	r = decode_packet(p, &w.key, &w.meta);
	if (r != DECODE_OK) {
		pl->st.skipped[r]++;
		return;
	}
	pl->st.ip_packets++;
	pl->st.ip_bytes += w.meta.bytes;
	if (w.meta.notes != 0)
		count_notes(pl, w.meta.notes);
	if (!sample_take(&pl->smp)) {
		pl->st.sampled_out++;
		return;
	}
	n = expire_packet(&pl->ex, pl->tab, &w.key, &w.meta, now, w.out);
	if (!APP_PROBE_BUILT) {		/* as before --app-info */
		if (n != 0)	/* sent at the probe's time, not the frame's */
			emit(pl, w.out, n, pl->clk.now_ms);
	} else if ((n | (uintptr_t)pl->app) != 0)	/* one test for both */
		after_expiry(pl, p, &w, n);
}

void
pipeline_live_packet(struct pipeline *pl, const struct pkt *p)
{
	account(pl, p, clock_frame(&pl->clk, p->ts_us));
}

void
pipeline_replay_packet(struct pipeline *pl, const struct pkt *p)
{
	uint64_t now;

	if (clock_packet_needs_rebase(&pl->clk, p->ts_us)) {
		/* A jump in capture time: close the old epoch at the old
		 * time, so no record claims a time sysUptime cannot hold. */
		end_epoch(pl);
		clock_packet(&pl->clk, p->ts_us);
		new_epoch(pl);
	}
	now = clock_packet(&pl->clk, p->ts_us);
	if (!pl->started) {
		nf9_rebase(&pl->enc, pl->clk.boot_ms, pl->clk.wall_offset_ms);
		pl->started = 1;
	}
	if (now >= pl->next_tick)
		pipeline_tick(pl, now);
	account(pl, p, now);
}
