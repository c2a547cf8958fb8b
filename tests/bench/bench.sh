#!/usr/bin/env bash
# make bench: picoflow beside softflowd on the shared benchmark trace.
# Prints figures; never fails on them (targets are in BENCHMARKS.md).
#
#   tests/bench/bench.sh [-q]      -q: skip the slow anchors.sh runs
#
# Environment: BENCH_DIR (default build/bench) holds the 1.1 GB trace,
# built by ../shared/bench/make-bench-trace.sh when missing; RUNS (5)
# alternating timed runs per probe.  Traffic goes to 127.0.0.1 only.
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
NS=
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
ir() {	# ir FILE CMD...: instructions of the whole command under callgrind
	local f=$1
	shift
	valgrind --tool=callgrind --callgrind-out-file="$W/cg.%p" "$@" \
	    > /dev/null 2> "$W/cg.log"
	awk '/^summary:/ {s += $2} END {print s + 0}' "$W"/cg.* && rm -f "$W"/cg.*
}
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
	    "$(marginal "$PF -r @ -m $m -n 127.0.0.1:$PORT --pace 0")"
done
printf '  picoflow -m 400000 --libpcap-reader %s\n' \
    "$(marginal "$PF -r @ -m 400000 -n 127.0.0.1:$PORT --pace 0 --libpcap-reader")"
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
for i in $(seq 1 "$RUNS"); do
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
	for i in $(seq 1 "$RUNS"); do
		# shellcheck disable=SC2086 # cfg is -m's value and flags
		run_wall "$PF" -r "$TRACE" -m $cfg -n 127.0.0.1:"$PORT" --pace 0 >> "$W/grow.t"
	done
	w=$(cut -d' ' -f1 "$W/grow.t" | median)
	# shellcheck disable=SC2086
	read -r ins d1 ll < <(cg_per_packet "" -- "$PF" -r "$TRACE" -m $cfg \
	    -n 127.0.0.1:"$PORT" --pace 0)
	# shellcheck disable=SC2086
	read -r _ _ ll2 < <(cg_per_packet --LL=262144,16,64 -- "$PF" -r "$TRACE" \
	    -m $cfg -n 127.0.0.1:"$PORT" --pace 0)
	printf '  -m %-27s %9s %7s %7s %13s %12.2f\n' \
	    "$(echo "$cfg" | sed 's/ -t.*/, 1 h timeouts/')" "$ins" "$d1" "$ll" \
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
# Every flood packet starts a flow, so the full table evicts one and the
# probe exports a record for each: ~8 times the trace's export datagrams
# per packet.  Timed per packet against the trace at the same table size,
# the two alternating.  Where the datagrams go matters: to the loopback
# sink the sender's system time also pays the sink's receive path and,
# whenever the sink sleeps, its wake-up; on a router the collector is
# another machine.  So, as root, the same runs are repeated in a private
# namespace whose collector route leaves through a veth whose peer is down
# (a permanent neighbour entry, no ARP): the whole UDP/IP send path, then
# the driver drops the datagram where a NIC would send it.
FLOOD_N=1000000
NS_COL=198.18.0.2:2055	# RFC 2544 benchmarking range, inside the namespace
echo
echo "== 4. flood: $FLOOD_N packets, every one a new flow, against the trace; -m 8192 both"
python3 "$ROOT/tests/data/mkflows.py" "$W/flood.pcap" $FLOOD_N > "$W/flood.truth"
"$PF" -r "$W/flood.pcap" -m 8192 -n 127.0.0.1:"$PORT" --pace 0 2> "$W/flood.err"
printf '  flood: %s, %s; accounted %s; truth %s\n' \
    "$(grep -o 'evicted [0-9]*' "$W/flood.err" | head -1)" \
    "$(grep -o 'datagrams [0-9]*' "$W/flood.err" | head -1)" \
    "$(grep -o 'ip [0-9]* ip_bytes [0-9]*' "$W/flood.err")" "$(cat "$W/flood.truth")"

# flood_vs_trace LABEL COLLECTOR [WRAPPER...]: RUNS alternating runs of each
flood_vs_trace() {
	local label=$1 col=$2 i
	shift 2
	: > "$W/ft.t"
	: > "$W/ff.t"
	for i in $(seq 1 "$RUNS"); do
		run_wall "$@" "$PF" -r "$TRACE" -m 8192 -n "$col" --pace 0 >> "$W/ft.t"
		run_wall "$@" "$PF" -r "$W/flood.pcap" -m 8192 -n "$col" --pace 0 >> "$W/ff.t"
	done
	awk -v tw="$(cut -d' ' -f1 "$W/ft.t" | median)" \
	    -v fw="$(cut -d' ' -f1 "$W/ff.t" | median)" \
	    -v tr="$(cut -d' ' -f2 "$W/ft.t" | sort -n | tail -1)" \
	    -v fr="$(cut -d' ' -f2 "$W/ff.t" | sort -n | tail -1)" \
	    -v tn="$frames" -v fn="$FLOOD_N" -v l="$label" 'BEGIN {
		t = tw / tn * 1e9; f = fw / fn * 1e9
		printf "  %s:\n", l
		printf "    trace %.3f s = %3.0f ns a packet (%.2f M/s), peak RSS %d KiB\n", tw, t, tn / tw / 1e6, tr
		printf "    flood %.3f s = %3.0f ns a packet (%.2f M/s), peak RSS %d KiB\n", fw, f, fn / fw / 1e6, fr
		printf "    a flood packet costs %.2fx a trace packet (target: within 2x)\n", f / t
	}'
}
flood_vs_trace "exporting to the loopback sink (medians of $RUNS)" "127.0.0.1:$PORT"
if [ "$(id -u)" = 0 ] && command -v ip > /dev/null; then
	NS=pf-bench-$$
	if ip netns add "$NS" 2> /dev/null &&
	    ip -n "$NS" link set lo up &&
	    ip -n "$NS" link add v0 type veth peer name v1 &&
	    ip -n "$NS" link set v0 up &&
	    ip -n "$NS" addr add 198.18.0.1/24 dev v0 &&
	    ip -n "$NS" neigh add "${NS_COL%:*}" lladdr 02:00:00:00:00:02 \
	    dev v0 nud permanent; then
		flood_vs_trace "exporting out of an interface, as on a router (namespace $NS)" \
		    "$NS_COL" ip netns exec "$NS"
	else
		echo "  router-like figure skipped: could not set up namespace $NS"
	fi
else
	echo "  router-like figure skipped: needs root and ip(8) for a network namespace"
fi
if [ $have_sfd = 1 ]; then
	: > "$W/sff.t"
	: > "$W/pff.t"
	for _ in $(seq 1 "$RUNS"); do
		run_wall softflowd -d -c none -m 8192 -p "$W/sfd.pid" \
		    -r "$W/flood.pcap" -n 127.0.0.1:"$PORT" -v 9 >> "$W/sff.t"
		run_wall "$PF" -r "$W/flood.pcap" -m 8192 -n 127.0.0.1:"$PORT" \
		    --pace 0 >> "$W/pff.t"
	done
	sf_w=$(cut -d' ' -f1 "$W/sff.t" | median)
	pf_w=$(cut -d' ' -f1 "$W/pff.t" | median)
	printf '  flood, loopback sink: softflowd -m 8192 %.3f s (%.2f M/s), picoflow %.3f s (%.2f M/s): %.2fx\n' \
	    "$sf_w" "$(awk -v w="$sf_w" -v n=$FLOOD_N 'BEGIN {print n / w / 1e6}')" \
	    "$pf_w" "$(awk -v w="$pf_w" -v n=$FLOOD_N 'BEGIN {print n / w / 1e6}')" \
	    "$(awk -v a="$sf_w" -v b="$pf_w" 'BEGIN {print a / b}')"
fi

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
