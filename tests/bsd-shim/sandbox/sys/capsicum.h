/*
 * Stand-in for FreeBSD's <sys/capsicum.h> in sandbox_bsd.sh: cap_enter(2)
 * as FreeBSD declares it (a fake in sandbox_fake.c records the call).
 */
#ifndef SHIM_SYS_CAPSICUM_H
#define SHIM_SYS_CAPSICUM_H

int	cap_enter(void);

#endif
