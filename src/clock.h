/*
 * The probe clock, in milliseconds.  Live capture: CLOCK_MONOTONIC, so NTP
 * steps on a router without an RTC never expire everything at once; a fixed
 * offset maps it to Unix time for the export header.  Replay (-r): packet
 * time stamps drive the clock, so results do not depend on read speed.
 */
#ifndef PF_CLOCK_H
#define PF_CLOCK_H

#include <stdint.h>

/*
 * sysUptime is 32-bit milliseconds; well before it would wrap (49.7 days)
 * the probe flushes every flow and starts a new uptime epoch.
 */
#define CLOCK_REBASE_MS		(1ULL << 31)

struct pf_clock {
	uint64_t	now_ms;		/* probe time, never goes backwards */
	uint64_t	boot_ms;	/* probe time of sysUptime 0 */
	int64_t		wall_offset_ms;	/* Unix ms = probe ms + offset */
	int		replay;
	int		started;	/* replay: first packet seen */
};

void	clock_init_live(struct pf_clock *);
void	clock_init_replay(struct pf_clock *);
/* Live: read the monotonic clock.  Returns now_ms. */
uint64_t clock_tick(struct pf_clock *);
/* 1 when sysUptime is about to leave its safe range. */
int	clock_needs_rebase(const struct pf_clock *);
void	clock_rebase(struct pf_clock *);
/* Whole seconds of probe time, for rate limiters. */
unsigned clock_secs(const struct pf_clock *);
/* CLOCK_MONOTONIC in nanoseconds, for pacing and timing; not probe time. */
uint64_t clock_mono_ns(void);

/*
 * The two calls each replayed packet makes, inline so that they cost no
 * call.
 *
 * Replay: advance to a packet's time (never backwards).  Returns now_ms.
 */
static inline uint64_t
clock_packet(struct pf_clock *c, uint64_t ts_us)
{
	uint64_t ms = ts_us / 1000;

	if (!c->started) {
		/* Boot on a whole second: the header's unix_secs then
		 * reconstructs flow times exactly (see nf9.c). */
		c->started = 1;
		c->now_ms = ms;
		c->boot_ms = ms - ms % 1000;
	}
	if (ms > c->now_ms)
		c->now_ms = ms;
	return c->now_ms;
}

/*
 * Replay: 1 if advancing to ts_us would leave sysUptime's safe range, so
 * flows must be flushed at the current time before the clock moves.  Runs
 * just before clock_packet(), so it compares in microseconds rather than
 * dividing a second time (a library call for 64-bit division on 32-bit
 * MIPS); the test that is nearly always false comes first.
 */
static inline int
clock_packet_needs_rebase(const struct pf_clock *c, uint64_t ts_us)
{
	return c->started && ts_us >= (c->boot_ms + CLOCK_REBASE_MS) * 1000 &&
	    ts_us >= (c->now_ms + 1) * 1000;
}

#endif
