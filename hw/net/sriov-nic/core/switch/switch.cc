// sriov-nic core: frame forwarding between functions and the uplink.
// SPDX-License-Identifier: GPL-2.0-or-later
#include "switch.h"

namespace snic::sw {

void Switch::Decide(int src, const uint8_t* frame, size_t len,
                    const std::vector<net::NetFunction>& fns,
                    Destinations* out) {
  out->Clear();
  const uint8_t* dst = frame;
  if (net::IsMulticast(dst)) {
    for (const net::NetFunction& f : fns) {
      if (static_cast<int>(f.fn()) == src || !f.Running()) continue;
      if (f.filter().Accepts(frame, len)) {
        out->fns.push_back(f.fn());
      }
    }
    out->uplink = src != kUplinkPort;
    return;
  }
  bool owned = false;
  for (const net::NetFunction& f : fns) {
    if (static_cast<int>(f.fn()) == src || !f.enabled()) continue;
    if (f.filter().OwnsUnicast(dst)) {
      owned = true;
      if (!f.Running() || f.filter().Accepts(frame, len)) {
        out->fns.push_back(f.fn());  // not running: counted as no buffers
      } else {
        out->filtered.push_back(f.fn());
      }
    } else if (f.Running() && f.filter().Accepts(frame, len)) {
      out->fns.push_back(f.fn());
    }
  }
  out->uplink = !owned && src != kUplinkPort;
}

}  // namespace snic::sw
