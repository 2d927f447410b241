// Test helpers: TCP/UDP frames as Linux hands them to a NIC with
// offloads on (a GSO frame with a partial checksum), and a receiver's
// check that a wire frame's checksums verify.
// SPDX-License-Identifier: GPL-2.0-or-later
#ifndef SNIC_TESTS_FAKES_GSO_FRAMES_H
#define SNIC_TESTS_FAKES_GSO_FRAMES_H

#include <array>
#include <cstdint>
#include <cstring>
#include <vector>

#include "eth/frame.h"
#include "eth/offload.h"

namespace snic::testing {

inline constexpr uint8_t kProtoTcp = 6, kProtoUdp = 17;

// Sum of the L4 pseudo-header of the IP header at @ip.
inline uint32_t PseudoHeaderSum(const uint8_t* ip, bool ipv6, uint8_t proto,
                                size_t l4_len) {
  uint32_t s = ipv6 ? eth::ChecksumAdd(ip + 8, 32, 0)
                    : eth::ChecksumAdd(ip + 12, 8, 0);
  return s + uint32_t(l4_len >> 16) + uint32_t(l4_len & 0xffff) + proto;
}

// dst, src, [802.1Q @vid], IPv4 or IPv6, TCP (20-byte header, seq 1000,
// PSH ACK) or UDP, then @payload bytes 0, 1, 2...; the IP lengths are the
// whole frame's and the L4 checksum field holds the pseudo-header sum
// (CHECKSUM_PARTIAL), unless @full (a complete checksum).
inline std::vector<uint8_t> L4Frame(const std::array<uint8_t, 6>& dst,
                                    const std::array<uint8_t, 6>& src,
                                    bool ipv6, uint8_t proto, size_t payload,
                                    uint16_t vid = 0, bool full = false) {
  std::vector<uint8_t> f(dst.begin(), dst.end());
  f.insert(f.end(), src.begin(), src.end());
  if (vid != 0) {
    f.insert(f.end(), {0x81, 0x00, uint8_t(vid >> 8), uint8_t(vid)});
  }
  f.insert(f.end(), {uint8_t(ipv6 ? 0x86 : 0x08), uint8_t(ipv6 ? 0xdd : 0)});
  const size_t l3 = f.size();
  const size_t l4_len = (proto == kProtoTcp ? 20 : 8) + payload;
  if (ipv6) {
    f.insert(f.end(), {0x60, 0, 0, 0, uint8_t(l4_len >> 8), uint8_t(l4_len),
                       proto, 64});
    for (int i = 0; i < 32; ++i) f.push_back(uint8_t(i < 16 ? 0x10 : 0x20));
  } else {
    const size_t tot = 20 + l4_len;
    f.insert(f.end(), {0x45, 0, uint8_t(tot >> 8), uint8_t(tot), 0x12, 0x34,
                       0x40, 0, 64, proto, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2});
    const uint16_t c = eth::ChecksumFinish(eth::ChecksumAdd(&f[l3], 20, 0));
    f[l3 + 10] = uint8_t(c >> 8);
    f[l3 + 11] = uint8_t(c);
  }
  const size_t l4 = f.size();
  if (proto == kProtoTcp) {
    f.insert(f.end(), {0x30, 0x39, 0x14, 0x51, 0, 0, 0x03, 0xe8, 0, 0, 0, 1,
                       0x50, 0x18, 0xff, 0xff, 0, 0, 0, 0});
  } else {
    f.insert(f.end(), {0x30, 0x39, 0x14, 0x51, uint8_t(l4_len >> 8),
                       uint8_t(l4_len), 0, 0});
  }
  for (size_t i = 0; i < payload; ++i) f.push_back(uint8_t(i * 7 + 3));
  const size_t at = l4 + (proto == kProtoTcp ? 16 : 6);
  uint32_t sum = PseudoHeaderSum(&f[l3], ipv6, proto, l4_len);
  uint16_t c;
  if (full) {
    c = eth::ChecksumFinish(eth::ChecksumAdd(&f[l4], l4_len, sum));
  } else {
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    c = uint16_t(sum);  // not complemented: the partial sum Linux leaves
  }
  f[at] = uint8_t(c >> 8);
  f[at + 1] = uint8_t(c);
  return f;
}

// The offset of the L4 header of an L4Frame.
inline uint16_t L4Offset(bool ipv6, uint16_t vid = 0) {
  return uint16_t(14 + (vid ? 4 : 0) + (ipv6 ? 40 : 20));
}

// A receiver's check: the IPv4 header checksum (if IPv4) and the TCP/UDP
// checksum verify, and the IP lengths match the frame.
inline bool ChecksumsVerify(const std::vector<uint8_t>& f) {
  const size_t l2 = eth::L2Len(f.data(), f.size());
  if (l2 == 0) return false;
  const unsigned v = eth::IpVersion(f.data(), f.size());
  const uint8_t* ip = f.data() + l2;
  size_t l4;
  uint8_t proto;
  if (v == 4) {
    if (eth::ChecksumFinish(eth::ChecksumAdd(ip, 20, 0)) != 0) return false;
    if (eth::LoadBe16(ip + 2) != f.size() - l2) return false;
    proto = ip[9];
    l4 = l2 + 20;
  } else if (v == 6) {
    if (eth::LoadBe16(ip + 4) != f.size() - l2 - 40) return false;
    proto = ip[6];
    l4 = l2 + 40;
  } else {
    return false;
  }
  const size_t l4_len = f.size() - l4;
  const uint32_t sum = PseudoHeaderSum(ip, v == 6, proto, l4_len);
  return eth::ChecksumFinish(eth::ChecksumAdd(f.data() + l4, l4_len, sum)) ==
         0;
}

// The 12-byte virtio_net_hdr a Linux driver writes for @o.
inline std::array<uint8_t, 12> TxHeader(uint8_t flags, uint8_t gso_type,
                                        uint16_t hdr_len, uint16_t gso_size,
                                        uint16_t csum_start,
                                        uint16_t csum_offset) {
  return {flags,
          gso_type,
          uint8_t(hdr_len),
          uint8_t(hdr_len >> 8),
          uint8_t(gso_size),
          uint8_t(gso_size >> 8),
          uint8_t(csum_start),
          uint8_t(csum_start >> 8),
          uint8_t(csum_offset),
          uint8_t(csum_offset >> 8),
          0,
          0};
}

}  // namespace snic::testing

#endif  // SNIC_TESTS_FAKES_GSO_FRAMES_H
