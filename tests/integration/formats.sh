#!/bin/bash
# Every export format (-v 5, 9, 10) of every real capture in
# $SHARED/pcaps/real, through ./picoflow to three receivers at once, each
# compared with the truth of the capture (pcap_truth.py):
#
#   nfcapd -> nfdump: packets and bytes per (IP version, protocol) equal the
#       truth, and nfcapd counts 0 sequence errors and 0 bad packets
#   nfacctd (pmacct, print plugin, by ethertype, protocol and the exporter's
#       -S, which tells the captures apart: one nfacctd serves a format's
#       whole run, as it is slow to stop): the same
#   a python receiver -> tshark (decode as cflow, one pass over a format's
#       whole run, datagrams told apart by -S): no malformed packet, no
#       expert warning or error, nothing about templates or sequence
#
# NetFlow v5 carries IPv4 only, so for -v 5 the truth is its IPv4 part and
# picoflow must count every IPv6 flow as 'unexportable'.  (pcaps.sh checks
# v9 deeper: structure, 5-tuples; here v9 also meets nfacctd.)
# A receiver that is not installed is left out, and the script says so;
# it skips (exit 77) when no collector at all is installed.
# The formats run side by side, one job each, to keep make check short.
# Env: FORMATS ("5 9 10"), PCAPS_ONLY=glob, KEEP_WORK=1, PICOFLOW_SHARED.
set -u
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

[ -d "$SHARED/pcaps/real" ] || skip "no captures: $SHARED/pcaps/real is absent (set PICOFLOW_SHARED)"
require_truth
require python3 timeout
require_picoflow
use=()
for c in nfcapd:nfdump nfacctd tshark; do
	ok=1
	for t in ${c//:/ }; do
		command -v "$t" > /dev/null 2>&1 || ok=0
	done
	if [ "$ok" = 1 ]; then use+=("${c%%:*}"); else echo "note: ${c//:/ and } not installed: left out"; fi
done
[ "${#use[@]}" -gt 0 ] || skip "none of nfcapd/nfdump, nfacctd (pmacct), tshark is installed"
has() { [[ " ${use[*]} " == *" $1 "* ]]; }

CHECK_PY=$WORK/check.py
cat > "$CHECK_PY" <<'EOF'
"""One capture, one format: what each collector got against the truth."""
import json, sys

ver, truthf, nfd, nfa, sysid, tsh, err, rc = sys.argv[1:9]
t = json.load(open(truthf))
want = {}
for k, v in t.get('by_protocol', {}).items():
    if ver != '5' or k.startswith('v4/'):
        want[k] = (v['packets'], v['bytes'])
fails = []


def compare(name, got):
    tot_g = [sum(x[i] for x in got.values()) for i in (0, 1)]
    tot_w = [sum(x[i] for x in want.values()) for i in (0, 1)]
    if tot_g != tot_w:
        fails.append('%s: %d packets %d bytes, truth %d %d'
                     % (name, tot_g[0], tot_g[1], tot_w[0], tot_w[1]))
    for k in sorted(set(got) | set(want)):
        if tuple(got.get(k, (0, 0))) != tuple(want.get(k, (0, 0))):
            fails.append('%s: %s %s, truth %s' % (name, k, got.get(k), want.get(k)))
    return tot_g


def add(d, k, pk, by):
    a = d.setdefault(k, [0, 0])
    a[0] += pk
    a[1] += by


res = []
if nfd != '-':
    got = {}
    for line in open(nfd):
        p = [x.strip() for x in line.split('|')]
        if len(p) == 4 and p[2].isdigit():
            add(got, 'v%d/%s' % (6 if ':' in p[1] else 4, p[0]), int(p[2]), int(p[3]))
    res.append('%d' % compare('nfdump', got)[0])
    info = open(nfd + '.info').read().split('\n')
    for line in info:
        if line.startswith(('Sequence failures:', 'Bad packets:')) and \
                line.split(':')[1].strip() not in ('0', ''):
            fails.append('nfcapd: ' + line)
if nfa != '-':
    got = {}
    try:
        for line in open(nfa):
            p = line.strip().split(',')
            if len(p) == 5 and p[3].isdigit() and p[2] == sysid:
                add(got, 'v%d/%s' % (6 if p[0] == '86dd' else 4, p[1]), int(p[3]), int(p[4]))
    except OSError:
        fails.append('nfacctd: wrote no output')
    res.append('%d' % compare('nfacctd', got)[0])
if tsh != '-':
    n = 0
    for line in open(tsh):
        p = line.rstrip('\n').split('\t')
        ids = [x.split(',')[0] for x in p[4:7] if x]
        if len(p) < 7 or ids[:1] != [sysid]:
            continue
        n += 1
        bad = ['malformed'] if p[3] else []
        for s, m in zip(p[1].split(','), p[2].split(',')):
            if s and (int(s) >= 0x00600000 or 'template' in m.lower() or 'sequence' in m.lower()):
                bad.append(m)
        if bad:
            fails.append('tshark frame %s: %s' % (p[0], '; '.join(bad)))
    res.append('%d dg' % n)
st = {}
for line in open(err, errors='replace'):
    if line.startswith('picoflow: packets'):
        w = line.split()
        st = dict(zip(w[1::2], w[2::2]))
if rc != '0':
    fails.append('picoflow exited %s' % rc)
v6 = t.get('ipv6_packets', 0)
if ver == '5' and v6 and st.get('unexportable', '0') == '0':
    fails.append('v5: the capture has IPv6 but picoflow counted no unexportable flow')
if ver != '5' and st.get('unexportable', '0') != '0':
    fails.append('format %s: %s unexportable flows' % (ver, st['unexportable']))
print('%s %s' % ('ok' if not fails else 'FAIL', ' '.join(res)))
for f in fails[:8]:
    print('    ' + f)
sys.exit(1 if fails else 0)
EOF

# run_format V: every capture in format V; a line a capture in WORK/vV.out
run_format() {
	local v=$1
	local f b w nfd i=0 nfa=- tsh=- out=$WORK/v$1.out
	trap 'for p in $LIB_PIDS; do stop_pid "$p"; done' EXIT
	mkdir -p "$WORK/v$v"
	if has nfacctd; then
		nfacctd_start "$WORK/v$v/nfa" "plugins: print" \
		    "aggregate: etype, proto, export_proto_sysid" \
		    "print_num_protos: true" "print_output: csv" \
		    "print_output_file: $WORK/v$v/nfa/out.csv" \
		    "print_refresh_time: 3600" && nfa=$WORK/v$v/nfa/out.csv
	fi
	if has tshark; then
		sink_start "$WORK/v$v/export.pcap" && tsh=$WORK/v$v/tshark
	fi
	for f in "$SHARED"/pcaps/real/${PCAPS_ONLY:-*}; do
		case $f in *.pcap|*.pcapng) ;; *) continue ;; esac
		i=$((i + 1))
		b=$(basename "$f")
		w=$WORK/v$v/$b
		mkdir -p "$w"
		local args=(-S "$i")
		[ "$nfa" = - ] || args+=(-n "127.0.0.1:$NFACCTD_PORT")
		[ "$tsh" = - ] || args+=(-n "127.0.0.1:$SINK_PORT")
		if has nfcapd; then nfcapd_start "$w/nf" && args+=(-n "127.0.0.1:$NFCAPD_PORT"); fi
		run_limited 60 "$PICOFLOW" -v "$v" -r "$f" "${args[@]}" > /dev/null 2> "$w/probe.err"
		echo "$b $i $?" >> "$out.runs"
		nfd=-
		if has nfcapd; then
			nfcapd_stop
			nfd=$w/nfdump
			nfdump -R "$w/nf" -q -N -6 -o 'fmt:%pr|%sa|%pkt|%byt' > "$nfd" 2>&1
			nfdump -R "$w/nf" -I > "$nfd.info" 2>&1
		fi
		echo "$nfd" > "$w/files"
	done
	nfacctd_stop
	if [ "$tsh" != - ]; then
		sink_stop
		tshark -n -r "$WORK/v$v/export.pcap" -d "udp.port==$SINK_PORT,cflow" \
		    -T fields -E occurrence=a -E aggregator=, -e frame.number \
		    -e _ws.expert.severity -e _ws.expert.message -e _ws.malformed \
		    -e cflow.source_id -e cflow.od_id -e cflow.engine_id \
		    > "$tsh" 2> "$tsh.err"
	fi
	while read -r b i rc; do
		w=$WORK/v$v/$b
		read -r nfd < "$w/files"
		printf '%-48s -v %-2s %s\n' "$b" "$v" "$(python3 "$CHECK_PY" "$v" \
		    "$WORK/truth.$b.json" "$nfd" "$nfa" "$i" "$tsh" \
		    "$w/probe.err" "$rc")"
	done < "$out.runs" > "$out"
}

echo "receivers: ${use[*]}; per line: result, packets nfdump / nfacctd, tshark datagrams"
formats=${FORMATS:-5 9 10}
# The truth once per capture, before the jobs share the cache.
for f in "$SHARED"/pcaps/real/${PCAPS_ONLY:-*}; do
	case $f in *.pcap|*.pcapng) truth_get "$f" ip_packets > /dev/null || exit 1 ;; esac
done
pids=()
for v in $formats; do
	run_format "$v" &
	pids+=($!)
done
for p in "${pids[@]}"; do
	wait "$p"
done
n=0 nfail=0
for v in $formats; do
	cat "$WORK/v$v.out"
	n=$((n + $(grep -c ' -v ' "$WORK/v$v.out")))
	nfail=$((nfail + $(grep -c ' -v .. *FAIL' "$WORK/v$v.out")))
done
[ "$n" -gt 0 ] || skip "no .pcap/.pcapng files in $SHARED/pcaps/real"
echo
echo "formats: $n capture/format runs, $((n - nfail)) ok, $nfail FAIL (receivers: ${use[*]})"
[ "$nfail" -eq 0 ]
