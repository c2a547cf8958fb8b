/* Unit tests for opts_hint: nearest names and softflowd's flags. */
#include <string.h>

#include "opts_hint.h"
#include "tap.h"

static const char *const longs[] = { "interface", "read", "collector",
	"print", "sample", "sample-mode", "timeout", "template-packets",
	"template-secs", "no-promisc", "no-ifnames", "snaplen" };
static const char *const touts[] = { "general", "tcp", "tcp.fin",
	"tcp.rst", "udp", "icmp", "active" };

#define NLONG	(sizeof(longs) / sizeof(longs[0]))
#define NTOUT	(sizeof(touts) / sizeof(touts[0]))

/* The suggestion for word, "" for none, compared with want. */
static void
near(const char *word, const char *const *names, size_t n, const char *want)
{
	const char *got = opts_hint_nearest(word, strlen(word), names, n);

	if (!ok(strcmp(got != NULL ? got : "", want) == 0, "'%s' -> '%s'",
	    word, want))
		diag("  got '%s'", got != NULL ? got : "(none)");
}

static void
test_nearest(void)
{
	near("prnt", longs, NLONG, "print");		/* one deleted */
	near("pirnt", longs, NLONG, "print");		/* two swapped */
	near("sampel", longs, NLONG, "sample");
	near("no-promsic", longs, NLONG, "no-promisc");
	near("interfaces", longs, NLONG, "interface");	/* one added */
	near("colector", longs, NLONG, "collector");
	near("snaplne", longs, NLONG, "snaplen");
	near("print", longs, NLONG, "print");		/* exact */
	near("xyzzy", longs, NLONG, "");		/* nothing near */
	near("template", longs, NLONG, "");	/* too far from both */
	near("template-sec", longs, NLONG, "template-secs");
	near("x", longs, NLONG, "");		/* shorter than edits */
	near("", longs, NLONG, "");
	near("tpc", touts, NTOUT, "tcp");
	near("tcp.fn", touts, NTOUT, "tcp.fin");
	near("tcp.rts", touts, NTOUT, "tcp.rst");
	near("upd", touts, NTOUT, "udp");
	near("icpm", touts, NTOUT, "icmp");
	near("activ", touts, NTOUT, "active");
	near("tcp.xxx", touts, NTOUT, "");	/* tcp.fin and tcp.rst tie */
	near("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	    touts, NTOUT, "");			/* longer than compared */
}

static void
test_softflowd(void)
{
	const char *flags = OPTS_HINT_SOFTFLOWD_FLAGS;
	const char *h;
	size_t i;
	int all = 1;

	for (i = 0; flags[i] != '\0'; i++)
		if (flags[i] != ':' && opts_hint_softflowd(flags[i]) == NULL)
			all = 0;
	ok(all, "a hint for every softflowd flag getopt takes");
	ok(strchr(flags, 'p')[1] == ':' && strchr(flags, 'c')[1] == ':',
	    "-p and -c take a value, as in softflowd");
	h = opts_hint_softflowd('N');
	ok(h != NULL && strstr(h, "--no-promisc") != NULL, "-N: --no-promisc");
	h = opts_hint_softflowd('D');
	ok(h != NULL && strstr(h, "-d") != NULL, "-D: use -d");
	ok(opts_hint_softflowd('d') == NULL, "-d is ours");
	ok(opts_hint_softflowd('x') == NULL, "-x: nothing to say");

	h = opts_hint_softflowd_value('T', "full");
	ok(h != NULL && strstr(h, "--check") != NULL, "-T full: -T is --check");
	ok(opts_hint_softflowd_value('T', "ether") != NULL, "-T ether");
	ok(opts_hint_softflowd_value('T', "port") == NULL,
	    "-T port: not a track level");
	h = opts_hint_softflowd_value('P', "udp");
	ok(h != NULL && strstr(h, "--print") != NULL, "-P udp: -P is --print");
	ok(opts_hint_softflowd_value('P', "sctp") != NULL, "-P sctp");
	ok(opts_hint_softflowd_value('P', "full") == NULL, "-P full: no");
	ok(opts_hint_softflowd_value('x', "udp") == NULL, "other flags: no");
}

int
main(void)
{
	test_nearest();
	test_softflowd();
	return done();
}
