/*
 * Application names from payload bytes (--app-info): the first question
 * of a DNS message, the server name (SNI) of a TLS ClientHello, the Host
 * header of an HTTP/1.x request.  Pure functions over a caller's bytes:
 * no state, no allocation; every length from the wire is checked and
 * nothing is read past len.  A name is copied as the bytes the wire
 * carries (DNS labels joined with '.'), at most APPNAME_MAX of them.
 */
#ifndef PF_APPNAME_H
#define PF_APPNAME_H

#include <stddef.h>
#include <stdint.h>

#define APPNAME_MAX	255	/* bytes of a name kept (a DNS name's limit) */

/* What a parser made of the bytes it was given. */
enum appname_result {
	APPNAME_NONE = 0,	/* not this protocol, or no name in it: stop */
	APPNAME_FOUND,		/* name copied */
	APPNAME_MORE		/* the name is further on: give more bytes */
};

/* Which kind of name a flow carries. */
enum appname_kind {
	APP_NONE = 0,
	APP_DNS,
	APP_TLS,
	APP_HTTP
};

struct appname {
	uint8_t		kind;		/* enum appname_kind */
	uint8_t		len;		/* bytes of name */
	uint8_t		rcode;		/* DNS: response code (responses) */
	uint8_t		response;	/* DNS: 1 if the QR bit is set */
	uint16_t	qtype;		/* DNS: the question's type */
	char		name[APPNAME_MAX + 1];	/* NUL-terminated too */
};

/*
 * A DNS message (RFC 1035 section 4): the UDP payload, or what follows
 * the 2-byte length on TCP.  FOUND with the first question's name, type
 * and, for a response, rcode; NONE if the header or the question is
 * malformed or cut, or there is no question.  Compression pointers are
 * followed even in the question (at most 32 of them and 127 labels, so a
 * loop ends as NONE).  Label bytes are copied raw (tshark escapes
 * unprintable ones); a name longer than APPNAME_MAX is cut to its first
 * APPNAME_MAX bytes; the root name reads "<Root>", as tshark shows it.
 */
enum appname_result appname_dns(const uint8_t *msg, size_t len,
		    struct appname *out);

/*
 * The first bytes of a TCP stream from a client: TLS records (RFC 8446
 * section 5.1) carrying a ClientHello (section 4.1.2), whose server_name
 * extension (RFC 6066 section 3) gives the host_name.  A ClientHello may
 * span records and TCP segments: MORE when the bytes end before the
 * extension was found but the hello goes on, with *need the stream bytes
 * (from buf) that hold the whole ClientHello, so a caller can tell
 * whether its buffer will do.  NONE if it is not a handshake record, not
 * a ClientHello, malformed, or has no SNI.  *need is always > len on MORE;
 * it is exact once the records seen reach the hello's end, else it counts
 * one more 5-byte record header and grows if further records turn up
 * (9 while even the handshake header is cut).  FOUND as soon as the name
 * is in the bytes, even if the hello goes on.
 */
enum appname_result appname_tls(const uint8_t *buf, size_t len,
		    struct appname *out, size_t *need);

/*
 * The first bytes of an HTTP/1.x request (RFC 9112; also UPnP's NOTIFY,
 * SUBSCRIBE and UNSUBSCRIBE, which tshark takes for HTTP): FOUND with the Host
 * header's value (optional whitespace trimmed, port kept, as sent); MORE
 * if the headers end before it and no blank line was seen; NONE if it
 * does not start with a request line or has no Host header.  A request
 * line is one of GET POST HEAD PUT DELETE OPTIONS CONNECT PATCH TRACE, a
 * space, and a line ending in "HTTP/1.x" (CRLF or bare LF); an empty Host
 * counts as none.
 */
enum appname_result appname_http(const uint8_t *buf, size_t len,
		    struct appname *out);

/*
 * Cheap test on the first payload bytes of a TCP flow: APP_TLS if they
 * can start a TLS handshake record, APP_HTTP if an HTTP request method,
 * else APP_NONE.  Looks at most at the first 12 bytes.
 */
enum appname_kind appname_tcp_kind(const uint8_t *p, size_t len);

#endif
