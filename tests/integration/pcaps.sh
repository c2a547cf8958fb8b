#!/bin/bash
# Every real capture in $SHARED/pcaps/real through ./picoflow to two
# collectors at once, and what they received compared with the truth of the
# capture (pcap_truth.py, computed independently of the probe):
#
#   picoflow -r FILE -n 127.0.0.1:P1 -n 127.0.0.1:P2
#     P1: nfcapd  -> nfdump: packets and bytes must equal the truth's IP
#         packets and layer-3 bytes exactly, in total and per (IP version,
#         protocol); nfcapd's sequence errors must be 0
#     P2: a python receiver that stores each datagram in a pcap ->
#         tshark (decode as cflow, one pass like a live collector): no
#         malformed packet, no expert warning or error, nothing about
#         templates or sequence; and a NetFlow v9 structure check of our
#         own (RFC 3954: header count = records, flowset lengths add up to
#         the datagram, padding < 4 bytes, data only after its template,
#         sequence +1 per datagram), whose packet/byte sums must match too
#   picoflow itself must exit 0; if it prints its stats line, its datagram
#   count must equal what each collector received; the earliest start and
#   latest end nfdump shows equal the first and last IP packet's time to
#   the millisecond.
#
# Also failed: distinct 5-tuples (proto, src, dst, sport,
# dport; ICMP type/code as type*256+code) differing from the truth.
#
# One row per capture, a total line, details of every failure at the end.
# Skips (exit 77) when $SHARED/pcaps/real is absent or a tool is missing.
# Env: PICOFLOW (binary), PICOFLOW_ARGS (extra flags), PICOFLOW_SHARED,
#      KEEP_WORK=1 (keep the scratch folder), PCAPS_ONLY=glob (subset).
set -u
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

[ -d "$SHARED/pcaps/real" ] || skip "no captures: $SHARED/pcaps/real is absent (set PICOFLOW_SHARED)"
require_truth
require python3 nfcapd nfdump tshark timeout
require_picoflow

CHECK_PY=$WORK/check.py
cat > "$CHECK_PY" <<'EOF'
"""Compare one capture's truth with what the collectors received."""
import json, socket, struct, sys, time

(bench, pcap, records, sinkpcap, sinkport, tsharkout, probe_err, nfinfo,
 seqerr, sinkcount, rc, totals_out) = sys.argv[1:13]
sys.path.insert(0, bench)
import pcap_truth  # noqa: E402

fails, notes = [], []


def addr(b):
    return socket.inet_ntop(socket.AF_INET if len(b) == 4 else socket.AF_INET6, b)


def norm(a):
    a = a.strip()
    fam = socket.AF_INET6 if ':' in a else socket.AF_INET
    return socket.inet_ntop(fam, socket.inet_pton(fam, a))


# 1. truth, with its 5-tuples
t = pcap_truth.Truth()
ip_first = ip_last = None   # time of the first and last IP packet
try:
    for lt, ts, buf, wl in pcap_truth.read_packets(pcap):
        n_ip = t.c.get('ip_packets', 0)
        t.packet(lt, ts, buf, wl)
        if t.c.get('ip_packets', 0) != n_ip:
            ip_first = ts if ip_first is None else min(ip_first, ts)
            ip_last = ts if ip_last is None else max(ip_last, ts)
except (ValueError, struct.error) as ex:
    notes.append('truth: capture error: %s' % ex)
tr = t.result()
t_pk, t_by = tr.get('ip_packets', 0), tr.get('ip_bytes', 0)
t_keys = set()
for k in t.flows:
    ver, src, dst, proto, sp, dp = k
    t_keys.add((proto, addr(src), addr(dst), sp, dp))
t_proto = {}
for k, v in tr['by_protocol'].items():
    t_proto[k] = (v['packets'], v['bytes'])

# 2. nfdump records: %pr|%sa|%da|%sp|%dp|%ipkt|%ibyt|%opkt|%obyt|%ts|%te
c_pk = c_by = nrec = 0
c_first = c_last = None
c_keys = set()
c_proto = {}
bad_lines = 0
for line in open(records):
    p = [x.strip() for x in line.split('|')]
    if len(p) < 9 or not p[5].isdigit():
        if line.strip():
            bad_lines += 1
        continue
    nrec += 1
    if len(p) >= 11:
        c_first = p[9] if c_first is None or p[9] < c_first else c_first
        c_last = p[10] if c_last is None or p[10] > c_last else c_last
    proto = int(p[0])
    pk, by = int(p[5]) + int(p[7]), int(p[6]) + int(p[8])
    c_pk += pk
    c_by += by
    sa, da = norm(p[1]), norm(p[2])
    if '.' in p[4]:  # nfdump prints ICMP type.code in the port column
        ty, _, co = p[4].partition('.')
        sp, dp = 0, int(ty) * 256 + int(co)
    else:
        sp, dp = int(p[3]), int(p[4])
    c_keys.add((proto, sa, da, sp, dp))
    vk = 'v%d/%d' % (6 if ':' in sa else 4, proto)
    a = c_proto.setdefault(vk, [0, 0])
    a[0] += pk
    a[1] += by
if bad_lines:
    notes.append('nfdump: %d lines not understood' % bad_lines)

if c_pk != t_pk:
    fails.append('packets: collector %d, truth %d (diff %+d)' % (c_pk, t_pk, c_pk - t_pk))
if c_by != t_by:
    fails.append('bytes: collector %d, truth %d (diff %+d)' % (c_by, t_by, c_by - t_by))
for k in sorted(set(t_proto) | set(c_proto)):
    a, b = tuple(c_proto.get(k, (0, 0))), t_proto.get(k, (0, 0))
    if a != b:
        fails.append('protocol %s: collector %d packets %d bytes, truth %d packets %d bytes'
                     % (k, a[0], a[1], b[0], b[1]))

# Times exact to the millisecond: the earliest flow start and the latest
# flow end the collector shows are the first and last packet's times.
def ms_text(ts):
    ms = int(round(ts * 1e6)) // 1000
    return time.strftime('%Y-%m-%d %H:%M:%S', time.gmtime(ms // 1000)) + '.%03d' % (ms % 1000)


if ip_first is not None and c_first is not None:
    for what, got, want in (('first', c_first, ms_text(ip_first)),
                            ('last', c_last, ms_text(ip_last))):
        if got != want:
            fails.append('time of the %s packet: collector %s, truth %s' % (what, got, want))

# 3. sequence errors (nfcapd log and nfdump -I)
seq_if = 0
for line in open(nfinfo):
    if line.startswith('Sequence failures:'):
        seq_if = int(line.split(':')[1])
seq = max(int(seqerr or 0), seq_if)
if seq:
    fails.append('nfcapd: %d sequence errors (export datagrams lost or misnumbered)' % seq)

# 4. 5-tuples: every one the capture holds, and no other
if c_keys != t_keys:
    fails.append('distinct 5-tuples differ from the truth (see notes)')
    miss, extra = sorted(t_keys - c_keys), sorted(c_keys - t_keys)
    notes.append('5-tuples: collector %d, truth %d (%d missing, %d extra)'
                 % (len(c_keys), len(t_keys), len(miss), len(extra)))
    for k in miss[:5]:
        notes.append('  missing %s' % (k,))
    for k in extra[:5]:
        notes.append('  extra   %s' % (k,))

# 5. our own NetFlow v9 structure check of the datagrams the receiver kept
def v9_check(path, port):
    d = open(path, 'rb').read()
    off, n, errs = 24, 0, []
    templates, seqs = {}, {}
    v_pk = v_by = 0
    while off + 16 <= len(d):
        caplen = struct.unpack_from('<I', d, off + 8)[0]
        pkt = d[off + 16 + 28:off + 16 + caplen]
        off += 16 + caplen
        n += 1
        where = 'datagram %d' % n
        if len(pkt) < 20:
            errs.append('%s: %d bytes, shorter than the v9 header' % (where, len(pkt)))
            continue
        ver, count, _up, _secs, seqno, srcid = struct.unpack_from('!HHIIII', pkt)
        if ver != 9:
            errs.append('%s: version %d' % (where, ver))
            continue
        if srcid in seqs and seqno != (seqs[srcid] + 1) & 0xFFFFFFFF:
            errs.append('%s: sequence %d after %d' % (where, seqno, seqs[srcid]))
        seqs[srcid] = seqno
        o, recs = 20, 0
        while o < len(pkt):
            if o + 4 > len(pkt):
                errs.append('%s: %d stray bytes at the end' % (where, len(pkt) - o))
                break
            fsid, fslen = struct.unpack_from('!HH', pkt, o)
            if fslen < 4 or o + fslen > len(pkt):
                errs.append('%s: flowset %d length %d runs past the datagram (%d left)'
                            % (where, fsid, fslen, len(pkt) - o))
                break
            body, end = o + 4, o + fslen
            if fsid == 0:
                while end - body >= 4:
                    tid, nf = struct.unpack_from('!HH', pkt, body)
                    if body + 4 + 4 * nf > end:
                        errs.append('%s: template %d overruns its flowset' % (where, tid))
                        break
                    fields = [struct.unpack_from('!HH', pkt, body + 4 + 4 * i) for i in range(nf)]
                    templates[(srcid, tid)] = (fields, True)
                    body += 4 + 4 * nf
                    recs += 1
            elif fsid == 1:
                while end - body >= 6:
                    tid, sl, ol = struct.unpack_from('!HHH', pkt, body)
                    if sl % 4 or ol % 4 or body + 6 + sl + ol > end:
                        errs.append('%s: options template %d malformed' % (where, tid))
                        break
                    fl = [struct.unpack_from('!HH', pkt, body + 6 + 4 * i)
                          for i in range((sl + ol) // 4)]
                    templates[(srcid, tid)] = (fl, False)  # scope types differ
                    body += 6 + sl + ol
                    recs += 1
            elif fsid < 256:
                errs.append('%s: reserved flowset id %d' % (where, fsid))
            else:
                tpl = templates.get((srcid, fsid))
                if tpl is None:
                    errs.append('%s: data flowset %d before its template' % (where, fsid))
                else:
                    fields, is_flow = tpl
                    rl = sum(f[1] for f in fields)
                    while rl and end - body >= rl:
                        r = body
                        for ftype, flen in fields:
                            v = int.from_bytes(pkt[r:r + flen], 'big')
                            if is_flow and ftype == 1:      # IN_BYTES
                                v_by += v
                            elif is_flow and ftype == 2:    # IN_PKTS
                                v_pk += v
                            r += flen
                        body += rl
                        recs += 1
            if end - body >= 4:
                errs.append('%s: flowset %d has %d unused bytes (padding must be < 4)'
                            % (where, fsid, end - body))
            o = end
        if recs != count:
            errs.append('%s: header count %d, records %d' % (where, count, recs))
    return n, v_pk, v_by, errs


n_dg, v_pk, v_by, v_errs = v9_check(sinkpcap, sinkport)
for e in v_errs[:10]:
    fails.append('v9 check: ' + e)
if len(v_errs) > 10:
    fails.append('v9 check: ... %d more' % (len(v_errs) - 10))
if (v_pk, v_by) != (t_pk, t_by):
    fails.append('v9 check: data records sum to %d packets %d bytes, truth %d %d'
                 % (v_pk, v_by, t_pk, t_by))
if n_dg == 0 and t_pk:
    fails.append('receiver: no datagram arrived')

# 6. tshark: frame \t severity \t group \t message \t malformed
nts = 0
for line in open(tsharkout):
    p = line.rstrip('\n').split('\t')
    if len(p) < 5:
        continue
    nts += 1
    sev, msg, malformed = p[1], p[3], p[4]
    bad = []
    if malformed:
        bad.append('malformed')
    for s, m in zip(sev.split(','), msg.split(',')):
        if not s:
            continue
        ml = m.lower()
        if int(s) >= 0x00600000 or 'template' in ml or 'sequence' in ml:
            bad.append(m)
    if bad:
        fails.append('tshark frame %s: %s' % (p[0], '; '.join(bad)))
if nts != n_dg:
    fails.append('tshark decoded %d frames, receiver kept %d' % (nts, n_dg))

# 7. the probe itself
if rc != '0':
    fails.append('picoflow exited %s' % rc)
for line in open(probe_err, errors='replace'):
    if line.startswith('picoflow: packets'):
        w = line.split()
        st = dict(zip(w[1::2], w[2::2]))
        # "datagrams" may count sends to all collectors (2 here) or datagrams built
        sent, got = st.get('datagrams', ''), int(sinkcount or 0)
        if sent.isdigit() and int(sent) not in (got, 2 * got):
            fails.append('picoflow says %s datagrams (2 collectors), the receiver got %d'
                         % (sent, got))
        if st.get('send_errors', '0') not in ('0', ''):
            fails.append('picoflow: send_errors %s' % st['send_errors'])

name = pcap.rsplit('/', 1)[-1]
ok = not fails
print('%-48s %9d %10d %9d %10d %6s %3d  %s' % (
    name[:48], t_pk, t_by, c_pk, c_by,
    '%d/%d' % (len(c_keys), len(t_keys)) if c_keys != t_keys else '=',
    seq, 'ok' if ok else 'FAIL'))
with open(totals_out, 'w') as f:
    f.write('%d %d %d %d %d\n' % (t_pk, t_by, c_pk, c_by, 0 if c_keys == t_keys else 1))
with open(totals_out + '.detail', 'w') as f:
    for m in fails:
        f.write('  FAIL %s\n' % m)
    for m in notes:
        f.write('  note %s\n' % m)
sys.exit(0 if ok else 1)
EOF

# Room for end-of-file bursts (see lib.sh nfcapd_start); only reported.
rmem=$(cat /proc/sys/net/core/rmem_max 2>/dev/null || echo 0)
[ "$rmem" -ge 4194304 ] || echo "note: net.core.rmem_max is $rmem; a burst may overflow the receivers (watch sequence errors)"

printf '%-48s %9s %10s %9s %10s %6s %3s  %s\n' capture truth_pkts truth_bytes coll_pkts \
    coll_bytes 5tup seq result
n=0 nfail=0 n5=0 tp=0 tb=0 cp=0 cb=0
details=$WORK/details
: > "$details"
for f in "$SHARED"/pcaps/real/${PCAPS_ONLY:-*}; do
	case $f in *.pcap|*.pcapng) ;; *) continue ;; esac
	[ -f "$f" ] || continue
	n=$((n + 1))
	b=$(basename "$f")
	w=$WORK/$n
	mkdir -p "$w"
	nfcapd_start "$w/nf" || { echo "$b: nfcapd did not start" >> "$details"; nfail=$((nfail + 1)); continue; }
	sink_start "$w/export.pcap" || { echo "$b: receiver did not start" >> "$details"; nfail=$((nfail + 1)); continue; }
	# shellcheck disable=SC2086 # PICOFLOW_ARGS is a list of flags
	run_limited 60 "$PICOFLOW" -r "$f" -n "127.0.0.1:$NFCAPD_PORT" \
	    -n "127.0.0.1:$SINK_PORT" ${PICOFLOW_ARGS:-} > "$w/probe.out" 2> "$w/probe.err"
	rc=$?
	nfcapd_stop
	sink_stop
	nfdump -R "$w/nf" -q -N -6 -o 'fmt:%pr|%sa|%da|%sp|%dp|%ipkt|%ibyt|%opkt|%obyt|%ts|%te' \
	    > "$w/records" 2> "$w/nfdump.err"
	nfdump -R "$w/nf" -I > "$w/nfinfo" 2>> "$w/nfdump.err"
	tshark -n -r "$w/export.pcap" -d "udp.port==$SINK_PORT,cflow" -T fields \
	    -E occurrence=a -E aggregator=, -e frame.number -e _ws.expert.severity \
	    -e _ws.expert.group -e _ws.expert.message -e _ws.malformed \
	    > "$w/tshark" 2> "$w/tshark.err"
	python3 "$CHECK_PY" "$SHARED/bench" "$f" "$w/records" "$w/export.pcap" "$SINK_PORT" \
	    "$w/tshark" "$w/probe.err" "$w/nfinfo" "${NFCAPD_SEQERR:-0}" "${SINK_COUNT:-0}" \
	    "$rc" "$w/totals"
	res=$?
	if [ -s "$w/totals" ]; then
		read -r a1 a2 a3 a4 a5 < "$w/totals"
		tp=$((tp + a1)) tb=$((tb + a2)) cp=$((cp + a3)) cb=$((cb + a4)) n5=$((n5 + a5))
	fi
	if [ "$res" -ne 0 ]; then
		nfail=$((nfail + 1))
		{
			echo "$b:"
			cat "$w/totals.detail" 2>/dev/null
			[ "$rc" -eq 0 ] || { echo "  picoflow stderr (tail):"; tail -5 "$w/probe.err" | sed 's/^/    /'; }
		} >> "$details"
	elif [ -s "$w/totals.detail" ]; then
		{ echo "$b:"; cat "$w/totals.detail"; } >> "$details"
	fi
done
[ "$n" -gt 0 ] || skip "no .pcap/.pcapng files in $SHARED/pcaps/real"
printf '%-48s %9d %10d %9d %10d\n' "TOTAL ($n captures)" "$tp" "$tb" "$cp" "$cb"
if [ -s "$details" ]; then
	echo
	echo "details:"
	cat "$details"
fi
echo
echo "pcaps: $n captures, $((n - nfail)) ok, $nfail FAIL; $n5 with distinct 5-tuples != truth"
[ "$nfail" -eq 0 ]
