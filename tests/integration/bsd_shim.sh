#!/bin/bash
# The /dev/bpf backend cannot run here, but it must still compile and its
# logic can still be exercised.  With gcc and clang and the Makefile's
# -Werror flags, against tests/bsd-shim (a FreeBSD/amd64 stand-in for
# <net/bpf.h>):
#   - dump.c builds platform/capture_bpf.c and prints the struct bpf_hdr
#     layout it derives from the header (offsetof/sizeof); on an LP64 host
#     that must be the layout test_bpf_walk tests as freebsd/amd64;
#   - fake_kernel.c runs the backend against a scripted fake of bpf(4)
#     (open, ioctl, read, fcntl, close), under ASan and UBSan: TAP output,
#     no "not ok", no sanitizer report.
# Whether the shim itself is true to FreeBSD is bsd_constants.sh's job.
set -u
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
cd "$ROOT" || exit 2
[ -x build/test_bpf_walk ] || skip "build/test_bpf_walk is not built (run make check)"
[ -r /usr/include/pcap/pcap.h ] || skip "libpcap headers are not installed"
SAN=("-fsanitize=address,undefined" -fno-omit-frame-pointer -fno-sanitize-recover=all)
SAN_RE='ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:|SUMMARY: [A-Za-z]*Sanitizer'
fail=0 built=0
for cc in gcc clang; do
	command -v "$cc" > /dev/null 2>&1 || { echo "note: no $cc"; continue; }
	if ! tests/bsd-shim/build.sh "$cc" "$WORK/dump-$cc" tests/bsd-shim/dump.c; then
		echo "FAIL: capture_bpf.c does not compile with $cc"
		fail=1
		continue
	fi
	built=1
	echo "ok: capture_bpf.c compiles with $cc -Werror against the shim"
	out=$("$WORK/dump-$cc") || { echo "FAIL: dump-$cc exited $?"; fail=1; }
	printf '  %s\n' "${out//$'\n'/$'\n'  }"
	if [ "$(getconf LONG_BIT)" != 64 ]; then
		echo "note: host is not LP64, layout not compared"
	else
		got=$(echo "$out" | sed -n 's/^layout shim //p')
		want=$(build/test_bpf_walk --tables | sed -n 's|^layout freebsd/amd64 ||p')
		if [ -n "$got" ] && [ "$got" = "$want" ]; then
			echo "ok: derived layout equals test_bpf_walk's freebsd/amd64"
		else
			echo "FAIL: derived layout '$got' != freebsd/amd64 '$want'"
			fail=1
		fi
	fi
	if ! tests/bsd-shim/build.sh "$cc" "$WORK/fake-$cc" \
	    tests/bsd-shim/fake_kernel.c "${SAN[@]}"; then
		echo "FAIL: fake_kernel.c does not build with $cc"
		fail=1
		continue
	fi
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	    "$WORK/fake-$cc" > "$WORK/fake-$cc.log" 2>&1
	rc=$?
	sed 's/^/  /' "$WORK/fake-$cc.log"
	if [ "$rc" -ne 0 ] || grep -q '^not ok' "$WORK/fake-$cc.log" ||
	    ! grep -Eq '^1\.\.[0-9]+' "$WORK/fake-$cc.log" ||
	    grep -Eq "$SAN_RE" "$WORK/fake-$cc.log"; then
		echo "FAIL: the backend against the fake bpf(4), $cc (exit $rc)"
		fail=1
	else
		echo "ok: the backend against the fake bpf(4), $cc, ASan+UBSan"
	fi
done
[ "$built" = 1 ] || [ "$fail" = 1 ] || skip "neither gcc nor clang is installed"
exit "$fail"
