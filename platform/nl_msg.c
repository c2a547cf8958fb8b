/* Netlink message framing and error answers (see nl_msg.h). */
#include <linux/netlink.h>

#include <libmnl/libmnl.h>

#include "nl_msg.h"

int
nl_msg_whole(const void *msg, size_t len)
{
	/* mnl_nlmsg_ok takes an int: a length over INT_MAX is no message. */
	return len >= sizeof(struct nlmsghdr) && len <= 0x7fffffff &&
	    mnl_nlmsg_ok(msg, (int)len);
}

int
nl_msg_error(const void *msg, int *err)
{
	const struct nlmsghdr *nlh = msg;
	const struct nlmsgerr *e;

	if (nlh->nlmsg_type != NLMSG_ERROR)
		return 0;
	if (nlh->nlmsg_len < MNL_NLMSG_HDRLEN + sizeof(*e))
		return -1;
	e = mnl_nlmsg_get_payload(nlh);
	*err = e->error < 0 ? -e->error : e->error;
	return 1;
}
