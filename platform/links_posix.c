/*
 * Link monitor without netlink (NETLINK=none): if_nameindex(3), POSIX, at
 * open and whenever links_update() is called (the probe calls it once a
 * second in live capture).  if_nameindex() allocates: in builds without
 * libmnl that is the one heap allocation after start-up, once a second,
 * never on the packet path.  It does not know whether a link is up, so
 * every interface counts as up.
 */
#include <net/if.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "links.h"
#include "util.h"

struct links {
	struct iftable	*t;
};

static int
listed(const struct if_nameindex *ni, uint32_t index)
{
	for (; ni->if_index != 0; ni++)
		if (ni->if_index == index)
			return 1;
	return 0;
}

/* 1 if the table changed: an interface came, went, or was renamed. */
static int
reread(struct links *l, char *err, size_t errlen)
{
	struct if_nameindex *ni, *p;
	uint32_t gen = l->t->generation;
	size_t i;

	if ((ni = if_nameindex()) == NULL) {
		util_errmsg(err, errlen, "if_nameindex");
		return -1;
	}
	for (i = l->t->n; i-- > 0;)
		if (!listed(ni, l->t->e[i].index))
			iftable_del(l->t, l->t->e[i].index);
	for (p = ni; p->if_index != 0; p++)
		iftable_set(l->t, p->if_index, p->if_name, 1);
	if_freenameindex(ni);
	return l->t->generation != gen;
}

struct links *
links_open(struct iftable *t, char *err, size_t errlen)
{
	struct links *l;

	if ((l = calloc(1, sizeof(*l))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	l->t = t;
	if (reread(l, err, errlen) == -1) {
		free(l);
		return NULL;
	}
	return l;
}

int
links_fd(const struct links *l)
{
	(void)l;
	return -1;
}

int
links_update(struct links *l, char *err, size_t errlen)
{
	return reread(l, err, errlen);
}

const char *
links_source(void)
{
	return "if_nameindex";
}

void
links_close(struct links *l)
{
	free(l);
}
