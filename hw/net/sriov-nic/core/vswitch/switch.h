// sriov-nic core: the embedded L2 switch (VEB) between the ports and the
// uplink: a pure decision.
//
// Decide() reads an Ethernet view of the frame and the states of the
// enabled ports and says where the frame goes and in which form (802.1Q
// tagged or untagged); the Forwarder (forwarder.h) performs it. It knows
// nothing of virtio or any other personality.
//
// Ports: the uplink, and every enabled function. A function that is not
// running (no driver, reset, error state, bus mastering off) keeps its MAC
// in the switch: unicast for it is counted (kNotReady) and goes nowhere
// else, as on a NIC whose VF queues are stopped.
//
// VLANs (IEEE 802.1Q, TPID 0x8100). A port with a port VLAN (policy vlan
// != 0) is an access port of that VLAN: its untagged TX is tagged (PCP =
// policy qos, VID = vlan) when it leaves through the uplink or a trunk, it
// only receives frames of its VLAN, untagged. Ports without a port VLAN
// are trunks: they see frames of any VLAN as on the wire (their own VLAN
// filter still applies). TX that policy forbids (tagged frames of an
// access port, VIDs an untrusted port did not register) never reaches the
// switch (tx_checks.h).
//
// Rules, among the ports in the frame's VLAN:
//  - never back to the source port (no hairpin);
//  - broadcast / multicast: every other port whose RX filter accepts it,
//    and the uplink unless the frame came from it;
//  - unicast to a MAC that is the own MAC of an enabled port of the frame's
//    VLAN (an access port of it, or a trunk): that port only
//    (kNotReady if it is not running, kFiltered if its filter rejects it,
//    kLinkDown if a VF's link is down), plus trusted ports that see all
//    unicast (PROMISC, ALLUNI, a table overflow);
//  - otherwise, trusted running ports that list the MAC in their unicast
//    table own it; untrusted ports' tables count for nothing
//    (rx_filter.h); with no owner the frame is unknown unicast and also
//    goes to the uplink;
//  - a VF whose link is down is still a port, but every frame for it is
//    dropped (kLinkDown).
//
// SPDX-License-Identifier: GPL-2.0-or-later
#ifndef SNIC_CORE_VSWITCH_SWITCH_H
#define SNIC_CORE_VSWITCH_SWITCH_H

#include <array>
#include <cstdint>
#include <optional>
#include <span>

#include "../base/types.h"
#include "../eth/frame.h"
#include "../port/port.h"

namespace snic::vswitch {

enum class Fate : uint8_t {
  kDeliver,    // deliver to this port
  kFiltered,   // it owns the MAC, its RX filter rejects the frame
  kLinkDown,   // it would get it, but its link-state is down
  kNotReady,   // it owns the MAC but is not running
};

struct Target {
  FnId fn;
  Fate fate;
  bool tagged;  // deliver the 802.1Q-tagged form (else untagged)
};

struct Destinations {
  // The frame's VLAN: vid 0 = untagged. tci is the full tag control of
  // the tagged form (PCP, DEI, VID).
  uint16_t vid = 0;
  uint16_t tci = 0;
  bool source_tagged = false;  // the frame as sent carries an 802.1Q tag
  bool unicast = false;
  bool uplink = false;          // send it out of the uplink too
  bool uplink_tagged = false;   // in the tagged form
  uint16_t count = 0;
  std::array<Target, kMaxFunctions> targets;

  std::span<const Target> list() const { return {targets.data(), count}; }
  // TX backpressure waits only for this: a unicast frame whose one and
  // only destination is a function that is to get it (no uplink copy, no
  // other port involved). The uplink's RX hold uses the same rule.
  std::optional<FnId> SoleFunction() const {
    if (unicast && !uplink && count == 1 && targets[0].fate == Fate::kDeliver) {
      return targets[0].fn;
    }
    return std::nullopt;
  }
};

// @src: the sending port, nullptr for the uplink. @ports: every enabled
// port (@src among them). The frame passed the TX checks.
void Decide(const port::PortState* src, const eth::EthView& eth,
            std::span<const port::PortState* const> ports,
            Destinations* out);

}  // namespace snic::vswitch

#endif  // SNIC_CORE_VSWITCH_SWITCH_H
