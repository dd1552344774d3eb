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
t0=$SECONDS
# shellcheck source=tools/tiers.sh
. "$root/tools/tiers.sh"

tools/vm/debug-kernel.sh >/dev/null || {
	echo "0 passed, 1 failed, 0 skipped"
	exit 1
}
echo "check-debug: debug kernel ready after $((SECONDS - t0)) s"
run_tier vm tools/vm/run.sh --kernel debug --timeout 9000 --out "$logdir/vm" \
	selftests/run.sh
run_tier fuzz tools/vm/run.sh --kernel debug --timeout 9000 --out "$logdir/fuzz" \
	selftests/kfuzz/long.sh "$count"
echo "check-debug: done in $((SECONDS - t0)) s"
tiers_summary
