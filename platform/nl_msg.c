/* Netlink message framing and error answers (see nl_msg.h). */
#include <linux/netlink.h>

#include <libmnl/libmnl.h>
#include <stdint.h>

#include "nl_msg.h"

int
nl_msg_whole(const void *msg, size_t len)
{
	const struct nlmsghdr *nlh = msg;

	/*
	 * Not mnl_nlmsg_ok(): it compares the length as an int, so one
	 * over INT_MAX passes, and MNL_ALIGN() of one over 0xfffffffc is 0
	 * (a walk that never moves on).  Here it must be within len, which
	 * is at most INT_MAX, so its padded length is too.
	 */
	return len >= sizeof(struct nlmsghdr) && len <= 0x7fffffff &&
	    nlh->nlmsg_len >= sizeof(struct nlmsghdr) &&
	    nlh->nlmsg_len <= len && MNL_ALIGN(nlh->nlmsg_len) <= len;
}

size_t
nl_msg_framed(const void *buf, size_t len)
{
	const uint8_t *p = buf;
	size_t off = 0;

	while (off < len && nl_msg_whole(p + off, len - off))
		off += MNL_ALIGN(((const struct nlmsghdr *)(const void *)
		    (p + off))->nlmsg_len);
	return off;
}

int
nl_msg_attrs_whole(const void *msg, size_t offset)
{
	const struct nlmsghdr *nlh = msg;
	const struct nlattr *a;

	if (MNL_NLMSG_HDRLEN + MNL_ALIGN(offset) > nlh->nlmsg_len)
		return 0;
	mnl_attr_for_each(a, nlh, offset)
		;
	return (const void *)a == mnl_nlmsg_get_payload_tail(nlh);
}

/* The last attribute's padding may step past an unaligned nest end. */
int
nl_attr_nest_whole(const struct nlattr *nest)
{
	const char *end = (const char *)mnl_attr_get_payload(nest) +
	    mnl_attr_get_payload_len(nest);
	const struct nlattr *a;

	mnl_attr_for_each_nested(a, nest)
		;
	return (const char *)a >= end;
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
	/* An errno is under 4096 (the kernel's MAX_ERRNO); INT_MIN could
	 * not even be negated (found by fuzz_netlink). */
	if (e->error < -4095 || e->error > 4095)
		return -1;
	*err = e->error < 0 ? -e->error : e->error;
	return 1;
}
