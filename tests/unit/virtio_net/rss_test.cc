// Unit tests: RSS hashing and queue selection (virtio 1.2 5.1.6.4.3),
// against the published vectors of Microsoft's RSS verification suite
// (the Toeplitz values every NIC driver is checked with).
// SPDX-License-Identifier: GPL-2.0-or-later
#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <vector>

#include "virtio_net/rss.h"

namespace snic::virtio_net {
namespace {

std::vector<uint8_t> Ipv4Frame(std::array<uint8_t, 4> src,
                               std::array<uint8_t, 4> dst, uint16_t sport,
                               uint16_t dport, uint8_t proto,
                               uint16_t frag = 0, uint16_t vid = 0) {
  std::vector<uint8_t> f = {0x02, 0, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 2};
  if (vid) f.insert(f.end(), {0x81, 0x00, uint8_t(vid >> 8), uint8_t(vid)});
  f.insert(f.end(), {0x08, 0x00});
  f.insert(f.end(), {0x45, 0, 0, 40, 0, 1, uint8_t(frag >> 8), uint8_t(frag),
                     64, proto, 0, 0});
  f.insert(f.end(), src.begin(), src.end());
  f.insert(f.end(), dst.begin(), dst.end());
  f.insert(f.end(), {uint8_t(sport >> 8), uint8_t(sport), uint8_t(dport >> 8),
                     uint8_t(dport)});
  f.resize(f.size() + 16, 0);
  return f;
}

std::vector<uint8_t> Ipv6Frame(std::array<uint8_t, 16> src,
                               std::array<uint8_t, 16> dst, uint16_t sport,
                               uint16_t dport, uint8_t next) {
  std::vector<uint8_t> f = {0x02, 0, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 2,
                            0x86, 0xdd};
  f.insert(f.end(), {0x60, 0, 0, 0, 0, 20, next, 64});
  f.insert(f.end(), src.begin(), src.end());
  f.insert(f.end(), dst.begin(), dst.end());
  f.insert(f.end(), {uint8_t(sport >> 8), uint8_t(sport), uint8_t(dport >> 8),
                     uint8_t(dport)});
  f.resize(f.size() + 16, 0);
  return f;
}

struct V4Vector {
  std::array<uint8_t, 4> dst;
  uint16_t dport;
  std::array<uint8_t, 4> src;
  uint16_t sport;
  uint32_t ip, tcp;
};

// "Verifying the RSS Hash Calculation" (Microsoft), IPv4 table.
const V4Vector kV4[] = {
    {{161, 142, 100, 80}, 1766, {66, 9, 149, 187}, 2794, 0x323e8fc2,
     0x51ccc178},
    {{65, 69, 140, 83}, 4739, {199, 92, 111, 2}, 14230, 0xd718262a,
     0xc626b0ea},
    {{12, 22, 207, 184}, 38024, {24, 19, 198, 95}, 12898, 0xd2d0a5de,
     0x5c2b394a},
    {{209, 142, 163, 6}, 2217, {38, 27, 205, 30}, 48228, 0x82989176,
     0xafc7327f},
    {{202, 188, 127, 2}, 1303, {153, 39, 163, 191}, 44251, 0x5d1809c5,
     0x10e828a2},
};

FrameHash Hash(const std::vector<uint8_t>& f, uint32_t types) {
  return HashFrame(f.data(), f.size(), types, kDefaultRssKey.data(),
                   kDefaultRssKey.size());
}

TEST(Rss, ToeplitzMatchesTheVerificationSuiteIpv4) {
  for (const V4Vector& v : kV4) {
    const auto tcp = Ipv4Frame(v.src, v.dst, v.sport, v.dport, 6);
    EXPECT_EQ(Hash(tcp, kHashIpv4).value, v.ip);
    EXPECT_EQ(Hash(tcp, kHashIpv4).report, kReportIpv4);
    EXPECT_EQ(Hash(tcp, kHashTcpv4 | kHashIpv4).value, v.tcp);
    EXPECT_EQ(Hash(tcp, kHashTcpv4).report, kReportTcpv4);
    // UDP hashes the same 12 bytes.
    const auto udp = Ipv4Frame(v.src, v.dst, v.sport, v.dport, 17);
    EXPECT_EQ(Hash(udp, kHashUdpv4).value, v.tcp);
    EXPECT_EQ(Hash(udp, kHashUdpv4).report, kReportUdpv4);
    // A VLAN tag changes nothing.
    const auto tagged = Ipv4Frame(v.src, v.dst, v.sport, v.dport, 6, 0, 42);
    EXPECT_EQ(Hash(tagged, kHashTcpv4).value, v.tcp);
  }
}

TEST(Rss, ToeplitzMatchesTheVerificationSuiteIpv6) {
  // The suite's first IPv6 entry: 3ffe:2501:200:1fff::7 port 2794 ->
  // 3ffe:2501:200:3::1 port 1766.
  const std::array<uint8_t, 16> src = {0x3f, 0xfe, 0x25, 0x01, 0x02, 0x00,
                                       0x1f, 0xff, 0, 0, 0, 0, 0, 0, 0, 7};
  const std::array<uint8_t, 16> dst = {0x3f, 0xfe, 0x25, 0x01, 0x02, 0x00,
                                       0x00, 0x03, 0, 0, 0, 0, 0, 0, 0, 1};
  const auto f = Ipv6Frame(src, dst, 2794, 1766, 6);
  EXPECT_EQ(Hash(f, kHashIpv6).value, 0x2cc18cd5u);
  EXPECT_EQ(Hash(f, kHashIpv6).report, kReportIpv6);
  EXPECT_EQ(Hash(f, kHashTcpv6).value, 0x40207d3du);
  EXPECT_EQ(Hash(f, kHashTcpv6).report, kReportTcpv6);
  // An extension header (hop-by-hop, 0) in front of TCP: plain IPv6.
  const auto ext = Ipv6Frame(src, dst, 2794, 1766, 0);
  EXPECT_EQ(Hash(ext, kHashTcpv6 | kHashIpv6).report, kReportIpv6);
  EXPECT_EQ(Hash(ext, kHashTcpv6).report, kReportNone);
}

TEST(Rss, TypesDecideWhatIsHashed) {
  const V4Vector& v = kV4[0];
  const auto tcp = Ipv4Frame(v.src, v.dst, v.sport, v.dport, 6);
  EXPECT_EQ(Hash(tcp, 0).report, kReportNone);
  EXPECT_EQ(Hash(tcp, kHashUdpv4).report, kReportNone);
  EXPECT_EQ(Hash(tcp, kHashTcpv6 | kHashIpv6).report, kReportNone);
  // Fragments carry no ports: IP only.
  const auto frag = Ipv4Frame(v.src, v.dst, v.sport, v.dport, 6, 0x2000);
  EXPECT_EQ(Hash(frag, kHashTcpv4 | kHashIpv4).report, kReportIpv4);
  EXPECT_EQ(Hash(frag, kHashTcpv4 | kHashIpv4).value, v.ip);
  EXPECT_EQ(Hash(frag, kHashTcpv4).report, kReportNone);
  // ICMP: IP only.
  const auto icmp = Ipv4Frame(v.src, v.dst, 0, 0, 1);
  EXPECT_EQ(Hash(icmp, kSupportedHashTypes).report, kReportIpv4);
  EXPECT_EQ(Hash(icmp, kSupportedHashTypes).value, v.ip);
}

TEST(Rss, ShortAndForeignFramesHaveNoHash) {
  const V4Vector& v = kV4[0];
  auto f = Ipv4Frame(v.src, v.dst, v.sport, v.dport, 6);
  for (size_t len : {size_t{0}, size_t{13}, size_t{14}, size_t{33}}) {
    EXPECT_EQ(HashFrame(f.data(), len, kSupportedHashTypes,
                        kDefaultRssKey.data(), kDefaultRssKey.size())
                  .report,
              kReportNone)
        << len;
  }
  // Headers but no ports: IP.
  EXPECT_EQ(HashFrame(f.data(), 14 + 20 + 2, kSupportedHashTypes,
                      kDefaultRssKey.data(), kDefaultRssKey.size())
                .report,
            kReportIpv4);
  f[12] = 0x08, f[13] = 0x06;  // ARP
  EXPECT_EQ(Hash(f, kSupportedHashTypes).report, kReportNone);
  f[12] = 0x08, f[13] = 0x00;
  f[14] = 0x4f;  // IHL 15: 60 bytes of header, longer than the frame
  EXPECT_EQ(HashFrame(f.data(), 14 + 40, kSupportedHashTypes,
                      kDefaultRssKey.data(), kDefaultRssKey.size())
                .report,
            kReportNone);
}

TEST(Rss, ShortKeyCountsMissingBytesAsZero) {
  const uint8_t input[4] = {0xff, 0xff, 0xff, 0xff};
  const uint8_t key[4] = {0x80, 0, 0, 0};
  // Bit i of the input XORs key bits i..i+31 into the hash: only input
  // bit 0 sees the key's one 1 bit, at the hash's top bit.
  EXPECT_EQ(Toeplitz(key, 4, input, 4), 0x80000000u);
  // Key 00 00 00 01 | 80: input bit j sees key bit 31 at hash bit 31 - j
  // ... for j = 0 (bit 31 at position 0) and bit 32 at j = 1.
  const uint8_t key2[5] = {0, 0, 0, 1, 0x80};
  const uint8_t first[1] = {0x80};
  EXPECT_EQ(Toeplitz(key2, 5, first, 1), 1u);
  const uint8_t second[1] = {0x40};
  EXPECT_EQ(Toeplitz(key2, 5, second, 1), 3u);
  EXPECT_EQ(Toeplitz(key, 0, input, 4), 0u);
}

TEST(Rss, SelectionByTableUnclassifiedAndFlow) {
  RssConfig c;
  c.steering = true;
  c.hash_types = kHashTcpv4;
  c.key_len = kRssMaxKeySize;
  c.key = kDefaultRssKey;
  c.table_mask = 7;
  for (uint16_t i = 0; i < 8; ++i) c.table[i] = uint16_t(i % 3);
  c.unclassified = 2;
  for (const V4Vector& v : kV4) {
    const auto f = Ipv4Frame(v.src, v.dst, v.sport, v.dport, 6);
    FrameHash h;
    EXPECT_EQ(SelectRxPair(c, 4, f.data(), f.size(), &h), (v.tcp & 7) % 3);
    EXPECT_EQ(h.value, v.tcp);
    const auto udp = Ipv4Frame(v.src, v.dst, v.sport, v.dport, 17);
    EXPECT_EQ(SelectRxPair(c, 4, udp.data(), udp.size(), &h), 2);
    EXPECT_EQ(h.report, kReportNone);
  }
  // Automatic steering: a flow always lands on one pair, flows spread.
  RssConfig automatic;
  std::array<int, 4> hits{};
  for (uint16_t port = 1000; port < 1064; ++port) {
    const auto f = Ipv4Frame({10, 0, 0, 1}, {10, 0, 0, 2}, port, 5201, 6);
    FrameHash h;
    const uint16_t q = SelectRxPair(automatic, 4, f.data(), f.size(), &h);
    ASSERT_LT(q, 4);
    EXPECT_EQ(SelectRxPair(automatic, 4, f.data(), f.size(), &h), q);
    EXPECT_EQ(h.report, kReportNone);  // no hash configured: none reported
    hits[q]++;
    EXPECT_EQ(SelectRxPair(automatic, 1, f.data(), f.size(), &h), 0);
  }
  for (int n : hits) EXPECT_GT(n, 4);
}

}  // namespace
}  // namespace snic::virtio_net
