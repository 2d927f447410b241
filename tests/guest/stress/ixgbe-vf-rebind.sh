# (A stress scenario, run by hand: see docs/testing.md.)
# personality=ixgbe: ixgbevf survives being unbound and re-bound many times
# (the "mac after VF reload" step of ixgbe-policy.sh, looped): every
# re-bound VF's reset handshake (vf.c ixgbevf_reset_hw_vf: VFCTRL.RST, the
# RSTI/RSTD poll, IXGBE_VF_RESET over the mailbox answered by the PF's
# ixgbe_msg_task) completes, so it keeps the MAC its PF set and dmesg never
# says "PF still in reset state" or "Unable to start". With UP=1 the VFs
# are up before each unbind (ixgbevf_remove resets them too); UP=0 leaves
# them down, as ixgbe-policy.sh does. HOG=1 keeps both vCPUs busy with
# shell loops meanwhile: with UP=1 on a loaded 2-core host the PF's
# handler then sometimes answers a reset after ixgbevf's ~1 s (2000 x
# 500 us) is over (seen in round 10 of 30 on 6.1): a stress of the guest,
# not a default.
# qemu: -netdev user,id=n0,restrict=on
# qemu: -device pcie-root-port,id=rp0,slot=1,chassis=1
# qemu: -device @DEVICE@,bus=rp0,netdev=n0,personality=ixgbe,total-vfs=63,mac=52:54:00:82:59:01
# var: ROUNDS=20
# var: UP=1
# var: HOG=0
# timeout: 1200

ixgbe_enable_vfs 3
check "ip link set vf 0 mac" ip link set "$pfif" vf 0 mac 02:00:00:82:00:01
check "ip link set vf 1 mac" ip link set "$pfif" vf 1 mac 02:00:00:82:00:02
check "ip link set vf 2 mac" ip link set "$pfif" vf 2 mac 02:00:00:82:00:03
bad=0
hogs=
if [ "$HOG" = 1 ]; then
    for i in 1 2; do sh -c 'while :; do :; done' & hogs="$hogs $!"; done
fi
for round in $(seq 1 "$ROUNDS"); do
    if [ "$UP" = 1 ]; then
        for v in $vfs; do
            n=$(pci_netdev "$v") && ip link set "$n" up
        done
    fi
    for v in $vfs; do echo "$v" > /sys/bus/pci/drivers/ixgbevf/unbind; done
    for v in $vfs; do echo "$v" > /sys/bus/pci/drivers/ixgbevf/bind; done
    if ! wait_for 60 ixgbe_vf_netdevs_are "$pf" 3; then
        fail "round $round: 3 VF netdevs back"; bad=1; break
    fi
    collect_vf_netdevs "$pf" pci_netdev
    if [ "$(cat /sys/class/net/$vf0/address)" != 02:00:00:82:00:01 ]; then
        fail "round $round: VF 0 keeps the MAC its PF set (has $(cat /sys/class/net/$vf0/address))"; bad=1
    fi
    if dmesg | grep -q -e 'PF still in reset state' -e 'Unable to start'; then
        fail "round $round: a VF reset failed"; bad=1; break
    fi
done
[ -n "$hogs" ] && kill $hogs
[ "$bad" = 0 ] && pass "$ROUNDS rounds of unbind/bind, every VF reset answered"
dmesg | grep -i -e ixgbe -e 'reset' | tail -40 | sed 's/^/    : /'
