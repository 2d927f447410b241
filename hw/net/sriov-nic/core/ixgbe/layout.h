// sriov-nic core: the BARs of the Intel 82599 personality, as data.
//
// As the 82599 presents them to ixgbe and ixgbevf (both map BAR 0 only;
// the PCI core finds the MSI-X BAR in the capability):
//   PF  BAR 0  128 KiB  the register file (CSR space)
//       BAR 4   16 KiB  MSI-X: 64 vectors, table at 0, PBA at 0x2000
//   VF  BAR 0   16 KiB  the VF register file
//       BAR 3   16 KiB  MSI-X: 3 vectors (the 82599 VF's table size),
//                       table at 0, PBA at 0x2000
// The C ABI exports these (snic_core_layout, snic_core_vf_layout); the
// glue builds the BARs from them. BAR 0 is one region, index 0, that
// snic_core_mmio_* pass to the function's register file.
//
// SPDX-License-Identifier: GPL-2.0-or-later
#ifndef SNIC_CORE_IXGBE_LAYOUT_H
#define SNIC_CORE_IXGBE_LAYOUT_H

#include <cstdint>

namespace snic::ixgbe {

// The one region of BAR 0 (snic_core_mmio_* region index).
inline constexpr uint32_t kRegionRegs = 0;

// SR-IOV: 64 pools, one the PF's.
inline constexpr uint16_t kMaxVfs = 63;

struct BarLayout {
  uint32_t bar0_size;
  uint16_t msix_vectors;
  uint8_t msix_bar;
  uint32_t msix_bar_size;
  uint32_t msix_table_offset;
  uint32_t msix_pba_offset;
};

inline constexpr BarLayout kPfBars = {0x20000, 64, 4, 0x4000, 0x0000, 0x2000};
inline constexpr BarLayout kVfBars = {0x4000, 3, 3, 0x4000, 0x0000, 0x2000};

constexpr bool WellFormed(const BarLayout& b) {
  const auto pow2 = [](uint32_t v) { return v != 0 && (v & (v - 1)) == 0; };
  return pow2(b.bar0_size) && pow2(b.msix_bar_size) && b.msix_bar != 0 &&
         b.msix_bar < 6 &&
         b.msix_table_offset + 16u * b.msix_vectors <= b.msix_pba_offset &&
         b.msix_pba_offset + 8u * ((b.msix_vectors + 63u) / 64u) <=
             b.msix_bar_size;
}
static_assert(WellFormed(kPfBars) && WellFormed(kVfBars));

}  // namespace snic::ixgbe

#endif  // SNIC_CORE_IXGBE_LAYOUT_H
