/*
 * rtnetlink link messages: struct ifinfomsg, then attributes, of which we
 * want IFLA_IFNAME.  Every length comes from the message, so each is
 * checked against the bytes we have before it is used; libmnl's attribute
 * walk checks each attribute against the message length, and
 * nl_msg_attrs_whole() that the attributes fill it (the walk would stop
 * quietly at one that does not fit).
 */
#include <linux/if.h>
#include <linux/rtnetlink.h>

#include <libmnl/libmnl.h>
#include <string.h>

#include "nl_link.h"
#include "nl_msg.h"

struct attrs {
	const struct nlattr *name;
	int bad;
};

static int
attr_cb(const struct nlattr *a, void *data)
{
	struct attrs *at = data;

	if (mnl_attr_get_type(a) != IFLA_IFNAME)
		return MNL_CB_OK;
	if (mnl_attr_validate(a, MNL_TYPE_NUL_STRING) < 0 ||
	    mnl_attr_get_payload_len(a) > IFTABLE_NAME_LEN) {
		at->bad = 1;
		return MNL_CB_ERROR;
	}
	at->name = a;
	return MNL_CB_OK;
}

int
nl_link_parse(const void *msg, size_t len, struct nl_link *out)
{
	const struct nlmsghdr *nlh = msg;
	const struct ifinfomsg *ifi;
	struct attrs at;

	if (!nl_msg_whole(msg, len))
		return -1;
	if (nlh->nlmsg_type != RTM_NEWLINK && nlh->nlmsg_type != RTM_DELLINK)
		return 0;
	if (nlh->nlmsg_len < MNL_NLMSG_HDRLEN + MNL_ALIGN(sizeof(*ifi)) ||
	    !nl_msg_attrs_whole(nlh, sizeof(*ifi)))
		return -1;
	ifi = mnl_nlmsg_get_payload(nlh);
	memset(&at, 0, sizeof(at));
	if (mnl_attr_parse(nlh, sizeof(*ifi), attr_cb, &at) != MNL_CB_OK ||
	    at.bad || at.name == NULL || ifi->ifi_index <= 0)
		return -1;
	memset(out, 0, sizeof(*out));
	out->index = (uint32_t)ifi->ifi_index;
	out->up = (ifi->ifi_flags & IFF_UP) != 0;
	out->deleted = nlh->nlmsg_type == RTM_DELLINK;
	memcpy(out->name, mnl_attr_get_str(at.name),
	    mnl_attr_get_payload_len(at.name));
	return 1;
}
