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

TEST(EthView, ParsesHeaderAndOuterTag) {
  const auto f = Frame(kGroup, kRemote, 10);
  const eth::EthView v = View(f);
  EXPECT_EQ(v.dst, f.data());
  EXPECT_EQ(v.src, f.data() + 6);
  EXPECT_FALSE(v.tagged());
  EXPECT_EQ(v.tpid, 0u);
  EXPECT_TRUE(v.multicast());
  const auto t = Tagged(f, 4095, 7);
  const eth::EthView tv = View(t);
  EXPECT_TRUE(tv.dot1q());
  EXPECT_EQ(tv.tpid, eth::kTpid8021Q);
  EXPECT_EQ(tv.tci, 0xefffu);
  EXPECT_EQ(tv.vid(), 4095u);
  const eth::EthView ad = View(Tagged(f, 10, 0, 0x88a8));
  EXPECT_EQ(ad.tpid, eth::kTpid8021AD);
  EXPECT_EQ(ad.vid(), 10u);
  // Only the outer tag counts; other TPIDs (0x9100) are EtherTypes.
  const eth::EthView outer = View(Tagged(Tagged(f, 20), 10, 0, 0x88a8));
  EXPECT_EQ(outer.tpid, eth::kTpid8021AD);
  EXPECT_EQ(outer.vid(), 10u);
  EXPECT_FALSE(View(Tagged(f, 10, 0, 0x9100)).tagged());
}

TEST(EthView, Lengths) {
  auto f = Frame(kBroadcast, kRemote, 0);  // 14 bytes: the header only
  EXPECT_TRUE(eth::EthView::Parse(f.data(), f.size()));
  EXPECT_FALSE(eth::EthView::Parse(f.data(), 13));
  EXPECT_FALSE(eth::EthView::Parse(f.data(), 0));
  // A TPID without the whole tag is not a tag.
  auto t = Tagged(f, 5);  // 18 bytes
  EXPECT_TRUE(View(t).tagged());
  t.pop_back();
  EXPECT_FALSE(View(t).tagged());
}

TEST(VlanTag, TagKeepsTheTciAndUntagDropsAnyTag) {
  const auto f = Frame(kRemote, kOther, 46, 0x0800);
  std::vector<uint8_t> t(f.size() + 4);
  const uint16_t tci = 6 << 13 | 1 << 12 | 4000;  // PCP 6, DEI, VID 4000
  ASSERT_EQ(eth::Tag(f.data(), f.size(), tci, t.data()), f.size() + 4);
  EXPECT_EQ(View(t).tci, tci);
  EXPECT_EQ(View(t).vid(), 4000u);
  // Untag removes the outer tag whatever its TPID.
  const auto ad = Tagged(f, 7, 0, 0x88a8);
  std::vector<uint8_t> u(f.size());
  ASSERT_EQ(eth::Untag(ad.data(), ad.size(), u.data()), f.size());
  EXPECT_EQ(u, f);
  // The smallest tagged frame.
  const auto small = Tagged(Frame(kRemote, kOther, 0), 1);
  std::vector<uint8_t> su(14);
  ASSERT_EQ(eth::Untag(small.data(), small.size(), su.data()), 14u);
  EXPECT_EQ(su, Frame(kRemote, kOther, 0));
}

TEST(EthAddress, Predicates) {
  EXPECT_TRUE(eth::IsBroadcast(kBroadcast.data()));
  EXPECT_TRUE(eth::IsMulticast(kBroadcast.data()));
  EXPECT_TRUE(eth::IsMulticast(kGroup.data()));
  EXPECT_FALSE(eth::IsBroadcast(kGroup.data()));
  EXPECT_FALSE(eth::IsMulticast(kRemote.data()));
  EXPECT_TRUE(eth::IsMulticast(eth::MacAddress{0x33, 0x33, 0, 0, 0, 1}));
  EXPECT_TRUE(eth::IsZero(eth::MacAddress{}));
  EXPECT_FALSE(eth::IsZero(kOther));
  EXPECT_TRUE(eth::SameMac(kOther, kOther.data()));
  eth::MacAddress m = kOther;
  m[5] ^= 1;
  EXPECT_FALSE(eth::SameMac(m, kOther.data()));
  m = kOther;
  m[0] ^= 0x80;
  EXPECT_FALSE(eth::SameMac(m, kOther.data()));
}

TEST(EthAddress, Text) {
  EXPECT_EQ(eth::FormatMac({0x02, 0xab, 0xcd, 0x00, 0x0f, 0xf0}),
            "02:ab:cd:00:0f:f0");
  eth::MacAddress m{};
  ASSERT_TRUE(eth::ParseMac("02:AB:cd:00:0F:f0", &m));
  EXPECT_EQ(m, (eth::MacAddress{0x02, 0xab, 0xcd, 0x00, 0x0f, 0xf0}));
  const eth::MacAddress before = m;
  for (const char* bad :
       {"", "02:ab:cd:00:0f", "02:ab:cd:00:0f:f0:", "02-ab-cd-00-0f-f0",
        "02:ab:cd:00:0f:fg", "2:ab:cd:00:0f:f00", " 02:ab:cd:00:0f:f"}) {
    EXPECT_FALSE(eth::ParseMac(bad, &m)) << bad;
    EXPECT_EQ(m, before) << bad;  // untouched on error
  }
  EXPECT_FALSE(eth::ParseMac(nullptr, &m));
}

TEST(EthFrame, BufferHoldsEitherForm) {
  EXPECT_EQ(eth::kFrameBufferLen, eth::kMaxFrameLen + eth::kVlanTagLen);
  EXPECT_EQ(eth::kMaxFrameLen, 65536u + 18u);
  EXPECT_EQ(eth::kHeaderLen, 14u);
}

}  // namespace
}  // namespace snic::testing
