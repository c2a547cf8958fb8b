/* Hints for bad command lines: nearest names and softflowd's habits. */
#include <string.h>

#include "opts_hint.h"

#define NAME_MAX_LEN	32	/* longer words are not compared */

static size_t
min3(size_t a, size_t b, size_t c)
{
	size_t m = a < b ? a : b;

	return m < c ? m : c;
}

/*
 * Optimal string alignment distance (Levenshtein plus swapping two
 * neighbours, the commonest typing slip), over three rows of the table.
 */
static size_t
distance(const char *a, size_t la, const char *b, size_t lb)
{
	size_t rows[3][NAME_MAX_LEN + 1];
	size_t *prev2 = rows[0], *prev = rows[1], *cur = rows[2], *t;
	size_t i, j;

	for (j = 0; j <= lb; j++)
		prev[j] = j;
	for (i = 1; i <= la; i++) {
		cur[0] = i;
		for (j = 1; j <= lb; j++) {
			size_t cost = a[i - 1] != b[j - 1];

			cur[j] = min3(prev[j] + 1, cur[j - 1] + 1,
			    prev[j - 1] + cost);
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] && prev2[j - 2] + 1 < cur[j])
				cur[j] = prev2[j - 2] + 1;
		}
		t = prev2;
		prev2 = prev;
		prev = cur;
		cur = t;
	}
	return prev[lb];
}

const char *
opts_hint_nearest(const char *word, size_t len, const char *const *names,
    size_t n)
{
	const char *best = NULL;
	size_t i, d, bestd = 3;
	int tie = 0;

	if (len == 0 || len > NAME_MAX_LEN)
		return NULL;
	for (i = 0; i < n; i++) {
		size_t ln = strlen(names[i]);

		if (ln > NAME_MAX_LEN)
			continue;
		d = distance(word, len, names[i], ln);
		if (d >= len)
			continue;
		if (d < bestd) {
			best = names[i];
			bestd = d;
			tie = 0;
		} else if (d == bestd)
			tie = 1;
	}
	return tie ? NULL : best;
}

/*
 * softflowd(8) 1.1 flags that picoflow does not take.  Its -d (stay in the
 * foreground) is accepted as our -d (verbose log), which is harmless: we
 * always stay in the foreground.  Its -T and -P mean other things here;
 * see opts_hint_softflowd_value().
 */
const char *
opts_hint_softflowd(int flag)
{
	switch (flag) {
	case 'D':
		return "softflowd's debug mode: use -d (verbose log to "
		    "stderr); picoflow always stays in the foreground and "
		    "tracks IPv6";
	case 'N':
		return "softflowd's 'not promiscuous': use --no-promisc";
	case '6':
		return "not needed: picoflow always tracks IPv6 (exported "
		    "with -v 9 or -v 10)";
	case 'p':
		return "picoflow writes no pid file: it stays in the "
		    "foreground for procd, systemd or a shell to watch";
	case 'c':
		return "picoflow has no control socket: SIGUSR1 logs the "
		    "counters, SIGTERM exports every flow and exits";
	default:
		return NULL;
	}
}

static int
one_of(const char *word, const char *const *list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(word, list[i]) == 0)
			return 1;
	return 0;
}

const char *
opts_hint_softflowd_value(int flag, const char *word)
{
	static const char *const levels[] = { "full", "proto", "ip", "vlan",
	    "ether" };
	static const char *const transports[] = { "udp", "tcp", "sctp" };

	if (flag == 'T' && one_of(word, levels, 5))
		return "picoflow's -T is --check (check the configuration "
		    "and exit) and takes no value; flows are always keyed on "
		    "addresses, protocol and ports (softflowd's -T full)";
	if (flag == 'P' && one_of(word, transports, 3))
		return "picoflow's -P is --print (flows as text on stdout) "
		    "and takes no value; export is always over UDP";
	return NULL;
}
