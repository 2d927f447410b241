// sriov-nic core: Intel 82599 functions as ports (function.h).
// SPDX-License-Identifier: GPL-2.0-or-later
#include "function.h"

#include "../migration/stream.h"
#include "layout.h"
#include "pools.h"
#include "regs.h"

namespace snic::ixgbe {

using port::PortEvents;
using port::RxResult;
using port::TxStatus;

namespace {

constexpr FunctionBase::Bar0 kPfBar0 = {
    kPfBars.bar0_size,
    "ixgbe PF: register read not 32 bits wide and aligned (reads 0)",
    "ixgbe PF: register write not 32 bits wide and aligned (ignored)"};
constexpr FunctionBase::Bar0 kVfBar0 = {
    kVfBars.bar0_size,
    "ixgbe VF: register read not 32 bits wide and aligned (reads 0)",
    "ixgbe VF: register write not 32 bits wide and aligned (ignored)"};

}  // namespace

// ---- what every function shares -------------------------------------------

void FunctionBase::SetLink(bool up, Effects&) { state_.link_up = up; }

PortEvents FunctionBase::Resume(Effects&) {
  PortEvents ev;
  ev.tx_kicks = nic_->PendingLanes(fn());
  ev.rx_kick = true;
  return ev;
}

TxStatus FunctionBase::PeekTx(uint16_t lane, uint8_t* buf,
                              port::TxFrame* frame, Effects& fx) {
  if (!running()) return TxStatus::kNotReady;
  NicIrqs irqs;
  const TxStatus s = nic_->PeekTx(fn(), lane, buf, frame, irqs);
  if (s == TxStatus::kFrame && lane < peeked_len_.size()) {
    peeked_len_[lane] = frame->len;
  }
  if (s == TxStatus::kDropped) stats_.tx_drop_malformed++;
  if (s == TxStatus::kBroken) stats_.guest_errors++;
  Perform(irqs, fx);
  return s;
}

void FunctionBase::ConsumeTx(uint16_t lane, Effects& fx) {
  NicIrqs irqs;
  const size_t len = lane < peeked_len_.size() ? peeked_len_[lane] : 0;
  nic_->ConsumeTx(fn(), lane, len, irqs);
  stats_.tx_packets++;
  stats_.tx_bytes += len;
  Perform(irqs, fx);
}

void FunctionBase::EndTxBatch(uint16_t, Effects&) {}

RxResult FunctionBase::Deliver(const uint8_t* frame, size_t len,
                               const eth::Offload& offload, Effects& fx) {
  if (!running()) return RxResult::kNotReady;
  NicIrqs irqs;
  const RxResult r = nic_->Deliver(fn(), frame, len, offload, irqs);
  switch (r) {
    case RxResult::kDelivered:
      stats_.rx_packets++;
      stats_.rx_bytes += len;
      break;
    case RxResult::kTooSmall:
      stats_.rx_drop_too_small++;
      break;
    case RxResult::kBroken:
      stats_.guest_errors++;
      break;
    default:
      break;
  }
  Perform(irqs, fx);
  return r;
}

bool FunctionBase::Announce(Effects&) { return false; }

void FunctionBase::Quiesce() { nic_->Quiesce(); }

void FunctionBase::Encode(migration::Encoder& e) const { EncodeCommon(e); }

std::unique_ptr<port::PortImage> FunctionBase::Decode(
    migration::Decoder& d) const {
  auto image = std::make_unique<port::PortImage>();
  // The rest of the function's state is the chip's (Nic::Encode, in the
  // device's stream after the ports); ready, filter and policy are
  // derived from it again after a load (Nic::Sync).
  DecodeCommon(d, &image->common);
  return image;
}

void FunctionBase::Commit(const port::PortImage& image) {
  CommitCommon(image.common);
  filter_stale_ = true;
}

void FunctionBase::ResetPort() {
  filter_stale_ = true;
  state_.filter.Reset(state_.policy.mac);
  state_.rx_offloads = port::RxOffloads{};
  state_.ready = false;
}

bool FunctionBase::RegsRegion(uint32_t region) {
  if (region == kRegionRegs) {
    return true;
  }
  stats_.guest_errors++;
  host_->GuestError(fn(), "ixgbe: access to a region BAR 0 does not have");
  return false;
}

bool FunctionBase::Dword(uint64_t offset, unsigned size, uint32_t bar_size,
                         const char* what) {
  if (offset < bar_size && size == 4 && offset % 4 == 0) {
    return true;
  }
  stats_.guest_errors++;
  host_->GuestError(fn(), what);
  return false;
}

template <class NicRead>
uint64_t FunctionBase::RegsRead(const Bar0& bar, uint32_t region,
                                uint64_t offset, unsigned size, Effects& fx,
                                NicRead nic_read) {
  if (!RegsRegion(region) || !Dword(offset, size, bar.size, bar.bad_read)) {
    return 0;
  }
  NicIrqs irqs;
  const uint32_t v = nic_read(static_cast<uint32_t>(offset), irqs);
  Perform(irqs, fx);
  return v;
}

template <class NicWrite>
PortEvents FunctionBase::RegsWrite(const Bar0& bar, uint32_t region,
                                   uint64_t offset, uint64_t value,
                                   unsigned size, Effects& fx,
                                   NicWrite nic_write) {
  if (!RegsRegion(region) || !Dword(offset, size, bar.size, bar.bad_write)) {
    return {};
  }
  NicIrqs irqs;
  nic_write(static_cast<uint32_t>(offset), static_cast<uint32_t>(value),
            irqs);
  return Finish(irqs, fx);
}

void FunctionBase::Perform(const NicIrqs& irqs, Effects& fx) {
  SignalIrqs(*host_, irqs, fx);
}

void SignalIrqs(const Host& host, const NicIrqs& irqs, Effects& fx) {
  if (host.MsixEnabled(kPfFn)) {
    for (unsigned v = 0; v < kPfBars.msix_vectors; ++v) {
      if (irqs.pf_msix & (uint64_t{1} << v)) fx.Msix(kPfFn, v);
    }
  } else if (irqs.pf_intx_changed) {
    fx.PfIntx(irqs.pf_intx);
  }
  for (unsigned n = 0; n < kMaxVfs; ++n) {
    if ((irqs.vfs_signalled & (uint64_t{1} << n)) == 0) continue;
    const FnId vf_fn = static_cast<FnId>(1 + n);
    if (!host.MsixEnabled(vf_fn)) continue;  // VFs have no INTx
    for (unsigned v = 0; v < kVfBars.msix_vectors; ++v) {
      if (irqs.vf_msix[n] & (1u << v)) fx.Msix(vf_fn, v);
    }
  }
}

PortEvents FunctionBase::Finish(const NicIrqs& irqs, Effects& fx) {
  Perform(irqs, fx);
  PortEvents ev;
  ev.tx_kicks = irqs.tx_doorbells;
  ev.rx_kick = irqs.rx_doorbell;
  if (irqs.datapath_changed || irqs.pf_reset) {
    ev.changed = nic_->Sync();
    ev.tx_kicks |= (1u << Nic::kLanes) - 1;
    ev.rx_kick = true;
  }
  return ev;
}

bool FunctionBase::SyncFromNic(bool pools_changed) {
  const bool ready = nic_->AnyQueueEnabled(fn()) &&
                     (nic_->TxAllowed(fn()) || nic_->RxAllowed(fn()));
  bool changed = ready != state_.ready;
  state_.ready = ready;
  changed |= SyncFilter(pools_changed);
  return changed;
}

bool PfFunction::SyncFilter(bool) {
  // The PF hears its MAC (RAR0, the policy's), broadcast, and every
  // multicast (its MTA hash filter is not modelled: the stack filters);
  // FCTRL.UPE is promiscuous.
  const bool promisc = (nic_->pf().Read(reg::FCTRL) & reg::FCTRL_UPE) != 0;
  const bool changed = state_.filter.promisc != promisc;
  state_.filter.promisc = promisc;
  state_.filter.allmulti = true;
  return changed;
}

bool VfFunction::SyncFilter(bool pools_changed) {
  if (!state_.enabled) {
    filter_stale_ = true;  // pool writes meanwhile are not followed
    return false;
  }
  if (!pools_changed && !filter_stale_) return false;  // as computed last
  filter_stale_ = false;
  const PoolPolicy pp = PolicyForPool(nic_->pools(), vf());
  ApplyRxFilter(pp.rx, &state_.filter);
  state_.policy = pp.policy;
  return true;  // the switch re-reads the filter (config writes only)
}

// ---- PF and VF ------------------------------------------------------------

uint64_t PfFunction::MmioRead(uint32_t region, uint64_t offset, unsigned size,
                              Effects& fx) {
  return RegsRead(kPfBar0, region, offset, size, fx,
                  [this](uint32_t off, NicIrqs& irqs) {
                    return nic_->PfRead(off, irqs);
                  });
}

PortEvents PfFunction::MmioWrite(uint32_t region, uint64_t offset,
                                 uint64_t value, unsigned size, Effects& fx) {
  return RegsWrite(kPfBar0, region, offset, value, size, fx,
                   [this](uint32_t off, uint32_t v, NicIrqs& irqs) {
                     nic_->PfWrite(off, v, irqs);
                   });
}

void PfFunction::SetLink(bool up, Effects& fx) {
  state_.link_up = up;
  NicIrqs irqs;
  nic_->SetUplinkLink(up, irqs);
  Perform(irqs, fx);
}

void PfFunction::ResetFunction(Effects& fx) {
  NicIrqs irqs;
  nic_->ResetPf(irqs);
  Perform(irqs, fx);
  ResetPort();
}

uint64_t VfFunction::MmioRead(uint32_t region, uint64_t offset, unsigned size,
                              Effects& fx) {
  return RegsRead(kVfBar0, region, offset, size, fx,
                  [this](uint32_t off, NicIrqs& irqs) {
                    return nic_->VfRead(vf(), off, irqs);
                  });
}

PortEvents VfFunction::MmioWrite(uint32_t region, uint64_t offset,
                                 uint64_t value, unsigned size, Effects& fx) {
  return RegsWrite(kVfBar0, region, offset, value, size, fx,
                   [this](uint32_t off, uint32_t v, NicIrqs& irqs) {
                     nic_->VfWrite(vf(), off, v, irqs);
                   });
}

void VfFunction::ResetFunction(Effects& fx) {
  NicIrqs irqs;
  // An existing VF's reset is an FLR (or VF Enable clearing); a VF that
  // VF Enable is creating is reset while still disabled.
  nic_->ResetVf(vf(), state_.enabled, irqs);
  Perform(irqs, fx);
  ResetPort();
}

}  // namespace snic::ixgbe
