// sriov-nic core: a virtio-net function in the migration stream: the
// port's common state, then the error flag and the transport.
// SPDX-License-Identifier: GPL-2.0-or-later
#include "../migration/stream.h"
#include "../virtio/state_codec.h"
#include "function.h"

namespace snic::virtio_net {


struct Function::Image final : port::PortImage {
  bool broken = false;
  bool announce = false;
  uint64_t guest_offloads = 0;
  virtio::Transport::State transport;
};

void Function::Quiesce() {
  if (tx_peeked_) {
    transport_.queue(kTxQueue).Unpop(1);
    tx_peeked_ = false;
  }
}

void Function::Encode(migration::Encoder& e) const {
  EncodeCommon(e);
  e.Bool(broken_);
  e.Bool(announce_);
  e.U64(guest_offloads_);
  virtio::EncodeState(e, transport_.Export());
}

std::unique_ptr<port::PortImage> Function::Decode(
    migration::Decoder& d) const {
  auto img = std::make_unique<Image>();
  DecodeCommon(d, &img->common);
  img->broken = d.Bool("needs_reset");
  img->announce = d.Bool("announce");
  img->guest_offloads = d.U64("guest_offloads");
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
  transport_.Import(img.transport);
  tx_peeked_ = false;
  tx_completed_ = false;
  UpdateReady();
}

}  // namespace snic::virtio_net
