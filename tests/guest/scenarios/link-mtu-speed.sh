# Jumbo frames by default: the PF and its VFs offer MTU 9000
# (VIRTIO_NET_F_MTU), stock virtio_net starts there; 9000-byte IP packets
# go VF0 -> VF1 whole (one frame each, counted by the device) and iperf3
# runs at MTU 9000; the guest may go lower, not above the offer; a second
# PF started with mtu=1500 caps its netdev at 1500.  Link speed
# (VIRTIO_NET_F_SPEED_DUPLEX): ethtool shows 10000 Mb/s full duplex on PF
# and VFs by default, the second PF's speed=25000.
# qemu: -device pcie-root-port,id=rp0,slot=1,chassis=1 -device @DEVICE@,id=pf0,bus=rp0,netdev=n0,total-vfs=4 -netdev user,id=n0,restrict=on
# qemu: -device pcie-root-port,id=rp1,slot=2,chassis=2 -device @DEVICE@,id=pf1,bus=rp1,netdev=n1,total-vfs=2,mtu=1500,speed=25000,mac=52:54:00:12:35:01 -netdev user,id=n1,restrict=on
# host-control: yes
# timeout: 400

enable_vfs 2
mtu_of() { cat /sys/class/net/$1/mtu; }
maxmtu_of() { ip -d link show "$1" | sed -n 's/.* maxmtu \([0-9]*\).*/\1/p'; }
expect_eq "PF starts at MTU 9000" "$(mtu_of $pfif)" 9000
expect_eq "PF maxmtu is 9000" "$(maxmtu_of $pfif)" 9000
expect_eq "VF0 starts at MTU 9000" "$(mtu_of $vf0)" 9000
expect_eq "VF1 maxmtu is 9000" "$(maxmtu_of $vf1)" 9000
# virtio_net reads speed and duplex when the link comes up (6.12: only then).
ip link set "$vf0" up; ip link set "$pfif" up
speed_of() { ethtool "$1" | sed -n 's/^[[:space:]]*Speed: //p'; }
duplex_of() { ethtool "$1" | sed -n 's/^[[:space:]]*Duplex: //p'; }
wait_for 5 sh -c "ethtool $pfif | grep -q 'Speed: 10000Mb/s'"
expect_eq "ethtool: the PF's speed is 10000Mb/s" "$(speed_of $pfif)" 10000Mb/s
expect_eq "ethtool: VF0's speed is 10000Mb/s" "$(speed_of $vf0)" 10000Mb/s
expect_eq "ethtool: VF0 is full duplex" "$(duplex_of $vf0)" Full

ip netns add a; ip netns add b
ip link set "$vf0" netns a; ip link set "$vf1" netns b
ip -n a addr add 169.254.10.1/24 dev "$vf0"; ip -n a link set "$vf0" up
ip -n b addr add 169.254.10.2/24 dev "$vf1"; ip -n b link set "$vf1" up
require "VF0 pings VF1" wait_for 10 ip netns exec a ping -c 1 -W 1 169.254.10.2

# 8972 bytes of ICMP data + 28 = a 9000-byte IP packet: one 9014-byte frame
# each way when nothing fragments.
p0=$(host_stat 1 rx-packets); b0=$(host_stat 1 rx-bytes)
check "VF0 pings VF1 with 9000-byte IP packets" ip netns exec a ping -c 5 -W 2 -s 8972 169.254.10.2
p1=$(host_stat 1 rx-packets); b1=$(host_stat 1 rx-bytes)
# Fragmented at 1500 the 5 requests alone would be 35 frames; the rest is
# neighbour discovery and the PF's multicast.
expect_num "VF1 received the 5 echo requests unfragmented (frames)" $((p1 - p0)) -lt 20
expect_num "... of 9014 bytes each" $((b1 - b0)) -ge $((5 * 9014))

ip netns exec b iperf3 -s -D -1 > /dev/null 2>&1
sleep 1
ip netns exec a iperf3 -c 169.254.10.2 -t 5 -f m > /tmp/iperf.txt 2>&1
rc=$?
mbit=$(iperf_mbit /tmp/iperf.txt)
expect_eq "iperf3 VF0 -> VF1 at MTU 9000" "$rc" 0
result mtu9000_vf_to_vf_mbit "${mbit:-none}"

check "the guest may lower VF0's MTU to 1500" ip -n a link set "$vf0" mtu 1500
check_fails "... but not raise it above the offer (9001)" ip -n a link set "$vf0" mtu 9001
check "VF0 at 1500 still reaches VF1 (fragments)" ip netns exec a ping -c 2 -W 2 -s 8972 169.254.10.2
# The same pair at 1500, right after, for comparison.
ip -n b link set "$vf1" mtu 1500
ip netns exec b iperf3 -s -D -1 > /dev/null 2>&1
sleep 1
ip netns exec a iperf3 -c 169.254.10.2 -t 5 -f m > /tmp/iperf.txt 2>&1
mbit=$(iperf_mbit /tmp/iperf.txt)
result mtu1500_vf_to_vf_mbit "${mbit:-none}"

# The second PF: the host capped it with mtu=1500.
pf1=$(pci_pfs 1af4:1041 | sed -n 2p)
[ -n "$pf1" ] || abort "the second PF is missing"
require "the second PF has a netdev" wait_for 20 virtio_netdev "$pf1"
pf1if=$(virtio_netdev "$pf1")
expect_eq "mtu=1500 PF starts at 1500" "$(mtu_of $pf1if)" 1500
expect_eq "mtu=1500 PF maxmtu is 1500" "$(maxmtu_of $pf1if)" 1500
check_fails "mtu=1500 PF refuses MTU 9000" ip link set "$pf1if" mtu 9000
ip link set "$pf1if" up
wait_for 5 sh -c "ethtool $pf1if | grep -q 'Speed: 25000Mb/s'"
expect_eq "ethtool: the speed=25000 PF's speed is 25000Mb/s" "$(speed_of $pf1if)" 25000Mb/s
