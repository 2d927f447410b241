// sriov-nic core: the 82599's VMDq pool registers (PF BAR0) and what they
// mean for the data path.
//
// PoolRegs stores the registers the stock ixgbe PF driver programs for
// SR-IOV (ixgbe_sriov.c, ixgbe_main.c: ixgbe_configure_virtualization,
// ixgbe_common.c: ixgbe_set_rar_generic, ixgbe_set_vmdq_generic,
// ixgbe_set_vfta_generic, ixgbe_set_{mac,vlan}_anti_spoofing), as data in
// one register table (kPoolRegTable, pools.cc). Pure functions decode them:
//  - RxPools: the pools a received frame reaches (82599 datasheet 7.10.3,
//    "Rx packet switching": MAC, then VLAN, then default pool);
//  - CheckTx + TxVlanInsertion: VMVIR insertion and the PFVFSPOOF MAC and
//    VLAN anti-spoof checks (7.10.3.9), counted in SSVPC when VMECM says so;
//  - PolicyForPool: one pool translated into the switch's vocabulary
//    (policy::PortPolicy and port::RxFilter settings), so the existing
//    switch (vswitch/switch.h, tx_checks.h) can enforce a VF pool
//    unchanged; what does not translate is reported beside it (see
//    PoolPolicy);
//  - rate.h: RTTDQSEL/RTTBCNRC as Mb/s.
// VF n is pool n; the PF is the default pool, PFVTCTL.DEF_PL = num_vfs
// (VMDQ_P(0) in the driver).
//
// Guest input: reserved bits are masked as the datasheet's field widths say
// (silently: the driver's read-modify-writes carry them); RTTDQSEL > 127 is
// masked to its 7-bit field and logged; decoders ignore indices past a
// table. No access here reads or writes outside the storage.
//
// SPDX-License-Identifier: GPL-2.0-or-later
#ifndef SNIC_CORE_IXGBE_POOLS_H
#define SNIC_CORE_IXGBE_POOLS_H

#include <array>
#include <bitset>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "../base/host.h"
#include "../eth/frame.h"
#include "../policy/port_policy.h"
#include "../port/rx_filter.h"
#include "regs.h"

namespace snic::migration {
class Encoder;
class Decoder;
}  // namespace snic::migration

namespace snic::ixgbe {

// Register offsets and bits: regs.h (reg::RAL(i), reg::VMOLR_AUPE, ...).
inline constexpr unsigned kRarEntries = 128;  // IXGBE_82599_RAR_ENTRIES
inline constexpr unsigned kVlvfEntries = 64;  // IXGBE_VLVF_ENTRIES
inline constexpr unsigned kPools = 64;
inline constexpr unsigned kTxQueues = 128;

// The register arrays of PoolRegs, one name per ixgbe_type.h macro.
enum class Reg : uint8_t {
  kRal,
  kRah,
  kMpsarLo,
  kMpsarHi,
  kMta,
  kUta,
  kVfta,
  kVlvf,
  kVlvfb,
  kVmolr,
  kVmvir,
  kPfvfspoof,
  kVfre,
  kVfte,
  kVmecm,
  kFctrl,
  kVlnctrl,
  kMcstctrl,
  kVtCtl,
  kMrqc,
  kPfdtxgswc,
  kGcrExt,
  kRttdqsel,
  kRttbcnrc,
  kRttbcnrm,
  kSsvpc,
  kCount
};

enum class Access : uint8_t {
  kRw,         // plain: reads what was written (writable bits only)
  kReadClear,  // SSVPC: a read returns the count and clears it
  kQueueSel,   // RTTBCNRC: one of 128 copies, chosen by RTTDQSEL
};

// One row of the register table: @count registers at @base + i * @stride,
// element @first.. of array @reg (RAL/RAH take two rows each: entries
// 0-15 and 16-127 live in different places).
struct RegSpec {
  const char* name;
  uint32_t base;
  uint16_t count;
  uint8_t stride;
  Reg reg;
  uint16_t first;
  uint32_t reset;
  uint32_t writable;
  Access access;
};

class PoolRegs {
 public:
  // @host (may be null) receives the guest-error logs of Write.
  explicit PoolRegs(const Host* host = nullptr);

  static bool Owns(uint32_t offset);
  // Guest read (SSVPC clears on read).
  uint32_t Read(uint32_t offset);
  // Guest write: writable bits only (RTTDQSEL > 127 is logged).
  void Write(uint32_t offset, uint32_t value);
  // Power-on / RST values. RAR0 holds no address until LoadPermanentMac.
  void Reset();
  // The EEPROM auto-load after reset: RAR0 = @mac, valid
  // (ixgbe_get_mac_addr_generic reads it back as the permanent address).
  void LoadPermanentMac(const eth::MacAddress& mac);

  // Element @i of @r (0 when @i is past the array).
  uint32_t Get(Reg r, unsigned i = 0) const;
  // The RTTBCNRC copy of TX queue @q (0 past 127).
  uint32_t RateControl(unsigned q) const { return Get(Reg::kRttbcnrc, q); }

  // A TX anti-spoof drop from @pool: SSVPC counts it when VMECM enables
  // counting for the pool (ixgbe_vf_reset_msg sets the bit). Saturates.
  void CountSpoofed(unsigned pool);

  void Encode(migration::Encoder& e) const;
  // Replaces the state; a stream with bits outside a register's writable
  // mask, or too short, fails the decoder and changes nothing.
  void Decode(migration::Decoder& d);

  // Changes with every Write, Reset, LoadPermanentMac and Decode: what was
  // derived from the registers at an equal generation is current.
  uint64_t generation() const { return generation_; }

  static constexpr size_t kSlots = 1368;

 private:
  uint32_t& At(Reg r, unsigned i);
  std::array<uint32_t, kSlots> v_{};
  const Host* host_;
  uint64_t generation_ = 0;
};

// The register table (sorted by base; each row is tested).
const RegSpec* RegTable(size_t* rows);

// ---- Mode registers ----

// PFVTCTL.VT_ENA: virtualization on (pools exist).
bool VtEnabled(const PoolRegs& r);
// The default pool (PFVTCTL.DEF_PL), none when DIS_DEFPL or VT is off.
std::optional<unsigned> DefaultPool(const PoolRegs& r);
// GCR_EXT.VT_Mode: 16 pools x 8 queues, 32 x 4 or 64 x 2 (as
// ixgbe_configure_virtualization writes it beside MRQC); 0 when VT is off.
unsigned QueuesPerPool(const PoolRegs& r);
unsigned NumPools(const PoolRegs& r);
// MRQC's pool layout (MRQE), for a cross-check against GCR_EXT: the queues
// per pool MRQE implies, 0 for a non-VMDq mode.
unsigned MrqcQueuesPerPool(const PoolRegs& r);
// PFDTXGSWC.VT_LBEN: pool-to-pool TX is switched locally (VEB). Off, every
// pool's TX leaves through the wire (VEPA) only.
bool LoopbackEnabled(const PoolRegs& r);
// VFRE / VFTE: the pool's RX / TX are enabled (ixgbe_set_vf_rx_tx: link
// state disable clears both; ixgbe_set_vf_lpe clears VFRE alone for a
// jumbo mismatch). False past 63.
bool RxEnabled(const PoolRegs& r, unsigned pool);
bool TxEnabled(const PoolRegs& r, unsigned pool);

// The 12-bit MTA/UTA vector of @mac under MCSTCTRL.MO (ixgbe_mta_vector).
uint16_t MtaVector(const PoolRegs& r, const uint8_t* mac);

// ---- RX ----

// Bit p: pool p receives @frame from the wire or another pool. VT off:
// bit 0 when the legacy L2 filter (RAR, MTA, FCTRL UPE/MPE/BAM, VFTA)
// passes it. VT on, in order:
//  - by address: unicast -> MPSAR of each valid RAR that matches, and
//    VMOLR.ROPE pools on a UTA hit; multicast -> matching RARs, VMOLR.MPE
//    pools, VMOLR.ROMPE pools on an MTA hit (MCSTCTRL.MFE); broadcast ->
//    VMOLR.BAM pools;
//  - by VLAN (a tag is TPID VLNCTRL.VET): untagged -> VMOLR.AUPE pools
//    only; tagged with VLNCTRL.VFE -> the VID must be in VFTA, and the
//    pools are those of the VLVF entry of the VID (VIEN); VFE clear ->
//    no VLAN restriction;
//  - without REPLEN a multicast or broadcast goes to the default pool
//    only;
//  - the default pool takes unicast no RAR/UTA matched when FCTRL.UPE
//    (the L2 filter passes it), and tagged frames whose VID is in VFTA but
//    in no VLVF entry ("stray packets leaking into the PF via the default
//    pool", ixgbe_set_vfta_generic);
//  - pools with VFRE clear receive nothing.
uint64_t RxPools(const PoolRegs& r, const uint8_t* frame, size_t len);

// ---- TX ----

enum class TxVerdict : uint8_t {
  kAllow,
  kSpoofed,     // MAC or VLAN anti-spoof: drop, CountSpoofed
  kTxDisabled,  // VFTE clear (or a pool past 63): drop
};

struct TxDecision {
  TxVerdict verdict = TxVerdict::kAllow;
  bool mac_spoof = false;   // the source MAC is in no RAR of the pool
  bool vlan_spoof = false;  // the VID is in no VLVF entry of the pool
  // Tag control to insert as the outer 802.1Q tag, if any (VMVIR).
  std::optional<uint16_t> insert_tci;
};

// VMVIR.VLANA: 00 -> the descriptor's tag (@desc_tci, the VLE command),
// 01 (DEFAULT) -> always VMVIR's tag (bits 15:0, PCP | VID as
// ixgbe_set_vmvir writes it), 10 (NEVER) -> none; 11 is reserved and
// treated as 00.
// RX has no per-pool strip on the 82599: RXDCTL.VME (per queue; ixgbevf's
// ixgbevf_configure_rx_ring always sets it) moves the tag into the
// descriptor, so a port-VLAN pool sees its frames untagged, as the
// switch's access ports do (switch.h). RXDCTL is the queue registers'.
std::optional<uint16_t> TxVlanInsertion(const PoolRegs& r, unsigned pool,
                                        std::optional<uint16_t> desc_tci);

// A frame @pool sends (@frame as DMA'd, @desc_tci the descriptor's VLE
// tag). VT off: always allowed. Otherwise VFTE, then, per PFVFSPOOF(pool /
// 8): MAC anti-spoof (bit pool % 8): the source MAC must be a valid RAR
// with the pool's MPSAR bit; VLAN anti-spoof (bit 8 + pool % 8): the VID
// of the outer tag after insertion (an inline tag when nothing is
// inserted) must be in a VLVF entry with the pool's VLVFB bit; untagged
// frames pass.
TxDecision CheckTx(const PoolRegs& r, unsigned pool, const uint8_t* frame,
                   size_t len, std::optional<uint16_t> desc_tci);

// ---- The pool in the switch's vocabulary ----

// port::RxFilter settings for one pool. Apply with ApplyRxFilter.
struct PoolRxFilter {
  eth::MacAddress mac{};  // the lowest-index unicast RAR of the pool
  // The pool's other unicast RAR addresses (macvlans,
  // ixgbe_set_vf_macvlan), and its multicast RAR addresses (at most
  // RxFilter::kMaxMacEntries each; the rest are dropped here).
  std::vector<eth::MacAddress> unicast;
  std::vector<eth::MacAddress> multicast;
  bool promisc = false;         // PF pool: FCTRL.UPE
  bool allmulti = false;        // VMOLR.MPE
  bool nomulti = false;         // neither, no MTA hashing, no multicast RAR
  bool nobcast = false;         // !VMOLR.BAM
  bool vlan_filtering = false;  // VLNCTRL.VFE
  std::bitset<4096> vlans;      // VIDs of VLVF entries with the pool's bit
  // No RxFilter equivalent (the switch cannot enforce these):
  bool accept_untagged = true;  // VMOLR.AUPE
  // VMOLR.ROMPE with MCSTCTRL.MFE: multicast whose MTA bit is set (the
  // MTA is the chip's, shared by every pool: ixgbe_set_vf_multicasts ORs
  // each VF's hashes into it); mta_type is MCSTCTRL.MO.
  bool multicast_hash = false;
  uint8_t mta_type = 0;
  std::bitset<4096> mta;

  bool operator==(const PoolRxFilter&) const = default;
};

struct PoolPolicy {
  // mac: PoolRxFilter::mac. vlan/qos: VMVIR with VLANA DEFAULT (qos only
  // with a VID; a priority-only VMVIR, DCB's default_up, is not
  // expressible). spoofchk: PFVFSPOOF's MAC bit. trust: see below.
  // link_state: kDisable when VFRE and VFTE are both clear, else kAuto
  // (ixgbe's "enable" writes nothing). max_tx_rate: rate.h's
  // PoolRateMbps, 0 = none.
  //
  // trust is not a register: the guest's PF driver enforces it in its
  // mailbox handler (ixgbe_set_vf_mac_addr, ixgbe_update_vf_xcast_mode).
  // It is mapped to !vlan_spoofchk, which makes tx_checks.h's VLAN rule
  // the hardware's: untrusted -> only VIDs of the pool's VLVF entries.
  // The cost: with spoof checking on, the switch ignores the unicast
  // table (macvlans do not receive, and MAC anti-spoof admits only
  // `mac`). A faithful switch needs one extension: a per-port flag "the
  // tables are hardware filters", honoured for ListsUnicast and for the
  // spoof check (any RAR of the pool); `unicast` carries what it needs.
  policy::PortPolicy policy;
  PoolRxFilter rx;
  bool is_default_pool = false;  // the PF's pool (PfPolicy applies)
  bool rx_enabled = false;       // VFRE
  bool tx_enabled = false;       // VFTE
  bool mac_spoofchk = false;     // PFVFSPOOF bit pool % 8
  bool vlan_spoofchk = false;    // PFVFSPOOF bit 8 + pool % 8
};

// The pool @pool (< 64) as the registers program it, at a link of
// @link_mbps (the rate factors are relative to it).
PoolPolicy PolicyForPool(const PoolRegs& r, unsigned pool,
                         uint32_t link_mbps = 10000);

// Writes @s into @f: MAC, flags and tables (programmable, so an untrusted
// port receives only listed multicast groups; alluni/nouni cleared).
void ApplyRxFilter(const PoolRxFilter& s, port::RxFilter* f);

}  // namespace snic::ixgbe

#endif  // SNIC_CORE_IXGBE_POOLS_H
