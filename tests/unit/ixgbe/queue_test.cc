// core/ixgbe/queue: ring registers and the TX/RX engines, driven as
// ixgbe_configure_tx_ring / ixgbe_configure_rx_ring / ixgbevf's
// configure and the drivers' xmit and clean loops use them, over fake
// guest RAM.
// SPDX-License-Identifier: GPL-2.0-or-later
#include "ixgbe/queue.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "base/host.h"
#include "eth/frame.h"
#include "fakes/fake_host.h"
#include "fakes/gso_frames.h"
#include "fakes/guest_ram.h"
#include "ixgbe/desc_model.h"

namespace snic::ixgbe {
namespace {

using snic::testing::CtxDesc;
using snic::testing::DataDesc;
using snic::testing::FakeHost;
using snic::testing::GuestRam;
using snic::testing::L4Frame;
using snic::testing::LegacyDesc;
using snic::testing::MacIpLens;
using snic::testing::MssL4lenIdx;
using snic::testing::Olinfo;

constexpr FnId kFn = 3;
constexpr uint32_t kEopRs = kTxdCmdEop | kTxdCmdRs;
const eth::MacAddress kDst{2, 0, 0, 0, 0, 2};
const eth::MacAddress kSrc{2, 0, 0, 0, 0, 1};

class QueueTest : public ::testing::Test {
 protected:
  QueueTest() { fake_.mem.resize(4 << 20); }

  bool HasError(const std::string& part) {
    for (const std::string& e : fake_.guest_errors) {
      if (e.find(part) != std::string::npos) return true;
    }
    return false;
  }
  uint64_t Put(const std::vector<uint8_t>& bytes) {
    const uint64_t a = ram_.Alloc(bytes.size(), 64);
    ram_.Put(a, bytes.data(), bytes.size());
    return a;
  }

  // ---- TX: a model of ixgbe's ring ----
  bool TxW(uint32_t off, uint32_t v) { return tx_.Write(host_, kFn, off, v); }
  // ixgbe_configure_tx_ring: disable, program, enable, poll ENABLE.
  void SetUpTx(uint32_t count) {
    tx_count_ = count;
    tx_ring_ = ram_.Alloc(count * kDescLen, 128);
    tx_ntu_ = 0;
    TxW(kRingCtl, 0);
    TxW(kRingBal, uint32_t(tx_ring_));
    TxW(kRingBah, uint32_t(tx_ring_ >> 32));
    TxW(kRingLen, count * kDescLen);
    TxW(kRingHead, 0);
    TxW(kRingTail, 0);
    TxW(kRingCtl, kDctlEnable | 1u << 16 | 1u << 8 | 32);
    ASSERT_NE(tx_.Read(kRingCtl) & kDctlEnable, 0u);  // first poll
    ASSERT_FALSE(tx_.broken());
  }
  uint32_t TxPost(const RawDesc& d) {
    const uint32_t at = tx_ntu_;
    ram_.Put(tx_ring_ + at * kDescLen, d.data(), d.size());
    tx_ntu_ = (tx_ntu_ + 1) % tx_count_;
    return at;
  }
  bool TxKick() { return TxW(kRingTail, tx_ntu_); }
  // ixgbe_clean_tx_irq: the EOP descriptor's wb.status.DD.
  bool TxDone(uint32_t index) {
    return (ram_.Get<uint32_t>(tx_ring_ + index * kDescLen + 12) &
            kTxdStatDd) != 0;
  }
  // One plain frame in one descriptor (EOP|RS); returns its index.
  uint32_t TxPostFrame(const std::vector<uint8_t>& f) {
    return TxPost(DataDesc(Put(f), uint16_t(f.size()), kEopRs,
                           Olinfo(uint32_t(f.size()))));
  }
  TxQueue::PeekResult Peek() {
    return tx_.Peek(host_, kFn, buf_.data(), &frame_);
  }
  std::vector<uint8_t> Peeked() const {
    return std::vector<uint8_t>(frame_.data, frame_.data + frame_.len);
  }

  // ---- RX: a model of ixgbe's ring ----
  bool RxW(uint32_t off, uint32_t v) { return rx_.Write(host_, kFn, off, v); }
  // ixgbe_configure_rx_ring + ixgbe_configure_srrctl (2 KiB buffers) +
  // ixgbe_rx_desc_queue_enable, then ixgbe_alloc_rx_buffers for @posted.
  void SetUpRx(uint32_t count, uint32_t posted, uint32_t bsize_kib = 2,
               uint32_t desctype = kSrrctlDesctypeAdvOneBuf, bool vme = false) {
    rx_count_ = count;
    rx_ring_ = ram_.Alloc(count * kDescLen, 128);
    const uint32_t ctl = rx_.Read(kRingCtl) & ~kDctlEnable;
    RxW(kRingCtl, ctl);
    RxW(kRingBal, uint32_t(rx_ring_));
    RxW(kRingBah, uint32_t(rx_ring_ >> 32));
    RxW(kRingLen, count * kDescLen);
    RxW(kRingHead, 0);
    RxW(kRingTail, 0);
    RxW(kRxSrrctl, (4u << 8) | bsize_kib | desctype);
    RxW(kRingCtl, ctl | kDctlEnable | (vme ? kRxdctlVme : 0));
    ASSERT_NE(rx_.Read(kRingCtl) & kDctlEnable, 0u);
    rx_bufs_.assign(count, 0);
    for (uint32_t i = 0; i < count; ++i) {
      rx_bufs_[i] = ram_.Alloc(bsize_kib * 1024, 64);
    }
    rx_ntu_ = 0;
    RxPost(posted);
  }
  void RxPost(uint32_t n) {
    for (uint32_t k = 0; k < n; ++k) {
      RawDesc d{};
      snic::testing::PutLe32(d, 0, uint32_t(rx_bufs_[rx_ntu_]));
      snic::testing::PutLe32(d, 4, uint32_t(rx_bufs_[rx_ntu_] >> 32));
      ram_.Put(rx_ring_ + rx_ntu_ * kDescLen, d.data(), d.size());
      rx_ntu_ = (rx_ntu_ + 1) % rx_count_;
    }
    RxW(kRingTail, rx_ntu_);
  }
  RawDesc RxDesc(uint32_t i) const {
    RawDesc d;
    ram_.Get(rx_ring_ + i * kDescLen, d.data(), d.size());
    return d;
  }
  // ixgbe_clean_rx_irq: from @ntc while DD, gathering until EOP.
  std::vector<uint8_t> RxClean(uint32_t* ntc, uint32_t* last_status) const {
    std::vector<uint8_t> f;
    for (uint32_t n = 0; n < rx_count_; ++n) {
      const RawDesc d = RxDesc(*ntc);
      const uint32_t st = snic::testing::GetLe32(d, 8);
      if ((st & kRxStatDd) == 0) return {};
      const uint16_t len = uint16_t(d[12] | d[13] << 8);
      const auto bytes = ram_.Bytes(rx_bufs_[*ntc], len);
      f.insert(f.end(), bytes.begin(), bytes.end());
      *ntc = (*ntc + 1) % rx_count_;
      if ((st & kRxStatEop) != 0) {
        *last_status = st;
        return f;
      }
    }
    return {};
  }
  RxQueue::DeliverResult Deliver(const std::vector<uint8_t>& f,
                                 RxQueue::Meta meta = {}) {
    eth::Offload o;
    return rx_.Deliver(host_, kFn, f.data(), f.size(), o, meta);
  }

  FakeHost fake_;
  Host host_{fake_.ops(), fake_.opaque()};
  GuestRam ram_{fake_.mem};
  TxQueue tx_;
  RxQueue rx_;
  uint64_t tx_ring_ = 0;
  uint32_t tx_count_ = 0, tx_ntu_ = 0;
  uint64_t rx_ring_ = 0;
  uint32_t rx_count_ = 0, rx_ntu_ = 0;
  std::vector<uint64_t> rx_bufs_;
  std::vector<uint8_t> buf_ = std::vector<uint8_t>(eth::kMaxFrameLen);
  port::TxFrame frame_;
};

// ---- registers ----

TEST_F(QueueTest, RegisterBlockOffsetsAreTheQueues) {
  for (uint32_t off : {kRingBal, kRingBah, kRingLen, kRingHead, kRingTail,
                       kRingCtl, kTxWbal, kTxWbah}) {
    EXPECT_TRUE(TxQueue::Handles(off)) << off;
  }
  for (uint32_t off : {kRingBal, kRingBah, kRingLen, kRingHead, kRxSrrctl,
                       kRingTail, kRingCtl}) {
    EXPECT_TRUE(RxQueue::Handles(off)) << off;
  }
  // The register file's: DCA_RXCTRL 0x0C, VFGPRC 0x1C, RSCCTL 0x2C.
  for (uint32_t off : {0x0cu, 0x1cu, 0x20u, 0x2cu}) {
    EXPECT_FALSE(RxQueue::Handles(off)) << off;
    EXPECT_FALSE(rx_.Write(host_, kFn, off, 1));
    EXPECT_EQ(rx_.Read(off), 0u);
  }
  EXPECT_FALSE(TxQueue::Handles(kRxSrrctl));
  EXPECT_FALSE(RxQueue::Handles(kTxWbal));
}

TEST_F(QueueTest, ResetValues) {
  rx_.Reset();
  tx_.Reset();
  EXPECT_EQ(rx_.Read(kRxSrrctl), 0x402u);  // 2 KiB, 256-byte headers
  EXPECT_EQ(rx_.buffer_size(), 2048u);
  for (uint32_t off : {kRingBal, kRingLen, kRingHead, kRingTail, kRingCtl}) {
    EXPECT_EQ(rx_.Read(off), 0u);
    EXPECT_EQ(tx_.Read(off), 0u);
  }
}

TEST_F(QueueTest, EnableReadsBackAndSwflshDisablesAsIxgbevfWritesIt) {
  SetUpTx(64);
  EXPECT_EQ(tx_.Read(kRingCtl), kDctlEnable | 1u << 16 | 1u << 8 | 32);
  // ixgbevf_configure_tx_ring: TXDCTL = SWFLSH alone.
  TxW(kRingCtl, kDctlSwflsh);
  EXPECT_EQ(tx_.Read(kRingCtl), 0u);
  EXPECT_FALSE(tx_.enabled());
  // ixgbe_disable_rx_queue: clear ENABLE, poll until it reads 0.
  SetUpRx(64, 8);
  RxW(kRingCtl, rx_.Read(kRingCtl) & ~kDctlEnable);
  EXPECT_EQ(rx_.Read(kRingCtl) & kDctlEnable, 0u);
}

TEST_F(QueueTest, BaseAlignmentAndLengthAreChecked) {
  TxW(kRingBal, 0x10040);
  EXPECT_EQ(tx_.Read(kRingBal), 0x10000u);
  EXPECT_TRUE(HasError("128-byte aligned"));
  RxW(kRingLen, 1000);
  EXPECT_EQ(rx_.Read(kRingLen), 896u);
  EXPECT_TRUE(HasError("multiple of 128"));
}

TEST_F(QueueTest, HeadBaseAndLengthAreTheDriversOnlyWhileDisabled) {
  SetUpTx(64);
  const uint32_t bal = tx_.Read(kRingBal);
  TxW(kRingHead, 5);
  TxW(kRingBal, 0x80000);
  TxW(kRingLen, 128);
  EXPECT_EQ(tx_.Read(kRingHead), 0u);
  EXPECT_EQ(tx_.Read(kRingBal), bal);
  EXPECT_EQ(tx_.Read(kRingLen), 64 * kDescLen);
  EXPECT_TRUE(HasError("while the queue is enabled"));
  // A tail past the ring is ignored.
  TxW(kRingTail, 64);
  EXPECT_EQ(tx_.Read(kRingTail), 0u);
  EXPECT_TRUE(HasError("tail past the ring"));
}

TEST_F(QueueTest, EnablingABadRingIsTheErrorStateUntilReenabled) {
  TxW(kRingCtl, kDctlEnable);  // TDLEN 0
  EXPECT_NE(tx_.Read(kRingCtl) & kDctlEnable, 0u);  // the poll succeeds
  EXPECT_TRUE(tx_.broken());
  EXPECT_EQ(Peek().status, port::TxStatus::kBroken);
  EXPECT_TRUE(HasError("length 0"));
  SetUpTx(16);  // disable, program, enable
  EXPECT_FALSE(tx_.broken());
  // RX: a head past the ring.
  RxW(kRingLen, 8 * kDescLen);
  RxW(kRingHead, 9);
  RxW(kRingCtl, kDctlEnable);
  EXPECT_TRUE(rx_.broken());
  EXPECT_EQ(Deliver(std::vector<uint8_t>(60)).result,
            port::RxResult::kBroken);
}

// ---- TX engine ----

TEST_F(QueueTest, TxFrameIsHeldUntilConsumedThenDdIsWrittenBack) {
  SetUpTx(16);
  EXPECT_EQ(Peek().status, port::TxStatus::kEmpty);
  const auto f = L4Frame(kDst, kSrc, false, snic::testing::kProtoUdp, 100, 0,
                         true);
  // ixgbe_tx_map: the head in one descriptor, a fragment in another; RS
  // on the last only.
  TxPost(DataDesc(Put(std::vector<uint8_t>(f.begin(), f.begin() + 42)), 42,
                  0, Olinfo(uint32_t(f.size()))));
  const uint32_t eop = TxPost(DataDesc(
      Put(std::vector<uint8_t>(f.begin() + 42, f.end())),
      uint16_t(f.size() - 42), kEopRs, 0));
  EXPECT_TRUE(TxKick());
  ASSERT_EQ(Peek().status, port::TxStatus::kFrame);
  EXPECT_EQ(Peeked(), f);
  // Not consumed: the same frame again, nothing written back.
  ASSERT_EQ(Peek().status, port::TxStatus::kFrame);
  EXPECT_EQ(Peeked(), f);
  EXPECT_EQ(tx_.Read(kRingHead), 0u);
  EXPECT_FALSE(TxDone(eop));
  EXPECT_TRUE(tx_.Consume(host_, kFn));
  EXPECT_TRUE(TxDone(eop));
  EXPECT_FALSE(TxDone(0));  // no RS there
  EXPECT_EQ(tx_.Read(kRingHead), 2u);
  EXPECT_EQ(Peek().status, port::TxStatus::kEmpty);
  EXPECT_FALSE(tx_.Consume(host_, kFn));  // nothing peeked
}

TEST_F(QueueTest, TxContextsPersistAcrossFrames) {
  SetUpTx(16);
  const auto f = L4Frame(kDst, kSrc, false, snic::testing::kProtoTcp, 100);
  TxPost(CtxDesc(MacIpLens(14, 20, 9), kCtxTucmdL4tTcp, 0));
  TxPostFrame(f);
  // Second frame: TXSM|VLE with the context of the first (no new one).
  TxPost(DataDesc(Put(f), uint16_t(f.size()), kEopRs | kTxdCmdVle,
                  Olinfo(uint32_t(f.size()), kTxdPoptsTxsm)));
  TxKick();
  ASSERT_EQ(Peek().status, port::TxStatus::kFrame);
  EXPECT_FALSE(frame_.offload.any());
  EXPECT_EQ(frame_.len, f.size());
  tx_.Consume(host_, kFn);
  EXPECT_TRUE(tx_.contexts().valid[0]);
  ASSERT_EQ(Peek().status, port::TxStatus::kFrame);
  EXPECT_EQ(frame_.len, f.size() + 4);
  EXPECT_EQ(eth::LoadBe16(frame_.data + 14), 9);
  EXPECT_TRUE(frame_.offload.needs_csum);
  EXPECT_EQ(frame_.offload.csum_start, 38);
  tx_.Consume(host_, kFn);
  EXPECT_EQ(tx_.Read(kRingHead), 3u);
}

TEST_F(QueueTest, TxTsoThroughTheRing) {
  SetUpTx(32);
  const auto linux_frame =
      L4Frame(kDst, kSrc, true, snic::testing::kProtoTcp, 9000);
  auto f = linux_frame;
  snic::testing::DriverTso(f, 14, 54, true);
  const size_t hdr = 74;
  TxPost(CtxDesc(MacIpLens(14, 40), kCtxTucmdL4tTcp, MssL4lenIdx(1440, 20)));
  // Headers, then the payload in 4 KiB pieces.
  TxPost(DataDesc(Put(std::vector<uint8_t>(f.begin(), f.begin() + hdr)),
                  uint16_t(hdr), kTxdCmdTse,
                  Olinfo(uint32_t(f.size() - hdr), kTxdPoptsTxsm)));
  uint32_t eop = 0;
  for (size_t off = hdr; off < f.size(); off += 4096) {
    const size_t n = std::min<size_t>(4096, f.size() - off);
    const bool last = off + n == f.size();
    eop = TxPost(DataDesc(
        Put(std::vector<uint8_t>(f.begin() + off, f.begin() + off + n)),
        uint16_t(n), kTxdCmdTse | (last ? kEopRs : 0), 0));
  }
  TxKick();
  ASSERT_EQ(Peek().status, port::TxStatus::kFrame);
  EXPECT_EQ(Peeked(), linux_frame);
  EXPECT_EQ(frame_.offload.gso, eth::Gso::kTcp6);
  EXPECT_EQ(frame_.offload.gso_size, 1440);
  EXPECT_TRUE(tx_.Consume(host_, kFn));
  EXPECT_TRUE(TxDone(eop));
}

TEST_F(QueueTest, TxChainWithoutEopWaitsForTheRest) {
  SetUpTx(16);
  const auto f = L4Frame(kDst, kSrc, false, snic::testing::kProtoUdp, 60, 0,
                         true);
  TxPost(DataDesc(Put(std::vector<uint8_t>(f.begin(), f.begin() + 30)), 30,
                  0, Olinfo(uint32_t(f.size()))));
  TxKick();
  EXPECT_EQ(Peek().status, port::TxStatus::kEmpty);
  EXPECT_EQ(tx_.Read(kRingHead), 0u);
  TxPost(DataDesc(Put(std::vector<uint8_t>(f.begin() + 30, f.end())),
                  uint16_t(f.size() - 30), kEopRs, 0));
  TxKick();
  ASSERT_EQ(Peek().status, port::TxStatus::kFrame);
  EXPECT_EQ(Peeked(), f);
}

TEST_F(QueueTest, TxChainFillingTheRingWithoutEopIsDropped) {
  SetUpTx(8);
  const uint64_t a = Put(std::vector<uint8_t>(100, 0x11));
  for (int i = 0; i < 7; ++i) {
    TxPost(DataDesc(a, 100, kTxdCmdRs, 0));
  }
  TxKick();
  const TxQueue::PeekResult r = Peek();
  EXPECT_EQ(r.status, port::TxStatus::kDropped);
  EXPECT_TRUE(r.wrote_back);
  EXPECT_TRUE(HasError("without EOP"));
  EXPECT_EQ(tx_.Read(kRingHead), 7u);
  for (uint32_t i = 0; i < 7; ++i) EXPECT_TRUE(TxDone(i)) << i;
  EXPECT_EQ(Peek().status, port::TxStatus::kEmpty);
}

TEST_F(QueueTest, TxHostileFramesAreDroppedAndConsumed) {
  SetUpTx(16);
  const auto f = L4Frame(kDst, kSrc, false, snic::testing::kProtoTcp, 2000);
  // TSE with MSS 0.
  TxPost(CtxDesc(MacIpLens(14, 20), kCtxTucmdL4tTcp | kCtxTucmdIpv4,
                 MssL4lenIdx(0, 20)));
  const uint32_t bad = TxPost(DataDesc(Put(f), uint16_t(f.size()),
                                       kEopRs | kTxdCmdTse,
                                       Olinfo(uint32_t(f.size() - 54),
                                              kTxdPoptsTxsm)));
  // A zero-length frame.
  const uint32_t empty = TxPost(DataDesc(0, 0, kEopRs, 0));
  // A reserved descriptor type in a chain.
  RawDesc reserved = DataDesc(0, 10, 0, 0);
  reserved[10] = static_cast<uint8_t>((reserved[10] & 0x0f) | 0x70);
  TxPost(reserved);
  const uint32_t after = TxPostFrame(f);
  // A buffer that is not guest memory.
  const uint32_t wild = TxPost(DataDesc(0xffff'ffff'0000ull, 100, kEopRs,
                                        Olinfo(100)));
  const uint32_t good = TxPostFrame(f);
  TxKick();
  EXPECT_EQ(Peek().status, port::TxStatus::kDropped);
  EXPECT_TRUE(HasError("MSS 0"));
  EXPECT_TRUE(TxDone(bad));
  EXPECT_EQ(Peek().status, port::TxStatus::kDropped);
  EXPECT_TRUE(HasError("shorter than an Ethernet header"));
  EXPECT_TRUE(TxDone(empty));
  EXPECT_EQ(Peek().status, port::TxStatus::kDropped);
  EXPECT_TRUE(HasError("reserved type"));
  EXPECT_TRUE(TxDone(after));
  EXPECT_EQ(Peek().status, port::TxStatus::kDropped);
  EXPECT_TRUE(HasError("buffer read failed"));
  EXPECT_TRUE(TxDone(wild));
  ASSERT_EQ(Peek().status, port::TxStatus::kFrame);
  EXPECT_EQ(Peeked(), f);
  tx_.Consume(host_, kFn);
  EXPECT_TRUE(TxDone(good));
  EXPECT_FALSE(tx_.broken());
}

TEST_F(QueueTest, TxOversizeChainIsDropped) {
  SetUpTx(32);
  const uint64_t a = Put(std::vector<uint8_t>(60000, 0));
  TxPost(DataDesc(a, 60000, 0, 0));
  TxPost(DataDesc(a, 60000, kEopRs, 0));
  TxKick();
  EXPECT_EQ(Peek().status, port::TxStatus::kDropped);
  EXPECT_TRUE(HasError("longer than the largest frame"));
  EXPECT_EQ(tx_.Read(kRingHead), 2u);
}

TEST_F(QueueTest, TxDescriptorDmaFailureStopsTheQueue) {
  SetUpTx(16);
  TxPostFrame(std::vector<uint8_t>(60, 1));
  TxKick();
  fake_.dma_faults.push_back({kFn, tx_ring_, 16, false});
  EXPECT_EQ(Peek().status, port::TxStatus::kBroken);
  EXPECT_TRUE(tx_.broken());
  EXPECT_TRUE(HasError("descriptor read failed"));
  fake_.dma_faults.clear();
  EXPECT_EQ(Peek().status, port::TxStatus::kBroken);
  // Write-back faults too.
  SetUpTx(16);
  TxPostFrame(std::vector<uint8_t>(60, 1));
  TxKick();
  ASSERT_EQ(Peek().status, port::TxStatus::kFrame);
  fake_.dma_faults.push_back({kFn, tx_ring_, 16, true});
  tx_.Consume(host_, kFn);
  EXPECT_TRUE(tx_.broken());
  EXPECT_TRUE(HasError("write-back failed"));
}

TEST_F(QueueTest, TxHeadWritebackReplacesDd) {
  const uint64_t wb = ram_.Alloc(16, 16);
  ram_.Put<uint32_t>(wb, 0xffffffff);
  TxW(kTxWbah, uint32_t(wb >> 32));
  TxW(kTxWbal, uint32_t(wb) | kTdwbalHeadWbEnable);
  SetUpTx(16);
  const uint32_t i = TxPostFrame(std::vector<uint8_t>(60, 1));
  TxPostFrame(std::vector<uint8_t>(60, 2));
  TxKick();
  ASSERT_EQ(Peek().status, port::TxStatus::kFrame);
  EXPECT_TRUE(tx_.Consume(host_, kFn));
  EXPECT_EQ(ram_.Get<uint32_t>(wb), 1u);
  EXPECT_FALSE(TxDone(i));
  ASSERT_EQ(Peek().status, port::TxStatus::kFrame);
  tx_.Consume(host_, kFn);
  EXPECT_EQ(ram_.Get<uint32_t>(wb), 2u);
  // TDWBAL/H survive a VF reset, not a full reset.
  tx_.ResetKeepWriteback();
  EXPECT_EQ(tx_.Read(kTxWbal), uint32_t(wb) | kTdwbalHeadWbEnable);
  EXPECT_EQ(tx_.Read(kRingCtl), 0u);
  tx_.Reset();
  EXPECT_EQ(tx_.Read(kTxWbal), 0u);
}

TEST_F(QueueTest, TxRingWrapsAndLegacyDescriptorsWork) {
  SetUpTx(8);  // the smallest ring: 128 bytes
  for (int round = 0; round < 3; ++round) {
    const std::vector<uint8_t> f(60, uint8_t(round));
    const uint32_t i =
        TxPost(LegacyDesc(Put(f), uint16_t(f.size()), kEopRs));
    TxKick();
    ASSERT_EQ(Peek().status, port::TxStatus::kFrame);
    EXPECT_EQ(Peeked(), f);
    EXPECT_TRUE(tx_.Consume(host_, kFn));
    EXPECT_EQ(ram_.Get<uint8_t>(tx_ring_ + i * 16 + 12), kTxdStatDd);
  }
  EXPECT_EQ(tx_.Read(kRingHead), 3u);
  for (int round = 3; round < 9; ++round) {
    const std::vector<uint8_t> f(60, uint8_t(round));
    TxPostFrame(f);
    TxKick();
    ASSERT_EQ(Peek().status, port::TxStatus::kFrame);
    EXPECT_EQ(Peeked(), f);
    tx_.Consume(host_, kFn);
  }
  EXPECT_EQ(tx_.Read(kRingHead), 1u);
}

TEST_F(QueueTest, TxDisabledQueueIsEmptyAndForgetsTheHeldFrame) {
  SetUpTx(16);
  TxPostFrame(std::vector<uint8_t>(60, 1));
  TxKick();
  ASSERT_EQ(Peek().status, port::TxStatus::kFrame);
  TxW(kRingCtl, 0);
  EXPECT_EQ(Peek().status, port::TxStatus::kEmpty);
  EXPECT_FALSE(tx_.Consume(host_, kFn));
  EXPECT_FALSE(TxKick());  // no doorbell while disabled
  // Re-enabled with its tail set: a doorbell of its own.
  EXPECT_TRUE(TxW(kRingCtl, kDctlEnable));
  ASSERT_EQ(Peek().status, port::TxStatus::kFrame);
  tx_.Quiesce();
  EXPECT_FALSE(tx_.Consume(host_, kFn));
}

// ---- RX engine ----

TEST_F(QueueTest, RxDeliversIntoTheHeadBufferAndWritesBack) {
  SetUpRx(16, 8);
  const auto f = L4Frame(kDst, kSrc, false, snic::testing::kProtoTcp, 200, 0,
                         true);
  RxQueue::Meta meta;
  meta.hash = {0x12345678, kRssTypeIpv4Tcp};
  const RxQueue::DeliverResult r = Deliver(f, meta);
  EXPECT_EQ(r.result, port::RxResult::kDelivered);
  EXPECT_TRUE(r.wrote_back);
  uint32_t ntc = 0, st = 0;
  EXPECT_EQ(RxClean(&ntc, &st), f);
  EXPECT_EQ(ntc, 1u);
  EXPECT_EQ(st, kRxStatDd | kRxStatEop | kRxStatIpcs | kRxStatL4cs);
  const RawDesc d = RxDesc(0);
  EXPECT_EQ(d[0] | d[1] << 8, kPktTypeIpv4 | kPktTypeTcp | kRssTypeIpv4Tcp);
  EXPECT_EQ(snic::testing::GetLe32(d, 4), 0x12345678u);
  EXPECT_EQ(rx_.Read(kRingHead), 1u);
}

TEST_F(QueueTest, RxWithoutBuffersConsumesNothing) {
  SetUpRx(16, 0);
  EXPECT_EQ(Deliver(std::vector<uint8_t>(60, 1)).result,
            port::RxResult::kNoBuffers);
  // A frame of three buffers with two posted.
  SetUpRx(16, 2, 1);
  EXPECT_EQ(Deliver(std::vector<uint8_t>(2500, 1)).result,
            port::RxResult::kNoBuffers);
  EXPECT_EQ(rx_.Read(kRingHead), 0u);
  EXPECT_EQ(snic::testing::GetLe32(RxDesc(0), 8) & kRxStatDd, 0u);
  RxPost(1);
  EXPECT_EQ(Deliver(std::vector<uint8_t>(2500, 1)).result,
            port::RxResult::kDelivered);
}

TEST_F(QueueTest, RxFrameLargerThanABufferSpansDescriptors) {
  SetUpRx(8, 7, 1);  // 1 KiB buffers
  auto f = L4Frame(kDst, kSrc, false, snic::testing::kProtoUdp, 2400, 0, true);
  ASSERT_EQ(Deliver(f).result, port::RxResult::kDelivered);
  for (uint32_t i = 0; i < 3; ++i) {
    const RawDesc d = RxDesc(i);
    const uint32_t st = snic::testing::GetLe32(d, 8);
    EXPECT_NE(st & kRxStatDd, 0u);
    EXPECT_EQ((st & kRxStatEop) != 0, i == 2);
    EXPECT_EQ(d[12] | d[13] << 8, i < 2 ? 1024 : int(f.size() - 2048));
  }
  uint32_t ntc = 0, st = 0;
  EXPECT_EQ(RxClean(&ntc, &st), f);
  EXPECT_EQ(ntc, 3u);
  // Wraps around the ring end.
  ASSERT_EQ(Deliver(f).result, port::RxResult::kDelivered);
  EXPECT_EQ(RxClean(&ntc, &st), f);
  EXPECT_EQ(rx_.Read(kRingHead), 6u);
  RxPost(3);
  ASSERT_EQ(Deliver(f).result, port::RxResult::kDelivered);
  EXPECT_EQ(RxClean(&ntc, &st), f);
  EXPECT_EQ(ntc, 1u);
}

TEST_F(QueueTest, RxVmeStripsTheTagIntoTheDescriptor) {
  SetUpRx(16, 8, 2, kSrrctlDesctypeAdvOneBuf, true);
  const auto tagged = L4Frame(kDst, kSrc, false, snic::testing::kProtoTcp, 50,
                              0x123, true);
  const auto untagged = L4Frame(kDst, kSrc, false, snic::testing::kProtoTcp,
                                50, 0, true);
  ASSERT_EQ(Deliver(tagged).result, port::RxResult::kDelivered);
  uint32_t ntc = 0, st = 0;
  EXPECT_EQ(RxClean(&ntc, &st), untagged);
  EXPECT_NE(st & kRxStatVp, 0u);
  EXPECT_NE(st & kRxStatL4cs, 0u);
  EXPECT_EQ(RxDesc(0)[14] | RxDesc(0)[15] << 8, 0x123);
  // A tag the switch took off already goes to the descriptor as well.
  RxQueue::Meta meta;
  meta.has_tag = true;
  meta.tag_tci = 0x45;
  ASSERT_EQ(Deliver(untagged, meta).result, port::RxResult::kDelivered);
  EXPECT_EQ(RxClean(&ntc, &st), untagged);
  EXPECT_NE(st & kRxStatVp, 0u);
  EXPECT_EQ(RxDesc(1)[14] | RxDesc(1)[15] << 8, 0x45);
}

TEST_F(QueueTest, RxWithoutVmeKeepsTagsInTheFrame) {
  SetUpRx(16, 8);
  const auto tagged = L4Frame(kDst, kSrc, false, snic::testing::kProtoTcp, 50,
                              0x123, true);
  ASSERT_EQ(Deliver(tagged).result, port::RxResult::kDelivered);
  uint32_t ntc = 0, st = 0;
  EXPECT_EQ(RxClean(&ntc, &st), tagged);
  EXPECT_EQ(st & kRxStatVp, 0u);  // ixgbevf would tag it twice
  // The switch's out-of-band tag is put back.
  const auto untagged = L4Frame(kDst, kSrc, false, snic::testing::kProtoTcp,
                                50, 0, true);
  RxQueue::Meta meta;
  meta.has_tag = true;
  meta.tag_tci = 0x123;
  ASSERT_EQ(Deliver(untagged, meta).result, port::RxResult::kDelivered);
  EXPECT_EQ(RxClean(&ntc, &st), tagged);
  EXPECT_EQ(st & kRxStatVp, 0u);
}

TEST_F(QueueTest, RxChecksumErrorsReachTheDescriptor) {
  SetUpRx(16, 8);
  auto f = L4Frame(kDst, kSrc, false, snic::testing::kProtoTcp, 50, 0, true);
  f.back() ^= 0xff;
  ASSERT_EQ(Deliver(f).result, port::RxResult::kDelivered);
  EXPECT_NE(snic::testing::GetLe32(RxDesc(0), 8) & kRxAdvErrTcpe, 0u);
}

TEST_F(QueueTest, RxLegacyDescriptorsKeepTheirAddress) {
  SetUpRx(16, 8, 2, kSrrctlDesctypeLegacy);
  const auto f = L4Frame(kDst, kSrc, false, snic::testing::kProtoUdp, 30, 0,
                         true);
  ASSERT_EQ(Deliver(f).result, port::RxResult::kDelivered);
  const RawDesc d = RxDesc(0);
  EXPECT_EQ(snic::testing::GetLe32(d, 0), uint32_t(rx_bufs_[0]));
  EXPECT_EQ(d[8] | d[9] << 8, int(f.size()));
  EXPECT_EQ(d[12], kRxStatDd | kRxStatEop | kRxStatIpcs | kRxStatL4cs |
                       kRxStatUdpcs);
  EXPECT_EQ(ram_.Bytes(rx_bufs_[0], f.size()), f);
}

TEST_F(QueueTest, RxUnusableSetupsAreRefused) {
  EXPECT_EQ(Deliver(std::vector<uint8_t>(60)).result,
            port::RxResult::kNotReady);  // disabled
  SetUpRx(16, 8, 2, 0x04000000);         // header split
  EXPECT_EQ(Deliver(std::vector<uint8_t>(60)).result,
            port::RxResult::kTooSmall);
  EXPECT_TRUE(HasError("header-split"));
  SetUpRx(16, 8, 0);  // BSIZEPACKET 0
  EXPECT_EQ(Deliver(std::vector<uint8_t>(60)).result,
            port::RxResult::kTooSmall);
  EXPECT_EQ(rx_.Read(kRingHead), 0u);
}

TEST_F(QueueTest, RxDmaFailuresStopTheQueue) {
  SetUpRx(16, 8);
  fake_.dma_faults.push_back({kFn, rx_bufs_[0], 64, true});
  EXPECT_EQ(Deliver(std::vector<uint8_t>(60, 1)).result,
            port::RxResult::kBroken);
  EXPECT_TRUE(rx_.broken());
  EXPECT_TRUE(HasError("buffer write failed"));
  fake_.dma_faults.clear();
  SetUpRx(16, 8);
  EXPECT_FALSE(rx_.broken());
  fake_.dma_faults.push_back({kFn, rx_ring_, 16, false});
  EXPECT_EQ(Deliver(std::vector<uint8_t>(60, 1)).result,
            port::RxResult::kBroken);
  EXPECT_TRUE(HasError("descriptor read failed"));
}

TEST_F(QueueTest, RxDoorbells) {
  SetUpRx(16, 0);
  EXPECT_TRUE(RxW(kRingTail, 4));
  RxW(kRingCtl, 0);
  EXPECT_FALSE(RxW(kRingTail, 5));
}

}  // namespace
}  // namespace snic::ixgbe
