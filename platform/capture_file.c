/*
 * The -r reader: classic pcap and pcapng parsed in place from a read
 * buffer, one bounded step per record; any other format (or stdin) goes
 * through libpcap's reader (capture_libpcap_file).
 *
 * Why not libpcap for everything: its offline reader makes two fread()
 * calls and copies every frame, about 600 instructions a packet, more than
 * the rest of the pipeline together.  Here a record costs a header parse
 * and a pointer; frames are handed out where they lie in the buffer.
 *
 * Every length in the file is checked against what was read.  A frame
 * longer than FF_KEEP keeps only its first FF_KEEP bytes (caplen is cut,
 * wirelen is not): the decoder needs headers, not payload, and the buffer
 * never grows after open.
 */
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture.h"
#include "file_format.h"
#include "util.h"

#define FILE_BUF	(256 * 1024)	/* > FF_WHOLE_MAX + FF_HEAD_MAX */
#define FILTER_DLTS	8		/* link types -f is compiled for */

/* -f compiled for one link type; ok 0: it cannot apply there. */
struct file_prog {
	int			 dlt;
	int			 ok;
	struct bpf_program	 prog;
};

struct capture {
	int			 fd;
	uint8_t			*buf;
	size_t			 start, end;	/* unparsed bytes buf[start..end) */
	int			 eof;
	struct ff_state		 ff;
	struct capture		*inner;		/* libpcap fallback, or NULL */
	const char		*filter;	/* -f, or NULL */
	struct file_prog	 progs[FILTER_DLTS];
	unsigned		 nprogs;
	int			 have_prog;	/* a filter applies */
	char			 err[256];
};

extern const struct capture_ops capture_libpcap_file;

/* Read until at least want bytes are buffered (or end of file). */
static int
fill(struct capture *c, size_t want)
{
	if (c->end - c->start >= want)
		return 0;
	if (c->start > 0) {
		memmove(c->buf, c->buf + c->start, c->end - c->start);
		c->end -= c->start;
		c->start = 0;
	}
	while (c->end < want && !c->eof) {
		ssize_t n = read(c->fd, c->buf + c->end, FILE_BUF - c->end);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			util_errmsg(c->err, sizeof(c->err), "read");
			return -1;
		}
		if (n == 0)
			c->eof = 1;
		c->end += (size_t)n;
	}
	return 0;
}

/* Drop n bytes of input, in the buffer or beyond it. */
static int
skip(struct capture *c, uint64_t n)
{
	size_t have = c->end - c->start;
	uint8_t sink[4096];

	if (n <= have) {
		c->start += (size_t)n;
		return 0;
	}
	n -= have;
	c->start = c->end = 0;
	while (n > 0) {
		ssize_t r = read(c->fd, sink, n < sizeof(sink) ? (size_t)n :
		    sizeof(sink));
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		n -= (uint64_t)r;
	}
	return 0;
}

/*
 * The filter compiled for link type dlt (once: a pcapng file may mix link
 * types, so each gets its own program).  NULL when it does not compile
 * for that link type, with libpcap's message in err, or when FILTER_DLTS
 * link types already have programs.
 */
static struct file_prog *
prog_for(struct capture *c, int dlt, char *err, size_t errlen)
{
	struct file_prog *fp;
	pcap_t *pc;
	unsigned i;

	for (i = 0; i < c->nprogs; i++)
		if (c->progs[i].dlt == dlt)
			return c->progs[i].ok ? &c->progs[i] : NULL;
	if (c->nprogs == FILTER_DLTS) {
		snprintf(err, errlen, "filter: more than %d link types",
		    FILTER_DLTS);
		return NULL;
	}
	fp = &c->progs[c->nprogs++];
	fp->dlt = dlt;
	fp->ok = 0;
	if ((pc = pcap_open_dead(dlt, FF_KEEP)) == NULL) {
		snprintf(err, errlen, "cannot initialise libpcap");
		return NULL;
	}
	if (pcap_compile(pc, &fp->prog, c->filter, 1,
	    PCAP_NETMASK_UNKNOWN) == -1)
		snprintf(err, errlen, "filter '%s': %s", c->filter,
		    pcap_geterr(pc));
	else
		fp->ok = 1;
	pcap_close(pc);
	return fp->ok ? fp : NULL;
}

/*
 * Compile -f for every link type the file has declared so far; it must
 * compile for at least one of them (the others' frames then never match).
 */
static int
attach_filter(struct capture *c, const struct capture_cfg *cfg, char *err,
    size_t errlen)
{
	int dlts[FILTER_DLTS];
	unsigned i, n, good = 0;

	if (cfg->filter == NULL)
		return 0;
	c->filter = cfg->filter;
	c->have_prog = 1;
	n = ff_datalinks(&c->ff, dlts, FILTER_DLTS);
	for (i = 0; i < n; i++)
		good += prog_for(c, dlts[i], err, errlen) != NULL;
	return good > 0 ? 0 : -1;
}

static void
file_close(struct capture *c)
{
	if (c == NULL)
		return;
	if (c->inner != NULL)
		capture_libpcap_file.close(c->inner);
	while (c->nprogs > 0)
		if (c->progs[--c->nprogs].ok)
			pcap_freecode(&c->progs[c->nprogs].prog);
	if (c->fd != -1)
		close(c->fd);
	free(c->buf);
	free(c);
}

static int
file_fd(struct capture *c)
{
	(void)c;
	return -1;
}

static int
file_datalink(struct capture *c)
{
	if (c->inner != NULL)
		return capture_libpcap_file.datalink(c->inner);
	return ff_datalink(&c->ff);
}

static unsigned
file_datalinks(struct capture *c, int *dlts, unsigned max)
{
	if (c->inner != NULL) {
		if (max == 0)
			return 0;
		dlts[0] = capture_libpcap_file.datalink(c->inner);
		return 1;
	}
	return ff_datalinks(&c->ff, dlts, max);
}

/*
 * A frame of a link type the filter cannot apply to (or first declared
 * after FILTER_DLTS others) never matches; a link type first declared
 * after open gets its program here, once.
 */
static int
filtered_out(struct capture *c, const struct pkt *p)
{
	struct pcap_pkthdr h;
	struct file_prog *fp;
	char err[PCAP_ERRBUF_SIZE + 64];

	if (!c->have_prog)
		return 0;
	if ((fp = prog_for(c, p->dlt, err, sizeof(err))) == NULL)
		return 1;
	memset(&h, 0, sizeof(h));
	h.caplen = p->caplen;
	h.len = p->wirelen;
	return pcap_offline_filter(&fp->prog, &h, p->data) == 0;
}

/*
 * Parse the next record into *r with its head buffered.  1: a record;
 * 0: end of file; -1: error (message in c->err).
 */
static int
step(struct capture *c, struct ff_rec *r)
{
	for (;;) {
		int rc;

		if (c->end - c->start < FF_HEAD_MAX && fill(c, FF_HEAD_MAX) == -1)
			return -1;
		if (c->start == c->end)
			return 0;
		rc = ff_record(&c->ff, c->buf + c->start, c->end - c->start,
		    r);
		if (rc == FF_OK)
			return 1;
		if (rc == FF_BAD) {
			snprintf(c->err, sizeof(c->err), "%s", c->ff.err);
			return -1;
		}
		if (fill(c, r->head) == -1)
			return -1;
		if (c->end - c->start < r->head) {
			snprintf(c->err, sizeof(c->err),
			    "truncated record at the end of the file");
			return -1;
		}
	}
}

static int
drop(struct capture *c, const struct ff_rec *r)
{
	if (r->total <= c->end - c->start) {
		c->start += (size_t)r->total;
		return 0;
	}
	if (skip(c, r->total) == 0)
		return 0;
	snprintf(c->err, sizeof(c->err),
	    "truncated record at the end of the file");
	return -1;
}

/*
 * Take in the file header, or every block before the first packet (all
 * the interfaces a pcapng file declares up front), so that the link types
 * are known.
 */
static int
prime(struct capture *c)
{
	struct ff_rec r;

	for (;;) {
		int rc = step(c, &r);

		/* A bad record once the link type is known is reported by
		 * next(), which meets it again, as libpcap reports it: after
		 * open, with the flows before it exported. */
		if (rc == -1 && ff_datalink(&c->ff) < 0)
			return -1;
		if (rc != 1 || r.packet)
			break;
		if (drop(c, &r) == -1)
			return -1;
	}
	if (ff_datalink(&c->ff) >= 0)
		return 0;
	snprintf(c->err, sizeof(c->err), "no link type: the file declares "
	    "no interface before its first packet");
	return -1;
}

/* Not a format parsed here: hand the file to libpcap. */
static struct capture *
open_fallback(struct capture *c, const struct capture_cfg *cfg, char *err,
    size_t errlen)
{
	c->inner = capture_libpcap_file.open(cfg, err, errlen);
	if (c->inner == NULL) {
		file_close(c);
		return NULL;
	}
	return c;
}

static struct capture *
file_open(const struct capture_cfg *cfg, char *err, size_t errlen)
{
	struct capture *c;

	if ((c = calloc(1, sizeof(*c))) == NULL ||
	    (c->buf = malloc(FILE_BUF)) == NULL) {
		free(c);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	c->fd = -1;
	if (strcmp(cfg->source, "-") == 0)
		return open_fallback(c, cfg, err, errlen);
	if ((c->fd = open(cfg->source, O_RDONLY | O_CLOEXEC)) == -1) {
		util_errmsg(err, errlen, "%s", cfg->source);
		file_close(c);
		return NULL;
	}
	if (fill(c, FF_HEAD_MAX) == -1 ||
	    ff_open(&c->ff, c->buf, c->end - c->start) != FF_OK) {
		close(c->fd);
		c->fd = -1;
		return open_fallback(c, cfg, err, errlen);
	}
	if (prime(c) == -1) {
		snprintf(err, errlen, "%s: %s", cfg->source, c->err);
		file_close(c);
		return NULL;
	}
	if (attach_filter(c, cfg, err, errlen) == -1) {
		file_close(c);
		return NULL;
	}
	return c;
}

/* A record's frame as the packet handed out; the record is dropped after. */
static void
to_pkt(const struct capture *c, const struct ff_rec *r, struct pkt *p)
{
	p->data = c->buf + c->start + r->data_off;
	p->caplen = r->data_len;
	p->wirelen = r->wirelen;
	p->ts_us = r->ts_us;
	p->ifindex = 0;
	p->direction = 0;
	p->dlt = r->dlt;
}

/*
 * Every case: other blocks, records to read in, filters, libpcap.  Not
 * inline, so that file_next() keeps a small frame for the usual packet.
 */
static PF_NOINLINE int
next_slow(struct capture *c, struct pkt *p)
{
	struct ff_rec r;

	if (c->inner != NULL)
		return capture_libpcap_file.next(c->inner, p);
	for (;;) {
		int rc = step(c, &r);

		if (rc != 1)
			return rc == 0 ? CAPTURE_EOF : -1;
		if (r.packet)
			to_pkt(c, &r, p);
		if (drop(c, &r) == -1)
			return -1;
		if (r.packet && !filtered_out(c, p))
			return 1;
	}
}

/*
 * The usual packet, a record whole in the buffer with no filter to pass,
 * takes ff_packet() inline and nothing else; the rest, next_slow().
 */
static int
file_next(struct capture *c, struct pkt *p)
{
	struct ff_rec r;

	if (c->inner == NULL && !c->have_prog &&
	    ff_packet(&c->ff, c->buf + c->start, c->end - c->start, &r) ==
	    FF_OK && r.total <= c->end - c->start) {
		to_pkt(c, &r, p);
		c->start += (size_t)r.total;
		return 1;
	}
	return next_slow(c, p);
}

static const char *
file_error(struct capture *c)
{
	if (c->inner != NULL)
		return capture_libpcap_file.error(c->inner);
	return c->err;
}

static int
file_stats(struct capture *c, struct capture_stats *st)
{
	(void)c;
	memset(st, 0, sizeof(*st));
	return -1;
}

const struct capture_ops capture_file = {
	.name = "file",
	.open = file_open,
	.fd = file_fd,
	.datalink = file_datalink,
	.datalinks = file_datalinks,
	.next = file_next,
	.error = file_error,
	.stats = file_stats,
	.close = file_close,
};
