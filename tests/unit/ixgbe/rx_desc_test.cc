// core/ixgbe/rx_desc: frame classification and checksum status as
// ixgbe_rx_checksum reads them, and the advanced/legacy write-back layouts.
// SPDX-License-Identifier: GPL-2.0-or-later
#include "ixgbe/rx_desc.h"

#include <gtest/gtest.h>

#include <vector>

#include "eth/frame.h"
#include "fakes/gso_frames.h"
#include "ixgbe/desc_model.h"

namespace snic::ixgbe {
namespace {

using snic::testing::GetLe32;
using snic::testing::L4Frame;
using snic::testing::kProtoTcp;
using snic::testing::kProtoUdp;

const eth::MacAddress kDst{2, 0, 0, 0, 0, 2};
const eth::MacAddress kSrc{2, 0, 0, 0, 0, 1};

RxInfo Classify(const std::vector<uint8_t>& f, bool data_valid = false) {
  eth::Offload o;
  o.data_valid = data_valid;
  return ClassifyRxFrame(f.data(), f.size(), o);
}

TEST(RxDesc, GoodTcpOverIpv4IsCheckedAndGood) {
  const RxInfo r = Classify(L4Frame(kDst, kSrc, false, kProtoTcp, 100, 0, true));
  EXPECT_EQ(r.pkt_type, kPktTypeIpv4 | kPktTypeTcp);
  EXPECT_EQ(r.status, kRxStatIpcs | kRxStatL4cs);
  EXPECT_FALSE(r.ip_error);
  EXPECT_FALSE(r.l4_error);
}

TEST(RxDesc, UdpOverIpv6AndTaggedFrames) {
  const RxInfo r =
      Classify(L4Frame(kDst, kSrc, true, kProtoUdp, 64, 7, true));
  EXPECT_EQ(r.pkt_type, kPktTypeIpv6 | kPktTypeUdp);
  EXPECT_EQ(r.status, kRxStatL4cs | kRxStatUdpcs);
  EXPECT_FALSE(r.l4_error);
}

TEST(RxDesc, BadChecksumsSetTheErrors) {
  auto f = L4Frame(kDst, kSrc, false, kProtoTcp, 100, 0, true);
  f[60] ^= 1;  // payload
  RxInfo r = Classify(f);
  EXPECT_TRUE(r.l4_error);
  EXPECT_FALSE(r.ip_error);
  f[14 + 8] ^= 1;  // TTL: the IP header checksum breaks
  r = Classify(f);
  EXPECT_TRUE(r.ip_error);
  // Known good: not summed again (the forwarder completed or verified).
  r = Classify(f, true);
  EXPECT_FALSE(r.ip_error || r.l4_error);
  EXPECT_EQ(r.status, kRxStatIpcs | kRxStatL4cs);
}

TEST(RxDesc, Ipv4UdpWithoutChecksumIsNotChecked) {
  auto f = L4Frame(kDst, kSrc, false, kProtoUdp, 20, 0, true);
  f[34 + 6] = f[34 + 7] = 0;
  const RxInfo r = Classify(f);
  EXPECT_EQ(r.pkt_type, kPktTypeIpv4 | kPktTypeUdp);
  EXPECT_EQ(r.status, kRxStatIpcs);
}

TEST(RxDesc, FragmentsAndOptionsAndNonIp) {
  auto f = L4Frame(kDst, kSrc, false, kProtoTcp, 100, 0, true);
  f[14 + 6] = 0x20;  // MF
  f[14 + 10] = f[14 + 11] = 0;
  eth::StoreBe16(&f[24],
                 eth::ChecksumFinish(eth::ChecksumAdd(&f[14], 20, 0)));
  RxInfo r = Classify(f);
  EXPECT_EQ(r.pkt_type, kPktTypeIpv4);
  EXPECT_EQ(r.status, kRxStatIpcs);

  std::vector<uint8_t> arp(60, 0);
  arp[12] = 0x08;
  arp[13] = 0x06;
  r = Classify(arp);
  EXPECT_EQ(r.pkt_type, 0);
  EXPECT_EQ(r.status, 0u);

  // An IPv4 total length past the frame: not trusted.
  auto lie = L4Frame(kDst, kSrc, false, kProtoTcp, 10, 0, true);
  eth::StoreBe16(&lie[16], 1500);
  r = Classify(lie);
  EXPECT_EQ(r.status, 0u);
}

TEST(RxDesc, SctpCrcIsVerified) {
  auto f = L4Frame(kDst, kSrc, false, kProtoUdp, 32, 0, true);
  f[14 + 9] = 132;
  f[24] = f[25] = 0;
  eth::StoreBe16(&f[24], eth::ChecksumFinish(eth::ChecksumAdd(&f[14], 20, 0)));
  std::vector<uint8_t> l4(f.begin() + 34, f.end());
  l4[8] = l4[9] = l4[10] = l4[11] = 0;
  const uint32_t crc = Crc32c(l4.data(), l4.size());
  for (int i = 0; i < 4; ++i) f[34 + 8 + i] = uint8_t(crc >> (8 * i));
  RxInfo r = Classify(f);
  EXPECT_EQ(r.pkt_type, kPktTypeIpv4 | kPktTypeSctp);
  EXPECT_EQ(r.status, kRxStatIpcs | kRxStatL4cs);
  EXPECT_FALSE(r.l4_error);
  f.back() ^= 0x10;
  EXPECT_TRUE(Classify(f).l4_error);
}

TEST(RxDesc, AdvancedWritebackLayout) {
  RxInfo info;
  info.pkt_type = kPktTypeIpv4 | kPktTypeTcp;
  info.status = kRxStatIpcs | kRxStatL4cs | kRxStatVp;
  info.l4_error = true;
  info.vlan_tci = 0x1234;
  info.hash = {0xdeadbeef, kRssTypeIpv4Tcp};
  const RawDesc d = AdvRxWriteback(info, 1514, true);
  // wb.lower.lo_dword.hs_rss.pkt_info, hdr_info (RSCCNT 0)
  EXPECT_EQ(d[0] | d[1] << 8, kPktTypeIpv4 | kPktTypeTcp | kRssTypeIpv4Tcp);
  EXPECT_EQ(d[2] | d[3] << 8, 0);
  EXPECT_EQ(GetLe32(d, 4), 0xdeadbeefu);
  EXPECT_EQ(GetLe32(d, 8), kRxStatDd | kRxStatEop | kRxStatIpcs |
                               kRxStatL4cs | kRxStatVp | kRxAdvErrTcpe);
  EXPECT_EQ(d[12] | d[13] << 8, 1514);
  EXPECT_EQ(d[14] | d[15] << 8, 0x1234);

  info.hash = {0x1111, kRssTypeNone};
  info.status = 0;
  info.l4_error = false;
  info.ip_error = true;
  const RawDesc m = AdvRxWriteback(info, 1024, false);
  EXPECT_EQ(GetLe32(m, 4), 0u);  // no RSS type: no hash
  EXPECT_EQ(GetLe32(m, 8), kRxStatDd | kRxAdvErrIpe);
  EXPECT_EQ(m[14] | m[15] << 8, 0);  // no VP: no tag
}

TEST(RxDesc, LegacyWritebackLayout) {
  RxInfo info;
  info.status = kRxStatL4cs | kRxStatVp;
  info.vlan_tci = 0x0abc;
  info.ip_error = true;
  const RawDesc d = LegacyRxWriteback(info, 60, true);
  EXPECT_EQ(d[8] | d[9] << 8, 60);
  EXPECT_EQ(d[12], kRxStatDd | kRxStatEop | kRxStatL4cs | kRxStatVp);
  EXPECT_EQ(d[13], kRxLegacyErrIpe);
  EXPECT_EQ(d[14] | d[15] << 8, 0x0abc);
}

}  // namespace
}  // namespace snic::ixgbe
