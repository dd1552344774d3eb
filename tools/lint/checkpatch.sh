#!/usr/bin/env bash
# Runs the kernel's scripts/checkpatch.pl on the module's code (kernel/*.c,
# kernel/*.h, the uapi headers it includes) and its KUnit suites (selftests/kunit/*.c): jvpn.ko is kernel
# code and is meant to read like it. A file passes when checkpatch reports
# no ERROR and no WARNING, except warnings tools/lint/checkpatch.allow lists
# (with a reason) for that file; allowed warnings are still printed.
#
# checkpatch.pl is not packaged on its own: it and the files it reads
# (spelling.txt, const_structs.checkpatch, checkpatch.rst) are extracted
# once from Debian's linux-source-6.1 tarball into a cache outside the
# repository, and reused while the tarball stays the same.
#
# Flags: --no-tree -f (files, not patches, outside a kernel tree), --terse
# --show-types (one line per finding, with the type the allow file names),
# --max-line-length=80 (netdev's limit, and .clang-format's), no --strict
# (its CHECKs are style advice; the gate is ERROR and WARNING).
#
# Environment (optional):
#   JVPN_CACHE         cache directory       (/var/tmp/jvpn-cache)
#   JVPN_LINUX_SOURCE  source tarball  (/usr/src/linux-source-6.1.tar.xz)
# The last line is "N passed, N failed"; exit 1 when a file fails, 2 when
# the check cannot run.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
repo=$(cd "$here/../.." && pwd -P)
cache=${JVPN_CACHE:-/var/tmp/jvpn-cache}/checkpatch
tarball=${JVPN_LINUX_SOURCE:-/usr/src/linux-source-6.1.tar.xz}
allow_file=$here/checkpatch.allow
checkpatch=$cache/scripts/checkpatch.pl
# What checkpatch.pl reads next to itself ($D) when given these flags.
members=(scripts/checkpatch.pl scripts/spelling.txt
	 scripts/const_structs.checkpatch Documentation/dev-tools/checkpatch.rst)
flags=(--no-tree -f --terse --show-types --no-summary --color=never
       --max-line-length=80)

say() { echo "checkpatch: $*"; }

die() {
	echo "checkpatch: error: $*" >&2
	echo "0 passed, 0 failed"
	exit 2
}

# linux-source-6.1, as tools/kunit.sh gets it: installed when missing and
# root (waiting for an apt run already under way, e.g. install-deps.sh).
need_tarball() {
	[[ -f $tarball ]] && return
	((EUID == 0)) || die "$tarball missing: install linux-source-6.1 (tools/install-deps.sh)"
	say "installing linux-source-6.1"
	export DEBIAN_FRONTEND=noninteractive
	apt-get -o DPkg::Lock::Timeout=900 update -qq
	apt-get -o DPkg::Lock::Timeout=900 install -y -qq \
		--no-install-recommends linux-source-6.1 >/dev/null
	[[ -f $tarball ]] || die "$tarball still missing after installing linux-source-6.1"
}

# Extracts checkpatch.pl and its files once; a new tarball re-extracts.
extract() {
	local stamp=$cache/.jvpn-extracted want tmp m
	want="$(stat -c '%s %Y' "$tarball") $tarball"
	[[ -f $stamp && $(cat "$stamp") == "$want" ]] && return
	say "extracting checkpatch.pl from $tarball into $cache (once)"
	tmp=$cache/extract.tmp
	rm -rf "$tmp" "$cache/scripts" "$cache/Documentation"
	mkdir -p "$tmp"
	# '*' matches the tarball's top directory only
	tar -xJf "$tarball" -C "$tmp" --strip-components=1 \
		--wildcards --no-wildcards-match-slash "${members[@]/#/*/}" ||
		die "$tarball lacks ${members[*]}"
	for m in "${members[@]}"; do
		[[ -f $tmp/$m ]] || die "$tarball lacks $m"
	done
	mv "$tmp/scripts" "$tmp/Documentation" "$cache/"
	rmdir "$tmp" 2>/dev/null || rm -rf "$tmp"
	echo "$want" >"$stamp"
}

# One cache for every clone on the machine: one extractor at a time.
prepare() {
	command -v perl >/dev/null 2>&1 || die "perl not found"
	need_tarball
	mkdir -p "$cache"
	exec 9>"$cache/.lock"
	flock 9
	extract
	exec 9>&-
}

# allow[FILE TYPE]=reason, from lines "FILE TYPE  # reason".
declare -A allow=() used=()
read_allow() {
	local line num=0 file type rest
	[[ -f $allow_file ]] || return 0
	while IFS= read -r line || [[ -n $line ]]; do
		num=$((num + 1))
		[[ $line =~ ^[[:space:]]*(#|$) ]] && continue
		read -r file type rest <<<"$line"
		[[ $rest =~ ^#[[:space:]]*([^[:space:]].*)$ ]] ||
			die "$allow_file:$num: want FILE TYPE  # reason"
		allow["$file $type"]=${BASH_REMATCH[1]}
	done <"$allow_file"
}

# check_file FILE: prints its findings; fails on an ERROR or a WARNING
# not allowed, or when checkpatch says something it does not understand.
check_file() {
	local f=$1 out rc=0 line level type bad=0
	out=$(HOME=$cache perl "$checkpatch" "${flags[@]}" "$f" 2>&1) || rc=$?
	while IFS= read -r line; do
		[[ -n $line ]] || continue
		if [[ $line =~ ^[^:]+:[0-9]+:\ (ERROR|WARNING|CHECK):([A-Z0-9_]+): ]]; then
			level=${BASH_REMATCH[1]} type=${BASH_REMATCH[2]}
		else
			level=UNKNOWN type=
		fi
		if [[ $level == WARNING && -n ${allow["$f $type"]:-} ]]; then
			used["$f $type"]=1
			say "$line [allowed: ${allow["$f $type"]}]"
			continue
		fi
		say "$line"
		[[ $level == CHECK ]] || bad=1
	done <<<"$out"
	if ((rc > 1)); then
		say "$f: checkpatch.pl exited $rc"
		bad=1
	fi
	((bad == 0))
}

# An allowance nothing needs any more should go.
stale_allowances() {
	local key
	for key in "${!allow[@]}"; do
		[[ -n ${used[$key]:-} ]] || say "note: unused allowance in $allow_file: $key"
	done
}

prepare
read_allow
cd "$repo"
shopt -s nullglob
files=(kernel/*.c kernel/*.h uapi/*/*.h selftests/kunit/*.c)
((${#files[@]})) || die "no kernel/*.[ch] in $repo"

passed=0 failed=0
for f in "${files[@]}"; do
	if check_file "$f"; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
	fi
done
stale_allowances
echo "$passed passed, $failed failed"
((failed == 0))
