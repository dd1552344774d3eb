# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
# What tools/nlgen generates, for regen.sh and check.sh: file -> kind.
# shellcheck disable=SC2034  # used by the scripts that source this
NLGEN_SPEC=docs/netlink/jvpn.yaml
declare -A NLGEN_OUTPUTS=(
	[uapi/linux/jvpn.h]=uapi
	[kernel/netlink-gen.h]=kernel-header
	[kernel/netlink-gen.c]=kernel-source
)
