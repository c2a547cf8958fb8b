/* Flow table: a record pool, a seeded open-addressing index, class lists. */

/*
 * Design note.
 *
 * Records.  The table does not store struct flow_rec (104 bytes): a flow
 * lives in a 44-byte struct flowtab_ent, the same size and layout on every
 * ABI (fields in size order, no padding, 4-aligned), and is turned into a
 * flow_rec only when it leaves (flowtab_get()).  The key takes 26 bytes:
 * IPv4 addresses 4 + 4, ports, protocol, direction, ifindex; ipver is one
 * bit.  Counters: 32-bit packets and bytes.  expire.c ends the record,
 * FLOW_END_ACTIVE, before either would pass 2^32 - 1, as the export's
 * 4-byte counters need anyway (nf9_fields.h): at 1 Gbit/s that is every
 * 34 s, at 1.49 Mpps every 48 minutes.  first/last are 32-bit ms
 * offsets from a table epoch, the time of the insert that found the table
 * empty: the probe flushes the table before every clock rebase
 * (CLOCK_REBASE_MS = 2^31 ms, probe.c rebase()), so offsets stay below
 * 2^32; later times clamp rather than wrap.  List links are 32-bit entry
 * indices; prev shares a word with the class (3 bits) and the IPv6 bit.
 *
 * Units.  The pool is an array of 44-byte units.  An IPv4 flow takes one;
 * an IPv6 flow takes two, the second holding its 32 address bytes (the
 * first's address field holds that unit's index).  max_flows (-m) counts
 * units, so the memory per unit is fixed and flowtab_bytes() stays exact
 * and linear: 44 + 6 (index) = 50 bytes per IPv4 flow, 100 per IPv6 flow,
 * 54 on a 92/8 IPv4/IPv6 mix such as the benchmark trace.  When an IPv6
 * flow finds one unit free, expire pushes out up to two flows
 * (EXPIRE_PACKET_MAX is 2).
 *
 * An empty table takes any flow, so one spare unit beyond max_flows lets
 * even a 1-unit table hold an IPv6 flow: expire can always make room, and
 * no packet goes unaccounted.
 *
 * The pool is FLOWTAB_NCLASS list heads (sentinels) followed by
 * max_flows + 1 units, so each class list is circular and linking or
 * unlinking never tests for an empty list or an end, nor needs to know
 * which list it is on.  The head of class c is unit c: whether a flow is
 * the tail of its list, which every packet asks (flowtab_touch()), is one
 * compare inline, with no table in hand.
 *
 * Unused units come from a high-water mark, freed ones from a LIFO free
 * list threaded through next.  flowtab_new() therefore writes no record
 * memory: the zeroed pages stay untouched until flows arrive, and a freed
 * unit, likely still in cache, is the first reused.
 *
 * Index.  Open addressing with linear probing in Robin Hood order over
 * nslots = n + n/2 + 1 32-bit slots (n units): the entry index + 1 (25
 * bits), where 0 marks an empty slot, so the zeroed allocation is an empty
 * index; above it 4 bits of the hash (the tag) and 3 bits of
 * displacement, the slot's distance from its home slot (7: 7 or more).
 * Robin Hood (Celis, 1986): an insert walking from its home takes the
 * first slot whose occupant is nearer its own home, and that occupant
 * walks on instead.  Along any run of slots displacements then never
 * drop by more than one, so a lookup stops at the first slot nearer its
 * home than the key would be, and a delete shifts back only the slots up
 * to the first one at its home.  When the table is full of IPv4 flows
 * the load is 2/3: a hit reads 2 slots on average (Knuth, TAOCP 6.4), a
 * miss 2.4 (5 in first-come order), a delete shifts 3 (measured), all
 * within a cache line or two.  A probe reads an entry, the likely cache
 * miss, only for a slot with its home and its tag: the home alone shuts
 * out the slots pushed there from earlier homes, the tag 15 in 16 of the
 * others.  The 0.5 % of slots 7 or more from home (at load 2/3) have their
 * entry's key rehashed when an insert or a delete needs their exact
 * distance.

 * The home slot is (hash * nslots) >> 32 (Lemire's multiply-shift range
 * reduction) rather than hash & (nslots - 1), so nslots need not be a power
 * of two: the index is 6 bytes per unit at every size instead of jumping
 * between 4 and 8 at each power of two, and flowtab_bytes() is linear in
 * max_flows, which makes turning a -M budget into a flow count exact.  The
 * cost is one 32x32->64 multiply per lookup.
 *
 * Deletion shifts later members of the run back into the hole (Knuth's
 * Algorithm R), so there are no tombstones and probe lengths under any
 * amount of churn stay those of a table built afresh with the same flows.
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
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "flowtab.h"
#include "mem.h"
#include "util.h"

#define KEY_WORDS	12		/* flow_key as 32-bit words, padded */
#define NH_WORDS	(KEY_WORDS + 6)	/* key words: full form, IPv4 form */
#define FREE_END	UINT32_MAX	/* end of the free list */
#define PREV_MASK	0x01ffffffu	/* flowtab_ent.link: prev, 25 bits */
#define CLS_SHIFT	FLOWTAB_CLS_SHIFT	/* ... class, 3 bits */
#define V6_BIT		0x80000000u	/* ... IPv6 flow: addr holds a unit */
#define SLOT_IDX	0x01ffffffu	/* slot: entry index + 1, 25 bits */
#define SLOT_TAG	0x1e000000u	/* ... 4 bits of the hash */
#define DISP_SHIFT	29		/* ... displacement, 3 bits */
#define DISP_FAR	7u		/* displacement 7 or more */
#define DISP_BITS	(DISP_FAR << DISP_SHIFT)

/* C99 has no static_assert: a negative array size stops the build. */
typedef char key_fits_words[sizeof(struct flow_key) <= KEY_WORDS * 4 ? 1 : -1];
typedef char pool_fits_idx[FLOWTAB_MAX_FLOWS + 1 + FLOWTAB_NCLASS <=
    PREV_MASK ? 1 : -1];

/* A pool unit: a flow, or the addresses of an IPv6 flow. */
union unit {
	struct flowtab_ent	e;
	uint8_t			a6[32];	/* src, dst */
};

typedef char ent_is_44[sizeof(union unit) == 44 ? 1 : -1];
/* flowtab_index_at() counts in entries: they must be whole units */
typedef char ent_is_unit[sizeof(union unit) == sizeof(struct flowtab_ent) ?
    1 : -1];

/* ifindex, then sport and dport: 8 bytes in a row in a key and an entry. */
#define PORTS_KEY	offsetof(struct flow_key, ifindex)
#define PORTS_ENT	offsetof(struct flowtab_ent, ifindex)
typedef char ports_line_up[offsetof(struct flow_key, sport) == PORTS_KEY + 4
    && offsetof(struct flowtab_ent, sport) == PORTS_ENT + 4 &&
    offsetof(struct flow_key, dport) == PORTS_KEY + 6 &&
    offsetof(struct flowtab_ent, dport) == PORTS_ENT + 6 ? 1 : -1];

struct flowtab {
	union unit	*u;		/* NCLASS heads, max + SPARE units */
	uint32_t	*slot;		/* tag | entry index + 1; 0 = empty */
	uint64_t	 epoch;		/* ms; times are kept relative to it */
	uint32_t	 nslots;	/* > max, so a probe always ends */
	uint32_t	 max;
	uint32_t	 count;		/* flows */
	uint32_t	 used;		/* units */
	uint32_t	 hwm;		/* units [NCLASS, hwm) have been used */
	uint32_t	 freelist;	/* FREE_END if empty */
	uint32_t	 k[NH_WORDS];	/* NH key */
	/*
	 * The last key flowtab_find() missed and its hash: a new flow is
	 * looked up and then inserted, and this saves hashing it twice.
	 */
	uint32_t	 miss_hash;
	struct flow_key	 miss_key;
	int		 miss_valid;	/* no insert since: for
					 * flowtab_insert_missed() */
};

#define ENT(t, i)	(&(t)->u[i].e)
/*
 * One unit beyond max_flows, so that an empty table can always take an
 * IPv6 flow (a 1-unit table included): expire can then always make room
 * by emptying the table, and no packet goes unaccounted.
 */
#define SPARE		1
typedef char index_end_agrees[FLOWTAB_INDEX_END(0) == SPARE + FLOWTAB_NCLASS ?
    1 : -1];
#define HEAD(t, c)	FLOWTAB_HEAD(c)		/* list head of class c */

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
	    (max_flows + SPARE + FLOWTAB_NCLASS) * sizeof(union unit) +
	    index_slots(max_flows) * sizeof(uint32_t);
}

size_t
flowtab_bytes_per_flow(void)
{
	return sizeof(union unit) + sizeof(uint32_t) * 3 / 2;
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

/* NH folded to 32 bits and finalized; see the design note. */
static uint32_t
nh_final(uint64_t h)
{
	uint32_t x = (uint32_t)h ^ (uint32_t)(h >> 32);

	x ^= x >> 16;
	x *= 0x85ebca6bU;
	x ^= x >> 13;
	x *= 0xc2b2ae35U;
	x ^= x >> 16;
	return x;
}

/*
 * The hash of an IPv4 key from the five key words that can vary: the
 * first words of src and dst, and words 8-10 (ifindex; ports; proto,
 * ipver, direction, pad).
 */
static uint32_t
hash4(const struct flowtab *t, uint32_t src, uint32_t dst, uint32_t w8,
    uint32_t w9, uint32_t w10)
{
	const uint32_t *k = t->k;

	return nh_final(NH(src, dst, k, KEY_WORDS) +
	    NH(w8, w9, k, KEY_WORDS + 2) + NH(w10, 0, k, KEY_WORDS + 4));
}

/* The key's 32-bit word i (host order), as memcpy would lay it out. */
static inline uint32_t
key_word(const struct flow_key *key, size_t i)
{
	uint32_t w;

	memcpy(&w, (const uint8_t *)key + 4 * i, 4);
	return w;
}

/* The full form, for IPv6 keys. */
static uint32_t
hash6(const struct flowtab *t, const struct flow_key *key)
{
	const uint32_t *k = t->k;
	uint32_t w[KEY_WORDS];

	w[KEY_WORDS - 1] = 0;
	memcpy(w, key, sizeof(*key));
	/* Unrolled by hand: -O2 keeps a loop, at 10 instructions a term. */
	return nh_final(NH(w[0], w[1], k, 0) + NH(w[2], w[3], k, 2) +
	    NH(w[4], w[5], k, 4) + NH(w[6], w[7], k, 6) +
	    NH(w[8], w[9], k, 8) + NH(w[10], w[11], k, 10));
}

/* Inline: every packet hashes its key, nearly always an IPv4 one. */
static inline uint32_t
key_hash(const struct flowtab *t, const struct flow_key *key)
{
	if (key->ipver != 4)
		return hash6(t, key);
	return hash4(t, key_word(key, 0), key_word(key, 4), key_word(key, 8),
	    key_word(key, 9), key_word(key, 10));
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
	t->u = mem_alloc((max_flows + SPARE + FLOWTAB_NCLASS) * sizeof(*t->u),
	    "flow records");
	t->slot = mem_alloc(index_slots(max_flows) * sizeof(*t->slot),
	    "flow index");
	if (t->u == NULL || t->slot == NULL) {
		flowtab_free(t);
		errno = ENOMEM;
		return NULL;
	}
	t->max = (uint32_t)max_flows;
	t->nslots = (uint32_t)index_slots(max_flows);
	t->freelist = FREE_END;
	t->hwm = FLOWTAB_NCLASS;
	for (c = 0; c < FLOWTAB_NCLASS; c++) {
		uint32_t head = HEAD(t, c);

		ENT(t, head)->next = head;
		ENT(t, head)->link = head | c << CLS_SHIFT;
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
	mem_free(t->u);
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

size_t
flowtab_units_free(const struct flowtab *t)
{
	return t->used >= t->max ? 0 : t->max - t->used;
}

static uint32_t
home_slot(const struct flowtab *t, uint32_t hash)
{
	return (uint32_t)(((uint64_t)hash * t->nslots) >> 32);
}

static uint32_t
slot_tag(uint32_t hash)
{
	return hash << 25 & SLOT_TAG;	/* home_slot uses the high bits */
}

static uint32_t
slot_disp(uint32_t slot)
{
	return slot >> DISP_SHIFT;
}

/* Slot s moved to d slots from its home. */
static uint32_t
slot_at(uint32_t s, uint32_t d)
{
	return (s & ~DISP_BITS) | MIN(d, DISP_FAR) << DISP_SHIFT;
}

/* Slots from a forward to b, cyclically. */
static uint32_t
slot_dist(const struct flowtab *t, uint32_t a, uint32_t b)
{
	return b >= a ? b - a : b + t->nslots - a;
}

static uint32_t
ent_index(const struct flowtab *t, const struct flowtab_ent *e)
{
	return (uint32_t)((const union unit *)(const void *)e - t->u);
}

static uint32_t
v6_unit(const struct flowtab_ent *e)
{
	uint32_t x;

	memcpy(&x, e->addr, sizeof(x));
	return x;
}

/*
 * Does entry e hold key?  Every field of the key takes part.  ifindex,
 * sport and dport are the same 8 bytes in both (see PORTS_KEY), compared
 * as one word.
 */
static int
ent_match(const struct flowtab *t, const struct flowtab_ent *e,
    const struct flow_key *key)
{
	uint64_t a, b;

	memcpy(&a, (const uint8_t *)e + PORTS_ENT, 8);
	memcpy(&b, (const uint8_t *)key + PORTS_KEY, 8);
	if (a != b || e->proto != key->proto ||
	    e->direction != key->direction || key->pad != 0)
		return 0;
	if (key->ipver == 4)
		return !(e->link & V6_BIT) &&
		    memcmp(e->addr, key->src, 4) == 0 &&
		    memcmp(e->addr + 4, key->dst, 4) == 0;
	if (!(e->link & V6_BIT))
		return 0;
	return memcmp(t->u[v6_unit(e)].a6, key->src, 16) == 0 &&
	    memcmp(t->u[v6_unit(e)].a6 + 16, key->dst, 16) == 0;
}

/* The key entry e was inserted with (padding zero, as decode writes it). */
static void
ent_key(const struct flowtab *t, const struct flowtab_ent *e,
    struct flow_key *k)
{
	memset(k, 0, sizeof(*k));
	if (e->link & V6_BIT) {
		memcpy(k->src, t->u[v6_unit(e)].a6, 16);
		memcpy(k->dst, t->u[v6_unit(e)].a6 + 16, 16);
		k->ipver = 6;
	} else {
		memcpy(k->src, e->addr, 4);
		memcpy(k->dst, e->addr + 4, 4);
		k->ipver = 4;
	}
	k->ifindex = e->ifindex;
	k->sport = e->sport;
	k->dport = e->dport;
	k->proto = e->proto;
	k->direction = e->direction;
}

/*
 * The hash of entry e's key.  An IPv4 entry's key words are read from the
 * entry (as ent_key() would lay them out, without building the key):
 * deleting from the index rehashes every slot it moves, and in a flood
 * every packet deletes.
 */
static uint32_t
ent_hash(const struct flowtab *t, const struct flowtab_ent *e)
{
	struct flow_key k;
	uint32_t src, dst, w9, w10;
	uint16_t ports[2];
	uint8_t b[4];

	if (e->link & V6_BIT) {
		ent_key(t, e, &k);
		return key_hash(t, &k);
	}
	memcpy(&src, e->addr, 4);
	memcpy(&dst, e->addr + 4, 4);
	ports[0] = e->sport;
	ports[1] = e->dport;
	memcpy(&w9, ports, 4);
	b[0] = e->proto;
	b[1] = 4;		/* ipver */
	b[2] = e->direction;
	b[3] = 0;		/* pad */
	memcpy(&w10, b, 4);
	return hash4(t, src, dst, e->ifindex, w9, w10);
}

/* The hash of the entry in this slot. */
static uint32_t
slot_hash(const struct flowtab *t, uint32_t slot)
{
	return ent_hash(t, ENT(t, (slot & SLOT_IDX) - 1));
}

/* Slot s, at position j: its exact distance from home. */
static uint32_t
slot_exact_disp(const struct flowtab *t, uint32_t s, uint32_t j)
{
	uint32_t d = slot_disp(s);

	return d < DISP_FAR ? d : slot_dist(t, home_slot(t, slot_hash(t, s)),
	    j);
}

/*
 * The slot at d slots from the home of hash h might hold its key only if
 * it has h's tag and its own home is the same (displacement d).  A slot
 * nearer its own home than d, or an empty one, ends the search: the key
 * would have taken that slot (Robin Hood order, see the design note).
 * Displacements of DISP_FAR or more are not known exactly and never end
 * it; they are 0.5 % of slots at the table's load.
 *
 * want holds the tag and min(d, DISP_FAR) in the slot's layout, so with
 * the displacement the top bits, "s is empty or nearer home" is one
 * compare, s < want's displacement bits, once d > 0.
 */
struct flowtab_ent *
flowtab_find(struct flowtab *t, const struct flow_key *key)
{
	uint32_t h, i, want, s;

	h = key_hash(t, key);
	want = slot_tag(h);
	i = home_slot(t, h);
	if ((s = t->slot[i]) == 0)
		goto miss;
	for (;;) {
		if ((s & ~SLOT_IDX) == want &&
		    ent_match(t, ENT(t, (s & SLOT_IDX) - 1), key))
			return ENT(t, (s & SLOT_IDX) - 1);
		if (++i == t->nslots)
			i = 0;
		if (want < DISP_BITS)
			want += 1u << DISP_SHIFT;
		if ((s = t->slot[i]) < (want & DISP_BITS))
			goto miss;
	}
miss:
	t->miss_hash = h;
	t->miss_key = *key;
	t->miss_valid = 1;
	return NULL;
}

static void
set_prev(struct flowtab_ent *e, uint32_t prev)
{
	e->link = (e->link & ~PREV_MASK) | prev;
}

static void
list_unlink(struct flowtab *t, uint32_t i)
{
	struct flowtab_ent *e = ENT(t, i);
	uint32_t prev = e->link & PREV_MASK;

	ENT(t, prev)->next = e->next;
	set_prev(ENT(t, e->next), prev);
}

static inline void
list_add_tail(struct flowtab *t, uint32_t i, enum flowtab_class cls)
{
	struct flowtab_ent *e = ENT(t, i), *head = ENT(t, HEAD(t, cls));
	uint32_t last = head->link & PREV_MASK;

	e->next = HEAD(t, cls);
	e->link = (e->link & V6_BIT) | (uint32_t)cls << CLS_SHIFT | last;
	ENT(t, last)->next = i;
	set_prev(head, i);
}

static uint32_t
unit_alloc(struct flowtab *t)
{
	uint32_t idx;

	if (t->freelist != FREE_END) {
		idx = t->freelist;
		t->freelist = ENT(t, idx)->next;
	} else
		idx = t->hwm++;
	return idx;
}

static void
unit_free(struct flowtab *t, uint32_t idx)
{
	ENT(t, idx)->next = t->freelist;
	t->freelist = idx;
}

/* now as an offset from the epoch, clamped (see flowtab.h). */
static uint32_t
offset(const struct flowtab *t, uint64_t now)
{
	return flowtab_offset(t->epoch, now);
}

uint64_t
flowtab_epoch(const struct flowtab *t)
{
	return t->epoch;
}

int
flowtab_fits(const struct flowtab *t, const struct flow_key *key)
{
	return t->used + FLOWTAB_UNITS(key) <= t->max || t->count == 0;
}

/*
 * Put slot value s, whose home is i, in the index (its key is absent).
 * Robin Hood: walking from home, s takes the first slot whose occupant is
 * nearer its own home than s would be, and the occupant walks on in its
 * place; the first empty slot ends the walk.
 */
static void
index_insert(struct flowtab *t, uint32_t s, uint32_t i)
{
	uint32_t d = 0;

	for (;;) {
		uint32_t o = t->slot[i], od;

		if (o == 0) {
			t->slot[i] = slot_at(s, d);
			return;
		}
		od = slot_disp(o);
		if (od == DISP_FAR && d >= DISP_FAR)
			od = slot_exact_disp(t, o, i);
		if (od < d) {
			t->slot[i] = slot_at(s, d);
			s = o;
			d = od;
		}
		if (++i == t->nslots)
			i = 0;
		d++;
	}
}

/* flowtab_insert() of a key whose hash is h. */
static struct flowtab_ent *
insert_hashed(struct flowtab *t, const struct flow_key *key, uint32_t h,
    enum flowtab_class cls, uint64_t now)
{
	struct flowtab_ent *e;
	uint32_t idx, need = FLOWTAB_UNITS(key);

	/* An empty table takes any flow: see SPARE. */
	if (t->used + need > t->max && t->count != 0)
		return NULL;
	if (t->count == 0)
		t->epoch = now;
	idx = unit_alloc(t);
	e = ENT(t, idx);
	memset(e, 0, sizeof(*e));
	if (need == 2) {
		uint32_t a = unit_alloc(t);

		memcpy(t->u[a].a6, key->src, 16);
		memcpy(t->u[a].a6 + 16, key->dst, 16);
		memcpy(e->addr, &a, sizeof(a));
		e->link = V6_BIT;
	} else {
		memcpy(e->addr, key->src, 4);
		memcpy(e->addr + 4, key->dst, 4);
	}
	e->ifindex = key->ifindex;
	e->sport = key->sport;
	e->dport = key->dport;
	e->proto = key->proto;
	e->direction = key->direction;
	e->first = e->last = offset(t, now);
	list_add_tail(t, idx, cls);

	t->miss_valid = 0;
	index_insert(t, slot_tag(h) | (idx + 1), home_slot(t, h));
	t->count++;
	t->used += need;
	return e;
}

struct flowtab_ent *
flowtab_insert(struct flowtab *t, const struct flow_key *key,
    enum flowtab_class cls, uint64_t now)
{
	return insert_hashed(t, key, memcmp(key, &t->miss_key,
	    sizeof(*key)) == 0 ? t->miss_hash : key_hash(t, key), cls, now);
}

struct flowtab_ent *
flowtab_insert_missed(struct flowtab *t, enum flowtab_class cls,
    uint64_t now)
{
	if (!t->miss_valid)
		return NULL;
	return insert_hashed(t, &t->miss_key, t->miss_hash, cls, now);
}

void
flowtab_move(struct flowtab *t, struct flowtab_ent *e, enum flowtab_class cls)
{
	uint32_t i;

	i = ent_index(t, e);
	list_unlink(t, i);
	list_add_tail(t, i, cls);
}

struct flowtab_ent *
flowtab_oldest(struct flowtab *t, enum flowtab_class cls)
{
	uint32_t head = HEAD(t, cls), first = ENT(t, head)->next;

	return first == head ? NULL : ENT(t, first);
}

/*
 * The older of best and the head of list c (best on a tie, so the lower
 * class wins), or best if list c is empty.
 */
static inline struct flowtab_ent *
older_head(struct flowtab *t, struct flowtab_ent *best, uint32_t c)
{
	uint32_t first = ENT(t, HEAD(t, c))->next;

	if (first == HEAD(t, c) || (best != NULL &&
	    ENT(t, first)->last >= best->last))
		return best;
	return ENT(t, first);
}

/*
 * Every head in one pass, unrolled: a flood evicts the oldest flow for
 * every packet, and the loop's own work was half the cost.
 */
typedef char six_classes[FLOWTAB_NCLASS == 6 ? 1 : -1];

struct flowtab_ent *
flowtab_oldest_any(struct flowtab *t)
{
	struct flowtab_ent *best;

	best = older_head(t, NULL, 0);
	best = older_head(t, best, 1);
	best = older_head(t, best, 2);
	best = older_head(t, best, 3);
	best = older_head(t, best, 4);
	return older_head(t, best, 5);
}

/*
 * Empty slot hole: the slots after it move back one, each a slot nearer
 * its home, up to the first that is empty or at its home (Knuth's
 * Algorithm R, which in Robin Hood order stops there: no later slot can
 * belong before it).
 */
static void
index_delete(struct flowtab *t, uint32_t hole)
{
	for (;;) {
		uint32_t j = hole + 1 == t->nslots ? 0 : hole + 1;
		uint32_t s = t->slot[j];

		if (s < 1u << DISP_SHIFT)
			break;		/* empty, or at its home */
		t->slot[hole] = slot_at(s, slot_exact_disp(t, s, j) - 1);
		hole = j;
	}
	t->slot[hole] = 0;
}

/*
 * Remove entry e, whose key hashes to h, from the index and the lists.
 * Returns its index + 1, what its index slot held (flow_rec.slot).
 */
static uint32_t
remove_hashed(struct flowtab *t, struct flowtab_ent *e, uint32_t h)
{
	uint32_t idx = ent_index(t, e), i;

	i = home_slot(t, h);
	while ((t->slot[i] & SLOT_IDX) != idx + 1) {
		if (t->slot[i] == 0)
			return idx + 1;	/* not in the table: caller bug */
		if (++i == t->nslots)
			i = 0;
	}
	index_delete(t, i);
	list_unlink(t, idx);
	if (e->link & V6_BIT) {
		unit_free(t, v6_unit(e));
		t->used--;
	}
	unit_free(t, idx);
	t->used--;
	t->count--;
	return idx + 1;
}

void
flowtab_remove(struct flowtab *t, struct flowtab_ent *e)
{
	(void)remove_hashed(t, e, ent_hash(t, e));
}

const void *
flowtab_base(const struct flowtab *t)
{
	return t->u;
}

/*
 * flowtab_get() but the slot: inline in flowtab_take() (a record is taken
 * far more often than copied), but one copy in a build for size.
 */
#if defined(__OPTIMIZE_SIZE__) && (defined(__GNUC__) || defined(__clang__))
__attribute__((noinline))
#endif
static void
get(const struct flowtab *t, const struct flowtab_ent *e, struct flow_rec *r)
{
	ent_key(t, e, &r->key);
	r->packets = e->packets;
	r->bytes = e->bytes;
	r->first_ms = t->epoch + e->first;
	r->last_ms = t->epoch + e->last;
	r->tcp_flags = e->tcp_flags;
	r->tos = e->tos;
	r->end = 0;
	r->pad = 0;
	memset(&r->enr, 0, sizeof(r->enr));
	r->app.flags = 0;	/* the rest is app_export()'s to fill */
}

void
flowtab_take(struct flowtab *t, struct flowtab_ent *e, struct flow_rec *r)
{
	uint32_t idx1;

	get(t, e, r);
	/* the slot is what the index held: found once for both */
	idx1 = remove_hashed(t, e, key_hash(t, &r->key));
	if (FLOWTAB_SLOTS)
		r->slot = idx1;
}

void
flowtab_get(const struct flowtab *t, const struct flowtab_ent *e,
    struct flow_rec *r)
{
	get(t, e, r);
	if (FLOWTAB_SLOTS)
		r->slot = ent_index(t, e) + 1;
}

uint64_t
flowtab_last_ms(const struct flowtab *t, const struct flowtab_ent *e)
{
	return t->epoch + e->last;
}

uint8_t
flowtab_tcp_flags(const struct flowtab_ent *e)
{
	return e->tcp_flags;
}

void
flowtab_restart(struct flowtab *t, struct flowtab_ent *e, uint64_t now,
    uint8_t tos)
{
	e->packets = 0;
	e->bytes = 0;
	e->first = e->last = offset(t, now);
	e->tcp_flags = 0;
	e->tos = tos;
}

uint8_t
flowtab_add(struct flowtab *t, struct flowtab_ent *e, uint32_t bytes,
    uint8_t tcp_flags, uint64_t now)
{
	e->packets++;
	e->bytes += bytes;
	e->last = offset(t, now);
	return e->tcp_flags |= tcp_flags;
}

uint64_t
flowtab_probe_stats(const struct flowtab *t, uint32_t *max)
{
	uint64_t sum = 0;
	uint32_t i, h, d, dmax = 0;

	for (i = 0; i < t->nslots; i++) {
		if (t->slot[i] == 0)
			continue;
		h = home_slot(t, slot_hash(t, t->slot[i]));
		d = i >= h ? i - h : i + t->nslots - h;
		sum += d;
		dmax = MAX(dmax, d);
	}
	if (max != NULL)
		*max = dmax;
	return sum;
}
