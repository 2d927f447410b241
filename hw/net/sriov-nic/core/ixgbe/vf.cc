// sriov-nic core: the register file of one 82599 VF.
//
// SPDX-License-Identifier: GPL-2.0-or-later
#include "vf.h"

#include <algorithm>
#include <string>

namespace snic::ixgbe {
namespace {

// ----- The queue block: writable bits per offset (datasheet 8.3.5.x) -----

struct QueueSpec {
  uint32_t off;
  uint32_t rx_mask; // 0: not a register of an RX queue
  uint32_t tx_mask;
};

constexpr std::array<QueueSpec, 11> kQueueSpecs = {{
    {kRingBal, 0xFFFFFF80, 0xFFFFFF80}, // 128-byte aligned
    {kRingBah, 0xFFFFFFFF, 0xFFFFFFFF},
    {kRingLen, 0x000FFF80, 0x000FFF80}, // multiple of 128 bytes
    {kRingDcaCtrl, 0xFFFFFFFF, 0xFFFFFFFF},
    {kRingHead, 0x0000FFFF, 0x0000FFFF},
    {kRxSrrctl, 0x1FC03F7F, 0}, // BSIZEPKT, BSIZEHDR, RDMTS,
                                // DESCTYPE, DROP_EN
    {kRingTail, 0x0000FFFF, 0x0000FFFF},
    {kRingCtl, 0x4200BFFF, 0x027F7F7F}, // RX: RLPML, ENABLE, VME; TX:
                                        // P/H/WTHRESH, ENABLE
    {kRxRscctl, 0x0000000F, 0},
    {kTxWbal, 0, 0xFFFFFFFD}, // head write-back enable + addr
    {kTxWbah, 0, 0xFFFFFFFF},
}};

constexpr bool QueueSpecsSorted() {
  for (size_t i = 1; i < kQueueSpecs.size(); ++i) {
    if (kQueueSpecs[i - 1].off >= kQueueSpecs[i].off)
      return false;
  }
  return true;
}
static_assert(QueueSpecsSorted());

uint32_t QueueMask(VfQueueRegs::Dir d, uint32_t off) {
  for (const QueueSpec &s : kQueueSpecs) {
    if (s.off == off) {
      return d == VfQueueRegs::kRx ? s.rx_mask : s.tx_mask;
    }
  }
  return 0;
}

// ----- The other registers -----

enum class Reg : uint8_t {
  kZero, // reads 0, writes ignored
  kCtrl,
  kLinks,
  kEicr,
  kEics,
  kEims,
  kEimc,
  kEiac,
  kEiam,
  kIvar,
  kIvarMisc,
  kMailbox,
  kPsrType,
  kEitr,
  kGprc,
  kGorcLsb,
  kGorcMsb,
  kMprc,
  kGptc,
  kGotcLsb,
  kGotcMsb,
};

struct RegSpec {
  uint32_t off;
  uint32_t count; // consecutive 32-bit registers of this kind
  Reg reg;
  uint32_t writable;
};

constexpr uint32_t kVectorMask = (1u << kVfVectors) - 1; // VTEI*: 3 bits
constexpr uint32_t kIvarByteMask = kIvarValid | 0x03;    // valid + vector

constexpr std::array<RegSpec, 22> kRegSpecs = {{
    {kVfCtrl, 1, Reg::kCtrl, kVfCtrlRst},
    {kVfStatus, 1, Reg::kZero, 0},
    {kVfLinks, 1, Reg::kLinks, 0},
    {kVfFrTimer, 1, Reg::kZero, 0},
    {kVtEicr, 1, Reg::kEicr, kVectorMask},
    {kVtEics, 1, Reg::kEics, kVectorMask},
    {kVtEims, 1, Reg::kEims, kVectorMask},
    {kVtEimc, 1, Reg::kEimc, kVectorMask},
    {kVtEiac, 1, Reg::kEiac, kVectorMask},
    {kVtEiam, 1, Reg::kEiam, kVectorMask},
    {kVtIvar0, 4, Reg::kIvar, kIvarByteMask * 0x01010101u},
    {kVtIvarMisc, 1, Reg::kIvarMisc, kIvarByteMask},
    {kVfMailbox, 1, Reg::kMailbox, 0xFFFFFFFF},
    {kVfPsrType, 1, Reg::kPsrType, 0xE0001FFE},     // PSR_type1..12, RQPL
    {kVtEitr0, kVfVectors, Reg::kEitr, 0x00000FF8}, // ITR interval
    {kVfGprc, 1, Reg::kGprc, 0},
    {kVfGorcLsb, 1, Reg::kGorcLsb, 0},
    {kVfGorcMsb, 1, Reg::kGorcMsb, 0},
    {kVfMprc, 1, Reg::kMprc, 0},
    {kVfGptc, 1, Reg::kGptc, 0},
    {kVfGotcLsb, 1, Reg::kGotcLsb, 0},
    {kVfGotcMsb, 1, Reg::kGotcMsb, 0},
}};

constexpr bool RegSpecsSorted() {
  for (size_t i = 1; i < kRegSpecs.size(); ++i) {
    const RegSpec &a = kRegSpecs[i - 1];
    if (a.off + 4 * a.count > kRegSpecs[i].off)
      return false;
  }
  return true;
}
static_assert(RegSpecsSorted());

struct Found {
  const RegSpec *spec = nullptr;
  unsigned n = 0; // index within spec->count
};

Found Lookup(uint32_t off) {
  for (const RegSpec &s : kRegSpecs) {
    if (off >= s.off && off < s.off + 4 * s.count) {
      return {&s, (off - s.off) / 4};
    }
  }
  return {};
}

// A queue register: direction, queue, offset in the block.
struct QueueAddr {
  bool ok = false;
  VfQueueRegs::Dir dir = VfQueueRegs::kRx;
  unsigned q = 0;
  uint32_t off = 0;
};

QueueAddr QueueAt(uint32_t off) {
  QueueAddr a;
  for (auto [base, dir] : {std::pair{kVfRxQueue0, VfQueueRegs::kRx},
                           std::pair{kVfTxQueue0, VfQueueRegs::kTx}}) {
    if (off >= base && off < base + kVfQueues * kVfQueueStride) {
      a.dir = dir;
      a.q = (off - base) / kVfQueueStride;
      a.off = (off - base) % kVfQueueStride;
      a.ok = QueueMask(dir, a.off) != 0;
    }
  }
  return a;
}

constexpr uint64_t kMask32 = 0xFFFFFFFFull;
constexpr uint64_t kMask36 = 0xFFFFFFFFFull;

} // namespace

// ----- VfQueueRegs -----

uint32_t VfQueueRegs::Read(Dir d, unsigned q, uint32_t off) const {
  if (q >= kVfQueues || off >= kVfQueueStride || (off & 3))
    return 0;
  return r_[d][q][off / 4];
}

bool VfQueueRegs::Write(Dir d, unsigned q, uint32_t off, uint32_t v) {
  if (q >= kVfQueues || off >= kVfQueueStride || (off & 3))
    return false;
  // SWFLSH (ixgbevf_configure_tx_ring writes it alone first) completes at
  // once: it is outside the mask, so it reads 0.
  r_[d][q][off / 4] = v & QueueMask(d, off);
  return off == kRingTail;
}

bool VfQueueRegs::Enabled(Dir d, unsigned q) const {
  return q < kVfQueues && (r_[d][q][kRingCtl / 4] & kDctlEnable) != 0;
}

void VfQueueRegs::Reset() {
  for (auto &dir : r_) {
    for (auto &q : dir) {
      for (unsigned i = 0; i < kRegs; ++i) {
        if (&dir == &r_[kTx] && (i == kTxWbal / 4 || i == kTxWbah / 4)) {
          continue;
        }
        q[i] = 0;
      }
    }
  }
}

void VfQueueRegs::Encode(migration::Encoder &e) const {
  for (const auto &dir : r_) {
    for (const auto &q : dir) {
      for (uint32_t w : q)
        e.U32(w);
    }
  }
}

void VfQueueRegs::Decode(migration::Decoder &d) {
  decltype(r_) r{};
  for (unsigned dir = 0; dir < 2; ++dir) {
    for (unsigned q = 0; q < kVfQueues; ++q) {
      migration::Scope scope(d, std::string(dir == kRx ? "rx " : "tx ") +
                                    std::to_string(q));
      for (unsigned i = 0; i < kRegs; ++i) {
        const uint32_t w = d.U32("reg");
        if (!d.ok())
          return;
        if (w & ~QueueMask(static_cast<Dir>(dir), 4 * i)) {
          d.Fail("reg", "has bits the register does not hold");
          return;
        }
        r[dir][q][i] = w;
      }
    }
  }
  r_ = r;
}

// ----- Vf -----

Vf::Vf(unsigned index, Mailboxes &mbx, const Host *host)
    : index_(index), mbx_(mbx), host_(host) {
  ResetRegisters();
  queues_.Reset();
}

void Vf::GuestError(const char *msg) const {
  if (host_ != nullptr) {
    host_->GuestError(static_cast<FnId>(1 + index_), msg);
  }
}

void Vf::ResetRegisters() {
  eicr_ = 0;
  eims_ = 0;
  eiac_ = 0;
  eiam_ = 0;
  ivar_.fill(0);
  ivar_misc_ = 0;
  eitr_.fill(0);
  itr_.Reset();
  psrtype_ = 0;
}

MailboxEvents Vf::Reset(bool report_flr) {
  ResetRegisters();
  queues_.Reset();
  return mbx_.VfReset(index_, report_flr);
}

void Vf::PfReset() {
  ResetRegisters();
  queues_ = VfQueueRegs();
  gprc_ = gptc_ = mprc_ = gorc_ = gotc_ = 0;
  gorc_msb_latch_ = gotc_msb_latch_ = 0;
}

int Vf::Vector(uint8_t b) {
  if ((b & kIvarValid) == 0)
    return -1;
  const unsigned v = b & 0x03;
  return v < kVfVectors ? static_cast<int>(v) : -1;
}

uint8_t Vf::Fire(uint8_t pending) {
  // A vector within its ITR interval waits (itr.h): its cause stays in
  // VTEICR, and VTEIAC/VTEIAM act when the message goes.
  const uint8_t ready = static_cast<uint8_t>(pending & eims_ & kVectorMask);
  if (ready == 0) return 0;
  const uint64_t now = host_ != nullptr ? host_->NowNs() : 0;
  const uint8_t fire = static_cast<uint8_t>(
      itr_.Admit(now, ready, [this](unsigned v) { return eitr_[v]; }));
  eicr_ &= ~(fire & eiac_);
  eims_ &= ~(fire & eiam_);
  return fire;
}

uint8_t Vf::ReleaseHeld(uint64_t now) {
  const uint8_t due = static_cast<uint8_t>(itr_.TakeDue(now));
  return due == 0 ? 0 : Fire(static_cast<uint8_t>(due & eicr_));
}

uint8_t Vf::Cause(int vector) {
  if (vector < 0)
    return 0;
  eicr_ |= 1u << vector;
  return Fire(static_cast<uint8_t>(1u << vector));
}

uint8_t Vf::RaiseMailbox() {
  return Cause(Vector(static_cast<uint8_t>(ivar_misc_)));
}

uint8_t Vf::RaiseRx(unsigned q) {
  if (q >= kVfQueues)
    return 0;
  return Cause(Vector(static_cast<uint8_t>(ivar_[q / 2] >> (16 * (q & 1)))));
}

uint8_t Vf::RaiseTx(unsigned q) {
  if (q >= kVfQueues)
    return 0;
  return Cause(
      Vector(static_cast<uint8_t>(ivar_[q / 2] >> (16 * (q & 1) + 8))));
}

void Vf::AddRx(uint64_t bytes, bool multicast) {
  gprc_ = (gprc_ + 1) & kMask32;
  gorc_ = (gorc_ + bytes) & kMask36;
  if (multicast)
    mprc_ = (mprc_ + 1) & kMask32;
}

void Vf::AddTx(uint64_t bytes) {
  gptc_ = (gptc_ + 1) & kMask32;
  gotc_ = (gotc_ + bytes) & kMask36;
}

uint32_t Vf::Read(uint32_t off) {
  if (off >= kVfBarSize || (off & 3)) {
    GuestError("ixgbevf: read outside BAR0 or unaligned");
    return 0;
  }
  if (off >= kVfMbMem && off < kVfMbMem + 4 * kMbxWords) {
    return mbx_.VfReadMem(index_, (off - kVfMbMem) / 4);
  }
  const Found f = Lookup(off);
  if (f.spec == nullptr) {
    const QueueAddr a = QueueAt(off);
    return a.ok ? queues_.Read(a.dir, a.q, a.off) : 0;
  }
  switch (f.spec->reg) {
  case Reg::kZero:
  case Reg::kCtrl: // RST self-clears at once
    return 0;
  case Reg::kLinks:
    return link_up_ ? (reg::LINKS_UP | reg::LINKS_SPEED_10G_82599) : 0;
  case Reg::kEicr: {
    const uint32_t v = eicr_;
    eicr_ = 0;
    return v;
  }
  case Reg::kEics:
    return eicr_;
  case Reg::kEims:
    return eims_;
  case Reg::kEimc:
    return 0;
  case Reg::kEiac:
    return eiac_;
  case Reg::kEiam:
    return eiam_;
  case Reg::kIvar:
    return ivar_[f.n];
  case Reg::kIvarMisc:
    return ivar_misc_;
  case Reg::kMailbox:
    return mbx_.VfReadCtl(index_);
  case Reg::kPsrType:
    return psrtype_;
  case Reg::kEitr:
    return eitr_[f.n];
  case Reg::kGprc:
    return static_cast<uint32_t>(gprc_);
  case Reg::kGorcLsb:
    gorc_msb_latch_ = static_cast<uint32_t>(gorc_ >> 32);
    return static_cast<uint32_t>(gorc_);
  case Reg::kGorcMsb:
    return gorc_msb_latch_;
  case Reg::kMprc:
    return static_cast<uint32_t>(mprc_);
  case Reg::kGptc:
    return static_cast<uint32_t>(gptc_);
  case Reg::kGotcLsb:
    gotc_msb_latch_ = static_cast<uint32_t>(gotc_ >> 32);
    return static_cast<uint32_t>(gotc_);
  case Reg::kGotcMsb:
    return gotc_msb_latch_;
  }
  return 0;
}

VfWriteResult Vf::Write(uint32_t off, uint32_t v) {
  VfWriteResult r;
  if (off >= kVfBarSize || (off & 3)) {
    GuestError("ixgbevf: write outside BAR0 or unaligned");
    return r;
  }
  if (off >= kVfMbMem && off < kVfMbMem + 4 * kMbxWords) {
    mbx_.VfWriteMem(index_, (off - kVfMbMem) / 4, v);
    return r;
  }
  const Found f = Lookup(off);
  if (f.spec == nullptr) {
    const QueueAddr a = QueueAt(off);
    if (a.ok && queues_.Write(a.dir, a.q, a.off, v)) {
      (a.dir == VfQueueRegs::kRx ? r.rx_doorbell : r.tx_doorbell) |=
          static_cast<uint8_t>(1u << a.q);
    }
    return r;
  }
  const uint32_t w = v & f.spec->writable;
  switch (f.spec->reg) {
  case Reg::kZero:
  case Reg::kLinks:
  case Reg::kGprc:
  case Reg::kGorcLsb:
  case Reg::kGorcMsb:
  case Reg::kMprc:
  case Reg::kGptc:
  case Reg::kGotcLsb:
  case Reg::kGotcMsb:
    break;
  case Reg::kCtrl:
    if (w & kVfCtrlRst) {
      r.mbx = Reset();
      r.reset = true;
    }
    break;
  case Reg::kEicr:
    eicr_ &= ~w;
    break;
  case Reg::kEics:
    eicr_ |= w;
    r.msix = Fire(static_cast<uint8_t>(w));
    break;
  case Reg::kEims:
    eims_ |= w;
    r.msix = Fire(static_cast<uint8_t>(eicr_ & w));
    break;
  case Reg::kEimc:
    eims_ &= ~w;
    break;
  case Reg::kEiac:
    eiac_ = w;
    break;
  case Reg::kEiam:
    eiam_ = w;
    break;
  case Reg::kIvar:
    ivar_[f.n] = w;
    break;
  case Reg::kIvarMisc:
    ivar_misc_ = w;
    break;
  case Reg::kMailbox:
    r.mbx = mbx_.VfWriteCtl(index_, v);
    break;
  case Reg::kPsrType:
    psrtype_ = w;
    break;
  case Reg::kEitr:
    eitr_[f.n] = w;
    if ((v & reg::EITR_CNT_WDIS) == 0) itr_.ClearCounter(f.n);  // itr.h
    break;
  }
  return r;
}

void Vf::Encode(migration::Encoder &e) const {
  e.Bool(link_up_);
  e.U32(eicr_);
  e.U32(eims_);
  e.U32(eiac_);
  e.U32(eiam_);
  for (uint32_t v : ivar_)
    e.U32(v);
  e.U32(ivar_misc_);
  for (uint32_t v : eitr_)
    e.U32(v);
  e.U32(psrtype_);
  queues_.Encode(e);
  e.U64(gprc_);
  e.U64(gptc_);
  e.U64(mprc_);
  e.U64(gorc_);
  e.U64(gotc_);
  e.U32(gorc_msb_latch_);
  e.U32(gotc_msb_latch_);
}

void Vf::Decode(migration::Decoder &d) {
  migration::Scope scope(d, "vf " + std::to_string(index_));
  auto masked = [&d](const char *field, uint32_t mask) {
    const uint32_t v = d.U32(field);
    if (d.ok() && (v & ~mask))
      d.Fail(field, "has bits the register does not hold");
    return v;
  };
  auto counter = [&d](const char *field, uint64_t mask) {
    const uint64_t v = d.U64(field);
    if (d.ok() && (v & ~mask))
      d.Fail(field, "is wider than the counter");
    return v;
  };
  const bool link_up = d.Bool("link_up");
  const uint32_t eicr = masked("eicr", kVectorMask);
  const uint32_t eims = masked("eims", kVectorMask);
  const uint32_t eiac = masked("eiac", kVectorMask);
  const uint32_t eiam = masked("eiam", kVectorMask);
  std::array<uint32_t, 4> ivar{};
  for (uint32_t &v : ivar)
    v = masked("ivar", kIvarByteMask * 0x01010101u);
  const uint32_t ivar_misc = masked("ivar_misc", kIvarByteMask);
  std::array<uint32_t, kVfVectors> eitr{};
  for (uint32_t &v : eitr)
    v = masked("eitr", 0x00000FF8);
  const uint32_t psrtype = masked("psrtype", 0xE0001FFE);
  if (!d.ok())
    return;
  VfQueueRegs queues;
  queues.Decode(d);
  const uint64_t gprc = counter("gprc", kMask32);
  const uint64_t gptc = counter("gptc", kMask32);
  const uint64_t mprc = counter("mprc", kMask32);
  const uint64_t gorc = counter("gorc", kMask36);
  const uint64_t gotc = counter("gotc", kMask36);
  const uint32_t gorc_latch = masked("gorc_msb_latch", 0xF);
  const uint32_t gotc_latch = masked("gotc_msb_latch", 0xF);
  if (!d.ok())
    return;
  link_up_ = link_up;
  eicr_ = eicr;
  eims_ = eims;
  eiac_ = eiac;
  eiam_ = eiam;
  ivar_ = ivar;
  ivar_misc_ = ivar_misc;
  eitr_ = eitr;
  psrtype_ = psrtype;
  queues_ = queues;
  gprc_ = gprc;
  gptc_ = gptc;
  mprc_ = mprc;
  gorc_ = gorc;
  gotc_ = gotc;
  gorc_msb_latch_ = gorc_latch;
  gotc_msb_latch_ = gotc_latch;
}

} // namespace snic::ixgbe
