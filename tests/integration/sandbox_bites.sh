#!/usr/bin/env bash
# The sandbox bites: a forbidden system call made after start-up kills
# the probe with SIGSYS.  A test shim (sandbox_shim.c, preloaded; nothing
# in picoflow can be made to do this from the network or the command
# line) makes it from inside the first sendmmsg() of a -r run exporting
# to a receiver on 127.0.0.1:
#   - openat("/etc/shadow") and execve("/bin/sh"): exit status 159
#     (128 + SIGSYS), and the kernel log names the call (when readable);
#   - the same with --no-sandbox: the file opens (or the shell runs) and
#     leaves a mark, status 0: so it was the filter that killed.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
require_picoflow
require cc python3
grep -q '^Seccomp:' /proc/self/status || skip "this kernel has no seccomp"
"$PICOFLOW" -h | grep -q -- --no-sandbox || skip "picoflow has no sandbox"
ldd "$PICOFLOW" > /dev/null 2>&1 || skip "$PICOFLOW is static: LD_PRELOAD cannot reach it"

SHIM=$WORK/shim.so
cc -shared -fPIC -O1 -o "$SHIM" "$ROOT/tests/integration/sandbox_shim.c" -ldl ||
	{ echo "FAIL: the shim does not build"; exit 1; }
PCAP=$WORK/demo.pcap
python3 "$ROOT/tests/data/mkdemo.py" "$PCAP" > /dev/null ||
	{ echo "FAIL: mkdemo.py"; exit 1; }
sink_start "$WORK/sink.pcap" || exit 1
fail=0
# the kernel's record of the kill: audit type 1326, comm picoflow, the
# call's number; the lines after the first $1 of its log (empty when the
# log cannot be read)
klog() {
	dmesg 2>/dev/null | tail -n "+$(($1 + 1))" | grep 'type=1326' |
	    grep 'comm="picoflow"' | grep -o 'sig=31 .*syscall=[0-9]*' | tail -1
}

for what in open exec; do
	mark=$WORK/mark-$what
	seen=$(dmesg 2>/dev/null | wc -l)
	# --pace 0: no sleeping, the first batch goes out at once
	SANDBOX_SHIM=$what SANDBOX_SHIM_MARK=$mark LD_PRELOAD=$SHIM \
	    run_limited 20 "$PICOFLOW" -r "$PCAP" -n "127.0.0.1:$SINK_PORT" \
	    --pace 0 -d > /dev/null 2> "$WORK/$what.log" &
	pid=$!
	wait "$pid"
	rc=$?
	log=$(klog "$seen")
	if [ "$rc" -ne 159 ]; then
		echo "FAIL: $what: exit status $rc, want 159 (SIGSYS)"
		tail -3 "$WORK/$what.log"
		fail=1
	elif [ -e "$mark" ]; then
		echo "FAIL: $what: the forbidden call returned"
		fail=1
	else
		echo "ok    $what after start-up: killed by SIGSYS${log:+ (kernel log: $log)}"
	fi
	grep -q 'sandboxed (seccomp-bpf)' "$WORK/$what.log" ||
		{ echo "FAIL: $what: no 'sandboxed' line"; fail=1; }

	SANDBOX_SHIM=$what SANDBOX_SHIM_MARK=$mark LD_PRELOAD=$SHIM \
	    run_limited 20 "$PICOFLOW" -r "$PCAP" -n "127.0.0.1:$SINK_PORT" \
	    --pace 0 --no-sandbox -d > /dev/null 2> "$WORK/$what-off.log"
	rc=$?
	if [ "$rc" -ne 0 ] || [ ! -e "$mark" ]; then
		echo "FAIL: $what with --no-sandbox: exit status $rc, mark $(cat "$mark" 2>/dev/null)"
		fail=1
	else
		echo "ok    $what with --no-sandbox: the call came back, exit 0"
	fi
done
sink_stop
[ "$fail" = 0 ] && echo "PASS: a forbidden call after start-up is fatal (SIGSYS)"
exit "$fail"
