#!/usr/bin/env bash
# Live capture with the libpcap backend, inside two network namespaces
# joined by a veth pair that this test creates and removes.  picoflow
# captures one end while tshark records the same end independently; TCP,
# UDP and ICMP over IPv4 and UDP over IPv6 cross the link.  Then SIGTERM:
# picoflow must export every flow still in its table, and nfcapd's totals
# must equal what tshark saw (pcap_truth.py on tshark's file).
. "$(dirname "$0")/lib.sh"
require_picoflow
require ip nfcapd nfdump tshark python3
[ "$(id -u)" = 0 ] || skip "needs root for network namespaces"

FILTER='ip or (ip6 and udp)'

netns_add NS_A NS_B || skip "cannot create network namespaces here"
a() { ip netns exec "$NS_A" "$@"; }
b() { ip netns exec "$NS_B" "$@"; }
ip link add vA netns "$NS_A" type veth peer name vB netns "$NS_B" ||
	skip "cannot create a veth pair here"
a ip addr add 198.18.0.1/24 dev vA
b ip addr add 198.18.0.2/24 dev vB
a ip -6 addr add fd00:198:18::1/64 dev vA nodad
b ip -6 addr add fd00:198:18::2/64 dev vB nodad
for ns in "$NS_A" "$NS_B"; do
	ip netns exec "$ns" ip link set lo up
done
a ip link set vA up
b ip link set vB up

# Collector and independent recorder, both inside namespace B.
mkdir -p "$WORK/nf"
PORT=2055
ip netns exec "$NS_B" nfcapd -w "$WORK/nf" -b 127.0.0.1 -p $PORT -t 3600 > "$WORK/nfcapd.log" 2>&1 &
NFC=$!
ip netns exec "$NS_B" tshark -q -i vB -f "$FILTER" -w "$WORK/seen.pcap" > "$WORK/tshark.log" 2>&1 &
TSH=$!
for i in $(seq 1 100); do
	grep -q "Capturing on" "$WORK/tshark.log" 2>/dev/null && break
	sleep 0.1
done
ip netns exec "$NS_B" "$PICOFLOW" -i vB -f "$FILTER" -n 127.0.0.1:$PORT -d > "$WORK/pf.log" 2>&1 &
PF=$!
for i in $(seq 1 100); do
	grep -q "capturing" "$WORK/pf.log" 2>/dev/null && break
	sleep 0.1
done
grep -q "capturing" "$WORK/pf.log" || { cat "$WORK/pf.log"; echo "FAIL: picoflow did not start"; exit 1; }

# Traffic: a TCP exchange, UDP both families, ICMP echo.
ip netns exec "$NS_B" python3 -c '
import socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("198.18.0.2", 8080)); s.listen(1); s.settimeout(10)
c, _ = s.accept(); n = 0
while True:
    d = c.recv(65536)
    if not d: break
    n += len(d)
c.sendall(b"r" * 3000); c.close()' &
SRV=$!
# until the server listens (a fixed wait lost the race on a busy machine)
for _ in $(seq 1 200); do
	b ss -Hltn 'sport = :8080' | grep -q . && break
	sleep 0.05
done
a python3 -c '
import socket, time
c = socket.create_connection(("198.18.0.2", 8080), timeout=5)
c.sendall(b"q" * 20000); c.shutdown(socket.SHUT_WR)
while c.recv(65536): pass
c.close()
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(50): u.sendto(b"u" * (10 + i), ("198.18.0.2", 9999)); time.sleep(0.002)
u6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
for i in range(30): u6.sendto(b"v" * (100 + i), ("fd00:198:18::2", 9998)); time.sleep(0.002)'
wait $SRV
a ping -c 3 -i 0.2 198.18.0.2 > /dev/null 2>&1 || true
sleep 1

kill -TERM $PF
wait $PF
PFRC=$?
sleep 0.5
kill -TERM $TSH; wait $TSH 2>/dev/null
sleep 0.5
kill -TERM $NFC; wait $NFC 2>/dev/null
cat "$WORK/pf.log"

[ $PFRC = 0 ] || { echo "FAIL: picoflow exited $PFRC after SIGTERM"; exit 1; }
# What tshark recorded, by the same rule: IPv4 total length, IPv6 payload
# length + 40 (first header only: ICMP errors quote an inner one).
read -r tp tb < <(tshark -n -r "$WORK/seen.pcap" -T fields -E occurrence=f \
    -e ip.len -e ipv6.plen 2>/dev/null |
    awk -F'\t' '$1 != "" {p++; b += $1; next} $2 != "" {p++; b += $2 + 40}
	END {print p + 0, b + 0}')
read -r np nb < <(nfdump -R "$WORK/nf" -q -N -o 'fmt:%pkt %byt' |
	awk '{p += $1; b += $2} END {print p + 0, b + 0}')
seq=$(sed -n 's/.*Sequence Errors: \([0-9]*\).*/\1/p' "$WORK/nfcapd.log" | tail -1)
echo "tshark saw: $tp packets, $tb bytes; collector: $np packets, $nb bytes; sequence errors: ${seq:-?}"
nfdump -R "$WORK/nf" -q -N -6 -o 'fmt:%pr %sa %da %dp %pkt %byt' | sort
fail=0
[ "$tp" -gt 50 ] || { echo "FAIL: too little traffic crossed the link"; fail=1; }
[ "$tp" = "$np" ] && [ "$tb" = "$nb" ] || { echo "FAIL: totals differ"; fail=1; }
[ "${seq:-1}" = 0 ] || { echo "FAIL: sequence errors"; fail=1; }
nfdump -R "$WORK/nf" -q -N -6 -o 'fmt:%pr %pkt' | grep -q '^ *UDP *30$' ||
	nfdump -R "$WORK/nf" -q -N -6 -o 'fmt:%pr %sa %pkt' | grep -q 'fd00:198:18::1 *30' ||
	{ echo "FAIL: the 30 IPv6 UDP datagrams are not one flow"; fail=1; }
[ $fail = 0 ] && echo "PASS: live capture totals equal what tshark saw"
exit $fail
