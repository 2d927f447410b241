// sriov-nic core: the 82599's PF<->VF mailboxes (82599 datasheet 7.10.2.9,
// registers 8.2.3.x: PFMailbox, PFMBMEM, PFMBICR, PFMBIMR, PFVFLRE,
// PFVFLREC; VF side 8.3.5.x: VFMailbox, VFMBMEM).
//
// One mailbox per pool: a 16-word buffer shared by the PF and one VF, two
// lock bits (VFU taken by the VF, PFU taken by the PF; each side can take
// its bit only while the other's is clear), two doorbells per direction
// and the PF's reset indications. The class is index based: the PF and VF
// register files map their offsets onto it and perform the returned
// MailboxEvents (raise the PF's EICR.MAILBOX cause, the VFs' mailbox
// interrupt) after the access.
//
// Bit semantics, as the stock drivers use them:
//  - VFMailbox (VF 0x2FC): REQ and ACK are write-1 doorbells reading 0
//    (they set the VF's bit in PFMBICR's VFREQ/VFACK halves); VFU is
//    read/write (set only while PFU is clear); PFU and RSTI read-only
//    mirrors of PF state; PFSTS, PFACK and RSTD are read-to-clear, which is
//    why ixgbevf keeps a software copy (mbx.c ixgbevf_read_mailbox_vf ORs
//    the register with hw->mbx.vf_mailbox and keeps IXGBE_VFMAILBOX_R2C_BITS
//    = PFSTS|PFACK|RSTD; RSTI is not among them: it is a level).
//  - PFMailbox(n) (PF 0x4B00+4n): STS and ACK are write-1 doorbells reading
//    0 (they set PFSTS/PFACK and interrupt the VF); PFU read/write (set only
//    while VFU is clear: ixgbe_mbx.c ixgbe_obtain_mbx_lock_pf writes PFU
//    alone and reads it back); VFU a read-only mirror; RVFU write-1 clears
//    the VF's VFU (a stuck VF), reads 0. The PF driver's every write is a
//    whole value (PFU alone, then STS or ACK alone), so writing STS or ACK
//    without PFU also releases the lock.
//  - PFMBICR(i) (0x710+4i, 4 registers of 16 VFs): VFREQ in bits 15:0,
//    VFACK in bits 31:16; write-1-to-clear (ixgbe_check_for_bit_pf).
//  - PFMBIMR(i) (0x720+4i, 2 registers of 32 VFs): 1 = the VF's mailbox
//    events raise EICR.MAILBOX. Stock ixgbe never writes it, so it resets
//    to all ones (every VF enabled).
//  - PFVFLRE(i) (0x600 VFs 0-31, 0x1C0 VFs 32-63): set by a VF's FLR or
//    VFCTRL.RST, cleared by writing 1s to PFVFLREC(i) (0x700+4i); read by
//    ixgbe_check_for_rst_pf on 82599, and it raises EICR.MAILBOX too.
//
// Reset indications (ixgbevf vf.c ixgbevf_reset_hw_vf polls
// check_for_rst until both RSTI and RSTD read clear; vf.c
// ixgbevf_check_mac_link_vf resets the VF when either is seen later):
//  - a PF reset (CTRL.RST, power-on) sets RSTI in every VF mailbox
//    (PfReset);
//  - the PF driver setting CTRL_EXT.PFRSTD (ixgbe_main.c
//    ixgbe_up_complete, on every ifup) clears RSTI and sets RSTD in every
//    VF mailbox (PfResetDone; the PF register file calls it when PFRSTD goes
//    from 0 to 1, and CTRL.RST clears PFRSTD: re-signalling RSTD on every
//    read-modify-write of CTRL_EXT would make the VFs reset again). Nothing per
//    VF sets RSTD: ixgbe_sriov.c ixgbe_vf_reset_msg answers VF_RESET through
//    the buffer and STS only;
//  - a VF reset (VFCTRL.RST or FLR) sets neither: it drops the VF's lock
//    and pending PF doorbells and reports the VF in PFVFLRE (VfReset).
//
// Buffer access: reads always return the buffer (ixgbevf's API 1.5 read,
// mbx.c ixgbevf_read_mbx_vf, reads without holding VFU); a write is dropped
// while the other side holds its lock (counted in dropped_writes()), which
// is all the protection the lock bits give. Out-of-range VF or word
// indices read 0 and are ignored.
//
// SPDX-License-Identifier: GPL-2.0-or-later
#ifndef SNIC_CORE_IXGBE_MAILBOX_H
#define SNIC_CORE_IXGBE_MAILBOX_H

#include <array>
#include <cstdint>

#include "../migration/stream.h"

namespace snic::ixgbe {

inline constexpr unsigned kMaxPools = 64;
inline constexpr unsigned kMbxWords = 16;

// VFMailbox bits (ixgbevf mbx.h).
inline constexpr uint32_t kVfMbxReq = 1u << 0;
inline constexpr uint32_t kVfMbxAck = 1u << 1;
inline constexpr uint32_t kVfMbxVfu = 1u << 2;
inline constexpr uint32_t kVfMbxPfu = 1u << 3;
inline constexpr uint32_t kVfMbxPfSts = 1u << 4;
inline constexpr uint32_t kVfMbxPfAck = 1u << 5;
inline constexpr uint32_t kVfMbxRsti = 1u << 6;
inline constexpr uint32_t kVfMbxRstd = 1u << 7;
inline constexpr uint32_t kVfMbxReadToClear =
    kVfMbxPfSts | kVfMbxPfAck | kVfMbxRstd;

// PFMailbox bits (ixgbe_mbx.h).
inline constexpr uint32_t kPfMbxSts = 1u << 0;
inline constexpr uint32_t kPfMbxAck = 1u << 1;
inline constexpr uint32_t kPfMbxVfu = 1u << 2;
inline constexpr uint32_t kPfMbxPfu = 1u << 3;
inline constexpr uint32_t kPfMbxRvfu = 1u << 4;

inline constexpr unsigned kMbvficrRegs = kMaxPools / 16; // 16 VFs each
inline constexpr unsigned kMbvfimrRegs = kMaxPools / 32; // 32 VFs each
inline constexpr unsigned kVflreRegs = kMaxPools / 32;

// What an access asks the glue to do once it returns.
struct MailboxEvents {
  bool pf_cause = false; // set EICR.MAILBOX on the PF
  uint64_t vf_irq = 0;   // bit n: raise VF n's mailbox interrupt
};

class Mailboxes {
public:
  // Power-on: as after a PF reset (RSTI set everywhere, no PFRSTD yet).
  Mailboxes();

  // VF side (VF BAR0 0x2FC and 0x200 + 4 * word).
  uint32_t VfReadCtl(unsigned vf); // clears PFSTS, PFACK, RSTD
  MailboxEvents VfWriteCtl(unsigned vf, uint32_t v);
  uint32_t VfReadMem(unsigned vf, unsigned word) const;
  void VfWriteMem(unsigned vf, unsigned word, uint32_t v);

  // PF side (PF BAR0 0x4B00 + 4 * vf and 0x13000 + 64 * vf + 4 * word).
  uint32_t PfReadCtl(unsigned vf) const;
  MailboxEvents PfWriteCtl(unsigned vf, uint32_t v);
  uint32_t PfReadMem(unsigned vf, unsigned word) const;
  void PfWriteMem(unsigned vf, unsigned word, uint32_t v);

  // PFMBICR(idx), idx < kMbvficrRegs; the write clears the 1 bits.
  uint32_t ReadMbvficr(unsigned idx) const;
  void WriteMbvficr(unsigned idx, uint32_t w1c);
  // PFMBIMR(idx), idx < kMbvfimrRegs. Unmasking a VF with a pending
  // request or ack raises the PF cause.
  uint32_t ReadMbvfimr(unsigned idx) const;
  MailboxEvents WriteMbvfimr(unsigned idx, uint32_t v);
  // PFVFLRE(idx) (idx 0 at 0x600, idx 1 at 0x1C0); PFVFLREC(idx) clears.
  uint32_t ReadVflre(unsigned idx) const;
  void WriteVflrec(unsigned idx, uint32_t w1c);

  // True when any VF has an unmasked request, ack or reset pending (the
  // level behind EICR.MAILBOX).
  bool PfCausePending() const;

  // PF reset (CTRL.RST, power-on): RSTI in every VF, locks and doorbells
  // dropped, PFMBIMR back to all ones. The buffers keep their contents.
  void PfReset();
  // CTRL_EXT.PFRSTD set by the PF driver: RSTI cleared and RSTD set in
  // every VF; each VF is interrupted.
  MailboxEvents PfResetDone();
  // VF reset (VFCTRL.RST or FLR): the VF's lock and unread PF doorbells
  // are dropped, the VF is reported in PFVFLRE. @report_flr false (the
  // reset of a VF that VF Enable is creating: no PF driver knows it yet):
  // not reported, no event.
  MailboxEvents VfReset(unsigned vf, bool report_flr = true);

  // Buffer writes dropped because the other side held the lock.
  uint64_t dropped_writes() const { return dropped_writes_; }

  void Encode(migration::Encoder &e) const;
  // Validates every field (known bits only, not both locks held).
  void Decode(migration::Decoder &d);

private:
  struct Box {
    uint32_t vf_bits = 0; // VFU, PFSTS, PFACK, RSTI, RSTD (VFMailbox)
    bool pfu = false;
    std::array<uint32_t, kMbxWords> mem{};
  };

  bool Masked(unsigned vf) const;
  void RaisePf(unsigned vf, MailboxEvents &ev) const;

  std::array<Box, kMaxPools> box_{};
  std::array<uint32_t, kMbvficrRegs> mbvficr_{};
  std::array<uint32_t, kMbvfimrRegs> mbvfimr_{};
  std::array<uint32_t, kVflreRegs> vflre_{};
  uint64_t dropped_writes_ = 0;
};

} // namespace snic::ixgbe

#endif // SNIC_CORE_IXGBE_MAILBOX_H
