# shellcheck shell=bash
# dist/wireshark/jvpn.lua on a real capture: the gateway's side of a
# handshake, traffic, key rotations and a reattach over the other uplink
# (daemon.sh's network), captured with tcpdump in the gateway's namespace
# and decoded with tshark. Each message type the exchange produces is
# found, and its fields agree with what the daemons and jvpn.ko report
# (session id, state_version), with each other (INIT and RESP, request
# and challenge, challenge and response, request and ACK, REKEY and its
# ACK) and with the rules of the protocol (no counter twice under one key
# phase, nonces from 1).

DISSECTOR=$JVPN_ROOT/dist/wireshark/jvpn.lua

# jvpn_fields CAP FILTER FIELD...: one line per packet, fields tab-separated
jvpn_fields() {
	local cap=$1 filter=$2 f args=()
	shift 2
	for f; do args+=(-e "$f"); done
	tshark -n -r "$cap" -X "lua_script:$DISSECTOR" -Y "$filter" -T fields \
		-E separator=/t "${args[@]}" 2>/dev/null
}

# as_int N: a tshark integer (decimal or 0x hex) in decimal
as_int() { python3 -c 'import sys; print(int(sys.argv[1], 0))' "$1"; }

capture_start() {
	jg tcpdump -i any -U -n -w "$1" udp port "$GW_PORT" >"$1.log" 2>&1 &
	wait_until 10 grep -q 'listening on' "$1.log"
}

test_dissector_capture() {
	local dir cap sid n init resp req chal rsp ack gen
	require_cmd tshark tcpdump
	dir=$(mktemp -d)
	cap=$dir/gw.pcap
	# shellcheck disable=SC2317 # called by daemon_up
	before_client() { capture_start "$cap"; }
	REKEY_AFTER=2s DAEMON_BEFORE_CLIENT=before_client daemon_up "$dir"
	jc ping -c 20 -i 0.2 -W 2 172.16.0.1 >/dev/null
	jc ip link set ua down
	wait_until 20 client_bound_to 10.2.0.2
	jc ping -c 5 -i 0.2 -W 2 172.16.0.1 >/dev/null
	sleep 1
	jg pkill -INT -x tcpdump
	wait_until 5 sh -c "! pgrep -x tcpdump >/dev/null"
	sid=$(as_int "$(sfield jg id)")

	# nothing jvpn in the capture is malformed or of an unknown type
	n=$(jvpn_fields "$cap" 'jvpn && _ws.expert' frame.number | wc -l)
	expect_eq "$n" 0 "jvpn packets with an expert warning"
	jvpn_fields "$cap" jvpn jvpn.type | sort | uniq -c

	# handshake: one INIT answered by one RESP with the same initiator id
	init=$(jvpn_fields "$cap" 'jvpn.type == 0x01' jvpn.version_min jvpn.version_max \
		jvpn.initiator_id | head -n 1)
	read -r vmin vmax iid <<<"$init"
	expect_eq "$vmin/$vmax" 1/1 "INIT versions"
	resp=$(jvpn_fields "$cap" 'jvpn.type == 0x02' jvpn.version jvpn.session_id \
		jvpn.initiator_id | head -n 1)
	read -r v rsid riid <<<"$resp"
	expect_eq "$v" 1 "RESP version"
	expect_eq "$(as_int "$rsid")" "$sid" "RESP session id"
	expect_eq "$riid" "$iid" "RESP initiator id"

	# data: the session's id, version 1, each direction's counter rising
	n=$(jvpn_fields "$cap" "jvpn.type == 0x10 && ip.dst == $GW_ADDR" jvpn.session_id |
		sort -u)
	expect_eq "$(as_int "$n")" "$sid" "data session id"
	expect_eq "$(jvpn_fields "$cap" 'jvpn.type == 0x10' jvpn.version | sort -u)" 1 "data version"
	expect_eq "$(jvpn_fields "$cap" 'jvpn.type == 0x10 && jvpn.tag' frame.number | wc -l)" \
		"$(jvpn_fields "$cap" 'jvpn.type == 0x10' frame.number | wc -l)" "data packets with a tag"
	# under one key (a run of one phase) no counter is used twice
	jvpn_fields "$cap" "jvpn.type == 0x10 && ip.src == $GW_ADDR" jvpn.key_phase jvpn.counter |
		awk '$1 != phase { phase = $1; delete seen } seen[$2]++ { dup = $2 }
		END { if (NR < 5 || dup != "") { print NR " packets, counter " dup " twice"; exit 1 } }'

	# probes and their ACKs on the session, the ACK echoing the seq
	n=$(jvpn_fields "$cap" 'jvpn.type == 0x0b' jvpn.seq | head -n 1)
	[[ -n $n ]] || test_fail "no PROBE"
	jvpn_fields "$cap" "jvpn.type == 0x0c && jvpn.seq == $n" frame.number | grep -q .

	# reattach over uplink B: request, challenge, response, ACK agree
	req=$(jvpn_fields "$cap" 'jvpn.type == 0x04 && ip.src == 10.2.0.2' jvpn.session_id \
		jvpn.nonce jvpn.transport_class jvpn.state_version | tail -n 1)
	read -r rsid nonce class version <<<"$req"
	expect_eq "$(as_int "$rsid")" "$sid" "REQUEST session id"
	expect_eq "$class" 1 "REQUEST transport class (udp4)"
	((nonce >= 1)) || test_fail "REQUEST nonce $nonce"
	chal=$(jvpn_fields "$cap" "jvpn.type == 0x05 && jvpn.request_nonce == $nonce" jvpn.token |
		tail -n 1)
	[[ -n $chal ]] || test_fail "no CHALLENGE for nonce $nonce"
	rsp=$(jvpn_fields "$cap" "jvpn.type == 0x06 && jvpn.request_nonce == $nonce" jvpn.token |
		tail -n 1)
	expect_eq "$rsp" "$chal" "RESPONSE token"
	ack=$(jvpn_fields "$cap" "jvpn.type == 0x07 && jvpn.request_nonce == $nonce" \
		jvpn.state_version jvpn.notice | tail -n 1)
	read -r version notice <<<"$ack"
	expect_eq "$version" "$(sfield jg version)" "ACK state_version"
	[[ -z ${notice-} ]] || test_fail "an ACK of a request marked as a notice"

	# key rotation: each REKEY answered by a REKEY_ACK of its generation
	gen=$(jvpn_fields "$cap" 'jvpn.type == 0x0d' jvpn.generation | sort -n | uniq)
	[[ -n $gen ]] || test_fail "no REKEY"
	for n in $gen; do
		jvpn_fields "$cap" "jvpn.type == 0x0e && jvpn.generation == $n" frame.number |
			grep -q . || test_fail "no REKEY_ACK of generation $n"
	done
	echo "generations:" $gen
}
