#!/usr/bin/env bash
# Collector without a route, then back (root only: a network namespace).
# In a fresh namespace only lo is up, so the collector 10.99.0.1 has no
# route (ENETUNREACH): picoflow must start anyway with a warning, keep
# running, count the failures as unreachable (SIGUSR1 shows them), and once
# the address appears and nfcapd listens on it, deliver every later flow.
# Uses the PICOFLOW_REPLAY_SPEED test hook (see probe.c).
. "$(dirname "$0")/lib.sh"
require_picoflow
require nfcapd nfdump python3 ip
[ "$(id -u)" = 0 ] || skip "needs root for a network namespace"
netns_add NS || skip "cannot create a network namespace"
ip -n "$NS" link set lo up

fail=0
bad() { echo "FAIL: $*"; fail=1; }
ADDR=10.99.0.1
PORT=2055

python3 "$ROOT/tests/data/mkfaults.py" steady "$WORK/steady.pcap" 12 > /dev/null
PICOFLOW_REPLAY_SPEED=2 ip netns exec "$NS" "$PICOFLOW" -r "$WORK/steady.pcap" \
    -n "$ADDR:$PORT" -t udp=1 2> "$WORK/pf.log" &
pid=$!
track "$pid"
sleep 1.5
kill -USR1 "$pid"
sleep 0.5
during=$(sed -n 's/.*send errors: .*unreachable \([0-9]*\).*/\1/p' "$WORK/pf.log" | head -1)
ip -n "$NS" addr add "$ADDR/32" dev lo
mkdir -p "$WORK/nf"
ip netns exec "$NS" nfcapd -w "$WORK/nf" -b "$ADDR" -p "$PORT" -t 3600 \
    > "$WORK/nfcapd.log" 2>&1 &
npid=$!
track "$npid"
wait "$pid"
rc=$?
untrack "$pid"
sleep 0.5
stop_pid "$npid"
untrack "$npid"
late=$(nfdump -R "$WORK/nf" -q -N -o 'fmt:%sp %pkt' |
    awk '$1 ~ /^[0-9]+$/ && $1 >= 20070 { n++; p += $2 }
	END { print n + 0, p + 0 }')
echo "noroute: exit $rc; unreachable during the outage ${during:-none}; flows of seconds 7-11 at the collector: $late"
grep -m1 'for now' "$WORK/pf.log"
[ "$rc" = 0 ] || { bad "picoflow exited $rc"; cat "$WORK/pf.log"; }
[ "${during:-0}" -gt 0 ] || bad "SIGUSR1 stats during the outage show nothing unreachable"
[ "$late" = "50 150" ] || bad "after the route came: want 50 flows 150 packets"
[ $fail = 0 ] && echo "PASS: no route, then back"
exit $fail
