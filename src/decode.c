/*
 * Decode one frame, link layer to transport ports, into a flow key: Ethernet
 * (VLAN, PPPoE, MPLS), Linux cooked, raw IP, BSD loopback, PPP and Cisco HDLC.
 */
#include <stddef.h>
#include <string.h>

#include "cursor.h"
#include "decode.h"

/*
 * Link types by their pcap file numbers (LINKTYPE_*), named here so that no
 * libpcap header is needed.  12 and 14 are both raw IP: DLT_RAW is 14 on
 * OpenBSD and 12 elsewhere.
 */
#define LT_NULL		0
#define LT_EN10MB	1
#define LT_PPP		9
#define LT_RAW12	12
#define LT_RAW14	14
#define LT_PPP_HDLC	50	/* DLT_PPP_SERIAL: PPP or Cisco HDLC */
#define LT_RAW		101
#define LT_C_HDLC	104	/* Cisco HDLC, serial WAN links */
#define LT_LOOP		108
#define LT_LINUX_SLL	113
#define LT_IPV4		228
#define LT_IPV6		229
#define LT_LINUX_SLL2	276

#define ETH_IPV4	0x0800
#define ETH_IPV6	0x86dd
#define ETH_VLAN	0x8100	/* 802.1Q */
#define ETH_QINQ	0x88a8	/* 802.1ad service tag */
#define ETH_QINQ_9100	0x9100	/* pre-standard QinQ */
#define ETH_QINQ_9200	0x9200
#define ETH_PPPOE_SESS	0x8864
#define ETH_MPLS_UC	0x8847
#define ETH_MPLS_MC	0x8848

#define PPP_ADDR_CTRL	0xff03	/* HDLC-like framing, RFC 1662 */
#define PPP_IPV4	0x0021
#define PPP_IPV6	0x0057
#define PPP_MPLS_UC	0x0281	/* RFC 3032 section 4.3 */
#define PPP_MPLS_MC	0x0283

/* Cisco HDLC: address byte, control byte 0, then an ethertype. */
#define CHDLC_UNICAST	0x0f
#define CHDLC_BCAST	0x8f

#define PROTO_HOPOPTS	0
#define PROTO_ICMP	1
#define PROTO_TCP	6
#define PROTO_UDP	17
#define PROTO_ROUTING	43
#define PROTO_FRAGMENT	44
#define PROTO_AH	51
#define PROTO_ICMPV6	58
#define PROTO_DSTOPTS	60
#define PROTO_SCTP	132
#define PROTO_MOBILITY	135
#define PROTO_UDPLITE	136
#define PROTO_HIP	139
#define PROTO_SHIM6	140

#define IP_MF		0x2000	/* IPv4 more-fragments flag */
#define IP_OFFMASK	0x1fff	/* IPv4 fragment offset, 8-byte units */
#define IP6F_OFFMASK	0xfff8	/* IPv6 fragment offset, in place */

/*
 * Hard caps on chained headers, so a hostile frame costs bounded time.  Real
 * traffic stacks two or three VLAN tags, a few MPLS labels and one or two
 * IPv6 extension headers.
 */
#define VLAN_MAX	8
#define MPLS_MAX	16
#define IP6_EXT_MAX	16

/* The link layer's verdict on the IP version; 4 and 6 are taken literally. */
#define VER_NIBBLE	0	/* raw IP, MPLS: read the nibble */

static const char *const result_names[DECODE_RESULT_MAX] = {
	[DECODE_OK]			= "ok",
	[DECODE_SKIP_LINKTYPE]		= "linktype",
	[DECODE_SKIP_NOT_IP]		= "not_ip",
	[DECODE_SKIP_TRUNC_L2]		= "trunc_l2",
	[DECODE_SKIP_TOO_DEEP]		= "too_deep",
	[DECODE_SKIP_BAD_VERSION]	= "bad_version",
	[DECODE_SKIP_TRUNC_IP]		= "trunc_ip",
	[DECODE_SKIP_BAD_IPV4_HDR]	= "bad_ipv4_hdr",
	[DECODE_SKIP_BAD_IPV4_LEN]	= "bad_ipv4_len",
};

int
decode_dlt_supported(int dlt)
{
	switch (dlt) {
	case LT_NULL:
	case LT_EN10MB:
	case LT_PPP:
	case LT_RAW12:
	case LT_RAW14:
	case LT_PPP_HDLC:
	case LT_RAW:
	case LT_C_HDLC:
	case LT_LOOP:
	case LT_LINUX_SLL:
	case LT_IPV4:
	case LT_IPV6:
	case LT_LINUX_SLL2:
		return 1;
	default:
		return 0;
	}
}

const char *
decode_result_name(enum decode_result r)
{
	if ((unsigned)r >= DECODE_RESULT_MAX)
		return "unknown";
	return result_names[r];
}

/*
 * MPLS label stack (RFC 3032): 4-byte entries until the bottom-of-stack bit
 * (0x100).  The payload has no type field; the IP version nibble decides.
 */
static enum decode_result
mpls(struct cursor *c, int *ver)
{
	uint32_t lse;
	int n;

	for (n = 0; n < MPLS_MAX; n++) {
		if (!cur_be32(c, &lse))
			return DECODE_SKIP_TRUNC_L2;
		if (lse & 0x100) {
			*ver = VER_NIBBLE;
			return DECODE_OK;
		}
	}
	return DECODE_SKIP_TOO_DEEP;
}

/*
 * The PPP protocol field (RFC 1661 section 2), c just past it: IPv4, IPv6
 * and MPLS are traffic; the rest (LCP, IPCP, CHAP, ...) is control.
 */
static enum decode_result
ppp_proto(struct cursor *c, uint16_t proto, int *ver)
{
	switch (proto) {
	case PPP_IPV4:
		*ver = 4;
		return DECODE_OK;
	case PPP_IPV6:
		*ver = 6;
		return DECODE_OK;
	case PPP_MPLS_UC:
	case PPP_MPLS_MC:
		return mpls(c, ver);
	default:
		return DECODE_SKIP_NOT_IP;
	}
}

/*
 * A PPP protocol field, which a peer may compress to one byte (RFC 1661
 * section 6.5): full protocol numbers start with an even byte and
 * compressed ones are odd.
 */
static enum decode_result
ppp_field(struct cursor *c, int *ver)
{
	uint8_t hi, lo;
	uint16_t proto;

	if (!cur_u8(c, &hi))
		return DECODE_SKIP_TRUNC_L2;
	proto = hi;
	if ((hi & 1) == 0) {
		if (!cur_u8(c, &lo))
			return DECODE_SKIP_TRUNC_L2;
		proto = (uint16_t)(hi << 8 | lo);
	}
	return ppp_proto(c, proto, ver);
}

/*
 * PPPoE session stage (RFC 2516): a 6-byte header, then the PPP protocol.
 * 8 bytes are required even for a compressed field, as the reference
 * counter (bench/pcap_truth.py) does, so both agree on which frames are
 * cut.
 */
static enum decode_result
pppoe(struct cursor *c, int *ver)
{
	if (!(cur_need(c, 8) && cur_skip(c, 6)))
		return DECODE_SKIP_TRUNC_L2;
	return ppp_field(c, ver);
}

/*
 * Everything after an ethertype, for Ethernet and the Linux cooked headers
 * alike: libpcap puts a stripped VLAN tag back into a cooked frame as
 * 0x8100 + tag, and PPPoE and MPLS appear there as on the wire.
 */
static enum decode_result
ether_type(struct cursor *c, uint16_t et, int *ver)
{
	int tags;

	/* the common case, before the switch */
	if (et == ETH_IPV4) {
		*ver = 4;
		return DECODE_OK;
	}
	for (tags = 0;; tags++) {
		switch (et) {
		case ETH_IPV4:
			*ver = 4;
			return DECODE_OK;
		case ETH_IPV6:
			*ver = 6;
			return DECODE_OK;
		case ETH_PPPOE_SESS:
			return pppoe(c, ver);
		case ETH_MPLS_UC:
		case ETH_MPLS_MC:
			return mpls(c, ver);
		case ETH_VLAN:
		case ETH_QINQ:
		case ETH_QINQ_9100:
		case ETH_QINQ_9200:
			break;
		default:
			return DECODE_SKIP_NOT_IP;
		}
		if (tags == VLAN_MAX)
			return DECODE_SKIP_TOO_DEEP;
		/* 2 bytes PCP/DEI/VID, then the inner ethertype */
		if (!(cur_skip(c, 2) && cur_be16(c, &et)))
			return DECODE_SKIP_TRUNC_L2;
	}
}

/*
 * BSD loopback: a 4-byte address family in the byte order of the host that
 * wrote the capture.  Families are small numbers, so one with high bits set
 * was written the other way round.  AF_INET is 2 everywhere; AF_INET6 is 10
 * on Linux, 24 on OpenBSD and NetBSD, 28 on FreeBSD and 30 on macOS.
 */
static enum decode_result
link_null(struct cursor *c, int *ver)
{
	uint32_t af;

	if (!cur_be32(c, &af))
		return DECODE_SKIP_TRUNC_L2;
	if (af > 0xffff)
		af = af >> 24 | (af >> 8 & 0xff00) | (af << 8 & 0xff0000) |
		    af << 24;
	switch (af) {
	case 2:
		*ver = 4;
		break;
	case 10:
	case 24:
	case 28:
	case 30:
		*ver = 6;
		break;
	default:
		return DECODE_SKIP_NOT_IP;
	}
	/* The reference counter calls an empty payload here an L2 cut. */
	if (!cur_need(c, 1))
		return DECODE_SKIP_TRUNC_L2;
	return DECODE_OK;
}

/*
 * PPP (DLT_PPP): the ff 03 address and control bytes unless the peer
 * agreed to leave them out (RFC 1661 section 6.6), then the protocol.
 */
static enum decode_result
link_ppp(struct cursor *c, int *ver)
{
	uint16_t w;
	uint8_t b;

	/* 0xff is the address byte, never a compressed protocol */
	if (cur_peek_u8(c, 0, &b) && b == PPP_ADDR_CTRL >> 8) {
		if (!cur_peek_be16(c, 0, &w))
			return DECODE_SKIP_TRUNC_L2;
		if (w == PPP_ADDR_CTRL)
			(void)cur_skip(c, 2);
	}
	return ppp_field(c, ver);
}

/*
 * Cisco HDLC (DLT_C_HDLC): address (0x0f unicast, 0x8f broadcast), control
 * 0, and an ethertype, of which IPv4, IPv6 and MPLS carry traffic; SLARP
 * keepalives (0x8035) and CDP are control.  No VLAN tags or PPPoE here.
 */
static enum decode_result
link_chdlc(struct cursor *c, int *ver)
{
	uint16_t et;

	if (!(cur_skip(c, 2) && cur_be16(c, &et)))
		return DECODE_SKIP_TRUNC_L2;
	switch (et) {
	case ETH_IPV4:
		*ver = 4;
		return DECODE_OK;
	case ETH_IPV6:
		*ver = 6;
		return DECODE_OK;
	case ETH_MPLS_UC:
	case ETH_MPLS_MC:
		return mpls(c, ver);
	default:
		return DECODE_SKIP_NOT_IP;
	}
}

/*
 * DLT_PPP_SERIAL: PPP in HDLC-like framing (RFC 1662, first byte 0xff) or
 * Cisco PPP with HDLC framing (RFC 1547 section 4.3.1, first byte 0x0f or
 * 0x8f), as libpcap defines link type 50.
 */
static enum decode_result
link_ppp_hdlc(struct cursor *c, int *ver)
{
	uint8_t b;

	if (!cur_peek_u8(c, 0, &b))
		return DECODE_SKIP_TRUNC_L2;
	if (b == CHDLC_UNICAST || b == CHDLC_BCAST)
		return link_chdlc(c, ver);
	return link_ppp(c, ver);
}

/* Link types without an ethertype; same contract as link_layer(). */
static enum decode_result
link_other(int dlt, struct cursor *c, int *ver)
{
	switch (dlt) {
	case LT_NULL:
	case LT_LOOP:
		return link_null(c, ver);
	case LT_PPP:
		return link_ppp(c, ver);
	case LT_C_HDLC:
		return link_chdlc(c, ver);
	case LT_PPP_HDLC:
		return link_ppp_hdlc(c, ver);
	case LT_RAW12:
	case LT_RAW14:
	case LT_RAW:
		*ver = VER_NIBBLE;
		return DECODE_OK;
	case LT_IPV4:
		*ver = 4;
		return DECODE_OK;
	case LT_IPV6:
		*ver = 6;
		return DECODE_OK;
	default:
		return DECODE_SKIP_LINKTYPE;
	}
}

/*
 * Leave c at the IP header and *ver at 4, 6 or VER_NIBBLE.  Ethernet is
 * tested first, as it carries nearly all traffic.
 */
static enum decode_result
link_layer(int dlt, struct cursor *c, int *ver)
{
	uint16_t et;
	bool ok;

	if (dlt == LT_EN10MB)
		/* destination, source, ethertype */
		ok = cur_skip(c, 12) && cur_be16(c, &et);
	else if (dlt == LT_LINUX_SLL)
		/* packet type, ARPHRD, addr len, 8 addr bytes, proto */
		ok = cur_skip(c, 14) && cur_be16(c, &et);
	else if (dlt == LT_LINUX_SLL2)
		/* proto, reserved, ifindex, ARPHRD, type, addr len, 8 addr */
		ok = cur_be16(c, &et) && cur_skip(c, 18);
	else
		return link_other(dlt, c, ver);
	if (!ok)
		return DECODE_SKIP_TRUNC_L2;
	return ether_type(c, et, ver);
}

/*
 * Length of the packet from the IP header (off bytes into the frame) to the
 * end of the frame, for headers that leave their length 0.  A wirelen below
 * caplen is a broken capture; trust the bytes we hold then.
 */
static uint32_t
frame_len(const struct pkt *p, size_t off)
{
	uint32_t wire = p->wirelen > p->caplen ? p->wirelen : p->caplen;

	return wire - (uint32_t)off;
}

/*
 * Ports, or ICMP type and code, from the transport header at c.  The bytes
 * looked at need not be inside the IP length: like the reference counter
 * we read what was captured.  A header cut by the snap length gives 0s.
 */
static void
transport(const struct cursor *c, struct flow_key *key,
    struct pkt_meta *meta)
{
	uint16_t sp, dp;

	switch (key->proto) {
	case PROTO_TCP:
		/* flags are byte 13; a capture that ends sooner leaves 0 */
		(void)cur_peek_u8(c, 13, &meta->tcp_flags);
		/* FALLTHROUGH */
	case PROTO_UDP:
	case PROTO_SCTP:
	case PROTO_UDPLITE:
		if (!(cur_peek_be16(c, 0, &sp) && cur_peek_be16(c, 2, &dp))) {
			meta->notes |= DECODE_NOTE_L4_TRUNC;
			return;
		}
		key->sport = sp;
		key->dport = dp;
		break;
	case PROTO_ICMP:
	case PROTO_ICMPV6:
		/* type << 8 | code is just the first 2 bytes big-endian */
		if (!cur_peek_be16(c, 0, &dp)) {
			meta->notes |= DECODE_NOTE_L4_TRUNC;
			return;
		}
		key->dport = dp;
		break;
	default:
		break;
	}
}

/*
 * IPv4 (RFC 791).  bytes is the header's total length even when the capture
 * holds less of the packet: NetFlow counts what crossed the wire.  *l4 says
 * whether a transport header follows.
 */
static enum decode_result
ipv4(const struct pkt *p, struct cursor *c, struct flow_key *key,
    struct pkt_meta *meta, bool *l4)
{
	size_t off = p->caplen - cur_left(c);
	uint16_t len, frag;
	uint8_t vhl;
	size_t hlen;

	if (!(cur_need(c, 20) && cur_u8(c, &vhl) && cur_u8(c, &meta->tos) &&
	    cur_be16(c, &len) && cur_skip(c, 2) && cur_be16(c, &frag) &&
	    cur_skip(c, 1) && cur_u8(c, &key->proto) && cur_skip(c, 2) &&
	    cur_bytes(c, key->src, 4) && cur_bytes(c, key->dst, 4)))
		return DECODE_SKIP_TRUNC_IP;
	hlen = (size_t)(vhl & 0x0f) << 2;
	if (hlen < 20 || !cur_skip(c, hlen - 20))
		return DECODE_SKIP_BAD_IPV4_HDR;
	if (len == 0) {
		/* A TSO/GSO super-packet seen before segmentation. */
		meta->bytes = frame_len(p, off);
		meta->notes |= DECODE_NOTE_LEN_FRAME;
	} else if (len < hlen)
		return DECODE_SKIP_BAD_IPV4_LEN;
	else
		meta->bytes = len;
	if (frag & (IP_MF | IP_OFFMASK))
		meta->notes |= DECODE_NOTE_FRAGMENT;
	/* Only the first fragment carries the transport header. */
	*l4 = (frag & IP_OFFMASK) == 0;
	return DECODE_OK;
}

static int
is_ip6_ext(uint8_t nxt)
{
	switch (nxt) {
	case PROTO_HOPOPTS:
	case PROTO_ROUTING:
	case PROTO_DSTOPTS:
	case PROTO_MOBILITY:
	case PROTO_HIP:
	case PROTO_SHIM6:
	case PROTO_AH:
		return 1;
	default:
		return 0;
	}
}

/*
 * Walk the IPv6 extension headers (RFC 8200 section 4) to the transport
 * header.  A chain cut by the snap length or longer than IP6_EXT_MAX stops
 * the walk; proto is then the header we stopped at, ports stay 0.  This is
 * what the reference counter does, so flow keys agree with it.  True if a
 * transport header follows.
 */
static bool
ipv6_chain(struct cursor *c, uint8_t nxt, struct flow_key *key,
    struct pkt_meta *meta)
{
	uint8_t next, elen;
	uint16_t fo;
	int n;

	for (n = 0; is_ip6_ext(nxt) || nxt == PROTO_FRAGMENT; n++) {
		if (n == IP6_EXT_MAX)
			goto cut;
		if (nxt == PROTO_FRAGMENT) {
			/* next header, reserved, offset and flags, id */
			if (!(cur_peek_u8(c, 0, &next) &&
			    cur_peek_be16(c, 2, &fo) && cur_skip(c, 8)))
				goto cut;
			meta->notes |= DECODE_NOTE_FRAGMENT;
			nxt = next;
			if (fo & IP6F_OFFMASK) {
				/* not the first: no transport header */
				key->proto = nxt;
				return false;
			}
			continue;
		}
		if (!(cur_peek_u8(c, 0, &next) && cur_peek_u8(c, 1, &elen)))
			goto cut;
		/*
		 * The length excludes the first 8 bytes and counts 8-byte
		 * units, except in AH (RFC 4302): 4-byte units, first 8
		 * bytes excluded.  If it runs past the capture, drain: the
		 * next header read fails and is reported as cut.
		 */
		if (!cur_skip(c, nxt == PROTO_AH ? ((size_t)elen + 2) << 2 :
		    ((size_t)elen + 1) << 3))
			cur_drain(c);
		nxt = next;
	}
	key->proto = nxt;
	return true;
cut:
	key->proto = nxt;
	meta->notes |= DECODE_NOTE_EXT_TRUNC;
	return false;
}

/*
 * IPv6 (RFC 8200).  Payload length 0 means a jumbogram (RFC 2675) or a
 * GSO super-packet; the frame then gives the length.
 */
static enum decode_result
ipv6(const struct pkt *p, struct cursor *c, struct flow_key *key,
    struct pkt_meta *meta, bool *l4)
{
	size_t off = p->caplen - cur_left(c);
	uint32_t vcf;
	uint16_t plen;
	uint8_t nxt;

	if (!(cur_need(c, 40) && cur_be32(c, &vcf) && cur_be16(c, &plen) &&
	    cur_u8(c, &nxt) && cur_skip(c, 1) && cur_bytes(c, key->src, 16) &&
	    cur_bytes(c, key->dst, 16)))
		return DECODE_SKIP_TRUNC_IP;
	meta->tos = (uint8_t)(vcf >> 20);
	if (plen == 0) {
		meta->bytes = frame_len(p, off);
		meta->notes |= DECODE_NOTE_LEN_FRAME;
	} else
		meta->bytes = (uint32_t)plen + 40;
	*l4 = ipv6_chain(c, nxt, key, meta);
	return DECODE_OK;
}

/*
 * A version nibble that contradicts the link layer is a skip.  Where only
 * the nibble tells (raw IP, MPLS), an empty payload is an L2 cut; where the
 * link layer said, it is a cut IP header.  Same order as the reference.
 */
static enum decode_result
decode_ip(const struct pkt *p, struct cursor *c, int ver,
    struct flow_key *key, struct pkt_meta *meta)
{
	enum decode_result r;
	bool l4 = false;
	uint8_t b;

	/* Header offsets fit 16 bits: link and extension chains are capped. */
	if (DECODE_OFFSETS)
		meta->l3_off = (uint16_t)(p->caplen - cur_left(c));

	if (cur_peek_u8(c, 0, &b)) {
		if (ver == VER_NIBBLE)
			ver = b >> 4;
		else if (b >> 4 != ver)
			return DECODE_SKIP_BAD_VERSION;
	} else if (ver == VER_NIBBLE)
		return DECODE_SKIP_TRUNC_L2;
	key->ipver = (uint8_t)ver;
	switch (ver) {
	case 4:
		r = ipv4(p, c, key, meta, &l4);
		break;
	case 6:
		r = ipv6(p, c, key, meta, &l4);
		break;
	default:
		return DECODE_SKIP_BAD_VERSION;
	}
	if (l4) {
		if (DECODE_OFFSETS)
			meta->l4_off = (uint16_t)(p->caplen - cur_left(c));
		transport(c, key, meta);
	} else if (DECODE_OFFSETS)
		meta->l4_off = 0;
	return r;
}

/* decode_packet() zeroes pkt_meta up to l3_off: the offsets come last */
typedef char offsets_last[offsetof(struct pkt_meta, l4_off) +
    sizeof(uint16_t) == sizeof(struct pkt_meta) ? 1 : -1];

enum decode_result
decode_packet(const struct pkt *p, struct flow_key *key,
    struct pkt_meta *meta)
{
	struct cursor c;
	enum decode_result r;
	int ver = VER_NIBBLE;

	/* Keys are hashed and compared as raw memory: padding too is 0. */
	memset(key, 0, sizeof(*key));
	/* all but the header offsets, which decode_ip() always sets: one
	 * store less a packet */
	memset(meta, 0, DECODE_OFFSETS ? offsetof(struct pkt_meta, l3_off) :
	    sizeof(*meta));
	key->ifindex = p->ifindex;
	key->direction = p->direction != 0;
	cur_init(&c, p->data, p->caplen);
	if ((r = link_layer(p->dlt, &c, &ver)) != DECODE_OK)
		return r;
	return decode_ip(p, &c, ver, key, meta);
}
