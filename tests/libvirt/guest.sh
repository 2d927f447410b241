# The guest side of tests/libvirt/run: a libvirt-managed VM (the domain of
# tests/libvirt/domain.xml, PF pf0 with total-vfs=4). host_ctl here runs
# `scripts/sriov-nic-ctl --libvirt DOMAIN --connect URI ARGS` on the host,
# so every policy change goes through libvirt (virsh qemu-monitor-command).
# Not a tests/guest scenario: run-all does not run it (it needs libvirt).
# var: SECONDS_IPERF=3

# tcp_listening NS PORT: a TCP socket listens on PORT in namespace NS
# (/proc/net is the reading process's namespace's; iperf3 listens on IPv6
# and IPv4 at once: tcp6).
tcp_listening() {
    ip netns exec "$1" cat /proc/net/tcp /proc/net/tcp6 2>/dev/null |
        grep -q "^ *[0-9]*: [0-9A-F]*:$(printf '%04X' "$2") [0-9A-F]*:0000 0A "
}
carrier_is() {  # NS DEV 0|1
    [ "$(ip netns exec "$1" cat "/sys/class/net/$2/carrier" 2>/dev/null)" = "$3" ]
}
flush() { ip -n a neigh flush all; ip -n b neigh flush all; }

enable_vfs 2
require "host control through libvirt works" host_ctl pf0 show vf 0
host_ctl pf0 show > /tmp/show.txt 2>&1
expect_match "libvirt's QEMU reports the 2 VFs the guest enabled" \
    "$(head -n1 /tmp/show.txt)" 'total-vfs 4 num-vfs 2$'

ip netns add a; ip netns add b
ip link set "$vf0" netns a; ip link set "$vf1" netns b
ip -n a addr add 169.254.10.1/24 dev "$vf0"; ip -n a link set "$vf0" up; ip -n a link set lo up
ip -n b addr add 169.254.10.2/24 dev "$vf1"; ip -n b link set "$vf1" up; ip -n b link set lo up
require "VF0 pings VF1" wait_for 30 ip netns exec a ping -c 1 -W 1 169.254.10.2
check "VF1 pings VF0" ip netns exec b ping -c 3 -W 2 169.254.10.1

# iperf3 VF0 -> VF1; the client starts once the server listens.
ip netns exec b iperf3 -s -D -1 > /dev/null 2>&1
if wait_for 30 tcp_listening b 5201; then
    ip netns exec a iperf3 -c 169.254.10.2 -t "$SECONDS_IPERF" -f m > /tmp/iperf.txt 2>&1
    rc=$?
    sed 's/^/    | /' /tmp/iperf.txt | tail -4
    mbit=$(iperf_mbit /tmp/iperf.txt)
    if [ $rc -eq 0 ] && [ -n "$mbit" ]; then
        pass "iperf3 TCP VF0 -> VF1 for ${SECONDS_IPERF}s"
        result vf0_to_vf1_mbit "$mbit"
    else
        fail "iperf3 TCP VF0 -> VF1" "iperf3 exited $rc"
    fi
else
    fail "iperf3 server listens in namespace b" "nothing on port 5201 after 30 s"
fi

# ---- link state, set through libvirt ----
check "libvirt: vf 1 state disable" host_ctl pf0 vf 1 state disable
check "state disable: VF1 loses its carrier (NO-CARRIER)" wait_for 10 carrier_is b "$vf1" 0
expect_match "ip link shows NO-CARRIER on VF1" "$(ip -n b link show "$vf1")" 'NO-CARRIER'
expect_match "sriov-nic-ctl --libvirt shows link-state disable" \
    "$(host_ctl pf0 show vf 1 2>&1 | sed -n 2p)" 'link-state disable'
flush
check_fails "state disable: VF0 cannot reach VF1" ip netns exec a ping -c 2 -W 1 169.254.10.2
check "libvirt: vf 1 state auto" host_ctl pf0 vf 1 state auto
check "state auto: VF1 carrier back" wait_for 10 carrier_is b "$vf1" 1
check "state auto: VF0 reaches VF1 again" wait_for 30 ip netns exec a ping -c 1 -W 1 169.254.10.2

# ---- port VLAN, set through libvirt: VF0 in VLAN 10, VF1 untagged ----
check "libvirt: vf 0 vlan 10" host_ctl pf0 vf 0 vlan 10
flush
check_fails "port VLAN 10 on VF0: untagged VF1 unreachable" ip netns exec a ping -c 2 -W 1 169.254.10.2
check "libvirt: vf 0 vlan 0" host_ctl pf0 vf 0 vlan 0
flush
check "VLAN removed: VF0 reaches VF1 again" wait_for 30 ip netns exec a ping -c 1 -W 1 169.254.10.2

# A refused setting comes back as an error, the VF unchanged.
check_fails "libvirt: vf 0 vlan 5000 is refused" host_ctl pf0 vf 0 vlan 5000
line=$(host_ctl pf0 show vf 0 2>&1 | sed -n 2p)
expect_match "VF0 is listed" "$line" '^ *vf 0 '
expect_eq "VF0 keeps no VLAN" "$(printf '%s\n' "$line" | grep -c vlan)" 0
