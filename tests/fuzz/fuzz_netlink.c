/*
 * libFuzzer target for the netlink answer parsers (platform/nl_*.c): what
 * the kernel sends is input too.  Also linked with replay.c for a plain
 * build.  The input is one datagram as a netlink socket would deliver it,
 * copied to a malloc()ed (so aligned, as recvmsg() fills one) buffer of
 * exactly its length (so ASan sees a read past it), and read the way each
 * consumer reads it:
 *   - links_netlink.c: mnl_cb_run() over the whole messages the datagram
 *     starts with (nl_msg_framed()), nl_link_parse() on each;
 *   - offload_netlink.c: the walk of a conntrack dump, nl_ct_parse_entry()
 *     from each message to the next until one cannot be framed;
 *   - enrich_netlink.c: one answer, nl_msg_whole() first, then
 *     nl_route_parse() and nl_ct_parse(), and nl_ct_xlate() on an entry.
 * Seeds: tests/fuzz/corpus/netlink (tests/fuzz/mkseeds.py).
 */
#include <libmnl/libmnl.h>
#include <stdlib.h>
#include <string.h>

#include "nl_ct.h"
#include "nl_link.h"
#include "nl_msg.h"
#include "nl_route.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)	do { if (!(cond)) abort(); } while (0)
#define DGRAM_MAX	65536

static int
link_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nl_link k;
	unsigned *n = data;

	if (nl_link_parse(nlh, nlh->nlmsg_len, &k) == 1) {
		CHECK(memchr(k.name, '\0', sizeof(k.name)) != NULL);
		CHECK(k.up == 0 || k.up == 1);
		(*n)++;
	}
	return MNL_CB_OK;
}

static void
walk_dump(const uint8_t *buf, size_t len)
{
	size_t off = 0;
	unsigned i;

	for (i = 0; off < len && i < DGRAM_MAX / 16; i++) {
		const struct nlmsghdr *nlh =
		    (const struct nlmsghdr *)(const void *)(buf + off);
		struct nl_ct_entry e;
		int err = 0, rc;

		rc = nl_ct_parse_entry(nlh, len - off, &e, &err);
		if (rc == -1)
			break;
		/* a message that parsed is whole: the walk moves on */
		CHECK(nlh->nlmsg_len >= sizeof(*nlh) &&
		    MNL_ALIGN(nlh->nlmsg_len) <= len - off);
		off += MNL_ALIGN(nlh->nlmsg_len);
		if (rc == 1 && !e.counters)
			CHECK(e.packets[0] == 0 && e.packets[1] == 0 &&
			    e.bytes[0] == 0 && e.bytes[1] == 0);
		if (rc == 2)
			CHECK(err >= 0);
	}
}

static void
one_answer(const uint8_t *buf, size_t len)
{
	struct nl_route r;
	struct nl_ct ct;
	struct nl_ct_tuple post;
	int err = 0, rc;

	if (!nl_msg_whole(buf, len))
		return;
	rc = nl_route_parse(buf, len, &r, &err);
	if (rc == 1)
		(void)nl_route_egress(&r);
	err = 0;
	rc = nl_ct_parse(buf, len, &ct, &err);
	if (rc != 1)
		return;
	if (nl_ct_xlate(&ct, &ct.orig, &post) == 1)
		CHECK(memcmp(post.src, ct.orig.src, 4) != 0 ||
		    memcmp(post.dst, ct.orig.dst, 4) != 0 ||
		    post.sport != ct.orig.sport || post.dport != ct.orig.dport);
	(void)nl_ct_xlate(&ct, &ct.reply, &post);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned links = 0;
	size_t framed;
	uint8_t *buf;

	if (size > DGRAM_MAX || (buf = malloc(size ? size : 1)) == NULL)
		return 0;
	memcpy(buf, data, size);
	framed = nl_msg_framed(buf, size);
	CHECK(framed <= size && framed % 4 == 0);
	(void)mnl_cb_run(buf, framed, 0, 0, link_cb, &links);
	walk_dump(buf, size);
	one_answer(buf, size);
	free(buf);
	return 0;
}
