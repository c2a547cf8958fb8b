#!/usr/bin/env bash
# Interfaces that come and go (issue 6), live, in two network namespaces
# this test creates and removes: R (the probe, nfcapd and a datagram sink on
# 127.0.0.1) and H (a host), joined by the veth pair vR - vH.
#   1. UDP from H to R on port 7200; then vR is deleted, and picoflow,
#      running as nobody (-u), says so and keeps running;
#   2. vR is created again (a new ifindex) and picoflow captures it again
#      by itself: UDP on port 7201;
#   3. vR is renamed vRx while captured: the capture follows the device,
#      UDP on port 7202;
#   4. at the collector: 5 packets for each port, 7200 on the old ifindex,
#      7201 and 7202 on the new one (nfdump); the IF_NAME options records
#      (tshark's cflow decoder) name the old index vR, the new one vR and
#      then vRx; nfcapd counts no bad packets.
# NETLINK=none builds take the same path, finding the interface by
# if_nameindex(3) once a second.
. "$(dirname "$0")/lib.sh"
require_picoflow
require ip nfcapd nfdump tshark python3
[ "$(id -u)" = 0 ] || skip "needs root for network namespaces"
id nobody >/dev/null 2>&1 || skip "no user nobody"

fail=0
bad() { echo "FAIL: $*"; fail=1; }
r() { ip netns exec "$NS_R" "$@"; }
h() { ip netns exec "$NS_H" "$@"; }

netns_add NS_R NS_H || skip "cannot create network namespaces here"
make_link() {	# the veth pair, addressed, no IPv6 chatter
	ip link add vR netns "$NS_R" type veth peer name vH netns "$NS_H" ||
		return 1
	r sysctl -qw net.ipv6.conf.all.disable_ipv6=1
	h sysctl -qw net.ipv6.conf.all.disable_ipv6=1
	r ip addr add 198.18.5.1/24 dev vR
	h ip addr add 198.18.5.2/24 dev vH
	r ip link set vR up
	h ip link set vH up
}
r ip link set lo up
make_link || skip "cannot create veth pairs here"
IDX1=$(r cat /sys/class/net/vR/ifindex)

send() {	# send PORT: 5 UDP datagrams H -> R
	h python3 -c 'import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(5):
    s.sendto(b"x" * 30, ("198.18.5.1", int(sys.argv[1])))' "$1"
}
wait_log() {	# wait_log PATTERN: up to 5 s for it in picoflow's log
	local i
	for i in $(seq 1 50); do
		grep -q "$1" "$WORK/pf.log" && return 0
		sleep 0.1
	done
	return 1
}

LIB_NS=$NS_R
nfcapd_start "$WORK/nf" || exit 1
sink_start "$WORK/exp.pcap" || exit 1
# not through r(): a function in the background is a subshell, and $!
# would be its pid, not picoflow's
ip netns exec "$NS_R" "$PICOFLOW" -d -i vR -u nobody -n 127.0.0.1:"$NFCAPD_PORT" \
    -n 127.0.0.1:"$SINK_PORT" -t general=2 -t udp=2 -f udp \
    > "$WORK/pf.out" 2> "$WORK/pf.log" &
PF=$!
track $PF
wait_log 'vR: capturing' || bad "picoflow did not start"
sleep 0.3

# 1. Traffic, then the interface goes away.
send 7200
sleep 0.3
r ip link del vR
wait_log 'vR: the interface was removed' ||
	bad "no message when the captured interface was removed"
sleep 0.5
kill -0 $PF 2>/dev/null || bad "picoflow exited when its interface was removed"

# 2. Back under the same name, with a new index.
make_link || bad "cannot re-create vR"
IDX2=$(r cat /sys/class/net/vR/ifindex)
[ "$IDX1" != "$IDX2" ] || bad "the kernel gave vR its old index $IDX1 back"
wait_log "vR: capturing again" || bad "no re-attach after vR came back"
sleep 0.3
send 7201
sleep 0.3

# 3. Renamed under the capture.
r ip link set vR down
r ip link set vR name vRx
r ip link set vRx up
sleep 0.5
send 7202
sleep 3		# idle timeout 2 s + tick
stop_pid $PF
untrack $PF
echo "picoflow's log:"
sed 's/^/  /' "$WORK/pf.log"
nfcapd_stop
sink_stop

# 4. What the collectors saw.
nfdump -R "$WORK/nf" -q -N -A dstport,inif -o 'fmt:%dp %in %pkt' \
    'proto udp' > "$WORK/flows.txt" 2> "$WORK/nfdump.err"
echo "nfdump (dst port, input interface, packets):"
sed 's/^/  /' "$WORK/flows.txt"
check_flow() {	# check_flow PORT IFINDEX
	awk -v p="$1" -v i="$2" '$1 == p && $2 == i && $3 == 5 { f = 1 }
	    END { exit !f }' "$WORK/flows.txt" ||
		bad "no 5-packet flow to port $1 on ifindex $2"
}
check_flow 7200 "$IDX1"
check_flow 7201 "$IDX2"
check_flow 7202 "$IDX2"
[ "${NFCAPD_BADPKT:-0}" = 0 ] || bad "nfcapd: $NFCAPD_BADPKT bad packets"
grep -q 'interfaces removed under a capture 1, captures re-attached 1' \
    "$WORK/pf.log" || bad "no removal/re-attach counts in the final stats"

tshark -r "$WORK/exp.pcap" -d udp.port=="$SINK_PORT",cflow -T fields \
    -e cflow.scope_interface -e cflow.if_name -Y cflow.if_name \
    -E occurrence=a -E aggregator=' ' 2>/dev/null |
    python3 -c 'import sys
seen = set()
for line in sys.stdin:
    parts = line.rstrip("\n").split("\t")
    if len(parts) < 2:
        continue
    for i, n in zip(parts[0].split(" "), parts[1].split(" ")):
        seen.add((i, n))
for i, n in sorted(seen):
    print(i, n)' > "$WORK/names.txt"
echo "IF_NAME records (index, name) seen by tshark:"
sed 's/^/  /' "$WORK/names.txt"
grep -qx "$IDX1 vR" "$WORK/names.txt" || bad "no IF_NAME vR for the old index $IDX1"
grep -qx "$IDX2 vR" "$WORK/names.txt" || bad "no IF_NAME vR for the new index $IDX2"
grep -qx "$IDX2 vRx" "$WORK/names.txt" || bad "no IF_NAME vRx after the rename"

[ $fail = 0 ] && echo "PASS: capture survives removal, re-attaches by name (as nobody), follows a rename; IF_NAME for old and new index"
exit $fail
