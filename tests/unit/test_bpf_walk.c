/*
 * The /dev/bpf buffer walker on synthetic buffers, in every struct bpf_hdr
 * layout the BSDs use: valid, truncated at every length, corrupt headers,
 * adversarial lengths and random mutations.  Every buffer is a malloc of
 * exactly its length, so a read past it shows under ASan and valgrind.
 *
 * "test_bpf_walk --tables" prints the layout and DLT tables below;
 * tests/integration/bsd_constants.py checks them against the FreeBSD,
 * OpenBSD, NetBSD and macOS tables of golang.org/x/sys/unix.
 */
#include <stdlib.h>

#include "tap.h"
#include "../../platform/bpf_walk.h"

struct layout {
	const char		*name;	/* os/GOARCH */
	struct bpf_walk_layout	 l;
};

/* timeval with 8-byte fields: FreeBSD and NetBSD LP64 */
#define L_8_8_A8 { .sec_off = 0, .sec_size = 8, .usec_off = 8, \
	.usec_size = 8, .caplen_off = 16, .datalen_off = 20, \
	.hdrlen_off = 24, .align = 8 }
/* FreeBSD armv7: 64-bit time_t, 32-bit long */
#define L_8_4_A4 { .sec_off = 0, .sec_size = 8, .usec_off = 8, \
	.usec_size = 4, .caplen_off = 16, .datalen_off = 20, \
	.hdrlen_off = 24, .align = 4 }
/* 32-bit seconds: bpf_timeval (OpenBSD, NetBSD ILP32), timeval32 (macOS),
 * timeval on FreeBSD i386 */
#define L_4_4_A4 { .sec_off = 0, .sec_size = 4, .usec_off = 4, \
	.usec_size = 4, .caplen_off = 8, .datalen_off = 12, \
	.hdrlen_off = 16, .align = 4 }

static const struct layout layouts[] = {
	{ "freebsd/amd64", L_8_8_A8 },
	{ "freebsd/arm64", L_8_8_A8 },
	{ "freebsd/riscv64", L_8_8_A8 },
	{ "freebsd/arm", L_8_4_A4 },
	{ "freebsd/386", L_4_4_A4 },
	{ "netbsd/amd64", L_8_8_A8 },
	{ "netbsd/arm64", L_8_8_A8 },
	{ "netbsd/arm", L_4_4_A4 },
	{ "netbsd/386", L_4_4_A4 },
	{ "openbsd/amd64", L_4_4_A4 },
	{ "openbsd/arm64", L_4_4_A4 },
	{ "openbsd/arm", L_4_4_A4 },
	{ "openbsd/386", L_4_4_A4 },
	{ "openbsd/mips64", L_4_4_A4 },
	{ "openbsd/ppc64", L_4_4_A4 },
	{ "openbsd/riscv64", L_4_4_A4 },
	{ "darwin/amd64", L_4_4_A4 },
	{ "darwin/arm64", L_4_4_A4 },
};

struct dlts {
	const char		*os;
	struct bpf_walk_dlts	 d;
	int			 ppp_bsdos;	/* a DLT that must not pass */
};

static const struct dlts dlt_tables[] = {
	{ "freebsd", { .null = 0, .en10mb = 1, .ppp = 9, .raw = 12,
	    .loop = 108 }, 14 },
	{ "netbsd", { .null = 0, .en10mb = 1, .ppp = 9, .raw = 12,
	    .loop = 108 }, 14 },
	{ "openbsd", { .null = 0, .en10mb = 1, .ppp = 9, .raw = 14,
	    .loop = 12 }, 16 },
	{ "darwin", { .null = 0, .en10mb = 1, .ppp = 9, .raw = 12,
	    .loop = 108 }, 16 },
};

static void
put(uint8_t *p, unsigned size, uint64_t v)
{
	uint16_t v16 = (uint16_t)v;
	uint32_t v32 = (uint32_t)v;

	if (size == 2)
		memcpy(p, &v16, 2);
	else if (size == 4)
		memcpy(p, &v32, 4);
	else
		memcpy(p, &v, 8);
}

struct rec {
	uint64_t	sec, usec;
	uint32_t	caplen, datalen;
	uint16_t	hdrlen;		/* 0: the layout's minimum */
};

static size_t
hdr_min(const struct bpf_walk_layout *l)
{
	struct bpf_walk w;

	return bpf_walk_setup(&w, l) == 0 ? w.hdr_min : 0;
}

static size_t
align_up(size_t n, unsigned a)
{
	return (n + a - 1) / a * a;
}

/* Write r at buf + off as the kernel would; payload bytes are the record
 * number.  Returns the offset of the next record. */
static size_t
put_rec(uint8_t *buf, size_t off, const struct bpf_walk_layout *l,
    const struct rec *r, int n)
{
	uint8_t *h = buf + off;
	size_t hl = r->hdrlen != 0 ? r->hdrlen : hdr_min(l);

	memset(h, 0xee, hl);
	put(h + l->sec_off, l->sec_size, r->sec);
	put(h + l->usec_off, l->usec_size, r->usec);
	put(h + l->caplen_off, 4, r->caplen);
	put(h + l->datalen_off, 4, r->datalen);
	put(h + l->hdrlen_off, 2, hl);
	memset(h + hl, n, r->caplen);
	return off + align_up(hl + r->caplen, l->align);
}

/* Records used by most tests: an Ethernet-like padded header, a full
 * frame, an empty capture and an odd length that needs padding. */
static const struct rec recs[] = {
	{ 1700000000, 123456, 60, 60, 0 },
	{ 1700000001, 0, 7, 1514, 0 },
	{ 1700000002, 999999, 0, 40, 0 },
	{ 1700000003, 5, 33, 33, 0 },
};
#define NRECS	(sizeof(recs) / sizeof(recs[0]))

/* Build recs in layout l; starts[] and ends[] get each record's offset
 * and the end of its data.  Returns a malloc'd buffer of *len bytes,
 * without padding after the last record (the kernel need not add any). */
static uint8_t *
build(const struct bpf_walk_layout *l, size_t *len, size_t *starts,
    size_t *ends, int pad_hdr)
{
	uint8_t tmp[4096];
	size_t off = 0, i;
	struct rec r;
	uint8_t *buf;

	memset(tmp, 0, sizeof(tmp));
	for (i = 0; i < NRECS; i++) {
		r = recs[i];
		/* Like BSD's bif_hdrlen: pad the header so the IP header
		 * after a 4-byte loopback header is aligned. */
		if (pad_hdr)
			r.hdrlen = (uint16_t)(align_up(hdr_min(l) + 4,
			    l->align) - 4);
		starts[i] = off;
		ends[i] = off + (r.hdrlen ? r.hdrlen : hdr_min(l)) + r.caplen;
		off = put_rec(tmp, off, l, &r, (int)i + 1);
	}
	*len = ends[NRECS - 1];
	if ((buf = malloc(*len)) == NULL)
		abort();
	memcpy(buf, tmp, *len);
	return buf;
}

static int
walk_all(struct bpf_walk *w, const uint8_t *buf, size_t len,
    struct pkt *out, int max)
{
	int n = 0;
	struct pkt p;

	bpf_walk_start(w, buf, len);
	while (bpf_walk_next(w, &p) == 1) {
		if (n < max)
			out[n] = p;
		n++;
		if (n > 100000)
			break;
	}
	return n;
}

static void
test_valid(const struct layout *ly, int pad_hdr)
{
	const struct bpf_walk_layout *l = &ly->l;
	size_t len, starts[NRECS], ends[NRECS], i, j;
	struct pkt got[NRECS + 1];
	struct bpf_walk w;
	uint8_t *buf;
	int n, good = 1;

	bpf_walk_setup(&w, l);
	buf = build(l, &len, starts, ends, pad_hdr);
	n = walk_all(&w, buf, len, got, (int)NRECS + 1);
	is_int(n, NRECS, "%s%s: every record", ly->name,
	    pad_hdr ? " (padded headers)" : "");
	for (i = 0; i < NRECS && (size_t)n == NRECS; i++) {
		size_t hl = ends[i] - starts[i] - recs[i].caplen;
		if (got[i].data != buf + starts[i] + hl ||
		    got[i].caplen != recs[i].caplen ||
		    got[i].wirelen != recs[i].datalen ||
		    got[i].ts_us != recs[i].sec * 1000000 + recs[i].usec)
			good = 0;
		for (j = 0; j < recs[i].caplen; j++)
			if (got[i].data[j] != i + 1)
				good = 0;
	}
	ok(good, "%s: data, lengths and timestamps", ly->name);
	ok(w.skipped == 0 && w.abandoned == 0, "%s: nothing dropped",
	    ly->name);
	free(buf);
}

/* Cut the buffer at every length: complete records come out, a cut
 * inside a record abandons the rest, nothing reads past the cut. */
static void
test_truncated(const struct layout *ly)
{
	const struct bpf_walk_layout *l = &ly->l;
	size_t len, starts[NRECS], ends[NRECS], cut, i;
	struct pkt got[NRECS + 1];
	struct bpf_walk w;
	uint8_t *full;
	int good = 1;

	bpf_walk_setup(&w, l);
	full = build(l, &len, starts, ends, 1);
	for (cut = 0; cut <= len; cut++) {
		size_t want = 0, wab = 0;
		uint8_t *buf;
		int n;

		if ((buf = malloc(cut ? cut : 1)) == NULL)
			abort();
		memcpy(buf, full, cut);
		w.abandoned = 0;
		n = walk_all(&w, buf, cut, got, (int)NRECS + 1);
		for (i = 0; i < NRECS; i++) {
			if (ends[i] <= cut)
				want++;
			else if (starts[i] < cut)
				wab = 1;
		}
		if ((size_t)n != want || w.abandoned != wab) {
			diag("%s cut at %zu: %d records (want %zu), "
			    "abandoned %llu (want %zu)", ly->name, cut, n,
			    want, (unsigned long long)w.abandoned, wab);
			good = 0;
		}
		free(buf);
	}
	ok(good, "%s: truncated at each of 0..%zu bytes", ly->name, len);
	free(full);
}

/* One record whose header says hdrlen/caplen; nothing may come out. */
static int
corrupt_one(const struct bpf_walk_layout *l, uint32_t caplen,
    uint32_t datalen, uint16_t hdrlen, size_t len)
{
	struct bpf_walk w;
	struct pkt p;
	uint8_t *buf;
	int n = 0;

	if ((buf = calloc(1, len)) == NULL)
		abort();
	if (len >= hdr_min(l)) {
		put(buf + l->caplen_off, 4, caplen);
		put(buf + l->datalen_off, 4, datalen);
		put(buf + l->hdrlen_off, 2, hdrlen);
	}
	bpf_walk_setup(&w, l);
	bpf_walk_start(&w, buf, len);
	while (bpf_walk_next(&w, &p) == 1 && n < 1000)
		n++;
	free(buf);
	return n == 0 && w.abandoned == 1;
}

static void
test_corrupt(const struct layout *ly)
{
	const struct bpf_walk_layout *l = &ly->l;
	uint16_t hm = (uint16_t)hdr_min(l);

	ok(corrupt_one(l, 10, 10, 0, 64), "%s: hdrlen 0", ly->name);
	ok(corrupt_one(l, 10, 10, hm - 1, 64), "%s: hdrlen one short",
	    ly->name);
	ok(corrupt_one(l, 0, 0, 65, 64), "%s: hdrlen past the end",
	    ly->name);
	ok(corrupt_one(l, 0, 0, 0xffff, 64), "%s: hdrlen 65535", ly->name);
	ok(corrupt_one(l, 64 - hm + 1, 100, hm, 64),
	    "%s: caplen one past the end", ly->name);
	ok(corrupt_one(l, 0xffffffff, 0xffffffff, hm, 64),
	    "%s: caplen 2^32-1", ly->name);
	ok(corrupt_one(l, 0xfffffff0, 0xffffffff, 0xffff, 64),
	    "%s: hdrlen + caplen wraps 32 bits", ly->name);
	ok(corrupt_one(l, 0, 0, 0, hm - 1),
	    "%s: buffer shorter than a header", ly->name);
}

/* caplen > datalen: skipped, and the walk goes on to the next record. */
static void
test_inconsistent(const struct layout *ly)
{
	const struct bpf_walk_layout *l = &ly->l;
	struct rec bad = { 1, 0, 20, 10, 0 }, good = { 2, 0, 5, 5, 0 };
	uint8_t buf[256];
	struct bpf_walk w;
	struct pkt p;
	size_t off;
	int n = 0;

	off = put_rec(buf, 0, l, &bad, 1);
	off = put_rec(buf, off, l, &good, 2);
	bpf_walk_setup(&w, l);
	bpf_walk_start(&w, buf, off);
	while (bpf_walk_next(&w, &p) == 1)
		n++;
	ok(n == 1 && p.caplen == 5 && p.data[0] == 2 && w.skipped == 1 &&
	    w.abandoned == 0, "%s: caplen > datalen skipped, walk goes on",
	    ly->name);
}

static uint64_t
one_ts(const struct bpf_walk_layout *l, uint64_t sec, uint64_t usec)
{
	struct rec r = { sec, usec, 1, 1, 0 };
	uint8_t buf[64];
	struct bpf_walk w;
	struct pkt p;
	size_t len;

	len = put_rec(buf, 0, l, &r, 1);
	bpf_walk_setup(&w, l);
	bpf_walk_start(&w, buf, len);
	if (bpf_walk_next(&w, &p) != 1)
		return 1;	/* no valid timestamp is 1 */
	return p.ts_us;
}

static void
test_timestamps(void)
{
	const struct bpf_walk_layout l88 = L_8_8_A8, l84 = L_8_4_A4,
	    l44 = L_4_4_A4;

	is_int(one_ts(&l88, (uint64_t)-1, 0), 0, "8-byte negative seconds");
	is_int(one_ts(&l88, UINT64_MAX / 1000000 + 1, 0), 0,
	    "8-byte seconds beyond 64-bit microseconds");
	is_int(one_ts(&l88, 5, (uint64_t)-1), 5000000,
	    "negative microseconds dropped");
	is_int(one_ts(&l88, 5, 1000000), 5000000,
	    "microseconds 1000000 dropped");
	is_int(one_ts(&l84, 5, 0xffffffff), 5000000,
	    "4-byte microseconds 2^32-1 dropped");
	ok(one_ts(&l44, 0xffffffff, 999999) == 4294967295ULL * 1000000 +
	    999999, "4-byte seconds are unsigned (past 2038)");
	is_int(one_ts(&l84, 0, 7), 7, "8-byte seconds, 4-byte usec");
}

static void
test_setup(void)
{
	struct bpf_walk_layout l = L_4_4_A4;
	struct bpf_walk w;

	l.sec_size = 3;
	is_int(bpf_walk_setup(&w, &l), -1, "seconds of 3 bytes rejected");
	l.sec_size = 4;
	l.align = 0;
	is_int(bpf_walk_setup(&w, &l), -1, "alignment 0 rejected");
	l.align = 16;
	is_int(bpf_walk_setup(&w, &l), -1, "alignment 16 rejected");
	l.align = 4;
	l.hdrlen_off = 40;
	bpf_walk_setup(&w, &l);
	is_int(w.hdr_min, 42, "hdr_min follows the last field");
}

/* Mutate valid buffers at random; every frame that comes out must lie
 * inside the buffer and the walk must end. */
static void
test_random(const struct layout *ly)
{
	const struct bpf_walk_layout *l = &ly->l;
	size_t len, starts[NRECS], ends[NRECS], k;
	uint32_t seed = 12345;
	struct bpf_walk w;
	uint8_t *full;
	struct pkt p;
	int i, good = 1;

	bpf_walk_setup(&w, l);
	full = build(l, &len, starts, ends, 0);
	for (i = 0; i < 2000; i++) {
		size_t cut;
		uint8_t *buf;
		int n = 0;

		seed = seed * 1103515245 + 12345;
		cut = (seed >> 8) % (len + 1);
		if ((buf = malloc(cut ? cut : 1)) == NULL)
			abort();
		memcpy(buf, full, cut);
		for (k = 0; cut != 0 && k < 4; k++) {
			seed = seed * 1103515245 + 12345;
			buf[(seed >> 8) % cut] = (uint8_t)(seed >> 24);
		}
		bpf_walk_start(&w, buf, cut);
		while (bpf_walk_next(&w, &p) == 1) {
			if (p.data < buf || p.caplen > cut ||
			    p.data + p.caplen > buf + cut ||
			    p.wirelen < p.caplen)
				good = 0;
			if (++n > (int)(cut / w.hdr_min) + 1) {
				good = 0;
				break;
			}
		}
		free(buf);
	}
	ok(good, "%s: 2000 random mutations stay inside the buffer",
	    ly->name);
	free(full);
}

static void
test_linktypes(void)
{
	size_t i;

	for (i = 0; i < sizeof(dlt_tables) / sizeof(dlt_tables[0]); i++) {
		const struct dlts *t = &dlt_tables[i];
		const struct bpf_walk_dlts *d = &t->d;

		ok(bpf_walk_linktype(d, d->null) == 0 &&
		    bpf_walk_linktype(d, d->en10mb) == 1 &&
		    bpf_walk_linktype(d, d->ppp) == 9 &&
		    bpf_walk_linktype(d, d->raw) == 101 &&
		    bpf_walk_linktype(d, d->loop) == 108,
		    "%s: null, Ethernet, PPP, raw, loop translated", t->os);
		is_int(bpf_walk_linktype(d, t->ppp_bsdos), -1,
		    "%s: DLT_PPP_BSDOS (%d) is not taken for raw IP", t->os,
		    t->ppp_bsdos);
		is_int(bpf_walk_linktype(d, 117), 117,
		    "%s: 104 and up pass through (pflog)", t->os);
		is_int(bpf_walk_linktype(d, 50), -1,
		    "%s: unknown low DLT is -1", t->os);
	}
}

static void
print_tables(void)
{
	size_t i;

	for (i = 0; i < sizeof(layouts) / sizeof(layouts[0]); i++) {
		const struct bpf_walk_layout *l = &layouts[i].l;

		printf("layout %s sec=%u/%u usec=%u/%u caplen=%u datalen=%u "
		    "hdrlen=%u align=%u\n", layouts[i].name, l->sec_off,
		    l->sec_size, l->usec_off, l->usec_size, l->caplen_off,
		    l->datalen_off, l->hdrlen_off, l->align);
	}
	for (i = 0; i < sizeof(dlt_tables) / sizeof(dlt_tables[0]); i++) {
		const struct bpf_walk_dlts *d = &dlt_tables[i].d;

		printf("dlt %s NULL=%d EN10MB=%d PPP=%d RAW=%d LOOP=%d "
		    "PPP_BSDOS=%d\n", dlt_tables[i].os, d->null, d->en10mb,
		    d->ppp, d->raw, d->loop, dlt_tables[i].ppp_bsdos);
	}
}

int
main(int argc, char **argv)
{
	size_t i;

	if (argc > 1 && strcmp(argv[1], "--tables") == 0) {
		print_tables();
		return 0;
	}
	for (i = 0; i < sizeof(layouts) / sizeof(layouts[0]); i++) {
		test_valid(&layouts[i], 0);
		test_valid(&layouts[i], 1);
		test_truncated(&layouts[i]);
		test_corrupt(&layouts[i]);
		test_inconsistent(&layouts[i]);
		test_random(&layouts[i]);
	}
	test_timestamps();
	test_setup();
	test_linktypes();
	return done();
}
