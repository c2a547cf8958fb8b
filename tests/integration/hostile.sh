#!/bin/bash
# Hostile captures ($SHARED/pcaps/hostile: fuzzer crashes, truncations,
# impossible lengths, odd link types) through the sanitizer build of the
# probe, then a subset through the plain build under valgrind.
#
#   build/san/picoflow -r FILE -n 127.0.0.1:PORT --app-info
#                        (ASan + UBSan, 10 s limit; --app-info, so the name
#                        parsers and the TCP analysis see them too, where
#                        the build has it)
#     ok    exit 0
#     ok    exit 1 with an error line on stderr (unsupported link type,
#           unreadable capture, ...): the line is shown in the table
#     FAIL  any sanitizer report (AddressSanitizer, LeakSanitizer,
#           "runtime error:"), death by a signal, the time limit, any other
#           exit status, or exit 1 without a message
#   valgrind --error-exitcode=99 --leak-check=full ./picoflow ... on about
#   ten of the files (skipped, and said so, without valgrind):
#     FAIL  exit 99 (memcheck errors), a signal, or the time limit
#
# The receiver on PORT is a python UDP sink (lib.sh), so sending works like
# in real life. The table also shows the truth's IP packets beside the "ip"
# count of the probe's stats line (information only: hostile captures are
# where decoders legitimately disagree).
# Skips (exit 77) when $SHARED/pcaps/hostile is absent.
# Env: PICOFLOW, PICOFLOW_SAN, PICOFLOW_SHARED, HOSTILE_SECS (default 10),
#      HOSTILE_VG_FILES (default 10), KEEP_WORK=1.
set -u
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

DIR=$SHARED/pcaps/hostile
[ -d "$DIR" ] || skip "no captures: $DIR is absent (set PICOFLOW_SHARED)"
require python3 timeout
[ -x "$PICOFLOW_SAN" ] || skip "$PICOFLOW_SAN is not built (make build/san/picoflow)"
LIMIT=${HOSTILE_SECS:-10}
VG_FILES=${HOSTILE_VG_FILES:-10}

files=()
for f in "$DIR"/*; do
	case $f in *.pcap|*.pcapng|*.cap) [ -f "$f" ] && files+=("$f") ;; esac
done
[ "${#files[@]}" -gt 0 ] || skip "no captures in $DIR"

# Truth for every file in one python process (IP packets, or "err").
truth=$WORK/truth
python3 - "$SHARED/bench" "${files[@]}" > "$truth" <<'EOF' || true
import struct, sys
sys.path.insert(0, sys.argv[1])
import pcap_truth
for path in sys.argv[2:]:
    t = pcap_truth.Truth()
    try:
        for lt, ts, buf, wl in pcap_truth.read_packets(path):
            t.packet(lt, ts, buf, wl)
    except (ValueError, struct.error):
        pass
    print(path.rsplit('/', 1)[-1], t.result().get('ip_packets', 0))
EOF
truth_of() { awk -v f="$1" '$1 == f { print $2; exit }' "$truth"; }

sink_start "$WORK/sink.pcap" || exit 1
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=86
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:exitcode=87
SAN_RE='ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:|SUMMARY: [A-Za-z]*Sanitizer'

# the probe's stats line: "picoflow: packets N ip N ..." -> value of $2
stat_of() {
	sed -n 's/^picoflow: packets .*/&/p' "$1" | tail -1 |
	    awk -v k="$2" '{ for (i = 2; i < NF; i += 2) if ($i == k) { print $(i + 1); exit } }'
}

# error line worth showing: last stderr line that is not the stats line,
# with the capture's folder left out
err_line() {
	grep -v -e '^picoflow: packets ' -e '^[[:space:]]*$' "$1" | tail -1 |
	    sed "s|$DIR/||g" | cut -c1-90
}

printf '%-50s %4s %6s %7s %7s  %-4s  %s\n' capture rc secs truth_ip probe_ip res note
n=0 nok=0 nerr1=0 nfail=0
APP=
"$PICOFLOW_SAN" --help 2>&1 | grep -q -- --app-info && APP=--app-info
failed=()
err1_file=''
for f in "${files[@]}"; do
	n=$((n + 1))
	b=$(basename "$f")
	log=$WORK/$n.err
	t0=$(date +%s%N)
	# shellcheck disable=SC2086 # APP is one flag or none
	run_limited "$LIMIT" "$PICOFLOW_SAN" -r "$f" -n "127.0.0.1:$SINK_PORT" \
	    $APP > "$WORK/$n.out" 2> "$log"
	rc=$?
	t1=$(date +%s%N)
	secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", (b - a) / 1e9 }')
	res=ok note=
	if grep -Eq "$SAN_RE" "$log"; then
		res=FAIL note="sanitizer: $(grep -Em1 "$SAN_RE" "$log" | cut -c1-60)"
	elif [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
		res=FAIL note="timeout after ${LIMIT}s"
	elif [ "$rc" -gt 128 ]; then
		res=FAIL note="killed by signal $((rc - 128))"
	elif [ "$rc" -eq 86 ] || [ "$rc" -eq 87 ]; then
		res=FAIL note="sanitizer exit $rc"
	elif [ "$rc" -eq 1 ]; then
		note=$(err_line "$log")
		if [ -n "$note" ]; then
			nerr1=$((nerr1 + 1))
			[ -n "$err1_file" ] || err1_file=$f
		else
			res=FAIL note="exit 1 without an error message"
		fi
	elif [ "$rc" -ne 0 ]; then
		res=FAIL note="exit $rc: $(err_line "$log")"
	fi
	if [ "$res" = ok ]; then
		nok=$((nok + 1))
	else
		nfail=$((nfail + 1))
		failed+=("$n:$b")
	fi
	pip=$(stat_of "$log" ip)
	printf '%-50s %4s %6s %7s %7s  %-4s  %s\n' "${b:0:50}" "$rc" "$secs" \
	    "$(truth_of "$b")" "${pip:--}" "$res" "$note"
done
sink_stop

echo
echo "sanitizer run: $n files: $nok ok ($nerr1 of them exit 1 with a message), $nfail FAIL"
for x in "${failed[@]}"; do
	i=${x%%:*}
	echo "--- ${x#*:} (stderr, first 25 lines)"
	head -25 "$WORK/$i.err"
done

# valgrind on a spread-out subset of the plain build, plus the first file
# that ended in an error (exit 1), for the error path
vg_fail=0 vg_n=0
if ! command -v valgrind > /dev/null 2>&1; then
	echo "valgrind: SKIP (valgrind is not installed)"
elif [ ! -x "$PICOFLOW" ]; then
	echo "valgrind: SKIP ($PICOFLOW is not built)"
else
	sink_start "$WORK/sink2.pcap" || exit 1
	step=$(( (${#files[@]} + VG_FILES - 1) / VG_FILES ))
	[ "$step" -ge 1 ] || step=1
	vg=()
	for ((i = 0; i < ${#files[@]}; i += step)); do
		vg+=("${files[$i]}")
	done
	[ -z "$err1_file" ] || vg+=("$err1_file")
	echo
	printf '%-50s %4s %6s  %-4s  %s\n' "valgrind memcheck (plain build)" rc secs res note
	for i in "${!vg[@]}"; do
		f=${vg[$i]}
		b=$(basename "$f")
		vg_n=$((vg_n + 1))
		log=$WORK/vg.$i.log
		t0=$(date +%s%N)
		# --no-sandbox: valgrind makes calls of its own (gettid,
		# rt_sigprocmask...) that the seccomp filter refuses
		run_limited 120 valgrind --tool=memcheck --error-exitcode=99 \
		    --leak-check=full --log-file="$log" \
		    "$PICOFLOW" -r "$f" -n "127.0.0.1:$SINK_PORT" --no-sandbox \
		    > /dev/null 2> "$WORK/vg.$i.err"
		rc=$?
		t1=$(date +%s%N)
		secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", (b - a) / 1e9 }')
		errs=$(sed -n 's/.*ERROR SUMMARY: \([0-9]*\) errors.*/\1/p' "$log" | tail -1)
		res=ok note="${errs:-?} errors"
		if [ "$rc" -eq 99 ] || [ "${errs:-0}" != 0 ]; then
			res=FAIL
		elif [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
			res=FAIL note="timeout after 120s"
		elif [ "$rc" -gt 128 ]; then
			res=FAIL note="killed by signal $((rc - 128))"
		elif [ "$rc" -ne 0 ] && [ "$rc" -ne 1 ]; then
			res=FAIL note="exit $rc"
		fi
		printf '%-50s %4s %6s  %-4s  %s\n' "${b:0:50}" "$rc" "$secs" "$res" "$note"
		if [ "$res" = FAIL ]; then
			vg_fail=$((vg_fail + 1))
			sed -n '/Command:/,$p' "$log" | sed 1d | head -40
		fi
	done
	sink_stop
	echo "valgrind run: $vg_n files, $((vg_n - vg_fail)) ok, $vg_fail FAIL"
fi

echo
echo "hostile: $((nfail + vg_fail)) failures ($nfail sanitizer run, $vg_fail valgrind run)"
[ "$nfail" -eq 0 ] && [ "$vg_fail" -eq 0 ]
