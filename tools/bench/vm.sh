#!/usr/bin/env bash
# The in-VM half of make bench (tools/bench/bench.sh runs it with
# tools/vm/run.sh --out DIR tools/bench/vm.sh SCENARIOS). Runs as root
# inside the test VM, in network namespaces over veth pairs that it makes
# and deletes, and writes one JSON file per scenario to $JVPN_OUT:
#
#   throughput  iperf3, 1 and 4 TCP flows, plain veth / WireGuard / jvpn
#   latency     ping RTT p50/p99, the same three paths
#   failover    the bound uplink taken down under traffic: time to the
#               first echo reply over the other uplink (jvpnd, mobile
#               profile), and WireGuard roaming to the client's new address
#   nat         the NAT router's conntrack flushed: time to the first reply
#   scale       10k then 100k sessions over netlink: rate, memory, and one
#               session's throughput with the table full
#
# SCENARIOS is a comma-separated list of these (the host runs "control").
# A progress line per step goes to the console ("bench: [i/n] ...").
# shellcheck disable=SC2317  # functions run through run_test (lib.sh)
set -euo pipefail

JVPN_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
KTAP_LOG=
# shellcheck source=selftests/lib.sh
. "$JVPN_ROOT/selftests/lib.sh"
# shellcheck source=selftests/net/topology.sh
. "$JVPN_ROOT/selftests/net/topology.sh"
# shellcheck source=selftests/net/daemon.sh
. "$JVPN_ROOT/selftests/net/daemon.sh"

# Settings come as arguments after SCENARIOS (the VM gets no environment):
# BENCH_IPERF_SECS=10 BENCH_FAILOVER_TRIALS=50 BENCH_NAT_TRIALS=10
# BENCH_SCALE_COUNTS=10000,100000 BENCH_PING_COUNT=500 BENCH_NSTEPS
for kv in "${@:2}"; do
	case $kv in
	BENCH_[A-Z_]*=*) export "${kv?}" ;;
	*) echo "bench: bad setting $kv" >&2; exit 2 ;;
	esac
done

SESSBENCH=$JVPN_ROOT/build/bench/sessbench
OUT=${JVPN_OUT:-/tmp/bench-out}
IPERF_SECS=${BENCH_IPERF_SECS:-10}
FAILOVER_TRIALS=${BENCH_FAILOVER_TRIALS:-50}
NAT_TRIALS=${BENCH_NAT_TRIALS:-10}
SCALE_COUNTS=${BENCH_SCALE_COUNTS:-10000,100000}
PING_COUNT=${BENCH_PING_COUNT:-500}
WG_PORT=51830
STEP=0
NSTEPS=0
mkdir -p "$OUT"

# The console, for progress: run_test turns a test's own output into "# "
# diagnostics, so progress lines take fd 3, which it leaves alone.
exec 3>&1
progress() { printf 'bench: [%d/%d] %s\n' "$STEP" "$NSTEPS" "$*" >&3; }

# ---- helpers -------------------------------------------------------------

# stats FILE: JSON summary of the numbers in FILE, one per line
# (nearest-rank percentiles).
stats() {
	sort -g "$1" | awk '
		{ v[NR] = $1; s += $1 }
		function rank(q,  r) { r = int(q * NR); if (r < q * NR) r++;
			if (r < 1) r = 1; return v[r] }
		END { if (NR == 0) { print "{\"n\": 0}"; exit }
			printf "{\"n\": %d, \"min\": %.3f, \"p50\": %.3f, \"p90\": %.3f, " \
			"\"p99\": %.3f, \"max\": %.3f, \"mean\": %.3f}\n", NR, v[1],
			rank(0.5), rank(0.9), rank(0.99), v[NR], s / NR }'
}

# wg_pair NS_C NS_G ENDPOINT DIR: wg0 172.17.0.2 in NS_C, 172.17.0.1 in
# NS_G listening on $WG_PORT; the client sends to ENDPOINT.
wg_pair() {
	local c=$1 g=$2 ep=$3 dir=$4
	(umask 077 && wg genkey >"$dir/wgc.key" && wg genkey >"$dir/wgg.key")
	ip -n "$c" link add wg0 type wireguard
	ip -n "$g" link add wg0 type wireguard
	ip netns exec "$g" wg set wg0 listen-port "$WG_PORT" \
		private-key "$dir/wgg.key" \
		peer "$(wg pubkey <"$dir/wgc.key")" allowed-ips 172.17.0.2/32
	ip netns exec "$c" wg set wg0 listen-port $((WG_PORT + 1)) \
		private-key "$dir/wgc.key" \
		peer "$(wg pubkey <"$dir/wgg.key")" allowed-ips 172.17.0.0/24 \
		endpoint "$ep"
	ip -n "$c" addr add 172.17.0.2/24 dev wg0
	ip -n "$g" addr add 172.17.0.1/24 dev wg0
	ip -n "$c" link set wg0 up
	ip -n "$g" link set wg0 up
}

# iperf_bps FROM ADDR FLOWS: receiver's bits/s of one iperf3 run
iperf_bps() {
	local json
	json=$(ip netns exec "$1" iperf3 -c "$2" -t "$IPERF_SECS" -P "$3" -J) ||
		{ echo 0; return 0; }
	jq -r '.end.sum_received.bits_per_second // 0' <<<"$json"
}

iperf_server() {
	ip netns exec "$1" iperf3 -s -D -I "/tmp/iperf-$1.pid"
	wait_until 5 tcp_listening "$1" 5201
}

# ping_rtts NS ADDR COUNT FILE: one RTT (ms) per line into FILE
ping_rtts() {
	ip netns exec "$1" ping -c 3 -i 0.2 -W 2 "$2" >/dev/null
	ip netns exec "$1" ping -c "$3" -i 0.01 -W 2 "$2" |
		sed -n 's/.* time=\([0-9.]*\) ms.*/\1/p' >"$4"
}

# Kernel memory snapshot in kB: used (MemTotal - MemFree - Buffers -
# Cached), Slab, Percpu; caches dropped and jvpn's slabs shrunk first.
mem_snapshot() {
	local c
	sync
	echo 3 >/proc/sys/vm/drop_caches
	for c in /sys/kernel/slab/jvpn*/shrink; do
		[[ -e $c ]] && echo 1 >"$c" 2>/dev/null
	done
	awk '/^MemTotal:/ { t = $2 } /^MemFree:/ { f = $2 } /^Buffers:/ { b = $2 }
		/^Cached:/ { c = $2 } /^Slab:/ { s = $2 } /^Percpu:/ { p = $2 }
		END { printf "{\"used_kb\": %d, \"slab_kb\": %d, \"percpu_kb\": %d}\n",
			t - f - b - c, s, p }' /proc/meminfo
}

# jvpn_slabs: objects and object size of jvpn's own slab caches (JSON)
jvpn_slabs() {
	awk 'BEGIN { printf "{"; n = 0 }
		$1 ~ /^jvpn/ { printf "%s\"%s\": {\"objects\": %d, \"objsize\": %d}",
			n++ ? ", " : "", $1, $2, $4 }
		END { print "}" }' /proc/slabinfo
}

# ---- throughput and latency -----------------------------------------------

# Session $SID over uplink A (topology.sh) and WireGuard over the same
# veth: three paths between the same two namespaces.
three_paths_up() {
	local dir=$1
	topo_up v4
	wg_pair jc jg "10.1.0.1:$WG_PORT" "$dir"
	wait_until 10 jc ping -c 1 -W 1 172.17.0.1 >/dev/null
	wait_until 10 jc ping -c 1 -W 1 172.16.0.1 >/dev/null
	iperf_server jg
}

scn_throughput() {
	local dir flows path addr bps res='{}'
	dir=$(mktemp -d)
	three_paths_up "$dir"
	for flows in 1 4; do
		for path in plain wireguard jvpn; do
			case $path in
			plain) addr=10.1.0.1 ;;
			wireguard) addr=172.17.0.1 ;;
			jvpn) addr=172.16.0.1 ;;
			esac
			progress "throughput: $path, $flows flow(s), ${IPERF_SECS}s"
			bps=$(iperf_bps jc "$addr" "$flows")
			progress "throughput: $path, $flows flow(s): $(awk -v b="$bps" 'BEGIN { printf "%.0f", b / 1e6 }') Mbit/s"
			res=$(jq --arg p "$path" --arg f "$flows" --argjson b "$bps" \
				'.[$p][$f + "_flow"] = $b' <<<"$res")
		done
	done
	jq --argjson secs "$IPERF_SECS" \
		--argjson mtu_jvpn "$(jc cat /sys/class/net/jvpn0/mtu)" \
		--argjson mtu_wg "$(jc cat /sys/class/net/wg0/mtu)" \
		'{bits_per_second: ., seconds: $secs, mtu: {jvpn: $mtu_jvpn,
		  wireguard: $mtu_wg, plain: 1500},
		  jvpn_session: "jvpnk session-new, static keys (no daemon)"}' \
		<<<"$res" >"$OUT/throughput.json"
}

scn_latency() {
	local dir path addr res='{}'
	dir=$(mktemp -d)
	three_paths_up "$dir"
	for path in plain wireguard jvpn; do
		case $path in
		plain) addr=10.1.0.1 ;;
		wireguard) addr=172.17.0.1 ;;
		jvpn) addr=172.16.0.1 ;;
		esac
		progress "latency: $path, $PING_COUNT pings every 10 ms"
		ping_rtts jc "$addr" "$PING_COUNT" "$dir/rtt-$path"
		res=$(jq --arg p "$path" --argjson s "$(stats "$dir/rtt-$path")" \
			'.[$p] = $s' <<<"$res")
	done
	jq '{rtt_ms: .}' <<<"$res" >"$OUT/latency.json"
}

# ---- failover and NAT: traffic, a fault, the first reply after it ---------

PING_PID=

# pinger_start NS ADDR LOG: ping every 10 ms, with receive timestamps
pinger_start() {
	: >"$3"
	ip netns exec "$1" stdbuf -oL ping -D -i 0.01 "$2" >"$3" 2>&1 &
	PING_PID=$!
	wait_until 5 sh -c "[ \$(grep -c 'bytes from' '$3') -ge 5 ]"
}

pinger_stop() {
	[[ -n $PING_PID ]] || return 0
	kill -INT "$PING_PID" 2>/dev/null || true
	wait "$PING_PID" 2>/dev/null || true
	PING_PID=
}

# outage_ms LOG T0: ms from T0 to the first echo reply that follows a
# lost one (the first packet over the new path); if none was lost, to the
# first reply after T0. Empty while neither is known.
outage_ms() {
	awk -F'[][]' -v t0="$2" '
		/bytes from/ {
			ts = $2; seq = $3; sub(/.*icmp_seq=/, "", seq); sub(/ .*/, "", seq)
			seq += 0
			if (ts > t0) {
				if (first == "") first = ts
				if (prev != "" && seq != prev + 1) { gap = ts; exit }
				last = ts
			}
			prev = seq
		}
		END {
			if (gap != "") printf "%.1f\n", (gap - t0) * 1000
			else if (first != "" && last - t0 > 1.5) printf "%.1f\n", (first - t0) * 1000
		}' "$1"
}

outage_known() { [[ -n $(outage_ms "$1" "$2") ]]; }

# measure_fault NS ADDR LOG CMD...: traffic from NS to ADDR, then CMD at
# T0; prints the outage in ms (or "timeout").
measure_fault() {
	local ns=$1 addr=$2 log=$3 t0 ms
	shift 3
	# run in $(...): run_test's ERR trap would print into the result
	trap - ERR
	if ! pinger_start "$ns" "$addr" "$log" >/dev/null; then
		pinger_stop
		echo noflow
		return 0
	fi
	t0=$(date +%s.%N)
	"$@" >/dev/null 2>&1 || true
	if wait_until 20 outage_known "$log" "$t0" >/dev/null; then
		ms=$(outage_ms "$log" "$t0")
	else
		ms=timeout
	fi
	pinger_stop
	echo "$ms"
}

GW_PID='' CL_PID=''

# The mobile profile unchanged: the "default policy" of these numbers.
daemons_start() {
	local dir=$1
	# `ip netns exec` execs: $! is jvpnd itself, which kill and wait reach
	# (a shell function in the background would be a subshell around it)
	ip netns exec jg "$JVPND" --config "$dir/gw.conf" >>"$dir/gw.log" 2>&1 &
	GW_PID=$!
	wait_until 10 udp_listening jg "$GW_PORT"
	ip netns exec jc "$JVPND" --config "$dir/cl.conf" >>"$dir/cl.log" 2>&1 &
	CL_PID=$!
	wait_until 20 session_count_is jg 1 || { tail "$dir"/*.log; return 1; }
	wait_until 10 session_count_is jc 1
	# the handshake is confirmed by the client's first probe
	wait_until 10 sh -c "[ \"\$(ip netns exec jg $JVPNK dump jvpn0 --field state)\" = ACTIVE ]"
}

# A fresh session: both daemons stopped (they leave their sessions in
# the kernel, which are deleted), state forgotten, both started again.
daemons_restart() {
	local dir=$1 ns id
	kill -TERM "$GW_PID" "$CL_PID" 2>/dev/null
	wait "$GW_PID" "$CL_PID" 2>/dev/null || true
	for ns in jc jg; do
		for id in $(ip netns exec "$ns" "$JVPNK" dump jvpn0 --field id); do
			# a session may go by itself meanwhile (replaced, ended)
			ip netns exec "$ns" "$JVPNK" del jvpn0 --id "$id" 2>/dev/null || true
		done
	done
	rm -f "$dir/gw.state" "$dir/cl.state"
	daemons_start "$dir"
}

daemons_stop() {
	kill -TERM "$GW_PID" "$CL_PID" 2>/dev/null
	wait "$GW_PID" "$CL_PID" 2>/dev/null || true
	GW_PID='' CL_PID=''
}

daemon_configs() {
	local dir=$1
	(umask 077 && "$JVPNCTL" genkey >"$dir/gw.key" && "$JVPNCTL" genkey >"$dir/cl.key")
	daemon_conf_gateway "$dir" "$("$JVPNCTL" pubkey <"$dir/cl.key")"
	daemon_conf_client "$dir" "$("$JVPNCTL" pubkey <"$dir/gw.key")"
	"$JVPND" --check-config "$dir/gw.conf" >/dev/null
	"$JVPND" --check-config "$dir/cl.conf" >/dev/null
}

# uplink_up DEV: back up, with its route to the gateway address
uplink_up() {
	jc ip link set "$1" up
	if [[ $1 == ua ]]; then
		jc ip route replace "$GW_ADDR/32" via 10.1.0.1 dev ua metric 10
	else
		jc ip route replace "$GW_ADDR/32" via 10.2.0.1 dev ub metric 20
	fi
}

# The network of daemon.sh: gateway address 10.0.0.1 reachable over both
# client uplinks (A preferred by metric).
failover_net() {
	topo_links
	jg ip addr add "$GW_ADDR/32" dev lo
	jc ip route add "$GW_ADDR/32" via 10.1.0.1 dev ua metric 10
	jc ip route add "$GW_ADDR/32" via 10.2.0.1 dev ub metric 20
}

scn_failover() {
	local dir i ms dev addr per_session=2
	dir=$(mktemp -d)
	failover_net
	daemon_configs "$dir"
	daemons_start "$dir"
	: >"$dir/jvpn.ms"
	for ((i = 1; i <= FAILOVER_TRIALS; i++)); do
		# a session may switch 12 times a minute and is DEGRADED after 3
		# (mobile profile): each session serves two trials, then a fresh one
		if ((i > 1 && (i - 1) % per_session == 0)); then
			daemons_restart "$dir" || daemons_restart "$dir"
		fi
		if sfield jc local | grep -q 10.1.0.2; then
			dev=ua addr=10.2.0.2
		else
			dev=ub addr=10.1.0.2
		fi
		ms=$(measure_fault jc 172.16.0.1 "$dir/ping" jc ip link set "$dev" down)
		progress "failover trial $i/$FAILOVER_TRIALS (jvpn, $dev down): $ms ms"
		! [[ $ms =~ ^[0-9.]+$ ]] || echo "$ms" >>"$dir/jvpn.ms"
		wait_until 20 client_bound_to "$addr" || true
		uplink_up "$dev"
		sleep 0.3
	done
	daemons_stop
	# WireGuard: the client's route moves to uplink B, its packets come
	# from the new address, and the gateway roams its endpoint to it.
	wg_pair jc jg "$GW_ADDR:$WG_PORT" "$dir"
	wait_until 10 jc ping -c 1 -W 1 172.17.0.1 >/dev/null
	: >"$dir/wg.ms"
	for ((i = 1; i <= FAILOVER_TRIALS; i++)); do
		ms=$(measure_fault jc 172.17.0.1 "$dir/ping" jc ip link set ua down)
		progress "failover trial $i/$FAILOVER_TRIALS (WireGuard, ua down): $ms ms"
		! [[ $ms =~ ^[0-9.]+$ ]] || echo "$ms" >>"$dir/wg.ms"
		uplink_up ua
		sleep 0.3
	done
	jq -n --argjson j "$(stats "$dir/jvpn.ms")" --argjson w "$(stats "$dir/wg.ms")" \
		--argjson trials "$FAILOVER_TRIALS" \
		--rawfile jr "$dir/jvpn.ms" --rawfile wr "$dir/wg.ms" \
		'{trials: $trials, profile: "mobile (built-in, unchanged)",
		  trials_per_session: 2,
		  jvpn_ms: $j, wireguard_ms: $w,
		  jvpn_samples: ($jr | split("\n") | map(select(. != "") | tonumber)),
		  wireguard_samples: ($wr | split("\n") | map(select(. != "") | tonumber))}' \
		>"$OUT/failover.json"
}

# client jc -- router jr (masquerade random) -- gateway jg, as daemon.sh
nat_net() {
	ns_create jc jr jg
	ip link add ua netns jc type veth peer name ra netns jr
	ip link add rg netns jr type veth peer name gr netns jg
	jc ip addr add 10.1.0.2/24 dev ua
	jr ip addr add 10.1.0.1/24 dev ra
	jr ip addr add 10.3.0.1/24 dev rg
	jg ip addr add 10.3.0.2/24 dev gr
	ip -n jc link set ua up
	ip -n jr link set ra up
	ip -n jr link set rg up
	ip -n jg link set gr up
	jc ip route add default via 10.1.0.1
	nat_masquerade jr rg
	jvpn_dev jc 2
	jvpn_dev jg 1
}

scn_nat() {
	local dir i ms per_session=2
	dir=$(mktemp -d)
	GW_ADDR=10.3.0.2
	nat_net
	daemon_configs "$dir"
	sed -i '/^uplink = ub/d; s/^uplink = ua.*/uplink = ua/' "$dir/cl.conf"
	daemons_start "$dir"
	: >"$dir/jvpn.ms"
	for ((i = 1; i <= NAT_TRIALS; i++)); do
		if ((i > 1 && (i - 1) % per_session == 0)); then
			daemons_restart "$dir" || daemons_restart "$dir"
		fi
		ms=$(measure_fault jc 172.16.0.1 "$dir/ping" jr conntrack -F)
		progress "nat trial $i/$NAT_TRIALS (jvpn): $ms ms"
		! [[ $ms =~ ^[0-9.]+$ ]] || echo "$ms" >>"$dir/jvpn.ms"
		sleep 0.3
	done
	daemons_stop
	wg_pair jc jg "10.3.0.2:$WG_PORT" "$dir"
	wait_until 10 jc ping -c 1 -W 1 172.17.0.1 >/dev/null
	: >"$dir/wg.ms"
	for ((i = 1; i <= NAT_TRIALS; i++)); do
		ms=$(measure_fault jc 172.17.0.1 "$dir/ping" jr conntrack -F)
		progress "nat trial $i/$NAT_TRIALS (WireGuard): $ms ms"
		! [[ $ms =~ ^[0-9.]+$ ]] || echo "$ms" >>"$dir/wg.ms"
		sleep 0.3
	done
	jq -n --argjson j "$(stats "$dir/jvpn.ms")" --argjson w "$(stats "$dir/wg.ms")" \
		--argjson trials "$NAT_TRIALS" \
		'{trials: $trials, fault: "conntrack -F on the masquerading router",
		  jvpn_ms: $j, wireguard_ms: $w}' >"$OUT/nat.json"
}

# ---- scale ------------------------------------------------------------------

scn_scale() {
	local base_bps bps total=0 target add first=1000 created res='[]' \
		mem0 mem1 create aip port=51900
	topo_up v4
	iperf_server jg
	progress "scale: one session's throughput, table empty, ${IPERF_SECS}s"
	base_bps=$(iperf_bps jc 172.16.0.1 1)
	mem0=$(mem_snapshot)
	for target in ${SCALE_COUNTS//,/ }; do
		add=$((target - total))
		((add > 0)) || continue
		# allowed IPs 10.128.0.0 + n, one /32 per session
		aip=$(awk -v n="$total" 'BEGIN { a = 10 * 16777216 + 128 * 65536 + n;
			printf "%d.%d.%d.%d", int(a / 16777216), int(a / 65536) % 256,
			int(a / 256) % 256, a % 256 }')
		progress "scale: creating sessions $total -> $target over netlink"
		create=$(jg "$SESSBENCH" jvpn0 "$add" $((first + total)) \
			"10.1.0.1:$port" "$aip") || {
			echo "sessbench failed: $create"
			res=$(jq --argjson t "$target" --argjson c "${create:-null}" \
				'. + [{target: $t, error: true, create: $c}]' <<<"$res")
			break
		}
		port=$((port + 1))
		created=$(jq -r .created <<<"$create")
		total=$((total + created))
		progress "scale: $total sessions ($(jq -r '.per_sec | floor' <<<"$create")/s); memory"
		mem1=$(mem_snapshot)
		progress "scale: one session's throughput with $total sessions, ${IPERF_SECS}s"
		bps=$(iperf_bps jc 172.16.0.1 1)
		res=$(jq --argjson t "$total" --argjson c "$create" \
			--argjson m0 "$mem0" --argjson m1 "$mem1" --argjson b "$bps" \
			--argjson s "$(jvpn_slabs)" \
			'. + [{sessions: $t, create: $c, mem_before: $m0, mem_after: $m1,
			  bytes_per_session: {
			    used: (($m1.used_kb - $m0.used_kb) * 1024 / $t),
			    slab: (($m1.slab_kb - $m0.slab_kb) * 1024 / $t),
			    percpu: (($m1.percpu_kb - $m0.percpu_kb) * 1024 / $t)},
			  jvpn_slabs: $s, bits_per_second: $b}]' <<<"$res")
	done
	progress "scale: $(jg "$JVPNK" dump jvpn0 --field id | wc -l) sessions in the table at the end"
	jq --argjson b "$base_bps" \
		'{empty_table_bits_per_second: $b, steps: .,
		  filler_sessions: "one /32 allowed IP each, one shared UDP socket, no traffic"}' \
		<<<"$res" >"$OUT/scale.json"
}

# ---- main --------------------------------------------------------------------

main() {
	local list=${1:-throughput,latency,failover,nat,scale} s
	local -a todo=()
	for s in ${list//,/ }; do
		case $s in
		throughput | latency | failover | nat | scale) todo+=("$s") ;;
		control) ;;	# runs on the host
		*) echo "bench: unknown scenario $s" >&2; exit 2 ;;
		esac
	done
	load_module "$JVPN_ROOT/jvpn.ko" >/dev/null || exit 1
	modprobe wireguard || exit 1
	{
		echo "kernel=$(uname -r)"
		echo "vcpus=$(nproc)"
		echo "mem_kb=$(awk '/^MemTotal:/ { print $2 }' /proc/meminfo)"
		echo "cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
	} >"$OUT/guest.env"
	ktap_plan ${#todo[@]}
	# the host may add steps of its own (control) after these
	NSTEPS=${BENCH_NSTEPS:-${#todo[@]}}
	for s in "${todo[@]}"; do
		STEP=$((STEP + 1))
		progress "$s"
		SECONDS_START=$SECONDS
		run_test "$s" "scn_$s" 1500
		echo "$s $((SECONDS - SECONDS_START))" >>"$OUT/durations"
	done
	ktap_finish
}

main "${1:-}"
