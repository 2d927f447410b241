// Unit tests: the TX scheduler (device/tx_scheduler.h) alone: doorbells,
// round-robin over functions and lanes, holds and their deadlines, the
// releases, expiry and starvation, the rate limit, Forget.
// SPDX-License-Identifier: GPL-2.0-or-later
#include "device/tx_scheduler.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

namespace snic::testing {
namespace {

using device::Hold;
using device::kHoldNs;
using device::kNever;
using device::LaneRef;
using device::TxScheduler;

constexpr uint64_t kT0 = 1'000'000'000;  // a "now" well past zero

// The next @n lanes Next() hands out.
std::vector<std::pair<FnId, uint16_t>> Picks(TxScheduler& s, int n) {
  std::vector<std::pair<FnId, uint16_t>> out;
  for (int i = 0; i < n; ++i) {
    const std::optional<LaneRef> l = s.Next();
    if (!l) break;
    out.emplace_back(l->fn, l->lane);
  }
  return out;
}
using Order = std::vector<std::pair<FnId, uint16_t>>;

TEST(TxScheduler, StartsIdle) {
  TxScheduler s(4);
  EXPECT_FALSE(s.HasWork());
  EXPECT_EQ(s.Next(), std::nullopt);
  EXPECT_EQ(s.NextDeadline(), kNever);
  EXPECT_FALSE(s.TakeDeadlineChange());
  for (FnId fn = 0; fn < 4; ++fn) {
    EXPECT_FALSE(s.hold_of({fn, 0}).active());
    EXPECT_FALSE(s.starved(fn));
    EXPECT_TRUE(s.MayHoldFor({0, 0}, fn));
  }
}

// ---- doorbells and what ends them ----

TEST(TxScheduler, KickMakesALanePendingUntilIdle) {
  TxScheduler s(3);
  s.Kick(1, 1);
  EXPECT_TRUE(s.HasWork());
  EXPECT_EQ(Picks(s, 3), (Order{{1, 0}, {1, 0}, {1, 0}}));  // stays pending
  s.Consumed({1, 0});  // one frame done: the lane may have more
  EXPECT_TRUE(s.HasWork());
  s.Idle({1, 0});  // its queue is empty
  EXPECT_FALSE(s.HasWork());
  EXPECT_EQ(s.Next(), std::nullopt);
}

TEST(TxScheduler, KickIgnoresLanesThatDoNotExist) {
  TxScheduler s(2);
  s.Kick(0, 0b110);  // one lane: bits 1 and 2 name nothing
  EXPECT_FALSE(s.HasWork());
  s.SetLanes(0, 3);
  s.Kick(0, 0b110);
  EXPECT_EQ(Picks(s, 2), (Order{{0, 1}, {0, 2}}));
  s.Kick(1, 0);  // no bits
  EXPECT_EQ(Picks(s, 3), (Order{{0, 1}, {0, 2}, {0, 1}}));
}

TEST(TxScheduler, SetLanesStartsAfresh) {
  TxScheduler s(2);
  s.Kick(1, 1);
  s.SetLanes(1, 2);
  EXPECT_FALSE(s.HasWork());  // new lanes have no doorbell yet
  s.SetLanes(1, 0);           // at least one lane
  s.Kick(1, 1);
  EXPECT_EQ(Picks(s, 1), (Order{{1, 0}}));
}

// ---- round-robin ----

TEST(TxScheduler, RoundRobinAcrossFunctions) {
  TxScheduler s(4);
  s.Kick(3, 1);
  s.Kick(0, 1);
  s.Kick(2, 1);
  EXPECT_EQ(Picks(s, 6),
            (Order{{0, 0}, {2, 0}, {3, 0}, {0, 0}, {2, 0}, {3, 0}}));
}

TEST(TxScheduler, RoundRobinAcrossLanesThenFunctions) {
  TxScheduler s(3);
  s.SetLanes(1, 3);
  s.Kick(0, 1);
  s.Kick(1, 0b101);
  s.Kick(2, 1);
  EXPECT_EQ(
      Picks(s, 8),
      (Order{{0, 0}, {1, 0}, {1, 2}, {2, 0}, {0, 0}, {1, 0}, {1, 2}, {2, 0}}));
}

// Next() continues after the last lane it picked, wherever the others
// stand: a function that keeps ringing cannot starve the rest.
TEST(TxScheduler, NextStartsAfterTheLastPick) {
  TxScheduler s(4);
  s.Kick(1, 1);
  s.Kick(2, 1);
  EXPECT_EQ(Picks(s, 1), (Order{{1, 0}}));
  s.Kick(0, 1);  // before the cursor: its turn comes after 2
  s.Kick(1, 1);
  EXPECT_EQ(Picks(s, 4), (Order{{2, 0}, {0, 0}, {1, 0}, {2, 0}}));
  s.Idle({2, 0});
  s.Idle({0, 0});
  EXPECT_EQ(Picks(s, 2), (Order{{1, 0}, {1, 0}}));  // alone: every turn
}

TEST(TxScheduler, FairnessUnderLoad) {
  TxScheduler s(5);
  s.SetLanes(2, 2);
  for (FnId fn = 0; fn < 5; ++fn) s.Kick(fn, 0b11);
  std::vector<int> turns(6, 0);  // fn 2 has two lanes
  for (int i = 0; i < 600; ++i) {
    const LaneRef l = *s.Next();
    turns[l.fn == 2 ? 2 + l.lane : l.fn + (l.fn > 2)]++;
  }
  for (int t : turns) EXPECT_EQ(t, 100);
}

// ---- holds for RX buffers ----

TEST(TxScheduler, HoldForRxBlocksTheLaneWithADeadline) {
  TxScheduler s(3);
  s.Kick(1, 1);
  s.Kick(2, 1);
  s.HoldForRx({1, 0}, /*dst=*/2, kT0);
  const Hold& h = s.hold_of({1, 0});
  EXPECT_EQ(h.what, Hold::For::kRxBuffers);
  EXPECT_EQ(h.dst, 2u);
  EXPECT_EQ(h.deadline, kT0 + kHoldNs);
  EXPECT_TRUE(h.blocking());
  EXPECT_EQ(Picks(s, 3), (Order{{2, 0}, {2, 0}, {2, 0}}));
  EXPECT_EQ(s.NextDeadline(), kT0 + kHoldNs);
  EXPECT_TRUE(s.TakeDeadlineChange());
  EXPECT_FALSE(s.TakeDeadlineChange());  // taken
  s.Idle({2, 0});
  EXPECT_FALSE(s.HasWork());  // a held lane is not work
}

TEST(TxScheduler, HoldingTheSameFrameAgainKeepsItsDeadline) {
  TxScheduler s(3);
  s.Kick(1, 1);
  s.HoldForRx({1, 0}, 2, kT0);
  ASSERT_TRUE(s.ReleaseWaitersOn(2));  // an RX doorbell: retry
  EXPECT_EQ(s.Next()->fn, 1u);
  s.HoldForRx({1, 0}, 2, kT0 + 9'000'000);  // nothing was posted
  EXPECT_EQ(s.hold_of({1, 0}).deadline, kT0 + kHoldNs);
  EXPECT_EQ(s.NextDeadline(), kT0 + kHoldNs);
  // Consumed: the next frame is a new one, with a new deadline.
  s.Consumed({1, 0});
  EXPECT_FALSE(s.hold_of({1, 0}).active());
  s.HoldForRx({1, 0}, 2, kT0 + 9'000'000);
  EXPECT_EQ(s.hold_of({1, 0}).deadline, kT0 + 9'000'000 + kHoldNs);
  // So is the head frame after the lane went idle.
  s.Idle({1, 0});
  s.Kick(1, 1);
  s.HoldForRx({1, 0}, 2, kT0 + 12'000'000);
  EXPECT_EQ(s.hold_of({1, 0}).deadline, kT0 + 12'000'000 + kHoldNs);
  // A head frame held for another destination is another wait.
  s.HoldForRx({1, 0}, 0, kT0 + 13'000'000);
  EXPECT_EQ(s.hold_of({1, 0}).dst, 0u);
  EXPECT_EQ(s.hold_of({1, 0}).deadline, kT0 + 13'000'000 + kHoldNs);
}

TEST(TxScheduler, ReleaseWaitersOnOneDestination) {
  TxScheduler s(4);
  for (FnId fn : {0, 1, 2}) s.Kick(fn, 1);
  s.HoldForRx({0, 0}, 3, kT0);
  s.HoldForRx({1, 0}, 3, kT0 + 1);
  s.HoldForRx({2, 0}, 1, kT0 + 2);
  EXPECT_FALSE(s.ReleaseWaitersOn(0));  // nobody waits on 0
  EXPECT_TRUE(s.ReleaseWaitersOn(3));
  EXPECT_FALSE(s.ReleaseWaitersOn(3));  // already released
  EXPECT_TRUE(s.hold_of({0, 0}).release);
  EXPECT_TRUE(s.hold_of({1, 0}).release);
  EXPECT_FALSE(s.hold_of({2, 0}).release);
  // Released holds are eligible and no longer a deadline.
  EXPECT_EQ(Picks(s, 3), (Order{{0, 0}, {1, 0}, {0, 0}}));
  EXPECT_EQ(s.NextDeadline(), kT0 + 2 + kHoldNs);
  // The released hold is still there (retried, not consumed).
  EXPECT_EQ(s.hold_of({0, 0}).what, Hold::For::kRxBuffers);
}

TEST(TxScheduler, ReleaseWaitersIf) {
  TxScheduler s(5);
  for (FnId fn : {0, 1, 2}) s.Kick(fn, 1);
  s.HoldForRx({0, 0}, 3, kT0);
  s.HoldForRx({1, 0}, 4, kT0);
  s.HoldForRx({2, 0}, 3, kT0);
  s.HoldForUplink({2, 0});  // replaced: waits for the uplink now
  std::vector<FnId> asked;
  EXPECT_TRUE(s.ReleaseWaitersIf([&](FnId dst) {
    asked.push_back(dst);
    return dst == 4;
  }));
  EXPECT_EQ(asked, (std::vector<FnId>{3, 4}));  // uplink holds not asked
  EXPECT_FALSE(s.hold_of({0, 0}).release);
  EXPECT_TRUE(s.hold_of({1, 0}).release);
  EXPECT_FALSE(s.ReleaseWaitersIf([](FnId) { return false; }));
}

// ---- holds for the uplink ----

TEST(TxScheduler, UplinkHoldsHaveNoDeadlineAndEndOnSendDone) {
  TxScheduler s(3);
  s.Kick(0, 1);
  s.Kick(1, 1);
  s.HoldForUplink({0, 0});
  s.HoldForRx({1, 0}, 2, kT0);
  EXPECT_EQ(s.hold_of({0, 0}).what, Hold::For::kUplink);
  EXPECT_TRUE(s.hold_of({0, 0}).blocking());
  EXPECT_FALSE(s.HasWork());
  EXPECT_EQ(s.NextDeadline(), kT0 + kHoldNs);  // the RX hold's only
  EXPECT_FALSE(s.ReleaseWaitersOn(0));         // not an RX hold
  EXPECT_TRUE(s.Expire(kT0 + 100 * kHoldNs));  // fn 1's RX hold expires
  // An uplink hold never expires.
  EXPECT_FALSE(s.hold_of({0, 0}).expired);
  EXPECT_TRUE(s.hold_of({0, 0}).blocking());
  EXPECT_TRUE(s.ReleaseUplinkWaiters());
  EXPECT_FALSE(s.hold_of({0, 0}).active());  // over, not a retry
  EXPECT_FALSE(s.ReleaseUplinkWaiters());
  EXPECT_EQ(s.hold_of({1, 0}).what, Hold::For::kRxBuffers);  // untouched
  EXPECT_EQ(Picks(s, 1), (Order{{0, 0}}));
}

// ---- expiry and starvation ----

TEST(TxScheduler, ExpireReleasesWithoutWaitingAndStarvesTheDestination) {
  TxScheduler s(4);
  s.Kick(0, 1);
  s.Kick(1, 1);
  s.HoldForRx({0, 0}, 2, kT0);
  s.HoldForRx({1, 0}, 3, kT0 + 5'000'000);
  EXPECT_TRUE(s.MayHoldFor({0, 0}, 2));
  EXPECT_FALSE(s.Expire(kT0 + kHoldNs - 1));  // early: nothing
  EXPECT_FALSE(s.hold_of({0, 0}).expired);
  EXPECT_TRUE(s.Expire(kT0 + kHoldNs));
  const Hold& h = s.hold_of({0, 0});
  EXPECT_TRUE(h.expired);
  EXPECT_TRUE(h.release);
  EXPECT_FALSE(h.blocking());
  EXPECT_TRUE(s.starved(2));
  EXPECT_FALSE(s.starved(3));
  EXPECT_FALSE(s.hold_of({1, 0}).expired);  // its own deadline is later
  // The retry may not wait: not for this hold, and nobody for dst 2.
  EXPECT_FALSE(s.MayHoldFor({0, 0}, 2));
  EXPECT_FALSE(s.MayHoldFor({1, 0}, 2));
  EXPECT_TRUE(s.MayHoldFor({1, 0}, 3));
  EXPECT_EQ(s.NextDeadline(), kT0 + 5'000'000 + kHoldNs);
  EXPECT_EQ(Picks(s, 1), (Order{{0, 0}}));
  EXPECT_FALSE(s.Expire(kT0 + kHoldNs + 1));  // expires once
  // A delivery to 2 ends its starvation; the expired frame is still the
  // one that may not wait, until it is consumed.
  s.Fed(2);
  EXPECT_FALSE(s.starved(2));
  EXPECT_FALSE(s.MayHoldFor({0, 0}, 2));
  EXPECT_TRUE(s.MayHoldFor({1, 0}, 2));
  s.Consumed({0, 0});
  EXPECT_TRUE(s.MayHoldFor({0, 0}, 2));
  s.Starve(3);
  EXPECT_FALSE(s.MayHoldFor({0, 0}, 3));
}

TEST(TxScheduler, NextDeadlineIsTheEarliestBlockingOne) {
  TxScheduler s(4);
  for (FnId fn : {0, 1, 2}) s.Kick(fn, 1);
  s.HoldForRx({0, 0}, 3, kT0 + 3);
  s.HoldForRx({1, 0}, 3, kT0 + 1);
  s.HoldForRx({2, 0}, 0, kT0 + 2);
  EXPECT_EQ(s.NextDeadline(), kT0 + 1 + kHoldNs);
  s.ReleaseWaitersOn(3);
  EXPECT_EQ(s.NextDeadline(), kT0 + 2 + kHoldNs);
  s.Consumed({2, 0});
  EXPECT_EQ(s.NextDeadline(), kNever);
}

// ---- the rate limit ----

TEST(TxScheduler, RateLimitedFunctionWaitsUntilTheBucketRefills) {
  TxScheduler s(3);
  s.Kick(1, 1);
  s.Kick(2, 1);
  // 2 Mbit/s: 100 ms of bucket = 25000 bytes; resume at a tenth.
  s.ConfigureRate(1, 2, 1518, kT0);
  EXPECT_TRUE(s.TakeDeadlineChange());
  EXPECT_TRUE(s.RateReady(1, kT0));
  s.Charge(1, 25'000);
  EXPECT_TRUE(s.RateReady(1, kT0));  // empty, not in debt
  s.Charge(1, 1000);
  EXPECT_FALSE(s.RateReady(1, kT0));
  EXPECT_TRUE(s.TakeDeadlineChange());
  // 1000 bytes of debt + 2500 bytes at 0.25 bytes/us.
  const uint64_t ready = kT0 + 14'000'000;
  EXPECT_EQ(s.NextDeadline(), ready);
  EXPECT_EQ(Picks(s, 2), (Order{{2, 0}, {2, 0}}));  // fn 1 is not eligible
  s.Idle({2, 0});
  EXPECT_FALSE(s.HasWork());
  EXPECT_FALSE(s.Expire(ready - 1));
  EXPECT_FALSE(s.HasWork());
  EXPECT_TRUE(s.Expire(ready));  // the timer wakes it
  EXPECT_TRUE(s.HasWork());
  EXPECT_EQ(s.NextDeadline(), kNever);
  EXPECT_EQ(Picks(s, 1), (Order{{1, 0}}));
  EXPECT_TRUE(s.RateReady(1, ready));
  // Other functions are never charged.
  s.Charge(2, 1'000'000'000);
  EXPECT_TRUE(s.RateReady(2, ready));
}

// Regression (CI, ixgbe-policy on 6.1: "ixgbevf: Detected Tx Unit Hang" on
// VF0's queue 1 under max_tx_rate 20). A rate-limited function with two
// busy lanes sends one frame per wake-up (a TSO frame puts it in debt).
// Other functions transmitting while it waited moved the cursor past it,
// so every wake-up found its lane 0 first and lane 1 never sent. A
// function keeps its own place among its lanes while it waits.
TEST(TxScheduler, RateLimitedFunctionServesAllItsLanes) {
  TxScheduler s(3);
  s.SetLanes(1, 2);
  s.ConfigureRate(1, 20, 65536, kT0);
  s.Kick(1, 0b11);
  s.Kick(2, 1);  // the receiver's ACKs: always something to send
  std::vector<int> sent(2, 0);
  uint64_t now = kT0;
  for (int wake = 0; wake < 40; ++wake) {
    for (int pick = 0; pick < 4; ++pick) {
      const std::optional<LaneRef> l = s.Next();
      ASSERT_TRUE(l);
      if (l->fn != 1) continue;  // fn 2 sends its frame
      // Device::Run: the lane sends while the bucket allows.
      while (s.RateReady(1, now)) {
        s.Charge(1, 65536);
        sent[l->lane]++;
      }
    }
    now = s.NextDeadline();
    ASSERT_NE(now, kNever);
    ASSERT_TRUE(s.Expire(now));
  }
  EXPECT_GE(sent[0], 10);
  EXPECT_GE(sent[1], 10);
}

TEST(TxScheduler, RemovingTheLimitResumesAtOnce) {
  TxScheduler s(2);
  s.Kick(1, 1);
  s.ConfigureRate(1, 1, 1518, kT0);
  s.Charge(1, 1'000'000);
  ASSERT_FALSE(s.RateReady(1, kT0));
  ASSERT_FALSE(s.HasWork());
  s.ConfigureRate(1, 0, 1518, kT0);
  EXPECT_TRUE(s.HasWork());
  EXPECT_TRUE(s.RateReady(1, kT0));
  EXPECT_EQ(s.NextDeadline(), kNever);
  // Reconfiguring a limit starts with a full bucket.
  s.ConfigureRate(1, 1, 1518, kT0);
  EXPECT_TRUE(s.RateReady(1, kT0));
}

TEST(TxScheduler, UnlimitedIsAlwaysReady) {
  TxScheduler s(2);
  s.Charge(1, 1'000'000'000);
  EXPECT_TRUE(s.RateReady(1, 0));
  EXPECT_FALSE(s.TakeDeadlineChange());
}

// ---- Forget ----

TEST(TxScheduler, ForgetClearsEverythingOfOneFunction) {
  TxScheduler s(4);
  s.SetLanes(1, 2);
  s.Kick(1, 0b11);
  s.Kick(2, 1);
  s.HoldForRx({1, 0}, 3, kT0);
  s.HoldForUplink({1, 1});
  s.HoldForRx({2, 0}, 1, kT0);
  s.ConfigureRate(1, 1, 1518, kT0);
  s.Charge(1, 1'000'000);
  ASSERT_FALSE(s.RateReady(1, kT0));
  s.Starve(1);
  s.Forget(1);
  EXPECT_FALSE(s.hold_of({1, 0}).active());
  EXPECT_FALSE(s.hold_of({1, 1}).active());
  EXPECT_FALSE(s.starved(1));
  EXPECT_EQ(s.NextDeadline(), kT0 + kHoldNs);  // fn 2's hold only
  // Nothing pending: a reset function's doorbells are gone.
  s.ReleaseWaitersOn(1);
  EXPECT_EQ(Picks(s, 2), (Order{{2, 0}, {2, 0}}));
  // Another function's hold on it is not Forget's business (the device
  // releases holds on a port that cannot receive).
  EXPECT_EQ(s.hold_of({2, 0}).dst, 1u);
  // Its lanes still exist: a doorbell after the reset works.
  s.Kick(1, 0b10);
  EXPECT_EQ(Picks(s, 2), (Order{{1, 1}, {2, 0}}));
}

}  // namespace
}  // namespace snic::testing
