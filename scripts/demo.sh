#!/bin/bash
# Build everything and run the demo: boot a Debian guest (TCG) with an
# sriov-nic PF, enable two VFs with `echo 2 > sriov_numvfs`, run iperf3
# between them (each in its own network namespace) and print the result.
#   scripts/demo.sh                 (as root on Debian 12 bookworm)
#   SNIC_KERNEL=6.12 scripts/demo.sh
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$SNIC_ROOT"

bash scripts/install-deps.sh
bash scripts/build-qemu.sh
bash scripts/build-guest.sh "${SNIC_KERNEL:-6.1}"
step "booting the demo guest (kernel ${SNIC_KERNEL:-6.1}, TCG)"
mkdir -p build/demo
tests/guest/run-scenario --kernel "${SNIC_KERNEL:-6.1}" \
    --log-dir build/demo -v tests/guest/demo/vf-iperf3.sh | tee build/demo/output.txt
mbit=$(sed -n 's/.*SNIC-RESULT vf_to_vf_mbit=\([0-9.]*\).*/\1/p' build/demo/output.txt | tail -1)
[ -n "$mbit" ] || die "the demo did not produce an iperf3 result (log: build/demo)"
echo
echo "iperf3 TCP between two sriov-nic VFs (TCG guest): $mbit Mbit/s"
