#!/usr/bin/env bash
# Faults, each against a real collector (nfcapd/nfdump):
#   refused   nobody listens on the collector port (ICMP port unreachable,
#             ECONNREFUSED), then nfcapd starts there: picoflow keeps
#             running, SIGUSR1 stats during the outage show the refusals,
#             the final stats count send errors, and every flow from after
#             the collector came back is at the collector.
#   sigterm   SIGTERM part way through a burst: the collector holds exactly
#             the packets and bytes picoflow's own stats say it accounted.
#   uptime    a capture that runs up to sysUptime 2^31 ms (the rebase point,
#             half way to the 2^32 wrap) with a flow active across it:
#             picoflow rebases once, every flow is exported, the first
#             datagram of the new epoch carries the templates, and nfdump's
#             start and end times are those of the packets, to the ms.
#   bigflow   one flow of 70,000 64 KiB TSO frames, 4,587,450,000 bytes
#             (> 2^32): two records, each under the 32-bit counters, that
#             nfdump sums to exactly that; no counter wraps.
# The no-route case needs root and a network namespace: faults_noroute.sh.
# Slow replays use the PICOFLOW_REPLAY_SPEED test hook (see probe.c).
. "$(dirname "$0")/lib.sh"
require_picoflow
require nfcapd nfdump python3

MK="python3 $ROOT/tests/data/mkfaults.py"
fail=0
bad() { echo "FAIL: $*"; fail=1; }

# stat LOG KEY: KEY's figure in picoflow's last "packets ... ip ..." line
stat() {
	awk -v k="$2" 'BEGIN { v = 0 }
	    / ip_bytes / { for (i = 1; i < NF; i++) if ($i == k) v = $(i + 1) }
	    END { print v }' "$1"
}

# totals DIR: "packets bytes records" at the collector
totals() {
	nfdump -R "$1" -q -N -o 'fmt:%pkt %byt' |
	    awk '$1 ~ /^[0-9]+$/ { p += $1; b += $2; n++ }
		END { printf "%.0f %.0f %d\n", p, b, n }'
}

# --- refused, then back
$MK steady "$WORK/steady.pcap" 12 > /dev/null
PORT=$(free_udp_port)
PICOFLOW_REPLAY_SPEED=2 "$PICOFLOW" -r "$WORK/steady.pcap" \
    -n 127.0.0.1:"$PORT" -t udp=1 2> "$WORK/refused.log" &
pid=$!
track "$pid"
sleep 1.5
kill -USR1 "$pid"
sleep 0.5
during=$(sed -n 's/.*send errors: refused \([0-9]*\).*/\1/p' "$WORK/refused.log" | head -1)
nfcapd_start "$WORK/nf-refused" "$PORT" || { echo "FAIL: nfcapd"; exit 1; }
wait "$pid"
rc=$?
untrack "$pid"
nfcapd_stop
late=$(nfdump -R "$WORK/nf-refused" -q -N -o 'fmt:%sp %pkt' |
    awk '$1 ~ /^[0-9]+$/ && $1 >= 20070 { n++; p += $2 }
	END { print n + 0, p + 0 }')
errs=$(stat "$WORK/refused.log" send_errors)
dgrams=$(stat "$WORK/refused.log" datagrams)
echo "refused: exit $rc; refusals during the outage ${during:-none}; send_errors $errs; datagrams $dgrams; flows of seconds 7-11 at the collector: $late"
[ "$rc" = 0 ] || bad "picoflow exited $rc while the collector was away"
[ "${during:-0}" -gt 0 ] || bad "SIGUSR1 stats during the outage show no refusals"
[ "$errs" -gt 0 ] || bad "no send errors counted"
[ "$late" = "50 150" ] || bad "after the collector came back: want 50 flows 150 packets"

# --- SIGTERM during a burst
read -r _ total _ _ < <(python3 "$ROOT/tests/data/mkflows.py" "$WORK/flows.pcap" 60000)
nfcapd_start "$WORK/nf-term" || { echo "FAIL: nfcapd"; exit 1; }
PICOFLOW_REPLAY_SPEED=1 "$PICOFLOW" -r "$WORK/flows.pcap" \
    -n 127.0.0.1:"$NFCAPD_PORT" 2> "$WORK/term.log" &
pid=$!
track "$pid"
sleep 1.2
kill -TERM "$pid"
wait "$pid"
rc=$?
untrack "$pid"
nfcapd_stop
ip=$(stat "$WORK/term.log" ip)
ipb=$(stat "$WORK/term.log" ip_bytes)
read -r np nb nr < <(totals "$WORK/nf-term")
echo "sigterm: exit $rc; picoflow accounted $ip of $total packets, $ipb bytes; collector $np packets $nb bytes $nr records; sequence errors ${NFCAPD_SEQERR:-?}"
[ "$rc" = 0 ] || bad "exit $rc after SIGTERM"
[ "$ip" -gt 0 ] && [ "$ip" -lt "$total" ] || bad "the signal did not land mid-file (ip $ip of $total)"
[ "$np" = "$ip" ] && [ "$nb" = "$ipb" ] || bad "collector totals differ from picoflow's"
[ "${NFCAPD_SEQERR:-1}" = 0 ] || bad "sequence errors at the collector"

# --- sysUptime rebase
$MK uptime "$WORK/up.pcap" > "$WORK/up.want"
nfcapd_start "$WORK/nf-up" || { echo "FAIL: nfcapd"; exit 1; }
sink_start "$WORK/up-export.pcap" || { echo "FAIL: receiver"; exit 1; }
"$PICOFLOW" -r "$WORK/up.pcap" -n 127.0.0.1:"$NFCAPD_PORT" \
    -n 127.0.0.1:"$SINK_PORT" 2> "$WORK/up.log" || bad "picoflow: exit $?"
nfcapd_stop
sink_stop
# (nfdump 1.7.1's %ter drops the milliseconds; %ts and %te keep them)
nfdump -R "$WORK/nf-up" -q -N -o 'fmt:%sp %pkt %ts %te' | python3 -c '
import calendar, sys, time
def ms(d, t):
    s, f = t.split(".")
    return calendar.timegm(time.strptime(d + " " + s, "%Y-%m-%d %H:%M:%S")) * 1000 + int(f)
for l in sys.stdin:
    w = l.split()
    if len(w) == 6 and w[0].isdigit():
        print(w[0], w[1], ms(w[2], w[3]), ms(w[4], w[5]))' | sort -n > "$WORK/up.got"
if cmp -s "$WORK/up.want" "$WORK/up.got"; then
	echo "uptime: nfdump's $(wc -l < "$WORK/up.got") records match the packets (ms)"
else
	bad "uptime: nfdump records differ from the capture (want, got):"
	diff "$WORK/up.want" "$WORK/up.got" | head -20
fi
rebases=$(sed -n 's/.*uptime rebases \([0-9]*\).*/\1/p' "$WORK/up.log")
[ "$rebases" = 1 ] || bad "uptime: want 1 rebase, stats say ${rebases:-none}"
# The exported datagrams: sysUptime must stay below the rebase point plus
# a second, drop back once, and the datagram where it drops has templates.
python3 - "$WORK/up-export.pcap" <<'EOF' || fail=1
import struct, sys
d = open(sys.argv[1], 'rb').read()
off, dg = 24, []
while off + 16 <= len(d):
    n = struct.unpack_from('<I', d, off + 8)[0]
    pay = d[off + 16 + 28:off + 16 + n]
    off += 16 + n
    up = struct.unpack_from('!I', pay, 4)[0]
    sets, o = [], 20
    while o + 4 <= len(pay):
        sid, slen = struct.unpack_from('!HH', pay, o)
        sets.append(sid)
        o += max(slen, 4)
    dg.append((up, 0 in sets))
drops = [i for i in range(1, len(dg)) if dg[i][0] < dg[i - 1][0]]
hi = max(u for u, _ in dg)
print('uptime: %d datagrams, highest sysUptime %d ms (2^31 = %d), drops at %s, '
      'templates there: %s' % (len(dg), hi, 1 << 31, drops,
                               [dg[i][1] for i in drops]))
ok = len(drops) == 1 and dg[drops[0]][1] and hi < (1 << 31) + 1000 and dg[0][1]
if not ok:
    print('FAIL: want one drop, templates in the datagram after it, '
          'sysUptime below 2^31 + 1 s')
sys.exit(0 if ok else 1)
EOF

# --- a flow over 4 GiB
read -r _ np_want _ nb_want < <($MK tso "$WORK/tso.pcap" 70000)
nfcapd_start "$WORK/nf-tso" || { echo "FAIL: nfcapd"; exit 1; }
"$PICOFLOW" -r "$WORK/tso.pcap" -n 127.0.0.1:"$NFCAPD_PORT" 2> "$WORK/tso.log" ||
    bad "picoflow: exit $?"
nfcapd_stop
read -r np nb nr < <(totals "$WORK/nf-tso")
maxb=$(nfdump -R "$WORK/nf-tso" -q -N -o 'fmt:%byt' |
    awk '$1 ~ /^[0-9]+$/ && $1 > m { m = $1 } END { printf "%.0f", m }')
echo "bigflow: collector $nr record(s), $np packets, $nb bytes, largest record $maxb (want 2, $np_want, $nb_want; 2^32 = 4294967296)"
[ "$nr" = 2 ] && [ "$np" = "$np_want" ] && [ "$nb" = "$nb_want" ] &&
    [ "$maxb" -lt 4294967296 ] || bad "bigflow: counters differ"
[ "$(stat "$WORK/tso.log" ip_bytes)" = "$nb_want" ] || bad "bigflow: picoflow's ip_bytes"

[ $fail = 0 ] && echo "PASS: faults"
exit $fail
