#!/usr/bin/env bash
# The kselftests of jvpn.ko, run INSIDE the test VM by `make check`:
#
#	tools/vm/run.sh selftests/run.sh [TEST...]
#
# Loads the freshly built module, runs every test (or the named ones) in
# namespaces of its own, and fails if the kernel log shows a splat.
set -uo pipefail

JVPN_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$JVPN_ROOT/selftests/lib.sh"
for part in topology traffic switching security netlink lifecycle daemon paths \
	operator metrics outlets kernel dissector hardening versions upgrade; do
	. "$JVPN_ROOT/selftests/net/$part.sh"
done

# name function timeout(s): each bounded, TCG is slow
TESTS=(
	"module_load test_module_load 60"
	"devices test_devices 30"
	"ping_v4 test_ping_v4 60"
	"ping_v6_outer_and_inner test_ping_v6_outer_and_inner 60"
	"no_route test_no_route 30"
	"iperf_both_ways test_iperf_both_ways 90"
	"switch_under_traffic test_switch_under_traffic 60"
	"switch_stale_refused test_switch_stale_refused 60"
	"switch_too_soon_refused test_switch_too_soon_refused 60"
	"stray_data_reported test_stray_data_reported 60"
	"replay_dropped test_replay_dropped 60"
	"wrong_key_is_bad_auth test_wrong_key_is_bad_auth 60"
	"key_rotation test_key_rotation 60"
	"malformed_packets test_malformed_packets 60"
	"control_passes_through test_control_passes_through 30"
	"stray_open_bounded test_stray_open_bounded 120"
	"refusal_changes_nothing test_refusal_changes_nothing 120"
	"dual_stack_socket_refused test_dual_stack_socket_refused 120"
	"socket_netns_confined test_socket_netns_confined 120"
	"tx_counted_once test_tx_counted_once 120"
	"ecn test_ecn 120"
	"malformed_netlink_refused test_malformed_netlink_refused 180"
	"duplicate_and_missing_session test_duplicate_and_missing_session 120"
	"events_sequence test_events_sequence 60"
	"admin_only test_admin_only 60"
	"daemon_handshake_traffic test_daemon_handshake_traffic 60"
	"daemon_uplink_failover test_daemon_uplink_failover 90"
	"daemon_uplink_failover_v6 test_daemon_uplink_failover_v6 90"
	"daemon_nat_rebinding test_daemon_nat_rebinding 90"
	"daemon_kill9_restart test_daemon_kill9_restart 120"
	"daemon_restart_no_secret_at_rest test_daemon_restart_no_secret_at_rest 300"
	"daemon_ended_session_wiped test_daemon_ended_session_wiped 90"
	"daemon_key_rotation test_daemon_key_rotation 90"
	"daemon_reattach_forged_and_replayed test_daemon_reattach_forged_and_replayed 90"
	"daemon_refusal_flood test_daemon_refusal_flood 120"
	"daemon_spoofed_source_spares_victim test_daemon_spoofed_source_spares_victim 240"
	"daemon_fresh_handshake test_daemon_fresh_handshake 240"
	"daemon_preshared_key test_daemon_preshared_key 120"
	"daemon_future_timestamp_capped test_daemon_future_timestamp_capped 90"
	"daemon_stale_version test_daemon_stale_version 90"
	"daemon_ack_replayed test_daemon_ack_replayed 90"
	"daemon_probe_ack_replayed test_daemon_probe_ack_replayed 90"
	"daemon_nat_rebinding_versions test_daemon_nat_rebinding_versions 90"
	"daemon_nat_rebinding_uncharged test_daemon_nat_rebinding_uncharged 90"
	"daemon_failover_long_rtt test_daemon_failover_long_rtt 120"
	"daemon_handshake_reject_forged test_daemon_handshake_reject_forged 90"
	"daemon_degraded_after_switches test_daemon_degraded_after_switches 90"
	"daemon_client_routes test_daemon_client_routes 90"
	"daemon_interface_down test_daemon_interface_down 90"
	"daemon_no_probes_under_traffic test_daemon_no_probes_under_traffic 90"
	"daemon_request_copy_overtakes test_daemon_request_copy_overtakes 90"
	"daemon_request_copy_same_source test_daemon_request_copy_same_source 90"
	"daemon_stale_version_resync test_daemon_stale_version_resync 90"
	"daemon_client_restart_probes test_daemon_client_restart_probes 60"
	"daemon_session_ttl test_daemon_session_ttl 60"
	"daemon_transport_loss_ttl test_daemon_transport_loss_ttl 60"
	"daemon_switch_flood test_daemon_switch_flood 120"
	"daemon_reload test_daemon_reload 60"
	"daemon_handshake_replay_and_replace test_daemon_handshake_replay_and_replace 90"
	"daemon_minor_version_ahead test_daemon_minor_version_ahead 120"
	"daemon_module_reload test_daemon_module_reload 120"
	"daemon_gateway_device_lost test_daemon_gateway_device_lost 120"
	"daemon_client_device_lost test_daemon_client_device_lost 120"
	"jvpnctl_read_commands test_jvpnctl_read_commands 90"
	"jvpnctl_checklist test_jvpnctl_checklist 120"
	"jvpnctl_drill test_jvpnctl_drill 120"
	"jvpnctl_exit_statuses test_jvpnctl_exit_statuses 90"
	"jvpnctl_session_kill test_jvpnctl_session_kill 60"
	"jvpnctl_no_ghost_after_kernel_del test_jvpnctl_no_ghost_after_kernel_del 60"
	"jvpnctl_resync_after_lost_events test_jvpnctl_resync_after_lost_events 240"
	"jvpnctl_socket_dir_checked test_jvpnctl_socket_dir_checked 150"
	"jvpnctl_policy_reload test_jvpnctl_policy_reload 60"
	"jvpnctl_monitor_failover test_jvpnctl_monitor_failover 90"
	"jvpnctl_monitor_resync test_jvpnctl_monitor_resync 90"
	"jvpnd_systemd_notify test_jvpnd_systemd_notify 60"
	"metrics_scrape_and_failover test_metrics_scrape_and_failover 120"
	"metrics_http test_metrics_http 120"
	"metrics_off_by_default test_metrics_off_by_default 90"
	"outlets_syslog_killed test_outlets_syslog_killed 120"
	"outlets_journald_killed test_outlets_journald_killed 120"
	"napi_threaded_under_churn test_napi_threaded_under_churn 180"
	"set_keys_tx_reuse_refused test_set_keys_tx_reuse_refused 60"
	"set_keys_promotion_allowed test_set_keys_promotion_allowed 60"
	"key_generation_high_water_mark test_key_generation_high_water_mark 60"
	"daemon_secrets_kept_with_current_pair test_daemon_secrets_kept_with_current_pair 60"
	"failed_session_new_sends_nothing test_failed_session_new_sends_nothing 150"
	"rx_fuzz test_rx_fuzz 180"
	"device_delete_frees test_device_delete_frees 60"
	"session_churn test_session_churn 240"
	"rmmod_under_traffic test_rmmod_under_traffic 90"
	"dissector_capture test_dissector_capture 180"
	"dmesg_clean test_dmesg_clean 30"
)

# Run only when named (tools/vm/run.sh selftests/run.sh NAME, or make
# check-flood): each states a bar this test bed does not reach yet, so it
# stays out of make check rather than make it red (docs/benchmarks.md).
OPT_IN_TESTS=(
	"daemon_handshake_flood test_daemon_handshake_flood 180"
	# run on 2026-12-02: the root half passed (10005 messages in 210 s),
	# the --userns half cannot make a user namespace in the VM (EPERM)
	"netlink_fuzz test_netlink_fuzz 240"
)

test_module_load() {
	load_module "$JVPN_ROOT/jvpn.ko"
	[[ $(cat /sys/module/jvpn/initstate) == live ]]
	# loaded once up front: no test depends on module autoload timing
	modprobe -a veth nf_tables nft_chain_nat nf_nat nf_conntrack_netlink
	modinfo "$JVPN_ROOT/jvpn.ko" | grep -E '^(version|license|description):'
}

test_dmesg_clean() {
	dmesg_check_clean
}

selected() {
	local name=$1 want
	(($# == 1 && ${#ARGS[@]} == 0)) && return 0
	for want in "${ARGS[@]}"; do
		[[ $want == "$name" ]] && return 0
	done
	return 1
}

ARGS=("$@")
plan=()
if ((${#ARGS[@]})); then
	TESTS+=("${OPT_IN_TESTS[@]}")
fi
for t in "${TESTS[@]}"; do
	read -r name _ _ <<<"$t"
	if selected "$name" || [[ $name == module_load || $name == dmesg_clean ]]; then
		plan+=("$t")
	fi
done

dmesg_mark
ktap_plan "${#plan[@]}"
for t in "${plan[@]}"; do
	read -r name func limit <<<"$t"
	run_test "$name" "$func" "$limit"
done
ktap_finish
