/*
 * The /dev/bpf read-buffer walker and link-type translation; see
 * bpf_walk.h.  Header fields are copied out with memcpy (no struct casts,
 * any alignment) and none of them is believed until it has been checked
 * against the bytes that read(2) returned.
 */
#include <string.h>

#include "bpf_walk.h"

/* File link types (LINKTYPE_*) the translation produces. */
#define LT_NULL		0
#define LT_EN10MB	1
#define LT_PPP		9
#define LT_RAW		101
#define LT_LOOP		108
#define LT_MATCHING_MIN	104	/* from here on DLT_x == LINKTYPE_x */

static size_t
field_end(unsigned off, unsigned size)
{
	return (size_t)off + size;
}

int
bpf_walk_setup(struct bpf_walk *w, const struct bpf_walk_layout *l)
{
	size_t end;

	if ((l->sec_size != 4 && l->sec_size != 8) ||
	    (l->usec_size != 4 && l->usec_size != 8) ||
	    (l->align != 4 && l->align != 8))
		return -1;
	memset(w, 0, sizeof(*w));
	w->lay = *l;
	end = field_end(l->sec_off, l->sec_size);
	if (field_end(l->usec_off, l->usec_size) > end)
		end = field_end(l->usec_off, l->usec_size);
	if (field_end(l->caplen_off, 4) > end)
		end = field_end(l->caplen_off, 4);
	if (field_end(l->datalen_off, 4) > end)
		end = field_end(l->datalen_off, 4);
	if (field_end(l->hdrlen_off, 2) > end)
		end = field_end(l->hdrlen_off, 2);
	w->hdr_min = end;
	return 0;
}

void
bpf_walk_start(struct bpf_walk *w, const uint8_t *buf, size_t len)
{
	w->buf = buf;
	w->len = len;
	w->off = 0;
}

/* An unsigned host-order field of 2, 4 or 8 bytes. */
static uint64_t
get(const uint8_t *p, unsigned size)
{
	uint16_t v16;
	uint32_t v32;
	uint64_t v64;

	switch (size) {
	case 2:
		memcpy(&v16, p, 2);
		return v16;
	case 4:
		memcpy(&v32, p, 4);
		return v32;
	default:
		memcpy(&v64, p, 8);
		return v64;
	}
}

/*
 * Microseconds since 1970.  8-byte seconds are a signed time_t: negative
 * ones give 0, as the pcap reader does.  4-byte seconds are read unsigned
 * (OpenBSD's bpf_timeval is u_int32_t; macOS's timeval32 is int32_t, and
 * past 2038 unsigned is the right reading there too).  Microseconds out of
 * range are dropped rather than carried into the seconds; seconds too
 * large for the result give 0.
 */
static uint64_t
timestamp(const struct bpf_walk *w, const uint8_t *h)
{
	const struct bpf_walk_layout *l = &w->lay;
	uint64_t sec, usec;

	sec = get(h + l->sec_off, l->sec_size);
	usec = get(h + l->usec_off, l->usec_size);
	if (usec >= 1000000)
		usec = 0;
	if (l->sec_size == 8 && (sec >> 63) != 0)
		return 0;
	if (sec > (UINT64_MAX - 999999) / 1000000)
		return 0;
	return sec * 1000000 + usec;
}

int
bpf_walk_next(struct bpf_walk *w, struct pkt *p)
{
	const struct bpf_walk_layout *l = &w->lay;
	const uint8_t *h;
	size_t left, hdrlen, caplen, datalen, step;

	for (;;) {
		if (w->off >= w->len)
			return 0;
		left = w->len - w->off;
		h = w->buf + w->off;
		if (left < w->hdr_min)
			goto abandon;
		hdrlen = (size_t)get(h + l->hdrlen_off, 2);
		caplen = (size_t)get(h + l->caplen_off, 4);
		datalen = (size_t)get(h + l->datalen_off, 4);
		/* hdrlen >= hdr_min > 0 is also what makes every step
		 * advance, so a zeroed header cannot spin. */
		if (hdrlen < w->hdr_min || hdrlen > left ||
		    caplen > left - hdrlen)
			goto abandon;
		/* step <= left, so the rounding cannot wrap; a step that
		 * rounds past the end simply ends the buffer. */
		step = hdrlen + caplen;
		step = (step + l->align - 1) & ~(size_t)(l->align - 1);
		w->off = step >= left ? w->len : w->off + step;
		if (caplen > datalen) {
			/* Framed correctly but inconsistent: the kernel never
			 * writes this, so the frame is not believed. */
			w->skipped++;
			continue;
		}
		p->data = h + hdrlen;
		p->caplen = (uint32_t)caplen;
		p->wirelen = (uint32_t)datalen;
		p->ts_us = timestamp(w, h);
		return 1;
	}
abandon:
	w->abandoned++;
	w->off = w->len;
	return 0;
}

int
bpf_walk_linktype(const struct bpf_walk_dlts *d, int dlt)
{
	if (dlt == d->en10mb)
		return LT_EN10MB;
	if (dlt == d->null)
		return LT_NULL;
	if (dlt == d->raw)
		return LT_RAW;
	if (dlt == d->loop)
		return LT_LOOP;
	if (dlt == d->ppp)
		return LT_PPP;
	return dlt >= LT_MATCHING_MIN ? dlt : -1;
}
