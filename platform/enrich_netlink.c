/*
 * Enrichment over netlink with libmnl (NETLINK=mnl): the kernel's own
 * answers, asked at export time.
 *
 * --egress: RTM_GETROUTE for the flow's destination, with its source and
 * ingress interface, as "ip route get DST from SRC iif IF" does, so policy
 * routing is honoured: the kernel decides.  If the kernel refuses that
 * question (EINVAL: a martian; EXDEV: reverse-path filtering), it is asked
 * again with the destination alone.  The answer is the route at export
 * time, not at packet time; it is cached per (destination, source,
 * interface) for ROUTE_TTL_S, and the cache is emptied when routes or
 * rules change (RTMGRP_IPV4/IPV6_ROUTE, RTNLGRP_IPV4/IPV6_RULE events on a
 * second socket, read at most once a second) or events were lost.
 *
 * --nat: IPCTNL_MSG_CT_GET with the flow's tuple as the original
 * direction, then as the reply direction; cached per tuple for NAT_TTL_S
 * (a connection's translation is fixed for its life; the time bounds how
 * long a re-created connection can be answered for with the old one).
 *
 * Every request counts against max_lookups a second (a window of one
 * probe-clock second); beyond it a record goes out with 0s, counted, so
 * a flood of new flows cannot turn export into a storm of system calls.
 * Requests are answered synchronously by the kernel, so the sockets are
 * non-blocking and a missing answer is a counted failure, never a wait.
 */
#include <linux/netfilter/nfnetlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <errno.h>
#include <libmnl/libmnl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "enrich.h"
#include "lcache.h"
#include "mem.h"
#include "nl_ct.h"
#include "nl_msg.h"
#include "nl_sock.h"
#include "nl_route.h"
#include "util.h"

#define ROUTE_SLOTS	1024	/* 64 bytes a slot */
#define ROUTE_TTL_S	60
#define NAT_SLOTS	1024	/* 44 bytes a slot */
#define NAT_TTL_S	10
#define EVENT_READS	64	/* event datagrams read a second, at most */

#define ASK_LIMITED	(-1)	/* over max_lookups: not asked */
#define ASK_FAILED	(-2)	/* no usable answer */

/* A cached NAT answer: whether the tuple is translated, and to what. */
struct nat_val {
	struct nl_ct_tuple	post;
	uint8_t			xlated;
	uint8_t			pad[3];
};

struct enrich {
	struct enrich_cfg	 cfg;
	struct mnl_socket	*rt;		/* route questions */
	struct mnl_socket	*ev;		/* route and rule events */
	struct mnl_socket	*ct;		/* conntrack questions */
	struct lcache		*routes;
	struct lcache		*nat;
	uint8_t			*buf;		/* answers and events */
	size_t			 bufsz;
	uint8_t			 req[128];	/* one request */
	uint32_t		 seq;
	struct nl_rate		 rate;		/* requests a second */
	uint32_t		 ev_s;		/* second events were read */
	struct enrich_stats	 st;
};

static int
allowed(struct enrich *e, uint32_t now_s)
{
	return nl_rate_allow(&e->rate, e->cfg.max_lookups, now_s);
}

/*
 * Send the request in e->req and read its answer into e->buf.  Answers to
 * earlier requests that were given up on are skipped by sequence number.
 * Returns the answer's length (one message), or -1.
 */
static ssize_t
ask(struct enrich *e, struct mnl_socket *nl, size_t reqlen,
    struct enrich_count *c)
{
	uint64_t t0 = clock_mono_ns();
	ssize_t n = -1;

	c->queries++;
	if (reqlen != 0 && mnl_socket_sendto(nl, e->req, reqlen) >= 0)
		n = nl_sock_recv_seq(nl, e->buf, e->bufsz, e->seq);
	c->query_ns += clock_mono_ns() - t0;
	return n;
}

/*
 * A parser's result (1 an answer, 2 an error answer, else nothing usable)
 * as the askers return it: 0, the kernel's errno, or ASK_FAILED.  Call the
 * parser first: it sets err, and argument order is unspecified.
 */
static int
verdict(int parsed, int err)
{
	if (parsed == 1)
		return 0;
	return parsed == 2 && err != 0 ? err : ASK_FAILED;
}

/* 0 and *oif, a kernel error (a positive errno), or ASK_*. */
static int
route_ask(struct enrich *e, const struct nl_route_query *q, uint32_t now_s,
    uint32_t *oif)
{
	struct nl_route r;
	ssize_t n;
	int err = 0, rc;

	if (!allowed(e, now_s))
		return ASK_LIMITED;
	n = ask(e, e->rt, nl_route_request(e->req, sizeof(e->req), ++e->seq,
	    q), &e->st.egress);
	if (n == -1)
		return ASK_FAILED;
	rc = nl_route_parse(e->buf, (size_t)n, &r, &err);
	if ((rc = verdict(rc, err)) == 0)
		*oif = nl_route_egress(&r);
	return rc;
}

/* The interface to export, or -1 when there is no answer to cache. */
static int64_t
route_lookup(struct enrich *e, const struct nl_route_query *q,
    uint32_t now_s)
{
	struct nl_route_query alone;
	uint32_t oif = 0;
	int rc;

	rc = route_ask(e, q, now_s, &oif);
	if (q->iif != 0 && (rc == EINVAL || rc == EXDEV)) {
		memset(&alone, 0, sizeof(alone));
		alone.family = q->family;
		memcpy(alone.dst, q->dst, sizeof(alone.dst));
		rc = route_ask(e, &alone, now_s, &oif);
	}
	if (rc == ASK_LIMITED)
		e->st.egress.limited++;
	else if (rc == ASK_FAILED)
		e->st.egress.failed++;
	else if (rc > 0)
		oif = 0;	/* unreachable, prohibited: no interface */
	return rc < 0 ? -1 : (int64_t)oif;
}

static void
egress(struct enrich *e, struct flow_rec *r, uint32_t now_s)
{
	const struct flow_key *k = &r->key;
	struct nl_route_query q;
	const void *hit;
	uint32_t oif;
	int64_t v;

	memset(&q, 0, sizeof(q));
	q.family = k->ipver == 6 ? AF_INET6 : AF_INET;
	q.iif = k->ifindex;
	memcpy(q.dst, k->dst, sizeof(q.dst));
	if (q.iif != 0)
		memcpy(q.src, k->src, sizeof(q.src));
	e->st.egress.records++;
	if ((hit = lcache_get(e->routes, &q, now_s)) != NULL) {
		e->st.egress.cached++;
		memcpy(&oif, hit, sizeof(oif));
	} else if ((v = route_lookup(e, &q, now_s)) == -1)
		return;
	else {
		oif = (uint32_t)v;
		lcache_put(e->routes, &q, &oif, now_s);
	}
	if (oif == 0)
		return;
	r->enr.out_ifindex = oif;
	r->enr.flags |= FLOW_ENR_EGRESS;
	e->st.egress.found++;
}

/* 0 and *ct, a kernel error (ENOENT: no such connection), or ASK_*. */
static int
ct_ask(struct enrich *e, const struct nl_ct_tuple *t, int dir,
    uint32_t now_s, struct nl_ct *ct)
{
	ssize_t n;
	int err = 0, rc;

	if (!allowed(e, now_s))
		return ASK_LIMITED;
	n = ask(e, e->ct, nl_ct_request(e->req, sizeof(e->req), ++e->seq, t,
	    dir), &e->st.nat);
	if (n == -1)
		return ASK_FAILED;
	rc = nl_ct_parse(e->buf, (size_t)n, ct, &err);
	return verdict(rc, err);
}

/* 0 and *v, or -1 when there is no answer to cache. */
static int
nat_lookup(struct enrich *e, const struct nl_ct_tuple *t, uint32_t now_s,
    struct nat_val *v)
{
	struct nl_ct ct;
	int rc;

	memset(v, 0, sizeof(*v));
	rc = ct_ask(e, t, NL_CT_ORIG, now_s, &ct);
	if (rc == ENOENT)
		rc = ct_ask(e, t, NL_CT_REPLY, now_s, &ct);
	if (rc == 0)
		v->xlated = (uint8_t)nl_ct_xlate(&ct, t, &v->post);
	if (rc == 0 || rc == ENOENT)
		return 0;
	if (rc == ASK_LIMITED)
		e->st.nat.limited++;
	else
		e->st.nat.failed++;
	return -1;
}

static void
nat(struct enrich *e, struct flow_rec *r, uint32_t now_s)
{
	const struct flow_key *k = &r->key;
	struct nl_ct_tuple t;
	struct nat_val v;
	const void *hit;

	if (k->ipver != 4 || !nl_ct_askable(k->proto))
		return;
	memset(&t, 0, sizeof(t));
	memcpy(t.src, k->src, 4);
	memcpy(t.dst, k->dst, 4);
	t.sport = k->sport;
	t.dport = k->dport;
	t.proto = k->proto;
	e->st.nat.records++;
	if ((hit = lcache_get(e->nat, &t, now_s)) != NULL) {
		e->st.nat.cached++;
		memcpy(&v, hit, sizeof(v));
	} else if (nat_lookup(e, &t, now_s, &v) == -1)
		return;
	else
		lcache_put(e->nat, &t, &v, now_s);
	if (!v.xlated)
		return;
	memcpy(r->enr.nat_src, v.post.src, 4);
	memcpy(r->enr.nat_dst, v.post.dst, 4);
	r->enr.nat_sport = v.post.sport;
	r->enr.nat_dport = v.post.dport;
	r->enr.flags |= FLOW_ENR_NAT;
	e->st.nat.found++;
}

/*
 * Route or rule events since the last look: any at all empties the route
 * cache (which route changed matters less than being right), and so does
 * a lost event (ENOBUFS) or more events than one look reads.
 */
static void
read_events(struct enrich *e)
{
	int i, changed = 0;

	for (i = 0; i < EVENT_READS; i++) {
		ssize_t n = mnl_socket_recvfrom(e->ev, e->buf, e->bufsz);

		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN)
			break;
		changed = 1;
	}
	if (!changed && i < EVENT_READS)
		return;
	lcache_flush(e->routes);
	e->st.route_flushes++;
}

void
enrich_flow(struct enrich *e, struct flow_rec *r, uint64_t now_ms)
{
	uint32_t now_s = (uint32_t)(now_ms / 1000);

	if (r->key.direction != 0)
		return;		/* already past routing and NAT */
	if (e->ev != NULL && now_s != e->ev_s) {
		e->ev_s = now_s;
		read_events(e);
	}
	if (e->cfg.egress)
		egress(e, r, now_s);
	if (e->cfg.nat)
		nat(e, r, now_s);
}

static int
open_egress(struct enrich *e, char *err, size_t errlen)
{
	int g;

	e->rt = nl_sock_open(NETLINK_ROUTE, 0);
	e->ev = nl_sock_open(NETLINK_ROUTE, RTMGRP_IPV4_ROUTE | RTMGRP_IPV6_ROUTE);
	if (e->rt == NULL || e->ev == NULL) {
		util_errmsg(err, errlen, "--egress: route socket");
		return -1;
	}
	/* Policy rules decide routes too; their groups are past bit 31. */
	g = RTNLGRP_IPV4_RULE;
	mnl_socket_setsockopt(e->ev, NETLINK_ADD_MEMBERSHIP, &g, sizeof(g));
	g = RTNLGRP_IPV6_RULE;
	mnl_socket_setsockopt(e->ev, NETLINK_ADD_MEMBERSHIP, &g, sizeof(g));
	e->routes = lcache_new(ROUTE_SLOTS, sizeof(struct nl_route_query),
	    sizeof(uint32_t), ROUTE_TTL_S, "route cache");
	if (e->routes == NULL) {
		snprintf(err, errlen, "--egress: no room for a %zu-byte route "
		    "cache in -M", lcache_bytes(ROUTE_SLOTS,
		    sizeof(struct nl_route_query), sizeof(uint32_t)));
		return -1;
	}
	return 0;
}

static int
open_nat(struct enrich *e, char *err, size_t errlen)
{
	e->ct = nl_sock_open(NETLINK_NETFILTER, 0);
	if (e->ct == NULL) {
		snprintf(err, errlen, "--nat: netfilter netlink socket: %s "
		    "(the kernel needs nfnetlink and conntrack)",
		    strerror(errno));
		return -1;
	}
	e->nat = lcache_new(NAT_SLOTS, sizeof(struct nl_ct_tuple),
	    sizeof(struct nat_val), NAT_TTL_S, "NAT cache");
	if (e->nat == NULL) {
		snprintf(err, errlen, "--nat: no room for a %zu-byte NAT cache "
		    "in -M", lcache_bytes(NAT_SLOTS,
		    sizeof(struct nl_ct_tuple), sizeof(struct nat_val)));
		return -1;
	}
	return nl_ct_check(e->ct, &e->seq, e->buf, e->bufsz, "--nat", err,
	    errlen);
}

struct enrich *
enrich_open(const struct enrich_cfg *cfg, char *err, size_t errlen)
{
	struct enrich *e;

	if ((e = mem_alloc(sizeof(*e), "egress/NAT state")) == NULL) {
		snprintf(err, errlen, "--egress/--nat: no room in -M");
		return NULL;
	}
	e->cfg = *cfg;
	e->bufsz = (size_t)MNL_SOCKET_BUFFER_SIZE;
	e->seq = (uint32_t)time(NULL);
	if ((e->buf = mem_alloc(e->bufsz, "netlink answers")) == NULL) {
		snprintf(err, errlen, "--egress/--nat: no room for a %zu-byte "
		    "buffer in -M", e->bufsz);
		goto fail;
	}
	if ((cfg->egress && open_egress(e, err, errlen) == -1) ||
	    (cfg->nat && open_nat(e, err, errlen) == -1))
		goto fail;
	return e;
fail:
	enrich_close(e);
	return NULL;
}

void
enrich_stats(const struct enrich *e, struct enrich_stats *st)
{
	*st = e->st;
}

void
enrich_close(struct enrich *e)
{
	if (e == NULL)
		return;
	if (e->rt != NULL)
		mnl_socket_close(e->rt);
	if (e->ev != NULL)
		mnl_socket_close(e->ev);
	if (e->ct != NULL)
		mnl_socket_close(e->ct);
	lcache_free(e->routes);
	lcache_free(e->nat);
	mem_free(e->buf);
	mem_free(e);
}
