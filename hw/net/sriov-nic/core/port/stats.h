// sriov-nic core: per-port counters (the C ABI view is SnicStats, converted
// in capi/abi_convert.cc). They survive function resets.
//
// SPDX-License-Identifier: GPL-2.0-or-later
#ifndef SNIC_CORE_PORT_STATS_H
#define SNIC_CORE_PORT_STATS_H

#include <cstdint>

namespace snic::port {

struct PortStats {
  uint64_t rx_packets = 0;  // frames delivered to the guest
  uint64_t rx_bytes = 0;    // their length, without any device header
  uint64_t tx_packets = 0;  // frames taken from the guest's TX queues
  uint64_t tx_bytes = 0;
  uint64_t rx_drop_no_buffers = 0;  // no RX buffer / queue not ready
  uint64_t rx_drop_filtered = 0;    // addressed to the port, filter said no
  uint64_t rx_drop_too_small = 0;   // frame does not fit the posted buffer
  uint64_t rx_drop_link_down = 0;   // the port's link-state is down
  uint64_t tx_drop_malformed = 0;   // bad header, too short or too long
  uint64_t tx_drop_policy = 0;      // sum of the tx_drop_* policy reasons
  uint64_t tx_drop_spoof = 0;       // source MAC is not the port's (spoofchk)
  uint64_t tx_drop_vlan = 0;        // tag not allowed (port VLAN, anti-spoof)
  uint64_t tx_drop_link_down = 0;   // TX while the port's link is down
  uint64_t tx_rate_waits = 0;       // times TX paused for the rate limit
  uint64_t tx_holds = 0;            // times a frame waited for RX buffers
  uint64_t ctrl_commands = 0;       // control commands answered
  uint64_t ctrl_errors = 0;         // ... of which answered with an error
  uint64_t ctrl_refused_untrusted = 0;  // refused: trust off
  uint64_t mac_table_overflows = 0;     // MAC lists beyond the cap
  uint64_t guest_errors = 0;            // guest mistakes logged
  uint64_t needs_reset = 0;  // times the function entered its error state
  // Offloads (eth/offload.h).
  uint64_t tx_gso = 0;             // GSO frames taken from the guest
  uint64_t tx_csum_completed = 0;  // partial checksums the device completed
  uint64_t rx_gso = 0;             // GSO frames delivered whole
  uint64_t rx_segmented = 0;       // GSO frames delivered cut into segments
};

// The uplink port as the switch sees it (rx = from the netdev).
struct UplinkStats {
  uint64_t rx_frames = 0;
  uint64_t rx_bytes = 0;
  uint64_t rx_dropped_malformed = 0;   // shorter than Ethernet or too long
  uint64_t rx_unclaimed = 0;           // no port accepted it
  uint64_t rx_dropped_no_buffers = 0;  // its only destination had none
  uint64_t rx_holds = 0;               // frames left queued for a while
  uint64_t tx_frames = 0;
  uint64_t tx_bytes = 0;
  uint64_t tx_queued = 0;  // the netdev queued a frame (backend busy)
  uint64_t tx_dropped_link_down = 0;
  uint64_t tx_purged = 0;  // queued frames dropped: their function reset
  uint64_t tx_segmented = 0;  // GSO frames sent cut into segments
};

}  // namespace snic::port

#endif  // SNIC_CORE_PORT_STATS_H
