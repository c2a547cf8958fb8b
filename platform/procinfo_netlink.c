/*
 * --process over netlink with libmnl (NETLINK=mnl): the owner of a local
 * flow's socket, from the kernel's socket tables, then from /proc.
 *
 * 1. The socket.  SOCK_DIAG_BY_FAMILY with an inet_diag_req_v2 naming the
 *    exact socket: the kernel runs the same lookup a packet would (TCP:
 *    established, else listening; UDP: connected, else bound), so an
 *    unconnected UDP server on 0.0.0.0:53 is found by the exact tuple too.
 *    A UDP socket the receive lookup cannot reach that way (bound to a
 *    device) is looked for in a dump of the sockets on the flow's local
 *    port (an inet_diag bytecode filter), best match first.  The answer
 *    gives the socket's uid and inode; a TIME_WAIT socket has inode 0: its
 *    owner is gone.
 * 2. The process.  The inode -> (pid, comm) cache (lcache.h, CACHE_TTL_S)
 *    first; on a miss the few processes that owned the last answers (a
 *    daemon opening many connections), then every /proc/PID/fd until a
 *    link reads "socket:[INODE]", bounded by SCAN_MAX_FDS links and
 *    SCAN_MAX_NS.  A process is only accepted if /proc/PID/ns/net is the
 *    probe's own network namespace (same st_dev and st_ino), so a process
 *    in a container that happens to hold a socket of ours is never named.
 *    A socket no process was found for is cached too (pid 0), so a busy
 *    socket of a process we may not read does not cost a scan a flow.
 * 3. The user: uid -> name from /etc/passwd, read once at open (the
 *    sandbox may forbid opening it later); a uid not there is written in
 *    decimal.
 *
 * Every sock_diag request and every scan counts against rate_per_s a
 * probe-clock second; beyond it a lookup answers nothing, counted.
 *
 * Local addresses: an RTM_GETADDR dump at open into a fixed table, dumped
 * again when an RTMGRP_IPV4/IPV6_IFADDR event arrived (read at most once a
 * second), so forwarded traffic costs a table walk and nothing else.
 *
 * Memory: everything is taken at open from mem.h.  The exception is libc's
 * directory reading: fdopendir() mallocs its buffer (glibc 32 KB, musl
 * 2 KB) for each /proc/PID/fd read, freed by closedir(); this happens only
 * on a cache miss, within the rate cap.  (/proc itself is opened once at
 * open and rewound.)  Reading the directories with getdents64(2) into a
 * buffer of our own would avoid it, at the price of a Linux-only call;
 * POSIX readdir was preferred.
 *
 * System calls after open (strace of a lookup, glibc x86_64): sendto and
 * recvmsg (libmnl's recvfrom) on netlink; newfstatat (fstatat64 or statx
 * elsewhere) for /proc/PID/ns/net, one a process per scan; openat,
 * fcntl (fdopendir; musl's fstat too), getdents64, readlinkat, close for
 * /proc/PID/fd; lseek (rewinddir of /proc); openat, read, close for
 * /proc/PID/comm; brk or mmap/munmap for the readdir buffer;
 * clock_gettime (vDSO).  /etc/passwd is read at open only.
 * Privileges: sock_diag answers any user's sockets of this namespace with
 * their uid and inode, unprivileged; naming another user's process needs
 * CAP_DAC_READ_SEARCH (to list its /proc/PID/fd) and CAP_SYS_PTRACE (to
 * read its fd links and ns/net): without them the answer is the uid only.
 */
#include <linux/inet_diag.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "lcache.h"
#include "mem.h"
#include "nl_msg.h"
#include "nl_sock.h"
#include "procinfo.h"
#include "util.h"

#define ADDR_MAX	64	/* local addresses kept */
#define USERS_MAX	1024	/* /etc/passwd entries kept */
#define CACHE_TTL_S	30	/* an inode's owner is believed this long */
#define RECENT_PIDS	8	/* owners of the last answers, tried first */
#define SCAN_MAX_FDS	16384	/* fd links read in one scan, at most */
#define SCAN_MAX_NS	20000000ull	/* and at most 20 ms */
#define NL_BUFSZ	8192	/* one netlink datagram (dump chunks too) */
#define DUMP_READS	64	/* datagrams read for one dump, at most */
#define EVENT_READS	64	/* address events read a second, at most */

#define ASK_LIMITED	(-1)	/* over the rate cap: not asked */
#define ASK_FAILED	(-2)	/* no usable answer */

struct laddr {
	uint8_t		a[16];
	uint8_t		ver;
};

struct user {
	uint32_t	uid;
	char		name[32];
};

/* A cached inode's owner: pid 0 when no process of ours held it. */
struct owner_val {
	uint32_t	pid;
	char		name[16];
};

struct procinfo {
	struct mnl_socket	*diag;		/* NETLINK_SOCK_DIAG */
	struct mnl_socket	*rt;		/* RTM_GETADDR dumps */
	struct mnl_socket	*ev;		/* address events */
	struct lcache		*cache;		/* inode -> struct owner_val */
	struct user		*users;
	size_t			 nusers;
	uint8_t			*buf;		/* NL_BUFSZ: answers */
	DIR			*proc;		/* /proc, rewound per scan */
	int			 procfd;
	dev_t			 ns_dev;	/* our network namespace */
	ino_t			 ns_ino;
	uint32_t		 seq;
	uint32_t		 rate;		/* requests and scans a second */
	struct nl_rate		 window;	/* ... spent this second */
	uint32_t		 ev_s;		/* second events were read */
	uint32_t		 recent[RECENT_PIDS];
	unsigned		 nrecent;
	unsigned		 naddr;
	struct laddr		 addr[ADDR_MAX];
	uint8_t			 req[128];
	struct procinfo_stats	 st;
};

/* ---- pure helpers (tests/unit/test_nl_procinfo.c) ---- */

uint32_t
procinfo_socket_inode(const char *link, size_t len)
{
	uint64_t v = 0;
	size_t i;

	if (len < 10 || memcmp(link, "socket:[", 8) != 0 ||
	    link[len - 1] != ']')
		return 0;
	for (i = 8; i < len - 1; i++) {
		if (link[i] < '0' || link[i] > '9')
			return 0;
		/* sock_diag's idiag_inode is 32 bits: a larger one is no
		 * answer we could match */
		if ((v = v * 10 + (uint64_t)(link[i] - '0')) > 0xffffffffu)
			return 0;
	}
	return (uint32_t)v;
}

int
procinfo_passwd_line(const char *line, size_t len, uint32_t *uid,
    char *name, size_t namesz)
{
	const char *c1, *c2, *end = line + len;
	uint64_t v = 0;
	const char *p;
	size_t n;

	if (namesz == 0 || (c1 = memchr(line, ':', len)) == NULL ||
	    c1 == line || (c2 = memchr(c1 + 1, ':', (size_t)(end - c1 - 1)))
	    == NULL)
		return 0;
	/* NIS "+" / "-" compat lines name no user of their own */
	if (line[0] == '+' || line[0] == '-' || line[0] == '#')
		return 0;
	for (p = c2 + 1; p < end && *p != ':'; p++) {
		if (*p < '0' || *p > '9' ||
		    (v = v * 10 + (uint64_t)(*p - '0')) > 0xffffffffu)
			return 0;
	}
	if (p == c2 + 1 || p == end)
		return 0;	/* no uid, or no field after it */
	n = MIN((size_t)(c1 - line), namesz - 1);
	memcpy(name, line, n);
	name[n] = '\0';
	*uid = (uint32_t)v;
	return 1;
}

static size_t
alen(int family)
{
	return family == AF_INET ? 4 : 16;
}

size_t
procinfo_diag_request(void *buf, size_t len, uint32_t seq, int family,
    uint8_t proto, const uint8_t *laddr, uint16_t lport,
    const uint8_t *raddr, uint16_t rport, int dump)
{
	struct inet_diag_req_v2 *r;
	struct inet_diag_bc_op bc[4];
	struct nlmsghdr *nlh;
	size_t need = MNL_NLMSG_HDRLEN + MNL_ALIGN(sizeof(*r));

	if ((family != AF_INET && family != AF_INET6) ||
	    (proto != IPPROTO_TCP && proto != IPPROTO_UDP) || len < need)
		return 0;
	memset(buf, 0, need);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	nlh->nlmsg_flags = NLM_F_REQUEST | (dump ? NLM_F_DUMP : 0);
	nlh->nlmsg_seq = seq;
	r = mnl_nlmsg_put_extra_header(nlh, sizeof(*r));
	r->sdiag_family = (uint8_t)family;
	r->sdiag_protocol = proto;
	/* A TCP dump looks for the listener of a connection being accepted
	 * (procinfo_lookup()): listeners only, not every connection of a
	 * busy port.  TCP_LISTEN is 10 in the kernel's numbering. */
	r->idiag_states = dump && proto == IPPROTO_TCP ? 1u << 10 : ~0u;
	r->id.idiag_cookie[0] = INET_DIAG_NOCOOKIE;
	r->id.idiag_cookie[1] = INET_DIAG_NOCOOKIE;
	if (dump) {
		/*
		 * local port >= lport and <= lport: S_EQ is newer (4.16),
		 * these two are in every kernel.  A condition's "no" jumps
		 * past the end (rejected: the kernel's walk must end
		 * exactly on the last byte to accept).
		 */
		memset(bc, 0, sizeof(bc));
		bc[0].code = INET_DIAG_BC_S_GE;
		bc[0].yes = sizeof(bc[0]) * 2;
		bc[0].no = sizeof(bc) + 4;
		bc[1].no = lport;
		bc[2].code = INET_DIAG_BC_S_LE;
		bc[2].yes = sizeof(bc[0]) * 2;
		bc[2].no = sizeof(bc[0]) * 2 + 4;
		bc[3].no = lport;
		return mnl_attr_put_check(nlh, len, INET_DIAG_REQ_BYTECODE,
		    sizeof(bc), bc) ? nlh->nlmsg_len : 0;
	}
	/*
	 * TCP looks the socket up with src as its local end; UDP runs the
	 * receive lookup with src as the packet's source, the remote end
	 * ("swapped for historical reasons", net/ipv4/udp_diag.c).
	 */
	if (proto == IPPROTO_UDP) {
		const uint8_t *ta = laddr;
		uint16_t tp = lport;

		laddr = raddr;
		lport = rport;
		raddr = ta;
		rport = tp;
	}
	r->id.idiag_sport = htons(lport);
	r->id.idiag_dport = htons(rport);
	memcpy(r->id.idiag_src, laddr, alen(family));
	memcpy(r->id.idiag_dst, raddr, alen(family));
	return nlh->nlmsg_len;
}

int
procinfo_diag_parse(const void *msg, size_t len, struct procinfo_sock *s,
    int *err)
{
	const struct nlmsghdr *nlh = msg;
	const struct inet_diag_msg *m;
	int rc;

	if (!nl_msg_whole(msg, len))
		return 0;
	if (nlh->nlmsg_type == NLMSG_DONE) {
		*err = 0;
		return 2;
	}
	if ((rc = nl_msg_error(msg, err)) != 0)
		return rc == 1 ? 2 : 0;
	if (nlh->nlmsg_type != SOCK_DIAG_BY_FAMILY ||
	    nlh->nlmsg_len < MNL_NLMSG_HDRLEN + sizeof(*m))
		return 0;
	m = mnl_nlmsg_get_payload(nlh);
	if (m->idiag_family != AF_INET && m->idiag_family != AF_INET6)
		return 0;
	memset(s, 0, sizeof(*s));
	s->family = m->idiag_family;
	s->state = m->idiag_state;
	s->lport = ntohs(m->id.idiag_sport);
	s->rport = ntohs(m->id.idiag_dport);
	memcpy(s->laddr, m->id.idiag_src, alen(s->family));
	memcpy(s->raddr, m->id.idiag_dst, alen(s->family));
	s->uid = m->idiag_uid;
	s->inode = m->idiag_inode;
	return 1;
}

/* ---- the rate cap ---- */

static int
allowed(struct procinfo *p, uint32_t now_s)
{
	return nl_rate_allow(&p->window, p->rate, now_s);
}

/* ---- netlink round trips ---- */

/*
 * Send p->req and call fn on every message of the answer: a dump's, until
 * NLMSG_DONE, an error or DUMP_READS datagrams, or the single answer of a
 * request without NLM_F_DUMP.  0 when the answer ended, else the kernel's
 * error (a positive errno) or -1.
 */
static int
nl_walk(struct procinfo *p, struct mnl_socket *nl, size_t reqlen,
    void (*fn)(struct procinfo *, const struct nlmsghdr *, void *),
    void *arg)
{
	int i;

	if (reqlen == 0 || mnl_socket_sendto(nl, p->req, reqlen) < 0)
		return -1;
	for (i = 0; i < DUMP_READS; i++) {
		const uint8_t *b = p->buf;
		size_t off = 0, framed;
		ssize_t n;

		n = i == 0 ? nl_sock_recv_seq(nl, p->buf, NL_BUFSZ, p->seq) :
		    mnl_socket_recvfrom(nl, p->buf, NL_BUFSZ);
		if (n <= 0) {
			if (n == -1 && errno == EINTR)
				continue;
			return -1;
		}
		framed = nl_msg_framed(b, (size_t)n);
		while (off < framed) {
			const struct nlmsghdr *nlh =
			    (const struct nlmsghdr *)(const void *)(b + off);
			int err = 0;

			off += MNL_ALIGN(nlh->nlmsg_len);
			if (nlh->nlmsg_seq != p->seq)
				continue;
			if (nlh->nlmsg_type == NLMSG_DONE)
				return 0;
			if (nl_msg_error(nlh, &err) != 0)
				return err > 0 ? err : err == 0 ? 0 : -1;
			fn(p, nlh, arg);
			if (!(nlh->nlmsg_flags & NLM_F_MULTI))
				return 0;	/* a single answer */
		}
		if (framed != (size_t)n)
			return -1;
	}
	return -1;
}

/* ---- local addresses ---- */

struct addr_attrs {
	const struct nlattr	*local;
	const struct nlattr	*address;
};

static int
addr_attr_cb(const struct nlattr *a, void *data)
{
	struct addr_attrs *at = data;

	if (mnl_attr_type_valid(a, IFA_MAX) < 0)
		return MNL_CB_OK;
	if (mnl_attr_get_type(a) == IFA_LOCAL)
		at->local = a;
	else if (mnl_attr_get_type(a) == IFA_ADDRESS)
		at->address = a;
	return MNL_CB_OK;
}

static void
addr_msg(struct procinfo *p, const struct nlmsghdr *nlh, void *arg)
{
	const struct ifaddrmsg *ifa;
	struct addr_attrs at = { NULL, NULL };
	const struct nlattr *a;
	struct laddr *l;
	size_t want;

	(void)arg;
	if (nlh->nlmsg_type != RTM_NEWADDR ||
	    nlh->nlmsg_len < MNL_NLMSG_HDRLEN + sizeof(*ifa))
		return;
	ifa = mnl_nlmsg_get_payload(nlh);
	if ((ifa->ifa_family != AF_INET && ifa->ifa_family != AF_INET6) ||
	    !nl_msg_attrs_whole(nlh, sizeof(*ifa)) ||
	    mnl_attr_parse(nlh, sizeof(*ifa), addr_attr_cb, &at) < 0)
		return;
	/* IFA_LOCAL is ours; IFA_ADDRESS is the peer on point-to-point */
	a = at.local != NULL ? at.local : at.address;
	want = alen(ifa->ifa_family);
	if (a == NULL || mnl_attr_get_payload_len(a) != want ||
	    p->naddr >= ADDR_MAX)
		return;
	l = &p->addr[p->naddr++];
	memset(l, 0, sizeof(*l));
	memcpy(l->a, mnl_attr_get_payload(a), want);
	l->ver = ifa->ifa_family == AF_INET ? 4 : 6;
}

static int
addr_load(struct procinfo *p)
{
	struct ifaddrmsg *ifa;
	struct nlmsghdr *nlh;
	int rc;

	memset(p->req, 0, sizeof(p->req));
	nlh = mnl_nlmsg_put_header(p->req);
	nlh->nlmsg_type = RTM_GETADDR;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = ++p->seq;
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = AF_UNSPEC;
	p->naddr = 0;
	rc = nl_walk(p, p->rt, nlh->nlmsg_len, addr_msg, NULL);
	p->st.addr_reloads++;
	return rc == 0 ? 0 : -1;
}

/* Any address event since the last look (or lost ones): dump again. */
static void
addr_events(struct procinfo *p)
{
	int i, changed = 0;

	for (i = 0; i < EVENT_READS; i++) {
		ssize_t n = mnl_socket_recvfrom(p->ev, p->buf, NL_BUFSZ);

		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN)
			break;
		changed = 1;
	}
	if (changed || i == EVENT_READS)
		addr_load(p);
}

static int
loopback(const uint8_t *a, int ipver)
{
	static const uint8_t lo6[16] = { [15] = 1 };

	return ipver == 4 ? a[0] == 127 : memcmp(a, lo6, 16) == 0;
}

int
procinfo_is_local(struct procinfo *p, const uint8_t *addr, int ipver,
    uint64_t now_ms)
{
	uint32_t now_s = (uint32_t)(now_ms / 1000);
	size_t n = ipver == 4 ? 4 : 16;
	unsigned i;

	if (now_s != p->ev_s) {
		p->ev_s = now_s;
		addr_events(p);
	}
	if (loopback(addr, ipver))
		return 1;
	for (i = 0; i < p->naddr; i++)
		if (p->addr[i].ver == ipver && memcmp(p->addr[i].a, addr, n)
		    == 0)
			return 1;
	return 0;
}

/* ---- the socket ---- */

struct sock_query {
	int		 family;
	uint8_t		 proto;
	const uint8_t	*laddr;
	const uint8_t	*raddr;
	uint16_t	 lport;
	uint16_t	 rport;
	int		 best;		/* dump: the best match's score */
	struct procinfo_sock	found;
};

/* How well a dumped socket fits the flow's local end: 0 not at all. */
static int
score(const struct sock_query *q, const struct procinfo_sock *s)
{
	static const uint8_t any[16];
	size_t n = alen(q->family);

	if (s->family != q->family || s->lport != q->lport)
		return 0;
	if (s->rport != 0)	/* connected: the whole tuple */
		return s->rport == q->rport && !memcmp(s->raddr, q->raddr, n)
		    && !memcmp(s->laddr, q->laddr, n) ? 3 : 0;
	if (memcmp(s->laddr, q->laddr, n) == 0)
		return 2;
	return memcmp(s->laddr, any, n) == 0 ? 1 : 0;
}

static void
sock_msg(struct procinfo *p, const struct nlmsghdr *nlh, void *arg)
{
	struct sock_query *q = arg;
	struct procinfo_sock s;
	int err, sc;

	(void)p;
	if (procinfo_diag_parse(nlh, nlh->nlmsg_len, &s, &err) != 1)
		return;
	if (!(nlh->nlmsg_flags & NLM_F_MULTI)) {
		q->found = s;		/* the exact lookup's answer */
		q->best = 4;
		return;
	}
	if ((sc = score(q, &s)) > q->best) {
		q->found = s;
		q->best = sc;
	}
}

/* 0 and q->found, ENOENT, or ASK_*. */
static int
sock_ask(struct procinfo *p, struct sock_query *q, int dump,
    uint32_t now_s)
{
	uint64_t t0;
	size_t len;
	int rc;

	if (!allowed(p, now_s))
		return ASK_LIMITED;
	len = procinfo_diag_request(p->req, sizeof(p->req), ++p->seq,
	    q->family, q->proto, q->laddr, q->lport, q->raddr, q->rport, dump);
	q->best = 0;
	t0 = clock_mono_ns();
	p->st.requests++;
	rc = nl_walk(p, p->diag, len, sock_msg, q);
	p->st.request_ns += clock_mono_ns() - t0;
	if (rc == 0)
		return q->best > 0 ? 0 : ENOENT;
	return rc == ENOENT ? ENOENT : ASK_FAILED;
}

/* ---- the process ---- */

/* 1 if pid's network namespace is ours. */
static int
same_netns(const struct procinfo *p, const char *pid)
{
	char path[32];
	struct stat st;

	snprintf(path, sizeof(path), "%s/ns/net", pid);
	return fstatat(p->procfd, path, &st, 0) == 0 &&
	    st.st_dev == p->ns_dev && st.st_ino == p->ns_ino;
}

/*
 * 1 if process pid (its /proc name) holds socket inode; *fds counts the
 * links read.  Processes of another namespace, or that we may not read,
 * hold nothing as far as we know.
 */
static int
holds(const struct procinfo *p, const char *pid, uint32_t inode,
    unsigned *fds)
{
	char path[32], link[32];
	struct dirent *de;
	int fd, found = 0;
	DIR *d;

	if (!same_netns(p, pid))
		return 0;
	snprintf(path, sizeof(path), "%s/fd", pid);
	if ((fd = openat(p->procfd, path, O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) == -1)
		return 0;
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return 0;
	}
	while (!found && *fds < SCAN_MAX_FDS && (de = readdir(d)) != NULL) {
		ssize_t n;

		if (de->d_name[0] == '.')
			continue;
		++*fds;
		n = readlinkat(dirfd(d), de->d_name, link, sizeof(link));
		found = n > 0 && (size_t)n < sizeof(link) &&
		    procinfo_socket_inode(link, (size_t)n) == inode;
	}
	closedir(d);
	return found;
}

static int
numeric(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}

/* The pid holding inode, or 0; *complete 0 if the scan was cut short. */
static uint32_t
scan(struct procinfo *p, uint32_t inode, int *complete)
{
	uint64_t t0 = clock_mono_ns();
	char name[16];
	unsigned fds = 0, i;
	uint32_t pid = 0;

	p->st.scans++;
	*complete = 1;
	for (i = 0; i < p->nrecent && pid == 0; i++) {
		snprintf(name, sizeof(name), "%u", (unsigned)p->recent[i]);
		if (holds(p, name, inode, &fds))
			pid = p->recent[i];
	}
	if (pid == 0) {
		struct dirent *de;

		rewinddir(p->proc);
		while ((de = readdir(p->proc)) != NULL) {
			if (!numeric(de->d_name))
				continue;
			if (holds(p, de->d_name, inode, &fds)) {
				pid = (uint32_t)strtoul(de->d_name, NULL, 10);
				break;
			}
			if (fds >= SCAN_MAX_FDS ||
			    clock_mono_ns() - t0 > SCAN_MAX_NS) {
				*complete = 0;
				break;
			}
		}
	}
	if (pid != 0 && (p->nrecent == 0 || p->recent[0] != pid)) {
		/* most recent first; a pid already there moves up */
		for (i = 0; i < p->nrecent && p->recent[i] != pid; i++)
			;
		if (i == p->nrecent && p->nrecent < RECENT_PIDS)
			p->nrecent++;
		if (i == RECENT_PIDS)
			i--;
		memmove(&p->recent[1], &p->recent[0], i * sizeof(p->recent[0]));
		p->recent[0] = pid;
	}
	p->st.scan_ns += clock_mono_ns() - t0;
	return pid;
}

/* /proc/PID/comm, without its newline; "" if the process is gone. */
static void
comm(const struct procinfo *p, uint32_t pid, char name[16])
{
	char path[32];
	ssize_t n = -1;
	int fd;

	snprintf(path, sizeof(path), "%u/comm", (unsigned)pid);
	if ((fd = openat(p->procfd, path, O_RDONLY | O_CLOEXEC)) != -1) {
		n = read(fd, name, 15);
		close(fd);
	}
	if (n < 0)
		n = 0;
	name[n] = '\0';
	if (n > 0 && name[n - 1] == '\n')
		name[n - 1] = '\0';
}

static void
user_of(const struct procinfo *p, uint32_t uid, char *user, size_t len)
{
	size_t i;

	for (i = 0; i < p->nusers; i++)
		if (p->users[i].uid == uid) {
			snprintf(user, len, "%s", p->users[i].name);
			return;
		}
	snprintf(user, len, "%u", (unsigned)uid);
}

/* PROCINFO_PROCESS, PROCINFO_USER (no process, or capped: counted). */
static int
owner(struct procinfo *p, uint32_t inode, uint32_t now_s,
    struct proc_owner *out)
{
	struct owner_val v;
	const void *hit;
	int complete;

	if ((hit = lcache_get(p->cache, &inode, now_s)) != NULL) {
		p->st.cached++;
		memcpy(&v, hit, sizeof(v));
	} else if (!allowed(p, now_s)) {
		p->st.capped++;
		return PROCINFO_USER;
	} else {
		memset(&v, 0, sizeof(v));
		v.pid = scan(p, inode, &complete);
		if (v.pid != 0)
			comm(p, v.pid, v.name);
		if (v.pid != 0 || complete)
			lcache_put(p->cache, &inode, &v, now_s);
	}
	if (v.pid == 0) {
		p->st.no_process++;
		return PROCINFO_USER;
	}
	out->pid = v.pid;
	memcpy(out->name, v.name, sizeof(out->name));
	p->st.answered++;
	return PROCINFO_PROCESS;
}

int
procinfo_lookup(struct procinfo *p, const struct flow_key *k,
    int local_side, uint64_t now_ms, struct proc_owner *out)
{
	uint32_t now_s = (uint32_t)(now_ms / 1000);
	struct sock_query q;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((local_side != PROCINFO_SIDE_SRC &&
	    local_side != PROCINFO_SIDE_DST) ||
	    (k->proto != IPPROTO_TCP && k->proto != IPPROTO_UDP) ||
	    (k->ipver != 4 && k->ipver != 6))
		return PROCINFO_NONE;
	p->st.asked++;
	memset(&q, 0, sizeof(q));
	q.family = k->ipver == 4 ? AF_INET : AF_INET6;
	q.proto = k->proto;
	if (local_side == PROCINFO_SIDE_SRC) {
		q.laddr = k->src;
		q.lport = k->sport;
		q.raddr = k->dst;
		q.rport = k->dport;
	} else {
		q.laddr = k->dst;
		q.lport = k->dport;
		q.raddr = k->src;
		q.rport = k->sport;
	}
	rc = sock_ask(p, &q, 0, now_s);
	if (rc == ENOENT && q.proto == IPPROTO_UDP)
		rc = sock_ask(p, &q, 1, now_s);
	/*
	 * A connection to a listening port with no owner to find: its
	 * first packets are captured before the stack has made its socket,
	 * or while it is a request socket (SYN_RECV), or it was over before
	 * we asked (a server closes first, TIME_WAIT): the process is its
	 * listener's, the one that accepts.  A client's closed connection
	 * has no listener, and stays unattributed.
	 */
	if (q.proto == IPPROTO_TCP && (rc == ENOENT || (rc == 0 &&
	    q.found.inode == 0)))
		rc = sock_ask(p, &q, 1, now_s);
	if (rc == 0 && q.found.inode == 0)
		rc = ENOENT;	/* TIME_WAIT: nobody owns it now */
	if (rc != 0) {
		if (rc == ASK_LIMITED)
			p->st.capped++;
		else if (rc == ENOENT)
			p->st.no_socket++;
		else
			p->st.errors++;
		return PROCINFO_NONE;
	}
	out->uid = q.found.uid;
	user_of(p, out->uid, out->user, sizeof(out->user));
	return owner(p, q.found.inode, now_s, out);
}

/* ---- open and close ---- */

/* Lines in f, at most USERS_MAX; f is rewound. */
static size_t
count_lines(FILE *f)
{
	char line[512];
	size_t n = 0;

	while (n < USERS_MAX && fgets(line, sizeof(line), f) != NULL)
		n++;
	rewind(f);
	return n;
}

/* /etc/passwd into p->users: counted first, so the table fits it. */
static void
users_load(struct procinfo *p)
{
	char line[512], name[32];
	uint32_t uid;
	size_t n;
	FILE *f;

	if ((f = fopen("/etc/passwd", "r")) == NULL)
		return;
	n = count_lines(f);
	if (n != 0)
		p->users = mem_alloc(n * sizeof(*p->users),
		    "--process: user names");
	while (p->users != NULL && p->nusers < n &&
	    fgets(line, sizeof(line), f) != NULL) {
		if (procinfo_passwd_line(line, strcspn(line, "\n"), &uid,
		    name, sizeof(name))) {
			p->users[p->nusers].uid = uid;
			memcpy(p->users[p->nusers].name, name, sizeof(name));
			p->nusers++;
		}
	}
	fclose(f);
}

size_t
procinfo_bytes(size_t cache_entries)
{
	return sizeof(struct procinfo) + NL_BUFSZ +
	    lcache_bytes(cache_entries, sizeof(uint32_t),
	    sizeof(struct owner_val));
}

struct procinfo *
procinfo_open(unsigned rate_per_s, size_t cache_entries, char *err,
    size_t errlen)
{
	struct procinfo *p;
	struct stat st;

	if ((p = mem_alloc(sizeof(*p), "--process state")) == NULL) {
		snprintf(err, errlen, "--process: no room in -M");
		return NULL;
	}
	p->procfd = -1;
	p->rate = rate_per_s;
	p->seq = (uint32_t)time(NULL);
	if ((p->buf = mem_alloc(NL_BUFSZ, "--process: netlink answers"))
	    == NULL || (p->cache = lcache_new(cache_entries != 0 ?
	    cache_entries : 1, sizeof(uint32_t), sizeof(struct owner_val),
	    CACHE_TTL_S, "--process: socket owner cache")) == NULL) {
		snprintf(err, errlen, "--process: no room for %zu bytes in -M",
		    procinfo_bytes(cache_entries));
		goto fail;
	}
	if ((p->diag = nl_sock_open(NETLINK_SOCK_DIAG, 0)) == NULL) {
		util_errmsg(err, errlen, "--process: sock_diag socket (the "
		    "kernel needs CONFIG_INET_DIAG, inet_diag and udp_diag)");
		goto fail;
	}
	if ((p->rt = nl_sock_open(NETLINK_ROUTE, 0)) == NULL ||
	    (p->ev = nl_sock_open(NETLINK_ROUTE, RTMGRP_IPV4_IFADDR |
	    RTMGRP_IPV6_IFADDR)) == NULL) {
		util_errmsg(err, errlen, "--process: route socket");
		goto fail;
	}
	if (addr_load(p) == -1) {
		snprintf(err, errlen, "--process: the kernel did not list the "
		    "host's addresses");
		goto fail;
	}
	if ((p->procfd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC))
	    == -1 || fstatat(p->procfd, "self/ns/net", &st, 0) == -1) {
		util_errmsg(err, errlen, "--process: /proc/self/ns/net");
		goto fail;
	}
	p->ns_dev = st.st_dev;
	p->ns_ino = st.st_ino;
	/* its own descriptor: p->procfd stays for openat() */
	if ((p->proc = opendir("/proc")) == NULL) {
		util_errmsg(err, errlen, "--process: /proc");
		goto fail;
	}
	users_load(p);
	return p;
fail:
	procinfo_close(p);
	return NULL;
}

void
procinfo_stats(const struct procinfo *p, struct procinfo_stats *st)
{
	*st = p->st;
}

void
procinfo_close(struct procinfo *p)
{
	if (p == NULL)
		return;
	if (p->diag != NULL)
		mnl_socket_close(p->diag);
	if (p->rt != NULL)
		mnl_socket_close(p->rt);
	if (p->ev != NULL)
		mnl_socket_close(p->ev);
	if (p->proc != NULL)
		closedir(p->proc);
	if (p->procfd != -1)
		close(p->procfd);
	lcache_free(p->cache);
	mem_free(p->users);
	mem_free(p->buf);
	mem_free(p);
}
