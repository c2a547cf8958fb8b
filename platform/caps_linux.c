/*
 * Capabilities across the user switch (caps.h) with prctl(2) and capset(2)
 * alone: libcap is not on small routers.  PR_SET_KEEPCAPS keeps the
 * permitted set when the user ids leave 0 (the effective set is emptied
 * all the same); capset() then makes the kept ones effective and drops
 * every other from the permitted set, for good.
 */
#include <sys/prctl.h>
#include <sys/syscall.h>

#include <linux/capability.h>

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "caps.h"
#include "util.h"

static uint32_t
kernel_bits(unsigned keep)
{
	return (keep & CAPS_NET_ADMIN ? 1U << CAP_NET_ADMIN : 0) |
	    (keep & CAPS_PROC ? 1U << CAP_DAC_READ_SEARCH |
	    1U << CAP_SYS_PTRACE : 0);
}

int
caps_keep_begin(unsigned keep, char *err, size_t errlen)
{
	if (keep == 0)
		return 0;
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) == -1) {
		util_errmsg(err, errlen, "prctl(PR_SET_KEEPCAPS)");
		return -1;
	}
	return 0;
}

int
caps_keep_end(unsigned keep, char *err, size_t errlen)
{
	struct __user_cap_header_struct h;
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3];
	uint32_t want = kernel_bits(keep);

	if (keep == 0)
		return 0;	/* the switch emptied every set */
	prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0);
	memset(&h, 0, sizeof(h));
	memset(d, 0, sizeof(d));
	h.version = _LINUX_CAPABILITY_VERSION_3;
	d[0].effective = d[0].permitted = want;
	if (syscall(SYS_capset, &h, d) == -1) {
		util_errmsg(err, errlen, "capset");
		return -1;
	}
	memset(d, 0, sizeof(d));
	if (syscall(SYS_capget, &h, d) == -1 || d[0].effective != want ||
	    d[0].permitted != want || d[1].effective != 0 ||
	    d[1].permitted != 0 || d[0].inheritable != 0) {
		snprintf(err, errlen, "capabilities after the switch are not "
		    "CAP_NET_ADMIN alone");
		return -1;
	}
	return 0;
}
