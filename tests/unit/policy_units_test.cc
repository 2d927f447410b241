// Unit tests at the lowest layer for the policy building blocks: the
// token bucket arithmetic, 802.1Q tag insertion / removal, and the pure
// spec parser (all or nothing is the caller's copy; here: what it reports).
// SPDX-License-Identifier: GPL-2.0-or-later
#include <gtest/gtest.h>

#include "policy/token_bucket.h"
#include "policy/vf_policy.h"
#include "switch/switch.h"
#include "fakes/switch_fixture.h"

namespace snic::testing {
namespace {

TEST(TokenBucket, UnlimitedIsAlwaysReady) {
  policy::TokenBucket b;
  b.Configure(0, 1518, 0);
  for (int i = 0; i < 1000; ++i) b.Charge(65536);
  EXPECT_TRUE(b.Ready(0));
}

TEST(TokenBucket, DepthIsTwentyMillisecondsOrTwoFrames) {
  policy::TokenBucket b;
  b.Configure(1000, 1518, 0);  // 125 bytes/us: 20 ms = 2500000 bytes
  int sent = 0;
  while (b.Ready(0)) {
    b.Charge(1000);
    ++sent;
  }
  EXPECT_EQ(sent, 2501);  // 2500 fill the bucket, the 2501st goes into debt
  // Debt of 1000 bytes paid in 8 us; resume at a tenth of the bucket
  // (250000 bytes) 2000 us later.
  EXPECT_FALSE(b.Ready(7999));
  EXPECT_TRUE(b.Ready(8000));
  EXPECT_EQ(b.ReadyAt(8000), 2'008'000u);
  // Slow rate: two max frames of depth.
  policy::TokenBucket s;
  s.Configure(1, 1518, 0);  // 20 ms at 1 Mbit/s = 2500 bytes < 3036
  s.Charge(3036);
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
  // 300 Mbit/s for 1 s = 37.5 MB, plus the initial 20 ms bucket, minus
  // what is left in the bucket at the end (below a tenth of it).
  EXPECT_LE(double(bytes), 37.5e6 + 750e3 + 1514);
  EXPECT_GE(double(bytes), 37.5e6 + 750e3 - 75e3 - 1514);
}

TEST(VlanTag, TagAndUntagRoundTrip) {
  const auto f = Frame(kBroadcast, kRemote, 50, 0x86dd);
  std::vector<uint8_t> t(f.size() + 4);
  EXPECT_EQ(sw::Switch::Tag(f.data(), f.size(), (5 << 13) | 100, t.data()),
            f.size() + 4);
  EXPECT_EQ(t, Tagged(f, 100, 5));
  EXPECT_TRUE(sw::Switch::IsTagged(t.data(), t.size()));
  EXPECT_FALSE(sw::Switch::IsTagged(f.data(), f.size()));
  std::vector<uint8_t> u(f.size());
  EXPECT_EQ(sw::Switch::Untag(t.data(), t.size(), u.data()), f.size());
  EXPECT_EQ(u, f);
  auto qinq = f;
  qinq[12] = 0x88;
  qinq[13] = 0xa8;
  EXPECT_TRUE(sw::Switch::IsTagged(qinq.data(), qinq.size()));
}

TEST(VfSpec, ReportsChangedVfsOnce) {
  std::vector<policy::VfPolicy> p(4);
  for (size_t i = 0; i < p.size(); ++i) p[i].mac = {2, 0, 0, 0, 0, uint8_t(i)};
  std::vector<uint16_t> changed;
  EXPECT_EQ(policy::ApplyVfSpec("trust", "3=on/1=on/3=off", p, &changed), "");
  EXPECT_EQ(changed, (std::vector<uint16_t>{1, 3}));
  EXPECT_TRUE(p[1].trust);
  EXPECT_FALSE(p[3].trust);
  EXPECT_EQ(policy::ApplyVfSpec("trust", "*=on", p, &changed), "");
  EXPECT_EQ(changed.size(), 4u);
}

TEST(VfSpec, StarOnZeroVfsIsANoOp) {
  std::vector<policy::VfPolicy> p;
  std::vector<uint16_t> changed;
  EXPECT_EQ(policy::ApplyVfSpec("vlan", "*=5", p, &changed), "");
  EXPECT_TRUE(changed.empty());
  EXPECT_EQ(policy::ApplyVfSpec("vlan", "0=5", p, &changed),
            "'0=5': VF 0 does not exist (total-vfs is 0)");
}

TEST(VfPolicyValidate, PfPolicyIsValidAndTrusted) {
  const policy::VfPolicy p = policy::PfPolicy({0x52, 0x54, 0, 1, 2, 3});
  EXPECT_EQ(policy::Validate(p), "");
  EXPECT_TRUE(p.trust);
  EXPECT_FALSE(p.spoofchk);
}

}  // namespace
}  // namespace snic::testing
