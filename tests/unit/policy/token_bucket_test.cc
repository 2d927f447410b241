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

}  // namespace
}  // namespace snic::testing
