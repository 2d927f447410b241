# Stock virtio_pci/virtio_net drive the PF and its VFs; sriov_numvfs is
# virtio_pci's own sriov_configure (VIRTIO_F_SR_IOV). PF on the root bus.
# qemu: -device @DEVICE@,netdev=n0,mac=52:54:00:12:34:56,total-vfs=7 -netdev user,id=n0,restrict=on
# timeout: 300

modprobe virtio_net

pf=$(pci_pfs 1af4:1041 | head -1)
[ -n "$pf" ] || abort "no sriov-nic PF (1af4:1041 with SR-IOV) found"
require "PF binds virtio-pci" wait_for 10 sh -c "[ \"\$(basename \$(readlink $SYSPCI/$pf/driver))\" = virtio-pci ]"

# The virtio device under the PF and its netdev.
pf_netdev() { ls "$SYSPCI/$1"/virtio*/net 2>/dev/null | head -1; }
require "PF has a netdev" wait_for 10 sh -c "ls $SYSPCI/$pf/virtio*/net/ >/dev/null 2>&1"
pfif=$(pf_netdev "$pf")
expect_eq "PF MAC is the configured one" "$(cat /sys/class/net/$pfif/address)" 52:54:00:12:34:56
expect_eq "PF driver is virtio_net" "$(basename "$(readlink /sys/class/net/$pfif/device/driver)")" virtio_net
feat=$(cat /sys/class/net/$pfif/device/features)
info "PF features: $feat"
result pf_features "$feat"
# bit 37 = VIRTIO_F_SR_IOV, bit 32 = VERSION_1 (features is a 0/1 string, bit 0 first)
expect_eq "PF negotiated VERSION_1" "$(echo "$feat" | cut -c33)" 1
expect_eq "PF negotiated SR_IOV" "$(echo "$feat" | cut -c38)" 1

# vf_netifs PF: the netdev names of the PF's VFs.
vf_netifs() {
    local vf
    for vf in $(pci_vfs "$1"); do
        pf_netdev "$vf"
    done
}

enable() {  # N
    local n=$1 t0 t1 got
    t0=$(now_ms)
    echo "$n" > /sys/class/net/$pfif/device/../sriov_numvfs || { fail "sriov_numvfs=$n" "write failed"; return 1; }
    # Every VF must bind virtio_net and get a netdev.
    wait_for 30 sh -c "[ \$(ls -d $SYSPCI/$pf/virtfn* 2>/dev/null | wc -l) -eq $n ] && [ \$(for v in \$(ls -d $SYSPCI/$pf/virtfn* 2>/dev/null); do ls \$v/virtio*/net 2>/dev/null; done | wc -l) -eq $n ]"
    t1=$(now_ms)
    got=$(vf_netifs "$pf" | wc -l)
    expect_num "numvfs=$n: $n VF netdevs" "$got" -eq "$n"
    result "enable${n}_ms" $((t1 - t0))
}

disable() {
    echo 0 > /sys/class/net/$pfif/device/../sriov_numvfs
    expect_num "numvfs=0 removes every VF" "$(ls -d $SYSPCI/$pf/virtfn* 2>/dev/null | wc -l)" -eq 0
}

enable 1
vf=$(vf_netifs "$pf" | head -1)
expect_eq "VF driver is virtio_net (ethtool -i)" "$(ethtool -i "$vf" | sed -n 's/^driver: //p')" virtio_net
ip link set "$vf" up
check "VF link goes up" wait_for 10 grep -qx up /sys/class/net/$vf/operstate
disable

enable 7
macs=$(for i in $(vf_netifs "$pf"); do cat /sys/class/net/$i/address; done)
expect_num "7 distinct VF MACs" "$(echo "$macs" | sort -u | wc -l)" -eq 7
expect_match "VF MACs are locally administered unicast" "$(echo "$macs" | head -1)" '^[0-9a-f][26ae]:'
for i in $(vf_netifs "$pf"); do ip link set "$i" up; done
# MSI-X: each VF's queues have vectors of their own in /proc/interrupts.
vf1=$(pci_vfs "$pf" | head -1)
# On the root bus Linux places VF BARs in the 64-bit hole above 4 GiB.
expect_num "VF BAR0 above 4 GiB (root bus)" "$(pci_bar "$vf1" 0 | cut -d' ' -f1)" -gt 0xffffffff
expect_num "VF uses MSI-X vectors" "$(grep -c "virtio[0-9]*-\(input\|output\|config\)" /proc/interrupts)" -ge 8
expect_num "VF has an MSI-X capability enabled" "$(lspci -s "$vf1" -vv | grep -c 'MSI-X: Enable+')" -eq 1
disable

# Five enable/disable cycles leave no stale state.
for n in 3 7 1 5 2; do
    enable "$n"
    disable
done
expect_num "no stale virtio netdevs after cycles" "$(ls /sys/class/net | grep -vc '^lo$')" -eq 1
