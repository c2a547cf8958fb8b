/*
 * The probe's life: open every stage from the options (memory sized once,
 * from -M), run the capture loop -- poll over live captures, interface
 * events and conntrack, or a file read to its end -- feeding each packet
 * to the pipeline (pipeline.c), whose datagrams go to the export queue;
 * at the end flush everything and log the counters (stats.c).
 */
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "app_probe.h"
#include "capture.h"
#include "caps.h"
#include "clock.h"
#include "decode.h"
#include "enrich.h"
#include "expire.h"
#include "export.h"
#include "filter.h"
#include "flowtab.h"
#include "iftable.h"
#include "links.h"
#include "log.h"
#include "mem.h"
#include "nf9.h"
#include "offload.h"
#include "pipeline.h"
#include "print.h"
#include "privs.h"
#include "probe.h"
#include "sample.h"
#include "sandbox.h"
#include "stats.h"

#define LIVE_BURST	512	/* packets read per capture per poll round */
#define QUIT_LINGER_MS	100	/* longest wait for held frames at quit */

struct probe {
	const struct pf_opts	*o;
	const struct capture_ops *ops;
	struct capture		*cap[OPTS_MAX_IFACES];
	const char		*capname[OPTS_MAX_IFACES];
	uint8_t			 gone[OPTS_MAX_IFACES];	/* waiting for its
						 * interface to come back */
	unsigned		 ncap;
	struct iftable		 ift;
	struct links		*links;		/* NULL: no interface table */
	unsigned		 warn_reattach_s;
	struct pipeline		 pl;
	struct export		 exp;
	uint8_t			*encbuf;
	size_t			 ring_bytes;	/* per live capture, 0 = default */
	uint32_t		 kernel_sample;	/* the kernel keeps 1 in N */
	uint64_t		 kdrops;	/* kernel drops already logged */
	uint64_t		 kdrops_closed;	/* ... of captures closed since */
	unsigned		 warn_drop_s;
	uint64_t		 detached;	/* captures whose interface went
						 * away */
	uint64_t		 reattached;
	unsigned		 warn_send_s;
	uint32_t		 replay_speed;	/* test hook, 0 = off */
	uint64_t		 replay_t0_ns, replay_ts0_us;
};

static volatile sig_atomic_t got_quit, got_stats;

static void
on_signal(int sig)
{
	if (sig == SIGUSR1)
		got_stats = 1;
	else
		got_quit = 1;
}

static void
set_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_signal;	/* no SA_RESTART: poll must wake */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
}

static uint64_t
random_seed(void)
{
	uint64_t seed = 0;
	int fd;

	fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	if (fd != -1) {
		if (read(fd, &seed, sizeof(seed)) != (ssize_t)sizeof(seed))
			seed = 0;
		close(fd);
	}
	if (seed == 0)	/* weak, but the table still works */
		seed = (uint64_t)time(NULL) * 0x9e3779b97f4a7c15ULL ^
		    (uint64_t)getpid();
	return seed;
}

/*
 * Export counted new errors (since errors_before): a datagram was lost
 * (maybe one with the templates) or refused (the collector is down or
 * restarting), so the templates go again with the next one, and a
 * collector that comes back can decode at once rather than after
 * --template-secs.  0 if there was none.
 */
static int
send_failed(struct probe *pr, uint64_t errors_before)
{
	if (pr->exp.st.errors == errors_before)
		return 0;
	log_warnx_rl(&pr->warn_send_s, clock_secs(&pr->pl.clk),
		    "export: send failed: %s (counted; later failures are "
		    "reported once a minute)", strerror(pr->exp.last_errno));
	return 1;
}

/* pipeline_out.send: a datagram into the export queue (export.h). */
static int
export_datagram(void *arg, const uint8_t *buf, size_t len)
{
	struct probe *pr = arg;
	uint64_t errors = pr->exp.st.errors;

	export_send(&pr->exp, buf, len);
	return send_failed(pr, errors);
}

/*
 * Datagrams are queued for export a few at a time (export.h); this sends
 * them.  Called before the probe waits for anything (poll, the replay
 * test hook's sleep), at each tick, for the stats and at the end, so a
 * datagram never waits longer than the burst of work that made it.
 */
static void
flush_exports(struct probe *pr)
{
	uint64_t errors = pr->exp.st.errors;

	if (export_queued(&pr->exp) == 0)
		return;
	export_flush(&pr->exp);
	if (send_failed(pr, errors))
		pipeline_lost(&pr->pl);
}

/* pipeline_out.flush */
static void
export_burst_end(void *arg)
{
	flush_exports(arg);
}

static void
print_stats(struct probe *pr)
{
	struct stats s;
	unsigned i;

	flush_exports(pr);	/* so that the counts include them */
	memset(&s, 0, sizeof(s));
	s.pl = pr->pl.st;
	s.ex = pr->pl.ex.st;
	s.active = flowtab_count(pr->pl.tab);
	s.capacity = flowtab_capacity(pr->pl.tab);
	s.exp = pr->exp.st;
	s.detached = pr->detached;
	s.reattached = pr->reattached;
	s.kernel_sample = pr->kernel_sample;
	if (pr->pl.enr != NULL) {
		s.egress = pr->o->egress;
		s.nat = pr->o->nat;
		enrich_stats(pr->pl.enr, &s.enr);
	}
	if ((s.offload = pr->pl.off != NULL))
		offload_stats(pr->pl.off, &s.off);
	app_probe_stats(&pr->pl, pr->o, &s);
	for (i = 0; i < pr->ncap; i++) {
		s.cap[i].name = pr->capname[i];
		s.cap[i].ok = pr->cap[i] != NULL &&
		    pr->ops->stats(pr->cap[i], &s.cap[i].cs) == 0;
	}
	s.ncap = pr->ncap;
	stats_log(&s);
}

/*
 * A capture whose interface was removed stays open, detached, when the
 * backend can bind it again: its flows go out as they time out, and
 * relink() binds it to the next interface of that name (a PPPoE or
 * hotplug device comes back with a new index).  Otherwise it is closed.
 */
static void relink(struct probe *);

static void
stop_capture(struct probe *pr, unsigned i, const char *why)
{
	log_warnx("%s: capture stopped: %s", pr->capname[i], why);
	pr->ops->close(pr->cap[i]);
	pr->cap[i] = NULL;
}

static void
detach(struct probe *pr, unsigned i)
{
	if (pr->ops->reattach == NULL) {
		stop_capture(pr, i, pr->ops->error(pr->cap[i]));
		return;
	}
	log_warnx("%s: the interface was removed; its flows go out as they "
	    "time out, and capture resumes when an interface of that name "
	    "appears", pr->capname[i]);
	pr->gone[i] = 1;
	pr->detached++;
	relink(pr);
}

static void
relink(struct probe *pr)
{
	const struct iftable_entry *e;
	char err[256];
	unsigned i;

	for (i = 0; i < pr->ncap; i++) {
		if (!pr->gone[i] || pr->cap[i] == NULL)
			continue;
		e = pr->links != NULL ? iftable_by_name(&pr->ift,
		    pr->capname[i]) : NULL;
		if (pr->links != NULL && e == NULL)
			continue;
		if (pr->ops->reattach(pr->cap[i], pr->capname[i], err,
		    sizeof(err)) == -1) {
			if (pr->links != NULL)
				log_warnx_rl(&pr->warn_reattach_s,
				    clock_secs(&pr->pl.clk), "re-attaching: %s",
				    err);
			continue;
		}
		pr->gone[i] = 0;
		pr->reattached++;
		log_notice("%s: capturing again (interface index %" PRIu32
		    ")", pr->capname[i], e != NULL ? e->index : 0);
	}
}

static int
any_gone(const struct probe *pr)
{
	unsigned i;

	for (i = 0; i < pr->ncap; i++)
		if (pr->gone[i] && pr->cap[i] != NULL)
			return 1;
	return 0;
}

/* Link events, or a re-read where there are none. */
static void
links_changed(struct probe *pr, uint64_t now)
{
	char err[256];
	int rc;

	if (pr->links == NULL)
		return;
	if ((rc = links_update(pr->links, err, sizeof(err))) == -1)
		log_warnx_rl(&pr->warn_reattach_s, clock_secs(&pr->pl.clk), "%s",
		    err);
	if (rc != 1)
		return;
	relink(pr);
	pipeline_ifnames(&pr->pl, now);
}

/* A capture that can deliver: open, and not detached. */
static int
capture_live_at(const struct probe *pr, unsigned i)
{
	return pr->cap[i] != NULL && !pr->gone[i];
}

/*
 * Kernel drops, read every tick (the backend accumulates them): logged when
 * they grow, at most once a minute, with the count since the last message.
 * A capture whose stats fail can never deliver again (capture.h): it is
 * closed, or detached when its interface went away.
 */
static void
check_captures(struct probe *pr)
{
	struct capture_stats cs;
	uint64_t total = pr->kdrops_closed;
	unsigned i, now = clock_secs(&pr->pl.clk);

	for (i = 0; i < pr->ncap; i++) {
		if (!capture_live_at(pr, i))
			continue;
		int rc = pr->ops->stats(pr->cap[i], &cs);

		total += cs.dropped;
		if (rc == 0)
			continue;
		if (rc != CAPTURE_GONE || pr->ops->reattach == NULL)
			pr->kdrops_closed += cs.dropped;	/* closed */
		if (rc == CAPTURE_GONE)
			detach(pr, i);
		else
			stop_capture(pr, i, pr->ops->error(pr->cap[i]));
	}
	if (total <= pr->kdrops ||
	    (pr->warn_drop_s != 0 && now - pr->warn_drop_s < 60))
		return;
	log_warnx("the kernel dropped %" PRIu64 " frames (%" PRIu64 " in "
	    "all): the probe does not keep up; a larger -M gives a larger "
	    "ring", total - pr->kdrops, total);
	pr->kdrops = total;
	pr->warn_drop_s = now != 0 ? now : 1;
}

/*
 * Test hook, not a user feature: PICOFLOW_REPLAY_SPEED=N reads -r at N
 * times the capture's own pace (1 = as recorded), so the fault tests can
 * stop a collector or send a signal part way through a file.  It only
 * waits; the probe clock is still the packets' time stamps, so what is
 * exported does not change.  SIGUSR1 and SIGTERM are served while waiting.
 */
static int
replay_speed(struct probe *pr)
{
	const char *v = getenv("PICOFLOW_REPLAY_SPEED");
	char *end;
	unsigned long n;

	if (v == NULL || *v == '\0')
		return 0;
	errno = 0;
	n = strtoul(v, &end, 10);
	if (*end != '\0' || errno != 0 || n < 1 || n > 1000000 || v[0] == '-') {
		log_warnx("PICOFLOW_REPLAY_SPEED '%s': expected a number from "
		    "1 to 1000000 (or unset)", v);
		return 2;
	}
	pr->replay_speed = (uint32_t)n;
	return 0;
}

static void
replay_wait(struct probe *pr, uint64_t ts_us)
{
	uint64_t due, now;
	struct timespec ts;

	if (pr->replay_t0_ns == 0) {
		pr->replay_t0_ns = clock_mono_ns();
		pr->replay_ts0_us = ts_us;
	}
	if (ts_us <= pr->replay_ts0_us)
		return;
	flush_exports(pr);
	due = pr->replay_t0_ns + (ts_us - pr->replay_ts0_us) * 1000 /
	    pr->replay_speed;
	while (!got_quit && (now = clock_mono_ns()) < due) {
		ts.tv_sec = 0;
		ts.tv_nsec = (long)MIN(due - now, 100000000ULL);
		nanosleep(&ts, NULL);
		if (got_stats) {
			got_stats = 0;
			print_stats(pr);
		}
	}
}

static int
run_replay(struct probe *pr)
{
	struct pkt p;

	memset(&p, 0, sizeof(p));	/* fields a backend leaves: 0 */
	while (!got_quit) {
		int rc = pr->ops->next(pr->cap[0], &p);

		if (rc == 1 && pr->replay_speed != 0)
			replay_wait(pr, p.ts_us);
		if (rc == 1 && got_quit)
			break;	/* arrived during the wait: not accounted */
		if (rc == 1) {
			pipeline_replay_packet(&pr->pl, &p);
			if (got_stats) {
				got_stats = 0;
				print_stats(pr);
			}
			continue;
		}
		if (rc == CAPTURE_EOF)
			break;
		log_warnx("%s: %s (flows so far are exported)",
		    pr->capname[0], pr->ops->error(pr->cap[0]));
		return 1;
	}
	return 0;
}

/* Read up to LIVE_BURST frames from capture i, each at its own time. */
static void
drain(struct probe *pr, unsigned i)
{
	struct pkt p;
	unsigned k;
	int rc = 0;

	memset(&p, 0, sizeof(p));
	for (k = 0; k < LIVE_BURST; k++) {
		rc = pr->ops->next(pr->cap[i], &p);
		if (rc != 1)
			break;
		pipeline_live_packet(&pr->pl, &p);
	}
	if (rc == CAPTURE_GONE)
		detach(pr, i);
	else if (rc == -1 || rc == CAPTURE_EOF)
		stop_capture(pr, i, rc == -1 ? pr->ops->error(pr->cap[i]) :
		    "end of input");
}

static unsigned
captures_open(const struct probe *pr)
{
	unsigned i, n = 0;

	for (i = 0; i < pr->ncap; i++)
		n += pr->cap[i] != NULL;
	return n;
}

static void
set_pollfd(struct pollfd *pfd, int fd)
{
	pfd->fd = fd;
	pfd->events = POLLIN;
	pfd->revents = 0;
}

/* pfd[i] for capture i; -1 (left out by poll) for one that cannot deliver. */
static void
capture_pollfds(const struct probe *pr, struct pollfd *pfd)
{
	unsigned i;

	for (i = 0; i < pr->ncap; i++)
		set_pollfd(&pfd[i], capture_live_at(pr, i) ?
		    pr->ops->fd(pr->cap[i]) : -1);
}

/* Drain each capture that poll found ready (and is still live). */
static void
drain_ready(struct probe *pr, const struct pollfd *pfd)
{
	unsigned i;

	for (i = 0; i < pr->ncap; i++)
		if (capture_live_at(pr, i) && pfd[i].revents != 0)
			drain(pr, i);
}

/*
 * At the quit signal, frames the kernel still holds arrived before it and
 * are counted too: an AF_PACKET ring hands a block over only when it is
 * full or RETIRE_MS old, a BPF buffer on its read timeout.
 */
static void
drain_at_quit(struct probe *pr)
{
	struct pollfd pfd[OPTS_MAX_IFACES];
	uint64_t end = clock_tick(&pr->pl.clk) + QUIT_LINGER_MS;

	while (clock_tick(&pr->pl.clk) < end) {
		capture_pollfds(pr, pfd);
		if (poll(pfd, pr->ncap, (int)(end - pr->pl.clk.now_ms)) <= 0)
			return;
		drain_ready(pr, pfd);
	}
}

/*
 * One poll over the captures and the link monitor.  A detached capture
 * is left out (its socket only reports the old error); it comes back
 * through relink(), on a link event or, without events, once a tick.
 */
static int
run_live(struct probe *pr)
{
	struct pollfd pfd[OPTS_MAX_IFACES + 2];
	unsigned n = pr->ncap;

	pipeline_tick(&pr->pl, clock_tick(&pr->pl.clk));
	while (!got_quit && captures_open(pr) > 0) {
		uint64_t now = clock_tick(&pr->pl.clk);
		int timeout = now >= pr->pl.next_tick ? 0 :
		    (int)(pr->pl.next_tick - now);

		capture_pollfds(pr, pfd);
		set_pollfd(&pfd[n], pr->links != NULL ? links_fd(pr->links) :
		    -1);
		set_pollfd(&pfd[n + 1], pr->pl.off != NULL ?
		    offload_fd(pr->pl.off) : -1);
		flush_exports(pr);
		if (poll(pfd, n + 2, timeout) == -1 && errno != EINTR) {
			log_warn("poll");
			return 1;
		}
		now = clock_tick(&pr->pl.clk);
		if (pfd[n].revents != 0)
			links_changed(pr, now);
		if (pfd[n + 1].revents != 0)
			pipeline_offload(&pr->pl, now, 1);
		drain_ready(pr, pfd);
		if (now >= pr->pl.next_tick) {
			pipeline_tick(&pr->pl, now);
			check_captures(pr);
			/* Without link events: re-read once a tick. */
			if (pr->links != NULL && links_fd(pr->links) == -1)
				links_changed(pr, now);
			if (any_gone(pr))
				relink(pr);
		}
		if (got_stats) {
			got_stats = 0;
			print_stats(pr);
		}
	}
	if (got_quit)
		drain_at_quit(pr);
	return captures_open(pr) == 0 ? 1 : 0;
}

/* Size and allocate everything; returns 0, or an exit status. */
static int
setup_memory(struct probe *pr, size_t encsz)
{
	const struct pf_opts *o = pr->o;
	size_t n = o->max_flows, qsz, need;
	size_t bsz = PIPELINE_BATCH * sizeof(*pr->pl.batch);

	if (o->file == NULL && o->mem_budget != 0) {
		/* Kernel capture rings count against -M too: a quarter of
		 * it, at most libpcap's usual 2 MiB, per interface. */
		pr->ring_bytes = MIN(o->mem_budget / 4 / o->nifaces,
		    (size_t)2 << 20);
		mem_account(pr->ring_bytes * o->nifaces, "capture rings");
	}

	pr->encbuf = mem_alloc(encsz, "export buffer");
	pr->pl.batch_max = PIPELINE_BATCH;
	pr->pl.batch = mem_alloc(bsz, "record batch");
	/* Export datagrams a few at a time (export.h); not without -n. */
	qsz = pr->exp.ncol != 0 ? export_batch_bytes(o->mtu) : 0;
	if (pr->encbuf == NULL || pr->pl.batch == NULL ||
	    (qsz != 0 && export_batch(&pr->exp, o->mtu) == -1)) {
		log_warnx("-M %zu: too small even for the export buffers; "
		    "expected at least %zu bytes with these options",
		    o->mem_budget, mem_used() + (pr->encbuf == NULL ? encsz :
		    0) + (pr->pl.batch == NULL ? bsz : 0) + qsz +
		    flowtab_bytes(1));
		return 2;
	}
	if (n == 0 && o->mem_budget == 0)
		n = OPTS_DEFAULT_MAX_FLOWS;
	/* with --app-info's or --process's table beside the flow table */
	else if (n == 0 && (n = app_probe_max_flows(o, mem_left())) == 0) {
		log_warnx("-M %zu: no room left for a flow table; expected "
		    "at least %zu bytes with these options", o->mem_budget,
		    mem_used() + app_probe_table_bytes(o, 1));
		return 2;
	} else if ((need = app_probe_table_bytes(o, n)) > mem_left()) {
		log_warnx("-m %zu needs %zu bytes for the flow table%s, but "
		    "only %zu of -M %zu are left: expected -m at most %zu, "
		    "or -M at least %zu", n, need, APP_PROBE_BUILT &&
		    o->app_info ? " and --app-info" : "", mem_left(),
		    o->mem_budget, app_probe_max_flows(o, mem_left()),
		    mem_used() + need);
		return 2;
	}
	if ((pr->pl.tab = flowtab_new(n, random_seed())) == NULL) {
		log_warnx("-m %zu: cannot allocate a flow table of %zu "
		    "bytes: %s", n, flowtab_bytes(n), strerror(errno));
		return 1;
	}
	return app_probe_setup(&pr->pl, o, n);
}

/*
 * A capture is worth opening if the decoder knows one of its link types:
 * a pcapng file may declare an interface of another type first, whose
 * frames are then skipped (linktype) while the rest are decoded.
 */
static int
capture_decodable(const struct capture_ops *ops, struct capture *cap)
{
	int dlts[16];
	unsigned i, n;

	if (ops->datalinks == NULL)
		return decode_dlt_supported(ops->datalink(cap));
	n = ops->datalinks(cap, dlts, 16);
	for (i = 0; i < n; i++)
		if (decode_dlt_supported(dlts[i]))
			return 1;
	return 0;
}

static int
open_captures(struct probe *pr)
{
	const struct pf_opts *o = pr->o;
	struct capture_cfg cfg;
	char err[512];
	unsigned i, n = o->file != NULL ? 1 : o->nifaces;

	memset(&cfg, 0, sizeof(cfg));
	cfg.filter = o->filter;
	cfg.snaplen = o->snaplen;
	app_probe_capture(o, &cfg);
	cfg.promisc = o->promisc;
	if (o->file == NULL)
		pr->ops = &capture_live;
	else
		pr->ops = o->libpcap_reader ? &capture_libpcap_file :
		    &capture_file;
	cfg.buffer_bytes = pr->ring_bytes;
	/* Random sampling is done before the copy where the backend can;
	 * deterministic sampling needs the count, so stays here. */
	if (o->file == NULL && o->sample_random && o->sample_interval > 1 &&
	    (pr->ops->caps & CAPTURE_CAN_SAMPLE))
		pr->kernel_sample = cfg.kernel_sample = o->sample_interval;
	for (i = 0; i < n; i++) {
		cfg.source = o->file != NULL ? o->file : o->ifaces[i];
		pr->capname[i] = cfg.source;
		pr->cap[i] = pr->ops->open(&cfg, err, sizeof(err));
		if (pr->cap[i] == NULL) {
			log_warnx("%s", err);
			return 1;
		}
		pr->ncap++;
		if (!capture_decodable(pr->ops, pr->cap[i])) {
			log_warnx("%s: link type %d (%s) is not supported",
			    cfg.source, pr->ops->datalink(pr->cap[i]),
			    "see picoflow(8) for the supported ones");
			return 1;
		}
		if (o->file == NULL)
			log_notice("%s: capturing (%s backend)", cfg.source,
			    pr->ops->name);
	}
	return 0;
}

/*
 * The interface table, for live capture: names for the collectors and
 * the way back for a capture whose interface is re-created.  Without it
 * the probe still works (names are not sent; a removed interface is
 * looked up by name once a second), so a failure is a warning.
 */
static void
open_links(struct probe *pr)
{
	char err[256];

	if (iftable_init(&pr->ift, IFTABLE_DEFAULT_MAX) == -1) {
		log_warnx("-M: no room for an interface table (%zu bytes): "
		    "interface names are not sent", iftable_bytes(
		    IFTABLE_DEFAULT_MAX));
		return;
	}
	if ((pr->links = links_open(&pr->ift, err, sizeof(err))) == NULL) {
		log_warnx("%s: interface names are not sent", err);
		iftable_free(&pr->ift);
		return;
	}
	log_debug("interfaces: %zu known (%s)", pr->ift.n, links_source());
}

/* --egress, --nat: before the flow table, which takes what -M leaves. */
static int
open_enrich(struct probe *pr)
{
	struct enrich_cfg c;
	char err[512];

	if (!pr->o->egress && !pr->o->nat)
		return 0;
	memset(&c, 0, sizeof(c));
	c.egress = pr->o->egress;
	c.nat = pr->o->nat;
	c.max_lookups = pr->o->lookup_rate;
	if ((pr->pl.enr = enrich_open(&c, err, sizeof(err))) == NULL) {
		log_warnx("%s", err);
		return 1;
	}
	return 0;
}

/* --offload-flows: like open_enrich, before the flow table. */
static int
open_offload(struct probe *pr)
{
	struct offload_cfg c;
	struct expire_cfg ec;
	const char *test;
	char err[512];

	if (pr->o->offload == OFFLOAD_OFF)
		return 0;
	/* A dump every active timeout: long flows, captured or not, are
	 * reported at the same pace. */
	expire_defaults(&ec);
	memset(&c, 0, sizeof(c));
	c.mode = pr->o->offload;
	c.interval_ms = pr->o->active_s != 0 ? pr->o->active_s * 1000 :
	    ec.active_ms;
	/*
	 * Test hook, not a user feature: PICOFLOW_OFFLOAD_TEST=any takes
	 * every connection for offloaded, so tests/integration/offload.sh
	 * can check the counters on a kernel without nf_flow_table.
	 */
	if ((test = getenv("PICOFLOW_OFFLOAD_TEST")) != NULL &&
	    strcmp(test, "any") == 0) {
		log_warnx("PICOFLOW_OFFLOAD_TEST=any: every connection is "
		    "taken for offloaded (a test hook)");
		c.mode = OFFLOAD_ANY;
	}
	if ((pr->pl.off = offload_open(&c, err, sizeof(err))) == NULL) {
		log_warnx("%s", err);
		return 1;
	}
	return 0;
}

static int
open_exporters(struct probe *pr)
{
	char err[512];
	unsigned i;

	int rc = 0;

	export_init(&pr->exp, pr->o->pace);
	for (i = 0; i < pr->o->ncollectors; i++) {
		/* 1: no route yet; sends are retried, counted */
		int added = export_add(&pr->exp, pr->o->collectors[i], err,
		    sizeof(err));

		if (added != 0)
			log_warnx("-n %s", err);
		if (added == -1 && !pr->o->check_only)
			return 1;
		if (added == -1)
			rc = 1;
	}
	return rc;
}

static void
setup_policy(struct probe *pr)
{
	const struct pf_opts *o = pr->o;
	unsigned i;

	expire_defaults(&pr->pl.ex.cfg);
	memset(&pr->pl.ex.st, 0, sizeof(pr->pl.ex.st));
	for (i = 0; i < FLOWTAB_NCLASS; i++)
		if (o->idle_s[i] != 0)
			pr->pl.ex.cfg.idle_ms[i] = o->idle_s[i] * 1000;
	if (o->active_s != 0)
		pr->pl.ex.cfg.active_ms = o->active_s * 1000;
	sample_init(&pr->pl.smp, pr->kernel_sample != 0 ? 1 :
	    o->sample_interval, o->sample_random ?
	    SAMPLE_RANDOM : SAMPLE_DETERMINISTIC, random_seed());
	/* Downstream of the pipeline: the export queue, -P, the names. */
	pr->pl.out.send = pr->exp.ncol != 0 ? export_datagram : NULL;
	pr->pl.out.flush = export_burst_end;
	pr->pl.out.arg = pr;
	pr->pl.print = o->print;
	pr->pl.ift = pr->links != NULL && !o->no_ifnames ? &pr->ift : NULL;
}

static int
setup_encoder(struct probe *pr, size_t sz)
{
	const struct pf_opts *o = pr->o;
	struct nf9_cfg c;

	memset(&c, 0, sizeof(c));
	c.version = o->version;		/* the one place -v picks a format */
	c.source_id = o->source_id;
	c.mtu = o->mtu;
	c.tmpl_every_pkts = o->tmpl_packets;
	c.tmpl_every_ms = o->tmpl_secs * 1000;
	c.sampling_interval = o->sample_interval;
	c.sampling_algorithm = o->sample_random ? SAMPLE_RANDOM :
	    SAMPLE_DETERMINISTIC;
	c.nat_fields = o->nat;
	c.app_fields = APP_PROBE_BUILT && o->app_info;
	c.proc_fields = APP_PROBE_BUILT && o->process;
	if (nf9_init(&pr->pl.enc, &c, pr->encbuf, sz, pr->pl.clk.boot_ms,
	    pr->pl.clk.wall_offset_ms) == -1) {
		log_warnx("--mtu %u, -s, -S: not usable with -v %u", c.mtu,
		    c.version);
		return 2;
	}
	return 0;
}

/*
 * Open every stage.  Returns 0, or an exit status.  A normal start stops at
 * the first failure; -T goes on so that it reports every problem at once
 * (a stage that cannot work without an earlier one is then skipped).
 */
static int
setup(struct probe *pr)
{
	const struct pf_opts *o = pr->o;
	size_t encsz = nf9_buf_bytes(o->mtu);
	char err[512];
	int rc, worst = 0;

#define STEP(call)	do {						\
		if ((rc = (call)) != 0) {				\
			if (!o->check_only)				\
				return rc;				\
			worst = rc;					\
		}							\
	} while (0)

	mem_init(o->mem_budget != 0 ? o->mem_budget : MEM_UNLIMITED);
	if (o->filter != NULL &&
	    filter_check(o->filter, o->snaplen, err, sizeof(err)) == -1) {
		log_warnx("%s", err);
		STEP(2);
	}
	STEP(open_exporters(pr));
	STEP(open_enrich(pr));
	STEP(open_offload(pr));
	STEP(app_probe_open(&pr->pl, o));	/* --process */
	if (o->file == NULL)
		open_links(pr);		/* before the flow table takes the rest */
	STEP(setup_memory(pr, encsz));
	STEP(open_captures(pr));
	if (o->file != NULL) {
		clock_init_replay(&pr->pl.clk);
		STEP(replay_speed(pr));
	} else
		clock_init_live(&pr->pl.clk);
	setup_policy(pr);
	if (pr->encbuf != NULL)
		STEP(setup_encoder(pr, encsz));
#undef STEP
	mem_seal();
	return worst;
}

static void
teardown(struct probe *pr)
{
	unsigned i;

	for (i = 0; i < pr->ncap; i++)
		if (pr->cap[i] != NULL)
			pr->ops->close(pr->cap[i]);
	export_close(&pr->exp);
	links_close(pr->links);
	iftable_free(&pr->ift);
	enrich_close(pr->pl.enr);
	offload_close(pr->pl.off);
	app_probe_close(&pr->pl);
	flowtab_free(pr->pl.tab);
	mem_free(pr->pl.batch);
	mem_free(pr->encbuf);
}

/*
 * -u: everything that needs root is open by now (-T only looks it up);
 * conntrack still wants CAP_NET_ADMIN for each question.
 */
static int
drop_privileges(const struct pf_opts *o)
{
	char err[256];
	unsigned keep;
	uid_t uid;
	gid_t gid;

	if (privs_lookup(o->user, &uid, &gid, err, sizeof(err)) == -1) {
		log_warnx("%s", err);
		return 2;
	}
	keep = o->nat || o->offload != OFFLOAD_OFF ? CAPS_NET_ADMIN : 0;
	if (APP_PROBE_BUILT && o->process)
		keep |= CAPS_PROC;
	if (!o->check_only && privs_drop(uid, gid, keep, err,
	    sizeof(err)) == -1) {
		log_warnx("%s", err);
		return 1;
	}
	if (!o->check_only)
		log_notice("running as %s (uid %lu)", o->user,
		    (unsigned long)uid);
	return 0;
}

/*
 * What the steady state does with these flags (sandbox.h): everything
 * else is refused from here on.
 */
static unsigned
sandbox_needs(const struct probe *pr, int log_stderr)
{
	const struct pf_opts *o = pr->o;
	unsigned n = o->file != NULL ? SANDBOX_FILE : SANDBOX_CAPTURE;

	if (o->file == NULL && pr->ops->reattach != NULL)
		n |= SANDBOX_REBIND;
	if (APP_PROBE_BUILT && pr->pl.proc != NULL)
		n |= SANDBOX_PROC | SANDBOX_NETLINK;
	if (pr->pl.enr != NULL || pr->pl.off != NULL ||
	    (pr->links != NULL && links_fd(pr->links) != -1))
		n |= SANDBOX_NETLINK;
	if (pr->links != NULL && links_fd(pr->links) == -1)
		n |= SANDBOX_IFLIST;
	if (pr->exp.ncol != 0)
		n |= SANDBOX_EXPORT;
	if (o->pace != 0 || pr->replay_speed != 0)
		n |= SANDBOX_SLEEP;
	if (!log_stderr)
		n |= SANDBOX_SYSLOG;
	return n;
}

/* Returns 0, or an exit status: a kernel that refuses a filter it has. */
static int
enter_sandbox(const struct probe *pr, int log_stderr)
{
	char err[256];
	int rc;

	if (pr->o->no_sandbox) {
		log_notice("not sandboxed (--no-sandbox)");
		return 0;
	}
	rc = sandbox_enter(sandbox_needs(pr, log_stderr), err, sizeof(err));
	if (rc == -1) {
		log_warnx("%s", err);
		return 1;
	}
	if (rc == 1)
		log_notice("not sandboxed: %s", err);
	else
		log_debug("sandboxed (%s)", sandbox_kind());
	return 0;
}

int
probe_run(const struct pf_opts *o)
{
	static struct probe pr;
	int rc, log_stderr = o->file != NULL || o->debug || o->check_only ||
	    isatty(STDERR_FILENO);

	log_init(log_stderr, o->debug ? LOG_LVL_DEBUG : LOG_LVL_NOTICE);
	memset(&pr, 0, sizeof(pr));
	pr.o = o;
	rc = setup(&pr);
	if (rc == 0 && o->user != NULL)
		rc = drop_privileges(o);
	if (rc == 0 && (o->check_only || o->debug))
		mem_report(stderr);
	if (rc != 0 || o->check_only) {
		unsigned warned = log_warnings();

		/* A warning names something the probe would run without
		 * (interface names, say): not OK, though it would start. */
		if (rc == 0 && warned == 0)
			printf("configuration OK\n");
		else if (rc == 0)
			printf("configuration usable, with %u warning%s above\n",
			    warned, warned == 1 ? "" : "s");
		teardown(&pr);
		/* -T: 0 or 2, as the init script's validation expects */
		return o->check_only && rc != 0 ? 2 : rc;
	}
	set_signals();
	log_running();
	if (o->print)
		print_header(stdout);
	if ((rc = enter_sandbox(&pr, log_stderr)) != 0) {
		teardown(&pr);
		return rc;
	}
	rc = o->file != NULL ? run_replay(&pr) : run_live(&pr);
	pipeline_finish(&pr.pl);
	flush_exports(&pr);
	fflush(stdout);
	print_stats(&pr);
	teardown(&pr);
	return rc;
}
