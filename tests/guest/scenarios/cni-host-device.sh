# A real client: the CNI host-device plugin (Debian's containernetworking-
# plugins, the binary a container runtime such as containerd runs), invoked
# as the runtime does: CNI_* environment, the network config on stdin, the
# result JSON on stdout. ADD moves a VF into a container network namespace
# under the name the runtime asks for, where it keeps working (ping to a
# sibling VF in another namespace); DEL brings it back under its own name.
# Once by PCI address (pciBusID, what the SR-IOV device plugin hands out)
# and once by interface name (device).
# qemu: -device pcie-root-port,id=rp0,slot=1,chassis=1 -device @DEVICE@,id=pf0,bus=rp0,netdev=n0,total-vfs=2 -netdev user,id=n0,restrict=on
# timeout: 300

PLUGIN=/usr/lib/cni/host-device
[ -x "$PLUGIN" ] || abort "no $PLUGIN in the guest image (scripts/build-guest.sh)"
enable_vfs 2
bdf0=${vfs%% *}

ip netns add ctr
ip netns add peer
NETNS=/var/run/netns/ctr
[ -e "$NETNS" ] || NETNS=/run/netns/ctr
ip link set "$vf1" netns peer
ip -n peer addr add 169.254.30.2/24 dev "$vf1"
ip -n peer link set "$vf1" up

# cni COMMAND IFNAME CONFIG: the plugin as a runtime runs it; its output in
# /tmp/cni.out, its exit status returned.
cni() {
    printf '%s' "$3" | CNI_COMMAND=$1 CNI_CONTAINERID=ctr1 CNI_NETNS=$NETNS \
        CNI_IFNAME=$2 CNI_PATH=/usr/lib/cni "$PLUGIN" > /tmp/cni.out 2>&1
    local rc=$?
    { cat /tmp/cni.out; echo; } | sed 's/^/    | /' | head -12
    return $rc
}

# round NAME IFNAME CONFIG: ADD, traffic in the container, DEL.
round() {
    local name=$1 ifn=$2 conf=$3 addr=169.254.30.1
    if cni ADD "$ifn" "$conf"; then
        pass "CNI ADD by $name"
    else
        fail "CNI ADD by $name" "the plugin exited non-zero"
        return
    fi
    expect_match "ADD result names $ifn in the container" "$(cat /tmp/cni.out)" "\"name\": *\"$ifn\""
    check "$ifn is in the container namespace" ip -n ctr link show "$ifn"
    check_fails "VF0 ($vf0) has left the root namespace" ip link show "$vf0"
    ip -n ctr addr add "$addr/24" dev "$ifn"
    ip -n ctr link set "$ifn" up
    check "the VF as $ifn in the container pings VF1" \
        ip netns exec ctr ping -c 3 -W 2 169.254.30.2
    if cni DEL "$ifn" "$conf"; then
        pass "CNI DEL by $name"
    else
        fail "CNI DEL by $name" "the plugin exited non-zero"
    fi
    check_fails "$ifn has left the container" ip -n ctr link show "$ifn"
    check "VF0 is back in the root namespace as $vf0" wait_for 10 ip link show "$vf0"
    expect_eq "VF0 is still the VF at $bdf0" \
        "$(basename "$(readlink -f "/sys/class/net/$vf0/device/..")")" "$bdf0"
}

round "PCI address ($bdf0)" net1 \
    "{\"cniVersion\":\"1.0.0\",\"name\":\"sriov-vf\",\"type\":\"host-device\",\"pciBusID\":\"$bdf0\"}"
round "interface name ($vf0)" eth9 \
    "{\"cniVersion\":\"1.0.0\",\"name\":\"sriov-vf\",\"type\":\"host-device\",\"device\":\"$vf0\"}"
# The VF still works where it started.
ip addr add 169.254.30.3/24 dev "$vf0"
ip link set "$vf0" up
check "VF0 in the root namespace pings VF1 after both rounds" ping -c 2 -W 2 169.254.30.2
finish
