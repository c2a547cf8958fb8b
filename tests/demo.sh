#!/bin/bash
# "make demo": picoflow on a small synthetic capture (two minutes of a home
# network: web, DNS, ping, NTP on a VLAN, a PPPoE uplink, IPv6), first
# printed as text, then, when nfcapd and nfdump are installed, exported over
# NetFlow v9 to a temporary nfcapd on 127.0.0.1 and read back with nfdump.
# Run from anywhere; needs ./picoflow (make) and python3.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 1
PICOFLOW=${PICOFLOW:-./picoflow}
PCAP=build/demo.pcap

[ -x "$PICOFLOW" ] || { echo "demo: $PICOFLOW is not built; run make" >&2; exit 1; }
if [ ! -s "$PCAP" ] || [ tests/data/mkdemo.py -nt "$PCAP" ]; then
	mkdir -p build
	python3 tests/data/mkdemo.py "$PCAP" || { echo "demo: mkdemo.py failed" >&2; exit 1; }
fi

echo "== 1. picoflow -r $PCAP --print"
echo "   (each exported flow on stdout; the summary on stderr)"
echo
"$PICOFLOW" -r "$PCAP" --print
rc=$?
[ "$rc" -eq 0 ] || { echo "demo: picoflow exited $rc" >&2; exit 1; }

if ! command -v nfcapd > /dev/null 2>&1 || ! command -v nfdump > /dev/null 2>&1; then
	echo
	echo "== 2. (skipped: install nfdump to see a collector read the export)"
	exit 0
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/picoflow-demo.XXXXXX")
nfpid=''
cleanup() {
	if [ -n "$nfpid" ]; then
		kill -TERM "$nfpid" 2> /dev/null
		wait "$nfpid" 2> /dev/null
	fi
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port=$(python3 -c 'import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])')
mkdir -p "$work/nf"
nfcapd -w "$work/nf" -b 127.0.0.1 -p "$port" -t 3600 > "$work/nfcapd.log" 2>&1 &
nfpid=$!
for _ in $(seq 1 200); do
	grep -q Startup "$work/nfcapd.log" 2> /dev/null && break
	sleep 0.025
done
echo
echo "== 2. picoflow -r $PCAP -n 127.0.0.1:$port   (nfcapd listening there)"
"$PICOFLOW" -r "$PCAP" -n "127.0.0.1:$port" || { echo "demo: picoflow failed" >&2; exit 1; }
sleep 0.5
kill -TERM "$nfpid"
wait "$nfpid" 2> /dev/null
nfpid=''

echo
echo "== 3. what the collector stored (nfdump)"
echo
nfd() {	# nfdump without its trailing summary and timing lines
	echo "\$ nfdump -R DIR $*"
	nfdump -R "$work/nf" "$@" | sed '/^Summary:/,$d'
}
nfd -s ip/bytes -n 5
nfd -s proto/bytes
nfd -s record/bytes -n 5 -o 'fmt:%ts %pr %sap -> %dap %pkt %byt %flg'
echo
nfdump -R "$work/nf" -I | awk -F': ' '
	$1 == "Flows" { f = $2 } $1 == "Packets" { p = $2 } $1 == "Bytes" { b = $2 }
	$1 == "Sequence failures" { s = $2 }
	END { printf "collector total: %s flows, %s packets, %s bytes, %s sequence failures\n", f, p, b, s }'
