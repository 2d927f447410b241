// Unit tests: TX, RX, mergeable buffers, forwarding between functions and
// the uplink, interrupt suppression (virtio 1.2 2.7, 5.1.6).
// SPDX-License-Identifier: GPL-2.0-or-later
#include <gtest/gtest.h>

#include "fakes/fake_driver.h"

namespace snic::testing {
namespace {

// Payload of a received buffer: skip the 12-byte virtio_net_hdr.
std::vector<uint8_t> RxPayload(GuestRam& ram, uint64_t addr, uint32_t len) {
  return ram.Bytes(addr + 12, len - 12);
}

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

TEST(Datapath, UplinkFrameForNobodyIsDropped) {
  Bed bed;
  FakeDriver d = bed.Driver(0);
  ASSERT_TRUE(d.Init());
  d.PostRx(2, 1536);
  const auto frame = Frame(kRemote, kRemote);
  EXPECT_EQ(
      snic_core_uplink_receive(bed.core.get(), frame.data(), frame.size()),
      frame.size());
  EXPECT_EQ(d.rx().used_idx(), 0u);
  // Runt frames are dropped too.
  const uint8_t runt[10] = {};
  EXPECT_EQ(snic_core_uplink_receive(bed.core.get(), runt, 10), 10u);
}

TEST(Datapath, UplinkNoBuffersThrottlesThenFlushes) {
  Bed bed;
  FakeDriver d = bed.Driver(0);
  ASSERT_TRUE(d.Init());
  const auto frame = Frame(MacOf(bed.core.get(), 0), kRemote);
  EXPECT_EQ(
      snic_core_uplink_receive(bed.core.get(), frame.data(), frame.size()), 0u);
  EXPECT_FALSE(snic_core_uplink_can_receive(bed.core.get()));
  d.PostRx(1, 1536);
  EXPECT_EQ(bed.host.flushes, 1);
  EXPECT_TRUE(snic_core_uplink_can_receive(bed.core.get()));
}

TEST(Datapath, ThrottleReleasedWhenTargetResets) {
  Bed bed;
  FakeDriver d = bed.Driver(0);
  ASSERT_TRUE(d.Init());
  const auto frame = Frame(MacOf(bed.core.get(), 0), kRemote);
  EXPECT_EQ(
      snic_core_uplink_receive(bed.core.get(), frame.data(), frame.size()), 0u);
  d.set_status(0);
  EXPECT_TRUE(snic_core_uplink_can_receive(bed.core.get()));
  EXPECT_EQ(bed.host.flushes, 1);
  // Not ready now: dropped and counted, not deferred.
  EXPECT_EQ(
      snic_core_uplink_receive(bed.core.get(), frame.data(), frame.size()),
      frame.size());
  EXPECT_EQ(bed.Stats(0).rx_drop_no_buffers, 1u);
}

TEST(Datapath, VfToVf) {
  Bed bed(4);
  snic_core_set_num_vfs(bed.core.get(), 2);
  FakeDriver a = bed.Driver(1), b = bed.Driver(2);
  ASSERT_TRUE(a.Init());
  ASSERT_TRUE(b.Init());
  const auto bbufs = b.PostRx(4, 1536);
  a.PostRx(4, 1536);
  const auto frame = Frame(MacOf(bed.core.get(), 2), MacOf(bed.core.get(), 1));
  a.Send(frame);
  bed.RunAll();
  EXPECT_TRUE(bed.host.uplink_frames.empty());  // never leaves the device
  auto u = b.rx().GetUsed();
  ASSERT_TRUE(u);
  EXPECT_EQ(RxPayload(bed.ram, bbufs[0], u->len), frame);
  EXPECT_FALSE(a.rx().GetUsed());
  EXPECT_EQ(bed.Stats(1).tx_packets, 1u);
  EXPECT_EQ(bed.Stats(2).rx_packets, 1u);
}

TEST(Datapath, VfToPfAndPfToVf) {
  Bed bed(2);
  snic_core_set_num_vfs(bed.core.get(), 1);
  FakeDriver pf = bed.Driver(0), vf = bed.Driver(1);
  ASSERT_TRUE(pf.Init());
  ASSERT_TRUE(vf.Init());
  const auto pbufs = pf.PostRx(2, 1536);
  const auto vbufs = vf.PostRx(2, 1536);
  const auto up = Frame(MacOf(bed.core.get(), 0), MacOf(bed.core.get(), 1));
  vf.Send(up);
  const auto down = Frame(MacOf(bed.core.get(), 1), MacOf(bed.core.get(), 0));
  pf.Send(down);
  bed.RunAll();
  auto u = pf.rx().GetUsed();
  ASSERT_TRUE(u);
  EXPECT_EQ(RxPayload(bed.ram, pbufs[0], u->len), up);
  u = vf.rx().GetUsed();
  ASSERT_TRUE(u);
  EXPECT_EQ(RxPayload(bed.ram, vbufs[0], u->len), down);
  EXPECT_TRUE(bed.host.uplink_frames.empty());
}

// A VF that is enabled but not running (no driver yet, reset, NEEDS_RESET)
// keeps its MAC in the switch, as a NIC whose VF queues are stopped: the
// frame is counted there (rx_drop_no_buffers, "queue not ready") and does
// not leak to the uplink. A VF that is not enabled is no port: its MAC is
// unknown unicast.
TEST(Datapath, FrameToNotReadyVfMacStaysInside) {
  Bed bed(4);
  snic_core_set_num_vfs(bed.core.get(), 2);
  FakeDriver pf = bed.Driver(0);
  ASSERT_TRUE(pf.Init());
  // VF 1 (fn 2) enabled but no driver.
  pf.Send(Frame(MacOf(bed.core.get(), 2), MacOf(bed.core.get(), 0)));
  bed.RunAll();
  EXPECT_TRUE(bed.host.uplink_frames.empty());
  EXPECT_EQ(bed.Stats(2).rx_drop_no_buffers, 1u);
  // VF 3 (fn 4) is not enabled: unknown, nothing counted on it.
  SnicVfPolicy p3{};
  ASSERT_TRUE(snic_core_get_vf_policy(bed.core.get(), 3, &p3));
  std::array<uint8_t, 6> mac3;
  std::copy(p3.mac, p3.mac + 6, mac3.begin());
  pf.Send(Frame(mac3, MacOf(bed.core.get(), 0)));
  bed.RunAll();
  EXPECT_EQ(bed.host.uplink_frames.size(), 1u);
  EXPECT_EQ(bed.Stats(4).rx_drop_no_buffers, 0u);
}

TEST(Datapath, BroadcastReplicatedWithoutHairpin) {
  Bed bed(4);
  snic_core_set_num_vfs(bed.core.get(), 3);
  std::vector<FakeDriver> drv;
  for (SnicFn fn = 0; fn <= 3; ++fn) {
    drv.push_back(bed.Driver(fn));
    ASSERT_TRUE(drv.back().Init());
    drv.back().PostRx(2, 1536);
  }
  const auto frame = Frame(kBroadcast, MacOf(bed.core.get(), 2), 60, 0x0806);
  drv[2].Send(frame);
  bed.RunAll();
  for (SnicFn fn = 0; fn <= 3; ++fn) {
    EXPECT_EQ(drv[fn].rx().used_idx(), fn == 2 ? 0u : 1u) << fn;
  }
  ASSERT_EQ(bed.host.uplink_frames.size(), 1u);
  EXPECT_EQ(bed.host.uplink_frames[0], frame);
  // From the uplink: every function, nothing back out.
  snic_core_uplink_receive(bed.core.get(), frame.data(), frame.size());
  for (SnicFn fn = 0; fn <= 3; ++fn) {
    EXPECT_EQ(drv[fn].rx().used_idx(), fn == 2 ? 1u : 2u) << fn;
  }
  EXPECT_EQ(bed.host.uplink_frames.size(), 1u);
}

TEST(Datapath, UnknownUnicastFromVfGoesToUplinkOnly) {
  Bed bed(2);
  snic_core_set_num_vfs(bed.core.get(), 1);
  FakeDriver pf = bed.Driver(0), vf = bed.Driver(1);
  ASSERT_TRUE(pf.Init());
  ASSERT_TRUE(vf.Init());
  pf.PostRx(2, 1536);
  vf.Send(Frame(kRemote, MacOf(bed.core.get(), 1)));
  bed.RunAll();
  EXPECT_EQ(bed.host.uplink_frames.size(), 1u);
  EXPECT_EQ(pf.rx().used_idx(), 0u);
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

TEST(Datapath, RunHonoursBudgetAcrossFunctions) {
  Bed bed(1);
  snic_core_set_num_vfs(bed.core.get(), 1);
  FakeDriver pf = bed.Driver(0), vf = bed.Driver(1);
  ASSERT_TRUE(pf.Init(kLinuxNetFeatures, 256));
  ASSERT_TRUE(vf.Init(kLinuxNetFeatures, 256));
  const auto frame = Frame(kRemote, MacOf(bed.core.get(), 0));
  const auto vframe = Frame(kRemote, MacOf(bed.core.get(), 1));  // spoofchk
  for (int i = 0; i < 200; ++i) {
    pf.Send(frame, /*indirect=*/true);
    vf.Send(vframe, /*indirect=*/true);
  }
  EXPECT_TRUE(snic_core_run(bed.core.get()));
  EXPECT_EQ(bed.host.uplink_frames.size(), 256u);
  // Round-robin: both functions made progress.
  EXPECT_EQ(bed.Stats(0).tx_packets, 128u);
  EXPECT_EQ(bed.Stats(1).tx_packets, 128u);
  EXPECT_FALSE(snic_core_run(bed.core.get()));
  EXPECT_EQ(bed.host.uplink_frames.size(), 400u);
}

TEST(Datapath, UplinkBusyPausesTxUntilSendDone) {
  Bed bed;
  FakeDriver d = bed.Driver(0);
  ASSERT_TRUE(d.Init());
  bed.host.uplink_accepts = false;
  const auto frame = Frame(kRemote, MacOf(bed.core.get(), 0));
  d.Send(frame);
  d.Send(frame);
  d.Send(frame);
  EXPECT_FALSE(snic_core_run(bed.core.get()));
  EXPECT_EQ(bed.host.uplink_frames.size(), 1u);  // queued by the backend
  bed.host.uplink_accepts = true;
  const int runs = bed.host.runs_scheduled;
  snic_core_uplink_send_done(bed.core.get());
  EXPECT_EQ(bed.host.runs_scheduled, runs + 1);
  bed.RunAll();
  EXPECT_EQ(bed.host.uplink_frames.size(), 3u);
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

}  // namespace
}  // namespace snic::testing

namespace snic::testing {
namespace {

TEST(Datapath, StarvingFunctionCannotStallUplinkForever) {
  Bed bed;
  FakeDriver d = bed.Driver(0);
  ASSERT_TRUE(d.Init());
  const auto frame = Frame(MacOf(bed.core.get(), 0), kRemote);
  EXPECT_EQ(
      snic_core_uplink_receive(bed.core.get(), frame.data(), frame.size()), 0u);
  ASSERT_NE(bed.host.timer_deadline, 0u);
  bed.host.now = bed.host.timer_deadline - 1;
  snic_core_timer(bed.core.get());  // early: re-armed, still throttled
  EXPECT_FALSE(snic_core_uplink_can_receive(bed.core.get()));
  bed.host.now = bed.host.timer_deadline;
  snic_core_timer(bed.core.get());
  EXPECT_TRUE(snic_core_uplink_can_receive(bed.core.get()));
  EXPECT_EQ(bed.host.flushes, 1);
  // Starved: dropped and counted instead of deferred.
  EXPECT_EQ(
      snic_core_uplink_receive(bed.core.get(), frame.data(), frame.size()),
      frame.size());
  EXPECT_EQ(bed.Stats(0).rx_drop_no_buffers, 1u);
  // Posting buffers ends starvation.
  d.PostRx(1, 1536);
  snic_core_uplink_receive(bed.core.get(), frame.data(), frame.size());
  EXPECT_EQ(d.rx().used_idx(), 1u);
  EXPECT_EQ(
      snic_core_uplink_receive(bed.core.get(), frame.data(), frame.size()), 0u);
}

}  // namespace
}  // namespace snic::testing

namespace snic::testing {
namespace {

// QEMU re-enters the core from uplink_flush (queued frames are delivered
// synchronously): the core must have finished its state change first.
TEST(Datapath, FlushReentersReceiveSafely) {
  Bed bed;
  FakeDriver d = bed.Driver(0);
  ASSERT_TRUE(d.Init());
  const auto frame = Frame(MacOf(bed.core.get(), 0), kRemote, 100);
  std::vector<std::vector<uint8_t>> queued;
  auto deliver = [&] {
    while (!queued.empty() && snic_core_uplink_can_receive(bed.core.get())) {
      const auto& f = queued.front();
      if (snic_core_uplink_receive(bed.core.get(), f.data(), f.size()) == 0) {
        return;
      }
      queued.erase(queued.begin());
    }
  };
  bed.host.on_flush = deliver;
  for (int i = 0; i < 3; ++i) {
    if (!snic_core_uplink_can_receive(bed.core.get()) ||
        snic_core_uplink_receive(bed.core.get(), frame.data(), frame.size()) ==
            0) {
      queued.push_back(frame);
    }
  }
  EXPECT_EQ(queued.size(), 3u);
  d.PostRx(1, 1536);  // flush -> one frame delivered, the next deferred
  EXPECT_EQ(d.rx().used_idx(), 1u);
  EXPECT_EQ(queued.size(), 2u);
  d.PostRx(4, 1536);
  EXPECT_EQ(d.rx().used_idx(), 3u);
  EXPECT_TRUE(queued.empty());
  EXPECT_EQ(bed.Stats(0).rx_packets, 3u);
}

}  // namespace
}  // namespace snic::testing

namespace snic::testing {
namespace {

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

}  // namespace
}  // namespace snic::testing
