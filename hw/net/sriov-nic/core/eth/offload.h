// sriov-nic core: offload metadata that travels with a frame between
// ports, and the software fallbacks: checksum completion and segmentation.
//
// The metadata is the virtio_net_hdr's (virtio 1.2 5.1.6.2), which is
// also what Linux's GSO frames and QEMU's vnet-header netdevs carry:
//  - needs_csum: the L4 checksum is partial (the checksum field holds the
//    pseudo-header sum, as Linux CHECKSUM_PARTIAL); csum_start and
//    csum_offset say where the sum starts and where it goes;
//  - data_valid: the checksums were verified (or computed) already;
//  - gso: the frame is a large segment of gso_size-byte payloads, to be
//    cut into frames of at most gso_size payload each (TCP over IPv4 or
//    IPv6, UDP over either: USO), with ecn set when TCP's CWR may be set.
//
// Segment() and CompleteChecksum() are what the device does for a
// destination that cannot take the offload (a function that did not
// negotiate it, an uplink without a vnet header): the frames it writes
// are exactly what the sender's stack would have put on the wire.
//
// SPDX-License-Identifier: GPL-2.0-or-later
#ifndef SNIC_CORE_ETH_OFFLOAD_H
#define SNIC_CORE_ETH_OFFLOAD_H

#include <cstddef>
#include <cstdint>

#include "../base/status.h"

namespace snic::eth {

enum class Gso : uint8_t { kNone, kTcp4, kTcp6, kUdp4, kUdp6 };

// The most segments one GSO frame may be cut into. Linux never needs more
// (64 KiB at its smallest MSS, 88 bytes, is 745); a guest asking for more
// (gso_size 1) would turn one frame into tens of thousands.
inline constexpr size_t kMaxGsoSegments = 1024;

struct Offload {
  Gso gso = Gso::kNone;
  bool ecn = false;
  uint16_t gso_size = 0;  // payload bytes per segment
  uint16_t hdr_len = 0;   // a hint only (virtio: may be wrong)
  bool needs_csum = false;
  uint16_t csum_start = 0;
  uint16_t csum_offset = 0;
  bool data_valid = false;

  bool any() const { return gso != Gso::kNone || needs_csum; }
};

// RFC 1071 one's complement sum of @len bytes (big-endian 16-bit words,
// an odd last byte padded with zero) added to @sum, not folded.
uint32_t ChecksumAdd(const uint8_t* p, size_t len, uint32_t sum);
// Folds @sum to 16 bits and complements it.
uint16_t ChecksumFinish(uint32_t sum);

// Checks @o against @frame (a guest may send anything): a partial
// checksum starting after the L2 header and ending inside the frame, GSO
// only with a partial checksum, a GSO type that matches the frame's L3 and L4 headers, a
// non-zero gso_size cutting it into at most kMaxGsoSegments. OK if
// Segment/CompleteChecksum can act on it.
Status CheckOffload(const uint8_t* frame, size_t len, const Offload& o);

// The Ethernet header's length with up to two VLAN tags (14, 18 or 22);
// 0 if @frame is shorter than its header or has more tags.
size_t L2Len(const uint8_t* frame, size_t len);
// The IP version after the L2 header (4 or 6; 0 for anything else).
unsigned IpVersion(const uint8_t* frame, size_t len);

// @o for the frame with a VLAN tag added (@delta 4) or removed (-4) in
// front of its EtherType: its offsets move with the headers.
Offload Shifted(const Offload& o, int delta);

// Bytes that go on the wire for @frame: its length, or for a GSO frame
// the sum of its segments (each repeats the headers). @o must have passed
// CheckOffload.
size_t WireBytes(const uint8_t* frame, size_t len, const Offload& o);
// The length of the headers a GSO frame's segments repeat (virtio's
// hdr_len); 0 when @o is not GSO or does not fit @frame.
size_t GsoHeaderLen(const uint8_t* frame, size_t len, const Offload& o);

// Completes a partial checksum in place (as Linux skb_checksum_help):
// sums [csum_start, len) and stores the complement at csum_start +
// csum_offset (0 becomes 0xffff).
Status CompleteChecksum(uint8_t* frame, size_t len, const Offload& o);

// Cuts the GSO frame @frame into wire frames with complete headers and
// checksums, calling @emit(segment, length) for each in order into the
// caller's @scratch (its last segment is at most headers + gso_size;
// kFrameBufferLen bytes are always enough). Stops early if @emit returns
// false. TCP: sequence numbers advance, IPv4 IDs advance, FIN and PSH only
// on the last segment, CWR only on the first. UDP (USO): each segment is
// a datagram of its own.
template <typename Emit>
Status Segment(const uint8_t* frame, size_t len, const Offload& o,
               uint8_t* scratch, Emit&& emit);

// The layout Segment works on (exposed for tests and the template).
struct GsoLayout {
  size_t l3 = 0;       // offset of the IP header
  size_t l4 = 0;       // offset of the TCP/UDP header
  size_t payload = 0;  // offset of the payload
  bool ipv6 = false;
  bool tcp = false;
};
Status ParseGso(const uint8_t* frame, size_t len, const Offload& o,
                GsoLayout* out);
// Writes segment @index (payload [@off, @off + @n) of @frame) into @out;
// returns its length.
size_t BuildSegment(const uint8_t* frame, const GsoLayout& l,
                    const Offload& o, size_t index, size_t off, size_t n,
                    bool last, uint8_t* out);

template <typename Emit>
Status Segment(const uint8_t* frame, size_t len, const Offload& o,
               uint8_t* scratch, Emit&& emit) {
  GsoLayout l;
  if (Status s = ParseGso(frame, len, o, &l); !s.ok()) {
    return s;
  }
  const size_t total = len - l.payload;
  size_t index = 0;
  for (size_t off = 0; off < total || (total == 0 && index == 0);
       off += o.gso_size, ++index) {
    const size_t n = total - off < o.gso_size ? total - off : o.gso_size;
    const bool last = off + n >= total;
    const size_t seg_len = BuildSegment(frame, l, o, index, off, n, last,
                                        scratch);
    if (!emit(static_cast<const uint8_t*>(scratch), seg_len)) {
      break;
    }
    if (total == 0) {
      break;
    }
  }
  return Status::Ok();
}

}  // namespace snic::eth

#endif  // SNIC_CORE_ETH_OFFLOAD_H
