// Unit tests: vswitch::Decide, the embedded switch's pure decision, as a
// table over port::PortStates built here (no virtio, no C ABI).
//
// Topology of every row: the PF (fn 0) and VFs 0-3 (fn 1-4), all running
// as Linux's virtio-net leaves them (CTRL_RX and CTRL_VLAN negotiated: a
// programmable filter and an empty VLAN filter; reset RX modes: own MAC,
// broadcast, ALLMULTI), default policies; each row changes what it needs.
//
// The rows named after a test of veb_test.cc (the same behaviour end to
// end through the C ABI) are the decision half of that test; the
// property test at the end is the pure counterpart of
// Veb.RandomTrafficUnderRandomPolicies.
// SPDX-License-Identifier: GPL-2.0-or-later
#include "vswitch/switch.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <functional>
#include <optional>
#include <ostream>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "eth/frame.h"
#include "fakes/frames.h"
#include "policy/port_policy.h"
#include "port/port.h"
#include "vswitch/tx_checks.h"

namespace snic::testing {
namespace {

using port::PortState;
using vswitch::Destinations;
using vswitch::Fate;
using Mac = std::array<uint8_t, 6>;

constexpr int kUplink = -1;
constexpr size_t kPorts = 5;  // the PF and 4 VFs

// fn 0 is the PF, fn 1 + n is VF n.
Mac MacOfFn(FnId fn) {
  if (fn == kPfFn) return {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
  return {0x02, 0x00, 0x00, 0x00, 0x01, uint8_t(fn)};
}

PortState RunningPort(FnId fn) {
  PortState p;
  p.fn = fn;
  p.is_pf = fn == kPfFn;
  p.enabled = true;
  p.bus_master = true;
  p.ready = true;
  p.link_up = true;
  p.policy = fn == kPfFn ? policy::PfPolicy(MacOfFn(fn))
                         : policy::VfDefaultPolicy(MacOfFn(fn));
  p.filter.Reset(MacOfFn(fn));
  p.filter.programmable = true;
  p.filter.vlan_filtering = true;
  return p;
}

struct Topology {
  Topology() {
    for (FnId fn = 0; fn < kPorts; ++fn) ports[fn] = RunningPort(fn);
  }
  PortState& pf() { return ports[0]; }
  PortState& vf(int n) { return ports[1 + n]; }
  // Every enabled port, as the device passes them to Decide.
  std::vector<const PortState*> Enabled() const {
    std::vector<const PortState*> out;
    for (const PortState& p : ports) {
      if (p.enabled) out.push_back(&p);
    }
    return out;
  }
  std::array<PortState, kPorts> ports;
};

void AccessVlan(PortState& p, uint16_t vlan, uint8_t qos = 0) {
  p.policy.vlan = vlan;
  p.policy.qos = qos;
}
void Trust(PortState& p) { p.policy.trust = true; }

// One target of a decision, comparable and printable.
struct T {
  FnId fn;
  Fate fate;
  bool tagged;
  bool operator==(const T&) const = default;
};
const char* FateName(Fate f) {
  switch (f) {
    case Fate::kDeliver:
      return "deliver";
    case Fate::kFiltered:
      return "filtered";
    case Fate::kLinkDown:
      return "link-down";
    case Fate::kNotReady:
      return "not-ready";
  }
  return "?";
}
void PrintTo(const T& t, std::ostream* os) {
  *os << "fn" << t.fn << ":" << FateName(t.fate) << (t.tagged ? ":tagged" : "");
}
T Deliver(FnId fn, bool tagged = false) { return {fn, Fate::kDeliver, tagged}; }
T Filtered(FnId fn, bool tagged = false) {
  return {fn, Fate::kFiltered, tagged};
}
T LinkDown(FnId fn, bool tagged = false) {
  return {fn, Fate::kLinkDown, tagged};
}
T NotReady(FnId fn) { return {fn, Fate::kNotReady, false}; }

std::vector<T> Targets(const Destinations& d) {
  std::vector<T> out;
  for (const vswitch::Target& t : d.list())
    out.push_back({t.fn, t.fate, t.tagged});
  std::sort(out.begin(), out.end(),
            [](const T& a, const T& b) { return a.fn < b.fn; });
  return out;
}

struct Want {
  Want(std::vector<T> targets, bool uplink, uint16_t vid = 0, uint16_t tci = 0,
       bool source_tagged = false, std::optional<FnId> sole = std::nullopt)
      : targets(std::move(targets)),
        uplink(uplink),
        vid(vid),
        tci(tci),
        source_tagged(source_tagged),
        sole(sole) {}
  std::vector<T> targets;  // by fn
  bool uplink;
  uint16_t vid;
  uint16_t tci;
  bool source_tagged;
  std::optional<FnId> sole;
};

struct Row {
  std::string name;
  std::function<void(Topology&)> setup;
  int src;  // a fn, or kUplink
  std::vector<uint8_t> frame;
  Want want;
};
void PrintTo(const Row& r, std::ostream* os) { *os << r.name; }

const std::function<void(Topology&)> kAsIs = [](Topology&) {};

std::vector<Row> Rows() {
  const Mac pf = MacOfFn(0), vf0 = MacOfFn(1), vf1 = MacOfFn(2),
            vf2 = MacOfFn(3), vf3 = MacOfFn(4);
  auto port_vlans = [](Topology& t) {  // PortVlansIsolateAndTagOnTrunks
    AccessVlan(t.vf(0), 10, 5);
    AccessVlan(t.vf(1), 20);
    AccessVlan(t.vf(2), 10, 5);
    t.pf().filter.SetVlan(10, true);
    t.vf(3).filter.SetVlan(10, true);
  };
  auto uplink_vlans = [](Topology& t) {  // UplinkVlanTraffic...
    AccessVlan(t.vf(0), 10);
    AccessVlan(t.vf(1), 20);
    t.pf().filter.SetVlan(10, true);
    t.vf(2).filter.SetVlan(10, true);
  };
  auto rx_modes = [](Topology& t) {  // RxModesFilterPerPort
    t.vf(0).filter.nobcast = true;
    t.vf(1).filter.nouni = true;
  };
  auto table = [](PortState& p, const Mac& m) { p.filter.AddUnicast(m); };
  const uint16_t tci_10_5 = 5 << 13 | 10;
  return {
      // ---- the behaviours of veb_test.cc ----
      {"UnicastHitGoesToTheOwnerOnly",
       kAsIs,
       1,
       Frame(vf2, vf0),
       {{Deliver(3)}, false, 0, 0, false, 3}},
      {"UnicastHitGoesToTheOwnerOnly_FromUplink",
       kAsIs,
       kUplink,
       Frame(vf1, kRemote),
       {{Deliver(2)}, false, 0, 0, false, 2}},
      {"UnknownUnicastFloodsToUplinkAndPromiscPorts",
       [](Topology& t) { t.pf().filter.promisc = true; },
       1,
       Frame(kRemote, vf0),
       {{Deliver(0)}, true}},
      {"UnknownUnicastFloodsToUplinkAndPromiscPorts_KnownIsNotFlooded",
       [](Topology& t) { t.pf().filter.promisc = true; },
       1,
       Frame(vf1, vf0),
       {{Deliver(0), Deliver(2)}, false}},
      {"AlluniTrustedVfGetsUnknownUnicast",
       [](Topology& t) {
         Trust(t.vf(1));
         t.vf(1).filter.alluni = true;
       },
       0,
       Frame(kRemote, pf),
       {{Deliver(2)}, true}},
      {"BroadcastReplicatedToEveryOtherPortAndUplink",
       kAsIs,
       2,
       Frame(kBroadcast, vf1, 46, 0x0806),
       {{Deliver(0), Deliver(1), Deliver(3), Deliver(4)}, true}},
      {"BroadcastReplicatedToEveryOtherPortAndUplink_FromUplink",
       kAsIs,
       kUplink,
       Frame(kBroadcast, kRemote, 46, 0x0806),
       {{Deliver(0), Deliver(1), Deliver(2), Deliver(3), Deliver(4)}, false}},
      {"MulticastFollowsEachPortsRxMode",
       [](Topology& t) {
         Trust(t.vf(2));  // ALLMULTI (reset state) counts when trusted
         t.vf(0).filter.allmulti = false;
         t.vf(0).filter.AddMulticast(kGroup);
         t.vf(1).filter.allmulti = false;
         // VF 3: untrusted, reset state: listed groups only (none).
       },
       0,
       Frame(kGroup, pf),
       {{Deliver(1), Deliver(3)}, true}},
      {"RxModesFilterPerPort_Broadcast",
       rx_modes,
       kUplink,
       Frame(kBroadcast, kRemote),
       {{Deliver(0), Deliver(2), Deliver(3), Deliver(4)}, false}},
      {"RxModesFilterPerPort_OwnerRejects",
       rx_modes,
       kUplink,
       Frame(vf1, kRemote),
       {{Filtered(2)}, false}},
      {"NoHairpinForUnicastToOwnMac", kAsIs, 1, Frame(vf0, vf0), {{}, true}},
      {"PortVlansIsolateAndTagOnTrunks_Broadcast",
       port_vlans,
       1,
       Frame(kBroadcast, vf0, 46, 0x0806),
       {{Deliver(0, true), Deliver(3), Deliver(4, true)}, true, 10, tci_10_5}},
      {"PortVlansIsolateAndTagOnTrunks_OtherVlanIsUnknown",
       port_vlans,
       2,
       Frame(vf0, vf1),
       {{}, true, 20, 20}},
      {"PortVlansIsolateAndTagOnTrunks_SameVlan",
       port_vlans,
       1,
       Frame(vf2, vf0),
       {{Deliver(3)}, false, 10, tci_10_5, false, 3}},
      {"UplinkVlanTrafficReachesOnlyItsVlanStripped",
       uplink_vlans,
       kUplink,
       TaggedFrame(kBroadcast, kRemote, 10, 3),
       {{Deliver(0, true), Deliver(1), Deliver(3, true)},
        false,
        10,
        3 << 13 | 10,
        true}},
      {"UplinkVlanTrafficReachesOnlyItsVlanStripped_UntaggedInNoPortVlan",
       uplink_vlans,
       kUplink,
       Frame(kBroadcast, kRemote),
       {{Deliver(0), Deliver(3), Deliver(4)}, false}},
      {"UplinkVlanTrafficReachesOnlyItsVlanStripped_Unicast",
       uplink_vlans,
       kUplink,
       TaggedFrame(vf1, kRemote, 20),
       {{Deliver(2)}, false, 20, 20, true, 2}},
      {"UplinkVlanTrafficReachesOnlyItsVlanStripped_WrongVlan",
       uplink_vlans,
       kUplink,
       TaggedFrame(vf0, kRemote, 20),
       {{}, false, 20, 20, true}},
      {"PortVlanVfCannotSendTagged_TrunkSendsItsVlan",
       [](Topology& t) { t.vf(1).filter.SetVlan(30, true); },
       2,
       TaggedFrame(kRemote, vf1, 30),
       {{}, true, 30, 30, true}},
      {"VlanChangeTakesEffectOnNextFrame_NoVlan",
       kAsIs,
       1,
       Frame(kBroadcast, vf0),
       {{Deliver(0), Deliver(2), Deliver(3), Deliver(4)}, true}},
      {"VlanChangeTakesEffectOnNextFrame_TrunksWithoutIt",
       [](Topology& t) { AccessVlan(t.vf(0), 7); },
       1,
       Frame(kBroadcast, vf0),
       {{}, true, 7, 7}},
      {"VlanChangeTakesEffectOnNextFrame_TrunkWithIt",
       [](Topology& t) {
         AccessVlan(t.vf(0), 7);
         t.vf(1).filter.SetVlan(7, true);
       },
       1,
       Frame(kBroadcast, vf0),
       {{Deliver(2, true)}, true, 7, 7}},
      {"VlanChangeTakesEffectOnNextFrame_SameAccessVlan",
       [](Topology& t) {
         AccessVlan(t.vf(0), 7);
         AccessVlan(t.vf(1), 7);
       },
       1,
       Frame(kBroadcast, vf0),
       {{Deliver(2)}, true, 7, 7}},
      {"FloodToPortWithoutBuffersIsBoundedAndIsolated_SoleDestination",
       kAsIs,
       1,
       Frame(vf1, vf0),
       {{Deliver(2)}, false, 0, 0, false, 2}},
      {"UplinkFloodToStarvingPortIsBounded_SoleDestination",
       kAsIs,
       kUplink,
       Frame(vf1, kRemote),
       {{Deliver(2)}, false, 0, 0, false, 2}},
      {"DisabledVfIsNotAPort_Broadcast",
       [](Topology& t) { t.vf(2).enabled = false; },
       0,
       Frame(kBroadcast, pf),
       {{Deliver(1), Deliver(2), Deliver(4)}, true}},
      {"DisabledVfIsNotAPort_ItsMacIsUnknown",
       [](Topology& t) { t.vf(2).enabled = false; },
       0,
       Frame(vf2, pf),
       {{}, true}},
      {"DisabledVfIsNotAPort_UnclaimedFromUplink",
       [](Topology& t) { t.vf(2).enabled = false; },
       kUplink,
       Frame(vf2, kRemote),
       {{}, false}},
      {"NeedsResetVfIsNotAPort",
       [](Topology& t) { t.vf(0).ready = false; },
       0,
       Frame(kBroadcast, pf),
       {{Deliver(2), Deliver(3), Deliver(4)}, true}},
      {"UplinkBusyHoldsOnlyFramesForTheUplink_Local",
       kAsIs,
       0,
       Frame(vf0, pf),
       {{Deliver(1)}, false, 0, 0, false, 1}},
      {"UplinkBusyHoldsOnlyFramesForTheUplink_Remote",
       kAsIs,
       0,
       Frame(kRemote, pf),
       {{}, true}},
      {"UplinkPortCounters_Unclaimed",
       kAsIs,
       kUplink,
       Frame(kOther, kRemote),
       {{}, false}},
      {"DeferredUplinkFrameCountedOnce",
       kAsIs,
       kUplink,
       Frame(vf0, kRemote),
       {{Deliver(1)}, false, 0, 0, false, 1}},

      // ---- MAC ownership is per VLAN ----
      {"MacOwnership_AccessPortInItsVlan",
       [](Topology& t) { AccessVlan(t.vf(0), 10); },
       kUplink,
       TaggedFrame(vf0, kRemote, 10),
       {{Deliver(1)}, false, 10, 10, true, 1}},
      {"MacOwnership_TrunkOwnsItsMacInEveryVlan",
       [](Topology& t) { t.pf().filter.SetVlan(10, true); },
       kUplink,
       TaggedFrame(pf, kRemote, 10),
       {{Deliver(0, true)}, false, 10, 10, true, 0}},
      // The owner's own VLAN filter still applies: counted there.
      {"MacOwnership_TrunkOwnerFiltersAnUnregisteredVlan",
       kAsIs,
       kUplink,
       TaggedFrame(pf, kRemote, 30),
       {{Filtered(0, true)}, false, 30, 30, true}},
      {"MacOwnership_AccessPortOfAnotherVlanIsNoOwner",
       [](Topology& t) {
         AccessVlan(t.vf(0), 10);
         t.vf(1).filter.SetVlan(20, true);  // so its TX passes the checks
       },
       2,
       TaggedFrame(vf0, vf1, 20),
       {{}, true, 20, 20, true}},
      {"MacOwnership_OneMacInTwoVlans_First",
       [](Topology& t) {
         AccessVlan(t.vf(0), 10);
         AccessVlan(t.vf(1), 20);
         t.vf(1).filter.set_mac(MacOfFn(1));
       },
       kUplink,
       TaggedFrame(vf0, kRemote, 10),
       {{Deliver(1)}, false, 10, 10, true, 1}},
      {"MacOwnership_OneMacInTwoVlans_Second",
       [](Topology& t) {
         AccessVlan(t.vf(0), 10);
         AccessVlan(t.vf(1), 20);
         t.vf(1).filter.set_mac(MacOfFn(1));
       },
       kUplink,
       TaggedFrame(vf0, kRemote, 20),
       {{Deliver(2)}, false, 20, 20, true, 2}},

      // ---- a MAC whose port is not running stays inside ----
      {"NotRunningOwner_NoDriver",
       [](Topology& t) { t.vf(1).ready = false; },
       0,
       Frame(vf1, pf),
       {{NotReady(2)}, false}},
      {"NotRunningOwner_BusMasterOff",
       [](Topology& t) { t.vf(1).bus_master = false; },
       0,
       Frame(vf1, pf),
       {{NotReady(2)}, false}},
      {"NotRunningOwner_FromUplink",
       [](Topology& t) { t.vf(1).ready = false; },
       kUplink,
       Frame(vf1, kRemote),
       {{NotReady(2)}, false}},
      {"NotRunningOwner_TrustedTableCannotTakeItsMac",
       [=](Topology& t) {
         t.vf(1).ready = false;
         Trust(t.vf(0));
         table(t.vf(0), vf1);
       },
       0,
       Frame(vf1, pf),
       {{NotReady(2)}, false}},
      {"NotRunningOwner_OnlyInItsVlan",
       [](Topology& t) {
         t.vf(1).ready = false;
         AccessVlan(t.vf(1), 10);
       },
       kUplink,
       Frame(vf1, kRemote),
       {{}, false}},
      {"NotRunningPortGetsNoBroadcast",
       [](Topology& t) { t.vf(1).bus_master = false; },
       kUplink,
       Frame(kBroadcast, kRemote),
       {{Deliver(0), Deliver(1), Deliver(3), Deliver(4)}, false}},

      // ---- unicast tables: trusted only, and never over an own MAC ----
      {"TrustedTable_OwnsAnAddressNobodyOwns",
       [=](Topology& t) {
         Trust(t.vf(0));
         table(t.vf(0), kOther);
       },
       0,
       Frame(kOther, pf),
       {{Deliver(1)}, false, 0, 0, false, 1}},
      {"TrustedTable_NeverTakesAnotherPortsOwnMac",
       [=](Topology& t) {
         Trust(t.vf(0));
         table(t.vf(0), vf1);
       },
       0,
       Frame(vf1, pf),
       {{Deliver(2)}, false, 0, 0, false, 2}},
      {"TrustedTable_NeverTakesThePfsMac",
       [=](Topology& t) {
         Trust(t.vf(0));
         table(t.vf(0), pf);
       },
       kUplink,
       Frame(pf, kRemote),
       {{Deliver(0)}, false, 0, 0, false, 0}},
      {"TrustedTable_OwnerThatFiltersIsCountedThere",
       [=](Topology& t) {
         Trust(t.vf(0));
         table(t.vf(0), kOther);
         t.vf(0).filter.nouni = true;
       },
       0,
       Frame(kOther, pf),
       {{Filtered(1)}, false}},
      {"TrustedTable_OwnerWithLinkDown",
       [=](Topology& t) {
         Trust(t.vf(0));
         table(t.vf(0), kOther);
         t.vf(0).link_up = false;
       },
       0,
       Frame(kOther, pf),
       {{LinkDown(1)}, false}},
      {"TrustedTable_TwoTablesBothOwnIt",
       [=](Topology& t) {
         Trust(t.vf(0));
         Trust(t.vf(1));
         table(t.vf(0), kOther);
         table(t.vf(1), kOther);
       },
       0,
       Frame(kOther, pf),
       {{Deliver(1), Deliver(2)}, false}},
      {"TrustedTable_OfAnAccessPortOnlyInItsVlan",
       [=](Topology& t) {
         Trust(t.vf(0));
         table(t.vf(0), kOther);
         AccessVlan(t.vf(0), 10);
       },
       0,
       Frame(kOther, pf),
       {{}, true}},
      {"TrustedTable_OfANotRunningPortOwnsNothing",
       [=](Topology& t) {
         Trust(t.vf(0));
         table(t.vf(0), kOther);
         t.vf(0).ready = false;
       },
       0,
       Frame(kOther, pf),
       {{}, true}},
      {"UntrustedTable_IsInert",
       [=](Topology& t) { table(t.vf(0), kOther); },
       0,
       Frame(kOther, pf),
       {{}, true}},
      {"UntrustedTable_IsInertFromUplink",
       [=](Topology& t) { table(t.vf(0), kOther); },
       kUplink,
       Frame(kOther, kRemote),
       {{}, false}},
      {"UntrustedTable_CannotTakeAnotherPortsMac",
       [=](Topology& t) { table(t.vf(0), vf1); },
       0,
       Frame(vf1, pf),
       {{Deliver(2)}, false, 0, 0, false, 2}},

      // ---- PROMISC, ALLUNI and table overflow: trusted only ----
      {"Promisc_UntrustedIsNot",
       [](Topology& t) { t.vf(0).filter.promisc = true; },
       0,
       Frame(kRemote, pf),
       {{}, true}},
      {"Promisc_TrustedSeesUnknownUnicast",
       [](Topology& t) {
         Trust(t.vf(0));
         t.vf(0).filter.promisc = true;
       },
       0,
       Frame(kRemote, pf),
       {{Deliver(1)}, true}},
      {"Promisc_TrustedSeesAnotherPortsUnicast",
       [](Topology& t) {
         Trust(t.vf(0));
         t.vf(0).filter.promisc = true;
       },
       0,
       Frame(vf1, pf),
       {{Deliver(1), Deliver(2)}, false}},
      {"Promisc_TrustedTrunkSeesEveryVlan",
       [](Topology& t) {
         Trust(t.vf(0));
         t.vf(0).filter.promisc = true;
       },
       kUplink,
       TaggedFrame(kBroadcast, kRemote, 30),
       {{Deliver(1, true)}, false, 30, 30, true}},
      {"Promisc_UntrustedKeepsItsVlanFilter",
       [](Topology& t) { t.vf(0).filter.promisc = true; },
       kUplink,
       TaggedFrame(kBroadcast, kRemote, 30),
       {{}, false, 30, 30, true}},
      {"Alluni_UntrustedIsNot",
       [](Topology& t) { t.vf(0).filter.alluni = true; },
       0,
       Frame(kRemote, pf),
       {{}, true}},
      {"Alluni_TrustedSeesAnotherPortsUnicast",
       [](Topology& t) {
         Trust(t.vf(0));
         t.vf(0).filter.alluni = true;
       },
       0,
       Frame(vf1, pf),
       {{Deliver(1), Deliver(2)}, false}},
      {"UnicastOverflow_TrustedSeesAll",
       [](Topology& t) {
         Trust(t.vf(0));
         t.vf(0).filter.uni_overflow = true;
       },
       0,
       Frame(kRemote, pf),
       {{Deliver(1)}, true}},
      {"UnicastOverflow_UntrustedSeesNothingExtra",
       [](Topology& t) { t.vf(0).filter.uni_overflow = true; },
       0,
       Frame(kRemote, pf),
       {{}, true}},

      // ---- SoleFunction(): one unicast destination, no uplink copy ----
      {"Sole_NoneForMulticastWithOneReceiver",
       [](Topology& t) {
         for (FnId fn = 0; fn < kPorts; ++fn) t.ports[fn].filter.nobcast = true;
         t.vf(0).filter.nobcast = false;
       },
       kUplink,
       Frame(kBroadcast, kRemote),
       {{Deliver(1)}, false}},
      {"Sole_NoneForALinkDownOwner",
       [](Topology& t) { t.vf(1).link_up = false; },
       0,
       Frame(vf1, pf),
       {{LinkDown(2)}, false}},

      // ---- link ----
      {"LinkDown_VfIsStillAPortForBroadcast",
       [](Topology& t) { t.vf(1).link_up = false; },
       kUplink,
       Frame(kBroadcast, kRemote),
       {{Deliver(0), Deliver(1), LinkDown(2), Deliver(3), Deliver(4)}, false}},
      {"LinkDown_ThePfIsNotChecked",
       [](Topology& t) { t.pf().link_up = false; },
       1,
       Frame(pf, vf0),
       {{Deliver(0)}, false, 0, 0, false, 0}},
      {"LinkDown_TheFilterComesFirst",
       [](Topology& t) {
         t.vf(1).link_up = false;
         t.vf(1).filter.nouni = true;
       },
       0,
       Frame(vf1, pf),
       {{Filtered(2)}, false}},

      // ---- tags that are not a VLAN ----
      {"PriorityTag_IsInNoPortVlanAndStaysTagged",
       [](Topology& t) {
         AccessVlan(t.vf(0), 10);
         t.pf().filter.SetVlan(0, true);
       },
       4,
       TaggedFrame(kBroadcast, vf3, 0, 5),
       {{Deliver(0, true)}, true, 0, 5 << 13, true}},
      {"ServiceTag_IsInNoVlan",
       [](Topology& t) { AccessVlan(t.vf(0), 10); },
       kUplink,
       Tagged(Frame(kBroadcast, kRemote), 10, 0, 0x88a8),
       {{Deliver(0), Deliver(2), Deliver(3), Deliver(4)}, false}},
  };
}

class DecideRow : public ::testing::TestWithParam<Row> {};

TEST_P(DecideRow, Decides) {
  const Row& r = GetParam();
  Topology t;
  r.setup(t);
  const std::optional<eth::EthView> eth =
      eth::EthView::Parse(r.frame.data(), r.frame.size());
  ASSERT_TRUE(eth);
  const std::vector<const PortState*> ports = t.Enabled();
  const PortState* src = r.src == kUplink ? nullptr : &t.ports[r.src];
  Destinations d;
  vswitch::Decide(src, *eth, ports, &d);
  EXPECT_EQ(Targets(d), r.want.targets);
  EXPECT_EQ(d.uplink, r.want.uplink);
  EXPECT_EQ(d.vid, r.want.vid);
  EXPECT_EQ(d.tci, r.want.tci);
  EXPECT_EQ(d.source_tagged, r.want.source_tagged);
  EXPECT_EQ(d.unicast, !eth->multicast());
  // The uplink and trunks see the frame as on the wire.
  EXPECT_EQ(d.uplink_tagged, d.vid != 0 || d.source_tagged);
  EXPECT_EQ(d.SoleFunction(), r.want.sole);
}

INSTANTIATE_TEST_SUITE_P(Rows, DecideRow, ::testing::ValuesIn(Rows()),
                         [](const ::testing::TestParamInfo<Row>& info) {
                           return info.param.name;
                         });

// The same Destinations reused: a decision leaves nothing of the last one.
TEST(Decide, StartsFromScratch) {
  Topology t;
  AccessVlan(t.vf(0), 10, 3);
  t.pf().filter.SetVlan(10, true);
  const auto bc = TaggedFrame(kBroadcast, kRemote, 10, 3);
  const auto uni = Frame(MacOfFn(2), MacOfFn(0));
  Destinations d;
  vswitch::Decide(nullptr, *eth::EthView::Parse(bc.data(), bc.size()),
                  t.Enabled(), &d);
  ASSERT_EQ(d.count, 2u);
  ASSERT_TRUE(d.source_tagged);
  vswitch::Decide(&t.ports[0], *eth::EthView::Parse(uni.data(), uni.size()),
                  t.Enabled(), &d);
  EXPECT_EQ(Targets(d), std::vector<T>{Deliver(2)});
  EXPECT_EQ(d.vid, 0u);
  EXPECT_EQ(d.tci, 0u);
  EXPECT_FALSE(d.source_tagged);
  EXPECT_TRUE(d.unicast);
}

// SoleFunction() on hand-made decisions.
TEST(Destinations, SoleFunctionRules) {
  Destinations d;
  d.unicast = true;
  d.count = 1;
  d.targets[0] = {3, Fate::kDeliver, false};
  EXPECT_EQ(d.SoleFunction(), std::optional<FnId>(3));
  d.targets[0].tagged = true;  // the form does not matter
  EXPECT_EQ(d.SoleFunction(), std::optional<FnId>(3));
  d.uplink = true;  // a copy goes out too
  EXPECT_EQ(d.SoleFunction(), std::nullopt);
  d.uplink = false;
  for (Fate f : {Fate::kFiltered, Fate::kLinkDown, Fate::kNotReady}) {
    d.targets[0].fate = f;
    EXPECT_EQ(d.SoleFunction(), std::nullopt) << FateName(f);
  }
  d.targets[0].fate = Fate::kDeliver;
  d.unicast = false;  // broadcast / multicast never waits
  EXPECT_EQ(d.SoleFunction(), std::nullopt);
  d.unicast = true;
  d.count = 2;
  d.targets[1] = {4, Fate::kDeliver, false};
  EXPECT_EQ(d.SoleFunction(), std::nullopt);
  d.count = 0;
  EXPECT_EQ(d.SoleFunction(), std::nullopt);
}

// Random port states and frames (any destination, untagged, 802.1Q with
// and without a VID, 802.1ad) from every port and the uplink: the rules
// of switch.h hold for every decision.
TEST(Decide, RandomStatesKeepTheRules) {
  std::mt19937 rng(42);
  const std::array<Mac, 9> dsts = {MacOfFn(0), MacOfFn(1), MacOfFn(2),
                                   MacOfFn(3), MacOfFn(4), kBroadcast,
                                   kGroup,     kRemote,    kOther};
  const uint16_t vids[] = {0, 5, 10, 7};
  auto coin = [&](int one_in) { return rng() % one_in == 0; };
  size_t delivered = 0, uplinked = 0, owned = 0;
  for (int round = 0; round < 20000; ++round) {
    Topology t;
    for (PortState& p : t.ports) {
      if (!p.is_pf) {
        p.enabled = !coin(6);
        p.policy.trust = coin(3);
        p.policy.vlan = coin(3) ? vids[1 + rng() % 2] : 0;
        p.policy.qos = p.policy.vlan ? uint8_t(rng() % 8) : 0;
        p.link_up = !coin(5);
      }
      p.bus_master = !coin(8);
      p.ready = !coin(8);
      port::RxFilter& f = p.filter;
      f.promisc = coin(5);
      f.allmulti = !coin(3);
      f.alluni = coin(6);
      f.nomulti = coin(8);
      f.nouni = coin(8);
      f.nobcast = coin(8);
      f.programmable = !coin(4);
      f.vlan_filtering = !coin(3);
      f.uni_overflow = coin(10);
      f.multi_overflow = coin(10);
      for (uint16_t v : vids) f.SetVlan(v, coin(2));
      if (coin(3)) f.AddUnicast(dsts[rng() % dsts.size()]);
      if (coin(3)) f.AddMulticast(kGroup);
    }
    const int src_fn = coin(3) ? kUplink : int(rng() % kPorts);
    if (src_fn != kUplink && !t.ports[src_fn].enabled) continue;
    std::vector<uint8_t> frame =
        Frame(dsts[rng() % dsts.size()],
              src_fn == kUplink ? kRemote : MacOfFn(FnId(src_fn)));
    const int tag = rng() % 4;  // none, 802.1Q, priority, 802.1ad
    if (tag == 1) frame = Tagged(frame, vids[rng() % 4], uint8_t(rng() % 8));
    if (tag == 2) frame = Tagged(frame, 0, uint8_t(rng() % 8));
    if (tag == 3) frame = Tagged(frame, vids[rng() % 4], 0, 0x88a8);
    const eth::EthView eth = *eth::EthView::Parse(frame.data(), frame.size());
    const PortState* src = src_fn == kUplink ? nullptr : &t.ports[src_fn];
    // Decide sees what passed the TX checks only.
    if (src != nullptr &&
        vswitch::CheckTx(*src, eth) != vswitch::TxVerdict::kPass) {
      continue;
    }
    Destinations d;
    vswitch::Decide(src, eth, t.Enabled(), &d);

    SCOPED_TRACE(::testing::Message() << "round " << round);
    // The frame's VLAN: the source's port VLAN, else its own 802.1Q tag.
    const bool access_src = src != nullptr && src->policy.vlan != 0;
    ASSERT_EQ(d.vid, access_src ? src->policy.vlan
                                : (eth.dot1q() ? eth.vid() : uint16_t{0}));
    ASSERT_EQ(d.source_tagged, !access_src && eth.dot1q());
    const bool on_wire_tagged = d.vid != 0 || d.source_tagged;
    ASSERT_EQ(d.uplink_tagged, on_wire_tagged);
    ASSERT_EQ(d.unicast, !eth.multicast());
    if (src == nullptr) {  // never back out
      ASSERT_FALSE(d.uplink);
    }
    if (!d.unicast && src != nullptr) {
      ASSERT_TRUE(d.uplink);
    }
    // The own MAC of an enabled port of this VLAN (not the source).
    const PortState* owner = nullptr;
    for (const PortState& p : t.ports) {
      if (p.enabled && &p != src &&
          (p.policy.vlan == 0 || p.policy.vlan == d.vid) &&
          eth::SameMac(p.mac(), eth.dst)) {
        owner = &p;
        break;
      }
    }
    if (d.unicast && owner != nullptr) {
      ASSERT_FALSE(d.uplink);
    }
    std::set<FnId> seen;
    for (const vswitch::Target& tg : d.list()) {
      const PortState& p = t.ports[tg.fn];
      ASSERT_TRUE(seen.insert(tg.fn).second) << "twice: fn " << tg.fn;
      ASSERT_NE(&p, src) << "hairpin";
      ASSERT_TRUE(p.enabled);
      ASSERT_TRUE(p.policy.vlan == 0 || p.policy.vlan == d.vid)
          << "fn " << tg.fn << " is not in VLAN " << d.vid;
      if (tg.fate == Fate::kNotReady) {
        ASSERT_FALSE(p.running());
        ASSERT_EQ(&p, owner);
        continue;
      }
      ASSERT_TRUE(p.running());
      // Access ports untagged; trunks as on the wire.
      ASSERT_EQ(tg.tagged, p.policy.vlan == 0 && on_wire_tagged);
      const bool accepts =
          p.filter.Accepts(eth.dst, tg.tagged, d.vid, p.trusted());
      if (tg.fate == Fate::kFiltered) {
        ASSERT_FALSE(accepts);
        ASSERT_TRUE(d.unicast);
        ASSERT_TRUE(&p == owner || (owner == nullptr && p.trusted() &&
                                    p.filter.ListsUnicast(eth.dst)));
        continue;
      }
      ASSERT_TRUE(accepts);
      ASSERT_EQ(tg.fate == Fate::kLinkDown, !p.link_up && !p.is_pf);
      // Someone else's unicast only reaches trusted ports.
      if (d.unicast && &p != owner) {
        ASSERT_TRUE(p.trusted());
      }
      delivered += tg.fate == Fate::kDeliver;
    }
    uplinked += d.uplink;
    owned += owner != nullptr;
  }
  // The random states exercised every branch that matters.
  EXPECT_GT(delivered, 5000u);
  EXPECT_GT(uplinked, 1000u);
  EXPECT_GT(owned, 1000u);
}

}  // namespace
}  // namespace snic::testing
