// sriov-nic core: one virtqueue, split (virtio 1.2 section 2.7) or packed
// (2.8): which one is fixed at queue_enable by VIRTIO_F_RING_PACKED.
//
// Holds the driver-programmed configuration (4.1.4.3: queue_size,
// queue_msix_vector, queue_enable, queue_desc/driver/device) and the
// device's ring cursors. All ring accesses go through GuestMemory, so every
// one of them is a DMA of the owning function and may fail.
//
// Guest mistakes come back as a non-OK Status; the owner treats them as
// fatal for the function (NEEDS_RESET), as QEMU's virtio_error() does:
//  - split: avail.idx moving more than queue_size past the device's cursor
//    (2.7.13.3: the driver never makes more than queue_size available);
//  - a head index or chain that fails DescriptorChain::Walk / WalkPacked
//    (a packed chain longer than the ring is a loop);
//  - any failed DMA on the rings.
//
// The device completes chains in the order it took them (every user here
// does), so Fill(offset) names the offset-th chain taken and not yet used.
// Packed used descriptors overwrite the ring slots the chain came from:
// Fill only records id and length, Flush writes them, the flags of the
// first element last (2.8.21.1: the driver sees a batch at once), so an
// Unpop()ed chain is never damaged.
//
// Notification suppression. Split (2.7.7, 2.7.10): without EVENT_IDX the
// device honours VRING_AVAIL_F_NO_INTERRUPT; with it, used_event decides,
// and whenever Pop() finds the ring empty the device publishes
// avail_event = its cursor (then looks again) so the driver kicks for the
// next buffer. VRING_USED_F_NO_NOTIFY is never set. Packed (2.8.10): the
// driver's event suppression structure decides interrupts (ENABLE,
// DISABLE, DESC with EVENT_IDX); the device's says ENABLE, written once
// when the ring first runs dry after queue_enable or a migration.
//
// SPDX-License-Identifier: GPL-2.0-or-later
#ifndef SNIC_CORE_VIRTIO_QUEUE_VIRTQUEUE_H
#define SNIC_CORE_VIRTIO_QUEUE_VIRTQUEUE_H

#include <cstdint>
#include <vector>

#include "../../base/status.h"
#include "../guest_memory.h"
#include "../spec.h"
#include "descriptor_chain.h"

namespace snic::virtio {

struct QueueFeatures {
  bool indirect = false;   // VIRTIO_F_RING_INDIRECT_DESC negotiated
  bool event_idx = false;  // VIRTIO_F_RING_EVENT_IDX negotiated
  bool packed = false;     // VIRTIO_F_RING_PACKED negotiated
};

class Virtqueue {
 public:
  // Back to the reset state of 4.1.4.3 with @max_size as queue_size.
  void Reset(uint16_t max_size);

  // Driver configuration (common config registers).
  uint16_t max_size() const { return max_size_; }
  uint16_t size() const { return size_; }
  bool enabled() const { return enabled_; }
  uint16_t msix_vector() const { return msix_vector_; }
  uint64_t desc() const { return desc_; }
  uint64_t driver() const { return driver_; }
  uint64_t device() const { return device_; }
  void set_size(uint16_t size) { size_ = size; }
  void set_msix_vector(uint16_t v) { msix_vector_ = v; }
  void set_desc(uint64_t a) { desc_ = a; }
  void set_driver(uint64_t a) { driver_ = a; }
  void set_device(uint64_t a) { device_ = a; }
  bool packed() const { return packed_; }
  // queue_enable = 1: checks the layout (@packed: a packed ring).
  Status Enable(bool packed = false);
  // Whether a ring of @size at these addresses is usable (2.7 / 2.8).
  static Status CheckLayout(uint16_t size, uint16_t max_size, uint64_t desc,
                            uint64_t driver, uint64_t device,
                            bool packed = false);

  // Takes the next available chain into @chain (*@got = true), or finds
  // the ring empty (*@got = false).
  Status Pop(const GuestMemory& mem, QueueFeatures f, DescriptorChain* chain,
             bool* got);
  // Gives back the last @n popped chains (they were not consumed).
  void Unpop(uint16_t n);
  // Writes used element @offset past the current used index.
  Status Fill(const GuestMemory& mem, uint16_t offset, uint16_t head,
              uint32_t len);
  // Publishes @count filled elements (used.idx += count).
  Status Flush(const GuestMemory& mem, uint16_t count);
  // Fill + Flush of one element.
  Status Push(const GuestMemory& mem, uint16_t head, uint32_t len) {
    if (Status s = Fill(mem, 0, head, len); !s.ok()) return s;
    return Flush(mem, 1);
  }
  // Whether the driver wants an interrupt for what was published since the
  // last call (2.7.7.2 / 2.7.10).
  Status ShouldNotify(const GuestMemory& mem, QueueFeatures f, bool* notify);

  // Split: free-running indices. Packed: ring positions, with the wrap
  // counters beside them.
  uint16_t last_avail() const { return last_avail_; }
  uint16_t used_idx() const { return used_idx_; }
  bool avail_wrap() const { return avail_wrap_; }
  bool used_wrap() const { return used_wrap_; }

  // Migration: the whole state as data. Check() says why @s cannot be the
  // state of a queue of this device (OK if it can); Import() sets it.
  struct State {
    uint16_t size = 0;
    uint16_t msix_vector = kNoVector;
    bool enabled = false;
    uint64_t desc = 0, driver = 0, device = 0;
    uint16_t last_avail = 0, used_idx = 0, signalled_used = 0;
    bool signalled_used_valid = false;
    bool packed = false;
    bool avail_wrap = true, used_wrap = true;  // packed only
  };
  State Export() const;
  static Status Check(const State& s, uint16_t max_size, uint16_t num_vectors);
  void Import(const State& s, uint16_t max_size);

 private:
  Status PopSplit(const GuestMemory& mem, QueueFeatures f,
                  DescriptorChain* chain, bool* got);
  Status PopPacked(const GuestMemory& mem, QueueFeatures f,
                   DescriptorChain* chain, bool* got);
  Status FlushPacked(const GuestMemory& mem, uint16_t count);
  Status ShouldNotifyPacked(const GuestMemory& mem, QueueFeatures f,
                            bool* notify);

  uint16_t max_size_ = 0;
  uint16_t size_ = 0;
  uint16_t msix_vector_ = kNoVector;
  bool enabled_ = false;
  uint64_t desc_ = 0;
  uint64_t driver_ = 0;
  uint64_t device_ = 0;

  uint16_t last_avail_ = 0;
  uint16_t used_idx_ = 0;
  uint16_t signalled_used_ = 0;
  bool signalled_used_valid_ = false;

  // Packed: the wrap counters, whether the device's event suppression
  // structure has been written, and the chains taken and not yet used, in
  // the order taken (a ring of queue_size entries, sized at queue_enable):
  // their descriptor count, id and the length Fill recorded.
  bool packed_ = false;
  bool avail_wrap_ = true;
  bool used_wrap_ = true;
  bool device_event_written_ = false;
  struct InFlight {
    uint16_t ndescs = 0;
    uint16_t id = 0;
    uint32_t len = 0;
  };
  std::vector<InFlight> in_flight_;
  uint16_t in_flight_first_ = 0;
  uint16_t in_flight_count_ = 0;
};

}  // namespace snic::virtio

#endif  // SNIC_CORE_VIRTIO_QUEUE_VIRTQUEUE_H
