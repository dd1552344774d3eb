# shellcheck shell=bash
# Devices and the module: several devices, MTU, deletion frees everything,
# rmmod under traffic is clean.

test_devices() {
	ns_create jl
	ip -n jl link add jvpn0 type jvpn
	ip -n jl link add jvpn1 type jvpn
	ip -n jl -d link show jvpn0 | grep -q 'jvpn'
	# default MTU leaves room for IPv6 + UDP + 36 bytes of jvpn
	expect_eq "$(ip -n jl -o link show jvpn0 | sed 's/.* mtu \([0-9]*\).*/\1/')" \
		1416 "jvpn0 mtu"
	ip -n jl link set jvpn0 mtu 1280
	expect_fail ip -n jl link set jvpn0 mtu 20
	ip -n jl link del jvpn0
	ip -n jl link del jvpn1
}

# Deleting the device ends its sessions and gives back the sockets.
test_device_delete_frees() {
	local ev=/tmp/ev-$$
	topo_up v4
	jc ping -c 1 -W 2 172.16.0.1
	monitor_start jg "$ev" --count 1 --timeout 20
	expect_eq "$(udp_sockets jg "$GW_PORT")" 1 "sockets before"
	jg ip link del jvpn0
	wait
	grep 'event=deleted' "$ev" | grep -q 'reason=device-gone'
	wait_until 5 udp_sockets_are jg 0 "$GW_PORT"
}

# rmmod while iperf3 runs through two sessions; then the module loads again.
test_rmmod_under_traffic() {
	local client t0
	require_cmd iperf3
	topo_up v4
	jg iperf3 -s -1 -D -B 172.16.0.1
	wait_until 5 tcp_listening jg 5201
	jc iperf3 -c 172.16.0.1 -t 60 >/tmp/iperf-$$ 2>&1 &
	client=$!
	wait_until 20 field_is jg rx_packets -gt 1000 || {
		cat /tmp/iperf-$$
		return 1
	}
	t0=$(date +%s%N)
	rmmod jvpn
	echo "rmmod under traffic took $(( ($(date +%s%N) - t0) / 1000000 )) ms"
	# the tunnel is gone: the client would retransmit for minutes
	kill "$client" 2>/dev/null || true
	[[ ! -e /sys/module/jvpn ]]
	expect_eq "$(udp_sockets jg "$GW_PORT")" 0 "gateway sockets"
	expect_eq "$(udp_sockets jc "$CL_PORT")" 0 "client sockets"
	load_module "$JVPN_ROOT/jvpn.ko"
}

# Many sessions in, all out: nothing may stay behind.
test_session_churn() {
	local i n=200
	ns_create jl
	ip -n jl link add jvpn0 type jvpn
	ip -n jl addr add 10.9.0.1/24 dev lo
	for ((i = 1; i <= n; i++)); do
		ip netns exec jl "$JVPNK" session-new jvpn0 --id "$i" \
			--bind "10.9.0.1:$((20000 + i))" --peer "10.9.0.2:5000" \
			--tx-key "$KEY_C2G" --rx-key "$KEY_G2C" \
			--allowed-ip "10.200.$((i / 250)).$((i % 250))/32"
	done
	expect_eq "$(ip netns exec jl "$JVPNK" dump jvpn0 | wc -l)" "$n" "sessions"
	for ((i = 1; i <= n; i += 2)); do
		ip netns exec jl "$JVPNK" del jvpn0 --id "$i"
	done
	expect_eq "$(ip netns exec jl "$JVPNK" dump jvpn0 | wc -l)" $((n / 2)) "sessions"
	expect_ge "$(live_objects jvpn_session)" $((n / 2)) "live sessions"
	ip -n jl link del jvpn0
	wait_until 5 udp_sockets_are jl 0
	# Exact: unloading destroys jvpn's slab caches, and the kernel names
	# any session or key pair still allocated. (A count in /proc/slabinfo
	# would also see devices of earlier tests whose namespaces are still
	# being dismantled.)
	rmmod jvpn
	if dmesg | grep 'Objects remaining in jvpn_'; then
		return 1
	fi
	load_module "$JVPN_ROOT/jvpn.ko"
}
