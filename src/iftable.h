/*
 * The interface table: ifindex <-> name and up/down for this host's
 * network interfaces, so that a capture can follow its interface when it
 * is removed and created again (a PPPoE reconnect gives a new ifindex)
 * and collectors can be told names, not numbers.
 *
 * Pure bookkeeping: what fills it is the link monitor of the platform
 * (src/links.h).  Fixed size, allocated once at start from the memory
 * budget; an interface that finds the table full is counted and left out.
 */
#ifndef PF_IFTABLE_H
#define PF_IFTABLE_H

#include <stddef.h>
#include <stdint.h>

#define IFTABLE_NAME_LEN	16	/* IFNAMSIZ: 15 characters and NUL */
#define IFTABLE_DEFAULT_MAX	128	/* interfaces kept, no option */

struct iftable_entry {
	uint32_t	index;		/* > 0 */
	uint8_t		up;		/* IFF_UP */
	char		name[IFTABLE_NAME_LEN];	/* NUL-terminated */
};

struct iftable {
	struct iftable_entry *e;	/* sorted by index, n used */
	size_t		n;
	size_t		cap;
	uint32_t	generation;	/* bumped by every change */
	uint64_t	overflow;	/* interfaces not kept: table full */
};

/* Bytes iftable_init() takes for cap entries (for the -M report). */
size_t	iftable_bytes(size_t cap);
/* 0, or -1 when the memory budget has no room (errno ENOMEM). */
int	iftable_init(struct iftable *, size_t cap);
void	iftable_free(struct iftable *);
/*
 * Add or update index (a rename or an up/down change is an update).  A
 * name longer than IFTABLE_NAME_LEN - 1 is cut.  Returns 1 if the table
 * changed, 0 if it already said so, -1 if it is full (counted).
 */
int	iftable_set(struct iftable *, uint32_t index, const char *name,
	    int up);
/* Remove index; 1 if it was there. */
int	iftable_del(struct iftable *, uint32_t index);
/* Forget everything (before a full re-read). */
void	iftable_clear(struct iftable *);
const struct iftable_entry *iftable_by_index(const struct iftable *,
	    uint32_t index);
const struct iftable_entry *iftable_by_name(const struct iftable *,
	    const char *name);

#endif
