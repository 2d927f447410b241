# 64 VFs of a PF behind a pcie-root-port (ARI forwarding), enabled through
# pci-pf-stub: all 64 appear with BAR0 assigned, 64-bit prefetchable 32 KiB,
# distinct and above 4 GiB; then removed.
#
# Where the VF BARs land is up to firmware and Linux, not the device: with
# SeaBIOS's default 2 MiB root-port windows, the 64 x 32 KiB VF BAR0
# aperture (exactly 2 MiB) fits the port's empty 32-bit non-prefetchable
# window and Linux puts it there, below 4 GiB (pci=realloc does not change
# that).  pref64-reserve=2G makes SeaBIOS place the port's 64-bit
# prefetchable window above 4 GiB, as 64-bit firmware (OVMF) does, so the
# PF BAR and all VF BARs live above 4 GiB.  To see the default placement:
#   run-scenario --set RP_OPTS= --set BAR_ABOVE_4G=no vfs-root-port-64.sh
# (With total-vfs=128 Linux itself moves the window above 4 GiB.)
# var: PF_BUS=rp0
# var: TOTAL_VFS=64
# var: NUM_VFS=64
# var: RP_OPTS=,pref64-reserve=2G
# var: BAR_ABOVE_4G=yes
# qemu: -netdev user,id=n0,restrict=on
# qemu: -device pcie-root-port,id=rp0,slot=1,chassis=1@RP_OPTS@
# qemu: -device @DEVICE@,netdev=n0,total-vfs=@TOTAL_VFS@,bus=@PF_BUS@
# timeout: 400

pf=$(pci_pfs 1af4:1041 | head -n1)
[ -n "$pf" ] || abort "no 1af4:1041 PF found"
rp=$(pci_parent "$pf")
info "PF $pf (driver $(pci_driver "$pf")) behind ${rp:-the root bus}"
expect_ne "PF sits behind a bridge (the root port)" "${rp:-none}" none
expect_eq "sriov_totalvfs" "$(cat $SYSPCI/$pf/sriov_totalvfs)" "$TOTAL_VFS"
require "bind the PF to pci-pf-stub, VF autoprobe off" pf_to_stub "$pf"

t0=$(now_ms)
sriov_set "$pf" "$NUM_VFS" 2> "$SNIC_OUT"
rc=$?
t1=$(now_ms)
result "enable${NUM_VFS}_ms" $((t1 - t0))
[ $rc -eq 0 ] || abort "echo $NUM_VFS > sriov_numvfs failed: $(cat "$SNIC_OUT"); $(dmesg | tail -n 5)"
pass "echo $NUM_VFS > sriov_numvfs"

expect_eq "sriov_numvfs reads back $NUM_VFS" "$(cat $SYSPCI/$pf/sriov_numvfs)" "$NUM_VFS"
vfs=$(pci_vfs "$pf")
expect_num "$NUM_VFS virtfn links" "$(echo "$vfs" | grep -c .)" -eq "$NUM_VFS"
expect_num "lspci shows PF + $NUM_VFS VFs" "$(lspci -n -d 1af4:1041 | grep -c .)" -eq $((NUM_VFS + 1))
if [ -n "$rp" ]; then
    expect_match "root port forwards ARI (DevCtl2 ARIFwd+)" "$(lspci -vv -s "$rp")" 'ARIFwd\+'
fi
expect_num "all VFs on the PF's bus" "$(echo "$vfs" | grep -vc "^${pf%:*}:")" -eq 0

bad='' min='' max=''
for vf in $vfs; do
    set -- $(pci_bar "$vf" 0)
    start=$(snic_num "$1")
    if [ "$start" = 0 ]; then bad="$bad $vf:unassigned"; continue; fi
    [ $(($2 - $1 + 1)) -eq $((0x8000)) ] || bad="$bad $vf:size=$(($2 - $1 + 1))"
    [ $(($3 & IORESOURCE_MEM_64)) -ne 0 ] || bad="$bad $vf:not-64bit"
    [ $(($3 & IORESOURCE_PREFETCH)) -ne 0 ] || bad="$bad $vf:not-prefetchable"
    [ -z "$min" ] || [ "$start" -ge "$min" ] || min=$start
    [ -n "$min" ] || min=$start
    [ -z "$max" ] || [ "$start" -le "$max" ] || max=$start
    [ -n "$max" ] || max=$start
done
expect_eq "every VF BAR0 assigned, 64-bit prefetchable, 32 KiB" "${bad:-ok}" ok
info "VF BAR0 range: $(printf '0x%x' "${min:-0}") .. $(printf '0x%x' "${max:-0}")"
result vf_bar0_lowest "$(printf '0x%x' "${min:-0}")"
if [ "$BAR_ABOVE_4G" = yes ]; then
    expect_num "lowest VF BAR0 above 4 GiB" "${min:-0}" -gt 0xffffffff
fi
expect_num "distinct VF BAR0 addresses" \
    "$(for vf in $vfs; do pci_bar "$vf" 0 | cut -d' ' -f1; done | sort -u | grep -c .)" -eq "$NUM_VFS"
# lspci's view of the VF BARs (sysfs-backed, marked [virtual]).
if [ "$BAR_ABOVE_4G" = yes ]; then
    expect_num "lspci: $NUM_VFS VF BARs 64-bit prefetchable above 4 GiB" \
        "$(lspci -v -d 1af4:1041 | grep -cE 'Memory at [0-9a-f]{9,} \(64-bit, prefetchable\) \[virtual\]')" -eq "$NUM_VFS"
fi
last=$(echo "$vfs" | tail -n1)
expect_match "lspci: last VF ($last) has MSI-X" "$(lspci -v -s "$last")" 'MSI-X:'

t0=$(now_ms)
check "echo 0 > sriov_numvfs" sriov_set "$pf" 0
t1=$(now_ms)
result disable${NUM_VFS}_ms $((t1 - t0))
expect_eq "sriov_numvfs reads back 0" "$(cat $SYSPCI/$pf/sriov_numvfs)" 0
expect_num "lspci shows only the PF" "$(lspci -n -d 1af4:1041 | grep -c .)" -eq 1
