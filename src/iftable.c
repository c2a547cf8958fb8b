/*
 * Interface table: a sorted array, binary search by index, linear search
 * by name.  A router has tens of interfaces and the table changes only
 * on link events, so nothing cleverer pays for itself.
 */
#include <errno.h>
#include <string.h>

#include "iftable.h"
#include "mem.h"

size_t
iftable_bytes(size_t cap)
{
	return cap * sizeof(struct iftable_entry);
}

int
iftable_init(struct iftable *t, size_t cap)
{
	memset(t, 0, sizeof(*t));
	if (cap == 0 ||
	    (t->e = mem_alloc(iftable_bytes(cap), "interface table")) == NULL) {
		errno = ENOMEM;
		return -1;
	}
	t->cap = cap;
	return 0;
}

void
iftable_free(struct iftable *t)
{
	mem_free(t->e);
	memset(t, 0, sizeof(*t));
}

/* The slot of index, or where it would go. */
static size_t
slot(const struct iftable *t, uint32_t index)
{
	size_t lo = 0, hi = t->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (t->e[mid].index < index)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int
iftable_set(struct iftable *t, uint32_t index, const char *name, int up)
{
	char cut[IFTABLE_NAME_LEN];
	struct iftable_entry *e;
	size_t i = slot(t, index), len = strlen(name);

	if (index == 0)
		return 0;
	memset(cut, 0, sizeof(cut));
	memcpy(cut, name, len < sizeof(cut) - 1 ? len : sizeof(cut) - 1);
	if (i < t->n && t->e[i].index == index) {
		e = &t->e[i];
		if (e->up == !!up && memcmp(e->name, cut, sizeof(cut)) == 0)
			return 0;
	} else {
		if (t->n == t->cap) {
			t->overflow++;
			return -1;
		}
		memmove(&t->e[i + 1], &t->e[i], (t->n - i) * sizeof(*t->e));
		t->n++;
		e = &t->e[i];
		e->index = index;
	}
	e->up = !!up;
	memcpy(e->name, cut, sizeof(cut));
	t->generation++;
	return 1;
}

int
iftable_del(struct iftable *t, uint32_t index)
{
	size_t i = slot(t, index);

	if (i >= t->n || t->e[i].index != index)
		return 0;
	memmove(&t->e[i], &t->e[i + 1], (t->n - i - 1) * sizeof(*t->e));
	t->n--;
	t->generation++;
	return 1;
}

void
iftable_clear(struct iftable *t)
{
	if (t->n != 0)
		t->generation++;
	t->n = 0;
}

const struct iftable_entry *
iftable_by_index(const struct iftable *t, uint32_t index)
{
	size_t i = slot(t, index);

	return i < t->n && t->e[i].index == index ? &t->e[i] : NULL;
}

const struct iftable_entry *
iftable_by_name(const struct iftable *t, const char *name)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (strncmp(t->e[i].name, name, IFTABLE_NAME_LEN) == 0)
			return &t->e[i];
	return NULL;
}
