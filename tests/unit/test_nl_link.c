/*
 * Unit tests for the rtnetlink link parser on recorded kernel messages
 * (nl_link_recs.h), and on copies of them cut short or with lengths and
 * names made wrong: every one is refused, none read past its bytes (the
 * sanitizer and valgrind runs of make check watch that).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nl_link.h"
#include "nl_msg.h"
#include "nl_link_recs.h"
#include "tap.h"

/* Offsets in a link message: nlmsghdr (16), ifinfomsg (16), attributes. */
#define NLMSG_LEN_OFF	0
#define NLMSG_TYPE_OFF	4
#define FIRST_ATTR_OFF	32

static uint16_t
get16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, 2);
	return v;
}

static void
put16(uint8_t *p, uint16_t v)
{
	memcpy(p, &v, 2);
}

static void
put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

/* Offset of the IFLA_IFNAME (3) attribute of a recorded message. */
static size_t
name_attr(const uint8_t *m, size_t len)
{
	size_t off = FIRST_ATTR_OFF;

	while (off + 4 <= len) {
		uint16_t alen = get16(m + off);

		if (get16(m + off + 2) == 3)
			return off;
		if (alen < 4)
			break;
		off += (alen + 3u) & ~3u;
	}
	return 0;
}

static void
test_recorded(void)
{
	struct nl_link k;

	is_int(nl_link_parse(nl_dump_lo, sizeof(nl_dump_lo), &k), 1,
	    "dump answer: a link");
	is_int(k.index, 1, "dump answer: index 1");
	ok(strcmp(k.name, "lo") == 0, "dump answer: named lo");
	is_int(k.up, 0, "dump answer: lo is down in a new namespace");
	is_int(k.deleted, 0, "dump answer: not a deletion");

	is_int(nl_link_parse(nl_new_up, sizeof(nl_new_up), &k), 1,
	    "new link event");
	is_int(k.index, 3, "new link event: index 3");
	ok(strcmp(k.name, "recA") == 0, "new link event: named recA");
	is_int(k.up, 1, "new link event: up");

	is_int(nl_link_parse(nl_del, sizeof(nl_del), &k), 1,
	    "delete event");
	is_int(k.index, 3, "delete event: index 3");
	is_int(k.deleted, 1, "delete event: a deletion");
}

static void
test_other_types(void)
{
	uint8_t m[sizeof(nl_dump_lo)];
	struct nl_link k;

	memcpy(m, nl_dump_lo, sizeof(m));
	put16(m + NLMSG_TYPE_OFF, 24);	/* RTM_NEWROUTE */
	is_int(nl_link_parse(m, sizeof(m), &k), 0, "a route message: ignored");
	put16(m + NLMSG_TYPE_OFF, 3);	/* NLMSG_DONE */
	is_int(nl_link_parse(m, sizeof(m), &k), 0, "NLMSG_DONE: ignored");
}

/* Every prefix of a message, each in a buffer of exactly its size. */
static void
test_truncated(void)
{
	size_t n, bad = 0;
	struct nl_link k;

	for (n = 0; n < sizeof(nl_new_up); n++) {
		uint8_t *m = malloc(n ? n : 1);

		memcpy(m, nl_new_up, n);
		if (nl_link_parse(m, n, &k) != -1)
			bad++;
		free(m);
	}
	is_int(bad, 0, "all %zu cut copies of a link message are refused",
	    sizeof(nl_new_up));
}

static void
test_malformed(void)
{
	uint8_t m[sizeof(nl_new_up)];
	size_t at = name_attr(nl_new_up, sizeof(nl_new_up));
	struct nl_link k;

	ok(at != 0, "the recorded event has a name attribute");

	memcpy(m, nl_new_up, sizeof(m));
	put32(m + NLMSG_LEN_OFF, (uint32_t)sizeof(m) + 4);
	is_int(nl_link_parse(m, sizeof(m), &k), -1,
	    "header length past the bytes: refused");

	memcpy(m, nl_new_up, sizeof(m));
	put32(m + NLMSG_LEN_OFF, 24);
	is_int(nl_link_parse(m, sizeof(m), &k), -1,
	    "header length shorter than ifinfomsg: refused");

	memcpy(m, nl_new_up, sizeof(m));
	m[at + 4 + 4] = 'x';		/* "recA\0" -> "recAx": no NUL */
	is_int(nl_link_parse(m, sizeof(m), &k), -1,
	    "a name without its NUL: refused");

	memcpy(m, nl_new_up, sizeof(m));
	put16(m + at, 0xfff0);		/* attribute longer than the message */
	is_int(nl_link_parse(m, sizeof(m), &k), -1,
	    "an attribute running past the message: refused");

	memcpy(m, nl_new_up, sizeof(m));
	put16(m + at + 8 + 4, 0xfff0);	/* the attribute after the name */
	is_int(nl_link_parse(m, sizeof(m), &k), -1,
	    "a later attribute running past the message: refused too");

	memcpy(m, nl_new_up, sizeof(m));
	put16(m + at + 2, 0x7ff0);	/* no IFLA_IFNAME left */
	is_int(nl_link_parse(m, sizeof(m), &k), -1,
	    "a link message without a name: refused");
}

/*
 * What links_netlink.c hands to mnl_cb_run(): the whole messages only.
 * A length over INT_MAX (found by fuzz_netlink) once sent libmnl's walk
 * gigabytes past the buffer.
 */
static void
test_framed(void)
{
	static uint8_t d[sizeof(nl_dump_lo) + sizeof(nl_del) + 16];
	uint32_t huge = 0xc6000100U;

	memcpy(d, nl_dump_lo, sizeof(nl_dump_lo));
	memcpy(d + sizeof(nl_dump_lo), nl_del, sizeof(nl_del));
	is_int(nl_msg_framed(d, sizeof(nl_dump_lo) + sizeof(nl_del)),
	    sizeof(nl_dump_lo) + sizeof(nl_del), "two whole messages");
	memcpy(d + sizeof(nl_dump_lo), &huge, sizeof(huge));
	is_int(nl_msg_framed(d, sizeof(d)), sizeof(nl_dump_lo),
	    "a length over INT_MAX ends the walk");
	huge = 0xfffffffeU;	/* padded, it would be 0: no progress */
	memcpy(d + sizeof(nl_dump_lo), &huge, sizeof(huge));
	is_int(nl_msg_framed(d, sizeof(d)), sizeof(nl_dump_lo),
	    "a length whose padding wraps to 0 ends the walk");
	ok(!nl_msg_whole(d + sizeof(nl_dump_lo), 16),
	    "... and is no whole message");
	is_int(nl_msg_framed(d, sizeof(nl_dump_lo) - 4), 0,
	    "a message cut short: nothing whole");
	is_int(nl_msg_framed(d, 0), 0, "no bytes");
}

int
main(void)
{
	uint32_t len;

	/* Recorded on little-endian x86_64; netlink is host order, so a
	 * big-endian host reads the first length wrong. */
	memcpy(&len, nl_dump_lo + NLMSG_LEN_OFF, sizeof(len));
	if (len != sizeof(nl_dump_lo)) {
		ok(1, "# SKIP big-endian host: the recordings are little-endian");
		return done();
	}
	test_recorded();
	test_other_types();
	test_truncated();
	test_malformed();
	test_framed();
	return done();
}
