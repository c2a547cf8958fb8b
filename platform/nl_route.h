/*
 * rtnetlink route lookups (RTM_GETROUTE), as "ip route get" makes them:
 * building the request and parsing the answer.  Pure, no socket, so both
 * are tested on recorded message bytes.
 */
#ifndef PF_NL_ROUTE_H
#define PF_NL_ROUTE_H

#include <stddef.h>
#include <stdint.h>

struct nl_route_query {
	uint8_t		family;		/* AF_INET or AF_INET6 */
	uint8_t		pad[3];
	uint32_t	iif;		/* ingress ifindex; 0: none */
	uint8_t		dst[16];	/* IPv4 in the first 4 bytes */
	uint8_t		src[16];	/* sent only with iif */
};

struct nl_route {
	uint32_t	oif;		/* RTA_OIF, 0 if absent */
	uint8_t		type;		/* RTN_* */
	uint8_t		family;
};

/*
 * Write the request for q into buf (len bytes) with sequence seq.  With an
 * iif it asks what the kernel would do with a packet from src arriving on
 * iif (the forwarding decision, policy rules included); without, where the
 * host itself would send to dst.  Returns the request's length, or 0 if
 * buf is too small or the family is neither.
 */
size_t	 nl_route_request(void *buf, size_t len, uint32_t seq,
	    const struct nl_route_query *q);
/*
 * msg holds one netlink message of len bytes.  Returns 1 and fills *out
 * for an RTM_NEWROUTE answer; 2 and sets *err (a positive errno) for an
 * error answer; 0 for any other message; -1 for a malformed one (lengths
 * that do not add up, an RTA_OIF that is not 4 bytes).
 */
int	 nl_route_parse(const void *msg, size_t len, struct nl_route *out,
	    int *err);
/* The egress interface to export: a unicast route's oif, else 0. */
uint32_t nl_route_egress(const struct nl_route *);

#endif
