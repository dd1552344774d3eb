# shellcheck shell=bash
# Sourced by the test drivers (tools/check.sh, tools/check-debug.sh): one
# way to run a tier and add up what it counted.
#
#   run_tier NAME CMD...   streams CMD's output to the terminal and to
#                          $logdir/NAME.log, reads its last line "N passed,
#                          N failed[, N skipped]" and adds it to the totals;
#                          a tier that ends without one, or exits non-zero
#                          with no failure counted (a kernel report, a
#                          crash), counts one failure
#   tiers_summary          one line per tier, then the totals; returns 1
#                          when anything failed
#
# The caller sets $logdir (an existing directory) before the first tier.

total_pass=0 total_fail=0 total_skip=0
tier_lines=()

tiers_say() { echo "${0##*/}: $*"; }

run_tier() {
	local name=$1 log="$logdir/$1.log" status line p f s
	shift
	echo "==== tier $name: $* ===="
	"$@" 2>&1 | tee "$log"
	status=${PIPESTATUS[0]}
	line=$(grep -E '[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
	if [[ -z $line ]]; then
		p=0 f=1 s=0
		tiers_say "tier $name ended (status $status) without a summary line"
	else
		p=$(sed -E 's/.*\b([0-9]+) passed.*/\1/' <<<"$line")
		f=$(sed -E 's/.*\b([0-9]+) failed.*/\1/' <<<"$line")
		s=0
		[[ $line =~ ([0-9]+)\ skipped ]] && s=${BASH_REMATCH[1]}
		if ((status != 0 && f == 0)); then
			tiers_say "tier $name exited with status $status"
			f=1
		fi
	fi
	total_pass=$((total_pass + p)) total_fail=$((total_fail + f))
	total_skip=$((total_skip + s))
	tier_lines+=("$(printf '%-10s %4d passed, %4d failed, %4d skipped' \
		"$name" "$p" "$f" "$s")")
}

tiers_summary() {
	echo "==== summary ===="
	printf '%s\n' "${tier_lines[@]}"
	echo "${total_pass} passed, ${total_fail} failed, ${total_skip} skipped"
	((total_fail == 0))
}
