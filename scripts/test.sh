#!/bin/bash
# The whole sriov-nic test suite, from a fresh Debian bookworm machine (root):
#   scripts/test.sh
# Installs dependencies, builds the core's unit tests and QEMU with the
# device, builds the guest images, then runs unit tests, host-side QEMU CLI
# tests and guest tests (both kernels). Ends with "N passed, M failed".
#   SNIC_KERNELS="6.1 6.12"   guest kernels to test (default both)
#   SNIC_SCENARIOS="a b"      only these guest scenarios (default all)
set -uo pipefail
. "$(dirname "$0")/lib.sh"
cd "$SNIC_ROOT"

passed=0
failed=0
failures=()
count() {  # name passed failed
    passed=$((passed + $2))
    failed=$((failed + $3))
    [ "$3" -eq 0 ] || failures+=("$1: $3 failed")
    step "$1: $2 passed, $3 failed"
}

bash scripts/install-deps.sh || die "installing dependencies failed"

step "unit tests (GoogleTest, standalone core build)"
if [ ! -f build/unit/build.ninja ]; then
    meson setup build/unit >/dev/null || die "meson setup build/unit failed"
fi
ninja -C build/unit >/dev/null || die "building the unit tests failed"
log=build/unit/unit-tests.log
build/unit/tests/unit/snic-unit-tests > "$log" 2>&1
up=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) tests\?.*/\1/p' "$log" | tail -1)
uf=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) tests\?.*/\1/p' "$log" | tail -1)
[ -n "$up" ] || { tail -30 "$log"; up=0; uf=${uf:-1}; }
[ "${uf:-0}" -eq 0 ] || grep '^\[  FAILED  \]' "$log"
count "unit tests" "$up" "${uf:-0}"

bash scripts/build-qemu.sh || die "building QEMU failed"
export SNIC_QEMU=$SNIC_CACHE/qemu-build/qemu-system-x86_64
step "QEMU: $("$SNIC_QEMU" --version | head -1)"

step "host-side tests (QEMU command line, sriov-nic-ctl over QMP)"
log=build/host-tests.log
python3 -m unittest discover -s tests/host -p '*_test.py' -v > "$log" 2>&1
ran=$(sed -n 's/^Ran \([0-9]*\) tests\?.*/\1/p' "$log")
bad=$(grep -cE '^(FAIL|ERROR):' "$log")
[ "$bad" -eq 0 ] || grep -A15 -E '^(FAIL|ERROR):' "$log" | head -60
count "host tests" "$(( ${ran:-0} - bad ))" "$(( ran ? bad : 1 ))"

bash scripts/build-guest.sh || die "building the guest images failed"

step "guest tests (TCG)"
log=build/guest-tests.log
tests/guest/run-all 2>&1 | tee "$log"
gp=$(sed -n 's/^\([0-9]*\) passed, [0-9]* failed$/\1/p' "$log" | tail -1)
gf=$(sed -n 's/^[0-9]* passed, \([0-9]*\) failed$/\1/p' "$log" | tail -1)
[ -n "$gp" ] || { gp=0; gf=1; }
count "guest tests" "$gp" "$gf"

step "total wall time $(elapsed)s"
for f in "${failures[@]}"; do echo "FAILED: $f"; done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
