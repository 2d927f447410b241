# Shared helpers for sriov-nic scripts. Source it; do not run it.
# shellcheck shell=bash

SNIC_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# Caches live outside git so a rebuild after editing the device is quick.
SNIC_CACHE=${SNIC_CACHE:-/var/cache/sriov-nic}
SNIC_T0=${SNIC_T0:-$(date +%s)}
export SNIC_ROOT SNIC_CACHE SNIC_T0

elapsed() { echo $(( $(date +%s) - SNIC_T0 )); }
step() { printf '==> [%4ss] %s\n' "$(elapsed)" "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }
run() { "$@" || die "command failed ($?): $*"; }
