/* Unit tests for the NetFlow v9 encoder: byte-exact packets and its rules. */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "flow.h"
#include "nf9.h"
#include "tap.h"
#include "nf9_recs.h"

/*
 * Expected packets.  The encoder under test is set up with Source ID
 * 0xabcd, sampling 1 in 100 at random (algorithm 2), boot at probe time
 * 5000 ms and a wall offset that puts probe time 0 at Unix ms
 * 1699999990000, so boot is Unix ms 1699999995000.
 *
 * Template IDs are FNV-1a hashes of the layouts: IPv4 0xbb03, IPv6
 * 0x55ee, options 0x46f4.  A change to a field table changes them, and
 * these vectors with them, on purpose.
 */
#define SRC_ID		0xabcd
#define BOOT_MS		5000
#define WALL_MS		1699999990000LL

#define DATA_FIELDS_TAIL						\
	0x00, 0x0a, 0x00, 0x02,		/* INPUT_SNMP, 2 */		\
	0x00, 0x0e, 0x00, 0x02,		/* OUTPUT_SNMP, 2 */		\
	0x00, 0x02, 0x00, 0x04,		/* IN_PKTS, 4 */		\
	0x00, 0x01, 0x00, 0x04,		/* IN_BYTES, 4 */		\
	0x00, 0x16, 0x00, 0x04,		/* FIRST_SWITCHED, 4 */		\
	0x00, 0x15, 0x00, 0x04,		/* LAST_SWITCHED, 4 */		\
	0x00, 0x07, 0x00, 0x02,		/* L4_SRC_PORT, 2 */		\
	0x00, 0x0b, 0x00, 0x02,		/* L4_DST_PORT, 2 */		\
	0x00, 0x20, 0x00, 0x02,		/* ICMP_TYPE, 2 */		\
	0x00, 0x06, 0x00, 0x01,		/* TCP_FLAGS, 1 */		\
	0x00, 0x04, 0x00, 0x01,		/* PROTOCOL, 1 */		\
	0x00, 0x05, 0x00, 0x01,		/* SRC_TOS, 1 */		\
	0x00, 0x3d, 0x00, 0x01		/* DIRECTION, 1 */

/* 172 bytes, 4 records: everything that goes out when templates are due. */
#define TEMPLATE_FLOWSETS						\
	/* Template FlowSet (RFC 3954 5.2): ID 0, length 132 */		\
	0x00, 0x00, 0x00, 0x84,						\
	0xbb, 0x03, 0x00, 0x0f,		/* IPv4 template, 15 fields */	\
	0x00, 0x08, 0x00, 0x04,		/* IPV4_SRC_ADDR, 4 */		\
	0x00, 0x0c, 0x00, 0x04,		/* IPV4_DST_ADDR, 4 */		\
	DATA_FIELDS_TAIL,						\
	0x55, 0xee, 0x00, 0x0f,		/* IPv6 template, 15 fields */	\
	0x00, 0x1b, 0x00, 0x10,		/* IPV6_SRC_ADDR, 16 */		\
	0x00, 0x1c, 0x00, 0x10,		/* IPV6_DST_ADDR, 16 */		\
	DATA_FIELDS_TAIL,						\
	/* Options Template FlowSet (6.1): ID 1, length 24 */		\
	0x00, 0x01, 0x00, 0x18,						\
	0x46, 0xf4,			/* template ID */		\
	0x00, 0x04,			/* scope length: 1 pair */	\
	0x00, 0x08,			/* option length: 2 pairs */	\
	0x00, 0x01, 0x00, 0x04,		/* scope System, 4 */		\
	0x00, 0x22, 0x00, 0x04,		/* SAMPLING_INTERVAL, 4 */	\
	0x00, 0x23, 0x00, 0x01,		/* SAMPLING_ALGORITHM, 1 */	\
	0x00, 0x00,			/* padding */			\
	/* Options data FlowSet (6.2): length 16 */			\
	0x46, 0xf4, 0x00, 0x10,						\
	0x00, 0x00, 0xab, 0xcd,		/* System = Source ID */	\
	0x00, 0x00, 0x00, 0x64,		/* interval 100 */		\
	0x02,				/* algorithm: random */		\
	0x00, 0x00, 0x00		/* padding */

/* First packet: templates and one IPv4 TCP record, now = probe 65432. */
static const uint8_t pkt_first[] = {
	/* header (5.1) */
	0x00, 0x09,			/* version 9 */
	0x00, 0x05,			/* count: 2 + 1 + 1 template, 1 data */
	0x00, 0x00, 0xee, 0x48,		/* sysUptime 61000 */
	0x65, 0x53, 0xf1, 0x38,		/* unix_secs 1700000056 (rounded up) */
	0x00, 0x00, 0x00, 0x00,		/* sequence 0 */
	0x00, 0x00, 0xab, 0xcd,		/* source ID */
	TEMPLATE_FLOWSETS,
	/* IPv4 data FlowSet: length 4 + 38 + 2 padding */
	0xbb, 0x03, 0x00, 0x2c,
	0xc0, 0x00, 0x02, 0x01,		/* 192.0.2.1 */
	0xc6, 0x33, 0x64, 0x07,		/* 198.51.100.7 */
	0x00, 0x03,			/* input ifindex 3 */
	0x00, 0x00,			/* output 0 */
	0x00, 0x00, 0x00, 0x0a,		/* 10 packets */
	0x80, 0x00, 0x04, 0xd2,		/* 2^31 + 1234 B */
	0x00, 0x00, 0x14, 0x03,		/* FIRST 5123 */
	0x00, 0x00, 0xea, 0x60,		/* LAST 60000 */
	0x9c, 0x40,			/* sport 40000 */
	0x01, 0xbb,			/* dport 443 */
	0x00, 0x00,			/* ICMP_TYPE 0: not ICMP */
	0x1b,				/* FIN SYN PSH ACK */
	0x06,				/* TCP */
	0x20,				/* TOS */
	0x00,				/* DIRECTION: ingress */
	0x00, 0x00			/* padding */
};

/* Second packet: one IPv6 UDP record, now = probe 70000 (whole second). */
static const uint8_t pkt_v6[] = {
	0x00, 0x09, 0x00, 0x01,		/* version, count 1 */
	0x00, 0x00, 0xfd, 0xe8,		/* sysUptime 65000 */
	0x65, 0x53, 0xf1, 0x3c,		/* unix_secs 1700000060 */
	0x00, 0x00, 0x00, 0x01,		/* sequence 1 */
	0x00, 0x00, 0xab, 0xcd,
	/* IPv6 data FlowSet: length 4 + 62 + 2 padding */
	0x55, 0xee, 0x00, 0x44,
	0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00,	/* 2001:db8::1 */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
	0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x01,	/* 2001:db8:0:1::2 */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02,
	0x00, 0x07,			/* input ifindex 7 */
	0x00, 0x00,			/* output 0 */
	0x00, 0x00, 0x00, 0x03,		/* 3 packets */
	0x00, 0x00, 0x01, 0x2c,		/* 300 bytes */
	0x00, 0x00, 0xfa, 0x00,		/* FIRST 64000 */
	0x00, 0x00, 0xfd, 0xe7,		/* LAST 64999 */
	0x00, 0x35,			/* sport 53 */
	0x80, 0xe8,			/* dport 33000 */
	0x00, 0x00,			/* ICMP_TYPE 0 */
	0x00,				/* TCP flags */
	0x11,				/* UDP */
	0xb8,				/* traffic class EF */
	0x00,				/* DIRECTION: ingress */
	0x00, 0x00
};

/* Third packet: ICMP destination unreachable, now = probe 70001. */
static const uint8_t pkt_icmp[] = {
	0x00, 0x09, 0x00, 0x01,
	0x00, 0x01, 0x01, 0xd0,		/* sysUptime 66000: 70001 rounded up */
	0x65, 0x53, 0xf1, 0x3d,		/* unix_secs 1700000061 */
	0x00, 0x00, 0x00, 0x02,		/* sequence 2 */
	0x00, 0x00, 0xab, 0xcd,
	0xbb, 0x03, 0x00, 0x2c,
	0x0a, 0x00, 0x00, 0x01,		/* 10.0.0.1 */
	0x0a, 0x00, 0x00, 0x02,		/* 10.0.0.2 */
	0x00, 0x01, 0x00, 0x00,		/* in 1, out 0 */
	0x00, 0x00, 0x00, 0x01,
	0x00, 0x00, 0x00, 0x38,
	0x00, 0x00, 0xfd, 0xe9,		/* FIRST 65001 */
	0x00, 0x00, 0xfd, 0xe9,		/* LAST 65001 */
	0x00, 0x00,			/* sport 0 (key had 0x1234) */
	0x00, 0x00,			/* dport 0 */
	0x03, 0x03,			/* ICMP_TYPE: type 3, code 3 */
	0x00, 0x01, 0xc0,		/* flags, ICMP, TOS */
	0x00,				/* ingress */
	0x00, 0x00
};

#define HDR		20
#define TMPL_BYTES	172
#define TMPL_RECORDS	4
#define V4_SET(n)	((4 + 38 * (n) + 3) & ~3)
#define V6_SET(n)	((4 + 62 * (n) + 3) & ~3)
#define V4_FIRST	20	/* FIRST_SWITCHED in an IPv4 record */
#define V4_LAST		24

static uint8_t		buf[3 * NF9_MTU_MAX];
static struct nf9	nf;

static struct nf9_cfg
cfg_std(void)
{
	struct nf9_cfg c;

	memset(&c, 0, sizeof(c));
	c.source_id = SRC_ID;
	c.mtu = NF9_MTU_DEFAULT;
	c.tmpl_every_pkts = 20;
	c.tmpl_every_ms = 600000;
	c.sampling_interval = 100;
	c.sampling_algorithm = 2;
	return c;
}

static void
init_with(const struct nf9_cfg *c)
{
	if (nf9_init(&nf, c, buf, sizeof(buf), BOOT_MS, WALL_MS) != 0)
		diag("nf9_init failed");
}

static void
init_std(void)
{
	struct nf9_cfg c = cfg_std();

	init_with(&c);
}

/*
 * Walk the FlowSets of a packet.  Returns how many there are, or -1 if
 * the lengths do not tile the packet exactly in 4-byte multiples.
 */
#define MAXSETS	8
struct sets {
	unsigned	id[MAXSETS];
	unsigned	len[MAXSETS];
	const uint8_t	*body[MAXSETS];
};

static int
walk(const uint8_t *p, size_t n, struct sets *s)
{
	size_t off = HDR;
	int k = 0;

	if (p == NULL || n < HDR || rd16(p) != 9)
		return -1;
	while (off < n) {
		unsigned len;

		if (k == MAXSETS || n - off < 4)
			return -1;
		len = rd16(p + off + 2);
		if (len < 4 || len % 4 != 0 || len > n - off)
			return -1;
		s->id[k] = rd16(p + off);
		s->len[k] = len;
		s->body[k] = p + off + 4;
		off += len;
		k++;
	}
	return k;
}

static int
has_templates(const uint8_t *p, size_t n)
{
	struct sets s;

	return walk(p, n, &s) > 0 && s.id[0] == 0;
}

static void
test_first_packets(void)
{
	struct flow_rec r;
	const uint8_t *p;
	size_t n;

	init_std();
	ok(nf9_templates_due(&nf, 65432), "templates due before the first");
	r = rec4();
	is_int(nf9_add(&nf, &r, 65432), 1, "add IPv4 record");
	is_int(nf9_pending(&nf), 1, "one pending");
	p = nf9_finish(&nf, 65432, &n);
	is_mem(p, n, pkt_first, sizeof(pkt_first),
	    "first packet: header, templates, options, IPv4 record");
	ok(!nf9_templates_due(&nf, 65432), "templates not due right after");

	r = rec6();
	is_int(nf9_add(&nf, &r, 70000), 1, "add IPv6 record");
	p = nf9_finish(&nf, 70000, &n);
	is_mem(p, n, pkt_v6, sizeof(pkt_v6), "IPv6 record packet");

	r = rec4();
	r.key.src[0] = r.key.dst[0] = 10;
	r.key.src[1] = r.key.src[2] = r.key.dst[1] = r.key.dst[2] = 0;
	r.key.src[3] = 1;
	r.key.dst[3] = 2;
	r.key.ifindex = 1;
	r.key.proto = 1;
	r.key.sport = 0x1234;
	r.key.dport = 3 << 8 | 3;
	r.packets = 1;
	r.bytes = 56;
	r.first_ms = r.last_ms = 70001;
	r.tcp_flags = 0;
	r.tos = 0xc0;
	is_int(nf9_add(&nf, &r, 70001), 1, "add ICMP record");
	p = nf9_finish(&nf, 70001, &n);
	is_mem(p, n, pkt_icmp, sizeof(pkt_icmp),
	    "ICMP: ports 0, type/code in ICMP_TYPE");

	p = nf9_finish(&nf, 70002, &n);
	ok(p == NULL && n == 0, "nothing staged, nothing due: NULL, len 0");
}

static void
test_icmpv6(void)
{
	struct flow_rec r = rec6();
	const uint8_t *p, *rec;
	struct sets s;
	size_t n;

	init_std();
	r.key.proto = 58;
	r.key.sport = 0;
	r.key.dport = 128 << 8;		/* echo request */
	nf9_add(&nf, &r, 70000);
	p = nf9_finish(&nf, 70000, &n);
	is_int(walk(p, n, &s), 4, "templates + IPv6 data FlowSet");
	rec = s.body[3];
	is_int(rd16(rec + 52), 0, "ICMPv6 sport 0");
	is_int(rd16(rec + 54), 0, "ICMPv6 dport 0");
	is_int(rd16(rec + 56), 0x8000, "ICMPv6 type 128 in ICMP_TYPE");
	is_int(rec[59], 58, "protocol 58");
}

/* An egress flow: the interface goes to OUTPUT_SNMP, DIRECTION is 1. */
static void
test_egress(void)
{
	struct flow_rec r = rec4();
	const uint8_t *p;
	struct sets s;
	size_t n;

	init_std();
	r.key.direction = 1;
	nf9_add(&nf, &r, 70000);
	p = nf9_finish(&nf, 70000, &n);
	is_int(walk(p, n, &s), 4, "templates and one data FlowSet");
	is_int(rd16(s.body[3] + 8), 0, "egress: INPUT_SNMP 0");
	is_int(rd16(s.body[3] + 10), 3, "egress: OUTPUT_SNMP is the ifindex");
	is_int(s.body[3][37], 1, "egress: DIRECTION 1");
}

static void
test_template_ids(void)
{
	const uint8_t *p;
	unsigned v4, v6, opt;
	struct sets s;
	size_t n;

	init_std();
	p = nf9_finish(&nf, 65432, &n);
	is_int(n, HDR + TMPL_BYTES, "templates-only packet when due");
	is_int(rd16(p + 2), TMPL_RECORDS, "Count: the 4 template records");
	is_int(walk(p, n, &s), 3, "three FlowSets");
	v4 = rd16(s.body[0]);
	v6 = rd16(s.body[0] + 4 + 15 * 4);
	opt = rd16(s.body[1]);
	ok(v4 >= 256 && v6 >= 256 && opt >= 256, "template IDs >= 256");
	ok(v4 != v6 && v4 != opt && v6 != opt, "template IDs distinct");
	is_int(s.id[2], opt, "options data FlowSet uses options template ID");
	is_int(rd32(s.body[2]), SRC_ID, "System scope value is the Source ID");
}

static void
test_interleaved(void)
{
	struct flow_rec r4 = rec4(), r6 = rec6();
	const uint8_t *p;
	struct sets s;
	size_t n;
	int i;

	init_std();
	nf9_finish(&nf, 70000, &n);		/* templates out of the way */
	for (i = 0; i < 5; i++) {
		struct flow_rec *r = i % 2 ? &r6 : &r4;

		r->packets = (uint64_t)i + 1;
		nf9_add(&nf, r, 70000);
	}
	is_int(nf9_pending(&nf), 5, "five pending");
	p = nf9_finish(&nf, 70000, &n);
	is_int(walk(p, n, &s), 2, "v4/v6 interleaved: exactly two FlowSets");
	is_int(s.id[0], 0xbb03, "IPv4 FlowSet first");
	is_int(s.id[1], 0x55ee, "IPv6 FlowSet second");
	is_int(s.len[0], V4_SET(3), "three IPv4 records, padded");
	is_int(s.len[1], V6_SET(2), "two IPv6 records, padded");
	is_int(rd16(p + 2), 5, "Count 5");
	is_int(n, HDR + V4_SET(3) + V6_SET(2), "nothing after the last set");
	/* records keep their order within a FlowSet */
	is_int(rd32(s.body[0] + 12), 1, "IPv4 record 1");
	is_int(rd32(s.body[0] + 38 + 12), 3, "IPv4 record 2");
	is_int(rd32(s.body[0] + 76 + 12), 5, "IPv4 record 3");
	is_int(rd32(s.body[1] + 36), 2, "IPv6 record 1");
	is_int(rd32(s.body[1] + 62 + 36), 4, "IPv6 record 2");
	ok(s.body[0][V4_SET(3) - 4 - 1] == 0, "IPv4 padding is zero");
}

static void
test_sequence(void)
{
	struct flow_rec r = rec4();
	const uint8_t *p;
	size_t n;
	uint32_t i;
	int good = 1;

	init_std();
	for (i = 0; i < 50; i++) {
		nf9_add(&nf, &r, 70000 + i);
		p = nf9_finish(&nf, 70000 + i, &n);
		if (p == NULL || rd32(p + 12) != i)
			good = 0;
	}
	ok(good, "sequence 0, 1, 2, ... one per packet");
	nf9_force_templates(&nf);
	p = nf9_finish(&nf, 80000, &n);
	is_int(rd32(p + 12), 50, "a templates-only packet counts too");
}

/* Which of npkts one-record packets, sent step_ms apart, had templates. */
static unsigned
refresh_pattern(uint32_t every_pkts, uint32_t every_ms, unsigned npkts,
    uint64_t step_ms)
{
	struct nf9_cfg c = cfg_std();
	struct flow_rec r = rec4();
	uint64_t now = 70000;
	unsigned i, mask = 0;
	size_t n;

	c.tmpl_every_pkts = every_pkts;
	c.tmpl_every_ms = every_ms;
	init_with(&c);
	for (i = 0; i < npkts; i++, now += step_ms) {
		const uint8_t *p;

		nf9_add(&nf, &r, now);
		p = nf9_finish(&nf, now, &n);
		if (has_templates(p, n))
			mask |= 1u << i;
	}
	return mask;
}

static void
test_refresh(void)
{
	struct flow_rec r = rec4();
	const uint8_t *p;
	size_t n;

	is_int(refresh_pattern(3, 0, 10, 1), 0x249,
	    "every 3 packets: packets 0, 3, 6, 9");
	is_int(refresh_pattern(1, 0, 4, 1), 0xf, "every packet");
	is_int(refresh_pattern(0, 1000, 8, 400), 0x49,
	    "every 1000 ms, 400 ms apart: packets 0, 3, 6");
	is_int(refresh_pattern(5, 1000, 10, 400), 0x249,
	    "every 5 packets or 1000 ms: 0, 3, 6, 9 by time");
	is_int(refresh_pattern(4, 100000, 10, 300), 0x111,
	    "every 4 packets or 100 s: 0, 4, 8 by count");
	is_int(refresh_pattern(0, 0, 10, 100000), 0x1,
	    "both triggers off: first packet only");

	/* nothing staged: a packet goes out only when templates are due */
	init_std();
	nf9_finish(&nf, 70000, &n);
	ok(!nf9_templates_due(&nf, 70000 + 599999), "not due before 600 s");
	p = nf9_finish(&nf, 70000 + 599999, &n);
	ok(p == NULL && n == 0, "so finish returns NULL");
	ok(nf9_templates_due(&nf, 70000 + 600000), "due at 600 s");
	p = nf9_finish(&nf, 70000 + 600000, &n);
	ok(has_templates(p, n) && n == HDR + TMPL_BYTES,
	    "templates-only packet at 600 s");
	nf9_force_templates(&nf);
	ok(nf9_templates_due(&nf, 70000 + 600001), "due after force");
	nf9_add(&nf, &r, 70000 + 600001);
	p = nf9_finish(&nf, 70000 + 600001, &n);
	ok(has_templates(p, n), "forced templates lead the next packet");
	ok(!nf9_templates_due(&nf, 70000 + 600002), "force is one-shot");
	ok(!nf9_templates_due(&nf, 1000), "a clock stepping back: no trigger");

	/* due between add and finish: included when they fit */
	nf9_add(&nf, &r, 70000 + 1199999);
	p = nf9_finish(&nf, 70000 + 1200001, &n);
	ok(has_templates(p, n), "falling due by finish time: included");
	is_int(rd16(p + 2), TMPL_RECORDS + 1, "Count includes them");
	is_int(n, HDR + TMPL_BYTES + V4_SET(1), "and their bytes");
}

static void
fill(uint64_t now, const struct flow_rec *r, int *added, int *last)
{
	*added = 0;
	while ((*last = nf9_add(&nf, r, now)) == 1)
		(*added)++;
}

static void
test_mtu(void)
{
	struct nf9_cfg c = cfg_std();
	struct flow_rec r4 = rec4(), r6 = rec6();
	const uint8_t *p;
	int added, last;
	size_t n;

	/* templates due: 20 + 172 + 4 + 3 * 38 + 2 pad = 312 exactly */
	c.mtu = HDR + TMPL_BYTES + V4_SET(3);
	init_with(&c);
	fill(70000, &r4, &added, &last);
	is_int(added, 3, "templates due: 3 IPv4 records fill 312 bytes");
	is_int(last, 0, "the next add returns 0");
	p = nf9_finish(&nf, 70000, &n);
	is_int(n, c.mtu, "finished packet is exactly the MTU");
	ok(p != NULL && has_templates(p, n), "with templates");
	/* no templates due: 20 + 4 + 7 * 38 + 2 pad = 292 */
	c.mtu = HDR + V4_SET(7);
	c.tmpl_every_pkts = 0;
	c.tmpl_every_ms = 0;
	init_with(&c);
	fill(70000, &r4, &added, &last);
	is_int(added, 2, "templates due at MTU 292: 2 records fit");
	p = nf9_finish(&nf, 70000, &n);
	ok(n <= c.mtu && has_templates(p, n), "packet within MTU, templates");
	is_int(nf9_add(&nf, &r4, 70000), 1, "refused record opens the next");
	fill(70000, &r4, &added, &last);
	is_int(added + 1, 7, "no templates due: 7 records fill 292 bytes");
	is_int(last, 0, "the eighth is refused");
	p = nf9_finish(&nf, 70000, &n);
	is_int(n, c.mtu, "finished packet is exactly the MTU");
	ok(!has_templates(p, n), "without templates");

	/*
	 * The smallest MTU takes templates and one IPv6 record with 4-byte
	 * interface fields, the widest layout (an ifindex over 16 bits).
	 */
	c.mtu = NF9_MTU_MIN;
	init_with(&c);
	r6.key.ifindex = 70000;
	is_int(nf9_add(&nf, &r6, 70000), 1, "MTU_MIN: IPv6 record + templates");
	is_int(nf9_add(&nf, &r4, 70000), 0, "and nothing more");
	p = nf9_finish(&nf, 70000, &n);
	ok(has_templates(p, n) && n == NF9_MTU_MIN, "exactly MTU_MIN bytes");
	r6 = rec6();

	/* templates fall due mid-packet and do not fit beside more records */
	c.mtu = NF9_MTU_DEFAULT;
	c.tmpl_every_ms = 1000;
	init_with(&c);
	nf9_finish(&nf, 70000, &n);
	fill(70500, &r4, &added, &last);
	is_int(added, 36, "1400 bytes: 36 IPv4 records without templates");
	p = nf9_finish(&nf, 71000, &n);
	ok(n <= c.mtu && !has_templates(p, n),
	    "templates due at finish but no room: left out");
	ok(nf9_templates_due(&nf, 71000), "still due");
	fill(71000, &r4, &added, &last);
	is_int(added, 31, "next packet: templates + 31 records");
	p = nf9_finish(&nf, 71000, &n);
	ok(n <= c.mtu && has_templates(p, n), "templates lead it");
	/* due at add time with records staged: record refused, finish fits */
	for (added = 0; added < 31; added++)
		nf9_add(&nf, &r4, 71500);
	is_int(nf9_pending(&nf), 31, "31 staged before templates are due");
	is_int(nf9_add(&nf, &r4, 72000), 0,
	    "due now: templates + 32 records would not fit");
	p = nf9_finish(&nf, 72000, &n);
	ok(has_templates(p, n), "finish takes the templates (they fit)");
	is_int(n, HDR + TMPL_BYTES + V4_SET(31), "within MTU");
}

/* Check the collector's reconstruction for one record and one now. */
static int
times_exact(uint64_t boot, int64_t wall, uint64_t first, uint64_t last,
    uint64_t now)
{
	struct nf9_cfg c = cfg_std();
	struct flow_rec r = rec4();
	const uint8_t *p, *d;
	uint32_t up, secs, f, l;
	int64_t boot_unix;
	size_t n;

	nf9_init(&nf, &c, buf, sizeof(buf), boot, wall);
	r.first_ms = first;
	r.last_ms = last;
	nf9_add(&nf, &r, now);
	p = nf9_finish(&nf, now, &n);
	if (p == NULL)
		return 0;
	d = p + HDR + TMPL_BYTES + 4;
	up = rd32(p + 4);
	secs = rd32(p + 8);
	f = rd32(d + V4_FIRST);
	l = rd32(d + V4_LAST);
	boot_unix = (int64_t)secs * 1000 - up;
	return boot_unix == (int64_t)boot + wall &&
	    boot_unix + f == (int64_t)first + wall &&
	    boot_unix + l == (int64_t)last + wall &&
	    f <= l && l <= up &&
	    (int64_t)secs * 1000 >= (int64_t)now + wall &&
	    (int64_t)secs * 1000 < (int64_t)now + wall + 1000;
}

static void
test_times(void)
{
	struct flow_rec r = rec4();
	const uint8_t *p;
	uint64_t now;
	size_t n;
	int good = 1;

	/* probe 65432 -> Unix ...55432: rounded up to ...56000 */
	init_std();
	nf9_add(&nf, &r, 65432);
	p = nf9_finish(&nf, 65432, &n);
	is_int(rd32(p + 8), 1700000056, "unix_secs rounded up");
	is_int(rd32(p + 4), 61000, "sysUptime = T - boot");
	is_int((int64_t)rd32(p + 8) * 1000 - rd32(p + 4), BOOT_MS + WALL_MS,
	    "unix_secs * 1000 - sysUptime == boot Unix ms");
	/* probe 65000 -> ...55000: already whole, not rounded */
	nf9_add(&nf, &r, 65000);
	p = nf9_finish(&nf, 65000, &n);
	is_int(rd32(p + 8), 1700000055, "whole second: not rounded");
	is_int(rd32(p + 4), 60000, "sysUptime = now - boot exactly");

	for (now = 70000; now < 72003; now += 7)
		good &= times_exact(BOOT_MS, WALL_MS, now - 3001, now, now);
	ok(good, "exact to the ms for every now remainder");
	ok(times_exact(123456789, -100000000, 123456789, 200000000, 200000123),
	    "negative wall offset");
	ok(times_exact(1700000000123ULL, -1700000000000LL + 1000000,
	    1700000004567ULL, 1700000009999ULL, 1700000010000ULL),
	    "negative offset, probe clock ahead of Unix time");
	ok(times_exact(0, 1600000000001LL, 1, 86400000, 86400000),
	    "boot at probe 0, a day of uptime");
	ok(times_exact(BOOT_MS, 0, BOOT_MS, BOOT_MS, BOOT_MS),
	    "flow at the boot instant, replay offset 0");

	/* a record ending after the caller's now still gets LAST <= up */
	init_std();
	r.last_ms = 80500;
	nf9_add(&nf, &r, 80000);
	p = nf9_finish(&nf, 80000, &n);
	ok(rd32(p + 4) >= 80500 - BOOT_MS, "sysUptime covers a late LAST");
	is_int((int64_t)rd32(p + 8) * 1000 - rd32(p + 4), BOOT_MS + WALL_MS,
	    "and stays exact");

	/* the wall offset may change (NTP step); boot time follows it */
	nf9_rebase(&nf, BOOT_MS, WALL_MS + 2500);
	nf9_add(&nf, &r, 90000);
	p = nf9_finish(&nf, 90000, &n);
	is_int((int64_t)rd32(p + 8) * 1000 - rd32(p + 4),
	    BOOT_MS + WALL_MS + 2500, "new wall offset: exact boot time");
}

static void
test_rebase(void)
{
	struct flow_rec r = rec4();
	const uint8_t *p;
	size_t n;

	init_std();
	nf9_add(&nf, &r, 70000);
	nf9_finish(&nf, 70000, &n);
	nf9_rebase(&nf, 60000, WALL_MS);
	ok(nf9_templates_due(&nf, 70001), "rebase forces templates");
	r.first_ms = 60100;
	r.last_ms = 70001;
	nf9_add(&nf, &r, 70001);
	p = nf9_finish(&nf, 70001, &n);
	ok(has_templates(p, n), "next packet carries them");
	is_int(rd32(p + 4), 11000, "sysUptime from the new zero, rounded up");
	is_int(rd32(p + HDR + TMPL_BYTES + 4 + V4_FIRST), 100,
	    "FIRST from new zero");
	is_int((int64_t)rd32(p + 8) * 1000 - rd32(p + 4), 60000 + WALL_MS,
	    "collector sees the new boot time");

	/* with records staged, they go out under the old zero first */
	r.first_ms = 70100;
	r.last_ms = 70200;
	nf9_add(&nf, &r, 70200);
	nf9_rebase(&nf, 70000, WALL_MS - 3000);
	p = nf9_finish(&nf, 70200, &n);
	ok(!has_templates(p, n), "staged packet keeps its layout");
	is_int(rd32(p + HDR + 4 + V4_FIRST), 10100,
	    "staged FIRST from the old zero");
	is_int((int64_t)rd32(p + 8) * 1000 - rd32(p + 4), 60000 + WALL_MS,
	    "and its header the old boot time");
	ok(nf9_templates_due(&nf, 70200), "rebase applied after that packet");
	nf9_add(&nf, &r, 70300);
	p = nf9_finish(&nf, 70300, &n);
	ok(has_templates(p, n), "next packet carries templates");
	is_int(rd32(p + HDR + TMPL_BYTES + 4 + V4_FIRST), 100,
	    "FIRST from new zero");
	is_int((int64_t)rd32(p + 8) * 1000 - rd32(p + 4), 70000 + WALL_MS -
	    3000, "and the new wall offset with it (a stepped clock)");
}

static void
test_init_errors(void)
{
	struct nf9_cfg c = cfg_std();
	struct flow_rec r = rec4();

	is_int(nf9_buf_bytes(1400), 7000, "buffer is 5 * mtu");
	c.mtu = NF9_MTU_MIN - 1;
	errno = 0;
	is_int(nf9_init(&nf, &c, buf, sizeof(buf), 0, 0), -1, "MTU too small");
	is_int(errno, EINVAL, "EINVAL");
	c.mtu = NF9_MTU_MAX + 1;
	is_int(nf9_init(&nf, &c, buf, sizeof(buf), 0, 0), -1, "MTU too big");
	c.mtu = 1400;
	is_int(nf9_init(&nf, &c, buf, nf9_buf_bytes(1400) - 1, 0, 0), -1,
	    "buffer too small");
	is_int(nf9_init(&nf, &c, buf, nf9_buf_bytes(1400), 0, 0), 0,
	    "exact buffer size is enough");
	r.key.ipver = 5;
	is_int(nf9_add(&nf, &r, 0), -1, "ipver 5: -1, never staged");
	is_int(nf9_pending(&nf), 0, "nothing pending");
}

/*
 * Counts over the 4-byte counters: nf9_add() refuses the record whole,
 * nf9_parts() says how many records carry it, and nf9_part()'s parts
 * each fit and sum to it exactly.
 */
static void
test_parts(void)
{
	struct flow_rec r = rec4(), part;
	uint64_t pk = 0, by = 0;
	uint32_t i, n;
	int fits = 1;

	init_std();
	is_int(nf9_parts(&nf, &r), 1, "a record within 32 bits: one part");
	r.packets = 5;
	r.bytes = ((uint64_t)1 << 33) + 7;
	is_int(nf9_add(&nf, &r, 70000), -1, "bytes over 2^32: refused whole");
	n = nf9_parts(&nf, &r);
	is_int(n, 3, "2^33 + 7 bytes: 3 parts");
	for (i = 0; i < n; i++) {
		nf9_part(&r, i, n, &part);
		fits &= nf9_add(&nf, &part, 70000) == 1 &&
		    memcmp(&part.key, &r.key, sizeof(r.key)) == 0 &&
		    part.first_ms == r.first_ms && part.last_ms == r.last_ms;
		pk += part.packets;
		by += part.bytes;
	}
	ok(fits, "every part fits, with the record's key and times");
	ok(pk == r.packets && by == r.bytes, "parts sum to the record");
	r.packets = ((uint64_t)1 << 34) + 1;
	r.bytes = 100;
	is_int(nf9_parts(&nf, &r), 5, "2^34 + 1 packets: the packets decide");
	r.bytes = (uint64_t)UINT32_MAX * NF9_PARTS_MAX;
	r.packets = 1;
	is_int(nf9_parts(&nf, &r), NF9_PARTS_MAX, "NF9_PARTS_MAX parts at most");
	r.bytes++;
	is_int(nf9_parts(&nf, &r), 0, "beyond: not sent");
	r = rec4();
	r.key.ipver = 5;
	is_int(nf9_parts(&nf, &r), 0, "a bad ipver: no parts");
}

/*
 * Interface fields are 2 bytes until a record needs more: then the staged
 * records go out first (nf9_add() returns 0), and from the next packet on
 * both layouts have 4-byte fields under new template IDs, sent again.
 */
static void
test_wide_ifs(void)
{
	struct flow_rec r = rec4(), big = rec4();
	const uint8_t *p;
	struct sets s;
	size_t n;

	init_std();
	big.key.ifindex = 70000;
	is_int(nf9_add(&nf, &r, 70000), 1, "narrow record staged");
	is_int(nf9_add(&nf, &big, 70000), 0,
	    "ifindex 70000: refused while narrow records are staged");
	p = nf9_finish(&nf, 70000, &n);
	is_int(walk(p, n, &s), 4, "that packet: templates + data");
	is_int(s.id[3], 0xbb03, "... under the 2-byte IPv4 template");
	is_int(s.len[3], V4_SET(1), "... one 38-byte record");
	ok(nf9_templates_due(&nf, 70000), "templates due again");
	is_int(nf9_add(&nf, &big, 70000), 1, "then the wide record is taken");
	is_int(nf9_add(&nf, &r, 70000), 1, "and narrow ones with it");
	p = nf9_finish(&nf, 70000, &n);
	is_int(walk(p, n, &s), 4, "next packet: templates + data");
	ok(s.id[3] != 0xbb03 && s.id[3] >= 256, "a new IPv4 template ID");
	is_int(s.len[3], (4 + 2 * 42 + 3) & ~3, "two 42-byte records");
	is_int(rd16(s.body[0] + 4 + 8), 10, "template: INPUT_SNMP");
	is_int(rd16(s.body[0] + 4 + 10), 4, "... 4 bytes now");
	is_int(rd32(s.body[3] + 8), 70000, "INPUT_SNMP 70000");
	is_int(rd32(s.body[3] + 42 + 8), 3, "INPUT_SNMP 3");
	/* a record with both interfaces narrow keeps the wide layout */
	nf9_add(&nf, &r, 71000);
	p = nf9_finish(&nf, 71000, &n);
	is_int(walk(p, n, &s), 1, "no templates then");
	is_int(s.len[0], (4 + 42 + 3) & ~3, "still 42 bytes");
	/* an egress flow's OUTPUT_SNMP counts the same way */
	init_std();
	big.key.direction = 1;
	is_int(nf9_add(&nf, &big, 70000), 1, "egress 70000: widened at once");
	p = nf9_finish(&nf, 70000, &n);
	is_int(walk(p, n, &s), 4, "templates + data");
	is_int(rd32(s.body[3] + 12), 70000, "OUTPUT_SNMP 70000");
}

int
main(void)
{
	test_first_packets();
	test_icmpv6();
	test_template_ids();
	test_egress();
	test_interleaved();
	test_sequence();
	test_refresh();
	test_mtu();
	test_times();
	test_rebase();
	test_init_errors();
	test_parts();
	test_wide_ifs();
	return done();
}
