// TX backpressure between functions (device.h): a unicast frame whose
// only destination has an empty receiveq0 waits in the source's
// transmitq0 until that function posts buffers, at most kTxBlockNs.
// SPDX-License-Identifier: GPL-2.0-or-later
#include <gtest/gtest.h>

#include "fakes/switch_fixture.h"

namespace snic::testing {
namespace {

class Backpressure : public SwitchBed {
 protected:
  SnicStats Stats(SnicFn fn) { return bed_.Stats(fn); }
  uint16_t TxUsed(Port& p) { return p.drv().tx().used_idx(); }
  void FireTimerAt(uint64_t t) {
    bed_.host.now = t;
    snic_core_timer(core());
  }
  void SetRate(uint16_t vf, uint32_t mbps) {
    SnicVfPolicy p = Policy(vf);
    p.max_tx_rate = mbps;
    SetPolicy(vf, p);
  }
};

TEST_F(Backpressure, BlockedFrameDeliveredAfterDestinationPosts) {
  Start(2, /*post=*/false);
  bed_.host.now = 1'000'000;
  const auto f = Frame(vf(1).mac(), vf(0).mac());
  vf(0).Send(f);
  bed_.RunAll();
  // Still in the ring: neither used nor counted, nothing dropped.
  EXPECT_EQ(TxUsed(vf(0)), 0u);
  EXPECT_EQ(Stats(vf(0).fn()).tx_packets, 0u);
  EXPECT_EQ(Stats(vf(1).fn()).rx_drop_no_buffers, 0u);
  EXPECT_FALSE(snic_core_run(core()));  // waiting is not "more work"
  EXPECT_EQ(bed_.host.timer_deadline, bed_.host.now + kHoldNs);
  const int runs = bed_.host.runs_scheduled;
  vf(1).Post(4);  // the RX doorbell (EVENT_IDX asked for it) resumes vf0
  EXPECT_GT(bed_.host.runs_scheduled, runs);
  bed_.RunAll();
  EXPECT_EQ(vf(1).Received(), Frames{f});
  EXPECT_EQ(TxUsed(vf(0)), 1u);
  const SnicStats s0 = Stats(vf(0).fn());
  EXPECT_EQ(s0.tx_packets, 1u);
  EXPECT_EQ(s0.tx_bytes, f.size());
  EXPECT_EQ(Stats(vf(1).fn()).rx_drop_no_buffers, 0u);
  EXPECT_EQ(Stats(vf(1).fn()).rx_packets, 1u);
  EXPECT_TRUE(UplinkOut().empty());
}

TEST_F(Backpressure, HoldTimesOutAfterTenMsThenDropsAndCounts) {
  Start(2, /*post=*/false);
  bed_.host.now = 5'000'000;
  const uint64_t t0 = bed_.host.now;
  const auto f = Frame(vf(1).mac(), vf(0).mac());
  for (int i = 0; i < 3; ++i) vf(0).Send(f);
  bed_.RunAll();
  EXPECT_EQ(TxUsed(vf(0)), 0u);
  ASSERT_EQ(bed_.host.timer_deadline, t0 + kHoldNs);
  FireTimerAt(t0 + kHoldNs - 1);  // early: still held
  bed_.RunAll();
  EXPECT_EQ(TxUsed(vf(0)), 0u);
  FireTimerAt(t0 + kHoldNs);
  bed_.RunAll();
  // Today's fate for all three: dropped at vf1 and counted once each.
  EXPECT_EQ(TxUsed(vf(0)), 3u);
  EXPECT_EQ(Stats(vf(0).fn()).tx_packets, 3u);
  EXPECT_EQ(Stats(vf(1).fn()).rx_drop_no_buffers, 3u);
  EXPECT_TRUE(UplinkOut().empty());
  // Once vf1 posts buffers it is waited for again.
  vf(1).Post(2);
  vf(0).Send(f);
  bed_.RunAll();
  EXPECT_EQ(vf(1).Received(), Frames{f});
  EXPECT_EQ(Stats(vf(1).fn()).rx_drop_no_buffers, 3u);
}

TEST_F(Backpressure, OnlyTheBlockedSourceWaits) {
  Start(3, /*post=*/false);
  pf().Post(8);
  vf(2).Post(8);
  const auto blocked = Frame(vf(1).mac(), vf(0).mac());
  const auto behind = Frame(pf().mac(), vf(0).mac());
  vf(0).Send(blocked);
  vf(0).Send(behind);  // same ring: waits behind the blocked frame
  const auto a = Frame(pf().mac(), vf(2).mac());
  const auto b = Frame(vf(2).mac(), pf().mac());
  const auto c = Frame(kRemote, vf(2).mac());
  vf(2).Send(a);
  vf(2).Send(c);
  pf().Send(b);
  bed_.RunAll();
  EXPECT_EQ(pf().Received(), Frames{a});
  EXPECT_EQ(vf(2).Received(), Frames{b});
  EXPECT_EQ(UplinkOut(), Frames{c});
  EXPECT_EQ(TxUsed(vf(0)), 0u);
  vf(1).Post(1);
  bed_.RunAll();
  EXPECT_EQ(vf(1).Received(), Frames{blocked});
  EXPECT_EQ(pf().Received(), Frames{behind});
  EXPECT_EQ(TxUsed(vf(0)), 2u);
}

TEST_F(Backpressure, DestinationResetReleasesBlockedSource) {
  Start(2, /*post=*/false);
  const auto f = Frame(vf(1).mac(), vf(0).mac());
  vf(0).Send(f);
  bed_.RunAll();
  ASSERT_EQ(TxUsed(vf(0)), 0u);
  const int runs = bed_.host.runs_scheduled;
  snic_core_reset_function(core(), vf(1).fn());
  EXPECT_GT(bed_.host.runs_scheduled, runs);
  bed_.RunAll();
  // vf1 keeps its MAC but is not running: the frame is counted there and
  // does not leak to the uplink.
  EXPECT_EQ(TxUsed(vf(0)), 1u);
  EXPECT_EQ(Stats(vf(1).fn()).rx_drop_no_buffers, 1u);
  EXPECT_TRUE(UplinkOut().empty());
}

TEST_F(Backpressure, DestinationGuestResetDisableOrLinkDownReleases) {
  Start(3, /*post=*/false);
  const auto f1 = Frame(vf(1).mac(), vf(0).mac());
  const auto f2 = Frame(vf(2).mac(), vf(0).mac());
  // Guest reset of the destination (status 0).
  vf(0).Send(f1);
  bed_.RunAll();
  ASSERT_EQ(TxUsed(vf(0)), 0u);
  vf(1).drv().set_status(0);
  bed_.RunAll();
  EXPECT_EQ(TxUsed(vf(0)), 1u);
  // Link-state disable of the destination.
  vf(0).Send(f2);
  bed_.RunAll();
  ASSERT_EQ(TxUsed(vf(0)), 1u);
  SnicVfPolicy p = Policy(2);
  p.link_state = SNIC_LINK_DISABLE;
  SetPolicy(2, p);
  bed_.RunAll();
  EXPECT_EQ(TxUsed(vf(0)), 2u);
  EXPECT_EQ(Stats(vf(2).fn()).rx_drop_link_down, 1u);
  // VF disable of the destination.
  p.link_state = SNIC_LINK_AUTO;
  SetPolicy(2, p);
  vf(0).Send(f2);
  bed_.RunAll();
  ASSERT_EQ(TxUsed(vf(0)), 2u);
  snic_core_set_num_vfs(core(), 2);
  bed_.RunAll();
  EXPECT_EQ(TxUsed(vf(0)), 3u);
}

// The destination's RX ring turns out bad once it kicks: NEEDS_RESET, and
// the held frame is dropped there, not lost in the source's ring.
TEST_F(Backpressure, DestinationNeedsResetReleases) {
  Start(2, /*post=*/false);
  vf(0).Send(Frame(vf(1).mac(), vf(0).mac()));
  bed_.RunAll();
  ASSERT_EQ(TxUsed(vf(0)), 0u);
  auto& rx = vf(1).drv().rx();
  bed_.ram.Put<uint16_t>(rx.avail + 2, 1000);  // avail.idx past queue_size
  rx.Kick();
  bed_.RunAll();
  EXPECT_TRUE(vf(1).drv().status() & kNeedsReset);
  EXPECT_EQ(TxUsed(vf(0)), 1u);
  EXPECT_EQ(Stats(vf(1).fn()).rx_drop_no_buffers, 1u);
  EXPECT_FALSE(snic_core_run(core()));
}

TEST_F(Backpressure, SourceResetOrDisableClearsBlock) {
  Start(2, /*post=*/false);
  pf().Post(4);
  vf(0).Send(Frame(vf(1).mac(), vf(0).mac()));
  bed_.RunAll();
  ASSERT_EQ(TxUsed(vf(0)), 0u);
  snic_core_reset_function(core(), vf(0).fn());
  ASSERT_TRUE(vf(0).Init());
  const auto g = Frame(pf().mac(), vf(0).mac());
  vf(0).Send(g);
  bed_.RunAll();
  EXPECT_EQ(pf().Received(), Frames{g});
  // Blocked again, then the source VF is disabled and enabled.
  vf(0).Send(Frame(vf(1).mac(), vf(0).mac()));
  bed_.RunAll();
  snic_core_set_num_vfs(core(), 0);
  snic_core_set_num_vfs(core(), 2);
  ASSERT_TRUE(vf(0).Init());
  ASSERT_TRUE(vf(1).Init());
  vf(0).Send(g);
  bed_.RunAll();
  EXPECT_EQ(pf().Received(), Frames{g});
  EXPECT_EQ(Stats(vf(1).fn()).rx_drop_no_buffers, 0u);
}

TEST_F(Backpressure, MutualBlockDoesNotDeadlock) {
  Start(2, /*post=*/false);
  const auto ab = Frame(vf(1).mac(), vf(0).mac());
  const auto ba = Frame(vf(0).mac(), vf(1).mac());
  vf(0).Send(ab);
  vf(1).Send(ba);
  bed_.RunAll();
  EXPECT_EQ(TxUsed(vf(0)), 0u);
  EXPECT_EQ(TxUsed(vf(1)), 0u);
  vf(0).Post(1);
  bed_.RunAll();
  EXPECT_EQ(vf(0).Received(), Frames{ba});
  EXPECT_EQ(TxUsed(vf(1)), 1u);
  EXPECT_EQ(TxUsed(vf(0)), 0u);
  vf(1).Post(1);
  bed_.RunAll();
  EXPECT_EQ(vf(1).Received(), Frames{ab});
  EXPECT_EQ(TxUsed(vf(0)), 1u);
  EXPECT_EQ(Stats(vf(0).fn()).rx_drop_no_buffers, 0u);
  EXPECT_EQ(Stats(vf(1).fn()).rx_drop_no_buffers, 0u);
}

TEST_F(Backpressure, BlockedFrameIsChargedToTheRateLimitOnce) {
  Start(2, /*post=*/false);
  bed_.host.now = 1'000'000'000;
  SetRate(0, 2);  // bucket 100 ms = 25000 bytes: 17 frames of 1514 bytes
  const auto f = Frame(vf(1).mac(), vf(0).mac(), 1500);
  for (int i = 0; i < 10; ++i) vf(0).Send(f);
  for (int i = 0; i < 5; ++i) bed_.RunAll();  // retried while blocked
  EXPECT_EQ(TxUsed(vf(0)), 0u);
  vf(1).Post(32);
  bed_.RunAll();
  EXPECT_EQ(vf(1).Received().size(), 10u);
  EXPECT_EQ(Stats(vf(0).fn()).tx_rate_waits, 0u);
  // Exactly 7 more frames fit in what is left of the bucket.
  const auto g = Frame(kRemote, vf(0).mac(), 1500);
  for (int i = 0; i < 10; ++i) vf(0).Send(g);
  bed_.RunAll();
  EXPECT_EQ(UplinkOut().size(), 7u);
  EXPECT_EQ(Stats(vf(0).fn()).tx_rate_waits, 1u);
  EXPECT_EQ(Stats(vf(0).fn()).tx_packets, 17u);
}

TEST_F(Backpressure, BroadcastAndFloodKeepDropping) {
  Start(2, /*post=*/false);
  pf().Post(4);
  const auto bc = Frame({0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, vf(0).mac());
  vf(0).Send(bc);
  bed_.RunAll();
  EXPECT_EQ(TxUsed(vf(0)), 1u);
  EXPECT_EQ(Stats(vf(1).fn()).rx_drop_no_buffers, 1u);
  EXPECT_EQ(pf().Received(), Frames{bc});
}

}  // namespace
}  // namespace snic::testing
