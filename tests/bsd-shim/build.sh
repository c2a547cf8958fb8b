#!/bin/bash
# tests/bsd-shim/build.sh CC OUT SRC [CFLAGS...]: compile SRC (dump.c or
# fake_kernel.c, each of which includes platform/capture_bpf.c) against
# this shim with the flags "make BACKEND=bsd" would use (the Makefile's
# -Werror set included) plus CFLAGS, and link OUT.  Run from the top of
# the tree.
set -eu
cc=$1 out=$2 src=$3
shift 3
# shellcheck disable=SC2016 # $(...) is make's, not the shell's
flags=$(make -s --no-print-directory BACKEND=bsd \
    --eval 'pf-shim-flags: ; @echo $(PF_CPPFLAGS) $(PF_CFLAGS)' pf-shim-flags)
# shellcheck disable=SC2086 # split the flags on purpose
"$cc" $flags -Iplatform -Itests/bsd-shim -O1 -g "$@" -o "$out" \
    "$src" platform/bpf_walk.c src/util.c -lpcap
