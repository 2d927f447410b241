// sriov-nic core: checked access to guest memory on behalf of one function.
//
// Guest structures are copied by value into locals (never referenced in
// place, STYLE.md rule 4) and every access can fail (unmapped address,
// IOMMU fault, a register of the device itself): callers must check.
//
// SPDX-License-Identifier: GPL-2.0-or-later
#ifndef SNIC_CORE_VIRTIO_GUEST_MEMORY_H
#define SNIC_CORE_VIRTIO_GUEST_MEMORY_H

#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "../base/host.h"

namespace snic::virtio {

class GuestMemory {
 public:
  GuestMemory(const Host& host, FnId fn) : host_(&host), fn_(fn) {}

  FnId fn() const { return fn_; }

  template <typename T>
  [[nodiscard]] bool Read(uint64_t addr, T* out) const {
    static_assert(std::is_trivially_copyable_v<T>);
    return ReadBytes(addr, out, sizeof(T));
  }
  template <typename T>
  [[nodiscard]] bool Write(uint64_t addr, const T& value) const {
    static_assert(std::is_trivially_copyable_v<T>);
    return WriteBytes(addr, &value, sizeof(T));
  }
  [[nodiscard]] bool ReadBytes(uint64_t addr, void* buf, size_t len) const {
    return RangeOk(addr, len) && host_->DmaRead(fn_, addr, buf, len);
  }
  [[nodiscard]] bool WriteBytes(uint64_t addr, const void* buf,
                                size_t len) const {
    return RangeOk(addr, len) && host_->DmaWrite(fn_, addr, buf, len);
  }
  // A 16-bit field the driver stores concurrently (a ring index or flags
  // word): read with one atomic load, never torn.
  [[nodiscard]] bool ReadIndex(uint64_t addr, uint16_t* out) const {
    return RangeOk(addr, 2) && (addr & 1) == 0 &&
           host_->DmaReadU16(fn_, addr, out);
  }

 private:
  // [addr, addr + len) must not wrap around the 64-bit address space.
  static bool RangeOk(uint64_t addr, size_t len) {
    return len == 0 || addr <= UINT64_MAX - (len - 1);
  }

  const Host* host_;
  FnId fn_;
};

}  // namespace snic::virtio

#endif  // SNIC_CORE_VIRTIO_GUEST_MEMORY_H
