// Unit tests: RSS across a function's RX queues (core/ixgbe/nic.h
// Deliver, rss.h), through the C ABI. The PF without VT as ixgbe_setup_mrqc
// / ixgbe_setup_reta program it (MRQC RSSEN and the hash fields, RXCSUM.PCSD,
// RSSRK, RETA over 4 queues); a VF in VMDq+RSS as the PF driver
// (MRQC VMDQRSS32EN/64EN, the shared RETA) and ixgbevf_setup_psrtype
// (VFPSRTYPE.RQPL) program it. Flows are Microsoft's RSS verification
// vectors, so the hashes are known values.
// SPDX-License-Identifier: GPL-2.0-or-later
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <vector>

#include "core_fixture.h"
#include "desc_model.h"
#include "fakes/fake_host.h"
#include "ixgbe/pools.h"
#include "ixgbe/queue.h"
#include "ixgbe/regs.h"
#include "ixgbe/rss.h"
#include "ixgbe/rx_desc.h"
#include "ixgbe/vf.h"
#include "sriov_nic/sriov_nic.h"

namespace snic::testing {
namespace {

namespace reg = ixgbe::reg;

constexpr unsigned kRingLen = 8;  // RDLEN: a multiple of 128 bytes
constexpr uint8_t kPfMac[6] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
constexpr uint8_t kVfMac[6] = {0x02, 0, 0, 0, 0x10, 0x00};
constexpr uint8_t kStranger[6] = {0x02, 0, 0, 0, 0x77, 0x77};

constexpr uint8_t kMsKey[40] = {
    0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2, 0x41, 0x67,
    0x25, 0x3d, 0x43, 0xa3, 0x8f, 0xb0, 0xd0, 0xca, 0x2b, 0xcb,
    0xae, 0x7b, 0x30, 0xb4, 0x77, 0xcb, 0x2d, 0xa3, 0x80, 0x30,
    0xf2, 0x0c, 0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa};

// Two TCP flows of the verification suite: 66.9.149.187:2794 ->
// 161.142.100.80:1766 and 199.92.111.2:14230 -> 65.69.140.83:4739.
struct Flow {
  uint8_t src[4], dst[4];
  uint16_t sport, dport;
  uint32_t hash;  // IPv4 with TCP
};
constexpr Flow kFlowA{{66, 9, 149, 187}, {161, 142, 100, 80}, 2794, 1766,
                      0x51ccc178};
constexpr Flow kFlowB{{199, 92, 111, 2}, {65, 69, 140, 83}, 14230, 4739,
                      0xc626b0ea};
// RETA entry hash & 127: A 0x78 (120), B 0x6a (106); over 4 queues
// (entry i holds i % 4) A is queue 0, B queue 2.
constexpr unsigned kQueueA = 0, kQueueB = 2;

constexpr uint32_t kMrqcRssen = 0x1;  // IXGBE_MRQC_RSSEN
constexpr uint32_t kFields =
    ixgbe::kMrqcFieldIpv4 | ixgbe::kMrqcFieldIpv4Tcp |
    ixgbe::kMrqcFieldIpv6 | ixgbe::kMrqcFieldIpv6Tcp;  // ixgbe_setup_mrqc

std::vector<uint8_t> TcpFrame(const uint8_t* dst_mac, const Flow& fl) {
  std::vector<uint8_t> f(14 + 20 + 20 + 6, 0);
  std::memcpy(f.data(), dst_mac, 6);
  std::memcpy(f.data() + 6, kStranger, 6);
  f[12] = 0x08;
  f[14] = 0x45;
  f[16] = 0;
  f[17] = 46;  // total length
  f[22] = 64;
  f[23] = 6;  // TCP
  std::memcpy(&f[26], fl.src, 4);
  std::memcpy(&f[30], fl.dst, 4);
  f[34] = uint8_t(fl.sport >> 8);
  f[35] = uint8_t(fl.sport);
  f[36] = uint8_t(fl.dport >> 8);
  f[37] = uint8_t(fl.dport);
  f[46] = 0x50;  // data offset 5
  return f;
}

std::vector<uint8_t> ArpFrame(const uint8_t* dst_mac) {
  std::vector<uint8_t> f(60, 0);
  std::memcpy(f.data(), dst_mac, 6);
  std::memcpy(f.data() + 6, kStranger, 6);
  f[12] = 0x08;
  f[13] = 0x06;
  return f;
}

class IxgbeRss : public IxgbeCore {
 protected:
  // ixgbe_store_key, and ixgbe_store_reta with @entry(i) in byte i % 4 of
  // RETA(i / 4).
  template <typename F>
  void ProgramRss(uint32_t mrqc, F entry) {
    for (unsigned i = 0; i < 10; ++i) {
      Write(0, reg::RSSRK(i),
            uint32_t(kMsKey[4 * i]) | uint32_t(kMsKey[4 * i + 1]) << 8 |
                uint32_t(kMsKey[4 * i + 2]) << 16 |
                uint32_t(kMsKey[4 * i + 3]) << 24);
    }
    for (unsigned i = 0; i < 32; ++i) {
      uint32_t v = 0;
      for (unsigned b = 0; b < 4; ++b) v |= uint32_t(entry(4 * i + b)) << (8 * b);
      Write(0, reg::RETA(i), v);
    }
    Write(0, reg::RXCSUM, Read(0, reg::RXCSUM) | ixgbe::kRxcsumPcsd);
    Write(0, reg::MRQC, mrqc);
  }

  // The ring of RX queue register block @block (a PF BAR offset, or a VF
  // BAR offset for fn != 0), in guest memory at @ring with its buffers
  // after it (ixgbevf_configure_rx_ring, ixgbe_configure_rx_ring).
  void SetUpRx(SnicFn fn, uint64_t block, uint64_t ring) {
    Write(fn, block + ixgbe::kRingCtl, 0);
    Write(fn, block + ixgbe::kRingBal, uint32_t(ring));
    Write(fn, block + ixgbe::kRingBah, uint32_t(ring >> 32));
    Write(fn, block + ixgbe::kRingLen, kRingLen * 16);
    Write(fn, block + ixgbe::kRxSrrctl, 2 | ixgbe::kSrrctlDesctypeAdvOneBuf);
    Write(fn, block + ixgbe::kRingCtl, reg::RXDCTL_ENABLE);
    for (unsigned i = 0; i < kRingLen; ++i) {
      RawDesc d{};
      const uint64_t buf = ring + 0x100 + i * 0x800;
      PutLe32(d, 0, uint32_t(buf));
      PutLe32(d, 4, uint32_t(buf >> 32));
      std::memcpy(&host_.mem[ring + 16 * i], d.data(), 16);
    }
    Write(fn, block + ixgbe::kRingTail, kRingLen - 1);
  }
  static uint64_t Ring(unsigned n) { return 0x10000ull * (n + 1); }
  RawDesc Desc(unsigned ring, unsigned slot = 0) {
    RawDesc d;
    std::memcpy(d.data(), &host_.mem[Ring(ring) + 16 * slot], 16);
    return d;
  }
  bool Done(unsigned ring, unsigned slot = 0) {
    return (GetLe32(Desc(ring, slot), 8) & ixgbe::kRxStatDd) != 0;
  }
  // pkt_info's RSS type (bits 3:0) and the RSS hash (bytes 4-7).
  uint32_t RssType(unsigned ring) { return GetLe32(Desc(ring), 0) & 0xf; }
  uint32_t Hash(unsigned ring) { return GetLe32(Desc(ring), 4); }

  void FromUplink(const std::vector<uint8_t>& f) {
    EXPECT_EQ(snic_core_uplink_receive(core_.get(), f.data(), f.size()),
              f.size());
    Run();
  }
  SnicStats Stats(SnicFn fn) {
    SnicStats st{};
    EXPECT_TRUE(snic_core_get_stats(core_.get(), fn, &st));
    return st;
  }

  // The PF alone, VT off: 4 RX queues (PF BAR 0x1000 + 0x40 q), rings 0..3.
  void PfWithFourQueues() {
    Start(0);
    ProgramRss(kMrqcRssen | kFields,
               [](unsigned i) { return i % 4; });
    for (unsigned q = 0; q < 4; ++q) SetUpRx(0, 0x1000 + 0x40 * q, Ring(q));
    Write(0, reg::RXCTRL, reg::RXCTRL_RXEN);
    Run();
  }

  // Two VFs in VT mode @gcr_mode (32 or 64 pools) with MRQC @mrqc, the PF
  // in pool 2 (ixgbe_configure_virtualization); VF 0's MAC in RAR 1.
  // VF 0's queues 0..@vf_queues-1 are rings 0.., VF 1's queue 0 ring 8.
  void VfInVt(uint32_t gcr_mode, uint32_t mrqc, unsigned vf_queues,
              uint32_t psrtype) {
    Start(2);
    Write(0, reg::PFVTCTL,
          reg::VT_CTL_VT_ENABLE | 2u << reg::VT_CTL_POOL_SHIFT |
              reg::VT_CTL_REPLEN);
    Write(0, reg::GCR_EXT, gcr_mode | reg::GCR_EXT_MSIX_EN);
    Write(0, reg::VFRE(0), 0x7);
    Write(0, reg::VFTE(0), 0x7);
    for (unsigned p = 0; p <= 2; ++p) {
      Write(0, reg::VMOLR(p), reg::VMOLR_AUPE | reg::VMOLR_BAM);
    }
    Write(0, reg::RAL(1),
          uint32_t(kVfMac[0]) | uint32_t(kVfMac[1]) << 8 |
              uint32_t(kVfMac[2]) << 16 | uint32_t(kVfMac[3]) << 24);
    Write(0, reg::RAH(1),
          uint32_t(kVfMac[4]) | uint32_t(kVfMac[5]) << 8 | reg::RAH_AV);
    Write(0, reg::MPSAR_LO(1), 1u << 0);
    // ixgbe_setup_reta with SR-IOV: at least 4 queues.
    ProgramRss(mrqc | kFields, [](unsigned i) { return i % 4; });
    Write(0, reg::RXCTRL, reg::RXCTRL_RXEN);
    Write(1, ixgbe::kVfPsrType, psrtype);
    for (unsigned q = 0; q < vf_queues; ++q) {
      SetUpRx(1, ixgbe::kVfRxQueue0 + 0x40 * q, Ring(q));
    }
    SetUpRx(2, ixgbe::kVfRxQueue0, Ring(8));
    Run();
  }
};

TEST_F(IxgbeRss, PfSpreadsFlowsOverItsQueuesWithTheHash) {
  PfWithFourQueues();
  FromUplink(TcpFrame(kPfMac, kFlowA));
  FromUplink(TcpFrame(kPfMac, kFlowB));
  ASSERT_TRUE(Done(kQueueA));
  ASSERT_TRUE(Done(kQueueB));
  EXPECT_EQ(RssType(kQueueA), ixgbe::kRssTypeIpv4Tcp);
  EXPECT_EQ(Hash(kQueueA), kFlowA.hash);
  EXPECT_EQ(RssType(kQueueB), ixgbe::kRssTypeIpv4Tcp);
  EXPECT_EQ(Hash(kQueueB), kFlowB.hash);
  // One frame each: queue A's second slot, the other queues untouched.
  EXPECT_FALSE(Done(kQueueA, 1));
  EXPECT_FALSE(Done(1));
  EXPECT_FALSE(Done(3));
  EXPECT_EQ(Read(0, 0x1000 + 0x40 * kQueueB + ixgbe::kRingHead), 1u);
  EXPECT_EQ(Stats(0).rx_packets, 2u);
  EXPECT_TRUE(host_.guest_errors.empty());
}

TEST_F(IxgbeRss, PfFlowFollowsTheRetaEntry) {
  PfWithFourQueues();
  // Entry 106 (flow B) rewritten to queue 3 (ethtool -X: ixgbe_store_reta).
  const uint32_t reta = Read(0, reg::RETA(106 / 4));
  Write(0, reg::RETA(106 / 4),
        (reta & ~(0xffu << 8 * (106 % 4))) | 3u << 8 * (106 % 4));
  FromUplink(TcpFrame(kPfMac, kFlowB));
  EXPECT_TRUE(Done(3));
  EXPECT_FALSE(Done(kQueueB));
}

TEST_F(IxgbeRss, NonIpGoesToTheFirstQueueWithoutAHash) {
  PfWithFourQueues();
  FromUplink(ArpFrame(kPfMac));
  ASSERT_TRUE(Done(0));
  EXPECT_EQ(RssType(0), ixgbe::kRssTypeNone);
  EXPECT_EQ(Hash(0), 0u);
  for (unsigned q = 1; q < 4; ++q) EXPECT_FALSE(Done(q)) << q;
}

TEST_F(IxgbeRss, TypeMrqcDoesNotEnableHashesLess) {
  PfWithFourQueues();
  // IPv4 addresses only: flow A hashes as IPv4 (0x323e8fc2: entry 0x42,
  // queue 2), type IPv4.
  Write(0, reg::MRQC, kMrqcRssen | ixgbe::kMrqcFieldIpv4);
  FromUplink(TcpFrame(kPfMac, kFlowA));
  ASSERT_TRUE(Done(2));
  EXPECT_EQ(RssType(2), ixgbe::kRssTypeIpv4);
  EXPECT_EQ(Hash(2), 0x323e8fc2u);
  // No field at all: no hash, the first queue.
  Write(0, reg::MRQC, kMrqcRssen);
  FromUplink(TcpFrame(kPfMac, kFlowB));
  ASSERT_TRUE(Done(0));
  EXPECT_EQ(RssType(0), ixgbe::kRssTypeNone);
}

TEST_F(IxgbeRss, WithoutPcsdTheQueueStillFollowsTheHash) {
  PfWithFourQueues();
  Write(0, reg::RXCSUM, Read(0, reg::RXCSUM) & ~ixgbe::kRxcsumPcsd);
  FromUplink(TcpFrame(kPfMac, kFlowB));
  ASSERT_TRUE(Done(kQueueB));
  EXPECT_EQ(RssType(kQueueB), ixgbe::kRssTypeNone);
  EXPECT_EQ(Hash(kQueueB), 0u);
}

TEST_F(IxgbeRss, RssOffEverythingOnTheFirstQueue) {
  PfWithFourQueues();
  Write(0, reg::MRQC, kFields);  // MRQE 0: no RSS
  FromUplink(TcpFrame(kPfMac, kFlowB));
  ASSERT_TRUE(Done(0));
  EXPECT_EQ(RssType(0), ixgbe::kRssTypeNone);
  EXPECT_FALSE(Done(kQueueB));
}

// The 82599 drops a frame RSS sends to a disabled queue; no other queue
// takes it.
TEST_F(IxgbeRss, ADisabledTargetQueueDropsTheFrame) {
  PfWithFourQueues();
  Write(0, 0x1000 + 0x40 * kQueueB + ixgbe::kRingCtl, 0);
  Run();
  FromUplink(TcpFrame(kPfMac, kFlowB));
  for (unsigned q = 0; q < 4; ++q) EXPECT_FALSE(Done(q)) << q;
  EXPECT_EQ(Stats(0).rx_packets, 0u);
  // Flow A's queue is enabled: it still receives.
  FromUplink(TcpFrame(kPfMac, kFlowA));
  EXPECT_TRUE(Done(kQueueA));
}

// 32 pools x 4 queues, VFPSRTYPE.RQPL 2 (4 queues: the encoding is log2,
// ixgbe_setup_psrtype writes 2 << 29 for 4 RSS queues).
TEST_F(IxgbeRss, VfIn32PoolModeSpreadsOverItsFourQueues) {
  VfInVt(reg::GCR_EXT_VT_MODE_32, reg::MRQC_VMDQRSS32EN, 4,
         2u << ixgbe::kPsrtypeRqplShift);
  FromUplink(TcpFrame(kVfMac, kFlowA));
  FromUplink(TcpFrame(kVfMac, kFlowB));
  ASSERT_TRUE(Done(kQueueA));
  ASSERT_TRUE(Done(kQueueB));
  EXPECT_EQ(RssType(kQueueA), ixgbe::kRssTypeIpv4Tcp);
  EXPECT_EQ(Hash(kQueueA), kFlowA.hash);
  EXPECT_EQ(RssType(kQueueB), ixgbe::kRssTypeIpv4Tcp);
  EXPECT_EQ(Hash(kQueueB), kFlowB.hash);
  EXPECT_EQ(Read(1, ixgbe::kVfRxQueue0 + 0x40 * kQueueB + ixgbe::kRingHead),
            1u);
  EXPECT_FALSE(Done(8));  // VF 1's queue
  EXPECT_EQ(Stats(1).rx_packets, 2u);
  EXPECT_TRUE(host_.guest_errors.empty());
}

// ixgbevf_setup_psrtype with 2 queues: RQPL 1, so entry 2 is queue 0.
TEST_F(IxgbeRss, VfRqplOneUsesTwoQueues) {
  VfInVt(reg::GCR_EXT_VT_MODE_32, reg::MRQC_VMDQRSS32EN, 4,
         1u << ixgbe::kPsrtypeRqplShift);
  FromUplink(TcpFrame(kVfMac, kFlowB));
  EXPECT_TRUE(Done(0));
  EXPECT_FALSE(Done(kQueueB));
  // RQPL 0: one queue.
  Write(1, ixgbe::kVfPsrType, 0);
  FromUplink(TcpFrame(kVfMac, kFlowB));
  EXPECT_TRUE(Done(0, 1));
}

// Hostile: every RETA entry 15 and RQPL 7. 32 pools: queue 3 of VF 0's
// pool; 64 pools: queue 1 of its 2. Never a queue of another pool.
TEST_F(IxgbeRss, RetaPastThePoolIsMaskedToIt) {
  VfInVt(reg::GCR_EXT_VT_MODE_32, reg::MRQC_VMDQRSS32EN, 4,
         7u << ixgbe::kPsrtypeRqplShift);
  ProgramRss(reg::MRQC_VMDQRSS32EN | kFields,
             [](unsigned) { return 15u; });
  FromUplink(TcpFrame(kVfMac, kFlowA));
  EXPECT_TRUE(Done(3));
  EXPECT_FALSE(Done(8));
  EXPECT_TRUE(host_.guest_errors.empty());
}

TEST_F(IxgbeRss, RetaPastThePoolIsMaskedToItIn64PoolMode) {
  VfInVt(reg::GCR_EXT_VT_MODE_64, reg::MRQC_VMDQRSS64EN, 2,
         7u << ixgbe::kPsrtypeRqplShift);
  ProgramRss(reg::MRQC_VMDQRSS64EN | kFields,
             [](unsigned) { return 15u; });
  FromUplink(TcpFrame(kVfMac, kFlowA));
  FromUplink(TcpFrame(kVfMac, kFlowB));
  EXPECT_TRUE(Done(1));
  EXPECT_TRUE(Done(1, 1));
  EXPECT_FALSE(Done(0));
  EXPECT_FALSE(Done(8));  // VF 1's queue 0 is the next absolute queue
  EXPECT_EQ(Stats(2).rx_packets, 0u);
}

TEST_F(IxgbeRss, PoolRssQueues) {
  EXPECT_EQ(ixgbe::PoolRssQueues(0, 4), 1u);
  EXPECT_EQ(ixgbe::PoolRssQueues(1u << 29, 4), 2u);
  EXPECT_EQ(ixgbe::PoolRssQueues(2u << 29, 4), 4u);
  EXPECT_EQ(ixgbe::PoolRssQueues(2u << 29, 2), 2u);
  EXPECT_EQ(ixgbe::PoolRssQueues(7u << 29, 8), 8u);
  EXPECT_EQ(ixgbe::PoolRssQueues(0xffffffffu, 2), 2u);
}

}  // namespace
}  // namespace snic::testing
