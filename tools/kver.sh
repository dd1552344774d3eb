#!/bin/sh
# Prints the kernel version jvpn.ko is built for: the running kernel when its
# build tree is installed, else the newest installed Debian -amd64 headers.
if [ -d "/lib/modules/$(uname -r)/build" ]; then
	uname -r
	exit 0
fi
newest=$(ls -d /usr/src/linux-headers-*-amd64 2>/dev/null | sort -V | tail -n 1)
[ -n "$newest" ] || { echo "kver: no linux-headers-*-amd64 installed" >&2; exit 1; }
basename "$newest" | sed 's/^linux-headers-//'
