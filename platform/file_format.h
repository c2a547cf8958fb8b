/*
 * Classic pcap and pcapng record parsing over a byte buffer: pure
 * functions, no I/O, every length checked against the bytes given.
 * capture_file.c does the reading; tests feed buffers directly.
 */
#ifndef PF_FILE_FORMAT_H
#define PF_FILE_FORMAT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define FF_HEAD_MAX	64	/* bytes that always show a record's size */
#define FF_KEEP		(64 * 1024)	/* frame bytes handed out at most */
#define FF_MAX_IF	64	/* pcapng interfaces per section */
/* pcapng blocks up to this size are buffered whole, so that the length
 * repeated at their end is checked; FF_NEED never asks for more. */
#define FF_WHOLE_MAX	(FF_KEEP + 4096)
/* libpcap's largest frame (MAXIMUM_SNAPLEN): a record that says it holds
 * more is corrupt, and a snap length of 0 or above it means this. */
#define FF_SNAP_MAX	262144U

enum {
	FF_OK = 0,
	FF_NEED = 1,		/* buffer r.head bytes, then call again */
	FF_SLOW = 2,		/* ff_packet(): not its case, see ff_record() */
	FF_BAD = -1,		/* corrupt file: message in err */
	FF_UNKNOWN = -2		/* neither pcap nor pcapng */
};

#define FF_NG_EPB	6U		/* pcapng Enhanced Packet Block */
#define FF_NG_BLOCK_MAX	(16U << 20)	/* as libpcap: larger is corrupt */

struct ff_if {
	int		dlt;
	uint32_t	snap;		/* snap length, 1..FF_SNAP_MAX */
	uint8_t		pow2;		/* tsresol is 2^-res, else 10^-res */
	uint8_t		res;
	int64_t		offset_s;	/* if_tsoffset */
	/* From those, once per interface: us = ticks * mul + off_us when
	 * mul is not 0 (10^-res, res <= 6: every usual resolution). */
	uint32_t	mul;
	uint64_t	off_us;
};

struct ff_state {
	int		ng;		/* 0 classic pcap, 1 pcapng */
	int		le;		/* little-endian file */
	int		swap;		/* file order is not the host's */
	int		nsec;		/* classic: nanosecond time stamps */
	int		header_done;	/* classic: file header consumed */
	int		dlt;		/* classic: the file's link type */
	uint32_t	keep;		/* classic: frame bytes handed out, the
					 * snap length up to FF_KEEP */
	struct ff_if	ifs[FF_MAX_IF];
	unsigned	nif;
	char		err[128];
};

/* What ff_record() found at the head of the buffer. */
struct ff_rec {
	uint64_t	total;		/* bytes the whole record takes */
	int		packet;		/* a frame (possibly 0 bytes long) */
	size_t		head;		/* with FF_NEED: bytes to buffer */
	size_t		data_off;	/* frame start within the record */
	uint32_t	data_len;	/* frame bytes present (<= FF_KEEP) */
	uint32_t	wirelen;
	uint64_t	ts_us;
	int		dlt;
};

/* Identify the format from the first bytes; FF_OK or FF_UNKNOWN. */
int	ff_open(struct ff_state *, const uint8_t *buf, size_t len);
/*
 * Parse the record at buf (len bytes buffered).  FF_OK: *r describes it
 * and any state it carries (file header, interface) was taken in; the
 * caller then drops r->total bytes.  Packet records change no state, so
 * they can be parsed again.
 */
int	ff_record(struct ff_state *, const uint8_t *buf, size_t len,
	    struct ff_rec *r);
/* Link type of the file (classic) or of its first interface (pcapng),
 * -1 before it is known. */
int	ff_datalink(const struct ff_state *);
/* The distinct link types of the file or of the interfaces declared so
 * far, in order, at most max into dlts; returns how many. */
unsigned ff_datalinks(const struct ff_state *, int *dlts, unsigned max);

/*
 * A 32-bit field in the file's byte order: one load, and a byte swap only
 * when that is not the host's (found at run time, so no #ifdef).
 */
static inline uint32_t
ff_rd32(const struct ff_state *s, const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	if (!s->swap)
		return v;
	return v >> 24 | (v >> 8 & 0xff00) | (v << 8 & 0xff0000) | v << 24;
}

/*
 * The per-packet case, inline so that the reader's loop makes no call: a
 * classic pcap record, or a pcapng Enhanced Packet Block on an interface
 * with a decimal time resolution, whose frame is whole in the len bytes
 * at b (for pcapng, the whole block: its trailing length is checked).
 * FF_OK with *r as ff_record() would set it (the unit tests hold the two
 * to that); FF_SLOW for anything else (other blocks, bytes still to read,
 * odd or corrupt lengths), which ff_record() then parses or reports, *r
 * meaning nothing.  Every length is checked as ff_record() checks it.
 */
static inline int
ff_packet(const struct ff_state *s, const uint8_t *b, size_t len,
    struct ff_rec *r)
{
	uint32_t caplen, orig;
	size_t off;

	if (!s->ng) {
		uint32_t frac;

		if (!s->header_done || len < 16)
			return FF_SLOW;
		off = 16;
		caplen = ff_rd32(s, b + 8);
		if (caplen > FF_SNAP_MAX)
			return FF_SLOW;
		frac = ff_rd32(s, b + 4);
		r->total = 16 + (uint64_t)caplen;
		r->ts_us = (uint64_t)ff_rd32(s, b) * 1000000 +
		    (s->nsec ? frac / 1000 : frac);
		r->dlt = s->dlt;
		orig = ff_rd32(s, b + 12);
		r->data_len = caplen < s->keep ? caplen : s->keep;
	} else {
		const struct ff_if *f;
		uint32_t blen, id;

		if (len < 28 || ff_rd32(s, b) != FF_NG_EPB)
			return FF_SLOW;
		off = 28;
		blen = ff_rd32(s, b + 4);
		id = ff_rd32(s, b + 8);
		caplen = ff_rd32(s, b + 20);
		if (blen < 32 || blen % 4 != 0 || blen > len ||
		    caplen > blen - 32 || id >= s->nif || s->ifs[id].mul == 0 ||
		    caplen > s->ifs[id].snap || ff_rd32(s, b + blen - 4) != blen)
			return FF_SLOW;
		f = &s->ifs[id];
		r->total = blen;
		r->ts_us = ((uint64_t)ff_rd32(s, b + 12) << 32 |
		    ff_rd32(s, b + 16)) * f->mul + f->off_us;
		r->dlt = f->dlt;
		orig = ff_rd32(s, b + 24);
		r->data_len = caplen < FF_KEEP ? caplen : FF_KEEP;
	}
	if (len < off + r->data_len)
		return FF_SLOW;
	r->data_off = off;
	r->packet = 1;
	r->wirelen = orig > caplen ? orig : caplen;
	return FF_OK;
}

#endif
