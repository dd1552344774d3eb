# shellcheck shell=bash
# Hostile and broken packets: each is dropped and counted under its reason,
# nothing else changes, and control traffic still reaches its socket.

test_replay_dropped() {
	local out
	topo_up v4
	jc ping -c 1 -W 2 172.16.0.1
	# capture the next data packet the client sends, re-send it 3 times
	jc "$JVPN_PKT" replay ua --dst-port "$GW_PORT" --count 3 --timeout 10 \
		>/tmp/replay-$$ 2>&1 &
	wait_until 5 grep -q '^# listening' /tmp/replay-$$
	jc ping -c 1 -W 2 172.16.0.1
	wait
	cat /tmp/replay-$$
	grep -q 'replayed 3' /tmp/replay-$$
	wait_until 5 field_is jg drop_replay -ge 3
	expect_eq "$(field jg drop_replay)" 3 "gateway drop_replay"
	expect_eq "$(field jg drop_bad_auth)" 0 "gateway drop_bad_auth"
	jc ping -c 1 -W 2 172.16.0.1
}

test_wrong_key_is_bad_auth() {
	topo_up v4
	# a fresh transmit key: the kernel refuses the current one again
	kg set-keys jvpn0 --id "$SID" --tx-key "$(printf '%064x' 0x4444)" \
		--rx-key "$(printf '%064x' 0xbad)" --key-phase 1
	# the client still seals with phase 0: the gateway's previous pair
	# opens that, so rotate the client too, to a key the gateway lacks
	kc set-keys jvpn0 --id "$SID" --tx-key "$(printf '%064x' 0x3333)" \
		--rx-key "$(printf '%064x' 0x4444)" --key-phase 1
	expect_fail jc ping -c 3 -i 0.2 -W 1 172.16.0.1
	expect_ge "$(field jg drop_bad_auth)" 3 "gateway drop_bad_auth"
	expect_eq "$(field jg rx_packets)" 0 "gateway rx_packets"
}

# Rotation: the new pair takes over without a lost packet, in-flight
# packets under the old pair still open.
test_key_rotation() {
	local k1 k2
	topo_up v4
	jc ping -c 2 -i 0.2 -W 2 172.16.0.1
	k1=$(printf '%064x' 0x5555) k2=$(printf '%064x' 0x6666)
	kg set-keys jvpn0 --id "$SID" --tx-key "$k2" --rx-key "$k1" --key-phase 1
	# the client still uses phase 0: the gateway's previous pair opens it
	jc ping -c 2 -i 0.2 -W 2 172.16.0.1 || true
	kc set-keys jvpn0 --id "$SID" --tx-key "$k1" --rx-key "$k2" --key-phase 1
	jc ping -c 3 -i 0.2 -W 2 172.16.0.1
	expect_eq "$(field jg drop_bad_auth)" 0 "gateway drop_bad_auth"
	expect_fail kg set-keys jvpn0 --id "$SID" --tx-key "$k2" --rx-key "$k1" \
		--key-phase 1
}

test_malformed_packets() {
	local kind mal0 unk0
	topo_up v4
	mal0=$(dev_field jg drop_malformed)
	unk0=$(dev_field jg drop_unknown_session)
	# each names the real session, so its malformation is the only fault
	for kind in short header-only bad-version reserved-set; do
		jc "$JVPN_PKT" send "10.1.0.1:$GW_PORT" --from-port 40000 "$kind" \
			--session "$SID"
	done
	jc "$JVPN_PKT" send "10.1.0.1:$GW_PORT" --from-port 40000 unknown-session
	# well-formed headers whose ciphertext is junk, one of 65000 bytes
	for kind in garbage-tag oversized; do
		jc "$JVPN_PKT" send "10.1.0.1:$GW_PORT" --from-port 40000 "$kind" \
			--session "$SID"
	done
	wait_until 5 field_is jg drop_bad_auth -ge 2
	expect_eq "$(dev_field jg drop_malformed)" $((mal0 + 4)) "drop_malformed"
	expect_eq "$(dev_field jg drop_unknown_session)" $((unk0 + 1)) \
		"drop_unknown_session"
	expect_eq "$(field jg drop_bad_auth)" 2 "session drop_bad_auth"
	expect_eq "$(field jg rx_packets)" 0 "session rx_packets"
	jc ping -c 2 -i 0.2 -W 2 172.16.0.1
}

# Anything but a data packet is the daemon's: it must stay on the socket.
test_control_passes_through() {
	local q
	topo_up v4
	jc "$JVPN_PKT" send "10.1.0.1:$GW_PORT" --from-port 40001 control
	wait_until 5 sh -c "ip netns exec jg ss -uanH 'sport = :$GW_PORT' | awk '\$2 > 0' | grep -q ."
	q=$(jg ss -uanH "sport = :$GW_PORT" | awk '{ print $2 }' | head -n 1)
	expect_ge "$q" 40 "bytes queued on the gateway's socket"
	expect_eq "$(dev_field jg drop_malformed)" 0 "drop_malformed"
}
