// sriov-nic core: the Intel 82599 PF register file (see pf.h).
// SPDX-License-Identifier: GPL-2.0-or-later
#include "pf.h"

#include <cassert>
#include <cstdio>
#include <iterator>
#include <memory>
#include <string>

namespace snic::ixgbe {
namespace {

using namespace reg;  // NOLINT(google-build-using-namespace): register names

enum class Access : uint8_t {
  kRw,    // stored under the writable mask
  kRo,    // reads the reset value, writes ignored
  kW1c,   // write 1 to clear (WUS)
  kStat,  // statistics counter, cleared by the read (datasheet 8.2.3.23)
  kStatH, // high half of a 64-bit counter: its read clears both halves
};

struct RegSpec {
  uint32_t offset;
  uint16_t count;   // registers in the array
  uint16_t stride;  // bytes between them
  uint32_t reset;
  uint32_t writable;
  Access access;
};

constexpr uint32_t kAll = 0xFFFFFFFF;
constexpr RegSpec Rw(uint32_t off, uint32_t reset = 0, uint32_t mask = kAll) {
  return {off, 1, 4, reset, mask, Access::kRw};
}
constexpr RegSpec RwN(uint32_t off, uint16_t n, uint16_t stride = 4,
                      uint32_t reset = 0, uint32_t mask = kAll) {
  return {off, n, stride, reset, mask, Access::kRw};
}
constexpr RegSpec Ro(uint32_t off, uint32_t value) {
  return {off, 1, 4, value, 0, Access::kRo};
}
constexpr RegSpec Stat(uint32_t off, uint16_t n = 1) {
  return {off, n, 4, 0, 0, Access::kStat};
}
constexpr RegSpec StatH(uint32_t off) {
  return {off, 1, 4, 0, 0, Access::kStatH};
}

// 82599 IVAR entries: 6-bit vector + ALLOC_VAL per byte.
constexpr uint32_t kIvarMask = 0xBFBFBFBF;
// EITR: interval (11:3) and LLI_MOD; CNT_WDIS is a write-only control.
constexpr uint32_t kEitrMask = EITR_ITR_INT_MASK | EITR_LLI_MOD;
// AUTOC at reset: KX4/KX/KR auto-negotiation, KX4 and KX supported
// (ixgbe_get_link_capabilities_82599 -> 10G + 1G, autoneg).
constexpr uint32_t kAutocReset =
    AUTOC_LMS_KX4_KX_KR | AUTOC_KX4_SUPP | AUTOC_KX_SUPP | AUTOC_10G_KX4 |
    AUTOC_1G_KX;

// Every register with plain semantics, sorted by offset. Registers with
// behaviour (CTRL, STATUS, EEC, EERD, EEWR, SWSM, GSSR, interrupt causes
// and masks, MSCA/MSRWD, LINKS, ANLP1) are handled in Pf::Read/Write and
// are not here. Reset values: 82599 datasheet section 8, or what ixgbe
// programs anyway when the datasheet's value does not matter to it.
constexpr RegSpec kSpecs[] = {
    Rw(CTRL_EXT),
    Rw(ESDP),
    Rw(I2CCTL),
    Rw(TCPTIMER),
    Rw(LEDCTL),
    Rw(EIAC),
    RwN(EITR(0), 24, 4, 0, kEitrMask),
    Rw(EIAM),
    Rw(EITRSEL),
    Rw(GPIE),
    RwN(IVAR(0), kNumIvar, 4, 0, kIvarMask),
    Rw(IVAR_MISC, 0, 0x0000BFBF),
    RwN(EIAM_EX(0), 2),
    RwN(RTRPT4C(0), 8),
    RwN(RQSMR(0), 32),
    Rw(RTRPCS),
    Rw(RDRXCTL),  // reads DMAIDONE too
    Rw(QDE),
    Rw(RXCTRL),
    Rw(PFCTOP),
    Rw(RTRUP2TC),
    RwN(FCTTV(0), 4),
    RwN(FCRTL_82599(0), 8),
    RwN(FCRTH_82599(0), 8),
    Rw(FCRTV),
    RwN(PFVFMRQC(0), 64),
    // 82599 reset values: the whole 512 KiB RX packet buffer in PB 0
    // (ixgbe_hpbthresh reads it at probe), 160 KiB TX.
    Rw(RXPBSIZE(0), 0x00080000, 0x000FFC00),
    RwN(RXPBSIZE(1), 7, 4, 0, 0x000FFC00),
    Rw(FCCFG),
    Rw(DROPEN),
    Stat(PXONTXC(0), 8),
    Stat(PXOFFTXC(0), 8),
    Stat(LXONTXC),
    Stat(LXOFFTXC),
    Stat(MPC(0), 8),
    Stat(RNBC(0), 8),
    Stat(CRCERRS),
    Stat(ILLERRC),
    Stat(ERRBC),
    Stat(MSPDC),
    Stat(MLFC),
    Stat(MRFC),
    Stat(RLEC),
    Stat(PRC64),
    Stat(PRC127),
    Stat(PRC255),
    Stat(PRC511),
    Stat(PRC1023),
    Stat(PRC1522),
    Stat(GPRC),
    Stat(BPRC),
    Stat(MPRC),
    Stat(GPTC),
    Stat(GORCL),
    StatH(GORCH),
    Stat(GOTCL),
    StatH(GOTCH),
    Stat(RUC),
    Stat(RFC),
    Stat(ROC),
    Stat(RJC),
    Stat(MNGPRC),
    Stat(MNGPDC),
    Stat(TORL),
    StatH(TORH),
    Stat(TPR),
    Stat(TPT),
    Stat(PTC64),
    Stat(PTC127),
    Stat(PTC255),
    Stat(PTC511),
    Stat(PTC1023),
    Stat(PTC1522),
    Stat(MPTC),
    Stat(BPTC),
    Stat(XEC),
    Stat(PXONRXCNT(0), 8),
    Stat(PXOFFRXCNT(0), 8),
    Stat(LXONRXCNT),
    Stat(LXOFFRXCNT),
    Stat(B2OSPC),
    Stat(O2BGPTC),
    Rw(PCS1GLCTL),
    Rw(PCS1GANA),
    Rw(HLREG0, HLREG0_TXCRCEN | HLREG0_RXCRCSTRP | HLREG0_TXPADEN),
    Rw(HLREG1),
    Rw(PAP),
    Rw(MAXFRS, 1518u << MHADD_MFS_SHIFT),
    Rw(MFLCN),
    Rw(AUTOC, kAutocReset, ~AUTOC_AN_RESTART),  // AN restart self-clears
    Rw(AUTOC2, 0, ~AUTOC2_LINK_DISABLE_MASK),
    Rw(AUTOC3),
    Ro(MMNGC, 0),
    Rw(FCAMACL),
    Rw(FCAMACH),
    Rw(MACC),
    Rw(RTTDCS),
    Rw(RTTDQSEL),  // pool
    Rw(RTTDT1C),
    RwN(RTTDT2C(0), 8),
    RwN(TXPBTHRESH(0), 8),
    Rw(RTTBCNRM),
    Rw(RTTBCNRC),  // pool (per RTTDQSEL queue there)
    Rw(RTTDTECC),
    Rw(DMATXCTL, 0x8100u << DMATXCTL_VT_SHIFT),
    Rw(RTTQCNTG),
    Rw(RXCSUM),
    Rw(RFCTL),
    Rw(EXVET),
    Rw(VXLANCTRL),
    Rw(FCTRL),
    Rw(VLNCTRL, 0x8100),
    Rw(MCSTCTRL),
    Rw(PFFLPL),
    Rw(PFFLPH),
    RwN(ETQF(0), 8),
    Rw(VT_CTL),
    RwN(VFRE(0), 2),  // pool
    RwN(MTA(0), 128),  // pool
    RwN(RAL(0), 16, 8),  // RAR0: reset loads the EEPROM MAC; 1..15: pool
    RwN(RAH(0), 16, 8),
    RwN(PSRTYPE(0), 16),
    Rw(WUC),
    Rw(WUFC),
    {WUS, 1, 4, 0, kAll, Access::kW1c},
    Rw(MRQC),
    Rw(VMD_CTL),
    Rw(IPAV),
    RwN(RETA(0), 32),
    RwN(RSSRK(0), 10),
    RwN(VMVIR(0), 64),  // pool
    RwN(VFTE(0), 2),    // pool
    Rw(MTQC),
    RwN(PFVFSPOOF(0), 8),  // pool
    Rw(PFDTXGSWC),         // pool
    RwN(TXLLQ(0), 4),
    RwN(TQSM(0), 32),
    Stat(SSVPC),
    Rw(SECTXCTRL),
    Ro(SECTXSTAT, SECTXSTAT_SECTX_RDY | SECTXSTAT_SECTX_OFF_DIS),
    Rw(SECTXBUFFAF),
    Rw(SECTXMINIFG),
    Rw(TSYNCTXCTL),
    Rw(SYSTIML),
    Rw(SYSTIMH),
    Rw(TIMINCA),
    Rw(TSAUXC),
    Rw(SECRXCTRL),
    // IPsec offload off (ixgbe_init_ipsec_offload returns early); the RX
    // security path is always ready (ixgbe_disable_sec_rx_path polls).
    Ro(SECRXSTAT, SECRXSTAT_SECRX_RDY | SECRXSTAT_SECRX_OFF_DIS),
    RwN(VFTA(0), 128),            // pool
    RwN(RAL(16), 112, 8),         // pool
    RwN(RAH(16), 112, 8),         // pool
    RwN(MPSAR_LO(0), 128, 8),     // pool
    RwN(MPSAR_HI(0), 128, 8),     // pool
    RwN(RTTUP2TC, 1),
    Rw(TXPBSIZE(0), 0x00028000, 0x000FFC00),
    RwN(TXPBSIZE(1), 7, 4, 0, 0x000FFC00),
    Rw(RTTPCS),
    RwN(RTTPT2C(0), 8),
    Rw(TFCS),
    RwN(SAQF(0), 128),
    RwN(DAQF(0), 128),
    RwN(SDPQF(0), 128),
    RwN(FTQF(0), 128),
    RwN(L34T_IMIR(0), 128),
    RwN(PSRTYPE(16), 48),
    RwN(ETQS(0), 8),
    Rw(SYNQF),
    Rw(RQTC),
    Rw(LLITHRESH),
    Rw(FDIRCTRL),  // reads INIT_DONE too
    Rw(FDIRCMD, 0, ~FDIRCMD_CMD_MASK),  // commands complete at once
    RwN(0x0EE3C, 4),  // FDIRDIP4M, FDIRSIP4M, FDIRTCPM, FDIRUDPM
    Stat(FDIRUSTAT),
    Stat(FDIRFSTAT),
    Stat(FDIRMATCH),
    Stat(FDIRMISS),
    Rw(FDIRHKEY),
    Rw(FDIRSKEY),
    RwN(0x0EE70, 3),  // FDIRM, FDIRIP6M, FDIRSCTPM
    RwN(VMOLR(0), 64),   // pool
    RwN(VLVF(0), 64),    // pool
    RwN(VLVFB(0), 128),  // pool
    RwN(UTA(0), 128),
    Rw(GCR),
    Rw(GCR_EXT, 0, ~GCR_EXT_BUFFERS_CLEAR),
    Rw(DCA_ID),
    Rw(DCA_CTRL),
    RwN(EITR(24), kNumEitr - 24, 4, 0, kEitrMask),
};

constexpr uint32_t SpecEnd(const RegSpec& s) {
  return s.offset + (uint32_t{s.count} - 1) * s.stride + 4;
}
// Sorted, non-overlapping, 4-byte aligned, inside BAR0.
constexpr bool SpecsWellFormed() {
  for (size_t i = 0; i < std::size(kSpecs); ++i) {
    const RegSpec& s = kSpecs[i];
    if (s.offset % 4 != 0 || s.stride % 4 != 0 || s.count == 0 ||
        SpecEnd(s) > kBar0Size) {
      return false;
    }
    // Arrays may interleave (RAL/RAH) but never start before the previous.
    if (i > 0 && s.offset <= kSpecs[i - 1].offset) return false;
  }
  return true;
}
static_assert(SpecsWellFormed(), "kSpecs must be sorted and inside BAR0");

// Word index -> 1 + index into kSpecs (0: no spec).
struct SpecIndex {
  std::array<uint16_t, kBar0Size / 4> of{};
  SpecIndex() {
    for (size_t i = 0; i < std::size(kSpecs); ++i) {
      const RegSpec& s = kSpecs[i];
      for (uint32_t n = 0; n < s.count; ++n) {
        uint16_t& slot = of[(s.offset + n * s.stride) / 4];
        assert(slot == 0 && "kSpecs entries overlap");
        slot = static_cast<uint16_t>(i + 1);
      }
    }
  }
};
const RegSpec* FindSpec(uint32_t offset) {
  static const SpecIndex index;
  const uint16_t i = index.of[offset / 4];
  return i == 0 ? nullptr : &kSpecs[i - 1];
}

// FWSM: FW_VAL (no "firmware error" warning, ixgbe_check_fw_error), mode
// 0 (no manageability, ixgbe_mng_enabled false), no EXT_ERR_IND.
constexpr uint32_t kFwsm = FWSM_FW_VAL_BIT;
// ANLP1.AN_STATE: any non-zero state ends ixgbe_reset_pipeline_82599's poll.
constexpr uint32_t kAnlp1 = 0x4u << 16;
constexpr uint32_t kStatusGio = STATUS_GIO;
// EEC bits software drives (bit-banging, FWE, the request).
constexpr uint32_t kEecWritable =
    EEC_SK | EEC_CS | EEC_DI | EEC_FWE_MASK | EEC_REQ;

constexpr bool In(uint32_t off, uint32_t lo, uint32_t end) {
  return off >= lo && off < end;
}

}  // namespace

RegOwner OwnerOf(uint32_t off) {
  // Mailbox (ixgbe_mbx.c, ixgbe_sriov.c).
  if (In(off, PFMAILBOX(0), PFMAILBOX(kNumVfs)) ||
      In(off, PFMBMEM(0), PFMBMEM(kNumVfs)) ||
      In(off, MBVFICR(0), MBVFICR(4)) || In(off, PFMBIMR(0), PFMBIMR(2)) ||
      off == PFVFLRE(0) || off == PFVFLRE(1) ||
      In(off, PFVFLREC(0), PFVFLREC(2))) {
    return RegOwner::kMailbox;
  }
  // Queues: 64 RX blocks at 0x1000 and 0xD000, 128 TX blocks at 0x6000,
  // SRRCTL(0..15) and DCA_RXCTRL(0..15).
  if (In(off, 0x01000, 0x02000) || In(off, 0x0D000, 0x0E000) ||
      In(off, 0x06000, 0x08000) || In(off, SRRCTL(0), SRRCTL(15) + 4) ||
      In(off, DCA_RXCTRL(0), DCA_RXCTRL(15) + 4)) {
    return RegOwner::kQueue;
  }
  // Pools and filters (RAR0 is the PF's: its reset loads it).
  const bool rar_low = In(off, RAL(1), RAH(15) + 4);  // 0x5408..0x547F
  const bool rar_high = In(off, RAL(16), RAH(kNumRar - 1) + 4);
  if (rar_low || rar_high || In(off, MPSAR_LO(0), MPSAR_LO(kNumRar)) ||
      In(off, MTA(0), MTA(128)) || In(off, VFTA(0), VFTA(128)) ||
      In(off, VLVF(0), VLVF(64)) || In(off, VLVFB(0), VLVFB(128)) ||
      In(off, VMVIR(0), VMVIR(64)) || In(off, VMOLR(0), VMOLR(64)) ||
      In(off, PFVFSPOOF(0), PFVFSPOOF(8)) || In(off, VFRE(0), VFRE(2)) ||
      In(off, VFTE(0), VFTE(2)) || off == PFDTXGSWC || off == RTTDQSEL ||
      off == RTTBCNRC) {
    return RegOwner::kPool;
  }
  return RegOwner::kPf;
}

bool QueueEnableShadow::Locate(uint32_t off, bool* tx, uint32_t* queue) {
  if (In(off, 0x06000, 0x08000) && off % 0x40 == 0x28) {
    *tx = true;
    *queue = (off - 0x06000) / 0x40;
    return true;
  }
  if ((In(off, 0x01000, 0x02000) || In(off, 0x0D000, 0x0E000)) &&
      off % 0x40 == 0x28) {
    *tx = false;
    *queue = off < 0x0D000 ? (off - 0x01000) / 0x40
                           : 64 + (off - 0x0D000) / 0x40;
    return true;
  }
  return false;
}

bool QueueEnableShadow::Read(uint32_t off, uint32_t* value) const {
  bool tx;
  uint32_t q;
  if (!Locate(off, &tx, &q)) return false;
  *value = tx ? txdctl_[q] : rxdctl_[q];
  return true;
}

bool QueueEnableShadow::Write(uint32_t off, uint32_t value) {
  bool tx;
  uint32_t q;
  if (!Locate(off, &tx, &q)) return false;
  // SWFLSH (same bit in both) completes at once.
  (tx ? txdctl_[q] : rxdctl_[q]) = value & ~RXDCTL_SWFLSH;
  return true;
}

void QueueEnableShadow::Reset() {
  rxdctl_.fill(0);
  txdctl_.fill(0);
}

Pf::Pf(const Host& host, FnId fn, const uint8_t (&mac)[6])
    : host_(host), fn_(fn), eeprom_(mac), eeprom_port_(&eeprom_) {
  Reset();
}

void Pf::Reset() {
  regs_.fill(0);
  for (const RegSpec& s : kSpecs) {
    for (uint32_t n = 0; n < s.count; ++n) Slot(s.offset + n * s.stride) = s.reset;
  }
  Slot(EEC) = Eeprom::EecResetValue();
  // EEPROM auto-load: the permanent MAC into RAR0, address valid.
  uint8_t mac[6];
  eeprom_.Mac(mac);
  Slot(RAL(0)) = uint32_t{mac[0]} | uint32_t{mac[1]} << 8 |
                 uint32_t{mac[2]} << 16 | uint32_t{mac[3]} << 24;
  Slot(RAH(0)) = uint32_t{mac[4]} | uint32_t{mac[5]} << 8 | RAH_AV;
  eeprom_port_.Reset();
  itr_.Reset();
  queue_shadow_.Reset();
  eicr_hi_ = eims_hi_ = other_fired_ = 0;
  vec_pending_ = vec_mask_ = vec_fired_ = 0;
}

uint32_t Pf::Links() const {
  if (!uplink_up_) return 0;
  return LINKS_KX_AN_COMP | LINKS_UP | LINKS_SPEED_10G_82599 |
         LINKS_10G_ALIGN | LINKS_10G_LANE_SYNC;
}

uint32_t Pf::EicrValue() const {
  uint32_t v = eicr_hi_ | static_cast<uint32_t>(vec_pending_ & 0xFFFF);
  if (v & EICR_OTHER_CAUSES) v |= EICR_OTHER;
  return v;
}

void Pf::ClearEicr(uint32_t bits) {
  eicr_hi_ &= ~(bits & 0xFFFF0000);
  other_fired_ &= eicr_hi_;
  const uint64_t low = bits & 0xFFFF;
  vec_pending_ &= ~low;
  vec_fired_ &= ~low;
}

void Pf::SetMask(uint64_t vec_bits, uint32_t hi_bits) {
  // Enabling a cause that is still pending signals it again (the driver's
  // re-enable after NAPI, ixgbe_irq_enable_queues).
  vec_fired_ &= ~vec_bits;
  vec_mask_ |= vec_bits;
  other_fired_ &= ~hi_bits;
  eims_hi_ |= hi_bits & 0xFFFF0000;
}

bool Pf::rx_enabled() const { return Stored(RXCTRL) & RXCTRL_RXEN; }
bool Pf::tx_enabled() const { return Stored(DMATXCTL) & DMATXCTL_TE; }
bool Pf::msix_mode() const { return Stored(GPIE) & GPIE_MSIX_MODE; }

RssRegs Pf::rss() const {
  RssRegs r;
  r.mrqc = Stored(MRQC);
  for (uint32_t i = 0; i < r.rssrk.size(); ++i) r.rssrk[i] = Stored(RSSRK(i));
  for (uint32_t i = 0; i < r.reta.size(); ++i) r.reta[i] = Stored(RETA(i));
  return r;
}

bool Pf::rss_hash_in_desc() const { return Stored(RXCSUM) & kRxcsumPcsd; }

uint32_t Pf::psrtype(unsigned pool) const {
  constexpr unsigned kPsrtypeRegs = 64;  // PSRTYPE(0..15), (16..63)
  return pool < kPsrtypeRegs ? Stored(PSRTYPE(pool)) : 0;
}

void Pf::LogOnce(uint32_t offset, const char* msg) {
  (void)offset;
  if (logged_unimplemented_) return;
  logged_unimplemented_ = true;
  host_.GuestError(fn_, msg);
}

uint32_t Pf::ReadTable(uint32_t offset) {
  const RegSpec* s = FindSpec(offset);
  if (s == nullptr) return 0;  // unimplemented: 0, never ~0
  uint32_t& slot = Slot(offset);
  const uint32_t v = slot;
  switch (s->access) {
    case Access::kStat:
      // The low half of a 64-bit counter (GORCL, GOTCL, TORL) is cleared
      // with its high half.
      if (offset != GORCL && offset != GOTCL && offset != TORL) slot = 0;
      break;
    case Access::kStatH:
      slot = 0;
      Slot(offset - 4) = 0;
      break;
    default:
      break;
  }
  return v;
}

void Pf::WriteTable(uint32_t offset, uint32_t value) {
  const RegSpec* s = FindSpec(offset);
  if (s == nullptr) {
    LogOnce(offset, "ixgbe pf: write to an unimplemented register ignored");
    return;
  }
  uint32_t& slot = Slot(offset);
  switch (s->access) {
    case Access::kRw:
      slot = (slot & ~s->writable) | (value & s->writable);
      break;
    case Access::kW1c:
      slot &= ~value;
      break;
    case Access::kRo:
    case Access::kStat:
    case Access::kStatH:
      break;
  }
}

uint32_t Pf::Read(uint32_t offset) {
  if (offset % 4 != 0 || offset >= kBar0Size) {
    host_.GuestError(fn_, "ixgbe pf: misaligned or out-of-range BAR0 read");
    return 0;
  }
  switch (OwnerOf(offset)) {
    case RegOwner::kMailbox:
      return 0;  // routed to mailbox.h by the device
    case RegOwner::kQueue: {
      uint32_t v = 0;
      (void)queue_shadow_.Read(offset, &v);
      return v;
    }
    case RegOwner::kPool:
    case RegOwner::kPf:
      break;
  }
  switch (offset) {
    case CTRL:
      return Stored(CTRL);
    case STATUS:
      // GIO primary enable status drops while CTRL.GIO_DIS is set
      // (ixgbe_disable_pcie_primary). LAN ID 0.
      return (Stored(CTRL) & CTRL_GIO_DIS) ? 0 : kStatusGio;
    case EEC: {
      // Grant follows request (no firmware competes for the EEPROM).
      const uint32_t eec = Stored(EEC);
      return (eec & EEC_REQ) ? (eec | EEC_GNT) : (eec & ~EEC_GNT);
    }
    case EERD:
      return eeprom_port_.ReadEerd();
    case EEWR:
      return eeprom_port_.ReadEewr();
    case SWSM: {
      // SMBI is set by the read that finds it clear (the read acquires).
      const uint32_t v = Stored(SWSM);
      Slot(SWSM) |= SWSM_SMBI;
      return v;
    }
    case GSSR:
      return Stored(GSSR);  // firmware bits (5..9) never set
    case FWSM:
      return kFwsm;
    case EICR: {
      const uint32_t v = EicrValue();
      // Read-to-clear; with GPIE.OCD the other causes (16..30) stay and are
      // cleared by writing EICR (ixgbe_msix_other).
      uint32_t clear = v;
      if (Stored(GPIE) & GPIE_OCD) clear &= ~EICR_OTHER_CAUSES;
      ClearEicr(clear);
      // Legacy/MSI: EIAM auto-masks on the read (ixgbe_setup_gpie).
      if (!msix_mode()) {
        const uint32_t eiam = Stored(EIAM);
        vec_mask_ &= ~uint64_t{eiam & 0xFFFF};
        eims_hi_ &= ~(eiam & 0xFFFF0000);
      }
      return v;
    }
    case EICS:
      return EicrValue();  // read without clearing (ixgbe_msix_other)
    case EIMS:
      return eims_hi_ | static_cast<uint32_t>(vec_mask_ & 0xFFFF);
    case EICS_EX(0):
    case EICS_EX(1):
      return static_cast<uint32_t>(vec_pending_ >> (offset == EICS_EX(0) ? 0 : 32));
    case EIMS_EX(0):
    case EIMS_EX(1):
      return static_cast<uint32_t>(vec_mask_ >> (offset == EIMS_EX(0) ? 0 : 32));
    case MSCA:
      return Stored(MSCA);
    case MSRWD:
      // No PHY answers: the read data lines float high (ixgbe_probe_phy
      // then finds no MMD and the 82599 backplane port has phy_none).
      return (0xFFFFu << MSRWD_READ_DATA_SHIFT) | (Stored(MSRWD) & 0xFFFF);
    case LINKS:
      return Links();
    case ANLP1:
      return kAnlp1;
    case RDRXCTL:
      return Stored(RDRXCTL) | RDRXCTL_DMAIDONE;
    case FDIRCTRL:
      return Stored(FDIRCTRL) | FDIRCTRL_INIT_DONE;
    default:
      return ReadTable(offset);
  }
}

PfWriteResult Pf::Write(uint32_t offset, uint32_t value) {
  PfWriteResult r;
  if (offset % 4 != 0 || offset >= kBar0Size) {
    host_.GuestError(fn_, "ixgbe pf: misaligned or out-of-range BAR0 write");
    return r;
  }
  switch (OwnerOf(offset)) {
    case RegOwner::kMailbox:
      return r;  // routed to mailbox.h by the device
    case RegOwner::kQueue:
      (void)queue_shadow_.Write(offset, value);
      return r;
    case RegOwner::kPool:
    case RegOwner::kPf:
      break;
  }
  const bool rx_was = rx_enabled();
  const bool tx_was = tx_enabled();
  switch (offset) {
    case CTRL:
      if (value & CTRL_RST_MASK) {
        // The reset completes before the driver's first poll
        // (ixgbe_reset_hw_82599 sleeps 1 ms, then polls 10 x 1 us).
        Reset();
        r.reset = true;
      } else {
        Slot(CTRL) = value;
      }
      break;
    case STATUS:
      break;
    case EEC: {
      Slot(EEC) = (Stored(EEC) & ~kEecWritable) | (value & kEecWritable);
      break;
    }
    case EERD:
      if (!eeprom_port_.WriteEerd(value)) {
        host_.GuestError(fn_, "ixgbe pf: EERD read past the EEPROM");
      }
      break;
    case EEWR:
      if (!eeprom_port_.WriteEewr(value)) {
        host_.GuestError(fn_, "ixgbe pf: EEWR write past the EEPROM");
      }
      break;
    case SWSM:
      Slot(SWSM) = value & (SWSM_SMBI | SWSM_SWESMBI);
      break;
    case GSSR:
      Slot(GSSR) = value & GSSR_SW_MASK;
      break;
    case FWSM:
      break;
    case EICR:
      ClearEicr(value);  // write 1 to clear
      break;
    case EICS:
      eicr_hi_ |= value & 0xFFFF0000;
      vec_pending_ |= value & 0xFFFF;
      break;
    case EIMS:
      SetMask(value & 0xFFFF, value & 0xFFFF0000);
      break;
    case EIMC:
      vec_mask_ &= ~uint64_t{value & 0xFFFF};
      eims_hi_ &= ~(value & 0xFFFF0000);
      break;
    case EICS_EX(0):
    case EICS_EX(1):
      vec_pending_ |= uint64_t{value} << (offset == EICS_EX(0) ? 0 : 32);
      break;
    case EIMS_EX(0):
    case EIMS_EX(1):
      SetMask(uint64_t{value} << (offset == EIMS_EX(0) ? 0 : 32), 0);
      break;
    case EIMC_EX(0):
    case EIMC_EX(1):
      vec_mask_ &= ~(uint64_t{value} << (offset == EIMC_EX(0) ? 0 : 32));
      break;
    case MSCA:
      // The MDI command completes at once; reads return MSRWD's 0xFFFF.
      Slot(MSCA) = value & ~MSCA_MDI_COMMAND;
      break;
    case MSRWD:
      Slot(MSRWD) = value & MSRWD_WRITE_DATA_MASK;
      break;
    case LINKS:
    case ANLP1:
      break;
    default:
      WriteTable(offset, value);
      break;
  }
  // EITR(0..23) at 0x820, EITR(24..63) at 0x12300: without CNT_WDIS the
  // write clears the vector's ITR counter (itr.h).
  if ((value & EITR_CNT_WDIS) == 0) {
    if (In(offset, EITR(0), EITR(23) + 4)) {
      itr_.ClearCounter((offset - EITR(0)) / 4);
    } else if (In(offset, EITR(24), EITR(63) + 4)) {
      itr_.ClearCounter(24 + (offset - EITR(24)) / 4);
    }
  }
  r.datapath_changed = rx_was != rx_enabled() || tx_was != tx_enabled();
  r.irq = TakeIrq();
  return r;
}

PfIrq Pf::ReleaseHeld(uint64_t now) {
  if (itr_.TakeDue(now) == 0) return PfIrq{};
  return TakeIrq();
}

PfIrq Pf::TakeIrq() {
  PfIrq irq;
  if (!msix_mode()) {
    const uint32_t eims =
        eims_hi_ | static_cast<uint32_t>(vec_mask_ & 0xFFFF);
    // OTHER (bit 31) is enabled by EIMS_OTHER like any cause.
    irq.intx_level = (EicrValue() & eims) != 0;
    return irq;
  }
  // Queue vectors: each pending, enabled, not yet signalled vector fires
  // once. Vectors 16..63 always auto-clear; 0..15 when their EIAC bit is
  // set. EIAM_EX auto-masks when GPIE.EIAME (ixgbe_setup_gpie).
  // A vector within its ITR interval waits (itr.h): its causes stay
  // pending, and EIAC/EIAM act when the message goes.
  const auto eitr = [this](unsigned v) { return Eitr(v); };
  uint64_t now = 0;
  bool have_now = false;
  const auto clock = [&] {
    if (!have_now) {
      now = host_.NowNs();
      have_now = true;
    }
    return now;
  };
  const uint64_t ready = vec_pending_ & vec_mask_ & ~vec_fired_;
  const uint64_t fire = ready == 0 ? 0 : itr_.Admit(clock(), ready, eitr);
  if (fire != 0) {
    const uint64_t autoclear = ~uint64_t{0xFFFF} | (Stored(EIAC) & 0xFFFF);
    const uint64_t automask =
        (Stored(GPIE) & GPIE_EIAME)
            ? (uint64_t{Stored(EIAM_EX(1))} << 32) | Stored(EIAM_EX(0))
            : 0;
    irq.msix_vectors |= fire;
    vec_fired_ |= fire & ~autoclear;
    vec_pending_ &= ~(fire & autoclear);
    vec_mask_ &= ~(fire & automask);
  }
  // Other causes: IVAR_MISC byte 1 (byte 0 for the TCP timer,
  // IXGBE_IVAR_TCP_TIMER_INDEX), ixgbe_set_ivar(adapter, -1, 1, v_idx).
  const uint32_t active = eicr_hi_ & eims_hi_ & EICR_OTHER_CAUSES;
  const uint32_t fresh = active & ~other_fired_;
  if (fresh != 0) {
    const uint32_t misc = Stored(IVAR_MISC);
    const uint64_t other = uint64_t{1} << ((misc >> 8) & IVAR_VECTOR_MASK);
    const uint64_t timer = uint64_t{1} << (misc & IVAR_VECTOR_MASK);
    const bool want_other =
        (fresh & ~EICR_TCP_TIMER) && ((misc >> 8) & IVAR_ALLOC_VAL);
    const bool want_timer = (fresh & EICR_TCP_TIMER) && (misc & IVAR_ALLOC_VAL);
    const uint64_t go =
        itr_.Admit(clock(), (want_other ? other : 0) | (want_timer ? timer : 0),
                   eitr);
    irq.msix_vectors |= go;
    // A cause whose vector waits is not signalled yet.
    uint32_t signalled = fresh;
    if (want_other && (go & other) == 0) signalled &= EICR_TCP_TIMER;
    if (want_timer && (go & timer) == 0) signalled &= ~EICR_TCP_TIMER;
    other_fired_ |= signalled;
  }
  return irq;
}

PfIrq Pf::SetUplinkLink(bool up) {
  if (up == uplink_up_) return TakeIrq();
  uplink_up_ = up;
  return RaiseCause(EICR_LSC);
}

PfIrq Pf::RaiseCause(uint32_t eicr_bits) {
  eicr_hi_ |= eicr_bits & EICR_OTHER_CAUSES;
  return TakeIrq();
}

PfIrq Pf::RaiseQueue(bool tx, uint32_t queue) {
  if (queue >= kNumQueues) {
    host_.GuestError(fn_, "ixgbe pf: interrupt for a queue out of range");
    return TakeIrq();
  }
  // ixgbe_set_ivar (82599): IVAR(queue / 2), byte 16 * (queue & 1) +
  // 8 * direction.
  const uint32_t shift = 16 * (queue & 1) + (tx ? 8 : 0);
  const uint32_t entry = (Stored(IVAR(queue >> 1)) >> shift) & 0xFF;
  if (entry & IVAR_ALLOC_VAL) {
    const uint32_t vector = entry & IVAR_VECTOR_MASK;
    // Legacy mode has 16 RTxQ bits in EICR.
    vec_pending_ |= uint64_t{1} << (msix_mode() ? vector : vector & 0xF);
  }
  return TakeIrq();
}

void Pf::Count(uint32_t offset, uint32_t n) { Slot(offset) += n; }

void Pf::Count64(uint32_t low, uint64_t n) {
  const uint64_t v =
      ((uint64_t{Stored(low + 4)} << 32) | Stored(low)) + n;
  Slot(low) = static_cast<uint32_t>(v);
  Slot(low + 4) = static_cast<uint32_t>(v >> 32);
}

namespace {
// The 64..1522 size bins (PRC64.. / PTC64..), by frame length with FCS.
uint32_t SizeBin(uint32_t first, uint32_t len) {
  if (len <= 64) return first;
  if (len <= 127) return first + 4;
  if (len <= 255) return first + 8;
  if (len <= 511) return first + 12;
  if (len <= 1023) return first + 16;
  return first + 20;  // 1024..max
}
}  // namespace

void Pf::AddRx(uint32_t len, bool broadcast, bool multicast) {
  const uint32_t wire = len + 4;
  Count(GPRC, 1);
  Count(TPR, 1);
  Count64(GORCL, wire);
  Count64(TORL, wire);
  if (broadcast) Count(BPRC, 1);
  if (multicast) Count(MPRC, 1);
  Count(SizeBin(PRC64, wire), 1);
}

void Pf::AddTx(uint32_t len, bool broadcast, bool multicast) {
  const uint32_t wire = len + 4;
  Count(GPTC, 1);
  Count(TPT, 1);
  Count64(GOTCL, wire);
  if (broadcast) Count(BPTC, 1);
  if (multicast) Count(MPTC, 1);
  Count(SizeBin(PTC64, wire), 1);
}

// ---- migration ----

namespace {

// Whether the word at @offset can hold @v in a running Pf: what Reset,
// Write and the statistics hooks can leave there.
bool WordHolds(uint32_t offset, uint32_t v) {
  if (const RegSpec* s = FindSpec(offset)) {
    switch (s->access) {
      case Access::kRw:
        return ((v ^ s->reset) & ~s->writable) == 0 ||
               offset == RAL(0) || offset == RAH(0);  // the EEPROM's MAC
      case Access::kRo:
        return v == s->reset;
      case Access::kW1c:
      case Access::kStat:
      case Access::kStatH:
        return true;
    }
  }
  switch (offset) {
    case CTRL:
      return true;
    case EEC:
      return ((v ^ Eeprom::EecResetValue()) & ~kEecWritable) == 0;
    case SWSM:
      return (v & ~(SWSM_SMBI | SWSM_SWESMBI)) == 0;
    case GSSR:
      return (v & ~GSSR_SW_MASK) == 0;
    case MSCA:
      return (v & MSCA_MDI_COMMAND) == 0;
    case MSRWD:
      return (v & ~MSRWD_WRITE_DATA_MASK) == 0;
    default:
      return v == 0;  // never stored: mailbox, queue and unimplemented
  }
}

}  // namespace

void Pf::Encode(migration::Encoder& e) const {
  e.U32(kWords);
  for (uint32_t v : regs_) e.U32(v);
  eeprom_.Encode(e);
  eeprom_port_.Encode(e);
  e.Bool(uplink_up_);
  e.U32(eicr_hi_);
  e.U32(eims_hi_);
  e.U64(vec_pending_);
  e.U64(vec_mask_);
  e.U64(vec_fired_);
  e.U32(other_fired_);
}

void Pf::Decode(migration::Decoder& d) {
  migration::Scope scope(d, "ixgbe PF");
  const uint32_t n = d.U32("register words");
  if (d.ok() && n != kWords) {
    d.Fail("register words",
           "are " + std::to_string(n) + ", not " + std::to_string(kWords));
  }
  if (!d.ok()) return;
  auto regs = std::make_unique<std::array<uint32_t, kWords>>();
  for (uint32_t i = 0; i < kWords && d.ok(); ++i) {
    const uint32_t v = d.U32("register");
    (*regs)[i] = v;
    if (d.ok() && !WordHolds(i * 4, v)) {
      char why[64];
      std::snprintf(why, sizeof(why),
                    "at 0x%05x is 0x%08x, a value it cannot hold", i * 4, v);
      d.Fail("register", why);
    }
  }
  Eeprom eeprom = eeprom_;
  eeprom.Decode(d);
  EepromPort port(&eeprom_);
  port.Decode(d);
  const bool uplink_up = d.Bool("uplink_up");
  const uint32_t eicr_hi = d.U32("eicr");
  const uint32_t eims_hi = d.U32("eims");
  const uint64_t vec_pending = d.U64("vec_pending");
  const uint64_t vec_mask = d.U64("vec_mask");
  const uint64_t vec_fired = d.U64("vec_fired");
  const uint32_t other_fired = d.U32("other_fired");
  if (!d.ok()) return;
  if ((eicr_hi & 0xFFFF) != 0) {
    d.Fail("eicr", "has queue bits (they live in vec_pending)");
  } else if ((eims_hi & 0xFFFF) != 0) {
    d.Fail("eims", "has queue bits (they live in vec_mask)");
  } else if ((other_fired & ~eicr_hi) != 0) {
    d.Fail("other_fired", "names causes that are not pending");
  }
  if (!d.ok()) return;
  regs_ = *regs;
  eeprom_ = eeprom;
  eeprom_port_ = port;
  uplink_up_ = uplink_up;
  eicr_hi_ = eicr_hi;
  eims_hi_ = eims_hi;
  vec_pending_ = vec_pending;
  vec_mask_ = vec_mask;
  vec_fired_ = vec_fired;
  other_fired_ = other_fired;
}

}  // namespace snic::ixgbe
