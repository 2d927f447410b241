# 64 VFs behind a pcie-root-port, all bound by stock virtio_net, BARs above 4 GiB.
# qemu: -device pcie-root-port,id=rp0,slot=1,chassis=1,pref64-reserve=1G -device @DEVICE@,bus=rp0,netdev=n0,total-vfs=64 -netdev user,id=n0,restrict=on
# timeout: 600

modprobe virtio_net
pf=$(pci_pfs 1af4:1041 | head -1)
[ -n "$pf" ] || abort "no sriov-nic PF found"
require "PF has a netdev" wait_for 20 sh -c "ls $SYSPCI/$pf/virtio*/net/ >/dev/null 2>&1"
pfif=$(ls $SYSPCI/$pf/virtio*/net | head -1)
expect_eq "sriov_totalvfs" "$(cat $SYSPCI/$pf/sriov_totalvfs)" 64

t0=$(now_ms)
echo 64 > /sys/class/net/$pfif/device/../sriov_numvfs
t1=$(now_ms)
check "64 VFs bound to virtio_net with netdevs" wait_for 120 sh -c "[ \$(ls -d $SYSPCI/$pf/virtfn*/virtio*/net/* 2>/dev/null | wc -l) -eq 64 ]"
t2=$(now_ms)
result enable64_write_ms $((t1 - t0))
result enable64_netdevs_ms $((t2 - t0))
vf=$(pci_vfs "$pf" | tail -1)
bar=$(pci_bar "$vf" 0 | cut -d' ' -f1)
expect_num "last VF BAR0 above 4 GiB" "$bar" -gt 0xffffffff
macs=$(cat $SYSPCI/$pf/virtfn*/virtio*/net/*/address | sort -u | wc -l)
expect_num "64 distinct VF MACs" "$macs" -eq 64
echo 0 > /sys/class/net/$pfif/device/../sriov_numvfs
expect_num "all 64 VFs removed" "$(ls -d $SYSPCI/$pf/virtfn* 2>/dev/null | wc -l)" -eq 0
