# The uplink as a tap (the host end in a network namespace of its own,
# made by tests/guest/host/tap-peer-up, with an iperf3 server in it).
# pf0's tap has a vnet header: TSO frames (IPv4 and IPv6) cross the uplink
# whole in both directions: the device sends VF0's GSO frames as they are
# (the uplink's tx-segmented stays 0) and passes the host's GSO frames to
# VF0 whole (rx-gso), or cut (rx-segmented) to VF1 after `ethtool -K
# rx-gro-hw off`, whose stack then counts no checksum error. pf1's tap has
# none (vnet_hdr=off): the device segments and checksums what goes out
# (tx-segmented), and the host's stack, which checks every checksum, gets
# the stream.
# qemu: -device pcie-root-port,id=rp0,slot=1,chassis=1 -device @DEVICE@,id=pf0,bus=rp0,netdev=n0,total-vfs=2 -netdev tap,id=n0,ifname=snt@RUNID@0,script=@HOSTDIR@/tap-peer-up,downscript=@HOSTDIR@/tap-peer-down,vhost=off
# qemu: -device pcie-root-port,id=rp1,slot=2,chassis=2 -device @DEVICE@,id=pf1,bus=rp1,netdev=n1,total-vfs=2,mac=52:54:00:12:35:02 -netdev tap,id=n1,ifname=snt@RUNID@1,vnet_hdr=off,script=@HOSTDIR@/tap-peer-up,downscript=@HOSTDIR@/tap-peer-down,vhost=off
# host-control: yes
# var: SECONDS_IPERF=6
# timeout: 500

enable_vfs 2
pf0vf0=$vf0 pf0vf1=$vf1
pf1=$(pci_pfs 1af4:1041 | sed -n 2p)
[ -n "$pf1" ] || abort "the second PF is missing"
require "the second PF has a netdev" wait_for 20 virtio_netdev "$pf1"
sriov_set "$pf1" 1 || abort "echo 1 > sriov_numvfs of the second PF failed"
require "the second PF's VF has a netdev" wait_for 30 sh -c "ls -d $SYSPCI/$pf1/virtfn0/virtio*/net/* >/dev/null 2>&1"
pf1vf0=$(ls -d $SYSPCI/$pf1/virtfn0/virtio*/net/* | xargs -n1 basename)

uplink_stat() { host_ctl "$1" stats uplink | sed -n "s/^$2 //p"; }
vf_stat() { host_ctl "$1" stats vf "$2" | sed -n "s/^$3 //p"; }
csum_errors() {
    ip netns exec "$1" awk '/^Tcp:/ { if (!h) { for (i = 1; i <= NF; i++) if ($i == "InCsumErrors") c = i; h = 1 } else print $c }' /proc/net/snmp
}
setup_ns() {  # NS IF ADDR6
    ip netns add "$1"
    ip link set "$2" netns "$1"
    ip -n "$1" link set lo up
    ip -n "$1" addr add "169.254.40.$3/24" dev "$2"
    ip -n "$1" -6 addr add "fd00:5::$3/64" dev "$2" nodad
    ip -n "$1" link set "$2" up
}
setup_ns a "$pf0vf0" 2
setup_ns b "$pf0vf1" 3
setup_ns c "$pf1vf0" 2
for ns in a b c; do
    require "netns $ns reaches the host's tap namespace" \
        wait_for 20 ip netns exec $ns ping -c 1 -W 1 169.254.40.1
done
check "netns a pings the host over IPv6" ip netns exec a ping -c 2 -W 2 fd00:5::1

# iperf NAME NS ADDR [iperf3 options]: a stream to/from the host's server.
iperf() {
    local name=$1 ns=$2 addr=$3 out=/tmp/iperf.$1 rc mbit
    shift 3
    ip netns exec "$ns" timeout $((SECONDS_IPERF + 40)) \
        iperf3 -c "$addr" -t "$SECONDS_IPERF" -f m "$@" > "$out" 2>&1
    rc=$?
    sed 's/^/    | /' "$out" | tail -3
    mbit=$(iperf_mbit "$out")
    if [ $rc -eq 0 ] && [ -n "$mbit" ]; then
        pass "iperf3 $name"
        result "${name}_mbit" "$mbit"
    else
        fail "iperf3 $name" "iperf3 exited $rc: $(tail -n 1 "$out")"
    fi
}

seg=$(uplink_stat pf0 tx-segmented); gso=$(vf_stat pf0 0 tx-gso)
iperf vf0_to_tap a 169.254.40.1
iperf vf0_to_tap_ipv6 a fd00:5::1
expect_num "VF0 sent TSO frames (tx-gso)" "$(vf_stat pf0 0 tx-gso)" -gt "$gso"
expect_eq "they crossed the vnet-header uplink whole (tx-segmented)" \
    "$(uplink_stat pf0 tx-segmented)" "$seg"

rgso=$(vf_stat pf0 0 rx-gso)
iperf tap_to_vf0 a 169.254.40.1 -R
expect_num "VF0 got the host's GSO frames whole (rx-gso)" \
    "$(vf_stat pf0 0 rx-gso)" -gt "$rgso"

ip netns exec b ethtool -K "$pf0vf1" rx-gro-hw off
err_b=$(csum_errors b); rseg=$(vf_stat pf0 1 rx-segmented)
iperf tap_to_vf1_gro_hw_off b 169.254.40.1 -R
expect_num "the device cut them for VF1 (rx-segmented)" \
    "$(vf_stat pf0 1 rx-segmented)" -gt "$rseg"
expect_eq "VF1's stack counted no TCP checksum error" "$(csum_errors b)" "$err_b"

seg=$(uplink_stat pf1 tx-segmented)
iperf pf1_vf0_to_plain_tap c 169.254.40.1
expect_num "pf1 segmented for its plain tap (tx-segmented)" \
    "$(uplink_stat pf1 tx-segmented)" -gt "$seg"
iperf plain_tap_to_pf1_vf0 c 169.254.40.1 -R
finish
