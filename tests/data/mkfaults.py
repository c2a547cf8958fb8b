#!/usr/bin/env python3
"""Captures for tests/integration/faults.sh.  Deterministic; standard
library only.  Each mode writes OUT.pcap (Ethernet, microsecond stamps)
and prints what a probe must report on stdout.

  mkfaults.py steady OUT SECONDS
      10 UDP flows a second, 3 packets each, source port 20000 + 10 * s + j
      (s: second of the capture, j: flow), so a collector's records say
      which second they came from.  Prints "ip_packets N ip_bytes B".
  mkfaults.py tso OUT N
      one TCP flow of N "TSO" frames: IPv4 total length 0, 54 bytes
      captured, 65549 on the wire, so each counts 65535 IP bytes
      (DECODE_NOTE_LEN_FRAME); 70000 of them are over 4 GiB.
      Prints "ip_packets N ip_bytes B".
  mkfaults.py uptime OUT
      flows at the start, then flows around the moment sysUptime would
      reach 2^31 ms (picoflow's rebase point, CLOCK_REBASE_MS, half way to
      the 2^32 ms wrap), one of them active across it.  Prints one line per
      record a probe must export, "sport packets first_ms last_ms" (Unix
      ms), the flow across the rebase point split in two there.
  mkfaults.py quiet OUT SECONDS
      one short UDP flow (source port 40000, 3 packets in its first 20 ms),
      then two packets a second of a second flow (40001) to the end: with
      a 1 s idle timeout, one record early and none until the active one.
      Prints "ip_packets N ip_bytes B".
"""
import struct
import sys

T0 = 1700000000                     # whole second: picoflow's replay boot
REBASE_MS = 1 << 31
ETH = b'\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01\x08\x00'


def ipv4(proto, l4, length=None):
    if length is None:
        length = 20 + len(l4)
    return struct.pack('!BBHHHBBH4s4s', 0x45, 0, length, 0, 0, 64, proto, 0,
                       b'\x0a\x00\x00\x01', b'\xc6\x33\x64\x02') + l4


def udp(sport, payload=b'fault'):
    return struct.pack('!HHHH', sport, 2055, 8 + len(payload), 0) + payload


def tcp(sport, flags=0x10):
    return struct.pack('!HHIIBBHHH', sport, 22, 1, 1, 0x50, flags, 65535, 0, 0)


class Pcap:
    def __init__(self, path):
        self.f = open(path, 'wb')
        self.f.write(struct.pack('<IHHiIII', 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))

    def add(self, ms, frame, wirelen=None):
        us = ms * 1000
        self.f.write(struct.pack('<IIII', us // 1000000, us % 1000000,
                                 len(frame), wirelen or len(frame)))
        self.f.write(frame)

    def close(self):
        self.f.close()


def steady(out, seconds):
    p = Pcap(out)
    n = nbytes = 0
    for s in range(seconds):
        pkts = []
        for j in range(10):
            for k in range(3):
                pkts.append((T0 * 1000 + s * 1000 + j * 50 + k * 10,
                             ipv4(17, udp(20000 + 10 * s + j))))
        for ms, ip in sorted(pkts, key=lambda x: x[0]):
            p.add(ms, ETH + ip)
            n += 1
            nbytes += len(ip)
    p.close()
    print('ip_packets %d ip_bytes %d' % (n, nbytes))


def quiet(out, seconds):
    p = Pcap(out)
    pkts = [(T0 * 1000 + 10 * k, 40000) for k in range(3)]
    pkts += [(T0 * 1000 + 500 * h, 40001) for h in range(2, 2 * seconds + 1)]
    nbytes = 0
    for ms, sport in pkts:
        ip = ipv4(17, udp(sport))
        p.add(ms, ETH + ip)
        nbytes += len(ip)
    p.close()
    print('ip_packets %d ip_bytes %d' % (len(pkts), nbytes))


def tso(out, count):
    p = Pcap(out)
    frame = ETH + ipv4(6, tcp(33000), length=0)
    for i in range(count):
        p.add(T0 * 1000 + i, frame, wirelen=14 + 65535)
    p.close()
    print('ip_packets %d ip_bytes %d' % (count, count * 65535))


def uptime(out):
    p = Pcap(out)
    boot = T0 * 1000
    edge = boot + REBASE_MS         # first ms of the next epoch
    pkts = []                       # (ms, sport)
    for j in range(5):              # early flows
        pkts += [(boot + 100 * j + 400 * k, 30000 + j) for k in range(3)]
    for j in range(4):              # short flows just before the edge
        pkts += [(edge - 6000 + 250 * j + 100 * k, 31000 + j) for k in range(2)]
    pkts += [(edge - 3500 + 1000 * k, 32000) for k in range(8)]  # across
    for j in range(3):              # after the edge
        pkts += [(edge + 2000 + 300 * j + 50 * k, 33000 + j) for k in range(4)]
    pkts.sort()
    for ms, sport in pkts:
        p.add(ms, ETH + ipv4(17, udp(sport)))
    p.close()
    recs = {}
    for ms, sport in pkts:
        key = (sport, ms >= edge)   # the rebase flushes everything before
        first, last, n = recs.get(key, (ms, ms, 0))
        recs[key] = (min(first, ms), max(last, ms), n + 1)
    for (sport, _), (first, last, n) in sorted(recs.items()):
        print(sport, n, first, last)


def main(argv):
    if len(argv) < 3:
        sys.exit(__doc__)
    mode, out = argv[1], argv[2]
    if mode == 'steady':
        steady(out, int(argv[3]) if len(argv) > 3 else 12)
    elif mode == 'tso':
        tso(out, int(argv[3]) if len(argv) > 3 else 70000)
    elif mode == 'uptime':
        uptime(out)
    elif mode == 'quiet':
        quiet(out, int(argv[3]) if len(argv) > 3 else 600)
    else:
        sys.exit(__doc__)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
