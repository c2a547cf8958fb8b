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
 * must still be counted.  len is the kernel's skb length, which for a cooked socket
 * starts at the network header, so the link header length L (%1$u) is 0
 * there.  The payload tests also check the IP length, so that Ethernet
 * padding after a bare ACK is not taken for payload.  IPv6 is read with
 * ip6[] at fixed offsets because libpcap cannot index tcp[] over it: only
 * a TCP header right after the fixed header is looked into.
 */
#define IHL4		"((ip[0]&0xf)<<2)"
#define THL4		"((tcp[12]&0xf0)>>2)"
#define PAY4		"tcp[((tcp[12]&0xf0)>>2):4]"
#define THL6		"((ip6[52]&0xf0)>>2)"
#define PAY6		"ip6[40+((ip6[52]&0xf0)>>2):4]"
/* DNS, mDNS, LLMNR over UDP, by either port. */
#define UDP_NAME(S, D)	"(" S " = 53 or " D " = 53 or " S " = 5353 or " \
			D " = 5353 or " S " = 5355 or " D " = 5355)"
/* A TLS handshake record, or an HTTP request line (appname.c's methods:
 * GET POST HEAD PUT DELETE OPTIONS CONNECT PATCH TRACE, UPnP's NOTIFY
 * SUBSCRIBE UNSUBSCRIBE), by their first 4 bytes. */
#define STARTS(W)	"(" W " & 0xffff0000 = 0x16030000 or "		\
			W " = 0x47455420 or " W " = 0x504f5354 or "	\
			W " = 0x48454144 or " W " = 0x50555420 or "	\
			W " = 0x44454c45 or " W " = 0x4f505449 or "	\
			W " = 0x434f4e4e or " W " = 0x50415443 or "	\
			W " = 0x54524143 or " W " = 0x4e4f5449 or "	\
			W " = 0x53554253 or " W " = 0x554e5355)"
/* Servers of TLS: a ClientHello longer than one segment goes on here
 * in segments that do not start with a record header. */
#define TO_TLS(D)	"(" D " = 443 or " D " = 853 or " D " = 993 or " \
			D " = 995 or " D " = 465 or " D " = 8443)"

static const char app_fmt[] =
    "(ip and len >= %1$u+20 and ("
      "(udp and len >= %1$u+" IHL4 "+8 and "
	UDP_NAME("udp[0:2]", "udp[2:2]") ")"
      " or (tcp and len >= %1$u+" IHL4 "+20 and ("
	"tcp[0:2] = 53 or tcp[2:2] = 53"
	" or (" TO_TLS("tcp[2:2]") " and ip[2:2] > " IHL4 "+" THL4 ")"
	" or (len >= %1$u+" IHL4 "+" THL4 "+4 and"
	" ip[2:2] >= " IHL4 "+" THL4 "+4 and " STARTS(PAY4) ")))))"
    " or (ip6 and len >= %1$u+40 and ("
      "(ip6[6] = 17 and len >= %1$u+48 and "
	UDP_NAME("ip6[40:2]", "ip6[42:2]") ")"
      " or (ip6[6] = 6 and len >= %1$u+60 and ("
	"ip6[40:2] = 53 or ip6[42:2] = 53"
	" or (" TO_TLS("ip6[42:2]") " and ip6[4:2] > " THL6 ")"
	" or (len >= %1$u+40+" THL6 "+4 and"
	" ip6[4:2] >= " THL6 "+4 and " STARTS(PAY6) ")))))";

typedef char app_fmt_fits[sizeof(app_fmt) + 64 <= KFILTER_APP_EXPR_MAX ?
    1 : -1];

int
kfilter_app_expr(char *buf, size_t len, const struct kfilter_cfg *cfg)
{
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
	n = snprintf(buf, len, app_fmt, l);
	return n < 0 || (size_t)n >= len ? -1 : 0;
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
