#!/bin/bash
# Benchmark (not a test): iperf3 TCP throughput between two network namespaces
# of one TCG guest, for two sriov-nic VFs and two stock QEMU references
# (a virtio-net-pci pair on a QEMU hub, two igb VFs), all with the same QEMU.
#
#   scripts/benchmark.sh [--repeat N] [--seconds S] [--kernel 6.1|6.12]
#                        [--csv FILE] [--qemu PATH] [--only CFG,...] [--strict] [-v]
#
# Defaults: 3 runs x 10 s per configuration, interleaved; kernel $SNIC_KERNEL
# or 6.12; CSV build/benchmark/results.csv (+ results-runs.csv), logs in
# build/benchmark/logs.  Needs the QEMU build and guest images
# (scripts/build-qemu.sh, scripts/build-guest.sh).  Takes about 4-6 minutes
# with the defaults.  See docs/benchmark.md.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
command -v python3 >/dev/null || { echo "error: python3 is needed" >&2; exit 2; }
exec python3 "$root/scripts/benchmark.py" "$@"
