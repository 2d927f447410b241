// sriov-nic core: the embedded L2 switch (VEB).
// SPDX-License-Identifier: GPL-2.0-or-later
#include "switch.h"

#include <cstring>

namespace snic::sw {

namespace {

uint16_t Be16(const uint8_t* p) {
  return static_cast<uint16_t>((p[0] << 8) | p[1]);
}

}  // namespace

bool Switch::IsTagged(const uint8_t* frame, size_t len) {
  if (len < net::kEthHeaderLen) {
    return false;
  }
  const uint16_t type = Be16(frame + 12);
  return type == kTpid8021Q || type == kTpid8021AD;
}

size_t Switch::Tag(const uint8_t* frame, size_t len, uint16_t tci,
                   uint8_t* out) {
  std::memcpy(out, frame, 12);
  out[12] = kTpid8021Q >> 8;
  out[13] = kTpid8021Q & 0xff;
  out[14] = static_cast<uint8_t>(tci >> 8);
  out[15] = static_cast<uint8_t>(tci);
  std::memcpy(out + 16, frame + 12, len - 12);
  return len + kVlanTagLen;
}

size_t Switch::Untag(const uint8_t* frame, size_t len, uint8_t* out) {
  std::memcpy(out, frame, 12);
  std::memcpy(out + 12, frame + 16, len - 16);
  return len - kVlanTagLen;
}

void Switch::Decide(int src, const uint8_t* frame, size_t len,
                    const std::vector<net::NetFunction>& fns,
                    Destinations* out) {
  out->Clear();
  // The frame's VLAN: a port-VLAN source puts it in its VLAN; otherwise
  // its own 802.1Q tag (if any) does.
  uint16_t port_vlan = 0;
  if (src != kUplinkPort) {
    const policy::VfPolicy& p = fns[static_cast<size_t>(src)].policy();
    port_vlan = p.vlan;
    if (port_vlan != 0) {
      if (IsTagged(frame, len)) {
        out->verdict = Verdict::kDropVlan;
        return;
      }
      out->vid = port_vlan;
      out->tci = static_cast<uint16_t>(p.qos << 13 | port_vlan);
    }
  }
  if (port_vlan == 0 && len >= net::kEthHeaderLen + kVlanTagLen &&
      Be16(frame + 12) == kTpid8021Q) {
    out->source_tagged = true;
    out->tci = Be16(frame + 14);
    out->vid = out->tci & 0xfff;
  }
  // Trunk ports get the frame as on the wire: tagged when it has a VLAN.
  const bool trunk_tagged = out->vid != 0 || out->source_tagged;

  const uint8_t* dst = frame;
  const bool multicast = net::IsMulticast(dst);
  // Untrusted VFs may list another port's MAC in their unicast table, but
  // never get that port's traffic through it.
  bool port_mac = false;
  if (!multicast) {
    for (const net::NetFunction& f : fns) {
      if (static_cast<int>(f.fn()) != src && f.Running() &&
          std::memcmp(f.mac().data(), dst, 6) == 0) {
        port_mac = true;
        break;
      }
    }
  }
  bool owned = false;
  for (const net::NetFunction& f : fns) {
    if (static_cast<int>(f.fn()) == src) continue;
    if (!f.Running()) {
      if (!multicast && f.enabled() && f.filter().OwnsUnicast(dst)) {
        out->not_ready.push_back(f.fn());
      }
      continue;
    }
    const uint16_t pv = f.policy().vlan;
    if (pv != 0 && pv != out->vid) continue;  // not in this VLAN
    // What the port sees: access ports untagged, trunks as on the wire.
    const bool tagged = pv == 0 && trunk_tagged;
    if (port_mac && f.filter().untrusted &&
        std::memcmp(f.mac().data(), dst, 6) != 0) {
      continue;
    }
    const bool accepts = f.filter().Accepts(dst, tagged, out->vid);
    const bool owner = !multicast && f.filter().OwnsUnicast(dst);
    owned |= owner;
    if (!accepts) {
      if (owner) out->filtered.push_back(f.fn());
      continue;
    }
    if (!f.link_up() && !f.is_pf()) {
      out->link_down.push_back(f.fn());
      continue;
    }
    out->fns.push_back({f.fn(), tagged});
  }
  out->uplink = src != kUplinkPort && (multicast || !owned);
  out->uplink_tagged = trunk_tagged;
}

}  // namespace snic::sw
