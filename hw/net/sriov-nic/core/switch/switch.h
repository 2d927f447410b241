// sriov-nic core: frame forwarding between functions and the uplink.
//
// A minimal embedded L2 switch (VEB) with the functions and the uplink as
// ports. The decision is pure: it reads the functions' RX filters and
// states and returns the destinations; Device delivers. The dedicated
// switch issue replaces this class (learning, per-VF policy).
//
// Rules:
//  - never back to the source port (no hairpin);
//  - broadcast / multicast: every other running function whose RxFilter
//    accepts it, and the uplink unless the frame came from it;
//  - unicast: every other enabled function that owns the destination MAC
//    (its own MAC or its unicast table) is a destination (its RxFilter may
//    still reject it: reported in `filtered`); running functions in
//    PROMISC / ALLUNI (or unicast table overflow) get a copy; the uplink
//    gets it when no other function owns the MAC.
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

struct Destinations {
  std::vector<SnicFn> fns;       // deliver to these functions
  std::vector<SnicFn> filtered;  // owners whose RX filter rejected it
  bool uplink = false;

  void Clear() {
    fns.clear();
    filtered.clear();
    uplink = false;
  }
};

class Switch {
 public:
  // @frame is at least an Ethernet header long.
  static void Decide(int src, const uint8_t* frame, size_t len,
                     const std::vector<net::NetFunction>& fns,
                     Destinations* out);
};

}  // namespace snic::sw

#endif  // SNIC_CORE_SWITCH_SWITCH_H
