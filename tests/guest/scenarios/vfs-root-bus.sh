# VFs of a PF on the root bus (pcie.0), enabled through pci-pf-stub: exact
# VF counts for every sriov_numvfs write, each VF with a 64-bit prefetchable
# BAR0 and MSI-X, and clean removal, over several enable/disable cycles.
# var: PF_BUS=pcie.0
# var: TOTAL_VFS=4
# var: CYCLES=1 4 2 4 3
# qemu: -netdev user,id=n0,restrict=on
# qemu: -device @DEVICE@,netdev=n0,total-vfs=@TOTAL_VFS@,bus=@PF_BUS@
# timeout: 240

pf=$(pci_pfs 1af4:1041 | head -n1)
[ -n "$pf" ] || abort "no 1af4:1041 PF found"
info "PF $pf (driver $(pci_driver "$pf")) on bus ${pf%:*}"
expect_eq "sriov_totalvfs" "$(cat $SYSPCI/$pf/sriov_totalvfs)" "$TOTAL_VFS"
require "bind the PF to pci-pf-stub, VF autoprobe off" pf_to_stub "$pf"

nfuncs() { lspci -n -d 1af4:1041 | grep -c .; }

# vfs_enable N: write N and check everything; with detail=1 also check each VF
# with lspci -v.
vfs_enable() {
    local n=$1 t0 t1 vf bad=
    t0=$(now_ms)
    if ! sriov_set "$pf" "$n" 2> "$SNIC_OUT"; then
        fail "echo $n > sriov_numvfs" "write failed: $(cat "$SNIC_OUT")"
        return 1
    fi
    t1=$(now_ms)
    result "enable${n}_ms" $((t1 - t0))
    expect_eq "numvfs=$n: sriov_numvfs reads back $n" "$(cat $SYSPCI/$pf/sriov_numvfs)" "$n"
    expect_num "numvfs=$n: $n virtfn links" "$(pci_vfs "$pf" | grep -c .)" -eq "$n"
    expect_num "numvfs=$n: lspci shows PF + $n VFs" "$(nfuncs)" -eq $((n + 1))
    for vf in $(pci_vfs "$pf"); do
        [ "$(pci_id "$vf")" = 1af4:1041 ] || bad="$bad $vf:id=$(pci_id "$vf")"
        [ "$(basename "$(readlink $SYSPCI/$vf/physfn)")" = "$pf" ] || bad="$bad $vf:physfn"
        [ "$(pci_driver "$vf")" = none ] || bad="$bad $vf:driver=$(pci_driver "$vf")"
        set -- $(pci_bar "$vf" 0)
        [ "$(snic_num "$1")" != 0 ] || bad="$bad $vf:bar0-unassigned"
        [ $(($2 - $1 + 1)) -eq $((0x8000)) ] || bad="$bad $vf:bar0-size=$(($2 - $1 + 1))"
        [ $(($3 & IORESOURCE_MEM_64)) -ne 0 ] || bad="$bad $vf:bar0-not-64bit"
        [ $(($3 & IORESOURCE_PREFETCH)) -ne 0 ] || bad="$bad $vf:bar0-not-prefetchable"
        if [ "$detail" = 1 ]; then
            lspci -v -s "$vf" > /tmp/vf.lspci 2>&1
            grep -Eq 'Memory at [0-9a-f]+ \(64-bit, prefetchable\)' /tmp/vf.lspci ||
                bad="$bad $vf:lspci-no-64bit-pref-memory"
            grep -q 'MSI-X:' /tmp/vf.lspci || bad="$bad $vf:lspci-no-msix"
        fi
    done
    expect_eq "numvfs=$n: every VF is 1af4:1041, unbound, BAR0 64-bit pref 32K${detail:+, lspci MSI-X}" "${bad:-ok}" ok
}

vfs_disable() {
    if ! sriov_set "$pf" 0 2> "$SNIC_OUT"; then
        fail "echo 0 > sriov_numvfs" "write failed: $(cat "$SNIC_OUT")"
        return 1
    fi
    expect_eq "numvfs=0: sriov_numvfs reads back 0" "$(cat $SYSPCI/$pf/sriov_numvfs)" 0
    expect_num "numvfs=0: no virtfn links" "$(pci_vfs "$pf" | grep -c .)" -eq 0
    expect_num "numvfs=0: lspci shows only the PF" "$(nfuncs)" -eq 1
}

detail=1
vfs_enable 3
lspci -v -s "$(pci_vfs "$pf" | head -n1)" | sed 's/^/    /'
check_fails "numvfs 3 -> 2 without going through 0 is refused" sriov_set "$pf" 2
expect_eq "sriov_numvfs still 3" "$(cat $SYSPCI/$pf/sriov_numvfs)" 3
vfs_disable
check_fails "numvfs above sriov_totalvfs is refused" sriov_set "$pf" $((TOTAL_VFS + 1))
expect_num "still no VFs" "$(nfuncs)" -eq 1

detail=
i=0
for n in $CYCLES; do
    i=$((i + 1))
    info "cycle $i: $n VFs"
    vfs_enable "$n"
    vfs_disable
done
expect_eq "PF still bound to pci-pf-stub" "$(pci_driver "$pf")" pci-pf-stub
