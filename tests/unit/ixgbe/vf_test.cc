// Unit tests of core/ixgbe/vf: each register row, the interrupt path, the
// statistics as ixgbevf's update macros read them, the queue registers as
// ixgbevf_configure_tx_ring/rx_ring and ixgbevf_stop_hw_vf use them, and
// the whole probe (ixgbevf_reset_hw_vf, API negotiation, get queues)
// through the register file against the PF driver model.
//
// SPDX-License-Identifier: GPL-2.0-or-later
#include "ixgbe/vf.h"

#include <gtest/gtest.h>

#include "fakes/fake_host.h"
#include "ixgbe/mbx_driver_model.h"

namespace snic::ixgbe {
namespace {

using Dir = VfQueueRegs::Dir;

uint32_t RxReg(unsigned q, uint32_t off) {
  return kVfRxQueue0 + kVfQueueStride * q + off;
}
uint32_t TxReg(unsigned q, uint32_t off) {
  return kVfTxQueue0 + kVfQueueStride * q + off;
}

struct VfFixture : ::testing::Test {
  testing::FakeHost fake;
  Host host{fake.ops(), &fake};
  Mailboxes mbx;
  Vf vf{3, mbx, &host};

  VfFixture() { (void)mbx.PfResetDone(); }

  // ixgbevf_main.c ixgbevf_set_ivar
  void SetIvar(int direction, unsigned queue, unsigned vector) {
    uint32_t msix = vector | kIvarValid;
    if (direction == -1) {
      uint32_t ivar = vf.Read(kVtIvarMisc);
      ivar = (ivar & ~0xFFu) | msix;
      (void)vf.Write(kVtIvarMisc, ivar);
    } else {
      unsigned index = 16 * (queue & 1) + 8 * static_cast<unsigned>(direction);
      uint32_t reg = kVtIvar0 + 4 * (queue >> 1);
      uint32_t ivar = vf.Read(reg);
      ivar &= ~(0xFFu << index);
      ivar |= msix << index;
      (void)vf.Write(reg, ivar);
    }
  }
  // ixgbevf_configure_msix with 2 queue vectors (rx/tx 0 on 0, rx/tx 1 on
  // 1) and other on 2, then ixgbevf_irq_enable.
  void ConfigureMsix() {
    SetIvar(0, 0, 0);
    SetIvar(1, 0, 0);
    SetIvar(0, 1, 1);
    SetIvar(1, 1, 1);
    SetIvar(-1, 1, 2);
    (void)vf.Write(kVtEiam, 0x7);
    (void)vf.Write(kVtEiac, 0x7);
    EXPECT_EQ(vf.Write(kVtEims, 0x7).msix, 0u);
  }
};

// ----- one test per register row -----

TEST_F(VfFixture, PowerOnValues) {
  for (uint32_t off :
       {kVfCtrl,    kVfStatus,   kVfLinks,   kVfFrTimer, kVtEicr,
        kVtEics,    kVtEims,     kVtEimc,    kVtEiac,    kVtEiam,
        kVtIvar0,   kVtIvarMisc, kVfPsrType, kVtEitr0,   kVfGprc,
        kVfGorcLsb, kVfGorcMsb,  kVfMprc,    kVfGptc,    kVfGotcLsb,
        kVfGotcMsb, kVfRxMemWrap}) {
    EXPECT_EQ(vf.Read(off), 0u) << std::hex << off;
  }
  EXPECT_EQ(vf.Read(kVfMailbox), kVfMbxRstd);
}

TEST_F(VfFixture, WritableMasks) {
  struct Row {
    uint32_t off;
    uint32_t readback;
  };
  for (Row r :
       std::initializer_list<Row>{{kVfCtrl, 0},
                                  {kVfStatus, 0},
                                  {kVfLinks, 0},
                                  {kVfFrTimer, 0},
                                  {kVtEiac, 0x7},
                                  {kVtEiam, 0x7},
                                  {kVtEimc, 0},
                                  {kVtIvar0, 0x83838383},
                                  {kVtIvar0 + 12, 0x83838383},
                                  {kVtIvarMisc, 0x83},
                                  {kVfPsrType, 0xE0001FFE},
                                  {kVtEitr0, 0xFF8},
                                  {kVtEitr0 + 8, 0xFF8},
                                  {kVfGprc, 0},
                                  {kVfGorcLsb, 0},
                                  {kVfGorcMsb, 0},
                                  {kVfMprc, 0},
                                  {kVfGptc, 0},
                                  {kVfGotcLsb, 0},
                                  {kVfGotcMsb, 0},
                                  {kVfRxMemWrap, 0},
                                  {0x3000, 0} /* VFMRQC: X550 only */}) {
    VfWriteResult res = vf.Write(r.off, ~0u);
    EXPECT_EQ(vf.Read(r.off), r.readback) << std::hex << r.off;
    EXPECT_EQ(res.msix, 0u);
    if (r.off != kVfCtrl) {
      EXPECT_FALSE(res.reset);
    }
  }
}

TEST_F(VfFixture, QueueRegisterMasks) {
  struct Row {
    uint32_t off;
    uint32_t rx;
    uint32_t tx;
  };
  for (unsigned q : {0u, 7u}) {
    for (Row r : std::initializer_list<Row>{{kRingBal, 0xFFFFFF80, 0xFFFFFF80},
                                            {kRingBah, ~0u, ~0u},
                                            {kRingLen, 0x000FFF80, 0x000FFF80},
                                            {kRingDcaCtrl, ~0u, ~0u},
                                            {kRingHead, 0xFFFF, 0xFFFF},
                                            {kRxSrrctl, 0x1FC03F7F, 0},
                                            {kRingTail, 0xFFFF, 0xFFFF},
                                            {kRingCtl, 0x4200BFFF, 0x027F7F7F},
                                            {kRxRscctl, 0xF, 0},
                                            {kTxWbal, 0, 0xFFFFFFFD},
                                            {kTxWbah, 0, ~0u}}) {
      (void)vf.Write(RxReg(q, r.off), ~0u);
      (void)vf.Write(TxReg(q, r.off), ~0u);
      EXPECT_EQ(vf.Read(RxReg(q, r.off)), r.rx) << q << " rx " << r.off;
      EXPECT_EQ(vf.Read(TxReg(q, r.off)), r.tx) << q << " tx " << r.off;
    }
  }
  // The statistics' offsets in queue 0's blocks are not queue registers in
  // queues 1-7.
  (void)vf.Write(RxReg(1, 0x1C), ~0u);
  EXPECT_EQ(vf.Read(RxReg(1, 0x1C)), 0u);
  EXPECT_EQ(vf.Read(TxReg(1, 0x24)), 0u);
}

TEST_F(VfFixture, LinksFollowTheHostLink) {
  vf.SetLinkInputs(true);
  EXPECT_EQ(vf.Read(kVfLinks), reg::LINKS_UP | reg::LINKS_SPEED_10G_82599);
  vf.SetLinkInputs(false);
  EXPECT_EQ(vf.Read(kVfLinks), 0u);
}

// ----- VFCTRL.RST and FLR -----

TEST_F(VfFixture, CtrlRstSelfClearsAndResetsTheVf) {
  ConfigureMsix();
  (void)vf.Write(kVfPsrType, 0x1330);
  (void)vf.Write(TxReg(2, kTxWbal), 0x1001);
  (void)vf.Write(TxReg(2, kRingCtl), kDctlEnable);
  (void)vf.Write(RxReg(2, kRingCtl), kDctlEnable);
  (void)vf.Write(RxReg(2, kRingBal), 0x8000);
  vf.AddRx(100, false);
  (void)vf.Write(kVfMailbox, kVfMbxVfu);
  VfWriteResult r = vf.Write(kVfCtrl, kVfCtrlRst);
  EXPECT_TRUE(r.reset);
  EXPECT_TRUE(r.mbx.pf_cause);          // PFVFLRE
  EXPECT_EQ(mbx.ReadVflre(0), 1u << 3); // VF 3
  EXPECT_EQ(vf.Read(kVfCtrl), 0u);
  EXPECT_EQ(vf.Read(kVtEims), 0u);
  EXPECT_EQ(vf.Read(kVtIvarMisc), 0u);
  EXPECT_EQ(vf.Read(kVfPsrType), 0u);
  EXPECT_FALSE(vf.QueueEnabled(Dir::kTx, 2));
  EXPECT_FALSE(vf.QueueEnabled(Dir::kRx, 2));
  EXPECT_EQ(vf.Read(RxReg(2, kRingBal)), 0u);
  EXPECT_EQ(vf.Read(TxReg(2, kTxWbal)), 0x1001u); // survives
  EXPECT_EQ(vf.Read(kVfGprc), 1u);               // free-running
  // RSTD from the PF's start is still there; the VF's reset sets nothing.
  EXPECT_EQ(vf.Read(kVfMailbox), kVfMbxRstd);
  EXPECT_EQ(vf.Read(kVfMailbox), 0u);
}

TEST_F(VfFixture, FlrIsTheSameReset) {
  (void)vf.Write(TxReg(0, kTxWbah), 0x12);
  (void)vf.Write(TxReg(0, kRingTail), 5);
  MailboxEvents ev = vf.Reset();
  EXPECT_TRUE(ev.pf_cause);
  EXPECT_EQ(vf.Read(TxReg(0, kRingTail)), 0u);
  EXPECT_EQ(vf.Read(TxReg(0, kTxWbah)), 0x12u);
}

TEST_F(VfFixture, PfResetClearsEverythingIncludingStatistics) {
  (void)vf.Write(TxReg(0, kTxWbah), 0x12);
  vf.AddTx(64);
  vf.PfReset();
  EXPECT_EQ(vf.Read(TxReg(0, kTxWbah)), 0u);
  EXPECT_EQ(vf.Read(kVfGptc), 0u);
}

// ----- interrupts -----

TEST_F(VfFixture, IvarMapsQueuesAndMailboxToVectors) {
  ConfigureMsix();
  EXPECT_EQ(vf.Read(kVtIvar0), 0x81818080u);
  EXPECT_EQ(vf.Read(kVtIvarMisc), 0x82u);
  EXPECT_EQ(vf.RaiseRx(0), 1u << 0);
  EXPECT_EQ(vf.RaiseTx(1), 1u << 1);
  EXPECT_EQ(vf.RaiseMailbox(), 1u << 2);
  EXPECT_EQ(vf.RaiseRx(2), 0u); // queue 2 not mapped (no valid bit)
  EXPECT_EQ(vf.RaiseRx(8), 0u);
  EXPECT_EQ(vf.Read(kVtEicr), 0u); // EIAC auto-cleared what fired
}

TEST_F(VfFixture, AutoMaskAndReArmFiresAPendingCause) {
  ConfigureMsix();
  EXPECT_EQ(vf.RaiseMailbox(), 1u << 2);
  EXPECT_EQ(vf.Read(kVtEims), 0x3u); // EIAM masked vector 2
  (void)vf.Write(kVtEiac, 0x3);      // keep later causes latched
  EXPECT_EQ(vf.RaiseMailbox(), 0u);  // masked: latched only
  EXPECT_EQ(vf.Read(kVtEics), 1u << 2);
  // ixgbevf_msix_other re-arms with VTEIMS = eims_other.
  EXPECT_EQ(vf.Write(kVtEims, 1u << 2).msix, 1u << 2);
}

TEST_F(VfFixture, EicrReadClearsAndWriteClearsOnes) {
  SetIvar(-1, 0, 1);
  (void)vf.RaiseMailbox();
  (void)vf.Write(kVtEics, 0x1);
  EXPECT_EQ(vf.Read(kVtEics), 0x3u); // shadow, does not clear
  (void)vf.Write(kVtEicr, 0x1);
  EXPECT_EQ(vf.Read(kVtEics), 0x2u);
  EXPECT_EQ(vf.Read(kVtEicr), 0x2u);
  EXPECT_EQ(vf.Read(kVtEicr), 0u);
}

TEST_F(VfFixture, EicsFiresEnabledVectorsOnly) {
  (void)vf.Write(kVtEims, 0x5);
  VfWriteResult r = vf.Write(kVtEics, 0x7);
  EXPECT_EQ(r.msix, 0x5u);
  EXPECT_EQ(vf.Read(kVtEicr), 0x7u); // EIAC 0: all stay latched
  (void)vf.Write(kVtEimc, 0x4);
  EXPECT_EQ(vf.Read(kVtEims), 0x1u);
  EXPECT_EQ(vf.Write(kVtEics, 0x4).msix, 0u);
}

TEST_F(VfFixture, IvarBeyondThreeVectorsOrInvalidRaisesNothing) {
  (void)vf.Write(kVtIvarMisc, kIvarValid | 3);
  (void)vf.Write(kVtEims, 0x7);
  EXPECT_EQ(vf.RaiseMailbox(), 0u);
  EXPECT_EQ(vf.Read(kVtEicr), 0u);
  (void)vf.Write(kVtIvarMisc, 2); // no valid bit
  EXPECT_EQ(vf.RaiseMailbox(), 0u);
}

TEST_F(VfFixture, StopHwVfSequence) {
  // ixgbevf_stop_hw_vf: clear RXDCTL.ENABLE, EIMC 7, read EICR, clear
  // TXDCTL.ENABLE; every ENABLE must read back cleared.
  ConfigureMsix();
  for (unsigned q = 0; q < kVfQueues; ++q) {
    (void)vf.Write(RxReg(q, kRingCtl), kDctlEnable | 0x40000000);
    (void)vf.Write(TxReg(q, kRingCtl), kDctlEnable | 32);
  }
  (void)vf.Write(kVtEics, 0);
  for (unsigned q = 0; q < kVfQueues; ++q) {
    uint32_t v = vf.Read(RxReg(q, kRingCtl));
    if (v & kDctlEnable)
      (void)vf.Write(RxReg(q, kRingCtl), v & ~kDctlEnable);
  }
  (void)vf.Write(kVtEimc, 7);
  (void)vf.Read(kVtEicr);
  for (unsigned q = 0; q < kVfQueues; ++q) {
    uint32_t v = vf.Read(TxReg(q, kRingCtl));
    if (v & kDctlEnable)
      (void)vf.Write(TxReg(q, kRingCtl), v & ~kDctlEnable);
  }
  for (unsigned q = 0; q < kVfQueues; ++q) {
    EXPECT_FALSE(vf.QueueEnabled(Dir::kRx, q));
    EXPECT_FALSE(vf.QueueEnabled(Dir::kTx, q));
    EXPECT_EQ(vf.Read(RxReg(q, kRingCtl)), 0x40000000u); // VME kept
  }
  EXPECT_EQ(vf.Read(kVtEims), 0u);
}

// ----- queues -----

TEST_F(VfFixture, ConfigureTxRingSequenceEnablesAtOnce) {
  // ixgbevf_configure_tx_ring
  const unsigned q = 1;
  EXPECT_EQ(vf.Write(TxReg(q, kRingCtl), kTxdctlSwflsh).tx_doorbell, 0u);
  EXPECT_EQ(vf.Read(TxReg(q, kRingCtl)), 0u); // SWFLSH self-clears
  (void)vf.Write(TxReg(q, kRingBal), 0x12345000);
  (void)vf.Write(TxReg(q, kRingBah), 0x1);
  (void)vf.Write(TxReg(q, kRingLen), 512 * 16);
  (void)vf.Write(TxReg(q, kTxWbah), 0);
  (void)vf.Write(TxReg(q, kTxWbal), 0);
  (void)vf.Write(TxReg(q, kRingDcaCtrl), (1u << 9) | (1u << 13));
  (void)vf.Write(TxReg(q, kRingHead), 0);
  EXPECT_EQ(vf.Write(TxReg(q, kRingTail), 0).tx_doorbell, 1u << q);
  uint32_t txdctl = kDctlEnable | (8u << 16) | (1u << 8) | 32;
  (void)vf.Write(TxReg(q, kRingCtl), txdctl);
  EXPECT_EQ(vf.Read(TxReg(q, kRingCtl)), txdctl); // first poll succeeds
  EXPECT_TRUE(vf.QueueEnabled(Dir::kTx, q));
  EXPECT_EQ(vf.queues().Read(Dir::kTx, q, kRingBal), 0x12345000u);
  EXPECT_EQ(vf.queues().Read(Dir::kTx, q, kRingLen), 8192u);
}

TEST_F(VfFixture, ConfigureRxRingSequenceAndDoorbell) {
  // ixgbevf_configure_rx_ring: disable, program, SRRCTL, enable, RDT.
  const unsigned q = 7;
  (void)vf.Write(RxReg(q, kRingBal), 0xABCDE0FF); // low bits dropped
  EXPECT_EQ(vf.Read(RxReg(q, kRingBal)), 0xABCDE080u);
  (void)vf.Write(RxReg(q, kRingLen), 512 * 16);
  (void)vf.Write(RxReg(q, kRxSrrctl), (2u << 25) | 2 | (1u << 28));
  (void)vf.Write(RxReg(q, kRingCtl), kDctlEnable | 0x40000000);
  EXPECT_TRUE(vf.Read(RxReg(q, kRingCtl)) & kDctlEnable);
  VfWriteResult r = vf.Write(RxReg(q, kRingTail), 511);
  EXPECT_EQ(r.rx_doorbell, 1u << q);
  EXPECT_EQ(r.tx_doorbell, 0u);
  EXPECT_EQ(vf.Read(RxReg(q, kRingTail)), 511u);
}

// ----- statistics -----

// ixgbevf_main.c UPDATE_VF_COUNTER_32bit / _36bit
struct StatsModel {
  // The macro's two reads, LSB first (sequenced, unlike two arguments).
  void Read36(Vf &vf, uint32_t lsb_off, uint32_t msb_off) {
    const uint32_t lsb = vf.Read(lsb_off);
    const uint32_t msb = vf.Read(msb_off);
    Update36(lsb, msb);
  }
  uint64_t last = 0, counter = 0;
  void Update32(uint32_t cur) {
    if (cur < last)
      counter += 0x100000000ull;
    last = cur;
    counter &= 0xFFFFFFFF00000000ull;
    counter |= cur;
  }
  void Update36(uint32_t lsb, uint32_t msb) {
    uint64_t cur = (uint64_t{msb} << 32) | lsb;
    if (cur < last)
      counter += 0x1000000000ull;
    last = cur;
    counter &= 0xFFFFFFF000000000ull;
    counter |= cur;
  }
};

TEST_F(VfFixture, StatisticsCountAndAreNotClearedByReads) {
  vf.AddRx(60, false);
  vf.AddRx(1514, true);
  vf.AddTx(100);
  EXPECT_EQ(vf.Read(kVfGprc), 2u);
  EXPECT_EQ(vf.Read(kVfGprc), 2u);
  EXPECT_EQ(vf.Read(kVfMprc), 1u);
  EXPECT_EQ(vf.Read(kVfGorcLsb), 1574u);
  EXPECT_EQ(vf.Read(kVfGorcMsb), 0u);
  EXPECT_EQ(vf.Read(kVfGptc), 1u);
  EXPECT_EQ(vf.Read(kVfGotcLsb), 100u);
}

TEST_F(VfFixture, CountersWrapAs32And36BitsForTheDriversMacros) {
  StatsModel packets, octets;
  packets.Update32(vf.Read(kVfGprc));
  octets.Read36(vf, kVfGorcLsb, kVfGorcMsb);
  uint64_t total_packets = 0, total_octets = 0;
  // 15 additions of 2^34 octets: the 36-bit counter wraps 3 times, once
  // at most between two of the driver's reads.
  for (int i = 0; i < 15; ++i) {
    vf.AddRx(uint64_t{1} << 34, false);
    total_octets += uint64_t{1} << 34;
    ++total_packets;
    packets.Update32(vf.Read(kVfGprc));
    octets.Read36(vf, kVfGorcLsb, kVfGorcMsb);
  }
  EXPECT_EQ(octets.counter, total_octets);
  EXPECT_EQ(packets.counter, total_packets);
  EXPECT_LE(vf.Read(kVfGorcMsb), 0xFu);
}

TEST_F(VfFixture, PacketCounterWrapsAt32Bits) {
  // Drive GPRC to its wrap through migration (a state with the counter
  // near 2^32), then count past it.
  migration::Encoder e;
  vf.Encode(e);
  std::vector<uint8_t> bytes = e.bytes();
  // gprc is the first U64 after the queues; find it from the layout.
  const size_t gprc_at = 1 + 4 * 4 + 4 * 4 + 4 + 4 * kVfVectors + 4 +
                         2 * kVfQueues * (kVfQueueStride / 4) * 4;
  for (int i = 0; i < 8; ++i) {
    bytes[gprc_at + i] = i < 4 ? 0xFF : 0;
  }
  bytes[gprc_at] = 0xFE; // 0xFFFFFFFE
  migration::Decoder d(bytes.data(), bytes.size());
  vf.Decode(d);
  ASSERT_TRUE(d.ok()) << d.status().message();
  StatsModel m;
  m.Update32(vf.Read(kVfGprc));
  m.counter = 0xFFFFFFFE;
  for (int i = 0; i < 4; ++i) {
    vf.AddRx(64, false);
    m.Update32(vf.Read(kVfGprc));
  }
  EXPECT_EQ(vf.Read(kVfGprc), 2u);
  EXPECT_EQ(m.counter, 0x100000002ull);
}

TEST_F(VfFixture, LsbReadLatchesTheMsb) {
  vf.AddTx(0xFFFFFFFF);
  EXPECT_EQ(vf.Read(kVfGotcLsb), 0xFFFFFFFFu);
  vf.AddTx(1); // carries into the MSB between the driver's two reads
  EXPECT_EQ(vf.Read(kVfGotcMsb), 0u);
  EXPECT_EQ(vf.Read(kVfGotcLsb), 0u);
  EXPECT_EQ(vf.Read(kVfGotcMsb), 1u);
}

// ----- hostile accesses -----

TEST_F(VfFixture, OutOfBarAndUnalignedAreLoggedAndHarmless) {
  EXPECT_EQ(vf.Read(kVfBarSize), 0u);
  EXPECT_EQ(vf.Read(~0u), 0u);
  EXPECT_EQ(vf.Read(kVfLinks + 1), 0u);
  VfWriteResult r = vf.Write(kVfCtrl + 2, ~0u);
  EXPECT_FALSE(r.reset);
  r = vf.Write(0xFFFFFFFC, ~0u);
  EXPECT_EQ(r.msix, 0u);
  EXPECT_EQ(fake.guest_errors.size(), 5u);
  EXPECT_EQ(mbx.ReadVflre(0), 0u);
}

TEST_F(VfFixture, MailboxWindowGoesToThisVfsMailbox) {
  (void)vf.Write(kVfMailbox, kVfMbxVfu);
  (void)vf.Write(kVfMbMem + 4 * 15, 0xCAFE);
  EXPECT_EQ(mbx.PfReadMem(3, 15), 0xCAFEu);
  EXPECT_EQ(mbx.PfReadCtl(3), kPfMbxVfu);
  EXPECT_EQ(mbx.PfReadCtl(2), 0u);
  VfWriteResult r = vf.Write(kVfMailbox, kVfMbxReq);
  EXPECT_TRUE(r.mbx.pf_cause);
  EXPECT_EQ(mbx.ReadMbvficr(0), 1u << 3);
  // 0x240..0x2F8 is not mailbox memory.
  (void)vf.Write(kVfMbMem + 4 * 16, 1);
  EXPECT_EQ(vf.Read(kVfMbMem + 4 * 16), 0u);
}

// ----- migration -----

TEST_F(VfFixture, MigrationRoundTrip) {
  ConfigureMsix();
  (void)vf.Write(kVtEiac, 0);
  (void)vf.Write(kVtEimc, 0x4);
  (void)vf.RaiseMailbox();
  (void)vf.Write(RxReg(4, kRingCtl), kDctlEnable);
  (void)vf.Write(TxReg(5, kTxWbal), 0x2001);
  vf.AddRx(1000, true);
  vf.SetLinkInputs(true);
  (void)vf.Read(kVfGorcLsb);
  migration::Encoder e;
  vf.Encode(e);
  Mailboxes mbx2;
  Vf b(3, mbx2);
  migration::Decoder d(e.bytes().data(), e.bytes().size());
  b.Decode(d);
  ASSERT_TRUE(d.ok()) << d.status().message();
  EXPECT_EQ(d.remaining(), 0u);
  for (uint32_t off : {kVfLinks, kVtEics, kVtEims, kVtEiac, kVtEiam, kVtIvar0,
                       kVtIvarMisc, kVtEitr0, kVfGprc, kVfMprc, kVfGorcMsb,
                       RxReg(4, kRingCtl), TxReg(5, kTxWbal)}) {
    EXPECT_EQ(b.Read(off), vf.Read(off)) << std::hex << off;
  }
}

TEST_F(VfFixture, MigrationRefusesBitsARegisterCannotHold) {
  migration::Encoder e;
  vf.Encode(e);
  std::vector<uint8_t> bad = e.bytes();
  bad[1] = 0x08; // eicr bit 3: only 3 vectors
  Vf b(3, mbx);
  (void)b.Write(kVtEims, 0x1);
  migration::Decoder d(bad.data(), bad.size());
  b.Decode(d);
  EXPECT_FALSE(d.ok());
  EXPECT_NE(std::string(d.status().message()).find("vf 3"), std::string::npos);
  EXPECT_EQ(b.Read(kVtEims), 0x1u); // unchanged
  migration::Decoder shortd(e.bytes().data(), e.bytes().size() - 1);
  b.Decode(shortd);
  EXPECT_FALSE(shortd.ok());
}

// ----- the whole probe through the register file -----

TEST(VfProbe, ResetHwApiAndQueuesThroughTheRegisters) {
  Mailboxes m;
  Vf vf(2, m);
  model::PfDriver pf(m);
  pf.num_vfs = 4;
  pf.info[2].mac = {0x02, 0x11, 0x22, 0x33, 0x44, 0x55};
  pf.info[2].pf_set_mac = true;
  model::VfDriver drv(m, 2);
  drv.regs = &vf;
  drv.tick = [&] {
    if (m.PfCausePending())
      pf.MsgTask();
  };
  drv.vfctrl_rst = [&] { EXPECT_TRUE(vf.Write(kVfCtrl, kVfCtrlRst).reset); };
  (void)m.PfResetDone();
  vf.SetLinkInputs(true);
  ASSERT_EQ(drv.ResetHw(), model::kOk);
  EXPECT_EQ(drv.perm_addr, pf.info[2].mac);
  EXPECT_EQ(drv.NegotiateApi(model::kApi15), model::kErr);
  ASSERT_EQ(drv.NegotiateApi(model::kApi14), model::kOk);
  ASSERT_EQ(drv.GetQueues(), model::kOk);
  EXPECT_EQ(drv.num_rx, 2u);
  bool up = false;
  EXPECT_EQ(drv.CheckMacLink(vf.Read(kVfLinks) & reg::LINKS_UP, &up), 0);
  EXPECT_TRUE(up);
  // The PF's replies raised VF 2's mailbox interrupt; with the driver's
  // MSI-X setup it reaches the "other" vector.
  (void)vf.Write(kVtIvarMisc, kIvarValid | 2);
  (void)vf.Write(kVtEims, 0x4);
  uint32_t msg = model::kPfControlMsg | model::kMsgCts;
  pf.events.clear();
  ASSERT_EQ(pf.WriteMbx(&msg, 1, 2), model::kOk); // ixgbe_ping_vf
  uint64_t irq = 0;
  for (const MailboxEvents &ev : pf.events)
    irq |= ev.vf_irq;
  ASSERT_TRUE((irq >> 2) & 1);
  EXPECT_EQ(vf.RaiseMailbox(), 1u << 2);
}

} // namespace
} // namespace snic::ixgbe
