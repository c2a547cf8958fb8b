#!/bin/bash
# Builds tests/bench/sandbox_cost.c against build/libpicoflow.a (make it
# first) and runs it RUNS times (default 3): nanoseconds a system call
# before and after the seccomp filter.  Figures only, never fails on them.
set -eu
cd "$(dirname "$0")/../.."
[ -f build/libpicoflow.a ] || { echo "run make first" >&2; exit 1; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
${CC:-cc} -std=c99 -D_DEFAULT_SOURCE -O2 -Isrc -o "$out/cost" \
    tests/bench/sandbox_cost.c build/libpicoflow.a
for _ in $(seq 1 "${RUNS:-3}"); do
	"$out/cost"
done
