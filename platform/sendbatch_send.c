/*
 * sendbatch.h with send(2), a call per datagram: for systems without
 * sendmmsg(2) (OpenBSD before 7.2, macOS, others).  Every failure comes
 * with its errno.
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <errno.h>

#include "sendbatch.h"

size_t
sendbatch(int fd, struct iovec *dg, size_t n, int *err)
{
	size_t i;

	for (i = 0; i < n && i < SENDBATCH_MAX; i++)
		if (send(fd, dg[i].iov_base, dg[i].iov_len, 0) !=
		    (ssize_t)dg[i].iov_len) {
			*err = errno;
			break;
		}
	return i;
}

const char *
sendbatch_name(void)
{
	return "send";
}
