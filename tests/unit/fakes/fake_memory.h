// The smallest host a virtio::GuestMemory needs, for tests below the
// device (chains, split queues): guest RAM as a byte vector behind a
// snic::Host whose DMA can be made to fail by address range or watched by
// a callback. The host's other operations are never needed there; each
// call counts as unexpected. Lives in tests/ only.
// SPDX-License-Identifier: GPL-2.0-or-later
#ifndef SNIC_TESTS_FAKES_FAKE_MEMORY_H
#define SNIC_TESTS_FAKES_FAKE_MEMORY_H

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <vector>

#include "base/host.h"
#include "guest_ram.h"
#include "sriov_nic/sriov_nic.h"
#include "virtio/guest_memory.h"

namespace snic::testing {

class FakeMemory {
 public:
  explicit FakeMemory(size_t size = 1 << 20) : mem(size, 0) {}
  FakeMemory(const FakeMemory&) = delete;
  FakeMemory& operator=(const FakeMemory&) = delete;

  // Guest-physical [0, mem.size()); anything else fails like unmapped RAM.
  std::vector<uint8_t> mem;
  GuestRam ram{mem};
  // [begin, end): a DMA touching one of these fails (an IOMMU fault).
  struct Range {
    uint64_t begin, end;
  };
  std::vector<Range> read_faults, write_faults;
  // Runs after every successful DMA write (a driver racing the device).
  std::function<void(uint64_t addr, size_t len)> on_write;

  size_t reads = 0, writes = 0;  // DMA calls, failed ones included
  // Addresses read with the single-copy atomic 16-bit load (dma_read_u16),
  // in order; those reads count in @reads too.
  std::vector<uint64_t> atomic_reads;
  FnId last_fn = 0;    // the function of the last DMA
  int unexpected = 0;  // host calls other than DMA

  const Host& host() const { return host_; }
  virtio::GuestMemory Mem(FnId fn = kPfFn) const {
    return virtio::GuestMemory(host_, fn);
  }

 private:
  static FakeMemory* Self(void* o) { return static_cast<FakeMemory*>(o); }
  static bool Hits(const std::vector<Range>& faults, uint64_t addr,
                   size_t len) {
    for (const Range& r : faults) {
      if (addr < r.end && addr + len > r.begin) return true;
    }
    return false;
  }
  bool Mapped(uint64_t addr, size_t len) const {
    return addr <= mem.size() && len <= mem.size() - addr;
  }

  static int DmaRead(void* o, SnicFn fn, uint64_t addr, void* buf, size_t len) {
    FakeMemory* m = Self(o);
    m->reads++;
    m->last_fn = fn;
    if (!m->Mapped(addr, len) || Hits(m->read_faults, addr, len)) return -1;
    std::memcpy(buf, m->mem.data() + addr, len);
    return 0;
  }
  static int DmaReadU16(void* o, SnicFn fn, uint64_t addr, uint16_t* val) {
    FakeMemory* m = Self(o);
    m->atomic_reads.push_back(addr);
    uint8_t b[2];
    if (DmaRead(o, fn, addr, b, 2) != 0) return -1;
    *val = uint16_t(b[0] | b[1] << 8);
    return 0;
  }
  static int DmaWrite(void* o, SnicFn fn, uint64_t addr, const void* buf,
                      size_t len) {
    FakeMemory* m = Self(o);
    m->writes++;
    m->last_fn = fn;
    if (!m->Mapped(addr, len) || Hits(m->write_faults, addr, len)) return -1;
    std::memcpy(m->mem.data() + addr, buf, len);
    if (m->on_write) m->on_write(addr, len);
    return 0;
  }
  static void Unexpected(void* o) { Self(o)->unexpected++; }

  SnicHostOps ops_{
      DmaRead,
      DmaWrite,
      DmaReadU16,
      [](void* o, SnicFn, uint16_t) { Unexpected(o); },
      [](void* o, SnicFn, bool) { Unexpected(o); },
      [](void* o, SnicFn) {
        Unexpected(o);
        return false;
      },
      [](void* o, const uint8_t*, size_t) {
        Unexpected(o);
        return true;
      },
      [](void* o) { Unexpected(o); },
      [](void* o) { Unexpected(o); },
      [](void* o) { Unexpected(o); },
      [](void* o, uint64_t) { Unexpected(o); },
      [](void* o) {
        Unexpected(o);
        return uint64_t{0};
      },
      [](void* o, SnicFn, const char*) { Unexpected(o); },
      nullptr,  // uplink_send_hdr
      nullptr,  // link_send
      nullptr,  // link_flush
      nullptr,  // link_purge
  };
  Host host_{ops_, this};
};

}  // namespace snic::testing

#endif  // SNIC_TESTS_FAKES_FAKE_MEMORY_H
