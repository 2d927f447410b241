// sriov-nic core: the modern virtio-pci transport state of one function.
//
// Virtio 1.2 section 4.1.4.3 (common configuration), 4.1.4.4 (notify),
// 4.1.4.5 (ISR status) and 2.1 / 3.1.1 (device status and initialization).
// Plain state: register accesses mutate it and return events; the owner
// (NetFunction) performs resets, logs guest errors and raises interrupts.
//
// Device status rules enforced here:
//  - writing 0 resets the function (event kReset);
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

#include <array>
#include <cstdint>

#include "common_config.h"
#include "spec.h"
#include "sriov_nic/sriov_nic.h"
#include "virtqueue.h"

namespace snic::virtio {

inline constexpr uint16_t kNumQueues = SNIC_NUM_QUEUES;

// Returns nullptr when @acked is acceptable, else why not.
using FeatureValidator = const char* (*)(uint64_t acked);

// What a register write asks the owner to do (a bitmask).
enum TransportEvent : uint8_t {
  kEventNone = 0,
  kEventReset = 1,         // device_status = 0
  kEventFeaturesOk = 2,    // FEATURES_OK accepted
  kEventDriverOk = 4,      // DRIVER_OK set
  kEventQueueEnabled = 8,  // queue_enable = 1 on queue `queue`
};

struct WriteResult {
  uint8_t events = kEventNone;
  uint16_t queue = 0;
  const char* error = nullptr;  // a guest mistake to log (non-fatal)
};

class Transport {
 public:
  Transport(uint64_t device_features, uint16_t max_queue_size,
            FeatureValidator validator);

  // Back to the reset state (features, status, queues, vectors, ISR).
  // config_generation keeps counting.
  void Reset();

  // Common configuration. @size is the access width (1, 2, 4 or 8).
  uint64_t ReadCommon(uint64_t offset, unsigned size, const char** error) const;
  WriteResult WriteCommon(uint64_t offset, unsigned size, uint64_t value);

  // ISR status: reading returns the bits and clears them (4.1.4.5.1).
  uint8_t ReadAndClearIsr() {
    const uint8_t v = isr_;
    isr_ = 0;
    return v;
  }
  uint8_t isr() const { return isr_; }
  void RaiseIsr(uint8_t bits) { isr_ |= bits; }

  // A doorbell write at @offset of the notify region. Returns the queue
  // index, or -1 with @error set.
  int Notify(uint64_t offset, const char** error) const;

  // Device-side status changes.
  void SetNeedsReset() { status_ |= kStatusNeedsReset; }
  void BumpGeneration() { generation_++; }

  uint8_t status() const { return status_; }
  bool driver_ok() const {
    return (status_ & kStatusDriverOk) && !(status_ & kStatusFailed);
  }
  bool features_ok() const { return status_ & kStatusFeaturesOk; }
  uint64_t device_features() const { return device_features_; }
  uint64_t driver_features() const { return driver_features_; }
  bool Has(unsigned bit) const { return driver_features_ & Bit(bit); }
  QueueFeatures queue_features() const {
    return QueueFeatures{Has(kFRingIndirectDesc), Has(kFRingEventIdx)};
  }
  uint8_t generation() const { return generation_; }
  uint16_t msix_config() const { return msix_config_; }
  SplitQueue& queue(uint16_t q) { return queues_[q]; }
  const SplitQueue& queue(uint16_t q) const { return queues_[q]; }

 private:
  WriteResult WriteStatus(uint8_t value);
  static uint16_t CheckVector(uint64_t v) {
    return v < SNIC_MSIX_VECTORS ? static_cast<uint16_t>(v) : kNoVector;
  }

  uint64_t device_features_;
  uint16_t max_queue_size_;
  FeatureValidator validator_;

  uint32_t device_feature_select_ = 0;
  uint32_t driver_feature_select_ = 0;
  uint64_t driver_features_ = 0;
  uint16_t msix_config_ = kNoVector;
  uint8_t status_ = 0;
  uint8_t generation_ = 0;
  uint16_t queue_select_ = 0;
  uint8_t isr_ = 0;
  std::array<SplitQueue, kNumQueues> queues_{};
};

}  // namespace snic::virtio

#endif  // SNIC_CORE_VIRTIO_TRANSPORT_H
