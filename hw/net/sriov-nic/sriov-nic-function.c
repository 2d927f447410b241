/*
 * sriov-nic: what the PF and every VF share. Each function has its own
 * BAR 0 (virtio common/ISR/device/notify regions served by the core, then
 * QEMU's MSI-X table and PBA), its own virtio vendor capabilities pointing
 * into it, a PCIe endpoint capability with FLR, and ARI.
 *
 * Copyright (c) 2026 The sriov-nic authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "hw/pci/msix.h"
#include "hw/pci/pcie.h"
#include "qapi/error.h"
#include "standard-headers/linux/virtio_pci.h"
#include "sriov-nic.h"
#include "trace.h"

static const struct {
    const char *name;
    uint32_t offset;
    uint32_t size;
    uint8_t cfg_type;
} sriov_nic_regions[] = {
    [SNIC_REGION_COMMON] = { "common", SNIC_BAR_COMMON_OFFSET,
                             SNIC_BAR_COMMON_SIZE, VIRTIO_PCI_CAP_COMMON_CFG },
    [SNIC_REGION_ISR] = { "isr", SNIC_BAR_ISR_OFFSET,
                          SNIC_BAR_ISR_SIZE, VIRTIO_PCI_CAP_ISR_CFG },
    [SNIC_REGION_DEVICE] = { "device", SNIC_BAR_DEVICE_OFFSET,
                             SNIC_BAR_DEVICE_SIZE, VIRTIO_PCI_CAP_DEVICE_CFG },
    [SNIC_REGION_NOTIFY] = { "notify", SNIC_BAR_NOTIFY_OFFSET,
                             SNIC_BAR_NOTIFY_SIZE, VIRTIO_PCI_CAP_NOTIFY_CFG },
};

static uint64_t sriov_nic_region_read(void *opaque, hwaddr addr,
                                      unsigned size)
{
    SriovNicRegion *r = opaque;
    uint64_t val = snic_core_mmio_read(r->pf->core, r->fn, r->region, addr,
                                       size);

    trace_sriov_nic_mmio_read(r->fn, r->region, addr, size, val);
    return val;
}

static void sriov_nic_region_write(void *opaque, hwaddr addr, uint64_t val,
                                   unsigned size)
{
    SriovNicRegion *r = opaque;

    trace_sriov_nic_mmio_write(r->fn, r->region, addr, size, val);
    snic_core_mmio_write(r->pf->core, r->fn, r->region, addr, val, size);
}

/* The core checks width and alignment itself: pass every access through. */
static const MemoryRegionOps sriov_nic_region_ops = {
    .read = sriov_nic_region_read,
    .write = sriov_nic_region_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = {
        .min_access_size = 1,
        .max_access_size = 8,
        .unaligned = true,
    },
    .impl = {
        .min_access_size = 1,
        .max_access_size = 8,
        .unaligned = true,
    },
};

static void sriov_nic_add_virtio_cap(PCIDevice *dev, uint8_t cfg_type,
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
}

bool sriov_nic_function_realize(PCIDevice *dev, SriovNicState *pf,
                                SnicFn fn, SriovNicBar *bar, Error **errp)
{
    Object *owner = OBJECT(dev);
    int i;

    pci_config_set_vendor_id(dev->config, SRIOV_NIC_VENDOR_ID);
    pci_config_set_device_id(dev->config, SRIOV_NIC_DEVICE_ID);
    pci_set_word(dev->config + PCI_SUBSYSTEM_VENDOR_ID, SRIOV_NIC_VENDOR_ID);
    pci_set_word(dev->config + PCI_SUBSYSTEM_ID, SRIOV_NIC_SUBSYS_ID);

    memory_region_init(&bar->bar, owner, "sriov-nic-bar0", SNIC_BAR_SIZE);
    for (i = 0; i < ARRAY_SIZE(sriov_nic_regions); i++) {
        SriovNicRegion *r = &bar->regions[i];

        r->pf = pf;
        r->fn = fn;
        r->region = i;
        memory_region_init_io(&r->mr, owner, &sriov_nic_region_ops, r,
                              sriov_nic_regions[i].name,
                              sriov_nic_regions[i].size);
        memory_region_add_subregion(&bar->bar, sriov_nic_regions[i].offset,
                                    &r->mr);
    }
    pci_register_bar(dev, SRIOV_NIC_BAR,
                     PCI_BASE_ADDRESS_SPACE_MEMORY |
                     PCI_BASE_ADDRESS_MEM_TYPE_64 |
                     PCI_BASE_ADDRESS_MEM_PREFETCH, &bar->bar);

    if (msix_init(dev, SNIC_MSIX_VECTORS,
                  &bar->bar, SRIOV_NIC_BAR, SNIC_BAR_MSIX_TABLE_OFFSET,
                  &bar->bar, SRIOV_NIC_BAR, SNIC_BAR_MSIX_PBA_OFFSET,
                  0, errp)) {
        return false;
    }
    for (i = 0; i < SNIC_MSIX_VECTORS; i++) {
        msix_vector_use(dev, i);
    }

    for (i = 0; i < ARRAY_SIZE(sriov_nic_regions); i++) {
        bool notify = sriov_nic_regions[i].cfg_type ==
                      VIRTIO_PCI_CAP_NOTIFY_CFG;

        sriov_nic_add_virtio_cap(dev, sriov_nic_regions[i].cfg_type,
                                 sriov_nic_regions[i].offset,
                                 sriov_nic_regions[i].size,
                                 notify ? sizeof(struct virtio_pci_notify_cap)
                                        : sizeof(struct virtio_pci_cap),
                                 SNIC_NOTIFY_OFF_MULTIPLIER);
    }
    /* VIRTIO_PCI_CAP_PCI_CFG: bar/offset/length/data are guest-writable. */
    sriov_nic_add_virtio_cap(dev, VIRTIO_PCI_CAP_PCI_CFG, 0, 0,
                             sizeof(struct virtio_pci_cfg_cap), 0);
    bar->pci_cfg_cap = dev->config[PCI_CAPABILITY_LIST];
    while (dev->config[bar->pci_cfg_cap + VIRTIO_PCI_CAP_CFG_TYPE] !=
           VIRTIO_PCI_CAP_PCI_CFG ||
           dev->config[bar->pci_cfg_cap] != PCI_CAP_ID_VNDR) {
        bar->pci_cfg_cap = dev->config[bar->pci_cfg_cap + PCI_CAP_LIST_NEXT];
    }
    pci_set_byte(dev->wmask + bar->pci_cfg_cap + VIRTIO_PCI_CAP_BAR, 0xff);
    pci_set_long(dev->wmask + bar->pci_cfg_cap + VIRTIO_PCI_CAP_OFFSET, ~0);
    pci_set_long(dev->wmask + bar->pci_cfg_cap + VIRTIO_PCI_CAP_LENGTH, ~0);
    pci_set_long(dev->wmask + bar->pci_cfg_cap +
                 offsetof(struct virtio_pci_cfg_cap, pci_cfg_data), ~0);

    if (pcie_endpoint_cap_init(dev, 0) < 0) {
        error_setg(errp, "sriov-nic: cannot add the PCIe capability");
        msix_unuse_all_vectors(dev);
        msix_uninit(dev, &bar->bar, &bar->bar);
        return false;
    }
    pcie_cap_flr_init(dev);
    pcie_ari_init(dev, PCI_CONFIG_SPACE_SIZE);
    return true;
}

void sriov_nic_function_unrealize(PCIDevice *dev, SriovNicBar *bar)
{
    pcie_cap_exit(dev);
    msix_unuse_all_vectors(dev);
    msix_uninit(dev, &bar->bar, &bar->bar);
}

/*
 * Decode the VIRTIO_PCI_CAP_PCI_CFG window (virtio 1.2, 4.1.4.9): an access
 * to pci_cfg_data goes to BAR cap.bar at cap.offset for cap.length bytes.
 * Returns the region, or -1 when the driver set up something we ignore.
 */
static int sriov_nic_pci_cfg_target(PCIDevice *dev, SriovNicBar *bar,
                                    uint32_t addr, int len, uint64_t *off,
                                    unsigned *size)
{
    uint8_t *cap = dev->config + bar->pci_cfg_cap;
    uint32_t data = bar->pci_cfg_cap +
                    offsetof(struct virtio_pci_cfg_cap, pci_cfg_data);
    uint32_t bar_off = pci_get_long(cap + VIRTIO_PCI_CAP_OFFSET);
    uint32_t length = pci_get_long(cap + VIRTIO_PCI_CAP_LENGTH);
    int i;

    if (!bar->pci_cfg_cap || addr != data || len != 4 ||
        cap[VIRTIO_PCI_CAP_BAR] != SRIOV_NIC_BAR ||
        (length != 1 && length != 2 && length != 4) ||
        bar_off % length) {
        return -1;
    }
    for (i = 0; i < ARRAY_SIZE(sriov_nic_regions); i++) {
        uint32_t start = sriov_nic_regions[i].offset;

        if (bar_off >= start &&
            bar_off - start + length <= sriov_nic_regions[i].size) {
            *off = bar_off - start;
            *size = length;
            return i;
        }
    }
    return -1;
}

void sriov_nic_pci_cfg_write(PCIDevice *dev, SriovNicState *pf, SnicFn fn,
                             SriovNicBar *bar, uint32_t addr, uint32_t val,
                             int len)
{
    uint64_t off;
    unsigned size;
    int region = sriov_nic_pci_cfg_target(dev, bar, addr, len, &off, &size);

    if (region >= 0) {
        snic_core_mmio_write(pf->core, fn, region, off,
                             val & MAKE_64BIT_MASK(0, size * 8), size);
    }
}

uint32_t sriov_nic_pci_cfg_read(PCIDevice *dev, SriovNicState *pf,
                                SnicFn fn, SriovNicBar *bar, uint32_t addr,
                                int len)
{
    uint64_t off;
    unsigned size;
    int region = sriov_nic_pci_cfg_target(dev, bar, addr, len, &off, &size);

    if (region >= 0) {
        uint32_t val = snic_core_mmio_read(pf->core, fn, region, off, size);
        pci_set_long(dev->config + addr, val);
    }
    return pci_default_read_config(dev, addr, len);
}
