/*
 * What every netlink answer parser checks first: that the bytes hold one
 * whole message, and whether it is an error (or acknowledgement) message.
 * Pure, like the parsers that use it.
 */
#ifndef PF_NL_MSG_H
#define PF_NL_MSG_H

#include <stddef.h>

struct nlattr;

/*
 * 1 if msg holds a netlink message that fits in len bytes with its
 * padding (attribute walks run to the aligned end).
 */
int	nl_msg_whole(const void *msg, size_t len);
/*
 * How many of the len bytes at buf are whole messages one after another
 * (each passes nl_msg_whole()): what may be handed to mnl_cb_run(), whose
 * own check reads a length over INT_MAX as a negative int, passes it, and
 * steps far past the buffer.
 */
size_t	nl_msg_framed(const void *buf, size_t len);
/*
 * libmnl's attribute walks stop quietly at the first attribute that does
 * not fit, so a cut or garbled list would just look shorter.  These say
 * whether the attributes after offset bytes of payload (of a nest) fill
 * it exactly; msg must have passed nl_msg_whole().
 */
int	nl_msg_attrs_whole(const void *msg, size_t offset);
int	nl_attr_nest_whole(const struct nlattr *nest);
/*
 * For an NLMSG_ERROR message: 1, and *err the positive errno it carries
 * (0 for an acknowledgement); 0 for any other type; -1 if it is too short
 * to carry the error code, or the code is no errno.  msg must have passed nl_msg_whole().
 */
int	nl_msg_error(const void *msg, int *err);

#endif
