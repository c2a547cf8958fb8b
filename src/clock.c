/* Probe clock: monotonic live, packet-driven in replay (see clock.h). */
#include <time.h>

#include "clock.h"

static uint64_t
read_ms(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

uint64_t
clock_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* Unix ms minus monotonic ms, from two reads as close as they come. */
static int64_t
read_wall_offset(void)
{
	struct timespec mono, wall;

	clock_gettime(CLOCK_MONOTONIC, &mono);
	clock_gettime(CLOCK_REALTIME, &wall);
	return ((int64_t)wall.tv_sec - (int64_t)mono.tv_sec) * 1000 +
	    ((long)wall.tv_nsec - (long)mono.tv_nsec) / 1000000;
}

void
clock_init_live(struct pf_clock *c)
{
	uint64_t mono = read_ms(CLOCK_MONOTONIC);

	c->replay = 0;
	c->started = 1;
	c->now_ms = mono;
	c->boot_ms = mono;
	c->frame_ms = mono;
	c->wall_offset_ms = read_wall_offset();
	c->step_offset_ms = c->wall_offset_ms;
}

int
clock_wall_stepped(struct pf_clock *c)
{
	int64_t d;

	if (c->replay)
		return 0;
	c->step_offset_ms = read_wall_offset();
	d = c->step_offset_ms - c->wall_offset_ms;
	return d >= CLOCK_STEP_MS || d <= -CLOCK_STEP_MS;
}

void
clock_follow_wall(struct pf_clock *c)
{
	c->wall_offset_ms = c->step_offset_ms;
	clock_rebase(c);
}

void
clock_init_replay(struct pf_clock *c)
{
	c->replay = 1;
	c->started = 0;
	c->now_ms = 0;
	c->boot_ms = 0;
	c->frame_ms = 0;
	c->wall_offset_ms = 0;
	c->step_offset_ms = 0;
}

uint64_t
clock_tick(struct pf_clock *c)
{
	uint64_t mono;

	if (c->replay)
		return c->now_ms;
	mono = read_ms(CLOCK_MONOTONIC);
	if (mono > c->now_ms)
		c->now_ms = mono;
	return c->now_ms;
}

int
clock_needs_rebase(const struct pf_clock *c)
{
	return c->now_ms - c->boot_ms >= CLOCK_REBASE_MS;
}

void
clock_rebase(struct pf_clock *c)
{
	c->boot_ms = c->now_ms - c->now_ms % 1000;
	/* No frame of the new epoch may claim a time before its start. */
	if (c->frame_ms < c->boot_ms)
		c->frame_ms = c->boot_ms;
}

unsigned
clock_secs(const struct pf_clock *c)
{
	return (unsigned)(c->now_ms / 1000);
}
