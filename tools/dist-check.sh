#!/usr/bin/env bash
# What `make install` puts on a gateway, checked on the host without
# installing anything: the staged tree (DESTDIR), the systemd unit as
# systemd-analyze reads it, the man pages as man renders them, the bash
# completion answering, and jvpnctl's exit status on a machine whose
# kernel has no jvpn module (this host: the module only ever runs in the
# VM). Then the Debian packages (make deb) as lintian judges them and
# what they hold, the Wireshark dissector against uapi/jvpn/messages.h
# (tshark), and the alert rules and dashboard against docs/metrics.md
# (promtool). KTAP lines; the last line is "N passed, N failed".
set -uo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
STAGE=$(mktemp -d)
trap 'rm -rf "$STAGE"' EXIT
N=0 PASS=0 FAIL=0

check() {
	local name=$1 out rc=0
	shift
	out=$("$@" 2>&1) || rc=$?
	N=$((N + 1))
	[[ -z $out ]] || printf '%s\n' "$out" | sed 's/^/# /'
	if ((rc == 0)); then
		PASS=$((PASS + 1))
		echo "ok $N $name"
	else
		FAIL=$((FAIL + 1))
		echo "not ok $N $name"
	fi
}

staged_tree() {
	make -s -C "$REPO" install DESTDIR="$STAGE" || return 1
	local f
	for f in usr/sbin/jvpnd usr/sbin/jvpnctl lib/systemd/system/jvpnd@.service \
		usr/share/bash-completion/completions/jvpnctl \
		usr/share/jvpn/prometheus/jvpn-alerts.yml \
		usr/share/jvpn/grafana/jvpn-dashboard.json \
		usr/share/man/man8/jvpnd.8 usr/share/man/man8/jvpnctl.8 \
		usr/share/man/man5/jvpnd.conf.5; do
		[[ -f $STAGE/$f ]] || { echo "missing: $f"; return 1; }
	done
	[[ $(stat -c %a "$STAGE/etc/jvpn") == 700 ]] || { echo "/etc/jvpn not 0700"; return 1; }
}

# systemd-analyze verify checks every directive and that each command
# exists; the staged binaries stand in for /usr/sbin.
unit_verifies() {
	local unit=$STAGE/unit/jvpnd@.service out
	mkdir -p "${unit%/*}"
	sed "s|/usr/sbin/|$STAGE/usr/sbin/|g" "$STAGE/lib/systemd/system/jvpnd@.service" >"$unit"
	out=$(systemd-analyze verify --man=no "$unit" 2>&1)
	printf '%s\n' "$out"
	[[ -z $out ]]
}

unit_is_notify_and_hardened() {
	local unit=$STAGE/lib/systemd/system/jvpnd@.service key
	for key in Type=notify WatchdogSec= NoNewPrivileges=yes ProtectSystem=strict \
		CapabilityBoundingSet= RuntimeDirectory=jvpnd ExecReload=; do
		grep -q "^$key" "$unit" || { echo "no $key"; return 1; }
	done
}

man_pages_render() {
	local page warnings
	for page in "$STAGE"/usr/share/man/man*/*; do
		warnings=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null)
		[[ -z $warnings ]] || { echo "$page: $warnings"; return 1; }
		LC_ALL=C.UTF-8 MANWIDTH=80 man -l "$page" 2>/dev/null | grep -q 'SEE ALSO' ||
			{ echo "$page: does not render"; return 1; }
	done
}

# complete_words LINE: what the completion offers for LINE (cursor at end)
complete_words() {
	bash -c '
		. /usr/share/bash-completion/bash_completion 2>/dev/null || exit 3
		. "$1"
		COMP_LINE=$2 COMP_POINT=${#2}
		read -ra COMP_WORDS <<<"$2"
		[[ $2 == *" " ]] && COMP_WORDS+=("")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		_jvpnctl jvpnctl "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
		printf "%s\n" "${COMPREPLY[@]}"
	' _ "$STAGE/usr/share/bash-completion/completions/jvpnctl" "$1"
}

completion_answers() {
	[[ $(complete_words "jvpnctl " | sort | tr '\n' ' ') == *"dump "*"monitor "*"policy "*"session "*"show "* ]] || {
		echo "commands: $(complete_words 'jvpnctl ')"; return 1; }
	[[ $(complete_words "jvpnctl session " | sort | tr '\n' ' ') == "kill list show " ]] || {
		echo "session: $(complete_words 'jvpnctl session ')"; return 1; }
	[[ $(complete_words "jvpnctl policy re") == reload ]] || {
		echo "policy re: $(complete_words 'jvpnctl policy re')"; return 1; }
	complete_words "jvpnctl monitor --" | grep -qx -- --rcvbuf
}

# expect_exit WANT CMD...
expect_exit() {
	local want=$1 rc=0
	shift
	"$@" || rc=$?
	((rc == want)) || { echo "$*: exit $rc, expected $want"; return 1; }
}

jvpnctl_without_module() {
	if [[ -e /sys/module/jvpn ]]; then
		echo "jvpn is loaded on this host: not the case this checks"
		return 0
	fi
	expect_exit 3 "$STAGE/usr/sbin/jvpnctl" show &&
		expect_exit 3 "$STAGE/usr/sbin/jvpnctl" --json dump &&
		expect_exit 4 "$STAGE/usr/sbin/jvpnctl" --socket "$STAGE/none.sock" policy show &&
		expect_exit 2 "$STAGE/usr/sbin/jvpnctl" frobnicate &&
		expect_exit 2 "$STAGE/usr/sbin/jvpnctl" policy show a b &&
		expect_exit 2 "$STAGE/usr/sbin/jvpnctl" session show 0 &&
		"$STAGE/usr/sbin/jvpnctl" help | grep -q '4 jvpnd not running'
}

# make deb into the stage: both packages, and lintian with every tag shown
# (info and pedantic too) says nothing; an override must carry its reason
# as a comment (debian/*.lintian-overrides).
debs_lintian_clean() {
	local out
	make -s -C "$REPO" deb BUILD="$STAGE/build" >"$STAGE/deb.log" 2>&1 ||
		{ tail -n 30 "$STAGE/deb.log"; return 1; }
	ls "$STAGE"/build/deb/jvpn-dkms_*_all.deb "$STAGE"/build/deb/jvpnd_*.deb || return 1
	out=$(lintian -I -E --pedantic --tag-display-limit 0 "$STAGE"/build/deb/*.changes 2>&1 |
		grep -v 'running with root privileges')
	printf '%s\n' "$out"
	[[ -z $out ]]
}

# deb_has DEB PATH...: each PATH is in the package
deb_has() {
	local deb=$1 list f
	shift
	list=$(dpkg-deb -c "$deb" | awk '{ print $6 }') || return 1
	for f; do
		grep -qx "\./$f" <<<"$list" || { echo "${deb##*/} lacks $f"; return 1; }
	done
}

debs_contents() {
	local ver d=$STAGE/build/deb dkms_conf
	ver=$(cat "$REPO/VERSION")
	[[ $(dpkg-parsechangelog -l "$REPO/debian/changelog" -S Version) == "$ver" ]] ||
		{ echo "debian/changelog is not at VERSION $ver"; return 1; }
	deb_has "$d/jvpnd_${ver}_amd64.deb" usr/sbin/jvpnd usr/sbin/jvpnctl \
		lib/systemd/system/jvpnd@.service usr/share/man/man8/jvpnd.8.gz \
		usr/share/man/man8/jvpnctl.8.gz usr/share/man/man5/jvpnd.conf.5.gz \
		usr/share/bash-completion/completions/jvpnctl \
		"usr/lib/$(dpkg-architecture -qDEB_HOST_MULTIARCH)/wireshark/plugins/jvpn.lua" \
		usr/share/jvpn/prometheus/jvpn-alerts.yml \
		usr/share/jvpn/grafana/jvpn-dashboard.json || return 1
	deb_has "$d/jvpn-dkms_${ver}_all.deb" "usr/src/jvpn-$ver/dkms.conf" \
		"usr/src/jvpn-$ver/Kbuild" "usr/src/jvpn-$ver/kernel/main.c" \
		"usr/src/jvpn-$ver/uapi/jvpn/messages.h" || return 1
	[[ $(dpkg-deb -c "$d/jvpnd_${ver}_amd64.deb" | awk '$6 == "./etc/jvpn/" { print $1 }') == drwx------ ]] ||
		{ echo "/etc/jvpn is not 0700 in the package"; return 1; }
	dkms_conf=$(dpkg-deb --fsys-tarfile "$d/jvpn-dkms_${ver}_all.deb" |
		tar -xOf - "./usr/src/jvpn-$ver/dkms.conf")
	grep -qx "PACKAGE_VERSION=\"$ver\"" <<<"$dkms_conf" ||
		{ echo "the packaged dkms.conf is not for $ver"; return 1; }
	[[ $(dpkg-deb -I "$d/jvpn-dkms_${ver}_all.deb" postinst) == *$'\nDKMS_NAME=jvpn\n'* ]] ||
		{ echo "jvpn-dkms has no dh_dkms postinst"; return 1; }
}

# every message of messages.h decoded by dist/wireshark/jvpn.lua
dissector_decodes_every_message() {
	"$REPO/tools/dist/check-dissector.py" | tail -n 3
	"$REPO/tools/dist/check-dissector.py" >/dev/null
}

alert_rules_check() {
	promtool check rules "$REPO/dist/prometheus/jvpn-alerts.yml" &&
		promtool test rules "$REPO/tools/dist/jvpn-alerts.test.yml"
}

dashboard_and_rules_name_documented_metrics() {
	"$REPO/tools/dist/check-monitoring.py"
}

echo "KTAP version 1"
echo "1..11"
check staged_tree staged_tree
check unit_verifies unit_verifies
check unit_is_notify_and_hardened unit_is_notify_and_hardened
check man_pages_render man_pages_render
check completion_answers completion_answers
check jvpnctl_without_module jvpnctl_without_module
check debs_lintian_clean debs_lintian_clean
check debs_contents debs_contents
check dissector_decodes_every_message dissector_decodes_every_message
check alert_rules_check alert_rules_check
check dashboard_and_rules_name_documented_metrics dashboard_and_rules_name_documented_metrics
echo "$PASS passed, $FAIL failed"
((FAIL == 0))
