#!/usr/bin/env python3
"""What tshark's own dissection says about the application names and the
TCP quality of each unidirectional flow of a capture: the truth that
picoflow's --app-info export is compared with (tests/integration/appinfo.sh).

    app_truth.py [--json] [--tshark PATH] CAPTURE

One tshark pass (TCP reassembly and sequence analysis on; fields, every
occurrence) and, per flow key (protocol, src, dst, sport, dport) as
picoflow keys flows -- the OUTERMOST IP header and the transport header
right after it (IPv6 extension headers skipped):

  names     per flow the first "name event" and its name, one per flow
            lifetime (see SEGMENTS):
              dns   the first DNS message (UDP/TCP; tshark's dns, mdns and
                    llmnr dissectors) that has a question: dns.qry.name,
                    dns.qry.type, dns.flags.rcode (responses), response
              tls   the first TLS ClientHello on TCP (reassembled):
                    tls.handshake.extensions_server_name, or no name
              http  the first HTTP/1.x request on TCP: http.host, or none
            A name counts only when its dissector sits right on the outer
            transport (eth:..:ip:udp:dns); names tshark finds in an inner
            packet (an ICMP error's quote, Teredo, GRE, ...) are listed
            under "excluded": picoflow keys the outer header there.
  later     names of later events of the same flow (for diagnosis only)
  rtt       per TCP connection (tcp.stream) whose SYN, SYN-ACK and ACK
            were seen, for both directions' keys: server_ms = SYN-ACK time
            - SYN time, client_ms = ACK time - SYN-ACK time, each rounded
            to the nearest ms (half up), where SYN is the client's most
            recent SYN before its first ACK (as tshark's initial_rtt takes
            it: a SYN retransmitted after a SYN-ACK counts), SYN-ACK the
            first one from the server after that SYN, ACK the client's
            first ACK after it; and tshark's tcp.analysis.initial_rtt in
            ms, which their unrounded sum must equal (irtt_ok)
  retrans   segments of this direction tshark flags
            tcp.analysis.retransmission (fast, spurious included)
  ooo       ... tcp.analysis.out_of_order
  unscoped  frames with a name field of a kind picoflow does not export
            (SSDP's Host, DTLS), counted by their layers
  quic_sni  SNI tshark decrypted from QUIC Initials of versions picoflow
            does not open (drafts, mvfst's, reserved ones; not required
            of picoflow; for information).  Those of versions 1 and 2
            are TLS names like any other (kind tls).

SEGMENTS: picoflow splits a key into separate flows when it stays idle
longer than its idle timeout (defaults: udp 15 s, tcp 60 s, 10 s once a
FIN was seen, 5 s once a RST was seen; other protocols 15 s); each flow
has its own first name.  Override with --idle udp=15,tcp=60,fin=10,rst=5.
(The active timeout splits records, not flows: no new name.)

What is tricky in tshark's truth (tshark 4.0, the 39 shared captures):
  - http.request is not set for UPnP's NOTIFY/SUBSCRIBE/UNSUBSCRIBE, which
    tshark still dissects as HTTP requests with a Host: the request is
    taken from http.request.method.  SSDP (UDP) has http.host too: not a
    name picoflow exports ("unscoped").
  - QUIC: tshark decrypts Initials and shows their SNI in the same
    tls.handshake.extensions_server_name; by quic.version, versions 1 and
    2 give the flow's name, others are kept apart (quic_sni).
  - No capture has a name inside a tunnel or an ICMP error's quote (Teredo
    in sv-output-eve-ftp-data carries none), so no name is ambiguous by
    keying; "excluded" lists any that would be.
  - tcp.analysis.initial_rtt is not always the handshake: in
    sv-tls-tls-subjectaltname (port 59621, 59622, ...) a first SYN was
    answered by a bare ACK and a RST, and tshark takes that ACK; in
    ndpi-alexa-app (49627) the client ACKs a SYN-ACK after retransmitting
    its SYN, then a second SYN-ACK comes; sv-filestore-... has 10 ms
    timestamps.  irtt_ok says where the frame-time split does not add up
    to tshark's figure.
  - tshark 4.0 decodes ntop element 124 as cflow.pie.server_nw_latency_ms
    (no "ntop."), unlike the other ntop elements.

Without --json: one line per named flow, then the handshakes, then the
counts.  Python 3 standard library only.
"""
import ipaddress
import json
import subprocess
import sys

FIELDS = [
    'frame.number', 'frame.time_epoch', 'frame.protocols', '_ws.malformed',
    'ip.src', 'ip.dst', 'ipv6.src', 'ipv6.dst',
    'tcp.srcport', 'tcp.dstport', 'tcp.stream', 'tcp.flags', 'tcp.len',
    'tcp.analysis.retransmission', 'tcp.analysis.out_of_order',
    'tcp.analysis.initial_rtt',
    'udp.srcport', 'udp.dstport',
    'dns.flags.response', 'dns.qry.name', 'dns.qry.type', 'dns.flags.rcode',
    'tls.handshake.type', 'tls.handshake.extensions_server_name',
    'http.request.method', 'http.host', 'quic.version',
]
AGG = '\x1f'
# frame.protocols names between an IPv6 header and its transport
IPV6_EXT = {'ipv6.hopopts', 'ipv6.routing', 'ipv6.fraghdr', 'ipv6.dstopts'}
DNS_LAYERS = {'dns', 'mdns', 'llmnr'}
# other protocols after the outer IP: keyed with ports 0 (for the notes)
L4_NUM = {'icmp': 1, 'igmp': 2, 'ip': 4, 'ipv6': 41, 'gre': 47, 'esp': 50,
          'ah': 51, 'icmpv6': 58, 'ipv6.nonxt': 59, 'pim': 103, 'vrrp': 112,
          'sctp': 132, 'udplite': 136, 'ospf': 89, 'eigrp': 88}
# QUIC versions whose Initials picoflow opens (src/quic.c), as tshark shows them
QUIC_NAMED = {'0x00000001', '0x6b3343cf'}
IDLE_DEFAULT = {'udp': 15.0, 'tcp': 60.0, 'fin': 10.0, 'rst': 5.0, 'other': 15.0}


def tshark_rows(tshark, capture):
    cmd = [tshark, '-n', '-r', capture,
           '-o', 'tcp.desegment_tcp_streams:TRUE',
           '-o', 'tcp.analyze_sequence_numbers:TRUE',
           '-T', 'fields', '-E', 'separator=/t', '-E', 'occurrence=a',
           '-E', 'aggregator=' + AGG, '-E', 'quote=n']
    for f in FIELDS:
        cmd += ['-e', f]
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if p.returncode != 0:
        raise SystemExit('app_truth: tshark failed on %s: %s'
                         % (capture, p.stderr.decode(errors='replace')[-500:]))
    for line in p.stdout.decode('utf-8', errors='surrogateescape').split('\n'):
        if not line:
            continue
        parts = line.split('\t')
        if len(parts) < len(FIELDS):
            parts += [''] * (len(FIELDS) - len(parts))
        yield {f: (parts[i].split(AGG) if parts[i] != '' else [])
               for i, f in enumerate(FIELDS)}


def first(row, f):
    v = row[f]
    return v[0] if v else None


def ns_of(epoch):
    """'1484319032.865799000' -> integer nanoseconds (no float rounding)."""
    s, _, frac = epoch.partition('.')
    return int(s) * 1000000000 + int((frac + '000000000')[:9])


def ms_round(ns):
    """Nanoseconds to ms, rounded to the nearest, halves up."""
    return (ns + 500000) // 1000000


def norm_addr(a):
    return ipaddress.ip_address(a).compressed


def key_str(k):
    proto, src, dst, sp, dp = k
    return '%d %s %s %d %d' % (proto, src, dst, sp, dp)


def outer(row):
    """(key, layers after the transport, why) from the outermost IP header.
    key is None when the packet has no IP; the transport is None (ports 0)
    when something other than TCP/UDP follows the outer IP."""
    protos = (first(row, 'frame.protocols') or '').split(':')
    ip_i = None
    for i, p in enumerate(protos):
        if p in ('ip', 'ipv6'):
            ip_i = i
            break
    if ip_i is None:
        return None, [], protos
    if protos[ip_i] == 'ip':
        src, dst = first(row, 'ip.src'), first(row, 'ip.dst')
    else:
        src, dst = first(row, 'ipv6.src'), first(row, 'ipv6.dst')
    if src is None or dst is None:
        return None, [], protos
    j = ip_i + 1
    while j < len(protos) and protos[j] in IPV6_EXT:
        j += 1
    nxt = protos[j] if j < len(protos) else ''
    src, dst = norm_addr(src), norm_addr(dst)
    # the first tcp/udp occurrence is the outer one when the transport
    # follows the outer IP directly (dissection order)
    if nxt == 'tcp' and row['tcp.srcport']:
        k = (6, src, dst, int(row['tcp.srcport'][0]), int(row['tcp.dstport'][0]))
    elif nxt == 'udp' and row['udp.srcport']:
        k = (17, src, dst, int(row['udp.srcport'][0]), int(row['udp.dstport'][0]))
    else:
        return (L4_NUM.get(nxt, 255), src, dst, 0, 0), [], protos
    return k, protos[j + 1:], protos


class Flow:
    __slots__ = ('key', 'last', 'fin', 'rst', 'seg', 'event', 'names',
                 'later', 'segs', 'retrans', 'ooo', 'packets',
                 'rtt', 'quic', 'first_payload')

    def __init__(self, key):
        self.key = key
        self.last = None
        self.fin = self.rst = False
        self.seg = -1
        self.event = False      # this segment's first name event seen
        self.names = []         # one per segment that had an event
        self.later = []
        self.segs = []          # [first_ns, last_ns] per segment
        self.retrans = self.ooo = self.packets = 0
        self.first_payload = None   # (frame, a bare segment?) per segment
        self.rtt = []
        self.quic = []


def idle_of(f, idle):
    if f.key[0] == 6:
        return idle['rst'] if f.rst else idle['fin'] if f.fin else idle['tcp']
    if f.key[0] == 17:
        return idle['udp']
    return idle['other']


def truth(capture, tshark='tshark', idle=None):
    idle = dict(IDLE_DEFAULT, **(idle or {}))
    flows = {}
    excluded = []
    unscoped = {}           # frames with names of other kinds, by layers
    streams = {}            # tcp.stream -> handshake state
    frames = 0
    for row in tshark_rows(tshark, capture):
        frames += 1
        fno = int(first(row, 'frame.number'))
        t = ns_of(first(row, 'frame.time_epoch'))
        key, above, protos = outer(row)
        has_name = row['dns.qry.name'] or row['tls.handshake.extensions_server_name'] \
            or row['http.host']
        if key is None:
            if has_name:
                excluded.append({'frame': fno, 'why': 'no IP header: ' + ':'.join(protos),
                                 'names': row['dns.qry.name'] + row['http.host'] +
                                 row['tls.handshake.extensions_server_name']})
            continue
        f = flows.get(key)
        if f is None:
            f = flows[key] = Flow(key)
        # flow lifetime as picoflow's idle timeouts cut it
        if f.last is None or (t - f.last) > idle_of(f, idle) * 1e9:
            f.seg += 1
            f.segs.append([t, t])
            f.event = False
            f.fin = f.rst = False
            f.first_payload = None
        f.last = t
        f.segs[-1][1] = t
        f.packets += 1
        app = above[0] if above else ''
        # what is above the outer transport; names anywhere else are inner
        inner_ip = any(p in ('ip', 'ipv6') for p in above)
        if key[0] == 6:
            flags = int(first(row, 'tcp.flags') or '0', 16)
            if flags & 0x01:
                f.fin = True
            if flags & 0x04:
                f.rst = True
            ntcp = protos.count('tcp')
            if ntcp > 1 and (row['tcp.analysis.retransmission'] or
                             row['tcp.analysis.out_of_order']):
                excluded.append({'frame': fno, 'why': 'tcp analysis with %d tcp layers' % ntcp,
                                 'names': []})
            if row['tcp.analysis.retransmission']:
                f.retrans += 1
            if row['tcp.analysis.out_of_order']:
                f.ooo += 1
            handshake(streams, row, key, flags, t, fno)
            tlen = int(first(row, 'tcp.len') or '0')
        else:
            tlen = 0
        ev = None
        if app in DNS_LAYERS and row['dns.qry.name'] and not inner_ip:
            resp = first(row, 'dns.flags.response') == '1'
            qt = first(row, 'dns.qry.type')
            rc = first(row, 'dns.flags.rcode')
            ev = {'kind': 'dns', 'name': row['dns.qry.name'][0],
                  'qtype': int(qt) if qt else None,
                  'response': resp,
                  'rcode': int(rc) if (rc and resp) else None}
        elif key[0] == 6 and app == 'tls' and '1' in row['tls.handshake.type']:
            sni = row['tls.handshake.extensions_server_name']
            ev = {'kind': 'tls', 'name': sni[0] if sni else None}
        elif key[0] == 6 and app == 'http' and row['http.request.method']:
            h = row['http.host']
            ev = {'kind': 'http', 'name': h[0] if h else None,
                  'method': row['http.request.method'][0]}
        elif key[0] == 17 and app == 'quic' and row['tls.handshake.extensions_server_name']:
            n = row['tls.handshake.extensions_server_name'][0]
            if first(row, 'quic.version') in QUIC_NAMED:
                ev = {'kind': 'tls', 'name': n}
            elif n not in f.quic:
                f.quic.append(n)
        elif has_name and inner_ip:
            excluded.append({'frame': fno, 'why': 'name in an inner packet: '
                             + ':'.join(protos),
                             'names': row['dns.qry.name'] + row['http.host'] +
                             row['tls.handshake.extensions_server_name']})
        elif has_name:
            # SSDP's HTTP-like Host, DTLS, ...: not names picoflow exports
            chain = ':'.join(protos[protos.index(app) - 1:]) if app else ':'.join(protos)
            unscoped[chain] = unscoped.get(chain, 0) + 1
        if ev is not None:
            ev.update(frame=fno, time_ns=t, seg=f.seg,
                      malformed=bool(row['_ws.malformed']),
                                # picoflow looks at a TCP flow's first payload only
                      at_start=(key[0] != 6 or f.first_payload is None or
                                f.first_payload[0] == fno or f.first_payload[1]))
            if not f.event:
                f.event = True
                f.names.append(ev)
            elif ev['name'] is not None:
                f.later.append(ev)
        if tlen > 0 and f.first_payload is None:
            # a bare segment: one tshark holds for reassembly (or data)
            f.first_payload = (fno, app in ('', 'data'))
    # handshakes: both directions' keys carry the connection's split
    for st in streams.values():
        if st.get('syn') is None or st.get('synack') is None or st.get('ack') is None:
            continue
        syn_t, syn_f = st['syn']
        sa_t, sa_f = st['synack']
        ack_t, ack_f = st['ack']
        r = {'stream': st['id'], 'server_ms': ms_round(sa_t - syn_t),
             'client_ms': ms_round(ack_t - sa_t),
             'server_ns': sa_t - syn_t, 'client_ns': ack_t - sa_t,
             'syn_frame': syn_f, 'synack_frame': sa_f, 'ack_frame': ack_f,
             'syn_count': st['nsyn'], 'synack_count': st['nsynack'],
             'initial_rtt_ms': st.get('irtt'), 'time_ns': syn_t,
             'irtt_ok': st.get('irtt') is not None and
             abs((ack_t - syn_t) / 1e6 - st['irtt']) < 0.001}
        ck = st['client']
        sk = (6, ck[2], ck[1], ck[4], ck[3])
        for k, role in ((ck, 'client'), (sk, 'server')):
            if k in flows:
                flows[k].rtt.append(dict(r, role=role))
    return {'capture': capture, 'frames': frames, 'idle': idle,
            'flows': {key_str(k): export_flow(f) for k, f in flows.items()},
            'excluded': excluded, 'unscoped': unscoped}


def handshake(streams, row, key, flags, t, fno):
    sid = first(row, 'tcp.stream')
    if sid is None:
        return
    st = streams.get(sid)
    if st is None:
        st = streams[sid] = {'id': int(sid), 'client': None, 'syn': None,
                             'synack': None, 'ack': None, 'nsyn': 0, 'nsynack': 0}
    syn, ack = flags & 0x02, flags & 0x10
    if st['ack'] is not None:
        pass
    elif syn and not ack:
        if st['client'] is None or st['client'] == key:
            # the most recent SYN counts (tshark's initial_rtt takes it),
            # and a SYN-ACK must follow it
            st['client'] = key
            st['syn'] = (t, fno)
            st['synack'] = None
            st['nsyn'] += 1
    elif syn and ack:
        if st['client'] is not None and key == reverse(st['client']):
            st['nsynack'] += 1
            if st['synack'] is None:
                st['synack'] = (t, fno)
    elif ack and st['synack'] is not None and key == st['client']:
        st['ack'] = (t, fno)
    irtt = first(row, 'tcp.analysis.initial_rtt')
    if irtt and st.get('irtt') is None:
        st['irtt'] = round(float(irtt) * 1000, 3)


def reverse(k):
    return (k[0], k[2], k[1], k[4], k[3])


def export_flow(f):
    proto, src, dst, sp, dp = f.key
    d = {'proto': proto, 'src': src, 'dst': dst, 'sport': sp, 'dport': dp,
         'packets': f.packets, 'segments': f.segs, 'names': f.names}
    if f.later:
        d['later'] = f.later
    if proto == 6:
        d['retrans'] = f.retrans
        d['ooo'] = f.ooo
        if f.rtt:
            d['rtt'] = f.rtt
    if f.quic:
        d['quic_sni'] = f.quic
    return d


def parse_idle(s):
    out = {}
    for part in s.split(','):
        k, _, v = part.partition('=')
        if k not in IDLE_DEFAULT:
            raise SystemExit('app_truth: --idle: unknown %r (udp tcp fin rst other)' % k)
        out[k] = float(v)
    return out


def main(argv):
    as_json = False
    tshark = 'tshark'
    idle = {}
    args = []
    i = 0
    while i < len(argv):
        a = argv[i]
        if a == '--json':
            as_json = True
        elif a == '--tshark':
            i += 1
            tshark = argv[i]
        elif a == '--idle':
            i += 1
            idle = parse_idle(argv[i])
        elif a.startswith('-'):
            raise SystemExit(__doc__)
        else:
            args.append(a)
        i += 1
    if len(args) != 1:
        raise SystemExit(__doc__)
    t = truth(args[0], tshark, idle)
    if as_json:
        json.dump(t, sys.stdout, indent=1, sort_keys=True)
        sys.stdout.write('\n')
        return
    n_named = n_rtt = 0
    for k, f in sorted(t['flows'].items()):
        for ev in f['names']:
            if ev['name'] is None:
                continue
            n_named += 1
            extra = ''
            if ev['kind'] == 'dns':
                extra = ' type %s%s' % (ev['qtype'], ' rcode %s' % ev['rcode']
                                        if ev['response'] else ' query')
            print('name  %-48s %-4s %s%s  (frame %d)' % (k, ev['kind'], ev['name'],
                                                       extra, ev['frame']))
    for k, f in sorted(t['flows'].items()):
        for r in f.get('rtt', []):
            if r['role'] != 'client':
                continue
            n_rtt += 1
            print('rtt   %-48s server %d ms client %d ms (initial_rtt %s ms; frames %d %d %d)'
                  % (k, r['server_ms'], r['client_ms'], r['initial_rtt_ms'],
                     r['syn_frame'], r['synack_frame'], r['ack_frame']))
    tcp = [f for f in t['flows'].values() if f['proto'] == 6]
    print('%s: %d frames, %d flows, %d named, %d handshakes, '
          '%d retransmissions, %d out-of-order, %d names excluded (inner packets)'
          % (t['capture'], t['frames'], len(t['flows']), n_named, n_rtt,
             sum(f['retrans'] for f in tcp), sum(f['ooo'] for f in tcp),
             len(t['excluded'])))


if __name__ == '__main__':
    main(sys.argv[1:])
