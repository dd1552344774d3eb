# shellcheck shell=bash
# Who may steer a session's path (docs/design.md, "Reattach"): an attacker
# on the gateway's side of the client's uplinks records the gateway's real
# messages and plays them again, from the gateway's own address (the frame
# as it was) and from an address of its own (10.2.0.66, a second address
# on the gateway's end of link B), and the client's binding, state and
# version do not move. Uses daemon_up and nat_up of daemon.sh.

ATTACKER=10.2.0.66

attacker_up() {
	jg ip addr add "$ATTACKER/32" dev gb
}

# The REATTACH_ACK of a failover, used again 3 and 4 s later: once as it
# was, once from the attacker's address. Neither moves the client.
test_daemon_ack_replayed() {
	local dir same=/tmp/ack-same-$$ other=/tmp/ack-other-$$ remote version
	dir=$(mktemp -d)
	daemon_up "$dir"
	attacker_up
	jg "$JVPN_PKT" replay gb --src-port "$GW_PORT" --type 7 --count 3 \
		--delay-ms 3000 --timeout 30 >"$same" 2>&1 &
	jg "$JVPN_PKT" replay gb --src-port "$GW_PORT" --type 7 --count 3 \
		--delay-ms 4500 --timeout 30 --from "$ATTACKER:40007" >"$other" 2>&1 &
	wait_until 5 grep -q '^# listening' "$same"
	wait_until 5 grep -q '^# listening' "$other"
	jc ip link set ua down
	wait_until 20 client_bound_to 10.2.0.2
	wait_until 10 grep -q '"type":"REATTACH_SUCCESS"' "$dir/cl.events"
	remote=$(sfield jc remote)
	version=$(sfield jc version)
	wait_until 20 grep -q '^replayed 3$' "$same"
	wait_until 20 grep -q '^replayed 3 from' "$other"
	sleep 1
	cat "$same" "$other" "$dir/cl.events"
	expect_eq "$(sfield jc remote)" "$remote" "client binding after the replays"
	expect_eq "$(sfield jc version)" "$version" "client state_version after the replays"
	expect_eq "$(sfield jc state)" ACTIVE "client state"
	grep -q '"type":"SECURITY_EVENT".*"reason":"replayed_nonce"' "$dir/cl.events"
	grep -q '"type":"SECURITY_EVENT".*"reason":"security".*10.2.0.66' "$dir/cl.events"
	expect_eq "$(grep -c '"type":"TRANSPORT_SWITCH"' "$dir/cl.events")" 1 "client switches"
	jc ping -c 2 -i 0.2 -W 2 172.16.0.1
}

# Uplink A goes silent (the gateway drops what A sends) while the attacker
# replays one recorded PROBE_ACK toward A every 50 ms: the client must
# still see the path die and fail over to B.
test_daemon_probe_ack_replayed() {
	local dir cap=/tmp/probe-ack-$$
	require_cmd nft
	dir=$(mktemp -d)
	daemon_up "$dir"
	jg "$JVPN_PKT" replay ga --src-port "$GW_PORT" --type 12 --count 160 \
		--delay-ms 200 --interval-ms 50 --timeout 20 >"$cap" 2>&1 &
	wait_until 5 grep -q '^captured' "$cap"
	jg nft -f - <<'NFT'
table inet blackhole {
	chain in {
		type filter hook input priority 0;
		iifname "ga" udp dport 51820 drop
	}
}
NFT
	wait_until 6 client_bound_to 10.2.0.2
	cat "$cap" "$dir/cl.events"
	grep '"type":"STATE_CHANGE"' "$dir/cl.events" | grep -q '"new_state":"VOLATILE"'
	grep -q '"type":"SECURITY_EVENT".*"reason":"replayed_nonce".*PROBE_ACK' "$dir/cl.events"
	expect_fail grep -q '"type":"SESSION_TERMINATED"' "$dir/cl.events"
	jc ping -c 2 -i 0.2 -W 2 172.16.0.1
}

# rebind ROUND: the NAT router forgets its mapping; the next packets move
# the gateway's binding (NAT_REBINDING, started by the gateway).
nat_rebind() {
	local before
	before=$(sfield jg remote)
	jr conntrack -F >/dev/null 2>&1
	jc ping -c 10 -i 0.1 -W 1 172.16.0.1 >/dev/null || true
	wait_until 10 sh -c "[ \"\$(ip netns exec jg $JVPNK dump jvpn0 --field remote)\" != '$before' ]"
}

# Gateway-started switches: the client learns of each, by the gateway's
# switch notice: the same version on both ends, and an event of its own.
test_daemon_nat_rebinding_versions() {
	local dir
	require_cmd nft conntrack
	dir=$(mktemp -d)
	nat_up "$dir"
	wait_until 10 session_count_is jc 1
	nat_rebind
	sleep 1
	cat "$dir/gw.events" "$dir/cl.events"
	expect_eq "$(sfield jc version)" "$(sfield jg version)" "state_version after a NAT rebinding (client, gateway)"
	grep -q '"type":"TRANSPORT_SWITCH".*"reason":"nat_rebinding"' "$dir/cl.events"
	nat_rebind
	sleep 1
	expect_eq "$(sfield jc version)" "$(sfield jg version)" "state_version after two NAT rebindings"
	jc ping -c 2 -i 0.2 -W 2 172.16.0.1
}

# Gateway-started switches are not charged to the client's limits: with
# max-switches-per-minute = 2, two NAT rebindings leave the client's next
# request its whole budget, where it used to end in SWITCH_LIMIT and a
# TERMINATED session. The request is signed with the client's control key
# and comes from the client's side of the NAT.
test_daemon_nat_rebinding_uncharged() {
	local dir key
	require_cmd nft conntrack
	dir=$(mktemp -d)
	POLICY_EXTRA=$'max-switches-per-minute = 2\ncooldown = 200ms' nat_up "$dir"
	wait_until 10 session_count_is jc 1
	nat_rebind
	sleep 0.5
	nat_rebind
	sleep 0.5
	key=$(sed -n 's/.* k_ctl=\([0-9a-f]*\).*/\1/p' "$dir/cl.state")
	jc "$JVPN_PKT" send "10.3.0.2:$GW_PORT" --from-port 40002 \
		reattach-signed --session "$(sfield jg id)" --key "$key" \
		--version "$(sfield jg version)" --counter 1000
	sleep 1
	cat "$dir/gw.events"
	expect_fail grep -q '"reason":"switch_limit"' "$dir/gw.events"
	expect_fail grep -q '"type":"SESSION_TERMINATED"' "$dir/gw.events"
	expect_eq "$(sfield jg state)" ACTIVE "gateway state"
	jc ping -c 2 -i 0.2 -W 2 172.16.0.1
}
