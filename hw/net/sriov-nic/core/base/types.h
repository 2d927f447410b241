// sriov-nic core: identifiers shared by every layer.
//
// SPDX-License-Identifier: GPL-2.0-or-later
#ifndef SNIC_CORE_BASE_TYPES_H
#define SNIC_CORE_BASE_TYPES_H

#include <cstddef>
#include <cstdint>

namespace snic {

// A PCI function of the device: 0 is the PF, 1 + n is VF n. Every DMA and
// interrupt names one (STYLE.md rule 3).
using FnId = uint16_t;
inline constexpr FnId kPfFn = 0;

// PCIe SR-IOV with ARI allows 255 VFs behind one PF.
inline constexpr uint16_t kMaxVfs = 255;
inline constexpr size_t kMaxFunctions = 1 + kMaxVfs;

// A netdev link of the device: 0 is the uplink, the switch's port to the
// host netdev; 1 + k is the k-th VF bound to a netdev of its own
// (DeviceConfig::vf_netdevs), which bypasses the switch.
using LinkId = uint16_t;
inline constexpr LinkId kUplink = 0;

// What the guest sees of every function (the C ABI's SnicPersonality).
enum class Personality : uint8_t {
  kVirtioNet = 0,  // modern virtio-net (virtio_net/)
  kIxgbe = 1,      // Intel 82599 PF and VFs (ixgbe/)
};

}  // namespace snic

#endif  // SNIC_CORE_BASE_TYPES_H
