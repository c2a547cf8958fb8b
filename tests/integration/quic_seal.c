/*
 * For tests/integration/quic.sh: client Initials of QUIC version 1 that
 * carry a post-quantum-sized ClientHello split over two packets, CRYPTO
 * frames shuffled among PING and PADDING as Chrome sends them, sealed with
 * Nettle and keys derived here (RFC 9001 section 5), not with picoflow's:
 * tshark opens them too, so the test does not grade picoflow by itself.
 *
 *   quic_seal DIR NAME DCID_HEX PREFIX
 *
 * writes DIR/PREFIX-1 and DIR/PREFIX-2, the two UDP payloads.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nettle/aes.h>
#include <nettle/gcm.h>
#include <nettle/hkdf.h>
#include <nettle/hmac.h>

#include "../unit/msg_build.h"

static const uint8_t salt_v1[20] = {
	0x38, 0x76, 0x2c, 0xf7, 0xf5, 0x59, 0x34, 0xb3, 0x4d, 0x17, 0x9a,
	0xe6, 0xa4, 0xc8, 0x0c, 0xad, 0xcc, 0xbb, 0x7f, 0x0a
};

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

static void
label(const uint8_t *secret, const char *l, uint8_t *out, size_t len)
{
	struct hmac_sha256_ctx h;
	struct msg info = { { 0 }, 0 };

	put16(&info, (unsigned)len);
	put8(&info, (unsigned)(6 + strlen(l)));
	put(&info, "tls13 ", 6);
	put(&info, l, strlen(l));
	put8(&info, 0);
	hmac_sha256_set_key(&h, 32, secret);
	hkdf_expand(&h, mac_update, mac_digest, 32, info.n, info.b, len, out);
}

static size_t
seal(const uint8_t *dcid, size_t dlen, unsigned pn, const struct msg *pl,
    uint8_t *out)
{
	uint8_t prk[32], sec[32], key[16], iv[12], hp[16], mask[16];
	struct hmac_sha256_ctx h;
	struct gcm_aes128_ctx g;
	struct aes128_ctx a;
	struct msg hd = { { 0 }, 0 };
	size_t pn_off, i;

	hmac_sha256_set_key(&h, sizeof(salt_v1), salt_v1);
	hkdf_extract(&h, mac_update, mac_digest, 32, dlen, dcid, prk);
	label(prk, "client in", sec, 32);
	label(sec, "quic key", key, 16);
	label(sec, "quic iv", iv, 12);
	label(sec, "quic hp", hp, 16);
	put8(&hd, 0xc3);
	put16(&hd, 0);
	put16(&hd, 1);
	put8(&hd, (unsigned)dlen);
	put(&hd, dcid, dlen);
	put8(&hd, 0);
	put8(&hd, 0);
	put16(&hd, 0x4000 | (unsigned)(4 + pl->n + 16));
	pn_off = hd.n;
	put16(&hd, 0);
	put16(&hd, pn);
	iv[10] ^= (uint8_t)(pn >> 8);
	iv[11] ^= (uint8_t)pn;
	memcpy(out, hd.b, hd.n);
	gcm_aes128_set_key(&g, key);
	gcm_aes128_set_iv(&g, 12, iv);
	gcm_aes128_update(&g, hd.n, out);
	gcm_aes128_encrypt(&g, pl->n, out + hd.n, pl->b);
	gcm_aes128_digest(&g, 16, out + hd.n + pl->n);
	aes128_set_encrypt_key(&a, hp);
	aes128_encrypt(&a, 16, mask, out + pn_off + 4);
	out[0] ^= mask[0] & 0x0f;
	for (i = 0; i < 4; i++)
		out[pn_off + i] ^= mask[1 + i];
	return hd.n + pl->n + 16;
}

/* A ClientHello with a 1600-byte key share (X25519MLKEM768 is 1216). */
static void
hello(struct msg *m, const char *name)
{
	size_t n = strlen(name), share = 1600, i;
	size_t ext = 4 + share + 4 + 5 + n + 4 + 3;
	size_t body = 2 + 32 + 1 + 32 + 2 + 6 + 2 + 2 + ext;

	put8(m, 1);
	put8(m, (unsigned)(body >> 16));
	put16(m, (unsigned)body);
	put16(m, 0x0303);
	for (i = 0; i < 65; i++)
		put8(m, i == 32 ? 32 : (unsigned)(i * 7));
	put16(m, 6);
	put16(m, 0x1301);
	put16(m, 0x1302);
	put16(m, 0x1303);
	put16(m, 0x0100);
	put16(m, (unsigned)ext);
	put16(m, 0x002b);		/* supported_versions: TLS 1.3 */
	put16(m, 3);
	put8(m, 2);
	put16(m, 0x0304);
	put16(m, 0x0033);		/* key_share */
	put16(m, (unsigned)share);
	for (i = 0; i < share; i++)
		put8(m, (unsigned)(i * 13));
	put16(m, 0x0000);		/* server_name, last */
	put16(m, (unsigned)(5 + n));
	put16(m, (unsigned)(3 + n));
	put8(m, 0);
	put16(m, (unsigned)n);
	put(m, name, n);
}

static void
crypto(struct msg *m, const struct msg *h, size_t off, size_t len)
{
	put8(m, 0x06);
	put16(m, 0x4000 | (unsigned)off);
	put16(m, 0x4000 | (unsigned)len);
	put(m, h->b + off, len);
}

static void
out(const char *dir, const char *prefix, int i, const uint8_t *p, size_t n)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s-%d", dir, prefix, i);
	if ((f = fopen(path, "wb")) == NULL || fwrite(p, 1, n, f) != n ||
	    fclose(f) != 0) {
		perror(path);
		exit(1);
	}
}

int
main(int argc, char **argv)
{
	struct msg h = { { 0 }, 0 }, p1 = { { 0 }, 0 }, p2 = { { 0 }, 0 };
	uint8_t dcid[20], pkt[1500];
	size_t dlen = 0, n;
	unsigned v;

	if (argc != 5) {
		fprintf(stderr, "usage: quic_seal DIR NAME DCID_HEX PREFIX\n");
		return 2;
	}
	while (dlen < sizeof(dcid) && sscanf(argv[3] + 2 * dlen, "%2x",
	    &v) == 1)
		dcid[dlen++] = (uint8_t)v;
	hello(&h, argv[2]);
	/* first Initial: [0, 1000) in three frames, out of order */
	put8(&p1, 0x01);
	crypto(&p1, &h, 420, 580);
	put(&p1, "\0\0\0\0", 4);
	crypto(&p1, &h, 0, 170);
	put8(&p1, 0x01);
	crypto(&p1, &h, 170, 250);
	while (p1.n < 1162)
		put8(&p1, 0);
	/* second: the rest, in two frames, the later one first */
	crypto(&p2, &h, 1400, h.n - 1400);
	put(&p2, "\0\0", 2);
	crypto(&p2, &h, 1000, 400);
	while (p2.n < 1162)
		put8(&p2, 0);
	n = seal(dcid, dlen, 0, &p1, pkt);
	out(argv[1], argv[4], 1, pkt, n);
	n = seal(dcid, dlen, 1, &p2, pkt);
	out(argv[1], argv[4], 2, pkt, n);
	return 0;
}
