#!/usr/bin/env bash
# make bench [SCENARIOS=a,b,...]: runs the benchmarks and writes the report.
#
#   tools/bench/bench.sh [all | LIST]
#
# LIST is comma-separated: throughput, latency, failover, nat, scale (in
# one VM run: QEMU TCG, the stock Debian kernel, jvpn and WireGuard side by
# side) and control (on the host: handshakes and reattach validations per
# second on one core, instructions per reattach from callgrind).
#
# Results: build/bench/results.json and build/bench/benchmarks.md (+ PNGs).
# With every scenario ("all", the default), also docs/benchmarks.md,
# docs/bench/results.json and docs/bench/*.png: the committed record.
# BENCH_* variables (see tools/bench/vm.sh) shorten or lengthen a run.
# Expects the build (make all, and the tools in build/bench/) to be done:
# make bench does both.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)
readonly REPO
readonly ALL=throughput,latency,failover,nat,scale,control
readonly OUT=$REPO/build/bench
readonly CPBENCH=$REPO/build/bench/cpbench

STEP=
say() { echo "bench: $*"; }

# control: on the host, repeated; the median of the runs is reported.
run_control() {
	local dir=$OUT/control i
	mkdir -p "$dir"
	: >"$dir/handshake.jsonl"
	: >"$dir/reattach.jsonl"
	: >"$dir/flood.jsonl"
	for i in 1 2 3 4 5; do
		say "$STEP handshakes per second, run $i/5 (2 s)"
		"$CPBENCH" handshake 2 >>"$dir/handshake.jsonl"
		say "$STEP reattach validations per second, run $i/5 (2 s)"
		"$CPBENCH" reattach 2 >>"$dir/reattach.jsonl"
		say "$STEP spoofed INITs under load per second, run $i/5 (2 s)"
		"$CPBENCH" flood 2 >>"$dir/flood.jsonl"
	done
	say "$STEP callgrind: instructions per reattach validation and per handshake"
	valgrind --tool=callgrind --callgrind-out-file="$dir/callgrind.reattach" \
		--toggle-collect=bench_reattach_one "$CPBENCH" count-reattach 10000 \
		>/dev/null 2>"$dir/callgrind.reattach.log"
	valgrind --tool=callgrind --callgrind-out-file="$dir/callgrind.handshake" \
		--toggle-collect=bench_handshake_one "$CPBENCH" count-handshake 200 \
		>/dev/null 2>"$dir/callgrind.handshake.log"
	jq -n --slurpfile hs "$dir/handshake.jsonl" \
		--slurpfile ra "$dir/reattach.jsonl" \
		--slurpfile fl "$dir/flood.jsonl" \
		--argjson ir_ra "$(sed -n 's/^totals: //p' "$dir/callgrind.reattach")" \
		--argjson ir_hs "$(sed -n 's/^totals: //p' "$dir/callgrind.handshake")" \
		--arg valgrind "$(valgrind --version)" \
		'def median: sort | .[length / 2 | floor];
		{handshake_gateway_per_sec: ($hs | map(.gateway_per_sec) | median),
		 handshake_round_trips_per_sec: ($hs | map(.round_trips_per_sec) | median),
		 reattach_validations_per_sec: ($ra | map(.per_sec) | median),
		 spoofed_inits_under_load_per_sec: ($fl | map(.inits_per_sec) | median),
		 instructions_per_reattach: ($ir_ra / 10000 | floor),
		 instructions_per_handshake_gateway: ($ir_hs / 200 | floor),
		 runs: {handshake: $hs, reattach: $ra, flood: $fl}, valgrind: $valgrind,
		 note: "one thread; medians of 5 runs of 2 s; gateway side timed only"}' \
		>"$dir/control.json"
}

host_env() {
	local cpu
	cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
	jq -n --arg cpu "$cpu" --argjson cores "$(nproc)" \
		--arg qemu "$(qemu-system-x86_64 --version | head -n 1)" \
		--arg kernel "$(uname -r)" \
		--arg commit "$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo unknown)" \
		--arg date "$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
		'{cpu: $cpu, cores: $cores, qemu: $qemu, kernel: $kernel,
		  commit: $commit, date: $date}'
}

main() {
	local list=${1:-all} s vm_list='' control=0 rc=0 start full=0 guest nsteps
	local -a settings=()
	[[ $list != all ]] || list=$ALL
	for s in ${list//,/ }; do
		case $s in
		control) control=1 ;;
		throughput | latency | failover | nat | scale) vm_list+=${vm_list:+,}$s ;;
		*)
			echo "bench: unknown scenario '$s' (known: $ALL)" >&2
			exit 2
			;;
		esac
	done
	[[ $vm_list,control == "${ALL%,control},control" && $control == 1 ]] && full=1
	[[ -x $CPBENCH && -x $REPO/build/bench/sessbench && -f $REPO/jvpn.ko ]] ||
		{ echo "bench: build first (make bench builds everything)" >&2; exit 1; }
	start=$SECONDS
	rm -rf "$OUT/vm" "$OUT/control"
	mkdir -p "$OUT"
	host_env >"$OUT/host.json"
	nsteps=$(($(tr ',' '\n' <<<"$vm_list" | grep -c . || true) + control))
	if [[ -n $vm_list ]]; then
		while read -r s; do settings+=("$s"); done < <(env | grep '^BENCH_' | grep -v '^BENCH_NSTEPS=' || true)
		settings+=("BENCH_NSTEPS=$nsteps")
		say "VM scenarios: $vm_list (QEMU TCG, -smp 2)"
		"$REPO/tools/vm/run.sh" --timeout 3600 --out "$OUT/vm" tools/bench/vm.sh \
			"$vm_list" "${settings[@]}" || rc=$?
		((rc == 0)) || say "the VM run ended with status $rc; reporting what it produced"
	fi
	if ((control)); then
		STEP="[$nsteps/$nsteps] control:"
		run_control
	fi
	guest=$OUT/vm/guest.env
	jq -n --slurpfile host "$OUT/host.json" \
		--arg guest "$(cat "$guest" 2>/dev/null || true)" \
		--arg scenarios "$list" --argjson seconds $((SECONDS - start)) \
		--arg durations "$(cat "$OUT/vm/durations" 2>/dev/null || true)" \
		'{host: $host[0], scenarios: ($scenarios | split(",")),
		  guest: ($guest | split("\n") | map(select(. != "") |
			capture("^(?<key>[^=]*)=(?<value>.*)$")) | from_entries),
		  vm_scenario_seconds: ($durations | split("\n") | map(select(. != "") |
			split(" ") | {key: .[0], value: (.[1] | tonumber)}) | from_entries),
		  total_seconds: $seconds}' >"$OUT/meta.json"
	jq -n --slurpfile meta "$OUT/meta.json" \
		'{meta: $meta[0]}' >"$OUT/results.json"
	for s in throughput latency failover nat scale; do
		[[ -f $OUT/vm/$s.json ]] || continue
		jq --slurpfile x "$OUT/vm/$s.json" --arg s "$s" '.[$s] = $x[0]' \
			"$OUT/results.json" >"$OUT/results.json.new"
		mv "$OUT/results.json.new" "$OUT/results.json"
	done
	if [[ -f $OUT/control/control.json ]]; then
		jq --slurpfile x "$OUT/control/control.json" '.control = $x[0]' \
			"$OUT/results.json" >"$OUT/results.json.new"
		mv "$OUT/results.json.new" "$OUT/results.json"
	fi
	"$REPO/tools/bench/report.sh" "$OUT/results.json" "$OUT"
	if ((full && rc == 0)); then
		mkdir -p "$REPO/docs/bench"
		cp "$OUT/results.json" "$REPO/docs/bench/results.json"
		cp "$OUT"/*.png "$REPO/docs/bench/"
		# the report links its files by name; docs/ keeps them in bench/
		sed -E 's#\]\((results\.json|[a-z]+\.png)\)#](bench/\1)#g' \
			"$OUT/benchmarks.md" >"$REPO/docs/benchmarks.md"
		say "docs/benchmarks.md, docs/bench/results.json and plots updated"
	fi
	say "results: $OUT/results.json, $OUT/benchmarks.md ($((SECONDS - start)) s in all)"
	return "$rc"
}

main "$@"
