/*
 * QUIC client Initial packets (--app-info): the TLS ClientHello a client
 * sends in its first packets, which only the Initial keys protect, and
 * those come from the packet's own destination connection ID (RFC 9001
 * section 5.2), so an observer can open them.  Versions 1 (RFC 9000,
 * 9001) and 2 (RFC 9369).
 *
 * Pure functions over a caller's bytes, no state and no allocation:
 * quic_initial() opens one packet into a caller's buffer and lists its
 * CRYPTO frames; quic_crypto_put() lays them into a caller's buffer by
 * stream offset, so that frames shuffled within a packet and spread over
 * several packets (browsers' "chaos protection", 2 KB post-quantum
 * hellos) come out as the stream's first bytes in order.
 *
 * quic.c needs Nettle; a build without it (make QUIC=no, the default for
 * TOOLCHAIN= cross builds) links quic_none.c, and QUIC_BUILT is 0 so that
 * callers' QUIC paths are dead code the compiler drops.
 */
#ifndef PF_QUIC_H
#define PF_QUIC_H

#include <stddef.h>
#include <stdint.h>

/*
 * The Makefile defines PF_QUIC when it builds quic.c (QUIC=yes).  The
 * kernel filter (kfilter_app.c) then also keeps whole the UDP packets
 * whose first payload byte could start an Initial (quic_maybe_initial());
 * without QUIC its expression is what it was.
 */
#ifdef PF_QUIC
#define QUIC_BUILT	1
#else
#define QUIC_BUILT	0
#endif

#define QUIC_V1		0x00000001u
#define QUIC_V2		0x6b3343cfu
/*
 * An Initial opened into a buffer of this size: a client pads its first
 * datagrams to 1200 bytes and sends no more than the path's MTU, so 2 KB
 * takes any Ethernet-sized one; a larger packet is QUIC_BIG.
 */
#define QUIC_BUF	2048
/* CRYPTO frames kept from one packet (Chrome cuts a hello into ~10). */
#define QUIC_FRAMES	64

enum quic_result {
	QUIC_NOT = 0,	/* not a long-header Initial of version 1 or 2 */
	QUIC_BAD,	/* one whose lengths break, or that the client's
			 * Initial keys do not open (a server's Initial, a
			 * damaged or cut packet) */
	QUIC_BIG,	/* a client Initial over QUIC_BUF bytes, or with
			 * over QUIC_FRAMES CRYPTO frames */
	QUIC_OK
};

/* A CRYPTO frame: len bytes of the handshake stream from off. */
struct quic_crypto {
	uint64_t	 off;
	const uint8_t	*data;		/* in quic_initial()'s buf */
	size_t		 len;
};

/*
 * The first byte of a UDP payload: could it start an Initial of version
 * 1 or 2 (long header, fixed bit, type 0 or 1)?  What the packet path
 * asks before anything costs more.
 */
static inline int
quic_maybe_initial(uint8_t first)
{
	return (first & 0xe0) == 0xc0;
}

/*
 * The client's Initial keys (RFC 9001 section 5.2; RFC 9369 section 3.3
 * for version 2) from the connection ID the client chose: AES-128 key,
 * GCM IV, header protection key.  -1 for another version.
 */
int		 quic_initial_keys(uint32_t version, const uint8_t *dcid,
		    size_t dcid_len, uint8_t key[16], uint8_t iv[12],
		    uint8_t hp[16]);

/*
 * The first packet of a UDP datagram (len bytes): if it is a client's
 * Initial, its protection removed (header protection, then AES-128-GCM
 * with the tag checked) into buf (QUIC_BUF bytes), and its CRYPTO frames
 * in fr (QUIC_FRAMES entries), *nfr of them, sorted by offset.  Frames
 * after one that an Initial may not carry are not read.  Packets
 * coalesced behind the first are left alone.
 */
enum quic_result quic_initial(const uint8_t *dgram, size_t len, uint8_t *buf,
		    struct quic_crypto *fr, size_t *nfr);

/*
 * One CRYPTO frame into buf (cap bytes, at most 65535), whose bytes
 * [0, *have) hold the stream's start; bytes beyond cap are not kept.
 * Bytes past a gap wait in one island, *island = start << 16 | end
 * (0: none), until the gap fills.  1 if *have grew, 0 if not, -1 if
 * the frame would need a second island (the name is then lost).
 */
int		 quic_crypto_put(uint8_t *buf, size_t cap, uint16_t *have,
		    uint32_t *island, uint64_t off, const uint8_t *data,
		    size_t len);

#endif
