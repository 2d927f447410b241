/*
 * sriov-nic: what the PF and every VF share. Each function has its own
 * BAR 0 (the core's regions, then QEMU's MSI-X table and PBA; the core
 * owns the layout, snic_core_layout), its own personality capabilities
 * pointing into it, a PCIe endpoint capability with FLR, and ARI.
 *
 * Re-entrancy: QEMU's MemReentrancyGuard is per DeviceState, and a DMA of
 * one function may land on another function's BAR. Every MemoryRegion of
 * every function is therefore guarded by the PF's guard (the one the
 * bottom half and the netdev use), so such an access is refused by QEMU
 * and fails the DMA; the core refuses it too (snic_core_mmio_* return
 * false), the second line.
 *
 * Copyright (c) 2026 The sriov-nic authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "hw/pci/msix.h"
#include "hw/pci/pcie.h"
#include "qapi/error.h"
#include "sriov-nic.h"
#include "trace.h"

static MemTxResult sriov_nic_region_read(void *opaque, hwaddr addr,
                                         uint64_t *data, unsigned size,
                                         MemTxAttrs attrs)
{
    SriovNicRegion *r = opaque;

    if (!snic_core_mmio_read(r->pf->core, r->fn, r->index, addr, size, data)) {
        trace_sriov_nic_mmio_refused(r->fn, r->index, addr, size);
        return MEMTX_ERROR;
    }
    trace_sriov_nic_mmio_read(r->fn, r->index, addr, size, *data);
    return MEMTX_OK;
}

static MemTxResult sriov_nic_region_write(void *opaque, hwaddr addr,
                                          uint64_t data, unsigned size,
                                          MemTxAttrs attrs)
{
    SriovNicRegion *r = opaque;

    trace_sriov_nic_mmio_write(r->fn, r->index, addr, size, data);
    if (!snic_core_mmio_write(r->pf->core, r->fn, r->index, addr, data,
                              size)) {
        trace_sriov_nic_mmio_refused(r->fn, r->index, addr, size);
        return MEMTX_ERROR;
    }
    return MEMTX_OK;
}

/* The core checks width and alignment itself: pass every access through. */
static const MemoryRegionOps sriov_nic_region_ops = {
    .read_with_attrs = sriov_nic_region_read,
    .write_with_attrs = sriov_nic_region_write,
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

bool sriov_nic_function_realize(PCIDevice *dev, SriovNicState *pf,
                                SnicFn fn, SriovNicBar *bar, Error **errp)
{
    const SnicLayout *l = snic_core_layout(pf->core);
    Object *owner = OBJECT(dev);
    uint32_t i;

    assert(l->num_regions <= SRIOV_NIC_MAX_REGIONS);
    pci_config_set_vendor_id(dev->config, SRIOV_NIC_VENDOR_ID);
    pci_config_set_device_id(dev->config, SRIOV_NIC_DEVICE_ID);
    pci_set_word(dev->config + PCI_SUBSYSTEM_VENDOR_ID, SRIOV_NIC_VENDOR_ID);
    pci_set_word(dev->config + PCI_SUBSYSTEM_ID, SRIOV_NIC_SUBSYS_ID);

    memory_region_init(&bar->bar, owner, "sriov-nic-bar0", l->bar_size);
    for (i = 0; i < l->num_regions; i++) {
        SriovNicRegion *r = &bar->regions[i];
        g_autofree char *name = g_strdup_printf("sriov-nic-%s",
                                                l->regions[i].name);

        r->pf = pf;
        r->fn = fn;
        r->index = i;
        memory_region_init_io(&r->mr, owner, &sriov_nic_region_ops, r, name,
                              l->regions[i].size);
        /* One re-entrancy guard for the whole device (see above). */
        r->mr.dev = DEVICE(pf);
        memory_region_add_subregion(&bar->bar, l->regions[i].offset, &r->mr);
    }
    pci_register_bar(dev, SRIOV_NIC_BAR,
                     PCI_BASE_ADDRESS_SPACE_MEMORY |
                     PCI_BASE_ADDRESS_MEM_TYPE_64 |
                     PCI_BASE_ADDRESS_MEM_PREFETCH, &bar->bar);

    if (msix_init(dev, l->msix_vectors,
                  &bar->bar, SRIOV_NIC_BAR, l->msix_table_offset,
                  &bar->bar, SRIOV_NIC_BAR, l->msix_pba_offset,
                  0, errp)) {
        return false;
    }
    dev->msix_table_mmio.dev = DEVICE(pf);
    dev->msix_pba_mmio.dev = DEVICE(pf);
    for (i = 0; i < l->msix_vectors; i++) {
        msix_vector_use(dev, i);
    }

    sriov_nic_virtio_caps_init(dev, bar, l);

    if (pcie_endpoint_cap_init(dev, 0) < 0) {
        error_setg(errp, "sriov-nic: cannot add the PCIe capability");
        msix_unuse_all_vectors(dev);
        msix_uninit(dev, &bar->bar, &bar->bar);
        return false;
    }
    pcie_cap_flr_init(dev);
    pcie_ari_init(dev, PCI_CONFIG_SPACE_SIZE);
    bar->bus_master = false;
    return true;
}

void sriov_nic_function_unrealize(PCIDevice *dev, SriovNicBar *bar)
{
    pcie_cap_exit(dev);
    msix_unuse_all_vectors(dev);
    msix_uninit(dev, &bar->bar, &bar->bar);
}

void sriov_nic_function_config_written(PCIDevice *dev, SriovNicState *pf,
                                       SnicFn fn, SriovNicBar *bar)
{
    bool on = pci_get_word(dev->config + PCI_COMMAND) & PCI_COMMAND_MASTER;

    if (on != bar->bus_master) {
        sriov_nic_function_sync(dev, pf, fn, bar);
    }
}

void sriov_nic_function_sync(PCIDevice *dev, SriovNicState *pf, SnicFn fn,
                             SriovNicBar *bar)
{
    bar->bus_master = pci_get_word(dev->config + PCI_COMMAND) &
                      PCI_COMMAND_MASTER;
    trace_sriov_nic_bus_master(fn, bar->bus_master);
    snic_core_set_bus_master(pf->core, fn, bar->bus_master);
}

void sriov_nic_function_reset(SriovNicBar *bar)
{
    /* The core's function reset clears Bus Master Enable, as PCI does. */
    bar->bus_master = false;
}
