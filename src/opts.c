/* Command line parsing: every value checked, every error names its flag. */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "app_probe.h"
#include "nf9.h"
#include "opts.h"
#include "opts_hint.h"
#include "util.h"

#define MAX_TIMEOUT_S	604800		/* one week */
#define MAX_FLOWS	(1U << 24)
#define MAX_SAMPLE	1000000

enum {
	OPT_MTU = 256,
	OPT_TMPL_PKTS,
	OPT_TMPL_SECS,
	OPT_PACE,
	OPT_SNAPLEN,
	OPT_NO_PROMISC,
	OPT_NO_IFNAMES,
	OPT_SAMPLE_MODE,
	OPT_LIBPCAP_READER,
	OPT_EGRESS,
	OPT_NAT,
	OPT_LOOKUP_RATE,
	OPT_OFFLOAD,
	OPT_NO_SANDBOX,
	OPT_APP_INFO,
	OPT_PROCESS
};

/* softflowd's flags are taken too, with their values, to be explained. */
static const char short_opts[] = "i:r:n:Ps:m:M:t:f:S:u:v:dThV"
    OPTS_HINT_SOFTFLOWD_FLAGS;

static const struct option long_opts[] = {
	{ "interface",		required_argument, NULL, 'i' },
	{ "read",		required_argument, NULL, 'r' },
	{ "collector",		required_argument, NULL, 'n' },
	{ "print",		no_argument,	   NULL, 'P' },
	{ "sample",		required_argument, NULL, 's' },
	{ "sample-mode",	required_argument, NULL, OPT_SAMPLE_MODE },
	{ "max-flows",		required_argument, NULL, 'm' },
	{ "memory",		required_argument, NULL, 'M' },
	{ "timeout",		required_argument, NULL, 't' },
	{ "filter",		required_argument, NULL, 'f' },
	{ "source-id",		required_argument, NULL, 'S' },
	{ "user",		required_argument, NULL, 'u' },
	{ "netflow-version",	required_argument, NULL, 'v' },
	{ "debug",		no_argument,	   NULL, 'd' },
	{ "check",		no_argument,	   NULL, 'T' },
	{ "help",		no_argument,	   NULL, 'h' },
	{ "version",		no_argument,	   NULL, 'V' },
	{ "mtu",		required_argument, NULL, OPT_MTU },
	{ "template-packets",	required_argument, NULL, OPT_TMPL_PKTS },
	{ "template-secs",	required_argument, NULL, OPT_TMPL_SECS },
	{ "pace",		required_argument, NULL, OPT_PACE },
	{ "snaplen",		required_argument, NULL, OPT_SNAPLEN },
	{ "no-promisc",		no_argument,	   NULL, OPT_NO_PROMISC },
	{ "no-ifnames",		no_argument,	   NULL, OPT_NO_IFNAMES },
	{ "libpcap-reader",	no_argument,	   NULL, OPT_LIBPCAP_READER },
	{ "egress",		no_argument,	   NULL, OPT_EGRESS },
	{ "nat",		no_argument,	   NULL, OPT_NAT },
	{ "lookup-rate",	required_argument, NULL, OPT_LOOKUP_RATE },
	{ "offload-flows",	optional_argument, NULL, OPT_OFFLOAD },
	{ "no-sandbox",		no_argument,	   NULL, OPT_NO_SANDBOX },
	{ "app-info",		no_argument,	   NULL, OPT_APP_INFO },
	{ "process",		no_argument,	   NULL, OPT_PROCESS },
	{ NULL, 0, NULL, 0 }
};

/* Names accepted by -t, in enum flowtab_class order, then "active". */
static const char *const timeout_names[FLOWTAB_NCLASS + 1] = {
	"general", "tcp", "tcp.fin", "tcp.rst", "udp", "icmp", "active"
};

/* What --lookup-rate caps: --process too where it is built. */
#if APP_PROBE_BUILT
#define USAGE_LOOKUP "--egress, --nat,\n" \
"                          --process at most (default 1000, 0 = no cap)\n"
#else
#define USAGE_LOOKUP "--egress/--nat at\n" \
"                          most (default 1000, 0 = no cap)\n"
#endif
/* The help text before app.c's lines (app_usage()), and after them. */
#define USAGE_HEAD \
"usage: picoflow (-i IFACE | -r FILE) (-n HOST:PORT ... | -P) [options]\n" \
"  -i, --interface IFACE   capture live on IFACE (repeatable; any: all)\n" \
"  -r, --read FILE         read a pcap/pcapng file, export all flows, exit\n" \
"  -n, --collector H:P     NetFlow collector; [v6addr]:port; repeatable\n" \
"  -P, --print             print every exported flow as text on stdout\n" \
"  -s, --sample N          account 1 packet in N (default 1: all)\n" \
"      --sample-mode M     deterministic (every Nth, default) or random\n" \
"                          (random: in the kernel with AF_PACKET)\n" \
"  -m, --max-flows N       flow table units, IPv6 flow = 2 (default 8192,\n" \
"                          or from -M)\n" \
"  -M, --memory SIZE       memory budget, e.g. 2M; never exceeded\n" \
"  -t, --timeout NAME=T    general, tcp, tcp.fin, tcp.rst, udp, icmp\n" \
"                          (idle) or active; T in s, or with s/m/h\n" \
"  -f, --filter EXPR       BPF filter expression (pcap-filter(7))\n" \
"  -S, --source-id ID      v9 Source ID, IPFIX Observation Domain, v5\n" \
"                          engine type * 256 + engine ID (default 1)\n" \
"  -u, --user USER         run as USER once capture and sockets are open\n" \
"                          (keeping CAP_NET_ADMIN for --nat, --offload-flows)\n" \
"  -v, --netflow-version V export format: 9 (NetFlow v9, default),\n" \
"                          10 (IPFIX) or 5 (NetFlow v5: IPv4 only)\n" \
"  -d, --debug             verbose log to stderr\n" \
"  -T, --check             check the configuration and exit\n" \
"      --mtu N             max export datagram size (default 1400;\n" \
"                          1464 with -v 5: 30 records a datagram)\n" \
"      --template-packets N  re-send templates every N datagrams (20)\n" \
"      --template-secs S   ... and every S seconds (60)\n" \
"      --pace N            max datagrams/s per collector (10000, 0 = off)\n" \
"      --snaplen N         bytes captured per packet (default 256)\n" \
"      --no-promisc        do not put interfaces in promiscuous mode\n" \
"      --no-ifnames        do not send interface names (IF_NAME options)\n" \
"      --libpcap-reader    read -r files with libpcap (slower)\n" \
"      --egress            OUTPUT_SNMP of incoming flows from the kernel's\n" \
"                          route to their destination (Linux, -i only)\n" \
"      --nat               add post-NAT IPv4 addresses and ports (fields\n" \
"                          225-228) from conntrack (Linux, -i,\n" \
"                          CAP_NET_ADMIN)\n" \
"      --lookup-rate N     kernel lookups a second for " USAGE_LOOKUP \
"      --offload-flows[=hw|all]  records from conntrack's counters for\n" \
"                          flows offloaded past the capture: hardware (hw,\n" \
"                          the default) or any flowtable (all) (Linux, -i,\n" \
"                          CAP_NET_ADMIN, nf_conntrack_acct=1)\n"
#define USAGE_TAIL \
"      --no-sandbox        no system call filter after start (to debug)\n" \
"  -h, --help              this text;  -V, --version  print the version\n"

void
opts_usage(FILE *f)
{
	if (!APP_PROBE_BUILT) {	/* APP_INFO=no: one string, as before */
		fputs(USAGE_HEAD USAGE_TAIL, f);
		return;
	}
	fputs(USAGE_HEAD, f);
	app_usage(f);	/* what app.c adds */
	fputs(USAGE_TAIL, f);
}

/* Flags given at all, valid or not, so one bad value is one message. */
struct opts_seen {
	int	source;		/* -i or -r */
	int	output;		/* -n or -P */
	/* Found before getopt_long() reorders argv: the words right after a
	 * literal -T and -P, which take a value in softflowd, and after each
	 * --name (the value of a misspelt long option) */
	const char *after_T, *after_P;
	const char *after_long[8][2];	/* --name, the word after it */
	unsigned nlong;
	/* values of misspelt options, not to be reported on their own */
	const char *swallowed[8];
	unsigned nswallowed;
};

static int
bad(const char *flag, const char *arg, const char *why)
{
	fprintf(stderr, "picoflow: %s: '%s': %s\n", flag, arg, why);
	return -1;
}

static int
complain(const char *why)
{
	fprintf(stderr, "picoflow: %s\n", why);
	return 1;
}

/*
 * Unsigned decimal with an optional unit from units (pairs of suffix
 * character and multiplier); rejects signs, junk and overflow.  Unsigned
 * long holds every limit (-M's is 2^40 only where size_t has 64 bits,
 * and so has long): no 64-bit arithmetic on a 32-bit router.
 */
static int
parse_num(const char *flag, const char *arg, unsigned long min,
    unsigned long max, const char *units, const unsigned long *mult,
    unsigned long *out)
{
	char expect[96];
	char *end;
	unsigned long v, m = 1;

	snprintf(expect, sizeof(expect), "expected a number from %lu to %lu%s",
	    min, max, units == NULL ? "" :
	    units[0] == 's' ? " seconds, or with a unit s, m or h" :
	    " bytes, or with a unit k, M or G");
	if (!isdigit((unsigned char)arg[0]))
		return bad(flag, arg, expect);
	errno = 0;
	v = strtoul(arg, &end, 10);
	if (errno != 0)
		return bad(flag, arg, expect);
	if (*end != '\0') {
		const char *u;

		if (units == NULL || end[1] != '\0' ||
		    (u = strchr(units, *end)) == NULL)
			return bad(flag, arg, expect);
		m = mult[u - units];
		if (v > ULONG_MAX / m)
			return bad(flag, arg, expect);
	}
	v *= m;
	if (v < min || v > max)
		return bad(flag, arg, expect);
	*out = v;
	return 0;
}

static int
parse_u32(const char *flag, const char *arg, uint32_t min, uint32_t max,
    uint32_t *out)
{
	unsigned long v;

	if (parse_num(flag, arg, min, max, NULL, NULL, &v) == -1)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

static int
parse_secs(const char *flag, const char *arg, uint32_t min, uint32_t max,
    uint32_t *out)
{
	static const unsigned long mult[] = { 1, 60, 3600 };
	unsigned long v;

	if (parse_num(flag, arg, min, max, "smh", mult, &v) == -1)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

static int
parse_size(const char *flag, const char *arg, size_t *out)
{
	static const unsigned long mult[] = { 1024, 1024, 1048576, 1048576,
	    1073741824, 1073741824 };
	unsigned long v, max = SIZE_MAX > UINT32_MAX ?
	    (unsigned long)1 << 20 << 20 : UINT32_MAX;

	if (parse_num(flag, arg, 16384, max, "kKmMgG", mult, &v) == -1)
		return -1;
	*out = (size_t)v;
	return 0;
}

/* A -t name that is none of ours: the nearest one, if any is near. */
static int
unknown_timeout(const char *arg, size_t n)
{
	const char *near = opts_hint_nearest(arg, n, timeout_names,
	    ARRAY_SIZE(timeout_names));

	if (n == 6 && strncmp(arg, "expint", 6) == 0)
		return bad("-t", arg, "no expint: expiry runs every second");
	fprintf(stderr, "picoflow: -t: '%s': unknown timeout%s%s%s; expected "
	    "one of general tcp tcp.fin tcp.rst udp icmp active\n", arg,
	    near != NULL ? " (did you mean " : "", near != NULL ? near : "",
	    near != NULL ? "?)" : "");
	return -1;
}

static int
parse_timeout(struct pf_opts *o, const char *arg)
{
	const char *eq = strchr(arg, '=');
	size_t n, i;

	if (eq == NULL)
		return bad("-t", arg, "expected NAME=SECONDS, NAME one of "
		    "general tcp tcp.fin tcp.rst udp icmp active");
	n = (size_t)(eq - arg);
	if ((n == 6 && strncmp(arg, "active", 6) == 0) ||
	    (n == 7 && strncmp(arg, "maxlife", 7) == 0))
		return parse_secs("-t active", eq + 1, 1, MAX_TIMEOUT_S,
		    &o->active_s);
	for (i = 0; i < FLOWTAB_NCLASS; i++)
		if (strlen(timeout_names[i]) == n &&
		    strncmp(arg, timeout_names[i], n) == 0) {
			char flag[16];

			snprintf(flag, sizeof(flag), "-t %s", timeout_names[i]);
			return parse_secs(flag, eq + 1, 1, MAX_TIMEOUT_S,
			    &o->idle_s[i]);
		}
	return unknown_timeout(arg, n);
}

/* host:port, [v6]:port; only the shape here, resolving is export's job. */
static int
check_collector(const char *arg)
{
	const char *colon;
	uint32_t port;

	if (arg[0] == '[') {
		colon = strstr(arg, "]:");
		if (colon == NULL || colon == arg + 1)
			return bad("-n", arg, "expected [IPv6-address]:port");
		colon++;
	} else if (strchr(arg, ',') != NULL) {
		return bad("-n", arg, "one collector a flag: repeat -n for "
		    "each (softflowd's comma list)");
	} else {
		colon = strrchr(arg, ':');
		if (colon == NULL || colon == arg ||
		    strchr(arg, ':') != colon)
			return bad("-n", arg, "expected host:port or "
			    "[IPv6-address]:port");
	}
	return parse_u32("-n port", colon + 1, 1, 65535, &port);
}

static void
set_defaults(struct pf_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->sample_interval = 1;
	o->source_id = 1;
	o->version = 9;
	o->mtu = 0;		/* the format's default, set after parsing */
	o->tmpl_packets = OPTS_DEFAULT_TMPL_PKTS;
	o->tmpl_secs = OPTS_DEFAULT_TMPL_SECS;
	o->pace = OPTS_DEFAULT_PACE;
	o->snaplen = OPTS_DEFAULT_SNAPLEN;
	o->promisc = 1;
	o->lookup_rate = OPTS_DEFAULT_LOOKUP_RATE;
}

/* A softflowd flag; getopt took its value with it, so it is one problem. */
static int
softflowd_flag(int c)
{
	const char *hint = opts_hint_softflowd(c);

	if (hint == NULL)
		return -1;
	fprintf(stderr, "picoflow: -%c: not a picoflow flag: %s\n", c, hint);
	return -1;
}

static int
parse_one(struct pf_opts *o, int c, const char *arg)
{
	uint32_t v;

	switch (c) {
	case 'i':
		if (o->nifaces == OPTS_MAX_IFACES)
			return bad("-i", arg, "too many interfaces (max 8)");
		o->ifaces[o->nifaces++] = arg;
		return 0;
	case 'r':
		if (o->file != NULL)
			return bad("-r", arg, "only one -r file");
		o->file = arg;
		return 0;
	case 'n':
		if (o->ncollectors == OPTS_MAX_COLLECTORS)
			return bad("-n", arg, "too many collectors (max 8)");
		if (check_collector(arg) == -1)
			return -1;
		o->collectors[o->ncollectors++] = arg;
		return 0;
	case 'P':
		o->print = 1;
		return 0;
	case 's':
		return parse_u32("-s", arg, 1, MAX_SAMPLE,
		    &o->sample_interval);
	case OPT_SAMPLE_MODE:
		if (strcmp(arg, "deterministic") == 0)
			o->sample_random = 0;
		else if (strcmp(arg, "random") == 0)
			o->sample_random = 1;
		else
			return bad("--sample-mode", arg,
			    "expected deterministic or random");
		return 0;
	case 'm':
		return parse_u32("-m", arg, 1, MAX_FLOWS, &o->max_flows);
	case 'M':
		return parse_size("-M", arg, &o->mem_budget);
	case 't':
		return parse_timeout(o, arg);
	case 'f':
		o->filter = arg;
		return 0;
	case 'S':
		return parse_u32("-S", arg, 0, UINT32_MAX, &o->source_id);
	case 'u':
		o->user = arg;
		return 0;
	case 'v':
		if (parse_u32("-v", arg, 1, 10, &v) == -1)
			return -1;
		if (v != NF9_FMT_V5 && v != NF9_FMT_V9 && v != NF9_FMT_IPFIX)
			return bad("-v", arg, "expected 5 (NetFlow v5), 9 "
			    "(NetFlow v9) or 10 (IPFIX)");
		o->version = v;
		return 0;
	case 'd':
		o->debug = 1;
		return 0;
	case 'T':
		o->check_only = 1;
		return 0;
	case OPT_MTU:
		if (parse_u32("--mtu", arg, NF9_MTU_MIN, NF9_MTU_MAX,
		    &v) == -1)
			return -1;
		o->mtu = (uint16_t)v;
		return 0;
	case OPT_TMPL_PKTS:
		return parse_u32("--template-packets", arg, 0, 1000000,
		    &o->tmpl_packets);
	case OPT_TMPL_SECS:
		return parse_secs("--template-secs", arg, 0, 86400,
		    &o->tmpl_secs);
	case OPT_PACE:
		return parse_u32("--pace", arg, 0, 10000000, &o->pace);
	case OPT_SNAPLEN:
		return parse_u32("--snaplen", arg, 64, 65535, &o->snaplen);
	case OPT_NO_IFNAMES:
		o->no_ifnames = 1;
		return 0;
	case OPT_NO_PROMISC:
		o->promisc = 0;
		return 0;
	case OPT_LIBPCAP_READER:
		o->libpcap_reader = 1;
		return 0;
	case OPT_EGRESS:
		o->egress = 1;
		return 0;
	case OPT_NAT:
		o->nat = 1;
		return 0;
	case OPT_NO_SANDBOX:
		o->no_sandbox = 1;
		return 0;
	case OPT_APP_INFO:
		o->app_info = 1;
		return 0;
	case OPT_PROCESS:
		o->process = 1;
		return 0;
	case OPT_LOOKUP_RATE:
		return parse_u32("--lookup-rate", arg, 0, 1000000,
		    &o->lookup_rate);
	case OPT_OFFLOAD:
		if (arg == NULL || strcmp(arg, "hw") == 0)
			o->offload = OFFLOAD_HW;
		else if (strcmp(arg, "all") == 0)
			o->offload = OFFLOAD_ALL;
		else
			return bad("--offload-flows", arg, "expected hw or all");
		return 0;
	}
	return softflowd_flag(c);
}

/*
 * --egress, --nat and --offload-flows: what they need; returns how many
 * rules broke.
 */
static int
check_enrich(const struct pf_opts *o)
{
	unsigned need = (o->version == NF9_FMT_IPFIX ? NF9_MTU_MIN_IPFIX :
	    NF9_MTU_MIN) + NF9_MTU_NAT_EXTRA;
	int n = 0;

	if ((o->egress || o->nat) && o->file != NULL)
		n += complain("--egress/--nat ask the kernel about live "
		    "traffic (its routes, its connections): give -i, not -r");
	if (o->nat && o->version == NF9_FMT_V5)
		n += complain("--nat: NetFlow v5 has no post-NAT fields; use "
		    "-v 9 or -v 10");
	if (o->offload != OFFLOAD_OFF && o->file != NULL)
		n += complain("--offload-flows reads the kernel's connections: "
		    "give -i, not -r");
	if (o->nat && o->version != NF9_FMT_V5 && (unsigned)o->mtu < need &&
	    (unsigned)o->mtu + NF9_MTU_NAT_EXTRA >= need) {
		fprintf(stderr, "picoflow: --mtu: '%u': --nat needs at least "
		    "%u bytes with -v %u\n", (unsigned)o->mtu, need,
		    o->version);
		n++;
	}
	return n;
}

/*
 * Rules that involve more than one flag; returns how many were broken.
 * A missing source or output is reported only when every flag given was
 * good (all_good): after a typo ("--prnt", "-x") it is that flag which is
 * missing, and one line about the typo is what helps.
 */
static int
check_combination(const struct pf_opts *o, const struct opts_seen *seen,
    int all_good)
{
	int n = 0;

	if (o->file != NULL && o->nifaces > 0)
		n += complain("-i and -r: give one source, not both");
	else if (!seen->source && all_good)
		n += complain("no source: give -i IFACE or -r FILE");
	if (!seen->output && all_good)
		n += complain("no output: give -n HOST:PORT (a collector) or -P");
	if (o->tmpl_packets == 0 && o->tmpl_secs == 0)
		n += complain("--template-packets 0 and --template-secs 0: "
		    "templates would never be refreshed; give either a "
		    "non-zero value");
	if (o->version == NF9_FMT_V5 && o->sample_interval > NF5_SAMPLING_MAX)
		n += complain("-s: NetFlow v5 gives the sampling interval 14 "
		    "bits: at most 16383 with -v 5");
	if (o->version == NF9_FMT_V5 && o->source_id > UINT16_MAX)
		n += complain("-S: NetFlow v5 has an 8-bit engine type and ID "
		    "(-S is type * 256 + ID): at most 65535 with -v 5");
	n += check_enrich(o);
	n += app_probe_check(o);	/* --app-info, --process */
	if (o->version == NF9_FMT_IPFIX && o->mtu < NF9_MTU_MIN_IPFIX) {
		fprintf(stderr, "picoflow: --mtu: '%u': IPFIX needs at least "
		    "%u bytes for its templates and one record\n",
		    (unsigned)o->mtu, (unsigned)NF9_MTU_MIN_IPFIX);
		n++;
	}
	return n;
}

/* The word after flag on the command line is its value: not a stray. */
static void
swallow_next(struct opts_seen *seen, const char *flag)
{
	unsigned i;

	for (i = 0; i < seen->nlong; i++)
		if (seen->after_long[i][0] == flag &&
		    seen->nswallowed < ARRAY_SIZE(seen->swallowed))
			seen->swallowed[seen->nswallowed++] =
			    seen->after_long[i][1];
}

/*
 * An unknown --name: the nearest long option, or the ones it abbreviates.
 * When what was meant takes a value, the word after it on the command
 * line is that value: it goes into swallowed, not reported apart.
 */
static void
unknown_long(const char *arg, struct opts_seen *seen)
{
	const char *names[ARRAY_SIZE(long_opts)];
	const char *name = arg + 2, *near;
	size_t len = strcspn(name, "="), i, n = 0, prefixed = 0;
	int valued = 1;

	for (i = 0; long_opts[i].name != NULL; i++) {
		names[n++] = long_opts[i].name;
		if (len > 0 && strncmp(long_opts[i].name, name, len) == 0) {
			prefixed++;
			valued &= long_opts[i].has_arg == required_argument;
		}
	}
	near = prefixed > 1 ? NULL : opts_hint_nearest(name, len, names, n);
	for (i = 0; near != NULL && long_opts[i].name != NULL; i++)
		if (long_opts[i].name == near)
			valued = long_opts[i].has_arg == required_argument;
	if (prefixed > 1)
		fprintf(stderr, "picoflow: '%s': ambiguous: more than one "
		    "option starts so ('picoflow -h' lists them)\n", arg);
	else if (near != NULL)
		fprintf(stderr, "picoflow: '%s': unknown option; did you mean "
		    "--%s?\n", arg, near);
	else
		fprintf(stderr, "picoflow: '%s': unknown option ('picoflow -h' "
		    "lists them)\n", arg);
	if ((prefixed > 1 || near != NULL) && valued && name[len] == '\0')
		swallow_next(seen, arg);
}

/* A flag getopt_long() refused: unknown, or its value is missing. */
static void
refused(char **argv, struct opts_seen *seen)
{
	const char *arg = optind > 0 ? argv[optind - 1] : "?";

	if (optopt != 0 && optopt < 256 && opts_hint_softflowd(optopt) != NULL)
		(void)softflowd_flag(optopt);
	else if (optopt != 0 && optopt < 256 &&
	    strchr(short_opts, optopt) != NULL)
		fprintf(stderr, "picoflow: -%c: needs a value\n", optopt);
	else if (optopt != 0 && optopt < 256)
		fprintf(stderr, "picoflow: -%c: unknown option ('picoflow -h' "
		    "lists them)\n", optopt);
	else if (optopt != 0)
		fprintf(stderr, "picoflow: '%s': needs a value\n", arg);
	else if (strncmp(arg, "--", 2) == 0)
		unknown_long(arg, seen);
	else
		fprintf(stderr, "picoflow: '%s': unknown option\n", arg);
}

/* The words after -T, -P and --names, before getopt_long() moves them. */
static void
note_next_words(int argc, char **argv, struct opts_seen *seen)
{
	int i;

	for (i = 1; i + 1 < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			return;
		if (strcmp(argv[i], "-T") == 0)
			seen->after_T = argv[i + 1];
		else if (strcmp(argv[i], "-P") == 0)
			seen->after_P = argv[i + 1];
		else if (strncmp(argv[i], "--", 2) == 0 &&
		    argv[i + 1][0] != '-' &&
		    seen->nlong < ARRAY_SIZE(seen->after_long)) {
			seen->after_long[seen->nlong][0] = argv[i];
			seen->after_long[seen->nlong++][1] = argv[i + 1];
		}
	}
}

static int
was_swallowed(const struct opts_seen *seen, const char *word)
{
	unsigned i;

	for (i = 0; i < seen->nswallowed; i++)
		if (seen->swallowed[i] == word)
			return 1;
	return 0;
}

/*
 * Words that belong to no flag: a softflowd value after -T or -P is
 * explained, and the rest, softflowd's trailing filter expression most
 * likely, is one problem that shows how to give it.  Returns the problems.
 */
static int
strays(int argc, char **argv, int first, const struct opts_seen *seen)
{
	const char *hint;
	char words[256];
	size_t len = 0;
	int i, n = 0, nwords = 0;

	words[0] = '\0';
	for (i = first; i < argc; i++) {
		int flag = argv[i] == seen->after_T ? 'T' :
		    argv[i] == seen->after_P ? 'P' : 0;

		if (was_swallowed(seen, argv[i]))
			continue;
		if (flag != 0 &&
		    (hint = opts_hint_softflowd_value(flag, argv[i])) != NULL) {
			fprintf(stderr, "picoflow: -%c %s: %s\n", flag, argv[i],
			    hint);
			n++;
			continue;
		}
		if (len < sizeof(words))
			len += (size_t)snprintf(words + len,
			    sizeof(words) - len, "%s%s", nwords > 0 ? " " : "",
			    argv[i]);
		nwords++;
	}
	if (nwords == 0)
		return n;
	if (len >= sizeof(words))
		memcpy(words + sizeof(words) - 4, "...", 4);
	fprintf(stderr, "picoflow: '%s': unexpected argument%s (every value "
	    "belongs to a flag; a filter expression goes in -f '%s')\n",
	    words, nwords > 1 ? "s" : "", words);
	return n + 1;
}

/*
 * Every problem is reported, not just the first: the parse goes on after a
 * bad value (the flag keeps its default) so that one run of -T, as the
 * OpenWrt init script does, lists everything that needs fixing.
 */
enum opts_result
opts_parse(struct pf_opts *o, int argc, char **argv)
{
	struct opts_seen seen;
	int c, nbad = 0;

	set_defaults(o);
	memset(&seen, 0, sizeof(seen));
	note_next_words(argc, argv, &seen);
	opterr = 0;
	while ((c = getopt_long(argc, argv, short_opts, long_opts,
	    NULL)) != -1) {
		if (c == 'h') {
			opts_usage(stdout);
			return OPTS_EXIT_OK;
		}
		if (c == 'V') {
			printf("picoflow %s\n", PF_VERSION);
			return OPTS_EXIT_OK;
		}
		if (c == 'i' || c == 'r')
			seen.source = 1;
		if (c == 'n' || c == 'P')
			seen.output = 1;
		if (c == '?' || c == ':') {
			refused(argv, &seen);
			nbad++;
		} else if (parse_one(o, c, optarg) == -1)
			nbad++;
	}
	nbad += strays(argc, argv, optind, &seen);
	/* v5 datagrams traditionally carry 30 records: 24 + 30 * 48 bytes. */
	if (o->mtu == 0)
		o->mtu = o->version == NF9_FMT_V5 ? 24 + 30 * 48 :
		    NF9_MTU_DEFAULT;
	nbad += check_combination(o, &seen, nbad == 0);
	if (nbad == 0)
		return OPTS_RUN;
	/* one problem is one line; a list (-T) ends with its count */
	if (nbad > 1)
		fprintf(stderr, "picoflow: %d problems; try 'picoflow -h'\n",
		    nbad);
	return OPTS_EXIT_USAGE;
}
