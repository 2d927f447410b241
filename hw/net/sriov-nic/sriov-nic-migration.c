/*
 * sriov-nic: live migration of the whole SR-IOV set: the PF, every VF PCI
 * function and the core's state (switch, policy, counters, every queue),
 * in the PF's one section, in an order that works with QEMU 10.0's
 * SR-IOV code:
 *
 *   config        personality, total-vfs, queue-size, mtu, MAC: a
 *                 destination started with other properties is refused
 *                 here, with a message naming the property
 *   PF PCI state  its post_load (pcie_sriov_pf_post_load) enables the
 *                 source's NumVFs VFs, which resets them...
 *   VF PCI state  ...so every VF's config space and MSI-X state come after
 *                 it (the VFs have no sections of their own)
 *   core state    snic_core_save_state(): versioned, checked as a whole on
 *                 load (core/migration/device_state.cc)
 *
 * Both personalities migrate the same way: with personality=ixgbe the
 * core state also carries the 82599's registers, mailboxes, pools and
 * queues.
 *
 * While the VM is stopped the core issues no DMA and delivers nothing
 * (vm change state handler), so nothing changes guest memory after the
 * final RAM copy. After the load QEMU announces the NIC
 * (NetClientInfo.announce, see sriov-nic-pf.c).
 *
 * Copyright (c) 2026 The sriov-nic authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "hw/pci/msix.h"
#include "hw/pci/pcie_sriov.h"
#include "migration/qemu-file-types.h"
#include "migration/vmstate.h"
#include "qapi/error.h"
#include "qemu/error-report.h"
#include "system/runstate.h"
#include "sriov-nic.h"

static const char *sriov_nic_name(SriovNicState *s)
{
    return DEVICE(s)->id ? DEVICE(s)->id : TYPE_SRIOV_NIC;
}

/* ---- config: what must be the same on both sides ---- */

static int sriov_nic_put_config(QEMUFile *f, void *pv, size_t size,
                                const VMStateField *field, JSONWriter *vmdesc)
{
    SriovNicState *s = pv;

    qemu_put_byte(f, s->personality);
    qemu_put_be16(f, s->total_vfs);
    qemu_put_be16(f, s->queue_size);
    qemu_put_be16(f, s->mtu);
    qemu_put_buffer(f, s->conf.macaddr.a, sizeof(s->conf.macaddr.a));
    return 0;
}

static int sriov_nic_get_config(QEMUFile *f, void *pv, size_t size,
                                const VMStateField *field)
{
    SriovNicState *s = pv;
    uint8_t personality = qemu_get_byte(f);
    uint16_t total_vfs = qemu_get_be16(f);
    uint16_t queue_size = qemu_get_be16(f);
    uint16_t mtu = qemu_get_be16(f);
    uint8_t mac[6];

    qemu_get_buffer(f, mac, sizeof(mac));
    if (personality != s->personality) {
        const SriovNicPersonality *src = sriov_nic_personality(personality);

        error_report("%s: the source device has personality=%s, this one "
                     "personality=%s: start the destination with the same "
                     "personality", sriov_nic_name(s),
                     src ? src->name : "(unknown)",
                     sriov_nic_personality(s->personality)->name);
        return -EINVAL;
    }
    if (total_vfs != s->total_vfs || queue_size != s->queue_size ||
        mtu != s->mtu || memcmp(mac, s->conf.macaddr.a, sizeof(mac))) {
        error_report("%s: the source device has total-vfs=%u queue-size=%u "
                     "mtu=%u mac=%02x:%02x:%02x:%02x:%02x:%02x; this one "
                     "total-vfs=%u queue-size=%u mtu=%u "
                     "mac=%02x:%02x:%02x:%02x:%02x:%02x: start the "
                     "destination with the same properties",
                     sriov_nic_name(s), total_vfs, queue_size, mtu, mac[0],
                     mac[1], mac[2], mac[3], mac[4], mac[5], s->total_vfs,
                     s->queue_size, s->mtu, s->conf.macaddr.a[0],
                     s->conf.macaddr.a[1], s->conf.macaddr.a[2],
                     s->conf.macaddr.a[3], s->conf.macaddr.a[4],
                     s->conf.macaddr.a[5]);
        return -EINVAL;
    }
    return 0;
}

static const VMStateInfo sriov_nic_config_info = {
    .name = "sriov-nic config",
    .get = sriov_nic_get_config,
    .put = sriov_nic_put_config,
};

/* ---- the VFs' PCI functions, after the PF's ---- */

static const VMStateDescription sriov_nic_vf_vmstate = {
    .name = TYPE_SRIOV_NIC_VF,
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]) {
        VMSTATE_PCI_DEVICE(parent_obj, SriovNicVfState),
        VMSTATE_MSIX(parent_obj, SriovNicVfState),
        VMSTATE_END_OF_LIST()
    },
};

static SriovNicVfState *sriov_nic_vf(SriovNicState *s, int i)
{
    return SRIOV_NIC_VF(PCI_DEVICE(s)->exp.sriov_pf.vf[i]);
}

static int sriov_nic_put_vfs(QEMUFile *f, void *pv, size_t size,
                             const VMStateField *field, JSONWriter *vmdesc)
{
    SriovNicState *s = pv;
    int i, ret;

    for (i = 0; i < s->total_vfs; i++) {
        ret = vmstate_save_state(f, &sriov_nic_vf_vmstate, sriov_nic_vf(s, i),
                                 NULL);
        if (ret) {
            return ret;
        }
    }
    return 0;
}

static int sriov_nic_get_vfs(QEMUFile *f, void *pv, size_t size,
                             const VMStateField *field)
{
    SriovNicState *s = pv;
    int i, ret;

    for (i = 0; i < s->total_vfs; i++) {
        ret = vmstate_load_state(f, &sriov_nic_vf_vmstate, sriov_nic_vf(s, i),
                                 sriov_nic_vf_vmstate.version_id);
        if (ret) {
            error_report("%s: VF %d's PCI state does not load", 
                         sriov_nic_name(s), i);
            return ret;
        }
    }
    return 0;
}

static const VMStateInfo sriov_nic_vfs_info = {
    .name = "sriov-nic VFs",
    .get = sriov_nic_get_vfs,
    .put = sriov_nic_put_vfs,
};

/* ---- the core ---- */

static int sriov_nic_pre_save(void *opaque)
{
    SriovNicState *s = opaque;

    g_free(s->mig_state);
    s->mig_state_len = snic_core_save_state(s->core, &s->mig_state);
    return s->mig_state_len ? 0 : -ENOMEM;
}

static int sriov_nic_post_save(void *opaque)
{
    SriovNicState *s = opaque;

    g_free(s->mig_state);  /* malloc'ed by the core: glib's allocator */
    s->mig_state = NULL;
    s->mig_state_len = 0;
    return 0;
}

static int sriov_nic_pre_load(void *opaque)
{
    SriovNicState *s = opaque;

    g_free(s->mig_state);
    s->mig_state = NULL;
    s->mig_state_len = 0;
    return 0;
}

/* PCI config space holds Bus Master Enable: tell the core what it says. */
static void sriov_nic_sync_bus_master(SriovNicState *s)
{
    int i;

    sriov_nic_function_sync(PCI_DEVICE(s), s, SNIC_FN_PF, &s->bar);
    for (i = 0; i < s->total_vfs; i++) {
        SriovNicVfState *vf = sriov_nic_vf(s, i);

        sriov_nic_function_sync(PCI_DEVICE(vf), s, 1 + i, &vf->bar);
    }
}

static int sriov_nic_post_load(void *opaque, int version_id)
{
    SriovNicState *s = opaque;
    char err[512];
    bool ok = snic_core_load_state(s->core, s->mig_state, s->mig_state_len,
                                   err, sizeof(err));

    g_free(s->mig_state);
    s->mig_state = NULL;
    s->mig_state_len = 0;
    if (!ok) {
        error_report("%s: the incoming device state is refused: %s",
                     sriov_nic_name(s), err);
        return -EINVAL;
    }
    sriov_nic_sync_bus_master(s);
    return 0;
}

const VMStateDescription sriov_nic_vmstate = {
    .name = TYPE_SRIOV_NIC,
    .version_id = 1,
    .minimum_version_id = 1,
    .pre_save = sriov_nic_pre_save,
    .post_save = sriov_nic_post_save,
    .pre_load = sriov_nic_pre_load,
    .post_load = sriov_nic_post_load,
    .fields = (const VMStateField[]) {
        {
            .name = "config",
            .info = &sriov_nic_config_info,
            .flags = VMS_SINGLE,
        },
        VMSTATE_PCI_DEVICE(parent_obj, SriovNicState),
        VMSTATE_MSIX(parent_obj, SriovNicState),
        {
            .name = "vfs",
            .info = &sriov_nic_vfs_info,
            .flags = VMS_SINGLE,
        },
        VMSTATE_UINT32(mig_state_len, SriovNicState),
        VMSTATE_VBUFFER_ALLOC_UINT32(mig_state, SriovNicState, 0, NULL,
                                     mig_state_len),
        /* The PF's interrupt level, whose rising edge is an MSI. */
        VMSTATE_BOOL(intx_level, SriovNicState),
        VMSTATE_END_OF_LIST()
    },
};

static void sriov_nic_vm_state_change(void *opaque, bool running,
                                      RunState state)
{
    SriovNicState *s = opaque;

    snic_core_set_running(s->core, running);
}

void sriov_nic_migration_init(SriovNicState *s)
{
    snic_core_set_running(s->core, runstate_is_running());
    s->vm_state_change = qemu_add_vm_change_state_handler(
        sriov_nic_vm_state_change, s);
}

void sriov_nic_migration_exit(SriovNicState *s)
{
    if (s->vm_state_change) {
        qemu_del_vm_change_state_handler(s->vm_state_change);
        s->vm_state_change = NULL;
    }
    g_free(s->mig_state);
    s->mig_state = NULL;
}
