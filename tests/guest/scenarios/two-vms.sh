# Two VMs whose sriov-nic uplinks are joined by standard netdevs on
# loopback: pf0 by -netdev stream (TCP), pf1 by -netdev dgram (UDP). Each
# VM's VF 0 of each PF has port VLAN 42 (pf0) or 43 (pf1) set by the host
# (vf-vlan): frames cross the link tagged and arrive untagged. VF in VM A
# <-> VF in VM B: ping and iperf3 over both links; an untagged sender (the
# PF, VLAN-less) cannot reach the peer's VF.
# qemu: -device pcie-root-port,id=rp0,slot=1,chassis=1 -device @DEVICE@,id=pf0,bus=rp0,netdev=n0,total-vfs=2,vf-vlan=0=42,mac=52:54:00:a0:00:01 -netdev stream,id=n0,server=on,addr.type=inet,addr.host=127.0.0.1,addr.port=@PORT0@
# qemu: -device pcie-root-port,id=rp1,slot=2,chassis=2 -device @DEVICE@,id=pf1,bus=rp1,netdev=n1,total-vfs=2,vf-vlan=0=43,mac=52:54:00:a1:00:01 -netdev dgram,id=n1,local.type=inet,local.host=127.0.0.1,local.port=@PORT1@,remote.type=inet,remote.host=127.0.0.1,remote.port=@PORT2@
# peer: -device pcie-root-port,id=rp0,slot=1,chassis=1 -device @DEVICE@,id=pf0,bus=rp0,netdev=n0,total-vfs=2,vf-vlan=0=42,mac=52:54:00:b0:00:01 -netdev stream,id=n0,server=off,reconnect-ms=500,addr.type=inet,addr.host=127.0.0.1,addr.port=@PORT0@
# peer: -device pcie-root-port,id=rp1,slot=2,chassis=2 -device @DEVICE@,id=pf1,bus=rp1,netdev=n1,total-vfs=2,vf-vlan=0=43,mac=52:54:00:b1:00:01 -netdev dgram,id=n1,local.type=inet,local.host=127.0.0.1,local.port=@PORT2@,remote.type=inet,remote.host=127.0.0.1,remote.port=@PORT1@
# var: SECONDS_IPERF=6
# exclusive: yes
# timeout: 500

pf0=$(pci_pfs 1af4:1041 | sed -n 1p)
pf1=$(pci_pfs 1af4:1041 | sed -n 2p)
[ -n "$pf0" ] && [ -n "$pf1" ] || abort "two sriov-nic PFs expected"
for pf in $pf0 $pf1; do
    require "PF $pf has a netdev" wait_for 20 virtio_netdev "$pf"
    sriov_set "$pf" 1 || abort "echo 1 > sriov_numvfs of $pf failed"
    require "VF 0 of $pf has a netdev" wait_for 30 sh -c "ls -d $SYSPCI/$pf/virtfn0/virtio*/net/* >/dev/null 2>&1"
done
vf_of() { ls -d $SYSPCI/$1/virtfn0/virtio*/net/* | xargs -n1 basename; }
if [ "$SNIC_ROLE" = peer ]; then me=2; other=1; else me=1; other=2; fi
v0=$(vf_of $pf0) v1=$(vf_of $pf1)
ip netns add s; ip netns add d
ip link set "$v0" netns s; ip link set "$v1" netns d
ip -n s link set lo up; ip -n d link set lo up
ip -n s addr add 169.254.60.$me/24 dev "$v0"; ip -n s link set "$v0" up
ip -n d addr add 169.254.61.$me/24 dev "$v1"; ip -n d link set "$v1" up
pfif0=$(virtio_netdev "$pf0")
ip addr add 169.254.60.$((me + 10))/24 dev "$pfif0"; ip link set "$pfif0" up

if [ "$SNIC_ROLE" = peer ]; then
    ip netns exec s iperf3 -s -D >/dev/null 2>&1
    ip netns exec d iperf3 -s -D >/dev/null 2>&1
    check "peer: its VF over the stream link reaches the main VM" \
        ip netns exec s ping -c 1 -w 120 169.254.60.$other
    peer_wait
fi

require "VF over -netdev stream pings the other VM's VF" \
    ip netns exec s ping -c 1 -w 120 169.254.60.2
require "VF over -netdev dgram pings the other VM's VF" \
    ip netns exec d ping -c 1 -w 60 169.254.61.2
check "3 pings over stream" ip netns exec s ping -c 3 -W 2 169.254.60.2
check "3 pings over dgram" ip netns exec d ping -c 3 -W 2 169.254.61.2
# The PF is not in VLAN 42: the peer's VLAN-42 VF never sees it.
check_fails "the untagged PF does not reach the peer's VLAN-42 VF" \
    ping -c 2 -W 1 169.254.60.2

iperf() {  # NAME NS ADDR
    local out=/tmp/iperf.$1 rc mbit
    ip netns exec "$2" timeout $((SECONDS_IPERF + 40)) \
        iperf3 -c "$3" -t "$SECONDS_IPERF" -f m > "$out" 2>&1
    rc=$?
    sed 's/^/    | /' "$out" | tail -3
    mbit=$(iperf_mbit "$out")
    if [ $rc -eq 0 ] && [ -n "$mbit" ] && awk "BEGIN { exit !($mbit >= 1) }"; then
        pass "iperf3 $1"
        result "${1}_mbit" "$mbit"
    else
        fail "iperf3 $1" "iperf3 exited $rc, ${mbit:-no} Mbit/s: $(tail -n 1 "$out")"
    fi
}
iperf vm_a_to_vm_b_stream s 169.254.60.2
iperf vm_a_to_vm_b_dgram d 169.254.61.2
finish
