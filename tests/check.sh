#!/bin/bash
# The test runner behind "make check" (which builds everything it runs first).
#
#   tests/check.sh [WORD...]     run all checks, or those whose name contains a WORD
#
# Checks, one line each (PASS / FAIL / SKIP and the name):
#   unit/test_X       build/test_X           (tests/unit/test_X.c, TAP output)
#   unit-san/test_X   build/san/test_X       (ASan + UBSan)
#   valgrind/test_X   build/test_X under valgrind memcheck (SKIP without valgrind)
#   fuzz/T            build/fuzz_T_replay tests/fuzz/corpus/T (T: each
#                     tests/fuzz/fuzz_T.c)
#   fuzz-san/T        build/san/fuzz_T_replay tests/fuzz/corpus/T
#   integration/X     tests/integration/X.sh (exit 77 = SKIP, with its reason)
# A unit test passes when it exits 0 and its TAP output has a plan and no
# "not ok"; anything run with sanitizers also fails on a sanitizer report.
# Each check's output goes to build/check-logs/<name>.log; the tail of it is
# shown when the check fails. The last line is "N passed, N failed, N skipped",
# followed, when anything skipped, by how many skipped for what reason; the
# line above it names them.  Skips for want of the shared captures (../shared
# or $PICOFLOW_SHARED: reasons that say PICOFLOW_SHARED or name a file there)
# are one reason.  The exit status is non-zero when anything failed.
# Env: CHECK_TIMEOUT (seconds per integration script, default 600).
set -u
cd "$(dirname "$0")/.." || exit 2
LOGS=build/check-logs
rm -rf "$LOGS"
mkdir -p "$LOGS"
export LC_ALL=C
SAN_ENV=(ASAN_OPTIONS=detect_leaks=1:abort_on_error=0
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1)
SAN_RE='ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:|SUMMARY: [A-Za-z]*Sanitizer'

npass=0 nfail=0 nskip=0
failed=()
skipped=()	# "REASON<TAB>NAME", one per skipped check
filters=("$@")

selected() {
	local w
	[ "${#filters[@]}" -eq 0 ] && return 0
	for w in "${filters[@]}"; do
		case $1 in *"$w"*) return 0 ;; esac
	done
	return 1
}

result() {	# result PASS|FAIL|SKIP NAME DETAIL
	case $1 in
	PASS) npass=$((npass + 1)) ;;
	FAIL) nfail=$((nfail + 1)); failed+=("$2") ;;
	SKIP) nskip=$((nskip + 1)); skipped+=("$3"$'\t'"$2") ;;
	esac
	printf '%-4s  %-34s %s\n' "$1" "$2" "$3"
	if [ "$1" = FAIL ] && [ -s "$LOGS/$2.log" ]; then
		echo "      --- last lines of $LOGS/$2.log:"
		tail -n 40 "$LOGS/$2.log" | sed 's/^/      | /'
	fi
}

# run_check KIND NAME SECONDS CMD...
#   KIND: plain (exit 0 passes), tap (also needs a TAP plan and no "not ok"),
#   san (also no sanitizer report), tapsan (both), script (77 = SKIP)
run_check() {
	local kind=$1 name=$2 secs=$3 log rc t0 t1 took why
	shift 3
	selected "$name" || return 0
	log=$LOGS/$name.log
	mkdir -p "$(dirname "$log")"
	t0=$(date +%s%N)
	timeout -k 5 "$secs" "$@" > "$log" 2>&1 < /dev/null
	rc=$?
	t1=$(date +%s%N)
	took=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "(%.1fs)", (b - a) / 1e9 }')
	why=
	if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
		why="timed out after ${secs}s"
	elif [ "$kind" = script ] && [ "$rc" -eq 77 ]; then
		result SKIP "$name" "$(grep -m1 '^SKIP' "$log" | sed 's/^SKIP:* *//')"
		return
	elif [ "$rc" -gt 128 ]; then
		why="killed by signal $((rc - 128))"
	elif [ "$rc" -ne 0 ]; then
		why="exit $rc"
	fi
	if [ -z "$why" ] && { [ "$kind" = tap ] || [ "$kind" = tapsan ]; }; then
		if grep -q '^not ok' "$log"; then
			why="$(grep -c '^not ok' "$log") TAP failures"
		elif ! grep -Eq '^1\.\.[0-9]+' "$log"; then
			why="no TAP plan (did the test stop early?)"
		fi
	fi
	if [ -z "$why" ] && { [ "$kind" = san ] || [ "$kind" = tapsan ]; } &&
	    grep -Eq "$SAN_RE" "$log"; then
		why="sanitizer report"
	fi
	if [ -n "$why" ]; then
		result FAIL "$name" "$why $took"
	else
		result PASS "$name" "$took"
	fi
}

missing() {	# missing NAME FILE: the binary make check should have built
	selected "$1" || return 0
	result FAIL "$1" "$2 is not built (run make check)"
}

# make check passes the unit tests and fuzz targets this build has
# (CHECK_UNITS, CHECK_FUZZ): the others (APP_INFO=no has no test_appname,
# QUIC=no no test_quic, ...) are skipped by name.  Run by hand, without
# the lists, every one is expected.
in_build() {	# in_build VAR WORD: WORD is in the list VAR, or VAR is unset
	[ -n "${!1+set}" ] || return 0
	case " ${!1} " in *" $2 "*) return 0 ;; esac
	return 1
}
not_here() {	# not_here NAME...: skip these checks, not in this build
	local n
	for n in "$@"; do
		selected "$n" && result SKIP "$n" \
		    "not in this build (make APP_INFO=no, QUIC=no or NETLINK=none)"
	done
	return 0
}
# Unit tests: plain, sanitized, valgrind.
units=()
for src in tests/unit/test_*.c; do
	[ -e "$src" ] || continue
	b=${src##*/}
	units+=("${b%.c}")
done
[ "${#units[@]}" -gt 0 ] || echo "note: no unit tests (tests/unit/test_*.c)"
have_vg=0
command -v valgrind > /dev/null 2>&1 && have_vg=1
for t in "${units[@]}"; do
	if ! in_build CHECK_UNITS "${t#test_}"; then
		not_here "unit/$t" "unit-san/$t" "valgrind/$t"
		continue
	fi
	if [ -x "build/$t" ]; then
		run_check tap "unit/$t" 120 "build/$t"
	else
		missing "unit/$t" "build/$t"
	fi
	if [ -x "build/san/$t" ]; then
		run_check tapsan "unit-san/$t" 120 env "${SAN_ENV[@]}" "build/san/$t"
	else
		missing "unit-san/$t" "build/san/$t"
	fi
	if [ "$have_vg" = 0 ]; then
		selected "valgrind/$t" && result SKIP "valgrind/$t" "valgrind is not installed"
	elif [ -x "build/$t" ]; then
		run_check tap "valgrind/$t" 300 valgrind -q --error-exitcode=1 \
		    --leak-check=full "build/$t"
	fi
done

# Fuzz corpus replay, plain and sanitized: each target over its own corpus.
for fz in tests/fuzz/fuzz_*.c; do
	t=${fz##*/fuzz_}
	t=${t%.c}
	corpus=tests/fuzz/corpus/$t
	if [ -z "$(ls -A "$corpus" 2>/dev/null)" ]; then
		selected "fuzz/$t" && result SKIP "fuzz/$t" "no corpus files in $corpus"
		continue
	fi
	if ! in_build CHECK_FUZZ "$t"; then
		not_here "fuzz/$t" "fuzz-san/$t"
		continue
	fi
	if [ -x "build/fuzz_${t}_replay" ]; then
		run_check plain "fuzz/$t" 300 "build/fuzz_${t}_replay" "$corpus"
	else
		missing "fuzz/$t" "build/fuzz_${t}_replay"
	fi
	if [ -x "build/san/fuzz_${t}_replay" ]; then
		run_check san "fuzz-san/$t" 300 env "${SAN_ENV[@]}" \
		    "build/san/fuzz_${t}_replay" "$corpus"
	else
		missing "fuzz-san/$t" "build/san/fuzz_${t}_replay"
	fi
done

# Integration scripts.
for s in tests/integration/*.sh; do
	[ -e "$s" ] || continue
	b=$(basename "$s" .sh)
	[ "$b" = lib ] && continue
	run_check script "integration/$b" "${CHECK_TIMEOUT:-600}" bash "$s"
done

# Skips grouped by reason: one line each with the checks, and a short
# "COUNT: REASON" list for the last line.  Every check that wants the shared
# captures says PICOFLOW_SHARED in its reason; those are one group.
SHARED_DIR=${PICOFLOW_SHARED:-../shared}
SHARED_ABS=${PICOFLOW_SHARED:-$PWD/../shared}	# as lib.sh spells it
skip_summary() {
	local line reason
	for line in "${skipped[@]}"; do
		reason=${line%%$'\t'*}
		case $reason in
		*PICOFLOW_SHARED* | *"$SHARED_ABS/"*)
			reason="no shared captures in $SHARED_DIR: set PICOFLOW_SHARED=DIR (docs/testing.md)" ;;
		esac
		printf '%s\t%s\n' "$reason" "${line#*$'\t'}"
	done | sort | awk -F'\t' '
	    $1 != r { if (r != "") print n "\t" r "\t" names; r = $1; n = 0; names = "" }
	    { n++; names = names (names == "" ? "" : " ") $2 }
	    END { if (r != "") print n "\t" r "\t" names }'
}

if [ "$nfail" -gt 0 ]; then
	echo
	echo "failed: ${failed[*]}"
fi
why=''
if [ "$nskip" -gt 0 ]; then
	echo
	while IFS=$'\t' read -r n reason names; do
		echo "skipped $n: $reason: $names"
		why="$why${why:+; }$n: $reason"
	done < <(skip_summary)
fi
echo "$npass passed, $nfail failed, $nskip skipped${why:+ ($why)}"
[ "$nfail" -eq 0 ]
