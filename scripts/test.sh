#!/bin/bash
# The whole sriov-nic test suite, from a fresh Debian bookworm machine (root):
#   scripts/test.sh
# Installs missing dependencies, builds the core's unit tests (plain and with
# ASan + UBSan) and QEMU with the device, builds the guest images, then runs
# unit tests, the fuzz smoke test (when tests/fuzz/run-smoke.sh exists),
# host-side QEMU CLI tests, QEMU-level register tests (tests/qtest), guest
# tests (both kernels) and the libvirt test (tests/libvirt/run: the device
# in a libvirt-managed VM under a private libvirtd, both kernels). Ends with
# "N passed, M failed"; the exit status is 0 only when M is 0.
#   SNIC_KERNELS="6.1 6.12"   guest kernels to test (default both)
#   SNIC_SCENARIOS="a b"      only these guest scenarios (default all)
#   SNIC_JOBS=N               guest runs at a time (run-all -j, default 2)
#   SNIC_NO_ASAN=1            skip the sanitizer build (quicker local runs)
set -uo pipefail
. "$(dirname "$0")/lib.sh"
cd "$SNIC_ROOT"
mkdir -p build

passed=0
failed=0
failures=()
count() {  # name passed failed
    passed=$((passed + $2))
    failed=$((failed + $3))
    [ "$3" -eq 0 ] || failures+=("$1: $3 failed")
    step "$1: $2 passed, $3 failed"
}

# show_build_errors LOG: the compiler's and meson's complaints, from the
# first failed ninja edge on (or the log's end when ninja never ran).
show_build_errors() {
    if grep -q '^FAILED: ' "$1"; then
        sed -n '/^FAILED: /,$p' "$1" | head -150 >&2
    else
        tail -60 "$1" >&2
    fi
    echo "(full log: $1)" >&2
}

# unit_stage NAME BUILDDIR [meson setup options...]: build the standalone core
# and its unit tests in BUILDDIR, run them with `meson test` and count the
# cases from meson's logs (scripts/meson_counts.py). A build failure shows
# the errors and counts as one failure; later stages still run.
unit_stage() {
    local name=$1 dir=$2 log
    shift 2
    log=$dir.build.log
    mkdir -p "$(dirname "$dir")"
    if [ ! -f "$dir/build.ninja" ]; then
        rm -rf "$dir"
        meson setup "$dir" "$@" > "$log" 2>&1
    elif [ $# -gt 0 ]; then
        meson configure "$dir" "$@" > "$log" 2>&1  # no-op when unchanged
    else
        : > "$log"
    fi
    if [ $? -ne 0 ]; then
        show_build_errors "$log"
        count "$name (meson setup failed)" 0 1
        return
    fi
    if ! ninja -C "$dir" >> "$log" 2>&1; then
        show_build_errors "$log"
        count "$name (build failed)" 0 1
        return
    fi
    # meson test prints one line per test binary and a summary; the counts
    # come from its JUnit/JSON logs, one per GoogleTest case.
    meson test -C "$dir" --no-rebuild --num-processes "$(nproc)" 2>&1 |
        grep -vE '^(ninja: |$|(Ok|Expected Fail|Fail|Unexpected Pass|Skipped|Timeout): +[0-9]+ *$|Full log written)' |
        sed 's/^/    /'
    local counts p f
    counts=$(python3 scripts/meson_counts.py "$dir")
    sed '$d' <<< "$counts"
    read -r p f <<< "$(tail -n1 <<< "$counts")"
    case "$p $f" in *[!0-9\ ]*|" "*|*" ") p=0 f=1 ;; esac
    [ "$f" -eq 0 ] || echo "    (meson's log: $dir/meson-logs/testlog.txt)"
    count "$name" "$p" "$f"
}

bash scripts/install-deps.sh || die "installing dependencies failed"

step "unit tests (GoogleTest, standalone core build: build/unit)"
unit_stage "unit tests" build/unit

if [ -z "${SNIC_NO_ASAN:-}" ]; then
    step "unit tests with ASan + UBSan (build/unit-asan)"
    # Any report fails the run: UBSan and ASan stop at the first error, LSan
    # fails the exit status, and meson_counts.py also counts a report in a
    # test that passed anyway.
    # -O0: the sanitizers check every access the source makes (nothing is
    # optimised away), and GCC 12 compiles the instrumented tests about 4x
    # faster than at -O2 (3 min instead of 12+ on two cores), which keeps
    # the suite within its time on a fresh machine.
    ASAN_OPTIONS=detect_leaks=1:halt_on_error=1:abort_on_error=1:print_summary=1 \
    UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:print_summary=1 \
        unit_stage "unit tests (ASan+UBSan)" build/unit-asan \
        -Db_sanitize=address,undefined -Db_lundef=false -Doptimization=0
fi

# ---- fuzz smoke test: hook for tests/fuzz/ ----------------------------------
# When tests/fuzz/run-smoke.sh exists it runs here, after the unit tests and
# before QEMU is built: `bash tests/fuzz/run-smoke.sh` from the repository
# root, with SNIC_ROOT, SNIC_CACHE and build/ available (build its targets
# under build/fuzz). Its output is shown. Counted from its last line if that
# is "N passed, M failed", else as one case; a non-zero exit status always
# counts as at least one failure.
if [ -f tests/fuzz/run-smoke.sh ]; then
    step "fuzz smoke test (tests/fuzz/run-smoke.sh)"
    log=build/fuzz-smoke.log
    bash tests/fuzz/run-smoke.sh 2>&1 | tee "$log"
    rc=${PIPESTATUS[0]}
    fp=$(sed -n 's/^\([0-9]*\) passed, [0-9]* failed$/\1/p' "$log" | tail -1)
    ff=$(sed -n 's/^[0-9]* passed, \([0-9]*\) failed$/\1/p' "$log" | tail -1)
    if [ -z "$fp" ]; then
        if [ "$rc" -eq 0 ]; then fp=1 ff=0; else fp=0 ff=1; fi
    elif [ "$rc" -ne 0 ] && [ "$ff" -eq 0 ]; then
        ff=1
    fi
    count "fuzz smoke (exit status $rc)" "$fp" "$ff"
fi
# ------------------------------------------------------------------------------

bash scripts/build-qemu.sh || die "building QEMU failed"
export SNIC_QEMU=$SNIC_CACHE/qemu-build/qemu-system-x86_64
step "QEMU: $("$SNIC_QEMU" --version | head -1)"

step "host-side tests (QEMU command line, QMP client, sriov-nic-ctl)"
log=build/host-tests.log
python3 -m unittest discover -s tests/host -p '*_test.py' -v > "$log" 2>&1
ran=$(sed -n 's/^Ran \([0-9]*\) tests\?.*/\1/p' "$log")
skipped=$(sed -n 's/.*skipped=\([0-9]*\).*/\1/p' "$log" | tail -1)
bad=$(grep -cE '^(FAIL|ERROR):' "$log")
[ "$bad" -eq 0 ] || grep -A15 -E '^(FAIL|ERROR):' "$log" | head -60
[ -z "$skipped" ] || grep -E ' skipped ' "$log" | sed 's/^/    /'
count "host tests" "$(( ${ran:-0} - bad - ${skipped:-0} ))" "$(( ran ? bad : 1 ))"

if [ -f tests/qtest/run-qtests.sh ]; then
    step "QEMU-level register tests (tests/qtest, qtest protocol, no guest)"
    log=build/qtest.log
    sh tests/qtest/run-qtests.sh 2>&1 | tee "$log"
    rc=${PIPESTATUS[0]}
    qp=$(sed -n 's/^\([0-9]*\) passed, [0-9]* failed$/\1/p' "$log" | tail -1)
    qf=$(sed -n 's/^[0-9]* passed, \([0-9]*\) failed$/\1/p' "$log" | tail -1)
    [ -n "$qp" ] || { qp=0; qf=1; }
    [ "$rc" -eq 0 ] || [ "$qf" -gt 0 ] || qf=1
    count "qtests" "$qp" "$qf"
fi

bash scripts/build-guest.sh || die "building the guest images failed"

step "guest tests (TCG, ${SNIC_JOBS:-2} at a time)"
log=build/guest-tests.log
tests/guest/run-all 2>&1 | tee "$log"
gp=$(sed -n 's/^\([0-9]*\) passed, [0-9]* failed$/\1/p' "$log" | tail -1)
gf=$(sed -n 's/^[0-9]* passed, \([0-9]*\) failed$/\1/p' "$log" | tail -1)
[ -n "$gp" ] || { gp=0; gf=1; }
count "guest tests" "$gp" "$gf"

step "libvirt test (tests/libvirt/run: a private session libvirtd, TCG)"
log=build/libvirt-tests.log
tests/libvirt/run 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
lp=$(sed -n 's/^\([0-9]*\) passed, [0-9]* failed$/\1/p' "$log" | tail -1)
lf=$(sed -n 's/^[0-9]* passed, \([0-9]*\) failed$/\1/p' "$log" | tail -1)
[ -n "$lp" ] || { lp=0; lf=1; }
[ "$rc" -eq 0 ] || [ "$lf" -gt 0 ] || lf=1
count "libvirt tests" "$lp" "$lf"

step "total wall time $(elapsed)s"
for f in "${failures[@]}"; do echo "FAILED: $f"; done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
