/*
 * The netlink sockets the libmnl modules (enrich_netlink.c,
 * offload_netlink.c) open: non-blocking, close-on-exec, bound.
 */
#ifndef PF_NL_SOCK_H
#define PF_NL_SOCK_H

#include <stddef.h>
#include <stdint.h>

struct mnl_socket;

/*
 * A socket on netlink bus (NETLINK_ROUTE, NETLINK_NETFILTER...) bound to
 * the multicast groups (a bit mask, 0 for none); NULL and errno if not.
 */
struct mnl_socket	*nl_sock_open(int bus, unsigned groups);
/*
 * At start, one question to conntrack on a NETLINK_NETFILTER socket: an
 * all-zero tuple names no connection, so ENOENT means conntrack answers.
 * 0, or -1 with a message that names flag (privilege, or no conntrack).
 * buf (bufsz bytes) takes the answer; *seq is the caller's counter.
 * EAGAIN (nfnetlink has just loaded nf_conntrack_netlink): asked again.
 */
int			 nl_ct_check(struct mnl_socket *s, uint32_t *seq,
			    uint8_t *buf, size_t bufsz, const char *flag,
			    char *err, size_t errlen);

#endif
