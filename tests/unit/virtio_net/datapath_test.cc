// Unit tests: one virtio-net function's data path through the C ABI: TX
// (transmitq0, indirect and single-descriptor chains), RX with and without
// mergeable buffers, interrupt suppression (virtio 1.2 2.7.7, 2.7.10,
// 5.1.6), MSI-X and INTx.
// SPDX-License-Identifier: GPL-2.0-or-later
#include <gtest/gtest.h>

#include "fakes/fake_driver.h"

namespace snic::testing {
namespace {

TEST(Datapath, TxToUplink) {
  Bed bed;
  FakeDriver d = bed.Driver(0);
  ASSERT_TRUE(d.Init());
  const auto frame = Frame(kRemote, MacOf(bed.core.get(), 0));
  const int runs = bed.host.runs_scheduled;
  d.Send(frame);
  EXPECT_EQ(bed.host.runs_scheduled, runs + 1);
  EXPECT_TRUE(bed.host.uplink_frames.empty());  // not in the vCPU's write
  EXPECT_FALSE(snic_core_run(bed.core.get()));
  ASSERT_EQ(bed.host.uplink_frames.size(), 1u);
  EXPECT_EQ(bed.host.uplink_frames[0], frame);
  auto used = d.tx().GetUsed();
  ASSERT_TRUE(used);
  EXPECT_EQ(used->len, 0u);
  const SnicStats s = bed.Stats(0);
  EXPECT_EQ(s.tx_packets, 1u);
  EXPECT_EQ(s.tx_bytes, frame.size());
  // TX interrupt on the queue's vector (2).
  ASSERT_FALSE(bed.host.msix.empty());
  EXPECT_EQ(bed.host.msix.back(), std::make_pair(SnicFn{0}, uint16_t{2}));
}

TEST(Datapath, TxIndirect) {
  Bed bed;
  FakeDriver d = bed.Driver(0);
  ASSERT_TRUE(d.Init());
  const auto frame = Frame(kRemote, MacOf(bed.core.get(), 0), 300);
  d.Send(frame, /*indirect=*/true);
  bed.RunAll();
  ASSERT_EQ(bed.host.uplink_frames.size(), 1u);
  EXPECT_EQ(bed.host.uplink_frames[0], frame);
}

// Linux with VERSION_1 (any_header_sg) may put header and frame in one
// descriptor.
TEST(Datapath, TxHeaderAndFrameInOneDescriptor) {
  Bed bed;
  FakeDriver d = bed.Driver(0);
  ASSERT_TRUE(d.Init());
  const auto frame = Frame(kRemote, MacOf(bed.core.get(), 0), 700);
  std::vector<uint8_t> buf(12, 0);
  buf.insert(buf.end(), frame.begin(), frame.end());
  const uint64_t a = bed.ram.Alloc(buf.size(), 16);
  bed.ram.Put(a, buf.data(), buf.size());
  d.tx().AddAndKick({{a, uint32_t(buf.size()), false}});
  bed.RunAll();
  ASSERT_EQ(bed.host.uplink_frames.size(), 1u);
  EXPECT_EQ(bed.host.uplink_frames[0], frame);
}

TEST(Datapath, TxBeforeDriverOkIsPickedUpAtDriverOk) {
  Bed bed;
  FakeDriver d = bed.Driver(0);
  d.SetBusMaster(true);
  ASSERT_TRUE(d.Negotiate(kLinuxNetFeatures));
  for (uint16_t q = 0; q < 3; ++q) d.SetupQueue(q, 64, q + 1);
  d.Send(Frame(kRemote, MacOf(bed.core.get(), 0)));
  bed.RunAll();
  EXPECT_TRUE(bed.host.uplink_frames.empty());
  d.set_status(kAck | kDriver | kFeaturesOk | kDriverOk);
  bed.RunAll();
  EXPECT_EQ(bed.host.uplink_frames.size(), 1u);
}

TEST(Datapath, UplinkToRxWithoutMergeable) {
  Bed bed;
  FakeDriver d = bed.Driver(0);
  ASSERT_TRUE(d.Init(kLinuxNetFeatures & ~F(kMrgRxbuf)));
  const auto bufs = d.PostRx(4, 1526 + 12);
  const auto frame = Frame(MacOf(bed.core.get(), 0), kRemote, 1000);
  EXPECT_TRUE(snic_core_uplink_can_receive(bed.core.get()));
  EXPECT_EQ(
      snic_core_uplink_receive(bed.core.get(), frame.data(), frame.size()),
      frame.size());
  auto used = d.rx().GetUsed();
  ASSERT_TRUE(used);
  EXPECT_EQ(used->len, 12 + frame.size());
  EXPECT_EQ(RxPayload(bed.ram, bufs[0], used->len), frame);
  EXPECT_EQ(bed.ram.Get<uint16_t>(bufs[0] + 10), 1u);  // num_buffers
  EXPECT_EQ(bed.ram.Get<uint8_t>(bufs[0]), 0u);        // flags
  EXPECT_EQ(bed.host.msix.back(), std::make_pair(SnicFn{0}, uint16_t{1}));
  EXPECT_EQ(bed.Stats(0).rx_packets, 1u);
  EXPECT_EQ(bed.Stats(0).rx_bytes, frame.size());
}

TEST(Datapath, NonMergeableBufferTooSmallIsDroppedAndCounted) {
  Bed bed;
  FakeDriver d = bed.Driver(0);
  ASSERT_TRUE(d.Init(kLinuxNetFeatures & ~F(kMrgRxbuf)));
  d.PostRx(1, 100);
  const auto frame = Frame(MacOf(bed.core.get(), 0), kRemote, 200);
  EXPECT_EQ(
      snic_core_uplink_receive(bed.core.get(), frame.data(), frame.size()),
      frame.size());
  EXPECT_FALSE(d.rx().GetUsed());
  EXPECT_EQ(bed.Stats(0).rx_drop_too_small, 1u);
  // The buffer is still there for a frame that fits.
  const auto small = Frame(MacOf(bed.core.get(), 0), kRemote, 46);
  snic_core_uplink_receive(bed.core.get(), small.data(), small.size());
  EXPECT_TRUE(d.rx().GetUsed());
}

TEST(Datapath, MergeableSingleBuffer) {
  Bed bed;
  FakeDriver d = bed.Driver(0);
  ASSERT_TRUE(d.Init());
  const auto bufs = d.PostRx(8, 1536);
  const auto frame = Frame(MacOf(bed.core.get(), 0), kRemote, 500);
  snic_core_uplink_receive(bed.core.get(), frame.data(), frame.size());
  auto used = d.rx().GetUsed();
  ASSERT_TRUE(used);
  EXPECT_EQ(used->len, 12 + frame.size());
  EXPECT_EQ(bed.ram.Get<uint16_t>(bufs[0] + 10), 1u);
  EXPECT_EQ(RxPayload(bed.ram, bufs[0], used->len), frame);
}

TEST(Datapath, MergeableMultiBufferLargeFrame) {
  Bed bed;
  FakeDriver d = bed.Driver(0);
  ASSERT_TRUE(d.Init());
  const auto bufs = d.PostRx(8, 1000);
  const auto frame = Frame(MacOf(bed.core.get(), 0), kRemote, 3000);  // 3014
  snic_core_uplink_receive(bed.core.get(), frame.data(), frame.size());
  // 12 + 3014 = 3026 bytes over 4 buffers of 1000.
  EXPECT_EQ(d.rx().used_idx(), 4u);
  EXPECT_EQ(bed.ram.Get<uint16_t>(bufs[0] + 10), 4u);
  std::vector<uint8_t> got;
  uint32_t total = 0;
  for (int i = 0; i < 4; ++i) {
    auto u = d.rx().GetUsed();
    ASSERT_TRUE(u);
    total += u->len;
    auto b = bed.ram.Bytes(bufs[i], u->len);
    got.insert(got.end(), b.begin() + (i == 0 ? 12 : 0), b.end());
  }
  EXPECT_EQ(total, 3026u);
  EXPECT_EQ(got, frame);
  EXPECT_EQ(bed.host.msix.size(), 1u);  // one interrupt per frame
}

TEST(Datapath, MergeableNotEnoughBuffersKeepsThemAndDefers) {
  Bed bed;
  FakeDriver d = bed.Driver(0);
  ASSERT_TRUE(d.Init());
  d.PostRx(2, 1000);
  const auto frame = Frame(MacOf(bed.core.get(), 0), kRemote, 3000);
  // Single destination with too few buffers: QEMU must queue it.
  EXPECT_EQ(
      snic_core_uplink_receive(bed.core.get(), frame.data(), frame.size()), 0u);
  EXPECT_FALSE(snic_core_uplink_can_receive(bed.core.get()));
  EXPECT_EQ(d.rx().used_idx(), 0u);
  EXPECT_EQ(bed.host.flushes, 0);
  d.PostRx(2, 1000);
  EXPECT_EQ(bed.host.flushes, 1);
  EXPECT_TRUE(snic_core_uplink_can_receive(bed.core.get()));
  EXPECT_EQ(
      snic_core_uplink_receive(bed.core.get(), frame.data(), frame.size()),
      frame.size());
  EXPECT_EQ(d.rx().used_idx(), 4u);
}

TEST(Datapath, EventIdxSuppressesInterrupts) {
  Bed bed;
  FakeDriver d = bed.Driver(0);
  ASSERT_TRUE(d.Init());  // EVENT_IDX negotiated
  d.PostRx(8, 1536);
  const auto frame = Frame(MacOf(bed.core.get(), 0), kRemote);
  // used_event = 2: interrupt only when used idx passes 2 (i.e. at 3).
  d.rx().SetUsedEvent(2);
  bed.host.msix.clear();
  snic_core_uplink_receive(bed.core.get(), frame.data(), frame.size());
  EXPECT_EQ(bed.host.msix.size(), 1u);  // first one always signals
  snic_core_uplink_receive(bed.core.get(), frame.data(), frame.size());
  EXPECT_EQ(bed.host.msix.size(), 1u);
  snic_core_uplink_receive(bed.core.get(), frame.data(), frame.size());
  EXPECT_EQ(bed.host.msix.size(), 2u);  // used idx 2 -> 3 crosses event 2
  snic_core_uplink_receive(bed.core.get(), frame.data(), frame.size());
  EXPECT_EQ(bed.host.msix.size(), 2u);
}

TEST(Datapath, EventIdxAvailEventSuppressesKicks) {
  Bed bed;
  FakeDriver d = bed.Driver(0);
  ASSERT_TRUE(d.Init());
  const auto frame = Frame(kRemote, MacOf(bed.core.get(), 0));
  const int runs = bed.host.runs_scheduled;
  d.Send(frame);
  EXPECT_EQ(bed.host.runs_scheduled, runs + 1);
  // Not yet processed: the device has not asked for another kick.
  d.Send(frame);
  EXPECT_EQ(bed.host.runs_scheduled, runs + 1);
  bed.RunAll();
  EXPECT_EQ(bed.host.uplink_frames.size(), 2u);
  // Ring drained: avail_event points at the next entry, so it kicks.
  d.Send(frame);
  EXPECT_EQ(bed.host.runs_scheduled, runs + 2);
}

TEST(Datapath, NoInterruptFlagWithoutEventIdx) {
  Bed bed;
  FakeDriver d = bed.Driver(0);
  ASSERT_TRUE(d.Init(kLinuxNetFeatures & ~F(kEventIdx)));
  d.PostRx(4, 1536);
  const auto frame = Frame(MacOf(bed.core.get(), 0), kRemote);
  bed.host.msix.clear();
  d.rx().SetNoInterrupt(true);
  snic_core_uplink_receive(bed.core.get(), frame.data(), frame.size());
  EXPECT_TRUE(bed.host.msix.empty());
  EXPECT_EQ(d.rx().used_idx(), 1u);
  d.rx().SetNoInterrupt(false);
  snic_core_uplink_receive(bed.core.get(), frame.data(), frame.size());
  EXPECT_EQ(bed.host.msix.size(), 1u);
}

TEST(Datapath, IntxForQueueInterrupts) {
  Bed bed;
  bed.host.msix_on = false;
  FakeDriver d = bed.Driver(0);
  ASSERT_TRUE(d.Init());
  d.PostRx(4, 1536);
  const auto frame = Frame(MacOf(bed.core.get(), 0), kRemote);
  snic_core_uplink_receive(bed.core.get(), frame.data(), frame.size());
  ASSERT_FALSE(bed.host.intx.empty());
  EXPECT_EQ(bed.host.intx.back(), std::make_pair(SnicFn{0}, true));
  EXPECT_EQ(d.Read(kRegionIsr, 0, 1), 1u);
  EXPECT_EQ(bed.host.intx.back(), std::make_pair(SnicFn{0}, false));
}

TEST(Datapath, VfWithoutMsixGetsNoInterruptButStillWorks) {
  Bed bed(1);
  bed.host.msix_on = false;
  snic_core_set_num_vfs(bed.core.get(), 1);
  FakeDriver vf = bed.Driver(1);
  ASSERT_TRUE(vf.Init());
  vf.PostRx(2, 1536);
  const auto frame = Frame(MacOf(bed.core.get(), 1), kRemote);
  snic_core_uplink_receive(bed.core.get(), frame.data(), frame.size());
  EXPECT_EQ(vf.rx().used_idx(), 1u);
  EXPECT_TRUE(bed.host.intx.empty());
  EXPECT_TRUE(bed.host.msix.empty());
}

}  // namespace
}  // namespace snic::testing
