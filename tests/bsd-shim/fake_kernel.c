/*
 * Runs platform/capture_bpf.c on Linux against a scripted fake of the BSD
 * kernel's /dev/bpf: open, ioctl, read, fcntl and close are renamed to the
 * fake_* functions below, which check the calls the way FreeBSD's bpf(4)
 * does (BIOCSBLEN only before BIOCSETIF, reads of exactly the buffer size)
 * and answer from the test's script.  It tests the backend's logic (device
 * fallback, buffer sizing and ENOBUFS retry, ioctl order, filter and snap
 * length, errors and clean-up, reading and stats), not a real kernel.
 * Built and run by tests/integration/bsd_shim.sh (FreeBSD/amd64 shim
 * headers, so on an LP64 host the records below have FreeBSD's layout).
 */
#include <sys/types.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <net/if.h>
#include <net/bpf.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pcap/pcap.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../unit/tap.h"

int	fake_open(const char *, int, ...);
int	fake_ioctl(int, unsigned long, ...);
ssize_t	fake_read(int, void *, size_t);
int	fake_fcntl(int, int, ...);
int	fake_close(int);

/* Function-like, so that the ops table's .open and .close stay as they are. */
#define open(...)	fake_open(__VA_ARGS__)
#define ioctl(...)	fake_ioctl(__VA_ARGS__)
#define read(...)	fake_read(__VA_ARGS__)
#define fcntl(...)	fake_fcntl(__VA_ARGS__)
#define close(...)	fake_close(__VA_ARGS__)
#include "../../platform/capture_bpf.c"
#undef open
#undef ioctl
#undef read
#undef fcntl
#undef close

#define FAKE_FD	42
#define RET_K	0x06	/* BPF_RET | BPF_K: return a constant */

/* The script, and what the backend did. */
static struct {
	int		 open_errno[4];	/* /dev/bpf, bpf0, bpf1, bpf2... */
	int		 open_default;	/* errno for later units, 0 = ok */
	u_int		 max_alloc;	/* BIOCSETIF gives ENOBUFS above */
	u_int		 dlt;
	uint8_t		 rbuf[8192];	/* what the next read returns */
	size_t		 rlen;
	int		 read_errno;	/* after rbuf is consumed */
	struct bpf_stat	 stats;

	char		 opened[32];
	int		 is_open, attached, promisc, nonblock, bad_order;
	u_int		 blen, immediate, setif_tries;
	char		 ifname[IFNAMSIZ];
	int		 accept;	/* the filter's accept value, -1 none */
	int		 filter_len;
	int		 bad_read;
} k;

static void
reset(void)
{
	memset(&k, 0, sizeof(k));
	k.open_errno[0] = ENOENT;	/* no cloning device, as on macOS */
	k.open_errno[1] = EBUSY;
	k.open_default = ENOENT;
	k.max_alloc = 1 << 20;
	k.dlt = DLT_EN10MB;
	k.read_errno = EAGAIN;
	k.accept = -1;
}

int
fake_open(const char *path, int flags, ...)
{
	int unit = -1, e;

	(void)flags;
	if (strcmp(path, "/dev/bpf") != 0 &&
	    sscanf(path, "/dev/bpf%d", &unit) != 1)
		return errno = EINVAL, -1;
	e = unit + 1 < 4 ? k.open_errno[unit + 1] : k.open_default;
	if (e != 0)
		return errno = e, -1;
	if (k.is_open)
		k.bad_order = 1;	/* a second device: leak */
	snprintf(k.opened, sizeof(k.opened), "%s", path);
	k.is_open = 1;
	return FAKE_FD;
}

static int
setf(const struct bpf_program *p)
{
	u_int i;

	k.filter_len = (int)p->bf_len;
	for (i = 0; i < p->bf_len; i++)
		if (p->bf_insns[i].code == RET_K &&
		    p->bf_insns[i].k != 0)
			k.accept = (int)p->bf_insns[i].k;
	return 0;
}

int
fake_ioctl(int fd, unsigned long req, ...)
{
	va_list ap;
	void *arg;

	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (fd != FAKE_FD || !k.is_open)
		return errno = EBADF, -1;
	switch (req) {
	case BIOCSBLEN:
		if (k.attached)
			return errno = EINVAL, -1;
		k.blen = *(u_int *)arg;
		if (k.blen < 32)
			k.blen = 32;
		*(u_int *)arg = k.blen;
		return 0;
	case BIOCGBLEN:
		*(u_int *)arg = k.blen;
		return 0;
	case BIOCSETIF:
		k.setif_tries++;
		if (k.blen == 0)
			k.bad_order = 1;	/* would use the default */
		if (k.blen > k.max_alloc)
			return errno = ENOBUFS, -1;
		memcpy(k.ifname, ((struct ifreq *)arg)->ifr_name, IFNAMSIZ);
		k.attached = 1;
		return 0;
	case BIOCGDLT:
		if (!k.attached)
			return errno = EINVAL, -1;
		*(u_int *)arg = k.dlt;
		return 0;
	case BIOCPROMISC:
		if (!k.attached)
			return errno = EINVAL, -1;
		k.promisc = 1;
		return 0;
	case BIOCIMMEDIATE:
		k.immediate = *(u_int *)arg;
		return 0;
	case BIOCSETF:
		if (!k.attached)
			k.bad_order = 1;
		return setf(arg);
	case BIOCGSTATS:
		*(struct bpf_stat *)arg = k.stats;
		return 0;
	default:
		return errno = ENOTTY, -1;
	}
}

ssize_t
fake_read(int fd, void *buf, size_t n)
{
	size_t len = k.rlen;

	if (fd != FAKE_FD || !k.attached)
		return errno = EBADF, -1;
	if (n != k.blen) {		/* FreeBSD: EINVAL */
		k.bad_read = 1;
		return errno = EINVAL, -1;
	}
	if (len == 0)
		return errno = k.read_errno, -1;
	if (len > n)
		len = n;
	memcpy(buf, k.rbuf, len);
	k.rlen = 0;
	return (ssize_t)len;
}

int
fake_fcntl(int fd, int cmd, ...)
{
	va_list ap;
	int v;

	if (fd != FAKE_FD)
		return errno = EBADF, -1;
	if (cmd == F_GETFL)
		return O_RDONLY;
	va_start(ap, cmd);
	v = va_arg(ap, int);
	va_end(ap);
	if (cmd == F_SETFL)
		k.nonblock = (v & O_NONBLOCK) != 0;
	return 0;
}

int
fake_close(int fd)
{
	if (fd != FAKE_FD || !k.is_open)
		return errno = EBADF, -1;
	k.is_open = k.attached = 0;
	return 0;
}

/* Append one record as the kernel writes it; returns the new length. */
static size_t
put_rec(size_t off, uint32_t caplen, uint32_t datalen, long sec, long usec,
    uint8_t fill)
{
	struct bpf_hdr h;
	size_t hl = offsetof(struct bpf_hdr, bh_hdrlen) +
	    sizeof(h.bh_hdrlen);

	memset(&h, 0, sizeof(h));
	h.bh_tstamp.tv_sec = sec;
	h.bh_tstamp.tv_usec = usec;
	h.bh_caplen = caplen;
	h.bh_datalen = datalen;
	h.bh_hdrlen = (u_short)hl;
	memcpy(k.rbuf + off, &h, hl);
	memset(k.rbuf + off + hl, fill, caplen);
	return off + BPF_WORDALIGN(hl + caplen);
}

static struct capture_cfg
cfg_for(const char *ifname)
{
	struct capture_cfg cfg;

	memset(&cfg, 0, sizeof(cfg));
	cfg.source = ifname;
	cfg.filter = "udp";
	cfg.snaplen = 128;
	cfg.buffer_bytes = 3 << 20;	/* 1 MiB per buffer */
	cfg.promisc = 1;
	return cfg;
}

static void
test_open(void)
{
	struct capture_cfg cfg = cfg_for("em0");
	struct capture *c;
	char err[256] = "";

	reset();
	k.max_alloc = 256 << 10;
	c = capture_live.open(&cfg, err, sizeof(err));
	ok(c != NULL, "open succeeds (%s)", err);
	if (c == NULL)
		return;
	ok(strcmp(k.opened, "/dev/bpf1") == 0,
	    "no /dev/bpf, bpf0 busy: /dev/bpf1 (%s)", k.opened);
	is_int(k.setif_tries, 3, "1 MiB and 512 KiB get ENOBUFS, then halved");
	is_int(k.blen, 256 << 10, "buffer 256 KiB, re-read with BIOCGBLEN");
	ok(strcmp(k.ifname, "em0") == 0, "BIOCSETIF names em0");
	ok(!k.bad_order, "BIOCSBLEN before BIOCSETIF, filter after");
	ok(k.promisc && k.immediate == 1 && k.nonblock,
	    "promiscuous, immediate, non-blocking");
	ok(k.filter_len > 1 && k.accept == 128,
	    "'udp' compiled, accept value is the snap length (%d)", k.accept);
	is_int(capture_live.datalink(c), 1, "Ethernet is link type 1");
	is_int(capture_live.fd(c), FAKE_FD, "fd for poll");
	capture_live.close(c);
	ok(!k.is_open, "close closes the device");
}

static void
test_open_defaults(void)
{
	struct capture_cfg cfg = cfg_for("lo0");
	struct capture *c;
	char err[256] = "";

	reset();
	k.open_errno[0] = 0;		/* cloning device */
	k.dlt = DLT_RAW;
	cfg.filter = NULL;
	cfg.buffer_bytes = 0;
	cfg.promisc = 0;
	c = capture_live.open(&cfg, err, sizeof(err));
	ok(c != NULL && strcmp(k.opened, "/dev/bpf") == 0,
	    "the cloning /dev/bpf first (%s)", err);
	if (c == NULL)
		return;
	is_int(k.blen, BPF_DEFAULT_BLEN, "no budget: the default size");
	ok(!k.promisc, "no promiscuous mode unless asked");
	ok(k.filter_len >= 1 && k.accept == 128,
	    "no filter: still a program, accepting 128 bytes");
	is_int(capture_live.datalink(c), 101, "DLT_RAW is link type 101");
	capture_live.close(c);
}

static void
open_fails(const char *what, const struct capture_cfg *cfg, const char *want)
{
	struct capture *c;
	char err[256] = "";

	c = capture_live.open(cfg, err, sizeof(err));
	ok(c == NULL && strstr(err, want) != NULL && !k.is_open,
	    "%s: fails, device closed, says '%s' (%s)", what, want, err);
	if (c != NULL)
		capture_live.close(c);
}

static void
test_open_errors(void)
{
	struct capture_cfg cfg = cfg_for("em0"), cfg2;
	struct capture *c;
	char err[256] = "";

	reset();
	k.open_errno[0] = EACCES;
	open_fails("/dev/bpf not readable", &cfg, "/dev/bpf: Permission");
	reset();
	k.open_errno[2] = k.open_errno[3] = k.open_default = EBUSY;
	open_fails("every /dev/bpfN busy", &cfg, "every device is busy");
	reset();
	k.max_alloc = 1024;
	open_fails("no buffer even at 4 KiB", &cfg, "No buffer space");
	reset();
	k.dlt = 14;			/* DLT_PPP_BSDOS on FreeBSD */
	open_fails("unknown DLT 14", &cfg, "DLT 14 is not supported");
	reset();
	cfg2 = cfg;
	cfg2.filter = "no such (filter";
	open_fails("bad filter", &cfg2, "filter 'no such (filter'");
	reset();
	cfg2 = cfg_for("an-interface-name-too-long");
	open_fails("name too long", &cfg2, "too long");

	reset();
	k.dlt = 117;			/* pflog: passes, the decoder refuses */
	c = capture_live.open(&cfg, err, sizeof(err));
	ok(c != NULL && capture_live.datalink(c) == 117,
	    "DLT 117 (pflog) is reported as 117 (%s)", err);
	if (c != NULL)
		capture_live.close(c);
}

static void
test_read(void)
{
	struct capture_cfg cfg = cfg_for("em0");
	struct capture_stats st;
	struct capture *c;
	struct pkt p;
	char err[256] = "";
	size_t off;
	int n, good = 1;

	reset();
	c = capture_live.open(&cfg, err, sizeof(err));
	if (!ok(c != NULL, "open for reading (%s)", err))
		return;
	is_int(capture_live.next(c, &p), 0, "nothing to read: 0");
	off = put_rec(0, 60, 60, 1700000000, 5, 0xa1);
	off = put_rec(off, 128, 1514, 1700000001, 6, 0xa2);
	off = put_rec(off, 20, 10, 1700000002, 7, 0xa3);	/* bad */
	off = put_rec(off, 1, 1, 1700000003, 8, 0xa4);
	k.rlen = off;
	for (n = 0; capture_live.next(c, &p) == 1 && n < 10; n++) {
		if (p.ifindex != c->ifindex || p.dlt != 1 ||
		    p.data[0] != (n == 2 ? 0xa4 : 0xa1 + n))
			good = 0;
		if (n == 1 && (p.caplen != 128 || p.wirelen != 1514 ||
		    p.ts_us != 1700000001000006ULL))
			good = 0;
	}
	is_int(n, 3, "three frames, the inconsistent one skipped");
	ok(good, "data, lengths, time stamps, link type");
	ok(!k.bad_read, "every read asks for exactly the buffer size");
	k.stats.bs_recv = 10;
	k.stats.bs_drop = 2;
	ok(capture_live.stats(c, &st) == 0 && st.received == 10 &&
	    st.dropped == 3, "stats: kernel drops plus the skipped record");
	k.read_errno = ENXIO;
	is_int(capture_live.next(c, &p), -1, "interface gone: -1");
	ok(strstr(capture_live.error(c), "read:") != NULL,
	    "error says so (%s)", capture_live.error(c));
	k.read_errno = EINTR;
	is_int(capture_live.next(c, &p), 0, "EINTR: try again later");
	capture_live.close(c);
}

int
main(void)
{
	test_open();
	test_open_defaults();
	test_open_errors();
	test_read();
	return done();
}
