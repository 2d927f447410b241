// sriov-nic core: the host side of the seam (include/sriov_nic/sriov_nic.h's
// SnicHostOps), as the core sees it.
//
// The core calls the host in two ways only. Queries and DMA happen while
// state changes (they cannot re-enter the core: a DMA that lands on one of
// the device's own registers is refused by the re-entrancy guard, see
// device/device.h). Everything that can call back into the core (sending a
// frame to the uplink, flushing the uplink queue) or that signals the guest
// is an effect (base/effects.h), performed after the state change is
// complete.
//
// SPDX-License-Identifier: GPL-2.0-or-later
#ifndef SNIC_CORE_BASE_HOST_H
#define SNIC_CORE_BASE_HOST_H

#include <cstddef>
#include <cstdint>

#include "sriov_nic/sriov_nic.h"
#include "types.h"

namespace snic {

class Host {
 public:
  Host(const SnicHostOps& ops, void* opaque) : ops_(ops), opaque_(opaque) {}

  // DMA on behalf of function @fn (that function's bus-master address
  // space). False if the access failed.
  bool DmaRead(FnId fn, uint64_t addr, void* buf, size_t len) const {
    return ops_.dma_read(opaque_, fn, addr, buf, len) == 0;
  }
  bool DmaWrite(FnId fn, uint64_t addr, const void* buf, size_t len) const {
    return ops_.dma_write(opaque_, fn, addr, buf, len) == 0;
  }
  // One single-copy atomic 16-bit load (a field the driver may be storing
  // right now).
  bool DmaReadU16(FnId fn, uint64_t addr, uint16_t* val) const {
    return ops_.dma_read_u16(opaque_, fn, addr, val) == 0;
  }
  bool MsixEnabled(FnId fn) const { return ops_.msix_enabled(opaque_, fn); }
  uint64_t NowNs() const { return ops_.now_ns(opaque_); }
  void GuestError(FnId fn, const char* msg) const {
    ops_.log_guest_error(opaque_, fn, msg);
  }

  // Effects (performed by Device::PerformEffects only).
  void MsixNotify(FnId fn, uint16_t vector) const {
    ops_.msix_notify(opaque_, fn, vector);
  }
  void SetIntx(FnId fn, bool level) const {
    ops_.set_intx(opaque_, fn, level);
  }
  // Netdev link @link (kUplink: the uplink_* ops, else the link_* ops).
  bool LinkSend(LinkId link, const uint8_t* frame, size_t len) const {
    if (link == kUplink) {
      return ops_.uplink_send(opaque_, frame, len);
    }
    return ops_.link_send(opaque_, link, nullptr, frame, len);
  }
  bool CanSendHdr(LinkId link) const {
    return link == kUplink ? ops_.uplink_send_hdr != nullptr
                           : ops_.link_send != nullptr;
  }
  bool LinkSendHdr(LinkId link, const SnicNetHdr& hdr, const uint8_t* frame,
                   size_t len) const {
    if (link == kUplink) {
      return ops_.uplink_send_hdr(opaque_, &hdr, frame, len);
    }
    return ops_.link_send(opaque_, link, &hdr, frame, len);
  }
  void LinkFlush(LinkId link) const {
    if (link == kUplink) {
      ops_.uplink_flush(opaque_);
    } else {
      ops_.link_flush(opaque_, link);
    }
  }
  void LinkPurge(LinkId link) const {
    if (link == kUplink) {
      ops_.uplink_purge(opaque_);
    } else {
      ops_.link_purge(opaque_, link);
    }
  }
  // The link_* ops exist (required when the device has VF netdevs).
  bool HasLinkOps() const {
    return ops_.link_send && ops_.link_flush && ops_.link_purge;
  }
  void ScheduleRun() const { ops_.schedule_run(opaque_); }
  void TimerArm(uint64_t deadline_ns) const {
    ops_.timer_arm(opaque_, deadline_ns);
  }

 private:
  SnicHostOps ops_;
  void* opaque_;
};

}  // namespace snic

#endif  // SNIC_CORE_BASE_HOST_H
