/*
 * Unit tests for the kernel filter builder: thresholds, the prologue
 * instruction by instruction, the cooked-header fix-up, and whole programs
 * run by a small classic BPF interpreter that knows the ancillary loads
 * the way Linux does (random, packet type, protocol).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kfilter.h"
#include "tap.h"

/* Linux's numbers, as the platform passes them (SKF_AD_OFF + SKF_AD_*). */
#define AD_OFF		(-0x1000)
#define AD_PROTOCOL	((uint32_t)(AD_OFF + 0))
#define AD_PKTTYPE	((uint32_t)(AD_OFF + 4))
#define AD_RANDOM	((uint32_t)(AD_OFF + 56))
#define OUTGOING	4

#define DLT_EN10MB_	1
#define DLT_SLL_	113
#define SNAP		256

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

/* Enough of classic BPF for what libpcap emits for the tests' filters;
 * -1 for an instruction it does not know, 0 for a failed load (reject). */
static long
run(const struct bpf_insn *f, size_t n, const uint8_t *p, uint32_t len,
    struct anc *a)
{
	static const unsigned sz[4] = { 4, 2, 1, 0 };
	uint32_t A = 0, X = 0, v;
	size_t pc;

	for (pc = 0; pc < n; pc++) {
		const struct bpf_insn *i = &f[pc];

		switch (i->code) {
		case BPF_RET | BPF_K:
			return i->k;
		case BPF_LD | BPF_W | BPF_ABS:
		case BPF_LD | BPF_H | BPF_ABS:
		case BPF_LD | BPF_B | BPF_ABS:
			if (load(p, len, i->k, sz[BPF_SIZE(i->code) >> 3], a,
			    &A) == -1)
				return 0;
			break;
		case BPF_LD | BPF_W | BPF_IND:
		case BPF_LD | BPF_H | BPF_IND:
		case BPF_LD | BPF_B | BPF_IND:
			if (load(p, len, X + i->k, sz[BPF_SIZE(i->code) >> 3],
			    a, &A) == -1)
				return 0;
			break;
		case BPF_LDX | BPF_MSH | BPF_B:
			if (load(p, len, i->k, 1, a, &v) == -1)
				return 0;
			X = (v & 0xf) * 4;
			break;
		case BPF_JMP | BPF_JEQ | BPF_K:
			pc += A == i->k ? i->jt : i->jf;
			break;
		case BPF_JMP | BPF_JGE | BPF_K:
			pc += A >= i->k ? i->jt : i->jf;
			break;
		case BPF_JMP | BPF_JGT | BPF_K:
			pc += A > i->k ? i->jt : i->jf;
			break;
		case BPF_JMP | BPF_JSET | BPF_K:
			pc += (A & i->k) ? i->jt : i->jf;
			break;
		default:
			return -1;
		}
	}
	return -1;
}

/* Ethernet + IPv4 + UDP 1234 -> 53, 60 bytes. */
static void
udp_frame(uint8_t *f)
{
	static const uint8_t hdr[] = {
		0, 1, 2, 3, 4, 5, 0, 6, 7, 8, 9, 10, 0x08, 0x00,
		0x45, 0, 0, 46, 0, 0, 0, 0, 64, 17, 0, 0,
		192, 0, 2, 1, 198, 51, 100, 2,
		0x04, 0xd2, 0x00, 0x35, 0, 26, 0, 0 };

	memset(f, 0, 60);
	memcpy(f, hdr, sizeof(hdr));
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

static void
test_threshold(void)
{
	is_int(kfilter_threshold(0), 0, "threshold: 0 keeps all");
	is_int(kfilter_threshold(1), 0, "threshold: 1 keeps all");
	ok(kfilter_threshold(2) == 0x80000000U, "threshold: 1 in 2");
	ok(kfilter_threshold(3) == 1431655766U, "threshold: 1 in 3, rounded up");
	ok(kfilter_threshold(10) == 429496730U, "threshold: 1 in 10");
	ok(kfilter_threshold(1000000) == 4295U, "threshold: 1 in a million");
}

static int
insn_is(const struct bpf_insn *i, unsigned code, unsigned jt, unsigned jf,
    uint32_t k)
{
	return i->code == code && i->jt == jt && i->jf == jf && i->k == k;
}

static void
test_prologue(void)
{
	struct bpf_insn p[KFILTER_PROLOGUE_MAX + 1];
	struct kfilter_cfg c = cfg_base();

	is_int(kfilter_prologue(p, &c), 0, "prologue: nothing to do, empty");
	c.sample_n = 1;
	is_int(kfilter_prologue(p, &c), 0, "prologue: 1 in 1, empty");
	c.sample_n = 10;
	is_int(kfilter_prologue(p, &c), 3, "prologue: sampling, 3 insns");
	ok(insn_is(&p[0], BPF_LD | BPF_W | BPF_ABS, 0, 0, AD_RANDOM) &&
	    insn_is(&p[1], BPF_JMP | BPF_JGE | BPF_K, 0, 1, 429496730U) &&
	    insn_is(&p[2], BPF_RET | BPF_K, 0, 0, 0),
	    "prologue: ld random; jge T, drop, next; ret 0");
	c.drop_pkttype = OUTGOING;
	is_int(kfilter_prologue(p, &c), 6, "prologue: both, 6 insns");
	ok(insn_is(&p[0], BPF_LD | BPF_B | BPF_ABS, 0, 0, AD_PKTTYPE) &&
	    insn_is(&p[1], BPF_JMP | BPF_JEQ | BPF_K, 0, 1, OUTGOING) &&
	    insn_is(&p[2], BPF_RET | BPF_K, 0, 0, 0) &&
	    insn_is(&p[3], BPF_LD | BPF_W | BPF_ABS, 0, 0, AD_RANDOM),
	    "prologue: packet type first, then sampling");
}

static void
test_fix_cooked(void)
{
	struct bpf_insn p[] = {
		{ BPF_LD | BPF_H | BPF_ABS, 0, 0, 14 },
		{ BPF_LD | BPF_B | BPF_ABS, 0, 0, 25 },
		{ BPF_LDX | BPF_MSH | BPF_B, 0, 0, 16 },
		{ BPF_LD | BPF_H | BPF_IND, 0, 0, 18 },
		{ BPF_LD | BPF_H | BPF_ABS, 0, 0, 0 },
		{ BPF_JMP | BPF_JEQ | BPF_K, 1, 2, 14 },
		{ BPF_RET | BPF_K, 0, 0, 5 },
	};
	struct bpf_insn bad = { BPF_LD | BPF_W | BPF_ABS, 0, 0, 6 };
	struct kfilter_cfg c = cfg_base();

	is_int(kfilter_fix_cooked(p, 7, &c), 0, "fix: accepted");
	ok(p[0].k == AD_PROTOCOL, "fix: protocol at 14 -> ancillary");
	ok(p[1].k == 9, "fix: IP protocol byte 25 -> 9");
	ok(p[2].k == 0, "fix: header length at 16 -> 0");
	ok(p[3].k == 2, "fix: indexed 18 -> 2");
	ok(p[4].k == AD_PKTTYPE, "fix: packet type at 0 -> ancillary");
	ok(p[5].k == 14 && p[5].jt == 1 && p[5].jf == 2 && p[6].k == 5,
	    "fix: jumps and returns untouched");
	is_int(kfilter_fix_cooked(&bad, 1, &c), -1,
	    "fix: link address bytes cannot be had");
}

static void
test_build(void)
{
	struct kfilter_cfg c = cfg_base();
	struct kfilter kf;
	struct anc a = { 0, 0x0800, 0x9e3779b97f4a7c15ULL };
	uint8_t f[60];
	char err[256];
	long kept = 0, i;

	udp_frame(f);
	is_int(kfilter_build(&kf, &c, err, sizeof(err)), 0, "build: no -f");
	ok(kf.len == 1 && insn_is(&kf.insn[0], BPF_RET | BPF_K, 0, 0, SNAP),
	    "build: no -f: accept snaplen bytes");
	kfilter_free(&kf);

	c.expr = "udp port 53";
	is_int(kfilter_build(&kf, &c, err, sizeof(err)), 0, "build: udp");
	is_int(run(kf.insn, kf.len, f, 60, &a), SNAP, "udp: DNS frame kept");
	f[23] = 6;
	is_int(run(kf.insn, kf.len, f, 60, &a), 0, "udp: TCP frame dropped");
	f[23] = 17;
	kfilter_free(&kf);

	c.sample_n = 10;
	is_int(kfilter_build(&kf, &c, err, sizeof(err)), 0, "build: sampled");
	for (i = 0; i < 100000; i++)
		kept += run(kf.insn, kf.len, f, 60, &a) == SNAP;
	/* 1 in 10 of 100000: sd 95, so 9500..10500 is over 5 sd */
	ok(kept > 9500 && kept < 10500, "sampled 1 in 10: %ld of 100000",
	    kept);
	f[23] = 6;
	kept = 0;
	for (i = 0; i < 1000; i++)
		kept += run(kf.insn, kf.len, f, 60, &a) != 0;
	is_int(kept, 0, "sampled: the filter still applies");
	f[23] = 17;
	kfilter_free(&kf);

	/* Cooked: the frame starts at the IP header. */
	c.dlt = DLT_SLL_;
	c.cooked = 1;
	c.sample_n = 0;
	c.drop_pkttype = OUTGOING;
	is_int(kfilter_build(&kf, &c, err, sizeof(err)), 0, "build: cooked");
	is_int(run(kf.insn, kf.len, f + 14, 46, &a), SNAP,
	    "cooked: incoming DNS kept");
	a.pkttype = OUTGOING;
	is_int(run(kf.insn, kf.len, f + 14, 46, &a), 0,
	    "cooked: outgoing copy dropped");
	a.pkttype = 0;
	a.protocol = 0x86dd;
	is_int(run(kf.insn, kf.len, f + 14, 46, &a), 0,
	    "cooked: protocol comes from the ancillary load");
	kfilter_free(&kf);

	c.expr = "link[6] = 0";
	is_int(kfilter_build(&kf, &c, err, sizeof(err)), -1,
	    "cooked: link addresses refused");
	ok(strstr(err, "link-layer") != NULL, "with a message: %s", err);
	c.expr = "udp port";
	is_int(kfilter_build(&kf, &c, err, sizeof(err)), -1,
	    "bad expression refused");
	ok(strstr(err, "udp port") != NULL, "naming it: %s", err);
}

int
main(void)
{
	test_threshold();
	test_prologue();
	test_fix_cooked();
	test_build();
	return done();
}
