/* Start-up allocator with a hard budget and a per-purpose report. */
#include <stdint.h>
#include <stdlib.h>

#include "mem.h"
#include "util.h"

#define MEM_MAX_ITEMS	32

struct mem_item {
	void		*p;
	size_t		 size;
	const char	*what;
};

static struct mem_item	items[MEM_MAX_ITEMS];
static size_t		nitems, used, budget = MEM_UNLIMITED;
static int		sealed;

void
mem_init(size_t b)
{
	budget = b;
	used = 0;
	nitems = 0;
	sealed = 0;
}

void *
mem_alloc(size_t size, const char *what)
{
	void *p;

	if (sealed || nitems == MEM_MAX_ITEMS || size == 0)
		return NULL;
	if (budget != MEM_UNLIMITED && size > budget - used)
		return NULL;
	if ((p = calloc(1, size)) == NULL)
		return NULL;
	items[nitems].p = p;
	items[nitems].size = size;
	items[nitems].what = what;
	nitems++;
	used += size;
	return p;
}

int
mem_account(size_t size, const char *what)
{
	if (nitems == MEM_MAX_ITEMS)
		return -1;
	if (budget != MEM_UNLIMITED && size > budget - used)
		return -1;
	items[nitems].p = NULL;
	items[nitems].size = size;
	items[nitems].what = what;
	nitems++;
	used += size;
	return 0;
}

void
mem_free(void *p)
{
	size_t i;

	if (p == NULL)
		return;
	for (i = 0; i < nitems; i++) {
		if (items[i].p != p)
			continue;
		used -= items[i].size;
		items[i] = items[--nitems];
		break;
	}
	free(p);
}

size_t
mem_used(void)
{
	return used;
}

size_t
mem_left(void)
{
	return budget == MEM_UNLIMITED ? MEM_UNLIMITED : budget - used;
}

void
mem_seal(void)
{
	sealed = 1;
}

void
mem_report(FILE *f)
{
	size_t i;

	for (i = 0; i < nitems; i++)
		fprintf(f, "memory: %-16s %10zu bytes\n", items[i].what,
		    items[i].size);
	if (budget == MEM_UNLIMITED)
		fprintf(f, "memory: %-16s %10zu bytes (no -M budget)\n",
		    "total", used);
	else
		fprintf(f, "memory: %-16s %10zu bytes of %zu (-M)\n",
		    "total", used, budget);
}
