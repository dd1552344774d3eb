# shellcheck shell=bash
# The one active transport: switch while traffic flows, refuse stale or
# premature switches, never move on stray data.

# Both sides move session $SID to uplink B: version 1 -> 2.
switch_to_b() {
	kc switch jvpn0 --id "$SID" --bind "10.2.0.2:$CL_PORT" \
		--peer "10.2.0.1:$GW_PORT" --expect 1 --version 2
	kg switch jvpn0 --id "$SID" --bind "10.2.0.1:$GW_PORT" \
		--peer "10.2.0.2:$CL_PORT" --expect 1 --version 2
}

test_switch_under_traffic() {
	local log=/tmp/ping-$$ ev=/tmp/ev-$$ sent recv
	topo_up v4
	monitor_start jg "$ev" --count 1 --timeout 20
	jc ping -i 0.05 -c 120 -W 1 172.16.0.1 >"$log" &
	sleep 2
	switch_to_b
	# Uplink A is gone for good: only B can carry what follows.
	jc ip link set ua down
	wait
	cat "$log" | tail -n 3
	sent=$(ping_sent "$log")
	recv=$(ping_received "$log")
	# at most a second's worth lost between the two switches
	expect_ge "$recv" $((sent - 20)) "echo replies through the switch"
	expect_eq "$(field jg version)" 2 "gateway state_version"
	field jg remote | grep -q '10.2.0.2'
	expect_eq "$(field jg switches)" 1 "gateway switches"
	jc ping -c 3 -i 0.2 -W 2 172.16.0.1
	cat "$ev"
	grep -q 'event=switched' "$ev"
	grep 'event=switched' "$ev" | grep -q 'old_remote=10.1.0.2'
	grep 'event=switched' "$ev" | grep -q 'version=2'
}

test_switch_stale_refused() {
	local before after out
	topo_up v4
	switch_to_b
	before=$(kg get jvpn0 --id "$SID")
	out=$(kg switch jvpn0 --id "$SID" --bind "10.1.0.1:$GW_PORT" \
		--peer "10.1.0.2:$CL_PORT" --expect 1 --version 3 2>&1) && {
		echo "stale switch accepted: $out"
		return 1
	}
	echo "$out"
	grep -qi 'stale' <<<"$out"
	after=$(kg get jvpn0 --id "$SID")
	# nothing moved: same transport, same version, same switch count
	expect_eq "$(cut -f1-6 <<<"$after")" "$(cut -f1-6 <<<"$before")" "session"
	expect_eq "$(field jg version)" 2 "gateway state_version"
	jg ping -c 2 -i 0.2 -W 2 172.16.0.2
}

test_switch_too_soon_refused() {
	local out
	topo_up v4
	kg set jvpn0 --id "$SID" --expect 1 --version 2 --min-switch-ms 60000
	kg switch jvpn0 --id "$SID" --bind "10.2.0.1:$GW_PORT" \
		--peer "10.2.0.2:$CL_PORT" --expect 2 --version 3
	out=$(kg switch jvpn0 --id "$SID" --bind "10.1.0.1:$GW_PORT" \
		--peer "10.1.0.2:$CL_PORT" --expect 3 --version 4 2>&1) && {
		echo "premature switch accepted: $out"
		return 1
	}
	echo "$out"
	grep -q 'EBUSY\|busy' <<<"$out"
	expect_eq "$(field jg version)" 3 "gateway state_version"
	field jg remote | grep -q '10.2.0.2'
}

# The client moves to uplink B, the gateway does not: its authenticated
# packets now come from an unbound endpoint.
test_stray_data_reported() {
	local ev=/tmp/ev-$$
	topo_up v4
	jc ping -c 1 -W 2 172.16.0.1
	monitor_start jg "$ev" --count 1 --timeout 20
	kc switch jvpn0 --id "$SID" --bind "10.2.0.2:$CL_PORT" \
		--peer "10.1.0.1:$GW_PORT" --expect 1 --version 2
	# replies cannot come back to the client's new socket, so pings fail
	jc ping -c 5 -i 0.2 -W 1 172.16.0.1 || true
	wait
	cat "$ev"
	grep 'event=stray' "$ev" | grep -q 'remote=10.2.0.2'
	expect_ge "$(field jg drop_stray)" 5 "gateway drop_stray"
	field jg remote | grep -q '10.1.0.2'
	expect_eq "$(field jg version)" 1 "gateway state_version"
	expect_eq "$(field jg switches)" 0 "gateway switches"
}
