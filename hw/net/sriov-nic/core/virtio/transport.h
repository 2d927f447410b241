// sriov-nic core: the modern virtio-pci transport state of one function.
//
// Virtio 1.2 section 4.1.4.3 (common configuration), 4.1.4.4 (notify),
// 4.1.4.5 (ISR status) and 2.1 / 3.1.1 (device status and initialization).
// Plain state: register accesses mutate it and return events; the owner
// (a virtio device function) performs resets and logs guest errors.
// Interrupts are resolved here (Signal): the MSI-X vector the driver
// programmed, or, without MSI-X, the ISR bit plus the INTx level
// (4.1.4.5), so the effect needs no further lookups.
//
// Device status rules enforced here:
//  - writing 0 resets the function (event kEventReset);
//  - the driver may only add bits (3.1.1); clearing one is a guest error;
//  - NEEDS_RESET is owned by the device and cannot be set or cleared by the
//    driver (only a reset clears it);
//  - FEATURES_OK only sticks if the acked set is acceptable (2.2.2): a
//    subset of the offered set, VERSION_1 present, and the device-specific
//    validator passes; the driver re-reads the status to find out;
//  - DRIVER_OK without FEATURES_OK is ignored (no legacy interface).
//
// SPDX-License-Identifier: GPL-2.0-or-later
#ifndef SNIC_CORE_VIRTIO_TRANSPORT_H
#define SNIC_CORE_VIRTIO_TRANSPORT_H

#include <cstdint>
#include <vector>

#include "../base/effects.h"
#include "../base/status.h"
#include "../base/types.h"
#include "common_config.h"
#include "queue/virtqueue.h"
#include "spec.h"

namespace snic::virtio {

// Null when @acked is acceptable, else why not (a static message).
using FeatureValidator = const char* (*)(uint64_t acked);

struct TransportConfig {
  FnId fn = kPfFn;
  bool has_intx = false;  // the PF has an INTx pin, VFs have none
  uint64_t device_features = 0;
  uint16_t num_queues = 0;
  uint16_t max_queue_size = kMaxQueueSize;
  uint16_t num_vectors = 0;  // MSI-X table size
  uint32_t notify_off_multiplier = 4;
  FeatureValidator validator = nullptr;
};

// What a register write asks the owner to do (a bitmask).
enum TransportEvent : uint8_t {
  kEventNone = 0,
  kEventReset = 1,       // device_status = 0
  kEventFeaturesOk = 2,  // FEATURES_OK accepted
  kEventDriverOk = 4,    // DRIVER_OK set
  kEventQueueReset = 8,  // queue_reset: queue WriteResult::queue was reset
};

struct WriteResult {
  uint8_t events = kEventNone;
  uint16_t queue = 0;  // kEventQueueReset's queue
  Status error;        // a guest mistake to log (non-fatal)
};

// The configuration change "queue" of Signal().
inline constexpr int kConfigChange = -1;

class Transport {
 public:
  explicit Transport(const TransportConfig& cfg);

  // Back to the reset state (features, status, queues, vectors, ISR).
  // config_generation keeps counting.
  void Reset();

  // Common configuration. @size is the access width (1, 2, 4 or 8).
  uint64_t ReadCommon(uint64_t offset, unsigned size, Status* error) const;
  WriteResult WriteCommon(uint64_t offset, unsigned size, uint64_t value);

  // ISR status: reading returns the bits and clears them (4.1.4.5.1),
  // which lowers INTx.
  uint8_t ReadAndClearIsr(Effects& fx);
  uint8_t isr() const { return isr_; }

  // A doorbell write at @offset of the notify region: the queue index, or
  // -1 with @error set.
  int Notify(uint64_t offset, Status* error) const;

  // Interrupt for queue @q, or kConfigChange, through MSI-X when
  // @msix_enabled, else the ISR and INTx (VFs without MSI-X: nothing).
  void Signal(int q, bool msix_enabled, Effects& fx);

  // Device-side status changes.
  void SetNeedsReset() { status_ |= kStatusNeedsReset; }
  void BumpGeneration() { generation_++; }

  uint8_t status() const { return status_; }
  bool driver_ok() const {
    return (status_ & kStatusDriverOk) && !(status_ & kStatusFailed);
  }
  bool features_ok() const { return status_ & kStatusFeaturesOk; }
  uint64_t device_features() const { return cfg_.device_features; }
  uint64_t driver_features() const { return driver_features_; }
  bool Has(unsigned bit) const { return driver_features_ & Bit(bit); }
  QueueFeatures queue_features() const {
    return QueueFeatures{Has(kFRingIndirectDesc), Has(kFRingEventIdx),
                         Has(kFRingPacked)};
  }
  uint8_t generation() const { return generation_; }
  uint16_t msix_config() const { return msix_config_; }
  uint16_t num_queues() const { return cfg_.num_queues; }
  Virtqueue& queue(uint16_t q) { return queues_[q]; }
  const Virtqueue& queue(uint16_t q) const { return queues_[q]; }

  // Migration: the whole state as data. Check() says why @s cannot be the
  // state of this transport (OK if it can); Import() sets it.
  struct State {
    uint32_t device_feature_select = 0;
    uint32_t driver_feature_select = 0;
    uint64_t driver_features = 0;
    uint16_t msix_config = kNoVector;
    uint8_t status = 0;
    uint8_t generation = 0;
    uint16_t queue_select = 0;
    uint8_t isr = 0;
    std::vector<Virtqueue::State> queues;
  };
  State Export() const;
  Status Check(const State& s) const;
  void Import(const State& s);

 private:
  WriteResult WriteStatus(uint8_t value);
  uint16_t CheckVector(uint64_t v) const {
    return v < cfg_.num_vectors ? static_cast<uint16_t>(v) : kNoVector;
  }

  TransportConfig cfg_;
  uint32_t device_feature_select_ = 0;
  uint32_t driver_feature_select_ = 0;
  uint64_t driver_features_ = 0;
  uint16_t msix_config_ = kNoVector;
  uint8_t status_ = 0;
  uint8_t generation_ = 0;
  uint16_t queue_select_ = 0;
  uint8_t isr_ = 0;
  std::vector<Virtqueue> queues_;
};

}  // namespace snic::virtio

#endif  // SNIC_CORE_VIRTIO_TRANSPORT_H
