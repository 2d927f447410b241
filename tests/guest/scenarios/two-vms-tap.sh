# Two VMs whose sriov-nic uplinks are taps on one Linux bridge in a network
# namespace the test makes (tests/guest/host/tap-bridge-up). VF 0 on both
# sides has port VLAN 44 (vf-vlan): VF in VM A <-> VF in VM B, ping and
# iperf3 (the taps carry vnet headers: GSO frames cross the bridge whole);
# the untagged PF does not reach the peer's VLAN-44 VF.
# qemu: -device pcie-root-port,id=rp0,slot=1,chassis=1 -device @DEVICE@,id=pf0,bus=rp0,netdev=n0,total-vfs=2,vf-vlan=0=44,mac=52:54:00:a0:00:01 -netdev tap,id=n0,ifname=snb@RUNID@a,script=@HOSTDIR@/tap-bridge-up,downscript=no,vhost=off
# peer: -device pcie-root-port,id=rp0,slot=1,chassis=1 -device @DEVICE@,id=pf0,bus=rp0,netdev=n0,total-vfs=2,vf-vlan=0=44,mac=52:54:00:b0:00:01 -netdev tap,id=n0,ifname=snb@RUNID@b,script=@HOSTDIR@/tap-bridge-up,downscript=no,vhost=off
# var: SECONDS_IPERF=6
# exclusive: yes
# timeout: 500

pf0=$(pci_pfs 1af4:1041 | sed -n 1p)
[ -n "$pf0" ] || abort "no sriov-nic PF"
require "PF $pf0 has a netdev" wait_for 20 virtio_netdev "$pf0"
sriov_set "$pf0" 1 || abort "echo 1 > sriov_numvfs failed"
require "VF 0 has a netdev" wait_for 30 sh -c "ls -d $SYSPCI/$pf0/virtfn0/virtio*/net/* >/dev/null 2>&1"
vf_of() { ls -d $SYSPCI/$1/virtfn0/virtio*/net/* | xargs -n1 basename; }
if [ "$SNIC_ROLE" = peer ]; then me=2; other=1; else me=1; other=2; fi
v0=$(vf_of $pf0)
ip netns add s
ip link set "$v0" netns s
ip -n s link set lo up
ip -n s addr add 169.254.62.$me/24 dev "$v0"; ip -n s link set "$v0" up
pfif0=$(virtio_netdev "$pf0")
ip addr add 169.254.62.$((me + 10))/24 dev "$pfif0"; ip link set "$pfif0" up

if [ "$SNIC_ROLE" = peer ]; then
    ip netns exec s iperf3 -s -D >/dev/null 2>&1
    check "peer: its VF reaches the main VM over the bridge" \
        ip netns exec s ping -c 1 -w 120 169.254.62.$other
    peer_wait
fi

require "VF pings the other VM's VF over the bridge" \
    ip netns exec s ping -c 1 -w 120 169.254.62.2
check "3 pings" ip netns exec s ping -c 3 -W 2 169.254.62.2
check_fails "the untagged PF does not reach the peer's VLAN-44 VF" \
    ping -c 2 -W 1 169.254.62.2
ip netns exec s timeout $((SECONDS_IPERF + 40)) \
    iperf3 -c 169.254.62.2 -t "$SECONDS_IPERF" -f m > /tmp/iperf.tap 2>&1
rc=$?
sed 's/^/    | /' /tmp/iperf.tap | tail -3
mbit=$(iperf_mbit /tmp/iperf.tap)
if [ $rc -eq 0 ] && [ -n "$mbit" ] && awk "BEGIN { exit !($mbit >= 1) }"; then
    pass "iperf3 VM A -> VM B over bridged taps"
    result vm_a_to_vm_b_tap_mbit "$mbit"
else
    fail "iperf3 VM A -> VM B over bridged taps" "iperf3 exited $rc, ${mbit:-no} Mbit/s"
fi
finish
