/*
 * The data contract between stages: what decode produces for one packet and
 * what the flow table hands to the encoder for one finished flow.
 * Nothing here is in wire byte order; addresses are kept as bytes.
 */
#ifndef PF_FLOW_H
#define PF_FLOW_H

#include <stdint.h>

/*
 * Unidirectional flow key.  IPv4 addresses sit in the first 4 bytes of
 * src/dst with the other 12 bytes zero, so a key compares with memcmp.
 * ICMP and ICMPv6 keep type << 8 | code in dport and 0 in sport, as
 * NetFlow exporters traditionally do; the encoder moves it to ICMP_TYPE.
 * Non-first fragments have both ports 0.  A frame seen going out of an
 * interface and one seen coming in are different flows, even with the same
 * addresses and ports (a router sees a forwarded packet both ways).
 * Every byte (padding included) is written by decode so keys can be hashed
 * and compared as raw memory.
 */
struct flow_key {
	uint8_t		src[16];
	uint8_t		dst[16];
	uint32_t	ifindex;	/* ingress interface, 0 if unknown */
	uint16_t	sport;
	uint16_t	dport;
	uint8_t		proto;		/* IP protocol / IPv6 final next header */
	uint8_t		ipver;		/* 4 or 6 */
	uint8_t		direction;	/* 0 ingress, 1 egress (struct pkt) */
	uint8_t		pad;		/* always zero */
};

/* Per-packet facts that are accounted but are not part of the key. */
struct pkt_meta {
	uint32_t	bytes;		/* IPv4 total length, IPv6 payload + 40;
					 * the frame's IP part when the header
					 * says 0 (DECODE_NOTE_LEN_FRAME) */
	uint8_t		tcp_flags;	/* TCP header flags byte, 0 if not TCP */
	uint8_t		tos;		/* IPv4 TOS / IPv6 traffic class */
	uint8_t		notes;		/* DECODE_NOTE_* bits (decode.h) */
	uint8_t		pad;
	uint16_t	l3_off;		/* frame offset of the IP header */
	uint16_t	l4_off;		/* ... of the transport header; 0 if
					 * there is none (later fragment) */
};

/* Why a flow record left the table (kept for stats and text output). */
enum flow_end {
	FLOW_END_IDLE = 0,	/* inactive timeout */
	FLOW_END_ACTIVE,	/* active timeout: long flow split */
	FLOW_END_TCP,		/* FIN or RST seen, then its short timeout */
	FLOW_END_EVICTED,	/* table full: oldest exported early */
	FLOW_END_FLUSH,		/* shutdown, end of file or clock rebase */
	FLOW_END_MAX
};

/* What enrich.h learnt from the kernel about a finished flow. */
#define FLOW_ENR_EGRESS	0x01	/* out_ifindex is the route's answer */
#define FLOW_ENR_NAT	0x02	/* nat_* hold a translation that changes
				 * at least one of the four */

/*
 * Export-time facts a flow record may carry besides its key (enrich.h):
 * all zero unless --egress / --nat asked for them and the kernel knew.
 * Zero means unknown, or not translated.  Not kept in the flow table.
 */
struct flow_enr {
	uint32_t	out_ifindex;	/* OUTPUT_SNMP of an ingress flow */
	uint8_t		nat_src[4];	/* post-NAT IPv4 source (field 225) */
	uint8_t		nat_dst[4];	/* ... destination (226) */
	uint16_t	nat_sport;	/* post-NAPT ports (227, 228) */
	uint16_t	nat_dport;
	uint8_t		flags;		/* FLOW_ENR_* */
	uint8_t		pad[3];
};

/* What --app-info learnt about a flow (app.h); FLOW_APP_* in flags. */
#define FLOW_APP_NAME	0x01	/* name (kind says which) */
#define FLOW_APP_RTT	0x02	/* the handshake's two halves */
#define FLOW_APP_TCP	0x04	/* retrans and ooo were counted */
#define FLOW_APP_PROC	0x08	/* an owner of a local end (--process) */

/*
 * The application facts a record carries to the encoder: all zero when
 * there are none (the record then goes in the plain template).  name
 * points into the exporter's own buffer, valid while the record is
 * being encoded and printed.
 */
struct flow_app {
	const char	*name;
	uint8_t		name_len;
	uint8_t		kind;		/* enum appname_kind (appname.h) */
	uint8_t		rcode;		/* DNS response code */
	uint8_t		flags;		/* FLOW_APP_* */
	uint16_t	qtype;		/* DNS question type */
	uint16_t	pad;
	uint32_t	rtt_client_ms;	/* SYN-ACK to ACK, at the probe */
	uint32_t	rtt_server_ms;	/* SYN to SYN-ACK */
	uint32_t	retrans;	/* segments sent again */
	uint32_t	ooo;		/* segments out of order */
	/* --process: the source's and the destination's owner when that
	 * end is this host's: pid 0 if unknown; names NUL-terminated, or
	 * NULL */
	uint32_t	src_pid;
	uint32_t	dst_pid;
	const char	*src_proc;
	const char	*src_user;
	const char	*dst_proc;
	const char	*dst_user;
};

/*
 * One flow.  Counters are 64-bit and are exported as 8-byte NetFlow fields,
 * so they never wrap.  Times are milliseconds on the probe clock (clock.h):
 * monotonic in live capture, packet time in replay.
 */
struct flow_rec {
	struct flow_key	key;
	uint64_t	packets;
	uint64_t	bytes;
	uint64_t	first_ms;
	uint64_t	last_ms;
	uint8_t		tcp_flags;	/* OR of all packets' flags */
	uint8_t		tos;		/* of the first packet */
	uint8_t		end;		/* enum flow_end */
	uint8_t		pad;
	struct flow_enr	enr;		/* filled between expiry and export */
	uint32_t	slot;		/* the flow table entry's index + 1,
					 * 0 for records from elsewhere */
	struct flow_app	app;		/* filled between expiry and export */
};

#endif
