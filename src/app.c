/*
 * --app-info (see app.h): per-slot state beside the flow table, a name
 * pool, a handshake table and reassembly buffers, all sized at start.
 *
 * The TCP analysis follows Wireshark's (packet-tcp.c), so that figures
 * can be checked against tshark's: a segment carrying data, SYN or FIN
 * that starts before the next expected sequence number is out of order
 * if it came within the connection's first round trip (3 ms while that
 * is unknown) of the segment that last advanced it and does not end
 * exactly there, else a retransmission; a one-byte keep-alive is neither.
 * Unlike Wireshark it does not look at the other direction's ACKs, so
 * its fast and spurious retransmissions are plain ones here.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "cursor.h"
#include "decode.h"
#include "log.h"
#include "mem.h"
#include "quic.h"
#include "util.h"

#define PROTO_TCP	6
#define PROTO_UDP	17

#define TH_FIN		0x01
#define TH_SYN		0x02
#define TH_RST		0x04
#define TH_ACK		0x10

/* app_flow.state bits */
#define ST_SEQ		0x01	/* next_seq is known */
#define ST_NAMED	0x02	/* no more name parsing for this flow */
#define ST_PAYLOAD	0x04	/* the first TCP payload was looked at */
#define ST_HS_CLIENT	0x08	/* sent a SYN: its ACK ends the handshake */
#define ST_HS_SERVER	0x10	/* sent the SYN-ACK */
#define ST_RTT		0x20	/* rtt_* hold the handshake */
#define ST_OWNERS	0x40	/* --process asked about its ends */

#define OOO_THRESHOLD_US 3000	/* Wireshark's, before a round trip */

/*
 * The few packets that parse names or visit the handshake table are
 * calls of their own, so the path every other TCP packet takes keeps
 * few registers to save (gcc and clang; elsewhere a plain function).
 */
#if defined(__GNUC__) || defined(__clang__)
#define APP_COLD	__attribute__((noinline, cold))
#else
#define APP_COLD
#endif
#define HS_MIN		64

/* One per flow-table slot: 40 bytes. */
struct app_flow {
	uint32_t	next_seq;	/* end of the highest segment */
	uint32_t	next_us;	/* when it came (low 32 bits of us) */
	uint32_t	retrans;
	uint32_t	ooo;
	uint32_t	name;		/* first chunk + 1, 0: none */
	uint16_t	rtt_client_ms;
	uint16_t	rtt_server_ms;
	uint16_t	qtype;
	uint8_t		name_len;
	uint8_t		kind;
	uint8_t		rcode;
	uint8_t		state;		/* ST_* */
	uint8_t		rasm;		/* reassembly buffer + 1, 0: none */
	uint8_t		tries;		/* UDP DNS packets parsed */
	uint16_t	owner[2];	/* source's, destination's: + 1 */
	uint16_t	owner_gen[2];	/* ... as long as the entry has it */
};

/* An owner, shared by the flows of a process; gen moves on reuse. */
struct app_owner {
	struct proc_owner o;
	uint16_t	gen;
};

struct app_chunk {
	uint32_t	next;		/* + 1, 0: the last */
	char		b[APP_CHUNK_BYTES];
};

/* A handshake in progress, keyed by client and server ends. */
struct app_hs {
	uint8_t		client[16];
	uint8_t		server[16];
	uint16_t	cport;
	uint16_t	sport;
	uint8_t		ipver;		/* 0: free */
	uint32_t	server_slot;	/* + 1, 0: no SYN-ACK yet */
	uint64_t	syn_us;
	uint64_t	synack_us;
};

struct app_rasm {
	uint32_t	slot;		/* + 1, 0: free */
	uint32_t	next_seq;	/* where the next segment must start;
					 * QUIC: quic_crypto_put()'s island */
	uint16_t	len;
	uint8_t		kind;		/* APP_TLS or APP_HTTP */
	uint8_t		data[APP_RASM_BYTES];
};

struct app {
	struct app_flow	*f;
	size_t		 nf;
	struct app_chunk *chunk;
	size_t		 nchunk;
	uint32_t	 free_chunk;	/* + 1 */
	size_t		 nfree;
	struct app_hs	*hs;
	uint32_t	 hs_mask;
	struct app_rasm	*rasm;
	struct app_owner *owner;
	unsigned	 next_owner;	/* replaced next when none matches */
	unsigned	 what;		/* APP_* */
	struct app_stats st;
};

static size_t
chunks_for(size_t index_end)
{
	return index_end / 2 + 64;
}

static size_t
hs_for(size_t index_end)
{
	size_t n = HS_MIN;

	while (n < index_end / 8 && n < ((size_t)1 << 30))
		n <<= 1;
	return n;
}

size_t
app_bytes(size_t index_end)
{
	return sizeof(struct app) + index_end * sizeof(struct app_flow) +
	    chunks_for(index_end) * sizeof(struct app_chunk) +
	    hs_for(index_end) * sizeof(struct app_hs) +
	    APP_RASM_BUFS * sizeof(struct app_rasm) +
	    APP_OWNERS * sizeof(struct app_owner);
}

struct app *
app_new(size_t index_end, unsigned what)
{
	struct app *a;
	size_t i;

	if ((a = mem_alloc(sizeof(*a), "app-info")) == NULL)
		return NULL;
	a->nf = index_end;
	a->nchunk = chunks_for(index_end);
	a->hs_mask = (uint32_t)hs_for(index_end) - 1;
	a->what = what;
	a->f = mem_alloc(index_end * sizeof(*a->f), "app-info flows");
	a->chunk = mem_alloc(a->nchunk * sizeof(*a->chunk), "app-info names");
	a->hs = mem_alloc(((size_t)a->hs_mask + 1) * sizeof(*a->hs),
	    "app-info handshakes");
	a->rasm = mem_alloc(APP_RASM_BUFS * sizeof(*a->rasm),
	    "app-info reassembly");
	a->owner = mem_alloc(APP_OWNERS * sizeof(*a->owner), "app-info owners");
	if (a->f == NULL || a->chunk == NULL || a->hs == NULL ||
	    a->rasm == NULL || a->owner == NULL) {
		app_free(a);
		return NULL;
	}
	for (i = 0; i < a->nchunk; i++)
		a->chunk[i].next = i + 1 < a->nchunk ? (uint32_t)(i + 2) : 0;
	a->free_chunk = 1;
	a->nfree = a->nchunk;
	return a;
}

void
app_free(struct app *a)
{
	if (a == NULL)
		return;
	mem_free(a->f);
	mem_free(a->chunk);
	mem_free(a->hs);
	mem_free(a->rasm);
	mem_free(a->owner);
	mem_free(a);
}

/* A word of a key's address bytes, for the handshake table's hash. */
static uint32_t
rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

/* ---- names ---- */

static void
name_free(struct app *a, struct app_flow *f)
{
	uint32_t c = f->name, last;

	if (c == 0)
		return;
	do {
		last = c;
		a->nfree++;
		c = a->chunk[c - 1].next;
	} while (c != 0);
	a->chunk[last - 1].next = a->free_chunk;
	a->free_chunk = f->name;
	f->name = 0;
	f->name_len = 0;
}

static void
name_store(struct app *a, struct app_flow *f, const struct appname *nm)
{
	size_t need = (nm->len + APP_CHUNK_BYTES - 1) / APP_CHUNK_BYTES, i;
	uint32_t prev = 0;

	f->state |= ST_NAMED;
	f->kind = nm->kind;
	f->qtype = nm->qtype;
	f->rcode = nm->rcode;
	if (nm->len == 0 || need > a->nfree) {
		a->st.names_dropped += nm->len != 0;
		return;
	}
	a->st.names++;
	f->name = a->free_chunk;
	f->name_len = nm->len;
	for (i = 0; i < need; i++) {
		uint32_t c = a->free_chunk;

		memcpy(a->chunk[c - 1].b, nm->name + i * APP_CHUNK_BYTES,
		    MIN(APP_CHUNK_BYTES, nm->len - i * APP_CHUNK_BYTES));
		prev = c;
		a->free_chunk = a->chunk[c - 1].next;
	}
	a->chunk[prev - 1].next = 0;
	a->nfree -= need;
}

static int
dns_port(const struct flow_key *k)
{
	return k->sport == 53 || k->dport == 53 || k->sport == 5353 ||
	    k->dport == 5353 || k->sport == 5355 || k->dport == 5355;
}

APP_COLD static void
udp_name(struct app *a, struct app_flow *f, const struct pkt *p,
    const struct pkt_meta *m)
{
	size_t l4 = m->l4_off, len;
	struct appname nm;
	struct cursor c;
	uint16_t ulen;

	cur_init(&c, p->data + l4, p->caplen - l4);
	if (f->tries >= APP_NAME_TRIES || !cur_peek_be16(&c, 4, &ulen))
		return;
	f->tries++;
	len = MIN(cur_left(&c), (size_t)ulen);
	if (len < 8)
		return;
	if (appname_dns(p->data + l4 + 8, len - 8, &nm) == APPNAME_FOUND)
		name_store(a, f, &nm);
}

/* ---- reassembly of a split ClientHello or request ---- */

static enum appname_result
parse(unsigned kind, const uint8_t *b, size_t len, struct appname *nm)
{
	size_t need;

	return kind == APP_TLS ? appname_tls(b, len, nm, &need) :
	    appname_http(b, len, nm);
}

static void
rasm_release(struct app *a, struct app_flow *f)
{
	if (f->rasm != 0)
		a->rasm[f->rasm - 1].slot = 0;
	f->rasm = 0;
}

static void
rasm_start(struct app *a, struct app_flow *f, uint32_t slot, unsigned kind,
    uint32_t seq, const uint8_t *d, size_t len)
{
	struct app_rasm *b;
	size_t i;

	for (i = 0; i < APP_RASM_BUFS && a->rasm[i].slot != 0; i++)
		;
	if (i == APP_RASM_BUFS) {
		a->st.rasm_full++;
		f->state |= ST_NAMED;
		return;
	}
	b = &a->rasm[i];
	b->slot = slot + 1;
	b->kind = (uint8_t)kind;
	b->len = (uint16_t)MIN(len, APP_RASM_BYTES);
	memcpy(b->data, d, b->len);
	b->next_seq = seq + (uint32_t)len;
	f->rasm = (uint8_t)(i + 1);
}

/* A later segment of a split one: in order, whole, or the name is lost. */
static void
rasm_feed(struct app *a, struct app_flow *f, uint32_t seq, const uint8_t *d,
    size_t avail, size_t payload)
{
	struct app_rasm *b = &a->rasm[f->rasm - 1];
	enum appname_result r;
	struct appname nm;
	size_t n;

	if (seq != b->next_seq) {
		if ((int32_t)(b->next_seq - seq) >= (int32_t)payload)
			return;		/* bytes we have: sent again */
		goto lost;
	}
	if (avail < payload)
		goto lost;		/* cut by the snap length */
	n = MIN(avail, (size_t)APP_RASM_BYTES - b->len);
	memcpy(b->data + b->len, d, n);
	b->len = (uint16_t)(b->len + n);
	b->next_seq += (uint32_t)payload;
	r = parse(b->kind, b->data, b->len, &nm);
	if (r == APPNAME_FOUND) {
		a->st.rasm_names++;
		name_store(a, f, &nm);
	}
	else if (r == APPNAME_MORE && b->len < APP_RASM_BYTES)
		return;
	else if (r == APPNAME_MORE)
		a->st.rasm_lost++;
	f->state |= ST_NAMED;
	rasm_release(a, f);
	return;
lost:
	a->st.rasm_lost++;
	f->state |= ST_NAMED;
	rasm_release(a, f);
}

/* The first payload of a TCP flow, and the segments a split one needs. */
APP_COLD static void
tcp_name(struct app *a, struct app_flow *f, const struct flow_key *k,
    uint32_t slot, uint32_t seq, const uint8_t *d, size_t avail,
    size_t payload)
{
	enum appname_result r;
	struct appname nm;
	unsigned kind;

	if (f->rasm != 0) {
		rasm_feed(a, f, seq, d, avail, payload);
		return;
	}
	if (f->state & ST_PAYLOAD) {
		f->state |= ST_NAMED;
		return;
	}
	f->state |= ST_PAYLOAD;
	if (dns_port(k)) {
		/* DNS over TCP: the message after its 2-byte length */
		struct cursor c;
		uint16_t dlen;

		f->state |= ST_NAMED;
		cur_init(&c, d, avail);
		if (cur_be16(&c, &dlen) && appname_dns(d + 2,
		    MIN(cur_left(&c), (size_t)dlen), &nm) == APPNAME_FOUND)
			name_store(a, f, &nm);
		return;
	}
	if ((kind = appname_tcp_kind(d, avail)) == APP_NONE) {
		f->state |= ST_NAMED;
		return;
	}
	r = parse(kind, d, avail, &nm);
	if (r == APPNAME_FOUND)
		name_store(a, f, &nm);
	else if (r == APPNAME_NONE)
		f->state |= ST_NAMED;
	else if (avail < payload) {
		a->st.rasm_lost++;	/* the rest is past the snap length */
		f->state |= ST_NAMED;
	} else
		rasm_start(a, f, slot, kind, seq, d, avail);
}

/* ---- QUIC Initials ---- */

/*
 * appname_tls() reads a ClientHello in TLS records, and QUIC's CRYPTO
 * stream is bare handshake messages: a QUIC buffer opens with a record
 * header whose length covers the whole buffer.
 */
static const uint8_t quic_record[] = { 22, 3, 1, 0xff, 0xff };
#define QUIC_REC	sizeof(quic_record)

/* The flow's reassembly buffer, taken now if need be; NULL: none free. */
static struct app_rasm *
quic_rasm(struct app *a, struct app_flow *f, uint32_t slot)
{
	struct app_rasm *b;
	size_t i;

	if (f->rasm != 0)
		return &a->rasm[f->rasm - 1];
	for (i = 0; i < APP_RASM_BUFS && a->rasm[i].slot != 0; i++)
		;
	if (i == APP_RASM_BUFS)
		return NULL;
	b = &a->rasm[i];
	b->slot = slot + 1;
	b->kind = APP_TLS;
	b->next_seq = 0;
	memcpy(b->data, quic_record, QUIC_REC);
	b->len = QUIC_REC;
	f->rasm = (uint8_t)(i + 1);
	return b;
}

/*
 * One Initial's CRYPTO frames into the buffer, and the hello read again
 * when its start grew: 1 named or no name to find, 0 more to come, -1
 * lost (a second gap, or a hello larger than the buffer).
 */
static int
quic_feed(struct app *a, struct app_flow *f, struct app_rasm *b,
    const struct quic_crypto *fr, size_t n)
{
	uint16_t have = (uint16_t)(b->len - QUIC_REC);
	struct appname nm;
	size_t i, need;
	int grew = 0;

	for (i = 0; i < n; i++) {
		int r = quic_crypto_put(b->data + QUIC_REC, APP_RASM_BYTES -
		    QUIC_REC, &have, &b->next_seq, fr[i].off, fr[i].data,
		    fr[i].len);
		if (r < 0)
			return -1;
		grew |= r;
	}
	b->len = (uint16_t)(have + QUIC_REC);
	if (!grew)
		return 0;
	switch (appname_tls(b->data, b->len, &nm, &need)) {
	case APPNAME_FOUND:
		a->st.quic_names++;
		name_store(a, f, &nm);
		return 1;
	case APPNAME_MORE:
		return need > APP_RASM_BYTES ? -1 : 0;
	default:
		return 1;
	}
}

/*
 * A UDP packet that may be a client's QUIC Initial (quic_maybe_initial()):
 * APP_NAME_TRIES such packets a flow, the server's own Initials (other
 * keys) included, as 0-RTT and Handshake ones.
 */
APP_COLD static void
quic_name(struct app *a, struct app_flow *f, const struct pkt *p,
    const struct pkt_meta *m, uint32_t slot)
{
	struct quic_crypto fr[QUIC_FRAMES];
	uint8_t buf[QUIC_BUF];
	size_t l4 = m->l4_off, len, n;
	struct app_rasm *b;
	struct cursor c;
	uint16_t ulen;
	int r;

	cur_init(&c, p->data + l4, p->caplen - l4);
	if (!cur_peek_be16(&c, 4, &ulen) ||
	    (len = MIN(cur_left(&c), (size_t)ulen)) <= 8)
		return;
	f->tries++;
	switch (quic_initial(p->data + l4 + 8, len - 8, buf, fr, &n)) {
	case QUIC_OK:
		if ((b = quic_rasm(a, f, slot)) == NULL) {
			a->st.rasm_full++;
			f->state |= ST_NAMED;
			return;
		}
		r = quic_feed(a, f, b, fr, n);
		break;
	case QUIC_BIG:
		r = -1;
		break;
	default:
		r = 0;
		break;
	}
	if (r == 0 && f->tries >= APP_NAME_TRIES)
		r = f->rasm != 0 ? -1 : 1;	/* a hello begun is lost */
	if (r == 0)
		return;
	a->st.quic_lost += r < 0;
	f->state |= ST_NAMED;
	rasm_release(a, f);
}

/* ---- TCP quality ---- */

/* IPv4 keys have their address in the first 4 bytes, zeros after. */
static uint32_t
hs_hash(const uint8_t *c, const uint8_t *s, uint16_t cp, uint16_t sp,
    size_t alen)
{
	uint32_t h = (uint32_t)cp << 16 | sp;
	size_t i;

	for (i = 0; i < alen; i += 4)
		h = (h ^ rd32(c + i)) * 0x9e3779b1u ^ rd32(s + i);
	h *= 0x85ebca6bu;
	return h ^ h >> 15;
}

static int
hs_is(const struct app_hs *e, const uint8_t *c, const uint8_t *s,
    uint16_t cp, uint16_t sp, uint8_t ipver, size_t alen)
{
	return e->ipver == ipver && e->cport == cp && e->sport == sp &&
	    memcmp(e->client, c, alen) == 0 && memcmp(e->server, s, alen) == 0;
}

/*
 * The handshake's entry, *same 1; or (*same 0) the one to take for it:
 * two ways a bucket, so that a burst of SYNs (a peer-to-peer client, a
 * scan) seldom pushes out one still waiting for its SYN-ACK; the free
 * way, else the older.
 */
static struct app_hs *
hs_find(struct app *a, const uint8_t *c, const uint8_t *s, uint16_t cp,
    uint16_t sp, uint8_t ipver, int *same)
{
	size_t alen = ipver == 4 ? 4 : 16;
	struct app_hs *e = &a->hs[hs_hash(c, s, cp, sp, alen) & a->hs_mask &
	    ~1u];

	if ((*same = hs_is(e, c, s, cp, sp, ipver, alen)) != 0)
		return e;
	if ((*same = hs_is(e + 1, c, s, cp, sp, ipver, alen)) != 0)
		return e + 1;
	if (e->ipver == 0 || (e[1].ipver != 0 && e->syn_us <= e[1].syn_us))
		return e;
	return e + 1;
}

static uint16_t
ms_of(uint64_t us)
{
	uint64_t ms = (us + 500) / 1000;

	return ms > UINT16_MAX ? UINT16_MAX : (uint16_t)ms;
}

/*
 * SYN, SYN-ACK, then the client's first ACK: Wireshark's initial RTT
 * (from the latest SYN to that ACK), split at the SYN-ACK.
 */
APP_COLD static void
handshake(struct app *a, struct app_flow *f, const struct flow_key *k,
    uint8_t flags, uint64_t ts, uint32_t slot)
{
	struct app_flow *srv;
	struct app_hs *e;
	int same;

	switch (flags & (TH_SYN | TH_ACK | TH_RST)) {
	case TH_SYN:
		e = hs_find(a, k->src, k->dst, k->sport, k->dport, k->ipver,
		    &same);
		if (!same) {
			a->st.hs_lost += e->ipver != 0;
			memcpy(e->client, k->src, 16);
			memcpy(e->server, k->dst, 16);
			e->cport = k->sport;
			e->sport = k->dport;
			e->ipver = k->ipver;
		}
		e->server_slot = 0;
		e->syn_us = ts;
		f->state |= ST_HS_CLIENT;
		return;
	case TH_SYN | TH_ACK:
		e = hs_find(a, k->dst, k->src, k->dport, k->sport, k->ipver,
		    &same);
		if (!same)
			return;
		e->synack_us = ts;
		e->server_slot = slot + 1;
		f->state |= ST_HS_SERVER;
		return;
	case TH_ACK:
		if (!(f->state & ST_HS_CLIENT))
			return;
		e = hs_find(a, k->src, k->dst, k->sport, k->dport, k->ipver,
		    &same);
		if (!same) {
			f->state &= (uint8_t)~ST_HS_CLIENT;
			return;
		}
		if (e->server_slot == 0)
			return;		/* no SYN-ACK seen yet */
		f->rtt_server_ms = ms_of(e->synack_us - e->syn_us);
		f->rtt_client_ms = ms_of(ts - e->synack_us);
		f->state = (uint8_t)((f->state & ~ST_HS_CLIENT) | ST_RTT);
		if (e->server_slot - 1 < a->nf &&
		    ((srv = &a->f[e->server_slot - 1])->state & ST_HS_SERVER)) {
			srv->rtt_server_ms = f->rtt_server_ms;
			srv->rtt_client_ms = f->rtt_client_ms;
			srv->state = (uint8_t)((srv->state & ~ST_HS_SERVER) |
			    ST_RTT);
		}
		a->st.handshakes++;
		e->ipver = 0;
		return;
	default:
		return;
	}
}

static void
sequence(struct app_flow *f, uint32_t seq, uint32_t payload, uint8_t flags,
    uint32_t now_us)
{
	uint32_t end = seq + payload + !!(flags & (TH_SYN | TH_FIN));

	if (flags & TH_RST)
		return;
	if (!(f->state & ST_SEQ)) {
		f->state |= ST_SEQ;
		f->next_seq = end;
		f->next_us = now_us;
		return;
	}
	if (payload == 0 && !(flags & (TH_SYN | TH_FIN)))
		return;
	if ((int32_t)(f->next_seq - seq) > 0 &&
	    !(payload <= 1 && seq + 1 == f->next_seq &&
	    !(flags & (TH_SYN | TH_FIN)))) {
		uint32_t thres = f->state & ST_RTT ? ((uint32_t)
		    f->rtt_client_ms + f->rtt_server_ms) * 1000 :
		    OOO_THRESHOLD_US;

		if (now_us - f->next_us < thres &&
		    f->next_seq != seq + payload)
			f->ooo++;
		else
			f->retrans++;
	}
	if ((int32_t)(end - f->next_seq) > 0) {
		f->next_seq = end;
		f->next_us = now_us;
	}
}

static void
tcp(struct app *a, struct app_flow *f, const struct pkt *p,
    const struct flow_key *k, const struct pkt_meta *m, uint32_t slot)
{
	uint32_t l4 = m->l4_off, thl, hdrs, avail, payload, seq;
	const uint8_t *h = p->data + l4;
	uint8_t flags = m->tcp_flags, doff;	/* decode.c read the flags */
	struct cursor c;

	/* decode.c put the transport header after the IP one: l4 > l3 */
	cur_init(&c, h, p->caplen - l4);
	if (!(cur_need(&c, 20) && cur_peek_be32(&c, 4, &seq) &&
	    cur_peek_u8(&c, 12, &doff)))
		return;
	thl = (uint32_t)(doff >> 4) << 2;
	hdrs = l4 - m->l3_off + thl;
	if (thl < 20)
		return;
	payload = m->bytes > hdrs ? m->bytes - hdrs : 0;
	if (a->what & APP_TCP) {
		/* SYNs, and a client's ACKs until its handshake is done */
		if ((flags & TH_SYN) || (f->state & ST_HS_CLIENT))
			handshake(a, f, k, flags, p->ts_us, slot);
		sequence(f, seq, payload, flags, (uint32_t)p->ts_us);
	}
	if (payload == 0 || (f->state & ST_NAMED) || !(a->what & APP_NAMES))
		return;
	avail = p->caplen - l4 > thl ? MIN(payload, p->caplen - l4 - thl) : 0;
	tcp_name(a, f, k, slot, seq, h + thl, avail, payload);
}

void
app_packet(struct app *a, const struct pkt *p, const struct flow_key *k,
    const struct pkt_meta *m, uint32_t slot)
{
	struct app_flow *f;

	if (!(a->what & (APP_NAMES | APP_TCP)) || m->l4_off == 0 ||
	    slot >= a->nf || (m->notes & DECODE_NOTE_FRAGMENT))
		return;		/* --process alone: nothing a packet */
	f = &a->f[slot];
	if (k->proto == PROTO_TCP)
		tcp(a, f, p, k, m, slot);
	else if (k->proto == PROTO_UDP && !(f->state & ST_NAMED) &&
	    (a->what & APP_NAMES) && dns_port(k))
		udp_name(a, f, p, m);
	else if (QUIC_BUILT && k->proto == PROTO_UDP &&
	    !(f->state & ST_NAMED) && (a->what & APP_NAMES) &&
	    p->caplen > (uint32_t)m->l4_off + 8 &&
	    quic_maybe_initial(p->data[m->l4_off + 8]))
		quic_name(a, f, p, m, slot);
}

/* ---- --process ---- */

int
app_owner_wanted(struct app *a, uint32_t slot)
{
	struct app_flow *f;

	if (!(a->what & APP_PROC) || slot >= a->nf)
		return 0;
	f = &a->f[slot];
	if (f->state & ST_OWNERS)
		return 0;
	f->state |= ST_OWNERS;
	return 1;
}

/*
 * Flows of one process share its entry; a new owner takes the next
 * entry round the table, and flows still pointing at what it held see
 * its gen move on and lose their owner rather than get another's.
 */
void
app_owner_set(struct app *a, uint32_t slot, int dst,
    const struct proc_owner *o)
{
	struct app_owner *e = NULL;
	unsigned i;

	if (slot >= a->nf)
		return;
	for (i = 0; i < APP_OWNERS && e == NULL; i++)
		if (a->owner[i].o.pid == o->pid && a->owner[i].o.uid ==
		    o->uid && strcmp(a->owner[i].o.name, o->name) == 0)
			e = &a->owner[i];
	if (e == NULL) {
		e = &a->owner[a->next_owner];
		a->next_owner = (a->next_owner + 1) % APP_OWNERS;
		e->o = *o;
		e->gen++;
	}
	a->f[slot].owner[dst != 0] = (uint16_t)(e - a->owner + 1);
	a->f[slot].owner_gen[dst != 0] = e->gen;
}

static void
export_owner(const struct app *a, const struct app_flow *f, int dst,
    struct flow_rec *r)
{
	const struct app_owner *e;

	if (f->owner[dst] == 0 || f->owner[dst] > APP_OWNERS)
		return;
	e = &a->owner[f->owner[dst] - 1];
	if (e->gen != f->owner_gen[dst])
		return;		/* reused since: better none than wrong */
	if (dst) {
		r->app.dst_pid = e->o.pid;
		r->app.dst_proc = e->o.name;
		r->app.dst_user = e->o.user;
	} else {
		r->app.src_pid = e->o.pid;
		r->app.src_proc = e->o.name;
		r->app.src_user = e->o.user;
	}
	r->app.flags |= FLOW_APP_PROC;
}

/* ---- export ---- */

void
app_export(const struct app *a, struct flow_rec *r, char *namebuf)
{
	const struct app_flow *f;

	if (r->slot == 0 || r->slot > a->nf)
		return;
	f = &a->f[r->slot - 1];
	if (f->name == 0 && !(f->state & ST_RTT) && (f->retrans | f->ooo |
	    f->owner[0] | f->owner[1]) == 0)
		return;		/* most flows: nothing to say */
	memset(&r->app, 0, sizeof(r->app));
	if (f->kind != APP_NONE && f->name != 0) {
		uint32_t c;
		size_t off = 0;

		for (c = f->name; c != 0 && off < f->name_len;
		    c = a->chunk[c - 1].next) {
			size_t n = MIN(APP_CHUNK_BYTES, f->name_len - off);

			memcpy(namebuf + off, a->chunk[c - 1].b, n);
			off += n;
		}
		namebuf[off] = '\0';
		r->app.name = namebuf;
		r->app.name_len = (uint8_t)off;
		r->app.kind = f->kind;
		r->app.qtype = f->qtype;
		r->app.rcode = f->rcode;
		r->app.flags |= FLOW_APP_NAME;
	}
	if (f->state & ST_RTT) {
		r->app.rtt_client_ms = f->rtt_client_ms;
		r->app.rtt_server_ms = f->rtt_server_ms;
		r->app.flags |= FLOW_APP_RTT;
	}
	if (f->retrans != 0 || f->ooo != 0) {
		r->app.retrans = f->retrans;
		r->app.ooo = f->ooo;
		r->app.flags |= FLOW_APP_TCP;
	}
	export_owner(a, f, 0, r);
	export_owner(a, f, 1, r);
}

void
app_release(struct app *a, const struct flow_rec *r)
{
	struct app_flow *f;

	if (r->slot == 0 || r->slot > a->nf)
		return;
	f = &a->f[r->slot - 1];
	if (r->end == FLOW_END_ACTIVE) {
		/* the flow goes on: its name and handshake still hold */
		f->retrans = f->ooo = 0;
		return;
	}
	name_free(a, f);
	rasm_release(a, f);
	memset(f, 0, sizeof(*f));
}

void
app_stats(const struct app *a, struct app_stats *st)
{
	*st = a->st;
}

/* ---- text ---- */

/* --process: " src=comm[pid]/user", names as the kernel gave them. */
static void
print_owner(FILE *f, const char *end, uint32_t pid, const char *proc,
    const char *user)
{
	if (user == NULL || user[0] == '\0')
		return;
	fprintf(f, " %s=%s[%" PRIu32 "]/%s", end, proc != NULL &&
	    proc[0] != '\0' ? proc : "?", pid, user);
}

/*
 * -P: --app-info's facts after the end reason: a name is the wire's bytes,
 * so anything but printable ASCII goes as \xHH (no terminal controls).
 */
void
app_print(FILE *f, const struct flow_app *a)
{
	static const char *const kinds[] = { "", "dns", "sni", "host" };

	if ((a->flags & FLOW_APP_NAME) && a->kind < 4 && a->kind != 0) {
		size_t i;

		fprintf(f, " %s=", kinds[a->kind]);
		for (i = 0; i < a->name_len; i++)
			if (a->name[i] > 0x20 && a->name[i] < 0x7f &&
			    a->name[i] != '\\')
				fputc(a->name[i], f);
			else
				fprintf(f, "\\x%02x", (unsigned char)a->name[i]);
		if (a->kind == 1)
			fprintf(f, " qtype=%u rcode=%u", a->qtype, a->rcode);
	}
	if (a->flags & FLOW_APP_RTT)
		fprintf(f, " rtt_client=%" PRIu32 "ms rtt_server=%" PRIu32
		    "ms", a->rtt_client_ms, a->rtt_server_ms);
	if (a->flags & FLOW_APP_TCP)
		fprintf(f, " retrans=%" PRIu32 " ooo=%" PRIu32, a->retrans,
		    a->ooo);
	print_owner(f, "src", a->src_pid, a->src_proc, a->src_user);
	print_owner(f, "dst", a->dst_pid, a->dst_proc, a->dst_user);
}

void
app_log_stats(const struct app_stats *a)
{
	if (QUIC_BUILT) {
		log_notice("app-info: names %" PRIu64 " names_dropped %"
		    PRIu64 " rasm_names %" PRIu64 " rasm_full %" PRIu64
		    " rasm_lost %" PRIu64 " handshakes %" PRIu64 " hs_lost %"
		    PRIu64 " quic_names %" PRIu64 " quic_lost %" PRIu64,
		    a->names, a->names_dropped, a->rasm_names, a->rasm_full,
		    a->rasm_lost, a->handshakes, a->hs_lost, a->quic_names,
		    a->quic_lost);
		return;
	}
	log_notice("app-info: names %" PRIu64 " names_dropped %" PRIu64
	    " rasm_names %" PRIu64 " rasm_full %" PRIu64 " rasm_lost %"
	    PRIu64 " handshakes %" PRIu64 " hs_lost %" PRIu64, a->names,
	    a->names_dropped, a->rasm_names, a->rasm_full, a->rasm_lost,
	    a->handshakes, a->hs_lost);
}

/* --help's lines after the two that say whether QUIC is named. */
#define APP_USAGE_REST \
"                          (ntop's elements; -v 9 or 10, --mtu >= 1100;\n" \
"                          names are personal data)\n" \
"      --process           export the pid, program and user owning the\n" \
"                          host's own end of a flow (Linux, -i; keeps\n" \
"                          CAP_DAC_READ_SEARCH, CAP_SYS_PTRACE with -u)\n"

void
app_usage(FILE *f)
{
	fputs(QUIC_BUILT ?
"      --app-info          export DNS names, TLS and QUIC server names, HTTP\n"
"                          hosts and TCP handshake times and retransmissions\n"
	    APP_USAGE_REST :
"      --app-info          export DNS names, TLS server names, HTTP hosts\n"
"                          and TCP handshake times and retransmissions\n"
	    APP_USAGE_REST, f);
}
