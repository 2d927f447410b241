// sriov-nic core: C++ types <-> the C ABI's structs.
// SPDX-License-Identifier: GPL-2.0-or-later
#include "abi_convert.h"

#include <cstring>

namespace snic::capi {

policy::PortPolicy FromC(const SnicVfPolicy& c) {
  policy::PortPolicy p;
  std::memcpy(p.mac.data(), c.mac, 6);
  p.vlan = c.vlan;
  p.qos = c.qos;
  p.spoofchk = c.spoofchk;
  p.trust = c.trust;
  // Out-of-range values stay out of range so Validate() names them.
  p.link_state = static_cast<policy::LinkState>(c.link_state);
  p.max_tx_rate = c.max_tx_rate;
  return p;
}

SnicVfPolicy ToC(const policy::PortPolicy& p) {
  SnicVfPolicy c{};
  std::memcpy(c.mac, p.mac.data(), 6);
  c.vlan = p.vlan;
  c.qos = p.qos;
  c.spoofchk = p.spoofchk;
  c.trust = p.trust;
  c.link_state = static_cast<uint8_t>(p.link_state);
  c.max_tx_rate = p.max_tx_rate;
  return c;
}

SnicStats ToC(const port::PortStats& s) {
  SnicStats c{};
  c.rx_packets = s.rx_packets;
  c.rx_bytes = s.rx_bytes;
  c.tx_packets = s.tx_packets;
  c.tx_bytes = s.tx_bytes;
  c.rx_drop_no_buffers = s.rx_drop_no_buffers;
  c.rx_drop_filtered = s.rx_drop_filtered;
  c.rx_drop_too_small = s.rx_drop_too_small;
  c.rx_drop_link_down = s.rx_drop_link_down;
  c.tx_drop_malformed = s.tx_drop_malformed;
  c.tx_drop_policy = s.tx_drop_policy;
  c.tx_drop_spoof = s.tx_drop_spoof;
  c.tx_drop_vlan = s.tx_drop_vlan;
  c.tx_drop_link_down = s.tx_drop_link_down;
  c.tx_rate_waits = s.tx_rate_waits;
  c.tx_holds = s.tx_holds;
  c.ctrl_commands = s.ctrl_commands;
  c.ctrl_errors = s.ctrl_errors;
  c.ctrl_refused_untrusted = s.ctrl_refused_untrusted;
  c.mac_table_overflows = s.mac_table_overflows;
  c.guest_errors = s.guest_errors;
  c.needs_reset = s.needs_reset;
  c.tx_gso = s.tx_gso;
  c.tx_csum_completed = s.tx_csum_completed;
  c.rx_gso = s.rx_gso;
  c.rx_segmented = s.rx_segmented;
  return c;
}

virtio_net::NetHdr FromC(const SnicNetHdr& c) {
  virtio_net::NetHdr h{};
  h.flags = c.flags;
  h.gso_type = c.gso_type;
  h.hdr_len.set(c.hdr_len);
  h.gso_size.set(c.gso_size);
  h.csum_start.set(c.csum_start);
  h.csum_offset.set(c.csum_offset);
  return h;
}

SnicNetHdr ToC(const virtio_net::NetHdr& h) {
  SnicNetHdr c{};
  c.flags = h.flags;
  c.gso_type = h.gso_type;
  c.hdr_len = h.hdr_len.get();
  c.gso_size = h.gso_size.get();
  c.csum_start = h.csum_start.get();
  c.csum_offset = h.csum_offset.get();
  return c;
}

SnicUplinkStats ToC(const port::UplinkStats& s) {
  SnicUplinkStats c{};
  c.rx_packets = s.rx_frames - s.rx_dropped_malformed;
  c.rx_bytes = s.rx_bytes;
  c.rx_drop_malformed = s.rx_dropped_malformed;
  c.rx_drop_unclaimed = s.rx_unclaimed;
  c.rx_drop_no_buffers = s.rx_dropped_no_buffers;
  c.rx_holds = s.rx_holds;
  c.tx_packets = s.tx_frames;
  c.tx_bytes = s.tx_bytes;
  c.tx_queued = s.tx_queued;
  c.tx_drop_link_down = s.tx_dropped_link_down;
  c.tx_purged = s.tx_purged;
  c.tx_segmented = s.tx_segmented;
  return c;
}

}  // namespace snic::capi
