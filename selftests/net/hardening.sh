# shellcheck shell=bash
# The kernel's own guards, each shown by the request or race it stops:
# NAPI list changes under RTNL (sysfs "threaded" against session churn),
# no transmit key installed twice, no past key generation, nothing sealed
# by a SESSION_NEW that fails; and the fuzzers of selftests/kfuzz/.

NLREQ=${NLREQ:-$JVPN_ROOT/tools/nlgen/nlreq.py}
NLFUZZ=${NLFUZZ:-$JVPN_ROOT/build/nlfuzz}
RXFUZZ=${RXFUZZ:-$JVPN_ROOT/build/rxfuzz}

# Writing "threaded" walks the device's NAPI list under RTNL, creating or
# stopping one kthread per NAPI; sessions come and go (each with its NAPI)
# meanwhile, under traffic. Without RTNL around NAPI add/del the walk
# meets a freed NAPI (KASAN in the debug kernel) or corrupts the list.
test_napi_threaded_under_churn() {
	local i end last toggler pinger churn
	topo_up v4
	jc ping -q -i 0.002 -w 90 172.16.0.1 >/tmp/napi-ping-$$ 2>&1 &
	pinger=$!
	jg bash -c 'while :; do echo 1 >/sys/class/net/jvpn0/threaded;
		echo 0 >/sys/class/net/jvpn0/threaded; done' 2>/dev/null &
	toggler=$!
	# 20 s, and at least 8 sessions (the debug kernel is slow), 80 s at most
	end=$((SECONDS + 20)) last=$((SECONDS + 80))
	churn=0
	while ((SECONDS < last && (SECONDS < end || churn < 8))); do
		for i in 1 2 3 4; do
			kg session-new jvpn0 --id $((100 + i)) \
				--bind "10.1.0.1:$((52000 + i))" --peer "10.1.0.2:5000" \
				--tx-key "$(printf '%064x' $((0x7000 + i)))" \
				--rx-key "$KEY_C2G" --allowed-ip "10.77.0.$i/32"
		done
		for i in 1 2 3 4; do
			kg del jvpn0 --id $((100 + i))
		done
		churn=$((churn + 4))
	done
	kill "$toggler" "$pinger"
	wait "$toggler" "$pinger" 2>/dev/null || true	# killed: 143
	echo "sessions created and deleted: $churn"
	expect_ge "$churn" 8 "churned sessions"
	tail -n 2 /tmp/napi-ping-$$
	expect_ge "$(field jg rx_packets)" 100 "gateway rx_packets under churn"
}

# set_keys_req ATTR...: one SET_KEYS of session $SID on the gateway, printed
set_keys_req() {
	jg python3 "$NLREQ" session-set-keys ifindex=jvpn0 session-id="$SID" "$@" ||
		true	# its status says accepted or refused: the output is checked
}

# set_keys_expect PATTERN ATTR...: set_keys_req, whose answer matches the
# grep PATTERN ("^accepted", "^refused.*ESTALE")
set_keys_expect() {
	local want=$1 out
	shift
	out=$(set_keys_req "$@")
	echo "$out"
	grep -q "$want" <<<"$out"
}

# Today's bug: the current transmit key with the phase flipped was taken
# as a new pair, its counter restarting at 0.
test_set_keys_tx_reuse_refused() {
	local k2 k3
	topo_up v4
	jc ping -c 3 -i 0.2 -W 2 172.16.0.1
	set_keys_expect '^refused.*EINVAL.*(nonce reuse); at JVPN_A_TX_KEY' tx-key="$KEY_G2C" rx-key="$KEY_C2G" key-phase=1
	# the same transmit key with another receive key: still refused
	set_keys_expect '^refused.*nonce reuse' tx-key="$KEY_G2C" rx-key="$(printf '%064x' 9)" key-phase=1 key-next
	expect_ge "$(field jg tx_counter)" 3 "gateway tx_counter kept"
	# a fresh pair goes in; then the old current one, now previous, is refused
	k2=$(printf '%064x' 0xa2) k3=$(printf '%064x' 0xa3)
	set_keys_expect '^accepted' tx-key="$k2" rx-key="$KEY_C2G" key-phase=1
	set_keys_expect '^refused.*nonce reuse' tx-key="$KEY_G2C" rx-key="$k3" key-phase=0
}

# Staged, then promoted: the one exception (the staged pair has sealed
# nothing), under the generation it was staged with.
test_set_keys_promotion_allowed() {
	local out k2
	topo_up v4
	k2=$(printf '%064x' 0xb2)
	set_keys_expect '^accepted' tx-key="$k2" rx-key="$KEY_C2G" key-phase=1 key-next key-generation=5
	# staged again (a daemon restarted mid-rotation): nothing changes
	set_keys_expect '^accepted' tx-key="$k2" rx-key="$KEY_C2G" key-phase=1 key-next key-generation=5
	out=$(set_keys_req tx-key="$k2" rx-key="$KEY_C2G" key-phase=1 key-generation=6)
	echo "$out"
	grep -q '^refused.*ESTALE\|^refused.*EINVAL.*generation' <<<"$out" || {
		echo "promotion under another generation was not refused"
		return 1
	}
	set_keys_expect '^accepted' tx-key="$k2" rx-key="$KEY_C2G" key-phase=1 key-generation=5
	expect_eq "$(field jg key_phase)" 1 "gateway key_phase"
}

# get_secrets: the daemon's record the kernel keeps for session $SID
get_secrets() {
	{ jg python3 "$NLREQ" --show daemon-secrets session-get ifindex=jvpn0 \
		session-id="$SID" || true; } | sed -n 's/^daemon-secrets //p'
}

# The kernel keeps the daemon's record of the current pair's secrets (so
# that no secret need be on disk: daemon/core/escrow.h): taken with a pair
# made current, replaced only by a request that succeeds, refused with a
# staged pair or over the length bound, and given back by SESSION_GET.
test_daemon_secrets_kept_with_current_pair() {
	local out s1 s2
	topo_up v4
	expect_eq "$(get_secrets)" "" "record of a session created without one"
	s1=$(printf 'a1%.0s' $(seq 48)) s2=$(printf 'b2%.0s' $(seq 48))
	set_keys_expect '^accepted' tx-key="$(printf '%064x' 0xd1)" rx-key="$KEY_C2G" key-phase=1 daemon-secrets="$s1"
	expect_eq "$(get_secrets)" "$s1" "record after SET_KEYS"
	set_keys_expect '^refused.*EINVAL.*belong to the current pair.*; at JVPN_A_DAEMON_SECRETS' tx-key="$(printf '%064x' 0xd2)" rx-key="$KEY_C2G" key-phase=0 key-next daemon-secrets="$s2"
	# a refused change of keys changes no record (transmit key reused)
	set_keys_expect '^refused.*nonce reuse' tx-key="$(printf '%064x' 0xd1)" rx-key="$KEY_C2G" key-phase=0 daemon-secrets="$s2"
	expect_eq "$(get_secrets)" "$s1" "record after a refused SET_KEYS"
	set_keys_expect '^refused.*ERANGE\|^refused.*EINVAL' tx-key="$(printf '%064x' 0xd3)" rx-key="$KEY_C2G" key-phase=0 daemon-secrets="$(printf '00%.0s' $(seq 129))"
	set_keys_expect '^accepted' tx-key="$(printf '%064x' 0xd4)" rx-key="$KEY_C2G" key-phase=0 daemon-secrets="$s2"
	expect_eq "$(get_secrets)" "$s2" "record replaced with the next pair"
	# and no tool shows it: a dump is text that lands in logs
	out=$(jg "$JVPNK" dump jvpn0)
	! grep -q "$s2" <<<"$out"
}

# A replayed rekey from an old state file: fresh keys, past generation.
test_key_generation_high_water_mark() {
	topo_up v4
	set_keys_expect '^accepted' tx-key="$(printf '%064x' 0xc1)" rx-key="$KEY_C2G" key-phase=1 key-generation=10
	set_keys_expect '^accepted' tx-key="$(printf '%064x' 0xc2)" rx-key="$KEY_C2G" key-phase=0 key-generation=11
	set_keys_expect '^refused.*ESTALE.*past generation is never installed again; at JVPN_A_KEY_GENERATION' tx-key="$(printf '%064x' 0xc3)" rx-key="$KEY_C2G" key-phase=1 key-generation=9
	set_keys_expect '^refused.*ESTALE' tx-key="$(printf '%064x' 0xc4)" rx-key="$KEY_C2G" key-phase=1 key-generation=11 key-next
	# numbered by the kernel above the mark when the request names none
	set_keys_expect '^accepted' tx-key="$(printf '%064x' 0xc5)" rx-key="$KEY_C2G" key-phase=1
	set_keys_expect '^refused.*ESTALE' tx-key="$(printf '%064x' 0xc6)" rx-key="$KEY_C2G" key-phase=0 key-generation=12
}

# SESSION_NEW whose second allowed IP belongs to another session: before
# the fix the first one was live, with the keys, while the request went
# on, so traffic routed to it was sealed (counter 0 upward) and sent by a
# session that was then freed: a retry with the same keys reuses nonces.
test_failed_session_new_sends_nothing() {
	local i tx0 tx1 flood
	topo_up v4
	jg ip route add 10.66.0.0/24 dev jvpn0
	tx0=$(jg cat /sys/class/net/jvpn0/statistics/tx_packets)
	jg python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
while True:
    try:
        s.sendto(b"x" * 64, ("10.66.0.1", 9))
    except OSError:
        pass
' &
	flood=$!
	for ((i = 0; i < 150; i++)); do
		expect_fail kg session-new jvpn0 --id 900 \
			--bind "10.1.0.1:$((53000 + i % 50))" --peer "10.1.0.2:5999" \
			--tx-key "$(printf '%064x' 0xdead)" --rx-key "$KEY_C2G" \
			--allowed-ip 10.66.0.0/24 --allowed-ip 172.16.0.2/32 \
			>/dev/null 2>&1
	done
	kill "$flood"
	wait "$flood" 2>/dev/null || true	# killed: 143
	echo "refused SESSION_NEW attempts: $i"
	tx1=$(jg cat /sys/class/net/jvpn0/statistics/tx_packets)
	expect_eq "$((tx1 - tx0))" 0 "packets sent by refused sessions"
	expect_ge "$(dev_field jg drop_no_route)" 1000 "flood packets without a route"
}

# The fuzzers (selftests/kfuzz/): their counts, then a tunnel that still
# works; run.sh's dmesg_clean checks the log (and --kernel debug KASAN,
# lockdep, UBSAN, kmemleak and rmmod). Each runs to a budget of
# KFUZZ_COUNT messages (selftests/kfuzz/long.sh sets a million), not for a
# time: a TCG guest's clock may jump when the host is loaded.
KFUZZ_COUNT=${KFUZZ_COUNT:-20000}
kfuzz_budget() {	# UNIT DIVISOR: the arguments of one run
	echo "--$1 $((KFUZZ_COUNT / $2))"
}

test_netlink_fuzz() {
	local out mode rc
	require_cmd "$NLFUZZ"
	# as root in a netns of its own, then as nobody in a user namespace
	for mode in "" --userns; do
		rc=0
		# shellcheck disable=SC2046 # the budget is two words
		out=$("$NLFUZZ" $(kfuzz_budget messages 2) --seed "$RANDOM" $mode 2>&1) ||
			rc=$?
		echo "$out" | tail -n 20
		expect_eq "$rc" 0 "nlfuzz $mode exit status"
		grep -q '^nlfuzz: final check passed' <<<"$out"
		# a fuzzer that sends next to nothing tests nothing
		expect_ge "$(sed -n 's/^nlfuzz: \([0-9]*\) messages.*/\1/p' <<<"$out")" \
			$((KFUZZ_COUNT / 2)) "nlfuzz $mode messages"
	done
	topo_up v4
	jc ping -c 2 -i 0.2 -W 2 172.16.0.1
}

test_rx_fuzz() {
	local out rc=0
	require_cmd "$RXFUZZ"
	topo_up v4
	jc ping -c 2 -i 0.2 -W 2 172.16.0.1
	# shellcheck disable=SC2046 # the budget is two words
	out=$(jc "$RXFUZZ" $(kfuzz_budget datagrams 1) --seed "$RANDOM" \
		--capture ua --traffic 172.16.0.1 --dst "10.1.0.1:$GW_PORT" \
		--session "$SID" 2>&1) || rc=$?
	echo "$out" | tail -n 20
	expect_eq "$rc" 0 "rxfuzz exit status"
	expect_ge "$(sed -n 's/^rxfuzz: \([0-9]*\) datagrams.*/\1/p' <<<"$out")" \
		"$KFUZZ_COUNT" "rxfuzz datagrams"
	jc ping -c 2 -i 0.2 -W 2 172.16.0.1
	field jg drop_replay
	field jg drop_bad_auth
	dev_field jg drop_malformed
}
