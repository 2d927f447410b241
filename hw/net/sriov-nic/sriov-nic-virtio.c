/*
 * sriov-nic: the virtio-pci modern personality (the default): 1af4:1041 on
 * the PF and every VF, and the capabilities of virtio 1.2 4.1.4: one
 * vendor capability per region of the core's layout, and the
 * VIRTIO_PCI_CAP_PCI_CFG window, whose accesses go through memory
 * dispatch (as hw/virtio/virtio-pci.c does), so the re-entrancy guard
 * applies to them like to any other access.
 *
 * Copyright (c) 2026 The sriov-nic authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "exec/memop.h"
#include "hw/pci/msix.h"
#include "hw/pci/pci.h"
#include "hw/pci/pcie.h"
#include "qapi/error.h"
#include "standard-headers/linux/virtio_pci.h"
#include "sriov-nic.h"

static uint8_t sriov_nic_add_virtio_cap(PCIDevice *dev, uint8_t cfg_type,
                                        uint32_t offset, uint32_t length,
                                        uint8_t cap_len, uint32_t extra)
{
    int pos = pci_add_capability(dev, PCI_CAP_ID_VNDR, 0, cap_len,
                                 &error_abort);
    uint8_t *c = dev->config + pos;

    c[VIRTIO_PCI_CAP_LEN] = cap_len;
    c[VIRTIO_PCI_CAP_CFG_TYPE] = cfg_type;
    c[VIRTIO_PCI_CAP_BAR] = SRIOV_NIC_BAR;
    pci_set_long(c + VIRTIO_PCI_CAP_OFFSET, offset);
    pci_set_long(c + VIRTIO_PCI_CAP_LENGTH, length);
    if (cap_len > sizeof(struct virtio_pci_cap)) {
        pci_set_long(c + sizeof(struct virtio_pci_cap), extra);
    }
    return pos;
}

static void sriov_nic_virtio_vendor_caps_init(PCIDevice *dev,
                                              SriovNicBar *bar,
                                              const SnicLayout *l)
{
    uint32_t i;
    uint8_t pos;

    for (i = 0; i < l->num_regions; i++) {
        const SnicRegionInfo *r = &l->regions[i];
        bool notify = r->virtio_cap_type == VIRTIO_PCI_CAP_NOTIFY_CFG;

        if (!r->virtio_cap_type) {
            continue;
        }
        sriov_nic_add_virtio_cap(dev, r->virtio_cap_type, r->offset, r->size,
                                 notify ? sizeof(struct virtio_pci_notify_cap)
                                        : sizeof(struct virtio_pci_cap),
                                 l->notify_off_multiplier);
    }
    /* VIRTIO_PCI_CAP_PCI_CFG: bar/offset/length/data are guest-writable. */
    pos = sriov_nic_add_virtio_cap(dev, VIRTIO_PCI_CAP_PCI_CFG, 0, 0,
                                   sizeof(struct virtio_pci_cfg_cap), 0);
    bar->pci_cfg_cap = pos;
    pci_set_byte(dev->wmask + pos + VIRTIO_PCI_CAP_BAR, 0xff);
    pci_set_long(dev->wmask + pos + VIRTIO_PCI_CAP_OFFSET, ~0);
    pci_set_long(dev->wmask + pos + VIRTIO_PCI_CAP_LENGTH, ~0);
    pci_set_long(dev->wmask + pos +
                 offsetof(struct virtio_pci_cfg_cap, pci_cfg_data), ~0);
}

/*
 * MSI-X at the first free offset, the virtio vendor capabilities, PCIe
 * (endpoint, FLR) and ARI at 0x100: the same on the PF and every VF.
 */
static bool sriov_nic_virtio_caps(PCIDevice *dev, SriovNicState *pf,
                                  SnicFn fn, SriovNicBar *bar,
                                  const SnicLayout *l, Error **errp)
{
    if (!sriov_nic_msix_init(dev, pf, bar, l, 0, errp)) {
        return false;
    }
    sriov_nic_virtio_vendor_caps_init(dev, bar, l);
    if (pcie_endpoint_cap_init(dev, 0) < 0) {
        error_setg(errp, "sriov-nic: cannot add the PCIe capability");
        msix_unuse_all_vectors(dev);
        msix_uninit(dev, bar->msix_mr, bar->msix_mr);
        return false;
    }
    pcie_cap_flr_init(dev);
    pcie_ari_init(dev, PCI_CONFIG_SPACE_SIZE);
    return true;
}

static void sriov_nic_virtio_caps_exit(PCIDevice *dev, SriovNicBar *bar)
{
    bar->pci_cfg_cap = 0;
}

const SriovNicPersonality sriov_nic_virtio_personality = {
    .name = "virtio-net",
    .desc = "virtio-net",
    .vendor_id = SRIOV_NIC_VENDOR_ID,
    .pf_device_id = SRIOV_NIC_DEVICE_ID,
    .vf_device_id = SRIOV_NIC_DEVICE_ID,
    .subsys_vendor_id = SRIOV_NIC_VENDOR_ID,
    .subsys_id = SRIOV_NIC_SUBSYS_ID,
    .revision = SRIOV_NIC_REVISION,
    .vf_offset = SRIOV_NIC_VF_OFFSET,
    .vf_stride = SRIOV_NIC_VF_STRIDE,
    .max_vfs = SNIC_MAX_VFS,
    .pf_bar_type = PCI_BASE_ADDRESS_MEM_TYPE_64 |
                   PCI_BASE_ADDRESS_MEM_PREFETCH,
    .vf_bar_type = PCI_BASE_ADDRESS_MEM_TYPE_64 |
                   PCI_BASE_ADDRESS_MEM_PREFETCH,
    .caps_init = sriov_nic_virtio_caps,
    .caps_exit = sriov_nic_virtio_caps_exit,
};

/*
 * The window (virtio 1.2 4.1.4.9): an access to pci_cfg_data goes to BAR
 * cap.bar at cap.offset for cap.length bytes (1, 2 or 4, naturally
 * aligned), whatever the width of the config access that starts at
 * pci_cfg_data. As in virtio-pci, only the core's regions are reachable.
 * Returns the region, or NULL when the device performs no access.
 */
static MemoryRegion *sriov_nic_pci_cfg_target(PCIDevice *dev,
                                              SriovNicBar *bar,
                                              uint32_t addr, int len,
                                              hwaddr *off, unsigned *size)
{
    uint8_t *cap = dev->config + bar->pci_cfg_cap;
    uint32_t data = bar->pci_cfg_cap +
                    offsetof(struct virtio_pci_cfg_cap, pci_cfg_data);
    uint32_t bar_off = pci_get_long(cap + VIRTIO_PCI_CAP_OFFSET);
    uint32_t length = pci_get_long(cap + VIRTIO_PCI_CAP_LENGTH);

    int i;

    if (!bar->pci_cfg_cap || addr != data ||
        cap[VIRTIO_PCI_CAP_BAR] != SRIOV_NIC_BAR ||
        (length != 1 && length != 2 && length != 4) || len < length ||
        bar_off % length) {
        return NULL;
    }
    for (i = 0; i < SRIOV_NIC_MAX_REGIONS && bar->regions[i].pf; i++) {
        MemoryRegion *mr = &bar->regions[i].mr;
        hwaddr start = mr->addr;

        if (bar_off >= start &&
            bar_off - start + length <= memory_region_size(mr)) {
            *off = bar_off - start;
            *size = length;
            return mr;
        }
    }
    return NULL;
}

void sriov_nic_pci_cfg_write(PCIDevice *dev, SriovNicBar *bar, uint32_t addr,
                             uint32_t val, int len)
{
    hwaddr off;
    unsigned size;
    MemoryRegion *mr = sriov_nic_pci_cfg_target(dev, bar, addr, len, &off,
                                                &size);

    if (mr) {
        memory_region_dispatch_write(mr, off,
                                     val & MAKE_64BIT_MASK(0, size * 8),
                                     size_memop(size) | MO_LE,
                                     MEMTXATTRS_UNSPECIFIED);
    }
}

uint32_t sriov_nic_pci_cfg_read(PCIDevice *dev, SriovNicBar *bar,
                                uint32_t addr, int len)
{
    hwaddr off;
    unsigned size;
    MemoryRegion *mr = sriov_nic_pci_cfg_target(dev, bar, addr, len, &off,
                                                &size);

    if (mr) {
        uint64_t val = 0;

        memory_region_dispatch_read(mr, off, &val,
                                    size_memop(size) | MO_LE,
                                    MEMTXATTRS_UNSPECIFIED);
        pci_set_long(dev->config + addr, val);
    }
    return pci_default_read_config(dev, addr, len);
}
