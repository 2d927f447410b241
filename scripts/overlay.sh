#!/bin/bash
# Copy the device into a QEMU tree and apply scripts/qemu-10.0.patch, the
# few lines it needs in QEMU's meson.build, hw/net/meson.build and
# hw/net/Kconfig.  Idempotent: running it again only refreshes the copied
# files (the patch is recognised as applied).
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

# The edits to QEMU's own files are a patch, scripts/qemu-<major.minor>.patch
# (SNIC_QEMU_PATCH= to use another), applied file by file: a file whose
# hunks already reverse cleanly is done; one whose hunks apply cleanly is
# patched (after every file has been checked, so a failure changes nothing);
# anything else stops with the file's name and the rejected hunks.
series=$(cut -d. -f1,2 "$tree/VERSION")
qpatch=${SNIC_QEMU_PATCH:-$SNIC_ROOT/scripts/qemu-$series.patch}
if [ ! -f "$qpatch" ]; then
    [ -z "${SNIC_QEMU_PATCH:-}" ] || die "SNIC_QEMU_PATCH=$qpatch: no such file"
    step "warning: no scripts/qemu-$series.patch for QEMU $(cat "$tree/VERSION"); trying qemu-10.0.patch"
    qpatch=$SNIC_ROOT/scripts/qemu-10.0.patch
fi
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
# One patch per file: scratch/N.patch, with its target in scratch/N.file.
awk -v dir="$scratch" '
    /^--- / { hdr = $0; next_is_file = 1; next }
    next_is_file && /^\+\+\+ / {
        n++; f = $2; sub(/^b\//, "", f)
        out = dir "/" n ".patch"; print f > (dir "/" n ".file")
        print hdr > out; print > out; next_is_file = 0; next
    }
    next_is_file { if (out) print hdr > out; next_is_file = 0 }
    out { print > out }
' "$qpatch"
pending=()
for piece in "$scratch"/*.patch; do
    [ -e "$piece" ] || die "$qpatch contains no file to patch"
    file=$(cat "${piece%.patch}.file")
    [ -f "$tree/$file" ] || die "$qpatch: $file is not in $tree"
    if patch -d "$tree" -p1 -R --dry-run --force --fuzz=0 -s < "$piece" > /dev/null 2>&1; then
        continue  # already applied
    fi
    if patch -d "$tree" -p1 --forward --dry-run --force -s < "$piece" > "$scratch/out" 2>&1; then
        pending+=("$piece")
        continue
    fi
    # Show what does not fit: apply to a copy of the file, keep the rejects.
    mkdir -p "$scratch/copy/$(dirname "$file")"
    cp "$tree/$file" "$scratch/copy/$file"
    patch -d "$scratch/copy" -p1 --forward --force --no-backup-if-mismatch \
        -r "$scratch/rejected" < "$piece" > "$scratch/out" 2>&1 || true
    {
        echo "overlay.sh: $qpatch does not apply to $tree/$file:"
        sed 's/^/    /' "$scratch/out"
        if [ -s "$scratch/rejected" ]; then
            echo "rejected hunk(s) of $file:"
            cat "$scratch/rejected"
        fi
        echo "(A hunk also fails when its change is already in the file. Refresh the patch"
        echo " against this tree's $file, or edit $file by hand as the hunk says.)"
    } >&2
    die "patching $file failed"
done
[ ${#pending[@]} -gt 0 ] || step "$(basename "$qpatch") is applied"
for piece in "${pending[@]}"; do
    file=$(cat "${piece%.patch}.file")
    out=$(patch -d "$tree" -p1 --forward --no-backup-if-mismatch < "$piece" 2>&1) ||
        { echo "$out" >&2; die "patching $file failed"; }
    case $out in *fuzz*|*offset*) step "patched $file (${out//$'\n'/; })" ;;
                  *) step "patched $file" ;; esac
done
