/*
 * Unit tests for what --app-info changes in the encoder: two more data
 * templates (IPv4 and IPv6 with ntop's elements after the plain fields),
 * used only by records that carry application facts; plain records and
 * the plain templates' IDs stay as they were.  Byte-exact vectors for
 * the application template record and data records in v9 (ntop's type
 * numbers, 57472 + id) and IPFIX (enterprise elements of PEN 35632).
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "appname.h"
#include "flow.h"
#include "nf9.h"
#include "tap.h"
#include "nf9_recs.h"

#define SRC_ID		0xabcd
#define BOOT_MS		5000
#define WALL_MS		1699999990000LL

/* The 9 application fields as v9 sends them, after the 15 plain ones. */
static const uint8_t app_fields_v9[] = {
	0xe1, 0x4d, 0xff, 0xff,		/* DNS_QUERY (57472 + 205), varlen */
	0xe1, 0x4f, 0x00, 0x02,		/* DNS_QUERY_TYPE (207), 2 */
	0xe1, 0x50, 0x00, 0x01,		/* DNS_RET_CODE (208), 1 */
	0xe1, 0x3c, 0xff, 0xff,		/* SSL_SERVER_NAME (188), varlen */
	0xe1, 0x3b, 0xff, 0xff,		/* HTTP_HOST (187), varlen */
	0xe0, 0xfb, 0x00, 0x04,		/* CLIENT_NW_LATENCY_MS (123) */
	0xe0, 0xfc, 0x00, 0x04,		/* SERVER_NW_LATENCY_MS (124) */
	0xe0, 0xed, 0x00, 0x04,		/* RETRANSMITTED_IN_PKTS (109) */
	0xe0, 0xef, 0x00, 0x04,		/* OOORDER_IN_PKTS (111) */
};

/* The same in IPFIX: enterprise bit, then PEN 35632 (0x8b30). */
static const uint8_t app_fields_ipfix[] = {
	0x80, 0xcd, 0xff, 0xff, 0x00, 0x00, 0x8b, 0x30,
	0x80, 0xcf, 0x00, 0x02, 0x00, 0x00, 0x8b, 0x30,
	0x80, 0xd0, 0x00, 0x01, 0x00, 0x00, 0x8b, 0x30,
	0x80, 0xbc, 0xff, 0xff, 0x00, 0x00, 0x8b, 0x30,
	0x80, 0xbb, 0xff, 0xff, 0x00, 0x00, 0x8b, 0x30,
	0x80, 0x7b, 0x00, 0x04, 0x00, 0x00, 0x8b, 0x30,
	0x80, 0x7c, 0x00, 0x04, 0x00, 0x00, 0x8b, 0x30,
	0x80, 0x6d, 0x00, 0x04, 0x00, 0x00, 0x8b, 0x30,
	0x80, 0x6f, 0x00, 0x04, 0x00, 0x00, 0x8b, 0x30,
};

/* rec4()'s application part: a TLS flow with its handshake seen. */
static const uint8_t app_tls[] = {
	0x00,				/* DNS_QUERY: empty */
	0x00, 0x00,			/* type 0 */
	0x00,				/* rcode 0 */
	0x0b, 'e', 'x', 'a', 'm', 'p', 'l', 'e', '.', 'o', 'r', 'g',
	0x00,				/* HTTP_HOST: empty */
	0x00, 0x00, 0x00, 0x0c,		/* client side 12 ms */
	0x00, 0x00, 0x00, 0x22,		/* server side 34 ms */
	0x00, 0x00, 0x00, 0x02,		/* 2 retransmitted */
	0x00, 0x00, 0x00, 0x01,		/* 1 out of order */
};

static uint8_t		buf[5 * NF9_MTU_MAX];
static struct nf9	nf;

static int
init_all(unsigned version, int app, int proc, int nat, uint16_t mtu)
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
	c.app_fields = app;
	c.proc_fields = proc;
	c.nat_fields = nat;
	return nf9_init(&nf, &c, buf, sizeof(buf), BOOT_MS, WALL_MS);
}

static int
init(unsigned version, int app, uint16_t mtu)
{
	return init_all(version, app, 0, 0, mtu);
}

static struct flow_rec
rec4_tls(void)
{
	struct flow_rec r = rec4();

	r.app.name = "example.org";
	r.app.name_len = 11;
	r.app.kind = APP_TLS;
	r.app.flags = FLOW_APP_NAME | FLOW_APP_RTT | FLOW_APP_TCP;
	r.app.rtt_client_ms = 12;
	r.app.rtt_server_ms = 34;
	r.app.retrans = 2;
	r.app.ooo = 1;
	return r;
}

/* Template IDs of a fresh encoder's first packet, in the order sent. */
static size_t
template_ids(unsigned version, int app, unsigned *ids, size_t max)
{
	size_t hdr = version == NF9_FMT_IPFIX ? 16 : 20, n, tl, off, k = 0;
	unsigned set = version == NF9_FMT_IPFIX ? 2 : 0;
	const uint8_t *p, *t;

	init(version, app, NF9_MTU_DEFAULT);
	p = nf9_finish(&nf, 65432, &n);
	if ((t = set_of(p, n, hdr, set, &tl)) == NULL)
		return 0;
	for (off = 4; off + 4 <= tl && k < max; k++) {
		size_t nf_ = rd16(t + off + 2), i, rl = 4;

		ids[k] = rd16(t + off);
		for (i = 0; i < nf_ && off + rl + 4 <= tl; i++)
			rl += (t[off + rl] & 0x80) && version ==
			    NF9_FMT_IPFIX ? 8 : 4;
		off += rl;
	}
	return k;
}

static void
test_templates(unsigned version)
{
	const char *v = version == NF9_FMT_IPFIX ? "IPFIX" : "v9";
	size_t hdr = version == NF9_FMT_IPFIX ? 16 : 20, n, tl, rl;
	unsigned plain[4], ids[4], set = version == NF9_FMT_IPFIX ? 2 : 0;
	const uint8_t *p, *t;

	is_int(template_ids(version, 0, plain, 4), 2, "%s: 2 templates "
	    "without --app-info", v);
	is_int(template_ids(version, 1, ids, 4), 4, "%s: 4 with it", v);
	ok(ids[0] == plain[0] && ids[1] == plain[1], "%s: the plain ones "
	    "keep their IDs", v);
	ok(ids[2] != ids[0] && ids[3] != ids[1] && ids[2] != ids[3] &&
	    ids[2] >= 256 && ids[3] >= 256, "%s: application IDs of their "
	    "own (0x%04x, 0x%04x)", v, ids[2], ids[3]);
	init(version, 1, NF9_MTU_DEFAULT);
	p = nf9_finish(&nf, 65432, &n);
	t = set_of(p, n, hdr, set, &tl);
	if (!ok(t != NULL, "%s: template set", v))
		return;
	/* the third record: ID, 24 fields, the plain 15, then ours */
	rl = version == NF9_FMT_IPFIX ? 4 + 4 * 15 + sizeof(app_fields_ipfix) :
	    4 + 4 * 15 + sizeof(app_fields_v9);
	{
		size_t off = 4 + (4 + 4 * 15) + (4 + 4 * 15);

		ok(off + rl <= tl, "%s: room for the IPv4 application "
		    "template", v);
		if (off + rl > tl)
			return;
		is_int(rd16(t + off + 2), 24, "%s: 24 fields", v);
		is_mem(t + off + 4 + 4 * 15, rl - 4 - 4 * 15, version ==
		    NF9_FMT_IPFIX ? app_fields_ipfix : app_fields_v9,
		    version == NF9_FMT_IPFIX ? sizeof(app_fields_ipfix) :
		    sizeof(app_fields_v9), "application fields as sent");
	}
}

static void
test_records(void)
{
	struct flow_rec r = rec4_tls(), plain = rec4();
	unsigned ids[4];
	const uint8_t *p, *d;
	size_t n, dl;

	template_ids(NF9_FMT_V9, 1, ids, 4);
	init(NF9_FMT_V9, 1, NF9_MTU_DEFAULT);
	nf9_finish(&nf, 65432, &n);	/* templates out of the way */
	is_int(nf9_add(&nf, &r, 70000), 1, "a TLS record");
	is_int(nf9_add(&nf, &plain, 70000), 1, "a plain one");
	p = nf9_finish(&nf, 70000, &n);
	d = set_of(p, n, 20, ids[2], &dl);
	ok(d != NULL && dl == 4 + 38 + sizeof(app_tls) + 1, "application "
	    "set: 38 + %zu bytes and 1 of padding", sizeof(app_tls));
	if (d != NULL)
		is_mem(d + 4 + 38, sizeof(app_tls), app_tls, sizeof(app_tls),
		    "the application fields, the name once");
	d = set_of(p, n, 20, ids[0], &dl);
	ok(d != NULL && dl == 4 + 38 + 2, "the plain record: 38 bytes, as "
	    "without --app-info");
	is_int(rd16(p + 2), 2, "Count 2");

	/* without --app-info the facts are ignored: the plain template */
	init(NF9_FMT_V9, 0, NF9_MTU_DEFAULT);
	nf9_finish(&nf, 65432, &n);
	nf9_add(&nf, &r, 70000);
	ok(nf9_finish(&nf, 70000, &n) != NULL, "a packet");
	is_int(n, 20 + 4 + 38 + 2, "without --app-info: a plain record");
}

/* A name of 255 bytes or more takes the 3-byte length (RFC 7011 7). */
static void
test_long_name(void)
{
	static char name[APPNAME_MAX + 1];
	struct flow_rec r = rec6();
	unsigned ids[4];
	const uint8_t *p, *d;
	size_t n, dl;

	memset(name, 'a', APPNAME_MAX);
	r.app.name = name;
	r.app.name_len = APPNAME_MAX;
	r.app.kind = APP_DNS;
	r.app.qtype = 28;
	r.app.rcode = 3;
	r.app.flags = FLOW_APP_NAME;
	template_ids(NF9_FMT_IPFIX, 1, ids, 4);
	init(NF9_FMT_IPFIX, 1, NF9_MTU_DEFAULT);
	nf9_finish(&nf, 65432, &n);
	is_int(nf9_add(&nf, &r, 70000), 1, "IPv6 DNS record, 255-byte name");
	p = nf9_finish(&nf, 70000, &n);
	d = set_of(p, n, 16, ids[3], &dl);
	if (!ok(d != NULL, "IPv6 application set"))
		return;
	/* IPFIX IPv6 plain part: 62 + 8 (times) = 70 bytes */
	ok(d[4 + 70] == 255 && rd16(d + 4 + 71) == APPNAME_MAX,
	    "length 255 then 0x00ff");
	ok(d[4 + 73] == 'a' && d[4 + 73 + APPNAME_MAX - 1] == 'a',
	    "the name's bytes");
	is_int(rd16(d + 4 + 73 + APPNAME_MAX), 28, "type AAAA");
	is_int(d[4 + 73 + APPNAME_MAX + 2], 3, "rcode NXDOMAIN");
}

/* The MTU must hold the templates and a record with a longest name. */
static void
test_mtu(void)
{
	is_int(init(NF9_FMT_V9, 1, NF9_MTU_MIN_APP), 0, "v9: "
	    "NF9_MTU_MIN_APP is enough");
	is_int(init(NF9_FMT_IPFIX, 1, NF9_MTU_MIN_APP), 0, "IPFIX too");
	errno = 0;
	ok(init(NF9_FMT_V9, 1, NF9_MTU_MIN) == -1 && errno == EINVAL,
	    "NF9_MTU_MIN is not");
	/* everything at once: --nat, --app-info, --process, sampled */
	is_int(init_all(NF9_FMT_V9, 1, 1, 1, NF9_MTU_MIN_APP), 0,
	    "v9 with every option: NF9_MTU_MIN_APP is enough");
	is_int(init_all(NF9_FMT_IPFIX, 1, 1, 1, NF9_MTU_MIN_APP), 0,
	    "IPFIX with every option too");
	is_int(init_all(NF9_FMT_IPFIX, 0, 1, 0, NF9_MTU_MIN_APP), 0,
	    "--process alone");
}

int
main(void)
{
	test_templates(NF9_FMT_V9);
	test_templates(NF9_FMT_IPFIX);
	test_records();
	test_long_name();
	test_mtu();
	return done();
}
