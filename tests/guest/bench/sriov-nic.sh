# Benchmark configuration "sriov-nic": two VFs of one sriov-nic PF.  The PF
# sits behind a pcie-root-port; `echo 2 > sriov_numvfs` of the PF (the PCI
# function above its virtio_net netdev's virtio device) creates the VFs,
# stock virtio_net drives them, and VF-to-VF traffic is switched inside the
# device (its embedded switch).
# The uplink netdev is a restricted slirp (never used by the benchmark).
# mtu=1500: the peers (virtio-net-pci, igb) run at 1500, so do we here
# (the device's default is 9000; run with --set MTU=9000 to see it).
# var: MTU=1500
# (sriov-nic-no-offloads: the same with OFFLOADS=off, set by benchmark.py.)
# var: OFFLOADS=on
# One queue pair and one stream: the single-queue figure. (sriov-nic-mq:
# QUEUE_PAIRS=2 PARALLEL=4, four streams over two pairs on the 2 vCPUs.)
# var: QUEUE_PAIRS=1
# var: PARALLEL=1
# Runs with tests/guest/bench/iperf-pair.sh appended (scripts/benchmark.py).
# qemu: -device pcie-root-port,id=rp0,slot=1,chassis=1 -device sriov-nic,bus=rp0,netdev=n0,total-vfs=4,mtu=@MTU@,offloads=@OFFLOADS@,queue-pairs=@QUEUE_PAIRS@ -netdev user,id=n0,restrict=on
# var: SECONDS_IPERF=10
# timeout: 300

# virtio_pci is built into 6.12 and a module on 6.1 (/init coldplugs it too).
modprobe virtio_pci
modprobe virtio_net
pf=$(pci_pfs 1af4:1041 | head -1)
[ -n "$pf" ] || abort "no sriov-nic PF (1af4:1041 with SR-IOV) found"
# klog_hint: the last kernel message about virtio, for failure reasons.
klog_hint() { dmesg | grep -iE 'virtio|sriov|pci.*(fail|error)' | tail -n 1 | sed 's/^\[[^]]*\] *//'; }
wait_for 20 sh -c "ls $SYSPCI/$pf/virtio*/net/ >/dev/null 2>&1" ||
    abort "virtio_net gave the PF no netdev ($(klog_hint))"
pfif=$(ls $SYSPCI/$pf/virtio*/net | head -1)
info "PF $pf is $pfif"
ip link set "$pfif" up
# /sys/class/net/$pfif/device is the virtio device (virtio0), which has no
# sriov_numvfs; the PCI function (its parent) has.
numvfs=/sys/class/net/$pfif/device/../sriov_numvfs
echo 2 > "$numvfs" 2> /tmp/numvfs.err ||
    abort "echo 2 > sriov_numvfs failed: $(tail -n 1 /tmp/numvfs.err) ($(klog_hint))"
pass "echo 2 to sriov_numvfs"
wait_for 30 sh -c "[ \$(ls -d $SYSPCI/$pf/virtfn*/virtio*/net/* 2>/dev/null | wc -l) -eq 2 ]" ||
    abort "the 2 VFs got no virtio_net netdevs ($(klog_hint))"
set -- $(ls -d $SYSPCI/$pf/virtfn*/virtio*/net/* | xargs -n1 basename)
if0=$1 if1=$2
