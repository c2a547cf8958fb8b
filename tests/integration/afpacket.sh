#!/usr/bin/env bash
# The AF_PACKET backend, live, in three network namespaces this test creates
# and removes (A - B - C, joined by veth pairs; B is the probe and router,
# nfcapd listens on 127.0.0.1 inside B):
#   1. totals: captures from ../shared/pcaps/real replayed by tcpreplay from A
#      at 100 kpps, picoflow running as nobody (-u) by then; the collector's
#      totals equal pcap_truth.py's, 0 kernel drops; then once at top
#      speed, for the figures (not judged);
#   2. sampling 1 in 10 in the kernel: packets within 5 standard deviations
#      of a tenth of the truth, and the options record (seen with tshark's
#      cflow decoder: nfdump 1.7.1 does not apply v9 sampling) says 10/random;
#   3. direction and interface: UDP both ways A <-> C through B with
#      -i vB -i vB2: each packet is an ingress record on the interface it came
#      in on and an egress one on the interface it left by; with -i any only
#      the ingress ones (the outgoing copy is dropped in the kernel);
#   4. a quiet interface (1 packet/s): the flow reaches the collector within
#      the idle timeout + 1 s (tick) + 50 ms (ring block retire) + slack;
#   5. an interface that goes down costs no CPU (no poll loop on the socket
#      error) and is captured again when it comes back up; once it is
#      removed, picoflow says so and waits for it, still without spinning
#      (relink.sh checks that it comes back).
. "$(dirname "$0")/lib.sh"
require_picoflow
require_truth
require ip nfcapd nfdump tshark tcpreplay python3
[ "$(id -u)" = 0 ] || skip "needs root for network namespaces"

PORT=2055
PCAPS="$SHARED/pcaps/real/ndpi-netflix.pcap $SHARED/pcaps/real/zeek-pppoe-over-qinq.pcap $SHARED/pcaps/real/sv-bug-4810-pppoe-session-http.pcap"
for f in $PCAPS; do
	[ -r "$f" ] || skip "$f is absent"
done

a() { ip netns exec "$NS_A" "$@"; }
b() { ip netns exec "$NS_B" "$@"; }
c() { ip netns exec "$NS_C" "$@"; }
fail=0
bad() { echo "FAIL: $*"; fail=1; }

netns_add NS_A NS_B NS_C || skip "cannot create network namespaces here"
ip link add vA netns "$NS_A" type veth peer name vB netns "$NS_B" &&
	ip link add vB2 netns "$NS_B" type veth peer name vC netns "$NS_C" ||
	skip "cannot create veth pairs here"
# No IPv6 (no neighbour discovery chatter), large MTU (replayed frames
# pass unchanged), no ARP until part 3 gives addresses.
for x in "a vA" "b vB" "b vB2" "c vC"; do
	# shellcheck disable=SC2086 # split into words on purpose
	set -- $x
	$1 sysctl -qw net.ipv6.conf.all.disable_ipv6=1
	$1 ip link set "$2" mtu 9000
	$1 ip link set lo up
	$1 ip link set "$2" up
done
PFIDX_B=$(b cat /sys/class/net/vB/ifindex)
PFIDX_B2=$(b cat /sys/class/net/vB2/ifindex)

NF=$WORK/nf
nfc_start() {	# nfc_start DIR: nfcapd in B on 127.0.0.1:$PORT
	rm -rf "$1"
	mkdir -p "$1"
	ip netns exec "$NS_B" nfcapd -w "$1" -b 127.0.0.1 -p $PORT -t 3600 -B 8388608 \
	    > "$1.log" 2>&1 &
	NFC=$!
	track $NFC
	for i in $(seq 1 100); do
		grep -q Startup "$1.log" 2>/dev/null && return 0
		sleep 0.05
	done
	cat "$1.log"
	return 1
}
nfc_stop() {
	sleep 0.5
	stop_pid "$NFC"
	untrack "$NFC"
}
pf_start() {	# pf_start LOG ARGS...: picoflow in B, until every -i captures
	local log=$1 n
	shift
	n=$(printf '%s\n' "$@" | grep -c '^-i$')
	ip netns exec "$NS_B" "$PICOFLOW" "$@" -d > "$log" 2>&1 &
	PF=$!
	track $PF
	for i in $(seq 1 100); do
		k=$(grep -c capturing "$log" 2>/dev/null)
		[ "${k:-0}" -ge "$n" ] && break
		kill -0 $PF 2>/dev/null || break
		sleep 0.05
	done
	if ! grep -q 'af_packet backend' "$log"; then
		cat "$log"
		grep -q capturing "$log" &&
		    skip "picoflow was built with another BACKEND"
		echo "FAIL: picoflow did not start"
		exit 1
	fi
}
pf_stop() {	# pf_stop LOG: SIGTERM, must exit 0; sets KRECV KDROP
	sleep 0.3
	kill -TERM $PF
	wait $PF
	local rc=$?
	untrack $PF
	[ $rc = 0 ] || bad "picoflow exited $rc after SIGTERM"
	KRECV=$(sed -n 's/.*kernel received \([0-9]*\) dropped.*/\1/p' "$1" |
	    awk '{s += $1} END {print s + 0}')
	KDROP=$(sed -n 's/.*kernel received [0-9]* dropped \([0-9]*\).*/\1/p' \
	    "$1" | awk '{s += $1} END {print s + 0}')
}
nf_totals() {	# packets and bytes at the collector
	nfdump -R "$1" -q -N -o 'fmt:%pkt %byt' |
	    awk '{p += $1; b += $2} END {print p + 0, b + 0}'
}

# 1. Totals at 100 kpps.
tp=0 tb=0 frames=0
for f in $PCAPS; do
	tp=$((tp + $(truth_get "$f" ip_packets)))
	tb=$((tb + $(truth_get "$f" ip_bytes)))
	frames=$((frames + $(truth_get "$f" frames)))
done
LOOPS=$((100000 / frames + 1))
nfc_start "$NF/1"
pf_start "$WORK/pf1.log" -i vB -n 127.0.0.1:$PORT -u nobody
uid=$(awk '/^Uid:/ {print $2 $3 $4}' "/proc/$PF/status")
[ "$uid" = "$(id -u nobody)$(id -u nobody)$(id -u nobody)" ] ||
	bad "-u nobody: picoflow runs with uids $uid"
# shellcheck disable=SC2086 # PCAPS: one file a word
a tcpreplay -q -i vA --pps=100000 --loop="$LOOPS" $PCAPS > "$WORK/tr1.log" 2>&1 ||
	{ cat "$WORK/tr1.log"; bad "tcpreplay failed"; }
pf_stop "$WORK/pf1.log"
nfc_stop
read -r np nb < <(nf_totals "$NF/1")
echo "1. replayed $((frames * LOOPS)) frames at 100 kpps ($(grep -o 'Rated: [^;]*' "$WORK/tr1.log" | head -1 | tr -s ' ')):" \
    "truth $((tp * LOOPS)) IP packets, $((tb * LOOPS)) bytes;" \
    "collector $np packets, $nb bytes; kernel received $KRECV dropped $KDROP"
[ "$np" = $((tp * LOOPS)) ] && [ "$nb" = $((tb * LOOPS)) ] ||
	bad "collector totals differ from what was replayed"
[ "$KDROP" = 0 ] || bad "kernel drops at 100 kpps"
[ "$KRECV" = $((frames * LOOPS)) ] ||
	bad "the kernel passed $KRECV frames, $((frames * LOOPS)) were sent"

# Top speed, for the figures only.
nfc_start "$NF/1t"
pf_start "$WORK/pf1t.log" -i vB -n 127.0.0.1:$PORT
# shellcheck disable=SC2086 # PCAPS: one file a word
a tcpreplay -q -i vA --topspeed --loop=$((LOOPS * 2)) $PCAPS > "$WORK/tr1t.log" 2>&1
pf_stop "$WORK/pf1t.log"
nfc_stop
echo "   top speed: $(grep -o 'Rated: [^;]*pps' "$WORK/tr1t.log" | head -1 | tr -s ' ');" \
    "kernel received $KRECV dropped $KDROP (not judged)"

# 2. Kernel sampling, 1 in 10 at random.
LOOPS2=$((200000 / frames + 1))
nfc_start "$NF/2"
ip netns exec "$NS_B" tshark -q -i lo -f "udp port $PORT" -w "$WORK/exp2.pcap" > "$WORK/tsh2.log" 2>&1 &
TSH=$!
track $TSH
for i in $(seq 1 100); do
	grep -q "Capturing on" "$WORK/tsh2.log" 2>/dev/null && break
	sleep 0.1
done
# Templates and the options record in every datagram: tshark may start
# reading lo after the first one has gone by.
pf_start "$WORK/pf2.log" -i vB -n 127.0.0.1:$PORT -s 10 --sample-mode=random \
    --template-packets 1
# shellcheck disable=SC2086 # PCAPS: one file a word
a tcpreplay -q -i vA --pps=100000 --loop="$LOOPS2" $PCAPS > "$WORK/tr2.log" 2>&1
pf_stop "$WORK/pf2.log"
nfc_stop
sleep 0.3
stop_pid $TSH
untrack $TSH
read -r np nb < <(nf_totals "$NF/2")
read -r lo hi < <(python3 -c 'import math, sys
n = int(sys.argv[1]); sd = math.sqrt(n * 0.1 * 0.9)
print(int(n / 10 - 5 * sd), int(n / 10 + 5 * sd) + 1)' $((tp * LOOPS2)))
opt=$(tshark -n -r "$WORK/exp2.pcap" -d udp.port==$PORT,cflow -T fields \
    -e cflow.sampling_interval -e cflow.sampling_algorithm 2>/dev/null |
    grep -v '^\s*$' | sort -u | tr '\t\n' '/ ')
echo "2. sampled 1 in 10 in the kernel: truth $((tp * LOOPS2)) packets," \
    "collector $np (bounds $lo..$hi), $nb bytes (truth/10 $((tb * LOOPS2 / 10)));" \
    "kernel passed $KRECV dropped $KDROP; options record interval/algorithm: $opt"
[ "$np" -ge "$lo" ] && [ "$np" -le "$hi" ] || bad "sampled packets out of bounds"
case " $opt" in *" 10/2 "*) ;; *) bad "options record does not say 10/random" ;; esac
grep -q 'sampled in the kernel, 1 in 10' "$WORK/pf2.log" ||
	bad "stats do not say the kernel sampled"

# 3. Direction and interface, A <-> C through B.
a ip addr add 198.18.1.1/24 dev vA
b ip addr add 198.18.1.2/24 dev vB
b ip addr add 198.18.2.2/24 dev vB2
c ip addr add 198.18.2.1/24 dev vC
a ip route add 198.18.2.0/24 via 198.18.1.2
c ip route add 198.18.1.0/24 via 198.18.2.2
b sysctl -qw net.ipv4.ip_forward=1
both_ways() {
	c python3 -c '
import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("198.18.2.1", 7001)); s.settimeout(5)
for i in range(20): s.recvfrom(2048)
for i in range(10): s.sendto(b"r" * 50, ("198.18.1.1", 7000)); time.sleep(0.002)' &
	local srv=$!
	sleep 0.3
	a python3 -c '
import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("198.18.1.1", 7000)); s.settimeout(5)
for i in range(20): s.sendto(b"q" * 100, ("198.18.2.1", 7001)); time.sleep(0.002)
for i in range(10): s.recvfrom(2048)'
	wait $srv
}
# one datagram each way first, so ARP is done before the counted packets
warm='import socket, sys
socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"w", (sys.argv[1], 9))'
a python3 -c "$warm" 198.18.2.1
c python3 -c "$warm" 198.18.1.1
sleep 0.2
FMT='fmt:%sa|%sp|%da|%dp|%in|%out|%dir|%pkt'
nfc_start "$NF/3"
pf_start "$WORK/pf3.log" -i vB -i vB2 -n 127.0.0.1:$PORT -f 'udp and portrange 7000-7001'
both_ways
pf_stop "$WORK/pf3.log"
nfc_stop
got=$(nfdump -R "$NF/3" -q -N -o "$FMT" | tr -d ' ' | sort)
want=$(printf '%s\n' \
    "198.18.1.1|7000|198.18.2.1|7001|$PFIDX_B|0|I|20" \
    "198.18.1.1|7000|198.18.2.1|7001|0|$PFIDX_B2|E|20" \
    "198.18.2.1|7001|198.18.1.1|7000|$PFIDX_B2|0|I|10" \
    "198.18.2.1|7001|198.18.1.1|7000|0|$PFIDX_B|E|10" | sort)
echo "3. -i vB ($PFIDX_B) -i vB2 ($PFIDX_B2), records:"
echo "$got" | sed 's/^/     /'
[ "$got" = "$want" ] || { bad "records differ; expected:"; echo "$want" | sed 's/^/     /'; }

nfc_start "$NF/3any"
pf_start "$WORK/pf3any.log" -i any -n 127.0.0.1:$PORT -f 'udp and portrange 7000-7001'
both_ways
pf_stop "$WORK/pf3any.log"
nfc_stop
got=$(nfdump -R "$NF/3any" -q -N -o "$FMT" | tr -d ' ' | sort)
want=$(printf '%s\n' \
    "198.18.1.1|7000|198.18.2.1|7001|$PFIDX_B|0|I|20" \
    "198.18.2.1|7001|198.18.1.1|7000|$PFIDX_B2|0|I|10" | sort)
echo "   -i any, records:"
echo "$got" | sed 's/^/     /'
[ "$got" = "$want" ] || { bad "records differ; expected:"; echo "$want" | sed 's/^/     /'; }

# 4. A quiet interface: 3 packets 1 s apart, idle timeout 2 s.
IDLE=2
ip netns exec "$NS_B" python3 -c '
import socket, struct, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.settimeout(15)
t0 = time.time()
opt_ids = set()	# options data (sampling, interface names) is not a flow
while time.time() - t0 < 15:
    try:
        d, _ = s.recvfrom(65535)
    except socket.timeout:
        break
    off = 20
    while off + 4 <= len(d):
        fid, ln = struct.unpack("!HH", d[off:off + 4])
        if fid == 1 and ln >= 6:
            opt_ids.add(struct.unpack("!H", d[off + 4:off + 6])[0])
        if fid >= 256 and fid not in opt_ids:
            print("%.3f" % time.time(), flush=True)
            sys.exit(0)
        if ln < 4:
            break
        off += ln' $PORT > "$WORK/quiet.log" 2>&1 &
RCV=$!
track $RCV
sleep 0.2
pf_start "$WORK/pf4.log" -i vB -n 127.0.0.1:$PORT -f 'udp port 7100' -t udp=$IDLE
a python3 -c '
import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(3):
    if i: time.sleep(1)
    s.sendto(b"x" * 20, ("198.18.1.2", 7100))
print("%.3f" % time.time())' > "$WORK/sent.log"
wait $RCV
untrack $RCV
pf_stop "$WORK/pf4.log"
delay=$(python3 -c 'import sys
print("%.2f" % (float(sys.argv[2]) - float(sys.argv[1])))' "$(cat "$WORK/sent.log")" "$(head -1 "$WORK/quiet.log")" 2>/dev/null)
echo "4. quiet interface: the flow's record arrived ${delay:-never} s after its last packet (idle timeout $IDLE s, bound $IDLE + 1.05 + 0.45 slack)"
python3 -c 'import sys; sys.exit(not (float(sys.argv[1]) - 0.2 <= float(sys.argv[2]) <= float(sys.argv[1]) + 1.5))' \
    $IDLE "${delay:--1}" || bad "quiet flow outside its bound"

# 5. Down, up, removed.
pf_start "$WORK/pf5.log" -i vB2 -P
b ip link set vB2 down
sleep 1.5
read -r ut st < <(
    awk '{print $14, $15}' "/proc/$PF/stat")
b ip link set vB2 up
sleep 0.3
c python3 -c "$warm" 198.18.2.2
sleep 0.5
b ip link del vB2
for i in $(seq 1 40); do
	grep -q 'vB2: the interface was removed' "$WORK/pf5.log" && break
	sleep 0.1
done
read -r ut2 st2 < <(awk '{print $14, $15}' "/proc/$PF/stat" 2>/dev/null)
sleep 1.5
read -r ut3 st3 < <(awk '{print $14, $15}' "/proc/$PF/stat" 2>/dev/null)
if kill -0 $PF 2>/dev/null; then
	pf_stop "$WORK/pf5.log"
else
	bad "picoflow exited after its only interface was removed (it should wait for it)"
	untrack $PF
fi
ticks=$((ut + st))
gone_ticks=$(( ${ut3:-0} + ${st3:-0} - ${ut2:-0} - ${st2:-0} ))
echo "5. interface down 1.5 s: picoflow used $ticks clock ticks;" \
    "$(grep -c ' UDP ' "$WORK/pf5.log") UDP flow(s) after it came back up;" \
    "removed: $gone_ticks ticks in 1.5 s; $(grep -o 'vB2: the interface was removed' "$WORK/pf5.log")"
[ $ticks -lt 20 ] || bad "picoflow spins while the interface is down"
[ $gone_ticks -lt 20 ] || bad "picoflow spins while the interface is gone"
grep -q ' UDP ' "$WORK/pf5.log" || bad "nothing captured after the interface came back up"
grep -q 'vB2: the interface was removed' "$WORK/pf5.log" ||
	bad "no message for the removed interface"

[ $fail = 0 ] && echo "PASS: AF_PACKET totals, sampling, direction, quiet-interface bound, link down/removed"
exit $fail
