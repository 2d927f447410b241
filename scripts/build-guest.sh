#!/bin/bash
# Build the test-guest images: one Debian kernel + one initramfs per kernel.
#
#   scripts/build-guest.sh [--force] [6.1] [6.12]     (default: both)
#
# Outputs (cached, rebuilt only when an input changes):
#   $SNIC_CACHE/guest/<tag>/vmlinuz        Debian's kernel, untouched
#   $SNIC_CACHE/guest/<tag>/initrd.gz      cpio newc + gzip
#   $SNIC_CACHE/guest/<tag>/kernel-release uname -r of that kernel
#   $SNIC_CACHE/guest/<tag>/package        Debian package name and version
#   $SNIC_CACHE/guest/<tag>/config         the kernel's .config (for reference)
#   $SNIC_CACHE/guest/<tag>/inputs.txt     what the image was built from
# Tags: 6.1 = bookworm's linux-image-amd64, 6.12 = bookworm-backports'.
#
# The initramfs holds busybox-static, the host's (bookworm) iproute2, iperf3,
# ethtool, lspci/setpci + pci.ids with every library ldd reports, the kernel
# modules listed in GUEST_MODULES plus their dependencies, and
# tests/guest/initramfs/init (reads the scenario from fw_cfg, see
# docs/testing.md).  Needs: apt-get (download only), dpkg, kmod (depmod),
# xz-utils, zstd, cpio, gzip, and the host packages busybox-static iproute2
# iperf3 ethtool pciutils.
#
# Also builds the guest image extras, $SNIC_CACHE/guest/extras/NAME.cpio.gz,
# one per scripts/guest-extras/NAME.sh (see build_extra below).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

GUEST_CACHE=$SNIC_CACHE/guest
INIT_SRC=$SNIC_ROOT/tests/guest/initramfs/init

# Modules wanted in the guest (dependencies are added from modules.dep).
# virtio_pci is built into Debian's kernels.
GUEST_MODULES=(virtio_pci virtio_net net_failover failover qemu_fw_cfg pci-pf-stub
               igb igbvf ixgbe ixgbevf e1000e veth dummy macvlan tun 8021q bridge
               vfio-pci vfio_iommu_type1)
# Real (non-busybox) programs copied from the host, at the same path.
# iproute2's ip/tc must not be shadowed by busybox applets of the same name
# (busybox sh runs applets before PATH): the initramfs has no busybox link
# for these names, and tests/guest/lib.sh defines shell functions for them.
GUEST_BINARIES=(/usr/sbin/ip /usr/sbin/tc /usr/sbin/bridge /usr/bin/iperf3
                /usr/sbin/ethtool /usr/bin/lspci /usr/bin/setpci
                /usr/lib/cni/host-device)
GUEST_DATA=(/usr/share/misc/pci.ids /etc/iproute2)

force=0
tags=()
for a in "$@"; do
    case $a in
        --force) force=1 ;;
        6.1|6.12) tags+=("$a") ;;
        -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
        *) die "unknown argument '$a' (usage: $0 [--force] [6.1] [6.12])" ;;
    esac
done
[ ${#tags[@]} -gt 0 ] || tags=(6.1 6.12)

for t in busybox dpkg dpkg-deb apt-cache apt-get depmod xz zstd cpio gzip ldd; do
    command -v "$t" >/dev/null || die "missing host tool '$t' (run scripts/install-deps.sh)"
done
BUSYBOX=$(command -v busybox)
# The distro's dynamic busybox would need its libraries; we want busybox-static.
if ldd "$BUSYBOX" >/dev/null 2>&1; then
    die "$BUSYBOX is dynamically linked; install busybox-static"
fi

# Every shared library a program needs, one absolute path a line.
libs_of() {
    ldd "$1" | awk '/=> \// { print $3 } /^[[:space:]]*\/[^ ]*ld-linux/ { print $1 }'
}

# Resolve linux-image-amd64 (for suite $2, empty = default candidate) to the
# versioned package holding the kernel. Prints "name version".
resolve_kernel_pkg() {
    local spec=linux-image-amd64${1:+/$1} dep ver
    dep=$(apt-cache depends "$spec" 2>/dev/null |
          sed -n 's/^ *|\{0,1\}Depends: \(linux-image-[^ ]*\)$/\1/p' | head -n1)
    [ -n "$dep" ] || return 1
    for cand in "$dep" "$dep-unsigned"; do
        ver=$(apt-cache show --no-all-versions "$cand" 2>/dev/null |
              sed -n 's/^Version: //p' | head -n1)
        if [ -n "$ver" ]; then echo "$cand $ver"; return 0; fi
    done
    return 1
}

suite_of() { case $1 in 6.1) echo "" ;; 6.12) echo bookworm-backports ;; esac; }

# Inputs that do not depend on the kernel: this script, /init, the module
# list and the versions of the host packages the userland is copied from.
common_inputs() {
    local f g paths=()
    echo "build-guest.sh $(sha256sum "$0" | cut -c1-16)"
    echo "init $(sha256sum "$INIT_SRC" | cut -c1-16)"
    echo "modules ${GUEST_MODULES[*]}"
    for f in "$BUSYBOX" /usr/share/misc/pci.ids "${GUEST_BINARIES[@]}" \
             $(for g in "${GUEST_BINARIES[@]}"; do libs_of "$g"; done); do
        f=$(readlink -f "$f")
        # usrmerge: dpkg may know the file under /bin or /usr/bin.
        paths+=("$f" "${f#/usr}")
    done
    { dpkg-query -S "${paths[@]}" 2>/dev/null || true; } | cut -d: -f1 | tr ',' '\n' |
        sed 's/^ *//' | sort -u |
        xargs dpkg-query -W -f='pkg ${Package} ${Version}\n'
}

mkdir -p "$GUEST_CACHE/debs"
for f in "${GUEST_BINARIES[@]}"; do
    [ -x "$f" ] || die "missing $f (run scripts/install-deps.sh)"
done
[ -f "$INIT_SRC" ] || die "missing $INIT_SRC"
step "checking host userland for the guest"
COMMON=$(common_inputs)

# fetch_deb TAG PKG VER: path of PKG=VER's .deb in the cache, downloaded
# with apt-get download if missing.
fetch_deb() {
    local deb=$GUEST_CACHE/debs/${2}_${3//:/%3a}_amd64.deb
    if [ ! -f "$deb" ]; then
        step "[$1] apt-get download $2=$3"
        (cd "$GUEST_CACHE/debs" &&
         run apt-get download -q -o APT::Sandbox::User=root "$2=$3" >&2)
        [ -f "$deb" ] || die "apt-get download $2=$3 did not produce $deb"
    fi
    echo "$deb"
}

# pack_cpio ROOT OUT: ROOT as a reproducible gzipped newc cpio archive.
pack_cpio() {
    (cd "$1" && find . -print0 | LC_ALL=C sort -z |
        cpio --null -o -H newc --owner=0:0 --reproducible --quiet) |
        gzip -9n > "$2"
}

# copy_program DEST PATH...: each program (or shared object) at its host
# path under DEST, with every library ldd reports.
copy_program() {
    local dest=$1 f l
    shift
    for f in "$@"; do
        [ -e "$f" ] || die "missing $f (run scripts/install-deps.sh)"
        mkdir -p "$dest$(dirname "$f")"
        cp -L "$f" "$dest$f"
        for l in $(libs_of "$f"); do
            [ -e "$dest$l" ] || { mkdir -p "$dest$(dirname "$l")"; cp -L "$l" "$dest$l"; }
        done
    done
}

# pkg_versions PKG...: "pkg NAME VERSION" lines, for an extra's inputs.
pkg_versions() {
    dpkg-query -W -f='pkg ${Package} ${Version}\n' "$@"
}

# Guest image extras: userland beyond the base initramfs (python3, DPDK,
# ...), which only the scenarios that ask for it (`# image: NAME`, see
# tests/guest/runner.py) boot with: the runner appends
# $GUEST_CACHE/extras/NAME.cpio.gz to the kernel's initrd.gz. Each
# scripts/guest-extras/NAME.sh defines two functions, run in a subshell:
#   extra_inputs        prints what the archive is built from (package
#                       versions: pkg_versions PKG...); a change rebuilds it
#   extra_build DEST    fills DEST as the guest's root (copy_program DEST PATH...)
# The extras do not depend on the kernel; modules belong in GUEST_MODULES.
build_extra() {
    local script=$1 name inputs out tmp
    name=$(basename "$script" .sh)
    out=$GUEST_CACHE/extras
    mkdir -p "$out"
    inputs=$( (
        . "$script"
        echo "build-guest.sh $(sha256sum "$0" | cut -c1-16)"
        echo "$name.sh $(sha256sum "$script" | cut -c1-16)"
        extra_inputs
    ) ) || die "[extra $name] extra_inputs failed"
    if [ $force = 0 ] && [ -f "$out/$name.cpio.gz" ] &&
       [ "$(cat "$out/$name.inputs.txt" 2>/dev/null)" = "$inputs" ]; then
        step "[extra $name] up to date"
        return 0
    fi
    tmp=$(mktemp -d "$GUEST_CACHE/tmp.extra-$name.XXXXXX")
    step "[extra $name] building"
    if ! ( . "$script"; extra_build "$tmp/root" ); then
        rm -rf "$tmp"
        die "[extra $name] extra_build failed"
    fi
    pack_cpio "$tmp/root" "$tmp/$name.cpio.gz"
    printf '%s\n' "$inputs" > "$tmp/$name.inputs.txt"
    mv "$tmp/$name.cpio.gz" "$out/$name.cpio.gz"
    mv "$tmp/$name.inputs.txt" "$out/$name.inputs.txt"
    rm -rf "$tmp"
    step "[extra $name] built $out/$name.cpio.gz, $(du -k "$out/$name.cpio.gz" | cut -f1) KiB"
}

build_one() {
    local tag=$1 suite pkg ver deb out inputs tmp kroot kver root
    suite=$(suite_of "$tag")
    out=$GUEST_CACHE/$tag

    step "[$tag] resolving linux-image-amd64${suite:+/$suite}"
    if ! read -r pkg ver < <(resolve_kernel_pkg "$suite"); then
        if [ -f "$out/vmlinuz" ] && [ -f "$out/initrd.gz" ]; then
            step "[$tag] cannot resolve the kernel package (apt lists?); keeping cached $(cat "$out/kernel-release" 2>/dev/null)"
            return 0
        fi
        die "cannot resolve linux-image-amd64${suite:+/$suite} (apt-get update? bookworm-backports in sources?)"
    fi
    case $ver in
        "$tag".*) ;;
        *) die "[$tag] linux-image-amd64${suite:+/$suite} resolves to $pkg $ver, not a $tag kernel" ;;
    esac
    inputs=$(printf 'kernel %s %s\n%s\n' "$pkg" "$ver" "$COMMON")
    if [ $force = 0 ] && [ -f "$out/vmlinuz" ] && [ -f "$out/initrd.gz" ] &&
       [ "$(cat "$out/inputs.txt" 2>/dev/null)" = "$inputs" ]; then
        step "[$tag] up to date: $pkg $ver (kernel $(cat "$out/kernel-release"))"
        return 0
    fi

    deb=$(fetch_deb "$tag" "$pkg" "$ver")
    if ! dpkg-deb -c "$deb" | grep '\./boot/vmlinuz-' >/dev/null; then
        # The signed package is normally self-contained; fall back to -unsigned.
        case $pkg in
            *-unsigned) die "$deb has no /boot/vmlinuz-*" ;;
        esac
        step "[$tag] no vmlinuz in $(basename "$deb"); trying $pkg-unsigned"
        pkg=$pkg-unsigned
        deb=$(fetch_deb "$tag" "$pkg" "$ver")
    fi

    tmp=$(mktemp -d "$GUEST_CACHE/tmp.$tag.XXXXXX")
    # shellcheck disable=SC2064
    trap "rm -rf '$tmp'" EXIT
    kroot=$tmp/kernel
    step "[$tag] dpkg -x $(basename "$deb")"
    run dpkg -x "$deb" "$kroot"
    kver=$(cd "$kroot/boot" && ls vmlinuz-* | sed 's/^vmlinuz-//' | head -n1)
    [ -n "$kver" ] && [ -d "$kroot/lib/modules/$kver" ] || die "unexpected layout in $deb"
    step "[$tag] depmod -b (kernel $kver)"
    run depmod -b "$kroot" "$kver"

    # Close the module set over modules.dep.
    local moddir=$kroot/lib/modules/$kver m line path wanted=() builtin=()
    declare -A seen=()
    for m in "${GUEST_MODULES[@]}"; do
        local norm=${m//-/_}
        line=$(awk -v want="$norm" -F: '{
                   n = $1; sub(/.*\//, "", n); sub(/\.ko(\.xz|\.zst|\.gz)?$/, "", n)
                   gsub(/-/, "_", n)
                   if (n == want) { print; exit }
               }' "$moddir/modules.dep")
        if [ -z "$line" ]; then
            if grep -Eq "/${m//_/[-_]}\.ko\$" "$moddir/modules.builtin"; then
                builtin+=("$m"); continue
            fi
            die "[$tag] module $m is neither in modules.dep nor modules.builtin of $kver"
        fi
        for path in ${line/:/ }; do
            [ -n "${seen[$path]:-}" ] && continue
            seen[$path]=1
            wanted+=("$path")
        done
    done
    [ ${#builtin[@]} -eq 0 ] || step "[$tag] built in: ${builtin[*]}"

    root=$tmp/root
    step "[$tag] assembling initramfs (${#wanted[@]} modules)"
    mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,lib/x86_64-linux-gnu,lib64,etc,proc,sys,dev,run,tmp,root,mnt,var,usr/share/misc}
    ln -s ../run "$root/var/run"
    local dst
    for path in "${wanted[@]}"; do
        dst=$root/lib/modules/$kver/${path%.*}
        case $path in
            *.ko) dst=$root/lib/modules/$kver/$path ;;
        esac
        mkdir -p "$(dirname "$dst")"
        case $path in
            *.ko.xz) xz -dc "$moddir/$path" > "$dst" ;;
            *.ko.zst) zstd -qdc "$moddir/$path" > "$dst" ;;
            *.ko.gz) gzip -dc "$moddir/$path" > "$dst" ;;
            *.ko) cp "$moddir/$path" "$dst" ;;
        esac
    done
    for f in modules.builtin modules.builtin.modinfo modules.order; do
        [ -f "$moddir/$f" ] && cp "$moddir/$f" "$root/lib/modules/$kver/"
    done
    run depmod -b "$root" "$kver"

    # busybox: one link per applet, except names we ship real programs for.
    cp "$BUSYBOX" "$root/bin/busybox"
    local real=" " a
    for f in "${GUEST_BINARIES[@]}"; do real+="$(basename "$f") "; done
    for a in $("$BUSYBOX" --list); do
        [ "$a" = busybox ] && continue
        case $real in *" $a "*) continue ;; esac
        ln -s busybox "$root/bin/$a"
    done
    # Real programs and their libraries, at the host's paths.
    copy_program "$root" "${GUEST_BINARIES[@]}"
    for f in "${GUEST_DATA[@]}"; do
        [ -e "$f" ] || continue
        mkdir -p "$root$(dirname "$f")"
        cp -rL "$f" "$root$f"
    done
    printf 'root:x:0:0:root:/root:/bin/sh\n' > "$root/etc/passwd"
    printf 'root:x:0:\n' > "$root/etc/group"
    printf '127.0.0.1\tlocalhost\n::1\tlocalhost\n' > "$root/etc/hosts"
    printf 'passwd: files\ngroup: files\nhosts: files\n' > "$root/etc/nsswitch.conf"
    echo "$tag $kver $pkg $ver" > "$root/etc/snic-guest"
    install -m 0755 "$INIT_SRC" "$root/init"

    mkdir -p "$tmp/out"
    pack_cpio "$root" "$tmp/out/initrd.gz"
    cp "$kroot/boot/vmlinuz-$kver" "$tmp/out/vmlinuz"
    cp "$kroot/boot/config-$kver" "$tmp/out/config" 2>/dev/null || true
    echo "$kver" > "$tmp/out/kernel-release"
    echo "$pkg $ver" > "$tmp/out/package"
    printf '%s\n' "${wanted[@]}" > "$tmp/out/modules.list"
    printf '%s\n' "$inputs" > "$tmp/out/inputs.txt"
    rm -rf "$out.old"
    [ -d "$out" ] && mv "$out" "$out.old"
    mv "$tmp/out" "$out"
    rm -rf "$out.old" "$tmp"
    trap - EXIT
    # Drop superseded kernel debs of this tag.
    find "$GUEST_CACHE/debs" -name "linux-image-${tag}.*_amd64.deb" ! -name "$(basename "$deb")" -delete
    step "[$tag] built $out: kernel $kver ($pkg $ver), initrd $(du -k "$out/initrd.gz" | cut -f1) KiB"
}

for tag in "${tags[@]}"; do
    build_one "$tag"
done
for script in "$SNIC_ROOT"/scripts/guest-extras/*.sh; do
    [ -e "$script" ] || continue
    build_extra "$script"
done
for tag in "${tags[@]}"; do
    printf '%-5s %-22s %-48s %s\n' "$tag" "$(cat "$GUEST_CACHE/$tag/kernel-release")" \
        "$(cat "$GUEST_CACHE/$tag/package" 2>/dev/null)" "$GUEST_CACHE/$tag"
done
