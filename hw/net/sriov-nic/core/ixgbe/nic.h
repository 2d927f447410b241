// sriov-nic core: one Intel 82599 as its functions share it.
//
// The PF register file (pf.h), the VFs' register files (vf.h) and the
// PF<->VF mailboxes (mailbox.h) are separate classes; on the chip they are
// one piece of hardware. Nic is that piece: it routes each PF BAR0 offset to
// its owner (pf.h OwnerOf), carries the events one part raises in another
// (a VF's mailbox doorbell is the PF's EICR.MAILBOX cause; the PF's
// CTRL_EXT.PFRSTD is RSTD in every VF mailbox; a PF reset is RSTI and a
// register reset in every VF) and resolves them into the interrupts each
// function signals, returned in NicIrqs (STYLE.md rule 1: nothing is raised
// from in here).
//
// SPDX-License-Identifier: GPL-2.0-or-later
#ifndef SNIC_CORE_IXGBE_NIC_H
#define SNIC_CORE_IXGBE_NIC_H

#include <array>
#include <cstdint>
#include <memory>
#include <vector>

#include "../base/host.h"
#include "layout.h"
#include "mailbox.h"
#include "pf.h"
#include "pools.h"
#include "queue.h"
#include "rss.h"
#include "vf.h"

namespace snic::ixgbe {

// The interrupts an access resolved to, per function.
struct NicIrqs {
  uint64_t pf_msix = 0;       // bit v: PF MSI-X vector v
  bool pf_intx_changed = false;
  bool pf_intx = false;       // the PF's INTx level (when not MSI-X)
  std::array<uint8_t, kMaxVfs> vf_msix{};  // [n] bit v: VF n's vector v
  uint64_t vfs_signalled = 0;              // bit n: vf_msix[n] != 0
  bool pf_reset = false;      // CTRL.RST: the queues, pools and VFs reset
  bool datapath_changed = false;  // TE/RXEN, a ring enabled, pools
  uint32_t tx_doorbells = 0;       // bit n: the accessing function's lane n
  bool rx_doorbell = false;

  void Pf(const PfIrq& irq) {
    pf_msix |= irq.msix_vectors;
    pf_intx_changed = true;
    pf_intx = irq.intx_level;
  }
  void Vf(unsigned vf, uint8_t vectors) {
    if (vf < kMaxVfs && vectors != 0) {
      vf_msix[vf] |= vectors;
      vfs_signalled |= uint64_t{1} << vf;
    }
  }
};

// A function of the chip as the device sees it (function.h): told when
// the chip's data-path state changed (rings enabled, pool registers), so
// that the switch's view of it (PortState) follows.
class NicFunction {
 public:
  // Returns whether the function's PortState changed. @pools_changed: the
  // pool registers changed since the last call (NicIrqs::pools_changed).
  virtual bool SyncFromNic(bool pools_changed) = 0;
  // Frames the switch dropped for anti-spoof (PFVFSPOOF) so far.
  virtual uint64_t TxSpoofDrops() const = 0;

 protected:
  ~NicFunction() = default;
};

class Nic {
 public:
  Nic(const Host& host, unsigned num_vfs, const uint8_t (&mac)[6]);

  unsigned num_vfs() const { return static_cast<unsigned>(vfs_.size()); }

  // PF BAR0 (128 KiB) and VF BAR0 (16 KiB): 32-bit registers at 4-byte
  // aligned offsets.
  uint32_t PfRead(uint32_t offset, NicIrqs& irqs);
  void PfWrite(uint32_t offset, uint32_t value, NicIrqs& irqs);
  uint32_t VfRead(unsigned vf, uint32_t offset, NicIrqs& irqs);
  void VfWrite(unsigned vf, uint32_t offset, uint32_t value, NicIrqs& irqs);

  // PCI resets: the PF's (system reset, FLR: the whole chip, as CTRL.RST)
  // and a VF's (its registers). A VF's FLR is reported to the PF
  // (@tell_pf: PFVFLRE behind EICR.MAILBOX, ixgbe_check_for_rst_pf); the
  // reset of a VF that VF Enable creates is not.
  void ResetPf(NicIrqs& irqs);
  void ResetVf(unsigned vf, bool tell_pf, NicIrqs& irqs);

  // The uplink's link: LINKS on the PF (a link-change cause), VFLINKS on
  // every VF.
  void SetUplinkLink(bool up, NicIrqs& irqs);

  // ---- the data path (queue.h rings, pools.h pools) ----
  // The 128 TX and 128 RX queues are the chip's; a function reaches its
  // own: a VF the queues of its pool (VF queue n is pool * queues-per-pool
  // + n), the PF the default pool's in VT mode (PFVTCTL.DEF_PL), else from
  // queue 0. A function's TX lane n is its queue n.
  static constexpr uint16_t kLanes = 8;
  // The absolute queue of @fn's lane, or -1.
  int QueueOf(FnId fn, uint16_t lane) const;
  // The function a queue belongs to (its DMA and interrupts).
  FnId QueueOwner(unsigned queue) const;
  // TX/RX allowed: the PF's DMATXCTL.TE / RXCTRL.RXEN, a VF's VFTE/VFRE.
  bool TxAllowed(FnId fn) const;
  bool RxAllowed(FnId fn) const;
  // The driver has a ring enabled (the port is ready).
  bool AnyQueueEnabled(FnId fn) const;
  // Lanes of @fn with descriptors the driver queued (TDT != TDH).
  uint32_t PendingLanes(FnId fn) const;

  port::TxStatus PeekTx(FnId fn, uint16_t lane, uint8_t* buf,
                        port::TxFrame* frame, NicIrqs& irqs);
  void ConsumeTx(FnId fn, uint16_t lane, size_t len, NicIrqs& irqs);
  port::RxResult Deliver(FnId fn, const uint8_t* frame, size_t len,
                         const eth::Offload& offload, NicIrqs& irqs);
  // Port::RoomFor of @fn for @frame: the room of the queue Deliver would
  // put it on.
  port::Port::RxRoom RxRoom(FnId fn, const uint8_t* frame, size_t len,
                            size_t seg_len) const;
  // Drops held TX frames (the guest's rings hold them again).
  void Quiesce();

  // Migration: the whole chip (PF registers, EEPROM,
  // mailboxes, pools, VF register files, the 128+128 queues). Quiesce()
  // first. Decode() is only for a fresh Nic of the same size: it applies
  // each part as it is checked, so the device decodes into a scratch Nic
  // first and decodes the same bytes into its own once they are known to
  // be good (migration/device_state.cc).
  void Encode(migration::Encoder& e) const;
  void Decode(migration::Decoder& d);
  // SSVPC's read-to-clear baseline: spoof drops reported so far.
  uint64_t ssvpc_reported() const { return ssvpc_reported_; }

  // ---- interrupt throttling (itr.h) ----
  // When the first vector waiting for the end of its ITR interval (PF or
  // VF) may send, or ItrGate's kNone.
  uint64_t HeldIrqDeadline() const;
  // The messages of the waiting vectors whose interval is over (the
  // device's timer).
  void ReleaseHeldIrqs(NicIrqs& irqs);

  // The functions' ports, told by Sync() what changed.
  void Attach(FnId fn, NicFunction* f);
  // Brings every attached function's PortState up to date; true if any
  // changed.
  bool Sync();

  const PoolRegs& pools() const { return pools_; }
  const Pf& pf() const { return pf_; }
  Pf& pf() { return pf_; }
  const Vf& vf(unsigned n) const { return *vfs_[n]; }
  Vf& vf(unsigned n) { return *vfs_[n]; }
  const Mailboxes& mailboxes() const { return mbx_; }

 private:
  void Mailbox(const MailboxEvents& ev, NicIrqs& irqs);
  void AfterPfReset(NicIrqs& irqs);
  void UpdateVfLinks();
  // Where PF BAR0 @offset is in a queue block: false if it is not a ring
  // register (the Pf keeps the rest: DCA, statistics mapping).
  static bool PfQueueReg(uint32_t offset, bool* tx, unsigned* queue,
                         uint32_t* reg);
  // A VF BAR0 queue register: its absolute queue.
  bool VfQueueReg(unsigned vf, uint32_t offset, bool* tx, unsigned* queue,
                  uint32_t* reg) const;
  bool PfVfStat(uint32_t offset, unsigned* vf, uint32_t* vf_offset) const;
  unsigned QueueBase(FnId fn) const;
  // The RX queue RSS picks for a frame of @fn with @hash, or -1.
  int RssQueue(FnId fn, const RssRegs& rss, const RxHash& hash) const;
  // The RX queue of @fn that @frame goes to, or -1 (Deliver, RxRoom).
  int RxQueueFor(FnId fn, const uint8_t* frame, size_t len) const;
  void RaiseQueue(bool tx, unsigned queue, NicIrqs& irqs);
  void ResetQueues();

  const Host& host_;
  Mailboxes mbx_;
  Pf pf_;
  PoolRegs pools_;
  std::vector<std::unique_ptr<Vf>> vfs_;
  std::array<TxQueue, reg::kNumQueues> txq_;
  std::array<RxQueue, reg::kNumQueues> rxq_;
  std::array<NicFunction*, 1 + kMaxVfs> functions_{};
  uint64_t ssvpc_reported_ = 0;  // spoof drops SSVPC reads have returned
  uint64_t synced_pools_ = 0;  // pools_.generation() at the last Sync
};

}  // namespace snic::ixgbe

#endif  // SNIC_CORE_IXGBE_NIC_H
