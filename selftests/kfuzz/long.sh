#!/usr/bin/env bash
# The long kernel fuzz runs of `make check-debug`, INSIDE the test VM:
#
#	tools/vm/run.sh --kernel debug selftests/kfuzz/long.sh [COUNT]
#
# The netlink fuzzer sends COUNT messages (default 1000000: half as root in
# a netns of its own, half as nobody in a user namespace), then the
# receive-path fuzzer COUNT datagrams to a live session; both as the
# tier's tests of selftests/net/hardening.sh, with a KTAP result each and
# the log checked for splats at the end.
set -uo pipefail

JVPN_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
. "$JVPN_ROOT/selftests/lib.sh"
. "$JVPN_ROOT/selftests/net/topology.sh"
. "$JVPN_ROOT/selftests/net/hardening.sh"

KFUZZ_COUNT=${1:-1000000}
[[ $KFUZZ_COUNT =~ ^[0-9]+$ ]] || { echo "usage: $0 [COUNT]" >&2; exit 2; }
# bounds for TCG and the debug kernel, generous: a hang still ends
limit=$((KFUZZ_COUNT / 100 + 600))

# shellcheck disable=SC2317  # called through run_test
test_load() {
	load_module "$JVPN_ROOT/jvpn.ko"
	modprobe -a veth nf_tables
}

dmesg_mark
ktap_plan 4
run_test module_load test_load 60
run_test long_netlink_fuzz test_netlink_fuzz "$limit"
run_test long_rx_fuzz test_rx_fuzz "$limit"
run_test dmesg_clean dmesg_check_clean 60
ktap_finish
