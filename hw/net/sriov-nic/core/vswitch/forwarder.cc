// sriov-nic core: performs a switch decision.
// SPDX-License-Identifier: GPL-2.0-or-later
#include "forwarder.h"

namespace snic::vswitch {

std::pair<const uint8_t*, size_t> FrameForms::Get(bool tagged) {
  if (tagged == d_.source_tagged) {
    return {frame_, len_};
  }
  if (other_len_ == 0) {
    other_len_ = tagged ? eth::Tag(frame_, len_, d_.tci, scratch_)
                        : eth::Untag(frame_, len_, scratch_);
  }
  return {scratch_, other_len_};
}

ForwardResult DeliverToPorts(const Destinations& d, FrameForms& forms,
                             std::span<port::Port* const> ports,
                             bool may_hold, Effects& fx) {
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
    const auto [data, len] = forms.Get(t.tagged);
    const port::RxResult r = p.Deliver(data, len, fx);
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
