/*
 * --offload-flows: records for connections whose packets the capture never
 * sees because the kernel's flowtable forwards them (nftables "flow add",
 * software fast path, or a NIC/switch for hardware offload), made from
 * conntrack's per-direction counters.  Chosen by the Makefile's NETLINK:
 *   mnl   platform/offload_netlink.c: ctnetlink dumps and destroy events;
 *   none  platform/offload_none.c: offload_open() refuses, with a message.
 * Each offloaded connection gives two unidirectional records (original
 * and reply direction) with the packets and bytes since the last report.
 * All memory is taken at open; the work per call is bounded.
 */
#ifndef PF_OFFLOAD_H
#define PF_OFFLOAD_H

#include <stddef.h>
#include <stdint.h>

#include "flow.h"

#define OFFLOAD_OFF	0
#define OFFLOAD_HW	1	/* IPS_HW_OFFLOAD: the CPU saw none of it */
#define OFFLOAD_ALL	2	/* ... or IPS_OFFLOAD: software flowtable too */
#define OFFLOAD_ANY	3	/* every entry: a test hook for kernels
				 * without a flowtable, not a user mode */

struct offload_cfg {
	int		mode;		/* OFFLOAD_HW or OFFLOAD_ALL */
	uint32_t	interval_ms;	/* between two dumps (active timeout) */
};

struct offload_stats {
	uint64_t	dumps;		/* dump passes finished */
	uint64_t	entries;	/* entries read from dumps */
	uint64_t	offloaded;	/* ... of them offloaded or tracked */
	uint64_t	destroyed;	/* destroy events of tracked entries */
	uint64_t	records;	/* records made */
	uint64_t	table_full;	/* offloaded entries not tracked: no slot */
	uint64_t	vanished;	/* tracked entries gone without an event */
	uint64_t	lost_events;	/* event socket overruns (ENOBUFS) */
	uint64_t	late;		/* dumps not started: previous unfinished */
	uint64_t	no_counters;	/* entries without counters (acct off) */
	uint64_t	malformed;	/* messages refused by the parser */
	uint64_t	errors;		/* dump requests failed or refused */
	uint32_t	tracked;	/* slots in use now */
	uint32_t	slots;
};

struct offload;

/* NULL with a message in err if the kernel or the build cannot do it. */
struct offload	*offload_open(const struct offload_cfg *, char *err,
		    size_t errlen);
/* The destroy-event socket, to poll for input; -1 if none. */
int		 offload_fd(const struct offload *);
/*
 * Read destroy events (bounded); fill out (max >= 2 records) and return
 * how many.  Out full (max - 1 or more) means there may be more to read.
 */
size_t		 offload_events(struct offload *, uint64_t now_ms,
		    struct flow_rec *out, size_t max);
/*
 * Once a tick: start a dump when one is due and read a bounded part of
 * the one in progress; records into out as for offload_events().
 */
size_t		 offload_tick(struct offload *, uint64_t now_ms,
		    struct flow_rec *out, size_t max);
/*
 * At shutdown: finish the dump in progress, then one more, read to its
 * end, so what offloaded connections carried since the last look is
 * exported like the flows left in the table.  Call until *more is 0;
 * each call is bounded like offload_tick().
 */
size_t		 offload_final(struct offload *, uint64_t now_ms,
		    struct flow_rec *out, size_t max, int *more);
void		 offload_stats(const struct offload *, struct offload_stats *);
void		 offload_close(struct offload *);

#endif
