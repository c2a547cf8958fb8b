/*
 * --app-info's TCP analysis (app.c) on made-up connections, one rule of
 * tshark 4.0's sequence analysis at a time: the handshake split, plain,
 * spurious and fast retransmissions, out-of-order segments, keep-alives,
 * zero-window probes and a SYN sent again after an RST.  The shared
 * captures check the same against tshark itself (appinfo.sh); this runs
 * without them.
 */
#include <stdint.h>
#include <string.h>

#include "app.h"
#include "decode.h"
#include "flowtab.h"
#include "tap.h"

#define TH_FIN	0x01
#define TH_SYN	0x02
#define TH_RST	0x04
#define TH_PSH	0x08
#define TH_ACK	0x10

#define MS	1000ull		/* microseconds */

static struct flowtab *tab;
static struct app *app;
static uint16_t cport = 40000;	/* a new connection: a new client port */

struct seg {
	int		from_server;
	uint32_t	seq, ack;
	uint8_t		flags;
	uint16_t	win;
	uint16_t	len;		/* payload bytes (zeros) */
	uint64_t	t_us;
};

/* One Ethernet/IPv4/TCP frame between 10.0.0.1:cport and 10.0.0.2:443. */
static uint32_t
send_seg(const struct seg *s)
{
	static uint8_t f[14 + 20 + 20 + 1500];
	struct flow_key key;
	struct pkt_meta meta;
	struct flowtab_ent *e;
	struct pkt p;
	uint8_t *ip = f + 14, *th = ip + 20;
	uint16_t sp = s->from_server ? 443 : cport;
	uint16_t dp = s->from_server ? cport : 443;
	uint32_t slot;

	memset(f, 0, sizeof(f));
	f[12] = 0x08;
	ip[0] = 0x45;
	ip[2] = (uint8_t)((40 + s->len) >> 8);
	ip[3] = (uint8_t)(40 + s->len);
	ip[8] = 64;
	ip[9] = 6;
	ip[12] = 10, ip[15] = s->from_server ? 2 : 1;
	ip[16] = 10, ip[19] = s->from_server ? 1 : 2;
	th[0] = (uint8_t)(sp >> 8), th[1] = (uint8_t)sp;
	th[2] = (uint8_t)(dp >> 8), th[3] = (uint8_t)dp;
	th[4] = (uint8_t)(s->seq >> 24), th[5] = (uint8_t)(s->seq >> 16);
	th[6] = (uint8_t)(s->seq >> 8), th[7] = (uint8_t)s->seq;
	th[8] = (uint8_t)(s->ack >> 24), th[9] = (uint8_t)(s->ack >> 16);
	th[10] = (uint8_t)(s->ack >> 8), th[11] = (uint8_t)s->ack;
	th[12] = 0x50;
	th[13] = s->flags;
	th[14] = (uint8_t)(s->win >> 8), th[15] = (uint8_t)s->win;
	memset(&p, 0, sizeof(p));
	p.data = f;
	p.caplen = p.wirelen = 14 + 40 + s->len;
	p.ts_us = 1700000000000000ull + s->t_us;
	p.dlt = 1;
	if (decode_packet(&p, &key, &meta) != DECODE_OK)
		return UINT32_MAX;
	if ((e = flowtab_find(tab, &key)) == NULL)
		e = flowtab_insert(tab, &key, FLOWTAB_TCP, p.ts_us / 1000);
	slot = flowtab_index_at(flowtab_base(tab), e);
	app_packet(app, &p, &key, &meta, slot);
	return slot;
}

/* What the record of a slot would carry (the flow goes on). */
static struct flow_app
facts(uint32_t slot)
{
	static char name[APPNAME_MAX + 1];
	struct flow_rec r;

	memset(&r, 0, sizeof(r));
	r.slot = slot + 1;
	r.end = FLOW_END_ACTIVE;
	app_export(app, &r, name);
	return r.app;
}

/* A handshake with 10 ms to the server and 2 ms back to the client. */
static void
handshake(uint32_t *c, uint32_t *s, uint64_t *t)
{
	struct seg syn = { 0, 1000, 0, TH_SYN, 64240, 0, 0 };
	struct seg synack = { 1, 5000, 1001, TH_SYN | TH_ACK, 65160, 0,
	    10 * MS };
	struct seg ack = { 0, 1001, 5001, TH_ACK, 502, 0, 12 * MS };

	cport++;
	*c = send_seg(&syn);
	*s = send_seg(&synack);
	(void)send_seg(&ack);
	*t = 12 * MS;
}

static void
data(int from_server, uint32_t seq, uint32_t ack, uint16_t len, uint64_t t)
{
	struct seg d = { from_server, seq, ack, TH_ACK | TH_PSH, 502, len, t };

	(void)send_seg(&d);
}

static void
pure_ack(int from_server, uint32_t seq, uint32_t ack, uint64_t t)
{
	struct seg a = { from_server, seq, ack, TH_ACK, 502, 0, t };

	(void)send_seg(&a);
}

int
main(void)
{
	struct flow_app fa;
	uint32_t c, s;
	uint64_t t;

	tab = flowtab_new(64, 1);
	app = app_new(tab, FLOWTAB_INDEX_END(64), APP_NAMES | APP_TCP);
	if (tab == NULL || app == NULL) {
		ok(0, "tables");
		return done();
	}

	/* the handshake, split at the probe, on both records */
	handshake(&c, &s, &t);
	fa = facts(c);
	ok((fa.flags & FLOW_APP_RTT) && fa.rtt_server_ms == 10 &&
	    fa.rtt_client_ms == 2, "client's record: server 10 ms, client 2 ms"
	    " (got %u, %u)", (unsigned)fa.rtt_server_ms,
	    (unsigned)fa.rtt_client_ms);
	fa = facts(s);
	ok((fa.flags & FLOW_APP_RTT) && fa.rtt_server_ms == 10 &&
	    fa.rtt_client_ms == 2, "server's record: the same");

	/* the same segment 500 ms later, not ACKed: a retransmission */
	handshake(&c, &s, &t);
	data(0, 1001, 5001, 100, t + 1 * MS);
	data(0, 1001, 5001, 100, t + 500 * MS);
	fa = facts(c);
	ok(fa.retrans == 1 && fa.ooo == 0, "resent after a while: "
	    "retransmission (retrans %u ooo %u)", (unsigned)fa.retrans,
	    (unsigned)fa.ooo);

	/* within the first round trip (12 ms), ending short of the next
	 * sequence number: out of order */
	handshake(&c, &s, &t);
	data(0, 1001, 5001, 100, t + 1 * MS);
	data(0, 1101, 5001, 100, t + 2 * MS);
	data(0, 1001, 5001, 100, t + 3 * MS);
	fa = facts(c);
	ok(fa.retrans == 0 && fa.ooo == 1, "early and short: out of order "
	    "(retrans %u ooo %u)", (unsigned)fa.retrans, (unsigned)fa.ooo);

	/* the same, but the server had ACKed it: spurious, a retransmission */
	handshake(&c, &s, &t);
	data(0, 1001, 5001, 100, t + 1 * MS);
	data(0, 1101, 5001, 100, t + 2 * MS);
	pure_ack(1, 5001, 1101, t + 2 * MS + 500);
	data(0, 1001, 5001, 100, t + 3 * MS);
	fa = facts(c);
	ok(fa.retrans == 1 && fa.ooo == 0, "already ACKed: spurious "
	    "retransmission (retrans %u ooo %u)", (unsigned)fa.retrans,
	    (unsigned)fa.ooo);

	/* two duplicate ACKs for 1001 then 1001 again within 20 ms: fast
	 * retransmission, not out of order although early */
	handshake(&c, &s, &t);
	data(0, 1001, 5001, 100, t + 1 * MS);
	data(0, 1101, 5001, 100, t + 2 * MS);
	data(0, 1201, 5001, 100, t + 2 * MS + 100);
	pure_ack(1, 5001, 1001, t + 2 * MS + 200);
	pure_ack(1, 5001, 1001, t + 2 * MS + 300);
	pure_ack(1, 5001, 1001, t + 2 * MS + 400);
	data(0, 1001, 5001, 100, t + 3 * MS);
	fa = facts(c);
	ok(fa.retrans == 1 && fa.ooo == 0, "after two duplicate ACKs: fast "
	    "retransmission (retrans %u ooo %u)", (unsigned)fa.retrans,
	    (unsigned)fa.ooo);
	fa = facts(s);
	ok(fa.retrans == 0 && fa.ooo == 0, "duplicate ACKs are neither");

	/* keep-alives: 0 or 1 byte one before the next sequence number */
	handshake(&c, &s, &t);
	data(0, 1001, 5001, 100, t + 1 * MS);
	pure_ack(0, 1100, 5001, t + 60000 * MS);
	data(0, 1100, 5001, 1, t + 120000 * MS);
	fa = facts(c);
	ok(fa.retrans == 0 && fa.ooo == 0, "keep-alives are neither "
	    "(retrans %u ooo %u)", (unsigned)fa.retrans, (unsigned)fa.ooo);

	/* zero window: a one-byte probe does not advance the sequence, so
	 * sending that byte again for real is no retransmission */
	handshake(&c, &s, &t);
	data(0, 1001, 5001, 100, t + 1 * MS);
	{
		struct seg zw = { 1, 5001, 1101, TH_ACK, 0, 0, t + 2 * MS };

		(void)send_seg(&zw);
	}
	data(0, 1101, 5001, 1, t + 300 * MS);
	data(0, 1101, 5001, 100, t + 600 * MS);
	fa = facts(c);
	ok(fa.retrans == 0 && fa.ooo == 0, "zero-window probe, then the data "
	    "(retrans %u ooo %u)", (unsigned)fa.retrans, (unsigned)fa.ooo);

	/* an RST whose sequence number is far ahead, then the same SYN
	 * again: Wireshark restores the sequence, so the SYN is a
	 * retransmission and the data after it is in order */
	cport++;
	{
		struct seg syn = { 0, 7000, 0, TH_SYN, 64240, 0, 0 };
		struct seg rst = { 0, 900000, 0, TH_RST, 0, 0, 1 * MS };
		struct seg syn2 = { 0, 7000, 0, TH_SYN, 64240, 0, 3000 * MS };
		struct seg synack = { 1, 9000, 7001, TH_SYN | TH_ACK, 65160, 0,
		    3010 * MS };
		struct seg ack = { 0, 7001, 9001, TH_ACK, 502, 0, 3012 * MS };

		c = send_seg(&syn);
		(void)send_seg(&rst);
		(void)send_seg(&syn2);
		(void)send_seg(&synack);
		(void)send_seg(&ack);
		data(0, 7001, 9001, 100, 3013 * MS);
	}
	fa = facts(c);
	ok(fa.retrans == 1 && fa.ooo == 0, "SYN again after an RST: one "
	    "retransmission (retrans %u ooo %u)", (unsigned)fa.retrans,
	    (unsigned)fa.ooo);
	ok((fa.flags & FLOW_APP_RTT) && fa.rtt_server_ms == 10,
	    "the handshake is timed from the latest SYN (server %u ms)",
	    (unsigned)fa.rtt_server_ms);

	app_free(app);
	flowtab_free(tab);
	return done();
}
