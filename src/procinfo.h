/*
 * --process: which program, and which user, owns the socket at this
 * host's end of a flow (issue 21).  Only flows that start or end on the
 * host itself are asked about: procinfo_is_local() says whether an address
 * is one of the host's own, and a flow with no local end is never looked
 * up, so forwarded traffic costs one comparison against a short table.
 * Chosen by the Makefile's NETLINK:
 *   mnl   platform/procinfo_netlink.c: the socket from NETLINK_SOCK_DIAG
 *         (inet_diag, by the exact 5-tuple; TCP and UDP, IPv4 and IPv6),
 *         its uid and inode; the process holding that inode from /proc;
 *   none  platform/procinfo_none.c: procinfo_open() refuses, with a
 *         message.
 * Bounded: at most rate_per_s kernel requests and /proc scans a second
 * (beyond that a lookup answers nothing and is counted), a fixed-size
 * cache of socket inode -> process, all memory taken at open from mem.h.
 * Processes in another network namespace are never named: the socket
 * tables asked are the probe's own namespace's, and a process is accepted
 * only if its /proc/PID/ns/net is the probe's.
 */
#ifndef PF_PROCINFO_H
#define PF_PROCINFO_H

#include <stddef.h>
#include <stdint.h>

#include "flow.h"

/* Who owns one end of a flow.  Strings are NUL-terminated, "" unknown. */
struct proc_owner {
	uint32_t	pid;		/* 0: the process is unknown */
	uint32_t	uid;		/* the socket's owner (sock_diag) */
	char		name[16];	/* /proc/PID/comm */
	char		user[32];	/* uid's name in /etc/passwd at open,
					 * else the uid in decimal */
};

struct procinfo_stats {
	uint64_t	asked;		/* lookups of a flow's local end */
	uint64_t	answered;	/* ... the process found */
	uint64_t	no_socket;	/* ... no such socket (closed, or a
					 * TIME_WAIT one: no owner left) */
	uint64_t	no_process;	/* ... a socket, but no process of this
					 * namespace seen holding it (uid only) */
	uint64_t	capped;		/* ... stopped by the rate cap */
	uint64_t	errors;		/* ... no usable kernel answer */
	uint64_t	cached;		/* processes answered from the cache */
	uint64_t	requests;	/* sock_diag requests sent */
	uint64_t	scans;		/* /proc scans made */
	uint64_t	request_ns;	/* time spent in sock_diag requests */
	uint64_t	scan_ns;	/* ... and in /proc scans */
	uint64_t	addr_reloads;	/* local address table re-read */
};

/* What procinfo_lookup() found. */
#define PROCINFO_NONE		0	/* nothing: out is cleared */
#define PROCINFO_USER		1	/* the socket: uid and user only */
#define PROCINFO_PROCESS	2	/* the process too: pid and name */

/* procinfo_lookup()'s local_side */
#define PROCINFO_SIDE_SRC	1	/* the flow's source is this host */
#define PROCINFO_SIDE_DST	2	/* its destination is */

struct procinfo;

/*
 * rate_per_s: kernel requests plus /proc scans allowed a second (0: no
 * cap); cache_entries: inode -> process cache slots (rounded up to a
 * power of two).  NULL with a message in err if the kernel, the build or
 * the memory budget cannot do it.
 */
struct procinfo	*procinfo_open(unsigned rate_per_s, size_t cache_entries,
		    char *err, size_t errlen);
/*
 * 1 if addr (4 or 16 bytes as in struct flow_key, ipver 4 or 6) is one of
 * the host's own addresses or a loopback one.  Address changes are
 * learnt from rtnetlink events, read at most once a probe-clock second
 * (now_ms), so a flow on a new address may be missed for a second.
 */
int		 procinfo_is_local(struct procinfo *, const uint8_t *addr,
		    int ipver, uint64_t now_ms);
/*
 * The owner of the flow's local_side end (PROCINFO_SIDE_*); TCP and UDP
 * only.  Returns PROCINFO_*; never blocks (the kernel answers sock_diag
 * synchronously) and never allocates (but see procinfo_netlink.c on
 * readdir).  Ask when the flow is created: once a TCP connection is
 * closed its socket (TIME_WAIT) has no owner left to find.
 */
int		 procinfo_lookup(struct procinfo *, const struct flow_key *,
		    int local_side, uint64_t now_ms, struct proc_owner *out);
void		 procinfo_stats(const struct procinfo *,
		    struct procinfo_stats *);
/* Bytes procinfo_open() takes from the -M budget for these sizes. */
size_t		 procinfo_bytes(size_t cache_entries);
void		 procinfo_close(struct procinfo *);

/*
 * Pure helpers of procinfo_netlink.c, declared here for its unit test
 * (tests/unit/test_nl_procinfo.c); not part of the contract.
 */
/* The inode in a /proc/PID/fd link "socket:[INODE]" of len bytes, or 0. */
uint32_t	 procinfo_socket_inode(const char *link, size_t len);
/*
 * One /etc/passwd line ("name:pw:uid:..."; no newline needed): 1 with
 * *uid and name (truncated to namesz - 1 bytes), or 0 if it is no entry.
 */
int		 procinfo_passwd_line(const char *line, size_t len,
		    uint32_t *uid, char *name, size_t namesz);

/* One socket of a sock_diag answer. */
struct procinfo_sock {
	uint8_t		family;		/* AF_INET, AF_INET6 */
	uint8_t		state;		/* TCP_* */
	uint16_t	lport;		/* host order */
	uint16_t	rport;
	uint8_t		laddr[16];	/* IPv4 in the first 4 bytes */
	uint8_t		raddr[16];
	uint32_t	uid;
	uint32_t	inode;		/* 0: no owner (TIME_WAIT, closing) */
};

/*
 * The sock_diag request for the socket whose local end is laddr:lport and
 * remote end raddr:rport (host-order ports; the family's address size),
 * or with dump != 0 the dump of every socket of the family and protocol
 * bound to local port lport (an inet_diag bytecode filter).  The
 * request's length, or 0 if it does not fit in len.
 */
size_t		 procinfo_diag_request(void *buf, size_t len, uint32_t seq,
		    int family, uint8_t proto, const uint8_t *laddr,
		    uint16_t lport, const uint8_t *raddr, uint16_t rport,
		    int dump);
/*
 * One answer message of len bytes (it must hold a whole message): 1 and
 * *s for a socket, 2 and *err (positive errno, 0 for NLMSG_DONE) for an
 * error or the end of a dump, 0 for anything else or a malformed one.
 */
int		 procinfo_diag_parse(const void *msg, size_t len,
		    struct procinfo_sock *s, int *err);

#endif
