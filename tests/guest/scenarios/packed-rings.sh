# Packed virtqueues and single-queue reset with stock virtio_net: a PF with
# packed=on offers VIRTIO_F_RING_PACKED on PF and VFs and virtio_net uses
# it (bit 34 of the negotiated features in sysfs); a split PF (the
# default) does not. Both offer VIRTIO_F_RING_RESET (bit 40), so
# `ethtool -G` resizes a running VF's rings (virtio_net resets one queue
# at a time and sets it up again). TCP VF0 -> VF1 over packed rings before
# and after a resize, and ping over split ones after a resize.
# qemu: -device pcie-root-port,id=rp0,slot=1,chassis=1 -device @DEVICE@,id=pf0,bus=rp0,netdev=n0,total-vfs=2,packed=on -netdev user,id=n0,restrict=on
# qemu: -device pcie-root-port,id=rp1,slot=2,chassis=2 -device @DEVICE@,id=pf1,bus=rp1,netdev=n1,total-vfs=2,mac=52:54:00:12:35:01 -netdev user,id=n1,restrict=on
# var: SECONDS_IPERF=4
# timeout: 400

enable_vfs 2

# feature IF BIT: the negotiated feature bit of IF's virtio device (sysfs
# "features" is a string of 0/1, bit 0 first).
feature() {
    cut -c$(($2 + 1)) "/sys/class/net/$1/device/features"
}
rings() {  # NS|"" IF: "rx tx" current ring sizes
    if [ -n "$1" ]; then ip netns exec "$1" ethtool -g "$2"; else ethtool -g "$2"; fi | awk '
        /^Current hardware/ { c = 1 } c && /^RX:/ { rx = $2 } c && /^TX:/ { tx = $2 }
        END { print rx, tx }'
}

for ifc in "$pfif" "$vf0" "$vf1"; do
    expect_eq "$ifc negotiated VIRTIO_F_RING_PACKED" "$(feature "$ifc" 34)" 1
    expect_eq "$ifc negotiated VIRTIO_F_RING_RESET" "$(feature "$ifc" 40)" 1
done

ip netns add a; ip netns add b
ip link set "$vf0" netns a; ip link set "$vf1" netns b
ip -n a addr add 169.254.10.1/24 dev "$vf0"; ip -n a link set "$vf0" up; ip -n a link set lo up
ip -n b addr add 169.254.10.2/24 dev "$vf1"; ip -n b link set "$vf1" up; ip -n b link set lo up
check "VF0 pings VF1 over packed rings" ip netns exec a ping -c 3 -W 2 169.254.10.2

iperf_ns packed_vf0_to_vf1 a b 169.254.10.2

info "VF1 rings before: $(rings b "$vf1")"
check "ethtool -G VF1 rx 128 tx 64 (RING_RESET)" ip netns exec b ethtool -G "$vf1" rx 128 tx 64
expect_eq "VF1 rings now 128/64" "$(rings b "$vf1")" "128 64"
check "ethtool -G VF0 tx 128" ip netns exec a ethtool -G "$vf0" tx 128
iperf_ns packed_after_resize a b 169.254.10.2
expect_eq "VF1 not in NEEDS_RESET (link up)" \
    "$(ip netns exec b cat /sys/class/net/$vf1/operstate)" up

# The split PF: no packed rings, and a resize works there too.
pf1=$(pci_pfs 1af4:1041 | sed -n 2p)
if [ -n "$pf1" ] && wait_for 20 virtio_netdev "$pf1"; then
    pf1if=$(virtio_netdev "$pf1")
    expect_eq "packed=off PF: no VIRTIO_F_RING_PACKED" "$(feature "$pf1if" 34)" 0
    expect_eq "packed=off PF: VIRTIO_F_RING_RESET" "$(feature "$pf1if" 40)" 1
    ip addr add 169.254.20.1/24 dev "$pf1if"; ip link set "$pf1if" up
    check "ethtool -G on a split ring" ethtool -G "$pf1if" rx 64
    expect_eq "split PF rx ring 64" "$(rings "" "$pf1if" | cut -d' ' -f1)" 64
else
    fail "split PF" "no netdev for the second PF"
fi
finish
