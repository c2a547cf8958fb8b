#!/bin/bash
# The quick-start demo works: tests/demo.sh (what "make demo" runs) exits 0,
# part 1 prints at least one line per distinct 5-tuple of the demo capture,
# covering its IPv4, IPv6, VLAN and PPPoE flows, and picoflow's summary line
# counts every frame and every IP packet of it; when nfcapd and nfdump are
# installed, part 3 shows the collector holding every IP packet and byte
# with 0 sequence failures.
# Env: PICOFLOW, KEEP_WORK=1.
set -u
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
require python3 timeout
require_picoflow

out=$WORK/demo.out
PICOFLOW=$PICOFLOW run_limited 60 bash "$ROOT/tests/demo.sh" > "$out" 2>&1
rc=$?
cat "$out"
echo
echo "-----"
fail=0
no() { echo "FAIL: $*"; fail=1; }
[ "$rc" -eq 0 ] || no "tests/demo.sh exited $rc"

# What the demo capture holds (generated the same way, deterministic).
python3 "$ROOT/tests/data/mkdemo.py" "$WORK/demo.pcap" || no "mkdemo.py failed"
read -r frames ip_pk ip_by tuples < <(python3 - "$WORK/demo.pcap" <<'EOF'
import struct, sys
d = open(sys.argv[1], 'rb').read()
off, frames, pk, by = 24, 0, 0, 0
keys = set()
while off + 16 <= len(d):
    n = struct.unpack_from('<I', d, off + 8)[0]
    f = d[off + 16:off + 16 + n]
    off += 16 + n
    frames += 1
    o, et = 14, struct.unpack_from('!H', f, 12)[0]
    if et == 0x8100:
        o, et = 18, struct.unpack_from('!H', f, 16)[0]
    if et == 0x8864:
        ppp = struct.unpack_from('!H', f, o + 6)[0]
        o, et = o + 8, {0x21: 0x800, 0x57: 0x86DD}.get(ppp, 0)
    if et == 0x800:
        ln, proto, a = struct.unpack_from('!H', f, o + 2)[0], f[o + 9], f[o + 12:o + 20]
        l4 = o + (f[o] & 15) * 4
    elif et == 0x86DD:
        ln, proto, a = 40 + struct.unpack_from('!H', f, o + 4)[0], f[o + 6], f[o + 8:o + 40]
        l4 = o + 40
    else:
        continue
    pk, by = pk + 1, by + ln
    keys.add((proto, a, f[l4:l4 + (4 if proto in (6, 17) else 2)]))  # ICMP: type, code
print(frames, pk, by, len(keys))
EOF
)
echo "demo capture: $frames frames, $ip_pk IP packets, $ip_by IP bytes, $tuples distinct 5-tuples"

# Part 1: flow lines (between the "== 1." and "== 2." headers).
part1=$(sed -n '/^== 1\./,/^== 2\./p' "$out")
flows=$(printf '%s\n' "$part1" | grep -cE '([0-9]{1,3}\.){3}[0-9]{1,3}|2001:db8:')
[ "$flows" -ge "${tuples:-1}" ] || no "part 1 shows $flows flow lines, want at least $tuples"
for a in 192.168.1.10 93.184.216.34 10.10.0.20 100.64.7.9 2001:db8:1::10; do
	printf '%s\n' "$part1" | grep -q -- "$a" || no "no flow of $a in the printed flows"
done
stats=$(printf '%s\n' "$part1" | grep -m1 '^picoflow: packets ')
if [ -z "$stats" ]; then
	no "no summary line (picoflow: packets ...) after the printed flows"
else
	echo "summary: $stats"
	printf '%s\n' "$stats" | grep -q " packets $frames " || no "summary does not count $frames frames"
	printf '%s\n' "$stats" | grep -q " ip $ip_pk " || no "summary does not count $ip_pk IP packets"
fi

# Part 3: the collector, when the demo could run one.
if grep -q '^== 3\.' "$out"; then
	tot=$(grep -m1 '^collector total:' "$out")
	want="$ip_pk packets, $ip_by bytes, 0 sequence failures"
	case $tot in
	*"$want"*) echo "collector: $tot" ;;
	*) no "collector line '$tot' does not say '$want'" ;;
	esac
	grep -A3 'nfdump -R DIR -s ip/bytes' "$out" | grep -q 192.168.1.10 ||
	    no "top talkers do not show 192.168.1.10"
else
	echo "note: demo ran without a collector (nfcapd/nfdump not installed)"
fi
[ "$fail" -eq 0 ] && echo "PASS: demo prints flows, the summary and the collector view"
exit "$fail"
