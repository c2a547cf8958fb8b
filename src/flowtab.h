/*
 * Fixed-size flow table: a seeded hash index over a pool of flow records
 * allocated once, plus per-class lists ordered by last touch, so the
 * oldest flow of each class is found in O(1).  Never allocates after
 * flowtab_new().  Policy (timeouts, what to do when full) is in expire.c.
 * Only slot positions in the hash index depend on the seed; list order,
 * record reuse and so everything a caller can observe do not.
 */
#ifndef PF_FLOWTAB_H
#define PF_FLOWTAB_H

#include <stddef.h>
#include <stdint.h>

#include "flow.h"

/* Lists a flow can be on; each has its own idle timeout (expire.c). */
enum flowtab_class {
	FLOWTAB_GENERAL = 0,	/* other protocols */
	FLOWTAB_TCP,		/* TCP, no FIN/RST seen */
	FLOWTAB_TCP_FIN,	/* TCP, FIN seen */
	FLOWTAB_TCP_RST,	/* TCP, RST seen */
	FLOWTAB_UDP,
	FLOWTAB_ICMP,		/* ICMP and ICMPv6 */
	FLOWTAB_NCLASS
};

/*
 * Capacity is counted in units: an IPv4 flow takes one unit, an IPv6 flow
 * two (its 32 address bytes live in a second unit).  -m N is N units, so
 * the table holds N IPv4 flows, or N/2 IPv6 flows, or any mix with
 * IPv4 + 2 * IPv6 <= N (or a single flow of either family).  Largest
 * max_flows accepted: 16 Mi units, 50 bytes each (about 800 MiB).
 */
#define FLOWTAB_MAX_FLOWS	((size_t)1 << 24)
/* Units a flow with this key takes. */
#define FLOWTAB_UNITS(key)	((key)->ipver == 6 ? 2u : 1u)
/*
 * A flow's packet counter is 32-bit in the table: expire.c ends the record
 * (FLOW_END_ACTIVE) when it has reached this.  (A test that compiles the
 * table in may lower it.)
 */
#ifndef FLOWTAB_PACKETS_MAX
#define FLOWTAB_PACKETS_MAX	UINT32_MAX
#endif
/*
 * The byte counter is 32-bit too: expire.c ends the record before a
 * packet would take it past this, so every record fits the 4-byte
 * counters of the export (nf9_fields.h).  (A test may lower it.)
 */
#ifndef FLOWTAB_BYTES_MAX
#define FLOWTAB_BYTES_MAX	UINT32_MAX
#endif

struct flowtab;

/*
 * A flow in the table, valid until flowtab_remove(): 44 bytes on every
 * ABI (fields in size order, no padding, 4-aligned).  The layout is the
 * table's own (design note in flowtab.c); outside flowtab.c it is read
 * only through the functions below, some inline for the per-packet path.
 */
struct flowtab_ent {
	uint32_t	bytes;
	uint32_t	packets;
	uint32_t	first;		/* ms after the table epoch */
	uint32_t	last;
	uint32_t	next;		/* list successor, or free list link */
	uint32_t	link;		/* prev | cls << 25 | IPv6 bit 31 */
	uint8_t		tcp_flags;
	uint8_t		tos;
	uint8_t		proto;
	uint8_t		direction;
	uint32_t	ifindex;
	uint16_t	sport;
	uint16_t	dport;
	uint8_t		addr[8];	/* IPv4 src, dst; IPv6: unit index */
};
#define FLOWTAB_CLS_SHIFT	25

/*
 * Bytes flowtab_new() allocates for max_flows units (for the -M budget): 0
 * for 0, SIZE_MAX above FLOWTAB_MAX_FLOWS.  Linear in max_flows, exact.
 */
size_t		 flowtab_bytes(size_t max_flows);
/* Largest max_flows with flowtab_bytes(max_flows) <= budget (0 if none). */
size_t		 flowtab_max_flows(size_t budget);
/*
 * Allocate through mem_alloc() (mem.h).  seed keys the hash so that
 * outside parties cannot predict collisions.  NULL with errno EINVAL if
 * max_flows is 0 or over FLOWTAB_MAX_FLOWS, ENOMEM if out of budget.
 */
struct flowtab	*flowtab_new(size_t max_flows, uint64_t seed);
void		 flowtab_free(struct flowtab *);

/* Flows in the table. */
size_t		 flowtab_count(const struct flowtab *);
/* max_flows. */
size_t		 flowtab_capacity(const struct flowtab *);

/* The flow with this key, or NULL. */
struct flowtab_ent *flowtab_find(struct flowtab *, const struct flow_key *);
/*
 * Insert a flow with this key (which must not be present) on the tail of
 * list cls, with zero counters and first = last = now.  NULL if fewer than
 * FLOWTAB_UNITS(key) units are free, unless the table is empty: an empty
 * table takes any flow (there is a spare unit), so a 1-unit table holds
 * one IPv4 or one IPv6 flow.
 *
 * Times are kept as 32-bit ms offsets from an epoch, the time of the
 * insert that found the table empty: every time given to the table must
 * be >= that epoch and less than 2^32 ms after it (the probe flushes the
 * table at each clock rebase, CLOCK_REBASE_MS = 2^31 ms, so it holds);
 * later times are clamped.
 */
struct flowtab_ent *flowtab_insert(struct flowtab *, const struct flow_key *,
		    enum flowtab_class cls, uint64_t now);
/*
 * 1 if flowtab_insert() would take key now; 0 if a flow must go first.
 * Asking first is cheaper than an insert that fails, and in a flood of
 * new flows into a full table every packet would have one.
 */
int		 flowtab_fits(const struct flowtab *, const struct flow_key *);
/*
 * flowtab_insert() of the key that the last flowtab_find() missed, with
 * no insert since (removals may come between: a full table makes room).
 * Saves checking that the key is the one whose hash the miss kept.  NULL
 * as flowtab_insert(), and if there was no such miss.
 */
struct flowtab_ent *flowtab_insert_missed(struct flowtab *,
		    enum flowtab_class cls, uint64_t now);
/* Move e, not the tail of list cls, to that tail; see flowtab_touch(). */
void		 flowtab_move(struct flowtab *, struct flowtab_ent *,
		    enum flowtab_class cls);

/*
 * The list head of class c is unit c (design note in flowtab.c), and only
 * the tail of a list has its head as successor.
 */
#define FLOWTAB_HEAD(c)	((uint32_t)(c))

/*
 * Move e to the tail of list cls (after it was accounted).  Inline: a
 * burst of one flow costs one compare and no call.
 */
static inline void
flowtab_touch(struct flowtab *t, struct flowtab_ent *e, enum flowtab_class cls)
{
	if (e->next != FLOWTAB_HEAD(cls))
		flowtab_move(t, e, cls);
}
/* Head (least recently touched) of list cls, or NULL. */
struct flowtab_ent *flowtab_oldest(struct flowtab *, enum flowtab_class cls);
/*
 * Least recently touched flow on any list, or NULL: the head with the
 * earliest last time, the first list in enum order on a tie.
 */
struct flowtab_ent *flowtab_oldest_any(struct flowtab *);
/*
 * flowtab_get() then flowtab_remove(), in one: the index slot is found
 * from the key the record gets, with no second rebuild of it (a flood
 * evicts a flow for every packet).
 */
void		 flowtab_take(struct flowtab *, struct flowtab_ent *,
		    struct flow_rec *);

/* The flow as a contract record (end = 0). */
void		 flowtab_get(const struct flowtab *, const struct flowtab_ent *,
		    struct flow_rec *);
uint64_t	 flowtab_last_ms(const struct flowtab *,
		    const struct flowtab_ent *);
/* Zero the counters and flags, first = last = now, tos. */
void		 flowtab_restart(struct flowtab *, struct flowtab_ent *,
		    uint64_t now, uint8_t tos);

/*
 * The per-packet path without calls: the epoch once, then times as
 * offsets from it (flowtab_offset() clamps as flowtab_insert() describes).
 */
uint64_t	 flowtab_epoch(const struct flowtab *);

static inline uint32_t
flowtab_offset(uint64_t epoch, uint64_t now)
{
	if (now <= epoch)
		return 0;
	return now - epoch > UINT32_MAX ? UINT32_MAX : (uint32_t)(now - epoch);
}

static inline enum flowtab_class
flowtab_ent_class(const struct flowtab_ent *e)
{
	return (enum flowtab_class)((e->link >> FLOWTAB_CLS_SHIFT) & 7);
}

/*
 * An entry's index, as flow_rec.slot - 1 gives it (side tables such as
 * app.c's): flowtab_index_at(flowtab_base(t), e), inline for the
 * per-packet path; entries are units of sizeof(struct flowtab_ent) bytes
 * from the base.  Below FLOWTAB_INDEX_END(max_flows) (the list heads and
 * the spare unit are units too).
 */
#define FLOWTAB_INDEX_END(max_flows) ((size_t)(max_flows) + 1 + FLOWTAB_NCLASS)
/*
 * Whether records get flow_rec.slot: only a side table (app.c) reads it,
 * so a build without one (APP_INFO=no defines PF_APP_NONE) leaves it
 * unset and has no code for it.
 */
#ifdef PF_APP_NONE
#define FLOWTAB_SLOTS	0
#else
#define FLOWTAB_SLOTS	1
#endif
const void	*flowtab_base(const struct flowtab *);

static inline uint32_t
flowtab_index_at(const void *base, const struct flowtab_ent *e)
{
	return (uint32_t)(((const char *)e - (const char *)base) /
	    sizeof(*e));
}

/* The TOS a new flow's record carries (flowtab_insert() leaves 0). */
static inline void
flowtab_ent_set_tos(struct flowtab_ent *e, uint8_t tos)
{
	e->tos = tos;
}

/* As flowtab_last_ms(), with the epoch in hand. */
static inline uint64_t
flowtab_ent_last_ms(uint64_t epoch, const struct flowtab_ent *e)
{
	return epoch + e->last;
}

/* As flowtab_add(), with now given as flowtab_offset(epoch, now). */
static inline uint8_t
flowtab_ent_add(struct flowtab_ent *e, uint32_t bytes, uint8_t tcp_flags,
    uint32_t off)
{
	e->packets++;
	e->bytes += bytes;
	e->last = off;
	return e->tcp_flags |= tcp_flags;
}

/*
 * For the unit tests only (tests/unit/test_flowtab.c, test_expire.c): not
 * part of the table's contract; the probe never calls them.
 */
/* Bytes each additional unit costs (entry + index share). */
size_t		 flowtab_bytes_per_flow(void);
/* Units of max_flows not in use. */
size_t		 flowtab_units_free(const struct flowtab *);
/* Unlink and free e's units; e is invalid afterwards. */
void		 flowtab_remove(struct flowtab *, struct flowtab_ent *);
uint8_t		 flowtab_tcp_flags(const struct flowtab_ent *);
/*
 * Account one packet at now (packets must be below FLOWTAB_PACKETS_MAX,
 * and bytes stay within FLOWTAB_BYTES_MAX).
 * Returns the OR of the flow's TCP flags.
 */
uint8_t		 flowtab_add(struct flowtab *, struct flowtab_ent *,
		    uint32_t bytes, uint8_t tcp_flags, uint64_t now);
/*
 * Hash index health, for stats and tests: the sum over all flows of the
 * distance from the slot the hash chose to the slot the flow sits in (a
 * lookup that hits reads 1 + that many slots), and the largest such
 * distance in *max if max is not NULL.  Scans the whole index.
 */
uint64_t	 flowtab_probe_stats(const struct flowtab *, uint32_t *max);

#endif
