#!/usr/bin/env bash
# --process end to end (issue 21), in two network namespaces this test
# creates and removes: A (10.79.0.1) and B (10.79.0.2) joined by a veth
# pair, picoflow in B on its end, as nobody (keeping CAP_DAC_READ_SEARCH
# and CAP_SYS_PTRACE), sandboxed.  Programs whose pids the test knows:
#   in B: a UDP server answering on 5300 (S1), a TCP server on 8000 that
#         answers each request after 5 ms and closes first (S2: its
#         connection may be over before picoflow asks; it is the
#         listener's), a UDP sender to A (C1), a curl-like client (C2:
#         connect, request, answer after 50 ms, close at once) to A's
#         TCP server;
#   in A: the peers (A's programs are never B's: never attributed), and
#         a client that connects to S2 and closes at once.
# tshark decodes the export: each flow's end in B carries its program's
# pid, name and user (root), the end in A nothing.
. "$(dirname "$0")/lib.sh"
require_picoflow
require ip tshark python3
[ "$(id -u)" = 0 ] || skip "needs root for network namespaces"
"$PICOFLOW" --help 2>&1 | grep -q -- --process ||
	skip "picoflow was built without --process"
id nobody > /dev/null 2>&1 || skip "no user nobody"

fail=0
bad() { echo "FAIL: $*"; fail=1; }
a() { ip netns exec "$NS_A" "$@"; }
b() { ip netns exec "$NS_B" "$@"; }

netns_add NS_A NS_B || skip "cannot create network namespaces here"
ip link add vA netns "$NS_A" type veth peer name vB netns "$NS_B" ||
	skip "cannot create veth pairs here"
a ip link set lo up
b ip link set lo up
a ip addr add 10.79.0.1/24 dev vA
b ip addr add 10.79.0.2/24 dev vB
a ip link set vA up
b ip link set vB up

LIB_NS=$NS_B
sink_start "$WORK/export.pcap" || { echo "FAIL: receiver"; exit 1; }

# One python program per role, each printing its pid when ready.
cat > "$WORK/roles.py" <<'EOF'
import os, socket, sys, time
role = sys.argv[1]
def ready():
    print(os.getpid(), flush=True)
if role == 'udp-server':		# answers each datagram
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((sys.argv[2], int(sys.argv[3])))
    ready()
    while True:
        d, peer = s.recvfrom(100)
        s.sendto(d, peer)
elif role == 'tcp-server':		# reads a request, answers, closes
    delay = float(sys.argv[4])
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((sys.argv[2], int(sys.argv[3])))
    s.listen(8)
    ready()
    while True:
        c, _ = s.accept()
        try:
            c.recv(100)
            time.sleep(delay)
            c.sendall(b'HTTP/1.0 200 OK\r\n\r\nok')
        except OSError:
            pass
        c.close()
elif role == 'udp-client':		# one datagram, and its answer
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((sys.argv[4], 0))
    ready()
    time.sleep(0.5)
    s.settimeout(2)
    s.sendto(b'hello', (sys.argv[2], int(sys.argv[3])))
    s.recv(100)
    time.sleep(0.5)
elif role == 'tcp-once':		# connects and closes at once
    ready()
    time.sleep(0.5)
    t = socket.socket()
    t.bind((sys.argv[4], int(sys.argv[5])))
    t.connect((sys.argv[2], int(sys.argv[3])))
    t.close()
    time.sleep(0.5)
elif role == 'tcp-client':		# curl-like: request, answer, close
    ready()
    time.sleep(0.5)
    t = socket.create_connection((sys.argv[2], int(sys.argv[3])), timeout=2,
                                 source_address=(sys.argv[4], 0))
    t.sendall(b'GET / HTTP/1.0\r\n\r\n')
    t.recv(100)
    t.close()
    time.sleep(0.5)
EOF
start_role() {	# start_role NS-FN OUTVAR ROLE ARGS...: its pid in OUTVAR
	local ns=$1 var=$2 log="$WORK/$3-$1.log" i
	shift 2
	"$ns" python3 "$WORK/roles.py" "$@" > "$log" 2>&1 &
	track $!
	for i in $(seq 1 100); do
		[ -s "$log" ] && break
		sleep 0.05
	done
	printf -v "$var" '%s' "$(head -1 "$log")"
}

ip netns exec "$NS_B" "$PICOFLOW" -i vB --process -n "127.0.0.1:$SINK_PORT" \
    -u nobody -t tcp.fin=1 -t tcp.rst=1 -t udp=2 -t tcp=2 -d \
    > "$WORK/pf.log" 2>&1 &
PF=$!
track $PF
for _ in $(seq 1 100); do
	grep -q capturing "$WORK/pf.log" 2>/dev/null && break
	sleep 0.05
done
grep -q capturing "$WORK/pf.log" || { cat "$WORK/pf.log"; echo "FAIL: picoflow did not start"; exit 1; }

start_role b S1 udp-server 10.79.0.2 5300
start_role b S2 tcp-server 10.79.0.2 8000 0.005
start_role a PA1 udp-server 10.79.0.1 5301
start_role a PA2 tcp-server 10.79.0.1 8001 0.05
sleep 0.3
start_role b C1 udp-client 10.79.0.1 5301 10.79.0.2
start_role b C2 tcp-client 10.79.0.1 8001 10.79.0.2
start_role a CA1 udp-client 10.79.0.2 5300 10.79.0.1
start_role a CA2 tcp-client 10.79.0.2 8000 10.79.0.1
start_role a CA3 tcp-once 10.79.0.2 8000 10.79.0.1 40999
echo "B: udp-server $S1 tcp-server $S2 udp-client $C1 tcp-client $C2; A (not B's): $PA1 $PA2 $CA1 $CA2"
sleep 4	# the clients' exchanges, then past the idle timeouts

kill -TERM $PF
wait $PF
rc=$?
untrack $PF
[ $rc = 0 ] || bad "picoflow exited $rc"
sink_stop

# One line a record: src sport dst dport proto spid sname suser dpid dname
# duser ("-" for none).  From tshark's PDML, in wire order: a record
# starts at its source address; empty names have no field there.
tshark -n -r "$WORK/export.pcap" -d "udp.port==$SINK_PORT,cflow" -T pdml \
    > "$WORK/pdml" 2> "$WORK/tshark.err"
python3 - "$WORK/pdml" > "$WORK/records" <<'EOF'
import sys, xml.etree.ElementTree as ET
cols = ['cflow.srcaddr', 'cflow.srcport', 'cflow.dstaddr', 'cflow.dstport',
        'cflow.protocol', 'cflow.pie.ntop.src_proc_id',
        'cflow.pie.ntop.src_proc_name', 'cflow.pie.ntop.src_proc_user_name',
        'cflow.pie.ntop.dst_proc_pid', 'cflow.pie.ntop.dst_proc_name',
        'cflow.pie.ntop.dst_proc_user_name']
recs = []
for el in ET.parse(sys.argv[1]).iter('field'):
    name = el.get('name')
    if name == 'cflow.srcaddr':
        recs.append({})
    if recs and name in cols and name not in recs[-1]:
        recs[-1][name] = el.get('show')
for r in recs:
    v = [r.get(c, '-') for c in cols]
    v = ['-' if (c.endswith(('_id', '_pid')) and x == '0') else x
         for c, x in zip(cols, v)]
    print(' '.join(v))
EOF
sed 's/^/  /' "$WORK/records"

# want SRC SPORT DST DPORT PROTO SPID DPID: the record with these ends
# (a port of 0 matches any) has these owners (- for none), named python3
# and root where there is one
want() {
	local line spid dpid
	line=$(awk -v s="$1" -v sp="$2" -v d="$3" -v dp="$4" -v p="$5" \
	    '$1 == s && (sp == 0 || $2 == sp) && $3 == d &&
	    (dp == 0 || $4 == dp) && $5 == p' "$WORK/records" | head -1)
	if [ -z "$line" ]; then
		bad "no record $1:$2 -> $3:$4 proto $5"
		return
	fi
	read -r _ _ _ _ _ spid sname suser dpid dname duser <<< "$line"
	if [ "$spid $dpid" != "$6 $7" ]; then
		bad "$1:$2 -> $3:$4: owners $spid/$dpid, want $6/$7"
		return
	fi
	{ [ "$6" = - ] || [ "$sname $suser" = "python3 root" ]; } &&
	    { [ "$7" = - ] || [ "$dname $duser" = "python3 root" ]; } ||
	    { bad "$1:$2 -> $3:$4: names '$sname $suser' '$dname $duser'"; return; }
	echo "ok: $1:$2 -> $3:$4 proto $5 owners $6 / $7"
}
want 10.79.0.1 0 10.79.0.2 5300 17 - "$S1"	# A's client to S1
want 10.79.0.2 5300 10.79.0.1 0 17 "$S1" -	# S1's answer
want 10.79.0.1 0 10.79.0.2 8000 6 - "$S2"	# A's client to S2
want 10.79.0.2 8000 10.79.0.1 0 6 "$S2" -
want 10.79.0.1 40999 10.79.0.2 8000 6 - "$S2"	# closed at once
want 10.79.0.2 8000 10.79.0.1 40999 6 "$S2" -
want 10.79.0.2 0 10.79.0.1 5301 17 "$C1" -	# B's sender
want 10.79.0.1 5301 10.79.0.2 0 17 - "$C1"
want 10.79.0.2 0 10.79.0.1 8001 6 "$C2" -	# B's curl-like client
want 10.79.0.1 8001 10.79.0.2 0 6 - "$C2"
grep 'process:' "$WORK/pf.log" | sed 's/^/  /'
grep -q 'sandboxed (seccomp-bpf)' "$WORK/pf.log" ||
	echo "note: not sandboxed here: $(grep -m1 'sandbox' "$WORK/pf.log")"
if [ $fail != 0 ]; then
	grep -v '^memory' "$WORK/pf.log" | tail -15 | sed 's/^/  pf: /'
	exit 1
fi
echo "PASS: owners of B's ends, as nobody, none for A's"
