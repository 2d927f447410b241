# Benchmark configuration "igb VFs": QEMU's emulated Intel 82576 (igb) PF
# behind a pcie-root-port, 2 VFs via `echo 2 > sriov_numvfs` (igb drives the
# PF, igbvf the VFs).  VF-to-VF traffic is switched inside the emulated NIC
# (VMDq loopback, which the igb driver enables with SR-IOV); igb only passes
# VF traffic while the PF is up.
# QEMU's igb VFs are reported to stop working when the guest puts VF BARs
# above 4 GiB (igbvf: "PF still in reset state", no traffic), which Linux
# does by default on q35: pci-hole64-size=0 keeps every BAR below 4 GiB
# (docs/benchmark.md: not reproduced with the PF up, kept anyway).
# Runs with tests/guest/bench/iperf-pair.sh appended (scripts/benchmark.py).
# qemu: -global q35-pcihost.pci-hole64-size=0 -device pcie-root-port,id=rp0,slot=1,chassis=1 -device igb,bus=rp0,netdev=n0,romfile= -netdev user,id=n0,restrict=on
# var: SECONDS_IPERF=10
# timeout: 300

modprobe igb
modprobe igbvf
pf=$(pci_pfs 8086:10c9 | head -1)
[ -n "$pf" ] || abort "no igb PF (8086:10c9 with SR-IOV) found"
require "PF has a netdev" wait_for 20 sh -c "ls $SYSPCI/$pf/net/ >/dev/null 2>&1"
pfif=$(ls $SYSPCI/$pf/net | head -1)
info "PF $pf is $pfif"
require "PF up (igb needs it for VF traffic)" ip link set "$pfif" up
require "PF carrier" wait_for 20 sh -c "/usr/sbin/ip link show $pfif | grep -q LOWER_UP"
require "echo 2 to sriov_numvfs" sh -c "echo 2 > /sys/class/net/$pfif/device/sriov_numvfs"
klog_hint() { dmesg | grep -iE 'igb|pci.*(fail|error)' | tail -n 1 | sed 's/^\[[^]]*\] *//'; }
wait_for 30 sh -c "[ \$(ls -d $SYSPCI/$pf/virtfn*/net/* 2>/dev/null | wc -l) -eq 2 ]" ||
    abort "the 2 VFs got no igbvf netdevs ($(klog_hint))"
set -- $(ls -d $SYSPCI/$pf/virtfn*/net/* | xargs -n1 basename)
if0=$1 if1=$2
