#!/bin/bash
# The seccomp program of every architecture it knows: with each compiler
# installed (gcc and clang for x86_64, gcc -m32 for i386, the cross gccs
# for mips, mipsel, armhf and aarch64), and the Makefile's -Werror flags,
# build platform/sandbox_linux.c with its unit test (static, no libpcap
# needed) and run the test: natively where the kernel runs the binary,
# else under qemu-user (which can run the program as data but refuses to
# install a filter).  An i386 binary this kernel cannot execute (no IA32
# emulation) is built but not run, and said so.  make cross-check runs
# the same unit test in the full cross builds.
set -u
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
cd "$ROOT" || exit 2
# shellcheck disable=SC2016 # $(...) is make's, not the shell's
flags=$(make -s --no-print-directory \
    --eval 'pf-flags: ; @echo $(PF_CPPFLAGS) $(PF_CFLAGS)' pf-flags)
fail=0 ran=0
# name, compiler and flags, qemu
targets=("x86_64-gcc|gcc|" "x86_64-clang|clang|" "i386|gcc -m32|"
    "mips|mips-linux-gnu-gcc|qemu-mips" "mipsel|mipsel-linux-gnu-gcc|qemu-mipsel"
    "armhf|arm-linux-gnueabihf-gcc|qemu-arm" "aarch64|aarch64-linux-gnu-gcc|qemu-aarch64")
for t in "${targets[@]}"; do
	IFS='|' read -r name cc q <<< "$t"
	command -v "${cc%% *}" > /dev/null 2>&1 || { echo "note: $name: no ${cc%% *}"; continue; }
	out=$WORK/test-$name
	# shellcheck disable=SC2086 # split the flags on purpose
	if ! $cc $flags -Iplatform -Os -static -o "$out" \
	    tests/unit/test_sandbox_linux.c platform/sandbox_linux.c src/util.c \
	    > "$WORK/$name.cc" 2>&1; then
		if grep -q 'No such file\|not found' "$WORK/$name.cc"; then
			echo "note: $name: no C library for $cc: $(head -1 "$WORK/$name.cc")"
			continue
		fi
		echo "FAIL: $name: sandbox_linux.c does not build with $cc"
		cat "$WORK/$name.cc"
		fail=1
		continue
	fi
	if [ -n "$q" ] && ! command -v "$q" > /dev/null 2>&1; then
		echo "note: $name: built; no $q to run it"
		continue
	fi
	# shellcheck disable=SC2086 # q is empty for a native binary
	$q "$out" > "$WORK/$name.tap" 2>&1
	rc=$?
	if [ "$rc" = 126 ] || grep -q 'Exec format error' "$WORK/$name.tap"; then
		echo "note: $name: built; this kernel cannot run it"
		continue
	fi
	ran=$((ran + 1))
	if [ "$rc" = 0 ] && grep -q '^1\.\.[1-9]' "$WORK/$name.tap" &&
	    ! grep -q '^not ok' "$WORK/$name.tap"; then
		echo "ok: $name: $(grep -c '^ok' "$WORK/$name.tap") checks, $(grep -m1 'audit arch' "$WORK/$name.tap" | sed 's/^# //')${q:+ (under $q)}"
	else
		echo "FAIL: $name:"
		cat "$WORK/$name.tap"
		fail=1
	fi
done
[ "$ran" -gt 0 ] || skip "no compiler could build and run the test"
[ "$fail" = 0 ] && echo "PASS: the seccomp program of every architecture built here is right"
exit "$fail"
