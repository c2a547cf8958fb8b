#!/usr/bin/env python3
"""Write a small, deterministic demo capture for picoflow (classic pcap,
Ethernet, microsecond time stamps), about two minutes of synthetic but
well-formed traffic from a home network:

  * HTTP over TCP (IPv4 and IPv6): handshake with MSS option, request,
    segmented response, ACKs, FIN from both sides;
  * DNS queries and answers over UDP;
  * ICMP and ICMPv6 echo request/reply;
  * an NTP exchange on 802.1Q VLAN 10;
  * a TCP flow inside a PPPoE session (the WAN side of a DSL router);
  * a long-lived SSH-like flow with a packet every few seconds;
  * ARP requests and replies (not IP: a probe skips them).

Every IP total length, header checksum and TCP/UDP/ICMP checksum is correct,
and short frames carry Ethernet padding to 60 bytes as on a real wire, so a
probe that counts frame bytes instead of IP bytes shows a difference.
Only standard library; same output byte for byte on every run.

Usage: mkdemo.py OUT.pcap
"""
import random
import struct
import sys

T0_US = 1700000000 * 1000000          # 2023-11-14 22:13:20 UTC
ETH_IP4, ETH_IP6, ETH_ARP = 0x0800, 0x86DD, 0x0806
ETH_VLAN, ETH_PPPOE_S = 0x8100, 0x8864


def mac(s):
    return bytes(int(x, 16) for x in s.split(':'))


def ip4(s):
    return bytes(int(x) for x in s.split('.'))


def ip6(s):
    head, _, tail = s.partition('::')
    h = [int(x, 16) for x in head.split(':') if x]
    t = [int(x, 16) for x in tail.split(':') if x]
    words = h + [0] * (8 - len(h) - len(t)) + t
    return struct.pack('!8H', *words)


def csum(data):
    if len(data) % 2:
        data += b'\0'
    s = sum(struct.unpack('!%dH' % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def pseudo(src, dst, proto, length):
    if len(src) == 4:
        return src + dst + struct.pack('!BBH', 0, proto, length)
    return src + dst + struct.pack('!IxxxB', length, proto)


class IP:
    """One endpoint address family helper: builds the IP header for a payload."""
    ident = 0x1000

    @classmethod
    def packet(cls, src, dst, proto, payload, ttl=64):
        if len(src) == 4:
            cls.ident = (cls.ident + 1) & 0xFFFF
            hdr = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(payload),
                              cls.ident, 0x4000, ttl, proto, 0, src, dst)
            hdr = hdr[:10] + struct.pack('!H', csum(hdr)) + hdr[12:]
            return hdr + payload
        return struct.pack('!IHBB16s16s', 0x60000000, len(payload), proto,
                           ttl, src, dst) + payload


def l4_with_csum(src, dst, proto, segment, csum_off):
    c = csum(pseudo(src, dst, proto, len(segment)) + segment)
    if proto == 17 and c == 0:
        c = 0xFFFF
    return segment[:csum_off] + struct.pack('!H', c) + segment[csum_off + 2:]


def tcp(src, dst, sport, dport, seq, ack, flags, payload=b'', mss=None,
        win=64240):
    opts = struct.pack('!BBH', 2, 4, mss) if mss else b''
    off = (20 + len(opts)) // 4
    seg = struct.pack('!HHIIBBHHH', sport, dport, seq & 0xFFFFFFFF,
                      ack & 0xFFFFFFFF, off << 4, flags, win, 0, 0)
    seg += opts + payload
    return IP.packet(src, dst, 6, l4_with_csum(src, dst, 6, seg, 16))


def udp(src, dst, sport, dport, payload):
    seg = struct.pack('!HHHH', sport, dport, 8 + len(payload), 0) + payload
    return IP.packet(src, dst, 17, l4_with_csum(src, dst, 17, seg, 6))


def icmp_echo(src, dst, reply, ident, seq, data):
    if len(src) == 4:
        msg = struct.pack('!BBHHH', 0 if reply else 8, 0, 0, ident, seq) + data
        msg = msg[:2] + struct.pack('!H', csum(msg)) + msg[4:]
        return IP.packet(src, dst, 1, msg)
    msg = struct.pack('!BBHHH', 129 if reply else 128, 0, 0, ident, seq) + data
    return IP.packet(src, dst, 58, l4_with_csum(src, dst, 58, msg, 2))


FIN, SYN, RST, PSH, ACK = 0x01, 0x02, 0x04, 0x08, 0x10


class Link:
    """How IP packets between two MACs are framed: plain, VLAN or PPPoE."""

    def __init__(self, a_mac, b_mac, vlan=None, pppoe=None):
        self.a, self.b = mac(a_mac), mac(b_mac)
        self.vlan, self.pppoe = vlan, pppoe

    def frame(self, a_to_b, ippkt):
        dst, src = (self.b, self.a) if a_to_b else (self.a, self.b)
        v6 = (ippkt[0] >> 4) == 6
        et = ETH_IP6 if v6 else ETH_IP4
        if self.pppoe is not None:
            ppp = struct.pack('!H', 0x0057 if v6 else 0x0021) + ippkt
            ippkt = struct.pack('!BBHH', 0x11, 0, self.pppoe, len(ppp)) + ppp
            et = ETH_PPPOE_S
        return eth(dst, src, et, ippkt, self.vlan)


def eth(dst, src, et, payload, vlan=None):
    hdr = dst + src
    if vlan is not None:
        hdr += struct.pack('!HH', ETH_VLAN, vlan)
    f = hdr + struct.pack('!H', et) + payload
    return f + b'\0' * (60 - len(f)) if len(f) < 60 else f


class Trace:
    def __init__(self):
        self.pkts = []

    def add(self, t_us, frame):
        self.pkts.append((t_us, len(self.pkts), frame))

    def write(self, path):
        with open(path, 'wb') as f:
            f.write(struct.pack('<IHHiIII', 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
            for t, _, fr in sorted(self.pkts):
                t += T0_US
                f.write(struct.pack('<IIII', t // 1000000, t % 1000000,
                                    len(fr), len(fr)))
                f.write(fr)


def http_response(size):
    body = bytes(0x61 + (i * 7) % 26 for i in range(size))
    return b'HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n' \
        b'Content-Length: %d\r\n\r\n' % size + body


def tls_records(size, rng):
    """TLS 1.2 application data records (opaque, correctly framed)."""
    out = b''
    while size > 0:
        n = min(size, 4096)
        out += struct.pack('!BHH', 23, 0x0303, n)
        out += bytes(rng.randrange(256) for _ in range(n))
        size -= n
    return out


def tcp_conv(tr, t, link, c_ip, s_ip, sport, dport, request, response,
             rtt=20000, mss=1460, rng=None, close=True):
    """A client/server exchange; returns the time after the last packet."""
    cs, ss = rng.randrange(1 << 32), rng.randrange(1 << 32)
    half = rtt // 2

    def c2s(flags, payload=b'', **kw):
        tr.add(t, link.frame(True, tcp(c_ip, s_ip, sport, dport, cs, ss,
                                       flags, payload, **kw)))

    def s2c(flags, payload=b'', **kw):
        tr.add(t, link.frame(False, tcp(s_ip, c_ip, dport, sport, ss, cs,
                                        flags, payload, **kw)))

    tr.add(t, link.frame(True, tcp(c_ip, s_ip, sport, dport, cs, 0, SYN,
                                   mss=mss)))
    cs += 1
    t += half
    s2c(SYN | ACK, mss=mss)
    ss += 1
    t += half
    c2s(ACK)
    t += 300
    c2s(PSH | ACK, request)
    cs += len(request)
    t += half
    s2c(ACK)
    t += 2000
    segs = [response[i:i + mss] for i in range(0, len(response), mss)]
    for i, seg in enumerate(segs):
        s2c(ACK | (PSH if i == len(segs) - 1 else 0), seg)
        ss += len(seg)
        t += 120
        if i % 2 == 1 or i == len(segs) - 1:
            t += half
            c2s(ACK)
            t += 50
    if not close:
        return t, (cs, ss)
    t += 5000
    s2c(FIN | ACK)
    ss += 1
    t += half
    c2s(FIN | ACK)
    cs += 1
    t += half
    s2c(ACK)
    return t + 100, None


def dns_name(name):
    return b''.join(bytes([len(p)]) + p.encode() for p in name.split('.')) + b'\0'


def dns_pair(tr, t, link, c_ip, s_ip, sport, qid, name, answers, rtt=15000):
    q = struct.pack('!HHHHHH', qid, 0x0100, 1, 0, 0, 0)
    q += dns_name(name) + struct.pack('!HH', 1, 1)
    tr.add(t, link.frame(True, udp(c_ip, s_ip, sport, 53, q)))
    r = struct.pack('!HHHHHH', qid, 0x8180, 1, len(answers), 0, 0)
    r += dns_name(name) + struct.pack('!HH', 1, 1)
    for a in answers:
        r += struct.pack('!HHHIH', 0xC00C, 1, 1, 300, 4) + ip4(a)
    tr.add(t + rtt, link.frame(False, udp(s_ip, c_ip, 53, sport, r)))


def arp(tr, t, who_mac, who_ip, target_ip, target_mac):
    bcast = b'\xff' * 6
    req = struct.pack('!HHBBH6s4s6s4s', 1, ETH_IP4, 6, 4, 1, mac(who_mac),
                      ip4(who_ip), b'\0' * 6, ip4(target_ip))
    tr.add(t, eth(bcast, mac(who_mac), ETH_ARP, req))
    rep = struct.pack('!HHBBH6s4s6s4s', 1, ETH_IP4, 6, 4, 2, mac(target_mac),
                      ip4(target_ip), mac(who_mac), ip4(who_ip))
    tr.add(t + 400, eth(mac(who_mac), mac(target_mac), ETH_ARP, rep))


def ntp(tr, t, link, c_ip, s_ip, n):
    for i in range(n):
        q = bytes([0x23]) + b'\0' * 47
        r = bytes([0x24, 2, 6, 0xE9]) + bytes(44)
        tr.add(t, link.frame(True, udp(c_ip, s_ip, 123, 123, q)))
        tr.add(t + 9000, link.frame(False, udp(s_ip, c_ip, 123, 123, r)))
        t += 16000000


def build():
    rng = random.Random(20231114)
    tr = Trace()
    gw_mac, laptop_mac, phone_mac = ('02:00:00:00:00:01', '02:00:00:00:00:10',
                                     '02:00:00:00:00:11')
    lan_gw, laptop, phone = '192.168.1.1', '192.168.1.10', '192.168.1.11'
    web1, web2, ssh_srv = '93.184.216.34', '198.51.100.80', '203.0.113.22'
    laptop6, web6 = '2001:db8:1::10', '2001:db8:ffff::80'
    lan = Link(laptop_mac, gw_mac)
    lan_phone = Link(phone_mac, gw_mac)
    vlan = Link('02:00:00:00:0a:20', '02:00:00:00:0a:01', vlan=10)
    wan = Link('02:00:00:00:ee:01', '02:00:00:00:ee:02', pppoe=0x1a2b)

    arp(tr, 0, laptop_mac, laptop, lan_gw, gw_mac)
    arp(tr, 61000000, phone_mac, phone, lan_gw, gw_mac)
    arp(tr, 118000000, laptop_mac, laptop, lan_gw, gw_mac)

    # Page loads: DNS, then HTTP; IPv4 and IPv6.
    t = 500000
    sites = [('www.example.com', web1, 4100), ('cdn.example.net', web2, 12000),
             ('www.example.com', web1, 900), ('img.example.net', web2, 30000)]
    port = 49152
    for i, (name, addr, size) in enumerate(sites):
        dns_pair(tr, t, lan, ip4(laptop), ip4(lan_gw), 40000 + i,
                 0x4000 + i, name, [addr])
        req = ('GET /page%d HTTP/1.1\r\nHost: %s\r\nUser-Agent: demo\r\n'
               'Accept: */*\r\n\r\n' % (i, name)).encode()
        tcp_conv(tr, t + 20000, lan, ip4(laptop), ip4(addr), port, 80, req,
                 http_response(size), rng=rng)
        port += 1
        t += 27000000
    req6 = b'GET / HTTP/1.1\r\nHost: www.example.com\r\n\r\n'
    tcp_conv(tr, 8000000, lan, ip6(laptop6), ip6(web6), 50000, 80, req6,
             http_response(6000), mss=1440, rng=rng)
    tcp_conv(tr, 95000000, lan, ip6(laptop6), ip6(web6), 50001, 443,
             tls_records(200, rng), tls_records(2500, rng), mss=1440, rng=rng)

    # The phone asks for a few names too.
    for i, name in enumerate(('time.example.org', 'mail.example.org',
                              'chat.example.org')):
        dns_pair(tr, 30000000 + i * 21000000, lan_phone, ip4(phone),
                 ip4(lan_gw), 53000 + i, 0x7000 + i, name,
                 ['192.0.2.%d' % (10 + i), '192.0.2.%d' % (20 + i)])

    # Pings: 4 ICMP echoes, 3 ICMPv6 echoes, one second apart.
    for s in range(4):
        ts = 40000000 + s * 1000000
        data = bytes(range(48)) + struct.pack('!Q', s)
        tr.add(ts, lan.frame(True, icmp_echo(ip4(laptop), ip4(web1), False,
                                             0x0bad, s + 1, data)))
        tr.add(ts + 18000, lan.frame(False, icmp_echo(ip4(web1), ip4(laptop),
                                                      True, 0x0bad, s + 1, data)))
    for s in range(3):
        ts = 70000000 + s * 1000000
        data = bytes(range(56))
        tr.add(ts, lan.frame(True, icmp_echo(ip6(laptop6), ip6(web6), False,
                                             0x0c0d, s + 1, data)))
        tr.add(ts + 21000, lan.frame(False, icmp_echo(ip6(web6), ip6(laptop6),
                                                      True, 0x0c0d, s + 1, data)))

    # NTP on VLAN 10, every 16 s.
    ntp(tr, 2000000, vlan, ip4('10.10.0.20'), ip4('10.10.0.1'), 7)

    # PPPoE on the WAN side: the router fetches something over HTTPS.
    tcp_conv(tr, 50000000, wan, ip4('100.64.7.9'), ip4('198.51.100.200'),
             41000, 443, tls_records(190, rng), tls_records(9000, rng),
             mss=1452, rng=rng)

    # A long interactive session: a keystroke and its echo every 4 s.
    t, (cs, ss) = tcp_conv(tr, 1000000, lan, ip4(laptop), ip4(ssh_srv), 51515,
                           22, b'SSH-2.0-demo\r\n', b'SSH-2.0-server\r\n',
                           rng=rng, close=False)
    c, s = ip4(laptop), ip4(ssh_srv)
    while t < 115000000:
        t += 4000000
        key = bytes(rng.randrange(256) for _ in range(36))
        tr.add(t, lan.frame(True, tcp(c, s, 51515, 22, cs, ss, PSH | ACK, key)))
        cs += len(key)
        tr.add(t + 25000, lan.frame(False, tcp(s, c, 22, 51515, ss, cs,
                                               PSH | ACK, key)))
        ss += len(key)
        tr.add(t + 26000, lan.frame(True, tcp(c, s, 51515, 22, cs, ss, ACK)))
    tr.add(t + 500000, lan.frame(True, tcp(c, s, 51515, 22, cs, ss, FIN | ACK)))
    tr.add(t + 525000, lan.frame(False, tcp(s, c, 22, 51515, ss, cs + 1,
                                            FIN | ACK)))
    tr.add(t + 526000, lan.frame(True, tcp(c, s, 51515, 22, cs + 1, ss + 1, ACK)))
    return tr


def main(argv):
    if len(argv) != 1 or argv[0].startswith('-'):
        sys.stderr.write('usage: mkdemo.py OUT.pcap\n')
        return 2
    build().write(argv[0])
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
