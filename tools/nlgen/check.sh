#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
# The files generated from docs/netlink/jvpn.yaml are what it generates,
# and the uapi keeps every name and value it ever had:
#
#	tools/nlgen/check.sh
#
# Regenerates into a temporary directory and diffs against the checked-in
# files; compiles uapi/linux/jvpn.h against tools/nlgen/uapi-abi.txt.
# Prints one line per check and ends with "N passed, N failed"; exits 1
# if any check failed. Changes nothing in the tree.
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 1
. tools/nlgen/outputs.sh

tmp=$(mktemp -d "${TMPDIR:-/tmp}/nlgen-check.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0

pass() {
	echo "ok: $*"
	passed=$((passed + 1))
}

fail() {
	echo "FAIL: $*"
	failed=$((failed + 1))
}

# check_generated FILE KIND: FILE is what the spec generates.
check_generated() {
	local file=$1 kind=$2 out=$tmp/${1//\//_}
	if ! python3 tools/nlgen/nlgen.py "$NLGEN_SPEC" "$kind" >"$out" \
		2>"$out.err"; then
		cat "$out.err"
		fail "$file: the generator refused $NLGEN_SPEC (above)"
	elif [[ ! -f $file ]]; then
		fail "$file: missing; run tools/nlgen/regen.sh"
	elif diff -u "$file" "$out" >"$out.diff"; then
		pass "$file is generated from $NLGEN_SPEC"
	else
		cat "$out.diff"
		fail "$file has drifted from $NLGEN_SPEC (diff above: - checked" \
			"in, + generated). Change the spec, not the output, then" \
			"run tools/nlgen/regen.sh and commit both"
	fi
}

# The probe prints NAME VALUE for every name of the snapshot.
write_probe() {
	local name value
	echo '#include <stdio.h>'
	echo '#include <linux/jvpn.h>'
	echo 'int main(void)'
	echo '{'
	while read -r name value; do
		[[ -z $name || $name == \#* ]] && continue
		if [[ $value == \"* ]]; then
			printf '\tprintf("%%s \\"%%s\\"\\n", "%s", %s);\n' \
				"$name" "$name"
		else
			printf '\tprintf("%%s %%lld\\n", "%s", (long long)%s);\n' \
				"$name" "$name"
		fi
	done <tools/nlgen/uapi-abi.txt
	echo '	return 0;'
	echo '}'
}

check_abi() {
	local cc=${CC:-cc}
	if ! command -v "$cc" >/dev/null; then
		fail "uapi ABI: no C compiler ($cc) to compile the probe with"
		return
	fi
	write_probe >"$tmp/probe.c"
	if ! "$cc" -std=c11 -Wall -Werror -Iuapi -o "$tmp/probe" \
		"$tmp/probe.c" 2>"$tmp/probe.err"; then
		cat "$tmp/probe.err"
		fail "uapi ABI: uapi/linux/jvpn.h lost a name of" \
			"tools/nlgen/uapi-abi.txt (compiler output above)"
		return
	fi
	"$tmp/probe" >"$tmp/abi"
	if diff -u <(grep -v '^#' tools/nlgen/uapi-abi.txt) "$tmp/abi" \
		>"$tmp/abi.diff"; then
		pass "uapi ABI: the $(wc -l <"$tmp/abi") names of" \
			"tools/nlgen/uapi-abi.txt keep their values"
	else
		cat "$tmp/abi.diff"
		fail "uapi ABI: uapi/linux/jvpn.h renumbered a name (diff above:" \
			"- as released, + now); append new entries at the end"
	fi
}

if ! python3 -c 'import yaml' 2>"$tmp/yaml.err"; then
	cat "$tmp/yaml.err"
	fail "python3 cannot import yaml: install python3-yaml" \
		"(tools/install-deps.sh)"
else
	for file in "${!NLGEN_OUTPUTS[@]}"; do
		check_generated "$file" "${NLGEN_OUTPUTS[$file]}"
	done
fi
check_abi
echo "$passed passed, $failed failed"
((failed == 0))
