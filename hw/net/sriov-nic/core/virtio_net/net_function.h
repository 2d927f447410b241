// sriov-nic core: one virtio-net function (the PF or a VF).
//
// Virtio 1.2 section 5.1 on top of the modern PCI transport (4.1): BAR 0
// register regions, the receiveq0 / transmitq0 / controlq virtqueues, the
// device configuration (5.1.4), the packet header (5.1.6) and the control
// virtqueue (5.1.6.5). The function does not know about other functions or
// the uplink: the Device moves frames between functions through the Switch.
//
// Guest mistakes are logged (Host::GuestError) and absorbed. Fatal ones
// (bad rings or chains, failed DMA) set DEVICE_NEEDS_RESET, raise a
// configuration change interrupt and stop all processing on the function
// until the driver resets it, like QEMU's virtio_error() (2.1.2).
//
// SPDX-License-Identifier: GPL-2.0-or-later
#ifndef SNIC_CORE_NET_NET_FUNCTION_H
#define SNIC_CORE_NET_NET_FUNCTION_H

#include <cstddef>
#include <cstdint>
#include <string>

#include "../host.h"
#include "../policy/vf_policy.h"
#include "../util/effects.h"
#include "../virtio/transport.h"
#include "rx_filter.h"
#include "spec.h"
#include "sriov_nic/sriov_nic.h"

namespace snic::net {

// Features offered by every function; the PF adds VIRTIO_F_SR_IOV.
uint64_t OfferedFeatures(bool is_pf);
// Feature dependencies (5.1.3.1); nullptr when @acked is acceptable.
const char* ValidateNetFeatures(uint64_t acked);

struct FunctionParams {
  SnicFn fn = SNIC_FN_PF;
  uint16_t mtu = 1500;
  uint16_t queue_size = SNIC_MAX_QUEUE_SIZE;
  MacAddress mac{};  // the address a reset restores
};

class NetFunction {
 public:
  NetFunction(const FunctionParams& p, const Host& host);

  SnicFn fn() const { return fn_; }
  bool is_pf() const { return fn_ == SNIC_FN_PF; }

  // VF Enable (always true for the PF). A disabled function ignores MMIO.
  bool enabled() const { return enabled_; }
  void set_enabled(bool on) { enabled_ = on; }

  // Device reset / FLR: transport, queues, filter and MAC back to reset
  // state. Counters survive.
  void Reset(Effects& fx);
  uint32_t resets() const { return resets_; }
  void set_reset_mac(const MacAddress& mac) {
    reset_mac_ = mac;
    policy_.mac = mac;
  }
  const MacAddress& reset_mac() const { return reset_mac_; }

  // Host-administered policy (policy::PfPolicy for the PF). policy().mac
  // is the reset MAC. The switch and Device enforce it; turning trust off
  // also ends PROMISC / ALLUNI / ALLMULTI the driver had set (ALLMULTI
  // goes back to its reset state).
  const policy::VfPolicy& policy() const { return policy_; }
  void set_policy(const policy::VfPolicy& p);

  // BAR 0 regions. Never fail: bad accesses are logged and absorbed.
  uint64_t MmioRead(SnicRegion region, uint64_t offset, unsigned size,
                    Effects& fx);
  void MmioWrite(SnicRegion region, uint64_t offset, uint64_t value,
                 unsigned size, Effects& fx);

  // virtio_net_config.status LINK_UP; a change bumps config_generation and
  // raises a configuration change interrupt once DRIVER_OK.
  void SetLink(bool up, Effects& fx);
  bool link_up() const { return link_up_; }

  // The function takes part in the data path (DRIVER_OK, not broken).
  bool Running() const {
    return enabled_ && transport_.driver_ok() && !broken_;
  }
  bool broken() const { return broken_; }

  // TX in two steps, so the Device can leave a frame in the ring (TX
  // backpressure). TakeTx() takes one chain from transmitq0 and copies its
  // frame (without the virtio_net_hdr) into @buf (kMaxFrameLen bytes). On
  // kFrame the chain is held, neither used nor counted: CompleteTx()
  // returns it to the driver and counts it (false if that broke the
  // function), UntakeTx() puts it back at the head of the ring untouched.
  // A malformed chain is completed and counted at once (kDropped).
  enum class TxResult { kEmpty, kFrame, kDropped, kBroken };
  TxResult TakeTx(uint8_t* buf, size_t* len, Effects& fx);
  bool CompleteTx(Effects& fx);
  void UntakeTx();
  // Ends a TX batch: interrupt if the driver wants one.
  void FinishTx(Effects& fx);
  bool tx_pending = false;  // doorbell rung, work queued for Device::Run

  // RX: one frame into receiveq0 (one chain, or several with
  // VIRTIO_NET_F_MRG_RXBUF).
  enum class RxResult { kDelivered, kNoBuffers, kTooSmall, kNotReady, kBroken };
  RxResult Deliver(const uint8_t* frame, size_t len, Effects& fx);
  // receiveq0 is enabled and the function running: worth waiting for.
  bool RxQueueReady() const {
    return Running() && transport_.queue(kRxQueue).enabled();
  }
  // receiveq0 holds at least one available buffer; nothing is taken. Like
  // a delivery finding the ring empty, it asks for a kick with EVENT_IDX
  // (2.7.10). False when not ready or broken (a bad ring is fatal).
  bool RxBuffersAvailable(Effects& fx);
  bool rx_notified = false;  // receiveq0 doorbell since last cleared
  // The uplink waited too long for this function's RX buffers: frames for
  // it are dropped (not deferred) until it posts buffers or resets.
  bool rx_starved = false;

  const RxFilter& filter() const { return filter_; }
  const MacAddress& mac() const { return filter_.mac(); }
  SnicStats& stats() { return stats_; }
  const SnicStats& stats() const { return stats_; }
  const virtio::Transport& transport() const { return transport_; }
  virtio::Transport& transport() { return transport_; }

 private:
  void GuestError(const std::string& msg);
  // Fatal guest error: NEEDS_RESET, config interrupt, stop processing.
  void Fail(const char* what, Effects& fx);
  // Marks the chain TakeTx() holds used (length 0); false if none or the
  // function broke.
  bool ReturnTakenTx(Effects& fx);
  void OnNotify(uint16_t queue, Effects& fx);
  void ProcessControl(Effects& fx);
  void NotifyQueue(uint16_t queue, Effects& fx);
  uint64_t ReadDeviceConfig(uint64_t offset, unsigned size) const;
  virtio::GuestMemory Mem() const { return virtio::GuestMemory(*host_, fn_); }

  const Host* host_;
  SnicFn fn_;
  uint16_t mtu_;
  MacAddress reset_mac_;
  bool enabled_ = false;
  bool broken_ = false;
  bool link_up_ = true;
  uint16_t net_status_extra_ = 0;  // VIRTIO_NET_S_ANNOUNCE
  uint32_t resets_ = 0;
  bool tx_taken_ = false;  // TakeTx() holds a chain
  uint16_t tx_taken_head_ = 0;
  uint32_t tx_taken_len_ = 0;
  virtio::Transport transport_;
  RxFilter filter_;
  policy::VfPolicy policy_;
  SnicStats stats_{};
};

}  // namespace snic::net

#endif  // SNIC_CORE_NET_NET_FUNCTION_H
