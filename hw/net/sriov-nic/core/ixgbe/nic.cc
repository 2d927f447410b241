// sriov-nic core: one Intel 82599 as its functions share it (nic.h).
// SPDX-License-Identifier: GPL-2.0-or-later
#include "nic.h"

#include <algorithm>
#include <string>

#include "regs.h"

namespace snic::ixgbe {

using namespace reg;

Nic::Nic(const Host& host, unsigned num_vfs, const uint8_t (&mac)[6])
    : host_(host), pf_(host, kPfFn, mac), pools_(&host) {
  eth::MacAddress m;
  std::copy(mac, mac + 6, m.begin());
  pools_.LoadPermanentMac(m);
  if (num_vfs > kMaxVfs) num_vfs = kMaxVfs;
  vfs_.reserve(num_vfs);
  for (unsigned n = 0; n < num_vfs; ++n) {
    vfs_.push_back(std::make_unique<Vf>(n, mbx_, &host_));
  }
  UpdateVfLinks();
}

void Nic::Mailbox(const MailboxEvents& ev, NicIrqs& irqs) {
  if (ev.pf_cause) irqs.Pf(pf_.RaiseCause(EICR_MAILBOX));
  for (unsigned n = 0; n < num_vfs(); ++n) {
    if (ev.vf_irq & (uint64_t{1} << n)) irqs.Vf(n, vfs_[n]->RaiseMailbox());
  }
}

// The VFs see the PF's link (VFLINKS). ixgbevf also asks the PF over the
// mailbox (vf.c ixgbevf_check_mac_link_vf: a clear CTS bit is link down),
// which is where `ip link set <pf> vf N state disable` acts.
// VFLINKS also goes down while the PF driver keeps the VF's pool off in
// both directions (VFRE and VFTE clear: ixgbe_set_vf_link_state, `ip link
// set <pf> vf N state disable`), so the VF driver reports NO-CARRIER; the
// pools are on as soon as the PF driver answered the VF's reset.
void Nic::UpdateVfLinks() {
  for (unsigned n = 0; n < num_vfs(); ++n) {
    const bool on = ixgbe::RxEnabled(pools_, n) || TxEnabled(pools_, n);
    vfs_[n]->SetLinkInputs(pf_.link_up() && on);
  }
}

void Nic::AfterPfReset(NicIrqs& irqs) {
  irqs.pf_reset = true;
  irqs.datapath_changed = true;
  pools_.Reset();
  eth::MacAddress m;
  pf_.eeprom().Mac(*reinterpret_cast<uint8_t(*)[6]>(m.data()));
  pools_.LoadPermanentMac(m);
  ResetQueues();
  mbx_.PfReset();
  for (auto& v : vfs_) v->PfReset();
  UpdateVfLinks();
  irqs.Pf(pf_.TakeIrq());
}

uint32_t Nic::PfRead(uint32_t offset, NicIrqs& irqs) {
  uint32_t v = 0;
  if (unsigned vf; PfVfStat(offset, &vf, &v)) {
    return vfs_[vf]->Read(v);
  }
  if (offset == reg::SSVPC) {
    // The switch's anti-spoof drops of every VF since the last read
    // (read-to-clear): ixgbe_spoof_check logs "N Spoofed packets
    // detected".
    uint64_t total = 0;
    for (unsigned n = 1; n < functions_.size(); ++n) {
      if (functions_[n] != nullptr) total += functions_[n]->TxSpoofDrops();
    }
    const uint64_t fresh = total - ssvpc_reported_;
    ssvpc_reported_ = total;
    return fresh > 0xFFFFFFFFu ? 0xFFFFFFFFu : static_cast<uint32_t>(fresh);
  }
  switch (OwnerOf(offset)) {
    case RegOwner::kMailbox:
      if (offset >= PFMBMEM(0) && offset < PFMBMEM(kMaxPools)) {
        const uint32_t rel = offset - PFMBMEM(0);
        return mbx_.PfReadMem(rel / 64, (rel % 64) / 4);
      }
      if (offset >= PFMAILBOX(0) && offset < PFMAILBOX(kMaxPools)) {
        return mbx_.PfReadCtl((offset - PFMAILBOX(0)) / 4);
      }
      if (offset >= MBVFICR(0) && offset < MBVFICR(kMbvficrRegs)) {
        return mbx_.ReadMbvficr((offset - MBVFICR(0)) / 4);
      }
      if (offset >= PFMBIMR(0) && offset < PFMBIMR(kMbvfimrRegs)) {
        return mbx_.ReadMbvfimr((offset - PFMBIMR(0)) / 4);
      }
      if (offset == PFVFLRE(0)) return mbx_.ReadVflre(0);
      if (offset == PFVFLRE(1)) return mbx_.ReadVflre(1);
      return 0;  // PFVFLREC: write-only
    case RegOwner::kQueue: {
      bool tx;
      unsigned q;
      uint32_t r;
      if (PfQueueReg(offset, &tx, &q, &r)) {
        return tx ? txq_[q].Read(r) : rxq_[q].Read(r);
      }
      return pf_.Read(offset);
    }
    case RegOwner::kPool:
      return pools_.Read(offset);
    case RegOwner::kPf:
      v = pf_.Read(offset);
      irqs.Pf(pf_.TakeIrq());  // an EICR read lowers the line
      return v;
  }
  return 0;
}

void Nic::PfWrite(uint32_t offset, uint32_t value, NicIrqs& irqs) {
  switch (OwnerOf(offset)) {
    case RegOwner::kMailbox:
      if (offset >= PFMBMEM(0) && offset < PFMBMEM(kMaxPools)) {
        const uint32_t rel = offset - PFMBMEM(0);
        mbx_.PfWriteMem(rel / 64, (rel % 64) / 4, value);
      } else if (offset >= PFMAILBOX(0) && offset < PFMAILBOX(kMaxPools)) {
        Mailbox(mbx_.PfWriteCtl((offset - PFMAILBOX(0)) / 4, value), irqs);
      } else if (offset >= MBVFICR(0) && offset < MBVFICR(kMbvficrRegs)) {
        mbx_.WriteMbvficr((offset - MBVFICR(0)) / 4, value);
      } else if (offset >= PFMBIMR(0) && offset < PFMBIMR(kMbvfimrRegs)) {
        Mailbox(mbx_.WriteMbvfimr((offset - PFMBIMR(0)) / 4, value), irqs);
      } else if (offset == PFVFLREC(0) || offset == PFVFLREC(1)) {
        mbx_.WriteVflrec((offset - PFVFLREC(0)) / 4, value);
      } else {
        host_.GuestError(kPfFn, "ixgbe pf: write to a read-only mailbox register");
      }
      return;
    case RegOwner::kQueue: {
      bool tx;
      unsigned q;
      uint32_t r;
      if (!PfQueueReg(offset, &tx, &q, &r)) break;
      const FnId owner = QueueOwner(q);
      const bool was = tx ? txq_[q].enabled() : rxq_[q].enabled();
      const bool doorbell = tx ? txq_[q].Write(host_, owner, r, value)
                               : rxq_[q].Write(host_, owner, r, value);
      if ((tx ? txq_[q].enabled() : rxq_[q].enabled()) != was) {
        irqs.datapath_changed = true;
      }
      if (doorbell && owner == kPfFn) {
        // A PF-owned queue outside the PF's lanes (VT off: any of the
        // 128) is no lane of its: no kick, and no shift past 31.
        const unsigned base = QueueBase(kPfFn);
        if (!tx) {
          irqs.rx_doorbell = true;
        } else if (q >= base && q - base < kLanes) {
          irqs.tx_doorbells |= 1u << (q - base);
        }
      }
      return;
    }
    case RegOwner::kPool:
      pools_.Write(offset, value);
      irqs.datapath_changed = true;
      if ((offset >= VFRE(0) && offset < VFRE(2)) ||
          (offset >= VFTE(0) && offset < VFTE(2))) {
        UpdateVfLinks();  // the only pool registers VFLINKS follows
      }
      return;
    case RegOwner::kPf:
      break;
  }
  // Mode registers both keep (PFVTCTL, GCR_EXT, MRQC, FCTRL, VLNCTRL...):
  // the Pf answers reads, the pools decide with them.
  if (PoolRegs::Owns(offset)) {
    pools_.Write(offset, value);
    irqs.datapath_changed = true;
  }
  // CTRL_EXT.PFRSTD going 0 -> 1 is RSTD in every VF mailbox
  // (ixgbe_main.c ixgbe_up_complete); rewriting it set changes nothing.
  const bool pfrstd_was =
      offset == CTRL_EXT && (pf_.Read(CTRL_EXT) & CTRL_EXT_PFRSTD) != 0;
  const PfWriteResult r = pf_.Write(offset, value);
  irqs.Pf(r.irq);
  irqs.datapath_changed |= r.datapath_changed;
  if (r.reset) {
    AfterPfReset(irqs);
    return;
  }
  if (offset == CTRL_EXT && !pfrstd_was &&
      (pf_.Read(CTRL_EXT) & CTRL_EXT_PFRSTD) != 0) {
    Mailbox(mbx_.PfResetDone(), irqs);
  }
}

uint32_t Nic::VfRead(unsigned vf, uint32_t offset, NicIrqs& irqs) {
  (void)irqs;  // VF reads clear causes, never raise them
  if (vf >= num_vfs()) return 0;
  bool tx;
  unsigned q;
  uint32_t r;
  if (VfQueueReg(vf, offset, &tx, &q, &r)) {
    return tx ? txq_[q].Read(r) : rxq_[q].Read(r);
  }
  return vfs_[vf]->Read(offset);
}

void Nic::VfWrite(unsigned vf, uint32_t offset, uint32_t value,
                  NicIrqs& irqs) {
  if (vf >= num_vfs()) return;
  const FnId fn = static_cast<FnId>(1 + vf);
  bool tx;
  unsigned q;
  uint32_t reg;
  if (VfQueueReg(vf, offset, &tx, &q, &reg)) {
    const bool was = tx ? txq_[q].enabled() : rxq_[q].enabled();
    const bool doorbell = tx ? txq_[q].Write(host_, fn, reg, value)
                             : rxq_[q].Write(host_, fn, reg, value);
    if ((tx ? txq_[q].enabled() : rxq_[q].enabled()) != was) {
      irqs.datapath_changed = true;
    }
    if (doorbell && tx) irqs.tx_doorbells |= 1u << (q - QueueBase(fn));
    if (doorbell && !tx) irqs.rx_doorbell = true;
    return;
  }
  const VfWriteResult r = vfs_[vf]->Write(offset, value);
  if (r.reset) {
    // VFCTRL.RST: the VF's rings stop (TDWBAL/H survive, as on the chip).
    const unsigned base = QueueBase(fn);
    for (uint16_t l = 0; l < kLanes; ++l) {
      if (QueueOf(fn, l) < 0) break;
      txq_[base + l].ResetKeepWriteback();
      rxq_[base + l].Reset();
    }
    irqs.datapath_changed = true;
  }
  irqs.Vf(vf, r.msix);
  Mailbox(r.mbx, irqs);
}

void Nic::ResetPf(NicIrqs& irqs) {
  pf_.Reset();
  AfterPfReset(irqs);
}

void Nic::ResetVf(unsigned vf, bool tell_pf, NicIrqs& irqs) {
  if (vf >= num_vfs()) return;
  const MailboxEvents ev = vfs_[vf]->Reset(tell_pf);
  const FnId fn = static_cast<FnId>(1 + vf);
  const unsigned base = QueueBase(fn);
  for (uint16_t l = 0; l < kLanes; ++l) {
    if (QueueOf(fn, l) < 0) break;
    txq_[base + l].Reset();
    rxq_[base + l].Reset();
  }
  irqs.datapath_changed = true;
  Mailbox(ev, irqs);  // nothing when !tell_pf
}

uint64_t Nic::HeldIrqDeadline() const {
  uint64_t d = pf_.ItrDeadline();
  for (const auto& v : vfs_) d = std::min(d, v->ItrDeadline());
  return d;
}

void Nic::ReleaseHeldIrqs(NicIrqs& irqs) {
  const uint64_t now = host_.NowNs();
  if (pf_.itr_held() != 0) {
    const PfIrq irq = pf_.ReleaseHeld(now);
    irqs.pf_msix |= irq.msix_vectors;  // MSI-X only: INTx never waits
  }
  for (unsigned n = 0; n < num_vfs(); ++n) {
    if (vfs_[n]->itr_held() != 0) irqs.Vf(n, vfs_[n]->ReleaseHeld(now));
  }
}

void Nic::SetUplinkLink(bool up, NicIrqs& irqs) {
  irqs.Pf(pf_.SetUplinkLink(up));
  UpdateVfLinks();
}

// ---- the data path --------------------------------------------------------

bool Nic::PfQueueReg(uint32_t offset, bool* tx, unsigned* queue,
                     uint32_t* reg) {
  if (offset >= 0x01000 && offset < 0x02000) {
    *tx = false;
    *queue = (offset - 0x01000) / kQueueBlockLen;
    *reg = (offset - 0x01000) % kQueueBlockLen;
  } else if (offset >= 0x0D000 && offset < 0x0E000) {
    *tx = false;
    *queue = 64 + (offset - 0x0D000) / kQueueBlockLen;
    *reg = (offset - 0x0D000) % kQueueBlockLen;
  } else if (offset >= 0x06000 && offset < 0x08000) {
    *tx = true;
    *queue = (offset - 0x06000) / kQueueBlockLen;
    *reg = (offset - 0x06000) % kQueueBlockLen;
  } else if (offset >= SRRCTL(0) && offset <= SRRCTL(15)) {
    // ixgbe_type.h IXGBE_SRRCTL(i): queues 0..15 at 0x2100 + 4i too.
    *tx = false;
    *queue = (offset - SRRCTL(0)) / 4;
    *reg = kRxSrrctl;
  } else {
    return false;
  }
  return *tx ? TxQueue::Handles(*reg) : RxQueue::Handles(*reg);
}

// The PF's view of each VF's counters (ixgbe_type.h IXGBE_PVFGPRC(x)..;
// ixgbe_update_stats, ndo_get_vf_stats): the VF's own VFGPRC.. registers,
// the same 32/36-bit free-running counters.
bool Nic::PfVfStat(uint32_t offset, unsigned* vf, uint32_t* vf_offset) const {
  struct Stat {
    uint32_t base, stride, vf_reg;
  };
  static constexpr Stat kStats[] = {
      {0x0101C, 0x40, kVfGprc},    {0x01020, 0x40, kVfGorcLsb},
      {0x0D020, 0x40, kVfGorcMsb}, {0x0D01C, 0x40, kVfMprc},
      {0x08300, 0x04, kVfGptc},    {0x08400, 0x08, kVfGotcLsb},
      {0x08404, 0x08, kVfGotcMsb},
  };
  for (const Stat& s : kStats) {
    if (offset >= s.base && (offset - s.base) % s.stride == 0 &&
        (offset - s.base) / s.stride < num_vfs()) {
      *vf = (offset - s.base) / s.stride;
      *vf_offset = s.vf_reg;
      return true;
    }
  }
  return false;
}

bool Nic::VfQueueReg(unsigned vf, uint32_t offset, bool* tx, unsigned* queue,
                     uint32_t* reg) const {
  const uint32_t span = kVfQueues * kQueueBlockLen;
  uint32_t rel;
  if (offset >= kVfRxQueue0 && offset < kVfRxQueue0 + span) {
    *tx = false;
    rel = offset - kVfRxQueue0;
  } else if (offset >= kVfTxQueue0 && offset < kVfTxQueue0 + span) {
    *tx = true;
    rel = offset - kVfTxQueue0;
  } else {
    return false;
  }
  *reg = rel % kQueueBlockLen;
  if (!(*tx ? TxQueue::Handles(*reg) : RxQueue::Handles(*reg))) return false;
  // Queues beyond the pool's (before the PF set up VT mode, or past its
  // queues per pool) stay the VF register file's plain registers.
  const int q = QueueOf(static_cast<FnId>(1 + vf),
                        static_cast<uint16_t>(rel / kQueueBlockLen));
  if (q < 0) return false;
  *queue = static_cast<unsigned>(q);
  return true;
}

unsigned Nic::QueueBase(FnId fn) const {
  const unsigned qpp = QueuesPerPool(pools_);
  if (fn == kPfFn) {
    return qpp == 0 ? 0 : DefaultPool(pools_).value_or(0) * qpp;
  }
  return (fn - 1u) * qpp;
}

int Nic::QueueOf(FnId fn, uint16_t lane) const {
  if (lane >= kLanes) return -1;
  const unsigned qpp = QueuesPerPool(pools_);
  if (fn == kPfFn) {
    if (qpp != 0 && lane >= qpp) return -1;
    return static_cast<int>(QueueBase(fn) + lane);
  }
  const unsigned vf = fn - 1u;
  if (qpp == 0 || vf >= num_vfs() || lane >= qpp ||
      DefaultPool(pools_) == vf) {
    return -1;
  }
  const unsigned q = QueueBase(fn) + lane;
  return q < reg::kNumQueues ? static_cast<int>(q) : -1;
}

FnId Nic::QueueOwner(unsigned queue) const {
  const unsigned qpp = QueuesPerPool(pools_);
  if (qpp == 0) return kPfFn;
  const unsigned pool = queue / qpp;
  if (pool < num_vfs() && DefaultPool(pools_) != pool) {
    return static_cast<FnId>(1 + pool);
  }
  return kPfFn;
}

bool Nic::TxAllowed(FnId fn) const {
  if (fn == kPfFn) return pf_.tx_enabled();
  return pf_.tx_enabled() && TxEnabled(pools_, fn - 1u);
}

bool Nic::RxAllowed(FnId fn) const {
  if (fn == kPfFn) return pf_.rx_enabled();
  return pf_.rx_enabled() && ixgbe::RxEnabled(pools_, fn - 1u);
}

bool Nic::AnyQueueEnabled(FnId fn) const {
  for (uint16_t l = 0; l < kLanes; ++l) {
    const int q = QueueOf(fn, l);
    if (q < 0) break;
    if (txq_[q].enabled() || rxq_[q].enabled()) return true;
  }
  return false;
}

uint32_t Nic::PendingLanes(FnId fn) const {
  uint32_t lanes = 0;
  for (uint16_t l = 0; l < kLanes; ++l) {
    const int q = QueueOf(fn, l);
    if (q < 0) break;
    if (txq_[q].enabled() && txq_[q].head() != txq_[q].tail()) {
      lanes |= 1u << l;
    }
  }
  return lanes;
}

void Nic::RaiseQueue(bool tx, unsigned queue, NicIrqs& irqs) {
  const FnId owner = QueueOwner(queue);
  if (owner == kPfFn) {
    irqs.Pf(pf_.RaiseQueue(tx, queue));
    return;
  }
  const unsigned vf = owner - 1u;
  const unsigned local = queue - QueueBase(owner);
  irqs.Vf(vf, tx ? vfs_[vf]->RaiseTx(local) : vfs_[vf]->RaiseRx(local));
}

port::TxStatus Nic::PeekTx(FnId fn, uint16_t lane, uint8_t* buf,
                           port::TxFrame* frame, NicIrqs& irqs) {
  const int q = QueueOf(fn, lane);
  if (q < 0 || !TxAllowed(fn)) return port::TxStatus::kEmpty;
  const TxQueue::PeekResult r = txq_[q].Peek(host_, fn, buf, frame);
  if (r.wrote_back) RaiseQueue(true, static_cast<unsigned>(q), irqs);
  return r.status;
}

void Nic::ConsumeTx(FnId fn, uint16_t lane, size_t len, NicIrqs& irqs) {
  const int q = QueueOf(fn, lane);
  if (q < 0) return;
  if (txq_[q].Consume(host_, fn)) {
    RaiseQueue(true, static_cast<unsigned>(q), irqs);
  }
  if (fn == kPfFn) {
    pf_.AddTx(static_cast<uint32_t>(len), false, false);
  } else {
    vfs_[fn - 1u]->AddTx(len);
  }
}

// 82599 datasheet 7.1.2.8: VT off, the RETA entry is the queue
// (ixgbe_setup_reta fills it over the PF's RSS queues; DCB+RSS: traffic
// class 0's, user priorities are not modelled). VMDq+RSS: the pool's
// first queue plus the entry's low RQPL bits (PSRTYPE of the PF's default
// pool, or the VF's VFPSRTYPE), never past the pool (PoolRssQueues).
// Without a hash (RSS off, not IP, a type MRQC does not enable) the
// function's first queue.
int Nic::RssQueue(FnId fn, const RssRegs& rss, const RxHash& hash) const {
  const int first = QueueOf(fn, 0);
  if (first < 0 || hash.type == kRssTypeNone) return first;
  const uint8_t entry = RetaEntry(rss, hash.value);
  const unsigned qpp = QueuesPerPool(pools_);
  if (qpp == 0) return first + entry;  // VT off: the PF, from queue 0
  const unsigned pool = static_cast<unsigned>(first) / qpp;
  const uint32_t psrtype =
      fn == kPfFn ? pf_.psrtype(pool) : vfs_[fn - 1u]->psrtype();
  return first + static_cast<int>(entry & (PoolRssQueues(psrtype, qpp) - 1));
}

int Nic::RxQueueFor(FnId fn, const uint8_t* frame, size_t len) const {
  const RssRegs rss = pf_.rss();
  return RssQueue(fn, rss, RssHash(rss, frame, len));
}

port::Port::RxRoom Nic::RxRoom(FnId fn, const uint8_t* frame, size_t len,
                               size_t seg_len) const {
  const int q = RxQueueFor(fn, frame, len);
  if (q < 0 || !RxAllowed(fn)) return {};
  return rxq_[q].Room(seg_len);
}

port::RxResult Nic::Deliver(FnId fn, const uint8_t* frame, size_t len,
                            const eth::Offload& offload, NicIrqs& irqs) {
  const RssRegs rss = pf_.rss();
  const RxHash hash = RssHash(rss, frame, len);
  const int q = RssQueue(fn, rss, hash);
  // A queue RSS picks that the driver has not enabled drops the frame, as
  // the 82599 does (no fallback to another queue).
  if (q < 0 || !RxAllowed(fn) || !rxq_[q].enabled()) {
    return port::RxResult::kNotReady;
  }
  RxQueue::Meta meta;
  // The descriptor's hash field holds the RSS hash with RXCSUM.PCSD
  // (ixgbe_rx_hash, ixgbevf_rx_hash read it when the RSS type is not 0).
  if (pf_.rss_hash_in_desc()) meta.hash = hash;
  const RxQueue::DeliverResult r =
      rxq_[q].Deliver(host_, fn, frame, len, offload, meta);
  if (r.wrote_back) RaiseQueue(false, static_cast<unsigned>(q), irqs);
  if (r.result == port::RxResult::kDelivered) {
    const bool mcast = len >= 6 && (frame[0] & 1);
    const bool bcast = mcast && frame[0] == 0xff && frame[1] == 0xff &&
                       frame[2] == 0xff && frame[3] == 0xff &&
                       frame[4] == 0xff && frame[5] == 0xff;
    if (fn == kPfFn) {
      pf_.AddRx(static_cast<uint32_t>(len), bcast, mcast && !bcast);
    } else {
      vfs_[fn - 1u]->AddRx(len, mcast);
    }
  }
  return r.result;
}

void Nic::Attach(FnId fn, NicFunction* f) {
  if (fn < functions_.size()) functions_[fn] = f;
}

bool Nic::Sync() {
  // The VFs recompute their pool policies only when the pool registers
  // changed since the last Sync (a ring enable flip leaves them as they
  // are).
  const bool pools_changed = pools_.generation() != synced_pools_;
  synced_pools_ = pools_.generation();
  bool changed = false;
  for (NicFunction* f : functions_) {
    if (f != nullptr) changed |= f->SyncFromNic(pools_changed);
  }
  return changed;
}

void Nic::Quiesce() {
  for (auto& q : txq_) q.Quiesce();
}

void Nic::ResetQueues() {
  for (auto& q : txq_) q.Reset();
  for (auto& q : rxq_) q.Reset();
}

// ---- migration ----

void Nic::Encode(migration::Encoder& e) const {
  pf_.Encode(e);
  mbx_.Encode(e);
  pools_.Encode(e);
  e.U16(static_cast<uint16_t>(vfs_.size()));
  for (const auto& v : vfs_) v->Encode(e);
  for (const TxQueue& q : txq_) q.Encode(e);
  for (const RxQueue& q : rxq_) q.Encode(e);
  e.U64(ssvpc_reported_);
  // The vectors waiting for the end of their ITR interval (itr.h).
  e.U64(pf_.itr_held());
  for (const auto& v : vfs_) e.U8(v->itr_held());
}

void Nic::Decode(migration::Decoder& d) {
  pf_.Decode(d);
  if (d.ok()) mbx_.Decode(d);
  if (d.ok()) pools_.Decode(d);
  const uint16_t n = d.U16("ixgbe VF count");
  if (d.ok() && n != vfs_.size()) {
    d.Fail("ixgbe VF count", "is " + std::to_string(n) + ", this chip has " +
                                 std::to_string(vfs_.size()));
  }
  for (auto& v : vfs_) {
    if (!d.ok()) return;
    v->Decode(d);
  }
  for (unsigned q = 0; q < txq_.size() && d.ok(); ++q) {
    migration::Scope scope(d, "TX queue " + std::to_string(q));
    txq_[q].Decode(d);
  }
  for (unsigned q = 0; q < rxq_.size() && d.ok(); ++q) {
    migration::Scope scope(d, "RX queue " + std::to_string(q));
    rxq_[q].Decode(d);
  }
  const uint64_t ssvpc = d.U64("ssvpc baseline");
  if (d.ok()) ssvpc_reported_ = ssvpc;
  // Waiting vectors: any of the PF's 64, a VF's 3.
  const uint64_t pf_held = d.U64("itr held pf");
  std::vector<uint8_t> vf_held(vfs_.size());
  for (unsigned k = 0; k < vfs_.size() && d.ok(); ++k) {
    vf_held[k] = d.U8("itr held vf");
    if (d.ok() && (vf_held[k] >> kVfVectors) != 0) {
      d.Fail("itr held vf", "VF " + std::to_string(k) +
                                " waits on a vector past its " +
                                std::to_string(kVfVectors));
    }
  }
  if (!d.ok()) return;
  pf_.RestoreHeld(pf_held);
  for (unsigned k = 0; k < vfs_.size(); ++k) vfs_[k]->RestoreHeld(vf_held[k]);
}

}  // namespace snic::ixgbe
