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
#include "fakes/gso_frames.h"

namespace snic::testing {
namespace {

constexpr int kBatch = 64;
constexpr uint32_t kRxBuf = 4096;

// What the sender's frames are: plain, or a TCP/IPv4 TSO frame (MSS 1448)
// to a receiver with GUEST_TSO (passed whole) or without (segmented).
enum Mode { kPlain = 0, kTsoWhole = 1, kTsoSegmented = 2 };

class Pair {
 public:
  explicit Pair(size_t frame_len, Mode mode = kPlain)
      : bed_(2, 256), frame_len_(frame_len) {
    snic_core_set_num_vfs(bed_.core.get(), 2);
    a_ = std::make_unique<FakeDriver>(bed_.Driver(1));
    b_ = std::make_unique<FakeDriver>(bed_.Driver(2));
    a_->Init(kLinuxNetFeatures | (mode != kPlain ? kLinuxOffloads : 0), 256);
    b_->Init(kLinuxNetFeatures | (mode == kTsoWhole ? kLinuxOffloads : 0),
             256);
    std::vector<uint8_t> hdr(12, 0);
    size_t rx_frames = 1;  // per sent frame
    size_t rx_len = frame_len;
    if (mode == kPlain) {
      frame_ = Frame(MacOf(bed_.core.get(), 2), MacOf(bed_.core.get(), 1),
                     frame_len - 14);
    } else {
      frame_ = L4Frame(MacOf(bed_.core.get(), 2), MacOf(bed_.core.get(), 1),
                       false, kProtoTcp, frame_len - 54);
      const auto h = TxHeader(1, 1, 54, 1448, 34, 16);
      hdr.assign(h.begin(), h.end());
      if (mode == kTsoSegmented) {
        rx_frames = (frame_len - 54 + 1447) / 1448;
        rx_len = 54 + 1448;
      }
    }
    hdr_ = bed_.ram.Alloc(12, 16);
    bed_.ram.Put(hdr_, hdr.data(), 12);
    data_ = bed_.ram.Alloc(frame_.size(), 64);
    bed_.ram.Put(data_, frame_.data(), frame_.size());
    const size_t bufs_per_frame =
        rx_frames * ((rx_len + 12 + kRxBuf - 1) / kRxBuf);
    rx_per_frame_ = rx_frames;
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
  size_t rx_per_frame() const { return rx_per_frame_; }
  uint64_t delivered() {
    SnicStats s{};
    snic_core_get_stats(bed_.core.get(), 2, &s);
    return s.rx_packets;
  }

 private:
  Bed bed_;
  size_t frame_len_;
  int batch_ = kBatch;
  size_t rx_per_frame_ = 1;
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

// A 64 KB TSO frame (as Linux sends with offloads on) to a VF that takes
// it whole (GUEST_TSO) and to one the device segments for (45 frames with
// checksums computed). Bytes: the TSO frame's.
void BM_VfToVfTso(benchmark::State& state) {
  const Mode mode = static_cast<Mode>(state.range(1));
  Pair p(static_cast<size_t>(state.range(0)), mode);
  for (auto _ : state) {
    state.PauseTiming();
    p.Prepare();
    state.ResumeTiming();
    p.Run();
  }
  const uint64_t frames = p.delivered();
  const uint64_t sent = uint64_t(state.iterations()) * p.batch();
  if (frames != sent * p.rx_per_frame()) {
    state.SkipWithError("frames were lost");
  }
  state.SetItemsProcessed(int64_t(sent));
  state.SetBytesProcessed(int64_t(sent * p.frame_len()));
  state.SetLabel(mode == kTsoWhole ? "GSO whole" : "segmented");
}
BENCHMARK(BM_VfToVfTso)->Args({65536, kTsoWhole})->Args({65536, kTsoSegmented});

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
