// sriov-nic core: the packed ring of a virtqueue (virtio 1.2 section 2.8).
//
// A descriptor is available when its AVAIL flag equals the device's avail
// wrap counter and its USED flag does not (2.8.1); the device takes a chain
// of consecutive descriptors, writes one used descriptor (buffer id,
// length, AVAIL = USED = its used wrap counter) at its used position and
// moves that position past the chain's descriptors (2.8.7, as Linux's
// virtqueue_get_buf_ctx_packed expects). Both positions flip their wrap
// counter at the end of the ring.
// SPDX-License-Identifier: GPL-2.0-or-later
#include "virtqueue.h"

namespace snic::virtio {

namespace {

bool Available(uint16_t flags, bool wrap) {
  const bool avail = flags & kPackedDescFAvail;
  const bool used = flags & kPackedDescFUsed;
  return avail == wrap && used != wrap;
}

// Moves ring position @pos of a @size ring @n descriptors on.
void Advance(uint16_t size, uint16_t n, uint16_t* pos, bool* wrap) {
  const uint32_t next = uint32_t{*pos} + n;
  if (next >= size) {
    *pos = static_cast<uint16_t>(next - size);
    *wrap = !*wrap;
  } else {
    *pos = static_cast<uint16_t>(next);
  }
}

}  // namespace

Status Virtqueue::PopPacked(const GuestMemory& mem, QueueFeatures f,
                            DescriptorChain* chain, bool* got) {
  // The flags word is stored by the driver while the device reads it (its
  // store of the first descriptor's flags publishes the chain): one atomic
  // load.
  const uint64_t at = desc_ + 16ull * last_avail_;
  uint16_t flags = 0;
  if (!mem.ReadIndex(at + kPackedDescFlagsOff, &flags)) {
    return Status::Dma("cannot read a packed descriptor (DMA failed)");
  }
  if (!Available(flags, avail_wrap_)) {
    if (device_event_written_) {
      return Status::Ok();
    }
    // The device's event suppression structure says "notify me" from now
    // on; look again, the driver may have published before it could see
    // it.
    Le16 enable;
    enable.set(kPackedEventEnable);
    if (!mem.Write(device_ + kPackedEventFlagsOff, enable)) {
      return Status::Dma(
          "cannot write the device event suppression flags (DMA failed)");
    }
    device_event_written_ = true;
    if (!mem.ReadIndex(at + kPackedDescFlagsOff, &flags)) {
      return Status::Dma("cannot read a packed descriptor (DMA failed)");
    }
    if (!Available(flags, avail_wrap_)) {
      return Status::Ok();
    }
  }
  if (in_flight_count_ == size_) {
    // Every descriptor of the ring is in a chain the device holds: the
    // driver re-published a slot it does not own.
    return Status::Invalid("packed ring offers more chains than its size");
  }
  uint16_t ndescs = 0;
  if (Status s =
          chain->WalkPacked(mem, desc_, size_, last_avail_, f.indirect, &ndescs);
      !s.ok()) {
    return s;
  }
  InFlight& e = in_flight_[(in_flight_first_ + in_flight_count_) % size_];
  e = InFlight{ndescs, 0, 0};  // Fill gives the id and length
  in_flight_count_++;
  Advance(size_, ndescs, &last_avail_, &avail_wrap_);
  *got = true;
  return Status::Ok();
}

Status Virtqueue::FlushPacked(const GuestMemory& mem, uint16_t count) {
  if (count > in_flight_count_) {
    return Status::Invalid("used elements for chains never taken");
  }
  if (count == 0) {
    return Status::Ok();
  }
  // Every element but the first whole, then the first's id and length,
  // then its flags: the driver, polling the first slot, sees the batch at
  // once.
  const uint16_t first_pos = used_idx_;
  const bool first_wrap = used_wrap_;
  uint16_t pos = used_idx_;
  bool wrap = used_wrap_;
  for (uint16_t k = 0; k < count; ++k) {
    const InFlight& e = in_flight_[(in_flight_first_ + k) % size_];
    const uint64_t d = desc_ + 16ull * pos;
    Le32 len;
    len.set(e.len);
    Le16 id;
    id.set(e.id);
    if (!mem.Write(d + kPackedDescLenOff, len) ||
        !mem.Write(d + kPackedDescIdOff, id)) {
      return Status::Dma("cannot write a used descriptor (DMA failed)");
    }
    if (k > 0) {
      Le16 fl;
      fl.set(wrap ? kPackedDescFAvail | kPackedDescFUsed : 0);
      if (!mem.Write(d + kPackedDescFlagsOff, fl)) {
        return Status::Dma("cannot write a used descriptor (DMA failed)");
      }
    }
    Advance(size_, e.ndescs, &pos, &wrap);
  }
  Le16 fl;
  fl.set(first_wrap ? kPackedDescFAvail | kPackedDescFUsed : 0);
  if (!mem.Write(desc_ + 16ull * first_pos + kPackedDescFlagsOff, fl)) {
    return Status::Dma("cannot write a used descriptor (DMA failed)");
  }
  in_flight_first_ = static_cast<uint16_t>((in_flight_first_ + count) % size_);
  in_flight_count_ = static_cast<uint16_t>(in_flight_count_ - count);
  if (wrap != used_wrap_) {
    // The used position wrapped: the last signalled one means nothing for
    // the next event comparison (as QEMU).
    signalled_used_valid_ = false;
  }
  used_idx_ = pos;
  used_wrap_ = wrap;
  return Status::Ok();
}

Status Virtqueue::ShouldNotifyPacked(const GuestMemory& mem, QueueFeatures f,
                                     bool* notify) {
  uint16_t off_wrap = 0;
  uint16_t flags = 0;
  if (!mem.ReadIndex(driver_ + kPackedEventOffWrapOff, &off_wrap) ||
      !mem.ReadIndex(driver_ + kPackedEventFlagsOff, &flags)) {
    return Status::Dma(
        "cannot read the driver event suppression structure (DMA failed)");
  }
  const bool valid = signalled_used_valid_;
  const uint16_t old = signalled_used_;
  signalled_used_valid_ = true;
  signalled_used_ = used_idx_;
  if (flags == kPackedEventDisable) {
    *notify = false;
  } else if (flags == kPackedEventDesc && f.event_idx) {
    // 2.8.10: notify once the used position passes off_wrap (in the
    // driver's lap, or the one before).
    int off = off_wrap & 0x7fff;
    if (static_cast<bool>(off_wrap >> 15) != used_wrap_) {
      off -= size_;
    }
    *notify = !valid || NeedEvent(static_cast<uint16_t>(off), used_idx_, old);
  } else {
    // ENABLE, and values the spec does not define: the safe side.
    *notify = true;
  }
  return Status::Ok();
}

}  // namespace snic::virtio
