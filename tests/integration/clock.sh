#!/usr/bin/env bash
# The live clock, as on a router without a real-time clock: picoflow starts
# with the wall clock 1000 days behind, NTP steps it to the right time, and
# later (a bad server) a day back.  libfaketime moves only picoflow's wall
# clock (its monotonic clock and the kernel's frame stamps are the real
# ones); the host's clock is never touched.  Inside a namespace of its own,
# on its lo:
#   - each packet on lo is counted once (not once sent and once received);
#   - a flow seen before a step reaches nfcapd with the time it had then
#     (1000 days ago), one after it with the new time, and one after the
#     step back a day earlier; each step is followed without a restart;
#   - a flow's duration comes from the frames' kernel stamps: two packets
#     40 ms apart (less than the capture's 50 ms block timeout, so both
#     arrive in one block) last 40 ms, as the sender measured, not 0.
. "$(dirname "$0")/lib.sh"
require_picoflow
require ip nfcapd nfdump python3 readelf
[ "$(id -u)" = 0 ] || skip "needs root for a network namespace"
FAKETIME_LIB=$(find /usr/lib -name libfaketime.so.1 2>/dev/null | head -1)
[ -n "$FAKETIME_LIB" ] || skip "libfaketime is not installed (faketime)"
readelf -d "$PICOFLOW" 2>/dev/null | grep -q NEEDED ||
	skip "$PICOFLOW is static: libfaketime cannot be preloaded"

netns_add NS_T || skip "cannot create a network namespace here"
LIB_NS=$NS_T
ip -n "$NS_T" link set lo up

fail=0
bad() { echo "FAIL: $*"; fail=1; }
DAY=86400

nfcapd_start "$WORK/nf" || exit 1
echo "-1000d" > "$WORK/faketime"
# --no-sandbox: libfaketime opens its timestamp file at every clock read,
# which the seccomp filter (rightly) refuses after start-up
(LD_PRELOAD=$FAKETIME_LIB FAKETIME_TIMESTAMP_FILE=$WORK/faketime \
    FAKETIME_NO_CACHE=1 FAKETIME_DONT_FAKE_MONOTONIC=1 \
    in_ns "$PICOFLOW" -d -i lo -n "127.0.0.1:$NFCAPD_PORT" --no-sandbox \
    -f "not udp port $NFCAPD_PORT") > "$WORK/pf.out" 2> "$WORK/pf.log" &
PF=$!
track "$PF"
wait_started picoflow "$PF" "lo: capturing" "$WORK/pf.log" || exit 1

# send PORT COUNT GAP_S: COUNT datagrams of 100 bytes to 127.0.0.1:PORT,
# GAP_S apart; prints the Unix time of the first and the last send.
send() {
	(in_ns python3 - "$@" <<'EOF'
import socket, sys, time
port, count, gap = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
times = []
for i in range(count):
    if i:
        time.sleep(gap)
    times.append(time.time())
    s.sendto(b"x" * 100, ("127.0.0.1", port))
print("%.6f %.6f" % (times[0], times[-1]))
EOF
	)
}

# step SPEC N: set picoflow's wall clock to SPEC, wait for its Nth step.
step() {
	local i
	echo "$1" > "$WORK/faketime"
	for i in $(seq 1 100); do
		[ "$(grep -c 'wall clock was stepped' "$WORK/pf.log")" -ge "$2" ] &&
		    return 0
		sleep 0.05
	done
	bad "no step noticed within 5 s of the wall clock going to $1"
	return 1
}

read -r a0 _ <<< "$(send 5001 3 0.01)"
step "+0" 1
read -r b0 _ <<< "$(send 5002 3 0.01)"
# (frame stamps are Unix time, so they are checked where the fake wall
# clock is the real one)
read -r d0 d1 <<< "$(send 5004 2 0.04)"
step "-1d" 2
read -r c0 _ <<< "$(send 5003 3 0.01)"
stop_pid "$PF"
untrack "$PF"
nfcapd_stop

grep -q 'wall clock steps 2' "$WORK/pf.log" ||
	bad "stats do not count 2 wall clock steps: $(grep 'clock steps' "$WORK/pf.log")"

# dst port, start (Unix s, ms precision), duration (ms), packets
nfdump -R "$WORK/nf" -q -N -o 'fmt:%dp %ts %td %pkt' 'proto udp' 2>&1 |
	python3 -c '
import sys, calendar, time
for line in sys.stdin:
    f = line.split()
    if len(f) < 5 or not f[0].isdigit():
        continue
    s = calendar.timegm(time.strptime(f[1] + " " + f[2].split(".")[0],
        "%Y-%m-%d %H:%M:%S")) + int(f[2].split(".")[1]) / 1000
    print(f[0], "%.3f" % s, int(round(float(f[3]) * 1000)), f[4])
' > "$WORK/flows.txt"
cat "$WORK/flows.txt"

# check PORT EXPECTED_START WHAT: one record, 3 packets (lo counted once),
# starting within 2 s of EXPECTED_START.
check() {
	local port=$1 want=$2 what=$3 got
	got=$(awk -v p="$port" '$1 == p' "$WORK/flows.txt")
	[ "$(wc -l <<< "$got")" = 1 ] && [ -n "$got" ] ||
		{ bad "$what: want one record to port $port, got: $got"; return; }
	[ "$(awk '{ print $4 }' <<< "$got")" = 3 ] ||
		bad "$what: want 3 packets (each counted once on lo), got: $got"
	awk -v w="$want" '{ d = $2 - w; exit !(d > -2 && d < 2) }' <<< "$got" ||
		bad "$what: want a start at $(date -u -d "@${want%.*}" '+%F %T'), got: $got"
}
check 5001 "$(awk -v t="$a0" -v d=$DAY 'BEGIN { printf "%.3f", t - 1000 * d }')" \
    "flow before the step forward"
check 5002 "$b0" "flow after the step forward"
check 5003 "$(awk -v t="$c0" -v d=$DAY 'BEGIN { printf "%.3f", t - d }')" \
    "flow after the step back"

# the kernel's stamps: the duration the sender measured, to 3 ms
want=$(awk -v a="$d0" -v b="$d1" 'BEGIN { printf "%d", (b - a) * 1000 + 0.5 }')
got=$(awk '$1 == 5004 { print $3 }' "$WORK/flows.txt")
if [ -z "$got" ] || [ $((got - want)) -gt 3 ] || [ $((want - got)) -gt 3 ]; then
	bad "two packets ${want} ms apart: exported duration '${got}' ms"
fi

[ "$fail" = 0 ] || { echo "--- picoflow:"; cat "$WORK/pf.log"; exit 1; }
echo "PASS: lo counted once; steps forward and back followed; frame stamps kept"
