/*
 * --app-info: what a flow's packets say beyond its counters.  Names (the
 * first DNS question, a TLS ClientHello's server name, an HTTP request's
 * Host; appname.h parses them) and TCP quality (the handshake's round
 * trip split at the probe, retransmitted and out-of-order segments).
 *
 * State lives in a side table with one entry per flow-table slot, so a
 * packet finds its flow's entry with no second lookup; the reverse
 * flow's entry, which the TCP analysis and the handshake need, is found
 * once by a lookup of the reversed key and then kept linked.  Only the
 * first payload packets of a flow are parsed.  Everything is allocated
 * by app_new(): names in a pool of small chunks, split ClientHellos and
 * requests in a few reassembly buffers; a full pool or buffer set is
 * counted, never waited for.
 *
 * The flow table's records carry their slot (flow_rec.slot): on export
 * app_export() fills a record's flow_app and app_release() frees the
 * entry, or for an active-timeout split keeps its name and handshake.
 */
#ifndef PF_APP_H
#define PF_APP_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "appname.h"
#include "capture.h"
#include "flow.h"
#include "procinfo.h"

#define APP_RASM_BUFS	16	/* split hellos and requests at once */
#define APP_RASM_BYTES	4096	/* bytes each (a 2 KB hello fits twice) */
#define APP_CHUNK_BYTES	28	/* name bytes a pool chunk holds */
#define APP_NAME_TRIES	4	/* UDP DNS packets looked at a flow */
#define APP_OWNERS	128	/* --process: distinct owners at once */

/* What app_new() is asked to keep. */
#define APP_NAMES	0x1	/* --app-info: names */
#define APP_TCP		0x2	/* --app-info, not sampled: TCP quality */
#define APP_PROC	0x4	/* --process: owners of local ends */

struct app;
struct flowtab;

struct app_stats {
	uint64_t	names;		/* flows that got a name */
	uint64_t	names_dropped;	/* ... but the name pool was full */
	uint64_t	rasm_names;	/* names found across segments */
	uint64_t	rasm_full;	/* no reassembly buffer was free */
	uint64_t	rasm_lost;	/* a ClientHello or request whose later
					 * segments came out of order, or whose
					 * bytes the snap length cut, or that
					 * is longer than APP_RASM_BYTES */
	uint64_t	handshakes;	/* round trips measured */
	uint64_t	hs_lost;	/* SYN-ACKs whose SYN's flow was not
					 * waiting for one */
	uint64_t	quic_names;	/* names from QUIC Initials */
	uint64_t	quic_lost;	/* QUIC ClientHellos not read to their
					 * name: a second gap in the CRYPTO
					 * stream, over APP_RASM_BYTES, over
					 * QUIC_BUF or QUIC_FRAMES a packet,
					 * not whole after APP_NAME_TRIES */
};

/*
 * Bytes app_new() allocates for a flow table whose flowtab_index_at()es are
 * below index_end (FLOWTAB_INDEX_END()): 84 a slot (the entry 68, the
 * name pool 16), plus the reassembly buffers (64 KiB) and the owners
 * (--process, 8 KiB).
 */
size_t		 app_bytes(size_t index_end);
/*
 * Through mem_alloc(); NULL if out of budget.  t: the flow table whose
 * slots these are (app_packet() looks up reverse flows there).  what:
 * APP_* bits (TCP quality is left out when sampling: it needs every
 * packet).
 */
struct app	*app_new(struct flowtab *t, size_t index_end, unsigned what);
void		 app_free(struct app *);

/*
 * One packet of the flow in slot (flowtab_index_at()), after it was
 * accounted there.  Reads only within p->caplen.
 */
void		 app_packet(struct app *, const struct pkt *,
		    const struct flow_key *, const struct pkt_meta *,
		    uint32_t slot);
/*
 * r's flow_app from its slot's entry; the name is copied to namebuf
 * (APPNAME_MAX + 1 bytes), which must outlive the record's encoding.
 * Records with no slot are left as they are.
 */
void		 app_export(const struct app *, struct flow_rec *r,
		    char *namebuf);
/* r has gone: its entry is freed, or (active timeout) carried on. */
void		 app_release(struct app *, const struct flow_rec *r);
/*
 * --process: 1 if the flow in slot has not been asked about yet (a new
 * flow; an active-timeout split keeps its owners), and marks it asked.
 */
int		 app_owner_wanted(struct app *, uint32_t slot);
/* The owner of the flow's source (dst 0) or destination (dst 1) end. */
void		 app_owner_set(struct app *, uint32_t slot, int dst,
		    const struct proc_owner *);
void		 app_stats(const struct app *, struct app_stats *);
/* The statistics line (stats.c), -P's text for a record, --help's lines. */
void		 app_log_stats(const struct app_stats *);
void		 app_print(FILE *, const struct flow_app *);
void		 app_usage(FILE *);

#endif
