/* Unit tests for sampling: exact 1-in-N, positions, random-mode rates. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sample.h"
#include "tap.h"

static void
test_deterministic(uint32_t n)
{
	struct sample s;
	uint64_t i, total = (uint64_t)n * 1000 + 1, kept = 0, misplaced = 0;

	sample_init(&s, n, SAMPLE_DETERMINISTIC, 1);
	for (i = 0; i < total; i++) {
		int take = sample_take(&s);

		kept += take;
		if (take != (i % n == 0))
			misplaced++;
	}
	is_int(kept, 1001, "deterministic 1 in %u: 1001 kept of %llu", n,
	    (unsigned long long)total);
	is_int(misplaced, 0, "deterministic 1 in %u: packets 0, N, 2N, ...",
	    n);
}

static void
test_positions(void)
{
	static const char want[] = "1000100010001";
	char got[sizeof(want)];
	struct sample s;
	size_t i;

	sample_init(&s, 4, SAMPLE_DETERMINISTIC, 0);
	for (i = 0; i + 1 < sizeof(want); i++)
		got[i] = sample_take(&s) ? '1' : '0';
	got[i] = '\0';
	is_mem(got, sizeof(got), want, sizeof(want), "positions, 1 in 4");

	sample_init(&s, 0, SAMPLE_DETERMINISTIC, 0);
	is_int(s.interval, 1, "interval 0 is taken as 1");
	ok(sample_take(&s) && sample_take(&s), "interval 0 keeps all");
	sample_init(&s, 1, SAMPLE_RANDOM, 0);
	for (i = 0; i < 1000 && sample_take(&s); i++)
		;
	is_int(i, 1000, "random 1 in 1 keeps all");
	sample_init(&s, 3, (enum sample_mode)0, 0);
	for (i = 0; i + 1 < sizeof(want); i++)
		got[i] = sample_take(&s) ? '1' : '0';
	is_mem(got, 7, "1001001", 7, "unknown mode is deterministic");
}

/*
 * Over 1e6 packets the kept count is binomial(1e6, 1/N); bounds are five
 * standard deviations.  The generator is seeded, so the outcome is fixed;
 * the bounds say the fixed outcome is a plausible one.  Also each residue
 * of the packet number mod N must get its share, which a periodic pattern
 * would not.
 */
static void
test_random(uint32_t n, uint64_t seed, uint64_t tol, uint64_t tol_res)
{
	struct sample s;
	uint64_t i, kept = 0, *res, bad = 0, want = 1000000 / n;
	uint64_t want_res = want / n;

	res = calloc(n, sizeof(*res));
	sample_init(&s, n, SAMPLE_RANDOM, seed);
	for (i = 0; i < 1000000; i++)
		if (sample_take(&s)) {
			kept++;
			res[i % n]++;
		}
	diag("random 1 in %u, seed %llu: %llu kept, want %llu +- %llu", n,
	    (unsigned long long)seed, (unsigned long long)kept,
	    (unsigned long long)want, (unsigned long long)tol);
	ok(kept >= want - tol && kept <= want + tol,
	    "random 1 in %u (seed %llu): %llu kept of 1e6", n,
	    (unsigned long long)seed, (unsigned long long)kept);
	for (i = 0; i < n; i++)
		if (res[i] + tol_res < want_res || res[i] > want_res + tol_res)
			bad++;
	is_int(bad, 0, "random 1 in %u: every residue mod N gets its share",
	    n);
	free(res);
}

static void
test_seeds(void)
{
	struct sample a, b, c;
	int i, diff_ab = 0, diff_ac = 0;

	sample_init(&a, 10, SAMPLE_RANDOM, 0);
	sample_init(&b, 10, SAMPLE_RANDOM, 1);
	sample_init(&c, 10, SAMPLE_RANDOM, 0);
	ok(a.rng != 0, "seed 0 gives a non-zero state");
	for (i = 0; i < 1000; i++) {
		int ta = sample_take(&a);

		diff_ab += ta != sample_take(&b);
		diff_ac += ta != sample_take(&c);
	}
	ok(diff_ab > 50, "different seeds differ (%d of 1000)", diff_ab);
	is_int(diff_ac, 0, "the same seed repeats");
}

int
main(void)
{
	static const uint32_t det[] = { 1, 2, 3, 10, 100, 65535 };
	size_t i;

	for (i = 0; i < sizeof(det) / sizeof(det[0]); i++)
		test_deterministic(det[i]);
	test_positions();
	/* sd: sqrt(1e6 * .1 * .9) = 300; per residue sqrt(1e5*.09) = 95 */
	test_random(10, 1, 1500, 475);
	test_random(10, 0xdecafbad, 1500, 475);
	/* sd: sqrt(1e6 * .01 * .99) = 99.5; per residue sqrt(1e4*.0099) */
	test_random(100, 1, 500, 50);
	test_random(100, 12345, 500, 50);
	test_random(2, 7, 2500, 2500);
	test_seeds();
	return done();
}
