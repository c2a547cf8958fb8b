/*
 * --app-info (see app.h): per-slot state beside the flow table, a name
 * pool and reassembly buffers, all sized at start.
 *
 * The TCP analysis is Wireshark's (packet-tcp.c, as tshark 4.0 has it),
 * so that figures can be checked against tshark's.  A segment carrying
 * data, SYN or FIN that starts before the next expected sequence number
 * is a fast retransmission if the other direction sent two or more
 * duplicate ACKs for it within the last 20 ms; else out of order if it
 * came within the connection's first round trip (3 ms while that is
 * unknown) of the segment that last advanced the sequence and does not
 * end exactly there; else a retransmission (spurious ones included).  A
 * keep-alive (0 or 1 byte just before the next sequence number) is none
 * of these, and a zero-window probe does not advance the sequence.
 *
 * Most of that reads this direction's entry only.  The other direction's
 * entry (its last ACK, duplicate ACK count, window) is wanted for a
 * SYN-ACK, a segment sent again, a repeated ACK and a one-byte segment:
 * its slot is found once by a flow-table lookup of the reversed key and
 * kept in both entries (peer) until either flow leaves the table.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "cursor.h"
#include "decode.h"
#include "flowtab.h"
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
#define ST_SEQ		0x01	/* a TCP segment was analysed */
#define ST_NAMED	0x02	/* no more name parsing for this flow */
#define ST_PAYLOAD	0x04	/* the first TCP payload was looked at */
#define ST_HS_CLIENT	0x08	/* sent the SYN: its ACK ends the handshake */
#define ST_HS_SYNACK	0x10	/* ... and the SYN-ACK came */
#define ST_HS_SERVER	0x20	/* sent the SYN-ACK */
#define ST_RTT		0x40	/* rtt_* hold the handshake */
#define ST_OWNERS	0x80	/* --process asked about its ends */

/* app_flow.tcp: what Wireshark remembers of a direction's last segment */
#define TCP_DUPACKS	0x03	/* duplicate ACKs in a row, up to 3 */
#define TCP_KEEPALIVE	0x04	/* the last segment was a keep-alive */

#define OOO_THRESHOLD_US 3000	/* Wireshark's, before a round trip */
#define FAST_RETRANS_US	20000	/* ... since the duplicate ACKs */

/*
 * The few packets that parse names, visit the other direction or time
 * the handshake are calls of their own, so the path every other TCP
 * packet takes keeps few registers to save (gcc and clang; elsewhere a
 * plain function).
 */
#if defined(__GNUC__) || defined(__clang__)
#define APP_COLD	__attribute__((noinline, cold))
#define APP_INLINE	static inline __attribute__((always_inline))
#else
#define APP_COLD
#define APP_INLINE	static inline
#endif

/*
 * One per flow-table slot: 68 bytes.  Times are the low 32 bits of
 * microseconds: differences are right up to 71 minutes.
 */
struct app_flow {
	uint32_t	next_seq;	/* end of the highest segment */
	uint32_t	next_us;	/* when it came */
	uint32_t	last_ack;	/* the last segment's ACK number */
	uint32_t	ack_us;		/* ... when it came */
	uint32_t	max_acked;	/* where contiguous data ends (what
					 * the other side may ACK) */
	uint32_t	base_seq;	/* the SYN's, or the first segment's - 1 */
	/* ST_RTT: the handshake's halves.  Until then, the client's entry
	 * holds the SYN's time in rtt_client_us, and from the SYN-ACK the
	 * server half and the SYN-ACK's time */
	uint32_t	rtt_server_us;
	uint32_t	rtt_client_us;
	uint32_t	retrans;
	uint32_t	ooo;
	uint32_t	peer;		/* the reverse flow's slot; 0: none
					 * (slot 0 is a list head, never a
					 * flow: a->f[0] stays all zeros, what
					 * Wireshark knows of a direction it
					 * has not seen) */
	uint32_t	name;		/* first chunk + 1, 0: none */
	uint16_t	window;		/* the last segment's, unscaled */
	uint16_t	qtype;
	uint8_t		name_len;
	uint8_t		kind;
	uint8_t		rcode;
	uint8_t		state;		/* ST_* */
	uint8_t		tcp;		/* TCP_* */
	uint8_t		rasm;		/* reassembly buffer + 1, 0: none */
	uint8_t		tries;		/* UDP packets parsed (DNS, QUIC) */
	uint8_t		pad;
	uint16_t	owner[2];	/* source's, destination's: + 1 */
	uint16_t	owner_gen[2];	/* ... as long as the entry has it */
};

/* app_flow.peer's 0: the flow table's unit 0 is a list head */
typedef char slot0_is_no_flow[FLOWTAB_HEAD(FLOWTAB_GENERAL) == 0 ? 1 : -1];

/* An owner, shared by the flows of a process; gen moves on reuse. */
struct app_owner {
	struct proc_owner o;
	uint16_t	gen;
};

struct app_chunk {
	uint32_t	next;		/* + 1, 0: the last */
	char		b[APP_CHUNK_BYTES];
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
	struct flowtab	*tab;		/* whose slots f's are */
	size_t		 nf;
	struct app_chunk *chunk;
	size_t		 nchunk;
	uint32_t	 free_chunk;	/* + 1 */
	size_t		 nfree;
	struct app_rasm	*rasm;
	struct app_owner *owner;
	unsigned	 next_owner;	/* replaced next when none matches */
	unsigned	 what;		/* APP_* */
	uint8_t		 peer_flip;	/* reverse flows were found with the
					 * other direction (peer_find()) */
	struct app_stats st;
};

static size_t
chunks_for(size_t index_end)
{
	return index_end / 2 + 64;
}

size_t
app_bytes(size_t index_end)
{
	return sizeof(struct app) + index_end * sizeof(struct app_flow) +
	    chunks_for(index_end) * sizeof(struct app_chunk) +
	    APP_RASM_BUFS * sizeof(struct app_rasm) +
	    APP_OWNERS * sizeof(struct app_owner);
}

struct app *
app_new(struct flowtab *t, size_t index_end, unsigned what)
{
	struct app *a;
	size_t i;

	if ((a = mem_alloc(sizeof(*a), "app-info")) == NULL)
		return NULL;
	a->tab = t;
	a->nf = index_end;
	a->nchunk = chunks_for(index_end);
	a->what = what;
	a->f = mem_alloc(index_end * sizeof(*a->f), "app-info flows");
	a->chunk = mem_alloc(a->nchunk * sizeof(*a->chunk), "app-info names");
	a->rasm = mem_alloc(APP_RASM_BUFS * sizeof(*a->rasm),
	    "app-info reassembly");
	a->owner = mem_alloc(APP_OWNERS * sizeof(*a->owner), "app-info owners");
	if (a->f == NULL || a->chunk == NULL || a->rasm == NULL ||
	    a->owner == NULL) {
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
	mem_free(a->rasm);
	mem_free(a->owner);
	mem_free(a);
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

/*
 * A UDP packet's payload, as much of it as its UDP length says and the
 * capture holds (*len, 0 if none); NULL if the length was not captured.
 */
static const uint8_t *
udp_payload(const struct pkt *p, const struct pkt_meta *m, size_t *len)
{
	struct cursor c;
	uint16_t ulen;

	cur_init(&c, p->data + m->l4_off, p->caplen - m->l4_off);
	if (!cur_peek_be16(&c, 4, &ulen))
		return NULL;
	*len = MIN(cur_left(&c), (size_t)ulen);
	*len = *len > 8 ? *len - 8 : 0;
	return p->data + m->l4_off + 8;
}

APP_COLD static void
udp_name(struct app *a, struct app_flow *f, const struct pkt *p,
    const struct pkt_meta *m)
{
	const uint8_t *d;
	struct appname nm;
	size_t len;

	if (f->tries >= APP_NAME_TRIES || (d = udp_payload(p, m, &len)) == NULL)
		return;
	f->tries++;
	if (appname_dns(d, len, &nm) == APPNAME_FOUND)
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

/*
 * A free reassembly buffer for the flow in slot; NULL, counted, and no
 * more names for the flow when all are in use.
 */
static struct app_rasm *
rasm_take(struct app *a, struct app_flow *f, uint32_t slot, unsigned kind)
{
	struct app_rasm *b;
	size_t i;

	for (i = 0; i < APP_RASM_BUFS && a->rasm[i].slot != 0; i++)
		;
	if (i == APP_RASM_BUFS) {
		a->st.rasm_full++;
		f->state |= ST_NAMED;
		return NULL;
	}
	b = &a->rasm[i];
	b->slot = slot + 1;
	b->kind = (uint8_t)kind;
	f->rasm = (uint8_t)(i + 1);
	return b;
}

static void
rasm_start(struct app *a, struct app_flow *f, uint32_t slot, unsigned kind,
    uint32_t seq, const uint8_t *d, size_t len)
{
	struct app_rasm *b;

	if ((b = rasm_take(a, f, slot, kind)) == NULL)
		return;
	b->len = (uint16_t)MIN(len, APP_RASM_BYTES);
	memcpy(b->data, d, b->len);
	b->next_seq = seq + (uint32_t)len;
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

	if (f->rasm != 0)
		return &a->rasm[f->rasm - 1];
	if ((b = rasm_take(a, f, slot, APP_TLS)) == NULL)
		return NULL;
	b->next_seq = 0;
	memcpy(b->data, quic_record, QUIC_REC);
	b->len = QUIC_REC;
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
	const uint8_t *d;
	struct app_rasm *b;
	size_t len, n;
	int r;

	if ((d = udp_payload(p, m, &len)) == NULL || len == 0)
		return;
	f->tries++;
	switch (quic_initial(d, len, buf, fr, &n)) {
	case QUIC_OK:
		if ((b = quic_rasm(a, f, slot)) == NULL)
			return;		/* rasm_take() counted it */
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

/*
 * The entry of f's reverse flow, linked to f's both ways; a->f[0] if
 * that flow is not in the table.  In a live capture the reverse flow of
 * a packet seen on one interface is mostly seen there going the other
 * way (outgoing, incoming); in a file both go one way.
 */
APP_COLD static struct app_flow *
peer_find(struct app *a, struct app_flow *f, const struct flow_key *k,
    uint32_t slot)
{
	struct flowtab *t = a->tab;
	struct flowtab_ent *e;
	struct app_flow *r;
	struct flow_key rk = *k;
	uint32_t i;

	memcpy(rk.src, k->dst, sizeof(rk.src));
	memcpy(rk.dst, k->src, sizeof(rk.dst));
	rk.sport = k->dport;
	rk.dport = k->sport;
	/* first the way that answered last time */
	rk.direction = (uint8_t)(k->direction ^ a->peer_flip);
	if ((e = flowtab_find(t, &rk)) == NULL) {
		rk.direction ^= 1;
		if ((e = flowtab_find(t, &rk)) != NULL)
			a->peer_flip ^= 1;
	}
	if (e == NULL || (i = flowtab_index_at(flowtab_base(t), e)) >=
	    a->nf || i == slot)
		return &a->f[0];
	r = &a->f[i];
	if (r->peer != 0)	/* its key's twin of the other direction */
		a->f[r->peer].peer = 0;
	r->peer = slot;
	f->peer = i;
	return r;
}

PF_NOINLINE static uint16_t
ms_of(uint32_t us)
{
	uint32_t ms = us / 1000 + (us % 1000 >= 500);

	return ms > UINT16_MAX ? UINT16_MAX : (uint16_t)ms;
}

/*
 * SYN, SYN-ACK, then the client's first ACK: Wireshark's initial RTT
 * (from the latest SYN to that ACK), split at the SYN-ACK.  The client's
 * entry keeps the times; sequence() linked the SYN-ACK's flow to it, and
 * the ACK gives the server's entry the result too.
 */
APP_COLD static void
handshake(struct app *a, struct app_flow *f, uint8_t flags, uint32_t now)
{
	struct app_flow *c, *s;
	uint32_t syn;

	switch (flags & (TH_SYN | TH_ACK | TH_RST)) {
	case TH_SYN:
		f->state = (uint8_t)((f->state & ~(ST_HS_SYNACK | ST_RTT)) |
		    ST_HS_CLIENT);
		f->rtt_client_us = now;
		return;
	case TH_SYN | TH_ACK:
		c = &a->f[f->peer];
		if (!(c->state & ST_HS_CLIENT)) {
			a->st.hs_lost++;
			return;
		}
		/* one sent again: the SYN came a server half before the
		 * first */
		syn = c->state & ST_HS_SYNACK ? c->rtt_client_us -
		    c->rtt_server_us : c->rtt_client_us;
		c->rtt_server_us = now - syn;
		c->rtt_client_us = now;
		c->state |= ST_HS_SYNACK;
		f->state |= ST_HS_SERVER;
		return;
	case TH_ACK:
		if (!(f->state & ST_HS_SYNACK))
			return;		/* no SYN-ACK seen yet */
		f->rtt_client_us = now - f->rtt_client_us;
		f->state = (uint8_t)((f->state & ~(ST_HS_CLIENT |
		    ST_HS_SYNACK)) | ST_RTT);
		a->st.handshakes++;
		if (((s = &a->f[f->peer])->state & ST_HS_SERVER)) {
			s->rtt_server_us = f->rtt_server_us;
			s->rtt_client_us = f->rtt_client_us;
			s->state = (uint8_t)((s->state & ~ST_HS_SERVER) |
			    ST_RTT);
		}
		return;
	default:
		return;
	}
}

/* The other side has ACKed all of the segment already (spurious). */
static inline int
acked_already(const struct app_flow *r, uint32_t seq, uint32_t payload)
{
	return payload > 0 && r->last_ack != 0 &&
	    (int32_t)(seq + payload - r->last_ack) <= 0;
}

/*
 * A segment with data, SYN or FIN that is not a keep-alive (see the
 * top); r is the reverse flow's entry, next and next_us what f's were
 * before this segment.
 */
APP_COLD static void
resent(struct app_flow *f, const struct app_flow *r, uint32_t seq,
    uint32_t payload, uint32_t end, uint32_t now, uint32_t next,
    uint32_t next_us)
{
	uint32_t thres;

	if (acked_already(r, seq, payload)) {
		f->retrans++;	/* spurious */
		return;
	}
	if (next == 0 || (int32_t)(seq - next) >= 0 ||
	    (payload > 1 && next - 1 == seq))
		return;		/* it advances the sequence */
	if ((r->tcp & TCP_DUPACKS) >= 2 && r->last_ack == seq &&
	    now - r->ack_us < FAST_RETRANS_US) {
		f->retrans++;	/* a fast retransmission */
		return;
	}
	thres = f->state & ST_RTT ? f->rtt_server_us + f->rtt_client_us :
	    OOO_THRESHOLD_US;
	if (now - next_us < thres && next != end)
		f->ooo++;
	else
		f->retrans++;
}

/*
 * A SYN again: the same one sent again restores the sequence an RST may
 * have moved (Wireshark's issue 17616); another starts a new connection
 * on the same ports, for both directions.
 */
APP_COLD static void
syn_again(struct app_flow *f, struct app_flow *r, uint32_t seq)
{
	if (seq == f->base_seq) {
		f->next_seq = f->max_acked;
		return;
	}
	f->next_seq = f->next_us = f->last_ack = f->ack_us = f->max_acked = 0;
	f->window = 0;
	f->tcp = 0;
	f->base_seq = seq;
	/* (a->f[0], no reverse flow, stays all zeros) */
	r->next_seq = r->next_us = r->last_ack = r->ack_us = 0;
	r->max_acked = r->base_seq = 0;
	r->window = 0;
	r->tcp = 0;
	r->state &= (uint8_t)~ST_SEQ;
}

/*
 * An ACK past where the other side's contiguous data ends: its segments
 * were not seen.  Wireshark moves that end on, or if it is there already
 * forgets the other side's duplicate ACKs.
 */
static inline void
acked_unseen(struct app_flow *r, uint32_t ack, uint8_t flags)
{
	if (r->max_acked != 0 && (int32_t)(ack - r->max_acked) > 0 &&
	    (flags & TH_ACK)) {
		if ((int32_t)(r->max_acked - r->next_seq) < 0)
			r->max_acked = r->next_seq;
		else
			r->tcp &= (uint8_t)~TCP_DUPACKS;
	}
}

/*
 * A segment [seq, end) that is not a zero-window probe: the highest end
 * so far, and where the data seen without a gap ends.
 */
static inline void
advance(struct app_flow *f, uint32_t seq, uint32_t end, uint32_t now)
{
	if ((int32_t)(end - f->next_seq) > 0 || f->next_seq == 0) {
		f->next_seq = end;
		f->next_us = now;
	}
	if (seq == f->max_acked || f->max_acked == 0)
		f->max_acked = f->next_seq;
}

/*
 * What sequence() makes of a segment of f's direction once its first
 * segment and a SYN sent again are seen to; r is the reverse flow's
 * entry.  Of the segments sequence_fast() takes, only those sent again
 * come here.
 */
APP_COLD static void
sequence_tail(struct app_flow *f, struct app_flow *r, const uint8_t *th,
    uint32_t payload, uint8_t flags, uint32_t now)
{
	uint32_t seq = be32_at(th + 4), ack = be32_at(th + 8);
	uint32_t end = seq + payload + !!(flags & (TH_SYN | TH_FIN));
	uint32_t next = f->next_seq, next_us = f->next_us;
	uint16_t win = be16_at(th + 14);
	unsigned mark = ack == f->last_ack ? f->tcp & TCP_DUPACKS : 0u;
	int plain = !(flags & (TH_SYN | TH_FIN | TH_RST));
	int probe = payload == 1 && seq == next && r->window == 0;
	int again;

	if (plain && payload <= 1 && seq == next - 1)	/* (a probe is at next) */
		mark |= TCP_KEEPALIVE;
	else if (plain && payload == 0 && seq == next && ack == f->last_ack &&
	    win == f->window && win != 0 && !(r->tcp & TCP_KEEPALIVE) &&
	    mark < 3)
		mark++;	/* a duplicate ACK (not a keep-alive's) */
	again = (payload != 0 || (flags & (TH_SYN | TH_FIN))) &&
	    !(mark & TCP_KEEPALIVE) && (acked_already(r, seq, payload) ||
	    (next != 0 && (int32_t)(seq - next) < 0));
	acked_unseen(r, ack, flags);
	if (!probe)	/* a zero-window probe does not move the sequence */
		advance(f, seq, end, now);
	f->window = win;
	f->last_ack = ack;
	f->ack_us = now;
	f->tcp = (uint8_t)mark;
	if (again)
		resent(f, r, seq, payload, end, now, next, next_us);
}

/*
 * sequence_tail()'s work for the segments nearly all packets are: a
 * pure ACK or a segment of 2 bytes or more, with none of SYN, FIN or
 * RST, in a flow whose handshake is over.  No zero-window probe, and no
 * keep-alive but an empty one, can be among them; one sent again goes on
 * to sequence_tail() before anything changes, so that this path keeps
 * nothing across a call.  Written into app_packet(), its one caller.
 */
APP_INLINE void
sequence_fast(struct app *a, struct app_flow *f, const uint8_t *th,
    uint32_t payload, uint8_t flags, uint32_t now)
{
	uint32_t seq = be32_at(th + 4), ack = be32_at(th + 8);
	uint32_t next = f->next_seq;
	uint16_t win = be16_at(th + 14);
	unsigned mark = ack == f->last_ack ? f->tcp & TCP_DUPACKS : 0u;
	struct app_flow *r = &a->f[f->peer];

	if (payload != 0) {
		if (acked_already(r, seq, payload) || ((int32_t)(seq - next) <
		    0 && next - 1 != seq && next != 0)) {
			sequence_tail(f, r, th, payload, flags, now);
			return;
		}
	} else if (seq == next - 1)
		mark |= TCP_KEEPALIVE;
	else if (seq == next && ack == f->last_ack && win == f->window &&
	    win != 0 && !(r->tcp & TCP_KEEPALIVE) && mark < 3)
		mark++;	/* a duplicate ACK (not a keep-alive's) */
	f->window = win;
	f->last_ack = ack;
	f->ack_us = now;
	f->tcp = (uint8_t)mark;
	acked_unseen(r, ack, flags);
	advance(f, seq, seq + payload, now);
}

/*
 * Wireshark's analysis of one segment of f's direction, in its order: a
 * flow's first segment, SYNs, FINs, RSTs, one-byte segments and the
 * handshake's.  This finds the reverse flow and sees to a SYN sent again;
 * sequence_tail() does the rest.
 */
APP_COLD static void
sequence(struct app *a, struct app_flow *f, const struct flow_key *k,
    uint32_t slot, const uint8_t *th, uint32_t payload, uint8_t flags,
    uint32_t now)
{
	uint32_t seq = be32_at(th + 4);
	struct app_flow *r;

	if (!(f->state & ST_SEQ)) {
		/* a flow's first segment: its reverse flow, unless it is a
		 * SYN (whose SYN-ACK's flow will look for it) or an RST (an
		 * answer to a SYN, or the end of what was not seen: nothing
		 * of the other direction's changes what it is); and a SYN-ACK
		 * looks again if that found none */
		f->state |= ST_SEQ;
		f->base_seq = flags & TH_SYN ? seq : seq - 1;
		r = (flags & (TH_SYN | TH_ACK)) == TH_SYN || (flags & TH_RST) ?
		    &a->f[0] : peer_find(a, f, k, slot);
	} else if (f->peer == 0 && (flags & (TH_SYN | TH_ACK)) ==
	    (TH_SYN | TH_ACK))
		r = peer_find(a, f, k, slot);	/* handshake() wants it */
	else {
		r = &a->f[f->peer];
		if ((flags & (TH_SYN | TH_ACK)) == TH_SYN)
			syn_again(f, r, seq);
	}
	sequence_tail(f, r, th, payload, flags, now);
}

static void
tcp(struct app *a, struct app_flow *f,
    const struct pkt *p, const struct flow_key *k, const struct pkt_meta *m,
    uint32_t slot)
{
	uint32_t l4 = m->l4_off, thl, hdrs, avail, payload;
	const uint8_t *th = p->data + l4;
	uint8_t flags = m->tcp_flags;	/* decode.c read the flags */

	/* decode.c put the transport header after the IP one, in caplen */
	if (p->caplen - l4 < 20 || (thl = (uint32_t)(th[12] >> 4) << 2) < 20)
		return;
	hdrs = l4 - m->l3_off + thl;
	payload = m->bytes > hdrs ? m->bytes - hdrs : 0;
	if (a->what & APP_TCP) {
		uint32_t now = (uint32_t)p->ts_us;

		sequence(a, f, k, slot, th, payload, flags, now);
		/* the handshake's times after the analysis, as in Wireshark:
		 * SYNs, and a client's ACKs until it is done */
		if ((flags & TH_SYN) || (f->state & ST_HS_CLIENT))
			handshake(a, f, flags, now);
	}
	if (payload == 0 || (f->state & ST_NAMED) || !(a->what & APP_NAMES))
		return;
	avail = p->caplen - l4 > thl ? MIN(payload, p->caplen - l4 - thl) : 0;
	tcp_name(a, f, k, slot, be32_at(th + 4), th + thl, avail, payload);
}

/* Every packet app_packet() does not see to itself. */
PF_NOINLINE static void
packet(struct app *a, const struct pkt *p, const struct flow_key *k,
    const struct pkt_meta *m, uint32_t slot)
{
	struct app_flow *f = &a->f[slot];

	if (!(a->what & (APP_NAMES | APP_TCP)) || m->l4_off == 0 ||
	    (m->notes & DECODE_NOTE_FRAGMENT))
		return;		/* --process alone: nothing a packet */
	if (k->proto == PROTO_TCP)
		tcp(a, f, p, k, m, slot);
	else if (k->proto == PROTO_UDP && !(f->state & ST_NAMED) &&
	    (a->what & APP_NAMES)) {
		if (dns_port(k))
			udp_name(a, f, p, m);
		else if (QUIC_BUILT && p->caplen > (uint32_t)m->l4_off + 8 &&
		    quic_maybe_initial(p->data[m->l4_off + 8]))
			quic_name(a, f, p, m, slot);
		else if (f->tries == 0)
			f->state |= ST_NAMED;	/* neither: asked once a flow */
	}
}

/*
 * A flow's first segment when it is a SYN without data: what sequence()
 * and handshake() make of it, in one step (about 12 % of the benchmark
 * trace's packets are SYNs).
 */
PF_NOINLINE static void
syn_first(struct app_flow *f, const uint8_t *th, uint32_t now)
{
	uint32_t seq = be32_at(th + 4);

	f->state |= ST_SEQ | ST_HS_CLIENT;
	f->base_seq = seq;
	f->next_seq = f->max_acked = seq + 1;
	f->next_us = f->ack_us = f->rtt_client_us = now;
	f->last_ack = be32_at(th + 8);
	f->window = be16_at(th + 14);
}

/*
 * The flow table's slots are below a->nf (app_new() was given its
 * FLOWTAB_INDEX_END()).  Nearly every packet is a TCP segment that
 * sequence_fast() takes in full (a plain one of a flow whose handshake is
 * over, and named unless it has no data), a flow's first SYN, or a
 * packet of a UDP flow already looked at: those are told apart here in
 * few steps, and all others take a call.
 */
void
app_packet(struct app *a, const struct pkt *p, const struct flow_key *k,
    const struct pkt_meta *m, uint32_t slot)
{
	struct app_flow *f = &a->f[slot];
	uint32_t l4 = m->l4_off, hdrs, payload;
	const uint8_t *th = p->data + l4;
	unsigned st = f->state & (ST_SEQ | ST_HS_CLIENT | ST_NAMED);

	if (k->proto != PROTO_TCP) {
		if (k->proto == PROTO_UDP && !(f->state & ST_NAMED))
			goto other;
		return;
	}
	/* ST_SEQ: --app-info's TCP analysis is on (APP_TCP) */
	if ((st & ~ST_NAMED) == ST_SEQ &&
	    !(m->tcp_flags & (TH_SYN | TH_FIN | TH_RST))) {
		if (l4 == 0 || (m->notes & DECODE_NOTE_FRAGMENT) ||
		    p->caplen - l4 < 20 || th[12] < 0x50)
			goto other;
		hdrs = l4 - m->l3_off + ((uint32_t)(th[12] >> 4) << 2);
		payload = m->bytes > hdrs ? m->bytes - hdrs : 0;
		if (payload == 1 || (payload != 0 && st == ST_SEQ))
			goto other;
		sequence_fast(a, f, th, payload, m->tcp_flags,
		    (uint32_t)p->ts_us);
		return;
	}
	if (st == 0 && (m->tcp_flags & (TH_SYN | TH_ACK | TH_FIN | TH_RST)) ==
	    TH_SYN && (a->what & APP_TCP) && l4 != 0 &&
	    !(m->notes & DECODE_NOTE_FRAGMENT) && p->caplen - l4 >= 20 &&
	    th[12] >= 0x50 &&
	    m->bytes <= l4 - m->l3_off + ((uint32_t)(th[12] >> 4) << 2)) {
		syn_first(f, th, (uint32_t)p->ts_us);
		return;
	}
other:
	packet(a, p, k, m, slot);
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

PF_NOINLINE static void
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
		r->app.rtt_client_ms = ms_of(f->rtt_client_us);
		r->app.rtt_server_ms = ms_of(f->rtt_server_us);
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
	if (a->f[f->peer].peer == r->slot - 1)
		a->f[f->peer].peer = 0;
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
	char quic[64] = "";

	if (QUIC_BUILT)
		snprintf(quic, sizeof(quic), " quic_names %" PRIu64
		    " quic_lost %" PRIu64, a->quic_names, a->quic_lost);
	log_notice("app-info: names %" PRIu64 " names_dropped %" PRIu64
	    " rasm_names %" PRIu64 " rasm_full %" PRIu64 " rasm_lost %"
	    PRIu64 " handshakes %" PRIu64 " hs_lost %" PRIu64 "%s", a->names,
	    a->names_dropped, a->rasm_names, a->rasm_full, a->rasm_lost,
	    a->handshakes, a->hs_lost, quic);
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
