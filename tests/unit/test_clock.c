/*
 * The probe clock: replay follows packets, never goes backwards, rebases;
 * live frames keep their kernel stamps; wall-clock steps are seen.
 */
#include "clock.h"
#include "tap.h"

/* A live clock at probe time 1,000,000 ms, Unix time = probe + W. */
#define W	1700000000000LL

static void
live_at(struct pf_clock *c, uint64_t now)
{
	clock_init_live(c);
	c->now_ms = c->boot_ms = c->frame_ms = now;
	c->wall_offset_ms = c->step_offset_ms = W;
}

static uint64_t
stamp(uint64_t probe_ms, unsigned us)	/* the kernel's Unix us */
{
	return (probe_ms + (uint64_t)W) * 1000 + us;
}

static void
test_frames(void)
{
	struct pf_clock c;

	live_at(&c, 1000000);
	c.now_ms = 1000100;		/* read after poll */
	is_int(clock_frame(&c, stamp(1000040, 999)), 1000040,
	    "a frame keeps its kernel stamp, to the ms");
	is_int(clock_frame(&c, stamp(1000070, 0)), 1000070, "the next one");
	is_int(clock_frame(&c, stamp(1000050, 0)), 1000070,
	    "an older stamp (another ring) does not move frame time back");
	is_int(clock_frame(&c, stamp(1000200, 0)), 1000100,
	    "a stamp after the read time is taken at the read time");
	c.now_ms = 1100000;
	is_int(clock_frame(&c, stamp(1100000 - CLOCK_FRAME_SLACK_MS - 1, 0)),
	    1100000, "a stamp from before an unseen step: read time");
	is_int(clock_frame(&c, 5), 1100000,
	    "a stamp before the offset (clock stepped back): read time");
	c.now_ms = 1100500;
	c.frame_ms = 1099999;
	clock_rebase(&c);
	is_int(c.boot_ms, 1100000, "rebase on a whole second");
	is_int(clock_frame(&c, stamp(1099999, 0)), 1100000,
	    "no frame of a new epoch before its start");
}

static void
test_steps(void)
{
	struct pf_clock c;
	int64_t real;

	clock_init_live(&c);
	is_int(clock_wall_stepped(&c), 0, "no step just after start");
	real = c.wall_offset_ms;
	c.wall_offset_ms = real - 3600000;	/* as if set an hour ago */
	is_int(clock_wall_stepped(&c), 1, "a step forward is seen");
	c.now_ms += 1500;
	clock_follow_wall(&c);
	ok(c.wall_offset_ms - real < CLOCK_STEP_MS &&
	    real - c.wall_offset_ms < CLOCK_STEP_MS, "the new offset is taken");
	is_int(c.boot_ms % 1000, 0, "a new epoch on a whole second");
	is_int(clock_wall_stepped(&c), 0, "followed: no step any more");
	c.wall_offset_ms = real + 86400000;
	is_int(clock_wall_stepped(&c), 1, "a step backwards is seen");
	c.wall_offset_ms = real + CLOCK_STEP_MS / 2;
	is_int(clock_wall_stepped(&c), 0, "a change below CLOCK_STEP_MS is not");
	clock_init_replay(&c);
	is_int(clock_wall_stepped(&c), 0, "replay never steps");
}

int
main(void)
{
	struct pf_clock c;
	uint64_t t0 = 1284385406780561ULL;	/* us */

	clock_init_replay(&c);
	is_int(clock_packet_needs_rebase(&c, t0), 0, "no rebase before start");
	is_int(clock_packet(&c, t0), t0 / 1000, "first packet sets now");
	is_int(c.boot_ms, 1284385406000ULL, "boot on a whole second");
	is_int(c.wall_offset_ms, 0, "replay: probe time is Unix time");
	is_int(clock_packet(&c, t0 - 5000000), t0 / 1000,
	    "a packet from the past does not move the clock back");
	is_int(clock_packet(&c, t0 + 2500), (t0 + 2500) / 1000, "advances");
	is_int(clock_secs(&c), t0 / 1000000, "seconds");
	is_int(clock_needs_rebase(&c), 0, "far from wrap");
	is_int(clock_packet_needs_rebase(&c, t0 + (CLOCK_REBASE_MS + 10) *
	    1000), 1, "a jump past the safe range asks for a rebase");
	clock_packet(&c, t0 + (CLOCK_REBASE_MS + 10) * 1000);
	is_int(clock_needs_rebase(&c), 1, "now past the safe range");
	clock_rebase(&c);
	is_int(clock_needs_rebase(&c), 0, "rebased");
	is_int(c.boot_ms % 1000, 0, "rebased boot on a whole second");

	clock_init_live(&c);
	ok(c.now_ms == c.boot_ms, "live: boot is start");
	ok(clock_tick(&c) >= c.boot_ms, "live: monotonic");
	ok(c.wall_offset_ms > 0, "live: wall offset maps to Unix time");
	test_frames();
	test_steps();
	return done();
}
