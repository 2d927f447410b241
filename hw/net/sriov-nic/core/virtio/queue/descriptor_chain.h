// sriov-nic core: virtqueue descriptor chains as byte streams.
//
// Virtio 1.2 section 2.7.5 (the split descriptor table), 2.7.5.3 (indirect
// descriptors), 2.8.6 and 2.8.7 (packed chains and indirect tables). A chain is walked once, validated, and flattened into a list
// of guest-physical segments: device-readable ones first, then
// device-writable ones (2.7.4.2: "The driver MUST place any device-writable
// descriptor elements after any device-readable descriptor elements").
// Device code then consumes it through Reader/Writer (crosvm's pattern) and
// never indexes descriptors itself.
//
// Everything the guest controls is bounded: the walk follows at most
// table-size descriptors (a NEXT loop, or a packed chain around the whole
// ring, ends with an error, Firecracker's ttl), one level of indirection, indirect tables of at most
// kMaxIndirectEntries whole 16-byte descriptors, no zero-length buffers,
// and no address range that wraps the 64-bit space.
//
// SPDX-License-Identifier: GPL-2.0-or-later
#ifndef SNIC_CORE_VIRTIO_QUEUE_DESCRIPTOR_CHAIN_H
#define SNIC_CORE_VIRTIO_QUEUE_DESCRIPTOR_CHAIN_H

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "../../base/status.h"
#include "../guest_memory.h"
#include "../spec.h"

namespace snic::virtio {

struct Segment {
  uint64_t addr;
  uint32_t len;
};

class DescriptorChain {
 public:
  static constexpr size_t kMaxSegments = kMaxQueueSize;
  static constexpr uint32_t kMaxIndirectEntries = kMaxQueueSize;

  // Walks the chain whose head is @head in the descriptor table at
  // @desc_table (@queue_size entries). A non-OK status describes the
  // guest's mistake (fatal for the queue, as QEMU's virtio_error()).
  Status Walk(const GuestMemory& mem, uint64_t desc_table, uint16_t queue_size,
              uint16_t head, bool indirect_ok);

  // Walks the packed chain starting at ring position @pos (whose first
  // descriptor the caller found available) of the ring at @ring
  // (@queue_size descriptors), wrapping around its end: *@ndescs ring
  // descriptors, the buffer id of the last one as head().
  Status WalkPacked(const GuestMemory& mem, uint64_t ring, uint16_t queue_size,
                    uint16_t pos, bool indirect_ok, uint16_t* ndescs);

  // The split chain's head index, or the packed chain's buffer id.
  uint16_t head() const { return head_; }
  size_t num_readable() const { return num_readable_; }
  size_t num_writable() const { return num_segs_ - num_readable_; }
  const Segment& readable(size_t i) const { return segs_[i]; }
  const Segment& writable(size_t i) const { return segs_[num_readable_ + i]; }
  uint64_t readable_bytes() const { return readable_bytes_; }
  uint64_t writable_bytes() const { return writable_bytes_; }

 private:
  Status Add(uint64_t addr, uint32_t len, bool writable);
  void Clear(uint16_t head);

  uint16_t head_ = 0;
  size_t num_segs_ = 0;
  size_t num_readable_ = 0;
  uint64_t readable_bytes_ = 0;
  uint64_t writable_bytes_ = 0;
  std::array<Segment, kMaxSegments> segs_{};
};

// A position in one direction (readable or writable part) of a chain: the
// one segment walk behind Reader and Writer.
class ChainCursor {
 public:
  ChainCursor(const DescriptorChain& chain, bool writable)
      : chain_(chain),
        writable_(writable),
        total_(writable ? chain.writable_bytes() : chain.readable_bytes()),
        remaining_(total_) {}

  uint64_t remaining() const { return remaining_; }
  uint64_t position() const { return total_ - remaining_; }
  // Back to byte @pos (<= total) of this part.
  void Seek(uint64_t pos);

  // Moves @len bytes forward, calling @visit(guest_addr, n) for each piece
  // before the position moves past it. False, with the position at the
  // failed piece, if the part is shorter than @len or @visit returns false.
  template <typename Visit>
  bool Advance(uint64_t len, Visit&& visit) {
    if (len > remaining_) {
      return false;
    }
    while (len > 0) {
      const Segment& s = segment(seg_);
      const uint64_t n = std::min<uint64_t>(len, s.len - seg_off_);
      if (!visit(s.addr + seg_off_, static_cast<size_t>(n))) {
        return false;
      }
      len -= n;
      remaining_ -= n;
      seg_off_ += n;
      if (seg_off_ == s.len) {
        seg_++;
        seg_off_ = 0;
      }
    }
    return true;
  }

 private:
  const Segment& segment(size_t i) const {
    return writable_ ? chain_.writable(i) : chain_.readable(i);
  }

  const DescriptorChain& chain_;
  bool writable_;
  uint64_t total_;
  size_t seg_ = 0;
  uint64_t seg_off_ = 0;
  uint64_t remaining_;
};

// Sequential reads over the device-readable part of a chain.
class Reader {
 public:
  Reader(const GuestMemory& mem, const DescriptorChain& chain)
      : mem_(mem), cursor_(chain, /*writable=*/false) {}

  // Copies exactly @len bytes: kShort if the chain has fewer, kDma if a
  // read failed (nothing is guaranteed in @buf then).
  Status Read(void* buf, size_t len);
  template <typename T>
  Status ReadObj(T* out) {
    static_assert(std::is_trivially_copyable_v<T>);
    return Read(out, sizeof(T));
  }
  Status Skip(uint64_t len);
  uint64_t remaining() const { return cursor_.remaining(); }

 private:
  GuestMemory mem_;
  ChainCursor cursor_;
};

// Sequential writes over the device-writable part of a chain.
class Writer {
 public:
  Writer(const GuestMemory& mem, const DescriptorChain& chain)
      : mem_(mem), cursor_(chain, /*writable=*/true) {}

  // Writes exactly @len bytes: kShort if there is not enough room, kDma if
  // a write failed.
  Status Write(const void* buf, size_t len);
  template <typename T>
  Status WriteObj(const T& v) {
    static_assert(std::is_trivially_copyable_v<T>);
    return Write(&v, sizeof(T));
  }
  // Overwrites @len bytes at @offset of the writable part (already written
  // or not), then continues where it was: patching a header after the
  // payload.
  Status WriteAt(uint64_t offset, const void* buf, size_t len);
  uint64_t remaining() const { return cursor_.remaining(); }
  uint64_t written() const { return cursor_.position(); }

 private:
  GuestMemory mem_;
  ChainCursor cursor_;
};

}  // namespace snic::virtio

#endif  // SNIC_CORE_VIRTIO_QUEUE_DESCRIPTOR_CHAIN_H
