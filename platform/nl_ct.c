/*
 * ctnetlink messages: struct nfgenmsg, then nested attributes.  A tuple
 * is CTA_TUPLE_IP { CTA_IP_V4_SRC, CTA_IP_V4_DST } and CTA_TUPLE_PROTO
 * { CTA_PROTO_NUM, CTA_PROTO_SRC_PORT, CTA_PROTO_DST_PORT }; addresses and
 * ports are in network byte order.  Dumps and events (for
 * --offload-flows) add CTA_ID, CTA_STATUS and, with nf_conntrack_acct=1,
 * CTA_COUNTERS_ORIG/REPLY { PACKETS, BYTES } as big-endian 64-bit values.
 * Each nested walk is bounded by its
 * parent's length (libmnl), and each attribute's size is checked.
 */
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <endian.h>
#include <libmnl/libmnl.h>
#include <string.h>

#include "nl_ct.h"
#include "nl_msg.h"

#define PROTO_ICMP	1

int
nl_ct_askable(uint8_t proto)
{
	return proto != PROTO_ICMP;
}

static void
put_tuple(struct nlmsghdr *nlh, const struct nl_ct_tuple *t, int dir)
{
	struct nlattr *tup, *nest;
	uint32_t a;

	tup = mnl_attr_nest_start(nlh, dir == NL_CT_REPLY ? CTA_TUPLE_REPLY :
	    CTA_TUPLE_ORIG);
	nest = mnl_attr_nest_start(nlh, CTA_TUPLE_IP);
	memcpy(&a, t->src, 4);
	mnl_attr_put_u32(nlh, CTA_IP_V4_SRC, a);
	memcpy(&a, t->dst, 4);
	mnl_attr_put_u32(nlh, CTA_IP_V4_DST, a);
	mnl_attr_nest_end(nlh, nest);
	nest = mnl_attr_nest_start(nlh, CTA_TUPLE_PROTO);
	mnl_attr_put_u8(nlh, CTA_PROTO_NUM, t->proto);
	mnl_attr_put_u16(nlh, CTA_PROTO_SRC_PORT, htons(t->sport));
	mnl_attr_put_u16(nlh, CTA_PROTO_DST_PORT, htons(t->dport));
	mnl_attr_nest_end(nlh, nest);
	mnl_attr_nest_end(nlh, tup);
}

/*
 * The request has a fixed size (nlmsghdr 16, nfgenmsg 4, the tuple 52),
 * so one check up front replaces a check per attribute.
 */
#define CT_REQ_LEN	(16 + 4 + 4 + 4 + 8 + 8 + 4 + 8 + 8 + 8)

size_t
nl_ct_request(void *buf, size_t len, uint32_t seq,
    const struct nl_ct_tuple *t, int dir)
{
	struct nlmsghdr *nlh;
	struct nfgenmsg *nfg;

	if (len < CT_REQ_LEN)
		return 0;
	memset(buf, 0, CT_REQ_LEN);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = NFNL_SUBSYS_CTNETLINK << 8 | IPCTNL_MSG_CT_GET;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	nlh->nlmsg_seq = seq;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = AF_INET;
	nfg->version = NFNETLINK_V0;
	nfg->res_id = 0;
	put_tuple(nlh, t, dir);
	return nlh->nlmsg_len;
}

/* Attribute table of one nesting level: the last of each type wins. */
struct tb {
	const struct nlattr	*a[CTA_MAX + 1];
	unsigned		 max;
};

static int
tb_cb(const struct nlattr *a, void *data)
{
	struct tb *tb = data;
	uint16_t type = mnl_attr_get_type(a);

	if (type <= tb->max)
		tb->a[type] = a;
	return MNL_CB_OK;
}

static int
nested(const struct nlattr *a, unsigned max, struct tb *tb)
{
	memset(tb, 0, sizeof(*tb));
	tb->max = max;
	if (a == NULL || mnl_attr_validate(a, MNL_TYPE_NESTED) < 0 ||
	    !nl_attr_nest_whole(a))
		return -1;
	return mnl_attr_parse_nested(a, tb_cb, tb) == MNL_CB_OK ? 0 : -1;
}

/* An attribute that must be there with exactly its type's size. */
static int
need(const struct nlattr *a, enum mnl_attr_data_type type)
{
	return a != NULL && mnl_attr_validate(a, type) == 0 ? 0 : -1;
}

/* Ports are optional: ICMP and portless protocols have none. */
static int
port(const struct nlattr *a, uint16_t *out)
{
	if (a == NULL) {
		*out = 0;
		return 0;
	}
	if (need(a, MNL_TYPE_U16) == -1)
		return -1;
	*out = ntohs(mnl_attr_get_u16(a));
	return 0;
}

static int
get_tuple(const struct nlattr *a, struct nl_ct_tuple *t)
{
	struct tb tup, ip, pr;
	uint32_t v;

	if (nested(a, CTA_TUPLE_MAX, &tup) == -1 ||
	    nested(tup.a[CTA_TUPLE_IP], CTA_IP_MAX, &ip) == -1 ||
	    nested(tup.a[CTA_TUPLE_PROTO], CTA_PROTO_MAX, &pr) == -1 ||
	    need(ip.a[CTA_IP_V4_SRC], MNL_TYPE_U32) == -1 ||
	    need(ip.a[CTA_IP_V4_DST], MNL_TYPE_U32) == -1 ||
	    need(pr.a[CTA_PROTO_NUM], MNL_TYPE_U8) == -1)
		return -1;
	memset(t, 0, sizeof(*t));
	v = mnl_attr_get_u32(ip.a[CTA_IP_V4_SRC]);
	memcpy(t->src, &v, 4);
	v = mnl_attr_get_u32(ip.a[CTA_IP_V4_DST]);
	memcpy(t->dst, &v, 4);
	t->proto = mnl_attr_get_u8(pr.a[CTA_PROTO_NUM]);
	return port(pr.a[CTA_PROTO_SRC_PORT], &t->sport) |
	    port(pr.a[CTA_PROTO_DST_PORT], &t->dport);
}

/*
 * The checks every conntrack answer or event passes: one whole message,
 * from ctnetlink, IPv4, with a well-formed attribute list in *top.
 * Returns 1 and sets *type (IPCTNL_MSG_CT_*), 2 and *err for an error
 * answer, 3 for the end of a dump, 0 for anything else, -1 if malformed.
 */
static int
parse_top(const void *msg, size_t len, struct tb *top, int *type, int *err)
{
	const struct nlmsghdr *nlh = msg;
	const struct nfgenmsg *nfg;
	int rc;

	if (!nl_msg_whole(msg, len))
		return -1;
	if ((rc = nl_msg_error(msg, err)) != 0)
		return rc == 1 ? 2 : -1;
	if (nlh->nlmsg_type == NLMSG_DONE)
		return 3;
	if (nlh->nlmsg_type >> 8 != NFNL_SUBSYS_CTNETLINK)
		return 0;
	*type = nlh->nlmsg_type & 0xff;
	if (nlh->nlmsg_len < MNL_NLMSG_HDRLEN + MNL_ALIGN(sizeof(*nfg)))
		return -1;
	nfg = mnl_nlmsg_get_payload(nlh);
	if (nfg->nfgen_family != AF_INET)
		return 0;
	memset(top, 0, sizeof(*top));
	top->max = CTA_MAX;
	if (!nl_msg_attrs_whole(nlh, sizeof(*nfg)) ||
	    mnl_attr_parse(nlh, sizeof(*nfg), tb_cb, top) != MNL_CB_OK)
		return -1;
	return 1;
}

int
nl_ct_parse(const void *msg, size_t len, struct nl_ct *out, int *err)
{
	struct tb top;
	int rc, type = 0;

	if ((rc = parse_top(msg, len, &top, &type, err)) != 1)
		return rc == 3 ? 0 : rc;
	if (type != IPCTNL_MSG_CT_NEW)
		return 0;
	if (get_tuple(top.a[CTA_TUPLE_ORIG], &out->orig) == -1 ||
	    get_tuple(top.a[CTA_TUPLE_REPLY], &out->reply) == -1)
		return -1;
	return 1;
}

size_t
nl_ct_dump_request(void *buf, size_t len, uint32_t seq)
{
	struct nlmsghdr *nlh;
	struct nfgenmsg *nfg;

	if (len < MNL_NLMSG_HDRLEN + MNL_ALIGN(sizeof(*nfg)))
		return 0;
	memset(buf, 0, MNL_NLMSG_HDRLEN + MNL_ALIGN(sizeof(*nfg)));
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = NFNL_SUBSYS_CTNETLINK << 8 | IPCTNL_MSG_CT_GET;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = AF_INET;
	nfg->version = NFNETLINK_V0;
	return nlh->nlmsg_len;
}

/* CTA_COUNTERS_ORIG/REPLY: both 64-bit counters, or neither is used. */
static int
get_counters(const struct nlattr *a, uint64_t *packets, uint64_t *bytes)
{
	struct tb c;

	if (nested(a, CTA_COUNTERS_MAX, &c) == -1 ||
	    need(c.a[CTA_COUNTERS_PACKETS], MNL_TYPE_U64) == -1 ||
	    need(c.a[CTA_COUNTERS_BYTES], MNL_TYPE_U64) == -1)
		return -1;
	*packets = be64toh(mnl_attr_get_u64(c.a[CTA_COUNTERS_PACKETS]));
	*bytes = be64toh(mnl_attr_get_u64(c.a[CTA_COUNTERS_BYTES]));
	return 0;
}

int
nl_ct_parse_entry(const void *msg, size_t len, struct nl_ct_entry *out,
    int *err)
{
	struct tb top;
	int rc, type = 0;

	if ((rc = parse_top(msg, len, &top, &type, err)) != 1)
		return rc;
	if (type != IPCTNL_MSG_CT_NEW && type != IPCTNL_MSG_CT_DELETE)
		return 0;
	memset(out, 0, sizeof(*out));
	if (get_tuple(top.a[CTA_TUPLE_ORIG], &out->ct.orig) == -1 ||
	    get_tuple(top.a[CTA_TUPLE_REPLY], &out->ct.reply) == -1 ||
	    need(top.a[CTA_ID], MNL_TYPE_U32) == -1 ||
	    need(top.a[CTA_STATUS], MNL_TYPE_U32) == -1)
		return -1;
	out->id = ntohl(mnl_attr_get_u32(top.a[CTA_ID]));
	out->status = ntohl(mnl_attr_get_u32(top.a[CTA_STATUS]));
	out->destroyed = type == IPCTNL_MSG_CT_DELETE;
	if (top.a[CTA_COUNTERS_ORIG] == NULL &&
	    top.a[CTA_COUNTERS_REPLY] == NULL)
		return 1;	/* nf_conntrack_acct=0: no counters */
	if (get_counters(top.a[CTA_COUNTERS_ORIG], &out->packets[NL_CT_ORIG],
	    &out->bytes[NL_CT_ORIG]) == -1 ||
	    get_counters(top.a[CTA_COUNTERS_REPLY],
	    &out->packets[NL_CT_REPLY], &out->bytes[NL_CT_REPLY]) == -1)
		return -1;
	out->counters = 1;
	return 1;
}

/* Addresses and ports: what a translation changes, what is exported. */
static int
same_ends(const struct nl_ct_tuple *a, const struct nl_ct_tuple *b)
{
	return memcmp(a->src, b->src, 4) == 0 &&
	    memcmp(a->dst, b->dst, 4) == 0 && a->sport == b->sport &&
	    a->dport == b->dport;
}

static int
same(const struct nl_ct_tuple *a, const struct nl_ct_tuple *b)
{
	return same_ends(a, b) && a->proto == b->proto;
}

static void
invert(const struct nl_ct_tuple *t, struct nl_ct_tuple *out)
{
	memset(out, 0, sizeof(*out));
	memcpy(out->src, t->dst, 4);
	memcpy(out->dst, t->src, 4);
	out->sport = t->dport;
	out->dport = t->sport;
	out->proto = t->proto;
}

int
nl_ct_xlate(const struct nl_ct *ct, const struct nl_ct_tuple *t,
    struct nl_ct_tuple *post)
{
	if (same(t, &ct->orig))
		invert(&ct->reply, post);
	else if (same(t, &ct->reply))
		invert(&ct->orig, post);
	else
		return 0;
	/* not same(): an entry whose tuples name two protocols (no kernel
	 * sends one) would otherwise pass for a translation that moved
	 * nothing (found by fuzz_netlink) */
	return !same_ends(t, post);
}
