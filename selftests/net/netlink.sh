# shellcheck shell=bash
# The generic-netlink family: every malformed request refused with an
# extack message, and the session table exactly as it was.

RAW_CASES="wrong-type short-key long-key zero-id missing-id missing-remote
bad-port bad-prefix bad-family both-addrs bad-fd not-udp-fd unbound-fd
bad-ifindex unknown-attr bad-state bad-reason"

test_malformed_netlink_refused() {
	local before after case out
	topo_up v4
	before=$(kg dump jvpn0)
	for case in $RAW_CASES; do
		out=$(kg raw jvpn0 "$case" 2>&1) || {
			echo "$case: accepted or tool failed: $out"
			return 1
		}
		echo "$out"
		# every refusal names its problem
		grep -q ': .*[a-z]' <<<"$out"
	done
	after=$(kg dump jvpn0)
	expect_eq "$after" "$before" "sessions after the malformed requests"
	jc ping -c 1 -W 2 172.16.0.1
}

test_duplicate_and_missing_session() {
	local out
	topo_up v4
	out=$(kg session-new jvpn0 --id "$SID" --bind "10.2.0.1:$GW_PORT" \
		--peer "10.2.0.2:$CL_PORT" --tx-key "$KEY_G2C" \
		--rx-key "$KEY_C2G" 2>&1) && return 1
	echo "$out"
	grep -q 'already exists' <<<"$out"
	out=$(kg del jvpn0 --id 999 2>&1) && return 1
	echo "$out"
	grep -q 'no such session' <<<"$out"
	# an allowed IP another session holds
	out=$(kg session-new jvpn0 --id 8 --bind "10.2.0.1:$GW_PORT" \
		--peer "10.2.0.2:$CL_PORT" --tx-key "$KEY_G2C" \
		--rx-key "$KEY_C2G" --allowed-ip 172.16.0.2/32 2>&1) && return 1
	echo "$out"
	grep -q 'already belongs' <<<"$out"
	expect_eq "$(kg dump jvpn0 | wc -l)" 1 "sessions"
	# the refused session left no socket behind
	expect_eq "$(udp_sockets jg "$GW_PORT")" 1 "gateway sockets"
}

test_events_sequence() {
	local ev=/tmp/ev-$$ seqs
	topo_up v4
	monitor_start jg "$ev" --count 4 --timeout 20
	kg session-new jvpn0 --id 8 --bind "10.2.0.1:$GW_PORT" \
		--peer "10.2.0.2:$CL_PORT" --tx-key "$KEY_G2C" --rx-key "$KEY_C2G"
	kg set jvpn0 --id 8 --expect 1 --version 2 --state VOLATILE
	kg switch jvpn0 --id 8 --bind "10.1.0.1:$GW_PORT" \
		--peer "10.1.0.2:$CL_PORT" --expect 2 --version 3
	kg del jvpn0 --id 8 --reason switch-limit
	wait
	cat "$ev"
	grep 'event=created' "$ev" | grep -q 'id=8'
	grep 'event=state' "$ev" | grep -q 'state=VOLATILE'
	grep 'event=switched' "$ev" | grep -q 'version=3'
	grep 'event=deleted' "$ev" | grep -q 'reason=switch-limit'
	# consecutive sequence numbers: no gap
	seqs=$(grep -o 'seq=[0-9]*' "$ev" | cut -d= -f2 | tr '\n' ' ')
	echo "sequence: $seqs"
	awk '{ for (i = 2; i <= NF; i++) if ($i != $(i-1) + 1) exit 1 }' <<<"$seqs"
}

# Without CAP_NET_ADMIN: no command, no dump, no events.
test_admin_only() {
	local out nobody=(setpriv --reuid=65534 --regid=65534 --clear-groups)
	require_cmd setpriv
	topo_up v4
	for args in "dump jvpn0" "get jvpn0 --id $SID" "del jvpn0 --id $SID" \
		"monitor --timeout 1"; do
		# shellcheck disable=SC2086  # args is a word list on purpose
		out=$(jg "${nobody[@]}" "$JVPNK" $args 2>&1) && {
			echo "unprivileged '$args' succeeded: $out"
			return 1
		}
		echo "$out"
		grep -q 'not permitted' <<<"$out"
	done
	expect_eq "$(kg dump jvpn0 | wc -l)" 1 "sessions"
}
