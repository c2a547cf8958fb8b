#!/bin/bash
# What a typo or a softflowd habit gets, black-box: exit 2, nothing on
# stdout, exactly one line on stderr that names the word typed and says
# what to use instead (docs/softflowd.md has the table):
#   typos: --prnt, -x, -s abc, -t tpc=5 (with or without -r and -n: a
#   missing source or output is not piled on top), --sampel 5 (its value
#   is not reported apart), an ambiguous --t;
#   softflowd's -D -N -6 -p FILE -c SOCK, -T LEVEL, -P PROTO, -n A,B and a
#   trailing filter expression;
# and that softflowd's -d (ours: verbose log) still runs.
# Env: PICOFLOW, KEEP_WORK=1.
set -u
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
require python3 timeout
require_picoflow

PCAP=$WORK/demo.pcap
python3 "$ROOT/tests/data/mkdemo.py" "$PCAP" > /dev/null ||
    { echo "FAIL: mkdemo.py"; exit 1; }
npass=0 nfail=0

# one DESC PATTERN ARGS...: exit 2, empty stdout, one stderr line that
# matches PATTERN (ERE)
one() {
	local desc=$1 pat=$2 rc lines
	shift 2
	run_limited 10 "$PICOFLOW" "$@" > "$WORK/out" 2> "$WORK/err" < /dev/null
	rc=$?
	lines=$(grep -c . "$WORK/err")
	if [ "$rc" -eq 2 ] && [ ! -s "$WORK/out" ] && [ "$lines" -eq 1 ] &&
	    grep -Eq -- "$pat" "$WORK/err"; then
		npass=$((npass + 1))
		printf 'ok    %-34s %s\n' "$desc" "$(cut -c1-100 "$WORK/err")"
	else
		nfail=$((nfail + 1))
		printf 'FAIL  %s: exit %s (want 2), %s stderr lines (want 1), /%s/\n' \
		    "$desc" "$rc" "$lines" "$pat"
		sed 's/^/        stderr: /' "$WORK/err"
		sed 's/^/        stdout: /' "$WORK/out" | head -3
	fi
}

R=(-r "$PCAP")
# typos, alone (no source, no output given) and in a full command line
one "--prnt" "'--prnt': unknown option; did you mean --print\?" --prnt
one "--prnt with -r" "did you mean --print\?" "${R[@]}" --prnt
one "-x" "-x: unknown option" -x
one "-x with -r -P" "-x: unknown option" "${R[@]}" -P -x
one "-s abc" "-s: 'abc': expected a number" -s abc
one "-s abc with -r -P" "-s: 'abc'" "${R[@]}" -P -s abc
one "-t tpc=5" "unknown timeout \(did you mean tcp\?\)" -t tpc=5
one "-t tcp.fn=5 with -r -P" "did you mean tcp.fin\?" "${R[@]}" -P -t tcp.fn=5
one "--sampel 5" "did you mean --sample\?" "${R[@]}" -P --sampel 5
one "--no-promsic" "did you mean --no-promisc\?" "${R[@]}" -P --no-promsic
one "--t 5 (ambiguous)" "'--t': ambiguous" "${R[@]}" -P --t 5

# softflowd's flags and habits
one "-D (softflowd debug)" "-D: not a picoflow flag.*use -d" "${R[@]}" -P -D
one "-N (softflowd no promisc)" "-N: .*--no-promisc" "${R[@]}" -P -N
one "-6 (softflowd IPv6)" "-6: .*always tracks IPv6" "${R[@]}" -P -6
one "-p FILE (pid file)" "-p: .*no pid file" "${R[@]}" -P -p /run/x.pid
one "-c SOCK (control socket)" "-c: .*no control socket.*SIGUSR1" \
    "${R[@]}" -P -c /run/x.ctl
one "-T full (track level)" "-T full: .*-T is --check" "${R[@]}" -P -T full
one "-T proto" "-T proto: .*--check" -T proto "${R[@]}" -P
one "-P udp (transport)" "-P udp: .*-P is --print.*UDP" "${R[@]}" -P udp
one "-P tcp with -n" "-P tcp: " "${R[@]}" -n 127.0.0.1:9 -P tcp
one "-n a:1,b:2 (comma list)" "-n: .*repeat -n" "${R[@]}" -n 127.0.0.1:9,127.0.0.2:9
one "trailing filter" "'port 53 and udp': unexpected arguments.*-f 'port 53 and udp'" \
    "${R[@]}" -P port 53 and udp

# softflowd's -d (stay in the foreground) is our -d: a verbose run
run_limited 20 "$PICOFLOW" "${R[@]}" -P -d > "$WORK/out" 2> "$WORK/err" < /dev/null
rc=$?
if [ "$rc" -eq 0 ] && grep -q '^start (UTC)' "$WORK/out"; then
	npass=$((npass + 1))
	echo "ok    -d runs (verbose log), as softflowd's -d would"
else
	nfail=$((nfail + 1))
	echo "FAIL  -d: exit $rc"
fi

echo
echo "cli_habits: $npass ok, $nfail FAIL"
[ "$nfail" -eq 0 ]
