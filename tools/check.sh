#!/usr/bin/env bash
# make check: builds everything, then runs each test tier and adds up their
# counts. Every tier ends its output with a line "N passed, N failed[, N
# skipped]"; a tier that dies without one counts as one failure.
set -uo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
logdir=${JVPN_LOG_DIR:-$root/out/check}
mkdir -p "$logdir"

# shellcheck source=tools/tiers.sh
. "$root/tools/tiers.sh"

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
	# the .debs of make deb installed, DKMS-built, run and purged in the VM
	run_tier package sh -c 'make -s deb >/dev/null && exec tools/vm/run.sh \
		--timeout 1500 --out "$1" selftests/net/package.sh' _ "$logdir/package"
fi

tiers_summary
