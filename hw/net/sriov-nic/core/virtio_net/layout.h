// sriov-nic core: BAR 0 of a virtio-net function, as data.
//
// Identical on the PF and every VF (SR-IOV requires VF BARs of one size):
// the virtio-pci modern regions (virtio 1.2 4.1.4.3-4.1.4.6) the core
// serves, then the MSI-X table and PBA that the glue gives to QEMU's msix.
// The C ABI exports this table (snic_core_layout), and the glue builds the
// BAR, its subregions and the virtio vendor capabilities by looping over
// it.
//
// SPDX-License-Identifier: GPL-2.0-or-later
#ifndef SNIC_CORE_VIRTIO_NET_LAYOUT_H
#define SNIC_CORE_VIRTIO_NET_LAYOUT_H

#include <array>
#include <cstdint>

namespace snic::virtio_net {

enum Region : uint32_t {
  kRegionCommon = 0,  // virtio_pci_common_cfg
  kRegionIsr = 1,     // ISR status (1 byte used)
  kRegionDevice = 2,  // virtio_net_config
  kRegionNotify = 3,  // queue doorbells
  kNumRegions = 4,
};

// 4.1.4: virtio_pci_cap.cfg_type of each region.
inline constexpr uint8_t kCapCommonCfg = 1;
inline constexpr uint8_t kCapNotifyCfg = 2;
inline constexpr uint8_t kCapIsrCfg = 3;
inline constexpr uint8_t kCapDeviceCfg = 4;

struct RegionSpec {
  const char* name;
  uint32_t offset;  // within BAR 0
  uint32_t size;
  uint8_t cap_type;
};

inline constexpr uint32_t kBarSize = 0x8000;  // a power of two
inline constexpr std::array<RegionSpec, kNumRegions> kRegions = {{
    {"common", 0x0000, 0x1000, kCapCommonCfg},
    {"isr", 0x1000, 0x1000, kCapIsrCfg},
    {"device", 0x2000, 0x1000, kCapDeviceCfg},
    {"notify", 0x3000, 0x1000, kCapNotifyCfg},
}};
inline constexpr uint32_t kMsixTableOffset = 0x4000;
inline constexpr uint32_t kMsixPbaOffset = 0x6000;
inline constexpr uint32_t kNotifyOffMultiplier = 4;
// Queue pairs a function may have (the PF's queue-pairs property): the
// TX scheduler takes up to 32 lanes, one per transmitq.
inline constexpr uint16_t kMaxQueuePairs = 16;
// Two: the vCPUs of a typical test or CI guest, and six MSI-X vectors per
// function, so 64 VFs of a 2-vCPU x86 guest still find interrupt vectors.
inline constexpr uint16_t kDefaultQueuePairs = 2;
// receiveqN/transmitqN for each pair, then the controlq.
constexpr uint16_t NumQueues(uint16_t pairs) {
  return static_cast<uint16_t>(2 * pairs + 1);
}
// Config change + one per queue, so a driver can give every queue its own
// vector (Linux virtio_pci does when it gets them).
constexpr uint16_t MsixVectors(uint16_t pairs) {
  return static_cast<uint16_t>(1 + NumQueues(pairs));
}

constexpr bool LayoutWellFormed() {
  uint32_t end = 0;
  for (const RegionSpec& r : kRegions) {
    if (r.offset < end || r.offset % r.size != 0) return false;
    end = r.offset + r.size;
  }
  const uint32_t vectors = MsixVectors(kMaxQueuePairs);
  return end <= kMsixTableOffset &&
         kMsixTableOffset + 16 * vectors <= kMsixPbaOffset &&
         kMsixPbaOffset + 8 * ((vectors + 63) / 64) <= kBarSize &&
         (kBarSize & (kBarSize - 1)) == 0 &&
         NumQueues(kMaxQueuePairs) * kNotifyOffMultiplier <=
             kRegions[kRegionNotify].size;
}
static_assert(LayoutWellFormed());

}  // namespace snic::virtio_net

#endif  // SNIC_CORE_VIRTIO_NET_LAYOUT_H
