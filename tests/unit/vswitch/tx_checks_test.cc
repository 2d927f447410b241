// Unit tests: the policy checks a port's frame passes before the switch
// (vswitch/tx_checks.h), as a table over port::PortStates built here, and
// the counters a dropped frame is booked on.
// SPDX-License-Identifier: GPL-2.0-or-later
#include "vswitch/tx_checks.h"

#include <gtest/gtest.h>

#include <array>
#include <cstring>
#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "eth/frame.h"
#include "fakes/frames.h"
#include "policy/port_policy.h"
#include "port/port.h"
#include "port/stats.h"

namespace snic::testing {
namespace {

using port::PortState;
using vswitch::TxVerdict;
using Mac = std::array<uint8_t, 6>;

constexpr Mac kPfMac = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
constexpr Mac kVfMac = {0x02, 0x00, 0x00, 0x00, 0x01, 0x01};

// A running port as Linux's virtio-net leaves it (CTRL_VLAN negotiated:
// an empty VLAN filter) with its default policy.
PortState Vf() {
  PortState p;
  p.fn = 1;
  p.enabled = p.bus_master = p.ready = p.link_up = true;
  p.policy = policy::VfDefaultPolicy(kVfMac);
  p.filter.Reset(kVfMac);
  p.filter.programmable = true;
  p.filter.vlan_filtering = true;
  return p;
}
PortState Pf() {
  PortState p = Vf();
  p.fn = kPfFn;
  p.is_pf = true;
  p.policy = policy::PfPolicy(kPfMac);
  p.filter.Reset(kPfMac);
  p.filter.vlan_filtering = true;
  return p;
}

std::vector<uint8_t> Ad(const std::vector<uint8_t>& f, uint16_t vid) {
  return Tagged(f, vid, 0, 0x88a8);
}

std::vector<uint8_t> Shorter(std::vector<uint8_t> f, size_t len) {
  f.resize(len);
  return f;
}

const char* Name(TxVerdict v) {
  switch (v) {
    case TxVerdict::kPass:
      return "pass";
    case TxVerdict::kLinkDown:
      return "link-down";
    case TxVerdict::kSpoof:
      return "spoof";
    case TxVerdict::kVlan:
      return "vlan";
  }
  return "?";
}

struct Row {
  std::string name;
  std::function<PortState()> port;
  std::vector<uint8_t> frame;
  TxVerdict want;
};
void PrintTo(const Row& r, std::ostream* os) { *os << r.name; }

PortState With(PortState p, const std::function<void(PortState&)>& f) {
  f(p);
  return p;
}

std::vector<Row> Rows() {
  const auto own = Frame(kRemote, kVfMac);
  const auto spoofed = Frame(kRemote, kOther);
  auto vf = [](std::function<void(PortState&)> f) {
    return [f] { return With(Vf(), f); };
  };
  auto pf = [](std::function<void(PortState&)> f) {
    return [f] { return With(Pf(), f); };
  };
  const auto as_is = [](PortState&) {};
  auto down = [](PortState& p) { p.link_up = false; };
  auto access10 = [](PortState& p) { p.policy.vlan = 10; };
  auto trusted = [](PortState& p) { p.policy.trust = true; };
  auto registered10 = [](PortState& p) { p.filter.SetVlan(10, true); };
  return {
      {"DefaultVfSendsItsOwnUntaggedFrames", vf(as_is), own, TxVerdict::kPass},
      // link-state
      {"LinkDownVfSendsNothing", vf(down), own, TxVerdict::kLinkDown},
      {"LinkDownComesBeforeSpoof", vf(down), spoofed, TxVerdict::kLinkDown},
      {"PfIsNotDroppedForItsLink", pf(down), Frame(kRemote, kPfMac),
       TxVerdict::kPass},
      // spoofchk
      {"SpoofchkDropsAForeignSource", vf(as_is), spoofed, TxVerdict::kSpoof},
      {"SpoofchkDropsThePfsMac", vf(as_is), Frame(kRemote, kPfMac),
       TxVerdict::kSpoof},
      {"SpoofchkOffAllowsAnySource",
       vf([](PortState& p) { p.policy.spoofchk = false; }), spoofed,
       TxVerdict::kPass},
      // The current MAC counts (a trusted MAC_ADDR_SET), not the policy's.
      {"SpoofchkFollowsTheCurrentMac",
       vf([](PortState& p) { p.filter.set_mac(kOther); }), spoofed,
       TxVerdict::kPass},
      {"SpoofchkAfterAMacChangeRefusesTheOldMac",
       vf([](PortState& p) { p.filter.set_mac(kOther); }), own,
       TxVerdict::kSpoof},
      {"SpoofComesBeforeVlan", vf(access10), Tagged(spoofed, 10),
       TxVerdict::kSpoof},
      // port VLAN: untagged only (the switch tags)
      {"PortVlanSendsUntagged", vf(access10), own, TxVerdict::kPass},
      {"PortVlanDropsItsOwnVlanTagged", vf(access10), Tagged(own, 10),
       TxVerdict::kVlan},
      {"PortVlanDropsAnotherVlanTagged", vf(access10), Tagged(own, 30),
       TxVerdict::kVlan},
      {"PortVlanDropsPriorityTags", vf(access10), Tagged(own, 0, 5),
       TxVerdict::kVlan},
      {"PortVlanDropsServiceTags", vf(access10), Ad(own, 10), TxVerdict::kVlan},
      {"PortVlanWinsOverTrust", vf([](PortState& p) {
         p.policy.vlan = 10;
         p.policy.trust = true;
       }),
       Tagged(own, 10), TxVerdict::kVlan},
      // VLAN anti-spoof of an untrusted trunk
      {"UntrustedRegisteredVid", vf(registered10), Tagged(own, 10),
       TxVerdict::kPass},
      {"UntrustedUnregisteredVid", vf(registered10), Tagged(own, 11),
       TxVerdict::kVlan},
      {"UntrustedRegisteredVidAnyPcp", vf(registered10), Tagged(own, 10, 7),
       TxVerdict::kPass},
      {"UntrustedWithoutVlanFilterHasNoVids", vf([](PortState& p) {
         p.filter.SetVlan(10, true);
         p.filter.vlan_filtering = false;
       }),
       Tagged(own, 10), TxVerdict::kVlan},
      {"UntrustedPriorityTagIsNoVlan", vf(as_is), Tagged(own, 0, 5),
       TxVerdict::kPass},
      {"UntrustedPriorityTagWithoutVlanFilter",
       vf([](PortState& p) { p.filter.vlan_filtering = false; }),
       Tagged(own, 0, 3), TxVerdict::kPass},
      {"UntrustedServiceTag", vf(registered10), Ad(own, 10), TxVerdict::kVlan},
      {"UntrustedServiceTagVidZero", vf(as_is), Ad(own, 0), TxVerdict::kVlan},
      // trusted: any tag
      {"TrustedAnyVid", vf(trusted), Tagged(own, 77), TxVerdict::kPass},
      {"TrustedServiceTag", vf(trusted), Ad(own, 77), TxVerdict::kPass},
      // The PF: trusted, no spoof check, no port VLAN.
      {"PfAnySource", pf(as_is), spoofed, TxVerdict::kPass},
      {"PfAnyVid", pf(as_is), Tagged(Frame(kRemote, kPfMac), 4094),
       TxVerdict::kPass},
      {"PfServiceTag", pf(as_is), Ad(Frame(kRemote, kPfMac), 5),
       TxVerdict::kPass},
      // A tag needs 18 bytes: a 16-byte frame with TPID 0x8100 is untagged.
      {"ShortTaggedFrameIsUntagged", vf(access10), Shorter(Tagged(own, 10), 17),
       TxVerdict::kPass},
  };
}

class TxCheckRow : public ::testing::TestWithParam<Row> {};

TEST_P(TxCheckRow, Verdict) {
  const Row& r = GetParam();
  const PortState p = r.port();
  const std::optional<eth::EthView> eth =
      eth::EthView::Parse(r.frame.data(), r.frame.size());
  ASSERT_TRUE(eth);
  const TxVerdict v = vswitch::CheckTx(p, *eth);
  EXPECT_EQ(v, r.want) << Name(v) << ", want " << Name(r.want);
}

INSTANTIATE_TEST_SUITE_P(Rows, TxCheckRow, ::testing::ValuesIn(Rows()),
                         [](const ::testing::TestParamInfo<Row>& info) {
                           return info.param.name;
                         });

// Every drop is booked once under its reason and once in the sum.
TEST(CountTxDrop, ReasonAndSum) {
  port::PortStats s;
  vswitch::CountTxDrop(s, TxVerdict::kPass);
  EXPECT_EQ(s.tx_drop_policy, 0u);
  vswitch::CountTxDrop(s, TxVerdict::kLinkDown);
  vswitch::CountTxDrop(s, TxVerdict::kSpoof);
  vswitch::CountTxDrop(s, TxVerdict::kSpoof);
  vswitch::CountTxDrop(s, TxVerdict::kVlan);
  vswitch::CountTxDrop(s, TxVerdict::kVlan);
  vswitch::CountTxDrop(s, TxVerdict::kVlan);
  EXPECT_EQ(s.tx_drop_link_down, 1u);
  EXPECT_EQ(s.tx_drop_spoof, 2u);
  EXPECT_EQ(s.tx_drop_vlan, 3u);
  EXPECT_EQ(s.tx_drop_policy, 6u);
  // Nothing else moves (the frame was taken: tx_packets is the port's).
  port::PortStats expect;
  expect.tx_drop_link_down = 1;
  expect.tx_drop_spoof = 2;
  expect.tx_drop_vlan = 3;
  expect.tx_drop_policy = 6;
  EXPECT_EQ(std::memcmp(&s, &expect, sizeof(s)), 0);
}

}  // namespace
}  // namespace snic::testing
