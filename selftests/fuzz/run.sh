#!/usr/bin/env bash
# Runs each libFuzzer harness for SECONDS, or for RUNS executions when
# the first argument is runs=RUNS, starting from its seed corpus
# (selftests/fuzz/corpus/NAME/ when present) in a scratch copy, and ends
# with "fuzz: N passed, N failed". A crash, leak or sanitizer report fails
# the harness and leaves the reproducer in out/fuzz/. Each harness's
# executions, time and rate go to out/fuzz/summary.tsv.
#
#	selftests/fuzz/run.sh SECONDS|runs=RUNS BUILD/fuzz/X_fuzz...
set -uo pipefail

budget=${1:?usage: run.sh SECONDS|runs=RUNS HARNESS...}
shift
case $budget in
runs=*) limit=-runs=${budget#runs=} what="${budget#runs=} executions" ;;
*) limit=-max_total_time=$budget what="${budget}s" ;;
esac
root=$(cd "$(dirname "$0")/../.." && pwd)
out=$root/out/fuzz
mkdir -p "$out"
pass=0 fail=0
printf 'harness\texecutions\tseconds\texec_per_s\n' >"$out/summary.tsv"

for bin in "$@"; do
	name=$(basename "$bin" _fuzz)
	corpus=$(mktemp -d)
	seeds=$root/selftests/fuzz/corpus/$name
	[[ -d $seeds ]] && cp -r "$seeds"/. "$corpus"/
	echo "fuzz: $name for $what"
	start=$SECONDS
	if "$bin" "$limit" -print_final_stats=1 \
		-artifact_prefix="$out/$name-" "$corpus" >"$out/$name.log" 2>&1; then
		grep -E 'stat::number_of_executed_units|stat::peak_rss' "$out/$name.log" |
			sed "s/^/fuzz: $name: /"
		runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/$name.log")
		secs=$((SECONDS - start > 0 ? SECONDS - start : 1))
		printf '%s\t%s\t%s\t%s\n' "$name" "$runs" "$secs" \
			"$((runs / secs))" >>"$out/summary.tsv"
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
