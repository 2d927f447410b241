# Helpers for guest scenarios (busybox sh).  tests/guest/run-scenario puts
# this file, then the scenario's variables, in front of every scenario and a
# final `finish` after it; the whole thing reaches the guest through fw_cfg.
#
# Verdict protocol (one line each, parsed by run-scenario):
#   SNIC-PASS <name>              a check passed
#   SNIC-FAIL <name>: <reason>    a check failed (scenario goes on)
#   SNIC-SKIP <name>: <reason>    a check does not apply here
#   SNIC-RESULT <key>=<value>     a measurement
#   SNIC-DONE pass=N fail=M       the scenario ran to its end
# Lines go to the console and, when the runner attached one, to a second
# serial port that carries nothing else (fd 3, see tests/guest/initramfs/init).
# Names should not contain ':' (everything after the first ': ' is the reason).
#
# busybox sh runs its own applets before anything on PATH, and its `ip`/`tc`
# lack netns and most features: these functions force iproute2's programs.
# (`ip netns exec NS cmd` execs through PATH, where no busybox link exists
# for ip/tc/lspci, so the real programs are found there too.)
ip() { /usr/sbin/ip "$@"; }
tc() { /usr/sbin/tc "$@"; }
lspci() { /usr/bin/lspci "$@"; }

SNIC_NPASS=0
SNIC_NFAIL=0
SNIC_OUT=/tmp/snic-check.out

snic_emit() {
    echo "$*"
    if [ -n "${SNIC_VFD:-}" ]; then echo "$*" >&3; fi
}

# info MSG...: a plain progress line (console only).
info() { echo "## $*"; }

pass() { SNIC_NPASS=$((SNIC_NPASS + 1)); snic_emit "SNIC-PASS $1"; }
# fail NAME REASON...
fail() {
    local name=$1
    shift
    SNIC_NFAIL=$((SNIC_NFAIL + 1))
    snic_emit "SNIC-FAIL $name: $*"
}
skip() { local name=$1; shift; snic_emit "SNIC-SKIP $name: $*"; }
# result KEY VALUE
result() { snic_emit "SNIC-RESULT $1=$2"; }

# Show the tail of the last command's output, indented (console only).
snic_show_out() {
    [ -s "$SNIC_OUT" ] || return 0
    tail -n "${1:-15}" "$SNIC_OUT" | sed 's/^/    | /'
}

# check DESC CMD [ARGS...]: run CMD (output captured); PASS if it exits 0.
# Returns CMD's exit status.
check() {
    local desc=$1 rc
    shift
    "$@" > "$SNIC_OUT" 2>&1
    rc=$?
    if [ $rc -eq 0 ]; then
        pass "$desc"
    else
        fail "$desc" "'$*' exited $rc"
        snic_show_out
    fi
    return $rc
}

# check_fails DESC CMD [ARGS...]: PASS if CMD exits non-zero.
check_fails() {
    local desc=$1 rc
    shift
    "$@" > "$SNIC_OUT" 2>&1
    rc=$?
    if [ $rc -ne 0 ]; then
        pass "$desc"
        return 0
    fi
    fail "$desc" "'$*' succeeded but should have failed"
    snic_show_out
    return 1
}

# require DESC CMD...: like check, but a failure ends the scenario.
require() {
    check "$@" || abort "required step failed: $1"
}

# expect_eq DESC ACTUAL EXPECTED (string comparison)
expect_eq() {
    if [ "$2" = "$3" ]; then pass "$1"; return 0; fi
    fail "$1" "got '$2', expected '$3'"
    return 1
}
expect_ne() {
    if [ "$2" != "$3" ]; then pass "$1"; return 0; fi
    fail "$1" "got '$2', expected anything else"
    return 1
}
# snic_num X: print X as a decimal integer, or fail if X is not an integer
# (decimal, possibly with leading zeros, or 0x hex).  A bad operand inside
# $((...)) would end a non-interactive busybox sh, so check first.
snic_num() {
    local x=$1 neg=
    case $x in -*) neg=-; x=${x#-} ;; esac
    case $x in
        0[xX]*) case ${x#0[xX]} in ''|*[!0-9a-fA-F]*) return 1 ;; esac ;;
        ''|*[!0-9]*) return 1 ;;
        *) x=${x#"${x%%[!0]*}"}; x=${x:-0} ;;
    esac
    echo $((${neg}x))
}

# expect_num DESC A OP B: integer comparison, OP one of -eq -ne -lt -le -gt
# -ge; A and B may be hex (0x...). Uses 64-bit shell arithmetic.
expect_num() {
    local a b
    a=$(snic_num "$2") || { fail "$1" "'$2' is not a number"; return 1; }
    b=$(snic_num "$4") || { fail "$1" "'$4' is not a number"; return 1; }
    if test "$a" "$3" "$b"; then pass "$1"; return 0; fi
    fail "$1" "got $2, expected $3 $4"
    return 1
}
# expect_match DESC STRING ERE: PASS if STRING matches the extended regex.
expect_match() {
    if printf '%s\n' "$2" | grep -Eq -- "$3"; then pass "$1"; return 0; fi
    fail "$1" "'$(printf '%s' "$2" | head -c 200)' does not match /$3/"
    return 1
}

# wait_for TIMEOUT_S CMD...: poll CMD every 0.1 s until it succeeds.
wait_for() {
    local limit=$(($1 * 10)) n=0
    shift
    while ! "$@" > /dev/null 2>&1; do
        n=$((n + 1))
        [ $n -ge $limit ] && return 1
        sleep 0.1
    done
    return 0
}

# now_ms: monotonic milliseconds (ns clock from /proc/timer_list when
# available, else /proc/uptime's 10 ms resolution).
now_ms() {
    local ns
    ns=$(sed -n '/^now at /{s/^now at \([0-9]*\) nsecs.*/\1/p;q}' /proc/timer_list 2>/dev/null)
    if [ -n "$ns" ]; then
        echo $((ns / 1000000))
    else
        awk '{ printf "%d\n", $1 * 1000 }' /proc/uptime
    fi
}

# finish: print the summary line and end the scenario (exit 1 on failures,
# after dumping the kernel log tail to help debugging).
finish() {
    if [ $SNIC_NFAIL -ne 0 ]; then
        echo "## dmesg (last 40 lines):"
        dmesg | tail -n 40 | sed 's/^/    : /'
    fi
    snic_emit "SNIC-DONE pass=$SNIC_NPASS fail=$SNIC_NFAIL"
    [ $SNIC_NFAIL -eq 0 ]
    exit $?
}

# netdev_by_mac MAC: the name of the netdev with that address.
netdev_by_mac() {
    local n
    for n in /sys/class/net/*; do
        [ "$(cat "$n/address")" = "$1" ] && { echo "${n##*/}"; return 0; }
    done
    return 1
}

# peer_wait: the end of a peer VM's part ("# peer:" scenarios): it keeps
# serving until the runner stops it when the main guest is done.
peer_wait() {
    info "peer: serving until the main guest is done"
    while :; do sleep 60; done
}

# abort REASON: record a failure and end the scenario now.
abort() {
    fail abort "$*"
    finish
}

# ---- PCI helpers ------------------------------------------------------------
SYSPCI=/sys/bus/pci/devices

# pci_id BDF: "vvvv:dddd" (lower-case hex, no 0x)
pci_id() {
    echo "$(sed 's/^0x//' "$SYSPCI/$1/vendor"):$(sed 's/^0x//' "$SYSPCI/$1/device")"
}

# pci_find VVVV:DDDD: BDFs of all functions with that ID, one a line.
pci_find() {
    local d
    for d in "$SYSPCI"/*; do
        [ "$(pci_id "${d##*/}")" = "$1" ] && echo "${d##*/}"
    done
    return 0
}

# pci_pfs VVVV:DDDD: the SR-IOV PFs (functions with sriov_totalvfs) among them.
pci_pfs() {
    local d
    for d in $(pci_find "$1"); do
        [ -e "$SYSPCI/$d/sriov_totalvfs" ] && echo "$d"
    done
    return 0
}

# pci_driver BDF: the bound driver's name, or "none".
pci_driver() {
    if [ -e "$SYSPCI/$1/driver" ]; then
        basename "$(readlink "$SYSPCI/$1/driver")"
    else
        echo none
    fi
}

# pci_vfs PF: BDFs of the PF's VFs (virtfnN links, in N order).
pci_vfs() {
    local n=0
    while [ -e "$SYSPCI/$1/virtfn$n" ]; do
        basename "$(readlink "$SYSPCI/$1/virtfn$n")"
        n=$((n + 1))
    done
}

# pci_unbind BDF: detach the bound driver, if any.
pci_unbind() {
    [ -e "$SYSPCI/$1/driver" ] || return 0
    echo "$1" > "$SYSPCI/$1/driver/unbind"
}

# pci_bind BDF DRIVER: bind via driver_override (affects this function only).
pci_bind() {
    local bdf=$1 drv=$2
    [ "$(pci_driver "$bdf")" = "$drv" ] && return 0
    pci_unbind "$bdf" || return 1
    [ -d "/sys/bus/pci/drivers/$drv" ] || modprobe "$drv" || return 1
    echo "$drv" > "$SYSPCI/$bdf/driver_override" || return 1
    echo "$bdf" > "/sys/bus/pci/drivers/$drv/bind" 2>/dev/null ||
        echo "$bdf" > /sys/bus/pci/drivers_probe
    [ "$(pci_driver "$bdf")" = "$drv" ]
}

# sriov_set PF N: write sriov_numvfs (use N=0 to disable).
sriov_set() {
    echo "$2" > "$SYSPCI/$1/sriov_numvfs"
}

# pci_bar BDF N: "start end flags" of resource N (hex, from sysfs).
pci_bar() {
    sed -n "$(($2 + 1))p" "$SYSPCI/$1/resource"
}

# IORESOURCE_* flag bits (include/linux/ioport.h)
IORESOURCE_MEM=0x00000200
IORESOURCE_PREFETCH=0x00002000
IORESOURCE_MEM_64=0x00100000

# pci_parent BDF: the upstream bridge's BDF (empty on a root bus).
pci_parent() {
    local up
    up=$(basename "$(dirname "$(readlink -f "$SYSPCI/$1")")")
    case $up in *:*:*.*) echo "$up" ;; esac
}

# pf_to_stub PF: drive the PF with pci-pf-stub (a driver that does nothing
# but offer sriov_configure, so VFs can be enabled whatever the state of the
# PF's own function), and keep new VFs unbound (sriov_drivers_autoprobe=0).
pf_to_stub() {
    pci_bind "$1" pci-pf-stub || return 1
    echo 0 > "$SYSPCI/$1/sriov_drivers_autoprobe"
}

# ---- the sriov-nic PF and its VFs with stock virtio_net ---------------------
# virtio_netdev BDF: the netdev of the virtio device under PCI function BDF
# (fails when there is none yet).
virtio_netdev() {
    local d
    for d in "$SYSPCI/$1"/virtio*/net/*; do
        [ -e "$d" ] && { echo "${d##*/}"; return 0; }
    done
    return 1
}

# snic_vf_netdevs_are PF N: exactly N VFs of PF have a virtio_net netdev.
snic_vf_netdevs_are() {
    [ "$(ls -d "$SYSPCI/$1"/virtfn*/virtio*/net/* 2>/dev/null | wc -l)" -eq "$2" ]
}

# collect_vf_netdevs PF FN: the end of enable_vfs and ixgbe_enable_vfs,
# FN BDF printing a function's netdev (virtio_netdev, pci_netdev). Sets vfs
# (the PF's VF BDFs, in virtfn order, space-separated), vfifs (their
# netdevs, same order) and vf0 vf1 ... (each VF's netdev); a VF without a
# netdev aborts the scenario.
collect_vf_netdevs() {
    local fn=$2 bdf name i=0
    vfs=$(pci_vfs "$1" | tr '\n' ' ')
    vfs=${vfs% }
    vfifs=
    for bdf in $vfs; do
        name=$($fn "$bdf") || abort "VF $bdf (virtfn$i) has no netdev"
        vfifs="$vfifs${vfifs:+ }$name"
        eval "vf$i=\$name"
        i=$((i + 1))
    done
    info "VFs: $vfifs"
}

# enable_vfs N: the preamble of every traffic scenario.  Loads virtio_net,
# finds the sriov-nic PF (1af4:1041 with SR-IOV), waits for its netdev,
# writes N to sriov_numvfs through the netdev (the README's
# /sys/class/net/<pf>/device/../sriov_numvfs) and waits until all N VFs have
# netdevs.  Any failure aborts the scenario.  Sets:
#   pf      the PF's BDF               pfif    the PF's netdev
#   vfs     the VFs' BDFs, in virtfn order (space-separated)
#   vfifs   their netdevs, same order  vf0 vf1 ... each VF's netdev
enable_vfs() {
    local n=$1
    modprobe virtio_net
    pf=$(pci_pfs 1af4:1041 | head -n1)
    [ -n "$pf" ] || abort "no sriov-nic PF found"
    require "PF has a netdev" wait_for 20 virtio_netdev "$pf"
    pfif=$(virtio_netdev "$pf")
    info "PF $pf is $pfif; enabling $n VFs"
    require "echo $n > sriov_numvfs" sh -c "echo $n > /sys/class/net/$pfif/device/../sriov_numvfs"
    require "$n VF netdevs" wait_for 30 snic_vf_netdevs_are "$pf" "$n"
    collect_vf_netdevs "$pf" virtio_netdev
}

# ---- the sriov-nic PF and its VFs with stock ixgbe/ixgbevf (personality=ixgbe)
# pci_netdev BDF: the netdev of PCI function BDF (<bdf>/net/, as on
# hardware; fails when there is none yet).
pci_netdev() { ls "$SYSPCI/$1/net" 2>/dev/null | head -n1 | grep .; }

# ixgbe_vf_netdevs_are PF N: exactly N VFs of PF bound to ixgbevf with a
# netdev at <vf>/net/ and the PF's at <vf>/physfn/net/.
ixgbe_vf_netdevs_are() {
    local n=0 v pfif
    pfif=$(pci_netdev "$1")
    for v in $(pci_vfs "$1"); do
        [ "$(pci_driver "$v")" = ixgbevf ] && pci_netdev "$v" >/dev/null &&
            [ -e "$SYSPCI/$v/physfn/net/$pfif" ] && n=$((n + 1))
    done
    [ "$n" -eq "$2" ]
}

# ixgbe_enable_vfs N: as enable_vfs, for personality=ixgbe: loads ixgbe and
# ixgbevf (no udev in the guest), finds the 8086:10f7 PF, brings its netdev
# up (ixgbevf waits for the PF's link), writes N to
# /sys/class/net/<pf>/device/sriov_numvfs and waits for N VF netdevs. Sets
# pf, pfif, vfs, vfifs and vf0 vf1 ... like enable_vfs.
ixgbe_enable_vfs() {
    local n=$1
    modprobe ixgbe
    modprobe ixgbevf
    pf=$(pci_pfs 8086:10f7 | head -n1)
    [ -n "$pf" ] || abort "no 8086:10f7 PF found"
    require "PF has a netdev" wait_for 20 pci_netdev "$pf"
    pfif=$(pci_netdev "$pf")
    ip link set "$pfif" up
    info "PF $pf is $pfif; enabling $n VFs"
    require "echo $n > sriov_numvfs" sh -c "echo $n > /sys/class/net/$pfif/device/sriov_numvfs"
    require "$n ixgbevf netdevs" wait_for 120 ixgbe_vf_netdevs_are "$pf" "$n"
    collect_vf_netdevs "$pf" pci_netdev
}

# ---- host control (scenarios with "# host-control: yes") ---------------------
# host_ctl ARGS...: run `scripts/sriov-nic-ctl --qmp SOCK ARGS` on the host
# (e.g. `host_ctl pf0 vf 0 spoofchk off`, `host_ctl pf0 show vf 0`), print its
# output, return its exit status. The request and the reply travel on ttyS2,
# a socket the runner serves (tests/guest/run-scenario).
SNIC_CTL_ID=0
host_ctl() {
    local tag id rest
    if [ -z "${SNIC_CTL_OPEN:-}" ]; then
        [ -c /dev/ttyS2 ] || { echo "host_ctl: no /dev/ttyS2" >&2; return 125; }
        stty -F /dev/ttyS2 raw -echo 2>/dev/null
        exec 5<>/dev/ttyS2
        SNIC_CTL_OPEN=1
    fi
    SNIC_CTL_ID=$((SNIC_CTL_ID + 1))
    echo "CTL $SNIC_CTL_ID $*" >&5
    while read -r -t "${SNIC_CTL_WAIT:-60}" tag id rest <&5; do
        [ "$id" = "$SNIC_CTL_ID" ] || continue
        case $tag in
            OUT) printf '%s\n' "$rest" ;;
            END) return "$rest" ;;
        esac
    done
    echo "host_ctl: no answer from the host" >&2
    return 124
}

# host_migrate [unix|file] [corrupt-ring] [NAME=VALUE...]: migrate this VM
# to a new QEMU on the host while the scenario runs (tests/guest/migrate.py):
# the call returns when the guest runs on the destination (status 0) or the
# migration failed and it still runs on the source (status 1).  Prints the
# host's key=value lines: status, total_ms, downtime_ms, error, dest_error...
# NAME=VALUE changes a scenario variable on the destination's command line.
host_migrate() {
    local rc
    SNIC_CTL_WAIT=600
    host_ctl @migrate "$@"
    rc=$?
    SNIC_CTL_WAIT=60
    return $rc
}

# mig_value KEY FILE: the value of KEY= in host_migrate's saved output.
mig_value() { sed -n "s/^$1=//p" "$2" | head -n1; }

# migrate_ok NAME [ARGS...]: host_migrate ARGS (its output in $SNIC_MIG);
# PASS when the guest runs on the destination; records NAME_total_ms and
# NAME_downtime_ms.
SNIC_MIG=/tmp/mig.out
migrate_ok() {
    local name=$1 rc
    shift
    host_migrate "$@" > $SNIC_MIG 2>&1
    rc=$?
    sed 's/^/    | /' $SNIC_MIG
    if [ $rc -ne 0 ]; then
        fail "$name: the migration completes" "host_migrate exited $rc: $(grep -E '^(error|dest_error)=' $SNIC_MIG | head -n 3 | tr '\n' ' ')"
        return 1
    fi
    pass "$name: the migration completes"
    result "${name}_total_ms" "$(mig_value total_ms $SNIC_MIG)"
    result "${name}_downtime_ms" "$(mig_value downtime_ms $SNIC_MIG)"
    return 0
}

# ---- iperf3 and ping output ---------------------------------------------------
# iperf_mbit FILE: the receiver's average Mbit/s of an `iperf3 -c -f m` run.
iperf_mbit() {
    sed -n 's/.* \([0-9.]*\) Mbits\/sec.*receiver.*/\1/p' "$1" | tail -n1
}
# iperf_ns NAME CLIENT_NS SERVER_NS|root ADDR [IPERF3 CLIENT ARGS...]: one
# iperf3 -s -1 in SERVER_NS (on -p PORT if the args name one), the client in
# CLIENT_NS for $SECONDS_IPERF s; shows the summary, passes or fails
# "iperf3 NAME" and records NAME_mbit.
iperf_ns() {
    local name=$1 cns=$2 sns=$3 addr=$4 out=/tmp/iperf.$1 rc mbit port=5201 a prev=
    shift 4
    for a in "$@"; do
        [ "$prev" = -p ] && port=$a
        prev=$a
    done
    if [ "$sns" = root ]; then
        iperf3 -s -D -1 -p "$port" >/dev/null 2>&1
    else
        ip netns exec "$sns" iperf3 -s -D -1 -p "$port" >/dev/null 2>&1
    fi
    sleep 1
    # (-t "" would be -t 0: forever)
    ip netns exec "$cns" iperf3 -c "$addr" -t "${SECONDS_IPERF:-3}" -f m "$@" > "$out" 2>&1
    rc=$?
    sed 's/^/    | /' "$out" | tail -4
    mbit=$(iperf_mbit "$out")
    if [ $rc -eq 0 ] && [ -n "$mbit" ]; then
        pass "iperf3 $name"
        result "${name}_mbit" "$mbit"
    else
        fail "iperf3 $name" "iperf3 exited $rc"
    fi
}
# iperf_lowest FILE N: the slowest of the first N 1-second intervals
# (`iperf3 -i 1 -f m`).
iperf_lowest() {
    sed -n 's/^\[ *[0-9]*\] *[0-9.]*-[0-9.]* *sec .* \([0-9.]*\) Mbits\/sec .*/\1/p' "$1" |
        head -n "$2" | sort -n | head -n1
}
# ping_lost_ms FILE INTERVAL_MS: (transmitted - received) x interval, from
# busybox ping's summary.
ping_lost_ms() {
    local tx rx
    tx=$(sed -n 's/^\([0-9]*\) packets transmitted.*/\1/p' "$1")
    rx=$(sed -n 's/.* \([0-9]*\) packets received.*/\1/p' "$1")
    echo $(( (${tx:-0} - ${rx:-0}) * $2 ))
}

# host_stat VF FIELD: one counter of VF's stats, e.g. host_stat 0 drop-tx-spoof
host_stat() {
    host_ctl pf0 stats vf "$1" | sed -n "s/^$2 //p"
}
