/*
 * RTM_GETROUTE requests and answers: struct rtmsg, then attributes.  The
 * answer's attributes come from the kernel but are still checked against
 * the message length (libmnl's walk) and their own expected sizes.
 */
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <libmnl/libmnl.h>
#include <string.h>

#include "nl_msg.h"
#include "nl_route.h"

size_t
nl_route_request(void *buf, size_t len, uint32_t seq,
    const struct nl_route_query *q)
{
	struct nlmsghdr *nlh;
	struct rtmsg *rtm;
	size_t alen = q->family == AF_INET ? 4 : 16;
	int fit;

	if ((q->family != AF_INET && q->family != AF_INET6) ||
	    len < MNL_NLMSG_HDRLEN + MNL_ALIGN(sizeof(*rtm)))
		return 0;
	memset(buf, 0, MNL_NLMSG_HDRLEN + MNL_ALIGN(sizeof(*rtm)));
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_GETROUTE;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	nlh->nlmsg_seq = seq;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = q->family;
	rtm->rtm_dst_len = (unsigned char)(alen * 8);
	fit = mnl_attr_put_check(nlh, len, RTA_DST, alen, q->dst);
	if (q->iif != 0) {
		rtm->rtm_src_len = (unsigned char)(alen * 8);
		fit = fit && mnl_attr_put_check(nlh, len, RTA_SRC, alen,
		    q->src) && mnl_attr_put_u32_check(nlh, len, RTA_IIF,
		    q->iif);
	}
	return fit ? nlh->nlmsg_len : 0;
}

struct attrs {
	const struct nlattr	*oif;
	int			 bad;
};

static int
attr_cb(const struct nlattr *a, void *data)
{
	struct attrs *at = data;

	if (mnl_attr_get_type(a) != RTA_OIF)
		return MNL_CB_OK;
	if (mnl_attr_validate(a, MNL_TYPE_U32) < 0) {
		at->bad = 1;
		return MNL_CB_ERROR;
	}
	at->oif = a;
	return MNL_CB_OK;
}

int
nl_route_parse(const void *msg, size_t len, struct nl_route *out, int *err)
{
	const struct nlmsghdr *nlh = msg;
	const struct rtmsg *rtm;
	struct attrs at;
	int rc;

	if (!nl_msg_whole(msg, len))
		return -1;
	if ((rc = nl_msg_error(msg, err)) != 0)
		return rc == 1 ? 2 : -1;
	if (nlh->nlmsg_type != RTM_NEWROUTE)
		return 0;
	if (nlh->nlmsg_len < MNL_NLMSG_HDRLEN + MNL_ALIGN(sizeof(*rtm)))
		return -1;
	rtm = mnl_nlmsg_get_payload(nlh);
	memset(&at, 0, sizeof(at));
	if (!nl_msg_attrs_whole(nlh, sizeof(*rtm)) ||
	    mnl_attr_parse(nlh, sizeof(*rtm), attr_cb, &at) != MNL_CB_OK ||
	    at.bad)
		return -1;
	memset(out, 0, sizeof(*out));
	out->type = rtm->rtm_type;
	out->family = rtm->rtm_family;
	out->oif = at.oif != NULL ? mnl_attr_get_u32(at.oif) : 0;
	return 1;
}

/*
 * Only a unicast route names the interface the flow leaves by.  Local
 * delivery (RTN_LOCAL: the router itself is the destination), broadcast,
 * multicast (replicated to many), blackhole, unreachable and prohibit
 * routes leave it unknown.
 */
uint32_t
nl_route_egress(const struct nl_route *r)
{
	return r->type == RTN_UNICAST ? r->oif : 0;
}
