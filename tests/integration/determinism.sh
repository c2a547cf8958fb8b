#!/usr/bin/env bash
# In -r mode the exported datagrams are a pure function of the capture and
# the flags: two runs, and a run without pacing, must send identical bytes.
# Later work (cross builds under qemu) compares against these bytes too.
. "$(dirname "$0")/lib.sh"
require_picoflow
require python3

files=()
python3 "$ROOT/tests/data/mkdemo.py" "$WORK/demo.pcap" >/dev/null
files+=("$WORK/demo.pcap")
if [ -d "$SHARED/pcaps/real" ]; then
	files+=("$SHARED/pcaps/real/ndpi-alexa-app.pcapng"
	    "$SHARED/pcaps/real/zeek-pppoe-over-qinq.pcap"
	    "$SHARED/pcaps/real/ndpi-quic-mvfst-22.pcap")
else
	echo "note: $SHARED/pcaps absent; only the generated capture is used"
fi

# Payloads of a sink pcap (raw IPv4/UDP records), hashed in order.
digest() {
	python3 -c '
import hashlib, struct, sys
d = open(sys.argv[1], "rb").read()
h = hashlib.sha256(); off = 24; n = 0
while off + 16 <= len(d):
    cap = struct.unpack_from("<I", d, off + 8)[0]
    h.update(d[off + 16 + 28:off + 16 + cap]); off += 16 + cap; n += 1
print(n, h.hexdigest())' "$1"
}

run() {
	local f=$1 out=$2
	shift 2
	sink_start "$out" || return 1
	"$PICOFLOW" -r "$f" -n 127.0.0.1:"$SINK_PORT" "$@" 2>/dev/null || return 1
	sink_stop
	digest "$out"
}

fail=0
for f in "${files[@]}"; do
	d1=$(run "$f" "$WORK/a.pcap") || { echo "FAIL: run 1 on $f"; fail=1; continue; }
	d2=$(run "$f" "$WORK/b.pcap") || { echo "FAIL: run 2 on $f"; fail=1; continue; }
	d3=$(run "$f" "$WORK/c.pcap" --pace 0) || { echo "FAIL: run 3 on $f"; fail=1; continue; }
	if [ "$d1" = "$d2" ] && [ "$d1" = "$d3" ] && [ "${d1%% *}" -gt 0 ]; then
		echo "ok   $(basename "$f"): ${d1%% *} datagrams, sha256 ${d1#* }"
	else
		echo "FAIL $(basename "$f"): '$d1' / '$d2' / '$d3'"
		fail=1
	fi
done
[ $fail = 0 ] && echo "PASS: exports are byte-identical run to run"
exit $fail
