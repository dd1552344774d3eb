#!/usr/bin/env bash
# Builds the debug kernel the VM boots with `tools/vm/run.sh --kernel debug`:
# Debian's linux-source-6.1 configured as allnoconfig plus
# tools/vm/debug.config (KASAN, lockdep, UBSAN, kmemleak, netdev refcount
# trackers, and only the drivers and protocols the tests use, built in).
#
#   debug-kernel.sh           build when missing, then print its directory
#   debug-kernel.sh --path    print the directory if built, else exit 1
#
# The directory, $JVPN_CACHE_DIR/debug-kernel/KEY (default cache
# /var/tmp/jvpn-cache), holds vmlinux (booted through PVH), bzImage,
# build/ (the O= tree jvpn.ko is built against: make KDIR=DIR/build) and
# modroot/lib/modules/VERSION (modules.builtin etc., for modprobe in the
# guest). KEY hashes this script (its comment lines left out), debug.config,
# the source tarball and the compiler, so editing any of them builds a new kernel; older ones are
# deleted after a successful build. The source is unpacked once into
# $JVPN_CACHE_DIR/debug-kernel/src, hard-linked from the KUnit tree of
# tools/kunit.sh when that one is from the same tarball.
#
# Environment: JVPN_DEBUG_JOBS (make -j, default 2), JVPN_LINUX_SOURCE
# (tarball, default /usr/src/linux-source-6.1.tar.xz). The build runs under
# nice -n 19; progress goes to stderr every 30 s, the full log to
# DIR.log. docs/testing.md has the measured build time.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
cache=${JVPN_CACHE_DIR:-/var/tmp/jvpn-cache}
tarball=${JVPN_LINUX_SOURCE:-/usr/src/linux-source-6.1.tar.xz}
jobs=${JVPN_DEBUG_JOBS:-2}
fragment=$here/debug.config
top=$cache/debug-kernel
src=$top/src
kunit_src=$cache/kunit/linux-source-6.1

say() { echo "debug-kernel: $*" >&2; }
die() {
	say "error: $*"
	exit 1
}

[[ -f $tarball ]] || die "$tarball missing (tools/install-deps.sh installs linux-source-6.1)"
for c in gcc make flex bison bc perl xz cpio; do
	command -v "$c" >/dev/null || die "$c missing (tools/install-deps.sh)"
done
[[ -f /usr/include/libelf.h ]] || die "libelf.h missing (apt-get install libelf-dev)"

tar_stamp="$(stat -c '%s %Y' "$tarball") $tarball"
key=$({
	grep -v '^[[:space:]]*#' "${BASH_SOURCE[0]}"
	cat "$fragment"
	echo "$tar_stamp"
	gcc --version | head -n 1
} | sha256sum | cut -c1-16)
dir=$top/$key

if [[ ${1-} == --path ]]; then
	[[ -f $dir/.done ]] || exit 1
	echo "$dir"
	exit 0
fi
(($# == 0)) || die "usage: $0 [--path]"

mkdir -p "$top"
exec 9>"$top/.lock"
flock -n 9 || {
	say "waiting for another debug kernel build"
	flock 9
}
if [[ -f $dir/.done ]]; then
	echo "$dir"
	exit 0
fi

# ---- source: unpacked once per tarball --------------------------------------
unpack_source() {
	rm -rf "$src" "$top/src.tmp"
	if [[ -f $kunit_src/.jvpn-extracted &&
		$(cat "$kunit_src/.jvpn-extracted") == "$tar_stamp" ]]; then
		say "hard-linking the source from $kunit_src"
		cp -al "$kunit_src" "$top/src.tmp"
		# tools/kunit.sh hooks its drivers/net/jvpn into these two files;
		# sed -i writes new files, so the KUnit tree keeps its own.
		sed -i '/drivers\/net\/jvpn/d' "$top/src.tmp/drivers/net/Kconfig"
		sed -i '/CONFIG_JVPN_KUNIT_TEST/d' "$top/src.tmp/drivers/net/Makefile"
		rm -rf "$top/src.tmp/drivers/net/jvpn"
	else
		say "unpacking $tarball"
		mkdir -p "$top/src.tmp"
		tar -xf "$tarball" -C "$top/src.tmp" --strip-components=1
	fi
	echo "$tar_stamp" >"$top/src.tmp/.jvpn-extracted"
	mv "$top/src.tmp" "$src"
}
[[ -f $src/.jvpn-extracted && $(cat "$src/.jvpn-extracted") == "$tar_stamp" ]] ||
	unpack_source

# ---- configure --------------------------------------------------------------
rm -rf "$dir"
mkdir -p "$dir/build"
log=$dir.log
: >"$log"
kmake() { nice -n 19 make -C "$src" O="$dir/build" "$@" >>"$log" 2>&1; }

say "configuring (allnoconfig + ${fragment#"$here"/})"
kmake allnoconfig
"$src/scripts/kconfig/merge_config.sh" -m -O "$dir/build" \
	"$dir/build/.config" "$fragment" >>"$log" 2>&1
kmake olddefconfig
# merge_config.sh only warns; a detector silently dropped is no detector.
missing=()
while IFS= read -r line; do
	case $line in
	CONFIG_*=*) grep -qxF "$line" "$dir/build/.config" || missing+=("$line") ;;
	'# CONFIG_'*' is not set') grep -q "^${line:2:-11}=" "$dir/build/.config" &&
		missing+=("$line") ;;
	esac
done <"$fragment"
((${#missing[@]} == 0)) || die "options that did not survive olddefconfig: ${missing[*]}"

# ---- build ------------------------------------------------------------------
say "building in $dir/build (nice -n 19, make -j$jobs; log $log)"
t0=$SECONDS
(
	while sleep 30; do
		n=$(find "$dir/build" -name '*.o' 2>/dev/null | wc -l)
		say "... $(((SECONDS - t0) / 60)) min, $n objects (a full build has about 2600)"
	done
) 9>&- &
ticker=$!
trap 'kill "$ticker" 2>/dev/null || true' EXIT
if ! kmake -j"$jobs" all; then
	grep -E ': (fatal )?error:|undefined reference' "$log" | head -n 20 >&2 || true
	die "build failed after $((SECONDS - t0)) s (log $log)"
fi
kmake INSTALL_MOD_PATH="$dir/modroot" modules_install
kill "$ticker" 2>/dev/null || true
cp "$dir/build/vmlinux" "$dir/vmlinux"
cp "$dir/build/arch/x86/boot/bzImage" "$dir/bzImage"
release=$(cat "$dir/build/include/config/kernel.release")
secs=$((SECONDS - t0))
echo "$release $secs" >"$dir/.done"
say "built $release in $((secs / 60)) min $((secs % 60)) s"
# Kernels of older keys can never be booted again.
find "$top" -mindepth 1 -maxdepth 1 -name '????????????????*' \
	! -name "$key" ! -name "$key.log" -exec rm -rf {} +
echo "$dir"
