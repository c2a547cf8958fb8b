/* Unit tests for the bounded byte cursor: every width at and past the end. */
#include <stdlib.h>

#include "cursor.h"
#include "tap.h"

static const uint8_t pattern[] = {
	0x81, 0x02, 0x83, 0x04, 0x85, 0x06, 0x87, 0x08, 0x89
};

/*
 * A heap copy of exactly n bytes, so that ASan reports any read past the
 * end.  malloc(0) may return NULL; one spare byte that is never part of the
 * cursor keeps the pointer valid.
 */
static uint8_t *
copy(size_t n)
{
	uint8_t *b = malloc(n ? n : 1);

	if (b == NULL)
		abort();
	memcpy(b, pattern, n);
	return b;
}

/* Big-endian value of pattern[off .. off + w). */
static uint64_t
want_be(size_t off, size_t w)
{
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < w; i++)
		v = v << 8 | pattern[off + i];
	return v;
}

/* Read one value of width w (1, 2, 4, 8) by cursor; false if short. */
static bool
read_w(struct cursor *c, size_t w, uint64_t *v)
{
	uint8_t v8 = 0xee;
	uint16_t v16 = 0xeeee;
	uint32_t v32 = 0xeeeeeeee;
	uint64_t v64 = 0xeeeeeeeeeeeeeeeeULL;
	bool r;

	switch (w) {
	case 1:
		r = cur_u8(c, &v8);
		*v = v8;
		break;
	case 2:
		r = cur_be16(c, &v16);
		*v = v16;
		break;
	case 4:
		r = cur_be32(c, &v32);
		*v = v32;
		break;
	default:
		r = cur_be64(c, &v64);
		*v = v64;
		break;
	}
	return r;
}

static bool
peek_w(const struct cursor *c, size_t off, size_t w, uint64_t *v)
{
	uint8_t v8 = 0xee;
	uint16_t v16 = 0xeeee;
	uint32_t v32 = 0xeeeeeeee;
	uint64_t v64 = 0xeeeeeeeeeeeeeeeeULL;
	bool r;

	switch (w) {
	case 1:
		r = cur_peek_u8(c, off, &v8);
		*v = v8;
		break;
	case 2:
		r = cur_peek_be16(c, off, &v16);
		*v = v16;
		break;
	case 4:
		r = cur_peek_be32(c, off, &v32);
		*v = v32;
		break;
	default:
		r = cur_peek_be64(c, off, &v64);
		*v = v64;
		break;
	}
	return r;
}

/* The sentinel a failed read must leave in place, per width. */
static uint64_t
untouched(size_t w)
{
	return 0xeeeeeeeeeeeeeeeeULL >> (64 - 8 * w);
}

/* Buffers of w and w - 1 bytes: the read fits exactly, then is 1 short. */
static void
test_width(size_t w)
{
	struct cursor c;
	uint64_t v;
	uint8_t *b;

	b = copy(w);
	cur_init(&c, b, w);
	ok(read_w(&c, w, &v), "width %zu: fits exactly", w);
	is_int(v, want_be(0, w), "width %zu: big-endian value", w);
	is_int(cur_left(&c), 0, "width %zu: nothing left", w);
	ok(c.p == b + w, "width %zu: pointer advanced", w);
	ok(!read_w(&c, w, &v), "width %zu: read at end fails", w);
	is_int(v, untouched(w), "width %zu: output untouched", w);
	ok(c.p == b + w && cur_left(&c) == 0, "width %zu: cursor kept", w);
	free(b);

	b = copy(w - 1);
	cur_init(&c, b, w - 1);
	ok(!read_w(&c, w, &v), "width %zu: one byte short fails", w);
	is_int(v, untouched(w), "width %zu: short output untouched", w);
	ok(c.p == b && cur_left(&c) == w - 1, "width %zu: short cursor kept",
	    w);
	free(b);
}

/* Consecutive reads of width w walk the whole pattern, offset by 1. */
static void
test_walk(size_t w)
{
	struct cursor c;
	size_t off, n = sizeof(pattern);
	uint64_t v;
	uint8_t *b = copy(n);
	int good = 1;

	cur_init(&c, b, n);
	(void)cur_skip(&c, 1);
	for (off = 1; off + w <= n; off += w)
		good &= read_w(&c, w, &v) && v == want_be(off, w);
	ok(good, "width %zu: unaligned walk reads the right values", w);
	is_int(cur_left(&c), n - off, "width %zu: walk leaves the tail", w);
	ok(!read_w(&c, w, &v), "width %zu: tail too short", w);
	free(b);
}

static void
test_peek(size_t w)
{
	struct cursor c;
	size_t n = sizeof(pattern);
	uint64_t v;
	uint8_t *b = copy(n);

	cur_init(&c, b, n);
	ok(peek_w(&c, n - w, w, &v), "peek width %zu: last fit", w);
	is_int(v, want_be(n - w, w), "peek width %zu: value", w);
	ok(!peek_w(&c, n - w + 1, w, &v), "peek width %zu: 1 past", w);
	is_int(v, untouched(w), "peek width %zu: output untouched", w);
	ok(!peek_w(&c, (size_t)-1, w, &v), "peek width %zu: huge offset", w);
	ok(!peek_w(&c, n, w, &v), "peek width %zu: offset at end", w);
	ok(c.p == b && cur_left(&c) == n, "peek width %zu: cursor kept", w);
	free(b);
}

static void
test_skip_bytes(void)
{
	struct cursor c;
	uint8_t out[9], *b = copy(5);

	cur_init(&c, b, 5);
	ok(cur_need(&c, 5) && !cur_need(&c, 6), "need: 5 of 5, not 6");
	ok(cur_has(&c, 3, 2) && !cur_has(&c, 4, 2), "has: 3+2 fits, 4+2 not");
	ok(!cur_has(&c, (size_t)-1, 2) && !cur_has(&c, 2, (size_t)-1),
	    "has: no overflow on huge off or n");
	ok(!cur_skip(&c, 6), "skip past end fails");
	is_int(cur_left(&c), 5, "failed skip keeps cursor");
	ok(cur_skip(&c, 0), "skip 0");
	ok(cur_skip(&c, 2), "skip 2");
	ok(c.p == b + 2 && cur_left(&c) == 3, "skip advances both");
	memset(out, 0xee, sizeof(out));
	ok(!cur_bytes(&c, out, 4), "bytes past end fails");
	ok(out[0] == 0xee && cur_left(&c) == 3, "failed bytes: nothing copied");
	ok(cur_bytes(&c, out, 3), "bytes to the end");
	is_mem(out, 3, pattern + 2, 3, "bytes copied");
	ok(cur_left(&c) == 0 && c.p == b + 5, "bytes advanced both");
	ok(!cur_skip(&c, 1) && cur_skip(&c, 0), "at end: skip 1 fails, 0 ok");
	free(b);

	b = copy(5);
	cur_init(&c, b, 5);
	(void)cur_skip(&c, 1);
	cur_drain(&c);
	ok(cur_left(&c) == 0 && c.p == b + 5, "drain: to the end");
	ok(!cur_need(&c, 1), "drain: nothing left");
	free(b);

	cur_init(&c, NULL, 0);
	ok(!cur_need(&c, 1) && cur_need(&c, 0), "empty cursor");
}

int
main(void)
{
	static const size_t widths[] = { 1, 2, 4, 8 };
	size_t i;

	for (i = 0; i < sizeof(widths) / sizeof(widths[0]); i++) {
		test_width(widths[i]);
		test_walk(widths[i]);
		test_peek(widths[i]);
	}
	test_skip_bytes();
	return done();
}
