// sriov-nic core: 82599 transmit descriptors and the frames they describe.
// SPDX-License-Identifier: GPL-2.0-or-later
#include "tx_desc.h"

#include <cstring>

#include "../eth/frame.h"
#include "../eth/offload.h"

namespace snic::ixgbe {

namespace {

uint32_t Dword(const RawDesc& d, size_t i) {
  return uint32_t{d[4 * i]} | uint32_t{d[4 * i + 1]} << 8 |
         uint32_t{d[4 * i + 2]} << 16 | uint32_t{d[4 * i + 3]} << 24;
}
uint64_t Qword0(const RawDesc& d) {
  return uint64_t{Dword(d, 0)} | uint64_t{Dword(d, 1)} << 32;
}

constexpr std::array<uint32_t, 256> MakeCrc32cTable() {
  std::array<uint32_t, 256> t{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k) {
      c = (c & 1) != 0 ? (c >> 1) ^ 0x82f63b78u : c >> 1;
    }
    t[i] = c;
  }
  return t;
}
constexpr std::array<uint32_t, 256> kCrc32cTable = MakeCrc32cTable();

uint16_t Fold(uint32_t sum) {
  while (sum >> 16) {
    sum = (sum & 0xffff) + (sum >> 16);
  }
  return static_cast<uint16_t>(sum);
}

// The IPv4 header at @ip (IHL from the header, inside @avail bytes) gets
// its checksum.
Status StoreIpv4Checksum(uint8_t* ip, size_t avail) {
  if (avail < 20 || (ip[0] >> 4) != 4) {
    return Status::Invalid("TX IPv4 checksum (IXSM) on a frame without IPv4");
  }
  const size_t ihl = static_cast<size_t>(ip[0] & 0xf) * 4;
  if (ihl < 20 || ihl > avail) {
    return Status::Invalid("TX IPv4 header length past the frame");
  }
  eth::StoreBe16(ip + 10, 0);
  eth::StoreBe16(ip + 10, eth::ChecksumFinish(eth::ChecksumAdd(ip, ihl, 0)));
  return Status::Ok();
}

// TSE: the frame as ixgbe_tso/ixgbevf_tso left it back into the form of a
// Linux GSO frame (lengths in the IP header, the L4 pseudo-header sum with
// the length).
Status ConvertTso(const TxData& f, const TxContext& c, uint8_t* buf,
                  size_t len, eth::Offload* o) {
  const bool tcp = c.l4t == L4Type::kTcp;
  if (!tcp && c.l4t != L4Type::kUdp) {
    return Status::Invalid("TX TSE with an L4 type other than TCP or UDP");
  }
  if (c.mss == 0) {
    return Status::Invalid("TX TSE with MSS 0");
  }
  const size_t l3 = c.maclen;
  const size_t l4 = l3 + c.iplen;
  const size_t hdr = l4 + c.l4len;
  if (l3 < eth::kHeaderLen || c.l4len < (tcp ? 20 : 8) ||
      (!tcp && c.l4len != 8)) {
    return Status::Invalid("TX TSE with bad header lengths in its context");
  }
  if (hdr >= len) {
    return Status::Invalid("TX TSE headers past the data");
  }
  if (f.paylen != len - hdr) {
    return Status::Invalid("TX TSE PAYLEN does not match the data");
  }
  uint8_t* ip = buf + l3;
  if (c.ipv4) {
    const size_t tot = len - l3;
    if (c.iplen < 20 || (ip[0] >> 4) != 4 || tot > 0xffff) {
      return Status::Invalid("TX TSE IPv4 context on a frame that does not fit");
    }
    eth::StoreBe16(ip + 2, static_cast<uint16_t>(tot));
    if (Status s = StoreIpv4Checksum(ip, c.iplen); !s.ok()) {
      return s;
    }
  } else {
    const size_t payload = len - l3 - 40;
    if (c.iplen < 40 || (ip[0] >> 4) != 6 || payload > 0xffff) {
      return Status::Invalid("TX TSE IPv6 context on a frame that does not fit");
    }
    eth::StoreBe16(ip + 4, static_cast<uint16_t>(payload));
  }
  const uint32_t l4_len = static_cast<uint32_t>(len - l4);
  if (!tcp) {
    if (l4_len > 0xffff) {
      return Status::Invalid("TX TSE UDP frame longer than a UDP length");
    }
    eth::StoreBe16(buf + l4 + 4, static_cast<uint16_t>(l4_len));
  }
  const size_t at = l4 + (tcp ? 16 : 6);
  const uint32_t sum =
      uint32_t{eth::LoadBe16(buf + at)} + (l4_len >> 16) + (l4_len & 0xffff);
  eth::StoreBe16(buf + at, Fold(sum));

  o->gso = c.ipv4 ? (tcp ? eth::Gso::kTcp4 : eth::Gso::kUdp4)
                  : (tcp ? eth::Gso::kTcp6 : eth::Gso::kUdp6);
  o->gso_size = c.mss;
  o->hdr_len = static_cast<uint16_t>(hdr);
  o->ecn = tcp && (buf[l4 + 13] & 0x80) != 0;  // CWR
  o->needs_csum = true;
  o->csum_start = static_cast<uint16_t>(l4);
  o->csum_offset = tcp ? 16 : 6;
  return Status::Ok();
}

// TXSM/IXSM without TSE.
Status ApplyChecksums(const TxData& f, const TxContext& c, uint8_t* buf,
                      size_t len, eth::Offload* o) {
  const size_t l3 = c.maclen;
  const size_t l4 = l3 + c.iplen;
  if (f.ixsm) {
    if (!c.ipv4 || l3 >= len) {
      return Status::Invalid("TX IPv4 checksum (IXSM) without an IPv4 context");
    }
    const size_t avail = len - l3 < c.iplen ? len - l3 : c.iplen;
    if (Status s = StoreIpv4Checksum(buf + l3, avail); !s.ok()) {
      return s;
    }
  }
  if (!f.txsm) {
    return Status::Ok();
  }
  switch (c.l4t) {
    case L4Type::kTcp:
    case L4Type::kUdp:
      o->needs_csum = true;
      o->csum_start = static_cast<uint16_t>(l4);
      o->csum_offset = c.l4t == L4Type::kTcp ? 16 : 6;
      return Status::Ok();
    case L4Type::kSctp: {
      if (l4 + 12 > len) {
        return Status::Invalid("TX SCTP checksum past the frame");
      }
      std::memset(buf + l4 + 8, 0, 4);
      const uint32_t crc = Crc32c(buf + l4, len - l4);
      for (int i = 0; i < 4; ++i) {
        buf[l4 + 8 + i] = static_cast<uint8_t>(crc >> (8 * i));  // __le32
      }
      return Status::Ok();
    }
    case L4Type::kReserved:
      break;
  }
  return Status::Invalid("TX checksum with the reserved L4 type");
}

}  // namespace

TxDescType TxDescTypeOf(const RawDesc& d) {
  const uint32_t cmd = Dword(d, 2);
  if ((cmd & kTxdCmdDext) == 0) {
    return TxDescType::kLegacy;
  }
  switch (cmd & kTxdDtypMask) {
    case kTxdDtypCtxt:
      return TxDescType::kAdvContext;
    case kTxdDtypData:
      return TxDescType::kAdvData;
    default:
      return TxDescType::kReserved;
  }
}

TxContext ParseTxContext(const RawDesc& d) {
  const uint32_t vml = Dword(d, 0);
  const uint32_t tucmd = Dword(d, 2);
  const uint32_t mli = Dword(d, 3);
  TxContext c;
  c.iplen = static_cast<uint16_t>(vml & kCtxIplenMask);
  c.maclen = static_cast<uint8_t>((vml >> kCtxMaclenShift) & kCtxMaclenMask);
  c.vlan_tci = static_cast<uint16_t>(vml >> kCtxVlanShift);
  c.ipv4 = (tucmd & kCtxTucmdIpv4) != 0;
  switch (tucmd & kCtxTucmdL4tMask) {
    case kCtxTucmdL4tUdp:
      c.l4t = L4Type::kUdp;
      break;
    case kCtxTucmdL4tTcp:
      c.l4t = L4Type::kTcp;
      break;
    case kCtxTucmdL4tSctp:
      c.l4t = L4Type::kSctp;
      break;
    default:
      c.l4t = L4Type::kReserved;
      break;
  }
  c.idx = static_cast<uint8_t>((mli >> 4) & 0xf);
  c.l4len = static_cast<uint8_t>(mli >> kCtxL4lenShift);
  c.mss = static_cast<uint16_t>(mli >> kCtxMssShift);
  return c;
}

TxData ParseTxData(const RawDesc& d) {
  const uint32_t cmd = Dword(d, 2);
  TxData t;
  t.addr = Qword0(d);
  t.eop = (cmd & kTxdCmdEop) != 0;
  t.rs = (cmd & kTxdCmdRs) != 0;
  t.vle = (cmd & kTxdCmdVle) != 0;
  if ((cmd & kTxdCmdDext) == 0) {
    // Legacy: length, CSO, CMD, STA, CSS, VLAN (datasheet 7.2.3.2.2).
    t.legacy = true;
    t.len = static_cast<uint16_t>(d[8] | d[9] << 8);
    t.cso = d[10];
    t.ic = (cmd & kTxdCmdIc) != 0;
    t.css = d[13];
    t.vlan_tci = static_cast<uint16_t>(d[14] | d[15] << 8);
    return t;
  }
  const uint32_t olinfo = Dword(d, 3);
  t.len = static_cast<uint16_t>(cmd & kTxdDtalenMask);
  t.tse = (cmd & kTxdCmdTse) != 0;
  t.ixsm = (olinfo & kTxdPoptsIxsm) != 0;
  t.txsm = (olinfo & kTxdPoptsTxsm) != 0;
  t.idx = static_cast<uint8_t>((olinfo >> kTxdIdxShift) & 0x7);
  t.paylen = olinfo >> kTxdPaylenShift;
  return t;
}

uint32_t Crc32cUpdate(uint32_t crc, const uint8_t* p, size_t len) {
  for (size_t i = 0; i < len; ++i) {
    crc = kCrc32cTable[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
  }
  return crc;
}

Status BuildTxFrame(const TxRequest& req, const TxContexts& ctx, uint8_t* buf,
                    size_t len, port::TxFrame* out) {
  const TxData& f = req.first;
  if (len < eth::kHeaderLen) {
    return Status::Invalid("TX frame shorter than an Ethernet header");
  }
  if (len > eth::kMaxFrameLen) {
    return Status::Invalid("TX frame longer than the largest frame");
  }
  eth::Offload o;
  bool vle = false;
  uint16_t tci = 0;
  if (f.legacy) {
    // Legacy IC: the 16-bit sum from CSS to the end, stored at CSO now.
    if (f.ic) {
      if (f.css >= len || size_t{f.cso} + 2 > len) {
        return Status::Invalid("TX legacy checksum offsets past the frame");
      }
      const uint16_t c =
          eth::ChecksumFinish(eth::ChecksumAdd(buf + f.css, len - f.css, 0));
      eth::StoreBe16(buf + f.cso, c);
    }
    vle = req.last.vle;
    tci = req.last.vlan_tci;
  } else {
    if (f.tse || f.txsm || f.ixsm || f.vle) {
      if (f.idx >= kTxContexts) {
        return Status::Invalid("TX data descriptor with a bad context index");
      }
      if (!ctx.valid[f.idx]) {
        return Status::Invalid("TX offload without a context descriptor");
      }
      const TxContext& c = ctx.slot[f.idx];
      Status s = f.tse ? ConvertTso(f, c, buf, len, &o)
                       : ApplyChecksums(f, c, buf, len, &o);
      if (!s.ok()) {
        return s;
      }
      vle = f.vle;
      tci = c.vlan_tci;
    }
  }
  if (vle) {
    if (len + eth::kVlanTagLen > eth::kMaxFrameLen) {
      return Status::Invalid("TX frame too long for its VLAN tag");
    }
    std::memmove(buf + 12 + eth::kVlanTagLen, buf + 12, len - 12);
    eth::StoreBe16(buf + 12, eth::kTpid8021Q);
    eth::StoreBe16(buf + 14, tci);
    len += eth::kVlanTagLen;
    o = eth::Shifted(o, static_cast<int>(eth::kVlanTagLen));
  }
  if (Status s = eth::CheckOffload(buf, len, o); !s.ok()) {
    return s;
  }
  out->data = buf;
  out->len = len;
  out->offload = o;
  return Status::Ok();
}

}  // namespace snic::ixgbe
