// sriov-nic core: checksum completion and segmentation.
// SPDX-License-Identifier: GPL-2.0-or-later
#include "offload.h"

#include <cstring>
#include <string>

#include "frame.h"

namespace snic::eth {

namespace {

constexpr uint16_t kEthIpv4 = 0x0800;
constexpr uint16_t kEthIpv6 = 0x86dd;
constexpr uint8_t kProtoTcp = 6;
constexpr uint8_t kProtoUdp = 17;
constexpr uint8_t kTcpFin = 0x01, kTcpPsh = 0x08, kTcpCwr = 0x80;

void Store32(uint8_t* p, uint32_t v) {
  p[0] = static_cast<uint8_t>(v >> 24);
  p[1] = static_cast<uint8_t>(v >> 16);
  p[2] = static_cast<uint8_t>(v >> 8);
  p[3] = static_cast<uint8_t>(v);
}
uint32_t Load32(const uint8_t* p) {
  return uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 | uint32_t{p[2]} << 8 |
         p[3];
}

// The L4 pseudo-header sum of the IP header at @ip for @l4_len bytes.
uint32_t PseudoSum(const uint8_t* ip, bool ipv6, uint8_t proto,
                   uint32_t l4_len) {
  uint32_t sum = 0;
  if (ipv6) {
    sum = ChecksumAdd(ip + 8, 32, 0);  // source and destination
  } else {
    sum = ChecksumAdd(ip + 12, 8, 0);
  }
  sum += l4_len >> 16;
  sum += l4_len & 0xffff;
  sum += proto;
  return sum;
}

}  // namespace

uint32_t ChecksumAdd(const uint8_t* p, size_t len, uint32_t sum) {
  uint64_t s = sum;
  size_t i = 0;
  for (; i + 1 < len; i += 2) {
    s += uint32_t{p[i]} << 8 | p[i + 1];
  }
  if (i < len) {
    s += uint32_t{p[i]} << 8;
  }
  while (s >> 32) {
    s = (s & 0xffffffff) + (s >> 32);
  }
  return static_cast<uint32_t>(s);
}

uint16_t ChecksumFinish(uint32_t sum) {
  while (sum >> 16) {
    sum = (sum & 0xffff) + (sum >> 16);
  }
  return static_cast<uint16_t>(~sum);
}

Status ParseGso(const uint8_t* frame, size_t len, const Offload& o,
                GsoLayout* out) {
  if (o.gso_size == 0) {
    return Status::Invalid("GSO frame with gso_size 0");
  }
  size_t l2 = kHeaderLen;
  if (len < l2) {
    return Status::Invalid("GSO frame shorter than an Ethernet header");
  }
  uint16_t type = LoadBe16(frame + 12);
  for (int tags = 0; type == kTpid8021Q || type == kTpid8021AD; ++tags) {
    if (tags == 2 || len < l2 + kVlanTagLen) {
      return Status::Invalid("GSO frame with a bad VLAN tag stack");
    }
    type = LoadBe16(frame + l2 + 2);
    l2 += kVlanTagLen;
  }
  GsoLayout l;
  l.l3 = l2;
  uint8_t proto = 0;
  if (type == kEthIpv4) {
    if (len < l2 + 20 || (frame[l2] >> 4) != 4) {
      return Status::Invalid("GSO frame with a bad IPv4 header");
    }
    const size_t ihl = static_cast<size_t>(frame[l2] & 0xf) * 4;
    if (ihl < 20 || len < l2 + ihl) {
      return Status::Invalid("GSO frame with a bad IPv4 header length");
    }
    if ((LoadBe16(frame + l2 + 6) & 0x3fff) != 0) {
      return Status::Invalid("GSO frame that is an IPv4 fragment");
    }
    proto = frame[l2 + 9];
    l.l4 = l2 + ihl;
  } else if (type == kEthIpv6) {
    if (len < l2 + 40 || (frame[l2] >> 4) != 6) {
      return Status::Invalid("GSO frame with a bad IPv6 header");
    }
    proto = frame[l2 + 6];
    if (proto != kProtoTcp && proto != kProtoUdp) {
      return Status::Invalid(
          "GSO frame with IPv6 extension headers (not supported)");
    }
    l.ipv6 = true;
    l.l4 = l2 + 40;
  } else {
    return Status::Invalid("GSO frame that is not IPv4 or IPv6");
  }
  const bool want_tcp = o.gso == Gso::kTcp4 || o.gso == Gso::kTcp6;
  const bool want_v6 = o.gso == Gso::kTcp6 || o.gso == Gso::kUdp6;
  if (want_v6 != l.ipv6 ||
      (want_tcp ? proto != kProtoTcp : proto != kProtoUdp)) {
    return Status::Invalid("GSO type does not match the frame's headers");
  }
  l.tcp = want_tcp;
  if (o.needs_csum && o.csum_start != l.l4) {
    return Status::Invalid("GSO frame whose csum_start is not its L4 header");
  }
  if (l.tcp) {
    if (len < l.l4 + 20) {
      return Status::Invalid("GSO frame with a short TCP header");
    }
    const size_t doff = static_cast<size_t>(frame[l.l4 + 12] >> 4) * 4;
    if (doff < 20 || len < l.l4 + doff) {
      return Status::Invalid("GSO frame with a bad TCP header length");
    }
    l.payload = l.l4 + doff;
  } else {
    if (len < l.l4 + 8) {
      return Status::Invalid("GSO frame with a short UDP header");
    }
    l.payload = l.l4 + 8;
  }
  if ((len - l.payload + o.gso_size - 1) / o.gso_size > kMaxGsoSegments) {
    return Status::Invalid("GSO frame cut into more than " +
                           std::to_string(kMaxGsoSegments) + " segments");
  }
  *out = l;
  return Status::Ok();
}

size_t BuildSegment(const uint8_t* frame, const GsoLayout& l,
                    const Offload& o, size_t index, size_t off, size_t n,
                    bool last, uint8_t* out) {
  std::memcpy(out, frame, l.payload);
  std::memcpy(out + l.payload, frame + l.payload + off, n);
  const size_t seg_len = l.payload + n;
  uint8_t* ip = out + l.l3;
  uint8_t* l4 = out + l.l4;
  const uint32_t l4_len = static_cast<uint32_t>(seg_len - l.l4);
  if (l.ipv6) {
    StoreBe16(ip + 4, static_cast<uint16_t>(l4_len));
  } else {
    const size_t ihl = l.l4 - l.l3;
    StoreBe16(ip + 2, static_cast<uint16_t>(seg_len - l.l3));
    StoreBe16(ip + 4, static_cast<uint16_t>(LoadBe16(ip + 4) + index));
    StoreBe16(ip + 10, 0);
    StoreBe16(ip + 10, ChecksumFinish(ChecksumAdd(ip, ihl, 0)));
  }
  if (l.tcp) {
    Store32(l4 + 4, static_cast<uint32_t>(Load32(l4 + 4) + off));
    if (!last) {
      l4[13] &= static_cast<uint8_t>(~(kTcpFin | kTcpPsh));
    }
    if (index > 0) {
      l4[13] &= static_cast<uint8_t>(~kTcpCwr);
    }
    StoreBe16(l4 + 16, 0);
    const uint32_t sum = PseudoSum(ip, l.ipv6, kProtoTcp, l4_len);
    StoreBe16(l4 + 16, ChecksumFinish(ChecksumAdd(l4, l4_len, sum)));
  } else {
    StoreBe16(l4 + 4, static_cast<uint16_t>(l4_len));
    StoreBe16(l4 + 6, 0);
    const uint32_t sum = PseudoSum(ip, l.ipv6, kProtoUdp, l4_len);
    const uint16_t c = ChecksumFinish(ChecksumAdd(l4, l4_len, sum));
    StoreBe16(l4 + 6, c == 0 ? 0xffff : c);
  }
  (void)o;
  return seg_len;
}

size_t L2Len(const uint8_t* frame, size_t len) {
  size_t l2 = kHeaderLen;
  if (len < l2) {
    return 0;
  }
  uint16_t type = LoadBe16(frame + 12);
  for (int tags = 0; type == kTpid8021Q || type == kTpid8021AD; ++tags) {
    if (tags == 2 || len < l2 + kVlanTagLen) {
      return 0;
    }
    type = LoadBe16(frame + l2 + 2);
    l2 += kVlanTagLen;
  }
  return l2;
}

unsigned IpVersion(const uint8_t* frame, size_t len) {
  const size_t l2 = L2Len(frame, len);
  if (l2 == 0) {
    return 0;
  }
  const uint16_t type = LoadBe16(frame + l2 - 2);
  return type == kEthIpv4 ? 4 : type == kEthIpv6 ? 6 : 0;
}

Offload Shifted(const Offload& o, int delta) {
  Offload r = o;
  if (r.needs_csum) {
    r.csum_start = static_cast<uint16_t>(r.csum_start + delta);
  }
  if (r.hdr_len != 0) {
    r.hdr_len = static_cast<uint16_t>(r.hdr_len + delta);
  }
  return r;
}

size_t GsoHeaderLen(const uint8_t* frame, size_t len, const Offload& o) {
  GsoLayout l;
  if (o.gso == Gso::kNone || !ParseGso(frame, len, o, &l).ok()) {
    return 0;
  }
  return l.payload;
}

size_t WireBytes(const uint8_t* frame, size_t len, const Offload& o) {
  const size_t hdr = GsoHeaderLen(frame, len, o);
  if (hdr == 0 || len <= hdr) {
    return len;
  }
  const size_t segs = (len - hdr + o.gso_size - 1) / o.gso_size;
  return len + (segs - 1) * hdr;
}

Status CheckOffload(const uint8_t* frame, size_t len, const Offload& o) {
  if (o.needs_csum) {
    const size_t l2 = L2Len(frame, len);
    if (l2 == 0 || o.csum_start < l2) {
      return Status::Invalid("csum_start inside the Ethernet header");
    }
    if (o.csum_start >= len || size_t{o.csum_start} + o.csum_offset + 2 > len) {
      return Status::Invalid("csum_start/csum_offset outside the frame");
    }
  }
  if (o.gso != Gso::kNone) {
    if (!o.needs_csum) {
      return Status::Invalid("GSO frame without a partial checksum");
    }
    GsoLayout l;
    return ParseGso(frame, len, o, &l);
  }
  return Status::Ok();
}

Status CompleteChecksum(uint8_t* frame, size_t len, const Offload& o) {
  if (o.csum_start >= len || size_t{o.csum_start} + o.csum_offset + 2 > len) {
    return Status::Invalid("csum_start/csum_offset outside the frame");
  }
  const size_t at = size_t{o.csum_start} + o.csum_offset;
  const uint16_t c =
      ChecksumFinish(ChecksumAdd(frame + o.csum_start, len - o.csum_start, 0));
  StoreBe16(frame + at, c == 0 ? 0xffff : c);
  return Status::Ok();
}

}  // namespace snic::eth
