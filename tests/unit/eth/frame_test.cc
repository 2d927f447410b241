// Unit tests: Ethernet frames (eth/frame.h): the parser every layer uses,
// 802.1Q tag insertion and removal, MAC text.
// SPDX-License-Identifier: GPL-2.0-or-later
#include "eth/frame.h"

#include <gtest/gtest.h>

#include <optional>
#include <vector>

#include "fakes/frames.h"

namespace snic::testing {
namespace {

// The view of @f; a failed expectation (and an empty view) if it is not
// an Ethernet frame.
eth::EthView View(const std::vector<uint8_t>& f) {
  const std::optional<eth::EthView> v = eth::EthView::Parse(f.data(), f.size());
  EXPECT_TRUE(v.has_value()) << f.size();
  return v.value_or(eth::EthView{});
}

TEST(VlanTag, TagAndUntagRoundTrip) {
  const auto f = Frame(kBroadcast, kRemote, 50, 0x86dd);
  std::vector<uint8_t> t(f.size() + 4);
  EXPECT_EQ(eth::Tag(f.data(), f.size(), (5 << 13) | 100, t.data()),
            f.size() + 4);
  EXPECT_EQ(t, Tagged(f, 100, 5));
  EXPECT_TRUE(View(t).tagged());
  EXPECT_FALSE(View(f).tagged());
  std::vector<uint8_t> u(f.size());
  EXPECT_EQ(eth::Untag(t.data(), t.size(), u.data()), f.size());
  EXPECT_EQ(u, f);
  auto qinq = f;
  qinq[12] = 0x88;
  qinq[13] = 0xa8;
  EXPECT_TRUE(View(qinq).tagged());
  // An 802.1ad service tag is a tag, but not one of the switch's VLANs.
  EXPECT_FALSE(View(qinq).dot1q());
  EXPECT_TRUE(View(t).dot1q());
}

}  // namespace
}  // namespace snic::testing
