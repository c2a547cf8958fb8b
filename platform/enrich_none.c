/*
 * Enrichment without netlink (NETLINK=none): there is no portable way to
 * ask the kernel for a route's interface or a NAT translation, so
 * --egress and --nat are refused at start with a message saying why.
 */
#include <stdio.h>
#include <string.h>

#include "enrich.h"

struct enrich *
enrich_open(const struct enrich_cfg *cfg, char *err, size_t errlen)
{
	snprintf(err, errlen, "%s: this picoflow was built without netlink "
	    "(NETLINK=none); the egress interface and NAT translations are "
	    "read from the Linux kernel with libmnl (build with NETLINK=mnl)",
	    cfg->nat ? "--nat" : "--egress");
	return NULL;
}

void
enrich_flow(struct enrich *e, struct flow_rec *r, uint64_t now_ms)
{
	(void)e;
	(void)r;
	(void)now_ms;
}

void
enrich_stats(const struct enrich *e, struct enrich_stats *st)
{
	(void)e;
	memset(st, 0, sizeof(*st));
}

void
enrich_close(struct enrich *e)
{
	(void)e;
}
