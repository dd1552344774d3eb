#!/usr/bin/env bash
# The lint tier of `make check`: clang-format on userspace, checkpatch on
# the kernel code, the generated netlink files against their spec, and the
# layering rule of docs/architecture.md on the
# objects of each program (a program's objects and the archives it links:
# jvpnd, jvpnctl, jvpnk, the benchmarks). Ends with "N passed, N failed".
#
#	tools/lint/run.sh OBJDIR
set -uo pipefail

objdir=${1:?usage: run.sh OBJDIR}
here=$(cd "$(dirname "$0")" && pwd)
pass=0 fail=0

# count CMD...: runs a check and adds its summary line to the totals
count() {
	local out line
	out=$("$@" 2>&1)
	echo "$out" | grep -v ' passed, [0-9]* failed' | sed 's/^/  /'
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' <<<"$out" | tail -n 1)
	if [[ -z $line ]]; then
		echo "lint: $* gave no summary"
		fail=$((fail + 1))
		return
	fi
	echo "lint: $*: $line"
	pass=$((pass + ${line%% passed*}))
	line=${line#* passed, }
	fail=$((fail + ${line%% failed*}))
}

# program NAME DIR...: the layering rule over one program's objects, those
# of the sources in DIR... (not subfolders) as they are now: an object
# left behind by a deleted source is no part of any program
program() {
	local name=$1 tree src obj
	shift
	tree=$(mktemp -d)
	for dir in "$@"; do
		for src in "$dir"/*.c; do
			obj=$objdir/${src%.c}.o
			[[ -e $obj ]] || continue
			mkdir -p "$tree/$dir"
			cp "$obj" "$tree/${src%.c}.o"
		done
	done
	echo "lint: layers of $name"
	count "$here/layers.sh" "$tree"
	rm -rf "$tree"
}

count "$here/format.sh"
count "$here/checkpatch.sh"
count "$here/selftest.sh"
# the generated netlink files against docs/netlink/jvpn.yaml
count "$here/../nlgen/check.sh"
cd "$here/../.." || exit 1
program jvpnd lib daemon/core daemon/config daemon/io daemon
program jvpnctl lib tools/jvpnctl
program jvpnk lib tools/jvpnk
echo "lint: ${pass} passed, ${fail} failed"
echo "${pass} passed, ${fail} failed"
((fail == 0))
