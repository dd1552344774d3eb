# shellcheck shell=bash
# Mixed protocol versions (issue 15, "Protocol minor versions"), with the
# builds of make compat beside this one: build/compat/v1-2 speaks control
# protocol versions 1..2, one minor version ahead of this build's 1..1;
# build/compat/v3 speaks only 3, a major version ahead, which shares no
# version with either (docs/control-plane-protocol.md, "Versions").

COMPAT=$JVPN_ROOT/build/compat

# proto_version NS DIR SIDE: the negotiated version of SIDE's one session
proto_version() {
	ip netns exec "$1" "$JVPNCTL" --socket "$2/$3.sock" --json \
		session show "$(sfield "$1" id)" |
		python3 -c 'import json, sys; print(json.load(sys.stdin)["protocol_version"])'
}

client_gone() { ! pgrep -f "jvpnd --config $1/cl.conf" >/dev/null; }

# upgrade_client DIR BINARY: the client's jvpnd stopped as a package
# upgrade stops it (SIGTERM: its sessions stay in the kernel), and BINARY
# started with the same configuration
upgrade_client() {
	pkill -TERM -f "jvpnd --config $1/cl.conf"
	wait_until 10 client_gone "$1"
	jc "$2" --config "$1/cl.conf" >>"$1/cl.log" 2>&1 &
}

# A gateway one minor version ahead serves a client of the older one at
# its version, fresh handshakes included; once the client is upgraded, its
# session moves to the newer version at its next fresh handshake, same
# session id, no echo lost, and never back. A client a major version
# ahead cannot keep the session (it ends, saying why) and its handshake is
# refused with VERSION_MISMATCH and both ranges, on both ends.
test_daemon_minor_version_ahead() {
	local dir id pinger
	[[ -x $COMPAT/v1-2/jvpnd && -x $COMPAT/v3/jvpnd ]] ||
		test_fail "no build/compat/*/jvpnd: make compat"
	"$COMPAT/v1-2/jvpnd" --version | grep -q 'versions 1\.\.2$'
	dir=$(mktemp -d)
	GW_JVPND=$COMPAT/v1-2/jvpnd POLICY_EXTRA='rehandshake-after = 2s' \
		daemon_up "$dir"
	id=$(sfield jc id)
	jc ping -c 2 -i 0.2 -W 2 172.16.0.1 >/dev/null
	expect_eq "$(proto_version jg "$dir" gw)" 1 "1..2 gateway, 1..1 client: gateway"
	expect_eq "$(proto_version jc "$dir" cl)" 1 "1..2 gateway, 1..1 client: client"
	wait_until 10 grep -q '"detail":"generation [0-9]*, fresh handshake"' "$dir/cl.events"
	expect_eq "$(proto_version jg "$dir" gw)" 1 "after a fresh handshake at 1"

	upgrade_client "$dir" "$COMPAT/v1-2/jvpnd"
	wait_until 10 grep -q 'session restored after restart' "$dir/cl.events"
	jc ping -i 0.1 -c 60 -W 1 172.16.0.1 >"$dir/ping" &
	pinger=$!
	wait_until 15 grep -q 'protocol version 1 -> 2' "$dir/cl.events"
	wait "$pinger" || true
	tail -n 2 "$dir/ping"
	grep '"type":"KEY_ROTATION"' "$dir/gw.events" | grep -q 'protocol version 1 -> 2'
	expect_eq "$(sfield jc id)" "$id" "session id after the move to 2"
	expect_eq "$(sfield jg id)" "$id" "gateway session id after the move to 2"
	expect_eq "$(proto_version jc "$dir" cl)" 2 "client after its upgrade"
	expect_eq "$(proto_version jg "$dir" gw)" 2 "gateway after the client's upgrade"
	expect_eq "$(ping_received "$dir/ping")" 60 "echo replies across the move to 2"
	sleep 3 # another fresh handshake: at 2 it stays
	expect_eq "$(proto_version jg "$dir" gw)" 2 "gateway, a fresh handshake later"

	upgrade_client "$dir" "$COMPAT/v3/jvpnd"
	wait_until 10 grep -q 'is at control protocol version 2, which this build (3\.\.3) does not speak' "$dir/cl.events"
	wait_until 20 grep -q '"reason":"version_mismatch".*speaks control protocol versions 1\.\.2, this build 3\.\.3' "$dir/cl.events"
	wait_until 10 grep -q '"type":"REATTACH_REJECT".*"reason":"version_mismatch"' "$dir/gw.events"
	expect_eq "$(ip netns exec jc "$JVPNK" dump jvpn0 | wc -l)" 0 "client sessions under 3..3"
	grep '"reason":"version_mismatch"' "$dir/cl.events" | tail -n 2 | cut -c1-300
}
