/*
 * sriov-nic: what the PF and every VF share. Each function has its own
 * BAR 0 (the core's regions; the core owns the layout, snic_core_layout
 * and snic_core_vf_layout), QEMU's MSI-X table and PBA (after the regions
 * or in a BAR of their own, as the layout says), and the capabilities its
 * personality adds (sriov-nic-virtio.c, sriov-nic-ixgbe.c): PCIe with FLR
 * and ARI on every one.
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

bool sriov_nic_msix_init(PCIDevice *dev, SriovNicState *pf, SriovNicBar *bar,
                         const SnicLayout *l, uint8_t cap_pos, Error **errp)
{
    uint8_t nr = l->msix_bar ? l->msix_bar : SRIOV_NIC_BAR;
    uint32_t i;

    if (msix_init(dev, l->msix_vectors,
                  bar->msix_mr, nr, l->msix_table_offset,
                  bar->msix_mr, nr, l->msix_pba_offset,
                  cap_pos, errp)) {
        return false;
    }
    dev->msix_table_mmio.dev = DEVICE(pf);
    dev->msix_pba_mmio.dev = DEVICE(pf);
    for (i = 0; i < l->msix_vectors; i++) {
        msix_vector_use(dev, i);
    }
    return true;
}

static void sriov_nic_msix_uninit(PCIDevice *dev, SriovNicBar *bar)
{
    msix_unuse_all_vectors(dev);
    msix_uninit(dev, bar->msix_mr, bar->msix_mr);
}

bool sriov_nic_function_realize(PCIDevice *dev, SriovNicState *pf,
                                SnicFn fn, SriovNicBar *bar, Error **errp)
{
    const SriovNicPersonality *p = pf->pers;
    const SnicLayout *l = fn == SNIC_FN_PF ? snic_core_layout(pf->core)
                                           : snic_core_vf_layout(pf->core);
    uint8_t type = PCI_BASE_ADDRESS_SPACE_MEMORY |
                   (fn == SNIC_FN_PF ? p->pf_bar_type : p->vf_bar_type);
    Object *owner = OBJECT(dev);
    uint32_t i;

    assert(l->num_regions <= SRIOV_NIC_MAX_REGIONS);
    pci_config_set_vendor_id(dev->config, p->vendor_id);
    pci_config_set_device_id(dev->config,
                             fn == SNIC_FN_PF ? p->pf_device_id
                                              : p->vf_device_id);
    pci_config_set_revision(dev->config, p->revision);
    pci_set_word(dev->config + PCI_SUBSYSTEM_VENDOR_ID, p->subsys_vendor_id);
    pci_set_word(dev->config + PCI_SUBSYSTEM_ID, p->subsys_id);

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
    pci_register_bar(dev, SRIOV_NIC_BAR, type, &bar->bar);
    bar->msix_mr = &bar->bar;
    if (l->msix_bar) {
        memory_region_init(&bar->msix, owner, "sriov-nic-msix",
                           l->msix_bar_size);
        pci_register_bar(dev, l->msix_bar, type, &bar->msix);
        bar->msix_mr = &bar->msix;
    }

    if (!p->caps_init(dev, pf, fn, bar, l, errp)) {
        return false;
    }
    bar->bus_master = false;
    return true;
}

void sriov_nic_function_unrealize(PCIDevice *dev, SriovNicState *pf,
                                  SriovNicBar *bar)
{
    pf->pers->caps_exit(dev, bar);
    pcie_cap_exit(dev);
    sriov_nic_msix_uninit(dev, bar);
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
