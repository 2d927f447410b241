// sriov-nic core: a virtio-net function in the migration stream: the
// port's common state, then the error flag, announce, the receive offloads,
// the queue pairs on and the RSS/hash configuration (steering u8,
// hash_types u32, table_mask u16, unclassified u16, table_mask + 1 table
// entries u16, key_len u8, key_len key bytes), then the transport.
// SPDX-License-Identifier: GPL-2.0-or-later
#include <string>

#include "../migration/stream.h"
#include "../virtio/state_codec.h"
#include "function.h"

namespace snic::virtio_net {


struct Function::Image final : port::PortImage {
  bool broken = false;
  bool announce = false;
  uint64_t guest_offloads = 0;
  uint16_t pairs = 1;
  RssConfig rss;
  virtio::Transport::State transport;
};

void Function::Quiesce() {
  for (uint16_t lane = 0; lane < max_pairs_; ++lane) {
    if (tx_lanes_[lane].peeked) {
      transport_.queue(TxQueueOf(lane)).Unpop(1);
      tx_lanes_[lane].peeked = false;
    }
  }
}

void Function::Encode(migration::Encoder& e) const {
  EncodeCommon(e);
  e.Bool(broken_);
  e.Bool(announce_);
  e.U64(guest_offloads_);
  e.U16(curr_pairs_);
  e.Bool(rss_.steering);
  e.U32(rss_.hash_types);
  e.U16(rss_.table_mask);
  e.U16(rss_.unclassified);
  for (uint32_t i = 0; i <= rss_.table_mask; ++i) {
    e.U16(rss_.table[i]);
  }
  e.U8(rss_.key_len);
  e.Bytes(rss_.key.data(), rss_.key_len);
  virtio::EncodeState(e, transport_.Export());
}

std::unique_ptr<port::PortImage> Function::Decode(
    migration::Decoder& d) const {
  auto img = std::make_unique<Image>();
  DecodeCommon(d, &img->common);
  img->broken = d.Bool("needs_reset");
  img->announce = d.Bool("announce");
  img->guest_offloads = d.U64("guest_offloads");
  img->pairs = d.U16("queue_pairs");
  if (d.ok() && (img->pairs < 1 || img->pairs > max_pairs_)) {
    d.Fail("queue_pairs", "is " + std::to_string(img->pairs) +
                              ", outside 1.." + std::to_string(max_pairs_));
  }
  {
    migration::Scope scope(d, "rss");
    RssConfig& r = img->rss;
    r.steering = d.Bool("steering");
    r.hash_types = d.U32("hash_types");
    r.table_mask = d.U16("table_mask");
    r.unclassified = d.U16("unclassified");
    const uint32_t entries = uint32_t{r.table_mask} + 1;
    if (d.ok() && (r.hash_types & ~kSupportedHashTypes) != 0) {
      d.Fail("hash_types", "names hash types the device does not support");
    }
    if (d.ok() &&
        (entries > kRssMaxTableLen || (entries & (entries - 1)) != 0)) {
      d.Fail("table_mask", "is not a power of two minus one below " +
                               std::to_string(kRssMaxTableLen));
    }
    if (d.ok() && r.unclassified >= max_pairs_) {
      d.Fail("unclassified", "names a queue pair the device does not have");
    }
    for (uint32_t i = 0; d.ok() && i < entries; ++i) {
      r.table[i] = d.U16("table");
      if (d.ok() && r.table[i] >= max_pairs_) {
        d.Fail("table", "names a queue pair the device does not have");
      }
    }
    r.key_len = d.U8("key_len");
    if (d.ok() && r.key_len > kRssMaxKeySize) {
      d.Fail("key_len", "is longer than rss_max_key_size");
    }
    if (d.ok()) {
      d.Bytes("key", r.key.data(), r.key_len);
    }
  }
  {
    migration::Scope scope(d, "virtio");
    virtio::DecodeState(d, transport_.num_queues(), &img->transport);
    if (d.ok()) {
      d.Check(transport_.Check(img->transport));
    }
  }
  if (d.ok() && img->broken &&
      !(img->transport.status & virtio::kStatusNeedsReset)) {
    d.Fail("needs_reset", "is set but device_status lacks NEEDS_RESET");
  }
  if (d.ok() && img->announce &&
      !(img->transport.driver_features & virtio::Bit(kFGuestAnnounce))) {
    d.Fail("announce", "is set without VIRTIO_NET_F_GUEST_ANNOUNCE");
  }
  if (d.ok() &&
      (img->guest_offloads & ~(img->transport.driver_features &
                               kGuestOffloadFeatures)) != 0) {
    d.Fail("guest_offloads", "names offloads the driver did not negotiate");
  }
  return img;
}

void Function::Commit(const port::PortImage& image) {
  const Image& img = static_cast<const Image&>(image);
  CommitCommon(img.common);
  broken_ = img.broken;
  announce_ = img.announce;
  SetGuestOffloads(img.guest_offloads);
  curr_pairs_ = img.pairs;
  rss_ = img.rss;
  transport_.Import(img.transport);
  tx_lanes_.assign(max_pairs_, TxLane{});
  UpdateReady();
}

}  // namespace snic::virtio_net
