/* pcap/pcapng record parsing on hand-built files: both byte orders, us and
 * ns, several interfaces and time resolutions, and every file cut short. */
#include <stdlib.h>
#include <string.h>

#include "file_format.h"
#include "tap.h"

struct buf {
	uint8_t	b[4096];
	size_t	n;
	int	le;
};

static void
put32(struct buf *f, uint32_t v)
{
	int i;

	for (i = 0; i < 4; i++)
		f->b[f->n++] = (uint8_t)(f->le ? v >> (8 * i) :
		    v >> (24 - 8 * i));
}

static void
put16(struct buf *f, uint16_t v)
{
	f->b[f->n++] = (uint8_t)(f->le ? v : v >> 8);
	f->b[f->n++] = (uint8_t)(f->le ? v >> 8 : v);
}

static void
put_bytes(struct buf *f, const void *p, size_t n)
{
	memcpy(f->b + f->n, p, n);
	f->n += n;
	while (f->n % 4 != 0)
		f->b[f->n++] = 0;
}

static const uint8_t frame[10] = "0123456789";

static void
classic(struct buf *f, int le, int nsec)
{
	memset(f, 0, sizeof(*f));
	f->le = le;
	put32(f, nsec ? 0xa1b23c4d : 0xa1b2c3d4);
	put16(f, 2);
	put16(f, 4);
	put32(f, 0);
	put32(f, 0);
	put32(f, 65535);
	put32(f, 1);
	put32(f, 4000000000U);		/* past 2038 */
	put32(f, nsec ? 123456789 : 123456);
	put32(f, 10);
	put32(f, 60);
	memcpy(f->b + f->n, frame, 10);
	f->n += 10;
	put32(f, 5);
	put32(f, 0);
	put32(f, 0);			/* a zero-length frame */
	put32(f, 0);
}

/* SHB, two IDBs (Ethernet us, raw IP with 2^-10 s and an offset), an EPB
 * on each, a name-resolution block, an SPB and an obsolete PB. */
static void
pcapng(struct buf *f, int le)
{
	memset(f, 0, sizeof(*f));
	f->le = le;
	put32(f, 0x0a0d0d0a); put32(f, 28); put32(f, 0x1a2b3c4d);
	put16(f, 1); put16(f, 0); put32(f, 0xffffffff); put32(f, 0xffffffff);
	put32(f, 28);
	put32(f, 1); put32(f, 20); put16(f, 1); put16(f, 0); put32(f, 0);
	put32(f, 20);
	put32(f, 1); put32(f, 44); put16(f, 101); put16(f, 0); put32(f, 0);
	put16(f, 9); put16(f, 1); put_bytes(f, "\x8a", 1);
	put16(f, 14); put16(f, 8); put32(f, 0); put32(f, 0);
	f->n -= 8;			/* the offset, in file order */
	if (le) {
		put32(f, 100);
		put32(f, 0);
	} else {
		put32(f, 0);
		put32(f, 100);
	}
	put16(f, 0); put16(f, 0); put32(f, 44);
	put32(f, 6); put32(f, 44); put32(f, 0); put32(f, 0);
	put32(f, 1500000); put32(f, 10); put32(f, 10);
	put_bytes(f, frame, 10); put32(f, 44);
	put32(f, 6); put32(f, 44); put32(f, 1); put32(f, 0);
	put32(f, 3 * 1024 + 512); put32(f, 10); put32(f, 1000);
	put_bytes(f, frame, 10); put32(f, 44);
	put32(f, 4); put32(f, 16); put32(f, 0); put32(f, 16);
	put32(f, 3); put32(f, 28); put32(f, 10); put_bytes(f, frame, 10);
	put32(f, 28);
	put32(f, 2); put32(f, 44); put16(f, 0); put16(f, 0); put32(f, 0);
	put32(f, 7000000); put32(f, 10); put32(f, 10);
	put_bytes(f, frame, 10); put32(f, 44);
}

static int fast_bad, fast_ok;

/*
 * ff_record() at b, and ff_packet(), the reader's inline fast path, beside
 * it: where the fast path takes a record it must agree field by field.
 */
static int
record(struct ff_state *s, const uint8_t *b, size_t len, struct ff_rec *r)
{
	struct ff_rec fast;
	int rc, frc;

	memset(&fast, 0xa5, sizeof(fast));
	frc = ff_packet(s, b, len, &fast);
	rc = ff_record(s, b, len, r);
	if (frc == FF_SLOW)
		return rc;
	fast_ok++;
	if (frc != FF_OK || rc != FF_OK || fast.total != r->total ||
	    fast.packet != r->packet || fast.data_off != r->data_off ||
	    fast.data_len != r->data_len || fast.wirelen != r->wirelen ||
	    fast.ts_us != r->ts_us || fast.dlt != r->dlt)
		fast_bad++;
	return rc;
}

/* Parse a whole buffer; collect the packets; -1 on FF_BAD/FF_NEED. */
static int
parse(const uint8_t *b, size_t n, struct ff_rec *out, int max, int *dlt0)
{
	struct ff_state s;
	struct ff_rec r;
	size_t off = 0;
	int np = 0;

	if (ff_open(&s, b, n) != FF_OK)
		return -2;
	while (off < n) {
		int rc = record(&s, b + off, n - off, &r);
		if (rc != FF_OK)
			return -1;
		if (r.packet && np < max)
			out[np++] = r;
		if (r.total > n - off)
			return -1;
		off += (size_t)r.total;
	}
	*dlt0 = ff_datalink(&s);
	return np;
}

static void
test_classic(int le, int nsec)
{
	struct ff_rec r[4];
	struct buf f;
	int n, dlt;

	classic(&f, le, nsec);
	n = parse(f.b, f.n, r, 4, &dlt);
	is_int(n, 2, "classic le=%d ns=%d: two records", le, nsec);
	is_int(dlt, 1, "  link type from the header");
	is_int(r[0].ts_us, 4000000000ULL * 1000000 + 123456,
	    "  time past 2038, microseconds");
	is_int(r[0].data_len, 10, "  caplen");
	is_int(r[0].wirelen, 60, "  wirelen");
	is_int(r[0].dlt, 1, "  record link type");
	is_int(r[1].data_len, 0, "  zero-length frame is still a packet");
	is_int(r[1].wirelen, 0, "  its wirelen");
}

static void
test_pcapng(int le)
{
	struct ff_rec r[8];
	struct buf f;
	int n, dlt;

	pcapng(&f, le);
	n = parse(f.b, f.n, r, 8, &dlt);
	is_int(n, 4, "pcapng le=%d: EPB, EPB, SPB, PB", le);
	is_int(dlt, 1, "  first interface's link type");
	is_int(r[0].ts_us, 1500000, "  interface 0: microseconds");
	is_int(r[0].dlt, 1, "  interface 0: Ethernet");
	is_int(r[1].dlt, 101, "  interface 1: raw IP");
	is_int(r[1].ts_us, 100 * 1000000ULL + 3500000,
	    "  interface 1: 2^-10 s ticks plus if_tsoffset");
	is_int(r[1].wirelen, 1000, "  wirelen");
	is_int(r[2].data_len, 10, "  SPB: caplen");
	is_int(r[2].ts_us, 0, "  SPB: no time stamp");
	is_int(r[3].ts_us, 7000000, "  obsolete PB");
	ok(memcmp(f.b + r[0].data_off, "x", 0) == 0, "  data offset set");
}

/* Every prefix of a file, in an exact-size heap copy: never an over-read
 * (ASan), and each call asks for more, fails, or parses within len. */
static void
test_prefixes(const struct buf *f, const char *what)
{
	struct ff_state s;
	struct ff_rec r;
	size_t len, off;
	int bad = 0, rc;

	for (len = 0; len < f->n; len++) {
		uint8_t *c = malloc(len ? len : 1);
		memcpy(c, f->b, len);
		if (ff_open(&s, c, len) != FF_OK) {
			free(c);
			continue;
		}
		for (off = 0; off < len; off += (size_t)r.total) {
			rc = record(&s, c + off, len - off, &r);
			if (rc == FF_NEED && r.head <= len - off)
				bad++;
			if (rc != FF_OK || r.total > len - off)
				break;
		}
		free(c);
	}
	is_int(bad, 0, "%s: every prefix parses safely", what);
}

static void
test_corrupt(void)
{
	struct ff_rec r[4];
	struct buf f;
	int dlt;

	pcapng(&f, 1);
	f.b[28 + 4] = 13;		/* IDB length not a multiple of 4 */
	is_int(parse(f.b, f.n, r, 4, &dlt), -1, "bad block length refused");
	pcapng(&f, 1);
	f.b[28 + 20 + 44 + 8] = 7;	/* EPB for interface 7 */
	is_int(parse(f.b, f.n, r, 4, &dlt), -1, "undeclared interface");
	pcapng(&f, 1);
	f.b[28 + 20 + 44 + 20] = 200;	/* caplen past the block */
	is_int(parse(f.b, f.n, r, 4, &dlt), -1, "caplen past block");
	pcapng(&f, 1);
	f.b[8] = 0x99;			/* byte-order magic */
	is_int(parse(f.b, f.n, r, 4, &dlt), -1, "bad byte-order magic");
	memset(&f, 0, sizeof(f));
	memcpy(f.b, "GIF89a", 6);
	is_int(parse(f.b, 6, r, 4, &dlt), -2, "not a capture: unknown");
}

/* Set a 16- or 32-bit (bits) field of f, in f's byte order, at off. */
static void
set_field(struct buf *f, size_t off, int bits, uint32_t v)
{
	size_t n = f->n;

	f->n = off;
	if (bits == 16)
		put16(f, (uint16_t)v);
	else
		put32(f, v);
	f->n = n;
}

#define set16(f, off, v)	set_field(f, off, 16, v)
#define set32(f, off, v)	set_field(f, off, 32, v)

/* Parse classic() (ng 0) or pcapng() (ng 1) with version major.minor. */
static int
parse_version(int ng, int le, uint16_t major, uint16_t minor)
{
	struct ff_rec r[8];
	struct buf f;
	int dlt;

	if (ng)
		pcapng(&f, le);
	else
		classic(&f, le, 0);
	set16(&f, ng ? 12 : 4, major);
	set16(&f, ng ? 14 : 6, minor);
	return parse(f.b, f.n, r, 8, &dlt);
}

/*
 * The versions libpcap 1.10 reads: pcap 2.0 to 2.4 and 543.0 (DG/UX),
 * pcapng sections 1.0 and 1.2; the others are refused.
 */
static void
test_versions(int le)
{
	static const uint16_t v[][4] = {	/* ng, major, minor, read */
		{ 0, 2, 0, 1 }, { 0, 2, 4, 1 }, { 0, 543, 0, 1 },
		{ 0, 1, 0, 0 }, { 0, 2, 5, 0 }, { 0, 3, 0, 0 },
		{ 0, 543, 1, 0 }, { 1, 1, 0, 1 }, { 1, 1, 2, 1 },
		{ 1, 1, 1, 0 }, { 1, 1, 3, 0 }, { 1, 2, 0, 0 }, { 1, 0, 9, 0 }
	};
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		is_int(parse_version(v[i][0], le, v[i][1], v[i][2]),
		    v[i][3] ? (v[i][0] ? 4 : 2) : -1, "%s %u.%u %s (le=%d)",
		    v[i][0] ? "pcapng" : "pcap", v[i][1], v[i][2],
		    v[i][3] ? "read" : "refused", le);
}

/* pcapng() with the 32-bit field at off set to v: packets, or -1. */
static int
parse_ng_with(int le, size_t off, uint32_t v)
{
	struct ff_rec r[8];
	struct buf f;
	int dlt;

	pcapng(&f, le);
	set32(&f, off, v);
	return parse(f.b, f.n, r, 8, &dlt);
}

/*
 * Lengths as libpcap takes them: a block's trailing length must repeat
 * its leading one; a packet may not be longer than its interface's snap
 * length (pcapng) or 262144 bytes (classic, where a record longer than
 * the file's snap length is cut to it).  Offsets: see pcapng(), classic().
 */
static void
test_lengths(int le)
{
	struct ff_rec r[4];
	struct buf f;
	int dlt;

	is_int(parse_ng_with(le, 92 + 40, 48), -1, "EPB trailer differs");
	is_int(parse_ng_with(le, 28 + 16, 24), -1, "IDB trailer differs");
	is_int(parse_ng_with(le, 24, 0), -1, "SHB trailer differs");
	is_int(parse_ng_with(le, 28 + 12, 8), -1,
	    "EPB over its interface's snap length");
	is_int(parse_ng_with(le, 28 + 12, 10), 4, "EPB at the snap length");
	classic(&f, le, 0);
	set32(&f, 16, 4);
	is_int(parse(f.b, f.n, r, 4, &dlt), 2, "classic snap length 4");
	is_int(r[0].data_len, 4, "  10-byte frame cut to 4, as libpcap");
	is_int(r[0].wirelen, 60, "  wirelen kept");
	classic(&f, le, 0);
	set32(&f, 16, 0);
	is_int(parse(f.b, f.n, r, 4, &dlt), 2, "classic snap length 0");
	is_int(r[0].data_len, 10, "  0 is the largest: frame whole");
	classic(&f, le, 0);
	set32(&f, 24 + 8, 262145);
	is_int(parse(f.b, f.n, r, 4, &dlt), -1, "classic record over 262144");
}

/* ff_datalinks(): each link type once, in the order declared. */
static void
test_datalinks(void)
{
	struct ff_state s;
	struct ff_rec r;
	struct buf f;
	size_t off = 0;
	int dlts[4] = { -1, -1, -1, -1 };

	pcapng(&f, 1);
	ff_open(&s, f.b, f.n);
	is_int(ff_datalinks(&s, dlts, 4), 0, "no interface yet: none");
	while (off < f.n && ff_record(&s, f.b + off, f.n - off, &r) == FF_OK)
		off += (size_t)r.total;
	is_int(ff_datalinks(&s, dlts, 4), 2, "pcapng: two link types");
	ok(dlts[0] == 1 && dlts[1] == 101, "  Ethernet, then raw IP");
	is_int(ff_datalinks(&s, dlts, 1), 1, "  at most max");
	set16(&f, 48 + 8, 1);		/* IDB 1: Ethernet as well */
	ff_open(&s, f.b, f.n);
	off = 0;
	while (off < f.n && ff_record(&s, f.b + off, f.n - off, &r) == FF_OK)
		off += (size_t)r.total;
	is_int(ff_datalinks(&s, dlts, 4), 1, "two Ethernet interfaces: one");
	classic(&f, 0, 0);
	ff_open(&s, f.b, f.n);
	(void)ff_record(&s, f.b, f.n, &r);
	is_int(ff_datalinks(&s, dlts, 4), 1, "classic: the file's");
	is_int(dlts[0], 1, "  Ethernet");
}

int
main(void)
{
	struct buf f;

	test_classic(1, 0);
	test_classic(0, 0);
	test_classic(1, 1);
	test_classic(0, 1);
	test_pcapng(1);
	test_pcapng(0);
	classic(&f, 1, 0);
	test_prefixes(&f, "classic");
	pcapng(&f, 0);
	test_prefixes(&f, "pcapng");
	test_corrupt();
	test_versions(0);
	test_versions(1);
	test_lengths(0);
	test_lengths(1);
	test_datalinks();
	ok(fast_ok > 100, "fast path taken (%d records)", fast_ok);
	is_int(fast_bad, 0, "fast path agrees with ff_record() wherever taken");
	return done();
}
