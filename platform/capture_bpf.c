/*
 * Live capture from a BSD /dev/bpf device (BACKEND=bsd, alias bpf):
 * FreeBSD, NetBSD, OpenBSD, macOS.  Ioctl numbers and struct bpf_hdr come
 * from the system's <net/bpf.h>; the filter comes from libpcap's compiler;
 * the read buffer is framed by bpf_walk.c.  Non-blocking: the probe polls
 * the descriptor.
 *
 * This file builds only on those systems.  On Linux make check compiles
 * it against tests/bsd-shim, runs it against a scripted fake of bpf(4)
 * (tests/bsd-shim/fake_kernel.c), and checks the ioctls it uses against
 * golang.org/x/sys/unix (tests/integration/bsd_*.sh).  If an ioctl or the
 * type of its argument changes here, update tests/integration/
 * bsd_constants.py to match.
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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bpf_walk.h"
#include "util.h"

/*
 * Buffer size when the probe has no -M budget.  The kernel keeps two
 * buffers of this size (store and hold) and we read into a third; with a
 * 256-byte snap length 256 KiB holds about 900 frames.
 */
#define BPF_DEFAULT_BLEN	(256 * 1024)
#define BPF_MIN_BLEN		4096	/* we halve down to this on ENOBUFS */
#define BPF_MAX_UNIT		255	/* /dev/bpf0 ... /dev/bpf255 */

struct capture {
	int		 fd;
	uint32_t	 ifindex;
	int		 dlt;		/* the device's DLT_* */
	int		 linktype;	/* the same in libpcap file numbering */
	uint8_t		*buf;		/* one read's worth, blen bytes */
	size_t		 blen;
	struct bpf_walk	 walk;
	char		 err[256];
};

/* struct bpf_hdr exactly as this system's <net/bpf.h> declares it. */
#define HDR_OFF(f)	offsetof(struct bpf_hdr, f)
#define HDR_SIZE(f)	sizeof(((struct bpf_hdr *)0)->f)

static const struct bpf_walk_layout hdr_layout = {
	.sec_off = HDR_OFF(bh_tstamp.tv_sec),
	.sec_size = HDR_SIZE(bh_tstamp.tv_sec),
	.usec_off = HDR_OFF(bh_tstamp.tv_usec),
	.usec_size = HDR_SIZE(bh_tstamp.tv_usec),
	.caplen_off = HDR_OFF(bh_caplen),
	.datalen_off = HDR_OFF(bh_datalen),
	.hdrlen_off = HDR_OFF(bh_hdrlen),
	.align = BPF_ALIGNMENT,
};

/* DLT_RAW and DLT_LOOP are 14 and 12 on OpenBSD, 12 and 108 elsewhere. */
static const struct bpf_walk_dlts sys_dlts = {
	.null = DLT_NULL,
	.en10mb = DLT_EN10MB,
	.ppp = DLT_PPP,
	.raw = DLT_RAW,
	.loop = DLT_LOOP,
};

/*
 * A free device: the cloning /dev/bpf where there is one (FreeBSD,
 * NetBSD, OpenBSD), else the first /dev/bpfN not busy (macOS).
 */
static int
open_device(char *err, size_t errlen)
{
	char path[32];
	int fd, unit;

	if ((fd = open("/dev/bpf", O_RDONLY | O_CLOEXEC)) != -1)
		return fd;
	if (errno != ENOENT) {
		util_errmsg(err, errlen, "/dev/bpf");
		return -1;
	}
	for (unit = 0; unit <= BPF_MAX_UNIT; unit++) {
		snprintf(path, sizeof(path), "/dev/bpf%d", unit);
		if ((fd = open(path, O_RDONLY | O_CLOEXEC)) != -1)
			return fd;
		if (errno != EBUSY)
			break;
	}
	snprintf(err, errlen, "%s: %s", unit > BPF_MAX_UNIT ?
	    "/dev/bpf*" : path, unit > BPF_MAX_UNIT ?
	    "every device is busy" : strerror(errno));
	return -1;
}

/*
 * Size the buffer, then bind it to the interface: BIOCSBLEN counts only
 * before BIOCSETIF, which allocates.  The kernel clamps the size to its
 * limits (net.bpf.maxbufsize on FreeBSD); if it cannot allocate, halve and
 * try again.  The budget the probe gives us covers three buffers: the
 * kernel's two and ours.
 */
static int
attach(struct capture *c, const struct capture_cfg *cfg, char *err,
    size_t errlen)
{
	struct ifreq ifr;
	size_t want;
	u_int blen;

	memset(&ifr, 0, sizeof(ifr));
	if (strlen(cfg->source) >= sizeof(ifr.ifr_name)) {
		snprintf(err, errlen, "%s: interface name too long",
		    cfg->source);
		return -1;
	}
	memcpy(ifr.ifr_name, cfg->source, strlen(cfg->source));
	want = cfg->buffer_bytes != 0 ? cfg->buffer_bytes / 3 :
	    BPF_DEFAULT_BLEN;
	if (want < BPF_MIN_BLEN)
		want = BPF_MIN_BLEN;
	if (want > UINT_MAX / 2)
		want = UINT_MAX / 2;
	for (blen = (u_int)want;; blen /= 2) {
		if (ioctl(c->fd, BIOCSBLEN, &blen) == -1) {
			util_errmsg(err, errlen, "%s: BIOCSBLEN", cfg->source);
			return -1;
		}
		if (ioctl(c->fd, BIOCSETIF, &ifr) == 0)
			break;
		if ((errno != ENOBUFS && errno != ENOMEM) ||
		    blen / 2 < BPF_MIN_BLEN) {
			util_errmsg(err, errlen, "%s", cfg->source);
			return -1;
		}
	}
	/* A read must ask for exactly the device's buffer size. */
	if (ioctl(c->fd, BIOCGBLEN, &blen) == -1 || blen == 0) {
		util_errmsg(err, errlen, "%s: BIOCGBLEN", cfg->source);
		return -1;
	}
	c->blen = blen;
	if ((c->buf = malloc(c->blen)) == NULL) {
		snprintf(err, errlen, "%s: out of memory for a %zu-byte "
		    "buffer", cfg->source, c->blen);
		return -1;
	}
	return 0;
}

/*
 * The filter, compiled by libpcap for the device's own DLT.  BPF has no
 * snap-length knob: the program's accept value is the snap length, so an
 * empty expression ("accept all, cut at snaplen") is installed too.  With
 * app_snaplen the accept value is the larger of the two for every frame:
 * the BSD bpf machine has no ancillary loads and programs differ across
 * systems, so it does not get the classifier of kfilter.c, and every
 * frame is copied to the buffer that far.
 */
static int
set_filter(struct capture *c, const struct capture_cfg *cfg, char *err,
    size_t errlen)
{
	struct bpf_program prog;
	const char *expr = cfg->filter != NULL ? cfg->filter : "";
	unsigned snap = cfg->app_snaplen > cfg->snaplen ? cfg->app_snaplen :
	    cfg->snaplen;
	pcap_t *pc;
	int rc = 0;

	if ((pc = pcap_open_dead(c->dlt, (int)snap)) == NULL) {
		snprintf(err, errlen, "%s: cannot initialise libpcap",
		    cfg->source);
		return -1;
	}
	if (pcap_compile(pc, &prog, expr, 1, PCAP_NETMASK_UNKNOWN) == -1) {
		snprintf(err, errlen, "filter '%s': %s", expr,
		    pcap_geterr(pc));
		rc = -1;
	} else {
		if (ioctl(c->fd, BIOCSETF, &prog) == -1) {
			util_errmsg(err, errlen, "%s: BIOCSETF", cfg->source);
			rc = -1;
		}
		pcap_freecode(&prog);
	}
	pcap_close(pc);
	return rc;
}

/*
 * Link type, promiscuous mode, immediate mode, filter, non-blocking.
 * Immediate mode rather than a read timeout (BIOCSRTIMEOUT): poll(2) on
 * a BPF descriptor does not honour the timeout on every system (macOS),
 * and a busy link fills the buffer between two reads anyway.
 */
static int
configure(struct capture *c, const struct capture_cfg *cfg, char *err,
    size_t errlen)
{
	u_int v;
	int fl;

	if (ioctl(c->fd, BIOCGDLT, &v) == -1) {
		util_errmsg(err, errlen, "%s: BIOCGDLT", cfg->source);
		return -1;
	}
	c->dlt = (int)v;
	if ((c->linktype = bpf_walk_linktype(&sys_dlts, c->dlt)) == -1) {
		snprintf(err, errlen, "%s: link type DLT %d is not supported",
		    cfg->source, c->dlt);
		return -1;
	}
	if (cfg->promisc && ioctl(c->fd, BIOCPROMISC, (void *)NULL) == -1) {
		util_errmsg(err, errlen, "%s: BIOCPROMISC", cfg->source);
		return -1;
	}
	v = 1;
	if (ioctl(c->fd, BIOCIMMEDIATE, &v) == -1) {
		util_errmsg(err, errlen, "%s: BIOCIMMEDIATE", cfg->source);
		return -1;
	}
	if (set_filter(c, cfg, err, errlen) == -1)
		return -1;
	if ((fl = fcntl(c->fd, F_GETFL)) == -1 ||
	    fcntl(c->fd, F_SETFL, fl | O_NONBLOCK) == -1) {
		util_errmsg(err, errlen, "%s: O_NONBLOCK", cfg->source);
		return -1;
	}
	return 0;
}

static void
bpf_close(struct capture *c)
{
	if (c == NULL)
		return;
	if (c->fd != -1)
		close(c->fd);
	free(c->buf);
	free(c);
}

static struct capture *
bpf_open(const struct capture_cfg *cfg, char *err, size_t errlen)
{
	struct capture *c;

	if ((c = calloc(1, sizeof(*c))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (bpf_walk_setup(&c->walk, &hdr_layout) == -1) {
		snprintf(err, errlen, "struct bpf_hdr has a layout bpf_walk "
		    "does not know");
		free(c);
		return NULL;
	}
	if ((c->fd = open_device(err, errlen)) == -1 ||
	    attach(c, cfg, err, errlen) == -1 ||
	    configure(c, cfg, err, errlen) == -1) {
		bpf_close(c);
		return NULL;
	}
	c->ifindex = if_nametoindex(cfg->source);
	bpf_walk_start(&c->walk, c->buf, 0);
	return c;
}

static int
bpf_fd(struct capture *c)
{
	return c->fd;
}

static int
bpf_datalink(struct capture *c)
{
	return c->linktype;
}

/* One frame from the current buffer; when it is used up, one read(2). */
static int
bpf_next(struct capture *c, struct pkt *p)
{
	if (bpf_walk_next(&c->walk, p) != 1) {
		ssize_t n = read(c->fd, c->buf, c->blen);

		if (n == -1) {
			if (errno == EAGAIN || errno == EWOULDBLOCK ||
			    errno == EINTR)
				return 0;
			util_errmsg(c->err, sizeof(c->err), "read");
			return -1;
		}
		bpf_walk_start(&c->walk, c->buf, (size_t)n);
		if (bpf_walk_next(&c->walk, p) != 1)
			return 0;
	}
	p->ifindex = c->ifindex;
	p->dlt = c->linktype;
	return 1;
}

static const char *
bpf_error(struct capture *c)
{
	return c->err;
}

/* Kernel counters (32 bits on most systems, so they wrap), plus the
 * records the walker refused: those frames are lost too. */
static int
bpf_stats(struct capture *c, struct capture_stats *st)
{
	struct bpf_stat bs;

	memset(st, 0, sizeof(*st));
	if (ioctl(c->fd, BIOCGSTATS, &bs) == -1)
		return -1;
	st->received = bs.bs_recv;
	st->dropped = (uint64_t)bs.bs_drop + c->walk.skipped +
	    c->walk.abandoned;
	return 0;
}

const struct capture_ops capture_live = {
	.name = "bpf",
	.open = bpf_open,
	.fd = bpf_fd,
	.datalink = bpf_datalink,
	.next = bpf_next,
	.error = bpf_error,
	.stats = bpf_stats,
	.close = bpf_close,
};
