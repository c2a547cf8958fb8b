#!/usr/bin/env bash
# No heap allocation after start-up: valgrind's "total heap usage" count is
# the same for a capture of 5,000 packets and one of 10,000 (every packet a
# new flow, table of 1,024 flows: insertion, eviction, encoding and export
# all run thousands of times), with the built-in reader, with libpcap's,
# with a filter, and with text output.
. "$(dirname "$0")/lib.sh"
require_picoflow
require valgrind python3

python3 "$ROOT/tests/data/mkflows.py" "$WORK/a.pcap" 5000 > /dev/null
python3 "$ROOT/tests/data/mkflows.py" "$WORK/b.pcap" 10000 > /dev/null
sink_start "$WORK/sink.pcap" || exit 1

# --no-sandbox: valgrind makes calls of its own (gettid, rt_sigprocmask...)
# that the seccomp filter refuses
allocs() {
	valgrind "$PICOFLOW" "$@" -m 1024 -n "127.0.0.1:$SINK_PORT" --no-sandbox \
	    2>&1 >/dev/null |
	    sed -n 's/.*total heap usage: \([0-9,]*\) allocs.*/\1/p' | tr -d ,
}

fail=0
for mode in "" "--libpcap-reader" "-f udp" "-P"; do
	# shellcheck disable=SC2086 # mode is a list of flags
	a=$(allocs $mode -r "$WORK/a.pcap")
	# shellcheck disable=SC2086
	b=$(allocs $mode -r "$WORK/b.pcap")
	if [ -n "$a" ] && [ "$a" = "$b" ]; then
		echo "ok   ${mode:-default}: $a heap allocations for 5,000 and for 10,000 packets"
	else
		echo "FAIL ${mode:-default}: '$a' allocations for 5,000 packets, '$b' for 10,000"
		fail=1
	fi
done
[ $fail = 0 ] && echo "PASS: the packet path never allocates"
exit $fail
