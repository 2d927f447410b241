// sriov-nic core: virtio-net control virtqueue commands.
//
// Virtio 1.2 section 5.1.6.5. ExecuteControl() is pure: it reads one
// command's data from the chain, updates the function's RxFilter, and
// returns the ack byte (VIRTIO_NET_OK / VIRTIO_NET_ERR) plus what else
// changed. Commands whose class needs a feature the driver did not
// negotiate, unknown classes and commands, and short or oversized data are
// answered with VIRTIO_NET_ERR (5.1.6.5: "the device MUST ... respond with
// VIRTIO_NET_ERR"), never treated as fatal.
//
// Supported:
//  - RX (needs CTRL_RX): PROMISC, ALLMULTI, ALLUNI, NOMULTI, NOUNI, NOBCAST
//    with a 1-byte on/off argument;
//  - MAC: TABLE_SET (needs CTRL_RX; two virtio_net_ctrl_mac lists, each
//    capped at RxFilter::kMaxMacEntries, beyond which the overflow flag
//    turns that class promiscuous as in QEMU) and ADDR_SET (needs
//    CTRL_MAC_ADDR; must be unicast);
//  - VLAN (needs CTRL_VLAN): ADD and DEL of a 12-bit VID (le16);
//  - ANNOUNCE ACK: clears VIRTIO_NET_S_ANNOUNCE.
//
// SPDX-License-Identifier: GPL-2.0-or-later
#ifndef SNIC_CORE_NET_CONTROL_H
#define SNIC_CORE_NET_CONTROL_H

#include <cstdint>

#include "../virtio/descriptor_chain.h"
#include "rx_filter.h"

namespace snic::net {

struct ControlResult {
  uint8_t ack = kCtrlErr;
  bool mac_changed = false;  // ADDR_SET: device config changed
  bool announce_acked = false;
  bool refused_untrusted = false;  // needs policy trust: answered ERR
  const char* error = nullptr;     // why ack is ERR, for the guest error log
};

// @trusted is the host policy's trust: without it, turning PROMISC,
// ALLMULTI or ALLUNI on and MAC_ADDR_SET to another MAC are refused
// (VIRTIO_NET_ERR, refused_untrusted), as `ip link set ... trust off`.
ControlResult ExecuteControl(const CtrlHdr& hdr, virtio::Reader& data,
                             uint64_t features, bool trusted, RxFilter& filter);

}  // namespace snic::net

#endif  // SNIC_CORE_NET_CONTROL_H
