#!/bin/bash
# The runner behind "make vm-check": picoflow live on Debian 12's own kernels
# for router CPUs, under qemu-system (plain TCG), in a VM of 64 MB.
#
#   tests/vm/vm-check.sh [TARGET...]     mipsel aarch64 armhf (default: all)
#
#   mipsel   linux-image-4kc-malta    qemu-system-mipsel  -M malta -cpu 24Kc
#   aarch64  linux-image-arm64        qemu-system-aarch64 -M virt -cpu cortex-a53
#   armhf    linux-image-armmp-lpae   qemu-system-arm     -M virt -cpu cortex-a15
#   mips     Debian 12 has no big-endian MIPS kernel: make cross-check's
#            qemu-user exports (byte-identical to the native build's) stand
#            for it.
#
# For each target:
#   packages  the kernel, busybox-static and (for the netlink build) libc6,
#             libmnl0, libpcap0.8 with their libraries, nftables, fetched
#             with "apt-get download PKG:ARCH" into build/vm/debs/ARCH and
#             unpacked with dpkg-deb -x into build/vm/ARCH/pkgs (cached; no
#             foreign package is installed on the host)
#   build     make TOOLCHAIN=TARGET vm-bins: picoflow (static, NETLINK=none,
#             the target's compiler and flags), tests/vm/pktsend.c and
#             collect.c; and the netlink build: NETLINK=mnl with the same
#             toolchain, linked dynamically against the packages' libmnl,
#             libpcap and libc (Debian has no static libmnl)
#   base      a VM of 64 MB running tests/vm/init.sh with pfvm=base: real
#             captures replayed on a veth by pktsend, picoflow capturing
#             its peer, the collector on 127.0.0.1; its exports come back
#             on the console in base64 and are judged here:
#               totals      nfdump and tshark totals = pcap_truth.py's
#                           (every record from the SIGTERM flush, 0 drops)
#               sample-deterministic  1 in 10: nfdump totals = those of the
#                           native ./picoflow -s 10 -r on the same frames
#               sample-random  1 in 10 in the kernel: packets within 5
#                           standard deviations, options record 10/random
#               relink      veth deleted and created again: each part's
#                           packets on its own ifindex (NETLINK=none: the
#                           name looked up once a second)
#               mem-2M      -M 2M: accounting within the budget, peak RSS
#   netlink   the same VM with pfvm=netlink: the NETLINK=mnl build on a
#             router (lan, wan, wan2, routes, nftables masquerade and DNAT in
#             the VM's kernel); --egress OUTPUT_SNMP per route, --nat fields
#             225-228 as the VM's conntrack translated, IF_NAME records;
#             relink-mnl: the relink test again, on rtnetlink's link events
#   figures   boot time to /init, peak RSS (VmHWM) of picoflow in the VM,
#             wall time per target
#
# One line per check (PASS / FAIL / SKIP), logs and consoles in
# build/vm/TARGET/.  A package or emulator that cannot be had skips the
# target (exit 77 when nothing ran), unless VM_STRICT=1 (CI): then it fails.
# Env: VM_STRICT, VM_TIMEOUT (seconds per VM, default 300), JOBS (make -j,
#      default 2), PICOFLOW_SHARED, KEEP_WORK=1.
set -u
unset MAKEFLAGS MAKEOVERRIDES MFLAGS
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/../integration/lib.sh"
cd "$ROOT" || exit 2

VM=build/vm
JOBS=${JOBS:-2}
VM_TIMEOUT=${VM_TIMEOUT:-300}
# The base suite runs in 64 MB (a small router's RAM).  The netlink one
# needs 128: its initramfs carries glibc, libpcap0.8 with its dbus and
# systemd libraries, and nft with its own, about 9 MB unpacked.
VM_MEM=64
VM_MEM_NL=128
STRICT=${VM_STRICT:-0}
# Small real captures (about 2,500 frames in all: a minute of TCG per
# target): QinQ + PPPoE, PPPoE, IPv4 and IPv6, and a scan of 2,000 flows.
REPLAY="zeek-pppoe-over-qinq.pcap sv-bug-4810-pppoe-session-http.pcap
    zeek-wikipedia.pcap zeek-var-services-std-ports.pcap ndpi-synscan.pcap"
PART1=zeek-wikipedia.pcap
PART2=sv-bug-4810-pppoe-session-http.pcap
# What the netlink build needs at run time, and nft with its libraries.
PKGS_NL="libc6 libgcc-s1 libmnl0 libmnl-dev libpcap0.8 libpcap0.8-dev
    libdbus-1-3 libsystemd0 libcap2 libgcrypt20 libgpg-error0 liblz4-1
    liblzma5 libzstd1 nftables libnftables1 libnftnl11 libjansson4 libgmp10
    libxtables12 libedit2 libbsd0 libmd0 libtinfo6"
MODS_BASE="veth"
# (crc32c_generic: libcrc32c's soft dependency, which no "depends=" names)
MODS_NL="veth crc32c_generic nf_conntrack_netlink nft_chain_nat nft_masq nft_nat"

[ $# -gt 0 ] || set -- mipsel aarch64 armhf
require_truth
require_picoflow
require python3 nfcapd nfdump tshark cpio apt-get apt-cache dpkg dpkg-deb readelf
for f in $REPLAY; do
	[ -r "$SHARED/pcaps/real/$f" ] || skip "$SHARED/pcaps/real/$f is absent"
done

figures=()
since() { echo "$(( $(date +%s) - $1 ))s"; }
tcvar() { make -s --no-print-directory TOOLCHAIN="$1" print-"$2"; }

target_conf() {	# sets ARCH KPKG QSYS QARGS CONSOLE for a target
	case $1 in
	mipsel) ARCH=mipsel KPKG=linux-image-4kc-malta QSYS=qemu-system-mipsel
		QARGS="-M malta -cpu 24Kc -vga none" CONSOLE=ttyS0 ;;
	aarch64) ARCH=arm64 KPKG=linux-image-arm64 QSYS=qemu-system-aarch64
		QARGS="-M virt -cpu cortex-a53" CONSOLE=ttyAMA0 ;;
	armhf) ARCH=armhf KPKG=linux-image-armmp-lpae QSYS=qemu-system-arm
		QARGS="-M virt -cpu cortex-a15" CONSOLE=ttyAMA0 ;;
	mips) return 2 ;;
	*) return 1 ;;
	esac
}

# fetch T: the target's packages into build/vm/debs/ARCH, unpacked into
# $P; sets KVER.  1 (after a SKIP/FAIL line) if they cannot be had.
fetch() {
	local t=$1 d=$VM/debs/$ARCH kernel p want=() log=$VM/$1/fetch.log
	mkdir -p "$d" "$VM/$t"
	if ! dpkg --print-foreign-architectures | grep -qx "$ARCH"; then
		unavailable "$t/packages" "dpkg has no foreign architecture $ARCH: dpkg --add-architecture $ARCH && apt-get update"
		return 1
	fi
	kernel=$(apt-cache depends "$KPKG:$ARCH" 2>/dev/null |
	    sed -n 's/^ *Depends: \(linux-image-[^: ]*\).*/\1/p' | head -1)
	if [ -z "$kernel" ]; then
		unavailable "$t/packages" "apt-cache knows no $KPKG:$ARCH"
		return 1
	fi
	KVER=${kernel#linux-image-}
	# shellcheck disable=SC2086 # lists of names
	for p in $kernel busybox-static $PKGS_NL; do
		compgen -G "$d/${p}_*.deb" > /dev/null || want+=("$p:$ARCH")
	done
	if [ "${#want[@]}" -gt 0 ] &&
	    ! (cd "$d" && apt-get download "${want[@]}") > "$log" 2>&1; then
		unavailable "$t/packages" "apt-get download ${want[*]} failed" "$log"
		return 1
	fi
	# unpacked again whenever the set of .debs changed
	P=$VM/$ARCH/pkgs
	if ! find "$d" -name '*.deb' | sort | cmp -s - "$P/.stamp"; then
		rm -rf "$P"
		mkdir -p "$P"
		for p in "$d"/*.deb; do
			dpkg-deb -x "$p" "$P" || { result FAIL "$t/packages" "dpkg-deb -x $p"; return 1; }
		done
		find "$d" -name '*.deb' | sort > "$P/.stamp"
	fi
	if [ ! -f "$P/boot/vmlinuz-$KVER" ] || [ ! -x "$P/bin/busybox" ]; then
		result FAIL "$t/packages" "no vmlinuz-$KVER or busybox in $P"
		return 1
	fi
	result PASS "$t/packages" "$kernel, $(find "$d" -name '*.deb' | wc -l) packages"
}

# build T: the static build and the tools, then the netlink build.
build() {
	local t=$1 tri log=$VM/$1/build.log t0
	t0=$(date +%s)
	if ! make -j"$JOBS" TOOLCHAIN="$t" vm-bins > "$log" 2>&1; then
		result FAIL "$t/build" "make TOOLCHAIN=$t vm-bins failed" "$log"
		return 1
	fi
	tri=$(tcvar "$t" TC_TRIPLET)
	# As make TOOLCHAIN= builds, but dynamic: the packages' libraries and
	# headers (libmnl-dev, libpcap0.8-dev), no PIE as the objects.
	if ! make -j"$JOBS" TOOLCHAIN="$t" NETLINK=mnl B="build/$t/vm-mnl" \
	    TC_LDFLAGS="-no-pie -L$P/usr/lib/$tri -Wl,-rpath-link,$P/lib/$tri:$P/usr/lib/$tri -Wl,--gc-sections" \
	    CPPFLAGS="-idirafter $P/usr/include" "build/$t/vm-mnl/picoflow" \
	    >> "$log" 2>&1; then
		result FAIL "$t/build" "the NETLINK=mnl build failed" "$log"
		return 1
	fi
	result PASS "$t/build" "static NETLINK=none; NETLINK=mnl needs $(needed "build/$t/vm-mnl/picoflow" | tr '\n' ' ')($(since "$t0"))"
}

# mods_closure NAME...: the modules and what they depend on, dependencies
# first (from each .ko's .modinfo "depends=")
mods_closure() {
	local m f dep
	for m in "$@"; do
		case " $MODS_SEEN " in *" $m "*) continue ;; esac
		MODS_SEEN="$MODS_SEEN $m"
		f=$(find "$P/lib/modules/$KVER" \( -name "$m.ko" -o -name "${m//_/-}.ko" \) | head -1)
		[ -n "$f" ] || { echo "no module $m for $KVER" >&2; return 1; }
		dep=$(tr '\0' '\n' < "$f" | sed -n 's/^depends=//p' | tr ',' ' ')
		# shellcheck disable=SC2086
		[ -z "$dep" ] || mods_closure $dep || return 1
		echo "$m $f"
	done
}

mods_into() {	# mods_into ROOT "NAME...": /mod/*.ko and /mod/order
	local root=$1 m f
	MODS_SEEN=
	mkdir -p "$root/mod"
	: > "$root/mod/order"
	# shellcheck disable=SC2086 # a list of names
	mods_closure $2 > "$root/mod/list" || return 1
	while read -r m f; do
		cp "$f" "$root/mod/$m.ko"
		echo "$m" >> "$root/mod/order"
	done < "$root/mod/list"
	rm "$root/mod/list"
}

needed() {	# needed ELF: its NEEDED libraries
	readelf -d "$1" | sed -n 's/.*Shared library: \[\(.*\)\]/\1/p'
}

# libs_into ROOT TRIPLET ELF...: the loader and every library the ELFs
# need (NEEDED, recursively), from the packages into ROOT/lib
libs_into() {
	local root=$1 tri=$2 queue=() done_=' ' f n lib interp
	shift 2
	mkdir -p "$root/lib"
	queue=("$@")
	while [ "${#queue[@]}" -gt 0 ]; do
		f=${queue[0]}
		queue=("${queue[@]:1}")
		for n in $(needed "$f"); do
			case $done_ in *" $n "*) continue ;; esac
			done_="$done_$n "
			lib=$(find "$P/lib/$tri" "$P/usr/lib/$tri" -maxdepth 1 -name "$n" 2>/dev/null | head -1)
			[ -n "$lib" ] || { echo "libs_into: $n (for $f) is in no package" >&2; return 1; }
			cp -L "$lib" "$root/lib/$n"
			queue+=("$root/lib/$n")
		done
	done
	interp=$(readelf -l "$1" | sed -n 's/.*interpreter: \(.*\)]/\1/p')
	mkdir -p "$root$(dirname "$interp")"
	cp -L "$P$interp" "$root$interp"
}

cpio_of() {	# cpio_of DIR OUT.gz
	(cd "$1" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) |
	    gzip -6 > "$2"
}

# initramfs T: build/vm/T/base.cpio.gz and netlink.cpio.gz (base + extras)
initramfs() {
	local t=$1 r=$VM/$1/root cross log=$VM/$1/initramfs.log
	cross=$(tcvar "$t" CROSS_COMPILE)
	rm -rf "$r" "$r-nl"
	mkdir -p "$r/bin" "$r/pf" "$r-nl/pf"
	{
		cp "$P/bin/busybox" "$r/bin/busybox" &&
		install -m 0755 tests/vm/init.sh "$r/init" &&
		"${cross}strip" -o "$r/pf/picoflow" "build/$t/picoflow" &&
		"${cross}strip" -o "$r/pf/pktsend" "build/$t/vmtools/pktsend" &&
		"${cross}strip" -o "$r/pf/collect" "build/$t/vmtools/collect" &&
		cp "$WORK/replay.pcap" "$WORK/part1.pcap" "$WORK/part2.pcap" "$r/pf/" &&
		mods_into "$r" "$MODS_BASE" &&
		cpio_of "$r" "$VM/$t/base.cpio.gz" &&
		"${cross}strip" -o "$r-nl/pf/picoflow-mnl" "build/$t/vm-mnl/picoflow" &&
		cp "$P/usr/sbin/nft" "$r-nl/pf/nft" &&
		cp "$WORK/routed.pcap" tests/data/nat.nft "$r-nl/pf/" &&
		libs_into "$r-nl" "$(tcvar "$t" TC_TRIPLET)" "$r-nl/pf/picoflow-mnl" "$r-nl/pf/nft" &&
		mods_into "$r-nl" "$MODS_NL" &&
		cpio_of "$r-nl" "$VM/$t/nl.cpio.gz" &&
		cat "$VM/$t/base.cpio.gz" "$VM/$t/nl.cpio.gz" > "$VM/$t/netlink.cpio.gz"
	} > "$log" 2>&1 || { result FAIL "$t/initramfs" "could not be built" "$log"; return 1; }
	result PASS "$t/initramfs" "base $(( $(stat -c %s "$VM/$t/base.cpio.gz") / 1024 )) KiB, netlink +$(( $(stat -c %s "$VM/$t/nl.cpio.gz") / 1024 )) KiB (gzip)"
}

# boot T SUITE: one VM under one timeout; sets BOOT (s to /init, host
# clock), UPTIME (the guest's at /init), RUN (s, whole VM); console in
# build/vm/T/SUITE.console.  1 if the VM did not finish its suite.
boot() {
	local t=$1 s=$2 con=$VM/$1/$2.console t0 tb='' q rc mem=$VM_MEM
	[ "$s" = netlink ] && mem=$VM_MEM_NL
	: > "$con"
	t0=$(date +%s%N)
	# shellcheck disable=SC2086 # QARGS is a list
	timeout -k 5 "$VM_TIMEOUT" "$QSYS" $QARGS -m "$mem" -smp 1 \
	    -display none -monitor none -serial stdio -nic none -no-reboot \
	    -kernel "$P/boot/vmlinuz-$KVER" -initrd "$VM/$t/$s.cpio.gz" \
	    -append "console=$CONSOLE quiet panic=-1 cma=0 pfvm=$s" \
	    > "$con" 2>&1 < /dev/null &
	q=$!
	while kill -0 "$q" 2>/dev/null; do
		if grep -q '^PFVM boot' "$con"; then
			tb=$(date +%s%N)
			break
		fi
		sleep 0.05
	done
	wait "$q"
	rc=$?
	RUN=$(awk -v a="$t0" -v b="$(date +%s%N)" 'BEGIN { printf "%.1f", (b - a) / 1e9 }')
	BOOT=$(awk -v a="$t0" -v b="${tb:-0}" 'BEGIN { printf "%.1f", b ? (b - a) / 1e9 : -1 }')
	UPTIME=$(tr -d '\r' < "$con" | sed -n 's/^PFVM boot //p' | head -1)
	if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
		result FAIL "$t/$s" "the VM timed out after ${VM_TIMEOUT}s" "$con"
		return 1
	elif [ -z "$tb" ]; then
		result FAIL "$t/$s" "the VM never reached /init (qemu exit $rc)" "$con"
		return 1
	elif ! grep -q '^PFVM done' "$con"; then
		result FAIL "$t/$s" "the VM stopped before the end of its suite (qemu exit $rc)" "$con"
		return 1
	fi
	result PASS "$t/$s" "${mem} MB: booted to /init in ${BOOT}s (guest uptime ${UPTIME}s), VM ran ${RUN}s"
	# the VM's own checks
	tr -d '\r' < "$con" | sed -n 's/^PFVM \(ok\|fail\) \([^ ]*\) *\(.*\)/\1 \2 \3/p' |
	    while read -r v n d; do
		[ "$v" = ok ] && echo "PASS $t/$s/$n $d" || echo "FAIL $t/$s/$n $d"
	done > "$WORK/vmchecks"
	while read -r v n d; do
		result "$v" "$n" "$d"
	done < "$WORK/vmchecks"
	if grep -q '^FAIL' "$WORK/vmchecks"; then
		echo "      --- the end of $con:"
		tr -d '\r' < "$con" | grep -v '^[A-Za-z0-9+/=]*$' | tail -n 60 | sed 's/^/      | /'
	fi
	mkdir -p "$VM/$t/$s.out"
	python3 tests/vm/vmtool.py unpack "$con" "$VM/$t/$s.out" > /dev/null
}

vmfig() {	# vmfig T SUITE NAME: a figure line's values
	tr -d '\r' < "$VM/$1/$2.console" | sed -n "s/^PFVM figure $3 //p" | tail -1
}

# collector T SUITE NAME: the export NAME (if it came back) into nfcapd;
# NF is its folder, GOT its "packets bytes"
collector() {
	[ -s "$VM/$1/$2.out/$3.pcap" ] || return 1
	NF=$WORK/$1-$2-$3
	rm -rf "$NF"
	nfcapd_start "$NF" > /dev/null || return 1
	nfcapd_replay "$VM/$1/$2.out/$3.pcap"
	nfcapd_stop
	GOT=$(nf_totals "$NF")
}

nf_totals() {	# nf_totals DIR [FILTER]: "packets bytes" at the collector
	nfdump -R "$1" -q -N -o 'fmt:%pkt %byt' ${2:+"$2"} 2>/dev/null |
	    awk '{ p += $1; b += $2 } END { print p + 0, b + 0 }'
}

# tshark's sums of the data records' packets and octets
ts_totals() {
	tshark -n -r "$1" -d udp.port==2055,cflow -T fields -E occurrence=a \
	    -E aggregator=' ' -e cflow.packets -e cflow.octets 2>/dev/null |
	    awk -F'\t' '{ n = split($1, p, " "); split($2, b, " ")
		for (i = 1; i <= n; i++) { tp += p[i]; tb += b[i] } }
		END { print tp + 0, tb + 0 }'
}

judge_base() {
	local t=$1 out=$VM/$1/base.out tp tb np sp sb lo hi opt want
	tp=$(truth_get "$WORK/replay.pcap" ip_packets)
	tb=$(truth_get "$WORK/replay.pcap" ip_bytes)
	# totals
	if collector "$t" base totals; then
		read -r sp sb < <(ts_totals "$out/totals.pcap")
		if [ "$GOT" = "$tp $tb" ] && [ "$sp $sb" = "$tp $tb" ] &&
		    [ "${NFCAPD_SEQERR:-1}" = 0 ]; then
			result PASS "$t/totals" "truth $tp packets $tb bytes = nfdump = tshark"
		else
			result FAIL "$t/totals" "truth $tp $tb, nfdump $GOT, tshark $sp $sb, sequence errors ${NFCAPD_SEQERR:-?}"
		fi
	else
		result FAIL "$t/totals" "no export came back"
	fi
	# deterministic sampling: the native build on the same frames
	want=$(nf_totals "$WORK/native-s10")
	if ! collector "$t" base sample-deterministic; then
		result FAIL "$t/sample-deterministic" "no export came back"
	elif [ "$GOT" = "$want" ] && [ "${GOT% *}" -gt 0 ]; then
		result PASS "$t/sample-deterministic" "1 in 10: $GOT packets/bytes, as ./picoflow -s 10 -r"
	else
		result FAIL "$t/sample-deterministic" "VM $GOT, native -r $want (packets bytes)"
	fi
	# random sampling in the kernel: 3 loops of the replay
	if collector "$t" base sample-random; then
		np=${GOT% *}
		read -r lo hi < <(python3 -c 'import math, sys
n = int(sys.argv[1]); sd = math.sqrt(n * 0.1 * 0.9)
print(int(n / 10 - 5 * sd), int(n / 10 + 5 * sd) + 1)' $((tp * 3)))
		opt=$(tshark -n -r "$out/sample-random.pcap" -d udp.port==2055,cflow \
		    -T fields -e cflow.sampling_interval -e cflow.sampling_algorithm \
		    2>/dev/null | grep -v '^\s*$' | sort -u | tr '\t\n' '/ ')
		if [ "$np" -ge "$lo" ] && [ "$np" -le "$hi" ] &&
		    case " $opt" in *" 10/2 "*) true ;; *) false ;; esac; then
			result PASS "$t/sample-random" "$np of $((tp * 3)) packets (bounds $lo..$hi), options record $opt"
		else
			result FAIL "$t/sample-random" "$np of $((tp * 3)) packets (bounds $lo..$hi), options record '$opt'"
		fi
	else
		result FAIL "$t/sample-random" "no export came back"
	fi
	judge_relink "$t" base relink
}

# judge_relink T SUITE NAME: part 1 on the old index, part 2 on the new one
judge_relink() {
	local t=$1 s=$2 n=$3 old new np sp p1 p2
	read -r old new <<< "$(vmfig "$t" "$s" "$n-ifindex")"
	p1=$(truth_get "$WORK/part1.pcap" ip_packets)
	p2=$(truth_get "$WORK/part2.pcap" ip_packets)
	if [ -n "${new:-}" ] && collector "$t" "$s" "$n"; then
		read -r np _ < <(nf_totals "$NF" "in if $old")
		read -r sp _ < <(nf_totals "$NF" "in if $new")
		if [ "$np" = "$p1" ] && [ "$sp" = "$p2" ]; then
			result PASS "$t/$n" "ifindex $old: $np packets, re-created as $new: $sp packets (= truth)"
		else
			result FAIL "$t/$n" "ifindex $old: $np packets, $new: $sp; truth $p1, $p2"
		fi
	else
		result FAIL "$t/$n" "no export or no ifindex came back"
	fi
}

judge_netlink() {
	local t=$1 out=$VM/$1/netlink.out lan wan wan2 log=$VM/$1/netlink-records.log
	read -r _ lan _ wan _ wan2 <<< "$(vmfig "$t" netlink ifindex)"
	if [ ! -s "$out/netlink.pcap" ]; then
		result FAIL "$t/egress-nat" "no export came back"
		return
	fi
	tshark -n -r "$out/netlink.pcap" -d udp.port==2055,cflow -Y cflow.srcaddr \
	    -T fields -E separator=/t -E aggregator=, -e cflow.srcaddr \
	    -e cflow.dstaddr -e cflow.srcport -e cflow.dstport -e cflow.protocol \
	    -e cflow.direction -e cflow.inputint -e cflow.outputint \
	    -e cflow.post_natsource_ipv4_address \
	    -e cflow.post_natdestination_ipv4_address \
	    -e cflow.post_naptsource_transport_port \
	    -e cflow.post_naptdestination_transport_port \
	    > "$WORK/records.txt" 2>/dev/null
	if python3 tests/vm/vmtool.py netlink "$WORK/records.txt" "$lan" "$wan" \
	    "$wan2" > "$log" 2>&1; then
		result PASS "$t/egress-nat" "6 flows: OUTPUT_SNMP by the VM's routes, post-NAT from its conntrack"
	else
		result FAIL "$t/egress-nat" "records differ (see $log)" "$log"
	fi
	if tshark -n -r "$out/netlink.pcap" -d udp.port==2055,cflow -T fields \
	    -E occurrence=a -E aggregator=' ' -e cflow.scope_interface \
	    -e cflow.if_name -Y cflow.if_name 2>/dev/null |
	    awk -F'\t' '{ n = split($1, i, " "); split($2, s, " ")
		for (k = 1; k <= n; k++) print i[k], s[k] }' | grep -qx "$lan lan"; then
		result PASS "$t/ifnames" "IF_NAME options record: $lan lan"
	else
		result FAIL "$t/ifnames" "no IF_NAME record names index $lan lan"
	fi
	judge_relink "$t" netlink relink-mnl
}

one_target() {
	local t=$1 t0 hb=- hm=- hn=- b=- u=- mem=-
	t0=$(date +%s)
	target_conf "$t"
	case $? in
	2) result SKIP "$t" "Debian 12 has no big-endian MIPS kernel (make cross-check runs mips under qemu-user)"
		return ;;
	1) result FAIL "$t" "no such VM target (mipsel aarch64 armhf)"
		return ;;
	esac
	if ! command -v "$QSYS" > /dev/null; then
		unavailable "$t" "$QSYS is not installed (qemu-system-mips / qemu-system-arm)"
		return
	fi
	fetch "$t" || return
	build "$t" || return
	initramfs "$t" || return
	if boot "$t" base; then
		judge_base "$t"
		b=$BOOT u=$UPTIME mem=$(vmfig "$t" base memory)
		hb=$(vmfig "$t" base hwm-8M) hm=$(vmfig "$t" base hwm-2M)
	fi
	if boot "$t" netlink; then
		judge_netlink "$t"
		hn=$(vmfig "$t" netlink hwm-mnl)
	fi
	figures+=("$(printf '%-8s %-20s %5s %5s %-12s %-11s %-11s %-11s %s' \
	    "$t" "$KVER" "$b" "$u" "${mem// //}" "${hb// //}" "${hm// //}" \
	    "${hn// //}" "$(since "$t0")")")
}

# The frames the VMs replay, their truth, and the native reference.
mkdir -p "$VM"
caps=()
for f in $REPLAY; do caps+=("$SHARED/pcaps/real/$f"); done
python3 tests/vm/vmtool.py concat "$WORK/replay.pcap" "${caps[@]}" &&
    python3 tests/vm/vmtool.py concat "$WORK/part1.pcap" "$SHARED/pcaps/real/$PART1" &&
    python3 tests/vm/vmtool.py concat "$WORK/part2.pcap" "$SHARED/pcaps/real/$PART2" &&
    python3 tests/vm/vmtool.py routed "$WORK/routed.pcap" || exit 1
nfcapd_start "$WORK/native-s10" > /dev/null || exit 1
./picoflow -r "$WORK/replay.pcap" -s 10 -n "127.0.0.1:$NFCAPD_PORT" 2> /dev/null ||
    { echo "./picoflow -s 10 -r failed"; exit 1; }
nfcapd_stop

echo "note  mips (big-endian): Debian 12 has no big-endian MIPS kernel;" \
    "make cross-check's qemu-user exports stand for it"
T0=$(date +%s)
for t in "$@"; do
	one_target "$t"
done
echo
echo "Figures: boot = seconds from qemu's start to /init by the host's clock,"
echo "uptime = the guest's then; mem = MemTotal/MemAvailable KiB of the"
echo "${VM_MEM} MB VM at /init; peak RSS of picoflow, VmHWM/RssAnon KiB, with"
echo "-M 8M (2 MiB ring) and -M 2M in that VM, and of the NETLINK=mnl build"
echo "(dynamic, no -M) in the ${VM_MEM_NL} MB one; run = the target's wall time:"
printf '%-8s %-20s %5s %5s %-12s %-11s %-11s %-11s %s\n' target kernel boot \
    uptime mem 'rss -M 8M' 'rss -M 2M' 'rss mnl' run
for r in "${figures[@]}"; do
	echo "$r"
done
echo
echo "vm-check took $(( $(date +%s) - T0 ))s"
[ "$nfail" -eq 0 ] || echo "failed: ${failed[*]}"
echo "$npass passed, $nfail failed, $nskip skipped"
[ "$nfail" -eq 0 ] || exit 1
[ "$npass" -gt 0 ] || exit 77
exit 0
