#!/usr/bin/env bash
# The layering rule, at symbol level: with nm on the object files of a build,
# every reference from one object to a symbol another defines must go to
# the same layer or to a layer of strictly lower rank (tools/lint/layers.txt),
# an acyclic layer's objects must not depend on each other in a cycle, and
# no global symbol may be defined twice. Objects, not sources, because only
# the compiler knows which calls a macro or an inline function really makes.
# The work is done by layers.py (python3 stdlib); this is its front door.
#
# usage: tools/lint/layers.sh [--rules FILE] OBJDIR
#   OBJDIR mirrors the source tree: OBJDIR/daemon/core/sm.o is the object
#   of daemon/core/sm.c. NM names another nm (e.g. for a cross build).
# The last line is "N passed, N failed", counted over objects; exit 1 on
# any violation, 2 on a usage error.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
rules=$here/layers.txt

usage() {
	echo "usage: $0 [--rules FILE] OBJDIR" >&2
	echo "0 passed, 0 failed"
	exit 2
}

need() {
	command -v "$1" >/dev/null 2>&1 && return
	echo "layers: error: $1 not found (package $2)" >&2
	echo "0 passed, 0 failed"
	exit 2
}

while (($#)); do
	case $1 in
	--rules) (($# >= 2)) || usage; rules=$2; shift 2 ;;
	--rules=*) rules=${1#--rules=}; shift ;;
	-h | --help) usage ;;
	-*) usage ;;
	*) break ;;
	esac
done
(($# == 1)) || usage

need python3 python3
need "${NM:-nm}" binutils
exec python3 "$here/layers.py" --rules "$rules" "$1"
