# Soak benchmark (scripts/soak.sh runs it N times on each kernel): VF -> VF
# iperf3 TCP through the embedded switch in each of $MODES, one after the
# other in one boot:
#   single   one stream, netns a (VF0) -> netns b (VF1)
#   p4       iperf3 -P 4, a -> b
#   bidir    iperf3 --bidir: one stream each way at once
# For each mode it reports (SNIC-RESULT soak_<mode>_<key>=...): mbit (for
# bidir the sum of both directions, and fwd_mbit/rev_mbit), retr (TCP
# retransmits of the senders), watchdog (new "NETDEV WATCHDOG" / "TX timeout"
# lines in dmesg), and per VF the device's drop counters as sriov-nic-ctl
# stats shows them over the host-control channel (vf0_rx_drop, vf0_tx_drop,
# vf1_..., vfN_drops: the non-zero drop-* counters).  Checks: iperf3 ran,
# and no watchdog fired.
# qemu: -device pcie-root-port,id=rp0,slot=1,chassis=1 -device @DEVICE@,id=pf0,bus=rp0,netdev=n0,total-vfs=4 -netdev user,id=n0,restrict=on
# host-control: yes
# exclusive: yes
# var: SECONDS_IPERF=10
# var: MODES=single p4 bidir
# timeout: 600

enable_vfs 2
require "host control channel works" host_ctl pf0 stats vf 0

ip netns add a; ip netns add b
ip link set "$vf0" netns a; ip link set "$vf1" netns b
ip -n a addr add 169.254.10.1/24 dev "$vf0"; ip -n a link set "$vf0" up; ip -n a link set lo up
ip -n b addr add 169.254.10.2/24 dev "$vf1"; ip -n b link set "$vf1" up; ip -n b link set lo up
require "VF0 pings VF1" wait_for 20 ip netns exec a ping -c 1 -W 1 169.254.10.2
ip netns exec b iperf3 -s -D > /dev/null 2>&1 || abort "iperf3 server did not start"
sleep 1

# watchdog_lines: how many TX watchdog messages the kernel has logged so far.
watchdog_lines() { dmesg | grep -cE 'NETDEV WATCHDOG|TX timeout'; }

# vf_stats VF FILE: sriov-nic-ctl's "counter value" lines for VF into FILE.
vf_stats() { host_ctl pf0 stats vf "$1" > "$2" 2>&1; }

# drops BEFORE AFTER: "rx tx detail" deltas. rx/tx are rx-dropped and
# tx-dropped (else the sums of drop-rx-*/drop-tx-*); detail lists the
# drop-* counters that grew, as name:delta,...
drops() {
    awk 'FNR == NR { before[$1] = $2; next }
         { d = $2 - before[$1]; delta[$1] = d; seen[$1] = 1
           if ($1 ~ /^drop-rx-/) srx += d; if ($1 ~ /^drop-tx-/) stx += d
           if ($1 ~ /^drop-/ && d != 0) detail = detail (detail ? "," : "") $1 ":" d }
         END { rx = ("rx-dropped" in seen) ? delta["rx-dropped"] : srx
               tx = ("tx-dropped" in seen) ? delta["tx-dropped"] : stx
               printf "%d %d %s\n", rx, tx, (detail ? detail : "-") }' "$1" "$2"
}

# iperf_sum JSON SECTION FIELD: FIELD of iperf3's flat summary object SECTION
# ("sum_sent", "sum_received", "sum_..._bidir_reverse") in compacted JSON.
iperf_sum() {
    printf '%s' "$1" | sed -n "s/.*\"$2\":{\([^}]*\)}.*/\1/p" | tr ',' '\n' |
        sed -n "s/^\"$3\":\(.*\)$/\1/p" | head -n 1
}
mbit() { [ -n "$1" ] && awk -v b="$1" 'BEGIN { printf "%.1f\n", b / 1e6 }'; }

for mode in $MODES; do
    case $mode in
        single) opts= ;;
        p4) opts="-P 4" ;;
        bidir) opts=--bidir ;;
        *) fail "mode $mode" "unknown mode (single, p4, bidir)"; continue ;;
    esac
    total='' fwd='' rev='' retr='' rretr=''
    w0=$(watchdog_lines)
    vf_stats 0 /tmp/vf0.before; vf_stats 1 /tmp/vf1.before
    info "iperf3 $mode: -c 169.254.10.2 -t $SECONDS_IPERF $opts"
    # shellcheck disable=SC2086
    ip netns exec a timeout $((SECONDS_IPERF + 60)) \
        iperf3 -c 169.254.10.2 -t "$SECONDS_IPERF" $opts -i 0 -J > /tmp/iperf.json 2>&1
    rc=$?
    vf_stats 0 /tmp/vf0.after; vf_stats 1 /tmp/vf1.after
    w1=$(watchdog_lines)
    j=$(tr -d ' \t\r\n' < /tmp/iperf.json)
    fwd=$(mbit "$(iperf_sum "$j" sum_received bits_per_second)")
    retr=$(iperf_sum "$j" sum_sent retransmits)
    if [ "$mode" = bidir ]; then
        rev=$(mbit "$(iperf_sum "$j" sum_received_bidir_reverse bits_per_second)")
        rretr=$(iperf_sum "$j" sum_sent_bidir_reverse retransmits)
        [ -n "$fwd" ] && [ -n "$rev" ] && total=$(awk -v a="$fwd" -v b="$rev" 'BEGIN { printf "%.1f\n", a + b }')
        result "soak_${mode}_fwd_mbit" "${fwd:-none}"
        result "soak_${mode}_rev_mbit" "${rev:-none}"
        [ -n "$retr" ] && [ -n "$rretr" ] && retr=$((retr + rretr))
    else
        total=$fwd
    fi
    if [ $rc -eq 0 ] && [ -n "$total" ]; then
        pass "iperf3 $mode VF0 -> VF1"
        result "soak_${mode}_mbit" "$total"
    else
        err=$(sed -n 's/.*"error":[[:space:]]*"\([^"]*\)".*/\1/p' /tmp/iperf.json | head -n 1)
        fail "iperf3 $mode VF0 -> VF1" "iperf3 exited $rc${err:+: $err}"
        result "soak_${mode}_mbit" none
        tail -n 5 /tmp/iperf.json | sed 's/^/    | /'
    fi
    result "soak_${mode}_retr" "${retr:-none}"
    result "soak_${mode}_watchdog" $((w1 - w0))
    expect_num "$mode: no NETDEV WATCHDOG / TX timeout" $((w1 - w0)) -eq 0
    for n in 0 1; do
        set -- $(drops /tmp/vf$n.before /tmp/vf$n.after)
        result "soak_${mode}_vf${n}_rx_drop" "${1:-none}"
        result "soak_${mode}_vf${n}_tx_drop" "${2:-none}"
        result "soak_${mode}_vf${n}_drops" "${3:--}"
    done
done
if [ "$(watchdog_lines)" -gt 0 ]; then
    dmesg | grep -E -A3 'NETDEV WATCHDOG|TX timeout' | head -n 20 | sed 's/^/    : /'
fi
