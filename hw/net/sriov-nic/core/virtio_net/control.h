// sriov-nic core: virtio-net control virtqueue commands.
//
// Virtio 1.2 section 5.1.6.5. ExecuteControl() reads one command's data
// from the chain, updates the port's RxFilter, and returns the ack byte
// (VIRTIO_NET_OK / VIRTIO_NET_ERR) plus what else changed. Commands whose
// class needs a feature the driver did not negotiate, unknown classes and
// commands, and short or oversized data are answered with VIRTIO_NET_ERR
// (5.1.6.5: "the device MUST ... respond with VIRTIO_NET_ERR"), never
// treated as fatal; a failed DMA is (Status kDma).
//
// Supported:
//  - RX (needs CTRL_RX): PROMISC, ALLMULTI, ALLUNI, NOMULTI, NOUNI, NOBCAST
//    with a 1-byte on/off argument;
//  - MAC: TABLE_SET (needs CTRL_RX; two virtio_net_ctrl_mac lists, each
//    capped at RxFilter::kMaxMacEntries, beyond which the overflow flag
//    is set as in QEMU) and ADDR_SET (needs CTRL_MAC_ADDR; must be unicast
//    and not another function's MAC);
//  - VLAN (needs CTRL_VLAN): ADD and DEL of a 12-bit VID (le16);
//  - ANNOUNCE (needs GUEST_ANNOUNCE): ACK, the driver has announced itself
//    after the device asked (VIRTIO_NET_S_ANNOUNCE);
//  - GUEST_OFFLOADS (needs CTRL_GUEST_OFFLOADS): SET, the receive offloads
//    the driver wants from now on (a le64 of GUEST_* feature bits, a
//    subset of the negotiated ones: ethtool -K rx/lro/rx-gro-hw);
//  - MQ: VQ_PAIRS_SET (needs MQ; 1..max_virtqueue_pairs pairs, automatic
//    steering), RSS_CONFIG (needs RSS; hash types, indirection table of a
//    power-of-two length up to kRssMaxTableLen naming existing pairs, the
//    unclassified pair, max_tx_vq, a key up to kRssMaxKeySize bytes) and
//    HASH_CONFIG (needs HASH_REPORT; hash types and key only). Hash types
//    the device does not support are ignored (5.1.6.5.7.1: the device
//    uses the ones it supports).
// The host's trust policy gates the requests only trust allows (as `ip
// link set ... trust off` on a real NIC): turning PROMISC, ALLMULTI or
// ALLUNI on and MAC_ADDR_SET to another MAC are refused (VIRTIO_NET_ERR,
// refused_untrusted). An untrusted port's MAC_TABLE_SET is accepted but its
// unicast entries count for nothing (port/rx_filter.h).
//
// SPDX-License-Identifier: GPL-2.0-or-later
#ifndef SNIC_CORE_VIRTIO_NET_CONTROL_H
#define SNIC_CORE_VIRTIO_NET_CONTROL_H

#include <cstdint>

#include "../base/status.h"
#include "../port/port.h"
#include "../virtio/queue/descriptor_chain.h"
#include "rss.h"
#include "spec.h"

namespace snic::virtio_net {

// The feature bits GUEST_OFFLOADS_SET may name (5.1.6.5.6.1).
inline constexpr uint64_t kGuestOffloadMask =
    (uint64_t{1} << kFGuestCsum) | (uint64_t{1} << kFGuestTso4) |
    (uint64_t{1} << kFGuestTso6) | (uint64_t{1} << kFGuestEcn) |
    (uint64_t{1} << kFGuestUfo) | (uint64_t{1} << kFGuestUso4) |
    (uint64_t{1} << kFGuestUso6);

struct ControlContext {
  FnId fn;
  uint64_t features;  // negotiated
  bool trusted;
  const port::MacDirectory* macs;
  uint16_t max_pairs = 1;  // max_virtqueue_pairs
};

struct ControlResult {
  uint8_t ack = kCtrlErr;
  bool mac_changed = false;        // ADDR_SET: device config changed
  bool filter_changed = false;     // RX modes, tables or VLANs changed
  bool announce_acked = false;     // ANNOUNCE_ACK: clear VIRTIO_NET_S_ANNOUNCE
  bool set_guest_offloads = false;  // GUEST_OFFLOADS_SET: guest_offloads
  uint64_t guest_offloads = 0;
  // MQ class: what the command set (rss holds it for kRss and kHash).
  enum class Mq : uint8_t { kNone, kPairs, kRss, kHash } mq = Mq::kNone;
  uint16_t pairs = 0;  // kPairs: virtqueue_pairs; kRss: max_tx_vq
  RssConfig rss;
  bool refused_untrusted = false;  // needs trust: answered ERR
  bool table_overflow = false;     // a MAC list was longer than the cap
  const char* error = nullptr;     // why ack is ERR, for the guest error log
  Status dma;                      // a failed DMA (fatal for the function)
};

ControlResult ExecuteControl(const CtrlHdr& hdr, virtio::Reader& data,
                             const ControlContext& ctx,
                             port::RxFilter& filter);

}  // namespace snic::virtio_net

#endif  // SNIC_CORE_VIRTIO_NET_CONTROL_H
