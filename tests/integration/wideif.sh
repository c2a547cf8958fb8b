#!/usr/bin/env bash
# Interface indexes over 65535 reach the collector whole.  NetFlow v9
# records carry 2-byte interface fields until a flow needs more; then
# picoflow sends what it has staged, switches to 4-byte fields under new
# templates and goes on.  Two namespaces joined by two veth pairs, one end
# with a small index and one with index 70000 (both made here, removed at
# exit); picoflow captures both ends in namespace B.  UDP crosses the
# small-index link, is exported, then the 70000 link, then the small one
# again.  nfdump must show every packet under the right input interface,
# and no sequence errors.
. "$(dirname "$0")/lib.sh"
require_picoflow
require ip nfcapd nfdump python3
[ "$(id -u)" = 0 ] || skip "needs root for network namespaces"

netns_add NS_A NS_B || skip "cannot create network namespaces here"
ip -n "$NS_B" link add vB index 70000 type veth peer name vA netns "$NS_A" ||
	skip "cannot create a veth pair with index 70000 here"
ip -n "$NS_B" link add vD type veth peer name vC netns "$NS_A" ||
	skip "cannot create a veth pair here"
small=$(ip -n "$NS_B" -o link show vD | cut -d: -f1)
ip -n "$NS_A" addr add 198.18.0.1/24 dev vA
ip -n "$NS_B" addr add 198.18.0.2/24 dev vB
ip -n "$NS_A" addr add 198.18.1.1/24 dev vC
ip -n "$NS_B" addr add 198.18.1.2/24 dev vD
for ns in "$NS_A" "$NS_B"; do
	ip -n "$ns" link set lo up
done
for l in vA vC; do ip -n "$NS_A" link set "$l" up; done
for l in vB vD; do ip -n "$NS_B" link set "$l" up; done

mkdir -p "$WORK/nf"
PORT=2055
ip netns exec "$NS_B" nfcapd -w "$WORK/nf" -b 127.0.0.1 -p $PORT -t 3600 \
    > "$WORK/nfcapd.log" 2>&1 &
NFC=$!
track $NFC
ip netns exec "$NS_B" "$PICOFLOW" -i vB -i vD -f udp -t udp=1 \
    -n 127.0.0.1:$PORT -d > "$WORK/pf.log" 2>&1 &
PF=$!
track $PF
for _ in $(seq 1 100); do
	[ "$(grep -c capturing "$WORK/pf.log" 2>/dev/null)" -ge 2 ] && break
	sleep 0.1
done
[ "$(grep -c capturing "$WORK/pf.log")" -ge 2 ] ||
	{ cat "$WORK/pf.log"; echo "FAIL: picoflow did not start"; exit 1; }

# send DST COUNT: COUNT datagrams of 100 bytes from namespace A, port 9000
send() {
	ip netns exec "$NS_A" python3 -c '
import socket, sys, time
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(int(sys.argv[2])):
    u.sendto(b"x" * 100, (sys.argv[1], 9000)); time.sleep(0.002)' "$@"
}
send 198.18.1.2 10	# small index: 2-byte fields
sleep 2.5		# idle timeout 1 s, then the tick exports it
send 198.18.0.2 20	# index 70000: the switch
sleep 2.5
send 198.18.1.2 30	# small index again, 4-byte fields now
sleep 0.5

kill -TERM $PF
wait $PF
PFRC=$?
untrack $PF
sleep 0.5
stop_pid $NFC
cat "$WORK/pf.log"
[ "$PFRC" = 0 ] || { echo "FAIL: picoflow exited $PFRC after SIGTERM"; exit 1; }

nfdump -R "$WORK/nf" -q -N -o 'fmt:%in %da %pkt %byt' | sort > "$WORK/recs"
cat "$WORK/recs"
seq=$(sed -n 's/.*Sequence Errors: \([0-9]*\).*/\1/p' "$WORK/nfcapd.log" | tail -1)
fail=0
sum() { awk -v i="$1" '$1 == i { p += $3; b += $4 } END { print p + 0, b + 0 }' \
    "$WORK/recs"; }
[ "$(sum 70000)" = "20 2560" ] ||
	{ echo "FAIL: want 20 packets, 2560 bytes under interface 70000"; fail=1; }
[ "$(sum "$small")" = "40 5120" ] ||
	{ echo "FAIL: want 40 packets, 5120 bytes under interface $small"; fail=1; }
[ "$(wc -l < "$WORK/recs")" = 3 ] ||
	{ echo "FAIL: want 3 records (one per burst)"; fail=1; }
[ "${seq:-1}" = 0 ] || { echo "FAIL: sequence errors: ${seq:-?}"; fail=1; }
[ $fail = 0 ] && echo "PASS: interface 70000 and $small exported whole, before and after the switch"
exit $fail
