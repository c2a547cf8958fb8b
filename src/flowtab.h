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

/* Largest max_flows accepted (16 Mi flows, about 1.7 GiB). */
#define FLOWTAB_MAX_FLOWS	((size_t)1 << 24)

struct flowtab;

/*
 * Bytes flowtab_new() allocates for max_flows (for the -M budget): 0 for
 * 0, SIZE_MAX above FLOWTAB_MAX_FLOWS.  Linear in max_flows.
 */
size_t		 flowtab_bytes(size_t max_flows);
/* Bytes each additional flow costs (record + index share). */
size_t		 flowtab_bytes_per_flow(void);
/* Largest max_flows with flowtab_bytes(max_flows) <= budget (0 if none). */
size_t		 flowtab_max_flows(size_t budget);
/*
 * Allocate through mem_alloc() (mem.h).  seed keys the hash so that
 * outside parties cannot predict collisions.  NULL with errno EINVAL if
 * max_flows is 0 or over FLOWTAB_MAX_FLOWS, ENOMEM if out of budget.
 */
struct flowtab	*flowtab_new(size_t max_flows, uint64_t seed);
void		 flowtab_free(struct flowtab *);

size_t		 flowtab_count(const struct flowtab *);
size_t		 flowtab_capacity(const struct flowtab *);

/* The record for key, or NULL. */
struct flow_rec	*flowtab_find(struct flowtab *, const struct flow_key *);
/*
 * Insert a zeroed record with this key (which must not be present) on the
 * tail of list cls.  NULL if the table is full.
 */
struct flow_rec	*flowtab_insert(struct flowtab *, const struct flow_key *,
		    enum flowtab_class cls);
/* Move rec to the tail of list cls (after its last_ms was updated). */
void		 flowtab_touch(struct flowtab *, struct flow_rec *,
		    enum flowtab_class cls);
/* Head (least recently touched) of list cls, or NULL. */
struct flow_rec	*flowtab_oldest(struct flowtab *, enum flowtab_class cls);
enum flowtab_class flowtab_class_of(const struct flowtab *,
		    const struct flow_rec *);
/* Unlink and free rec's slot; rec is invalid afterwards. */
void		 flowtab_remove(struct flowtab *, struct flow_rec *);

/*
 * Hash index health, for stats and tests: the sum over all flows of the
 * distance from the slot the hash chose to the slot the flow sits in (a
 * lookup that hits reads 1 + that many slots), and the largest such
 * distance in *max if max is not NULL.  Scans the whole index.
 */
uint64_t	 flowtab_probe_stats(const struct flowtab *, uint32_t *max);

#endif
