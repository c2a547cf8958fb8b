/*
 * Export encoder: flow records in, NetFlow v9 (RFC 3954), IPFIX (RFC 7011)
 * or NetFlow v5 packets out.  One engine: what differs between the formats
 * is the header, the set IDs and head of the options template, and the
 * record layouts, which init derives from the one set of field tables.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "nf9.h"
#include "nf9_app.h"
#include "nf9_fields.h"
#include "util.h"
#include "wbuf.h"

#define NF9_SET_HDR_LEN		4	/* FlowSet ID + Length */
#define NF9_TMPL_ID_MIN		256	/* 0-255 are FlowSet IDs, 5.2 */

#define PROTO_ICMP		1
#define PROTO_ICMPV6		58

/* FlowSets end on a 4-byte boundary, padding counted in their Length. */
#define PAD4(n)			(((size_t)(n) + 3) & ~(size_t)3)

/* What makes a format; everything not here is shared. */
struct nf9_fmt {
	uint16_t	version;	/* header Version */
	uint16_t	hdr_len;
	uint16_t	tmpl_set_id;	/* v9 0, IPFIX 2 (RFC 7011 3.3.2) */
	uint16_t	opt_set_id;	/* v9 1, IPFIX 3 */
	int		templates;	/* 0: v5, fixed records, no sets */
	void		(*put_header)(struct wbuf *, const struct nf9 *,
			    unsigned count, size_t len, uint64_t now_ms);
};

static uint32_t
fnv_byte(uint32_t h, unsigned b)
{
	return (h ^ (b & 0xff)) * 16777619u;
}

static uint32_t
fnv_fields(uint32_t h, const struct nf9_field *f, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		h = fnv_byte(h, f[i].type >> 8);
		h = fnv_byte(h, f[i].type);
		h = fnv_byte(h, f[i].len >> 8);
		h = fnv_byte(h, f[i].len);
	}
	return h;
}

static int
id_taken(uint16_t id, const uint16_t *taken, size_t n)
{
	while (n-- > 0)
		if (taken[n] == id)
			return 1;
	return 0;
}

/*
 * Template ID from the layout: FNV-1a of the (type, length) list mapped
 * into 256..65535, stepping on past IDs already given out so the three
 * are distinct (deterministically: always in the same order).  Collectors
 * keep a template under its ID until it is refreshed or times out (RFC
 * 3954 section 5.2), so a layout changed by an upgrade must not reuse the
 * old ID, or the first packets after a restart would be decoded with the
 * stale template.  Deriving the ID from the layout makes that automatic.
 */
static uint16_t
tmpl_id(uint32_t h, const uint16_t *taken, size_t ntaken)
{
	uint16_t id;

	id = (uint16_t)(NF9_TMPL_ID_MIN + h % (65536 - NF9_TMPL_ID_MIN));
	while (id_taken(id, taken, ntaken))
		id = id == UINT16_MAX ? NF9_TMPL_ID_MIN : id + 1;
	return id;
}

/*
 * The first byte hashed is the FlowSet ID the template is sent in, and
 * the options template also hashes its scope count, so an options layout
 * never hashes like a data layout with the same fields.  IPFIX layouts
 * hash differently from v9 ones (other set IDs, other times), so a
 * collector never mixes them up either.
 */
static uint16_t
layout_id(uint16_t set_id, const struct nf9_layout *scope,
    const struct nf9_layout *l, uint16_t *taken, size_t ntaken)
{
	uint32_t h = fnv_byte(2166136261u, set_id);

	if (scope != NULL) {
		h = fnv_byte(h, scope->n);
		h = fnv_fields(h, scope->f, scope->n);
	}
	h = fnv_fields(h, l->f, l->n);
	return taken[ntaken] = tmpl_id(h, taken, ntaken);
}

static void
assign_ids(struct nf9 *nf)
{
	uint16_t taken[6], tset = nf->fmt->tmpl_set_id;
	uint16_t oset = nf->fmt->opt_set_id;

	nf->set[0].tmpl_id = layout_id(tset, NULL, &nf->lay[0], taken, 0);
	nf->set[1].tmpl_id = layout_id(tset, NULL, &nf->lay[1], taken, 1);
	nf->opt_id = layout_id(oset, &nf->scope, &nf->opt, taken, 2);
	nf->ifopt_id = layout_id(oset, &nf->ifscope, &nf->ifopt, taken, 3);
	/* after the others, so that they keep their IDs with or without */
	nf->set[2].tmpl_id = layout_id(tset, NULL, &nf->lay[2], taken, 4);
	nf->set[3].tmpl_id = layout_id(tset, NULL, &nf->lay[3], taken, 5);
}

/*
 * A field as this format sends it.  IPFIX: absolute millisecond times
 * (RFC 7011 leaves sysUptime out of the header), the IPv6 ICMP element in
 * the IPv6 layout, the observation domain as scope.  scope says the table
 * is an options scope, whose type numbers are a space of their own in v9.
 * ntop's elements (NF9_NTOP) pass unchanged: nf9_app.c numbers them for v9.
 */
static struct nf9_field
wire_field(unsigned version, struct nf9_field f, int v6, int scope)
{
	if (version != NF9_FMT_IPFIX)
		return f;
	if (scope && f.type == NF9_SCOPE_SYSTEM)
		f.type = IPFIX_OBS_DOMAIN_ID;
	else if (scope && f.type == NF9_SCOPE_INTERFACE)
		f.type = IPFIX_INGRESS_INTERFACE;
	else if (scope)
		return f;
	else if (f.type == NF9_FIRST_SWITCHED || f.type == NF9_LAST_SWITCHED) {
		f.type = f.type == NF9_FIRST_SWITCHED ? IPFIX_FLOW_START_MS :
		    IPFIX_FLOW_END_MS;
		f.len = 8;
	} else if (f.type == NF9_ICMP_TYPE && v6)
		f.type = IPFIX_ICMP_TYPE_CODE_V6;
	return f;
}

int
nf9_layout_append(struct nf9_layout *l, const struct nf9_field *f, size_t n,
    unsigned version, int v6, int scope)
{
	size_t i;

	if (n > (size_t)(NF9_FIELDS_MAX - l->n))
		return -1;
	for (i = 0; i < n; i++) {
		l->f[l->n] = wire_field(version, f[i], v6, scope);
		/* an empty variable-length value: its length byte */
		l->len += f[i].len == NF9_VARLEN ? 1 : l->f[l->n].len;
		l->n++;
	}
	return 0;
}

static int
layout_make(struct nf9_layout *l, const struct nf9_field *f, size_t n,
    unsigned version, int v6, int scope)
{
	memset(l, 0, sizeof(*l));
	return nf9_layout_append(l, f, n, version, v6, scope);
}

/*
 * Interface fields as 2 bytes, RFC 3954's default length, while every
 * index seen fits (nf9_add() widens them for good when one does not).
 */
static void
layout_narrow_ifs(struct nf9_layout *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if ((l->f[i].type == NF9_INPUT_SNMP ||
		    l->f[i].type == NF9_OUTPUT_SNMP) && l->f[i].len == 4) {
			l->f[i].len = 2;
			l->len -= 2;
		}
}

/* The layouts this format sends, from the tables of nf9_fields.h. */
static int
layouts_make(struct nf9 *nf)
{
	unsigned v = nf->fmt->version;
	size_t i;
	int rc;

	if (v == NF9_FMT_V5) {
		rc = layout_make(&nf->lay[0], nf5_rec, ARRAY_SIZE(nf5_rec),
		    v, 0, 0);
		nf->lay[0].nbase = nf->lay[0].n;
		return rc;
	}
	rc = layout_make(&nf->lay[0], nf9_tmpl_v4, ARRAY_SIZE(nf9_tmpl_v4),
	    v, 0, 0) | (nf->cfg.nat_fields ? nf9_layout_append(&nf->lay[0],
	    nf9_tmpl_v4_nat, ARRAY_SIZE(nf9_tmpl_v4_nat), v, 0, 0) : 0) |
	    layout_make(&nf->lay[1], nf9_tmpl_v6, ARRAY_SIZE(nf9_tmpl_v6), v,
	    1, 0) | layout_make(&nf->scope, nf9_opt_scope,
	    ARRAY_SIZE(nf9_opt_scope), v, 0, 1) | layout_make(&nf->opt,
	    nf9_opt_fields, ARRAY_SIZE(nf9_opt_fields), v, 0, 0) |
	    layout_make(&nf->ifscope, nf9_ifopt_scope,
	    ARRAY_SIZE(nf9_ifopt_scope), v, 0, 1) | layout_make(&nf->ifopt,
	    nf9_ifopt_fields, ARRAY_SIZE(nf9_ifopt_fields), v, 0, 0);
	if (!nf->if_wide) {
		layout_narrow_ifs(&nf->lay[0]);
		layout_narrow_ifs(&nf->lay[1]);
	}
	for (i = 0; i < 2; i++)
		nf->lay[i].nbase = nf->lay[i].n;
	return rc | nf9_app_layouts(nf);
}

/* An IPFIX field with the enterprise bit has its PEN after it. */
static int
has_pen(const struct nf9 *nf, const struct nf9_field *f)
{
	return nf->fmt->version == NF9_FMT_IPFIX && (f->type & NF9_NTOP);
}

static void
put_field_list(struct wbuf *w, const struct nf9 *nf,
    const struct nf9_field *f, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		wb_be16(w, f[i].type);
		wb_be16(w, f[i].len);
		if (has_pen(nf, &f[i]))
			wb_uint(w, NTOP_PEN, 4);
	}
}

/*
 * Template FlowSet (section 5.2) holding every data template.  Template
 * records are multiples of 4 bytes, so it never needs padding.  Its
 * Length is filled in once the records are written: with IPFIX's PENs
 * (has_pen()) counting them first would take a second walk.
 */
static void
put_tmpl_set(struct wbuf *w, const struct nf9 *nf)
{
	uint8_t *set = w->p;
	size_t i;

	wb_be16(w, nf->fmt->tmpl_set_id);
	wb_be16(w, 0);
	for (i = 0; i < 4; i++) {
		if (nf->lay[i].n == 0)
			continue;
		wb_be16(w, nf->set[i].tmpl_id);
		wb_be16(w, nf->lay[i].n);
		put_field_list(w, nf, nf->lay[i].f, nf->lay[i].n);
	}
	if (!w->err)
		wb_store_be16(set + 2, (uint16_t)(w->p - set));
}

/*
 * Options Template FlowSet (section 6.1).  Unlike a template record it
 * gives the scope and option lengths in bytes of (type, length) pairs, not
 * as field counts, and its 6-byte head leaves 2 bytes of padding.  The
 * IPFIX Options Template Set (RFC 7011 section 3.4.2.2) has the same
 * shape, but its head counts fields: all of them, then the scope ones.
 */
static void
put_opt_tmpl_set(struct wbuf *w, const struct nf9 *nf, uint16_t id,
    const struct nf9_layout *scope, const struct nf9_layout *opt)
{
	size_t ns = scope->n, no = opt->n;
	size_t len = NF9_SET_HDR_LEN + 6 + 4 * (ns + no);

	wb_be16(w, nf->fmt->opt_set_id);
	wb_be16(w, PAD4(len));
	wb_be16(w, id);
	if (nf->fmt->version == NF9_FMT_IPFIX) {
		wb_be16(w, ns + no);
		wb_be16(w, ns);
	} else {
		wb_be16(w, 4 * ns);
		wb_be16(w, 4 * no);
	}
	put_field_list(w, nf, scope->f, ns);
	put_field_list(w, nf, opt->f, no);
	wb_zero(w, PAD4(len) - len);
}

static uint64_t
scope_value(const struct nf9 *nf, unsigned type)
{
	switch (type) {
	case NF9_SCOPE_SYSTEM:
	case IPFIX_OBS_DOMAIN_ID:
		return nf->cfg.source_id;
	default:
		return 0;
	}
}

static uint64_t
option_value(const struct nf9 *nf, unsigned type)
{
	switch (type) {
	case NF9_SAMPLING_INTERVAL:
		return nf->cfg.sampling_interval;
	case NF9_SAMPLING_ALGORITHM:
		return nf->cfg.sampling_algorithm;
	default:
		return 0;
	}
}

/* Options data FlowSet (section 6.2): one record, scope values first. */
static void
put_opt_data_set(struct wbuf *w, const struct nf9 *nf)
{
	size_t len = NF9_SET_HDR_LEN + nf->scope.len + nf->opt.len, i;

	wb_be16(w, nf->opt_id);
	wb_be16(w, PAD4(len));
	for (i = 0; i < nf->scope.n; i++)
		wb_uint(w, scope_value(nf, nf->scope.f[i].type),
		    nf->scope.f[i].len);
	for (i = 0; i < nf->opt.n; i++)
		wb_uint(w, option_value(nf, nf->opt.f[i].type),
		    nf->opt.f[i].len);
	wb_zero(w, PAD4(len) - len);
}

/*
 * Whether the sampling options go out with the templates.  IPFIX counts
 * the options data record in the sequence number (RFC 7011 section 3.1;
 * Wireshark checks it so), but nfdump 1.7 counts flow records only and
 * reports a lost record for each; so IPFIX announces sampling only when
 * there is some: no options record at all means not sampled.
 */
static int
opts_sent(const struct nf9 *nf)
{
	return nf->fmt->version != NF9_FMT_IPFIX ||
	    nf->cfg.sampling_interval > 1;
}

/* Everything a collector needs before data; returns the records written. */
static unsigned
put_templates(struct wbuf *w, const struct nf9 *nf)
{
	unsigned n = nf->lay[2].n != 0 ? 4 : 2;	/* (and lay[3]) */

	put_tmpl_set(w, nf);
	if (!opts_sent(nf))
		return n;
	put_opt_tmpl_set(w, nf, nf->opt_id, &nf->scope, &nf->opt);
	put_opt_data_set(w, nf);
	return n + 1 + 1;
}

/*
 * Data records are written from a value image: every value a record can
 * carry, big-endian at its full width, filled once per record.  A layout
 * is then a few copies out of it (nf9_layout.run, worked out by
 * prog_make() at init) instead of a decision per field per record.  The
 * image follows the v9 IPv4 record, so that record is a single copy; the
 * IPv6 and IPFIX ones are two to four, v5's nine.  Only the part up to
 * the last byte a layout copies is filled: v9 IPv4 records leave out the
 * 16-byte addresses and the IPFIX times.
 */
enum {
	IMG_SRC4	= 0,	/* first 4 bytes of the key's addresses */
	IMG_DST4	= 4,
	IMG_IN_IF16	= 8,	/* interfaces, for 2-byte fields */
	IMG_OUT_IF16	= 10,
	IMG_PKTS	= 12,	/* 32 bits, as the table counts */
	IMG_BYTES	= 16,
	IMG_FIRST	= 20,	/* ms since boot_ms, modulo 2^32 */
	IMG_LAST	= 24,
	IMG_SPORT	= 28,
	IMG_DPORT	= 30,
	IMG_ICMP	= 32,
	IMG_FLAGS	= 34,
	IMG_PROTO	= 35,
	IMG_TOS		= 36,
	IMG_DIR		= 37,
	IMG_SRC6	= 38,	/* all 16 bytes */
	IMG_DST6	= 54,
	IMG_IN_IF	= 70,	/* interfaces, 32 bits */
	IMG_OUT_IF	= 74,
	IMG_START_MS	= 78,	/* Unix ms, for IPFIX */
	IMG_END_MS	= 86,
	IMG_NAT_SRC	= 94,	/* post-NAT, --nat only (flow_enr) */
	IMG_NAT_DST	= 98,
	IMG_NAT_SPORT	= 102,
	IMG_NAT_DPORT	= 104,
	IMG_LEN		= 106
};

/*
 * Where each integer field's value sits in the image, and its width there.
 * A field narrower than its value takes the value's last bytes, a wider
 * one gets leading zeros; a field not here is zeros (v5's next hop, AS,
 * masks and padding).  Address fields take the first bytes of the key's
 * address, from the 4-byte copy when they fit in it.
 */
static const struct {
	uint16_t	type;
	uint8_t		off;
	uint8_t		width;
} slots[] = {
	{ NF9_INPUT_SNMP,		IMG_IN_IF16,	2 },
	{ NF9_INPUT_SNMP,		IMG_IN_IF,	4 },
	{ NF9_OUTPUT_SNMP,		IMG_OUT_IF16,	2 },
	{ NF9_OUTPUT_SNMP,		IMG_OUT_IF,	4 },
	{ NF9_IN_PKTS,			IMG_PKTS,	4 },
	{ NF9_IN_BYTES,			IMG_BYTES,	4 },
	{ NF9_FIRST_SWITCHED,		IMG_FIRST,	4 },
	{ NF9_LAST_SWITCHED,		IMG_LAST,	4 },
	{ IPFIX_FLOW_START_MS,		IMG_START_MS,	8 },
	{ IPFIX_FLOW_END_MS,		IMG_END_MS,	8 },
	{ NF9_L4_SRC_PORT,		IMG_SPORT,	2 },
	{ NF9_L4_DST_PORT,		IMG_DPORT,	2 },
	{ NF9_ICMP_TYPE,		IMG_ICMP,	2 },
	{ IPFIX_ICMP_TYPE_CODE_V6,	IMG_ICMP,	2 },
	{ NF9_TCP_FLAGS,		IMG_FLAGS,	1 },
	{ NF9_PROTOCOL,			IMG_PROTO,	1 },
	{ NF9_SRC_TOS,			IMG_TOS,	1 },
	{ NF9_DIRECTION,		IMG_DIR,	1 },
	{ NF9_POST_NAT_SRC_IPV4,	IMG_NAT_SRC,	4 },
	{ NF9_POST_NAT_DST_IPV4,	IMG_NAT_DST,	4 },
	{ NF9_POST_NAPT_SRC_PORT,	IMG_NAT_SPORT,	2 },
	{ NF9_POST_NAPT_DST_PORT,	IMG_NAT_DPORT,	2 },
};

/* Append len bytes from the image at off (or zeros) to the copies. */
static int
run_add(struct nf9_layout *l, unsigned off, size_t len)
{
	struct nf9_run *u;

	if (len == 0)
		return 0;
	if (l->nrun > 0) {
		u = &l->run[l->nrun - 1];
		if (off == NF9_RUN_ZERO ? u->off == NF9_RUN_ZERO :
		    u->off != NF9_RUN_ZERO && u->off + u->len == off) {
			u->len = (uint16_t)(u->len + len);
			return 0;
		}
	}
	if (l->nrun == ARRAY_SIZE(l->run))
		return -1;
	u = &l->run[l->nrun++];
	u->off = (uint8_t)off;
	u->len = (uint16_t)len;
	return 0;
}

/* The largest value n bytes hold. */
static uint64_t
max_of(size_t n)
{
	return n >= 8 ? UINT64_MAX : ((uint64_t)1 << (8 * n)) - 1;
}

/* An address field: where the image has the first len bytes it takes. */
static int
addr_slot(unsigned type, size_t len, unsigned *off)
{
	int src = type == NF9_IPV4_SRC_ADDR || type == NF9_IPV6_SRC_ADDR;

	if (!src && type != NF9_IPV4_DST_ADDR && type != NF9_IPV6_DST_ADDR)
		return 0;
	if (len <= 4)
		*off = src ? IMG_SRC4 : IMG_DST4;
	else
		*off = src ? IMG_SRC6 : IMG_DST6;
	return 1;
}

/*
 * A data layout's copies, and the limits its narrow fields put on values:
 * a count too big for its field is an error, never wrapped (v5 has 32
 * bits); an interface index too big (v5 has 16 bits) is sent as 0,
 * unknown, rather than cut to a wrong interface.  -1 for an address field
 * over 16 bytes.
 */
static int
prog_make(struct nf9_layout *l)
{
	size_t i;
	int rc = 0;

	l->nrun = l->img_len = 0;
	l->pkts_max = l->bytes_max = UINT64_MAX;
	l->in_max = l->out_max = UINT32_MAX;
	for (i = 0; i < l->nbase; i++) {
		size_t len = l->f[i].len, j, k, w;
		unsigned off;

		if (addr_slot(l->f[i].type, len, &off)) {
			if (len > 16)
				return -1;
			rc |= run_add(l, off, len);
			continue;
		}
		/* the value of the field's width if the image has it */
		for (j = 0, k = ARRAY_SIZE(slots); j < ARRAY_SIZE(slots); j++)
			if (slots[j].type == l->f[i].type) {
				k = j;
				if (slots[j].width == len)
					break;
			}
		j = k;
		w = j < ARRAY_SIZE(slots) ? slots[j].width : 0;
		/* What the field can say: its width, or the image's. */
		if (l->f[i].type == NF9_IN_PKTS)
			l->pkts_max = MIN(l->pkts_max, max_of(MIN(len, w)));
		else if (l->f[i].type == NF9_IN_BYTES)
			l->bytes_max = MIN(l->bytes_max, max_of(MIN(len, w)));
		else if (l->f[i].type == NF9_INPUT_SNMP)
			l->in_max = (uint32_t)MIN(l->in_max, max_of(len));
		else if (l->f[i].type == NF9_OUTPUT_SNMP)
			l->out_max = (uint32_t)MIN(l->out_max, max_of(len));
		if (len > w)
			rc |= run_add(l, NF9_RUN_ZERO, len - w);
		if (w != 0)
			rc |= run_add(l, slots[j].off + w - MIN(len, w),
			    MIN(len, w));
	}
	for (i = 0; i < l->nrun; i++)
		if (l->run[i].off != NF9_RUN_ZERO)
			l->img_len = (uint8_t)MAX(l->img_len,
			    l->run[i].off + l->run[i].len);
	return rc;
}

/*
 * The image of one record; -1 if a count is too big for its field, -2
 * (nothing written) if an interface index is too big for 2-byte fields
 * that can still widen (v9, IPFIX; v5's send it as 0, unknown).  Times
 * are offsets from boot_ms, modulo 2^32 as sysUptime is (RFC 3954
 * section 5.1), or for IPFIX Unix milliseconds.  ICMP and ICMPv6 keys
 * hold type << 8 | code in dport (flow.h); it goes to ICMP_TYPE and both
 * ports are exported as 0, except in v5, which has no ICMP field and keeps
 * it in the destination port.
 */
static int
rec_image(uint8_t *img, const struct nf9 *nf, const struct nf9_layout *l,
    const struct flow_rec *r)
{
	const struct flow_key *k = &r->key;
	uint32_t in = k->direction ? 0 : k->ifindex;
	/* An ingress flow's way out is known only by asking (enrich.h). */
	uint32_t out = k->direction ? k->ifindex : r->enr.out_ifindex;
	int icmp = (k->proto == PROTO_ICMP || k->proto == PROTO_ICMPV6) &&
	    nf->fmt->templates;

	if (r->packets > l->pkts_max || r->bytes > l->bytes_max)
		return -1;
	if (in > l->in_max || out > l->out_max) {
		if (!nf->if_wide)
			return -2;	/* v9, IPFIX: widen_ifs() first */
		in = in > l->in_max ? 0 : in;
		out = out > l->out_max ? 0 : out;
	}
	memcpy(img + IMG_SRC4, k->src, 4);
	memcpy(img + IMG_DST4, k->dst, 4);
	/* only 2-byte fields read these: then the index is within 16 bits */
	wb_store_be16(img + IMG_IN_IF16, (uint16_t)in);
	wb_store_be16(img + IMG_OUT_IF16, (uint16_t)out);
	wb_store_be32(img + IMG_PKTS, (uint32_t)r->packets);
	wb_store_be32(img + IMG_BYTES, (uint32_t)r->bytes);
	wb_store_be32(img + IMG_FIRST, (uint32_t)(r->first_ms - nf->boot_ms));
	wb_store_be32(img + IMG_LAST, (uint32_t)(r->last_ms - nf->boot_ms));
	wb_store_be16(img + IMG_SPORT, icmp ? 0 : k->sport);
	wb_store_be16(img + IMG_DPORT, icmp ? 0 : k->dport);
	wb_store_be16(img + IMG_ICMP, icmp ? k->dport : 0);
	img[IMG_FLAGS] = r->tcp_flags;
	img[IMG_PROTO] = k->proto;
	img[IMG_TOS] = r->tos;
	img[IMG_DIR] = k->direction;
	if (l->img_len <= IMG_SRC6)
		return 0;
	memcpy(img + IMG_SRC6, k->src, 16);
	memcpy(img + IMG_DST6, k->dst, 16);
	if (l->img_len <= IMG_IN_IF)
		return 0;
	wb_store_be32(img + IMG_IN_IF, in);
	wb_store_be32(img + IMG_OUT_IF, out);
	if (l->img_len <= IMG_START_MS)
		return 0;
	wb_store_be64(img + IMG_START_MS, r->first_ms +
	    (uint64_t)nf->wall_offset_ms);
	wb_store_be64(img + IMG_END_MS, r->last_ms + (uint64_t)nf->wall_offset_ms);
	if (l->img_len <= IMG_NAT_SRC)
		return 0;
	memcpy(img + IMG_NAT_SRC, r->enr.nat_src, 4);
	memcpy(img + IMG_NAT_DST, r->enr.nat_dst, 4);
	wb_store_be16(img + IMG_NAT_SPORT, r->enr.nat_sport);
	wb_store_be16(img + IMG_NAT_DPORT, r->enr.nat_dport);
	return 0;
}

/*
 * The record, l->len bytes at p (application layouts: plus
 * nf9_app_extra()):
 * the layout's copies out of the image, then the application fields, or
 * rec_image()'s refusal.  A layout that is the image's first part (the v9
 * IPv4 record) is filled in place: rec_image() writes no further then.
 */
static int
put_record(uint8_t *p, const struct nf9 *nf, const struct nf9_layout *l,
    const struct flow_rec *r)
{
	const struct nf9_run *u, *end = l->run + l->nrun;
	uint8_t img[IMG_LEN];
	int rc;

	if (l->nrun == 1 && l->run[0].off == 0 && l->len == IMG_SRC6)
		return rec_image(p, nf, l, r);
	if ((rc = rec_image(img, nf, l, r)) != 0)
		return rc;
	for (u = l->run; u < end; p += u->len, u++)
		if (u->off == NF9_RUN_ZERO)
			memset(p, 0, u->len);
		else
			memcpy(p, img + u->off, u->len);
	if (NF9_APP_BUILT && l->n > l->nbase)
		nf9_app_put(p, nf, &r->app);
	return 0;
}

/*
 * Packet header, section 5.1.  Collectors rebuild a flow's Unix times as
 * unix_secs * 1000 - sysUptime + FIRST_SWITCHED (nfdump 1.7: boot time
 * from the header, then boot + FIRST; later versions: export time minus
 * the unsigned age sysUptime - FIRST, the same when FIRST <= sysUptime).
 * unix_secs has whole seconds only, so the export time T is the Unix ms
 * of now rounded up to a whole second and sysUptime = T - boot (Unix ms):
 * then unix_secs * 1000 - sysUptime is the boot time to the millisecond
 * and FIRST/LAST are plain offsets from it.  Rounding up, not down, keeps
 * sysUptime >= LAST for every staged record (they end by now), so no age
 * goes negative.  Unix time is assumed to be past 1970.  sysUptime is 32
 * bits and wraps after 49.7 days of uptime: the age-based collectors stay
 * exact across the wrap, nfdump 1.7's boot + FIRST is then 2^32 ms early
 * (nf9_rebase() before the wrap avoids that).
 */
static uint64_t
export_unix_ms(const struct nf9 *nf, uint64_t now_ms)
{
	uint64_t t = now_ms + (uint64_t)nf->wall_offset_ms + 999;

	return t - t % 1000;
}

static uint32_t
sys_uptime(const struct nf9 *nf, uint64_t t)
{
	return (uint32_t)(t - (nf->boot_ms + (uint64_t)nf->wall_offset_ms));
}

/* Version, Count, sysUptime and unix_secs: the start of v9's and v5's. */
static void
put_head_uptime(struct wbuf *w, const struct nf9 *nf, unsigned count,
    uint64_t now_ms)
{
	uint64_t t = export_unix_ms(nf, now_ms);

	wb_be16(w, nf->fmt->version);
	wb_be16(w, count);
	wb_uint(w, sys_uptime(nf, t), 4);
	wb_uint(w, (uint32_t)(t / 1000), 4);
}

static void
put_header_v9(struct wbuf *w, const struct nf9 *nf, unsigned count,
    size_t len, uint64_t now_ms)
{
	(void)len;
	put_head_uptime(w, nf, count, now_ms);
	wb_uint(w, nf->seq, 4);
	wb_uint(w, nf->cfg.source_id, 4);
}

/*
 * IPFIX Message Header, RFC 7011 section 3.1: Length instead of Count, no
 * sysUptime (records carry absolute times), Export Time in seconds,
 * rounded up like v9's so it is never before a record's end.
 */
static void
put_header_ipfix(struct wbuf *w, const struct nf9 *nf, unsigned count,
    size_t len, uint64_t now_ms)
{
	(void)count;
	wb_be16(w, nf->fmt->version);
	wb_be16(w, len);
	wb_uint(w, (uint32_t)(export_unix_ms(nf, now_ms) / 1000), 4);
	wb_uint(w, nf->seq, 4);
	wb_uint(w, nf->cfg.source_id, 4);
}

/*
 * NetFlow v5 header: v9's clock rules (unix_nsecs is 0 as unix_secs is
 * rounded up), flow_sequence counts the flows sent before, engine type
 * and ID are the two low bytes of -S, and the sampling field holds the
 * mode (1 deterministic, 2 random) in its top 2 bits and the interval in
 * the low 14; 0 when not sampled.
 */
static void
put_header_v5(struct wbuf *w, const struct nf9 *nf, unsigned count,
    size_t len, uint64_t now_ms)
{
	uint32_t n = nf->cfg.sampling_interval;

	(void)len;
	put_head_uptime(w, nf, count, now_ms);
	wb_uint(w, 0, 4);
	wb_uint(w, nf->seq, 4);
	wb_uint(w, nf->cfg.source_id >> 8, 1);
	wb_uint(w, nf->cfg.source_id, 1);
	wb_be16(w, n > 1 ? (nf->cfg.sampling_algorithm & 3u) << 14 | n : 0);
}

static const struct nf9_fmt fmt_v9 = {
	.version = NF9_FMT_V9, .hdr_len = 20, .tmpl_set_id = 0,
	.opt_set_id = 1, .templates = 1, .put_header = put_header_v9,
};

static const struct nf9_fmt fmt_ipfix = {
	.version = NF9_FMT_IPFIX, .hdr_len = 16, .tmpl_set_id = 2,
	.opt_set_id = 3, .templates = 1, .put_header = put_header_ipfix,
};

static const struct nf9_fmt fmt_v5 = {
	.version = NF9_FMT_V5, .hdr_len = 24, .templates = 0,
	.put_header = put_header_v5,
};

/*
 * Bytes a data set of len record bytes takes: FlowSet header and padding
 * (section 5.3; IPFIX the same), or the bare records in v5.
 */
static size_t
set_bytes(const struct nf9 *nf, size_t len)
{
	return nf->fmt->templates ? PAD4(NF9_SET_HDR_LEN + len) : len;
}

/* A staged data FlowSet (section 5.3): header, records, zero padding. */
static void
put_data_set(struct wbuf *w, const struct nf9 *nf, const struct nf9_set *s)
{
	size_t len = NF9_SET_HDR_LEN + s->len;

	if (s->nrec == 0)
		return;
	if (!nf->fmt->templates) {
		wb_bytes(w, s->rec, s->len);
		return;
	}
	wb_be16(w, s->tmpl_id);
	wb_be16(w, PAD4(len));
	wb_bytes(w, s->rec, s->len);
	wb_zero(w, PAD4(len) - len);
}

/* The data layouts for the current if_wide, and their copies. */
static int
layouts_build(struct nf9 *nf)
{
	int rc = layouts_make(nf);
	size_t i;

	for (i = 0; i < 4; i++)
		rc |= prog_make(&nf->lay[i]);
	return rc;
}

/*
 * 4-byte interface fields from now on: new layouts, so new template IDs,
 * sent again with the next packet.  Cannot fail: nf9_init() built and
 * checked the wide layouts first.
 */
static void
widen_ifs(struct nf9 *nf)
{
	nf->if_wide = 1;
	nf->widen_pending = 0;
	(void)layouts_build(nf);
	assign_ids(nf);
	nf->tmpl_force = 1;
}

static void
rebase_apply(struct nf9 *nf)
{
	nf->boot_ms = nf->rebase_ms;
	nf->wall_offset_ms = nf->rebase_offset_ms;
	nf->rebase_pending = 0;
	nf->tmpl_force = 1;
}

/*
 * The sequence number: v9 counts packets; v5 flows; IPFIX data records
 * (RFC 7011 section 3.1), the options one included (see opts_sent()).
 */
static void
next_packet(struct nf9 *nf, int had_tmpl, uint64_t now_ms)
{
	size_t i;

	nf->seq += nf->fmt->version == NF9_FMT_V9 ? 1 : nf9_pending(nf) +
	    (nf->fmt->version == NF9_FMT_IPFIX && had_tmpl && opts_sent(nf));
	if (had_tmpl) {
		nf->tmpl_sends++;
		nf->tmpl_ever_sent = 1;
		nf->tmpl_force = 0;
		nf->tmpl_sent_ms = now_ms;
		nf->pkts_since_tmpl = 1;
	} else if (nf->pkts_since_tmpl < UINT32_MAX)
		nf->pkts_since_tmpl++;
	for (i = 0; i < 4; i++)
		nf->set[i].len = nf->set[i].nrec = 0;
	nf->tmpl_in_pkt = 0;
	nf->used = nf->fmt->hdr_len;
	nf->last_ms = 0;
	if (nf->rebase_pending)
		rebase_apply(nf);
	if (nf->widen_pending)
		widen_ifs(nf);
}

size_t
nf9_buf_bytes(uint16_t mtu)
{
	/* The packet, then one staging area per data template. */
	return 5 * (size_t)mtu;
}

int
nf9_init(struct nf9 *nf, const struct nf9_cfg *cfg, uint8_t *buf,
    size_t bufsz, uint64_t boot_ms, int64_t wall_offset_ms)
{
	struct wbuf w;
	size_t i, max_set = 0, len;

	if (cfg->mtu < NF9_MTU_MIN || cfg->mtu > NF9_MTU_MAX || buf == NULL ||
	    bufsz < nf9_buf_bytes(cfg->mtu))
		goto inval;
	memset(nf, 0, sizeof(*nf));
	nf->cfg = *cfg;
	nf->if_wide = 1;	/* checked first: the larger layouts */
	switch (cfg->version) {
	case 0:
	case NF9_FMT_V9:
		nf->fmt = &fmt_v9;
		break;
	case NF9_FMT_IPFIX:
		nf->fmt = &fmt_ipfix;
		break;
	case NF9_FMT_V5:
		if (cfg->sampling_interval > NF5_SAMPLING_MAX ||
		    cfg->source_id > UINT16_MAX)
			goto inval;
		nf->fmt = &fmt_v5;
		nf->max_recs = NF5_RECORDS_MAX;
		break;
	default:
		goto inval;
	}
	if (layouts_build(nf) == -1)
		goto inval;
	nf->boot_ms = boot_ms;
	nf->wall_offset_ms = wall_offset_ms;
	nf->out = buf;
	for (i = 0; i < 4; i++) {
		nf->set[i].rec = buf + (i + 1) * cfg->mtu;
		nf->set[i].cap = cfg->mtu;
		len = (size_t)nf->lay[i].len + nf->lay[i].names_max;
		if (nf->lay[i].n != 0)
			max_set = MAX(max_set, set_bytes(nf, len));
	}
	nf->used = nf->fmt->hdr_len;
	if (!nf->fmt->templates && nf->used + max_set > cfg->mtu)
		goto inval;
	if (!nf->fmt->templates)
		return 0;
	assign_ids(nf);
	/*
	 * Size the template block by writing it once with the code that will
	 * write it later, so the accounting in nf9_add() cannot drift from it.
	 */
	wb_init(&w, nf->out, cfg->mtu);
	nf->tmpl_records = (uint16_t)put_templates(&w, nf);
	nf->tmpl_bytes = (uint16_t)(w.p - nf->out);
	if (w.err || nf->used + nf->tmpl_bytes + max_set > cfg->mtu)
		goto inval;
	nf->if_wide = 0;
	if (layouts_build(nf) == -1)
		goto inval;
	assign_ids(nf);
	return 0;
inval:
	errno = EINVAL;
	return -1;
}

/*
 * A probe clock that steps back (replay jitter) does not count as time
 * passed; a real step is followed by nf9_rebase(), which forces them.
 * Static, so nf9_add() has it inline: it asks for every record.
 */
static inline int
tmpl_due(const struct nf9 *nf, uint64_t now_ms)
{
	if (!nf->fmt->templates)
		return 0;
	if (!nf->tmpl_ever_sent || nf->tmpl_force)
		return 1;
	if (nf->cfg.tmpl_every_pkts != 0 &&
	    nf->pkts_since_tmpl >= nf->cfg.tmpl_every_pkts)
		return 1;
	if (nf->cfg.tmpl_every_ms != 0 && now_ms >= nf->tmpl_sent_ms &&
	    now_ms - nf->tmpl_sent_ms >= nf->cfg.tmpl_every_ms)
		return 1;
	return 0;
}

/*
 * Whether the templates go in is settled by the first record that finds
 * them due, and their bytes are counted from then on, so the finished
 * packet never exceeds the MTU.  If they fall due with records already
 * staged and do not fit beside the new one, the record is refused: the
 * caller finishes this packet (which takes them if they fit) and the
 * record opens the next one.  Only sums here, no division.
 */
int
nf9_add(struct nf9 *nf, const struct flow_rec *r, uint64_t now_ms)
{
	const struct nf9_layout *l;
	struct nf9_set *s;
	size_t used, len, i;
	int tmpl, rc;

	if (r->key.ipver != 4 && r->key.ipver != 6)
		return -1;
	i = r->key.ipver == 6;
	len = 0;
	if (NF9_APP_BUILT && r->app.flags != 0 && nf->lay[i + 2].n != 0) {
		len = nf9_app_extra(nf, &r->app);
		i += 2;
	}
	l = &nf->lay[i];
	s = &nf->set[i];
	if (l->n == 0)
		return -1;	/* v5 and IPv6 */
	len += l->len;
	if (nf->max_recs != 0 && nf9_pending(nf) >= nf->max_recs)
		return 0;
	used = nf->used;
	tmpl = nf->tmpl_in_pkt;
	if (!tmpl && tmpl_due(nf, now_ms)) {
		tmpl = 1;
		used += nf->tmpl_bytes;
	}
	used += set_bytes(nf, s->len + len);
	if (s->nrec > 0)
		used -= set_bytes(nf, s->len);
	if (used > nf->cfg.mtu)
		return 0;
	if ((size_t)s->cap - s->len < len)
		return -1;	/* cannot happen: the MTU bounds it */
	if ((rc = put_record(s->rec + s->len, nf, l, r)) == -2) {
		/* an interface over 16 bits: staged records go out first */
		if (nf9_pending(nf) != 0) {
			nf->widen_pending = 1;
			return 0;
		}
		widen_ifs(nf);
		return nf9_add(nf, r, now_ms);	/* wide now: no -2 */
	}
	if (rc == -1)
		return -1;	/* a count over 32 bits (nf9_parts()) */
	s->len = (uint16_t)(s->len + len);
	s->nrec++;
	nf->used = used;
	nf->tmpl_in_pkt = tmpl;
	nf->last_ms = MAX(nf->last_ms, r->last_ms);
	return 1;
}

/*
 * A count over a layout's range is split over ceil(count / range) records
 * (the larger of the two counts decides), so no part exceeds it.
 */
uint32_t
nf9_parts(const struct nf9 *nf, const struct flow_rec *r)
{
	const struct nf9_layout *l;
	uint64_t n, m;

	if (r->key.ipver != 4 && r->key.ipver != 6)
		return 0;
	l = &nf->lay[r->key.ipver == 6];
	if (l->n == 0)
		return 0;
	n = r->packets / l->pkts_max + (r->packets % l->pkts_max != 0);
	m = r->bytes / l->bytes_max + (r->bytes % l->bytes_max != 0);
	n = MAX(MAX(n, m), 1);
	return n > NF9_PARTS_MAX ? 0 : (uint32_t)n;
}

void
nf9_part(const struct flow_rec *r, uint32_t i, uint32_t n,
    struct flow_rec *part)
{
	*part = *r;
	part->packets = r->packets / n + (i < r->packets % n);
	part->bytes = r->bytes / n + (i < r->bytes % n);
}

unsigned
nf9_pending(const struct nf9 *nf)
{
	unsigned n = 0, i;

	for (i = 0; i < 4; i++)
		n += nf->set[i].nrec;
	return n;
}

int
nf9_templates_due(const struct nf9 *nf, uint64_t now_ms)
{
	return tmpl_due(nf, now_ms);
}

/*
 * Header, then templates if they are in, then the IPv4 and the IPv6 data
 * FlowSet and their twins with application facts: one per template
 * however records were interleaved.  Count is
 * every record in the packet, template and options ones included (section
 * 5.1).  The clock used is at least the latest record end, so sysUptime
 * covers every LAST_SWITCHED even if the caller's now lags.
 */
const uint8_t *
nf9_finish(struct nf9 *nf, uint64_t now_ms, size_t *len)
{
	struct wbuf w;
	unsigned count, i;
	int tmpl = nf->tmpl_in_pkt;

	*len = 0;
	if (!tmpl && tmpl_due(nf, now_ms) &&
	    nf->used + nf->tmpl_bytes <= nf->cfg.mtu)
		tmpl = 1;
	if (!tmpl && nf9_pending(nf) == 0)
		return NULL;
	count = nf9_pending(nf) + (tmpl ? nf->tmpl_records : 0);
	wb_init(&w, nf->out, nf->cfg.mtu);
	nf->fmt->put_header(&w, nf, count, nf->used + (tmpl &&
	    !nf->tmpl_in_pkt ? nf->tmpl_bytes : 0), MAX(now_ms, nf->last_ms));
	if (tmpl)
		put_templates(&w, nf);
	for (i = 0; i < 4; i++)
		put_data_set(&w, nf, &nf->set[i]);
	next_packet(nf, tmpl, now_ms);
	if (w.err)
		return NULL;	/* cannot happen: nf9_add() counted it */
	*len = (size_t)(w.p - nf->out);
	return nf->out;
}

/*
 * Header, the interface options template, then one options data FlowSet
 * of IF_NAME records.  Names are cut to the field and NUL-padded.  The
 * sequence number moves as for a data packet: v9 one packet, IPFIX its
 * data records (nfdump 1.7 counts flow records only, so it reports the
 * names as lost records; Wireshark and nfacctd count them right).
 */
const uint8_t *
nf9_ifnames(struct nf9 *nf, const struct iftable_entry *ifs, size_t n,
    size_t *next, uint64_t now_ms, size_t *len)
{
	size_t per = (size_t)nf->ifscope.len + nf->ifopt.len;
	size_t tmpl = PAD4(NF9_SET_HDR_LEN + 6 + 4 * (nf->ifscope.n +
	    nf->ifopt.n));
	size_t room = nf->cfg.mtu - nf->fmt->hdr_len - tmpl - NF9_SET_HDR_LEN;
	size_t k, i, set;
	struct wbuf w;

	*len = 0;
	if (!nf->fmt->templates || *next >= n || per == 0 || room < per)
		return NULL;
	k = MIN(room / per, n - *next);
	set = NF9_SET_HDR_LEN + k * per;
	wb_init(&w, nf->out, nf->cfg.mtu);
	nf->fmt->put_header(&w, nf, (unsigned)(1 + k), nf->fmt->hdr_len +
	    tmpl + PAD4(set), now_ms);
	put_opt_tmpl_set(&w, nf, nf->ifopt_id, &nf->ifscope, &nf->ifopt);
	wb_be16(&w, nf->ifopt_id);
	wb_be16(&w, PAD4(set));
	for (i = *next; i < *next + k; i++) {
		size_t nl = MIN(nf->ifopt.f[0].len, sizeof(ifs[i].name));

		wb_uint(&w, ifs[i].index, nf->ifscope.f[0].len);
		wb_bytes(&w, (const uint8_t *)ifs[i].name, nl);
		wb_zero(&w, nf->ifopt.f[0].len - nl);
	}
	wb_zero(&w, PAD4(set) - set);
	if (w.err)
		return NULL;	/* cannot happen: room was counted */
	nf->seq += nf->fmt->version == NF9_FMT_V9 ? 1 : (uint32_t)k;
	*next += k;
	*len = (size_t)(w.p - nf->out);
	return nf->out;
}

uint32_t
nf9_template_sends(const struct nf9 *nf)
{
	return nf->tmpl_sends;
}

void
nf9_force_templates(struct nf9 *nf)
{
	nf->tmpl_force = 1;
}

void
nf9_rebase(struct nf9 *nf, uint64_t boot_ms, int64_t wall_offset_ms)
{
	nf->rebase_ms = boot_ms;
	nf->rebase_offset_ms = wall_offset_ms;
	nf->rebase_pending = 1;
	if (nf9_pending(nf) == 0)
		rebase_apply(nf);
}
