#!/usr/bin/env bash
# Self-test of tools/lint/layers.sh: compiles tiny C files into fake object
# trees in a temporary directory (one tree per case) and checks that the
# layering check passes the clean tree and fails each kind of violation
# (upward call, sibling call, cycle, duplicate definition, ...) with the
# right message. Needs cc, nm and python3; no repository file is touched.
# KTAP-style lines; the last line is "N passed, N failed".
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cc=${CC:-cc}
n=0 passed=0 failed=0

# The test's own rules, shaped like layers.txt (which may change).
cat >"$tmp/rules.txt" <<'EOF'
# test rules
lib	0 lib
core	1 daemon/core	acyclic
config	2 daemon/config	acyclic
io	2 daemon/io	acyclic
shell	3 daemon	acyclic
main	4 daemon/main.o	acyclic
tools	3 tools/jvpnk tools/jvpnctl tools/bench
EOF

# unit CASE PATH.c CODE: compiles CODE as PATH.c into CASE's object tree.
unit() {
	local src=$tmp/$1/src/$2 obj=$tmp/$1/obj/${2%.c}.o
	mkdir -p "$(dirname "$src")" "$(dirname "$obj")"
	printf '%s\n' "$3" >"$src"
	"$cc" -std=c11 -O0 -c "$src" -o "$obj"
}

report() {	# NAME OK OUTPUT
	n=$((n + 1))
	if (($2)); then
		passed=$((passed + 1))
		echo "ok $n $1"
	else
		failed=$((failed + 1))
		echo "not ok $n $1"
		printf '# %s\n' "${3//$'\n'/$'\n'# }"
	fi
}

# expect NAME STATUS CASE|- [--rules FILE] LINE...: runs layers.sh on CASE's
# objects; wants exit STATUS and every LINE in the output, exactly.
expect() {
	local name=$1 want=$2 case=$3 out rc=0 ok=1 line
	shift 3
	local args=(--rules "$tmp/rules.txt")
	if [[ ${1:-} == --rules ]]; then
		args=()
		[[ $2 == default ]] || args=(--rules "$2")
		shift 2
	fi
	[[ $case == - ]] || args+=("$tmp/$case/obj")
	out=$("$here/layers.sh" "${args[@]}" 2>&1) || rc=$?
	((rc == want)) || { ok=0; out+=$'\n'"(exit $rc, want $want)"; }
	for line in "$@"; do
		grep -qxF -- "$line" <<<"$out" || { ok=0; out+=$'\n'"(missing: $line)"; }
	done
	report "$name" "$ok" "$out"
}

clean_tree() {
	unit clean lib/util.c '#include <stdio.h>
int util_add(int a, int b) { printf("x"); return a + b; }
__attribute__((weak)) int util_hook(void) { return 0; }'
	unit clean lib/hook.c 'int util_hook(void) { return 1; }'
	unit clean daemon/core/sm.c 'int util_add(int, int);
int sm_step(int x) { return util_add(x, 1); }'
	unit clean daemon/core/policy.c 'int sm_step(int);
int policy_pick(int x) { return sm_step(x); }'
	unit clean daemon/io/udp.c 'int sm_step(int);
int udp_send(int x) { return sm_step(x); }'
	unit clean daemon/config/config.c 'int util_add(int, int);
int config_load(void) { return util_add(1, 2); }'
	unit clean daemon/daemon.c 'int udp_send(int); int policy_pick(int);
int config_load(void); int util_hook(void);
int daemon_run(void) { return udp_send(1) + policy_pick(2) + config_load() + util_hook(); }'
	unit clean daemon/control.c 'int daemon_run(void);
int control_tick(void) { return daemon_run(); }'
	unit clean daemon/main.c 'int daemon_run(void);
int main(void) { return daemon_run(); }'
	# one layer over two directories, and not acyclic: both allowed
	unit clean tools/jvpnk/parse.c 'int ctl_name(void);
int parse_u64(void) { return ctl_name(); }'
	unit clean tools/jvpnctl/ctl.c 'int parse_u64(void); int util_add(int, int);
int ctl_name(void) { return 0; }
int ctl_main(void) { return parse_u64() + util_add(1, 1); }'
}

violations() {
	unit upward daemon/core/sm.c 'int daemon_foo(void);
int sm_step(void) { return daemon_foo(); }'
	unit upward daemon/daemon.c 'int daemon_foo(void) { return 0; }'

	unit data daemon/core/sm.c 'extern int daemon_state;
int sm_step(void) { return daemon_state; }'
	unit data daemon/daemon.c 'int daemon_state = 3;'

	unit sibling daemon/config/config.c 'int udp_send(void);
int config_load(void) { return udp_send(); }'
	unit sibling daemon/io/udp.c 'int udp_send(void) { return 0; }'

	unit cycle daemon/core/a.c 'int b_fn(void);
int a_fn(void) { return b_fn(); }'
	unit cycle daemon/core/b.c 'int a_fn(void);
int b_fn(void) { return 0; } int b_other(void) { return a_fn(); }'
	unit cycle daemon/core/c.c 'int a_fn(void);
int c_fn(void) { return a_fn(); }'

	unit dup lib/x.c 'int dup_fn(void) { return 1; }'
	unit dup lib/y.c 'int dup_fn(void) { return 2; }'
	unit dup lib/z.c 'int dup_fn(void); int z_fn(void) { return dup_fn(); }'

	unit mainwins daemon/main.c 'int main_hook(void) { return 0; }
int main(void) { return 0; }'
	unit mainwins daemon/daemon.c 'int main_hook(void);
int daemon_run(void) { return main_hook(); }'

	unit subdir daemon/extra/z.c 'int z_fn(void) { return 0; }'
	unit subdir daemon/daemon.c 'int daemon_run(void) { return 0; }'
}

clean_tree
violations

expect "clean tree passes" 0 clean "11 passed, 0 failed"
expect "clean tree passes tools/lint/layers.txt" 0 clean --rules default \
	"11 passed, 0 failed"
expect "upward call" 1 upward \
	"layers: daemon/core/sm.o (core) calls daemon_foo in daemon/daemon.o (shell): upward call" \
	"1 passed, 1 failed"
expect "upward reference to data" 1 data \
	"layers: daemon/core/sm.o (core) calls daemon_state in daemon/daemon.o (shell): upward call" \
	"1 passed, 1 failed"
expect "sibling call (equal rank, other layer)" 1 sibling \
	"layers: daemon/config/config.o (config) calls udp_send in daemon/io/udp.o (io): sibling call" \
	"1 passed, 1 failed"
expect "two-object cycle" 1 cycle \
	"layers: cycle in acyclic layer core: daemon/core/a.o -> daemon/core/b.o -> daemon/core/a.o" \
	"layers:     daemon/core/a.o -> daemon/core/b.o: b_fn" \
	"layers:     daemon/core/b.o -> daemon/core/a.o: a_fn" \
	"1 passed, 2 failed"
expect "duplicate definition" 1 dup \
	"layers: dup_fn defined in lib/x.o, lib/y.o: duplicate definition" \
	"1 passed, 2 failed"
expect "single-object entry wins over its directory" 1 mainwins \
	"layers: daemon/daemon.o (shell) calls main_hook in daemon/main.o (main): upward call" \
	"1 passed, 1 failed"
expect "directory entry does not cover subdirectories" 1 subdir \
	"layers: daemon/extra/z.o: in no layer of $tmp/rules.txt" \
	"1 passed, 1 failed"
expect "usage error without OBJDIR" 2 - "0 passed, 0 failed"

echo "$passed passed, $failed failed"
((failed == 0))
