/*
 * The pipeline core: decode -> sample -> flow table -> expiry -> NetFlow
 * encoder, and the clock that drives them.  Finished datagrams go
 * downstream through pipeline_out; the pipeline never opens a socket or a
 * capture, so probe.c (live and replay) and the fuzz target
 * (tests/fuzz/fuzz_pipeline.c) run the very same code.
 *
 * Time: every second of probe time (a "tick") idle flows are expired, a
 * partly filled export packet is sent and templates are refreshed when
 * due.  In replay the tick is driven by packet time stamps, so the exported
 * bytes are a pure function of the capture and the flags.
 */
#ifndef PF_PIPELINE_H
#define PF_PIPELINE_H

#include <stddef.h>
#include <stdint.h>

#include "appname.h"
#include "capture.h"
#include "clock.h"
#include "decode.h"
#include "expire.h"
#include "flowtab.h"
#include "nf9.h"
#include "sample.h"

#define PIPELINE_TICK_MS	1000
#define PIPELINE_BATCH		256	/* batch_max for the probe */
#define PIPELINE_NOTES		4	/* pkt_meta.notes bits counted */

struct app;
struct procinfo;
struct enrich;
struct offload;
struct iftable;

/* Downstream: where finished datagrams go. */
struct pipeline_out {
	/*
	 * Take a datagram (the buffer is the encoder's, valid until the next
	 * call).  Returns 1 when a datagram was lost on the way (it, or one
	 * queued before it): the templates then go again with the next one.
	 * NULL: no collector; records are counted (and printed) only.
	 */
	int		(*send)(void *arg, const uint8_t *buf, size_t len);
	/* The end of a tick's burst: send what is queued.  May be NULL. */
	void		(*flush)(void *arg);
	void		*arg;
};

struct pipeline_counters {
	uint64_t	frames;
	uint64_t	ip_packets;	/* decoded, before sampling */
	uint64_t	ip_bytes;
	uint64_t	sampled_out;
	uint64_t	records;
	uint64_t	unexportable;	/* the format cannot express them */
	uint64_t	split;		/* records sent as parts (nf9_parts) */
	uint64_t	rebases;
	uint64_t	clock_steps;
	uint64_t	skipped[DECODE_RESULT_MAX];
	uint64_t	notes[PIPELINE_NOTES];
};

/*
 * The caller sets up each stage (clock, sampler, table, expiry, encoder,
 * a batch of batch_max records; enrich, offload and ift optional), zeroes
 * the rest, and fills out.
 */
struct pipeline {
	struct pf_clock		 clk;
	struct sample		 smp;
	struct flowtab		*tab;
	struct expire		 ex;
	struct nf9		 enc;
	struct flow_rec		*batch;
	size_t			 batch_max;	/* records from expiry at once */
	struct enrich		*enr;	/* --egress, --nat; or NULL */
	struct offload		*off;	/* --offload-flows; or NULL */
	struct app		*app;	/* --app-info, --process; or NULL */
	struct procinfo		*proc;	/* --process; or NULL */
	const void		*tab_base; /* flowtab_base(tab), with app */
	const struct iftable	*ift;	/* names to announce; or NULL */
	struct pipeline_out	 out;
	int			 print;	/* -P: each record on stdout */
	struct pipeline_counters st;
	uint64_t		 next_tick;
	int			 started;	/* replay: encoder on packet time */
	int			 warned_unexportable;
	char			 app_name[APPNAME_MAX + 1]; /* the record's */
	uint32_t		 names_tmpl;	/* nf9_template_sends() and */
	uint32_t		 names_gen;	/* ift->generation when names */
	int			 names_sent;	/* last went out */
};

/* Replay (-r): one packet, its time stamp driving the clock. */
void	pipeline_replay_packet(struct pipeline *, const struct pkt *);
/* Live: one frame, after clock_tick() read the time it is handled at. */
void	pipeline_live_packet(struct pipeline *, const struct pkt *);
/* Expire, send and refresh what is due at now; probe time. */
void	pipeline_tick(struct pipeline *, uint64_t now);
/* --offload-flows: records from conntrack (events: its event socket). */
void	pipeline_offload(struct pipeline *, uint64_t now, int events);
/* The end: a last conntrack dump, then every flow of the table goes. */
void	pipeline_finish(struct pipeline *);
/* The interface table changed: send the names again. */
void	pipeline_ifnames(struct pipeline *, uint64_t now);
/* A datagram was lost outside send(): the templates go again. */
void	pipeline_lost(struct pipeline *);

#endif
