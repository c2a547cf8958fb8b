#!/bin/bash
# tests/bsd-shim/build.sh CC OUT: compile platform/capture_bpf.c (through
# dump.c) against this shim with the flags "make BACKEND=bsd" would use
# (the Makefile's -Werror set included) and link OUT.  Run from the top of
# the tree after make has built build/platform/bpf_walk.o.
set -eu
cc=$1 out=$2
# shellcheck disable=SC2016 # $(...) is make's, not the shell's
flags=$(make -s --no-print-directory BACKEND=bsd \
    --eval 'pf-shim-flags: ; @echo $(PF_CPPFLAGS) $(PF_CFLAGS)' pf-shim-flags)
# shellcheck disable=SC2086 # split the flags on purpose
"$cc" $flags -Iplatform -Itests/bsd-shim -O2 -o "$out" \
    tests/bsd-shim/dump.c platform/bpf_walk.c -lpcap
