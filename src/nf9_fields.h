/*
 * The record layouts as (field type, length) tables: the single source from
 * which nf9.c writes the template records and the data records of every
 * format, so they cannot disagree.  IPFIX uses the v9 tables with the
 * substitutions nf9.c makes at start (IPFIX_* below); NetFlow v5 has a
 * fixed record, spelt here with the same field types.  Included by nf9.c
 * only; ntop's elements (--app-info, --process) and their tables are in
 * nf9_app.h and nf9_app.c.
 */
#ifndef PF_NF9_FIELDS_H
#define PF_NF9_FIELDS_H

#include <stdint.h>

#include "nf9.h"

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
#define NF9_DIRECTION		61
#define NF9_IF_NAME		82	/* options: an interface's name */
/*
 * Post-NAT address and port fields: Cisco's NetFlow v9 NSEL numbers, the
 * same in the IANA IPFIX registry (postNATSourceIPv4Address and so on).
 */
#define NF9_POST_NAT_SRC_IPV4	225
#define NF9_POST_NAT_DST_IPV4	226
#define NF9_POST_NAPT_SRC_PORT	227
#define NF9_POST_NAPT_DST_PORT	228
/* Only in the NetFlow v5 record; picoflow always sends them as 0. */
#define NF9_SRC_MASK		9
#define NF9_DST_MASK		13
#define NF9_IPV4_NEXT_HOP	15
#define NF9_SRC_AS		16
#define NF9_DST_AS		17
#define NF9_PAD			0	/* v5 padding, not a field type */

/*
 * IPFIX Information Elements (RFC 7012, IANA registry) that replace v9
 * fields: absolute millisecond times for FIRST/LAST_SWITCHED, the IPv6
 * ICMP type/code for ICMP_TYPE in the IPv6 template, and the observation
 * domain as the options scope (IPFIX has no System scope).  1-127 are the
 * same numbers in both, so everything else is sent unchanged.
 */
#define IPFIX_ICMP_TYPE_CODE_V6	139
#define IPFIX_OBS_DOMAIN_ID	149
#define IPFIX_FLOW_START_MS	152
#define IPFIX_FLOW_END_MS	153

/*
 * Scope field types of an options template, RFC 3954 section 6.1.  They
 * are a separate number space: scope type 1 is System, not IN_BYTES.
 */
#define NF9_SCOPE_SYSTEM	1
#define NF9_SCOPE_INTERFACE	2
/* IPFIX scopes are ordinary elements: the interface is ingressInterface. */
#define IPFIX_INGRESS_INTERFACE	10

/*
 * Data record layouts.  The order follows the NetFlow v5 record (addresses,
 * interfaces, counters, times, ports, then the one-byte fields) so a reader
 * used to v5 finds things where they expect.  Counters are 4 bytes, as in
 * v5 and RFC 3954's default lengths: the flow table ends a record before
 * either passes 2^32 - 1 (flowtab.h), and a larger record from elsewhere
 * (conntrack's counters, --offload-flows) is sent as several records that
 * sum to it (nf9_parts()), so no count wraps on the wire; ICMP_TYPE
 * carries type << 8 | code for ICMP and ICMPv6 (nfdump reads field 32 for
 * both families) with both ports 0, and is 0 for other protocols.
 * DIRECTION is 0 for a flow seen coming in on interface INPUT_SNMP, 1 for
 * one seen going out of OUTPUT_SNMP (the other interface is then 0: a
 * probe does not know where a packet came from or goes next; with
 * --egress an ingress flow's OUTPUT_SNMP is where the kernel routes it).
 * Interface fields are listed at 4 bytes, but v9 and IPFIX send them as
 * 2 (RFC 3954's default) until a record has an index over 65535, and
 * then as 4 for the rest of the run (nf9.c, widen_ifs()).  IPv4: 38 bytes
 * a record, IPv6: 62 (42 and 66 with 4-byte interfaces).
 */
static const struct nf9_field nf9_tmpl_v4[] = {
	{ NF9_IPV4_SRC_ADDR,	4 },
	{ NF9_IPV4_DST_ADDR,	4 },
	{ NF9_INPUT_SNMP,	4 },
	{ NF9_OUTPUT_SNMP,	4 },
	{ NF9_IN_PKTS,		4 },
	{ NF9_IN_BYTES,		4 },
	{ NF9_FIRST_SWITCHED,	4 },
	{ NF9_LAST_SWITCHED,	4 },
	{ NF9_L4_SRC_PORT,	2 },
	{ NF9_L4_DST_PORT,	2 },
	{ NF9_ICMP_TYPE,	2 },
	{ NF9_TCP_FLAGS,	1 },
	{ NF9_PROTOCOL,		1 },
	{ NF9_SRC_TOS,		1 },
	{ NF9_DIRECTION,	1 },
};

/*
 * With --nat the IPv4 layout ends with the flow's addresses and ports as
 * the router translates them (all 0 when it does not, or nobody knows):
 * 50 bytes a record.  The IPv6 layout and NetFlow v5 do not change.
 */
static const struct nf9_field nf9_tmpl_v4_nat[] = {
	{ NF9_POST_NAT_SRC_IPV4,	4 },
	{ NF9_POST_NAT_DST_IPV4,	4 },
	{ NF9_POST_NAPT_SRC_PORT,	2 },
	{ NF9_POST_NAPT_DST_PORT,	2 },
};

static const struct nf9_field nf9_tmpl_v6[] = {
	{ NF9_IPV6_SRC_ADDR,	16 },
	{ NF9_IPV6_DST_ADDR,	16 },
	{ NF9_INPUT_SNMP,	4 },
	{ NF9_OUTPUT_SNMP,	4 },
	{ NF9_IN_PKTS,		4 },
	{ NF9_IN_BYTES,		4 },
	{ NF9_FIRST_SWITCHED,	4 },
	{ NF9_LAST_SWITCHED,	4 },
	{ NF9_L4_SRC_PORT,	2 },
	{ NF9_L4_DST_PORT,	2 },
	{ NF9_ICMP_TYPE,	2 },
	{ NF9_TCP_FLAGS,	1 },
	{ NF9_PROTOCOL,		1 },
	{ NF9_SRC_TOS,		1 },
	{ NF9_DIRECTION,	1 },
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

/*
 * Interface names (issue 6): a second options template, scope Interface
 * (its value the ifindex that INPUT_SNMP/OUTPUT_SNMP carry), option
 * IF_NAME as 16 bytes of NUL-padded text, one data record an interface.
 * Sent in datagrams of its own (nf9_ifnames()), as many as the
 * interfaces need.
 */
static const struct nf9_field nf9_ifopt_scope[] = {
	{ NF9_SCOPE_INTERFACE,	4 },
};

static const struct nf9_field nf9_ifopt_fields[] = {
	{ NF9_IF_NAME,		16 },
};

/*
 * The NetFlow v5 flow record, 48 bytes, fixed by the format (Cisco's
 * "NetFlow Export Datagram Format").  Counters and times are 32 bits;
 * ICMP type and code travel in the destination port, as v5 has no field
 * for them.
 */
static const struct nf9_field nf5_rec[] = {
	{ NF9_IPV4_SRC_ADDR,	4 },
	{ NF9_IPV4_DST_ADDR,	4 },
	{ NF9_IPV4_NEXT_HOP,	4 },
	{ NF9_INPUT_SNMP,	2 },
	{ NF9_OUTPUT_SNMP,	2 },
	{ NF9_IN_PKTS,		4 },
	{ NF9_IN_BYTES,		4 },
	{ NF9_FIRST_SWITCHED,	4 },
	{ NF9_LAST_SWITCHED,	4 },
	{ NF9_L4_SRC_PORT,	2 },
	{ NF9_L4_DST_PORT,	2 },
	{ NF9_PAD,		1 },
	{ NF9_TCP_FLAGS,	1 },
	{ NF9_PROTOCOL,		1 },
	{ NF9_SRC_TOS,		1 },
	{ NF9_SRC_AS,		2 },
	{ NF9_DST_AS,		2 },
	{ NF9_SRC_MASK,		1 },
	{ NF9_DST_MASK,		1 },
	{ NF9_PAD,		2 },
};

#endif
