#!/usr/bin/env bash
# make bench: picoflow beside softflowd on the shared benchmark trace, and
# --app-info beside ndpiReader (section 7: tests/bench/appinfo_bench.sh).
# Prints figures; never fails on them (targets are in BENCHMARKS.md).
#
#   tests/bench/bench.sh [-q]      -q: skip the slow anchors.sh runs
#
# Environment: BENCH_DIR (default build/bench) holds the 1.1 GB trace,
# built by ../shared/bench/make-bench-trace.sh when missing; RUNS (5)
# alternating timed runs per probe.  Traffic goes to 127.0.0.1 only, and
# as root (section 4) to a veth in a private network namespace that drops it.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SHARED=${PICOFLOW_SHARED:-$ROOT/../shared}
BENCH_DIR=${BENCH_DIR:-$ROOT/build/bench}
RUNS=${RUNS:-5}
PF=$ROOT/picoflow
quick=0
[ "${1:-}" = -q ] && quick=1
export LC_ALL=C

[ -x "$PF" ] || { echo "bench: build picoflow first (make)" >&2; exit 1; }
[ -d "$SHARED/bench" ] || { echo "bench: $SHARED/bench is absent" >&2; exit 1; }
for t in python3 valgrind editcap; do
	command -v $t >/dev/null || { echo "bench: $t is not installed" >&2; exit 1; }
done
have_sfd=0
command -v softflowd >/dev/null && have_sfd=1
mkdir -p "$BENCH_DIR"
TRACE=$BENCH_DIR/bench.pcap
if [ ! -s "$TRACE" ]; then
	echo "== building the benchmark trace (about 30 s, 1.1 GB)"
	"$SHARED/bench/make-bench-trace.sh" "$TRACE" > "$BENCH_DIR/trace.log" 2>&1 ||
	    { cat "$BENCH_DIR/trace.log"; exit 1; }
fi
W=$(mktemp -d "${TMPDIR:-/tmp}/pfbench.XXXXXX")
SINK=
NS=	# section 4's network namespace, once created
cleanup() {
	[ -n "$SINK" ] && kill "$SINK" 2>/dev/null && wait "$SINK" 2>/dev/null
	[ -n "$NS" ] && ip netns del "$NS" 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT

# A receiver that reads and drops datagrams, with a large buffer.
PORT=$(python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 << 20)
s.bind(("127.0.0.1", int(sys.argv[1])))
while True:
    s.recv(65535)' "$PORT" &
SINK=$!
sleep 0.3

frames=$(capinfos -M -c "$TRACE" 2>/dev/null | awk -F': *' '/Number of packets/ {print $2}')
echo "== trace: $TRACE, $frames frames"
echo "== machine: $(nproc) cores, $(awk '/model name/ {$1=$2=$3=""; print; exit}' /proc/cpuinfo)"
echo "== picoflow: $("$PF" -V), $(size -A "$PF" | awk '/^Total/ {print $2}') bytes unstripped"

# --- 1. instructions per packet (callgrind), marginal 100k -> 200k ---------
editcap -r "$TRACE" "$W/s100k.pcap" 1-100000 2>/dev/null
editcap -r "$TRACE" "$W/s200k.pcap" 1-200000 2>/dev/null
# picoflow under valgrind runs with --no-sandbox: valgrind makes calls of
# its own that the seccomp filter refuses, and the filter, in the kernel,
# adds no instruction a packet anyway (BENCHMARKS.md).
ir() {	# ir FILE CMD...: instructions of the whole command under callgrind
	local f=$1
	shift
	valgrind --tool=callgrind --callgrind-out-file="$W/cg.%p" "$@" \
	    > /dev/null 2> "$W/cg.log"
	awk '/^summary:/ {s += $2} END {print s + 0}' "$W"/cg.* && rm -f "$W"/cg.*
}
# shellcheck disable=SC2086 # the template is split into words on purpose
marginal() {	# marginal CMD-TEMPLATE (with @ for the capture)
	local a b
	a=$(ir x ${1//@/$W/s100k.pcap})
	b=$(ir x ${1//@/$W/s200k.pcap})
	awk -v a="$a" -v b="$b" 'BEGIN {printf "%.0f", (b - a) / 100000}'
}
echo
echo "== 1. instructions per packet (callgrind; marginal cost, packets 100k..200k)"
for m in 8192 65536 400000; do
	printf '  picoflow -m %-7s %6s\n' "$m" \
	    "$(marginal "$PF -r @ -m $m -n 127.0.0.1:$PORT --pace 0 --no-sandbox")"
done
printf '  picoflow -m 400000 --libpcap-reader %s\n' \
    "$(marginal "$PF -r @ -m 400000 -n 127.0.0.1:$PORT --pace 0 --libpcap-reader --no-sandbox")"
if [ $have_sfd = 1 ]; then
	printf '  softflowd -m 1000000 %9s\n' \
	    "$(marginal "softflowd -d -c none -m 1000000 -p $W/sfd.pid -r @ -n 127.0.0.1:$PORT -v 9")"
fi

# --- 2. throughput, alternating runs, ratio of medians ---------------------
run_wall() {	# wall seconds and peak RSS (KiB) of one command
	python3 "$SHARED/bench/run_probe.py" -- "$@" 2>/dev/null |
	    python3 -c 'import json,sys; r=json.load(sys.stdin); print(r["wall_s"], r["peak_rss_kb"])'
}
echo
echo "== 2. offline throughput on the whole trace, $RUNS alternating runs each"
: > "$W/pf.t"
: > "$W/sf.t"
for _ in $(seq 1 "$RUNS"); do
	run_wall "$PF" -r "$TRACE" -m 400000 -n 127.0.0.1:"$PORT" --pace 0 >> "$W/pf.t"
	[ $have_sfd = 1 ] && run_wall softflowd -d -c none -m 1000000 \
	    -p "$W/sfd.pid" -r "$TRACE" -n 127.0.0.1:"$PORT" -v 9 >> "$W/sf.t"
done
median() { sort -n | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
pf_w=$(cut -d' ' -f1 "$W/pf.t" | median)
pf_rss=$(cut -d' ' -f2 "$W/pf.t" | sort -n | tail -1)
printf '  picoflow : median %.3f s = %.2f M packets/s, peak RSS %d KiB (-m 400000)\n' \
    "$pf_w" "$(awk -v f="$frames" -v w="$pf_w" 'BEGIN {print f / w / 1e6}')" "$pf_rss"
if [ $have_sfd = 1 ]; then
	sf_w=$(cut -d' ' -f1 "$W/sf.t" | median)
	sf_rss=$(cut -d' ' -f2 "$W/sf.t" | sort -n | tail -1)
	printf '  softflowd: median %.3f s = %.2f M packets/s, peak RSS %d KiB\n' \
	    "$sf_w" "$(awk -v f="$frames" -v w="$sf_w" 'BEGIN {print f / w / 1e6}')" "$sf_rss"
	printf '  ratio picoflow/softflowd packets/s: %.2f\n' \
	    "$(awk -v a="$sf_w" -v b="$pf_w" 'BEGIN {print a / b}')"
fi

# --- 2b. how the cost grows with the table -------------------------------
# The whole trace with 8k and 64k flows (the table full, evicting) and with
# every flow held: instructions and simulated cache misses per packet
# (cachegrind, with this machine's cache sizes) next to packets/s.  The
# per-packet work is O(1); what grows with the table is cache misses.
LONG="-t general=1h -t tcp=1h -t tcp.fin=1h -t tcp.rst=1h -t udp=1h -t icmp=1h -t active=1h"
# Units for every flow of the trace at once: 375,552 flows, and an IPv6
# one takes two units (with -m 400000, 4,899 flows were evicted).
ALL=406000
cg_per_packet() {	# [cachegrind option] -- CMD: instructions, D1 and LL
	local opt=$1	# data misses per frame
	shift 2
	# shellcheck disable=SC2086 # opt: one option or none
	valgrind --tool=cachegrind --cache-sim=yes $opt \
	    --cachegrind-out-file="$W/cachegrind.out" "$@" > /dev/null 2>&1
	awk -v f="$frames" '/^summary:/ {
		printf "%6.0f %6.2f %6.3f", $2 / f, ($6 + $9) / f, ($7 + $10) / f
	}' "$W/cachegrind.out"
	rm -f "$W/cachegrind.out"
}
echo
echo "== 2b. cost against table size, whole trace (median of $RUNS runs)"
echo "  misses: simulated data misses per packet, first level and last level;"
echo "  LL: this machine's last-level cache; 256K: a router's 256 KiB L2 as last"
echo "  table                          instr/pkt  D1miss  LLmiss  LLmiss(256K)  M packets/s"
for cfg in "8192" "65536" "$ALL $LONG"; do
	: > "$W/grow.t"
	for _ in $(seq 1 "$RUNS"); do
		# shellcheck disable=SC2086 # cfg is -m's value and flags
		run_wall "$PF" -r "$TRACE" -m $cfg -n 127.0.0.1:"$PORT" --pace 0 >> "$W/grow.t"
	done
	w=$(cut -d' ' -f1 "$W/grow.t" | median)
	# shellcheck disable=SC2086
	read -r ins d1 ll < <(cg_per_packet "" -- "$PF" -r "$TRACE" -m $cfg \
	    -n 127.0.0.1:"$PORT" --pace 0 --no-sandbox)
	# shellcheck disable=SC2086
	read -r _ _ ll2 < <(cg_per_packet --LL=262144,16,64 -- "$PF" -r "$TRACE" \
	    -m $cfg -n 127.0.0.1:"$PORT" --pace 0 --no-sandbox)
	printf '  -m %-27s %9s %7s %7s %13s %12.2f\n' \
	    "${cfg/ -t*/, 1 h timeouts}" "$ins" "$d1" "$ll" \
	    "$ll2" "$(awk -v f="$frames" -v w="$w" 'BEGIN {print f / w / 1e6}')"
done

# --- 3. memory with 8192 flows (RssAnon sampled while it runs) -------------
peak_anon() {	# peak RssAnon and VmHWM (KiB) of a command
	"$@" > /dev/null 2>&1 &
	local pid=$! anon=0 hwm=0 a h
	while kill -0 $pid 2>/dev/null; do
		a=$(awk '/^RssAnon/ {print $2}' /proc/$pid/status 2>/dev/null)
		h=$(awk '/^VmHWM/ {print $2}' /proc/$pid/status 2>/dev/null)
		[ -n "$a" ] && [ "$a" -gt "$anon" ] && anon=$a
		[ -n "$h" ] && [ "$h" -gt "$hwm" ] && hwm=$h
		sleep 0.01
	done
	wait $pid
	echo "$anon $hwm"
}
echo
echo "== 3. memory with an 8192-flow table (whole trace)"
read -r a h < <(peak_anon "$PF" -r "$TRACE" -m 8192 -n 127.0.0.1:"$PORT" --pace 0)
printf '  picoflow -m 8192 : peak RssAnon %5d KiB, peak RSS %5d KiB\n' "$a" "$h"
"$PF" -r "$TRACE" -m 8192 -T -n 127.0.0.1:"$PORT" 2>&1 | sed -n 's/^memory: /    /p'
# shellcheck disable=SC2086 # LONG is a list of flags
read -r a h < <(peak_anon "$PF" -r "$TRACE" -m $ALL $LONG -n 127.0.0.1:"$PORT" --pace 0)
printf '  picoflow -m %d, 1 h timeouts (every flow of the trace held at once):\n' $ALL
printf '                     peak RssAnon %5d KiB, peak RSS %5d KiB\n' "$a" "$h"
# shellcheck disable=SC2086
"$PF" -r "$TRACE" -m $ALL $LONG -n 127.0.0.1:"$PORT" --pace 0 2>&1 |
    awk '/ flows [0-9]+ records/ { for (i = 1; i < NF; i++) if ($i == "flows") f = $(i + 1) }
	/records by end/ { for (i = 1; i < NF; i++) if ($i == "evicted") e = $(i + 1) }
	END { printf "                     flows %s, evicted %s (must be 0)\n", f, e }'
if [ $have_sfd = 1 ]; then
	read -r a h < <(peak_anon softflowd -d -c none -m 8192 -p "$W/sfd.pid" \
	    -r "$TRACE" -n 127.0.0.1:"$PORT" -v 9)
	printf '  softflowd -m 8192: peak RssAnon %5d KiB, peak RSS %5d KiB\n' "$a" "$h"
fi

# --- 4. a random-source flood into a small table ---------------------------
# The target: a flood in which every packet is a new flow, into a small
# table, runs within 2x the time per packet of normal traffic, with memory
# flat, evictions counted and no packet lost from the totals.  So the flood
# and the trace are timed alternately in the same run, -m 8192 both.
#
# Each flood packet ends a record, so the flood sends several times as many
# export datagrams per packet as the trace (about 6x when this was written),
# and where they go moves the ratio.  To 127.0.0.1 the sender's system time also pays the collector's
# receive path (ip_rcv, the socket enqueue) and a wake-up of the sink per
# datagram.  On a router the collector is another machine, so the ratio is
# taken a second time (root only) with the export leaving through a veth in
# a private network namespace: the peer end stays down, a permanent
# neighbour entry spares ARP, and every datagram goes through the whole
# UDP/IP send path before the veth driver drops it (TX dropped).
# 198.18.0.0/15 is the RFC 2544 benchmarking range; nothing leaves the
# namespace.
FLOOD_N=1000000
NS_COLL=198.18.0.2:2055
echo
echo "== 4. flood: 1,000,000 packets, every one a new flow, -m 8192;"
echo "   the trace and the flood alternating, $RUNS runs each"
python3 "$ROOT/tests/data/mkflows.py" "$W/flood.pcap" $FLOOD_N > "$W/flood.truth"
flood_runs() {	# flood_runs TAG COLLECTOR [CMD-PREFIX...]: $W/TAG.trace
	local tag=$1 coll=$2	# and $W/TAG.flood (softflowd: $W/TAG.sfd,
	shift 2			# loopback only), one run_wall line a run
	: > "$W/$tag.trace"
	: > "$W/$tag.flood"
	: > "$W/$tag.sfd"
	for _ in $(seq 1 "$RUNS"); do
		run_wall "$@" "$PF" -r "$TRACE" -m 8192 -n "$coll" --pace 0 \
		    >> "$W/$tag.trace"
		run_wall "$@" "$PF" -r "$W/flood.pcap" -m 8192 -n "$coll" \
		    --pace 0 >> "$W/$tag.flood"
		[ $have_sfd = 1 ] && [ $# = 0 ] && run_wall softflowd -d -c none \
		    -m 8192 -p "$W/sfd.pid" -r "$W/flood.pcap" -n "$coll" -v 9 \
		    >> "$W/$tag.sfd"
	done
}
flood_line() {	# flood_line NAME PACKETS FILE: medians as time and rate
	local w
	w=$(cut -d' ' -f1 "$3" | median)
	printf '    %-16s median %.3f s = %4.0f ns/packet = %5.2f M packets/s, peak RSS %5d KiB\n' \
	    "$1:" "$w" "$(awk -v n="$2" -v w="$w" 'BEGIN {print w / n * 1e9}')" \
	    "$(awk -v n="$2" -v w="$w" 'BEGIN {print n / w / 1e6}')" \
	    "$(cut -d' ' -f2 "$3" | sort -n | tail -1)"
}
flood_ratio() {	# flood_ratio TAG: time per packet, flood over trace
	local t f
	t=$(cut -d' ' -f1 "$W/$1.trace" | median)
	f=$(cut -d' ' -f1 "$W/$1.flood" | median)
	printf '    flood costs %.2f times a trace packet; target within 2x\n' \
	    "$(awk -v t="$t" -v f="$f" -v n="$frames" -v m=$FLOOD_N \
	    'BEGIN {print (f / m) / (t / n)}')"
}

echo "  export to the UDP sink on 127.0.0.1 (the sender also pays the sink's receive path):"
flood_runs lo 127.0.0.1:"$PORT"
flood_line "picoflow trace" "$frames" "$W/lo.trace"
flood_line "picoflow flood" $FLOOD_N "$W/lo.flood"
flood_ratio lo
if [ $have_sfd = 1 ]; then
	flood_line "softflowd flood" $FLOOD_N "$W/lo.sfd"
	printf '    ratio picoflow/softflowd packets/s on the flood: %.2f\n' \
	    "$(awk -v a="$(cut -d' ' -f1 "$W/lo.sfd" | median)" \
	    -v b="$(cut -d' ' -f1 "$W/lo.flood" | median)" 'BEGIN {print a / b}')"
fi

echo "  export leaves through an interface, as on a router: the sending stack's"
echo "  cost only, no collector on this machine (veth in network namespace):"
ns_up() {	# a namespace whose veth sends to $NS_COLL and drops it all
	local ns=pf-bench-$$
	ip netns add "$ns" || return
	NS=$ns	# from here on cleanup() deletes it
	ip -n "$NS" link set lo up &&
	ip -n "$NS" link add v0 type veth peer name v1 &&
	ip -n "$NS" link set v0 up &&
	ip -n "$NS" addr add 198.18.0.1/24 dev v0 &&
	ip -n "$NS" neigh add "${NS_COLL%:*}" lladdr 02:00:00:00:00:02 \
	    dev v0 nud permanent
}
if [ "$(id -u)" != 0 ]; then
	echo "    skipped: the router-like figure needs root (ip netns)"
elif ! command -v ip > /dev/null; then
	echo "    skipped: the router-like figure needs ip (iproute2)"
elif ! ns_up 2> "$W/ns.err"; then
	echo "    skipped: no network namespace: $(head -1 "$W/ns.err")"
# Every datagram must reach the driver, or the figure would leave out
# the cost it is about.
elif ! ip netns exec "$NS" "$PF" -r "$W/flood.pcap" -m 8192 -n "$NS_COLL" \
    --pace 0 2> "$W/ns.check" || ! grep -q ' send_errors 0 ' "$W/ns.check"; then
	echo "    skipped: the export failed in the namespace: $(grep -o 'send_errors [0-9]*' "$W/ns.check" || tail -1 "$W/ns.check")"
else
	flood_runs ns "$NS_COLL" ip netns exec "$NS"
	flood_line "picoflow trace" "$frames" "$W/ns.trace"
	flood_line "picoflow flood" $FLOOD_N "$W/ns.flood"
	flood_ratio ns
	printf '    (flood: %s a run, send_errors 0; the veth dropped %s datagrams in all runs)\n' \
	    "$(grep -o 'datagrams [0-9]*' "$W/ns.check")" \
	    "$(ip netns exec "$NS" cat /sys/class/net/v0/statistics/tx_dropped)"
fi

# The checks, from one more flood run to the sink.
"$PF" -r "$W/flood.pcap" -m 8192 -n 127.0.0.1:"$PORT" --pace 0 2> "$W/flood.err"
acc=$(grep -o 'ip [0-9]* ip_bytes [0-9]*' "$W/flood.err")
truth=$(cat "$W/flood.truth")
same="NOT EQUAL"
[ "${acc#ip }" = "${truth#ip_packets }" ] && same=equal
printf '  peak RSS %d KiB on the flood, %d KiB on the trace (-m 8192 both); %s\n' \
    "$(cut -d' ' -f2 "$W/lo.flood" | sort -n | tail -1)" \
    "$(cut -d' ' -f2 "$W/lo.trace" | sort -n | tail -1)" \
    "$(grep -o 'evicted [0-9]*' "$W/flood.err" | head -1)"
printf '  accounted: %s; truth: %s (%s)\n' "$acc" "$truth" "$same"

# --- 5. exactness and the anchors (slow; skipped with -q) ------------------
if [ $quick = 0 ]; then
	echo
	echo "== 5. anchors.sh (exported flows vs the truth, via nfcapd)"
	"$SHARED/bench/anchors.sh" -n 1 -s 0 "$TRACE" \
	    "$PF -r {PCAP} -n {HOST}:{PORT} -m 400000" 2>&1 | tail -12
fi

echo
echo "== 6. stripped binary size"
strip -o "$W/pf.stripped" "$PF"
printf '  picoflow as built: %d bytes (router builds, as OpenWrt builds them: make cross-check)\n' \
    "$(stat -c %s "$W/pf.stripped")"

# --- 7. --app-info beside ndpiReader (about 1.5 min) -----------------------
"$ROOT/tests/bench/appinfo_bench.sh" "$TRACE"
