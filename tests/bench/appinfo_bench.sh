#!/usr/bin/env bash
# make bench, section 7 (issue 18): what --app-info costs, beside
# ndpiReader (nDPI, Debian's libndpi-bin) on the same trace.  Figures only,
# never a verdict.  About 1.5 minutes; bench.sh calls it, or by hand:
#
#   tests/bench/appinfo_bench.sh [TRACE]   (default build/bench/bench.pcap)
#
#   a. instructions per packet (callgrind), marginal cost between the
#      trace's first 100k and 200k packets, as section 1 measures it:
#      picoflow -m 400000 without and with --app-info, and ndpiReader
#      (which writes its CSV)
#   b. the whole trace: wall time and peak RSS (run_probe.py), the same
#      commands (picoflow: the run of median time of 3)
#   c. how many flows each names, on the whole trace: picoflow, the
#      records of its export that carry a name (tshark decodes the export:
#      dns_query, ssl_server_name, http_host); its flows are one-way, so a
#      DNS query and its answer are two; ndpiReader, the flows of its CSV
#      with a server_name_sni (host, SNI or DNS name; its flows are both
#      ways), by the protocol it detected
# Traffic goes to a receiver on 127.0.0.1 only.
set -u
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/../integration/lib.sh"	# WORK, sink_start/sink_stop
TRACE=${1:-$ROOT/build/bench/bench.pcap}
PF=$PICOFLOW
export LC_ALL=C

echo
echo "== 7. --app-info beside ndpiReader (nDPI)"
for t in python3 valgrind editcap tshark; do
	command -v $t > /dev/null || { echo "  skipped: $t is not installed"; exit 0; }
done
[ -s "$TRACE" ] || { echo "  skipped: no trace $TRACE"; exit 0; }
[ -x "$PF" ] || { echo "  skipped: $PF is not built"; exit 0; }
if ! "$PF" --help 2>&1 | grep -q -- '--app-info'; then
	echo "  skipped: this picoflow has no --app-info"
	exit 0
fi
have_ndpi=0
command -v ndpiReader > /dev/null && have_ndpi=1
[ $have_ndpi = 1 ] || echo "  (ndpiReader is not installed: tests/deps.sh test installs libndpi-bin)"

sink_start "$WORK/export.pcap" || exit 0
PORT=$SINK_PORT
editcap -r "$TRACE" "$WORK/s100k.pcap" 1-100000 2> /dev/null
editcap -r "$TRACE" "$WORK/s200k.pcap" 1-200000 2> /dev/null

ir() {	# ir CMD...: instructions of the whole command under callgrind
	valgrind --tool=callgrind --callgrind-out-file="$WORK/cg.%p" "$@" \
	    > /dev/null 2> "$WORK/cg.log"
	awk '/^summary:/ {s += $2} END {print s + 0}' "$WORK"/cg.* && rm -f "$WORK"/cg.*
}
# shellcheck disable=SC2086 # the template is split into words on purpose
marginal() {	# marginal CMD-TEMPLATE (@ for the capture)
	local a b
	a=$(ir ${1//@/$WORK/s100k.pcap})
	b=$(ir ${1//@/$WORK/s200k.pcap})
	awk -v a="$a" -v b="$b" 'BEGIN {printf "%.0f", (b - a) / 100000}'
}
PF_PLAIN="$PF -r @ -m 400000 -n 127.0.0.1:$PORT --pace 0 --no-sandbox"
PF_APP="$PF_PLAIN --app-info"
NDPI="ndpiReader -i @ -C $WORK/ndpi.csv"

echo "  a. instructions per packet (callgrind; marginal cost, packets 100k..200k)"
printf '    picoflow -m 400000             %6s\n' "$(marginal "$PF_PLAIN")"
printf '    picoflow -m 400000 --app-info  %6s\n' "$(marginal "$PF_APP")"
[ $have_ndpi = 1 ] &&
    printf '    ndpiReader -C (CSV)            %6s\n' "$(marginal "$NDPI")"

run_wall() {	# [--log FILE] -- CMD...: wall seconds and peak RSS (KiB)
	python3 "$SHARED/bench/run_probe.py" "$@" 2> /dev/null |
	    python3 -c 'import json,sys; r=json.load(sys.stdin); print(r["wall_s"], r["peak_rss_kb"])'
}
median3() {	# CMD...: the run of median wall time of 3 (with its peak RSS)
	local i
	for i in 1 2 3; do
		run_wall -- "$@"
	done | sort -n | sed -n 2p
}
echo "  b. the whole trace: wall time, peak RSS (picoflow: median of 3 runs; ndpiReader: 1)"
# shellcheck disable=SC2086 # templates split into words
{
	read -r w r < <(median3 ${PF_PLAIN//@/$TRACE})
	printf '    picoflow -m 400000             %7.2f s  %8d KiB\n' "$w" "$r"
	read -r w r < <(median3 ${PF_APP//@/$TRACE})
	printf '    picoflow -m 400000 --app-info  %7.2f s  %8d KiB\n' "$w" "$r"
	read -r w r < <(median3 $PF -r "$TRACE" --app-info -n "127.0.0.1:$PORT" --pace 0)
	printf '    picoflow --app-info (-m 8192)  %7.2f s  %8d KiB\n' "$w" "$r"
	if [ $have_ndpi = 1 ]; then
		read -r w r < <(run_wall --log "$WORK/ndpi.log" -- ${NDPI//@/$TRACE})
		printf '    ndpiReader -C (CSV)            %7.2f s  %8d KiB\n' "$w" "$r"
	fi
}

echo "  c. flows named, whole trace"
sink_stop
sink_start "$WORK/export.pcap" || exit 0
"$PF" -r "$TRACE" -m 400000 --app-info -n "127.0.0.1:$SINK_PORT" --pace 0 \
    2> "$WORK/pf.err" > /dev/null
PORT=$SINK_PORT
sink_stop
tshark -n -r "$WORK/export.pcap" -d "udp.port==$PORT,cflow" -T fields \
    -E occurrence=a -E aggregator=$'\x1f' -e cflow.pie.ntop.dns_query \
    -e cflow.pie.ntop.ssl_server_name -e cflow.pie.ntop.http_host \
    -e cflow.protocol 2> /dev/null |
    python3 -c '
import sys
# each field once per record that has it, joined by 0x1f within a datagram
c = [0, 0, 0]
recs = 0
for line in sys.stdin:
    p = line.rstrip("\n").split("\t")
    p += [""] * (4 - len(p))
    for i in range(3):
        if p[i]:
            c[i] += len(p[i].split("\x1f"))
    if p[3]:
        recs += len(p[3].split("\x1f"))
print("    picoflow: %d flow records, %d with a name: DNS %d, TLS SNI %d, HTTP host %d"
      % (recs, sum(c), c[0], c[1], c[2]))
'
sed -n 's/^picoflow: app-info: /    picoflow says: /p' "$WORK/pf.err"
if [ $have_ndpi = 1 ] && [ -s "$WORK/ndpi.csv" ]; then
	python3 - "$WORK/ndpi.csv" <<'EOF'
import collections, csv, sys
r = csv.reader(open(sys.argv[1], newline='', errors='replace'))
h = next(r)
i, p = h.index('server_name_sni'), h.index('ndpi_proto')
n = named = 0
by = collections.Counter()
for row in r:
    if len(row) <= i:
        continue
    n += 1
    if row[i]:
        named += 1
        # "HTTP.Wikipedia": the first part is the protocol that gave it
        by[row[p].split('.')[0]] += 1
top = ', '.join('%s %d' % kv for kv in by.most_common(6))
print('    ndpiReader: %d flows in its CSV, %d with a name: %s' % (n, named, top))
EOF
	sed -n 's/^[[:space:]]*Unique flows:[[:space:]]*\([0-9]*\).*/    ndpiReader says: unique flows \1 (both ways; its CSV has those it classified or guessed)/p' "$WORK/ndpi.log"
fi
