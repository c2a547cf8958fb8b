/* Netlink sockets for the libmnl modules (see nl_sock.h). */
#include <sys/socket.h>

#include <errno.h>
#include <libmnl/libmnl.h>
#include <stdio.h>
#include <string.h>

#include "nl_ct.h"
#include "nl_msg.h"
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

int
nl_ct_check(struct mnl_socket *s, uint32_t *seq, uint8_t *buf,
    size_t bufsz, const char *flag, char *err, size_t errlen)
{
	struct nl_ct_tuple t;
	struct nl_ct ct;
	uint8_t req[128];
	int rc = EAGAIN, i;

	memset(&t, 0, sizeof(t));
	t.proto = 17;
	for (i = 0; i < 3 && rc == EAGAIN; i++) {
		size_t len = nl_ct_request(req, sizeof(req), ++*seq, &t,
		    NL_CT_ORIG);
		ssize_t n;

		rc = -1;
		if (len == 0 || mnl_socket_sendto(s, req, len) < 0 ||
		    (n = mnl_socket_recvfrom(s, buf, bufsz)) <= 0 ||
		    nl_ct_parse(buf, (size_t)n, &ct, &rc) != 2)
			rc = rc == -1 ? errno : rc;
	}
	if (rc == ENOENT)
		return 0;
	if (rc == EPERM)
		snprintf(err, errlen, "%s: conntrack refused the query (%s): "
		    "it needs CAP_NET_ADMIN", flag, strerror(rc));
	else
		snprintf(err, errlen, "%s: conntrack does not answer over "
		    "netlink (%s): the kernel needs nf_conntrack and "
		    "nf_conntrack_netlink", flag, rc > 0 ? strerror(rc) :
		    "no answer");
	return -1;
}

ssize_t
nl_sock_recv_seq(struct mnl_socket *nl, void *buf, size_t len, uint32_t seq)
{
	const struct nlmsghdr *nlh = buf;
	int i;

	for (i = 0; i < NL_STALE_READS; i++) {
		ssize_t n = mnl_socket_recvfrom(nl, buf, len);

		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		if (nl_msg_whole(nlh, (size_t)n) && nlh->nlmsg_seq == seq)
			return n;
	}
	return -1;
}

int
nl_rate_allow(struct nl_rate *r, uint32_t cap, uint32_t now_s)
{
	if (now_s != r->win_s) {
		r->win_s = now_s;
		r->used = 0;
	}
	if (cap != 0 && r->used >= cap)
		return 0;
	r->used++;
	return 1;
}
