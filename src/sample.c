/* 1-in-N packet sampling: a countdown, or xorshift64* draws. */
#include <stdint.h>

#include "sample.h"

void
sample_init(struct sample *s, uint32_t interval, enum sample_mode mode,
    uint64_t seed)
{
	uint64_t z;

	s->interval = interval == 0 ? 1 : interval;
	s->mode = mode == SAMPLE_RANDOM ? SAMPLE_RANDOM : SAMPLE_DETERMINISTIC;
	s->countdown = 0;	/* the first packet is kept */

	/*
	 * One splitmix64 step spreads seeds such as 0, 1, 2 over the whole
	 * state; xorshift64* is stuck at 0, so that one value is replaced.
	 */
	z = seed + 0x9e3779b97f4a7c15ULL;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	z ^= z >> 31;
	s->rng = z != 0 ? z : 0x9e3779b97f4a7c15ULL;
}

/* xorshift64* (Vigna 2016); the high 32 bits of the output are the best. */
static uint32_t
next32(struct sample *s)
{
	uint64_t x = s->rng;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	s->rng = x;
	return (uint32_t)((x * 0x2545f4914f6cdd1dULL) >> 32);
}

int
sample_random(struct sample *s)
{
	/*
	 * r * N >> 32 maps r uniformly onto 0..N-1 without a division
	 * (Lemire); it is 0 for ceil(2^32 / N) of the 2^32 values of r.
	 */
	return ((uint64_t)next32(s) * s->interval >> 32) == 0;
}
