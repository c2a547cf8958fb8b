/*
 * libFuzzer target for QUIC Initials (quic.c), also linked with replay.c
 * for a plain build.  Random bytes almost never pass the AEAD tag, so
 * besides opening the input as a datagram the target seals it first, as
 * a client would, and so reaches the frame walk, the reassembly and the
 * ClientHello parser behind the tag.
 *
 * Input: a control byte, then
 *	ctrl & 1	version 2 (else 1)
 *	ctrl & 2	raw: the rest is one datagram, opened as it is
 *	otherwise	up to 4 chunks of len_hi, len_lo, payload[len], each
 *			sealed as the client's Initial number i and put into
 *			one CRYPTO stream in order, the hello read after each
 * Seeds in tests/fuzz/corpus/quic (tests/fuzz/mkseeds.py).
 */
#include <stdlib.h>
#include <string.h>

#include <nettle/aes.h>
#include <nettle/gcm.h>

#include "appname.h"
#include "quic.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)	do { if (!(cond)) abort(); } while (0)
#define PKT_MAX		2300	/* over QUIC_BUF: QUIC_BIG is reached */

static const uint8_t dcid[8] = {
	0x83, 0x94, 0xc8, 0xf0, 0x3e, 0x51, 0x57, 0x08
};

/* The stream as app.c keeps it: a TLS record header, then the bytes. */
struct stream {
	uint8_t		b[4096];
	uint16_t	have;
	uint32_t	island;
	int		lost;
};

#include "../unit/initial_seal.h"


/* Open one datagram (an exact-size copy) and feed what it gives to s. */
static enum quic_result
open_feed(const uint8_t *p, size_t len, struct stream *s)
{
	struct quic_crypto fr[QUIC_FRAMES];
	uint8_t buf[QUIC_BUF], *c = malloc(len ? len : 1);
	enum quic_result r;
	struct appname nm;
	size_t n = 99, i, need;
	int grew = 0, k;

	CHECK(c != NULL);
	memcpy(c, p, len);
	r = quic_initial(c, len, buf, fr, &n);
	free(c);
	CHECK(r == QUIC_NOT || r == QUIC_BAD || r == QUIC_BIG ||
	    r == QUIC_OK);
	CHECK(n <= QUIC_FRAMES);
	if (r != QUIC_OK)
		return r;
	for (i = 0; i < n; i++) {
		CHECK(fr[i].data >= buf && fr[i].len <= QUIC_BUF &&
		    (size_t)(fr[i].data - buf) <= QUIC_BUF - fr[i].len);
		CHECK(i == 0 || fr[i - 1].off <= fr[i].off);
		if (s->lost)
			continue;
		k = quic_crypto_put(s->b + 5, sizeof(s->b) - 5, &s->have,
		    &s->island, fr[i].off, fr[i].data, fr[i].len);
		CHECK(k >= -1 && k <= 1);
		CHECK(s->have <= sizeof(s->b) - 5);
		if (k < 0)
			s->lost = 1;
		grew |= k > 0;
	}
	if (grew && !s->lost) {
		enum appname_result a = appname_tls(s->b, 5 + (size_t)s->have,
		    &nm, &need);

		CHECK(a != APPNAME_MORE || need > 5 + (size_t)s->have);
		CHECK(a != APPNAME_FOUND || (nm.len > 0 &&
		    nm.name[nm.len] == '\0'));
	}
	return r;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t rec[5] = { 22, 3, 1, 0xff, 0xff };
	uint8_t pkt[PKT_MAX + 64];
	struct stream s;
	uint32_t version;
	size_t off = 1, i;

	if (size == 0)
		return 0;
	version = data[0] & 1 ? QUIC_V2 : QUIC_V1;
	memset(&s, 0, sizeof(s));
	memcpy(s.b, rec, sizeof(rec));
	if (data[0] & 2) {
		(void)open_feed(data + 1, size - 1, &s);
		return 0;
	}
	for (i = 0; i < 4 && off + 2 <= size; i++) {
		size_t len = (size_t)data[off] << 8 | data[off + 1];
		enum quic_result r;

		off += 2;
		if (len > size - off)
			len = size - off;
		if (len > PKT_MAX - 64)
			len = PKT_MAX - 64;
		r = open_feed(pkt, seal(version, (uint32_t)i, data + off, len,
		    pkt), &s);
		/* sealed right, it opens unless too big or its frames break */
		CHECK(r != QUIC_NOT);
		CHECK(r != QUIC_BIG || len > QUIC_BUF - 64 ||
		    len > QUIC_FRAMES * 3);
		off += len;
	}
	return 0;
}
