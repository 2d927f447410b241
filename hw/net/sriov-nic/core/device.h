// sriov-nic core: the device as a whole (PF + VFs, switch, uplink).
//
// Owns one NetFunction per PCI function (0 = PF, 1 + n = VF n), the
// forwarding Switch and the uplink state. Every entry point from the C ABI
// mutates state, collecting side effects (interrupts, deferred work, uplink
// flush) in an Effects list, and performs them once the state is
// consistent (STYLE.md rule 1).
//
// Data path: a transmitq0 doorbell only marks the function pending and
// schedules Run(); Run() moves at most kRunBudget chains per call,
// round-robin across functions, and reports whether work remains. Frames
// from the uplink are delivered at once; when the only destination has an
// enabled but empty receiveq0 the frame is refused (QEMU queues it) and the
// uplink is flushed once that function posts buffers, or after
// kUplinkDeferNs (core timer) so a function that never posts buffers
// cannot stall the uplink for the others; that function's frames are then
// dropped until it posts buffers. While the uplink
// backend is busy (UplinkSend returned false) TX processing pauses until
// UplinkSendDone().
//
// SPDX-License-Identifier: GPL-2.0-or-later
#ifndef SNIC_CORE_DEVICE_H
#define SNIC_CORE_DEVICE_H

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "host.h"
#include "sriov_nic/sriov_nic.h"
#include "switch/switch.h"
#include "util/effects.h"
#include "virtio_net/net_function.h"

namespace snic {

using MacAddress = net::MacAddress;

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

// Uplink counters (frames that belong to no function).
struct UplinkStats {
  uint64_t rx_frames = 0;
  uint64_t rx_dropped_malformed = 0;  // shorter than Ethernet or too long
  uint64_t rx_unclaimed = 0;          // no function accepted it
  uint64_t rx_deferred = 0;           // refused for lack of RX buffers
  uint64_t tx_frames = 0;
  uint64_t tx_busy = 0;  // backend queued a frame
};

class Device {
 public:
  static constexpr unsigned kRunBudget = 256;
  static constexpr unsigned kPerFunctionQuota = 64;
  static constexpr uint64_t kUplinkDeferNs = 10'000'000;  // 10 ms

  Device(const DeviceConfig& cfg, const Host& host);
  Device(const Device&) = delete;
  Device& operator=(const Device&) = delete;

  uint16_t num_functions() const {
    return static_cast<uint16_t>(functions_.size());
  }
  uint16_t total_vfs() const { return cfg_.total_vfs; }
  uint16_t num_vfs() const { return num_vfs_; }
  bool ValidFn(SnicFn fn) const { return fn < functions_.size(); }
  const net::NetFunction& function(SnicFn fn) const { return functions_[fn]; }

  // SR-IOV NumVFs with VF Enable: VFs [0, n) are enabled, the rest reset.
  void SetNumVfs(uint16_t n);
  void ResetFunction(SnicFn fn);
  // Host-administered VF MAC, applied at the VF's next reset.
  bool SetVfMac(uint16_t vf, const MacAddress& mac);

  uint64_t MmioRead(SnicFn fn, SnicRegion region, uint64_t offset,
                    unsigned size);
  void MmioWrite(SnicFn fn, SnicRegion region, uint64_t offset, uint64_t value,
                 unsigned size);

  // Deferred TX work; true if work remains (call again).
  bool Run();
  // The core timer fired (Host::TimerArm).
  void Timer();

  bool UplinkCanReceive() const { return !uplink_throttled_; }
  size_t UplinkReceive(const uint8_t* frame, size_t len);
  void UplinkSendDone();
  void SetUplinkLink(bool up);
  const UplinkStats& uplink_stats() const { return uplink_stats_; }

 private:
  // Sends @frame from port @src to every destination the switch picks.
  void Forward(int src, const uint8_t* frame, size_t len);
  // After a guest access to @fn: RX buffers posted, or the function the
  // uplink waits for went away.
  void AfterGuestAccess(SnicFn fn);
  void Unthrottle();
  void CountRxResult(net::NetFunction& f, net::NetFunction::RxResult r);
  // Performs and clears effects_. Re-entrant: a nested entry point
  // collects and performs its own effects.
  void PerformEffects();

  DeviceConfig cfg_;
  Host host_;
  uint16_t num_vfs_ = 0;
  std::vector<net::NetFunction> functions_;
  Effects effects_;
  sw::Destinations dests_;
  std::vector<uint8_t> bounce_;
  UplinkStats uplink_stats_;
  bool uplink_busy_ = false;
  bool uplink_throttled_ = false;
  SnicFn throttled_fn_ = 0;
  uint64_t throttle_deadline_ns_ = 0;
  uint16_t rr_next_ = 0;
  bool in_run_ = false;
};

}  // namespace snic

#endif  // SNIC_CORE_DEVICE_H
