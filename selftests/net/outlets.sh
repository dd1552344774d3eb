# shellcheck shell=bash
# jvpnd's event outlets against real listeners: busybox syslogd on
# /dev/log, the real systemd-journald on its native socket. Each listener
# is killed under traffic: the daemons go on (traffic, failover), count
# what the listener missed, and reach it again once it is back, without
# a reload. Uses the network and daemons of daemon.sh.

JOURNAL_DIR=/run/systemd/journal

# outlets_conf DIR LINE...: the daemons of daemon_up get LINEs in their
# [interface] (@ in a line becomes gw or cl).
outlets_conf() {
	local dir=$1 f
	shift
	printf '%s\n' "$@" >"$dir/iface.extra"
	for f in gateway client; do
		eval "_outlets_orig_$f() $(declare -f "daemon_conf_$f" | tail -n +2)"
	done
	daemon_conf_gateway() { _outlets_orig_gateway "$@"; outlets_add "$1" gw; }
	daemon_conf_client() { _outlets_orig_client "$@"; outlets_add "$1" cl; }
}

outlets_add() {
	sed "s/@/$2/g" "$1/iface.extra" >"$1/iface.$2"
	sed -i "/^\[interface\]\$/r $1/iface.$2" "$1/$2.conf"
}

# jvpnd_pid DIR gw|cl
jvpnd_pid() { pgrep -f "jvpnd --config $1/$2.conf"; }

# hup DIR gw|cl: a reload, waiting for its report of the outlets
hup() {
	local n
	n=$(grep -c 'outlets reopened' "$1/$2.events" || true)
	kill -HUP "$(jvpnd_pid "$1" "$2")"
	wait_until 10 sh -c "[ \$(grep -c 'outlets reopened' '$1/$2.events') -gt $n ]"
}

# lost DIR gw|cl OUTLET: what the last report says OUTLET lost
lost() {
	grep 'outlets reopened' "$1/$2.events" | tail -n 1 |
		sed -n "s/.*$3 sent=[0-9]* lost=\([0-9]*\).*/\1/p"
}

# the JSON outlet lost nothing: seq runs 1, 2, 3 ... without a gap
json_seq_complete() {
	sed -n 's/^{"seq":\([0-9]*\),.*/\1/p' "$1" | awk '$1 != NR { exit 1 }'
}

# Both daemons alive, the session where it was, traffic through it.
outlets_still_serving() {
	local dir=$1 id=$2
	kill -0 "$(jvpnd_pid "$dir" gw)"
	kill -0 "$(jvpnd_pid "$dir" cl)"
	expect_eq "$(sfield jg id)" "$id" "gateway session id"
	jc ping -c 3 -i 0.2 -W 2 172.16.0.1
}

start_syslogd() {
	busybox syslogd -n -O "$1" &
	wait_until 10 test -S /dev/log
	wait_until 10 grep -q 'syslogd started' "$1"
}

test_outlets_syslog_killed() {
	local dir id syslogd rfc5424 pinger
	require_cmd busybox
	dir=$(mktemp -d)
	rm -f /dev/log
	start_syslogd "$dir/syslog.1"
	syslogd=$!
	outlets_conf "$dir" "syslog = on" "cef-log = $dir/@.cef"
	REKEY_AFTER=2s daemon_up "$dir"
	id=$(sfield jg id)
	jc ping -i 0.2 -W 1 172.16.0.1 >/dev/null &
	pinger=$!
	# busybox keeps RFC 5424 as sent, after its own time, host, priority
	rfc5424='daemon\.info 1 [0-9-]+T[0-9:.]+Z [^ ]+ jvpnd [0-9]+ SESSION_CREATED \[jvpn@32473 seq="[0-9]+" session_id="'$id'" state_version="[0-9]+" reason="[a-z_]+"'
	wait_until 10 grep -Eq "$rfc5424.*\] SESSION_CREATED session $id" "$dir/syslog.1" ||
		{ cat "$dir/syslog.1" "$dir"/*.log; return 1; }
	wait_until 10 grep -q "jvpnd $(jvpnd_pid "$dir" cl) SESSION_CREATED" "$dir/syslog.1"
	grep -m 2 jvpnd "$dir/syslog.1"
	grep -q "^CEF:0|Jumping VPN|jvpnd|[^|]*|100|Session created|3|rt=[0-9]* .*cs1Label=sessionId cs1=$id " "$dir/gw.cef"

	kill "$syslogd"
	wait "$syslogd" || true
	# events while syslog is gone: a reload, key rotations, a failover
	hup "$dir" gw
	jc ip link set ua down
	wait_until 20 client_bound_to 10.2.0.2
	wait_until 10 sh -c "[ \$(grep -c KEY_ROTATION '$dir/gw.events') -ge 2 ]"
	outlets_still_serving "$dir" "$id"
	hup "$dir" gw
	hup "$dir" cl
	grep 'outlets reopened' "$dir/gw.events" | tail -n 1
	grep 'outlets reopened' "$dir/cl.events" | tail -n 1
	expect_ge "$(lost "$dir" gw syslog)" 3 "gateway: syslog lines lost"
	expect_ge "$(lost "$dir" cl syslog)" 3 "client: syslog lines lost"
	expect_eq "$(lost "$dir" gw json)" 0 "gateway: json lines lost"
	expect_eq "$(lost "$dir" gw cef)" 0 "gateway: cef lines lost"

	# back: found again within a second of the next event, no reload
	start_syslogd "$dir/syslog.2"
	wait_until 15 grep -q "jvpnd $(jvpnd_pid "$dir" gw) KEY_ROTATION \[jvpn@32473 " "$dir/syslog.2"
	wait_until 15 grep -q "jvpnd $(jvpnd_pid "$dir" cl) KEY_ROTATION \[jvpn@32473 " "$dir/syslog.2"
	outlets_still_serving "$dir" "$id"
	kill "$pinger"
	json_seq_complete "$dir/gw.events"
	json_seq_complete "$dir/cl.events"
	grep -q '"type":"REATTACH_SUCCESS"' "$dir/gw.events"
}

# The real systemd-journald, in a mount namespace of its own where
# cgroup2 is mounted (it refuses to start without a cgroup root, and the
# VM mounts none); its sockets and files are the VM's /run.
start_journald() {
	unshare -m --propagation private sh -c \
		'mount -t cgroup2 none /sys/fs/cgroup && exec /lib/systemd/systemd-journald' &
	wait_until 20 test -S "$JOURNAL_DIR/socket"
}

stop_journald() {
	kill "$1"
	wait "$1" || true
}

# journal_has MESSAGE_ID FIELD=VALUE...: an entry since the test began
journal_has() {
	local mid=$1
	shift
	journalctl --no-pager -q -o verbose --since "@$T0" "MESSAGE_ID=$mid" "$@" |
		grep -q 'SYSLOG_IDENTIFIER=jvpnd'
}

test_outlets_journald_killed() {
	local dir id journald pinger created=fd748c0a0d6168950b3bf1e49a48d226 \
		rotation=8a12b83a7db03caf06a83927f738863f T0
	[[ -x /lib/systemd/systemd-journald ]] || test_skip "no systemd-journald"
	require_cmd journalctl unshare
	T0=$(date +%s)
	dir=$(mktemp -d)
	rm -rf "$JOURNAL_DIR" /run/log/journal
	start_journald
	journald=$!
	outlets_conf "$dir" "journald = on"
	REKEY_AFTER=2s daemon_up "$dir"
	id=$(sfield jg id)
	jc ping -i 0.2 -W 1 172.16.0.1 >/dev/null &
	pinger=$!
	wait_until 10 journal_has "$created" "JVPN_SESSION_ID=$id" "_PID=$(jvpnd_pid "$dir" gw)" ||
		{ journalctl --no-pager -o verbose | tail -n 60; cat "$dir"/*.log; return 1; }
	wait_until 10 journal_has "$created" "JVPN_SESSION_ID=$id" "_PID=$(jvpnd_pid "$dir" cl)"
	journalctl --no-pager -q -o verbose --since "@$T0" "MESSAGE_ID=$created" |
		grep -E '^ +(MESSAGE|PRIORITY|JVPN_[A-Z_]+)=' | head -n 12

	stop_journald "$journald"
	hup "$dir" gw
	jc ip link set ua down
	wait_until 20 client_bound_to 10.2.0.2
	outlets_still_serving "$dir" "$id"
	hup "$dir" gw
	hup "$dir" cl
	grep 'outlets reopened' "$dir/gw.events" | tail -n 1
	expect_ge "$(lost "$dir" gw journald)" 2 "gateway: journald entries lost"
	expect_ge "$(lost "$dir" cl journald)" 2 "client: journald entries lost"

	start_journald
	journald=$!
	T0=$(date +%s)
	wait_until 15 journal_has "$rotation" "_PID=$(jvpnd_pid "$dir" gw)"
	wait_until 15 journal_has "$rotation" "_PID=$(jvpnd_pid "$dir" cl)"
	outlets_still_serving "$dir" "$id"
	kill "$pinger"
	stop_journald "$journald"
	rm -rf "$JOURNAL_DIR" /run/log/journal
	json_seq_complete "$dir/gw.events"
}
