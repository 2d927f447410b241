// A model of stock ixgbe's PF register sequences (Linux 6.12
// drivers/net/ethernet/intel/ixgbe, same in 6.1 for these paths), replayed
// against snic::ixgbe::Pf: probe (EEPROM params, reset_hw_82599, checksum,
// MAC, PBA, start_hw), link checks and the MSI-X setup of ndo_open. Each
// method follows the named driver function, polls and timeouts included,
// and returns the driver's error code (0, -EIO, -EBUSY, -EINVAL).
// SPDX-License-Identifier: GPL-2.0-or-later
#ifndef SNIC_TESTS_UNIT_IXGBE_PF_DRIVER_MODEL_H
#define SNIC_TESTS_UNIT_IXGBE_PF_DRIVER_MODEL_H

#include <cerrno>
#include <cstdint>
#include <string>
#include <vector>

#include "ixgbe/pf.h"
#include "ixgbe/regs.h"

namespace snic::ixgbe::testing {

class PfDriverModel {
 public:
  explicit PfDriverModel(Pf* pf) : pf_(pf) {}

  std::vector<std::string> warnings;  // what dmesg would show
  std::vector<PfIrq> irqs;            // interrupts returned by writes
  uint32_t eeprom_words = 0;
  uint8_t perm_addr[6] = {};
  bool phy_found = false;
  int reset_polls = 0;  // CTRL reads until RST cleared

  uint32_t Rd(uint32_t off) {
    const uint32_t v = pf_->Read(off);
    // ixgbe_read_reg: ~0 means the device was removed.
    if (v == ~0u) removed_ = true;
    return v;
  }
  void Wr(uint32_t off, uint32_t v) {
    const PfWriteResult r = pf_->Write(off, v);
    if (r.irq.msix_vectors != 0 || r.irq.intx_level) irqs.push_back(r.irq);
  }
  bool removed() const { return removed_; }

  // ixgbe_init_eeprom_params_generic.
  bool InitEepromParams() {
    const uint32_t eec = Rd(reg::EEC);
    if (!(eec & reg::EEC_PRES)) return false;  // would bit-bang SPI
    eeprom_words = 1u << (((eec & reg::EEC_SIZE) >> reg::EEC_SIZE_SHIFT) +
                          reg::EEPROM_WORD_SIZE_SHIFT);
    return true;
  }

  // ixgbe_read_eerd_buffer_generic + ixgbe_poll_eerd_eewr_done.
  int ReadEeprom(uint16_t offset, uint16_t* data) {
    if (offset >= eeprom_words) return -EINVAL;
    Wr(reg::EERD, (uint32_t{offset} << reg::EEPROM_RW_ADDR_SHIFT) |
                      reg::EEPROM_RW_REG_START);
    for (int i = 0; i < 100000; ++i) {
      if (Rd(reg::EERD) & reg::EEPROM_RW_REG_DONE) {
        *data = static_cast<uint16_t>(Rd(reg::EERD) >>
                                      reg::EEPROM_RW_REG_DATA);
        return 0;
      }
    }
    return -EIO;
  }

  // ixgbe_calc_eeprom_checksum_generic.
  int CalcChecksum() {
    uint16_t sum = 0, word = 0;
    for (uint16_t i = 0; i < 0x3F; ++i) {
      if (ReadEeprom(i, &word)) break;
      sum += word;
    }
    for (uint16_t i = 0x03; i < 0x0F; ++i) {
      uint16_t ptr = 0, len = 0;
      if (ReadEeprom(i, &ptr)) return -EIO;
      if (ptr == 0xFFFF || ptr == 0) continue;
      if (ReadEeprom(ptr, &len)) return -EIO;
      if (len == 0xFFFF || len == 0) continue;
      for (uint32_t j = ptr + 1u; j <= uint32_t{ptr} + len; ++j) {
        if (ReadEeprom(static_cast<uint16_t>(j), &word)) return -EIO;
        sum += word;
      }
    }
    return static_cast<uint16_t>(0xBABA - sum);
  }
  // ixgbe_validate_eeprom_checksum_generic.
  int ValidateChecksum() {
    uint16_t w = 0;
    if (int s = ReadEeprom(0, &w)) return s;
    const int sum = CalcChecksum();
    if (sum < 0) return sum;
    uint16_t stored = 0;
    if (int s = ReadEeprom(0x3F, &stored)) return s;
    return stored == static_cast<uint16_t>(sum) ? 0 : -EIO;
  }

  // ixgbe_read_pba_string_generic (string format only; the guard is ours).
  int ReadPbaString(std::string* out) {
    uint16_t guard = 0, ptr = 0, len = 0, w = 0;
    if (ReadEeprom(0x15, &guard) || ReadEeprom(0x16, &ptr)) return -EIO;
    if (guard != 0xFAFA) return -EINVAL;  // legacy format: not ours
    if (ReadEeprom(ptr, &len)) return -EIO;
    if (len == 0xFFFF || len == 0) return -EIO;
    if (11 < uint32_t{len} * 2 - 1) return -ENOSPC;  // part_str[11]
    out->clear();
    for (uint16_t i = 0; i + 1u < len; ++i) {
      if (ReadEeprom(static_cast<uint16_t>(ptr + 1 + i), &w)) return -EIO;
      out->push_back(static_cast<char>(w >> 8));
      out->push_back(static_cast<char>(w & 0xFF));
    }
    return 0;
  }

  // ixgbe_get_eeprom_semaphore (2000 tries each).
  int GetEepromSemaphore() {
    int i = 0;
    for (; i < 2000; ++i) {
      if (!(Rd(reg::SWSM) & reg::SWSM_SMBI)) break;
    }
    if (i == 2000) {
      ReleaseEepromSemaphore();
      if (Rd(reg::SWSM) & reg::SWSM_SMBI) return -EIO;
    }
    for (i = 0; i < 2000; ++i) {
      Wr(reg::SWSM, Rd(reg::SWSM) | reg::SWSM_SWESMBI);
      if (Rd(reg::SWSM) & reg::SWSM_SWESMBI) return 0;
    }
    ReleaseEepromSemaphore();
    return -EIO;
  }
  void ReleaseEepromSemaphore() {
    Wr(reg::SWSM,
       Rd(reg::SWSM) & ~(reg::SWSM_SWESMBI | reg::SWSM_SMBI));
  }
  // ixgbe_acquire_swfw_sync / ixgbe_release_swfw_sync (82599).
  int AcquireSwfwSync(uint32_t mask) {
    const uint32_t fwmask = mask << 5;
    for (int i = 0; i < 200; ++i) {
      if (GetEepromSemaphore()) return -EBUSY;
      uint32_t gssr = Rd(reg::GSSR);
      if (!(gssr & (fwmask | mask))) {
        Wr(reg::GSSR, gssr | mask);
        ReleaseEepromSemaphore();
        return 0;
      }
      ReleaseEepromSemaphore();
    }
    return -EBUSY;
  }
  void ReleaseSwfwSync(uint32_t mask) {
    (void)GetEepromSemaphore();
    Wr(reg::GSSR, Rd(reg::GSSR) & ~mask);
    ReleaseEepromSemaphore();
  }

  // ixgbe_read_phy_reg_mdi (IXGBE_MDIO_COMMAND_TIMEOUT 100 polls).
  int ReadPhyRegMdi(uint32_t regad, uint32_t devad, uint32_t prtad,
                    uint16_t* data) {
    for (uint32_t op : {reg::MSCA_ADDR_CYCLE, reg::MSCA_READ}) {
      Wr(reg::MSCA, regad | devad << reg::MSCA_DEV_TYPE_SHIFT |
                        prtad << reg::MSCA_PHY_ADDR_SHIFT | op |
                        reg::MSCA_MDI_COMMAND);
      int i = 0;
      while (i < 100 && (Rd(reg::MSCA) & reg::MSCA_MDI_COMMAND)) ++i;
      if (i == 100) return -EIO;
    }
    *data = static_cast<uint16_t>(Rd(reg::MSRWD) >>
                                  reg::MSRWD_READ_DATA_SHIFT);
    return 0;
  }
  // ixgbe_read_phy_reg_generic: the PHY0 semaphore around each access.
  int ReadPhyReg(uint32_t regad, uint32_t devad, uint32_t prtad,
                 uint16_t* data) {
    if (AcquireSwfwSync(reg::GSSR_PHY0_SM)) return -EBUSY;
    const int s = ReadPhyRegMdi(regad, devad, prtad, data);
    ReleaseSwfwSync(reg::GSSR_PHY0_SM);
    return s;
  }
  // ixgbe_identify_phy_generic -> ixgbe_probe_phy -> mdio45_probe
  // (MDIO_STAT2 = 8, DEVPRST 0xC000 must read 0x8000, MMDs 1..5).
  int IdentifyPhy() {
    for (uint32_t addr = 0; addr < 32; ++addr) {
      for (uint32_t mmd = 1; mmd <= 5; ++mmd) {
        uint16_t stat2 = 0;
        if (ReadPhyReg(8, mmd, addr, &stat2)) return -EIO;
        if ((stat2 & 0xC000) == 0x8000) {
          phy_found = true;
          return 0;
        }
      }
    }
    return -EFAULT;  // no PHY: 82599 backplane -> ixgbe_phy_none
  }

  // ixgbe_disable_pcie_primary (IXGBE_PCI_PRIMARY_DISABLE_TIMEOUT 800).
  int DisablePciePrimary() {
    Wr(reg::CTRL, reg::CTRL_GIO_DIS);
    int i = 0;
    while (i < 800 && !(Rd(reg::CTRL) & reg::CTRL_GIO_DIS)) ++i;
    if (i == 800) {
      warnings.push_back("GIO disable did not set");
      return 0;
    }
    if (!(Rd(reg::STATUS) & reg::STATUS_GIO)) return 0;
    for (i = 0; i < 800; ++i) {
      if (!(Rd(reg::STATUS) & reg::STATUS_GIO)) return 0;
    }
    warnings.push_back("GIO Primary Disable bit didn't clear");
    return 0;
  }
  // ixgbe_stop_adapter_generic (ixgbe_disable_rx_82599 first).
  int StopAdapter() {
    const uint32_t rxctrl = Rd(reg::RXCTRL);
    if (rxctrl & reg::RXCTRL_RXEN) Wr(reg::RXCTRL, rxctrl & ~reg::RXCTRL_RXEN);
    Wr(reg::EIMC, 0xFFFFFFFF);
    (void)Rd(reg::EICR);
    for (uint32_t q = 0; q < 128; ++q) {
      Wr(reg::TXDCTL(q), reg::TXDCTL_SWFLSH);
    }
    for (uint32_t q = 0; q < 128; ++q) {
      const uint32_t v = Rd(reg::RXDCTL(q));
      Wr(reg::RXDCTL(q), (v & ~reg::RXDCTL_ENABLE) | reg::RXDCTL_SWFLSH);
    }
    return DisablePciePrimary();
  }

  // ixgbe_check_mac_link_generic (no wait).
  void CheckMacLink(bool* up, uint32_t* speed_mbps) {
    (void)Rd(reg::LINKS);
    const uint32_t links = Rd(reg::LINKS);
    *up = links & reg::LINKS_UP;
    switch (links & reg::LINKS_SPEED_82599) {
      case reg::LINKS_SPEED_10G_82599: *speed_mbps = 10000; break;
      case reg::LINKS_SPEED_1G_82599: *speed_mbps = 1000; break;
      case reg::LINKS_SPEED_100_82599: *speed_mbps = 100; break;
      default: *speed_mbps = 0; break;
    }
  }

  // ixgbe_get_link_capabilities_82599 (KX4/KX/KR modes only).
  int GetLinkCapabilities(uint32_t* speeds_mbps_mask, bool* autoneg) {
    const uint32_t autoc = Rd(reg::AUTOC);
    switch (autoc & reg::AUTOC_LMS_MASK) {
      case reg::AUTOC_LMS_KX4_KX_KR:
      case reg::AUTOC_LMS_KX4_KX_KR_1G_AN:
        *speeds_mbps_mask = 0;
        if (autoc & (reg::AUTOC_KR_SUPP | reg::AUTOC_KX4_SUPP)) {
          *speeds_mbps_mask |= 10000;
        }
        if (autoc & reg::AUTOC_KX_SUPP) *speeds_mbps_mask |= 1000 << 16;
        *autoneg = true;
        return 0;
      default:
        return -EIO;
    }
  }

  // ixgbe_reset_pipeline_82599.
  int ResetPipeline() {
    const uint32_t autoc2 = Rd(reg::AUTOC2);
    if (autoc2 & reg::AUTOC2_LINK_DISABLE_MASK) {
      Wr(reg::AUTOC2, autoc2 & ~reg::AUTOC2_LINK_DISABLE_MASK);
    }
    const uint32_t autoc = Rd(reg::AUTOC) | reg::AUTOC_AN_RESTART;
    Wr(reg::AUTOC, autoc ^ (0x4u << reg::AUTOC_LMS_SHIFT));
    uint32_t anlp1 = 0;
    for (int i = 0; i < 10; ++i) {
      anlp1 = Rd(reg::ANLP1);
      if (anlp1 & reg::ANLP1_AN_STATE_MASK) break;
    }
    Wr(reg::AUTOC, autoc);
    if (!(anlp1 & reg::ANLP1_AN_STATE_MASK)) {
      warnings.push_back("auto negotiation not completed");
      return -EIO;
    }
    return 0;
  }

  // ixgbe_reset_hw_82599 (orig_link_settings not yet stored: first reset).
  int ResetHw() {
    if (int s = StopAdapter()) return s;
    // ixgbe_clear_tx_pending
    const uint32_t gcr_ext = Rd(reg::GCR_EXT);
    Wr(reg::GCR_EXT, gcr_ext | reg::GCR_EXT_BUFFERS_CLEAR);
    Wr(reg::GCR_EXT, gcr_ext);
    (void)IdentifyPhy();  // -EFAULT: backplane, phy_none
    bool up = false;
    uint32_t speed = 0;
    CheckMacLink(&up, &speed);
    const uint32_t ctrl =
        (up ? reg::CTRL_RST : reg::CTRL_LNK_RST) | Rd(reg::CTRL);
    Wr(reg::CTRL, ctrl);
    int status = 0;
    uint32_t v = 0;
    for (reset_polls = 1; reset_polls <= 10; ++reset_polls) {
      v = Rd(reg::CTRL);
      if (!(v & reg::CTRL_RST_MASK)) break;
    }
    if (v & reg::CTRL_RST_MASK) {
      warnings.push_back("Reset polling failed to complete.");
      status = -EIO;
    }
    orig_autoc_ = Rd(reg::AUTOC);
    const uint32_t autoc2 = Rd(reg::AUTOC2);
    if (autoc2 & reg::AUTOC2_LINK_DISABLE_MASK) {
      Wr(reg::AUTOC2, autoc2 & ~reg::AUTOC2_LINK_DISABLE_MASK);
    }
    // ixgbe_get_mac_addr_generic
    const uint32_t rah = Rd(reg::RAH(0));
    const uint32_t ral = Rd(reg::RAL(0));
    for (int i = 0; i < 4; ++i) perm_addr[i] = static_cast<uint8_t>(ral >> (8 * i));
    for (int i = 0; i < 2; ++i) perm_addr[4 + i] = static_cast<uint8_t>(rah >> (8 * i));
    // ixgbe_init_rx_addrs_generic: RAR0 stays, 1..127 and MTA cleared.
    for (uint32_t i = 1; i < 128; ++i) {
      Wr(reg::RAL(i), 0);
      Wr(reg::RAH(i), 0);
    }
    for (uint32_t i = 0; i < 128; ++i) Wr(reg::MTA(i), 0);
    uint16_t san = 0;
    if (ReadEeprom(0x28, &san) == 0 && san != 0 && san != 0xFFFF) {
      warnings.push_back("unexpected SAN MAC");
    }
    return status;
  }

  // ixgbe_start_hw_82599 -> ixgbe_start_hw_generic / _gen2.
  int StartHw() {
    (void)IdentifyPhy();
    for (uint32_t i = 0; i < 128; ++i) Wr(reg::VFTA(i), 0);  // clear_vfta
    for (uint32_t off : {reg::CRCERRS, reg::GPRC, reg::GPTC, reg::GORCL,
                         reg::GORCH, reg::GOTCL, reg::GOTCH, reg::TORL,
                         reg::TORH, reg::TPR, reg::TPT}) {
      (void)Rd(off);  // ixgbe_clear_hw_cntrs_generic (part)
    }
    Wr(reg::CTRL_EXT, Rd(reg::CTRL_EXT) | reg::CTRL_EXT_NS_DIS);
    for (uint32_t q = 0; q < 128; ++q) {
      Wr(reg::RTTDQSEL, q);
      Wr(reg::RTTBCNRC, 0);
    }
    return 0;
  }

  // The register part of ixgbe_probe, in its order.
  int Probe() {
    if (!InitEepromParams()) return -EIO;
    Wr(reg::WUS, ~0u);
    const int reset = ResetHw();
    if (reset == -EIO) return reset;
    const uint32_t fwsm = Rd(reg::FWSM);
    if ((fwsm & reg::FWSM_EXT_ERR_IND_MASK) || !(fwsm & reg::FWSM_FW_VAL_BIT)) {
      warnings.push_back("Warning firmware error detected FWSM");
    }
    if (ValidateChecksum() < 0) {
      warnings.push_back("The EEPROM Checksum Is Not Valid");
      return -EIO;
    }
    const bool zero = !(perm_addr[0] | perm_addr[1] | perm_addr[2] |
                        perm_addr[3] | perm_addr[4] | perm_addr[5]);
    if (zero || (perm_addr[0] & 1)) {
      warnings.push_back("invalid MAC address");
      return -EIO;
    }
    std::string pba;
    if (ReadPbaString(&pba) != 0) pba = "Unknown";
    pba_ = pba;
    if (int s = StartHw()) return s;
    if ((Rd(reg::SECTXSTAT) & reg::SECTXSTAT_SECTX_OFF_DIS) == 0) {
      warnings.push_back("IPsec offload would be set up");
    }
    return 0;
  }
  const std::string& pba() const { return pba_; }

  // ndo_open's register writes for MSI-X with @vectors queue vectors
  // (ixgbe_configure_msix, ixgbe_setup_gpie, ring enables, enable_rx_dma,
  // setup_link, ixgbe_irq_enable). Vector @vectors is "other".
  int Open(uint32_t vectors) {
    Wr(reg::GPIE, reg::GPIE_MSIX_MODE | reg::GPIE_PBA_SUPPORT |
                      reg::GPIE_OCD | reg::GPIE_EIAME);
    Wr(reg::EIAM_EX(0), 0xFFFFFFFF);
    Wr(reg::EIAM_EX(1), 0xFFFFFFFF);
    for (uint32_t v = 0; v < vectors; ++v) {
      SetIvar(0, v, v);  // RX queue v -> vector v
      SetIvar(1, v, v);  // TX queue v -> vector v
      Wr(reg::EITR(v), 0x1F8 | reg::EITR_CNT_WDIS);
    }
    Wr(reg::IVAR_MISC, (vectors | reg::IVAR_ALLOC_VAL) << 8);
    Wr(reg::EITR(vectors), 1950);
    Wr(reg::EIAC, 0xFFFF | reg::EICR_TCP_TIMER);  // ENABLE_MASK - OTHER...
    for (uint32_t q = 0; q < vectors; ++q) {
      // ixgbe_configure_tx_ring / ixgbe_configure_rx_ring: enable, poll.
      Wr(reg::TXDCTL(q), reg::TXDCTL_ENABLE);
      if (!PollSet(reg::TXDCTL(q), reg::TXDCTL_ENABLE)) {
        warnings.push_back("Could not enable Tx Queue");
      }
      Wr(reg::RXDCTL(q), reg::RXDCTL_ENABLE);
      if (!PollSet(reg::RXDCTL(q), reg::RXDCTL_ENABLE)) {
        warnings.push_back("RXDCTL.ENABLE not set");
      }
    }
    Wr(reg::DMATXCTL, Rd(reg::DMATXCTL) | reg::DMATXCTL_TE);
    // ixgbe_enable_rx_dma_82599: disable_sec_rx_path, RXEN, enable.
    Wr(reg::SECRXCTRL, Rd(reg::SECRXCTRL) | reg::SECRXCTRL_RX_DIS);
    if (!PollSet(reg::SECRXSTAT, reg::SECRXSTAT_SECRX_RDY)) {
      warnings.push_back("Rx unit being enabled before security path fully disabled");
    }
    Wr(reg::RXCTRL, Rd(reg::RXCTRL) | reg::RXCTRL_RXEN);
    Wr(reg::SECRXCTRL, Rd(reg::SECRXCTRL) & ~reg::SECRXCTRL_RX_DIS);
    // setup_mac_link_82599 -> prot_autoc_write -> reset_pipeline.
    if (int s = ResetPipeline()) return s;
    // ixgbe_irq_enable: other causes, then the queue vectors.
    Wr(reg::EIMS, reg::EICR_LSC | reg::EICR_MAILBOX | reg::EICR_OTHER);
    const uint64_t qmask = vectors >= 64 ? ~uint64_t{0}
                                         : (uint64_t{1} << vectors) - 1;
    if (uint32_t lo = static_cast<uint32_t>(qmask)) Wr(reg::EIMS_EX(0), lo);
    if (uint32_t hi = static_cast<uint32_t>(qmask >> 32)) Wr(reg::EIMS_EX(1), hi);
    return 0;
  }

  // ixgbe_msix_other's register part: EICS read, EICR write, re-enable.
  uint32_t ServiceOther() {
    const uint32_t eicr = Rd(reg::EICS) & 0xFFFF0000;
    Wr(reg::EICR, eicr);
    Wr(reg::EIMS, reg::EICR_LSC | reg::EICR_MAILBOX | reg::EICR_OTHER);
    return eicr;
  }

 private:
  // ixgbe_set_ivar (82599).
  void SetIvar(int direction, uint32_t queue, uint32_t vector) {
    const uint32_t index = 16 * (queue & 1) + 8 * direction;
    uint32_t ivar = Rd(reg::IVAR(queue >> 1));
    ivar &= ~(0xFFu << index);
    ivar |= (vector | reg::IVAR_ALLOC_VAL) << index;
    Wr(reg::IVAR(queue >> 1), ivar);
  }
  bool PollSet(uint32_t off, uint32_t bit) {
    for (int i = 0; i < 10; ++i) {
      if (Rd(off) & bit) return true;
    }
    return false;
  }

  Pf* pf_;
  bool removed_ = false;
  uint32_t orig_autoc_ = 0;
  std::string pba_;
};

}  // namespace snic::ixgbe::testing

#endif  // SNIC_TESTS_UNIT_IXGBE_PF_DRIVER_MODEL_H
