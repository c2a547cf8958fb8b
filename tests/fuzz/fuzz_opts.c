/*
 * libFuzzer target for opts_parse(): the input, split at NUL bytes, is the
 * argument vector after argv[0].  Whatever it holds, the parser must not
 * crash, must say OPTS_RUN only for a configuration that has a source and
 * an output and values in range, and must leave pointers into argv only.
 * Also linked with replay.c for a plain build.  Run libFuzzer with
 * -close_fd_mask=3: the parser talks on stdout and stderr.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "nf9.h"
#include "opts.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)	do { if (!(cond)) abort(); } while (0)
#define MAX_ARGS	64
#define MAX_BYTES	4096

static int
in_buf(const char *p, const char *buf, size_t n)
{
	return p >= buf && p < buf + n;
}

static void
check_run(const struct pf_opts *o, const char *buf, size_t n)
{
	unsigned i;

	CHECK((o->file != NULL) != (o->nifaces > 0));
	CHECK(o->ncollectors > 0 || o->print);
	CHECK(o->nifaces <= OPTS_MAX_IFACES);
	CHECK(o->ncollectors <= OPTS_MAX_COLLECTORS);
	CHECK(o->file == NULL || in_buf(o->file, buf, n));
	for (i = 0; i < o->nifaces; i++)
		CHECK(in_buf(o->ifaces[i], buf, n));
	for (i = 0; i < o->ncollectors; i++)
		CHECK(in_buf(o->collectors[i], buf, n));
	CHECK(o->filter == NULL || in_buf(o->filter, buf, n));
	CHECK(o->sample_interval >= 1);
	CHECK(o->mtu >= NF9_MTU_MIN && o->mtu <= NF9_MTU_MAX);
	CHECK(o->version == NF9_FMT_V5 || o->version == NF9_FMT_V9 ||
	    o->version == NF9_FMT_IPFIX);
	CHECK(o->max_flows <= FLOWTAB_MAX_FLOWS);
	CHECK(o->mem_budget == 0 || o->mem_budget >= 16384);
	CHECK(o->tmpl_packets != 0 || o->tmpl_secs != 0);
	CHECK(o->snaplen >= 64 && o->snaplen <= 65535);
	for (i = 0; i < FLOWTAB_NCLASS; i++)
		CHECK(o->idle_s[i] <= 604800);
	CHECK(o->active_s <= 604800);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char buf[MAX_BYTES + 1];
	char *argv[MAX_ARGS + 2];
	struct pf_opts o;
	size_t i;
	int argc = 1;

	if (size > MAX_BYTES)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	argv[0] = (char *)"picoflow";
	argv[argc++] = buf;
	for (i = 0; i < size && argc <= MAX_ARGS; i++)
		if (buf[i] == '\0')
			argv[argc++] = buf + i + 1;
	argv[argc] = NULL;
	optind = 0;	/* glibc and musl: a full reset of getopt's state */
	switch (opts_parse(&o, argc, argv)) {
	case OPTS_RUN:
		check_run(&o, buf, size + 1);
		break;
	case OPTS_EXIT_OK:
	case OPTS_EXIT_USAGE:
		break;
	default:
		abort();
	}
	return 0;
}
