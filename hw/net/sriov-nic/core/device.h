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
// Per-VF policy on TX, before the switch: link-state down drops
// (tx_drop_link_down), spoofchk drops frames whose source MAC is not the
// VF's current MAC (tx_drop_spoof); the switch drops tagged TX of a
// port-VLAN VF (tx_drop_vlan). max-tx-rate is a TokenBucket per VF: when
// it is in debt Run() stops popping that VF's transmitq0 (descriptors stay
// in the ring), counts tx_rate_waits and arms the core timer for when the
// debt is paid. The one core timer serves both the uplink hold and the
// rate limits: it is armed for the earliest deadline and Timer() handles
// whatever is due.
//
// TX backpressure between functions: when a chain's frame is unicast to
// exactly one function (no uplink copy, nothing filtered) whose enabled
// receiveq0 has no available buffer, the chain stays in the source's
// transmitq0 (not used, counted or charged to the rate limit) and that
// source is blocked on the destination; only its transmitq0 waits. A
// receiveq0 doorbell of the destination resumes it. After kTxBlockNs
// (core timer), or when the destination stops being ready (reset,
// disabled, NEEDS_RESET, link down), the frame goes through the switch
// again and meets today's fate (rx_drop_no_buffers when still no
// buffers); a timeout also marks the destination rx_starved, so its frames
// are dropped without waiting until it posts buffers. Resetting or
// disabling the source forgets the block.
//
// SPDX-License-Identifier: GPL-2.0-or-later
#ifndef SNIC_CORE_DEVICE_H
#define SNIC_CORE_DEVICE_H

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "host.h"
#include "policy/token_bucket.h"
#include "policy/vf_policy.h"
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

// Uplink port counters, as the switch sees the port (rx = from the netdev).
struct UplinkStats {
  uint64_t rx_frames = 0;
  uint64_t rx_bytes = 0;
  uint64_t rx_dropped_malformed = 0;   // shorter than Ethernet or too long
  uint64_t rx_unclaimed = 0;           // no function accepted it
  uint64_t rx_deferred = 0;            // refused for lack of RX buffers
  uint64_t rx_dropped_no_buffers = 0;  // its only destination had none
  uint64_t tx_frames = 0;
  uint64_t tx_bytes = 0;
  uint64_t tx_busy = 0;  // backend queued a frame
  uint64_t tx_dropped_link_down = 0;

  // The C ABI view (sriov_nic.h, snic_core_get_uplink_stats).
  SnicStats ToSnicStats() const;
};

class Device {
 public:
  static constexpr unsigned kRunBudget = 256;
  static constexpr unsigned kPerFunctionQuota = 64;
  static constexpr uint64_t kUplinkDeferNs = 10'000'000;  // 10 ms
  static constexpr uint64_t kTxBlockNs = 10'000'000;      // 10 ms

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
  // Host-administered VF policy (sriov_nic.h snic_core_set_vf_policy):
  // validated as a whole; on error nothing changes and @err says why.
  bool SetVfPolicy(uint16_t vf, const policy::VfPolicy& p, std::string* err);
  bool GetVfPolicy(uint16_t vf, policy::VfPolicy* p) const;
  // One setting for a list of VFs ("0=10/1=20"); all or nothing.
  bool ApplyVfSpec(const char* setting, const char* spec, std::string* err);

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
  bool uplink_link_up() const { return uplink_link_up_; }
  const UplinkStats& uplink_stats() const { return uplink_stats_; }

 private:
  // Whether VF policy lets @frame of @f leave (link-state, spoofchk).
  enum class TxPolicy { kPass, kLinkDown, kSpoof };
  static TxPolicy CheckTxPolicy(const net::NetFunction& f,
                                const uint8_t* frame);
  void CountTxPolicyDrop(net::NetFunction& f, TxPolicy p);
  // After Switch::Decide for a unicast @frame: true with *@dst when its
  // only destination is a function with an empty receiveq0 worth waiting
  // for.
  bool MustWaitForRx(const uint8_t* frame, SnicFn* dst);
  // Ends blocks whose source went away or whose destination cannot
  // receive any more (resuming those sources); with @posted_fn, also the
  // blocks on that function, which just posted RX buffers.
  void ReleaseTxBlocks(int posted_fn = -1);
  // Sends @frame from port @src to every destination the last
  // Switch::Decide picked.
  void Forward(int src, const uint8_t* frame, size_t len);
  // @frame in the form (802.1Q tagged or not) a destination of the last
  // Switch::Decide wants; builds it in vlan_buf_ at most once per frame.
  const uint8_t* FrameForm(const uint8_t* frame, size_t len, bool tagged,
                           size_t* out_len);
  // Arms the core timer for the earliest pending deadline, if any.
  void ArmTimer();
  // After a guest access to @fn: RX buffers posted, or the function the
  // uplink waits for went away.
  void AfterGuestAccess(SnicFn fn);
  void Unthrottle();
  // Stores a validated policy and applies what changes at once (link).
  void CommitVfPolicy(uint16_t vf, const policy::VfPolicy& p);
  // The link @f reports: its link-state policy, auto = the uplink's.
  bool EffectiveLink(const net::NetFunction& f) const;
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
  std::vector<uint8_t> vlan_buf_;  // the other VLAN form of a frame
  bool vlan_form_valid_ = false;
  size_t vlan_form_len_ = 0;
  struct TxShaper {
    policy::TokenBucket bucket;
    bool waiting = false;  // in debt: transmitq0 not popped until ready_ns
    uint64_t ready_ns = 0;
  };
  std::vector<TxShaper> shapers_;  // by SnicFn
  struct TxBlock {
    bool active = false;  // transmitq0 not popped until dst has buffers
    SnicFn dst = 0;
    uint64_t deadline_ns = 0;
  };
  std::vector<TxBlock> tx_blocks_;  // by source SnicFn
  UplinkStats uplink_stats_;
  bool uplink_busy_ = false;
  bool uplink_link_up_ = true;
  bool uplink_throttled_ = false;
  SnicFn throttled_fn_ = 0;
  uint64_t throttle_deadline_ns_ = 0;
  uint16_t rr_next_ = 0;
  bool in_run_ = false;
};

}  // namespace snic

#endif  // SNIC_CORE_DEVICE_H
