/* Kernel socket filter programs: prologue, -f expression, cooked fix-up. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>

#include "kfilter.h"

#define SLL_PKTTYPE_OFF	0	/* 16-bit packet type in the cooked header */
#define SLL_PROTO_OFF	14	/* 16-bit ethertype in the cooked header */

static struct bpf_insn
insn(unsigned code, unsigned jt, unsigned jf, uint32_t k)
{
	struct bpf_insn i;

	i.code = (unsigned short)code;
	i.jt = (unsigned char)jt;
	i.jf = (unsigned char)jf;
	i.k = k;
	return i;
}

uint32_t
kfilter_threshold(uint32_t n)
{
	if (n <= 1)
		return 0;
	return (uint32_t)((((uint64_t)1 << 32) + n - 1) / n);
}

/*
 * Packet type first (cheapest, and a dropped duplicate must not use up a
 * random draw), then sampling; a packet that passes falls through to the
 * next instruction.
 */
size_t
kfilter_prologue(struct bpf_insn *out, const struct kfilter_cfg *cfg)
{
	size_t n = 0;

	if (cfg->drop_pkttype >= 0) {
		out[n++] = insn(BPF_LD | BPF_B | BPF_ABS, 0, 0, cfg->ad_pkttype);
		out[n++] = insn(BPF_JMP | BPF_JEQ | BPF_K, 0, 1,
		    (uint32_t)cfg->drop_pkttype);
		out[n++] = insn(BPF_RET | BPF_K, 0, 0, 0);
	}
	if (cfg->sample_n > 1) {
		out[n++] = insn(BPF_LD | BPF_W | BPF_ABS, 0, 0, cfg->ad_random);
		out[n++] = insn(BPF_JMP | BPF_JGE | BPF_K, 0, 1,
		    kfilter_threshold(cfg->sample_n));
		out[n++] = insn(BPF_RET | BPF_K, 0, 0, 0);
	}
	return n;
}

static int
fix_offset(struct bpf_insn *p, const struct kfilter_cfg *cfg)
{
	if (p->k >= KFILTER_SLL_LEN)
		p->k -= KFILTER_SLL_LEN;
	else if (p->k == SLL_PKTTYPE_OFF)
		p->k = cfg->ad_pkttype;
	else if (p->k == SLL_PROTO_OFF)
		p->k = cfg->ad_protocol;
	else
		return -1;
	return 0;
}

int
kfilter_fix_cooked(struct bpf_insn *prog, size_t n,
    const struct kfilter_cfg *cfg)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned cls = BPF_CLASS(prog[i].code);
		unsigned mode = BPF_MODE(prog[i].code);

		if ((cls == BPF_LD || cls == BPF_LDX) && (mode == BPF_ABS ||
		    mode == BPF_IND || mode == BPF_MSH) &&
		    fix_offset(&prog[i], cfg) == -1)
			return -1;
	}
	return 0;
}

/*
 * expr as libpcap compiles it for cfg's link type and the given snap;
 * errors name it as -f, or as what when not NULL.
 */
int
kfilter_compile(struct bpf_program *bp, const struct kfilter_cfg *cfg,
    const char *expr, unsigned snaplen, const char *what, char *err,
    size_t errlen)
{
	pcap_t *pc;
	int rc = 0;

	if ((pc = pcap_open_dead(cfg->dlt, (int)snaplen)) == NULL) {
		snprintf(err, errlen, "cannot initialise libpcap");
		return -1;
	}
	if (pcap_compile(pc, bp, expr, 1, PCAP_NETMASK_UNKNOWN) == -1) {
		if (what != NULL)
			snprintf(err, errlen, "%s: %s", what,
			    pcap_geterr(pc));
		else
			snprintf(err, errlen, "-f '%s': %s", expr,
			    pcap_geterr(pc));
		rc = -1;
	}
	pcap_close(pc);
	return rc;
}

int
kfilter_build(struct kfilter *kf, const struct kfilter_cfg *cfg, char *err,
    size_t errlen)
{
	struct bpf_insn pro[KFILTER_PROLOGUE_MAX], accept;
	struct bpf_program bp;
	const struct bpf_insn *body = &accept;
	size_t npro, nbody = 1, n;
	int rc = -1;

	memset(kf, 0, sizeof(*kf));
	memset(&bp, 0, sizeof(bp));
	accept = insn(BPF_RET | BPF_K, 0, 0, cfg->snaplen);
	if (cfg->expr != NULL) {
		if (kfilter_compile(&bp, cfg, cfg->expr, cfg->snaplen, NULL,
		    err, errlen) == -1)
			return -1;
		if (cfg->cooked &&
		    kfilter_fix_cooked(bp.bf_insns, bp.bf_len, cfg) == -1) {
			snprintf(err, errlen, "-f '%s': reads link-layer "
			    "fields that cooked capture (-i any, or this "
			    "link type) does not have", cfg->expr);
			goto out;
		}
		body = bp.bf_insns;
		nbody = bp.bf_len;
	}
	npro = kfilter_prologue(pro, cfg);
	n = npro + nbody;
	if (n > KFILTER_MAXINSNS) {
		/* The numbers first: a filter this long would push them out
		 * of err. */
		snprintf(err, errlen, KFILTER_TOO_LONG, n, "",
		    KFILTER_MAXINSNS);
		goto out;
	}
	if ((kf->insn = calloc(n, sizeof(*kf->insn))) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	memcpy(kf->insn, pro, npro * sizeof(*pro));
	memcpy(kf->insn + npro, body, nbody * sizeof(*body));
	kf->len = n;
	/* --app-info: the classifier goes after the body */
	rc = cfg->app_snaplen != 0 ? kfilter_app_join(kf, cfg, npro, err,
	    errlen) : 0;
out:
	pcap_freecode(&bp);
	return rc;
}

void
kfilter_free(struct kfilter *kf)
{
	free(kf->insn);
	kf->insn = NULL;
	kf->len = 0;
}
