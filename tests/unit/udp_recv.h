/*
 * Unit tests that send real datagrams on 127.0.0.1: the next one on fd,
 * or -1 if none came within a second (a lost datagram fails its test
 * rather than hanging it).
 */
#ifndef PF_TEST_UDP_RECV_H
#define PF_TEST_UDP_RECV_H

#include <sys/types.h>
#include <sys/socket.h>

#include <poll.h>
#include <stddef.h>

static ssize_t
receive(int fd, void *buf, size_t len)
{
	struct pollfd p = { fd, POLLIN, 0 };

	if (poll(&p, 1, 1000) != 1)
		return -1;
	return recv(fd, buf, len, 0);
}

#endif
