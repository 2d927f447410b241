# Per-VF netdev mode (vf-netdev=1=n1): VF 1 is bound to a netdev of its own,
# bypassing the switch, as in QEMU's composable SR-IOV; VFs 0 and 2 stay on
# the switch. Each netdev is a hub with a plain virtio-net-pci NIC on it,
# standing in for the tap or socket a user would give: ext0 on the uplink's
# hub (n0), ext1 on VF 1's (n1). VF 1 reaches ext1 and nothing else; the
# switch ports reach each other and ext0, never VF 1 or ext1. Host policy
# still applies to VF 1 on its own netdev (port VLAN, spoofchk, link-state,
# counters), set over QMP while the guest runs. The set migrates live with
# VF 1 on its netdev (its VLAN and counters go along); a destination with
# another binding refuses the stream, naming vf-netdev.
# var: VF_NETDEV=1=n1
# qemu: -device pcie-root-port,id=rp0,slot=1,chassis=1
# qemu: -device @DEVICE@,id=pf0,bus=rp0,netdev=n0,total-vfs=3,vf-netdev=@VF_NETDEV@
# qemu: -netdev hubport,id=n0,hubid=0 -netdev hubport,id=x0,hubid=0 -device virtio-net-pci,netdev=x0,romfile=,mac=52:54:00:e0:00:00
# qemu: -netdev hubport,id=n1,hubid=1 -netdev hubport,id=x1,hubid=1 -device virtio-net-pci,netdev=x1,romfile=,mac=52:54:00:e1:00:00
# var: SECONDS_IPERF=3
# host-control: yes
# timeout: 600

modprobe macvlan
modprobe 8021q
enable_vfs 3
ext0=$(netdev_by_mac 52:54:00:e0:00:00) || abort "no ext0 NIC"
ext1=$(netdev_by_mac 52:54:00:e1:00:00) || abort "no ext1 NIC"
info "ext0 (on the uplink) is $ext0, ext1 (on VF 1's netdev) is $ext1"

require "host control works" host_ctl pf0 show vf 1
expect_match "sriov-nic-ctl show names VF 1's netdev" "$(host_ctl pf0 show vf 1)" "netdev n1"

n=0
for dev in "$vf0" "$vf1" "$vf2" "$ext0" "$ext1"; do
    ip netns add ns$n
    ip link set "$dev" netns ns$n
    ip -n ns$n addr add 169.254.40.$((n + 1))/24 dev "$dev"
    ip -n ns$n link set "$dev" up
    n=$((n + 1))
done
# ns0 vf0 .1, ns1 vf1 .2, ns2 vf2 .3, ns3 ext0 .4, ns4 ext1 .5
pings() { ip netns exec "$1" ping -c "${3:-2}" -W 2 "$2" > /dev/null 2>&1; }

require "VF 1 pings ext1 over its own netdev" pings ns1 169.254.40.5 3
check "VF 0 pings VF 2 through the switch" pings ns0 169.254.40.3
check "VF 0 pings ext0 through the uplink" pings ns0 169.254.40.4
check_fails "VF 0 does not reach VF 1 (not a switch port)" pings ns0 169.254.40.2
check_fails "VF 1 does not reach VF 2" pings ns1 169.254.40.3
check_fails "VF 1 does not reach ext0 (the uplink)" pings ns1 169.254.40.4
check_fails "ext1 does not reach VF 0" pings ns4 169.254.40.1

iperf_ns vf1_to_ext1 ns1 ns4 169.254.40.5
iperf_ns ext1_to_vf1 ns4 ns1 169.254.40.2
tx=$(host_stat 1 tx-packets)
expect_num "VF 1's switch-side counters count its traffic" "${tx:-0}" -gt 1000
ltx=$(host_ctl pf0 stats vf 1 | sed -n 's/^tx-packets //p')
expect_num "host stats: tx-packets of VF 1" "${ltx:-0}" -gt 1000

# ---- port VLAN on the VF's own netdev ----
host_ctl pf0 vf 1 vlan 100 qos 3
ip -n ns1 neigh flush all; ip -n ns4 neigh flush all
check_fails "port VLAN 100: untagged ext1 no longer answers" pings ns1 169.254.40.5
ip -n ns4 link add link "$ext1" name ext1.100 type vlan id 100
ip -n ns4 addr add 169.254.41.5/24 dev ext1.100
ip -n ns4 link set ext1.100 up
ip -n ns1 addr add 169.254.41.2/24 dev "$vf1"
check "port VLAN 100: ext1's VLAN 100 interface answers the untagged VF" pings ns1 169.254.41.5 3
expect_eq "the VF sees no VLAN device" "$(ip -n ns1 -d link show "$vf1" | grep -c 'vlan protocol')" 0

# ---- live migration with VF 1 on its netdev, in its port VLAN ----
MIG=$SNIC_MIG
tx0=$(host_stat 1 tx-packets)
if migrate_ok vf_netdev; then
    check "after the move: VF 1 still reaches ext1's VLAN 100" pings ns1 169.254.41.5 3
    check_fails "after the move: VF 0 still does not reach VF 1" pings ns0 169.254.40.2
    tx1=$(host_stat 1 tx-packets)
    expect_num "after the move: VF 1's counters went on from where they were" "${tx1:-0}" -gt "${tx0:-0}"
    expect_match "after the move: VF 1's port VLAN" "$(host_ctl pf0 show vf 1)" "vlan 100"
fi
host_migrate VF_NETDEV=2=n1 > $MIG 2>&1
rc=$?
sed 's/^/    | /' $MIG
expect_num "a destination binding VF 2 instead refuses the stream" "$rc" -eq 1
expect_match "the destination names vf-netdev" "$(grep '^dest_error=' $MIG)" "vf-netdev"
check "still on the source: VF 1 reaches ext1" pings ns1 169.254.41.5

host_ctl pf0 vf 1 vlan 0
ip -n ns1 neigh flush all; ip -n ns4 neigh flush all
check "port VLAN off: untagged again" pings ns1 169.254.40.5

# ---- spoof check ----
ip -n ns1 link add link "$vf1" name mv1 address 02:aa:bb:cc:dd:01 type macvlan mode bridge
ip -n ns1 addr add 169.254.42.2/24 dev mv1; ip -n ns1 link set mv1 up
ip -n ns4 addr add 169.254.42.5/24 dev "$ext1"
forged_seen() { ip -n ns4 neigh show 169.254.42.2 | grep -q 02:aa:bb:cc:dd:01; }
d0=$(host_stat 1 drop-tx-spoof)
ip netns exec ns1 ping -c 3 -W 1 -I mv1 169.254.42.5 > /dev/null 2>&1
check_fails "spoofchk on: ext1 never sees the forged source MAC" forged_seen
d1=$(host_stat 1 drop-tx-spoof)
expect_num "spoofchk on: drop-tx-spoof rises" "${d1:-0}" -gt "${d0:-0}"
host_ctl pf0 vf 1 spoofchk off
check "spoofchk off: the forged MAC gets through" sh -c "/usr/sbin/ip netns exec ns1 ping -c 3 -W 2 -I mv1 169.254.42.5 >/dev/null 2>&1; /usr/sbin/ip -n ns4 neigh show 169.254.42.2 | grep -q 02:aa:bb:cc:dd:01"
host_ctl pf0 vf 1 spoofchk on
ip -n ns1 link del mv1

# ---- link-state ----
carrier() { [ "$(ip netns exec ns1 cat /sys/class/net/$vf1/carrier 2>/dev/null)" = "$1" ]; }
host_ctl pf0 vf 1 state disable
check "link-state disable: VF 1 loses carrier" wait_for 10 carrier 0
check_fails "link-state disable: no traffic" pings ns1 169.254.40.5
host_ctl pf0 vf 1 state auto
check "link-state auto: carrier back (its netdev is up)" wait_for 10 carrier 1
check "link-state auto: traffic again" pings ns1 169.254.40.5 3

# ---- VFs off and on again: VF 1 is bound to its netdev again ----
for n in 0 1 2 3 4; do ip netns del ns$n; done
check "echo 0 > sriov_numvfs" sriov_set "$pf" 0
enable_vfs 3
for n in 1 4; do ip netns add ns$n; done
ip link set "$vf1" netns ns1; ip -n ns1 addr add 169.254.40.2/24 dev "$vf1"; ip -n ns1 link set "$vf1" up
# ext1 went back to the root namespace when ns4 was deleted.
ext1=$(netdev_by_mac 52:54:00:e1:00:00) || abort "no ext1 NIC after the VF cycle"
ip link set "$ext1" netns ns4; ip -n ns4 addr add 169.254.40.5/24 dev "$ext1"; ip -n ns4 link set "$ext1" up
check "after VFs off/on: VF 1 pings ext1 over its own netdev" pings ns1 169.254.40.5 3

finish
