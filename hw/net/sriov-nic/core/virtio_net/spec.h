// sriov-nic core: virtio-net wire formats and constants.
//
// Virtio 1.2 section 5.1: feature bits (5.1.3), device configuration layout
// (5.1.4), the packet header (5.1.6) and the control virtqueue (5.1.6.5).
//
// SPDX-License-Identifier: GPL-2.0-or-later
#ifndef SNIC_CORE_VIRTIO_NET_SPEC_H
#define SNIC_CORE_VIRTIO_NET_SPEC_H

#include <cstdint>
#include <type_traits>

#include "../base/le.h"

namespace snic::virtio_net {

// 5.1.3: feature bits.
inline constexpr unsigned kFCsum = 0;
inline constexpr unsigned kFGuestCsum = 1;
inline constexpr unsigned kFCtrlGuestOffloads = 2;
inline constexpr unsigned kFMtu = 3;
inline constexpr unsigned kFMac = 5;
inline constexpr unsigned kFGuestTso4 = 7;
inline constexpr unsigned kFGuestTso6 = 8;
inline constexpr unsigned kFGuestEcn = 9;
inline constexpr unsigned kFGuestUfo = 10;
inline constexpr unsigned kFHostTso4 = 11;
inline constexpr unsigned kFHostTso6 = 12;
inline constexpr unsigned kFHostEcn = 13;
inline constexpr unsigned kFHostUfo = 14;
inline constexpr unsigned kFMrgRxbuf = 15;
inline constexpr unsigned kFStatus = 16;
inline constexpr unsigned kFCtrlVq = 17;
inline constexpr unsigned kFCtrlRx = 18;
inline constexpr unsigned kFCtrlVlan = 19;
inline constexpr unsigned kFGuestAnnounce = 21;
inline constexpr unsigned kFCtrlMacAddr = 23;
inline constexpr unsigned kFGuestUso4 = 54;
inline constexpr unsigned kFGuestUso6 = 55;
inline constexpr unsigned kFHostUso = 56;
inline constexpr unsigned kFSpeedDuplex = 63;

// Queue indices with max_virtqueue_pairs = 1 (5.1.2).
inline constexpr uint16_t kRxQueue = 0;
inline constexpr uint16_t kTxQueue = 1;
inline constexpr uint16_t kCtrlQueue = 2;

// 5.1.4: device configuration status bits.
inline constexpr uint16_t kStatusLinkUp = 1;
inline constexpr uint16_t kStatusAnnounce = 2;

// 5.1.4: duplex values (speed is in Mb/s).
inline constexpr uint8_t kDuplexFull = 1;

// 5.1.4: struct virtio_net_config, up to and including duplex.
struct NetConfig {
  uint8_t mac[6];
  Le16 status;
  Le16 max_virtqueue_pairs;
  Le16 mtu;
  Le32 speed;
  uint8_t duplex;
};
static_assert(sizeof(NetConfig) == 17);
static_assert(std::is_trivially_copyable_v<NetConfig>);

// 5.1.6: struct virtio_net_hdr. With VERSION_1 it always includes
// num_buffers (5.1.6.1), so it is 12 bytes on both queues.
struct NetHdr {
  uint8_t flags;
  uint8_t gso_type;
  Le16 hdr_len;
  Le16 gso_size;
  Le16 csum_start;
  Le16 csum_offset;
  Le16 num_buffers;
};
static_assert(sizeof(NetHdr) == 12);
static_assert(std::is_trivially_copyable_v<NetHdr>);
inline constexpr uint64_t kNumBuffersOffset = 10;
inline constexpr uint8_t kHdrFNeedsCsum = 1;
inline constexpr uint8_t kHdrFDataValid = 2;
inline constexpr uint8_t kGsoNone = 0;
inline constexpr uint8_t kGsoTcpv4 = 1;
inline constexpr uint8_t kGsoUdp = 3;  // UFO: not offered
inline constexpr uint8_t kGsoTcpv6 = 4;
inline constexpr uint8_t kGsoUdpL4 = 5;
inline constexpr uint8_t kGsoEcn = 0x80;

// 5.1.6.5: control virtqueue.
struct CtrlHdr {
  uint8_t cls;  // "class" in the spec
  uint8_t cmd;
};
static_assert(sizeof(CtrlHdr) == 2);
inline constexpr uint8_t kCtrlOk = 0;
inline constexpr uint8_t kCtrlErr = 1;

inline constexpr uint8_t kCtrlRx = 0;
inline constexpr uint8_t kCtrlRxPromisc = 0;
inline constexpr uint8_t kCtrlRxAllmulti = 1;
inline constexpr uint8_t kCtrlRxAlluni = 2;
inline constexpr uint8_t kCtrlRxNomulti = 3;
inline constexpr uint8_t kCtrlRxNouni = 4;
inline constexpr uint8_t kCtrlRxNobcast = 5;

inline constexpr uint8_t kCtrlMac = 1;
inline constexpr uint8_t kCtrlMacTableSet = 0;
inline constexpr uint8_t kCtrlMacAddrSet = 1;

inline constexpr uint8_t kCtrlVlan = 2;
inline constexpr uint8_t kCtrlVlanAdd = 0;
inline constexpr uint8_t kCtrlVlanDel = 1;

inline constexpr uint8_t kCtrlAnnounce = 3;
inline constexpr uint8_t kCtrlAnnounceAck = 0;

// 5.1.6.5.6.1: the receive offloads the driver wants now (a subset of the
// negotiated GUEST_* features, as a le64 feature bitmap).
inline constexpr uint8_t kCtrlGuestOffloads = 5;
inline constexpr uint8_t kCtrlGuestOffloadsSet = 0;

}  // namespace snic::virtio_net

#endif  // SNIC_CORE_VIRTIO_NET_SPEC_H
