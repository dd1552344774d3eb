# shellcheck shell=bash
# The generic-netlink family: every malformed request refused with an
# extack message, and the session table exactly as it was.

RAW_CASES="wrong-type short-key long-key zero-id missing-id missing-remote
bad-port bad-prefix bad-family both-addrs bad-fd not-udp-fd unbound-fd
bad-ifindex unknown-attr bad-state bad-reason"

# The commands that name a session.
SESSION_CMDS="session-get session-del session-set-keys session-switch
session-set session-get-socket"

# kn OP [ATTR[=VALUE]]... | kn -: requests built from docs/netlink/jvpn.yaml,
# any attribute in any command (tools/nlgen/nlreq.py; exits as kg raw).
kn() { jg python3 "$JVPN_ROOT/tools/nlgen/nlreq.py" "$@"; }

# nl_case "TEXT|TEXT..." [--dump] OP [ATTR[=VALUE]]...: a request that
# must be refused, saying every TEXT; nl_cases_refused sends them all
# through one nlreq (python starts slowly under TCG).
NL_WANTS=() NL_REQUESTS=()
nl_case() {
	NL_WANTS+=("$1")
	shift
	NL_REQUESTS+=("$*")
}

nl_cases_refused() {
	local out lines i want text
	out=$(printf '%s\n' "${NL_REQUESTS[@]}" | kn - 2>&1) || {
		echo "$out"
		echo "nlreq: a request was accepted or not sent"
		return 1
	}
	echo "$out"
	mapfile -t lines <<<"$out"
	expect_eq "${#lines[@]}" "${#NL_REQUESTS[@]}" "refusals"
	for i in "${!NL_REQUESTS[@]}"; do
		IFS='|' read -ra want <<<"${NL_WANTS[i]}"
		for text in "${want[@]}"; do
			grep -qF -- "$text" <<<"${lines[i]}" && continue
			echo "'${NL_REQUESTS[i]}': the refusal does not say '$text'"
			return 1
		done
	done
}

# An attribute of another command, or one only the kernel reports, is
# refused by the command's own policy, which names it.
foreign_attribute_cases() {
	local sess="ifindex=jvpn0 session-id=$SID"
	local foreign="does not belong to this request"
	local reported="is reported by the kernel, never accepted"
	nl_case "EINVAL|EXPECTED_VERSION $foreign|at JVPN_A_EXPECTED_VERSION" \
		session-del "$sess" expected-version=1
	nl_case "SOCKET_FD $foreign|at JVPN_A_SOCKET_FD" \
		session-del "$sess" socket-fd=0
	nl_case "DEL_REASON $foreign" session-set "$sess" expected-version=1 \
		state-version=2 state=1 del-reason=1
	nl_case "KEY_NEXT $foreign" session-get "$sess" key-next
	nl_case "CREATED_NS $reported|at JVPN_A_CREATED_NS" \
		session-get "$sess" created-ns=1
	nl_case "SESSION_ID $foreign" dev-get "$sess"
	# the dump of SESSION_GET takes less than its do
	nl_case "EINVAL|SESSION_ID $foreign" --dump session-get "$sess"
}

# The lookup every command shares (pre_doit) refuses as each did alone.
shared_lookup_cases() {
	local cmd
	for cmd in session-new $SESSION_CMDS; do
		nl_case "EINVAL|IFINDEX is required|missing JVPN_A_IFINDEX" \
			"$cmd" session-id="$SID"
		nl_case "EOPNOTSUPP|device is not a jvpn device|at JVPN_A_IFINDEX" \
			"$cmd" ifindex=lo session-id="$SID"
	done
	nl_case "EINVAL|IFINDEX is required" dev-get
	nl_case "EINVAL|IFINDEX is required" --dump session-get
	for cmd in $SESSION_CMDS; do
		nl_case "EINVAL|SESSION_ID is required|missing JVPN_A_SESSION_ID" \
			"$cmd" ifindex=jvpn0
		nl_case "ENOENT|no such session|at JVPN_A_SESSION_ID" \
			"$cmd" ifindex=jvpn0 session-id=999
	done
}

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
	foreign_attribute_cases
	shared_lookup_cases
	nl_cases_refused
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
	# every command about a session says so, from complete requests
	out=$(kg get jvpn0 --id 999 2>&1) && return 1
	echo "$out"
	grep -q 'no such session' <<<"$out"
	out=$(kg set jvpn0 --id 999 --expect 1 --version 2 --state ACTIVE \
		2>&1) && return 1
	echo "$out"
	grep -q 'no such session' <<<"$out"
	out=$(kg set-keys jvpn0 --id 999 --tx-key "$KEY_G2C" \
		--rx-key "$KEY_C2G" --key-phase 1 2>&1) && return 1
	echo "$out"
	grep -q 'no such session' <<<"$out"
	out=$(kg switch jvpn0 --id 999 --bind "10.2.0.1:$GW_PORT" \
		--peer "10.2.0.2:$CL_PORT" --expect 1 --version 2 2>&1) && return 1
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
