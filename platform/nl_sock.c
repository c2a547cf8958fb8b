/* Netlink sockets for the libmnl modules (see nl_sock.h). */
#include <sys/socket.h>

#include <errno.h>
#include <libmnl/libmnl.h>

#include "nl_sock.h"

/*
 * Non-blocking: the kernel answers a request before sendto() returns, so
 * an empty socket means no answer is coming, never one to wait for.
 */
struct mnl_socket *
nl_sock_open(int bus, unsigned groups)
{
	struct mnl_socket *nl;

	nl = mnl_socket_open2(bus, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (nl != NULL && mnl_socket_bind(nl, groups, MNL_SOCKET_AUTOPID) < 0) {
		int saved = errno;

		mnl_socket_close(nl);
		errno = saved;
		nl = NULL;
	}
	return nl;
}
