# shellcheck shell=bash
# Traffic through the tunnel: ping, IPv6 inside and outside, iperf3.

test_ping_v4() {
	topo_up v4
	jc ping -c 3 -i 0.2 -W 2 172.16.0.1
	jg ping -c 3 -i 0.2 -W 2 172.16.0.2
	expect_ge "$(field jg rx_packets)" 6 "gateway rx_packets"
	expect_ge "$(field jg tx_packets)" 6 "gateway tx_packets"
	expect_eq "$(field jg drop_bad_auth)" 0 "gateway drop_bad_auth"
}

test_ping_v6_outer_and_inner() {
	topo_up v6
	field jg remote | grep -q 'fd01::2'
	jc ping -6 -c 3 -i 0.2 -W 2 fd10::1
	jc ping -c 3 -i 0.2 -W 2 172.16.0.1
	jg ping -6 -c 3 -i 0.2 -W 2 fd10::2
}

# No session for the inner destination: ICMP unreachable, counted.
test_no_route() {
	topo_up v4
	expect_fail jg ping -c 1 -W 1 172.16.0.99
	expect_ge "$(dev_field jg drop_no_route)" 1 "gateway drop_no_route"
}

# iperf3 for $1 seconds from ns $2 to server address $3 in ns $4; prints
# and checks the receiver's rate in Mbit/s.
iperf_run() {
	local secs=$1 from=$2 addr=$3 to=$4 json bps
	ip netns exec "$to" iperf3 -s -1 -D -B "$addr" -I "/tmp/iperf-$to.pid"
	wait_until 5 tcp_listening "$to" 5201
	json=$(ip netns exec "$from" iperf3 -c "$addr" -t "$secs" -J)
	bps=$(jq -r '.end.sum_received.bits_per_second' <<<"$json" 2>/dev/null ||
		sed -n 's/.*"bits_per_second":[[:space:]]*\([0-9.e+]*\).*/\1/p' <<<"$json" | tail -n 1)
	printf 'iperf3 %s -> %s: %.1f Mbit/s\n' "$from" "$to" \
		"$(awk -v b="$bps" 'BEGIN { print b / 1e6 }')"
	awk -v b="$bps" 'BEGIN { exit !(b > 1e6) }'
}

test_iperf_both_ways() {
	require_cmd iperf3
	topo_up v4
	iperf_run 10 jc 172.16.0.1 jg
	iperf_run 10 jg 172.16.0.2 jc
	expect_eq "$(field jg drop_bad_auth)" 0 "gateway drop_bad_auth"
	expect_eq "$(field jg drop_replay)" 0 "gateway drop_replay"
}
