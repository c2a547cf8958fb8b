#!/usr/bin/env python3
"""Host-side helpers of "make vm-check" (tests/vm/vm-check.sh).

  vmtool.py concat OUT IN...     classic pcaps (Ethernet, either byte order,
                                 us or ns) into one little-endian us pcap,
                                 frames in file order
  vmtool.py routed OUT           the frames of the VMs' netlink suite: from
                                 198.18.1.2 (02:00:00:00:01:02) to the
                                 router's lan (02:00:00:00:01:01), every
                                 checksum right (conntrack drops bad ones)
  vmtool.py unpack CONSOLE DIR   the exports a VM sent on its console
                                 ("PFVM file NAME", base64, "PFVM end NAME")
                                 into DIR/NAME.pcap; prints the names
  vmtool.py netlink RECORDS LAN WAN WAN2   judges the netlink suite's
                                 records (tshark fields, see vm-check.sh)
"""
import base64
import os
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                '..', 'data'))
import mkdemo  # noqa: E402  (frame builders: IP, UDP, TCP, ICMP, Ethernet)

LAN_MAC, HOST_MAC = '02:00:00:00:01:01', '02:00:00:00:01:02'
HOST = '198.18.1.2'


def concat(out, inputs):
    with open(out, 'wb') as f:
        f.write(struct.pack('<IHHiIII', 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for path in inputs:
            d = open(path, 'rb').read()
            magic = struct.unpack_from('<I', d)[0]
            if magic in (0xA1B2C3D4, 0xA1B23C4D):
                e = '<'
            elif magic in (0xD4C3B2A1, 0x4D3CB2A1):
                e = '>'
            else:
                sys.exit('%s: not a classic pcap file' % path)
            nsec = magic in (0xA1B23C4D, 0x4D3CB2A1)
            if struct.unpack_from(e + 'I', d, 20)[0] != 1:
                sys.exit('%s: not Ethernet' % path)
            off = 24
            while off + 16 <= len(d):
                sec, frac, cap, wire = struct.unpack_from(e + 'IIII', d, off)
                f.write(struct.pack('<IIII', sec,
                                    frac // 1000 if nsec else frac, cap,
                                    wire))
                f.write(d[off + 16:off + 16 + cap])
                off += 16 + cap


def routed(out):
    """The flows (each a few packets; first packets create the conntrack
    entries, so NAT is decided before picoflow looks):
      UDP 5000 -> 198.18.2.2:9999      wan, masqueraded
      TCP 5001 -> 198.18.2.2:8080 SYN  wan, masqueraded
      UDP 5002 -> 198.18.2.100:53      wan, DNAT to 198.18.2.2:5353
      UDP 5003 -> 203.0.113.5:7000     wan2 (a route via 198.18.3.2)
      UDP 5004 -> 198.18.1.1:7777      the router itself
      ICMP echo -> 198.18.2.2          wan"""
    link = mkdemo.Link(HOST_MAC, LAN_MAC)
    src = mkdemo.ip4(HOST)
    tr = mkdemo.Trace()
    t = 0
    flows = [(17, 5000, '198.18.2.2', 9999), (6, 5001, '198.18.2.2', 8080),
             (17, 5002, '198.18.2.100', 53), (17, 5003, '203.0.113.5', 7000),
             (17, 5004, '198.18.1.1', 7777), (1, 0, '198.18.2.2', 0)]
    for i in range(3):
        for proto, sport, dst, dport in flows:
            d = mkdemo.ip4(dst)
            if proto == 17:
                p = mkdemo.udp(src, d, sport, dport, b'u' * (20 + i))
            elif proto == 6:
                p = mkdemo.tcp(src, d, sport, dport, 1000, 0, mkdemo.SYN,
                               mss=1460)
            else:
                p = mkdemo.icmp_echo(src, d, False, 0x4242, i, b'picoflow')
            t += 10000
            tr.add(t, link.frame(True, p))
    tr.write(out)


def unpack(console, outdir):
    name, chunks = None, []
    for raw in open(console, 'rb').read().decode('latin-1').splitlines():
        line = raw.strip('\r')
        if line.startswith('PFVM file '):
            name, chunks = line.split()[2], []
        elif line.startswith('PFVM end ') and name is not None:
            with open(os.path.join(outdir, name + '.pcap'), 'wb') as f:
                f.write(base64.b64decode(''.join(chunks)))
            print(name)
            name = None
        elif name is not None:
            chunks.append(line.strip())


def netlink(records, lan, wan, wan2):
    """RECORDS: tshark -T fields, tab-separated, one datagram a line,
    records joined by commas: srcaddr dstaddr srcport dstport protocol
    direction inputint outputint post-NAT src, dst, sport, dport."""
    recs = []
    for line in open(records):
        cols = [c.split(',') for c in line.rstrip('\n').split('\t')]
        for i in range(len(cols[0])):
            recs.append(tuple(c[i] if i < len(c) else '' for c in cols))
    want_out = {'198.18.2.2': wan, '198.18.2.100': wan,
                '203.0.113.5': wan2, '198.18.1.1': '0'}
    fail, seen = 0, set()
    for r in recs:
        sa, da, sp, dp, pr, dirn, inif, outif, xs, xd, xsp, xdp = r
        if sa != HOST or dirn != '0':
            continue    # the router's own ICMP errors going out of lan
        seen.add(da + ':' + (dp or '0') + '/' + pr)
        why = []
        if inif != lan:
            why.append('input %s, not lan %s' % (inif, lan))
        if outif != want_out.get(da):
            why.append('OUTPUT_SNMP %s, want %s' % (outif, want_out.get(da)))
        nat = (xs, xsp, xd, xdp)
        if da == '198.18.2.100':
            if xs != '198.18.2.1' or not 40000 <= int(xsp or 0) <= 40999 \
                    or (xd, xdp) != ('198.18.2.2', '5353'):
                why.append('post-NAT %s, want 198.18.2.1:40000-40999 -> '
                           '198.18.2.2:5353' % (nat,))
        elif da == '198.18.2.2' and pr in ('6', '17'):
            if xs != '198.18.2.1' or not 40000 <= int(xsp or 0) <= 40999 \
                    or (xd, xdp) != (da, dp):
                why.append('post-NAT %s, want 198.18.2.1:40000-40999 -> '
                           '%s:%s' % (nat, da, dp))
        elif pr == '1' and (xs, xsp) not in (('0.0.0.0', '0'), ('', '')):
            why.append('ICMP with NAT fields %s' % (nat,))
        print('%-4s %s %s:%s -> %s:%s in %s out %s post-NAT %s:%s -> %s:%s'
              % ('FAIL' if why else 'ok', pr, sa, sp, da, dp, inif, outif,
                 xs, xsp, xd, xdp) + ('  (%s)' % '; '.join(why) if why
                                      else ''))
        fail |= bool(why)
    if len(seen) != 6:
        print('FAIL: %d of the 6 flows from %s seen: %s'
              % (len(seen), HOST, sorted(seen)))
        fail = 1
    return fail


def main(argv):
    if len(argv) >= 3 and argv[1] == 'concat':
        concat(argv[2], argv[3:])
    elif len(argv) == 3 and argv[1] == 'routed':
        routed(argv[2])
    elif len(argv) == 4 and argv[1] == 'unpack':
        unpack(argv[2], argv[3])
    elif len(argv) == 6 and argv[1] == 'netlink':
        return netlink(*argv[2:])
    else:
        sys.exit(__doc__)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
