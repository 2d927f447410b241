#!/bin/bash
# Fuzz smoke test of the sriov-nic core (docs/fuzzing.md):
#   bash tests/fuzz/run-smoke.sh
# Builds tests/fuzz/core_fuzz (libFuzzer + ASan + UBSan), runs every input
# in tests/fuzz/regressions/ once as a plain test, then fuzzes from
# tests/fuzz/corpus/ for a bounded time. Ends with "N passed, M failed"
# (each regression input is one test, the fuzz run one more) and exits
# non-zero on any failure, naming the reproducer.
#   SNIC_FUZZ_SECONDS=60    length of the fuzz run (0: regressions only)
#   SNIC_FUZZ_IXGBE_SECONDS=20  length of ixgbe_fuzz's run (the Intel 82599
#                           personality; 0 when SNIC_FUZZ_SECONDS is 0)
#   SNIC_FUZZ_JOBS=1        parallel fuzz processes (libFuzzer -fork)
#   SNIC_FUZZ_AVOID=...     known open findings the fuzz run steers around
#                           (default below; the regressions still run them)
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=${SNIC_FUZZ_BUILD:-$root/build/fuzz}
secs=${SNIC_FUZZ_SECONDS:-60}
ix_secs=${SNIC_FUZZ_IXGBE_SECONDS:-20}
[ "$secs" -gt 0 ] || ix_secs=0
jobs=${SNIC_FUZZ_JOBS:-1}
# Open findings (tests/fuzz/regressions/README.md); drop an entry when the
# core fix lands.
export SNIC_FUZZ_AVOID=${SNIC_FUZZ_AVOID-}

# Symbolized sanitizer stacks (llvm-14 ships only the versioned name).
if [ -z "${ASAN_SYMBOLIZER_PATH:-}" ] && ! command -v llvm-symbolizer >/dev/null; then
    for s in /usr/bin/llvm-symbolizer-14 /usr/lib/llvm-14/bin/llvm-symbolizer; do
        [ -x "$s" ] && export ASAN_SYMBOLIZER_PATH=$s && break
    done
fi

passed=0
failed=0
say() { echo "fuzz: $*"; }

if ! bash "$here/build.sh" "$out" > "$out.build.log" 2>&1; then
    mkdir -p "$(dirname "$out")"
    tail -30 "$out.build.log"
    say "building the fuzz target failed (clang++ and libFuzzer: apt-get install clang-14 libclang-rt-14-dev)"
    echo "0 passed, 1 failed"
    exit 1
fi

# Regression inputs: each once, without fuzzing, without SNIC_FUZZ_AVOID;
# those named ixgbe-* are ixgbe_fuzz inputs.
for f in "$here"/regressions/*; do
    [ -f "$f" ] || continue
    case "$f" in *.md) continue ;; esac
    bin=$out/core_fuzz
    case "$(basename "$f")" in ixgbe-*) bin=$out/ixgbe_fuzz ;; esac
    if SNIC_FUZZ_AVOID= "$bin" -runs=1 "$f" > "$out/regression.log" 2>&1; then
        passed=$((passed + 1))
        say "regression $(basename "$f"): passed"
    else
        failed=$((failed + 1))
        say "regression $(basename "$f"): FAILED"
        grep -m3 -E "INVARIANT VIOLATED|ERROR: AddressSanitizer|runtime error|SUMMARY" "$out/regression.log" | sed 's/^/    /'
        say "  reproduce: $bin $f   (SNIC_FUZZ_TRACE=1 decodes it)"
    fi
done

# One bounded fuzz run of target $1 (core_fuzz or ixgbe_fuzz) for $2
# seconds from tests/fuzz/corpus/: one test in the count.
fuzz_run() {
    local bin=$1 secs=$2 tag= name="fuzz run" what
    what="fuzzing for ${secs}s (${jobs} process(es), avoiding: ${SNIC_FUZZ_AVOID:-nothing})"
    if [ "$bin" = ixgbe_fuzz ]; then
        tag=-ixgbe name="ixgbe fuzz run"
        what="fuzzing ixgbe for ${secs}s (${jobs} process(es))"
    fi
    local work=$out/corpus-work$tag art=$out/artifacts$tag log=$out/fuzz$tag.log
    mkdir -p "$work" "$art"
    rm -f "$art"/crash-* "$art"/timeout-* "$art"/oom-* "$art"/leak-*
    local args=(-max_total_time="$secs" -timeout=30 -rss_limit_mb=2048 -max_len=4096
                -artifact_prefix="$art/" -print_final_stats=1)
    [ "$jobs" -gt 1 ] && args+=(-fork="$jobs")
    say "$what"
    nice -n 10 "$out/$bin" "${args[@]}" "$work" "$here/corpus" > "$log" 2>&1
    local rc=$?
    grep -E "^#[0-9]+.*(pulse|DONE)|stat::number_of_executed_units|cov:" "$log" | tail -2 | sed 's/^/    /'
    local repro
    repro=$(ls -t "$art"/crash-* "$art"/timeout-* "$art"/oom-* "$art"/leak-* 2>/dev/null | head -1)
    if [ "$rc" -eq 0 ] && [ -z "$repro" ]; then
        passed=$((passed + 1))
        say "$name: passed"
    else
        failed=$((failed + 1))
        grep -m3 -E "INVARIANT VIOLATED|ERROR: AddressSanitizer|runtime error|ERROR: libFuzzer" "$log" | sed 's/^/    /'
        say "$name: FAILED (exit $rc), reproducer: ${repro:-none written, see $log}"
    fi
}

if [ "$secs" -gt 0 ]; then fuzz_run core_fuzz "$secs"; fi
if [ "$ix_secs" -gt 0 ]; then fuzz_run ixgbe_fuzz "$ix_secs"; fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
