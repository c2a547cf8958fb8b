/*
 * Unit tests for the pure parts of --process (platform/procinfo_netlink.c):
 * the /proc/PID/fd link and /etc/passwd line parsers, the sock_diag
 * request builder (the exact lookup, UDP's swapped ends, the port dump's
 * bytecode run through a copy of the kernel's walk), and the answer
 * parser on answers a Linux 6.18 kernel sent, recorded once with a python
 * netlink socket in a namespace: a TCP connection 127.0.0.1:40000 ->
 * 127.0.0.1:5000 (client socket inode 2059187) and a UDP socket bound to
 * [::1]:53 (inode 2059189), both owned by root.  No kernel is needed.
 */
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "mem.h"
#include "procinfo.h"
#include "tap.h"

/* exact TCP 127.0.0.1:40000 -> 127.0.0.1:5000: 124 bytes */
static const uint8_t tcp4_client[] = {
	0x7c, 0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x07, 0x00, 0x00, 0x00,
	0x40, 0x2f, 0x00, 0x00, 0x02, 0x01, 0x00, 0x00, 0x9c, 0x40, 0x13, 0x88,
	0x7f, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x7f, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0xb3, 0x6b, 0x1f, 0x00, 0x05, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x08, 0x00, 0x0f, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0c, 0x00, 0x15, 0x00,
	0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x06, 0x00, 0x16, 0x00,
	0x52, 0x00, 0x00, 0x00,
};

/* exact UDP [::1]:40001 -> [::1]:53, the unconnected server: 132 bytes */
static const uint8_t udp6_server[] = {
	0x84, 0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x08, 0x00, 0x00, 0x00,
	0x40, 0x2f, 0x00, 0x00, 0x0a, 0x07, 0x00, 0x00, 0x00, 0x35, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x05, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0xb5, 0x6b, 0x1f, 0x00, 0x05, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x05, 0x00, 0x0b, 0x00, 0x01, 0x00, 0x00, 0x00, 0x08, 0x00, 0x0f, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x0c, 0x00, 0x15, 0x00, 0x01, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x06, 0x00, 0x16, 0x00, 0x10, 0x00, 0x00, 0x00,
};

/* exact TCP 127.0.0.1:40009 -> 127.0.0.1:5001, no such socket: 92 bytes */
static const uint8_t tcp4_enoent[] = {
	0x5c, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x09, 0x00, 0x00, 0x00,
	0x40, 0x2f, 0x00, 0x00, 0xfe, 0xff, 0xff, 0xff, 0x48, 0x00, 0x00, 0x00,
	0x14, 0x00, 0x01, 0x00, 0x09, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x02, 0x06, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0x9c, 0x49, 0x13, 0x89,
	0x7f, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x7f, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
};

static const uint8_t lo4[16] = { 127, 0, 0, 1 };
static const uint8_t ext4[16] = { 192, 0, 2, 9 };
static const uint8_t lo6[16] = { [15] = 1 };

static void
test_socket_inode(void)
{
	static const char big[] = "socket:[4294967296]";
	static const char max[] = "socket:[4294967295]";

	is_int(procinfo_socket_inode("socket:[1234]", 13), 1234,
	    "socket:[1234]");
	/* readlink() gives no NUL: only len bytes are read */
	is_int(procinfo_socket_inode("socket:[1234]xyz", 13), 1234,
	    "not NUL-terminated");
	is_int(procinfo_socket_inode(max, sizeof(max) - 1), 4294967295u,
	    "the largest 32-bit inode");
	is_int(procinfo_socket_inode(big, sizeof(big) - 1), 0,
	    "an inode over 32 bits: no match");
	is_int(procinfo_socket_inode("socket:[]", 9), 0, "no digits");
	is_int(procinfo_socket_inode("socket:[12", 10), 0, "no bracket");
	is_int(procinfo_socket_inode("socket:[1a]", 11), 0, "not a number");
	is_int(procinfo_socket_inode("pipe:[12345]", 12), 0, "a pipe");
	is_int(procinfo_socket_inode("/dev/null", 9), 0, "a file");
	is_int(procinfo_socket_inode("socket:[1234]", 12), 0,
	    "cut short (len)");
}

static void
test_passwd(void)
{
	static const char *no[] = {
		"", "# comment:x:0:0", "+::::::", "-bad:x:1:1::/:/bin/sh",
		"nocolon", ":x:0:0:empty name:/:/bin/sh", "a:x::0::/:/bin/sh",
		"a:x:1x:0::/:/bin/sh", "a:x:4294967296:0::/:/bin/sh", "a:x:5",
		"a:x",
	};
	char name[8];
	uint32_t uid = 7;
	const char *l;
	size_t i;

	l = "root:x:0:0:root:/root:/bin/bash";
	ok(procinfo_passwd_line(l, strlen(l), &uid, name, sizeof(name)) &&
	    uid == 0 && strcmp(name, "root") == 0, "root is uid 0");
	l = "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin";
	ok(procinfo_passwd_line(l, strlen(l), &uid, name, sizeof(name)) &&
	    uid == 65534 && strcmp(name, "nobody") == 0, "nobody");
	l = "dnsmasq-dhcp:x:453:453:dnsmasq:/var/run/dnsmasq:/bin/false";
	ok(procinfo_passwd_line(l, strlen(l), &uid, name, sizeof(name)) &&
	    uid == 453 && strcmp(name, "dnsmasq") == 0,
	    "a name longer than the buffer is cut, NUL-terminated");
	l = "big:x:4294967295:0::/:";
	ok(procinfo_passwd_line(l, strlen(l), &uid, name, sizeof(name)) &&
	    uid == 4294967295u, "the largest uid");
	/* the line's length counts, not a NUL: "x:y:12" + ":..." cut off */
	l = "ab:x:12:0::/:/bin/sh";
	ok(!procinfo_passwd_line(l, 7, &uid, name, sizeof(name)),
	    "a line cut inside its uid field is no entry");
	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		ok(!procinfo_passwd_line(no[i], strlen(no[i]), &uid, name,
		    sizeof(name)), "no entry: \"%s\"", no[i]);
	ok(!procinfo_passwd_line("a:x:1:1", 7, &uid, name, 0),
	    "no room for a name");
}

/* The kernel's inet_diag_bc_run() for the port conditions we send. */
static int
bc_run(const uint8_t *bc, int len, uint16_t sport)
{
	while (len > 0) {
		const struct inet_diag_bc_op *op = (const void *)bc;
		int yes = 1;

		switch (op->code) {
		case INET_DIAG_BC_S_GE:
			yes = sport >= op[1].no;
			break;
		case INET_DIAG_BC_S_LE:
			yes = sport <= op[1].no;
			break;
		default:
			return -1;	/* we send no other */
		}
		if (yes) {
			len -= op->yes;
			bc += op->yes;
		} else {
			len -= op->no;
			bc += op->no;
		}
	}
	return len == 0;
}

/* The kernel's inet_diag_bc_audit() rules for these two conditions. */
static int
bc_valid(const uint8_t *bc, int len)
{
	while (len > 0) {
		const struct inet_diag_bc_op *op = (const void *)bc;

		if (len < 8 || op->yes < 8 || op->yes > len + 4 ||
		    (op->yes & 3) || op->no < 8 || op->no > len + 4 ||
		    (op->no & 3))
			return 0;
		bc += op->yes;
		len -= op->yes;
	}
	return len == 0;
}

static void
test_request(void)
{
	uint8_t buf[256];
	const struct nlmsghdr *nlh = (const void *)buf;
	const struct inet_diag_req_v2 *r = (const void *)(buf + NLMSG_HDRLEN);
	const struct nlattr *a;
	const uint8_t *bc;
	size_t len;
	int bclen;

	len = procinfo_diag_request(buf, sizeof(buf), 42, AF_INET,
	    IPPROTO_TCP, lo4, 40000, ext4, 443, 0);
	is_int(len, NLMSG_HDRLEN + sizeof(*r), "TCP request: its length");
	ok(nlh->nlmsg_len == len && nlh->nlmsg_type == SOCK_DIAG_BY_FAMILY &&
	    nlh->nlmsg_flags == NLM_F_REQUEST && nlh->nlmsg_seq == 42,
	    "TCP request: header (no dump)");
	ok(r->sdiag_family == AF_INET && r->sdiag_protocol == IPPROTO_TCP &&
	    r->idiag_states == 0xffffffffu &&
	    r->id.idiag_cookie[0] == INET_DIAG_NOCOOKIE &&
	    r->id.idiag_cookie[1] == INET_DIAG_NOCOOKIE,
	    "TCP request: family, protocol, every state, no cookie");
	ok(r->id.idiag_sport == htons(40000) &&
	    r->id.idiag_dport == htons(443) &&
	    !memcmp(r->id.idiag_src, lo4, 4) &&
	    !memcmp(r->id.idiag_dst, ext4, 4) && r->id.idiag_src[1] == 0,
	    "TCP request: src is the local end, ports in network order");

	len = procinfo_diag_request(buf, sizeof(buf), 43, AF_INET6,
	    IPPROTO_UDP, lo6, 53, ext4, 40001, 0);
	ok(len == NLMSG_HDRLEN + sizeof(*r) &&
	    r->sdiag_family == AF_INET6 && r->sdiag_protocol == IPPROTO_UDP,
	    "UDP IPv6 request");
	ok(r->id.idiag_sport == htons(40001) &&
	    r->id.idiag_dport == htons(53) &&
	    !memcmp(r->id.idiag_src, ext4, 16) &&
	    !memcmp(r->id.idiag_dst, lo6, 16),
	    "UDP request: src is the remote end (udp_diag's swap)");

	len = procinfo_diag_request(buf, sizeof(buf), 44, AF_INET,
	    IPPROTO_UDP, lo4, 53, ext4, 40001, 1);
	ok(len > NLMSG_HDRLEN + sizeof(*r) && nlh->nlmsg_len == len &&
	    nlh->nlmsg_flags == (NLM_F_REQUEST | NLM_F_DUMP),
	    "port dump: NLM_F_DUMP");
	a = (const void *)(buf + NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(*r)));
	bc = (const uint8_t *)a + NLA_HDRLEN;
	bclen = (int)a->nla_len - NLA_HDRLEN;
	ok(a->nla_type == INET_DIAG_REQ_BYTECODE && bclen == 16 &&
	    NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(*r)) + a->nla_len == len,
	    "port dump: one bytecode attribute, 16 bytes");
	ok(bc_valid(bc, bclen), "port dump: the bytecode passes the audit");
	ok(bc_run(bc, bclen, 53) == 1, "port dump: port 53 is accepted");
	ok(bc_run(bc, bclen, 52) == 0, "port dump: port 52 is not");
	ok(bc_run(bc, bclen, 54) == 0, "port dump: port 54 is not");
	ok(bc_run(bc, bclen, 0) == 0 && bc_run(bc, bclen, 65535) == 0,
	    "port dump: nor 0 or 65535");

	is_int(procinfo_diag_request(buf, 40, 1, AF_INET, IPPROTO_TCP, lo4,
	    1, lo4, 2, 0), 0, "no room: 0");
	is_int(procinfo_diag_request(buf, NLMSG_HDRLEN + sizeof(*r), 1,
	    AF_INET, IPPROTO_UDP, lo4, 1, lo4, 2, 1), 0,
	    "no room for the bytecode: 0");
	is_int(procinfo_diag_request(buf, sizeof(buf), 1, AF_INET, 1, lo4, 1,
	    lo4, 2, 0), 0, "ICMP: 0");
	is_int(procinfo_diag_request(buf, sizeof(buf), 1, AF_UNIX,
	    IPPROTO_TCP, lo4, 1, lo4, 2, 0), 0, "AF_UNIX: 0");
}

static void
test_parse(void)
{
	struct procinfo_sock s;
	uint8_t cut[sizeof(tcp4_client)];
	int err = -1;

	is_int(procinfo_diag_parse(tcp4_client, sizeof(tcp4_client), &s,
	    &err), 1, "TCP answer: a socket");
	ok(s.family == AF_INET && s.state == 1 /* ESTABLISHED */ &&
	    s.lport == 40000 && s.rport == 5000 &&
	    !memcmp(s.laddr, lo4, 16) && !memcmp(s.raddr, lo4, 16),
	    "TCP answer: the client's end");
	ok(s.uid == 0 && s.inode == 2059187, "TCP answer: uid and inode");

	is_int(procinfo_diag_parse(udp6_server, sizeof(udp6_server), &s,
	    &err), 1, "UDP answer: a socket");
	ok(s.family == AF_INET6 && s.state == 7 /* CLOSE: unconnected */ &&
	    s.lport == 53 && s.rport == 0 && !memcmp(s.laddr, lo6, 16),
	    "UDP answer: the unconnected server on [::1]:53");
	ok(s.uid == 0 && s.inode == 2059189, "UDP answer: uid and inode");

	is_int(procinfo_diag_parse(tcp4_enoent, sizeof(tcp4_enoent), &s,
	    &err), 2, "no socket: an error answer");
	is_int(err, ENOENT, "no socket: ENOENT");

	/* a whole message, but too short for an inet_diag_msg */
	memcpy(cut, tcp4_client, sizeof(cut));
	cut[0] = 16 + 40;
	is_int(procinfo_diag_parse(cut, 56, &s, &err), 0,
	    "an answer too short for inet_diag_msg: nothing");
	is_int(procinfo_diag_parse(tcp4_client, sizeof(tcp4_client) - 4, &s,
	    &err), 0, "an answer longer than the bytes read: nothing");
	memcpy(cut, tcp4_client, sizeof(cut));
	cut[16] = AF_UNIX;
	is_int(procinfo_diag_parse(cut, sizeof(cut), &s, &err), 0,
	    "an answer of another family: nothing");
	memcpy(cut, tcp4_client, sizeof(cut));
	cut[4] = NLMSG_DONE;
	err = -1;
	ok(procinfo_diag_parse(cut, sizeof(cut), &s, &err) == 2 && err == 0,
	    "NLMSG_DONE: the end, no error");
	is_int(procinfo_diag_parse(cut, 8, &s, &err), 0,
	    "8 bytes: no message");
}

int
main(void)
{
	mem_init(MEM_UNLIMITED);
	test_socket_inode();
	test_passwd();
	test_request();
	test_parse();
	/* the cache is lcache's (test_lcache), bounded by its slots: an
	 * expiry, the inode, the pid and the 16-byte name */
	is_int(procinfo_bytes(1024) - procinfo_bytes(256), 768 * 28,
	    "memory: 28 bytes a cache slot");
	return done();
}
