/*
 * Unit tests for --app-info's part of the kernel filter (kfilter_app.c):
 * the app snap length programs, whose classifier keeps more of the
 * frames that may carry a name, run by kfilter_run.h's interpreter and
 * in libpcap's bpf_filter() where they have no ancillary loads, which
 * must agree; the layout with and without -f; the length limit.  Built
 * with APP_INFO=yes only.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>

#include "kfilter.h"
#include "quic.h"
#include "kfilter_run.h"
#include "tap.h"

/*
 * App snap length.  A hand-made segment: Ethernet, IPv4 or IPv6 without
 * options, UDP or TCP (topt bytes of TCP options), the payload, then pad
 * bytes after the IP packet as Ethernet padding puts them; a negative pad
 * cuts the frame short of what its headers say, so that a load the
 * lengths in the headers allow runs off its end.
 */
struct seg {
	const char	*what;
	int		 v6;
	int		 proto;		/* 6, 17, or 0: an ARP frame */
	uint16_t	 sport, dport;
	const char	*pay;		/* NULL: no payload */
	size_t		 paylen;	/* 0 with pay: strlen(pay) */
	unsigned	 topt;
	long		 pad;
	char		 want;		/* 'A' app snap, 'S' snaplen */
};

#define FRAME_MAX	2200

static void
put16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static size_t
mkframe(uint8_t *f, const struct seg *s)
{
	static const uint8_t v6addr[32] = {
		0x20, 0x01, 0x0d, 0xb8, [15] = 1,
		[16] = 0x20, 0x01, 0x0d, 0xb8, [31] = 2 };
	size_t ip = 14, l4, hl, plen = s->pay == NULL ? 0 : s->paylen != 0 ?
	    s->paylen : strlen(s->pay), n, i;

	memset(f, 0, FRAME_MAX);
	memcpy(f, "\0\1\2\3\4\5\0\6\7\10\11\12", 12);
	if (s->proto == 0) {
		put16(f + 12, 0x0806);
		return 60;
	}
	hl = s->proto == 6 ? 20 + s->topt : 8;
	if (s->v6) {
		put16(f + 12, 0x86dd);
		f[ip] = 0x60;
		put16(f + ip + 4, (unsigned)(hl + plen));
		f[ip + 6] = (uint8_t)s->proto;
		f[ip + 7] = 64;
		memcpy(f + ip + 8, v6addr, 32);
		l4 = ip + 40;
	} else {
		put16(f + 12, 0x0800);
		f[ip] = 0x45;
		put16(f + ip + 2, (unsigned)(20 + hl + plen));
		f[ip + 8] = 64;
		f[ip + 9] = (uint8_t)s->proto;
		memcpy(f + ip + 12, "\300\0\2\1\306\63\144\2", 8);
		l4 = ip + 20;
	}
	put16(f + l4, s->sport);
	put16(f + l4 + 2, s->dport);
	if (s->proto == 6) {
		f[l4 + 12] = (uint8_t)(hl / 4 << 4);
		f[l4 + 13] = plen != 0 ? 0x18 : 0x10;
		put16(f + l4 + 14, 65535);
		memset(f + l4 + 20, 1, s->topt);	/* NOPs */
	} else
		put16(f + l4 + 4, (unsigned)(hl + plen));
	if (plen != 0)
		memcpy(f + l4 + hl, s->pay, plen);
	n = l4 + hl + plen;
	if (s->pad < 0)
		return n - (size_t)-s->pad;
	/* Padding that reads as a request if taken for payload. */
	for (i = 0; i < (size_t)s->pad; i++)
		f[n + i] = (uint8_t)"GET "[i % 4];
	return n + (size_t)s->pad;
}

/* A ClientHello's start; what follows in its second segment; a server's
 * application data; an HTTP request; a DNS query. */
static const char ch[] = "\26\3\1\2\0\1\0\1\374\3\3";
static char seg2[1400], bulk[1400];
static const char get[] = "GET / HTTP/1.1\r\nHost: example.com\r\n\r\n";
/* A QUIC version 1 Initial's first bytes. */
static const char quic_init[] = "\xc3\0\0\0\1";
static const char dnsq[] = "\22\64\1\0\0\1\0\0\0\0\0\0\7example\3com\0\0\1\0\1";

static const struct seg segs[] = {
	{ "v4 DNS query", 0, 17, 40000, 53, dnsq, 29, 0, 0, 'A' },
	{ "v4 DNS answer", 0, 17, 53, 40000, dnsq, 29, 0, 0, 'A' },
	{ "v4 mDNS", 0, 17, 5353, 5353, dnsq, 29, 0, 0, 'A' },
	{ "v4 LLMNR", 0, 17, 40000, 5355, dnsq, 29, 0, 0, 'A' },
	{ "v4 DNS over TCP", 0, 6, 40000, 53, dnsq, 29, 0, 0, 'A' },
	{ "v4 ClientHello to 443", 0, 6, 40000, 443, ch, 11, 0, 0, 'A' },
	{ "v4 ClientHello, second segment to 443", 0, 6, 40000, 443, seg2,
	    1400, 0, 0, 'A' },
	{ "v4 second segment to 8443", 0, 6, 40000, 8443, seg2, 100, 0, 0,
	    'A' },
	{ "v4 second segment to 993", 0, 6, 40000, 993, seg2, 100, 0, 0,
	    'A' },
	{ "v4 one payload byte to 853", 0, 6, 40000, 853, seg2, 1, 0, 0,
	    'A' },
	{ "v4 pure ACK to 443", 0, 6, 40000, 443, NULL, 0, 0, 0, 'S' },
	{ "v4 pure ACK to 443, 'GET ' in the padding", 0, 6, 40000, 443,
	    NULL, 0, 0, 6, 'S' },
	{ "v4 bulk data from 443", 0, 6, 443, 40000, bulk, 1400, 0, 0, 'S' },
	{ "v4 HTTP GET to 8080", 0, 6, 40000, 8080, get, 0, 0, 0, 'A' },
	{ "v4 HTTP POST to 80 after 12 option bytes", 0, 6, 40000, 80,
	    "POST /x HTTP/1.1\r\n", 0, 12, 0, 'A' },
	{ "v4 PATCH to 3000", 0, 6, 40000, 3000, "PATCH / HTTP/1.1\r\n", 0, 0,
	    0, 'A' },
	{ "v4 ClientHello to 8888", 0, 6, 40000, 8888, ch, 11, 0, 0, 'A' },
	{ "v4 'GE' only to 80 (load would run off the end)", 0, 6, 40000, 80,
	    "GE", 0, 0, 0, 'S' },
	{ "v4 GET to 80 cut after 2 payload bytes", 0, 6, 40000, 80, get, 0,
	    0, -(long)sizeof(get) + 3, 'S' },
	{ "v4 ClientHello cut 10 bytes into the TCP header", 0, 6, 40000,
	    443, ch, 11, 0, -21, 'S' },
	{ "v4 DNS query cut 2 bytes into the UDP header", 0, 17, 40000, 53,
	    dnsq, 29, 0, -35, 'S' },
	{ "v4 data to 80 that is no request", 0, 6, 40000, 80, bulk, 100, 0,
	    0, 'S' },
	{ "v4 mDNS port over TCP", 0, 6, 40000, 5353, bulk, 100, 0, 0, 'S' },
	{ "v4 random UDP", 0, 17, 40000, 4321, bulk, 100, 0, 0, 'S' },
	{ "v4 QUIC Initial (with QUIC)", 0, 17, 40000, 443, quic_init, 5, 0,
	    0, QUIC_BUILT ? 'A' : 'S' },
	{ "v4 QUIC v2 Initial, any port (with QUIC)", 0, 17, 40000, 8443,
	    "\xd3\x6b\x33\x43\xcf", 5, 0, 0, QUIC_BUILT ? 'A' : 'S' },
	{ "v4 QUIC short header", 0, 17, 40000, 443, "\x43\1\2\3", 4, 0, 0,
	    'S' },
	{ "v4 QUIC Handshake packet", 0, 17, 40000, 443, "\xe3\0\0\0\1", 5,
	    0, 0, 'S' },
	{ "v4 UDP to 443, no payload", 0, 17, 40000, 443, NULL, 0, 0, 0, 'S' },
	{ "ARP", 0, 0, 0, 0, NULL, 0, 0, 0, 'S' },
	{ "v6 DNS query", 1, 17, 40000, 53, dnsq, 29, 0, 0, 'A' },
	{ "v6 mDNS", 1, 17, 5353, 5353, dnsq, 29, 0, 0, 'A' },
	{ "v6 DNS over TCP", 1, 6, 53, 40000, dnsq, 29, 0, 0, 'A' },
	{ "v6 ClientHello to 443", 1, 6, 40000, 443, ch, 11, 0, 0, 'A' },
	{ "v6 ClientHello, second segment to 443", 1, 6, 40000, 443, seg2,
	    1400, 0, 0, 'A' },
	{ "v6 second segment to 465", 1, 6, 40000, 465, seg2, 100, 0, 0,
	    'A' },
	{ "v6 pure ACK to 443", 1, 6, 40000, 443, NULL, 0, 0, 0, 'S' },
	{ "v6 pure ACK to 443 with 12 option bytes", 1, 6, 40000, 443, NULL,
	    0, 12, 0, 'S' },
	{ "v6 bulk data from 443", 1, 6, 443, 40000, bulk, 1400, 0, 0, 'S' },
	{ "v6 HTTP GET to 8080", 1, 6, 40000, 8080, get, 0, 0, 0, 'A' },
	{ "v6 OPTIONS to 80 after 8 option bytes", 1, 6, 40000, 80,
	    "OPTIONS * HTTP/1.1\r\n", 0, 8, 0, 'A' },
	{ "v6 'GET' only to 80", 1, 6, 40000, 80, "GET", 0, 0, 0, 'S' },
	{ "v6 GET to 80 cut after 2 payload bytes", 1, 6, 40000, 80, get, 0,
	    0, -(long)sizeof(get) + 3, 'S' },
	{ "v6 ClientHello cut 10 bytes into the TCP header", 1, 6, 40000,
	    443, ch, 11, 0, -21, 'S' },
	{ "v6 DNS query cut 2 bytes into the UDP header", 1, 17, 40000, 53,
	    dnsq, 29, 0, -35, 'S' },
	{ "v6 random UDP", 1, 17, 40000, 4321, bulk, 100, 0, 0, 'S' },
	{ "v6 QUIC Initial (with QUIC)", 1, 17, 40000, 443, quic_init, 5, 0,
	    0, QUIC_BUILT ? 'A' : 'S' },
	{ "v6 QUIC short header", 1, 17, 443, 40000, "\x5f\1\2\3", 4, 0, 0,
	    'S' },
	{ "v6 UDP to 443, no payload", 1, 17, 40000, 443, NULL, 0, 0, 0, 'S' },
};
#define NSEGS	(sizeof(segs) / sizeof(segs[0]))

static struct kfilter_cfg
cfg_app(void)
{
	struct kfilter_cfg c = cfg_base();

	c.app_snaplen = APP;
	return c;
}

/* The snap length want[] holds for frame s under filter rule r. */
static long
expect(const struct seg *s, const char *r)
{
	if (r != NULL && strcmp(r, "tcp") == 0 && s->proto != 6)
		return 0;
	if (r != NULL && strcmp(r, "port 443") == 0 && ((s->proto != 6 &&
	    s->proto != 17) || (s->sport != 443 && s->dport != 443)))
		return 0;
	return s->want == 'A' ? APP : SNAP;
}

/*
 * Every frame of segs[] through the program built from c: in bpf_filter()
 * (off: 0 Ethernet, 14 a frame starting at the IP header) unless the
 * program has ancillary loads, and in run(), which must agree.
 */
static void
check_segs(const char *label, const struct kfilter_cfg *c, size_t off,
    int anc)
{
	struct kfilter kf;
	struct anc a = { 0, 0, 1 };
	uint8_t f[FRAME_MAX];
	char err[256];
	size_t i;

	if (kfilter_build(&kf, c, err, sizeof(err)) == -1) {
		ok(0, "%s: built: %s", label, err);
		return;
	}
	ok(1, "%s: built, %zu instructions", label, kf.len);
	ok(bpf_validate(kf.insn, (int)kf.len), "%s: libpcap validates it",
	    label);
	for (i = 0; i < NSEGS; i++) {
		size_t n = mkframe(f, &segs[i]);
		long want = expect(&segs[i], c->expr), got, r2;

		a.protocol = (uint32_t)(f[12] << 8 | f[13]);
		got = run(kf.insn, kf.len, f + off, (uint32_t)(n - off), &a);
		r2 = anc ? got : (long)bpf_filter(kf.insn, f + off,
		    (u_int)(n - off), (u_int)(n - off));
		if (!ok(got == want && r2 == got, "%s: %s: %ld", label,
		    segs[i].what, want))
			diag("  run %ld, bpf_filter %ld", got, r2);
	}
	kfilter_free(&kf);
}

/*
 * The layout with -f: prologue, the expression with each accept turned
 * into a jump to the end of it, then the classifier as libpcap compiles
 * kfilter_app_expr() with its verdicts turned into snap lengths.
 */
static void
test_app_layout(void)
{
	struct kfilter_cfg c = cfg_app();
	struct bpf_program bp, app;
	struct kfilter kf;
	pcap_t *pc;
	char err[256], expr[4096];
	size_t npro, nb, i, jumps = 0, bad = 0;

	c.expr = "tcp";
	c.sample_n = 4;
	c.drop_pkttype = OUTGOING;
	is_int(kfilter_build(&kf, &c, err, sizeof(err)), 0, "layout: built");
	npro = kfilter_prologue((struct bpf_insn[KFILTER_PROLOGUE_MAX]){ 0 },
	    &c);
	is_int(kfilter_app_expr(expr, sizeof(expr), &c), 0,
	    "layout: classifier expression");
	pc = pcap_open_dead(c.dlt, APP);
	if (pc == NULL || pcap_compile(pc, &bp, "tcp", 1,
	    PCAP_NETMASK_UNKNOWN) == -1 || pcap_compile(pc, &app, expr, 1,
	    PCAP_NETMASK_UNKNOWN) == -1) {
		ok(0, "layout: libpcap compiles both");
		return;
	}
	pcap_close(pc);
	nb = bp.bf_len;
	is_int(kf.len, npro + nb + app.bf_len, "layout: %zu = %zu + %u + %u",
	    kf.len, npro, bp.bf_len, app.bf_len);
	for (i = 0; i < npro; i++)
		bad += BPF_CLASS(kf.insn[i].code) == BPF_RET &&
		    kf.insn[i].k != 0;
	ok(bad == 0 && kf.insn[0].k == AD_PKTTYPE && kf.insn[3].k ==
	    AD_RANDOM, "layout: the prologue comes first");
	for (i = 0; i < nb; i++) {
		const struct bpf_insn *o = &bp.bf_insns[i];
		const struct bpf_insn *k = &kf.insn[npro + i];

		if (o->code == (BPF_RET | BPF_K) && o->k != 0) {
			jumps++;
			bad += !insn_is(k, BPF_JMP | BPF_JA, 0, 0,
			    (uint32_t)(nb - i - 1));
		} else if (o->code == (BPF_RET | BPF_K))
			bad += !insn_is(k, BPF_RET | BPF_K, 0, 0, 0);
		else
			bad += !same_insn(k, o);
	}
	ok(jumps > 0 && bad == 0, "layout: %zu accepts jump to the "
	    "classifier, rejects and the rest unchanged", jumps);
	for (i = 0; i < app.bf_len; i++) {
		struct bpf_insn o = app.bf_insns[i];

		if (o.code == (BPF_RET | BPF_K))
			o.k = o.k != 0 ? APP : SNAP;
		bad += !same_insn(&kf.insn[npro + nb + i], &o);
	}
	ok(bad == 0, "layout: the classifier, returns as snap lengths");
	pcap_freecode(&bp);
	pcap_freecode(&app);
	kfilter_free(&kf);
}

static void
test_app(void)
{
	struct kfilter_cfg c = cfg_app();
	struct kfilter kf;
	struct anc a = { 0, 0x0800, 0x9e3779b97f4a7c15ULL };
	uint8_t f[FRAME_MAX];
	char err[256], *big;
	size_t n, i, len;
	long kept = 0, other = 0;

	memset(seg2, 0x5a, sizeof(seg2));
	memset(bulk, 0x17, sizeof(bulk));
	check_segs("app, no -f", &c, 0, 0);
	c.expr = "tcp";
	check_segs("app, -f tcp", &c, 0, 0);
	c.expr = "port 443";
	check_segs("app, -f port 443", &c, 0, 0);

	/* Raw IP: frames start at the IP header, nothing is cooked. */
	c = cfg_app();
	c.dlt = DLT_RAW;
	check_segs("app, raw IP", &c, 14, 0);

	/* Cooked: compiled for the 16-byte header the frame has not got. */
	c = cfg_app();
	c.dlt = DLT_SLL_;
	c.cooked = 1;
	c.drop_pkttype = OUTGOING;
	check_segs("app, cooked", &c, 14, 1);
	c.expr = "tcp";
	check_segs("app, cooked, -f tcp", &c, 14, 1);
	c.expr = NULL;
	kfilter_build(&kf, &c, err, sizeof(err));
	n = mkframe(f, &segs[0]);
	a.pkttype = OUTGOING;
	is_int(run(kf.insn, kf.len, f + 14, (uint32_t)(n - 14), &a), 0,
	    "app, cooked: an outgoing DNS query is still dropped");
	a.pkttype = 0;
	kfilter_free(&kf);

	/* Sampling still samples, and what it keeps is classified. */
	c = cfg_app();
	c.sample_n = 10;
	kfilter_build(&kf, &c, err, sizeof(err));
	n = mkframe(f, &segs[0]);
	for (i = 0; i < 100000; i++) {
		long r = run(kf.insn, kf.len, f, (uint32_t)n, &a);

		kept += r == APP;
		other += r != APP && r != 0;
	}
	ok(kept > 9500 && kept < 10500 && other == 0,
	    "app, sampled 1 in 10: DNS kept %ld of 100000 at app snap", kept);
	kfilter_free(&kf);

	/* An app snap below snaplen never shortens a frame. */
	c = cfg_app();
	c.app_snaplen = 128;
	kfilter_build(&kf, &c, err, sizeof(err));
	n = mkframe(f, &segs[0]);
	is_int(bpf_filter(kf.insn, f, (u_int)n, (u_int)n), SNAP,
	    "app snap below snaplen: snaplen");
	kfilter_free(&kf);

	c = cfg_app();
	c.dlt = 9;	/* PPP */
	is_int(kfilter_build(&kf, &c, err, sizeof(err)), -1,
	    "app: link type without a known header length refused");
	ok(strstr(err, "link type 9") != NULL, "with a message: %s", err);

	/* 2150 hosts fit the kernel's limit; with the classifier they do
	 * not. */
	len = 2150 * 32;
	if ((big = malloc(len)) == NULL)
		return;
	for (n = 0, i = 0; i < 2150; i++)
		n += (size_t)snprintf(big + n, len - n, "%sip dst host "
		    "10.%zu.%zu.1", i != 0 ? " or " : "", i / 250, i % 250);
	c = cfg_app();
	c.expr = big;
	c.app_snaplen = 0;
	is_int(kfilter_build(&kf, &c, err, sizeof(err)), 0, "long -f: built");
	ok(kf.len > KFILTER_MAXINSNS - 199 && kf.len <= KFILTER_MAXINSNS,
	    "long -f: %zu instructions, close to the limit", kf.len);
	kfilter_free(&kf);
	c.app_snaplen = APP;
	is_int(kfilter_build(&kf, &c, err, sizeof(err)), -1,
	    "long -f with app snap: over the limit, refused");
	ok(strstr(err, "4096") != NULL, "with a message: %s", err);
	free(big);
}

int
main(void)
{
	test_app_layout();
	test_app();
	return done();
}
