/*
 * Unit tests for the encoder's other formats: IPFIX (-v 10) and NetFlow
 * v5 (-v 5), byte-exact headers and records, and the rules that differ
 * from v9 (sequence numbers, options only when sampling, v5 limits).
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "flow.h"
#include "nf9.h"
#include "tap.h"
#include "nf9_recs.h"

/*
 * The same set-up as test_nf9.c: Source ID / Observation Domain 0xabcd
 * (v5: engine type 0xab, ID 0xcd), sampling 1 in 100 at random, boot at
 * probe time 5000 ms, probe time 0 at Unix ms 1699999990000.  IPFIX
 * template IDs are FNV-1a hashes of the layouts as sent: IPv4 0x6e03,
 * IPv6 0xcd4b, options 0x8a82.
 */
#define SRC_ID		0xabcd
#define BOOT_MS		5000
#define WALL_MS		1699999990000LL

#define IPFIX_FIELDS_TAIL(icmp)						\
	0x00, 0x0a, 0x00, 0x02,		/* ingressInterface, 2 */	\
	0x00, 0x0e, 0x00, 0x02,		/* egressInterface, 2 */	\
	0x00, 0x02, 0x00, 0x04,		/* packetDeltaCount, 4 */	\
	0x00, 0x01, 0x00, 0x04,		/* octetDeltaCount, 4 */	\
	0x00, 0x98, 0x00, 0x08,		/* flowStartMilliseconds */	\
	0x00, 0x99, 0x00, 0x08,		/* flowEndMilliseconds */	\
	0x00, 0x07, 0x00, 0x02,		/* sourceTransportPort */	\
	0x00, 0x0b, 0x00, 0x02,		/* destinationTransportPort */	\
	0x00, icmp, 0x00, 0x02,		/* icmpTypeCodeIPv4 / IPv6 */	\
	0x00, 0x06, 0x00, 0x01,		/* tcpControlBits, 1 */		\
	0x00, 0x04, 0x00, 0x01,		/* protocolIdentifier, 1 */	\
	0x00, 0x05, 0x00, 0x01,		/* ipClassOfService, 1 */	\
	0x00, 0x3d, 0x00, 0x01		/* flowDirection, 1 */

/* Template Set (RFC 7011 3.4.1): ID 2, 132 bytes. */
#define IPFIX_TEMPLATE_SET						\
	0x00, 0x02, 0x00, 0x84,						\
	0x6e, 0x03, 0x00, 0x0f,		/* IPv4 template, 15 fields */	\
	0x00, 0x08, 0x00, 0x04,		/* sourceIPv4Address */		\
	0x00, 0x0c, 0x00, 0x04,		/* destinationIPv4Address */	\
	IPFIX_FIELDS_TAIL(0x20),					\
	0xcd, 0x4b, 0x00, 0x0f,		/* IPv6 template, 15 fields */	\
	0x00, 0x1b, 0x00, 0x10,		/* sourceIPv6Address */		\
	0x00, 0x1c, 0x00, 0x10,		/* destinationIPv6Address */	\
	IPFIX_FIELDS_TAIL(0x8b)

/* First IPFIX message: templates, options, one IPv4 record at 65432. */
static const uint8_t ipfix_first[] = {
	0x00, 0x0a,			/* version 10 */
	0x00, 0xf0,			/* length 240 */
	0x65, 0x53, 0xf1, 0x38,		/* export time 1700000056 */
	0x00, 0x00, 0x00, 0x00,		/* sequence 0 */
	0x00, 0x00, 0xab, 0xcd,		/* observation domain */
	IPFIX_TEMPLATE_SET,
	/* Options Template Set (3.4.2.2): ID 3, 24 bytes */
	0x00, 0x03, 0x00, 0x18,
	0x8a, 0x82,			/* template ID */
	0x00, 0x03,			/* field count: 3 */
	0x00, 0x01,			/* scope field count: 1 */
	0x00, 0x95, 0x00, 0x04,		/* scope observationDomainId */
	0x00, 0x22, 0x00, 0x04,		/* samplingInterval, 4 */
	0x00, 0x23, 0x00, 0x01,		/* samplingAlgorithm, 1 */
	0x00, 0x00,			/* padding */
	/* options data record: 16 bytes */
	0x8a, 0x82, 0x00, 0x10,
	0x00, 0x00, 0xab, 0xcd,		/* observation domain */
	0x00, 0x00, 0x00, 0x64,		/* interval 100 */
	0x02,				/* random */
	0x00, 0x00, 0x00,
	/* IPv4 Data Set: 4 + 46 + 2 padding */
	0x6e, 0x03, 0x00, 0x34,
	0xc0, 0x00, 0x02, 0x01,		/* 192.0.2.1 */
	0xc6, 0x33, 0x64, 0x07,		/* 198.51.100.7 */
	0x00, 0x03,			/* ingress 3 */
	0x00, 0x00,			/* egress 0 */
	0x00, 0x00, 0x00, 0x0a,		/* 10 packets */
	0x80, 0x00, 0x04, 0xd2,		/* 2^31 + 1234 B */
	0x00, 0x00, 0x01, 0x8b, 0xcf, 0xe5, 0x68, 0x7b,	/* 1700000000123 */
	0x00, 0x00, 0x01, 0x8b, 0xcf, 0xe6, 0x3e, 0xd8,	/* 1700000055000 */
	0x9c, 0x40, 0x01, 0xbb,		/* 40000 -> 443 */
	0x00, 0x00,			/* not ICMP */
	0x1b, 0x06, 0x20,		/* flags, TCP, TOS */
	0x00,				/* direction: ingress */
	0x00, 0x00
};

/* Then one IPv6 record at 70000: 1 flow + 1 options record sent. */
static const uint8_t ipfix_v6[] = {
	0x00, 0x0a, 0x00, 0x5c,		/* length 92 */
	0x65, 0x53, 0xf1, 0x3c,		/* export time 1700000060 */
	0x00, 0x00, 0x00, 0x02,		/* sequence 2 */
	0x00, 0x00, 0xab, 0xcd,
	0xcd, 0x4b, 0x00, 0x4c,		/* IPv6 Data Set: 4 + 70 + 2 */
	0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
	0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x01,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02,
	0x00, 0x07, 0x00, 0x00,		/* ingress 7, egress 0 */
	0x00, 0x00, 0x00, 0x03,
	0x00, 0x00, 0x01, 0x2c,
	0x00, 0x00, 0x01, 0x8b, 0xcf, 0xe6, 0x4e, 0x78,	/* 1700000059000 */
	0x00, 0x00, 0x01, 0x8b, 0xcf, 0xe6, 0x52, 0x5f,	/* 1700000059999 */
	0x00, 0x35, 0x80, 0xe8,		/* 53 -> 33000 */
	0x00, 0x00, 0x00, 0x11, 0xb8,
	0x00,				/* direction: ingress */
	0x00, 0x00
};

/* NetFlow v5: one IPv4 record at 65432, 1234 bytes. */
static const uint8_t v5_first[] = {
	0x00, 0x05, 0x00, 0x01,		/* version 5, count 1 */
	0x00, 0x00, 0xee, 0x48,		/* sysUptime 61000 */
	0x65, 0x53, 0xf1, 0x38,		/* unix_secs 1700000056 */
	0x00, 0x00, 0x00, 0x00,		/* unix_nsecs 0 */
	0x00, 0x00, 0x00, 0x00,		/* flow_sequence 0 */
	0xab, 0xcd,			/* engine type, engine ID */
	0x80, 0x64,			/* mode 2 (random), interval 100 */
	0xc0, 0x00, 0x02, 0x01,		/* srcaddr */
	0xc6, 0x33, 0x64, 0x07,		/* dstaddr */
	0x00, 0x00, 0x00, 0x00,		/* nexthop */
	0x00, 0x03, 0x00, 0x00,		/* input 3, output 0 */
	0x00, 0x00, 0x00, 0x0a,		/* dPkts 10 */
	0x00, 0x00, 0x04, 0xd2,		/* dOctets 1234 */
	0x00, 0x00, 0x14, 0x03,		/* First 5123 */
	0x00, 0x00, 0xea, 0x60,		/* Last 60000 */
	0x9c, 0x40, 0x01, 0xbb,		/* ports */
	0x00, 0x1b, 0x06, 0x20,		/* pad, flags, TCP, TOS */
	0x00, 0x00, 0x00, 0x00,		/* src_as, dst_as */
	0x00, 0x00, 0x00, 0x00		/* masks, pad */
};

static uint8_t		buf[3 * NF9_MTU_MAX];
static struct nf9	nf;

static struct nf9_cfg
cfg_for(unsigned version, uint32_t sampling)
{
	struct nf9_cfg c;

	memset(&c, 0, sizeof(c));
	c.version = version;
	c.source_id = SRC_ID;
	c.mtu = NF9_MTU_DEFAULT;
	c.tmpl_every_pkts = 20;
	c.tmpl_every_ms = 600000;
	c.sampling_interval = sampling;
	c.sampling_algorithm = 2;
	return c;
}

static int
init_for(unsigned version, uint32_t sampling, uint16_t mtu)
{
	struct nf9_cfg c = cfg_for(version, sampling);

	c.mtu = mtu;
	return nf9_init(&nf, &c, buf, sizeof(buf), BOOT_MS, WALL_MS);
}

static void
test_ipfix(void)
{
	struct flow_rec r;
	const uint8_t *p;
	size_t n;

	is_int(init_for(NF9_FMT_IPFIX, 100, NF9_MTU_DEFAULT), 0, "IPFIX init");
	r = rec4();
	is_int(nf9_add(&nf, &r, 65432), 1, "add IPv4");
	p = nf9_finish(&nf, 65432, &n);
	is_mem(p, n, ipfix_first, sizeof(ipfix_first),
	    "IPFIX: header, template set, options, IPv4 data set");
	r = rec6();
	is_int(nf9_add(&nf, &r, 70000), 1, "add IPv6");
	p = nf9_finish(&nf, 70000, &n);
	is_mem(p, n, ipfix_v6, sizeof(ipfix_v6),
	    "IPFIX: sequence counts data records, options one included");
	r = rec4();
	r.key.ipver = 5;
	is_int(nf9_add(&nf, &r, 70000), -1, "neither IPv4 nor IPv6: refused");
}

/* Unsampled: no options at all, so the sequence counts flow records. */
static void
test_ipfix_unsampled(void)
{
	struct flow_rec r = rec4();
	const uint8_t *p;
	size_t n;
	int i;

	is_int(init_for(NF9_FMT_IPFIX, 1, NF9_MTU_DEFAULT), 0, "init");
	for (i = 0; i < 3; i++)
		nf9_add(&nf, &r, 65432);
	p = nf9_finish(&nf, 65432, &n);
	is_int(n, 16 + 132 + 4 + 3 * 46 + 2, "templates and 3 records only");
	ok(p != NULL && p[2] << 8 == (int)(n & 0xff00) && p[3] == (n & 0xff),
	    "Length is the message size");
	nf9_add(&nf, &r, 65432);
	p = nf9_finish(&nf, 65432, &n);
	ok(p != NULL && rd32(p + 8) == 3, "next sequence is 3");
	is_int(init_for(NF9_FMT_IPFIX, 100, NF9_MTU_MIN_IPFIX - 1), -1,
	    "MTU below NF9_MTU_MIN_IPFIX refused");
	is_int(errno, EINVAL, "EINVAL");
	is_int(init_for(NF9_FMT_IPFIX, 100, NF9_MTU_MIN_IPFIX), 0,
	    "NF9_MTU_MIN_IPFIX takes templates, options and an IPv6 record");
	r = rec6();
	r.key.ifindex = 70000;	/* 4-byte interfaces: the widest record */
	is_int(nf9_add(&nf, &r, 65432), 1, "IPv6 record in the first");
	p = nf9_finish(&nf, 65432, &n);
	ok(p != NULL && n == NF9_MTU_MIN_IPFIX, "exactly the minimum");
}

static void
test_v5(void)
{
	struct flow_rec r = rec4();
	const uint8_t *p;
	size_t n;
	int i;

	is_int(init_for(NF9_FMT_V5, 100, NF5_MTU), 0, "v5 init");
	ok(!nf9_templates_due(&nf, 65432), "v5 has no templates");
	r.bytes = 0x100000000ULL + 1234;
	is_int(nf9_add(&nf, &r, 65432), -1, "bytes over 2^32: refused whole");
	is_int(nf9_parts(&nf, &r), 2, "... to be sent in two parts");
	r.bytes = 1234;
	is_int(nf9_add(&nf, &r, 65432), 1, "add IPv4");
	r = rec6();
	is_int(nf9_add(&nf, &r, 65432), -1, "IPv6: refused");
	p = nf9_finish(&nf, 65432, &n);
	is_mem(p, n, v5_first, sizeof(v5_first), "v5 header and record");

	r = rec4();
	r.bytes = 1234;
	r.key.proto = 1;
	r.key.sport = 0;
	r.key.dport = 3 << 8 | 1;
	for (i = 0; i < 30; i++)
		is_int(nf9_add(&nf, &r, 70000), 1, "record %d fits", i + 1);
	is_int(nf9_add(&nf, &r, 70000), 0, "the 31st does not");
	p = nf9_finish(&nf, 70000, &n);
	is_int(n, NF5_MTU, "30 records: 1464 bytes");
	ok(p != NULL && p[3] == 30 && rd32(p + 16) == 1,
	    "count 30, flow_sequence 1 (flows sent before)");
	ok(p != NULL && p[24 + 34] == 3 && p[24 + 35] == 1 &&
	    p[24 + 32] == 0 && p[24 + 33] == 0,
	    "ICMP type.code in the destination port");
	nf9_add(&nf, &r, 70000);
	p = nf9_finish(&nf, 70000, &n);
	ok(p != NULL && rd32(p + 16) == 31, "then flow_sequence 31");

	is_int(init_for(NF9_FMT_V5, 1, NF9_MTU_DEFAULT), 0, "unsampled");
	for (i = 0; nf9_add(&nf, &r, 70000) == 1; i++)
		;
	is_int(i, 28, "MTU 1400: 28 records");
	p = nf9_finish(&nf, 70000, &n);
	ok(p != NULL && p[22] == 0 && p[23] == 0, "sampling field 0");
	is_int(init_for(NF9_FMT_V5, NF5_SAMPLING_MAX + 1, NF5_MTU), -1,
	    "sampling interval over 14 bits refused");
	is_int(init_for(7, 1, NF5_MTU), -1, "unknown version refused");
}

/*
 * The v5 record's narrow fields: an interface index over 16 bits goes as
 * 0 (unknown), on the side the direction puts it; a count over 32 bits
 * refuses the record, whichever count it is.
 */
static void
test_v5_limits(void)
{
	struct flow_rec r = rec4();
	const uint8_t *p;
	size_t n;

	is_int(init_for(NF9_FMT_V5, 1, NF5_MTU), 0, "v5 init");
	r.bytes = 1234;
	r.key.ifindex = 70000;
	is_int(nf9_add(&nf, &r, 65432), 1, "ifindex over 16 bits, ingress");
	r.key.direction = 1;
	r.key.ifindex = 65535;
	is_int(nf9_add(&nf, &r, 65432), 1, "ifindex 65535, egress");
	r.key.ifindex = 65536;
	is_int(nf9_add(&nf, &r, 65432), 1, "ifindex 65536, egress");
	r.packets = 0xffffffffULL;
	is_int(nf9_add(&nf, &r, 65432), 1, "2^32 - 1 packets fit");
	r.packets = 0x100000000ULL;
	is_int(nf9_add(&nf, &r, 65432), -1, "2^32 packets: refused");
	p = nf9_finish(&nf, 65432, &n);
	is_int(n, 24 + 4 * 48, "four records");
	ok(p != NULL && rd32(p + 24 + 12) == 0, "in 0, out 0");
	ok(p != NULL && rd32(p + 72 + 12) == 0xffff, "in 0, out 65535");
	ok(p != NULL && rd32(p + 120 + 12) == 0, "egress 65536: out 0");
	ok(p != NULL && rd32(p + 168 + 16) == 0xffffffffU,
	    "packets 2^32 - 1");
}

int
main(void)
{
	test_ipfix();
	test_ipfix_unsampled();
	test_v5();
	test_v5_limits();
	return done();
}
