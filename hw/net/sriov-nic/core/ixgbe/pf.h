// sriov-nic core: the Intel 82599 PF register file (BAR0, 128 KiB), phase 1.
//
// Everything stock ixgbe (Linux 6.1, 6.12) needs to probe, read its MAC,
// see a 10G KX4 link and open: reset (CTRL.RST/LNK_RST self-clear,
// ixgbe_reset_hw_82599), PCIe primary disable (CTRL.GIO_DIS -> STATUS.GIO,
// ixgbe_disable_pcie_primary), the EEPROM (eeprom.h), the SW/FW semaphores
// (SWSM.SMBI set-on-read, SWESMBI, GSSR; ixgbe_get_eeprom_semaphore,
// ixgbe_acquire_swfw_sync), MDIO with no PHY (ixgbe_read_phy_reg_mdi reads
// 0xFFFF, the command completes at once), link (AUTOC LMS=KX4/KX/KR,
// ANLP1.AN_STATE for ixgbe_reset_pipeline_82599, LINKS for
// ixgbe_check_mac_link_generic), interrupts (EICR/EICS/EIMS/EIMC/EIAC/EIAM
// and their _EX halves, IVAR, IVAR_MISC, EITR, GPIE) and the statistics.
// Plain storage registers are data: the sorted table in pf.cc (offset,
// count, stride, reset value, writable mask, access kind). Anything not
// listed reads 0 and ignores writes (ixgbe_read_reg takes ~0 for a removed
// device).
//
// Ownership of the BAR (OwnerOf): the mailbox, the queue registers and the
// pool/filter registers belong to other classes; the device routes those
// offsets there before calling Pf. Pf also stores the pool registers and
// keeps RXDCTL/TXDCTL (QueueEnableShadow) so ixgbe's enable polls pass when
// Pf is driven alone (pf_test.cc); other queue and mailbox offsets read 0
// here.
//
// Pure logic (STYLE.md 1): accesses return what the caller must do
// (interrupts, a function reset), the caller performs it.
//
// SPDX-License-Identifier: GPL-2.0-or-later
#ifndef SNIC_CORE_IXGBE_PF_H
#define SNIC_CORE_IXGBE_PF_H

#include <array>
#include <cstdint>

#include "../base/host.h"
#include "../base/types.h"
#include "eeprom.h"
#include "itr.h"
#include "regs.h"
#include "rss.h"

namespace snic::ixgbe {

enum class RegOwner : uint8_t {
  kPf,       // this class
  kMailbox,  // PFMAILBOX, PFMBMEM, MBVFICR, PFMBIMR, PFVFLRE(C): mailbox.h
  kQueue,    // RX/TX queue blocks, SRRCTL(0..15), DCA_RXCTRL(0..15): queue.h
  kPool,     // RAR 1..127, MPSAR, MTA, VFTA, VLVF(B), VMVIR, VMOLR,
             // PFVFSPOOF, VFRE/VFTE, PFDTXGSWC, RTTDQSEL/RTTBCNRC
};
// Who owns the 32-bit register at @offset (any offset: past the BAR is
// kPf, which logs and reads 0).
RegOwner OwnerOf(uint32_t offset);

// Interrupts to signal after an access. MSI-X messages are edges; INTx (or
// MSI, one edge per rising level) follows the level.
struct PfIrq {
  uint64_t msix_vectors = 0;  // bit v: signal MSI-X vector v now
  bool intx_level = false;    // the line level (non-MSI-X mode)
  bool operator==(const PfIrq&) const = default;
};

struct PfWriteResult {
  PfIrq irq;
  // CTRL.RST or CTRL.LNK_RST: the PF register file was reset (RAR0 holds
  // the EEPROM MAC again). The caller resets the queue, pool and mailbox
  // state it routes elsewhere and tells the VFs (82599 7.10.2.10: VFs see
  // a PF reset).
  bool reset = false;
  // RXCTRL.RXEN or DMATXCTL.TE changed.
  bool datapath_changed = false;
};

// RXDCTL/TXDCTL read back as written (ENABLE at once; SWFLSH self-clears),
// so ixgbe_disable_rx_queue / ixgbe_configure_rx_ring /
// ixgbe_configure_tx_ring polls succeed. Never reached in the device: Nic
// sends every RXDCTL/TXDCTL (any queue block offset PfQueueReg accepts,
// 0x28 among them) to queue.h's rings, and Pf only sees the queue-block
// offsets the rings do not handle. Kept for Pf driven alone (pf_test.cc:
// PfDriverModel's Open polls ENABLE).
class QueueEnableShadow {
 public:
  // True if @offset is RXDCTL(n) or TXDCTL(n) (n < 128); @value is its
  // stored value.
  bool Read(uint32_t offset, uint32_t* value) const;
  bool Write(uint32_t offset, uint32_t value);
  void Reset();

 private:
  static bool Locate(uint32_t offset, bool* tx, uint32_t* queue);
  std::array<uint32_t, reg::kNumQueues> rxdctl_{};
  std::array<uint32_t, reg::kNumQueues> txdctl_{};
};

class Pf {
 public:
  // @host (for guest-error logs) must outlive the Pf; @mac is the EEPROM's
  // permanent MAC. The register file starts as after a reset.
  Pf(const Host& host, FnId fn, const uint8_t (&mac)[6]);

  // 32-bit accesses at @offset in BAR0. Misaligned or out-of-range offsets
  // are logged and read 0 / are ignored. A read can change interrupt state
  // (EICR read-to-clear, EIAM auto-mask): call TakeIrq after reads.
  uint32_t Read(uint32_t offset);
  PfWriteResult Write(uint32_t offset, uint32_t value);

  // The interrupts due now (each MSI-X edge is returned once).
  PfIrq TakeIrq();

  // Power-on / CTRL.RST: every register to its reset value, RAR0 from the
  // EEPROM, interrupt state cleared. The EEPROM and the uplink link stay.
  void Reset();

  // Link input from the uplink; a change raises EICR.LSC.
  PfIrq SetUplinkLink(bool up);
  bool link_up() const { return uplink_up_; }

  // Interrupt inputs from other classes. RaiseCause takes EICR bits 16..30
  // (EICR_MAILBOX, EICR_LSC, ...); RaiseQueue maps RX/TX queue @queue
  // through its IVAR entry (ixgbe_set_ivar layout) to a vector (MSI-X) or
  // EICR bit (legacy); an entry without IVAR_ALLOC_VAL raises nothing.
  PfIrq RaiseCause(uint32_t eicr_bits);
  PfIrq RaiseQueue(bool tx, uint32_t queue);

  // Statistics hooks: one good frame of @len bytes (without FCS; the 82599
  // octet counters include it, +4) received / sent by the PF's port.
  void AddRx(uint32_t len, bool broadcast, bool multicast);
  void AddTx(uint32_t len, bool broadcast, bool multicast);

  // State the device reads.
  bool rx_enabled() const;  // RXCTRL.RXEN
  bool tx_enabled() const;  // DMATXCTL.TE
  bool msix_mode() const;   // GPIE.MSIX_MODE
  // EITR of vector @v (its ITR interval, itr.h); 0 past the 128.
  uint32_t Eitr(unsigned v) const {
    return v < reg::kNumEitr ? Stored(reg::EITR(v)) : 0;
  }
  // Interrupt throttling (itr.h): the vectors waiting for the end of
  // their interval, when the first of them ends, and what they send once
  // it did at @now (TakeIrq again).
  uint64_t itr_held() const { return itr_.held(); }
  uint64_t ItrDeadline() const { return itr_.Deadline(); }
  PfIrq ReleaseHeld(uint64_t now);
  // Migration (Nic::Decode): vectors that waited on the source.
  void RestoreHeld(uint64_t held) { itr_.Restore(held); }
  // Receive-side scaling as ixgbe_setup_mrqc programs it: MRQC, RSSRK
  // and RETA (shared by the VFs on 82599: VFRETA/VFMRQC are X550's), the
  // hash in the descriptor (RXCSUM.PCSD), a pool's PSRTYPE (0 past 63).
  RssRegs rss() const;
  bool rss_hash_in_desc() const;
  uint32_t psrtype(unsigned pool) const;
  const Eeprom& eeprom() const { return eeprom_; }
  Eeprom& eeprom() { return eeprom_; }

  // Migration: the register file, the EEPROM and its port,
  // the link and the interrupt state. Decode checks every word against
  // what the register can hold (its writable mask, reset value, access
  // kind) and applies only a checked whole.
  void Encode(migration::Encoder& e) const;
  void Decode(migration::Decoder& d);

 private:
  static constexpr uint32_t kWords = reg::kBar0Size / 4;

  uint32_t Stored(uint32_t offset) const { return regs_[offset / 4]; }
  uint32_t& Slot(uint32_t offset) { return regs_[offset / 4]; }
  uint32_t ReadTable(uint32_t offset);
  void WriteTable(uint32_t offset, uint32_t value);
  uint32_t Links() const;
  uint32_t EicrValue() const;
  void ClearEicr(uint32_t bits);
  void SetMask(uint64_t vec_bits, uint32_t hi_bits);
  void Count(uint32_t offset, uint32_t n);
  void Count64(uint32_t low_offset, uint64_t n);
  void LogOnce(uint32_t offset, const char* msg);

  const Host& host_;
  ItrGate<64> itr_;  // the MSI-X vectors' ITR counters (EITR 0..63)
  FnId fn_;
  Eeprom eeprom_;
  EepromPort eeprom_port_;
  QueueEnableShadow queue_shadow_;
  std::array<uint32_t, kWords> regs_{};

  bool uplink_up_ = false;
  // Interrupt state (82599 datasheet 7.3). EICR bits 0..15 alias vectors
  // 0..15 of vec_pending_/vec_mask_ (the EICS_EX/EIMS_EX halves hold all 64).
  uint32_t eicr_hi_ = 0;      // EICR bits 16..31
  uint32_t eims_hi_ = 0;      // EIMS bits 16..31
  uint64_t vec_pending_ = 0;  // RTxQ causes per vector (legacy: EICR 0..15)
  uint64_t vec_mask_ = 0;
  uint64_t vec_fired_ = 0;    // signalled, not yet cleared or re-enabled
  uint32_t other_fired_ = 0;  // EICR bits 16..30 signalled on the misc vector
  bool logged_unimplemented_ = false;
};

}  // namespace snic::ixgbe

#endif  // SNIC_CORE_IXGBE_PF_H
