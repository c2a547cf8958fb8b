/*
 * Stand-in for FreeBSD/amd64's <net/bpf.h>: just what platform/capture_bpf.c
 * uses, so that it compiles on Linux (tests/integration/bsd_shim.sh).  The
 * ioctl numbers are written out as FreeBSD encodes them (Linux's _IOR
 * differs); tests/integration/bsd_constants.py checks every number and
 * struct here against golang.org/x/sys/unix's FreeBSD/amd64 tables.
 * Defining _NET_BPF_H_ makes <pcap/bpf.h> stand aside, as on a real BSD.
 */
#ifndef _NET_BPF_H_
#define _NET_BPF_H_

#include <sys/types.h>
#include <sys/time.h>

typedef int		bpf_int32;
typedef unsigned int	bpf_u_int32;

struct bpf_insn {
	u_short		code;
	u_char		jt;
	u_char		jf;
	bpf_u_int32	k;
};

struct bpf_program {
	u_int		 bf_len;
	struct bpf_insn	*bf_insns;
};

struct bpf_stat {
	u_int		bs_recv;
	u_int		bs_drop;
};

struct bpf_hdr {
	struct timeval	bh_tstamp;
	bpf_u_int32	bh_caplen;
	bpf_u_int32	bh_datalen;
	u_short		bh_hdrlen;
};

#define BPF_ALIGNMENT		sizeof(long)
#define BPF_WORDALIGN(x)	(((x) + (BPF_ALIGNMENT - 1)) & \
				    ~(BPF_ALIGNMENT - 1))

#define BIOCGBLEN	0x40044266UL	/* _IOR('B', 102, u_int) */
#define BIOCSBLEN	0xc0044266UL	/* _IOWR('B', 102, u_int) */
#define BIOCSETF	0x80104267UL	/* _IOW('B', 103, struct bpf_program) */
#define BIOCPROMISC	0x20004269UL	/* _IO('B', 105) */
#define BIOCGDLT	0x4004426aUL	/* _IOR('B', 106, u_int) */
#define BIOCSETIF	0x8020426cUL	/* _IOW('B', 108, struct ifreq) */
#define BIOCGSTATS	0x4008426fUL	/* _IOR('B', 111, struct bpf_stat) */
#define BIOCIMMEDIATE	0x80044270UL	/* _IOW('B', 112, u_int) */

#define DLT_NULL	0
#define DLT_EN10MB	1
#define DLT_PPP		9
#define DLT_RAW		12
#define DLT_LOOP	108

#endif
