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
  // Delivers what QEMU queued for the device, on every netdev link (a
  // flush of a link with nothing queued does nothing).
  void UplinkFlush() { uplink_flush_ = true; }
  // Drops the frame the netdev of @link queued (its function was reset).
  void UplinkPurge(LinkId link = kUplink) {
    for (LinkId l : purges_) {
      if (l == link) return;
    }
    purges_.push_back(link);
  }
  // At most one frame per entry (a TX step sends one frame), sent by
  // function @from out of @link; @frame must stay valid until the effects
  // are performed. A GSO frame is cut into segments then (if the link
  // takes none).
  void UplinkSend(const uint8_t* frame, size_t len, FnId from,
                  const eth::Offload& offload = {}, LinkId link = kUplink) {
    uplink_frame_ = frame;
    uplink_len_ = len;
    uplink_from_ = from;
    uplink_offload_ = offload;
    uplink_link_ = link;
  }
  bool has_uplink_send() const { return uplink_frame_ != nullptr; }

  bool empty() const {
    return msix_.empty() && intx_ == kUnchanged && !schedule_run_ &&
           !uplink_flush_ && purges_.empty() && uplink_frame_ == nullptr;
  }
  void Clear() {
    msix_.clear();
    intx_ = kUnchanged;
    schedule_run_ = uplink_flush_ = false;
    purges_.clear();
    uplink_frame_ = nullptr;
    uplink_link_ = kUplink;
    uplink_len_ = 0;
    uplink_offload_ = {};
  }

  enum Intx : uint8_t { kUnchanged, kLow, kHigh };
  const std::vector<MsixMessage>& msix() const { return msix_; }
  Intx intx() const { return intx_; }
  bool schedule_run() const { return schedule_run_; }
  bool uplink_flush() const { return uplink_flush_; }
  // The links whose queued frame is to be purged.
  const std::vector<LinkId>& purges() const { return purges_; }
  const uint8_t* uplink_frame() const { return uplink_frame_; }
  size_t uplink_len() const { return uplink_len_; }
  FnId uplink_from() const { return uplink_from_; }
  const eth::Offload& uplink_offload() const { return uplink_offload_; }
  LinkId uplink_link() const { return uplink_link_; }

 private:
  std::vector<MsixMessage> msix_;
  Intx intx_ = kUnchanged;
  bool schedule_run_ = false;
  bool uplink_flush_ = false;
  std::vector<LinkId> purges_;
  const uint8_t* uplink_frame_ = nullptr;
  size_t uplink_len_ = 0;
  FnId uplink_from_ = 0;
  eth::Offload uplink_offload_;
  LinkId uplink_link_ = kUplink;
};

}  // namespace snic

#endif  // SNIC_CORE_BASE_EFFECTS_H
