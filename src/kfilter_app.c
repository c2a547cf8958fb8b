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
 * shape is written once, fam_fmt, and a family's words (struct family)
 * are filled in by snprintf's numbered arguments.
 */
#define SEP	"%1$s"		/* " or " before the second half */
#define L	"%2$u"		/* bytes of the link-layer header */
#define IP	"%3$s"		/* the family, "ip" or "ip6" */
#define IPMIN	"%4$s"		/* bytes of its smallest header */
#define UDP	"%5$s"		/* the test for UDP */
#define UDPMIN	"%6$s"		/* bytes of the IP and UDP headers */
#define USRC	"%7$s"		/* the UDP ports */
#define UDST	"%8$s"
#define TCP	"%9$s"		/* the test for TCP */
#define TCPMIN	"%10$s"		/* bytes of the IP and a bare TCP header */
#define TSRC	"%11$s"		/* the TCP ports */
#define TDST	"%12$s"
#define IPLEN	"%13$s"		/* the IP length field */
#define HDRS	"%14$s"		/* what the headers take of IPLEN */
#define PAYOFF	"%15$s"		/* bytes from the IP header to payload */
#define WORD	"%16$s"		/* the first 4 bytes of TCP payload */

static const char fam_fmt[] =
    SEP "(" IP " and len >= " L "+" IPMIN " and ("
      /* DNS, mDNS, LLMNR over UDP, by either port */
      "(" UDP " and len >= " L "+" UDPMIN " and (" USRC " = 53 or "
	UDST " = 53 or " USRC " = 5353 or " UDST " = 5353 or " USRC
	" = 5355 or " UDST " = 5355))"
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

#define IHL4		"((ip[0]&0xf)<<2)"
#define THL4		"((tcp[12]&0xf0)>>2)"
#define THL6		"((ip6[52]&0xf0)>>2)"

/* fam_fmt's words for each family, in its argument order from IP on */
static const struct family {
	const char	*ip, *ipmin, *udp, *udpmin, *usrc, *udst, *tcp;
	const char	*tcpmin, *tsrc, *tdst, *iplen, *hdrs, *payoff, *word;
} families[2] = {
	{ "ip", "20", "udp", IHL4 "+8", "udp[0:2]", "udp[2:2]", "tcp",
	  IHL4 "+20", "tcp[0:2]", "tcp[2:2]", "ip[2:2]", IHL4 "+" THL4,
	  IHL4 "+" THL4, "tcp[" THL4 ":4]" },
	/* the payload length field: the fixed header is not in it */
	{ "ip6", "40", "ip6[6] = 17", "48", "ip6[40:2]", "ip6[42:2]",
	  "ip6[6] = 6", "60", "ip6[40:2]", "ip6[42:2]", "ip6[4:2]", THL6,
	  "40+" THL6, "ip6[40+" THL6 ":4]" },
};

int
kfilter_app_expr(char *buf, size_t len, const struct kfilter_cfg *cfg)
{
	const struct family *f;
	size_t off = 0;
	unsigned l;
	int n;

	if (cfg->cooked)
		l = 0;
	else if (cfg->dlt == DLT_EN10MB)
		l = 14;
	else if (cfg->dlt == DLT_LINUX_SLL)
		l = KFILTER_SLL_LEN;
	else if (cfg->dlt == DLT_RAW || cfg->dlt == DLT_IPV4 ||
	    cfg->dlt == DLT_IPV6)
		l = 0;
	else
		return -1;
	for (f = families; f < families + 2; f++) {
		n = snprintf(buf + off, len - off, fam_fmt, f == families ?
		    "" : " or ", l, f->ip, f->ipmin, f->udp, f->udpmin,
		    f->usrc, f->udst, f->tcp, f->tcpmin, f->tsrc, f->tdst,
		    f->iplen, f->hdrs, f->payoff, f->word);
		if (n < 0 || (size_t)n >= len - off)
			return -1;
		off += (size_t)n;
	}
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
	char expr[KFILTER_APP_EXPR_MAX];
	unsigned snap = cfg->app_snaplen > cfg->snaplen ? cfg->app_snaplen :
	    cfg->snaplen;
	u_int i;

	if (kfilter_app_expr(expr, sizeof(expr), cfg) == -1) {
		snprintf(err, errlen, "application names: link type %d is "
		    "not supported", cfg->dlt);
		return -1;
	}
	if (kfilter_compile(bp, cfg, expr, snap, "application names: the "
	    "classifier", err, errlen) == -1)
		return -1;
	if (cfg->cooked &&
	    kfilter_fix_cooked(bp->bf_insns, bp->bf_len, cfg) == -1) {
		snprintf(err, errlen, "application names: the classifier "
		    "reads link-layer fields cooked capture does not have");
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
