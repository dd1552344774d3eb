#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
# Regenerates every file docs/netlink/jvpn.yaml is the source of:
#
#	tools/nlgen/regen.sh
#
# Run it after changing the spec, and commit the spec and its outputs
# together; tools/nlgen/check.sh fails while they disagree.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
. tools/nlgen/outputs.sh

for out in "${!NLGEN_OUTPUTS[@]}"; do
	python3 tools/nlgen/nlgen.py "$NLGEN_SPEC" "${NLGEN_OUTPUTS[$out]}" \
		>"$out.nlgen-tmp"
	if cmp -s "$out" "$out.nlgen-tmp"; then
		rm "$out.nlgen-tmp"
	else
		mv "$out.nlgen-tmp" "$out"
		echo "regen: wrote $out"
	fi
done
