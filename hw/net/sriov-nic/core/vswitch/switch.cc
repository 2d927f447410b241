// sriov-nic core: the embedded L2 switch (VEB).
// SPDX-License-Identifier: GPL-2.0-or-later
#include "switch.h"

namespace snic::vswitch {

using port::PortState;

namespace {

// Whether the port's RX filter applies as programmed: the host trusts the
// port, or the filter is hardware registers its PF driver already vetted
// (RxFilter::registers).
bool RxTrusted(const PortState& p) {
  return p.trusted() || p.filter.registers;
}

// A trusted port that receives unicast for any MAC.
bool SeesAllUnicast(const PortState& p) {
  const port::RxFilter& f = p.filter;
  return RxTrusted(p) && (f.promisc || f.alluni || f.uni_overflow);
}

}  // namespace

void Decide(const PortState* src, const eth::EthView& eth,
            std::span<const PortState* const> ports, Destinations* out) {
  out->vid = 0;
  out->tci = 0;
  out->source_tagged = false;
  out->count = 0;
  // The frame's VLAN: a port-VLAN source puts it in its VLAN; otherwise
  // its own 802.1Q tag (if any) does.
  if (src != nullptr && src->policy.vlan != 0) {
    out->vid = src->policy.vlan;
    out->tci = static_cast<uint16_t>(src->policy.qos << 13 | src->policy.vlan);
  } else if (eth.dot1q()) {
    out->source_tagged = true;
    out->tci = eth.tci;
    out->vid = eth.vid();
  }
  // Trunk ports get the frame as on the wire: tagged when it has a VLAN.
  const bool trunk_tagged = out->vid != 0 || out->source_tagged;
  const uint8_t* dst = eth.dst;
  const bool multicast = eth::IsMulticast(dst);
  out->unicast = !multicast;

  // Unicast: the enabled port of this VLAN whose own MAC it is, if any
  // (MACs are learned per VLAN: an access port of another VLAN does not
  // own the address here).
  const PortState* mac_owner = nullptr;
  if (!multicast) {
    for (const PortState* p : ports) {
      const uint16_t pv = p->policy.vlan;
      if (p != src && (pv == 0 || pv == out->vid) &&
          eth::SameMac(p->mac(), dst)) {
        mac_owner = p;
        break;
      }
    }
  }

  bool owned = mac_owner != nullptr;
  for (const PortState* p : ports) {
    if (p == src) continue;
    const bool own = p == mac_owner;
    if (!p->running()) {
      if (own) {
        out->targets[out->count++] = {p->fn, Fate::kNotReady, false};
      }
      continue;
    }
    const uint16_t pv = p->policy.vlan;
    if (pv != 0 && pv != out->vid) continue;  // not in this VLAN
    // What the port sees: access ports untagged, trunks as on the wire.
    const bool tagged = pv == 0 && trunk_tagged;
    bool owner = own;
    if (!multicast && !own) {
      if (mac_owner != nullptr) {
        // Someone else's MAC: only ports that see all unicast get a copy.
        if (!SeesAllUnicast(*p)) continue;
      } else if (RxTrusted(*p) && p->filter.ListsUnicast(dst)) {
        owner = true;
        owned = true;
      }
    }
    if (!p->filter.Accepts(dst, tagged, out->vid, RxTrusted(*p))) {
      if (owner) {
        out->targets[out->count++] = {p->fn, Fate::kFiltered, tagged};
      }
      continue;
    }
    if (!p->link_up && !p->is_pf) {
      out->targets[out->count++] = {p->fn, Fate::kLinkDown, tagged};
      continue;
    }
    out->targets[out->count++] = {p->fn, Fate::kDeliver, tagged};
  }
  out->uplink = src != nullptr && (multicast || !owned);
  out->uplink_tagged = trunk_tagged;
}

}  // namespace snic::vswitch
