/*
 * A client Initial as a client seals it, for test_quic and fuzz_quic:
 * picoflow's own keys (quic_initial_keys()) for the destination
 * connection ID dcid[] that the including file defines.  The integration
 * test's sealer (tests/integration/quic_seal.c) derives its keys itself,
 * so that picoflow is not graded by its own code there.
 */
#ifndef PF_TEST_INITIAL_SEAL_H
#define PF_TEST_INITIAL_SEAL_H

#include <stdlib.h>
#include <string.h>

#include <nettle/aes.h>
#include <nettle/gcm.h>

#include "quic.h"

/*
 * A client Initial as a client seals it (RFC 9001 sections 5.3, 5.4):
 * no SCID, no token, a 2-byte Length, a 4-byte packet number.
 */
static size_t
seal(uint32_t version, uint32_t pn, const uint8_t *payload, size_t plen,
    uint8_t *out)
{
	uint8_t key[16], iv[12], hp[16], mask[16];
	struct gcm_aes128_ctx g;
	struct aes128_ctx a;
	size_t h = 0, pn_off, len = 4 + plen + 16, i;

	if (quic_initial_keys(version, dcid, sizeof(dcid), key, iv, hp) != 0)
		abort();
	out[h++] = version == QUIC_V2 ? 0xd3 : 0xc3;
	for (i = 0; i < 4; i++)
		out[h++] = (uint8_t)(version >> (24 - 8 * i));
	out[h++] = sizeof(dcid);
	memcpy(out + h, dcid, sizeof(dcid));
	h += sizeof(dcid);
	out[h++] = 0;				/* SCID */
	out[h++] = 0;				/* token */
	out[h++] = (uint8_t)(0x40 | len >> 8);
	out[h++] = (uint8_t)len;
	pn_off = h;
	for (i = 0; i < 4; i++) {
		out[h++] = (uint8_t)(pn >> (24 - 8 * i));
		iv[8 + i] ^= out[pn_off + i];
	}
	gcm_aes128_set_key(&g, key);
	gcm_aes128_set_iv(&g, sizeof(iv), iv);
	gcm_aes128_update(&g, h, out);
	gcm_aes128_encrypt(&g, plen, out + h, payload);
	gcm_aes128_digest(&g, 16, out + h + plen);
	aes128_set_encrypt_key(&a, hp);
	aes128_encrypt(&a, 16, mask, out + pn_off + 4);
	out[0] ^= mask[0] & 0x0f;
	for (i = 0; i < 4; i++)
		out[pn_off + i] ^= mask[1 + i];
	return h + plen + 16;
}

#endif
