#!/usr/bin/env bash
# The seccomp sandbox is on after start-up, for each capture mode and flag
# set, and the probe still does its whole job inside it.  Each case starts
# ./picoflow, waits (bounded) until /proc/PID/status says "Seccomp: 2"
# (filter mode) and "NoNewPrivs: 1", sends traffic, asks for the stats
# (SIGUSR1), stops it (SIGTERM) and wants exit status 0 (a refused call
# would have killed it with SIGSYS, status 159) and datagrams at the
# receiver (or flows on stdout with -P).  Live cases run in a network
# namespace of their own, capturing its lo; cases that need conntrack
# (--nat, --offload-flows) are left out, said so, where it cannot answer.
# Cases without -d log to syslog (stderr is not a terminal): that path,
# reconnecting included (no /dev/log here), is inside the filter too.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
require_picoflow
require ip python3
[ "$(id -u)" = 0 ] || skip "needs root for network namespaces"
grep -q '^Seccomp:' /proc/self/status || skip "this kernel has no seccomp"
"$PICOFLOW" -h | grep -q -- --no-sandbox || skip "picoflow has no sandbox"

netns_add NS_A || skip "cannot create a network namespace here"
ip -n "$NS_A" link set lo up
n() { ip netns exec "$NS_A" "$@"; }
CT=0
if n python3 -c 'import socket; socket.socket(16, 3, 12)' 2>/dev/null &&
    n conntrack -L > /dev/null 2>&1; then
	CT=1
	n sysctl -q -w net.netfilter.nf_conntrack_acct=1 2>/dev/null || CT=0
fi

# A capture of 100 UDP packets over 10 s (4 flows), for the replay cases,
# played at its own pace: each case stops it long before its end.
PCAP=$WORK/slow.pcap
python3 - "$PCAP" <<'EOF'
import struct, sys
f = open(sys.argv[1], "wb")
f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 101))
for i in range(100):
    p = struct.pack("!HHHH", 40000 + i % 4, 53, 12, 0) + b"abcd"
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(p), i, 0, 64, 17, 0,
                     bytes([192, 0, 2, 1]), bytes([198, 51, 100, 2]))
    f.write(struct.pack("<IIII", 1700000000 + i // 10, (i % 10) * 100000,
                        len(ip + p), len(ip + p)) + ip + p)
EOF

fail=0
res() {	# res ok|FAIL CASE DETAIL
	printf '%-4s  %-52s %s\n' "$1" "$2" "$3"
	[ "$1" = ok ] || fail=1
}

status_of() { sed -n "s/^$2:[[:space:]]*//p" "/proc/$1/status" 2>/dev/null; }

# until PID's status says Seccomp: 2, up to 5 s; 1 if it never does
wait_seccomp() {
	local _
	for _ in $(seq 1 200); do
		[ "$(status_of "$1" Seccomp)" = 2 ] && return 0
		kill -0 "$1" 2>/dev/null || return 1
		sleep 0.025
	done
	return 1
}

udp_burst() {	# udp_burst: 20 datagrams on the namespace's lo
	n python3 -c '
import socket
for i in range(20):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.sendto(b"x" * (10 + i), ("127.0.0.1", 9000 + i % 4))'
}

# run_case NAME ENV-ASSIGNMENTS -- PICOFLOW-ARGS...: "-n SINK" in the
# arguments is replaced by the receiver's address.
run_case() {
	local name=$1 envs=() args=() a pid rc nnp
	shift
	while [ "$1" != -- ]; do envs+=("$1"); shift; done
	shift
	LIB_NS=$NS_A sink_start "$WORK/$name.pcap" || { res FAIL "$name" "no receiver"; return; }
	for a in "$@"; do
		[ "$a" = SINK ] && a=127.0.0.1:$SINK_PORT
		args+=("$a")
	done
	ip netns exec "$NS_A" env "${envs[@]}" "$PICOFLOW" "${args[@]}" \
	    > "$WORK/$name.out" 2> "$WORK/$name.log" &
	pid=$!
	track "$pid"
	if ! wait_seccomp "$pid"; then
		res FAIL "$name" "no Seccomp: 2 in /proc/$pid/status"
		cat "$WORK/$name.log"
		stop_pid "$pid"; untrack "$pid"; LIB_NS=$NS_A sink_stop
		return
	fi
	nnp=$(status_of "$pid" NoNewPrivs)
	udp_burst
	alive=1
	kill -USR1 "$pid" 2>/dev/null || alive=0
	sleep 0.3	# let the stats be printed; a crash would show below
	kill -TERM "$pid" 2>/dev/null || alive=0
	wait "$pid"
	rc=$?
	untrack "$pid"
	LIB_NS=$NS_A sink_stop
	if [ "$rc" -ne 0 ]; then
		res FAIL "$name" "exit status $rc (159: killed by SIGSYS)"
		tail -5 "$WORK/$name.log"
	elif [ "$alive" = 0 ]; then
		res FAIL "$name" "ended before SIGUSR1 and SIGTERM (too short a run?)"
	elif [ "$nnp" != 1 ]; then
		res FAIL "$name" "NoNewPrivs: $nnp"
	elif [ "${SINK_COUNT:-0}" -eq 0 ] && ! grep -q ' -> ' "$WORK/$name.out"; then
		res FAIL "$name" "nothing exported or printed"
	else
		res ok "$name" "Seccomp 2, exit 0, ${SINK_COUNT:-0} datagrams"
	fi
}

run_case replay PICOFLOW_REPLAY_SPEED=1 -- -r "$PCAP" -n SINK -d
run_case replay-print PICOFLOW_REPLAY_SPEED=1 -- -r "$PCAP" -P --pace 0
run_case replay-libpcap PICOFLOW_REPLAY_SPEED=1 -- -r "$PCAP" -n SINK --libpcap-reader -d
run_case live -- -i lo -n SINK -d
run_case live-syslog -- -i lo -n SINK
run_case live-print -- -i lo -P --pace 0 -d
run_case live-any -- -i any -n SINK -d
run_case live-user -- -i lo -n SINK -u nobody -d
# --egress needs a build with netlink (NETLINK=mnl)
NL=0
n "$PICOFLOW" -T -i lo --egress -n 127.0.0.1:9 > /dev/null 2>&1 && NL=1
if [ "$NL" = 1 ]; then
	run_case live-egress -- -i lo -n SINK --egress -d
else
	echo "note: $PICOFLOW has no netlink (NETLINK=none): --egress, --nat, --offload-flows cases left out"
fi
if [ "$CT" = 1 ] && [ "$NL" = 1 ]; then
	run_case live-nat -- -i lo -n SINK --egress --nat -d
	run_case live-nat-user-syslog -- -i lo -n SINK --egress --nat -u nobody
	run_case live-offload-user PICOFLOW_OFFLOAD_TEST=any -- -i lo -n SINK \
	    --offload-flows=all -u nobody -d
elif [ "$NL" = 1 ]; then
	echo "note: conntrack does not answer here: --nat and --offload-flows cases left out"
fi
# Control: with --no-sandbox the filter is off.
if "$PICOFLOW" -r "$PCAP" -P --no-sandbox > /dev/null 2> "$WORK/off.log" &&
    grep -q 'not sandboxed (--no-sandbox)' "$WORK/off.log"; then
	res ok "--no-sandbox" "says so, runs"
else
	res FAIL "--no-sandbox" "$(cat "$WORK/off.log")"
fi

[ "$fail" = 0 ] && echo "PASS: sandboxed in every mode, and every mode still works"
exit "$fail"
