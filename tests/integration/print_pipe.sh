#!/bin/bash
# -P into a pipe is not held back: a capture replayed at its own pace
# (test hook PICOFLOW_REPLAY_SPEED=1) for 10 minutes, one short flow at its
# start that idles out after 1 s (-t udp=1) and then two packets a second
# of another flow (mkfaults.py quiet), is read through a FIFO.  The short
# flow's line must arrive, whole, while picoflow is still running (waited
# for up to 60 s; a block-buffered stdout would hold it until the buffer
# fills, which this capture never does); then SIGTERM ends the run with
# exit 0 and the flow left is printed.
# Env: PICOFLOW, KEEP_WORK=1.
set -u
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
require python3 timeout mkfifo
require_picoflow

python3 "$ROOT/tests/data/mkfaults.py" quiet "$WORK/quiet.pcap" 600 > /dev/null ||
    { echo "FAIL: mkfaults.py"; exit 1; }
mkfifo "$WORK/fifo"
PICOFLOW_REPLAY_SPEED=1 "$PICOFLOW" -r "$WORK/quiet.pcap" -P -t udp=1 \
    > "$WORK/fifo" 2> "$WORK/err" &
pid=$!
track "$pid"
# the reader keeps the FIFO open after the first line, so picoflow's
# later lines do not meet a closed pipe
exec 3< "$WORK/fifo"
first=$(timeout 60 grep -m1 -E '^[0-9-]+ [0-9:.]+ +[0-9.]+ UDP .*:40000 ' <&3)
alive=0
kill -0 "$pid" 2> /dev/null && alive=1
kill -TERM "$pid" 2> /dev/null
cat <&3 > "$WORK/rest"
wait "$pid"
rc=$?
untrack "$pid"
exec 3<&-

fail=0
if [ -z "$first" ]; then
	echo "FAIL: no flow line within 60 s (stdout held in a buffer?)"
	fail=1
elif [ "$alive" != 1 ]; then
	echo "FAIL: the first flow line came only when picoflow had exited"
	fail=1
elif ! printf '%s\n' "$first" | grep -Eq ' [0-9]+ +[0-9]+ idle$'; then
	echo "FAIL: first flow line cut short: $first"
	fail=1
else
	echo "ok    first flow line while picoflow ran: $first"
fi
if [ "$rc" -ne 0 ]; then
	echo "FAIL: SIGTERM: exit $rc (want 0): $(tail -1 "$WORK/err")"
	fail=1
else
	echo "ok    SIGTERM: exit 0, $(grep -c ' flush$' "$WORK/rest") flows printed at exit"
fi
[ "$fail" -eq 0 ]
