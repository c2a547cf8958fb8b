/*
 * Flow accounting policy on top of flowtab: which list a flow lives on,
 * idle and active timeouts, TCP FIN/RST, exporting the oldest flow early
 * when the table is full, and flushing everything.  Finished flows are
 * copied into a caller array; nothing is ever dropped without a count.
 *
 * Lists: TCP (IP protocol 6) is on FLOWTAB_TCP, moving to FLOWTAB_TCP_FIN
 * once any packet had FIN and to FLOWTAB_TCP_RST once any had RST (RST
 * wins); UDP and UDP-Lite (17, 136) on FLOWTAB_UDP; ICMP and ICMPv6 (1, 58)
 * on FLOWTAB_ICMP; everything else on FLOWTAB_GENERAL.
 *
 * Defaults (expire_defaults()), in the same units as the fields, ms:
 *	idle: general 15000, tcp 60000, tcp.fin 10000, tcp.rst 5000,
 *	      udp 15000, icmp 15000
 *	active: 300000 (a longer flow is split into records of at most this)
 *
 * Order: records come out in an order that depends only on the packets and
 * times fed in, never on the hash seed, so file replay is byte-identical
 * from run to run.  "Oldest first across lists" means least recently
 * touched: the list head with the smallest last_ms, ties going to the lower
 * enum flowtab_class value.
 *
 * Times are ms on the probe clock and never go backwards (the caller
 * guarantees it); a timestamp ahead of now counts as no time elapsed.
 */
#ifndef PF_EXPIRE_H
#define PF_EXPIRE_H

#include <stddef.h>
#include <stdint.h>

#include "flow.h"
#include "flowtab.h"

struct expire_cfg {
	uint32_t	idle_ms[FLOWTAB_NCLASS];	/* per list */
	uint32_t	active_ms;	/* longest a record may span */
};

struct expire_stats {
	uint64_t	created;		/* flows inserted */
	uint64_t	ended[FLOW_END_MAX];	/* records finished, by end */
};

/* Set cfg, zero st; no other initialisation is needed. */
struct expire {
	struct expire_cfg	cfg;
	struct expire_stats	st;
	/* The flow expire_packet() last accounted a packet to, or NULL:
	 * what --app-info reads further from the same packet.  Not kept
	 * in a build without it (APP_INFO=no defines PF_APP_NONE). */
	struct flowtab_ent	*last;
};

#ifdef PF_APP_NONE
#define EXPIRE_LAST	0
#else
#define EXPIRE_LAST	1
#endif

/* Defaults documented above and in the README and picoflow.8. */
void	expire_defaults(struct expire_cfg *);

/*
 * Account one packet at time now.  Returns the number of finished records
 * written to out, 0 to EXPIRE_PACKET_MAX (a new flow may push out one or
 * two, a known flow may be split, never both):
 *  - new flow, table full: the oldest flow, end FLOW_END_EVICTED (or its
 *    idle end if its idle timeout has passed but expire_due() has not
 *    run yet); an IPv6 flow takes two units (flowtab.h), so it may push
 *    out two flows;
 *  - known flow whose idle timeout has passed (expire_due() was not called
 *    in time): the flow so far, end FLOW_END_IDLE or FLOW_END_TCP, and the
 *    packet starts a new record in its place;
 *  - known flow whose record spans active_ms or more, whose packet count
 *    has reached FLOWTAB_PACKETS_MAX, or whose byte count this packet
 *    would take past FLOWTAB_BYTES_MAX (2^32 - 1 both, the table's 32-bit
 *    counters): the record so far, end FLOW_END_ACTIVE, and the packet
 *    starts a new record.
 */
#define EXPIRE_PACKET_MAX	2
size_t	expire_packet(struct expire *, struct flowtab *,
	    const struct flow_key *, const struct pkt_meta *, uint64_t now,
	    struct flow_rec *out);

/*
 * Remove up to max flows whose idle timeout has passed at now, copying them
 * to out, list by list in enum flowtab_class order, oldest first within a
 * list; end is FLOW_END_TCP on the FIN and RST lists, FLOW_END_IDLE
 * elsewhere.  Returns how many; call again while it returns max.  Costs
 * O(returned + FLOWTAB_NCLASS), never a scan of the table.
 */
size_t	expire_due(struct expire *, struct flowtab *, uint64_t now,
	    struct flow_rec *out, size_t max);

/*
 * Remove up to max flows regardless of time (shutdown, end of file, clock
 * rebase), oldest first across lists, with end = FLOW_END_FLUSH.
 */
size_t	expire_all(struct expire *, struct flowtab *, struct flow_rec *out,
	    size_t max);

/*
 * For the unit tests only (the probe ticks once a second instead):
 * milliseconds from now until the earliest idle deadline, 0 if one has
 * passed, EXPIRE_NEXT_EMPTY_MS if the table is empty.
 */
#define EXPIRE_NEXT_EMPTY_MS	1000
uint64_t expire_next_ms(const struct expire *, struct flowtab *, uint64_t now);

#endif
