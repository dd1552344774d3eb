# shellcheck shell=bash
# Module upgrades under live sessions (issue 15, "Upgrades without losing
# sessions"): jvpn.ko reloaded under a ping, or one end's device taken
# away. jvpnd keeps its sessions, makes the device again as it was, and
# resumes each session with its peer by a fresh handshake: the same id,
# state_version going on upwards, new keys (daemon/kernelback.c).

# outage_ms DIR SIDE: what SIDE's jvpnd measured, from the loss to the
# session's new kernel state
outage_ms() {
	grep -o 'resumed in the kernel: [^"]*' "$1/$2.events" | tail -n 1 |
		sed -n 's/.*outage \([0-9]*\) ms.*/\1/p'
}

# kernel_lost_under_ping DIR RESUMERS CMD...: CMD run while 200 echoes
# go at 20 a second; each side of RESUMERS (gw, cl) must resume the
# session in a new kernel, the other keeps its own. Prints the outage.
kernel_lost_under_ping() {
	local dir=$1 resumers=$2 id pinger sent recv side out
	local -A ns=([gw]=jg [cl]=jc) before
	shift 2
	daemon_up "$dir"
	id=$(sfield jc id)
	jc ping -c 2 -i 0.2 -W 2 172.16.0.1 >/dev/null
	for side in gw cl; do before[$side]=$(sfield "${ns[$side]}" version); done
	jc ping -i 0.05 -c 200 -W 1 172.16.0.1 >"$dir/ping" &
	pinger=$!
	sleep 1
	"$@"
	for side in $resumers; do
		wait_until 30 grep -q 'resumed in the kernel' "$dir/$side.events" || {
			cat "$dir"/*.events "$dir"/*.log
			return 1
		}
	done
	wait "$pinger" || true
	tail -n 2 "$dir/ping"
	sent=$(ping_sent "$dir/ping")
	recv=$(ping_received "$dir/ping")
	cat "$dir/gw.events" "$dir/cl.events"
	expect_eq "$(sfield jg id)" "$id" "gateway session id"
	expect_eq "$(sfield jc id)" "$id" "client session id"
	for side in gw cl; do
		expect_ge "$(sfield "${ns[$side]}" version)" "${before[$side]}" "$side state_version"
	done
	for side in $resumers; do
		# VOLATILE (kernel_lost), then ACTIVE (recovered): two versions on
		expect_ge "$(sfield "${ns[$side]}" version)" $((before[$side] + 2)) \
			"$side state_version after resuming"
		grep '"type":"STATE_CHANGE"' "$dir/$side.events" |
			grep -q '"reason":"kernel_lost","old_state":"ACTIVE","new_state":"VOLATILE"'
		grep -q 'device jvpn0 back' "$dir/$side.events"
		out=$(outage_ms "$dir" "$side")
		echo "$side: outage $out ms"
		((out <= 5000)) || test_fail "$side: outage $out ms, above 5 s"
	done
	# new keys both ways, and the devices as they were
	jc ping -c 3 -i 0.2 -W 2 172.16.0.1
	jg ping -6 -c 2 -i 0.2 -W 2 fd10::2
	jg ip addr show dev jvpn0 | grep -q 'inet 172.16.0.1/24'
	jc ip addr show dev jvpn0 | grep -q 'inet 172.16.0.2/24'
	echo "echoes: $recv of $sent (one every 50 ms)"
	expect_ge "$recv" $((sent - 100)) "echo replies across the loss"
	if grep -q '"type":"SESSION_TERMINATED"' "$dir/gw.events" "$dir/cl.events"; then
		test_fail "a session ended"
	fi
}

# rmmod and insmod of jvpn.ko under traffic: both ends lose their kernel
# state at once, both resume.
test_daemon_module_reload() {
	local dir
	dir=$(mktemp -d)
	kernel_lost_under_ping "$dir" "gw cl" reload_module
	# rmmod would have refused with a session or device left behind
	[[ $(cat /sys/module/jvpn/initstate) == live ]]
}

reload_module() {
	local t0=$EPOCHREALTIME
	load_module "$JVPN_ROOT/jvpn.ko"
	echo "rmmod + insmod: $(awk "BEGIN { printf \"%d\", ($EPOCHREALTIME - $t0) * 1000 }") ms"
}

# Only the gateway's device goes: its client, whose kernel state is intact,
# finds the path dead, is told KERNEL_LOST and hands the gateway the keys
# of a fresh handshake.
test_daemon_gateway_device_lost() {
	local dir
	dir=$(mktemp -d)
	kernel_lost_under_ping "$dir" gw jg ip link del jvpn0
	grep '"type":"REATTACH_REJECT"' "$dir/cl.events" | grep -q '"reason":"kernel_lost"'
}

# Only the client's device goes: its gateway answers the fresh handshake
# of a session it still has.
test_daemon_client_device_lost() {
	local dir
	dir=$(mktemp -d)
	kernel_lost_under_ping "$dir" cl jc ip link del jvpn0
}
