/* Unit tests for expiry: every end reason on a fake clock, order, totals. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "expire.h"
#include "mem.h"
#include "tap.h"

#define FIN	0x01
#define SYN	0x02
#define RST	0x04
#define ACK	0x10

static struct flow_key
mkkey(uint32_t i, uint8_t proto)
{
	struct flow_key k;

	memset(&k, 0, sizeof(k));
	k.src[0] = 10;
	k.src[1] = (uint8_t)(i >> 16);
	k.src[2] = (uint8_t)(i >> 8);
	k.src[3] = (uint8_t)i;
	k.dst[0] = 198;
	k.dst[1] = 51;
	k.dst[2] = 100;
	k.dst[3] = 7;
	k.sport = (uint16_t)(i * 7);
	k.dport = 53;
	k.proto = proto;
	k.ipver = 4;
	return k;
}

static uint32_t
keynum(const struct flow_rec *r)
{
	return (uint32_t)r->key.src[1] << 16 | (uint32_t)r->key.src[2] << 8 |
	    r->key.src[3];
}

static struct flowtab *
setup(struct expire *ex, size_t max, uint64_t seed)
{
	memset(ex, 0, sizeof(*ex));
	expire_defaults(&ex->cfg);
	mem_init(MEM_UNLIMITED);
	return flowtab_new(max, seed);
}

/* One packet of flow i; returns how many records came out. */
static size_t
pkt(struct expire *ex, struct flowtab *t, uint32_t i, uint8_t proto,
    uint8_t flags, uint32_t bytes, uint64_t now, struct flow_rec *out)
{
	struct flow_key k = mkkey(i, proto);
	struct pkt_meta m;

	memset(&m, 0, sizeof(m));
	m.bytes = bytes;
	m.tcp_flags = flags;
	m.tos = (uint8_t)(now & 0xfc);
	return expire_packet(ex, t, &k, &m, now, out);
}

static void
test_defaults(void)
{
	struct expire_cfg c;

	expire_defaults(&c);
	is_int(c.idle_ms[FLOWTAB_GENERAL], 15000, "defaults: general");
	is_int(c.idle_ms[FLOWTAB_TCP], 60000, "defaults: tcp");
	is_int(c.idle_ms[FLOWTAB_TCP_FIN], 10000, "defaults: tcp.fin");
	is_int(c.idle_ms[FLOWTAB_TCP_RST], 5000, "defaults: tcp.rst");
	is_int(c.idle_ms[FLOWTAB_UDP], 15000, "defaults: udp");
	is_int(c.idle_ms[FLOWTAB_ICMP], 15000, "defaults: icmp");
	is_int(c.active_ms, 300000, "defaults: active");
}

static void
test_classes(void)
{
	static const struct {
		uint8_t		proto, flags;
		enum flowtab_class cls;
	} cases[] = {
		{ 6, SYN, FLOWTAB_TCP }, { 6, SYN | ACK, FLOWTAB_TCP },
		{ 6, FIN | ACK, FLOWTAB_TCP_FIN }, { 6, RST, FLOWTAB_TCP_RST },
		{ 6, FIN | RST, FLOWTAB_TCP_RST }, { 17, 0, FLOWTAB_UDP },
		{ 136, 0, FLOWTAB_UDP }, { 1, 0, FLOWTAB_ICMP },
		{ 58, 0, FLOWTAB_ICMP }, { 47, 0, FLOWTAB_GENERAL },
		{ 50, 0, FLOWTAB_GENERAL }, { 17, FIN, FLOWTAB_UDP },
	};
	struct flow_rec out[EXPIRE_PACKET_MAX];
	struct flowtab_ent *r;
	struct expire ex;
	struct flowtab *t;
	struct flow_key k;
	size_t i;

	t = setup(&ex, 64, 1);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		pkt(&ex, t, (uint32_t)i, cases[i].proto, cases[i].flags, 40,
		    1000, out);
		k = mkkey((uint32_t)i, cases[i].proto);
		r = flowtab_find(t, &k);
		ok(r != NULL && flowtab_ent_class(r) == cases[i].cls,
		    "class: proto %u flags %#x", cases[i].proto,
		    cases[i].flags);
	}
	/* Flags accumulate: SYN, then FIN, then RST; RST wins for good. */
	pkt(&ex, t, 100, 6, SYN, 40, 1000, out);
	k = mkkey(100, 6);
	r = flowtab_find(t, &k);
	is_int(flowtab_ent_class(r), FLOWTAB_TCP, "class: SYN");
	pkt(&ex, t, 100, 6, FIN | ACK, 40, 1001, out);
	is_int(flowtab_ent_class(r), FLOWTAB_TCP_FIN, "class: then FIN");
	pkt(&ex, t, 100, 6, RST, 40, 1002, out);
	is_int(flowtab_ent_class(r), FLOWTAB_TCP_RST, "class: then RST");
	pkt(&ex, t, 100, 6, ACK, 40, 1003, out);
	is_int(flowtab_ent_class(r), FLOWTAB_TCP_RST, "class: RST sticks");
	is_int(flowtab_tcp_flags(r), SYN | FIN | RST | ACK, "class: flags ORed");
	flowtab_free(t);
}

/* One flow per class: each must leave exactly at its own timeout. */
static void
test_idle(void)
{
	static const struct {
		uint8_t		proto, flags;
		uint32_t	idle;
		uint8_t		end;
	} c[] = {
		{ 47, 0, 15000, FLOW_END_IDLE },	/* general */
		{ 6, SYN, 60000, FLOW_END_IDLE },	/* tcp */
		{ 6, FIN, 10000, FLOW_END_TCP },	/* tcp.fin */
		{ 6, RST, 5000, FLOW_END_TCP },		/* tcp.rst */
		{ 17, 0, 15000, FLOW_END_IDLE },	/* udp */
		{ 58, 0, 15000, FLOW_END_IDLE },	/* icmp */
	};
	struct flow_rec out[4];
	struct expire ex;
	uint64_t t0 = 1000000;
	size_t i;

	for (i = 0; i < FLOWTAB_NCLASS; i++) {
		struct flowtab *t = setup(&ex, 8, i);
		uint64_t due;

		pkt(&ex, t, 1, c[i].proto, 0, 100, t0, out);
		pkt(&ex, t, 1, c[i].proto, c[i].flags, 60, t0 + 500, out);
		due = t0 + 500 + c[i].idle;
		is_int(expire_next_ms(&ex, t, t0 + 500), c[i].idle,
		    "idle %zu: next_ms is the timeout", i);
		is_int(expire_next_ms(&ex, t, due - 1), 1,
		    "idle %zu: next_ms 1 ms before", i);
		is_int(expire_due(&ex, t, due - 1, out, 4), 0,
		    "idle %zu: not out 1 ms early", i);
		if (!ok(expire_due(&ex, t, due, out, 4) == 1,
		    "idle %zu: out at its timeout %u ms", i, c[i].idle)) {
			flowtab_free(t);
			continue;
		}
		is_int(out[0].end, c[i].end, "idle %zu: reason", i);
		is_int(out[0].packets, 2, "idle %zu: packets", i);
		is_int(out[0].bytes, 160, "idle %zu: bytes", i);
		is_int(out[0].first_ms, t0, "idle %zu: first_ms", i);
		is_int(out[0].last_ms, t0 + 500, "idle %zu: last_ms", i);
		is_int(out[0].tos, t0 & 0xfc, "idle %zu: tos of first", i);
		is_int(out[0].tcp_flags, c[i].flags, "idle %zu: flags", i);
		is_int(ex.st.ended[c[i].end], 1, "idle %zu: counted", i);
		is_int(ex.st.created, 1, "idle %zu: one flow created", i);
		is_int(flowtab_count(t), 0, "idle %zu: table empty", i);
		is_int(expire_next_ms(&ex, t, due), EXPIRE_NEXT_EMPTY_MS,
		    "idle %zu: next_ms of an empty table", i);
		flowtab_free(t);
	}
}

static void
test_late_packet(void)
{
	struct flow_rec out[2];
	struct expire ex;
	struct flowtab *t;
	size_t n;

	/* expire_due() not called in time: the packet still ends the flow. */
	t = setup(&ex, 8, 3);
	pkt(&ex, t, 1, 6, SYN, 60, 0, out);
	pkt(&ex, t, 1, 6, FIN | ACK, 40, 100, out);
	n = pkt(&ex, t, 1, 6, SYN, 60, 100 + 10000, out);
	is_int(n, 1, "late: a packet after the idle timeout ends the flow");
	is_int(out[0].end, FLOW_END_TCP, "late: reason tcp");
	is_int(out[0].packets, 2, "late: old record's packets");
	is_int(out[0].tcp_flags, SYN | FIN | ACK, "late: old record's flags");
	n = expire_all(&ex, t, out, 2);
	is_int(n, 1, "late: one record left");
	ok(out[0].packets == 1 && out[0].tcp_flags == SYN &&
	    out[0].first_ms == 10100, "late: new record starts clean");
	n = pkt(&ex, t, 2, 17, 0, 60, 20000, out);
	n += pkt(&ex, t, 2, 17, 0, 60, 20000 + 14999, out);
	is_int(n, 0, "late: 1 ms inside the timeout is the same flow");
	flowtab_free(t);
}

static void
test_active(void)
{
	struct flow_rec out[EXPIRE_PACKET_MAX], all[8];
	struct expire ex;
	struct flowtab *t;
	uint64_t now, pk = 0, by = 0, got_pk = 0, got_by = 0;
	size_t n, recs = 0, i;

	t = setup(&ex, 8, 4);
	/* One packet a second for 700 s: splits at 300 s and 600 s. */
	for (now = 5000; now <= 5000 + 700000; now += 1000) {
		n = pkt(&ex, t, 1, 17, 0, (uint32_t)(now % 1500), now, out);
		pk++;
		by += now % 1500;
		for (i = 0; i < n; i++) {
			ok(out[i].end == FLOW_END_ACTIVE,
			    "active: split at %llu", (unsigned long long)now);
			ok(out[i].last_ms - out[i].first_ms < 300000,
			    "active: record spans less than active_ms");
			if (recs < 8)
				all[recs++] = out[i];
			got_pk += out[i].packets;
			got_by += out[i].bytes;
		}
	}
	is_int(recs, 2, "active: two splits");
	is_int(all[0].first_ms, 5000, "active: first part starts at 5000");
	is_int(all[1].first_ms, 305000, "active: second at 305000");
	is_int(all[0].packets, 300, "active: 300 packets in first part");
	n = expire_all(&ex, t, out, EXPIRE_PACKET_MAX);
	is_int(n, 1, "active: remainder flushed");
	got_pk += out[0].packets;
	got_by += out[0].bytes;
	is_int(got_pk, pk, "active: packets conserved");
	is_int(got_by, by, "active: bytes conserved");
	is_int(ex.st.ended[FLOW_END_ACTIVE], 2, "active: counted");
	is_int(ex.st.created, 1, "active: a split is not a new flow");
	is_int(out[0].tos, 605000 & 0xfc, "active: tos of the part's first");
	flowtab_free(t);
}

static void
test_evict(void)
{
	struct flow_rec out[2];
	struct expire ex;
	struct flowtab *t;
	size_t n;

	t = setup(&ex, 4, 5);
	pkt(&ex, t, 1, 17, 0, 10, 100, out);
	pkt(&ex, t, 2, 6, SYN, 10, 200, out);
	pkt(&ex, t, 3, 1, 0, 10, 300, out);
	pkt(&ex, t, 4, 47, 0, 10, 400, out);
	pkt(&ex, t, 1, 17, 0, 10, 500, out);	/* 1 is now the newest */
	n = pkt(&ex, t, 5, 17, 0, 10, 600, out);
	is_int(n, 1, "evict: full table gives one record");
	is_int(keynum(&out[0]), 2, "evict: oldest across lists (tcp, 200)");
	is_int(out[0].end, FLOW_END_EVICTED, "evict: reason");
	is_int(ex.st.ended[FLOW_END_EVICTED], 1, "evict: counted");
	is_int(flowtab_count(t), 4, "evict: still full");
	n = pkt(&ex, t, 6, 17, 0, 10, 700, out);
	ok(n == 1 && keynum(&out[0]) == 3, "evict: next oldest (icmp, 300)");

	/* Ties on last_ms go to the lower class: general before udp. */
	n = expire_all(&ex, t, out, 2);
	n += expire_all(&ex, t, out, 2);
	is_int(n, 4, "evict: flushed in two batches");
	is_int(flowtab_count(t), 0, "evict: flushed");
	pkt(&ex, t, 10, 17, 0, 10, 1000, out);
	pkt(&ex, t, 11, 47, 0, 10, 1000, out);
	pkt(&ex, t, 12, 6, 0, 10, 1000, out);
	pkt(&ex, t, 13, 1, 0, 10, 1000, out);
	pkt(&ex, t, 14, 6, 0, 10, 1001, out);
	is_int(keynum(&out[0]), 11, "evict: tie goes to general (0)");
	pkt(&ex, t, 15, 6, 0, 10, 1001, out);
	is_int(keynum(&out[0]), 12, "evict: then tcp (1)");
	pkt(&ex, t, 16, 6, 0, 10, 1001, out);
	is_int(keynum(&out[0]), 10, "evict: then udp (4)");
	is_int(ex.st.ended[FLOW_END_EVICTED], 5, "evict: all counted");
	flowtab_free(t);

	/* The oldest is already past its idle timeout: it ends as idle. */
	t = setup(&ex, 2, 5);
	pkt(&ex, t, 1, 17, 0, 10, 0, out);
	pkt(&ex, t, 2, 6, FIN, 10, 100, out);
	n = pkt(&ex, t, 3, 17, 0, 10, 15000, out);
	ok(n == 1 && keynum(&out[0]) == 1 && out[0].end == FLOW_END_IDLE,
	    "evict: an overdue oldest flow ends as idle");
	n = pkt(&ex, t, 4, 17, 0, 10, 15001, out);
	ok(n == 1 && keynum(&out[0]) == 2 && out[0].end == FLOW_END_TCP,
	    "evict: an overdue FIN flow ends as tcp");
	n = pkt(&ex, t, 5, 17, 0, 10, 15002, out);
	ok(n == 1 && keynum(&out[0]) == 3 && out[0].end == FLOW_END_EVICTED,
	    "evict: a live one is evicted");
	is_int(ex.st.ended[FLOW_END_EVICTED], 1, "evict: only that counted");
	flowtab_free(t);
}

static void
test_all(void)
{
	struct flow_rec out[3];
	struct expire ex;
	struct flowtab *t;
	uint32_t order[16], i;
	size_t n, got = 0, calls = 0;
	static const uint8_t proto[] = { 6, 17, 1, 47, 58, 136, 6 };

	t = setup(&ex, 16, 6);
	/* Ten flows, times interleaved over lists, one touched again. */
	for (i = 0; i < 10; i++)
		pkt(&ex, t, i, proto[i % 7], 0, 1, 100 + i * 10, out);
	pkt(&ex, t, 0, 6, 0, 1, 1000, out);
	do {
		n = expire_all(&ex, t, out, 3);
		for (i = 0; i < n && got < 16; i++) {
			ok(out[i].end == FLOW_END_FLUSH, "all: reason");
			order[got++] = keynum(&out[i]);
		}
		calls++;
	} while (n == 3);
	is_int(got, 10, "all: ten records");
	is_int(calls, 4, "all: in batches of 3, 3, 3, 1");
	for (i = 0; i + 1 < 9; i++)
		is_int(order[i], i + 1, "all: position %u is flow %u", i,
		    i + 1);
	is_int(order[9], 0, "all: the touched flow last");
	is_int(ex.st.ended[FLOW_END_FLUSH], 10, "all: counted");
	is_int(expire_all(&ex, t, out, 3), 0, "all: nothing left");
	flowtab_free(t);
}

static void
test_due_batch(void)
{
	struct flow_rec out[4];
	struct expire ex;
	struct flowtab *t;
	uint32_t i;
	size_t n, got = 0, calls = 0, ordered = 1;
	uint64_t last = 0;

	t = setup(&ex, 64, 7);
	for (i = 0; i < 10; i++)
		pkt(&ex, t, i, 17, 0, 1, 1000 + i, out);
	for (i = 10; i < 20; i++)
		pkt(&ex, t, i, 6, 0, 1, 1000 + i, out);
	is_int(expire_next_ms(&ex, t, 1000), 15000, "due: next_ms");
	is_int(expire_next_ms(&ex, t, 10000), 6000, "due: next_ms later");
	is_int(expire_next_ms(&ex, t, 16000), 0, "due: next_ms when due");
	is_int(expire_next_ms(&ex, t, 99000), 0, "due: next_ms overdue");
	is_int(expire_due(&ex, t, 15999, out, 4), 0, "due: none early");
	do {
		n = expire_due(&ex, t, 16005, out, 4);
		for (i = 0; i < n; i++) {
			if (out[i].last_ms < last)
				ordered = 0;
			last = out[i].last_ms;
		}
		got += n;
		calls++;
	} while (n == 4);
	is_int(got, 6, "due: only the 6 udp flows due at 16005");
	is_int(calls, 2, "due: batches of 4 then 2");
	ok(ordered, "due: oldest first");
	is_int(flowtab_count(t), 14, "due: the rest stay");
	is_int(expire_next_ms(&ex, t, 16005), 1, "due: next udp in 1 ms");
	n = expire_due(&ex, t, 1000 + 19 + 60000, out, 4);
	n += expire_due(&ex, t, 1000 + 19 + 60000, out, 4);
	n += expire_due(&ex, t, 1000 + 19 + 60000, out, 4);
	n += expire_due(&ex, t, 1000 + 19 + 60000, out, 4);
	is_int(n, 14, "due: all gone after the tcp timeout");
	flowtab_free(t);
}

struct totals {
	uint64_t	packets, bytes, records;
	uint64_t	hash;		/* order-sensitive digest of records */
};

static void
tally(struct totals *tt, const struct flow_rec *r, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		tt->packets += r[i].packets;
		tt->bytes += r[i].bytes;
		tt->records++;
		tt->hash = (tt->hash ^ keynum(&r[i]) ^ r[i].key.proto << 24 ^
		    r[i].packets << 32 ^ r[i].bytes << 40 ^ r[i].first_ms ^
		    r[i].last_ms << 20 ^ (uint64_t)r[i].end << 60 ^
		    (uint64_t)r[i].tcp_flags << 52) * 0x100000001b3ULL;
	}
}

/*
 * A random stream through a small table with every mechanism active:
 * whatever goes in comes out, and the records do not depend on the seed.
 */
static void
stream(uint64_t seed, uint32_t npkts, struct totals *tt, uint64_t *in_pk,
    uint64_t *in_by, struct expire *ex)
{
	static const uint8_t protos[] = { 6, 6, 6, 17, 17, 1, 58, 47 };
	static const uint8_t flags[] = {
		SYN, ACK, ACK, ACK, ACK, ACK, FIN, RST
	};
	struct flow_rec out[EXPIRE_PACKET_MAX], batch[16];
	struct flowtab *t;
	uint64_t now = 0, r = 0x243f6a8885a308d3ULL;
	uint32_t i;
	size_t n;

	t = setup(ex, 64, seed);
	ex->cfg.active_ms = 20000;
	memset(tt, 0, sizeof(*tt));
	*in_pk = *in_by = 0;
	for (i = 0; i < npkts; i++) {
		uint32_t k, b;

		r ^= r << 13;
		r ^= r >> 7;
		r ^= r << 17;
		/*
		 * Mostly 40 hot flows, sometimes one of 100 more (the table
		 * holds 64), and now and then a pause longer than any idle
		 * timeout.
		 */
		k = (uint32_t)(r >> 40) % ((r & 15) ? 40 : 140);
		b = 40 + (uint32_t)(r >> 20) % 1460;
		now += (r >> 8) % 23;
		if ((r >> 45) % 4096 == 0)
			now += 61000;
		n = pkt(ex, t, k, protos[k % 8], (uint8_t)(protos[k % 8] == 6 ?
		    flags[(r >> 30) % 8] : 0), b, now, out);
		tally(tt, out, n);
		*in_pk += 1;
		*in_by += b;
		if (i % 97 == 0)
			do {
				n = expire_due(ex, t, now, batch, 16);
				tally(tt, batch, n);
			} while (n == 16);
	}
	do {
		n = expire_all(ex, t, batch, 16);
		tally(tt, batch, n);
	} while (n == 16);
	is_int(flowtab_count(t), 0, "stream: table empty at the end");
	flowtab_free(t);
}

static void
test_stream(void)
{
	struct totals a, b;
	struct expire ex;
	uint64_t pk, by, sum = 0;
	int i;

	stream(1, 300000, &a, &pk, &by, &ex);
	is_int(a.packets, pk, "stream: packets conserved (%llu)",
	    (unsigned long long)pk);
	is_int(a.bytes, by, "stream: bytes conserved (%llu)",
	    (unsigned long long)by);
	for (i = 0; i < FLOW_END_MAX; i++) {
		diag("stream: end reason %d: %llu records", i,
		    (unsigned long long)ex.st.ended[i]);
		ok(ex.st.ended[i] > 0, "stream: reason %d exercised", i);
		sum += ex.st.ended[i];
	}
	is_int(sum, a.records, "stream: ended[] counts every record");
	stream(0xfeedfacecafebeefULL, 300000, &b, &pk, &by, &ex);
	ok(a.records == b.records && a.hash == b.hash,
	    "stream: records identical under another hash seed");
}

int
main(void)
{
	test_defaults();
	test_classes();
	test_idle();
	test_late_packet();
	test_active();
	test_evict();
	test_all();
	test_due_batch();
	test_stream();
	return done();
}
