// sriov-nic core: the device as a whole: the ports (PF and VFs), the
// switch, the uplink, the TX scheduler. It composes; the logic lives in the
// parts (port/, vswitch/, device/tx_scheduler.h, the personality).
//
// Entry points (the C ABI calls them) all follow one pattern (STYLE.md
// rule 1): enter the device-wide guard, change state and record effects,
// leave the guard, then perform the effects (interrupts, frames to the
// uplink, flushes) and arm the timer for the earliest deadline. A call that
// arrives while the guard is held is refused: a guest DMA aimed at one of
// the device's own registers (a ring or buffer address inside a BAR of any
// of its functions) never runs device code in the middle of a state
// change; the glue turns the refusal into a failed DMA, which puts the
// function that issued it in its error state. Frames the netdev delivers
// while the guard is held are left queued in QEMU and flushed once it is
// released. Control events that arrive while it is held (NumVFs, a reset,
// Bus Master Enable, the uplink's send-done and link, the run state: a DMA
// that lands in config space, another NIC on the hub flushing) are not
// refused but deferred: they take effect, in order, as soon as the guard
// is released, before the entry returns to QEMU. Per-call state (the
// switch decision, the other VLAN form of a frame) lives on the stack of
// the call.
//
// Data path: a TX doorbell only marks the lane pending; Run() (a bottom
// half) moves at most kRunBudget frames per call, at most kLaneQuota from a
// lane before the next lane's turn, round-robin. Each frame: TX checks
// (vswitch/tx_checks.h), the switch (vswitch/switch.h), delivery
// (vswitch/forwarder.h), then either consumed or held (tx_scheduler.h
// explains holds and why they always end). Frames from the uplink go the
// same way; a held one is left in QEMU's queue (receive returns 0) and
// flushed when released.
//
// Netdev links. Link 0 (kUplink) is the switch's uplink. A VF listed in
// DeviceConfig::vf_netdevs is bound to a netdev of its own instead (link
// 1 + its index there), as in QEMU's composable SR-IOV where every VF has
// its own netdev: it is not a port of the switch (no other function
// reaches it through the device, it reaches none), everything it sends
// goes out of its link and everything its link brings is for it alone.
// Host policy still applies on the way: the TX checks (spoof check, VLAN
// anti-spoof, link-state, rate limit), its port VLAN (tagged on the way
// out, only its VLAN and untagged on the way in) and its RX filter. Its
// link-state auto follows its own link, not the uplink. Each link has the
// uplink's flow control (busy netdev, held RX) and counters of its own.
//
// SPDX-License-Identifier: GPL-2.0-or-later
#ifndef SNIC_CORE_DEVICE_DEVICE_H
#define SNIC_CORE_DEVICE_DEVICE_H

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "../base/effects.h"
#include "../base/host.h"
#include "../base/status.h"
#include "../eth/frame.h"
#include "../port/port.h"
#include "../virtio_net/layout.h"
#include "../virtio_net/spec.h"
#include "frame_pool.h"
#include "tx_scheduler.h"

namespace snic::ixgbe {
class Nic;
}  // namespace snic::ixgbe

namespace snic::device {

using eth::MacAddress;

// Validated device configuration.
struct DeviceConfig {
  // What the guest sees of every function: virtio-net ports or 82599
  // ones. ixgbe refuses packed and vf_netdevs and does not use queue_size
  // and queue_pairs.
  Personality personality = Personality::kVirtioNet;
  uint16_t total_vfs = 8;
  MacAddress pf_mac{};
  uint16_t mtu = 9000;     // jumbo, as the glue's default (mtu property)
  uint32_t speed = 10000;  // Mb/s, reported to the drivers (SPEED_DUPLEX)
  uint16_t queue_size = 256;
  // Offer checksum and segmentation offloads (virtio-net CSUM, TSO, USO
  // and their GUEST_* receive sides).
  bool offloads = true;
  // receiveq/transmitq pairs of every function (virtio-net MQ).
  uint16_t queue_pairs = virtio_net::kDefaultQueuePairs;
  // Offer packed virtqueues (VIRTIO_F_RING_PACKED) besides split ones.
  bool packed = false;
  // VFs bound to a netdev of their own: link 1 + k is VF vf_netdevs[k].
  std::vector<uint16_t> vf_netdevs;

  Status Validate() const;
};

// The default MAC of VF @vf: locally administered unicast, stable for a
// given PF MAC, and injective in (PF MAC low 24 bits, VF number): 6 + 8
// bits of a hash of the PF MAC's first three bytes, then the PF MAC's
// last three bytes, then the VF number. So VFs of two PFs never share a MAC
// unless the PFs' MACs end alike and their first halves collide in 14
// bits of hash, and two VFs of one PF never do.
MacAddress DefaultVfMac(const MacAddress& pf_mac, uint16_t vf);

class Device final : public port::MacDirectory {
 public:
  static constexpr unsigned kRunBudget = 256;
  static constexpr unsigned kLaneQuota = 64;

  Device(const DeviceConfig& cfg, const Host& host);
  ~Device();
  Device(const Device&) = delete;
  Device& operator=(const Device&) = delete;

  uint16_t num_functions() const {
    return static_cast<uint16_t>(ports_.size());
  }
  uint16_t total_vfs() const { return cfg_.total_vfs; }
  uint16_t num_vfs() const { return num_vfs_; }
  bool ValidFn(FnId fn) const { return fn < ports_.size(); }
  const port::Port& port(FnId fn) const { return *ports_[fn]; }

  // SR-IOV NumVFs with VF Enable: VFs [0, n) are enabled, the rest reset.
  void SetNumVfs(uint16_t n);
  // PCI function-level reset (system reset, FLR).
  void ResetFunction(FnId fn);
  // The function's Bus Master Enable bit changed.
  void SetBusMaster(FnId fn, bool on);

  // Guest register access. False only when refused because the device is
  // in the middle of a state change (a DMA aimed at its own registers).
  bool MmioRead(FnId fn, uint32_t region, uint64_t offset, unsigned size,
                uint64_t* value);
  bool MmioWrite(FnId fn, uint32_t region, uint64_t offset, uint64_t value,
                 unsigned size);

  // Deferred TX work (bottom half); true if work remains (call again).
  bool Run();
  // The core timer fired.
  void Timer();

  // The netdev links: the uplink and the VFs' own (see above).
  uint16_t num_links() const { return static_cast<uint16_t>(links_.size()); }
  bool ValidLink(LinkId link) const { return link < links_.size(); }
  // The link function @fn's frames leave by (kUplink: the switch's).
  LinkId LinkOf(FnId fn) const { return link_of_[fn]; }
  // The VF link @link (> 0) belongs to.
  uint16_t VfOfLink(LinkId link) const { return links_[link].fn - 1u; }

  bool LinkCanReceive(LinkId link) const;
  // Non-zero if consumed (delivered or dropped), 0 to leave it queued in
  // QEMU (which then stops delivering until it is flushed).
  size_t LinkReceive(LinkId link, const uint8_t* frame, size_t len);
  // The link's netdev exchanges virtio_net_hdr (a tap): it takes and gives
  // partial checksums and TSO (and USO with @uso). False without the
  // host's uplink_send_hdr (link_send for a VF's link).
  bool SetLinkVnetHdr(LinkId link, bool uso);
  // A frame from such a link with its header.
  size_t LinkReceiveHdr(LinkId link, const virtio_net::NetHdr& hdr,
                        const uint8_t* frame, size_t len);
  void LinkSendDone(LinkId link);
  void SetLinkUp(LinkId link, bool up);
  const port::UplinkStats& link_stats(LinkId link) const {
    return links_[link].stats;
  }
  bool link_up(LinkId link) const { return links_[link].link_up; }

  // The uplink (link 0).
  bool UplinkCanReceive() const { return LinkCanReceive(kUplink); }
  size_t UplinkReceive(const uint8_t* frame, size_t len) {
    return LinkReceive(kUplink, frame, len);
  }
  bool SetUplinkVnetHdr(bool uso) { return SetLinkVnetHdr(kUplink, uso); }
  size_t UplinkReceiveHdr(const virtio_net::NetHdr& hdr, const uint8_t* frame,
                          size_t len) {
    return LinkReceiveHdr(kUplink, hdr, frame, len);
  }
  void UplinkSendDone() { LinkSendDone(kUplink); }
  void SetUplinkLink(bool up) { SetLinkUp(kUplink, up); }
  const port::UplinkStats& uplink_stats() const {
    return link_stats(kUplink);
  }

  // Host-administered VF policy, validated as a whole; on error nothing
  // changes.
  Status SetVfPolicy(uint16_t vf, const policy::PortPolicy& p);
  bool GetVfPolicy(uint16_t vf, policy::PortPolicy* p) const;
  // One setting by name for one VF ("vlan", "10").
  Status SetVfSetting(uint16_t vf, const char* setting, const char* value);
  bool GetVfSetting(uint16_t vf, const char* setting, std::string* value) const;
  // One setting for a list of VFs ("0=10/1=20"); all or nothing.
  Status ApplyVfSpec(const char* setting, const char* spec);

  // port::MacDirectory
  bool TakenByOther(FnId fn, const MacAddress& mac) const override;

  // Migration (migration/device_state.cc has the stream's layout). Save
  // gives back held frames to the rings first. Load is all or nothing: a
  // stream that is not one of this device's states changes nothing and
  // says which field is wrong.
  void SaveState(std::vector<uint8_t>* out);
  Status LoadState(const uint8_t* data, size_t len);
  // The VM's run state: while stopped the device issues no DMA and
  // delivers nothing (frames stay in the rings and in QEMU's queues).
  void SetRunning(bool running);
  // After a migration: every running function is announced to the
  // network, by its driver where the personality can ask it to (virtio-net
  // GUEST_ANNOUNCE), else by a RARP the device sends on the uplink from its
  // MAC (in its port VLAN), as QEMU does for a NIC's own MAC.
  void Announce();

 private:
  // The device-wide re-entrancy guard around an entry point's state
  // change; leaving it performs the effects.
  class Entry {
   public:
    explicit Entry(Device& d) : d_(d), nested_(d.busy_) { d.busy_ = true; }
    ~Entry() {
      if (!nested_) {
        d_.Leave();
      }
    }
    Entry(const Entry&) = delete;
    Entry& operator=(const Entry&) = delete;
    bool nested() const { return nested_; }

   private:
    Device& d_;
    bool nested_;
  };

  // A netdev link (the uplink, or a VF's own netdev).
  struct Uplink {
    FnId fn = kPfFn;       // a VF's own link: that VF
    bool link_up = true;
    bool vnet_hdr = false;  // frames go with virtio_net_hdr (SetUplinkVnetHdr)
    bool uso = false;
    port::RxOffloads offloads;  // what it takes
    bool busy = false;     // QEMU queued one of our frames
    uint32_t queued = 0;   // ... this many (segments of one GSO frame)
    FnId busy_from = 0;    // the function that sent it
    Hold rx_hold;          // a frame from the netdev waits (left in QEMU)
    port::UplinkStats stats;
  };

  // A control event that arrived while the guard was held.
  struct Deferred {
    enum class Kind { kNumVfs, kReset, kBusMaster, kSendDone, kUplinkLink,
                      kRunning };
    Kind kind;
    FnId fn = 0;        // kSendDone, kUplinkLink: the link
    uint32_t value = 0;
  };

  // What UplinkReceive returns for a consumed frame of @len bytes: QEMU
  // reads 0 as "queue it and stop delivering", so even an empty frame
  // (dropped as malformed) must be reported as consumed.
  static size_t Consumed(size_t len) { return len != 0 ? len : 1; }

  enum class TxOutcome { kIdle, kDone, kHeld };
  // One frame of lane @l into @buf (its other VLAN form into @scratch):
  // checks, switch, delivery; consumed or held.
  TxOutcome TransmitOne(LaneRef l, uint8_t* buf, uint8_t* scratch);
  // Leaving the guard: finish the state change, perform, arm the timer.
  void Leave();
  void Defer(Deferred::Kind kind, FnId fn = 0, uint32_t value = 0);
  // Runs the deferred events (each one a full entry of its own).
  void ApplyDeferred();
  void RefuseNested(FnId fn);
  void RefuseStopped(FnId fn);
  // The port of function @fn for the configured personality.
  std::unique_ptr<port::Port> MakePort(FnId fn);
  void FollowGuestVfPolicy(bool force = false);
  void SyncChip();
  // A function reset or went away: its lanes, holds, queued frame.
  void ForgetFunction(FnId fn);
  Status CheckVfPolicy(uint16_t vf, const policy::PortPolicy& p) const;
  // A function other than @self whose MAC is @mac now, or will be at its
  // next reset (the PF's policy, @vf_policies for the VFs).
  std::optional<FnId> MacUser(
      FnId self, const MacAddress& mac,
      const std::vector<policy::PortPolicy>& vf_policies) const;
  static Status MacInUse(const MacAddress& mac, FnId user);
  // What PortEvents of @fn mean for the scheduler and the holds.
  void Apply(FnId fn, const port::PortEvents& ev);
  // Releases holds that wait on a port that can no longer receive.
  void ReleaseStaleHolds();
  bool Receivable(FnId dst) const;
  void ReleaseUplinkHold(LinkId link);
  // The ports a frame of @link (or from function @src, whose link it is)
  // may reach: every enabled switch port for the uplink, else the VF
  // alone (none while it is disabled); @one is the storage for that.
  std::span<const port::PortState* const> PortsOf(
      LinkId link, const port::PortState*& one) const;
  void CommitVfPolicy(uint16_t vf, const policy::PortPolicy& p);
  bool EffectiveLink(const port::Port& p) const;
  // The largest frame the rate limiter plans for (MTU + Ethernet + tag).
  uint64_t MaxFrameForRate() const;
  void RebuildActive();
  void PerformEffects(const Effects& fx);
  // Sends the uplink frame of @fx (its segments, for a GSO frame); the
  // number of frames QEMU queued (each gets an UplinkSendDone).
  uint32_t SendToUplink(const Effects& fx);
  bool SendFrameToUplink(LinkId link, const uint8_t* frame, size_t len,
                         const eth::Offload& o);
  size_t ReceiveFromLink(LinkId link, const uint8_t* frame, size_t len,
                         const eth::Offload* offload);
  void ArmTimer();

  DeviceConfig cfg_;
  Host host_;
  uint16_t num_vfs_ = 0;
  // personality=ixgbe: the 82599 the ports share (declared before them:
  // they refer to it until they are gone).
  std::unique_ptr<ixgbe::Nic> ixgbe_;
  std::vector<std::unique_ptr<port::Port>> ports_;
  std::vector<port::Port*> port_ptrs_;               // by FnId
  std::vector<const port::PortState*> active_;       // enabled ports
  std::vector<policy::PortPolicy> vf_policy_;        // host policy, by VF
  TxScheduler sched_;
  std::vector<Uplink> links_;   // by LinkId: [kUplink] is the uplink
  std::vector<LinkId> link_of_; // by FnId
  FramePool frames_;
  Effects effects_;  // the current entry's effects
  // Effects being performed, by nesting depth (a performed effect may
  // start another entry, which performs its own).
  std::vector<std::unique_ptr<Effects>> perform_stack_;
  size_t perform_depth_ = 0;
  std::vector<Deferred> deferred_;  // in arrival order
  bool busy_ = false;
  bool in_run_ = false;
  bool running_ = true;       // the VM runs (SetRunning)
  bool flush_after_ = false;  // the netdev called in while busy
  bool stale_ = false;        // a port changed: re-check the holds
  bool deadline_dirty_ = false;
  uint64_t armed_deadline_ = kNever;
  uint64_t irq_deadline_ = kNever;  // ixgbe's at the last ArmTimer
};

}  // namespace snic::device

#endif  // SNIC_CORE_DEVICE_DEVICE_H
