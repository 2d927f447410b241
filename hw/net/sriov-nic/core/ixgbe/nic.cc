// sriov-nic core: one Intel 82599 as its functions share it (nic.h).
// SPDX-License-Identifier: GPL-2.0-or-later
#include "nic.h"

#include "regs.h"

namespace snic::ixgbe {

using namespace reg;

Nic::Nic(const Host& host, unsigned num_vfs, const uint8_t (&mac)[6])
    : host_(host), pf_(host, kPfFn, mac) {
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
void Nic::UpdateVfLinks() {
  for (auto& v : vfs_) v->SetLinkInputs(pf_.link_up());
}

void Nic::AfterPfReset(NicIrqs& irqs) {
  irqs.pf_reset = true;
  mbx_.PfReset();
  for (auto& v : vfs_) v->PfReset();
  UpdateVfLinks();
  irqs.Pf(pf_.TakeIrq());
}

uint32_t Nic::PfRead(uint32_t offset, NicIrqs& irqs) {
  uint32_t v = 0;
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
    case RegOwner::kPf:
    case RegOwner::kQueue:
    case RegOwner::kPool:
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
    case RegOwner::kPf:
    case RegOwner::kQueue:
    case RegOwner::kPool:
      break;
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
  return vfs_[vf]->Read(offset);
}

void Nic::VfWrite(unsigned vf, uint32_t offset, uint32_t value,
                  NicIrqs& irqs) {
  if (vf >= num_vfs()) return;
  const VfWriteResult r = vfs_[vf]->Write(offset, value);
  irqs.Vf(vf, r.msix);
  Mailbox(r.mbx, irqs);
}

void Nic::ResetPf(NicIrqs& irqs) {
  pf_.Reset();
  AfterPfReset(irqs);
}

void Nic::ResetVf(unsigned vf, bool tell_pf, NicIrqs& irqs) {
  if (vf >= num_vfs()) return;
  const bool reported = mbx_.ReadVflre(vf / 32) & (1u << (vf % 32));
  const MailboxEvents ev = vfs_[vf]->Reset();
  if (tell_pf) {
    Mailbox(ev, irqs);
  } else if (!reported) {
    mbx_.WriteVflrec(vf / 32, 1u << (vf % 32));
  }
}

void Nic::SetUplinkLink(bool up, NicIrqs& irqs) {
  irqs.Pf(pf_.SetUplinkLink(up));
  UpdateVfLinks();
}

}  // namespace snic::ixgbe
