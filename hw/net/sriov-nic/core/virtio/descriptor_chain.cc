// sriov-nic core: split-virtqueue descriptor chains as byte streams.
// SPDX-License-Identifier: GPL-2.0-or-later
#include "descriptor_chain.h"

#include <algorithm>

#include "spec.h"

namespace snic::virtio {

const char* DescriptorChain::Add(uint64_t addr, uint32_t len, bool writable) {
  if (len == 0) {
    return "zero sized buffers are not allowed";
  }
  if (addr > UINT64_MAX - (len - 1)) {
    return "descriptor address + length overflows";
  }
  if (!writable && num_segs_ != num_readable_) {
    return "device-readable descriptor after a device-writable one";
  }
  if (num_segs_ >= kMaxSegments) {
    return "descriptor chain too long";
  }
  segs_[num_segs_++] = Segment{addr, len};
  if (writable) {
    writable_bytes_ += len;
  } else {
    num_readable_++;
    readable_bytes_ += len;
  }
  return nullptr;
}

const char* DescriptorChain::Walk(const GuestMemory& mem, uint64_t desc_table,
                                  uint16_t queue_size, uint16_t head,
                                  bool indirect_ok) {
  head_ = head;
  num_segs_ = 0;
  num_readable_ = 0;
  readable_bytes_ = 0;
  writable_bytes_ = 0;
  if (head >= queue_size) {
    return "descriptor head index out of range";
  }

  VirtqDesc d;
  if (!mem.Read(desc_table + 16ull * head, &d)) {
    return "cannot read descriptor (DMA failed)";
  }
  uint64_t table = desc_table;
  uint32_t table_size = queue_size;
  bool indirect = false;
  if (d.flags.get() & kDescFIndirect) {
    if (!indirect_ok) {
      return "indirect descriptor without VIRTIO_F_RING_INDIRECT_DESC";
    }
    if (d.flags.get() & kDescFNext) {
      return "indirect descriptor with NEXT set";
    }
    const uint32_t len = d.len.get();
    if (len == 0 || len % sizeof(VirtqDesc) != 0 ||
        len / sizeof(VirtqDesc) > kMaxIndirectEntries) {
      return "invalid indirect table size";
    }
    if (d.addr.get() > UINT64_MAX - (len - 1)) {
      return "indirect table address + length overflows";
    }
    table = d.addr.get();
    table_size = len / sizeof(VirtqDesc);
    indirect = true;
    if (!mem.Read(table, &d)) {
      return "cannot read indirect descriptor (DMA failed)";
    }
  }

  // A chain visits each table entry at most once, so table_size steps bound
  // it; one more means a NEXT loop.
  uint32_t ttl = table_size;
  for (;;) {
    const uint16_t flags = d.flags.get();
    if (flags & kDescFIndirect) {
      return indirect ? "nested indirect descriptor"
                      : "indirect descriptor not at the head of the chain";
    }
    if (const char* err = Add(d.addr.get(), d.len.get(), flags & kDescFWrite)) {
      return err;
    }
    if (!(flags & kDescFNext)) {
      return nullptr;
    }
    if (--ttl == 0) {
      return "looped descriptor chain";
    }
    const uint16_t next = d.next.get();
    if (next >= table_size) {
      return "descriptor next index out of range";
    }
    if (!mem.Read(table + 16ull * next, &d)) {
      return "cannot read descriptor (DMA failed)";
    }
  }
}

bool Reader::Read(void* buf, size_t len) {
  auto* out = static_cast<uint8_t*>(buf);
  return cursor_.Advance(len, [&](uint64_t addr, size_t n) {
    if (!mem_.ReadBytes(addr, out, n)) {
      dma_failed_ = true;
      return false;
    }
    out += n;
    return true;
  });
}

bool Reader::Skip(uint64_t len) {
  return cursor_.Advance(len, [](uint64_t, size_t) { return true; });
}

bool Writer::Write(const void* buf, size_t len) {
  auto* in = static_cast<const uint8_t*>(buf);
  return cursor_.Advance(len, [&](uint64_t addr, size_t n) {
    if (!mem_.WriteBytes(addr, in, n)) {
      dma_failed_ = true;
      return false;
    }
    in += n;
    return true;
  });
}

bool Writer::WriteAt(uint64_t offset, const void* buf, size_t len) {
  if (offset > chain_.writable_bytes() ||
      len > chain_.writable_bytes() - offset) {
    return false;
  }
  auto* in = static_cast<const uint8_t*>(buf);
  size_t i = 0;
  while (offset >= chain_.writable(i).len) {
    offset -= chain_.writable(i).len;
    i++;
  }
  while (len > 0) {
    const Segment& s = chain_.writable(i);
    const size_t n =
        static_cast<size_t>(std::min<uint64_t>(len, s.len - offset));
    if (!mem_.WriteBytes(s.addr + offset, in, n)) {
      dma_failed_ = true;
      return false;
    }
    in += n;
    len -= n;
    offset = 0;
    i++;
  }
  return true;
}

}  // namespace snic::virtio
