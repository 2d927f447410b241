// sriov-nic core: the host side of the seam (include/sriov_nic/sriov_nic.h's
// SnicHostOps), as the core sees it.
//
// SPDX-License-Identifier: GPL-2.0-or-later
#ifndef SNIC_CORE_HOST_H
#define SNIC_CORE_HOST_H

#include <cstddef>
#include <cstdint>
#include <string>

#include "sriov_nic/sriov_nic.h"

namespace snic {

// Wraps SnicHostOps so core code never handles raw function pointers. Every
// DMA names the function it is performed for; a failed DMA returns false.
class Host {
 public:
  Host(const SnicHostOps& ops, void* opaque) : ops_(ops), opaque_(opaque) {}

  bool DmaRead(SnicFn fn, uint64_t addr, void* buf, size_t len) const {
    return ops_.dma_read(opaque_, fn, addr, buf, len) == 0;
  }
  bool DmaWrite(SnicFn fn, uint64_t addr, const void* buf, size_t len) const {
    return ops_.dma_write(opaque_, fn, addr, buf, len) == 0;
  }
  void MsixNotify(SnicFn fn, uint16_t vector) const {
    ops_.msix_notify(opaque_, fn, vector);
  }
  void SetIntx(SnicFn fn, bool level) const {
    ops_.set_intx(opaque_, fn, level);
  }
  bool MsixEnabled(SnicFn fn) const { return ops_.msix_enabled(opaque_, fn); }
  bool UplinkSend(const uint8_t* frame, size_t len) const {
    return ops_.uplink_send(opaque_, frame, len);
  }
  void UplinkFlush() const { ops_.uplink_flush(opaque_); }
  void ScheduleRun() const { ops_.schedule_run(opaque_); }
  void TimerArm(uint64_t deadline_ns) const {
    ops_.timer_arm(opaque_, deadline_ns);
  }
  uint64_t NowNs() const { return ops_.now_ns(opaque_); }
  void GuestError(SnicFn fn, const std::string& msg) const {
    ops_.log_guest_error(opaque_, fn, msg.c_str());
  }
  void Unimplemented(SnicFn fn, const std::string& msg) const {
    ops_.log_unimp(opaque_, fn, msg.c_str());
  }

 private:
  SnicHostOps ops_;
  void* opaque_;
};

}  // namespace snic

#endif  // SNIC_CORE_HOST_H
