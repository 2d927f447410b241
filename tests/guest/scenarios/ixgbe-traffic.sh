# personality=ixgbe traffic: two VFs (stock ixgbevf, offloads left on) in
# network namespaces and the PF (stock ixgbe) ping each other and run
# iperf3 VF->VF and VF->PF through the device's switch; the VF counters in
# `ip -s link show <pf>` (ndo_get_vf_stats: PVFGPRC..) rise with it.
# qemu: -netdev user,id=n0,restrict=on
# qemu: -device pcie-root-port,id=rp0,slot=1,chassis=1
# qemu: -device @DEVICE@,bus=rp0,netdev=n0,personality=ixgbe,total-vfs=63,mac=52:54:00:82:59:01
# var: SECONDS_IPERF=10
# timeout: 600

ixgbe_enable_vfs 2
ethtool -k "$vf0" | grep -E '^(tx-checksumming|tcp-segmentation-offload|rx-checksumming):' | sed 's/^/    | /'
ip netns add a; ip netns add b
ip link set "$vf0" netns a; ip link set "$vf1" netns b
ip -n a addr add 169.254.82.1/24 dev "$vf0"; ip -n a link set "$vf0" up
ip -n b addr add 169.254.82.2/24 dev "$vf1"; ip -n b link set "$vf1" up
ip addr add 169.254.82.10/24 dev "$pfif"
vf_up() { [ "$(ip netns exec "$1" cat /sys/class/net/$2/carrier 2>/dev/null)" = 1 ]; }
check "VF0 carrier" wait_for 30 vf_up a "$vf0"
check "VF1 carrier" wait_for 30 vf_up b "$vf1"
check "VF0 pings VF1" ip netns exec a ping -c 3 -W 2 169.254.82.2
check "VF1 pings the PF" ip netns exec b ping -c 3 -W 2 169.254.82.10
check "the PF pings VF0" ping -c 3 -W 2 169.254.82.1
iperf_ns vf_vf a b 169.254.82.2
iperf_ns vf_pf a root 169.254.82.10
ip -s link show "$pfif" > /tmp/pf.stats
sed 's/^/    | /' /tmp/pf.stats
# VF 0 is the iperf3 client: megabytes out, its ACKs' kilobytes in.
rx0=$(awk '/vf 0 /{f=1} f && /RX:/{getline; print $1; exit}' /tmp/pf.stats)
tx0=$(awk '/vf 0 /{f=1} f && /TX:/{getline; print $1; exit}' /tmp/pf.stats)
expect_num "ip -s link: VF 0 RX bytes counted" "${rx0:-0}" -gt 10000
expect_num "ip -s link: VF 0 TX bytes counted" "${tx0:-0}" -gt 10000000
bad='error|errors|warn|warning|fail|failed|failure|hang|hung|timeout|spoofed|malicious'
dmesg | grep -E 'ixgbe' | grep -iwE "$bad" | sed 's/^/    ! /'
expect_eq "no ixgbe warning or error in dmesg" "$(dmesg | grep -E 'ixgbe' | grep -iwE "$bad")" ""
finish
