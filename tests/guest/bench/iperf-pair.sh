# Common tail of every benchmark scenario.  scripts/benchmark.py appends it to
# one configuration file of this directory (sriov-nic.sh, virtio-net-pair.sh,
# igb-vfs.sh) and runs the result with tests/guest/run-scenario.  The
# configuration part has set $if0 and $if1: two netdevs in the initial
# namespace that reach each other only through the device under test.
# Each goes into a network namespace of its own with a link-local address
# (169.254.10.0/24), so nothing ever leaves the guest's own devices.
# Variables: SECONDS_IPERF (iperf3 -t), set by the configuration's header;
# PARALLEL (iperf3 -P, default 1: one stream).

# With $if1 empty the peer (169.254.10.2, running iperf3 -s) is on the host,
# behind the device's uplink (a configuration with "# host-netns: peer").
[ -n "${if0:-}" ] || abort "the configuration part did not set \$if0"
remote=
[ -n "${if1:-}" ] || remote=1
for n in $if0 $if1; do
    info "$n: driver $(ethtool -i "$n" 2>/dev/null | sed -n 's/^driver: //p'), mac $(cat /sys/class/net/$n/address), bus $(basename "$(readlink -f /sys/class/net/$n/device)")"
done
result if0_driver "$(ethtool -i "$if0" 2>/dev/null | sed -n 's/^driver: //p')"
[ -n "$remote" ] || result if1_driver "$(ethtool -i "$if1" 2>/dev/null | sed -n 's/^driver: //p')"

require "create netns a and b" sh -c "/usr/sbin/ip netns add a && /usr/sbin/ip netns add b"
require "move $if0 into netns a" ip link set "$if0" netns a
[ -n "$remote" ] || require "move $if1 into netns b" ip link set "$if1" netns b
ip -n a link set lo up
ip -n b link set lo up
require "address on $if0" ip -n a addr add 169.254.10.1/24 dev "$if0"
[ -n "$remote" ] || require "address on $if1" ip -n b addr add 169.254.10.2/24 dev "$if1"
require "$if0 up" ip -n a link set "$if0" up
[ -n "$remote" ] || require "$if1 up" ip -n b link set "$if1" up
require "carrier on $if0" wait_for 20 sh -c "/usr/sbin/ip -n a link show $if0 | grep -q LOWER_UP"
[ -n "$remote" ] || require "carrier on $if1" wait_for 20 sh -c "/usr/sbin/ip -n b link show $if1 | grep -q LOWER_UP"
# The first pings may be lost while links and (igb) VF filters settle.
# pkts NS IF: "tx/rx" packet counters of IF (inside NS).
pkts() {
    echo "$(ip netns exec "$1" cat /sys/class/net/$2/statistics/tx_packets)/$(ip netns exec "$1" cat /sys/class/net/$2/statistics/rx_packets)"
}
if wait_for 30 ip netns exec a ping -c 1 -W 1 169.254.10.2; then
    pass "a pings b"
else
    abort "netns a cannot ping b (tx/rx packets: $if0 $(pkts a "$if0")${if1:+, $if1 $(pkts b "$if1")})"
fi

if [ -z "$remote" ]; then
    ip netns exec b iperf3 -s -1 -D > /dev/null 2>&1 || abort "iperf3 server did not start"
fi
sleep 1
info "iperf3 -c 169.254.10.2 -t $SECONDS_IPERF -P ${PARALLEL:-1} (netns a -> netns b)"
ip netns exec a timeout $((SECONDS_IPERF + 60)) \
    iperf3 -c 169.254.10.2 -t "$SECONDS_IPERF" -P "${PARALLEL:-1}" -f m > /tmp/iperf.txt 2>&1
rc=$?
sed 's/^/    | /' /tmp/iperf.txt
mbit=$(sed -n 's/.* \([0-9.]*\) Mbits\/sec.*receiver.*/\1/p' /tmp/iperf.txt | tail -1)
retr=$(sed -n 's/.* Mbits\/sec  *\([0-9][0-9]*\)  *sender.*/\1/p' /tmp/iperf.txt | tail -1)
if [ $rc -eq 0 ] && [ -n "$mbit" ]; then
    pass "iperf3 a -> b"
    result bench_mbit "$mbit"
    [ -n "$retr" ] && result bench_retr "$retr"
else
    fail "iperf3 a -> b" "iperf3 exited $rc: $(grep -m1 -i error /tmp/iperf.txt)"
fi

# UDP at a fixed offered load (UDP_MBIT, 0: skip): what arrives and the
# loss the receiver reports. 1400-byte datagrams (no fragmentation at MTU
# 1500).
if [ "${UDP_MBIT:-0}" -gt 0 ]; then
    if [ -z "$remote" ]; then
        ip netns exec b iperf3 -s -1 -D > /dev/null 2>&1
    fi
    sleep 1
    ip netns exec a timeout $((SECONDS_IPERF + 60)) \
        iperf3 -c 169.254.10.2 -u -b "${UDP_MBIT}M" -l 1400 -t "$SECONDS_IPERF" -f m > /tmp/udp.txt 2>&1
    rc=$?
    sed 's/^/    | /' /tmp/udp.txt | tail -4
    # receiver line: ... Mbits/sec  jitter ms  lost/total (loss%)  receiver
    line=$(grep receiver /tmp/udp.txt | tail -1)
    udp=$(echo "$line" | sed -n 's/.* \([0-9.]*\) Mbits\/sec.*/\1/p')
    loss=$(echo "$line" | sed -n 's/.*(\([0-9.e+-]*\)%).*/\1/p')
    if [ $rc -eq 0 ] && [ -n "$udp" ] && [ -n "$loss" ]; then
        pass "iperf3 -u a -> b at ${UDP_MBIT} Mbit/s"
        result bench_udp_mbit "$udp"
        result bench_udp_loss "$loss"
    else
        fail "iperf3 -u a -> b" "iperf3 exited $rc: $(grep -m1 -i error /tmp/udp.txt)"
    fi
fi
