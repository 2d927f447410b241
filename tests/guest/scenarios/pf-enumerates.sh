# The PF enumerates: 1af4:1041, class 0200, PCIe endpoint (an integrated one
# on pcie.0; run with --set PF_BUS=rp0 --qemu-args "-device
# pcie-root-port,id=rp0,slot=1,chassis=1" for a plain one) with MSI-X, ARI and
# SR-IOV (the last extended capability), sriov_totalvfs = total-vfs, VF BAR0
# 64-bit prefetchable 32 KiB.  Nothing is enabled.
# var: PF_BUS=pcie.0
# var: TOTAL_VFS=6
# qemu: -netdev user,id=n0,restrict=on
# qemu: -device @DEVICE@,netdev=n0,total-vfs=@TOTAL_VFS@,bus=@PF_BUS@
# timeout: 120

pfs=$(pci_pfs 1af4:1041)
expect_num "exactly one 1af4:1041 function with SR-IOV" "$(echo "$pfs" | grep -c .)" -eq 1
pf=$(echo "$pfs" | head -n1)
[ -n "$pf" ] || abort "no 1af4:1041 PF found; PCI functions: $(cd $SYSPCI && for d in *; do echo "$d=$(pci_id $d)"; done)"
info "PF $pf, driver $(pci_driver "$pf")"

expect_eq "vendor ID" "$(cat $SYSPCI/$pf/vendor)" 0x1af4
expect_eq "device ID" "$(cat $SYSPCI/$pf/device)" 0x1041
expect_match "class 0x0200xx (Ethernet)" "$(cat $SYSPCI/$pf/class)" '^0x0200[0-9a-f]{2}$'
info "subsystem $(cat $SYSPCI/$pf/subsystem_vendor):$(cat $SYSPCI/$pf/subsystem_device), revision $(cat $SYSPCI/$pf/revision)"
expect_match "lspci -nn shows [0200] and [1af4:1041]" "$(lspci -nn -s $pf)" '\[0200\].*\[1af4:1041\]'

lspci -vvv -s "$pf" > /tmp/pf.lspci 2>&1
lv=$(cat /tmp/pf.lspci)
# On pcie.0 QEMU makes a PCIe endpoint a Root Complex Integrated Endpoint.
expect_match "PCI Express endpoint" "$lv" 'Express \(v2\) (Root Complex Integrated )?Endpoint'
expect_match "MSI-X capability" "$lv" 'Capabilities: \[[0-9a-f]+\] MSI-X: Enable[+-] Count=[0-9]+'
expect_match "ARI extended capability" "$lv" 'Capabilities: \[[0-9a-f]+ v[0-9]+\] Alternative Routing-ID Interpretation \(ARI\)'
expect_match "SR-IOV extended capability" "$lv" 'Capabilities: \[[0-9a-f]+ v[0-9]+\] Single Root I/O Virtualization \(SR-IOV\)'
expect_match "SR-IOV is the last extended capability" \
    "$(grep -E 'Capabilities: \[[0-9a-f]{3} v' /tmp/pf.lspci | tail -n1)" 'SR-IOV'
expect_match "SR-IOV: Total VFs = $TOTAL_VFS" "$lv" "Initial VFs: [0-9]+, Total VFs: $TOTAL_VFS,"
expect_match "SR-IOV: VF device ID 1041" "$lv" 'VF offset: [0-9]+, stride: [0-9]+, Device ID: 1041'
expect_match "SR-IOV: VF BAR0 64-bit prefetchable" "$lv" \
    'Region 0: Memory at [0-9a-f]+ \(64-bit, prefetchable\)'

expect_eq "sriov_totalvfs = total-vfs" "$(cat $SYSPCI/$pf/sriov_totalvfs)" "$TOTAL_VFS"
expect_eq "sriov_numvfs is 0 at boot" "$(cat $SYSPCI/$pf/sriov_numvfs)" 0
expect_eq "sriov_vf_device" "$(cat $SYSPCI/$pf/sriov_vf_device 2>/dev/null || echo 1041)" 1041
# The kernel sizes the VF BAR0 aperture as total-vfs x VF BAR0 (resource 7).
set -- $(pci_bar "$pf" 7)
if [ $# -eq 3 ] && [ "$(snic_num "$1")" != 0 ]; then
    expect_num "VF BAR0 aperture = $TOTAL_VFS x 32 KiB" $(($2 - $1 + 1)) -eq $((TOTAL_VFS * 0x8000))
    expect_num "VF BAR0 is memory" $(($3 & IORESOURCE_MEM)) -ne 0
    expect_num "VF BAR0 is 64-bit" $(($3 & IORESOURCE_MEM_64)) -ne 0
    expect_num "VF BAR0 is prefetchable" $(($3 & IORESOURCE_PREFETCH)) -ne 0
else
    fail "VF BAR0 aperture assigned" "resource7 of $pf is '$*'"
fi
