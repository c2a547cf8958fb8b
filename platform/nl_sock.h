/*
 * The netlink sockets the libmnl modules (enrich_netlink.c,
 * offload_netlink.c) open: non-blocking, close-on-exec, bound.
 */
#ifndef PF_NL_SOCK_H
#define PF_NL_SOCK_H

struct mnl_socket;

/*
 * A socket on netlink bus (NETLINK_ROUTE, NETLINK_NETFILTER...) bound to
 * the multicast groups (a bit mask, 0 for none); NULL and errno if not.
 */
struct mnl_socket	*nl_sock_open(int bus, unsigned groups);

#endif
