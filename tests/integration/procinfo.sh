#!/usr/bin/env bash
# --process, the lookup module alone (src/procinfo.h): in a network
# namespace of its own, known python programs hold sockets, and a small
# driver (procinfo_probe.c, built here from build/libpicoflow.a) asks who
# owns each end of their flows:
#   - a UDP listener on 127.0.0.1 and a client that sent to it (unconnected
#     sockets on both sides);
#   - a TCP connection held open (both ends), and one the client closed at
#     once (its end has no owner left: why the lead asks at flow creation;
#     the server's accepted socket still names the server);
#   - IPv6 UDP on ::1;
#   - a UDP listener bound to a device (SO_BINDTODEVICE), which only the
#     dump of its port's sockets finds;
#   - an address added to the namespace while the driver runs becomes
#     local (rtnetlink events);
#   - a UDP listener in a second namespace: not seen from the first, and
#     the first's listener is found even with a twin on the same address
#     and port in the second;
#   - a process that created its socket in the first namespace and then
#     moved to the second: the socket is found (its uid), the process is
#     not named (its /proc/PID/ns/net is not the driver's).
# Then the driver's cost figures, and what an unprivileged driver sees
# (setpriv: nobody, with no capabilities, CAP_SYS_PTRACE,
# CAP_DAC_READ_SEARCH, both).
. "$(dirname "$0")/lib.sh"
require ip python3 nm
[ "$(id -u)" = 0 ] || skip "needs root for network namespaces"
LIBPF=$ROOT/build/libpicoflow.a
[ -r "$LIBPF" ] || skip "$LIBPF is not built (run make)"
nm "$LIBPF" 2>/dev/null | grep -q ' T procinfo_is_local' ||
    skip "$LIBPF has no procinfo"
nm "$LIBPF" 2>/dev/null | grep -q ' T procinfo_socket_inode' ||
    skip "$LIBPF was built with NETLINK=none"
netns_add NS_A NS_B || skip "cannot create a network namespace here"
ip -n "$NS_A" link set lo up
ip -n "$NS_B" link set lo up

DRV=$WORK/procinfo_probe
# shellcheck disable=SC2086 # CFLAGS is a list of flags
${CC:-cc} -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
    -D_FILE_OFFSET_BITS=64 -I"$ROOT/src" -I"$ROOT/platform" -std=c99 \
    -Wall -Wextra -Werror -Wmissing-prototypes -Wshadow -Wvla -O2 \
    -o "$DRV" "$ROOT/tests/integration/procinfo_probe.c" "$LIBPF" -lmnl ||
    { echo "FAIL: cannot build the driver"; exit 1; }

fail=0
# report STATUS WHAT: one line of the report, STATUS being the $? of a check
report() {
	if [ "$1" = 0 ]; then
		echo "ok   $2"
	else
		echo "FAIL $2"
		fail=1
	fi
}

# Programs: each writes "ready" into its file once its sockets are set up,
# then waits to be stopped.
UDP_SRV='import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", int(sys.argv[2]) if len(sys.argv) > 2 else 0))
open(sys.argv[1], "w").write("%d\n" % s.getsockname()[1])
while True:
    d, a = s.recvfrom(2048)
    s.sendto(d, a)'
UDP_CLI='import socket, sys, time
c = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
c.settimeout(5)
c.sendto(b"hello", ("127.0.0.1", int(sys.argv[2])))
c.recvfrom(2048)
open(sys.argv[1], "w").write("%d\n" % c.getsockname()[1])
time.sleep(120)'
TCP_SRV='import socket, sys, time
t = socket.socket()
t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
t.bind(("127.0.0.1", 0))
t.listen(8)
open(sys.argv[1], "w").write("%d\n" % t.getsockname()[1])
held = []
while True:
    a, _ = t.accept()
    held.append(a)'
TCP_CLI='import socket, sys, time
c = socket.create_connection(("127.0.0.1", int(sys.argv[2])))
port = c.getsockname()[1]
if sys.argv[3] == "close":
    c.close()
open(sys.argv[1], "w").write("%d\n" % port)
time.sleep(120)'
UDP6_SRV='import socket, sys, time
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.bind(("::1", 0))
c = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
c.sendto(b"x", ("::1", s.getsockname()[1]))
s.recvfrom(16)
open(sys.argv[1], "w").write("%d %d\n" % (s.getsockname()[1], c.getsockname()[1]))
time.sleep(120)'
# Bound to a device: the exact lookup (no interface) cannot reach it, the
# dump of the port's sockets can.
BOUND='import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, b"lo")
s.bind(("127.0.0.1", 0))
open(sys.argv[1], "w").write("%d\n" % s.getsockname()[1])
time.sleep(120)'
# Binds in the namespace it starts in, then moves to the one named.
MOVER='import ctypes, os, socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
fd = os.open("/run/netns/" + sys.argv[2], os.O_RDONLY)
if ctypes.CDLL(None, use_errno=True).setns(fd, 0x40000000) != 0:
    sys.exit("setns failed")
open(sys.argv[1], "w").write("%d\n" % s.getsockname()[1])
time.sleep(120)'

# start NAME NS PROGRAM ARGS...: sets pid_NAME, waits for $WORK/NAME.
start() {
	local name=$1 ns=$2 prog=$3 i
	shift 3
	ip netns exec "$ns" python3 -c "$prog" "$WORK/$name" "$@" &
	track $!
	printf -v "pid_$name" '%s' $!
	for i in $(seq 1 50); do
		[ -s "$WORK/$name" ] && return 0
		sleep 0.1
	done
	echo "FAIL: $name did not start"
	exit 1
}

start usrv "$NS_A" "$UDP_SRV"
read -r usrv_port < "$WORK/usrv"
start ucli "$NS_A" "$UDP_CLI" "$usrv_port"
read -r ucli_port < "$WORK/ucli"
start tsrv "$NS_A" "$TCP_SRV"
read -r tsrv_port < "$WORK/tsrv"
start topen "$NS_A" "$TCP_CLI" "$tsrv_port" open
read -r topen_port < "$WORK/topen"
start tclosed "$NS_A" "$TCP_CLI" "$tsrv_port" close
read -r tclosed_port < "$WORK/tclosed"
start udp6 "$NS_A" "$UDP6_SRV"
read -r udp6_port udp6_cli < "$WORK/udp6"
start bound "$NS_A" "$BOUND"
read -r bound_port < "$WORK/bound"
# its twin in the other namespace, on the same address and port
start twin "$NS_B" "$UDP_SRV" "$usrv_port"
start other "$NS_B" "$UDP_SRV"
read -r other_port < "$WORK/other"
start mover "$NS_A" "$MOVER" "$NS_B"
read -r mover_port < "$WORK/mover"
# shellcheck disable=SC2154 # set by start() through printf -v
{
	me=$(id -un)
	comm_of() { cat "/proc/$1/comm"; }
	n_usrv=$(comm_of "$pid_usrv") n_ucli=$(comm_of "$pid_ucli")
	n_tsrv=$(comm_of "$pid_tsrv") n_topen=$(comm_of "$pid_topen")
	n_udp6=$(comm_of "$pid_udp6") n_bound=$(comm_of "$pid_bound")
	twin=$pid_twin
}

FLOWS=(
	"udp:127.0.0.1:$ucli_port:127.0.0.1:$usrv_port"
	"tcp:127.0.0.1:$topen_port:127.0.0.1:$tsrv_port"
	"tcp:127.0.0.1:$tclosed_port:127.0.0.1:$tsrv_port"
	"udp:[::1]:$udp6_cli:[::1]:$udp6_port"
	"udp:127.0.0.1:40997:127.0.0.1:$bound_port"
	"udp:127.0.0.1:40999:127.0.0.1:$other_port"
	"udp:127.0.0.1:40998:127.0.0.1:$mover_port"
)
ip netns exec "$NS_A" "$DRV" "${FLOWS[@]}" > "$WORK/out" 2> "$WORK/err" ||
    { cat "$WORK/err"; echo "FAIL: the driver failed"; exit 1; }
sed 's/^/    /' "$WORK/out"

# has SIDE PROTO SPORT DPORT PATTERN: the driver's line for that lookup
# matches PATTERN (grep -E)
has() {
	awk -v s="$1" -v p="$2" -v a="$3" -v b="$4" \
	    '$1 == s && $2 == p && $4 == a && $6 == b' "$WORK/out" |
	    grep -Eq -- "$5"
}
uid=$(id -u)
# is SIDE PROTO SPORT DPORT PID NAME: attributed to PID, NAME, this user
is() { has "$1" "$2" "$3" "$4" " rc=2 pid=$5 name=$6 uid=$uid user=$me\$"; }

is SRC udp "$ucli_port" "$usrv_port" "$pid_ucli" "$n_ucli"
report $? "UDP client ($pid_ucli $n_ucli) found"
is DST udp "$ucli_port" "$usrv_port" "$pid_usrv" "$n_usrv"
report $? "UDP listener ($pid_usrv $n_usrv) found, not its twin ($twin) in $NS_B"
is SRC tcp "$topen_port" "$tsrv_port" "$pid_topen" "$n_topen"
report $? "TCP client ($pid_topen $n_topen) found"
is DST tcp "$topen_port" "$tsrv_port" "$pid_tsrv" "$n_tsrv"
report $? "TCP server's accepted socket ($pid_tsrv $n_tsrv) found"
has SRC tcp "$tclosed_port" "$tsrv_port" " rc=0 "
report $? "closed TCP client: no owner left (rc=0)"
is DST tcp "$tclosed_port" "$tsrv_port" "$pid_tsrv" "$n_tsrv"
report $? "closed TCP connection: the server still holds its end"
is SRC udp "$udp6_cli" "$udp6_port" "$pid_udp6" "$n_udp6" &&
    is DST udp "$udp6_cli" "$udp6_port" "$pid_udp6" "$n_udp6"
report $? "IPv6 UDP both ends ($pid_udp6 $n_udp6)"
is DST udp 40997 "$bound_port" "$pid_bound" "$n_bound"
report $? "UDP listener bound to lo ($pid_bound $n_bound), by the port dump"
has DST udp 40999 "$other_port" " rc=0 pid=0 "
report $? "listener in another namespace not seen (rc=0)"
has DST udp 40998 "$mover_port" " rc=1 pid=0 name=- uid=$uid "
report $? "process moved to another namespace not named (rc=1, uid only)"

# Local addresses follow the kernel's: one added while procinfo is open
# is learnt from the address events (read once a second).
ip netns exec "$NS_A" "$DRV" -a 198.51.100.7 > "$WORK/addr" 2>&1 &
drv=$!
sleep 0.5
ip -n "$NS_A" addr add 198.51.100.7/32 dev lo
wait "$drv"
grep -q '^LOCAL 198.51.100.7 at-open=0 later=1 ' "$WORK/addr"
report $? "an address added later is local: $(grep -o 'after=[0-9]*' \
"$WORK/addr") ms"

# The cap: 3 units a second; the first lookup spends 2 (request, scan),
# so of 6 lookups in the same second some must be capped.
ip netns exec "$NS_A" "$DRV" -r 3 "${FLOWS[@]:0:3}" > "$WORK/capped" 2>&1
grep -Eq '^STATS .* capped=[1-9]' "$WORK/capped"
report $? "rate cap: $(grep -o 'capped=[0-9]*' "$WORK/capped") of \
$(grep -o 'asked=[0-9]*' "$WORK/capped") at -r 3"

echo "--- cost (driver in $NS_A, $(grep -c '^processor' /proc/cpuinfo) cpus, \
$(find /proc -maxdepth 1 -name '[0-9]*' | wc -l) processes visible)"
ip netns exec "$NS_A" "$DRV" -b 2000 "${FLOWS[0]}" "${FLOWS[1]}" |
    grep -E '^(COST|MEM|STATS)' | sed 's/^/    /'

# What an unprivileged probe sees: nobody, with some capabilities kept.
if command -v setpriv > /dev/null; then
	echo "--- unprivileged (setpriv --reuid nobody)"
	for caps in none sys_ptrace dac_read_search sys_ptrace,dac_read_search; do
		if [ $caps = none ]; then
			set -- --inh-caps=-all
		else
			set -- --inh-caps="-all,+${caps//,/,+}" \
			    --ambient-caps="+${caps//,/,+}"
		fi
		ip netns exec "$NS_A" setpriv --reuid=65534 --regid=65534 \
		    --clear-groups "$@" "$DRV" "${FLOWS[0]}" "${FLOWS[1]}" \
		    > "$WORK/np" 2>&1
		printf '    %-30s %s\n' "caps: $caps" "$(awk '$1 == "SRC" ||
		    $1 == "DST" { printf "%s:%s ", $1, $7 }' "$WORK/np")$(grep -v \
		    -E '^(SRC|DST|MEM|STATS)' "$WORK/np" | head -n 1)"
	done
	echo "    (rc=2 process named, rc=1 socket and uid only, rc=0 nothing)"
fi

[ $fail = 0 ] && echo "PASS: procinfo names the owners of local flows, in its own namespace only"
exit $fail
