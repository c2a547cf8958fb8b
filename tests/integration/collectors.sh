#!/bin/bash
# docs/collectors.md's recipes, run as written (recipes.bash says what is
# swapped: addresses, ports, folders, nfcapd's -t): nfcapd and the nfdump
# queries, pmacct's print and SQLite plugins, tshark on a saved export.
# Each collector gets the export of the demo capture (tests/data/mkdemo.py,
# so no ../shared needed) and must hold exactly the packets, bytes and
# records picoflow says it exported.  pmacct's --app-info recipe gets
# sv-tls-tls-subjectaltname.pcap from ../shared (DNS, TLS and HTTP names;
# without ../shared the demo capture, DNS and HTTP only), as IPFIX and as
# v9: its CSV must hold every name and TCP figure picoflow -P prints.
# Also fails when a block in the page is marked neither "recipe" nor "not
# run".  PostgreSQL: collectors_pgsql.sh.
set -u
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/recipes.bash
. "$(dirname "$0")/recipes.bash"

recipes_lint || exit 1
require python3 timeout nfcapd nfdump nfacctd sqlite3 tshark
require_picoflow
PCAP=$WORK/demo.pcap
python3 "$ROOT/tests/data/mkdemo.py" "$PCAP" || { echo "FAIL: mkdemo.py"; exit 1; }

# nfdump -I FIELD: one figure of "nfdump -R DIR -I" (empty before the
# first file is renamed).
nfinfo() {
	nfdump -R "$WORK/nfcapd" -I 2>/dev/null | sed -n "s/^$1: *//p"
}

# csv_sums: packets and bytes summed over the print plugin's files.
csv_sums() {
	python3 - "$WORK"/pmacct/by-proto-*.csv <<'EOF'
import csv, sys
p = b = 0
for name in sys.argv[1:]:
    for row in csv.DictReader(open(name)):
        p += int(row['PACKETS'])
        b += int(row['BYTES'])
print(p, b)
EOF
}

# sqlite_sums: the same from the recipe's second query (ip_proto|packets|bytes).
sqlite_sums() {
	recipe_run sqlite-queries "$WORK/sqlq.out" > /dev/null &&
	    awk -F'|' 'NF == 3 { p += $2; b += $3 } END { print p + 0, b + 0 }' "$WORK/sqlq.out"
}

echo "== nfcapd, then the nfdump queries"
RECIPE_PORT=$(free_udp_port)
recipe_daemon nfcapd "$WORK/nfcapd.out" || exit 1
wait_started nfcapd "$RECIPE_PID" Startup "$WORK/nfcapd.out" || exit 1
probe_export "$PCAP" || exit 1
udp_wait_drained "$RECIPE_PORT"
# The page says nfdump -R sees the flows once nfcapd has renamed its file
# at the end of an interval (-t 2 here); wait for that, nfcapd running.
# shellcheck disable=SC2016 # expanded by the inner shell
timeout 30 bash -c 'until [ -n "$(ls "$1"/nfcapd.2* 2>/dev/null)" ]; do sleep 0.2; done' \
    _ "$WORK/nfcapd" || { echo "FAIL: nfcapd renamed no file in 30 s"; ls -l "$WORK/nfcapd"; exit 1; }
# shellcheck disable=SC2016
timeout 30 bash -c 'until nfdump -R "$1" -I 2>/dev/null | grep -qx "Flows: $2"; do sleep 0.2; done' \
    _ "$WORK/nfcapd" "$EXPECT_RECORDS" || echo "note: the flows are not all in the renamed files yet"
recipe_run nfdump-queries "$WORK/queries.out" || exit 1
recipe_run nfdump-nat "$WORK/nat.out" || exit 1
recipe_stop
same "nfdump flows" "$(nfinfo Flows)" "$EXPECT_RECORDS"
same "nfdump packets" "$(nfinfo Packets)" "$EXPECT_PKTS"
same "nfdump bytes" "$(nfinfo Bytes)" "$EXPECT_BYTES"
same "nfdump sequence failures" "$(nfinfo 'Sequence failures')" 0
grep -q '^Sequence failures: 0$' "$WORK/queries.out" ||
    { echo "FAIL: the queries' nfdump -I did not say 'Sequence failures: 0'"; RECIPE_FAIL=1; }

# pmacct_recipe NAME WHAT SUMS: nfacctd as recipe NAME writes, the export
# goes in, nfacctd stops once its plugin is up; SUMS must give the totals.
pmacct_recipe() {
	RECIPE_PORT=$(free_udp_port)
	recipe_daemon "$1" "$WORK/$1.out" || exit 1
	wait_started nfacctd "$RECIPE_PID" 'waiting for NetFlow' "$WORK/$1.out" || exit 1
	probe_export "$PCAP" || exit 1
	recipe_plugin_up "$WORK/$1.out" || exit 1
	recipe_stop
	settle "$2" "$EXPECT_PKTS $EXPECT_BYTES" "$3"
}

echo "== pmacct, print plugin"
pmacct_recipe pmacct-print "pmacct print packets bytes" csv_sums
echo "== pmacct, SQLite plugin"
pmacct_recipe pmacct-sqlite "sqlite packets bytes" sqlite_sums
cat "$WORK/sqlq.out"

# names_check CSV... : every record picoflow -P prints with a name or a TCP
# figure is a row of the CSV files (same ends, name, type, code, figures),
# and no such row is missing from -P.
names_check() {
	"$PICOFLOW" -r "$NAMES_PCAP" -P --app-info > "$WORK/names.P" 2> /dev/null ||
	    { echo "FAIL: picoflow -P --app-info"; RECIPE_FAIL=1; return; }
	if ! python3 - "$WORK/names.P" "$@" <<'EOF'
import csv, re, sys
def key(src, dst, sp, dp, name, qt, rc, c, s, r, o):
    k = (src, dst, sp, dp, name, qt, rc, c, s, r, o)
    return k if name or any(x != "0" for x in (c, s, r, o)) else None
want = set()
for ln in open(sys.argv[1]):
    m = re.search(r"\s\[?([0-9a-f.:]+?)\]?:(\d+)\s+->\s+\[?([0-9a-f.:]+?)\]?:(\d+)\s", ln)
    if not m:
        continue
    src, sp, dst, dp = m.groups()
    f = dict(re.findall(r"\s(dns|sni|host|qtype|rcode|rtt_client|rtt_server|retrans|ooo)=(\S+)", ln))
    name = f.get("dns") or f.get("sni") or f.get("host") or ""
    k = key(src, dst, sp, dp, name, f.get("qtype", "0"), f.get("rcode", "0"),
            f.get("rtt_client", "0ms")[:-2], f.get("rtt_server", "0ms")[:-2],
            f.get("retrans", "0"), f.get("ooo", "0"))
    if k:
        want.add(k)
got, kinds = set(), [0, 0, 0]
for name in sys.argv[2:]:
    for row in csv.DictReader(open(name)):
        n = [row["dns_query"], row["ssl_server_name"], row["http_host"]]
        for i in range(3):
            kinds[i] += n[i] != ""
        k = key(row["SRC_IP"], row["DST_IP"], row["SRC_PORT"], row["DST_PORT"],
                "".join(n), row["dns_query_type"], row["dns_ret_code"],
                row["client_nw_latency_ms"], row["server_nw_latency_ms"],
                row["retransmitted_in_pkts"], row["ooorder_in_pkts"])
        if k:
            got.add(k)
print("rows with a name: dns_query %d, ssl_server_name %d, http_host %d; "
      "records with a name or a TCP figure: picoflow %d, nfacctd %d"
      % (kinds[0], kinds[1], kinds[2], len(want), len(got)))
for k in sorted(want - got)[:10]:
    print("FAIL: not in the CSV:", k)
for k in sorted(got - want)[:10]:
    print("FAIL: not printed by picoflow:", k)
sys.exit(0 if want and want == got else 1)
EOF
	then
		echo "FAIL: the CSV and picoflow -P differ"
		RECIPE_FAIL=1
	fi
}
names_sums() {
	python3 - "$WORK"/pmacct/names-*.csv <<'EOF'
import csv, sys
p = b = 0
for name in sys.argv[1:]:
    for row in csv.DictReader(open(name)):
        p += int(row['PACKETS'])
        b += int(row['BYTES'])
print(p, b)
EOF
}

# names_recipes: the three recipes as written, for IPFIX and for v9.
names_recipes() {
	# A capture with all three kinds of name when ../shared is there,
	# else the demo capture (DNS and HTTP names only).
	NAMES_PCAP=$SHARED/pcaps/real/sv-tls-tls-subjectaltname.pcap
	if [ ! -r "$NAMES_PCAP" ]; then
		echo "note: $NAMES_PCAP is absent (PICOFLOW_SHARED): the demo capture has no TLS names"
		NAMES_PCAP=$PCAP
	fi
	for v in 10 9; do
		rm -rf "${WORK:?}/pmacct" "${WORK:?}/etc"
		if [ "$v" = 10 ]; then
			recipe_run pmacct-names-ipfix "$WORK/prim.out" > /dev/null || exit 1
		else
			recipe_run pmacct-names-v9 "$WORK/prim.out" > /dev/null || exit 1
		fi
		RECIPE_PORT=$(free_udp_port)
		recipe_daemon pmacct-names "$WORK/names.out" || exit 1
		wait_started nfacctd "$RECIPE_PID" 'waiting for NetFlow' "$WORK/names.out" || exit 1
		probe_export "$NAMES_PCAP" -v "$v" --app-info || exit 1
		recipe_plugin_up "$WORK/names.out" || exit 1
		recipe_stop
		settle "pmacct names -v $v packets bytes" "$EXPECT_PKTS $EXPECT_BYTES" names_sums
		grep -E '^(WARN|ERROR) ' "$WORK/names.out" && { echo "FAIL: nfacctd warned"; RECIPE_FAIL=1; }
		names_check "$WORK"/pmacct/names-*.csv
	done
}

echo "== pmacct, names and TCP quality (--app-info), IPFIX and v9"
NAMES_NOTE=''
if "$PICOFLOW" --help 2>&1 | grep -q -- --app-info; then
	names_recipes
else
	echo "note: picoflow was built without --app-info (APP_INFO=no): its recipes are not run"
	NAMES_NOTE=' but the --app-info ones (APP_INFO=no)'
fi

echo "== tshark on a saved export (IPFIX)"
sink_start "$WORK/export.pcap" || exit 1
RECIPE_PORT=$SINK_PORT
probe_export "$PCAP" -v 10 || exit 1
sink_stop
cd "$WORK" || exit 1
recipe_run tshark-file "$WORK/tshark.out" || exit 1
# fields: od_id srcaddr dstaddr protocol packets octets abstimestart; one
# line a datagram, a field's values comma-separated
sums=$(awk -F'\t' '/^[0-9]/ { n = split($5, a, ","); for (i = 1; i <= n; i++) p += a[i]
	n = split($6, a, ","); for (i = 1; i <= n; i++) b += a[i] } END { print p + 0, b + 0 }' \
    "$WORK/tshark.out")
same "tshark packets bytes" "$sums" "$EXPECT_PKTS $EXPECT_BYTES"

[ "$RECIPE_FAIL" = 0 ] || exit 1
echo "collectors: every recipe ran$NAMES_NOTE; nfdump, pmacct (print, SQLite, --app-info names) and tshark hold what picoflow exported"
