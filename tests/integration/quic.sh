#!/bin/bash
# picoflow --app-info names QUIC Initials (QUIC=yes): a capture written
# here, over Ethernet, IPv4 and IPv6, UDP to port 443, holding
#   - RFC 9001 appendix A.2's client Initial (example.com) and the server's
#     Initial of A.3 in reply (no name for the server's flow),
#   - RFC 9369 appendix A.2's, the same in QUIC version 2 (IPv4),
#   - two ClientHellos of 1.7 KB each split over two Initials in shuffled
#     CRYPTO frames (tests/integration/quic_seal.c, sealed with Nettle and
#     keys of its own): www.example.org with the packets in reverse order,
#     quic.example.net in order,
#   - a datagram that starts like an Initial but is not one (no name),
# goes through the real picoflow -r FILE --app-info -v 10 to a UDP sink on
# 127.0.0.1; tshark decodes the IPFIX export, and every flow must carry
# exactly the ssl_server_name expected.  tshark's own reading of the
# capture (it decrypts Initials too) must agree wherever it names a flow
# (tshark 4.0 leaves out version 2, and the RFC's Initial over IPv6, whose
# DCID it has seen over IPv4).
# The sanitizer build (build/san/picoflow), when built, reads it too.
# Skips (77) without python3, tshark or a C compiler with Nettle, and when
# picoflow was built without QUIC (QUIC=no) or without --app-info.
set -u
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

require python3 tshark
require_picoflow
"$PICOFLOW" --help 2>&1 | grep -q -- '--app-info' ||
    skip "picoflow was built without --app-info (APP_INFO=no)"
"$PICOFLOW" --help 2>&1 | grep -q 'QUIC' ||
    skip "picoflow was built without QUIC (QUIC=no)"
CC=${CC:-cc}
command -v "$CC" > /dev/null 2>&1 || skip "no C compiler ($CC)"
"$CC" -std=c99 -Wall -Wextra -Werror -O2 -o "$WORK/quic_seal" \
    "$ROOT/tests/integration/quic_seal.c" -lnettle 2> "$WORK/cc.err" ||
    skip "cannot build quic_seal.c with Nettle: $(head -1 "$WORK/cc.err")"

# a, b: IPv4; c, d: IPv6, with connection IDs of their own, since tshark
# takes Initials with a DCID it has seen for the same connection's
"$WORK/quic_seal" "$WORK" www.example.org 0123456789abcdef a &&
    "$WORK/quic_seal" "$WORK" quic.example.net fedcba98765432100011 b &&
    "$WORK/quic_seal" "$WORK" www.example.org 1123456789abcdef c &&
    "$WORK/quic_seal" "$WORK" quic.example.net 1edcba98765432100011 d ||
    { echo "FAIL: quic_seal"; exit 1; }

# The capture, and the names each client flow must get ("" for none).
python3 - "$ROOT/tests/unit/test_quic.c" "$WORK" > "$WORK/expect" <<'EOF'
import re
import struct
import sys

src, work = sys.argv[1], sys.argv[2]
rfc = {m.group(1): bytes.fromhex(''.join(re.findall(r'"([0-9a-f]+)"', m.group(2))))
       for m in re.finditer(r'static const char (rfc\w+)\[\] =\n((?:\s*"[0-9a-f]+"\n?)+);',
                            open(src).read())}
split = {k + i: open('%s/%s%s' % (work, k, i), 'rb').read() for k in 'abcd' for i in ('-1', '-2')}
C4, S4 = bytes([10, 1, 0, 1]), bytes([10, 1, 0, 2])
C6 = bytes.fromhex('20010db8000000000000000000000001')
S6 = bytes.fromhex('20010db8000000000000000000000002')


def csum(b):
    if len(b) % 2:
        b += b'\0'
    s = sum(struct.unpack('>%dH' % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def frame(v6, fwd, sport, dport, payload):
    src, dst = ((C6, S6) if v6 else (C4, S4)) if fwd else ((S6, C6) if v6 else (S4, C4))
    ulen = 8 + len(payload)
    pseudo = src + dst + (struct.pack('>IxxxB', ulen, 17) if v6 else
                          struct.pack('>xBH', 17, ulen))
    udp = struct.pack('>HHHH', sport, dport, ulen, 0) + payload
    c = csum(pseudo + udp) or 0xffff
    udp = udp[:6] + struct.pack('>H', c) + udp[8:]
    if v6:
        ip = struct.pack('>IHBB', 0x60000000, ulen, 17, 64) + src + dst
        et = 0x86dd
    else:
        ip = struct.pack('>BBHHHBBH', 0x45, 0, 20 + ulen, 1, 0, 64, 17, 0) + src + dst
        ip = ip[:10] + struct.pack('>H', csum(ip)) + ip[12:]
        et = 0x0800
    return b'\x02\0\0\0\0\x02\x02\0\0\0\0\x01' + struct.pack('>H', et) + ip + udp


pkts, expect = [], []
for v6 in (False, True):
    fam = 'v6' if v6 else 'v4'
    pkts.append(frame(v6, True, 50001, 443, rfc['rfc9001_a2']))
    pkts.append(frame(v6, False, 443, 50001, rfc['rfc9001_a3']))
    expect += [(fam, 50001, 'example.com'), (fam, 443, '')]
    if not v6:
        pkts.append(frame(v6, True, 50002, 443, rfc['rfc9369_a2']))
        expect.append((fam, 50002, 'example.com'))
    a, b = ('c', 'd') if v6 else ('a', 'b')
    pkts += [frame(v6, True, 50003, 443, split[a + '-2']), frame(v6, True, 50003, 443, split[a + '-1'])]
    pkts += [frame(v6, True, 50004, 443, split[b + '-1']), frame(v6, True, 50004, 443, split[b + '-2'])]
    expect += [(fam, 50003, 'www.example.org'), (fam, 50004, 'quic.example.net')]
    pkts.append(frame(v6, True, 50005, 443, b'\xc3\0\0\0\1\x08' + bytes(range(256)) * 5))
    expect.append((fam, 50005, ''))
with open(work + '/quic.pcap', 'wb') as f:
    f.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
    for i, p in enumerate(pkts):
        f.write(struct.pack('<IIII', 1700000000 + i, 0, len(p), len(p)) + p)
for fam, port, name in expect:
    print(fam, port, name)
EOF
[ -s "$WORK/quic.pcap" ] || { echo "FAIL: the capture was not written"; exit 1; }

fail=0
sink_start "$WORK/export.pcap" || { echo "FAIL: the UDP receiver did not start"; exit 1; }
run_limited 60 "$PICOFLOW" -r "$WORK/quic.pcap" --app-info -v 10 \
    -n "127.0.0.1:$SINK_PORT" > "$WORK/probe.out" 2> "$WORK/probe.err"
rc=$?
sink_stop
[ "$rc" -eq 0 ] || { echo "FAIL: picoflow exited $rc: $(tail -2 "$WORK/probe.err")"; fail=1; }
grep 'app-info:' "$WORK/probe.err"

# got FAM PORT NAME: one line a client port, from the IPFIX records
tshark -n -r "$WORK/export.pcap" -d "udp.port==$SINK_PORT,cflow" -T json \
    --no-duplicate-keys > "$WORK/export.json" 2> "$WORK/export.err"
python3 - "$WORK/export.json" > "$WORK/got" <<'EOF'
import json
import sys


def walk(node, out):
    if isinstance(node, dict):
        if 'cflow.srcport' in node:
            out.append(node)
        for v in node.values():
            walk(v, out)
    elif isinstance(node, list):
        for v in node:
            walk(v, out)


def first(v):
    return v[0] if isinstance(v, list) else v


recs = []
for pkt in json.load(open(sys.argv[1])):
    walk(pkt['_source']['layers'].get('cflow', {}), recs)
for r in recs:
    fam = 'v6' if 'cflow.srcaddrv6' in r else 'v4'
    print(fam, first(r['cflow.srcport']), first(r.get('cflow.pie.ntop.ssl_server_name', '')))
EOF
sort -u "$WORK/got" -o "$WORK/got"
sort -u "$WORK/expect" -o "$WORK/expect"
echo "picoflow's export (family, source port, ssl_server_name):"
sed 's/^/  /' "$WORK/got"
if ! diff -u "$WORK/expect" "$WORK/got" > "$WORK/diff"; then
	echo "FAIL: the export's names differ from what the capture holds:"
	cat "$WORK/diff"
	fail=1
fi

# tshark's own reading of the capture: it must agree where it names a flow
tshark -n -r "$WORK/quic.pcap" -Y 'quic and tls.handshake.extensions_server_name' \
    -T fields -E separator=' ' -e ipv6.src -e udp.srcport \
    -e tls.handshake.extensions_server_name 2> /dev/null |
    awk '{ if (NF == 3) print "v6", $2, $3; else print "v4", $1, $2 }' |
    sort -u > "$WORK/tshark"
echo "tshark's names in the capture:"
sed 's/^/  /' "$WORK/tshark"
[ -s "$WORK/tshark" ] || { echo "FAIL: tshark names nothing in the capture"; fail=1; }
while read -r fam port name; do
	grep -qx "$fam $port $name" "$WORK/got" ||
	    { echo "FAIL: tshark names $fam port $port $name, picoflow does not"; fail=1; }
done < "$WORK/tshark"
grep -q 'quic_names 7 quic_lost 0' "$WORK/probe.err" ||
    { echo "FAIL: picoflow's counters: $(grep 'app-info:' "$WORK/probe.err")"; fail=1; }

if [ -x "$PICOFLOW_SAN" ]; then
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1 \
	    run_limited 120 "$PICOFLOW_SAN" -r "$WORK/quic.pcap" -P --app-info \
	    > "$WORK/san.out" 2> "$WORK/san.err"
	rc=$?
	n=$(grep -c ' sni=' "$WORK/san.out")
	if [ "$rc" -ne 0 ] || [ "$n" -ne 7 ] ||
	    grep -qE 'Sanitizer|runtime error' "$WORK/san.err"; then
		echo "FAIL: the sanitizer build: exit $rc, $n names"
		tail -20 "$WORK/san.err"
		fail=1
	else
		echo "the sanitizer build names the same 7 flows, no report"
	fi
else
	echo "note: $PICOFLOW_SAN is not built; not run"
fi
[ "$fail" -eq 0 ] && echo "quic: all names as expected"
exit "$fail"
