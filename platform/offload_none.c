/*
 * --offload-flows without netlink (NETLINK=none): conntrack's counters are
 * read from the Linux kernel with libmnl, so the flag is refused at start.
 */
#include <stdio.h>
#include <string.h>

#include "offload.h"

struct offload *
offload_open(const struct offload_cfg *cfg, char *err, size_t errlen)
{
	(void)cfg;
	snprintf(err, errlen, "--offload-flows: this picoflow was built "
	    "without netlink (NETLINK=none); conntrack's counters are read "
	    "from the Linux kernel with libmnl (build with NETLINK=mnl)");
	return NULL;
}

int
offload_fd(const struct offload *o)
{
	(void)o;
	return -1;
}

size_t
offload_events(struct offload *o, uint64_t now_ms, struct flow_rec *out,
    size_t max)
{
	(void)o;
	(void)now_ms;
	(void)out;
	(void)max;
	return 0;
}

size_t
offload_tick(struct offload *o, uint64_t now_ms, struct flow_rec *out,
    size_t max)
{
	return offload_events(o, now_ms, out, max);
}

size_t
offload_final(struct offload *o, uint64_t now_ms, struct flow_rec *out,
    size_t max, int *more)
{
	*more = 0;
	return offload_events(o, now_ms, out, max);
}

void
offload_stats(const struct offload *o, struct offload_stats *st)
{
	(void)o;
	memset(st, 0, sizeof(*st));
}

void
offload_close(struct offload *o)
{
	(void)o;
}
