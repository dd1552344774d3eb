#!/usr/bin/env bash
# The Debian packages installed the way an operator installs them, in the
# test VM (make deb first; `make check` runs this as the package tier):
#
#	tools/vm/run.sh --timeout 1500 selftests/net/package.sh
#
# The guest's / is the host's, read-only over 9p, so dpkg cannot write it.
# This script lays an overlayfs over it (lower: that /, upper: tmpfs) and
# chroots into the merged tree: dpkg, the maintainer scripts, DKMS and
# depmod run for real and write only the upper layer. /lib/modules of the
# merged tree is what modprobe reads there, so the module loaded is the one
# DKMS just built for the VM's kernel. First the tree is made a machine
# without jvpn (an earlier `make dkms-check` registers jvpn in DKMS on the
# host), and its upper layer is recorded; after purge the upper layer must
# be that record again, but for dpkg's own bookkeeping.
#
# The gateway is started twice from the installed unit: by its own
# ExecStartPre and ExecStart lines in the chroot, and by systemd as PID 1
# of a container on the installed tree (test_unit_under_systemd).
set -uo pipefail

JVPN_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)
. "$JVPN_ROOT/selftests/lib.sh"
. "$JVPN_ROOT/selftests/net/topology.sh"	# expect_eq

VERSION=$(cat "$JVPN_ROOT/VERSION")
DEB_DIR=$JVPN_ROOT/build/deb
KVER=$(uname -r)
PKG=/tmp/pkg
ROOT=$PKG/merged
UPPER=$PKG/upper
GW=gw0

# in_root CMD...: CMD in the installed machine, with a clean environment
in_root() {
	chroot "$ROOT" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
		HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"
}

# The upper layer as "TYPE PATH [SHA256]" lines: what the machine now
# holds that the read-only host root does not (c: a whiteout, a deletion).
# Directories are copied up whenever a child changes, so only those that
# do not exist below count.
snapshot() {
	(
		cd "$UPPER" || exit 1
		find . -mindepth 1 -type d -printf 'd %p\n'
		find . -mindepth 1 -type l -printf 'l %p %l\n'
		find . -mindepth 1 ! -type d ! -type l ! -type f -printf '%y %p\n'
		find . -mindepth 1 -type f -print0 | xargs -0r sha256sum |
			sed -E 's/^([0-9a-f]{64})  (.*)$/f \2 \1/'
	) | while read -r type path rest; do
		if [[ $type == d && -d /${path#./} ]]; then continue; fi
		echo "$type $path $rest"
	done | LC_ALL=C sort
}

# dpkg's and the trigger caches' own records, which a purge rightly keeps
bookkeeping() {
	grep -vE ' \./var/(lib/dpkg|log/dpkg\.log|cache/man|cache/debconf|log/alternatives\.log)(/| |$)'
}

overlay_up() {
	mkdir -p "$PKG"
	mount -t tmpfs -o mode=755 tmpfs "$PKG"
	mkdir -p "$UPPER" "$PKG/work" "$ROOT"
	mount -t overlay overlay -o "lowerdir=/,upperdir=$UPPER,workdir=$PKG/work" "$ROOT" ||
		return 1
	# slaves: unmounting them at the end must not unmount the originals
	mount --rbind /proc "$ROOT/proc" && mount --make-rslave "$ROOT/proc"
	mount --rbind /sys "$ROOT/sys" && mount --make-rslave "$ROOT/sys"
	mount --rbind /dev "$ROOT/dev" && mount --make-rslave "$ROOT/dev"
	# a fresh /run and /tmp: no /run/systemd/system, as on a machine
	# whose init is not systemd (this VM's)
	mount -t tmpfs -o mode=755 tmpfs "$ROOT/run"
	mount -t tmpfs -o mode=1777 tmpfs "$ROOT/tmp"
	mkdir -p "$ROOT/run/lock" "$ROOT$JVPN_ROOT"
	mount --bind "$JVPN_ROOT" "$ROOT$JVPN_ROOT"
}

overlay_down() {
	umount -R "$ROOT" 2>/dev/null || umount -lR "$ROOT" 2>/dev/null
	umount "$PKG" 2>/dev/null || umount -l "$PKG" 2>/dev/null
}

# A machine without jvpn: no DKMS registration, no sources, no package.
clean_machine() {
	local v
	for v in $(in_root dkms status -m jvpn 2>/dev/null | sed -n 's|^jvpn/\([^,:]*\)[,:].*|\1|p' | sort -u); do
		in_root dkms remove -m jvpn -v "$v" --all >/dev/null 2>&1 || true
	done
	rm -rf "$ROOT"/usr/src/jvpn-* "$ROOT/var/lib/dkms/jvpn"
	! in_root dpkg-query -W jvpnd jvpn-dkms >/dev/null 2>&1 ||
		{ echo "jvpn packages installed on the host root"; return 1; }
	! in_root modinfo -k "$KVER" -n jvpn >/dev/null 2>&1 ||
		{ echo "a jvpn module is still installed for $KVER"; return 1; }
	snapshot >"$PKG/baseline"
}

test_install_both() {
	local d
	for d in "$DEB_DIR/jvpn-dkms_${VERSION}_all.deb" "$DEB_DIR"/jvpnd_"${VERSION}"_*.deb; do
		[[ -f $d ]] || test_fail "no $d: run make deb on the host first"
	done
	in_root dpkg -i "$DEB_DIR/jvpn-dkms_${VERSION}_all.deb" "$DEB_DIR"/jvpnd_"${VERSION}"_*.deb
	for d in jvpn-dkms jvpnd; do
		expect_eq "$(in_root dpkg-query -W -f '${Status}' "$d")" "install ok installed" "$d"
	done
}

test_dkms_built_for_vm_kernel() {
	local st path built
	st=$(in_root dkms status -m jvpn -v "$VERSION" -k "$KVER")
	echo "$st"
	grep -q ": installed" <<<"$st"
	path=$(in_root modinfo -k "$KVER" -n jvpn)
	echo "modprobe would load $path"
	[[ $path == /lib/modules/$KVER/updates/dkms/jvpn.ko* ]]
	# written now, into this machine's layer: not a leftover of the host
	# (/lib is a link to usr/lib: the layer holds the real path)
	[[ -f $UPPER$(in_root readlink -f "$path") ]]
	built=$(in_root modinfo -F srcversion "/var/lib/dkms/jvpn/$VERSION/$KVER/x86_64/module/jvpn.ko")
	expect_eq "$(in_root modinfo -k "$KVER" -F srcversion jvpn)" "$built" "srcversion"
	expect_eq "$(in_root modinfo -k "$KVER" -F version jvpn)" "$VERSION" "module version"
}

test_modprobe_loads_it() {
	[[ ! -e /sys/module/jvpn ]] || rmmod jvpn
	in_root modprobe jvpn
	expect_eq "$(cat /sys/module/jvpn/initstate)" live "initstate"
	expect_eq "$(cat /sys/module/jvpn/srcversion)" \
		"$(in_root modinfo -k "$KVER" -F srcversion jvpn)" "loaded srcversion"
	expect_eq "$(cat /sys/module/jvpn/version)" "$VERSION" "loaded version"
}

test_files_in_place() {
	local f
	cmp "$ROOT/lib/systemd/system/jvpnd@.service" "$JVPN_ROOT/dist/jvpnd@.service"
	for f in /usr/sbin/jvpnd /usr/sbin/jvpnctl /usr/share/man/man8/jvpnd.8.gz \
		/usr/share/man/man5/jvpnd.conf.5.gz /usr/share/bash-completion/completions/jvpnctl \
		/usr/share/jvpn/prometheus/jvpn-alerts.yml /usr/share/jvpn/grafana/jvpn-dashboard.json; do
		[[ -e $ROOT$f ]] || test_fail "$f not installed"
	done
	expect_eq "$(stat -c %a "$ROOT/etc/jvpn")" 700 "/etc/jvpn mode"
	in_root jvpnctl version
	# the installed dissector loads by itself: tshark lists the protocol
	if in_root sh -c 'command -v tshark' >/dev/null; then
		in_root tshark -G protocols 2>/dev/null | grep -q "^Jumping VPN	JVPN	jvpn$"
	fi
}

# unit_cmd KEY: the installed unit's command lines for KEY, %i expanded,
# without systemd's "+"/"-" prefixes
unit_cmd() {
	sed -n "s/^$1=[-+@!:]*//p" "$ROOT/lib/systemd/system/jvpnd@.service" | sed "s/%i/$GW/g"
}

gw_conf() {
	local cl_pub
	(umask 077 && in_root jvpnctl genkey >"$ROOT/etc/jvpn/$GW.key")
	cl_pub=$(in_root jvpnctl genkey | in_root jvpnctl pubkey)
	cat >"$ROOT/etc/jvpn/$GW.conf" <<CONF
[interface]
role = gateway
device = jvpn0
listen = 127.0.0.1:$GW_PORT
private-key-file = /etc/jvpn/$GW.key
state-file = /var/lib/jvpnd/$GW.state
control-socket = /run/jvpnd/$GW.sock
event-log = /var/log/jvpnd/$GW.events
profile = mobile

[peer]
name = pkg-client
public-key = $cl_pub
allowed-ips = 172.16.0.2/32
CONF
	chmod 600 "$ROOT/etc/jvpn/$GW.conf"
}

gw_answers() { in_root jvpnctl --socket "/run/jvpnd/$GW.sock" policy show >/dev/null 2>&1; }

test_gateway_starts_from_etc() {
	local cmd
	gw_conf
	# what systemd makes for the unit: State-, Logs-, RuntimeDirectory
	install -d -m 0700 "$ROOT/var/lib/jvpnd" "$ROOT/run/jvpnd"
	install -d -m 0750 "$ROOT/var/log/jvpnd"
	# the operator's part (docs/operations.md, section 3): the device
	ip link add jvpn0 type jvpn
	while read -r cmd; do
		echo "ExecStartPre: $cmd"
		# shellcheck disable=SC2086 # the unit's words
		in_root $cmd
	done < <(unit_cmd ExecStartPre)
	cmd=$(unit_cmd ExecStart)
	echo "ExecStart: $cmd"
	# shellcheck disable=SC2086
	in_root $cmd >"$PKG/gw.log" 2>&1 &
	echo $! >"$PKG/gw.pid"
	wait_until 20 gw_answers || { cat "$PKG/gw.log"; return 1; }
	ss -ulnH "sport = :$GW_PORT" | grep -q .
	in_root jvpnctl show | tee /dev/stderr | grep -q jvpn0
	[[ -s $ROOT/var/log/jvpnd/$GW.events ]]
	in_root jvpnctl --socket "/run/jvpnd/$GW.sock" policy show
}

stop_gateway() {
	if [[ -f $PKG/gw.pid ]]; then
		kill -TERM "$(cat "$PKG/gw.pid")" 2>/dev/null || true
		wait_until 10 sh -c "! kill -0 $(cat "$PKG/gw.pid") 2>/dev/null" || true
		rm -f "$PKG/gw.pid"
	fi
	ip link del jvpn0 2>/dev/null || true
}

# The installed unit under a real systemd as PID 1: that of a container
# (systemd-nspawn --boot) on the installed tree, sharing the VM's network
# and its loaded module; the VM's own PID 1 is the test bed's /init. The
# container boots a second overlay over the installed tree, so what its
# boot writes (journal, random seed, jvpnd's state) is thrown away with
# it and the purge check below judges only the packages. A one-shot unit
# starts jvpnd@gw0, records what systemd says of it, stops it and powers
# the container off.
test_unit_under_systemd() {
	local sd=$PKG/sd out=$PKG/sd/out
	require_cmd systemd-nspawn
	stop_gateway
	ip link add jvpn0 type jvpn
	mountpoint -q /sys/fs/cgroup || mount -t cgroup2 cgroup2 /sys/fs/cgroup
	mkdir -p "$sd/upper" "$sd/work" "$sd/root" "$out"
	mount -t overlay overlay -o "lowerdir=$ROOT,upperdir=$sd/upper,workdir=$sd/work" "$sd/root"
	cat >"$sd/root/etc/systemd/system/pkgtest.service" <<'UNIT'
[Unit]
Description=package test: jvpnd@gw0 under systemd
After=basic.target
[Service]
Type=oneshot
ExecStart=/bin/sh -c 'systemctl start jvpnd@gw0; \
	systemctl is-active jvpnd@gw0 >/out/active; \
	systemctl show -p ActiveState,SubState,StatusText,MainPID jvpnd@gw0 >/out/show; \
	jvpnctl --socket /run/jvpnd/gw0.sock policy show >/out/policy 2>&1; \
	systemctl stop jvpnd@gw0; systemctl is-active jvpnd@gw0 >/out/stopped; \
	journalctl -b -u jvpnd@gw0 --no-pager >/out/journal 2>&1; \
	systemctl poweroff'
UNIT
	cat >"$sd/root/etc/systemd/system/pkgtest.target" <<'UNIT'
[Unit]
Description=package test
Requires=pkgtest.service
After=pkgtest.service
AllowIsolate=yes
UNIT
	# --keep-unit, --register=no: the VM has no systemd or bus to ask
	timeout -k 5 240 systemd-nspawn -q -D "$sd/root" --register=no --keep-unit --boot \
		--capability=CAP_NET_ADMIN --bind="$out:/out" \
		systemd.unit=pkgtest.target >"$sd/nspawn.log" 2>&1 || true
	umount "$sd/root" || umount -l "$sd/root"
	grep -v '^\[' "$sd/nspawn.log" | tail -n 10
	cat "$out/show" "$out/policy" "$out/journal" 2>/dev/null
	expect_eq "$(cat "$out/active" 2>/dev/null)" active "jvpnd@gw0 under systemd"
	grep -q '^StatusText=gateway jvpn0' "$out/show"
	grep -q . "$out/policy"
	expect_eq "$(cat "$out/stopped" 2>/dev/null)" inactive "after systemctl stop"
	ip link del jvpn0
}

test_remove() {
	stop_gateway
	[[ ! -e /sys/module/jvpn ]] || rmmod jvpn
	# the operator's files go first: a purge keeps /etc/jvpn if not empty
	rm -f "$ROOT/etc/jvpn/$GW.conf" "$ROOT/etc/jvpn/$GW.key"
	in_root dpkg -r jvpnd jvpn-dkms
	expect_fail in_root modinfo -k "$KVER" -n jvpn
	[[ -z $(in_root dkms status -m jvpn) ]] || test_fail "dkms still lists jvpn"
	[[ ! -e $ROOT/usr/sbin/jvpnd && ! -e $ROOT/usr/src/jvpn-$VERSION ]]
	expect_eq "$(in_root dpkg-query -W -f '${Status}' jvpnd)" "deinstall ok config-files" "jvpnd"
}

test_purge_leaves_nothing() {
	local left
	in_root dpkg -P jvpnd jvpn-dkms
	expect_fail in_root dpkg-query -W jvpnd jvpn-dkms
	[[ ! -e $ROOT/var/lib/jvpnd && ! -e $ROOT/var/log/jvpnd && ! -e $ROOT/etc/jvpn ]]
	snapshot >"$PKG/after"
	left=$(diff <(bookkeeping <"$PKG/baseline") <(bookkeeping <"$PKG/after")) || true
	[[ -z $left ]] || { echo "purge left, against a machine without jvpn:"; echo "$left"; return 1; }
}

main() {
	if ((EUID != 0)) || [[ -z ${JVPN_VM-} ]]; then
		echo "package.sh: runs as root in the test VM (tools/vm/run.sh)" >&2
		exit 2
	fi
	at_exit overlay_down
	at_exit stop_gateway
	overlay_up || { echo "package.sh: cannot mount an overlay on /" >&2; exit 1; }
	clean_machine || exit 1
	dmesg_mark
	ktap_plan 9
	run_test install_both test_install_both 900
	run_test dkms_built_for_vm_kernel test_dkms_built_for_vm_kernel 60
	run_test modprobe_loads_it test_modprobe_loads_it 60
	run_test files_in_place test_files_in_place 120
	run_test gateway_starts_from_etc test_gateway_starts_from_etc 90
	run_test unit_under_systemd test_unit_under_systemd 300
	run_test remove test_remove 600
	run_test purge_leaves_nothing test_purge_leaves_nothing 600
	run_test dmesg_clean dmesg_check_clean 30
	ktap_finish
}

main "$@"
