# shellcheck shell=bash
# selftests/lib.sh: helpers for jvpn kselftest scripts, which run as root
# INSIDE the test VM (tools/vm/run.sh selftests/<script>.sh). Source it:
#
#	. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
#	test_ping() { ns_create a b; ...; ip netns exec a ping -c1 10.0.0.2; }
#	ktap_plan 1
#	run_test ping test_ping 30
#	ktap_finish		# summary line; exits 1 if anything failed
#
# KTAP output (stdout)
#	ktap_plan N		"KTAP version 1" and "1..N"
#	ktap_ok NAME		"ok I NAME"
#	ktap_fail NAME [WHY]	"# WHY" then "not ok I NAME"
#	ktap_skip NAME WHY	"ok I NAME # SKIP WHY"
#	ktap_finish		"# N passed, N failed, N skipped"; exits 0, or 1
#				if a test failed or the plan was not met
#   Results are counted in the calling shell: call these at top level, not
#   inside a test function (which runs in a subshell).
#   In the VM ($JVPN_OUT set) everything the script prints is also saved to
#   $JVPN_OUT/<script>.ktap (set KTAP_LOG to choose the file, empty for none).
#
# Tests
#	run_test NAME FUNC TIMEOUT [ARGS...]
#	    Runs FUNC ARGS in a subshell, in its own process group, with
#	    errexit, nounset and pipefail on: the first failing command fails
#	    the test and is named in the output. Its output is shown as "# "
#	    diagnostics. After TIMEOUT seconds the whole group gets SIGTERM
#	    (SIGKILL 5 s later) and the test fails. When it ends, processes it
#	    left behind are killed and the namespaces it made are deleted.
#	    FUNC may return or exit. Status 0 is ok, $KSFT_SKIP (4) a skip,
#	    anything else a failure.
#	test_skip WHY / test_fail WHY
#	    End the current test as skipped / failed, with a reason.
#	expect_fail CMD...	succeeds only if CMD fails (errexit-safe "!").
#	wait_until SECS CMD...	polls CMD every 0.1 s until it succeeds. CMD is
#				one command: "wait_until 5 a | grep -q b" pipes
#				wait_until's output; poll a pipeline with
#				wait_until 5 sh -c 'a | grep -q b'.
#	require_cmd CMD...	skips the test unless every CMD is installed.
#
# Namespaces and cleanup
#	ns_create NAME...	ip netns add NAME, with lo up; deleted (after
#				killing what runs in it) when the test or, at top
#				level, the script ends.
#	ns_exec NAME CMD...	ip netns exec NAME CMD...
#	at_exit CMD...		runs CMD when the script exits (top level only;
#				last registered runs first).
#   lib.sh owns the EXIT trap; use at_exit instead of trap ... EXIT.
#
# Kernel
#	dmesg_mark		remembers the current end of the kernel log
#	dmesg_check_clean	fails (printing the lines) if the log since the
#				mark has WARNING:, BUG, Oops, general protection,
#				KASAN, kmemleak or refcount_t: in it
#	load_module PATH	unloads an old copy of the module (jvpn), modprobes
#				what modinfo lists as its dependencies, insmods PATH

[[ -n ${_JVPN_LIB_SH-} ]] && return 0
_JVPN_LIB_SH=1

readonly KSFT_PASS=0 KSFT_FAIL=1 KSFT_SKIP=4

_KTAP_N=0 _KTAP_PASS=0 _KTAP_FAIL=0 _KTAP_SKIP=0 _KTAP_PLAN=
_LIB_AT_EXIT=()
_LIB_TMP=$(mktemp -d "${TMPDIR:-/tmp}/jvpn-selftest.XXXXXX") || exit 1
_LIB_LOG_PID=

# ---- KTAP -----------------------------------------------------------------

ktap_plan() {
	_KTAP_PLAN=$1
	echo "KTAP version 1"
	echo "1..$1"
}

# KTAP names may not contain '#', which starts a directive.
_ktap_name() { printf '%s' "${1//#/_}"; }

ktap_ok() {
	_KTAP_N=$((_KTAP_N + 1)) _KTAP_PASS=$((_KTAP_PASS + 1))
	echo "ok $_KTAP_N $(_ktap_name "$1")"
}

ktap_fail() {
	_KTAP_N=$((_KTAP_N + 1)) _KTAP_FAIL=$((_KTAP_FAIL + 1))
	[[ -z ${2-} ]] || printf '%s\n' "$2" | sed 's/^/# /'
	echo "not ok $_KTAP_N $(_ktap_name "$1")"
}

ktap_skip() {
	_KTAP_N=$((_KTAP_N + 1)) _KTAP_SKIP=$((_KTAP_SKIP + 1))
	echo "ok $_KTAP_N $(_ktap_name "$1") # SKIP ${2-}"
}

ktap_finish() {
	local rc=$KSFT_PASS
	if [[ -n $_KTAP_PLAN && $_KTAP_PLAN != "$_KTAP_N" ]]; then
		echo "# planned $_KTAP_PLAN tests but ran $_KTAP_N"
		rc=$KSFT_FAIL
	fi
	((_KTAP_FAIL == 0)) || rc=$KSFT_FAIL
	echo "# Totals: pass:$_KTAP_PASS fail:$_KTAP_FAIL xfail:0 xpass:0 skip:$_KTAP_SKIP error:0"
	echo "# $_KTAP_PASS passed, $_KTAP_FAIL failed, $_KTAP_SKIP skipped"
	exit "$rc"
}

# ---- helpers for test functions --------------------------------------------

test_skip() {
	printf '%s\n' "${1:-skipped}" >"$_LIB_TMP/skip.${_LIB_TEST_ID-top}"
	exit "$KSFT_SKIP"
}

test_fail() {
	echo "${1:-failed}"
	exit "$KSFT_FAIL"
}

expect_fail() {
	if "$@"; then
		echo "expected to fail: $*"
		return 1
	fi
	return 0
}

wait_until() {
	local deadline=$((SECONDS + $1))
	shift
	until "$@"; do
		((SECONDS < deadline)) || {
			echo "timed out waiting for: $*"
			return 1
		}
		sleep 0.1
	done
}

require_cmd() {
	local c
	for c; do
		command -v "$c" >/dev/null || test_skip "$c is not installed"
	done
}

# ---- run_test ---------------------------------------------------------------

# Runs in the test's subshell: strict mode, and name the command that failed.
_run_test_body() {
	local func=$1
	shift
	set -eEu -o pipefail
	trap 'echo "FAILED: \"$BASH_COMMAND\" returned $? (${BASH_SOURCE[0]##*/}:$LINENO)"' ERR
	"$func" "$@"
}

# _kill_group SIG PGID: signals a whole process group (quietly: it may be gone).
_kill_group() { kill "-$1" -- "-$2" 2>/dev/null || true; }

# Lets the output printer drain, but not wait forever on a daemon that kept
# the test's stdout open.
_reap_printer() {
	local pid=$1 i
	for i in {1..30}; do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
}

run_test() {
	local name=${1-} func=${2-} limit=${3-} rc=0 id pid watchdog printer ns_mark why
	if (($# < 3)) || ! [[ $limit =~ ^[0-9]+$ ]]; then
		ktap_fail "${name:-unnamed}" "usage: run_test NAME FUNC TIMEOUT [ARGS...]"
		return 0
	fi
	shift 3
	if ! declare -F "$func" >/dev/null; then
		ktap_fail "$name" "run_test: no function $func"
		return 0
	fi
	id=$BASHPID.$((_KTAP_N + 1))
	mkfifo "$_LIB_TMP/out.$id"
	sed -u 's/^/# /' <"$_LIB_TMP/out.$id" &
	printer=$!
	ns_mark=$(_ns_count)
	# Monitor mode gives each job its own process group, so a timeout or the
	# final sweep reaches every process the test started.
	set -m
	(
		_LIB_TEST_ID=$id
		_run_test_body "$func" "$@"
	) >"$_LIB_TMP/out.$id" 2>&1 </dev/null &
	pid=$!
	(
		sleep "$limit"
		: >"$_LIB_TMP/timeout.$id"
		_kill_group TERM "$pid"
		sleep 5
		_kill_group KILL "$pid"
	) >/dev/null 2>&1 &
	watchdog=$!
	set +m
	wait "$pid" || rc=$?
	_kill_group KILL "$watchdog"
	wait "$watchdog" 2>/dev/null || true
	_kill_group KILL "$pid"
	_reap_printer "$printer"
	_ns_cleanup_from "$ns_mark"
	if [[ -e $_LIB_TMP/timeout.$id ]]; then
		ktap_fail "$name" "timed out after $limit s"
	elif ((rc == 0)); then
		ktap_ok "$name"
	elif ((rc == KSFT_SKIP)); then
		why=$(cat "$_LIB_TMP/skip.$id" 2>/dev/null) || why="skipped"
		ktap_skip "$name" "$why"
	else
		ktap_fail "$name" "exit status $rc"
	fi
	rm -f "$_LIB_TMP/out.$id" "$_LIB_TMP/timeout.$id" "$_LIB_TMP/skip.$id"
	return 0
}

# ---- namespaces ---------------------------------------------------------------

# The registry is a file, not a variable: tests run in subshells.
_ns_count() {
	if [[ -s $_LIB_TMP/netns ]]; then wc -l <"$_LIB_TMP/netns"; else echo 0; fi
}

ns_create() {
	local ns
	for ns; do
		ip netns add "$ns" || return 1
		echo "$ns" >>"$_LIB_TMP/netns"
		ip -n "$ns" link set lo up || return 1
	done
}

ns_exec() { ip netns exec "$@"; }

# Kills what still runs in namespace $1 (a process pins it and its devices,
# and devices pin their module), then deletes it.
_ns_destroy() {
	local ns=$1 pids
	pids=$(ip netns pids "$ns" 2>/dev/null) || pids=
	# shellcheck disable=SC2086  # one pid per word
	[[ -z $pids ]] || kill -KILL $pids 2>/dev/null || true
	ip netns del "$ns" 2>/dev/null || true
}

# Deletes the namespaces registered after the first $1, newest first.
_ns_cleanup_from() {
	local keep=$1 ns
	[[ -s $_LIB_TMP/netns ]] || return 0
	for ns in $(tail -n "+$((keep + 1))" "$_LIB_TMP/netns" | tac); do
		_ns_destroy "$ns"
	done
	head -n "$keep" "$_LIB_TMP/netns" >"$_LIB_TMP/netns.new"
	mv "$_LIB_TMP/netns.new" "$_LIB_TMP/netns"
}

# ---- exit ---------------------------------------------------------------------

at_exit() { _LIB_AT_EXIT+=("$*"); }

# shellcheck disable=SC2317  # invoked by trap
_lib_exit() {
	local rc=$? i
	set +e
	for ((i = ${#_LIB_AT_EXIT[@]} - 1; i >= 0; i--)); do
		eval "${_LIB_AT_EXIT[i]}"
	done
	_ns_cleanup_from 0
	rm -rf -- "$_LIB_TMP"
	# Let the KTAP log's tee write its last lines before the VM powers off.
	if [[ -n $_LIB_LOG_PID ]]; then
		exec >&- 2>&-
		wait "$_LIB_LOG_PID" 2>/dev/null
	fi
	exit "$rc"
}

trap _lib_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---- kernel log -----------------------------------------------------------------

readonly _DMESG_BAD='WARNING:|BUG|Oops|general protection|KASAN|kmemleak|refcount_t:'

# The mark is a line written to the kernel log, kept in a file so that a
# mark set at top level is seen by a test's subshell and vice versa.
dmesg_mark() {
	local mark="jvpn-selftest mark $$.$RANDOM.$SECONDS"
	echo "$mark" >/dev/kmsg
	printf '%s\n' "$mark" >"$_LIB_TMP/dmesg_mark"
}

# Prints the kernel log after the mark (all of it if the mark is gone).
_dmesg_since_mark() {
	local mark log
	mark=$(cat "$_LIB_TMP/dmesg_mark" 2>/dev/null) || mark=
	log=$(dmesg)
	if [[ -n $mark && $log == *"$mark"* ]]; then
		printf '%s\n' "$log" | awk -v m="$mark" 'found; index($0, m) { found = 1 }'
	else
		printf '%s\n' "$log"
	fi
}

dmesg_check_clean() {
	local bad leaks=
	bad=$(_dmesg_since_mark | grep -E "$_DMESG_BAD") || bad=
	# kmemleak only reports after a scan (on kernels built with it).
	if [[ -w /sys/kernel/debug/kmemleak ]]; then
		echo scan >/sys/kernel/debug/kmemleak 2>/dev/null || true
		leaks=$(grep -m 20 'unreferenced object' /sys/kernel/debug/kmemleak) || leaks=
	fi
	[[ -n $bad$leaks ]] || return 0
	echo "the kernel log since the mark shows problems:"
	printf '%s\n' "$bad" "$leaks" | sed '/^$/d' | head -n 40 | sed 's/^/  dmesg: /'
	return 1
}

# ---- modules -----------------------------------------------------------------

# Prints the "pre:" soft dependencies and the hard dependencies of module
# file $1, one per line.
_module_deps() {
	local path=$1
	modinfo -F softdep "$path" 2>/dev/null |
		sed -n 's/.*pre:\(.*\)/\1/p' | sed 's/post:.*//' | tr ' ' '\n'
	modinfo -F depends "$path" 2>/dev/null | tr ',' '\n'
}

load_module() {
	local path=$1 name dep
	[[ -f $path ]] || {
		echo "load_module: $path: no such file"
		return 1
	}
	name=$(modinfo -F name "$path" 2>/dev/null) || name=
	[[ -n $name ]] || name=$(basename "$path" .ko)
	name=${name//-/_}
	if [[ -e /sys/module/$name/initstate ]]; then
		rmmod "$name" || {
			echo "load_module: cannot unload the loaded $name"
			return 1
		}
	fi
	for dep in $(_module_deps "$path"); do
		modprobe "$dep" || {
			echo "load_module: cannot load $dep, needed by $name"
			return 1
		}
	done
	insmod "$path"
}

# ---- KTAP log ---------------------------------------------------------------------

# In the VM, keep a copy of all output in the results share.
_lib_start_log() {
	local log
	if [[ -n ${KTAP_LOG+x} ]]; then
		log=$KTAP_LOG
	elif [[ -n ${JVPN_OUT-} && -d $JVPN_OUT && -w $JVPN_OUT ]]; then
		log=$JVPN_OUT/$(basename "$0" .sh).ktap
	else
		return 0
	fi
	[[ -n $log ]] || return 0
	exec > >(tee -a "$log") 2>&1
	_LIB_LOG_PID=$!
}

_lib_start_log
