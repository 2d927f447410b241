# Benchmark configuration "sriov-nic ixgbe VFs": sriov-nic with
# personality=ixgbe behind a pcie-root-port, 2 VFs via `echo 2 >
# sriov_numvfs` (stock ixgbe drives the PF, stock ixgbevf the VFs, guest
# offloads left on). VF-to-VF traffic goes through the device's switch.
# Runs with tests/guest/bench/iperf-pair.sh appended (scripts/benchmark.py).
# qemu: -device pcie-root-port,id=rp0,slot=1,chassis=1 -device @DEVICE@,bus=rp0,netdev=n0,personality=ixgbe,total-vfs=63 -netdev user,id=n0,restrict=on
# var: SECONDS_IPERF=10
# timeout: 300

ixgbe_enable_vfs 2
set -- $vfifs
if0=$1 if1=$2
