#!/usr/bin/env python3
"""Write one small pcap per router link framing that picoflow decodes
beyond Ethernet, each with a few flows and a control frame or two:

  ppp.pcap       DLT_PPP (9): ff 03 + 2-byte protocol; no ff 03 and a
                 1-byte (compressed) protocol (RFC 1661 6.5, 6.6); MPLS
                 (0x0281, 0x0283) with one and two labels; an LCP frame
  chdlc.pcap     DLT_C_HDLC (104), a Cisco serial WAN link: IPv4, IPv6,
                 MPLS (0x8847); SLARP keepalives
  ppp_hdlc.pcap  DLT_PPP_SERIAL (50): PPP in HDLC-like framing and Cisco
                 HDLC framing in one file
  pppoe_mpls.pcap  Ethernet, PPPoE session with MPLS (0x0281) beside
                 plain IPv4 (0x0021), as on a DSL uplink; an LCP frame

Deterministic.  Prints one line per file: "NAME frames N non_ip N".

Usage: mklinks.py OUTDIR
"""
import os
import struct
import sys

T0 = 1700000000


def ipv4(src, dst, proto, l4):
    hdr = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(l4), 0x1234, 0, 64,
                      proto, 0, bytes(src), bytes(dst))
    return hdr + l4


def ipv6(src, dst, nxt, l4):
    return struct.pack('!IHBB', 0x60000000, len(l4), nxt, 64) + bytes(src) + \
        bytes(dst) + l4


def tcp(sport, dport, flags, payload=b''):
    return struct.pack('!HHIIBBHHH', sport, dport, 1000, 2000, 0x50, flags,
                       65535, 0, 0) + payload


def udp(sport, dport, payload=b'abcd'):
    return struct.pack('!HHHH', sport, dport, 8 + len(payload), 0) + payload


def icmp(typ, code):
    return struct.pack('!BBHI', typ, code, 0, 0x00010001)


def label(value, bos):
    return struct.pack('!I', value << 12 | (0x100 if bos else 0) | 64)


def v4(a, b, c, d):
    return bytes((a, b, c, d))


def v6(last):
    return b'\x20\x01\x0d\xb8' + b'\x00' * 11 + bytes((last,))


PPP_FF03 = b'\xff\x03'


def ppp_frames():
    f = []
    for i in range(3):
        f.append(PPP_FF03 + b'\x00\x21' + ipv4(v4(10, 1, 0, 1), v4(10, 2, 0, 1), 6,
                                                tcp(40000, 443, 0x18, b'x' * i)))
    for i in range(2):		# no address/control, compressed protocol
        f.append(b'\x21' + ipv4(v4(10, 1, 0, 2), v4(10, 2, 0, 2), 17,
                                udp(5300, 5301, b'q' * (10 + i))))
    for i in range(2):		# MPLS, one label
        f.append(PPP_FF03 + b'\x02\x81' + label(100704, 1) +
                 ipv4(v4(10, 1, 0, 3), v4(10, 2, 0, 3), 17, udp(1000, 2000)))
    for i in range(2):		# ff 03, compressed IPv6
        f.append(PPP_FF03 + b'\x57' + ipv6(v6(1), v6(2), 17,
                                           udp(6000, 7000, b'z' * (20 + i))))
    # MPLS multicast, two labels, ICMP echo
    f.append(b'\x02\x83' + label(16, 0) + label(17, 1) +
             ipv4(v4(10, 1, 0, 4), v4(10, 2, 0, 4), 1, icmp(8, 0)))
    f.append(PPP_FF03 + b'\xc0\x21' + b'\x09\x01\x00\x08\x00\x00\x00\x00')  # LCP echo
    return f, 1


def chdlc(addr, et):
    return struct.pack('!BBH', addr, 0, et)


def chdlc_frames():
    f = []
    for i in range(3):
        f.append(chdlc(0x0f, 0x0800) + ipv4(v4(172, 16, 0, 1), v4(172, 16, 9, 9),
                                            6, tcp(50000 + i, 22, 0x10)))
    for i in range(2):
        f.append(chdlc(0x0f, 0x86dd) + ipv6(v6(3), v6(4), 17, udp(1230, 1231)))
    for i in range(2):
        f.append(chdlc(0x0f, 0x8847) + label(20, 0) + label(21, 1) +
                 ipv4(v4(172, 16, 0, 2), v4(172, 16, 9, 8), 17, udp(4000, 4001)))
    f.append(chdlc(0x8f, 0x0800) + ipv4(v4(172, 16, 0, 3), v4(255, 255, 255, 255),
                                        1, icmp(0, 0)))
    slarp = struct.pack('!IIIH', 2, 5, 2, 0xffff) + b'\x00\x78\xf0\xa2'
    f.append(chdlc(0x8f, 0x8035) + slarp)
    f.append(chdlc(0x8f, 0x8035) + slarp)
    return f, 2


def ppp_hdlc_frames():
    f = []
    for i in range(2):
        f.append(PPP_FF03 + b'\x00\x21' + ipv4(v4(192, 168, 5, 1), v4(192, 168, 6, 1),
                                                17, udp(2220, 3330)))
    for i in range(2):
        f.append(chdlc(0x0f, 0x0800) + ipv4(v4(192, 168, 5, 2), v4(192, 168, 6, 2),
                                            6, tcp(1111, 80, 0x02)))
    f.append(PPP_FF03 + b'\x80\x21' + b'\x01\x01\x00\x04')  # IPCP
    return f, 1


def pppoe(proto, payload):
    """Session header (RFC 2516), its length covering protocol and payload."""
    return struct.pack('!BBHH', 0x11, 0, 0x0042, len(proto) + len(payload)) + \
        proto + payload


def eth(et):
    return b'\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01' + struct.pack('!H', et)


def pppoe_mpls_frames():
    f = []
    for i in range(3):
        f.append(eth(0x8864) + pppoe(b'\x02\x81', label(300, 1) + ipv4(
            v4(100, 64, 0, 1), v4(203, 0, 113, 7), 6, tcp(33000, 443, 0x18))))
    for i in range(2):
        f.append(eth(0x8864) + pppoe(b'\x00\x21', ipv4(v4(100, 64, 0, 2),
                                                  v4(203, 0, 113, 8), 17, udp(5000, 5001))))
    f.append(eth(0x8864) + pppoe(b'\xc0\x21', b'\x09\x01\x00\x08\x00\x00\x00\x00'))
    return f, 1


FILES = (('ppp', 9, ppp_frames), ('chdlc', 104, chdlc_frames),
         ('ppp_hdlc', 50, ppp_hdlc_frames), ('pppoe_mpls', 1, pppoe_mpls_frames))


def write(path, dlt, frames):
    with open(path, 'wb') as out:
        out.write(struct.pack('<IHHiIII', 0xA1B2C3D4, 2, 4, 0, 0, 65535, dlt))
        for i, fr in enumerate(frames):
            us = i * 10000
            out.write(struct.pack('<IIII', T0 + us // 1000000, us % 1000000,
                                  len(fr), len(fr)))
            out.write(fr)


def main(argv):
    if len(argv) != 2:
        sys.stderr.write(__doc__)
        return 2
    for name, dlt, gen in FILES:
        frames, non_ip = gen()
        write(os.path.join(argv[1], name + '.pcap'), dlt, frames)
        print('%s frames %d non_ip %d' % (name, len(frames), non_ip))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
