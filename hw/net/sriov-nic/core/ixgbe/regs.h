// sriov-nic core: Intel 82599 PF register offsets and bits (BAR0, 128 KiB).
//
// Names are ixgbe_type.h's (Linux drivers/net/ethernet/intel/ixgbe) without
// the IXGBE_ prefix, so a driver line `IXGBE_WRITE_REG(hw, IXGBE_EIMC, x)`
// is found here as reg::EIMC; macros with an index are constexpr functions
// with the same layout rules. Only the 82599 variants are listed (the
// IXGBE_BY_MAC registers resolve to their _8259X offsets). Registers named
// by the 82599 datasheet only (PFVTCTL = VT_CTL) carry both names.
//
// This is a vocabulary, not a register file: which register has behaviour
// is pf.h's business, and the ranges other classes own (queues, pools,
// mailbox) are listed at the end.
//
// SPDX-License-Identifier: GPL-2.0-or-later
#ifndef SNIC_CORE_IXGBE_REGS_H
#define SNIC_CORE_IXGBE_REGS_H

#include <cstdint>

namespace snic::ixgbe::reg {

// NOLINTBEGIN(readability-identifier-naming): names follow ixgbe_type.h.

inline constexpr uint32_t kBar0Size = 0x20000;  // 128 KiB

// ---- General ----
inline constexpr uint32_t CTRL = 0x00000;
inline constexpr uint32_t STATUS = 0x00008;
inline constexpr uint32_t CTRL_EXT = 0x00018;
inline constexpr uint32_t ESDP = 0x00020;
inline constexpr uint32_t EODSDP = 0x00028;
inline constexpr uint32_t I2CCTL = 0x00028;  // I2CCTL_8259X (same word)
inline constexpr uint32_t FRTIMER = 0x00048;
inline constexpr uint32_t TCPTIMER = 0x0004C;
inline constexpr uint32_t LEDCTL = 0x00200;
inline constexpr uint32_t CORESPARE = 0x00600;
inline constexpr uint32_t EXVET = 0x05078;

inline constexpr uint32_t CTRL_GIO_DIS = 0x00000004;
inline constexpr uint32_t CTRL_LNK_RST = 0x00000008;
inline constexpr uint32_t CTRL_RST = 0x04000000;
inline constexpr uint32_t CTRL_RST_MASK = CTRL_LNK_RST | CTRL_RST;

inline constexpr uint32_t STATUS_LAN_ID = 0x0000000C;
inline constexpr uint32_t STATUS_LAN_ID_SHIFT = 2;
inline constexpr uint32_t STATUS_LINK_UP = 0x00000080;  // 82599 datasheet
inline constexpr uint32_t STATUS_GIO = 0x00080000;

inline constexpr uint32_t CTRL_EXT_PFRSTD = 0x00004000;
inline constexpr uint32_t CTRL_EXT_NS_DIS = 0x00010000;
inline constexpr uint32_t CTRL_EXT_RO_DIS = 0x00020000;
inline constexpr uint32_t CTRL_EXT_DRV_LOAD = 0x10000000;

// ---- EEPROM / flash ----
inline constexpr uint32_t EEC = 0x10010;  // EEC_8259X
inline constexpr uint32_t EERD = 0x10014;
inline constexpr uint32_t EEWR = 0x10018;
inline constexpr uint32_t FLA = 0x1001C;  // FLA_8259X
inline constexpr uint32_t EEMNGCTL = 0x10110;
inline constexpr uint32_t EEMNGDATA = 0x10114;
inline constexpr uint32_t FLMNGCTL = 0x10118;
inline constexpr uint32_t FLMNGDATA = 0x1011C;
inline constexpr uint32_t FLMNGCNT = 0x10120;
inline constexpr uint32_t FLOP = 0x1013C;
inline constexpr uint32_t GRC = 0x10200;  // GRC_8259X

inline constexpr uint32_t EEC_SK = 0x00000001;
inline constexpr uint32_t EEC_CS = 0x00000002;
inline constexpr uint32_t EEC_DI = 0x00000004;
inline constexpr uint32_t EEC_DO = 0x00000008;
inline constexpr uint32_t EEC_FWE_MASK = 0x00000030;
inline constexpr uint32_t EEC_FWE_DIS = 0x00000010;
inline constexpr uint32_t EEC_REQ = 0x00000040;
inline constexpr uint32_t EEC_GNT = 0x00000080;
inline constexpr uint32_t EEC_PRES = 0x00000100;
inline constexpr uint32_t EEC_ARD = 0x00000200;
inline constexpr uint32_t EEC_ADDR_SIZE = 0x00000400;
inline constexpr uint32_t EEC_SIZE = 0x00007800;
inline constexpr uint32_t EEC_SIZE_SHIFT = 11;
inline constexpr uint32_t EEPROM_WORD_SIZE_SHIFT = 6;

// EERD / EEWR layout (IXGBE_EEPROM_RW_*).
inline constexpr uint32_t EEPROM_RW_REG_START = 1u << 0;
inline constexpr uint32_t EEPROM_RW_REG_DONE = 1u << 1;
inline constexpr uint32_t EEPROM_RW_ADDR_SHIFT = 2;
inline constexpr uint32_t EEPROM_RW_REG_DATA = 16;  // data shift
inline constexpr uint32_t EERD_MAX_ADDR = 0x00003FFF;

// ---- Interrupts ----
inline constexpr uint32_t EICR = 0x00800;
inline constexpr uint32_t EICS = 0x00808;
inline constexpr uint32_t EIAC = 0x00810;
inline constexpr uint32_t EIMS = 0x00880;
inline constexpr uint32_t EIMC = 0x00888;
inline constexpr uint32_t EIAM = 0x00890;
inline constexpr uint32_t EITRSEL = 0x00894;
inline constexpr uint32_t GPIE = 0x00898;
inline constexpr uint32_t IVAR_MISC = 0x00A00;
constexpr uint32_t EICS_EX(uint32_t i) { return 0x00A90 + i * 4; }
constexpr uint32_t EIMS_EX(uint32_t i) { return 0x00AA0 + i * 4; }
constexpr uint32_t EIMC_EX(uint32_t i) { return 0x00AB0 + i * 4; }
constexpr uint32_t EIAM_EX(uint32_t i) { return 0x00AD0 + i * 4; }
// EITR 0..23 at 0x820, 24..127 at 0x12300 (82599 has 64 MSI-X vectors, but
// the register range is defined up to 127).
constexpr uint32_t EITR(uint32_t i) {
  return i <= 23 ? 0x00820 + i * 4 : 0x12300 + (i - 24) * 4;
}
constexpr uint32_t IVAR(uint32_t i) { return 0x00900 + i * 4; }  // 0..63
inline constexpr uint32_t kNumEitr = 128;
inline constexpr uint32_t kNumIvar = 64;        // IXGBE_IVAR_REG_NUM_82599
inline constexpr uint32_t kNumMsixVectors = 64;  // MAX_MSIX_VECTORS_82599

inline constexpr uint32_t EICR_RTX_QUEUE = 0x0000FFFF;
inline constexpr uint32_t EICR_FLOW_DIR = 0x00010000;
inline constexpr uint32_t EICR_RX_MISS = 0x00020000;
inline constexpr uint32_t EICR_PCI = 0x00040000;
inline constexpr uint32_t EICR_MAILBOX = 0x00080000;
inline constexpr uint32_t EICR_LSC = 0x00100000;
inline constexpr uint32_t EICR_LINKSEC = 0x00200000;
inline constexpr uint32_t EICR_MNG = 0x00400000;
inline constexpr uint32_t EICR_TS = 0x00800000;
inline constexpr uint32_t EICR_GPI_SDP0 = 0x01000000;  // _8259X
inline constexpr uint32_t EICR_GPI_SDP1 = 0x02000000;
inline constexpr uint32_t EICR_GPI_SDP2 = 0x04000000;
inline constexpr uint32_t EICR_ECC = 0x10000000;
inline constexpr uint32_t EICR_PBUR = 0x10000000;
inline constexpr uint32_t EICR_DHER = 0x20000000;
inline constexpr uint32_t EICR_TCP_TIMER = 0x40000000;
inline constexpr uint32_t EICR_OTHER = 0x80000000;
// The "other" causes (bits 16..30) that EICR_OTHER summarises.
inline constexpr uint32_t EICR_OTHER_CAUSES = 0x7FFF0000;

inline constexpr uint32_t EITR_ITR_INT_MASK = 0x00000FF8;
inline constexpr uint32_t EITR_LLI_MOD = 0x00008000;
inline constexpr uint32_t EITR_CNT_WDIS = 0x80000000;

inline constexpr uint32_t GPIE_MSIX_MODE = 0x00000010;
inline constexpr uint32_t GPIE_OCD = 0x00000020;
inline constexpr uint32_t GPIE_EIMEN = 0x00000040;
inline constexpr uint32_t GPIE_VTMODE_MASK = 0x0000C000;
inline constexpr uint32_t GPIE_VTMODE_16 = 0x00004000;
inline constexpr uint32_t GPIE_VTMODE_32 = 0x00008000;
inline constexpr uint32_t GPIE_VTMODE_64 = 0x0000C000;
inline constexpr uint32_t GPIE_EIAME = 0x40000000;
inline constexpr uint32_t GPIE_PBA_SUPPORT = 0x80000000;

inline constexpr uint32_t IVAR_ALLOC_VAL = 0x80;
inline constexpr uint32_t IVAR_VECTOR_MASK = 0x3F;  // 82599: 6-bit index

// ---- MAC / link / MDIO ----
inline constexpr uint32_t PCS1GLCTL = 0x04208;
inline constexpr uint32_t PCS1GLSTA = 0x0420C;
inline constexpr uint32_t PCS1GANA = 0x04218;
inline constexpr uint32_t PCS1GANLP = 0x0421C;
inline constexpr uint32_t PCS1GANNP = 0x04220;
inline constexpr uint32_t PCS1GANLPNP = 0x04224;
inline constexpr uint32_t HLREG0 = 0x04240;
inline constexpr uint32_t HLREG1 = 0x04244;
inline constexpr uint32_t PAP = 0x04248;
inline constexpr uint32_t MACA = 0x0424C;
inline constexpr uint32_t APAE = 0x04250;
inline constexpr uint32_t ARD = 0x04254;
inline constexpr uint32_t AIS = 0x04258;
inline constexpr uint32_t MSCA = 0x0425C;
inline constexpr uint32_t MSRWD = 0x04260;
inline constexpr uint32_t MLADD = 0x04264;
inline constexpr uint32_t MAXFRS = 0x04268;
inline constexpr uint32_t TREG = 0x0426C;
inline constexpr uint32_t PCSS1 = 0x04288;
inline constexpr uint32_t PCSS2 = 0x0428C;
inline constexpr uint32_t XPCSS = 0x04290;
inline constexpr uint32_t MFLCN = 0x04294;
inline constexpr uint32_t SERDESC = 0x04298;
inline constexpr uint32_t MACS = 0x0429C;
inline constexpr uint32_t AUTOC = 0x042A0;
inline constexpr uint32_t LINKS = 0x042A4;
inline constexpr uint32_t AUTOC2 = 0x042A8;
inline constexpr uint32_t AUTOC3 = 0x042AC;
inline constexpr uint32_t ANLP1 = 0x042B0;
inline constexpr uint32_t ANLP2 = 0x042B4;
inline constexpr uint32_t MMNGC = 0x042D0;
inline constexpr uint32_t ATLASCTL = 0x04800;
inline constexpr uint32_t LINKS2 = 0x04324;
inline constexpr uint32_t FCAMACL = 0x04328;
inline constexpr uint32_t FCAMACH = 0x0432C;
inline constexpr uint32_t MACC = 0x04330;

inline constexpr uint32_t HLREG0_TXCRCEN = 0x00000001;
inline constexpr uint32_t HLREG0_RXCRCSTRP = 0x00000002;
inline constexpr uint32_t HLREG0_JUMBOEN = 0x00000004;
inline constexpr uint32_t HLREG0_TXPADEN = 0x00000400;
inline constexpr uint32_t HLREG0_LPBK = 0x00008000;

inline constexpr uint32_t MHADD_MFS_MASK = 0xFFFF0000;  // MAXFRS.MFS
inline constexpr uint32_t MHADD_MFS_SHIFT = 16;

inline constexpr uint32_t MSCA_NP_ADDR_MASK = 0x0000FFFF;
inline constexpr uint32_t MSCA_DEV_TYPE_MASK = 0x001F0000;
inline constexpr uint32_t MSCA_DEV_TYPE_SHIFT = 16;
inline constexpr uint32_t MSCA_PHY_ADDR_MASK = 0x03E00000;
inline constexpr uint32_t MSCA_PHY_ADDR_SHIFT = 21;
inline constexpr uint32_t MSCA_OP_CODE_MASK = 0x0C000000;
inline constexpr uint32_t MSCA_ADDR_CYCLE = 0x00000000;
inline constexpr uint32_t MSCA_WRITE = 0x04000000;
inline constexpr uint32_t MSCA_READ_AUTOINC = 0x08000000;
inline constexpr uint32_t MSCA_READ = 0x0C000000;
inline constexpr uint32_t MSCA_ST_CODE_MASK = 0x30000000;
inline constexpr uint32_t MSCA_MDI_COMMAND = 0x40000000;
inline constexpr uint32_t MSCA_MDI_IN_PROG_EN = 0x80000000;
inline constexpr uint32_t MSRWD_WRITE_DATA_MASK = 0x0000FFFF;
inline constexpr uint32_t MSRWD_READ_DATA_MASK = 0xFFFF0000;
inline constexpr uint32_t MSRWD_READ_DATA_SHIFT = 16;

inline constexpr uint32_t MFLCN_PMCF = 0x00000001;
inline constexpr uint32_t MFLCN_DPF = 0x00000002;
inline constexpr uint32_t MFLCN_RPFCE = 0x00000004;
inline constexpr uint32_t MFLCN_RFCE = 0x00000008;

inline constexpr uint32_t AUTOC_KX4_SUPP = 0x80000000;
inline constexpr uint32_t AUTOC_KX_SUPP = 0x40000000;
inline constexpr uint32_t AUTOC_PAUSE = 0x30000000;
inline constexpr uint32_t AUTOC_KR_SUPP = 0x00010000;
inline constexpr uint32_t AUTOC_AN_RESTART = 0x00001000;
inline constexpr uint32_t AUTOC_FLU = 0x00000001;
inline constexpr uint32_t AUTOC_LMS_SHIFT = 13;
inline constexpr uint32_t AUTOC_LMS_MASK = 0x7u << AUTOC_LMS_SHIFT;
inline constexpr uint32_t AUTOC_LMS_1G_LINK_NO_AN = 0x0u << AUTOC_LMS_SHIFT;
inline constexpr uint32_t AUTOC_LMS_10G_LINK_NO_AN = 0x1u << AUTOC_LMS_SHIFT;
inline constexpr uint32_t AUTOC_LMS_1G_AN = 0x2u << AUTOC_LMS_SHIFT;
inline constexpr uint32_t AUTOC_LMS_10G_SERIAL = 0x3u << AUTOC_LMS_SHIFT;
inline constexpr uint32_t AUTOC_LMS_KX4_KX_KR = 0x4u << AUTOC_LMS_SHIFT;
inline constexpr uint32_t AUTOC_LMS_KX4_KX_KR_1G_AN = 0x6u << AUTOC_LMS_SHIFT;
inline constexpr uint32_t AUTOC_LMS_KX4_KX_KR_SGMII = 0x7u << AUTOC_LMS_SHIFT;
inline constexpr uint32_t AUTOC_10G_PMA_PMD_MASK = 0x00000180;
inline constexpr uint32_t AUTOC_10G_KX4 = 1u << 7;
inline constexpr uint32_t AUTOC_1G_PMA_PMD_MASK = 0x00000200;
inline constexpr uint32_t AUTOC_1G_KX = 1u << 9;
inline constexpr uint32_t AUTOC2_UPPER_MASK = 0xFFFF0000;
inline constexpr uint32_t AUTOC2_10G_SERIAL_PMA_PMD_MASK = 0x00030000;
inline constexpr uint32_t AUTOC2_LINK_DISABLE_MASK = 0x70000000;

inline constexpr uint32_t LINKS_KX_AN_COMP = 0x80000000;
inline constexpr uint32_t LINKS_UP = 0x40000000;
inline constexpr uint32_t LINKS_SPEED = 0x20000000;
inline constexpr uint32_t LINKS_SPEED_82599 = 0x30000000;
inline constexpr uint32_t LINKS_SPEED_10G_82599 = 0x30000000;
inline constexpr uint32_t LINKS_SPEED_1G_82599 = 0x20000000;
inline constexpr uint32_t LINKS_SPEED_100_82599 = 0x10000000;
inline constexpr uint32_t LINKS_SPEED_NON_STD = 0x08000000;
inline constexpr uint32_t LINKS_10G_ALIGN = 0x00020000;
inline constexpr uint32_t LINKS_10G_LANE_SYNC = 0x00017000;

inline constexpr uint32_t ANLP1_SYM_PAUSE = 0x0400;
inline constexpr uint32_t ANLP1_ASM_PAUSE = 0x0800;
inline constexpr uint32_t ANLP1_AN_STATE_MASK = 0x000F0000;

inline constexpr uint32_t MMNGC_MNG_VETO = 0x00000001;

// ---- Semaphores / firmware ----
inline constexpr uint32_t SWSM = 0x10140;  // SWSM_8259X
inline constexpr uint32_t FWSM = 0x10148;  // FWSM_8259X
inline constexpr uint32_t GSSR = 0x10160;
inline constexpr uint32_t SWFW_SYNC = GSSR;  // SWFW_SYNC_8259X
inline constexpr uint32_t MREVID = 0x11064;
inline constexpr uint32_t DCA_ID = 0x11070;
inline constexpr uint32_t DCA_CTRL = 0x11074;

inline constexpr uint32_t SWSM_SMBI = 0x00000001;
inline constexpr uint32_t SWSM_SWESMBI = 0x00000002;
inline constexpr uint32_t SWSM_WMNG = 0x00000004;
inline constexpr uint32_t FWSM_MODE_MASK = 0x0000000E;
inline constexpr uint32_t FWSM_FW_VAL_BIT = 0x00008000;
inline constexpr uint32_t FWSM_EXT_ERR_IND_MASK = 0x01F80000;
inline constexpr uint32_t GSSR_EEP_SM = 0x0001;
inline constexpr uint32_t GSSR_PHY0_SM = 0x0002;
inline constexpr uint32_t GSSR_PHY1_SM = 0x0004;
inline constexpr uint32_t GSSR_MAC_CSR_SM = 0x0008;
inline constexpr uint32_t GSSR_FLASH_SM = 0x0010;
inline constexpr uint32_t GSSR_NVM_PHY_MASK = 0x000F;
// 82599: SW bits 0..4, FW bits 5..9 (ixgbe_acquire_swfw_sync: fwmask =
// swmask << 5).
inline constexpr uint32_t GSSR_SW_MASK = 0x001F;
inline constexpr uint32_t GSSR_FW_MASK = 0x03E0;

// ---- PCIe ----
inline constexpr uint32_t GCR = 0x11000;
inline constexpr uint32_t GTV = 0x11004;
inline constexpr uint32_t FUNCTAG = 0x11008;
inline constexpr uint32_t GLT = 0x1100C;
inline constexpr uint32_t GSCL_1 = 0x11010;
inline constexpr uint32_t GSCL_2 = 0x11014;
inline constexpr uint32_t GSCL_3 = 0x11018;
inline constexpr uint32_t GSCL_4 = 0x1101C;
inline constexpr uint32_t GSCN_0 = 0x11020;
inline constexpr uint32_t GSCN_1 = 0x11024;
inline constexpr uint32_t GSCN_2 = 0x11028;
inline constexpr uint32_t GSCN_3 = 0x1102C;
inline constexpr uint32_t FACTPS = 0x10150;  // FACTPS_8259X
inline constexpr uint32_t GCR_EXT = 0x11050;
inline constexpr uint32_t PCIEANACTL = 0x11040;
inline constexpr uint32_t PBACL0 = 0x11068;  // PBACL(0)
inline constexpr uint32_t ECC_CTRL_0_82599 = 0x11100;
inline constexpr uint32_t ECC_CTRL_1_82599 = 0x11104;
inline constexpr uint32_t ECC_STATUS_82599 = 0x110E0;
inline constexpr uint32_t GHECCR = 0x110B0;
inline constexpr uint32_t CORECTL = 0x14F00;

inline constexpr uint32_t GCR_EXT_MSIX_EN = 0x80000000;
inline constexpr uint32_t GCR_EXT_BUFFERS_CLEAR = 0x40000000;
inline constexpr uint32_t GCR_EXT_VT_MODE_MASK = 0x00000003;
inline constexpr uint32_t GCR_EXT_VT_MODE_16 = 0x00000001;
inline constexpr uint32_t GCR_EXT_VT_MODE_32 = 0x00000002;
inline constexpr uint32_t GCR_EXT_VT_MODE_64 = 0x00000003;

// ---- Receive (global) ----
inline constexpr uint32_t RDRXCTL = 0x02F00;
inline constexpr uint32_t QDE = 0x02F04;
inline constexpr uint32_t DRECCCTL = 0x02F08;
inline constexpr uint32_t RDDCC = 0x02F20;
inline constexpr uint32_t B2OGPRC = 0x02F90;
inline constexpr uint32_t RTRPCS = 0x02430;
inline constexpr uint32_t RXCTRL = 0x03000;
inline constexpr uint32_t PFCTOP = 0x03008;
inline constexpr uint32_t RTRUP2TC = 0x03020;
inline constexpr uint32_t STARCTRL = 0x03024;
inline constexpr uint32_t RSCDBU = 0x03028;
inline constexpr uint32_t RXMEMWRAP = 0x03190;
inline constexpr uint32_t FCRTV = 0x032A0;
inline constexpr uint32_t FCCFG = 0x03D00;
inline constexpr uint32_t RMCS = 0x03D00;  // 82598 name of FCCFG's word
inline constexpr uint32_t DROPEN = 0x03D04;
inline constexpr uint32_t RXCSUM = 0x05000;
inline constexpr uint32_t RFCTL = 0x05008;
inline constexpr uint32_t FCTRL = 0x05080;
inline constexpr uint32_t VLNCTRL = 0x05088;
inline constexpr uint32_t MCSTCTRL = 0x05090;
inline constexpr uint32_t PFFLPL = 0x050B0;
inline constexpr uint32_t PFFLPH = 0x050B4;
inline constexpr uint32_t VXLANCTRL = 0x0507C;
inline constexpr uint32_t VT_CTL = 0x051B0;
inline constexpr uint32_t PFVTCTL = VT_CTL;  // datasheet name
inline constexpr uint32_t RXFECCERR0 = 0x051B8;
inline constexpr uint32_t MRQC = 0x05818;
inline constexpr uint32_t VMD_CTL = 0x0581C;
inline constexpr uint32_t IMIRVP = 0x05AC0;
inline constexpr uint32_t SYNQF = 0x0EC30;
inline constexpr uint32_t RQTC = 0x0EC70;
inline constexpr uint32_t LLITHRESH = 0x0EC90;
inline constexpr uint32_t FDIRCTRL = 0x0EE00;
inline constexpr uint32_t FDIRHKEY = 0x0EE68;
inline constexpr uint32_t FDIRSKEY = 0x0EE6C;
inline constexpr uint32_t FDIRCMD = 0x0EE2C;
constexpr uint32_t FCRTL_82599(uint32_t i) { return 0x03220 + i * 4; }
constexpr uint32_t FCRTH_82599(uint32_t i) { return 0x03260 + i * 4; }
constexpr uint32_t FCTTV(uint32_t i) { return 0x03200 + i * 4; }
constexpr uint32_t RXPBSIZE(uint32_t i) { return 0x03C00 + i * 4; }
constexpr uint32_t RTRPT4C(uint32_t i) { return 0x02140 + i * 4; }
constexpr uint32_t RQSMR(uint32_t i) { return 0x02300 + i * 4; }
constexpr uint32_t ETQF(uint32_t i) { return 0x05128 + i * 4; }
constexpr uint32_t ETQS(uint32_t i) { return 0x0EC00 + i * 4; }
constexpr uint32_t RETA(uint32_t i) { return 0x05C00 + i * 4; }
constexpr uint32_t RSSRK(uint32_t i) { return 0x05C80 + i * 4; }
constexpr uint32_t IMIR(uint32_t i) { return 0x05A80 + i * 4; }
constexpr uint32_t IMIREXT(uint32_t i) { return 0x05AA0 + i * 4; }
constexpr uint32_t SAQF(uint32_t i) { return 0x0E000 + i * 4; }
constexpr uint32_t DAQF(uint32_t i) { return 0x0E200 + i * 4; }
constexpr uint32_t SDPQF(uint32_t i) { return 0x0E400 + i * 4; }
constexpr uint32_t FTQF(uint32_t i) { return 0x0E600 + i * 4; }
constexpr uint32_t L34T_IMIR(uint32_t i) { return 0x0E800 + i * 4; }

inline constexpr uint32_t RDRXCTL_CRCSTRIP = 0x00000002;
inline constexpr uint32_t RDRXCTL_DMAIDONE = 0x00000008;
inline constexpr uint32_t RDRXCTL_MVMEN = 0x00000020;
inline constexpr uint32_t RDRXCTL_AGGDIS = 0x00010000;
inline constexpr uint32_t RDRXCTL_RSCACKC = 0x02000000;
inline constexpr uint32_t RDRXCTL_FCOE_WRFIX = 0x04000000;
inline constexpr uint32_t RXCTRL_RXEN = 0x00000001;
inline constexpr uint32_t RXCTRL_DMBYPS = 0x00000002;
inline constexpr uint32_t FCTRL_SBP = 0x00000002;
inline constexpr uint32_t FCTRL_MPE = 0x00000100;
inline constexpr uint32_t FCTRL_UPE = 0x00000200;
inline constexpr uint32_t FCTRL_BAM = 0x00000400;
inline constexpr uint32_t FCTRL_PMCF = 0x00001000;
inline constexpr uint32_t FCTRL_DPF = 0x00002000;
inline constexpr uint32_t VLNCTRL_VET = 0x0000FFFF;
inline constexpr uint32_t VLNCTRL_CFIEN = 0x20000000;
inline constexpr uint32_t VLNCTRL_VFE = 0x40000000;
inline constexpr uint32_t VLNCTRL_VME = 0x80000000;
inline constexpr uint32_t MCSTCTRL_MO = 0x00000003;
inline constexpr uint32_t MCSTCTRL_MFE = 0x00000004;
inline constexpr uint32_t VT_CTL_VT_ENABLE = 0x00000001;
inline constexpr uint32_t VT_CTL_POOL_SHIFT = 7;
inline constexpr uint32_t VT_CTL_POOL_MASK = 0x3Fu << VT_CTL_POOL_SHIFT;
inline constexpr uint32_t VT_CTL_DIS_DEFPL = 0x20000000;
inline constexpr uint32_t VT_CTL_REPLEN = 0x40000000;
inline constexpr uint32_t MRQC_MRQE_MASK = 0x0000000F;
inline constexpr uint32_t MRQC_VMDQEN = 0x00000008;
inline constexpr uint32_t MRQC_VMDQRSS32EN = 0x0000000A;
inline constexpr uint32_t MRQC_VMDQRSS64EN = 0x0000000B;
inline constexpr uint32_t MRQC_VMDQRT8TCEN = 0x0000000C;
inline constexpr uint32_t MRQC_VMDQRT4TCEN = 0x0000000D;
inline constexpr uint32_t FDIRCTRL_INIT_DONE = 0x00000008;
inline constexpr uint32_t FDIRCMD_CMD_MASK = 0x00000003;
inline constexpr uint32_t FCCFG_TFCE_802_3X = 0x00000008;
inline constexpr uint32_t FCCFG_TFCE_PRIORITY = 0x00000010;

// ---- Transmit (global) ----
inline constexpr uint32_t DMATXCTL = 0x04A80;
inline constexpr uint32_t RTTDCS = 0x04900;
inline constexpr uint32_t RTTDQSEL = 0x04904;
inline constexpr uint32_t RTTDT1C = 0x04908;
inline constexpr uint32_t RTTBCNRM = 0x04980;
inline constexpr uint32_t RTTBCNRC = 0x04984;
inline constexpr uint32_t RTTDTECC = 0x04990;
inline constexpr uint32_t RTTQCNTG = 0x04A90;
inline constexpr uint32_t DTXCTL = 0x07E00;
inline constexpr uint32_t DTXMXSZRQ = 0x08100;
inline constexpr uint32_t MTQC = 0x08120;
inline constexpr uint32_t PFDTXGSWC = 0x08220;
inline constexpr uint32_t SECTXCTRL = 0x08800;
inline constexpr uint32_t SECTXSTAT = 0x08804;
inline constexpr uint32_t SECTXBUFFAF = 0x08808;
inline constexpr uint32_t SECTXMINIFG = 0x08810;
inline constexpr uint32_t SECRXCTRL = 0x08D00;
inline constexpr uint32_t SECRXSTAT = 0x08D04;
inline constexpr uint32_t RTTUP2TC = 0x0C800;
inline constexpr uint32_t RTTPCS = 0x0CD00;
inline constexpr uint32_t TFCS = 0x0CE00;
constexpr uint32_t RTTDT2C(uint32_t i) { return 0x04910 + i * 4; }
constexpr uint32_t TXPBTHRESH(uint32_t i) { return 0x04950 + i * 4; }
constexpr uint32_t TXLLQ(uint32_t i) { return 0x082E0 + i * 4; }
constexpr uint32_t TQSM(uint32_t i) { return 0x08600 + i * 4; }
constexpr uint32_t TXPBSIZE(uint32_t i) { return 0x0CC00 + i * 4; }
constexpr uint32_t RTTPT2C(uint32_t i) { return 0x0CD20 + i * 4; }

inline constexpr uint32_t DMATXCTL_TE = 0x1;
inline constexpr uint32_t DMATXCTL_NS = 0x2;
inline constexpr uint32_t DMATXCTL_GDV = 0x8;
inline constexpr uint32_t DMATXCTL_VT_SHIFT = 16;
inline constexpr uint32_t PFDTXGSWC_VT_LBEN = 0x1;
inline constexpr uint32_t RTTDCS_ARBDIS = 0x00000040;
inline constexpr uint32_t RTTBCNRC_RS_ENA = 0x80000000;
inline constexpr uint32_t RTTBCNRC_RF_DEC_MASK = 0x00003FFF;
inline constexpr uint32_t RTTBCNRC_RF_INT_SHIFT = 14;
inline constexpr uint32_t RTTBCNRC_RF_INT_MASK = 0x00003FFFu
                                                << RTTBCNRC_RF_INT_SHIFT;
inline constexpr uint32_t SECTXCTRL_SECTX_DIS = 0x00000001;
inline constexpr uint32_t SECTXCTRL_TX_DIS = 0x00000002;
inline constexpr uint32_t SECTXCTRL_STORE_FORWARD = 0x00000004;
inline constexpr uint32_t SECTXSTAT_SECTX_RDY = 0x00000001;
inline constexpr uint32_t SECTXSTAT_SECTX_OFF_DIS = 0x00000002;
inline constexpr uint32_t SECRXCTRL_SECRX_DIS = 0x00000001;
inline constexpr uint32_t SECRXCTRL_RX_DIS = 0x00000002;
inline constexpr uint32_t SECRXSTAT_SECRX_RDY = 0x00000001;
inline constexpr uint32_t SECRXSTAT_SECRX_OFF_DIS = 0x00000002;

// ---- Wake-up ----
inline constexpr uint32_t WUC = 0x05800;
inline constexpr uint32_t WUFC = 0x05808;
inline constexpr uint32_t WUS = 0x05810;
inline constexpr uint32_t IPAV = 0x05838;
inline constexpr uint32_t WUPL = 0x05900;

// ---- Time sync (PTP) ----
inline constexpr uint32_t TSYNCRXCTL = 0x05188;
inline constexpr uint32_t RXSTMPH = 0x051A4;
inline constexpr uint32_t RXSATRL = 0x051A0;
inline constexpr uint32_t RXSTMPL = 0x051E8;
inline constexpr uint32_t RXMTRL = 0x05120;
inline constexpr uint32_t TSYNCTXCTL = 0x08C00;
inline constexpr uint32_t TXSTMPL = 0x08C04;
inline constexpr uint32_t TXSTMPH = 0x08C08;
inline constexpr uint32_t SYSTIML = 0x08C0C;
inline constexpr uint32_t SYSTIMH = 0x08C10;
inline constexpr uint32_t TIMINCA = 0x08C14;
inline constexpr uint32_t TSAUXC = 0x08C20;

// ---- Statistics (82599 datasheet 8.2.3.23: read-to-clear) ----
inline constexpr uint32_t CRCERRS = 0x04000;
inline constexpr uint32_t ILLERRC = 0x04004;
inline constexpr uint32_t ERRBC = 0x04008;
inline constexpr uint32_t MSPDC = 0x04010;
inline constexpr uint32_t MLFC = 0x04034;
inline constexpr uint32_t MRFC = 0x04038;
inline constexpr uint32_t RLEC = 0x04040;
inline constexpr uint32_t PRC64 = 0x0405C;
inline constexpr uint32_t PRC127 = 0x04060;
inline constexpr uint32_t PRC255 = 0x04064;
inline constexpr uint32_t PRC511 = 0x04068;
inline constexpr uint32_t PRC1023 = 0x0406C;
inline constexpr uint32_t PRC1522 = 0x04070;
inline constexpr uint32_t GPRC = 0x04074;
inline constexpr uint32_t BPRC = 0x04078;
inline constexpr uint32_t MPRC = 0x0407C;
inline constexpr uint32_t GPTC = 0x04080;
inline constexpr uint32_t GORCL = 0x04088;
inline constexpr uint32_t GORCH = 0x0408C;
inline constexpr uint32_t GOTCL = 0x04090;
inline constexpr uint32_t GOTCH = 0x04094;
inline constexpr uint32_t RUC = 0x040A4;
inline constexpr uint32_t RFC = 0x040A8;
inline constexpr uint32_t ROC = 0x040AC;
inline constexpr uint32_t RJC = 0x040B0;
inline constexpr uint32_t MNGPRC = 0x040B4;
inline constexpr uint32_t MNGPDC = 0x040B8;
inline constexpr uint32_t TORL = 0x040C0;
inline constexpr uint32_t TORH = 0x040C4;
inline constexpr uint32_t TPR = 0x040D0;
inline constexpr uint32_t TPT = 0x040D4;
inline constexpr uint32_t PTC64 = 0x040D8;
inline constexpr uint32_t PTC127 = 0x040DC;
inline constexpr uint32_t PTC255 = 0x040E0;
inline constexpr uint32_t PTC511 = 0x040E4;
inline constexpr uint32_t PTC1023 = 0x040E8;
inline constexpr uint32_t PTC1522 = 0x040EC;
inline constexpr uint32_t MPTC = 0x040F0;
inline constexpr uint32_t BPTC = 0x040F4;
inline constexpr uint32_t XEC = 0x04120;
inline constexpr uint32_t LXONRXCNT = 0x041A4;
inline constexpr uint32_t LXOFFRXCNT = 0x041A8;
inline constexpr uint32_t B2OSPC = 0x041C0;
inline constexpr uint32_t O2BGPTC = 0x041C4;
inline constexpr uint32_t FCOERPDC = 0x0241C;
inline constexpr uint32_t FCLAST = 0x02424;
inline constexpr uint32_t FCOEPRC = 0x02428;
inline constexpr uint32_t FCOEDWRC = 0x0242C;
inline constexpr uint32_t LXONTXC = 0x03F60;
inline constexpr uint32_t LXOFFTXC = 0x03F68;
inline constexpr uint32_t FCCRC = 0x05118;
inline constexpr uint32_t SSVPC = 0x08780;
inline constexpr uint32_t FCOEPTC = 0x08784;
inline constexpr uint32_t FCOEDWTC = 0x08788;
inline constexpr uint32_t O2BSPC = 0x087B0;
inline constexpr uint32_t LXONRXC = 0x0CF60;  // 82598 offsets, still read
inline constexpr uint32_t LXOFFRXC = 0x0CF68;
inline constexpr uint32_t MNGPTC = 0x0CF90;
inline constexpr uint32_t FDIRUSTAT = 0x0EE50;
inline constexpr uint32_t FDIRFSTAT = 0x0EE54;
inline constexpr uint32_t FDIRMATCH = 0x0EE58;
inline constexpr uint32_t FDIRMISS = 0x0EE5C;
constexpr uint32_t MPC(uint32_t i) { return 0x03FA0 + i * 4; }   // 0..7
constexpr uint32_t RNBC(uint32_t i) { return 0x03FC0 + i * 4; }  // 0..7
constexpr uint32_t PXONTXC(uint32_t i) { return 0x03F00 + i * 4; }
constexpr uint32_t PXOFFTXC(uint32_t i) { return 0x03F20 + i * 4; }
constexpr uint32_t PXON2OFFCNT(uint32_t i) { return 0x03240 + i * 4; }
constexpr uint32_t PXONRXCNT(uint32_t i) { return 0x04140 + i * 4; }
constexpr uint32_t PXOFFRXCNT(uint32_t i) { return 0x04160 + i * 4; }
constexpr uint32_t PXONRXC(uint32_t i) { return 0x0CF00 + i * 4; }
constexpr uint32_t PXOFFRXC(uint32_t i) { return 0x0CF20 + i * 4; }
// Per-queue statistics (16 sets, indexed by RQSMR/TQSM mapping).
constexpr uint32_t QPRC(uint32_t i) { return 0x01030 + i * 0x40; }
constexpr uint32_t QBRC_L(uint32_t i) { return 0x01034 + i * 0x40; }
constexpr uint32_t QBRC_H(uint32_t i) { return 0x01038 + i * 0x40; }
constexpr uint32_t QPRDC(uint32_t i) { return 0x01430 + i * 0x40; }
constexpr uint32_t QPTC(uint32_t i) { return 0x06030 + i * 0x40; }
constexpr uint32_t QBTC_L(uint32_t i) { return 0x08700 + i * 0x8; }
constexpr uint32_t QBTC_H(uint32_t i) { return 0x08704 + i * 0x8; }
// Per-VF statistics (ixgbe_update_stats; not read-to-clear: they wrap).
constexpr uint32_t PVFGPRC(uint32_t x) { return 0x0101C + 0x40 * x; }
constexpr uint32_t PVFGORC_LSB(uint32_t x) { return 0x01020 + 0x40 * x; }
constexpr uint32_t PVFGPTC(uint32_t x) { return 0x08300 + 0x04 * x; }
constexpr uint32_t PVFGOTC_LSB(uint32_t x) { return 0x08400 + 0x08 * x; }
constexpr uint32_t PVFGOTC_MSB(uint32_t x) { return 0x08404 + 0x08 * x; }
constexpr uint32_t PVFMPRC(uint32_t x) { return 0x0D01C + 0x40 * x; }
constexpr uint32_t PVFGORC_MSB(uint32_t x) { return 0x0D020 + 0x40 * x; }

// ---- Queues (owned by core/ixgbe/queue.h) ----
// RX queues 0..63 at 0x1000 + 0x40*n, 64..127 at 0xD000 + 0x40*(n-64).
constexpr uint32_t RxQueueBase(uint32_t i) {
  return i < 64 ? 0x01000 + i * 0x40 : 0x0D000 + (i - 64) * 0x40;
}
constexpr uint32_t RDBAL(uint32_t i) { return RxQueueBase(i) + 0x00; }
constexpr uint32_t RDBAH(uint32_t i) { return RxQueueBase(i) + 0x04; }
constexpr uint32_t RDLEN(uint32_t i) { return RxQueueBase(i) + 0x08; }
constexpr uint32_t DCA_RXCTRL(uint32_t i) {
  return i <= 15 ? 0x02200 + i * 4 : RxQueueBase(i) + 0x0C;
}
constexpr uint32_t RDH(uint32_t i) { return RxQueueBase(i) + 0x10; }
constexpr uint32_t SRRCTL(uint32_t i) {
  return i <= 15 ? 0x02100 + i * 4 : RxQueueBase(i) + 0x14;
}
constexpr uint32_t RDT(uint32_t i) { return RxQueueBase(i) + 0x18; }
constexpr uint32_t RXDCTL(uint32_t i) { return RxQueueBase(i) + 0x28; }
constexpr uint32_t RSCCTL(uint32_t i) { return RxQueueBase(i) + 0x2C; }
constexpr uint32_t TDBAL(uint32_t i) { return 0x06000 + i * 0x40; }
constexpr uint32_t TDBAH(uint32_t i) { return 0x06004 + i * 0x40; }
constexpr uint32_t TDLEN(uint32_t i) { return 0x06008 + i * 0x40; }
constexpr uint32_t DCA_TXCTRL_82599(uint32_t i) { return 0x0600C + i * 0x40; }
constexpr uint32_t TDH(uint32_t i) { return 0x06010 + i * 0x40; }
constexpr uint32_t TDT(uint32_t i) { return 0x06018 + i * 0x40; }
constexpr uint32_t TXDCTL(uint32_t i) { return 0x06028 + i * 0x40; }
constexpr uint32_t TDWBAL(uint32_t i) { return 0x06038 + i * 0x40; }
constexpr uint32_t TDWBAH(uint32_t i) { return 0x0603C + i * 0x40; }
inline constexpr uint32_t kNumQueues = 128;

inline constexpr uint32_t RXDCTL_ENABLE = 0x02000000;
inline constexpr uint32_t RXDCTL_SWFLSH = 0x04000000;
inline constexpr uint32_t RXDCTL_RLPML_EN = 0x00008000;
inline constexpr uint32_t RXDCTL_VME = 0x40000000;
inline constexpr uint32_t TXDCTL_ENABLE = 0x02000000;
inline constexpr uint32_t TXDCTL_SWFLSH = 0x04000000;

// ---- Pools / filters (owned by the ix-pools class) ----
// RAR 0..15 at 0x5400, 16..127 at 0xA200 (+8 per entry).
constexpr uint32_t RAL(uint32_t i) {
  return i <= 15 ? 0x05400 + i * 8 : 0x0A200 + i * 8;
}
constexpr uint32_t RAH(uint32_t i) {
  return i <= 15 ? 0x05404 + i * 8 : 0x0A204 + i * 8;
}
constexpr uint32_t MPSAR_LO(uint32_t i) { return 0x0A600 + i * 8; }
constexpr uint32_t MPSAR_HI(uint32_t i) { return 0x0A604 + i * 8; }
constexpr uint32_t MTA(uint32_t i) { return 0x05200 + i * 4; }  // 0..127
constexpr uint32_t PSRTYPE(uint32_t i) {
  return i <= 15 ? 0x05480 + i * 4 : 0x0EA00 + i * 4;
}
constexpr uint32_t VMTXSW(uint32_t i) { return 0x05180 + i * 4; }
constexpr uint32_t VFRE(uint32_t i) { return 0x051E0 + i * 4; }  // 0..1
constexpr uint32_t VFTA(uint32_t i) { return 0x0A000 + i * 4; }  // 0..127
constexpr uint32_t VMVIR(uint32_t i) { return 0x08000 + i * 4; }  // 0..63
constexpr uint32_t VFTE(uint32_t i) { return 0x08110 + i * 4; }  // 0..1
constexpr uint32_t PFVFSPOOF(uint32_t i) { return 0x08200 + i * 4; }  // 0..7
constexpr uint32_t VMECM(uint32_t i) { return 0x08790 + i * 4; }
constexpr uint32_t VMOLR(uint32_t i) { return 0x0F000 + i * 4; }  // 0..63
constexpr uint32_t PFVML2FLT(uint32_t i) { return VMOLR(i); }  // datasheet
constexpr uint32_t VLVF(uint32_t i) { return 0x0F100 + i * 4; }   // 0..63
constexpr uint32_t VLVFB(uint32_t i) { return 0x0F200 + i * 4; }  // 0..127
constexpr uint32_t UTA(uint32_t i) { return 0x0F400 + i * 4; }    // 0..127
constexpr uint32_t MRCTL(uint32_t i) { return 0x0F600 + i * 4; }
constexpr uint32_t VMRVLAN(uint32_t i) { return 0x0F610 + i * 4; }
constexpr uint32_t VMRVM(uint32_t i) { return 0x0F630 + i * 4; }
constexpr uint32_t PFVFMRQC(uint32_t p) { return 0x03400 + p * 4; }
inline constexpr uint32_t kNumRar = 128;

inline constexpr uint32_t RAH_VIND_MASK = 0x003C0000;
inline constexpr uint32_t RAH_AV = 0x80000000;
inline constexpr uint32_t VMOLR_AUPE = 0x01000000;
inline constexpr uint32_t VMOLR_ROMPE = 0x02000000;
inline constexpr uint32_t VMOLR_ROPE = 0x04000000;
inline constexpr uint32_t VMOLR_BAM = 0x08000000;
inline constexpr uint32_t VMOLR_MPE = 0x10000000;
inline constexpr uint32_t VLVF_VIEN = 0x80000000;
inline constexpr uint32_t VLVF_VLANID_MASK = 0x00000FFF;
inline constexpr uint32_t VMVIR_VLANA_MASK = 0xC0000000;
inline constexpr uint32_t VMVIR_VLANA_DEFAULT = 0x40000000;
inline constexpr uint32_t VMVIR_VLANA_NEVER = 0x80000000;
inline constexpr uint32_t SPOOF_VLANAS_SHIFT = 8;  // PFVFSPOOF

// ---- Mailbox / VF management (owned by core/ixgbe/mailbox.h) ----
constexpr uint32_t PFVFLRE(uint32_t i) { return (i & 1) ? 0x001C0 : 0x00600; }
constexpr uint32_t VFLRE(uint32_t i) { return PFVFLRE(i); }
constexpr uint32_t PFVFLREC(uint32_t i) { return 0x00700 + i * 4; }
constexpr uint32_t VFLREC(uint32_t i) { return PFVFLREC(i); }
constexpr uint32_t MBVFICR(uint32_t i) { return 0x00710 + i * 4; }
constexpr uint32_t PFMBICR(uint32_t i) { return MBVFICR(i); }
constexpr uint32_t PFMBIMR(uint32_t i) { return 0x00720 + i * 4; }
constexpr uint32_t PFMAILBOX(uint32_t i) { return 0x04B00 + 4 * i; }
constexpr uint32_t PFMBMEM(uint32_t i) { return 0x13000 + 64 * i; }
inline constexpr uint32_t kNumVfs = 64;

// NOLINTEND(readability-identifier-naming)

}  // namespace snic::ixgbe::reg

#endif  // SNIC_CORE_IXGBE_REGS_H
