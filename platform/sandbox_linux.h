/*
 * The seccomp program of sandbox_linux.c, for its unit test, which runs
 * it on made-up calls (under qemu-user for every cross target: qemu
 * refuses to install a filter, but can run one as data).
 */
#ifndef PF_SANDBOX_LINUX_H
#define PF_SANDBOX_LINUX_H

#include <stddef.h>
#include <stdint.h>

#include <linux/filter.h>

/*
 * The instructions sandbox_enter() would install for needs, copied to out
 * (room for max); their count, 0 if they do not fit or there is no filter
 * for this architecture.
 */
size_t		sandbox_linux_program(unsigned needs, struct sock_filter *out,
		    size_t max);
/* The AUDIT_ARCH_* value the program accepts (0: none). */
uint32_t	sandbox_linux_arch(void);

#endif
