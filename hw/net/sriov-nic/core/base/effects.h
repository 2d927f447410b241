// sriov-nic core: what an entry point asks the host to do once its state
// change is complete.
//
// STYLE.md rule 1: core logic mutates state and records effects here;
// Device performs them afterwards as plain host calls, outside the
// re-entrancy guard, so a callback that re-enters the core (an uplink send
// that the netdev answers synchronously, a flush that delivers queued
// frames) starts a fresh, complete entry. Interrupts are resolved when they
// are recorded (MSI-X vector, or the PF's INTx level after its ISR changed),
// so performing them reads no device state.
//
// SPDX-License-Identifier: GPL-2.0-or-later
#ifndef SNIC_CORE_BASE_EFFECTS_H
#define SNIC_CORE_BASE_EFFECTS_H

#include <cstddef>
#include <cstdint>
#include <vector>

#include "../eth/offload.h"
#include "types.h"

namespace snic {

struct MsixMessage {
  FnId fn;
  uint16_t vector;
  bool operator==(const MsixMessage&) const = default;
};

class Effects {
 public:
  Effects() { msix_.reserve(16); }

  // MSI-X is edge-triggered: a second identical message before the first is
  // performed adds nothing (the driver handles all used entries on one).
  void Msix(FnId fn, uint16_t vector) {
    const MsixMessage m{fn, vector};
    for (const MsixMessage& e : msix_) {
      if (e == m) return;
    }
    msix_.push_back(m);
  }
  // The PF's INTx line follows its ISR (virtio 1.2 4.1.4.5); the last level
  // recorded wins.
  void PfIntx(bool level) { intx_ = level ? kHigh : kLow; }
  void ScheduleRun() { schedule_run_ = true; }
  void UplinkFlush() { uplink_flush_ = true; }
  void UplinkPurge() { uplink_purge_ = true; }
  // At most one frame per entry (a TX step sends one frame), sent by
  // function @from; @frame must stay valid until the effects are performed.
  // A GSO frame is cut into segments then (the uplink takes none).
  void UplinkSend(const uint8_t* frame, size_t len, FnId from,
                  const eth::Offload& offload = {}) {
    uplink_frame_ = frame;
    uplink_len_ = len;
    uplink_from_ = from;
    uplink_offload_ = offload;
  }
  bool has_uplink_send() const { return uplink_frame_ != nullptr; }

  bool empty() const {
    return msix_.empty() && intx_ == kUnchanged && !schedule_run_ &&
           !uplink_flush_ && !uplink_purge_ && uplink_frame_ == nullptr;
  }
  void Clear() {
    msix_.clear();
    intx_ = kUnchanged;
    schedule_run_ = uplink_flush_ = uplink_purge_ = false;
    uplink_frame_ = nullptr;
    uplink_len_ = 0;
    uplink_offload_ = {};
  }

  enum Intx : uint8_t { kUnchanged, kLow, kHigh };
  const std::vector<MsixMessage>& msix() const { return msix_; }
  Intx intx() const { return intx_; }
  bool schedule_run() const { return schedule_run_; }
  bool uplink_flush() const { return uplink_flush_; }
  bool uplink_purge() const { return uplink_purge_; }
  const uint8_t* uplink_frame() const { return uplink_frame_; }
  size_t uplink_len() const { return uplink_len_; }
  FnId uplink_from() const { return uplink_from_; }
  const eth::Offload& uplink_offload() const { return uplink_offload_; }

 private:
  std::vector<MsixMessage> msix_;
  Intx intx_ = kUnchanged;
  bool schedule_run_ = false;
  bool uplink_flush_ = false;
  bool uplink_purge_ = false;
  const uint8_t* uplink_frame_ = nullptr;
  size_t uplink_len_ = 0;
  FnId uplink_from_ = 0;
  eth::Offload uplink_offload_;
};

}  // namespace snic

#endif  // SNIC_CORE_BASE_EFFECTS_H
