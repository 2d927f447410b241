# personality=ixgbe: each `ip link set <pf> vf N ...` knob of the stock
# ixgbe PF driver, shown by `ip link show <pf>` and proven with traffic
# (offloads left on): mac (after a VF driver reload), vlan + qos (VFs on
# VLAN 100 reach each other and the PF's VLAN 100 device, not a VF off the
# VLAN; the PF receives VF0's frames tagged VID 100 with PCP 3, VF1's (no
# qos) with PCP 0: a packet socket with PACKET_AUXDATA, python3 from the
# selftests image extra), spoofchk (a forged source MAC is dropped and the
# PF driver logs "Spoofed packets detected"; off lets it through), trust
# (an untrusted VF cannot change the MAC its PF set, and with allmulticast
# on it gets no multicast of a group it did not join; trusted it can and
# does), state disable (NO-CARRIER, no traffic) and auto, max_tx_rate
# (iperf3 within 10% of a rate TCG can carry).
# qemu: -netdev user,id=n0,restrict=on
# qemu: -device pcie-root-port,id=rp0,slot=1,chassis=1
# qemu: -device @DEVICE@,bus=rp0,netdev=n0,personality=ixgbe,total-vfs=63,mac=52:54:00:82:59:01
# image: selftests
# var: RATE=20
# var: SECONDS_IPERF=8
# timeout: 900

modprobe macvlan
modprobe 8021q
ixgbe_enable_vfs 3
bdf0=${vfs%% *}
vfshow() { ip link show "$pfif" | grep "vf $1 "; }
# vlan_tags.py IF GO SECS MAC...: the 802.1Q tags of the frames from each
# MAC that IF receives once the file GO exists, "MAC vid=V pcp=P COUNT"
# lines (or "MAC untagged COUNT"), when each MAC sent 3 or after SECS. The
# tag is the TCI ixgbe took from the descriptor (PACKET_AUXDATA,
# ixgbe_process_skb_fields), or the frame's if the PF did not strip it.
# Started now: python3's start (seconds on TCG) overlaps the steps below.
cat > /tmp/vlan_tags.py <<'PY'
import os, socket, struct, sys, time
ifname, go, secs = sys.argv[1], sys.argv[2], float(sys.argv[3])
macs = {bytes.fromhex(m.replace(":", "")): m for m in sys.argv[4:]}
SOL_PACKET, PACKET_AUXDATA, TP_STATUS_VLAN_VALID = 263, 8, 0x10
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0003))
s.bind((ifname, 0))
s.setsockopt(SOL_PACKET, PACKET_AUXDATA, 1)
print("ready", flush=True)
while not os.path.exists(go):
    time.sleep(0.2)
s.setblocking(False)
try:
    while s.recv(2048):  # what arrived before GO
        pass
except BlockingIOError:
    pass
print("counting", flush=True)
s.settimeout(0.2)
seen, sent, end = {}, {}, time.monotonic() + secs
while time.monotonic() < end and not all(sent.get(m, 0) >= 3 for m in macs):
    try:
        data, anc, _, _ = s.recvmsg(2048, socket.CMSG_SPACE(20))
    except socket.timeout:
        continue
    src = data[6:12]
    if src not in macs:
        continue
    tci = None
    for level, kind, d in anc:
        if level == SOL_PACKET and kind == PACKET_AUXDATA and len(d) >= 20:
            status, _, _, _, _, vtci, _ = struct.unpack("IIIHHHH", d[:20])
            if status & TP_STATUS_VLAN_VALID:
                tci = vtci
    if tci is None and data[12:14] == b"\x81\x00":
        tci = struct.unpack("!H", data[14:16])[0]
    tag = "untagged" if tci is None else "vid=%d pcp=%d" % (tci & 0xFFF, tci >> 13)
    seen[(macs[src], tag)] = seen.get((macs[src], tag), 0) + 1
    sent[src] = sent.get(src, 0) + 1
for (m, tag), n in sorted(seen.items()):
    print(m, tag, n)
PY
python3 /tmp/vlan_tags.py "$pfif" /tmp/vlan_tags.go 30 02:00:00:82:00:01 02:00:00:82:00:02 > /tmp/vlan_tags.out 2>&1 &
tags_pid=$!

# ---- mac: set by the PF, seen after the VF driver reloads ----
check "ip link set vf 0 mac" ip link set "$pfif" vf 0 mac 02:00:00:82:00:01
check "ip link set vf 1 mac" ip link set "$pfif" vf 1 mac 02:00:00:82:00:02
check "ip link set vf 2 mac" ip link set "$pfif" vf 2 mac 02:00:00:82:00:03
expect_match "ip link show: vf 0 MAC" "$(vfshow 0)" '02:00:00:82:00:01'
# ixgbevf's probe gives the PF about 1 s to answer its reset (vf.c
# ixgbevf_reset_hw_vf: VF_RESET, then 2000 x 500 us for the reply); the PF
# answers from its interrupt handler (ixgbe_msg_task), which on TCG under
# a loaded host can take longer. The device answers in every ordering
# (tests/unit/ixgbe/reset_race_test.cc), so: python3's start is over
# first, and a VF whose probe got no answer ("PF still in reset state",
# then a random MAC) is bound again, at most twice; the count is reported.
wait_for 60 grep -q ready /tmp/vlan_tags.out
for v in $vfs; do echo "$v" > /sys/bus/pci/drivers/ixgbevf/unbind; done
unanswered() { dmesg | grep -c "$1: PF still in reset state"; }
rebinds=0
for v in $vfs; do
    for try in 1 2 3; do
        seen=$(unanswered "$v")
        echo "$v" > /sys/bus/pci/drivers/ixgbevf/bind
        [ "$(unanswered "$v")" = "$seen" ] || [ $try = 3 ] && break
        info "$v: the PF did not answer its reset in time; binding it again"
        rebinds=$((rebinds + 1))
        echo "$v" > /sys/bus/pci/drivers/ixgbevf/unbind
    done
done
result vf_rebinds_after_an_unanswered_reset $rebinds
require "VF netdevs back after the reload" wait_for 60 ixgbe_vf_netdevs_are "$pf" 3
collect_vf_netdevs "$pf" pci_netdev
expect_eq "VF 0 uses the MAC its PF set" "$(cat /sys/class/net/$vf0/address)" 02:00:00:82:00:01

ip netns add a; ip netns add b; ip netns add c
ip link set "$vf0" netns a; ip link set "$vf1" netns b; ip link set "$vf2" netns c
ip -n a addr add 169.254.83.1/24 dev "$vf0"; ip -n a link set "$vf0" up
ip -n b addr add 169.254.83.2/24 dev "$vf1"; ip -n b link set "$vf1" up
ip -n c addr add 169.254.83.3/24 dev "$vf2"; ip -n c link set "$vf2" up
ip addr add 169.254.83.10/24 dev "$pfif"
carrier() { [ "$(ip netns exec "$1" cat /sys/class/net/$2/carrier 2>/dev/null)" = 1 ]; }
require "VF0 carrier" wait_for 30 carrier a "$vf0"
require "VF1 carrier" wait_for 30 carrier b "$vf1"
check "VF0 pings VF1 (its PF-set MAC)" ip netns exec a ping -c 2 -W 2 169.254.83.2
expect_match "VF1 knows VF0 by its PF-set MAC" "$(ip -n b neigh show 169.254.83.1)" '02:00:00:82:00:01'

# ---- vlan 100 qos 3: VF0 and VF1 on VLAN 100, VF2 off it ----
check "ip link set vf 0 vlan 100 qos 3" ip link set "$pfif" vf 0 vlan 100 qos 3
check "ip link set vf 1 vlan 100" ip link set "$pfif" vf 1 vlan 100
expect_match "ip link show: vf 0 vlan 100, qos 3" "$(vfshow 0)" 'vlan 100, qos 3'
ip link add link "$pfif" name pf100 type vlan id 100
ip addr add 169.254.84.10/24 dev pf100; ip link set pf100 up
ip -n a addr add 169.254.84.1/24 dev "$vf0"
ip -n b addr add 169.254.84.2/24 dev "$vf1"
ip -n c addr add 169.254.84.3/24 dev "$vf2"
flush() { for n in a b c; do ip -n $n neigh flush all; done; ip neigh flush all; }
flush
check "VLAN 100: VF0 pings VF1" ip netns exec a ping -c 2 -W 2 169.254.84.2
check "VLAN 100: VF0 pings the PF's VLAN 100 device (the tag is on the wire)" ip netns exec a ping -c 2 -W 2 169.254.84.10
check_fails "VF2 (no VLAN) cannot reach VF0" ip netns exec c ping -c 2 -W 1 169.254.84.1
tags_of() { sed -n "s/^$1 \(.*\) [0-9]*\$/\1/p" /tmp/vlan_tags.out | tr '\n' ' ' | sed 's/ $//'; }
touch /tmp/vlan_tags.go
if check "a packet socket on the PF (python3, # image: selftests)" wait_for 30 grep -q counting /tmp/vlan_tags.out; then
    ip netns exec a ping -c 3 -i 0.2 -W 2 169.254.84.10 > /dev/null 2>&1
    ip netns exec b ping -c 3 -i 0.2 -W 2 169.254.84.10 > /dev/null 2>&1
fi
wait $tags_pid
sed 's/^/    | /' /tmp/vlan_tags.out
expect_eq "vlan 100 qos 3: the PF receives VF0's frames with VID 100, PCP 3" "$(tags_of 02:00:00:82:00:01)" "vid=100 pcp=3"
expect_eq "vlan 100 (no qos): the PF receives VF1's frames with VID 100, PCP 0" "$(tags_of 02:00:00:82:00:02)" "vid=100 pcp=0"
expect_eq "VF0 sees untagged frames (no VLAN device)" "$(ip -n a -d link show "$vf0" | grep -c 'vlan protocol')" 0
check "ip link set vf 0 vlan 0" ip link set "$pfif" vf 0 vlan 0
check "ip link set vf 1 vlan 0" ip link set "$pfif" vf 1 vlan 0
flush
check "no VLAN: VF0 pings VF2 again" ip netns exec a ping -c 2 -W 2 169.254.83.3

# ---- spoofchk: a macvlan on VF0 sends with a forged source MAC ----
ip -n a link add link "$vf0" name mv0 address 02:aa:bb:cc:dd:ee type macvlan mode bridge
ip -n a addr add 169.254.85.1/24 dev mv0; ip -n a link set mv0 up
ip -n b addr add 169.254.85.2/24 dev "$vf1"
forged_seen() { ip -n b neigh show 169.254.85.1 | grep -q 02:aa:bb:cc:dd:ee; }
expect_match "ip link show: vf 0 spoof checking on" "$(vfshow 0)" 'spoof checking on'
ip netns exec a ping -c 3 -W 1 169.254.85.2 > /dev/null 2>&1
check_fails "spoofchk on: VF1 never sees the forged MAC" forged_seen
check "ixgbe reports spoofed packets" wait_for 20 sh -c "dmesg | grep -q 'Spoofed packets detected'"
check "ip link set vf 0 spoofchk off" ip link set "$pfif" vf 0 spoofchk off
expect_match "ip link show: vf 0 spoof checking off" "$(vfshow 0)" 'spoof checking off'
check "spoofchk off: the forged MAC gets through" sh -c "/usr/sbin/ip netns exec a ping -c 3 -W 2 169.254.85.2 >/dev/null 2>&1; /usr/sbin/ip -n b neigh show 169.254.85.1 | grep -q 02:aa:bb:cc:dd:ee"
ip link set "$pfif" vf 0 spoofchk on
ip -n a link del mv0

# ---- trust: allmulticast ----
# ixgbe_update_vf_xcast_mode downgrades an untrusted VF's ALLMULTI request
# (ixgbevf_set_rx_mode on IFF_ALLMULTI) to MULTI: VMOLR.MPE stays clear.
# The PF pings a group: 224.0.0.1 (all-hosts, which every VF joined: the
# control) or 239.1.2.165, which nobody joined (01:00:5e:01:02:a5, MTA
# vector 0xa50, shared by no joined group's MAC). VF0's RX packets count
# what reaches it (it does not answer: icmp_echo_ignore_broadcasts).
ip route add 224.0.0.1/32 dev "$pfif"
ip route add 239.1.2.165/32 dev "$pfif"
vf0_rx() { ip -n a -s link show "$vf0" | awk '/RX:/{getline; print $2; exit}'; }
mcast_to_vf0() {  # GROUP: how many of 5 pings from the PF to GROUP VF0 receives
    local r0
    r0=$(vf0_rx)
    ping -c 5 -i 0.1 -W 1 "$1" > /dev/null 2>&1
    sleep 0.3
    echo $(( $(vf0_rx) - r0 ))
}
got=$(mcast_to_vf0 224.0.0.1)
result vf0_joined_group_rx "$got"
expect_num "trust off: VF0 receives multicast to a group it joined (224.0.0.1)" "$got" -ge 5
check "ip link set VF0 allmulticast on" ip -n a link set "$vf0" allmulticast on
sleep 1
got=$(mcast_to_vf0 239.1.2.165)
result vf0_untrusted_allmulti_rx "$got"
expect_num "trust off, allmulticast: VF0 gets no multicast of a group it did not join" "$got" -le 1

# ---- trust: the MAC the PF set ----
check_fails "trust off: VF0 cannot change the MAC its PF set" ip -n a link set "$vf0" address 02:00:00:82:00:11
check "ip link set vf 0 trust on" ip link set "$pfif" vf 0 trust on
expect_match "ip link show: vf 0 trust on" "$(vfshow 0)" 'trust on'
# ixgbe_ndo_set_vf_trust pings the VF without CTS: ixgbevf resets itself
# (VF_RESET) before it takes requests again.
check "trust on: VF0 changes its MAC (once its reset is done)" wait_for 30 ip -n a link set "$vf0" address 02:00:00:82:00:11
flush
check "trust on: VF0 pings VF1 with its new MAC" ip netns exec a ping -c 2 -W 2 169.254.83.2
expect_match "VF1 knows VF0 by its new MAC" "$(ip -n b neigh show 169.254.83.1)" '02:00:00:82:00:11'
# ixgbevf asks for ALLMULTI again once its reset is done (ixgbevf_up)
got=$(mcast_to_vf0 239.1.2.165)
result vf0_trusted_allmulti_rx "$got"
expect_num "trust on, allmulticast: VF0 receives multicast to a group it did not join" "$got" -ge 5
ip -n a link set "$vf0" allmulticast off

# ---- state disable / auto ----
check "ip link set vf 1 state disable" ip link set "$pfif" vf 1 state disable
case $(uname -r) in
    6.1.*) info "6.1's ixgbe_ndo_get_vf_config does not report the link state (ip link shows auto); 6.12's does" ;;
    *) expect_match "ip link show: vf 1 link-state disable" "$(vfshow 1)" 'link-state disable' ;;
esac
nocarrier() { ! carrier "$@"; }
check "state disable: VF1 has NO-CARRIER" wait_for 30 nocarrier b "$vf1"
check_fails "state disable: VF0 cannot reach VF1" ip netns exec a ping -c 2 -W 1 169.254.83.2
check "ip link set vf 1 state auto" ip link set "$pfif" vf 1 state auto
check "state auto: VF1 carrier back" wait_for 30 carrier b "$vf1"
check "state auto: VF0 pings VF1" wait_for 20 ip netns exec a ping -c 1 -W 1 169.254.83.2

# ---- max_tx_rate ----
check "ip link set vf 0 max_tx_rate $RATE" ip link set "$pfif" vf 0 max_tx_rate "$RATE"
expect_match "ip link show: vf 0 max_tx_rate $RATE" "$(vfshow 0)" "max_tx_rate $RATE"
ip link show "$pfif" | sed 's/^/    | /'  # the VFs as configured now
# -O 1: the first second (slow start) is not counted. iperf3 counts TCP
# payload, the limiter Ethernet frames (4.5% more at MTU 1500), so the
# limiter's +-10% is 86..105% in payload; the lower bound is 80%: with two
# loaded guests on a 2-core host, 17 of 20 Mbit/s came out (the host's
# capacity then, not the limiter's). The upper bound is the limiter's.
# -P 4: the streams spread over VF0's TX queues (ixgbevf hashes flows to
# queues), and the limiter must serve every queue of the VF: a queue it
# starved made ixgbevf report a Tx Unit Hang (tx_scheduler.h), which the
# dmesg check below catches. With one stream that took the iperf3 control
# connection landing on the other queue, one CI run in several; with four
# both runs (6.1, 6.12) of the unfixed device hung.
txq() { ip netns exec a ethtool -S "$vf0" | sed -n 's/^ *tx_queue_\([0-9]*\)_packets: \([0-9]*\)/\1 \2/p'; }
txq > /tmp/txq.before
iperf_ns rate a b 169.254.83.2 -O 1 -P 4
mbit=$(iperf_mbit /tmp/iperf.rate)
m=${mbit%.*}
expect_num "iperf3 under max_tx_rate $RATE: at least 80% (payload)" "${m:-0}" -ge $((RATE * 8 / 10))
expect_num "iperf3 under max_tx_rate $RATE: at most 110%" "${m:-0}" -le $((RATE * 11 / 10))
# (Streams sharing a queue share it as TCP does without loss, unevenly:
# the slowest got 0.3 Mbit/s once. The device's part is that every queue
# moves.)
txq | while read -r q n; do
    b=$(awk -v q="$q" '$1 == q {print $2}' /tmp/txq.before)
    result "rate_vf0_txq${q}_packets" "$((n - ${b:-0}))"
done
ip link set "$pfif" vf 0 max_tx_rate 0
ip link show "$pfif" | sed 's/^/    | /'
# ixgbe's own warnings for what this test provokes (a forged MAC, a MAC
# change refused, a denied MACVLAN filter) are expected; nothing else.
bad='error|errors|warn|warning|fail|failed|failure|hang|hung|timeout'
expected='Spoofed packets detected|attempted to override administratively set MAC|administratively denied'
dmesg | grep -E 'ixgbe' | grep -iwE "$bad" | grep -vE "$expected" | sed 's/^/    ! /'
expect_eq "no other ixgbe warning or error in dmesg" "$(dmesg | grep -E 'ixgbe' | grep -iwE "$bad" | grep -vE "$expected")" ""
finish
