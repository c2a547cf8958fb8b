#!/bin/busybox sh
# shellcheck shell=dash
# /init of the VMs of "make vm-check" (tests/vm/vm-check.sh builds the
# initramfs around it): runs one suite of live tests against the VM's own
# kernel, reports on the console and powers off.  The kernel command line
# picks the suite: pfvm=base or pfvm=netlink.
#
# What the initramfs holds: busybox; /pf/picoflow (make TOOLCHAIN=...,
# static, NETLINK=none), /pf/pktsend and /pf/collect (tests/vm/*.c, same
# toolchain); /pf/replay.pcap, /pf/part1.pcap, /pf/part2.pcap (real
# captures, concatenated on the host); /mod/*.ko and /mod/order (the veth
# module, in load order).  The netlink suite adds /pf/picoflow-mnl
# (NETLINK=mnl, linked against Debian's libmnl0, libpcap0.8 and libc6 of the
# architecture, which are in /lib with their loader), /pf/nft with its
# libraries and /pf/nat.nft (tests/data/nat.nft), /pf/routed.pcap
# (tests/vm/vmtool.py routed) and the netfilter modules.
#
# Console protocol, one line each ("PFVM " and then):
#   boot UPTIME                 /init started UPTIME s after the kernel
#   ok NAME DETAIL | fail NAME DETAIL    a check made in the VM
#   figure NAME VALUE...        a figure for the host to print
#   file NAME / base64 lines / end NAME  an export (collector's pcap)
#   done                        the suite ran to its end
# The host judges the exports (nfdump, tshark) and everything else by
# these lines; a missing "done" is a failure.
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
/bin/busybox mkdir -p /proc /sys /dev /tmp /sbin /usr/bin /usr/sbin
/bin/busybox mount -t proc proc /proc
/bin/busybox --install -s
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
echo "PFVM boot $(cut -d' ' -f1 /proc/uptime)"
# Kernel messages would cut into the base64 lines: errors and worse only
# (dmesg is printed when something fails).
echo 4 > /proc/sys/kernel/printk

FAIL=0
PORT=2055
say() { echo "PFVM $*"; }
ok() { say "ok $*"; }
bad() { say "fail $*"; FAIL=1; }
figure() { say "figure $*"; }

# wait_for PATTERN FILE SECS: until FILE has a line matching PATTERN.  The
# bounds are generous: under TCG on a busy host the guest can be slow.
wait_for() {
	local i=0
	while [ $i -lt $(($3 * 10)) ]; do
		grep -q "$1" "$2" 2>/dev/null && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

show_log() {	# show_log FILE: a log on the console, for the host's record
	sed 's/^/  | /' "$1"
}

col_start() {	# col_start NAME: the collector, writing /tmp/NAME.pcap
	/pf/collect $PORT "/tmp/$1.pcap" > "/tmp/$1.col" 2>&1 &
	COL=$!
	wait_for '^listening' "/tmp/$1.col" 30 || bad "$1 collector did not start"
}

col_stop() {	# col_stop NAME: drain, stop; send the export to the host
	kill -TERM $COL
	wait $COL
	say "file $1"
	base64 "/tmp/$1.pcap"
	say "end $1"
	rm -f "/tmp/$1.pcap"
}

# pf_start LOG BINARY ARGS...: picoflow until it captures
pf_start() {
	local log=$1
	shift
	"$@" -n 127.0.0.1:$PORT -d > "$log" 2>&1 &
	PF=$!
	if ! wait_for capturing "$log" 60; then
		show_log "$log"
		bad "$(basename "$log" .log): picoflow did not start"
		return 1
	fi
}

# stats LOG: ask for statistics (SIGUSR1) and print the new "packets N" value
stats() {
	local n
	n=$(grep -c 'packets [0-9]' "$1")
	kill -USR1 $PF
	for i in $(seq 1 50); do
		[ "$(grep -c 'packets [0-9]' "$1")" -gt "$n" ] && break
		sleep 0.1
	done
	sed -n 's/.* packets \([0-9]*\) ip .*/\1/p' "$1" | tail -1
}

# settle LOG: until two statistics 0.3 s apart agree: the ring is read
# (frames reach it during the sender's own system calls; a block goes to
# picoflow at most 50 ms after its first frame)
settle() {
	local a b i
	a=$(stats "$1")
	for i in $(seq 1 50); do
		sleep 0.3
		b=$(stats "$1")
		[ "$a" = "$b" ] && return 0
		a=$b
	done
	return 1
}

# pf_stop LOG NAME: SIGTERM, picoflow must exit 0 (it flushes every flow)
pf_stop() {
	local rc
	kill -TERM $PF
	wait $PF
	rc=$?
	show_log "$1"
	if [ $rc = 0 ]; then
		ok "$2-exit SIGTERM: picoflow exited 0"
	else
		bad "$2-exit picoflow exited $rc after SIGTERM"
	fi
}

# kernel LOG: "RECEIVED DROPPED" from picoflow's final statistics
kernel() {
	sed -n 's/.*kernel received \([0-9]*\) dropped \([0-9]*\).*/\1 \2/p' "$1" |
	    tail -1
}

# veth A B: a veth pair, up, no IPv6 (no chatter), large MTU.  busybox ip
# cannot name the peer: it is found by A's iflink (the peer's index) and
# renamed.
veth() {
	local l peer
	ip link add "$1" type veth || return 1
	for l in /sys/class/net/*; do
		[ "$(cat "$l/ifindex")" = "$(cat "/sys/class/net/$1/iflink")" ] &&
		    peer=${l##*/}
	done
	[ -n "$peer" ] && ip link set "$peer" name "$2" || return 1
	for l in "$1" "$2"; do
		sysctl -qw "net.ipv6.conf.$l.disable_ipv6=1"
		ip link set "$l" mtu 9000
		ip link set "$l" up
	done
}

hwm() {	# hwm PID: "VmHWM RssAnon" in KiB
	awk '/^VmHWM/ { h = $2 } /^RssAnon/ { a = $2 } END { print h, a }' \
	    "/proc/$1/status"
}

while read -r m; do
	insmod "/mod/$m.ko" || bad "modules insmod $m failed"
done < /mod/order
ip link set lo up
sysctl -qw net.core.rmem_max=16777216
sysctl -qw net.ipv6.conf.all.disable_ipv6=1
sysctl -qw net.ipv6.conf.default.disable_ipv6=1
figure memory "$(awk '/^MemTotal/ { t = $2 } /^MemAvailable/ { a = $2 }
    END { print t, a }' /proc/meminfo)"

# 1. Totals and the SIGTERM flush: the real captures replayed from pA into
# pB, which picoflow captures; long timeouts, so every record comes from the
# flush at SIGTERM.  -M 8M: a 2 MiB ring holds the whole replay, so no frame
# can be dropped however the VM schedules us.  The host compares the
# collector's totals with the truth (nfdump and tshark).
suite_base_totals() {
	local sent r
	col_start totals
	pf_start /tmp/totals.log /pf/picoflow -i pB -M 8M -t general=1h \
	    -t active=1h -t tcp.fin=1h -t tcp.rst=1h || return
	/pf/pktsend -p 2000 pA /pf/replay.pcap > /tmp/send.log 2>&1 ||
	    bad "totals-send $(cat /tmp/send.log)"
	sent=$(awk '{ print $2 }' /tmp/send.log)
	settle /tmp/totals.log || bad "totals-settle statistics kept changing"
	r=$(hwm $PF)
	figure hwm-8M "$r"
	pf_stop /tmp/totals.log totals
	col_stop totals
	# shellcheck disable=SC2046 # two words
	set -- $(kernel /tmp/totals.log)
	if [ "$1" = "$sent" ] && [ "$2" = 0 ]; then
		ok "totals-kernel $sent frames sent, kernel passed $1, dropped 0"
	else
		bad "totals-kernel $sent frames sent, kernel passed ${1:-?} dropped ${2:-?}"
	fi
	if grep -q 'records by end: idle 0 active 0 tcp 0 evicted 0 flush [1-9]' \
	    /tmp/totals.log; then
		ok "totals-flush every record exported at SIGTERM"
	else
		bad "totals-flush the final statistics do not show a flush of every record"
	fi
}

# 2. Sampling, 1 in 10: deterministic (the host compares with the native
# build reading the same file) and random in the kernel (the host checks
# the bounds and the options record).
suite_base_sampling() {
	local mode=$1 loops=$2
	col_start "sample-$mode"
	pf_start "/tmp/sample-$mode.log" /pf/picoflow -i pB -M 8M -s 10 \
	    --sample-mode="$mode" --template-packets 1 || return
	/pf/pktsend -p 2000 -l "$loops" pA /pf/replay.pcap > /tmp/send.log 2>&1 ||
	    bad "sample-$mode-send $(cat /tmp/send.log)"
	settle "/tmp/sample-$mode.log" || bad "sample-$mode-settle statistics kept changing"
	pf_stop "/tmp/sample-$mode.log" "sample-$mode"
	col_stop "sample-$mode"
	# shellcheck disable=SC2046 # two words
	set -- $(kernel "/tmp/sample-$mode.log")
	figure "sample-$mode" "sent $(awk '{ print $2 }' /tmp/send.log) kernel ${1:-?} dropped ${2:-?}"
	[ "${2:-1}" = 0 ] || bad "sample-$mode-drops kernel dropped ${2:-?}"
	if [ "$mode" != random ]; then
		:
	elif grep -q 'sampled in the kernel, 1 in 10' "/tmp/sample-$mode.log"; then
		ok "sample-random-kernel the kernel samples"
	else
		bad "sample-random-kernel the statistics do not say the kernel sampled"
	fi
}

# 3. The interface deleted and created again (a new index): part1 before,
# part2 after; the host finds each part's packets on its own index.
# relink NAME BINARY: NETLINK=none finds the name again once a second,
# NETLINK=mnl by rtnetlink's link events.
relink() {
	local n=$1 bin=$2 old new
	col_start "$n"
	pf_start "/tmp/$n.log" "$bin" -i pB -M 8M || return
	old=$(cat /sys/class/net/pB/ifindex)
	/pf/pktsend pA /pf/part1.pcap > /tmp/send.log 2>&1 || bad "$n-send1 failed"
	settle "/tmp/$n.log"
	ip link del pA
	wait_for 'pB: the interface was removed' "/tmp/$n.log" 30 ||
	    bad "$n-removed picoflow did not say pB was removed"
	veth pA pB
	new=$(cat /sys/class/net/pB/ifindex)
	if wait_for 'pB: capturing again' "/tmp/$n.log" 30; then
		ok "$n-back picoflow captures pB again ($old -> $new)"
	else
		show_log "/tmp/$n.log"
		bad "$n-back picoflow did not capture pB again"
	fi
	/pf/pktsend pA /pf/part2.pcap > /tmp/send.log 2>&1 || bad "$n-send2 failed"
	settle "/tmp/$n.log"
	pf_stop "/tmp/$n.log" "$n"
	col_stop "$n"
	figure "$n-ifindex" "$old $new"
}

# 4. -M: what picoflow says it took, within the budget, and so its
# anonymous memory (heap, stack, data) at its peak, the replay flowing;
# also its peak RSS in this 64 MB VM.
suite_base_memory() {
	local budget=$1 kib=$2 took r
	col_start "mem-$budget"
	pf_start "/tmp/mem-$budget.log" /pf/picoflow -i pB -M "$budget" || return
	/pf/pktsend -p 2000 pA /pf/replay.pcap > /tmp/send.log 2>&1
	settle "/tmp/mem-$budget.log"
	r=$(hwm $PF)
	figure "hwm-$budget" "$r"
	if [ "${r#* }" -le "$kib" ]; then
		ok "mem-$budget-rss RssAnon ${r#* } KiB, within $kib KiB"
	else
		bad "mem-$budget-rss RssAnon ${r#* } KiB, over $kib KiB"
	fi
	pf_stop "/tmp/mem-$budget.log" "mem-$budget"
	col_stop "mem-$budget"
	took=$(sed -n 's/^memory: total *\([0-9]*\) bytes of \([0-9]*\).*/\1 \2/p' \
	    "/tmp/mem-$budget.log")
	# shellcheck disable=SC2086 # two words
	set -- $took
	if [ -n "$took" ] && [ "$1" -le "$2" ]; then
		ok "mem-$budget picoflow took $1 bytes of $2"
	else
		bad "mem-$budget accounting: '${took:-none}'"
	fi
	figure "took-$budget" "$took"
}

suite_base() {
	veth pA pB || { bad "veth cannot create a veth pair"; return; }
	suite_base_totals
	suite_base_sampling deterministic 1
	suite_base_sampling random 3
	relink relink /pf/picoflow
	suite_base_memory 2M 2048
}

# The netlink build: a router with a LAN (lan, fed from lanx by pktsend)
# and two uplinks (wan, wan2; their peers are not addressed).  Masquerade
# out of wan onto ports 40000-40999, and DNAT of UDP to 198.18.2.100:53 to
# 198.18.2.2:5353: tests/data/nat.nft, as in tests/integration/nat.sh.
# routed.pcap (frames from 198.18.1.2 to lan's MAC) holds flows to the WAN,
# to the second uplink's route and to the router itself; the host checks
# OUTPUT_SNMP (--egress), fields 225-228 (--nat) and the IF_NAME records.
suite_netlink() {
	local lan wan wan2
	if ! veth lanx lan || ! veth wan wanx || ! veth wan2 wan2x; then
		bad "veth cannot create veth pairs"
		return
	fi
	ip link set lanx address 02:00:00:00:01:02
	ip link set lan address 02:00:00:00:01:01
	ip addr add 198.18.1.1/24 dev lan
	ip addr add 198.18.2.1/24 dev wan
	ip addr add 198.18.3.1/24 dev wan2
	ip route add 203.0.113.0/24 via 198.18.3.2 dev wan2
	# next hops that answer no ARP: the frames leave and are not for wanx
	arp -i wan -s 198.18.2.2 02:00:00:00:02:99
	arp -i wan2 -s 198.18.3.2 02:00:00:00:03:99
	arp -i lan -s 198.18.1.2 02:00:00:00:01:02
	sysctl -qw net.ipv4.ip_forward=1
	sysctl -qw net.ipv4.conf.all.rp_filter=0
	sysctl -qw net.ipv4.conf.lan.rp_filter=0
	/pf/nft -f /pf/nat.nft || bad "nft cannot set up NAT"
	lan=$(cat /sys/class/net/lan/ifindex)
	wan=$(cat /sys/class/net/wan/ifindex)
	wan2=$(cat /sys/class/net/wan2/ifindex)
	figure ifindex "lan $lan wan $wan wan2 $wan2"
	col_start netlink
	pf_start /tmp/netlink.log /pf/picoflow-mnl -i lan --egress --nat \
	    -t general=1h -t active=1h || return
	/pf/pktsend -p 200 lanx /pf/routed.pcap > /tmp/send.log 2>&1 ||
	    bad "netlink-send $(cat /tmp/send.log)"
	settle /tmp/netlink.log
	r=$(hwm $PF)
	figure hwm-mnl "$r"
	pf_stop /tmp/netlink.log netlink
	col_stop netlink
	grep -q 'nat lookups: records' /tmp/netlink.log ||
	    bad "netlink-nat no NAT lookup statistics in picoflow's log"
	veth pA pB || { bad "veth cannot create a veth pair"; return; }
	relink relink-mnl /pf/picoflow-mnl
}

T0=$(cut -d' ' -f1 /proc/uptime)
case " $(cat /proc/cmdline) " in
*" pfvm=netlink "*) suite_netlink ;;
*) suite_base ;;
esac
figure suite-seconds "$(awk -v t0="$T0" '{ print $1 - t0 }' /proc/uptime)"
[ $FAIL = 0 ] || { echo "dmesg (tail):"; dmesg | tail -20; }
say "done"
sync
reboot -f
