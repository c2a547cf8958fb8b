/* Unit tests for the interface table: order, updates, renames, limits. */
#include <string.h>

#include "iftable.h"
#include "mem.h"
#include "tap.h"

static void
test_basic(void)
{
	const struct iftable_entry *e;
	struct iftable t;
	uint32_t gen;

	mem_init(MEM_UNLIMITED);
	ok(iftable_init(&t, 4) == 0, "a table of 4");
	is_int(iftable_set(&t, 7, "eth1", 1), 1, "add 7");
	is_int(iftable_set(&t, 2, "eth0", 0), 1, "add 2");
	is_int(iftable_set(&t, 1, "lo", 1), 1, "add 1");
	ok(t.e[0].index == 1 && t.e[1].index == 2 && t.e[2].index == 7,
	    "kept sorted by index");
	gen = t.generation;
	is_int(iftable_set(&t, 7, "eth1", 1), 0, "the same again: no change");
	is_int(t.generation, gen, "... and the generation stays");
	is_int(iftable_set(&t, 7, "wan", 1), 1, "a rename is a change");
	e = iftable_by_index(&t, 7);
	ok(e != NULL && strcmp(e->name, "wan") == 0, "7 is now wan");
	ok(iftable_by_name(&t, "eth1") == NULL, "eth1 is gone");
	is_int(iftable_set(&t, 2, "eth0", 1), 1, "up is a change");
	ok(iftable_by_name(&t, "eth0")->up == 1, "eth0 is up");
	is_int(iftable_set(&t, 9, "wlan0", 1), 1, "add a fourth");
	is_int(iftable_set(&t, 10, "wlan1", 1), -1, "a fifth: full");
	is_int(t.overflow, 1, "... counted");
	is_int(iftable_del(&t, 2), 1, "delete 2");
	is_int(iftable_del(&t, 2), 0, "delete 2 again: not there");
	ok(iftable_by_index(&t, 2) == NULL, "2 is gone");
	ok(iftable_by_index(&t, 9) != NULL && iftable_by_index(&t, 1) != NULL,
	    "the others stay");
	is_int(iftable_set(&t, 5, "a-name-longer-than-fifteen", 1), 1,
	    "a long name");
	ok(strcmp(iftable_by_index(&t, 5)->name, "a-name-longer-t") == 0,
	    "... is cut to 15 characters");
	is_int(iftable_set(&t, 0, "zero", 1), 0, "index 0 is not an interface");
	gen = t.generation;
	iftable_clear(&t);
	ok(t.n == 0 && t.generation != gen, "clear empties it, a change");
	iftable_free(&t);
}

static void
test_budget(void)
{
	struct iftable t;

	mem_init(100);
	ok(iftable_init(&t, 128) == -1, "no room in -M: refused");
	mem_init(MEM_UNLIMITED);
}

int
main(void)
{
	test_basic();
	test_budget();
	return done();
}
