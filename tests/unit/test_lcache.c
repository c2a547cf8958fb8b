/* Unit tests for the answer cache: hits, misses, time to live, flush. */
#include <stdint.h>
#include <string.h>

#include "lcache.h"
#include "mem.h"
#include "tap.h"

struct key {
	uint32_t	a;
	uint8_t		b[12];
};

static struct key
key(uint32_t a)
{
	struct key k;

	memset(&k, 0, sizeof(k));
	k.a = a;
	return k;
}

static uint32_t
val(const void *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

int
main(void)
{
	struct lcache *c;
	struct key k;
	uint32_t v, i, hits;
	const void *p;

	mem_init(MEM_UNLIMITED);
	c = lcache_new(8, sizeof(struct key), sizeof(uint32_t), 10, "test");
	ok(c != NULL, "created");
	k = key(1);
	ok(lcache_get(c, &k, 100) == NULL, "empty: a miss");
	v = 77;
	lcache_put(c, &k, &v, 100);
	p = lcache_get(c, &k, 100);
	ok(p != NULL && val(p) == 77, "a hit after put");
	p = lcache_get(c, &k, 109);
	ok(p != NULL, "still there just before the time to live");
	ok(lcache_get(c, &k, 110) == NULL, "gone once it has passed");
	k.b[11] = 1;
	ok(lcache_get(c, &k, 100) == NULL, "a key differing in one byte: miss");

	/* 8 slots, 100 keys: each key is either its own or a miss. */
	for (i = 0; i < 100; i++) {
		k = key(i);
		lcache_put(c, &k, &i, 200);
	}
	for (i = 0, hits = 0; i < 100; i++) {
		k = key(i);
		p = lcache_get(c, &k, 200);
		if (p != NULL && val(p) != i)
			break;
		hits += p != NULL;
	}
	is_int(i, 100, "never another key's answer");
	ok(hits >= 1 && hits <= 8, "at most one answer a slot (%u kept)",
	    (unsigned)hits);
	k = key(99);
	ok(lcache_get(c, &k, 200) != NULL, "the latest put is kept");
	lcache_flush(c);
	ok(lcache_get(c, &k, 200) == NULL, "flushed: a miss");
	lcache_free(c);
	is_int(mem_used(), 0, "all memory returned");

	mem_init(lcache_bytes(1024, sizeof(struct key), 4) - 1);
	ok(lcache_new(1024, sizeof(struct key), 4, 10, "big") == NULL,
	    "refused when over the budget");
	return done();
}
