// sriov-nic core: 82599 receive descriptor write-back and frame status.
// SPDX-License-Identifier: GPL-2.0-or-later
#include "rx_desc.h"

#include "../eth/frame.h"

namespace snic::ixgbe {

namespace {

constexpr uint16_t kEthIpv4 = 0x0800;
constexpr uint16_t kEthIpv6 = 0x86dd;
constexpr uint8_t kProtoTcp = 6, kProtoUdp = 17, kProtoSctp = 132;

void Put16(RawDesc& d, size_t at, uint16_t v) {
  d[at] = static_cast<uint8_t>(v);
  d[at + 1] = static_cast<uint8_t>(v >> 8);
}
void Put32(RawDesc& d, size_t at, uint32_t v) {
  for (size_t i = 0; i < 4; ++i) {
    d[at + i] = static_cast<uint8_t>(v >> (8 * i));
  }
}

// Whether the L4 checksum of [l4, l4 + l4_len) verifies.
bool L4ChecksumGood(const uint8_t* ip, bool ipv6, uint8_t proto,
                    const uint8_t* l4, size_t l4_len) {
  if (proto == kProtoSctp) {
    if (l4_len < 12) {
      return false;
    }
    const uint32_t want = uint32_t{l4[8]} | uint32_t{l4[9]} << 8 |
                          uint32_t{l4[10]} << 16 | uint32_t{l4[11]} << 24;
    // The CRC over the packet with its checksum field zeroed.
    static constexpr uint8_t kZero[4] = {};
    uint32_t c = Crc32cUpdate(0xffffffffu, l4, 8);
    c = Crc32cUpdate(c, kZero, 4);
    c = Crc32cUpdate(c, l4 + 12, l4_len - 12);
    return ~c == want;
  }
  uint32_t sum = ipv6 ? eth::ChecksumAdd(ip + 8, 32, 0)
                      : eth::ChecksumAdd(ip + 12, 8, 0);
  sum += static_cast<uint32_t>(l4_len >> 16) +
         static_cast<uint32_t>(l4_len & 0xffff) + proto;
  return eth::ChecksumFinish(eth::ChecksumAdd(l4, l4_len, sum)) == 0;
}

}  // namespace

RxInfo ClassifyRxFrame(const uint8_t* frame, size_t len,
                       const eth::Offload& offload) {
  RxInfo r;
  const size_t l2 = eth::L2Len(frame, len);
  if (l2 == 0) {
    return r;
  }
  const bool known_good = offload.data_valid || offload.needs_csum;
  const uint16_t type = eth::LoadBe16(frame + l2 - 2);
  const uint8_t* ip = frame + l2;
  const size_t avail = len - l2;
  uint8_t proto = 0;
  size_t l4_off = 0;  // from ip
  size_t l4_len = 0;
  bool ipv6 = false;
  if (type == kEthIpv4) {
    if (avail < 20 || (ip[0] >> 4) != 4) {
      return r;
    }
    const size_t ihl = static_cast<size_t>(ip[0] & 0xf) * 4;
    const size_t tot = eth::LoadBe16(ip + 2);
    if (ihl < 20 || ihl > avail || tot < ihl || tot > avail) {
      return r;
    }
    r.pkt_type = ihl > 20 ? kPktTypeIpv4Ex : kPktTypeIpv4;
    r.status |= kRxStatIpcs;
    if (!known_good &&
        eth::ChecksumFinish(eth::ChecksumAdd(ip, ihl, 0)) != 0) {
      r.ip_error = true;
    }
    if ((eth::LoadBe16(ip + 6) & 0x3fff) != 0) {
      return r;  // a fragment: no L4 header to check
    }
    proto = ip[9];
    l4_off = ihl;
    l4_len = tot - ihl;
  } else if (type == kEthIpv6) {
    if (avail < 40 || (ip[0] >> 4) != 6) {
      return r;
    }
    const size_t payload = eth::LoadBe16(ip + 4);
    if (payload > avail - 40) {
      return r;
    }
    r.pkt_type = kPktTypeIpv6;
    ipv6 = true;
    proto = ip[6];
    l4_off = 40;
    l4_len = payload;
  } else {
    return r;
  }
  const uint8_t* l4 = ip + l4_off;
  switch (proto) {
    case kProtoTcp:
      if (l4_len < 20) {
        return r;
      }
      r.pkt_type |= kPktTypeTcp;
      break;
    case kProtoUdp:
      if (l4_len < 8) {
        return r;
      }
      r.pkt_type |= kPktTypeUdp;
      if (!ipv6 && eth::LoadBe16(l4 + 6) == 0) {
        return r;  // IPv4 UDP without a checksum: nothing to check
      }
      r.status |= kRxStatUdpcs;
      break;
    case kProtoSctp:
      if (l4_len < 12) {
        return r;
      }
      r.pkt_type |= kPktTypeSctp;
      break;
    default:
      return r;
  }
  r.status |= kRxStatL4cs;
  if (!known_good && !L4ChecksumGood(ip, ipv6, proto, l4, l4_len)) {
    r.l4_error = true;
  }
  return r;
}

RawDesc AdvRxWriteback(const RxInfo& info, uint16_t len, bool eop) {
  RawDesc d{};
  Put16(d, 0, static_cast<uint16_t>((info.hash.type & 0xf) | info.pkt_type));
  Put32(d, 4, info.hash.type != kRssTypeNone ? info.hash.value : 0);
  uint32_t se = kRxStatDd | info.status | (eop ? kRxStatEop : 0);
  se |= info.ip_error ? kRxAdvErrIpe : 0;
  se |= info.l4_error ? kRxAdvErrTcpe : 0;
  Put32(d, 8, se);
  Put16(d, 12, len);
  Put16(d, 14, (info.status & kRxStatVp) != 0 ? info.vlan_tci : 0);
  return d;
}

RawDesc LegacyRxWriteback(const RxInfo& info, uint16_t len, bool eop) {
  RawDesc d{};
  Put16(d, 8, len);
  d[12] = static_cast<uint8_t>(kRxStatDd | (eop ? kRxStatEop : 0) |
                               (info.status & 0xff));
  d[13] = static_cast<uint8_t>((info.ip_error ? kRxLegacyErrIpe : 0) |
                               (info.l4_error ? kRxLegacyErrTcpe : 0));
  Put16(d, 14, (info.status & kRxStatVp) != 0 ? info.vlan_tci : 0);
  return d;
}

}  // namespace snic::ixgbe
