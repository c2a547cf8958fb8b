/*
 * FreeBSD sandbox (sandbox.h): Capsicum capability mode, cap_enter(2).
 * In it a process keeps the descriptors it has (capture, sockets, file)
 * but reaches no global name space: no open(2), no connect(2) to a new
 * address, no exec.  Two things of the steady state need that name space,
 * so with them the probe stays outside: a collector not yet connected
 * (SANDBOX_EXPORT with a connect to come is not told apart here, so any
 * export keeps connect) and the interface list re-read through the
 * routing sysctl (SANDBOX_IFLIST).  Hence capability mode applies to -r
 * with -P, and says plainly otherwise.
 *
 * Compiled against a stand-in header in tests/integration/sandbox_bsd.sh;
 * not run here (no FreeBSD machine in CI).
 */
#include <sys/capsicum.h>

#include <errno.h>
#include <stdio.h>

#include "sandbox.h"
#include "util.h"

int
sandbox_enter(unsigned needs, char *err, size_t errlen)
{
	if (needs & (SANDBOX_EXPORT | SANDBOX_IFLIST)) {
		snprintf(err, errlen, "Capsicum: capability mode forbids "
		    "connect(2) and the interface list, which these flags "
		    "need");
		return 1;
	}
	if (cap_enter() == -1) {
		int e = errno;

		util_errmsg(err, errlen, "cap_enter");
		return e == ENOSYS ? 1 : -1;
	}
	return 0;
}

const char *
sandbox_kind(void)
{
	return "capsicum";
}
