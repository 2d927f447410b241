// sriov-nic core: the 82599's VMDq pool registers and their decoding.
// SPDX-License-Identifier: GPL-2.0-or-later
#include "pools.h"

#include <string>

#include "../migration/stream.h"
#include "rate.h"

namespace snic::ixgbe {

namespace {

// Elements of each array, in Reg order.
constexpr std::array<uint16_t, static_cast<size_t>(Reg::kCount)> kSizes = {
    kRarEntries,
    kRarEntries,
    kRarEntries,
    kRarEntries,  // RAL RAH MPSAR
    128,
    128,
    128,  // MTA UTA VFTA
    kVlvfEntries,
    2 * kVlvfEntries,  // VLVF VLVFB
    kPools,
    kPools,  // VMOLR VMVIR
    8,
    2,
    2,
    2,  // PFVFSPOOF VFRE VFTE VMECM
    1,
    1,
    1,
    1,
    1,
    1,
    1,
    1,          // FCTRL .. RTTDQSEL
    kTxQueues,  // RTTBCNRC
    1,
    1,  // RTTBCNRM SSVPC
};

constexpr std::array<uint16_t, kSizes.size() + 1> SlotStarts() {
  std::array<uint16_t, kSizes.size() + 1> s{};
  for (size_t i = 0; i < kSizes.size(); ++i) {
    s[i + 1] = static_cast<uint16_t>(s[i] + kSizes[i]);
  }
  return s;
}
constexpr auto kStart = SlotStarts();
static_assert(kStart.back() == PoolRegs::kSlots);

constexpr uint32_t kAll = 0xFFFFFFFF;

// 82599 datasheet section 8.2.3; reset values are 0 except VLNCTRL.VET.
constexpr RegSpec kTable[] = {
    {"RTTDQSEL", 0x04904, 1, 4, Reg::kRttdqsel, 0, 0, 0x7F, Access::kRw},
    {"RTTBCNRM", 0x04980, 1, 4, Reg::kRttbcnrm, 0, 0, 0x7FF, Access::kRw},
    {"RTTBCNRC", 0x04984, 1, 4, Reg::kRttbcnrc, 0, 0, 0x8FFFFFFF,
     Access::kQueueSel},
    {"FCTRL", 0x05080, 1, 4, Reg::kFctrl, 0, 0, 0xFFFE, Access::kRw},
    {"VLNCTRL", 0x05088, 1, 4, Reg::kVlnctrl, 0, 0x8100, 0xF000FFFF,
     Access::kRw},
    {"MCSTCTRL", 0x05090, 1, 4, Reg::kMcstctrl, 0, 0, 0x7, Access::kRw},
    {"PFVTCTL", 0x051B0, 1, 4, Reg::kVtCtl, 0, 0, 0x60001F81, Access::kRw},
    {"VFRE", 0x051E0, 2, 4, Reg::kVfre, 0, 0, kAll, Access::kRw},
    {"MTA", 0x05200, 128, 4, Reg::kMta, 0, 0, kAll, Access::kRw},
    {"RAL", 0x05400, 16, 8, Reg::kRal, 0, 0, kAll, Access::kRw},
    {"RAH", 0x05404, 16, 8, Reg::kRah, 0, 0, 0x8000FFFF, Access::kRw},
    {"MRQC", 0x05818, 1, 4, Reg::kMrqc, 0, 0, 0x01FFA00F, Access::kRw},
    {"VMVIR", 0x08000, 64, 4, Reg::kVmvir, 0, 0, 0xC000FFFF, Access::kRw},
    {"VFTE", 0x08110, 2, 4, Reg::kVfte, 0, 0, kAll, Access::kRw},
    {"PFVFSPOOF", 0x08200, 8, 4, Reg::kPfvfspoof, 0, 0, 0xFFFF, Access::kRw},
    {"PFDTXGSWC", 0x08220, 1, 4, Reg::kPfdtxgswc, 0, 0, 0x1, Access::kRw},
    {"SSVPC", 0x08780, 1, 4, Reg::kSsvpc, 0, 0, 0, Access::kReadClear},
    {"VMECM", 0x08790, 2, 4, Reg::kVmecm, 0, 0, kAll, Access::kRw},
    {"VFTA", 0x0A000, 128, 4, Reg::kVfta, 0, 0, kAll, Access::kRw},
    {"RAL", 0x0A280, 112, 8, Reg::kRal, 16, 0, kAll, Access::kRw},
    {"RAH", 0x0A284, 112, 8, Reg::kRah, 16, 0, 0x8000FFFF, Access::kRw},
    {"MPSAR_LO", 0x0A600, 128, 8, Reg::kMpsarLo, 0, 0, kAll, Access::kRw},
    {"MPSAR_HI", 0x0A604, 128, 8, Reg::kMpsarHi, 0, 0, kAll, Access::kRw},
    {"VMOLR", 0x0F000, 64, 4, Reg::kVmolr, 0, 0, 0x1F01FFFF, Access::kRw},
    {"VLVF", 0x0F100, 64, 4, Reg::kVlvf, 0, 0, 0x80000FFF, Access::kRw},
    {"VLVFB", 0x0F200, 128, 4, Reg::kVlvfb, 0, 0, kAll, Access::kRw},
    {"UTA", 0x0F400, 128, 4, Reg::kUta, 0, 0, kAll, Access::kRw},
    {"GCR_EXT", 0x11050, 1, 4, Reg::kGcrExt, 0, 0, 0xC0000013, Access::kRw},
};
constexpr size_t kRows = sizeof(kTable) / sizeof(kTable[0]);

constexpr bool TableIsSane() {
  for (size_t i = 0; i < kRows; ++i) {
    const RegSpec& s = kTable[i];
    if (i > 0 && kTable[i - 1].base >= s.base) return false;
    const size_t r = static_cast<size_t>(s.reg);
    if (s.access != Access::kQueueSel && s.first + s.count > kSizes[r]) {
      return false;
    }
    if ((s.reset & ~s.writable) != 0 && s.access == Access::kRw) return false;
  }
  return true;
}
static_assert(TableIsSane(), "kTable: sorted, inside its arrays");

struct Hit {
  const RegSpec* spec;
  unsigned index;  // element of spec->reg
};

std::optional<Hit> Find(uint32_t offset) {
  for (const RegSpec& s : kTable) {
    if (offset < s.base) break;
    const uint32_t d = offset - s.base;
    if (d % s.stride == 0 && d / s.stride < s.count) {
      return Hit{&s, s.first + d / s.stride};
    }
  }
  return std::nullopt;
}

uint64_t Join(uint32_t lo, uint32_t hi) {
  return static_cast<uint64_t>(hi) << 32 | lo;
}

eth::MacAddress RarMac(const PoolRegs& r, unsigned i) {
  const uint32_t lo = r.Get(Reg::kRal, i);
  const uint32_t hi = r.Get(Reg::kRah, i);
  return {static_cast<uint8_t>(lo),       static_cast<uint8_t>(lo >> 8),
          static_cast<uint8_t>(lo >> 16), static_cast<uint8_t>(lo >> 24),
          static_cast<uint8_t>(hi),       static_cast<uint8_t>(hi >> 8)};
}
bool RarValid(const PoolRegs& r, unsigned i) {
  return (r.Get(Reg::kRah, i) & reg::RAH_AV) != 0;
}
uint64_t RarPools(const PoolRegs& r, unsigned i) {
  return Join(r.Get(Reg::kMpsarLo, i), r.Get(Reg::kMpsarHi, i));
}

// OR of the MPSAR pool sets of every valid RAR holding @mac; @hit says
// whether any valid RAR matched.
uint64_t RarLookup(const PoolRegs& r, const uint8_t* mac, bool* hit) {
  uint64_t pools = 0;
  *hit = false;
  for (unsigned i = 0; i < kRarEntries; ++i) {
    if (RarValid(r, i) && eth::SameMac(RarMac(r, i), mac)) {
      *hit = true;
      pools |= RarPools(r, i);
    }
  }
  return pools;
}

bool TableBit(const PoolRegs& r, Reg table, uint16_t vector) {
  return (r.Get(table, (vector >> 5) & 0x7F) >> (vector & 0x1F) & 1) != 0;
}

// Pools whose VMOLR has every bit of @mask.
uint64_t VmolrPools(const PoolRegs& r, uint32_t mask) {
  uint64_t pools = 0;
  for (unsigned p = 0; p < kPools; ++p) {
    if ((r.Get(Reg::kVmolr, p) & mask) == mask) pools |= uint64_t{1} << p;
  }
  return pools;
}

// The VLVF entry of @vid (VIEN set), if any.
std::optional<unsigned> VlvfEntry(const PoolRegs& r, uint16_t vid) {
  for (unsigned i = 0; i < kVlvfEntries; ++i) {
    const uint32_t v = r.Get(Reg::kVlvf, i);
    if ((v & reg::VLVF_VIEN) && (v & reg::VLVF_VLANID_MASK) == vid) {
      return i;
    }
  }
  return std::nullopt;
}
uint64_t VlvfPools(const PoolRegs& r, unsigned entry) {
  return Join(r.Get(Reg::kVlvfb, entry * 2), r.Get(Reg::kVlvfb, entry * 2 + 1));
}

struct Tag {
  bool tagged = false;
  uint16_t tci = 0;
};
Tag InlineTag(const PoolRegs& r, const uint8_t* frame, size_t len) {
  const uint16_t vet = r.Get(Reg::kVlnctrl) & reg::VLNCTRL_VET;
  if (len < eth::kHeaderLen + eth::kVlanTagLen ||
      eth::LoadBe16(frame + 12) != vet) {
    return {};
  }
  return {true, eth::LoadBe16(frame + 14)};
}

}  // namespace

const RegSpec* RegTable(size_t* rows) {
  *rows = kRows;
  return kTable;
}

PoolRegs::PoolRegs(const Host* host) : host_(host) { Reset(); }

bool PoolRegs::Owns(uint32_t offset) { return Find(offset).has_value(); }

uint32_t& PoolRegs::At(Reg r, unsigned i) {
  const size_t k = static_cast<size_t>(r);
  return v_[kStart[k] + (i < kSizes[k] ? i : 0)];
}

uint32_t PoolRegs::Get(Reg r, unsigned i) const {
  const size_t k = static_cast<size_t>(r);
  if (k >= kSizes.size() || i >= kSizes[k]) return 0;
  return v_[kStart[k] + i];
}

uint32_t PoolRegs::Read(uint32_t offset) {
  const std::optional<Hit> h = Find(offset);
  if (!h) return 0;
  switch (h->spec->access) {
    case Access::kRw:
      return At(h->spec->reg, h->index);
    case Access::kReadClear: {
      const uint32_t v = At(h->spec->reg, h->index);
      At(h->spec->reg, h->index) = 0;
      return v;
    }
    case Access::kQueueSel:
      return At(Reg::kRttbcnrc, Get(Reg::kRttdqsel));
  }
  return 0;
}

void PoolRegs::Write(uint32_t offset, uint32_t value) {
  const std::optional<Hit> h = Find(offset);
  if (!h) return;
  ++generation_;
  const RegSpec& s = *h->spec;
  if (s.reg == Reg::kRttdqsel && value > s.writable && host_ != nullptr) {
    host_->GuestError(kPfFn,
                      "ixgbe: RTTDQSEL names a TX queue past 127; masked "
                      "to its 7-bit field");
  }
  switch (s.access) {
    case Access::kRw:
      At(s.reg, h->index) = value & s.writable;
      return;
    case Access::kReadClear:
      return;
    case Access::kQueueSel:
      At(Reg::kRttbcnrc, Get(Reg::kRttdqsel)) = value & s.writable;
      return;
  }
}

void PoolRegs::Reset() {
  ++generation_;
  v_.fill(0);
  for (const RegSpec& s : kTable) {
    for (unsigned i = 0; i < s.count; ++i) At(s.reg, s.first + i) = s.reset;
  }
}

void PoolRegs::LoadPermanentMac(const eth::MacAddress& mac) {
  ++generation_;
  At(Reg::kRal, 0) = static_cast<uint32_t>(mac[0]) | mac[1] << 8 |
                     mac[2] << 16 | static_cast<uint32_t>(mac[3]) << 24;
  At(Reg::kRah, 0) = reg::RAH_AV | mac[4] | mac[5] << 8;
}

void PoolRegs::CountSpoofed(unsigned pool) {
  if (pool >= kPools) return;
  if (!((Get(Reg::kVmecm, pool / 32) >> (pool % 32)) & 1)) return;
  uint32_t& c = At(Reg::kSsvpc, 0);
  if (c != kAll) ++c;
}

void PoolRegs::Encode(migration::Encoder& e) const {
  e.U32(static_cast<uint32_t>(kSlots));
  for (uint32_t v : v_) e.U32(v);
}

void PoolRegs::Decode(migration::Decoder& d) {
  migration::Scope scope(d, "ixgbe pools");
  const uint32_t n = d.U32("slots");
  if (!d.ok()) return;
  if (n != kSlots) {
    d.Fail("slots",
           "is " + std::to_string(n) + ", not " + std::to_string(kSlots));
    return;
  }
  std::array<uint32_t, kSlots> in{};
  for (uint32_t& v : in) v = d.U32("register");
  if (!d.ok()) return;
  for (const RegSpec& s : kTable) {
    const size_t k = static_cast<size_t>(s.reg);
    const unsigned n_el = s.access == Access::kQueueSel ? kSizes[k] : s.count;
    const unsigned first = s.access == Access::kQueueSel ? 0 : s.first;
    const uint32_t mask = s.access == Access::kReadClear ? kAll : s.writable;
    for (unsigned i = 0; i < n_el; ++i) {
      const uint32_t v = in[kStart[k] + first + i];
      if ((v & ~mask) != 0) {
        d.Fail(s.name, "has reserved bits set");
        return;
      }
    }
  }
  v_ = in;
  ++generation_;
}

// ---- Mode registers ----

bool VtEnabled(const PoolRegs& r) {
  return (r.Get(Reg::kVtCtl) & reg::VT_CTL_VT_ENABLE) != 0;
}

std::optional<unsigned> DefaultPool(const PoolRegs& r) {
  const uint32_t c = r.Get(Reg::kVtCtl);
  if (!VtEnabled(r) || (c & reg::VT_CTL_DIS_DEFPL)) return std::nullopt;
  return (c & reg::VT_CTL_POOL_MASK) >> reg::VT_CTL_POOL_SHIFT;
}

unsigned QueuesPerPool(const PoolRegs& r) {
  if (!VtEnabled(r)) return 0;
  switch (r.Get(Reg::kGcrExt) & reg::GCR_EXT_VT_MODE_MASK) {
    case reg::GCR_EXT_VT_MODE_16:
      return 8;
    case reg::GCR_EXT_VT_MODE_32:
      return 4;
    case reg::GCR_EXT_VT_MODE_64:
      return 2;
    default:
      // VT on without a VT mode: the 82599 behaves as in 64-pool mode
      // for its pool registers; queues are not split.
      return 2;
  }
}

unsigned NumPools(const PoolRegs& r) {
  const unsigned q = QueuesPerPool(r);
  return q == 0 ? 0 : kTxQueues / q;
}

unsigned MrqcQueuesPerPool(const PoolRegs& r) {
  switch (r.Get(Reg::kMrqc) & reg::MRQC_MRQE_MASK) {
    case reg::MRQC_VMDQEN:
    case reg::MRQC_VMDQRSS64EN:
      return 2;
    case reg::MRQC_VMDQRSS32EN:
    case reg::MRQC_VMDQRT4TCEN:
      return 4;
    case reg::MRQC_VMDQRT8TCEN:
      return 8;
    default:
      return 0;
  }
}

bool LoopbackEnabled(const PoolRegs& r) {
  return (r.Get(Reg::kPfdtxgswc) & reg::PFDTXGSWC_VT_LBEN) != 0;
}

bool RxEnabled(const PoolRegs& r, unsigned pool) {
  return pool < kPools && ((r.Get(Reg::kVfre, pool / 32) >> (pool % 32)) & 1);
}
bool TxEnabled(const PoolRegs& r, unsigned pool) {
  return pool < kPools && ((r.Get(Reg::kVfte, pool / 32) >> (pool % 32)) & 1);
}

uint16_t MtaVector(const PoolRegs& r, const uint8_t* mac) {
  return port::RxFilter::McHashIndex(
      mac, static_cast<uint8_t>(r.Get(Reg::kMcstctrl) & reg::MCSTCTRL_MO));
}

// ---- RX ----

namespace {

bool MtaHit(const PoolRegs& r, const uint8_t* dst) {
  return (r.Get(Reg::kMcstctrl) & reg::MCSTCTRL_MFE) &&
         TableBit(r, Reg::kMta, MtaVector(r, dst));
}

// The pre-virtualization L2 filter (VT off).
bool LegacyAccepts(const PoolRegs& r, const uint8_t* dst, const Tag& tag) {
  const uint32_t fctrl = r.Get(Reg::kFctrl);
  bool rar_hit = false;
  RarLookup(r, dst, &rar_hit);
  bool pass;
  if (eth::IsBroadcast(dst)) {
    pass = (fctrl & reg::FCTRL_BAM) != 0;
  } else if (eth::IsMulticast(dst)) {
    pass = rar_hit || (fctrl & reg::FCTRL_MPE) || MtaHit(r, dst);
  } else {
    pass = rar_hit || (fctrl & reg::FCTRL_UPE);
  }
  if (pass && tag.tagged && (r.Get(Reg::kVlnctrl) & reg::VLNCTRL_VFE)) {
    pass = TableBit(r, Reg::kVfta, tag.tci & 0xFFF);
  }
  return pass;
}

}  // namespace

uint64_t RxPools(const PoolRegs& r, const uint8_t* frame, size_t len) {
  if (frame == nullptr || len < eth::kHeaderLen) return 0;
  const uint8_t* dst = frame;
  const Tag tag = InlineTag(r, frame, len);
  if (!VtEnabled(r)) return LegacyAccepts(r, dst, tag) ? 1 : 0;

  const std::optional<unsigned> def = DefaultPool(r);
  const uint64_t def_bit = def ? uint64_t{1} << *def : 0;
  const uint32_t fctrl = r.Get(Reg::kFctrl);
  const bool multicast = eth::IsMulticast(dst);

  // By address.
  uint64_t pools = 0;
  bool to_default = false;
  if (eth::IsBroadcast(dst)) {
    pools = VmolrPools(r, reg::VMOLR_BAM);
  } else if (multicast) {
    bool hit = false;
    pools = RarLookup(r, dst, &hit) | VmolrPools(r, reg::VMOLR_MPE);
    if (MtaHit(r, dst)) pools |= VmolrPools(r, reg::VMOLR_ROMPE);
  } else {
    bool hit = false;
    pools = RarLookup(r, dst, &hit);
    if (TableBit(r, Reg::kUta, MtaVector(r, dst))) {
      const uint64_t rope = VmolrPools(r, reg::VMOLR_ROPE);
      hit = hit || rope != 0;
      pools |= rope;
    }
    to_default = !hit && (fctrl & reg::FCTRL_UPE);
  }

  // By VLAN.
  if (!tag.tagged) {
    pools &= VmolrPools(r, reg::VMOLR_AUPE);
    if (to_default) pools |= def_bit & VmolrPools(r, reg::VMOLR_AUPE);
  } else if (r.Get(Reg::kVlnctrl) & reg::VLNCTRL_VFE) {
    const uint16_t vid = tag.tci & 0xFFF;
    if (!TableBit(r, Reg::kVfta, vid)) return 0;
    const std::optional<unsigned> e = VlvfEntry(r, vid);
    if (!e) {
      // In VFTA but in no VLVF entry: only the default pool.
      pools = (pools != 0 || to_default) ? def_bit : 0;
    } else {
      if (to_default) pools |= def_bit;
      pools &= VlvfPools(r, *e);
    }
  } else if (to_default) {
    pools |= def_bit;
  }

  if (multicast && !(r.Get(Reg::kVtCtl) & reg::VT_CTL_REPLEN)) {
    pools &= def_bit;
  }
  const uint64_t rx_on = Join(r.Get(Reg::kVfre, 0), r.Get(Reg::kVfre, 1));
  return pools & rx_on;
}

// ---- TX ----

std::optional<uint16_t> TxVlanInsertion(const PoolRegs& r, unsigned pool,
                                        std::optional<uint16_t> desc_tci) {
  const uint32_t vmvir = r.Get(Reg::kVmvir, pool);
  switch (vmvir & reg::VMVIR_VLANA_MASK) {
    case reg::VMVIR_VLANA_DEFAULT:
      return static_cast<uint16_t>(vmvir & 0xFFFF);
    case reg::VMVIR_VLANA_NEVER:
      return std::nullopt;
    default:
      return desc_tci;
  }
}

TxDecision CheckTx(const PoolRegs& r, unsigned pool, const uint8_t* frame,
                   size_t len, std::optional<uint16_t> desc_tci) {
  TxDecision out;
  if (!VtEnabled(r)) {
    out.insert_tci = desc_tci;
    return out;
  }
  if (pool >= kPools || !TxEnabled(r, pool) || frame == nullptr ||
      len < eth::kHeaderLen) {
    out.verdict = TxVerdict::kTxDisabled;
    return out;
  }
  out.insert_tci = TxVlanInsertion(r, pool, desc_tci);
  const uint32_t spoof = r.Get(Reg::kPfvfspoof, pool / 8);
  const bool mac_as = (spoof >> (pool % 8)) & 1;
  const bool vlan_as = (spoof >> (reg::SPOOF_VLANAS_SHIFT + pool % 8)) & 1;
  const uint64_t me = uint64_t{1} << pool;

  if (mac_as) {
    bool found = false;
    for (unsigned i = 0; i < kRarEntries && !found; ++i) {
      found = RarValid(r, i) && (RarPools(r, i) & me) &&
              eth::SameMac(RarMac(r, i), frame + 6);
    }
    out.mac_spoof = !found;
  }
  if (vlan_as) {
    std::optional<uint16_t> vid;
    if (out.insert_tci) {
      vid = *out.insert_tci & 0xFFF;
    } else if (const Tag t = InlineTag(r, frame, len); t.tagged) {
      vid = t.tci & 0xFFF;
    }
    if (vid) {
      const std::optional<unsigned> e = VlvfEntry(r, *vid);
      out.vlan_spoof = !e || !(VlvfPools(r, *e) & me);
    }
  }
  if (out.mac_spoof || out.vlan_spoof) out.verdict = TxVerdict::kSpoofed;
  return out;
}

// ---- PolicyForPool ----

PoolPolicy PolicyForPool(const PoolRegs& r, unsigned pool, uint32_t link_mbps) {
  PoolPolicy out;
  if (pool >= kPools) return out;
  const uint64_t me = uint64_t{1} << pool;
  PoolRxFilter& rx = out.rx;

  bool have_mac = false;
  for (unsigned i = 0; i < kRarEntries; ++i) {
    if (!RarValid(r, i) || !(RarPools(r, i) & me)) continue;
    const eth::MacAddress mac = RarMac(r, i);
    if (eth::IsMulticast(mac)) {
      if (rx.multicast.size() < port::RxFilter::kMaxMacEntries) {
        rx.multicast.push_back(mac);
      }
    } else if (!have_mac) {
      rx.mac = mac;
      have_mac = true;
    } else if (rx.unicast.size() < port::RxFilter::kMaxMacEntries) {
      rx.unicast.push_back(mac);
    }
  }

  const uint32_t vmolr = r.Get(Reg::kVmolr, pool);
  const uint32_t mcstctrl = r.Get(Reg::kMcstctrl);
  rx.multicast_hash = (vmolr & reg::VMOLR_ROMPE) &&
                      (mcstctrl & reg::MCSTCTRL_MFE);
  if (rx.multicast_hash) {
    rx.mta_type = static_cast<uint8_t>(mcstctrl & reg::MCSTCTRL_MO);
    // MTA register v >> 5, bit v & 31 (ixgbe_set_mta): the set bits only.
    for (unsigned w = 0; w < 128; ++w) {
      for (uint32_t bits = r.Get(Reg::kMta, w); bits != 0; bits &= bits - 1) {
        rx.mta.set(w * 32 + static_cast<unsigned>(__builtin_ctz(bits)));
      }
    }
  }
  rx.allmulti = (vmolr & reg::VMOLR_MPE) != 0;
  rx.nomulti = !rx.allmulti && !rx.multicast_hash && rx.multicast.empty();
  rx.nobcast = !(vmolr & reg::VMOLR_BAM);
  rx.accept_untagged = (vmolr & reg::VMOLR_AUPE) != 0;
  rx.vlan_filtering = (r.Get(Reg::kVlnctrl) & reg::VLNCTRL_VFE) != 0;
  for (unsigned e = 0; e < kVlvfEntries; ++e) {
    const uint32_t v = r.Get(Reg::kVlvf, e);
    if ((v & reg::VLVF_VIEN) && (VlvfPools(r, e) & me)) {
      const uint16_t vid = v & reg::VLVF_VLANID_MASK;
      if (TableBit(r, Reg::kVfta, vid)) rx.vlans.set(vid);
    }
  }

  const uint32_t spoof = r.Get(Reg::kPfvfspoof, pool / 8);
  out.mac_spoofchk = (spoof >> (pool % 8)) & 1;
  out.vlan_spoofchk = (spoof >> (reg::SPOOF_VLANAS_SHIFT + pool % 8)) & 1;
  out.rx_enabled = RxEnabled(r, pool);
  out.tx_enabled = TxEnabled(r, pool);
  out.is_default_pool = DefaultPool(r) == pool;

  if (out.is_default_pool) {
    out.policy = policy::PfPolicy(rx.mac);
    rx.promisc = (r.Get(Reg::kFctrl) & reg::FCTRL_UPE) != 0;
    return out;
  }

  policy::PortPolicy& p = out.policy;
  p.mac = rx.mac;
  const uint32_t vmvir = r.Get(Reg::kVmvir, pool);
  if ((vmvir & reg::VMVIR_VLANA_MASK) == reg::VMVIR_VLANA_DEFAULT &&
      (vmvir & 0xFFF) != 0 && (vmvir & 0xFFF) <= policy::kMaxVlan) {
    p.vlan = vmvir & 0xFFF;
    p.qos = (vmvir >> 13) & 0x7;
  }
  p.spoofchk = out.mac_spoofchk;
  p.trust = !out.vlan_spoofchk;
  p.link_state = !out.rx_enabled && !out.tx_enabled
                     ? policy::LinkState::kDisable
                     : policy::LinkState::kAuto;
  const std::optional<uint32_t> rate =
      PoolRateMbps(r, pool, QueuesPerPool(r), link_mbps);
  p.max_tx_rate = rate.value_or(0);
  return out;
}

void ApplyRxFilter(const PoolRxFilter& s, port::RxFilter* f) {
  f->set_mac(s.mac);
  f->promisc = s.promisc;
  f->allmulti = s.allmulti;
  f->alluni = false;
  f->nomulti = s.nomulti;
  f->nouni = false;
  f->nobcast = s.nobcast;
  f->programmable = true;
  f->vlan_filtering = s.vlan_filtering;
  f->SetTables(s.unicast, s.multicast, s.vlans);
  f->uni_overflow = false;
  f->multi_overflow = false;
  f->registers = true;  // the guest's PF driver applied trust already
  f->mc_hash_on = s.multicast_hash;
  f->mc_hash_type = s.mta_type;
  f->mc_hash = s.mta;
}

}  // namespace snic::ixgbe
