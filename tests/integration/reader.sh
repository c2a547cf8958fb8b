#!/usr/bin/env bash
# The built-in pcap/pcapng reader must see exactly what libpcap's reader
# sees: for every shared capture (real and hostile) the flows printed (-P)
# and the counters must be the same with --libpcap-reader.  Only the time
# columns are left out: libpcap turns time stamps past 2038 (and invalid
# nanosecond fractions) into other times than the file holds.
. "$(dirname "$0")/lib.sh"
require_picoflow
[ -d "$SHARED/pcaps" ] || skip "no captures: $SHARED/pcaps is absent (set PICOFLOW_SHARED)"

n=0 fail=0
for f in "$SHARED"/pcaps/real/* "$SHARED"/pcaps/hostile/*; do
	case $f in *.pcap|*.pcapng) ;; *) continue ;; esac
	n=$((n + 1))
	"$PICOFLOW" -r "$f" -P > "$WORK/a" 2>&1; ra=$?
	"$PICOFLOW" --libpcap-reader -r "$f" -P > "$WORK/b" 2>&1; rb=$?
	if [ $ra != $rb ]; then
		echo "FAIL $(basename "$f"): exit $ra, libpcap reader $rb"
		fail=$((fail + 1))
	elif ! cmp -s <(cut -c34- "$WORK/a") <(cut -c34- "$WORK/b"); then
		echo "FAIL $(basename "$f"): output differs"
		diff <(cut -c34- "$WORK/a") <(cut -c34- "$WORK/b") | head -6
		fail=$((fail + 1))
	fi
done
echo "reader: $n captures, $((n - fail)) same as libpcap's reader, $fail differ"

# Cut short anywhere, a file must end in a clear message, never a crash
# (sanitizer build when there is one).
probe=$PICOFLOW
[ -x "$PICOFLOW_SAN" ] && probe=$PICOFLOW_SAN
ncut=0
for f in "$SHARED/pcaps/real/zeek-pppoe.pcap" "$SHARED/pcaps/real/cs-http_espn.pcapng"; do
	[ -f "$f" ] || continue
	size=$(stat -c %s "$f")
	for cut in 3 23 24 30 40 100 1000 5000 $((size / 2 + 1)) $((size - 1)); do
		[ "$cut" -lt "$size" ] || continue
		head -c "$cut" "$f" > "$WORK/cut"
		ncut=$((ncut + 1))
		ASAN_OPTIONS=exitcode=86 UBSAN_OPTIONS=halt_on_error=1:exitcode=87 \
		    "$probe" -r "$WORK/cut" -P > /dev/null 2> "$WORK/err"
		rc=$?
		if [ $rc -ne 0 ] && { [ $rc -ne 1 ] || ! grep -q "picoflow: " "$WORK/err"; }; then
			echo "FAIL $(basename "$f") cut at $cut: exit $rc"
			head -5 "$WORK/err"
			fail=$((fail + 1))
		fi
	done
done
echo "reader: $ncut truncated files handled"
[ $fail = 0 ]
