#!/usr/bin/env bash
# Runs cmocka unit-test binaries (`make unit` builds them):
#
#	selftests/unit/run.sh build/unit/X_test...
#
# Shows each binary's output and ends with exactly one line
#
#	unit: N passed, N failed, N skipped
#
# counting test cases from cmocka's summary lines (cmocka 1.1.x prints them
# on stderr, so both streams are read). A binary that crashes, hangs past
# UNIT_TIMEOUT seconds, prints no summary, or exits nonzero without a
# failure in its summary counts as one failed test. The exit status is
# nonzero if anything failed.
set -uo pipefail

export CMOCKA_MESSAGE_OUTPUT=STDOUT
UNIT_TIMEOUT=${UNIT_TIMEOUT:-60}

passed=0
failed=0
skipped=0

output=$(mktemp "${TMPDIR:-/tmp}/jvpn-unit.XXXXXX") || exit 1
trap 'rm -f "$output"' EXIT

# No stdbuf here: its LD_PRELOAD breaks sanitizer builds. A test that
# wants its stdout interleaved with cmocka's stderr lines in order sets
# stdout line-buffered itself (the tests here do).

for bin in "$@"; do
	echo "=== $bin"
	if [[ ! -x $bin ]]; then
		echo "unit: $bin: not an executable file"
		((failed += 1))
		continue
	fi

	timeout "$UNIT_TIMEOUT" "$bin" >"$output" 2>&1
	status=$?
	cat "$output"

	# "[  PASSED  ] 3 test(s)."  "[  FAILED  ] 1 test(s), listed below:"
	# "[  SKIPPED ] 1 test(s), listed below:"; one set per test group
	bin_passed=0 bin_failed=0 bin_skipped=0 summaries=0
	while IFS= read -r line; do
		if [[ $line =~ ^\[\ \ PASSED\ \ \]\ ([0-9]+)\ test\(s\)\.$ ]]; then
			((bin_passed += BASH_REMATCH[1], summaries += 1))
		elif [[ $line =~ ^\[\ \ FAILED\ \ \]\ ([0-9]+)\ test\(s\), ]]; then
			((bin_failed += BASH_REMATCH[1]))
		elif [[ $line =~ ^\[\ \ SKIPPED\ \]\ ([0-9]+)\ test\(s\), ]]; then
			((bin_skipped += BASH_REMATCH[1]))
		fi
	done <"$output"

	if ((summaries == 0)); then
		echo "unit: $bin: no cmocka summary (exit status $status)"
		((bin_failed += 1))
	elif ((status != 0 && bin_failed == 0)); then
		echo "unit: $bin: exit status $status but no failed test listed"
		((bin_failed += 1))
	fi
	((status == 124)) && echo "unit: $bin: timed out after ${UNIT_TIMEOUT}s"

	((passed += bin_passed, failed += bin_failed, skipped += bin_skipped))
done

echo "unit: $passed passed, $failed failed, $skipped skipped"
((failed == 0))
