#!/bin/bash
# The command line of ./picoflow, black-box:
#   -h and -V exit 0 and print the usage / the version;
#   --check (and -T) with a valid configuration print "configuration OK"
#   and exit 0, and valid spellings of sizes, timeouts, collectors are
#   accepted;
#   every bad value exits 2 with nothing on stdout and one line on stderr
#   naming the flag (typos and softflowd's flags: cli_habits.sh);
#   a capture that cannot be opened exits 1 (or 2) naming the file.
# One line per case; the test fails if any case fails.
# Env: PICOFLOW (binary), KEEP_WORK=1.
set -u
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
require python3 timeout
require_picoflow

PCAP=$WORK/demo.pcap
python3 "$ROOT/tests/data/mkdemo.py" "$PCAP" || { echo "FAIL: mkdemo.py"; exit 1; }
# A port nobody listens on: bad-value cases must not get as far as sending,
# and --check must not send at all.
PORT=$(free_udp_port)
C=127.0.0.1:$PORT
npass=0 nfail=0

res() {	# res ok|FAIL DESC [DETAIL]
	if [ "$1" = ok ]; then
		npass=$((npass + 1))
		printf 'ok    %s\n' "$2"
	else
		nfail=$((nfail + 1))
		printf 'FAIL  %s: %s\n' "$2" "$3"
		printf '        stdout: %s\n' "$(head -c 300 "$WORK/out" | tr '\n' '|')"
		printf '        stderr: %s\n' "$(head -c 300 "$WORK/err" | tr '\n' '|')"
	fi
}

run() {	# run ARGS...: sets RC; output in $WORK/out, $WORK/err
	run_limited 10 "$PICOFLOW" "$@" > "$WORK/out" 2> "$WORK/err" < /dev/null
	RC=$?
}

# good DESC PATTERN ARGS...: exit 0 and PATTERN (ERE) in stdout+stderr
good() {
	local desc=$1 pat=$2
	shift 2
	run "$@"
	if [ "$RC" -ne 0 ]; then
		res FAIL "$desc" "exit $RC, want 0"
	elif ! cat "$WORK/out" "$WORK/err" | grep -Eiq -- "$pat"; then
		res FAIL "$desc" "output does not match /$pat/"
	else
		res ok "$desc"
	fi
}

# bad DESC CODES PATTERN ARGS...: exit status one of CODES ("2" or "1 2"),
# stdout empty, stderr one non-empty line, matching PATTERN (ERE)
bad() {
	local desc=$1 codes=$2 pat=$3 lines first
	shift 3
	run "$@"
	lines=$(grep -c . "$WORK/err")
	first=$(grep -m1 . "$WORK/err")
	case " $codes " in
	*" $RC "*) ;;
	*) res FAIL "$desc" "exit $RC, want ${codes// / or }"; return ;;
	esac
	if [ -s "$WORK/out" ]; then
		res FAIL "$desc" "printed on stdout"
	elif [ "$lines" -ne 1 ]; then
		res FAIL "$desc" "$lines lines on stderr, want one message"
	elif ! printf '%s\n' "$first" | grep -Eq -- "$pat"; then
		res FAIL "$desc" "message does not name /$pat/"
	else
		res ok "$desc"
	fi
}

# --- help, version, configuration check
good "-h prints usage" 'usage' -h
run -h
if grep -q -- '-r' "$WORK/out" && grep -q -- '-n' "$WORK/out"; then
	res ok "-h lists -r and -n on stdout"
else
	res FAIL "-h lists -r and -n on stdout" "not found on stdout"
fi
good "--help prints usage" 'usage' --help
good "-V prints the version" '[0-9]+\.[0-9]+' -V
good "--check: configuration OK" '^configuration OK' --check -r "$PCAP" -n "$C"
good "--no-sandbox accepted" '^configuration OK' --check --no-sandbox -r "$PCAP" -n "$C"
good "-T: configuration OK" '^configuration OK' -T -r "$PCAP" -n "$C"
good "--check with --print only" '^configuration OK' --check -r "$PCAP" --print
good "valid values accepted" '^configuration OK' --check -r "$PCAP" -n "$C" \
    -m 1000 -M 4M -s 10 --sample-mode=random -t tcp=60 -t udp=2m -t active=1h \
    -t tcp.fin=5 -t tcp.rst=5 -t icmp=30 -t general=600 -S 7 -v 9 --mtu 1400 \
    --template-packets 10 --template-secs 30 --pace 1000 --snaplen 128
good "IPv6 collector [::1]:port" '^configuration OK' --check -r "$PCAP" -n "[::1]:$PORT"
good "8 collectors" '^configuration OK' --check -r "$PCAP" -n "$C" -n "$C" -n "$C" \
    -n "$C" -n "$C" -n "$C" -n "$C" -n "$C"
good "-f with a valid filter" '^configuration OK' --check -r "$PCAP" -n "$C" -f 'tcp or udp'

# --- bad values: exit 2, one message naming the flag
bad "-m abc" 2 '-m|max-flows' -r "$PCAP" -n "$C" -m abc
bad "-m 0" 2 '-m|max-flows' -r "$PCAP" -n "$C" -m 0
bad "-m 12x (trailing junk)" 2 '-m|max-flows' -r "$PCAP" -n "$C" -m 12x
bad "-m -5" 2 '-m|max-flows' -r "$PCAP" -n "$C" -m -5
bad "-s 0" 2 '-s|sample' -r "$PCAP" -n "$C" -s 0
bad "-s 99999999999" 2 '-s|sample' -r "$PCAP" -n "$C" -s 99999999999
bad "-s abc" 2 '-s|sample' -r "$PCAP" -n "$C" -s abc
bad "--sample-mode=bogus" 2 'sample-mode' -r "$PCAP" -n "$C" --sample-mode=bogus
bad "-M 12q" 2 '-M|memory' -r "$PCAP" -n "$C" -M 12q
bad "-M abc" 2 '-M|memory' -r "$PCAP" -n "$C" -M abc
bad "-t bogus=5" 2 '-t|timeout' -r "$PCAP" -n "$C" -t bogus=5
bad "-t tcp=x" 2 '-t|timeout' -r "$PCAP" -n "$C" -t tcp=x
bad "-t tcp (no value)" 2 '-t|timeout' -r "$PCAP" -n "$C" -t tcp
bad "-n nohostport" 2 '-n|collector' -r "$PCAP" -n nohostport
bad "-n 127.0.0.1:99999" 2 '-n|collector' -r "$PCAP" -n 127.0.0.1:99999
bad "-n 127.0.0.1:abc" 2 '-n|collector' -r "$PCAP" -n 127.0.0.1:abc
bad "-n [::1:2055 (unclosed bracket)" 2 '-n|collector' -r "$PCAP" -n '[::1:2055'
bad "9 collectors (max 8)" 2 '-n|collector' -r "$PCAP" -n "$C" -n "$C" -n "$C" \
    -n "$C" -n "$C" -n "$C" -n "$C" -n "$C" -n "$C"
bad "-v 7" 2 '-v|version' -r "$PCAP" -n "$C" -v 7
bad "-v 5 -s 20000" 2 '-s|16383' -r "$PCAP" -n "$C" -v 5 -s 20000
bad "-S abc" 2 '-S|source-id' -r "$PCAP" -n "$C" -S abc
bad "--mtu abc" 2 'mtu' -r "$PCAP" -n "$C" --mtu abc
bad "--template-packets abc" 2 'template-packets' -r "$PCAP" -n "$C" --template-packets abc
bad "--template-secs abc" 2 'template-secs' -r "$PCAP" -n "$C" --template-secs abc
bad "--pace abc" 2 'pace' -r "$PCAP" -n "$C" --pace abc
bad "--snaplen abc" 2 'snaplen' -r "$PCAP" -n "$C" --snaplen abc
bad "-f with a bad filter" 2 '-f|filter' -r "$PCAP" -n "$C" -f 'no such ( filter'
bad "unknown short flag -Z" 2 '-Z' -r "$PCAP" -n "$C" -Z
bad "unknown long flag" 2 'no-such-flag' -r "$PCAP" -n "$C" --no-such-flag
bad "missing argument to -m" 2 "-m|max-flows|'m'" -r "$PCAP" -n "$C" -m
bad "both -i and -r" 2 '-i|-r|interface|read' -i lo -r "$PCAP" -n "$C"
bad "neither -i nor -r" 2 '-i|-r|interface|read' -n "$C"
bad "neither -n nor --print" 2 '-n|-P|collector|print' -r "$PCAP"
bad "--nat with -r" 2 '--egress/--nat' --nat -r "$PCAP" -n "$C"
bad "--egress with -r" 2 '--egress/--nat' --egress -r "$PCAP" -n "$C"
bad "--nat with -v 5" 2 '--nat' --nat -v 5 -i lo -n "$C"
bad "--nat with a small --mtu" 2 '--mtu' --nat --mtu 279 -i lo -n "$C"
bad "--offload-flows with -r" 2 '--offload-flows' --offload-flows -r "$PCAP" -n "$C"
bad "--offload-flows=bogus" 2 'expected hw or all' --offload-flows=bogus -i lo -n "$C"
bad "--lookup-rate negative" 2 '--lookup-rate' --lookup-rate -1 -i lo -n "$C"
bad "-r missing file" "1 2" 'no-such-file' -r "$WORK/no-such-file.pcap" -n "$C"
printf 'not a capture\n' > "$WORK/notpcap.pcap"
bad "-r a file that is not a capture" "1 2" 'notpcap' -r "$WORK/notpcap.pcap" -n "$C"

# --- -T reports every problem, not just the first (OpenWrt's init script
# validates its configuration with it), and exits 2
# all NAME PATTERN... ARGS after --: exit 2, nothing on stdout, each
# PATTERN (ERE) on a line of its own on stderr
all() {
	local desc=$1 p miss=''
	shift
	local pats=()
	while [ "$1" != -- ]; do pats+=("$1"); shift; done
	shift
	run "$@"
	for p in "${pats[@]}"; do
		grep -Eq -- "$p" "$WORK/err" || miss="$miss /$p/"
	done
	if [ "$RC" -ne 2 ]; then
		res FAIL "$desc" "exit $RC, want 2"
	elif [ -s "$WORK/out" ]; then
		res FAIL "$desc" "printed on stdout"
	elif [ -n "$miss" ]; then
		res FAIL "$desc" "not reported:$miss"
	else
		res ok "$desc"
	fi
}
all "-T: every bad flag" "-m: '0'" "-s: '0'" "--mtu: '5'.*[0-9]+ to 9000" \
    "-t: 'bogus=1'" "-n: 'nohostport'" "'--nope'" "'stray'" "7 problems" -- \
    -T -r "$PCAP" -m 0 -s 0 --mtu 5 -t bogus=1 -n nohostport --nope stray
all "-T: every setup problem" "filter" "nohost\.invalid" \
    "-m 100000 needs.*expected -m at most" "no-such-file" -- \
    -T -r "$WORK/no-such-file.pcap" -n nohost.invalid:2055 -f 'bad ( filter' \
    -m 100000 -M 1M
if [ "$(id -u)" = 0 ]; then
	good "-T -i lo -n (as root, as OpenWrt runs it)" '^configuration OK' \
	    -T -i lo -n "$C"
	all "-T -i with a missing interface and a bad collector" "nosuch0" \
	    "nohost\.invalid" -- -T -i nosuch0 -n nohost.invalid:2055
	# not -T: a daemon start, stderr a file, so the log goes to syslog;
	# why the start failed must be in the file all the same
	bad "a start on a missing interface says why on stderr" 1 \
	    "nosuch0: no such interface" -i nosuch0 -n "$C"
	good "-T -i lo -M 2M: the package's default budget leaves room for names" \
	    '^configuration OK' -T -i lo -n "$C" -M 2M
else
	echo "skip  -T -i lo (not root)"
fi

echo
echo "cli: $npass ok, $nfail FAIL"
[ "$nfail" -eq 0 ]
