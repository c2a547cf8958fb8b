/*
 * Unit tests for the application-name parsers: DNS questions, TLS
 * ClientHellos built from parts (SNI last, after a post-quantum-sized
 * key_share, in one record or two), HTTP requests; each input is also cut
 * at every length into an exact-size heap copy, so ASan sees any overread.
 */
#include <stdlib.h>

#include "appname.h"
#include "msg_build.h"
#include "tap.h"

static void
putfill(struct msg *m, unsigned v, size_t n)
{
	while (n-- > 0)
		put8(m, v);
}

static uint8_t *
copy(const uint8_t *p, size_t n)
{
	uint8_t *b = malloc(n ? n : 1);

	if (b == NULL)
		abort();
	memcpy(b, p, n);
	return b;
}

static enum appname_result
dns_cut(const struct msg *m, size_t n, struct appname *a)
{
	uint8_t *b = copy(m->b, n);
	enum appname_result r = appname_dns(b, n, a);

	free(b);
	return r;
}

static enum appname_result
tls_cut(const struct msg *m, size_t n, struct appname *a, size_t *need)
{
	uint8_t *b = copy(m->b, n);
	enum appname_result r = appname_tls(b, n, a, need);

	free(b);
	return r;
}

static enum appname_result
http_cut(const char *s, size_t n, struct appname *a)
{
	uint8_t *b = copy((const uint8_t *)s, n);
	enum appname_result r = appname_http(b, n, a);

	free(b);
	return r;
}

static int
name_is(const struct appname *a, const char *want)
{
	return want != NULL && a->len == strlen(want) &&
	    memcmp(a->name, want, a->len) == 0 && a->name[a->len] == '\0';
}

/*
 * DNS
 */

static void
dns_header(struct msg *m, unsigned flags, unsigned qd, unsigned an)
{
	m->n = 0;
	put16(m, 0x1234);
	put16(m, flags);
	put16(m, qd);
	put16(m, an);
	put16(m, 0);
	put16(m, 0);
}

/* "www.example.com" as labels, ended by the root label. */
static void
dns_labels(struct msg *m, const char *name)
{
	while (*name != '\0') {
		size_t n = strcspn(name, ".");

		put8(m, (unsigned)n);
		put(m, name, n);
		name += n;
		if (*name == '.')
			name++;
	}
	put8(m, 0);
}

static void
dns_question(struct msg *m, const char *name, unsigned qtype)
{
	dns_labels(m, name);
	put16(m, qtype);
	put16(m, 1);
}

static void
check_dns(const struct msg *m, const char *name, unsigned qtype,
    unsigned response, unsigned rcode, const char *what)
{
	struct appname a;

	memset(&a, 0xa5, sizeof(a));
	if (!ok(dns_cut(m, m->n, &a) == APPNAME_FOUND, "dns %s: found",
	    what))
		return;
	ok(a.kind == APP_DNS, "dns %s: kind", what);
	ok(name_is(&a, name), "dns %s: name '%s'", what, a.name);
	is_int(a.qtype, qtype, "dns %s: qtype", what);
	is_int(a.response, response, "dns %s: response", what);
	is_int(a.rcode, rcode, "dns %s: rcode", what);
}

/* Every cut shorter than the question's end is NONE; the rest FOUND. */
static void
check_dns_cuts(const struct msg *m, size_t qend, const char *what)
{
	struct appname a;
	size_t n, bad = 0;

	for (n = 0; n <= m->n; n++) {
		enum appname_result r = dns_cut(m, n, &a);

		if (r != (n < qend ? APPNAME_NONE : APPNAME_FOUND) ||
		    (r == APPNAME_NONE && (a.len != 0 || a.name[0] != '\0')))
			bad++;
	}
	is_int(bad, 0, "dns %s: cut at every length", what);
}

static void
test_dns(void)
{
	struct msg m;
	struct appname a;
	size_t qend;

	dns_header(&m, 0x0100, 1, 0);
	dns_question(&m, "www.example.com", 1);
	check_dns(&m, "www.example.com", 1, 0, 0, "A query");
	check_dns_cuts(&m, m.n, "A query");

	/* AAAA response with its answer: the question ends first */
	dns_header(&m, 0x8180, 1, 1);
	dns_question(&m, "ipv6.example.net", 28);
	qend = m.n;
	put16(&m, 0xc00c);
	put16(&m, 28);
	put16(&m, 1);
	put16(&m, 0);
	put16(&m, 300);
	put16(&m, 16);
	putfill(&m, 0x20, 16);
	check_dns(&m, "ipv6.example.net", 28, 1, 0, "AAAA response");
	check_dns_cuts(&m, qend, "AAAA response");

	dns_header(&m, 0x0100, 1, 0);
	dns_question(&m, "_dns.resolver.arpa", 65);
	check_dns(&m, "_dns.resolver.arpa", 65, 0, 0, "HTTPS query");

	dns_header(&m, 0x8183, 1, 0);
	dns_question(&m, "nosuch.example", 1);
	check_dns(&m, "nosuch.example", 1, 1, 3, "NXDOMAIN");

	dns_header(&m, 0x0100, 1, 0);
	dns_question(&m, "", 2);
	check_dns(&m, "<Root>", 2, 0, 0, "root NS query");
	check_dns_cuts(&m, m.n, "root");

	/* "www" then a pointer forward to "example.com" after the question */
	dns_header(&m, 0x0100, 1, 0);
	put8(&m, 3);
	put(&m, "www", 3);
	put16(&m, 0xc000 | (12 + 4 + 2 + 4));
	put16(&m, 16);
	put16(&m, 1);
	dns_labels(&m, "example.com");
	check_dns(&m, "www.example.com", 16, 0, 0, "pointer in question");
	check_dns_cuts(&m, m.n, "pointer");	/* target is at the end */

	dns_header(&m, 0x0100, 1, 0);
	put16(&m, 0xc00c);		/* to itself */
	put16(&m, 1);
	put16(&m, 1);
	is_int(dns_cut(&m, m.n, &a), APPNAME_NONE, "dns pointer to itself");

	dns_header(&m, 0x0100, 1, 0);
	put8(&m, 1);
	put8(&m, 'a');
	put16(&m, 0xc00c);		/* back to the label: a.a.a... */
	put16(&m, 1);
	put16(&m, 1);
	is_int(dns_cut(&m, m.n, &a), APPNAME_NONE, "dns label loop");

	dns_header(&m, 0x0100, 1, 0);
	put16(&m, 0xc000 | 14);		/* two pointers to each other */
	put16(&m, 0xc000 | 12);
	put16(&m, 1);
	is_int(dns_cut(&m, m.n, &a), APPNAME_NONE, "dns pointer ping-pong");

	dns_header(&m, 0x0100, 1, 0);
	put16(&m, 0xc000 | 0x3fff);	/* past the message */
	put16(&m, 1);
	put16(&m, 1);
	is_int(dns_cut(&m, m.n, &a), APPNAME_NONE, "dns pointer out");

	dns_header(&m, 0x0100, 0, 0);
	dns_question(&m, "example.com", 1);
	is_int(dns_cut(&m, m.n, &a), APPNAME_NONE, "dns no question");

	dns_header(&m, 0x0100, 1, 0);
	put8(&m, 0x41);			/* RFC 2673 bit label: not a name */
	put8(&m, 8);
	put8(&m, 0xff);
	put8(&m, 0);
	put16(&m, 1);
	put16(&m, 1);
	is_int(dns_cut(&m, m.n, &a), APPNAME_NONE, "dns extended label");

	/* 5 labels of 63 bytes: 319 bytes of text, cut to APPNAME_MAX */
	dns_header(&m, 0x0100, 1, 0);
	for (qend = 0; qend < 5; qend++) {
		put8(&m, 63);
		putfill(&m, 'a' + (unsigned)qend, 63);
	}
	put8(&m, 0);
	put16(&m, 1);
	put16(&m, 1);
	if (ok(dns_cut(&m, m.n, &a) == APPNAME_FOUND, "dns long name found")) {
		is_int(a.len, APPNAME_MAX, "dns long name cut to APPNAME_MAX");
		ok(a.name[APPNAME_MAX] == '\0' && a.name[63] == '.' &&
		    a.name[254] == 'd', "dns long name text");
	}
}

/*
 * TLS
 */

/*
 * A ClientHello handshake message (header included), SNI last if any,
 * key_share first with a share of key_share bytes (1216: X25519MLKEM768),
 * then an ECH GREASE and padding whose sizes grow with it.
 */
static void
tls_hello(struct msg *m, const char *sni, size_t key_share)
{
	size_t big = key_share;
	struct msg body = { .n = 0 };
	struct msg ext = { .n = 0 };
	size_t i;

	put16(&ext, 0x0a0a);		/* GREASE */
	put16(&ext, 0);
	put16(&ext, 10);		/* supported_groups */
	put16(&ext, 6);
	put16(&ext, 4);
	put16(&ext, 0x11ec);		/* X25519MLKEM768 */
	put16(&ext, 0x001d);
	put16(&ext, 51);		/* key_share */
	put16(&ext, (unsigned)key_share + 2 + 4 + 4 + 32);
	put16(&ext, (unsigned)key_share + 4 + 4 + 32);
	put16(&ext, 0x11ec);
	put16(&ext, (unsigned)key_share);
	putfill(&ext, 0x5a, key_share);
	put16(&ext, 0x001d);
	put16(&ext, 32);
	putfill(&ext, 0x77, 32);
	put16(&ext, 16);		/* ALPN h2 */
	put16(&ext, 5);
	put16(&ext, 3);
	put8(&ext, 2);
	put(&ext, "h2", 2);
	put16(&ext, 0xfe0d);		/* encrypted_client_hello GREASE */
	put16(&ext, (unsigned)big / 5);
	putfill(&ext, 0xec, big / 5);
	put16(&ext, 21);		/* padding */
	put16(&ext, (unsigned)big / 8);
	putfill(&ext, 0, big / 8);
	if (sni != NULL) {
		size_t n = strlen(sni);

		put16(&ext, 0);
		put16(&ext, (unsigned)n + 5);
		put16(&ext, (unsigned)n + 3);
		put8(&ext, 0);
		put16(&ext, (unsigned)n);
		put(&ext, sni, n);
	}

	put16(&body, 0x0303);
	putfill(&body, 0x11, 32);	/* random */
	put8(&body, 32);
	putfill(&body, 0x22, 32);	/* session_id */
	put16(&body, 32);
	for (i = 0; i < 16; i++)
		put16(&body, 0x1301 + (unsigned)i);
	put8(&body, 1);
	put8(&body, 0);
	put16(&body, (unsigned)ext.n);
	put(&body, ext.b, ext.n);

	m->n = 0;
	put8(m, 1);
	put24(m, body.n);
	put(m, body.b, body.n);
}

/* hs into TLS records, the first split bytes long (0: one record). */
static void
tls_records(struct msg *m, const struct msg *hs, size_t split)
{
	size_t first = split ? split : hs->n;

	m->n = 0;
	put8(m, 22);
	put16(m, 0x0301);
	put16(m, (unsigned)first);
	put(m, hs->b, first);
	if (first < hs->n) {
		put8(m, 22);
		put16(m, 0x0303);
		put16(m, (unsigned)(hs->n - first));
		put(m, hs->b + first, hs->n - first);
	}
}

/*
 * A stream cut at every length: MORE with need == the whole stream once
 * the handshake header is in (9 bytes: never below it before), and
 * FOUND only when the name is complete.
 */
static void
check_tls_cuts(const struct msg *m, size_t name_end, const char *what)
{
	struct appname a;
	size_t n, need, bad = 0, badneed = 0;

	for (n = 0; n <= m->n; n++) {
		enum appname_result r = tls_cut(m, n, &a, &need);

		if (r != (n < name_end ? APPNAME_MORE : APPNAME_FOUND))
			bad++;
		else if (r == APPNAME_MORE &&
		    (need <= n || need != (n < 9 ? 9 : m->n)))
			badneed++;
	}
	is_int(bad, 0, "tls %s: cut at every length", what);
	is_int(badneed, 0, "tls %s: need at every length", what);
}

static void
test_tls(void)
{
	static const char sni[] = "www.example.com";
	struct msg hs, m;
	struct appname a;
	size_t need, n, bad;

	tls_hello(&hs, sni, 1216);
	tls_records(&m, &hs, 0);
	ok(m.n > 1800, "tls hello is %zu bytes", m.n);
	if (ok(tls_cut(&m, m.n, &a, &need) == APPNAME_FOUND, "tls found")) {
		ok(a.kind == APP_TLS, "tls kind");
		ok(name_is(&a, sni), "tls name '%s'", a.name);
	}
	check_tls_cuts(&m, m.n, "one record");

	/* extra stream bytes after the hello change nothing */
	put8(&m, 20);
	put16(&m, 0x0303);
	is_int(tls_cut(&m, m.n, &a, &need), APPNAME_FOUND, "tls + more bytes");

	tls_records(&m, &hs, 700);
	if (ok(tls_cut(&m, m.n, &a, &need) == APPNAME_FOUND,
	    "tls two records found"))
		ok(name_is(&a, sni), "tls two records name '%s'", a.name);
	check_tls_cuts(&m, m.n, "two records");

	/* the record boundary inside the name, then inside its length */
	tls_records(&m, &hs, hs.n - 5);
	if (ok(tls_cut(&m, m.n, &a, &need) == APPNAME_FOUND,
	    "tls name across records"))
		ok(name_is(&a, sni), "tls name across records '%s'", a.name);
	check_tls_cuts(&m, m.n, "name across records");
	tls_records(&m, &hs, hs.n - strlen(sni) - 1);
	is_int(tls_cut(&m, m.n, &a, &need), APPNAME_FOUND,
	    "tls name length across records");
	/* records of every size from 1 byte */
	bad = 0;
	for (n = 1; n < hs.n; n++) {
		tls_records(&m, &hs, n);
		if (tls_cut(&m, m.n, &a, &need) != APPNAME_FOUND ||
		    !name_is(&a, sni))
			bad++;
	}
	is_int(bad, 0, "tls every first-record size");

	/* empty records around: stepped over (fuzzer's find) */
	tls_records(&m, &hs, 700);
	memmove(m.b + 5, m.b, m.n);
	memcpy(m.b, "\x16\x03\x01\x00\x00", 5);
	m.n += 5;
	if (ok(tls_cut(&m, m.n, &a, &need) == APPNAME_FOUND,
	    "tls empty record first"))
		ok(name_is(&a, sni), "tls empty record first: name");
	is_int(tls_cut(&m, 100, &a, &need), APPNAME_MORE,
	    "tls empty record first, cut");
	is_int(need, m.n, "tls empty record first, cut: need");

	/* a second record that is not a handshake: malformed */
	tls_records(&m, &hs, 700);
	m.b[5 + 700] = 23;
	is_int(tls_cut(&m, m.n, &a, &need), APPNAME_NONE,
	    "tls second record not handshake");
	is_int(tls_cut(&m, 5 + 700 + 1, &a, &need), APPNAME_NONE,
	    "tls cut second record header not handshake");

	/* small hello, SNI first of its extensions */
	tls_hello(&hs, "a.b", 0);
	tls_records(&m, &hs, 0);
	if (ok(tls_cut(&m, m.n, &a, &need) == APPNAME_FOUND, "tls small"))
		ok(name_is(&a, "a.b"), "tls small name '%s'", a.name);

	/* no SNI: MORE until the hello is complete, then NONE */
	tls_hello(&hs, NULL, 1216);
	tls_records(&m, &hs, 0);
	is_int(tls_cut(&m, m.n, &a, &need), APPNAME_NONE, "tls no SNI");
	bad = 0;
	for (n = 0; n < m.n; n++)
		if (tls_cut(&m, n, &a, &need) != APPNAME_MORE || need <= n)
			bad++;
	is_int(bad, 0, "tls no SNI: MORE at every cut");

	/* ServerHello, an alert, application data, a non-TLS stream */
	tls_hello(&hs, sni, 32);
	hs.b[0] = 2;
	tls_records(&m, &hs, 0);
	is_int(tls_cut(&m, m.n, &a, &need), APPNAME_NONE, "tls ServerHello");
	tls_hello(&hs, sni, 32);
	tls_records(&m, &hs, 0);
	m.b[0] = 21;
	is_int(tls_cut(&m, m.n, &a, &need), APPNAME_NONE, "tls alert");
	is_int(tls_cut(&m, 1, &a, &need), APPNAME_NONE, "tls alert 1 byte");
	m.b[0] = 22;
	m.b[1] = 2;
	is_int(tls_cut(&m, m.n, &a, &need), APPNAME_NONE, "tls SSLv2 major");
	is_int(tls_cut(&m, 0, &a, &need), APPNAME_MORE, "tls empty: MORE");

	/* lengths that break: the extensions past the hello, SNI list past
	 * its extension */
	tls_hello(&hs, sni, 32);
	tls_records(&m, &hs, 0);
	/* record, handshake, version, random, session id, suites, compression */
	m.b[5 + 4 + 2 + 32 + 1 + 32 + 2 + 32 + 2] = 0xff;
	is_int(tls_cut(&m, m.n, &a, &need), APPNAME_NONE,
	    "tls extensions past the hello");
	tls_records(&m, &hs, 0);
	/* list length, name type, name length, name */
	m.b[m.n - strlen(sni) - 5] = 0x7f;
	is_int(tls_cut(&m, m.n, &a, &need), APPNAME_NONE,
	    "tls SNI list past its extension");

	/* a handshake length no ClientHello can have */
	tls_hello(&hs, sni, 32);
	tls_records(&m, &hs, 0);
	m.b[6] = 0x10;
	is_int(tls_cut(&m, m.n, &a, &need), APPNAME_NONE, "tls 1 MB hello");
}

/*
 * HTTP
 */

static void
check_http(const char *req, enum appname_result want, const char *name,
    const char *what)
{
	struct appname a;
	enum appname_result r = http_cut(req, strlen(req), &a);

	is_int(r, want, "http %s", what);
	if (r == APPNAME_FOUND) {
		ok(a.kind == APP_HTTP, "http %s: kind", what);
		ok(name_is(&a, name), "http %s: name '%s'", what, a.name);
	}
}

static void
test_http(void)
{
	static const char get[] =
	    "GET /index.html HTTP/1.1\r\n"
	    "User-Agent: curl/8.5.0\r\n"
	    "Host: www.example.com\r\n"
	    "Accept: */*\r\n"
	    "\r\n";
	struct appname a;
	size_t n, bad = 0, host = strstr(get, "Host") - get;
	size_t host_end = strstr(get, "\r\nAccept") - get + 2;

	check_http(get, APPNAME_FOUND, "www.example.com", "GET");
	check_http("POST /api HTTP/1.0\r\nhost:  example.org \t\r\n"
	    "Content-Length: 0\r\n\r\n", APPNAME_FOUND, "example.org",
	    "lowercase host, spaces");
	check_http("HEAD / HTTP/1.1\r\nHOST: example.com:8080\r\n\r\n",
	    APPNAME_FOUND, "example.com:8080", "Host with port");
	check_http("GET / HTTP/1.1\nAccept: */*\nHost: lf.example\n\n",
	    APPNAME_FOUND, "lf.example", "LF-only lines");
	check_http("CONNECT example.com:443 HTTP/1.1\r\n"
	    "Host: example.com:443\r\n\r\n", APPNAME_FOUND, "example.com:443",
	    "CONNECT");
	check_http("GET / HTTP/1.1\r\nAccept: */*\r\n\r\nHost: late\r\n\r\n",
	    APPNAME_NONE, NULL, "Host after the headers");
	check_http("GET / HTTP/1.1\r\nX-Host: no\r\n\r\n", APPNAME_NONE,
	    NULL, "no Host");
	check_http("GET / HTTP/1.1\r\nHost: \r\n\r\n", APPNAME_NONE, NULL,
	    "empty Host");
	check_http("GET / HTTP/1.1\r\nHost: \r\nHost: second\r\n\r\n",
	    APPNAME_FOUND, "second", "empty Host, then one");
	check_http("GET / RTSP/1.0\r\nHost: rtsp\r\n\r\n", APPNAME_NONE,
	    NULL, "RTSP");
	check_http("FETCH / HTTP/1.1\r\nHost: x\r\n\r\n", APPNAME_NONE, NULL,
	    "unknown method");
	check_http("GET / HTTP/1.1\r\nUser-Agent: x\r\n", APPNAME_MORE, NULL,
	    "headers go on");

	for (n = 0; n <= strlen(get); n++) {
		enum appname_result r = http_cut(get, n, &a);
		enum appname_result want = n < 4 ? APPNAME_NONE :
		    n < host_end ? APPNAME_MORE : APPNAME_FOUND;

		if (r != want)
			bad++;
	}
	is_int(bad, 0, "http cut at every length (Host at %zu)", host);
}

static void
test_tcp_kind(void)
{
	static const uint8_t tls[] = { 22, 3, 1, 0, 200 };
	static const uint8_t tls14[] = { 22, 3, 5 };
	static const uint8_t get[] = "GET / HTTP/1.1\r\n";
	static const uint8_t opt[] = "OPTIONS * HTTP/1.1\r\n";

	is_int(appname_tcp_kind(tls, sizeof(tls)), APP_TLS, "kind TLS");
	is_int(appname_tcp_kind(tls, 2), APP_TLS, "kind TLS 2 bytes");
	is_int(appname_tcp_kind(tls, 1), APP_NONE, "kind TLS 1 byte");
	is_int(appname_tcp_kind(tls14, 3), APP_NONE, "kind TLS 3.5");
	is_int(appname_tcp_kind(get, sizeof(get) - 1), APP_HTTP, "kind GET");
	is_int(appname_tcp_kind(get, 4), APP_HTTP, "kind 'GET '");
	is_int(appname_tcp_kind(get, 3), APP_NONE, "kind 'GET'");
	is_int(appname_tcp_kind(opt, sizeof(opt) - 1), APP_HTTP,
	    "kind OPTIONS");
	is_int(appname_tcp_kind((const uint8_t *)"GETX /", 6), APP_NONE,
	    "kind GETX");
	is_int(appname_tcp_kind((const uint8_t *)"SSH-2.0", 7), APP_NONE,
	    "kind SSH");
	is_int(appname_tcp_kind(get, 0), APP_NONE, "kind empty");
	is_int(appname_tcp_kind((const uint8_t *)"UNSUBSCRIBE /x HTTP/1.1",
	    23), APP_HTTP, "kind UNSUBSCRIBE (UPnP, 12 bytes)");
	is_int(appname_tcp_kind((const uint8_t *)"NOTIFY * HTTP/1.1", 17),
	    APP_HTTP, "kind NOTIFY");
}

int
main(void)
{
	test_dns();
	test_tls();
	test_http();
	test_tcp_kind();
	return done();
}
