# shellcheck shell=bash
# Where jvpn.ko meets the rest of the kernel: sockets handed in and out,
# network namespaces, unauthenticated work in softirq, device counters, ECN.

# ns NS nlsock ARGS...: selftests/net/nlsock.py in NS, keeping one socket
nlsock() {
	local ns=$1
	shift
	ip netns exec "$ns" python3 "$JVPN_ROOT/selftests/net/nlsock.py" "$@"
}

# strays_counted N: the gateway counted N strays, opened or not
strays_counted() {
	local limited
	limited=$(field jg drop_stray_limited 2>/dev/null) || limited=0
	(($(field jg drop_bad_auth) + limited >= $1))
}

# Junk-tagged data for the real session from an unbound source: only a
# bounded number is opened (in softirq), the rest drops unopened, counted.
test_stray_open_bounded() {
	local n=300 start elapsed bad limited bound
	topo_up v4
	start=$SECONDS
	nlsock jc --bind 10.1.0.2:40000 "flood=10.1.0.1:$GW_PORT,$SID,$n,1400"
	wait_until 10 strays_counted "$n" || true
	elapsed=$((SECONDS - start + 1))
	bad=$(field jg drop_bad_auth)
	# a burst of 16, then 16 a second (JVPN_STRAY_OPEN_*)
	bound=$((16 + 16 * elapsed))
	echo "opened (drop_bad_auth): $bad of $n in ${elapsed}s, bound $bound"
	((bad <= bound))
	limited=$(field jg drop_stray_limited)
	expect_eq "$((bad + limited))" "$n" "strays counted"
	expect_ge "$limited" $((n - bound)) "gateway drop_stray_limited"
	jc ping -c 2 -i 0.2 -W 2 172.16.0.1
}

# A refused SESSION_NEW or SWITCH leaves the socket as it was, and so does
# a session that ends: IP_MULTICAST_LOOP, which the tunnel clears, is given
# back as the owner had it.
test_refusal_changes_nothing() {
	local out l
	topo_up v4
	out=$(nlsock jg --bind 10.1.0.1:40100 --no-mc-loop \
		new=jvpn0,8,10.1.0.2:40101,172.16.0.2/32 mc-loop \
		"switch=jvpn0,$SID,1,2,[fd01::2]:40101" mc-loop \
		new=jvpn0,8,10.1.0.2:40101 mc-loop del=jvpn0,8 mc-loop)
	echo "$out"
	mapfile -t l <<<"$out"
	grep -q '^refused new: EEXIST: allowed IP already belongs' <<<"${l[0]}"
	expect_eq "${l[1]}" "mc_loop 0" "after a refused new"
	grep -q '^refused switch: EAFNOSUPPORT' <<<"${l[2]}"
	expect_eq "${l[3]}" "mc_loop 0" "after a refused switch"
	expect_eq "${l[4]}" "accepted new" "new"
	expect_eq "${l[5]}" "mc_loop 0" "while attached"
	expect_eq "${l[6]}" "accepted del" "del"
	expect_eq "${l[7]}" "mc_loop 0" "after the session ended"
	expect_eq "$(field jg remote)" "10.1.0.2:$CL_PORT" "session $SID remote"
	expect_eq "$(field jg version)" 1 "session $SID state_version"
	jc ping -c 2 -i 0.2 -W 2 172.16.0.1
}

# An IPv6 socket that also receives IPv4 would see every IPv4 peer as a
# v4-mapped stray: refused, with IPV6_V6ONLY named.
test_dual_stack_socket_refused() {
	local out
	topo_links
	out=$(nlsock jg --bind "[::]:40200" --dual-stack \
		"new=jvpn0,9,[fd01::2]:40201")
	echo "$out"
	grep -q '^refused new: EAFNOSUPPORT: .*IPV6_V6ONLY' <<<"$out"
	out=$(nlsock jg --bind "[::]:40200" "new=jvpn0,9,[fd01::2]:40201")
	echo "$out"
	expect_eq "$out" "accepted new" "an IPV6_V6ONLY socket"
}

# A device moved into another netns: its sessions' sockets stay out of that
# netns' reach, and a socket of another netns cannot be attached.
test_socket_netns_confined() {
	local out
	topo_up v4
	out=$(nlsock jg --bind 127.0.0.1:40300 "get-socket=jvpn0,$SID")
	echo "$out"
	grep -q "^fd [0-9]* local ('10.1.0.1', $GW_PORT)" <<<"$out"
	ns_create jx
	ip -n jg link set jvpn0 netns jx
	out=$(nlsock jx --bind 127.0.0.1:40300 "get-socket=jvpn0,$SID")
	echo "$out"
	grep -q '^refused get-socket: EXDEV: .*another network namespace' \
		<<<"$out"
	# fd 5: a UDP socket of jg, handed to a process in jx
	out=$(jg bash -c "exec 5<>/dev/udp/10.1.0.2/9
		exec ip netns exec jx python3 $JVPN_ROOT/selftests/net/nlsock.py \
			--fd 5 new=jvpn0,9,10.1.0.2:40301")
	echo "$out"
	grep -q '^refused new: EXDEV: .*another network namespace' <<<"$out"
	out=$(nlsock jx --bind 127.0.0.1:40302 new=jvpn0,9,127.0.0.1:40303)
	echo "$out"
	expect_eq "$out" "accepted new" "a socket of the device's netns"
}

# ip -s link: each packet sent through the tunnel counts once.
test_tx_counted_once() {
	local dev sess
	topo_up v4
	jc ping -c 5 -i 0.2 -W 2 172.16.0.1
	dev=$(jc cat /sys/class/net/jvpn0/statistics/tx_packets)
	sess=$(field jc tx_packets)
	expect_eq "$dev" "$sess" "client jvpn0 tx_packets (session's: $sess)"
	expect_eq "$(jg cat /sys/class/net/jvpn0/statistics/tx_packets)" \
		"$(field jg tx_packets)" "gateway jvpn0 tx_packets"
}

# nft_counter NS CHAIN_RULE_COMMENT: packets of the rule commented so
nft_counter() {
	ip netns exec "$1" nft -j list table ip jvpn_ecn | jq -r --arg c "$2" \
		'.nftables[] | select(.rule.comment? == $c) | .rule.expr[] |
		 select(.counter) | .counter.packets'
}

# RFC 6040, as WireGuard: the inner ECN field is copied out on encap, and
# congestion marked on the outer packet reaches the inner one on decap.
test_ecn() {
	topo_up v4
	jg nft -f - <<'NFT'
table ip jvpn_ecn {
	chain in {
		type filter hook input priority 0;
		iifname "ga" udp dport 51820 ip ecn ect0 counter comment "outer"
		iifname "jvpn0" ip ecn ce counter comment "inner"
	}
}
NFT
	jc ping -c 3 -i 0.2 -W 2 -Q 2 172.16.0.1
	expect_ge "$(nft_counter jg outer)" 3 "outer packets ECT(0)"
	expect_eq "$(nft_counter jg inner)" 0 "inner packets CE"
	jc nft -f - <<NFT
table ip jvpn_ecn {
	chain out {
		type filter hook output priority 0;
		udp dport $GW_PORT ip ecn set ce
	}
}
NFT
	jc ping -c 3 -i 0.2 -W 2 -Q 2 172.16.0.1
	expect_ge "$(nft_counter jg inner)" 3 "inner packets CE"
}
