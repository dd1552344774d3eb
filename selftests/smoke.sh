#!/usr/bin/env bash
# Smoke test of the VM test bed itself (tools/vm/run.sh, selftests/lib.sh):
# the guest's environment, module autoload from network namespaces (TESTBED
# trap 1), veth + ping across namespaces, and lib.sh's own verdicts.
#
#	tools/vm/run.sh selftests/smoke.sh
# shellcheck disable=SC2317  # test functions are called through run_test
set -uo pipefail

# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# /tmp must be tmpfs (iperf3 cannot use 9p), /dev/fd must exist for <(...)
# (trap 2), and the results share must be writable.
test_guest_env() {
	[[ $(stat -f -c %T /tmp) == tmpfs ]] || test_fail "/tmp is not tmpfs"
	[[ $(cat <(echo fd-ok)) == fd-ok ]] || test_fail "process substitution is broken"
	[[ -n ${JVPN_OUT-} ]] || test_skip "not inside the jvpn VM"
	echo "written by smoke.sh" >"$JVPN_OUT/smoke.txt"
	[[ $(hostname) == jvpn-vm ]]
	ip -o link show lo | grep -q 'UP'
}

test_modprobe_wireguard() {
	modprobe wireguard
	[[ $(cat /sys/module/wireguard/initstate) == live ]]
	# Unload again (nothing uses it yet) so the next test sees an autoload.
	modprobe -r wireguard
}

# The kernel's request_module() must find modprobe from inside a namespace.
test_wireguard_autoload() {
	[[ ! -e /sys/module/wireguard ]] || echo "note: wireguard already loaded"
	ns_create smoke-wg
	ip -n smoke-wg link add wg0 type wireguard
	ip -n smoke-wg link show wg0
	[[ -e /sys/module/wireguard/initstate ]]
}

test_veth_ping() {
	ns_create smoke-a smoke-b
	ip link add veth-a netns smoke-a type veth peer name veth-b netns smoke-b
	ip -n smoke-a addr add 10.99.0.1/24 dev veth-a
	ip -n smoke-b addr add 10.99.0.2/24 dev veth-b
	ip -n smoke-a addr add fd99::1/64 dev veth-a nodad
	ip -n smoke-b addr add fd99::2/64 dev veth-b nodad
	ip -n smoke-a link set veth-a up
	ip -n smoke-b link set veth-b up
	ns_exec smoke-a ping -c 3 -i 0.2 -W 2 10.99.0.2
	ns_exec smoke-b ping -6 -c 3 -i 0.2 -W 2 fd99::1
}

# lib.sh must turn a hang, a skip and a failing command into the right
# verdicts, and clean up the namespaces of a test that was killed.
_hang() {
	ns_create smoke-hang
	sleep 60
}
_skips() { test_skip "on purpose"; }
_fails() {
	true
	false
	echo "not reached"
}

test_harness() {
	local out t0=$SECONDS
	out=$(run_test hang _hang 1)
	echo "$out"
	grep -q '^not ok [0-9]* hang$' <<<"$out"
	grep -q 'timed out after 1 s' <<<"$out"
	((SECONDS - t0 < 10))
	expect_fail ip netns pids smoke-hang 2>/dev/null
	out=$(run_test skip _skips 5)
	grep -q '^ok [0-9]* skip # SKIP on purpose$' <<<"$out"
	out=$(run_test fail _fails 5)
	echo "$out"
	grep -q '^not ok [0-9]* fail$' <<<"$out"
	grep -q 'FAILED: "false" returned 1' <<<"$out"
	expect_fail grep -q 'not reached' <<<"$out"
}

test_dmesg_clean() {
	dmesg_check_clean
}

dmesg_mark
ktap_plan 6
run_test guest_env test_guest_env 30
run_test modprobe_wireguard test_modprobe_wireguard 60
run_test wireguard_autoload test_wireguard_autoload 60
run_test veth_ping test_veth_ping 60
run_test harness test_harness 60
run_test dmesg_clean test_dmesg_clean 30
ktap_finish
