/*
 * libFuzzer target over the whole packet path: decode -> sample -> flow
 * table -> expiry -> NetFlow v9 encoder, driven the way probe.c drives it
 * in replay (one-second ticks, rebase before sysUptime leaves its range,
 * flush at the end), with a tiny table, a fake clock and a small MTU so
 * that eviction, splitting and packet boundaries happen all the time.
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
 */
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "decode.h"
#include "expire.h"
#include "flowtab.h"
#include "mem.h"
#include "nf9.h"
#include "sample.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)	do { if (!(cond)) abort(); } while (0)
#define BATCH		4	/* small, to exercise "call again" loops */
#define TICK_MS		1000
#define T0_US		(1700000000ULL * 1000000)

static const int dlts[12] = { 1, 0, 108, 9, 12, 14, 101, 228, 229, 113, 276,
    147 };
static const uint16_t mtus[4] = { NF9_MTU_MIN, 300, 1400, NF9_MTU_MAX };

struct tmpl {
	uint16_t	id;
	uint16_t	reclen;
	int16_t		off_pkts, off_bytes, off_first, off_last;
};

struct harness {
	struct pf_clock	clk;
	struct sample	smp;
	struct flowtab	*tab;
	struct expire	ex;
	struct nf9	enc;
	uint8_t		*buf;
	struct flow_rec	batch[BATCH];
	uint64_t	next_tick;
	int		started;
	/* accounting */
	uint64_t	in_pkts, in_bytes;	/* sampled in */
	uint64_t	rec_pkts, rec_bytes;	/* in emitted records */
	uint64_t	dg_pkts, dg_bytes;	/* parsed from datagrams */
	uint64_t	nrec;
	uint32_t	seq;
	int		seq_known;
	struct tmpl	tm[2];
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

	CHECK(left >= 4);
	memset(&t, 0, sizeof(t));
	t.id = (uint16_t)rd16(p);
	n = rd16(p + 2);
	CHECK(t.id >= 256 && left >= 4 + 4 * n);
	t.off_pkts = t.off_bytes = t.off_first = t.off_last = -1;
	for (i = 0; i < n; i++) {
		uint32_t type = rd16(p + 4 + 4 * i), len = rd16(p + 6 + 4 * i);

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
	CHECK(h->ntm < 2);
	h->tm[h->ntm++] = t;
	return 4 + 4 * n;
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
	n = (unsigned)(len / t->reclen);
	CHECK(n > 0 && len - n * t->reclen < 4);
	for (i = 0; i < n; i++, p += t->reclen) {
		uint32_t first = rd32(p + t->off_first);
		uint32_t last = rd32(p + t->off_last);
		uint32_t pk = rd32(p + t->off_pkts);

		CHECK(pk > 0 && first <= last && last <= uptime);
		h->dg_pkts += pk;
		h->dg_bytes += rd32(p + t->off_bytes);
	}
	return n;
}

/* Parse one exported datagram back and account what it carries. */
static void
datagram(struct harness *h, const uint8_t *p, size_t len)
{
	size_t off = 20;
	unsigned recs = 0;
	uint32_t uptime;

	CHECK(len >= 20 && len <= h->enc.cfg.mtu && len % 4 == 0);
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

static void
send_one(struct harness *h, uint64_t now)
{
	const uint8_t *p;
	size_t len;

	p = nf9_finish(&h->enc, now, &len);
	if (p != NULL)
		datagram(h, p, len);
	else
		CHECK(len == 0);
}

static void
emit(struct harness *h, const struct flow_rec *r, size_t n, uint64_t now)
{
	size_t i;

	for (i = 0; i < n; i++) {
		int rc;

		CHECK(r[i].packets > 0 && r[i].first_ms <= r[i].last_ms);
		CHECK(r[i].end < FLOW_END_MAX);
		h->rec_pkts += r[i].packets;
		h->rec_bytes += r[i].bytes;
		h->nrec++;
		if ((rc = nf9_add(&h->enc, &r[i], now)) == 1)
			continue;
		CHECK(rc == 0);
		send_one(h, now);
		CHECK(nf9_add(&h->enc, &r[i], now) == 1);
	}
}

static void
flush_all(struct harness *h, uint64_t now)
{
	size_t n;

	do {
		n = expire_all(&h->ex, h->tab, h->batch, BATCH);
		emit(h, h->batch, n, now);
	} while (n == BATCH);
	CHECK(flowtab_count(h->tab) == 0);
	if (nf9_pending(&h->enc) != 0)
		send_one(h, now);
}

static void
rebase(struct harness *h)
{
	flush_all(h, h->clk.now_ms);
}

static void
tick(struct harness *h, uint64_t now)
{
	size_t n;

	if (clock_needs_rebase(&h->clk)) {
		rebase(h);
		clock_rebase(&h->clk);
		nf9_rebase(&h->enc, h->clk.boot_ms, h->clk.wall_offset_ms);
	}
	do {
		n = expire_due(&h->ex, h->tab, now, h->batch, BATCH);
		emit(h, h->batch, n, now);
	} while (n == BATCH);
	if (nf9_pending(&h->enc) != 0 || nf9_templates_due(&h->enc, now))
		send_one(h, now);
	h->next_tick = now - now % TICK_MS + TICK_MS;
}

static void
packet(struct harness *h, const struct pkt *p, int force_tick)
{
	struct flow_rec out[EXPIRE_PACKET_MAX];
	struct flow_key key;
	struct pkt_meta meta;
	uint64_t now;
	size_t n;

	if (clock_packet_needs_rebase(&h->clk, p->ts_us)) {
		rebase(h);
		clock_packet(&h->clk, p->ts_us);
		clock_rebase(&h->clk);
		nf9_rebase(&h->enc, h->clk.boot_ms, h->clk.wall_offset_ms);
	}
	now = clock_packet(&h->clk, p->ts_us);
	CHECK(now - h->clk.boot_ms < CLOCK_REBASE_MS);
	if (!h->started) {
		nf9_rebase(&h->enc, h->clk.boot_ms, h->clk.wall_offset_ms);
		h->started = 1;
	}
	if (now >= h->next_tick || force_tick)
		tick(h, now);
	if (decode_packet(p, &key, &meta) != DECODE_OK ||
	    !sample_take(&h->smp))
		return;
	h->in_pkts++;
	h->in_bytes += meta.bytes;
	n = expire_packet(&h->ex, h->tab, &key, &meta, now, out);
	CHECK(n <= EXPIRE_PACKET_MAX);
	emit(h, out, n, now);
	CHECK(flowtab_count(h->tab) <= flowtab_capacity(h->tab));
}

static void
setup(struct harness *h, uint8_t c0, uint8_t c1)
{
	struct nf9_cfg c;
	size_t sz;

	memset(h, 0, sizeof(*h));
	mem_init(MEM_UNLIMITED);
	memset(&c, 0, sizeof(c));
	c.source_id = 7;
	c.mtu = mtus[c0 >> 6];
	c.tmpl_every_pkts = (c1 >> 4) & 3;
	c.tmpl_every_ms = ((c1 >> 6) & 3) * 1000;
	c.sampling_interval = (c1 & 3) + 1;
	c.sampling_algorithm = SAMPLE_DETERMINISTIC;
	sz = nf9_buf_bytes(c.mtu);
	h->buf = mem_alloc(sz, "fuzz export buffer");
	h->tab = flowtab_new((c0 & 15) + 1, 0x1234567890abcdefULL * c0);
	CHECK(h->buf != NULL && h->tab != NULL);
	mem_seal();
	CHECK(nf9_init(&h->enc, &c, h->buf, sz, 0, 0) == 0);
	expire_defaults(&h->ex.cfg);
	if (c0 & 0x10) {	/* short timeouts: records expire often */
		unsigned i;

		for (i = 0; i < FLOWTAB_NCLASS; i++)
			h->ex.cfg.idle_ms[i] = 1000 * (i + 1);
	}
	if (c0 & 0x20)
		h->ex.cfg.active_ms = 3000;
	sample_init(&h->smp, c.sampling_interval, SAMPLE_DETERMINISTIC, 1);
	clock_init_replay(&h->clk);
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
		packet(&h, &p, ctrl & 0x80);
		off += len;
	}
	flush_all(&h, h.clk.now_ms);
	send_one(&h, h.clk.now_ms);

	/* Nothing lost that is not counted. */
	CHECK(h.rec_pkts == h.in_pkts && h.rec_bytes == h.in_bytes);
	CHECK(h.dg_pkts == h.in_pkts && h.dg_bytes == h.in_bytes);
	CHECK(h.ex.st.created <= h.nrec);
	flowtab_free(h.tab);
	mem_free(h.buf);
	return 0;
}
