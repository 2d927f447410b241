# Benchmark configuration "sriov-nic-uplink-tap": VF 0 of an sriov-nic PF
# whose uplink is a tap device in a network namespace that
# scripts/benchmark.py creates; the iperf3 server runs there, on the host
# (169.254.10.2), so the stream leaves the device through its uplink (the
# device segments TSO frames: the uplink takes no GSO frame).
# host-netns: peer
# Runs with tests/guest/bench/iperf-pair.sh appended (scripts/benchmark.py).
# qemu: -device pcie-root-port,id=rp0,slot=1,chassis=1 -device sriov-nic,bus=rp0,netdev=n0,total-vfs=4,mtu=1500 -netdev tap,id=n0,ifname=snicb0,script=no,downscript=no,vhost=off
# var: SECONDS_IPERF=10
# timeout: 300

modprobe virtio_pci
modprobe virtio_net
pf=$(pci_pfs 1af4:1041 | head -1)
[ -n "$pf" ] || abort "no sriov-nic PF (1af4:1041 with SR-IOV) found"
wait_for 20 sh -c "ls $SYSPCI/$pf/virtio*/net/ >/dev/null 2>&1" ||
    abort "virtio_net gave the PF no netdev"
pfif=$(ls $SYSPCI/$pf/virtio*/net | head -1)
echo 1 > /sys/class/net/$pfif/device/../sriov_numvfs || abort "echo 1 > sriov_numvfs failed"
wait_for 30 sh -c "ls -d $SYSPCI/$pf/virtfn0/virtio*/net/* >/dev/null 2>&1" ||
    abort "the VF got no virtio_net netdev"
if0=$(ls -d $SYSPCI/$pf/virtfn0/virtio*/net/* | xargs -n1 basename)
if1=  # the peer is on the host
