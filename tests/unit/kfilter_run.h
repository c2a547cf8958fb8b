/*
 * For the kernel filter tests (test_kfilter, test_kfilter_app): a small
 * classic BPF interpreter that knows the ancillary loads the way Linux
 * does (random, packet type, protocol), and the configuration they start
 * from.
 */
#ifndef PF_TEST_KFILTER_RUN_H
#define PF_TEST_KFILTER_RUN_H

#include <stdint.h>
#include <string.h>

#include <pcap/pcap.h>

#include "kfilter.h"

/* Linux's numbers, as the platform passes them (SKF_AD_OFF + SKF_AD_*). */
#define AD_OFF		(-0x1000)
#define AD_PROTOCOL	((uint32_t)(AD_OFF + 0))
#define AD_PKTTYPE	((uint32_t)(AD_OFF + 4))
#define AD_RANDOM	((uint32_t)(AD_OFF + 56))
#define OUTGOING	4

#define DLT_EN10MB_	1
#define DLT_SLL_	113
#define SNAP		256
#define APP		KFILTER_APP_SNAPLEN

/* What the interpreter's ancillary loads return for one packet. */
struct anc {
	uint32_t	pkttype;
	uint32_t	protocol;
	uint64_t	rng;		/* xorshift64 state for random */
};

static uint32_t
rnd(struct anc *a)
{
	a->rng ^= a->rng << 13;
	a->rng ^= a->rng >> 7;
	a->rng ^= a->rng << 17;
	return (uint32_t)(a->rng >> 32);
}

static int
load(const uint8_t *p, uint32_t n, uint32_t k, unsigned size, struct anc *a,
    uint32_t *v)
{
	unsigned i;

	if (k >= (uint32_t)AD_OFF) {
		if (k == AD_RANDOM)
			*v = rnd(a);
		else if (k == AD_PKTTYPE)
			*v = a->pkttype;
		else if (k == AD_PROTOCOL)
			*v = a->protocol;
		else
			return -1;
		return 0;
	}
	if (k > n || size > n - k)
		return -1;
	for (*v = 0, i = 0; i < size; i++)
		*v = *v << 8 | p[k + i];
	return 0;
}

/* Classic BPF as the kernel runs it, ancillary loads included; -1 for
 * an instruction it does not know or a jump out of the program, 0 for a
 * failed load (reject). */
static long
run(const struct bpf_insn *f, size_t n, const uint8_t *p, uint32_t len,
    struct anc *a)
{
	static const unsigned sz[4] = { 4, 2, 1, 0 };
	uint32_t A = 0, X = 0, M[BPF_MEMWORDS], v, src;
	size_t pc;

	memset(M, 0, sizeof(M));
	for (pc = 0; pc < n; pc++) {
		const struct bpf_insn *i = &f[pc];

		src = BPF_SRC(i->code) == BPF_X ? X : i->k;
		switch (BPF_CLASS(i->code)) {
		case BPF_RET:
			return BPF_RVAL(i->code) == BPF_A ? A : i->k;
		case BPF_LD:
			switch (BPF_MODE(i->code)) {
			case BPF_ABS:
			case BPF_IND:
				if (load(p, len, (BPF_MODE(i->code) ==
				    BPF_IND ? X : 0) + i->k,
				    sz[BPF_SIZE(i->code) >> 3], a, &A) == -1)
					return 0;
				break;
			case BPF_LEN:
				A = len;
				break;
			case BPF_IMM:
				A = i->k;
				break;
			case BPF_MEM:
				if (i->k >= BPF_MEMWORDS)
					return -1;
				A = M[i->k];
				break;
			default:
				return -1;
			}
			break;
		case BPF_LDX:
			switch (BPF_MODE(i->code)) {
			case BPF_MSH:
				if (load(p, len, i->k, 1, a, &v) == -1)
					return 0;
				X = (v & 0xf) * 4;
				break;
			case BPF_LEN:
				X = len;
				break;
			case BPF_IMM:
				X = i->k;
				break;
			case BPF_MEM:
				if (i->k >= BPF_MEMWORDS)
					return -1;
				X = M[i->k];
				break;
			default:
				return -1;
			}
			break;
		case BPF_ST:
		case BPF_STX:
			if (i->k >= BPF_MEMWORDS)
				return -1;
			M[i->k] = BPF_CLASS(i->code) == BPF_ST ? A : X;
			break;
		case BPF_ALU:
			switch (BPF_OP(i->code)) {
			case BPF_ADD: A += src; break;
			case BPF_SUB: A -= src; break;
			case BPF_MUL: A *= src; break;
			case BPF_OR: A |= src; break;
			case BPF_AND: A &= src; break;
			case BPF_XOR: A ^= src; break;
			case BPF_LSH: A = src < 32 ? A << src : 0; break;
			case BPF_RSH: A = src < 32 ? A >> src : 0; break;
			case BPF_NEG: A = 0 - A; break;
			case BPF_DIV:
			case BPF_MOD:
				if (src == 0)
					return 0;
				A = BPF_OP(i->code) == BPF_DIV ? A / src :
				    A % src;
				break;
			default:
				return -1;
			}
			break;
		case BPF_JMP:
			switch (BPF_OP(i->code)) {
			case BPF_JA: pc += i->k; break;
			case BPF_JEQ: pc += A == src ? i->jt : i->jf; break;
			case BPF_JGT: pc += A > src ? i->jt : i->jf; break;
			case BPF_JGE: pc += A >= src ? i->jt : i->jf; break;
			case BPF_JSET: pc += (A & src) ? i->jt : i->jf; break;
			default:
				return -1;
			}
			break;
		case BPF_MISC:
			if (BPF_MISCOP(i->code) == BPF_TAX)
				X = A;
			else
				A = X;
			break;
		default:
			return -1;
		}
	}
	return -1;
}

static struct kfilter_cfg
cfg_base(void)
{
	struct kfilter_cfg c;

	memset(&c, 0, sizeof(c));
	c.dlt = DLT_EN10MB_;
	c.snaplen = SNAP;
	c.drop_pkttype = -1;
	c.ad_random = AD_RANDOM;
	c.ad_pkttype = AD_PKTTYPE;
	c.ad_protocol = AD_PROTOCOL;
	return c;
}

static int
insn_is(const struct bpf_insn *i, unsigned code, unsigned jt, unsigned jf,
    uint32_t k)
{
	return i->code == code && i->jt == jt && i->jf == jf && i->k == k;
}

/* The instruction as kfilter_build() left it, or its original. */
static int
same_insn(const struct bpf_insn *a, const struct bpf_insn *b)
{
	return a->code == b->code && a->jt == b->jt && a->jf == b->jf &&
	    a->k == b->k;
}

#endif
