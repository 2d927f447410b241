#!/bin/bash
# Install everything sriov-nic needs on Debian 12 (bookworm), idempotently.
# Sources: bookworm, bookworm-backports (binaries), trixie (deb-src only,
# for the QEMU 10.0 source package). Never adds trixie as a binary source.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" = 0 ] || die "install-deps.sh must run as root (apt-get install)"

step "apt sources (bookworm-backports, trixie deb-src)"
src=/etc/apt/sources.list.d/sriov-nic.sources
want='Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb-src
URIs: http://deb.debian.org/debian
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg'
stamp=/var/lib/apt/sriov-nic-apt-updated
if [ ! -f "$src" ] || [ "$(cat "$src")" != "$want" ]; then
    printf '%s\n' "$want" > "$src"
    rm -f "$stamp"
fi
# apt-get update at most once an hour unless the sources changed.
if [ ! -f "$stamp" ] || [ -n "$(find "$stamp" -mmin +60)" ]; then
    run apt-get update -q
    touch "$stamp"
fi

# Host build + test tools from bookworm.
pkgs=(build-essential g++ ninja-build pkg-config flex bison dpkg-dev
      libglib2.0-dev libslirp-dev libfdt-dev zlib1g-dev python3 python3-venv
      libgtest-dev libgmock-dev googletest
      busybox-static iproute2 iperf3 ethtool pciutils kmod cpio xz-utils
      zstd seabios socat)
# From bookworm-backports: QEMU 10.0 needs meson >= 1.5 and python3-pycotap;
# qemu-system-data brings kvmvapic.bin/linuxboot_dma.bin/vgabios.
bpo=(meson python3-pycotap qemu-system-data)

missing=()
for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    step "apt-get install ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive run apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

need_bpo=()
for p in "${bpo[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || need_bpo+=("$p")
done
mver=$(dpkg-query -W -f='${Version}' meson 2>/dev/null || true)
if [ -n "$mver" ] && dpkg --compare-versions "$mver" lt 1.5; then need_bpo+=(meson); fi
if [ ${#need_bpo[@]} -gt 0 ]; then
    step "apt-get install -t bookworm-backports ${need_bpo[*]}"
    DEBIAN_FRONTEND=noninteractive run apt-get install -y -q --no-install-recommends \
        -t bookworm-backports "${need_bpo[@]}"
fi
step "dependencies ready"
