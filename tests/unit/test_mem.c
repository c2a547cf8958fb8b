/* The start-up allocator never exceeds its budget and refuses after seal. */
#include "mem.h"
#include "tap.h"

int
main(void)
{
	void *a, *b, *c;

	mem_init(1000);
	a = mem_alloc(600, "a");
	ok(a != NULL, "within budget");
	is_int(mem_used(), 600, "counted");
	is_int(mem_left(), 400, "left");
	b = mem_alloc(401, "b");
	ok(b == NULL, "over budget refused");
	is_int(mem_account(400, "ring"), 0, "accounting fits exactly");
	is_int(mem_account(1, "more"), -1, "accounting over budget refused");
	mem_free(a);
	is_int(mem_used(), 400, "free gives back");
	mem_seal();
	c = mem_alloc(10, "late");
	ok(c == NULL, "sealed: no allocation after start-up");
	mem_init(MEM_UNLIMITED);
	a = mem_alloc(1 << 20, "big");
	ok(a != NULL, "unlimited");
	ok(mem_alloc(0, "zero") == NULL, "zero size refused");
	mem_free(a);
	is_int(mem_used(), 0, "all returned");
	return done();
}
