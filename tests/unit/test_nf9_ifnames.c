/*
 * Unit tests for the interface-name datagrams (IF_NAME options, issue 6):
 * byte-exact v9 and IPFIX vectors, sequence numbers, splitting over
 * datagrams at a small MTU, and v5, which has no options.
 */
#include <stdint.h>
#include <string.h>

#include "iftable.h"
#include "nf9.h"
#include "tap.h"

#define SRC_ID		0xabcd
#define BOOT_MS		5000
#define WALL_MS		1699999990000LL
#define NOW_MS		65432	/* Unix 1700000055.432, sent as ...056 */

/* lo (1) and wan-pppoe (7), v9: template ID 0xa06b from the layout. */
static const uint8_t want_v9[] = {
	0x00, 0x09, 0x00, 0x03,		/* v9, Count 3: template + 2 */
	0x00, 0x00, 0xee, 0x48,		/* sysUptime 61000 */
	0x65, 0x53, 0xf1, 0x38,		/* unix_secs 1700000056 */
	0x00, 0x00, 0x00, 0x00,		/* sequence 0 */
	0x00, 0x00, 0xab, 0xcd,		/* Source ID */
	0x00, 0x01, 0x00, 0x14,		/* Options Template FlowSet, 20 */
	0xa0, 0x6b,			/* template ID */
	0x00, 0x04, 0x00, 0x04,		/* scope 1 pair, option 1 pair */
	0x00, 0x02, 0x00, 0x04,		/* scope Interface, 4 */
	0x00, 0x52, 0x00, 0x10,		/* IF_NAME, 16 */
	0x00, 0x00,			/* padding */
	0xa0, 0x6b, 0x00, 0x2c,		/* options data, 44 */
	0x00, 0x00, 0x00, 0x01,		/* interface 1 */
	'l', 'o', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0x00, 0x00, 0x00, 0x07,		/* interface 7 */
	'w', 'a', 'n', '-', 'p', 'p', 'p', 'o', 'e', 0, 0, 0, 0, 0, 0, 0,
};

/* The same in IPFIX: the scope is ingressInterface (10), ID 0x029d. */
static const uint8_t want_ipfix[] = {
	0x00, 0x0a, 0x00, 0x50,		/* IPFIX, Length 80 */
	0x65, 0x53, 0xf1, 0x38,		/* Export Time */
	0x00, 0x00, 0x00, 0x00,		/* sequence 0 */
	0x00, 0x00, 0xab, 0xcd,		/* Observation Domain */
	0x00, 0x03, 0x00, 0x14,		/* Options Template Set, 20 */
	0x02, 0x9d,			/* template ID */
	0x00, 0x02, 0x00, 0x01,		/* 2 fields, 1 of them scope */
	0x00, 0x0a, 0x00, 0x04,		/* ingressInterface, 4 */
	0x00, 0x52, 0x00, 0x10,		/* interfaceName, 16 */
	0x00, 0x00,			/* padding */
	0x02, 0x9d, 0x00, 0x2c,		/* data set, 44 */
	0x00, 0x00, 0x00, 0x01,
	'l', 'o', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0x00, 0x00, 0x00, 0x07,
	'w', 'a', 'n', '-', 'p', 'p', 'p', 'o', 'e', 0, 0, 0, 0, 0, 0, 0,
};

static uint8_t		buf[3 * NF9_MTU_MAX];
static struct nf9	nf;
static struct iftable_entry ifs[40];

static void
init(unsigned version, uint16_t mtu)
{
	struct nf9_cfg c;

	memset(&c, 0, sizeof(c));
	c.version = version;
	c.source_id = SRC_ID;
	c.mtu = mtu;
	c.sampling_interval = 1;
	c.sampling_algorithm = 1;
	if (nf9_init(&nf, &c, buf, sizeof(buf), BOOT_MS, WALL_MS) != 0)
		diag("nf9_init failed");
}

static uint32_t
rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static void
test_vectors(void)
{
	const uint8_t *p;
	size_t next = 0, n;

	memset(ifs, 0, sizeof(ifs));
	ifs[0].index = 1;
	strcpy(ifs[0].name, "lo");
	ifs[1].index = 7;
	strcpy(ifs[1].name, "wan-pppoe");

	init(9, NF9_MTU_DEFAULT);
	p = nf9_ifnames(&nf, ifs, 2, &next, NOW_MS, &n);
	is_mem(p, n, want_v9, sizeof(want_v9), "v9: the names datagram");
	is_int(next, 2, "v9: both names in it");
	ok(nf9_ifnames(&nf, ifs, 2, &next, NOW_MS, &n) == NULL && n == 0,
	    "v9: then nothing left");
	next = 0;
	p = nf9_ifnames(&nf, ifs, 2, &next, NOW_MS, &n);
	is_int(rd32(p + 12), 1, "v9: the next one has sequence 1 (packets)");

	init(10, NF9_MTU_DEFAULT);
	next = 0;
	p = nf9_ifnames(&nf, ifs, 2, &next, NOW_MS, &n);
	is_mem(p, n, want_ipfix, sizeof(want_ipfix), "IPFIX: the names datagram");
	next = 0;
	p = nf9_ifnames(&nf, ifs, 2, &next, NOW_MS, &n);
	is_int(rd32(p + 8), 2, "IPFIX: the next one has sequence 2 (records)");

	init(5, NF5_MTU);
	next = 0;
	ok(nf9_ifnames(&nf, ifs, 2, &next, NOW_MS, &n) == NULL && n == 0 &&
	    next == 0, "v5: no options, no names");
}

/* At the smallest MTU 40 names take 4 datagrams of at most 11. */
static void
test_split(void)
{
	size_t next = 0, n, total = 0, grams = 0, i;
	const uint8_t *p;

	for (i = 0; i < 40; i++) {
		ifs[i].index = (uint32_t)(i + 1);
		strcpy(ifs[i].name, "a-name-15-chars");
	}
	init(9, NF9_MTU_MIN);
	while ((p = nf9_ifnames(&nf, ifs, 40, &next, NOW_MS, &n)) != NULL) {
		grams++;
		total += p[3] - 1u;	/* Count minus the template */
		if (n > NF9_MTU_MIN)
			break;
	}
	is_int(next, 40, "every name went out");
	is_int(total, 40, "40 records counted in the headers");
	is_int(grams, 4, "in 4 datagrams (11 fit in %u bytes)", NF9_MTU_MIN);
}

int
main(void)
{
	test_vectors();
	test_split();
	return done();
}
