#!/usr/bin/env bash
# Installs, from Debian's archive, every package the build, the VM test bed,
# KUnit, the benchmarks and the packaging tier (make deb, lintian, tshark,
# promtool) need. Idempotent: only what is missing is fetched.
set -euo pipefail

packages=(
	build-essential pkg-config flex bison bc xz-utils python3 python3-yaml cpio spin
	linux-image-amd64 linux-headers-amd64 linux-source-6.1 libelf-dev
	qemu-system-x86 busybox-static kmod iproute2 iputils-ping
	libmnl-dev libsodium-dev libcmocka-dev
	clang clang-format libclang-rt-14-dev
	dkms iperf3 nftables conntrack tcpdump
	bash-completion man-db systemd util-linux
	wireguard-tools gnuplot-nox valgrind jq
	debhelper dh-dkms lintian tshark prometheus systemd-container
)

missing=()
for p in "${packages[@]}"; do
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	[[ $status == "install ok installed" ]] || missing+=("$p")
done

if ((${#missing[@]} == 0)); then
	echo "install-deps: all ${#packages[@]} packages present"
	exit 0
fi

if ((EUID != 0)); then
	echo "install-deps: missing packages (${missing[*]}); run as root" >&2
	exit 1
fi

echo "install-deps: installing ${#missing[@]} packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
