#!/usr/bin/env bash
# --nat and --egress on a masquerading router, in three network namespaces:
#
#   LAN 198.18.1.2 --veth-- 198.18.1.1 [router] 198.18.2.1 --veth-- 198.18.2.2 WAN
#                            lan               wan
#
# The router masquerades what leaves by wan onto source ports 40000-40999
# (so ports change, not only the address) and forwards UDP to
# 198.18.2.100:53 to 198.18.2.2:5353 (so a destination changes too).
# picoflow in the router captures lan with --nat --egress and exports to a
# receiver on the router's 127.0.0.1.  LAN sends TCP, UDP, the DNAT'ed UDP,
# ICMP echo, and UDP to the router itself.  While the connections are still
# in the router's table, "conntrack -L" is recorded; then SIGTERM exports
# every flow.  tshark decodes the records, and for each flow that came in
# on lan:
#   - to the WAN: OUTPUT_SNMP is wan's ifindex; to the router: 0;
#   - TCP/UDP: fields 225-228 are the inverse of conntrack's reply tuple
#     (what the router sent out), and differ from the pre-NAT values;
#   - ICMP: 225-228 are 0 (conntrack keys echo by ICMP id, which a flow
#     key lacks); replies going out of lan: 225-228 are 0.
# nfdump, when it is installed, must show the same translated source.
. "$(dirname "$0")/lib.sh"
require_picoflow
require ip tshark python3 conntrack nft
[ "$(id -u)" = 0 ] || skip "needs root for network namespaces"
"$PICOFLOW" -h | grep -q -- --nat || skip "picoflow has no --nat"

# NS_C the LAN, NS_R the router, NS_S the WAN (no route back: masqueraded)
netns_routed 198.18 lan wan
l() { ip netns exec "$NS_C" "$@"; }
r() { ip netns exec "$NS_R" "$@"; }
r nft -f "$ROOT/tests/data/nat.nft" ||
	skip "nftables cannot set up NAT in this kernel"
r conntrack -L > /dev/null 2>&1 || skip "conntrack cannot list connections here"
WAN_IF=$(r cat /sys/class/net/wan/ifindex)
LAN_IF=$(r cat /sys/class/net/lan/ifindex)

LIB_NS=$NS_R sink_start "$WORK/export.pcap" || exit 1
ip netns exec "$NS_R" "$PICOFLOW" -i lan --nat --egress -n "127.0.0.1:$SINK_PORT" -d \
    > "$WORK/pf.log" 2>&1 &
PF=$!
track "$PF"
wait_started picoflow "$PF" capturing "$WORK/pf.log" ||
	{ echo "FAIL: picoflow did not start"; exit 1; }

# Servers: TCP on 8080 and UDP echo on 9999 and 5353 in the WAN, UDP
# on the router's 7777 (a flow delivered locally).
ip netns exec "$NS_S" python3 -c '
import select, socket
t = socket.socket(); t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
t.bind(("198.18.2.2", 8080)); t.listen(4)
us = []
for p in (9999, 5353):
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.bind(("198.18.2.2", p)); us.append(u)
while True:
    rd, _, _ = select.select([t] + us, [], [], 20)
    if not rd: break
    for s in rd:
        if s is t:
            c, _ = t.accept(); c.settimeout(5)
            while True:
                d = c.recv(65536)
                if not d: break
                c.sendall(d)
            c.close()
        else:
            d, a = s.recvfrom(2048); s.sendto(d, a)' &
SRV=$!
track "$SRV"
ip netns exec "$NS_R" python3 -c '
import socket
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.bind(("198.18.1.1", 7777)); u.settimeout(20)
u.recvfrom(2048)' &
LOC=$!
track "$LOC"
sleep 0.5

l python3 -c '
import socket
c = socket.create_connection(("198.18.2.2", 8080), timeout=5)
c.sendall(b"t" * 5000); c.shutdown(socket.SHUT_WR)
while c.recv(65536): pass
c.close()
for dst in (("198.18.2.2", 9999), ("198.18.2.100", 53)):
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.settimeout(2)
    for i in range(5):
        u.sendto(b"u" * (20 + i), dst); u.recvfrom(2048)
socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"local", ("198.18.1.1", 7777))
' || { echo "FAIL: LAN traffic did not get through the NAT"; exit 1; }
# ICMP echo by hand (no ping(8) needed): 3 requests, their replies.
l python3 -c '
import socket, struct
def csum(b):
    v = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    v = (v & 0xFFFF) + (v >> 16); v = (v & 0xFFFF) + (v >> 16)
    return ~v & 0xFFFF
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
s.settimeout(2)
for i in range(3):
    m = struct.pack("!BBHHH", 8, 0, 0, 0x4242, i) + b"picoflow"
    s.sendto(m[:2] + struct.pack("!H", csum(m)) + m[4:], ("198.18.2.2", 0))
    s.recvfrom(2048)' || { echo "FAIL: ICMP echo through the NAT"; exit 1; }
sleep 0.5

# The router's view of each connection, while it still has them.
r conntrack -L -o extended 2> /dev/null > "$WORK/conntrack.txt"
cat "$WORK/conntrack.txt"
stop_pid "$PF"
untrack "$PF"
LIB_NS=$NS_R sink_stop
cat "$WORK/pf.log"
grep -q 'nat lookups: records' "$WORK/pf.log" ||
	{ echo "FAIL: no NAT lookup statistics in picoflow's log"; exit 1; }

F='-e cflow.srcaddr -e cflow.dstaddr -e cflow.srcport -e cflow.dstport
   -e cflow.protocol -e cflow.direction -e cflow.inputint -e cflow.outputint
   -e cflow.post_natsource_ipv4_address -e cflow.post_natdestination_ipv4_address
   -e cflow.post_naptsource_transport_port -e cflow.post_naptdestination_transport_port'
# shellcheck disable=SC2086 # F is a list of flags
tshark -n -r "$WORK/export.pcap" -d "udp.port==$SINK_PORT,cflow" \
    -Y cflow.srcaddr -T fields -E separator=/t -E aggregator=, $F \
    > "$WORK/records.txt" 2> "$WORK/tshark.err"
tshark -n -r "$WORK/export.pcap" -d "udp.port==$SINK_PORT,cflow" -V 2>/dev/null |
	grep -i -E 'malformed|expert' && { echo "FAIL: tshark finds malformed records"; exit 1; }

python3 - "$WORK/records.txt" "$WORK/conntrack.txt" "$WAN_IF" "$LAN_IF" <<'EOF'
import re, sys
recs_f, ct_f, wan_if, lan_if = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
recs = []
for line in open(recs_f):
    cols = [c.split(",") for c in line.rstrip("\n").split("\t")]
    for i in range(len(cols[0])):
        recs.append(tuple(c[i] if i < len(c) else "" for c in cols))
# conntrack -L -o extended: "ipv4 2 udp 17 29 src= dst= sport= dport= ... src= dst= sport= dport= ..."
ct = {}
for line in open(ct_f):
    f = line.split()
    if len(f) < 4 or f[0] != "ipv4":
        continue
    proto = f[3]
    kv = [x.split("=", 1) for x in f if "=" in x]
    srcs = [v for k, v in kv if k == "src"]
    dsts = [v for k, v in kv if k == "dst"]
    sps = [v for k, v in kv if k == "sport"] or ["0", "0"]
    dps = [v for k, v in kv if k == "dport"] or ["0", "0"]
    orig = (srcs[0], dsts[0], sps[0], dps[0], proto)
    ct[orig] = (dsts[1], srcs[1], dps[1], sps[1])   # inverse of the reply
fail = 0
seen = {"nat": 0, "egress": 0, "local": 0, "icmp": 0}
for r in recs:
    sa, da, sp, dp, pr, dirn, inif, outif, xs, xd, xsp, xdp = r
    sp, dp = sp or "0", dp or "0"
    if dirn != "0":
        if xs not in ("", "0.0.0.0") or xsp not in ("", "0"):
            print("FAIL: outgoing flow %s has NAT fields %s:%s" % (r[:5], xs, xsp)); fail = 1
        continue
    if inif != lan_if:
        print("FAIL: %s came in on %s, not lan %s" % (r[:5], inif, lan_if)); fail = 1
    if da == "198.18.1.1":
        seen["local"] += 1
        if outif != "0":
            print("FAIL: local flow %s: OUTPUT_SNMP %s, want 0" % (r[:5], outif)); fail = 1
        continue
    if outif != wan_if:
        print("FAIL: %s: OUTPUT_SNMP %s, want wan %s" % (r[:5], outif, wan_if)); fail = 1
    else:
        seen["egress"] += 1
    if pr == "1":
        seen["icmp"] += 1
        if xs != "0.0.0.0" or xsp != "0":
            print("FAIL: ICMP flow %s has NAT fields" % (r[:5],)); fail = 1
        continue
    want = ct.get((sa, da, sp, dp, pr))
    got = (xs, xd, xsp, xdp)
    if want is None:
        print("FAIL: %s: conntrack -L has no such connection" % (r[:5],)); fail = 1
    elif got != want:
        print("FAIL: %s: post-NAT %s, conntrack says %s" % (r[:5], got, want)); fail = 1
    elif got[:3] == (sa, da, sp):
        print("FAIL: %s: the NAT changed nothing?" % (r[:5],)); fail = 1
    else:
        seen["nat"] += 1
        print("ok   %s %s:%s -> %s:%s became %s:%s -> %s:%s, out if %s"
              % (pr, sa, sp, da, dp, xs, xsp, xd, xdp, outif))
print("checked:", seen)
if seen["nat"] < 3 or seen["egress"] < 4 or seen["local"] < 1 or seen["icmp"] < 1:
    print("FAIL: expected >= 3 translated TCP/UDP flows, >= 4 routed to wan, "
          "1 local, 1 ICMP"); fail = 1
sys.exit(fail)
EOF
fail=$?

# nfdump shows the translated source as its xlate fields.
if command -v nfcapd > /dev/null && command -v nfdump > /dev/null; then
	nfcapd_start "$WORK/nf" || exit 1
	nfcapd_replay "$WORK/export.pcap"
	nfcapd_stop
	nfdump -R "$WORK/nf" -q -N -o 'fmt:%pr %sa %sp %da %dp %xsa %xsp %xda %xdp %out' \
	    > "$WORK/nfdump.txt" 2>&1
	cat "$WORK/nfdump.txt"
	x=$(awk '$1 == 17 && $6 == "198.18.2.1" && $7 >= 40000 && $7 <= 40999' "$WORK/nfdump.txt" | wc -l)
	[ "$x" -ge 2 ] || { echo "FAIL: nfdump shows no translated UDP source"; fail=1; }
fi
# The cap: with --lookup-rate 1, six new flows exported in the same
# second get one kernel query between them; the rest go out with 0s,
# counted as over_rate.
ip netns exec "$NS_R" "$PICOFLOW" -i lan --nat --egress --lookup-rate 1 -P -d \
    > "$WORK/cap.out" 2> "$WORK/cap.log" &
PF=$!
track "$PF"
wait_started picoflow "$PF" capturing "$WORK/cap.log" ||
	{ echo "FAIL: picoflow did not start"; exit 1; }
l python3 -c '
import socket
for p in range(6):
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.bind(("198.18.1.2", 50000 + p)); u.sendto(b"c", ("198.18.2.2", 9999))'
sleep 0.5
stop_pid "$PF"
untrack "$PF"
cat "$WORK/cap.log"
read -r q lim < <(sed -n 's/.* lookups: .* queries \([0-9]*\) over_rate \([0-9]*\).*/\1 \2/p' \
    "$WORK/cap.log" | awk '{q += $1; l += $2} END {print q + 0, l + 0}')
if [ "$q" -le 2 ] && [ "$lim" -ge 4 ]; then
	echo "ok   --lookup-rate 1: $q queries, $lim records over the cap"
else
	echo "FAIL: --lookup-rate 1: $q queries, $lim over the cap"
	fail=1
fi
[ $fail = 0 ] && echo "PASS: post-NAT fields equal conntrack's, OUTPUT_SNMP is the route's interface"
exit $fail
