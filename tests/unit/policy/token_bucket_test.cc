// Unit tests: the max-tx-rate token bucket (policy/token_bucket.h): exact
// integer refill on a caller's clock, depth, debt and the resume point.
// SPDX-License-Identifier: GPL-2.0-or-later
#include "policy/token_bucket.h"

#include <gtest/gtest.h>

#include <cstdint>

namespace snic::testing {
namespace {

TEST(TokenBucket, UnlimitedIsAlwaysReady) {
  policy::TokenBucket b;
  b.Configure(0, 1518, 0);
  for (int i = 0; i < 1000; ++i) b.Charge(65536);
  EXPECT_TRUE(b.Ready(0));
}

TEST(TokenBucket, DepthIsHundredMillisecondsOrTwoFrames) {
  policy::TokenBucket b;
  b.Configure(1000, 1518, 0);  // 125 bytes/us: 100 ms = 12500000 bytes
  int sent = 0;
  while (b.Ready(0)) {
    b.Charge(1000);
    ++sent;
  }
  EXPECT_EQ(sent, 12501);  // 12500 fill the bucket, the 12501st goes into debt
  // Debt of 1000 bytes paid in 8 us; resume at a tenth of the bucket
  // (1250000 bytes) 10000 us later.
  EXPECT_FALSE(b.Ready(7999));
  EXPECT_TRUE(b.Ready(8000));
  EXPECT_EQ(b.ReadyAt(8000), 10'008'000u);
  // Slow rate, large frames: two max frames of depth.
  policy::TokenBucket s;
  s.Configure(1, 9018, 0);  // 100 ms at 1 Mbit/s = 12500 bytes < 18036
  s.Charge(18036);
  EXPECT_TRUE(s.Ready(0));
  s.Charge(1);
  EXPECT_FALSE(s.Ready(0));
}

TEST(TokenBucket, LongRunRateIsExact) {
  policy::TokenBucket b;
  b.Configure(300, 1518, 0);
  uint64_t now = 0, bytes = 0;
  while (now < 1'000'000'000) {
    if (b.Ready(now)) {
      b.Charge(1514);
      bytes += 1514;
    } else {
      now = b.ReadyAt(now);
    }
  }
  // 300 Mbit/s for 1 s = 37.5 MB, plus the initial 100 ms bucket, minus
  // what is left in the bucket at the end (below a tenth of it).
  EXPECT_LE(double(bytes), 37.5e6 + 3.75e6 + 1514);
  EXPECT_GE(double(bytes), 37.5e6 + 3.75e6 - 375e3 - 1514);
}

// A main loop that runs the timer late loses nothing within the depth: a
// 100 ms gap at the rate refills exactly 100 ms of tokens.
TEST(TokenBucket, LateTimersLoseNoTokens) {
  policy::TokenBucket b;
  b.Configure(8, 1518, 0);  // 1 byte/us: 100 ms = 100000 bytes
  b.Charge(100'000);        // empty
  EXPECT_TRUE(b.Ready(0));
  b.Charge(1);
  EXPECT_FALSE(b.Ready(0));
  EXPECT_TRUE(b.Ready(100'001'000));  // 100 ms late: the debt and a full
  b.Charge(100'000);                  // bucket came back, no more
  EXPECT_TRUE(b.Ready(100'001'000));
  b.Charge(1);
  EXPECT_FALSE(b.Ready(100'001'000));
  // Beyond the depth, it stops filling.
  EXPECT_TRUE(b.Ready(10'000'000'000));
  b.Charge(100'001);
  EXPECT_FALSE(b.Ready(10'000'000'000));
}

TEST(TokenBucket, ReadyAtIsATenthOfTheBucketBack) {
  policy::TokenBucket b;
  b.Configure(8, 1518, 0);      // 1 byte/us, depth 100000 bytes
  EXPECT_EQ(b.ReadyAt(5), 5u);  // full: now
  b.Charge(100'000 + 500);      // 500 bytes of debt
  EXPECT_FALSE(b.Ready(0));
  EXPECT_EQ(b.ReadyAt(0), 10'500'000u);  // 500 + 10000 bytes
  // Ready() only asks "not in debt": a sender that polls goes at once.
  EXPECT_FALSE(b.Ready(499'999));
  EXPECT_TRUE(b.Ready(500'000));
  EXPECT_EQ(b.ReadyAt(500'000), 10'500'000u);
  policy::TokenBucket unlimited;
  unlimited.Configure(0, 1518, 0);
  EXPECT_EQ(unlimited.ReadyAt(7), 7u);
  EXPECT_FALSE(unlimited.limited());
  EXPECT_TRUE(b.limited());
  EXPECT_EQ(b.rate(), 8u);
}

// The clock may not move (or be asked twice at one time); it never
// refills backwards.
TEST(TokenBucket, ClockThatDoesNotMove) {
  policy::TokenBucket b;
  b.Configure(8, 1518, 1'000'000);
  b.Charge(100'001);
  EXPECT_FALSE(b.Ready(1'000'000));
  EXPECT_FALSE(b.Ready(500'000));  // an earlier time adds nothing
  EXPECT_TRUE(b.Ready(1'001'000));
}

// The largest rate and the longest gap stay in range.
TEST(TokenBucket, ExtremesStayInRange) {
  policy::TokenBucket b;
  b.Configure(400'000, 65554, 0);  // 100 ms: 5e9 bytes
  b.Charge(uint64_t{1} << 33);
  EXPECT_FALSE(b.Ready(0));
  EXPECT_TRUE(b.Ready(UINT64_MAX / 2));
  b.Charge(1);
  EXPECT_TRUE(b.Ready(UINT64_MAX / 2));
}

// Migration: a bucket's state moves to another bucket and it carries on
// (same tokens, same clock); Valid() refuses states no bucket can be in.
TEST(TokenBucket, ExportImportAndValid) {
  policy::TokenBucket b;
  b.Configure(8, 1518, 1'000);  // 1 byte/us, depth 100000 bytes
  b.Charge(100'700);            // 700 bytes of debt
  const policy::TokenBucket::State st = b.Export();
  EXPECT_EQ(st.rate, 8u);
  EXPECT_EQ(st.last_ns, 1'000u);
  EXPECT_EQ(st.tokens, -700 * policy::TokenBucket::kUnitsPerByte);
  EXPECT_TRUE(policy::TokenBucket::Valid(st, 1518));
  policy::TokenBucket moved;
  moved.Import(st, 1518);
  EXPECT_FALSE(moved.Ready(700'999));
  EXPECT_TRUE(moved.Ready(701'000));
  EXPECT_EQ(moved.ReadyAt(701'000), 10'701'000u);  // a tenth back
  policy::TokenBucket::State s = st;
  s.tokens = 100'000 * policy::TokenBucket::kUnitsPerByte;  // full
  EXPECT_TRUE(policy::TokenBucket::Valid(s, 1518));
  s.tokens += 1;  // more than the depth
  EXPECT_FALSE(policy::TokenBucket::Valid(s, 1518));
  s.tokens = -policy::TokenBucket::kMaxDebtBytes *
             policy::TokenBucket::kUnitsPerByte;  // one largest frame
  EXPECT_TRUE(policy::TokenBucket::Valid(s, 1518));
  s.tokens -= 1;
  EXPECT_FALSE(policy::TokenBucket::Valid(s, 1518));
  policy::TokenBucket::State unlimited;
  EXPECT_TRUE(policy::TokenBucket::Valid(unlimited, 1518));
}

}  // namespace
}  // namespace snic::testing
