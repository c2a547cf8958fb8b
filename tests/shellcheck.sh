#!/bin/sh
# Runs shellcheck over every shell script of the tree (the CI stage
# "shellcheck"; settings in .shellcheckrc): *.sh, .ci/run, the OpenWrt
# init script, and any tracked file whose first line is a sh/bash shebang.
cd "$(dirname "$0")/.." || exit 2
command -v shellcheck > /dev/null || { echo "shellcheck is not installed" >&2; exit 2; }
git ls-files | while read -r f; do
	case $f in
	*.sh | .ci/run | openwrt/files/picoflow.init) echo "$f" ;;
	*) head -n 1 "$f" 2> /dev/null | grep -Eq '^#!.*(/|env )(ba)?sh' &&
	    echo "$f" ;;
	esac
done | sort -u > "${TMPDIR:-/tmp}/picoflow-shellcheck.$$"
n=$(wc -l < "${TMPDIR:-/tmp}/picoflow-shellcheck.$$")
# shellcheck disable=SC2046 # one file a word; no spaces in the tree's names
shellcheck $(cat "${TMPDIR:-/tmp}/picoflow-shellcheck.$$")
rc=$?
rm -f "${TMPDIR:-/tmp}/picoflow-shellcheck.$$"
[ "$rc" = 0 ] && echo "shellcheck: $n scripts clean"
exit "$rc"
