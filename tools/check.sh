#!/usr/bin/env bash
# make check: builds everything, then runs each test tier and adds up their
# counts. Every tier ends its output with a line "N passed, N failed[, N
# skipped]"; a tier that dies without one counts as one failure.
set -uo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
logdir=${JVPN_LOG_DIR:-$root/out/check}
mkdir -p "$logdir"

total_pass=0 total_fail=0 total_skip=0
summary=()

# run_tier NAME CMD...: streams the tier's output and records its counts.
run_tier() {
	local name=$1 log="$logdir/$1.log" status line p f s
	shift
	echo "==== tier $name: $* ===="
	"$@" 2>&1 | tee "$log"
	status=${PIPESTATUS[0]}
	line=$(grep -E '[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
	if [[ -z $line ]]; then
		p=0 f=1 s=0
		echo "check: tier $name ended (status $status) without a summary line"
	else
		p=$(sed -E 's/.*\b([0-9]+) passed.*/\1/' <<<"$line")
		f=$(sed -E 's/.*\b([0-9]+) failed.*/\1/' <<<"$line")
		s=0
		[[ $line =~ ([0-9]+)\ skipped ]] && s=${BASH_REMATCH[1]}
		if ((status != 0 && f == 0)); then
			echo "check: tier $name exited with status $status"
			f=1
		fi
	fi
	total_pass=$((total_pass + p)) total_fail=$((total_fail + f))
	total_skip=$((total_skip + s))
	summary+=("$(printf '%-10s %4d passed, %4d failed, %4d skipped' \
		"$name" "$p" "$f" "$s")")
}

build() {
	if make -j2 all; then
		echo "1 passed, 0 failed"
	else
		echo "0 passed, 1 failed"
		return 1
	fi
}

run_tier build build
if ((total_fail)); then
	echo "check: the build failed; no test tier can run"
else
	run_tier lint make -s lint
	run_tier unit make -s unit
	run_tier dist tools/dist-check.sh
	run_tier fuzz make -s fuzz-short FUZZ_SECONDS=20
	run_tier model tools/model-check.sh
	run_tier kunit tools/kunit.sh
	run_tier dkms tools/dkms-check.sh
	# 48 tests; a loaded TCG host can take well over the runner's default
	run_tier vm tools/vm/run.sh --timeout 3000 --out "$logdir/vm" selftests/run.sh
fi

echo "==== summary ===="
printf '%s\n' "${summary[@]}"
echo "${total_pass} passed, ${total_fail} failed, ${total_skip} skipped"
((total_fail == 0))
