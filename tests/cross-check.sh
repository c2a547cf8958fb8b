#!/bin/bash
# The runner behind "make cross-check": picoflow on every cross toolchain.
#
#   tests/cross-check.sh [TARGET...]    mips mipsel armhf aarch64 musl mips-musl
#                                       (default: all)
#
# For each target (toolchain/TARGET.mk):
#   sysroot    toolchain/sysroot.sh TARGET (a static libpcap; cached)
#   build      make TOOLCHAIN=TARGET cross-bins: picoflow, unit tests and the
#              fuzz replay driver, statically linked, in build/TARGET/
#   elf        readelf: the machine is the target's, the binary is static
#              (and soft-float where the toolchain says -msoft-float)
#   nofp       no floating point in our objects (OpenWrt MIPS is soft-float):
#              no FPU instruction or register in their disassembly, and no
#              call into a soft-float helper (__adddf3, __floatsidf, ...)
#   unit       every unit test under qemu-user: exit 0, a TAP plan, no "not ok"
#   fuzz       every fuzz corpus replayed under qemu-user
#   exports    picoflow -r on the generated demo capture and on every capture in
#              ../shared/pcaps/real (if there), exporting to a receiver on
#              127.0.0.1: the datagrams must be byte-identical, in the same
#              order, to those of the native ./picoflow, and so must the
#              statistics it prints at the end
#   exports-libpcap   the same for a few captures with --libpcap-reader
#   ipk        tests/integration/ipk.sh on the target's .ipk (make ipk)
#   netlink-compile   the NETLINK=mnl objects compiled for the target (not
#              linked: no libmnl for it here)
# then a table of sizes per target and capture backend (every platform/*.mk
# that builds here; the default one, linux, is the one tested): the stripped
# binary, picoflow's own code and data in it, and that plus the netlink code.
#
# One line per check (PASS / FAIL / SKIP), logs in build/cross-logs/, and the
# last line "N passed, N failed, N skipped".  A missing cross compiler or qemu
# is a SKIP, or a FAIL with CROSS_STRICT=1 (CI).
# Env: CROSS_STRICT, JOBS (make -j, default 2), CROSS_PCAPS (a glob within
#      ../shared/pcaps/real, default all), PICOFLOW_SHARED.
set -u
# Run from "make CC=clang cross-check", the sub-makes below must not inherit
# CC=clang (or any other command-line variable) through MAKEFLAGS.
unset MAKEFLAGS MAKEOVERRIDES MFLAGS
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/integration/lib.sh"
cd "$ROOT" || exit 2
LOGS=build/cross-logs
rm -rf "$LOGS"
mkdir -p "$LOGS"
JOBS=${JOBS:-2}
STRICT=${CROSS_STRICT:-0}
[ $# -gt 0 ] || set -- mips mipsel armhf aarch64 musl mips-musl

sizes=()

since() { echo "($(( $(date +%s) - $1 ))s)"; }

tcvar() {	# tcvar TARGET VAR: a variable of the Makefile for that toolchain
	make -s --no-print-directory TOOLCHAIN="$1" print-"$2"
}

# Payloads of a sink pcap (raw IPv4/UDP records), each as a 4-byte
# big-endian length and the bytes, into OUT; prints the datagram count.
payloads() {
	python3 -c '
import struct, sys
d = open(sys.argv[1], "rb").read()
out = open(sys.argv[2], "wb"); off = 24; n = 0
while off + 16 <= len(d):
    cap = struct.unpack_from("<I", d, off + 8)[0]
    p = d[off + 16 + 28:off + 16 + cap]
    out.write(struct.pack("!I", len(p)) + p); off += 16 + cap; n += 1
print(n)' "$1" "$2"
}

# Where two payload files first differ: "datagram N byte M".
first_diff() {
	python3 -c '
import struct, sys
def dg(f):
    d = open(f, "rb").read(); off = 0; r = []
    while off + 4 <= len(d):
        n = struct.unpack_from("!I", d, off)[0]; r.append(d[off + 4:off + 4 + n]); off += 4 + n
    return r
a, b = dg(sys.argv[1]), dg(sys.argv[2])
for i, (x, y) in enumerate(zip(a, b)):
    if x != y:
        j = next((k for k in range(min(len(x), len(y))) if x[k] != y[k]), min(len(x), len(y)))
        print("datagram %d byte %d (lengths %d/%d)" % (i + 1, j, len(x), len(y))); sys.exit()
print("datagram counts %d/%d" % (len(a), len(b)))' "$1" "$2"
}

# export_run OUTBASE CMD...: CMD -r ... -n 127.0.0.1:PORT into a fresh sink;
# leaves OUTBASE.bin (payloads), OUTBASE.err (stderr), OUTBASE.rc.
export_run() {
	local out=$1 rc
	shift
	sink_start "$out.pcap" || return 1
	"$@" -n 127.0.0.1:"$SINK_PORT" > /dev/null 2> "$out.err" < /dev/null
	rc=$?
	echo "$rc" > "$out.rc"
	sink_stop
	payloads "$out.pcap" "$out.bin" > "$out.count"
	rm -f "$out.pcap" "$out.pcap.log"
}

# The captures and the native reference exports.
captures=() lp_captures=()
python3 tests/data/mkdemo.py "$WORK/demo.pcap" > /dev/null 2>&1 &&
    captures+=("$WORK/demo.pcap")
if [ -d "$SHARED/pcaps/real" ]; then
	for f in "$SHARED"/pcaps/real/${CROSS_PCAPS:-*}; do
		[ -f "$f" ] && captures+=("$f")
	done
else
	echo "note: $SHARED/pcaps/real is absent: exports are compared on the" \
	    "generated capture only"
fi
mkdir -p "$WORK/native"
t0=$(date +%s)
if [ ! -x ./picoflow ]; then
	result FAIL native/reference "./picoflow is not built (make cross-check builds it)"
	captures=()
else
	for f in "${captures[@]}"; do
		b=$(basename "$f")
		export_run "$WORK/native/$b" ./picoflow -r "$f"
	done
	# a few through libpcap's reader too (its byte-swapping on mips)
	mkdir -p "$WORK/native-lp"
	for f in "${captures[@]}"; do
		case $(basename "$f") in
		demo.pcap | *.pcapng | zeek-pppoe-over-qinq.pcap | ndpi-quic-mvfst-22.pcap)
			lp_captures+=("$f")
			export_run "$WORK/native-lp/$(basename "$f")" ./picoflow \
			    --libpcap-reader -r "$f" ;;
		esac
	done
	result PASS native/reference "${#captures[@]} captures exported by ./picoflow, ${#lp_captures[@]} also with --libpcap-reader $(since "$t0")"
fi

nofp_check() {	# nofp_check TARGET CROSS_COMPILE: our objects only
	local t=$1 cc=$2 re objs
	objs=$(find "build/$t/src" "build/$t/platform" -name '*.o' | sort)
	# shellcheck disable=SC2016 # "$f0" is a MIPS FPU register, not shell
	case $t in
	mips*) re='\$f[0-9]|^(lwc1|swc1|ldc1|sdc1|mtc1|mfc1|mthc1|mfhc1|ctc1|cfc1|bc1[ft]l?)( |$)|^[a-z0-9.]*\.(s|d|ps)(\.[a-z]+)?( |$)' ;;
	armhf) re='^v(add|sub|mul|div|sqrt|abs|neg|cmpe?|cvt[a-z]*|mla|mls|fma|fms|nmul)\.f(32|64)( |$)|^v(mrs|msr)( |$)' ;;
	# (not fmov: gcc moves integers through SIMD registers with it)
	aarch64) re='^(fadd|fsub|fmul|fdiv|fsqrt|fabs|fneg|fcmpe?|fccmpe?|fcvt[a-z]*|scvtf|ucvtf|fmadd|fmsub|fnmul|fmin|fmax)( |$)' ;;
	*) re='^(add|sub|mul|div|sqrt|ucomi|comi|max|min)(ss|sd)( |$)|^cvt[a-z0-9]*( |$)|^f(ld|st|add|mul|div|sub|ild|ist|xch|comp?|ucom)[a-z]*( |$)' ;;
	esac
	# shellcheck disable=SC2086 # a list of files
	"${cc}objdump" -d --no-show-raw-insn $objs > "$LOGS/$t-objdump.txt" 2>&1 ||
	    return 1
	# disassembly lines only ("  addr:<TAB>mnemonic<TAB>operands"), as
	# "mnemonic operands"
	if grep -P '^\s+[0-9a-f]+:\t' "$LOGS/$t-objdump.txt" | cut -f2- |
	    tr '\t' ' ' | grep -E "$re" > "$LOGS/$t-fp.txt"; then
		return 1
	fi
	# shellcheck disable=SC2086
	if "${cc}nm" -u $objs 2>/dev/null | grep -E \
	    '__(add|sub|mul|div|neg|extend|trunc|fix|fixuns|float|floatun|cmp|eq|ne|lt|le|gt|ge|unord)[sdtx]f[0-9]?\b|__aeabi_[fd](add|sub|mul|div|cmp|2)' \
	    >> "$LOGS/$t-fp.txt"; then
		return 1
	fi
	return 0
}

unit_check() {	# unit_check TARGET QEMU: every unit test under qemu
	local t=$1 q=$2 bin name n=0 asserts=0 bad=() log
	for bin in build/"$t"/test_*; do
		[ -x "$bin" ] || continue
		name=$(basename "$bin")
		log=$LOGS/$t-$name.log
		n=$((n + 1))
		# shellcheck disable=SC2086 # QEMU is empty for a native target
		if timeout -k 5 300 $q "$bin" > "$log" 2>&1 < /dev/null &&
		    grep -Eq '^1\.\.[0-9]+' "$log" && ! grep -q '^not ok' "$log"; then
			asserts=$((asserts + $(grep -c '^ok' "$log")))
		else
			bad+=("$name")
		fi
	done
	if [ "$n" -eq 0 ]; then
		result FAIL "$t/unit" "no unit test was built"
	elif [ "${#bad[@]}" -gt 0 ]; then
		result FAIL "$t/unit" "failed: ${bad[*]}" "$LOGS/$t-${bad[0]}.log"
	else
		result PASS "$t/unit" "$n tests, $asserts assertions under ${q:-native}"
	fi
}

# exports_check TARGET QEMU NAME REF FLAGS... -- CAPTURE...: each capture
# through build/TARGET/picoflow FLAGS -r CAPTURE against $WORK/REF/.
exports_check() {
	local t=$1 q=$2 name=$3 ref=$4 f b bad=() dgs=0 why out n=0 flags=()
	shift 4
	while [ $# -gt 0 ] && [ "$1" != -- ]; do flags+=("$1"); shift; done
	shift
	mkdir -p "$WORK/$t-$name"
	: > "$LOGS/$t-$name.txt"
	for f in "$@"; do
		b=$(basename "$f")
		out=$WORK/$t-$name/$b
		n=$((n + 1))
		# shellcheck disable=SC2086
		export_run "$out" $q "build/$t/picoflow" "${flags[@]}" -r "$f"
		# qemu-user refuses seccomp filters, so there picoflow says it
		# runs unsandboxed; that line is qemu's, not a difference
		[ -n "$q" ] && sed -i '/^picoflow: not sandboxed: seccomp: /d' "$out.err"
		why=
		if ! cmp -s "$WORK/$ref/$b.rc" "$out.rc"; then
			why="exit $(cat "$out.rc") vs $(cat "$WORK/$ref/$b.rc")"
		elif ! cmp -s "$WORK/$ref/$b.bin" "$out.bin"; then
			why="datagrams differ at $(first_diff "$WORK/$ref/$b.bin" "$out.bin")"
		elif ! cmp -s "$WORK/$ref/$b.err" "$out.err"; then
			why="stderr differs: $(diff "$WORK/$ref/$b.err" "$out.err" | head -5 | tr '\n' ' ')"
		fi
		if [ -n "$why" ]; then
			bad+=("$b")
			echo "$b: $why" >> "$LOGS/$t-$name.txt"
		else
			dgs=$((dgs + $(cat "$out.count")))
		fi
	done
	if [ "$n" -eq 0 ]; then
		result SKIP "$t/$name" "no capture to replay"
	elif [ "${#bad[@]}" -gt 0 ]; then
		result FAIL "$t/$name" "${#bad[@]} of $n captures differ" \
		    "$LOGS/$t-$name.txt"
	else
		result PASS "$t/$name" "$n captures, $dgs datagrams byte-identical"
	fi
}

# Bytes of allocated, initialised sections (code, constants, data) that
# picoflow's own objects put into a linked binary, from its link map: what
# the linker kept after --gc-sections, without libc, libpcap and crt files.
map_own() {	# map_own MAP
	awk '
	function hex(s,	i, n) {
		n = 0
		s = tolower(substr(s, 3))
		for (i = 1; i <= length(s); i++)
			n = n * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
		return n
	}
	function add(sec, size, file) {
		if (sec ~ /^\.(debug|comment|note|pdr|mdebug|gnu|reginfo|MIPS|ARM\.attributes|bss|sbss)/)
			return
		if (file ~ /libpicoflow\.a\(|\/src\/main\.o$/)
			own += hex(size)
	}
	/^Linker script and memory map/ { go = 1; next }
	!go { next }
	/^ \.[^ ]+$/ { pend = $1; next }
	/^ \.[^ ]+ +0x[0-9a-f]+ +0x[0-9a-f]+ +[^ ]+$/ { add($1, $3, $4); pend = ""; next }
	pend != "" && /^  +0x[0-9a-f]+ +0x[0-9a-f]+ +[^ ]+$/ { add(pend, $2, $3) }
	{ pend = "" }
	END { print own + 0 }' "$1"
}

size_row() {	# size_row TARGET BACKEND BINARY CROSS_COMPILE OBJECTS...
	local t=$1 be=$2 bin=$3 cc=$4 s own link nl=-
	shift 4
	"${cc}strip" -o "$WORK/stripped" "$bin" 2>/dev/null || return 1
	s=$(stat -c %s "$WORK/stripped")
	if [ -s "$(dirname "$bin")/picoflow.map" ]; then
		own=$(map_own "$(dirname "$bin")/picoflow.map")
	else
		own=$("${cc}size" -t "$@" 2>/dev/null | awk 'END { print $1 + $2 }')
	fi
	[ -n "${NL_EXTRA[$t/$be]:-}" ] && nl=$((own + NL_EXTRA[$t/$be]))
	link=dynamic
	readelf -l "$bin" 2>/dev/null | grep -q 'INTERP' || link=static
	sizes+=("$(printf '%-9s %-8s %-8s %9s %9s %9s' "$t" "$be" "$link" "$s" "$own" "$nl")")
}

# The netlink code (NETLINK=mnl, what the OpenWrt package builds) compiled
# for the target with -Werror against the host's libmnl headers, which do
# not depend on the architecture.  There is no libmnl.a for the targets
# (Debian has no libmnl source here), so it is not linked: NL_EXTRA holds
# what its objects add over the NETLINK=none ones, for the size table.
declare -A NL_EXTRA
netlink_compile() {	# netlink_compile TARGET CROSS_COMPILE
	local t=$1 cc=$2 inc=$WORK/mnl-include mnl none o
	local -a mnl_obj none_obj
	if [ ! -f /usr/include/libmnl/libmnl.h ]; then
		unavailable "$t/netlink-compile" "libmnl-dev is not installed"
		return
	fi
	mkdir -p "$inc"
	ln -sfn /usr/include/libmnl "$inc/libmnl"
	for o in $(make -s --no-print-directory TOOLCHAIN="$t" NETLINK=mnl \
	    print-PLATFORM_EXTRA); do
		mnl_obj+=("build/$t/mnl/${o%.c}.o")
	done
	for o in $(make -s --no-print-directory TOOLCHAIN="$t" NETLINK=none \
	    print-PLATFORM_EXTRA); do
		none_obj+=("build/$t/${o%.c}.o")
	done
	if ! make -j"$JOBS" TOOLCHAIN="$t" NETLINK=mnl B="build/$t/mnl" \
	    CPPFLAGS="-idirafter $inc" "${mnl_obj[@]}" \
	    > "$LOGS/$t-netlink.log" 2>&1; then
		result FAIL "$t/netlink-compile" "netlink objects do not build" \
		    "$LOGS/$t-netlink.log"
		return
	fi
	mnl=$("${cc}size" -t "${mnl_obj[@]}" | awk 'END { print $1 + $2 }')
	none=$("${cc}size" -t "${none_obj[@]}" | awk 'END { print $1 + $2 }')
	NL_EXTRA[$t/$(tcvar "$t" BACKEND)]=$((mnl - none))
	result PASS "$t/netlink-compile" "${#mnl_obj[@]} objects, $((mnl - none)) bytes more than NETLINK=none"
}

# Other backends (platform/*.mk but the default): for the size table only.
extra_backends() {
	local t=$1 cc=$2 def=$3 mk be
	for mk in platform/*.mk; do
		be=$(basename "$mk" .mk)
		[ "$be" = "$def" ] && continue
		if make -j"$JOBS" TOOLCHAIN="$t" BACKEND="$be" B="build/$t/$be" \
		    "build/$t/$be/picoflow" > "$LOGS/$t-build-$be.log" 2>&1; then
			size_row "$t" "$be" "build/$t/$be/picoflow" "$cc" \
			    build/"$t"/"$be"/src/main.o "build/$t/$be/libpicoflow.a"
		else
			sizes+=("$(printf '%-9s %-8s %s' "$t" "$be" "does not build here (see $LOGS/$t-build-$be.log)")")
		fi
	done
}

one_target() {
	local t=$1 cc cross q elf t0 m sf be
	if [ ! -f "toolchain/$t.mk" ]; then
		result FAIL "$t" "no toolchain/$t.mk"
		return
	fi
	cc=$(tcvar "$t" CC)
	cross=$(tcvar "$t" CROSS_COMPILE)
	q=$(tcvar "$t" QEMU)
	elf=$(tcvar "$t" TC_ELF)
	be=$(tcvar "$t" BACKEND)
	sf=$(tcvar "$t" TC_CFLAGS | grep -o -- -msoft-float)
	# the compiler to install: the cross gcc (mips-musl's musl-gcc wraps
	# it and is built by sysroot.sh), or CC for a native toolchain (musl)
	[ -n "$cross" ] && cc=${cross}gcc
	if ! command -v "${cc%% *}" > /dev/null 2>&1; then
		unavailable "$t" "${cc%% *} is not installed"
		return
	fi
	if [ -n "$q" ] && ! command -v "$q" > /dev/null 2>&1; then
		unavailable "$t" "$q is not installed (qemu-user)"
		return
	fi
	t0=$(date +%s)
	if toolchain/sysroot.sh "$t" > "$LOGS/$t-sysroot.log" 2>&1; then
		result PASS "$t/sysroot" "$(tail -1 "$LOGS/$t-sysroot.log" | sed 's/^sysroot.sh: //') $(since "$t0")"
	else
		result FAIL "$t/sysroot" "toolchain/sysroot.sh $t failed" "$LOGS/$t-sysroot.log"
		return
	fi
	t0=$(date +%s)
	if make -j"$JOBS" TOOLCHAIN="$t" cross-bins > "$LOGS/$t-build.log" 2>&1; then
		result PASS "$t/build" "$(since "$t0")"
	else
		result FAIL "$t/build" "make TOOLCHAIN=$t cross-bins failed" "$LOGS/$t-build.log"
		return
	fi
	m=$(readelf -h "build/$t/picoflow" | sed -n 's/^ *Machine: *//p')
	if [ "$m" != "$elf" ]; then
		result FAIL "$t/elf" "machine '$m', expected '$elf'"
	elif readelf -l "build/$t/picoflow" | grep -q INTERP; then
		result FAIL "$t/elf" "dynamically linked"
	elif [ -n "$sf" ] && ! "${cross}readelf" -A "build/$t/picoflow" |
	    grep -q 'FP ABI: *Soft float'; then
		result FAIL "$t/elf" "not soft-float (readelf -A)"
	else
		result PASS "$t/elf" "$m, static${sf:+, soft-float}"
	fi
	if nofp_check "$t" "$cross"; then
		result PASS "$t/nofp" "no floating point in our objects"
	else
		result FAIL "$t/nofp" "floating point in our objects" "$LOGS/$t-fp.txt"
	fi
	t0=$(date +%s)
	unit_check "$t" "$q"
	# the targets this build has (fuzz_netlink only where libmnl is)
	for fz in $(make -s --no-print-directory TOOLCHAIN="$t" print-FUZZ); do
		# shellcheck disable=SC2086 # QEMU is empty for a native target
		if timeout -k 5 300 $q "build/$t/fuzz_${fz}_replay" \
		    "tests/fuzz/corpus/$fz" > "$LOGS/$t-fuzz-$fz.log" 2>&1 \
		    < /dev/null && grep -q '^replayed [1-9]' "$LOGS/$t-fuzz-$fz.log"; then
			result PASS "$t/fuzz-$fz" "$fz corpus replayed under ${q:-native}"
		else
			result FAIL "$t/fuzz-$fz" "$fz corpus replay failed" \
			    "$LOGS/$t-fuzz-$fz.log"
		fi
	done
	t0=$(date +%s)
	exports_check "$t" "$q" exports native -- "${captures[@]}"
	exports_check "$t" "$q" exports-libpcap native-lp --libpcap-reader -- \
	    "${lp_captures[@]}"
	if IPK_TOOLCHAIN=$t bash tests/integration/ipk.sh > "$LOGS/$t-ipk.log" 2>&1; then
		result PASS "$t/ipk" "$(grep -m1 '^PASS' "$LOGS/$t-ipk.log" | sed 's/^PASS: *//')"
	else
		result FAIL "$t/ipk" "tests/integration/ipk.sh failed" "$LOGS/$t-ipk.log"
	fi
	netlink_compile "$t" "$cross"
	size_row "$t" "$be" "build/$t/picoflow" "$cross" \
	    "build/$t/src/main.o" "build/$t/libpicoflow.a"
	extra_backends "$t" "$cross" "$be"
}

T0=$(date +%s)
for t in "$@"; do
	one_target "$t"
done

if [ -x ./picoflow ]; then
	size_row "native" "$(make -s --no-print-directory print-BACKEND)" \
	    ./picoflow "" build/src/main.o build/libpicoflow.a
fi
echo
echo "Binary sizes in bytes.  stripped: the whole binary (a static one carries"
echo "libc and libpcap); own: picoflow's code and data in it (from the link"
echo "map; native: text+data of its objects); +netlink: own plus what the"
echo "NETLINK=mnl objects of the OpenWrt package add (compiled, not linked):"
printf '%-9s %-8s %-8s %9s %9s %9s\n' target backend linkage stripped own +netlink
for r in "${sizes[@]}"; do
	echo "$r"
done
echo
echo "cross-check took $(( $(date +%s) - T0 ))s (plus the native reference)"
if [ "$nfail" -gt 0 ]; then
	echo "failed: ${failed[*]}"
fi
echo "$npass passed, $nfail failed, $nskip skipped"
[ "$nfail" -eq 0 ]
