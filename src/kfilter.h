/*
 * Classic BPF programs for a kernel socket filter: the -f expression
 * compiled by libpcap, behind a prologue that drops one packet type and
 * keeps 1 packet in N at random, so that what is not wanted is never
 * copied to user space.  Pure code: the kernel's ancillary load offsets
 * (Linux SKF_AD_*) are passed in by the platform file that attaches the
 * program, and nothing here talks to a kernel.
 */
#ifndef PF_KFILTER_H
#define PF_KFILTER_H

#include <sys/types.h>	/* u_int, u_short for <pcap/bpf.h>: musl's other
			   headers do not bring them in as glibc's do */
#include <stddef.h>
#include <stdint.h>

#include <pcap/bpf.h>

/* Instructions kfilter_prologue() may write. */
#define KFILTER_PROLOGUE_MAX	6
/* Bytes of the Linux cooked header (DLT_LINUX_SLL) a cooked program skips. */
#define KFILTER_SLL_LEN		16
/* Longest program Linux attaches (its BPF_MAXINSNS; libpcap's headers do
 * not all define it, and some define 512). */
#define KFILTER_MAXINSNS	4096
/* Snap length of packets that may carry a name (--app-info): a DNS
 * answer, a TLS ClientHello with its SNI, an HTTP request's Host line;
 * a receive-offloaded (GRO) frame may hold a whole 2 KB hello and more,
 * and app.c reassembles up to 4 KB. */
#define KFILTER_APP_SNAPLEN	4352

struct kfilter_cfg {
	const char	*expr;		/* -f expression, or NULL: accept all */
	int		 dlt;		/* link type expr is compiled for */
	unsigned	 snaplen;	/* bytes an accepted packet keeps */
	unsigned	 app_snaplen;	/* bytes an accepted packet that may
					 * carry a name (DNS, TLS SNI, HTTP
					 * Host) keeps; 0: no such class */
	uint32_t	 sample_n;	/* keep 1 in N at random; 0, 1: all */
	int		 drop_pkttype;	/* packet type to drop, -1: none */
	int		 cooked;	/* frames reach the filter without the
					 * 16-byte cooked header dlt implies */
	uint32_t	 ad_random;	/* k of the ancillary loads: random, */
	uint32_t	 ad_pkttype;	/* packet type, */
	uint32_t	 ad_protocol;	/* link protocol (ethertype) */
};

struct kfilter {
	struct bpf_insn	*insn;		/* malloc'ed; kfilter_free() */
	size_t		 len;
};

/*
 * Compile cfg->expr (or a bare accept) and put the prologue in front.
 * With app_snaplen, each accept of the expression jumps instead to a
 * classifier appended at the end, which returns the larger of snaplen and
 * app_snaplen for packets that may carry a name and snaplen for the rest
 * (see kfilter_app_expr()).  -1 with a message in err: the expression
 * does not compile, or reads cooked-header bytes the kernel cannot
 * supply, or the program is too long, or no memory.
 */
int	kfilter_build(struct kfilter *, const struct kfilter_cfg *, char *err,
	    size_t errlen);
void	kfilter_free(struct kfilter *);

/*
 * The pieces, for tests.  kfilter_threshold(n): a uniform 32-bit random
 * value is kept when below it, with probability 1/n to within 2^-32 (the
 * same rule as sample.c: ceil(2^32 / n)); 0 for n <= 1 (keep all).
 * kfilter_prologue(): writes at most KFILTER_PROLOGUE_MAX instructions,
 * each part ending in its own "ret #0", so jumps stay inside the prologue
 * and whatever follows needs no relocation; returns how many.
 * kfilter_fix_cooked(): rewrites a program compiled for DLT_LINUX_SLL to
 * run on frames that start at the network header, as libpcap's
 * fix_offset() does: packet type and protocol loads become ancillary
 * loads, other offsets move back 16 bytes; -1 if it reads another byte of
 * the cooked header.  kfilter_app_expr(): the app snap classifier as a
 * libpcap expression for cfg's link type (and cooked), into buf; -1 if
 * the link-layer header length of that type is not known, or buf is too
 * small.
 */
uint32_t kfilter_threshold(uint32_t n);
size_t	kfilter_prologue(struct bpf_insn *out, const struct kfilter_cfg *);
int	kfilter_fix_cooked(struct bpf_insn *, size_t n,
	    const struct kfilter_cfg *);
int	kfilter_app_expr(char *buf, size_t len, const struct kfilter_cfg *);
/* Room kfilter_app_expr() needs (src/kfilter_app.c). */
#define KFILTER_APP_EXPR_MAX	4096

/*
 * Between kfilter.c and kfilter_app.c (linked with APP_INFO=yes only;
 * app_none.c has the refusal).  kfilter_compile(): expr as libpcap
 * compiles it for cfg's link type at that snap length into bp; errors
 * name it "-f 'expr'", or what when not NULL.  kfilter_app_join(): kf
 * holds npro prologue instructions and the body (a bare accept without
 * -f); appends the classifier and turns the body's accepts into jumps
 * to it.  On -1, with a message in err, kf is freed.
 */
int	kfilter_compile(struct bpf_program *bp, const struct kfilter_cfg *,
	    const char *expr, unsigned snaplen, const char *what, char *err,
	    size_t errlen);
int	kfilter_app_join(struct kfilter *, const struct kfilter_cfg *,
	    size_t npro, char *err, size_t errlen);
/* The message of a program over KFILTER_MAXINSNS: its length, a note. */
#define KFILTER_TOO_LONG "a filter of %zu instructions%s is over the %d " \
	"the kernel takes: shorten -f"

#endif
