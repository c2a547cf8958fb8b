/*
 * Export-time enrichment: what the kernel knows about a finished flow that
 * its packets do not say.  --egress: the interface the flow's destination
 * is routed out of (OUTPUT_SNMP); --nat: on a NAT router, the flow's
 * addresses and ports after translation (NetFlow v9 / IPFIX 225-228).
 * Chosen by the Makefile's NETLINK:
 *   mnl   platform/enrich_netlink.c: rtnetlink RTM_GETROUTE and ctnetlink
 *         IPCTNL_MSG_CT_GET, answers cached, queries capped per second;
 *   none  platform/enrich_none.c: enrich_open() refuses, with a message.
 * A lookup is made once per exported record, never per packet, and only
 * for flows seen coming in (DIRECTION 0).  All memory is taken at open.
 */
#ifndef PF_ENRICH_H
#define PF_ENRICH_H

#include <stddef.h>
#include <stdint.h>

#include "flow.h"

struct enrich_cfg {
	int		egress;		/* fill out_ifindex */
	int		nat;		/* fill the post-NAT fields (IPv4) */
	uint32_t	max_lookups;	/* kernel queries a second; 0: no cap */
};

/* Counters of one kind of lookup (egress or NAT). */
struct enrich_count {
	uint64_t	records;	/* records that asked */
	uint64_t	cached;		/* ... answered from the cache */
	uint64_t	queries;	/* requests sent to the kernel */
	uint64_t	limited;	/* records left 0: over max_lookups */
	uint64_t	failed;		/* ... left 0: no usable answer */
	uint64_t	found;		/* an interface / a translation */
	uint64_t	query_ns;	/* time spent in queries */
};

struct enrich_stats {
	struct enrich_count egress;
	struct enrich_count nat;
	uint64_t	route_flushes;	/* route cache emptied: routes changed */
};

struct enrich;

/* NULL with a message in err if the kernel or the build cannot do it. */
struct enrich	*enrich_open(const struct enrich_cfg *, char *err,
		    size_t errlen);
/*
 * Fill r->enr for one finished record at probe time now_ms.  Never fails:
 * a question the kernel cannot answer, or one over the per-second cap,
 * leaves the fields 0 (unknown) and is counted.
 */
void		 enrich_flow(struct enrich *, struct flow_rec *r,
		    uint64_t now_ms);
void		 enrich_stats(const struct enrich *, struct enrich_stats *);
void		 enrich_close(struct enrich *);

#endif
