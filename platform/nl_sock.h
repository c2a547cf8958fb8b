/*
 * The netlink sockets the libmnl modules (enrich_netlink.c,
 * offload_netlink.c, procinfo_netlink.c) open: non-blocking,
 * close-on-exec, bound; and what their questions share: the answer to
 * the last one read past stale ones, and a cap on questions a second.
 */
#ifndef PF_NL_SOCK_H
#define PF_NL_SOCK_H

#include <sys/types.h>

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

/*
 * Read datagrams into buf (len bytes) until one holds a whole message
 * with sequence number seq: answers to earlier requests given up on are
 * skipped, NL_STALE_READS of them at most.  Its length, or -1.
 */
#define NL_STALE_READS	8
ssize_t			 nl_sock_recv_seq(struct mnl_socket *, void *buf,
			    size_t len, uint32_t seq);

/* Questions a second, a window of one second: --lookup-rate. */
struct nl_rate {
	uint32_t	win_s;		/* the window's second */
	uint32_t	used;		/* questions asked in it */
};

/* 1 and one more counted if cap (0: none) allows another at now_s. */
int			 nl_rate_allow(struct nl_rate *, uint32_t cap,
			    uint32_t now_s);

#endif
