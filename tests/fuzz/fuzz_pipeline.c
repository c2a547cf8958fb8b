/*
 * libFuzzer target over the whole packet path, src/pipeline.c itself:
 * decode -> sample -> flow table -> expiry -> NetFlow v9 encoder, ticks,
 * rebases, record parts and the flush at the end, as the probe runs it in
 * replay, with a tiny table, a small batch, a fake clock and a small MTU
 * so that eviction, splitting and packet boundaries happen all the time.
 * Also linked with replay.c for a plain build.
 *
 * Besides memory safety it checks the accounting end to end: the
 * exported datagrams, parsed back with their own templates, carry exactly
 * the packets and bytes that were sampled in, every header is well formed
 * and sequence numbers run without gaps.
 *
 * Input: 2 config bytes, then chunks of
 *	ctrl, dt, extra, len, frame[len]
 * ctrl & 0x0f	link type, dlts[] index as in fuzz_decode.c (mod 12)
 * ctrl & 0x10	dt is in seconds (else ms)
 * ctrl & 0x20	dt is in units of 2^24 ms (about 4.7 hours; rebase tests)
 * ctrl & 0x40	extra is in units of 64 KiB (else 256 bytes)
 * ctrl & 0x80	run a tick at this packet's time even if not due
 * wirelen = len + extra * unit.  tests/fuzz/mkseeds.py writes seeds.
 * Config byte 1 & 4 turns --app-info on (app.c, with its templates of
 * variable-length records; a build without it, APP_INFO=no, runs the
 * input without); the second byte's other bits set sampling and
 * template refresh.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "mem.h"
#include "pipeline.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)	do { if (!(cond)) abort(); } while (0)
#define BATCH		4	/* small, to exercise "call again" loops */
#define T0_US		(1700000000ULL * 1000000)

static const int dlts[12] = { 1, 0, 108, 9, 12, 14, 101, 228, 229, 113, 276,
    147 };
static const uint16_t mtus[4] = { NF9_MTU_MIN, 300, 1400, NF9_MTU_MAX };

#define TMPL_FIELDS	32

struct tmpl {
	uint16_t	id;
	uint16_t	reclen;		/* fixed fields; empty variable ones */
	int16_t		off_pkts, off_bytes, off_first, off_last;
	uint16_t	nf;
	uint16_t	len[TMPL_FIELDS];	/* 65535: variable length */
};

struct harness {
	struct pipeline	pl;
	uint8_t		*buf;
	struct flow_rec	batch[BATCH];
	struct sample	shadow;		/* the pipeline's sampler's twin */
	/* accounting */
	uint64_t	in_pkts, in_bytes;	/* sampled in */
	uint64_t	dg_pkts, dg_bytes;	/* parsed from datagrams */
	uint32_t	seq;
	int		seq_known;
	struct tmpl	tm[4];
	unsigned	ntm;
};

static uint32_t
rd16(const uint8_t *p)
{
	return (uint32_t)p[0] << 8 | p[1];
}

static uint32_t
rd32(const uint8_t *p)
{
	return rd16(p) << 16 | rd16(p + 2);
}

/* Learn a template record; returns its length in bytes. */
static size_t
learn(struct harness *h, const uint8_t *p, size_t left)
{
	struct tmpl t;
	size_t n, i, off = 0;
	int var = 0;

	CHECK(left >= 4);
	memset(&t, 0, sizeof(t));
	t.id = (uint16_t)rd16(p);
	n = rd16(p + 2);
	CHECK(t.id >= 256 && left >= 4 + 4 * n && n <= TMPL_FIELDS);
	t.off_pkts = t.off_bytes = t.off_first = t.off_last = -1;
	t.nf = (uint16_t)n;
	for (i = 0; i < n; i++) {
		uint32_t type = rd16(p + 4 + 4 * i), len = rd16(p + 6 + 4 * i);

		t.len[i] = (uint16_t)len;
		if (len == 65535) {
			off += 1;	/* an empty value: its length byte */
			var = 1;
			continue;
		}
		/* the counters and times come before any variable field */
		CHECK(!var || (type != 1 && type != 2 && type != 21 &&
		    type != 22));

		if (type == 2 && len == 4)
			t.off_pkts = (int16_t)off;
		if (type == 1 && len == 4)
			t.off_bytes = (int16_t)off;
		if (type == 22 && len == 4)
			t.off_first = (int16_t)off;
		if (type == 21 && len == 4)
			t.off_last = (int16_t)off;
		off += len;
	}
	CHECK(t.off_pkts >= 0 && t.off_bytes >= 0 && t.off_first >= 0 &&
	    t.off_last >= 0);
	t.reclen = (uint16_t)off;
	for (i = 0; i < h->ntm; i++)
		if (h->tm[i].id == t.id) {
			CHECK(h->tm[i].reclen == t.reclen);
			return 4 + 4 * n;
		}
	CHECK(h->ntm < 4);
	h->tm[h->ntm++] = t;
	return 4 + 4 * n;
}

/* The length of the record at p, which must lie within len bytes. */
static size_t
rec_len(const struct tmpl *t, const uint8_t *p, size_t len)
{
	size_t off = 0, i, v;

	for (i = 0; i < t->nf; i++) {
		if (t->len[i] != 65535) {
			off += t->len[i];
			continue;
		}
		CHECK(off < len);
		v = p[off++];
		if (v == 255) {
			CHECK(len - off >= 2);
			v = rd16(p + off);
			CHECK(v >= 255);
			off += 2;
		}
		CHECK(v <= APPNAME_MAX);
		off += v;
	}
	CHECK(off >= t->reclen && off <= len);
	return off;
}

/* One data FlowSet's records; returns how many. */
static unsigned
data_set(struct harness *h, uint16_t id, const uint8_t *p, size_t len,
    uint32_t uptime)
{
	const struct tmpl *t = NULL;
	unsigned i, n;

	for (i = 0; i < h->ntm; i++)
		if (h->tm[i].id == id)
			t = &h->tm[i];
	if (t == NULL)
		return 1;	/* the options data record */
	for (n = 0; len >= 4; n++) {
		size_t rl = rec_len(t, p, len);
		uint32_t first = rd32(p + t->off_first);
		uint32_t last = rd32(p + t->off_last);
		uint32_t pk = rd32(p + t->off_pkts);

		CHECK(pk > 0 && first <= last && last <= uptime);
		h->dg_pkts += pk;
		h->dg_bytes += rd32(p + t->off_bytes);
		p += rl;
		len -= rl;
	}
	CHECK(n > 0);
	return n;
}

/* Parse one exported datagram back and account what it carries. */
static void
datagram(struct harness *h, const uint8_t *p, size_t len)
{
	size_t off = 20;
	unsigned recs = 0;
	uint32_t uptime;

	CHECK(len >= 20 && len <= h->pl.enc.cfg.mtu && len % 4 == 0);
	CHECK(rd16(p) == 9);
	CHECK(!h->seq_known || rd32(p + 12) == h->seq + 1);
	h->seq = rd32(p + 12);
	h->seq_known = 1;
	uptime = rd32(p + 4);
	while (off < len) {
		uint16_t id, slen;

		CHECK(len - off >= 4);
		id = (uint16_t)rd16(p + off);
		slen = (uint16_t)rd16(p + off + 2);
		CHECK(slen >= 4 && slen % 4 == 0 && slen <= len - off);
		if (id == 0) {
			size_t q = off + 4;

			while (q < off + slen) {
				q += learn(h, p + q, off + slen - q);
				recs++;
			}
		} else if (id == 1)
			recs++;
		else {
			CHECK(id >= 256);
			recs += data_set(h, id, p + off + 4, slen - 4u,
			    uptime);
		}
		off += slen;
	}
	CHECK(recs == rd16(p + 2));
}

/* pipeline_out.send: every datagram is parsed back. */
static int
received(void *arg, const uint8_t *buf, size_t len)
{
	datagram(arg, buf, len);
	return 0;
}

/* What the pipeline should account for p, found the same way. */
static void
expect(struct harness *h, const struct pkt *p)
{
	struct flow_key key;
	struct pkt_meta meta;

	if (decode_packet(p, &key, &meta) != DECODE_OK ||
	    !sample_take(&h->shadow))
		return;
	h->in_pkts++;
	h->in_bytes += meta.bytes;
}

static void
setup(struct harness *h, uint8_t c0, uint8_t c1)
{
	struct pipeline *pl = &h->pl;
	struct nf9_cfg c;
	size_t sz;

	memset(h, 0, sizeof(*h));
	mem_init(MEM_UNLIMITED);
	memset(&c, 0, sizeof(c));
	c.source_id = 7;
	c.mtu = mtus[c0 >> 6];
	c.app_fields = (c1 & 4) != 0;
	if (c.app_fields && c.mtu < NF9_MTU_MIN_APP)
		c.mtu = NF9_MTU_DEFAULT;
	c.tmpl_every_pkts = (c1 >> 4) & 3;
	c.tmpl_every_ms = ((c1 >> 6) & 3) * 1000;
	c.sampling_interval = (c1 & 3) + 1;
	c.sampling_algorithm = SAMPLE_DETERMINISTIC;
	sz = nf9_buf_bytes(c.mtu);
	h->buf = mem_alloc(sz, "fuzz export buffer");
	pl->tab = flowtab_new((c0 & 15) + 1, 0x1234567890abcdefULL * c0);
	CHECK(h->buf != NULL && pl->tab != NULL);
	pl->tab_base = flowtab_base(pl->tab);
	if (c.app_fields) {
		pl->app = app_new(pl->tab, FLOWTAB_INDEX_END((c0 & 15) + 1),
		    APP_NAMES | (c.sampling_interval == 1 ? APP_TCP : 0));
		CHECK(pl->app != NULL || errno == ENOTSUP);
		c.app_fields = pl->app != NULL;
	}
	mem_seal();
	CHECK(nf9_init(&pl->enc, &c, h->buf, sz, 0, 0) == 0);
	expire_defaults(&pl->ex.cfg);
	if (c0 & 0x10) {	/* short timeouts: records expire often */
		unsigned i;

		for (i = 0; i < FLOWTAB_NCLASS; i++)
			pl->ex.cfg.idle_ms[i] = 1000 * (i + 1);
	}
	if (c0 & 0x20)
		pl->ex.cfg.active_ms = 3000;
	sample_init(&pl->smp, c.sampling_interval, SAMPLE_DETERMINISTIC, 1);
	sample_init(&h->shadow, c.sampling_interval, SAMPLE_DETERMINISTIC, 1);
	clock_init_replay(&pl->clk);
	pl->batch = h->batch;
	pl->batch_max = BATCH;
	pl->out.send = received;
	pl->out.arg = h;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct harness h;
	uint64_t ts = T0_US;
	struct pkt p;
	size_t off = 2;

	if (size < 2)
		return 0;
	setup(&h, data[0], data[1]);
	while (size - off >= 4) {
		uint8_t ctrl = data[off], dt = data[off + 1];
		uint8_t extra = data[off + 2], len = data[off + 3];

		off += 4;
		if (len > size - off)
			len = (uint8_t)(size - off);
		if (ctrl & 0x20)
			ts += (uint64_t)dt * ((uint64_t)1000 << 24);
		else
			ts += (uint64_t)dt * (ctrl & 0x10 ? 1000000 : 1000);
		memset(&p, 0, sizeof(p));
		p.dlt = dlts[(ctrl & 15) % 12];
		p.data = data + off;
		p.caplen = len;
		p.wirelen = len + (uint32_t)extra * (ctrl & 0x40 ? 65536 :
		    256);
		p.ts_us = ts;
		p.ifindex = 3;
		if ((ctrl & 0x80) && h.pl.started)	/* an early tick */
			pipeline_tick(&h.pl, h.pl.clk.now_ms);
		expect(&h, &p);
		pipeline_replay_packet(&h.pl, &p);
		CHECK(h.pl.clk.now_ms - h.pl.clk.boot_ms < CLOCK_REBASE_MS);
		CHECK(flowtab_count(h.pl.tab) <= flowtab_capacity(h.pl.tab));
		off += len;
	}
	pipeline_finish(&h.pl);
	CHECK(flowtab_count(h.pl.tab) == 0 && nf9_pending(&h.pl.enc) == 0);

	/* Nothing lost that is not counted. */
	CHECK(h.dg_pkts == h.in_pkts && h.dg_bytes == h.in_bytes);
	CHECK(h.pl.st.unexportable == 0);
	CHECK(h.pl.ex.st.created <= h.pl.st.records);
	app_free(h.pl.app);
	flowtab_free(h.pl.tab);
	mem_free(h.buf);
	return 0;
}
