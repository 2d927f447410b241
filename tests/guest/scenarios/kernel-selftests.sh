# The kernel's own NIC driver selftests against a VF, run as on real
# hardware: Linux 6.12's tools/testing/selftests/drivers/net ping.py,
# stats.py, queues.py and hw/csum.py (checksum offload: crafted good and
# bad checksums to the VF, checksum offload and RFC 768's zero checksum
# from it), from Debian's linux-source-6.12 (the version of the 6.12 guest
# kernel; guest image extra scripts/guest-extras/selftests.sh). NETIF is
# VF0 of pf0 (virtio_net); the remote end (REMOTE_TYPE=netns) is
#  - "switch": VF1 of pf0 in namespace "remote", reached through pf0's
#    embedded switch (every selftest);
#  - "wire": VF0 of pf1 in namespace "wire", reached over the uplinks:
#    pf0's and pf1's netdevs are two -netdev dgram sockets on loopback
#    sending to each other, a wire without offloads, so the device
#    completes checksums on the way out (hw/csum.py).
# Every case's KTAP result becomes a check named "selftest WHERE/CASE":
# "ok" passes, "not ok" fails, "ok ... # SKIP" and "# XFAIL" (the
# selftest's own verdict that the driver lacks the feature, e.g.
# virtio_net has no pause frames or FEC) are skips with the selftest's
# reason.
# On 6.1 stats.py and queues.py cannot start (see ksft_needs_netdev_family).
# qemu: -device pcie-root-port,id=rp0,slot=1,chassis=1 -device @DEVICE@,id=pf0,bus=rp0,netdev=n0,total-vfs=2,queue-pairs=2,mac=52:54:00:c0:00:01 -netdev dgram,id=n0,local.type=inet,local.host=127.0.0.1,local.port=@PORT1@,remote.type=inet,remote.host=127.0.0.1,remote.port=@PORT2@
# qemu: -device pcie-root-port,id=rp1,slot=2,chassis=2 -device @DEVICE@,id=pf1,bus=rp1,netdev=n1,total-vfs=1,mac=52:54:00:c1:00:01 -netdev dgram,id=n1,local.type=inet,local.host=127.0.0.1,local.port=@PORT2@,remote.type=inet,remote.host=127.0.0.1,remote.port=@PORT1@
# image: selftests
# timeout: 480

KSFT=/opt/linux/tools/testing/selftests/drivers/net
[ -f "$KSFT/ping.py" ] && [ -x /usr/bin/python3 ] ||
    abort "no kernel selftests in the guest image (# image: selftests, scripts/build-guest.sh)"

enable_vfs 2
# pf1 (the second PF) and its VF.
pf1=$(pci_pfs 1af4:1041 | grep -v "^$pf\$" | head -n1)
[ -n "$pf1" ] || abort "no second sriov-nic PF"
require "pf1 has a netdev" wait_for 20 virtio_netdev "$pf1"
require "echo 1 > pf1's sriov_numvfs" sh -c "echo 1 > $SYSPCI/$pf1/sriov_numvfs"
require "pf1's VF netdev" wait_for 30 snic_vf_netdevs_are "$pf1" 1
wvf=$(virtio_netdev "$(pci_vfs "$pf1" | head -n1)") || abort "pf1's VF has no netdev"
info "switch: $vf0 <-> $vf1 (netns remote); wire: $vf0 <-> $wvf (netns wire)"
ip link set "$pfif" up
ip link set "$(virtio_netdev "$pf1")" up

ip netns add remote
ip netns add wire
ip link set "$vf1" netns remote
ip link set "$wvf" netns wire
for ns in remote wire; do ip -n $ns link set lo up; done

# link_config: the addresses the selftests are configured with
# (README.rst, "HW mode": the device is up and has its addresses), set
# again before every selftest: stats.py's check_down takes VF0 down, and
# Linux removes IPv6 addresses on link down.
link_config() {
    ip addr replace 192.0.2.1/24 dev "$vf0"
    ip addr replace 2001:db8::1/64 dev "$vf0" nodad
    ip addr replace 198.51.100.1/24 dev "$vf0"
    ip addr replace 2001:db8:1::1/64 dev "$vf0" nodad
    ip link set "$vf0" up
    ip -n remote addr replace 192.0.2.2/24 dev "$vf1"
    ip -n remote addr replace 2001:db8::2/64 dev "$vf1" nodad
    ip -n remote link set "$vf1" up
    ip -n wire addr replace 198.51.100.2/24 dev "$wvf"
    ip -n wire addr replace 2001:db8:1::2/64 dev "$wvf" nodad
    ip -n wire link set "$wvf" up
    # Neighbour entries both ways (ping.py allows one echo 0.5 s).
    wait_for 10 ping -c 1 -W 1 192.0.2.2 &&
        wait_for 10 ping -6 -c 1 -W 1 2001:db8::2 &&
        wait_for 10 ping -c 1 -W 1 198.51.100.2 &&
        wait_for 10 ping -6 -c 1 -W 1 2001:db8:1::2
}
require "VF0 reaches VF1 (switch) and pf1's VF (wire), IPv4 and IPv6" link_config

# The selftests' configuration (drivers/net/README.rst, "Variables";
# REMOTE_IFNAME: see scripts/guest-extras/selftests.sh).
ENV_switch="NETIF=$vf0 LOCAL_V4=192.0.2.1 REMOTE_V4=192.0.2.2
            LOCAL_V6=2001:db8::1 REMOTE_V6=2001:db8::2
            REMOTE_TYPE=netns REMOTE_ARGS=remote REMOTE_IFNAME=$vf1"
ENV_wire="NETIF=$vf0 LOCAL_V4=198.51.100.1 REMOTE_V4=198.51.100.2
          LOCAL_V6=2001:db8:1::1 REMOTE_V6=2001:db8:1::2
          REMOTE_TYPE=netns REMOTE_ARGS=wire REMOTE_IFNAME=$wvf"

# ksft_case NAME OK DIRECTIVE DETAIL: one KTAP result as a check.
ksft_case() {
    local name=$1 ok=$2 dir=$3 detail=$4
    if [ "$ok" = 1 ]; then
        case $dir in
            "") pass "selftest $name" ;;
            SKIP*) skip "selftest $name" "the selftest skips it: ${dir#SKIP }" ;;
            XFAIL*) skip "selftest $name" "the selftest's expected failure (XFAIL): ${dir#XFAIL }" ;;
            *) fail "selftest $name" "unknown KTAP directive '# $dir'" ;;
        esac
    else
        fail "selftest $name" "${detail:-not ok, no detail printed}"
    fi
}

# ksft_csum_only_unlucky KTAP: hw/csum.py's *_invalid cases send random
# packets whose checksum field is the complement of the right one
# (csum.c, build_packet_udp/tcp: "check = ~check"). When the right field
# is 0x0000 (one packet in 65535), its complement 0xffff is the other
# one's-complement zero and the checksum is good: csum.c then counts the
# packet as "good csum, while bad expected" (its own recomputation gives
# verify=0x0) and, rightly, as validated by the kernel. True (0) when
# every failed case of KTAP is an *_invalid case that failed on exactly
# that one packet: csum field 0xffff, verify 0x0, bad_csums=1.
ksft_csum_only_unlucky() {
    awk '
        /^(not )?ok / {
            if ($1 == "not") {
                name = $4
                if (name !~ /_invalid$/ || index(block, "csum=0xffff verify=0x0\\n") == 0 ||
                    index(block, "bad_csums=1 ") == 0) real++
                else unlucky++
            }
            block = ""
            next
        }
        { block = block $0 }
        END { exit !(unlucky > 0 && real == 0) }' "$1"
}

# ksft_run WHERE TEST: run TEST.py with ENV_WHERE, show its output, and
# turn its KTAP lines into checks; the plan (1..N) must be met and the
# exit status must agree with the results.
ksft_run() {
    local where=$1 t=$2 env out rc t0 plan= n=0 nfail=0 line num name dir detail=
    eval "env=\$ENV_$where"
    out=/tmp/$where-${t##*/}.ktap
    link_config > /dev/null 2>&1 || fail "$where/$t.py: link configured" "a ping to the remote failed"
    t0=$(now_ms)
    # shellcheck disable=SC2086
    (cd "$KSFT" && env $env timeout 300 python3 "./$t.py") > "$out" 2>&1
    rc=$?
    result "${where}_${t##*/}_ms" $(($(now_ms) - t0))
    if [ "$t" = hw/csum ] && [ $rc != 0 ] && ksft_csum_only_unlucky "$out"; then
        info "$where: $t.py's only failures are random packets whose 'bad' checksum is a good one (see ksft_csum_only_unlucky); its output, then a second run:"
        sed 's/^/    | /' "$out" | cut -c 1-400
        result "${where}_csum_unlucky_reruns" 1
        # shellcheck disable=SC2086
        (cd "$KSFT" && env $env timeout 300 python3 "./$t.py") > "$out" 2>&1
        rc=$?
    fi
    info "$where: $t.py exited $rc:"
    # A long line (a failed command's STDERR, one line per packet) keeps
    # its start and its end, where the verdict is.
    awk 'length($0) > 1200 { $0 = substr($0, 1, 400) " [...] " substr($0, length($0) - 799) }
         { print "    | " $0 }' "$out"
    while IFS= read -r line; do
        case $line in
            1..*) plan=${line#1..} ;;
            "ok "*|"not ok "*)
                case $line in "not ok "*) ok=0; line=${line#not ok } ;; *) ok=1; line=${line#ok } ;; esac
                num=${line%% *}; line=${line#* }
                name=${line%% *}
                dir=
                case $line in *" # "*) dir=${line#* \# } ;; esac
                n=$((n + 1))
                [ $ok = 0 ] && nfail=$((nfail + 1))
                ksft_case "$where/$name" "$ok" "$dir" "$(printf '%s' "$detail" | head -c 400)"
                detail= ;;
            *)
                case $line in
                    "# Check failed"*|"# Exception| "[A-Za-z]*Error*|"# Exception| "*Exception:*|"# Exception| "*Failure:*)
                        detail="${detail:+$detail / }${line#\# }" ;;
                esac ;;
        esac
    done < "$out"
    if [ -z "$plan" ]; then
        fail "selftest $where/$t.py runs" "no KTAP plan in its output (exit status $rc)"
    elif [ "$n" != "$plan" ]; then
        fail "selftest $where/$t.py runs all its cases" "$n results for a plan of $plan (exit status $rc)"
    elif [ $nfail = 0 ] && [ $rc != 0 ]; then
        fail "selftest $where/$t.py exit status" "$rc with every case ok"
    fi
}

# ksft_needs_netdev_family TEST: stats.py and queues.py open the "netdev"
# generic netlink family when they start (Linux 6.3+; its qstats-get and
# queue-get, which they test, are 6.8+): on a kernel without the family
# they stop before their first case. There TEST is one skip (return 1);
# any other failure to open the family is a failure.
ksft_needs_netdev_family() {
    if (cd "$KSFT" && python3 -c 'import sys; sys.argv = ["probe"]
from lib.py import NetdevFamily
NetdevFamily()') > /tmp/probe.out 2>&1; then
        return 0
    fi
    tail -n 3 /tmp/probe.out | sed 's/^/    | /'
    if grep -q "Family 'netdev' not supported by the kernel" /tmp/probe.out; then
        skip "selftest switch/$1.py" "this kernel ($(uname -r)) has no 'netdev' generic netlink family, which $1.py opens before its first case"
    else
        fail "selftest switch/$1.py" "opening the netdev netlink family failed: $(tail -n 1 /tmp/probe.out)"
    fi
    return 1
}

ksft_run switch ping
ksft_needs_netdev_family stats && ksft_run switch stats
ksft_needs_netdev_family queues && ksft_run switch queues
ksft_run switch hw/csum
ksft_run wire hw/csum
# The selftests leave the VFs as they found them.
check "VF0 still reaches VF1 and pf1's VF after the selftests" link_config
finish
