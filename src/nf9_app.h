/*
 * Between nf9.c and nf9_app.c only: the encoder's part of --app-info and
 * --process, linked with APP_INFO=yes (app_none.c has the refusals).
 * lay[2] and lay[3] are the IPv4 and IPv6 layouts of records that carry
 * flow_app facts; n 0 when neither option is on.
 */
#ifndef PF_NF9_APP_H
#define PF_NF9_APP_H

#include <stddef.h>
#include <stdint.h>

#include "flow.h"
#include "nf9.h"

/*
 * ntop's elements (issue 18), which Wireshark and ntopng decode: IPFIX
 * sends them as enterprise elements of PEN 35632, NetFlow v9 as type
 * NTOP_V9_BASE + id (nProbe's numbering; RFC 3954 leaves the numbers
 * above 32767 to vendors).  In the tables here they are NF9_NTOP | id.
 */
#define NF9_NTOP		0x8000
#define NTOP_PEN		35632
#define NTOP_V9_BASE		57472
#define NTOP_RETRANS_IN_PKTS	(NF9_NTOP | 109)
#define NTOP_OOORDER_IN_PKTS	(NF9_NTOP | 111)
#define NTOP_CLIENT_LATENCY_MS	(NF9_NTOP | 123)
#define NTOP_SERVER_LATENCY_MS	(NF9_NTOP | 124)
#define NTOP_HTTP_HOST		(NF9_NTOP | 187)
#define NTOP_SSL_SERVER_NAME	(NF9_NTOP | 188)
#define NTOP_DNS_QUERY		(NF9_NTOP | 205)
#define NTOP_DNS_QUERY_TYPE	(NF9_NTOP | 207)
#define NTOP_DNS_RET_CODE	(NF9_NTOP | 208)
#define NTOP_SRC_PROC_PID	(NF9_NTOP | 168)
#define NTOP_SRC_PROC_NAME	(NF9_NTOP | 169)
#define NTOP_SRC_PROC_USER_NAME	(NF9_NTOP | 372)
#define NTOP_DST_PROC_PID	(NF9_NTOP | 375)
#define NTOP_DST_PROC_NAME	(NF9_NTOP | 376)
#define NTOP_DST_PROC_USER_NAME	(NF9_NTOP | 377)
/* A variable-length field (RFC 7011 section 7; Wireshark and nfdump 1.7
 * read it in v9 too): each value has its length in front. */
#define NF9_VARLEN		65535

/*
 * 0 in a build without them (APP_INFO=no defines PF_APP_NONE): nf9.c's
 * tests of a record's facts then compile away.
 */
#ifdef PF_APP_NONE
#define NF9_APP_BUILT		0
#else
#define NF9_APP_BUILT		1
#endif

/* nf9.c's: append n table fields to l as this format sends them. */
int	nf9_layout_append(struct nf9_layout *l, const struct nf9_field *f,
	    size_t n, unsigned version, int v6, int scope);

/*
 * lay[2], lay[3] from lay[0], lay[1] (built, nbase set) and the config,
 * with their names_max;
 * left as they are (nf9_init() zeroes them) when neither option is on.
 * -1 if a layout overflows, or (a build without them) either option is
 * asked for.
 */
int	nf9_app_layouts(struct nf9 *);
/* The bytes a's facts add to its layout's len (its names). */
size_t	nf9_app_extra(const struct nf9 *, const struct flow_app *a);
/* The application fields of a record at p: room counted by nf9_add(). */
void	nf9_app_put(uint8_t *p, const struct nf9 *, const struct flow_app *a);

#endif
