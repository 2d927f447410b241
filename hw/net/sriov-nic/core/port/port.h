// sriov-nic core: a port of the embedded switch, as every personality
// implements it.
//
// The switch, the TX scheduler, the forwarder, policy enforcement,
// statistics and migration work on Ports and never know which
// guest-visible personality is behind one (virtio-net today, an Intel
// 82599 VF next). A Port is one PCI function:
//  - what it is (state(): enabled, running, link, MAC and RX filter, the
//    effective policy), kept current by the personality and read by the
//    switch without virtual calls;
//  - guest register access (personality-defined regions of its BARs);
//  - TX in two steps: PeekTx() copies the head frame of a TX lane without
//    consuming it; ConsumeTx() consumes it (the frame was sent or
//    dropped). Not calling ConsumeTx() holds it: the next PeekTx() returns
//    the same frame again. EndTxBatch() ends a batch of consumes (the
//    driver may want an interrupt);
//  - RX: Deliver() one frame, or say why not.
// Frames travel with their offload metadata (eth::Offload: a partial
// checksum, a GSO frame). A port says which it takes on RX (rx_offloads);
// the forwarder converts a frame into what the port takes (segments it,
// completes its checksum) before Deliver().
// Every call that changes guest-visible state records its interrupts in
// the caller's Effects and returns what happened (PortEvents) instead of
// setting flags for the layer above.
//
// SPDX-License-Identifier: GPL-2.0-or-later
#ifndef SNIC_CORE_PORT_PORT_H
#define SNIC_CORE_PORT_PORT_H

#include <cstddef>
#include <cstdint>
#include <memory>

#include "../base/effects.h"
#include "../base/types.h"
#include "../eth/offload.h"
#include "../policy/port_policy.h"
#include "rx_filter.h"
#include "stats.h"

namespace snic::migration {
class Encoder;
class Decoder;
}  // namespace snic::migration

namespace snic::port {

// What a register access or another call tells the device.
struct PortEvents {
  uint32_t tx_kicks = 0;   // bit n: TX lane n's doorbell was rung
  bool rx_kick = false;    // an RX doorbell (buffers may have been posted)
  bool changed = false;    // running, MAC, filter or link changed

  PortEvents& operator|=(const PortEvents& o) {
    tx_kicks |= o.tx_kicks;
    rx_kick |= o.rx_kick;
    changed |= o.changed;
    return *this;
  }
};

// What a port's driver takes on RX, as it negotiated it (virtio-net: the
// GUEST_* features, narrowed by CTRL_GUEST_OFFLOADS).
struct RxOffloads {
  bool csum = false;  // partial checksums (NEEDS_CSUM) and DATA_VALID
  bool tso4 = false;
  bool tso6 = false;
  bool ecn = false;  // TSO frames with ECN (CWR) set
  bool uso4 = false;
  bool uso6 = false;

  // @o can be delivered as it is.
  bool Takes(const eth::Offload& o) const {
    if (o.needs_csum && !csum) {
      return false;
    }
    switch (o.gso) {
      case eth::Gso::kNone:
        return true;
      case eth::Gso::kTcp4:
        return csum && tso4 && (!o.ecn || ecn);
      case eth::Gso::kTcp6:
        return csum && tso6 && (!o.ecn || ecn);
      case eth::Gso::kUdp4:
        return csum && uso4;
      case eth::Gso::kUdp6:
        return csum && uso6;
    }
    return false;
  }
  bool operator==(const RxOffloads&) const = default;
};

// The switch's view of a port.
struct PortState {
  FnId fn = kPfFn;
  bool is_pf = false;
  // Exists for the guest: the PF, or a VF below NumVFs with VF Enable.
  bool enabled = false;
  // Bus Master Enable in the function's command register.
  bool bus_master = false;
  // The driver made the function operational and it is not in its error
  // state (virtio: DRIVER_OK without NEEDS_RESET).
  bool ready = false;
  // Effective link the port reports to its driver.
  bool link_up = true;
  policy::PortPolicy policy;
  RxFilter filter;
  RxOffloads rx_offloads;

  // Takes part in the data path: can DMA and has a driver.
  bool running() const { return enabled && bus_master && ready; }
  const MacAddress& mac() const { return filter.mac(); }
  bool trusted() const { return policy.trust; }
};

struct TxFrame {
  uint8_t* data = nullptr;  // the caller's buffer: may be changed in place
  size_t len = 0;
  eth::Offload offload;  // checked against the frame (eth::CheckOffload)
};

enum class TxStatus : uint8_t {
  kEmpty,     // nothing queued; the lane's doorbell is armed again
  kFrame,     // *frame is the head frame (not consumed)
  kDropped,   // a malformed entry was consumed and counted: try again
  kNotReady,  // the port cannot work now (not running): keep the lane
  kBroken,    // the port entered its error state
};

enum class RxResult : uint8_t {
  kDelivered,
  kNoBuffers,  // not enough RX buffers posted (nothing was consumed)
  kTooSmall,   // the posted buffer cannot hold the frame: dropped, counted
  kNotReady,   // not running or RX not set up
  kBroken,     // the port entered its error state
};


// The device's answer to "does another function use this MAC?", so that a
// guest request cannot give two functions one address.
class MacDirectory {
 public:
  virtual bool TakenByOther(FnId fn, const MacAddress& mac) const = 0;

 protected:
  ~MacDirectory() = default;
};

// Migration: the state every port has, and a decoded, checked port state
// (the personality's part in a subclass) waiting to be applied.
struct CommonImage {
  bool enabled = false;
  bool bus_master = false;
  bool link_up = true;
  RxFilter filter;
  PortStats stats;
};
struct PortImage {
  virtual ~PortImage() = default;
  CommonImage common;
};

class Port {
 public:
  explicit Port(FnId fn) {
    state_.fn = fn;
    state_.is_pf = fn == kPfFn;
    state_.enabled = fn == kPfFn;
  }
  virtual ~Port() = default;
  Port(const Port&) = delete;
  Port& operator=(const Port&) = delete;

  FnId fn() const { return state_.fn; }
  bool is_pf() const { return state_.is_pf; }
  const PortState& state() const { return state_; }
  bool running() const { return state_.running(); }
  PortStats& stats() { return stats_; }
  const PortStats& stats() const { return stats_; }

  // PCI function-level reset (system reset, FLR, VF Enable change): Bus
  // Master Enable off (the command register is cleared), the
  // personality's registers, queues and filter back to their reset state,
  // the MAC back to policy().mac. Counters survive.
  void Reset(Effects& fx) {
    state_.bus_master = false;
    ResetFunction(fx);
  }
  // The effective link changed (policy link-state, uplink link).
  virtual void SetLink(bool up, Effects& fx) = 0;

  void SetEnabled(bool on) { state_.enabled = on; }
  // Bus Master Enable: without it the port issues no DMA at all. Returns
  // whether it changed; the device calls Resume() once the port may work.
  bool SetBusMaster(bool on) {
    const bool was = state_.bus_master;
    state_.bus_master = on;
    return was != on;
  }
  // The port can work again (bus mastering back, the VM runs again): pick
  // up what the driver queued meanwhile (doorbells it rang).
  virtual PortEvents Resume(Effects& fx) = 0;
  // The effective policy (the host's for a VF); the MAC applies at reset.
  void SetPolicy(const policy::PortPolicy& p) { state_.policy = p; }

  // Guest register access. @region is the personality's numbering; out of
  // range or misused accesses are guest errors, absorbed.
  virtual uint64_t MmioRead(uint32_t region, uint64_t offset, unsigned size,
                            Effects& fx) = 0;
  virtual PortEvents MmioWrite(uint32_t region, uint64_t offset,
                               uint64_t value, unsigned size,
                               Effects& fx) = 0;

  // TX lanes the scheduler drains (one per TX queue).
  virtual uint16_t num_tx_lanes() const = 0;
  // Copies the head frame of @lane into @buf (eth::kMaxFrameLen bytes).
  virtual TxStatus PeekTx(uint16_t lane, uint8_t* buf, TxFrame* frame,
                          Effects& fx) = 0;
  // The frame PeekTx() returned on @lane is done: give it back to the
  // driver and count it.
  virtual void ConsumeTx(uint16_t lane, Effects& fx) = 0;
  virtual void EndTxBatch(uint16_t lane, Effects& fx) = 0;

  // Delivers @frame with @offload, which rx_offloads Takes() (the
  // forwarder converts what it does not).
  virtual RxResult Deliver(const uint8_t* frame, size_t len,
                           const eth::Offload& offload, Effects& fx) = 0;

  // Room for the segments of a GSO frame the switch is about to cut for
  // this port (it takes no GSO): how many frames of up to @seg_len bytes
  // the queue @frame would go to can take now, and at most (its ring).
  // The switch holds a frame that does not fit now but would, instead of
  // delivering its first segments and dropping the rest (TCP would see
  // the loss). Unknown (the default): each segment is offered alone.
  struct RxRoom {
    size_t now = SIZE_MAX;
    size_t most = SIZE_MAX;
  };
  virtual RxRoom RoomFor(const uint8_t* frame, size_t len,
                         size_t seg_len) const {
    (void)frame;
    (void)len;
    (void)seg_len;
    return {};
  }

  // After a migration: the port announces itself to the network if its
  // personality can (virtio-net GUEST_ANNOUNCE: the driver sends
  // gratuitous ARP/NA). False if the device must do it for it.
  virtual bool Announce(Effects& fx) = 0;

  // Migration (migration/device_state.cc). Quiesce() gives back to the
  // guest's rings what the port took and did not consume (a held TX
  // frame), so guest memory plus Encode() is the whole state. Decode()
  // reads and checks a state into an image without changing anything;
  // Commit() applies a decoded image. The policy is the device's and not
  // part of it.
  virtual void Quiesce() = 0;
  virtual void Encode(migration::Encoder& e) const = 0;
  virtual std::unique_ptr<PortImage> Decode(migration::Decoder& d) const = 0;
  virtual void Commit(const PortImage& image) = 0;

 protected:
  // The common state, for the personalities' Encode/Decode/Commit.
  void EncodeCommon(migration::Encoder& e) const;
  static void DecodeCommon(migration::Decoder& d, CommonImage* c);
  void CommitCommon(const CommonImage& c);

  // The personality's part of Reset().
  virtual void ResetFunction(Effects& fx) = 0;

  PortState state_;
  PortStats stats_;
};

}  // namespace snic::port

#endif  // SNIC_CORE_PORT_PORT_H
