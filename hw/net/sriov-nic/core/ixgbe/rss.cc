// sriov-nic core: the 82599's RSS hash and redirection table.
// SPDX-License-Identifier: GPL-2.0-or-later
#include "rss.h"

#include <cstring>

#include "../eth/frame.h"
#include "../eth/offload.h"

namespace snic::ixgbe {

namespace {

constexpr uint16_t kEthIpv4 = 0x0800;
constexpr uint16_t kEthIpv6 = 0x86dd;
constexpr uint8_t kProtoTcp = 6, kProtoUdp = 17;

}  // namespace

bool RssEnabled(uint32_t mrqc) {
  switch (mrqc & kMrqcMrqeMask) {
    case 0x1:  // RSS
    case 0x4:  // DCB 8 TC + RSS
    case 0x5:  // DCB 4 TC + RSS
    case 0xa:  // VMDq 32 pools + RSS
    case 0xb:  // VMDq 64 pools + RSS
      return true;
    default:
      return false;
  }
}

uint32_t Toeplitz(const std::array<uint8_t, kRssKeyLen>& key,
                  const uint8_t* input, size_t len) {
  uint32_t hash = 0;
  // The 32-bit window of the key at the current input bit.
  uint32_t window = uint32_t{key[0]} << 24 | uint32_t{key[1]} << 16 |
                    uint32_t{key[2]} << 8 | key[3];
  for (size_t i = 0; i < len; ++i) {
    const uint8_t next = i + 4 < kRssKeyLen ? key[i + 4] : 0;
    for (int b = 7; b >= 0; --b) {
      if ((input[i] >> b) & 1) {
        hash ^= window;
      }
      window = window << 1 | ((next >> b) & 1);
    }
  }
  return hash;
}

RxHash RssHash(const RssRegs& regs, const uint8_t* frame, size_t len) {
  RxHash h;
  if (!RssEnabled(regs.mrqc)) {
    return h;
  }
  const size_t l2 = eth::L2Len(frame, len);
  if (l2 == 0) {
    return h;
  }
  const uint16_t type = eth::LoadBe16(frame + l2 - 2);
  const uint8_t* ip = frame + l2;
  const size_t avail = len - l2;
  uint8_t in[36];
  size_t n = 0;
  uint8_t proto = 0;
  size_t l4 = 0;
  bool v6 = false;
  if (type == kEthIpv4 && avail >= 20 && (ip[0] >> 4) == 4) {
    std::memcpy(in, ip + 12, 8);
    n = 8;
    const size_t ihl = static_cast<size_t>(ip[0] & 0xf) * 4;
    if ((eth::LoadBe16(ip + 6) & 0x3fff) == 0 && ihl >= 20) {
      proto = ip[9];
      l4 = ihl;
    }
  } else if (type == kEthIpv6 && avail >= 40 && (ip[0] >> 4) == 6) {
    std::memcpy(in, ip + 8, 32);
    n = 32;
    v6 = true;
    proto = ip[6];
    l4 = 40;
  } else {
    return h;
  }
  const uint32_t tcp_bit = v6 ? kMrqcFieldIpv6Tcp : kMrqcFieldIpv4Tcp;
  const uint32_t udp_bit = v6 ? kMrqcFieldIpv6Udp : kMrqcFieldIpv4Udp;
  const bool ports = l4 != 0 && avail >= l4 + 4 &&
                     ((proto == kProtoTcp && (regs.mrqc & tcp_bit) != 0) ||
                      (proto == kProtoUdp && (regs.mrqc & udp_bit) != 0));
  if (ports) {
    std::memcpy(in + n, ip + l4, 4);
    n += 4;
    h.type = proto == kProtoTcp ? (v6 ? kRssTypeIpv6Tcp : kRssTypeIpv4Tcp)
                                : (v6 ? kRssTypeIpv6Udp : kRssTypeIpv4Udp);
  } else if ((regs.mrqc & (v6 ? kMrqcFieldIpv6 : kMrqcFieldIpv4)) != 0) {
    h.type = v6 ? kRssTypeIpv6 : kRssTypeIpv4;
  } else {
    return h;
  }
  std::array<uint8_t, kRssKeyLen> key;
  for (size_t i = 0; i < kRssKeyLen; ++i) {
    key[i] = static_cast<uint8_t>(regs.rssrk[i / 4] >> (8 * (i % 4)));
  }
  h.value = Toeplitz(key, in, n);
  return h;
}

uint8_t RetaEntry(const RssRegs& regs, uint32_t hash) {
  const uint32_t i = hash & (kRetaEntries - 1);
  return static_cast<uint8_t>((regs.reta[i / 4] >> (8 * (i % 4))) & 0xf);
}

unsigned PoolRssQueues(uint32_t psrtype, unsigned queues_per_pool) {
  const unsigned rqpl = (psrtype >> kPsrtypeRqplShift) & kPsrtypeRqplMask;
  const unsigned n = rqpl > 3 ? 8u : 1u << rqpl;
  return n < queues_per_pool ? n : queues_per_pool;
}

}  // namespace snic::ixgbe
