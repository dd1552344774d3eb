#!/usr/bin/env bash
# The model tier: checks the Promela models with SPIN (docs/reattach.md,
# "The model"). Each model is verified exhaustively at the bounds make
# check can afford, and each of its OLD_* switches, which re-create a hole
# the design closed, must make it fail: a model that cannot fail proves
# nothing.
#
# At its bounds (docs/reattach.md, "The model") the search is exhaustive
# and takes about two minutes on these 2-core machines.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
readonly MODEL=$ROOT/daemon/core/reattach.pml
readonly OLD_HOLES=(OLD_ACK_FROM_ANYWHERE OLD_CHARGE_REBINDS OLD_RESPONSE_ANYWHERE)
passed=0
failed=0
n=0

command -v spin >/dev/null || { echo "model: spin not installed (tools/install-deps.sh)"; echo "model: 0 passed, 1 failed"; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# verify NAME WANT SEARCH DEFINES...: runs pan; WANT is clean or error.
verify() {
	local name=$1 want=$2 search=$3 out errors
	shift 3
	out=$work/$name.out
	n=$((n + 1))
	(cd "$work" && spin -a "$@" "$MODEL" >"$out" 2>&1 &&
		gcc -O2 -DSAFETY $search -DVECTORSZ=2048 -o "pan-$name" pan.c >>"$out" 2>&1 &&
		"./pan-$name" -m400000 -w27 >>"$out" 2>&1)
	errors=$(sed -n 's/.*errors: \([0-9]*\).*/\1/p' "$out")
	if [[ -z $errors ]]; then
		echo "not ok $n $name: spin or pan did not finish"
		tail -5 "$out"
		failed=$((failed + 1))
	elif [[ $want == clean && $errors == 0 ]] ||
		[[ $want == error && $errors != 0 ]]; then
		echo "ok $n $name ($want: $(grep -E 'states, stored' "$out" | xargs), $(grep -o 'elapsed time.*' "$out"))"
		passed=$((passed + 1))
	else
		echo "not ok $n $name: expected $want, pan says errors: $errors"
		grep -E 'violated|invalid end' "$out" | head -3
		failed=$((failed + 1))
	fi
}

echo "model: $MODEL"
verify reattach clean -DCOLLAPSE
verify reattach-lossy clean -DCOLLAPSE -DLOSSY
for hole in "${OLD_HOLES[@]}"; do
	verify "reattach-$hole" error -DCOLLAPSE "-D$hole"
done
echo "model: $passed passed, $failed failed"
((failed == 0))
