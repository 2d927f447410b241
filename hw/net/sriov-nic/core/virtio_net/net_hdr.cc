// sriov-nic core: struct virtio_net_hdr <-> eth::Offload.
// SPDX-License-Identifier: GPL-2.0-or-later
#include "net_hdr.h"

#include <string>

namespace snic::virtio_net {

Status ParseNetHdr(const NetHdr& hdr, const uint8_t* frame, size_t len,
                   const HdrCaps& caps, eth::Offload* o) {
  *o = eth::Offload{};
  if (hdr.flags & kHdrFNeedsCsum) {
    if (!caps.csum) {
      return Status::Invalid("header asks for a checksum without CSUM");
    }
    o->needs_csum = true;
    o->csum_start = hdr.csum_start.get();
    o->csum_offset = hdr.csum_offset.get();
  } else if (hdr.flags & kHdrFDataValid) {
    o->data_valid = true;
  }
  const uint8_t type = hdr.gso_type & static_cast<uint8_t>(~kGsoEcn);
  const bool ecn = (hdr.gso_type & kGsoEcn) != 0;
  switch (type) {
    case kGsoNone:
      if (ecn) {
        return Status::Invalid("header with the GSO ECN bit and no GSO type");
      }
      break;
    case kGsoTcpv4:
      if (!caps.tso4) {
        return Status::Invalid("header asks for TSO4 without HOST_TSO4");
      }
      o->gso = eth::Gso::kTcp4;
      break;
    case kGsoTcpv6:
      if (!caps.tso6) {
        return Status::Invalid("header asks for TSO6 without HOST_TSO6");
      }
      o->gso = eth::Gso::kTcp6;
      break;
    case kGsoUdpL4:
      if (!caps.uso) {
        return Status::Invalid("header asks for USO without HOST_USO");
      }
      if (ecn) {
        return Status::Invalid("header with the GSO ECN bit on a UDP frame");
      }
      o->gso = eth::IpVersion(frame, len) == 6 ? eth::Gso::kUdp6
                                               : eth::Gso::kUdp4;
      break;
    default:
      return Status::Invalid("header with an unknown or unoffered gso_type");
  }
  if (ecn && !caps.ecn) {
    return Status::Invalid("header asks for TSO with ECN without HOST_ECN");
  }
  if (o->gso != eth::Gso::kNone) {
    o->ecn = ecn;
    o->gso_size = hdr.gso_size.get();
    o->hdr_len = hdr.hdr_len.get();
    o->data_valid = false;
  }
  if (!o->any()) {
    return Status::Ok();
  }
  if (Status s = eth::CheckOffload(frame, len, *o); !s.ok()) {
    return Status::Invalid(std::string("header does not fit the frame: ") +
                           s.message());
  }
  return Status::Ok();
}

NetHdr MakeNetHdr(const eth::Offload& o, const uint8_t* frame, size_t len) {
  NetHdr hdr{};
  hdr.num_buffers.set(1);
  if (o.needs_csum) {
    hdr.flags = kHdrFNeedsCsum;
    hdr.csum_start.set(o.csum_start);
    hdr.csum_offset.set(o.csum_offset);
  } else if (o.data_valid) {
    hdr.flags = kHdrFDataValid;
  }
  switch (o.gso) {
    case eth::Gso::kNone:
      return hdr;
    case eth::Gso::kTcp4:
      hdr.gso_type = kGsoTcpv4;
      break;
    case eth::Gso::kTcp6:
      hdr.gso_type = kGsoTcpv6;
      break;
    case eth::Gso::kUdp4:
    case eth::Gso::kUdp6:
      hdr.gso_type = kGsoUdpL4;
      break;
  }
  if (o.ecn) {
    hdr.gso_type |= kGsoEcn;
  }
  hdr.gso_size.set(o.gso_size);
  hdr.hdr_len.set(static_cast<uint16_t>(eth::GsoHeaderLen(frame, len, o)));
  return hdr;
}

}  // namespace snic::virtio_net
