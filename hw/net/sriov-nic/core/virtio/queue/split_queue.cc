// sriov-nic core: one split virtqueue (virtio 1.2 section 2.7).
// SPDX-License-Identifier: GPL-2.0-or-later
#include "split_queue.h"

namespace snic::virtio {

void SplitQueue::Reset(uint16_t max_size) {
  *this = SplitQueue{};
  max_size_ = max_size;
  size_ = max_size;
}

Status SplitQueue::Enable() {
  if (size_ == 0 || (size_ & (size_ - 1)) != 0 || size_ > max_size_) {
    return Status::Invalid("queue_enable with an invalid queue_size");
  }
  // 2.7: descriptor table 16-byte, driver area 2-byte, device area 4-byte
  // aligned.
  if ((desc_ & 15) != 0 || (driver_ & 1) != 0 || (device_ & 3) != 0) {
    return Status::Invalid("queue_enable with misaligned ring addresses");
  }
  const uint64_t desc_len = 16ull * size_;
  const uint64_t avail_len = 6 + 2ull * size_;
  const uint64_t used_len = 6 + 8ull * size_;
  if (desc_ > UINT64_MAX - desc_len || driver_ > UINT64_MAX - avail_len ||
      device_ > UINT64_MAX - used_len) {
    return Status::Invalid("queue_enable with ring addresses that wrap around");
  }
  enabled_ = true;
  last_avail_ = 0;
  used_idx_ = 0;
  signalled_used_valid_ = false;
  return Status::Ok();
}

Status SplitQueue::Pop(const GuestMemory& mem, QueueFeatures f,
                            DescriptorChain* chain, bool* got) {
  *got = false;
  if (!enabled_) {
    return Status::Ok();
  }
  Le16 idx;
  if (!mem.Read(driver_ + kAvailIdxOff, &idx)) {
    return Status::Dma("cannot read avail.idx (DMA failed)");
  }
  uint16_t avail = idx.get();
  if (avail == last_avail_ && f.event_idx) {
    // Ask for a kick on the next buffer, then look again: the driver may
    // have added one before it could see the new avail_event.
    Le16 ev;
    ev.set(last_avail_);
    if (!mem.Write(device_ + AvailEventOff(size_), ev)) {
      return Status::Dma("cannot write avail_event (DMA failed)");
    }
    if (!mem.Read(driver_ + kAvailIdxOff, &idx)) {
      return Status::Dma("cannot read avail.idx (DMA failed)");
    }
    avail = idx.get();
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

Status SplitQueue::Fill(const GuestMemory& mem, uint16_t offset,
                             uint16_t head, uint32_t len) {
  VirtqUsedElem e;
  e.id.set(head);
  e.len.set(len);
  const uint16_t slot = static_cast<uint16_t>(used_idx_ + offset) % size_;
  if (!mem.Write(device_ + UsedRingOff(slot), e)) {
    return Status::Dma("cannot write used.ring (DMA failed)");
  }
  return Status::Ok();
}

Status SplitQueue::Flush(const GuestMemory& mem, uint16_t count) {
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

Status SplitQueue::ShouldNotify(const GuestMemory& mem, QueueFeatures f,
                                     bool* notify) {
  *notify = false;
  if (!f.event_idx) {
    Le16 flags;
    if (!mem.Read(driver_ + kAvailFlagsOff, &flags)) {
      return Status::Dma("cannot read avail.flags (DMA failed)");
    }
    *notify = !(flags.get() & kAvailFNoInterrupt);
    return Status::Ok();
  }
  Le16 used_event;
  if (!mem.Read(driver_ + UsedEventOff(size_), &used_event)) {
    return Status::Dma("cannot read used_event (DMA failed)");
  }
  const bool valid = signalled_used_valid_;
  const uint16_t old = signalled_used_;
  signalled_used_valid_ = true;
  signalled_used_ = used_idx_;
  *notify = !valid || NeedEvent(used_event.get(), used_idx_, old);
  return Status::Ok();
}

}  // namespace snic::virtio
