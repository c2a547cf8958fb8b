#!/usr/bin/env bash
# How many system calls a second the live path makes at 100 kpps, and
# which (BENCHMARKS.md, the sandbox's cost).  As root: two namespaces
# joined by a veth pair; tcpreplay sends the captures afpacket.sh uses at
# 100 kpps from one side, ./picoflow (sandboxed, -d) captures the other
# and exports to a UDP receiver there.  Over SECS seconds (default 5) of
# steady replay: perf stat counts raw_syscalls:sys_enter of the probe
# (without slowing it), then strace -c names the calls (it slows the
# probe, so its total is only a rough mix).  Figures only, never fails on
# them.  Env: PICOFLOW, PICOFLOW_SHARED, SECS.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/../integration/lib.sh"
require_picoflow
require ip tcpreplay perf strace python3
[ "$(id -u)" = 0 ] || skip "needs root for network namespaces"
SECS=${SECS:-5}
PCAPS="$SHARED/pcaps/real/ndpi-netflix.pcap $SHARED/pcaps/real/zeek-pppoe-over-qinq.pcap $SHARED/pcaps/real/sv-bug-4810-pppoe-session-http.pcap"
for p in $PCAPS; do [ -r "$p" ] || skip "$p is absent"; done

netns_add NS_A NS_B || skip "cannot create network namespaces"
ip link add vA netns "$NS_A" type veth peer name vB netns "$NS_B" ||
	skip "cannot create a veth pair"
for ns in "$NS_A" "$NS_B"; do ip -n "$ns" link set lo up; done
ip -n "$NS_A" link set vA up
ip -n "$NS_B" link set vB up
LIB_NS=$NS_B sink_start "$WORK/sink.pcap" || exit 1
ip netns exec "$NS_B" "$PICOFLOW" -i vB -n "127.0.0.1:$SINK_PORT" -d \
    > "$WORK/pf.log" 2>&1 &
PF=$!
track "$PF"
wait_started picoflow "$PF" sandboxed "$WORK/pf.log" || exit 1
# shellcheck disable=SC2086 # a list of files
ip netns exec "$NS_A" tcpreplay -q -i vA --pps=100000 --loop=1000 $PCAPS \
    > "$WORK/tr.log" 2>&1 &
TR=$!
track "$TR"
sleep 1		# past the start of the replay
echo "picoflow: $(sed -n 's/^Seccomp:[[:space:]]*/Seccomp /p' "/proc/$PF/status")"
perf stat -x, -e raw_syscalls:sys_enter -p "$PF" -- sleep "$SECS" \
    2> "$WORK/perf.txt"
n=$(awk -F, '/raw_syscalls/ { print $1 }' "$WORK/perf.txt")
echo "system calls: $n in $SECS s: $((n / SECS)) a second at 100 kpps (perf)"
timeout -s INT "$SECS" strace -c -f -p "$PF" 2> "$WORK/strace.txt" || true
echo "the mix (strace -c over $SECS s; strace slows the probe):"
sed -n '/^% time/,$p' "$WORK/strace.txt"
stop_pid "$TR"
untrack "$TR"
kill -USR1 "$PF"
sleep 0.5
grep -E 'kernel received|packets [0-9]' "$WORK/pf.log" | tail -2
