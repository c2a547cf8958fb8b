/*
 * The table's 32-bit counters: expire ends a record before a packet would
 * take its packet count past FLOWTAB_PACKETS_MAX or its byte count past
 * FLOWTAB_BYTES_MAX, so every record fits the export's 4-byte counters.
 * 2^32 packets or 4 GiB take too long for a unit test, so the table and
 * the policy are compiled in here with small limits.
 */
#define FLOWTAB_PACKETS_MAX	1000u
#define FLOWTAB_BYTES_MAX	100000u

#include <inttypes.h>

#include "flowtab.c"
#include "expire.c"

#include "tap.h"

struct run {
	struct expire	 ex;
	struct flowtab	*t;
	struct flow_key	 k;
	uint64_t	 now;		/* ms, one more each packet */
	uint64_t	 pk, by;	/* in the records out so far */
	size_t		 early;		/* records ended by a limit */
	size_t		 full;		/* ... that filled the byte counter */
};

static void
run_start(struct run *r)
{
	memset(r, 0, sizeof(*r));
	mem_init(MEM_UNLIMITED);
	expire_defaults(&r->ex.cfg);
	r->t = flowtab_new(4, 1);
	r->now = 1000;
	r->k.src[0] = 10;
	r->k.dst[0] = 10;
	r->k.dst[3] = 1;
	r->k.proto = 17;
	r->k.ipver = 4;
}

/* One packet of this many bytes, a millisecond after the last. */
static void
run_packet(struct run *r, uint32_t bytes, const char *what)
{
	struct flow_rec out[EXPIRE_PACKET_MAX];
	struct pkt_meta meta;
	size_t n;

	memset(&meta, 0, sizeof(meta));
	meta.bytes = bytes;
	n = expire_packet(&r->ex, r->t, &r->k, &meta, r->now++, out);
	if (n == 0)
		return;
	r->early++;
	r->full += out[0].bytes == FLOWTAB_BYTES_MAX;
	ok(n == 1 && out[0].end == FLOW_END_ACTIVE &&
	    out[0].packets <= FLOWTAB_PACKETS_MAX &&
	    out[0].bytes <= FLOWTAB_BYTES_MAX &&
	    (out[0].packets == FLOWTAB_PACKETS_MAX ||
	    out[0].bytes + bytes > FLOWTAB_BYTES_MAX),
	    "%s: record %zu ends at %" PRIu64 " packets, %" PRIu64 " bytes, "
	    "as the next packet would pass a limit; end ACTIVE", what,
	    r->early, out[0].packets, out[0].bytes);
	r->pk += out[0].packets;
	r->by += out[0].bytes;
}

/* The rest of the flow, flushed: totals and counts to check. */
static void
run_end(struct run *r, const char *what, uint64_t pk, uint64_t by,
    size_t early)
{
	struct flow_rec out[EXPIRE_PACKET_MAX];

	is_int(expire_all(&r->ex, r->t, out, EXPIRE_PACKET_MAX), 1,
	    "%s: remainder flushed", what);
	r->pk += out[0].packets;
	r->by += out[0].bytes;
	is_int(r->pk, pk, "%s: packets conserved", what);
	is_int(r->by, by, "%s: bytes conserved", what);
	is_int(r->early, early, "%s: %zu early records", what, early);
	is_int(r->ex.st.created, 1, "%s: a split is not a new flow", what);
	flowtab_free(r->t);
}

int
main(void)
{
	struct run r;
	uint32_t i;

	/* 40-byte packets: the packet count is the limit, 1000 a record */
	run_start(&r);
	for (i = 0; i < 2500; i++)
		run_packet(&r, 40, "pktcap");
	run_end(&r, "pktcap", 2500, 2500 * 40, 2);

	/*
	 * 1500-byte packets: the byte count is, 66 a record (99,000 bytes),
	 * but the 67th packet of the first is 1,000 bytes and fills it to the
	 * byte; then 36 records of 66 and 57 packets left over.
	 */
	run_start(&r);
	for (i = 0; i < 2500; i++)
		run_packet(&r, i == 66 ? 100000 - 66 * 1500 : 1500, "bytecap");
	run_end(&r, "bytecap", 2500, 2499 * 1500 + 1000, 37);
	is_int(r.full, 1, "bytecap: a record may fill the counter exactly");
	return done();
}
