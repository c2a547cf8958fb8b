/*
 * Capabilities a process keeps when -u switches it to an unprivileged
 * user, so that --nat and --offload-flows still get answers from
 * conntrack and --process can see which process holds a socket: only
 * what those need, nothing else (privs.c calls these
 * around the switch).  Linux: platform/caps_linux.c; elsewhere
 * platform/caps_none.c, where asking to keep any is an error.
 */
#ifndef PF_CAPS_H
#define PF_CAPS_H

#include <stddef.h>

#define CAPS_NET_ADMIN	0x1	/* conntrack queries and dumps */
#define CAPS_PROC	0x2	/* --process: other users' /proc/PID/fd
				 * (CAP_DAC_READ_SEARCH, CAP_SYS_PTRACE) */

/* Before the user switch: ask that keep (CAPS_* bits) survive it. */
int	caps_keep_begin(unsigned keep, char *err, size_t errlen);
/*
 * After it: make keep the only capabilities, effective and permitted
 * (none when 0), and check that the kernel says so.  -1 with a message.
 */
int	caps_keep_end(unsigned keep, char *err, size_t errlen);

#endif
