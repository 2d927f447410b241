/*
 * sriov-nic: the Intel 82599 personality (personality=ixgbe) on PCI: the
 * IDs and capability layout of an 82599 10 GbE controller (backplane KX4,
 * so no PHY or SFP for the driver to look for) and of its VFs, as the
 * stock Linux ixgbe and ixgbevf drivers bind to them. The registers are
 * the core's (core/ixgbe/); the BAR sizes and MSI-X vector counts are its
 * layout (snic_core_layout, snic_core_vf_layout).
 *
 *   PF 8086:10F7 (IXGBE_DEV_ID_82599_KX4), subsystem 8086:000C, rev 01
 *     BAR 0  128 KiB  registers         BAR 4  16 KiB  MSI-X (64 vectors)
 *     0x40 PM -> 0x50 MSI -> 0x70 MSI-X -> 0xA0 PCIe (v2 endpoint, FLR)
 *     0x100 AER -> 0x150 ARI -> 0x160 SR-IOV (VF offset 0x80, stride 2,
 *     VF device 10ED)
 *   VF 8086:10ED (IXGBE_DEV_ID_82599_VF)
 *     BAR 0   16 KiB  registers         BAR 3  16 KiB  MSI-X (3 vectors)
 *     0x70 MSI-X -> 0xA0 PCIe (v2 endpoint, FLR); 0x100 AER -> 0x150 ARI
 *
 * The order of the calls below is the layout's: QEMU puts each standard
 * capability at the head of the list, so they are added last first (as
 * hw/net/igb.c does), and appends each extended one to the chain.
 *
 * Copyright (c) 2026 The sriov-nic authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "hw/pci/msi.h"
#include "hw/pci/msix.h"
#include "hw/pci/pcie.h"
#include "hw/pci/pcie_aer.h"
#include "qapi/error.h"
#include "sriov-nic.h"

#define SRIOV_NIC_IXGBE_PM_CAP      0x40
#define SRIOV_NIC_IXGBE_MSI_CAP     0x50
#define SRIOV_NIC_IXGBE_MSIX_CAP    0x70
#define SRIOV_NIC_IXGBE_EXP_CAP     0xa0
#define SRIOV_NIC_IXGBE_AER_CAP     0x100
#define SRIOV_NIC_IXGBE_ARI_CAP     0x150

/*
 * Power management 1.1, no PME (the device cannot wake the system). The
 * power state is writable: in D3hot QEMU unmaps the BARs, as hardware
 * stops decoding them.
 */
static bool sriov_nic_ixgbe_pm_init(PCIDevice *dev, Error **errp)
{
    int pos = pci_pm_init(dev, SRIOV_NIC_IXGBE_PM_CAP, errp);

    if (pos < 0) {
        return false;
    }
    pci_set_word(dev->config + pos + PCI_PM_PMC,
                 PCI_PM_CAP_VER_1_1 | PCI_PM_CAP_DSI);
    pci_set_word(dev->wmask + pos + PCI_PM_CTRL, PCI_PM_CTRL_STATE_MASK);
    return true;
}

static bool sriov_nic_ixgbe_caps(PCIDevice *dev, SriovNicState *pf,
                                 SnicFn fn, SriovNicBar *bar,
                                 const SnicLayout *l, Error **errp)
{
    bool is_pf = fn == SNIC_FN_PF;

    if (pcie_endpoint_cap_init(dev, SRIOV_NIC_IXGBE_EXP_CAP) < 0) {
        error_setg(errp, "sriov-nic: cannot add the PCIe capability");
        return false;
    }
    if (is_pf) {
        /* The 82599's link: PCIe 2.0 x8 (ixgbe checks its bandwidth). */
        pcie_cap_fill_link_ep_usp(dev, QEMU_PCI_EXP_LNK_X8,
                                  QEMU_PCI_EXP_LNK_5GT);
    }
    if (!sriov_nic_msix_init(dev, pf, bar, l, SRIOV_NIC_IXGBE_MSIX_CAP,
                             errp)) {
        goto fail_exp;
    }
    if (is_pf) {
        /*
         * One 64-bit message with per-vector masking. A machine without
         * MSI support (msi_nonbroken false) leaves it out, as igb does;
         * ixgbe then falls back to INTx.
         */
        msi_init(dev, SRIOV_NIC_IXGBE_MSI_CAP, 1, true, true, NULL);
        if (!sriov_nic_ixgbe_pm_init(dev, errp)) {
            goto fail_msi;
        }
    }
    pcie_cap_flr_init(dev);
    if (pcie_aer_init(dev, PCI_ERR_VER, SRIOV_NIC_IXGBE_AER_CAP,
                      PCI_ERR_SIZEOF, errp) < 0) {
        goto fail_msi;
    }
    pcie_ari_init(dev, SRIOV_NIC_IXGBE_ARI_CAP);
    return true;

fail_msi:
    msi_uninit(dev);
    msix_unuse_all_vectors(dev);
    msix_uninit(dev, bar->msix_mr, bar->msix_mr);
fail_exp:
    pcie_cap_exit(dev);
    return false;
}

static void sriov_nic_ixgbe_caps_exit(PCIDevice *dev, SriovNicBar *bar)
{
    pcie_aer_exit(dev);
    msi_uninit(dev);
}

const SriovNicPersonality sriov_nic_ixgbe_personality = {
    .name = "ixgbe",
    .desc = "Intel 82599",
    .vendor_id = PCI_VENDOR_ID_INTEL,
    .pf_device_id = 0x10f7,     /* IXGBE_DEV_ID_82599_KX4 */
    .vf_device_id = 0x10ed,     /* IXGBE_DEV_ID_82599_VF */
    .subsys_vendor_id = PCI_VENDOR_ID_INTEL,
    .subsys_id = 0x000c,
    .revision = 1,
    /* VF n at devfn + 0x80 + 2n: a PF at 00.0 has room for all 63. */
    .vf_offset = 0x80,
    .vf_stride = 2,
    .max_vfs = SNIC_IXGBE_MAX_VFS,
    .pf_bar_type = PCI_BASE_ADDRESS_MEM_TYPE_64,
    .vf_bar_type = PCI_BASE_ADDRESS_MEM_TYPE_64 |
                   PCI_BASE_ADDRESS_MEM_PREFETCH,
    .caps_init = sriov_nic_ixgbe_caps,
    .caps_exit = sriov_nic_ixgbe_caps_exit,
};
