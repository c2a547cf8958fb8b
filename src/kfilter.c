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

/* The expression as libpcap compiles it, or "accept snaplen bytes". */
static int
compile(struct bpf_program *bp, const struct kfilter_cfg *cfg, char *err,
    size_t errlen)
{
	pcap_t *pc;
	int rc = 0;

	if ((pc = pcap_open_dead(cfg->dlt, (int)cfg->snaplen)) == NULL) {
		snprintf(err, errlen, "cannot initialise libpcap");
		return -1;
	}
	if (pcap_compile(pc, bp, cfg->expr, 1, PCAP_NETMASK_UNKNOWN) == -1) {
		snprintf(err, errlen, "-f '%s': %s", cfg->expr,
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
	size_t npro, nbody = 1;

	memset(kf, 0, sizeof(*kf));
	memset(&bp, 0, sizeof(bp));
	accept = insn(BPF_RET | BPF_K, 0, 0, cfg->snaplen);
	if (cfg->expr != NULL) {
		if (compile(&bp, cfg, err, errlen) == -1)
			return -1;
		if (cfg->cooked &&
		    kfilter_fix_cooked(bp.bf_insns, bp.bf_len, cfg) == -1) {
			snprintf(err, errlen, "-f '%s': reads link-layer "
			    "fields that cooked capture (-i any, or this "
			    "link type) does not have", cfg->expr);
			pcap_freecode(&bp);
			return -1;
		}
		body = bp.bf_insns;
		nbody = bp.bf_len;
	}
	npro = kfilter_prologue(pro, cfg);
	kf->insn = calloc(npro + nbody, sizeof(*kf->insn));
	if (kf->insn == NULL) {
		snprintf(err, errlen, "out of memory");
		if (cfg->expr != NULL)
			pcap_freecode(&bp);
		return -1;
	}
	memcpy(kf->insn, pro, npro * sizeof(*pro));
	memcpy(kf->insn + npro, body, nbody * sizeof(*body));
	kf->len = npro + nbody;
	if (cfg->expr != NULL)
		pcap_freecode(&bp);
	return 0;
}

void
kfilter_free(struct kfilter *kf)
{
	free(kf->insn);
	kf->insn = NULL;
	kf->len = 0;
}
