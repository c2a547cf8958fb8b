/*
 * Bounded byte cursor for parsing wire data: every read checks what is left
 * first and then advances the pointer and the count together.
 *
 * Reads go byte by byte with shifts, so they are safe at any alignment (MIPS
 * traps on unaligned loads) and give host-order values on either byte order.
 * Never cast the bytes to a struct instead.
 *
 * Every function that can run short returns a bool: true when the bytes were
 * there, false when they were not, and then neither the cursor nor the output
 * is touched.  bool rather than 0/-1 so that "if (cur_u8(...) < 0)", which
 * would never be true, draws a -Wbool-compare warning instead of passing.
 * Chain reads with && and treat any false as "truncated".
 */
#ifndef PF_CURSOR_H
#define PF_CURSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/*
 * Forced inline: at -Os (OpenWrt's default) gcc otherwise makes these real
 * calls, which costs the packet path about three times its instructions.
 */
#if defined(__GNUC__) || defined(__clang__)
#define CUR_INLINE	static inline __attribute__((always_inline))
#else
#define CUR_INLINE	static inline
#endif

struct cursor {
	const uint8_t	*p;	/* next unread byte */
	size_t		 left;	/* bytes from p to the end */
};

/* Big-endian values of bytes already known to be there. */
CUR_INLINE uint16_t
be16_at(const uint8_t *b)
{
	return (uint16_t)(b[0] << 8 | b[1]);
}

/* Widen first: b[0] << 24 as int overflows for b[0] >= 0x80. */
CUR_INLINE uint32_t
be32_at(const uint8_t *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
	    (uint32_t)b[2] << 8 | b[3];
}

CUR_INLINE void
cur_init(struct cursor *c, const void *buf, size_t len)
{
	c->p = buf;
	c->left = len;
}

CUR_INLINE size_t
cur_left(const struct cursor *c)
{
	return c->left;
}

/* True if at least n more bytes can be read. */
CUR_INLINE bool
cur_need(const struct cursor *c, size_t n)
{
	return n <= c->left;
}

/* True if n bytes are there starting off bytes ahead; no overflow for any
 * off and n. */
CUR_INLINE bool
cur_has(const struct cursor *c, size_t off, size_t n)
{
	return n <= c->left && off <= c->left - n;
}

CUR_INLINE bool
cur_skip(struct cursor *c, size_t n)
{
	if (n > c->left)
		return false;
	c->p += n;
	c->left -= n;
	return true;
}

/*
 * Consume everything that is left.  For a length field that points past the
 * end of the capture: every later read then fails, as it should.
 */
CUR_INLINE void
cur_drain(struct cursor *c)
{
	c->p += c->left;
	c->left = 0;
}

/* Peeks read off bytes ahead without moving the cursor. */
CUR_INLINE bool
cur_peek_u8(const struct cursor *c, size_t off, uint8_t *v)
{
	if (off >= c->left)
		return false;
	*v = c->p[off];
	return true;
}

CUR_INLINE bool
cur_peek_be16(const struct cursor *c, size_t off, uint16_t *v)
{
	if (!cur_has(c, off, 2))
		return false;
	*v = be16_at(c->p + off);
	return true;
}

CUR_INLINE bool
cur_peek_be32(const struct cursor *c, size_t off, uint32_t *v)
{
	if (!cur_has(c, off, 4))
		return false;
	*v = be32_at(c->p + off);
	return true;
}

CUR_INLINE bool
cur_peek_be64(const struct cursor *c, size_t off, uint64_t *v)
{
	uint32_t hi, lo;

	if (!cur_has(c, off, 8))
		return false;
	(void)cur_peek_be32(c, off, &hi);
	(void)cur_peek_be32(c, off + 4, &lo);
	*v = (uint64_t)hi << 32 | lo;
	return true;
}

CUR_INLINE bool
cur_u8(struct cursor *c, uint8_t *v)
{
	return cur_peek_u8(c, 0, v) && cur_skip(c, 1);
}

CUR_INLINE bool
cur_be16(struct cursor *c, uint16_t *v)
{
	return cur_peek_be16(c, 0, v) && cur_skip(c, 2);
}

CUR_INLINE bool
cur_be32(struct cursor *c, uint32_t *v)
{
	return cur_peek_be32(c, 0, v) && cur_skip(c, 4);
}

CUR_INLINE bool
cur_be64(struct cursor *c, uint64_t *v)
{
	return cur_peek_be64(c, 0, v) && cur_skip(c, 8);
}

/* Copy n bytes out, e.g. an address that is kept as bytes. */
CUR_INLINE bool
cur_bytes(struct cursor *c, void *dst, size_t n)
{
	if (n > c->left)
		return false;
	memcpy(dst, c->p, n);
	c->p += n;
	c->left -= n;
	return true;
}

#endif
