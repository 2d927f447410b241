# Benchmark configuration "virtio-net pair": two plain virtio-net-pci NICs
# whose netdevs are the two ports of one QEMU hub, so whatever one sends the
# other receives (a virtual cable through QEMU's net layer).
# Runs with tests/guest/bench/iperf-pair.sh appended (scripts/benchmark.py).
# qemu: -netdev hubport,id=h0,hubid=0 -netdev hubport,id=h1,hubid=0 -device virtio-net-pci,netdev=h0,mac=52:54:00:b0:00:01,romfile= -device virtio-net-pci,netdev=h1,mac=52:54:00:b0:00:02,romfile=
# var: SECONDS_IPERF=10
# timeout: 300

# virtio_pci is built into 6.12 and a module on 6.1 (/init coldplugs it too).
modprobe virtio_pci
modprobe virtio_net
require "NIC 1 has a netdev" wait_for 20 netdev_by_mac 52:54:00:b0:00:01
require "NIC 2 has a netdev" wait_for 20 netdev_by_mac 52:54:00:b0:00:02
if0=$(netdev_by_mac 52:54:00:b0:00:01)
if1=$(netdev_by_mac 52:54:00:b0:00:02)
