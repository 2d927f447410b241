// Unit tests of core/ixgbe/mailbox: the register semantics one by one,
// then the stock drivers' sequences (mbx_driver_model.h) end to end.
//
// SPDX-License-Identifier: GPL-2.0-or-later
#include "ixgbe/mailbox.h"

#include <gtest/gtest.h>

#include "ixgbe/mbx_driver_model.h"

namespace snic::ixgbe {
namespace {

using model::PfDriver;
using model::VfDriver;

// A mailbox after the PF driver's ixgbe_up_complete, RSTD read away.
Mailboxes Ready() {
  Mailboxes m;
  (void)m.PfResetDone();
  for (unsigned vf = 0; vf < kMaxPools; ++vf)
    m.VfReadCtl(vf);
  return m;
}

TEST(Mailbox, PowerOnShowsResetInProgressAsALevel) {
  Mailboxes m;
  EXPECT_EQ(m.VfReadCtl(0), kVfMbxRsti);
  EXPECT_EQ(m.VfReadCtl(0), kVfMbxRsti); // RSTI is not read-to-clear
  EXPECT_EQ(m.VfReadCtl(63), kVfMbxRsti);
  EXPECT_EQ(m.PfReadCtl(0), 0u);
}

TEST(Mailbox, PfResetDoneClearsRstiSetsRstdReadToClear) {
  Mailboxes m;
  MailboxEvents ev = m.PfResetDone();
  EXPECT_EQ(ev.vf_irq, ~uint64_t{0});
  EXPECT_FALSE(ev.pf_cause);
  EXPECT_EQ(m.VfReadCtl(5), kVfMbxRstd);
  EXPECT_EQ(m.VfReadCtl(5), 0u);
}

TEST(Mailbox, PfResetSetsRstiAndDropsLocksAndDoorbells) {
  Mailboxes m = Ready();
  (void)m.VfWriteCtl(1, kVfMbxVfu | kVfMbxReq);
  (void)m.PfWriteCtl(2, kPfMbxPfu);
  (void)m.WriteMbvfimr(0, 0);
  m.PfReset();
  EXPECT_EQ(m.VfReadCtl(1), kVfMbxRsti);
  EXPECT_EQ(m.PfReadCtl(2), 0u);
  EXPECT_EQ(m.ReadMbvficr(0), 0u);
  EXPECT_EQ(m.ReadMbvfimr(0), ~0u);
}

TEST(Mailbox, VfLockIsMirroredAndBlocksThePf) {
  Mailboxes m = Ready();
  (void)m.VfWriteCtl(3, kVfMbxVfu);
  EXPECT_EQ(m.VfReadCtl(3), kVfMbxVfu);
  EXPECT_EQ(m.PfReadCtl(3), kPfMbxVfu);
  (void)m.PfWriteCtl(3, kPfMbxPfu); // ixgbe_obtain_mbx_lock_pf fails
  EXPECT_EQ(m.PfReadCtl(3) & kPfMbxPfu, 0u);
  (void)m.VfWriteCtl(3, 0);
  (void)m.PfWriteCtl(3, kPfMbxPfu);
  EXPECT_EQ(m.PfReadCtl(3), kPfMbxPfu);
}

TEST(Mailbox, PfLockIsMirroredAndBlocksTheVf) {
  Mailboxes m = Ready();
  (void)m.PfWriteCtl(4, kPfMbxPfu);
  EXPECT_EQ(m.VfReadCtl(4), kVfMbxPfu);
  (void)m.VfWriteCtl(4, kVfMbxVfu);
  EXPECT_EQ(m.VfReadCtl(4) & kVfMbxVfu, 0u);
  (void)m.PfWriteCtl(4, kPfMbxSts); // the reply releases PFU
  EXPECT_EQ(m.VfReadCtl(4), kVfMbxPfSts);
  (void)m.VfWriteCtl(4, kVfMbxVfu);
  EXPECT_EQ(m.VfReadCtl(4), kVfMbxVfu);
}

TEST(Mailbox, RvfuTakesTheLockFromAStuckVf) {
  Mailboxes m = Ready();
  (void)m.VfWriteCtl(6, kVfMbxVfu);
  (void)m.PfWriteCtl(6, kPfMbxRvfu | kPfMbxPfu);
  EXPECT_EQ(m.PfReadCtl(6), kPfMbxPfu); // RVFU reads 0
  EXPECT_EQ(m.VfReadCtl(6), kVfMbxPfu);
}

TEST(Mailbox, VfDoorbellsSetMbvficrPerVfAndRaiseThePf) {
  Mailboxes m = Ready();
  MailboxEvents ev = m.VfWriteCtl(17, kVfMbxReq);
  EXPECT_TRUE(ev.pf_cause);
  EXPECT_EQ(ev.vf_irq, 0u);
  EXPECT_EQ(m.ReadMbvficr(1), 1u << 1);
  ev = m.VfWriteCtl(63, kVfMbxAck);
  EXPECT_TRUE(ev.pf_cause);
  EXPECT_EQ(m.ReadMbvficr(3), 1u << 31);
  EXPECT_EQ(m.VfReadCtl(17), 0u); // REQ and ACK read 0
  EXPECT_TRUE(m.PfCausePending());
  m.WriteMbvficr(1, 1u << 1);
  m.WriteMbvficr(3, 1u << 31);
  EXPECT_EQ(m.ReadMbvficr(1), 0u);
  EXPECT_EQ(m.ReadMbvficr(3), 0u);
  EXPECT_FALSE(m.PfCausePending());
}

TEST(Mailbox, MbvficrWriteClearsOnlyTheOnes) {
  Mailboxes m = Ready();
  (void)m.VfWriteCtl(0, kVfMbxReq | kVfMbxAck);
  (void)m.VfWriteCtl(1, kVfMbxReq);
  m.WriteMbvficr(0, 1u << 0);
  EXPECT_EQ(m.ReadMbvficr(0), (1u << 16) | (1u << 1));
}

TEST(Mailbox, MbvfimrMasksAndUnmaskingRaisesAPendingRequest) {
  Mailboxes m = Ready();
  EXPECT_EQ(m.ReadMbvfimr(1), ~0u);
  EXPECT_FALSE(m.WriteMbvfimr(1, ~(1u << 8)).pf_cause);
  MailboxEvents ev = m.VfWriteCtl(40, kVfMbxReq);
  EXPECT_FALSE(ev.pf_cause);
  EXPECT_EQ(m.ReadMbvficr(2), 1u << 8); // still latched
  EXPECT_FALSE(m.PfCausePending());
  EXPECT_TRUE(m.WriteMbvfimr(1, ~0u).pf_cause);
}

TEST(Mailbox, PfDoorbellsSetReadToClearBitsAndInterruptTheVf) {
  Mailboxes m = Ready();
  MailboxEvents ev = m.PfWriteCtl(9, kPfMbxSts);
  EXPECT_EQ(ev.vf_irq, uint64_t{1} << 9);
  EXPECT_FALSE(ev.pf_cause);
  ev = m.PfWriteCtl(9, kPfMbxAck);
  EXPECT_EQ(ev.vf_irq, uint64_t{1} << 9);
  EXPECT_EQ(m.PfReadCtl(9), 0u); // STS and ACK read 0
  EXPECT_EQ(m.VfReadCtl(9), kVfMbxPfSts | kVfMbxPfAck);
  EXPECT_EQ(m.VfReadCtl(9), 0u);
}

TEST(Mailbox, BufferIsSharedAndWritesAreDroppedAgainstTheOtherLock) {
  Mailboxes m = Ready();
  m.VfWriteMem(2, 0, 0x11);
  EXPECT_EQ(m.PfReadMem(2, 0), 0x11u);
  m.PfWriteMem(2, 15, 0x22);
  EXPECT_EQ(m.VfReadMem(2, 15), 0x22u);
  EXPECT_EQ(m.PfReadMem(3, 0), 0u); // per VF
  (void)m.PfWriteCtl(2, kPfMbxPfu);
  m.VfWriteMem(2, 0, 0x33);
  EXPECT_EQ(m.PfReadMem(2, 0), 0x11u);
  EXPECT_EQ(m.VfReadMem(2, 0), 0x11u); // reads are never gated
  (void)m.PfWriteCtl(2, 0);
  (void)m.VfWriteCtl(2, kVfMbxVfu);
  m.PfWriteMem(2, 15, 0x44);
  EXPECT_EQ(m.VfReadMem(2, 15), 0x22u);
  EXPECT_EQ(m.dropped_writes(), 2u);
}

TEST(Mailbox, VfResetDropsTheVfSideAndReportsVflre) {
  Mailboxes m = Ready();
  (void)m.VfWriteCtl(33, kVfMbxVfu);
  (void)m.PfWriteCtl(33, kPfMbxAck);
  m.VfWriteMem(33, 0, 0x55);
  MailboxEvents ev = m.VfReset(33);
  EXPECT_TRUE(ev.pf_cause);
  EXPECT_EQ(m.VfReadCtl(33), 0u); // no RSTI/RSTD: the PF did not reset
  EXPECT_EQ(m.PfReadCtl(33), 0u);
  EXPECT_EQ(m.VfReadMem(33, 0), 0x55u);
  EXPECT_EQ(m.ReadVflre(1), 1u << 1);
  EXPECT_EQ(m.ReadVflre(0), 0u);
  EXPECT_TRUE(m.PfCausePending());
  m.WriteVflrec(1, 1u << 1);
  EXPECT_EQ(m.ReadVflre(1), 0u);
  EXPECT_FALSE(m.PfCausePending());
}

TEST(Mailbox, VfResetKeepsAPfResetIndication) {
  Mailboxes m;
  (void)m.VfReset(0);
  EXPECT_EQ(m.VfReadCtl(0), kVfMbxRsti);
}

TEST(Mailbox, ReadOnlyBitsIgnoreWrites) {
  Mailboxes m = Ready();
  (void)m.VfWriteCtl(0, kVfMbxPfu | kVfMbxPfSts | kVfMbxPfAck | kVfMbxRsti |
                            kVfMbxRstd | 0xFFFFFF00u);
  EXPECT_EQ(m.VfReadCtl(0), 0u);
  EXPECT_EQ(m.PfReadCtl(0), 0u);
  (void)m.PfWriteCtl(0, kPfMbxVfu | 0xFFFFFFE0u);
  EXPECT_EQ(m.VfReadCtl(0), 0u);
  EXPECT_EQ(m.PfReadCtl(0), 0u);
}

TEST(Mailbox, OutOfRangeIndicesReadZeroAndAreIgnored) {
  Mailboxes m = Ready();
  EXPECT_EQ(m.VfReadCtl(64), 0u);
  EXPECT_EQ(m.VfReadCtl(~0u), 0u);
  EXPECT_FALSE(m.VfWriteCtl(64, kVfMbxReq).pf_cause);
  EXPECT_EQ(m.PfWriteCtl(64, kPfMbxSts).vf_irq, 0u);
  EXPECT_EQ(m.PfReadCtl(64), 0u);
  m.VfWriteMem(0, 16, 1);
  m.PfWriteMem(64, 0, 1);
  m.VfWriteMem(64, 0, 1);
  m.PfWriteMem(0, ~0u, 1);
  EXPECT_EQ(m.VfReadMem(0, 16), 0u);
  EXPECT_EQ(m.PfReadMem(64, 0), 0u);
  EXPECT_EQ(m.VfReadMem(1, 0), 0u);
  EXPECT_EQ(m.ReadMbvficr(4), 0u);
  m.WriteMbvficr(4, ~0u);
  EXPECT_EQ(m.ReadMbvfimr(2), 0u);
  EXPECT_FALSE(m.WriteMbvfimr(2, 0).pf_cause);
  EXPECT_EQ(m.ReadMbvfimr(0), ~0u);
  EXPECT_EQ(m.ReadVflre(2), 0u);
  m.WriteVflrec(2, ~0u);
  EXPECT_FALSE(m.VfReset(64).pf_cause);
  EXPECT_FALSE(m.PfCausePending());
  for (unsigned w = 0; w < kMbxWords; ++w)
    EXPECT_EQ(m.PfReadMem(0, w), 0u);
}

TEST(Mailbox, MigrationRoundTrip) {
  Mailboxes a = Ready();
  (void)a.VfWriteCtl(7, kVfMbxVfu | kVfMbxReq);
  (void)a.PfWriteCtl(8, kPfMbxSts);
  (void)a.PfWriteCtl(9, kPfMbxPfu);
  a.VfWriteMem(7, 3, 0xDEADBEEF);
  (void)a.WriteMbvfimr(1, 0x1234);
  (void)a.VfReset(40);
  migration::Encoder e;
  a.Encode(e);
  Mailboxes b;
  migration::Decoder d(e.bytes().data(), e.bytes().size());
  b.Decode(d);
  ASSERT_TRUE(d.ok()) << d.status().message();
  EXPECT_EQ(d.remaining(), 0u);
  for (unsigned vf = 0; vf < kMaxPools; ++vf) {
    EXPECT_EQ(b.PfReadCtl(vf), a.PfReadCtl(vf));
    EXPECT_EQ(b.VfReadCtl(vf), a.VfReadCtl(vf));
  }
  EXPECT_EQ(b.VfReadMem(7, 3), 0xDEADBEEFu);
  EXPECT_EQ(b.ReadMbvficr(0), a.ReadMbvficr(0));
  EXPECT_EQ(b.ReadMbvfimr(1), 0x1234u);
  EXPECT_EQ(b.ReadVflre(1), 1u << 8);
}

TEST(Mailbox, MigrationRefusesBadStreamsAndKeepsState) {
  Mailboxes a = Ready();
  migration::Encoder e;
  a.Encode(e);
  std::vector<uint8_t> bytes = e.bytes();
  {
    std::vector<uint8_t> bad = bytes;
    bad[0] = 0x01; // REQ is not stored
    Mailboxes b = Ready();
    migration::Decoder d(bad.data(), bad.size());
    b.Decode(d);
    EXPECT_FALSE(d.ok());
    EXPECT_NE(std::string(d.status().message()).find("mailbox 0"),
              std::string::npos);
    EXPECT_EQ(b.VfReadCtl(0), 0u);
  }
  {
    std::vector<uint8_t> bad = bytes;
    bad[0] = static_cast<uint8_t>(kVfMbxVfu);
    bad[1] = 1; // PFU with VFU
    Mailboxes b = Ready();
    migration::Decoder d(bad.data(), bad.size());
    b.Decode(d);
    EXPECT_FALSE(d.ok());
  }
  {
    Mailboxes b = Ready();
    migration::Decoder d(bytes.data(), bytes.size() - 1);
    b.Decode(d);
    EXPECT_FALSE(d.ok());
    EXPECT_EQ(b.ReadMbvfimr(1), ~0u);
  }
}

// --- The stock drivers' sequences -----------------------------------------

struct Pair {
  Mailboxes m;
  PfDriver pf{m};
  VfDriver vf{m, 2};
  int pf_runs = 0;

  Pair() {
    pf.num_vfs = 4;
    // The PF's interrupt handler: ixgbe_msix_other -> ixgbe_msg_task.
    vf.tick = [this] { RunPf(); };
    vf.vfctrl_rst = [this] { (void)m.VfReset(vf.vf); };
  }
  void RunPf() {
    if (m.PfCausePending()) {
      ++pf_runs;
      pf.MsgTask();
    }
  }
  // ixgbevf_msix_other: any mailbox interrupt sets get_link_status.
  bool DeliverVfIrqs() {
    bool raised = false;
    for (const MailboxEvents &ev : pf.events) {
      raised |= (ev.vf_irq >> vf.vf) & 1;
    }
    pf.events.clear();
    if (raised)
      vf.get_link_status = true;
    return raised;
  }
  // ixgbe_up_complete's CTRL_EXT.PFRSTD.
  void PfUp() { (void)m.PfResetDone(); }
};

TEST(MbxDriver, ProbeResetWithoutMacIsNackedAndLeavesNoResetIndication) {
  Pair p;
  p.PfUp();
  ASSERT_EQ(p.vf.ResetHw(), model::kOk);
  EXPECT_FALSE(p.vf.perm_addr_valid); // NACK: no MAC assigned
  EXPECT_TRUE(p.pf.info[2].clear_to_send);
  EXPECT_EQ(p.pf.info[2].resets_seen, 1); // PFVFLRE from VFCTRL.RST
  EXPECT_EQ(p.pf.info[2].read_errors, 0);
  EXPECT_EQ(p.m.VfReadCtl(2) & (kVfMbxRsti | kVfMbxRstd), 0u);
  EXPECT_EQ(p.m.PfReadCtl(2), 0u); // no lock left behind
}

TEST(MbxDriver, ProbeResetReturnsTheMacTheAdminSet) {
  Pair p;
  p.pf.info[2].mac = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
  p.pf.info[2].pf_set_mac = true;
  p.PfUp();
  ASSERT_EQ(p.vf.ResetHw(), model::kOk);
  EXPECT_TRUE(p.vf.perm_addr_valid);
  EXPECT_EQ(p.vf.perm_addr, p.pf.info[2].mac);
}

TEST(MbxDriver, ResetFailsWhileThePfIsDown) {
  Pair p;                                 // RSTI from power-on, no PFRSTD
  EXPECT_EQ(p.vf.ResetHw(), model::kErr); // "PF still in reset state"
  p.PfUp();
  EXPECT_EQ(p.vf.ResetHw(), model::kOk);
}

TEST(MbxDriver, FullProbeNegotiatesApi14SetsMacAndGetsQueues) {
  Pair p;
  p.PfUp();
  ASSERT_EQ(p.vf.ResetHw(), model::kOk);
  // ixgbevf_negotiate_api: 1.5 first, refused by the stock PF, then 1.4.
  EXPECT_EQ(p.vf.NegotiateApi(model::kApi15), model::kErr);
  EXPECT_TRUE(p.vf.legacy);
  ASSERT_EQ(p.vf.NegotiateApi(model::kApi14), model::kOk);
  EXPECT_EQ(p.pf.info[2].api, model::kApi14);
  EXPECT_TRUE(p.vf.legacy);
  std::array<uint8_t, 6> mac = {0x02, 0, 0, 0, 0, 0x22};
  ASSERT_EQ(p.vf.SetMac(mac), model::kOk);
  EXPECT_EQ(p.pf.info[2].mac, mac);
  ASSERT_EQ(p.vf.GetQueues(), model::kOk);
  EXPECT_EQ(p.vf.num_tx, 2u);
  EXPECT_EQ(p.vf.num_rx, 2u);
  EXPECT_EQ(p.pf.info[2].read_errors, 0);
  // The watchdog's link check reads the last reply, which carries CTS.
  bool up = false;
  EXPECT_EQ(p.vf.CheckMacLink(true, &up), 0);
  EXPECT_TRUE(up);
}

TEST(MbxDriver, MessagesBeforeResetAreNacked) {
  Pair p;
  p.PfUp();
  p.vf.timeout = 2000;
  p.vf.CheckForRst();
  EXPECT_EQ(p.vf.NegotiateApi(model::kApi13), model::kErr);
  EXPECT_FALSE(p.pf.info[2].clear_to_send);
}

TEST(MbxDriver, PfResetAfterProbeMakesTheVfResetAgain) {
  Pair p;
  p.PfUp();
  ASSERT_EQ(p.vf.ResetHw(), model::kOk);
  ASSERT_EQ(p.vf.NegotiateApi(model::kApi14), model::kOk);
  bool up = false;
  ASSERT_EQ(p.vf.CheckMacLink(true, &up), 0);
  ASSERT_TRUE(up);
  // ixgbe_reset (CTRL.RST) then ixgbe_up_complete; the PF forgot the VF.
  p.m.PfReset();
  p.pf.info[2] = {};
  p.PfUp();
  // The link check sees RSTD, re-reads; its read ACKs, and the PF NACKs a
  // VF that is not clear to send (ixgbe_rcv_ack_from_vf).
  EXPECT_EQ(p.vf.CheckMacLink(true, &up), 0);
  p.pf.events.clear();
  p.RunPf();
  EXPECT_TRUE(p.DeliverVfIrqs());
  EXPECT_EQ(p.vf.CheckMacLink(true, &up), -1); // -> ixgbevf reset
  EXPECT_FALSE(up);
  EXPECT_EQ(p.vf.ResetHw(), model::kOk);
  EXPECT_TRUE(p.pf.info[2].clear_to_send);
}

TEST(MbxDriver, PfWriteFailsWhileTheVfHoldsTheLockAndSucceedsAfter) {
  Pair p;
  p.PfUp();
  p.vf.timeout = 2000;
  p.vf.tick = [] {};
  ASSERT_EQ(p.vf.ObtainLock(), model::kOk);
  uint32_t msg = model::kMsgFailure;
  EXPECT_EQ(p.pf.WriteMbx(&msg, 1, 2), model::kErr);
  EXPECT_EQ(p.m.VfReadCtl(2) & kVfMbxPfSts, 0u);
  p.vf.Write(kVfMbxReq); // legacy write: REQ alone drops VFU
  EXPECT_EQ(p.pf.WriteMbx(&msg, 1, 2), model::kOk);
  EXPECT_EQ(p.vf.CheckForMsg(), model::kOk);
}

TEST(MbxDriver, VfLockRetriesUntilThePfReleases) {
  Pair p;
  p.PfUp();
  p.vf.timeout = 5;
  ASSERT_EQ(p.pf.ObtainLock(2), model::kOk);
  int ticks = 0;
  p.vf.tick = [&] {
    if (++ticks == 3)
      (void)p.m.PfWriteCtl(2, kPfMbxSts);
  };
  EXPECT_EQ(p.vf.ObtainLock(), model::kOk);
  EXPECT_EQ(ticks, 3);
  EXPECT_EQ(p.m.PfReadCtl(2), kPfMbxVfu);
}

TEST(MbxDriver, VfLockTimesOutAgainstAPfThatNeverReleases) {
  Pair p;
  p.PfUp();
  p.vf.timeout = 4;
  p.vf.tick = [] {};
  ASSERT_EQ(p.pf.ObtainLock(2), model::kOk);
  EXPECT_EQ(p.vf.ObtainLock(), model::kTimeout);
}

TEST(MbxDriver, SoftwareCopyKeepsReadToClearBitsAcrossReads) {
  Pair p;
  p.PfUp();
  p.vf.tick = [] {};
  (void)p.m.PfWriteCtl(2, kPfMbxSts);
  // The obtain-lock read consumes PFSTS in hardware; the copy keeps it.
  p.vf.timeout = 10;
  ASSERT_EQ(p.vf.ObtainLock(), model::kOk);
  EXPECT_EQ(p.m.VfReadCtl(2) & kVfMbxPfSts, 0u);
  EXPECT_EQ(p.vf.CheckForMsg(), model::kOk);
}

// An API 1.5 VF (ixgbevf_mbx_ops) holds VFU while it polls for the ACK;
// the stock PF's read (ixgbe_read_mbx_pf) needs PFU, so it cannot read the
// message: the reason the stock PF must (and does) refuse API 1.5.
TEST(MbxDriver, Api15WriteHoldsVfuSoTheStockPfCannotRead) {
  Pair p;
  p.PfUp();
  ASSERT_EQ(p.vf.ResetHw(), model::kOk);
  p.vf.legacy = false;
  p.vf.timeout = 20;
  uint32_t msg[3] = {model::kVfApiNegotiate, model::kApi14, 0};
  EXPECT_EQ(p.vf.WriteMbx(msg, 3), model::kTimeout);
  EXPECT_GT(p.pf.info[2].read_errors, 0);
  EXPECT_EQ(p.m.PfReadCtl(2), 0u); // released after the timeout
}

TEST(MbxDriver, TwoVfsAreIndependent) {
  Mailboxes m;
  PfDriver pf{m};
  pf.num_vfs = 20;
  VfDriver a{m, 1}, b{m, 17};
  auto pump = [&] {
    if (m.PfCausePending())
      pf.MsgTask();
  };
  a.tick = pump;
  b.tick = pump;
  a.vfctrl_rst = [&] { (void)m.VfReset(1); };
  b.vfctrl_rst = [&] { (void)m.VfReset(17); };
  (void)m.PfResetDone();
  ASSERT_EQ(a.ResetHw(), model::kOk);
  ASSERT_EQ(b.ResetHw(), model::kOk);
  ASSERT_EQ(a.NegotiateApi(model::kApi12), model::kOk);
  ASSERT_EQ(b.NegotiateApi(model::kApi13), model::kOk);
  EXPECT_EQ(pf.info[1].api, model::kApi12);
  EXPECT_EQ(pf.info[17].api, model::kApi13);
  EXPECT_EQ(pf.info[0].api, model::kApi10);
}

} // namespace
} // namespace snic::ixgbe
