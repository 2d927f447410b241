#!/bin/sh
# QEMU-level register tests of sriov-nic over the qtest protocol (no guest).
# Uses $SNIC_QEMU (default /var/cache/sriov-nic/qemu-build/qemu-system-x86_64).
# Ends with exactly "N passed, M failed"; exits non-zero on failure.
#   tests/qtest/run-qtests.sh [-k NAME-SUBSTRING]... [-j JOBS] [-v] [--list]
here=$(dirname "$0")
exec python3 "$here/run.py" "$@"
