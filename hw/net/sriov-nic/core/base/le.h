// sriov-nic core: little-endian wire integers.
//
// Virtio 1.2 section 1.4: every multi-byte field of a modern device is
// little-endian. Wire structs are built from these byte-array types so they
// have alignment 1, no padding, no bitfields, and an explicit load/store
// regardless of the host's byte order.
//
// SPDX-License-Identifier: GPL-2.0-or-later
#ifndef SNIC_CORE_BASE_LE_H
#define SNIC_CORE_BASE_LE_H

#include <cstddef>
#include <cstdint>

namespace snic {

template <typename T>
struct LeInt {
  uint8_t bytes[sizeof(T)];

  constexpr T get() const {
    T v = 0;
    for (size_t i = 0; i < sizeof(T); ++i) {
      v = static_cast<T>(v |
                         static_cast<T>(static_cast<T>(bytes[i]) << (8 * i)));
    }
    return v;
  }
  constexpr void set(T v) {
    for (size_t i = 0; i < sizeof(T); ++i) {
      bytes[i] = static_cast<uint8_t>(v >> (8 * i));
    }
  }
};

using Le16 = LeInt<uint16_t>;
using Le32 = LeInt<uint32_t>;
using Le64 = LeInt<uint64_t>;
static_assert(sizeof(Le16) == 2 && alignof(Le16) == 1);
static_assert(sizeof(Le32) == 4 && alignof(Le32) == 1);
static_assert(sizeof(Le64) == 8 && alignof(Le64) == 1);

}  // namespace snic

#endif  // SNIC_CORE_BASE_LE_H
