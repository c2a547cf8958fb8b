/* NetFlow v9 encoder: flow records in, RFC 3954 export packets out. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "nf9.h"
#include "nf9_fields.h"
#include "util.h"

#define NF9_VERSION		9
#define NF9_HDR_LEN		20	/* packet header, section 5.1 */
#define NF9_SET_HDR_LEN		4	/* FlowSet ID + Length */
#define NF9_TMPL_SET_ID		0	/* Template FlowSet, section 5.2 */
#define NF9_OPT_TMPL_SET_ID	1	/* Options Template FlowSet, 6.1 */
#define NF9_TMPL_ID_MIN		256	/* 0-255 are FlowSet IDs, 5.2 */

#define PROTO_ICMP		1
#define PROTO_ICMPV6		58

/* FlowSets end on a 4-byte boundary, padding counted in their Length. */
#define PAD4(n)			(((size_t)(n) + 3) & ~(size_t)3)

struct layout {
	const struct nf9_field	*f;
	size_t			 n;
};

/* Index 0 is IPv4, 1 is IPv6, as in struct nf9's set[]. */
static const struct layout data_layout[2] = {
	{ nf9_tmpl_v4, ARRAY_SIZE(nf9_tmpl_v4) },
	{ nf9_tmpl_v6, ARRAY_SIZE(nf9_tmpl_v6) },
};

/*
 * Bounded writer over the caller's buffer.  Every write checks the room
 * left; the first one that does not fit sets err and writes nothing, and
 * so does every later one, so callers check err once at the end.
 */
struct wbuf {
	uint8_t	*p;
	uint8_t	*end;
	int	 err;
};

/* One flow as the data record states it. */
struct rec_vals {
	const struct flow_rec	*r;
	uint32_t		 first;		/* ms since boot_ms */
	uint32_t		 last;
	uint16_t		 sport;
	uint16_t		 dport;
	uint16_t		 icmp;		/* type << 8 | code, or 0 */
};

static void
wb_init(struct wbuf *w, uint8_t *p, size_t n)
{
	w->p = p;
	w->end = p + n;
	w->err = 0;
}

static int
wb_room(struct wbuf *w, size_t n)
{
	if (w->err || (size_t)(w->end - w->p) < n) {
		w->err = 1;
		return 0;
	}
	return 1;
}

/* The low n bytes of v, most significant first, whatever the host order. */
static void
put_uint(struct wbuf *w, uint64_t v, size_t n)
{
	if (!wb_room(w, n))
		return;
	for (; n > 8; n--)
		*w->p++ = 0;
	while (n-- > 0)
		*w->p++ = (uint8_t)(v >> (n * 8));
}

static void
put_be16(struct wbuf *w, size_t v)
{
	put_uint(w, v, 2);
}

static void
put_bytes(struct wbuf *w, const uint8_t *src, size_t n)
{
	if (!wb_room(w, n))
		return;
	memcpy(w->p, src, n);
	w->p += n;
}

static void
put_zero(struct wbuf *w, size_t n)
{
	if (!wb_room(w, n))
		return;
	memset(w->p, 0, n);
	w->p += n;
}

static size_t
fields_len(const struct nf9_field *f, size_t n)
{
	size_t len = 0;

	while (n-- > 0)
		len += f[n].len;
	return len;
}

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
 * never hashes like a data layout with the same fields.
 */
static void
assign_ids(struct nf9 *nf)
{
	uint16_t taken[2] = { 0, 0 };
	uint32_t h;
	size_t i;

	for (i = 0; i < 2; i++) {
		h = fnv_byte(2166136261u, NF9_TMPL_SET_ID);
		h = fnv_fields(h, data_layout[i].f, data_layout[i].n);
		taken[i] = nf->set[i].tmpl_id = tmpl_id(h, taken, i);
	}
	h = fnv_byte(2166136261u, NF9_OPT_TMPL_SET_ID);
	h = fnv_byte(h, ARRAY_SIZE(nf9_opt_scope));
	h = fnv_fields(h, nf9_opt_scope, ARRAY_SIZE(nf9_opt_scope));
	h = fnv_fields(h, nf9_opt_fields, ARRAY_SIZE(nf9_opt_fields));
	nf->opt_id = tmpl_id(h, taken, 2);
}

static void
put_field_list(struct wbuf *w, const struct nf9_field *f, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		put_be16(w, f[i].type);
		put_be16(w, f[i].len);
	}
}

/*
 * Template FlowSet (section 5.2) holding both data templates.  Template
 * records are multiples of 4 bytes, so it never needs padding.
 */
static void
put_tmpl_set(struct wbuf *w, const struct nf9 *nf)
{
	size_t len = NF9_SET_HDR_LEN, i;

	for (i = 0; i < 2; i++)
		len += 4 + 4 * data_layout[i].n;
	put_be16(w, NF9_TMPL_SET_ID);
	put_be16(w, len);
	for (i = 0; i < 2; i++) {
		put_be16(w, nf->set[i].tmpl_id);
		put_be16(w, data_layout[i].n);
		put_field_list(w, data_layout[i].f, data_layout[i].n);
	}
}

/*
 * Options Template FlowSet (section 6.1).  Unlike a template record it
 * gives the scope and option lengths in bytes of (type, length) pairs, not
 * as field counts, and its 6-byte head leaves 2 bytes of padding.
 */
static void
put_opt_tmpl_set(struct wbuf *w, const struct nf9 *nf)
{
	size_t ns = ARRAY_SIZE(nf9_opt_scope), no = ARRAY_SIZE(nf9_opt_fields);
	size_t len = NF9_SET_HDR_LEN + 6 + 4 * (ns + no);

	put_be16(w, NF9_OPT_TMPL_SET_ID);
	put_be16(w, PAD4(len));
	put_be16(w, nf->opt_id);
	put_be16(w, 4 * ns);
	put_be16(w, 4 * no);
	put_field_list(w, nf9_opt_scope, ns);
	put_field_list(w, nf9_opt_fields, no);
	put_zero(w, PAD4(len) - len);
}

static uint64_t
scope_value(const struct nf9 *nf, unsigned type)
{
	switch (type) {
	case NF9_SCOPE_SYSTEM:
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
	size_t ns = ARRAY_SIZE(nf9_opt_scope), no = ARRAY_SIZE(nf9_opt_fields);
	size_t len, i;

	len = NF9_SET_HDR_LEN + fields_len(nf9_opt_scope, ns) +
	    fields_len(nf9_opt_fields, no);
	put_be16(w, nf->opt_id);
	put_be16(w, PAD4(len));
	for (i = 0; i < ns; i++)
		put_uint(w, scope_value(nf, nf9_opt_scope[i].type),
		    nf9_opt_scope[i].len);
	for (i = 0; i < no; i++)
		put_uint(w, option_value(nf, nf9_opt_fields[i].type),
		    nf9_opt_fields[i].len);
	put_zero(w, PAD4(len) - len);
}

/* Everything a collector needs before data; returns the records written. */
static unsigned
put_templates(struct wbuf *w, const struct nf9 *nf)
{
	put_tmpl_set(w, nf);
	put_opt_tmpl_set(w, nf);
	put_opt_data_set(w, nf);
	return 2 + 1 + 1;
}

/*
 * Times are offsets from boot_ms, modulo 2^32 as sysUptime is (RFC 3954
 * section 5.1).  ICMP and ICMPv6 keys hold type << 8 | code in dport
 * (flow.h); it goes to ICMP_TYPE and both ports are exported as 0.
 */
static void
rec_vals(struct rec_vals *v, const struct nf9 *nf, const struct flow_rec *r)
{
	v->r = r;
	v->first = (uint32_t)(r->first_ms - nf->boot_ms);
	v->last = (uint32_t)(r->last_ms - nf->boot_ms);
	if (r->key.proto == PROTO_ICMP || r->key.proto == PROTO_ICMPV6) {
		v->sport = 0;
		v->dport = 0;
		v->icmp = r->key.dport;
	} else {
		v->sport = r->key.sport;
		v->dport = r->key.dport;
		v->icmp = 0;
	}
}

static void
put_addr(struct wbuf *w, const uint8_t *a, size_t asz, size_t len)
{
	if (len > asz)
		w->err = 1;
	else
		put_bytes(w, a, len);
}

/* One field of a data record, as the field table asks for it. */
static void
put_data_field(struct wbuf *w, const struct nf9_field *f,
    const struct rec_vals *v)
{
	const struct flow_key *k = &v->r->key;

	switch (f->type) {
	case NF9_IPV4_SRC_ADDR:
	case NF9_IPV6_SRC_ADDR:
		put_addr(w, k->src, sizeof(k->src), f->len);
		break;
	case NF9_IPV4_DST_ADDR:
	case NF9_IPV6_DST_ADDR:
		put_addr(w, k->dst, sizeof(k->dst), f->len);
		break;
	case NF9_INPUT_SNMP:
		put_uint(w, k->ifindex, f->len);
		break;
	case NF9_IN_PKTS:
		put_uint(w, v->r->packets, f->len);
		break;
	case NF9_IN_BYTES:
		put_uint(w, v->r->bytes, f->len);
		break;
	case NF9_FIRST_SWITCHED:
		put_uint(w, v->first, f->len);
		break;
	case NF9_LAST_SWITCHED:
		put_uint(w, v->last, f->len);
		break;
	case NF9_L4_SRC_PORT:
		put_uint(w, v->sport, f->len);
		break;
	case NF9_L4_DST_PORT:
		put_uint(w, v->dport, f->len);
		break;
	case NF9_ICMP_TYPE:
		put_uint(w, v->icmp, f->len);
		break;
	case NF9_TCP_FLAGS:
		put_uint(w, v->r->tcp_flags, f->len);
		break;
	case NF9_PROTOCOL:
		put_uint(w, k->proto, f->len);
		break;
	case NF9_SRC_TOS:
		put_uint(w, v->r->tos, f->len);
		break;
	default:		/* OUTPUT_SNMP: egress is not known yet */
		put_zero(w, f->len);
		break;
	}
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
static void
put_header(struct wbuf *w, const struct nf9 *nf, unsigned count,
    uint64_t now_ms)
{
	uint64_t wall = (uint64_t)nf->wall_offset_ms;	/* mod 2^64 */
	uint64_t t = now_ms + wall + 999;

	t -= t % 1000;
	put_be16(w, NF9_VERSION);
	put_be16(w, count);
	put_uint(w, (uint32_t)(t - (nf->boot_ms + wall)), 4);
	put_uint(w, (uint32_t)(t / 1000), 4);
	put_uint(w, nf->seq, 4);
	put_uint(w, nf->cfg.source_id, 4);
}

/* A staged data FlowSet (section 5.3): header, records, zero padding. */
static void
put_data_set(struct wbuf *w, const struct nf9_set *s)
{
	size_t len = NF9_SET_HDR_LEN + s->len;

	if (s->nrec == 0)
		return;
	put_be16(w, s->tmpl_id);
	put_be16(w, PAD4(len));
	put_bytes(w, s->rec, s->len);
	put_zero(w, PAD4(len) - len);
}

static void
rebase_apply(struct nf9 *nf)
{
	nf->boot_ms = nf->rebase_ms;
	nf->rebase_pending = 0;
	nf->tmpl_force = 1;
}

static void
next_packet(struct nf9 *nf, int had_tmpl, uint64_t now_ms)
{
	nf->seq++;
	if (had_tmpl) {
		nf->tmpl_ever_sent = 1;
		nf->tmpl_force = 0;
		nf->tmpl_sent_ms = now_ms;
		nf->pkts_since_tmpl = 1;
	} else if (nf->pkts_since_tmpl < UINT32_MAX)
		nf->pkts_since_tmpl++;
	nf->set[0].len = nf->set[0].nrec = 0;
	nf->set[1].len = nf->set[1].nrec = 0;
	nf->tmpl_in_pkt = 0;
	nf->used = NF9_HDR_LEN;
	nf->last_ms = 0;
	if (nf->rebase_pending)
		rebase_apply(nf);
}

size_t
nf9_buf_bytes(uint16_t mtu)
{
	/* The packet, then one staging area per data template. */
	return 3 * (size_t)mtu;
}

int
nf9_init(struct nf9 *nf, const struct nf9_cfg *cfg, uint8_t *buf,
    size_t bufsz, uint64_t boot_ms, int64_t wall_offset_ms)
{
	struct wbuf w;
	size_t i, max_set = 0;

	if (cfg->mtu < NF9_MTU_MIN || cfg->mtu > NF9_MTU_MAX || buf == NULL ||
	    bufsz < nf9_buf_bytes(cfg->mtu)) {
		errno = EINVAL;
		return -1;
	}
	memset(nf, 0, sizeof(*nf));
	nf->cfg = *cfg;
	nf->boot_ms = boot_ms;
	nf->wall_offset_ms = wall_offset_ms;
	nf->out = buf;
	for (i = 0; i < 2; i++) {
		nf->set[i].rec = buf + (i + 1) * cfg->mtu;
		nf->set[i].cap = cfg->mtu;
		nf->set[i].reclen = (uint16_t)fields_len(data_layout[i].f,
		    data_layout[i].n);
		max_set = MAX(max_set,
		    PAD4(NF9_SET_HDR_LEN + nf->set[i].reclen));
	}
	assign_ids(nf);
	/*
	 * Size the template block by writing it once with the code that will
	 * write it later, so the accounting in nf9_add() cannot drift from it.
	 */
	wb_init(&w, nf->out, cfg->mtu);
	nf->tmpl_records = (uint16_t)put_templates(&w, nf);
	nf->tmpl_bytes = (uint16_t)(w.p - nf->out);
	nf->used = NF9_HDR_LEN;
	if (w.err || NF9_HDR_LEN + nf->tmpl_bytes + max_set > cfg->mtu) {
		errno = EINVAL;
		return -1;
	}
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
	const struct layout *l;
	struct nf9_set *s;
	struct rec_vals v;
	struct wbuf w;
	size_t used, i;
	int tmpl;

	if (r->key.ipver != 4 && r->key.ipver != 6)
		return -1;
	l = &data_layout[r->key.ipver == 6];
	s = &nf->set[r->key.ipver == 6];
	used = nf->used;
	tmpl = nf->tmpl_in_pkt;
	if (!tmpl && nf9_templates_due(nf, now_ms)) {
		tmpl = 1;
		used += nf->tmpl_bytes;
	}
	used += PAD4(NF9_SET_HDR_LEN + s->len + s->reclen);
	if (s->nrec > 0)
		used -= PAD4(NF9_SET_HDR_LEN + s->len);
	if (used > nf->cfg.mtu)
		return 0;
	rec_vals(&v, nf, r);
	wb_init(&w, s->rec + s->len, (size_t)(s->cap - s->len));
	for (i = 0; i < l->n; i++)
		put_data_field(&w, &l->f[i], &v);
	if (w.err)
		return -1;	/* a field table at odds with flow_rec */
	s->len += s->reclen;
	s->nrec++;
	nf->used = used;
	nf->tmpl_in_pkt = tmpl;
	nf->last_ms = MAX(nf->last_ms, r->last_ms);
	return 1;
}

unsigned
nf9_pending(const struct nf9 *nf)
{
	return (unsigned)nf->set[0].nrec + nf->set[1].nrec;
}

/*
 * A probe clock that steps back (replay jitter) does not count as time
 * passed; a real step is followed by nf9_rebase(), which forces them.
 */
int
nf9_templates_due(const struct nf9 *nf, uint64_t now_ms)
{
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
 * Header, then templates if they are in, then the IPv4 and the IPv6 data
 * FlowSet: one per template however records were interleaved.  Count is
 * every record in the packet, template and options ones included (section
 * 5.1).  The clock used is at least the latest record end, so sysUptime
 * covers every LAST_SWITCHED even if the caller's now lags.
 */
const uint8_t *
nf9_finish(struct nf9 *nf, uint64_t now_ms, size_t *len)
{
	struct wbuf w;
	unsigned count;
	int tmpl = nf->tmpl_in_pkt;

	*len = 0;
	if (!tmpl && nf9_templates_due(nf, now_ms) &&
	    nf->used + nf->tmpl_bytes <= nf->cfg.mtu)
		tmpl = 1;
	if (!tmpl && nf9_pending(nf) == 0)
		return NULL;
	count = nf9_pending(nf) + (tmpl ? nf->tmpl_records : 0);
	wb_init(&w, nf->out, nf->cfg.mtu);
	put_header(&w, nf, count, MAX(now_ms, nf->last_ms));
	if (tmpl)
		put_templates(&w, nf);
	put_data_set(&w, &nf->set[0]);
	put_data_set(&w, &nf->set[1]);
	next_packet(nf, tmpl, now_ms);
	if (w.err)
		return NULL;	/* cannot happen: nf9_add() counted it */
	*len = (size_t)(w.p - nf->out);
	return nf->out;
}

void
nf9_force_templates(struct nf9 *nf)
{
	nf->tmpl_force = 1;
}

void
nf9_rebase(struct nf9 *nf, uint64_t boot_ms)
{
	nf->rebase_ms = boot_ms;
	nf->rebase_pending = 1;
	if (nf9_pending(nf) == 0)
		rebase_apply(nf);
}

void
nf9_set_wall_offset(struct nf9 *nf, int64_t wall_offset_ms)
{
	nf->wall_offset_ms = wall_offset_ms;
}
