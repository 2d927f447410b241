# Host-side VF policy enforced in the switch, set over QMP while the guest
# runs (scripts/sriov-nic-ctl via host_ctl): spoofchk, port VLAN, trust, mac.
# qemu: -device pcie-root-port,id=rp0,slot=1,chassis=1 -device @DEVICE@,id=pf0,bus=rp0,netdev=n0,total-vfs=4 -netdev user,id=n0,restrict=on
# host-control: yes
# timeout: 400

modprobe macvlan
enable_vfs 3
require "host control channel works" host_ctl pf0 show vf 0

ip netns add a; ip netns add b
ip link set "$vf0" netns a; ip link set "$vf1" netns b
ip -n a addr add 169.254.10.1/24 dev "$vf0"; ip -n a link set "$vf0" up
ip -n b addr add 169.254.10.2/24 dev "$vf1"; ip -n b link set "$vf1" up
ip -n b addr add 169.254.11.2/24 dev "$vf1"
ip addr add 169.254.10.3/24 dev "$pfif"; ip link set "$pfif" up
require "VF0 pings VF1" ip netns exec a ping -c 2 -W 2 169.254.10.2

# ---- spoofchk: a macvlan on VF0 sends with a forged source MAC ----
ip -n a link add link "$vf0" name mv0 address 02:aa:bb:cc:dd:ee type macvlan mode bridge
ip -n a addr add 169.254.11.1/24 dev mv0; ip -n a link set mv0 up
forged_seen() { ip -n b neigh show 169.254.11.1 | grep -q 02:aa:bb:cc:dd:ee; }
d0=$(host_stat 0 drop-tx-spoof)
ip netns exec a ping -c 3 -W 1 169.254.11.2 > /dev/null 2>&1
check_fails "spoofchk on: the receiver never sees the forged MAC" forged_seen
d1=$(host_stat 0 drop-tx-spoof)
expect_num "spoofchk on: drop-tx-spoof rises" "${d1:-0}" -gt "${d0:-0}"
host_ctl pf0 vf 0 spoofchk off
check "spoofchk off: the forged MAC gets through" sh -c "/usr/sbin/ip netns exec a ping -c 3 -W 2 169.254.11.2 >/dev/null 2>&1; /usr/sbin/ip -n b neigh show 169.254.11.1 | grep -q 02:aa:bb:cc:dd:ee"
host_ctl pf0 vf 0 spoofchk on
ip -n a link del mv0

# ---- port VLANs ----
flush() { ip -n a neigh flush all; ip -n b neigh flush all; }
host_ctl pf0 vf 0 vlan 10; host_ctl pf0 vf 1 vlan 20; flush
check_fails "different port VLANs: VF0 cannot reach VF1" ip netns exec a ping -c 2 -W 1 169.254.10.2
host_ctl pf0 vf 1 vlan 10; flush
check "same port VLAN: VF0 reaches VF1 (untagged in the guest)" ip netns exec a ping -c 3 -W 2 169.254.10.2
expect_eq "the guest sees no VLAN device or tag" "$(ip -n b -d link show "$vf1" | grep -c 'vlan protocol')" 0
check_fails "port VLAN isolates VF0 from the PF (no VLAN)" ip netns exec a ping -c 2 -W 1 169.254.10.3
host_ctl pf0 vf 0 vlan 0; host_ctl pf0 vf 1 vlan 0; flush
check "VLANs removed: VF0 reaches VF1 again" ip netns exec a ping -c 2 -W 2 169.254.10.2

# ---- trust: promiscuous VF1 and unicast between VF0 and the PF ----
ip netns exec a ping -c 1 -W 2 169.254.10.3 > /dev/null 2>&1   # resolve ARP
r0=$(host_stat 0 ctrl-refused-untrusted)
ip -n b link set "$vf1" promisc on
sleep 0.5
p0=$(host_stat 1 rx-packets)
ip netns exec a ping -c 20 -i 0.05 -W 2 169.254.10.3 > /dev/null 2>&1
p1=$(host_stat 1 rx-packets)
expect_num "untrusted promiscuous VF1 does not get VF0<->PF unicast" $((p1 - p0)) -lt 5
r1=$(host_stat 1 ctrl-refused-untrusted)
expect_num "untrusted promisc request refused and counted" "${r1:-0}" -gt 0
host_ctl pf0 vf 1 trust on
ip -n b link set "$vf1" promisc off; ip -n b link set "$vf1" promisc on
sleep 0.5
p0=$(host_stat 1 rx-packets)
ip netns exec a ping -c 20 -i 0.05 -W 2 169.254.10.3 > /dev/null 2>&1
p1=$(host_stat 1 rx-packets)
expect_num "trusted promiscuous VF1 gets VF0<->PF unicast" $((p1 - p0)) -ge 20
host_ctl pf0 vf 1 trust off

# ---- mac set from the host applies at the VF's next bind ----
host_ctl pf0 vf 2 mac 02:00:00:00:00:42
vf2bdf=$(basename "$(readlink "$SYSPCI/$pf/virtfn2")")
echo "$vf2bdf" > /sys/bus/pci/drivers/virtio-pci/unbind
echo "$vf2bdf" > /sys/bus/pci/drivers/virtio-pci/bind
wait_for 10 sh -c "ls $SYSPCI/$vf2bdf/virtio*/net/ >/dev/null 2>&1"
expect_eq "host-set MAC is what VF2 reports after a rebind" \
    "$(cat /sys/class/net/$(ls $SYSPCI/$vf2bdf/virtio*/net | head -1)/address)" 02:00:00:00:00:42
host_ctl pf0 show
