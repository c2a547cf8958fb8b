/*
 * Fixtures shared by the encoder's unit tests (test_nf9*.c): the IPv4
 * and IPv6 flow records their expected packets are built from,
 * big-endian readers, and a FlowSet finder.
 */
#ifndef PF_TEST_NF9_RECS_H
#define PF_TEST_NF9_RECS_H

#include <stdint.h>
#include <string.h>

#include "flow.h"

static inline unsigned
rd16(const uint8_t *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

static inline uint32_t
rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

/*
 * The FlowSet with ID id in packet p (header hdr bytes), or NULL; *len
 * is its length.  With id 0 (v9) or 2 (IPFIX): the template set.
 */
static inline const uint8_t *
set_of(const uint8_t *p, size_t n, size_t hdr, unsigned id, size_t *len)
{
	size_t off = hdr;

	while (p != NULL && off + 4 <= n) {
		*len = rd16(p + off + 2);
		if (*len < 4 || *len > n - off)
			return NULL;
		if (rd16(p + off) == id)
			return p + off;
		off += *len;
	}
	return NULL;
}

static inline struct flow_rec
rec4(void)
{
	static const uint8_t s[4] = { 192, 0, 2, 1 };
	static const uint8_t d[4] = { 198, 51, 100, 7 };
	struct flow_rec r;

	memset(&r, 0, sizeof(r));
	memcpy(r.key.src, s, 4);
	memcpy(r.key.dst, d, 4);
	r.key.ipver = 4;
	r.key.proto = 6;
	r.key.ifindex = 3;
	r.key.sport = 40000;
	r.key.dport = 443;
	r.packets = 10;
	r.bytes = 0x80000000U + 1234;
	r.first_ms = 10123;
	r.last_ms = 65000;
	r.tcp_flags = 0x1b;
	r.tos = 0x20;
	return r;
}

static inline struct flow_rec
rec6(void)
{
	struct flow_rec r;

	memset(&r, 0, sizeof(r));
	r.key.src[0] = 0x20;
	r.key.src[1] = 0x01;
	r.key.src[2] = 0x0d;
	r.key.src[3] = 0xb8;
	memcpy(r.key.dst, r.key.src, 4);
	r.key.src[15] = 1;
	r.key.dst[7] = 1;
	r.key.dst[15] = 2;
	r.key.ipver = 6;
	r.key.proto = 17;
	r.key.ifindex = 7;
	r.key.sport = 53;
	r.key.dport = 33000;
	r.packets = 3;
	r.bytes = 300;
	r.first_ms = 69000;
	r.last_ms = 69999;
	r.tos = 0xb8;
	return r;
}

#endif
