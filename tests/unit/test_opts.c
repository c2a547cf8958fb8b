/* Command-line parsing: accepted values land in pf_opts, bad ones exit 2. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opts.h"
#include "tap.h"

static struct pf_opts o;

/* Parse an argument list given as RUN("-r", "x", ...). */
#define RUN(...)	run((const char *const[]){ __VA_ARGS__, NULL })

static enum opts_result
run(const char *const *args)
{
	char *argv[32];
	int argc = 0;

	argv[argc++] = (char *)"picoflow";
	while (*args != NULL && argc < 31)
		argv[argc++] = (char *)*args++;
	argv[argc] = NULL;
	optind = 0;	/* glibc and musl: full reset */
	return opts_parse(&o, argc, argv);
}

static void
test_good(void)
{
	is_int(RUN("-r", "x.pcap", "-n", "127.0.0.1:2055"), OPTS_RUN,
	    "minimal replay config");
	is_int(o.sample_interval, 1, "default: no sampling");
	is_int(o.source_id, 1, "default source id 1");
	is_int(o.mtu, 1400, "default mtu");
	is_int(RUN("-i", "eth0", "-n", "[::1]:9995", "-n", "10.0.0.1:2055",
	    "-s", "100", "--sample-mode=random", "-m", "65536", "-M", "4M",
	    "-t", "tcp=2m", "-t", "active=1h", "-t", "udp=30", "-S", "42",
	    "-v", "9", "--mtu", "1200", "--pace", "0"), OPTS_RUN,
	    "full live config");
	is_int(o.ncollectors, 2, "two collectors");
	is_int(o.sample_interval, 100, "-s 100");
	is_int(o.sample_random, 1, "random mode");
	is_int(o.max_flows, 65536, "-m");
	is_int(o.mem_budget, 4 << 20, "-M 4M is 4 MiB");
	is_int(o.idle_s[FLOWTAB_TCP], 120, "-t tcp=2m");
	is_int(o.idle_s[FLOWTAB_UDP], 30, "-t udp=30");
	is_int(o.active_s, 3600, "-t active=1h");
	is_int(o.source_id, 42, "-S");
	is_int(o.pace, 0, "--pace 0");
	is_int(RUN("-r", "x", "-P"), OPTS_RUN, "-P without -n");
	is_int(RUN("-S", "4294967295", "-r", "x", "-P"), OPTS_RUN,
	    "-S max");
	is_int(o.source_id, 4294967295u, "-S 2^32-1");
	is_int(RUN("-v", "5", "-s", "16383", "-S", "65535", "-r", "x", "-P"),
	    OPTS_RUN, "-v 5 at its sampling and engine limits");
	is_int(o.version, 5, "-v 5");
	is_int(RUN("-v", "10", "--mtu", "268", "-r", "x", "-P"), OPTS_RUN,
	    "-v 10 at its smallest MTU");
	is_int(o.version, 10, "-v 10");
}

static void
test_bad(void)
{
	static const char *const bad[][2] = {
		{ "-m", "abc" }, { "-m", "0" }, { "-m", "-5" },
		{ "-m", "16777217" }, { "-m", "12x" }, { "-s", "0" },
		{ "-s", "99999999999" }, { "-M", "12q" }, { "-M", "1k" },
		{ "-t", "bogus=5" }, { "-t", "tcp=x" }, { "-t", "tcp" },
		{ "-t", "tcp=0" }, { "-n", "nohostport" },
		{ "-n", "127.0.0.1:99999" }, { "-n", "::1:2055" },
		{ "-n", "[::1]" }, { "-v", "7" }, { "-S", "4294967296" },
		{ "--mtu", "100" }, { "--sample-mode", "sometimes" },
		{ "-S", " 1" }, { "-s", "+1" },
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		is_int(RUN("-r", "x", "-P", bad[i][0], bad[i][1]),
		    OPTS_EXIT_USAGE, "%s '%s' rejected", bad[i][0], bad[i][1]);
	is_int(RUN("-r", "x"), OPTS_EXIT_USAGE, "no output");
	is_int(RUN("-P"), OPTS_EXIT_USAGE, "no source");
	is_int(RUN("-r", "x", "-i", "eth0", "-P"), OPTS_EXIT_USAGE,
	    "-i and -r");
	is_int(RUN("-r", "x", "-P", "-Q"), OPTS_EXIT_USAGE,
	    "unknown flag");
	is_int(RUN("-r", "x", "-P", "extra"), OPTS_EXIT_USAGE,
	    "stray argument");
	is_int(RUN("-r", "x", "-P", "--template-packets", "0",
	    "--template-secs", "0"), OPTS_EXIT_USAGE,
	    "templates never refreshed");
	is_int(RUN("-r", "x", "-P", "-m"), OPTS_EXIT_USAGE,
	    "missing value");
	is_int(RUN("-r", "x", "-P", "-s", "16384", "-v", "5"),
	    OPTS_EXIT_USAGE, "-v 5: sampling interval over 14 bits");
	is_int(RUN("-r", "x", "-P", "-v", "5", "-S", "65536"),
	    OPTS_EXIT_USAGE, "-v 5: -S over engine type and ID");
	is_int(RUN("-r", "x", "-P", "-v", "10", "--mtu", "267"),
	    OPTS_EXIT_USAGE, "-v 10: MTU too small for IPFIX templates");
}

int
main(void)
{
	if (freopen("/dev/null", "w", stderr) == NULL)
		return 1;
	test_good();
	test_bad();
	return done();
}
