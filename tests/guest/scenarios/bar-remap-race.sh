# A vCPU changes the memory map while the other does MMIO: the window QEMU's
# TCG leaves between a map change and each vCPU's TLB flush (the flush is
# queued to the vCPU's own thread). VF0, unbound, has its Memory Space Enable
# bit turned off and on again and again from CPU 0 (each write unmaps or maps
# its BARs: a new memory map), while CPU 1 sends iperf3 traffic between VF1
# and VF2 (virtio notify writes on their BARs, local APIC EOIs). Stock QEMU
# 10.0 looks up a stale TLB entry's section in the new map there: QEMU
# aborts (iotlb_to_section: section_index < sections_nb) or the access lands
# on another region. scripts/qemu-10.0.patch keeps each vCPU on the map its
# TLB was filled from until its flush. The DPDK scenario (vfio-pci toggling a
# VF's BARs while the kernel drives another VF) hit this 1 run in 20.
# qemu: -device pcie-root-port,id=rp0,slot=1,chassis=1 -device @DEVICE@,bus=rp0,netdev=n0,total-vfs=3 -netdev user,id=n0,restrict=on
# var: SECONDS_IPERF=40
# var: TOGGLES=3000
# timeout: 400

enable_vfs 3
bdf0=${vfs%% *}
pci_unbind "$bdf0"

ip netns add a; ip netns add b
ip link set "$vf1" netns a; ip link set "$vf2" netns b
ip -n a addr add 169.254.40.1/24 dev "$vf1"; ip -n a link set "$vf1" up
ip -n b addr add 169.254.40.2/24 dev "$vf2"; ip -n b link set "$vf2" up
check "VF1 pings VF2" ip netns exec a ping -c 2 -W 2 169.254.40.2

cfg=/sys/bus/pci/devices/$bdf0/config
cmd_of() { dd if="$cfg" bs=1 skip=4 count=1 2>/dev/null | od -An -tu1 | tr -d ' '; }
cmd_on=$(( $(cmd_of) | 2 ))
cmd_off=$(( cmd_on & ~2 ))
oct() { printf '\\%03o' "$1"; }
on=$(oct $cmd_on); off=$(oct $cmd_off)

# The toggler on CPU 0, the traffic on CPU 1.
cat > /tmp/toggle.sh <<EOS
i=0
while [ \$i -lt $TOGGLES ]; do
    printf '$off' | dd of=$cfg bs=1 seek=4 count=1 conv=notrunc 2>/dev/null
    printf '$on' | dd of=$cfg bs=1 seek=4 count=1 conv=notrunc 2>/dev/null
    i=\$((i + 1))
done
echo \$i > /tmp/toggles.done
EOS
ip netns exec b taskset 2 iperf3 -s -D -1 >/dev/null 2>&1
sleep 1
t0=$(now_ms)
taskset 1 sh /tmp/toggle.sh &
tpid=$!
ip netns exec a taskset 2 iperf3 -c 169.254.40.2 -t "$SECONDS_IPERF" -f m > /tmp/iperf.race 2>&1
rc=$?
wait $tpid
t1=$(now_ms)
sed 's/^/    | /' /tmp/iperf.race | tail -3
expect_eq "VF0's Memory Space Enable toggled $TOGGLES times" "$(cat /tmp/toggles.done 2>/dev/null)" "$TOGGLES"
result toggles_per_s $(( TOGGLES * 1000 / (t1 - t0 + 1) ))
mbit=$(iperf_mbit /tmp/iperf.race)
if [ $rc -eq 0 ] && [ -n "$mbit" ]; then
    pass "iperf3 VF1 -> VF2 across the map changes"
    result vf1_vf2_mbit "$mbit"
else
    fail "iperf3 VF1 -> VF2 across the map changes" "iperf3 exited $rc"
fi
check "VF1 still pings VF2" ip netns exec a ping -c 2 -W 2 169.254.40.2
expect_eq "VF0's command register is as it was" "$(cmd_of)" "$cmd_on"
check "VF0 binds virtio-pci again" pci_bind "$bdf0" virtio-pci
