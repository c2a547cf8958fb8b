#!/bin/bash
# The ioctl numbers and struct layouts the /dev/bpf backend and its walker
# rely on, checked against the FreeBSD, NetBSD, OpenBSD and macOS tables of
# golang.org/x/sys/unix (Debian: golang-golang-x-sys-dev).  What is checked
# is listed at the top of bsd_constants.py.
# Env: GO_SYS_UNIX (default: the Debian package's folder).
set -u
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
cd "$ROOT" || exit 2
GO=${GO_SYS_UNIX:-/usr/share/gocode/src/golang.org/x/sys/unix}
require python3
[ -r "$GO/zerrors_freebsd_amd64.go" ] ||
    skip "no golang.org/x/sys/unix tables in $GO (apt-get install golang-golang-x-sys-dev)"
[ -x build/test_bpf_walk ] || skip "build/test_bpf_walk is not built (run make check)"
build/test_bpf_walk --tables > "$WORK/tables" || { echo "FAIL: test_bpf_walk --tables"; exit 1; }
dump=()
# The sizes the backend sees through the shim are FreeBSD/amd64's only on
# an LP64 host; elsewhere the shim's numbers are still checked.
if [ "$(getconf LONG_BIT)" = 64 ] && [ -r /usr/include/pcap/pcap.h ] &&
    command -v "${CC:-cc}" > /dev/null 2>&1; then
	if tests/bsd-shim/build.sh "${CC:-cc}" "$WORK/dump" tests/bsd-shim/dump.c &&
	    "$WORK/dump" > "$WORK/dump.out"; then
		dump=("$WORK/dump.out")
	else
		echo "FAIL: cannot build or run tests/bsd-shim/dump.c"
		exit 1
	fi
fi
python3 tests/integration/bsd_constants.py "$GO" "$WORK/tables" \
    platform/capture_bpf.c tests/bsd-shim/net/bpf.h "${dump[@]}"
