# The embedded switch with stock drivers: VF<->VF (ping both ways, iperf3
# TCP), VF->PF, and PF and a VF talking to a peer on the uplink (slirp with
# restrict=on: DHCP from it and ping of its gateway; nothing leaves QEMU).
# qemu: -device pcie-root-port,id=rp0,slot=1,chassis=1 -device @DEVICE@,bus=rp0,netdev=n0,total-vfs=4 -netdev user,id=n0,restrict=on
# var: SECONDS_IPERF=10
# timeout: 400

enable_vfs 2

# Link-local addresses in the guest's own namespaces.
ip netns add a; ip netns add b
ip link set "$vf0" netns a; ip link set "$vf1" netns b
ip -n a addr add 169.254.10.1/24 dev "$vf0"; ip -n a link set "$vf0" up; ip -n a link set lo up
ip -n b addr add 169.254.10.2/24 dev "$vf1"; ip -n b link set "$vf1" up; ip -n b link set lo up
ip addr add 169.254.10.3/24 dev "$pfif"; ip link set "$pfif" up

check "VF0 pings VF1" ip netns exec a ping -c 3 -W 2 169.254.10.2
check "VF1 pings VF0" ip netns exec b ping -c 3 -W 2 169.254.10.1
check "VF0 pings PF" ip netns exec a ping -c 3 -W 2 169.254.10.3
check "PF pings VF1" ping -c 3 -W 2 169.254.10.2

ip netns exec b iperf3 -s -D -1 >/dev/null 2>&1
sleep 1
ip netns exec a iperf3 -c 169.254.10.2 -t "$SECONDS_IPERF" -f m > /tmp/iperf.txt 2>&1
rc=$?
sed 's/^/    | /' /tmp/iperf.txt | tail -6
mbit=$(sed -n 's/.* \([0-9.]*\) Mbits\/sec.*receiver.*/\1/p' /tmp/iperf.txt | tail -1)
if [ $rc -eq 0 ] && [ -n "$mbit" ]; then
    pass "iperf3 TCP VF0 -> VF1 for ${SECONDS_IPERF}s"
    result vf_to_vf_mbit "$mbit"
else
    fail "iperf3 TCP VF0 -> VF1" "iperf3 exited $rc"
fi

# Uplink peer: slirp (restrict=on) hands out leases and answers its gateway.
cat > /tmp/dhcp.sh <<'EOS'
#!/bin/sh
[ "$1" = bound ] || exit 0
/usr/sbin/ip addr add "$ip/${mask:-24}" dev "$interface"
echo "$ip" > /tmp/lease.$interface
EOS
chmod +x /tmp/dhcp.sh
check "PF gets a DHCP lease from the uplink" udhcpc -i "$pfif" -n -q -t 5 -T 2 -s /tmp/dhcp.sh
check "PF pings the uplink gateway" ping -c 3 -W 2 10.0.2.2
check "VF1 gets a DHCP lease from the uplink" ip netns exec b udhcpc -i "$vf1" -n -q -t 5 -T 2 -s /tmp/dhcp.sh
check "VF1 pings the uplink gateway" ip netns exec b ping -c 3 -W 2 10.0.2.2
expect_ne "PF and VF1 got different leases" "$(cat /tmp/lease.$pfif 2>/dev/null)" "$(cat /tmp/lease.$vf1 2>/dev/null)"
