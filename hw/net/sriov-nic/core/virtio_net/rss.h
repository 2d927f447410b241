// sriov-nic core: receive-side scaling and hash reporting of a virtio-net
// function (virtio 1.2 5.1.6.5.7 and 5.1.6.4.3).
//
// The hash is Toeplitz (Microsoft's RSS: the key slides over the input one
// bit at a time) over the frame's IP addresses and, for TCP/UDP, ports, of
// the first type the configuration enables in the spec's order: TCP or UDP
// over IPv4, then IPv4; TCP or UDP over IPv6, then IPv6. Fragments of IPv4
// and IPv6 frames whose next header is not TCP/UDP hash as plain IP. The
// _EX types (addresses from IPv6 extension headers) are not supported and
// not offered.
//
// Queue selection (SelectRxPair):
//  - RSS on (VIRTIO_NET_CTRL_MQ_RSS_CONFIG): the hash's low bits index the
//    driver's indirection table; a frame with no hash goes to
//    unclassified_queue;
//  - otherwise with more than one pair on (VQ_PAIRS_SET): automatic
//    steering, the same Toeplitz hash with the default key over every type,
//    modulo the pairs, so a flow stays on one queue;
//  - else receiveq0.
//
// SPDX-License-Identifier: GPL-2.0-or-later
#ifndef SNIC_CORE_VIRTIO_NET_RSS_H
#define SNIC_CORE_VIRTIO_NET_RSS_H

#include <array>
#include <cstddef>
#include <cstdint>

#include "spec.h"

namespace snic::virtio_net {

// Toeplitz hash of @len bytes of @input under @key (@key_len bytes; the
// key needs at least len + 4 bytes to cover the input, and missing bytes
// count as zero).
uint32_t Toeplitz(const uint8_t* key, size_t key_len, const uint8_t* input,
                  size_t len);

struct FrameHash {
  uint32_t value = 0;
  uint16_t report = kReportNone;  // kReport*: which type was hashed
};

// The hash of @frame (Ethernet, up to two VLAN tags) under @types and the
// key; report kReportNone when no enabled type applies.
FrameHash HashFrame(const uint8_t* frame, size_t len, uint32_t types,
                    const uint8_t* key, size_t key_len);

// The driver's receive-steering configuration.
struct RssConfig {
  bool steering = false;  // RSS_CONFIG set the indirection table
  uint32_t hash_types = 0;  // RSS_CONFIG or HASH_CONFIG
  uint16_t table_mask = 0;
  uint16_t unclassified = 0;
  std::array<uint16_t, kRssMaxTableLen> table{};
  uint8_t key_len = 0;
  std::array<uint8_t, kRssMaxKeySize> key{};
};

// The key automatic steering hashes with (Microsoft's default RSS key, as
// in the RSS verification suite).
extern const std::array<uint8_t, kRssMaxKeySize> kDefaultRssKey;

// The receive queue pair for @frame with @pairs pairs on, and its hash.
uint16_t SelectRxPair(const RssConfig& rss, uint16_t pairs,
                      const uint8_t* frame, size_t len, FrameHash* hash);

}  // namespace snic::virtio_net

#endif  // SNIC_CORE_VIRTIO_NET_RSS_H
