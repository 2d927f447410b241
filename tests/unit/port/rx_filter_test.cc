// Unit tests: the receive filter of one port (port/rx_filter.h), alone:
// every rule of its header comment as a row, trusted and untrusted,
// programmable or not, then the tables, the VLAN filter and reset.
// SPDX-License-Identifier: GPL-2.0-or-later
#include "port/rx_filter.h"

#include <gtest/gtest.h>

#include <array>
#include <bitset>
#include <functional>
#include <optional>
#include <ostream>
#include <string>
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

constexpr port::MacAddress kOwn = {0x02, 0, 0, 0, 0, 1};
constexpr port::MacAddress kListed = {0x02, 0, 0, 0, 0, 0x42};
constexpr port::MacAddress kListedGroup = {0x01, 0x00, 0x5e, 0, 0, 0x01};

// One decision: the filter as configured, a destination (seen tagged with
// a VID or not), the host's trust, and the answer.
struct Row {
  std::string name;
  std::function<void(RxFilter&)> setup;
  port::MacAddress dst;
  bool tagged;
  uint16_t vid;
  bool trusted;
  bool want;
};
void PrintTo(const Row& r, std::ostream* os) { *os << r.name; }

// Rows start from a driver that negotiated CTRL_RX (programmable) and has
// an empty VLAN filter, with kListed and kListedGroup in its tables.
void Base(RxFilter& f) {
  f.Reset(kOwn);
  f.programmable = true;
  f.vlan_filtering = true;
  f.AddUnicast(kListed);
  f.AddMulticast(kListedGroup);
}

std::vector<Row> Rows() {
  auto with = [](std::function<void(RxFilter&)> g) {
    return [g](RxFilter& f) {
      Base(f);
      g(f);
    };
  };
  const auto base = with([](RxFilter&) {});
  const auto promisc = with([](RxFilter& f) { f.promisc = true; });
  const auto no_allmulti = with([](RxFilter& f) { f.allmulti = false; });
  const auto multi_overflow = with([](RxFilter& f) {
    f.allmulti = false;
    f.multi_overflow = true;
  });
  const auto fixed = with([](RxFilter& f) { f.programmable = false; });
  const auto fixed_no_allmulti = with([](RxFilter& f) {
    f.programmable = false;
    f.allmulti = false;
  });
  const auto vlan5 = with([](RxFilter& f) { f.SetVlan(5, true); });
  const auto no_vlan_filter =
      with([](RxFilter& f) { f.vlan_filtering = false; });
  const auto alluni = with([](RxFilter& f) { f.alluni = true; });
  const auto uni_overflow = with([](RxFilter& f) { f.uni_overflow = true; });
  const auto nouni = with([](RxFilter& f) { f.nouni = true; });
  const auto nomulti = with([](RxFilter& f) { f.nomulti = true; });
  const auto nobcast = with([](RxFilter& f) { f.nobcast = true; });
  const auto everything_off = with([](RxFilter& f) {
    f.promisc = true;
    f.nouni = f.nomulti = f.nobcast = true;
  });
  return {
      // PROMISC (trusted only) accepts everything, VLAN filter included.
      {"PromiscTrustedUnknownUnicast", promisc, kRemote, false, 0, true, true},
      {"PromiscTrustedAnyVlan", promisc, kRemote, true, 99, true, true},
      {"PromiscTrustedOverridesNoModes", everything_off, kBroadcast, true, 7,
       true, true},
      {"PromiscTrustedOverridesNouni", everything_off, kOwn, false, 0, true,
       true},
      {"PromiscUntrustedIsIgnored", promisc, kRemote, false, 0, false, false},
      {"PromiscUntrustedKeepsTheVlanFilter", promisc, kOwn, true, 99, false,
       false},
      {"PromiscUntrustedKeepsNobcast", everything_off, kBroadcast, false, 0,
       false, false},
      // The VLAN filter: tagged frames of unregistered VIDs, when the
      // driver has a VLAN filter.
      {"VlanFilterRejectsUnregisteredVid", base, kOwn, true, 5, true, false},
      {"VlanFilterAcceptsRegisteredVid", vlan5, kOwn, true, 5, false, true},
      {"VlanFilterRejectsOtherVid", vlan5, kOwn, true, 6, true, false},
      {"VlanFilterAppliesToBroadcast", vlan5, kBroadcast, true, 6, true, false},
      {"VlanFilterAppliesToMulticast", vlan5, kListedGroup, true, 6, true,
       false},
      {"VlanFilterIgnoresUntagged", base, kOwn, false, 5, false, true},
      {"VlanFilterPriorityTagIsVidZero", base, kOwn, true, 0, true, false},
      {"NoVlanFilterAcceptsAnyVid", no_vlan_filter, kOwn, true, 1234, false,
       true},
      // Broadcast unless NOBCAST.
      {"Broadcast", base, kBroadcast, false, 0, false, true},
      {"BroadcastTrusted", base, kBroadcast, false, 0, true, true},
      {"Nobcast", nobcast, kBroadcast, false, 0, true, false},
      {"BroadcastIsNotMulticastForNomulti", nomulti, kBroadcast, false, 0,
       false, true},
      {"BroadcastIsNotMulticastForAllmultiOff", no_allmulti, kBroadcast, false,
       0, false, true},
      // Multicast unless NOMULTI; trusted or not programmable: ALLMULTI or
      // an overflow accepts all; otherwise only table entries.
      {"NomultiRejectsListed", nomulti, kListedGroup, false, 0, true, false},
      {"NomultiRejectsAllmulti", nomulti, kGroup, false, 0, true, false},
      {"TrustedAllmulti", base, kGroup, false, 0, true, true},
      {"TrustedOverflow", multi_overflow, kGroup, false, 0, true, true},
      {"TrustedListed", no_allmulti, kListedGroup, false, 0, true, true},
      {"TrustedUnlisted", no_allmulti, kGroup, false, 0, true, false},
      {"UntrustedProgrammableAllmultiIsItsTable", base, kGroup, false, 0, false,
       false},
      {"UntrustedProgrammableListed", base, kListedGroup, false, 0, false,
       true},
      {"UntrustedProgrammableOverflowIsItsTable", multi_overflow, kGroup, false,
       0, false, false},
      {"UntrustedProgrammableOverflowListed", multi_overflow, kListedGroup,
       false, 0, false, true},
      {"UntrustedProgrammableAllmultiOffListed", no_allmulti, kListedGroup,
       false, 0, false, true},
      {"UntrustedFixedAllmultiAcceptsAll", fixed, kGroup, false, 0, false,
       true},
      {"UntrustedFixedAllmultiOffOnlyListed", fixed_no_allmulti, kGroup, false,
       0, false, false},
      // Unicast unless NOUNI; the own MAC; then, trusted only, ALLUNI, an
      // overflow or a table entry.
      {"OwnMacUntrusted", base, kOwn, false, 0, false, true},
      {"OwnMacTrusted", base, kOwn, false, 0, true, true},
      {"NouniRejectsOwnMac", nouni, kOwn, false, 0, true, false},
      {"NouniRejectsAlluni",
       with([](RxFilter& f) { f.nouni = f.alluni = true; }), kRemote, false, 0,
       true, false},
      {"UnknownUnicast", base, kRemote, false, 0, true, false},
      {"TrustedAlluni", alluni, kRemote, false, 0, true, true},
      {"UntrustedAlluniIsIgnored", alluni, kRemote, false, 0, false, false},
      {"TrustedUnicastOverflow", uni_overflow, kRemote, false, 0, true, true},
      {"UntrustedUnicastOverflowIsIgnored", uni_overflow, kRemote, false, 0,
       false, false},
      {"TrustedListedUnicast", base, kListed, false, 0, true, true},
      {"UntrustedTableIsInert", base, kListed, false, 0, false, false},
      {"ProgrammingDoesNotMatterForUnicast", fixed, kListed, false, 0, false,
       false},
  };
}

class RxFilterRule : public ::testing::TestWithParam<Row> {};

TEST_P(RxFilterRule, Accepts) {
  const Row& r = GetParam();
  RxFilter f;
  r.setup(f);
  EXPECT_EQ(f.Accepts(r.dst.data(), r.tagged, r.vid, r.trusted), r.want);
}

INSTANTIATE_TEST_SUITE_P(Rows, RxFilterRule, ::testing::ValuesIn(Rows()),
                         [](const ::testing::TestParamInfo<Row>& info) {
                           return info.param.name;
                         });

// Trust is applied at decision time: the same filter answers differently
// as the host grants or revokes it.
TEST(RxFilter, TrustIsAskedPerDecision) {
  RxFilter f;
  Base(f);
  f.promisc = true;
  EXPECT_TRUE(f.Accepts(kRemote.data(), false, 0, true));
  EXPECT_FALSE(f.Accepts(kRemote.data(), false, 0, false));
  EXPECT_TRUE(f.Accepts(kRemote.data(), false, 0, true));
}

// Reset state: own MAC, broadcast, ALLMULTI on, nothing promiscuous, no
// tables, no VLANs, not programmable, no VLAN filter.
TEST(RxFilter, ResetState) {
  RxFilter f;
  Base(f);
  f.promisc = f.alluni = f.nomulti = f.nouni = f.nobcast = true;
  f.allmulti = false;
  f.uni_overflow = f.multi_overflow = true;
  f.SetVlan(5, true);
  f.Reset(kListed);
  EXPECT_EQ(f.mac(), kListed);
  EXPECT_FALSE(f.promisc);
  EXPECT_TRUE(f.allmulti);
  EXPECT_FALSE(f.alluni || f.nomulti || f.nouni || f.nobcast);
  EXPECT_FALSE(f.programmable);
  EXPECT_FALSE(f.vlan_filtering);
  EXPECT_FALSE(f.uni_overflow || f.multi_overflow);
  EXPECT_EQ(f.unicast_count(), 0u);
  EXPECT_EQ(f.multicast_count(), 0u);
  EXPECT_FALSE(f.HasVlan(5));
  EXPECT_FALSE(f.ListsUnicast(kListed.data()));
  // A driver that cannot program filters still gets ARP/ND, untrusted.
  EXPECT_TRUE(f.Accepts(kListed.data(), false, 0, false));
  EXPECT_TRUE(f.Accepts(kBroadcast.data(), false, 0, false));
  EXPECT_TRUE(f.Accepts(kGroup.data(), false, 0, false));
  EXPECT_FALSE(f.Accepts(kOwn.data(), false, 0, true));
  EXPECT_TRUE(f.Accepts(kListed.data(), true, 3000, false));  // no filter
}

TEST(RxFilter, TablesAreCappedAndClearedTogether) {
  RxFilter f;
  f.Reset(kOwn);
  for (size_t i = 0; i < RxFilter::kMaxMacEntries; ++i) {
    EXPECT_TRUE(f.AddMulticast({0x01, 0, 0x5e, 0, 1, uint8_t(i)}));
  }
  EXPECT_FALSE(f.multi_overflow);
  EXPECT_FALSE(f.AddMulticast(kGroup));
  EXPECT_TRUE(f.multi_overflow);
  EXPECT_EQ(f.multicast_count(), RxFilter::kMaxMacEntries);
  EXPECT_FALSE(f.uni_overflow);  // each table has its own flag
  EXPECT_TRUE(f.AddUnicast(kListed));
  EXPECT_TRUE(f.ListsUnicast(kListed.data()));
  EXPECT_FALSE(f.ListsUnicast(kRemote.data()));
  f.SetVlan(5, true);
  f.ClearTables();
  EXPECT_EQ(f.unicast_count(), 0u);
  EXPECT_EQ(f.multicast_count(), 0u);
  EXPECT_FALSE(f.multi_overflow);
  EXPECT_FALSE(f.ListsUnicast(kListed.data()));
  EXPECT_TRUE(f.HasVlan(5));  // the VLAN filter is not a table
}

TEST(RxFilter, VlanFilterIsTwelveBits) {
  RxFilter f;
  f.Reset(kOwn);
  f.SetVlan(4095, true);
  EXPECT_TRUE(f.HasVlan(4095));
  f.SetVlan(4096 + 7, true);  // the VID is the low 12 bits
  EXPECT_TRUE(f.HasVlan(7));
  EXPECT_TRUE(f.HasVlan(0x1007));
  f.SetVlan(7, false);
  EXPECT_FALSE(f.HasVlan(7));
  f.SetVlan(8, true);
  f.ClearVlans();
  EXPECT_FALSE(f.HasVlan(8));
  EXPECT_FALSE(f.HasVlan(4095));
}

// VLAN anti-spoof asks the same filter: VID 0 always, others only when
// registered in an active VLAN filter.
TEST(RxFilter, AllowsTxVid) {
  RxFilter f;
  f.Reset(kOwn);
  EXPECT_TRUE(f.AllowsTxVid(0));
  EXPECT_FALSE(f.AllowsTxVid(5));
  f.SetVlan(5, true);
  EXPECT_FALSE(f.AllowsTxVid(5));  // no VLAN filter: nothing registered
  f.vlan_filtering = true;
  EXPECT_TRUE(f.AllowsTxVid(5));
  EXPECT_FALSE(f.AllowsTxVid(6));
  EXPECT_TRUE(f.AllowsTxVid(0));
}

// Migration: tables and VLANs as data, all or nothing.
TEST(RxFilter, SetTables) {
  RxFilter f;
  Base(f);
  std::bitset<4096> vlans;
  vlans.set(7);
  const std::vector<port::MacAddress> uni = {kOther, kRemote};
  const std::vector<port::MacAddress> multi = {kGroup};
  ASSERT_TRUE(f.SetTables(uni, multi, vlans));
  EXPECT_EQ(f.unicast(), uni);
  EXPECT_EQ(f.multicast(), multi);
  EXPECT_EQ(f.vlans(), vlans);
  EXPECT_TRUE(f.ListsUnicast(kRemote.data()));
  EXPECT_FALSE(f.ListsUnicast(kListed.data()));
  const std::vector<port::MacAddress> too_many(RxFilter::kMaxMacEntries + 1,
                                               kOther);
  EXPECT_FALSE(f.SetTables(too_many, {}, {}));
  EXPECT_FALSE(f.SetTables({}, too_many, {}));
  EXPECT_EQ(f.unicast(), uni);  // nothing changed
  EXPECT_EQ(f.vlans(), vlans);
  const std::vector<port::MacAddress> full(RxFilter::kMaxMacEntries, kOther);
  EXPECT_TRUE(f.SetTables(full, full, {}));
}

// The Intel MTA index (ixgbe_mta_vector): 12 bits of the last two address
// bytes, at the offset MCSTCTRL.MO picks.
TEST(RxFilter, McHashIndexIsIxgbesMtaVector) {
  const uint8_t a[6] = {0x01, 0x00, 0x5e, 0x00, 0x12, 0xab};
  EXPECT_EQ(RxFilter::McHashIndex(a, 0), (0x12 >> 4 | 0xab << 4) & 0xfff);
  EXPECT_EQ(RxFilter::McHashIndex(a, 1), (0x12 >> 3 | 0xab << 5) & 0xfff);
  EXPECT_EQ(RxFilter::McHashIndex(a, 2), (0x12 >> 2 | 0xab << 6) & 0xfff);
  EXPECT_EQ(RxFilter::McHashIndex(a, 3), (0x12 | 0xab << 8) & 0xfff);
  EXPECT_EQ(RxFilter::McHashIndex(a, 4), RxFilter::McHashIndex(a, 0));
}

// A filter of hardware registers (an ixgbe pool) applies as written for an
// untrusted port: allmulti, the hash filter and the unicast table; trust
// was the guest PF driver's to apply.
TEST(RxFilter, RegistersApplyWithoutTrust) {
  RxFilter f;
  f.Reset(kOwn);
  f.programmable = true;
  f.allmulti = false;
  const uint8_t group[6] = {0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb};
  const uint8_t stranger[6] = {0x01, 0x00, 0x5e, 0x01, 0x02, 0xa5};
  f.mc_hash_on = true;
  f.mc_hash.set(RxFilter::McHashIndex(group, 0));
  ASSERT_TRUE(f.SetTables({kOther}, {}, {}));
  // Without `registers`, the hash still filters (it is not a trust
  // matter), but the unicast table is inert for an untrusted port.
  EXPECT_TRUE(f.Accepts(group, false, 0, false));
  EXPECT_FALSE(f.Accepts(stranger, false, 0, false));
  EXPECT_FALSE(f.Accepts(kOther.data(), false, 0, false));
  f.registers = true;
  EXPECT_TRUE(f.Accepts(kOther.data(), false, 0, false));
  EXPECT_FALSE(f.Accepts(stranger, false, 0, false));
  f.allmulti = true;
  EXPECT_TRUE(f.Accepts(stranger, false, 0, false));
  // Reset forgets all of it.
  f.Reset(kOwn);
  EXPECT_FALSE(f.registers);
  EXPECT_FALSE(f.mc_hash_on);
  EXPECT_TRUE(f.mc_hash.none());
}

}  // namespace
}  // namespace snic::testing
