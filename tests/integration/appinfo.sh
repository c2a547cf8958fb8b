#!/bin/bash
# picoflow --app-info against Wireshark (issue 18): every real capture in
# $SHARED/pcaps/real through
#
#   picoflow -r FILE --app-info -n 127.0.0.1:NFCAPD -n 127.0.0.1:SINK
#
# the export decoded by tshark (-d udp.port==SINK,cflow, per record), and
# compared per unidirectional flow key (protocol, src, dst, sport, dport)
# with what tshark's own dissection of the capture says
# (tests/data/app_truth.py):
#   names    per key, the set of names picoflow exported (dns_query,
#            ssl_server_name, http_host) must equal the set of first names
#            of the key's flows in tshark (dns.qry.name,
#            tls.handshake.extensions_server_name reassembled, or decrypted
#            from the QUIC Initials of versions 1 and 2, http.host);
#            for DNS also dns_query_type and, for answers, dns_ret_code.
#            Any difference FAILS the test.
#   rtt      client_nw_latency_ms / server_nw_latency_ms (tshark 4.0 calls
#            the second cflow.pie.server_nw_latency_ms) against the
#            handshake split from frame times: agreement within 1 ms and
#            exact, reported only
#   retrans  retransmitted_in_pkts / ooorder_in_pkts summed over a key's
#            records against tcp.analysis.retransmission /
#            tcp.analysis.out_of_order per direction: reported only
#   nfdump   nfcapd + nfdump (which ignore the ntop elements) must count
#            the same packets and bytes as a run without --app-info: FAILS
# The captures in APPINFO_IPFIX (globs, default below) are also exported
# as IPFIX (-v 10) to the receiver and compared the same way (no nfcapd).
#
# One table line per capture and export, then the differences in detail.
# Skips (77) without $SHARED/pcaps/real, without tshark/nfcapd/nfdump, and
# -- only while issue 18 is not merged -- when picoflow --help does not
# mention --app-info.
# Env: PICOFLOW, PICOFLOW_SHARED, KEEP_WORK=1, PCAPS_ONLY=glob (subset),
#      APPINFO_IPFIX="glob ..." (IPFIX subset; "" for none),
#      APPINFO_FAKE=1: no picoflow app export; tests/data/app_fake_export.py
#      sends one made from the truth instead (a self-test of the comparison:
#      all must match), APPINFO_FAKE_BREAK=N spoils N names in it (the test
#      must then fail and list them).
set -u
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

[ -d "$SHARED/pcaps/real" ] || skip "no captures: $SHARED/pcaps/real is absent (set PICOFLOW_SHARED)"
require python3 nfcapd nfdump tshark timeout
FAKE=${APPINFO_FAKE:-0}
if [ "$FAKE" = 1 ]; then
	# the fake needs no picoflow; the nfdump comparison is left out
	:
else
	require_picoflow
	"$PICOFLOW" --help 2>&1 | grep -q -- '--app-info' ||
	    skip "picoflow was built without --app-info (APP_INFO=no)"
fi
TRUTH_PY=$ROOT/tests/data/app_truth.py
FAKE_PY=$ROOT/tests/data/app_fake_export.py
IPFIX_SET=${APPINFO_IPFIX-"zeek-wikipedia.pcap ndpi-reddit.pcap sv-tls-tls-subjectaltname.pcap ndpi-teams.pcap cs-http_espn.pcapng zeek-quic-quic_win11_firefox_google.pcap"}

COMPARE_PY=$WORK/compare.py
cat > "$COMPARE_PY" <<'EOF'
"""Compare app_truth.py's JSON with picoflow's export as tshark decodes it."""
import datetime
import ipaddress
import json
import sys

(truth_f, export_f, label, nf_app, nf_plain, detail_f, totals_f) = sys.argv[1:8]
truth = json.load(open(truth_f))
KIND = {'cflow.pie.ntop.dns_query': 'dns', 'cflow.pie.ntop.ssl_server_name': 'tls',
        'cflow.pie.ntop.http_host': 'http'}
# tshark 4.0 names ntop element 124 without the "ntop." part
SERVER_NW = ('cflow.pie.ntop.server_nw_latency_ms', 'cflow.pie.server_nw_latency_ms')


def norm(a):
    return ipaddress.ip_address(a).compressed


def abstime(s):
    """'Mar 18, 2011 19:06:07.096000000 UTC' -> ns"""
    s = s.replace(' UTC', '')
    whole, _, frac = s.partition('.')
    d = datetime.datetime.strptime(whole, '%b %d, %Y %H:%M:%S').replace(
        tzinfo=datetime.timezone.utc)
    return int(d.timestamp()) * 1000000000 + int((frac + '000000000')[:9])


def secs_ns(s):
    w, _, f = s.partition('.')
    return int(w) * 1000000000 + int((f + '000000000')[:9])


def leaves(d, out):
    for k, v in d.items():
        if isinstance(v, dict):
            leaves(v, out)
        else:
            out.setdefault(k, v if not isinstance(v, list) else v[0])
    return out


def walk(node, hdr, out):
    if isinstance(node, dict):
        if 'cflow.protocol' in node:
            out.append((leaves(node, {}), hdr))
            return
        for v in node.values():
            walk(v, hdr, out)
    elif isinstance(node, list):
        for v in node:
            walk(v, hdr, out)


recs = []
malformed = 0
for pkt in json.load(open(export_f)) if export_f != '-' else []:
    layers = pkt['_source']['layers']
    if '_ws.malformed' in layers:
        malformed += 1
    cf = layers.get('cflow')
    if not isinstance(cf, dict):
        continue
    hdr = {'unix': int(cf.get('cflow.timestamp_tree', {}).get('cflow.unix_secs', 0) or 0),
           'up': cf.get('cflow.sysuptime', '0')}
    walk(cf, hdr, recs)

exp = {}        # key -> list of record dicts
for r, hdr in recs:
    src = r.get('cflow.srcaddr') or r.get('cflow.srcaddrv6')
    dst = r.get('cflow.dstaddr') or r.get('cflow.dstaddrv6')
    if src is None or dst is None:
        continue
    key = '%d %s %s %d %d' % (int(r['cflow.protocol']), norm(src), norm(dst),
                              int(r.get('cflow.srcport', 0)), int(r.get('cflow.dstport', 0)))
    t0 = None
    if 'cflow.abstimestart' in r:
        t0 = abstime(r['cflow.abstimestart'])
    elif 'cflow.timestart' in r:
        t0 = hdr['unix'] * 1000000000 - secs_ns(hdr['up']) + secs_ns(r['cflow.timestart'])
    r['_t0'] = t0
    exp.setdefault(key, []).append(r)


def rec_names(r):
    return {KIND[f] + ':' + r[f] for f in KIND if f in r}


def tstr(ns):
    if ns is None:
        return '?'
    return datetime.datetime.fromtimestamp(ns / 1e9, datetime.timezone.utc).strftime(
        '%H:%M:%S.%f')[:-3]


details = []
flows = truth['flows']
n_names = n_match = n_bad_keys = n_meta = n_meta_bad = 0
for key in sorted(set(flows) | set(exp)):
    f = flows.get(key, {})
    want = {ev['kind'] + ':' + ev['name'] for ev in f.get('names', []) if ev['name'] is not None}
    rs = exp.get(key, [])
    got = set()
    for r in rs:
        got |= rec_names(r)
    n_names += len(want)
    n_match += len(want & got)
    if want != got:
        n_bad_keys += 1
        details.append('  NAME  %s: tshark %s, picoflow %s' % (
            key, sorted(want) or '{}', sorted(got) or '{}'))
        for ev in f.get('names', []):
            details.append('        tshark: flow %d (%s) first %s event %s, frame %d%s%s' % (
                ev['seg'] + 1, tstr(ev['time_ns']),
                ev['kind'] + (' ' + ev['method'] if 'method' in ev else ''),
                repr(ev['name']) if ev['name'] is not None else '(no name)', ev['frame'],
                '' if ev['at_start'] else ', not at the flow\'s first payload',
                ', malformed' if ev['malformed'] else ''))
        for ev in f.get('later', [])[:3]:
            details.append('        tshark later: %s %r frame %d' % (ev['kind'], ev['name'], ev['frame']))
        if not f:
            details.append('        tshark has no packet with this key')
        for r in rs:
            n = rec_names(r)
            if n:
                details.append('        picoflow record from %s: %s' % (tstr(r['_t0']), sorted(n)))
        if len(f.get('segments', [])) > 1:
            details.append('        (tshark\'s packets make %d flows by picoflow\'s idle timeouts)'
                           % len(f['segments']))
    # DNS type and rcode, for the names both have
    for ev in f.get('names', []):
        if ev['kind'] != 'dns' or ev['name'] is None:
            continue
        for r in rs:
            if r.get('cflow.pie.ntop.dns_query') != ev['name']:
                continue
            n_meta += 1
            qt = r.get('cflow.pie.ntop.dns_query_type')
            rc = r.get('cflow.pie.ntop.dns_ret_code')
            bad = []
            if qt is None or int(qt) != ev['qtype'] % 256:
                bad.append('type %s, tshark %s' % (qt, ev['qtype']))
            if ev['response'] and (rc is None or int(rc) != ev['rcode']):
                bad.append('rcode %s, tshark %s' % (rc, ev['rcode']))
            if bad:
                n_meta_bad += 1
                details.append('  DNS   %s %r: %s' % (key, ev['name'], '; '.join(bad)))
            break

# handshake split: per key and connection, within 1 ms / exact
rtt_tot = rtt_1 = rtt_eq = rtt_missing = rtt_extra = 0
rtt_details = []
for key in sorted(flows):
    hs = flows[key].get('rtt', [])
    got = []
    for r in exp.get(key, []):
        c = r.get('cflow.pie.ntop.client_nw_latency_ms')
        s = next((r[x] for x in SERVER_NW if x in r), None)
        if c is not None or s is not None:
            got.append((int(s) if s is not None else None, int(c) if c is not None else None))
    # picoflow's app template carries 0 for "not measured"
    if not hs and any(g != (0, 0) for g in got):
        rtt_extra += 1
        rtt_details.append('  RTT   %s: picoflow %s, tshark saw no whole handshake' % (key, got))
    got = [g for g in got if g != (0, 0)] or got
    for h in hs:
        rtt_tot += 1
        w = (h['server_ms'], h['client_ms'])
        if not got or (got == [(0, 0)] and w != (0, 0)):
            rtt_missing += 1
            rtt_details.append('  RTT   %s (%s side): not exported; tshark server %d ms client %d ms'
                               % (key, h['role'], w[0], w[1]))
            continue
        ok1 = [g for g in got if None not in g and abs(g[0] - w[0]) <= 1 and abs(g[1] - w[1]) <= 1]
        if ok1:
            rtt_1 += 1
            if w in got:
                rtt_eq += 1
        else:
            rtt_details.append('  RTT   %s (%s side): picoflow (server, client) %s, tshark (%d, %d) '
                               '[%.3f, %.3f ms; initial_rtt %s ms%s; SYNs %d, SYN-ACKs %d; frames %d %d %d]'
                               % (key, h['role'], got, w[0], w[1], h['server_ns'] / 1e6,
                                  h['client_ns'] / 1e6, h['initial_rtt_ms'],
                                  '' if h['irtt_ok'] else ' (not their sum)', h['syn_count'],
                                  h['synack_count'], h['syn_frame'], h['synack_frame'],
                                  h['ack_frame']))

# retransmissions and out-of-order, per TCP key
tcp_keys = [k for k, f in flows.items() if f['proto'] == 6]
re_eq = oo_eq = 0
tr_details = []
for key in sorted(tcp_keys):
    f = flows[key]
    rs = exp.get(key, [])
    pr = sum(int(r.get('cflow.pie.ntop.retransmitted_in_pkts', 0)) for r in rs)
    po = sum(int(r.get('cflow.pie.ntop.ooorder_in_pkts', 0)) for r in rs)
    if pr == f['retrans']:
        re_eq += 1
    if po == f['ooo']:
        oo_eq += 1
    if pr != f['retrans'] or po != f['ooo']:
        tr_details.append('  TCP   %s: retransmitted picoflow %d tshark %d, out-of-order picoflow %d tshark %d'
                          % (key, pr, f['retrans'], po, f['ooo']))

notes = []
unknown = [k for k in exp if k not in flows]
if unknown:
    notes.append('  note  %d exported keys tshark does not have, e.g. %s' % (len(unknown), unknown[:3]))
if malformed:
    notes.append('  note  tshark calls %d export datagrams malformed' % malformed)
if truth['excluded']:
    notes.append('  note  %d names tshark found in inner packets (not keyed by picoflow): %s'
                 % (len(truth['excluded']), truth['excluded'][:3]))
quic = sum(len(f.get('quic_sni', [])) for f in flows.values())
if quic:
    notes.append('  note  tshark decrypted %d QUIC SNI of other versions than 1 and 2 (not required): '
                 'picoflow named %d of those keys'
                 % (quic, sum(1 for k, f in flows.items() if f.get('quic_sni') and
                              any(rec_names(r) for r in exp.get(k, [])))))

nf = '-'
nf_bad = False
if nf_app != '-':
    nf = '=' if nf_app == nf_plain else 'DIFF'
    if nf_app != nf_plain:
        nf_bad = True
        details.append('  NFDUMP packets/bytes with --app-info %s, without %s' % (nf_app, nf_plain))
fail = n_names != n_match or n_bad_keys or n_meta_bad or nf_bad or malformed
print('%-40s %5d %5d %4d %5s %9s %5d %9s %9s %3s  %s' % (
    label[:40], n_names, n_match, n_bad_keys, '%d/%d' % (n_meta - n_meta_bad, n_meta),
    '%d/%d' % (rtt_1, rtt_tot), rtt_eq, '%d/%d' % (re_eq, len(tcp_keys)),
    '%d/%d' % (oo_eq, len(tcp_keys)), nf, 'FAIL' if fail else 'ok'))
with open(detail_f, 'w') as fo:
    for line in details + rtt_details[:15] + (
            ['  RTT   ... %d more' % (len(rtt_details) - 15)] if len(rtt_details) > 15 else []) + \
            tr_details[:10] + (['  TCP   ... %d more' % (len(tr_details) - 10)]
                               if len(tr_details) > 10 else []) + notes:
        fo.write(line + '\n')
with open(totals_f, 'w') as fo:
    fo.write('%d %d %d %d %d %d %d %d %d %d %d\n' % (
        n_names, n_match, n_bad_keys, n_meta, n_meta_bad, rtt_tot, rtt_1, rtt_eq,
        len(tcp_keys), re_eq, oo_eq))
sys.exit(1 if fail else 0)
EOF

# packets and bytes nfdump counts in an nfcapd folder
nf_totals() {
	nfdump -R "$1" -q -N -o 'fmt:%ipkt %ibyt %opkt %obyt' 2> /dev/null |
	    awk '{ p += $1 + $3; b += $2 + $4 } END { printf "%d/%d", p, b }'
}

# decode DATAGRAMS.pcap PORT OUT.json: the export, one tshark pass
decode() {
	tshark -n -r "$1" -d "udp.port==$2,cflow" -T json --no-duplicate-keys \
	    > "$3" 2> "$3.err"
}

in_ipfix_set() {
	local g
	for g in $IPFIX_SET; do
		# shellcheck disable=SC2254 # a glob on purpose
		case $1 in $g) return 0 ;; esac
	done
	return 1
}

rmem=$(cat /proc/sys/net/core/rmem_max 2>/dev/null || echo 0)
[ "$rmem" -ge 4194304 ] || echo "note: net.core.rmem_max is $rmem; a burst may overflow the receivers"
[ "$FAKE" = 1 ] && echo "APPINFO_FAKE=1: the export is app_fake_export.py's (break ${APPINFO_FAKE_BREAK:-0}), not picoflow's"

printf '%-40s %5s %5s %4s %5s %9s %5s %9s %9s %3s  %s\n' capture names match \
    bad dns rtt\<=1ms exact retrans ooo nf result
n=0 nfail=0 nruns=0
T=(0 0 0 0 0 0 0 0 0 0 0)
details=$WORK/details
: > "$details"
# One receiver for the whole run (starting one costs a second on a busy
# machine): each export is the part of its pcap written since OFFSET.
sink_start "$WORK/all.pcap" || { echo "the UDP receiver did not start"; exit 1; }
SINKP=$SINK_PORT
pcap_size() { stat -c %s "$WORK/all.pcap"; }
# pcap_since OFFSET OUT: the receiver's pcap header and what came after OFFSET
pcap_since() {
	udp_wait_drained "$SINKP"
	{ head -c 24 "$WORK/all.pcap"; tail -c +"$(($1 + 1))" "$WORK/all.pcap"; } > "$2"
}

# export_run LABEL CAPTURE TRUTH W VERSION [-n COLLECTOR]: the app export
# of CAPTURE to the receiver (and COLLECTOR), decoded into W/exportV.json;
# sets RC (picoflow's exit status)
export_run() {
	local label=$1 f=$2 truth=$3 w=$4 v=$5 off
	shift 5
	off=$(pcap_size)
	if [ "$FAKE" = 1 ]; then
		python3 "$FAKE_PY" -v "$v" --break "${APPINFO_FAKE_BREAK:-0}" "$truth" \
		    "$SINKP" > "$w/probe$v.out" 2> "$w/probe$v.err"
	else
		run_limited 120 "$PICOFLOW" -r "$f" --app-info -v "$v" \
		    -n "127.0.0.1:$SINKP" "$@" > "$w/probe$v.out" 2> "$w/probe$v.err"
	fi
	RC=$?
	pcap_since "$off" "$w/export$v.pcap"
	decode "$w/export$v.pcap" "$SINKP" "$w/export$v.json"
}

# compare_run LABEL TRUTH W NF_APP NF_PLAIN VERSION: the table line; 1 if
# it failed
compare_run() {
	local label=$1 truth=$2 w=$3 nfa=$4 nfp=$5 v=$6 res i a
	python3 "$COMPARE_PY" "$truth" "$w/export$v.json" "$label" "$nfa" "$nfp" \
	    "$w/detail$v" "$w/totals$v"
	res=$?
	nruns=$((nruns + 1))
	if [ "$RC" -ne 0 ]; then
		res=1
		echo "  picoflow exited $RC: $(tail -2 "$w/probe$v.err" | tr '\n' ' ')" >> "$w/detail$v"
	fi
	if [ -s "$w/totals$v" ]; then
		read -r -a a < "$w/totals$v"
		for i in "${!a[@]}"; do
			T[i]=$((T[i] + a[i]))
		done
	fi
	if [ -s "$w/detail$v" ]; then
		{ echo "$label:"; cat "$w/detail$v"; } >> "$details"
	fi
	return "$res"
}

for f in "$SHARED"/pcaps/real/${PCAPS_ONLY:-*}; do
	case $f in *.pcap|*.pcapng) ;; *) continue ;; esac
	[ -f "$f" ] || continue
	n=$((n + 1))
	b=$(basename "$f")
	w=$WORK/$n
	mkdir -p "$w"
	if ! python3 "$TRUTH_PY" --json "$f" > "$w/truth.json" 2> "$w/truth.err"; then
		echo "$b: app_truth.py failed: $(tail -1 "$w/truth.err")" >> "$details"
		nfail=$((nfail + 1))
		continue
	fi
	nfa=- nfp=-
	if [ "$FAKE" = 1 ]; then
		export_run "$b" "$f" "$w/truth.json" "$w" 9
	else
		# the export to nfcapd and the receiver at once; then nfdump's
		# totals of a run without --app-info
		nfcapd_start "$w/nf-app" || { echo "$b: nfcapd did not start" >> "$details"; nfail=$((nfail + 1)); continue; }
		export_run "$b" "$f" "$w/truth.json" "$w" 9 -n "127.0.0.1:$NFCAPD_PORT"
		nfcapd_stop
		nfcapd_start "$w/nf-plain" && run_limited 120 "$PICOFLOW" -r "$f" \
		    -n "127.0.0.1:$NFCAPD_PORT" > /dev/null 2> "$w/nf-plain.err"
		nfcapd_stop
		nfa=$(nf_totals "$w/nf-app") nfp=$(nf_totals "$w/nf-plain")
	fi
	compare_run "$b" "$w/truth.json" "$w" "$nfa" "$nfp" 9 || nfail=$((nfail + 1))
	if in_ipfix_set "$b"; then
		export_run "$b (ipfix)" "$f" "$w/truth.json" "$w" 10
		compare_run "$b (ipfix)" "$w/truth.json" "$w" - - 10 || nfail=$((nfail + 1))
	fi
done
sink_stop
[ "$n" -gt 0 ] || skip "no .pcap/.pcapng files in $SHARED/pcaps/real"
printf '%-40s %5d %5d %4d %5s %9s %5d %9s %9s\n' "TOTAL ($n captures, $nruns runs)" "${T[0]}" "${T[1]}" \
    "${T[2]}" "$((T[3] - T[4]))/${T[3]}" "${T[6]}/${T[5]}" "${T[7]}" "${T[9]}/${T[8]}" "${T[10]}/${T[8]}"
echo
echo "names: tshark's names (first name of each flow) / those picoflow exported for the"
echo "same key / keys whose name sets differ; dns: type and rcode agree / names compared;"
echo "rtt: handshake split within 1 ms of the frame times / handshakes (exact: to the ms);"
echo "retrans, ooo: TCP keys whose counts equal tshark's / TCP keys;"
echo "nf: nfdump's packets/bytes with --app-info = without (- : not run)."
echo "Only names, dns, nf and malformed datagrams fail the test; rtt and retrans are reported."
if [ -s "$details" ]; then
	echo
	echo "details:"
	cat "$details"
fi
echo
echo "appinfo: $n captures, $nfail FAIL (runs with IPFIX included)"
[ "$nfail" -eq 0 ]
