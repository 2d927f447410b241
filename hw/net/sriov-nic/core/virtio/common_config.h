// sriov-nic core: the virtio_pci_common_cfg register layout as data.
//
// Virtio 1.2 section 4.1.4.3 (struct virtio_pci_common_cfg). One row per
// field: offset, natural width, access, and whether an 8-byte access at the
// row is allowed as both halves of a 64-bit field ("For 64-bit fields, the
// driver MAY access each of the high and low 32-bit parts of the field
// independently", 4.1.3.1). 4.1.3.1 also says the driver MUST access each
// field with its natural width; any other access is a guest error the
// device logs and ignores (reads return 0).
//
// queue_notif_config_data (0x38) exists only with
// VIRTIO_F_NOTIF_CONFIG_DATA, which is not offered (it reads 0);
// queue_reset (0x3a) acts only with VIRTIO_F_RING_RESET.
//
// SPDX-License-Identifier: GPL-2.0-or-later
#ifndef SNIC_CORE_VIRTIO_COMMON_CONFIG_H
#define SNIC_CORE_VIRTIO_COMMON_CONFIG_H

#include <array>
#include <cstddef>
#include <cstdint>

namespace snic::virtio {

enum class CommonReg : uint8_t {
  kDeviceFeatureSelect,
  kDeviceFeature,
  kDriverFeatureSelect,
  kDriverFeature,
  kMsixConfig,
  kNumQueues,
  kDeviceStatus,
  kConfigGeneration,
  kQueueSelect,
  kQueueSize,
  kQueueMsixVector,
  kQueueEnable,
  kQueueNotifyOff,
  kQueueDescLo,
  kQueueDescHi,
  kQueueDriverLo,
  kQueueDriverHi,
  kQueueDeviceLo,
  kQueueDeviceHi,
  kQueueNotifyData,
  kQueueReset,
};

enum class Access : uint8_t { kReadOnly, kReadWrite };

struct RegSpec {
  uint16_t offset;
  uint8_t width;  // natural width in bytes
  Access access;
  bool low_of_64;  // an 8-byte access here covers this and the next row
  CommonReg reg;
  const char* name;
};

// clang-format off
inline constexpr std::array<RegSpec, 21> kCommonRegs = {{
  {0x00, 4, Access::kReadWrite, false, CommonReg::kDeviceFeatureSelect, "device_feature_select"},
  {0x04, 4, Access::kReadOnly,  false, CommonReg::kDeviceFeature,       "device_feature"},
  {0x08, 4, Access::kReadWrite, false, CommonReg::kDriverFeatureSelect, "driver_feature_select"},
  {0x0c, 4, Access::kReadWrite, false, CommonReg::kDriverFeature,       "driver_feature"},
  {0x10, 2, Access::kReadWrite, false, CommonReg::kMsixConfig,          "config_msix_vector"},
  {0x12, 2, Access::kReadOnly,  false, CommonReg::kNumQueues,           "num_queues"},
  {0x14, 1, Access::kReadWrite, false, CommonReg::kDeviceStatus,        "device_status"},
  {0x15, 1, Access::kReadOnly,  false, CommonReg::kConfigGeneration,    "config_generation"},
  {0x16, 2, Access::kReadWrite, false, CommonReg::kQueueSelect,         "queue_select"},
  {0x18, 2, Access::kReadWrite, false, CommonReg::kQueueSize,           "queue_size"},
  {0x1a, 2, Access::kReadWrite, false, CommonReg::kQueueMsixVector,     "queue_msix_vector"},
  {0x1c, 2, Access::kReadWrite, false, CommonReg::kQueueEnable,         "queue_enable"},
  {0x1e, 2, Access::kReadOnly,  false, CommonReg::kQueueNotifyOff,      "queue_notify_off"},
  {0x20, 4, Access::kReadWrite, true,  CommonReg::kQueueDescLo,         "queue_desc_lo"},
  {0x24, 4, Access::kReadWrite, false, CommonReg::kQueueDescHi,         "queue_desc_hi"},
  {0x28, 4, Access::kReadWrite, true,  CommonReg::kQueueDriverLo,       "queue_driver_lo"},
  {0x2c, 4, Access::kReadWrite, false, CommonReg::kQueueDriverHi,       "queue_driver_hi"},
  {0x30, 4, Access::kReadWrite, true,  CommonReg::kQueueDeviceLo,       "queue_device_lo"},
  {0x34, 4, Access::kReadWrite, false, CommonReg::kQueueDeviceHi,       "queue_device_hi"},
  {0x38, 2, Access::kReadOnly,  false, CommonReg::kQueueNotifyData,     "queue_notif_config_data"},
  {0x3a, 2, Access::kReadWrite, false, CommonReg::kQueueReset,          "queue_reset"},
}};
// clang-format on

// Rows sorted by offset, naturally aligned, not overlapping, and a 64-bit
// low half always followed by its high half.
constexpr bool CommonRegsWellFormed() {
  for (size_t i = 0; i < kCommonRegs.size(); ++i) {
    const RegSpec& r = kCommonRegs[i];
    if (r.offset % r.width != 0) return false;
    if (static_cast<size_t>(r.reg) != i) return false;
    if (i + 1 < kCommonRegs.size() &&
        r.offset + r.width > kCommonRegs[i + 1].offset) {
      return false;
    }
    if (r.low_of_64 && (i + 1 >= kCommonRegs.size() || r.width != 4 ||
                        kCommonRegs[i + 1].offset != r.offset + 4)) {
      return false;
    }
  }
  return true;
}
static_assert(CommonRegsWellFormed(), "kCommonRegs must be sorted and sane");

// End of the layout: accesses at or beyond it read 0 and ignore writes.
inline constexpr uint16_t kCommonCfgSize = 0x3c;
static_assert(kCommonRegs.back().offset + kCommonRegs.back().width ==
              kCommonCfgSize);

// The row starting exactly at @offset, or nullptr.
constexpr const RegSpec* FindCommonReg(uint64_t offset) {
  size_t lo = 0, hi = kCommonRegs.size();
  while (lo < hi) {
    const size_t mid = (lo + hi) / 2;
    if (kCommonRegs[mid].offset == offset) return &kCommonRegs[mid];
    if (kCommonRegs[mid].offset < offset) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return nullptr;
}

}  // namespace snic::virtio

#endif  // SNIC_CORE_VIRTIO_COMMON_CONFIG_H
