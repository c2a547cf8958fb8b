/*
 * Unit tests for decode: hand-built frames for every link type and header
 * chain, checked field by field, then each frame cut at every length.
 */
#include <stdlib.h>

#include "decode.h"
#include "tap.h"

/* pcap link types (LINKTYPE_* numbers) */
#define LT_NULL		0
#define LT_EN10MB	1
#define LT_PPP		9
#define LT_RAW12	12
#define LT_RAW14	14
#define LT_PPP_HDLC	50
#define LT_RAW		101
#define LT_C_HDLC	104
#define LT_LOOP		108
#define LT_LINUX_SLL	113
#define LT_IPV4		228
#define LT_IPV6		229
#define LT_LINUX_SLL2	276

#define IFINDEX		7

static const uint8_t v4src[4] = { 192, 0, 2, 1 };
static const uint8_t v4dst[4] = { 198, 51, 100, 2 };
static const uint8_t v6src[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
static const uint8_t v6dst[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 };

struct frame {
	uint8_t		b[2048];
	size_t		n;
	size_t		l3;	/* offset of the (last) IP header */
};

/* What a frame must decode to; for a skip only r is checked. */
struct want {
	enum decode_result r;
	uint8_t		ipver;
	uint8_t		proto;
	uint16_t	sport;
	uint16_t	dport;
	uint32_t	bytes;
	uint8_t		tcp_flags;
	uint8_t		tos;
	uint8_t		notes;
};

#define W(...)	(&(struct want){ __VA_ARGS__ })

static void
put(struct frame *f, const void *p, size_t n)
{
	if (n > sizeof(f->b) - f->n)
		abort();
	memcpy(f->b + f->n, p, n);
	f->n += n;
}

static void
fill(struct frame *f, size_t n, uint8_t v)
{
	if (n > sizeof(f->b) - f->n)
		abort();
	memset(f->b + f->n, v, n);
	f->n += n;
}

static void
put8(struct frame *f, unsigned v)
{
	uint8_t b = (uint8_t)v;

	put(f, &b, 1);
}

static void
put16(struct frame *f, unsigned v)
{
	put8(f, v >> 8);
	put8(f, v);
}

static void
put32(struct frame *f, uint32_t v)
{
	put16(f, v >> 16);
	put16(f, v & 0xffff);
}

static void
eth(struct frame *f, unsigned et)
{
	static const uint8_t macs[12] = {
		0x02, 0, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 2
	};

	put(f, macs, sizeof(macs));
	put16(f, et);
}

/* One 802.1Q-style tag: TCI, then the inner ethertype. */
static void
tag(struct frame *f, unsigned vid, unsigned et)
{
	put16(f, 0x2000 | vid);
	put16(f, et);
}

static void
pppoe(struct frame *f, unsigned proto, int compressed)
{
	put8(f, 0x11);		/* version 1, type 1 */
	put8(f, 0);		/* code: session data */
	put16(f, 0x0042);	/* session id */
	put16(f, 0);		/* length: not looked at */
	if (compressed)
		put8(f, proto);
	else
		put16(f, proto);
}

static void
mpls(struct frame *f, unsigned label, int bos)
{
	put32(f, (uint32_t)label << 12 | (bos ? 0x100 : 0) | 64);
}

static void
sll(struct frame *f, unsigned proto)
{
	put16(f, 0);		/* to us */
	put16(f, 1);		/* ARPHRD_ETHER */
	put16(f, 6);
	fill(f, 8, 0x02);
	put16(f, proto);
}

static void
sll2(struct frame *f, unsigned proto)
{
	put16(f, proto);
	put16(f, 0);
	put32(f, 3);		/* ifindex */
	put16(f, 1);		/* ARPHRD_ETHER */
	put8(f, 0);
	put8(f, 6);
	fill(f, 8, 0x02);
}

static void
null_af(struct frame *f, uint32_t af, int big_endian)
{
	if (big_endian)
		put32(f, af);
	else {
		put16(f, (af & 0xff) << 8 | (af >> 8 & 0xff));
		put16(f, (af >> 16 & 0xff) << 8 | af >> 24);
	}
}

/* IPv4 header with hl 32-bit words; options are NOPs.  Length 0 for now. */
static void
ipv4(struct frame *f, unsigned proto, unsigned frag, unsigned tos,
    unsigned hl)
{
	f->l3 = f->n;
	put8(f, 0x40 | hl);
	put8(f, tos);
	put16(f, 0);
	put16(f, 0x1234);
	put16(f, frag);
	put8(f, 64);
	put8(f, proto);
	put16(f, 0);
	put(f, v4src, 4);
	put(f, v4dst, 4);
	if (hl > 5)
		fill(f, (hl - 5) * 4, 1);
}

static void
ipv6(struct frame *f, unsigned nxt, unsigned tclass)
{
	f->l3 = f->n;
	put32(f, 6u << 28 | (uint32_t)tclass << 20 | 0x12345);
	put16(f, 0);
	put8(f, nxt);
	put8(f, 64);
	put(f, v6src, 16);
	put(f, v6dst, 16);
}

/* Set the IP length field from what has been built so far. */
static void
ip_len(struct frame *f)
{
	size_t len = f->n - f->l3;

	if (f->b[f->l3] >> 4 == 6)
		len -= 40;
	f->b[f->l3 + (f->b[f->l3] >> 4 == 6 ? 4 : 2)] = (uint8_t)(len >> 8);
	f->b[f->l3 + (f->b[f->l3] >> 4 == 6 ? 5 : 3)] = (uint8_t)len;
}

/* A generic extension header of (len + 1) * 8 bytes, zero (Pad1) filled. */
static void
ext6(struct frame *f, unsigned next, unsigned len)
{
	put8(f, next);
	put8(f, len);
	fill(f, (len + 1) * 8 - 2, 0);
}

/* AH: (len + 2) * 4 bytes. */
static void
ah6(struct frame *f, unsigned next, unsigned len)
{
	put8(f, next);
	put8(f, len);
	fill(f, (len + 2) * 4 - 2, 0xa5);
}

static void
frag6(struct frame *f, unsigned next, unsigned off8, int more)
{
	put8(f, next);
	put8(f, 0);
	put16(f, off8 << 3 | (more ? 1 : 0));
	put32(f, 0xdeadbeef);
}

static void
tcp(struct frame *f, unsigned sport, unsigned dport, unsigned flags)
{
	put16(f, sport);
	put16(f, dport);
	put32(f, 1000);
	put32(f, 2000);
	put8(f, 0x50);
	put8(f, flags);
	put16(f, 65535);
	put32(f, 0);
}

static void
udp(struct frame *f, unsigned sport, unsigned dport)
{
	put16(f, sport);
	put16(f, dport);
	put16(f, 12);
	put16(f, 0);
	put32(f, 0x11223344);
}

static void
icmp(struct frame *f, unsigned type, unsigned code)
{
	put8(f, type);
	put8(f, code);
	put16(f, 0);
	put32(f, 0x00010001);
}

/* L3 bytes of a frame whose IP length was set by ip_len(). */
static uint32_t
l3len(const struct frame *f)
{
	return (uint32_t)(f->n - f->l3);
}

/* Decode the first caplen bytes of f from an exact-size heap copy. */
static enum decode_result
run(int dlt, const struct frame *f, size_t caplen, uint32_t wirelen,
    struct flow_key *key, struct pkt_meta *meta)
{
	struct pkt p;
	enum decode_result r;
	uint8_t *buf = malloc(caplen ? caplen : 1);

	if (buf == NULL)
		abort();
	memcpy(buf, f->b, caplen);
	memset(&p, 0, sizeof(p));
	p.data = buf;
	p.caplen = (uint32_t)caplen;
	p.wirelen = wirelen;
	p.ifindex = IFINDEX;
	p.dlt = dlt;
	/* dirty outputs: decode must clear every byte itself */
	memset(key, 0xa5, sizeof(*key));
	memset(meta, 0xa5, sizeof(*meta));
	r = decode_packet(&p, key, meta);
	free(buf);
	return r;
}

static void
want_key(struct flow_key *k, const struct want *w)
{
	memset(k, 0, sizeof(*k));
	if (w->ipver == 4) {
		memcpy(k->src, v4src, 4);
		memcpy(k->dst, v4dst, 4);
	} else {
		memcpy(k->src, v6src, 16);
		memcpy(k->dst, v6dst, 16);
	}
	k->ifindex = IFINDEX;
	k->sport = w->sport;
	k->dport = w->dport;
	k->proto = w->proto;
	k->ipver = w->ipver;
}

/* Order of the results a frame goes through as more of it is captured. */
static int
rank(enum decode_result r, enum decode_result full)
{
	if (r == full)
		return 3;
	switch (r) {
	case DECODE_SKIP_TRUNC_L2:
		return 0;
	case DECODE_SKIP_TRUNC_IP:
		return 1;
	case DECODE_SKIP_BAD_IPV4_HDR:
		return 2;
	default:
		return -1;
	}
}

#define CUT_NOTES	(DECODE_NOTE_L4_TRUNC | DECODE_NOTE_EXT_TRUNC)

/* A decode of a cut frame that succeeded must agree with the whole one. */
static int
cut_agrees(const struct flow_key *k, const struct pkt_meta *m,
    const struct flow_key *fk, const struct pkt_meta *fm)
{
	int cut = (m->notes & CUT_NOTES) != 0;

	if (memcmp(k->src, fk->src, 16) || memcmp(k->dst, fk->dst, 16) ||
	    k->ipver != fk->ipver || k->ifindex != fk->ifindex ||
	    k->pad || k->direction || m->pad)
		return 0;
	if (m->bytes != fm->bytes || m->tos != fm->tos ||
	    (m->notes & DECODE_NOTE_LEN_FRAME) !=
	    (fm->notes & DECODE_NOTE_LEN_FRAME))
		return 0;
	if (k->proto != fk->proto && !(m->notes & DECODE_NOTE_EXT_TRUNC))
		return 0;
	if ((k->sport != fk->sport || k->dport != fk->dport) &&
	    !(cut && k->sport == 0 && k->dport == 0))
		return 0;
	return m->tcp_flags == fm->tcp_flags || m->tcp_flags == 0;
}

/*
 * Cut f at every length 0..n-1 (wirelen stays the whole frame's, as with a
 * snap length).  Each cut must decode without reading past caplen (ASan
 * checks, the copy is exact), to a truncation skip or to what the whole
 * frame decodes to, moving only forward through them as the cut grows.
 */
static void
sweep(const char *name, int dlt, const struct frame *f, uint32_t wirelen)
{
	struct flow_key fk, k;
	struct pkt_meta fm, m;
	enum decode_result full, r = DECODE_OK;
	size_t cut;
	int last = 0, bad = 0;

	full = run(dlt, f, f->n, wirelen, &fk, &fm);
	for (cut = 0; cut < f->n && !bad; cut++) {
		r = run(dlt, f, cut, wirelen, &k, &m);
		if (rank(r, full) < last)
			bad = 1;
		else if (r == DECODE_OK && full == DECODE_OK &&
		    !cut_agrees(&k, &m, &fk, &fm))
			bad = 1;
		else
			last = rank(r, full);
	}
	if (!ok(!bad, "%s: each of the %zu shorter cuts", name, f->n))
		diag("  at %zu: %s after %d (whole frame: %s)", cut - 1,
		    decode_result_name(r), last, decode_result_name(full));
}

/* Decode the whole frame, compare with w exactly, then sweep the cuts. */
static void
check_wl(const char *name, int dlt, const struct frame *f, uint32_t wirelen,
    const struct want *w)
{
	struct flow_key key, wk;
	struct pkt_meta meta;
	enum decode_result r;

	r = run(dlt, f, f->n, wirelen, &key, &meta);
	if (!ok(r == w->r, "%s: %s", name, decode_result_name(w->r)))
		diag("  got %s", decode_result_name(r));
	if (r == DECODE_OK && w->r == DECODE_OK) {
		want_key(&wk, w);
		is_mem(&key, sizeof(key), &wk, sizeof(wk), "  key");
		if (meta.bytes != w->bytes || meta.tcp_flags != w->tcp_flags ||
		    meta.tos != w->tos || meta.notes != w->notes ||
		    meta.pad != 0) {
			ok(0, "  meta");
			diag("got bytes %u flags %#x tos %#x notes %#x pad %u",
			    meta.bytes, meta.tcp_flags, meta.tos, meta.notes,
			    meta.pad);
			diag("want bytes %u flags %#x tos %#x notes %#x",
			    w->bytes, w->tcp_flags, w->tos, w->notes);
		} else
			ok(1, "  meta");
	}
	sweep(name, dlt, f, wirelen);
}

static void
check(const char *name, int dlt, const struct frame *f, const struct want *w)
{
	check_wl(name, dlt, f, (uint32_t)f->n, w);
}

/* The IPv4 TCP and IPv6 UDP payloads most link tests carry. */
static void
v4tcp(struct frame *f)
{
	ipv4(f, 6, 0, 0x10, 5);
	tcp(f, 40000, 443, 0x18);
	ip_len(f);
}

static void
v6udp(struct frame *f)
{
	ipv6(f, 17, 0xb8);
	udp(f, 5353, 53);
	ip_len(f);
}

#define V4TCP(...)	W(.ipver = 4, .proto = 6, .sport = 40000, \
			    .dport = 443, .bytes = 40, .tcp_flags = 0x18, \
			    .tos = 0x10, __VA_ARGS__)
#define V6UDP(...)	W(.ipver = 6, .proto = 17, .sport = 5353, \
			    .dport = 53, .bytes = 52, .tos = 0xb8, __VA_ARGS__)

static void
test_ethernet(void)
{
	struct frame f;
	int i;

	f.n = 0;
	eth(&f, 0x0800);
	v4tcp(&f);
	check("eth/ipv4/tcp", LT_EN10MB, &f, V4TCP());

	f.n = 0;
	eth(&f, 0x86dd);
	v6udp(&f);
	check("eth/ipv6/udp", LT_EN10MB, &f, V6UDP());

	/* padded to the 60-byte minimum: bytes stay the IP length */
	f.n = 0;
	eth(&f, 0x0800);
	ipv4(&f, 17, 0, 0, 5);
	udp(&f, 123, 123);
	ip_len(&f);
	fill(&f, 60 - f.n, 0);
	check("eth/ipv4/udp padded", LT_EN10MB, &f, W(.ipver = 4,
	    .proto = 17, .sport = 123, .dport = 123, .bytes = 32));

	f.n = 0;
	eth(&f, 0x8100);
	tag(&f, 10, 0x0800);
	v4tcp(&f);
	check("eth/vlan/ipv4", LT_EN10MB, &f, V4TCP());

	f.n = 0;
	eth(&f, 0x88a8);
	tag(&f, 100, 0x8100);
	tag(&f, 10, 0x86dd);
	v6udp(&f);
	check("eth/qinq/ipv6", LT_EN10MB, &f, V6UDP());

	f.n = 0;
	eth(&f, 0x9100);
	tag(&f, 1, 0x9200);
	tag(&f, 2, 0x8100);
	tag(&f, 3, 0x0800);
	ipv4(&f, 1, 0, 0, 5);
	icmp(&f, 8, 0);
	ip_len(&f);
	check("eth/9100+9200+8100/ipv4/icmp", LT_EN10MB, &f, W(.ipver = 4,
	    .proto = 1, .dport = 0x0800, .bytes = 28));

	f.n = 0;
	eth(&f, 0x8100);
	for (i = 1; i < 8; i++)
		tag(&f, i, 0x8100);
	tag(&f, 8, 0x0800);
	v4tcp(&f);
	check("eth/8 tags/ipv4", LT_EN10MB, &f, V4TCP());

	f.n = 0;
	eth(&f, 0x8100);
	for (i = 1; i < 9; i++)
		tag(&f, i, 0x88a8);
	tag(&f, 9, 0x0800);
	v4tcp(&f);
	check("eth/9 tags", LT_EN10MB, &f, W(.r = DECODE_SKIP_TOO_DEEP));

	f.n = 0;
	eth(&f, 0x0806);
	fill(&f, 28, 0);
	check("eth/arp", LT_EN10MB, &f, W(.r = DECODE_SKIP_NOT_IP));

	f.n = 0;
	eth(&f, 46);		/* 802.3 length, LLC follows */
	fill(&f, 46, 0x42);
	check("eth/802.3 llc", LT_EN10MB, &f, W(.r = DECODE_SKIP_NOT_IP));

	f.n = 0;
	eth(&f, 0x0800);
	v6udp(&f);
	check("eth/0800 carrying ipv6", LT_EN10MB, &f,
	    W(.r = DECODE_SKIP_BAD_VERSION));

	f.n = 0;
	eth(&f, 0x86dd);
	v4tcp(&f);
	check("eth/86dd carrying ipv4", LT_EN10MB, &f,
	    W(.r = DECODE_SKIP_BAD_VERSION));

	f.n = 0;
	eth(&f, 0x0800);
	check("eth header only", LT_EN10MB, &f, W(.r = DECODE_SKIP_TRUNC_IP));
}

static void
test_pppoe(void)
{
	struct frame f;

	f.n = 0;
	eth(&f, 0x8864);
	pppoe(&f, 0x0021, 0);
	v4tcp(&f);
	check("pppoe/0021/ipv4", LT_EN10MB, &f, V4TCP());

	f.n = 0;
	eth(&f, 0x8864);
	pppoe(&f, 0x0057, 0);
	v6udp(&f);
	check("pppoe/0057/ipv6", LT_EN10MB, &f, V6UDP());

	f.n = 0;
	eth(&f, 0x8864);
	pppoe(&f, 0x21, 1);
	v4tcp(&f);
	check("pppoe/compressed 21/ipv4", LT_EN10MB, &f, V4TCP());

	f.n = 0;
	eth(&f, 0x8864);
	pppoe(&f, 0x57, 1);
	ipv6(&f, 58, 0);
	icmp(&f, 128, 0);
	ip_len(&f);
	check("pppoe/compressed 57/ipv6/icmpv6", LT_EN10MB, &f, W(.ipver = 6,
	    .proto = 58, .dport = 0x8000, .bytes = 48));

	f.n = 0;
	eth(&f, 0x8864);
	pppoe(&f, 0xc021, 0);
	fill(&f, 10, 0);
	check("pppoe/lcp", LT_EN10MB, &f, W(.r = DECODE_SKIP_NOT_IP));

	f.n = 0;
	eth(&f, 0x88a8);
	tag(&f, 100, 0x8100);
	tag(&f, 10, 0x8864);
	pppoe(&f, 0x0021, 0);
	v4tcp(&f);
	check("qinq/pppoe/ipv4", LT_EN10MB, &f, V4TCP());

	f.n = 0;
	eth(&f, 0x8863);	/* discovery stage */
	pppoe(&f, 0x0101, 0);
	check("pppoe discovery", LT_EN10MB, &f, W(.r = DECODE_SKIP_NOT_IP));
}

static void
test_mpls(void)
{
	struct frame f;
	int i;

	f.n = 0;
	eth(&f, 0x8847);
	mpls(&f, 16, 1);
	v4tcp(&f);
	check("mpls/1 label/ipv4", LT_EN10MB, &f, V4TCP());

	f.n = 0;
	eth(&f, 0x8848);
	mpls(&f, 16, 0);
	mpls(&f, 17, 0);
	mpls(&f, 18, 1);
	v6udp(&f);
	check("mpls mc/3 labels/ipv6", LT_EN10MB, &f, V6UDP());

	f.n = 0;
	eth(&f, 0x8100);
	tag(&f, 5, 0x8847);
	mpls(&f, 100, 1);
	v4tcp(&f);
	check("vlan/mpls/ipv4", LT_EN10MB, &f, V4TCP());

	f.n = 0;
	eth(&f, 0x8847);
	for (i = 0; i < 16; i++)
		mpls(&f, 100 + i, i == 15);
	v6udp(&f);
	check("mpls/16 labels", LT_EN10MB, &f, V6UDP());

	f.n = 0;
	eth(&f, 0x8847);
	for (i = 0; i < 17; i++)
		mpls(&f, 100 + i, i == 16);
	v6udp(&f);
	check("mpls/17 labels", LT_EN10MB, &f, W(.r = DECODE_SKIP_TOO_DEEP));

	/* a pseudowire control word starts with nibble 0 */
	f.n = 0;
	eth(&f, 0x8847);
	mpls(&f, 16, 1);
	put32(&f, 0);
	eth(&f, 0x0800);
	v4tcp(&f);
	check("mpls/pseudowire", LT_EN10MB, &f,
	    W(.r = DECODE_SKIP_BAD_VERSION));

	f.n = 0;
	eth(&f, 0x8847);
	mpls(&f, 16, 1);
	check("mpls/nothing after", LT_EN10MB, &f,
	    W(.r = DECODE_SKIP_TRUNC_L2));
}

static void
test_sll(void)
{
	struct frame f;

	f.n = 0;
	sll(&f, 0x0800);
	v4tcp(&f);
	check("sll/ipv4", LT_LINUX_SLL, &f, V4TCP());

	f.n = 0;
	sll(&f, 0x86dd);
	v6udp(&f);
	check("sll/ipv6", LT_LINUX_SLL, &f, V6UDP());

	f.n = 0;
	sll(&f, 0x8100);
	tag(&f, 10, 0x0800);
	v4tcp(&f);
	check("sll/vlan/ipv4", LT_LINUX_SLL, &f, V4TCP());

	f.n = 0;
	sll(&f, 0x0806);
	fill(&f, 28, 0);
	check("sll/arp", LT_LINUX_SLL, &f, W(.r = DECODE_SKIP_NOT_IP));

	f.n = 0;
	sll2(&f, 0x86dd);
	v6udp(&f);
	check("sll2/ipv6", LT_LINUX_SLL2, &f, V6UDP());

	f.n = 0;
	sll2(&f, 0x0800);
	v4tcp(&f);
	check("sll2/ipv4", LT_LINUX_SLL2, &f, V4TCP());

	f.n = 0;
	sll2(&f, 0x8847);
	mpls(&f, 20, 1);
	v4tcp(&f);
	check("sll2/mpls/ipv4", LT_LINUX_SLL2, &f, V4TCP());

	f.n = 0;
	sll2(&f, 0x8864);
	pppoe(&f, 0x57, 1);
	v6udp(&f);
	check("sll2/pppoe/ipv6", LT_LINUX_SLL2, &f, V6UDP());
}

static void
test_null(void)
{
	static const uint32_t af6[] = { 10, 24, 28, 30 };
	char name[64];
	struct frame f;
	size_t i;
	int be;

	for (be = 0; be < 2; be++) {
		f.n = 0;
		null_af(&f, 2, be);
		v4tcp(&f);
		snprintf(name, sizeof(name), "null/af 2 %s/ipv4",
		    be ? "big" : "little");
		check(name, LT_NULL, &f, V4TCP());
		for (i = 0; i < sizeof(af6) / sizeof(af6[0]); i++) {
			f.n = 0;
			null_af(&f, af6[i], be);
			v6udp(&f);
			snprintf(name, sizeof(name), "null/af %u %s/ipv6",
			    (unsigned)af6[i], be ? "big" : "little");
			check(name, LT_NULL, &f, V6UDP());
		}
	}

	f.n = 0;
	null_af(&f, 2, 1);
	v4tcp(&f);
	check("loop/af 2/ipv4", LT_LOOP, &f, V4TCP());

	f.n = 0;
	null_af(&f, 24, 1);
	v6udp(&f);
	check("loop/af 24/ipv6", LT_LOOP, &f, V6UDP());

	f.n = 0;
	null_af(&f, 7, 0);
	fill(&f, 30, 0x45);
	check("null/af 7", LT_NULL, &f, W(.r = DECODE_SKIP_NOT_IP));

	f.n = 0;
	null_af(&f, 0x00020000, 0);
	v4tcp(&f);
	check("null/af 0x20000", LT_NULL, &f, W(.r = DECODE_SKIP_NOT_IP));

	f.n = 0;
	null_af(&f, 2, 0);
	v6udp(&f);
	check("null/af 2 carrying ipv6", LT_NULL, &f,
	    W(.r = DECODE_SKIP_BAD_VERSION));

	f.n = 0;
	null_af(&f, 30, 0);
	check("null/header only", LT_NULL, &f, W(.r = DECODE_SKIP_TRUNC_L2));
}

static void
test_raw_ppp(void)
{
	struct frame f;

	f.n = 0;
	v4tcp(&f);
	check("raw 12/ipv4", LT_RAW12, &f, V4TCP());
	check("raw 101/ipv4", LT_RAW, &f, V4TCP());
	check("ipv4 228/ipv4", LT_IPV4, &f, V4TCP());
	check("ipv6 229/ipv4", LT_IPV6, &f, W(.r = DECODE_SKIP_BAD_VERSION));

	f.n = 0;
	v6udp(&f);
	check("raw 14/ipv6", LT_RAW14, &f, V6UDP());
	check("raw 101/ipv6", LT_RAW, &f, V6UDP());
	check("ipv6 229/ipv6", LT_IPV6, &f, V6UDP());
	check("ipv4 228/ipv6", LT_IPV4, &f, W(.r = DECODE_SKIP_BAD_VERSION));

	f.n = 0;
	put8(&f, 0x55);
	fill(&f, 39, 0);
	check("raw/version 5", LT_RAW, &f, W(.r = DECODE_SKIP_BAD_VERSION));

	f.n = 0;
	check("raw/empty", LT_RAW, &f, W(.r = DECODE_SKIP_TRUNC_L2));
	check("ipv4 228/empty", LT_IPV4, &f, W(.r = DECODE_SKIP_TRUNC_IP));

	f.n = 0;
	put16(&f, 0xff03);
	put16(&f, 0x0021);
	v4tcp(&f);
	check("ppp/ff03/ipv4", LT_PPP, &f, V4TCP());

	f.n = 0;
	put16(&f, 0x0057);
	v6udp(&f);
	check("ppp/ipv6", LT_PPP, &f, V6UDP());

	f.n = 0;
	put16(&f, 0xff03);
	put16(&f, 0xc021);
	fill(&f, 10, 0);
	check("ppp/lcp", LT_PPP, &f, W(.r = DECODE_SKIP_NOT_IP));
}

/* PPP with compressed fields, and MPLS over PPP and PPPoE (RFC 3032 4.3). */
static void
test_ppp_more(void)
{
	struct frame f;
	unsigned i;

	f.n = 0;
	put16(&f, 0xff03);
	put8(&f, 0x21);
	v4tcp(&f);
	check("ppp/ff03/compressed 21/ipv4", LT_PPP, &f, V4TCP());

	f.n = 0;
	put8(&f, 0x57);
	v6udp(&f);
	check("ppp/compressed 57/ipv6 (no ff03)", LT_PPP, &f, V6UDP());

	f.n = 0;
	put8(&f, 0x21);
	check("ppp/compressed 21, nothing after", LT_PPP, &f,
	    W(.r = DECODE_SKIP_TRUNC_IP));

	f.n = 0;
	put8(&f, 0x02);
	check("ppp/one even byte", LT_PPP, &f, W(.r = DECODE_SKIP_TRUNC_L2));

	f.n = 0;
	put16(&f, 0xff03);
	put8(&f, 0x23);		/* compressed, not a protocol we count */
	fill(&f, 20, 0);
	check("ppp/compressed 23", LT_PPP, &f, W(.r = DECODE_SKIP_NOT_IP));

	f.n = 0;
	put16(&f, 0xff03);
	put16(&f, 0x0281);
	mpls(&f, 100704, 1);
	v4tcp(&f);
	check("ppp/0281/mpls/ipv4", LT_PPP, &f, V4TCP());

	f.n = 0;
	put16(&f, 0x0283);
	mpls(&f, 16, 0);
	mpls(&f, 17, 1);
	v6udp(&f);
	check("ppp/0283/2 labels/ipv6", LT_PPP, &f, V6UDP());

	f.n = 0;
	put16(&f, 0xff03);
	put16(&f, 0x0281);
	mpls(&f, 16, 0);
	fill(&f, 2, 0);
	check("ppp/mpls/label cut", LT_PPP, &f, W(.r = DECODE_SKIP_TRUNC_L2));

	f.n = 0;
	eth(&f, 0x8864);
	pppoe(&f, 0x0281, 0);
	mpls(&f, 200, 1);
	v4tcp(&f);
	check("pppoe/0281/mpls/ipv4", LT_EN10MB, &f, V4TCP());

	f.n = 0;
	eth(&f, 0x8100);
	tag(&f, 7, 0x8864);
	pppoe(&f, 0x0281, 0);
	mpls(&f, 200, 0);
	mpls(&f, 201, 1);
	v6udp(&f);
	check("vlan/pppoe/0281/2 labels/ipv6", LT_EN10MB, &f, V6UDP());

	f.n = 0;
	eth(&f, 0x8864);
	pppoe(&f, 0x0281, 0);
	for (i = 0; i < 17; i++)
		mpls(&f, 100 + i, i == 16);
	v4tcp(&f);
	check("pppoe/mpls/17 labels", LT_EN10MB, &f,
	    W(.r = DECODE_SKIP_TOO_DEEP));
}

/* Cisco HDLC framing: address, control 0, then an ethertype. */
static void
chdlc(struct frame *f, unsigned addr, unsigned et)
{
	put8(f, addr);
	put8(f, 0);
	put16(f, et);
}

static void
test_chdlc(void)
{
	struct frame f;

	f.n = 0;
	chdlc(&f, 0x0f, 0x0800);
	v4tcp(&f);
	check("chdlc/ipv4", LT_C_HDLC, &f, V4TCP());
	check("ppp_hdlc 50/cisco/ipv4", LT_PPP_HDLC, &f, V4TCP());

	f.n = 0;
	chdlc(&f, 0x8f, 0x86dd);
	v6udp(&f);
	check("chdlc/broadcast/ipv6", LT_C_HDLC, &f, V6UDP());

	f.n = 0;
	chdlc(&f, 0x0f, 0x8847);
	mpls(&f, 16, 0);
	mpls(&f, 17, 1);
	v4tcp(&f);
	check("chdlc/mpls/2 labels/ipv4", LT_C_HDLC, &f, V4TCP());

	f.n = 0;
	chdlc(&f, 0x8f, 0x8035);	/* SLARP keepalive */
	fill(&f, 20, 0);
	check("chdlc/slarp", LT_C_HDLC, &f, W(.r = DECODE_SKIP_NOT_IP));

	f.n = 0;
	chdlc(&f, 0x0f, 0x8100);	/* no VLAN tags on a serial link */
	tag(&f, 5, 0x0800);
	v4tcp(&f);
	check("chdlc/8100 is not a tag", LT_C_HDLC, &f,
	    W(.r = DECODE_SKIP_NOT_IP));

	f.n = 0;
	chdlc(&f, 0x0f, 0x0800);
	v6udp(&f);
	check("chdlc/0800 carrying ipv6", LT_C_HDLC, &f,
	    W(.r = DECODE_SKIP_BAD_VERSION));

	f.n = 0;
	put8(&f, 0x0f);
	check("chdlc/address only", LT_C_HDLC, &f,
	    W(.r = DECODE_SKIP_TRUNC_L2));

	f.n = 0;
	put16(&f, 0xff03);
	put8(&f, 0x21);
	v4tcp(&f);
	check("ppp_hdlc 50/ff03/compressed 21/ipv4", LT_PPP_HDLC, &f,
	    V4TCP());

	f.n = 0;
	put16(&f, 0xff03);
	put16(&f, 0x0281);
	mpls(&f, 30, 1);
	v6udp(&f);
	check("ppp_hdlc 50/ff03/mpls/ipv6", LT_PPP_HDLC, &f, V6UDP());

	f.n = 0;
	check("ppp_hdlc 50/empty", LT_PPP_HDLC, &f,
	    W(.r = DECODE_SKIP_TRUNC_L2));
}

static void
test_ipv4(void)
{
	struct frame f;

	f.n = 0;
	eth(&f, 0x0800);
	ipv4(&f, 6, 0, 0xb8, 6);
	tcp(&f, 1234, 80, 0x02);
	ip_len(&f);
	check("ipv4/options/tcp", LT_EN10MB, &f, W(.ipver = 4, .proto = 6,
	    .sport = 1234, .dport = 80, .bytes = 44, .tcp_flags = 0x02,
	    .tos = 0xb8));

	f.n = 0;
	eth(&f, 0x0800);
	ipv4(&f, 17, 0, 0, 15);
	udp(&f, 67, 68);
	ip_len(&f);
	check("ipv4/60-byte header/udp", LT_EN10MB, &f, W(.ipver = 4,
	    .proto = 17, .sport = 67, .dport = 68, .bytes = 72));

	f.n = 0;
	eth(&f, 0x0800);
	ipv4(&f, 17, 0x2000, 0, 5);
	udp(&f, 5000, 6000);
	fill(&f, 100, 0x61);
	ip_len(&f);
	check("ipv4/first fragment", LT_EN10MB, &f, W(.ipver = 4,
	    .proto = 17, .sport = 5000, .dport = 6000, .bytes = 132,
	    .notes = DECODE_NOTE_FRAGMENT));

	f.n = 0;
	eth(&f, 0x0800);
	ipv4(&f, 17, 0x2000 | 185, 0, 5);
	udp(&f, 5000, 6000);	/* payload bytes, not a header */
	ip_len(&f);
	check("ipv4/middle fragment", LT_EN10MB, &f, W(.ipver = 4,
	    .proto = 17, .bytes = 32, .notes = DECODE_NOTE_FRAGMENT));

	f.n = 0;
	eth(&f, 0x0800);
	ipv4(&f, 6, 370, 0, 5);
	tcp(&f, 1, 2, 0xff);
	ip_len(&f);
	check("ipv4/last fragment", LT_EN10MB, &f, W(.ipver = 4,
	    .proto = 6, .bytes = 40, .notes = DECODE_NOTE_FRAGMENT));

	f.n = 0;
	eth(&f, 0x0800);
	ipv4(&f, 6, 0x4000, 0, 5);	/* DF is not a fragment */
	tcp(&f, 1, 2, 0x01);
	ip_len(&f);
	check("ipv4/df", LT_EN10MB, &f, W(.ipver = 4, .proto = 6, .sport = 1,
	    .dport = 2, .bytes = 40, .tcp_flags = 0x01));

	f.n = 0;
	eth(&f, 0x0800);
	ipv4(&f, 1, 0, 0, 5);
	icmp(&f, 3, 3);
	ip_len(&f);
	check("ipv4/icmp 3/3", LT_EN10MB, &f, W(.ipver = 4, .proto = 1,
	    .dport = 0x0303, .bytes = 28));

	f.n = 0;
	eth(&f, 0x0800);
	ipv4(&f, 132, 0, 0, 5);
	udp(&f, 2905, 2906);
	ip_len(&f);
	check("ipv4/sctp", LT_EN10MB, &f, W(.ipver = 4, .proto = 132,
	    .sport = 2905, .dport = 2906, .bytes = 32));

	f.n = 0;
	eth(&f, 0x0800);
	ipv4(&f, 136, 0, 0, 5);
	udp(&f, 7, 9);
	ip_len(&f);
	check("ipv4/udplite", LT_EN10MB, &f, W(.ipver = 4, .proto = 136,
	    .sport = 7, .dport = 9, .bytes = 32));

	f.n = 0;
	eth(&f, 0x0800);
	ipv4(&f, 47, 0, 0, 5);
	put32(&f, 0x00000800);
	ip_len(&f);
	check("ipv4/gre: no ports", LT_EN10MB, &f, W(.ipver = 4, .proto = 47,
	    .bytes = 24));

	/* TSO: length 0, a 9000-byte packet of which 54 bytes were kept */
	f.n = 0;
	eth(&f, 0x0800);
	ipv4(&f, 6, 0, 0, 5);
	tcp(&f, 33000, 22, 0x10);
	check_wl("ipv4/tso length 0", LT_EN10MB, &f, 14 + 9000, W(.ipver = 4,
	    .proto = 6, .sport = 33000, .dport = 22, .bytes = 9000,
	    .tcp_flags = 0x10, .notes = DECODE_NOTE_LEN_FRAME));

	/* snapped after the ports: no flags, but not an L4 cut either */
	f.n = 0;
	eth(&f, 0x0800);
	ipv4(&f, 6, 0, 0, 5);
	tcp(&f, 40000, 443, 0x18);
	ip_len(&f);
	f.n = 14 + 20 + 4;
	check_wl("ipv4/tcp ports only", LT_EN10MB, &f, 54, W(.ipver = 4,
	    .proto = 6, .sport = 40000, .dport = 443, .bytes = 40));
	f.n = 14 + 20 + 3;
	check_wl("ipv4/tcp 3 bytes", LT_EN10MB, &f, 54, W(.ipver = 4,
	    .proto = 6, .bytes = 40, .notes = DECODE_NOTE_L4_TRUNC));

	f.n = 0;
	eth(&f, 0x0800);
	ipv4(&f, 1, 0, 0, 5);
	icmp(&f, 0, 0);
	ip_len(&f);
	f.n = 14 + 20 + 1;
	check_wl("ipv4/icmp 1 byte", LT_EN10MB, &f, 42, W(.ipver = 4,
	    .proto = 1, .bytes = 28, .notes = DECODE_NOTE_L4_TRUNC));
}

static void
test_ipv4_bad(void)
{
	struct frame f;

	f.n = 0;
	eth(&f, 0x0800);
	ipv4(&f, 6, 0, 0, 4);
	tcp(&f, 1, 2, 0);
	ip_len(&f);
	check("ipv4/ihl 4", LT_EN10MB, &f, W(.r = DECODE_SKIP_BAD_IPV4_HDR));

	f.n = 0;
	eth(&f, 0x0800);
	ipv4(&f, 6, 0, 0, 5);
	f.b[f.l3] = 0x4f;	/* claims 60 bytes, 20 are there */
	ip_len(&f);
	check("ipv4/ihl past capture", LT_EN10MB, &f,
	    W(.r = DECODE_SKIP_BAD_IPV4_HDR));

	f.n = 0;
	eth(&f, 0x0800);
	ipv4(&f, 6, 0, 0, 6);
	tcp(&f, 1, 2, 0);
	f.b[f.l3 + 3] = 20;	/* total length below the 24-byte header */
	check("ipv4/length < ihl", LT_EN10MB, &f,
	    W(.r = DECODE_SKIP_BAD_IPV4_LEN));

	f.n = 0;
	eth(&f, 0x0800);
	ipv4(&f, 6, 0, 0, 5);
	f.n -= 1;
	check("ipv4/19 bytes", LT_EN10MB, &f, W(.r = DECODE_SKIP_TRUNC_IP));
}

static void
test_ipv6(void)
{
	struct frame f;
	int i;

	f.n = 0;
	eth(&f, 0x86dd);
	ipv6(&f, 0, 0x2e);
	ext6(&f, 43, 0);
	ext6(&f, 60, 2);
	ext6(&f, 6, 1);
	tcp(&f, 50000, 8080, 0x11);
	ip_len(&f);
	check("ipv6/hbh+rh+dst/tcp", LT_EN10MB, &f, W(.ipver = 6, .proto = 6,
	    .sport = 50000, .dport = 8080, .bytes = 40 + 8 + 24 + 16 + 20,
	    .tcp_flags = 0x11, .tos = 0x2e));

	f.n = 0;
	eth(&f, 0x86dd);
	ipv6(&f, 44, 0);
	frag6(&f, 17, 0, 1);
	udp(&f, 53, 40001);
	fill(&f, 1000, 0x61);
	ip_len(&f);
	check("ipv6/first fragment", LT_EN10MB, &f, W(.ipver = 6,
	    .proto = 17, .sport = 53, .dport = 40001, .bytes = l3len(&f),
	    .notes = DECODE_NOTE_FRAGMENT));

	f.n = 0;
	eth(&f, 0x86dd);
	ipv6(&f, 0, 0);
	ext6(&f, 44, 0);
	frag6(&f, 17, 181, 0);
	fill(&f, 100, 0x61);
	ip_len(&f);
	check("ipv6/hbh+later fragment", LT_EN10MB, &f, W(.ipver = 6,
	    .proto = 17, .bytes = l3len(&f), .notes = DECODE_NOTE_FRAGMENT));

	f.n = 0;
	eth(&f, 0x86dd);
	ipv6(&f, 44, 0);
	frag6(&f, 6, 0, 0);
	tcp(&f, 80, 1025, 0x04);
	ip_len(&f);
	check("ipv6/atomic fragment", LT_EN10MB, &f, W(.ipver = 6,
	    .proto = 6, .sport = 80, .dport = 1025, .bytes = 68,
	    .tcp_flags = 0x04, .notes = DECODE_NOTE_FRAGMENT));

	f.n = 0;
	eth(&f, 0x86dd);
	ipv6(&f, 51, 0);
	ah6(&f, 6, 4);
	tcp(&f, 179, 30000, 0x18);
	ip_len(&f);
	check("ipv6/ah/tcp", LT_EN10MB, &f, W(.ipver = 6, .proto = 6,
	    .sport = 179, .dport = 30000, .bytes = 40 + 24 + 20,
	    .tcp_flags = 0x18));

	f.n = 0;
	eth(&f, 0x86dd);
	ipv6(&f, 58, 0);
	icmp(&f, 135, 0);
	ip_len(&f);
	check("ipv6/icmpv6 135", LT_EN10MB, &f, W(.ipver = 6, .proto = 58,
	    .dport = 135 << 8, .bytes = 48));

	f.n = 0;
	eth(&f, 0x86dd);
	ipv6(&f, 59, 0);
	/* payload length 0 reads as "from the frame", which is right here */
	check("ipv6/no next header", LT_EN10MB, &f, W(.ipver = 6,
	    .proto = 59, .bytes = 40, .notes = DECODE_NOTE_LEN_FRAME));

	/* 16 extension headers are walked, a 17th is one too many */
	f.n = 0;
	eth(&f, 0x86dd);
	ipv6(&f, 60, 0);
	for (i = 0; i < 16; i++)
		ext6(&f, i < 15 ? 60 : 17, 0);
	udp(&f, 1, 2);
	ip_len(&f);
	check("ipv6/16 ext headers", LT_EN10MB, &f, W(.ipver = 6,
	    .proto = 17, .sport = 1, .dport = 2, .bytes = l3len(&f)));

	f.n = 0;
	eth(&f, 0x86dd);
	ipv6(&f, 60, 0);
	for (i = 0; i < 17; i++)
		ext6(&f, i < 16 ? 60 : 17, 0);
	udp(&f, 1, 2);
	ip_len(&f);
	check("ipv6/17 ext headers", LT_EN10MB, &f, W(.ipver = 6,
	    .proto = 60, .bytes = l3len(&f), .notes = DECODE_NOTE_EXT_TRUNC));

	/* the chain is cut by the snap length in a header's length field */
	f.n = 0;
	eth(&f, 0x86dd);
	ipv6(&f, 0, 0);
	ext6(&f, 43, 0);
	ip_len(&f);
	f.b[f.l3 + 5] = 200;
	check_wl("ipv6/chain cut", LT_EN10MB, &f, 14 + 240, W(.ipver = 6,
	    .proto = 43, .bytes = 240, .notes = DECODE_NOTE_EXT_TRUNC));

	/* a header runs past the capture and names TCP next */
	f.n = 0;
	eth(&f, 0x86dd);
	ipv6(&f, 0, 0);
	put8(&f, 6);
	put8(&f, 20);		/* 168 bytes; 6 more are captured */
	fill(&f, 6, 0);
	f.b[f.l3 + 5] = 168 + 20;
	check_wl("ipv6/ext past capture", LT_EN10MB, &f, 14 + 40 + 188,
	    W(.ipver = 6, .proto = 6, .bytes = 228,
	    .notes = DECODE_NOTE_L4_TRUNC));

	/* jumbogram: payload length 0, hop-by-hop jumbo option */
	f.n = 0;
	eth(&f, 0x86dd);
	ipv6(&f, 0, 0);
	put8(&f, 6);
	put8(&f, 0);
	put8(&f, 0xc2);
	put8(&f, 4);
	put32(&f, 70000);
	tcp(&f, 5001, 5002, 0x10);
	check_wl("ipv6/jumbogram", LT_EN10MB, &f, 14 + 40 + 70000,
	    W(.ipver = 6, .proto = 6, .sport = 5001, .dport = 5002,
	    .bytes = 70040, .tcp_flags = 0x10,
	    .notes = DECODE_NOTE_LEN_FRAME));

	f.n = 0;
	eth(&f, 0x86dd);
	ipv6(&f, 6, 0);
	fill(&f, 10, 0);
	f.n = 14 + 39;
	check("ipv6/39 bytes", LT_EN10MB, &f, W(.r = DECODE_SKIP_TRUNC_IP));
}

static void
test_misc(void)
{
	static const int dlts[] = { 0, 1, 9, 12, 14, 50, 101, 104, 108, 113,
	    228, 229, 276 };
	static const char *const names[] = { "ok", "linktype", "not_ip",
	    "trunc_l2", "too_deep", "bad_version", "trunc_ip", "bad_ipv4_hdr",
	    "bad_ipv4_len" };
	struct frame f;
	size_t i;
	int dlt, agree = 1;

	f.n = 0;
	v4tcp(&f);
	check("dlt 105 (802.11)", 105, &f, W(.r = DECODE_SKIP_LINKTYPE));
	check("dlt -1", -1, &f, W(.r = DECODE_SKIP_LINKTYPE));

	for (dlt = -2; dlt < 1000; dlt++) {
		int want = 0;

		for (i = 0; i < sizeof(dlts) / sizeof(dlts[0]); i++)
			want |= dlt == dlts[i];
		agree &= decode_dlt_supported(dlt) == want;
	}
	ok(agree, "decode_dlt_supported: exactly the 13 link types");

	is_int(DECODE_RESULT_MAX, sizeof(names) / sizeof(names[0]),
	    "a name for every result");
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		ok(strcmp(decode_result_name((enum decode_result)i),
		    names[i]) == 0, "result %zu is %s", i, names[i]);
	ok(strcmp(decode_result_name(DECODE_RESULT_MAX), "unknown") == 0,
	    "out of range: unknown");
}

/* Direction is copied from the frame into the key, as 0 or 1. */
static void
test_direction(void)
{
	static const uint8_t ip[20] = { 0x45, 0, 0, 20, 0, 0, 0, 0, 64, 17,
	    0, 0, 192, 0, 2, 1, 198, 51, 100, 2 };
	struct flow_key k;
	struct pkt_meta m;
	struct pkt p;

	memset(&p, 0, sizeof(p));
	p.data = ip;
	p.caplen = p.wirelen = sizeof(ip);
	p.dlt = LT_RAW12;
	p.direction = 1;
	ok(decode_packet(&p, &k, &m) == DECODE_OK && k.direction == 1,
	    "direction: egress frame, egress key");
	p.direction = 7;
	ok(decode_packet(&p, &k, &m) == DECODE_OK && k.direction == 1,
	    "direction: any non-zero value is egress");
	p.direction = 0;
	ok(decode_packet(&p, &k, &m) == DECODE_OK && k.direction == 0 &&
	    k.pad == 0, "direction: ingress frame, ingress key");
}

int
main(void)
{
	test_ethernet();
	test_pppoe();
	test_mpls();
	test_sll();
	test_null();
	test_raw_ppp();
	test_ppp_more();
	test_chdlc();
	test_ipv4();
	test_ipv4_bad();
	test_ipv6();
	test_misc();
	test_direction();
	return done();
}
