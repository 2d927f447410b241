# Host-side VF link state and TX rate limit, set over QMP while the guest runs.
# qemu: -device pcie-root-port,id=rp0,slot=1,chassis=1 -device @DEVICE@,id=pf0,bus=rp0,netdev=n0,total-vfs=4 -netdev user,id=n0,restrict=on
# host-control: yes
# exclusive: yes
# (max-tx-rate must land within -20% (TCP payload) to +15% and carrier
# changes within 1 s. The rate is 20 Mbit/s, and the lower bound is taken
# of what the same VF pair moves without a limit just before if that is
# less than the rate: with
# CPU hogs beside the guest on a 2-core host an unlimited VF0 -> VF1
# stream came out at 40-60 Mbit/s, so a limit of 50 measured the host's
# load, not the limiter.)
# var: RATE=20
# timeout: 400

enable_vfs 2

# ---- link-state ----
ip link set "$vf1" up
require "VF1 carrier up" wait_for 10 grep -qx 1 /sys/class/net/$vf1/carrier
t0=$(now_ms)
host_ctl pf0 vf 1 state disable
if wait_for 5 grep -qx 0 /sys/class/net/$vf1/carrier; then
    t1=$(now_ms)
    result linkdown_ms $((t1 - t0))
    expect_num "state disable: VF1 carrier down within 1 s" $((t1 - t0)) -le 1000
else
    fail "state disable: VF1 carrier down" "carrier still $(cat /sys/class/net/$vf1/carrier) after 5 s"
fi
t0=$(now_ms)
host_ctl pf0 vf 1 state enable
if wait_for 5 grep -qx 1 /sys/class/net/$vf1/carrier; then
    t1=$(now_ms)
    result linkup_ms $((t1 - t0))
    expect_num "state enable: VF1 carrier back within 1 s" $((t1 - t0)) -le 1000
else
    fail "state enable: VF1 carrier back" "carrier still down after 5 s"
fi
host_ctl pf0 vf 1 state auto
check "state auto: carrier follows the (up) uplink" wait_for 5 grep -qx 1 /sys/class/net/$vf1/carrier

# ---- max-tx-rate ----
ip netns add a; ip netns add b
ip link set "$vf0" netns a; ip link set "$vf1" netns b
ip -n a addr add 169.254.10.1/24 dev "$vf0"; ip -n a link set "$vf0" up
ip -n b addr add 169.254.10.2/24 dev "$vf1"; ip -n b link set "$vf1" up
require "VF0 pings VF1" wait_for 10 ip netns exec a ping -c 1 -W 1 169.254.10.2
# What this pair moves without a limit, now (the host may be busy).
ip netns exec b iperf3 -s -D -1 > /dev/null 2>&1
sleep 1
ip netns exec a iperf3 -c 169.254.10.2 -t 4 -f m > /tmp/iperf0.txt 2>&1
base=$(sed -n 's/.* \([0-9.]*\) Mbits\/sec.*receiver.*/\1/p' /tmp/iperf0.txt | tail -1)
result unlimited_mbit "${base:-none}"
base_i=${base%.*}
expect_num "VF0 -> VF1 without a limit moves data (Mbit/s)" "${base_i:-0}" -gt 0
host_ctl pf0 vf 0 max-tx-rate "$RATE"
ip netns exec b iperf3 -s -D -1 > /dev/null 2>&1
sleep 1
ip netns exec a iperf3 -c 169.254.10.2 -t 10 -f m > /tmp/iperf.txt 2>&1
sed 's/^/    | /' /tmp/iperf.txt | tail -4
mbit=$(sed -n 's/.* \([0-9.]*\) Mbits\/sec.*receiver.*/\1/p' /tmp/iperf.txt | tail -1)
result rate_limited_mbit "${mbit:-none}"
mbit_i=${mbit%.*}
cap=$RATE
[ "${base_i:-0}" -lt "$cap" ] && cap=${base_i:-0}
# iperf3 counts TCP payload, the limiter Ethernet frames (about 4.5% more at
# MTU 1500): the lower bound is 85% of the frame rate, 80% of it in payload.
lo=$((cap * 80 / 100)) hi=$((RATE * 115 / 100))
expect_num "max-tx-rate $RATE: iperf3 >= -20% (payload)" "${mbit_i:-0}" -ge "$lo"
expect_num "max-tx-rate $RATE: iperf3 <= +15%" "${mbit_i:-0}" -le "$hi"
waits=$(host_stat 0 tx-rate-waits)
expect_num "rate limit paused TX (backpressure)" "${waits:-0}" -gt 0
host_ctl pf0 stats vf 0
host_ctl pf0 vf 0 max-tx-rate 0
