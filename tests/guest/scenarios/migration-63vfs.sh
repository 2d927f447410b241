# Live migration with 63 VFs enabled behind a pcie-root-port (each bound by
# virtio_net), in the middle of a VF0 -> VF62 iperf3: the destination
# re-creates all 63 VF functions from the stream; afterwards every netdev is
# there and traffic goes on.  Records the migration time and the downtime.
# var: IPERF_S=20
# qemu: -device pcie-root-port,id=rp0,slot=1,chassis=1,pref64-reserve=1G -device @DEVICE@,id=pf0,bus=rp0,netdev=n0,total-vfs=63 -netdev user,id=n0,restrict=on
# host-control: yes
# timeout: 900

enable_vfs 63
last=$(echo $vfifs | awk '{ print $NF }')
ip netns add a; ip netns add b
ip link set "$vf0" netns a; ip link set "$last" netns b
ip -n a addr add 169.254.10.1/24 dev "$vf0"; ip -n a link set "$vf0" up
ip -n b addr add 169.254.10.2/24 dev "$last"; ip -n b link set "$last" up
ip addr add 169.254.10.3/24 dev "$pfif"; ip link set "$pfif" up
require "VF0 pings VF62" wait_for 10 ip netns exec a ping -c 1 -W 1 169.254.10.2

ip netns exec b iperf3 -s -D -1 > /dev/null 2>&1
sleep 1
ip netns exec a iperf3 -c 169.254.10.2 -t "$IPERF_S" -i 1 -f m > /tmp/iperf.txt 2>&1 &
iperf=$!
ping -i 0.05 -c $((IPERF_S * 15)) -W 1 169.254.10.2 > /tmp/ping.txt 2>&1 &
pinger=$!
sleep 5
tx0=$(host_stat 0 tx-packets)
migrate_ok vfs63
tx1=$(host_stat 0 tx-packets)
wait $iperf
irc=$?
wait $pinger
sed 's/^/    | /' /tmp/iperf.txt | tail -n 4
tail -n 2 /tmp/ping.txt | sed 's/^/    | /'
mbit=$(iperf_mbit /tmp/iperf.txt)
expect_eq "iperf3 VF0 -> VF62 across the migration ends without error" "$irc" 0
result vfs63_iperf_mbit "${mbit:-none}"
lowest=$(iperf_lowest /tmp/iperf.txt "$IPERF_S")
result vfs63_iperf_lowest_interval_mbit "${lowest:-none}"
result vfs63_ping_lost_ms "$(ping_lost_ms /tmp/ping.txt 50)"
expect_num "VF0's counters go on from where they were" "${tx1:-0}" -ge "${tx0:-1}"
expect_eq "sriov_numvfs is still 63" "$(cat $SYSPCI/$pf/sriov_numvfs)" 63
# sysfs shows a netdev only in its namespace: VF0 and VF62 live in a and b.
check "the 61 VF netdevs in the root namespace are still there" snic_vf_netdevs_are "$pf" 61
check "VF0's and VF62's netdevs are still there" sh -c "/usr/sbin/ip -n a link show $vf0 && /usr/sbin/ip -n b link show $last"
check "after: VF62 pings VF0" ip netns exec b ping -c 2 -W 2 169.254.10.1
check "after: the PF pings VF62" ping -c 2 -W 2 169.254.10.2
check "VFs can still be removed: echo 0 > sriov_numvfs" sriov_set "$pf" 0
expect_num "no VF left" "$(ls -d $SYSPCI/$pf/virtfn* 2>/dev/null | wc -l)" -eq 0
