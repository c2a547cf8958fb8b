/*
 * Unit tests for QUIC Initials (quic.c): RFC 9001 appendix A's keys and
 * client Initial, RFC 9369's for version 2, the server's Initial refused;
 * ClientHellos split over two Initials in shuffled CRYPTO frames, sealed
 * here with Nettle and the same keys, put together in either packet order;
 * every packet cut at every length into an exact-size heap copy (ASan
 * sees any overread), broken lengths, other versions, the frame walk's
 * limits, and quic_crypto_put()'s island.
 */
#include <stdlib.h>

#include <nettle/aes.h>
#include <nettle/gcm.h>

#include "appname.h"
#include "msg_build.h"
#include "quic.h"
#include "tap.h"

static const uint8_t dcid[8] = {
	0x83, 0x94, 0xc8, 0xf0, 0x3e, 0x51, 0x57, 0x08
};

#include "initial_seal.h"

/* RFC 9001 appendix A.2: the client Initial, protected (1200 bytes) */
static const char rfc9001_a2[] =
    "c000000001088394c8f03e5157080000449e7b9aec34d1b1c98dd7689fb8ec11"
    "d242b123dc9bd8bab936b47d92ec356c0bab7df5976d27cd449f63300099f399"
    "1c260ec4c60d17b31f8429157bb35a1282a643a8d2262cad67500cadb8e7378c"
    "8eb7539ec4d4905fed1bee1fc8aafba17c750e2c7ace01e6005f80fcb7df6212"
    "30c83711b39343fa028cea7f7fb5ff89eac2308249a02252155e2347b63d58c5"
    "457afd84d05dfffdb20392844ae812154682e9cf012f9021a6f0be17ddd0c208"
    "4dce25ff9b06cde535d0f920a2db1bf362c23e596d11a4f5a6cf3948838a3aec"
    "4e15daf8500a6ef69ec4e3feb6b1d98e610ac8b7ec3faf6ad760b7bad1db4ba3"
    "485e8a94dc250ae3fdb41ed15fb6a8e5eba0fc3dd60bc8e30c5c4287e53805db"
    "059ae0648db2f64264ed5e39be2e20d82df566da8dd5998ccabdae053060ae6c"
    "7b4378e846d29f37ed7b4ea9ec5d82e7961b7f25a9323851f681d582363aa5f8"
    "9937f5a67258bf63ad6f1a0b1d96dbd4faddfcefc5266ba6611722395c906556"
    "be52afe3f565636ad1b17d508b73d8743eeb524be22b3dcbc2c7468d54119c74"
    "68449a13d8e3b95811a198f3491de3e7fe942b330407abf82a4ed7c1b311663a"
    "c69890f4157015853d91e923037c227a33cdd5ec281ca3f79c44546b9d90ca00"
    "f064c99e3dd97911d39fe9c5d0b23a229a234cb36186c4819e8b9c5927726632"
    "291d6a418211cc2962e20fe47feb3edf330f2c603a9d48c0fcb5699dbfe58964"
    "25c5bac4aee82e57a85aaf4e2513e4f05796b07ba2ee47d80506f8d2c25e50fd"
    "14de71e6c418559302f939b0e1abd576f279c4b2e0feb85c1f28ff18f58891ff"
    "ef132eef2fa09346aee33c28eb130ff28f5b766953334113211996d20011a198"
    "e3fc433f9f2541010ae17c1bf202580f6047472fb36857fe843b19f5984009dd"
    "c324044e847a4f4a0ab34f719595de37252d6235365e9b84392b061085349d73"
    "203a4a13e96f5432ec0fd4a1ee65accdd5e3904df54c1da510b0ff20dcc0c77f"
    "cb2c0e0eb605cb0504db87632cf3d8b4dae6e705769d1de354270123cb11450e"
    "fc60ac47683d7b8d0f811365565fd98c4c8eb936bcab8d069fc33bd801b03ade"
    "a2e1fbc5aa463d08ca19896d2bf59a071b851e6c239052172f296bfb5e724047"
    "90a2181014f3b94a4e97d117b438130368cc39dbb2d198065ae3986547926cd2"
    "162f40a29f0c3c8745c0f50fba3852e566d44575c29d39a03f0cda721984b6f4"
    "40591f355e12d439ff150aab7613499dbd49adabc8676eef023b15b65bfc5ca0"
    "6948109f23f350db82123535eb8a7433bdabcb909271a6ecbcb58b936a88cd4e"
    "8f2e6ff5800175f113253d8fa9ca8885c2f552e657dc603f252e1a8e308f76f0"
    "be79e2fb8f5d5fbbe2e30ecadd220723c8c0aea8078cdfcb3868263ff8f09400"
    "54da48781893a7e49ad5aff4af300cd804a6b6279ab3ff3afb64491c85194aab"
    "760d58a606654f9f4400e8b38591356fbf6425aca26dc85244259ff2b19c41b9"
    "f96f3ca9ec1dde434da7d2d392b905ddf3d1f9af93d1af5950bd493f5aa731b4"
    "056df31bd267b6b90a079831aaf579be0a39013137aac6d404f518cfd4684064"
    "7e78bfe706ca4cf5e9c5453e9f7cfd2b8b4c8d169a44e55c88d4a9a7f9474241"
    "e221af44860018ab0856972e194cd934";

/* ... its CRYPTO frame; PADDING follows, to 1162 bytes of payload */
static const char rfc9001_a2_crypto[] =
    "060040f1010000ed0303ebf8fa56f12939b9584a3896472ec40bb863cfd3e868"
    "04fe3a47f06a2b69484c00000413011302010000c000000010000e00000b6578"
    "616d706c652e636f6dff01000100000a00080006001d00170018001000070005"
    "04616c706e000500050100000000003300260024001d00209370b2c9caa47fba"
    "baf4559fedba753de171fa71f50f1ce15d43e994ec74d748002b000302030400"
    "0d0010000e0403050306030203080408050806002d00020101001c0002400100"
    "3900320408ffffffffffffffff05048000ffff07048000ffff08011001048000"
    "75300901100f088394c8f03e51570806048000ffff";

/* RFC 9001 appendix A.3: the server's Initial, protected */
static const char rfc9001_a3[] =
    "cf000000010008f067a5502a4262b5004075c0d95a482cd0991cd25b0aac406a"
    "5816b6394100f37a1c69797554780bb38cc5a99f5ede4cf73c3ec2493a1839b3"
    "dbcba3f6ea46c5b7684df3548e7ddeb9c3bf9c73cc3f3bded74b562bfb19fb84"
    "022f8ef4cdd93795d77d06edbb7aaf2f58891850abbdca3d20398c276456cbc4"
    "2158407dd074ee";

/* RFC 9369 appendix A.2: the same client Initial in QUIC version 2 */
static const char rfc9369_a2[] =
    "d76b3343cf088394c8f03e5157080000449ea0c95e82ffe67b6abcdb4298b485"
    "dd04de806071bf03dceebfa162e75d6c96058bdbfb127cdfcbf903388e99ad04"
    "9f9a3dd4425ae4d0992cfff18ecf0fdb5a842d09747052f17ac2053d21f57c5d"
    "250f2c4f0e0202b70785b7946e992e58a59ac52dea6774d4f03b55545243cf1a"
    "12834e3f249a78d395e0d18f4d766004f1a2674802a747eaa901c3f10cda5500"
    "cb9122faa9f1df66c392079a1b40f0de1c6054196a11cbea40afb6ef5253cd68"
    "18f6625efce3b6def6ba7e4b37a40f7732e093daa7d52190935b8da58976ff33"
    "12ae50b187c1433c0f028edcc4c2838b6a9bfc226ca4b4530e7a4ccee1bfa2a3"
    "d396ae5a3fb512384b2fdd851f784a65e03f2c4fbe11a53c7777c023462239dd"
    "6f7521a3f6c7d5dd3ec9b3f233773d4b46d23cc375eb198c63301c21801f6520"
    "bcfb7966fc49b393f0061d974a2706df8c4a9449f11d7f3d2dcbb90c6b877045"
    "636e7c0c0fe4eb0f697545460c806910d2c355f1d253bc9d2452aaa549e27a1f"
    "ac7cf4ed77f322e8fa894b6a83810a34b361901751a6f5eb65a0326e07de7c12"
    "16ccce2d0193f958bb3850a833f7ae432b65bc5a53975c155aa4bcb4f7b2c4e5"
    "4df16efaf6ddea94e2c50b4cd1dfe06017e0e9d02900cffe1935e0491d77ffb4"
    "fdf85290fdd893d577b1131a610ef6a5c32b2ee0293617a37cbb08b847741c3b"
    "8017c25ca9052ca1079d8b78aebd47876d330a30f6a8c6d61dd1ab5589329de7"
    "14d19d61370f8149748c72f132f0fc99f34d766c6938597040d8f9e2bb522ff9"
    "9c63a344d6a2ae8aa8e51b7b90a4a806105fcbca31506c446151adfeceb51b91"
    "abfe43960977c87471cf9ad4074d30e10d6a7f03c63bd5d4317f68ff325ba3bd"
    "80bf4dc8b52a0ba031758022eb025cdd770b44d6d6cf0670f4e990b22347a7db"
    "848265e3e5eb72dfe8299ad7481a408322cac55786e52f633b2fb6b614eaed18"
    "d703dd84045a274ae8bfa73379661388d6991fe39b0d93debb41700b41f90a15"
    "c4d526250235ddcd6776fc77bc97e7a417ebcb31600d01e57f32162a8560cacc"
    "7e27a096d37a1a86952ec71bd89a3e9a30a2a26162984d7740f81193e8238e61"
    "f6b5b984d4d3dfa033c1bb7e4f0037febf406d91c0dccf32acf423cfa1e70710"
    "10d3f270121b493ce85054ef58bada42310138fe081adb04e2bd901f2f13458b"
    "3d6758158197107c14ebb193230cd1157380aa79cae1374a7c1e5bbcb80ee23e"
    "06ebfde206bfb0fcbc0edc4ebec309661bdd908d532eb0c6adc38b7ca7331dce"
    "8dfce39ab71e7c32d318d136b6100671a1ae6a6600e3899f31f0eed19e3417d1"
    "34b90c9058f8632c798d4490da4987307cba922d61c39805d072b589bd52fdf1"
    "e86215c2d54e6670e07383a27bbffb5addf47d66aa85a0c6f9f32e59d85a44dd"
    "5d3b22dc2be80919b490437ae4f36a0ae55edf1d0b5cb4e9a3ecabee93dfc6e3"
    "8d209d0fa6536d27a5d6fbb17641cde27525d61093f1b28072d111b2b4ae5f89"
    "d5974ee12e5cf7d5da4d6a31123041f33e61407e76cffcdcfd7e19ba58cf4b53"
    "6f4c4938ae79324dc402894b44faf8afbab35282ab659d13c93f70412e85cb19"
    "9a37ddec600545473cfb5a05e08d0b209973b2172b4d21fb69745a262ccde96b"
    "a18b2faa745b6fe189cf772a9f84cbfc";

static size_t
unhex(const char *s, uint8_t *out, size_t cap)
{
	size_t n = 0;
	unsigned v;

	while (s[0] != '\0' && s[1] != '\0' && n < cap &&
	    sscanf(s, "%2x", &v) == 1) {
		out[n++] = (uint8_t)v;
		s += 2;
	}
	return n;
}

/* quic_initial() on an exact-size heap copy, so ASan sees an overread. */
static enum quic_result
open_copy(const uint8_t *p, size_t len, uint8_t *buf, struct quic_crypto *fr,
    size_t *n)
{
	uint8_t *c = malloc(len ? len : 1);
	enum quic_result r;

	if (c == NULL)
		abort();
	memcpy(c, p, len);
	r = quic_initial(c, len, buf, fr, n);
	free(c);
	return r;
}


/* payload sealed as a v1 client Initial, then opened. */
static enum quic_result
sealed_open(const uint8_t *payload, size_t plen, uint8_t *buf,
    struct quic_crypto *fr, size_t *n)
{
	uint8_t pkt[2200];
	size_t len = seal(QUIC_V1, 0, payload, plen, pkt);

	return open_copy(pkt, len, buf, fr, n);
}

/* A CRYPTO frame with 2-byte varints (offset and length < 16384). */
static void
crypto(struct msg *m, const uint8_t *stream, size_t off, size_t len)
{
	put8(m, 0x06);
	put16(m, 0x4000 | (unsigned)off);
	put16(m, 0x4000 | (unsigned)len);
	put(m, stream + off, len);
}

static void
pad(struct msg *m, size_t n)
{
	while (m->n < n)
		put8(m, 0);
}

/*
 * A ClientHello with a post-quantum-sized key share before the SNI, as
 * browsers send them: the name sits past the first Initial's bytes.
 */
static void
hello(struct msg *m, const char *name, size_t share)
{
	size_t n = strlen(name), i, ext = 4 + share + 4 + 5 + n;
	size_t body = 2 + 32 + 1 + 32 + 2 + 6 + 2 + 2 + ext;

	put8(m, 1);
	put8(m, (unsigned)(body >> 16));
	put16(m, (unsigned)body);
	put16(m, 0x0303);
	for (i = 0; i < 32 + 1 + 32; i++)
		put8(m, i == 32 ? 32 : 0x11);	/* random, session id */
	put16(m, 6);
	put16(m, 0x1301);
	put16(m, 0x1302);
	put16(m, 0x1303);
	put16(m, 0x0100);			/* null compression */
	put16(m, (unsigned)ext);
	put16(m, 0x0033);			/* key_share */
	put16(m, (unsigned)share);
	for (i = 0; i < share; i++)
		put8(m, 0x5a);
	put16(m, 0x0000);			/* server_name */
	put16(m, (unsigned)(5 + n));
	put16(m, (unsigned)(3 + n));
	put8(m, 0);
	put16(m, (unsigned)n);
	put(m, name, n);
}

/* appname_tls() reads records: app.c's QUIC buffers open with one. */
struct stream {
	uint8_t		b[5 + 4091];
	uint16_t	have;
	uint32_t	island;
};

static void
stream_init(struct stream *s)
{
	static const uint8_t rec[5] = { 22, 3, 1, 0xff, 0xff };

	memcpy(s->b, rec, 5);
	s->have = 0;
	s->island = 0;
}

/* The frames of one packet into s: 1 if its start grew, -1 lost. */
static int
stream_put(struct stream *s, const struct quic_crypto *fr, size_t n)
{
	int grew = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		int r = quic_crypto_put(s->b + 5, sizeof(s->b) - 5, &s->have,
		    &s->island, fr[i].off, fr[i].data, fr[i].len);
		if (r < 0)
			return -1;
		grew |= r;
	}
	return grew;
}

static enum appname_result
stream_name(const struct stream *s, struct appname *nm)
{
	size_t need;

	return appname_tls(s->b, 5 + (size_t)s->have, nm, &need);
}

static void
test_keys(void)
{
	uint8_t key[16], iv[12], hp[16], want[16];

	ok(quic_initial_keys(QUIC_V1, dcid, sizeof(dcid), key, iv, hp) == 0,
	    "v1 keys");
	unhex("1f369613dd76d5467730efcbe3b1a22d", want, 16);
	is_mem(key, 16, want, 16, "RFC 9001 A.1 client key");
	unhex("fa044b2f42a3fd3b46fb255c", want, 12);
	is_mem(iv, 12, want, 12, "RFC 9001 A.1 client iv");
	unhex("9f50449e04a0e810283a1e9933adedd2", want, 16);
	is_mem(hp, 16, want, 16, "RFC 9001 A.1 client hp");
	ok(quic_initial_keys(QUIC_V2, dcid, sizeof(dcid), key, iv, hp) == 0,
	    "v2 keys");
	unhex("8b1a0bc121284290a29e0971b5cd045d", want, 16);
	is_mem(key, 16, want, 16, "RFC 9369 A.1 client key");
	unhex("91f73e2351d8fa91660e909f", want, 12);
	is_mem(iv, 12, want, 12, "RFC 9369 A.1 client iv");
	unhex("45b95e15235d6f45a6b19cbcb0294ba9", want, 16);
	is_mem(hp, 16, want, 16, "RFC 9369 A.1 client hp");
	ok(quic_initial_keys(0xff00001d, dcid, sizeof(dcid), key, iv, hp) ==
	    -1, "draft-29: no keys");
}

/* An RFC client Initial: one CRYPTO frame, the hello naming example.com. */
static void
test_rfc_packet(const char *label, const char *hex, uint32_t version)
{
	uint8_t pkt[1200], frame[245], payload[1162], again[1300];
	struct quic_crypto fr[QUIC_FRAMES];
	uint8_t buf[QUIC_BUF];
	struct appname nm;
	struct stream s;
	size_t n, len, cut;
	int bad = 0;

	len = unhex(hex, pkt, sizeof(pkt));
	is_int(len, 1200, "%s: 1200 bytes", label);
	is_int(open_copy(pkt, len, buf, fr, &n), QUIC_OK, "%s opens", label);
	is_int(n, 1, "%s: one CRYPTO frame", label);
	unhex(rfc9001_a2_crypto, frame, sizeof(frame));
	if (n == 1) {
		is_int(fr[0].off, 0, "%s: at offset 0", label);
		is_mem(fr[0].data, fr[0].len, frame + 4, sizeof(frame) - 4,
		    "the RFC's ClientHello bytes");
	}
	stream_init(&s);
	ok(stream_put(&s, fr, n) == 1, "%s: the stream starts", label);
	is_int(stream_name(&s, &nm), APPNAME_FOUND, "%s: a name", label);
	ok(strcmp(nm.name, "example.com") == 0, "%s names example.com (%s)",
	    label, nm.name);

	/* the test's sealer, which builds the split hellos below */
	memset(payload, 0, sizeof(payload));
	memcpy(payload, frame, sizeof(frame));
	is_mem(again, seal(version, 2, payload, sizeof(payload), again), pkt,
	    len, "sealed here: the RFC's packet, byte for byte");

	for (cut = 0; cut < len; cut++)
		bad += open_copy(pkt, cut, buf, fr, &n) == QUIC_OK;
	is_int(bad, 0, "%s cut at every length: never opens", label);
}

static void
test_server(void)
{
	uint8_t pkt[200], buf[QUIC_BUF];
	struct quic_crypto fr[QUIC_FRAMES];
	size_t n, len = unhex(rfc9001_a3, pkt, sizeof(pkt));

	is_int(len, 135, "RFC 9001 A.3: 135 bytes");
	is_int(open_copy(pkt, len, buf, fr, &n), QUIC_BAD,
	    "the server's Initial does not open with the client's keys");
	is_int(n, 0, "... and gives no frames");
}

/* One byte of the RFC packet changed: never a name. */
static void
test_broken(void)
{
	static const struct {
		size_t		at;
		uint8_t		v;
		int		want;
		const char	*what;
	} cases[] = {
		{ 1, 0xff, QUIC_NOT, "version 0xff000001" },
		{ 4, 0x00, QUIC_NOT, "version 0 (version negotiation)" },
		{ 0, 0xd0, QUIC_NOT, "v1 0-RTT type bits" },
		{ 0, 0x40, QUIC_NOT, "a short header" },
		{ 0, 0x80, QUIC_NOT, "no fixed bit" },
		{ 5, 21, QUIC_BAD, "DCID of 21 bytes" },
		{ 5, 20, QUIC_BAD, "DCID of 20: lengths misread" },
		{ 14, 21, QUIC_BAD, "SCID of 21 bytes" },
		{ 15, 0x3f, QUIC_BAD, "a token that eats the length" },
		{ 15, 0x80, QUIC_BAD, "a 4-byte token length past the end" },
		{ 16, 0x7f, QUIC_BAD, "Length 0x3f9e: past the datagram" },
		{ 17, 0x9d, QUIC_BAD, "Length one short: the tag fails" },
		{ 300, 0x00, QUIC_BAD, "a ciphertext byte: the tag fails" },
		{ 1199, 0x00, QUIC_BAD, "a tag byte" },
		{ 7, 0x00, QUIC_BAD, "a DCID byte: other keys" },
	};
	uint8_t pkt[1200], buf[QUIC_BUF];
	struct quic_crypto fr[QUIC_FRAMES];
	size_t i, n;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		unhex(rfc9001_a2, pkt, sizeof(pkt));
		pkt[cases[i].at] = pkt[cases[i].at] == cases[i].v ?
		    (uint8_t)~cases[i].v : cases[i].v;
		is_int(open_copy(pkt, sizeof(pkt), buf, fr, &n), cases[i].want,
		    "%s", cases[i].what);
	}
	unhex(rfc9001_a2, pkt, sizeof(pkt));
	pkt[16] = 0x40;
	pkt[17] = 0x13;			/* Length 19: no room for a sample */
	is_int(open_copy(pkt, sizeof(pkt), buf, fr, &n), QUIC_BAD,
	    "Length under 20");
	is_int(open_copy(pkt, 0, buf, fr, &n), QUIC_NOT, "an empty datagram");
}

/*
 * A 1.9 KB hello in two Initials, each in CRYPTO frames out of order
 * among PING and PADDING; the packets also arrive the other way round.
 */
static void
test_split(uint32_t version, int reverse)
{
	struct msg h = { { 0 }, 0 }, p1 = { { 0 }, 0 }, p2 = { { 0 }, 0 };
	uint8_t pkt[2][1300], buf[QUIC_BUF];
	struct quic_crypto fr[QUIC_FRAMES];
	const char *v = version == QUIC_V2 ? "v2" : "v1";
	size_t len[2], n, i, cut;
	struct appname nm;
	struct stream s;
	int bad = 0;

	hello(&h, "www.example.org", 1700);
	put8(&p1, 0x01);			/* PING */
	crypto(&p1, h.b, 400, 600);
	put(&p1, "\0\0\0", 3);
	crypto(&p1, h.b, 0, 150);
	put8(&p1, 0x01);
	crypto(&p1, h.b, 150, 250);
	pad(&p1, 1100);
	crypto(&p2, h.b, 1500, h.n - 1500);
	put(&p2, "\0\0", 2);
	crypto(&p2, h.b, 1000, 500);
	pad(&p2, 1100);
	len[0] = seal(version, 0, p1.b, p1.n, pkt[0]);
	len[1] = seal(version, 1, p2.b, p2.n, pkt[1]);

	stream_init(&s);
	for (i = 0; i < 2; i++) {
		size_t k = reverse ? 1 - i : i;
		int r;

		is_int(open_copy(pkt[k], len[k], buf, fr, &n), QUIC_OK,
		    "%s split, packet %zu opens", v, k + 1);
		is_int(n, k == 0 ? 3 : 2, "... its CRYPTO frames");
		ok(n < 2 || fr[0].off < fr[1].off, "... sorted by offset");
		r = stream_put(&s, fr, n);
		if (i == 0) {
			is_int(r, !reverse, "%s: the stream's start %s", v,
			    reverse ? "waits" : "grew");
			ok(reverse || stream_name(&s, &nm) == APPNAME_MORE,
			    "... the name is further on");
		} else
			is_int(r, 1, "%s: the stream is whole", v);
	}
	is_int(s.have, h.n, "%s: %zu bytes in order", v, h.n);
	is_mem(s.b + 5, s.have, h.b, h.n, "the hello, as sent");
	is_int(stream_name(&s, &nm), APPNAME_FOUND, "%s split: a name", v);
	ok(strcmp(nm.name, "www.example.org") == 0, "%s split names %s", v,
	    nm.name);
	for (i = 0; i < 2; i++)
		for (cut = 0; cut < len[i]; cut++)
			bad += open_copy(pkt[i], cut, buf, fr, &n) == QUIC_OK;
	is_int(bad, 0, "%s split packets cut at every length: never open", v);
}

/* Frames an Initial may carry, and where the walk stops. */
static void
test_frames(void)
{
	static const uint8_t data[8] = "ABCDEFGH";
	uint8_t buf[QUIC_BUF];
	struct quic_crypto fr[QUIC_FRAMES];
	struct msg m;
	size_t n, i;

	/* ACK (2 ranges), ACK_ECN, CONNECTION_CLOSE, then CRYPTO */
	memset(&m, 0, sizeof(m));
	put(&m, "\x02\x05\x00\x02\x00\x01\x00\x01\x00", 9);
	put(&m, "\x03\x05\x00\x00\x00\x01\x02\x03", 8);
	put(&m, "\x1c\x0a\x00\x03xyz", 7);
	crypto(&m, data, 2, 4);
	pad(&m, 1100);
	is_int(sealed_open(m.b, m.n, buf, fr, &n),
	    QUIC_OK, "ACK, ACK_ECN, CONNECTION_CLOSE, CRYPTO");
	ok(n == 1 && fr[0].off == 2 && fr[0].len == 4 &&
	    memcmp(fr[0].data, "CDEF", 4) == 0, "... the CRYPTO frame");

	/* a STREAM frame (not allowed in an Initial): the walk stops */
	memset(&m, 0, sizeof(m));
	crypto(&m, data, 0, 2);
	put(&m, "\x08\x00", 2);
	crypto(&m, data, 2, 2);
	pad(&m, 1100);
	is_int(sealed_open(m.b, m.n, buf, fr, &n),
	    QUIC_OK, "a STREAM frame");
	is_int(n, 1, "... only the frames before it");

	/* lengths past the payload */
	memset(&m, 0, sizeof(m));
	put(&m, "\x06\x00\x44\x00", 4);		/* 1024 bytes, 20 there */
	pad(&m, 24);
	is_int(sealed_open(m.b, m.n, buf, fr, &n),
	    QUIC_BAD, "CRYPTO longer than the payload");
	memset(&m, 0, sizeof(m));
	put(&m, "\x02\x00\x00\x7f\xff\x00", 6);	/* 16383 ranges */
	pad(&m, 100);
	is_int(sealed_open(m.b, m.n, buf, fr, &n),
	    QUIC_BAD, "ACK with more ranges than bytes");
	memset(&m, 0, sizeof(m));
	put(&m, "\x1c\x00\x00\x40\xff", 5);
	pad(&m, 100);
	is_int(sealed_open(m.b, m.n, buf, fr, &n),
	    QUIC_BAD, "CONNECTION_CLOSE reason past the payload");
	memset(&m, 0, sizeof(m));
	put(&m, "\x06\xc0", 2);			/* an 8-byte varint, cut */
	is_int(sealed_open(m.b, m.n, buf, fr, &n),
	    QUIC_BAD, "a varint cut by the payload's end");

	/* limits */
	memset(&m, 0, sizeof(m));
	for (i = 0; i <= QUIC_FRAMES; i++)
		crypto(&m, data, i % 8, 0);
	pad(&m, 1100);
	is_int(sealed_open(m.b, m.n, buf, fr, &n),
	    QUIC_BIG, "%d CRYPTO frames", QUIC_FRAMES + 1);
	memset(&m, 0, sizeof(m));
	crypto(&m, data, 0, 8);
	pad(&m, QUIC_BUF);
	is_int(sealed_open(m.b, m.n, buf, fr, &n),
	    QUIC_BIG, "a packet over QUIC_BUF");
}

static void
test_put(void)
{
	static const uint8_t d[64] = "0123456789abcdefghijklmnopqrstuvwxyz";
	uint8_t b[16];
	uint16_t have = 0;
	uint32_t isl = 0;

	is_int(quic_crypto_put(b, 16, &have, &isl, 0, d, 4), 1, "[0,4)");
	is_int(have, 4, "... have 4");
	is_int(quic_crypto_put(b, 16, &have, &isl, 8, d + 8, 4), 0, "[8,12)");
	is_int(isl, 8 << 16 | 12, "... an island");
	is_int(quic_crypto_put(b, 16, &have, &isl, 12, d + 12, 2), 0,
	    "[12,14) joins it");
	is_int(isl, 8 << 16 | 14, "... island [8,14)");
	is_int(quic_crypto_put(b, 16, &have, &isl, 6, d + 6, 2), 0,
	    "[6,8) touches it from below");
	is_int(isl, 6 << 16 | 14, "... island [6,14)");
	is_int(quic_crypto_put(b, 16, &have, &isl, 15, d + 15, 1), -1,
	    "[15,16): a second island is lost");
	is_int(quic_crypto_put(b, 16, &have, &isl, 2, d + 2, 4), 1,
	    "[2,6) fills the gap");
	is_int(have, 14, "... have 14");
	is_int(isl, 0, "... no island");
	is_int(quic_crypto_put(b, 16, &have, &isl, 0, d, 10), 0,
	    "bytes sent again");
	is_int(quic_crypto_put(b, 16, &have, &isl, 10, d + 10, 30), 1,
	    "past the buffer: cut at cap");
	is_int(have, 16, "... have 16");
	is_mem(b, 16, d, 16, "the bytes in place");
	is_int(quic_crypto_put(b, 16, &have, &isl, 1ULL << 40, d, 4), 0,
	    "an offset far past the buffer");
	is_int(quic_crypto_put(b, 16, &have, &isl, 16, d, 0), 0, "empty");
}

int
main(void)
{
	test_keys();
	test_rfc_packet("RFC 9001 A.2", rfc9001_a2, QUIC_V1);
	test_rfc_packet("RFC 9369 A.2", rfc9369_a2, QUIC_V2);
	test_server();
	test_broken();
	test_split(QUIC_V1, 0);
	test_split(QUIC_V1, 1);
	test_split(QUIC_V2, 0);
	test_frames();
	test_put();
	return done();
}
