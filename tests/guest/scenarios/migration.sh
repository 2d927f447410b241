# Live migration of the running SR-IOV set: the runner moves the guest to a
# second QEMU on this host (tests/guest/migrate.py, over a unix socket or a
# file) while the scenario runs.
#   1. 0 VFs: the PF pings the uplink (slirp, restrict=on) across the move.
#   2. 8 VFs, in the middle of a VF0 -> VF1 iperf3, a PF -> VF1 ping and
#      VF5 pinging the uplink:
#      iperf3 ends without error; afterwards every netdev is still there,
#      counters go on from where they were, port VLAN isolation, spoofchk
#      and the rate limit still act.
#   3. A destination with other properties (total-vfs) refuses the stream:
#      the guest keeps running on the source.
#   4. Save to a file; a copy with one ring index corrupted is refused with
#      the field named; the real file restores and traffic goes on.
# var: TOTAL_VFS=8
# var: NUM_VFS=8
# (NUM_VFS: at least 6: VF0..VF5 carry the checks)
# var: IPERF_S=20
# qemu: -device pcie-root-port,id=rp0,slot=1,chassis=1 -device @DEVICE@,id=pf0,bus=rp0,netdev=n0,total-vfs=@TOTAL_VFS@ -netdev user,id=n0,restrict=on
# host-control: yes
# timeout: 900

MIG=$SNIC_MIG
modprobe macvlan

# ---- 1. the PF alone, talking to the uplink ----
modprobe virtio_net
pf=$(pci_pfs 1af4:1041 | head -n1)
[ -n "$pf" ] || abort "no sriov-nic PF found"
require "PF has a netdev" wait_for 20 virtio_netdev "$pf"
pfif=$(virtio_netdev "$pf")
ip link set "$pfif" up
cat > /tmp/dhcp.sh <<'EOS'
#!/bin/sh
[ "$1" = bound ] || exit 0
/usr/sbin/ip addr add "$ip/${mask:-24}" dev "$interface"
EOS
chmod +x /tmp/dhcp.sh
require "PF gets a DHCP lease from the uplink" udhcpc -i "$pfif" -n -q -t 5 -T 2 -s /tmp/dhcp.sh
require "PF pings the uplink gateway" ping -c 2 -W 2 10.0.2.2
ping -i 0.05 -c 200 -W 1 10.0.2.2 > /tmp/ping0.txt 2>&1 &
pinger=$!
sleep 2
migrate_ok pf_only
wait $pinger
tail -n 2 /tmp/ping0.txt | sed 's/^/    | /'
result pf_only_ping_lost_ms "$(ping_lost_ms /tmp/ping0.txt 50)"
expect_eq "0 VFs: the PF netdev is still $pfif" "$(virtio_netdev "$pf")" "$pfif"
check "0 VFs: the PF pings the uplink on the destination" ping -c 3 -W 2 10.0.2.2
expect_eq "0 VFs: sriov_numvfs is 0" "$(cat $SYSPCI/$pf/sriov_numvfs)" 0

# ---- 2. NUM_VFS VFs in the middle of traffic ----
enable_vfs "$NUM_VFS"
for n in a b c d e f; do ip netns add $n; ip -n $n link set lo up; done
ip link set "$vf0" netns a; ip link set "$vf1" netns b
ip link set "$vf2" netns c; ip link set "$vf3" netns d; ip link set "$vf4" netns e
ip link set "$vf5" netns f; ip -n f link set "$vf5" up
ip -n a addr add 169.254.10.1/24 dev "$vf0"; ip -n a link set "$vf0" up
ip -n b addr add 169.254.10.2/24 dev "$vf1"; ip -n b link set "$vf1" up
ip -n b addr add 169.254.11.2/24 dev "$vf1"
ip -n c addr add 169.254.20.1/24 dev "$vf2"; ip -n c link set "$vf2" up
ip -n d addr add 169.254.20.2/24 dev "$vf3"; ip -n d link set "$vf3" up
ip -n e addr add 169.254.10.5/24 dev "$vf4"; ip -n e link set "$vf4" up
ip addr add 169.254.10.3/24 dev "$pfif"
ip addr add 169.254.20.3/24 dev "$pfif"
host_ctl pf0 vf 2 vlan 20
host_ctl pf0 vf 3 vlan 20
host_ctl pf0 vf 4 max-tx-rate 20
ip -n a link add link "$vf0" name mv0 address 02:aa:bb:cc:dd:ee type macvlan mode bridge
ip -n a addr add 169.254.11.1/24 dev mv0; ip -n a link set mv0 up
require "VF5 gets a DHCP lease from the uplink" ip netns exec f udhcpc -i "$vf5" -n -q -t 5 -T 2 -s /tmp/dhcp.sh
require "VF5 pings the uplink gateway" ip netns exec f ping -c 2 -W 2 10.0.2.2
require "VF0 pings VF1" wait_for 10 ip netns exec a ping -c 1 -W 1 169.254.10.2
require "VF2 pings VF3 (port VLAN 20)" wait_for 10 ip netns exec c ping -c 1 -W 1 169.254.20.2
check_fails "before: VF2 (VLAN 20) cannot reach the PF" ip netns exec c ping -c 2 -W 1 169.254.20.3

ip netns exec b iperf3 -s -D -1 > /dev/null 2>&1
sleep 1
ip netns exec a iperf3 -c 169.254.10.2 -t "$IPERF_S" -i 1 -f m > /tmp/iperf.txt 2>&1 &
iperf=$!
ping -i 0.05 -c $((IPERF_S * 15)) -W 1 169.254.10.2 > /tmp/ping1.txt 2>&1 &
pinger=$!
ip netns exec f ping -i 0.05 -c $((IPERF_S * 15)) -W 1 10.0.2.2 > /tmp/ping5.txt 2>&1 &
uplinker=$!
sleep 5
tx0=$(host_stat 0 tx-packets)
rx1=$(host_stat 1 rx-packets)
an0=$(host_stat 3 ctrl-commands)
migrate_ok vfs
tx1=$(host_stat 0 tx-packets)
rx2=$(host_stat 1 rx-packets)
wait $iperf
rc=$?
wait $pinger
wait $uplinker
sed 's/^/    | /' /tmp/iperf.txt | tail -n $((IPERF_S + 6))
tail -n 2 /tmp/ping1.txt /tmp/ping5.txt | sed 's/^/    | /'
mbit=$(iperf_mbit /tmp/iperf.txt)
expect_eq "iperf3 VF0 -> VF1 across the migration ends without error" "$rc" 0
expect_ne "iperf3 reports a receiver rate" "${mbit:-none}" none
result vfs_iperf_mbit "${mbit:-none}"
# The interval lines of the sender (before the summary): the slowest one
# holds the migration's pause.
lowest=$(iperf_lowest /tmp/iperf.txt "$IPERF_S")
result vfs_iperf_lowest_interval_mbit "${lowest:-none}"
result vfs_ping_lost_ms "$(ping_lost_ms /tmp/ping1.txt 50)"
result vfs_uplink_ping_lost_ms "$(ping_lost_ms /tmp/ping5.txt 50)"
check "after: VF5 pings the uplink gateway" ip netns exec f ping -c 3 -W 2 10.0.2.2
expect_num "VF0's tx-packets go on from where they were" "${tx1:-0}" -ge "${tx0:-1}"
expect_num "VF0 had sent before the migration" "${tx0:-0}" -gt 0
expect_num "VF1's rx-packets go on from where they were" "${rx2:-0}" -ge "${rx1:-1}"
# GUEST_ANNOUNCE: the destination asks every function's driver to announce
# itself; virtio_net sends gratuitous ARPs and acks on the control queue.
an1=$(host_stat 3 ctrl-commands)
expect_num "the destination had VF3 announce itself (ANNOUNCE_ACK)" "${an1:-0}" -gt "${an0:-0}"
expect_eq "sriov_numvfs is still $NUM_VFS" "$(cat $SYSPCI/$pf/sriov_numvfs)" "$NUM_VFS"
# sysfs shows a netdev only in its namespace: 6 VFs live in a..f.
check "the $((NUM_VFS - 6)) VF netdevs left in the root namespace are still there" snic_vf_netdevs_are "$pf" $((NUM_VFS - 6))
check "the VF netdevs in namespaces a..f are still there" sh -c "for p in a:$vf0 b:$vf1 c:$vf2 d:$vf3 e:$vf4 f:$vf5; do /usr/sbin/ip -n \${p%%:*} link show \${p#*:} || exit 1; done"
expect_eq "the PF netdev is still $pfif" "$(virtio_netdev "$pf")" "$pfif"
check "after: VF1 pings VF0" ip netns exec b ping -c 2 -W 2 169.254.10.1
check "after: VF2 pings VF3 (port VLAN 20)" ip netns exec c ping -c 2 -W 2 169.254.20.2
check_fails "after: VF2 (VLAN 20) still cannot reach the PF" ip netns exec c ping -c 2 -W 1 169.254.20.3
expect_match "after: the destination has VF2's port VLAN" "$(host_ctl pf0 show vf 2)" "vlan 20"
s0=$(host_stat 0 drop-tx-spoof)
ip netns exec a ping -c 3 -W 1 169.254.11.2 > /dev/null 2>&1
s1=$(host_stat 0 drop-tx-spoof)
expect_num "after: spoofchk still drops VF0's forged MAC" "${s1:-0}" -gt "${s0:-0}"
check_fails "after: VF1 never saw the forged MAC" sh -c "/usr/sbin/ip -n b neigh show 169.254.11.1 | grep -q 02:aa:bb:cc:dd:ee"
expect_match "after: the destination has VF4's max-tx-rate" "$(host_ctl pf0 show vf 4)" "max_tx_rate 20Mbps"
w0=$(host_stat 4 tx-rate-waits)
ip netns exec b iperf3 -s -D -1 > /dev/null 2>&1
sleep 1
ip netns exec e iperf3 -c 169.254.10.2 -t 4 -f m > /tmp/iperf4.txt 2>&1
m4=$(iperf_mbit /tmp/iperf4.txt)
result vf4_rate_limited_mbit "${m4:-none}"
m4=${m4%.*}
expect_num "after: VF4 moves data" "${m4:-0}" -gt 0
expect_num "after: VF4 stays under max-tx-rate 20 (+15%)" "${m4:-999}" -le 23
w1=$(host_stat 4 tx-rate-waits)
expect_num "after: the rate limiter paused VF4" "${w1:-0}" -gt "${w0:-0}"

# ---- 3. a destination that does not match is refused ----
host_migrate TOTAL_VFS=4 > $MIG 2>&1
rc=$?
sed 's/^/    | /' $MIG
expect_num "a destination with total-vfs=4 refuses the stream" "$rc" -eq 1
expect_match "the destination names total-vfs" "$(grep '^dest_error=' $MIG)" "total-vfs"
expect_eq "the source keeps running" "$(mig_value source $MIG)" running
check "still on the source: VF0 pings VF1" ip netns exec a ping -c 2 -W 2 169.254.10.2

# ---- 4. save to a file, a corrupted copy refused, then restore ----
migrate_ok file file corrupt-ring
expect_match "the corrupted file is refused, naming the field" "$(grep '^corrupt_error=' $MIG)" "last_avail_idx"
expect_eq "the real file restores" "$(mig_value restore $MIG)" completed
check "restored: VF0 pings VF1" ip netns exec a ping -c 3 -W 2 169.254.10.2
ip netns exec b iperf3 -s -D -1 > /dev/null 2>&1
sleep 1
check "restored: iperf3 VF0 -> VF1" ip netns exec a iperf3 -c 169.254.10.2 -t 3 -f m
