// Core microbenchmark (Google Benchmark): frames from one VF to another
// through the whole core (TX chain walk, TX checks, switch, delivery into
// mergeable RX buffers, used rings, interrupts), with guest RAM in a byte
// vector as the fake host's DMA, next to a plain memcpy of the same bytes.
//
//   build/unit/tests/bench/snic-core-bench [--benchmark_filter=...]
//
// Timing covers snic_core_run() only: the driver side (posting buffers,
// reclaiming used ones) runs with the clock paused, once per batch of
// kBatch frames. Reported: bytes_per_second (frame bytes) and the time
// per frame (items).
// SPDX-License-Identifier: GPL-2.0-or-later
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "fakes/fake_driver.h"

namespace snic::testing {
namespace {

constexpr int kBatch = 64;
constexpr uint32_t kRxBuf = 4096;

class Pair {
 public:
  explicit Pair(size_t frame_len) : bed_(2, 256), frame_len_(frame_len) {
    snic_core_set_num_vfs(bed_.core.get(), 2);
    a_ = std::make_unique<FakeDriver>(bed_.Driver(1));
    b_ = std::make_unique<FakeDriver>(bed_.Driver(2));
    a_->Init(kLinuxNetFeatures, 256);
    b_->Init(kLinuxNetFeatures, 256);
    frame_ = Frame(MacOf(bed_.core.get(), 2), MacOf(bed_.core.get(), 1),
                   frame_len - 14);
    hdr_ = bed_.ram.Alloc(12, 16);
    bed_.ram.Put(hdr_, std::vector<uint8_t>(12, 0).data(), 12);
    data_ = bed_.ram.Alloc(frame_.size(), 64);
    bed_.ram.Put(data_, frame_.data(), frame_.size());
    const size_t bufs_per_frame = (frame_len + 12 + kRxBuf - 1) / kRxBuf;
    // As many frames as one ring of RX buffers holds, at most kBatch.
    batch_ = static_cast<int>(std::min<size_t>(kBatch, 256 / bufs_per_frame));
    for (size_t i = 0; i < size_t(batch_) * bufs_per_frame; ++i) {
      rx_bufs_.push_back(bed_.ram.Alloc(kRxBuf, 64));
    }
  }
  // Driver side of one batch: kBatch TX chains and enough RX buffers.
  void Prepare() {
    while (a_->tx().GetUsed()) {
    }
    while (b_->rx().GetUsed()) {
    }
    for (uint64_t buf : rx_bufs_) {
      b_->rx().Add({{buf, kRxBuf, true}});
    }
    if (b_->rx().KickNeeded()) b_->rx().Kick();
    for (int i = 0; i < batch_; ++i) {
      a_->tx().Add({{hdr_, 12, false}, {data_, uint32_t(frame_.size()), false}});
    }
    if (a_->tx().KickNeeded()) a_->tx().Kick();
  }
  void Run() {
    while (snic_core_run(bed_.core.get())) {
    }
  }
  size_t frame_len() const { return frame_len_; }
  int batch() const { return batch_; }
  uint64_t delivered() {
    SnicStats s{};
    snic_core_get_stats(bed_.core.get(), 2, &s);
    return s.rx_packets;
  }

 private:
  Bed bed_;
  size_t frame_len_;
  int batch_ = kBatch;
  std::unique_ptr<FakeDriver> a_, b_;
  std::vector<uint8_t> frame_;
  uint64_t hdr_ = 0, data_ = 0;
  std::vector<uint64_t> rx_bufs_;
};

void BM_VfToVf(benchmark::State& state) {
  Pair p(static_cast<size_t>(state.range(0)));
  for (auto _ : state) {
    state.PauseTiming();
    p.Prepare();
    state.ResumeTiming();
    p.Run();
  }
  const uint64_t frames = p.delivered();
  if (frames != uint64_t(state.iterations()) * p.batch()) {
    state.SkipWithError("frames were lost");
  }
  state.SetItemsProcessed(int64_t(frames));
  state.SetBytesProcessed(int64_t(frames * p.frame_len()));
}
BENCHMARK(BM_VfToVf)->Arg(64)->Arg(1514)->Arg(9014)->Arg(65536);

// The floor: copying the same bytes once, kBatch times (per frame: the
// same as one copy).
void BM_Memcpy(benchmark::State& state) {
  const size_t n = static_cast<size_t>(state.range(0));
  std::vector<uint8_t> src(n, 0x5a), dst(n);
  for (auto _ : state) {
    for (int i = 0; i < kBatch; ++i) {
      std::memcpy(dst.data(), src.data(), n);
      benchmark::ClobberMemory();
    }
  }
  state.SetItemsProcessed(int64_t(state.iterations()) * kBatch);
  state.SetBytesProcessed(int64_t(state.iterations()) * kBatch * int64_t(n));
}
BENCHMARK(BM_Memcpy)->Arg(64)->Arg(1514)->Arg(9014)->Arg(65536);

}  // namespace
}  // namespace snic::testing

BENCHMARK_MAIN();
