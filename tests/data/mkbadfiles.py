#!/usr/bin/env python3
"""Write crafted pcap and pcapng files, good and bad, on which picoflow's
built-in reader and libpcap's (--libpcap-reader) are compared by
tests/integration/reader_agree.sh.  Each file holds the same two UDP/IPv4
packets (or fewer), so a file that is read gives the same flows either way.

Prints one line per file: "NAME EXPECT", EXPECT being what both readers
must do with it ("read": exit 0, "refuse": exit 1 with a message) or, where
they differ on purpose (README, "--libpcap-reader"), "differ".

Usage: mkbadfiles.py OUTDIR
"""
import os
import struct
import sys

T0 = 1700000000
ETH = b'\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01\x08\x00'


def frame(sport):
    udp = struct.pack('!HHHH', sport, 53, 12, 0) + b'abcd'
    ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(udp), 0, 0, 64, 17, 0,
                     b'\x0a\x00\x00\x01', b'\x0a\x00\x00\x02')
    return ETH + ip + udp


FRAMES = [frame(1000), frame(1001)]


def pcap(major=2, minor=4, snaplen=65535, dlt=1, records=None):
    out = struct.pack('<IHHiIII', 0xA1B2C3D4, major, minor, 0, 0, snaplen, dlt)
    if records is None:
        records = [(f, len(f), len(f)) for f in FRAMES]
    for i, (data, caplen, wirelen) in enumerate(records):
        out += struct.pack('<IIII', T0 + i, 0, caplen, wirelen) + data
    return out


def block(btype, body, trailer_delta=0):
    body += b'\x00' * (-len(body) % 4)
    n = 12 + len(body)
    return struct.pack('<II', btype, n) + body + struct.pack('<I', n + trailer_delta)


def shb(major=1, minor=0):
    return block(0x0A0D0D0A, struct.pack('<IHHq', 0x1A2B3C4D, major, minor, -1))


def idb(dlt, snaplen=65535):
    return block(1, struct.pack('<HHI', dlt, 0, snaplen))


def epb(ifid, data, i=0, trailer_delta=0, caplen=None):
    us = (T0 + i) * 1000000
    cl = len(data) if caplen is None else caplen
    return block(6, struct.pack('<IIIII', ifid, us >> 32, us & 0xFFFFFFFF, cl,
                                len(data)) + data, trailer_delta)


def pcapng(major=1, minor=0, ifaces=(1,), packets=None):
    out = shb(major, minor)
    for dlt in ifaces:
        out += idb(dlt)
    if packets is None:
        packets = [epb(0, f, i) for i, f in enumerate(FRAMES)]
    return out + b''.join(packets)


USER0 = 147     # LINKTYPE_USER0: a link type picoflow does not decode

CASES = [
    # classic pcap versions: libpcap reads 2.0 to 2.4 and 543.0 (DG/UX)
    ('pcap-2.4', 'read', pcap()),
    ('pcap-2.0', 'read', pcap(minor=0)),
    ('pcap-543.0', 'read', pcap(major=543, minor=0)),
    ('pcap-1.0', 'refuse', pcap(major=1, minor=0)),
    ('pcap-2.5', 'refuse', pcap(minor=5)),
    ('pcap-3.0', 'refuse', pcap(major=3, minor=0)),
    # a record longer than libpcap's 262144-byte limit for the link type
    ('pcap-caplen-huge', 'refuse', pcap(records=[
        (FRAMES[0], len(FRAMES[0]), len(FRAMES[0])),
        (FRAMES[1] + b'\x00' * (300000 - len(FRAMES[1])), 300000, 300000)])),
    # caplen above the header's snap length (libpcap cuts it to the snap
    # length), and caplen above the wire length
    ('pcap-caplen-over-snaplen', 'read', pcap(snaplen=64, records=[
        (f + b'\x00' * 40, len(f) + 40, len(f) + 40) for f in FRAMES])),
    ('pcap-caplen-over-wirelen', 'read', pcap(records=[
        (f, len(f), 20) for f in FRAMES])),
    # a snap length of 36 cuts the UDP ports off: libpcap hands out 36
    # bytes of each frame, and so does the built-in reader (ports 0)
    ('pcap-snaplen-36', 'read', pcap(snaplen=36)),
    ('pcap-last-record-cut', 'refuse', pcap()[:-10]),
    # pcapng section versions: libpcap reads 1.0 and 1.2
    ('ng-1.0', 'read', pcapng()),
    ('ng-1.2', 'read', pcapng(minor=2)),
    ('ng-1.1', 'refuse', pcapng(minor=1)),
    ('ng-1.3', 'refuse', pcapng(minor=3)),
    ('ng-2.0', 'refuse', pcapng(major=2)),
    # the length at a block's end must repeat the one at its start
    ('ng-trailer-mismatch', 'refuse', pcapng(packets=[
        epb(0, FRAMES[0], 0), epb(0, FRAMES[1], 1, trailer_delta=4)])),
    ('ng-undeclared-interface', 'refuse', pcapng(packets=[
        epb(0, FRAMES[0], 0), epb(3, FRAMES[1], 1)])),
    ('ng-caplen-over-block', 'refuse', pcapng(packets=[
        epb(0, FRAMES[0], 0), epb(0, FRAMES[1], 1, caplen=len(FRAMES[1]) + 64)])),
    # a packet longer than its interface's snap length (0 means 262144)
    ('ng-caplen-over-snaplen', 'refuse', shb() + idb(1, snaplen=40) +
     epb(0, FRAMES[0], 0) + epb(0, FRAMES[1], 1)),
    ('ng-snaplen-0', 'read', shb() + idb(1, snaplen=0) +
     epb(0, FRAMES[0], 0) + epb(0, FRAMES[1], 1)),
    # two interfaces of one link type: read
    ('ng-two-ethernet', 'read', pcapng(ifaces=(1, 1), packets=[
        epb(0, FRAMES[0], 0), epb(1, FRAMES[1], 1)])),
    # interfaces of different link types: libpcap refuses every such file;
    # the built-in reader reads them when one is decodable (the packets of
    # the others are skipped as linktype), whichever interface comes first
    ('ng-mixed-unsupported-first', 'differ', pcapng(ifaces=(USER0, 1), packets=[
        epb(0, b'\x00' * 20, 0), epb(1, FRAMES[0], 1), epb(1, FRAMES[1], 2)])),
    ('ng-mixed-unsupported-second', 'differ', pcapng(ifaces=(1, USER0), packets=[
        epb(1, b'\x00' * 20, 0), epb(0, FRAMES[0], 1), epb(0, FRAMES[1], 2)])),
    ('ng-only-unsupported', 'refuse', pcapng(ifaces=(USER0, USER0), packets=[
        epb(0, b'\x00' * 20, 0), epb(1, b'\x00' * 20, 1)])),
]


def main(argv):
    if len(argv) != 2:
        sys.stderr.write(__doc__)
        return 2
    for name, expect, data in CASES:
        ext = '.pcapng' if name.startswith('ng-') else '.pcap'
        with open(os.path.join(argv[1], name + ext), 'wb') as f:
            f.write(data)
        print(name + ext, expect)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
