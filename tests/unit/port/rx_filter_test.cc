// Unit tests: the receive filter of one port (port/rx_filter.h), alone.
// SPDX-License-Identifier: GPL-2.0-or-later
#include "port/rx_filter.h"

#include <gtest/gtest.h>

#include <optional>
#include <vector>

#include "eth/frame.h"
#include "fakes/frames.h"

namespace snic::testing {
namespace {

using port::RxFilter;

// The filter of a trusted port whose driver has a VLAN filter: own MAC,
// broadcast, VLAN membership, the unicast table cap and its overflow,
// PROMISC. Frames are parsed as the switch parses them (a runt never
// reaches a filter: the parser refuses it).
TEST(RxFilter, Decisions) {
  RxFilter f;
  const port::MacAddress own = {0x02, 0, 0, 0, 0, 1};
  f.Reset(own);
  f.vlan_filtering = true;
  auto frame = [](const std::array<uint8_t, 6>& dst, int vid = -1) {
    auto fr = Frame(dst, kRemote, 46, vid < 0 ? 0x0800 : 0x8100);
    if (vid >= 0) {
      fr[14] = uint8_t(vid >> 8);
      fr[15] = uint8_t(vid);
    }
    return fr;
  };
  auto ok = [&](const std::vector<uint8_t>& fr) {
    const std::optional<eth::EthView> v =
        eth::EthView::Parse(fr.data(), fr.size());
    return v && f.Accepts(v->dst, v->dot1q(), v->vid(), /*trusted=*/true);
  };
  EXPECT_TRUE(ok(frame(own)));
  EXPECT_FALSE(ok(frame(kRemote)));
  EXPECT_TRUE(ok(frame(kBroadcast)));
  EXPECT_FALSE(ok(frame(own, 5)));
  f.SetVlan(5, true);
  EXPECT_TRUE(ok(frame(own, 5)));
  // The own MAC is the port's, not a table entry: the switch makes the
  // port its owner (vswitch::Decide), the table is for other addresses.
  EXPECT_TRUE(eth::SameMac(f.mac(), own.data()));
  EXPECT_FALSE(f.ListsUnicast(own.data()));
  for (size_t i = 0; i < RxFilter::kMaxMacEntries; ++i) {
    EXPECT_TRUE(f.AddUnicast({0x02, 1, 1, 1, 1, uint8_t(i)}));
  }
  EXPECT_FALSE(f.uni_overflow);
  EXPECT_FALSE(f.AddUnicast(kRemote));
  EXPECT_TRUE(f.uni_overflow);
  EXPECT_EQ(f.unicast_count(), RxFilter::kMaxMacEntries);
  EXPECT_TRUE(ok(frame(kRemote)));
  f.promisc = true;
  EXPECT_TRUE(ok(frame(own, 99)));
  const uint8_t runt[6] = {};
  EXPECT_FALSE(ok(std::vector<uint8_t>(runt, runt + sizeof(runt))));
}

}  // namespace
}  // namespace snic::testing
