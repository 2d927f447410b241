// A model of the stock ixgbe PF driver's SR-IOV register programming
// (Linux 6.12 drivers/net/ethernet/intel/ixgbe), replayed register by
// register against PoolRegs: each method is the driver function it names,
// with the same reads, writes and order (82599 paths only; no DCB, no
// FCoE, no IPsec, default MTU).
// SPDX-License-Identifier: GPL-2.0-or-later
#ifndef SNIC_TESTS_UNIT_IXGBE_SRIOV_DRIVER_MODEL_H
#define SNIC_TESTS_UNIT_IXGBE_SRIOV_DRIVER_MODEL_H

#include <array>
#include <bitset>
#include <cstdint>
#include <vector>

#include "ixgbe/pools.h"

namespace snic::testing {

using namespace snic::ixgbe;  // NOLINT: the driver's register names

class IxgbeSriovModel {
 public:
  static constexpr uint32_t kLinkMbps = 10000;
  enum Xcast { kNone = 0, kMulti = 1, kAllMulti = 2, kPromisc = 3 };
  enum LinkState { kAuto = 0, kEnable = 1, kDisable = 2 };

  struct VfInfo {
    eth::MacAddress mac{};
    bool pf_set_mac = false;
    uint16_t pf_vlan = 0;
    uint16_t pf_qos = 0;
    bool spoofchk = true;
    bool trusted = false;
    bool link_enable = true;
    int link_state = kAuto;
    uint16_t tx_rate = 0;
    int xcast = kMulti;
    std::vector<uint16_t> mc_hashes;
  };

  IxgbeSriovModel(PoolRegs& r, unsigned num_vfs, eth::MacAddress pf_mac)
      : r_(r), num_vfs(num_vfs), pf_mac(pf_mac) {}

  PoolRegs& r_;
  unsigned num_vfs;
  eth::MacAddress pf_mac;
  std::array<VfInfo, 64> vf{};
  std::vector<eth::MacAddress> pf_mc;  // the PF netdev's multicast list
  std::bitset<4096> active_vlans;
  unsigned vf_rate_link_speed = 0;

  unsigned pf_pool() const { return num_vfs; }  // VMDQ_P(0)
  unsigned qpp() const { return num_vfs < 32 ? 4 : 2; }
  uint32_t Rd(uint32_t off) { return r_.Read(off); }
  void Wr(uint32_t off, uint32_t v) { r_.Write(off, v); }

  // ---- bring-up: ixgbe_probe -> ixgbe_open -> ixgbe_configure ----
  void Up() {
    InitRxAddrsGeneric();
    ClearVftaGeneric();
    MacSetDefaultFilter();
    ConfigureVirtualization();
    // ixgbe_setup_mrqc (SR-IOV, no TCs).
    Wr(reg::MRQC,
       (qpp() == 4 ? reg::MRQC_VMDQRSS32EN : reg::MRQC_VMDQRSS64EN) |
           0x00330000);
    VlanRxAddVid(0);  // the 8021q core adds VID 0 on open
    SetRxMode();
    // ixgbe_up_complete -> ixgbe_set_all_vfs
    for (unsigned i = 0; i < num_vfs; ++i) SetVfLinkState(i, vf[i].link_state);
  }

  // ixgbe_init_rx_addrs_generic
  void InitRxAddrsGeneric() {
    SetRarGeneric(0, pf_mac, 0, true);
    ClearVmdqGeneric(0, kClearAll);
    for (unsigned i = 1; i < kRarEntries; ++i) {
      Wr(reg::RAL(i), 0);
      Wr(reg::RAH(i), 0);
    }
    for (unsigned i = 0; i < 128; ++i) Wr(reg::MTA(i), 0);
    Wr(reg::MCSTCTRL, 0);  // mc_filter_type 0
    for (unsigned i = 0; i < 128; ++i) Wr(reg::UTA(i), 0);
  }

  // ixgbe_clear_vfta_generic
  void ClearVftaGeneric() {
    for (unsigned i = 0; i < 128; ++i) Wr(reg::VFTA(i), 0);
    for (unsigned i = 0; i < kVlvfEntries; ++i) {
      Wr(reg::VLVF(i), 0);
      Wr(reg::VLVFB(i * 2), 0);
      Wr(reg::VLVFB(i * 2 + 1), 0);
    }
  }

  // ixgbe_configure_virtualization
  void ConfigureVirtualization() {
    uint32_t vmdctl = Rd(reg::VT_CTL);
    vmdctl |= reg::VT_CTL_VT_ENABLE;
    vmdctl &= ~reg::VT_CTL_POOL_MASK;
    vmdctl |= pf_pool() << reg::VT_CTL_POOL_SHIFT;
    vmdctl |= reg::VT_CTL_REPLEN;
    Wr(reg::VT_CTL, vmdctl);
    Wr(reg::VMOLR(pf_pool()), reg::VMOLR_AUPE);  // num_rx_pools = 1
    const unsigned shift = pf_pool() % 32;
    const unsigned off = pf_pool() >= 32 ? 1 : 0;
    const uint32_t genmask = static_cast<uint32_t>(~0u << shift);
    Wr(reg::VFRE(off), genmask);
    Wr(reg::VFRE(off ^ 1), off - 1);
    Wr(reg::VFTE(off), genmask);
    Wr(reg::VFTE(off ^ 1), off - 1);
    Wr(reg::PFDTXGSWC, reg::PFDTXGSWC_VT_LBEN);
    SetVmdqGeneric(0, pf_pool());
    Wr(reg::GCR_EXT,
       qpp() == 4 ? reg::GCR_EXT_VT_MODE_32 : reg::GCR_EXT_VT_MODE_64);
    for (unsigned i = 0; i < num_vfs; ++i) NdoSetVfSpoofchk(i, vf[i].spoofchk);
  }

  // ixgbe_set_rx_mode (not promiscuous), with ixgbe_write_mc_addr_list ->
  // ixgbe_update_mc_addr_list_generic + ixgbe_restore_vf_multicasts, and
  // ixgbe_vlan_promisc_disable's VFE.
  void SetRxMode() {
    uint32_t fctrl = Rd(reg::FCTRL);
    fctrl |= reg::FCTRL_BAM | 0x2000 | 0x1000;  // BAM, DPF, PMCF
    fctrl &= ~(reg::FCTRL_UPE | reg::FCTRL_MPE);
    uint32_t vmolr = reg::VMOLR_BAM | reg::VMOLR_AUPE;
    // update_mc_addr_list_generic
    std::array<uint32_t, 128> shadow{};
    for (const eth::MacAddress& m : pf_mc) {
      const uint16_t v = MtaVector(r_, m.data());
      shadow[(v >> 5) & 0x7F] |= 1u << (v & 0x1F);
    }
    for (unsigned i = 0; i < 128; ++i) Wr(reg::MTA(i), shadow[i]);
    if (!pf_mc.empty()) Wr(reg::MCSTCTRL, reg::MCSTCTRL_MFE);
    RestoreVfMulticasts();
    if (!pf_mc.empty()) vmolr |= reg::VMOLR_ROMPE;
    vmolr |= Rd(reg::VMOLR(pf_pool())) &
             ~(reg::VMOLR_MPE | reg::VMOLR_ROMPE | reg::VMOLR_ROPE);
    Wr(reg::VMOLR(pf_pool()), vmolr);
    Wr(reg::FCTRL, fctrl);
    Wr(reg::VLNCTRL, Rd(reg::VLNCTRL) | reg::VLNCTRL_VFE);
  }

  // ixgbe_restore_vf_multicasts
  void RestoreVfMulticasts() {
    for (unsigned i = 0; i < num_vfs; ++i) {
      uint32_t vmolr = Rd(reg::VMOLR(i));
      for (uint16_t h : vf[i].mc_hashes) {
        const uint32_t reg = (h >> 5) & 0x7F;
        Wr(reg::MTA(reg), Rd(reg::MTA(reg)) | 1u << (h & 0x1F));
      }
      if (!vf[i].mc_hashes.empty()) {
        vmolr |= reg::VMOLR_ROMPE;
      } else {
        vmolr &= ~reg::VMOLR_ROMPE;
      }
      Wr(reg::VMOLR(i), vmolr);
    }
  }

  // ixgbe_vlan_rx_add_vid
  void VlanRxAddVid(uint16_t vid) {
    SetVftaGeneric(vid, pf_pool(), true, vid != 0);
    active_vlans.set(vid);
  }

  // ---- ixgbe_common.c ----
  static constexpr uint32_t kClearAll = 0xFFFFFFFF;

  int SetRarGeneric(unsigned index, const eth::MacAddress& a, unsigned pool,
                    bool enable) {
    if (index >= kRarEntries) return -1;
    SetVmdqGeneric(index, pool);
    const uint32_t lo =
        a[0] | a[1] << 8 | a[2] << 16 | static_cast<uint32_t>(a[3]) << 24;
    uint32_t hi = Rd(reg::RAH(index));
    hi &= ~(0x0000FFFFu | reg::RAH_AV);
    hi |= a[4] | a[5] << 8;
    if (enable) hi |= reg::RAH_AV;
    Wr(reg::RAL(index), lo);
    Wr(reg::RAH(index), hi);
    return 0;
  }
  int ClearRarGeneric(unsigned index) {
    if (index >= kRarEntries) return -1;
    uint32_t hi = Rd(reg::RAH(index));
    hi &= ~(0x0000FFFFu | reg::RAH_AV);
    Wr(reg::RAH(index), hi);
    Wr(reg::RAL(index), 0);
    ClearVmdqGeneric(index, kClearAll);
    return 0;
  }
  void SetVmdqGeneric(unsigned rar, unsigned pool) {
    if (pool < 32) {
      Wr(reg::MPSAR_LO(rar), Rd(reg::MPSAR_LO(rar)) | 1u << pool);
    } else {
      Wr(reg::MPSAR_HI(rar), Rd(reg::MPSAR_HI(rar)) | 1u << (pool - 32));
    }
  }
  void ClearVmdqGeneric(unsigned rar, uint32_t pool) {
    uint32_t lo = Rd(reg::MPSAR_LO(rar));
    uint32_t hi = Rd(reg::MPSAR_HI(rar));
    if (!lo && !hi) return;
    if (pool == kClearAll) {
      if (lo) Wr(reg::MPSAR_LO(rar), lo = 0);
      if (hi) Wr(reg::MPSAR_HI(rar), hi = 0);
    } else if (pool < 32) {
      Wr(reg::MPSAR_LO(rar), lo &= ~(1u << pool));
    } else {
      Wr(reg::MPSAR_HI(rar), hi &= ~(1u << (pool - 32)));
    }
    if (!lo && !hi && rar != 0) ClearRarGeneric(rar);
  }

  // ixgbe_find_vlvf_slot
  int FindVlvfSlot(uint32_t vlan, bool bypass) {
    if (vlan == 0) return 0;
    int first_empty = bypass ? -1 : 0;
    vlan |= reg::VLVF_VIEN;
    for (int i = kVlvfEntries; --i;) {
      const uint32_t bits = Rd(reg::VLVF(i));
      if (bits == vlan) return i;
      if (!first_empty && !bits) first_empty = i;
    }
    return first_empty ? first_empty : -1;
  }

  // ixgbe_set_vfta_generic
  int SetVftaGeneric(uint32_t vlan, uint32_t vind, bool on, bool bypass) {
    if (vlan > 4095 || vind > 63) return -1;
    const uint32_t regidx = vlan / 32;
    uint32_t delta = 1u << (vlan % 32);
    uint32_t vfta = Rd(reg::VFTA(regidx));
    delta &= on ? ~vfta : vfta;
    vfta ^= delta;
    if (Rd(reg::VT_CTL) & reg::VT_CTL_VT_ENABLE) {
      const int idx = FindVlvfSlot(vlan, bypass);
      if (idx < 0) {
        if (!bypass) return idx;
      } else {
        uint32_t bits = Rd(reg::VLVFB(idx * 2 + vind / 32));
        bits |= 1u << (vind % 32);
        if (!on) {
          bits ^= 1u << (vind % 32);
          if (!bits && !Rd(reg::VLVFB(idx * 2 + 1 - vind / 32))) {
            if (delta) Wr(reg::VFTA(regidx), vfta);
            Wr(reg::VLVF(idx), 0);
            Wr(reg::VLVFB(idx * 2 + vind / 32), 0);
            return 0;
          }
          delta = 0;
        }
        Wr(reg::VLVFB(idx * 2 + vind / 32), bits);
        Wr(reg::VLVF(idx), reg::VLVF_VIEN | vlan);
      }
    }
    if (delta) Wr(reg::VFTA(regidx), vfta);
    return 0;
  }

  // ixgbe_set_mac_anti_spoofing / ixgbe_set_vlan_anti_spoofing
  void SetAntiSpoofing(bool enable, unsigned pool, unsigned shift) {
    uint32_t v = Rd(reg::PFVFSPOOF(pool >> 3));
    const uint32_t bit = 1u << (pool % 8 + shift);
    v = enable ? v | bit : v & ~bit;
    Wr(reg::PFVFSPOOF(pool >> 3), v);
  }

  // ---- ixgbe_main.c: the MAC table ----
  struct MacEntry {
    eth::MacAddress addr{};
    unsigned pool = 0;
    bool in_use = false;
  };
  std::array<MacEntry, kRarEntries> mac_table{};

  void MacSetDefaultFilter() {
    mac_table[0] = {pf_mac, pf_pool(), true};
    SetRarGeneric(0, pf_mac, pf_pool(), true);
  }
  int AddMacFilter(const eth::MacAddress& a, unsigned pool) {
    if (eth::IsZero(a)) return -1;
    for (unsigned i = 0; i < kRarEntries; ++i) {
      if (mac_table[i].in_use) continue;
      mac_table[i] = {a, pool, true};
      SetRarGeneric(i, a, pool, true);  // ixgbe_sync_mac_table
      return static_cast<int>(i);
    }
    return -1;
  }
  int DelMacFilter(const eth::MacAddress& a, unsigned pool) {
    if (eth::IsZero(a)) return -1;
    for (unsigned i = 0; i < kRarEntries; ++i) {
      MacEntry& e = mac_table[i];
      if (!e.in_use || e.pool != pool || e.addr != a) continue;
      e.in_use = false;
      ClearRarGeneric(i);
      return 0;
    }
    return -1;
  }

  // ---- ixgbe_sriov.c ----

  // ixgbe_set_vf_vlan
  int SetVfVlan(bool add, uint16_t vid, unsigned v) {
    if (add && active_vlans.test(vid)) {
      if (SetVftaGeneric(vid, pf_pool(), true, false)) return -1;
    }
    const int err = SetVftaGeneric(vid, v, add, false);
    if (add && !err) return err;
    if (active_vlans.test(vid)) UpdatePfPromiscVlvf(vid);
    return err;
  }
  // ixgbe_update_pf_promisc_vlvf (ixgbe_find_vlvf_entry)
  void UpdatePfPromiscVlvf(uint16_t vid) {
    int idx = 0;
    if (vid != 0) {
      for (idx = kVlvfEntries; --idx;) {
        if ((Rd(reg::VLVF(idx)) & 0xFFF) == vid) break;
      }
    }
    if (!idx) return;
    const uint32_t word = idx * 2 + pf_pool() / 32;
    const uint32_t bits = ~(1u << (pf_pool() % 32)) & Rd(reg::VLVFB(word));
    if (!bits && !Rd(reg::VLVFB(word ^ 1))) {
      Wr(reg::VLVFB(word), 0);
      Wr(reg::VLVF(idx), 0);
    }
  }
  // ixgbe_set_vmolr
  void SetVmolr(unsigned v, bool aupe) {
    uint32_t vmolr = Rd(reg::VMOLR(v)) | reg::VMOLR_BAM;
    vmolr = aupe ? vmolr | reg::VMOLR_AUPE : vmolr & ~reg::VMOLR_AUPE;
    Wr(reg::VMOLR(v), vmolr);
  }
  // ixgbe_set_vmvir / ixgbe_clear_vmvir
  void SetVmvir(uint16_t vid, uint16_t qos, unsigned v) {
    Wr(reg::VMVIR(v), vid | qos << 13 | reg::VMVIR_VLANA_DEFAULT);
  }
  void ClearVmvir(unsigned v) { Wr(reg::VMVIR(v), 0); }

  // ixgbe_clear_vf_vlans
  void ClearVfVlans(unsigned v) {
    const uint32_t pool_mask = ~(1u << (pf_pool() % 32));
    const uint32_t vlvfb_mask = 1u << (v % 32);
    for (unsigned i = kVlvfEntries; i--;) {
      const uint32_t word = i * 2 + v / 32;
      uint32_t vlvfb = Rd(reg::VLVFB(word));
      if (!(vlvfb & vlvfb_mask)) continue;
      vlvfb ^= vlvfb_mask;
      uint32_t bits[2];
      bits[word % 2] = vlvfb;
      bits[~word % 2] = Rd(reg::VLVFB(word ^ 1));
      if (bits[(pf_pool() / 32) ^ 1] || (bits[pf_pool() / 32] & pool_mask)) {
        Wr(reg::VLVFB(word), vlvfb);
        continue;
      }
      if (!(bits[0] || bits[1])) {
        const uint32_t vlvf = Rd(reg::VLVF(i));
        if (!vlvf) {
          Wr(reg::VLVFB(word), vlvfb);
          continue;
        }
        const uint32_t vid = vlvf & 0xFFF;
        const uint32_t mask = 1u << (vid % 32);
        const uint32_t vfta = Rd(reg::VFTA(vid / 32));
        if (vfta & mask) Wr(reg::VFTA(vid / 32), vfta ^ mask);
      }
      Wr(reg::VLVF(i), 0);
      vlvfb = 0;
      Wr(reg::VLVFB(word), vlvfb);
    }
  }

  // ixgbe_set_vf_macvlan
  std::vector<std::pair<unsigned, eth::MacAddress>> macvlans;  // vf_mvs
  int SetVfMacvlan(unsigned v, int index, const eth::MacAddress& a) {
    if (index <= 1) {
      for (size_t i = macvlans.size(); i-- > 0;) {
        if (macvlans[i].first == v) {
          DelMacFilter(macvlans[i].second, v);
          macvlans.erase(macvlans.begin() + static_cast<long>(i));
        }
      }
    }
    if (!index) return 0;
    const int ret = AddMacFilter(a, v);
    if (ret < 0) return ret;
    macvlans.emplace_back(v, a);
    return 0;
  }

  // ixgbe_vf_reset_event
  void VfResetEvent(unsigned v) {
    VfInfo& f = vf[v];
    ClearVfVlans(v);
    SetVfVlan(true, f.pf_vlan, v);
    SetVmolr(v, !f.pf_vlan);
    if (!f.pf_vlan && !f.pf_qos) {
      ClearVmvir(v);
    } else {
      SetVmvir(f.pf_vlan, f.pf_qos, v);
      if (f.spoofchk) {
        SetAntiSpoofing(true, v, reg::SPOOF_VLANAS_SHIFT);
        SetAntiSpoofing(true, v, 0);
      }
    }
    f.mc_hashes.clear();
    SetRxMode();
    DelMacFilter(f.mac, v);
    SetVfMacvlan(v, 0, {});
  }
  // ixgbe_set_vf_mac
  int SetVfMac(unsigned v, const eth::MacAddress& a) {
    DelMacFilter(vf[v].mac, v);
    const int ret = AddMacFilter(a, v);
    vf[v].mac = ret >= 0 ? a : eth::MacAddress{};
    return ret;
  }
  // ixgbe_set_vf_rx_tx (no jumbo)
  void SetVfRxTx(unsigned v) {
    const unsigned shift = v % 32, off = v / 32;
    const uint32_t cur_tx = Rd(reg::VFTE(off));
    const uint32_t cur_rx = Rd(reg::VFRE(off));
    uint32_t tx = cur_tx & ~(1u << shift), rx = cur_rx & ~(1u << shift);
    if (vf[v].link_enable) {
      tx = cur_tx | 1u << shift;
      rx = cur_rx | 1u << shift;
    }
    if (cur_tx != tx) Wr(reg::VFTE(off), tx);
    if (cur_rx != rx) Wr(reg::VFRE(off), rx);
  }
  // ixgbe_vf_reset_msg (QDE and TDWBA writes are other registers)
  void VfResetMsg(unsigned v) {
    VfResetEvent(v);
    if (!eth::IsZero(vf[v].mac)) SetVfMac(v, vf[v].mac);
    SetVfRxTx(v);
    Wr(reg::VMECM(v / 32), Rd(reg::VMECM(v / 32)) | 1u << (v % 32));
  }
  // ixgbe_set_vf_mac_addr (mailbox IXGBE_VF_SET_MAC_ADDR)
  int SetVfMacAddrMsg(unsigned v, const eth::MacAddress& a) {
    if (vf[v].pf_set_mac && !vf[v].trusted && vf[v].mac != a) return -1;
    return SetVfMac(v, a) < 0;
  }
  // ixgbe_set_vf_macvlan_msg (IXGBE_VF_SET_MACVLAN)
  int SetVfMacvlanMsg(unsigned v, int index, const eth::MacAddress& a) {
    if (vf[v].pf_set_mac && !vf[v].trusted && index > 0) return -1;
    return SetVfMacvlan(v, index, a);
  }
  // ixgbe_set_vf_multicasts (IXGBE_VF_SET_MULTICAST: 12-bit vectors)
  void SetVfMulticasts(unsigned v, const std::vector<uint16_t>& hashes) {
    uint32_t vmolr = Rd(reg::VMOLR(v));
    vf[v].mc_hashes.assign(hashes.begin(),
                           hashes.begin() + static_cast<long>(std::min<size_t>(
                                                hashes.size(), 30)));
    for (uint16_t h : vf[v].mc_hashes) {
      const uint32_t reg = (h >> 5) & 0x7F;
      Wr(reg::MTA(reg), Rd(reg::MTA(reg)) | 1u << (h & 0x1F));
    }
    Wr(reg::VMOLR(v), vmolr | reg::VMOLR_ROMPE);
  }
  // ixgbe_set_vf_vlan_msg (IXGBE_VF_SET_VLAN)
  int SetVfVlanMsg(unsigned v, bool add, uint16_t vid) {
    if (vf[v].pf_vlan) return -1;
    if (!vid && !add) return 0;
    return SetVfVlan(add, vid & 0xFFF, v);
  }
  // ixgbe_update_vf_xcast_mode (API 1.3)
  int UpdateVfXcastMode(unsigned v, int mode) {
    if (mode > kMulti && !vf[v].trusted) mode = kMulti;
    if (vf[v].xcast == mode) return 0;
    uint32_t disable = 0, enable = 0;
    const uint32_t upe_vpe = 0x00C00000;
    switch (mode) {
      case kNone:
        disable = reg::VMOLR_ROMPE | reg::VMOLR_MPE | upe_vpe;
        enable = reg::VMOLR_BAM;
        break;
      case kMulti:
        disable = reg::VMOLR_MPE | upe_vpe;
        enable = reg::VMOLR_BAM | reg::VMOLR_ROMPE;
        break;
      case kAllMulti:
        disable = upe_vpe;
        enable = reg::VMOLR_BAM | reg::VMOLR_ROMPE | reg::VMOLR_MPE;
        break;
      default:
        return -1;  // PROMISC: not on 82599
    }
    Wr(reg::VMOLR(v), (Rd(reg::VMOLR(v)) & ~disable) | enable);
    vf[v].xcast = mode;
    return 0;
  }

  // ---- ndo ops: `ip link set <pf> vf N ...` ----

  int NdoSetVfMac(unsigned v, const eth::MacAddress& a) {
    if (v >= num_vfs) return -1;
    if (eth::IsZero(a)) {
      if (eth::IsZero(vf[v].mac)) return 0;
      const int ret = DelMacFilter(vf[v].mac, v);
      if (ret >= 0) {
        vf[v].pf_set_mac = false;
        vf[v].mac = a;
      }
      return ret;
    }
    const int ret = SetVfMac(v, a);
    if (ret >= 0) vf[v].pf_set_mac = true;
    return ret;
  }
  int EnablePortVlan(unsigned v, uint16_t vlan, uint8_t qos) {
    const int err = SetVfVlan(true, vlan, v);
    if (err) return err;
    SetVfVlan(false, 0, v);
    SetVmvir(vlan, qos, v);
    SetVmolr(v, false);
    vf[v].pf_vlan = vlan;
    vf[v].pf_qos = qos;
    return 0;
  }
  int DisablePortVlan(unsigned v) {
    const int err = SetVfVlan(false, vf[v].pf_vlan, v);
    SetVfVlan(true, 0, v);
    ClearVmvir(v);
    SetVmolr(v, true);
    vf[v].pf_vlan = 0;
    vf[v].pf_qos = 0;
    return err;
  }
  int NdoSetVfVlan(unsigned v, uint16_t vlan, uint8_t qos) {
    if (v >= num_vfs || vlan > 4095 || qos > 7) return -1;
    if (vlan || qos) {
      if (vf[v].pf_vlan && DisablePortVlan(v)) return -1;
      return EnablePortVlan(v, vlan, qos);
    }
    return DisablePortVlan(v);
  }
  // ixgbe_set_vf_rate_limit
  void SetVfRateLimit(unsigned v) {
    uint32_t bcnrc = 0;
    if (vf[v].tx_rate) {
      bcnrc = vf_rate_link_speed;
      bcnrc <<= reg::RTTBCNRC_RF_INT_SHIFT;
      bcnrc /= vf[v].tx_rate;
      bcnrc &= reg::RTTBCNRC_RF_INT_MASK | reg::RTTBCNRC_RF_DEC_MASK;
      bcnrc |= reg::RTTBCNRC_RS_ENA;
    }
    Wr(reg::RTTBCNRM, 0x4);
    for (unsigned q = 0; q < qpp(); ++q) {
      Wr(reg::RTTDQSEL, v * qpp() + q);
      Wr(reg::RTTBCNRC, bcnrc);
    }
  }
  int NdoSetVfBw(unsigned v, int min_rate, int max_rate) {
    if (v >= num_vfs || min_rate) return -1;
    if (max_rate && (max_rate <= 10 || max_rate > static_cast<int>(kLinkMbps)))
      return -1;
    vf_rate_link_speed = kLinkMbps;
    vf[v].tx_rate = static_cast<uint16_t>(max_rate);
    SetVfRateLimit(v);
    return 0;
  }
  int NdoSetVfSpoofchk(unsigned v, bool on) {
    if (v >= num_vfs) return -1;
    vf[v].spoofchk = on;
    SetAntiSpoofing(on, v, 0);
    SetAntiSpoofing(on, v, reg::SPOOF_VLANAS_SHIFT);
    return 0;  // 82599: no set_ethertype_anti_spoofing
  }
  // No register: the PF pings the VF, which resets (and then sends
  // VF_RESET: VfResetMsg).
  int NdoSetVfTrust(unsigned v, bool on) {
    if (v >= num_vfs) return -1;
    vf[v].trusted = on;
    return 0;
  }
  void SetVfLinkState(unsigned v, int state) {
    vf[v].link_state = state;
    vf[v].link_enable = state != kDisable;
    SetVfRxTx(v);
  }
  int NdoSetVfLinkState(unsigned v, int state) {
    if (v >= num_vfs) return -1;
    if (state == kDisable || state == kAuto) SetVfLinkState(v, state);
    return 0;  // kEnable: "not supported", nothing written
  }

  // ixgbe_spoof_check (watchdog)
  uint32_t SpoofCheck() { return Rd(reg::SSVPC); }
};

}  // namespace snic::testing

#endif  // SNIC_TESTS_UNIT_IXGBE_SRIOV_DRIVER_MODEL_H
