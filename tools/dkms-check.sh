#!/usr/bin/env bash
# Proves that the work tree installs through DKMS, the way an operator
# installs it, and leaves the module installed for the test VM (which shares
# the host's /lib/modules, so `modprobe jvpn` in the guest loads this build).
#
#   tools/dkms-check.sh            (as root; KVER=... to pick the kernel)
#
# Steps, each reported as a KTAP line: read PACKAGE_NAME/PACKAGE_VERSION
# from dkms.conf (the version must match VERSION), remove any earlier
# registration of the package, copy the sources the build needs to
# /usr/src/<name>-<version>, dkms add/build/install for KVER (tools/kver.sh),
# then check what modinfo reports for the installed module. Idempotent: every
# run starts from a clean registration. Exits 1 if any step failed.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
readonly REPO
# Only what Kbuild needs: no build output, no userspace, no tests.
readonly SOURCES=(Kbuild Makefile dkms.conf VERSION kernel uapi)

NAME='' VER='' KVER='' SRC_DIR='' LOG='' STEP_OUT=''
N=0 PASS=0 FAIL=0 SKIP=0 BROKEN=''
readonly PLAN=12

# ---- KTAP ---------------------------------------------------------------------

ok() {
	N=$((N + 1)) PASS=$((PASS + 1))
	echo "ok $N $1"
}

# not_ok NAME WHY: a failure; every later step is skipped.
not_ok() {
	N=$((N + 1)) FAIL=$((FAIL + 1))
	echo "# $2"
	echo "not ok $N $1"
	BROKEN=$1
}

skip() {
	N=$((N + 1)) SKIP=$((SKIP + 1))
	echo "ok $N $1 # SKIP $2"
}

# step NAME FUNC: runs FUNC (in this shell: it may set globals) unless an
# earlier step failed. FUNC prints diagnostics and returns nonzero on
# failure, with the reason as its last line.
step() {
	local name=$1 func=$2 rc=0
	if [[ -n $BROKEN ]]; then
		skip "$name" "$BROKEN failed"
		return 0
	fi
	"$func" >"$STEP_OUT" 2>&1 || rc=$?
	if ((rc == 0)); then
		sed 's/^/# /' "$STEP_OUT"
		ok "$name"
	else
		sed '$d' "$STEP_OUT" | sed 's/^/# /'
		not_ok "$name" "$(tail -n 1 "$STEP_OUT")"
	fi
}

finish() {
	echo "# $PASS passed, $FAIL failed, $SKIP skipped"
	((FAIL == 0))
}

# ---- steps ---------------------------------------------------------------------

# Prints PACKAGE_NAME and PACKAGE_VERSION from dkms.conf, sourced as dkms
# does (it is shell), in a subshell so that it cannot touch this script. Its
# MAKE lines refer to dkms variables, unset here, so nounset is off.
conf_vars() {
	(
		cd "$REPO" || exit 1
		set +eu
		# shellcheck source=/dev/null
		. ./dkms.conf >/dev/null 2>&1
		printf '%s\n%s\n' "${PACKAGE_NAME-}" "${PACKAGE_VERSION-}"
	)
}

read_conf() {
	local conf=$REPO/dkms.conf file_ver
	[[ -r $conf ]] || {
		echo "no $conf"
		return 1
	}
	{ read -r NAME && read -r VER; } < <(conf_vars) || true
	[[ -n $NAME && -n $VER ]] || {
		echo "dkms.conf sets no PACKAGE_NAME or PACKAGE_VERSION"
		return 1
	}
	file_ver=$(tr -d '[:space:]' <"$REPO/VERSION" 2>/dev/null) || file_ver=''
	[[ $VER == "$file_ver" ]] || {
		echo "dkms.conf says version $VER but VERSION says '$file_ver'"
		return 1
	}
	SRC_DIR=/usr/src/$NAME-$VER
	echo "package $NAME/$VER for kernel $KVER"
}

# Removes every registered version of the package: an older install of the
# same module in updates/dkms would make dkms refuse or shadow this one.
remove_old() {
	local v
	for v in $(dkms status -m "$NAME" 2>/dev/null |
		sed -n "s|^$NAME/\([^,:]*\)[,:].*|\1|p" | sort -u); do
		echo "removing $NAME/$v"
		dkms remove -m "$NAME" -v "$v" --all >/dev/null 2>&1 || true
	done
	# Not registered, or registered then deleted: dkms leaves both behind.
	dkms remove -m "$NAME" -v "$VER" --all >/dev/null 2>&1 || true
	rm -rf -- "$SRC_DIR" "/var/lib/dkms/$NAME/$VER"
	if dkms status -m "$NAME" -v "$VER" 2>/dev/null | grep -q .; then
		echo "$NAME/$VER is still registered"
		return 1
	fi
}

# Prints the files to copy, NUL-separated, relative to the repository. Git
# decides when this is a checkout (tracked files plus new, not ignored ones:
# the tree may be mid-edit); build output never goes in either way.
list_sources() {
	local f
	if git -C "$REPO" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
		git -C "$REPO" ls-files -z --cached --others --exclude-standard -- "${SOURCES[@]}"
	else
		(cd "$REPO" && find "${SOURCES[@]}" -type f -print0 2>/dev/null)
	fi | while IFS= read -r -d '' f; do
		case ${f##*/} in
		*.o | *.ko | *.mod | *.mod.c | *.cmd | *.a | *.order | *.symvers | *.dwo | .tmp*) continue ;;
		esac
		[[ -f $REPO/$f ]] && printf '%s\0' "$f"
	done
}

copy_sources() {
	local n
	mkdir -p "$SRC_DIR"
	list_sources | tar -C "$REPO" --null -T - -cf - | tar -C "$SRC_DIR" -xf -
	n=$(find "$SRC_DIR" -type f | wc -l)
	[[ -f $SRC_DIR/dkms.conf && -d $SRC_DIR/kernel ]] || {
		echo "$SRC_DIR lacks dkms.conf or kernel/ after the copy"
		return 1
	}
	echo "$n files in $SRC_DIR"
}

# Runs a dkms action, keeping its chatter in $LOG and showing it on failure.
dkms_do() {
	local action=$1
	shift
	if ! dkms "$action" -m "$NAME" -v "$VER" "$@" >"$LOG" 2>&1; then
		tail -n 25 "$LOG"
		echo "dkms $action failed"
		return 1
	fi
}

dkms_add() { dkms_do add; }

dkms_build() {
	local t0=$SECONDS mlog=/var/lib/dkms/$NAME/$VER/build/make.log
	if ! dkms_do build -k "$KVER"; then
		[[ ! -f $mlog ]] || tail -n 40 "$mlog"
		echo "dkms build failed (full log: $mlog)"
		return 1
	fi
	echo "built in $((SECONDS - t0)) s"
}

dkms_install() { dkms_do install -k "$KVER"; }

dkms_installed() {
	local st
	st=$(dkms status -m "$NAME" -v "$VER" -k "$KVER" 2>&1)
	echo "$st"
	grep -q ': installed' <<<"$st" || {
		echo "dkms does not report $NAME/$VER installed for $KVER"
		return 1
	}
}

# The module modprobe would load for KVER must be the one dkms installed.
modinfo_path() {
	local path
	path=$(modinfo -k "$KVER" -n "$NAME" 2>&1) || {
		echo "$path"
		echo "modinfo -k $KVER cannot find $NAME"
		return 1
	}
	echo "$path"
	[[ $path == */updates/dkms/* ]] || {
		echo "$NAME resolves to $path, not the DKMS build"
		return 1
	}
}

# modinfo_field FIELD [EXPECTED]: the field is set (and equals EXPECTED).
modinfo_field() {
	local field=$1 want=${2-} got
	got=$(modinfo -k "$KVER" -F "$field" "$NAME" 2>/dev/null) || got=''
	echo "$field: $got"
	[[ -n $got ]] || {
		echo "modinfo shows no $field"
		return 1
	}
	[[ -z $want || $got == "$want" ]] || {
		echo "$field is '$got', expected '$want'"
		return 1
	}
}

modinfo_version() { modinfo_field version "$VER"; }
modinfo_license() { modinfo_field license; }
modinfo_description() { modinfo_field description; }

modinfo_vermagic() {
	modinfo_field vermagic || return 1
	[[ $(modinfo -k "$KVER" -F vermagic "$NAME") == "$KVER "* ]] || {
		echo "vermagic is not for $KVER"
		return 1
	}
}

# ---- main ----------------------------------------------------------------------

preflight() {
	((EUID == 0)) || {
		echo "dkms-check: must run as root (writes /usr/src and /lib/modules)" >&2
		exit 2
	}
	command -v dkms >/dev/null || {
		echo "dkms-check: dkms is not installed (tools/install-deps.sh)" >&2
		exit 2
	}
	KVER=${KVER:-$("$REPO/tools/kver.sh")}
	[[ -d /lib/modules/$KVER/build ]] || {
		echo "dkms-check: no headers for $KVER (linux-headers-$KVER)" >&2
		exit 2
	}
}

main() {
	preflight
	LOG=$(mktemp "${TMPDIR:-/tmp}/dkms-check.XXXXXX")
	STEP_OUT=$(mktemp "${TMPDIR:-/tmp}/dkms-check.XXXXXX")
	# shellcheck disable=SC2064  # the names are fixed from here on
	trap "rm -f '$LOG' '$STEP_OUT'" EXIT
	echo "KTAP version 1"
	echo "1..$PLAN"
	step dkms_conf read_conf
	step remove_previous remove_old
	step copy_sources copy_sources
	step dkms_add dkms_add
	step dkms_build dkms_build
	step dkms_install dkms_install
	step dkms_status dkms_installed
	step modinfo_path modinfo_path
	step modinfo_version modinfo_version
	step modinfo_license modinfo_license
	step modinfo_description modinfo_description
	step modinfo_vermagic modinfo_vermagic
	finish
}

main "$@"
