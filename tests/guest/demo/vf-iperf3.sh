# The demo: enable two VFs with stock drivers, put each in its own network
# namespace, iperf3 between them through the device's embedded switch.
# qemu: -device pcie-root-port,id=rp0,slot=1,chassis=1 -device @DEVICE@,bus=rp0,netdev=n0,total-vfs=4 -netdev user,id=n0,restrict=on
# var: SECONDS_IPERF=10
# timeout: 400

enable_vfs 2
info "VF0 $vf0 $(cat /sys/class/net/$vf0/address), VF1 $vf1 $(cat /sys/class/net/$vf1/address)"
# Link-local addresses inside the guest's own namespaces: nothing leaves QEMU.
ip netns add a; ip netns add b
ip link set "$vf0" netns a; ip link set "$vf1" netns b
ip -n a addr add 169.254.10.1/24 dev "$vf0"; ip -n a link set "$vf0" up; ip -n a link set lo up
ip -n b addr add 169.254.10.2/24 dev "$vf1"; ip -n b link set "$vf1" up; ip -n b link set lo up
require "VF0 pings VF1" ip netns exec a ping -c 3 -W 2 169.254.10.2
ip netns exec b iperf3 -s -D -1 >/dev/null 2>&1
sleep 1
ip netns exec a iperf3 -c 169.254.10.2 -t "$SECONDS_IPERF" -f m > /tmp/iperf.txt 2>&1
rc=$?
cat /tmp/iperf.txt
mbit=$(sed -n 's/.* \([0-9.]*\) Mbits\/sec.*receiver.*/\1/p' /tmp/iperf.txt | tail -1)
if [ $rc -eq 0 ] && [ -n "$mbit" ]; then
    pass "iperf3 VF0 -> VF1"
    result vf_to_vf_mbit "$mbit"
else
    fail "iperf3 VF0 -> VF1" "iperf3 exited $rc"
fi
