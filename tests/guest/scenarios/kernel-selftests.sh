# The kernel's own NIC driver selftests against a VF: Linux 6.12's
# tools/testing/selftests/drivers/net ping.py, stats.py and queues.py (from
# Debian's linux-source-6.12, the version of the 6.12 guest kernel; guest
# image extra scripts/guest-extras/selftests.sh), run as on real hardware:
# NETIF is VF0 (virtio_net), the remote end is VF1 moved into a network
# namespace (REMOTE_TYPE=netns), IPv4 and IPv6. Every case's KTAP result
# becomes a check: "ok" passes, "not ok" fails, "ok ... # SKIP" and
# "# XFAIL" (the selftest's own verdict that the driver lacks the feature,
# e.g. virtio_net has no pause frames or FEC) are skips with the
# selftest's reason. A case listed in KNOWN_FAILURES (none today; each
# needs its cause shown and written up in docs/testing.md) would be
# reported as a skip saying "known failure", never as a pass.
# On 6.1 stats.py and queues.py cannot start (see ksft_needs_netdev_family).
# qemu: -device pcie-root-port,id=rp0,slot=1,chassis=1 -device @DEVICE@,id=pf0,bus=rp0,netdev=n0,total-vfs=2,queue-pairs=2 -netdev user,id=n0,restrict=on
# image: selftests
# timeout: 420

KSFT=/opt/linux/tools/testing/selftests/drivers/net
[ -f "$KSFT/ping.py" ] && [ -x /usr/bin/python3 ] ||
    abort "no kernel selftests in the guest image (# image: selftests, scripts/build-guest.sh)"
# "CASE=REASON" words: failures shown not to be the device's fault.
KNOWN_FAILURES=

enable_vfs 2
ip netns add remote
ip link set "$vf1" netns remote
ip -n remote link set lo up
ip addr add 192.0.2.1/24 dev "$vf0"
ip addr add 2001:db8::1/64 dev "$vf0" nodad
ip link set "$vf0" up
ip -n remote addr add 192.0.2.2/24 dev "$vf1"
ip -n remote addr add 2001:db8::2/64 dev "$vf1" nodad
ip -n remote link set "$vf1" up
# The selftests expect a configured, working link (README.rst, "HW mode"):
# both addresses answer, and neighbour entries exist both ways (ping.py
# allows one echo 0.5 s).
require "VF0 reaches VF1 in the remote namespace" wait_for 10 ping -c 1 -W 1 192.0.2.2
require "VF0 reaches VF1 over IPv6" wait_for 10 ping -6 -c 1 -W 1 2001:db8::2

# The selftests' configuration (drivers/net/README.rst, "Variables").
KSFT_ENV="NETIF=$vf0 LOCAL_V4=192.0.2.1 REMOTE_V4=192.0.2.2
          LOCAL_V6=2001:db8::1 REMOTE_V6=2001:db8::2
          REMOTE_TYPE=netns REMOTE_ARGS=remote"

# known_failure CASE: the documented reason if CASE is a known failure.
known_failure() {
    local k
    for k in $KNOWN_FAILURES; do
        case $k in "$1="*) echo "${k#*=}"; return 0 ;; esac
    done
    return 1
}

# ksft_case NAME OK DIRECTIVE DETAIL: one KTAP result as a check.
ksft_case() {
    local name=$1 ok=$2 dir=$3 detail=$4 why
    if [ "$ok" = 1 ]; then
        case $dir in
            "") pass "selftest $name" ;;
            SKIP*) skip "selftest $name" "the selftest skips it: ${dir#SKIP }" ;;
            XFAIL*) skip "selftest $name" "the selftest's expected failure (XFAIL): ${dir#XFAIL }" ;;
            *) fail "selftest $name" "unknown KTAP directive '# $dir'" ;;
        esac
    elif why=$(known_failure "$name"); then
        skip "selftest $name" "KNOWN FAILURE, not the device (docs/testing.md): $why; the selftest says: ${detail:-no detail}"
    else
        fail "selftest $name" "${detail:-not ok, no detail printed}"
    fi
}

# ksft_run TEST: run TEST.py with KSFT_ENV, show its output, and turn its
# KTAP lines into checks; the plan (1..N) must be met and the exit status
# must agree with the results.
ksft_run() {
    local t=$1 out=/tmp/$1.ktap rc t0 plan= n=0 nfail=0 line num name dir detail=
    t0=$(now_ms)
    # shellcheck disable=SC2086
    (cd "$KSFT" && env $KSFT_ENV timeout 300 python3 "./$t.py") > "$out" 2>&1
    rc=$?
    result "${t}_ms" $(($(now_ms) - t0))
    info "$t.py exited $rc:"
    sed 's/^/    | /' "$out"
    while IFS= read -r line; do
        case $line in
            1..*) plan=${line#1..} ;;
            "# Check failed"*|"# Exception| "[A-Za-z]*Error*|"# Exception| "*Exception:*|"# Exception| "*Failure:*)
                detail="${detail:+$detail / }${line#\# }" ;;
            "ok "*|"not ok "*)
                case $line in "not ok "*) ok=0; line=${line#not ok } ;; *) ok=1; line=${line#ok } ;; esac
                num=${line%% *}; line=${line#* }
                name=${line%% *}
                dir=
                case $line in *" # "*) dir=${line#* \# } ;; esac
                n=$((n + 1))
                [ $ok = 0 ] && nfail=$((nfail + 1))
                ksft_case "$name" "$ok" "$dir" "$(printf '%s' "$detail" | head -c 400)"
                detail= ;;
        esac
    done < "$out"
    if [ -z "$plan" ]; then
        fail "selftest $t.py runs" "no KTAP plan in its output (exit status $rc)"
    elif [ "$n" != "$plan" ]; then
        fail "selftest $t.py runs all its cases" "$n results for a plan of $plan (exit status $rc)"
    elif [ $nfail = 0 ] && [ $rc != 0 ]; then
        fail "selftest $t.py exit status" "$rc with every case ok"
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
        skip "selftest $1.py" "this kernel ($(uname -r)) has no 'netdev' generic netlink family, which $1.py opens before its first case"
    else
        fail "selftest $1.py" "opening the netdev netlink family failed: $(tail -n 1 /tmp/probe.out)"
    fi
    return 1
}

ksft_run ping
ksft_needs_netdev_family stats && ksft_run stats
ksft_needs_netdev_family queues && ksft_run queues
# The selftests leave the VFs as they found them.
check "VF0 still reaches VF1 after the selftests" ping -c 1 -W 2 192.0.2.2
finish
