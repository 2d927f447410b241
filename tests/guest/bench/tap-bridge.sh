# Benchmark configuration "tap-bridge": two virtio-net-pci NICs on tap
# devices joined by a Linux bridge in a network namespace that
# scripts/benchmark.py creates (QEMU runs in it). vnet_hdr is on, so CSUM
# and TSO reach the host kernel: QEMU's fastest virtio path without vhost.
# host-netns: bridge
# Runs with tests/guest/bench/iperf-pair.sh appended (scripts/benchmark.py).
# qemu: -netdev tap,id=t0,ifname=snicb0,script=no,downscript=no,vhost=off -device virtio-net-pci,netdev=t0,mac=52:54:00:b0:00:01,romfile= -netdev tap,id=t1,ifname=snicb1,script=no,downscript=no,vhost=off -device virtio-net-pci,netdev=t1,mac=52:54:00:b0:00:02,romfile=
# var: SECONDS_IPERF=10
# timeout: 300

modprobe virtio_pci
modprobe virtio_net
require "NIC 1 has a netdev" wait_for 20 netdev_by_mac 52:54:00:b0:00:01
require "NIC 2 has a netdev" wait_for 20 netdev_by_mac 52:54:00:b0:00:02
if0=$(netdev_by_mac 52:54:00:b0:00:01)
if1=$(netdev_by_mac 52:54:00:b0:00:02)
