/*
 * --process without netlink (NETLINK=none): the owner of a socket comes
 * from Linux's sock_diag and /proc, so procinfo_open() refuses at start
 * with a message saying why.
 */
#include <stdio.h>
#include <string.h>

#include "procinfo.h"

struct procinfo *
procinfo_open(unsigned rate_per_s, size_t cache_entries, char *err,
    size_t errlen)
{
	(void)rate_per_s;
	(void)cache_entries;
	snprintf(err, errlen, "--process: this picoflow was built without "
	    "netlink (NETLINK=none); the owners of sockets are read from the "
	    "Linux kernel's sock_diag with libmnl (build with NETLINK=mnl)");
	return NULL;
}

int
procinfo_is_local(struct procinfo *p, const uint8_t *addr, int ipver,
    uint64_t now_ms)
{
	(void)p;
	(void)addr;
	(void)ipver;
	(void)now_ms;
	return 0;
}

int
procinfo_lookup(struct procinfo *p, const struct flow_key *k,
    int local_side, uint64_t now_ms, struct proc_owner *out)
{
	(void)p;
	(void)k;
	(void)local_side;
	(void)now_ms;
	memset(out, 0, sizeof(*out));
	return PROCINFO_NONE;
}

void
procinfo_stats(const struct procinfo *p, struct procinfo_stats *st)
{
	(void)p;
	memset(st, 0, sizeof(*st));
}

size_t
procinfo_bytes(size_t cache_entries)
{
	(void)cache_entries;
	return 0;
}

void
procinfo_close(struct procinfo *p)
{
	(void)p;
}
