#!/usr/bin/env bash
# Least privilege with the router features: -u nobody --nat --egress live
# on a masquerading router in namespaces (as nat.sh builds it:
# LAN 198.18.1.2 -- lan [router] wan -- 198.18.2.2 WAN, source ports
# rewritten to 40000-40999).  While it runs, /proc/PID/status must say:
# every user and group id nobody's, CapEff and CapPrm CAP_NET_ADMIN alone
# (bit 12: 0000000000001000), nothing inheritable or ambient, Seccomp 2.
# Traffic from the LAN then goes out; after SIGTERM the exported records
# (tshark) must carry the translated source, 198.18.2.1 on a port of the
# masquerade range, for the UDP and TCP flows: conntrack answered a
# process that is not root.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
require_picoflow
require ip tshark python3 conntrack nft
[ "$(id -u)" = 0 ] || skip "needs root for network namespaces"
id nobody > /dev/null 2>&1 || skip "no user nobody"
"$PICOFLOW" -h | grep -q -- --nat || skip "picoflow has no --nat"
"$PICOFLOW" -T -i lo --egress -n 127.0.0.1:9 2>&1 | grep -q 'without netlink' &&
	skip "$PICOFLOW is built without netlink (NETLINK=none)"

netns_routed 198.18 lan wan
r() { ip netns exec "$NS_R" "$@"; }
r nft -f - <<'EOF' || skip "nftables cannot set up NAT in this kernel"
table ip pfnat {
	chain post {
		type nat hook postrouting priority srcnat;
		oifname "wan" meta l4proto { tcp, udp } masquerade to :40000-40999
	}
}
EOF
r conntrack -L > /dev/null 2>&1 || skip "conntrack cannot list connections here"

LIB_NS=$NS_R sink_start "$WORK/export.pcap" || exit 1
ip netns exec "$NS_R" "$PICOFLOW" -i lan --nat --egress -u nobody \
    -n "127.0.0.1:$SINK_PORT" -d > "$WORK/pf.log" 2>&1 &
PF=$!
track "$PF"
wait_started picoflow "$PF" 'sandboxed' "$WORK/pf.log" ||
	{ echo "FAIL: picoflow did not start"; exit 1; }
st=/proc/$PF/status
grep -E '^(Uid|Gid|Groups|Cap[A-Za-z]*|NoNewPrivs|Seccomp):' "$st"
fail=0
want() {	# want FIELD VALUE (ERE over the whole value)
	local v
	v=$(sed -n "s/^$1:[[:space:]]*//p" "$st" | tr -s '\t ' ' ' | sed 's/ $//')
	if [[ $v =~ ^$2$ ]]; then
		echo "ok    $1: $v"
	else
		echo "FAIL: $1: '$v', want /$2/"
		fail=1
	fi
}
want Uid '65534 65534 65534 65534'
want CapEff 0000000000001000
want CapPrm 0000000000001000
want CapInh 0000000000000000
want CapAmb 0000000000000000
want Seccomp 2
g=$(id -g nobody)
want Gid "$g $g $g $g"
want Groups "$g"

ip netns exec "$NS_S" python3 -c '
import select, socket
t = socket.socket(); t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
t.bind(("198.18.2.2", 8080)); t.listen(4)
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("198.18.2.2", 9999))
left = 2
while left:
    rd, _, _ = select.select([t, u], [], [], 10)
    if not rd: break
    for s in rd:
        if s is t:
            c, _ = t.accept(); c.sendall(c.recv(100)); c.close()
        else:
            d, a = u.recvfrom(100); u.sendto(d, a)
        left -= 1' &
track $!
sleep 0.3
ip netns exec "$NS_C" python3 -c '
import socket
c = socket.create_connection(("198.18.2.2", 8080), timeout=5)
c.sendall(b"hello"); c.recv(100); c.close()
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.settimeout(5)
u.sendto(b"ping", ("198.18.2.2", 9999)); u.recvfrom(100)' ||
	{ echo "FAIL: LAN traffic did not get through the NAT"; exit 1; }
sleep 0.3
stop_pid "$PF"
untrack "$PF"
LIB_NS=$NS_R sink_stop
cat "$WORK/pf.log"
grep -q 'running as nobody' "$WORK/pf.log" || { echo "FAIL: no 'running as nobody'"; fail=1; }
tshark -n -r "$WORK/export.pcap" -d "udp.port==$SINK_PORT,cflow" -Y cflow.srcaddr \
    -T fields -E separator=/t -E aggregator=, -e cflow.srcaddr -e cflow.protocol \
    -e cflow.post_natsource_ipv4_address -e cflow.post_naptsource_transport_port \
    > "$WORK/records.txt" 2> /dev/null
python3 - "$WORK/records.txt" <<'EOF' || fail=1
import sys
got = set()
for line in open(sys.argv[1]):
    cols = [c.split(",") for c in line.rstrip("\n").split("\t")]
    for i in range(len(cols[0])):
        src, proto, xs, xp = (c[i] if i < len(c) else "" for c in cols)
        if src == "198.18.1.2" and xs == "198.18.2.1" and 40000 <= int(xp or 0) <= 40999:
            got.add(proto)
            print("ok    proto %s from 198.18.1.2 exported as %s:%s" % (proto, xs, xp))
if not {"6", "17"} <= got:
    print("FAIL: want translated TCP and UDP records, got protocols %s" % sorted(got))
    sys.exit(1)
EOF
[ "$fail" = 0 ] && echo "PASS: -u nobody --nat: CAP_NET_ADMIN alone, sandboxed, post-NAT fields exported"
exit "$fail"
