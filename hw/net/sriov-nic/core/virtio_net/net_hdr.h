// sriov-nic core: struct virtio_net_hdr <-> eth::Offload (virtio 1.2
// 5.1.6.2 and 5.1.6.4.1). The same header travels on a function's queues
// and between the uplink and a vnet-header netdev (a tap), so the guest's
// transmit path and the uplink share it.
// SPDX-License-Identifier: GPL-2.0-or-later
#ifndef SNIC_CORE_VIRTIO_NET_NET_HDR_H
#define SNIC_CORE_VIRTIO_NET_NET_HDR_H

#include <cstddef>
#include <cstdint>

#include "../base/status.h"
#include "../eth/offload.h"
#include "spec.h"

namespace snic::virtio_net {

// What the sender of a header may ask for (virtio-net: what it
// negotiated: CSUM, HOST_TSO4/6, HOST_ECN, HOST_USO).
struct HdrCaps {
  bool csum = false;
  bool tso4 = false;
  bool tso6 = false;
  bool ecn = false;
  bool uso = false;
};

// Reads @hdr, the header of @frame, into @o. Anything @caps does not allow,
// that the spec forbids (GSO without NEEDS_CSUM, UFO, unknown types) or
// that does not fit the frame (eth::CheckOffload) is refused with why.
// DATA_VALID is kept (a host sends it; a driver must not, and it means
// nothing on a function's transmit queue).
Status ParseNetHdr(const NetHdr& hdr, const uint8_t* frame, size_t len,
                   const HdrCaps& caps, eth::Offload* o);

// The header for @frame with @o (num_buffers 1), as a device writes it
// for a receiver that takes @o.
NetHdr MakeNetHdr(const eth::Offload& o, const uint8_t* frame, size_t len);

}  // namespace snic::virtio_net

#endif  // SNIC_CORE_VIRTIO_NET_NET_HDR_H
