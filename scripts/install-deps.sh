#!/bin/bash
# Install everything sriov-nic needs on Debian 12 (bookworm), idempotently.
# Sources: bookworm, bookworm-backports (binaries), trixie (deb-src only,
# for the QEMU 10.0 source package). Never adds trixie as a binary source.
# When every package is installed and the apt sources are in place it only
# asks dpkg (well under a second, no root, no apt-get).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

# Host build + test tools from bookworm.
pkgs=(build-essential g++ ninja-build pkg-config flex bison dpkg-dev patch
      libglib2.0-dev libslirp-dev libfdt-dev zlib1g-dev python3 python3-venv
      libgtest-dev libgmock-dev googletest
      busybox-static iproute2 iperf3 ethtool pciutils kmod cpio xz-utils
      zstd seabios socat graphviz
      containernetworking-plugins  # the CNI host-device plugin, for the guest
      # tests/libvirt/run: libvirtd, its QEMU driver and virsh. Not
      # libvirt-daemon-system: no system daemon, service, socket or user.
      libvirt-daemon libvirt-daemon-driver-qemu libvirt-clients
      # The host libraries the "dpdk" guest extra copies beside testpmd
      # (scripts/guest-extras/dpdk.sh; DPDK's own .debs are downloaded,
      # not installed: dpdk-dev needs some 200 packages, rdma-core and udev).
      libnuma1 libjansson4 libpcap0.8 libnl-3-200 libbsd0 libelf1
      python3-yaml iputils-ping  # scripts/guest-extras/selftests.sh (kernel selftests)
      clang-14 libclang-rt-14-dev llvm-14)  # tests/fuzz: libFuzzer, llvm-cov
# From bookworm-backports: QEMU 10.0 needs meson >= 1.5 and python3-pycotap;
# qemu-system-data brings kvmvapic.bin/linuxboot_dma.bin/vgabios.
bpo=(meson python3-pycotap qemu-system-data)

installed() {  # the packages among "$@" that dpkg has installed
    # dpkg-query exits 1 when it knows none of a name: not an error here
    # (with pipefail it would end missing_of's subshell, which would then
    # report nothing missing on a fresh machine).
    { dpkg-query -W -f='${Status} ${Package}\n' "$@" 2>/dev/null || true; } |
        sed -n 's/^install ok installed //p'
}
missing_of() {  # the packages among "$@" that are not installed
    local have
    have=" $(installed "$@" | tr '\n' ' ') "
    for p in "$@"; do
        case $have in *" $p "*) ;; *) echo "$p" ;; esac
    done
}
mapfile -t missing < <(missing_of "${pkgs[@]}")
mapfile -t need_bpo < <(missing_of "${bpo[@]}")
mver=$(dpkg-query -W -f='${Version}' meson 2>/dev/null || true)
if [ -n "$mver" ] && dpkg --compare-versions "$mver" lt 1.5; then need_bpo+=(meson); fi

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
if [ ${#missing[@]} -eq 0 ] && [ ${#need_bpo[@]} -eq 0 ] && [ -f "$stamp" ] &&
   [ "$(cat "$src" 2>/dev/null)" = "$want" ]; then
    step "dependencies ready (all installed)"
    exit 0
fi

[ "$(id -u)" = 0 ] || die "install-deps.sh must run as root to set up apt and install: ${missing[*]} ${need_bpo[*]}"

step "apt sources (bookworm-backports, trixie deb-src)"
if [ ! -f "$src" ] || [ "$(cat "$src")" != "$want" ]; then
    printf '%s\n' "$want" > "$src"
    rm -f "$stamp"
fi
# apt-get update when the sources changed, else at most once an hour.
if [ ! -f "$stamp" ] || [ -n "$(find "$stamp" -mmin +60)" ]; then
    run apt-get update -q
    touch "$stamp"
fi

if [ ${#missing[@]} -gt 0 ]; then
    step "apt-get install ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive run apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

if [ ${#need_bpo[@]} -gt 0 ]; then
    step "apt-get install -t bookworm-backports ${need_bpo[*]}"
    DEBIAN_FRONTEND=noninteractive run apt-get install -y -q --no-install-recommends \
        -t bookworm-backports "${need_bpo[@]}"
fi
step "dependencies ready"
