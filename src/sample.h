/* 1-in-N packet sampling, deterministic (every Nth) or random. */
#ifndef PF_SAMPLE_H
#define PF_SAMPLE_H

#include <stdint.h>

/* Values as NetFlow v9 SAMPLING_ALGORITHM (field 35) announces them. */
enum sample_mode {
	SAMPLE_DETERMINISTIC = 1,
	SAMPLE_RANDOM = 2
};

struct sample {
	uint32_t	interval;	/* N: keep 1 packet in N; 1 = all */
	uint32_t	countdown;	/* deterministic: skips before next */
	enum sample_mode mode;
	uint64_t	rng;		/* random: xorshift64* state, never 0 */
};

/*
 * Deterministic mode keeps the first packet and then every Nth: packets
 * 0, N, 2N, ... counting from 0, exactly 1 in N.  Random mode keeps each
 * packet independently with probability 1/N (to within 2^-32), drawn from a
 * generator seeded from seed; the same seed gives the same choices.
 * interval 0 is taken as 1; any mode other than SAMPLE_RANDOM is
 * deterministic.
 */
void	sample_init(struct sample *, uint32_t interval, enum sample_mode,
	    uint64_t seed);
/* Random mode's draw: 1 with probability 1/interval. */
int	sample_random(struct sample *);

/* 1 if this packet is to be accounted.  Inline: every packet asks. */
static inline int
sample_take(struct sample *s)
{
	if (s->interval == 1)
		return 1;
	if (s->mode != SAMPLE_DETERMINISTIC)
		return sample_random(s);
	if (s->countdown == 0) {
		s->countdown = s->interval - 1;
		return 1;
	}
	s->countdown--;
	return 0;
}

#endif
