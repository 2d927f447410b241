// sriov-nic core: performs a switch decision.
// SPDX-License-Identifier: GPL-2.0-or-later
#include "forwarder.h"

#include <algorithm>
#include <cstring>

namespace snic::vswitch {

Form FrameForms::Get(bool tagged) {
  if (tagged == d_.source_tagged) {
    return {frame_, len_, offload_};
  }
  if (other_len_ == 0) {
    other_len_ = tagged ? eth::Tag(frame_, len_, d_.tci, scratch_)
                        : eth::Untag(frame_, len_, scratch_);
  }
  const int delta = static_cast<int>(other_len_) - static_cast<int>(len_);
  return {scratch_, other_len_, eth::Shifted(offload_, delta)};
}

bool MustComplete(const Destinations& d, bool uplink_takes_csum,
                  const eth::Offload& o) {
  if (!o.needs_csum || o.gso != eth::Gso::kNone) {
    return false;
  }
  if (d.uplink && !uplink_takes_csum) {
    return true;
  }
  // Every function gets a complete checksum on a frame it receives whole,
  // as from a NIC's wire, even one that negotiated a partial one (virtio's
  // GUEST_CSUM allows NEEDS_CSUM): software that reads the frame from a
  // packet socket sees a checksum it can verify (the kernel's hw/csum.py
  // skips frames whose checksum is not ready). GSO frames delivered whole
  // keep theirs: the receiver's stack completes each segment.
  for (const Target& t : d.list()) {
    if (t.fate == Fate::kDeliver) {
      return true;
    }
  }
  return false;
}

bool CompleteForDestinations(const Destinations& d, bool uplink_takes_csum,
                             uint8_t* frame, size_t len, eth::Offload* o) {
  if (!MustComplete(d, uplink_takes_csum, *o) ||
      !eth::CompleteChecksum(frame, len, *o).ok()) {
    return false;
  }
  *o = eth::Offload{};
  o->data_valid = true;
  return true;
}

port::RxResult DeliverForm(port::Port& p, const Form& f, uint8_t* seg_scratch,
                           Effects& fx) {
  if (p.state().rx_offloads.Takes(f.offload)) {
    const port::RxResult r = p.Deliver(f.data, f.len, f.offload, fx);
    if (r == port::RxResult::kDelivered && f.offload.gso != eth::Gso::kNone) {
      p.stats().rx_gso++;
    }
    return r;
  }
  if (f.offload.gso == eth::Gso::kNone) {
    // A partial checksum CompleteForDestinations did not complete (it was
    // not a destination then): complete a copy.
    std::memcpy(seg_scratch, f.data, f.len);
    eth::Offload done;
    if (eth::CompleteChecksum(seg_scratch, f.len, f.offload).ok()) {
      done.data_valid = true;
    }
    return p.Deliver(seg_scratch, f.len, done, fx);
  }
  // All the segments or none: a frame that does not fit now waits (the
  // caller holds it for the port's next RX buffers); one that can never
  // fit goes in part, as before.
  if (f.offload.gso_size != 0) {
    const size_t segs = (f.len + f.offload.gso_size - 1) / f.offload.gso_size;
    // A segment: the headers (at most the L4 offset plus 60 bytes of TCP
    // header with options) and gso_size bytes of payload.
    const size_t seg_len =
        std::min<size_t>(f.len, f.offload.csum_start + 60u + f.offload.gso_size);
    const port::Port::RxRoom room = p.RoomFor(f.data, f.len, seg_len);
    if (segs > room.now && segs <= room.most) {
      return port::RxResult::kNoBuffers;
    }
  }
  eth::Offload seg_offload;
  seg_offload.data_valid = true;
  port::RxResult first = port::RxResult::kDelivered;
  size_t n = 0;
  (void)eth::Segment(f.data, f.len, f.offload, seg_scratch,
                     [&](const uint8_t* seg, size_t seg_len) {
                       const port::RxResult r =
                           p.Deliver(seg, seg_len, seg_offload, fx);
                       if (n++ == 0) {
                         first = r;
                       } else if (r == port::RxResult::kNoBuffers) {
                         p.stats().rx_drop_no_buffers++;
                       }
                       return r == port::RxResult::kDelivered;
                     });
  if (first == port::RxResult::kDelivered) {
    p.stats().rx_segmented++;
  }
  return first;
}

ForwardResult DeliverToPorts(const Destinations& d, FrameForms& forms,
                             std::span<port::Port* const> ports,
                             bool may_hold, uint8_t* seg_scratch,
                             Effects& fx) {
  ForwardResult res;
  const std::optional<FnId> sole = d.SoleFunction();
  for (const Target& t : d.list()) {
    port::Port& p = *ports[t.fn];
    switch (t.fate) {
      case Fate::kFiltered:
        p.stats().rx_drop_filtered++;
        continue;
      case Fate::kLinkDown:
        p.stats().rx_drop_link_down++;
        continue;
      case Fate::kNotReady:
        p.stats().rx_drop_no_buffers++;
        continue;
      case Fate::kDeliver:
        break;
    }
    const port::RxResult r =
        DeliverForm(p, forms.Get(t.tagged), seg_scratch, fx);
    if (sole) {
      res.sole = r;
    }
    if (r == port::RxResult::kNoBuffers && sole && may_hold) {
      res.held = true;
      continue;
    }
    if (r == port::RxResult::kNoBuffers || r == port::RxResult::kNotReady ||
        r == port::RxResult::kBroken) {
      p.stats().rx_drop_no_buffers++;  // lost at the port: not set up
    }
  }
  return res;
}

}  // namespace snic::vswitch
