#!/usr/bin/env bash
# Runs a command inside the jvpn test VM and exits with its status.
#
#   tools/vm/run.sh [--kernel stock|debug] [--timeout SECS] [--mem MB]
#                   [--out DIR] SCRIPT [ARGS...]
#   tools/vm/run.sh --shell [--kernel stock|debug] [--timeout SECS] ...
#
# The VM is QEMU (TCG: KVM hangs on these machines, see TESTBED.md) booting
# the Debian kernel KVER (tools/kver.sh, or $KVER; booted from its vmlinux,
# extracted once) with a tiny initramfs (tools/vm/mkinitramfs.sh), both
# cached in $JVPN_CACHE_DIR (default /var/tmp/jvpn-cache). The guest sees
# the host's / read-only, so every installed tool, /lib/modules (with DKMS
# modules) and the work tree are available at the same paths. It has tmpfs
# on /tmp, /var/tmp, /run and /dev/shm, and a writable share at /run/jvpn-out
# ($JVPN_OUT in the guest) whose contents --out copies back to the host.
#
# SCRIPT runs with ARGS from the repository root (the directory holding
# tools/), as root, with stdin from /dev/null and $JVPN_VM=1. Its output
# streams to stdout live; --out DIR also receives console.log, dmesg.log and
# status.
#
# --kernel debug boots the debug kernel of tools/vm/debug-kernel.sh
# (KASAN, lockdep, UBSAN, kmemleak; built first when missing, which takes
# long) with jvpn.ko built against it, in its cache directory, and put in
# place of the work tree's jvpn.ko in the guest (which needs `make` run
# once). After the command the guest scans for kmemleak reports, rmmods
# jvpn and scans again; the run then fails (status 1, if the command
# itself passed) on any KASAN, lockdep, UBSAN, kmemleak, WARNING or BUG
# report in the kernel log, a leak, or an rmmod that did not succeed.
#
# Exit status: the guest command's status; 124 if --timeout (default 1200 s)
# expired; 125 if the guest never reported a status (kernel panic, /init
# failure, QEMU error); 130 if interrupted; 2 on a usage error.
# --shell: an interactive bash in the guest on this terminal (Ctrl-C goes to
# the guest; exit the shell, or type Ctrl-A x, to stop the VM).
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)
readonly REPO
readonly QEMU=qemu-system-x86_64
readonly CACHE_DIR=${JVPN_CACHE_DIR:-/var/tmp/jvpn-cache}
readonly EXIT_TIMEOUT=124 EXIT_NOSTATUS=125 EXIT_INTERRUPTED=130

SHELL_MODE=0
TIMEOUT=1200
TIMEOUT_GIVEN=0
MEM=2048
KERNEL_KIND=stock
DEBUG_DIR=
OUT_DIR=
WORK=
QEMU_PID=
INTERRUPTED=0
CMD=()

say() { echo "run.sh: $*" >&2; }

die() {
	say "$*"
	exit 2
}

usage() {
	sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}" >&2
	exit 2
}

is_uint() { [[ $1 =~ ^[0-9]+$ ]]; }

# Fails unless option $1 is followed by a non-empty value.
need_value() {
	(($# >= 2)) || die "$1 needs a value"
	[[ -n $2 ]] || die "$1 needs a value"
}

parse_args() {
	while (($#)); do
		case $1 in
		--shell) SHELL_MODE=1 ;;
		--timeout)
			need_value "$@"
			is_uint "$2" || die "--timeout needs seconds"
			TIMEOUT=$2 TIMEOUT_GIVEN=1
			shift
			;;
		--kernel)
			need_value "$@"
			[[ $2 == stock || $2 == debug ]] || die "--kernel takes stock or debug"
			KERNEL_KIND=$2
			shift
			;;
		--mem)
			need_value "$@"
			is_uint "$2" || die "--mem needs megabytes"
			MEM=$2
			shift
			;;
		--out)
			need_value "$@"
			OUT_DIR=$2
			shift
			;;
		-h | --help) usage ;;
		--)
			shift
			break
			;;
		-*) die "unknown option $1 (see --help)" ;;
		*) break ;;
		esac
		shift
	done
	CMD=("$@")
	if ((SHELL_MODE)); then
		((${#CMD[@]} == 0)) || die "--shell takes no SCRIPT"
	else
		((${#CMD[@]} > 0)) || die "no SCRIPT given (see --help)"
	fi
}

# Quotes $1 for a POSIX sh: the guest runs the cmd file with /bin/sh (dash).
shq() {
	local s=${1//\'/\'\\\'\'}
	printf "'%s'" "$s"
}

# Escapes $1 for a QEMU option value, where ',' separates options.
qesc() { printf '%s' "${1//,/,,}"; }

# SCRIPT is resolved from the repository root, as in the guest. A path that
# only exists relative to the caller's cwd is made absolute; a missing,
# non-executable or guest-invisible file is reported here rather than as a
# guest exit of 126/127.
resolve_script() {
	local s=${CMD[0]} p
	[[ $s == */* ]] || return 0
	if [[ $s == /* ]]; then
		p=$s
	elif [[ -e $REPO/$s ]]; then
		p=$REPO/$s
	elif [[ -e $PWD/$s ]]; then
		p=$PWD/$s
		CMD[0]=$p
	else
		die "$s: no such file (paths are relative to $REPO)"
	fi
	[[ -f $p && -x $p ]] || die "$p is not an executable file (chmod +x?)"
	if [[ $p != "$REPO"/* ]]; then
		case $p in
		/tmp/* | /var/tmp/* | /run/* | /dev/*)
			die "$p is hidden in the guest, which mounts tmpfs there; keep it in the repository or another host path"
			;;
		esac
	fi
}

check_host() {
	command -v "$QEMU" >/dev/null || die "$QEMU missing (tools/install-deps.sh)"
	command -v timeout >/dev/null || die "timeout (coreutils) missing"
	((EUID == 0)) || say "warning: not root; the guest may not read all of / or write its results"
	KVER=${KVER:-$("$REPO/tools/kver.sh")}
	[[ -r /boot/vmlinuz-$KVER ]] || die "/boot/vmlinuz-$KVER missing (apt-get install linux-image-$KVER)"
}

# Decompresses the vmlinux ELF out of bzImage $1 into $2. Only XZ, which
# Debian uses; the magic may also occur by chance, so a few hits are tried.
extract_vmlinux() {
	local img=$1 out=$2 off
	for off in $(LC_ALL=C grep -abo $'\xfd7zXZ' "$img" | cut -d: -f1 | head -n 3); do
		# xz complains about the bytes after the stream; the ELF check decides.
		tail -c "+$((off + 1))" "$img" | xz -dc >"$out" 2>/dev/null || true
		[[ $(head -c 4 "$out") == $'\x7fELF' ]] && return 0
	done
	return 1
}

# Prints the kernel to boot. Under TCG the bzImage spends about 4 s
# decompressing itself (XZ), longer than the rest of the boot; the
# uncompressed vmlinux boots at once through PVH (CONFIG_PVH), so it is
# extracted once per kernel build and cached. Falls back to the bzImage.
kernel_image() {
	local vmlinuz=/boot/vmlinuz-$KVER key out
	if ! grep -qx 'CONFIG_PVH=y' "/boot/config-$KVER" 2>/dev/null ||
		! command -v xz >/dev/null; then
		echo "$vmlinuz"
		return 0
	fi
	key=$(sha256sum "$vmlinuz" | cut -c1-16)
	out=$CACHE_DIR/vmlinux-$KVER-$key
	if [[ ! -s $out ]]; then
		mkdir -p "$CACHE_DIR"
		if ! extract_vmlinux "$vmlinuz" "$out.$$"; then
			rm -f "$out.$$"
			say "note: cannot extract vmlinux from $vmlinuz; booting it compressed (slower)"
			echo "$vmlinuz"
			return 0
		fi
		mv "$out.$$" "$out"
		# Older extractions of this kernel version can never be hit again.
		find "$CACHE_DIR" -maxdepth 1 -name "vmlinux-$KVER-*" ! -name "${out##*/}" -delete
	fi
	echo "$out"
}

# shellcheck disable=SC2317  # invoked by trap
cleanup() {
	if [[ -n $QEMU_PID ]] && kill -0 "$QEMU_PID" 2>/dev/null; then
		kill -TERM "$QEMU_PID" 2>/dev/null || true
	fi
	[[ -z $WORK ]] || rm -rf -- "$WORK"
}

# The share gets 'repo' (where /init mounts the tree) and 'cmd' (the script
# /init runs in the chroot).
write_share() {
	local share=$1 a line rows cols
	printf '%s\n' "$REPO" >"$share/repo"
	{
		echo "# generated by tools/vm/run.sh"
		echo "cd $(shq "$REPO") || exit 125"
		if ((SHELL_MODE)); then
			# The serial console does not carry the window size or TERM.
			if read -r rows cols < <(stty size 2>/dev/null); then
				echo "stty rows $rows cols $cols 2>/dev/null"
			fi
			echo "export TERM=$(shq "${TERM:-linux}") HISTFILE=/tmp/.bash_history"
			# No profile or ~/.bashrc: the host's may be slow under TCG
			# (pyenv init took over 15 s) or write to the read-only root.
			echo "export PS1='\\u@\\h:\\w\\\$ '"
			echo "echo \"jvpn-vm: results go to \$JVPN_OUT; exit (or Ctrl-A x) powers off\""
			echo "exec /bin/bash --norc -i"
		else
			line='exec'
			for a in "${CMD[@]}"; do line+=" $(shq "$a")"; done
			echo "$line"
		fi
	} >"$share/cmd"
}

# Fills the QEMU array with everything both modes share.
qemu_args() {
	local kernel=$1 initrd=$2 share=$3 mode=run
	((SHELL_MODE)) && mode=shell
	# slab_nomerge: jvpn's own slab caches stay visible in /proc/slabinfo
	# for the leak checks, and their destruction at rmmod checks them.
	# shellcheck disable=SC2054  # commas belong to QEMU option values
	QEMU_ARGS=("$QEMU" -accel tcg -smp 2 -m "$MEM" -nodefaults -no-reboot
		-kernel "$kernel" -initrd "$initrd"
		-append "console=ttyS0 panic=-1 rdinit=/init quiet loglevel=4 slab_nomerge jvpn.mode=$mode jvpn.kernel=$KERNEL_KIND"
		# multidevs=remap: / spans several host filesystems whose inode
		# numbers would otherwise collide in the guest.
		-fsdev "local,id=hostroot,path=/,security_model=none,readonly=on,multidevs=remap"
		-device virtio-9p-pci,fsdev=hostroot,mount_tag=hostroot
		-fsdev "local,id=jvpnrepo,path=$(qesc "$REPO"),security_model=none,readonly=on,multidevs=remap"
		-device virtio-9p-pci,fsdev=jvpnrepo,mount_tag=jvpnrepo
		-fsdev "local,id=jvpnout,path=$(qesc "$share"),security_model=none"
		-device virtio-9p-pci,fsdev=jvpnout,mount_tag=jvpnout)
	# shellcheck disable=SC2054  # commas belong to QEMU option values
	[[ -z $DEBUG_DIR ]] || QEMU_ARGS+=(
		-fsdev "local,id=jvpnkernel,path=$(qesc "$DEBUG_DIR"),security_model=none,readonly=on"
		-device virtio-9p-pci,fsdev=jvpnkernel,mount_tag=jvpnkernel)
}

# --kernel debug: the kernel (built when missing), and jvpn.ko built
# against its tree in DEBUG_DIR/jvpn-module from a copy of the module's
# sources (only changed files are copied, so make rebuilds only those).
prepare_debug_kernel() {
	local src dst f
	DEBUG_DIR=$("$REPO/tools/vm/debug-kernel.sh") || die "the debug kernel did not build"
	read -r KVER _ <"$DEBUG_DIR/.done"
	dst=$DEBUG_DIR/jvpn-module
	mkdir -p "$dst"
	while IFS= read -r -d '' src; do
		f=${src#"$REPO"/}
		mkdir -p "$(dirname "$dst/$f")"
		cmp -s "$src" "$dst/$f" || cp "$src" "$dst/$f"
	done < <(find "$REPO/Kbuild" "$REPO/VERSION" "$REPO/kernel" "$REPO/uapi" \
		-type f \( -name '*.[ch]' -o -name Kbuild -o -name VERSION \) -print0)
	say "building jvpn.ko against the debug kernel $KVER"
	nice -n 10 make -s -C "$DEBUG_DIR/build" M="$dst" \
		JVPN_VERSION="$(cat "$REPO/VERSION")" modules >&2 ||
		die "jvpn.ko did not build against the debug kernel"
}

# --kernel debug: what the guest's kernel reported (see the header).
debug_verdict() {
	local share=$1 bad
	bad=$({
		grep -aE 'BUG:|WARNING:|KASAN|UBSAN|possible circular locking|inconsistent lock state|possible recursive locking|suspicious RCU usage|refcount_t:|ODEBUG:|list_(add|del) corruption|Oops|general protection|ref_tracker' \
			"$share/dmesg.log" 2>/dev/null
		grep -a 'unreferenced object' "$share/kmemleak-before-rmmod.log" \
			"$share/kmemleak.log" 2>/dev/null
		grep -a 'failed' "$share/rmmod.log" 2>/dev/null
	} | head -n 40) || true
	[[ -f $share/dmesg.log ]] || bad="no kernel log came back"
	[[ -n $bad ]] || { say "debug kernel: no reports"; return 0; }
	say "debug kernel REPORTS (a failure):"
	printf '%s\n' "$bad" | sed 's/^/  | /' >&2
	return 1
}

# shellcheck disable=SC2317  # invoked by trap
on_signal() {
	INTERRUPTED=1
	say "interrupted; stopping the VM"
	[[ -z $QEMU_PID ]] || kill -TERM "$QEMU_PID" 2>/dev/null || true
}

# Non-interactive: no monitor, serial on stdio, stdin from /dev/null (CI has
# none, and a tty would be put in raw mode). The console goes through a FIFO
# to tee so it shows live and is kept; background jobs of a non-interactive
# shell ignore SIGINT, so tee survives a Ctrl-C and logs the shutdown.
run_batch() {
	local log=$1 fifo=$WORK/console.fifo tee_pid rc=0
	mkfifo "$fifo"
	tee -- "$log" <"$fifo" &
	tee_pid=$!
	timeout -k 10 "$TIMEOUT" "${QEMU_ARGS[@]}" -display none -serial stdio \
		</dev/null >"$fifo" 2>&1 &
	QEMU_PID=$!
	trap on_signal INT TERM HUP
	wait "$QEMU_PID" || rc=$?
	# A trapped signal interrupts wait before QEMU has gone: wait again.
	while kill -0 "$QEMU_PID" 2>/dev/null; do wait "$QEMU_PID" || rc=$?; done
	QEMU_PID=
	wait "$tee_pid" || true
	trap - INT TERM HUP
	QEMU_RC=$rc
}

# Interactive: the serial console and the monitor muxed on the terminal in
# raw mode; signal=off so Ctrl-C reaches the guest, and Ctrl-A x quits.
# Not -nographic: it turns on SeaBIOS's serial console, which resets the
# terminal and leaves line wrapping off.
run_shell() {
	local -a limit=()
	[[ -t 0 && -t 1 ]] || die "--shell needs a terminal on stdin and stdout"
	((TIMEOUT_GIVEN)) && limit=(timeout --foreground -k 10 "$TIMEOUT")
	say "booting an interactive VM shell (exit it, or Ctrl-A x, to power off)"
	QEMU_RC=0
	"${limit[@]}" "${QEMU_ARGS[@]}" -display none \
		-chardev stdio,id=con,mux=on,signal=off -serial chardev:con \
		-mon chardev=con,mode=readline || QEMU_RC=$?
}

# Copies what the guest left in the share (not the runner's own files).
copy_out() {
	local share=$1 log=$2
	[[ -n $OUT_DIR ]] || return 0
	mkdir -p -- "$OUT_DIR"
	find "$share" -mindepth 1 -maxdepth 1 ! -name cmd ! -name repo \
		-exec cp -R -- {} "$OUT_DIR/" \;
	[[ ! -f $log ]] || tr -d '\r' <"$log" >"$OUT_DIR/console.log"
	say "guest results copied to $OUT_DIR"
}

# Turns what happened into this script's exit status.
verdict() {
	local share=$1 log=$2 elapsed=$3 status='' cause=''
	[[ ! -f $share/status ]] || read -r status <"$share/status" || true
	if is_uint "$status"; then
		((QEMU_RC != EXIT_TIMEOUT && QEMU_RC != 137)) ||
			say "warning: the VM did not power off within ${TIMEOUT} s after the command ended"
		say "guest command exited with status $status (total ${elapsed} s)"
		return "$status"
	fi
	if ((INTERRUPTED)); then
		say "interrupted after ${elapsed} s"
		return $EXIT_INTERRUPTED
	fi
	if ((QEMU_RC == EXIT_TIMEOUT || QEMU_RC == 137)); then
		say "TIMEOUT: the VM was killed after ${TIMEOUT} s (--timeout SECS to change)"
		return $EXIT_TIMEOUT
	fi
	if ((SHELL_MODE)); then
		say "the VM stopped before its shell exited (Ctrl-A x, panic or QEMU error; QEMU exit $QEMU_RC)"
		return $EXIT_NOSTATUS
	fi
	say "the guest reported no status (kernel panic, /init failure or QEMU error; QEMU exit $QEMU_RC)"
	if [[ -f $log ]]; then
		cause=$(grep -m 1 -aE 'Kernel panic|BUG:|Oops|jvpn-vm: FATAL' "$log" | tr -d '\r') || cause=
		[[ -z $cause ]] || say "first sign of trouble: $cause"
		say "last console lines:"
		tail -n 15 "$log" | tr -d '\r' | sed 's/^/  | /' >&2
	fi
	return $EXIT_NOSTATUS
}

main() {
	local kernel initrd share log start elapsed rc=0
	parse_args "$@"
	((SHELL_MODE)) || resolve_script
	check_host
	if [[ $KERNEL_KIND == debug ]]; then
		prepare_debug_kernel
		# the bzImage: booting its vmlinux through PVH ended at once in a
		# reset, before any console output (KASAN's early set-up?)
		kernel=$DEBUG_DIR/bzImage
		initrd=$("$REPO/tools/vm/mkinitramfs.sh" --cached-builtin "$KVER")
	else
		kernel=$(kernel_image)
		initrd=$("$REPO/tools/vm/mkinitramfs.sh" --cached "$KVER")
	fi
	WORK=$(mktemp -d "${TMPDIR:-/var/tmp}/jvpn-vm.XXXXXX")
	trap cleanup EXIT
	share=$WORK/out
	log=$WORK/console.log
	mkdir -m 755 "$share"
	write_share "$share"
	qemu_args "$kernel" "$initrd" "$share"
	start=$(date +%s.%N)
	if ((SHELL_MODE)); then run_shell; else run_batch "$log"; fi
	elapsed=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')
	copy_out "$share" "$log"
	verdict "$share" "$log" "$elapsed" || rc=$?
	if [[ $KERNEL_KIND == debug && $rc != "$EXIT_INTERRUPTED" ]] &&
		! debug_verdict "$share" && ((rc == 0)); then
		rc=1
	fi
	exit "$rc"
}

main "$@"
