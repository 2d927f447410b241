#!/bin/bash
# Builds the sriov-nic core fuzz targets (core_fuzz: virtio-net;
# ixgbe_fuzz: the Intel 82599 personality) with clang's libFuzzer, ASan and
# UBSan (see docs/fuzzing.md):
#   tests/fuzz/build.sh [OUT_DIR]          default build/fuzz
#   SNIC_FUZZ_COVERAGE=1 tests/fuzz/build.sh   adds llvm-cov instrumentation
#                                             (build/fuzz-cov)
# Compiles the core's source list (snic_core_sources in
# hw/net/sriov-nic/core/meson.build) with the target; needs clang++ (14+)
# and its libFuzzer runtime (Debian: clang-14, libclang-rt-14-dev).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cov=${SNIC_FUZZ_COVERAGE:-0}
out=${1:-$root/build/$([ "$cov" = 1 ] && echo fuzz-cov || echo fuzz)}
mkdir -p "$out/obj"

CXX=${CXX:-}
if [ -z "$CXX" ]; then
    for c in clang++-14 clang++ clang++-16 clang++-15 clang++-19; do
        if command -v "$c" >/dev/null; then CXX=$c; break; fi
    done
fi
[ -n "$CXX" ] || { echo "build.sh: no clang++ found (apt-get install clang-14 libclang-rt-14-dev)" >&2; exit 1; }

core=$root/hw/net/sriov-nic/core
# The core's own source list, read from its meson.build.
mapfile -t srcs < <(sed -n "/snic_core_sources *= *files(/,/)/p" "$core/meson.build" |
                    grep -o "'[^']*\.cc'" | tr -d "'")
# ... and what its subdirectories add (subdir('ixgbe'): snic_core_sources +=).
for sub in $(grep -o "^subdir('[^']*')" "$core/meson.build" | sed "s/subdir('\(.*\)')/\1/"); do
    mapfile -t -O ${#srcs[@]} srcs < <(sed -n "/snic_core_sources *+= *files(/,/)/p" "$core/$sub/meson.build" |
                                       grep -o "'[^']*\.cc'" | tr -d "'" | sed "s|^|$sub/|")
done
[ ${#srcs[@]} -gt 0 ] || { echo "build.sh: no sources in $core/meson.build" >&2; exit 1; }

san="-fsanitize=address,undefined -fno-sanitize-recover=undefined"
flags=(-std=c++20 -O1 -g -fno-exceptions -fno-rtti -fno-omit-frame-pointer
       -D_GLIBCXX_ASSERTIONS -Wall -Wextra -Wno-unused-parameter
       -I"$root/include" $san)
instr=(-fsanitize=fuzzer-no-link)
if [ "$cov" = 1 ]; then
    flags+=(-fprofile-instr-generate -fcoverage-mapping)
fi

objs=()
pids=()
for s in "${srcs[@]}"; do
    o=$out/obj/$(echo "$s" | tr '/' '_').o
    objs+=("$o")
    if [ ! -f "$o" ] || [ "$core/$s" -nt "$o" ] || [ "$0" -nt "$o" ] ||
       [ -n "$(find "$core" -name '*.h' -newer "$o" -print -quit)" ]; then
        "$CXX" "${flags[@]}" "${instr[@]}" -c "$core/$s" -o "$o" &
        pids+=($!)
        # two at a time: the machine has 2 cores
        if [ ${#pids[@]} -ge 2 ]; then wait "${pids[0]}"; pids=("${pids[@]:1}"); fi
    fi
done
for p in "${pids[@]}"; do wait "$p"; done

"$CXX" "${flags[@]}" -fsanitize=fuzzer -I"$root/include" \
    "$here/core_fuzz.cc" "${objs[@]}" -o "$out/core_fuzz"
"$CXX" "${flags[@]}" -fsanitize=fuzzer -I"$root/include" \
    "$here/ixgbe_fuzz.cc" "${objs[@]}" -o "$out/ixgbe_fuzz"
"$CXX" -std=c++20 -O1 -g -I"$root/include" "$here/seedgen.cc" -o "$out/seedgen"
echo "$out/core_fuzz"
echo "$out/ixgbe_fuzz"
