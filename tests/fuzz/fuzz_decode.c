/*
 * libFuzzer target for decode_packet(), also linked with replay.c for a
 * plain build.
 *
 * Input: byte 0 picks the link type, dlts[byte 0 % 14]; the rest is the
 * frame, with caplen = wirelen = its length.  The frame is then decoded a
 * second time with wirelen larger than caplen by 1 + 256 * (input byte 1),
 * as a snap length would leave it.  tests/fuzz/mkseeds.py writes seeds in
 * this format and must keep the same table.
 */
#include <stdlib.h>
#include <string.h>

#include "decode.h"

#define IFINDEX		7
#define FRAME_MAX	(1u << 20)

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * Every supported link type, one that is not (LINKTYPE_USER0), then Cisco
 * HDLC and PPP_SERIAL, added after the corpus had seeds: byte 0 values
 * below 12 keep their link type.
 */
static const int dlts[14] = { 1, 0, 108, 9, 12, 14, 101, 228, 229, 113, 276,
    147, 104, 50 };

#define CHECK(cond)	do { if (!(cond)) abort(); } while (0)

static int
zero(const uint8_t *p, size_t n)
{
	while (n > 0)
		if (p[--n] != 0)
			return 0;
	return 1;
}

static int
has_ports(uint8_t proto)
{
	return proto == 6 || proto == 17 || proto == 132 || proto == 136;
}

/* What must hold for any frame that decoded. */
static void
check_ok(const struct flow_key *k, const struct pkt_meta *m)
{
	CHECK(k->ipver == 4 || k->ipver == 6);
	CHECK(k->ifindex == IFINDEX);
	CHECK(k->pad == 0 && k->direction == 0 && m->pad == 0);
	if (k->ipver == 4)
		CHECK(zero(k->src + 4, 12) && zero(k->dst + 4, 12));
	CHECK((m->notes & ~0x0f) == 0);
	/* wirelen >= caplen, so even a length taken from the frame covers
	 * the fixed header */
	CHECK(m->bytes >= (k->ipver == 4 ? 20u : 40u));
	if (!(m->notes & DECODE_NOTE_LEN_FRAME))
		CHECK(m->bytes <= 65535u + (k->ipver == 6 ? 40u : 0u));
	if (m->notes & (DECODE_NOTE_L4_TRUNC | DECODE_NOTE_EXT_TRUNC))
		CHECK(k->sport == 0 && k->dport == 0 && m->tcp_flags == 0);
	if (m->notes & DECODE_NOTE_EXT_TRUNC)
		CHECK(k->ipver == 6);
	if (m->tcp_flags != 0)
		CHECK(k->proto == 6);
	if (k->sport != 0)
		CHECK(has_ports(k->proto));
	if (k->dport != 0)
		CHECK(has_ports(k->proto) || k->proto == 1 || k->proto == 58);
}

static enum decode_result
run(struct pkt *p, struct flow_key *k, struct pkt_meta *m)
{
	enum decode_result r;

	r = decode_packet(p, k, m);
	CHECK((unsigned)r < DECODE_RESULT_MAX);
	CHECK(decode_result_name(r) != NULL);
	CHECK((r == DECODE_SKIP_LINKTYPE) == !decode_dlt_supported(p->dlt));
	if (r == DECODE_OK)
		check_ok(k, m);
	return r;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct flow_key k1, k2;
	struct pkt_meta m1, m2;
	enum decode_result r1, r2;
	struct pkt p;
	uint32_t extra;

	if (size < 1 || size - 1 > FRAME_MAX)
		return 0;
	memset(&p, 0, sizeof(p));
	p.dlt = dlts[data[0] % 14];
	p.data = data + 1;
	p.caplen = p.wirelen = (uint32_t)(size - 1);
	p.ifindex = IFINDEX;
	r1 = run(&p, &k1, &m1);
	if (size < 2)
		return 0;

	/* Same frame cut by a snap length: only a length taken from the
	 * frame may change, and by exactly the extra wire bytes. */
	extra = 1 + ((uint32_t)data[1] << 8);
	p.wirelen += extra;
	r2 = run(&p, &k2, &m2);
	CHECK(r1 == r2);
	if (r1 != DECODE_OK)
		return 0;
	CHECK(memcmp(&k1, &k2, sizeof(k1)) == 0);
	CHECK(m1.notes == m2.notes && m1.tos == m2.tos &&
	    m1.tcp_flags == m2.tcp_flags);
	if (m1.notes & DECODE_NOTE_LEN_FRAME)
		CHECK(m2.bytes == m1.bytes + extra);
	else
		CHECK(m2.bytes == m1.bytes);
	return 0;
}
