# personality=ixgbe: the stock ixgbe driver binds the PF (8086:10F7, 82599
# backplane KX4), reads its MAC from the EEPROM, brings the link up at 10G,
# answers ethtool -i/-S/-d/-e, and enables SR-IOV: 7, 31, 32 and 63 VFs
# (8086:10ED) bind the stock ixgbevf, each with a netdev at <vf>/net/ and the
# PF's at <vf>/physfn/net/, removed again by echo 0. dmesg carries no ixgbe
# or ixgbevf error or warning.
# qemu: -netdev user,id=n0,restrict=on
# qemu: -device pcie-root-port,id=rp0,slot=1,chassis=1
# qemu: -device @DEVICE@,bus=rp0,netdev=n0,personality=ixgbe,total-vfs=63,mac=52:54:00:82:59:01
# timeout: 900

modprobe ixgbe
modprobe ixgbevf  # no udev here: VFs bind to a loaded driver
pf=$(pci_pfs 8086:10f7 | head -n1)
[ -n "$pf" ] || abort "no 8086:10f7 PF with SR-IOV; PCI functions: $(cd $SYSPCI && for d in *; do echo "$d=$(pci_id $d)"; done)"
expect_eq "ixgbe drives the PF" "$(pci_driver "$pf")" ixgbe
pf_netdev() { ls "$SYSPCI/$1/net" 2>/dev/null | head -n1 | grep .; }
require "PF netdev at $pf/net/" wait_for 20 pf_netdev "$pf"
pfif=$(pf_netdev "$pf")
info "PF $pf is $pfif"
expect_eq "PF MAC from the EEPROM" "$(cat /sys/class/net/$pfif/address)" 52:54:00:82:59:01

ip link set "$pfif" up
link_up() { [ "$(cat /sys/class/net/$1/carrier 2>/dev/null)" = 1 ]; }
check "PF link up" wait_for 20 link_up "$pfif"
ethtool "$pfif" > /tmp/ethtool.pf 2>&1
sed 's/^/    | /' /tmp/ethtool.pf
expect_match "ethtool: 10000baseKX4/Full supported" "$(cat /tmp/ethtool.pf)" '10000baseKX4/Full'
expect_match "ethtool: Speed 10000Mb/s" "$(cat /tmp/ethtool.pf)" 'Speed: 10000Mb/s'
expect_match "ethtool: Link detected: yes" "$(cat /tmp/ethtool.pf)" 'Link detected: yes'
expect_match "ethtool -i: driver ixgbe" "$(ethtool -i "$pfif" 2>&1)" '^driver: ixgbe'
check "ethtool -S" sh -c "ethtool -S $pfif | grep -q rx_packets"
check "ethtool -d" sh -c "ethtool -d $pfif | grep -qi ctrl"
check "ethtool -e" sh -c "ethtool -e $pfif | grep -q 0x0000"

expect_eq "sriov_totalvfs" "$(cat /sys/class/net/$pfif/device/sriov_totalvfs)" 63

vf_netdevs_are() {  # N: exactly N VFs with an ixgbevf netdev and physfn/net/<pf>
    local n=0 v
    for v in $(pci_vfs "$pf"); do
        [ "$(pci_driver "$v")" = ixgbevf ] && ls "$SYSPCI/$v/net" 2>/dev/null | grep -q . &&
            [ -e "$SYSPCI/$v/physfn/net/$pfif" ] && n=$((n + 1))
    done
    [ "$n" -eq "$1" ]
}
for n in 7 31 32 63 7; do
    t0=$(now_ms)
    check "echo $n > sriov_numvfs" sh -c "echo $n > /sys/class/net/$pfif/device/sriov_numvfs"
    check "$n VFs bind ixgbevf with netdevs" wait_for 240 vf_netdevs_are "$n"
    result "enable_${n}_vfs_ms" $(( $(now_ms) - t0 ))
    expect_eq "VF device ID 10ed" "$(cat $SYSPCI/$(pci_vfs "$pf" | head -n1)/device)" 0x10ed
    check "echo 0 > sriov_numvfs" sh -c "echo 0 > /sys/class/net/$pfif/device/sriov_numvfs"
    check "no VFs left" wait_for 60 sh -c "[ -z \"\$(ls -d $SYSPCI/$pf/virtfn* 2>/dev/null)\" ]"
done

dmesg | grep -E 'ixgbe|ixgbevf' > /tmp/dmesg.ixgbe
info "dmesg (ixgbe, ixgbevf), first lines:"
head -40 /tmp/dmesg.ixgbe | sed 's/^/    | /'
bad=$(grep -iwE 'error|errors|warn|warning|fail|failed|failure|hang|hung|timeout|unsupported|invalid' /tmp/dmesg.ixgbe | head -20)
expect_eq "no ixgbe/ixgbevf errors or warnings in dmesg" "$bad" ""
check "no kernel warnings" sh -c "! dmesg | grep -qE 'WARNING:|Call Trace|BUG:'"
finish
