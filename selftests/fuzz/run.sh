#!/usr/bin/env bash
# Runs each libFuzzer harness for SECONDS, starting from its seed corpus
# (selftests/fuzz/corpus/NAME/ when present) in a scratch copy, and ends
# with "fuzz: N passed, N failed". A crash, leak or sanitizer report fails
# the harness and leaves the reproducer in out/fuzz/.
#
#	selftests/fuzz/run.sh SECONDS BUILD/fuzz/X_fuzz...
set -uo pipefail

secs=${1:?usage: run.sh SECONDS HARNESS...}
shift
root=$(cd "$(dirname "$0")/../.." && pwd)
out=$root/out/fuzz
mkdir -p "$out"
pass=0 fail=0

for bin in "$@"; do
	name=$(basename "$bin" _fuzz)
	corpus=$(mktemp -d)
	seeds=$root/selftests/fuzz/corpus/$name
	[[ -d $seeds ]] && cp -r "$seeds"/. "$corpus"/
	echo "fuzz: $name for ${secs}s"
	if "$bin" -max_total_time="$secs" -print_final_stats=1 \
		-artifact_prefix="$out/$name-" "$corpus" >"$out/$name.log" 2>&1; then
		grep -E 'stat::number_of_executed_units|stat::peak_rss' "$out/$name.log" |
			sed "s/^/fuzz: $name: /"
		pass=$((pass + 1))
	else
		tail -n 30 "$out/$name.log"
		echo "fuzz: $name FAILED (log: $out/$name.log)"
		fail=$((fail + 1))
	fi
	rm -rf "$corpus"
done
echo "fuzz: $pass passed, $fail failed, 0 skipped"
((fail == 0))
