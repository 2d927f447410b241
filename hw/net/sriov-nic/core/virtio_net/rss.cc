// sriov-nic core: receive-side scaling and hash reporting.
// SPDX-License-Identifier: GPL-2.0-or-later
#include "rss.h"

#include <cstring>

#include "../eth/frame.h"
#include "../eth/offload.h"

namespace snic::virtio_net {

const std::array<uint8_t, kRssMaxKeySize> kDefaultRssKey = {
    0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2, 0x41, 0x67,
    0x25, 0x3d, 0x43, 0xa3, 0x8f, 0xb0, 0xd0, 0xca, 0x2b, 0xcb,
    0xae, 0x7b, 0x30, 0xb4, 0x77, 0xcb, 0x2d, 0xa3, 0x80, 0x30,
    0xf2, 0x0c, 0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa,
};

uint32_t Toeplitz(const uint8_t* key, size_t key_len, const uint8_t* input,
                  size_t len) {
  auto key_byte = [&](size_t i) -> uint32_t {
    return i < key_len ? key[i] : 0;
  };
  // The 32 key bits aligned with the input bit being looked at.
  uint32_t window = (key_byte(0) << 24) | (key_byte(1) << 16) |
                    (key_byte(2) << 8) | key_byte(3);
  uint32_t hash = 0;
  for (size_t i = 0; i < len; ++i) {
    const uint32_t next = key_byte(i + 4);
    for (int b = 7; b >= 0; --b) {
      if (input[i] & (1u << b)) {
        hash ^= window;
      }
      window = (window << 1) | ((next >> b) & 1);
    }
  }
  return hash;
}

namespace {

constexpr uint8_t kProtoTcp = 6;
constexpr uint8_t kProtoUdp = 17;

}  // namespace

FrameHash HashFrame(const uint8_t* frame, size_t len, uint32_t types,
                    const uint8_t* key, size_t key_len) {
  FrameHash h;
  const size_t l3 = eth::L2Len(frame, len);
  if (l3 == 0) {
    return h;
  }
  // Input: source address, destination address, source port, destination
  // port (5.1.6.4.3.1).
  uint8_t in[36];
  size_t addr_len = 0;
  size_t l4 = 0;
  uint8_t proto = 0;
  bool fragment = false;
  uint32_t ip_type = 0, tcp_type = 0, udp_type = 0;
  uint16_t ip_report = 0, tcp_report = 0, udp_report = 0;
  switch (eth::IpVersion(frame, len)) {
    case 4: {
      if (len < l3 + 20) return h;
      const uint8_t* ip = frame + l3;
      const size_t ihl = size_t{ip[0] & 0xfu} * 4;
      if (ihl < 20 || len < l3 + ihl) return h;
      std::memcpy(in, ip + 12, 8);
      addr_len = 8;
      proto = ip[9];
      fragment = (eth::LoadBe16(ip + 6) & 0x3fff) != 0;  // MF or offset
      l4 = l3 + ihl;
      ip_type = kHashIpv4, tcp_type = kHashTcpv4, udp_type = kHashUdpv4;
      ip_report = kReportIpv4, tcp_report = kReportTcpv4,
      udp_report = kReportUdpv4;
      break;
    }
    case 6: {
      if (len < l3 + 40) return h;
      const uint8_t* ip = frame + l3;
      std::memcpy(in, ip + 8, 32);
      addr_len = 32;
      proto = ip[6];  // an extension header makes it plain IPv6
      l4 = l3 + 40;
      ip_type = kHashIpv6, tcp_type = kHashTcpv6, udp_type = kHashUdpv6;
      ip_report = kReportIpv6, tcp_report = kReportTcpv6,
      udp_report = kReportUdpv6;
      break;
    }
    default:
      return h;
  }
  const bool ports = !fragment && len >= l4 + 4;
  if (ports && proto == kProtoTcp && (types & tcp_type)) {
    h.report = tcp_report;
  } else if (ports && proto == kProtoUdp && (types & udp_type)) {
    h.report = udp_report;
  } else if (types & ip_type) {
    h.report = ip_report;
  } else {
    return h;
  }
  size_t n = addr_len;
  if (h.report != ip_report) {
    std::memcpy(in + n, frame + l4, 4);
    n += 4;
  }
  h.value = Toeplitz(key, key_len, in, n);
  return h;
}

uint16_t SelectRxPair(const RssConfig& rss, uint16_t pairs,
                      const uint8_t* frame, size_t len, FrameHash* hash) {
  if (rss.steering) {
    *hash = HashFrame(frame, len, rss.hash_types, rss.key.data(),
                      rss.key_len);
    if (hash->report == kReportNone) {
      return rss.unclassified;
    }
    return rss.table[hash->value & rss.table_mask];
  }
  if (rss.hash_types != 0) {
    *hash = HashFrame(frame, len, rss.hash_types, rss.key.data(),
                      rss.key_len);
  } else {
    *hash = FrameHash{};
  }
  if (pairs <= 1) {
    return 0;
  }
  const FrameHash flow =
      HashFrame(frame, len, kSupportedHashTypes, kDefaultRssKey.data(),
                kDefaultRssKey.size());
  return static_cast<uint16_t>(flow.value % pairs);
}

}  // namespace snic::virtio_net
