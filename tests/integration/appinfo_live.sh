#!/usr/bin/env bash
# --app-info live (issue 18), in two network namespaces this test creates
# and removes: a client A and a server B joined by a veth pair, picoflow
# on B's end (AF_PACKET, sandboxed, as nobody).
# From A: a DNS query over IPv4 and one over IPv6 (B answers NXDOMAIN), a
# real TLS handshake by Python's ssl module with server name
# live.example.org (the client's segments are cut to 100 bytes with
# TCP_MAXSEG, so its ClientHello spans several, and its SNI lies past the
# 256-byte snap length: only the kernel filter's longer snap for
# name-carrying packets and the reassembly let the name through) and an
# HTTP request with Host web.example.net:8080.  tshark decodes the export:
# each name on its flow, the handshake halves on the TCP flows, and the
# stats line says what was named.
. "$(dirname "$0")/lib.sh"
require_picoflow
require ip tshark python3
[ "$(id -u)" = 0 ] || skip "needs root for network namespaces"
"$PICOFLOW" --help 2>&1 | grep -q -- --app-info ||
	skip "picoflow was built without --app-info (APP_INFO=no)"

fail=0
bad() { echo "FAIL: $*"; fail=1; }
a() { ip netns exec "$NS_A" "$@"; }
b() { ip netns exec "$NS_B" "$@"; }

netns_add NS_A NS_B || skip "cannot create network namespaces here"
ip link add vA netns "$NS_A" type veth peer name vB netns "$NS_B" ||
	skip "cannot create veth pairs here"
for x in "a vA 1" "b vB 2"; do
	# shellcheck disable=SC2086 # split into words on purpose
	set -- $x
	$1 ip link set lo up
	$1 ip addr add "10.77.0.$3/24" dev "$2"
	$1 ip addr add "fd77::$3/64" dev "$2" nodad
	$1 ip link set "$2" up
	# no segmentation offload: the segments on the wire are the capture's
	$1 ethtool -K "$2" tso off gso off gro off > /dev/null 2>&1 || true
done

LIB_NS=$NS_B
sink_start "$WORK/export.pcap" || { echo "FAIL: receiver"; exit 1; }

# B: a DNS server that answers NXDOMAIN, a TCP server for TLS (reads the
# ClientHello, then closes) and one for HTTP.
cat > "$WORK/servers.py" <<'EOF'
import socket, threading
def dns(fam, addr):
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.bind((addr, 53))
    while True:
        q, peer = s.recvfrom(512)
        s.sendto(q[:2] + b'\x81\x83' + q[4:], peer)
def tcp(port):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(('10.77.0.2', port))
    s.listen(8)
    while True:
        c, _ = s.accept()
        c.settimeout(2)
        try:
            c.recv(65536)
        except OSError:
            pass
        c.close()
for t in ((dns, (socket.AF_INET, '10.77.0.2')), (dns, (socket.AF_INET6, 'fd77::2')),
          (tcp, (443,)), (tcp, (8080,))):
    threading.Thread(target=t[0], args=t[1], daemon=True).start()
print('ready', flush=True)
threading.Event().wait()
EOF
b python3 "$WORK/servers.py" > "$WORK/servers.log" 2>&1 &
track $!
for _ in $(seq 1 100); do
	grep -q ready "$WORK/servers.log" 2>/dev/null && break
	sleep 0.05
done

ip netns exec "$NS_B" "$PICOFLOW" -i vB --app-info -n "127.0.0.1:$SINK_PORT" -u nobody \
    -t tcp=2 -t udp=2 -t tcp.fin=1 -t tcp.rst=1 -d > "$WORK/pf.log" 2>&1 &
PF=$!
track $PF
for _ in $(seq 1 100); do
	grep -q capturing "$WORK/pf.log" 2>/dev/null && break
	sleep 0.05
done
grep -q capturing "$WORK/pf.log" || { cat "$WORK/pf.log"; echo "FAIL: picoflow did not start"; exit 1; }
grep -q 'af_packet backend' "$WORK/pf.log" ||
	skip "picoflow was built with another BACKEND (the kernel filter's snap is AF_PACKET's)"

# A: the traffic.
cat > "$WORK/client.py" <<'EOF'
import socket, ssl, struct
def query(fam, server, name, qtype):
    q = struct.pack('>HHHHHH', 0x1234, 0x0100, 1, 0, 0, 0)
    q += b''.join(bytes([len(x)]) + x for x in name.split(b'.')) + b'\0'
    q += struct.pack('>HH', qtype, 1)
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.settimeout(2)
    s.sendto(q, (server, 53))
    s.recv(512)
query(socket.AF_INET, '10.77.0.2', b'four.example.com', 1)
query(socket.AF_INET6, 'fd77::2', b'six.example.com', 28)
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
raw = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_MAXSEG, 100)
raw.settimeout(3)
raw.connect(('10.77.0.2', 443))
try:
    ctx.wrap_socket(raw, server_hostname='live.example.org')
except (OSError, ssl.SSLError):
    pass
h = socket.create_connection(('10.77.0.2', 8080), timeout=3)
h.sendall(b'GET / HTTP/1.1\r\nAccept: */*\r\nHost: web.example.net:8080\r\n\r\n')
h.recv(100)
h.close()
EOF
a python3 "$WORK/client.py" || bad "the client's traffic failed"
sleep 3	# past the idle timeouts: the records go out

kill -TERM $PF
wait $PF
rc=$?
untrack $PF
[ $rc = 0 ] || bad "picoflow exited $rc"
sink_stop

tshark -n -r "$WORK/export.pcap" -d "udp.port==$SINK_PORT,cflow" -T fields \
    -E occurrence=a -E aggregator=';' \
    -e cflow.pie.ntop.dns_query -e cflow.pie.ntop.ssl_server_name \
    -e cflow.pie.ntop.http_host -e cflow.pie.ntop.client_nw_latency_ms \
    -e cflow.pie.server_nw_latency_ms -e _ws.malformed \
    > "$WORK/tshark" 2> "$WORK/tshark.err"
names=$(sed 's/[\t;]/\n/g' "$WORK/tshark" | grep -c example)
echo "names decoded by tshark: $names"
for n in four.example.com six.example.com live.example.org web.example.net:8080; do
	c=$(sed 's/[\t;]/\n/g' "$WORK/tshark" | grep -cx "$n")
	case $n in
	*.com) want=2 ;;	# the query's flow and the answer's
	*) want=1 ;;		# the client's flow
	esac
	[ "$c" = "$want" ] && echo "ok: $n on $c record(s)" ||
		bad "$n: on $c records, want $want"
done
# Two TCP connections seen from their SYN: four records with halves
# (Wireshark 4.0 names the server half cflow.pie.server_nw_latency_ms).
lat=$(cut -f4 "$WORK/tshark" | tr ';' '\n' | grep -c '^[0-9]')
[ "$lat" -ge 4 ] && echo "ok: $lat records with handshake times" ||
	bad "$lat records with handshake times, want 4"
grep -q 1 <(cut -f6 "$WORK/tshark") && bad "tshark: malformed export"
grep 'app-info:' "$WORK/pf.log" | sed 's/^/  /'
grep -q 'rasm_lost 0' "$WORK/pf.log" || bad "a split ClientHello was lost"
grep -q 'rasm_names [1-9]' "$WORK/pf.log" ||
	bad "no name was found across segments (the ClientHello was not split?)"
if [ $fail != 0 ]; then
	sed 's/^/  pf: /' "$WORK/pf.log" | tail -20
	exit 1
fi
echo "PASS: names, reassembly past the snap length, handshakes, live"
