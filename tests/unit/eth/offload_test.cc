// Unit tests: the software offload fallbacks (eth/offload.h): checksums,
// checksum completion, the checks of guest-given offload metadata and
// segmentation of TCP and UDP GSO frames over IPv4 and IPv6, VLAN-tagged
// too. Each segment is checked as a receiver would: IP and L4 checksums
// verify, lengths match, sequence numbers and flags are what the sender's
// stack would have put on the wire, and the payloads add up to the
// original one.
// SPDX-License-Identifier: GPL-2.0-or-later
#include "eth/offload.h"

#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "eth/frame.h"

namespace snic::eth {
namespace {

using Bytes = std::vector<uint8_t>;

constexpr uint8_t kTcp = 6, kUdp = 17;

uint32_t Be32(const uint8_t* p) {
  return uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 | uint32_t{p[2]} << 8 |
         p[3];
}

// An Ethernet frame (optionally 802.1Q-tagged) carrying IPv4 or IPv6 and
// a TCP (20-byte header, seq 1000, flags @tcp_flags) or UDP header, then
// @payload bytes 0, 1, 2, ...; lengths are those of the whole GSO frame
// and the L4 checksum field holds the pseudo-header sum, as Linux sends
// CHECKSUM_PARTIAL frames.
Bytes GsoFrame(bool ipv6, uint8_t proto, size_t payload, bool vlan = false,
               uint8_t tcp_flags = 0x18 /* PSH ACK */) {
  Bytes f;
  const uint8_t macs[12] = {2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2};
  f.insert(f.end(), macs, macs + 12);
  if (vlan) {
    f.insert(f.end(), {0x81, 0x00, 0x00, 0x0a});
  }
  if (ipv6) {
    f.insert(f.end(), {0x86, 0xdd});
  } else {
    f.insert(f.end(), {0x08, 0x00});
  }
  const size_t l3 = f.size();
  const size_t l4_hdr = proto == kTcp ? 20 : 8;
  const size_t l4_len = l4_hdr + payload;
  if (ipv6) {
    f.insert(f.end(), {0x60, 0, 0, 0, uint8_t(l4_len >> 8), uint8_t(l4_len),
                       proto, 64});
    for (int i = 0; i < 32; ++i) f.push_back(uint8_t(i < 16 ? 0x10 : 0x20));
  } else {
    const size_t tot = 20 + l4_len;
    f.insert(f.end(), {0x45, 0, uint8_t(tot >> 8), uint8_t(tot), 0x12, 0x34,
                       0x40, 0, 64, proto, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2});
  }
  const size_t l4 = f.size();
  if (proto == kTcp) {
    f.insert(f.end(), {0x30, 0x39, 0x14, 0x51, 0, 0, 0x03, 0xe8, 0, 0, 0, 1,
                       0x50, tcp_flags, 0xff, 0xff, 0, 0, 0, 0});
  } else {
    f.insert(f.end(), {0x30, 0x39, 0x14, 0x51, uint8_t(l4_len >> 8),
                       uint8_t(l4_len), 0, 0});
  }
  for (size_t i = 0; i < payload; ++i) f.push_back(uint8_t(i));
  (void)l3;
  (void)l4;
  return f;
}

size_t L3Of(bool vlan) { return kHeaderLen + (vlan ? kVlanTagLen : 0); }

// The pseudo-header sum a receiver adds for the segment at @ip.
uint32_t Pseudo(const uint8_t* ip, bool ipv6, uint8_t proto, size_t l4_len) {
  uint32_t s = ipv6 ? ChecksumAdd(ip + 8, 32, 0) : ChecksumAdd(ip + 12, 8, 0);
  return s + uint32_t(l4_len >> 16) + uint32_t(l4_len & 0xffff) + proto;
}

std::vector<Bytes> SegmentAll(const Bytes& f, const Offload& o,
                              Status* status = nullptr) {
  std::vector<Bytes> out;
  std::vector<uint8_t> scratch(kFrameBufferLen);
  const Status s = Segment(f.data(), f.size(), o, scratch.data(),
                           [&](const uint8_t* p, size_t n) {
                             out.emplace_back(p, p + n);
                             return true;
                           });
  if (status) *status = s;
  EXPECT_TRUE(status || s.ok()) << s.message();
  return out;
}

// Checks every segment as a receiver would; returns the payloads joined.
Bytes CheckSegments(const std::vector<Bytes>& segs, bool ipv6, uint8_t proto,
                    bool vlan, uint16_t gso_size, uint8_t tcp_flags) {
  Bytes joined;
  const size_t l3 = L3Of(vlan);
  const size_t l4 = l3 + (ipv6 ? 40 : 20);
  const size_t pay = l4 + (proto == kTcp ? 20 : 8);
  for (size_t i = 0; i < segs.size(); ++i) {
    const Bytes& s = segs[i];
    SCOPED_TRACE("segment " + std::to_string(i));
    EXPECT_GE(s.size(), pay);
    if (s.size() < pay) return {};
    const size_t n = s.size() - pay;
    EXPECT_LE(n, gso_size);
    if (i + 1 < segs.size()) {
      EXPECT_EQ(n, gso_size);
    }
    const uint8_t* ip = s.data() + l3;
    const size_t l4_len = s.size() - l4;
    if (ipv6) {
      EXPECT_EQ(LoadBe16(ip + 4), l4_len);
    } else {
      EXPECT_EQ(LoadBe16(ip + 2), s.size() - l3);
      EXPECT_EQ(LoadBe16(ip + 4), 0x1234 + i);  // IDs advance
      EXPECT_EQ(ChecksumFinish(ChecksumAdd(ip, 20, 0)), 0) << "IPv4 checksum";
    }
    const uint8_t* h = s.data() + l4;
    EXPECT_EQ(ChecksumFinish(ChecksumAdd(h, l4_len,
                                         Pseudo(ip, ipv6, proto, l4_len))),
              0)
        << "L4 checksum";
    if (proto == kTcp) {
      EXPECT_EQ(Be32(h + 4), 1000 + i * gso_size) << "sequence number";
      const bool last = i + 1 == segs.size();
      EXPECT_EQ(h[13] & 0x09, last ? (tcp_flags & 0x09) : 0) << "FIN/PSH";
      EXPECT_EQ(h[13] & 0x80, i == 0 ? (tcp_flags & 0x80) : 0) << "CWR";
      EXPECT_EQ(h[13] & 0x10, tcp_flags & 0x10) << "ACK on every segment";
    } else {
      EXPECT_EQ(LoadBe16(h + 4), l4_len) << "UDP length";
      EXPECT_NE(LoadBe16(h + 6), 0) << "UDP checksum 0 means none";
    }
    joined.insert(joined.end(), s.begin() + pay, s.end());
  }
  return joined;
}

Offload Gso(Gso type, uint16_t gso_size, size_t csum_start) {
  Offload o;
  o.gso = type;
  o.gso_size = gso_size;
  o.needs_csum = true;
  o.csum_start = static_cast<uint16_t>(csum_start);
  o.csum_offset = (type == Gso::kTcp4 || type == Gso::kTcp6) ? 16 : 6;
  return o;
}

TEST(Checksum, Rfc1071Example) {
  // RFC 1071 section 3: 00 01 f2 03 f4 f5 f6 f7 sums to ddf2.
  const uint8_t d[] = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
  EXPECT_EQ(ChecksumFinish(ChecksumAdd(d, sizeof(d), 0)), uint16_t(~0xddf2));
  // An odd last byte counts as the high byte of a word.
  const uint8_t odd[] = {0x12, 0x34, 0x56};
  EXPECT_EQ(ChecksumAdd(odd, 3, 0), 0x1234u + 0x5600u);
}

TEST(Checksum, CompleteChecksumMatchesAReceiversCheck) {
  for (uint8_t proto : {kTcp, kUdp}) {
    for (bool ipv6 : {false, true}) {
      Bytes f = GsoFrame(ipv6, proto, 999);
      const size_t l3 = L3Of(false), l4 = l3 + (ipv6 ? 40 : 20);
      Offload o;
      o.needs_csum = true;
      o.csum_start = static_cast<uint16_t>(l4);
      o.csum_offset = proto == kTcp ? 16 : 6;
      // The partial checksum Linux leaves: the pseudo-header sum, folded.
      const size_t l4_len = f.size() - l4;
      const uint16_t partial = static_cast<uint16_t>(
          ~ChecksumFinish(Pseudo(f.data() + l3, ipv6, proto, l4_len)));
      StoreBe16(f.data() + l4 + o.csum_offset, partial);
      ASSERT_TRUE(CompleteChecksum(f.data(), f.size(), o).ok());
      EXPECT_EQ(ChecksumFinish(ChecksumAdd(
                    f.data() + l4, l4_len,
                    Pseudo(f.data() + l3, ipv6, proto, l4_len))),
                0)
          << int(proto) << " " << ipv6;
    }
  }
}

TEST(Checksum, CompleteChecksumRefusesOffsetsOutsideTheFrame) {
  Bytes f = GsoFrame(false, kTcp, 10);
  Offload o;
  o.needs_csum = true;
  o.csum_start = static_cast<uint16_t>(f.size());
  EXPECT_FALSE(CompleteChecksum(f.data(), f.size(), o).ok());
  o.csum_start = static_cast<uint16_t>(f.size() - 2);
  o.csum_offset = 1;
  EXPECT_FALSE(CompleteChecksum(f.data(), f.size(), o).ok());
  o.csum_offset = 0;
  EXPECT_TRUE(CompleteChecksum(f.data(), f.size(), o).ok());
  EXPECT_FALSE(CheckOffload(f.data(), f.size(),
                            Offload{.needs_csum = true,
                                    .csum_start = 60000,
                                    .csum_offset = 0})
                   .ok());
}

TEST(Segment, TcpOverIpv4And6PlainAndTagged) {
  for (bool ipv6 : {false, true}) {
    for (bool vlan : {false, true}) {
      SCOPED_TRACE(std::string(ipv6 ? "IPv6" : "IPv4") +
                   (vlan ? " tagged" : ""));
      const size_t payload = 10000;
      const Bytes f = GsoFrame(ipv6, kTcp, payload, vlan, 0x19 /* FIN PSH ACK */);
      const size_t l4 = L3Of(vlan) + (ipv6 ? 40 : 20);
      const Offload o = Gso(ipv6 ? Gso::kTcp6 : Gso::kTcp4, 1448, l4);
      ASSERT_TRUE(CheckOffload(f.data(), f.size(), o).ok());
      const auto segs = SegmentAll(f, o);
      EXPECT_EQ(segs.size(), (payload + 1447) / 1448);
      const Bytes joined = CheckSegments(segs, ipv6, kTcp, vlan, 1448, 0x19);
      EXPECT_EQ(joined, Bytes(f.end() - payload, f.end()));
    }
  }
}

TEST(Segment, CwrOnlyOnTheFirstSegment) {
  const Bytes f = GsoFrame(false, kTcp, 3000, false, 0x90 /* CWR ACK */);
  const auto segs = SegmentAll(f, Gso(Gso::kTcp4, 1000, 34));
  ASSERT_EQ(segs.size(), 3u);
  CheckSegments(segs, false, kTcp, false, 1000, 0x90);
}

TEST(Segment, UdpOverIpv4And6) {
  for (bool ipv6 : {false, true}) {
    SCOPED_TRACE(ipv6 ? "IPv6" : "IPv4");
    const size_t payload = 5000;
    const Bytes f = GsoFrame(ipv6, kUdp, payload);
    const size_t l4 = L3Of(false) + (ipv6 ? 40 : 20);
    const Offload o = Gso(ipv6 ? Gso::kUdp6 : Gso::kUdp4, 1200, l4);
    const auto segs = SegmentAll(f, o);
    EXPECT_EQ(segs.size(), 5u);
    EXPECT_EQ(CheckSegments(segs, ipv6, kUdp, false, 1200, 0),
              Bytes(f.end() - payload, f.end()));
  }
}

TEST(Segment, AFrameNoLargerThanOneSegmentStaysOne) {
  const Bytes f = GsoFrame(false, kTcp, 500);
  const auto segs = SegmentAll(f, Gso(Gso::kTcp4, 1448, 34));
  ASSERT_EQ(segs.size(), 1u);
  CheckSegments(segs, false, kTcp, false, 1448, 0x18);
}

TEST(Segment, EmitCanStopEarly) {
  const Bytes f = GsoFrame(false, kTcp, 10000);
  std::vector<uint8_t> scratch(kFrameBufferLen);
  int n = 0;
  EXPECT_TRUE(Segment(f.data(), f.size(), Gso(Gso::kTcp4, 1000, 34),
                      scratch.data(), [&](const uint8_t*, size_t) {
                        return ++n < 3;
                      })
                  .ok());
  EXPECT_EQ(n, 3);
}

// Guest-given metadata that does not describe the frame is refused before
// anything is cut (the caller drops the frame and counts a guest error).
TEST(Segment, BadMetadataIsRefused) {
  const Bytes tcp4 = GsoFrame(false, kTcp, 3000);
  const Bytes udp6 = GsoFrame(true, kUdp, 3000);
  struct Case {
    const char* what;
    const Bytes* f;
    Offload o;
  } cases[] = {
      {"gso_size 0", &tcp4, Gso(Gso::kTcp4, 0, 34)},
      {"TCPv6 type on an IPv4 frame", &tcp4, Gso(Gso::kTcp6, 1000, 34)},
      {"UDP type on a TCP frame", &tcp4, Gso(Gso::kUdp4, 1000, 34)},
      {"TCP type on a UDP frame", &udp6, Gso(Gso::kTcp6, 1000, 54)},
      {"csum_start not the L4 header", &tcp4, Gso(Gso::kTcp4, 1000, 30)},
  };
  for (const Case& c : cases) {
    EXPECT_FALSE(CheckOffload(c.f->data(), c.f->size(), c.o).ok()) << c.what;
    Status s;
    EXPECT_TRUE(SegmentAll(*c.f, c.o, &s).empty()) << c.what;
    EXPECT_FALSE(s.ok()) << c.what;
  }
  Bytes frag = tcp4;
  frag[14 + 6] = 0x20;  // More Fragments
  EXPECT_FALSE(CheckOffload(frag.data(), frag.size(), Gso(Gso::kTcp4, 1000, 34))
                   .ok());
  Bytes ext = GsoFrame(true, kTcp, 3000);
  ext[14 + 6] = 0;  // next header: hop-by-hop options
  EXPECT_FALSE(
      CheckOffload(ext.data(), ext.size(), Gso(Gso::kTcp6, 1000, 54)).ok());
  Bytes arp = tcp4;
  arp[12] = 0x08;
  arp[13] = 0x06;
  EXPECT_FALSE(
      CheckOffload(arp.data(), arp.size(), Gso(Gso::kTcp4, 1000, 34)).ok());
  for (size_t len : {size_t{10}, size_t{30}, size_t{40}, size_t{53}}) {  // headers: 54
    EXPECT_FALSE(CheckOffload(tcp4.data(), len, Gso(Gso::kTcp4, 1000, 34)).ok())
        << "truncated to " << len;
  }
}

// One byte per segment would turn one 64 KiB guest frame into tens of
// thousands of frames: refused (Linux itself never asks for more than
// 64 KiB / 88-byte MSS, under 1024 segments).
TEST(Segment, TooManySegmentsAreRefused) {
  const Bytes f = GsoFrame(false, kTcp, 60000);
  EXPECT_FALSE(CheckOffload(f.data(), f.size(), Gso(Gso::kTcp4, 1, 34)).ok());
  EXPECT_FALSE(CheckOffload(f.data(), f.size(), Gso(Gso::kTcp4, 58, 34)).ok());
  EXPECT_TRUE(CheckOffload(f.data(), f.size(), Gso(Gso::kTcp4, 88, 34)).ok());
}

}  // namespace
}  // namespace snic::eth
