#!/bin/bash
# Build qemu-system-x86_64 with the sriov-nic overlay.
#
#   scripts/build-qemu.sh            fetch Debian trixie's QEMU 10.0 source
#                                    (apt-get source), overlay, configure, build
#   QEMU_SRC=/path scripts/build-qemu.sh
#                                    overlay onto your own QEMU tree instead
#
# Source, overlaid copy and build live in $SNIC_CACHE (default
# /var/cache/sriov-nic), outside git, so a rebuild after editing the device
# only recompiles the device. Output: $SNIC_CACHE/qemu-build/qemu-system-x86_64
# (also linked as build/qemu-system-x86_64 in the repo).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

MIN_VERSION=10.0.6
BUILD=$SNIC_CACHE/qemu-build
mkdir -p "$SNIC_CACHE"

fetch_debian_source() {
    local dl=$SNIC_CACHE/src dsc
    mkdir -p "$dl"
    dsc=$(ls "$dl"/qemu_*.dsc 2>/dev/null | sort -V | tail -1 || true)
    if [ -z "$dsc" ] || [ -n "${SNIC_REFRESH_QEMU:-}" ]; then
        step "apt-get source qemu/trixie (download only)"
        (cd "$dl" && apt-get source -q --download-only qemu/trixie) >&2 ||
            die "apt-get source qemu/trixie failed (is the trixie deb-src entry there? run scripts/install-deps.sh)"
        dsc=$(ls "$dl"/qemu_*.dsc | sort -V | tail -1)
    fi
    local ver
    ver=$(sed -n 's/^Version: [0-9]*://p' "$dsc" | sed 's/+ds.*//')
    local dir=$dl/qemu-$ver
    if [ ! -f "$dir/VERSION" ]; then
        step "unpacking $(basename "$dsc") (with Debian's patches)"
        rm -rf "$dir"
        dpkg-source -x "$dsc" "$dir" >/dev/null || die "dpkg-source -x $dsc failed"
    fi
    echo "$dir"
}

if [ -n "${QEMU_SRC:-}" ]; then
    [ -f "$QEMU_SRC/VERSION" ] || die "QEMU_SRC=$QEMU_SRC does not look like a QEMU tree (no VERSION)"
    pristine=$(cd "$QEMU_SRC" && pwd)
else
    pristine=$(fetch_debian_source)
fi
version=$(cat "$pristine/VERSION")
dpkg --compare-versions "$version" ge "$MIN_VERSION" ||
    die "QEMU $version is too old: need >= $MIN_VERSION (earlier 10.0.x register 64-bit VF BARs with the wrong type)"
case "$version" in 10.0.*) ;; *) step "warning: QEMU $version is not the 10.0 series this project tests" ;; esac

# The overlay is applied to a copy so the pristine tree stays untouched.
tree=$SNIC_CACHE/qemu-src
if [ ! -f "$tree/.snic-origin" ] || [ "$(cat "$tree/.snic-origin")" != "$pristine" ]; then
    step "copying QEMU $version source from $pristine"
    rm -rf "$tree" "$BUILD"
    cp -a "$pristine" "$tree"
    echo "$pristine" > "$tree/.snic-origin"
fi
step "overlaying hw/net/sriov-nic onto QEMU $version"
"$SNIC_ROOT/scripts/overlay.sh" "$tree"

if [ ! -f "$BUILD/build.ninja" ]; then
    step "configuring QEMU (x86_64-softmmu, minimal device set)"
    rm -rf "$BUILD"
    mkdir -p "$BUILD"
    (cd "$BUILD" && "$tree/configure" \
        --target-list=x86_64-softmmu \
        --python=/usr/bin/python3 \
        --without-default-features --without-default-devices \
        --with-devices-x86_64=sriov-nic \
        --enable-tcg --enable-kvm --enable-slirp \
        --enable-trace-backends=log \
        --disable-download --disable-install-blobs --disable-docs \
        --disable-werror) > "$SNIC_CACHE/qemu-configure.log" 2>&1 ||
        { tail -30 "$SNIC_CACHE/qemu-configure.log" >&2; die "QEMU configure failed (log: $SNIC_CACHE/qemu-configure.log)"; }
fi

step "building qemu-system-x86_64 (ninja -j$(nproc))"
t0=$(date +%s)
if ! ninja -C "$BUILD" -j"$(nproc)" qemu-system-x86_64 > "$SNIC_CACHE/qemu-build.log" 2>&1; then
    grep -E -B2 -A12 'error|FAILED' "$SNIC_CACHE/qemu-build.log" | head -80 >&2
    die "QEMU build failed (log: $SNIC_CACHE/qemu-build.log)"
fi
step "built QEMU $version with sriov-nic in $(( $(date +%s) - t0 ))s: $BUILD/qemu-system-x86_64"
mkdir -p "$SNIC_ROOT/build"
ln -sfn "$BUILD/qemu-system-x86_64" "$SNIC_ROOT/build/qemu-system-x86_64"
echo "$version" > "$BUILD/.snic-qemu-version"
