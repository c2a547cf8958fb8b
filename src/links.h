/*
 * Link monitor: keeps an interface table (iftable.h) current.  Chosen by
 * the Makefile's NETLINK:
 *   mnl   platform/links_netlink.c: a dump of the links at open, then
 *         link events (RTMGRP_LINK) as they come; poll links_fd().
 *   none  platform/links_posix.c: if_nameindex(3) at open and at each
 *         links_update(); no events (links_fd() is -1), no up/down.
 * All memory is taken at open; an update allocates nothing.
 */
#ifndef PF_LINKS_H
#define PF_LINKS_H

#include <stddef.h>

#include "iftable.h"

struct links;

/* Fills t once; NULL with a message in err if that fails. */
struct links	*links_open(struct iftable *t, char *err, size_t errlen);
/* A descriptor that is readable when links_update() has events to apply,
 * or -1 when there are no events: call links_update() to re-read. */
int		 links_fd(const struct links *);
/*
 * Apply pending events (or re-read, without events).  Returns 1 if the
 * table changed, 0 if not, -1 on an error (message in err; the table keeps
 * what it had, and the next update tries again).  A lost event (the
 * kernel's queue overflowed) makes it re-read everything.
 */
int		 links_update(struct links *, char *err, size_t errlen);
/* "netlink" or "if_nameindex", for messages. */
const char	*links_source(void);
void		 links_close(struct links *);

#endif
