#!/usr/bin/env bash
# Builds and runs jvpn.ko's KUnit suites (selftests/kunit/) on UML.
#
# A scratch copy of Debian's linux-source-6.1 is kept outside the repository
# (extracted once, then reused); kernel/*.[ch], uapi/ and selftests/kunit/*
# are copied into its drivers/net/jvpn/ (only files that changed, so a
# rebuild recompiles only those), and tools/testing/kunit/kunit.py builds a
# UML kernel and boots it. The raw KTAP output is saved to a file whose path
# is printed, and the last line is always
#   kunit: N passed, N failed, N skipped
# counted over test cases (not suites) from that KTAP. Exit status: 0 when
# the build succeeded and no test case failed or went missing.
#
# Environment (all optional):
#   JVPN_KUNIT_DIR    scratch directory        (/var/tmp/jvpn-cache/kunit)
#   JVPN_LINUX_SOURCE source tarball  (/usr/src/linux-source-6.1.tar.xz)
#   JVPN_KUNIT_JOBS   make jobs                (2)
#   JVPN_KUNIT_TIMEOUT seconds the UML kernel may run (300)
# Arguments are passed to kunit.py as a filter glob, e.g. 'jvpn_replay.*'.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
work=${JVPN_KUNIT_DIR:-/var/tmp/jvpn-cache/kunit}
tarball=${JVPN_LINUX_SOURCE:-/usr/src/linux-source-6.1.tar.xz}
jobs=${JVPN_KUNIT_JOBS:-2}
timeout=${JVPN_KUNIT_TIMEOUT:-300}
filter=${1:-jvpn_*}

src=$work/linux-source-6.1
build=$work/build
dest=$src/drivers/net/jvpn
ktap=$work/kunit.ktap
runlog=$work/kunit-run.log

say() { echo "kunit: $*"; }

summary() {	# the one closing line, whatever happened
	echo "kunit: $1 passed, $2 failed, $3 skipped"
}

die() {
	echo "kunit: error: $*" >&2
	summary 0 0 0
	exit 2
}

case $repo in
"$work"/*) die "the scratch directory $work must not be inside the repository" ;;
esac
for f in kernel/replay.c uapi/linux/jvpn.h selftests/kunit/.kunitconfig \
	 selftests/kunit/Kconfig selftests/kunit/Makefile; do
	[[ -f $repo/$f ]] || die "$repo/$f missing: not a jvpn checkout?"
done

# ---- tools ----------------------------------------------------------------
need_pkgs=()
for c in gcc:build-essential make:build-essential flex:flex bison:bison \
	 bc:bc python3:python3 xz:xz-utils cmp:diffutils flock:util-linux; do
	command -v "${c%%:*}" >/dev/null 2>&1 || need_pkgs+=("${c#*:}")
done
[[ -f $tarball ]] || need_pkgs+=(linux-source-6.1)
if ((${#need_pkgs[@]})); then
	mapfile -t need_pkgs < <(printf '%s\n' "${need_pkgs[@]}" | sort -u)
	((EUID == 0)) || die "missing: ${need_pkgs[*]} (install them, or run as root)"
	say "installing ${need_pkgs[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}" >/dev/null
	[[ -f $tarball ]] || die "$tarball still missing after installing linux-source-6.1"
fi

# One runner at a time per scratch tree (other clones share it).
mkdir -p "$work"
exec 9>"$work/.lock"
if ! flock -n 9; then
	say "waiting for another kunit run on $work"
	flock 9
fi

# ---- scratch tree: extract once, reuse --------------------------------------
stamp=$src/.jvpn-extracted
want_stamp="$(stat -c '%s %Y' "$tarball") $tarball"
if [[ ! -f $stamp || $(cat "$stamp") != "$want_stamp" ]]; then
	say "extracting $tarball into $work (once)"
	t0=$SECONDS
	rm -rf "$src" "$build" "$work/extract.tmp"
	mkdir -p "$work/extract.tmp"
	tar -xf "$tarball" -C "$work/extract.tmp"
	top=$(find "$work/extract.tmp" -mindepth 1 -maxdepth 1 -type d)
	[[ -f $top/tools/testing/kunit/kunit.py ]] ||
		die "$tarball does not hold a kernel tree with kunit.py"
	mv "$top" "$src"
	rmdir "$work/extract.tmp"
	echo "$want_stamp" >"$stamp"
	say "extracted in $((SECONDS - t0)) s"
fi

# ---- sync the module's sources and the suites -------------------------------
# Copies only what differs (the copy gets a fresh mtime, so make rebuilds it;
# an unchanged file keeps its old one) and deletes what no longer exists.
declare -A keep=()
copied=0
sync_file() {	# <source file> <path relative to $dest>
	keep[$2]=1
	if ! cmp -s "$1" "$dest/$2"; then
		mkdir -p "$(dirname "$dest/$2")"
		cp -f "$1" "$dest/$2"
		copied=$((copied + 1))
	fi
}
mkdir -p "$dest"
shopt -s nullglob
for f in "$repo"/kernel/*.c "$repo"/kernel/*.h; do
	sync_file "$f" "${f##*/}"
done
while IFS= read -r -d '' f; do
	sync_file "$f" "uapi/${f#"$repo"/uapi/}"
done < <(find "$repo/uapi" -type f -print0)
while IFS= read -r -d '' f; do	# includes .kunitconfig
	sync_file "$f" "${f##*/}"
done < <(find "$repo/selftests/kunit" -maxdepth 1 -type f -print0)
while IFS= read -r -d '' f; do
	rel=${f#"$dest"/}
	[[ -n ${keep[$rel]:-} ]] || { rm -f "$f"; copied=$((copied + 1)); }
done < <(find "$dest" -type f -print0)
say "synced $repo into $dest ($copied file(s) changed)"

add_line() {	# <file> <line>: appends once
	grep -qxF "$2" "$1" || printf '\n%s\n' "$2" >>"$1"
}
# At the end of drivers/net/Kconfig: outside "if NETDEVICES".
add_line "$src/drivers/net/Kconfig" 'source "drivers/net/jvpn/Kconfig"'
# shellcheck disable=SC2016 # a literal make variable
add_line "$src/drivers/net/Makefile" 'obj-$(CONFIG_JVPN_KUNIT_TEST) += jvpn/'

# ---- build and run ---------------------------------------------------------
rm -f "$build/test.log" "$ktap"
say "building UML kernel in $build (-j$jobs) and running '$filter'"
if [[ -f $build/vmlinux ]]; then
	say "(a rebuild: about 15 s)"
else
	say "(a first build: about 4 min on 2 cores)"
fi

# kunit.py shows nothing while make runs: report progress now and then.
(
	start=$SECONDS
	while sleep 20; do
		n=$(find "$build" -name '*.o' 2>/dev/null | wc -l)
		say "... $((SECONDS - start)) s, $n objects in the build directory"
	done
) 9>&- &
ticker=$!
trap 'kill "$ticker" 2>/dev/null || true' EXIT

t0=$SECONDS
set +e
(cd "$src" && python3 -u tools/testing/kunit/kunit.py run \
	--kunitconfig=drivers/net/jvpn/.kunitconfig \
	--build_dir="$build" --jobs "$jobs" --timeout "$timeout" \
	"$filter") 2>&1 | grep --line-buffered -v "^stty: 'standard input'" | tee "$runlog"
rc=${PIPESTATUS[0]}
set -e
kill "$ticker" 2>/dev/null || true
wait "$ticker" 2>/dev/null || true
say "kunit.py exited $rc after $((SECONDS - t0)) s (log: $runlog)"

if [[ ! -s $build/test.log ]]; then
	echo "kunit: configuring or building the UML kernel failed" >&2
	pat=': (fatal )?error:|undefined reference|multiple definition|^ERROR: modpost'
	if grep -qE "$pat" "$runlog"; then
		echo "---- compiler errors ----" >&2
		grep -E -A4 "$pat" "$runlog" | grep -v '^make\[' | head -n 80 >&2
	else
		tail -n 40 "$runlog" >&2
	fi
	summary 0 0 0
	exit 1
fi

# The raw KTAP, as kunit.py itself extracts it from the kernel's log.
(cd "$src" && python3 tools/testing/kunit/kunit.py parse --raw_output=kunit \
	"$build/test.log") >"$ktap"
say "raw KTAP: $ktap (full kernel log: $build/test.log)"

# Counts leaf results (test cases, not suites); a case a plan announced but
# that never reported (the kernel crashed or hung) counts as failed.
read -r passed failed skipped problems < <(python3 - "$ktap" <<'EOF'
import re, sys

result = re.compile(r'^(\s*)(not ok|ok) [0-9]+\b(.*)$')
plan = re.compile(r'^(\s*)1\.\.([0-9]+)\s*$')
passed = failed = skipped = problems = 0
open_plans = {}		# indent -> [planned, reported]
prev_indent = None
saw_result = False

def close_deeper(indent):
	global failed, problems
	for i in [i for i in open_plans if i > indent]:
		planned, seen = open_plans.pop(i)
		if seen < planned:
			failed += planned - seen
			problems += 1

for line in open(sys.argv[1], errors='replace'):
	line = line.rstrip('\n')
	m = plan.match(line)
	if m:
		indent = len(m.group(1))
		close_deeper(indent - 1)
		open_plans[indent] = [int(m.group(2)), 0]
		continue
	m = result.match(line)
	if not m:
		continue
	indent = len(m.group(1))
	saw_result = True
	if indent in open_plans:
		open_plans[indent][1] += 1
	close_deeper(indent)
	# A parent's result line directly follows its last child's.
	leaf = prev_indent is None or prev_indent <= indent
	prev_indent = indent
	if not leaf:
		continue
	if m.group(2) == 'not ok':
		failed += 1
	elif re.search(r'#\s*SKIP', m.group(3), re.I):
		skipped += 1
	else:
		passed += 1
close_deeper(-1)
if not saw_result:
	problems += 1
print(passed, failed, skipped, problems)
EOF
)

status=0
if ((problems)); then
	echo "kunit: KTAP incomplete: no results, or planned tests never reported (crash?)" >&2
	status=1
fi
((failed == 0)) || status=1
if ((rc != 0 && status == 0)); then
	echo "kunit: kunit.py reported failure although every case passed" >&2
	status=1
fi
summary "$passed" "$failed" "$skipped"
exit "$status"
