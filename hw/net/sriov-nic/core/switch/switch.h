// sriov-nic core: the embedded L2 switch (VEB) between the functions and
// the uplink.
//
// The decision is pure: it reads the functions' states, RX filters and
// host-administered policies and returns where a frame goes and in which
// form (802.1Q tagged or untagged); Device performs the deliveries, one
// copy straight into each destination's RX buffers.
//
// Ports: the uplink, and every function that is Running() (enabled,
// DRIVER_OK, not NEEDS_RESET). A disabled, reset or not-ready VF is not a
// port: its MAC is unknown to the switch.
//
// VLANs (IEEE 802.1Q, TPID 0x8100). A port with a port VLAN (policy vlan
// != 0, VFs only) is an access port of that VLAN: the switch tags its
// untagged TX (PCP = policy qos, VID = vlan) when the frame leaves through
// the uplink or a port without port VLAN, it only receives frames of its
// VLAN and gets them untagged, and it may not send tagged frames (verdict
// kDropVlan). Ports without port VLAN are trunks: they see frames of any
// VLAN as they are on the wire (their own CTRL_VLAN filter still applies).
//
// Rules, among the ports in the frame's VLAN:
//  - never back to the source port (no hairpin);
//  - broadcast / multicast: every other port whose RX filter accepts it,
//    and the uplink unless the frame came from it;
//  - unicast: the ports that own the destination MAC (own MAC or unicast
//    table; their RX filter may still reject it: `filtered`), plus ports in
//    PROMISC / ALLUNI (RxFilter decides; untrusted VFs never are); when no
//    port owns it (unknown unicast) the uplink gets it too. An untrusted
//    VF's unicast table never claims another running port's own MAC;
//  - an enabled function that is not Running() and owns a unicast
//    destination is listed in `not_ready` (Device counts it as
//    rx_drop_no_buffers) but is no port: the frame is unknown unicast;
//  - a VF whose link-state is down is still a port but every frame for it
//    is dropped (`link_down`, counted by Device).
//
// SPDX-License-Identifier: GPL-2.0-or-later
#ifndef SNIC_CORE_SWITCH_SWITCH_H
#define SNIC_CORE_SWITCH_SWITCH_H

#include <cstddef>
#include <cstdint>
#include <vector>

#include "../virtio_net/net_function.h"

namespace snic::sw {

// Port number of the uplink; functions are ports 0..num_functions-1.
inline constexpr int kUplinkPort = -1;

inline constexpr uint16_t kTpid8021Q = 0x8100;
inline constexpr uint16_t kTpid8021AD = 0x88a8;
inline constexpr size_t kVlanTagLen = 4;

struct Delivery {
  SnicFn fn;
  bool tagged;  // deliver the 802.1Q-tagged form (else untagged)
};

enum class Verdict : uint8_t {
  kForward,   // deliver to the destinations below
  kDropVlan,  // tagged TX from a port-VLAN port
};

struct Destinations {
  Verdict verdict = Verdict::kForward;
  // The frame's VLAN: vid 0 = untagged. tci is the full tag control
  // (PCP, DEI, VID) of the tagged form.
  uint16_t vid = 0;
  uint16_t tci = 0;
  bool source_tagged = false;     // the frame as received carries a tag
  std::vector<Delivery> fns;      // deliver to these functions
  std::vector<SnicFn> filtered;   // owners whose RX filter rejected it
  std::vector<SnicFn> link_down;  // would get it, but link-state is down
  std::vector<SnicFn> not_ready;  // owns the unicast MAC, not running
  bool uplink = false;
  bool uplink_tagged = false;

  void Clear() {
    verdict = Verdict::kForward;
    vid = 0;
    tci = 0;
    source_tagged = false;
    fns.clear();
    filtered.clear();
    link_down.clear();
    not_ready.clear();
    uplink = false;
    uplink_tagged = false;
  }
};

class Switch {
 public:
  // @frame is at least an Ethernet header long.
  static void Decide(int src, const uint8_t* frame, size_t len,
                     const std::vector<net::NetFunction>& fns,
                     Destinations* out);

  // Writes the 802.1Q-tagged form of untagged @frame (tag @tci) to @out,
  // which holds @len + kVlanTagLen bytes; returns the new length.
  static size_t Tag(const uint8_t* frame, size_t len, uint16_t tci,
                    uint8_t* out);
  // Writes the untagged form of tagged @frame (len >= 18) to @out.
  static size_t Untag(const uint8_t* frame, size_t len, uint8_t* out);
  // The frame carries an 802.1Q or 802.1ad tag.
  static bool IsTagged(const uint8_t* frame, size_t len);
};

}  // namespace snic::sw

#endif  // SNIC_CORE_SWITCH_SWITCH_H
