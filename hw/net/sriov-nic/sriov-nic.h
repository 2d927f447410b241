/*
 * sriov-nic: QEMU glue shared by the PF (sriov-nic.c) and VFs
 * (sriov-nic-vf.c). Device logic lives in core/ behind sriov_nic/sriov_nic.h.
 *
 * Copyright (c) 2026 The sriov-nic authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef HW_NET_SRIOV_NIC_H
#define HW_NET_SRIOV_NIC_H

#include "hw/pci/pci_device.h"
#include "net/net.h"
#include "qom/object.h"
#include "sriov_nic/sriov_nic.h"

#define TYPE_SRIOV_NIC "sriov-nic"
#define TYPE_SRIOV_NIC_VF "sriov-nic-vf"
OBJECT_DECLARE_SIMPLE_TYPE(SriovNicState, SRIOV_NIC)
OBJECT_DECLARE_SIMPLE_TYPE(SriovNicVfState, SRIOV_NIC_VF)

#define SRIOV_NIC_VENDOR_ID      0x1af4 /* Red Hat / virtio */
#define SRIOV_NIC_DEVICE_ID      0x1041 /* virtio-net, modern */
#define SRIOV_NIC_SUBSYS_ID      0x1100 /* as QEMU's virtio devices */
#define SRIOV_NIC_REVISION       1      /* modern virtio requires >= 1 */
#define SRIOV_NIC_VF_OFFSET      1
#define SRIOV_NIC_VF_STRIDE      1
#define SRIOV_NIC_BAR            0
#define SRIOV_NIC_DEFAULT_VFS    8

typedef struct SriovNicRegion {
    MemoryRegion mr;
    SriovNicState *pf;
    SnicFn fn;
    SnicRegion region;
} SriovNicRegion;

/* BAR 0 of one function: virtio regions from the core, MSI-X from QEMU. */
typedef struct SriovNicBar {
    MemoryRegion bar;
    SriovNicRegion regions[4];
    uint8_t pci_cfg_cap;   /* offset of VIRTIO_PCI_CAP_PCI_CFG */
} SriovNicBar;

struct SriovNicState {
    PCIDevice parent_obj;

    NICConf conf;
    NICState *nic;
    uint16_t total_vfs;
    uint16_t mtu;
    uint16_t queue_size;

    /* Startup per-VF policy, "N=VALUE/..." (see sriov-nic-admin.c). */
    struct {
        char *mac, *vlan, *qos, *spoofchk, *trust, *link_state, *max_tx_rate;
    } vf_spec;

    SnicCore *core;
    SriovNicBar bar;
    QEMUBH *bh;
    QEMUTimer *timer;
};

struct SriovNicVfState {
    PCIDevice parent_obj;

    SriovNicBar bar;
};

/* Shared by PF and VF realize: BAR 0, MSI-X, virtio and PCIe capabilities. */
bool sriov_nic_function_realize(PCIDevice *dev, SriovNicState *pf,
                                SnicFn fn, SriovNicBar *bar, Error **errp);
void sriov_nic_function_unrealize(PCIDevice *dev, SriovNicBar *bar);
/* The VIRTIO_PCI_CAP_PCI_CFG window; call from config_read/config_write. */
void sriov_nic_pci_cfg_write(PCIDevice *dev, SriovNicState *pf, SnicFn fn,
                             SriovNicBar *bar, uint32_t addr, uint32_t val,
                             int len);
uint32_t sriov_nic_pci_cfg_read(PCIDevice *dev, SriovNicState *pf,
                                SnicFn fn, SriovNicBar *bar, uint32_t addr,
                                int len);

/* sriov-nic-admin.c: per-VF policy and statistics as QOM properties. */
void sriov_nic_class_add_admin_props(ObjectClass *klass);
void sriov_nic_vf_class_add_admin_props(ObjectClass *klass);
bool sriov_nic_apply_startup_policy(SriovNicState *s, Error **errp);
void sriov_nic_add_vf_links(SriovNicState *s);
void sriov_nic_del_vf_links(SriovNicState *s);

#endif
