// sriov-nic core: an 82599 queue's registers and its TX/RX engines.
// SPDX-License-Identifier: GPL-2.0-or-later
#include "queue.h"

#include <array>
#include <cstring>
#include <span>

#include "../eth/frame.h"

namespace snic::ixgbe {

namespace {

// 82599 datasheet 8.2.3.8 (RX) and 8.2.3.9 (TX); SRRCTL's reset value is
// 2 KiB buffers, 256-byte headers.
constexpr uint32_t kBalMask = 0xffffff80;
constexpr uint32_t kLenMask = 0x000fff80;

}  // namespace

// Friend of Ring: the rows name the direction's own registers.
struct RingTables {
  static constexpr std::array<RingRegSpec, 7> kRx{{
      {kRingBal, 0, kBalMask},
      {kRingBah, 0, 0xffffffff},
      {kRingLen, 0, kLenMask},
      {kRingHead, 0, 0x0000ffff},
      {kRxSrrctl, 0x00000402, 0x1fc03f1f, &Ring::srrctl_},
      {kRingTail, 0, 0x0000ffff},
      {kRingCtl, 0, 0x427f7f7f},  // thresholds, ENABLE, VME
  }};
  static constexpr std::array<RingRegSpec, 8> kTx{{
      {kRingBal, 0, kBalMask},
      {kRingBah, 0, 0xffffffff},
      {kRingLen, 0, kLenMask},
      {kRingHead, 0, 0x0000ffff},
      {kRingTail, 0, 0x0000ffff},
      {kRingCtl, 0, 0x027f7f7f},               // thresholds, ENABLE
      {kTxWbal, 0, 0xfffffffd, &Ring::wbal_},  // address, Head_WB_En
      {kTxWbah, 0, 0xffffffff, &Ring::wbah_},
  }};
};

namespace {

constexpr const auto& kRxRegs = RingTables::kRx;
constexpr const auto& kTxRegs = RingTables::kTx;

template <size_t N>
constexpr bool SortedUnique(const std::array<RingRegSpec, N>& t) {
  for (size_t i = 1; i < N; ++i) {
    if (t[i - 1].off >= t[i].off) {
      return false;
    }
  }
  return true;
}
static_assert(SortedUnique(kRxRegs) && SortedUnique(kTxRegs));

const RingRegSpec* Find(std::span<const RingRegSpec> t, uint32_t off) {
  for (const RingRegSpec& s : t) {
    if (s.off == off) {
      return &s;
    }
  }
  return nullptr;
}

template <size_t N>
constexpr uint32_t ResetOf(const std::array<RingRegSpec, N>& t,
                           uint32_t off) {
  for (const RingRegSpec& s : t) {
    if (s.off == off) {
      return s.reset;
    }
  }
  return 0;
}

RawDesc TxWbStatus() {
  RawDesc d{};
  d[kTxWbOffset] = kTxdStatDd;
  return d;
}

}  // namespace

// ---- Ring ----

uint32_t Ring::ReadReg(std::span<const RingRegSpec> regs, uint32_t off) const {
  const RingRegSpec* spec = Find(regs, off);
  if (spec == nullptr) {
    return 0;
  }
  uint32_t v = 0;
  if (ReadRingReg(off, &v)) {
    return v;
  }
  if (off == kRingCtl) {
    return ctl_;
  }
  return spec->own != nullptr ? this->*spec->own : 0;
}

Ring::RegWrite Ring::WriteReg(const Host& host, FnId fn,
                              std::span<const RingRegSpec> regs, uint32_t off,
                              uint32_t value) {
  const RingRegSpec* spec = Find(regs, off);
  if (spec == nullptr) {
    return RegWrite::kNone;
  }
  bool doorbell = false;
  if (WriteRingReg(host, fn, off, value, &doorbell)) {
    return doorbell ? RegWrite::kDoorbell : RegWrite::kNone;
  }
  if (off == kRingCtl) {
    const bool was = enabled();
    ctl_ = value & spec->writable;  // SWFLSH: nothing held, reads 0
    if (!was && enabled()) {
      CheckOnEnable(host, fn);
      return RegWrite::kEnabled;
    }
    if (was && !enabled()) {
      broken_ = false;
      return RegWrite::kDisabled;
    }
    return RegWrite::kNone;
  }
  if (spec->own != nullptr) {
    this->*spec->own = value & spec->writable;
  }
  return RegWrite::kNone;
}

bool Ring::ReadRingReg(uint32_t off, uint32_t* value) const {
  switch (off) {
    case kRingBal:
      *value = bal_;
      return true;
    case kRingBah:
      *value = bah_;
      return true;
    case kRingLen:
      *value = len_;
      return true;
    case kRingHead:
      *value = head_;
      return true;
    case kRingTail:
      *value = tail_;
      return true;
    default:
      return false;
  }
}

bool Ring::WriteRingReg(const Host& host, FnId fn, uint32_t off,
                        uint32_t value, bool* doorbell) {
  switch (off) {
    case kRingBal:
    case kRingBah:
    case kRingLen:
    case kRingHead:
      if (enabled()) {
        host.GuestError(fn,
                        "ixgbe: ring base/length/head written while the "
                        "queue is enabled (ignored)");
        return true;
      }
      break;
    case kRingTail:
      break;
    default:
      return false;
  }
  switch (off) {
    case kRingBal:
      if ((value & ~kBalMask) != 0) {
        host.GuestError(fn, "ixgbe: ring base not 128-byte aligned");
      }
      bal_ = value & kBalMask;
      break;
    case kRingBah:
      bah_ = value;
      break;
    case kRingLen:
      if ((value & ~kLenMask) != 0) {
        host.GuestError(fn, "ixgbe: ring length not a multiple of 128");
      }
      len_ = value & kLenMask;
      break;
    case kRingHead:
      head_ = static_cast<uint16_t>(value);
      break;
    case kRingTail:
      if (enabled() && (value & 0xffff) >= size()) {
        host.GuestError(fn, "ixgbe: ring tail past the ring (ignored)");
        return true;
      }
      tail_ = static_cast<uint16_t>(value);
      *doorbell = enabled();
      break;
  }
  return true;
}

void Ring::Break(const Host& host, FnId fn, const char* msg) {
  host.GuestError(fn, msg);
  broken_ = true;
}

void Ring::CheckOnEnable(const Host& host, FnId fn) {
  broken_ = false;
  if (size() == 0) {
    Break(host, fn, "ixgbe: queue enabled with a ring of length 0");
  } else if (head_ >= size() || tail_ >= size()) {
    Break(host, fn, "ixgbe: queue enabled with its head or tail past the ring");
  }
}

void Ring::ResetRing() {
  bal_ = bah_ = len_ = ctl_ = 0;
  head_ = tail_ = 0;
  broken_ = false;
}

// ---- TX ----

bool TxQueue::Handles(uint32_t off) { return Find(kTxRegs, off) != nullptr; }

uint32_t TxQueue::Read(uint32_t off) const { return ReadReg(kTxRegs, off); }

bool TxQueue::Write(const Host& host, FnId fn, uint32_t off, uint32_t value) {
  switch (WriteReg(host, fn, kTxRegs, off, value)) {
    case RegWrite::kDoorbell:
      return true;
    case RegWrite::kEnabled:
      ctx_ = TxContexts{};
      pending_ = Pending{};
      return !broken_ && head_ != tail_;
    case RegWrite::kDisabled:
      pending_ = Pending{};
      return false;
    case RegWrite::kNone:
      return false;
  }
  return false;
}

void TxQueue::Reset() {
  ResetKeepWriteback();
  wbal_ = ResetOf(kTxRegs, kTxWbal);
  wbah_ = ResetOf(kTxRegs, kTxWbah);
}

void TxQueue::ResetKeepWriteback() {
  ResetRing();
  ctl_ = ResetOf(kTxRegs, kRingCtl);
  ctx_ = TxContexts{};
  pending_ = Pending{};
  rs_.clear();
}

TxQueue::PeekResult TxQueue::Peek(const Host& host, FnId fn, uint8_t* buf,
                                  port::TxFrame* frame) {
  PeekResult r;
  if (broken_) {
    r.status = port::TxStatus::kBroken;
    return r;
  }
  if (!enabled() || head_ == tail_) {
    return r;
  }
  TxContexts staged = ctx_;
  TxRequest req;
  bool have_data = false;
  bool complete = false;
  size_t gathered = 0;
  const char* error = nullptr;
  rs_.clear();
  uint32_t i = head_;
  uint32_t walked = 0;
  while (i != tail_) {
    RawDesc d;
    if (!host.DmaRead(fn, DescAddr(i), d.data(), d.size())) {
      Break(host, fn, "ixgbe: TX descriptor read failed: queue stopped");
      r.status = port::TxStatus::kBroken;
      return r;
    }
    ++walked;
    const TxDescType type = TxDescTypeOf(d);
    if (type == TxDescType::kAdvContext) {
      const TxContext c = ParseTxContext(d);
      if (have_data) {
        error = error ? error : "ixgbe: TX context descriptor inside a frame";
      } else if (c.idx >= kTxContexts) {
        error = error ? error : "ixgbe: TX context with a bad index";
      } else {
        staged.slot[c.idx] = c;
        staged.valid[c.idx] = true;
      }
      i = Next(i);
      continue;
    }
    if (type == TxDescType::kReserved) {
      error = error ? error : "ixgbe: TX descriptor of a reserved type";
      i = Next(i);
      continue;
    }
    const TxData t = ParseTxData(d);
    if (!have_data) {
      req.first = t;
      have_data = true;
    } else if (t.legacy != req.first.legacy) {
      error = error ? error : "ixgbe: TX frame mixes legacy and advanced";
    }
    req.last = t;
    if (t.rs) {
      rs_.push_back({i, t.legacy});
    }
    if (error == nullptr && t.len != 0) {
      if (gathered + t.len > eth::kMaxFrameLen) {
        error = "ixgbe: TX frame longer than the largest frame";
      } else if (!host.DmaRead(fn, t.addr, buf + gathered, t.len)) {
        error = "ixgbe: TX buffer read failed: frame dropped";
      } else {
        gathered += t.len;
      }
    }
    i = Next(i);
    if (t.eop) {
      complete = true;
      break;
    }
  }
  if (!complete) {
    if (walked + 1 < size()) {
      return r;  // the driver has not posted the rest yet
    }
    error = "ixgbe: TX descriptors fill the ring without EOP";
  }
  if (error == nullptr) {
    if (Status s = BuildTxFrame(req, staged, buf, gathered, frame); !s.ok()) {
      host.GuestError(fn, s.message());
      error = "ixgbe: TX frame dropped";
    }
  } else {
    host.GuestError(fn, error);
  }
  if (error != nullptr) {
    r.wrote_back = Retire(host, fn, i, staged);
    r.status = broken_ ? port::TxStatus::kBroken : port::TxStatus::kDropped;
    return r;
  }
  pending_.valid = true;
  pending_.next_head = i;
  pending_.ctx = staged;
  r.status = port::TxStatus::kFrame;
  return r;
}

bool TxQueue::Consume(const Host& host, FnId fn) {
  if (!pending_.valid || broken_) {
    return false;
  }
  const Pending p = pending_;
  pending_ = Pending{};
  return Retire(host, fn, p.next_head, p.ctx);
}

bool TxQueue::Retire(const Host& host, FnId fn, uint32_t next_head,
                     const TxContexts& ctx) {
  ctx_ = ctx;
  head_ = static_cast<uint16_t>(next_head);
  if (rs_.empty()) {
    return false;
  }
  bool ok = true;
  if ((wbal_ & kTdwbalHeadWbEnable) != 0) {
    // Head write-back replaces the descriptors' DD (datasheet 7.2.3.5.2).
    const uint64_t at = uint64_t{wbah_} << 32 | (wbal_ & ~uint32_t{3});
    const uint8_t v[4] = {static_cast<uint8_t>(head_),
                          static_cast<uint8_t>(head_ >> 8), 0, 0};
    ok = host.DmaWrite(fn, at, v, sizeof(v));
  } else {
    static const RawDesc kWb = TxWbStatus();
    for (const RsMark& m : rs_) {
      ok = ok && host.DmaWrite(fn, DescAddr(m.index) + kTxWbOffset,
                               kWb.data() + kTxWbOffset,
                               m.legacy ? kTxWbLenLegacy : kTxWbLenAdv);
    }
  }
  rs_.clear();
  if (!ok) {
    Break(host, fn, "ixgbe: TX write-back failed: queue stopped");
  }
  return true;
}

// ---- RX ----

bool RxQueue::Handles(uint32_t off) { return Find(kRxRegs, off) != nullptr; }

uint32_t RxQueue::Read(uint32_t off) const { return ReadReg(kRxRegs, off); }

bool RxQueue::Write(const Host& host, FnId fn, uint32_t off, uint32_t value) {
  switch (WriteReg(host, fn, kRxRegs, off, value)) {
    case RegWrite::kDoorbell:
      return true;
    case RegWrite::kEnabled:
      return !broken_;
    case RegWrite::kDisabled:
    case RegWrite::kNone:
      return false;
  }
  return false;
}

void RxQueue::Reset() {
  ResetRing();
  ctl_ = ResetOf(kRxRegs, kRingCtl);
  srrctl_ = ResetOf(kRxRegs, kRxSrrctl);
}

RxQueue::DeliverResult RxQueue::Deliver(const Host& host, FnId fn,
                                        const uint8_t* frame, size_t len,
                                        const eth::Offload& offload,
                                        const Meta& meta) {
  DeliverResult r;
  if (broken_) {
    r.result = port::RxResult::kBroken;
    return r;
  }
  if (!enabled()) {
    return r;
  }
  const uint32_t desctype = srrctl_ & kSrrctlDesctypeMask;
  const uint32_t bsize = buffer_size();
  if (bsize == 0 || (desctype != kSrrctlDesctypeAdvOneBuf &&
                     desctype != kSrrctlDesctypeLegacy)) {
    host.GuestError(fn,
                    "ixgbe: RX buffer size 0 or a header-split descriptor "
                    "type: frame dropped");
    r.result = port::RxResult::kTooSmall;
    return r;
  }
  if (len < eth::kHeaderLen) {
    r.result = port::RxResult::kTooSmall;
    return r;
  }
  RxInfo info = ClassifyRxFrame(frame, len, offload);
  info.hash = meta.hash;

  // The bytes that go to the buffers: up to three pieces (the MAC
  // addresses, a tag put back, the rest), the outer 802.1Q tag taken out
  // with VME.
  struct Piece {
    const uint8_t* p;
    size_t n;
  };
  uint8_t tag[eth::kVlanTagLen];
  Piece pieces[3];
  size_t npieces = 0;
  const bool frame_tagged = len >= eth::kHeaderLen + eth::kVlanTagLen &&
                            eth::LoadBe16(frame + 12) == eth::kTpid8021Q;
  if (vlan_strip() && meta.has_tag) {
    info.status |= kRxStatVp;
    info.vlan_tci = meta.tag_tci;
    pieces[npieces++] = {frame, len};
  } else if (vlan_strip() && frame_tagged) {
    info.status |= kRxStatVp;
    info.vlan_tci = eth::LoadBe16(frame + 14);
    pieces[npieces++] = {frame, 12};
    pieces[npieces++] = {frame + 16, len - 16};
  } else if (meta.has_tag) {
    eth::StoreBe16(tag, eth::kTpid8021Q);
    eth::StoreBe16(tag + 2, meta.tag_tci);
    pieces[npieces++] = {frame, 12};
    pieces[npieces++] = {tag, sizeof(tag)};
    pieces[npieces++] = {frame + 12, len - 12};
  } else {
    pieces[npieces++] = {frame, len};
  }
  size_t total = 0;
  for (size_t k = 0; k < npieces; ++k) {
    total += pieces[k].n;
  }
  const size_t needed = (total + bsize - 1) / bsize;
  const uint32_t posted =
      tail_ >= head_ ? tail_ - head_ : size() - head_ + tail_;
  if (needed > posted) {
    r.result = port::RxResult::kNoBuffers;
    return r;
  }

  const bool legacy = desctype == kSrrctlDesctypeLegacy;
  uint32_t index = head_;
  size_t piece = 0, in_piece = 0;
  for (size_t k = 0; k < needed; ++k) {
    RawDesc d;
    if (!host.DmaRead(fn, DescAddr(index), d.data(), d.size())) {
      Break(host, fn, "ixgbe: RX descriptor read failed: queue stopped");
      r.result = port::RxResult::kBroken;
      return r;
    }
    uint64_t addr = 0;
    for (size_t b = 0; b < 8; ++b) {
      addr |= uint64_t{d[b]} << (8 * b);
    }
    size_t room = bsize;
    size_t written = 0;
    while (room > 0 && piece < npieces) {
      const size_t n = pieces[piece].n - in_piece < room
                           ? pieces[piece].n - in_piece
                           : room;
      if (!host.DmaWrite(fn, addr + written, pieces[piece].p + in_piece, n)) {
        Break(host, fn, "ixgbe: RX buffer write failed: queue stopped");
        r.result = port::RxResult::kBroken;
        return r;
      }
      written += n;
      room -= n;
      in_piece += n;
      if (in_piece == pieces[piece].n) {
        ++piece;
        in_piece = 0;
      }
    }
    const bool eop = k + 1 == needed;
    const uint16_t n16 = static_cast<uint16_t>(written);
    bool ok;
    if (legacy) {
      // The legacy write-back leaves the buffer address (bytes 0-7).
      const RawDesc wb = LegacyRxWriteback(info, n16, eop);
      ok = host.DmaWrite(fn, DescAddr(index) + 8, wb.data() + 8, 8);
    } else {
      const RawDesc wb = AdvRxWriteback(info, n16, eop);
      ok = host.DmaWrite(fn, DescAddr(index), wb.data(), wb.size());
    }
    if (!ok) {
      Break(host, fn, "ixgbe: RX write-back failed: queue stopped");
      r.result = port::RxResult::kBroken;
      r.wrote_back = k > 0;
      return r;
    }
    index = Next(index);
  }
  head_ = static_cast<uint16_t>(index);
  r.result = port::RxResult::kDelivered;
  r.wrote_back = true;
  return r;
}

port::Port::RxRoom RxQueue::Room(size_t frame_len) const {
  const uint32_t bsize = buffer_size();
  if (broken_ || !enabled() || bsize == 0 || size() == 0) return {};
  const size_t per = (frame_len + eth::kVlanTagLen + bsize - 1) / bsize;
  const uint32_t posted =
      tail_ >= head_ ? tail_ - head_ : size() - head_ + tail_;
  port::Port::RxRoom room;
  room.now = posted / per;
  room.most = (size() - 1) / per;  // head == tail is an empty ring
  return room;
}

// ---- migration ----

void Ring::EncodeRing(migration::Encoder& e) const {
  e.U32(bal_);
  e.U32(bah_);
  e.U32(len_);
  e.U32(ctl_);
  e.U16(head_);
  e.U16(tail_);
  e.Bool(broken_);
}

void Ring::DecodeRing(migration::Decoder& d, uint32_t ctl_mask) {
  const uint32_t bal = d.U32("bal");
  const uint32_t bah = d.U32("bah");
  const uint32_t len = d.U32("len");
  const uint32_t ctl = d.U32("ctl");
  const uint16_t head = d.U16("head");
  const uint16_t tail = d.U16("tail");
  const bool broken = d.Bool("broken");
  if (!d.ok()) return;
  const bool enabled = (ctl & kDctlEnable) != 0;
  const uint32_t size = len / kDescLen;
  if ((bal & ~kBalMask) != 0) {
    d.Fail("bal", "is not 128-byte aligned");
  } else if ((len & ~kLenMask) != 0) {
    d.Fail("len", "is not a multiple of 128 below 1 MiB");
  } else if ((ctl & ~ctl_mask) != 0) {
    d.Fail("ctl", "has bits the register does not hold");
  } else if (!enabled && broken) {
    // Disabling a queue ends its error state (the kRingCtl writes).
    d.Fail("broken", "is set on a disabled queue");
  } else if (enabled && !broken &&
             (size == 0 || head >= size || tail >= size)) {
    // CheckOnEnable breaks such a ring; the engine keeps both inside it.
    d.Fail("head", "or tail is past the ring of a working queue");
  }
  if (!d.ok()) return;
  bal_ = bal;
  bah_ = bah;
  len_ = len;
  ctl_ = ctl;
  head_ = head;
  tail_ = tail;
  broken_ = broken;
}

void TxQueue::Encode(migration::Encoder& e) const {
  EncodeRing(e);
  e.U32(wbal_);
  e.U32(wbah_);
  for (unsigned k = 0; k < kTxContexts; ++k) {
    const TxContext& c = ctx_.slot[k];
    e.Bool(ctx_.valid[k]);
    e.U16(c.vlan_tci);
    e.U8(c.maclen);
    e.U16(c.iplen);
    e.Bool(c.ipv4);
    e.U8(static_cast<uint8_t>(c.l4t));
    e.U8(c.l4len);
    e.U16(c.mss);
    e.U8(c.idx);
  }
}

void TxQueue::Decode(migration::Decoder& d) {
  Ring ring;
  ring.DecodeRing(d, Find(kTxRegs, kRingCtl)->writable);
  const uint32_t wbal = d.U32("wbal");
  const uint32_t wbah = d.U32("wbah");
  if (d.ok() && (wbal & ~Find(kTxRegs, kTxWbal)->writable) != 0) {
    d.Fail("wbal", "has bits the register does not hold");
  }
  TxContexts ctx;
  for (unsigned k = 0; k < kTxContexts && d.ok(); ++k) {
    migration::Scope scope(d, "context " + std::to_string(k));
    TxContext& c = ctx.slot[k];
    ctx.valid[k] = d.Bool("valid");
    c.vlan_tci = d.U16("vlan_tci");
    c.maclen = d.U8("maclen");
    c.iplen = d.U16("iplen");
    c.ipv4 = d.Bool("ipv4");
    const uint8_t l4t = d.U8("l4t");
    c.l4len = d.U8("l4len");
    c.mss = d.U16("mss");
    c.idx = d.U8("idx");
    if (!d.ok()) break;
    // The fields as ParseTxContext cuts them out of a descriptor.
    if (c.maclen > kCtxMaclenMask) {
      d.Fail("maclen", "is wider than its field");
    } else if (c.iplen > kCtxIplenMask) {
      d.Fail("iplen", "is wider than its field");
    } else if (l4t > static_cast<uint8_t>(L4Type::kReserved)) {
      d.Fail("l4t", "is not a TUCMD.L4T value");
    } else if (c.idx > 0xf) {
      d.Fail("idx", "is wider than its field");
    }
    c.l4t = static_cast<L4Type>(l4t);
  }
  if (!d.ok()) return;
  static_cast<Ring&>(*this) = ring;
  wbal_ = wbal;
  wbah_ = wbah;
  ctx_ = ctx;
  pending_ = Pending{};
  rs_.clear();
}

void RxQueue::Encode(migration::Encoder& e) const {
  EncodeRing(e);
  e.U32(srrctl_);
}

void RxQueue::Decode(migration::Decoder& d) {
  Ring ring;
  ring.DecodeRing(d, Find(kRxRegs, kRingCtl)->writable);
  const uint32_t srrctl = d.U32("srrctl");
  if (d.ok() && (srrctl & ~Find(kRxRegs, kRxSrrctl)->writable) != 0) {
    d.Fail("srrctl", "has bits the register does not hold");
  }
  if (!d.ok()) return;
  static_cast<Ring&>(*this) = ring;
  srrctl_ = srrctl;
}

}  // namespace snic::ixgbe
