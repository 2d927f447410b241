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
inline constexpr unsigned kFMq = 22;
inline constexpr unsigned kFCtrlMacAddr = 23;
inline constexpr unsigned kFGuestUso4 = 54;
inline constexpr unsigned kFGuestUso6 = 55;
inline constexpr unsigned kFHostUso = 56;
inline constexpr unsigned kFHashReport = 57;
inline constexpr unsigned kFRss = 60;
inline constexpr unsigned kFSpeedDuplex = 63;

// 5.1.2: receiveqN is virtqueue 2N, transmitqN 2N+1; controlq is 2 when
// neither MQ nor RSS is negotiated, else 2 * max_virtqueue_pairs.
inline constexpr uint16_t RxQueueOf(uint16_t pair) {
  return static_cast<uint16_t>(2 * pair);
}
inline constexpr uint16_t TxQueueOf(uint16_t pair) {
  return static_cast<uint16_t>(2 * pair + 1);
}

// 5.1.4: device configuration status bits.
inline constexpr uint16_t kStatusLinkUp = 1;
inline constexpr uint16_t kStatusAnnounce = 2;

// 5.1.4: duplex values (speed is in Mb/s).
inline constexpr uint8_t kDuplexFull = 1;

// 5.1.4: struct virtio_net_config, up to and including
// supported_hash_types (RSS and HASH_REPORT).
struct NetConfig {
  uint8_t mac[6];
  Le16 status;
  Le16 max_virtqueue_pairs;
  Le16 mtu;
  Le32 speed;
  uint8_t duplex;
  uint8_t rss_max_key_size;
  Le16 rss_max_indirection_table_length;
  Le32 supported_hash_types;
};
static_assert(sizeof(NetConfig) == 24);
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
// 5.1.6: struct virtio_net_hdr_v1_hash, the header on both queues once
// VIRTIO_NET_F_HASH_REPORT is negotiated (the driver leaves the hash
// fields 0 on transmit).
struct NetHdrHash {
  NetHdr hdr;
  Le32 hash_value;
  Le16 hash_report;
  Le16 padding_reserved;
};
static_assert(sizeof(NetHdrHash) == 20);
static_assert(std::is_trivially_copyable_v<NetHdrHash>);
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

// 5.1.6.5.5 and 5.1.6.5.7: multiqueue, RSS and hash configuration.
inline constexpr uint8_t kCtrlMq = 4;
inline constexpr uint8_t kCtrlMqVqPairsSet = 0;
inline constexpr uint8_t kCtrlMqRssConfig = 1;
inline constexpr uint8_t kCtrlMqHashConfig = 2;
inline constexpr uint16_t kMqPairsMin = 1;
inline constexpr uint16_t kMqPairsMax = 0x8000;

// 5.1.6.5.7.1 (hash types) and 5.1.6.4.1 (hash_report values). The _EX
// types (IPv6 extension headers) are not supported.
inline constexpr uint32_t kHashIpv4 = 1u << 0;
inline constexpr uint32_t kHashTcpv4 = 1u << 1;
inline constexpr uint32_t kHashUdpv4 = 1u << 2;
inline constexpr uint32_t kHashIpv6 = 1u << 3;
inline constexpr uint32_t kHashTcpv6 = 1u << 4;
inline constexpr uint32_t kHashUdpv6 = 1u << 5;
inline constexpr uint32_t kSupportedHashTypes =
    kHashIpv4 | kHashTcpv4 | kHashUdpv4 | kHashIpv6 | kHashTcpv6 | kHashUdpv6;
inline constexpr uint16_t kReportNone = 0;
inline constexpr uint16_t kReportIpv4 = 1;
inline constexpr uint16_t kReportTcpv4 = 2;
inline constexpr uint16_t kReportUdpv4 = 3;
inline constexpr uint16_t kReportIpv6 = 4;
inline constexpr uint16_t kReportTcpv6 = 5;
inline constexpr uint16_t kReportUdpv6 = 6;
// What the device offers in rss_max_key_size and
// rss_max_indirection_table_length (Linux's VIRTIO_NET_RSS_MAX_KEY_SIZE
// and VIRTIO_NET_RSS_MAX_TABLE_LEN).
inline constexpr uint8_t kRssMaxKeySize = 40;
inline constexpr uint16_t kRssMaxTableLen = 128;

}  // namespace snic::virtio_net

#endif  // SNIC_CORE_VIRTIO_NET_SPEC_H
