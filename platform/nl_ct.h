/*
 * ctnetlink conntrack lookups (IPCTNL_MSG_CT_GET of one entry by tuple):
 * building the request, parsing the entry, and working out the
 * translation NAT applies; and for --offload-flows, dumping the table and
 * parsing entries with their counters.  IPv4 only.  Pure, no socket, so all of it is
 * tested on recorded message bytes.
 */
#ifndef PF_NL_CT_H
#define PF_NL_CT_H

#include <stddef.h>
#include <stdint.h>

/* One direction of a connection; ports in host order, 0 if none. */
struct nl_ct_tuple {
	uint8_t		src[4];
	uint8_t		dst[4];
	uint16_t	sport;
	uint16_t	dport;
	uint8_t		proto;
	uint8_t		pad[3];
};

/* A conntrack entry: as the first packet went, and as replies come. */
struct nl_ct {
	struct nl_ct_tuple orig;
	struct nl_ct_tuple reply;
};

#define NL_CT_ORIG	0	/* look the tuple up as CTA_TUPLE_ORIG */
#define NL_CT_REPLY	1	/* ... as CTA_TUPLE_REPLY */

/*
 * 1 if conntrack can be asked about proto with our flow key: TCP, UDP,
 * UDP-Lite, SCTP and DCCP by their ports; other protocols (GRE, ESP...)
 * by addresses alone.  Not ICMP: conntrack keys echo flows by the ICMP
 * identifier, which a flow key does not keep.
 */
int	nl_ct_askable(uint8_t proto);
/*
 * Write the request for tuple t, matched as dir (NL_CT_ORIG or
 * NL_CT_REPLY), into buf (len bytes).  Returns its length, 0 if buf is
 * too small.
 */
size_t	nl_ct_request(void *buf, size_t len, uint32_t seq,
	    const struct nl_ct_tuple *t, int dir);
/*
 * msg holds one netlink message of len bytes.  Returns 1 and fills *out
 * for an IPv4 conntrack entry with both tuples; 2 and sets *err (a positive
 * errno; ENOENT: no such connection) for an error answer; 0 for any other
 * message; -1 for a malformed one.
 */
int	nl_ct_parse(const void *msg, size_t len, struct nl_ct *out,
	    int *err);
/*
 * A conntrack entry from a dump or a destroy event, with what
 * --offload-flows needs besides the tuples.
 */
struct nl_ct_entry {
	struct nl_ct	ct;
	uint64_t	packets[2];	/* [NL_CT_ORIG], [NL_CT_REPLY] */
	uint64_t	bytes[2];	/* ... of IP packets, headers included */
	uint32_t	id;		/* CTA_ID: names the entry while it lives */
	uint32_t	status;		/* IPS_* bits (nf_conntrack_common.h) */
	uint8_t		counters;	/* 1: the kernel sent counters (acct on) */
	uint8_t		destroyed;	/* 1: a destroy event (CT_DELETE) */
	uint8_t		pad[2];
};

/*
 * Write a request to dump every IPv4 entry (NLM_F_DUMP) into buf.  Returns
 * its length, 0 if buf is too small.
 */
size_t	nl_ct_dump_request(void *buf, size_t len, uint32_t seq);
/*
 * msg holds one netlink message of len bytes (of a dump's answer, or an
 * event).  Returns 1 and fills *out for an IPv4 entry (IPCTNL_MSG_CT_NEW,
 * or IPCTNL_MSG_CT_DELETE: destroyed); 2 and *err for an error answer; 3
 * for the end of a dump (NLMSG_DONE); 0 for any other message; -1 for a
 * malformed one, counters included: both directions or none.
 */
int	nl_ct_parse_entry(const void *msg, size_t len,
	    struct nl_ct_entry *out, int *err);
/*
 * What the router makes of a packet with tuple t that belongs to ct.  A
 * packet of the original direction leaves as the inverse of the reply
 * tuple; one of the reply direction as the inverse of the original.
 * Returns 1 and sets *post when that changes an address or a port; 0 when
 * it changes nothing (no NAT) or t is neither tuple of ct.
 */
int	nl_ct_xlate(const struct nl_ct *ct, const struct nl_ct_tuple *t,
	    struct nl_ct_tuple *post);

#endif
