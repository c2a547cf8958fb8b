/*
 * A message built up byte by byte for the parsers' tests (test_appname,
 * test_quic, and tests/integration/quic_seal.c): big-endian numbers
 * appended, and an abort rather than an overflow.
 */
#ifndef PF_TEST_MSG_BUILD_H
#define PF_TEST_MSG_BUILD_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct msg {
	uint8_t		b[4096];
	size_t		n;
};

static inline void
put(struct msg *m, const void *p, size_t n)
{
	if (m->n + n > sizeof(m->b))
		abort();
	memcpy(m->b + m->n, p, n);
	m->n += n;
}

static inline void
put8(struct msg *m, unsigned v)
{
	uint8_t b = (uint8_t)v;

	put(m, &b, 1);
}

static inline void
put16(struct msg *m, unsigned v)
{
	put8(m, v >> 8);
	put8(m, v);
}

static inline void
put24(struct msg *m, size_t v)
{
	put8(m, (unsigned)(v >> 16));
	put16(m, (unsigned)(v & 0xffff));
}

#endif
