// sriov-nic core: performs a switch decision: one copy of the frame, in the
// VLAN form each destination wants, into each destination port, and the
// counters for every port the frame does not reach.
//
// Offloads: a frame goes to a port that takes its offload (RxOffloads)
// whole, GSO header and partial checksum included. For a port that does
// not, a GSO frame is cut into wire frames (eth::Segment) with complete
// checksums, delivered one by one with DATA_VALID. A partial checksum a
// destination cannot take is completed once, before delivery
// (CompleteForDestinations), so that every destination gets the same
// bytes.
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

struct Form {
  const uint8_t* data;
  size_t len;
  eth::Offload offload;  // its offsets are this form's
};

// A frame and the other 802.1Q form of it, built at most once into
// caller-owned scratch (eth::kFrameBufferLen bytes).
class FrameForms {
 public:
  FrameForms(const uint8_t* frame, size_t len, const Destinations& d,
             uint8_t* scratch, const eth::Offload& offload = {})
      : frame_(frame), len_(len), offload_(offload), d_(d),
        scratch_(scratch) {}

  // @frame as a destination that wants it @tagged sees it.
  Form Get(bool tagged);

 private:
  const uint8_t* frame_;
  size_t len_;
  eth::Offload offload_;
  const Destinations& d_;
  uint8_t* scratch_;
  size_t other_len_ = 0;  // 0: the other form is not built yet
};

// Completes @frame's partial checksum in place (and turns @o into
// DATA_VALID) if a destination of @d is to see it complete: any function
// it is delivered to (a NIC's wire delivers complete checksums), or the
// uplink unless @uplink_takes_csum. GSO frames are left alone: a receiver
// that takes them whole completes its segments, and segments the switch
// cuts get complete checksums. True if it completed one.
// MustComplete: whether @o's partial checksum is to be completed for @d.
bool MustComplete(const Destinations& d, bool uplink_takes_csum,
                  const eth::Offload& o);
bool CompleteForDestinations(const Destinations& d, bool uplink_takes_csum,
                             uint8_t* frame, size_t len, eth::Offload* o);

struct ForwardResult {
  // The sole destination had no RX buffers and nothing was counted: the
  // caller holds the frame and retries it later.
  bool held = false;
  // What the sole destination (Destinations::SoleFunction) said, if any.
  std::optional<port::RxResult> sole;
};

// Delivers to the function targets of @d (@ports is indexed by FnId) and
// counts the targets that do not get it. With @may_hold, a sole
// destination without buffers is left to the caller (result.held); for a
// frame it segments, only when it could take none of the segments (a
// port that runs out midway loses the rest: rx_drop_no_buffers).
// @seg_scratch (eth::kFrameBufferLen bytes) holds one segment at a time.
ForwardResult DeliverToPorts(const Destinations& d, FrameForms& forms,
                             std::span<port::Port* const> ports,
                             bool may_hold, uint8_t* seg_scratch,
                             Effects& fx);

// Delivers @f to @p as it takes it (whole, or segmented into
// @seg_scratch). For a segmented frame the result is the first segment's,
// unless a later one failed (then kDelivered: the frame was partly
// delivered; the loss is counted).
port::RxResult DeliverForm(port::Port& p, const Form& f, uint8_t* seg_scratch,
                           Effects& fx);

}  // namespace snic::vswitch

#endif  // SNIC_CORE_VSWITCH_FORWARDER_H
