/*
 * Parsing of one rtnetlink link message (RTM_NEWLINK, RTM_DELLINK): pure,
 * no socket, so it is tested on recorded message bytes.
 */
#ifndef PF_NL_LINK_H
#define PF_NL_LINK_H

#include <stddef.h>
#include <stdint.h>

#include "iftable.h"

struct nl_link {
	uint32_t	index;
	int		up;		/* IFF_UP */
	int		deleted;	/* RTM_DELLINK */
	char		name[IFTABLE_NAME_LEN];
};

/*
 * msg holds one netlink message of len bytes, header included.  Returns 1
 * and fills *out for a link message with an index and a name, 0 for any
 * other message type, -1 for a malformed one (lengths that do not add up,
 * no name, a name that is not a NUL-terminated string).
 */
int	nl_link_parse(const void *msg, size_t len, struct nl_link *out);

#endif
