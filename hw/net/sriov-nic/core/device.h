/*
 * sriov-nic core: the device as a whole (PF + VFs).
 *
 * Copyright (c) 2026 The sriov-nic authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef SNIC_CORE_DEVICE_H
#define SNIC_CORE_DEVICE_H

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "sriov_nic/sriov_nic.h"

namespace snic {

using MacAddress = std::array<uint8_t, 6>;

// The host side of the seam, as the core sees it. Wraps SnicHostOps so core
// code never handles raw function pointers.
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

// Validated device configuration.
struct DeviceConfig {
  uint16_t total_vfs = 8;
  MacAddress pf_mac{};
  uint16_t mtu = 1500;
  uint16_t queue_size = SNIC_MAX_QUEUE_SIZE;

  // Empty when valid, otherwise a message for the user.
  std::string Validate() const;
};

// A stable, locally administered unicast MAC for VF @vf derived from the
// PF's MAC: 02:<pf[1..4]>:<vf+1>, so VFs of different PFs differ and the
// same command line always yields the same addresses.
MacAddress DefaultVfMac(const MacAddress& pf_mac, uint16_t vf);

// One PCI function (PF or VF) as the core tracks it.
struct FunctionState {
  bool enabled = false;  // VFs: VF Enable and index < NumVFs. PF: always.
  MacAddress mac{};
  uint32_t resets = 0;   // function-level resets seen (for tests/stats)
};

class Device {
 public:
  Device(const DeviceConfig& cfg, const Host& host);

  uint16_t num_functions() const {
    return static_cast<uint16_t>(functions_.size());
  }
  uint16_t total_vfs() const { return cfg_.total_vfs; }
  uint16_t num_vfs() const { return num_vfs_; }
  bool ValidFn(SnicFn fn) const { return fn < functions_.size(); }
  const FunctionState& function(SnicFn fn) const { return functions_[fn]; }

  // SR-IOV NumVFs with VF Enable: VFs [0, n) are enabled, the rest reset.
  void SetNumVfs(uint16_t n);
  void ResetFunction(SnicFn fn);

  uint64_t MmioRead(SnicFn fn, SnicRegion region, uint64_t offset,
                    unsigned size);
  void MmioWrite(SnicFn fn, SnicRegion region, uint64_t offset,
                 uint64_t value, unsigned size);

 private:
  DeviceConfig cfg_;
  Host host_;
  uint16_t num_vfs_ = 0;
  std::vector<FunctionState> functions_;
};

}  // namespace snic

#endif  // SNIC_CORE_DEVICE_H
