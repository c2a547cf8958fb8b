/*
 * The encoder's part of --app-info and --process (nf9_app.h): the
 * layouts of records that carry flow_app facts, ntop's elements after
 * the plain fields, and the writer of those elements.  Linked with
 * APP_INFO=yes only; a build without it has app_none.c's refusals.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "appname.h"
#include "nf9_app.h"
#include "util.h"
#include "wbuf.h"

/*
 * --app-info: the fields a record with application facts (flow.h's
 * flow_app) carries after the plain layout's, in a template of their own
 * per family, so records without them keep their size.  One name field
 * per kind (only the flow's kind has bytes; the others are empty, one
 * length byte each); the DNS type and code are 0 for other kinds.
 * Latencies are the halves of the TCP handshake as seen at the probe,
 * in ms; retransmitted and out-of-order segments are the record's own
 * direction's.  22 bytes a record plus the name.
 */
static const struct nf9_field nf9_tmpl_app[] = {
	{ NTOP_DNS_QUERY,		NF9_VARLEN },
	{ NTOP_DNS_QUERY_TYPE,		2 },
	{ NTOP_DNS_RET_CODE,		1 },
	{ NTOP_SSL_SERVER_NAME,		NF9_VARLEN },
	{ NTOP_HTTP_HOST,		NF9_VARLEN },
	{ NTOP_CLIENT_LATENCY_MS,	4 },
	{ NTOP_SERVER_LATENCY_MS,	4 },
	{ NTOP_RETRANS_IN_PKTS,		4 },
	{ NTOP_OOORDER_IN_PKTS,		4 },
};

/*
 * --process: who owns the host's end of a flow (procinfo.h), after the
 * --app-info fields if both are on: pid 0 and empty names for an end
 * that is not the host's or whose owner was not found.  10 bytes a
 * record plus the names.
 */
static const struct nf9_field nf9_tmpl_proc[] = {
	{ NTOP_SRC_PROC_PID,		4 },
	{ NTOP_SRC_PROC_NAME,		NF9_VARLEN },
	{ NTOP_SRC_PROC_USER_NAME,	NF9_VARLEN },
	{ NTOP_DST_PROC_PID,		4 },
	{ NTOP_DST_PROC_NAME,		NF9_VARLEN },
	{ NTOP_DST_PROC_USER_NAME,	NF9_VARLEN },
};

/* Value bytes a variable-length field takes beyond its length byte. */
static size_t
varlen_extra(size_t len)
{
	return len + (len >= 255 ? 2 : 0);
}

/* The name's bytes if a has one of this kind, else none. */
static size_t
name_len(const struct flow_app *a, unsigned kind)
{
	return a->kind == kind && (a->flags & FLOW_APP_NAME) ? a->name_len : 0;
}

/* An owner's name: a short C string (procinfo.h: 16 and 32 bytes). */
static size_t
text_len(const char *t)
{
	return t == NULL ? 0 : strnlen(t, APPNAME_MAX);
}

/*
 * Bytes a's names add to an application record's l->len: one name at
 * most (the flow's kind), and the owners' names with --process.
 */
size_t
nf9_app_extra(const struct nf9 *nf, const struct flow_app *a)
{
	size_t n = 0;

	if (nf->cfg.app_fields && (a->flags & FLOW_APP_NAME))
		n += varlen_extra(a->name_len);
	if (nf->cfg.proc_fields && (a->flags & FLOW_APP_PROC))
		n += text_len(a->src_proc) + text_len(a->src_user) +
		    text_len(a->dst_proc) + text_len(a->dst_user);
	return n;
}

/*
 * A variable-length value: its length, one byte below 255 and else 255
 * and two more (RFC 7011 section 7), then the bytes.
 */
static uint8_t *
put_varlen(uint8_t *p, const char *text, size_t len)
{
	if (len < 255)
		*p++ = (uint8_t)len;
	else {
		*p++ = 255;
		wb_store_be16(p, (uint16_t)len);
		p += 2;
	}
	if (len != 0)
		memcpy(p, text, len);
	return p + len;
}

/*
 * The fields of nf9_tmpl_app, then of nf9_tmpl_proc, in their order
 * (test_nf9_app holds the bytes to it), at p: room counted by
 * nf9_add() with nf9_app_extra().  Written field by field rather than
 * from the tables: this runs for every record with a fact, and a lookup
 * a field costs.
 */
void
nf9_app_put(uint8_t *p, const struct nf9 *nf, const struct flow_app *a)
{
	const uint32_t tcp[4] = { a->rtt_client_ms, a->rtt_server_ms,
	    a->retrans, a->ooo };
	const uint32_t pid[2] = { a->src_pid, a->dst_pid };
	const char *const text[4] = { a->src_proc, a->src_user, a->dst_proc,
	    a->dst_user };
	int dns = a->kind == APP_DNS;
	size_t i;

	if (nf->cfg.app_fields) {
		p = put_varlen(p, a->name, name_len(a, APP_DNS));
		wb_store_be16(p, dns ? a->qtype : 0);
		p[2] = dns ? a->rcode : 0;
		p = put_varlen(p + 3, a->name, name_len(a, APP_TLS));
		p = put_varlen(p, a->name, name_len(a, APP_HTTP));
		for (i = 0; i < 4; i++, p += 4)
			wb_store_be32(p, tcp[i]);
	}
	if (!nf->cfg.proc_fields)
		return;
	if (!(a->flags & FLOW_APP_PROC)) {
		memset(p, 0, 10);	/* pid 0, empty names: unknown */
		return;
	}
	for (i = 0; i < 2; i++) {	/* the source's, the destination's */
		wb_store_be32(p, pid[i]);
		p = put_varlen(p + 4, text[2 * i], text_len(text[2 * i]));
		p = put_varlen(p, text[2 * i + 1], text_len(text[2 * i + 1]));
	}
}

/*
 * Records with facts get a layout of their own per family, the plain
 * one with the tables above after it, so records without them keep
 * their size.  In v9 ntop's elements take nProbe's numbers.  Without
 * either option lay[2] and lay[3] stay as nf9_init() zeroed them.
 */
int
nf9_app_layouts(struct nf9 *nf)
{
	unsigned v = nf->cfg.version;	/* 0 is v9 too */
	struct nf9_layout *l;
	size_t i;
	int rc = 0;

	if (!nf->cfg.app_fields && !nf->cfg.proc_fields)
		return 0;
	for (l = &nf->lay[2]; l < &nf->lay[4]; l++) {
		*l = l[-2];
		if (nf->cfg.app_fields)
			rc |= nf9_layout_append(l, nf9_tmpl_app,
			    ARRAY_SIZE(nf9_tmpl_app), v, l == &nf->lay[3], 0);
		if (nf->cfg.proc_fields)
			rc |= nf9_layout_append(l, nf9_tmpl_proc,
			    ARRAY_SIZE(nf9_tmpl_proc), v, l == &nf->lay[3], 0);
		for (i = l->nbase; v != NF9_FMT_IPFIX && i < l->n; i++)
			l->f[i].type = (uint16_t)(NTOP_V9_BASE +
			    (l->f[i].type & ~NF9_NTOP));
		/* at its longest: one name of the longest kind, and two
		 * owners with the longest names procinfo.h gives */
		l->names_max = (uint16_t)((nf->cfg.app_fields ?
		    varlen_extra(APPNAME_MAX) : 0) + (nf->cfg.proc_fields ?
		    2 * (15 + 31) : 0));
	}
	return rc;
}
