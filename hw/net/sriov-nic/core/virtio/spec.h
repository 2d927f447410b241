// sriov-nic core: virtio 1.2 transport-level constants and wire structs.
//
// Feature bits: virtio 1.2 section 6 (reserved feature bits). Device status:
// section 2.1. Split virtqueue layout: section 2.7. Modern PCI capabilities:
// section 4.1.4.
//
// SPDX-License-Identifier: GPL-2.0-or-later
#ifndef SNIC_CORE_VIRTIO_SPEC_H
#define SNIC_CORE_VIRTIO_SPEC_H

#include <cstdint>
#include <type_traits>

#include "../base/le.h"

namespace snic::virtio {

constexpr uint64_t Bit(unsigned n) { return uint64_t{1} << n; }

// Section 6: reserved feature bits.
inline constexpr unsigned kFRingIndirectDesc = 28;
inline constexpr unsigned kFRingEventIdx = 29;
inline constexpr unsigned kFVersion1 = 32;
inline constexpr unsigned kFAccessPlatform = 33;
inline constexpr unsigned kFRingPacked = 34;
inline constexpr unsigned kFSrIov = 37;
inline constexpr unsigned kFRingReset = 40;

// The largest queue the device offers (queue_size); chains are bounded by
// it.
inline constexpr uint16_t kMaxQueueSize = 256;

// Section 2.1: device status field.
inline constexpr uint8_t kStatusAcknowledge = 1;
inline constexpr uint8_t kStatusDriver = 2;
inline constexpr uint8_t kStatusDriverOk = 4;
inline constexpr uint8_t kStatusFeaturesOk = 8;
inline constexpr uint8_t kStatusNeedsReset = 0x40;
inline constexpr uint8_t kStatusFailed = 0x80;

// Section 4.1.4.3: "no vector" for msix_config / queue_msix_vector.
inline constexpr uint16_t kNoVector = 0xffff;

// Section 4.1.4.5: ISR status bits (INTx only).
inline constexpr uint8_t kIsrQueue = 1;
inline constexpr uint8_t kIsrConfig = 2;

// Section 2.7.5: descriptor flags.
inline constexpr uint16_t kDescFNext = 1;
inline constexpr uint16_t kDescFWrite = 2;
inline constexpr uint16_t kDescFIndirect = 4;

// Section 2.7.6 / 2.7.8: ring flags.
inline constexpr uint16_t kAvailFNoInterrupt = 1;
inline constexpr uint16_t kUsedFNoNotify = 1;

// Section 2.7.5: struct virtq_desc.
struct VirtqDesc {
  Le64 addr;
  Le32 len;
  Le16 flags;
  Le16 next;
};
static_assert(sizeof(VirtqDesc) == 16);
static_assert(std::is_trivially_copyable_v<VirtqDesc>);

// Section 2.7.8: struct virtq_used_elem.
struct VirtqUsedElem {
  Le32 id;
  Le32 len;
};
static_assert(sizeof(VirtqUsedElem) == 8);

// Offsets inside the driver area (struct virtq_avail) and device area
// (struct virtq_used) for a queue of @size entries.
inline constexpr uint64_t kAvailFlagsOff = 0;
inline constexpr uint64_t kAvailIdxOff = 2;
inline constexpr uint64_t AvailRingOff(uint16_t i) { return 4 + 2ull * i; }
inline constexpr uint64_t UsedEventOff(uint16_t size) {
  return 4 + 2ull * size;
}
inline constexpr uint64_t kUsedFlagsOff = 0;
inline constexpr uint64_t kUsedIdxOff = 2;
inline constexpr uint64_t UsedRingOff(uint16_t i) { return 4 + 8ull * i; }
inline constexpr uint64_t AvailEventOff(uint16_t size) {
  return 4 + 8ull * size;
}

// Section 2.8.1 / 2.8.2: packed descriptor flags (besides NEXT, WRITE
// and INDIRECT), the wrap-counter bits.
inline constexpr uint16_t kPackedDescFAvail = 1u << 7;
inline constexpr uint16_t kPackedDescFUsed = 1u << 15;

// Section 2.8.13: struct pvirtq_desc (the id is the driver's buffer id).
struct PackedDesc {
  Le64 addr;
  Le32 len;
  Le16 id;
  Le16 flags;
};
static_assert(sizeof(PackedDesc) == 16);
static_assert(std::is_trivially_copyable_v<PackedDesc>);
inline constexpr uint64_t kPackedDescLenOff = 8;
inline constexpr uint64_t kPackedDescIdOff = 12;
inline constexpr uint64_t kPackedDescFlagsOff = 14;

// Section 2.8.10: struct pvirtq_event_suppress, in the driver area (the
// driver's wishes for used-buffer notifications) and the device area (the
// device's for available-buffer notifications).
inline constexpr uint64_t kPackedEventOffWrapOff = 0;
inline constexpr uint64_t kPackedEventFlagsOff = 2;
inline constexpr uint16_t kPackedEventEnable = 0;
inline constexpr uint16_t kPackedEventDisable = 1;
inline constexpr uint16_t kPackedEventDesc = 2;  // with RING_EVENT_IDX

// Section 2.7.10: vring_need_event().
inline constexpr bool NeedEvent(uint16_t event_idx, uint16_t new_idx,
                                uint16_t old_idx) {
  return static_cast<uint16_t>(new_idx - event_idx - 1) <
         static_cast<uint16_t>(new_idx - old_idx);
}

}  // namespace snic::virtio

#endif  // SNIC_CORE_VIRTIO_SPEC_H
