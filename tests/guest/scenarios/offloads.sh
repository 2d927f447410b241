# Checksum and segmentation offloads with stock virtio_net: PF and VFs offer
# CSUM/GUEST_CSUM, TSO4/6 (with ECN), USO and CTRL_GUEST_OFFLOADS, and
# ethtool -k shows them on. A VF0 -> VF1 TCP stream travels as GSO frames
# passed whole (the device counts tx-gso at VF0, rx-gso at VF1); VF0 -> PF
# too. With `ethtool -K rx-gro-hw off` on VF1 (CTRL_GUEST_OFFLOADS turns
# its GUEST_TSO/ECN/USO off) the device cuts VF0's TSO frames into wire
# frames with complete checksums (rx-segmented rises) and VF1's stack
# counts no checksum error; with tx offloads off on VF0 it sends plain
# frames (tx-gso stays). A PF started with offloads=off offers none.
# qemu: -device pcie-root-port,id=rp0,slot=1,chassis=1 -device @DEVICE@,id=pf0,bus=rp0,netdev=n0,total-vfs=4 -netdev user,id=n0,restrict=on
# qemu: -device pcie-root-port,id=rp1,slot=2,chassis=2 -device @DEVICE@,id=pf1,bus=rp1,netdev=n1,total-vfs=2,offloads=off,mac=52:54:00:12:35:01 -netdev user,id=n1,restrict=on
# host-control: yes
# var: SECONDS_IPERF=8
# timeout: 500

enable_vfs 2

feature() { ethtool -k "$1" | sed -n "s/^[[:space:]]*$2: \([a-z]*\).*/\1/p"; }
nsfeature() { ip netns exec "$1" ethtool -k "$2" | sed -n "s/^[[:space:]]*$3: \([a-z]*\).*/\1/p"; }
pf_stat() { host_ctl pf0 stats | sed -n "s/^$1 //p"; }
# csum_errors NS: TCP segments with a bad checksum NS's stack dropped.
csum_errors() {
    ip netns exec "$1" awk '/^Tcp:/ { if (!h) { for (i = 1; i <= NF; i++) if ($i == "InCsumErrors") c = i; h = 1 } else print $c }' /proc/net/snmp
}

for f in tx-checksumming rx-checksumming tcp-segmentation-offload; do
    expect_eq "ethtool -k: VF0 $f on" "$(feature "$vf0" $f)" on
done
expect_eq "ethtool -k: VF1 rx-gro-hw on (GUEST_TSO, CTRL_GUEST_OFFLOADS)" \
    "$(feature "$vf1" rx-gro-hw)" on
expect_eq "ethtool -k: PF tx-tcp6-segmentation on" \
    "$(feature "$pfif" tx-tcp6-segmentation)" on

ip netns add a; ip netns add b
ip link set "$vf0" netns a; ip link set "$vf1" netns b
ip -n a addr add 169.254.10.1/24 dev "$vf0"; ip -n a link set "$vf0" up; ip -n a link set lo up
ip -n b addr add 169.254.10.2/24 dev "$vf1"; ip -n b link set "$vf1" up; ip -n b link set lo up
ip addr add 169.254.10.3/24 dev "$pfif"; ip link set "$pfif" up
check "VF0 pings VF1" ip netns exec a ping -c 2 -W 2 169.254.10.2
check "VF0 pings PF" ip netns exec a ping -c 2 -W 2 169.254.10.3

gso0=$(host_stat 0 tx-gso); rgso1=$(host_stat 1 rx-gso)
err_b=$(csum_errors b)
iperf_ns vf0_to_vf1_offloads a b 169.254.10.2
expect_num "VF0 sent TSO frames (tx-gso)" "$(host_stat 0 tx-gso)" -gt "$gso0"
expect_num "VF1 got them whole (rx-gso)" "$(host_stat 1 rx-gso)" -gt "$rgso1"

rgso_pf=$(pf_stat rx-gso)
iperf_ns vf0_to_pf_offloads a root 169.254.10.3
expect_num "the PF got GSO frames whole (rx-gso)" "$(pf_stat rx-gso)" -gt "$rgso_pf"

# The receiver turns its offloads off: the device must segment. (virtio_net
# keeps rx-checksumming "on [fixed]": with GUEST_CSUM negotiated it takes
# DATA_VALID; rx-gro-hw is what CTRL_GUEST_OFFLOADS turns off.)
ip netns exec b ethtool -K "$vf1" rx off tso off gso off rx-gro-hw off 2>&1 |
    sed 's/^/    | /'
expect_eq "VF1 rx-gro-hw off" "$(nsfeature b "$vf1" rx-gro-hw)" off
expect_eq "VF1 tcp-segmentation-offload off" \
    "$(nsfeature b "$vf1" tcp-segmentation-offload)" off
seg1=$(host_stat 1 rx-segmented); rgso1=$(host_stat 1 rx-gso)
iperf_ns vf0_to_vf1_receiver_offloads_off a b 169.254.10.2
expect_num "the device segmented VF0's TSO frames for VF1 (rx-segmented)" \
    "$(host_stat 1 rx-segmented)" -gt "$seg1"
expect_eq "VF1 got no GSO frame (rx-gso unchanged)" "$(host_stat 1 rx-gso)" "$rgso1"
expect_eq "VF1's stack counted no TCP checksum error" "$(csum_errors b)" "$err_b"
host_ctl pf0 stats vf 1 | grep -E "^(rx|drop)" | tr '\n' ' '; echo

# The sender turns its offloads off: plain frames with full checksums.
check "ethtool -K VF1 rx on tso on gso on" \
    ip netns exec b ethtool -K "$vf1" rx on tso on gso on rx-gro-hw on
check "ethtool -K VF0 tx off tso off gso off" \
    ip netns exec a ethtool -K "$vf0" tx off tso off gso off
gso0=$(host_stat 0 tx-gso)
iperf_ns vf0_to_vf1_sender_offloads_off a b 169.254.10.2
expect_eq "VF0 sent no TSO frame (tx-gso unchanged)" "$(host_stat 0 tx-gso)" "$gso0"
expect_eq "VF1's stack counted no TCP checksum error" "$(csum_errors b)" "$err_b"

# offloads=off: the second PF offers none (virtio_net shows them fixed off).
pf1=$(pci_pfs 1af4:1041 | sed -n 2p)
if [ -n "$pf1" ] && wait_for 20 virtio_netdev "$pf1"; then
    pf1if=$(virtio_netdev "$pf1")
    expect_eq "offloads=off: tx-checksumming off" "$(feature "$pf1if" tx-checksumming)" "off"
    expect_eq "offloads=off: tcp-segmentation-offload off" "$(feature "$pf1if" tcp-segmentation-offload)" "off"
else
    fail "offloads=off PF" "no netdev for the second PF"
fi
finish
