// core/ixgbe/rss: the Toeplitz hash against Microsoft's RSS verification
// values, MRQC's field selection, RSSRK/RETA as ixgbe_store_key /
// ixgbe_store_reta write them.
// SPDX-License-Identifier: GPL-2.0-or-later
#include "ixgbe/rss.h"

#include <gtest/gtest.h>

#include <vector>

namespace snic::ixgbe {
namespace {

constexpr std::array<uint8_t, kRssKeyLen> kMsKey{
    0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2, 0x41, 0x67,
    0x25, 0x3d, 0x43, 0xa3, 0x8f, 0xb0, 0xd0, 0xca, 0x2b, 0xcb,
    0xae, 0x7b, 0x30, 0xb4, 0x77, 0xcb, 0x2d, 0xa3, 0x80, 0x30,
    0xf2, 0x0c, 0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa};

// ixgbe_store_key: RSSRK(i) = key bytes 4i..4i+3, little-endian.
RssRegs Regs(uint32_t mrqc) {
  RssRegs r;
  r.mrqc = mrqc;
  for (size_t i = 0; i < kRssKeyLen; ++i) {
    r.rssrk[i / 4] |= uint32_t(kMsKey[i]) << (8 * (i % 4));
  }
  return r;
}

// 66.9.149.187:2794 -> 161.142.100.80:1766 over @proto.
std::vector<uint8_t> Ipv4Frame(uint8_t proto, bool fragment = false) {
  std::vector<uint8_t> f(14 + 20 + 20, 0);
  f[12] = 0x08;
  f[14] = 0x45;
  f[14 + 6] = fragment ? 0x20 : 0;
  f[14 + 9] = proto;
  const uint8_t addrs[8] = {66, 9, 149, 187, 161, 142, 100, 80};
  std::copy(addrs, addrs + 8, f.begin() + 26);
  f[34] = 2794 >> 8;
  f[35] = 2794 & 0xff;
  f[36] = 1766 >> 8;
  f[37] = 1766 & 0xff;
  return f;
}

// 3ffe:2501:200:1fff::7:2794 -> 3ffe:2501:200:3::1:1766.
std::vector<uint8_t> Ipv6Frame(uint8_t proto) {
  std::vector<uint8_t> f(14 + 40 + 20, 0);
  f[12] = 0x86;
  f[13] = 0xdd;
  f[14] = 0x60;
  f[14 + 6] = proto;
  const uint8_t src[16] = {0x3f, 0xfe, 0x25, 0x01, 0x02, 0x00, 0x1f, 0xff,
                           0, 0, 0, 0, 0, 0, 0, 7};
  const uint8_t dst[16] = {0x3f, 0xfe, 0x25, 0x01, 0x02, 0x00, 0x00, 0x03,
                           0, 0, 0, 0, 0, 0, 0, 1};
  std::copy(src, src + 16, f.begin() + 22);
  std::copy(dst, dst + 16, f.begin() + 38);
  f[54] = 2794 >> 8;
  f[55] = 2794 & 0xff;
  f[56] = 1766 >> 8;
  f[57] = 1766 & 0xff;
  return f;
}

constexpr uint32_t kAllFields = kMrqcFieldIpv4 | kMrqcFieldIpv4Tcp |
                                kMrqcFieldIpv4Udp | kMrqcFieldIpv6 |
                                kMrqcFieldIpv6Tcp | kMrqcFieldIpv6Udp;

TEST(Rss, MicrosoftVerificationValues) {
  const RssRegs r = Regs(0x1 | kAllFields);
  auto f = Ipv4Frame(6);
  RxHash h = RssHash(r, f.data(), f.size());
  EXPECT_EQ(h.type, kRssTypeIpv4Tcp);
  EXPECT_EQ(h.value, 0x51ccc178u);
  f = Ipv6Frame(6);
  h = RssHash(r, f.data(), f.size());
  EXPECT_EQ(h.type, kRssTypeIpv6Tcp);
  EXPECT_EQ(h.value, 0x40207d3du);
  // Addresses only.
  const RssRegs ip_only = Regs(0x1 | kMrqcFieldIpv4 | kMrqcFieldIpv6);
  f = Ipv4Frame(6);
  h = RssHash(ip_only, f.data(), f.size());
  EXPECT_EQ(h.type, kRssTypeIpv4);
  EXPECT_EQ(h.value, 0x323e8fc2u);
  f = Ipv6Frame(6);
  h = RssHash(ip_only, f.data(), f.size());
  EXPECT_EQ(h.type, kRssTypeIpv6);
  EXPECT_EQ(h.value, 0x2cc18cd5u);
}

TEST(Rss, UdpFragmentsAndModes) {
  const RssRegs r = Regs(0xb | kAllFields);  // VMDq 64 pools + RSS
  auto f = Ipv4Frame(17);
  RxHash h = RssHash(r, f.data(), f.size());
  EXPECT_EQ(h.type, kRssTypeIpv4Udp);
  EXPECT_EQ(h.value, 0x51ccc178u);  // same 4-tuple
  f = Ipv4Frame(6, true);
  EXPECT_EQ(RssHash(r, f.data(), f.size()).type, kRssTypeIpv4);
  // UDP not enabled: the addresses only.
  const RssRegs no_udp = Regs(0x1 | kMrqcFieldIpv4 | kMrqcFieldIpv4Tcp);
  f = Ipv4Frame(17);
  EXPECT_EQ(RssHash(no_udp, f.data(), f.size()).type, kRssTypeIpv4);
  // No RSS mode (VMDq only), nothing enabled, or not IP: no hash.
  const RssRegs vmdq = Regs(0x8 | kAllFields);
  EXPECT_EQ(RssHash(vmdq, f.data(), f.size()).type, kRssTypeNone);
  const RssRegs none = Regs(0x1);
  EXPECT_EQ(RssHash(none, f.data(), f.size()).type, kRssTypeNone);
  std::vector<uint8_t> arp(60, 0);
  arp[12] = 0x08;
  arp[13] = 0x06;
  EXPECT_EQ(RssHash(r, arp.data(), arp.size()).type, kRssTypeNone);
  std::vector<uint8_t> runt(20, 0);
  runt[12] = 0x08;
  EXPECT_EQ(RssHash(r, runt.data(), runt.size()).type, kRssTypeNone);
}

TEST(Rss, RetaAsIxgbeStoresIt) {
  // ixgbe_setup_reta with 4 queues: entry i = i % 4, four per register.
  RssRegs r;
  for (uint32_t i = 0; i < kRetaEntries; ++i) {
    r.reta[i >> 2] |= (i % 4) << (i & 3) * 8;
  }
  EXPECT_EQ(RetaEntry(r, 0), 0);
  EXPECT_EQ(RetaEntry(r, 5), 1);
  EXPECT_EQ(RetaEntry(r, 0xffffff83), 3);  // 7 low bits: 3
  r.reta[31] = 0xff000000;
  EXPECT_EQ(RetaEntry(r, 127), 0xf);  // 4-bit entries on 82599
}

}  // namespace
}  // namespace snic::ixgbe
