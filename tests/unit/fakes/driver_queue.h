// The driver's side of one virtqueue, split (virtio 1.2 2.7) or packed
// (2.8), as Linux's virtio_ring lays it out in guest RAM. Split: free-list
// descriptors, avail idx published after the ring entry, indirect tables,
// EVENT_IDX kick suppression, get_buf. Packed: consecutive descriptors
// with the AVAIL/USED wrap bits, the first descriptor's flags stored last,
// buffer ids from a free list, indirect tables of packed descriptors, used
// descriptors read at last_used and skipped by the chain's length, the
// event suppression structures. The doorbell is a callback, so the same
// queue drives the device through the C ABI (FakeDriver) or a bare
// virtio::Virtqueue. Lives in tests/ only.
// SPDX-License-Identifier: GPL-2.0-or-later
#ifndef SNIC_TESTS_FAKES_DRIVER_QUEUE_H
#define SNIC_TESTS_FAKES_DRIVER_QUEUE_H

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "guest_ram.h"

namespace snic::testing {

// 2.7.5: descriptor flags, spelled out independently of the core.
inline constexpr uint16_t kDescNext = 1, kDescWrite = 2, kDescIndirect = 4;
// 2.8.1: the packed ring's wrap bits.
inline constexpr uint16_t kDescAvail = 1 << 7, kDescUsed = 1 << 15;
// 2.8.10: event suppression flags.
inline constexpr uint16_t kEventEnable = 0, kEventDisable = 1, kEventDesc = 2;

struct Buf {
  uint64_t addr;
  uint32_t len;
  bool writable;
};

struct UsedElem {
  uint32_t id;
  uint32_t len;
};

// Writes struct virtq_desc @i of the table at @table.
inline void PutDesc(GuestRam& ram, uint64_t table, uint16_t i, uint64_t addr,
                    uint32_t len, uint16_t flags, uint16_t next) {
  ram.Put<uint64_t>(table + 16ull * i, addr);
  ram.Put<uint32_t>(table + 16ull * i + 8, len);
  ram.Put<uint16_t>(table + 16ull * i + 12, flags);
  ram.Put<uint16_t>(table + 16ull * i + 14, next);
}

class DriverQueue {
 public:
  // Allocates the rings of queue @index (@size entries) in @ram.
  // @doorbell is what Kick() does (nothing if empty).
  // @packed: a packed ring; then desc is the ring, avail the driver event
  // suppression structure and used the device's.
  DriverQueue(GuestRam& ram, uint16_t index, uint16_t size,
              std::function<void()> doorbell = {}, bool packed = false)
      : ram_(ram),
        index_(index),
        size_(size),
        packed_(packed),
        doorbell_(std::move(doorbell)) {
    desc = ram.Alloc(16ull * size, 4096);
    avail = ram.Alloc(packed ? 4 : 6 + 2ull * size, 64);
    used = ram.Alloc(packed ? 4 : 6 + 8ull * size, 64);
    for (uint16_t i = 0; i < size; ++i) free_.push_back(i);
    num_free_ = size;
  }
  bool packed() const { return packed_; }

  uint16_t size() const { return size_; }
  uint16_t index() const { return index_; }
  // The device moved (a migration): Kick() rings @doorbell from now on.
  void set_doorbell(std::function<void()> doorbell) {
    doorbell_ = std::move(doorbell);
  }
  bool event_idx = false;

  // Raw descriptor write (hostile tests build anything with this).
  void WriteDesc(uint64_t table, uint16_t i, uint64_t addr, uint32_t len,
                 uint16_t flags, uint16_t next) {
    PutDesc(ram_, table, i, addr, len, flags, next);
  }
  // Puts @head in the next avail slot and publishes the index.
  void PublishHead(uint16_t head) {
    ram_.Put<uint16_t>(avail + 4 + 2ull * (avail_idx_ % size_), head);
    avail_idx_++;
    ram_.Put<uint16_t>(avail + 2, avail_idx_);
  }
  void SetAvailIdx(uint16_t idx) {
    avail_idx_ = idx;
    ram_.Put<uint16_t>(avail + 2, idx);
  }

  // Adds a chain like virtqueue_add(): readable buffers first. With
  // @indirect, one ring descriptor points at a table of the buffers.
  // Returns the head, or nullopt when the ring is full.
  std::optional<uint16_t> Add(const std::vector<Buf>& bufs,
                              bool indirect = false) {
    if (packed_) return AddPacked(bufs, indirect);
    if (indirect) {
      if (free_.empty()) return std::nullopt;
      const uint64_t table = ram_.Alloc(16ull * bufs.size(), 16);
      for (size_t i = 0; i < bufs.size(); ++i) {
        const bool last = i + 1 == bufs.size();
        WriteDesc(table, uint16_t(i), bufs[i].addr, bufs[i].len,
                  uint16_t((bufs[i].writable ? kDescWrite : 0) |
                           (last ? 0 : kDescNext)),
                  uint16_t(last ? 0 : i + 1));
      }
      const uint16_t head = Take();
      WriteDesc(desc, head, table, uint32_t(16 * bufs.size()), kDescIndirect,
                0);
      chains_[head] = {head};
      PublishHead(head);
      return head;
    }
    if (free_.size() < bufs.size()) return std::nullopt;
    std::vector<uint16_t> ids;
    for (size_t i = 0; i < bufs.size(); ++i) ids.push_back(Take());
    for (size_t i = 0; i < bufs.size(); ++i) {
      const bool last = i + 1 == bufs.size();
      WriteDesc(desc, ids[i], bufs[i].addr, bufs[i].len,
                uint16_t((bufs[i].writable ? kDescWrite : 0) |
                         (last ? 0 : kDescNext)),
                last ? 0 : ids[i + 1]);
    }
    chains_[ids[0]] = ids;
    PublishHead(ids[0]);
    return ids[0];
  }

  // Packed: writes descriptor @pos of the ring as given (hostile tests).
  void PutPacked(uint16_t pos, uint64_t addr, uint32_t len, uint16_t id,
                 uint16_t flags) {
    const uint64_t d = desc + 16ull * pos;
    ram_.Put<uint64_t>(d, addr);
    ram_.Put<uint32_t>(d + 8, len);
    ram_.Put<uint16_t>(d + 12, id);
    ram_.Put<uint16_t>(d + 14, flags);
  }
  // Packed: the AVAIL/USED bits that make a descriptor available in lap
  // @wrap.
  static uint16_t AvailBits(bool wrap) {
    return wrap ? kDescAvail : kDescUsed;
  }
  bool avail_wrap() const { return avail_wrap_; }
  uint16_t next_avail() const { return next_avail_; }

  // virtqueue_kick_prepare(): does the device want a notification?
  bool KickNeeded() {
    if (packed_) {
      kicked_idx_ = avail_idx_;
      return ram_.Get<uint16_t>(used + 2) != kEventDisable;
    }
    const uint16_t old = kicked_idx_, now = avail_idx_;
    kicked_idx_ = now;
    if (event_idx) {
      const uint16_t ev = ram_.Get<uint16_t>(used + 4 + 8ull * size_);
      return uint16_t(now - ev - 1) < uint16_t(now - old);
    }
    return !(ram_.Get<uint16_t>(used) & 1);
  }
  void Kick() {
    if (doorbell_) doorbell_();
  }
  void AddAndKick(const std::vector<Buf>& bufs, bool indirect = false) {
    Add(bufs, indirect);
    if (KickNeeded()) Kick();
  }

  // virtqueue_get_buf(): next used element, recycling its descriptors.
  std::optional<UsedElem> GetUsed() {
    if (packed_) return GetUsedPacked();
    const uint16_t idx = ram_.Get<uint16_t>(used + 2);
    if (idx == last_used_) return std::nullopt;
    const uint64_t e = used + 4 + 8ull * (last_used_ % size_);
    UsedElem u{ram_.Get<uint32_t>(e), ram_.Get<uint32_t>(e + 4)};
    last_used_++;
    if (event_idx) ram_.Put<uint16_t>(avail + 4 + 2ull * size_, last_used_);
    auto it = chains_.find(uint16_t(u.id));
    if (it != chains_.end()) {
      for (uint16_t d : it->second) free_.push_back(d);
      chains_.erase(it);
    }
    return u;
  }
  uint16_t used_idx() const { return ram_.Get<uint16_t>(used + 2); }
  uint16_t avail_idx() const { return avail_idx_; }
  // avail_event, the device's "kick me at" index (EVENT_IDX).
  uint16_t avail_event() const {
    return ram_.Get<uint16_t>(used + 4 + 8ull * size_);
  }
  // VRING_AVAIL_F_NO_INTERRUPT / used_event for interrupt suppression.
  void SetNoInterrupt(bool on) {
    if (packed_) {
      ram_.Put<uint16_t>(avail + 2, on ? kEventDisable : kEventEnable);
      return;
    }
    ram_.Put<uint16_t>(avail, on ? 1 : 0);
  }
  // Split: used_event. Packed: DESC mode with off_wrap @v (position | wrap
  // << 15).
  void SetUsedEvent(uint16_t v) {
    if (packed_) {
      ram_.Put<uint16_t>(avail, v);
      ram_.Put<uint16_t>(avail + 2, kEventDesc);
      return;
    }
    ram_.Put<uint16_t>(avail + 4 + 2ull * size_, v);
  }
  // Packed: the driver's current used position and lap.
  uint16_t last_used() const { return last_used_; }
  bool used_wrap() const { return used_wrap_; }

  uint64_t desc = 0, avail = 0, used = 0;

 private:
  std::optional<uint16_t> AddPacked(const std::vector<Buf>& bufs,
                                    bool indirect) {
    const uint16_t need = indirect ? 1 : uint16_t(bufs.size());
    if (free_.empty() || num_free_ < need || bufs.empty()) return std::nullopt;
    const uint16_t id = Take();
    std::vector<Buf> ring = bufs;
    std::vector<bool> writable;
    if (indirect) {
      const uint64_t table = ram_.Alloc(16ull * bufs.size(), 16);
      for (size_t i = 0; i < bufs.size(); ++i) {
        ram_.Put<uint64_t>(table + 16 * i, bufs[i].addr);
        ram_.Put<uint32_t>(table + 16 * i + 8, bufs[i].len);
        ram_.Put<uint16_t>(table + 16 * i + 12, 0);
        ram_.Put<uint16_t>(table + 16 * i + 14,
                           bufs[i].writable ? kDescWrite : 0);
      }
      ring = {{table, uint32_t(16 * bufs.size()), false}};
    }
    const uint16_t first = next_avail_;
    uint16_t first_flags = 0;
    for (size_t i = 0; i < ring.size(); ++i) {
      const bool last = i + 1 == ring.size();
      uint16_t flags = uint16_t(AvailBits(avail_wrap_) |
                                (ring[i].writable ? kDescWrite : 0) |
                                (last ? 0 : kDescNext) |
                                (indirect ? kDescIndirect : 0));
      const uint64_t d = desc + 16ull * next_avail_;
      ram_.Put<uint64_t>(d, ring[i].addr);
      ram_.Put<uint32_t>(d + 8, ring[i].len);
      ram_.Put<uint16_t>(d + 12, id);
      if (i == 0) {
        first_flags = flags;
      } else {
        ram_.Put<uint16_t>(d + 14, flags);
      }
      if (++next_avail_ == size_) {
        next_avail_ = 0;
        avail_wrap_ = !avail_wrap_;
      }
    }
    ram_.Put<uint16_t>(desc + 16ull * first + 14, first_flags);
    num_free_ = uint16_t(num_free_ - ring.size());
    ndescs_[id] = uint16_t(ring.size());
    avail_idx_++;
    return id;
  }

  std::optional<UsedElem> GetUsedPacked() {
    const uint64_t d = desc + 16ull * last_used_;
    const uint16_t flags = ram_.Get<uint16_t>(d + 14);
    const bool a = flags & kDescAvail, u = flags & kDescUsed;
    if (a != used_wrap_ || u != used_wrap_) return std::nullopt;
    UsedElem e{ram_.Get<uint16_t>(d + 12), ram_.Get<uint32_t>(d + 8)};
    auto it = ndescs_.find(uint16_t(e.id));
    const uint16_t n = it != ndescs_.end() ? it->second : 1;
    if (it != ndescs_.end()) {
      ndescs_.erase(it);
      free_.push_back(uint16_t(e.id));
    }
    num_free_ = uint16_t(num_free_ + n);
    last_used_ = uint16_t(last_used_ + n);
    if (last_used_ >= size_) {
      last_used_ = uint16_t(last_used_ - size_);
      used_wrap_ = !used_wrap_;
    }
    return e;
  }

  uint16_t Take() {
    const uint16_t d = free_.front();
    free_.erase(free_.begin());
    return d;
  }

  GuestRam& ram_;
  uint16_t index_;
  uint16_t size_;
  bool packed_ = false;
  std::function<void()> doorbell_;
  // Packed: the next descriptor to make available and its lap, the used
  // lap, free descriptors and each buffer id's descriptor count.
  uint16_t next_avail_ = 0;
  bool avail_wrap_ = true;
  bool used_wrap_ = true;
  uint16_t num_free_ = 0;
  std::map<uint16_t, uint16_t> ndescs_;
  uint16_t avail_idx_ = 0;
  uint16_t kicked_idx_ = 0;
  uint16_t last_used_ = 0;
  std::vector<uint16_t> free_;
  std::map<uint16_t, std::vector<uint16_t>> chains_;
};

}  // namespace snic::testing

#endif  // SNIC_TESTS_FAKES_DRIVER_QUEUE_H
