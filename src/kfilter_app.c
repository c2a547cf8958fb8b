/*
 * --app-info's part of the socket filter (kfilter.h): the classifier
 * that picks the packets that may carry a name, as a libpcap expression,
 * and its place after the -f program.  Built with APP_INFO=yes;
 * app_none.c has the refusal.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>

#include "kfilter.h"
#include "quic.h"

/*
 * The classifier of kfilter_app_expr().  Every load of packet bytes past
 * a fixed header sits behind a "len >=" test, because a classic BPF load
 * out of the packet ends the program with 0 and the packet would be lost
 * for good, not only kept short: a frame shorter than its headers say
 * must still be counted.  len is the kernel's skb length, which for a
 * cooked socket starts at the network header, so the link header length
 * L is 0 there.  The payload tests also check the IP length, so that
 * Ethernet padding after a bare ACK is not taken for payload.  IPv6 is
 * read with ip6[] at fixed offsets because libpcap cannot index tcp[]
 * over it: only a TCP header right after the fixed header is looked into.
 *
 * The expression is two halves of the same shape, IPv4's and IPv6's,
 * near 1 KB each: spelt out, they took as much of the binary.  So the
 * shape is written once, fam_fmt, with a control byte (W_*) where a
 * family's word goes, and expand() fills in one family's words
 * (families[]); snprintf's numbered arguments would take a call with
 * 16 arguments and 4 bytes a place.
 */
enum {
	W_SEP = 1,	/* " or " before the second half */
	W_L,		/* bytes of the link-layer header */
	W_IP,		/* the family, "ip" or "ip6" */
	W_IPMIN,	/* bytes of its smallest header */
	W_UDP,		/* the test for UDP */
	W_UDPMIN,	/* bytes of the IP and UDP headers */
	W_USRC,		/* the UDP ports */
	W_UDST,
	W_TCP,		/* the test for TCP */
	W_TCPMIN,	/* bytes of the IP and a bare TCP header */
	W_TSRC,		/* the TCP ports */
	W_TDST,
	W_IPLEN,	/* the IP length field */
	W_HDRS,		/* what the headers take of IPLEN */
	W_PAYOFF,	/* bytes from the IP header to payload */
	W_WORD,		/* the first 4 bytes of TCP payload */
	W_QUIC,		/* quic_fmt with QUIC, else nothing */
	W_QMIN,		/* bytes of the IP and UDP headers and one more */
	W_QBYTE,	/* the first byte of UDP payload */
	W_MAX		/* below ' ': no character of an expression */
};
#define SEP	"\001"
#define L	"\002"
#define IP	"\003"
#define IPMIN	"\004"
#define UDP	"\005"
#define UDPMIN	"\006"
#define USRC	"\007"
#define UDST	"\010"
#define TCP	"\011"
#define TCPMIN	"\012"
#define TSRC	"\013"
#define TDST	"\014"
#define IPLEN	"\015"
#define HDRS	"\016"
#define PAYOFF	"\017"
#define WORD	"\020"
#define QUIC	"\021"
#define QMIN	"\022"
#define QBYTE	"\023"
typedef char w_fits[W_MAX - 1 == 023 && W_MAX <= ' ' ? 1 : -1];

static const char fam_fmt[] =
    SEP "(" IP " and len >= " L "+" IPMIN " and ("
      /* DNS, mDNS, LLMNR over UDP, by either port */
      "(" UDP " and len >= " L "+" UDPMIN " and (" USRC " = 53 or "
	UDST " = 53 or " USRC " = 5353 or " UDST " = 5353 or " USRC
	" = 5355 or " UDST " = 5355))" QUIC
      " or (" TCP " and len >= " L "+" TCPMIN " and ("
	/* DNS over TCP */
	TSRC " = 53 or " TDST " = 53"
	/* Servers of TLS: a ClientHello longer than one segment goes on
	 * here in segments that do not start with a record header. */
	" or ((" TDST " = 443 or " TDST " = 853 or " TDST " = 993 or "
	TDST " = 995 or " TDST " = 465 or " TDST " = 8443) and "
	IPLEN " > " HDRS ")"
	/* A TLS handshake record, or an HTTP request line (appname.c's
	 * methods: GET POST HEAD PUT DELETE OPTIONS CONNECT PATCH TRACE,
	 * UPnP's NOTIFY SUBSCRIBE UNSUBSCRIBE), by their first 4 bytes. */
	" or (len >= " L "+" PAYOFF "+4 and " IPLEN " >= " HDRS "+4 and ("
	WORD " & 0xffff0000 = 0x16030000 or "
	WORD " = 0x47455420 or " WORD " = 0x504f5354 or "
	WORD " = 0x48454144 or " WORD " = 0x50555420 or "
	WORD " = 0x44454c45 or " WORD " = 0x4f505449 or "
	WORD " = 0x434f4e4e or " WORD " = 0x50415443 or "
	WORD " = 0x54524143 or " WORD " = 0x4e4f5449 or "
	WORD " = 0x53554253 or " WORD " = 0x554e5355))))))";

/*
 * With QUIC (quic.h), UDP packets whose first payload byte could start an
 * Initial (quic_maybe_initial()) are kept whole too, on any port.
 */
static const char quic_fmt[] =
    " or (" UDP " and len >= " L "+" QMIN " and " QBYTE " & 0xe0 = 0xc0)";

#define IHL4		"((ip[0]&0xf)<<2)"
#define THL4		"((tcp[12]&0xf0)>>2)"
#define THL6		"((ip6[52]&0xf0)>>2)"

/* fam_fmt's words for each family (W_L: the caller's) */
static const char *const families[2][W_MAX] = {
	{ [W_SEP] = "", [W_IP] = "ip", [W_IPMIN] = "20", [W_UDP] = "udp",
	  [W_UDPMIN] = IHL4 "+8", [W_USRC] = "udp[0:2]",
	  [W_UDST] = "udp[2:2]", [W_TCP] = "tcp", [W_TCPMIN] = IHL4 "+20",
	  [W_TSRC] = "tcp[0:2]", [W_TDST] = "tcp[2:2]",
	  [W_IPLEN] = "ip[2:2]", [W_HDRS] = IHL4 "+" THL4,
	  [W_PAYOFF] = IHL4 "+" THL4, [W_WORD] = "tcp[" THL4 ":4]",
	  [W_QMIN] = IHL4 "+9", [W_QBYTE] = "udp[8]" },
	/* the payload length field: the fixed header is not in it */
	{ [W_SEP] = " or ", [W_IP] = "ip6", [W_IPMIN] = "40",
	  [W_UDP] = "ip6[6] = 17", [W_UDPMIN] = "48",
	  [W_USRC] = "ip6[40:2]", [W_UDST] = "ip6[42:2]",
	  [W_TCP] = "ip6[6] = 6", [W_TCPMIN] = "60",
	  [W_TSRC] = "ip6[40:2]", [W_TDST] = "ip6[42:2]",
	  [W_IPLEN] = "ip6[4:2]", [W_HDRS] = THL6, [W_PAYOFF] = "40+" THL6,
	  [W_WORD] = "ip6[40+" THL6 ":4]", [W_QMIN] = "49",
	  [W_QBYTE] = "ip6[48]" },
};

/*
 * fmt (fam_fmt, or quic_fmt inside it) with words w (link for W_L) into
 * buf from off, a NUL after: the new end, or 0 if it does not fit.  A
 * character of fmt is a word of one.
 */
static size_t
expand(char *buf, size_t len, size_t off, const char *fmt,
    const char *const *w, const char *link)
{
	const char *t, *s;

	for (t = fmt; *t != '\0'; t++) {
		unsigned char c = (unsigned char)*t;

		if (c == W_QUIC) {
			if (QUIC_BUILT && (off = expand(buf, len, off,
			    quic_fmt, w, link)) == 0)
				return 0;
			continue;
		}
		for (s = c >= W_MAX ? t : c == W_L ? link : w[c]; *s != '\0';
		    s++) {
			if (off + 1 >= len)
				return 0;
			buf[off++] = *s;
			if (s == t)
				break;
		}
	}
	buf[off] = '\0';
	return off;
}

typedef char sll_is_16[KFILTER_SLL_LEN == 16 ? 1 : -1];

int
kfilter_app_expr(char *buf, size_t len, const struct kfilter_cfg *cfg)
{
	const char *link;
	size_t off;

	if (cfg->cooked)
		link = "0";
	else if (cfg->dlt == DLT_EN10MB)
		link = "14";
	else if (cfg->dlt == DLT_LINUX_SLL)
		link = "16";		/* KFILTER_SLL_LEN */
	else if (cfg->dlt == DLT_RAW || cfg->dlt == DLT_IPV4 ||
	    cfg->dlt == DLT_IPV6)
		link = "0";
	else
		return -1;
	if ((off = expand(buf, len, 0, fam_fmt, families[0], link)) == 0 ||
	    expand(buf, len, off, fam_fmt, families[1], link) == 0)
		return -1;
	return 0;
}

/*
 * The classifier, its verdicts turned into snap lengths: libpcap's
 * accept into the app snap length, its reject into snaplen, since every
 * packet that reaches it has been accepted already.
 */
static int
compile_app(struct bpf_program *bp, const struct kfilter_cfg *cfg,
    char *err, size_t errlen)
{
	static const char what[] = "application names: the classifier";
	char expr[KFILTER_APP_EXPR_MAX];
	unsigned snap = cfg->app_snaplen > cfg->snaplen ? cfg->app_snaplen :
	    cfg->snaplen;
	u_int i;

	if (kfilter_app_expr(expr, sizeof(expr), cfg) == -1) {
		snprintf(err, errlen, "application names: link type %d is "
		    "not supported", cfg->dlt);
		return -1;
	}
	if (kfilter_compile(bp, cfg, expr, snap, what, err, errlen) == -1)
		return -1;
	if (cfg->cooked &&
	    kfilter_fix_cooked(bp->bf_insns, bp->bf_len, cfg) == -1) {
		snprintf(err, errlen, "%s reads link-layer fields cooked "
		    "capture does not have", what);
		return -1;
	}
	for (i = 0; i < bp->bf_len; i++)
		if (bp->bf_insns[i].code == (BPF_RET | BPF_K))
			bp->bf_insns[i].k = bp->bf_insns[i].k != 0 ? snap :
			    cfg->snaplen;
	return 0;
}

int
kfilter_app_join(struct kfilter *kf, const struct kfilter_cfg *cfg,
    size_t npro, char *err, size_t errlen)
{
	/* A bare accept would only jump to the next instruction. */
	size_t nbody = cfg->expr != NULL ? kf->len - npro : 0, n, i;
	struct bpf_program app;
	struct bpf_insn *p;
	int rc = -1;

	memset(&app, 0, sizeof(app));
	if (compile_app(&app, cfg, err, errlen) == -1)
		goto out;
	n = npro + nbody + app.bf_len;
	if (n > KFILTER_MAXINSNS) {
		snprintf(err, errlen, KFILTER_TOO_LONG, n, " (with the "
		    "application name classifier)", KFILTER_MAXINSNS);
		goto out;
	}
	if ((p = realloc(kf->insn, n * sizeof(*p))) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	kf->insn = p;
	memcpy(p + npro + nbody, app.bf_insns, app.bf_len * sizeof(*p));
	kf->len = n;
	/* Jumps are relative, so only the accepts that become jumps to the
	 * classifier (right after the body) need an offset; the prologue
	 * and the classifier keep theirs. */
	for (i = npro; i < npro + nbody; i++)
		if (p[i].code == (BPF_RET | BPF_K) && p[i].k != 0) {
			p[i].code = BPF_JMP | BPF_JA;
			p[i].jt = p[i].jf = 0;
			p[i].k = (uint32_t)(npro + nbody - i - 1);
		}
	rc = 0;
out:
	pcap_freecode(&app);
	if (rc == -1)
		kfilter_free(kf);
	return rc;
}
