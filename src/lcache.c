/* Direct-mapped answer cache with a time to live (see lcache.h). */
#include <string.h>

#include "lcache.h"
#include "mem.h"

/*
 * A slot is [uint32_t expiry second][key][value], its size rounded up to
 * 4 so the expiry stays aligned; expiry 0 marks an empty slot, so a
 * stored expiry is never 0.
 */
struct lcache {
	uint8_t		*slot;
	size_t		 mask;		/* slots - 1, slots a power of two */
	size_t		 stride;
	size_t		 keylen;
	size_t		 vallen;
	uint32_t	 ttl_s;
};

static size_t
pow2(size_t n)
{
	size_t p = 1;

	while (p < n && p < ((size_t)1 << 20))
		p <<= 1;
	return p;
}

static size_t
stride(size_t keylen, size_t vallen)
{
	return (sizeof(uint32_t) + keylen + vallen + 3) & ~(size_t)3;
}

size_t
lcache_bytes(size_t slots, size_t keylen, size_t vallen)
{
	return sizeof(struct lcache) + pow2(slots) * stride(keylen, vallen);
}

/* One allocation: the struct, then the slots (4-aligned after it). */
struct lcache *
lcache_new(size_t slots, size_t keylen, size_t vallen, uint32_t ttl_s,
    const char *what)
{
	struct lcache *c;
	size_t n = pow2(slots);

	if ((c = mem_alloc(lcache_bytes(n, keylen, vallen), what)) == NULL)
		return NULL;
	c->slot = (uint8_t *)(c + 1);
	c->stride = stride(keylen, vallen);
	c->mask = n - 1;
	c->keylen = keylen;
	c->vallen = vallen;
	c->ttl_s = ttl_s != 0 ? ttl_s : 1;
	return c;
}

/* FNV-1a: keys are a few dozen bytes; a collision only costs a lookup. */
static uint8_t *
slot_of(const struct lcache *c, const void *key)
{
	const uint8_t *p = key;
	uint32_t h = 2166136261u;
	size_t i;

	for (i = 0; i < c->keylen; i++)
		h = (h ^ p[i]) * 16777619u;
	return c->slot + (h & c->mask) * c->stride;
}

static uint32_t
expiry(const uint8_t *s)
{
	uint32_t e;

	memcpy(&e, s, sizeof(e));
	return e;
}

const void *
lcache_get(const struct lcache *c, const void *key, uint32_t now_s)
{
	const uint8_t *s = slot_of(c, key);
	uint32_t e = expiry(s);

	if (e == 0 || now_s >= e ||
	    memcmp(s + sizeof(e), key, c->keylen) != 0)
		return NULL;
	return s + sizeof(e) + c->keylen;
}

void
lcache_put(struct lcache *c, const void *key, const void *val,
    uint32_t now_s)
{
	uint8_t *s = slot_of(c, key);
	uint32_t e = now_s + c->ttl_s;

	if (e == 0)
		e = 1;
	memcpy(s, &e, sizeof(e));
	memcpy(s + sizeof(e), key, c->keylen);
	memcpy(s + sizeof(e) + c->keylen, val, c->vallen);
}

void
lcache_flush(struct lcache *c)
{
	memset(c->slot, 0, (c->mask + 1) * c->stride);
}

void
lcache_free(struct lcache *c)
{
	mem_free(c);
}
