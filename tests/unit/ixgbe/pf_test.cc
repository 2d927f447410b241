// core/ixgbe/pf: the 82599 PF register file against ixgbe's own sequences
// (pf_driver_model.h) and register by register.
// SPDX-License-Identifier: GPL-2.0-or-later
#include "ixgbe/pf.h"

#include <gtest/gtest.h>

#include <string>

#include "fakes/fake_host.h"
#include "ixgbe/pf_driver_model.h"
#include "ixgbe/regs.h"

namespace snic::ixgbe {
namespace {

using testing::PfDriverModel;
namespace r = reg;

constexpr uint8_t kMac[6] = {0x52, 0x54, 0x00, 0xAB, 0xCD, 0xEF};

// Longer than any ITR interval (EITR's largest is 1022 us, itr.h).
constexpr uint64_t kPastAnyItr = 2'000'000;

class IxgbePf : public ::testing::Test {
 protected:
  snic::testing::FakeHost fake_;
  Host host_{fake_.ops(), fake_.opaque()};
  Pf pf_{host_, kPfFn, kMac};
  PfDriverModel drv_{&pf_};
};

// ---- The driver's sequences ----

TEST_F(IxgbePf, StockProbeSucceedsWithoutWarnings) {
  pf_.SetUplinkLink(true);
  EXPECT_EQ(drv_.Probe(), 0);
  EXPECT_TRUE(drv_.warnings.empty()) << drv_.warnings.front();
  EXPECT_FALSE(drv_.removed());
  for (int i = 0; i < 6; ++i) EXPECT_EQ(drv_.perm_addr[i], kMac[i]);
  EXPECT_EQ(drv_.pba(), Eeprom::kPbaString);
  EXPECT_FALSE(drv_.phy_found);
  EXPECT_EQ(drv_.eeprom_words, Eeprom::kWords);
  EXPECT_TRUE(fake_.guest_errors.empty());
}

TEST_F(IxgbePf, ProbeWithTheLinkDownUsesLinkResetAndStillSucceeds) {
  EXPECT_EQ(drv_.Probe(), 0);
  EXPECT_TRUE(drv_.warnings.empty());
  EXPECT_EQ(drv_.reset_polls, 1);  // cleared before the first poll
}

TEST_F(IxgbePf, ResetSelfClearsAndReloadsRar0) {
  pf_.Write(r::RAL(0), 0x11111111);
  pf_.Write(r::RAH(0), 0x2222);
  pf_.Write(r::HLREG0, 0);
  const PfWriteResult res = pf_.Write(r::CTRL, r::CTRL_RST | r::CTRL_GIO_DIS);
  EXPECT_TRUE(res.reset);
  EXPECT_EQ(pf_.Read(r::CTRL) & r::CTRL_RST_MASK, 0u);
  EXPECT_EQ(pf_.Read(r::RAL(0)), 0xAB005452u);
  EXPECT_EQ(pf_.Read(r::RAH(0)), 0xEFCDu | r::RAH_AV);
  EXPECT_EQ(pf_.Read(r::HLREG0),
            r::HLREG0_TXCRCEN | r::HLREG0_RXCRCSTRP | r::HLREG0_TXPADEN);
  EXPECT_TRUE(pf_.Read(r::STATUS) & r::STATUS_GIO);  // GIO_DIS cleared
}

TEST_F(IxgbePf, BadChecksumFailsProbeAsIxgbeDoes) {
  pf_.eeprom().SetWord(0x10, 0x1234);  // checksum now stale
  EXPECT_EQ(drv_.Probe(), -EIO);
  ASSERT_FALSE(drv_.warnings.empty());
  EXPECT_EQ(drv_.warnings.back(), "The EEPROM Checksum Is Not Valid");
}

TEST_F(IxgbePf, LinkUpAt10GAndLinkCapabilities) {
  bool up = true;
  uint32_t speed = 1;
  drv_.CheckMacLink(&up, &speed);
  EXPECT_FALSE(up);
  EXPECT_EQ(speed, 0u);
  pf_.SetUplinkLink(true);
  drv_.CheckMacLink(&up, &speed);
  EXPECT_TRUE(up);
  EXPECT_EQ(speed, 10000u);
  EXPECT_TRUE(pf_.Read(r::LINKS) & r::LINKS_KX_AN_COMP);
  uint32_t caps = 0;
  bool autoneg = false;
  EXPECT_EQ(drv_.GetLinkCapabilities(&caps, &autoneg), 0);
  EXPECT_EQ(caps & 0xFFFF, 10000u);  // KX4
  EXPECT_EQ(caps >> 16, 1000u);      // KX
  EXPECT_TRUE(autoneg);
  EXPECT_EQ(drv_.ResetPipeline(), 0);
  // The pipeline reset leaves AUTOC as it was, AN restart self-cleared.
  EXPECT_EQ(pf_.Read(r::AUTOC) & r::AUTOC_LMS_MASK, r::AUTOC_LMS_KX4_KX_KR);
  EXPECT_EQ(pf_.Read(r::AUTOC) & r::AUTOC_AN_RESTART, 0u);
}

TEST_F(IxgbePf, OpenEnablesQueuesAndDatapathWithoutWarnings) {
  pf_.SetUplinkLink(true);
  ASSERT_EQ(drv_.Probe(), 0);
  EXPECT_FALSE(pf_.rx_enabled());
  ASSERT_EQ(drv_.Open(4), 0);
  EXPECT_TRUE(drv_.warnings.empty()) << drv_.warnings.front();
  EXPECT_TRUE(pf_.rx_enabled());
  EXPECT_TRUE(pf_.tx_enabled());
  EXPECT_TRUE(pf_.msix_mode());
  EXPECT_TRUE(pf_.Read(r::RXDCTL(3)) & r::RXDCTL_ENABLE);
  EXPECT_TRUE(pf_.Read(r::TXDCTL(3)) & r::TXDCTL_ENABLE);
  EXPECT_EQ(pf_.Read(r::TXDCTL(3)) & r::TXDCTL_SWFLSH, 0u);
}

TEST_F(IxgbePf, LinkChangeFiresTheOtherVectorOnceUntilServiced) {
  ASSERT_EQ(drv_.Probe(), 0);
  ASSERT_EQ(drv_.Open(4), 0);
  PfIrq irq = pf_.SetUplinkLink(true);
  EXPECT_EQ(irq.msix_vectors, uint64_t{1} << 4);
  EXPECT_FALSE(irq.intx_level);
  EXPECT_EQ(pf_.TakeIrq().msix_vectors, 0u);  // an edge, once
  // GPIE.OCD: an EICR read leaves the other causes for the write.
  EXPECT_TRUE(pf_.Read(r::EICR) & r::EICR_LSC);
  EXPECT_EQ(drv_.ServiceOther() & r::EICR_LSC, r::EICR_LSC);
  EXPECT_EQ(pf_.Read(r::EICS) & r::EICR_LSC, 0u);
  EXPECT_EQ(pf_.TakeIrq().msix_vectors, 0u);
}

TEST_F(IxgbePf, QueueInterruptFollowsIvarAutoClearsAndAutoMasks) {
  ASSERT_EQ(drv_.Probe(), 0);
  ASSERT_EQ(drv_.Open(4), 0);
  PfIrq irq = pf_.RaiseQueue(/*tx=*/false, 2);
  EXPECT_EQ(irq.msix_vectors, uint64_t{1} << 2);
  // EIAC auto-cleared the cause, EIAM_EX masked the vector.
  EXPECT_EQ(pf_.Read(r::EICS) & 0xFFFF, 0u);
  EXPECT_EQ(pf_.Read(r::EIMS_EX(0)) & (1u << 2), 0u);
  EXPECT_EQ(pf_.RaiseQueue(true, 2).msix_vectors, 0u);  // masked: pending
  // NAPI re-enables after the vector's ITR interval (Open's EITR; itr.h):
  // the pending cause fires at once.
  fake_.now += kPastAnyItr;
  EXPECT_EQ(pf_.Write(r::EIMS_EX(0), 1u << 2).irq.msix_vectors,
            uint64_t{1} << 2);
}

TEST_F(IxgbePf, HighVectorsUseTheExHalves) {
  ASSERT_EQ(drv_.Probe(), 0);
  ASSERT_EQ(drv_.Open(40), 0);
  EXPECT_EQ(pf_.RaiseQueue(true, 37).msix_vectors, uint64_t{1} << 37);
  // EICS_EX (ixgbe_irq_rearm_queues / tx-hang) fires through the mask,
  // the vector's ITR interval later.
  pf_.Write(r::EIMS_EX(1), 1u << 5);
  fake_.now += kPastAnyItr;
  EXPECT_EQ(pf_.Write(r::EICS_EX(1), 1u << 5).irq.msix_vectors,
            uint64_t{1} << 37);
  EXPECT_EQ(pf_.Write(r::EIMC_EX(1), ~0u).irq.msix_vectors, 0u);
  EXPECT_EQ(pf_.Read(r::EIMS_EX(1)), 0u);
}

TEST_F(IxgbePf, IvarWithoutAllocValRaisesNothing) {
  pf_.Write(r::GPIE, r::GPIE_MSIX_MODE);
  pf_.Write(r::EIMS_EX(0), ~0u);
  pf_.Write(r::IVAR(0), 0x00000005);  // RX queue 0 -> vector 5, not valid
  EXPECT_EQ(pf_.RaiseQueue(false, 0).msix_vectors, 0u);
  EXPECT_EQ(pf_.RaiseQueue(false, 500).msix_vectors, 0u);  // logged
  EXPECT_EQ(fake_.TakeErrors().size(), 1u);
}

TEST_F(IxgbePf, LegacyModeLevelFollowsEicrAndEims) {
  pf_.Write(r::IVAR(0), (0u | r::IVAR_ALLOC_VAL));  // RX queue 0 -> bit 0
  pf_.Write(r::EIAM, r::EICR_RTX_QUEUE);
  EXPECT_FALSE(pf_.RaiseQueue(false, 0).intx_level);  // masked
  EXPECT_TRUE(pf_.Write(r::EIMS, 0x1 | r::EICR_LSC).irq.intx_level);
  // ixgbe_intr: EIMC all, read EICR (clears, EIAM auto-masks), re-enable.
  pf_.Write(r::EIMC, ~0u);
  EXPECT_EQ(pf_.Read(r::EICR), 0x1u);
  EXPECT_FALSE(pf_.TakeIrq().intx_level);
  EXPECT_EQ(pf_.Read(r::EICR), 0u);
  pf_.Write(r::EIMS, r::EICR_LSC | r::EICR_OTHER);
  EXPECT_TRUE(pf_.SetUplinkLink(true).intx_level);
  EXPECT_EQ(pf_.Read(r::EICR), r::EICR_LSC | r::EICR_OTHER);  // no OCD
  EXPECT_FALSE(pf_.TakeIrq().intx_level);
}

TEST_F(IxgbePf, EicrWriteOneToClearAndEicsSets) {
  pf_.Write(r::EICS, r::EICR_MAILBOX | 0x3);
  EXPECT_EQ(pf_.Read(r::EICS), r::EICR_MAILBOX | r::EICR_OTHER | 0x3);
  pf_.Write(r::EICR, 0x1 | r::EICR_MAILBOX);
  EXPECT_EQ(pf_.Read(r::EICS), 0x2u);
}

TEST_F(IxgbePf, MailboxCauseRoutesToTheMiscVector) {
  pf_.Write(r::GPIE, r::GPIE_MSIX_MODE | r::GPIE_OCD);
  pf_.Write(r::IVAR_MISC, (9u | r::IVAR_ALLOC_VAL) << 8);
  pf_.Write(r::EIMS, r::EICR_MAILBOX);
  EXPECT_EQ(pf_.RaiseCause(r::EICR_MAILBOX).msix_vectors, uint64_t{1} << 9);
  EXPECT_EQ(pf_.RaiseCause(r::EICR_MAILBOX).msix_vectors, 0u);  // still set
  pf_.Write(r::EICR, r::EICR_MAILBOX);
  EXPECT_EQ(pf_.RaiseCause(r::EICR_MAILBOX).msix_vectors, uint64_t{1} << 9);
}

// ---- Register by register ----

TEST_F(IxgbePf, SwsmSmbiIsSetByTheReadThatFindsItClear) {
  EXPECT_EQ(pf_.Read(r::SWSM) & r::SWSM_SMBI, 0u);  // acquired
  EXPECT_TRUE(pf_.Read(r::SWSM) & r::SWSM_SMBI);    // held
  pf_.Write(r::SWSM, 0);
  EXPECT_EQ(pf_.Read(r::SWSM) & r::SWSM_SMBI, 0u);
  EXPECT_EQ(drv_.AcquireSwfwSync(r::GSSR_PHY0_SM), 0);
  EXPECT_EQ(pf_.Read(r::GSSR), r::GSSR_PHY0_SM);
  drv_.ReleaseSwfwSync(r::GSSR_PHY0_SM);
  EXPECT_EQ(pf_.Read(r::GSSR), 0u);
  pf_.Write(r::GSSR, r::GSSR_FW_MASK);  // firmware bits are not ours
  EXPECT_EQ(pf_.Read(r::GSSR), 0u);
}

TEST_F(IxgbePf, MdioCommandCompletesWithNoPhyData) {
  uint16_t v = 0;
  EXPECT_EQ(drv_.ReadPhyRegMdi(2, 1, 0, &v), 0);
  EXPECT_EQ(v, 0xFFFF);
  EXPECT_EQ(drv_.IdentifyPhy(), -EFAULT);
  EXPECT_EQ(pf_.Read(r::GSSR), 0u);  // every semaphore released
}

TEST_F(IxgbePf, EerdThroughTheBar) {
  uint16_t w = 0;
  ASSERT_TRUE(drv_.InitEepromParams());
  EXPECT_EQ(drv_.ReadEeprom(0x16, &w), 0);
  EXPECT_EQ(w, Eeprom::kPbaBlock);
  EXPECT_EQ(drv_.ValidateChecksum(), 0);
  pf_.Write(r::EEC, r::EEC_REQ);
  EXPECT_TRUE(pf_.Read(r::EEC) & r::EEC_GNT);
  EXPECT_TRUE(pf_.Read(r::EEC) & r::EEC_PRES);  // not writable
}

TEST_F(IxgbePf, FixedAndPolledValues) {
  EXPECT_EQ(pf_.Read(r::FWSM), r::FWSM_FW_VAL_BIT);
  EXPECT_NE(pf_.Read(r::ANLP1) & r::ANLP1_AN_STATE_MASK, 0u);
  EXPECT_TRUE(pf_.Read(r::RDRXCTL) & r::RDRXCTL_DMAIDONE);
  EXPECT_TRUE(pf_.Read(r::SECRXSTAT) & r::SECRXSTAT_SECRX_RDY);
  EXPECT_TRUE(pf_.Read(r::SECRXSTAT) & r::SECRXSTAT_SECRX_OFF_DIS);
  EXPECT_TRUE(pf_.Read(r::SECTXSTAT) & r::SECTXSTAT_SECTX_OFF_DIS);
  pf_.Write(r::SECRXSTAT, 0);
  EXPECT_TRUE(pf_.Read(r::SECRXSTAT) & r::SECRXSTAT_SECRX_RDY);
  EXPECT_EQ(pf_.Read(r::MMNGC), 0u);
  pf_.Write(r::FDIRCTRL, 0x2);
  EXPECT_EQ(pf_.Read(r::FDIRCTRL), 0x2u | r::FDIRCTRL_INIT_DONE);
  pf_.Write(r::FDIRCMD, 0x1234 | 0x1);
  EXPECT_EQ(pf_.Read(r::FDIRCMD), 0x1234u);  // command done
  pf_.Write(r::GCR_EXT, r::GCR_EXT_MSIX_EN | r::GCR_EXT_BUFFERS_CLEAR |
                            r::GCR_EXT_VT_MODE_64);
  EXPECT_EQ(pf_.Read(r::GCR_EXT), r::GCR_EXT_MSIX_EN | r::GCR_EXT_VT_MODE_64);
}

TEST_F(IxgbePf, StorageRegistersKeepWhatTheDriverWrote) {
  const uint32_t regs[] = {r::FCTRL, r::VLNCTRL, r::MFLCN, r::MAXFRS,
                           r::VT_CTL, r::FCCFG, r::GPIE, r::IVAR(63),
                           r::RAL(127), r::RAH(5), r::MTA(3), r::VFTA(127),
                           r::VLVFB(127), r::VMOLR(63), r::RETA(31)};
  for (uint32_t off : regs) {
    pf_.Write(off, 0x00A5A5A4);
    EXPECT_EQ(pf_.Read(off), 0x00A5A5A4u & (off == r::IVAR(63) ? 0xBFBFBFBF
                                                                : ~0u))
        << std::hex << off;
  }
  pf_.Write(r::EITR(0), 0x1F8 | r::EITR_CNT_WDIS);
  EXPECT_EQ(pf_.Read(r::EITR(0)), 0x1F8u);
  pf_.Write(r::EITR(63), 0x7F8);
  EXPECT_EQ(pf_.Read(r::EITR(63)), 0x7F8u);
  EXPECT_EQ(r::EITR(63), 0x1239Cu);
}

TEST_F(IxgbePf, ResetValues) {
  EXPECT_EQ(pf_.Read(r::VLNCTRL), 0x8100u);
  EXPECT_EQ(pf_.Read(r::MAXFRS), 1518u << 16);
  EXPECT_EQ(pf_.Read(r::DMATXCTL), 0x81000000u);
  EXPECT_EQ(pf_.Read(r::AUTOC) & r::AUTOC_LMS_MASK, r::AUTOC_LMS_KX4_KX_KR);
  EXPECT_TRUE(pf_.Read(r::STATUS) & r::STATUS_GIO);
  EXPECT_EQ(pf_.Read(r::CTRL), 0u);
}

TEST_F(IxgbePf, WusIsWriteOneToClear) {
  EXPECT_EQ(pf_.Read(r::WUS), 0u);
  pf_.Write(r::WUS, ~0u);
  EXPECT_EQ(pf_.Read(r::WUS), 0u);
}

TEST_F(IxgbePf, UnimplementedReadsZeroAndLogsOnce) {
  EXPECT_EQ(pf_.Read(0x1F000), 0u);
  pf_.Write(0x1F000, 5);
  pf_.Write(0x1F004, 5);
  EXPECT_EQ(pf_.Read(0x1F000), 0u);
  EXPECT_EQ(fake_.TakeErrors().size(), 1u);
}

TEST_F(IxgbePf, HostileOffsetsAreLoggedAndHarmless) {
  EXPECT_EQ(pf_.Read(0x20000), 0u);
  EXPECT_EQ(pf_.Read(0xFFFFFFFC), 0u);
  EXPECT_EQ(pf_.Read(0x2), 0u);
  pf_.Write(0x20000, 1);
  pf_.Write(0x3, 1);
  EXPECT_EQ(fake_.TakeErrors().size(), 5u);
  // EERD past the image: DONE with erased data, logged.
  pf_.Write(r::EERD, (0x3FFFu << 2) | 1);
  EXPECT_EQ(pf_.Read(r::EERD) >> 16, 0xFFFFu);
  EXPECT_EQ(fake_.TakeErrors().size(), 1u);
}

TEST_F(IxgbePf, StatisticsCountAndClearOnRead) {
  pf_.AddRx(60, false, false);    // 64 with FCS
  pf_.AddRx(1514, true, false);   // 1518
  pf_.AddTx(100, false, true);
  EXPECT_EQ(pf_.Read(r::GPRC), 2u);
  EXPECT_EQ(pf_.Read(r::GPRC), 0u);
  EXPECT_EQ(pf_.Read(r::BPRC), 1u);
  EXPECT_EQ(pf_.Read(r::PRC64), 1u);
  EXPECT_EQ(pf_.Read(r::PRC1522), 1u);
  EXPECT_EQ(pf_.Read(r::GORCL), 64u + 1518u);
  EXPECT_EQ(pf_.Read(r::GORCL), 64u + 1518u);  // the high read clears
  EXPECT_EQ(pf_.Read(r::GORCH), 0u);
  EXPECT_EQ(pf_.Read(r::GORCL), 0u);
  EXPECT_EQ(pf_.Read(r::GPTC), 1u);
  EXPECT_EQ(pf_.Read(r::MPTC), 1u);
  EXPECT_EQ(pf_.Read(r::PTC127), 1u);
  EXPECT_EQ(pf_.Read(r::GOTCL), 104u);
  pf_.Write(r::GPTC, 7);  // read-only
  EXPECT_EQ(pf_.Read(r::GPTC), 0u);
}

TEST_F(IxgbePf, SixtyFourBitOctetCounterCarries) {
  for (int i = 0; i < 3; ++i) pf_.AddTx(0x7FFFFFFF, false, false);
  const uint64_t expect = 3 * (uint64_t{0x7FFFFFFF} + 4);
  EXPECT_EQ(pf_.Read(r::GOTCL), static_cast<uint32_t>(expect));
  EXPECT_EQ(pf_.Read(r::GOTCH), static_cast<uint32_t>(expect >> 32));
}

TEST(IxgbePfOwner, OffsetsRouteToTheirOwners) {
  EXPECT_EQ(OwnerOf(r::PFMAILBOX(63)), RegOwner::kMailbox);
  EXPECT_EQ(OwnerOf(r::PFMBMEM(63) + 0x3C), RegOwner::kMailbox);
  EXPECT_EQ(OwnerOf(r::MBVFICR(1)), RegOwner::kMailbox);
  EXPECT_EQ(OwnerOf(r::PFMBIMR(1)), RegOwner::kMailbox);
  EXPECT_EQ(OwnerOf(r::PFVFLRE(1)), RegOwner::kMailbox);
  EXPECT_EQ(OwnerOf(r::PFVFLREC(1)), RegOwner::kMailbox);
  EXPECT_EQ(OwnerOf(r::RDT(127)), RegOwner::kQueue);
  EXPECT_EQ(OwnerOf(r::TDWBAH(127)), RegOwner::kQueue);
  EXPECT_EQ(OwnerOf(r::SRRCTL(15)), RegOwner::kQueue);
  EXPECT_EQ(OwnerOf(r::SRRCTL(16)), RegOwner::kQueue);
  EXPECT_EQ(OwnerOf(r::SRRCTL(15) + 4), RegOwner::kPf);
  EXPECT_EQ(OwnerOf(r::RAH(15) + 4), RegOwner::kPf);  // PSRTYPE(0)
  EXPECT_EQ(OwnerOf(r::RAH(127) + 4), RegOwner::kPool);  // MPSAR_LO(0)
  EXPECT_EQ(OwnerOf(r::RAL(0)), RegOwner::kPf);
  EXPECT_EQ(OwnerOf(r::RAH(0)), RegOwner::kPf);
  EXPECT_EQ(OwnerOf(r::RAL(1)), RegOwner::kPool);
  EXPECT_EQ(OwnerOf(r::RAH(127)), RegOwner::kPool);
  EXPECT_EQ(OwnerOf(r::MPSAR_HI(127)), RegOwner::kPool);
  EXPECT_EQ(OwnerOf(r::VLVFB(127)), RegOwner::kPool);
  EXPECT_EQ(OwnerOf(r::RTTBCNRC), RegOwner::kPool);
  EXPECT_EQ(OwnerOf(r::PSRTYPE(0)), RegOwner::kPf);
  EXPECT_EQ(OwnerOf(r::EICR), RegOwner::kPf);
  EXPECT_EQ(OwnerOf(r::GCR_EXT), RegOwner::kPf);
}

}  // namespace
}  // namespace snic::ixgbe
