#!/usr/bin/env bash
# make demo, run INSIDE the test VM (tools/vm/run.sh tools/demo/failover.sh).
#
# A client with two uplinks keeps one session to a gateway, behind a NAT
# router, while jvpnd on both ends handles: uplink A dying (reattach over
# B, same session id), then the NAT forgetting the mapping (the gateway
# challenges the new address and moves the session). Traffic flows all
# along; the events of both daemons are printed live; outages measured.
#
#   client jc                router jr (masquerade)        gateway jg
#   ua 10.1.0.2 ---------- ra 10.1.0.1
#                                        rg 10.3.0.1 ---- gr 10.3.0.2
#   ub 10.2.0.2 ---------- rb 10.2.0.1
set -uo pipefail

JVPN_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
KTAP_LOG=
. "$JVPN_ROOT/selftests/lib.sh"
. "$JVPN_ROOT/selftests/net/topology.sh"
. "$JVPN_ROOT/selftests/net/daemon.sh"

DIR=$(mktemp -d)
PING_INTERVAL=0.01
GW_ADDR=10.3.0.2

say() { printf '\n== %s\n' "$*"; }

link() {	# link NS_A DEV_A ADDR_A NS_B DEV_B ADDR_B
	ip link add "$2" netns "$1" type veth peer name "$5" netns "$4"
	ip -n "$1" addr add "$3" dev "$2"
	ip -n "$4" addr add "$6" dev "$5"
	ip -n "$1" link set "$2" up
	ip -n "$4" link set "$5" up
}

build_network() {
	ns_create jc jr jg
	link jc ua 10.1.0.2/24 jr ra 10.1.0.1/24
	link jc ub 10.2.0.2/24 jr rb 10.2.0.1/24
	link jr rg 10.3.0.1/24 jg gr 10.3.0.2/24
	jc ip route add "$GW_ADDR/32" via 10.1.0.1 dev ua metric 10
	jc ip route add "$GW_ADDR/32" via 10.2.0.1 dev ub metric 20
	nat_masquerade jr rg
	jvpn_dev jc 2
	jvpn_dev jg 1
}

start_daemons() {
	(umask 077 && "$JVPNCTL" genkey >"$DIR/gw.key" && "$JVPNCTL" genkey >"$DIR/cl.key")
	daemon_conf_gateway "$DIR" "$("$JVPNCTL" pubkey <"$DIR/cl.key")"
	daemon_conf_client "$DIR" "$("$JVPNCTL" pubkey <"$DIR/gw.key")"
	: >"$DIR/gw.events"
	: >"$DIR/cl.events"
	tail -n +1 -f "$DIR/gw.events" | render gateway &
	tail -n +1 -f "$DIR/cl.events" | render client &
	jg "$JVPND" --config "$DIR/gw.conf" >"$DIR/gw.log" 2>&1 &
	wait_until 10 udp_listening jg "$GW_PORT"
	jc "$JVPND" --config "$DIR/cl.conf" >"$DIR/cl.log" 2>&1 &
	wait_until 20 session_count_is jg 1 || { cat "$DIR"/*.log; exit 1; }
}

# One JSON event per line -> one readable line.
render() {
	local who=$1
	sed -u -E \
		-e 's/.*"seq":([0-9]+),"type":"([A-Z_]+)".*"state_version":([0-9]+),"reason":"([a-z_]+)"(.*)/\1 \2 v\3 \4 \5/' \
		-e 's/"old_state":"([A-Z]+)",?/\1->/; s/"new_state":"([A-Z]+)",?/\1 /' \
		-e 's/"new_transport":"([^"]*)",?/via \1 /; s/"old_transport":"([^"]*)",?//' \
		-e 's/"detail":"([^"]*)",?/(\1) /; s/"latency_ms":([0-9.]+)/in \1 ms/' \
		-e 's/[{},]//g' |
		while read -r line; do printf '   [%-7s] #%s\n' "$who" "$line"; done
}

# Longest gap between consecutive echo replies of a `ping -D` log whose
# reply came between times FROM and TO (Unix seconds), in ms.
longest_gap_ms() {
	awk -F'[][]' -v from="$2" -v to="$3" '/bytes from/ { t = $2 * 1000;
		if (t >= from * 1000 && t <= to * 1000) {
			if (prev && t - prev > gap) gap = t - prev; prev = t } }
		END { printf "%d", gap }' "$1"
}

main() {
	local pinglog=$DIR/ping id t1 t2 sent recv
	load_module "$JVPN_ROOT/jvpn.ko" >/dev/null
	say "Network: client (uplinks A and B) -> NAT router -> gateway $GW_ADDR"
	build_network
	say "jvpnd on both ends: handshake, session in the kernel; events live"
	start_daemons
	id=$(sfield jc id)
	echo "   session $id bound to $(sfield jg remote) (uplink A, through the NAT)"

	say "Traffic: ping every ${PING_INTERVAL}s through the tunnel"
	jc ping -D -i "$PING_INTERVAL" -W 1 172.16.0.1 >"$pinglog" 2>&1 &
	sleep 2

	say "Uplink A goes down"
	t1=$(date +%s.%N)
	jc ip link set ua down
	wait_until 20 client_bound_to 10.2.0.2
	sleep 2
	echo "   now bound to $(sfield jg remote) (uplink B), session $(sfield jc id)"

	say "Uplink A comes back; then the NAT router forgets every mapping"
	jc ip link set ua up
	sleep 1
	t2=$(date +%s.%N)
	jr conntrack -F >/dev/null 2>&1
	wait_until 20 sh -c "[ \"\$(ip netns exec jg $JVPNK dump jvpn0 --field switches)\" -ge 2 ]"
	sleep 2
	pkill -INT -f "ping -D -i $PING_INTERVAL"
	sleep 0.5

	sent=$(ping_sent "$pinglog")
	recv=$(ping_received "$pinglog")
	say "What happened"
	echo "   session id: $id before, $(sfield jc id) after (client), $(sfield jg id) (gateway)"
	echo "   state_version now: client $(sfield jc version), gateway $(sfield jg version)"
	echo "   bound transport now: $(sfield jg remote) as the gateway sees it"
	echo "   ping: $sent sent, $recv answered through the tunnel"
	echo "   outage when uplink A died: $(longest_gap_ms "$pinglog" "$t1" "$t2") ms (longest gap between replies)"
	echo "   outage after the NAT flush: $(longest_gap_ms "$pinglog" "$t2" 9999999999) ms"
	echo "   (uplink A going down is news over rtnetlink: the reattach starts"
	echo "    in the same loop iteration; a NAT rebinding is detected by the"
	echo "    gateway on the first packet from the new address)"
	kill $(jobs -p) 2>/dev/null
	(( $(sfield jc id) == id ))
}

main
