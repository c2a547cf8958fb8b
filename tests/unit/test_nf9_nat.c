/*
 * Unit tests for what --nat and --egress change in the encoder: the IPv4
 * template gains fields 225-228 (so its ID changes), a record carries the
 * post-NAT addresses and ports and the route's OUTPUT_SNMP; IPv6 records,
 * and NetFlow v5 but for OUTPUT_SNMP, stay as they were.  Byte-exact
 * vectors for the template record and the data FlowSet; the rest of the
 * packet is covered by test_nf9.c.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "flow.h"
#include "nf9.h"
#include "tap.h"
#include "nf9_recs.h"

#define SRC_ID		0xabcd
#define BOOT_MS		5000
#define WALL_MS		1699999990000LL

/*
 * The IPv4 template record with --nat: 19 fields, ID 0x460f (an FNV-1a
 * hash of the layout, as in test_nf9.c; without --nat it is 0xbb03).
 */
static const uint8_t tmpl_v4_nat[] = {
	0x46, 0x0f, 0x00, 0x13,		/* template ID, 19 fields */
	0x00, 0x08, 0x00, 0x04,		/* IPV4_SRC_ADDR, 4 */
	0x00, 0x0c, 0x00, 0x04,		/* IPV4_DST_ADDR, 4 */
	0x00, 0x0a, 0x00, 0x02,		/* INPUT_SNMP, 2 */
	0x00, 0x0e, 0x00, 0x02,		/* OUTPUT_SNMP, 2 */
	0x00, 0x02, 0x00, 0x04,		/* IN_PKTS, 4 */
	0x00, 0x01, 0x00, 0x04,		/* IN_BYTES, 4 */
	0x00, 0x16, 0x00, 0x04,		/* FIRST_SWITCHED, 4 */
	0x00, 0x15, 0x00, 0x04,		/* LAST_SWITCHED, 4 */
	0x00, 0x07, 0x00, 0x02,		/* L4_SRC_PORT, 2 */
	0x00, 0x0b, 0x00, 0x02,		/* L4_DST_PORT, 2 */
	0x00, 0x20, 0x00, 0x02,		/* ICMP_TYPE, 2 */
	0x00, 0x06, 0x00, 0x01,		/* TCP_FLAGS, 1 */
	0x00, 0x04, 0x00, 0x01,		/* PROTOCOL, 1 */
	0x00, 0x05, 0x00, 0x01,		/* SRC_TOS, 1 */
	0x00, 0x3d, 0x00, 0x01,		/* DIRECTION, 1 */
	0x00, 0xe1, 0x00, 0x04,		/* postNATSourceIPv4Address (225) */
	0x00, 0xe2, 0x00, 0x04,		/* postNATDestinationIPv4Address */
	0x00, 0xe3, 0x00, 0x02,		/* postNAPTSourceTransportPort */
	0x00, 0xe4, 0x00, 0x02,		/* postNAPTDestinationTransportPort */
};

/* The data FlowSet: rec4() masqueraded to 203.0.113.7:40001, routed
 * out of interface 5. */
static const uint8_t set_v4_nat[] = {
	0x46, 0x0f, 0x00, 0x38,		/* template ID, 4 + 50 + 2 */
	0xc0, 0x00, 0x02, 0x01,		/* 192.0.2.1 */
	0xc6, 0x33, 0x64, 0x07,		/* 198.51.100.7 */
	0x00, 0x03,			/* INPUT_SNMP 3 */
	0x00, 0x05,			/* OUTPUT_SNMP 5: the route's */
	0x00, 0x00, 0x00, 0x0a,
	0x80, 0x00, 0x04, 0xd2,
	0x00, 0x00, 0x14, 0x03,		/* FIRST 5123 */
	0x00, 0x00, 0xea, 0x60,		/* LAST 60000 */
	0x9c, 0x40,			/* sport 40000 */
	0x01, 0xbb,			/* dport 443 */
	0x00, 0x00,			/* ICMP_TYPE */
	0x1b, 0x06, 0x20, 0x00,		/* flags, TCP, TOS, ingress */
	0xcb, 0x00, 0x71, 0x07,		/* post-NAT source 203.0.113.7 */
	0xc6, 0x33, 0x64, 0x07,		/* post-NAT destination unchanged */
	0x9c, 0x41,			/* post-NAPT source port 40001 */
	0x01, 0xbb,			/* post-NAPT destination port 443 */
	0x00, 0x00			/* padding */
};

static uint8_t		buf[3 * NF9_MTU_MAX];
static struct nf9	nf;

static int
init(unsigned version, int nat, uint16_t mtu)
{
	struct nf9_cfg c;

	memset(&c, 0, sizeof(c));
	c.version = version;
	c.source_id = SRC_ID;
	c.mtu = mtu;
	c.tmpl_every_pkts = 20;
	c.tmpl_every_ms = 600000;
	c.sampling_interval = 100;
	c.sampling_algorithm = 2;
	c.nat_fields = nat;
	return nf9_init(&nf, &c, buf, sizeof(buf), BOOT_MS, WALL_MS);
}

static struct flow_rec
rec4_nat(void)
{
	static const uint8_t s[4] = { 203, 0, 113, 7 };
	struct flow_rec r = rec4();

	memcpy(r.enr.nat_src, s, 4);
	memcpy(r.enr.nat_dst, r.key.dst, 4);
	r.enr.nat_sport = 40001;
	r.enr.nat_dport = 443;
	r.enr.out_ifindex = 5;
	r.enr.flags = FLOW_ENR_NAT | FLOW_ENR_EGRESS;
	return r;
}

static void
test_v9(void)
{
	struct flow_rec r = rec4_nat();
	const uint8_t *p, *t, *d;
	unsigned id, plain_v4, plain_v6;
	size_t n, tl, dl;

	is_int(init(NF9_FMT_V9, 0, NF9_MTU_DEFAULT), 0, "v9 without --nat");
	p = nf9_finish(&nf, 65432, &n);
	t = set_of(p, n, 20, 0, &tl);
	plain_v4 = t != NULL ? rd16(t + 4) : 0;
	plain_v6 = t != NULL ? rd16(t + 4 + 4 + 15 * 4) : 0;

	is_int(init(NF9_FMT_V9, 1, NF9_MTU_DEFAULT), 0, "v9 with --nat");
	is_int(nf9_add(&nf, &r, 65432), 1, "a translated record");
	p = nf9_finish(&nf, 65432, &n);
	t = set_of(p, n, 20, 0, &tl);
	ok(t != NULL && tl == 4 + 80 + 64, "template FlowSet: 4 + 80 + 64");
	if (t == NULL)
		return;
	id = rd16(t + 4);
	ok(id >= 256 && id != plain_v4, "IPv4 template ID 0x%04x: a new "
	    "one (without --nat 0x%04x)", id, plain_v4);
	is_int(rd16(t + 4 + 80), plain_v6, "IPv6 template ID unchanged");
	is_mem(t + 4, 80, tmpl_v4_nat, sizeof(tmpl_v4_nat),
	    "IPv4 template record: the 15 fields, then 225-228");
	d = set_of(p, n, 20, id, &dl);
	is_mem(d, d != NULL ? dl : 0, set_v4_nat, sizeof(set_v4_nat),
	    "data FlowSet: post-NAT 203.0.113.7:40001, OUTPUT_SNMP 5");

	r = rec4();
	nf9_add(&nf, &r, 70000);
	p = nf9_finish(&nf, 70000, &n);
	d = set_of(p, n, 20, id, &dl);
	ok(d != NULL && dl == 56, "an untranslated record: same size");
	if (d == NULL)
		return;
	is_mem(d + 4 + 38, 12, "\0\0\0\0\0\0\0\0\0\0\0\0", 12,
	    "... with 225-228 all 0");
	is_int(rd16(d + 4 + 10), 0, "... and OUTPUT_SNMP 0");
}

/* IPv6 records do not change with --nat: same bytes either way. */
static void
test_v6_unchanged(void)
{
	struct flow_rec r = rec6();
	uint8_t a[200], b[200];
	const uint8_t *p;
	size_t na, nb;

	init(NF9_FMT_V9, 0, NF9_MTU_DEFAULT);
	nf9_finish(&nf, 65432, &na);	/* templates out of the way */
	nf9_add(&nf, &r, 70000);
	p = nf9_finish(&nf, 70000, &na);
	memcpy(a, p, na < sizeof(a) ? na : sizeof(a));
	init(NF9_FMT_V9, 1, NF9_MTU_DEFAULT);
	nf9_finish(&nf, 65432, &nb);
	nf9_add(&nf, &r, 70000);
	p = nf9_finish(&nf, 70000, &nb);
	memcpy(b, p, nb < sizeof(b) ? nb : sizeof(b));
	is_mem(b, nb, a, na, "IPv6 packet identical with and without --nat");
}

static void
test_ipfix(void)
{
	struct flow_rec r = rec4_nat();
	const uint8_t *p, *t;
	size_t n, tl;

	is_int(init(NF9_FMT_IPFIX, 1, NF9_MTU_DEFAULT), 0, "IPFIX with --nat");
	nf9_add(&nf, &r, 65432);
	p = nf9_finish(&nf, 65432, &n);
	t = set_of(p, n, 16, 2, &tl);
	ok(t != NULL && rd16(t + 6) == 19, "IPFIX IPv4 template: 19 fields");
	if (t != NULL)
		is_mem(t + 8 + 15 * 4, 16, tmpl_v4_nat + 4 + 15 * 4, 16,
		    "... ending with IEs 225-228, same numbers and sizes");
}

/* The MTU floor grows by NF9_MTU_NAT_EXTRA, as opts.c tells users. */
static void
test_mtu(void)
{
	is_int(init(NF9_FMT_V9, 1, NF9_MTU_MIN + NF9_MTU_NAT_EXTRA), 0,
	    "v9 --nat at its minimum MTU");
	errno = 0;
	is_int(init(NF9_FMT_V9, 1, NF9_MTU_MIN + NF9_MTU_NAT_EXTRA - 1), -1,
	    "one byte less: refused");
	is_int(errno, EINVAL, "... EINVAL");
	is_int(init(NF9_FMT_IPFIX, 1, NF9_MTU_MIN_IPFIX + NF9_MTU_NAT_EXTRA),
	    0, "IPFIX --nat at its minimum MTU");
	is_int(init(NF9_FMT_IPFIX, 1, NF9_MTU_MIN_IPFIX + NF9_MTU_NAT_EXTRA -
	    1), -1, "one byte less: refused");
}

/* NetFlow v5: no NAT fields, but --egress fills its 16-bit output. */
static void
test_v5(void)
{
	struct flow_rec r = rec4_nat();
	const uint8_t *p;
	size_t n;

	r.bytes = 1234;		/* v5 counters are 32 bits */
	is_int(init(NF9_FMT_V5, 1, NF5_MTU), 0, "v5 (nat_fields ignored)");
	nf9_add(&nf, &r, 65432);
	p = nf9_finish(&nf, 65432, &n);
	is_int(n, 24 + 48, "one 48-byte record: no NAT fields");
	if (n == 24 + 48)
		is_int(rd16(p + 24 + 14), 5, "OUTPUT_SNMP 5 from the route");
}

int
main(void)
{
	test_v9();
	test_v6_unchanged();
	test_ipfix();
	test_mtu();
	test_v5();
	return done();
}
