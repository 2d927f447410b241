// sriov-nic core: the virtio transport's state in the migration stream.
// SPDX-License-Identifier: GPL-2.0-or-later
#include "state_codec.h"

#include <string>

namespace snic::virtio {

namespace {

// The ring-format byte of a queue: packed, and its two wrap counters.
constexpr uint8_t kRingPacked = 1, kRingAvailWrap = 2, kRingUsedWrap = 4;

}  // namespace

void EncodeState(migration::Encoder& e, const Transport::State& s) {
  e.U32(s.device_feature_select);
  e.U32(s.driver_feature_select);
  e.U64(s.driver_features);
  e.U16(s.msix_config);
  e.U8(s.status);
  e.U8(s.generation);
  e.U16(s.queue_select);
  e.U8(s.isr);
  e.U16(static_cast<uint16_t>(s.queues.size()));
  for (const Virtqueue::State& q : s.queues) {
    e.U16(q.size);
    e.U16(q.msix_vector);
    e.Bool(q.enabled);
    e.U64(q.desc);
    e.U64(q.driver);
    e.U64(q.device);
    e.U16(q.last_avail);
    e.U16(q.used_idx);
    e.U16(q.signalled_used);
    e.Bool(q.signalled_used_valid);
    e.U8(static_cast<uint8_t>((q.packed ? kRingPacked : 0) |
                              (q.avail_wrap ? kRingAvailWrap : 0) |
                              (q.used_wrap ? kRingUsedWrap : 0)));
  }
}

void DecodeState(migration::Decoder& d, uint16_t num_queues,
                 Transport::State* s) {
  s->device_feature_select = d.U32("device_feature_select");
  s->driver_feature_select = d.U32("driver_feature_select");
  s->driver_features = d.U64("driver_features");
  s->msix_config = d.U16("config_msix_vector");
  s->status = d.U8("device_status");
  s->generation = d.U8("config_generation");
  s->queue_select = d.U16("queue_select");
  s->isr = d.U8("isr");
  const uint16_t n = d.U16("num_queues");
  if (d.ok() && n != num_queues) {
    d.Fail("num_queues", "is " + std::to_string(n) + ", this device has " +
                             std::to_string(num_queues));
    return;
  }
  s->queues.assign(n, Virtqueue::State{});
  for (uint16_t i = 0; i < n && d.ok(); ++i) {
    migration::Scope scope(d, "queue " + std::to_string(i));
    Virtqueue::State& q = s->queues[i];
    q.size = d.U16("queue_size");
    q.msix_vector = d.U16("queue_msix_vector");
    q.enabled = d.Bool("queue_enable");
    q.desc = d.U64("queue_desc");
    q.driver = d.U64("queue_driver");
    q.device = d.U64("queue_device");
    q.last_avail = d.U16("last_avail_idx");
    q.used_idx = d.U16("used_idx");
    q.signalled_used = d.U16("signalled_used");
    q.signalled_used_valid = d.Bool("signalled_used_valid");
    const uint8_t ring = d.U8("ring_format");
    if (d.ok() && (ring & ~(kRingPacked | kRingAvailWrap | kRingUsedWrap))) {
      d.Fail("ring_format", "has undefined bits");
    }
    q.packed = ring & kRingPacked;
    q.avail_wrap = ring & kRingAvailWrap;
    q.used_wrap = ring & kRingUsedWrap;
  }
}

}  // namespace snic::virtio
