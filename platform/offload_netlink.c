/*
 * --offload-flows over ctnetlink with libmnl (NETLINK=mnl).
 *
 * Conntrack counts every packet of a connection, the ones the flowtable
 * forwards included (nf_conntrack_acct=1).  Every interval (the active
 * timeout) the whole IPv4 table is dumped; an entry whose status says
 * offloaded (IPS_HW_OFFLOAD, or with OFFLOAD_ALL also IPS_OFFLOAD) is
 * tracked in a fixed table of SLOTS by CTA_ID, which remembers what was
 * reported so far; each dump reports the difference.  Once tracked, an
 * entry is reported until it ends, also after it left the flowtable (its
 * last packets, often a TCP FIN exchange, then pass the CPU and may be
 * captured too).  Destroy events (NFNLGRP_CONNTRACK_DESTROY, with the
 * final counters) report the rest at once.
 *
 * Why not IPCTNL_MSG_CT_GET_CTRZERO, which reads and zeroes the counters
 * so that every dump gives deltas with no table: the counters are shared;
 * "conntrack -L", nftables "ct bytes" rules and nlbwmon on OpenWrt would
 * all see them zeroed.  A remembered value costs 56 bytes a connection.
 *
 * Bounded work: a dump is read DUMP_READS datagrams a tick at most (the
 * kernel keeps its place between reads), events EVENT_READS a call; a
 * call stops early when out is full and goes on where it stopped.
 */
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nfnetlink.h>
#include <sys/socket.h>

#include <errno.h>
#include <libmnl/libmnl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "mem.h"
#include "nl_ct.h"
#include "nl_msg.h"
#include "nl_sock.h"
#include "offload.h"
#include "util.h"

#define SLOTS		2048	/* a power of two */
#define PROBES		16	/* linear probing, at most */
#define DUMP_READS	64	/* dump datagrams read a tick */
#define EVENT_READS	64	/* event datagrams read a call */
#define ACCT_SYSCTL	"/proc/sys/net/netfilter/nf_conntrack_acct"

enum { FREE = 0, LIVE, DEAD };

/*
 * A tracked connection.  DEAD: destroyed during this or the last dump
 * pass; kept so that an older copy still queued in the dump is not taken
 * for a new connection and reported twice.
 */
struct slot {
	uint64_t	packets[2];	/* reported so far, per direction */
	uint64_t	bytes[2];
	uint64_t	since_ms;	/* when the last report ended */
	uint32_t	id;		/* CTA_ID */
	uint32_t	gen;		/* dump pass that last saw it */
	uint8_t		state;
	uint8_t		pad[7];
};

/* Received bytes not yet walked: a call may stop between messages. */
struct pending {
	uint8_t		*buf;
	size_t		 len;
	size_t		 off;
};

struct offload {
	struct offload_cfg	 cfg;
	struct mnl_socket	*dump;
	struct mnl_socket	*ev;
	struct slot		*slot;
	struct pending		 dp, ep;	/* dump, events */
	uint32_t		 gen;		/* current dump pass */
	uint32_t		 seq;
	int			 dumping;
	int			 final_pass;	/* offload_final() started it */
	uint64_t		 next_dump_ms;
	uint64_t		 pass_ms;	/* start of the current pass */
	uint64_t		 prev_pass_ms;	/* ... of the one before */
	struct offload_stats	 st;
};

static struct slot *
find(struct offload *o, uint32_t id, int insert)
{
	struct slot *room = NULL;
	uint32_t h = (id * 2654435761u) & (SLOTS - 1);
	unsigned i;

	for (i = 0; i < PROBES; i++) {
		struct slot *s = &o->slot[(h + i) & (SLOTS - 1)];

		if (s->state != FREE && s->id == id)
			return s;
		if (s->state == FREE && room == NULL)
			room = s;
	}
	if (!insert || room == NULL)
		return NULL;
	memset(room, 0, sizeof(*room));
	room->id = id;
	room->state = LIVE;
	room->since_ms = o->prev_pass_ms;
	o->st.tracked++;
	return room;
}

/*
 * Free a slot.  Lookups probe over free slots, so an entry past it in the
 * same run would no longer be found: re-place those (backward shift).
 */
static void
release(struct offload *o, struct slot *s)
{
	size_t i = (size_t)(s - o->slot), j = i;

	s->state = FREE;
	o->st.tracked--;
	for (;;) {
		struct slot *t;
		size_t h;

		j = (j + 1) & (SLOTS - 1);
		t = &o->slot[j];
		if (t->state == FREE)
			return;
		h = (t->id * 2654435761u) & (SLOTS - 1);
		/* t may move to i if i lies between its home h and j. */
		if (((j - h) & (SLOTS - 1)) >= ((j - i) & (SLOTS - 1))) {
			o->slot[i] = *t;
			t->state = FREE;
			i = j;
		}
	}
}

static int
offloaded(const struct offload *o, uint32_t status)
{
	uint32_t want = IPS_HW_OFFLOAD;

	if (o->cfg.mode == OFFLOAD_ANY)
		return 1;
	if (o->cfg.mode == OFFLOAD_ALL)
		want |= IPS_OFFLOAD;
	return (status & want) != 0;
}

static void
key_of(const struct nl_ct_tuple *t, struct flow_key *k)
{
	memset(k, 0, sizeof(*k));
	memcpy(k->src, t->src, 4);
	memcpy(k->dst, t->dst, 4);
	k->sport = t->sport;
	k->dport = t->dport;
	k->proto = t->proto;
	k->ipver = 4;
}

/*
 * Records for what e counted since s last reported, per direction with
 * packets.  A counter lower than reported means someone zeroed them
 * (conntrack -L -z): all of it is new then.
 */
static size_t
report(struct offload *o, struct slot *s, const struct nl_ct_entry *e,
    uint64_t now_ms, struct flow_rec *out)
{
	size_t n = 0;
	int d;

	for (d = NL_CT_ORIG; d <= NL_CT_REPLY; d++) {
		struct flow_rec *r = &out[n];
		uint64_t p = e->packets[d], b = e->bytes[d];

		if (p >= s->packets[d] && b >= s->bytes[d]) {
			p -= s->packets[d];
			b -= s->bytes[d];
		}
		s->packets[d] = e->packets[d];
		s->bytes[d] = e->bytes[d];
		if (p == 0)
			continue;
		memset(r, 0, sizeof(*r));
		key_of(d == NL_CT_ORIG ? &e->ct.orig : &e->ct.reply, &r->key);
		r->packets = p;
		r->bytes = b;
		r->first_ms = s->since_ms < now_ms ? s->since_ms : now_ms;
		r->last_ms = now_ms;
		r->end = e->destroyed ? FLOW_END_IDLE : FLOW_END_ACTIVE;
		n++;
	}
	s->since_ms = now_ms;
	o->st.records += n;
	return n;
}

/* One entry from a dump or an event: 0-2 records into out. */
static size_t
entry(struct offload *o, const struct nl_ct_entry *e, uint64_t now_ms,
    struct flow_rec *out)
{
	struct slot *s = find(o, e->id, 0);
	int off = offloaded(o, e->status);
	size_t n;

	if (!e->destroyed)
		o->st.entries++;
	if (s == NULL && !off)
		return 0;
	if (!e->counters) {
		o->st.no_counters++;
		return 0;
	}
	if (s != NULL && s->state == DEAD)
		return 0;	/* an older copy of an ended connection */
	if (s == NULL && (s = find(o, e->id, 1)) == NULL) {
		o->st.table_full++;
		return 0;
	}
	s->gen = o->gen;
	n = report(o, s, e, now_ms, out);
	if (e->destroyed) {
		o->st.destroyed++;
		s->state = DEAD;
	} else
		o->st.offloaded++;
	return n;
}

/* A pass ended: forget the dead, and the live it no longer saw. */
static void
sweep(struct offload *o)
{
	size_t i;

	for (i = 0; i < SLOTS; i++) {
		struct slot *s = &o->slot[i];

		if (s->state == FREE || s->gen == o->gen ||
		    (s->state == DEAD && s->gen + 1 == o->gen))
			continue;
		if (s->state == LIVE)
			o->st.vanished++;
		release(o, s);
		i--;	/* a shifted entry may now sit here */
	}
}

/*
 * Walk the messages in p from where the last call stopped, while out has
 * room for two records.  Returns the records made; *done is set to 1 at
 * the end of a dump, 2 when the kernel refused it.
 */
static size_t
walk(struct offload *o, struct pending *p, uint64_t now_ms,
    struct flow_rec *out, size_t max, int *done)
{
	size_t n = 0;

	while (p->off < p->len && n + 2 <= max) {
		const struct nlmsghdr *nlh =
		    (const struct nlmsghdr *)(p->buf + p->off);
		size_t left = p->len - p->off;
		struct nl_ct_entry e;
		int err = 0, rc;

		rc = nl_ct_parse_entry(nlh, left, &e, &err);
		if (rc == -1) {
			o->st.malformed++;
			p->off = p->len;	/* the rest cannot be framed */
			break;
		}
		p->off += MNL_ALIGN(nlh->nlmsg_len);
		if (rc == 1)
			n += entry(o, &e, now_ms, out + n);
		else if (rc == 2 || rc == 3) {
			if (rc == 2)
				o->st.errors++;
			*done = rc == 3 ? 1 : 2;
		}
	}
	return n;
}

/* Read up to reads datagrams from nl while out has room; 0 on EAGAIN. */
static size_t
drain(struct offload *o, struct mnl_socket *nl, struct pending *p,
    unsigned reads, uint64_t now_ms, struct flow_rec *out, size_t max,
    int *done)
{
	size_t n = walk(o, p, now_ms, out, max, done);
	unsigned i;

	for (i = 0; i < reads && p->off == p->len && n + 2 <= max &&
	    !*done; i++) {
		ssize_t r = mnl_socket_recvfrom(nl, p->buf, MNL_SOCKET_BUFFER_SIZE);

		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1 && errno == ENOBUFS) {
			o->st.lost_events++;
			continue;
		}
		if (r <= 0)
			break;
		p->len = (size_t)r;
		p->off = 0;
		n += walk(o, p, now_ms, out + n, max - n, done);
	}
	return n;
}

size_t
offload_events(struct offload *o, uint64_t now_ms, struct flow_rec *out,
    size_t max)
{
	int done = 0;	/* events never end */

	return drain(o, o->ev, &o->ep, EVENT_READS, now_ms, out, max, &done);
}

static void
start_dump(struct offload *o, uint64_t now_ms)
{
	uint8_t req[64];
	size_t len = nl_ct_dump_request(req, sizeof(req), ++o->seq);

	o->next_dump_ms = now_ms + o->cfg.interval_ms;
	if (o->dumping) {
		o->st.late++;
		return;
	}
	if (mnl_socket_sendto(o->dump, req, len) < 0) {
		o->st.errors++;
		return;
	}
	o->dumping = 1;
	o->gen++;
	/* The first pass: what it finds began at most now (coarse). */
	o->prev_pass_ms = o->pass_ms != 0 ? o->pass_ms : now_ms;
	o->pass_ms = now_ms;
	o->dp.len = o->dp.off = 0;
}

size_t
offload_tick(struct offload *o, uint64_t now_ms, struct flow_rec *out,
    size_t max)
{
	size_t n = 0;
	int done = 0;

	if (now_ms >= o->next_dump_ms)
		start_dump(o, now_ms);
	if (!o->dumping)
		return 0;
	n = drain(o, o->dump, &o->dp, DUMP_READS, now_ms, out, max, &done);
	if (done != 0) {
		o->dumping = 0;
		/* Only a whole pass tells which entries are gone. */
		if (done == 1) {
			o->st.dumps++;
			sweep(o);
		}
	}
	return n;
}

size_t
offload_final(struct offload *o, uint64_t now_ms, struct flow_rec *out,
    size_t max, int *more)
{
	size_t n;

	if (!o->dumping && !o->final_pass) {
		o->final_pass = 1;
		o->next_dump_ms = 0;
	}
	n = offload_tick(o, now_ms, out, max);
	*more = o->dumping || !o->final_pass;
	return n;
}

/*
 * Without nf_conntrack_acct=1 the kernel counts nothing: say so at start.
 * No such file: conntrack is not loaded (yet); the question below tells.
 */
static int
check_acct(char *err, size_t errlen)
{
	FILE *f = fopen(ACCT_SYSCTL, "r");
	int c;

	if (f == NULL)
		return 0;
	c = fgetc(f);
	fclose(f);
	if (c != '0')
		return 0;
	snprintf(err, errlen, "--offload-flows: conntrack does not count "
	    "packets: set net.netfilter.nf_conntrack_acct=1 (it counts "
	    "connections made after that)");
	return -1;
}

static int
open_sockets(struct offload *o, char *err, size_t errlen)
{
	o->dump = nl_sock_open(NETLINK_NETFILTER, 0);
	if (o->dump == NULL) {
		snprintf(err, errlen, "--offload-flows: netfilter netlink "
		    "socket: %s (the kernel needs nfnetlink and conntrack)",
		    strerror(errno));
		return -1;
	}
	if (check_acct(err, errlen) == -1 ||
	    nl_ct_check(o->dump, &o->seq, o->dp.buf,
	    MNL_SOCKET_BUFFER_SIZE, "--offload-flows", err, errlen) == -1)
		return -1;
	o->ev = nl_sock_open(NETLINK_NETFILTER,
	    1u << (NFNLGRP_CONNTRACK_DESTROY - 1));
	if (o->ev == NULL) {
		util_errmsg(err, errlen, "--offload-flows: conntrack destroy "
		    "events");
		return -1;
	}
	return 0;
}

struct offload *
offload_open(const struct offload_cfg *cfg, char *err, size_t errlen)
{
	struct offload *o;

	if ((o = mem_alloc(sizeof(*o), "offload state")) == NULL) {
		snprintf(err, errlen, "--offload-flows: no room in -M");
		return NULL;
	}
	memset(o, 0, sizeof(*o));
	o->cfg = *cfg;
	o->seq = (uint32_t)time(NULL);
	o->st.slots = SLOTS;
	o->slot = mem_alloc(SLOTS * sizeof(struct slot), "offload table");
	o->dp.buf = mem_alloc(MNL_SOCKET_BUFFER_SIZE, "offload dump buffer");
	o->ep.buf = mem_alloc(MNL_SOCKET_BUFFER_SIZE, "offload event buffer");
	if (o->slot == NULL || o->dp.buf == NULL || o->ep.buf == NULL) {
		snprintf(err, errlen, "--offload-flows: no room for its %zu-"
		    "byte table and buffers in -M", SLOTS *
		    sizeof(struct slot) + 2 * (size_t)MNL_SOCKET_BUFFER_SIZE);
		goto fail;
	}
	memset(o->slot, 0, SLOTS * sizeof(struct slot));
	if (open_sockets(o, err, errlen) == -1)
		goto fail;
	return o;
fail:
	offload_close(o);
	return NULL;
}

int
offload_fd(const struct offload *o)
{
	return mnl_socket_get_fd(o->ev);
}

void
offload_stats(const struct offload *o, struct offload_stats *st)
{
	*st = o->st;
}

void
offload_close(struct offload *o)
{
	if (o == NULL)
		return;
	if (o->dump != NULL)
		mnl_socket_close(o->dump);
	if (o->ev != NULL)
		mnl_socket_close(o->ev);
	mem_free(o->slot);
	mem_free(o->dp.buf);
	mem_free(o->ep.buf);
	mem_free(o);
}
