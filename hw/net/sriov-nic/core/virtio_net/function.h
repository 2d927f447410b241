// sriov-nic core: one virtio-net function (the PF or a VF), a Port of the
// embedded switch.
//
// Virtio 1.2 section 5.1 on top of the modern PCI transport (4.1): BAR 0
// register regions (layout.h), receiveq0 / transmitq0 / controlq, the
// device configuration (5.1.4), the packet header (5.1.6) and the control
// virtqueue (5.1.6.5). The function knows nothing of other functions or
// the uplink: the device moves frames between ports through the switch.
//
// Multiqueue (5.1.6.5.5): FunctionConfig::queue_pairs receiveq/transmitq
// pairs (the PF's queue-pairs property; MQ and RSS are offered when it is
// more than 1, HASH_REPORT always). Each transmitq is a TX lane of the
// port; the device's scheduler drains them round-robin. A received frame
// goes to the receiveq rss.h picks: the driver's RSS indirection table, or
// a flow hash over the pairs VQ_PAIRS_SET turned on.
//
// Sources: function.cc (registers, configuration, reset), tx.cc (transmitqs),
// rx.cc (receiveqs, mergeable buffers), control_queue.cc (controlq; the
// commands themselves are control.cc), rss.cc (hashing, queue selection).
//
// Guest mistakes are logged (Host::GuestError) and absorbed. Fatal ones
// (bad rings or chains, failed DMA) set DEVICE_NEEDS_RESET, raise a
// configuration change interrupt and stop all processing on the function
// until the driver resets it, like QEMU's virtio_error() (2.1.2). While Bus
// Master Enable is off the function issues no DMA at all, and that is not
// an error: work waits until it is back.
//
// SPDX-License-Identifier: GPL-2.0-or-later
#ifndef SNIC_CORE_VIRTIO_NET_FUNCTION_H
#define SNIC_CORE_VIRTIO_NET_FUNCTION_H

#include <cstddef>
#include <cstdint>

#include "../base/host.h"
#include "../port/port.h"
#include "../virtio/transport.h"
#include <vector>

#include "layout.h"
#include "rss.h"
#include "spec.h"

namespace snic::virtio_net {

// The offloads a function offers (unless FunctionConfig::offloads is off):
// checksum, TSO (with ECN) and USO in both directions, and
// CTRL_GUEST_OFFLOADS for the driver to narrow the receive ones at run
// time (ethtool -K).
inline constexpr uint64_t kHostOffloadFeatures =
    virtio::Bit(kFCsum) | virtio::Bit(kFHostTso4) | virtio::Bit(kFHostTso6) |
    virtio::Bit(kFHostEcn) | virtio::Bit(kFHostUso);
inline constexpr uint64_t kGuestOffloadFeatures =
    virtio::Bit(kFGuestCsum) | virtio::Bit(kFGuestTso4) |
    virtio::Bit(kFGuestTso6) | virtio::Bit(kFGuestEcn) |
    virtio::Bit(kFGuestUso4) | virtio::Bit(kFGuestUso6);

// Features offered by every function; the PF adds VIRTIO_F_SR_IOV. MQ and
// RSS need more than one queue pair.
uint64_t OfferedFeatures(bool is_pf, bool offloads = true,
                         uint16_t queue_pairs = 1);
// Feature dependencies (5.1.3.1); null when @acked is acceptable.
const char* ValidateNetFeatures(uint64_t acked);
// What a driver with these receive offloads on takes.
port::RxOffloads RxOffloadsOf(uint64_t guest_offloads);

struct FunctionConfig {
  FnId fn = kPfFn;
  uint16_t mtu = 9000;
  uint32_t speed = 10000;  // Mb/s, in the config space (SPEED_DUPLEX)
  uint16_t queue_size = virtio::kMaxQueueSize;
  bool offloads = true;  // offer the checksum and segmentation offloads
  uint16_t queue_pairs = 1;  // 1..kMaxQueuePairs
  bool packed = false;       // offer VIRTIO_F_RING_PACKED
};

class Function final : public port::Port {
 public:
  Function(const FunctionConfig& cfg, const Host& host,
           const port::MacDirectory& macs);

  void SetLink(bool up, Effects& fx) override;
  uint64_t MmioRead(uint32_t region, uint64_t offset, unsigned size,
                    Effects& fx) override;
  port::PortEvents MmioWrite(uint32_t region, uint64_t offset, uint64_t value,
                             unsigned size, Effects& fx) override;

  uint16_t num_tx_lanes() const override { return max_pairs_; }
  port::TxStatus PeekTx(uint16_t lane, uint8_t* buf, port::TxFrame* frame,
                        Effects& fx) override;
  void ConsumeTx(uint16_t lane, Effects& fx) override;
  void EndTxBatch(uint16_t lane, Effects& fx) override;

  port::RxResult Deliver(const uint8_t* frame, size_t len,
                         const eth::Offload& offload, Effects& fx) override;

  bool Announce(Effects& fx) override;
  port::PortEvents Resume(Effects& fx) override;
  void Quiesce() override;
  void Encode(migration::Encoder& e) const override;
  std::unique_ptr<port::PortImage> Decode(migration::Decoder& d) const override;
  void Commit(const port::PortImage& image) override;

  const virtio::Transport& transport() const { return transport_; }
  bool broken() const { return broken_; }
  uint16_t max_queue_pairs() const { return max_pairs_; }
  // The pairs VQ_PAIRS_SET (or RSS_CONFIG's max_tx_vq) turned on.
  uint16_t queue_pairs() const { return curr_pairs_; }
  const RssConfig& rss() const { return rss_; }

 protected:
  void ResetFunction(Effects& fx) override;

 private:
  // virtio device reset (device_status = 0, or a function-level reset).
  void DeviceReset(Effects& fx);
  void GuestError(const char* msg);
  // Fatal guest error: NEEDS_RESET, config interrupt, stop processing.
  void Fail(const Status& why, Effects& fx);
  void UpdateReady() { state_.ready = transport_.driver_ok() && !broken_; }
  NetHdrHash RxHeader(const uint8_t* frame, size_t len,
                      const eth::Offload& o, const FrameHash& hash) const;
  // The receive offloads on now (CTRL_GUEST_OFFLOADS), and rx_offloads.
  void SetGuestOffloads(uint64_t offloads);
  // Reads a transmitq's virtio_net_hdr into @o, or says why it is
  // malformed.
  Status ParseTxHeader(const NetHdr& hdr, const uint8_t* frame,
                            size_t len, eth::Offload* o) const;
  // MQ or RSS negotiated: the controlq moves to 2 * max_virtqueue_pairs
  // and every pair may be used (5.1.2).
  bool Multiqueue() const {
    return transport_.Has(kFMq) || transport_.Has(kFRss);
  }
  uint16_t CtrlQueue() const {
    return Multiqueue() ? static_cast<uint16_t>(2 * max_pairs_) : 2;
  }
  uint16_t UsablePairs() const { return Multiqueue() ? max_pairs_ : 1; }
  // The virtio_net_hdr on both queues: 20 bytes with HASH_REPORT.
  size_t HdrLen() const {
    return transport_.Has(kFHashReport) ? sizeof(NetHdrHash)
                                        : sizeof(NetHdr);
  }
  uint32_t AllLanes() const { return (uint32_t{1} << max_pairs_) - 1; }
  // Queue @q can be worked on: running, enabled.
  bool QueueLive(uint16_t q) const {
    return running() && transport_.queue(q).enabled();
  }
  port::PortEvents OnNotify(uint16_t queue, Effects& fx);
  void ProcessControl(Effects& fx, port::PortEvents* ev);
  void NotifyQueue(uint16_t queue, Effects& fx);
  uint64_t ReadDeviceConfig(uint64_t offset, unsigned size) const;
  virtio::GuestMemory Mem() const { return virtio::GuestMemory(*host_, fn()); }

  struct Image;

  const Host* host_;
  const port::MacDirectory* macs_;
  uint16_t mtu_;
  uint32_t speed_;
  uint16_t max_pairs_;
  uint16_t curr_pairs_ = 1;
  RssConfig rss_;
  bool broken_ = false;
  bool announce_ = false;  // VIRTIO_NET_S_ANNOUNCE, until ANNOUNCE_ACK
  uint64_t guest_offloads_ = 0;  // GUEST_* offloads on (5.1.6.5.6.1)
  // One per transmitq: the chain PeekTx() took and not yet consumed.
  struct TxLane {
    bool peeked = false;
    uint16_t head = 0;
    uint32_t len = 0;
    bool completed = false;  // used entries published since EndTxBatch
  };
  std::vector<TxLane> tx_lanes_;
  virtio::Transport transport_;
};

}  // namespace snic::virtio_net

#endif  // SNIC_CORE_VIRTIO_NET_FUNCTION_H
