#!/bin/bash
# The OpenBSD (pledge) and FreeBSD (Capsicum) sandboxes cannot run here,
# but they must compile, and what they ask the kernel can be checked.
# With gcc and clang, the Makefile's -Werror flags for BACKEND=bsd, and
# stand-ins for <unistd.h>'s pledge() and <sys/capsicum.h>
# (tests/bsd-shim/sandbox): each file is built with
# tests/bsd-shim/sandbox_fake.c, which fakes pledge(2) and cap_enter(2),
# records their arguments and checks them for each set of needs (TAP).
set -u
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
cd "$ROOT" || exit 2
# shellcheck disable=SC2016 # $(...) is make's, not the shell's
flags=$(make -s --no-print-directory BACKEND=bsd \
    --eval 'pf-shim-flags: ; @echo $(PF_CPPFLAGS) $(PF_CFLAGS)' pf-shim-flags)
fail=0 built=0
for cc in gcc clang; do
	command -v "$cc" > /dev/null 2>&1 || { echo "note: no $cc"; continue; }
	for os in openbsd freebsd; do
		out=$WORK/fake-$os-$cc
		# shellcheck disable=SC2086 # split the flags on purpose
		if ! "$cc" $flags -Itests/bsd-shim/sandbox -O1 -g -o "$out" \
		    tests/bsd-shim/sandbox_fake.c "platform/sandbox_$os.c" \
		    src/util.c; then
			echo "FAIL: sandbox_$os.c does not compile with $cc"
			fail=1
			continue
		fi
		built=1
		if "$out" > "$WORK/$os-$cc.tap" && grep -q '^1\.\.[1-9]' \
		    "$WORK/$os-$cc.tap" && ! grep -q '^not ok' "$WORK/$os-$cc.tap"; then
			echo "ok: sandbox_$os.c ($cc): $(grep -c '^ok' "$WORK/$os-$cc.tap") checks"
		else
			echo "FAIL: sandbox_$os.c ($cc):"
			cat "$WORK/$os-$cc.tap"
			fail=1
		fi
	done
done
[ "$built" = 1 ] || skip "neither gcc nor clang is installed"
[ "$fail" = 0 ] && echo "PASS: the BSD sandboxes compile and ask for what the flags need (not run: no BSD here)"
exit "$fail"
