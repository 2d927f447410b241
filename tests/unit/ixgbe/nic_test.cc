// Unit tests: core/ixgbe/nic.h end to end through the C ABI: VT mode as
// ixgbe programs it for 2 VFs (ixgbe_sriov.c, ixgbe_main.c
// ixgbe_configure_virtualization), each VF's rings through its own BAR
// (ixgbevf_configure_tx_ring / _rx_ring), advanced descriptors, VF<->VF
// switching, the uplink, VFRE/VFTE, MAC anti-spoofing and hostile rings.
// SPDX-License-Identifier: GPL-2.0-or-later
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "core_fixture.h"
#include "desc_model.h"
#include "fakes/fake_host.h"
#include "fakes/gso_frames.h"
#include "ixgbe/pools.h"
#include "ixgbe/queue.h"
#include "ixgbe/regs.h"
#include "ixgbe/rx_desc.h"
#include "ixgbe/vf.h"
#include "sriov_nic/sriov_nic.h"

namespace snic::testing {
namespace {

namespace reg = ixgbe::reg;

constexpr unsigned kRingLen = 8;             // descriptors per ring
constexpr uint32_t kQpp = 4;                 // GCR_EXT VT mode 32
constexpr uint32_t kPfPool = 2;              // DEF_PL = num_vfs
constexpr uint8_t kVfMac[2][6] = {{0x02, 0, 0, 0, 0x10, 0x00},
                                  {0x02, 0, 0, 0, 0x10, 0x01}};
constexpr uint8_t kPfMac[6] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
constexpr uint8_t kBcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
constexpr uint8_t kStranger[6] = {0x02, 0, 0, 0, 0x77, 0x77};

// Guest memory of function @fn (0 PF, 1.. VFs): its RX ring, TX ring, RX
// buffers, TX buffer.
uint64_t Base(SnicFn fn) { return 0x10000ull * (fn + 1); }
uint64_t RxRing(SnicFn fn) { return Base(fn); }
uint64_t TxRing(SnicFn fn) { return Base(fn) + 0x1000; }
uint64_t RxBuf(SnicFn fn, unsigned i) { return Base(fn) + 0x2000 + i * 0x800; }
uint64_t TxBuf(SnicFn fn) { return Base(fn) + 0x8000; }

std::vector<uint8_t> Frame(const uint8_t* dst, const uint8_t* src,
                           size_t len = 60) {
  std::vector<uint8_t> f(len, 0);
  std::memcpy(f.data(), dst, 6);
  std::memcpy(f.data() + 6, src, 6);
  f[12] = 0x08;  // IPv4 ethertype; payload is a counter pattern
  for (size_t i = 14; i < len; ++i) f[i] = uint8_t(i);
  return f;
}

class IxgbeNic : public IxgbeCore {
 protected:
  void SetUp() override { Start(2); }

  // ixgbe_set_rar_generic + ixgbe_set_vmdq_generic: the address, AV, and
  // the pool's MPSAR bit.
  void SetRar(unsigned index, const uint8_t* mac, unsigned pool) {
    Write(0, reg::RAL(index),
          uint32_t(mac[0]) | uint32_t(mac[1]) << 8 | uint32_t(mac[2]) << 16 |
              uint32_t(mac[3]) << 24);
    Write(0, reg::RAH(index),
          uint32_t(mac[4]) | uint32_t(mac[5]) << 8 | reg::RAH_AV);
    Write(0, pool < 32 ? reg::MPSAR_LO(index) : reg::MPSAR_HI(index),
          1u << (pool % 32));
  }

  // The PF side for 2 VFs, in ixgbe's order: ixgbe_configure_virtualization
  // (PFVTCTL VT_ENABLE | DEF_PL | REPLEN, VFRE/VFTE, GCR_EXT VT mode),
  // ixgbe_setup_mrqc (MRQC VMDq+RSS 32 pools), ixgbe_set_vmolr (AUPE,
  // BAM), ixgbe_set_vf_mac (a RAR per VF), RXCTRL.RXEN, DMATXCTL.TE.
  void PfSetsUpVt() {
    Write(0, reg::PFVTCTL,
          reg::VT_CTL_VT_ENABLE | kPfPool << reg::VT_CTL_POOL_SHIFT |
              reg::VT_CTL_REPLEN);
    Write(0, reg::GCR_EXT, reg::GCR_EXT_VT_MODE_32 | reg::GCR_EXT_MSIX_EN);
    Write(0, reg::MRQC, reg::MRQC_VMDQRSS32EN);
    Write(0, reg::VFRE(0), 0x7);  // pools 0, 1 and the PF's 2
    Write(0, reg::VFTE(0), 0x7);
    for (unsigned p = 0; p <= kPfPool; ++p) {
      Write(0, reg::VMOLR(p), reg::VMOLR_AUPE | reg::VMOLR_BAM);
    }
    SetRar(0, kPfMac, kPfPool);
    SetRar(1, kVfMac[0], 0);
    SetRar(2, kVfMac[1], 1);
    Write(0, reg::FCTRL, reg::FCTRL_BAM);
    Write(0, reg::RXCTRL, reg::RXCTRL_RXEN);
    Write(0, reg::DMATXCTL, reg::DMATXCTL_TE);
  }

  // The ring registers of @fn's queue 0: the VF's own BAR (0x1000 RX,
  // 0x2000 TX), the PF's default-pool queue through the PF BAR.
  uint64_t RxReg(SnicFn fn, uint32_t r) {
    return fn == 0 ? 0x1000 + 0x40 * (kPfPool * kQpp) + r
                   : ixgbe::kVfRxQueue0 + r;
  }
  uint64_t TxReg(SnicFn fn, uint32_t r) {
    return fn == 0 ? 0x6000 + 0x40 * (kPfPool * kQpp) + r
                   : ixgbe::kVfTxQueue0 + r;
  }

  // ixgbevf_configure_rx_ring: disable, base, length, SRRCTL (2 KiB,
  // advanced one-buffer), enable, then the buffers and RDT
  // (ixgbevf_alloc_rx_buffers: read format pkt_addr, hdr_addr 0).
  void SetUpRx(SnicFn fn, uint64_t ring) {
    Write(fn, RxReg(fn, ixgbe::kRingCtl), 0);
    Write(fn, RxReg(fn, ixgbe::kRingBal), uint32_t(ring));
    Write(fn, RxReg(fn, ixgbe::kRingBah), uint32_t(ring >> 32));
    Write(fn, RxReg(fn, ixgbe::kRingLen), kRingLen * 16);
    Write(fn, RxReg(fn, ixgbe::kRxSrrctl),
          2 | ixgbe::kSrrctlDesctypeAdvOneBuf);
    Write(fn, RxReg(fn, ixgbe::kRingCtl), reg::RXDCTL_ENABLE);
    for (unsigned i = 0; i < kRingLen && host_.InRange(ring, 16 * kRingLen);
         ++i) {
      RawDesc d{};
      PutLe32(d, 0, uint32_t(RxBuf(fn, i)));
      PutLe32(d, 4, uint32_t(RxBuf(fn, i) >> 32));
      std::memcpy(&host_.mem[ring + 16 * i], d.data(), 16);
    }
    Write(fn, RxReg(fn, ixgbe::kRingTail), kRingLen - 1);
  }
  // ixgbevf_configure_tx_ring.
  void SetUpTx(SnicFn fn, uint64_t ring) {
    Write(fn, TxReg(fn, ixgbe::kRingCtl), 0);
    Write(fn, TxReg(fn, ixgbe::kRingBal), uint32_t(ring));
    Write(fn, TxReg(fn, ixgbe::kRingBah), uint32_t(ring >> 32));
    Write(fn, TxReg(fn, ixgbe::kRingLen), kRingLen * 16);
    Write(fn, TxReg(fn, ixgbe::kRingHead), 0);
    Write(fn, TxReg(fn, ixgbe::kRingTail), 0);
    Write(fn, TxReg(fn, ixgbe::kRingCtl), reg::TXDCTL_ENABLE);
    tx_tail_[fn] = 0;
  }
  void SetUpAll() {
    PfSetsUpVt();
    for (SnicFn fn = 0; fn <= 2; ++fn) {
      SetUpRx(fn, RxRing(fn));
      SetUpTx(fn, TxRing(fn));
    }
    // VF RX queue 0 on vector 0, TX queue 0 on vector 1 (ixgbevf
    // ixgbevf_set_ivar: 16 * (queue & 1) + 8 * direction), unmasked.
    for (SnicFn fn = 1; fn <= 2; ++fn) {
      Write(fn, ixgbe::kVtIvar0,
            (ixgbe::kIvarValid | 0u) | (ixgbe::kIvarValid | 1u) << 8);
      Write(fn, ixgbe::kVtEims, 0x3);
    }
    Run();
    host_.msix.clear();
    ASSERT_TRUE(host_.guest_errors.empty()) << host_.guest_errors[0];
  }

  // ixgbevf_tx_map: one advanced data descriptor, EOP | RS, PAYLEN.
  void Send(SnicFn fn, const std::vector<uint8_t>& f) {
    std::memcpy(&host_.mem[TxBuf(fn)], f.data(), f.size());
    const RawDesc d = DataDesc(TxBuf(fn), uint16_t(f.size()),
                               ixgbe::kTxdCmdEop | ixgbe::kTxdCmdRs,
                               Olinfo(uint32_t(f.size())));
    const unsigned slot = tx_tail_[fn];
    std::memcpy(&host_.mem[TxRing(fn) + 16 * slot], d.data(), 16);
    tx_tail_[fn] = (slot + 1) % kRingLen;
    Write(fn, TxReg(fn, ixgbe::kRingTail), tx_tail_[fn]);
    Run();
  }
  bool TxDone(SnicFn fn, unsigned slot) {
    RawDesc d;
    std::memcpy(d.data(), &host_.mem[TxRing(fn) + 16 * slot], 16);
    return (GetLe32(d, ixgbe::kTxWbOffset) & ixgbe::kTxdStatDd) != 0;
  }
  // The advanced RX write-back: status_error at 8, length at 12.
  RawDesc RxDesc(SnicFn fn, unsigned slot) {
    RawDesc d;
    std::memcpy(d.data(), &host_.mem[RxRing(fn) + 16 * slot], 16);
    return d;
  }
  SnicStats Stats(SnicFn fn) {
    SnicStats st{};
    EXPECT_TRUE(snic_core_get_stats(core_.get(), fn, &st));
    return st;
  }
  void FromUplink(const std::vector<uint8_t>& f) {
    EXPECT_EQ(snic_core_uplink_receive(core_.get(), f.data(), f.size()),
              f.size());
    Run();
  }

  unsigned tx_tail_[3] = {};
};

TEST_F(IxgbeNic, VfToVfThroughTheirOwnRings) {
  SetUpAll();
  const std::vector<uint8_t> f = Frame(kVfMac[1], kVfMac[0]);
  Send(1, f);
  // VF 1's RX ring: DD | EOP, the length, the bytes in its buffer.
  const RawDesc d = RxDesc(2, 0);
  EXPECT_EQ(GetLe32(d, 8) & (ixgbe::kRxStatDd | ixgbe::kRxStatEop),
            ixgbe::kRxStatDd | ixgbe::kRxStatEop);
  EXPECT_EQ(GetLe32(d, 12) & 0xffff, f.size());
  EXPECT_EQ(std::memcmp(&host_.mem[RxBuf(2, 0)], f.data(), f.size()), 0);
  // VF 0's TX descriptor is done (RS); VF 0 got nothing itself.
  EXPECT_TRUE(TxDone(1, 0));
  EXPECT_EQ(GetLe32(RxDesc(1, 0), 8) & ixgbe::kRxStatDd, 0u);
  EXPECT_EQ(Read(1, TxReg(1, ixgbe::kRingHead)), 1u);
  EXPECT_EQ(Read(2, RxReg(2, ixgbe::kRingHead)), 1u);
  // VF 1's RX vector 0 fired; VF 0's TX vector 1.
  bool vf1_rx = false, vf0_tx = false;
  for (const auto& [fn, v] : host_.msix) {
    vf1_rx |= fn == 2 && v == 0;
    vf0_tx |= fn == 1 && v == 1;
    EXPECT_NE(fn, 0u) << "the PF was not involved";
  }
  EXPECT_TRUE(vf1_rx);
  EXPECT_TRUE(vf0_tx);
  EXPECT_TRUE(host_.uplink_frames.empty());
  // The counters: VF 1's VFGPRC and the PF's PVFGPRC(1) agree; VF 0's
  // VFGPTC and the PF's PVFGPTC(0).
  EXPECT_EQ(Read(2, ixgbe::kVfGprc), 1u);
  EXPECT_EQ(Read(0, reg::PVFGPRC(1)), 1u);
  EXPECT_EQ(Read(0, reg::PVFGPRC(0)), 0u);
  EXPECT_EQ(Read(1, ixgbe::kVfGptc), 1u);
  EXPECT_EQ(Read(0, 0x08300 + 4 * 0), 1u);  // IXGBE_PVFGPTC(0)
  EXPECT_EQ(Read(2, ixgbe::kVfGorcLsb), f.size());
  EXPECT_EQ(Stats(2).rx_packets, 1u);
  EXPECT_EQ(Stats(1).tx_packets, 1u);
  EXPECT_TRUE(host_.guest_errors.empty());
}

TEST_F(IxgbeNic, UplinkBroadcastReachesPfAndVfs) {
  SetUpAll();
  const std::vector<uint8_t> f = Frame(kBcast, kStranger);
  FromUplink(f);
  for (SnicFn fn = 0; fn <= 2; ++fn) {
    const RawDesc d = RxDesc(fn, 0);
    EXPECT_EQ(GetLe32(d, 8) & ixgbe::kRxStatDd, ixgbe::kRxStatDd) << fn;
    EXPECT_EQ(GetLe32(d, 12) & 0xffff, f.size()) << fn;
    EXPECT_EQ(Stats(fn).rx_packets, 1u) << fn;
  }
  EXPECT_EQ(Read(0, reg::PVFGPRC(0)), 1u);
  EXPECT_EQ(Read(0, reg::PVFGPRC(1)), 1u);
  // A VF without VFRE hears no more broadcasts.
  Write(0, reg::VFRE(0), 0x5);
  FromUplink(f);
  EXPECT_EQ(Stats(1).rx_packets, 2u);
  EXPECT_EQ(Stats(2).rx_packets, 1u);
  EXPECT_EQ(Stats(0).rx_packets, 2u);
}

TEST_F(IxgbeNic, UnknownDestinationGoesToTheUplink) {
  SetUpAll();
  const std::vector<uint8_t> f = Frame(kStranger, kVfMac[0]);
  Send(1, f);
  ASSERT_EQ(host_.uplink_frames.size(), 1u);
  EXPECT_EQ(host_.uplink_frames[0], f);
  EXPECT_TRUE(TxDone(1, 0));
  for (SnicFn fn = 0; fn <= 2; ++fn) EXPECT_EQ(Stats(fn).rx_packets, 0u);
}

// `ip link set <pf> vf 1 state disable` (ixgbe_set_vf_link_state ->
// ixgbe_set_vf_rx_tx: VFRE/VFTE bit cleared).
TEST_F(IxgbeNic, VfreVfteClearedIsolatesTheVf) {
  SetUpAll();
  Write(0, reg::VFRE(0), 0x5);
  Write(0, reg::VFTE(0), 0x5);
  Run();
  Send(1, Frame(kVfMac[1], kVfMac[0]));
  EXPECT_EQ(GetLe32(RxDesc(2, 0), 8) & ixgbe::kRxStatDd, 0u);
  EXPECT_EQ(Stats(2).rx_packets, 0u);
  EXPECT_EQ(Read(2, ixgbe::kVfGprc), 0u);
  EXPECT_TRUE(TxDone(1, 0));  // VF 0's frame left its ring regardless
  Send(2, Frame(kStranger, kVfMac[1]));
  EXPECT_TRUE(host_.uplink_frames.empty());
  EXPECT_FALSE(TxDone(2, 0));
  EXPECT_EQ(Read(2, TxReg(2, ixgbe::kRingHead)), 0u);
  EXPECT_EQ(Stats(2).tx_packets, 0u);
  // Re-enabled: the frame VF 1 left in its ring goes out at once, as the
  // chip resumes fetching, without another doorbell of VF 1's (a VF whose
  // ring is full rings none: its TX would stay stopped).
  Write(0, reg::VFRE(0), 0x7);
  Write(0, reg::VFTE(0), 0x7);
  Run();
  ASSERT_EQ(host_.uplink_frames.size(), 1u);
  EXPECT_TRUE(TxDone(2, 0));
  const std::vector<uint8_t> second = Frame(kStranger, kVfMac[1], 64);
  Send(2, second);
  ASSERT_EQ(host_.uplink_frames.size(), 2u);
  EXPECT_EQ(host_.uplink_frames[1], second);
  EXPECT_TRUE(TxDone(2, 0));
  EXPECT_TRUE(TxDone(2, 1));
  // VF 1 receives again.
  Send(1, Frame(kVfMac[1], kVfMac[0]));
  EXPECT_EQ(Stats(2).rx_packets, 1u);
}

// ixgbe_ndo_set_vf_spoofchk -> ixgbe_set_mac_anti_spoofing: PFVFSPOOF
// bit (pool % 8) of register pool / 8.
TEST_F(IxgbeNic, MacAntiSpoofDropsForgedSources) {
  SetUpAll();
  Write(0, reg::PFVFSPOOF(0), 1u << 0);
  Run();
  const uint8_t forged[6] = {0x02, 0, 0, 0, 0xee, 0xee};
  Send(1, Frame(kVfMac[1], forged));
  EXPECT_EQ(Stats(2).rx_packets, 0u);
  EXPECT_EQ(GetLe32(RxDesc(2, 0), 8) & ixgbe::kRxStatDd, 0u);
  EXPECT_EQ(Stats(1).tx_drop_spoof, 1u);
  EXPECT_TRUE(TxDone(1, 0));  // the chip drops it, the ring moves on
  // Its own MAC passes with spoofchk on.
  Send(1, Frame(kVfMac[1], kVfMac[0]));
  EXPECT_EQ(Stats(2).rx_packets, 1u);
  // Off: the forged source is delivered (to a stranger: the uplink too).
  Write(0, reg::PFVFSPOOF(0), 0);
  Run();
  Send(1, Frame(kVfMac[1], forged));
  EXPECT_EQ(Stats(2).rx_packets, 2u);
  EXPECT_EQ(Stats(1).tx_drop_spoof, 1u);
  // VF 1's bit does not check VF 0.
  Write(0, reg::PFVFSPOOF(0), 1u << 1);
  Run();
  Send(1, Frame(kVfMac[1], forged));
  EXPECT_EQ(Stats(2).rx_packets, 3u);
}

TEST_F(IxgbeNic, VfRingOutsideGuestMemoryStopsThatQueue) {
  SetUpAll();
  // VF 0 moves both rings past guest RAM.
  const uint64_t wild = 0x7fff0000ull;
  SetUpRx(1, wild);
  SetUpTx(1, wild + 0x1000);
  host_.guest_errors.clear();
  FromUplink(Frame(kBcast, kStranger));
  ASSERT_EQ(host_.guest_errors.size(), 1u);
  EXPECT_NE(host_.guest_errors[0].find("RX descriptor read failed: queue "
                                       "stopped"),
            std::string::npos);
  EXPECT_EQ(Stats(1).rx_packets, 0u);
  // The others are unaffected.
  EXPECT_EQ(Stats(0).rx_packets, 1u);
  EXPECT_EQ(Stats(2).rx_packets, 1u);
  // The TX ring: DMA of the descriptor fails; nothing leaves, logged.
  host_.guest_errors.clear();
  Write(1, TxReg(1, ixgbe::kRingTail), 1);
  Run();
  ASSERT_EQ(host_.guest_errors.size(), 1u);
  EXPECT_NE(host_.guest_errors[0].find("TX descriptor read failed: queue "
                                       "stopped"),
            std::string::npos);
  EXPECT_TRUE(host_.uplink_frames.empty());
  EXPECT_EQ(Stats(1).tx_packets, 0u);
  // Further traffic does not crash nor log again (the stopped queues do
  // no work); VF 1 still works.
  host_.guest_errors.clear();
  FromUplink(Frame(kBcast, kStranger));
  Write(1, TxReg(1, ixgbe::kRingTail), 2);
  Run();
  EXPECT_TRUE(host_.guest_errors.empty());
  Send(2, Frame(kStranger, kVfMac[1]));
  EXPECT_EQ(host_.uplink_frames.size(), 1u);
  EXPECT_EQ(Stats(2).rx_packets, 2u);
  // Re-enabled on good memory, VF 0 works again.
  SetUpRx(1, RxRing(1));
  SetUpTx(1, TxRing(1));
  FromUplink(Frame(kBcast, kStranger));
  EXPECT_EQ(Stats(1).rx_packets, 1u);
}

TEST_F(IxgbeNic, VfQueueRegistersBeyondThePoolReachNoOtherQueue) {
  SetUpAll();
  // VF 0 has 4 queues; its queue 5 would be absolute queue 5, VF 1's
  // queue 1.
  const uint64_t q5 = ixgbe::kVfRxQueue0 + 5 * ixgbe::kVfQueueStride;
  Write(1, q5 + ixgbe::kRingBal, 0x12345680);
  Write(1, q5 + ixgbe::kRingCtl, reg::RXDCTL_ENABLE);
  const uint64_t t5 = ixgbe::kVfTxQueue0 + 5 * ixgbe::kVfQueueStride;
  Write(1, t5 + ixgbe::kRingBal, 0x12345680);
  Write(1, t5 + ixgbe::kRingTail, 3);
  Run();
  const uint64_t vf1_q1 = ixgbe::kVfRxQueue0 + 1 * ixgbe::kVfQueueStride;
  EXPECT_EQ(Read(2, vf1_q1 + ixgbe::kRingBal), 0u);
  EXPECT_EQ(Read(2, vf1_q1 + ixgbe::kRingCtl) & reg::RXDCTL_ENABLE, 0u);
  EXPECT_EQ(Read(0, 0x1000 + 0x40 * 5 + ixgbe::kRingBal), 0u);
  EXPECT_EQ(Read(0, 0x6000 + 0x40 * 5 + ixgbe::kRingBal), 0u);
  EXPECT_TRUE(host_.uplink_frames.empty());
  // The VF's own queues still work.
  Send(1, Frame(kVfMac[1], kVfMac[0]));
  EXPECT_EQ(Stats(2).rx_packets, 1u);
}

TEST_F(IxgbeNic, RdtPastTheRingIsIgnored) {
  SetUpAll();
  host_.guest_errors.clear();
  Write(2, RxReg(2, ixgbe::kRingTail), 100);
  EXPECT_EQ(Read(2, RxReg(2, ixgbe::kRingTail)), kRingLen - 1);
  EXPECT_EQ(host_.guest_errors.size(), 1u);
  Write(1, TxReg(1, ixgbe::kRingTail), kRingLen);
  EXPECT_EQ(Read(1, TxReg(1, ixgbe::kRingTail)), 0u);
  Run();
  EXPECT_TRUE(host_.uplink_frames.empty());
  // The ring still works with the tail it had.
  Send(1, Frame(kVfMac[1], kVfMac[0]));
  EXPECT_EQ(Stats(2).rx_packets, 1u);
}

// The PF reaches every queue through its BAR (ixgbe_main.c: the PF
// disables a VF's queues on FLR, ixgbe_sriov.c ixgbe_vf_reset_event ->
// ixgbe_clear_vf_vlans...; IXGBE_RXDCTL(q) for q in a VF's pool): what it
// writes there the VF reads through its own.
TEST_F(IxgbeNic, PfWritesToAVfQueueAreSeenByTheVf) {
  PfSetsUpVt();
  const unsigned q = 1 * kQpp;  // VF 1's queue 0
  Write(0, 0x1000 + 0x40 * q + ixgbe::kRingBal, 0x00054300);
  Write(0, 0x1000 + 0x40 * q + ixgbe::kRingLen, 256);
  Write(0, 0x6000 + 0x40 * q + ixgbe::kRingBal, 0x00065400);
  EXPECT_EQ(Read(2, ixgbe::kVfRxQueue0 + ixgbe::kRingBal), 0x00054300u);
  EXPECT_EQ(Read(2, ixgbe::kVfRxQueue0 + ixgbe::kRingLen), 256u);
  EXPECT_EQ(Read(2, ixgbe::kVfTxQueue0 + ixgbe::kRingBal), 0x00065400u);
  // And the VF's own writes are the PF's view.
  Write(2, ixgbe::kVfRxQueue0 + ixgbe::kRingCtl, reg::RXDCTL_ENABLE);
  EXPECT_NE(Read(0, reg::RXDCTL(q)) & reg::RXDCTL_ENABLE, 0u);
  // The PF clearing ENABLE stops the VF's queue (ixgbe_disable_rx_queue).
  Write(0, reg::RXDCTL(q), 0);
  EXPECT_EQ(Read(2, ixgbe::kVfRxQueue0 + ixgbe::kRingCtl) & reg::RXDCTL_ENABLE,
            0u);
  EXPECT_TRUE(host_.guest_errors.empty());
}

// Multicast to a VF (a regression: none ever arrived, because the switch
// applied the host's trust to the pool filter, and an ixgbe VF with
// spoofchk on counts as untrusted). ixgbevf's groups reach the PF as
// IXGBE_VF_SET_MULTICAST hashes; ixgbe_set_vf_multicasts sets their MTA
// bits and VMOLR.ROMPE; ixgbe_update_mc_addr_list_generic MCSTCTRL.MFE.
// A trusted VF's ALLMULTI is VMOLR.MPE (ixgbe_update_vf_xcast_mode).
TEST_F(IxgbeNic, MulticastReachesAVfThroughTheMtaAndMpe) {
  SetUpAll();
  Write(0, reg::PFVFSPOOF(0), 0x0101);  // MAC and VLAN anti-spoof: VF 0
  const uint8_t joined[6] = {0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb};
  const uint8_t other[6] = {0x01, 0x00, 0x5e, 0x01, 0x02, 0xa5};
  const uint16_t h = uint16_t((joined[4] >> 4 | joined[5] << 4) & 0xfff);
  Write(0, reg::MTA(h >> 5), 1u << (h & 31));
  Write(0, reg::MCSTCTRL, 0x4);  // MFE, filter type 0
  Write(0, reg::VMOLR(0), Read(0, reg::VMOLR(0)) | 0x02000000u);  // ROMPE
  Run();
  FromUplink(Frame(joined, kStranger));
  EXPECT_EQ(Stats(1).rx_packets, 1u);  // VF 0 hashed the group
  EXPECT_EQ(Stats(2).rx_packets, 0u);  // VF 1 has no ROMPE
  EXPECT_EQ(Read(1, ixgbe::kVfGprc), 1u);
  FromUplink(Frame(other, kStranger));
  EXPECT_EQ(Stats(1).rx_packets, 1u);  // not in the MTA
  // VMOLR.MPE (a trusted VF's allmulticast): every group.
  Write(0, reg::VMOLR(1), Read(0, reg::VMOLR(1)) | 0x10000000u);  // MPE
  Run();
  FromUplink(Frame(other, kStranger));
  EXPECT_EQ(Stats(2).rx_packets, 1u);
  EXPECT_EQ(Stats(1).rx_packets, 1u);
  // From another VF through the switch too.
  Send(2, Frame(joined, kVfMac[1]));
  EXPECT_EQ(Stats(1).rx_packets, 2u);
}

// A TSO frame for a receiver that takes no GSO (ixgbevf) is cut into
// segments; when the receiver's ring has room for some of them only, the
// whole frame waits for its next buffers (a regression: the first
// segments went and the rest were dropped, and TCP retransmitted).
TEST_F(IxgbeNic, ATsoFrameWaitsForRoomForAllItsSegments) {
  SetUpAll();
  // VF 1 takes 4 frames and gives nothing back: 3 buffers left.
  for (int i = 0; i < 4; ++i) Send(1, Frame(kVfMac[1], kVfMac[0]));
  ASSERT_EQ(Stats(2).rx_packets, 4u);
  // ixgbe_tso: 5 x 1000 bytes of TCP over IPv4 in one frame (14 + 20 + 20
  // header bytes in a first descriptor, the payload in a second).
  std::array<uint8_t, 6> dst, src;
  std::memcpy(dst.data(), kVfMac[1], 6);
  std::memcpy(src.data(), kVfMac[0], 6);
  std::vector<uint8_t> f = L4Frame(dst, src, false, kProtoTcp, 5000);
  DriverTso(f, 14, 34, true);
  const size_t hdr = 54;
  std::memcpy(&host_.mem[TxBuf(1)], f.data(), f.size());
  const RawDesc ctx = CtxDesc(MacIpLens(14, 20),
                              ixgbe::kCtxTucmdL4tTcp | ixgbe::kCtxTucmdIpv4,
                              MssL4lenIdx(1000, 20));
  const RawDesc head = DataDesc(TxBuf(1), uint16_t(hdr), ixgbe::kTxdCmdTse,
                                Olinfo(uint32_t(f.size() - hdr),
                                       ixgbe::kTxdPoptsTxsm));
  const RawDesc rest =
      DataDesc(TxBuf(1) + hdr, uint16_t(f.size() - hdr),
               ixgbe::kTxdCmdTse | ixgbe::kTxdCmdEop | ixgbe::kTxdCmdRs, 0);
  for (const RawDesc& d : {ctx, head, rest}) {
    std::memcpy(&host_.mem[TxRing(1) + 16 * tx_tail_[1]], d.data(), 16);
    tx_tail_[1] = (tx_tail_[1] + 1) % kRingLen;
  }
  Write(1, TxReg(1, ixgbe::kRingTail), tx_tail_[1]);
  Run();
  // Nothing of it yet, nothing lost; VF 0's descriptors are not done.
  EXPECT_EQ(Stats(2).rx_packets, 4u);
  EXPECT_EQ(Stats(2).rx_drop_no_buffers, 0u);
  EXPECT_FALSE(TxDone(1, (tx_tail_[1] + kRingLen - 1) % kRingLen));
  // VF 1's driver takes its 4 frames and posts the buffers again
  // (ixgbevf_alloc_rx_buffers): all 5 segments arrive.
  Write(2, RxReg(2, ixgbe::kRingTail), (kRingLen - 1 + 4) % kRingLen);
  Run();
  EXPECT_EQ(Stats(2).rx_packets, 9u);
  EXPECT_EQ(Stats(2).rx_drop_no_buffers, 0u);
  EXPECT_EQ(Stats(2).rx_segmented, 1u);
  EXPECT_TRUE(TxDone(1, (tx_tail_[1] + kRingLen - 1) % kRingLen));
  for (unsigned k = 0; k < 5; ++k) {
    const RawDesc d = RxDesc(2, (4 + k) % kRingLen);
    EXPECT_EQ(GetLe32(d, 8) & ixgbe::kRxStatDd, ixgbe::kRxStatDd) << k;
    EXPECT_EQ(GetLe32(d, 12) & 0xffff, hdr + 1000) << k;
  }
  EXPECT_TRUE(host_.guest_errors.empty()) << host_.guest_errors[0];
}

// ---- migration (migration/device_state.cc, ixgbe::Nic::Encode) ----

// As QEMU migrates the device: the source stopped and saved; a
// destination with the same properties and the same guest RAM, its PF's
// PCI state having enabled the source's NumVFs, loads the state and runs.
class IxgbeMigration : public IxgbeNic {
 protected:
  // A destination device (on the same guest RAM); false with @err on a
  // refused stream.
  CorePtr Destination(const std::vector<uint8_t>& state, std::string* err,
                      uint16_t total_vfs = 63) {
    CorePtr dst = NewDevice(2, /*running=*/false, total_vfs, err);
    if (!dst) return nullptr;
    char msg[512] = {};
    if (!snic_core_load_state(dst.get(), state.data(), state.size(), msg,
                              sizeof(msg))) {
      *err = msg;
      return nullptr;
    }
    return dst;
  }
  // The whole move: the tests' helpers talk to the destination afterwards.
  void Migrate() {
    const std::vector<uint8_t> state = Save();
    core_.reset();
    host_.core = nullptr;
    std::string err;
    core_ = Destination(state, &err);
    ASSERT_TRUE(core_) << err;
    host_.core = core_.get();
    snic_core_set_running(core_.get(), true);
    Run();
  }
  // Registers whose reads change nothing, of every function.
  std::vector<uint32_t> Snapshot() {
    std::vector<uint32_t> v;
    for (uint32_t off :
         {reg::PFVTCTL, reg::GCR_EXT, reg::MRQC, reg::VFRE(0), reg::VFTE(0),
          reg::RAL(1), reg::RAH(1), reg::RAL(2), reg::RAH(2),
          reg::MPSAR_LO(1), reg::MPSAR_LO(2), reg::VMOLR(0), reg::FCTRL,
          reg::RXCTRL, reg::DMATXCTL, reg::PFVFSPOOF(0), reg::EIMS,
          reg::PVFGPRC(1), uint32_t{0x08300}}) {  // IXGBE_PVFGPTC(0)
      v.push_back(Read(0, off));
    }
    for (SnicFn fn = 0; fn <= 2; ++fn) {
      for (uint32_t r : {ixgbe::kRingBal, ixgbe::kRingLen, ixgbe::kRingHead,
                         ixgbe::kRingTail, ixgbe::kRingCtl}) {
        v.push_back(Read(fn, RxReg(fn, r)));
        v.push_back(Read(fn, TxReg(fn, r)));
      }
    }
    for (SnicFn fn = 1; fn <= 2; ++fn) {
      for (uint32_t off : {ixgbe::kVfGprc, ixgbe::kVfGptc, ixgbe::kVfGorcLsb,
                           ixgbe::kVtEims, ixgbe::kVtIvar0}) {
        v.push_back(Read(fn, off));
      }
    }
    return v;
  }
};

TEST_F(IxgbeMigration, RingsPoolsInterruptsAndCountersGoOn) {
  SetUpAll();
  Send(1, Frame(kVfMac[1], kVfMac[0]));
  Send(2, Frame(kVfMac[0], kVfMac[1], 70));
  ASSERT_EQ(Stats(2).rx_packets, 1u);
  const std::vector<uint32_t> before = Snapshot();
  Migrate();
  EXPECT_EQ(Snapshot(), before);
  EXPECT_EQ(Stats(2).rx_packets, 1u);
  EXPECT_EQ(Stats(1).tx_packets, 1u);
  // The next frame uses the next descriptors of both rings and VF 1's RX
  // vector (IVAR, EIMS) fires on the destination.
  host_.msix.clear();
  const std::vector<uint8_t> f = Frame(kVfMac[1], kVfMac[0], 90);
  Send(1, f);
  EXPECT_TRUE(TxDone(1, 1));
  const RawDesc d = RxDesc(2, 1);
  EXPECT_EQ(GetLe32(d, 8) & ixgbe::kRxStatDd, ixgbe::kRxStatDd);
  EXPECT_EQ(GetLe32(d, 12) & 0xffff, f.size());
  EXPECT_EQ(std::memcmp(&host_.mem[RxBuf(2, 1)], f.data(), f.size()), 0);
  bool vf1_rx = false;
  for (const auto& [fn, v] : host_.msix) vf1_rx |= fn == 2 && v == 0;
  EXPECT_TRUE(vf1_rx);
  EXPECT_EQ(Read(2, ixgbe::kVfGprc), 2u);
  EXPECT_EQ(Read(0, reg::PVFGPRC(1)), 2u);
  EXPECT_EQ(Stats(2).rx_packets, 2u);
  // The PF's ring and the uplink too.
  FromUplink(Frame(kPfMac, kStranger));
  EXPECT_EQ(GetLe32(RxDesc(0, 0), 8) & ixgbe::kRxStatDd, ixgbe::kRxStatDd);
  EXPECT_TRUE(host_.guest_errors.empty()) << host_.guest_errors[0];
}

// A request the VF posted before the move is the PF's to read after it
// (ixgbevf_write_mbx_vf, then the PF's ixgbe_msg_task on the destination).
TEST_F(IxgbeMigration, APendingMailboxMessageSurvives) {
  SetUpAll();
  Write(1, ixgbe::kVfMailbox, ixgbe::kVfMbxVfu);
  Write(1, ixgbe::kVfMbMem, 0x00010203);
  Write(1, ixgbe::kVfMbMem + 4, 0xcafef00d);
  Write(1, ixgbe::kVfMailbox, ixgbe::kVfMbxReq);
  Migrate();
  EXPECT_NE(Read(0, reg::MBVFICR(0)) & 1u, 0u);  // VFREQ of VF 0
  EXPECT_EQ(Read(0, reg::PFMBMEM(0)), 0x00010203u);
  EXPECT_EQ(Read(0, reg::PFMBMEM(0) + 4), 0xcafef00du);
  // The PF answers; the VF sees PFSTS and the reply.
  Write(0, reg::PFMAILBOX(0), ixgbe::kVfMbxPfu);  // IXGBE_PFMAILBOX_PFU
  Write(0, reg::PFMBMEM(0), 0x80010203);          // ACK | the message
  Write(0, reg::PFMAILBOX(0), 1u);                // IXGBE_PFMAILBOX_STS
  EXPECT_NE(Read(1, ixgbe::kVfMailbox) & ixgbe::kVfMbxPfSts, 0u);
  EXPECT_EQ(Read(1, ixgbe::kVfMbMem), 0x80010203u);
}

// The guest PF driver's policy moves with the registers: anti-spoof, a
// VF switched off (state disable), a rate limit.
TEST_F(IxgbeMigration, TheGuestsPolicyIsStillEnforced) {
  SetUpAll();
  Write(0, reg::PFVFSPOOF(0), 1u << 0);
  // ixgbe_set_vf_rate_limit: 100 Mbit/s on VF 1's four queues.
  for (uint32_t q = 4; q < 8; ++q) {
    Write(0, reg::RTTDQSEL, q);
    Write(0, reg::RTTBCNRC, 0x80000000u | ((10000u << 14) / 100));
  }
  Write(0, reg::VFRE(0), 0x5);  // VF 1 receives nothing
  Run();
  SnicVfPolicy p{};
  ASSERT_TRUE(snic_core_get_vf_policy(core_.get(), 1, &p));
  ASSERT_EQ(p.max_tx_rate, 100u);
  Migrate();
  ASSERT_TRUE(snic_core_get_vf_policy(core_.get(), 1, &p));
  EXPECT_EQ(p.max_tx_rate, 100u);
  ASSERT_TRUE(snic_core_get_vf_policy(core_.get(), 0, &p));
  EXPECT_TRUE(p.spoofchk);
  const uint8_t forged[6] = {0x02, 0, 0, 0, 0xee, 0xee};
  Send(1, Frame(kPfMac, forged));
  EXPECT_EQ(Stats(0).rx_packets, 0u);
  EXPECT_EQ(Stats(1).tx_drop_spoof, 1u);
  EXPECT_EQ(Read(0, reg::SSVPC), 1u);  // "1 Spoofed packets detected"
  Send(1, Frame(kVfMac[1], kVfMac[0]));
  EXPECT_EQ(Stats(2).rx_packets, 0u);  // VFRE still off for VF 1
  Send(1, Frame(kPfMac, kVfMac[0]));
  EXPECT_EQ(Stats(0).rx_packets, 1u);
}

// A regression (ixgbe_fuzz, ixgbe-pf-flr-policy-stale-breaks-migration):
// a PF FLR resets the pools; the VF ports kept their old MAC and filter
// until the next data-path register write, so the host saw a stale policy
// and a save/load round trip (which derives them again) changed the
// device. The ports follow the registers at once now.
TEST_F(IxgbeMigration, APfResetIsFollowedAtOnceAndRoundTrips) {
  SetUpAll();
  SnicVfPolicy p{};
  ASSERT_TRUE(snic_core_get_vf_policy(core_.get(), 0, &p));
  ASSERT_EQ(std::memcmp(p.mac, kVfMac[0], 6), 0);
  snic_core_reset_function(core_.get(), 0);  // PF FLR: pools and RARs reset
  ASSERT_TRUE(snic_core_get_vf_policy(core_.get(), 0, &p));
  const uint8_t zero[6] = {};
  EXPECT_EQ(std::memcmp(p.mac, zero, 6), 0) << "VF 0 still shows its old MAC";
  // The state loads back into the device and saves to the same bytes.
  const std::vector<uint8_t> state = Save();
  char err[512] = {};
  ASSERT_TRUE(snic_core_load_state(core_.get(), state.data(), state.size(),
                                   err, sizeof(err)))
      << err;
  EXPECT_EQ(Save(), state);
}

TEST_F(IxgbeMigration, ADifferentDestinationRefusesTheStream) {
  SetUpAll();
  const std::vector<uint8_t> state = Save();
  std::string err;
  EXPECT_FALSE(Destination(state, &err, 8));
  EXPECT_NE(err.find("total-vfs"), std::string::npos) << err;
  // Cut anywhere in the chip's part (the last 4 bytes are the end marker).
  for (size_t cut : {size_t{5}, size_t{1000}, size_t{70000}}) {
    std::vector<uint8_t> shorter(state.begin(), state.end() - cut);
    EXPECT_FALSE(Destination(shorter, &err)) << cut;
  }
  // The source goes on as it was (a refused stream changes nothing there).
  snic_core_set_running(core_.get(), true);
  Send(1, Frame(kVfMac[1], kVfMac[0]));
  EXPECT_EQ(Stats(2).rx_packets, 1u);
}

}  // namespace
}  // namespace snic::testing
