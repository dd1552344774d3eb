#!/usr/bin/env bash
# Checks that the userspace C is formatted by clang-format with the root
# .clang-format, so that one style reads across the tree: the *.c and *.h
# git knows of (tracked, or untracked and not ignored) under lib/, daemon/,
# tools/, selftests/unit/, selftests/fuzz/ and selftests/*.c. Kernel code
# (kernel/, selftests/kunit/, and the uapi/ headers the kernel includes) is
# checkpatch.sh's job; a file whose first 5 lines say "generated" is left
# alone.
#
# usage: tools/lint/format.sh [--fix]
#   --fix  formats the offending files in place (clang-format -i) instead
# CLANG_FORMAT names another clang-format binary (default: clang-format).
# The last line is "N passed, N failed"; exit 1 when a file is not
# formatted, 2 when the check cannot run.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)
clang_format=${CLANG_FORMAT:-clang-format}
fix=0

say() { echo "format: $*"; }

die() {
	echo "format: error: $*" >&2
	echo "0 passed, 0 failed"
	exit 2
}

in_scope() {	# <path from the repository root>
	case $1 in
	kernel/* | selftests/kunit/*) return 1 ;;
	lib/* | daemon/* | tools/*) return 0 ;;
	selftests/unit/* | selftests/fuzz/*) return 0 ;;
	selftests/*/*) return 1 ;;
	selftests/*.c) return 0 ;;
	esac
	return 1
}

is_generated() {
	head -n 5 -- "$1" | grep -qiw generated
}

# The files to check, one a line: only those present in the work tree (a
# file deleted but not yet staged is still tracked).
list_files() {
	local f
	{
		git ls-files -z -- '*.c' '*.h'
		git ls-files -z --others --exclude-standard -- '*.c' '*.h'
	} | sort -zu | while IFS= read -r -d '' f; do
		in_scope "$f" && [[ -f $f ]] && ! is_generated "$f" &&
			printf '%s\n' "$f"
	done
}

formatted() {
	"$clang_format" --dry-run -Werror -- "$1" >/dev/null 2>&1
}

# clang-format -i, repeated: a few files (aligned trailing comments) only
# settle on the second pass.
reformat() {
	local _
	for _ in 1 2 3; do
		"$clang_format" -i -- "$1" || return 1
		formatted "$1" && return 0
	done
	return 1
}

preflight() {
	command -v "$clang_format" >/dev/null 2>&1 ||
		die "$clang_format not found (package clang-format)"
	[[ -f .clang-format ]] || die "$repo/.clang-format missing"
	git rev-parse --is-inside-work-tree >/dev/null 2>&1 ||
		die "$repo is not a git work tree"
	# A bad .clang-format would make every file look unformatted.
	local err
	err=$("$clang_format" --assume-filename=x.c </dev/null 2>&1 >/dev/null) ||
		die "clang-format rejects .clang-format: $err"
}

case ${1:-} in
"") ;;
--fix) fix=1 ;;
*) echo "usage: $0 [--fix]" >&2; die "unknown argument: $1" ;;
esac

cd "$repo"
preflight
mapfile -t files < <(list_files)
((${#files[@]})) || die "no C files in scope: wrong directory?"

passed=0 failed=0
for f in "${files[@]}"; do
	if formatted "$f"; then
		passed=$((passed + 1))
	elif ((fix)) && reformat "$f"; then
		say "$f: reformatted"
		passed=$((passed + 1))
	else
		say "$f: not formatted (run: clang-format -i $f)"
		failed=$((failed + 1))
	fi
done
echo "$passed passed, $failed failed"
((failed == 0))
