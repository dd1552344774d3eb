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
	limited=$(field jg drop_stray_limited)
	# a burst of 16, then 16 a second (JVPN_STRAY_OPEN_*)
	bound=$((16 + 16 * elapsed))
	echo "opened (drop_bad_auth): $bad in ${elapsed}s, bound $bound"
	((bad <= bound))
	expect_eq "$((bad + limited))" "$n" "strays counted"
	expect_ge "$limited" $((n - bound)) "gateway drop_stray_limited"
	jc ping -c 2 -i 0.2 -W 2 172.16.0.1
}
