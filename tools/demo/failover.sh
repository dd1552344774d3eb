#!/usr/bin/env bash
# make demo, run INSIDE the test VM (tools/vm/run.sh tools/demo/failover.sh).
#
# A client with two uplinks keeps one session to a gateway while uplink A
# dies. Until jvpnd exists, this script plays the daemon's part with
# jvpnk: it watches the kernel's last-rx time, declares the transport dead,
# and switches both ends to uplink B with compare-and-swap on
# state_version. The session id, keys and inner addresses never change.
set -uo pipefail

JVPN_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
KTAP_LOG=
. "$JVPN_ROOT/selftests/lib.sh"
. "$JVPN_ROOT/selftests/net/topology.sh"

# health threshold: no authenticated rx for this long means the path died
DEAD_AFTER_MS=300
PING_INTERVAL=0.02

say() { printf '\n== %s\n' "$*"; }

# Renders kernel events as one readable line each.
render_events() {
	local who=$1
	while read -r line; do
		[[ $line == "# listening" ]] && continue
		printf '   [%s] %s\n' "$who" "$(sed -E \
			-e 's/^seq=([0-9]+) event=([a-z]+)/#\1 \2:/' \
			-e 's/ (ifindex|time_ns)=[0-9]+//g' <<<"$line")"
	done
}

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# Blocks until the client's session has had no authenticated rx for
# DEAD_AFTER_MS, as a daemon's health check would see it.
wait_for_transport_death() {
	local boot_ms last_rx_ms
	while :; do
		last_rx_ms=$(($(field jc last_rx_ns) / 1000000))
		boot_ms=$(awk '{ printf "%d", $1 * 1000 }' /proc/uptime)
		((boot_ms - last_rx_ms > DEAD_AFTER_MS)) && return 0
		sleep 0.02
	done
}

# Longest gap between consecutive echo replies in a `ping -D` log, in ms.
longest_gap_ms() {
	awk -F'[][]' '/bytes from/ { t = $2 * 1000;
		if (prev && t - prev > gap) gap = t - prev; prev = t }
		END { printf "%d", gap }' "$1"
}

main() {
	local pinglog=/tmp/demo-ping t_down t_switched sent recv ping_pid
	load_module "$JVPN_ROOT/jvpn.ko" >/dev/null
	say "Two namespaces: client (uplinks A 10.1.0.2, B 10.2.0.2) and gateway"
	topo_up v4
	kc get jvpn0 --id "$SID" | tr '\t' '\n' | grep -E '^(id|state|version|local|remote)=' | sed 's/^/   client /'

	say "Events from both kernels, live"
	monitor_start jg /tmp/demo-ev-gw
	monitor_start jc /tmp/demo-ev-cl
	tail -n +1 -f /tmp/demo-ev-gw | render_events gateway &
	tail -n +1 -f /tmp/demo-ev-cl | render_events client &

	say "Traffic: ping every ${PING_INTERVAL}s through the tunnel (172.16.0.2 -> 172.16.0.1)"
	jc ping -D -i "$PING_INTERVAL" -W 1 172.16.0.1 >"$pinglog" 2>&1 &
	ping_pid=$!
	sleep 2
	echo "   $(grep -c 'bytes from' "$pinglog") replies so far over uplink A"

	say "Uplink A goes down"
	t_down=$(now_ms)
	jc ip link set ua down
	jg ip link set ga down
	wait_for_transport_death
	echo "   no authenticated rx for ${DEAD_AFTER_MS} ms: transport dead, session VOLATILE"
	kc set jvpn0 --id "$SID" --expect 1 --version 2 --state volatile

	say "Reattach over uplink B: same session $SID, state_version 2 -> 3"
	kc switch jvpn0 --id "$SID" --bind "10.2.0.2:$CL_PORT" \
		--peer "10.2.0.1:$GW_PORT" --expect 2 --version 3
	kg switch jvpn0 --id "$SID" --bind "10.2.0.1:$GW_PORT" \
		--peer "10.2.0.2:$CL_PORT" --expect 1 --version 3
	kc set jvpn0 --id "$SID" --expect 3 --version 4 --state active
	t_switched=$(now_ms)
	sleep 2

	say "A stale switch (expecting version 1) is refused, nothing changes"
	kc switch jvpn0 --id "$SID" --bind "10.1.0.2:$CL_PORT" \
		--peer "10.1.0.1:$GW_PORT" --expect 1 --version 5 2>&1 | sed 's/^/   /'

	# SIGINT: ping prints its totals
	pkill -INT -f "ping -D -i $PING_INTERVAL" 2>/dev/null
	wait "$ping_pid" 2>/dev/null
	sent=$(sed -n 's/^\([0-9]*\) packets transmitted.*/\1/p' "$pinglog")
	recv=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' "$pinglog")
	say "What happened"
	kc get jvpn0 --id "$SID" | tr '\t' '\n' | grep -E '^(id|state|version|local|remote|switches)=' | sed 's/^/   client /'
	echo "   ping: $sent sent, $recv received through the tunnel"
	echo "   outage (longest gap between replies): $(longest_gap_ms "$pinglog") ms"
	echo "   from link down to both ends switched: $((t_switched - t_down)) ms"
	echo "   (detection threshold ${DEAD_AFTER_MS} ms; the rest is this script"
	echo "    starting jvpnk four times under an emulated CPU)"
	echo "   session id unchanged: $(field jc id) (keys and inner addresses untouched)"
	kill $(jobs -p) 2>/dev/null
}

main
