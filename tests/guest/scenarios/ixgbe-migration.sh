# personality=ixgbe live migration (tests/guest/migrate.py moves the guest
# to a second QEMU on this host): the stock ixgbe PF and four ixgbevf VFs
# keep running across the move, in the middle of a VF0 -> VF1 iperf3 and a
# PF -> VF1 ping. The policy the guest's PF driver wrote (`ip link set
# <pf> vf N ...`: port VLAN, spoofchk, max_tx_rate) is still enforced on
# the destination, the VF counters go on, the mailbox still carries VF
# requests, and a destination with other properties refuses the stream
# while the guest keeps running on the source.
# var: TOTAL_VFS=8
# var: IPERF_S=12
# qemu: -netdev user,id=n0,restrict=on
# qemu: -device pcie-root-port,id=rp0,slot=1,chassis=1
# qemu: -device @DEVICE@,id=pf0,bus=rp0,netdev=n0,personality=ixgbe,total-vfs=@TOTAL_VFS@,mac=52:54:00:82:59:01
# host-control: yes
# image: selftests
# timeout: 900

MIG=$SNIC_MIG
modprobe 8021q
ixgbe_enable_vfs 4
ip link set "$pfif" vf 2 vlan 100
ip link set "$pfif" vf 3 vlan 100
ip link set "$pfif" vf 3 max_tx_rate 20
for n in a b c d; do ip netns add $n; ip -n $n link set lo up; done
ip link set "$vf0" netns a; ip link set "$vf1" netns b
ip link set "$vf2" netns c; ip link set "$vf3" netns d
ip -n a addr add 169.254.83.1/24 dev "$vf0"; ip -n a link set "$vf0" up
ip -n b addr add 169.254.83.2/24 dev "$vf1"; ip -n b link set "$vf1" up
ip -n c addr add 169.254.85.1/24 dev "$vf2"; ip -n c link set "$vf2" up
ip -n d addr add 169.254.85.2/24 dev "$vf3"; ip -n d link set "$vf3" up
ip addr add 169.254.83.10/24 dev "$pfif"
ip addr add 169.254.85.10/24 dev "$pfif"
# Frames with a source MAC that is not VF0's (a packet socket, python3
# from the selftests image): what spoofchk (PFVFSPOOF) drops. (A macvlan
# would not do: ixgbe gives an untrusted VF whose MAC it did not set the
# macvlan filter and turns anti-spoofing off for it, ixgbe_set_vf_macvlan.)
cat > /tmp/forge.py <<'EOS'
import socket, sys
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((sys.argv[1], 0))
dst = bytes.fromhex(sys.argv[2].replace(":", ""))
frame = dst + bytes.fromhex("02aabbccddee") + b"\x08\x00" + bytes(46)
for _ in range(int(sys.argv[3])):
    s.send(frame)
EOS
require "VF0 pings VF1" wait_for 30 ip netns exec a ping -c 1 -W 1 169.254.83.2
require "VF2 pings VF3 (port VLAN 100)" wait_for 30 ip netns exec c ping -c 1 -W 1 169.254.85.2
check_fails "before: VF2 (VLAN 100) cannot reach the untagged PF" ip netns exec c ping -c 2 -W 1 169.254.85.10

ip netns exec b iperf3 -s -D -1 > /dev/null 2>&1
sleep 1
ip netns exec a iperf3 -c 169.254.83.2 -t "$IPERF_S" -i 1 -f m > /tmp/iperf.txt 2>&1 &
iperf=$!
ping -i 0.05 -c $((IPERF_S * 15)) -W 1 169.254.83.2 > /tmp/ping.txt 2>&1 &
pinger=$!
sleep 4
tx0=$(host_stat 0 tx-packets)
migrate_ok ixgbe
tx1=$(host_stat 0 tx-packets)
wait $iperf
rc=$?
wait $pinger
sed 's/^/    | /' /tmp/iperf.txt | tail -n $((IPERF_S + 6))
tail -n 2 /tmp/ping.txt | sed 's/^/    | /'
mbit=$(iperf_mbit /tmp/iperf.txt)
expect_eq "iperf3 VF0 -> VF1 across the migration ends without error" "$rc" 0
expect_ne "iperf3 reports a receiver rate" "${mbit:-none}" none
result ixgbe_iperf_mbit "${mbit:-none}"
result ixgbe_iperf_lowest_interval_mbit "$(iperf_lowest /tmp/iperf.txt "$IPERF_S")"
result ixgbe_ping_lost_ms "$(ping_lost_ms /tmp/ping.txt 50)"
expect_num "VF0 had sent before the migration" "${tx0:-0}" -gt 0
expect_num "VF0's tx-packets go on from where they were" "${tx1:-0}" -ge "${tx0:-1}"
expect_eq "sriov_numvfs is still 4" "$(cat /sys/class/net/$pfif/device/sriov_numvfs)" 4
expect_eq "the PF netdev is still $pfif" "$(pci_netdev "$pf")" "$pfif"
check "after: VF1 pings VF0" ip netns exec b ping -c 2 -W 2 169.254.83.1
check "after: the PF pings VF0" ping -c 2 -W 2 169.254.83.1
check "after: VF2 pings VF3 (port VLAN 100)" ip netns exec c ping -c 2 -W 2 169.254.85.2
check_fails "after: VF2 (VLAN 100) still cannot reach the PF" ip netns exec c ping -c 2 -W 1 169.254.85.10
ip link show "$pfif" > /tmp/pf.link
sed 's/^/    | /' /tmp/pf.link
check "after: ip link show <pf> still has VF 2's vlan 100" grep -qE 'vf 2 .*vlan 100' /tmp/pf.link
vf1mac=$(ip -n b -o link show "$vf1" | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p')
s0=$(host_stat 0 drop-tx-spoof)
check "after: VF0 sends 5 frames with a forged source MAC" ip netns exec a python3 /tmp/forge.py "$vf0" "$vf1mac" 5
s1=$(host_stat 0 drop-tx-spoof)
expect_num "after: spoofchk still drops VF0's 5 forged frames" "$(( ${s1:-0} - ${s0:-0} ))" -ge 5
# max_tx_rate 20 on VF 3 (RTTBCNRC): the destination's scheduler has it.
ip netns exec c iperf3 -s -D -1 > /dev/null 2>&1
sleep 1
ip netns exec d iperf3 -c 169.254.85.1 -t 4 -f m > /tmp/iperf3.txt 2>&1
m3=$(iperf_mbit /tmp/iperf3.txt)
result vf3_rate_limited_mbit "${m3:-none}"
m3=${m3%.*}
expect_num "after: VF3 moves data" "${m3:-0}" -gt 0
expect_num "after: VF3 stays under max_tx_rate 20 (+15%)" "${m3:-999}" -le 23
# The mailbox on the destination: a VLAN filter request (IXGBE_VF_SET_VLAN)
# from VF0's ixgbevf, answered by the PF's ixgbe.
check "after: VF0 adds VLAN 5 through the mailbox" ip -n a link add link "$vf0" name vf0.5 type vlan id 5

# A destination that does not match refuses the stream.
host_migrate TOTAL_VFS=4 > $MIG 2>&1
rc=$?
sed 's/^/    | /' $MIG
expect_num "a destination with total-vfs=4 refuses the stream" "$rc" -eq 1
expect_match "the destination names total-vfs" "$(grep '^dest_error=' $MIG)" "total-vfs"
expect_eq "the source keeps running" "$(mig_value source $MIG)" running
check "still on the source: VF0 pings VF1" ip netns exec a ping -c 2 -W 2 169.254.83.2

bad='error|errors|warn|warning|fail|failed|failure|hang|hung|timeout|malicious'
dmesg | grep -E 'ixgbe' | grep -iwE "$bad" | sed 's/^/    ! /'
expect_eq "no ixgbe warning or error in dmesg" "$(dmesg | grep -E 'ixgbe' | grep -iwE "$bad")" ""
check "VFs can still be removed: echo 0 > sriov_numvfs" sh -c "echo 0 > /sys/class/net/$pfif/device/sriov_numvfs"
finish
