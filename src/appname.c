/*
 * Application names from the first payload bytes of a flow: DNS question,
 * TLS server name, HTTP Host.  See appname.h for the contract.
 */
#include <string.h>

#include "appname.h"
#include "cursor.h"

#define DNS_HDR_LEN	12
#define DNS_QR		0x80	/* byte 2: this message is a response */
#define DNS_RCODE	0x0f	/* byte 3 */
#define DNS_PTR		0xc0	/* label byte: a compression pointer */
/*
 * A 255-byte name holds at most 127 labels; a question's name needs one or
 * two pointers at most.  Past either cap the name loops or is hostile.
 */
#define DNS_LABELS_MAX	127
#define DNS_HOPS_MAX	32
/* What tshark shows for the root name (dns.qry.name), so names compare. */
#define DNS_ROOT_NAME	"<Root>"

#define TLS_HANDSHAKE	22
#define TLS_MAJOR	3
#define TLS_MINOR_MAX	4	/* 0x0304 would be the next after TLS 1.3 */
#define TLS_REC_HDR	5
#define TLS_HS_HDR	4
#define TLS_CLIENT_HELLO 1
#define TLS_EXT_SNI	0
#define SNI_HOST_NAME	0
/*
 * The largest body a ClientHello's own length fields allow: version,
 * random, session id, cipher suites, compression methods, extensions.
 * A larger handshake length is not a ClientHello worth buffering for.
 */
#define TLS_HELLO_MAX	(2 + 32 + 1 + 32 + 2 + 65534 + 1 + 255 + 2 + 65535)
/* Records a hello may be cut into, extensions it may carry: real hellos
 * use one to three records and ~20 extensions. */
#define TLS_RECORDS_MAX	256
#define TLS_EXTS_MAX	1024

/* Header lines before Host; browsers send ~15. */
#define HTTP_LINES_MAX	128

static void
name_start(struct appname *out, enum appname_kind kind)
{
	out->kind = (uint8_t)kind;
	out->len = 0;
	out->rcode = 0;
	out->response = 0;
	out->qtype = 0;
	out->name[0] = '\0';
}

/* Append up to n bytes, silently cut at APPNAME_MAX. */
static void
name_add(struct appname *out, const void *p, size_t n)
{
	size_t room = APPNAME_MAX - out->len;

	if (n > room)
		n = room;
	memcpy(out->name + out->len, p, n);
	out->len = (uint8_t)(out->len + n);
	out->name[out->len] = '\0';
}

/*
 * DNS
 */

/*
 * The name at c into out, and c left after it (after its first pointer, if
 * any).  Pointers may go anywhere in the message, forward too, as musl's
 * dn_expand allows; the caps end any loop.
 */
static bool
dns_name(const uint8_t *msg, size_t len, struct cursor *c,
    struct appname *out)
{
	struct cursor at = *c;
	unsigned labels = 0, hops = 0;
	bool jumped = false;
	uint8_t b, lo;

	for (;;) {
		if (!cur_u8(&at, &b))
			return false;
		if ((b & DNS_PTR) == DNS_PTR) {
			if (!cur_u8(&at, &lo) || ++hops > DNS_HOPS_MAX)
				return false;
			if (!jumped)
				*c = at;
			jumped = true;
			cur_init(&at, msg, len);
			if (!cur_skip(&at, (size_t)(b & 0x3f) << 8 | lo))
				return false;
			continue;
		}
		if (b & DNS_PTR)	/* 0x40 extended, 0x80 reserved */
			return false;
		if (b == 0)
			break;
		if (++labels > DNS_LABELS_MAX || !cur_need(&at, b))
			return false;
		if (out->len > 0)
			name_add(out, ".", 1);
		name_add(out, at.p, b);
		(void)cur_skip(&at, b);
	}
	if (!jumped)
		*c = at;
	if (labels == 0)
		name_add(out, DNS_ROOT_NAME, sizeof(DNS_ROOT_NAME) - 1);
	return true;
}

enum appname_result
appname_dns(const uint8_t *msg, size_t len, struct appname *out)
{
	struct cursor c;
	uint16_t qdcount, qtype;
	uint8_t flags, rflags;

	name_start(out, APP_DNS);
	cur_init(&c, msg, len);
	if (!cur_skip(&c, 2) || !cur_u8(&c, &flags) || !cur_u8(&c, &rflags) ||
	    !cur_be16(&c, &qdcount) || qdcount == 0 ||
	    !cur_skip(&c, DNS_HDR_LEN - 6))
		return APPNAME_NONE;
	if (!dns_name(msg, len, &c, out) || !cur_be16(&c, &qtype) ||
	    !cur_skip(&c, 2)) {
		name_start(out, APP_DNS);
		return APPNAME_NONE;
	}
	out->qtype = qtype;
	out->response = (flags & DNS_QR) != 0;
	out->rcode = rflags & DNS_RCODE;
	return APPNAME_FOUND;
}

/*
 * TLS
 *
 * The ClientHello is read as one byte stream through the records that carry
 * it, whose headers are stepped over as they come.
 */

enum hs_status {
	HS_OK,
	HS_SHORT,	/* the buffer ended: more stream bytes may finish it */
	HS_BAD		/* not a ClientHello, or one that breaks its lengths */
};

struct hello {
	const uint8_t	*buf;
	size_t		 len;
	size_t		 off;		/* buf offset of the next unread byte */
	size_t		 rec_left;	/* unread bytes of the current record */
	size_t		 hs_left;	/* unread bytes of the handshake message */
	unsigned	 records;
};

static enum hs_status
hello_record(struct hello *h)
{
	struct cursor c;
	uint8_t type, major, minor;
	uint16_t rlen;

	if (++h->records > TLS_RECORDS_MAX)
		return HS_BAD;
	cur_init(&c, h->buf + h->off, h->len - h->off);
	/* Judge a cut header by the bytes it has. */
	if (cur_peek_u8(&c, 0, &type) && type != TLS_HANDSHAKE)
		return HS_BAD;
	if (cur_peek_u8(&c, 1, &major) && major != TLS_MAJOR)
		return HS_BAD;
	if (cur_peek_u8(&c, 2, &minor) && minor > TLS_MINOR_MAX)
		return HS_BAD;
	if (!cur_peek_be16(&c, 3, &rlen))
		return HS_SHORT;
	h->off += TLS_REC_HDR;
	h->rec_left = rlen;
	return HS_OK;
}

/* Read n bytes of the handshake message into dst, or skip them (NULL). */
static enum hs_status
hello_take(struct hello *h, uint8_t *dst, size_t n)
{
	if (n > h->hs_left)
		return HS_BAD;
	while (n > 0) {
		size_t k;

		if (h->rec_left == 0) {
			/* RFC 8446 forbids empty handshake records, but
			 * they carry nothing: step over them */
			enum hs_status st = hello_record(h);

			if (st != HS_OK)
				return st;
			continue;
		}
		k = n < h->rec_left ? n : h->rec_left;
		if (k > h->len - h->off)
			k = h->len - h->off;
		if (k == 0)
			return HS_SHORT;
		if (dst != NULL) {	/* too few bytes for memcpy() */
			size_t i;

			for (i = 0; i < k; i++)
				dst[i] = h->buf[h->off + i];
			dst += k;
		}
		h->off += k;
		h->rec_left -= k;
		h->hs_left -= k;
		n -= k;
	}
	return HS_OK;
}

static enum hs_status
hello_u8(struct hello *h, size_t *v)
{
	uint8_t b = 0;
	enum hs_status st = hello_take(h, &b, 1);

	*v = b;
	return st;
}

static enum hs_status
hello_u16(struct hello *h, size_t *v)
{
	uint8_t b[2] = { 0, 0 };
	enum hs_status st = hello_take(h, b, 2);

	*v = (size_t)b[0] << 8 | b[1];
	return st;
}

/*
 * Stream bytes from buf to the end of the handshake message: exact when
 * the records seen reach its end, else counting one more record header,
 * a lower bound that grows as further records turn up.
 */
static size_t
hello_need(const struct hello *h)
{
	if (h->rec_left == 0)
		return h->off + TLS_REC_HDR + h->hs_left;
	if (h->hs_left <= h->rec_left)
		return h->off + h->hs_left;
	return h->off + h->rec_left + TLS_REC_HDR + (h->hs_left - h->rec_left);
}

/* The server_name extension's body, elen bytes: the first host_name. */
static enum hs_status
hello_sni(struct hello *h, size_t elen, struct appname *out)
{
	size_t list, type, nlen, k;
	enum hs_status st;

	if (elen < 2)
		return HS_BAD;
	if ((st = hello_u16(h, &list)) != HS_OK)
		return st;
	if (list > elen - 2)
		return HS_BAD;
	while (list >= 3) {	/* each entry takes >= 3 bytes: bounded */
		if ((st = hello_u8(h, &type)) != HS_OK ||
		    (st = hello_u16(h, &nlen)) != HS_OK)
			return st;
		list -= 3;
		if (nlen > list)
			return HS_BAD;
		if (type == SNI_HOST_NAME && nlen > 0) {
			k = nlen < APPNAME_MAX ? nlen : APPNAME_MAX;
			if ((st = hello_take(h, (uint8_t *)out->name, k)) !=
			    HS_OK)
				return st;
			out->len = (uint8_t)k;
			out->name[k] = '\0';
			return HS_OK;
		}
		if ((st = hello_take(h, NULL, nlen)) != HS_OK)
			return st;
		list -= nlen;
	}
	return HS_BAD;
}

/* The hello's body after its 4-byte header: HS_OK once the name is out. */
static enum hs_status
hello_body(struct hello *h, struct appname *out)
{
	size_t n, ext_left, type, elen;
	enum hs_status st;
	unsigned i;

	/* legacy_version, random; session_id, cipher_suites, compression */
	if ((st = hello_take(h, NULL, 2 + 32)) != HS_OK ||
	    (st = hello_u8(h, &n)) != HS_OK ||
	    (st = hello_take(h, NULL, n)) != HS_OK ||
	    (st = hello_u16(h, &n)) != HS_OK ||
	    (st = hello_take(h, NULL, n)) != HS_OK ||
	    (st = hello_u8(h, &n)) != HS_OK ||
	    (st = hello_take(h, NULL, n)) != HS_OK)
		return st;
	if (h->hs_left == 0)		/* a hello without extensions */
		return HS_BAD;
	if ((st = hello_u16(h, &ext_left)) != HS_OK)
		return st;
	if (ext_left > h->hs_left)
		return HS_BAD;
	for (i = 0; ext_left >= 4 && i < TLS_EXTS_MAX; i++) {
		if ((st = hello_u16(h, &type)) != HS_OK ||
		    (st = hello_u16(h, &elen)) != HS_OK)
			return st;
		ext_left -= 4;
		if (elen > ext_left)
			return HS_BAD;
		if (type == TLS_EXT_SNI)
			return hello_sni(h, elen, out);
		if ((st = hello_take(h, NULL, elen)) != HS_OK)
			return st;
		ext_left -= elen;
	}
	return HS_BAD;
}

enum appname_result
appname_tls(const uint8_t *buf, size_t len, struct appname *out,
    size_t *need)
{
	struct hello h = { buf, len, 0, 0, TLS_HS_HDR, 0 };
	uint8_t hdr[TLS_HS_HDR];
	enum hs_status st;

	name_start(out, APP_TLS);
	*need = 0;
	st = hello_take(&h, hdr, TLS_HS_HDR);
	if (st == HS_OK) {
		size_t hs_len;

		if (hdr[0] != TLS_CLIENT_HELLO)
			return APPNAME_NONE;
		hs_len = (size_t)hdr[1] << 16 | (size_t)hdr[2] << 8 | hdr[3];
		if (hs_len > TLS_HELLO_MAX)
			return APPNAME_NONE;
		h.hs_left = hs_len;
		st = hello_body(&h, out);
	}
	switch (st) {
	case HS_OK:
		return APPNAME_FOUND;
	case HS_SHORT:
		/* A cut handshake header: need covers the header only. */
		*need = hello_need(&h);
		name_start(out, APP_TLS);
		return APPNAME_MORE;
	case HS_BAD:
		break;
	}
	name_start(out, APP_TLS);
	return APPNAME_NONE;
}

/*
 * HTTP
 */

/*
 * RFC 9110's methods, and UPnP's over HTTP (GENA), which tshark decodes
 * as HTTP too; each with the space that follows it in a request line.
 * One string rather than a table of names: a quarter of the bytes.
 */
static const char http_methods[] = "GET POST HEAD PUT DELETE OPTIONS "
    "CONNECT PATCH TRACE NOTIFY SUBSCRIBE UNSUBSCRIBE ";

/* The letters the methods start with, as bits from 'A'. */
#define HTTP_FIRST(c)	(1u << ((c) - 'A'))
#define HTTP_FIRSTS	(HTTP_FIRST('C') | HTTP_FIRST('D') | HTTP_FIRST('G') | \
	HTTP_FIRST('H') | HTTP_FIRST('N') | HTTP_FIRST('O') | HTTP_FIRST('P') | \
	HTTP_FIRST('S') | HTTP_FIRST('T') | HTTP_FIRST('U'))

/* Bytes of "METHOD " at p, or 0. */
static size_t
http_method(const uint8_t *p, size_t len)
{
	const char *m;
	size_t n;

	/* most first payloads are not HTTP: one test, not the whole list */
	if (len == 0 || (unsigned)(p[0] - 'A') > 'Z' - 'A' ||
	    !(HTTP_FIRSTS & HTTP_FIRST(p[0])))
		return 0;
	for (m = http_methods; *m != '\0'; m += n) {
		for (n = 1; m[n - 1] != ' '; n++)
			;
		if (len >= n && p[0] == (uint8_t)m[0] && memcmp(p, m, n) == 0)
			return n;
	}
	return 0;
}

/* The end of the line at p (its LF excluded, CR too), or NULL if cut. */
static const uint8_t *
http_line_end(const uint8_t *p, const uint8_t *end, const uint8_t **next)
{
	const uint8_t *lf = memchr(p, '\n', (size_t)(end - p));

	if (lf == NULL)
		return NULL;
	*next = lf + 1;
	if (lf > p && lf[-1] == '\r')
		lf--;
	return lf;
}

/* "HTTP/1.x" closes the request line: RTSP and SIP share its methods. */
static bool
http_version(const uint8_t *line, const uint8_t *eol)
{
	static const char v[] = " HTTP/1.";
	size_t n = sizeof(v) - 1;

	return eol - line >= (ptrdiff_t)n + 1 &&
	    memcmp(eol - n - 1, v, n) == 0 &&
	    eol[-1] >= '0' && eol[-1] <= '9';
}

static bool
is_ows(uint8_t b)
{
	return b == ' ' || b == '\t';
}

/* Is the line "Host:" in any case? */
static bool
http_is_host(const uint8_t *p, const uint8_t *eol)
{
	static const char h[] = "host:";
	size_t i;

	if (eol - p < (ptrdiff_t)sizeof(h) - 1)
		return false;
	for (i = 0; i < sizeof(h) - 1; i++)
		if ((p[i] | (h[i] == ':' ? 0 : 0x20)) != (uint8_t)h[i])
			return false;
	return true;
}

enum appname_result
appname_http(const uint8_t *buf, size_t len, struct appname *out)
{
	const uint8_t *eol, *next, *end = buf + len;
	unsigned lines;

	name_start(out, APP_HTTP);
	if (http_method(buf, len) == 0)
		return APPNAME_NONE;
	if ((eol = http_line_end(buf, end, &next)) == NULL)
		return APPNAME_MORE;
	if (!http_version(buf, eol))
		return APPNAME_NONE;
	for (lines = 0; lines < HTTP_LINES_MAX; lines++) {
		const uint8_t *p = next;

		if ((eol = http_line_end(p, end, &next)) == NULL)
			return APPNAME_MORE;
		if (eol == p)		/* the blank line: headers end */
			return APPNAME_NONE;
		if (!http_is_host(p, eol))
			continue;
		for (p += 5; p < eol && is_ows(*p); p++)
			;
		while (eol > p && is_ows(eol[-1]))
			eol--;
		if (eol > p) {		/* an empty Host names nothing */
			name_add(out, p, (size_t)(eol - p));
			return APPNAME_FOUND;
		}
	}
	return APPNAME_NONE;
}

enum appname_kind
appname_tcp_kind(const uint8_t *p, size_t len)
{
	if (len >= 2 && p[0] == TLS_HANDSHAKE && p[1] == TLS_MAJOR &&
	    (len < 3 || p[2] <= TLS_MINOR_MAX))
		return APP_TLS;
	if (http_method(p, len > 12 ? 12 : len) != 0)
		return APP_HTTP;
	return APP_NONE;
}
