/* Flow table: a record pool, a seeded open-addressing index, class lists. */

/*
 * Design note.
 *
 * Records.  A flow lives in a struct fentry: the contract record (struct
 * flow_rec, 88 bytes wherever uint64_t is 8-aligned, LP64 and 32-bit MIPS
 * and ARM alike) followed by its list links, 96 bytes in all.  The links are
 * 32-bit entry indices rather than pointers (half the size on LP64); the
 * class needs 3 bits and shares a word with prev, which caps the pool at
 * 2^28 entries, well above FLOWTAB_MAX_FLOWS.  The pool is one array of
 * max_flows entries followed by FLOWTAB_NCLASS list heads (sentinels), so
 * each class list is circular and linking or unlinking never tests for an
 * empty list or an end, nor needs to know which list it is on.
 *
 * Unused entries come from a high-water mark, freed ones from a LIFO free
 * list threaded through next.  flowtab_new() therefore writes no record
 * memory: the zeroed pages stay untouched until flows arrive, and a freed
 * entry, likely still in cache, is the first reused.
 *
 * Index.  Open addressing with linear probing over nslots = n + n/2 + 1
 * slots of 8 bytes: {32-bit hash, entry index + 1}, where 0 marks an empty
 * slot, so the zeroed allocation is an empty index.  When the table is full
 * the load is 2/3: a hit reads 2 slots and a miss 5 on average (Knuth,
 * TAOCP 6.4), 16 to 40 bytes, mostly one cache line.  Keeping the hash in
 * the slot means a probe reads a record, the likely cache miss, only when
 * all 32 bits match, and deletion finds each slot's home without rehashing.
 *
 * The home slot is (hash * nslots) >> 32 (Lemire's multiply-shift range
 * reduction) rather than hash & (nslots - 1), so nslots need not be a power
 * of two: the index is 12 bytes per flow at every size instead of jumping
 * between 8 and 16 at each power of two, and flowtab_bytes() is linear in
 * max_flows, which makes turning a -M budget into a flow count exact.  The
 * cost is one 32x32->64 multiply per lookup.
 *
 * Deletion shifts later members of the cluster back into the hole when
 * their home allows (Knuth's Algorithm R), so there are no tombstones and
 * probe lengths under any amount of churn stay those of a table built
 * afresh with the same flows.
 *
 * Hash.  NH, the universal hash inside UMAC (RFC 4418): the 44-byte key as
 * twelve 32-bit words w (the last zero), h = sum of (w[2i] + k[2i]) *
 * (w[2i+1] + k[2i+1]) mod 2^64, with the words k derived from the seed.  Two
 * different keys collide with probability at most 2^-32 over the choice of
 * seed, whatever the keys, so a sender who does not know the seed cannot aim
 * packets at one cluster.  In an IPv4 key 24 of the address bytes are zero
 * by contract (flow.h), so only the five words that can vary are hashed, as
 * three terms with six key words of their own; the two forms share no key
 * words, so an IPv4 key and an IPv6 key are as unlikely to collide as any
 * two others.  That is three or six 32x32->64 multiplies, one instruction
 * each on 32-bit MIPS (multu) as on 64-bit CPUs, where SipHash would need
 * 64-bit adds and rotates that a 32-bit router does in pairs.  The low bits
 * of NH depend only on the low bits of its inputs, so h is folded to 32 bits
 * and put through the murmur3 finalizer (a bijection) before use.  Words are
 * read in host order: slot positions differ between big- and little-endian
 * hosts, which is harmless since nothing else depends on the hash.
 *
 * A new flow is looked up, missed, then inserted; the table remembers the
 * last key it missed with its hash, so such a flow is hashed once.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "flowtab.h"
#include "mem.h"
#include "util.h"

#define KEY_WORDS	12		/* flow_key as 32-bit words, padded */
#define NH_WORDS	(KEY_WORDS + 6)	/* key words: full form, IPv4 form */
#define IDX_BITS	28		/* width of fentry.prev */
#define FREE_END	UINT32_MAX	/* end of the free list */

/* C99 has no static_assert: a negative array size stops the build. */
typedef char key_fits_words[sizeof(struct flow_key) <= KEY_WORDS * 4 ? 1 : -1];
typedef char pool_fits_idx[FLOWTAB_MAX_FLOWS + FLOWTAB_NCLASS <
    ((size_t)1 << IDX_BITS) ? 1 : -1];

struct fentry {
	struct flow_rec	rec;
	uint32_t	next;		/* list successor, or free list link */
	unsigned int	prev : IDX_BITS;	/* list predecessor */
	unsigned int	cls : 32 - IDX_BITS;	/* enum flowtab_class */
};

struct fslot {
	uint32_t	hash;
	uint32_t	ent;		/* entry index + 1; 0 = empty */
};

struct flowtab {
	struct fentry	*ent;		/* max entries, then NCLASS heads */
	struct fslot	*slot;
	uint32_t	 nslots;	/* > max, so a probe always ends */
	uint32_t	 max;
	uint32_t	 count;
	uint32_t	 hwm;		/* entries [0, hwm) have been used */
	uint32_t	 freelist;	/* FREE_END if empty */
	uint32_t	 k[NH_WORDS];	/* NH key */
	/*
	 * The last key flowtab_find() missed and its hash: a new flow is
	 * looked up and then inserted, and this saves hashing it twice.
	 */
	uint32_t	 miss_hash;
	struct flow_key	 miss_key;
};

static size_t
index_slots(size_t max_flows)
{
	return max_flows + max_flows / 2 + 1;
}

size_t
flowtab_bytes(size_t max_flows)
{
	if (max_flows == 0)
		return 0;
	if (max_flows > FLOWTAB_MAX_FLOWS)
		return SIZE_MAX;
	return sizeof(struct flowtab) +
	    (max_flows + FLOWTAB_NCLASS) * sizeof(struct fentry) +
	    index_slots(max_flows) * sizeof(struct fslot);
}

size_t
flowtab_bytes_per_flow(void)
{
	return sizeof(struct fentry) + sizeof(struct fslot) * 3 / 2;
}

size_t
flowtab_max_flows(size_t budget)
{
	size_t lo = 0, hi = FLOWTAB_MAX_FLOWS;

	/* flowtab_bytes() is nondecreasing: find the last n that fits. */
	while (lo < hi) {
		size_t mid = hi - (hi - lo) / 2;


		if (flowtab_bytes(mid) <= budget)
			lo = mid;
		else
			hi = mid - 1;
	}
	return lo;
}

/* splitmix64 (Steele et al.): spreads one seed over the NH key words. */
static uint64_t
splitmix64(uint64_t *s)
{
	uint64_t z;

	z = (*s += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* One NH term: (a + key word i) * (b + key word i + 1), 64-bit. */
#define NH(a, b, k, i) \
	((uint64_t)(uint32_t)((a) + (k)[i]) * (uint32_t)((b) + (k)[(i) + 1]))

/* NH over the key, folded and finalized; see the design note. */
static uint32_t
key_hash(const struct flowtab *t, const struct flow_key *key)
{
	const uint32_t *k = t->k;
	uint32_t w[KEY_WORDS], x;
	uint64_t h;

	w[KEY_WORDS - 1] = 0;
	memcpy(w, key, sizeof(*key));
	/* Unrolled by hand: -O2 keeps a loop, at 10 instructions a term. */
	if (key->ipver == 4)
		h = NH(w[0], w[4], k, KEY_WORDS) +
		    NH(w[8], w[9], k, KEY_WORDS + 2) +
		    NH(w[10], 0, k, KEY_WORDS + 4);
	else
		h = NH(w[0], w[1], k, 0) + NH(w[2], w[3], k, 2) +
		    NH(w[4], w[5], k, 4) + NH(w[6], w[7], k, 6) +
		    NH(w[8], w[9], k, 8) + NH(w[10], w[11], k, 10);
	x = (uint32_t)h ^ (uint32_t)(h >> 32);
	x ^= x >> 16;
	x *= 0x85ebca6bU;
	x ^= x >> 13;
	x *= 0xc2b2ae35U;
	x ^= x >> 16;
	return x;
}

struct flowtab *
flowtab_new(size_t max_flows, uint64_t seed)
{
	struct flowtab *t;
	uint32_t c;
	int i;

	if (max_flows == 0 || max_flows > FLOWTAB_MAX_FLOWS) {
		errno = EINVAL;
		return NULL;
	}
	if ((t = mem_alloc(sizeof(*t), "flow table")) == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	t->ent = mem_alloc((max_flows + FLOWTAB_NCLASS) * sizeof(*t->ent),
	    "flow records");
	t->slot = mem_alloc(index_slots(max_flows) * sizeof(*t->slot),
	    "flow index");
	if (t->ent == NULL || t->slot == NULL) {
		flowtab_free(t);
		errno = ENOMEM;
		return NULL;
	}
	t->max = (uint32_t)max_flows;
	t->nslots = (uint32_t)index_slots(max_flows);
	t->freelist = FREE_END;
	for (c = 0; c < FLOWTAB_NCLASS; c++) {
		uint32_t head = t->max + c;

		t->ent[head].next = head;
		t->ent[head].prev = head;
		t->ent[head].cls = c;
	}
	for (i = 0; i < NH_WORDS; i++)
		t->k[i] = (uint32_t)(splitmix64(&seed) >> 32);
	/* The memo always holds a key and its hash; start with all zeros. */
	t->miss_hash = key_hash(t, &t->miss_key);
	return t;
}

void
flowtab_free(struct flowtab *t)
{
	if (t == NULL)
		return;
	mem_free(t->slot);
	mem_free(t->ent);
	mem_free(t);
}

size_t
flowtab_count(const struct flowtab *t)
{
	return t->count;
}

size_t
flowtab_capacity(const struct flowtab *t)
{
	return t->max;
}

static uint32_t
home_slot(const struct flowtab *t, uint32_t hash)
{
	return (uint32_t)(((uint64_t)hash * t->nslots) >> 32);
}

static int
key_eq(const struct flow_key *a, const struct flow_key *b)
{
	return memcmp(a, b, sizeof(*a)) == 0;
}

struct flow_rec *
flowtab_find(struct flowtab *t, const struct flow_key *key)
{
	uint32_t h, i;

	h = key_hash(t, key);
	i = home_slot(t, h);
	for (;;) {
		const struct fslot *s = &t->slot[i];

		if (s->ent == 0) {
			t->miss_hash = h;
			t->miss_key = *key;
			return NULL;
		}
		if (s->hash == h && key_eq(&t->ent[s->ent - 1].rec.key, key))
			return &t->ent[s->ent - 1].rec;
		if (++i == t->nslots)
			i = 0;
	}
}

static void
list_unlink(struct flowtab *t, uint32_t i)
{
	struct fentry *e = &t->ent[i];

	t->ent[e->prev].next = e->next;
	t->ent[e->next].prev = e->prev;
}

static void
list_add_tail(struct flowtab *t, uint32_t i, enum flowtab_class cls)
{
	struct fentry *e = &t->ent[i], *head = &t->ent[t->max + cls];

	e->next = t->max + cls;
	e->prev = head->prev;
	e->cls = cls;
	t->ent[head->prev].next = i;
	head->prev = i;
}

struct flow_rec *
flowtab_insert(struct flowtab *t, const struct flow_key *key,
    enum flowtab_class cls)
{
	struct fentry *e;
	uint32_t idx, h, i;

	if (t->count == t->max)
		return NULL;
	if (t->freelist != FREE_END) {
		idx = t->freelist;
		t->freelist = t->ent[idx].next;
	} else
		idx = t->hwm++;
	e = &t->ent[idx];
	memset(&e->rec, 0, sizeof(e->rec));
	e->rec.key = *key;
	list_add_tail(t, idx, cls);

	/* The key is absent, so the first empty slot is its place. */
	h = key_eq(key, &t->miss_key) ? t->miss_hash : key_hash(t, key);
	for (i = home_slot(t, h); t->slot[i].ent != 0; )
		if (++i == t->nslots)
			i = 0;
	t->slot[i].hash = h;
	t->slot[i].ent = idx + 1;
	t->count++;
	return &e->rec;
}

void
flowtab_touch(struct flowtab *t, struct flow_rec *rec, enum flowtab_class cls)
{
	struct fentry *e = CONTAINER_OF(rec, struct fentry, rec);
	uint32_t i;

	/*
	 * Only the tail of list cls has that list's head as successor: a
	 * burst of one flow costs one compare.
	 */
	if (e->next == t->max + cls)
		return;
	i = (uint32_t)(e - t->ent);
	list_unlink(t, i);
	list_add_tail(t, i, cls);
}

struct flow_rec *
flowtab_oldest(struct flowtab *t, enum flowtab_class cls)
{
	uint32_t head = t->max + cls, first = t->ent[head].next;

	return first == head ? NULL : &t->ent[first].rec;
}

enum flowtab_class
flowtab_class_of(const struct flowtab *t, const struct flow_rec *rec)
{
	const struct fentry *e = CONTAINER_OF(rec, const struct fentry, rec);

	(void)t;
	return (enum flowtab_class)e->cls;
}

/*
 * Free slot hole by walking the rest of its cluster: the slot at j stays if
 * its home lies cyclically in (hole, j], since moving it before its home
 * would hide it; otherwise it moves back into the hole, and the hole moves
 * to j.  The last hole becomes empty.
 */
static void
index_delete(struct flowtab *t, uint32_t hole)
{
	uint32_t j = hole;

	for (;;) {
		uint32_t h;

		if (++j == t->nslots)
			j = 0;
		if (t->slot[j].ent == 0)
			break;
		h = home_slot(t, t->slot[j].hash);
		if (hole <= j ? (hole < h && h <= j) : (hole < h || h <= j))
			continue;
		t->slot[hole] = t->slot[j];
		hole = j;
	}
	t->slot[hole].hash = 0;
	t->slot[hole].ent = 0;
}

void
flowtab_remove(struct flowtab *t, struct flow_rec *rec)
{
	struct fentry *e = CONTAINER_OF(rec, struct fentry, rec);
	uint32_t idx = (uint32_t)(e - t->ent), i;

	i = home_slot(t, key_hash(t, &rec->key));
	while (t->slot[i].ent != idx + 1) {
		if (t->slot[i].ent == 0)
			return;		/* not in the table: caller bug */
		if (++i == t->nslots)
			i = 0;
	}
	index_delete(t, i);
	list_unlink(t, idx);
	e->next = t->freelist;
	t->freelist = idx;
	t->count--;
}

uint64_t
flowtab_probe_stats(const struct flowtab *t, uint32_t *max)
{
	uint64_t sum = 0;
	uint32_t i, h, d, dmax = 0;

	for (i = 0; i < t->nslots; i++) {
		if (t->slot[i].ent == 0)
			continue;
		h = home_slot(t, t->slot[i].hash);
		d = i >= h ? i - h : i + t->nslots - h;
		sum += d;
		dmax = MAX(dmax, d);
	}
	if (max != NULL)
		*max = dmax;
	return sum;
}
