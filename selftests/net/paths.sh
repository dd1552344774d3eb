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
	key=$(kernel_control_key jc)
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

# ---- the client does not terminate itself (issue 10, item 5) ----

# netem NS DEV: packets leaving DEV wait 150 ms +- 25 ms, so that a path
# over a pair of such links has a round trip of 300 ms +- 50 ms, above the
# mobile profile's 300 ms probe interval.
slow_link() {
	ip netns exec "$1" tc qdisc add dev "$2" root netem delay 150ms 25ms
}

# The other uplink of the one bound now.
other_uplink() { if client_bound_to 10.1.0.2; then echo ub; else echo ua; fi; }
uplink_of() { if [[ $1 == ua ]]; then echo 10.1.0.2; else echo 10.2.0.2; fi; }
uplink_gw() { if [[ $1 == ua ]]; then echo 10.1.0.1; else echo 10.2.0.1; fi; }

# Three failovers, each onto an uplink with a 300 ms +- 50 ms round trip:
# each completes (the old client sent a new nonce every probe interval
# and accepted only the newest, the gateway replaced its challenge on
# every request: no reattach ever completed and the session ended).
test_daemon_failover_long_rtt() {
	local dir trial down up
	dir=$(mktemp -d)
	POLICY_EXTRA='degraded-after-switches = 10' daemon_up "$dir"
	slow_link jc ua
	slow_link jc ub
	slow_link jg ga
	slow_link jg gb
	for trial in 1 2 3; do
		echo "trial $trial: onto $(other_uplink)"
		up=$(other_uplink)
		if [[ $up == ua ]]; then down=ub; else down=ua; fi
		jc ip link set "$down" down
		wait_until 15 client_bound_to "$(uplink_of "$up")" ||
			{ cat "$dir/cl.events"; return 1; }
		jc ip link set "$down" up
		jc ip route replace "$GW_ADDR/32" via "$(uplink_gw "$down")" \
			dev "$down" metric "$([[ $down == ua ]] && echo 10 || echo 20)"
		sleep 2
	done
	cat "$dir/cl.events"
	expect_eq "$(grep -c '"type":"REATTACH_SUCCESS"' "$dir/cl.events")" 3 "completed failovers (client)"
	expect_fail grep -q '"type":"SESSION_TERMINATED"' "$dir/cl.events"
	expect_eq "$(sfield jc version)" "$(sfield jg version)" "state_version (client, gateway)"
	jc ping -c 2 -i 0.4 -W 3 172.16.0.1
}

# A HANDSHAKE_REJECT is not authenticated: an attacker that sees the
# client's INIT forges one (here: answering from the gateway's address
# before the gateway runs). The client backs off and tries again, and
# has a session once the gateway is up; the old client stopped for good.
test_daemon_handshake_reject_forged() {
	local dir forger=/tmp/forger-$$
	dir=$(mktemp -d)
	topo_links
	jg ip addr add "$GW_ADDR/32" dev lo
	jc ip route add "$GW_ADDR/32" via 10.1.0.1 dev ua metric 10
	jc ip route add "$GW_ADDR/32" via 10.2.0.1 dev ub metric 20
	(umask 077 && "$JVPNCTL" genkey >"$dir/gw.key" && "$JVPNCTL" genkey >"$dir/cl.key")
	daemon_conf_gateway "$dir" "$("$JVPNCTL" pubkey <"$dir/cl.key")"
	daemon_conf_client "$dir" "$("$JVPNCTL" pubkey <"$dir/gw.key")"
	# type 3, versions 1..1, the INIT's initiator id, UNKNOWN_PEER (21)
	jg python3 - "$GW_ADDR" "$GW_PORT" >"$forger" 2>&1 <<'PY' &
import socket, struct, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[1], int(sys.argv[2])))
s.settimeout(20)
msg, peer = s.recvfrom(2048)
s.sendto(bytes([3, 1, 1, 0]) + msg[4:12] + struct.pack('>H', 21), peer)
print('rejected', peer[0], flush=True)
PY
	wait_until 5 udp_listening jg "$GW_PORT"
	jc "$JVPND" --config "$dir/cl.conf" >"$dir/cl.log" 2>&1 &
	wait_until 10 grep -q '^rejected' "$forger" || { cat "$forger"; return 1; }
	wait_until 5 grep -q 'refused the handshake' "$dir/cl.events"
	wait_until 5 sh -c "! ip netns exec jg ss -ulnH 'sport = :$GW_PORT' | grep -q ."
	jg "$JVPND" --config "$dir/gw.conf" >"$dir/gw.log" 2>&1 &
	wait_until 30 session_count_is jc 1 || { cat "$dir"/cl.*; return 1; }
	cat "$dir/cl.events"
	jc ping -c 2 -i 0.2 -W 2 172.16.0.1
}

# ---- DEGRADED exactly when policy says (issue 10, item 7) ----

# fail_over_to DEV: the other uplink goes down; the session moves to DEV.
fail_over_to() {
	local to=$1 from
	if [[ $to == ua ]]; then from=ub; else from=ua; fi
	jc ip link set "$from" down
	wait_until 10 client_bound_to "$(uplink_of "$to")"
	jc ip link set "$from" up
	jc ip route replace "$GW_ADDR/32" via "$(uplink_gw "$from")" dev "$from" \
		metric "$([[ $from == ua ]] && echo 10 || echo 20)"
}

state_is() { test "$(sfield "$1" state)" = "$2"; }

# mono_ms FILE PATTERN: the monotonic time (ms) of the first event of FILE
# matching PATTERN.
mono_ms() {
	grep -m1 -- "$2" "$1" | sed -n 's/.*"mono_ns":\([0-9]*\).*/\1/p' |
		awk '{ printf "%d", $1 / 1000000 }'
}

# degraded_ms FILE: how long the events of FILE say DEGRADED lasted.
degraded_ms() {
	echo $(($(mono_ms "$1" '"old_state":"DEGRADED","new_state":"ACTIVE"') -
		$(mono_ms "$1" '"new_state":"DEGRADED"')))
}

# mobile: DEGRADED after 3 switches inside the recovery window (here 6 s),
# on both ends, with the same version; not after 2; and ACTIVE again
# (RECOVERED) a calm window later, not sooner: the events' own times say
# how long (the test's shell is too slow in the VM to judge it by polls).
# The old code stayed ACTIVE after every switch.
test_daemon_degraded_after_switches() {
	local dir
	dir=$(mktemp -d)
	POLICY_EXTRA='recovery-window = 6s' daemon_up "$dir"
	sleep 1 # the cooldown since the session was made
	fail_over_to ub
	sleep 0.6
	fail_over_to ua
	sleep 0.6
	expect_eq "$(sfield jc state)" ACTIVE "client after 2 switches"
	expect_eq "$(sfield jg state)" ACTIVE "gateway after 2 switches"
	fail_over_to ub
	wait_until 2 state_is jg DEGRADED
	expect_eq "$(sfield jc state)" DEGRADED "client after 3 switches"
	expect_eq "$(sfield jc version)" "$(sfield jg version)" "state_version (client, gateway)"
	grep -q '"reason":"repeated_instability","old_state":"VOLATILE","new_state":"DEGRADED"' "$dir/cl.events"
	grep -q '"reason":"repeated_instability","old_state":"VOLATILE","new_state":"DEGRADED"' "$dir/gw.events"
	wait_until 15 state_is jc ACTIVE
	wait_until 5 state_is jg ACTIVE
	cat "$dir/cl.events" "$dir/gw.events"
	grep -q '"reason":"recovered","old_state":"DEGRADED","new_state":"ACTIVE"' "$dir/cl.events"
	# a whole window (6 s), and then within a second (probes, ticks). The
	# window runs from the clock reading of the change to DEGRADED, and
	# its event is stamped after the kernel request that follows it (seen:
	# 7 ms later on the gateway in a slow VM), so events may show up to
	# 100 ms less than the window
	expect_ge "$(degraded_ms "$dir/cl.events")" 5900 "client ms in DEGRADED"
	expect_ge 7000 "$(degraded_ms "$dir/cl.events")" "client ms in DEGRADED (at most)"
	expect_ge "$(degraded_ms "$dir/gw.events")" 5900 "gateway ms in DEGRADED"
	expect_ge 7000 "$(degraded_ms "$dir/gw.events")" "gateway ms in DEGRADED (at most)"
	expect_eq "$(sfield jc version)" "$(sfield jg version)" "state_version after DEGRADED"
	jc ping -c 2 -i 0.2 -W 2 172.16.0.1
}

# ---- event-driven detection (issue 10, "Speed", item 10) ----

# The bound uplink loses its carrier, then its route to the gateway, then
# its address: each time the client goes VOLATILE at once with reason
# INTERFACE_DOWN, says why, and is on the other uplink well inside the
# health threshold (1 s); its path changes are events of its own.
test_daemon_interface_down() {
	local dir t0 t1
	dir=$(mktemp -d)
	POLICY_EXTRA='degraded-after-switches = 10' daemon_up "$dir"
	sleep 1 # the cooldown since the session was made
	t0=$(date +%s%N)
	jc ip link set ua down
	wait_until 2 client_bound_to 10.2.0.2
	t1=$(date +%s%N)
	echo "carrier: on uplink B after $(((t1 - t0) / 1000000)) ms (polled)"
	# the events' own times: from VOLATILE to the switch, well inside the
	# 1 s health threshold the old code waited for
	expect_ge 500 $(($(mono_ms "$dir/cl.events" '"type":"REATTACH_SUCCESS"') -
		$(mono_ms "$dir/cl.events" '"reason":"interface_down"'))) \
		"ms from INTERFACE_DOWN to the switch (at most)"
	jc ip link set ua up
	jc ip route replace "$GW_ADDR/32" via 10.1.0.1 dev ua metric 10
	sleep 1
	jc ip route del "$GW_ADDR/32" via 10.2.0.1 dev ub
	wait_until 2 client_bound_to 10.1.0.2 || {
		cat "$dir/cl.events" "$dir/cl.log"
		jc ip route show
		jc ip link show
		return 1
	}
	jc ip route add "$GW_ADDR/32" via 10.2.0.1 dev ub metric 20
	sleep 1
	jc ip addr del 10.1.0.2/24 dev ua
	wait_until 2 client_bound_to 10.2.0.2
	sleep 0.5
	cat "$dir/cl.events"
	expect_eq "$(grep -c '"type":"STATE_CHANGE".*"reason":"interface_down"' "$dir/cl.events")" 3 "INTERFACE_DOWN changes"
	grep -q 'uplink ua down: set down' "$dir/cl.events"
	grep -q 'uplink ub down: no route to the gateway' "$dir/cl.events"
	grep -q 'uplink ua down: its address removed' "$dir/cl.events"
	expect_eq "$(grep -c '"type":"TRANSPORT_SWITCH".*"reason":"reattached"' "$dir/cl.events")" 3 "client switches"
	expect_eq "$(sfield jc version)" "$(sfield jg version)" "state_version (client, gateway)"
	jc ping -c 2 -i 0.2 -W 2 172.16.0.1
}

# ---- the client's address and allowed-ips (issue 10, item 9) ----

# Before the client starts: a bare device, and the client configured
# for a full tunnel (allowed-ips = 0.0.0.0/0).
bare_client_device() {
	jc ip addr flush dev jvpn0
	jc ip link set jvpn0 down
	sed -i 's#^allowed-ips = .*#allowed-ips = 0.0.0.0/0#' "$ROUTES_DIR/cl.conf"
}

# The client puts its address on jvpn0 and routes 0.0.0.0/0 into the
# tunnel as 0/1 + 128/1; the uplinks' routes to the gateway stay, so
# traffic flows and a failover still works; a stopped client takes back
# what it added. The old client left the device bare ("Network is
# unreachable").
test_daemon_client_routes() {
	local dir pid
	dir=$(mktemp -d)
	ROUTES_DIR=$dir DAEMON_BEFORE_CLIENT=bare_client_device daemon_up "$dir"
	jc ip -4 addr show dev jvpn0
	jc ip -4 route show
	jc ip -4 addr show dev jvpn0 | grep -q 'inet 172.16.0.2/24'
	jc ip -4 route show | grep -q '^0.0.0.0/1 dev jvpn0'
	jc ip -4 route show | grep -q '^128.0.0.0/1 dev jvpn0'
	jc ip route get 192.0.2.1 | grep -q 'dev jvpn0'
	jc ip route get "$GW_ADDR" | grep -q 'dev ua'
	jc ping -c 2 -i 0.2 -W 2 172.16.0.1
	jc ip link set ua down
	wait_until 5 client_bound_to 10.2.0.2
	jc ping -c 2 -i 0.2 -W 2 172.16.0.1
	pid=$(jc pgrep -f "jvpnd --config $dir/cl.conf")
	kill -TERM "$pid"
	wait_until 5 sh -c "! kill -0 $pid 2>/dev/null"
	cat "$dir/cl.log"
	jc ip -4 route show
	expect_fail sh -c "ip netns exec jc ip -4 route show | grep -q 'dev jvpn0'"
	expect_fail sh -c "ip netns exec jc ip -4 addr show dev jvpn0 | grep -q 172.16.0.2"
	jc ip route get "$GW_ADDR" | grep -q 'dev ub'
}

# ---- no probes on a path that carries authenticated data ----

# probes_seen: the client's PROBEs (60-byte datagrams to the gateway's
# port) counted on the gateway's end of uplink A.
probes_seen() {
	jg nft list counter inet probes seen | sed -n 's/.*packets \([0-9]*\).*/\1/p'
}

# Under traffic both ways (echo every 50 ms) the client sends no probe: the
# data proves the path to both ends; idle again, probes resume at the
# mobile profile's 300 ms. The old client probed every 300 ms regardless.
test_daemon_no_probes_under_traffic() {
	local dir before busy idle pinger
	require_cmd nft
	dir=$(mktemp -d)
	daemon_up "$dir"
	jg nft -f - <<NFT
table inet probes {
	counter seen { }
	chain in {
		type filter hook input priority 0;
		iifname "ga" udp dport $GW_PORT udp length 68 counter name seen
	}
}
NFT
	jc ping -c 60 -i 0.05 -W 1 172.16.0.1 >/dev/null &
	pinger=$!
	sleep 0.5
	before=$(probes_seen)
	sleep 2
	busy=$(($(probes_seen) - before))
	wait "$pinger" || true
	sleep 0.5
	before=$(probes_seen)
	sleep 2
	idle=$(($(probes_seen) - before))
	echo "probes in 2 s: $busy under traffic, $idle idle"
	expect_ge 1 "$busy" "probes under traffic (at most)"
	expect_ge "$idle" 5 "probes while idle"
	expect_eq "$(sfield jc state)" ACTIVE "client state"
	expect_eq "$(sfield jg state)" ACTIVE "gateway state"
}

# ---- the hold-ups SPIN found (docs/reattach.md, "The model") ----

# delay_into_gateway DEV MS: what the gateway receives on DEV reaches its
# stack MS later (an ifb behind DEV's ingress), while a capture on DEV
# sees it at once: an attacker there is faster than the client's path.
delay_into_gateway() {
	modprobe -a ifb sch_ingress cls_matchall act_mirred sch_netem
	jg ip link add "ifb$1" type ifb
	jg ip link set "ifb$1" up
	jg tc qdisc add dev "$1" handle ffff: ingress
	jg tc filter add dev "$1" parent ffff: matchall \
		action mirred egress redirect dev "ifb$1"
	jg tc qdisc add dev "ifb$1" root netem delay "${2}ms"
}

# A copy of the failover's first request, from the attacker's address,
# overtakes the genuine one: the gateway challenges the copy's address,
# and the genuine request, from the client's own address, gets a
# challenge of its own (the answer the first address got), not
# REPLAYED_NONCE. The old gateway refused it and held the reattach up
# until the client's next attempt; the binding never goes to the
# attacker either way.
test_daemon_request_copy_overtakes() {
	local dir cap=/tmp/copy-$$
	dir=$(mktemp -d)
	POLICY_EXTRA='degraded-after-switches = 10' daemon_up "$dir"
	attacker_up
	delay_into_gateway gb 200
	jg "$JVPN_PKT" replay gb --dst-port "$GW_PORT" --type 4 --count 1 \
		--timeout 30 --from "$ATTACKER:40007" >"$cap" 2>&1 &
	wait_until 5 grep -q '^# listening' "$cap"
	jc ip link set ua down
	wait_until 20 grep -q '^replayed 1 from' "$cap"
	wait_until 20 client_bound_to 10.2.0.2
	sleep 1
	cat "$cap" "$dir/gw.events"
	expect_fail grep -q '"type":"REATTACH_REJECT".*"reason":"replayed_nonce"' "$dir/gw.events"
	grep -q '"type":"DAEMON".*"reason":"replayed_nonce".*request [0-9]* again, from 10.2.0.2:[0-9]*: answered as the first (a challenge)' "$dir/gw.events"
	expect_eq "$(grep '"type":"TRANSPORT_SWITCH"' "$dir/gw.events" |
		grep -vc '"new_transport":"10.2.0.2:' || true)" 0 \
		"switches to anywhere but the client's uplink B"
	expect_eq "$(sfield jc version)" "$(sfield jg version)" "state_version (client, gateway)"
	expect_fail grep -q '"type":"SESSION_TERMINATED"' "$dir/cl.events"
	jc ping -c 2 -i 0.2 -W 2 172.16.0.1
}

# copy_same_source DEV: the first REATTACH_REQUEST the gateway receives on
# DEV, copied at once into its stack as it was, source and all (a raw
# socket): a copy from the client's own address that overtakes it.
copy_same_source() {
	jg python3 - "$1" "$GW_PORT" <<'PY'
import socket, sys, time
dev, port = sys.argv[1], int(sys.argv[2])
# ETH_P_ALL: a tap sees a frame before the device's ingress qdisc does
cap = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
cap.bind((dev, 3))
cap.settimeout(1)
raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
print('listening', flush=True)
deadline = time.time() + 30
while time.time() < deadline:
    try:
        frame, where = cap.recvfrom(4096)
    except socket.timeout:
        continue
    ip = frame[14:]
    if where[2] == socket.PACKET_OUTGOING or frame[12:14] != b'\x08\x00' \
            or len(ip) < 28 or ip[9] != 17:
        continue
    ihl = (ip[0] & 15) * 4
    udp = ip[ihl:]
    payload = udp[8:]
    if int.from_bytes(udp[2:4], 'big') != port or len(payload) != 76 \
            or payload[0] != 4:
        continue
    # veth leaves a sender's UDP checksum to offload, never computed: an
    # IPv4 UDP checksum of 0 is "none", which the stack takes as it is
    pkt = bytearray(ip[:int.from_bytes(ip[2:4], 'big')])
    pkt[ihl + 6:ihl + 8] = b'\x00\x00'
    raw.sendto(bytes(pkt), (socket.inet_ntoa(ip[16:20]), 0))
    print('copied from', socket.inet_ntoa(ip[12:16]), flush=True)
    sys.exit(0)
sys.exit(3)
PY
}

# The copy comes from the client's own address: the gateway challenges
# the client (the copy's answer reaches it) and refuses the genuine
# request REPLAYED_NONCE, with a nonce floor the client has not passed.
# That reject must not consume the request: the challenge's ACK is taken,
# one switch, no second attempt. The old client took the reject as the
# request's answer and refused the ACK of the switch made for it.
test_daemon_request_copy_same_source() {
	local dir cap=/tmp/copy-same-$$
	dir=$(mktemp -d)
	POLICY_EXTRA='degraded-after-switches = 10' daemon_up "$dir"
	delay_into_gateway gb 200
	copy_same_source gb >"$cap" 2>&1 &
	wait_until 5 grep -q '^listening' "$cap"
	jc ip link set ua down
	wait_until 20 grep -q '^copied from 10.2.0.2' "$cap"
	wait_until 20 client_bound_to 10.2.0.2
	sleep 1.5
	cat "$cap" "$dir/gw.events" "$dir/cl.events"
	grep -q '"type":"REATTACH_REJECT".*"reason":"replayed_nonce"' "$dir/gw.events"
	expect_fail grep -q '"type":"SECURITY_EVENT".*REATTACH_ACK' "$dir/cl.events"
	expect_fail grep -q '"type":"REATTACH_REJECT"' "$dir/cl.events"
	expect_eq "$(grep -c '"type":"TRANSPORT_SWITCH"' "$dir/gw.events")" 1 "gateway switches"
	grep -q '"type":"SECURITY_EVENT".*"reason":"replayed_nonce".*REATTACH_REJECT of a request the gateway saw before' "$dir/cl.events"
	expect_eq "$(grep -c '"type":"REATTACH_SUCCESS"' "$dir/cl.events")" 1 "client reattaches"
	expect_eq "$(sfield jc version)" "$(sfield jg version)" "state_version (client, gateway)"
	jc ping -c 2 -i 0.2 -W 2 172.16.0.1
}

# The gateway's version moved without the client's knowing (a NAT in
# front of uplink A remapped it, and the switch notices were lost), so
# the failover's first request is refused STALE_VERSION. That is a
# resync, not a failed attempt: with max-reattach-attempts = 1 the
# client asks again at once, current, and reattaches. The old client
# counted the reject as its one attempt and ended the session.
test_daemon_stale_version_resync() {
	local dir before
	require_cmd nft conntrack
	dir=$(mktemp -d)
	POLICY_EXTRA=$'max-reattach-attempts = 1\ndegraded-after-switches = 10' \
		daemon_up "$dir"
	jc nft -f - <<NFT
table inet nonotice {
	chain in {
		type filter hook input priority 0;
		udp sport $GW_PORT @th,64,8 7 drop
	}
}
NFT
	before=$(sfield jg remote)
	nat_masquerade jc ua
	jc ping -c 10 -i 0.1 -W 1 172.16.0.1 >/dev/null || true
	wait_until 10 sh -c "[ \"\$(ip netns exec jg $JVPNK dump jvpn0 --field remote)\" != '$before' ]"
	sleep 0.5
	echo "versions: client $(sfield jc version), gateway $(sfield jg version)"
	expect_ge "$(sfield jg version)" "$(($(sfield jc version) + 1))" "the gateway's version ahead"
	jc nft delete table inet nonotice
	jc ip link set ua down
	wait_until 10 client_bound_to 10.2.0.2 || { cat "$dir/gw.events" "$dir/cl.events"; return 1; }
	sleep 0.5
	cat "$dir/gw.events" "$dir/cl.events"
	grep -q '"type":"REATTACH_REJECT".*"reason":"stale_version"' "$dir/cl.events"
	expect_fail grep -q '"type":"SESSION_TERMINATED"' "$dir/cl.events"
	expect_eq "$(sfield jc version)" "$(sfield jg version)" "state_version (client, gateway)"
	jc ping -c 2 -i 0.2 -W 2 172.16.0.1
}
