// sriov-nic core: the modern virtio-pci transport state of one function.
// SPDX-License-Identifier: GPL-2.0-or-later
#include "transport.h"

#include <string>

namespace snic::virtio {

Transport::Transport(const TransportConfig& cfg)
    : cfg_(cfg), queues_(cfg.num_queues) {
  Reset();
}

void Transport::Reset() {
  device_feature_select_ = 0;
  driver_feature_select_ = 0;
  driver_features_ = 0;
  msix_config_ = kNoVector;
  status_ = 0;
  queue_select_ = 0;
  isr_ = 0;
  for (Virtqueue& q : queues_) {
    q.Reset(cfg_.max_queue_size);
  }
}

uint64_t Transport::ReadCommon(uint64_t offset, unsigned size,
                               Status* error) const {
  *error = Status::Ok();
  const RegSpec* r = FindCommonReg(offset);
  if (r == nullptr) {
    if (offset >= kCommonCfgSize) {
      return 0;  // Unused space: reads as zero, not an error.
    }
    *error = Status::Invalid("common config read not at a field boundary");
    return 0;
  }
  if (size == 8 && r->low_of_64) {
    Status e;
    const uint64_t lo = ReadCommon(offset, 4, &e);
    const uint64_t hi = ReadCommon(offset + 4, 4, &e);
    return lo | (hi << 32);
  }
  if (size != r->width) {
    *error = Status::Invalid("common config read with the wrong width");
    return 0;
  }
  const bool qvalid = queue_select_ < cfg_.num_queues;
  const Virtqueue* q = qvalid ? &queues_[queue_select_] : nullptr;
  switch (r->reg) {
    case CommonReg::kDeviceFeatureSelect:
      return device_feature_select_;
    case CommonReg::kDeviceFeature:
      return device_feature_select_ < 2
                 ? static_cast<uint32_t>(cfg_.device_features >>
                                         (32 * device_feature_select_))
                 : 0;
    case CommonReg::kDriverFeatureSelect:
      return driver_feature_select_;
    case CommonReg::kDriverFeature:
      return driver_feature_select_ < 2
                 ? static_cast<uint32_t>(driver_features_ >>
                                         (32 * driver_feature_select_))
                 : 0;
    case CommonReg::kMsixConfig:
      return msix_config_;
    case CommonReg::kNumQueues:
      return cfg_.num_queues;
    case CommonReg::kDeviceStatus:
      return status_;
    case CommonReg::kConfigGeneration:
      return generation_;
    case CommonReg::kQueueSelect:
      return queue_select_;
    case CommonReg::kQueueSize:
      return q ? q->size() : 0;
    case CommonReg::kQueueMsixVector:
      return q ? q->msix_vector() : kNoVector;
    case CommonReg::kQueueEnable:
      return q ? q->enabled() : 0;
    case CommonReg::kQueueNotifyOff:
      return q ? queue_select_ : 0;
    case CommonReg::kQueueDescLo:
      return q ? static_cast<uint32_t>(q->desc()) : 0;
    case CommonReg::kQueueDescHi:
      return q ? static_cast<uint32_t>(q->desc() >> 32) : 0;
    case CommonReg::kQueueDriverLo:
      return q ? static_cast<uint32_t>(q->driver()) : 0;
    case CommonReg::kQueueDriverHi:
      return q ? static_cast<uint32_t>(q->driver() >> 32) : 0;
    case CommonReg::kQueueDeviceLo:
      return q ? static_cast<uint32_t>(q->device()) : 0;
    case CommonReg::kQueueDeviceHi:
      return q ? static_cast<uint32_t>(q->device() >> 32) : 0;
    case CommonReg::kQueueNotifyData:
      return 0;  // VIRTIO_F_NOTIF_CONFIG_DATA is not offered
    case CommonReg::kQueueReset:
      return 0;  // a reset is done by the time the write returns
  }
  return 0;
}

namespace {

uint64_t SetHalf(uint64_t old, bool high, uint32_t v) {
  return high ? (old & 0xffffffffull) | (uint64_t{v} << 32)
              : (old & ~0xffffffffull) | v;
}

}  // namespace

WriteResult Transport::WriteCommon(uint64_t offset, unsigned size,
                                   uint64_t value) {
  WriteResult res;
  const RegSpec* r = FindCommonReg(offset);
  if (r == nullptr) {
    res.error = Status::Invalid(offset >= kCommonCfgSize
                                    ? "common config write outside the layout"
                                    : "common config write not at a field boundary");
    return res;
  }
  if (size == 8 && r->low_of_64) {
    res = WriteCommon(offset, 4, value & 0xffffffffu);
    if (res.error.ok()) {
      res = WriteCommon(offset + 4, 4, value >> 32);
    }
    return res;
  }
  if (size != r->width) {
    res.error = Status::Invalid("common config write with the wrong width");
    return res;
  }
  if (r->access == Access::kReadOnly) {
    res.error = Status::Invalid("write to a read-only common config field");
    return res;
  }
  const uint32_t v32 = static_cast<uint32_t>(value);
  const bool qvalid = queue_select_ < cfg_.num_queues;
  Virtqueue* q = qvalid ? &queues_[queue_select_] : nullptr;
  switch (r->reg) {
    case CommonReg::kDeviceFeatureSelect:
      device_feature_select_ = v32;
      return res;
    case CommonReg::kDriverFeatureSelect:
      driver_feature_select_ = v32;
      return res;
    case CommonReg::kDriverFeature:
      if (status_ & kStatusFeaturesOk) {
        res.error = Status::Invalid("driver_feature written after FEATURES_OK");
      } else if (driver_feature_select_ < 2) {
        driver_features_ =
            SetHalf(driver_features_, driver_feature_select_ == 1, v32);
      } else if (v32 != 0) {
        res.error = Status::Invalid("driver_feature set beyond bit 63");
      }
      return res;
    case CommonReg::kMsixConfig:
      msix_config_ = CheckVector(value);
      return res;
    case CommonReg::kDeviceStatus:
      return WriteStatus(static_cast<uint8_t>(value));
    case CommonReg::kQueueSelect:
      queue_select_ = static_cast<uint16_t>(value);
      return res;
    default:
      break;
  }

  // Per-queue fields.
  if (q == nullptr) {
    res.error = Status::Invalid("queue field written with queue_select out of range");
    return res;
  }
  if (r->reg == CommonReg::kQueueMsixVector) {
    q->set_msix_vector(CheckVector(value));
    return res;
  }
  if (r->reg == CommonReg::kQueueEnable) {
    if (value != 1) {
      res.error = Status::Invalid("queue_enable written with a value other than 1");
    } else if (!q->enabled()) {
      res.error = q->Enable(Has(kFRingPacked));
    }
    return res;
  }
  if (r->reg == CommonReg::kQueueReset) {
    // 4.1.4.3.2: 1 resets the selected queue alone, at once (so queue_reset
    // always reads 0); the driver may then set it up and enable it again.
    if (!Has(kFRingReset)) {
      res.error = Status::Invalid("queue_reset without VIRTIO_F_RING_RESET");
    } else if (value != 1) {
      res.error = Status::Invalid("queue_reset written with a value other than 1");
    } else {
      q->Reset(cfg_.max_queue_size);
      res.events |= kEventQueueReset;
      res.queue = queue_select_;
    }
    return res;
  }
  if (q->enabled()) {
    res.error = Status::Invalid("queue configuration changed while the queue is enabled");
    return res;
  }
  switch (r->reg) {
    case CommonReg::kQueueSize:
      if (Has(kFRingPacked) && value != 0 && value <= q->max_size()) {
        q->set_size(static_cast<uint16_t>(value));  // 2.8: any size
      } else if (value == 0 || (value & (value - 1)) != 0 ||
                 value > q->max_size()) {
        res.error = Status::Invalid("queue_size not a power of 2 up to the maximum");
      } else {
        q->set_size(static_cast<uint16_t>(value));
      }
      break;
    case CommonReg::kQueueDescLo:
    case CommonReg::kQueueDescHi:
      q->set_desc(SetHalf(q->desc(), r->reg == CommonReg::kQueueDescHi, v32));
      break;
    case CommonReg::kQueueDriverLo:
    case CommonReg::kQueueDriverHi:
      q->set_driver(
          SetHalf(q->driver(), r->reg == CommonReg::kQueueDriverHi, v32));
      break;
    case CommonReg::kQueueDeviceLo:
    case CommonReg::kQueueDeviceHi:
      q->set_device(
          SetHalf(q->device(), r->reg == CommonReg::kQueueDeviceHi, v32));
      break;
    default:
      break;
  }
  return res;
}

WriteResult Transport::WriteStatus(uint8_t value) {
  WriteResult res;
  if (value == 0) {
    res.events = kEventReset;
    return res;
  }
  uint8_t next = static_cast<uint8_t>((value & ~kStatusNeedsReset) |
                                      (status_ & kStatusNeedsReset));
  if ((status_ & ~next) != 0) {
    res.error = Status::Invalid("device_status write clears bits without a reset");
    return res;
  }
  const uint8_t added = static_cast<uint8_t>(next & ~status_);
  if (added & kStatusFeaturesOk) {
    const char* why = nullptr;
    if ((driver_features_ & ~cfg_.device_features) != 0) {
      why = "driver acked features the device did not offer";
    } else if (!(driver_features_ & Bit(kFVersion1))) {
      why = "driver did not ack VIRTIO_F_VERSION_1";
    } else if (cfg_.validator != nullptr) {
      why = cfg_.validator(driver_features_);
    }
    if (why != nullptr) {
      res.error = Status::Invalid(why);
      next &= static_cast<uint8_t>(~kStatusFeaturesOk);
    } else {
      res.events |= kEventFeaturesOk;
    }
  }
  if ((added & kStatusDriverOk) && !(next & kStatusFeaturesOk)) {
    res.error = Status::Invalid("DRIVER_OK without FEATURES_OK");
    next &= static_cast<uint8_t>(~kStatusDriverOk);
  }
  if ((next & ~status_) & kStatusDriverOk) {
    res.events |= kEventDriverOk;
  }
  status_ = next;
  return res;
}

int Transport::Notify(uint64_t offset, Status* error) const {
  *error = Status::Ok();
  const uint32_t m = cfg_.notify_off_multiplier;
  if (offset % m != 0 || offset / m >= cfg_.num_queues) {
    *error = Status::Invalid("notify for a nonexistent queue");
    return -1;
  }
  const int q = static_cast<int>(offset / m);
  if (!queues_[q].enabled()) {
    *error = Status::Invalid("notify for a disabled queue");
    return -1;
  }
  return q;
}

uint8_t Transport::ReadAndClearIsr(Effects& fx) {
  const uint8_t v = isr_;
  isr_ = 0;
  if (v != 0 && cfg_.has_intx) {
    fx.PfIntx(false);
  }
  return v;
}

void Transport::Signal(int q, bool msix_enabled, Effects& fx) {
  if (msix_enabled) {
    const uint16_t v = q == kConfigChange
                           ? msix_config_
                           : queues_[static_cast<uint16_t>(q)].msix_vector();
    if (v != kNoVector) {
      fx.Msix(cfg_.fn, v);
    }
    return;
  }
  if (cfg_.has_intx) {
    isr_ |= q == kConfigChange ? kIsrConfig : kIsrQueue;
    fx.PfIntx(true);
  }
}

Transport::State Transport::Export() const {
  State s;
  s.device_feature_select = device_feature_select_;
  s.driver_feature_select = driver_feature_select_;
  s.driver_features = driver_features_;
  s.msix_config = msix_config_;
  s.status = status_;
  s.generation = generation_;
  s.queue_select = queue_select_;
  s.isr = isr_;
  for (const Virtqueue& q : queues_) {
    s.queues.push_back(q.Export());
  }
  return s;
}

Status Transport::Check(const State& s) const {
  // Bits virtio does not define are the driver's business: the device
  // keeps whatever the driver wrote (as QEMU's virtio does), so its own
  // saved state may hold them and must load again.
  if ((s.status & kStatusDriverOk) && !(s.status & kStatusFeaturesOk)) {
    return Status::Invalid(
        std::string("device_status has DRIVER_OK without FEATURES_OK"));
  }
  if ((s.driver_features & ~cfg_.device_features) != 0) {
    return Status::Invalid(
        std::string("driver_features has bits this device does not offer"));
  }
  if (s.status & kStatusFeaturesOk) {
    if (!(s.driver_features & Bit(kFVersion1))) {
      return Status::Invalid(std::string(
          "FEATURES_OK with driver_features lacking VIRTIO_F_VERSION_1"));
    }
    if (cfg_.validator != nullptr) {
      if (const char* why = cfg_.validator(s.driver_features)) {
        return Status::Invalid(std::string("driver_features: ") + why);
      }
    }
  }
  if (s.msix_config != kNoVector && s.msix_config >= cfg_.num_vectors) {
    return Status::Invalid("config_msix_vector " +
                           std::to_string(s.msix_config) + " is not below " +
                           std::to_string(cfg_.num_vectors));
  }
  if ((s.isr & ~(kIsrQueue | kIsrConfig)) != 0) {
    return Status::Invalid(std::string("isr has undefined bits"));
  }
  if (s.queues.size() != cfg_.num_queues) {
    return Status::Invalid("has " + std::to_string(s.queues.size()) +
                           " queues, this device " +
                           std::to_string(cfg_.num_queues));
  }
  for (size_t q = 0; q < s.queues.size(); ++q) {
    if (s.queues[q].enabled &&
        s.queues[q].packed != ((s.driver_features & Bit(kFRingPacked)) != 0)) {
      return Status::Invalid("queue " + std::to_string(q) +
                             ": ring format differs from VIRTIO_F_RING_PACKED");
    }
    if (Status e = Virtqueue::Check(s.queues[q], cfg_.max_queue_size,
                                     cfg_.num_vectors);
        !e.ok()) {
      return Status::Invalid("queue " + std::to_string(q) + ": " +
                             e.message());
    }
  }
  return Status::Ok();
}

void Transport::Import(const State& s) {
  device_feature_select_ = s.device_feature_select;
  driver_feature_select_ = s.driver_feature_select;
  driver_features_ = s.driver_features;
  msix_config_ = s.msix_config;
  status_ = s.status;
  generation_ = s.generation;
  queue_select_ = s.queue_select;
  isr_ = s.isr;
  for (size_t q = 0; q < queues_.size(); ++q) {
    queues_[q].Import(s.queues[q], cfg_.max_queue_size);
  }
}

}  // namespace snic::virtio
