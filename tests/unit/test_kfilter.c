/*
 * Unit tests for the kernel filter builder: thresholds, the prologue
 * instruction by instruction, the cooked-header fix-up, and whole programs
 * run by a small classic BPF interpreter that knows the ancillary loads
 * the way Linux does (random, packet type, protocol; kfilter_run.h).
 * Without an app snap length the program is the one from before it; the
 * app snap length programs are test_kfilter_app's (APP_INFO=yes).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>

#include "kfilter.h"
#include "kfilter_run.h"
#include "tap.h"


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

/* The program the builder made before app snap: prologue, expression. */
static int
old_program(const struct kfilter_cfg *c, const struct kfilter *kf)
{
	struct bpf_insn pro[KFILTER_PROLOGUE_MAX];
	struct bpf_program bp;
	pcap_t *pc;
	size_t npro = kfilter_prologue(pro, c), i;
	int same;

	if (c->expr == NULL)
		return kf->len == npro + 1 && memcmp(kf->insn, pro,
		    npro * sizeof(*pro)) == 0 &&
		    insn_is(&kf->insn[npro], BPF_RET | BPF_K, 0, 0,
		    c->snaplen);
	pc = pcap_open_dead(c->dlt, (int)c->snaplen);
	if (pc == NULL || pcap_compile(pc, &bp, c->expr, 1,
	    PCAP_NETMASK_UNKNOWN) == -1)
		return 0;
	pcap_close(pc);
	if (c->cooked)
		kfilter_fix_cooked(bp.bf_insns, bp.bf_len, c);
	same = kf->len == npro + bp.bf_len;
	for (i = 0; same && i < kf->len; i++)
		same = same_insn(&kf->insn[i], i < npro ? &pro[i] :
		    &bp.bf_insns[i - npro]);
	pcap_freecode(&bp);
	return same;
}

static void
test_app_off(void)
{
	static const char *exprs[] = { NULL, "udp port 53", "tcp" };
	struct kfilter_cfg c = cfg_base();
	struct kfilter kf;
	char err[256];
	size_t i;

	for (i = 0; i < 3; i++) {
		c.expr = exprs[i];
		c.sample_n = i == 1 ? 10 : 0;
		c.drop_pkttype = i == 1 ? OUTGOING : -1;
		c.dlt = i == 2 ? DLT_SLL_ : DLT_EN10MB_;
		c.cooked = i == 2;
		kfilter_build(&kf, &c, err, sizeof(err));
		ok(old_program(&c, &kf), "app snap 0, -f %s: the program of "
		    "before", c.expr != NULL ? c.expr : "none");
		kfilter_free(&kf);
	}
}

int
main(void)
{
	test_threshold();
	test_prologue();
	test_fix_cooked();
	test_build();
	test_app_off();
	return done();
}
