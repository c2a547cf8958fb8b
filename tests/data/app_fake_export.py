#!/usr/bin/env python3
"""A stand-in for picoflow --app-info's export, to test the comparison of
tests/integration/appinfo.sh on its own (APPINFO_FAKE=1): from
app_truth.py's JSON it sends NetFlow v9 (or IPFIX) datagrams to
127.0.0.1:PORT with ntop's elements (PEN 35632; v9 type 57472 + id):

    dns_query 205, dns_query_type 207, dns_ret_code 208, http_host 187,
    ssl_server_name 188, client_nw_latency_ms 123,
    server_nw_latency_ms 124, retransmitted_in_pkts 109,
    ooorder_in_pkts 111

    app_fake_export.py [-v 9|10] [--break N] TRUTH.json PORT

One record per flow lifetime the truth has for a key (its first name),
the handshake split and the counts on the key's first record; a record
without any of them uses a plain template.  --break N spoils N names
(every other one changed, every other one left out), so the comparison
must then fail.  Python 3 standard library only; sends to 127.0.0.1 only.
"""
import ipaddress
import json
import socket
import struct
import sys
import time

NTOP_PEN = 35632
NTOP_V9 = 57472
E = {'dns_query': 205, 'dns_query_type': 207, 'dns_ret_code': 208,
     'http_host': 187, 'ssl_server_name': 188, 'client_nw': 123,
     'server_nw': 124, 'retrans_in': 109, 'ooo_in': 111}
KIND_ELEM = {'dns': 'dns_query', 'tls': 'ssl_server_name', 'http': 'http_host'}


def records(truth, nbreak):
    out = []
    broken = 0
    for k, f in sorted(truth['flows'].items()):
        if f['proto'] not in (6, 17):
            continue
        segs = f['segments']
        names = {ev['seg']: ev for ev in f['names'] if ev['name'] is not None}
        for si, (t0, t1) in enumerate(segs):
            r = {'src': f['src'], 'dst': f['dst'], 'sport': f['sport'],
                 'dport': f['dport'], 'proto': f['proto'], 't0': t0, 't1': t1,
                 'app': []}
            ev = names.get(si)
            if ev is not None:
                name = ev['name']
                if broken < nbreak:
                    broken += 1
                    name = None if broken % 2 == 0 else name + '.broken'
                if name is not None:
                    r['app'].append((KIND_ELEM[ev['kind']], name.encode('utf-8', 'surrogateescape')))
                    if ev['kind'] == 'dns':
                        r['app'].append(('dns_query_type', ev['qtype'] or 0))
                        r['app'].append(('dns_ret_code', ev['rcode'] or 0))
            if si == 0 and f['proto'] == 6:
                rtt = f.get('rtt')
                if rtt:
                    r['app'].append(('client_nw', rtt[0]['client_ms']))
                    r['app'].append(('server_nw', rtt[0]['server_ms']))
                if f.get('retrans') or f.get('ooo') or rtt:
                    r['app'].append(('retrans_in', f.get('retrans', 0)))
                    r['app'].append(('ooo_in', f.get('ooo', 0)))
            out.append(r)
    return out


def fixed(elem, value):
    """(length, bytes) of a numeric element."""
    if elem == 'dns_query_type':
        return 2, struct.pack('!H', value)
    if elem == 'dns_ret_code':
        return 1, struct.pack('!B', value)
    return 4, struct.pack('!I', value)


class Exporter:
    def __init__(self, port, version, base_ns):
        self.s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.port = port
        self.v = version
        self.seq = 0
        self.base = base_ns
        self.tid = 256

    def send(self, r):
        v6 = ':' in r['src']
        a = ipaddress.ip_address(r['src']).packed + ipaddress.ip_address(r['dst']).packed
        if v6:
            fields = [(27, 16), (28, 16)]
        else:
            fields = [(8, 4), (12, 4)]
        data = a
        fields += [(7, 2), (11, 2), (4, 1), (2, 4), (1, 4)]
        data += struct.pack('!HHBII', r['sport'], r['dport'], r['proto'], 1, 40)
        end_ns = r['t1']
        if self.v == 9:
            fields += [(22, 4), (21, 4)]
            data += struct.pack('!II', (r['t0'] - self.base) // 1000000,
                                (r['t1'] - self.base) // 1000000)
        else:
            fields += [(152, 8), (153, 8)]
            data += struct.pack('!QQ', r['t0'] // 1000000, r['t1'] // 1000000)
        pen = []
        for elem, val in r['app']:
            if isinstance(val, bytes):
                if self.v == 9:
                    fields.append((NTOP_V9 + E[elem], len(val)))
                    data += val
                else:
                    pen.append((E[elem], 65535))
                    data += (struct.pack('!B', len(val)) if len(val) < 255
                             else struct.pack('!BH', 255, len(val))) + val
            else:
                ln, b = fixed(elem, val)
                if self.v == 9:
                    fields.append((NTOP_V9 + E[elem], ln))
                else:
                    pen.append((E[elem], ln))
                data += b
        tid = self.tid
        self.tid = 256 + (self.tid - 255) % 60000
        if self.v == 9:
            tpl = struct.pack('!HH', tid, len(fields)) + b''.join(
                struct.pack('!HH', t, ln) for t, ln in fields)
            tset = struct.pack('!HH', 0, 4 + len(tpl)) + tpl
        else:
            tpl = struct.pack('!HH', tid, len(fields) + len(pen)) + b''.join(
                struct.pack('!HH', t, ln) for t, ln in fields) + b''.join(
                struct.pack('!HHI', 0x8000 | t, ln, NTOP_PEN) for t, ln in pen)
            tset = struct.pack('!HH', 2, 4 + len(tpl)) + tpl
        pad = (-len(data)) % 4
        dset = struct.pack('!HH', tid, 4 + len(data) + pad) + data + b'\0' * pad
        secs = end_ns // 1000000000
        if self.v == 9:
            hdr = struct.pack('!HHIIII', 9, 2, (end_ns - self.base) // 1000000,
                              secs, self.seq, 1)
            self.seq += 1
        else:
            ln = 16 + len(tset) + len(dset)
            hdr = struct.pack('!HHIII', 10, ln, secs, self.seq, 1)
            self.seq += 1
        self.s.sendto(hdr + tset + dset, ('127.0.0.1', self.port))
        time.sleep(0.0002)     # loopback: no need to pace, but be gentle


def main(argv):
    v = 9
    nbreak = 0
    args = []
    i = 0
    while i < len(argv):
        if argv[i] == '-v':
            v = int(argv[i + 1])
            i += 1
        elif argv[i] == '--break':
            nbreak = int(argv[i + 1])
            i += 1
        else:
            args.append(argv[i])
        i += 1
    if len(args) != 2 or v not in (9, 10):
        raise SystemExit(__doc__)
    truth = json.load(open(args[0]))
    recs = records(truth, nbreak)
    if not recs:
        return
    base = min(r['t0'] for r in recs) - 1000000000
    ex = Exporter(int(args[1]), v, base)
    for r in sorted(recs, key=lambda r: r['t1']):
        ex.send(r)
    print('%d records' % len(recs))


if __name__ == '__main__':
    main(sys.argv[1:])
