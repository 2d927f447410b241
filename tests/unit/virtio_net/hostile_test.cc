// Unit tests: a hostile guest. Bad chains, bad rings, failed DMA and
// arbitrary MMIO must never crash or hang the device; each case checks the
// device's reaction (NEEDS_RESET + config interrupt, a counter, a dropped
// frame, a guest error) and that a reset brings the function back.
// SPDX-License-Identifier: GPL-2.0-or-later
#include <gtest/gtest.h>

#include <cstdio>
#include <random>

#include "fakes/fake_driver.h"

namespace snic::testing {
namespace {

uint64_t MmioRead(SnicCore* core, SnicFn fn, uint32_t r, uint64_t off,
                  unsigned size) {
  uint64_t v = 0;
  snic_core_mmio_read(core, fn, r, off, size, &v);
  return v;
}

class Hostile : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(d_.Init(kLinuxNetFeatures, 16)); }

  // Publishes descriptor @head on the TX queue, kicks and runs.
  void PublishTx(uint16_t head) {
    d_.tx().PublishHead(head);
    d_.tx().Kick();
    bed_.RunAll();
  }
  uint64_t Data(uint32_t len) {
    const uint64_t a = bed_.ram.Alloc(len, 16);
    std::vector<uint8_t> f = Frame(kRemote, kRemote, len > 26 ? len - 26 : 0);
    f.resize(len);
    bed_.ram.Put(a, f.data(), len);
    return a;
  }
  bool NeedsReset() { return d_.status() & kNeedsReset; }
  // The fatal-error contract: NEEDS_RESET, a config interrupt (vector 0),
  // a logged guest error, a counter; then the function recovers on reset.
  void ExpectFatalAndRecover() {
    EXPECT_TRUE(NeedsReset());
    EXPECT_EQ(bed_.Stats(0).needs_reset, 1u);
    EXPECT_FALSE(bed_.host.guest_errors.empty());
    bool config_irq = false;
    for (auto& [fn, v] : bed_.host.msix) config_irq |= fn == 0 && v == 0;
    EXPECT_TRUE(config_irq);
    // Stopped: more kicks do nothing.
    const size_t sent = bed_.host.uplink_frames.size();
    d_.Send(Frame(kRemote, kRemote));
    bed_.RunAll();
    EXPECT_EQ(bed_.host.uplink_frames.size(), sent);
    // Reset recovers.
    bed_.host.dma_blocked.clear();
    ASSERT_TRUE(d_.Init(kLinuxNetFeatures, 16));
    EXPECT_FALSE(NeedsReset());
    d_.Send(Frame(kRemote, kRemote));
    bed_.RunAll();
    EXPECT_EQ(bed_.host.uplink_frames.size(), sent + 1);
  }

  Bed bed_{2};
  FakeDriver d_ = bed_.Driver(0);
};

TEST_F(Hostile, LoopedChain) {
  auto& q = d_.tx();
  const uint64_t a = Data(64);
  q.WriteDesc(q.desc, 0, a, 12, kDescNext, 1);
  q.WriteDesc(q.desc, 1, a, 64, kDescNext, 0);
  PublishTx(0);
  ExpectFatalAndRecover();
}

TEST_F(Hostile, SelfLoop) {
  auto& q = d_.tx();
  q.WriteDesc(q.desc, 3, Data(64), 64, kDescNext, 3);
  PublishTx(3);
  ExpectFatalAndRecover();
}

TEST_F(Hostile, IndirectTableLongerThanAllowed) {
  auto& q = d_.tx();
  const uint32_t n = 256 + 1;
  const uint64_t table = bed_.ram.Alloc(16ull * n, 16);
  const uint64_t a = Data(64);
  for (uint16_t i = 0; i < n; ++i) {
    q.WriteDesc(table, i, a, 64, uint16_t(i + 1u < n ? kDescNext : 0),
                uint16_t(i + 1));
  }
  q.WriteDesc(q.desc, 0, table, 16 * n, kDescIndirect, 0);
  PublishTx(0);
  ExpectFatalAndRecover();
}

TEST_F(Hostile, IndirectChainLongerThanTableLoops) {
  auto& q = d_.tx();
  const uint64_t table = bed_.ram.Alloc(16 * 4, 16);
  const uint64_t a = Data(64);
  for (uint16_t i = 0; i < 4; ++i) {
    q.WriteDesc(table, i, a, 64, kDescNext, uint16_t((i + 1) % 4));
  }
  q.WriteDesc(q.desc, 0, table, 64, kDescIndirect, 0);
  PublishTx(0);
  ExpectFatalAndRecover();
}

TEST_F(Hostile, IndirectInIndirect) {
  auto& q = d_.tx();
  const uint64_t inner = bed_.ram.Alloc(16, 16);
  const uint64_t outer = bed_.ram.Alloc(16, 16);
  q.WriteDesc(inner, 0, Data(64), 64, 0, 0);
  q.WriteDesc(outer, 0, inner, 16, kDescIndirect, 0);
  q.WriteDesc(q.desc, 0, outer, 16, kDescIndirect, 0);
  PublishTx(0);
  ExpectFatalAndRecover();
}

TEST_F(Hostile, IndirectWithNext) {
  auto& q = d_.tx();
  const uint64_t table = bed_.ram.Alloc(16, 16);
  q.WriteDesc(table, 0, Data(64), 64, 0, 0);
  q.WriteDesc(q.desc, 0, table, 16, kDescIndirect | kDescNext, 1);
  q.WriteDesc(q.desc, 1, Data(64), 64, 0, 0);
  PublishTx(0);
  ExpectFatalAndRecover();
}

TEST_F(Hostile, IndirectBadLength) {
  auto& q = d_.tx();
  const uint64_t table = bed_.ram.Alloc(32, 16);
  q.WriteDesc(table, 0, Data(64), 64, 0, 0);
  q.WriteDesc(q.desc, 0, table, 17, kDescIndirect, 0);
  PublishTx(0);
  ExpectFatalAndRecover();
}

TEST_F(Hostile, IndirectWithoutFeature) {
  ASSERT_TRUE(d_.Init(kLinuxNetFeatures & ~F(kIndirect), 16));
  auto& q = d_.tx();
  const uint64_t table = bed_.ram.Alloc(16, 16);
  q.WriteDesc(table, 0, Data(64), 64, 0, 0);
  q.WriteDesc(q.desc, 0, table, 16, kDescIndirect, 0);
  PublishTx(0);
  ExpectFatalAndRecover();
}

TEST_F(Hostile, AddressNearTopOfAddressSpace) {
  auto& q = d_.tx();
  q.WriteDesc(q.desc, 0, ~0ull - 7, 64, 0, 0);  // wraps
  PublishTx(0);
  ExpectFatalAndRecover();
}

TEST_F(Hostile, LengthOverflowInIndirectTableAddress) {
  auto& q = d_.tx();
  q.WriteDesc(q.desc, 0, ~0ull - 15, 32, kDescIndirect, 0);
  PublishTx(0);
  ExpectFatalAndRecover();
}

TEST_F(Hostile, UnmappedBufferAddressIsDmaFailure) {
  auto& q = d_.tx();
  q.WriteDesc(q.desc, 0, 1ull << 40, 64, 0, 0);
  PublishTx(0);
  ExpectFatalAndRecover();
}

TEST_F(Hostile, ZeroLengthBuffer) {
  auto& q = d_.tx();
  const uint64_t a = Data(64);
  q.WriteDesc(q.desc, 0, a, 12, kDescNext, 1);
  q.WriteDesc(q.desc, 1, a, 0, 0, 0);
  PublishTx(0);
  ExpectFatalAndRecover();
}

TEST_F(Hostile, HeadIndexOutOfRange) {
  PublishTx(999);
  ExpectFatalAndRecover();
}

TEST_F(Hostile, NextIndexOutOfRange) {
  auto& q = d_.tx();
  q.WriteDesc(q.desc, 0, Data(64), 64, kDescNext, 16);
  PublishTx(0);
  ExpectFatalAndRecover();
}

TEST_F(Hostile, ReadableAfterWritable) {
  auto& q = d_.tx();
  const uint64_t a = Data(64);
  q.WriteDesc(q.desc, 0, a, 12, kDescWrite | kDescNext, 1);
  q.WriteDesc(q.desc, 1, a, 64, 0, 0);
  PublishTx(0);
  ExpectFatalAndRecover();
}

TEST_F(Hostile, AvailIdxJump) {
  d_.tx().SetAvailIdx(1000);
  d_.tx().Kick();
  bed_.RunAll();
  ExpectFatalAndRecover();
}

TEST_F(Hostile, DmaFailureOnTx) {
  bed_.host.dma_blocked.push_back(0);
  d_.tx().Add({{Data(80), 80, false}});
  d_.tx().Kick();
  bed_.RunAll();
  ExpectFatalAndRecover();
}

TEST_F(Hostile, DmaFailureOnRx) {
  d_.PostRx(2, 1536);
  bed_.host.dma_blocked.push_back(0);
  const auto f = Frame(MacOf(bed_.core.get(), 0), kRemote);
  EXPECT_EQ(snic_core_uplink_receive(bed_.core.get(), f.data(), f.size()),
            f.size());
  ExpectFatalAndRecover();
}

TEST_F(Hostile, RingsOutsideGuestMemory) {
  d_.SetCommon(kQSelect, 1, 2);
  d_.set_status(0);
  ASSERT_TRUE(d_.Negotiate(kLinuxNetFeatures));
  d_.SetCommon(kQSelect, 1, 2);
  d_.SetCommon(kQDesc, 1ull << 45, 8);
  d_.SetCommon(kQDriver, 1ull << 45, 8);
  d_.SetCommon(kQDevice, 1ull << 45, 8);
  d_.SetCommon(kQEnable, 1, 2);
  d_.set_status(kAck | kDriver | kFeaturesOk | kDriverOk);
  d_.Write(kRegionNotify, 4, 1, 2);
  bed_.RunAll();
  EXPECT_TRUE(NeedsReset());
}

TEST_F(Hostile, ControlWithoutAckBuffer) {
  const uint64_t h = bed_.ram.Alloc(2, 16);
  d_.ctrl().Add({{h, 2, false}});
  d_.ctrl().Kick();
  ExpectFatalAndRecover();
}

TEST_F(Hostile, TxTooShortIsDroppedNotFatal) {
  d_.tx().Add({{Data(20), 20, false}});
  d_.tx().Kick();
  bed_.RunAll();
  EXPECT_FALSE(NeedsReset());
  EXPECT_EQ(bed_.Stats(0).tx_drop_malformed, 1u);
  EXPECT_TRUE(bed_.host.uplink_frames.empty());
  EXPECT_TRUE(d_.tx().GetUsed());  // chain returned to the driver
}

TEST_F(Hostile, TxWithOffloadHeaderIsDropped) {
  const uint64_t h = bed_.ram.Alloc(12, 16);
  const uint8_t hdr[12] = {1, 1};  // NEEDS_CSUM, GSO_TCPV4
  bed_.ram.Put(h, hdr, 12);
  d_.tx().Add({{h, 12, false}, {Data(60), 60, false}});
  d_.tx().Kick();
  bed_.RunAll();
  EXPECT_FALSE(NeedsReset());
  EXPECT_EQ(bed_.Stats(0).tx_drop_malformed, 1u);
}

TEST_F(Hostile, MergeableFirstBufferSmallerThanHeader) {
  d_.rx().Add({{bed_.ram.Alloc(8), 8, true}});
  const auto f = Frame(MacOf(bed_.core.get(), 0), kRemote);
  snic_core_uplink_receive(bed_.core.get(), f.data(), f.size());
  EXPECT_EQ(bed_.Stats(0).rx_drop_too_small, 1u);
  EXPECT_FALSE(NeedsReset());
}

// An RX chain with no device-writable descriptor is a device error, as in
// QEMU's virtio-net ("receive queue contains no in buffers"), also as a
// follow-up buffer of a mergeable frame.
TEST_F(Hostile, RxChainWithoutWritableBuffers) {
  d_.rx().Add({{bed_.ram.Alloc(64), 64, false}});
  const auto f = Frame(MacOf(bed_.core.get(), 0), kRemote);
  snic_core_uplink_receive(bed_.core.get(), f.data(), f.size());
  EXPECT_TRUE(NeedsReset());
  EXPECT_EQ(d_.rx().used_idx(), 0u);
}

TEST_F(Hostile, MergeableFollowUpChainWithoutWritableBuffer) {
  d_.rx().Add({{bed_.ram.Alloc(64), 64, true}});
  d_.rx().Add({{bed_.ram.Alloc(64), 64, false}});
  const auto f = Frame(MacOf(bed_.core.get(), 0), kRemote, 200);
  snic_core_uplink_receive(bed_.core.get(), f.data(), f.size());
  EXPECT_TRUE(NeedsReset());
  EXPECT_EQ(d_.rx().used_idx(), 0u);
}

TEST_F(Hostile, NotifyForDisabledOrNonexistentQueue) {
  const int runs = bed_.host.runs_scheduled;
  const size_t errs = bed_.host.guest_errors.size();
  d_.Write(kRegionNotify, 12, 3, 2);  // queue 3 does not exist
  d_.Write(kRegionNotify, 2, 0, 2);   // not a doorbell offset
  d_.Write(kRegionNotify, 0xffc, 0, 4);
  EXPECT_EQ(bed_.host.guest_errors.size(), errs + 3);
  ASSERT_TRUE(d_.Negotiate(kLinuxNetFeatures));  // reset: queues disabled
  d_.Write(kRegionNotify, 4, 1, 2);
  EXPECT_EQ(bed_.host.guest_errors.size(), errs + 4);
  EXPECT_EQ(bed_.host.runs_scheduled, runs);
  EXPECT_FALSE(NeedsReset());
}

TEST_F(Hostile, BadQueueSizeWrite) {
  d_.set_status(0);
  d_.SetCommon(kQSelect, 0, 2);
  d_.SetCommon(kQSize, 48, 2);
  EXPECT_EQ(d_.Common(kQSize, 2), 256u);
  d_.SetCommon(kQSize, 0, 2);
  EXPECT_EQ(d_.Common(kQSize, 2), 256u);
  EXPECT_GE(bed_.host.guest_errors.size(), 2u);
}

TEST_F(Hostile, NeedsResetStopsRxToo) {
  d_.PostRx(2, 1536);
  PublishTx(999);
  ASSERT_TRUE(NeedsReset());
  const auto f = Frame(MacOf(bed_.core.get(), 0), kRemote);
  EXPECT_EQ(snic_core_uplink_receive(bed_.core.get(), f.data(), f.size()),
            f.size());
  EXPECT_EQ(d_.rx().used_idx(), 0u);
  EXPECT_EQ(bed_.Stats(0).rx_drop_no_buffers, 1u);
}

// Every region, every width, every offset: reads and random writes on the
// PF and a VF. Nothing may crash or hang; the functions still reset and
// initialise afterwards.
TEST(HostileMmio, EveryWidthEveryOffsetEveryRegion) {
  Bed bed(2);
  snic_core_set_num_vfs(bed.core.get(), 2);
  std::mt19937_64 rng(1234);
  for (SnicFn fn : {SnicFn{0}, SnicFn{2}}) {
    FakeDriver d = bed.Driver(fn);
    ASSERT_TRUE(d.Init());
    for (uint32_t r : {kRegionCommon, kRegionIsr,
                         kRegionDevice, kRegionNotify}) {
      for (unsigned size : {1u, 2u, 4u, 8u}) {
        for (uint64_t off = 0; off < 0x1000; ++off) {
          MmioRead(bed.core.get(), fn, r, off, size);
          snic_core_mmio_write(bed.core.get(), fn, r, off, rng(), size);
        }
      }
      bed.RunAll();
    }
    // Odd sizes and offsets far outside the region are absorbed too.
    MmioRead(bed.core.get(), fn, kRegionCommon, 0, 3);
    snic_core_mmio_write(bed.core.get(), fn, kRegionCommon, 0, 0, 16);
    MmioRead(bed.core.get(), fn, kRegionDevice, ~0ull, 8);
    MmioRead(bed.core.get(), fn, 7u, 0, 4);
    snic_core_mmio_write(bed.core.get(), fn, 7u, 0, 0, 4);
    EXPECT_FALSE(bed.host.guest_errors.empty());
    EXPECT_TRUE(d.Init()) << fn;
    d.Send(Frame(kRemote, MacOf(bed.core.get(), fn)));
    bed.RunAll();
    EXPECT_FALSE(bed.host.uplink_frames.empty());
  }
}

// Random bytes as guest memory and rings, random doorbells, frames and
// MMIO, with a fixed seed: deterministic, must terminate, and the device
// must recover on reset after every round.
TEST(HostileFuzz, RandomRingsAndMemory) {
  std::mt19937 rng(0x5eed);
  uint64_t fatal = 0, moved = 0, errors = 0;
  for (int round = 0; round < 150; ++round) {
    Bed bed(2, 16);
    snic_core_set_num_vfs(bed.core.get(), 2);
    std::vector<FakeDriver> drv;
    for (SnicFn fn = 0; fn <= 2; ++fn) {
      drv.push_back(bed.Driver(fn));
      uint64_t features = kLinuxNetFeatures;
      if (rng() & 1) features &= ~F(kMrgRxbuf);
      if (rng() & 1) features &= ~F(kEventIdx);
      ASSERT_TRUE(drv.back().Init(features, 16));
    }
    // Guest RAM the random descriptors point into, filled with noise.
    const uint64_t window = bed.ram.Alloc(64 * 1024, 4096);
    for (uint64_t a = window; a < window + 64 * 1024; ++a) {
      bed.host.mem[a] = uint8_t(rng());
    }
    auto queue = [&](SnicFn fn, unsigned q) -> DriverQueue& {
      return q == 0 ? drv[fn].rx() : q == 1 ? drv[fn].tx() : drv[fn].ctrl();
    };
    for (int step = 0; step < 300; ++step) {
      const SnicFn fn = SnicFn(rng() % 3);
      const unsigned qi = rng() % 3;
      DriverQueue& q = queue(fn, qi);
      switch (rng() % 8) {
        case 0:
        case 1: {  // a random descriptor, mostly pointing into the window
          const uint64_t addr = rng() % 10 ? window + rng() % (64 * 1024)
                                           : (uint64_t(rng()) << 32) | rng();
          const uint32_t len = rng() % 10 ? rng() % 2048 : rng();
          const uint64_t table =
              rng() % 4 ? q.desc : window + 16 * (rng() % 64);
          q.WriteDesc(table, uint16_t(rng() % 18), addr, len,
                      uint16_t(rng() % 8), uint16_t(rng() % 18));
          break;
        }
        case 2:  // publish a (mostly valid) head and kick
          q.PublishHead(uint16_t(rng() % 17));
          q.Kick();
          break;
        case 3:  // noise over the rings
          bed.host.mem[(rng() & 1 ? q.avail : q.used) + rng() % 40] =
              uint8_t(rng());
          if (rng() % 16 == 0) q.SetAvailIdx(uint16_t(rng()));
          break;
        case 4: {
          std::vector<uint8_t> f(14 + rng() % 3000);
          for (auto& b : f) b = uint8_t(rng());
          if (rng() & 1) {
            const auto m = MacOf(bed.core.get(), fn);
            std::copy(m.begin(), m.end(), f.begin());
          }
          if (snic_core_uplink_can_receive(bed.core.get())) {
            snic_core_uplink_receive(bed.core.get(), f.data(), f.size());
          }
          break;
        }
        case 5:
          if (rng() % 16 == 0) {
            snic_core_mmio_write(bed.core.get(), fn, kRegionCommon,
                                 rng() % 0x40, rng(), 1u << (rng() % 4));
          } else if (rng() % 4 == 0) {
            drv[fn].Send(Frame(kRemote, MacOf(bed.core.get(), fn)));
          }
          break;
        default: {
          int calls = 0;
          while (snic_core_run(bed.core.get())) {
            ASSERT_LT(++calls, 100) << "run never drains";
          }
          break;
        }
      }
    }
    for (SnicFn fn = 0; fn <= 2; ++fn) {
      const SnicStats s = bed.Stats(fn);
      fatal += s.needs_reset;
      moved += s.rx_packets + s.tx_packets + s.tx_drop_malformed;
      errors += s.guest_errors;
      snic_core_reset_function(bed.core.get(), fn);
      EXPECT_EQ(drv[fn].status(), 0) << round;
    }
  }
  // The rounds exercised both the error paths and the data path.
  EXPECT_GT(fatal, 10u);
  EXPECT_GT(moved, 10u);
  EXPECT_GT(errors, fatal);
  std::printf("fuzz: %llu fatal, %llu frames, %llu guest errors\n",
              (unsigned long long)fatal, (unsigned long long)moved,
              (unsigned long long)errors);
}

}  // namespace
}  // namespace snic::testing
