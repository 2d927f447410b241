#!/bin/bash
# Copy the device into a QEMU tree and make the one-line edits it needs.
# Idempotent: running it again only refreshes the copied files.
#   scripts/overlay.sh QEMU_TREE
set -euo pipefail
. "$(dirname "$0")/lib.sh"

tree=${1:?usage: overlay.sh QEMU_TREE}
[ -f "$tree/VERSION" ] || die "$tree is not a QEMU tree"
dst=$tree/hw/net/sriov-nic

# Copy only what changed so ninja rebuilds only what changed.
mkdir -p "$dst"
cp_changed() {  # src dst
    if ! cmp -s "$1" "$2"; then mkdir -p "$(dirname "$2")"; cp "$1" "$2"; fi
}
(cd "$SNIC_ROOT/hw/net/sriov-nic" && find . -type f ! -name '*.orig') | while read -r f; do
    cp_changed "$SNIC_ROOT/hw/net/sriov-nic/$f" "$dst/$f"
done
# Remove files that are gone from the repo (renamed or deleted sources).
(cd "$dst" && find . -type f) | while read -r f; do
    case $f in ./include/sriov_nic/*) src=$SNIC_ROOT/${f#./} ;;
                *) src=$SNIC_ROOT/hw/net/sriov-nic/$f ;; esac
    [ -e "$src" ] || rm -f "$dst/$f"
done
find "$dst" -mindepth 1 -type d -empty -delete
for f in "$SNIC_ROOT"/include/sriov_nic/*.h; do
    cp_changed "$f" "$dst/include/sriov_nic/$(basename "$f")"
done
cp_changed "$SNIC_ROOT/hw/net/sriov-nic/sriov-nic.mak" \
    "$tree/configs/devices/x86_64-softmmu/sriov-nic.mak"

edit() {  # file, grep-pattern-that-means-done, sed-expression
    grep -q -- "$2" "$1" || sed -i "$3" "$1"
    grep -q -- "$2" "$1" || die "could not edit $1 (pattern '$2')"
}
# 1. C++ on Linux (QEMU only enables it for Windows).
edit "$tree/meson.build" "host_os in \['windows', 'linux'\] and add_languages('cpp'" \
    "s/^if host_os == 'windows' and add_languages('cpp'/if host_os in ['windows', 'linux'] and add_languages('cpp'/"
# 2. Build the device directory.
edit "$tree/hw/net/meson.build" "subdir('sriov-nic')" "\$a subdir('sriov-nic')"
# 3. Kconfig entry.
edit "$tree/hw/net/Kconfig" "source sriov-nic/Kconfig" "\$a source sriov-nic/Kconfig"
# 4. Trace events.
edit "$tree/meson.build" "'hw/net/sriov-nic'," "s|^    'hw/net',$|    'hw/net',\n    'hw/net/sriov-nic',|"
