// Unit tests: the device's run loop and uplink port through the C ABI:
// the TX budget and round-robin, the netdev busy, the uplink's RX hold
// (throttle, release, starvation) and re-entry from a synchronous flush.
// SPDX-License-Identifier: GPL-2.0-or-later
#include <gtest/gtest.h>

#include "fakes/fake_driver.h"

namespace snic::testing {
namespace {

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

}  // namespace
}  // namespace snic::testing
