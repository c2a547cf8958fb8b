/*
 * QUIC client Initials (see quic.h): keys from the connection ID
 * (HKDF-SHA256), header protection (AES-128), payload (AES-128-GCM, tag
 * checked), all through Nettle; then the frames an Initial may carry.
 *
 * The tag is checked because it is what tells a client's Initial from a
 * server's (same header, other keys) and from bytes that only look like
 * one: without it they would decrypt to noise that the frame walk and the
 * ClientHello parser would have to reject by luck.  It costs one GHASH
 * pass over a ~1200-byte packet, on the first few packets of a flow.
 */
#include <stdbool.h>
#include <string.h>

#include <nettle/aes.h>
#include <nettle/gcm.h>
#include <nettle/hkdf.h>
#include <nettle/hmac.h>

#include "cursor.h"
#include "quic.h"

#define CID_MAX		20	/* RFC 9000 section 17.2, version 1 and 2 */
#define PN_MAX		4
#define SAMPLE_LEN	16
#define TAG_LEN		16
#define KEY_LEN		16
#define IV_LEN		12
#define TYPE_BITS	0x30	/* the long header's packet type */

/* The frames RFC 9000 (section 12.4, table 3) allows in an Initial. */
#define F_PADDING	0x00
#define F_PING		0x01
#define F_ACK		0x02
#define F_ACK_ECN	0x03
#define F_CRYPTO	0x06
#define F_CLOSE		0x1c

struct version {
	uint32_t	version;
	uint8_t		initial;	/* Initial's type bits */
	uint8_t		salt[20];
	const char	*key, *iv, *hp;	/* HKDF labels */
};

/* RFC 9001 section 5.2; RFC 9369 sections 3.2, 3.3.1, 3.3.2. */
static const struct version versions[] = {
	{ QUIC_V1, 0x00, { 0x38, 0x76, 0x2c, 0xf7, 0xf5, 0x59, 0x34, 0xb3,
	    0x4d, 0x17, 0x9a, 0xe6, 0xa4, 0xc8, 0x0c, 0xad, 0xcc, 0xbb, 0x7f,
	    0x0a }, "quic key", "quic iv", "quic hp" },
	{ QUIC_V2, 0x10, { 0x0d, 0xed, 0xe3, 0xde, 0xf7, 0x00, 0xa6, 0xdb,
	    0x81, 0x93, 0x81, 0xbe, 0x6e, 0x26, 0x9d, 0xcb, 0xf9, 0xbd, 0x2e,
	    0xd9 }, "quicv2 key", "quicv2 iv", "quicv2 hp" },
};

static const struct version *
version_of(uint32_t v)
{
	size_t i;

	for (i = 0; i < sizeof(versions) / sizeof(versions[0]); i++)
		if (versions[i].version == v)
			return &versions[i];
	return NULL;
}

/* Nettle's HKDF takes the MAC through these (void *) signatures. */
static void
mac_update(void *ctx, size_t len, const uint8_t *data)
{
	hmac_sha256_update(ctx, len, data);
}

static void
mac_digest(void *ctx, size_t len, uint8_t *out)
{
	hmac_sha256_digest(ctx, len, out);
}

/* TLS 1.3's HKDF-Expand-Label (RFC 8446 section 7.1), empty context. */
static void
expand_label(const uint8_t *secret, const char *label, uint8_t *out,
    size_t len)
{
	struct hmac_sha256_ctx h;
	uint8_t info[2 + 1 + 6 + 16 + 1];
	size_t n = strlen(label);	/* ours: at most 10 */

	info[0] = 0;
	info[1] = (uint8_t)len;
	info[2] = (uint8_t)(6 + n);
	memcpy(info + 3, "tls13 ", 6);
	memcpy(info + 9, label, n);
	info[9 + n] = 0;
	hmac_sha256_set_key(&h, SHA256_DIGEST_SIZE, secret);
	hkdf_expand(&h, mac_update, mac_digest, SHA256_DIGEST_SIZE, 10 + n,
	    info, len, out);
}

static void
keys_of(const struct version *v, const uint8_t *dcid, size_t dcid_len,
    uint8_t *key, uint8_t *iv, uint8_t *hp)
{
	uint8_t prk[SHA256_DIGEST_SIZE], secret[SHA256_DIGEST_SIZE];
	struct hmac_sha256_ctx h;

	hmac_sha256_set_key(&h, sizeof(v->salt), v->salt);
	hkdf_extract(&h, mac_update, mac_digest, SHA256_DIGEST_SIZE, dcid_len,
	    dcid, prk);
	expand_label(prk, "client in", secret, sizeof(secret));
	expand_label(secret, v->key, key, KEY_LEN);
	expand_label(secret, v->iv, iv, IV_LEN);
	expand_label(secret, v->hp, hp, KEY_LEN);
}

int
quic_initial_keys(uint32_t version, const uint8_t *dcid, size_t dcid_len,
    uint8_t key[16], uint8_t iv[12], uint8_t hp[16])
{
	const struct version *v = version_of(version);

	if (v == NULL)
		return -1;
	keys_of(v, dcid, dcid_len, key, iv, hp);
	return 0;
}

/* A variable-length integer (RFC 9000 section 16). */
static bool
varint(struct cursor *c, uint64_t *v)
{
	uint8_t b;
	size_t n, i;

	if (!cur_peek_u8(c, 0, &b))
		return false;
	n = (size_t)1 << (b >> 6);
	if (!cur_need(c, n))
		return false;
	*v = b & 0x3f;
	for (i = 1; i < n; i++)
		*v = *v << 8 | c->p[i];
	return cur_skip(c, n);
}

/* n varints, skipped. */
static bool
varints(struct cursor *c, unsigned n)
{
	uint64_t v;

	while (n-- > 0)
		if (!varint(c, &v))
			return false;
	return true;
}

/* A CRYPTO frame into fr, kept sorted by offset. */
static enum quic_result
crypto_frame(struct cursor *c, struct quic_crypto *fr, size_t *nfr)
{
	uint64_t off, len;
	size_t i;

	if (!varint(c, &off) || !varint(c, &len) || len > cur_left(c))
		return QUIC_BAD;
	if (*nfr == QUIC_FRAMES)
		return QUIC_BIG;
	for (i = *nfr; i > 0 && fr[i - 1].off > off; i--)
		fr[i] = fr[i - 1];
	fr[i].off = off;
	fr[i].data = c->p;
	fr[i].len = (size_t)len;
	(*nfr)++;
	(void)cur_skip(c, (size_t)len);
	return QUIC_OK;
}

/* The decrypted payload's frames, until one an Initial may not carry. */
static enum quic_result
frames(const uint8_t *p, size_t len, struct quic_crypto *fr, size_t *nfr)
{
	enum quic_result r;
	struct cursor c;
	uint64_t type, n, i;

	cur_init(&c, p, len);
	while (varint(&c, &type)) {
		switch (type) {
		case F_PADDING:
		case F_PING:
			break;
		case F_ACK:
		case F_ACK_ECN:
			/* largest, delay, range count, first range; then the
			 * ranges, each >= 2 bytes, so the loop ends with the
			 * bytes whatever the count says */
			if (!varints(&c, 2) || !varint(&c, &n) ||
			    !varints(&c, 1))
				return QUIC_BAD;
			for (i = 0; i < n; i++)
				if (!varints(&c, 2))
					return QUIC_BAD;
			if (type == F_ACK_ECN && !varints(&c, 3))
				return QUIC_BAD;
			break;
		case F_CRYPTO:
			if ((r = crypto_frame(&c, fr, nfr)) != QUIC_OK)
				return r;
			break;
		case F_CLOSE:
			/* error code, frame type, reason phrase */
			if (!varints(&c, 2) || !varint(&c, &n) ||
			    n > cur_left(&c))
				return QUIC_BAD;
			(void)cur_skip(&c, (size_t)n);
			break;
		default:
			return QUIC_OK;
		}
	}
	return QUIC_OK;
}

/*
 * Header protection off (RFC 9001 section 5.4.1) and the payload opened
 * (section 5.3), in buf, which holds the packet's total bytes with its
 * packet number at pn_off.  The payload's length, or 0 if the tag fails.
 */
static size_t
unprotect(uint8_t *buf, size_t pn_off, size_t total, const uint8_t *key,
    const uint8_t *iv, const uint8_t *hp)
{
	uint8_t mask[AES_BLOCK_SIZE], nonce[IV_LEN], tag[TAG_LEN];
	struct gcm_aes128_ctx g;
	struct aes128_ctx a;
	size_t pn_len, hdr, clen, i;

	aes128_set_encrypt_key(&a, hp);
	aes128_encrypt(&a, AES_BLOCK_SIZE, mask, buf + pn_off + PN_MAX);
	buf[0] ^= mask[0] & 0x0f;
	pn_len = (size_t)(buf[0] & 0x03) + 1;
	/*
	 * The packet number is what its pn_len bytes say: a client's first
	 * Initials count from 0, far below where the truncated number would
	 * need the largest one acknowledged to expand it.
	 */
	memcpy(nonce, iv, IV_LEN);
	for (i = 0; i < pn_len; i++) {
		buf[pn_off + i] ^= mask[1 + i];
		nonce[IV_LEN - pn_len + i] ^= buf[pn_off + i];
	}
	hdr = pn_off + pn_len;
	clen = total - hdr - TAG_LEN;
	gcm_aes128_set_key(&g, key);
	gcm_aes128_set_iv(&g, IV_LEN, nonce);
	gcm_aes128_update(&g, hdr, buf);
	gcm_aes128_decrypt(&g, clen, buf + hdr, buf + hdr);
	gcm_aes128_digest(&g, TAG_LEN, tag);
	if (memcmp(tag, buf + hdr + clen, TAG_LEN) != 0)
		return 0;
	return clen;
}

enum quic_result
quic_initial(const uint8_t *dgram, size_t len, uint8_t *buf,
    struct quic_crypto *fr, size_t *nfr)
{
	uint8_t first, dcid_len, scid_len, key[KEY_LEN], iv[IV_LEN],
	    hp[KEY_LEN];
	const struct version *v;
	const uint8_t *dcid;
	uint64_t token_len, plen;
	size_t pn_off, total, clen;
	struct cursor c;
	uint32_t ver;

	*nfr = 0;
	cur_init(&c, dgram, len);
	if (!cur_u8(&c, &first) || !quic_maybe_initial(first) ||
	    !cur_be32(&c, &ver) || (v = version_of(ver)) == NULL ||
	    (first & TYPE_BITS) != v->initial)
		return QUIC_NOT;
	if (!cur_u8(&c, &dcid_len) || dcid_len > CID_MAX ||
	    !cur_need(&c, dcid_len))
		return QUIC_BAD;
	dcid = c.p;
	(void)cur_skip(&c, dcid_len);
	if (!cur_u8(&c, &scid_len) || scid_len > CID_MAX ||
	    !cur_skip(&c, scid_len) || !varint(&c, &token_len) ||
	    token_len > cur_left(&c) || !cur_skip(&c, (size_t)token_len) ||
	    !varint(&c, &plen) || plen > cur_left(&c) ||
	    plen < PN_MAX + SAMPLE_LEN)
		return QUIC_BAD;
	/* the sample (pn_off + 4, 16 bytes) lies within plen >= 20 */
	pn_off = (size_t)(c.p - dgram);
	total = pn_off + (size_t)plen;
	if (total > QUIC_BUF)
		return QUIC_BIG;
	memcpy(buf, dgram, total);
	keys_of(v, dcid, dcid_len, key, iv, hp);
	if ((clen = unprotect(buf, pn_off, total, key, iv, hp)) == 0)
		return QUIC_BAD;
	return frames(buf + total - TAG_LEN - clen, clen, fr, nfr);
}

int
quic_crypto_put(uint8_t *buf, size_t cap, uint16_t *have, uint32_t *island,
    uint64_t off, const uint8_t *data, size_t len)
{
	size_t start, end, is = *island >> 16, ie = *island & 0xffff;

	if (off >= cap || len == 0)
		return 0;
	start = (size_t)off;
	end = len < cap - start ? start + len : cap;
	memcpy(buf + start, data, end - start);
	if (start > *have) {
		/* past a gap (start >= 1, so an island is never 0) */
		if (*island == 0)
			*island = (uint32_t)start << 16 | (uint32_t)end;
		else if (end < is || start > ie)
			return -1;
		else
			*island = (uint32_t)(start < is ? start : is) << 16 |
			    (uint32_t)(end > ie ? end : ie);
		return 0;
	}
	if (end <= *have)
		return 0;		/* bytes we have: sent again */
	*have = (uint16_t)end;
	if (*island != 0 && is <= end) {
		if (ie > end)
			*have = (uint16_t)ie;
		*island = 0;
	}
	return 1;
}
