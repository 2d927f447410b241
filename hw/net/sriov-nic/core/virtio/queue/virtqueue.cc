// sriov-nic core: one virtqueue: the configuration, Enable, migration and
// the split ring (virtio 1.2 section 2.7); the packed ring (2.8) is in
// virtqueue_packed.cc.
// SPDX-License-Identifier: GPL-2.0-or-later
#include "virtqueue.h"

#include <algorithm>
#include <string>

namespace snic::virtio {

void Virtqueue::Reset(uint16_t max_size) {
  *this = Virtqueue{};
  max_size_ = max_size;
  size_ = max_size;
}

Status Virtqueue::CheckLayout(uint16_t size, uint16_t max_size,
                               uint64_t desc, uint64_t driver,
                               uint64_t device, bool packed) {
  if (packed) {
    // 2.8.10.1 / 2.8.13: any size up to the maximum; a 16-byte aligned
    // descriptor ring; 4-byte aligned event suppression structures.
    if (size == 0 || size > max_size) {
      return Status::Invalid("queue_enable with an invalid queue_size");
    }
    if ((desc & 15) != 0 || (driver & 3) != 0 || (device & 3) != 0) {
      return Status::Invalid("queue_enable with misaligned ring addresses");
    }
    if (16ull * size - 1 > UINT64_MAX - desc || 3 > UINT64_MAX - driver ||
        3 > UINT64_MAX - device) {
      return Status::Invalid(
          "queue_enable with ring addresses that wrap around");
    }
    return Status::Ok();
  }
  if (size == 0 || (size & (size - 1)) != 0 || size > max_size) {
    return Status::Invalid("queue_enable with an invalid queue_size");
  }
  // 2.7: descriptor table 16-byte, driver area 2-byte, device area 4-byte
  // aligned.
  if ((desc & 15) != 0 || (driver & 1) != 0 || (device & 3) != 0) {
    return Status::Invalid("queue_enable with misaligned ring addresses");
  }
  const uint64_t desc_len = 16ull * size;
  const uint64_t avail_len = 6 + 2ull * size;
  const uint64_t used_len = 6 + 8ull * size;
  // Each area's last byte (addr + len - 1) must not wrap; a ring may end
  // at the very top of the address space.
  if (desc_len - 1 > UINT64_MAX - desc || avail_len - 1 > UINT64_MAX - driver ||
      used_len - 1 > UINT64_MAX - device) {
    return Status::Invalid("queue_enable with ring addresses that wrap around");
  }
  return Status::Ok();
}

Status Virtqueue::Enable(bool packed) {
  if (Status s =
          CheckLayout(size_, max_size_, desc_, driver_, device_, packed);
      !s.ok()) {
    return s;
  }
  enabled_ = true;
  packed_ = packed;
  last_avail_ = 0;
  used_idx_ = 0;
  signalled_used_valid_ = false;
  avail_wrap_ = true;
  used_wrap_ = true;
  device_event_written_ = false;
  in_flight_.assign(packed ? size_ : 0, InFlight{});
  in_flight_first_ = 0;
  in_flight_count_ = 0;
  return Status::Ok();
}

Status Virtqueue::Pop(const GuestMemory& mem, QueueFeatures f,
                      DescriptorChain* chain, bool* got) {
  *got = false;
  if (!enabled_) {
    return Status::Ok();
  }
  return packed_ ? PopPacked(mem, f, chain, got)
                 : PopSplit(mem, f, chain, got);
}

void Virtqueue::Unpop(uint16_t n) {
  if (!packed_) {
    last_avail_ = static_cast<uint16_t>(last_avail_ - n);
    return;
  }
  // The last @n chains taken go back, newest first: the cursor moves back
  // over their descriptors, and across the ring's start the wrap counter
  // flips back.
  for (uint16_t i = 0; i < n && in_flight_count_ > 0; ++i) {
    --in_flight_count_;
    const uint16_t k = static_cast<uint16_t>(
        (in_flight_first_ + in_flight_count_) % size_);
    const uint16_t nd = in_flight_[k].ndescs;
    if (last_avail_ >= nd) {
      last_avail_ = static_cast<uint16_t>(last_avail_ - nd);
    } else {
      last_avail_ = static_cast<uint16_t>(last_avail_ + size_ - nd);
      avail_wrap_ = !avail_wrap_;
    }
  }
}

Status Virtqueue::PopSplit(const GuestMemory& mem, QueueFeatures f,
                           DescriptorChain* chain, bool* got) {
  // avail.idx, avail.flags and used_event are stored by the driver while
  // the device reads them: one atomic load each (ReadIndex), or a torn
  // read can see an index 256 ahead and fail the queue.
  uint16_t avail = 0;
  if (!mem.ReadIndex(driver_ + kAvailIdxOff, &avail)) {
    return Status::Dma("cannot read avail.idx (DMA failed)");
  }
  if (avail == last_avail_ && f.event_idx) {
    // Ask for a kick on the next buffer, then look again: the driver may
    // have added one before it could see the new avail_event.
    Le16 ev;
    ev.set(last_avail_);
    if (!mem.Write(device_ + AvailEventOff(size_), ev)) {
      return Status::Dma("cannot write avail_event (DMA failed)");
    }
    if (!mem.ReadIndex(driver_ + kAvailIdxOff, &avail)) {
      return Status::Dma("cannot read avail.idx (DMA failed)");
    }
  }
  const uint16_t pending = static_cast<uint16_t>(avail - last_avail_);
  if (pending == 0) {
    return Status::Ok();
  }
  if (pending > size_) {
    return Status::Invalid("avail.idx moved further than the queue size");
  }
  Le16 head;
  if (!mem.Read(driver_ + AvailRingOff(last_avail_ % size_), &head)) {
    return Status::Dma("cannot read avail.ring (DMA failed)");
  }
  if (Status s = chain->Walk(mem, desc_, size_, head.get(), f.indirect);
      !s.ok()) {
    return s;
  }
  // avail_event is only moved when the ring runs dry (above): while the
  // device is behind, the driver need not kick (like QEMU disabling
  // notifications during a TX burst).
  last_avail_++;
  *got = true;
  return Status::Ok();
}

Status Virtqueue::Fill(const GuestMemory& mem, uint16_t offset,
                       uint16_t head, uint32_t len) {
  if (packed_) {
    // Recorded only: the slot may still hold a chain that gets Unpop()ed.
    if (offset >= in_flight_count_) {
      return Status::Invalid("used element for a chain never taken");
    }
    InFlight& e = in_flight_[(in_flight_first_ + offset) % size_];
    e.id = head;
    e.len = len;
    return Status::Ok();
  }
  VirtqUsedElem e;
  e.id.set(head);
  e.len.set(len);
  const uint16_t slot = static_cast<uint16_t>(used_idx_ + offset) % size_;
  if (!mem.Write(device_ + UsedRingOff(slot), e)) {
    return Status::Dma("cannot write used.ring (DMA failed)");
  }
  return Status::Ok();
}

Status Virtqueue::Flush(const GuestMemory& mem, uint16_t count) {
  if (packed_) {
    return FlushPacked(mem, count);
  }
  const uint16_t old = used_idx_;
  const uint16_t now = static_cast<uint16_t>(old + count);
  Le16 idx;
  idx.set(now);
  if (!mem.Write(device_ + kUsedIdxOff, idx)) {
    return Status::Dma("cannot write used.idx (DMA failed)");
  }
  used_idx_ = now;
  // The used index wrapped past the last signalled value: the next
  // need_event comparison would be meaningless.
  if (static_cast<int16_t>(now - signalled_used_) <
      static_cast<uint16_t>(now - old)) {
    signalled_used_valid_ = false;
  }
  return Status::Ok();
}

Status Virtqueue::ShouldNotify(const GuestMemory& mem, QueueFeatures f,
                               bool* notify) {
  *notify = false;
  if (packed_) {
    return ShouldNotifyPacked(mem, f, notify);
  }
  if (!f.event_idx) {
    uint16_t flags = 0;
    if (!mem.ReadIndex(driver_ + kAvailFlagsOff, &flags)) {
      return Status::Dma("cannot read avail.flags (DMA failed)");
    }
    *notify = !(flags & kAvailFNoInterrupt);
    return Status::Ok();
  }
  uint16_t used_event = 0;
  if (!mem.ReadIndex(driver_ + UsedEventOff(size_), &used_event)) {
    return Status::Dma("cannot read used_event (DMA failed)");
  }
  const bool valid = signalled_used_valid_;
  const uint16_t old = signalled_used_;
  signalled_used_valid_ = true;
  signalled_used_ = used_idx_;
  *notify = !valid || NeedEvent(used_event, used_idx_, old);
  return Status::Ok();
}

Virtqueue::State Virtqueue::Export() const {
  State s;
  s.size = size_;
  s.msix_vector = msix_vector_;
  s.enabled = enabled_;
  s.desc = desc_;
  s.driver = driver_;
  s.device = device_;
  s.last_avail = last_avail_;
  s.used_idx = used_idx_;
  s.signalled_used = signalled_used_;
  s.signalled_used_valid = signalled_used_valid_;
  s.packed = packed_;
  s.avail_wrap = avail_wrap_;
  s.used_wrap = used_wrap_;
  return s;
}

Status Virtqueue::Check(const State& s, uint16_t max_size,
                         uint16_t num_vectors) {
  if (s.size == 0 || (s.size & (s.size - 1)) != 0 || s.size > max_size) {
    return Status::Invalid("queue_size " + std::to_string(s.size) +
                           " is not a power of two up to " +
                           std::to_string(max_size));
  }
  if (s.msix_vector != kNoVector && s.msix_vector >= num_vectors) {
    return Status::Invalid("queue_msix_vector " +
                           std::to_string(s.msix_vector) + " is not below " +
                           std::to_string(num_vectors));
  }
  if (!s.enabled) {
    if (s.last_avail != 0 || s.used_idx != 0 || s.packed || !s.avail_wrap ||
        !s.used_wrap) {
      return Status::Invalid("ring indices of a disabled queue are not 0");
    }
    return Status::Ok();
  }
  if (Status l = CheckLayout(s.size, max_size, s.desc, s.driver, s.device,
                             s.packed);
      !l.ok()) {
    return Status::Invalid(std::string("ring layout: ") + l.message());
  }
  if (s.packed) {
    // Positions inside the ring; nothing in flight (the device gives back
    // what it took before it saves, and completes in order).
    if (s.last_avail >= s.size || s.used_idx >= s.size ||
        s.signalled_used >= s.size) {
      return Status::Invalid("packed ring position " +
                             std::to_string(std::max(
                                 {s.last_avail, s.used_idx, s.signalled_used})) +
                             " is not below queue_size " +
                             std::to_string(s.size));
    }
    if (s.last_avail != s.used_idx || s.avail_wrap != s.used_wrap) {
      return Status::Invalid(
          "packed ring with chains in flight (last_avail " +
          std::to_string(s.last_avail) + "/" + std::to_string(s.avail_wrap) +
          ", used " + std::to_string(s.used_idx) + "/" +
          std::to_string(s.used_wrap) + ")");
    }
    return Status::Ok();
  }
  if (!s.avail_wrap || !s.used_wrap) {
    return Status::Invalid("wrap counters set on a split ring");
  }
  // The device never has more than queue_size chains taken and not used.
  const uint16_t in_flight = static_cast<uint16_t>(s.last_avail - s.used_idx);
  if (in_flight > s.size) {
    return Status::Invalid("last_avail_idx " + std::to_string(s.last_avail) +
                           " is " + std::to_string(in_flight) +
                           " past used_idx " + std::to_string(s.used_idx) +
                           ", more than queue_size " + std::to_string(s.size));
  }
  return Status::Ok();
}

void Virtqueue::Import(const State& s, uint16_t max_size) {
  max_size_ = max_size;
  size_ = s.size;
  msix_vector_ = s.msix_vector;
  enabled_ = s.enabled;
  desc_ = s.desc;
  driver_ = s.driver;
  device_ = s.device;
  last_avail_ = s.last_avail;
  used_idx_ = s.used_idx;
  signalled_used_ = s.signalled_used;
  signalled_used_valid_ = s.signalled_used_valid;
  packed_ = s.packed;
  avail_wrap_ = s.avail_wrap;
  used_wrap_ = s.used_wrap;
  device_event_written_ = false;
  in_flight_.assign(s.packed ? s.size : 0, InFlight{});
  in_flight_first_ = 0;
  in_flight_count_ = 0;
}

}  // namespace snic::virtio
