/*
 * Walk a buffer read from a BSD /dev/bpf device, record by record, and
 * translate the device's link type to libpcap's file numbering.  Pure
 * functions, built on every OS, so that they are tested on Linux too; only
 * platform/capture_bpf.c calls them for real.
 *
 * struct bpf_hdr differs between systems (struct timeval, timeval32 or
 * bpf_timeval, 4- or 8-byte fields, BPF_ALIGNMENT 4 or 8), so the walker
 * is told the layout instead of including a system header.  The backend
 * derives it from its own <net/bpf.h> with offsetof and sizeof.
 */
#ifndef PF_BPF_WALK_H
#define PF_BPF_WALK_H

#include <stddef.h>
#include <stdint.h>

#include "capture.h"

/* Byte offsets in struct bpf_hdr; every field is in host byte order. */
struct bpf_walk_layout {
	uint8_t		sec_off, sec_size;	/* bh_tstamp seconds: 4 or 8 */
	uint8_t		usec_off, usec_size;	/* microseconds: 4 or 8 */
	uint8_t		caplen_off;		/* 4 bytes */
	uint8_t		datalen_off;		/* 4 bytes */
	uint8_t		hdrlen_off;		/* 2 bytes */
	uint8_t		align;			/* BPF_ALIGNMENT: 4 or 8 */
};

struct bpf_walk {
	struct bpf_walk_layout	 lay;
	size_t			 hdr_min;	/* bytes up to the last field */
	const uint8_t		*buf;
	size_t			 len, off;
	uint64_t		 skipped;	/* records with caplen > datalen */
	uint64_t		 abandoned;	/* buffer tails given up on */
};

/* 0, or -1 when the layout is impossible (bad sizes or alignment). */
int	bpf_walk_setup(struct bpf_walk *, const struct bpf_walk_layout *);
/* Start on a new buffer of len bytes, as read(2) returned it. */
void	bpf_walk_start(struct bpf_walk *, const uint8_t *buf, size_t len);
/*
 * 1: p->data, caplen, wirelen and ts_us describe the next frame (data
 * points into buf); 0: the buffer is done.  A header that does not fit
 * in what is left, or says the frame runs past the end, ends the buffer
 * (abandoned counts it); nothing after it can be framed.
 */
int	bpf_walk_next(struct bpf_walk *, struct pkt *p);

/* The device's DLT_* numbers that differ between systems or matter. */
struct bpf_walk_dlts {
	int		null, en10mb, ppp, raw, loop;
};

/*
 * The libpcap file link type (LINKTYPE_*) for a DLT the device reported,
 * or -1 when it is unknown.  Below 104 only the values named in the table
 * are trusted, because 12 and 14 mean different things on different
 * systems.  From 104 up libpcap shares one numbering and values pass
 * through; the few exceptions (FreeBSD's DLT_PFSYNC is 121, the file's
 * 246) are link types the decoder rejects either way, which
 * tests/integration/bsd_constants.py checks for every system.
 */
int	bpf_walk_linktype(const struct bpf_walk_dlts *, int dlt);

#endif
