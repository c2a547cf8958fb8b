/*
 * sendbatch.h with sendmmsg(2): one system call for up to SENDBATCH_MAX
 * datagrams.  On a 2-core x86 VM sending to a local collector, entering
 * the kernel once per datagram, and waking the collector for each, was
 * most of the cost of a flood of new flows (every packet ends a record).
 *
 * sendmmsg() reports an error only when it sent nothing; after the first
 * datagram it returns the count and drops the code (*err = 0 then, and
 * export.c works out what it was).  A kernel without the call (ENOSYS:
 * Linux before 3.0, or an emulator that lacks it) gets send() per
 * datagram from then on.
 */
#define _GNU_SOURCE		/* sendmmsg, struct mmsghdr: glibc and musl */
#include <sys/types.h>
#include <sys/socket.h>

#include <errno.h>
#include <string.h>

#include "sendbatch.h"

static int no_mmsg;		/* the kernel said ENOSYS */

static size_t
send_each(int fd, struct iovec *dg, size_t n, int *err)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (send(fd, dg[i].iov_base, dg[i].iov_len, 0) !=
		    (ssize_t)dg[i].iov_len) {
			*err = errno;
			break;
		}
	return i;
}

size_t
sendbatch(int fd, struct iovec *dg, size_t n, int *err)
{
	struct mmsghdr m[SENDBATCH_MAX];
	size_t i;
	int r;

	if (n > SENDBATCH_MAX)
		n = SENDBATCH_MAX;
	if (n <= 1 || no_mmsg)
		return send_each(fd, dg, n, err);
	memset(m, 0, n * sizeof(m[0]));
	for (i = 0; i < n; i++) {
		m[i].msg_hdr.msg_iov = &dg[i];
		m[i].msg_hdr.msg_iovlen = 1;
	}
	r = sendmmsg(fd, m, (unsigned)n, 0);
	if (r == -1 && errno == ENOSYS) {
		no_mmsg = 1;
		return send_each(fd, dg, n, err);
	}
	if (r == -1) {
		*err = errno;
		return 0;
	}
	if ((size_t)r < n)
		*err = 0;	/* dg[r] failed; the kernel kept the code */
	return (size_t)r;
}

const char *
sendbatch_name(void)
{
	return no_mmsg ? "send" : "sendmmsg";
}
