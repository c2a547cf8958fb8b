#!/usr/bin/env python3
"""Write a pcap in which nearly every packet starts a new flow: N UDP/IPv4
packets (one in ten IPv6) from pseudo-random sources, all within a few
seconds, so a probe holds N flows at end of file and must export them in
one burst.  Deterministic for a given N and seed.

Prints the IP packets and bytes it wrote ("ip_packets N ip_bytes B").

Usage: mkflows.py OUT.pcap [N] [SEED]
"""
import random
import struct
import sys


def main(argv):
    out = argv[1]
    n = int(argv[2]) if len(argv) > 2 else 50000
    rnd = random.Random(int(argv[3]) if len(argv) > 3 else 1)
    eth4 = b'\x02\x00\x00\x00\x00\x02' + b'\x02\x00\x00\x00\x00\x01' + b'\x08\x00'
    eth6 = eth4[:12] + b'\x86\xdd'
    t0 = 1700000000
    total = 0
    with open(out, 'wb') as f:
        f.write(struct.pack('<IHHiIII', 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for i in range(n):
            sport = rnd.randrange(1024, 65536)
            payload = b'x' * rnd.randrange(0, 200)
            udp_len = 8 + len(payload)
            if i % 10 == 9:
                src = b'\xfd\x00' + rnd.getrandbits(112).to_bytes(14, 'big')
                dst = b'\xfd\x00' + b'\x00' * 13 + b'\x01'
                ip = struct.pack('!IHBB', 0x60000000, udp_len, 17, 64) + src + dst
                frame = eth6 + ip
            else:
                src = struct.pack('!I', 0x0A000000 | rnd.getrandbits(24))
                ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + udp_len, i & 0xFFFF,
                                 0, 64, 17, 0, src, b'\xc6\x12\x00\x01')
                frame = eth4 + ip
            frame += struct.pack('!HHHH', sport, 53, udp_len, 0) + payload
            total += udp_len + (40 if i % 10 == 9 else 20)
            us = i * 50
            f.write(struct.pack('<IIII', t0 + us // 1000000, us % 1000000,
                                len(frame), len(frame)))
            f.write(frame)
    print('ip_packets %d ip_bytes %d' % (n, total))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
