/* The probe clock: replay follows packets, never goes backwards, rebases. */
#include "clock.h"
#include "tap.h"

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
	return done();
}
