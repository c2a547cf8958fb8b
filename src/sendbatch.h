/*
 * Sending several datagrams on one connected UDP socket, in order, with as
 * few system calls as the OS allows.  Chosen by platform/$(BACKEND).mk:
 *   mmsg  platform/sendbatch_mmsg.c: sendmmsg(2), one call for the lot
 *         (Linux >= 3.0, FreeBSD >= 11, NetBSD >= 7);
 *   send  platform/sendbatch_send.c: send(2) for each, any POSIX system.
 * Export (export.c) decides what a failure means and whether to try
 * again; this layer only sends and reports.
 */
#ifndef PF_SENDBATCH_H
#define PF_SENDBATCH_H

#include <sys/types.h>
#include <sys/uio.h>

#include <stddef.h>

/* Datagrams one call takes at most; a caller with more calls again. */
#define SENDBATCH_MAX	16

/*
 * Send dg[0], dg[1]... on fd (connected, non-blocking), each iovec one
 * datagram, stopping at the first that fails.  Returns how many went
 * (at most SENDBATCH_MAX).  When that is fewer than n, dg[returned] failed
 * and *err holds why: its errno, or 0 when the kernel did not say, as
 * sendmmsg(2) does for a failure after the first datagram of a call (the
 * code is dropped; a pending socket error, such as an ICMP refusal of an
 * earlier datagram, is cleared by it all the same).
 */
size_t		 sendbatch(int fd, struct iovec *dg, size_t n, int *err);
/* "sendmmsg" or "send", for messages and tests. */
const char	*sendbatch_name(void);

#endif
