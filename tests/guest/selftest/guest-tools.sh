#!/bin/sh
# Self-test of the guest image and lib.sh (no device under test needed):
# the real iproute2/lspci/ethtool/iperf3 are used, modules load, netns work.
# qemu: -netdev user,id=n0,restrict=on -device virtio-net-pci,netdev=n0,romfile=
# var: GREETING=hello world

expect_eq "variables reach the guest" "$GREETING" "hello world"
expect_match "kernel matches the tag" "$(uname -r)" "^$KERNEL\."
expect_match "ip is iproute2's" "$(ip -V 2>&1)" "iproute2"
# busybox applets that exec commands (env, xargs, sh -c, timeout...) run
# their own `ip` applet: this documents why scenarios use /usr/sbin/ip there.
expect_match "busybox env runs its ip applet" "$(env ip -V 2>&1)" "BusyBox"
expect_match "lspci is pciutils'" "$(lspci --version 2>&1)" "lspci version"
expect_match "lspci names devices (pci.ids)" "$(lspci -s 00:00.0)" "Intel Corporation"
expect_match "ethtool runs" "$(ethtool --version)" "ethtool version"
expect_match "coldplug bound virtio-net" "$(lspci -k -d 1af4:1000)" "in use: virtio-pci"
check "modprobe virtio_net (with deps)" modprobe virtio_net
check "modprobe pci-pf-stub" modprobe pci-pf-stub
check "modprobe igbvf" modprobe igbvf
check "modprobe veth" modprobe veth
expect_match "failover loaded as dependency" "$(cat /proc/modules)" "^net_failover "
check "virtio-net NIC probed" wait_for 10 sh -c 'ls /sys/class/net | grep -v lo | grep -q .'
check "ip netns add" ip netns add a
check "ip netns add b" ip netns add b
check "veth pair" ip link add va type veth peer name vb
check "move veth ends" sh -c '/usr/sbin/ip link set va netns a && /usr/sbin/ip link set vb netns b'
check "configure a" ip -n a addr add 10.99.0.1/24 dev va
check "configure b" ip -n b addr add 10.99.0.2/24 dev vb
check "up a" ip -n a link set va up
check "up b" ip -n b link set vb up
expect_match "ip netns exec runs iproute2" "$(ip netns exec a ip -V 2>&1)" "iproute2"
check "ping across netns" ip netns exec a ping -c 2 -W 2 10.99.0.2
ip netns exec b iperf3 -s -1 -D -B 10.99.0.2 > /dev/null 2>&1
sleep 0.5
if check "iperf3 across netns" ip netns exec a iperf3 -c 10.99.0.2 -t 1 -f m; then
    result veth_mbps "$(awk '/receiver/ { print $(NF-2) }' "$SNIC_OUT")"
fi
t0=$(now_ms); sleep 0.2; t1=$(now_ms)
expect_num "now_ms measures sleep 0.2" $((t1 - t0)) -ge 150
skip "skip lines work" "just a demo"
