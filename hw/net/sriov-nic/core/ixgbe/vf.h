// sriov-nic core: the register file of one 82599 VF (8086:10ED), BAR0
// 16 KiB (82599 datasheet 8.3.5, ixgbevf regs.h).
//
// What ixgbevf (Debian 6.1 and 6.12; regs.h and vf.c are identical in
// both) touches on an 82599 VF:
//  - VFCTRL.RST (vf.c ixgbevf_reset_hw_vf): self-clearing, completes at
//    once: queues, interrupts and the VF side of the mailbox are reset and
//    the PF sees the VF in PFVFLRE. TDWBAL/H keep their value (the PF
//    clears them, ixgbe_sriov.c ixgbe_vf_reset_msg: "not cleared by an
//    FLR"). The statistics keep running (the driver rebases,
//    ixgbevf_init_last_counter_stats).
//  - VFLINKS (vf.c ixgbe_read_vflinks): UP and the speed field, from the
//    host's link (SetLinkInputs).
//  - Interrupts (always MSI-X, 3 vectors): VTEICR bit v is vector v's
//    cause. A cause (RX or TX of queue q, or the mailbox: "other") is
//    mapped to a vector by VTIVAR(q/2) (byte per direction and queue
//    parity: ixgbevf_main.c ixgbevf_set_ivar) or VTIVAR_MISC byte 0, each
//    byte valid with bit 7 (IXGBE_IVAR_ALLOC_VAL). A set cause whose
//    vector is enabled in VTEIMS fires it; firing clears VTEICR bits in
//    VTEIAC and VTEIMS bits in VTEIAM (ixgbevf_irq_enable writes both with
//    eims_enable_mask; ixgbevf_msix_other re-arms with VTEIMS). VTEICR
//    reads clear it (ixgbevf_stop_hw_vf reads it to clear) and writes clear
//    the 1 bits; VTEICS sets causes and reads as VTEICR without clearing
//    (ethtool.c ixgbevf_get_regs reads it as "a shadow"). Enabling a
//    vector in VTEIMS with its cause pending fires it.
//  - Statistics VFGPRC/GPTC/MPRC (32 bit) and VFGORC/GOTC (36 bit, LSB +
//    4-bit MSB) count from the switch (AddRx/AddTx), free-running and never
//    cleared by reads (ixgbevf_main.c UPDATE_VF_COUNTER_32bit/_36bit detect
//    one wrap). Reading an LSB latches its MSB, so the driver's LSB-then-MSB
//    pair is one value.
//  - Queues 0-7: stored by VfQueueRegs (below), ENABLE read back at once.
//  - The mailbox at 0x200 (VFMBMEM) and 0x2FC (VFMAILBOX): Mailboxes.
// VFSTATUS, VFFRTIMER and VFRXMEMWRAP read 0; VFMRQC/VFRSSRK/VFRETA are
// X550 only (ixgbevf_setup_vfmrqc is not called on an 82599 VF) and, like
// every other unlisted offset, read 0 and ignore writes. Accesses outside
// the BAR or not 4-byte aligned are logged as guest errors.
//
// SPDX-License-Identifier: GPL-2.0-or-later
#ifndef SNIC_CORE_IXGBE_VF_H
#define SNIC_CORE_IXGBE_VF_H

#include <array>
#include <cstdint>

#include "../base/host.h"
#include "../migration/stream.h"
#include "itr.h"
#include "mailbox.h"
#include "queue.h"
#include "regs.h"

namespace snic::ixgbe {

inline constexpr uint32_t kVfBarSize = 16 * 1024;
inline constexpr unsigned kVfQueues = 8;
inline constexpr unsigned kVfVectors = 3; // MSI-X table size of a VF

// Offsets (ixgbevf regs.h).
inline constexpr uint32_t kVfCtrl = 0x0000;
inline constexpr uint32_t kVfStatus = 0x0008;
inline constexpr uint32_t kVfLinks = 0x0010;
inline constexpr uint32_t kVfFrTimer = 0x0048;
inline constexpr uint32_t kVtEicr = 0x0100;
inline constexpr uint32_t kVtEics = 0x0104;
inline constexpr uint32_t kVtEims = 0x0108;
inline constexpr uint32_t kVtEimc = 0x010C;
inline constexpr uint32_t kVtEiac = 0x0110;
inline constexpr uint32_t kVtEiam = 0x0114;
inline constexpr uint32_t kVtIvar0 = 0x0120; // VTIVAR(0..3)
inline constexpr uint32_t kVtIvarMisc = 0x0140;
inline constexpr uint32_t kVfMbMem = 0x0200; // + 4 * word
inline constexpr uint32_t kVfMailbox = 0x02FC;
inline constexpr uint32_t kVfPsrType = 0x0300;
inline constexpr uint32_t kVtEitr0 = 0x0820;    // VTEITR(0..2)
inline constexpr uint32_t kVfRxQueue0 = 0x1000; // + 0x40 * queue
inline constexpr uint32_t kVfTxQueue0 = 0x2000;
inline constexpr uint32_t kVfQueueStride = 0x40;
inline constexpr uint32_t kVfGprc = 0x101C;
inline constexpr uint32_t kVfGorcLsb = 0x1020;
inline constexpr uint32_t kVfGorcMsb = 0x1024;
inline constexpr uint32_t kVfMprc = 0x1034;
inline constexpr uint32_t kVfGptc = 0x201C;
inline constexpr uint32_t kVfGotcLsb = 0x2020;
inline constexpr uint32_t kVfGotcMsb = 0x2024;
inline constexpr uint32_t kVfRxMemWrap = 0x3190;

// Offsets inside one queue's 0x40 block (RX at 0x1000, TX at 0x2000):
// queue.h's kRingBal.. kTxWbah.

inline constexpr uint32_t kVfCtrlRst = 1u << 26;     // IXGBE_CTRL_RST
// VFLINKS bits: reg::LINKS_UP, reg::LINKS_SPEED_10G_82599 (regs.h).
// kDctlEnable (RXDCTL/TXDCTL.ENABLE): queue.h
inline constexpr uint32_t kTxdctlSwflsh = 1u << 26;  // IXGBE_TXDCTL_SWFLSH
inline constexpr uint8_t kIvarValid = 0x80;          // IXGBE_IVAR_ALLOC_VAL

// The queue registers of one VF, stored and read back: Read/Write take the
// direction, queue and offset inside the queue's block.
// In the device the rings are queue.h's, and Nic (Nic::VfQueueReg) routes a
// VF's queue-block access here only when it is not a ring's:
//  - offsets no ring handles (DCA_RXCTRL/TXCTRL 0x0C, RSCCTL 0x2C: plain
//    stored registers);
//  - ring registers of a queue the VF's pool does not have (Nic::QueueOf <
//    0): VT off (no GCR_EXT.VT_Mode), a queue index at or past the queues
//    per pool (32 pools: 4, 64 pools: 2), or a VF that is the default
//    pool. No ring backs these, but the VF BAR still decodes them: they
//    read back what was written and move no frame.
// Vf::QueueEnabled and queues() read this copy, not the rings.
class VfQueueRegs {
public:
  enum Dir : unsigned { kRx = 0, kTx = 1 };

  uint32_t Read(Dir d, unsigned q, uint32_t off) const;
  // True when the write is a tail doorbell (RDT/TDT).
  bool Write(Dir d, unsigned q, uint32_t off, uint32_t v);
  bool Enabled(Dir d, unsigned q) const;
  // VF reset: every register to 0 except TDWBAL/H.
  void Reset();

  void Encode(migration::Encoder &e) const;
  void Decode(migration::Decoder &d);

private:
  static constexpr unsigned kRegs = kVfQueueStride / 4;
  // One word per offset of the block; writable masks in vf.cc.
  std::array<std::array<std::array<uint32_t, kRegs>, kVfQueues>, 2> r_{};
};

// What a register write asks the glue to do, in this order: perform the
// mailbox events, fire the MSI-X vectors, process the doorbells.
struct VfWriteResult {
  MailboxEvents mbx;
  uint8_t msix = 0;        // bit v: fire VF MSI-X vector v
  bool reset = false;      // VFCTRL.RST was written (already performed)
  uint8_t rx_doorbell = 0; // bit q: VFRDT(q) written
  uint8_t tx_doorbell = 0; // bit q: VFTDT(q) written
};

class Vf {
public:
  // @host (optional) receives guest errors, as function 1 + @index.
  Vf(unsigned index, Mailboxes &mbx, const Host *host = nullptr);

  unsigned index() const { return index_; }

  uint32_t Read(uint32_t off); // reads can clear (VTEICR, VFMAILBOX)
  VfWriteResult Write(uint32_t off, uint32_t v);

  // FLR (and VFCTRL.RST): registers as at power-on except TDWBAL/H and
  // the statistics; the mailbox's VF side (Mailboxes::VfReset, which
  // reports the FLR to the PF when @report_flr).
  MailboxEvents Reset(bool report_flr = true);
  // The PF was reset (CTRL.RST): the VF's registers go back to power-on
  // values, statistics included. The mailboxes are reset by the PF.
  void PfReset();

  void SetLinkInputs(bool up) { link_up_ = up; }

  // Interrupt causes from the rest of the device; each returns the MSI-X
  // vectors to fire now (bit v).
  uint8_t RaiseMailbox(); // Mailboxes' vf_irq bit for this VF
  uint8_t RaiseRx(unsigned queue);
  uint8_t RaiseTx(unsigned queue);

  // Statistics of frames the VF received (delivered to its RX) and sent.
  void AddRx(uint64_t bytes, bool multicast);
  void AddTx(uint64_t bytes);

  bool QueueEnabled(VfQueueRegs::Dir d, unsigned q) const {
    return queues_.Enabled(d, q);
  }
  const VfQueueRegs &queues() const { return queues_; }
  // VFPSRTYPE: the pool's PSRTYPE (its RQPL: how many queues RSS uses).
  uint32_t psrtype() const { return psrtype_; }
  // VTEITR of vector @v (its ITR interval, itr.h); 0 past the 3.
  uint32_t eitr(unsigned v) const { return v < kVfVectors ? eitr_[v] : 0; }
  // Interrupt throttling (itr.h): the vectors waiting for the end of
  // their interval, when the first of them ends, and the MSI-X vectors to
  // fire once it did at @now.
  uint8_t itr_held() const { return static_cast<uint8_t>(itr_.held()); }
  uint64_t ItrDeadline() const { return itr_.Deadline(); }
  uint8_t ReleaseHeld(uint64_t now);
  // Migration (Nic::Decode): vectors that waited on the source.
  void RestoreHeld(uint8_t held) { itr_.Restore(held); }

  void Encode(migration::Encoder &e) const;
  void Decode(migration::Decoder &d);

private:
  // VTIVAR byte -> vector, or -1 when not valid or beyond the 3 vectors.
  static int Vector(uint8_t ivar_byte);
  uint8_t Cause(int vector);
  uint8_t Fire(uint8_t pending);
  void ResetRegisters();
  void GuestError(const char *msg) const;

  unsigned index_;
  Mailboxes &mbx_;
  const Host *host_;
  bool link_up_ = false;

  uint32_t eicr_ = 0;
  uint32_t eims_ = 0;
  uint32_t eiac_ = 0;
  uint32_t eiam_ = 0;
  std::array<uint32_t, 4> ivar_{};
  uint32_t ivar_misc_ = 0;
  std::array<uint32_t, kVfVectors> eitr_{};
  ItrGate<kVfVectors> itr_;
  uint32_t psrtype_ = 0;
  VfQueueRegs queues_;

  uint64_t gprc_ = 0, gptc_ = 0, mprc_ = 0; // 32-bit on the wire
  uint64_t gorc_ = 0, gotc_ = 0;            // 36-bit on the wire
  uint32_t gorc_msb_latch_ = 0, gotc_msb_latch_ = 0;
};

} // namespace snic::ixgbe

#endif // SNIC_CORE_IXGBE_VF_H
