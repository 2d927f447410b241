#!/bin/bash
# Soak benchmark (not a test, not part of scripts/test.sh): N repetitions
# (default 20) of VF -> VF iperf3 on both guest kernels, single stream,
# -P 4 and --bidir, optionally with CPU hogs beside the guest:
#
#   scripts/soak.sh [-n N] [--kernels "6.1 6.12"] [--modes single,p4,bidir]
#                   [--seconds S] [--load [PROCS]] [--qemu PATH] [--out DIR] [-v]
#
# One row per run and mode (Mbit/s, TCP retransmits, NETDEV WATCHDOG / TX
# timeout lines in the guest's dmesg, drop counters of both VFs), then a
# summary; CSV in build/soak/results.csv. Needs the QEMU build and guest
# images (scripts/build-qemu.sh, scripts/build-guest.sh). See docs/testing.md.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
command -v python3 >/dev/null || { echo "error: python3 is needed" >&2; exit 2; }
exec python3 "$root/scripts/soak.py" "$@"
