/*
 * sriov-nic: Virtual Function. Created by the PF's SR-IOV capability
 * (pcie_sriov_pf_init), never by the user. Each VF has its own config
 * space, BARs, MSI-X table and queues, of the PF's personality; its state
 * lives in the PF's core under function index 1 + VF number.
 *
 * Copyright (c) 2026 The sriov-nic authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "hw/pci/pcie.h"
#include "hw/pci/pcie_sriov.h"
#include "qapi/error.h"
#include "qemu/module.h"
#include "sriov-nic.h"
#include "trace.h"

static SriovNicState *sriov_nic_vf_pf(PCIDevice *dev)
{
    return SRIOV_NIC(pcie_sriov_get_pf(dev));
}

static SnicFn sriov_nic_vf_fn(PCIDevice *dev)
{
    return 1 + pcie_sriov_vf_number(dev);
}

static void sriov_nic_vf_write_config(PCIDevice *dev, uint32_t addr,
                                      uint32_t val, int len)
{
    SriovNicVfState *vf = SRIOV_NIC_VF(dev);

    pci_default_write_config(dev, addr, val, len);
    sriov_nic_function_config_written(dev, sriov_nic_vf_pf(dev),
                                      sriov_nic_vf_fn(dev), &vf->bar);
    pcie_cap_flr_write_config(dev, addr, val, len);
    sriov_nic_pci_cfg_write(dev, &vf->bar, addr, val, len);
}

static uint32_t sriov_nic_vf_read_config(PCIDevice *dev, uint32_t addr,
                                         int len)
{
    SriovNicVfState *vf = SRIOV_NIC_VF(dev);

    return sriov_nic_pci_cfg_read(dev, &vf->bar, addr, len);
}

static void sriov_nic_vf_realize(PCIDevice *dev, Error **errp)
{
    SriovNicVfState *vf = SRIOV_NIC_VF(dev);
    PCIDevice *pf_dev = pcie_sriov_get_pf(dev);

    if (!pf_dev || !object_dynamic_cast(OBJECT(pf_dev), TYPE_SRIOV_NIC)) {
        error_setg(errp, "%s is created by a %s PF's SR-IOV capability, "
                   "not by hand", TYPE_SRIOV_NIC_VF, TYPE_SRIOV_NIC);
        return;
    }
    dev->config_write = sriov_nic_vf_write_config;
    dev->config_read = sriov_nic_vf_read_config;
    sriov_nic_function_realize(dev, SRIOV_NIC(pf_dev), sriov_nic_vf_fn(dev),
                               &vf->bar, errp);
}

static void sriov_nic_vf_exit(PCIDevice *dev)
{
    SriovNicVfState *vf = SRIOV_NIC_VF(dev);

    sriov_nic_function_unrealize(dev, sriov_nic_vf_pf(dev), &vf->bar);
}

static void sriov_nic_vf_reset_hold(Object *obj, ResetType type)
{
    PCIDevice *dev = PCI_DEVICE(obj);
    SriovNicState *pf = sriov_nic_vf_pf(dev);

    trace_sriov_nic_reset(sriov_nic_vf_fn(dev));
    if (pf->core) {
        snic_core_reset_function(pf->core, sriov_nic_vf_fn(dev));
    }
    sriov_nic_function_reset(&SRIOV_NIC_VF(obj)->bar);
}

static void sriov_nic_vf_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    PCIDeviceClass *k = PCI_DEVICE_CLASS(klass);
    ResettableClass *rc = RESETTABLE_CLASS(klass);

    k->realize = sriov_nic_vf_realize;
    k->exit = sriov_nic_vf_exit;
    k->vendor_id = SRIOV_NIC_VENDOR_ID;
    k->device_id = SRIOV_NIC_DEVICE_ID;
    k->revision = SRIOV_NIC_REVISION;
    k->class_id = PCI_CLASS_NETWORK_ETHERNET;
    rc->phases.hold = sriov_nic_vf_reset_hold;

    sriov_nic_vf_class_add_admin_props(klass);
    dc->desc = "SR-IOV NIC (Virtual Function) of a sriov-nic PF, of its "
               "personality";
    dc->user_creatable = false;
    set_bit(DEVICE_CATEGORY_NETWORK, dc->categories);
}

static const TypeInfo sriov_nic_vf_info = {
    .name = TYPE_SRIOV_NIC_VF,
    .parent = TYPE_PCI_DEVICE,
    .instance_size = sizeof(SriovNicVfState),
    .class_init = sriov_nic_vf_class_init,
    .interfaces = (InterfaceInfo[]) {
        { INTERFACE_PCIE_DEVICE },
        { }
    },
};

static void sriov_nic_vf_register_types(void)
{
    type_register_static(&sriov_nic_vf_info);
}

type_init(sriov_nic_vf_register_types)
