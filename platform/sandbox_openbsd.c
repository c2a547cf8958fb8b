/*
 * OpenBSD sandbox (sandbox.h): pledge(2) with the promises the steady
 * state needs.  "stdio" covers reading the file, writing logs, poll,
 * clocks, sleeping, sends on connected sockets, netlink-free syslog
 * (sendsyslog(2)) and memory; "inet" a collector connected later; "bpf"
 * the capture's BIOCGSTATS; "route" the interface list (if_nameindex(3)
 * reads the routing sysctl).  No execpromises: nothing is ever executed.
 *
 * Compiled against a stand-in header in tests/integration/sandbox_bsd.sh;
 * not run here (no OpenBSD machine in CI).
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sandbox.h"
#include "util.h"

int
sandbox_enter(unsigned needs, char *err, size_t errlen)
{
	char promises[64];

	snprintf(promises, sizeof(promises), "stdio%s%s%s",
	    needs & SANDBOX_EXPORT ? " inet" : "",
	    needs & SANDBOX_CAPTURE ? " bpf" : "",
	    needs & SANDBOX_IFLIST ? " route" : "");
	if (pledge(promises, NULL) == -1) {
		util_errmsg(err, errlen, "pledge \"%s\"", promises);
		return -1;
	}
	return 0;
}

const char *
sandbox_kind(void)
{
	return "pledge";
}
