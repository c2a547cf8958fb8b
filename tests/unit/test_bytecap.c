/*
 * The table's 32-bit byte counter: expire ends a record before a packet
 * would take it past FLOWTAB_BYTES_MAX, so every record fits the export's
 * 4-byte counters.  4 GiB take too long for a unit test, so the table and
 * the policy are compiled in here with a small limit.
 */
#define FLOWTAB_BYTES_MAX	100000u

#include "flowtab.c"
#include "expire.c"

#include <inttypes.h>

#include "tap.h"

int
main(void)
{
	struct flow_rec out[EXPIRE_PACKET_MAX];
	struct pkt_meta meta;
	struct flow_key k;
	struct expire ex;
	struct flowtab *t;
	uint64_t now = 1000, pk = 0, by = 0;
	size_t n, splits = 0, i, full = 0;

	mem_init(MEM_UNLIMITED);
	expire_defaults(&ex.cfg);
	memset(&ex.st, 0, sizeof(ex.st));
	t = flowtab_new(4, 1);
	memset(&k, 0, sizeof(k));
	k.src[0] = 10;
	k.dst[0] = 10;
	k.dst[3] = 1;
	k.proto = 17;
	k.ipver = 4;
	memset(&meta, 0, sizeof(meta));
	for (i = 0; i < 2500; i++) {
		/* 1500 bytes, but the 67th lands the first record on it */
		meta.bytes = i == 66 ? 100000 - 66 * 1500 : 1500;
		n = expire_packet(&ex, t, &k, &meta, now, out);
		if (n == 1) {
			full += out[0].bytes == FLOWTAB_BYTES_MAX;
			ok(out[0].end == FLOW_END_ACTIVE &&
			    out[0].bytes <= FLOWTAB_BYTES_MAX &&
			    out[0].bytes + 1500 > FLOWTAB_BYTES_MAX,
			    "bytecap: record %zu ends at %" PRIu64 " bytes, "
			    "as the next packet would pass %u, end ACTIVE",
			    splits + 1, out[0].bytes, FLOWTAB_BYTES_MAX);
			pk += out[0].packets;
			by += out[0].bytes;
			splits++;
		}
		now++;
	}
	n = expire_all(&ex, t, out, EXPIRE_PACKET_MAX);
	is_int(n, 1, "bytecap: remainder flushed");
	ok(out[0].bytes <= FLOWTAB_BYTES_MAX, "bytecap: and within the limit");
	pk += out[0].packets;
	by += out[0].bytes;
	is_int(pk, 2500, "bytecap: packets conserved");
	is_int(by, 2499 * 1500 + 100000 - 66 * 1500, "bytecap: bytes conserved");
	/* 67 packets, then 36 of 66 (99,000 bytes), 57 left at the end */
	is_int(splits, 37, "bytecap: 37 early records");
	is_int(full, 1, "bytecap: a record may fill the counter exactly");
	is_int(ex.st.created, 1, "bytecap: a split is not a new flow");
	flowtab_free(t);
	return done();
}
