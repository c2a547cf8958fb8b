/*
 * Linux live capture on an AF_PACKET socket with a TPACKET_V3 ring
 * (BACKEND=linux, the default on Linux).  The kernel copies each frame,
 * cut to the snap length by the socket filter, into blocks of a ring
 * shared with us; we walk a block's frames in place and hand the block
 * back when done.  No libpcap at run time: it only compiles -f
 * expressions (src/kfilter.c).
 *
 * Bounds.  The ring is capture_cfg.buffer_bytes (the probe takes it from
 * -M) or RING_DEFAULT; a block is handed over when full or RETIRE_MS after
 * its first frame, so a frame on a quiet interface waits at most RETIRE_MS
 * before the probe sees it.
 */
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <net/if_arp.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture.h"
#include "kfilter.h"
#include "util.h"
#include "wbuf.h"

#define RING_DEFAULT	(512 * 1024)	/* bytes per interface, no -M */
#define BLOCK_MAX	(32 * 1024)	/* preferred block size */
#define BLOCKS_MIN	2		/* so one can fill while we read one */
#define RETIRE_MS	50		/* longest a frame waits in a block */

/* Link types by their pcap numbers (DLT_*), as decode.c names them. */
#define DLT_ETHER	1
#define DLT_RAWIP	12
#define DLT_COOKED	113		/* Linux cooked, 16-byte header */

#ifndef ARPHRD_RAWIP
#define ARPHRD_RAWIP	519		/* older headers lack it */
#endif

struct capture {
	int		 fd;
	uint8_t		*ring;		/* nblocks * blocksz bytes */
	size_t		 ringsz;
	unsigned	 blocksz;
	unsigned	 nblocks;
	unsigned	 cur;		/* the block to read next */
	struct tpacket_block_desc *blk;	/* held block, or NULL */
	uint32_t	 left;		/* frames of blk not yet read */
	uint32_t	 off;		/* offset of the next one in blk */
	int		 cooked;	/* SOCK_DGRAM: we write the header */
	int		 loopback;	/* ARPHRD_LOOPBACK */
	int		 ifindex;	/* bound to, 0 for "any" */
	int		 promisc;
	int		 dlt;
	uint64_t	 received;	/* PACKET_STATISTICS, accumulated: */
	uint64_t	 dropped;	/* the kernel resets them on read */
	char		 err[256];
};

/* Where the kernel put the sockaddr_ll of a TPACKET_V3 frame. */
#define SLL_OFF		TPACKET_ALIGN(sizeof(struct tpacket3_hdr))

/*
 * ARPHRD of the interface decides how frames arrive: with their own
 * Ethernet header (Ethernet, and loopback, whose header is Ethernet-like
 * with zero addresses), as bare IP (tun, raw IP), or, for everything else
 * and for "any", cooked: starting at the network header, with a Linux
 * cooked header written in front by us.
 */
static int
link_kind(const char *name, int *dlt, int *cooked, int *loopback, char *err,
    size_t errlen)
{
	struct ifreq ifr;
	int s;

	*dlt = DLT_COOKED;
	*cooked = 1;
	*loopback = 0;
	if (strcmp(name, "any") == 0)
		return 0;
	if (strlen(name) >= sizeof(ifr.ifr_name)) {
		snprintf(err, errlen, "%.64s...: interface name too long",
		    name);
		return -1;
	}
	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, name, strlen(name));
	if ((s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1 ||
	    ioctl(s, SIOCGIFHWADDR, &ifr) == -1) {
		util_errmsg(err, errlen, "%s", name);
		if (s != -1)
			close(s);
		return -1;
	}
	close(s);
	*loopback = ifr.ifr_hwaddr.sa_family == ARPHRD_LOOPBACK;
	switch (ifr.ifr_hwaddr.sa_family) {
	case ARPHRD_ETHER:
	case ARPHRD_LOOPBACK:
		*dlt = DLT_ETHER;
		*cooked = 0;
		break;
	case ARPHRD_NONE:
	case ARPHRD_RAWIP:
		*dlt = DLT_RAWIP;
		*cooked = 0;
		break;
	}
	return 0;
}

static int
attach_filter(struct capture *c, const struct capture_cfg *cfg, int any,
    char *err, size_t errlen)
{
	struct kfilter_cfg kc;
	struct kfilter kf;
	struct sock_filter *sf;
	struct sock_fprog fp;
	size_t i;
	int rc;

	memset(&kc, 0, sizeof(kc));
	kc.expr = cfg->filter;
	kc.dlt = c->dlt;
	kc.snaplen = cfg->snaplen;
	kc.app_snaplen = cfg->app_snaplen;
	kc.sample_n = cfg->kernel_sample;
	/* On "any" a forwarded frame shows up once coming in and once going
	 * out, and on lo every frame is both sent and received: keep the
	 * sight of it coming in only. */
	kc.drop_pkttype = any || c->loopback ? PACKET_OUTGOING : -1;
	kc.cooked = c->cooked;
	kc.ad_random = (uint32_t)(SKF_AD_OFF + SKF_AD_RANDOM);
	kc.ad_pkttype = (uint32_t)(SKF_AD_OFF + SKF_AD_PKTTYPE);
	kc.ad_protocol = (uint32_t)(SKF_AD_OFF + SKF_AD_PROTOCOL);
	if (kfilter_build(&kf, &kc, err, errlen) == -1)
		return -1;
	if (kf.len > KFILTER_MAXINSNS || (sf = calloc(kf.len,
	    sizeof(*sf))) == NULL) {
		snprintf(err, errlen, "%s: filter of %zu instructions: too "
		    "long or out of memory", cfg->source, kf.len);
		kfilter_free(&kf);
		return -1;
	}
	/* Same layout as libpcap's bpf_insn; copied field by field anyway. */
	for (i = 0; i < kf.len; i++) {
		sf[i].code = kf.insn[i].code;
		sf[i].jt = kf.insn[i].jt;
		sf[i].jf = kf.insn[i].jf;
		sf[i].k = kf.insn[i].k;
	}
	fp.len = (unsigned short)kf.len;
	fp.filter = sf;
	rc = setsockopt(c->fd, SOL_SOCKET, SO_ATTACH_FILTER, &fp, sizeof(fp));
	if (rc == -1)
		util_errmsg(err, errlen, "%s: attaching the filter",
		    cfg->source);
	free(sf);
	kfilter_free(&kf);
	return rc;
}

static unsigned
pow2_floor(size_t v)
{
	unsigned p = 1;

	while (p <= v / 2 && p < (1U << 30))
		p <<= 1;
	return p;
}

/*
 * Blocks of BLOCK_MAX bytes, or smaller ones so that a small ring still
 * has BLOCKS_MIN + 2 of them, never below a page nor below one frame of
 * the longest snap length (app_snaplen, when the filter keeps that much
 * of some frames: the kernel cuts a frame to what fits in a block); then
 * as many as fit in want.  On ENOMEM the ring halves (fewer blocks, then
 * smaller ones) until it cannot shrink further.
 */
static int
setup_ring(struct capture *c, const struct capture_cfg *cfg, char *err,
    size_t errlen)
{
	struct tpacket_req3 req;
	size_t want = cfg->buffer_bytes != 0 ? cfg->buffer_bytes :
	    RING_DEFAULT;
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	unsigned frame, bs, snap;

	snap = cfg->app_snaplen > cfg->snaplen ? cfg->app_snaplen :
	    cfg->snaplen;
	bs = pow2_floor(want / (BLOCKS_MIN + 2) < BLOCK_MAX ?
	    want / (BLOCKS_MIN + 2) : BLOCK_MAX);
	frame = (unsigned)TPACKET_ALIGN(TPACKET3_HDRLEN + KFILTER_SLL_LEN +
	    snap);
	while (bs < page || bs < frame + 64)
		bs <<= 1;
	if (want / bs < BLOCKS_MIN) {
		snprintf(err, errlen, "%s: a ring of %zu bytes cannot hold %d "
		    "blocks of %u (snap length %u)", cfg->source, want,
		    BLOCKS_MIN, bs, snap);
		return -1;
	}
	c->blocksz = bs;
	c->nblocks = (unsigned)(want / bs);
	for (;;) {
		memset(&req, 0, sizeof(req));
		req.tp_block_size = c->blocksz;
		req.tp_block_nr = c->nblocks;
		req.tp_frame_size = frame;
		req.tp_frame_nr = c->blocksz / frame * c->nblocks;
		req.tp_retire_blk_tov = cfg->max_wait_ms != 0 ?
		    cfg->max_wait_ms : RETIRE_MS;
		if (setsockopt(c->fd, SOL_PACKET, PACKET_RX_RING, &req,
		    sizeof(req)) == 0)
			break;
		if (errno != ENOMEM || (c->nblocks <= BLOCKS_MIN &&
		    (c->blocksz / 2 < page || c->blocksz / 2 < frame + 64))) {
			util_errmsg(err, errlen, "%s: ring of %u blocks of %u "
			    "bytes", cfg->source, c->nblocks, c->blocksz);
			return -1;
		}
		if (c->nblocks > BLOCKS_MIN)
			c->nblocks /= 2;
		else
			c->blocksz /= 2;
	}
	c->ringsz = (size_t)c->blocksz * c->nblocks;
	c->ring = mmap(NULL, c->ringsz, PROT_READ | PROT_WRITE, MAP_SHARED,
	    c->fd, 0);
	if (c->ring == MAP_FAILED) {
		c->ring = NULL;
		util_errmsg(err, errlen, "%s: mmap of the ring", cfg->source);
		return -1;
	}
	return 0;
}

static int
join(struct capture *c, const char *source, int ifindex, char *err,
    size_t errlen)
{
	struct packet_mreq mr;
	struct sockaddr_ll sll;

	if (c->promisc && ifindex != 0) {
		memset(&mr, 0, sizeof(mr));
		mr.mr_ifindex = ifindex;
		mr.mr_type = PACKET_MR_PROMISC;
		if (setsockopt(c->fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr,
		    sizeof(mr)) == -1) {
			util_errmsg(err, errlen, "%s: promiscuous mode",
			    source);
			return -1;
		}
	}
	/* Frames flow from here on: filter and ring are in place. */
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETH_P_ALL);
	sll.sll_ifindex = ifindex;
	if (bind(c->fd, (struct sockaddr *)&sll, sizeof(sll)) == -1) {
		util_errmsg(err, errlen, "%s: bind", source);
		return -1;
	}
	c->ifindex = ifindex;
	return 0;
}

static void
afp_close(struct capture *c)
{
	if (c == NULL)
		return;
	if (c->ring != NULL)
		munmap(c->ring, c->ringsz);
	if (c->fd != -1)
		close(c->fd);
	free(c);
}

static struct capture *
afp_open(const struct capture_cfg *cfg, char *err, size_t errlen)
{
	struct capture *c;
	int ifindex = 0, any = strcmp(cfg->source, "any") == 0, version;

	if (!any && (ifindex = (int)if_nametoindex(cfg->source)) == 0) {
		snprintf(err, errlen, "%s: no such interface", cfg->source);
		return NULL;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	c->fd = -1;
	if (link_kind(cfg->source, &c->dlt, &c->cooked, &c->loopback, err,
	    errlen) == -1)
		goto fail;
	/* Protocol 0: nothing is queued until bind() in join(). */
	c->fd = socket(AF_PACKET, (c->cooked ? SOCK_DGRAM : SOCK_RAW) |
	    SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd == -1) {
		util_errmsg(err, errlen, "%s: AF_PACKET socket", cfg->source);
		goto fail;
	}
	version = TPACKET_V3;
	if (setsockopt(c->fd, SOL_PACKET, PACKET_VERSION, &version,
	    sizeof(version)) == -1) {
		util_errmsg(err, errlen, "%s: TPACKET_V3", cfg->source);
		goto fail;
	}
	c->promisc = cfg->promisc;
	if (attach_filter(c, cfg, any, err, errlen) == -1 ||
	    setup_ring(c, cfg, err, errlen) == -1 ||
	    join(c, cfg->source, ifindex, err, errlen) == -1)
		goto fail;
	return c;
fail:
	afp_close(c);
	return NULL;
}

static int
afp_fd(struct capture *c)
{
	return c->fd;
}

static int
afp_datalink(struct capture *c)
{
	return c->dlt;
}

static const char *
afp_error(struct capture *c)
{
	return c->err;
}

/*
 * Block hand-off.  The kernel fills a block, then sets TP_STATUS_USER in
 * its status with a store that is ordered after the frame writes; the
 * acquire load keeps our reads of the frames after it, and the release
 * store keeps them before we give the block back.  Plain accesses would
 * let a weakly ordered CPU (ARM, MIPS) read a frame before it is written.
 */
static int
block_ready(struct tpacket_block_desc *b)
{
	return (__atomic_load_n(&b->hdr.bh1.block_status, __ATOMIC_ACQUIRE) &
	    TP_STATUS_USER) != 0;
}

static void
block_release(struct capture *c)
{
	__atomic_store_n(&c->blk->hdr.bh1.block_status, TP_STATUS_KERNEL,
	    __ATOMIC_RELEASE);
	c->blk = NULL;
	c->cur = (c->cur + 1) % c->nblocks;
}

static int
corrupt(struct capture *c, const char *what)
{
	snprintf(c->err, sizeof(c->err), "ring block %u: %s", c->cur, what);
	return -1;
}

/* Hold the next block if the kernel has handed it over; 0 if not. */
static int
take_block(struct capture *c)
{
	struct tpacket_block_desc *b;

	b = (struct tpacket_block_desc *)(void *)(c->ring +
	    (size_t)c->cur * c->blocksz);
	if (!block_ready(b))
		return 0;
	c->blk = b;
	c->left = b->hdr.bh1.num_pkts;
	c->off = b->hdr.bh1.offset_to_first_pkt;
	return 1;
}

/* Fill p from the frame at off in the held block, every offset checked. */
static int
read_frame(struct capture *c, struct pkt *p)
{
	struct tpacket3_hdr *h;
	struct sockaddr_ll *sll;
	uint8_t *base = (uint8_t *)c->blk;
	uint32_t off = c->off;

	if (off < sizeof(struct tpacket_block_desc) || off % 4 != 0 ||
	    off > c->blocksz - SLL_OFF - sizeof(*sll))
		return corrupt(c, "frame offset out of the block");
	h = (struct tpacket3_hdr *)(void *)(base + off);
	sll = (struct sockaddr_ll *)(void *)(base + off + SLL_OFF);
	if (h->tp_mac > c->blocksz - off ||
	    h->tp_snaplen > c->blocksz - off - h->tp_mac)
		return corrupt(c, "frame data out of the block");
	p->data = base + off + h->tp_mac;
	p->caplen = h->tp_snaplen;
	p->wirelen = h->tp_len;
	if (c->cooked) {
		uint8_t *sl;

		/* The kernel leaves 16 bytes free before a SOCK_DGRAM
		 * frame's data (net offset = header + 16); checked anyway. */
		if (h->tp_mac < SLL_OFF + sizeof(*sll) + KFILTER_SLL_LEN)
			return corrupt(c, "no room for the cooked header");
		sl = (uint8_t *)p->data - KFILTER_SLL_LEN;
		wb_store_be16(sl, sll->sll_pkttype);
		wb_store_be16(sl + 2, sll->sll_hatype);
		wb_store_be16(sl + 4, sll->sll_halen);
		memset(sl + 6, 0, 8);
		memcpy(sl + 6, sll->sll_addr, sll->sll_halen < 8 ?
		    sll->sll_halen : 8);
		memcpy(sl + 14, &sll->sll_protocol, 2);	/* network order */
		p->data = sl;
		p->caplen += KFILTER_SLL_LEN;
		p->wirelen += KFILTER_SLL_LEN;
	}
	p->ts_us = (uint64_t)h->tp_sec * 1000000 + h->tp_nsec / 1000;
	p->ifindex = sll->sll_ifindex > 0 ? (uint32_t)sll->sll_ifindex : 0;
	p->direction = sll->sll_pkttype == PACKET_OUTGOING;
	p->dlt = c->dlt;
	c->off = h->tp_next_offset != 0 ? off + h->tp_next_offset : 0;
	return 1;
}

/*
 * A removed interface leaves the socket bound to nothing (the kernel
 * reports ENETDOWN, as for a link going down, and sets the bound index to
 * -1): getsockname() tells the two apart.
 */
static int
still_bound(struct capture *c)
{
	struct sockaddr_ll sll;
	socklen_t len = sizeof(sll);

	memset(&sll, 0, sizeof(sll));
	if (c->ifindex == 0 || getsockname(c->fd, (struct sockaddr *)&sll,
	    &len) == -1 || sll.sll_ifindex == c->ifindex)
		return 1;
	snprintf(c->err, sizeof(c->err), "the interface was removed");
	return 0;
}

/*
 * With the ring empty, collect a pending socket error, which would
 * otherwise keep poll() returning at once.  ENETDOWN: the interface went
 * down, and the kernel resumes capture by itself when it comes back up;
 * or it was removed, which reattach() can mend.  Anything else ends the
 * capture.  One getsockopt() per empty ring, i.e. per wake-up.
 */
static int
ring_empty(struct capture *c)
{
	socklen_t len = sizeof(int);
	int e = 0;

	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &e, &len) == -1)
		e = errno;
	if (e == 0)
		return 0;
	if (e == ENETDOWN || e == ENODEV)
		return still_bound(c) ? 0 : CAPTURE_GONE;
	snprintf(c->err, sizeof(c->err), "%s", strerror(e));
	return -1;
}

/*
 * One frame per call; the frame stays valid until the next call, so a
 * block is given back only when the call after its last frame comes.
 */
static int
afp_next(struct capture *c, struct pkt *p)
{
	for (;;) {
		if (c->blk == NULL && !take_block(c))
			return ring_empty(c);
		if (c->left > 0 && c->off != 0) {
			c->left--;
			return read_frame(c, p);
		}
		block_release(c);
	}
}

/* PACKET_STATISTICS counts since the last read; tp_packets includes drops. */
static int
afp_stats(struct capture *c, struct capture_stats *st)
{
	struct tpacket_stats_v3 ks;
	socklen_t len = sizeof(ks);

	memset(&ks, 0, sizeof(ks));
	if (getsockopt(c->fd, SOL_PACKET, PACKET_STATISTICS, &ks,
	    &len) == -1) {
		util_errmsg(c->err, sizeof(c->err), "statistics");
		memset(st, 0, sizeof(*st));
		return -1;
	}
	c->received += ks.tp_packets;
	c->dropped += ks.tp_drops;
	st->received = c->received;
	st->dropped = c->dropped;
	return still_bound(c) ? 0 : CAPTURE_GONE;
}

/*
 * Same socket, ring and filter, bound to the interface's new index; the
 * socket already exists, so no privilege is needed.  The ring was sized
 * and the filter compiled for the old link type: a new one that differs
 * (an Ethernet name coming back as a PPP device) needs a restart.
 */
static int
afp_reattach(struct capture *c, const char *name, char *err, size_t errlen)
{
	int ifindex, dlt, cooked, loopback;

	if ((ifindex = (int)if_nametoindex(name)) == 0) {
		snprintf(err, errlen, "%s: no such interface", name);
		return -1;
	}
	if (link_kind(name, &dlt, &cooked, &loopback, err, errlen) == -1)
		return -1;
	if (dlt != c->dlt || cooked != c->cooked || loopback != c->loopback) {
		snprintf(err, errlen, "%s: came back with link type %d, was %d: "
		    "restart picoflow to capture it", name, dlt, c->dlt);
		return -1;
	}
	return join(c, name, ifindex, err, errlen);
}

const struct capture_ops capture_live = {
	.name = "af_packet",
	.caps = CAPTURE_CAN_SAMPLE,
	.open = afp_open,
	.fd = afp_fd,
	.datalink = afp_datalink,
	.next = afp_next,
	.error = afp_error,
	.stats = afp_stats,
	.reattach = afp_reattach,
	.close = afp_close,
};
