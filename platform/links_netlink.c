/*
 * Link monitor over rtnetlink with libmnl (NETLINK=mnl): one socket,
 * subscribed to RTMGRP_LINK before the first dump so that no change falls
 * between the dump and the events.  Events that arrive while a dump is
 * read are applied in order with it; both say how a link is now, so
 * applying one twice does no harm.
 */
#include <linux/rtnetlink.h>

#include <errno.h>
#include <libmnl/libmnl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "links.h"
#include "mem.h"
#include "nl_link.h"
#include "nl_msg.h"
#include "util.h"

#define DUMP_WAIT_MS	2000	/* the kernel answers at once; a bound */

struct links {
	struct mnl_socket	*nl;
	struct iftable		*t;
	uint8_t			*buf;
	size_t			 bufsz;
	unsigned		 seq;
	unsigned		 portid;
	int			 changed;
	uint64_t		 malformed;
};

static int
msg_cb(const struct nlmsghdr *nlh, void *data)
{
	struct links *l = data;
	struct nl_link k;
	int rc;

	switch (nl_link_parse(nlh, nlh->nlmsg_len, &k)) {
	case 1:
		rc = k.deleted ? iftable_del(l->t, k.index) :
		    iftable_set(l->t, k.index, k.name, k.up);
		if (rc == 1)
			l->changed = 1;
		break;
	case -1:
		l->malformed++;
		break;
	}
	return MNL_CB_OK;
}

/*
 * The whole messages at the start of a datagram of n bytes; the rest, if
 * any, is dropped and counted (mnl_cb_run() must not see it: nl_msg.h).
 */
static size_t
framed(struct links *l, size_t n)
{
	size_t whole = nl_msg_framed(l->buf, n);

	if (whole != n)
		l->malformed++;
	return whole;
}

/* Ask for every link, then apply the answer (and events) up to its end. */
static int
dump(struct links *l, char *err, size_t errlen)
{
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifi;
	struct pollfd pfd;
	int rc;

	nlh = mnl_nlmsg_put_header(l->buf);
	nlh->nlmsg_type = RTM_GETLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = ++l->seq;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	if (mnl_socket_sendto(l->nl, nlh, nlh->nlmsg_len) < 0) {
		util_errmsg(err, errlen, "netlink: asking for the links");
		return -1;
	}
	iftable_clear(l->t);
	l->changed = 1;
	pfd.fd = mnl_socket_get_fd(l->nl);
	pfd.events = POLLIN;
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(l->nl, l->buf, l->bufsz);

		if (n == -1 && errno == EAGAIN) {
			if (poll(&pfd, 1, DUMP_WAIT_MS) == 1)
				continue;
			errno = ETIMEDOUT;
		}
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			util_errmsg(err, errlen, "netlink: reading the links");
			return -1;
		}
		rc = mnl_cb_run(l->buf, framed(l, (size_t)n), l->seq,
		    l->portid, msg_cb, l);
		if (rc == MNL_CB_STOP)
			return 0;
		if (rc == MNL_CB_ERROR) {
			util_errmsg(err, errlen, "netlink: link dump");
			return -1;
		}
	}
}

struct links *
links_open(struct iftable *t, char *err, size_t errlen)
{
	struct links *l;

	if ((l = calloc(1, sizeof(*l))) == NULL) {
		snprintf(err, errlen, "netlink: out of memory");
		return NULL;
	}
	l->t = t;
	l->bufsz = (size_t)MNL_SOCKET_BUFFER_SIZE;
	l->seq = (unsigned)time(NULL);
	if ((l->buf = mem_alloc(l->bufsz, "netlink buffer")) == NULL) {
		snprintf(err, errlen, "netlink: no room for a %zu-byte buffer "
		    "in -M", l->bufsz);
		goto fail;
	}
	l->nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (l->nl == NULL ||
	    mnl_socket_bind(l->nl, RTMGRP_LINK, MNL_SOCKET_AUTOPID) < 0) {
		util_errmsg(err, errlen, "netlink: route socket");
		goto fail;
	}
	l->portid = mnl_socket_get_portid(l->nl);
	if (dump(l, err, errlen) == -1)
		goto fail;
	return l;
fail:
	links_close(l);
	return NULL;
}

int
links_fd(const struct links *l)
{
	return mnl_socket_get_fd(l->nl);
}

int
links_update(struct links *l, char *err, size_t errlen)
{
	l->changed = 0;
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(l->nl, l->buf, l->bufsz);

		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN)
			break;
		if (n == -1 && errno == ENOBUFS) {
			/* Events were lost: only a full re-read is exact. */
			if (dump(l, err, errlen) == -1)
				return -1;
			continue;
		}
		if (n == -1) {
			util_errmsg(err, errlen, "netlink: link events");
			return -1;
		}
		/* Events carry sequence 0 and port 0: checked as such. */
		mnl_cb_run(l->buf, framed(l, (size_t)n), 0, 0, msg_cb, l);
	}
	return l->changed;
}

const char *
links_source(void)
{
	return "netlink";
}

void
links_close(struct links *l)
{
	if (l == NULL)
		return;
	if (l->nl != NULL)
		mnl_socket_close(l->nl);
	mem_free(l->buf);
	free(l);
}
