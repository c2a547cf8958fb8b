/*
 * Bounded big-endian writer over the caller's buffer: the twin of
 * cursor.h, for building wire data.  Every write checks the room left;
 * the first one that does not fit sets err and writes nothing, and so does
 * every later one, so callers check err once at the end.
 *
 * Writes are safe at any alignment and give network byte order on either
 * host order.  Never lay a struct over the buffer instead.
 */
#ifndef PF_WBUF_H
#define PF_WBUF_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct wbuf {
	uint8_t	*p;	/* next byte to write */
	uint8_t	*end;
	int	 err;	/* a write did not fit */
};

static inline void
wb_init(struct wbuf *w, uint8_t *p, size_t n)
{
	w->p = p;
	w->end = p + n;
	w->err = 0;
}

/* 1 when n more bytes fit; else 0, and err is set for good. */
static inline int
wb_room(struct wbuf *w, size_t n)
{
	if (w->err || (size_t)(w->end - w->p) < n) {
		w->err = 1;
		return 0;
	}
	return 1;
}

/*
 * Big-endian stores at p, unchecked (the caller has the room): on a
 * little-endian host the value is byte-swapped, then copied whole, as p
 * may be unaligned.  wb_host_little() folds to a constant and the shifts
 * of the swaps to one instruction, so a store is two or three
 * instructions; byte-by-byte stores are merged less reliably (gcc 12 did
 * not, next to other code).
 */
static inline int
wb_host_little(void)
{
	const uint16_t one = 1;
	uint8_t b;

	memcpy(&b, &one, 1);
	return b;
}

static inline uint32_t
wb_swap32(uint32_t v)
{
	v = v << 16 | v >> 16;
	return (v & 0x00ff00ffU) << 8 | (v >> 8 & 0x00ff00ffU);
}

static inline void
wb_store_be64(uint8_t *p, uint64_t v)
{
	if (wb_host_little())
		v = (uint64_t)wb_swap32((uint32_t)v) << 32 |
		    wb_swap32((uint32_t)(v >> 32));
	memcpy(p, &v, 8);
}

static inline void
wb_store_be32(uint8_t *p, uint32_t v)
{
	if (wb_host_little())
		v = wb_swap32(v);
	memcpy(p, &v, 4);
}

static inline void
wb_store_be16(uint8_t *p, uint16_t v)
{
	if (wb_host_little())
		v = (uint16_t)(v << 8 | v >> 8);
	memcpy(p, &v, 2);
}

/* The low n bytes of v, most significant first; beyond 8, zeros first. */
static inline void
wb_uint(struct wbuf *w, uint64_t v, size_t n)
{
	uint8_t *p = w->p;

	if (!wb_room(w, n))
		return;
	w->p += n;
	switch (n) {
	case 1:
		p[0] = (uint8_t)v;
		return;
	case 2:
		wb_store_be16(p, (uint16_t)v);
		return;
	case 4:
		wb_store_be32(p, (uint32_t)v);
		return;
	case 8:
		wb_store_be64(p, v);
		return;
	}
	for (; n > 8; n--)
		*p++ = 0;
	while (n-- > 0)
		*p++ = (uint8_t)(v >> (n * 8));
}

static inline void
wb_be16(struct wbuf *w, size_t v)
{
	wb_uint(w, v, 2);
}

static inline void
wb_bytes(struct wbuf *w, const uint8_t *src, size_t n)
{
	if (!wb_room(w, n))
		return;
	memcpy(w->p, src, n);
	w->p += n;
}

static inline void
wb_zero(struct wbuf *w, size_t n)
{
	if (!wb_room(w, n))
		return;
	memset(w->p, 0, n);
	w->p += n;
}

#endif
