// sriov-nic core: the 82599's PF<->VF mailboxes.
//
// SPDX-License-Identifier: GPL-2.0-or-later
#include "mailbox.h"

#include <string>

namespace snic::ixgbe {
namespace {

constexpr uint32_t kVfStoredBits =
    kVfMbxVfu | kVfMbxPfSts | kVfMbxPfAck | kVfMbxRsti | kVfMbxRstd;

constexpr uint32_t ReqBit(unsigned vf) { return 1u << (vf % 16); }
constexpr uint32_t AckBit(unsigned vf) { return 1u << (16 + vf % 16); }
constexpr uint32_t PoolBit(unsigned vf) { return 1u << (vf % 32); }

} // namespace

Mailboxes::Mailboxes() { PfReset(); }

bool Mailboxes::Masked(unsigned vf) const {
  return (mbvfimr_[vf / 32] & PoolBit(vf)) == 0;
}

void Mailboxes::RaisePf(unsigned vf, MailboxEvents &ev) const {
  if (!Masked(vf)) {
    ev.pf_cause = true;
  }
}

uint32_t Mailboxes::VfReadCtl(unsigned vf) {
  if (vf >= kMaxPools) {
    return 0;
  }
  Box &b = box_[vf];
  uint32_t v = b.vf_bits | (b.pfu ? kVfMbxPfu : 0);
  b.vf_bits &= ~kVfMbxReadToClear;
  return v;
}

MailboxEvents Mailboxes::VfWriteCtl(unsigned vf, uint32_t v) {
  MailboxEvents ev;
  if (vf >= kMaxPools) {
    return ev;
  }
  Box &b = box_[vf];
  // VFU is a level the VF writes each time (mbx.c writes the value it
  // read back with VFU set or cleared); it can be taken only while PFU is
  // clear.
  if ((v & kVfMbxVfu) == 0) {
    b.vf_bits &= ~kVfMbxVfu;
  } else if (!b.pfu) {
    b.vf_bits |= kVfMbxVfu;
  }
  if (v & kVfMbxReq) {
    mbvficr_[vf / 16] |= ReqBit(vf);
    RaisePf(vf, ev);
  }
  if (v & kVfMbxAck) {
    mbvficr_[vf / 16] |= AckBit(vf);
    RaisePf(vf, ev);
  }
  return ev;
}

uint32_t Mailboxes::VfReadMem(unsigned vf, unsigned word) const {
  if (vf >= kMaxPools || word >= kMbxWords) {
    return 0;
  }
  return box_[vf].mem[word];
}

void Mailboxes::VfWriteMem(unsigned vf, unsigned word, uint32_t v) {
  if (vf >= kMaxPools || word >= kMbxWords) {
    return;
  }
  Box &b = box_[vf];
  if (b.pfu) {
    ++dropped_writes_;
    return;
  }
  b.mem[word] = v;
}

uint32_t Mailboxes::PfReadCtl(unsigned vf) const {
  if (vf >= kMaxPools) {
    return 0;
  }
  const Box &b = box_[vf];
  return ((b.vf_bits & kVfMbxVfu) ? kPfMbxVfu : 0) | (b.pfu ? kPfMbxPfu : 0);
}

MailboxEvents Mailboxes::PfWriteCtl(unsigned vf, uint32_t v) {
  MailboxEvents ev;
  if (vf >= kMaxPools) {
    return ev;
  }
  Box &b = box_[vf];
  if (v & kPfMbxRvfu) {
    b.vf_bits &= ~kVfMbxVfu;
  }
  if ((v & kPfMbxPfu) == 0) {
    b.pfu = false;
  } else if ((b.vf_bits & kVfMbxVfu) == 0) {
    b.pfu = true;
  }
  if (v & kPfMbxSts) {
    b.vf_bits |= kVfMbxPfSts;
    ev.vf_irq |= uint64_t{1} << vf;
  }
  if (v & kPfMbxAck) {
    b.vf_bits |= kVfMbxPfAck;
    ev.vf_irq |= uint64_t{1} << vf;
  }
  return ev;
}

uint32_t Mailboxes::PfReadMem(unsigned vf, unsigned word) const {
  if (vf >= kMaxPools || word >= kMbxWords) {
    return 0;
  }
  return box_[vf].mem[word];
}

void Mailboxes::PfWriteMem(unsigned vf, unsigned word, uint32_t v) {
  if (vf >= kMaxPools || word >= kMbxWords) {
    return;
  }
  Box &b = box_[vf];
  if (b.vf_bits & kVfMbxVfu) {
    ++dropped_writes_;
    return;
  }
  b.mem[word] = v;
}

uint32_t Mailboxes::ReadMbvficr(unsigned idx) const {
  return idx < kMbvficrRegs ? mbvficr_[idx] : 0;
}

void Mailboxes::WriteMbvficr(unsigned idx, uint32_t w1c) {
  if (idx < kMbvficrRegs) {
    mbvficr_[idx] &= ~w1c;
  }
}

uint32_t Mailboxes::ReadMbvfimr(unsigned idx) const {
  return idx < kMbvfimrRegs ? mbvfimr_[idx] : 0;
}

MailboxEvents Mailboxes::WriteMbvfimr(unsigned idx, uint32_t v) {
  MailboxEvents ev;
  if (idx >= kMbvfimrRegs) {
    return ev;
  }
  mbvfimr_[idx] = v;
  ev.pf_cause = PfCausePending();
  return ev;
}

uint32_t Mailboxes::ReadVflre(unsigned idx) const {
  return idx < kVflreRegs ? vflre_[idx] : 0;
}

void Mailboxes::WriteVflrec(unsigned idx, uint32_t w1c) {
  if (idx < kVflreRegs) {
    vflre_[idx] &= ~w1c;
  }
}

bool Mailboxes::PfCausePending() const {
  for (unsigned vf = 0; vf < kMaxPools; ++vf) {
    if (Masked(vf)) {
      continue;
    }
    const bool pending = (mbvficr_[vf / 16] & (ReqBit(vf) | AckBit(vf))) ||
                         (vflre_[vf / 32] & PoolBit(vf));
    if (pending) {
      return true;
    }
  }
  return false;
}

void Mailboxes::PfReset() {
  for (Box &b : box_) {
    b.vf_bits = kVfMbxRsti;
    b.pfu = false;
  }
  mbvficr_.fill(0);
  mbvfimr_.fill(~0u);
  vflre_.fill(0);
}

MailboxEvents Mailboxes::PfResetDone() {
  MailboxEvents ev;
  for (unsigned vf = 0; vf < kMaxPools; ++vf) {
    box_[vf].vf_bits = (box_[vf].vf_bits & ~kVfMbxRsti) | kVfMbxRstd;
    ev.vf_irq |= uint64_t{1} << vf;
  }
  return ev;
}

MailboxEvents Mailboxes::VfReset(unsigned vf, bool report_flr) {
  MailboxEvents ev;
  if (vf >= kMaxPools) {
    return ev;
  }
  box_[vf].vf_bits &= kVfMbxRsti | kVfMbxRstd;
  if (report_flr) {
    vflre_[vf / 32] |= PoolBit(vf);
    RaisePf(vf, ev);
  }
  return ev;
}

void Mailboxes::Encode(migration::Encoder &e) const {
  for (const Box &b : box_) {
    e.U8(static_cast<uint8_t>(b.vf_bits));
    e.Bool(b.pfu);
    for (uint32_t w : b.mem) {
      e.U32(w);
    }
  }
  for (uint32_t v : mbvficr_) {
    e.U32(v);
  }
  for (uint32_t v : mbvfimr_) {
    e.U32(v);
  }
  for (uint32_t v : vflre_) {
    e.U32(v);
  }
}

void Mailboxes::Decode(migration::Decoder &d) {
  std::array<Box, kMaxPools> box{};
  for (unsigned vf = 0; vf < kMaxPools; ++vf) {
    migration::Scope scope(d, "mailbox " + std::to_string(vf));
    Box &b = box[vf];
    b.vf_bits = d.U8("vf_bits");
    b.pfu = d.Bool("pfu");
    for (uint32_t &w : b.mem) {
      w = d.U32("mem");
    }
    if (!d.ok()) {
      return;
    }
    if (b.vf_bits & ~kVfStoredBits) {
      d.Fail("vf_bits", "has bits outside VFU|PFSTS|PFACK|RSTI|RSTD");
      return;
    }
    if (b.pfu && (b.vf_bits & kVfMbxVfu)) {
      d.Fail("pfu", "is set while the VF holds VFU");
      return;
    }
  }
  std::array<uint32_t, kMbvficrRegs> mbvficr{};
  std::array<uint32_t, kMbvfimrRegs> mbvfimr{};
  std::array<uint32_t, kVflreRegs> vflre{};
  for (uint32_t &v : mbvficr) {
    v = d.U32("mbvficr");
  }
  for (uint32_t &v : mbvfimr) {
    v = d.U32("mbvfimr");
  }
  for (uint32_t &v : vflre) {
    v = d.U32("vflre");
  }
  if (!d.ok()) {
    return;
  }
  box_ = box;
  mbvficr_ = mbvficr;
  mbvfimr_ = mbvfimr;
  vflre_ = vflre;
}

} // namespace snic::ixgbe
