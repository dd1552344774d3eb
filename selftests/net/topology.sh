# shellcheck shell=bash
# The test network, built fresh inside each test (namespaces die with it):
#
#   ns jc (client)                               ns jg (gateway)
#   jvpn0 172.16.0.2/24 fd10::2/64               jvpn0 172.16.0.1/24 fd10::1/64
#   ua 10.1.0.2/24 fd01::2/64  <-- veth A -->    ga 10.1.0.1/24 fd01::1/64
#   ub 10.2.0.2/24 fd02::2/64  <-- veth B -->    gb 10.2.0.1/24 fd02::1/64
#
# Session $SID joins the two jvpn0 devices over uplink A, UDP port
# $GW_PORT on the gateway and $CL_PORT on the client.

SID=7
GW_PORT=51820
CL_PORT=51821
KEY_C2G=$(printf '%064x' 0x1111)	# client -> gateway
KEY_G2C=$(printf '%064x' 0x2222)	# gateway -> client
JVPNK=${JVPNK:-$JVPN_ROOT/build/jvpnk}
JVPN_PKT=${JVPN_PKT:-$JVPN_ROOT/build/jvpn-pkt}

jc() { ip netns exec jc "$@"; }
jg() { ip netns exec jg "$@"; }
jr() { ip netns exec jr "$@"; }
kc() { jc "$JVPNK" "$@"; }
kg() { jg "$JVPNK" "$@"; }

# veth_pair NAME_C NAME_G V4_NET V6_NET: client end .2 / ::2, gateway .1 / ::1
veth_pair() {
	local c=$1 g=$2 v4=$3 v6=$4
	ip link add "$c" netns jc type veth peer name "$g" netns jg
	jc ip addr add "$v4.2/24" dev "$c"
	jg ip addr add "$v4.1/24" dev "$g"
	jc ip addr add "$v6::2/64" dev "$c" nodad
	jg ip addr add "$v6::1/64" dev "$g" nodad
	jc ip link set "$c" up
	jg ip link set "$g" up
}

jvpn_dev() {
	local ns=$1 host=$2
	ip -n "$ns" link add jvpn0 type jvpn
	ip -n "$ns" addr add "172.16.0.$host/24" dev jvpn0
	ip -n "$ns" addr add "fd10::$host/64" dev jvpn0 nodad
	ip -n "$ns" link set jvpn0 up
}

# topo_links: the namespaces, both uplinks and a jvpn0 device on each side.
topo_links() {
	ns_create jc jg
	# a stray packet must reach jvpn to be judged, not die in rp_filter
	jg sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
	veth_pair ua ga 10.1.0 fd01
	veth_pair ub gb 10.2.0 fd02
	jvpn_dev jc 2
	jvpn_dev jg 1
}

# nat_masquerade NS OIF: NS rewrites sources leaving OIF to a random port,
# so a flushed mapping comes back on another one, as a carrier-grade NAT's
# would.
nat_masquerade() {
	ip netns exec "$1" sysctl -qw net.ipv4.ip_forward=1
	ip netns exec "$1" nft -f - <<NFT
table ip nat {
	chain post {
		type nat hook postrouting priority srcnat;
		oifname "$2" masquerade random
	}
}
NFT
}

# topo_up [v4|v6]: namespaces, both uplinks, devices, and session $SID over
# uplink A with IPv4 (default) or IPv6 outer addresses.
topo_up() {
	local outer=${1:-v4} gw_a=10.1.0.1 cl_a=10.1.0.2
	if [[ $outer == v6 ]]; then
		gw_a="[fd01::1]" cl_a="[fd01::2]"
	fi
	topo_links
	kg session-new jvpn0 --id "$SID" --bind "$gw_a:$GW_PORT" \
		--peer "$cl_a:$CL_PORT" --tx-key "$KEY_G2C" --rx-key "$KEY_C2G" \
		--allowed-ip 172.16.0.2/32 --allowed-ip fd10::2/128
	kc session-new jvpn0 --id "$SID" --bind "$cl_a:$CL_PORT" \
		--peer "$gw_a:$GW_PORT" --tx-key "$KEY_C2G" --rx-key "$KEY_G2C" \
		--allowed-ip 172.16.0.0/24 --allowed-ip fd10::/64
}

# field NS FIELD: one value of session $SID as the kernel reports it
field() { ip netns exec "$1" "$JVPNK" get jvpn0 --id "$SID" --field "$2"; }
# dev_field NS FIELD: one device-wide counter
dev_field() { ip netns exec "$1" "$JVPNK" dev jvpn0 --field "$2"; }

# expect_ge ACTUAL MIN WHAT
expect_ge() {
	if (($1 < $2)); then
		echo "$3: $1, expected at least $2"
		return 1
	fi
	echo "$3: $1"
}

# expect_eq ACTUAL WANT WHAT
expect_eq() {
	if [[ $1 != "$2" ]]; then
		echo "$3: '$1', expected '$2'"
		return 1
	fi
	echo "$3: $1"
}

# monitor_start NS FILE [ARGS]: events of NS into FILE, once subscribed
monitor_start() {
	local ns=$1 file=$2
	shift 2
	: >"$file"
	ip netns exec "$ns" "$JVPNK" monitor "$@" >"$file" 2>&1 &
	wait_until 10 grep -q '^# listening' "$file"
}

# Predicates for wait_until, which re-runs its command: arguments must not
# be expanded once up front.
# field_is NS FIELD OP VALUE, e.g. field_is jg rx_packets -gt 1000
field_is() { test "$(field "$1" "$2")" "$3" "$4"; }
dev_field_is() { test "$(dev_field "$1" "$2")" "$3" "$4"; }
# udp_sockets_are NS COUNT [PORT]: UDP sockets in NS (on PORT)
udp_sockets() {
	if (($# > 1)); then
		ip netns exec "$1" ss -uanH "sport = :$2" | wc -l
	else
		ip netns exec "$1" ss -uanH | wc -l
	fi
}
udp_sockets_are() { test "$(udp_sockets "$1" "${3-}")" -eq "$2"; }
tcp_listening() { ip netns exec "$1" ss -ltnH "sport = :$2" | grep -q .; }

# live_objects CACHE: objects in use in a slab cache of jvpn's. Shrinking
# first flushes the per-CPU slabs, whose freed objects would still count.
live_objects() {
	echo 1 >"/sys/kernel/slab/$1/shrink" 2>/dev/null || true
	awk -v c="$1" '$1 == c { print $2; found = 1 } END { if (!found) print 0 }' /proc/slabinfo
}

# ping_sent LOG / ping_received LOG: the totals of a finished ping's log
ping_sent() { sed -n 's/^\([0-9]*\) packets transmitted.*/\1/p' "$1"; }
ping_received() { sed -n 's/.* \([0-9]*\) received.*/\1/p' "$1"; }
