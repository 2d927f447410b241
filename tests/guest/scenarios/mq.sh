# Multiqueue and RSS with stock virtio_net on the 2-vCPU guest: a PF with
# queue-pairs=4 offers MQ, RSS and HASH_REPORT on PF and VFs; virtio_net
# turns on one pair per vCPU (ethtool -l: 4 maximum, 2 current) and
# programs RSS (ethtool -x: a 128-entry table and a 40-byte key). With a
# known key and known client ports, four iperf3 streams VF0 -> VF1 land on
# both of VF1's receive queues (the interrupts of each queue's MSI-X
# vector, /proc/interrupts: ethtool -S has per-queue packets on 6.1 only);
# two clients pinned to the two vCPUs transmit from both of VF0's
# transmitqs;
# `ethtool -X equal 1` and `weight 0 1` steer every stream to one queue;
# `ethtool -L combined 1` leaves one pair on, and 2 brings the second back.
# qemu: -device pcie-root-port,id=rp0,slot=1,chassis=1 -device @DEVICE@,id=pf0,bus=rp0,netdev=n0,total-vfs=2,queue-pairs=4 -netdev user,id=n0,restrict=on
# var: SECONDS_IPERF=4
# timeout: 500

enable_vfs 2

# Microsoft's RSS verification key: the hash of each flow is known, and
# with Linux's default table (entry i -> queue i % 2) client ports 40000..
# 40003 go to queues 0, 1, 0, 1 of the receiver.
KEY=6d:5a:56:da:25:5b:0e:c2:41:67:25:3d:43:a3:8f:b0:d0:ca:2b:cb:ae:7b:30:b4:77:cb:2d:a3:80:30:f2:0c:6a:42:b7:3b:be:ac:01:fa

# The virtio devices of the VFs (their vectors are "virtioN-input.Q" and
# "virtioN-output.Q" in /proc/interrupts).
vdev() { basename "$(readlink -f "/sys/class/net/$1/device")"; }
V0=$(vdev "$vf0"); V1=$(vdev "$vf1")
# qstat VIRTIO rx|tx Q: interrupts of that queue's vector, all vCPUs.
qstat() {
    local dir=input
    [ "$2" = tx ] && dir=output
    awk -v n="$1-$dir.$3" '$NF == n {
        s = 0; for (i = 2; i <= NF && $i ~ /^[0-9]+$/; i++) s += $i; print s }' /proc/interrupts
}
combined() {  # NS IF max|current
    ip netns exec "$1" ethtool -l "$2" | awk -v want="$3" '
        /^Pre-set maximums/ { s = "max" } /^Current hardware/ { s = "current" }
        /^Combined:/ && s == want { print $2 }'
}

ip netns add a; ip netns add b
ip link set "$vf0" netns a; ip link set "$vf1" netns b
ip -n a addr add 169.254.10.1/24 dev "$vf0"; ip -n a link set "$vf0" up; ip -n a link set lo up
ip -n b addr add 169.254.10.2/24 dev "$vf1"; ip -n b link set "$vf1" up; ip -n b link set lo up
check "VF0 pings VF1" ip netns exec a ping -c 2 -W 2 169.254.10.2

expect_eq "ethtool -l: VF1 has 4 combined channels at most" "$(combined b "$vf1" max)" 4
expect_eq "ethtool -l: virtio_net uses 2 (one per vCPU)" "$(combined b "$vf1" current)" 2
expect_eq "ethtool -l: the PF has 4 at most too" \
    "$(ethtool -l "$pfif" | awk '/^Combined:/ { print $2; exit }')" 4
ip netns exec b ethtool -x "$vf1" > /tmp/rxfh 2>&1
sed 's/^/    | /' /tmp/rxfh | head -6
expect_match "ethtool -x: VF1 has an RSS indirection table (VIRTIO_NET_F_RSS)" \
    "$(cat /tmp/rxfh)" "indirection table"
expect_eq "ethtool -x: 128 table entries" \
    "$(awk '/^ *[0-9]+: / { for (i = 2; i <= NF; i++) n++ } END { print n }' /tmp/rxfh)" 128
check "ethtool -X VF1 hkey (a known key)" ip netns exec b ethtool -X "$vf1" hkey "$KEY"
expect_match "ethtool -x shows the key" "$(ip netns exec b ethtool -x "$vf1")" "6d:5a:56:da"

# streams NAME PORT PARALLEL: iperf3 VF0 -> VF1 from client ports PORT...
streams() {
    iperf_ns "$1" a b 169.254.10.2 -p "$2" --cport "$2" -P "$3"
}

r0=$(qstat "$V1" rx 0); r1=$(qstat "$V1" rx 1)
[ -n "$r0" ] && [ -n "$r1" ] || abort "no interrupt lines $V1-input.0/1: $(grep virtio /proc/interrupts | head -4)"
streams mq_p4 40000 4
d0=$(( $(qstat "$V1" rx 0) - r0 )); d1=$(( $(qstat "$V1" rx 1) - r1 ))
info "VF1 receive queues: queue 0 +$d0, queue 1 +$d1 interrupts"
expect_num "4 streams: VF1 receive queue 0 interrupted" "$d0" -gt 20
expect_num "4 streams: VF1 receive queue 1 interrupted" "$d1" -gt 20

# Two clients, one pinned to each vCPU: virtio_net's XPS maps vCPU N to
# transmitq N, so VF0 transmits from both.
t0=$(qstat "$V0" tx 0); t1=$(qstat "$V0" tx 1)
ip netns exec b iperf3 -s -D -1 -p 5301 >/dev/null 2>&1
ip netns exec b iperf3 -s -D -1 -p 5302 >/dev/null 2>&1
sleep 1
ip netns exec a taskset -c 0 iperf3 -c 169.254.10.2 -p 5301 -t "$SECONDS_IPERF" > /tmp/ip0 2>&1 &
p0=$!
ip netns exec a taskset -c 1 iperf3 -c 169.254.10.2 -p 5302 -t "$SECONDS_IPERF" > /tmp/ip1 2>&1 &
p1=$!
wait $p0; rc0=$?; wait $p1; rc1=$?
expect_eq "two pinned clients finished" "$rc0 $rc1" "0 0"
dt0=$(( $(qstat "$V0" tx 0) - t0 )); dt1=$(( $(qstat "$V0" tx 1) - t1 ))
info "VF0 transmitqs: queue 0 +$dt0, queue 1 +$dt1 interrupts"
expect_num "VF0 transmitted from transmitq 0" "$dt0" -gt 20
expect_num "VF0 transmitted from transmitq 1" "$dt1" -gt 20

# The guest's table decides: everything to queue 0, then to queue 1.
for spec in "equal 1:0" "weight 0 1:1"; do
    how=${spec%:*}; q=${spec#*:}; other=$((1 - q))
    check "ethtool -X VF1 $how" ip netns exec b ethtool -X "$vf1" $how
    a0=$(qstat "$V1" rx "$q"); b0=$(qstat "$V1" rx "$other")
    streams "mq_table_$q" 40000 4
    got=$(( $(qstat "$V1" rx "$q") - a0 )); stray=$(( $(qstat "$V1" rx "$other") - b0 ))
    info "ethtool -X $how: queue $q +$got, queue $other +$stray interrupts"
    expect_num "ethtool -X $how: queue $q got the streams" "$got" -gt 20
    # ARP and the like may still use the other queue now and then.
    expect_num "ethtool -X $how: queue $other got (almost) nothing" "$stray" -lt 10
done
check "ethtool -X VF1 default" ip netns exec b ethtool -X "$vf1" default

check "ethtool -L VF1 combined 1" ip netns exec b ethtool -L "$vf1" combined 1
expect_eq "ethtool -l: 1 current" "$(combined b "$vf1" current)" 1
a0=$(qstat "$V1" rx 0); b0=$(qstat "$V1" rx 1)
streams mq_one_pair 40000 4
expect_num "one pair: queue 0 got the streams" "$(( $(qstat "$V1" rx 0) - a0 ))" -gt 20
expect_num "one pair: queue 1 got nothing" "$(( $(qstat "$V1" rx 1) - b0 ))" -lt 10
check "ethtool -L VF1 combined 2" ip netns exec b ethtool -L "$vf1" combined 2
check "VF0 pings VF1 after going back to 2 pairs" ip netns exec a ping -c 2 -W 2 169.254.10.2
finish
