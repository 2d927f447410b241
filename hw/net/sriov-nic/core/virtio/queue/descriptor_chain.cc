// sriov-nic core: split-virtqueue descriptor chains as byte streams.
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

Status DescriptorChain::Walk(const GuestMemory& mem, uint64_t desc_table,
                             uint16_t queue_size, uint16_t head,
                             bool indirect_ok) {
  head_ = head;
  num_segs_ = 0;
  num_readable_ = 0;
  readable_bytes_ = 0;
  writable_bytes_ = 0;
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
