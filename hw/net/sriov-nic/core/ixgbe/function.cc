// sriov-nic core: Intel 82599 functions as ports (function.h).
// SPDX-License-Identifier: GPL-2.0-or-later
#include "function.h"

#include "../migration/stream.h"
#include "layout.h"

namespace snic::ixgbe {

using port::PortEvents;
using port::RxResult;
using port::TxStatus;

namespace {

// 32-bit aligned accesses only (ixgbe and ixgbevf use readl/writel).
bool Dword(uint64_t offset, unsigned size) {
  return size == 4 && offset % 4 == 0;
}

}  // namespace

// ---- the PF's register file -----------------------------------------------

bool BasicPfRegs::Checked(uint64_t offset, unsigned size,
                          const char* what) const {
  if (offset < kPfBars.bar0_size && Dword(offset, size)) {
    return true;
  }
  stats_->guest_errors++;
  host_->GuestError(fn_, what);
  return false;
}

uint64_t BasicPfRegs::Read(uint64_t offset, unsigned size, Effects&) {
  if (!Checked(offset, size,
               "ixgbe PF: register read not 32 bits wide and aligned "
               "(reads 0)")) {
    return 0;
  }
  switch (offset) {
    case kCtrl:
      return ctrl_;
    case kStatus:
      return (ctrl_ & kCtrlGioDis) ? 0 : kStatusGio;
    default:
      return 0;
  }
}

PortEvents BasicPfRegs::Write(uint64_t offset, uint64_t value, unsigned size,
                              Effects&) {
  if (!Checked(offset, size,
               "ixgbe PF: register write not 32 bits wide and aligned "
               "(ignored)")) {
    return {};
  }
  if (offset == kCtrl) {
    // A reset completes at once, so the RST bits read back clear.
    if (value & (kCtrlRst | kCtrlLnkRst)) {
      Reset();
    } else {
      ctrl_ = static_cast<uint32_t>(value) & kCtrlGioDis;
    }
  }
  return {};
}

// ---- a VF's register file -------------------------------------------------

bool BasicVfRegs::Checked(uint64_t offset, unsigned size,
                          const char* what) const {
  if (offset < kVfBars.bar0_size && Dword(offset, size)) {
    return true;
  }
  stats_->guest_errors++;
  host_->GuestError(fn_, what);
  return false;
}

uint64_t BasicVfRegs::Read(uint64_t offset, unsigned size, Effects&) {
  (void)Checked(offset, size,
                "ixgbe VF: register read not 32 bits wide and aligned "
                "(reads 0)");
  return 0;  // VFCTRL is write-only, VFSTATUS 0, the rest not served yet
}

PortEvents BasicVfRegs::Write(uint64_t offset, uint64_t value, unsigned size,
                              Effects&) {
  if (Checked(offset, size,
              "ixgbe VF: register write not 32 bits wide and aligned "
              "(ignored)") &&
      offset == kVfCtrl && (value & kCtrlRst)) {
    Reset();
  }
  return {};
}

// ---- what every function shares -------------------------------------------

void FunctionBase::SetLink(bool up, Effects&) { state_.link_up = up; }

PortEvents FunctionBase::Resume(Effects&) { return {}; }

TxStatus FunctionBase::PeekTx(uint16_t, uint8_t*, port::TxFrame*, Effects&) {
  return TxStatus::kNotReady;
}

void FunctionBase::ConsumeTx(uint16_t, Effects&) {}

void FunctionBase::EndTxBatch(uint16_t, Effects&) {}

RxResult FunctionBase::Deliver(const uint8_t*, size_t, const eth::Offload&,
                               Effects&) {
  return RxResult::kNotReady;
}

bool FunctionBase::Announce(Effects&) { return false; }

void FunctionBase::Quiesce() {}

void FunctionBase::Encode(migration::Encoder& e) const { EncodeCommon(e); }

std::unique_ptr<port::PortImage> FunctionBase::Decode(
    migration::Decoder& d) const {
  auto image = std::make_unique<port::PortImage>();
  DecodeCommon(d, &image->common);
  if (d.ok()) {
    d.Fail("personality", kNoMigration);
  }
  return image;
}

void FunctionBase::Commit(const port::PortImage& image) {
  CommitCommon(image.common);
}

void FunctionBase::ResetPort() {
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

// ---- PF and VF ------------------------------------------------------------

uint64_t PfFunction::MmioRead(uint32_t region, uint64_t offset, unsigned size,
                              Effects& fx) {
  return RegsRegion(region) ? regs_.Read(offset, size, fx) : 0;
}

PortEvents PfFunction::MmioWrite(uint32_t region, uint64_t offset,
                                 uint64_t value, unsigned size, Effects& fx) {
  return RegsRegion(region) ? regs_.Write(offset, value, size, fx)
                            : PortEvents{};
}

void PfFunction::ResetFunction(Effects&) {
  regs_.Reset();
  ResetPort();
}

uint64_t VfFunction::MmioRead(uint32_t region, uint64_t offset, unsigned size,
                              Effects& fx) {
  return RegsRegion(region) ? regs_.Read(offset, size, fx) : 0;
}

PortEvents VfFunction::MmioWrite(uint32_t region, uint64_t offset,
                                 uint64_t value, unsigned size, Effects& fx) {
  return RegsRegion(region) ? regs_.Write(offset, value, size, fx)
                            : PortEvents{};
}

void VfFunction::ResetFunction(Effects&) {
  regs_.Reset();
  ResetPort();
}

}  // namespace snic::ixgbe
