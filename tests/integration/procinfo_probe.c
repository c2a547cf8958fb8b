/*
 * Driver for tests/integration/procinfo.sh: opens procinfo (procinfo.h)
 * in the namespace it runs in and looks up the flows named on the command
 * line, each end that is local, printing one line per lookup:
 *   SRC|DST PROTO SADDR SPORT DADDR DPORT rc=N pid=P name=C uid=U user=N
 * With -b N it then measures: N lookups of each flow (sock_diag request +
 * cache hit), the first lookup on a fresh handle (cache miss: request +
 * /proc scan), and procinfo_is_local() on an address that is not local
 * (what a forwarded flow pays); and prints the memory taken.
 *
 * With -a ADDR (IPv4) it first says whether ADDR is local, then asks
 * every 100 ms for up to 5 s until it is (the test adds it meanwhile):
 *   LOCAL ADDR at-open=0|1 later=0|1 after=MS
 *
 * usage: procinfo_probe [-r RATE] [-c SLOTS] [-b N] [-a ADDR]
 *            PROTO:SRC:SPORT:DST:DPORT...
 * (IPv6 addresses in brackets: tcp:[::1]:80:[::1]:5000)
 */
#include <arpa/inet.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "mem.h"
#include "procinfo.h"

#define MAX_FLOWS	16

static unsigned rate = 0;
static size_t slots = 256;

/* One address: "[v6]" or v4, up to the next ':' outside brackets. */
static const char *
addr(const char *s, uint8_t *a, uint8_t *ver)
{
	char buf[64];
	const char *end;
	size_t n;

	if (*s == '[') {
		if ((end = strchr(s, ']')) == NULL)
			return NULL;
		n = (size_t)(end - s - 1);
		s++;
		end++;
		*ver = 6;
	} else {
		if ((end = strchr(s, ':')) == NULL)
			return NULL;
		n = (size_t)(end - s);
		*ver = 4;
	}
	if (n >= sizeof(buf) || *end != ':')
		return NULL;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (inet_pton(*ver == 4 ? AF_INET : AF_INET6, buf, a) != 1)
		return NULL;
	return end + 1;
}

static int
parse(const char *arg, struct flow_key *k)
{
	uint8_t v2;
	char *e;

	memset(k, 0, sizeof(*k));
	if (strncmp(arg, "tcp:", 4) == 0)
		k->proto = 6;
	else if (strncmp(arg, "udp:", 4) == 0)
		k->proto = 17;
	else
		return -1;
	arg += 4;
	if ((arg = addr(arg, k->src, &k->ipver)) == NULL)
		return -1;
	k->sport = (uint16_t)strtoul(arg, &e, 10);
	if (*e != ':' || (arg = addr(e + 1, k->dst, &v2)) == NULL ||
	    v2 != k->ipver)
		return -1;
	k->dport = (uint16_t)strtoul(arg, &e, 10);
	return *e == '\0' ? 0 : -1;
}

static uint64_t
now_ms(void)
{
	return clock_mono_ns() / 1000000;
}

static void
show(const struct flow_key *k, int side, int rc, const struct proc_owner *o)
{
	char s[64], d[64];
	int af = k->ipver == 4 ? AF_INET : AF_INET6;

	inet_ntop(af, k->src, s, sizeof(s));
	inet_ntop(af, k->dst, d, sizeof(d));
	printf("%s %s %s %u %s %u rc=%d pid=%u name=%s uid=%u user=%s\n",
	    side == PROCINFO_SIDE_SRC ? "SRC" : "DST",
	    k->proto == 6 ? "tcp" : "udp", s, (unsigned)k->sport, d,
	    (unsigned)k->dport, rc, (unsigned)o->pid,
	    o->name[0] ? o->name : "-", (unsigned)o->uid,
	    o->user[0] ? o->user : "-");
}

static void
stats(struct procinfo *p)
{
	struct procinfo_stats st;

	procinfo_stats(p, &st);
	printf("STATS asked=%llu answered=%llu no_socket=%llu "
	    "no_process=%llu capped=%llu errors=%llu cached=%llu "
	    "requests=%llu scans=%llu\n",
	    (unsigned long long)st.asked, (unsigned long long)st.answered,
	    (unsigned long long)st.no_socket,
	    (unsigned long long)st.no_process,
	    (unsigned long long)st.capped, (unsigned long long)st.errors,
	    (unsigned long long)st.cached, (unsigned long long)st.requests,
	    (unsigned long long)st.scans);
}

/* -a: an address added while procinfo is open is learnt from events. */
static int
wait_local(struct procinfo *p, const char *s)
{
	struct timespec ts = { 0, 100000000 };
	uint8_t a[16] = { 0 };
	uint64_t t0 = now_ms();
	int first, later, i;

	if (inet_pton(AF_INET, s, a) != 1)
		return 2;
	later = first = procinfo_is_local(p, a, 4, now_ms());
	for (i = 0; i < 50 && !later; i++) {
		nanosleep(&ts, NULL);
		later = procinfo_is_local(p, a, 4, now_ms());
	}
	printf("LOCAL %s at-open=%d later=%d after=%llu\n", s, first, later,
	    (unsigned long long)(now_ms() - t0));
	return 0;
}

/* Cost figures: hit, miss, and the forwarded flow's is_local(). */
static int
bench(const struct flow_key *k, int side, unsigned n)
{
	static const uint8_t far[16] = { 192, 0, 2, 77 };
	struct proc_owner o;
	struct procinfo *p;
	char err[256];
	uint64_t t0, miss = 0, hit, loc;
	unsigned i, found = 0, m = 50;

	if (n < m)
		m = n;
	/* misses: a fresh handle each time, so the cache and the recent
	 * pids are empty and the whole /proc is scanned */
	for (i = 0; i < m; i++) {
		if ((p = procinfo_open(0, slots, err, sizeof(err))) == NULL) {
			fprintf(stderr, "%s\n", err);
			return 1;
		}
		t0 = clock_mono_ns();
		found += procinfo_lookup(p, k, side, now_ms(), &o) ==
		    PROCINFO_PROCESS;
		miss += clock_mono_ns() - t0;
		procinfo_close(p);
	}
	if ((p = procinfo_open(0, slots, err, sizeof(err))) == NULL) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	procinfo_lookup(p, k, side, now_ms(), &o);
	t0 = clock_mono_ns();
	for (i = 0; i < n; i++)
		found += procinfo_lookup(p, k, side, now_ms(), &o) ==
		    PROCINFO_PROCESS;
	hit = clock_mono_ns() - t0;
	t0 = clock_mono_ns();
	for (i = 0; i < n * 100; i++)
		if (procinfo_is_local(p, far, 4, 0))
			return 1;
	loc = clock_mono_ns() - t0;
	printf("COST %s %s lookups: miss %.1f us (request + /proc scan, %u "
	    "runs), hit %.2f us (request + cache), %.0f lookups/s on hits; "
	    "is_local of a forwarded address %.1f ns; process found %u of "
	    "%u\n", side == PROCINFO_SIDE_SRC ? "SRC" : "DST",
	    k->proto == 6 ? "tcp" : "udp",
	    (double)miss / m / 1000.0, m, (double)hit / n / 1000.0,
	    hit ? (double)n * 1e9 / (double)hit : 0.0,
	    (double)loc / (n * 100.0), found, m + n);
	stats(p);
	procinfo_close(p);
	return 0;
}

int
main(int argc, char **argv)
{
	struct flow_key keys[MAX_FLOWS];
	int local[MAX_FLOWS][2];
	struct proc_owner o;
	struct procinfo *p;
	char err[256];
	const char *wait_addr = NULL;
	unsigned nb = 0;
	int c, i, n = 0, side, rc;

	while ((c = getopt(argc, argv, "r:c:b:a:")) != -1) {
		switch (c) {
		case 'r':
			rate = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 'c':
			slots = (size_t)strtoul(optarg, NULL, 10);
			break;
		case 'b':
			nb = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 'a':
			wait_addr = optarg;
			break;
		default:
			return 2;
		}
	}
	for (i = optind; i < argc && n < MAX_FLOWS; i++)
		if (parse(argv[i], &keys[n++]) != 0) {
			fprintf(stderr, "bad flow %s\n", argv[i]);
			return 2;
		}
	mem_init(MEM_UNLIMITED);
	if ((p = procinfo_open(rate, slots, err, sizeof(err))) == NULL) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	printf("MEM procinfo_bytes(%zu)=%zu mem_used=%zu\n", slots,
	    procinfo_bytes(slots), mem_used());
	if (wait_addr != NULL && wait_local(p, wait_addr) != 0)
		return 2;
	for (i = 0; i < n; i++) {
		for (side = PROCINFO_SIDE_SRC; side <= PROCINFO_SIDE_DST;
		    side++) {
			const uint8_t *a = side == PROCINFO_SIDE_SRC ?
			    keys[i].src : keys[i].dst;

			local[i][side - 1] = procinfo_is_local(p, a,
			    keys[i].ipver, now_ms());
			if (!local[i][side - 1])
				continue;
			rc = procinfo_lookup(p, &keys[i], side, now_ms(), &o);
			show(&keys[i], side, rc, &o);
		}
	}
	stats(p);
	procinfo_close(p);
	/* the sides that were looked up above */
	for (i = 0; nb != 0 && i < n; i++)
		for (side = PROCINFO_SIDE_SRC; side <= PROCINFO_SIDE_DST;
		    side++)
			if (local[i][side - 1] && bench(&keys[i], side, nb) != 0)
				return 1;
	return 0;
}
