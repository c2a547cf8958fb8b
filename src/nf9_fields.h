/*
 * The NetFlow v9 record layouts as (field type, length) tables: the single
 * source from which nf9.c writes both the template records and the data
 * records, so the two cannot disagree.  Included by nf9.c only.
 */
#ifndef PF_NF9_FIELDS_H
#define PF_NF9_FIELDS_H

#include <stdint.h>

/* Field types, RFC 3954 section 8. */
#define NF9_IN_BYTES		1
#define NF9_IN_PKTS		2
#define NF9_PROTOCOL		4
#define NF9_SRC_TOS		5
#define NF9_TCP_FLAGS		6
#define NF9_L4_SRC_PORT		7
#define NF9_IPV4_SRC_ADDR	8
#define NF9_INPUT_SNMP		10
#define NF9_L4_DST_PORT		11
#define NF9_IPV4_DST_ADDR	12
#define NF9_OUTPUT_SNMP		14
#define NF9_LAST_SWITCHED	21
#define NF9_FIRST_SWITCHED	22
#define NF9_IPV6_SRC_ADDR	27
#define NF9_IPV6_DST_ADDR	28
#define NF9_ICMP_TYPE		32
#define NF9_SAMPLING_INTERVAL	34
#define NF9_SAMPLING_ALGORITHM	35

/*
 * Scope field types of an options template, RFC 3954 section 6.1.  They
 * are a separate number space: scope type 1 is System, not IN_BYTES.
 */
#define NF9_SCOPE_SYSTEM	1

struct nf9_field {
	uint16_t	type;
	uint16_t	len;		/* bytes on the wire */
};

/*
 * Data record layouts.  The order follows the NetFlow v5 record (addresses,
 * interfaces, counters, times, ports, then the one-byte fields) so a reader
 * used to v5 finds things where they expect.  Counters are 8 bytes because
 * flow_rec counters are 64-bit and must never wrap on the wire; ICMP_TYPE
 * carries type << 8 | code for ICMP and ICMPv6 (nfdump reads field 32 for
 * both families) with both ports 0, and is 0 for other protocols.
 * IPv4: 49 bytes a record, IPv6: 73.
 */
static const struct nf9_field nf9_tmpl_v4[] = {
	{ NF9_IPV4_SRC_ADDR,	4 },
	{ NF9_IPV4_DST_ADDR,	4 },
	{ NF9_INPUT_SNMP,	4 },
	{ NF9_OUTPUT_SNMP,	4 },
	{ NF9_IN_PKTS,		8 },
	{ NF9_IN_BYTES,		8 },
	{ NF9_FIRST_SWITCHED,	4 },
	{ NF9_LAST_SWITCHED,	4 },
	{ NF9_L4_SRC_PORT,	2 },
	{ NF9_L4_DST_PORT,	2 },
	{ NF9_ICMP_TYPE,	2 },
	{ NF9_TCP_FLAGS,	1 },
	{ NF9_PROTOCOL,		1 },
	{ NF9_SRC_TOS,		1 },
};

static const struct nf9_field nf9_tmpl_v6[] = {
	{ NF9_IPV6_SRC_ADDR,	16 },
	{ NF9_IPV6_DST_ADDR,	16 },
	{ NF9_INPUT_SNMP,	4 },
	{ NF9_OUTPUT_SNMP,	4 },
	{ NF9_IN_PKTS,		8 },
	{ NF9_IN_BYTES,		8 },
	{ NF9_FIRST_SWITCHED,	4 },
	{ NF9_LAST_SWITCHED,	4 },
	{ NF9_L4_SRC_PORT,	2 },
	{ NF9_L4_DST_PORT,	2 },
	{ NF9_ICMP_TYPE,	2 },
	{ NF9_TCP_FLAGS,	1 },
	{ NF9_PROTOCOL,		1 },
	{ NF9_SRC_TOS,		1 },
};

/*
 * Options template (RFC 3954 section 6.1): scope System, whose value is
 * the header's Source ID, then the sampling parameters that apply to every
 * flow from this exporter.  Options data record: 9 bytes.  nfdump applies
 * it from 1.7.2 on (before that it wanted field 34 without 35).
 */
static const struct nf9_field nf9_opt_scope[] = {
	{ NF9_SCOPE_SYSTEM,	4 },
};

static const struct nf9_field nf9_opt_fields[] = {
	{ NF9_SAMPLING_INTERVAL,	4 },
	{ NF9_SAMPLING_ALGORITHM,	1 },
};

#endif
