# personality=ixgbe traffic: two VFs (stock ixgbevf, offloads left on) in
# network namespaces and the PF (stock ixgbe) ping each other and run
# iperf3 VF->VF and VF->PF through the device's switch, and VF->uplink: the
# uplink is a tap whose host end is a namespace of its own with an iperf3
# server (tests/guest/host/tap-peer-up, 169.254.40.1). The VF counters in
# `ip -s link show <pf>` (ndo_get_vf_stats: PVFGPRC..) rise with it. With
# `vlan 100 qos 3` VF0's frames reach the uplink peer tagged VID 100, PCP
# 3: tap-vlan-echo there answers pings to 169.254.41.1 on VID 100 with TTL
# 100 + the PCP it saw (tap-peer-vlan-up).
# qemu: -netdev tap,id=n0,ifname=snt@RUNID@0,script=@HOSTDIR@/tap-peer-vlan-up,downscript=@HOSTDIR@/tap-peer-down,vhost=off
# qemu: -device pcie-root-port,id=rp0,slot=1,chassis=1
# qemu: -device @DEVICE@,bus=rp0,netdev=n0,personality=ixgbe,total-vfs=63,mac=52:54:00:82:59:01
# var: SECONDS_IPERF=8
# timeout: 600

ixgbe_enable_vfs 2
ethtool -k "$vf0" | grep -E '^(tx-checksumming|tcp-segmentation-offload|rx-checksumming):' | sed 's/^/    | /'
ip netns add a; ip netns add b
ip link set "$vf0" netns a; ip link set "$vf1" netns b
ip -n a addr add 169.254.82.1/24 dev "$vf0"; ip -n a link set "$vf0" up
ip -n a addr add 169.254.40.2/24 dev "$vf0"
ip -n b addr add 169.254.82.2/24 dev "$vf1"; ip -n b link set "$vf1" up
ip addr add 169.254.82.10/24 dev "$pfif"
vf_up() { [ "$(ip netns exec "$1" cat /sys/class/net/$2/carrier 2>/dev/null)" = 1 ]; }
check "VF0 carrier" wait_for 30 vf_up a "$vf0"
check "VF1 carrier" wait_for 30 vf_up b "$vf1"
check "VF0 pings VF1" ip netns exec a ping -c 3 -W 2 169.254.82.2
check "VF1 pings the PF" ip netns exec b ping -c 3 -W 2 169.254.82.10
check "the PF pings VF0" ping -c 3 -W 2 169.254.82.1
check "VF0 pings the uplink's host namespace" wait_for 20 ip netns exec a ping -c 1 -W 1 169.254.40.1
iperf_ns vf_vf a b 169.254.82.2
iperf_ns vf_pf a root 169.254.82.10
iperf_uplink() {  # NAME NS ADDR: to the iperf3 server tap-peer-up started
    local out=/tmp/iperf.$1 rc mbit
    ip netns exec "$2" timeout $((SECONDS_IPERF + 40)) \
        iperf3 -c "$3" -t "$SECONDS_IPERF" -f m > "$out" 2>&1
    rc=$?
    sed 's/^/    | /' "$out" | tail -4
    mbit=$(iperf_mbit "$out")
    if [ $rc -eq 0 ] && [ -n "$mbit" ]; then
        pass "iperf3 $1"
        result "${1}_mbit" "$mbit"
    else
        fail "iperf3 $1" "iperf3 exited $rc: $(tail -n 1 "$out")"
    fi
}
iperf_uplink vf_uplink a 169.254.40.1

# vlan 100 qos 3 on the wire: the peer's TTL is 100 + the PCP it saw
check "ip link set vf 0 vlan 100 qos 3" ip link set "$pfif" vf 0 vlan 100 qos 3
ip -n a addr add 169.254.41.2/24 dev "$vf0"
ip -n a neigh replace 169.254.41.1 lladdr 02:00:00:00:41:01 dev "$vf0"
ip netns exec a ping -c 2 -W 2 169.254.41.1 > /tmp/ping.wire 2>&1
sed 's/^/    | /' /tmp/ping.wire | head -3
expect_eq "vlan 100 qos 3: the uplink peer sees VID 100 and PCP 3 (its reply's ttl 103)" \
    "$(sed -n 's/.*ttl=\([0-9]*\).*/\1/p' /tmp/ping.wire | sort -u | tr '\n' ' ')" "103 "
check "ip link set vf 0 vlan 0" ip link set "$pfif" vf 0 vlan 0
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
