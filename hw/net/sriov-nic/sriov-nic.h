/*
 * sriov-nic: QEMU glue shared by the PF (sriov-nic-pf.c) and VFs
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
#include "system/runstate.h"
#include "sriov_nic/sriov_nic.h"

#define TYPE_SRIOV_NIC "sriov-nic"
#define TYPE_SRIOV_NIC_VF "sriov-nic-vf"
OBJECT_DECLARE_SIMPLE_TYPE(SriovNicState, SRIOV_NIC)
OBJECT_DECLARE_SIMPLE_TYPE(SriovNicVfState, SRIOV_NIC_VF)

/* virtio-net, the default personality; also the classes' IDs. */
#define SRIOV_NIC_VENDOR_ID      0x1af4 /* Red Hat / virtio */
#define SRIOV_NIC_DEVICE_ID      0x1041 /* virtio-net, modern */
#define SRIOV_NIC_SUBSYS_ID      0x1100 /* as QEMU's virtio devices */
#define SRIOV_NIC_REVISION       1      /* modern virtio requires >= 1 */
#define SRIOV_NIC_VF_OFFSET      1
#define SRIOV_NIC_VF_STRIDE      1
#define SRIOV_NIC_BAR            0
#define SRIOV_NIC_DEFAULT_VFS    8
/*
 * total-vfs's default: the personality's own (virtio-net: 8; ixgbe: the
 * 82599's 63, or as many as fit after the PF on its bus).
 */
#define SRIOV_NIC_TOTAL_VFS_AUTO UINT16_MAX
#define SRIOV_NIC_MAX_REGIONS    8
#define SRIOV_NIC_DEFAULT_QUEUE_SIZE 256
#define SRIOV_NIC_DEFAULT_MTU    9000   /* jumbo: the guest may go up to it */

typedef struct SriovNicRegion {
    MemoryRegion mr;
    SriovNicState *pf;
    SnicFn fn;
    uint32_t index;             /* into snic_core_layout()->regions */
} SriovNicRegion;

/*
 * The BARs of one function: BAR 0 with the core's regions, and QEMU's
 * MSI-X table and PBA, in BAR 0 after the regions or in a BAR of their
 * own (the layout's msix_bar).
 */
typedef struct SriovNicBar {
    MemoryRegion bar;
    SriovNicRegion regions[SRIOV_NIC_MAX_REGIONS];
    MemoryRegion msix;          /* the MSI-X BAR, when it is not BAR 0 */
    MemoryRegion *msix_mr;      /* &bar or &msix */
    uint8_t pci_cfg_cap;        /* offset of VIRTIO_PCI_CAP_PCI_CFG */
    bool bus_master;            /* last Bus Master Enable told the core */
} SriovNicBar;

/*
 * What one personality (the core's SnicPersonality) looks like on PCI:
 * sriov-nic-virtio.c, sriov-nic-ixgbe.c.
 */
typedef struct SriovNicPersonality {
    const char *name;           /* the personality property's value */
    const char *desc;           /* for the VF's and the user's messages */
    uint16_t vendor_id;
    uint16_t pf_device_id;
    uint16_t vf_device_id;
    uint16_t subsys_vendor_id;
    uint16_t subsys_id;
    uint8_t revision;
    uint16_t vf_offset;         /* SR-IOV First VF Offset and VF Stride */
    uint16_t vf_stride;
    uint16_t max_vfs;           /* TotalVFs at most */
    uint8_t pf_bar_type;        /* PCI_BASE_ADDRESS_MEM_* of the BARs */
    uint8_t vf_bar_type;
    /*
     * Adds the capabilities of function @fn, MSI-X (sriov_nic_msix_init)
     * among them, once its BARs are registered. On error nothing is left.
     */
    bool (*caps_init)(PCIDevice *dev, SriovNicState *pf, SnicFn fn,
                      SriovNicBar *bar, const SnicLayout *layout,
                      Error **errp);
    /* Removes what caps_init added. */
    void (*caps_exit)(PCIDevice *dev, SriovNicBar *bar);
} SriovNicPersonality;

extern const SriovNicPersonality sriov_nic_virtio_personality;
extern const SriovNicPersonality sriov_nic_ixgbe_personality;
/* The personality @p, or NULL for a value the core does not know. */
const SriovNicPersonality *sriov_nic_personality(SnicPersonality p);

/*
 * A netdev link of the core: the uplink (link 0, the PF's netdev) or the
 * netdev of a VF bound to one of its own (vf-netdev, link 1 + k). The
 * opaque of its NICState.
 */
typedef struct SriovNicLink {
    SriovNicState *pf;
    uint16_t link;
    int vf;             /* the VF of a VF link; -1 for the uplink */
    NICConf conf;       /* a VF link's (the uplink's is the PF's conf) */
    NICState *nic;
    bool vnet_hdr;      /* its netdev exchanges virtio_net_hdr */
} SriovNicLink;

struct SriovNicState {
    PCIDevice parent_obj;

    SnicPersonality personality;        /* the personality property */
    const SriovNicPersonality *pers;    /* set from it at realize */

    NICConf conf;
    NICState *nic;      /* the uplink's: uplink.nic */
    SriovNicLink uplink;
    /* vf-netdev: "N=NETDEV/..."; the VF links, in that order. */
    char *vf_netdev;
    SriovNicLink *vf_links;
    uint16_t num_vf_links;
    uint16_t total_vfs;
    uint16_t mtu;
    uint32_t speed;
    bool offloads;
    uint16_t queue_size;
    uint16_t queue_pairs;
    bool packed;        /* offer VIRTIO_F_RING_PACKED */

    /* Startup per-VF policy, "N=VALUE/..." (see sriov-nic-admin.c). */
    struct {
        char *mac, *vlan, *qos, *spoofchk, *trust, *link_state, *max_tx_rate;
    } vf_spec;

    SnicCore *core;
    SriovNicBar bar;
    QEMUBH *bh;
    QEMUTimer *timer;
    /* The PF's last interrupt level (sriov_nic_set_intx: MSI edges). */
    bool intx_level;

    /* Migration (sriov-nic-migration.c). */
    VMChangeStateEntry *vm_state_change;
    uint8_t *mig_state;
    uint32_t mig_state_len;
};

struct SriovNicVfState {
    PCIDevice parent_obj;

    SriovNicBar bar;
};

/* sriov-nic-host.c: the core's callbacks into QEMU. */
extern const SnicHostOps sriov_nic_host_ops;
/* The link of VF @vf, or NULL when it is a port of the switch. */
SriovNicLink *sriov_nic_vf_link(SriovNicState *s, uint16_t vf);
PCIDevice *sriov_nic_fn_dev(SriovNicState *s, SnicFn fn);

/* sriov-nic-function.c: what the PF and every VF share. */
bool sriov_nic_function_realize(PCIDevice *dev, SriovNicState *pf,
                                SnicFn fn, SriovNicBar *bar, Error **errp);
void sriov_nic_function_unrealize(PCIDevice *dev, SriovNicState *pf,
                                  SriovNicBar *bar);
/* Call from config_write: tells the core about Bus Master Enable. */
void sriov_nic_function_config_written(PCIDevice *dev, SriovNicState *pf,
                                       SnicFn fn, SriovNicBar *bar);
/* Tells the core what config space says now (after a migration). */
void sriov_nic_function_sync(PCIDevice *dev, SriovNicState *pf, SnicFn fn,
                             SriovNicBar *bar);
/* After a function reset: Bus Master Enable is off again. */
void sriov_nic_function_reset(SriovNicBar *bar);
/*
 * MSI-X of function @fn as the layout says (in BAR 0 or in its own BAR),
 * its capability at @cap_pos (0: the first free offset), every vector in
 * use. For the personalities' caps_init.
 */
bool sriov_nic_msix_init(PCIDevice *dev, SriovNicState *pf, SriovNicBar *bar,
                         const SnicLayout *layout, uint8_t cap_pos,
                         Error **errp);

/*
 * sriov-nic-virtio.c: the virtio-pci personality. The VIRTIO_PCI_CAP_PCI_CFG
 * window; call from config_read/config_write (a function without one, any
 * other personality's, ignores them).
 */
void sriov_nic_pci_cfg_write(PCIDevice *dev, SriovNicBar *bar, uint32_t addr,
                             uint32_t val, int len);
uint32_t sriov_nic_pci_cfg_read(PCIDevice *dev, SriovNicBar *bar,
                                uint32_t addr, int len);

/* sriov-nic-migration.c: the PF's section carries every VF and the core. */
extern const VMStateDescription sriov_nic_vmstate;
void sriov_nic_migration_init(SriovNicState *s);
void sriov_nic_migration_exit(SriovNicState *s);

/* sriov-nic-admin.c: per-VF policy and statistics as QOM properties. */
void sriov_nic_class_add_admin_props(ObjectClass *klass);
void sriov_nic_vf_class_add_admin_props(ObjectClass *klass);
bool sriov_nic_apply_startup_policy(SriovNicState *s, Error **errp);
void sriov_nic_add_vf_links(SriovNicState *s);
void sriov_nic_del_vf_links(SriovNicState *s);

#endif
