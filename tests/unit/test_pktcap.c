/*
 * The table's 32-bit packet counter: expire ends a record before it would
 * wrap.  2^32 packets take too long for a unit test, so the table and the
 * policy are compiled in here with a small FLOWTAB_PACKETS_MAX.
 */
#define FLOWTAB_PACKETS_MAX	1000u

#include "flowtab.c"
#include "expire.c"

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
	size_t n, splits = 0, i;

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
	meta.bytes = 1500;
	for (i = 0; i < 2500; i++) {
		n = expire_packet(&ex, t, &k, &meta, now, out);
		if (n == 1) {
			ok(out[0].end == FLOW_END_ACTIVE &&
			    out[0].packets == FLOWTAB_PACKETS_MAX,
			    "pktcap: split at %u packets, end ACTIVE",
			    FLOWTAB_PACKETS_MAX);
			pk += out[0].packets;
			by += out[0].bytes;
			splits++;
		}
		now++;
	}
	is_int(splits, 2, "pktcap: 2500 packets, two early records");
	n = expire_all(&ex, t, out, EXPIRE_PACKET_MAX);
	is_int(n, 1, "pktcap: remainder flushed");
	is_int(out[0].packets, 500, "pktcap: 500 in the last record");
	pk += out[0].packets;
	by += out[0].bytes;
	is_int(pk, 2500, "pktcap: packets conserved");
	is_int(by, 2500 * 1500, "pktcap: bytes conserved");
	is_int(ex.st.created, 1, "pktcap: a split is not a new flow");
	flowtab_free(t);
	return done();
}
