#!/usr/bin/env bash
# make check-debug: the whole VM tier (selftests/run.sh), then the long
# kernel fuzz runs (selftests/kfuzz/long.sh, COUNT messages and datagrams,
# default 1000000), both in the debug kernel of tools/vm/debug-kernel.sh
# (built first when missing). tools/vm/run.sh --kernel debug fails a run
# on any KASAN, lockdep, UBSAN, kmemleak, WARNING or BUG report and on an
# rmmod that did not succeed. Ends with "N passed, N failed, N skipped"
# added up over both runs; logs in $JVPN_LOG_DIR (out/check-debug).
set -uo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root" || exit 2
logdir=${JVPN_LOG_DIR:-$root/out/check-debug}
count=${1:-1000000}
mkdir -p "$logdir"
pass=0 fail=0 skip=0
t0=$SECONDS

# run NAME CMD...: one VM run, its KTAP counts added up
run() {
	local name=$1 log="$logdir/$1.log" status line
	shift
	echo "==== check-debug $name: $* ===="
	"$@" 2>&1 | tee "$log"
	status=${PIPESTATUS[0]}
	line=$(grep -E '^# [0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
	if [[ -z $line ]]; then
		echo "check-debug: $name ended (status $status) without a summary line"
		fail=$((fail + 1))
		return
	fi
	read -r _ p _ f _ s _ <<<"$line"
	pass=$((pass + p)) fail=$((fail + f)) skip=$((skip + s))
	if ((status != 0 && f == 0)); then
		echo "check-debug: $name exited with status $status (a kernel report?)"
		fail=$((fail + 1))
	fi
}

tools/vm/debug-kernel.sh >/dev/null || {
	echo "0 passed, 1 failed, 0 skipped"
	exit 1
}
echo "check-debug: debug kernel ready after $((SECONDS - t0)) s"
run vm tools/vm/run.sh --kernel debug --timeout 9000 --out "$logdir/vm" \
	selftests/run.sh
run fuzz tools/vm/run.sh --kernel debug --timeout 9000 --out "$logdir/fuzz" \
	selftests/kfuzz/long.sh "$count"
echo "check-debug: done in $((SECONDS - t0)) s"
echo "$pass passed, $fail failed, $skip skipped"
((fail == 0))
