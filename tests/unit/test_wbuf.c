/* The bounded big-endian writer: byte order, sizes, and the sticky err. */
#include "tap.h"
#include "wbuf.h"

static void
test_stores(void)
{
	uint8_t b[9];

	memset(b, 0xee, sizeof(b));
	wb_store_be16(b + 1, 0x0102);
	ok(b[0] == 0xee && b[1] == 1 && b[2] == 2 && b[3] == 0xee,
	    "be16 at an odd address, nothing around it touched");
	wb_store_be32(b + 1, 0x01020304);
	ok(b[1] == 1 && b[2] == 2 && b[3] == 3 && b[4] == 4 && b[5] == 0xee,
	    "be32");
	wb_store_be64(b + 1, 0x0102030405060708ULL);
	ok(b[1] == 1 && b[4] == 4 && b[8] == 8 && b[0] == 0xee, "be64");
}

static void
test_writer(void)
{
	static const uint8_t want[] = { 0xab, 0x12, 0x34, 0x00, 0x00, 0x01,
	    0x02, 0x03, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x04, 0x05, 'h', 'i',
	    0, 0 };
	uint8_t b[sizeof(want) + 4];
	struct wbuf w;

	memset(b, 0xee, sizeof(b));
	wb_init(&w, b, sizeof(want));
	wb_uint(&w, 0xab, 1);
	wb_be16(&w, 0x1234);
	wb_uint(&w, 0x010203, 5);		/* odd size: leading zeros */
	wb_uint(&w, 0x0405, 12);		/* over 8: zeros first */
	wb_bytes(&w, (const uint8_t *)"hi", 2);
	wb_zero(&w, 2);
	is_int(w.err, 0, "everything fits exactly");
	is_int(w.p - b, sizeof(want), "pointer at the end");
	ok(memcmp(b, want, sizeof(want)) == 0, "bytes in network order");
	ok(!wb_room(&w, 1) && w.err, "no room for one more: err set");
	wb_init(&w, b, 3);
	wb_be16(&w, 0x1111);
	wb_be16(&w, 0x2222);			/* does not fit */
	wb_uint(&w, 0x33, 1);			/* would fit, but err stays */
	ok(w.err && w.p == b + 2 && b[2] == 0x34,
	    "a write that does not fit writes nothing, nor does any later");
	wb_init(&w, b, 0);
	wb_bytes(&w, (const uint8_t *)"x", 1);
	ok(w.err && b[0] == 0x11, "a zero-length buffer takes nothing");
}

int
main(void)
{
	test_stores();
	test_writer();
	return done();
}
