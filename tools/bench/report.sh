#!/usr/bin/env bash
# tools/bench/report.sh RESULTS.json OUTDIR: writes OUTDIR/benchmarks.md
# and the plots (OUTDIR/throughput.png, OUTDIR/failover.png) from the JSON
# that tools/bench/bench.sh assembled. Scenarios missing from the JSON are
# left out of the report. Plots need gnuplot (gnuplot-nox).
# shellcheck disable=SC2016  # $names in single quotes are jq's
set -euo pipefail

RES=$1
OUTDIR=$2
MD=$OUTDIR/benchmarks.md

has() { jq -e --arg k "$1" 'has($k)' "$RES" >/dev/null; }
q() { jq -r "$@" "$RES"; }

plot_throughput() {
	local data=$OUTDIR/throughput.dat
	q '.throughput.bits_per_second as $b |
	   ["plain", "wireguard", "jvpn"][] as $p |
	   "\($p) \($b[$p]["1_flow"] / 1e6) \($b[$p]["4_flow"] / 1e6)"' >"$data"
	gnuplot <<GP
set terminal pngcairo size 800,500 font "sans,11"
set output "$OUTDIR/throughput.png"
set title "iperf3 TCP throughput in the TCG VM (same run; compare ratios)"
set ylabel "Mbit/s (log scale)"
set logscale y
set style data histogram
set style histogram cluster gap 1
set style fill solid 0.8 border -1
set boxwidth 0.9
set key top right
set grid ytics
set yrange [10:*]
plot "$data" using 2:xtic(1) title "1 flow", "" using 3 title "4 flows"
GP
	rm -f "$data"
}

plot_failover() {
	local j=$OUTDIR/fo-jvpn.dat w=$OUTDIR/fo-wg.dat
	# empirical CDF: sorted samples against their rank
	q '.failover.jvpn_samples | sort | . as $s | to_entries[] |
	   "\(.value) \((.key + 1) / ($s | length))"' >"$j"
	q '.failover.wireguard_samples | sort | . as $s | to_entries[] |
	   "\(.value) \((.key + 1) / ($s | length))"' >"$w"
	gnuplot <<GP
set terminal pngcairo size 800,500 font "sans,11"
set output "$OUTDIR/failover.png"
set title "Uplink failover: time to the first reply over the new path ($(q .failover.trials) trials each)"
set xlabel "ms after the bound uplink went down (log scale)"
set ylabel "fraction of trials"
set logscale x
set yrange [0:1.02]
set grid
set key bottom right
plot "$j" using 1:2 with steps lw 2 title "jvpn (jvpnd, mobile profile)", \
     "$w" using 1:2 with steps lw 2 title "WireGuard (endpoint roaming)"
GP
	rm -f "$j" "$w"
}

mbit() { awk -v b="$1" 'BEGIN { printf "%.0f", b / 1e6 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }

section_throughput() {
	local f p j w l
	echo "## Throughput (iperf3, TCP, $(q .throughput.seconds) s each)"
	echo
	echo "| flows | plain veth | WireGuard | jvpn | jvpn / WireGuard | jvpn / plain |"
	echo "|---|---|---|---|---|---|"
	for f in 1 4; do
		p=$(q ".throughput.bits_per_second.plain[\"${f}_flow\"]")
		w=$(q ".throughput.bits_per_second.wireguard[\"${f}_flow\"]")
		j=$(q ".throughput.bits_per_second.jvpn[\"${f}_flow\"]")
		echo "| $f | $(mbit "$p") Mbit/s | $(mbit "$w") Mbit/s | $(mbit "$j") Mbit/s | **$(ratio "$j" "$w")** | $(ratio "$j" "$p") |"
	done
	echo
	l=$(q '.throughput.mtu | "jvpn \(.jvpn), WireGuard \(.wireguard), veth \(.plain)"')
	echo "Client namespace to gateway namespace over one veth pair; each tunnel"
	echo "with its default MTU ($l). The jvpn session is made with"
	echo "\`jvpnk session-new\` (static keys, no daemon): the data path only."
	echo
	echo "![throughput](throughput.png)"
	echo
}

section_latency() {
	local p
	echo "## Latency (ping RTT, $(q .latency.rtt_ms.plain.n) echoes every 10 ms)"
	echo
	echo "| path | p50 | p99 | max |"
	echo "|---|---|---|---|"
	for p in plain wireguard jvpn; do
		q --arg p "$p" '.latency.rtt_ms[$p] | "| \($p) | \(.p50) ms | \(.p99) ms | \(.max) ms |"'
	done
	echo
}

section_failover() {
	echo "## Failover ($(q .failover.trials) trials each, traffic flowing)"
	echo
	echo "The client's bound uplink is taken down (\`ip link set DEV down\`) while"
	echo "it pings the gateway through the tunnel every 10 ms; the time is from"
	echo "that command to the first echo reply that came back over the other"
	echo "uplink."
	echo
	echo "| | trials | p50 | p99 | max |"
	echo "|---|---|---|---|---|"
	q '.failover | "| jvpn (jvpnd, mobile profile) | \(.jvpn_ms.n) | \(.jvpn_ms.p50) ms | \(.jvpn_ms.p99) ms | \(.jvpn_ms.max) ms |"'
	q '.failover | "| WireGuard (endpoint roaming) | \(.wireguard_ms.n) | \(.wireguard_ms.p50) ms | \(.wireguard_ms.p99) ms | \(.wireguard_ms.max) ms |"'
	echo
	cat <<'TXT'
- jvpn: both `jvpnd` run the built-in `mobile` profile unchanged
  (health-threshold 1s, probe-interval 300ms). The client's socket is bound
  to its uplink; it notices the dead path when nothing authenticated has
  arrived for the health threshold, then reattaches over the other uplink
  (REATTACH_REQUEST, challenge, response, CAS switch in both kernels). The
  mobile profile allows 12 switches a minute and marks a session DEGRADED
  after 3, so every session serves 2 trials and a fresh session (new
  handshake) is made for the next two: each trial sees an ACTIVE session.
- WireGuard: the closest comparable case. Its client socket is not bound to
  an uplink: when uplink A goes down the kernel's routing table moves the
  client's packets to uplink B at once (the route via A disappears), they
  arrive from the new address, and the gateway roams its endpoint on the
  first authenticated packet. Nothing has to *detect* the failure: the
  figure measures routing, not detection. WireGuard has no dead-path
  detector, so a silent failure behind a link whose route stays up is not
  recovered by it at all; jvpn's health threshold covers that case too, and
  its cost is what the jvpn row shows.

![failover](failover.png)

TXT
}

section_nat() {
	echo "## NAT rebinding ($(q .nat.trials) trials each)"
	echo
	echo "Client behind a masquerading router (\`masquerade random\`); the router's"
	echo "conntrack table is flushed (\`conntrack -F\`) while the client pings"
	echo "through the tunnel every 10 ms. Time from the flush to the first reply."
	echo
	echo "| | trials | p50 | p99 | max |"
	echo "|---|---|---|---|---|"
	q '.nat | "| jvpn (gateway challenges the new address, then switches) | \(.jvpn_ms.n) | \(.jvpn_ms.p50) ms | \(.jvpn_ms.p99) ms | \(.jvpn_ms.max) ms |"'
	q '.nat | "| WireGuard (roams on the first authenticated packet) | \(.wireguard_ms.n) | \(.wireguard_ms.p50) ms | \(.wireguard_ms.p99) ms | \(.wireguard_ms.max) ms |"'
	echo
	echo "A trial where no echo was lost is counted from the flush to the first"
	echo "reply after it (about one ping interval). jvpn never moves a binding on"
	echo "data alone: it answers a path challenge first (one round trip to the"
	echo "client through the new mapping), by design (docs/design.md, Reattach)."
	echo
}

section_scale() {
	echo "## Scale: sessions created over netlink"
	echo
	echo "Sessions added to the gateway's jvpn0 in batches of 128 SESSION_NEW"
	echo "requests per sendmsg (\`build/bench/sessbench\`), each with one /32"
	echo "allowed IP and its own keys, all on one shared UDP socket. Memory is the"
	echo "kernel's (MemTotal - MemFree - Buffers - Cached, after dropping caches)"
	echo "before the first session and after each step, divided by the sessions;"
	echo "Slab and Percpu are the parts of it in those meminfo lines. Throughput"
	echo "is one iperf3 TCP flow through the one session that carries traffic."
	echo
	echo "| sessions | created in | rate | kernel memory / session | of which slab | percpu | 1-flow throughput | vs empty table |"
	echo "|---|---|---|---|---|---|---|---|"
	q '.scale as $s | .scale.steps[] | select(.error | not) |
	   "| \(.sessions) | \(.create.seconds * 100 | round / 100) s | \(.create.per_sec | floor)/s | \(.bytes_per_session.used | floor) B | \(.bytes_per_session.slab | floor) B | \(.bytes_per_session.percpu | floor) B | \(.bits_per_second / 1e6 | round) Mbit/s | \(.bits_per_second / $s.empty_table_bits_per_second * 100 | round / 100) |"'
	q '.scale.steps[] | select(.error) | "| \(.target) | failed: \(.create) | | | | | | |"'
	echo
	echo "Empty-table throughput: $(mbit "$(q .scale.empty_table_bits_per_second)") Mbit/s."
	echo "Rates are per step (the 100k row adds 90k sessions to the 10k already there)."
	echo
}

section_control() {
	echo "## Control plane (host, one core)"
	echo
	echo "| | per second, one core | instructions (callgrind) |"
	echo "|---|---|---|"
	q '.control | "| handshake, gateway side (mac1, consume INIT, reply) | \(.handshake_gateway_per_sec | floor) | \(.instructions_per_handshake_gateway) |"'
	q '.control | "| handshake, both ends on one core | \(.handshake_round_trips_per_sec | floor) | |"'
	q '.control | "| reattach validation (mac, the nine checks, challenge) | \(.reattach_validations_per_sec | floor) | \(.instructions_per_reattach) |"'
	q '.control | "| spoofed INIT under load (mac1, mac2, admission, cookie reply) | \(.spoofed_inits_under_load_per_sec // 0 | floor) | |"'
	echo
	echo "\`build/bench/cpbench\` links the daemon's own \`handshake.c\`,"
	echo "\`reattach.c\`, \`limiter.c\`, \`sm.c\` and the built-in \`mobile\` policy."
	echo "Rates are medians of 5 runs of 2 s on a shared, noisy host; the"
	echo "instruction counts (callgrind, \`--toggle-collect\` on the gateway's"
	echo "function, averaged over 10000 validations / 200 handshakes) are the"
	echo "repeatable figure. Each validation is of a genuine request that passes"
	echo "all nine checks (the costliest path); the clock advances 1 s per request"
	echo "so that the mobile profile's rate limits and cooldown do not refuse it."
	echo "A spoofed INIT under load costs the gateway a cookie reply and no"
	echo "X25519 (docs/control-plane-protocol.md, \"Cookies under load\"): its"
	echo "rate, against the handshake's, is what a flood gains nothing from."
	echo
}

main() {
	local s
	mkdir -p "$OUTDIR"
	has throughput && plot_throughput
	has failover && plot_failover
	{
		echo "# Benchmarks"
		echo
		echo "Made by \`make bench\` (tools/bench/; \`make bench SCENARIOS=throughput,latency\`"
		echo "runs a subset into build/bench/ only). Raw numbers: [results.json](results.json)."
		echo
		echo "**Read ratios, not absolute numbers.** The data-path scenarios run in"
		echo "QEMU with TCG (software emulation: KVM does not work on these machines),"
		echo "so every figure is many times slower than real hardware; jvpn and"
		echo "WireGuard run on the same emulated CPU in the same VM run, one after"
		echo "the other, so their ratios are meaningful. The host is shared with other"
		echo "VMs: expect noise of several percent between runs."
		echo
		echo "## Where it ran"
		echo
		echo "| | |"
		echo "|---|---|"
		q '.meta | "| date | \(.host.date) |",
			"| commit | \(.host.commit) |",
			"| host CPU | \(.host.cpu), \(.host.cores) cores |",
			"| host kernel | \(.host.kernel) |",
			"| QEMU | \(.host.qemu), TCG |",
			"| VM | \(.guest.vcpus // "?") vCPUs (-smp 2), \((.guest.mem_kb // "0" | tonumber) / 1024 | floor) MiB, guest CPU \"\(.guest.cpu // "?")\" |",
			"| VM kernel | \(.guest.kernel // "?") (stock Debian; WireGuard is its module) |",
			"| scenarios | \(.scenarios | join(", ")) |",
			"| make bench took | \(.total_seconds / 60 | floor) min \(.total_seconds % 60) s (VM scenarios: \(.vm_scenario_seconds | to_entries | map("\(.key) \(.value) s") | join(", "))) |"'
		echo
		for s in throughput latency failover nat scale control; do
			if has "$s"; then "section_$s"; fi
		done
	} >"$MD"
}

main
