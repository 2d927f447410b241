// sriov-nic core: virtqueue descriptor chains as byte streams.
// SPDX-License-Identifier: GPL-2.0-or-later
#include "descriptor_chain.h"

namespace snic::virtio {

Status DescriptorChain::Add(uint64_t addr, uint32_t len, bool writable) {
  if (len == 0) {
    return Status::Invalid("zero sized buffers are not allowed");
  }
  if (addr > UINT64_MAX - (len - 1)) {
    return Status::Invalid("descriptor address + length overflows");
  }
  if (!writable && num_segs_ != num_readable_) {
    return Status::Invalid(
        "device-readable descriptor after a device-writable one");
  }
  if (num_segs_ >= kMaxSegments) {
    return Status::Invalid("descriptor chain too long");
  }
  segs_[num_segs_++] = Segment{addr, len};
  if (writable) {
    writable_bytes_ += len;
  } else {
    num_readable_++;
    readable_bytes_ += len;
  }
  return Status::Ok();
}

void DescriptorChain::Clear(uint16_t head) {
  head_ = head;
  num_segs_ = 0;
  num_readable_ = 0;
  readable_bytes_ = 0;
  writable_bytes_ = 0;
}

Status DescriptorChain::Walk(const GuestMemory& mem, uint64_t desc_table,
                             uint16_t queue_size, uint16_t head,
                             bool indirect_ok) {
  Clear(head);
  if (head >= queue_size) {
    return Status::Invalid("descriptor head index out of range");
  }

  VirtqDesc d;
  if (!mem.Read(desc_table + 16ull * head, &d)) {
    return Status::Dma("cannot read descriptor (DMA failed)");
  }
  uint64_t table = desc_table;
  uint32_t table_size = queue_size;
  bool indirect = false;
  if (d.flags.get() & kDescFIndirect) {
    if (!indirect_ok) {
      return Status::Invalid(
          "indirect descriptor without VIRTIO_F_RING_INDIRECT_DESC");
    }
    if (d.flags.get() & kDescFNext) {
      return Status::Invalid("indirect descriptor with NEXT set");
    }
    const uint32_t len = d.len.get();
    if (len == 0 || len % sizeof(VirtqDesc) != 0 ||
        len / sizeof(VirtqDesc) > kMaxIndirectEntries) {
      return Status::Invalid("invalid indirect table size");
    }
    if (d.addr.get() > UINT64_MAX - (len - 1)) {
      return Status::Invalid("indirect table address + length overflows");
    }
    table = d.addr.get();
    table_size = len / sizeof(VirtqDesc);
    indirect = true;
    if (!mem.Read(table, &d)) {
      return Status::Dma("cannot read indirect descriptor (DMA failed)");
    }
  }

  // A chain visits each table entry at most once, so table_size steps bound
  // it; one more means a NEXT loop.
  uint32_t ttl = table_size;
  for (;;) {
    const uint16_t flags = d.flags.get();
    if (flags & kDescFIndirect) {
      return Status::Invalid(indirect
                                 ? "nested indirect descriptor"
                                 : "indirect descriptor not at the head of the chain");
    }
    if (Status s = Add(d.addr.get(), d.len.get(), flags & kDescFWrite);
        !s.ok()) {
      return s;
    }
    if (!(flags & kDescFNext)) {
      return Status::Ok();
    }
    if (--ttl == 0) {
      return Status::Invalid("looped descriptor chain");
    }
    const uint16_t next = d.next.get();
    if (next >= table_size) {
      return Status::Invalid("descriptor next index out of range");
    }
    if (!mem.Read(table + 16ull * next, &d)) {
      return Status::Dma("cannot read descriptor (DMA failed)");
    }
  }
}

Status DescriptorChain::WalkPacked(const GuestMemory& mem, uint64_t ring,
                                   uint16_t queue_size, uint16_t pos,
                                   bool indirect_ok, uint16_t* ndescs) {
  Clear(0);
  *ndescs = 0;
  if (pos >= queue_size) {
    return Status::Invalid("packed ring position out of range");
  }
  // Consecutive ring descriptors while NEXT is set (2.8.6); a chain cannot
  // hold more descriptors than the ring has.
  for (uint32_t n = 0;; ++n) {
    if (n == queue_size) {
      return Status::Invalid("packed descriptor chain longer than the ring");
    }
    PackedDesc d;
    if (!mem.Read(ring + 16ull * pos, &d)) {
      return Status::Dma("cannot read descriptor (DMA failed)");
    }
    ++*ndescs;
    pos = static_cast<uint16_t>(pos + 1 == queue_size ? 0 : pos + 1);
    head_ = d.id.get();  // the buffer id is the last descriptor's (2.8.6)
    const uint16_t flags = d.flags.get();
    if (flags & kDescFIndirect) {
      // 2.8.7: an indirect descriptor is a chain of its own, a table of
      // whole descriptors consumed in order (their NEXT is meaningless).
      if (!indirect_ok) {
        return Status::Invalid(
            "indirect descriptor without VIRTIO_F_RING_INDIRECT_DESC");
      }
      if (n != 0 || (flags & kDescFNext)) {
        return Status::Invalid("packed indirect descriptor inside a chain");
      }
      const uint32_t len = d.len.get();
      if (len == 0 || len % sizeof(PackedDesc) != 0 ||
          len / sizeof(PackedDesc) > kMaxIndirectEntries) {
        return Status::Invalid("invalid indirect table size");
      }
      const uint64_t table = d.addr.get();
      if (table > UINT64_MAX - (len - 1)) {
        return Status::Invalid("indirect table address + length overflows");
      }
      for (uint32_t i = 0; i < len / sizeof(PackedDesc); ++i) {
        PackedDesc e;
        if (!mem.Read(table + 16ull * i, &e)) {
          return Status::Dma("cannot read indirect descriptor (DMA failed)");
        }
        if (e.flags.get() & kDescFIndirect) {
          return Status::Invalid("nested indirect descriptor");
        }
        if (Status s = Add(e.addr.get(), e.len.get(),
                           e.flags.get() & kDescFWrite);
            !s.ok()) {
          return s;
        }
      }
      return Status::Ok();
    }
    if (Status s = Add(d.addr.get(), d.len.get(), flags & kDescFWrite);
        !s.ok()) {
      return s;
    }
    if (!(flags & kDescFNext)) {
      return Status::Ok();
    }
  }
}

void ChainCursor::Seek(uint64_t pos) {
  pos = std::min(pos, total_);
  seg_ = 0;
  seg_off_ = 0;
  remaining_ = total_;
  Advance(pos, [](uint64_t, size_t) { return true; });
}

Status Reader::Read(void* buf, size_t len) {
  auto* out = static_cast<uint8_t*>(buf);
  bool dma_failed = false;
  if (cursor_.Advance(len, [&](uint64_t addr, size_t n) {
        if (!mem_.ReadBytes(addr, out, n)) {
          dma_failed = true;
          return false;
        }
        out += n;
        return true;
      })) {
    return Status::Ok();
  }
  return dma_failed ? Status::Dma("cannot read a buffer (DMA failed)")
                    : Status::Short("descriptor chain too short");
}

Status Reader::Skip(uint64_t len) {
  return cursor_.Advance(len, [](uint64_t, size_t) { return true; })
             ? Status::Ok()
             : Status::Short("descriptor chain too short");
}

Status Writer::Write(const void* buf, size_t len) {
  auto* in = static_cast<const uint8_t*>(buf);
  bool dma_failed = false;
  if (cursor_.Advance(len, [&](uint64_t addr, size_t n) {
        if (!mem_.WriteBytes(addr, in, n)) {
          dma_failed = true;
          return false;
        }
        in += n;
        return true;
      })) {
    return Status::Ok();
  }
  return dma_failed ? Status::Dma("cannot write a buffer (DMA failed)")
                    : Status::Short("descriptor chain has too little room");
}

Status Writer::WriteAt(uint64_t offset, const void* buf, size_t len) {
  const uint64_t here = cursor_.position();
  cursor_.Seek(offset);
  Status s = cursor_.position() == offset
                 ? Write(buf, len)
                 : Status::Short("descriptor chain has too little room");
  cursor_.Seek(here);
  return s;
}

}  // namespace snic::virtio
