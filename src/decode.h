/*
 * Decode one captured frame into a flow key and per-packet facts.
 * Reads only within p->caplen; every length from the wire is checked.
 */
#ifndef PF_DECODE_H
#define PF_DECODE_H

#include "capture.h"
#include "flow.h"

/* Outcome of decode_packet(): DECODE_OK or the reason the frame was skipped. */
enum decode_result {
	DECODE_OK = 0,
	DECODE_SKIP_LINKTYPE,		/* link type not supported */
	DECODE_SKIP_NOT_IP,		/* ARP, LLDP, PPP control, ... */
	DECODE_SKIP_TRUNC_L2,		/* link/VLAN/PPPoE/MPLS header cut */
	DECODE_SKIP_TOO_DEEP,		/* tag or label stack over the cap */
	DECODE_SKIP_BAD_VERSION,	/* IP version nibble wrong */
	DECODE_SKIP_TRUNC_IP,		/* IP fixed header cut */
	DECODE_SKIP_BAD_IPV4_HDR,	/* IHL < 5 or options cut */
	DECODE_SKIP_BAD_IPV4_LEN,	/* total length < header length */
	DECODE_RESULT_MAX
};

/* Facts worth counting about a packet that was still accounted. */
#define DECODE_NOTE_L4_TRUNC	0x01	/* ports/type not captured: 0 used */
#define DECODE_NOTE_FRAGMENT	0x02	/* an IPv4 or IPv6 fragment */
#define DECODE_NOTE_LEN_FRAME	0x04	/* IP length 0 (TSO/jumbo): frame used */
#define DECODE_NOTE_EXT_TRUNC	0x08	/* IPv6 extension chain cut or too long */

/*
 * Only --app-info reads pkt_meta's l3_off and l4_off: a build without it
 * (APP_INFO=no defines PF_APP_NONE) leaves them 0 and has no code for them.
 */
#ifdef PF_APP_NONE
#define DECODE_OFFSETS	0
#else
#define DECODE_OFFSETS	1
#endif

/* 1 if frames of this libpcap DLT can be decoded. */
int		 decode_dlt_supported(int dlt);

/*
 * Fill *key and *meta from p.  key->ifindex is p->ifindex, key->direction
 * is 1 if p->direction is not 0.  Returns
 * DECODE_OK or a skip reason; on a skip *key and *meta are undefined.
 */
enum decode_result decode_packet(const struct pkt *p, struct flow_key *key,
		    struct pkt_meta *meta);

/* Short stable name of a result, for stats ("trunc_l2", ...). */
const char	*decode_result_name(enum decode_result);

#endif
