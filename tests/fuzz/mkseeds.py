#!/usr/bin/env python3
"""Write the seed corpora into tests/fuzz/corpus/TARGET/seed-*.

decode: one byte choosing the link type (an index into the table in
fuzz_decode.c, kept equal to DECODE_DLTS below) followed by one frame.
pipeline: the chunk format of fuzz_pipeline.c, built from the same frames.
opts: NUL-separated argument vectors for fuzz_opts.c.
reader: capture files for fuzz_reader.c: classic pcap in both byte orders
and time resolutions, pcapng with several interfaces, resolutions,
offsets, simple and obsolete packet blocks, and cut or garbled ones.
netlink: datagrams for fuzz_netlink.c: the kernel answers recorded in the
unit tests (tests/unit/nl_link_recs.h, test_nl_route.c, test_nl_ct*.c),
alone, several to a datagram, and cut.
quic: inputs of fuzz_quic.c: the RFC 9001/9369 Initials of
tests/unit/test_quic.c as raw datagrams, and plaintext payloads (the RFC's
CRYPTO frame; ClientHellos split in shuffled CRYPTO frames over two
packets; every frame type an Initial may carry) for the target to seal.
Standard library only; run from anywhere: python3 tests/fuzz/mkseeds.py
"""
import os
import re
import struct

DLTS = [1, 0, 108, 9, 12, 14, 101, 228, 229, 113, 276, 147]
# fuzz_decode.c's table: DLTS, then Cisco HDLC and PPP_SERIAL (byte 0 % 14)
DECODE_DLTS = DLTS + [104, 50]
V4SRC, V4DST = bytes([192, 0, 2, 1]), bytes([198, 51, 100, 2])
V6SRC = bytes.fromhex('20010db8000000000000000000000001')
V6DST = bytes.fromhex('20010db8000000000000000000000002')


def be16(v):
    return struct.pack('>H', v)


def be32(v):
    return struct.pack('>I', v)


def eth(et):
    return bytes.fromhex('020000000001020000000002') + be16(et)


def tag(vid, et):
    return be16(0x2000 | vid) + be16(et)


def pppoe(proto, compressed=False):
    return b'\x11\x00' + be16(0x42) + be16(0) + \
        (bytes([proto]) if compressed else be16(proto))


def mpls(label, bos):
    return be32(label << 12 | (0x100 if bos else 0) | 64)


def sll(proto):
    return be16(0) + be16(1) + be16(6) + b'\x02' * 8 + be16(proto)


def sll2(proto):
    return be16(proto) + be16(0) + be32(3) + be16(1) + b'\x00\x06' + b'\x02' * 8


def null(af, big):
    return struct.pack('>I' if big else '<I', af)


def tcp(sport, dport, flags):
    return be16(sport) + be16(dport) + be32(1000) + be32(2000) + \
        bytes([0x50, flags]) + be16(65535) + be32(0)


def udp(sport, dport, payload=b'\x11\x22\x33\x44'):
    return be16(sport) + be16(dport) + be16(8 + len(payload)) + be16(0) + payload


def icmp(typ, code):
    return bytes([typ, code]) + be16(0) + be32(0x00010001)


def ipv4(proto, l4, frag=0, tos=0, opts=b'', length=None):
    hl = 20 + len(opts)
    if length is None:
        length = hl + len(l4)
    hdr = bytes([0x40 | hl // 4, tos]) + be16(length) + be16(0x1234) + \
        be16(frag) + bytes([64, proto]) + be16(0) + V4SRC + V4DST + opts
    return hdr + l4


def ipv6(nxt, rest, tclass=0, plen=None):
    if plen is None:
        plen = len(rest)
    return be32(6 << 28 | tclass << 20 | 0x12345) + be16(plen) + \
        bytes([nxt, 64]) + V6SRC + V6DST + rest


def ext6(nxt, n8=0):
    return bytes([nxt, n8]) + bytes((n8 + 1) * 8 - 2)


def ah6(nxt, n4=4):
    return bytes([nxt, n4]) + b'\xa5' * ((n4 + 2) * 4 - 2)


def frag6(nxt, off8, more):
    return bytes([nxt, 0]) + be16(off8 << 3 | more) + be32(0xdeadbeef)


V4TCP = ipv4(6, tcp(40000, 443, 0x18), tos=0x10)
V6UDP = ipv6(17, udp(5353, 53), tclass=0xb8)


def seeds():
    s = {}
    s['eth-ipv4-tcp'] = (1, eth(0x0800) + V4TCP)
    s['eth-ipv6-udp'] = (1, eth(0x86dd) + V6UDP)
    s['eth-vlan-ipv4'] = (1, eth(0x8100) + tag(10, 0x0800) + V4TCP)
    s['eth-qinq-ipv6'] = (1, eth(0x88a8) + tag(100, 0x8100) + tag(10, 0x86dd) + V6UDP)
    s['eth-9100-9200-ipv4-icmp'] = (1, eth(0x9100) + tag(1, 0x9200) +
                                    tag(2, 0x0800) + ipv4(1, icmp(8, 0)))
    s['eth-9-tags'] = (1, eth(0x8100) + b''.join(tag(i, 0x8100) for i in range(8)) +
                       tag(9, 0x0800) + V4TCP)
    s['eth-arp'] = (1, eth(0x0806) + bytes(28))
    s['pppoe-0021-ipv4'] = (1, eth(0x8864) + pppoe(0x21) + V4TCP)
    s['pppoe-0057-ipv6'] = (1, eth(0x8864) + pppoe(0x57) + V6UDP)
    s['pppoe-comp21-ipv4'] = (1, eth(0x8864) + pppoe(0x21, True) + V4TCP)
    s['pppoe-comp57-ipv6'] = (1, eth(0x8864) + pppoe(0x57, True) + V6UDP)
    s['pppoe-lcp'] = (1, eth(0x8864) + pppoe(0xc021) + bytes(10))
    s['qinq-pppoe-ipv4'] = (1, eth(0x88a8) + tag(100, 0x8100) + tag(10, 0x8864) +
                            pppoe(0x21) + V4TCP)
    s['mpls-ipv4'] = (1, eth(0x8847) + mpls(16, 1) + V4TCP)
    s['mpls-3-ipv6'] = (1, eth(0x8848) + mpls(16, 0) + mpls(17, 0) + mpls(18, 1) + V6UDP)
    s['vlan-mpls-ipv4'] = (1, eth(0x8100) + tag(5, 0x8847) + mpls(100, 1) + V4TCP)
    s['mpls-17'] = (1, eth(0x8847) + b''.join(mpls(i, i == 16) for i in range(17)) + V4TCP)
    s['mpls-pw'] = (1, eth(0x8847) + mpls(16, 1) + be32(0) + eth(0x0800) + V4TCP)
    s['null-le-ipv4'] = (0, null(2, False) + V4TCP)
    s['null-be-ipv4'] = (0, null(2, True) + V4TCP)
    for af in (10, 24, 28, 30):
        s['null-le-af%d-ipv6' % af] = (0, null(af, False) + V6UDP)
        s['null-be-af%d-ipv6' % af] = (0, null(af, True) + V6UDP)
    s['null-af7'] = (0, null(7, False) + bytes(20))
    s['loop-ipv4'] = (108, null(2, True) + V4TCP)
    s['loop-ipv6'] = (108, null(24, True) + V6UDP)
    s['ppp-ff03-ipv4'] = (9, b'\xff\x03' + be16(0x21) + V4TCP)
    s['ppp-ipv6'] = (9, be16(0x57) + V6UDP)
    s['ppp-lcp'] = (9, b'\xff\x03' + be16(0xc021) + bytes(8))
    s['ppp-comp21-ipv4'] = (9, b'\x21' + V4TCP)
    s['ppp-ff03-comp57-ipv6'] = (9, b'\xff\x03\x57' + V6UDP)
    s['ppp-mpls-ipv4'] = (9, b'\xff\x03' + be16(0x0281) + mpls(100704, 1) + V4TCP)
    s['ppp-mpls-mc-2-ipv6'] = (9, be16(0x0283) + mpls(16, 0) + mpls(17, 1) + V6UDP)
    s['pppoe-mpls-ipv4'] = (1, eth(0x8864) + pppoe(0x0281) + mpls(300, 1) + V4TCP)
    s['chdlc-ipv4'] = (104, b'\x0f\x00' + be16(0x0800) + V4TCP)
    s['chdlc-ipv6'] = (104, b'\x8f\x00' + be16(0x86dd) + V6UDP)
    s['chdlc-mpls-ipv4'] = (104, b'\x0f\x00' + be16(0x8847) + mpls(20, 0) + mpls(21, 1) +
                            V4TCP)
    s['chdlc-slarp'] = (104, b'\x8f\x00' + be16(0x8035) + bytes(18))
    s['ppp-hdlc-cisco-ipv4'] = (50, b'\x0f\x00' + be16(0x0800) + V4TCP)
    s['ppp-hdlc-ff03-ipv6'] = (50, b'\xff\x03' + be16(0x57) + V6UDP)
    s['raw12-ipv4'] = (12, V4TCP)
    s['raw14-ipv6'] = (14, V6UDP)
    s['raw101-ipv4'] = (101, V4TCP)
    s['raw101-ipv6'] = (101, V6UDP)
    s['raw101-version5'] = (101, b'\x55' + bytes(39))
    s['ipv4-228'] = (228, V4TCP)
    s['ipv4-228-carrying-ipv6'] = (228, V6UDP)
    s['ipv6-229'] = (229, V6UDP)
    s['sll-ipv4'] = (113, sll(0x0800) + V4TCP)
    s['sll-vlan-ipv4'] = (113, sll(0x8100) + tag(10, 0x0800) + V4TCP)
    s['sll-arp'] = (113, sll(0x0806) + bytes(28))
    s['sll2-ipv6'] = (276, sll2(0x86dd) + V6UDP)
    s['sll2-mpls-ipv4'] = (276, sll2(0x8847) + mpls(20, 1) + V4TCP)
    s['unsupported'] = (147, V4TCP)
    s['ipv4-options-tcp'] = (1, eth(0x0800) + ipv4(6, tcp(1234, 80, 2), opts=b'\x01' * 4))
    s['ipv4-frag-first'] = (1, eth(0x0800) + ipv4(17, udp(5000, 6000) + bytes(64), frag=0x2000))
    s['ipv4-frag-middle'] = (1, eth(0x0800) + ipv4(17, udp(5000, 6000), frag=0x2000 | 185))
    s['ipv4-icmp'] = (1, eth(0x0800) + ipv4(1, icmp(3, 3)))
    s['ipv4-sctp'] = (1, eth(0x0800) + ipv4(132, udp(2905, 2906)))
    s['ipv4-tso'] = (1, eth(0x0800) + ipv4(6, tcp(33000, 22, 0x10), length=0))
    s['ipv4-ihl4'] = (1, eth(0x0800) + bytes([0x44]) + ipv4(6, tcp(1, 2, 0))[1:])
    s['ipv4-len-short'] = (1, eth(0x0800) + ipv4(6, tcp(1, 2, 0), length=10))
    s['ipv6-ext-chain-tcp'] = (1, eth(0x86dd) + ipv6(0, ext6(43) + ext6(60, 2) + ext6(6, 1) +
                                                     tcp(50000, 8080, 0x11)))
    s['ipv6-frag-first'] = (1, eth(0x86dd) + ipv6(44, frag6(17, 0, 1) + udp(53, 40001)))
    s['ipv6-frag-later'] = (1, eth(0x86dd) + ipv6(0, ext6(44) + frag6(17, 181, 0) + bytes(32)))
    s['ipv6-ah-tcp'] = (1, eth(0x86dd) + ipv6(51, ah6(6) + tcp(179, 30000, 0x18)))
    s['ipv6-icmpv6'] = (1, eth(0x86dd) + ipv6(58, icmp(128, 0)))
    s['ipv6-17-ext'] = (1, eth(0x86dd) + ipv6(60, b''.join(ext6(60 if i < 16 else 17)
                                                         for i in range(17)) + udp(1, 2)))
    s['ipv6-jumbo'] = (1, eth(0x86dd) + ipv6(0, bytes([6, 0, 0xc2, 4]) + be32(70000) +
                                             tcp(5001, 5002, 0x10), plen=0))
    s['eth-0800-carrying-ipv6'] = (1, eth(0x0800) + V6UDP)
    return s


def chunk(dlt, frame, dt=1, unit=0, extra=0, tick=False):
    """One fuzz_pipeline.c chunk: unit 0 ms, 1 s, 2 the 2^24 ms jump."""
    ctrl = DLTS.index(dlt) | (0x10, 0x20)[unit - 1] if unit else DLTS.index(dlt)
    if extra > 255:
        ctrl |= 0x40
        extra //= 65536
    if tick:
        ctrl |= 0x80
    assert len(frame) < 256 and 0 <= extra < 256 and dt < 256
    return bytes([ctrl, dt, extra, len(frame)]) + frame


def flow4(i, proto=17, flags=0):
    l4 = tcp(1000 + i, 80, flags) if proto == 6 else udp(1000 + i, 53)
    return eth(0x0800) + ipv4(proto, l4)


def pipeline_seeds(frames):
    """(config bytes, chunks) per seed; config as in fuzz_pipeline.c."""
    s = {}
    # Every decode seed of a link type the pipeline target knows (DLTS) as
    # a one-packet run, small table, MTU 264.
    frames = {k: v for k, v in frames.items() if v[0] in DLTS}
    for name, (dlt, frame) in frames.items():
        s['one-' + name] = bytes([0x03, 0x00]) + chunk(dlt, frame)
    mixed = b''.join(chunk(dlt, f, dt=7) for _, (dlt, f) in sorted(frames.items()))
    s['all-frames-table4'] = bytes([0x03, 0x10]) + mixed
    s['all-frames-table16-mtu1400'] = bytes([0x8f, 0x00]) + mixed
    # More flows than a 2-slot table: evictions; short timeouts split them.
    s['evict'] = bytes([0x31, 0x00]) + b''.join(
        chunk(1, flow4(i % 5), dt=200) for i in range(40))
    s['tcp-fin-rst'] = bytes([0x13, 0x01]) + b''.join(
        chunk(1, flow4(i % 3, 6, f), dt=1, unit=1)
        for i, f in enumerate([2, 0x12, 0x10, 0x11, 4, 0x10]))
    # Clock jumps toward and past the sysUptime rebase point.
    s['rebase'] = bytes([0x07, 0x20]) + b''.join(
        chunk(1, flow4(i % 2), dt=64, unit=2) for i in range(6))
    s['rebase-tick'] = bytes([0x07, 0x00]) + chunk(1, flow4(0)) + \
        chunk(1, flow4(1), dt=127, unit=2) + chunk(1, flow4(1), dt=255, tick=True) + \
        chunk(1, flow4(2), dt=1, unit=2)
    # TSO: IP length 0, frame 64 KiB on the wire, many times.
    tso = eth(0x0800) + ipv4(6, tcp(33000, 22, 0x10), length=0)
    s['tso-big'] = bytes([0x00, 0x00]) + b''.join(
        chunk(1, tso, dt=1, extra=255 * 65536) for _ in range(64))
    return s


def app_frame(fwd, l4, proto=6):
    """An Ethernet/IPv4 frame from client to server (fwd) or back."""
    f = ipv4(proto, l4)
    if not fwd:
        f = f[:12] + f[16:20] + f[12:16] + f[20:]
    return eth(0x0800) + f


def seg(fwd, seq, ack, flags, payload=b''):
    sp, dp = (40000, 443) if fwd else (443, 40000)
    return app_frame(fwd, be16(sp) + be16(dp) + be32(seq) + be32(ack) +
                     bytes([0x50, flags]) + be16(65535) + be32(0) + payload)


def client_hello(name):
    """A TLS 1.2 record with a ClientHello: padding first, SNI last."""
    sni = be16(len(name) + 3) + b'\0' + be16(len(name)) + name
    exts = be16(21) + be16(120) + bytes(120) + be16(0) + be16(len(sni)) + sni
    body = b'\x03\x03' + bytes(32) + b'\0' + be16(2) + b'\x13\x01' + \
        b'\x01\0' + be16(len(exts)) + exts
    hs = b'\x01' + len(body).to_bytes(3, 'big') + body
    return b'\x16\x03\x01' + be16(len(hs)) + hs


def dns(qid, name, qtype=1, resp=False):
    q = b''.join(bytes([len(x)]) + x for x in name.split(b'.')) + b'\0'
    return be16(qid) + (b'\x81\x83' if resp else b'\x01\0') + be16(1) + \
        bytes(6) + q + be16(qtype) + be16(1)


def app_seeds():
    """--app-info runs (config byte 1 bit 2): names, handshakes, loss."""
    hello = client_hello(b'www.example.org')
    half = len(hello) // 2
    tls = [seg(1, 1000, 0, 0x02), seg(0, 5000, 1001, 0x12),
           seg(1, 1001, 5001, 0x10), seg(1, 1001, 5001, 0x18, hello[:half]),
           seg(1, 1001 + half, 5001, 0x18, hello[half:]),
           seg(1, 1001 + half, 5001, 0x18, hello[half:]),   # sent again
           seg(0, 5001, 1001 + len(hello), 0x18, b'\x16\x03\x03' + bytes(40)),
           seg(1, 1001 + len(hello), 5041, 0x11), seg(0, 5041, 0, 0x04)]
    get = b'GET / HTTP/1.1\r\nUser-Agent: x\r\nHost: example.net:8080\r\n\r\n'
    http = [seg(1, 7000, 0, 0x02), seg(0, 9000, 7001, 0x12),
            seg(1, 7001, 9001, 0x10), seg(1, 7001, 9001, 0x18, get)]
    udp53 = [app_frame(1, udp(33000, 53, dns(7, b'host.example.com', 28)), 17),
             app_frame(0, udp(53, 33000, dns(7, b'host.example.com', 28,
                                            True)), 17)]
    s = {}
    for name, frames in (('tls-split', tls), ('http', http), ('dns', udp53)):
        s['app-' + name] = bytes([0x8f, 0x04]) + b''.join(
            chunk(1, f, dt=3) for f in frames)
    s['app-all-tiny-table'] = bytes([0x81, 0x04]) + b''.join(
        chunk(1, f, dt=2) for f in tls + http + udp53)
    s['app-sampled'] = bytes([0x8f, 0x05]) + b''.join(
        chunk(1, f, dt=2) for f in tls + udp53)
    return s


OPTS = [
    ['-r', 'x.pcap', '-n', '127.0.0.1:2055'],
    ['-i', 'eth0', '-n', '[::1]:9995', '-s', '10', '--sample-mode', 'random'],
    ['-T', '-i', 'eth0', '-n', 'collector:2055', '-m', '4096', '-M', '2M'],
    ['-r', 'f', '-P', '-t', 'tcp=30s', '-t', 'active=5m', '-t', 'tcp.fin=1'],
    ['--check', '-i', 'a', '-i', 'b', '-f', 'udp', '-S', '4294967295'],
    ['-r', 'f', '-P', '--mtu', '264', '--template-packets', '0',
     '--template-secs', '1h', '--pace', '0', '--snaplen', '65535'],
    ['-r', 'f', '-P', '--no-promisc', '-v', '9', '-d'],
    ['-r', 'f', '-n', 'h:1', '-v', '5', '-s', '20000', '-S', '70000'],
    ['-r', 'f', '-n', 'h:1', '-v', '10', '--mtu', '264'],
    ['-T', '-m', '0', '-M', '1', '-t', 'bogus=1', '-v', '5', '-n', 'x', '-s',
     '-1', '--mtu=99999', 'extra'],
    ['-h'], ['-V'], ['--memory=16k', '-r', 'f', '-P'], ['-x', '--bogus', '-r'],
    ['-i', 'lan', '-n', 'h:1', '--nat', '--egress', '-u', 'picoflow',
     '--no-sandbox'],
    ['-r', 'f', '-n', 'h:1', '--app-info', '-v', '10', '--mtu', '1000'],
]


def pcap_classic(frames, le=True, nsec=False, dlt=1, snap=65535):
    e = '<' if le else '>'
    magic = 0xa1b23c4d if nsec else 0xa1b2c3d4
    out = struct.pack(e + 'IHHiIII', magic, 2, 4, 0, 0, snap, dlt)
    for i, f in enumerate(frames):
        out += struct.pack(e + 'IIII', 1700000000 + i, 500 * i, len(f),
                           len(f) + (i % 2) * 100) + f
    return out


def ng_block(btype, body):
    pad = body + bytes(-len(body) % 4)
    n = 12 + len(pad)
    return struct.pack('<II', btype, n) + pad + struct.pack('<I', n)


def ng_opt(code, val):
    return struct.pack('<HH', code, len(val)) + val + bytes(-len(val) % 4)


def pcapng(frames, ifaces=((1, None),), spb=False, obsolete=False):
    out = ng_block(0x0a0d0d0a, struct.pack('<IHHq', 0x1a2b3c4d, 1, 0, -1))
    for dlt, opts in ifaces:
        out += ng_block(1, struct.pack('<HHI', dlt, 0, 65535) + (opts or b''))
    for i, f in enumerate(frames):
        ifn = i % len(ifaces)
        body = f + bytes(-len(f) % 4)
        if spb and ifn == 0:
            out += ng_block(3, struct.pack('<I', len(f)) + body)
        elif obsolete:
            out += ng_block(2, struct.pack('<HHIIII', ifn, 0, 0, 1000 * i,
                                           len(f), len(f)) + body)
        else:
            out += ng_block(6, struct.pack('<IIIII', ifn, 0, 1000 * i,
                                           len(f), len(f)) + body)
    return out


def reader_seeds(frames):
    eth4 = [f for d, f in frames.values() if d == 1][:6]
    raw = [f for d, f in frames.values() if d in (12, 228)][:3]
    tsres = ng_opt(9, bytes([9])) + ng_opt(0, b'')       # nanoseconds
    tsbin = ng_opt(9, bytes([0x80 | 20])) + ng_opt(0, b'')  # 2^-20 s
    tsoff = ng_opt(14, struct.pack('<q', -3600)) + ng_opt(0, b'')
    s = {
        'pcap-le-usec': pcap_classic(eth4),
        'pcap-be-usec': pcap_classic(eth4, le=False),
        'pcap-le-nsec': pcap_classic(eth4, nsec=True),
        'pcap-raw': pcap_classic(raw, dlt=101),
        'pcap-snap64': pcap_classic(eth4, snap=64),
        'pcap-header-only': pcap_classic([]),
        'pcapng-epb': pcapng(eth4),
        'pcapng-two-ifs': pcapng(eth4 + raw, ifaces=((1, tsres), (101, tsoff))),
        'pcapng-binary-res': pcapng(eth4, ifaces=((1, tsbin),)),
        'pcapng-spb': pcapng(eth4, spb=True),
        'pcapng-obsolete-pb': pcapng(eth4, obsolete=True),
        'pcapng-no-idb': pcapng([])[:28] + ng_block(6, struct.pack(
            '<IIIII', 0, 0, 0, 4, 4) + b'abcd'),
    }
    big = pcap_classic([bytes(70000)])
    s['pcap-frame-over-keep'] = big
    whole = s['pcapng-two-ifs']
    s['pcapng-cut'] = whole[:len(whole) - 7]
    s['pcap-cut-record'] = s['pcap-le-usec'][:24 + 16 + 5]
    lie = bytearray(s['pcapng-epb'])
    lie[28 + 20 + 4:28 + 20 + 8] = struct.pack('<I', 0xfffffff0)
    s['pcapng-bad-length'] = bytes(lie)
    return s


def recorded_netlink(here):
    """The byte arrays recorded from a kernel in the unit tests."""
    unit = os.path.join(here, '..', 'unit')
    out = {}
    for name in ('nl_link_recs.h', 'test_nl_route.c', 'test_nl_ct.c',
                 'test_nl_ct_acct.c'):
        text = open(os.path.join(unit, name)).read()
        for m in re.finditer(r'static const uint8_t (\w+)\[\] = \{([^}]*)\}',
                             text):
            vals = re.findall(r'0x[0-9a-fA-F]{2}|\b\d+\b', m.group(2))
            out[m.group(1)] = bytes(int(v, 0) for v in vals)
    return out


def netlink_seeds(here):
    rec = recorded_netlink(here)
    s = dict(rec)
    done = struct.pack('<IHHII', 20, 3, 2, 1, 0) + struct.pack('<i', 0)
    links = [v for k, v in sorted(rec.items()) if k.startswith('nl_')]
    cts = [v for k, v in sorted(rec.items()) if k.startswith('ct_')]
    s['links-together'] = b''.join(links)
    s['ct-dump-done'] = b''.join(cts) + done
    for k, v in sorted(rec.items()):
        s[k + '-cut'] = v[:len(v) * 2 // 3]
    return s


def quic_crypto(stream, off, n):
    """A CRYPTO frame with 2-byte varints."""
    return b'\x06' + be16(0x4000 | off) + be16(0x4000 | n) + stream[off:off + n]


def quic_hello(name, share):
    """A ClientHello (no record) with a big key share before the SNI."""
    sni = be16(len(name) + 3) + b'\0' + be16(len(name)) + name
    exts = be16(0x33) + be16(share) + b'\x5a' * share + be16(0) + be16(len(sni)) + sni
    body = b'\x03\x03' + bytes(32) + b'\x20' + bytes(32) + be16(2) + b'\x13\x01' + \
        b'\x01\0' + be16(len(exts)) + exts
    return b'\x01' + len(body).to_bytes(3, 'big') + body


def quic_seeds(here):
    """fuzz_quic.c inputs: ctrl byte, then a datagram or sealed chunks."""
    src = open(os.path.join(here, '..', 'unit', 'test_quic.c')).read()
    rfc = {m.group(1): bytes.fromhex(''.join(re.findall(r'"([0-9a-f]+)"', m.group(2))))
           for m in re.finditer(r'static const char (rfc\w+)\[\] =\n((?:\s*"[0-9a-f]+"\n?)+);', src)}
    s = {'raw-rfc9001-a2': b'\x02' + rfc['rfc9001_a2'],
         'raw-rfc9369-a2': b'\x03' + rfc['rfc9369_a2'],
         'raw-rfc9001-a3-server': b'\x02' + rfc['rfc9001_a3']}

    def sealed(ctrl, payloads):
        return bytes([ctrl]) + b''.join(be16(len(p)) + p for p in payloads)

    s['rfc-payload'] = sealed(0, [rfc['rfc9001_a2_crypto'].ljust(1162, b'\0')])
    h = quic_hello(b'www.example.org', 1700)
    p1 = b'\x01' + quic_crypto(h, 400, 600) + bytes(3) + quic_crypto(h, 0, 150) + \
        b'\x01' + quic_crypto(h, 150, 250)
    p2 = quic_crypto(h, 1500, len(h) - 1500) + bytes(2) + quic_crypto(h, 1000, 500)
    s['split-v1'] = sealed(0, [p1.ljust(1100, b'\0'), p2.ljust(1100, b'\0')])
    s['split-v2-reversed'] = sealed(1, [p2, p1])
    s['split-gaps'] = sealed(0, [quic_crypto(h, 0, 100), quic_crypto(h, 300, 100),
                                 quic_crypto(h, 600, 100), quic_crypto(h, 100, 200)])
    s['frames'] = sealed(0, [b'\x02\x05\x00\x02\x00\x01\x00\x01\x00' +
                             b'\x03\x05\x00\x00\x00\x01\x02\x03' +
                             b'\x1c\x0a\x00\x03xyz' + quic_crypto(h, 0, 40) +
                             b'\x08\x00' + quic_crypto(h, 40, 40)])
    s['many-frames'] = sealed(0, [b''.join(quic_crypto(h, i * 4, 4) for i in range(70))])
    return s


def write(out, name, data):
    with open(os.path.join(out, 'seed-' + name), 'wb') as f:
        f.write(data)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    frames = seeds()
    dirs = {t: os.path.join(here, 'corpus', t) for t in
            ('decode', 'pipeline', 'opts', 'reader', 'netlink', 'quic')}
    for d in dirs.values():
        os.makedirs(d, exist_ok=True)
    for name, (dlt, frame) in sorted(frames.items()):
        write(dirs['decode'], name, bytes([DECODE_DLTS.index(dlt)]) + frame)
    pipe = pipeline_seeds(frames)
    pipe.update(app_seeds())
    for name, data in sorted(pipe.items()):
        write(dirs['pipeline'], name, data)
    for i, argv in enumerate(OPTS):
        write(dirs['opts'], '%02d' % i, b'\0'.join(a.encode() for a in argv))
    rd = reader_seeds(frames)
    for name, data in sorted(rd.items()):
        write(dirs['reader'], name, data)
    nl = netlink_seeds(here)
    for name, data in sorted(nl.items()):
        write(dirs['netlink'], name, data)
    qs = quic_seeds(here)
    for name, data in sorted(qs.items()):
        write(dirs['quic'], name, data)
    print('wrote %d decode, %d pipeline, %d opts, %d reader, %d netlink, %d quic seeds' %
          (len(frames), len(pipe), len(OPTS), len(rd), len(nl), len(qs)))


if __name__ == '__main__':
    main()
