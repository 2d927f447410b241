// Guest RAM for the unit tests: a bump allocator and little-endian
// accessors over a byte vector (FakeHost::mem, FakeMemory::mem). Lives in
// tests/ only.
// SPDX-License-Identifier: GPL-2.0-or-later
#ifndef SNIC_TESTS_FAKES_GUEST_RAM_H
#define SNIC_TESTS_FAKES_GUEST_RAM_H

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

namespace snic::testing {

class GuestRam {
 public:
  // @mem is guest-physical [0, mem.size()); Alloc grows it as needed.
  explicit GuestRam(std::vector<uint8_t>& mem) : mem_(mem) {}

  uint64_t Alloc(uint64_t len, uint64_t align = 64) {
    next_ = (next_ + align - 1) & ~(align - 1);
    const uint64_t a = next_;
    next_ += len;
    if (next_ > mem_.size()) mem_.resize(next_ + 4096, 0);
    return a;
  }
  void Put(uint64_t a, const void* p, size_t n) {
    std::memcpy(mem_.data() + a, p, n);
  }
  void Get(uint64_t a, void* p, size_t n) const {
    std::memcpy(p, mem_.data() + a, n);
  }
  template <typename T>
  void Put(uint64_t a, T v) {
    uint8_t b[sizeof(T)];
    for (size_t i = 0; i < sizeof(T); ++i)
      b[i] = uint8_t(uint64_t(v) >> (8 * i));
    Put(a, b, sizeof(T));
  }
  template <typename T>
  T Get(uint64_t a) const {
    uint64_t v = 0;
    for (size_t i = 0; i < sizeof(T); ++i)
      v |= uint64_t(mem_[a + i]) << (8 * i);
    return T(v);
  }
  std::vector<uint8_t> Bytes(uint64_t a, size_t n) const {
    return std::vector<uint8_t>(mem_.begin() + a, mem_.begin() + a + n);
  }

 private:
  std::vector<uint8_t>& mem_;
  uint64_t next_ = 0x10000;
};

}  // namespace snic::testing

#endif  // SNIC_TESTS_FAKES_GUEST_RAM_H
