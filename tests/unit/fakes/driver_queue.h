// The driver's side of one split virtqueue (virtio 1.2 2.7), as Linux's
// virtio_ring lays it out in guest RAM: free-list descriptors, avail idx
// published after the ring entry, indirect tables, EVENT_IDX kick
// suppression, get_buf. The doorbell is a callback, so the same queue
// drives the device through the C ABI (FakeDriver) or a bare
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
  DriverQueue(GuestRam& ram, uint16_t index, uint16_t size,
              std::function<void()> doorbell = {})
      : ram_(ram), index_(index), size_(size), doorbell_(std::move(doorbell)) {
    desc = ram.Alloc(16ull * size, 4096);
    avail = ram.Alloc(6 + 2ull * size, 64);
    used = ram.Alloc(6 + 8ull * size, 64);
    for (uint16_t i = 0; i < size; ++i) free_.push_back(i);
  }

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

  // virtqueue_kick_prepare(): does the device want a notification?
  bool KickNeeded() {
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
  void SetNoInterrupt(bool on) { ram_.Put<uint16_t>(avail, on ? 1 : 0); }
  void SetUsedEvent(uint16_t v) {
    ram_.Put<uint16_t>(avail + 4 + 2ull * size_, v);
  }

  uint64_t desc = 0, avail = 0, used = 0;

 private:
  uint16_t Take() {
    const uint16_t d = free_.front();
    free_.erase(free_.begin());
    return d;
  }

  GuestRam& ram_;
  uint16_t index_;
  uint16_t size_;
  std::function<void()> doorbell_;
  uint16_t avail_idx_ = 0;
  uint16_t kicked_idx_ = 0;
  uint16_t last_used_ = 0;
  std::vector<uint16_t> free_;
  std::map<uint16_t, std::vector<uint16_t>> chains_;
};

}  // namespace snic::testing

#endif  // SNIC_TESTS_FAKES_DRIVER_QUEUE_H
