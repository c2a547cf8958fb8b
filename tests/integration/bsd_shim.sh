#!/bin/bash
# The /dev/bpf backend cannot run here, but it must still compile: build
# platform/capture_bpf.c against tests/bsd-shim (a FreeBSD/amd64 stand-in
# for <net/bpf.h>) with gcc and clang and the Makefile's -Werror flags,
# then check that the struct bpf_hdr layout the backend derives from the
# header (offsetof/sizeof) is the one test_bpf_walk tests as freebsd/amd64.
# That comparison needs an LP64 host, as FreeBSD/amd64 is; elsewhere only
# the compile is checked.  Whether the shim itself is true to FreeBSD is
# bsd_constants.sh's job.
set -u
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
cd "$ROOT" || exit 2
[ -x build/test_bpf_walk ] || skip "build/test_bpf_walk is not built (run make check)"
[ -r /usr/include/pcap/pcap.h ] || skip "libpcap headers are not installed"
fail=0 built=0
for cc in gcc clang; do
	command -v "$cc" > /dev/null 2>&1 || { echo "note: no $cc"; continue; }
	if ! tests/bsd-shim/build.sh "$cc" "$WORK/dump-$cc"; then
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
		continue
	fi
	got=$(echo "$out" | sed -n 's/^layout shim //p')
	want=$(build/test_bpf_walk --tables | sed -n 's|^layout freebsd/amd64 ||p')
	if [ -n "$got" ] && [ "$got" = "$want" ]; then
		echo "ok: derived layout equals test_bpf_walk's freebsd/amd64"
	else
		echo "FAIL: derived layout '$got' != freebsd/amd64 '$want'"
		fail=1
	fi
done
[ "$built" = 1 ] || [ "$fail" = 1 ] || skip "neither gcc nor clang is installed"
exit "$fail"
