/*
 * A build without Nettle (make QUIC=no): no QUIC Initial is opened.
 * QUIC_BUILT is then 0 and optimised callers never call these; they are
 * here so that every build links (-O0 keeps dead calls).
 */
#include "quic.h"

int
quic_initial_keys(uint32_t version, const uint8_t *dcid, size_t dcid_len,
    uint8_t key[16], uint8_t iv[12], uint8_t hp[16])
{
	(void)version;
	(void)dcid;
	(void)dcid_len;
	(void)key;
	(void)iv;
	(void)hp;
	return -1;
}

enum quic_result
quic_initial(const uint8_t *dgram, size_t len, uint8_t *buf,
    struct quic_crypto *fr, size_t *nfr)
{
	(void)dgram;
	(void)len;
	(void)buf;
	(void)fr;
	*nfr = 0;
	return QUIC_NOT;
}

int
quic_crypto_put(uint8_t *buf, size_t cap, uint16_t *have, uint32_t *island,
    uint64_t off, const uint8_t *data, size_t len)
{
	(void)buf;
	(void)cap;
	(void)have;
	(void)island;
	(void)off;
	(void)data;
	(void)len;
	return -1;
}
