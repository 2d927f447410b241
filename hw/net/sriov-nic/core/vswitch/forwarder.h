// sriov-nic core: performs a switch decision: one copy of the frame, in the
// VLAN form each destination wants, into each destination port, and the
// counters for every port the frame does not reach.
//
// SPDX-License-Identifier: GPL-2.0-or-later
#ifndef SNIC_CORE_VSWITCH_FORWARDER_H
#define SNIC_CORE_VSWITCH_FORWARDER_H

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <utility>

#include "../base/effects.h"
#include "../port/port.h"
#include "switch.h"

namespace snic::vswitch {

// A frame and the other 802.1Q form of it, built at most once into
// caller-owned scratch (eth::kFrameBufferLen bytes).
class FrameForms {
 public:
  FrameForms(const uint8_t* frame, size_t len, const Destinations& d,
             uint8_t* scratch)
      : frame_(frame), len_(len), d_(d), scratch_(scratch) {}

  // @frame as a destination that wants it @tagged sees it.
  std::pair<const uint8_t*, size_t> Get(bool tagged);

 private:
  const uint8_t* frame_;
  size_t len_;
  const Destinations& d_;
  uint8_t* scratch_;
  size_t other_len_ = 0;  // 0: the other form is not built yet
};

struct ForwardResult {
  // The sole destination had no RX buffers and nothing was counted: the
  // caller holds the frame and retries it later.
  bool held = false;
  // What the sole destination (Destinations::SoleFunction) said, if any.
  std::optional<port::RxResult> sole;
};

// Delivers to the function targets of @d (@ports is indexed by FnId) and
// counts the targets that do not get it. With @may_hold, a sole
// destination without buffers is left to the caller (result.held).
ForwardResult DeliverToPorts(const Destinations& d, FrameForms& forms,
                             std::span<port::Port* const> ports,
                             bool may_hold, Effects& fx);

}  // namespace snic::vswitch

#endif  // SNIC_CORE_VSWITCH_FORWARDER_H
