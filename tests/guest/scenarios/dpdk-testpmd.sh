# DPDK's virtio PMD (dpdk-testpmd, bookworm's DPDK 22.11) drives VF0 through
# vfio-pci behind QEMU's emulated IOMMU (intel-iommu; the guest boots with
# intel_iommu=on, so the kernel's own VFs' DMA is translated too), and
# trades frames with VF1 on the kernel's virtio_net in a namespace:
#   - VF1 <-> VF2, both on virtio_net in namespaces: ping and iperf3 TCP
#     with the IOMMU translating (DMA domains, not passthrough)
#   - testpmd -> VF1: `start tx_first 8` (8 bursts of 32 txonly frames to
#     VF1's MAC); VF1's rx_packets rise by exactly testpmd's TX-packets
#   - VF1 -> testpmd: ping -c 200 to an address whose neighbour entry is
#     VF0's MAC; testpmd (rxonly) counts exactly VF1's tx_packets rise
# No ARP and no IPv6 (ipv6.disable=1, static neighbours): the frames the
# test sends are the only ones on the switch, so the counts are exact.
# no_timer_check: QEMU's intel-iommu remaps interrupts (intremap=auto is
# on under TCG, and vfio_iommu_type1 wants interrupt remapping); on a
# loaded TCG host the kernel's boot-time check that the timer interrupt
# arrives can fail, and with interrupt remapping on that is a panic
# ("timer doesn't work through Interrupt-remapped IO-APIC") where it
# otherwise falls back. -cpu: Debian's DPDK is built for
# SSE4.2 (EAL dies of an invalid opcode on TCG's default qemu64).
# image: dpdk
# qemu: -cpu qemu64,+ssse3,+sse4.1,+sse4.2,+popcnt -device intel-iommu -device pcie-root-port,id=rp0,slot=1,chassis=1 -device @DEVICE@,id=pf0,bus=rp0,netdev=n0,total-vfs=3 -netdev user,id=n0,restrict=on
# append: intel_iommu=on ipv6.disable=1 no_timer_check
# timeout: 600

TESTPMD=/usr/bin/dpdk-testpmd
[ -x "$TESTPMD" ] || abort "no $TESTPMD in the guest image (# image: dpdk, scripts/build-guest.sh)"
SECONDS_IPERF=3
TX_BURSTS=8     # start tx_first N: N bursts of --burst frames
TX_BURST=32
PINGS=200

# ---- the IOMMU ----------------------------------------------------------------
check "the guest has an IOMMU (/sys/class/iommu/dmar*)" sh -c 'ls -d /sys/class/iommu/dmar* >/dev/null 2>&1'
enable_vfs 3
bdf0=${vfs%% *}
rest=${vfs#* }
bdf1=${rest%% *}
# group_of BDF: the IOMMU group number of a PCI function.
group_of() { basename "$(readlink "$SYSPCI/$1/iommu_group")"; }
g1=$(group_of "$bdf1")
info "VF0 $bdf0 group $(group_of "$bdf0"), VF1 $bdf1 group $g1 ($(cat /sys/kernel/iommu_groups/$g1/type))"
expect_match "VF1 on virtio_net is in a translating IOMMU domain" \
    "$(cat /sys/kernel/iommu_groups/$g1/type)" '^DMA(-FQ)?$'
expect_eq "VF0 is alone in its IOMMU group" \
    "$(ls /sys/kernel/iommu_groups/$(group_of "$bdf0")/devices)" "$bdf0"
feat=$(cat "/sys/class/net/$vf1/device/features")
expect_eq "VF1 negotiated VIRTIO_F_ACCESS_PLATFORM (bit 33)" "$(echo "$feat" | cut -c34)" 1

# ---- kernel VF1 <-> VF2 with the IOMMU translating -----------------------------------
mac0=$(cat "/sys/class/net/$vf0/address")
mac1=$(cat "/sys/class/net/$vf1/address")
mac2=$(cat "/sys/class/net/$vf2/address")
ip netns add a
ip netns add b
ip link set "$vf1" netns a
ip link set "$vf2" netns b
ip -n a addr add 10.9.0.1/24 dev "$vf1"
ip -n b addr add 10.9.0.2/24 dev "$vf2"
ip -n a link set "$vf1" up
ip -n b link set "$vf2" up
ip -n a neigh add 10.9.0.2 lladdr "$mac2" dev "$vf1" nud permanent
ip -n b neigh add 10.9.0.1 lladdr "$mac1" dev "$vf2" nud permanent
ip -n a neigh add 10.9.0.9 lladdr "$mac0" dev "$vf1" nud permanent
check "VF1 pings VF2 (IOMMU translating)" ip netns exec a ping -c 3 -W 2 10.9.0.2
iperf_ns vf1_vf2 a b 10.9.0.2

# ---- VF0 to vfio-pci, hugepages ------------------------------------------------------
require "vfio-pci and vfio_iommu_type1 load" sh -c 'modprobe vfio-pci && modprobe vfio_iommu_type1'
require "VF0 binds vfio-pci" pci_bind "$bdf0" vfio-pci
check "/dev/vfio/$(group_of "$bdf0") exists" test -c "/dev/vfio/$(group_of "$bdf0")"
echo 64 > /sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages
expect_num "64 2 MiB hugepages reserved" "$(cat /sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages)" -eq 64
mkdir -p /dev/hugepages
mount -t hugetlbfs nodev /dev/hugepages

# rx_of NS IF / tx_of NS IF: a netdev's packet counters in a namespace.
rx_of() { ip netns exec "$1" cat "/sys/class/net/$2/statistics/rx_packets"; }
tx_of() { ip netns exec "$1" cat "/sys/class/net/$2/statistics/tx_packets"; }
# tp_last KEY: the last value testpmd's periodic port statistics printed
# for KEY (RX-packets, TX-packets, RX-missed, TX-errors).
TP_OUT=/tmp/testpmd.out
tp_last() { sed -n "s/.*$1: *\([0-9]*\).*/\1/p" "$TP_OUT" | tail -n1; }
# tp_reached KEY N: testpmd printed KEY >= N; fails at once (status 2
# ends wait_for's polling too, see tp_wait) when testpmd is gone.
tp_reached() { [ "$(tp_last "$1")" -ge "$2" ] 2>/dev/null; }
# tp_wait SECONDS KEY N: poll tp_reached while testpmd runs.
tp_wait() {
    local limit=$(($1 * 10)) n=0
    while ! tp_reached "$2" "$3"; do
        kill -0 "$tp_pid" 2>/dev/null || { echo "testpmd exited"; return 1; }
        n=$((n + 1))
        [ $n -ge $limit ] && { echo "timeout: $2 is $(tp_last "$2")"; return 1; }
        sleep 0.1
    done
}

echo "start tx_first $TX_BURSTS" > /tmp/testpmd.cmds
rx1_before=$(rx_of a "$vf1")
tx1_before=$(tx_of a "$vf1")
t0=$(now_ms)
# Lcore 0 is the main one, lcore 1 forwards (rxonly after the txonly
# bursts); the statistics every second are flushed, the exit on SIGTERM
# prints the totals.
"$TESTPMD" -l 0-1 -n 1 -a "$bdf0" --file-prefix=snic -m 64 \
    --log-level=pmd.net.virtio.init:debug -- \
    --forward-mode=rxonly --burst=$TX_BURST --eth-peer=0,$mac1 \
    --total-num-mbufs=2048 --stats-period=1 \
    --cmdline-file=/tmp/testpmd.cmds > "$TP_OUT" 2>&1 < /dev/null &
tp_pid=$!
if check "testpmd sends its bursts (TX-packets reaches $((TX_BURSTS * TX_BURST)))" \
        tp_wait 120 TX-packets $((TX_BURSTS * TX_BURST)); then
    result testpmd_start_ms $(( $(now_ms) - t0 ))
fi
tx_sent=$(tp_last TX-packets)
expect_num "testpmd sent every frame of its bursts" "${tx_sent:-none}" -eq $((TX_BURSTS * TX_BURST))
vf1_got() { [ $(( $(rx_of a "$vf1") - rx1_before )) -ge "$1" ]; }
check "VF1 receives them" wait_for 20 vf1_got "${tx_sent:-1}"
sleep 1  # nothing more arrives (a surplus would show as a mismatch)
expect_num "VF1's rx_packets rose by testpmd's TX-packets" \
    $(( $(rx_of a "$vf1") - rx1_before )) -eq "${tx_sent:-none}"
result dpdk_to_kernel_frames "${tx_sent:-0}"

# Nothing answers (rxonly): ping's exit status is 1; what counts is that
# it sent them all.
ip netns exec a ping -c $PINGS -i 0.01 -W 1 -q 10.9.0.9 > /tmp/ping.out 2>&1
expect_match "VF1 sends $PINGS pings to the DPDK VF's MAC" "$(cat /tmp/ping.out)" "^$PINGS packets transmitted"
sent1=$(( $(tx_of a "$vf1") - tx1_before ))
info "VF1 sent $sent1 frames"
check "testpmd receives them" tp_wait 60 RX-packets "$sent1"
kill -TERM $tp_pid
check "testpmd exits on SIGTERM" wait_for 30 sh -c "! kill -0 $tp_pid"
wait $tp_pid
# The log: EAL and PMD start-up, then (without the periodic statistics)
# the exit.
sed -n '1,/^Press enter\|Port statistics/p' "$TP_OUT" | sed 's/^/    | /'
sed -n '/Telling cores to stop/,$p' "$TP_OUT" | sed 's/^/    | /' 
expect_num "testpmd RX-packets equals VF1's tx_packets rise" "$(tp_last RX-packets)" -eq "$sent1"
expect_num "testpmd's port saw no RX-missed" "$(tp_last RX-missed)" -eq 0
result kernel_to_dpdk_frames "$sent1"
ip netns del a
ip netns del b
finish
