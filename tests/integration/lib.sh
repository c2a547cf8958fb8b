# shellcheck shell=bash disable=SC2034
# (SC2034: the variables set here are read by the tests that source this.)
# Helpers for the integration tests; each test starts with
#   . "$(dirname "$0")/lib.sh"
#
# What it gives:
#   ROOT SHARED PICOFLOW PICOFLOW_SAN WORK   paths (WORK: a scratch folder,
#                        removed at exit unless KEEP_WORK=1)
#   skip REASON          print "SKIP: REASON" and exit 77 (check.sh: SKIP)
#   require CMD...       skip unless every CMD is installed
#   require_picoflow     skip unless ./picoflow is built
#   require_truth        skip unless $SHARED/bench/pcap_truth.py is there
#                        (call it before truth_get: make check must pass
#                        without ../shared)
#   free_udp_port        print a UDP port free on 127.0.0.1 right now
#   track PID            stop PID (TERM, then KILL) when the test exits
#   untrack PID          forget it again (after stopping it yourself)
#   nfcapd_start DIR [PORT]  nfcapd on 127.0.0.1 (on PORT, or a free one)
#                        writing into DIR (foreground process in the
#                        background); sets NFCAPD_PID, NFCAPD_PORT,
#                        NFCAPD_LOG; returns when it listens
#   nfcapd_stop          waits until nfcapd has read every queued datagram,
#                        SIGTERM, wait (it then flushes and closes its file);
#                        sets NFCAPD_SEQERR and NFCAPD_BADPKT from its log
#   sink_start OUT.pcap  a python UDP receiver on 127.0.0.1 that writes every
#                        datagram as an IPv4/UDP packet into OUT.pcap (raw IP
#                        link type, no capture privileges needed); sets
#                        SINK_PID, SINK_PORT
#   sink_stop            drain, SIGTERM, wait; sets SINK_COUNT (datagrams)
#   at_exit CMD          run CMD (a function name, say) at exit, before the
#                        tracked processes are stopped and the namespaces
#                        removed; use this rather than replacing the EXIT trap
#   udp_wait_drained PORT [SECS]   until the socket on PORT has no queued data
#   run_limited SECS CMD...        CMD under timeout(1); 124/137 = too slow
#   truth_get FILE KEY   a figure from pcap_truth.py --json (cached in WORK)
#   nfacctd_start DIR [LINE...]  pmacct nfacctd on 127.0.0.1 (print plugin
#                        by default: DIR/out.csv by ethertype, protocol);
#                        sets NFACCTD_PID, NFACCTD_PORT
#   nfacctd_stop         drain, SIGINT (plugins flush), wait
#   LIB_NS=NAME          run nfcapd_start, sink_start and the port helpers
#                        in network namespace NAME (the test's own)
#   netns_add VAR...     a new network namespace for each VAR, its name
#                        (pf-TEST-PID-X, X being VAR less any NS_ prefix:
#                        unique to the run) put in VAR; 1 if one cannot be
#                        made.  At exit, after the tracked processes are
#                        stopped, whatever still runs in these namespaces is
#                        stopped, their links (veths) deleted, and they are
#                        removed
#   netns_routed NET LEFT RIGHT   a client, a router and a server in three
#                        namespaces (netns_add) NS_C, NS_R, NS_S, joined by
#                        veth pairs: NS_C eth0 NET.1.2/24 = LEFT NET.1.1/24
#                        in NS_R, RIGHT NET.2.1/24 = NS_S eth0 NET.2.2/24;
#                        lo up in each, the client's default route via the
#                        router, which forwards IPv4; the server has no
#                        route beyond its /24 (add one unless the router
#                        masquerades).  Skips the test when the namespaces
#                        or the veths cannot be made
#
# All traffic stays on 127.0.0.1 or inside the test's own namespaces;
# everything started here is stopped by pid.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SHARED=${PICOFLOW_SHARED:-$ROOT/../shared}
PICOFLOW=${PICOFLOW:-$ROOT/picoflow}
PICOFLOW_SAN=${PICOFLOW_SAN:-$ROOT/build/san/picoflow}
export LC_ALL=C TZ=UTC

WORK=$(mktemp -d "${TMPDIR:-/tmp}/picoflow-$(basename "$0" .sh).XXXXXX")
LIB_PIDS='' LIB_AT_EXIT=() LIB_NETNS=()
LIB_NETNS_PREFIX=pf-$(basename "$0" .sh)-$$-
NFCAPD_PID='' NFCAPD_PORT='' NFCAPD_LOG='' NFCAPD_SEQERR='' NFCAPD_BADPKT=''
SINK_PID='' SINK_PORT='' SINK_COUNT='' SINK_LOG=''

track() { LIB_PIDS="$LIB_PIDS $1"; }
# forget a PID once it has been stopped and reaped (PIDs get reused)
# shellcheck disable=SC2086 # split the list on purpose
untrack() { LIB_PIDS=$(printf '%s\n' $LIB_PIDS | grep -vx -- "$1" | tr '\n' ' '); }
at_exit() { LIB_AT_EXIT+=("$1"); }

# Stop one process: TERM, up to 3 s grace, then KILL; always reap it.
stop_pid() {
	local pid=$1 i
	[ -n "$pid" ] || return 0
	if kill -0 "$pid" 2>/dev/null; then
		kill -TERM "$pid" 2>/dev/null
		for i in $(seq 1 30); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$pid" 2>/dev/null
	fi
	wait "$pid" 2>/dev/null
	return 0
}

# The EXIT trap. It does not call exit, so the test's own exit status stands
# (also when a test's trap runs something else first and then lib_cleanup).
# A second Ctrl-C must not cut it short and leave namespaces behind.
lib_cleanup() {
	local pid c
	trap - EXIT
	trap '' INT TERM HUP
	for c in "${LIB_AT_EXIT[@]}"; do
		$c
	done
	for pid in $LIB_PIDS; do
		stop_pid "$pid"
	done
	netns_cleanup
	if [ "${KEEP_WORK:-0}" = 1 ]; then
		echo "work folder kept: $WORK" >&2
	else
		rm -rf "$WORK"
	fi
}
trap lib_cleanup EXIT
trap 'exit 130' INT TERM HUP

skip() {
	echo "SKIP: $*"
	exit 77
}

require() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || skip "$c is not installed"
	done
}

require_picoflow() {
	[ -x "$PICOFLOW" ] || skip "$PICOFLOW is not built (run make)"
}

require_truth() {
	[ -r "$SHARED/bench/pcap_truth.py" ] ||
	    skip "$SHARED/bench/pcap_truth.py is absent (set PICOFLOW_SHARED)"
}

# in_ns CMD...: exec CMD, in $LIB_NS when it is set.  It replaces the
# calling shell, so use it in $(...) or with &: then $! is CMD's own pid
# (ip netns exec keeps it), which stop_pid can signal.
in_ns() {
	if [ -n "${LIB_NS:-}" ]; then
		exec ip netns exec "$LIB_NS" "$@"
	fi
	exec "$@"
}

netns_add() {
	local var ns
	for var in "$@"; do
		ns=$LIB_NETNS_PREFIX${var#NS_}
		ip netns add "$ns" || return 1
		LIB_NETNS+=("$ns")
		printf -v "$var" '%s' "$ns"
	done
}

# Remove what netns_add made.  Processes still in the namespaces (a test's
# untracked ones, or children of tracked ones): TERM, up to 3 s, then KILL.
# Links are deleted one by one (a veth goes with its peer) so that they are
# gone even if something outside still holds a namespace open; then the
# namespaces themselves.
netns_cleanup() {
	local ns i pids link
	[ "${#LIB_NETNS[@]}" -gt 0 ] || return 0
	for i in $(seq 1 30); do
		pids=$(for ns in "${LIB_NETNS[@]}"; do
			ip netns pids "$ns" 2>/dev/null
		done)
		[ -n "$pids" ] || break
		# shellcheck disable=SC2086 # one pid a word
		[ "$i" = 1 ] && kill -TERM $pids 2>/dev/null
		sleep 0.1
	done
	# shellcheck disable=SC2086
	[ -n "$pids" ] && kill -KILL $pids 2>/dev/null
	for ns in "${LIB_NETNS[@]}"; do
		for link in $(ip -n "$ns" -o link show 2>/dev/null |
		    awk -F': ' '{ sub(/@.*/, "", $2) } $2 != "lo" { print $2 }'); do
			ip -n "$ns" link del "$link" 2>/dev/null
		done
		ip netns del "$ns" 2>/dev/null
	done
	LIB_NETNS=()
}

netns_routed() {
	local net=$1 left=$2 right=$3 ns
	netns_add NS_C NS_R NS_S || skip "cannot create network namespaces here"
	if ! ip link add "$left" netns "$NS_R" type veth peer name eth0 \
	    netns "$NS_C" || ! ip link add "$right" netns "$NS_R" type veth \
	    peer name eth0 netns "$NS_S"; then
		skip "cannot create veth pairs here"
	fi
	for ns in "$NS_C" "$NS_R" "$NS_S"; do
		ip -n "$ns" link set lo up
	done
	ip -n "$NS_C" addr add "$net.1.2/24" dev eth0
	ip -n "$NS_C" link set eth0 up
	ip -n "$NS_C" route add default via "$net.1.1"
	ip -n "$NS_S" addr add "$net.2.2/24" dev eth0
	ip -n "$NS_S" link set eth0 up
	ip -n "$NS_R" addr add "$net.1.1/24" dev "$left"
	ip -n "$NS_R" addr add "$net.2.1/24" dev "$right"
	ip -n "$NS_R" link set "$left" up
	ip -n "$NS_R" link set "$right" up
	ip netns exec "$NS_R" sysctl -q -w net.ipv4.ip_forward=1
}

free_udp_port() {
	(in_ns python3 -c 'import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])')
}

# Bytes waiting in the receive queue of the UDP socket bound to 127.0.0.1:PORT
# (from /proc/net/udp; empty if no such socket).
udp_rx_queue() {
	local hex q
	hex=$(printf '0100007F:%04X' "$1")
	# shellcheck disable=SC2016 # an awk program, not shell
	q=$(in_ns awk -v a="$hex" '$2 == a { split($5, q, ":"); print q[2]; exit }' \
	    /proc/net/udp 2>/dev/null)
	[ -n "$q" ] && echo $((16#$q))
}

# Wait (up to SECS, default 10) until the receiver on PORT has read everything.
# Loopback delivery is synchronous, so once the sender has exited every
# datagram is either queued here or already read.
udp_wait_drained() {
	local port=$1 secs=${2:-10} i q
	[ -r /proc/net/udp ] || { sleep 1; return 0; }
	for i in $(seq 1 $((secs * 20))); do
		q=$(udp_rx_queue "$port")
		[ -z "$q" ] || [ "$q" -eq 0 ] && break
		sleep 0.05
	done
	sleep 0.1
}

nfcapd_start() {
	local dir=$1
	mkdir -p "$dir"
	NFCAPD_LOG=$dir.log
	: > "$NFCAPD_LOG"
	NFCAPD_PORT=${2:-$(free_udp_port)}
	# -B: room for the burst a probe sends when it flushes at end of file
	# (the kernel caps it at net.core.rmem_max; nfcapd then logs the size).
	in_ns nfcapd -w "$dir" -b 127.0.0.1 -p "$NFCAPD_PORT" -t 3600 -B 16777216 \
	    > "$NFCAPD_LOG" 2>&1 &
	NFCAPD_PID=$!
	track "$NFCAPD_PID"
	wait_started nfcapd "$NFCAPD_PID" Startup "$NFCAPD_LOG"
}

# wait_started NAME PID PATTERN LOG...: until the first LOG has a line
# matching PATTERN (5 s at most); 1 and the LOGs on stderr if it never does.
wait_started() {
	local name=$1 pid=$2 pat=$3 i
	shift 3
	for i in $(seq 1 200); do
		grep -q "$pat" "$1" 2>/dev/null && return 0
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.025
	done
	echo "$name did not start:" >&2
	cat "$@" >&2 2>/dev/null
	return 1
}

nfcapd_stop() {
	[ -n "$NFCAPD_PID" ] || return 0
	udp_wait_drained "$NFCAPD_PORT"
	stop_pid "$NFCAPD_PID"
	untrack "$NFCAPD_PID"
	NFCAPD_PID=''
	NFCAPD_SEQERR=$(sed -n 's/.*Sequence Errors: \([0-9]*\).*/\1/p' "$NFCAPD_LOG" | tail -1)
	NFCAPD_BADPKT=$(sed -n 's/.*Bad Packets: \([0-9]*\).*/\1/p' "$NFCAPD_LOG" | tail -1)
}

# The receiver: binds 127.0.0.1:0, prints its port on the first line of its
# log, appends each datagram to the pcap at once (flushed), and on SIGTERM
# reads what is still queued and exits, printing the count.
LIB_SINK_PY='
import signal, socket, struct, sys, time
out = sys.argv[1]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16 << 20)
s.bind(("127.0.0.1", 0))
port = s.getsockname()[1]
f = open(out, "wb")
f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 101))
f.flush()
n = 0
stop = False
def on_term(sig, frm):
    global stop
    stop = True
signal.signal(signal.SIGTERM, on_term)
def csum(b):
    v = sum(struct.unpack("!10H", b))
    v = (v & 0xFFFF) + (v >> 16)
    v = (v & 0xFFFF) + (v >> 16)
    return ~v & 0xFFFF
def keep(data, peer):
    global n
    n += 1
    ln = 28 + len(data)
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, ln & 0xFFFF, n & 0xFFFF, 0, 64,
                     17, 0, socket.inet_aton(peer[0]), socket.inet_aton("127.0.0.1"))
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    udp = struct.pack("!HHHH", peer[1], port, (8 + len(data)) & 0xFFFF, 0)
    t = time.time()
    f.write(struct.pack("<IIII", int(t), int((t % 1) * 1e6), ln, ln))
    f.write(ip + udp + data)
    f.flush()
print(port, flush=True)
s.settimeout(0.1)
while not stop:
    try:
        data, peer = s.recvfrom(65535)
    except socket.timeout:
        continue
    except InterruptedError:
        continue
    keep(data, peer)
s.setblocking(False)
while True:
    try:
        data, peer = s.recvfrom(65535)
    except (BlockingIOError, InterruptedError):
        break
    keep(data, peer)
f.close()
print("datagrams", n, flush=True)
'

sink_start() {
	local out=$1 i
	SINK_LOG=$out.log
	# Empty the log here: the background job's own redirection may run
	# after the port is looked for, which would find a previous run's.
	: > "$SINK_LOG"
	in_ns python3 -c "$LIB_SINK_PY" "$out" > "$SINK_LOG" 2>&1 &
	SINK_PID=$!
	track "$SINK_PID"
	for i in $(seq 1 200); do
		SINK_PORT=$(head -1 "$SINK_LOG" 2>/dev/null)
		case $SINK_PORT in [0-9]*) return 0 ;; esac
		kill -0 "$SINK_PID" 2>/dev/null || break
		sleep 0.025
	done
	echo "UDP receiver did not start:" >&2
	cat "$SINK_LOG" >&2
	return 1
}

sink_stop() {
	[ -n "$SINK_PID" ] || return 0
	udp_wait_drained "$SINK_PORT"
	stop_pid "$SINK_PID"
	untrack "$SINK_PID"
	SINK_PID=''
	SINK_COUNT=$(sed -n 's/^datagrams \([0-9]*\)$/\1/p' "$SINK_LOG")
}

run_limited() {
	local secs=$1
	shift
	timeout -k 2 "$secs" "$@"
}

# truth_get FILE KEY: one figure of pcap_truth.py --json FILE (0 if absent).
truth_get() {
	local f=$1 key=$2 j
	j=$WORK/truth.$(basename "$f").json
	if [ ! -r "$SHARED/bench/pcap_truth.py" ]; then
		echo "truth_get: $SHARED/bench/pcap_truth.py is absent (call require_truth first)" >&2
		return 1
	fi
	if [ ! -s "$j" ]; then
		python3 "$SHARED/bench/pcap_truth.py" --json "$f" > "$j" || return 1
	fi
	python3 -c 'import json, sys
print(json.load(open(sys.argv[1])).get(sys.argv[2], 0))' "$j" "$key"
}

# nfacctd_start DIR [CONFIG-LINE...]: pmacct's nfacctd on 127.0.0.1 in the
# foreground (in the background of this shell), its config, log and output
# in DIR; by default the print plugin, aggregated by ethertype and protocol
# into DIR/out.csv when it exits; CONFIG-LINEs replace that (plugins: ...).
# Sets NFACCTD_PID, NFACCTD_PORT, NFACCTD_DIR; returns when it listens.
NFACCTD_PID='' NFACCTD_PORT='' NFACCTD_DIR=''
nfacctd_start() {
	local dir=$1
	shift
	mkdir -p "$dir"
	NFACCTD_DIR=$dir
	NFACCTD_PORT=$(free_udp_port)
	{
		echo "daemonize: false"
		echo "nfacctd_ip: 127.0.0.1"
		echo "nfacctd_port: $NFACCTD_PORT"
		echo "nfacctd_pipe_size: 16777216"
		echo "logfile: $dir/log"
		if [ $# -gt 0 ]; then
			printf '%s\n' "$@"
		else
			echo "plugins: print"
			echo "aggregate: etype, proto"
			echo "print_num_protos: true"
			echo "print_output: csv"
			echo "print_output_file: $dir/out.csv"
			echo "print_refresh_time: 3600"
		fi
	} > "$dir/nfacctd.conf"
	rm -f "$dir/log"	# nfacctd appends: no stale "waiting" line
	nfacctd -f "$dir/nfacctd.conf" > "$dir/stdout" 2>&1 &
	NFACCTD_PID=$!
	track "$NFACCTD_PID"
	wait_started nfacctd "$NFACCTD_PID" 'waiting for NetFlow' \
	    "$dir/log" "$dir/stdout"
}

# nfacctd_stop: drain, SIGINT (its plugins then write what they hold), wait.
nfacctd_stop() {
	local i
	[ -n "$NFACCTD_PID" ] || return 0
	udp_wait_drained "$NFACCTD_PORT"
	kill -INT "$NFACCTD_PID" 2>/dev/null
	for i in $(seq 1 100); do
		kill -0 "$NFACCTD_PID" 2>/dev/null || break
		sleep 0.05
	done
	stop_pid "$NFACCTD_PID"
	untrack "$NFACCTD_PID"
	NFACCTD_PID=''
}
