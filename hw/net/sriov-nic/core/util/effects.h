// sriov-nic core: side effects collected while the device state changes.
//
// Core logic never calls back into the host in the middle of a state change
// (STYLE.md rule 1): it records what must happen here, and Device performs
// the list once its state is consistent. Callbacks that can re-enter the
// core (UplinkFlush makes QEMU deliver queued frames synchronously) run last.
//
// SPDX-License-Identifier: GPL-2.0-or-later
#ifndef SNIC_CORE_UTIL_EFFECTS_H
#define SNIC_CORE_UTIL_EFFECTS_H

#include <cstdint>
#include <vector>

#include "sriov_nic/sriov_nic.h"

namespace snic {

struct PendingInterrupt {
  SnicFn fn;
  int16_t queue;  // virtqueue index, or kConfigInterrupt
};
inline constexpr int16_t kConfigInterrupt = -1;

struct Effects {
  std::vector<PendingInterrupt> interrupts;
  bool lower_pf_intx = false;  // the PF's ISR was cleared
  bool schedule_run = false;   // TX work is pending: Host::ScheduleRun
  bool uplink_flush = false;   // RX buffers arrived: Host::UplinkFlush

  void QueueInterrupt(SnicFn fn, uint16_t queue) {
    interrupts.push_back({fn, static_cast<int16_t>(queue)});
  }
  void ConfigInterrupt(SnicFn fn) {
    interrupts.push_back({fn, kConfigInterrupt});
  }
  bool empty() const {
    return interrupts.empty() && !lower_pf_intx && !schedule_run &&
           !uplink_flush;
  }
};

}  // namespace snic

#endif  // SNIC_CORE_UTIL_EFFECTS_H
