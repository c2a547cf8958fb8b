/*
 * Classic pcap (us and ns, either byte order) and pcapng (SHB, IDB, EPB,
 * SPB, obsolete PB; several sections and interfaces) record parsing.
 * Only the bytes given are read; lengths from the file are checked before
 * use and against overflow.
 *
 * What libpcap 1.10 refuses is refused here too, so that --libpcap-reader
 * reads the same files: pcap versions other than 2.0-2.4 and 543.0,
 * pcapng sections other than 1.0 and 1.2, a block whose trailing length
 * differs from its leading one, a record longer than FF_SNAP_MAX or (pcapng)
 * than its interface's snap length.  Like libpcap, a classic record longer
 * than the file's snap length is cut to it.  Unlike libpcap, interfaces of
 * different link types may share a section (README, --libpcap-reader).
 */
#include <stdio.h>
#include <string.h>

#include "file_format.h"

#define PCAP_MAGIC_US	0xa1b2c3d4U
#define PCAP_MAGIC_NS	0xa1b23c4dU
#define NG_SHB		0x0a0d0d0aU
#define NG_IDB		1U
#define NG_PB		2U	/* obsolete packet block */
#define NG_SPB		3U
#define NG_EPB		FF_NG_EPB
#define NG_BOM		0x1a2b3c4dU
#define NG_BLOCK_MAX	FF_NG_BLOCK_MAX
#define LINKTYPE_MASK	0x03ffffffU

/* Frame bytes handed out for a frame of caplen bytes. */
static uint32_t
keep(uint32_t caplen)
{
	return caplen < FF_KEEP ? caplen : FF_KEEP;
}

static inline uint16_t
rd16(const struct ff_state *s, const uint8_t *p)
{
	return s->le ? (uint16_t)(p[1] << 8 | p[0]) :
	    (uint16_t)(p[0] << 8 | p[1]);
}

static int
host_is_le(void)
{
	const uint16_t one = 1;
	uint8_t b[2];

	memcpy(b, &one, sizeof(b));
	return b[0] == 1;
}

static void
set_order(struct ff_state *s, int le)
{
	s->le = le;
	s->swap = le != host_is_le();
}

static uint32_t
be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static int
bad(struct ff_state *s, const char *what)
{
	snprintf(s->err, sizeof(s->err), "%s", what);
	return FF_BAD;
}

int
ff_open(struct ff_state *s, const uint8_t *buf, size_t len)
{
	uint32_t m;

	memset(s, 0, sizeof(*s));
	s->dlt = -1;
	if (len < 4)
		return FF_UNKNOWN;
	m = be32(buf);
	if (m == NG_SHB) {
		s->ng = 1;
		set_order(s, 0);	/* until the SHB's byte-order magic */
		return FF_OK;
	}
	if (m == PCAP_MAGIC_US || m == PCAP_MAGIC_NS)
		set_order(s, 0);
	else if (m == 0xd4c3b2a1U || m == 0x4d3cb2a1U)
		set_order(s, 1);
	else
		return FF_UNKNOWN;
	s->nsec = m == PCAP_MAGIC_NS || m == 0x4d3cb2a1U;
	return FF_OK;
}

int
ff_datalink(const struct ff_state *s)
{
	if (!s->ng)
		return s->dlt;
	return s->nif > 0 ? s->ifs[0].dlt : -1;
}

unsigned
ff_datalinks(const struct ff_state *s, int *dlts, unsigned max)
{
	unsigned i, j, n = 0;

	if (!s->ng) {
		if (s->dlt < 0 || max == 0)
			return 0;
		dlts[0] = s->dlt;
		return 1;
	}
	for (i = 0; i < s->nif && n < max; i++) {
		int seen = 0;

		for (j = 0; j < n; j++)
			seen |= dlts[j] == s->ifs[i].dlt;
		if (!seen)
			dlts[n++] = s->ifs[i].dlt;
	}
	return n;
}

/* A snap length as libpcap takes it: 0 or too large means the largest. */
static uint32_t
snap_len(uint32_t snap)
{
	return snap == 0 || snap > FF_SNAP_MAX ? FF_SNAP_MAX : snap;
}

static int
need(struct ff_rec *r, size_t n)
{
	r->head = n;
	return FF_NEED;
}

/* Classic file header: version 2.0 to 2.4, or 543.0 (DG/UX), as libpcap. */
static int
pcap_header(struct ff_state *s, const uint8_t *b, struct ff_rec *r)
{
	uint16_t major = rd16(s, b + 4), minor = rd16(s, b + 6);
	uint32_t snap = snap_len(ff_rd32(s, b + 16));

	if (major < 2)
		return bad(s, "archaic pcap savefile format");
	if (!((major == 2 && minor <= 4) || (major == 543 && minor == 0))) {
		snprintf(s->err, sizeof(s->err), "unsupported pcap savefile "
		    "version %u.%u", major, minor);
		return FF_BAD;
	}
	s->dlt = (int)(ff_rd32(s, b + 20) & LINKTYPE_MASK);
	s->keep = snap < FF_KEEP ? snap : FF_KEEP;
	s->header_done = 1;
	r->total = 24;
	return FF_OK;
}

static int
pcap_record(struct ff_state *s, const uint8_t *b, size_t len,
    struct ff_rec *r)
{
	uint32_t sec, frac, incl, orig;

	if (!s->header_done) {
		if (len < 24)
			return need(r, 24);
		return pcap_header(s, b, r);
	}
	if (len < 16)
		return need(r, 16);
	sec = ff_rd32(s, b);
	frac = ff_rd32(s, b + 4);
	incl = ff_rd32(s, b + 8);
	orig = ff_rd32(s, b + 12);
	if (incl > FF_SNAP_MAX) {
		snprintf(s->err, sizeof(s->err), "invalid packet capture "
		    "length %u, more than %u", incl, FF_SNAP_MAX);
		return FF_BAD;
	}
	r->total = 16 + (uint64_t)incl;
	r->packet = 1;
	r->data_off = 16;
	r->data_len = incl < s->keep ? incl : s->keep;
	if (len < 16 + (size_t)r->data_len)
		return need(r, 16 + (size_t)r->data_len);
	r->wirelen = orig > incl ? orig : incl;
	r->ts_us = (uint64_t)sec * 1000000 + (s->nsec ? frac / 1000 : frac);
	r->dlt = s->dlt;
	return FF_OK;
}

static const uint32_t p10[] = { 1, 10, 100, 1000, 10000, 100000, 1000000 };

/* Microseconds from an interface's time stamp ticks. */
static uint64_t
ng_usec(const struct ff_if *f, uint64_t t)
{
	uint64_t us;
	unsigned e = f->res;

	if (f->mul != 0)
		return t * f->mul + f->off_us;
	if (f->pow2) {
		uint64_t frac;

		if (e >= 64)
			return 0;
		frac = t & ((e ? (uint64_t)1 << e : 1) - 1);
		us = (t >> e) * 1000000;
		if (e > 44) {		/* keep frac * 1e6 within 64 bits */
			frac >>= e - 44;
			e = 44;
		}
		us += (frac * 1000000) >> e;
	} else if (e <= 6)
		us = t * p10[6 - e];
	else {
		for (us = t; e > 6 && us != 0; e--)
			us /= 10;
	}
	return us + f->off_us;
}

/* Interface options: if_tsresol (9) and if_tsoffset (14). */
static void
ng_idb_options(struct ff_state *s, struct ff_if *f, const uint8_t *o,
    size_t n)
{
	while (n >= 4) {
		uint16_t code = rd16(s, o), olen = rd16(s, o + 2);
		uint64_t v;

		if (code == 0 || (size_t)olen > n - 4)
			return;
		if (code == 9 && olen >= 1) {
			f->pow2 = (o[4] & 0x80) != 0;
			f->res = o[4] & 0x7f;
		} else if (code == 14 && olen >= 8) {
			v = s->le ? (uint64_t)ff_rd32(s, o + 8) << 32 |
			    ff_rd32(s, o + 4) : (uint64_t)ff_rd32(s, o + 4) << 32 |
			    ff_rd32(s, o + 8);
			f->offset_s = (int64_t)v;
		}
		olen = (uint16_t)((olen + 3U) & ~3U);
		if ((size_t)olen > n - 4)
			return;
		o += 4 + olen;
		n -= 4 + (size_t)olen;
	}
}

/* b holds have bytes of a blen-byte interface block. */
static int
ng_idb(struct ff_state *s, const uint8_t *b, uint32_t blen, size_t have)
{
	struct ff_if *f;

	if (blen < 20)
		return bad(s, "pcapng: interface block too short");
	if (s->nif == FF_MAX_IF)
		return bad(s, "pcapng: too many interfaces");
	f = &s->ifs[s->nif++];
	memset(f, 0, sizeof(*f));
	f->dlt = rd16(s, b + 8);
	f->snap = snap_len(ff_rd32(s, b + 12));
	f->res = 6;
	/* Options run to the trailing length word; those past what was
	 * buffered (a huge block) are not read. */
	ng_idb_options(s, f, b + 16, have == blen ? have - 20 : have - 16);
	if (f->offset_s > 0)
		f->off_us = (uint64_t)f->offset_s * 1000000;
	if (!f->pow2 && f->res <= 6)
		f->mul = p10[6 - f->res];
	return FF_OK;
}

static int
ng_packet(struct ff_state *s, const uint8_t *b, size_t len, uint32_t type,
    uint32_t blen, struct ff_rec *r)
{
	uint32_t id, caplen, orig, hi = 0, lo = 0;
	size_t off;

	if (type == NG_SPB) {
		if (blen < 16)
			return bad(s, "pcapng: simple packet block too short");
		if (s->nif == 0)
			return bad(s, "pcapng: packet for an undeclared "
			    "interface");
		id = 0;
		orig = ff_rd32(s, b + 8);
		caplen = orig < blen - 16 ? orig : blen - 16;
		if (caplen > s->ifs[0].snap)
			caplen = s->ifs[0].snap;
		off = 12;
	} else {
		off = 28;
		if (blen < off + 4)
			return bad(s, "pcapng: packet block too short");
		if (len < off)
			return need(r, off);
		id = type == NG_EPB ? ff_rd32(s, b + 8) : rd16(s, b + 8);
		hi = ff_rd32(s, b + 12);
		lo = ff_rd32(s, b + 16);
		caplen = ff_rd32(s, b + 20);
		orig = ff_rd32(s, b + 24);
		if (caplen > blen - off - 4)
			return bad(s, "pcapng: packet longer than its block");
	}
	if (id >= s->nif)
		return bad(s, "pcapng: packet for an undeclared interface");
	if (caplen > s->ifs[id].snap) {
		snprintf(s->err, sizeof(s->err), "pcapng: invalid packet "
		    "capture length %u, more than the snap length %u", caplen,
		    s->ifs[id].snap);
		return FF_BAD;
	}
	r->packet = 1;
	r->data_off = off;
	r->data_len = keep(caplen);
	if (len < off + r->data_len)
		return need(r, off + r->data_len);
	r->wirelen = orig > caplen ? orig : caplen;
	r->ts_us = type == NG_SPB ? 0 :
	    ng_usec(&s->ifs[id], (uint64_t)hi << 32 | lo);
	r->dlt = s->ifs[id].dlt;
	return FF_OK;
}

/* Section header: versions 1.0 and 1.2, the ones libpcap reads. */
static int
ng_shb(struct ff_state *s, const uint8_t *b, uint32_t blen, size_t len,
    struct ff_rec *r)
{
	uint16_t major, minor;

	if (blen < 28)
		return bad(s, "pcapng: section header block too short");
	if (len < 16)
		return need(r, 16);
	major = rd16(s, b + 12);
	minor = rd16(s, b + 14);
	if (major != 1 || (minor != 0 && minor != 2)) {
		snprintf(s->err, sizeof(s->err), "unsupported pcapng savefile "
		    "version %u.%u", major, minor);
		return FF_BAD;
	}
	s->nif = 0;	/* a new section declares its own */
	return FF_OK;
}

static int
pcapng_record(struct ff_state *s, const uint8_t *b, size_t len,
    struct ff_rec *r)
{
	uint32_t type, blen;

	if (len < 12)
		return need(r, 12);
	type = ff_rd32(s, b);
	if (type == NG_SHB) {
		uint32_t bom = be32(b + 8);

		if (bom == NG_BOM)
			set_order(s, 0);
		else if (bom == 0x4d3c2b1aU)
			set_order(s, 1);
		else
			return bad(s, "pcapng: bad byte-order magic");
	}
	blen = ff_rd32(s, b + 4);
	if (blen < 12 || blen % 4 != 0 || blen > NG_BLOCK_MAX)
		return bad(s, "pcapng: bad block length");
	if (blen <= FF_WHOLE_MAX) {
		if (len < blen)
			return need(r, blen);
		if (ff_rd32(s, b + blen - 4) != blen)
			return bad(s, "pcapng: block length at its end differs "
			    "from the one at its start");
	}
	r->total = blen;
	if (type == NG_EPB || type == NG_PB || type == NG_SPB)
		return ng_packet(s, b, len, type, blen, r);
	if (type == NG_SHB)
		return ng_shb(s, b, blen, len, r);
	if (type == NG_IDB) {
		size_t want = keep(blen);

		if (len < want)
			return need(r, want);
		return ng_idb(s, b, blen, want);
	}
	return FF_OK;	/* statistics, name resolution, ...: skipped */
}

int
ff_record(struct ff_state *s, const uint8_t *buf, size_t len,
    struct ff_rec *r)
{
	/* No memset: this runs per packet; every path sets what it uses. */
	r->packet = 0;
	r->data_len = 0;
	return s->ng ? pcapng_record(s, buf, len, r) :
	    pcap_record(s, buf, len, r);
}
