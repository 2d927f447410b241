// core/ixgbe/tx_desc: 82599 TX descriptors as ixgbe writes them, and the
// frames they describe (checksum, TSO/USO undone into Linux GSO frames,
// SCTP CRC32c, VLAN insertion), hostile requests dropped.
// SPDX-License-Identifier: GPL-2.0-or-later
#include "ixgbe/tx_desc.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "eth/frame.h"
#include "eth/offload.h"
#include "fakes/gso_frames.h"
#include "ixgbe/desc_model.h"

namespace snic::ixgbe {
namespace {

using snic::testing::CtxDesc;
using snic::testing::DataDesc;
using snic::testing::DriverTso;
using snic::testing::L4Frame;
using snic::testing::LegacyDesc;
using snic::testing::MacIpLens;
using snic::testing::MssL4lenIdx;
using snic::testing::Olinfo;

const eth::MacAddress kDst{2, 0, 0, 0, 0, 2};
const eth::MacAddress kSrc{2, 0, 0, 0, 0, 1};

// One frame as the queue gathers it: a context slot filled from @ctx and
// data descriptors @first/@last.
struct Built {
  Status status;
  port::TxFrame frame;
  std::vector<uint8_t> buf;
  std::vector<uint8_t> Bytes() const {
    return std::vector<uint8_t>(frame.data, frame.data + frame.len);
  }
};
Built Build(const std::vector<uint8_t>& f, const RawDesc* ctx,
            const RawDesc& first, const RawDesc& last) {
  Built b;
  b.buf.assign(eth::kMaxFrameLen, 0);
  std::memcpy(b.buf.data(), f.data(), f.size());
  TxContexts c;
  if (ctx != nullptr) {
    const TxContext parsed = ParseTxContext(*ctx);
    if (parsed.idx < kTxContexts) {
      c.slot[parsed.idx] = parsed;
      c.valid[parsed.idx] = true;
    }
  }
  TxRequest req{ParseTxData(first), ParseTxData(last)};
  b.status = BuildTxFrame(req, c, b.buf.data(), f.size(), &b.frame);
  return b;
}
Built Build(const std::vector<uint8_t>& f, const RawDesc* ctx,
            const RawDesc& only) {
  return Build(f, ctx, only, only);
}

constexpr uint32_t kEopRs = kTxdCmdEop | kTxdCmdRs;

TEST(TxDesc, TypesFromDextAndDtyp) {
  EXPECT_EQ(TxDescTypeOf(LegacyDesc(0x1000, 60, kEopRs)), TxDescType::kLegacy);
  EXPECT_EQ(TxDescTypeOf(CtxDesc(0, 0, 0)), TxDescType::kAdvContext);
  EXPECT_EQ(TxDescTypeOf(DataDesc(0, 60, kEopRs, 0)), TxDescType::kAdvData);
  RawDesc r = DataDesc(0, 60, kEopRs, 0);
  r[10] = static_cast<uint8_t>((r[10] & 0x0f) | 0x50);  // DTYP 5
  EXPECT_EQ(TxDescTypeOf(r), TxDescType::kReserved);
}

TEST(TxDesc, ParsesTheContextIxgbeTsoWrites) {
  // ixgbe_tso for TCP over IPv4 behind a hardware VLAN tag.
  const RawDesc d = CtxDesc(MacIpLens(14, 20, 0x2005),
                            kCtxTucmdL4tTcp | kCtxTucmdIpv4,
                            MssL4lenIdx(1448, 32, 1));
  const TxContext c = ParseTxContext(d);
  EXPECT_EQ(c.maclen, 14);
  EXPECT_EQ(c.iplen, 20);
  EXPECT_EQ(c.vlan_tci, 0x2005);
  EXPECT_TRUE(c.ipv4);
  EXPECT_EQ(c.l4t, L4Type::kTcp);
  EXPECT_EQ(c.mss, 1448);
  EXPECT_EQ(c.l4len, 32);
  EXPECT_EQ(c.idx, 1);
  EXPECT_EQ(ParseTxContext(CtxDesc(0, kCtxTucmdL4tSctp, 0)).l4t,
            L4Type::kSctp);
  EXPECT_EQ(ParseTxContext(CtxDesc(0, 0x1800, 0)).l4t, L4Type::kReserved);
}

TEST(TxDesc, ParsesDataDescriptors) {
  const TxData t = ParseTxData(
      DataDesc(0x123456789abcull, 1514, kEopRs | kTxdCmdVle | kTxdCmdTse,
               Olinfo(1460, kTxdPoptsTxsm | kTxdPoptsIxsm, 1)));
  EXPECT_FALSE(t.legacy);
  EXPECT_EQ(t.addr, 0x123456789abcull);
  EXPECT_EQ(t.len, 1514);
  EXPECT_TRUE(t.eop && t.rs && t.vle && t.tse && t.txsm && t.ixsm);
  EXPECT_EQ(t.idx, 1);
  EXPECT_EQ(t.paylen, 1460u);

  const TxData l = ParseTxData(
      LegacyDesc(0x2000, 100, kTxdCmdEop | kTxdCmdIc | kTxdCmdVle, 50, 34,
                 0x0123));
  EXPECT_TRUE(l.legacy && l.eop && l.ic && l.vle);
  EXPECT_FALSE(l.rs);
  EXPECT_EQ(l.len, 100);
  EXPECT_EQ(l.cso, 50);
  EXPECT_EQ(l.css, 34);
  EXPECT_EQ(l.vlan_tci, 0x0123);
}

TEST(TxDesc, PlainFrameGoesOutAsItIs) {
  const auto f = L4Frame(kDst, kSrc, false, snic::testing::kProtoUdp, 30, 0,
                         true);
  const Built b = Build(f, nullptr, DataDesc(0, f.size(), kEopRs,
                                             Olinfo(f.size())));
  ASSERT_TRUE(b.status.ok()) << b.status.message();
  EXPECT_EQ(b.Bytes(), f);
  EXPECT_FALSE(b.frame.offload.any());
}

TEST(TxDesc, TxsmIsAPartialChecksumAtTheContextsL4Offset) {
  // ixgbe_tx_csum: IPLEN = csum_start - network offset, no IPV4 in TUCMD.
  for (bool v6 : {false, true}) {
    for (uint8_t proto : {snic::testing::kProtoTcp, snic::testing::kProtoUdp}) {
      const auto f = L4Frame(kDst, kSrc, v6, proto, 100);
      const bool tcp = proto == snic::testing::kProtoTcp;
      const RawDesc ctx = CtxDesc(MacIpLens(14, v6 ? 40 : 20),
                                  tcp ? kCtxTucmdL4tTcp : kCtxTucmdL4tUdp, 0);
      const Built b = Build(f, &ctx, DataDesc(0, f.size(), kEopRs,
                                              Olinfo(f.size(), kTxdPoptsTxsm)));
      ASSERT_TRUE(b.status.ok()) << b.status.message();
      const eth::Offload& o = b.frame.offload;
      EXPECT_TRUE(o.needs_csum);
      EXPECT_EQ(o.gso, eth::Gso::kNone);
      EXPECT_EQ(o.csum_start, snic::testing::L4Offset(v6));
      EXPECT_EQ(o.csum_offset, tcp ? 16 : 6);
      std::vector<uint8_t> out = b.Bytes();
      ASSERT_TRUE(eth::CompleteChecksum(out.data(), out.size(), o).ok());
      EXPECT_TRUE(snic::testing::ChecksumsVerify(out));
    }
  }
}

TEST(TxDesc, TsoIsUndoneIntoTheLinuxGsoFrame) {
  for (bool v6 : {false, true}) {
    const auto linux_frame =
        L4Frame(kDst, kSrc, v6, snic::testing::kProtoTcp, 4000);
    const size_t l3 = 14, l4 = snic::testing::L4Offset(v6);
    auto f = linux_frame;
    DriverTso(f, l3, l4, true);
    ASSERT_NE(f, linux_frame);
    const size_t hdr = l4 + 20;
    const RawDesc ctx =
        CtxDesc(MacIpLens(14, v6 ? 40 : 20),
                kCtxTucmdL4tTcp | (v6 ? 0 : kCtxTucmdIpv4),
                MssL4lenIdx(1448, 20));
    const Built b = Build(
        f, &ctx,
        DataDesc(0, f.size(), kEopRs | kTxdCmdTse,
                 Olinfo(f.size() - hdr,
                        kTxdPoptsTxsm | (v6 ? 0 : kTxdPoptsIxsm))));
    ASSERT_TRUE(b.status.ok()) << b.status.message();
    EXPECT_EQ(b.Bytes(), linux_frame);
    const eth::Offload& o = b.frame.offload;
    EXPECT_EQ(o.gso, v6 ? eth::Gso::kTcp6 : eth::Gso::kTcp4);
    EXPECT_EQ(o.gso_size, 1448);
    EXPECT_EQ(o.hdr_len, hdr);
    EXPECT_TRUE(o.needs_csum);
    EXPECT_EQ(o.csum_start, l4);
    EXPECT_EQ(o.csum_offset, 16);
    EXPECT_FALSE(o.ecn);
    // A receiver of the segments sees a valid stream.
    std::vector<uint8_t> scratch(eth::kFrameBufferLen);
    size_t segs = 0;
    ASSERT_TRUE(eth::Segment(b.frame.data, b.frame.len, o, scratch.data(),
                             [&](const uint8_t* s, size_t n) {
                               EXPECT_TRUE(snic::testing::ChecksumsVerify(
                                   std::vector<uint8_t>(s, s + n)));
                               ++segs;
                               return true;
                             })
                    .ok());
    EXPECT_EQ(segs, 3u);
  }
}

TEST(TxDesc, TsoWithCwrIsAnEcnFrame) {
  auto f = L4Frame(kDst, kSrc, false, snic::testing::kProtoTcp, 3000);
  f[34 + 13] |= 0x80;  // CWR
  DriverTso(f, 14, 34, true);
  const RawDesc ctx = CtxDesc(MacIpLens(14, 20),
                              kCtxTucmdL4tTcp | kCtxTucmdIpv4,
                              MssL4lenIdx(1000, 20));
  const Built b = Build(f, &ctx, DataDesc(0, f.size(), kEopRs | kTxdCmdTse,
                                          Olinfo(f.size() - 54,
                                                 kTxdPoptsTxsm)));
  ASSERT_TRUE(b.status.ok()) << b.status.message();
  EXPECT_TRUE(b.frame.offload.ecn);
}

TEST(TxDesc, UdpSegmentationIsUso) {
  // NETIF_F_GSO_UDP_L4 on 82599: ixgbe_tso with L4T UDP.
  for (bool v6 : {false, true}) {
    const auto linux_frame =
        L4Frame(kDst, kSrc, v6, snic::testing::kProtoUdp, 3000);
    const size_t l4 = snic::testing::L4Offset(v6);
    auto f = linux_frame;
    DriverTso(f, 14, l4, false);
    const RawDesc ctx = CtxDesc(MacIpLens(14, v6 ? 40 : 20),
                                kCtxTucmdL4tUdp | (v6 ? 0 : kCtxTucmdIpv4),
                                MssL4lenIdx(1400, 8));
    const Built b = Build(f, &ctx, DataDesc(0, f.size(), kEopRs | kTxdCmdTse,
                                            Olinfo(f.size() - l4 - 8,
                                                   kTxdPoptsTxsm)));
    ASSERT_TRUE(b.status.ok()) << b.status.message();
    EXPECT_EQ(b.Bytes(), linux_frame);
    EXPECT_EQ(b.frame.offload.gso, v6 ? eth::Gso::kUdp6 : eth::Gso::kUdp4);
    EXPECT_EQ(b.frame.offload.csum_offset, 6);
  }
}

TEST(TxDesc, VleInsertsTheContextsTagAndMovesTheOffsets) {
  const auto f = L4Frame(kDst, kSrc, false, snic::testing::kProtoTcp, 50);
  const RawDesc ctx = CtxDesc(MacIpLens(14, 20, 0x6064), kCtxTucmdL4tTcp, 0);
  const Built b = Build(f, &ctx, DataDesc(0, f.size(), kEopRs | kTxdCmdVle,
                                          Olinfo(f.size(), kTxdPoptsTxsm)));
  ASSERT_TRUE(b.status.ok()) << b.status.message();
  const auto tagged = L4Frame(kDst, kSrc, false, snic::testing::kProtoTcp, 50);
  std::vector<uint8_t> want(tagged.begin(), tagged.begin() + 12);
  want.insert(want.end(), {0x81, 0x00, 0x60, 0x64});
  want.insert(want.end(), tagged.begin() + 12, tagged.end());
  EXPECT_EQ(b.Bytes(), want);
  EXPECT_EQ(b.frame.offload.csum_start, 38);
  // Only a tag: ixgbe writes a context for HW_VLAN without checksums.
  const RawDesc vlan_only = CtxDesc(MacIpLens(14, 0, 5), 0, 0);
  const Built v = Build(f, &vlan_only,
                        DataDesc(0, f.size(), kEopRs | kTxdCmdVle,
                                 Olinfo(f.size())));
  ASSERT_TRUE(v.status.ok()) << v.status.message();
  EXPECT_EQ(v.frame.len, f.size() + 4);
  EXPECT_EQ(eth::LoadBe16(v.frame.data + 14), 5);
  EXPECT_FALSE(v.frame.offload.any());
}

TEST(TxDesc, Crc32cKnownAnswer) {
  const char* s = "123456789";
  EXPECT_EQ(Crc32c(reinterpret_cast<const uint8_t*>(s), 9), 0xe3069283u);
  uint32_t c = Crc32cUpdate(0xffffffffu, reinterpret_cast<const uint8_t*>(s),
                            4);
  c = Crc32cUpdate(c, reinterpret_cast<const uint8_t*>(s) + 4, 5);
  EXPECT_EQ(~c, 0xe3069283u);
}

// An SCTP packet over IPv4: common header (ports, tag, checksum) and a
// DATA-like chunk.
std::vector<uint8_t> SctpFrame() {
  auto f = L4Frame(kDst, kSrc, false, snic::testing::kProtoUdp, 32, 0, true);
  f[14 + 9] = 132;
  f[14 + 10] = f[14 + 11] = 0;
  const uint16_t c =
      eth::ChecksumFinish(eth::ChecksumAdd(f.data() + 14, 20, 0));
  eth::StoreBe16(f.data() + 24, c);
  for (size_t i = 34 + 8; i < 34 + 12; ++i) f[i] = 0xaa;  // garbage checksum
  return f;
}

TEST(TxDesc, SctpChecksumIsComputedByTheDevice) {
  const auto f = SctpFrame();
  const RawDesc ctx = CtxDesc(MacIpLens(14, 20), kCtxTucmdL4tSctp, 0);
  const Built b = Build(f, &ctx, DataDesc(0, f.size(), kEopRs,
                                          Olinfo(f.size(), kTxdPoptsTxsm)));
  ASSERT_TRUE(b.status.ok()) << b.status.message();
  EXPECT_FALSE(b.frame.offload.any());
  std::vector<uint8_t> l4(b.frame.data + 34, b.frame.data + b.frame.len);
  const uint32_t stored = uint32_t(l4[8]) | uint32_t(l4[9]) << 8 |
                          uint32_t(l4[10]) << 16 | uint32_t(l4[11]) << 24;
  std::memset(&l4[8], 0, 4);
  EXPECT_EQ(stored, Crc32c(l4.data(), l4.size()));  // sctp_compute_cksum
}

TEST(TxDesc, IxsmWithoutTsoComputesTheIpv4HeaderChecksum) {
  auto f = L4Frame(kDst, kSrc, false, snic::testing::kProtoUdp, 30, 0, true);
  const auto want = f;
  f[24] = f[25] = 0x5a;
  const RawDesc ctx = CtxDesc(MacIpLens(14, 20), kCtxTucmdIpv4, 0);
  const Built b = Build(f, &ctx, DataDesc(0, f.size(), kEopRs,
                                          Olinfo(f.size(), kTxdPoptsIxsm)));
  ASSERT_TRUE(b.status.ok()) << b.status.message();
  EXPECT_EQ(b.Bytes(), want);
}

TEST(TxDesc, LegacyChecksumAndTag) {
  auto f = L4Frame(kDst, kSrc, false, snic::testing::kProtoTcp, 40);
  const RawDesc first = LegacyDesc(0, 20, kTxdCmdIc, 34 + 16, 34);
  const RawDesc last = LegacyDesc(0, uint16_t(f.size() - 20),
                                  kEopRs | kTxdCmdVle, 0, 0, 0x0007);
  const Built b = Build(f, nullptr, first, last);
  ASSERT_TRUE(b.status.ok()) << b.status.message();
  ASSERT_EQ(b.frame.len, f.size() + 4);
  EXPECT_EQ(eth::LoadBe16(b.frame.data + 12), eth::kTpid8021Q);
  EXPECT_EQ(eth::LoadBe16(b.frame.data + 14), 7);
  EXPECT_TRUE(snic::testing::ChecksumsVerify(b.Bytes()));
}

// Hostile requests: each is refused with a reason, nothing read or
// written outside the buffer.
TEST(TxDesc, HostileRequestsAreRefused) {
  const auto f = L4Frame(kDst, kSrc, false, snic::testing::kProtoTcp, 2000);
  const size_t n = f.size();
  const auto small = L4Frame(kDst, kSrc, false, snic::testing::kProtoTcp, 10);
  const RawDesc tcp4 = CtxDesc(MacIpLens(14, 20),
                               kCtxTucmdL4tTcp | kCtxTucmdIpv4,
                               MssL4lenIdx(1000, 20));
  struct Case {
    const char* what;
    std::vector<uint8_t> frame;
    const RawDesc* ctx;
    RawDesc data;
  };
  const RawDesc bad_idx_ctx = CtxDesc(MacIpLens(14, 20), kCtxTucmdL4tTcp,
                                      MssL4lenIdx(0, 0, 3));
  const RawDesc mss0 = CtxDesc(MacIpLens(14, 20),
                               kCtxTucmdL4tTcp | kCtxTucmdIpv4,
                               MssL4lenIdx(0, 20));
  const RawDesc past = CtxDesc(MacIpLens(14, 20),
                               kCtxTucmdL4tTcp | kCtxTucmdIpv4,
                               MssL4lenIdx(1000, 120));
  const RawDesc sctp_tso = CtxDesc(MacIpLens(14, 20),
                                   kCtxTucmdL4tSctp | kCtxTucmdIpv4,
                                   MssL4lenIdx(1000, 20));
  const RawDesc v6_on_v4 = CtxDesc(MacIpLens(14, 40), kCtxTucmdL4tTcp,
                                   MssL4lenIdx(1000, 20));
  const RawDesc reserved = CtxDesc(MacIpLens(14, 20), 0x1800, 0);
  const RawDesc big_ip = CtxDesc(MacIpLens(14, 500), kCtxTucmdL4tTcp, 0);
  const uint32_t tse = kEopRs | kTxdCmdTse;
  const Case cases[] = {
      {"data idx 2", f, &tcp4,
       DataDesc(0, n, kEopRs, Olinfo(n, kTxdPoptsTxsm, 2))},
      {"context idx 3", f, &bad_idx_ctx,
       DataDesc(0, n, kEopRs, Olinfo(n, kTxdPoptsTxsm))},
      {"no context", f, nullptr,
       DataDesc(0, n, kEopRs, Olinfo(n, kTxdPoptsTxsm))},
      {"TSE MSS 0", f, &mss0, DataDesc(0, n, tse, Olinfo(n - 54))},
      {"TSE headers past the data", small, &past,
       DataDesc(0, small.size(), tse, Olinfo(0))},
      {"TSE PAYLEN wrong", f, &tcp4, DataDesc(0, n, tse, Olinfo(n))},
      {"TSE SCTP", f, &sctp_tso, DataDesc(0, n, tse, Olinfo(n - 54))},
      {"TSE IPv6 context on IPv4", f, &v6_on_v4,
       DataDesc(0, n, tse, Olinfo(n - 74))},
      {"reserved L4T", f, &reserved,
       DataDesc(0, n, kEopRs, Olinfo(n, kTxdPoptsTxsm))},
      {"csum past the frame", std::vector<uint8_t>(f.begin(), f.begin() + 60),
       &big_ip, DataDesc(0, 60, kEopRs, Olinfo(60, kTxdPoptsTxsm))},
      {"runt", std::vector<uint8_t>(f.begin(), f.begin() + 13), nullptr,
       DataDesc(0, 13, kEopRs, Olinfo(13))},
  };
  for (const Case& c : cases) {
    const Built b = Build(c.frame, c.ctx, c.data);
    EXPECT_FALSE(b.status.ok()) << c.what;
    EXPECT_NE(std::string(b.status.message()), "") << c.what;
  }
  // A frame of the largest length has no room for a tag.
  std::vector<uint8_t> big(eth::kMaxFrameLen, 0);
  std::memcpy(big.data(), f.data(), 14);
  const RawDesc vlan = CtxDesc(MacIpLens(14, 0, 1), 0, 0);
  EXPECT_FALSE(Build(big, &vlan, DataDesc(0, 0, kEopRs | kTxdCmdVle,
                                          Olinfo(0)))
                   .status.ok());
}

}  // namespace
}  // namespace snic::ixgbe
