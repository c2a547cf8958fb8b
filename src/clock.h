/*
 * The probe clock, in milliseconds.  Live capture: CLOCK_MONOTONIC, so NTP
 * steps on a router without an RTC never expire everything at once; an
 * offset maps it to Unix time for the export header.  That offset follows
 * steps of the wall clock (clock_wall_stepped()), as a router's clock is
 * wrong from boot until NTP sets it.  Frames keep the time the kernel
 * stamped them with (clock_frame()).  Replay (-r): packet time stamps
 * drive the clock, so results do not depend on read speed.
 */
#ifndef PF_CLOCK_H
#define PF_CLOCK_H

#include <stdint.h>

/*
 * sysUptime is 32-bit milliseconds; well before it would wrap (49.7 days)
 * the probe flushes every flow and starts a new uptime epoch.
 */
#define CLOCK_REBASE_MS		(1ULL << 31)

/*
 * Unix time minus monotonic time changes only when the wall clock is set
 * (settimeofday, clock_settime, a leap second), never by NTP's slewing,
 * which moves both clocks alike.  A change of at least CLOCK_STEP_MS is
 * followed; smaller ones, which a pair of reads can show, are not.
 */
#define CLOCK_STEP_MS		100

/*
 * A frame stamped more than this before the probe reads it, or after, is
 * taken at the time it is read: its stamp is from the other side of a
 * wall-clock step not yet followed.  Frames otherwise wait at most the
 * capture's block timeout (50 ms) plus the time a backlog takes.
 */
#define CLOCK_FRAME_SLACK_MS	2000

struct pf_clock {
	uint64_t	now_ms;		/* probe time, never goes backwards */
	uint64_t	boot_ms;	/* probe time of sysUptime 0 */
	int64_t		wall_offset_ms;	/* Unix ms = probe ms + offset */
	int64_t		step_offset_ms;	/* live: the offset a step brought */
	uint64_t	frame_ms;	/* live: last frame's time */
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
/*
 * Live: 1 when the wall clock was stepped by CLOCK_STEP_MS or more since
 * the offset was last read; clock_follow_wall() then takes the new offset
 * and starts a new sysUptime epoch, once the flows of the old one are out.
 */
int	clock_wall_stepped(struct pf_clock *);
void	clock_follow_wall(struct pf_clock *);
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

/*
 * Live: the probe time of a frame the kernel stamped ts_us (Unix time),
 * after clock_tick() has read the time the frame is handled at.  Frame
 * times never go backwards, so a flow's LAST never precedes its FIRST.
 */
static inline uint64_t
clock_frame(struct pf_clock *c, uint64_t ts_us)
{
	/* How far the stamp is behind the read time, in us: a 64-bit
	 * subtraction and, once it is known to be small, a 32-bit division
	 * (a 64-bit one is a library call a frame on 32-bit MIPS). */
	uint64_t read_us = (c->now_ms + (uint64_t)c->wall_offset_ms) * 1000;
	uint64_t behind = read_us - ts_us;
	uint64_t t;

	if (ts_us > read_us || behind > CLOCK_FRAME_SLACK_MS * 1000)
		t = c->now_ms;
	else	/* floor(ts_us / 1000) in probe time */
		t = c->now_ms - ((uint32_t)behind + 999) / 1000;
	if (t < c->frame_ms)
		t = c->frame_ms;
	c->frame_ms = t;
	return t;
}

#endif
