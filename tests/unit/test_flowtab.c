/* Unit tests for the flow table: index, lists, sizing, churn, seeds. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "flowtab.h"
#include "mem.h"
#include "tap.h"

static uint64_t rng_state = 88172645463325252ULL;

static uint32_t
rnd(uint32_t n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)((rng_state >> 32) % n);
}

/*
 * Which part of the key varies with i: the IPv4 source address; or that,
 * with odd-numbered keys IPv6 ones (the hash has two forms); or only the
 * ports, as in a port scan.
 */
static enum { KEYS_V4, KEYS_MIXED, KEYS_PORTS } key_mode;

/* Distinct keys for distinct i; IPv4 with the unused bytes zero. */
static struct flow_key
mkkey(uint32_t i)
{
	struct flow_key k;

	memset(&k, 0, sizeof(k));
	if (key_mode == KEYS_MIXED && (i & 1)) {
		k.src[0] = 0x20;
		k.src[1] = 0x01;
		k.src[5] = (uint8_t)(i >> 16);
		k.src[10] = (uint8_t)(i >> 8);
		k.src[15] = (uint8_t)i;
		k.dst[0] = 0xfe;
		k.dst[1] = 0x80;
		k.dst[15] = 1;
		k.sport = 5353;
		k.dport = 5353;
		k.proto = 17;
		k.ipver = 6;
		return k;
	}
	k.src[0] = 10;
	k.src[1] = (uint8_t)(i >> 16);
	k.src[2] = (uint8_t)(i >> 8);
	k.src[3] = (uint8_t)i;
	k.dst[0] = 192;
	k.dst[1] = 0;
	k.dst[2] = 2;
	k.dst[3] = 1;
	k.sport = (uint16_t)(1024 + (i >> 24));
	k.dport = 443;
	k.proto = 6;
	k.ipver = 4;
	if (key_mode == KEYS_PORTS) {
		k.src[1] = k.src[2] = k.src[3] = 1;
		k.sport = (uint16_t)i;
		k.dport = (uint16_t)(i >> 16);
	}
	return k;
}

/* Units keys 0 .. n - 1 take (IPv6 flows take two, flowtab.h). */
static size_t
units_for(uint32_t n)
{
	size_t u = 0;
	uint32_t i;

	for (i = 0; i < n; i++) {
		struct flow_key k = mkkey(i);

		u += FLOWTAB_UNITS(&k);
	}
	return u;
}

static struct flowtab_ent *
find_i(struct flowtab *t, uint32_t i)
{
	struct flow_key k = mkkey(i);

	return flowtab_find(t, &k);
}

static struct flowtab_ent *
insert_i(struct flowtab *t, uint32_t i, enum flowtab_class cls)
{
	struct flow_key k = mkkey(i);

	return flowtab_insert(t, &k, cls, 0);
}

static void
test_basic(void)
{
	struct flow_key k = mkkey(1), z;
	struct flowtab *t;
	struct flowtab_ent *r;
	struct flow_rec rec;

	mem_init(MEM_UNLIMITED);
	t = flowtab_new(100, 1);
	ok(t != NULL, "basic: new(100)");
	is_int(flowtab_count(t), 0, "basic: empty");
	is_int(flowtab_capacity(t), 100, "basic: capacity");
	ok(flowtab_find(t, &k) == NULL, "basic: find in empty table");
	r = flowtab_insert(t, &k, FLOWTAB_TCP, 0);
	ok(r != NULL, "basic: insert");
	flowtab_get(t, r, &rec);
	is_mem(&rec.key, sizeof(rec.key), &k, sizeof(k), "basic: key stored");
	memset(&z, 0, sizeof(z));
	ok(rec.packets == 0 && rec.bytes == 0 && rec.first_ms == 0 &&
	    rec.last_ms == 0 && rec.tcp_flags == 0, "basic: record zeroed");
	ok(flowtab_find(t, &k) == r, "basic: find after insert");
	ok(find_i(t, 2) == NULL, "basic: other key absent");
	z = k;
	z.pad = 1;
	ok(flowtab_find(t, &z) == NULL, "basic: every key byte counts");
	is_int(flowtab_count(t), 1, "basic: count 1");
	is_int(flowtab_ent_class(r), FLOWTAB_TCP, "basic: class");
	ok(flowtab_oldest(t, FLOWTAB_TCP) == r, "basic: on TCP list");
	ok(flowtab_oldest(t, FLOWTAB_UDP) == NULL, "basic: UDP list empty");
	flowtab_remove(t, r);
	ok(flowtab_find(t, &k) == NULL, "basic: gone after remove");
	ok(flowtab_oldest(t, FLOWTAB_TCP) == NULL, "basic: list empty");
	is_int(flowtab_count(t), 0, "basic: count 0");
	flowtab_free(t);
	is_int(mem_used(), 0, "basic: free returns all memory");
}

static void
test_sizing(void)
{
	static const size_t sizes[] = { 1, 2, 7, 1000, 65536, 100000 };
	struct flowtab *t;
	size_t i, n, pf = flowtab_bytes_per_flow();

	mem_init(MEM_UNLIMITED);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		size_t before = mem_used();

		n = sizes[i];
		t = flowtab_new(n, 42);
		ok(t != NULL, "sizing: new(%zu)", n);
		is_int(mem_used() - before, flowtab_bytes(n),
		    "sizing: flowtab_bytes(%zu) = %zu is what was allocated",
		    n, flowtab_bytes(n));
		diag("max_flows %zu: %zu bytes, %zu per flow", n,
		    flowtab_bytes(n), flowtab_bytes(n) / n);
		flowtab_free(t);
		is_int(mem_used(), before, "sizing: freed (%zu)", n);
	}
	is_int(flowtab_bytes(0), 0, "sizing: 0 flows, 0 bytes");
	ok(flowtab_bytes(FLOWTAB_MAX_FLOWS + 1) == SIZE_MAX,
	    "sizing: over the cap is SIZE_MAX");
	ok(flowtab_bytes(FLOWTAB_MAX_FLOWS) < SIZE_MAX / 2,
	    "sizing: the cap fits a 32-bit size_t too");
	is_int(flowtab_bytes(1002) - flowtab_bytes(1000), 2 * pf,
	    "sizing: linear, %zu bytes per flow", pf);
	ok(pf <= 112, "sizing: per-flow footprint %zu <= 112", pf);
	for (n = 1; n < 70000; n = n * 3 + 1) {
		is_int(flowtab_max_flows(flowtab_bytes(n)), n,
		    "sizing: max_flows(bytes(%zu))", n);
		is_int(flowtab_max_flows(flowtab_bytes(n) - 1), n - 1,
		    "sizing: max_flows(bytes(%zu) - 1)", n);
	}
	is_int(flowtab_max_flows(0), 0, "sizing: nothing fits 0 bytes");
	is_int(flowtab_max_flows(SIZE_MAX), FLOWTAB_MAX_FLOWS,
	    "sizing: max_flows is capped");

	errno = 0;
	ok(flowtab_new(0, 1) == NULL && errno == EINVAL, "sizing: new(0)");
	errno = 0;
	ok(flowtab_new(FLOWTAB_MAX_FLOWS + 1, 1) == NULL && errno == EINVAL,
	    "sizing: new(over the cap)");

	mem_init(flowtab_bytes(1000) - 1);
	errno = 0;
	ok(flowtab_new(1000, 1) == NULL && errno == ENOMEM,
	    "sizing: one byte short of the budget fails");
	is_int(mem_used(), 0, "sizing: failure leaves nothing allocated");
	mem_init(flowtab_bytes(1000));
	t = flowtab_new(1000, 1);
	ok(t != NULL, "sizing: exactly the budget works");
	is_int(mem_left(), 0, "sizing: and uses all of it");
	flowtab_free(t);
}

static void
test_full(void)
{
	struct flowtab *t;
	size_t used;
	uint32_t i, missing = 0;

	mem_init(MEM_UNLIMITED);
	t = flowtab_new(1000, 7);
	for (i = 0; i < 1000; i++)
		if (insert_i(t, i, FLOWTAB_UDP) == NULL)
			missing++;
	is_int(missing, 0, "full: 1000 inserts into 1000");
	is_int(flowtab_count(t), flowtab_capacity(t), "full: count");
	used = mem_used();
	for (i = 1000; i < 1100; i++)
		if (insert_i(t, i, FLOWTAB_UDP) != NULL)
			missing++;
	is_int(missing, 0, "full: every further insert is NULL");
	is_int(flowtab_count(t), 1000, "full: count unchanged");
	is_int(mem_used(), used, "full: no growth");
	for (i = 0; i < 1000; i++)
		if (find_i(t, i) == NULL)
			missing++;
	is_int(missing, 0, "full: all 1000 still found");
	for (i = 1000; i < 1100; i++)
		if (find_i(t, i) != NULL)
			missing++;
	is_int(missing, 0, "full: refused keys absent");
	flowtab_remove(t, find_i(t, 500));
	ok(insert_i(t, 5000, FLOWTAB_UDP) != NULL, "full: room after remove");
	flowtab_free(t);
}

/* Insert n keys, remove half in random order, check the rest. */
static void
test_collide(uint32_t n, uint64_t seed)
{
	struct flowtab *t, *fresh;
	struct flowtab_ent **recs;
	uint32_t *perm, i, bad_in = 0, bad_out = 0, max1, max2;
	uint64_t s1, s2;

	mem_init(MEM_UNLIMITED);
	t = flowtab_new(units_for(n), seed);
	recs = calloc(n, sizeof(*recs));
	perm = calloc(n, sizeof(*perm));
	for (i = 0; i < n; i++) {
		recs[i] = insert_i(t, i, FLOWTAB_TCP);
		perm[i] = i;
	}
	s1 = flowtab_probe_stats(t, &max1);
	diag("collide %u: full, mean displacement %llu/1000 slots, max %u",
	    n, (unsigned long long)(s1 * 1000 / n), max1);
	/* A random hash gives 1.0 at load 2/3 (Knuth); a weak one far more. */
	if (n >= 1000)
		ok(s1 * 2 < (uint64_t)n * 3, "collide %u: mean displacement "
		    "%llu/1000 < 1.5", n, (unsigned long long)(s1 * 1000 / n));
	for (i = n - 1; i > 0; i--) {
		uint32_t j = rnd(i + 1), tmp;

		tmp = perm[i];
		perm[i] = perm[j];
		perm[j] = tmp;
	}
	for (i = 0; i < n / 2; i++) {
		flowtab_remove(t, recs[perm[i]]);
		recs[perm[i]] = NULL;
	}
	for (i = 0; i < n; i++) {
		if (recs[i] != NULL && find_i(t, i) != recs[i])
			bad_in++;
		if (recs[i] == NULL && find_i(t, i) != NULL)
			bad_out++;
	}
	is_int(bad_in, 0, "collide %u: every remaining key found", n);
	is_int(bad_out, 0, "collide %u: no removed key found", n);
	is_int(flowtab_count(t), n - n / 2, "collide %u: count", n);

	/*
	 * Backward-shift deletion leaves the index as if the removed keys
	 * had never been inserted, and with linear probing the total
	 * displacement does not depend on insertion order: a fresh table
	 * with the same seed and keys must measure the same.
	 */
	fresh = flowtab_new(units_for(n), seed);
	for (i = 0; i < n; i++)
		if (recs[i] != NULL)
			insert_i(fresh, i, FLOWTAB_TCP);
	s1 = flowtab_probe_stats(t, &max1);
	s2 = flowtab_probe_stats(fresh, &max2);
	is_int(s1, s2, "collide %u: displacement equals a fresh build", n);
	flowtab_free(fresh);
	flowtab_free(t);
	free(recs);
	free(perm);
}

/*
 * Random inserts and removes against a reference array, checking every
 * key of the universe after each step; small n exercises wrap-around.
 */
static void
test_churn(uint32_t n, uint32_t steps, uint64_t seed)
{
	struct flowtab *t, *fresh;
	struct flowtab_ent **recs;
	uint32_t u = 3 * n + 2, i, k, bad = 0, check;
	size_t count = 0, units = 0;

	mem_init(MEM_UNLIMITED);
	t = flowtab_new(n, seed);
	recs = calloc(u, sizeof(*recs));
	check = n <= 64 ? 1 : 997;
	for (i = 0; i < steps; i++) {
		struct flow_key key;

		k = rnd(u);
		key = mkkey(k);
		if (recs[k] != NULL) {
			flowtab_remove(t, recs[k]);
			recs[k] = NULL;
			count--;
			units -= FLOWTAB_UNITS(&key);
		} else if (units + FLOWTAB_UNITS(&key) <= n) {
			recs[k] = insert_i(t, k, FLOWTAB_GENERAL);
			if (recs[k] == NULL)
				bad++;
			count++;
			units += FLOWTAB_UNITS(&key);
		} else if (insert_i(t, k, FLOWTAB_GENERAL) != NULL)
			bad++;
		if (i % check == 0 || i == steps - 1) {
			for (k = 0; k < u; k++)
				if (find_i(t, k) != recs[k])
					bad++;
			if (flowtab_count(t) != count)
				bad++;
		}
	}
	is_int(bad, 0, "churn n=%u: %u steps agree with the model", n, steps);
	fresh = flowtab_new(n, seed);
	for (k = 0; k < u; k++)
		if (recs[k] != NULL)
			insert_i(fresh, k, FLOWTAB_GENERAL);
	is_int(flowtab_probe_stats(t, NULL), flowtab_probe_stats(fresh, NULL),
	    "churn n=%u: no decay: displacement equals a fresh build", n);
	flowtab_free(fresh);
	flowtab_free(t);
	free(recs);
}

static void
test_lists(void)
{
	struct flowtab_ent *a, *b, *c, *d;
	struct flowtab *t;

	mem_init(MEM_UNLIMITED);
	t = flowtab_new(10, 3);
	a = insert_i(t, 1, FLOWTAB_TCP);
	b = insert_i(t, 2, FLOWTAB_TCP);
	c = insert_i(t, 3, FLOWTAB_TCP);
	ok(flowtab_oldest(t, FLOWTAB_TCP) == a, "lists: head is first in");
	flowtab_touch(t, a, FLOWTAB_TCP);
	ok(flowtab_oldest(t, FLOWTAB_TCP) == b, "lists: touch moves to tail");
	flowtab_touch(t, b, FLOWTAB_TCP_FIN);
	ok(flowtab_oldest(t, FLOWTAB_TCP) == c, "lists: class move unlinks");
	ok(flowtab_oldest(t, FLOWTAB_TCP_FIN) == b, "lists: ... and links");
	is_int(flowtab_ent_class(b), FLOWTAB_TCP_FIN, "lists: class_of");
	is_int(flowtab_ent_class(a), FLOWTAB_TCP, "lists: class_of other");
	flowtab_touch(t, b, FLOWTAB_TCP_FIN);
	ok(flowtab_oldest(t, FLOWTAB_TCP_FIN) == b, "lists: touch of tail");
	d = insert_i(t, 4, FLOWTAB_TCP_FIN);
	flowtab_touch(t, b, FLOWTAB_TCP_FIN);
	ok(flowtab_oldest(t, FLOWTAB_TCP_FIN) == d, "lists: 2-list touch");
	flowtab_remove(t, c);
	ok(flowtab_oldest(t, FLOWTAB_TCP) == a, "lists: remove head");
	flowtab_remove(t, a);
	ok(flowtab_oldest(t, FLOWTAB_TCP) == NULL, "lists: TCP now empty");
	flowtab_remove(t, d);
	ok(flowtab_oldest(t, FLOWTAB_TCP_FIN) == b, "lists: b left");
	flowtab_touch(t, b, FLOWTAB_TCP);
	ok(flowtab_oldest(t, FLOWTAB_TCP_FIN) == NULL &&
	    flowtab_oldest(t, FLOWTAB_TCP) == b, "lists: move back");
	flowtab_free(t);

	/* The oldest on any list: earliest last time, first list on a tie. */
	t = flowtab_new(10, 3);
	ok(flowtab_oldest_any(t) == NULL, "lists: oldest_any of none");
	a = flowtab_insert(t, &(struct flow_key){ .ipver = 4, .sport = 1 },
	    FLOWTAB_UDP, 100);
	b = flowtab_insert(t, &(struct flow_key){ .ipver = 4, .sport = 2 },
	    FLOWTAB_TCP, 200);
	ok(flowtab_oldest_any(t) == a, "lists: oldest_any, later list");
	flowtab_add(t, a, 1, 0, 300);
	ok(flowtab_oldest_any(t) == b, "lists: oldest_any follows last");
	flowtab_add(t, b, 1, 0, 300);
	c = flowtab_insert(t, &(struct flow_key){ .ipver = 4, .sport = 3 },
	    FLOWTAB_GENERAL, 300);
	ok(flowtab_oldest_any(t) == c, "lists: oldest_any tie: first list");
	flowtab_free(t);
}

/* The order a table drains in, as key numbers, oldest first per class. */
static void
drain(struct flowtab *t, uint32_t *order, uint32_t n)
{
	uint32_t i = 0;
	int c;

	for (c = 0; c < FLOWTAB_NCLASS; c++) {
		struct flowtab_ent *r;
		struct flow_rec rec;

		while ((r = flowtab_oldest(t, (enum flowtab_class)c)) != NULL) {
			flowtab_get(t, r, &rec);
			if (i < n)
				order[i++] = (uint32_t)rec.key.src[1] << 16 |
				    (uint32_t)rec.key.src[2] << 8 |
				    rec.key.src[3];
			flowtab_remove(t, r);
		}
	}
}

/* Same operations under two seeds: layouts differ, all else is equal. */
static void
test_seeds(void)
{
	enum { N = 2000, U = 5000, STEPS = 50000 };
	struct flowtab *t[2];
	struct flowtab_ent *r0[2], *r;
	uint32_t *order[2], i, diff = 0;
	long off[2];
	int s;

	mem_init(MEM_UNLIMITED);
	t[0] = flowtab_new(N, 1);
	t[1] = flowtab_new(N, 0x9e3779b97f4a7c15ULL);
	for (s = 0; s < 2; s++) {
		r0[s] = insert_i(t[s], U, FLOWTAB_GENERAL);
		order[s] = calloc(N, sizeof(uint32_t));
	}
	for (i = 0; i < STEPS; i++) {
		uint32_t k = rnd(U);

		for (s = 0; s < 2; s++) {
			r = find_i(t[s], k);
			if (r != NULL && (i & 1)) {
				flowtab_remove(t[s], r);
				r = NULL;
			} else if (r != NULL)
				flowtab_touch(t[s], r, (enum flowtab_class)(k %
				    FLOWTAB_NCLASS));
			else
				r = insert_i(t[s], k, (enum flowtab_class)(i %
				    FLOWTAB_NCLASS));
			off[s] = r == NULL ? -1 : (long)((char *)r -
			    (char *)r0[s]);
		}
		if (off[0] != off[1])
			diff++;
	}
	is_int(diff, 0, "seeds: same records reused in the same places");
	is_int(flowtab_count(t[0]), flowtab_count(t[1]), "seeds: same count");
	ok(flowtab_probe_stats(t[0], NULL) != flowtab_probe_stats(t[1], NULL),
	    "seeds: different slot layouts");
	for (s = 0; s < 2; s++)
		drain(t[s], order[s], N);
	is_mem(order[0], N * sizeof(uint32_t), order[1], N * sizeof(uint32_t),
	    "seeds: identical list order");
	for (s = 0; s < 2; s++) {
		flowtab_free(t[s]);
		free(order[s]);
	}
}

/*
 * Hash flooding.  An attacker who knows the seed (1 here) and the table
 * size picks source addresses whose home slots coincide; they are found
 * black-box, by keeping a candidate when it lands one slot from a
 * reference key.  Under that seed they pile into one cluster and every
 * lookup walks it; in a table keyed with any other seed, as picoflow keys
 * each table from /dev/urandom at start, the same keys spread like random
 * ones.
 */
static void
test_flood(void)
{
	enum { MAX = 128, WANT = 80, NSEEDS = 8 };
	static const uint64_t seeds[NSEEDS] = { 2, 3, 0xdeadbeef,
	    0x9e3779b97f4a7c15ULL, 42, 1ULL << 63, 0x0123456789abcdefULL,
	    UINT64_MAX };
	uint32_t found[WANT], n = 0, i, cand, dmax, bad;
	struct flowtab *t, *fresh;
	uint64_t sum;
	int s, spread = 0;

	mem_init(MEM_UNLIMITED);
	t = flowtab_new(MAX, 1);
	found[n++] = 0;
	insert_i(t, 0, FLOWTAB_GENERAL);
	for (cand = 1; n < WANT && cand < (1U << 22); cand++) {
		struct flowtab_ent *r = insert_i(t, cand, FLOWTAB_GENERAL);

		if (flowtab_probe_stats(t, NULL) == 1)
			found[n++] = cand;
		flowtab_remove(t, r);
	}
	flowtab_free(t);
	is_int(n, WANT, "flood: %d colliding keys found under the known seed",
	    WANT);

	t = flowtab_new(MAX, 1);
	for (i = 0; i < n; i++)
		insert_i(t, found[i], FLOWTAB_GENERAL);
	sum = flowtab_probe_stats(t, &dmax);
	diag("known seed: probe sum %llu, longest %u", (unsigned long long)sum,
	    dmax);
	ok(dmax == n - 1 && sum == (uint64_t)n * (n - 1) / 2,
	    "flood: known seed, one cluster (lookups walk up to %u slots)",
	    n - 1);
	/*
	 * Deleting from a cluster this long moves slots that are far from
	 * home (their displacement does not fit the slot, so the index
	 * rehashes them) and ones that are near: every other key goes.
	 */
	for (i = 0; i < n; i += 2)
		flowtab_remove(t, find_i(t, found[i]));
	for (i = 0, bad = 0; i < n; i++)
		if ((find_i(t, found[i]) != NULL) != (i % 2 == 1))
			bad++;
	is_int(bad, 0, "flood: deleting from the cluster keeps the rest");
	fresh = flowtab_new(MAX, 1);
	for (i = 1; i < n; i += 2)
		insert_i(fresh, found[i], FLOWTAB_GENERAL);
	is_int(flowtab_probe_stats(t, NULL), flowtab_probe_stats(fresh, NULL),
	    "flood: displacement then equals a fresh build");
	flowtab_free(fresh);
	flowtab_free(t);

	/*
	 * Churn over the colliding keys and as many others, whose homes lie
	 * in and after the cluster: inserts displace slots far from home
	 * (Robin Hood swaps), deletes shift them back, lookups stop early;
	 * every answer must agree with the model.
	 */
	t = flowtab_new(MAX, 1);
	{
		struct flowtab_ent *in[2 * WANT];
		uint32_t key[2 * WANT], step, units = 0;

		for (i = 0; i < 2 * WANT; i++) {
			key[i] = i < WANT ? found[i] : (1U << 22) + i;
			in[i] = NULL;
		}
		for (step = 0, bad = 0; step < 20000; step++) {
			struct flow_key k;

			i = rnd(2 * WANT);
			k = mkkey(key[i]);
			if (in[i] != NULL) {
				flowtab_remove(t, in[i]);
				in[i] = NULL;
				units -= FLOWTAB_UNITS(&k);
			} else if (units + FLOWTAB_UNITS(&k) <= MAX) {
				if ((in[i] = insert_i(t, key[i],
				    FLOWTAB_GENERAL)) == NULL)
					bad++;
				else
					units += FLOWTAB_UNITS(&k);
			}
			if (step % 97 == 0)
				for (i = 0; i < 2 * WANT; i++)
					bad += find_i(t, key[i]) != in[i];
		}
		flowtab_probe_stats(t, &dmax);
		is_int(bad, 0, "flood: churn through the cluster agrees with "
		    "the model (longest probe %u)", dmax);
	}
	flowtab_free(t);

	for (s = 0; s < NSEEDS; s++) {
		t = flowtab_new(MAX, seeds[s]);
		for (i = 0; i < n; i++)
			insert_i(t, found[i], FLOWTAB_GENERAL);
		sum = flowtab_probe_stats(t, &dmax);
		diag("seed %d: probe sum %llu, longest %u", s,
		    (unsigned long long)sum, dmax);
		/* load 80/193: about 0.4 extra slots a flow on average */
		if (sum <= 2 * n && dmax <= 16)
			spread++;
		flowtab_free(t);
	}
	is_int(spread, NSEEDS, "flood: other seeds spread the same keys");
}

static void
test_one(void)
{
	struct flowtab_ent *a, *b;
	struct flowtab *t;

	mem_init(MEM_UNLIMITED);
	t = flowtab_new(1, 5);
	a = insert_i(t, 1, FLOWTAB_ICMP);
	ok(a != NULL, "one: first insert");
	ok(insert_i(t, 2, FLOWTAB_ICMP) == NULL, "one: second refused");
	ok(find_i(t, 1) == a && find_i(t, 2) == NULL, "one: lookups");
	flowtab_touch(t, a, FLOWTAB_GENERAL);
	ok(flowtab_oldest(t, FLOWTAB_GENERAL) == a &&
	    flowtab_oldest(t, FLOWTAB_ICMP) == NULL, "one: class move");
	flowtab_remove(t, a);
	b = insert_i(t, 2, FLOWTAB_ICMP);
	ok(b == a, "one: the single entry is reused");
	ok(find_i(t, 1) == NULL && find_i(t, 2) == b, "one: after reuse");
	flowtab_free(t);
}

/* An IPv6 flow takes two units; its addresses come back exactly. */
static void
test_units(void)
{
	struct flowtab_ent *a, *b, *c;
	struct flow_rec rec;
	struct flow_key k6, k4;
	struct flowtab *t;

	mem_init(MEM_UNLIMITED);
	t = flowtab_new(5, 21);
	key_mode = KEYS_MIXED;
	k6 = mkkey(1);
	is_int(FLOWTAB_UNITS(&k6), 2, "units: IPv6 takes two");
	a = insert_i(t, 1, FLOWTAB_UDP);
	b = insert_i(t, 3, FLOWTAB_UDP);
	ok(a != NULL && b != NULL, "units: two IPv6 flows in 5 units");
	is_int(flowtab_units_free(t), 1, "units: 1 unit left");
	ok(insert_i(t, 5, FLOWTAB_UDP) == NULL, "units: third IPv6 refused");
	c = insert_i(t, 2, FLOWTAB_UDP);
	k4 = mkkey(2);
	ok(c != NULL && FLOWTAB_UNITS(&k4) == 1, "units: IPv4 fits in the last");
	is_int(flowtab_units_free(t), 0, "units: none left");
	is_int(flowtab_count(t), 3, "units: count is flows");
	ok(find_i(t, 1) == a && find_i(t, 3) == b && find_i(t, 2) == c,
	    "units: all found");
	flowtab_get(t, a, &rec);
	is_mem(&rec.key, sizeof(rec.key), &k6, sizeof(k6),
	    "units: IPv6 key round trip");
	flowtab_get(t, c, &rec);
	is_mem(&rec.key, sizeof(rec.key), &k4, sizeof(k4),
	    "units: IPv4 key round trip");
	flowtab_remove(t, a);
	is_int(flowtab_units_free(t), 2, "units: removing IPv6 frees two");
	ok(insert_i(t, 5, FLOWTAB_UDP) != NULL && find_i(t, 5) != NULL,
	    "units: IPv6 fits again");
	ok(find_i(t, 1) == NULL, "units: removed key gone");
	flowtab_free(t);
	is_int(mem_used(), 0, "units: free returns all memory");
	t = flowtab_new(1, 22);
	a = insert_i(t, 1, FLOWTAB_UDP);
	ok(a != NULL && find_i(t, 1) == a,
	    "units: an empty 1-unit table takes an IPv6 flow (spare unit)");
	ok(insert_i(t, 2, FLOWTAB_UDP) == NULL, "units: ... and nothing more");
	is_int(flowtab_units_free(t), 0, "units: none free");
	flowtab_remove(t, a);
	ok(insert_i(t, 2, FLOWTAB_UDP) != NULL, "units: then an IPv4 flow");
	flowtab_free(t);
	key_mode = KEYS_V4;
}

/* Bytes per flow: exact, and <= 64 on the benchmark's 92/8 mix. */
static void
test_footprint(void)
{
	size_t flows = 375000, v6 = flows * 8 / 100, units = flows + v6;
	size_t pf = flowtab_bytes_per_flow();

	diag("footprint: %zu bytes per unit: IPv4 flow %zu, IPv6 flow %zu; "
	    "%zu flows (8%% IPv6): %zu bytes, %zu per flow", pf, pf, 2 * pf,
	    flows, flowtab_bytes(units), flowtab_bytes(units) / flows);
	ok(pf <= 56, "footprint: an IPv4 flow takes at most 56 bytes");
	ok(flowtab_bytes(units) <= 64 * flows,
	    "footprint: at most 64 bytes per flow on a 92/8 mix");
	is_int(flowtab_bytes(units + 2) - flowtab_bytes(units), 2 * pf,
	    "footprint: linear in units");
}

/* Times are 32-bit offsets from the epoch of the first insert. */
static void
test_epoch(void)
{
	uint64_t t0 = 1700000000000ULL;	/* replay: Unix ms */
	struct flowtab_ent *a, *b;
	struct flow_key k = mkkey(1);
	struct flow_rec rec;
	struct flowtab *t;

	mem_init(MEM_UNLIMITED);
	t = flowtab_new(4, 8);
	a = flowtab_insert(t, &k, FLOWTAB_UDP, t0);
	flowtab_get(t, a, &rec);
	ok(rec.first_ms == t0 && rec.last_ms == t0, "epoch: insert time");
	flowtab_restart(t, a, t0 + 10, 0x2e);
	flowtab_add(t, a, 100, 0, t0 + 10);
	flowtab_add(t, a, 200, 0, t0 + ((uint64_t)1 << 31) + 5);
	flowtab_get(t, a, &rec);
	ok(rec.first_ms == t0 + 10 &&
	    rec.last_ms == t0 + ((uint64_t)1 << 31) + 5,
	    "epoch: 2^31 ms apart, exact");
	ok(rec.packets == 2 && rec.bytes == 300 && rec.tos == 0x2e,
	    "epoch: counters");
	is_int(flowtab_last_ms(t, a), t0 + ((uint64_t)1 << 31) + 5,
	    "epoch: last_ms");
	flowtab_add(t, a, 1, 0, t0 + ((uint64_t)1 << 33));
	is_int(flowtab_last_ms(t, a), t0 + UINT32_MAX,
	    "epoch: beyond 2^32 ms clamps");
	b = insert_i(t, 2, FLOWTAB_UDP);
	flowtab_get(t, b, &rec);
	is_int(rec.first_ms, t0, "epoch: earlier time clamps to the epoch");
	flowtab_remove(t, a);
	flowtab_remove(t, b);
	a = flowtab_insert(t, &k, FLOWTAB_UDP, 5 * t0);
	flowtab_get(t, a, &rec);
	is_int(rec.first_ms, 5 * t0, "epoch: an empty table takes a new one");
	flowtab_free(t);
}

/*
 * The flood path: flowtab_fits() before insert, flowtab_insert_missed()
 * after a miss, flowtab_take() as get + remove, in a table kept full of
 * mixed IPv4/IPv6 flows, checked against what get and find say.
 */
static void
test_flood_path(void)
{
	struct flowtab *t;
	struct flowtab_ent *e;
	struct flow_rec want, got;
	struct flow_key k;
	uint32_t i, bad_fit = 0, bad_take = 0, bad_find = 0, bad_ins = 0;
	uint64_t probes;

	mem_init(MEM_UNLIMITED);
	t = flowtab_new(64, 21);
	ok(flowtab_insert_missed(t, FLOWTAB_UDP, 1) == NULL,
	    "flood: insert_missed with no miss: NULL");
	for (i = 0; i < 5000; i++) {
		k = mkkey(i);
		if (flowtab_find(t, &k) != NULL) {
			bad_find++;
			continue;
		}
		while (!flowtab_fits(t, &k)) {
			e = flowtab_oldest_any(t);
			memset(&want, 0, sizeof(want));	/* padding */
			memset(&got, 0, sizeof(got));
			flowtab_get(t, e, &want);
			flowtab_take(t, e, &got);
			if (memcmp(&want, &got, sizeof(want)) != 0 ||
			    flowtab_find(t, &want.key) != NULL)
				bad_take++;
		}
		if (flowtab_units_free(t) < FLOWTAB_UNITS(&k) &&
		    flowtab_count(t) != 0)
			bad_fit++;
		/* find() of the taken flow missed too: miss again */
		if (flowtab_find(t, &k) != NULL)
			bad_find++;
		e = flowtab_insert_missed(t, FLOWTAB_UDP, 1000 + i);
		if (e == NULL || flowtab_find(t, &k) != e ||
		    flowtab_insert_missed(t, FLOWTAB_UDP, 1) != NULL)
			bad_ins++;
	}
	is_int(bad_find, 0, "flood: every new key missed");
	is_int(bad_take, 0, "flood: take = get + remove, and it is gone");
	is_int(bad_fit, 0, "flood: fits agrees with the free units");
	is_int(bad_ins, 0, "flood: insert_missed inserts the missed key, "
	    "once");
	probes = flowtab_probe_stats(t, NULL);
	ok(flowtab_count(t) > 0 && probes < 64 * 8, "flood: index sane "
	    "(%zu flows, %llu probes)", flowtab_count(t),
	    (unsigned long long)probes);
	flowtab_free(t);
}

int
main(void)
{
	uint32_t n;

	test_basic();
	key_mode = KEYS_MIXED;
	test_flood_path();
	key_mode = KEYS_V4;
	test_flood_path();
	test_sizing();
	test_full();
	test_collide(4096, 11);
	test_collide(10000, 12);
	test_collide(3, 13);
	for (n = 1; n <= 17; n++)
		test_churn(n, 20000, n);
	test_churn(1000, 300000, 99);
	key_mode = KEYS_MIXED;
	test_collide(10000, 14);
	test_churn(9, 20000, 15);
	test_churn(1000, 100000, 16);
	key_mode = KEYS_PORTS;
	test_collide(30000, 17);
	key_mode = KEYS_V4;
	test_lists();
	test_seeds();
	test_flood();
	test_one();
	test_units();
	test_footprint();
	test_epoch();
	return done();
}
