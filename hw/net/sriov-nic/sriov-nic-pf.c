/*
 * sriov-nic: SR-IOV capable virtio-net NIC, Physical Function.
 *
 * The PF owns the device core (core/, C++20), the netdev (the uplink port
 * of the core's switch), the TX bottom half and the core timer, and the
 * SR-IOV capability whose VFs are sriov-nic-vf functions. Everything here
 * is plumbing: the core decides.
 *
 * Copyright (c) 2026 The sriov-nic authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "hw/pci/pci_bus.h"
#include "hw/pci/pcie.h"
#include "hw/pci/pcie_sriov.h"
#include "hw/qdev-properties.h"
#include "net/net.h"
#include "standard-headers/linux/virtio_net.h"
#include "qapi/error.h"
#include "qapi/visitor.h"
#include "qemu/cutils.h"
#include "qemu/main-loop.h"
#include "qemu/module.h"
#include "qemu/timer.h"
#include "system/system.h"
#include "sriov-nic.h"
#include "trace.h"

/* SR-IOV last in the extended chain: QEMU's SR-IOV reset writes past it. */
#define SRIOV_NIC_SRIOV_CAP_OFFSET 0x160

static void sriov_nic_bh(void *opaque)
{
    SriovNicState *s = opaque;

    if (snic_core_run(s->core)) {
        qemu_bh_schedule(s->bh);
    }
}

static void sriov_nic_timer_cb(void *opaque)
{
    SriovNicState *s = opaque;

    snic_core_timer(s->core);
}

/*
 * Every netdev link (the uplink, a VF's own netdev) is a NIC of its own
 * whose opaque is its SriovNicLink.
 */
static bool sriov_nic_can_receive(NetClientState *nc)
{
    SriovNicLink *l = qemu_get_nic_opaque(nc);

    return snic_core_link_can_receive(l->pf->core, l->link);
}

static ssize_t sriov_nic_receive(NetClientState *nc, const uint8_t *buf,
                                 size_t size)
{
    SriovNicLink *l = qemu_get_nic_opaque(nc);
    struct virtio_net_hdr_mrg_rxbuf vh;
    SnicNetHdr h;

    if (!l->vnet_hdr) {
        return snic_core_link_receive(l->pf->core, l->link, buf, size);
    }
    if (size < sizeof(vh)) {
        return size;  /* not even a header: dropped */
    }
    memcpy(&vh, buf, sizeof(vh));
    h = (SnicNetHdr) {
        .flags = vh.hdr.flags,
        .gso_type = vh.hdr.gso_type,
        .hdr_len = le16_to_cpu(vh.hdr.hdr_len),
        .gso_size = le16_to_cpu(vh.hdr.gso_size),
        .csum_start = le16_to_cpu(vh.hdr.csum_start),
        .csum_offset = le16_to_cpu(vh.hdr.csum_offset),
    };
    return snic_core_link_receive_hdr(l->pf->core, l->link, &h,
                                      buf + sizeof(vh),
                                      size - sizeof(vh)) ? size : 0;
}

/*
 * A tap (or another vnet-header netdev) as a link: GSO frames and partial
 * checksums cross it whole, with a 12-byte virtio_net_hdr in front of
 * every frame (as virtio-net-pci does with such a peer).
 */
static void sriov_nic_link_vnet_init(SriovNicLink *l)
{
    NetClientState *peer = qemu_get_queue(l->nic)->peer;
    const int len = sizeof(struct virtio_net_hdr_mrg_rxbuf);
    bool uso;

    if (!l->pf->offloads || !peer || !qemu_has_vnet_hdr(peer) ||
        !qemu_has_vnet_hdr_len(peer, len)) {
        return;
    }
    uso = qemu_has_uso(peer);
    qemu_set_vnet_hdr_len(peer, len);
    qemu_set_offload(peer, 1, 1, 1, 1, 0, uso, uso);
    l->vnet_hdr = snic_core_set_link_vnet_hdr(l->pf->core, l->link, uso);
}

static void sriov_nic_announce(NetClientState *nc)
{
    SriovNicLink *l = qemu_get_nic_opaque(nc);

    /* Once for the device (QEMU calls every NIC's): the core's announce
     * covers every function, each out of its own link. */
    if (l->link == 0) {
        snic_core_announce(l->pf->core);
    }
}

static void sriov_nic_link_status_changed(NetClientState *nc)
{
    SriovNicLink *l = qemu_get_nic_opaque(nc);

    snic_core_set_link_up(l->pf->core, l->link, !nc->link_down);
}

static NetClientInfo sriov_nic_net_info = {
    .type = NET_CLIENT_DRIVER_NIC,
    .size = sizeof(NICState),
    .can_receive = sriov_nic_can_receive,
    .receive = sriov_nic_receive,
    .link_status_changed = sriov_nic_link_status_changed,
    .announce = sriov_nic_announce,
};

static void sriov_nic_write_config(PCIDevice *dev, uint32_t addr,
                                   uint32_t val, int len)
{
    SriovNicState *s = SRIOV_NIC(dev);
    uint16_t before = pcie_sriov_num_vfs(dev);
    uint16_t after;

    pci_default_write_config(dev, addr, val, len);
    sriov_nic_function_config_written(dev, s, SNIC_FN_PF, &s->bar);
    pcie_cap_flr_write_config(dev, addr, val, len);
    sriov_nic_pci_cfg_write(dev, &s->bar, addr, val, len);

    /* Learn every VF Enable / NumVFs change (as hw/nvme/ctrl.c does). */
    after = pcie_sriov_num_vfs(dev);
    if (before != after) {
        trace_sriov_nic_num_vfs(before, after);
        snic_core_set_num_vfs(s->core, after);
    }
}

static uint32_t sriov_nic_read_config(PCIDevice *dev, uint32_t addr, int len)
{
    SriovNicState *s = SRIOV_NIC(dev);

    return sriov_nic_pci_cfg_read(dev, &s->bar, addr, len);
}

/* How many VF routing IDs fit after the PF on its bus. */
static uint32_t sriov_nic_vf_room(SriovNicState *s)
{
    const SriovNicPersonality *p = s->pers;
    uint32_t first = PCI_DEVICE(s)->devfn + p->vf_offset;

    return first > 255 ? 0 : (255 - first) / p->vf_stride + 1;
}

/*
 * total-vfs not given: 8; an 82599 on a bus of its own (behind a
 * pcie-root-port) has its TotalVFs, 63. On the root bus its VF routing
 * IDs (devfn + 0x80, stride 2) would run into the chipset's own devices,
 * so it keeps 8 there.
 */
static void sriov_nic_default_total_vfs(SriovNicState *s)
{
    PCIDevice *dev = PCI_DEVICE(s);

    if (s->total_vfs != SRIOV_NIC_TOTAL_VFS_AUTO) {
        return;
    }
    s->total_vfs = SRIOV_NIC_DEFAULT_VFS;
    if (s->personality == SNIC_PERSONALITY_IXGBE &&
        !pci_bus_is_root(pci_get_bus(dev))) {
        s->total_vfs = MIN(s->pers->max_vfs, sriov_nic_vf_room(s));
    }
}

static bool sriov_nic_check_placement(SriovNicState *s, Error **errp)
{
    PCIDevice *dev = PCI_DEVICE(s);
    const SriovNicPersonality *p = s->pers;
    uint32_t room;

    if (s->total_vfs == 0) {
        return true;
    }
    room = sriov_nic_vf_room(s);
    if (s->total_vfs > room) {
        error_setg(errp, "total-vfs=%u does not fit: the PF at %02x.%x "
                   "leaves room for %u VF routing IDs on its bus",
                   s->total_vfs, PCI_SLOT(dev->devfn), PCI_FUNC(dev->devfn),
                   room);
        error_append_hint(errp, "Put the PF at function 0 behind a "
                          "pcie-root-port (a bus of its own, with ARI) for "
                          "up to %u VFs.\n", p->max_vfs);
        return false;
    }
    if (PCI_FUNC(dev->devfn) != 0) {
        error_setg(errp, "an SR-IOV PF must be function 0 of its slot "
                   "(its VFs use the functions after it)");
        return false;
    }
    return true;
}

/*
 * vf-netdev=N=NETDEV/...: parses the binding into s->vf_links (netdevs
 * found and free, not yet joined) and the core's VF list @vfs.
 */
static bool sriov_nic_parse_vf_netdev(SriovNicState *s, uint16_t **vfs,
                                      Error **errp)
{
    g_auto(GStrv) items = NULL;
    guint n;

    *vfs = NULL;
    if (!s->vf_netdev || !*s->vf_netdev) {
        return true;
    }
    items = g_strsplit(s->vf_netdev, "/", -1);
    n = g_strv_length(items);
    if (n > s->total_vfs) {
        error_setg(errp, "vf-netdev binds %u VFs, total-vfs is %u", n,
                   s->total_vfs);
        return false;
    }
    s->vf_links = g_new0(SriovNicLink, n);
    *vfs = g_new0(uint16_t, n);
    for (guint i = 0; i < n; i++) {
        const char *eq = strchr(items[i], '=');
        g_autofree char *num = eq ? g_strndup(items[i], eq - items[i]) : NULL;
        const char *id = eq ? eq + 1 : NULL;
        NetClientState *ncs[MAX_QUEUE_NUM];
        uint64_t vf;
        int queues;

        if (!eq || !g_ascii_isdigit(num[0]) ||
            qemu_strtou64(num, NULL, 10, &vf) < 0 || !*id) {
            error_setg(errp, "vf-netdev: '%s' is not VF=NETDEV (e.g. "
                       "vf-netdev=2=tap2/3=tap3)", items[i]);
            return false;
        }
        if (vf >= s->total_vfs) {
            error_setg(errp, "vf-netdev: VF %" PRIu64 " does not exist "
                       "(total-vfs is %u)", vf, s->total_vfs);
            return false;
        }
        for (guint j = 0; j < i; j++) {
            if ((*vfs)[j] == vf) {
                error_setg(errp, "vf-netdev: VF %" PRIu64 " is given a "
                           "netdev twice", vf);
                return false;
            }
        }
        queues = qemu_find_net_clients_except(id, ncs, NET_CLIENT_DRIVER_NIC,
                                              MAX_QUEUE_NUM);
        if (queues == 0) {
            error_setg(errp, "vf-netdev: VF %" PRIu64 ": no netdev '%s'",
                       vf, id);
            return false;
        }
        if (queues > 1) {
            error_setg(errp, "vf-netdev: VF %" PRIu64 ": netdev '%s' has %d "
                       "queues; a VF's netdev has one", vf, id, queues);
            return false;
        }
        for (int q = 0; q < s->conf.peers.queues; q++) {
            if (s->conf.peers.ncs[q] == ncs[0]) {
                error_setg(errp, "vf-netdev: VF %" PRIu64 ": netdev '%s' is "
                           "the PF's (the uplink)", vf, id);
                return false;
            }
        }
        if (ncs[0]->peer) {
            error_setg(errp, "vf-netdev: VF %" PRIu64 ": netdev '%s' is "
                       "already in use", vf, id);
            return false;
        }
        for (guint j = 0; j < i; j++) {
            if (s->vf_links[j].conf.peers.ncs[0] == ncs[0]) {
                error_setg(errp, "vf-netdev: netdev '%s' is given to VF %d "
                           "and VF %" PRIu64, id, s->vf_links[j].vf, vf);
                return false;
            }
        }
        (*vfs)[i] = vf;
        s->vf_links[i] = (SriovNicLink) {
            .pf = s, .link = i + 1, .vf = vf,
        };
        s->vf_links[i].conf.peers.ncs[0] = ncs[0];
        s->vf_links[i].conf.peers.queues = 1;
    }
    s->num_vf_links = n;
    return true;
}

/* Joins each VF link to its netdev (after the core exists). */
static void sriov_nic_vf_links_init(SriovNicState *s)
{
    for (uint16_t i = 0; i < s->num_vf_links; i++) {
        SriovNicLink *l = &s->vf_links[i];
        SnicVfPolicy p;
        g_autofree char *name = g_strdup_printf("%s.vf%d",
            DEVICE(s)->id ? DEVICE(s)->id : TYPE_SRIOV_NIC, l->vf);

        /* QEMU's own announcement (a RARP) names the VF's MAC. */
        if (snic_core_get_vf_policy(s->core, l->vf, &p)) {
            memcpy(l->conf.macaddr.a, p.mac, sizeof(p.mac));
        }
        l->nic = qemu_new_nic(&sriov_nic_net_info, &l->conf,
                              object_get_typename(OBJECT(s)), name,
                              &DEVICE(s)->mem_reentrancy_guard, l);
        qemu_format_nic_info_str(qemu_get_queue(l->nic), l->conf.macaddr.a);
        sriov_nic_link_vnet_init(l);
    }
}

static void sriov_nic_vf_links_free(SriovNicState *s)
{
    for (uint16_t i = 0; i < s->num_vf_links; i++) {
        if (s->vf_links[i].nic) {
            qemu_del_nic(s->vf_links[i].nic);
        }
    }
    g_free(s->vf_links);
    s->vf_links = NULL;
    s->num_vf_links = 0;
}

/*
 * personality=ixgbe: an 82599 takes none of the virtio-net options. Each
 * one given a value other than its default is refused by name, so nothing
 * the user asked for is silently ignored.
 */
static bool sriov_nic_check_ixgbe(SriovNicState *s, Error **errp)
{
    static const char hint[] = "personality=ixgbe is an Intel 82599: its "
        "driver sizes its own rings and queues.\n";

    if (s->total_vfs > SNIC_IXGBE_MAX_VFS) {
        error_setg(errp, "total-vfs=%u is out of range for "
                   "personality=ixgbe (0 to %u, the 82599's TotalVFs)",
                   s->total_vfs, SNIC_IXGBE_MAX_VFS);
        return false;
    }
    if (s->queue_pairs != SNIC_DEFAULT_QUEUE_PAIRS) {
        error_setg(errp, "queue-pairs is a virtio-net option: "
                   "personality=ixgbe does not take it");
        error_append_hint(errp, "%s", hint);
        return false;
    }
    if (s->queue_size != SRIOV_NIC_DEFAULT_QUEUE_SIZE) {
        error_setg(errp, "queue-size is a virtio-net option: "
                   "personality=ixgbe does not take it");
        error_append_hint(errp, "%s", hint);
        return false;
    }
    if (s->packed) {
        error_setg(errp, "packed is a virtio-net option: personality=ixgbe "
                   "does not take it");
        return false;
    }
    if (s->vf_netdev && *s->vf_netdev) {
        error_setg(errp, "vf-netdev is not supported with "
                   "personality=ixgbe (its VFs are ports of the switch)");
        return false;
    }
    if (s->speed != SNIC_DEFAULT_SPEED) {
        error_setg(errp, "speed=%u: personality=ixgbe is a 10 Gb/s 82599 "
                   "KX4, speed must be %u (or left out)", s->speed,
                   SNIC_DEFAULT_SPEED);
        return false;
    }
    return true;
}

static void sriov_nic_realize(PCIDevice *dev, Error **errp)
{
    SriovNicState *s = SRIOV_NIC(dev);
    SnicConfig cfg = {
        .total_vfs = s->total_vfs,
        .mtu = s->mtu,
        .speed = s->speed,
        .queue_size = s->queue_size,
        .queue_pairs = s->queue_pairs,
        .packed = s->packed,
        .no_offloads = !s->offloads,
        .personality = s->personality,
    };
    g_autofree uint16_t *vf_netdevs = NULL;
    char err[256];

    s->pers = sriov_nic_personality(s->personality);
    assert(s->pers);  /* the property's setter takes only known ones */
    sriov_nic_default_total_vfs(s);
    cfg.total_vfs = s->total_vfs;
    if (s->personality == SNIC_PERSONALITY_IXGBE &&
        !sriov_nic_check_ixgbe(s, errp)) {
        return;
    }
    if (s->total_vfs > SNIC_MAX_VFS) {
        error_setg(errp, "total-vfs=%u is out of range (0 to %u)",
                   s->total_vfs, SNIC_MAX_VFS);
        return;
    }
    if (s->queue_pairs == 0) {  /* the C ABI's "default" again */
        error_setg(errp, "queue-pairs must be between 1 and %u",
                   SNIC_MAX_QUEUE_PAIRS);
        return;
    }
    if (s->speed == 0) {  /* the C ABI's "default"; not a speed to ask for */
        error_setg(errp, "speed must be a link speed in Mb/s, 1 to 4294967294");
        return;
    }
    if (!sriov_nic_check_placement(s, errp)) {
        return;
    }
    if (!sriov_nic_parse_vf_netdev(s, &vf_netdevs, errp)) {
        sriov_nic_vf_links_free(s);
        return;
    }
    cfg.num_vf_netdevs = s->num_vf_links;
    cfg.vf_netdevs = vf_netdevs;

    qemu_macaddr_default_if_unset(&s->conf.macaddr);
    memcpy(cfg.pf_mac, s->conf.macaddr.a, sizeof(cfg.pf_mac));

    /*
     * The bottom half and timer before the core, which may ask for them
     * from its first call on; the core before the VFs, whose realize
     * (inside pcie_sriov_pf_init) uses it.
     */
    s->bh = qemu_bh_new_guarded(sriov_nic_bh, s,
                                &DEVICE(dev)->mem_reentrancy_guard);
    s->timer = timer_new_ns(QEMU_CLOCK_VIRTUAL, sriov_nic_timer_cb, s);
    s->core = snic_core_new(&cfg, &sriov_nic_host_ops, s, err, sizeof(err));
    if (!s->core) {
        error_setg(errp, "%s", err);
        goto fail_core;
    }
    if (!sriov_nic_apply_startup_policy(s, errp)) {
        goto fail_core;
    }

    dev->config_write = sriov_nic_write_config;
    dev->config_read = sriov_nic_read_config;
    pci_config_set_class(dev->config, PCI_CLASS_NETWORK_ETHERNET);
    pci_config_set_interrupt_pin(dev->config, 1);

    if (!sriov_nic_function_realize(dev, s, SNIC_FN_PF, &s->bar, errp)) {
        goto fail_core;
    }

    if (s->total_vfs) {
        const SnicLayout *vl = snic_core_vf_layout(s->core);

        if (!pcie_sriov_pf_init(dev, SRIOV_NIC_SRIOV_CAP_OFFSET,
                                TYPE_SRIOV_NIC_VF, s->pers->vf_device_id,
                                s->total_vfs, s->total_vfs,
                                s->pers->vf_offset, s->pers->vf_stride,
                                errp)) {
            error_prepend(errp, "cannot create the VFs of %s: ",
                          TYPE_SRIOV_NIC);
            goto fail_function;
        }
        pcie_sriov_pf_init_vf_bar(dev, SRIOV_NIC_BAR, s->pers->vf_bar_type,
                                  vl->bar_size);
        if (vl->msix_bar) {
            pcie_sriov_pf_init_vf_bar(dev, vl->msix_bar,
                                      s->pers->vf_bar_type,
                                      vl->msix_bar_size);
        }
        sriov_nic_add_vf_links(s);
    }

    s->uplink = (SriovNicLink) { .pf = s, .link = 0, .vf = -1 };
    s->nic = qemu_new_nic(&sriov_nic_net_info, &s->conf,
                          object_get_typename(OBJECT(s)), DEVICE(s)->id,
                          &DEVICE(s)->mem_reentrancy_guard, &s->uplink);
    s->uplink.nic = s->nic;
    qemu_format_nic_info_str(qemu_get_queue(s->nic), s->conf.macaddr.a);
    sriov_nic_link_vnet_init(&s->uplink);
    sriov_nic_vf_links_init(s);
    sriov_nic_migration_init(s);
    return;

fail_function:
    sriov_nic_function_unrealize(dev, s, &s->bar);
fail_core:
    sriov_nic_migration_exit(s);
    timer_free(s->timer);
    qemu_bh_delete(s->bh);
    snic_core_free(s->core);
    s->core = NULL;
    sriov_nic_vf_links_free(s);
}

static void sriov_nic_exit(PCIDevice *dev)
{
    SriovNicState *s = SRIOV_NIC(dev);

    sriov_nic_migration_exit(s);
    sriov_nic_del_vf_links(s);
    pcie_sriov_pf_exit(dev);
    sriov_nic_vf_links_free(s);
    qemu_del_nic(s->nic);
    sriov_nic_function_unrealize(dev, s, &s->bar);
    timer_free(s->timer);
    qemu_bh_delete(s->bh);
    snic_core_free(s->core);
    s->core = NULL;
}

static void sriov_nic_reset_hold(Object *obj, ResetType type)
{
    SriovNicState *s = SRIOV_NIC(obj);

    trace_sriov_nic_reset(SNIC_FN_PF);
    /* A PF reset clears VF Enable (pcie_sriov_pf_reset): VFs go away. */
    snic_core_set_num_vfs(s->core, 0);
    snic_core_reset_function(s->core, SNIC_FN_PF);
    sriov_nic_function_reset(&s->bar);
    s->intx_level = false;      /* the reset deasserted the pin */
}

/* ---- personality=virtio-net|ixgbe ---- */

static const SriovNicPersonality *const sriov_nic_personalities[] = {
    [SNIC_PERSONALITY_VIRTIO_NET] = &sriov_nic_virtio_personality,
    [SNIC_PERSONALITY_IXGBE] = &sriov_nic_ixgbe_personality,
};

const SriovNicPersonality *sriov_nic_personality(SnicPersonality p)
{
    return (unsigned)p < ARRAY_SIZE(sriov_nic_personalities)
           ? sriov_nic_personalities[p] : NULL;
}

static void sriov_nic_get_personality(Object *obj, Visitor *v,
                                      const char *name, void *opaque,
                                      Error **errp)
{
    SnicPersonality *ptr = object_field_prop_ptr(obj, opaque);
    char *value = (char *)sriov_nic_personality(*ptr)->name;

    visit_type_str(v, name, &value, errp);
}

static void sriov_nic_set_personality(Object *obj, Visitor *v,
                                      const char *name, void *opaque,
                                      Error **errp)
{
    SnicPersonality *ptr = object_field_prop_ptr(obj, opaque);
    g_autofree char *value = NULL;

    if (!visit_type_str(v, name, &value, errp)) {
        return;
    }
    for (unsigned i = 0; i < ARRAY_SIZE(sriov_nic_personalities); i++) {
        if (!strcmp(value, sriov_nic_personalities[i]->name)) {
            *ptr = i;
            return;
        }
    }
    error_setg(errp, "personality=%s is not known: it is virtio-net (the "
               "default) or ixgbe", value);
}

static void sriov_nic_set_default_personality(ObjectProperty *op,
                                              const Property *prop)
{
    object_property_set_default_str(op,
        sriov_nic_personality(prop->defval.i)->name);
}

static const PropertyInfo sriov_nic_prop_personality = {
    .type = "str",
    .description = "virtio-net|ixgbe",
    .get = sriov_nic_get_personality,
    .set = sriov_nic_set_personality,
    .set_default_value = sriov_nic_set_default_personality,
};

static const Property sriov_nic_properties[] = {
    DEFINE_NIC_PROPERTIES(SriovNicState, conf),
    DEFINE_PROP_SIGNED("personality", SriovNicState, personality,
                       SNIC_PERSONALITY_VIRTIO_NET,
                       sriov_nic_prop_personality, SnicPersonality),
    DEFINE_PROP_UINT16("total-vfs", SriovNicState, total_vfs,
                       SRIOV_NIC_TOTAL_VFS_AUTO),
    DEFINE_PROP_UINT16("mtu", SriovNicState, mtu, SRIOV_NIC_DEFAULT_MTU),
    DEFINE_PROP_UINT32("speed", SriovNicState, speed, SNIC_DEFAULT_SPEED),
    DEFINE_PROP_BOOL("offloads", SriovNicState, offloads, true),
    DEFINE_PROP_UINT16("queue-size", SriovNicState, queue_size,
                       SRIOV_NIC_DEFAULT_QUEUE_SIZE),
    DEFINE_PROP_UINT16("queue-pairs", SriovNicState, queue_pairs,
                       SNIC_DEFAULT_QUEUE_PAIRS),
    DEFINE_PROP_BOOL("packed", SriovNicState, packed, false),
    DEFINE_PROP_STRING("vf-netdev", SriovNicState, vf_netdev),
    DEFINE_PROP_STRING("vf-mac", SriovNicState, vf_spec.mac),
    DEFINE_PROP_STRING("vf-vlan", SriovNicState, vf_spec.vlan),
    DEFINE_PROP_STRING("vf-qos", SriovNicState, vf_spec.qos),
    DEFINE_PROP_STRING("vf-spoofchk", SriovNicState, vf_spec.spoofchk),
    DEFINE_PROP_STRING("vf-trust", SriovNicState, vf_spec.trust),
    DEFINE_PROP_STRING("vf-link-state", SriovNicState, vf_spec.link_state),
    DEFINE_PROP_STRING("vf-max-tx-rate", SriovNicState, vf_spec.max_tx_rate),
};

static void sriov_nic_instance_init(Object *obj)
{
    SriovNicState *s = SRIOV_NIC(obj);

    device_add_bootindex_property(obj, &s->conf.bootindex, "bootindex",
                                  "/ethernet-phy@0", DEVICE(obj));
}

static void sriov_nic_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    PCIDeviceClass *k = PCI_DEVICE_CLASS(klass);
    ResettableClass *rc = RESETTABLE_CLASS(klass);

    k->realize = sriov_nic_realize;
    k->exit = sriov_nic_exit;
    k->vendor_id = SRIOV_NIC_VENDOR_ID;
    k->device_id = SRIOV_NIC_DEVICE_ID;
    k->revision = SRIOV_NIC_REVISION;
    k->class_id = PCI_CLASS_NETWORK_ETHERNET;
    rc->phases.hold = sriov_nic_reset_hold;

    dc->desc = "SR-IOV NIC (Physical Function): virtio-net, or an Intel "
               "82599 with personality=ixgbe";
    dc->vmsd = &sriov_nic_vmstate;
    device_class_set_props(dc, sriov_nic_properties);
    object_class_property_set_description(klass, "personality",
        "what the guest sees of the PF and every VF: virtio-net (the "
        "default: virtio-net PF and VFs, 1af4:1041) or ixgbe (an Intel "
        "82599 10 GbE KX4 PF 8086:10F7 with 82599 VFs 8086:10ED for the "
        "guest's ixgbe and ixgbevf drivers; up to 63 VFs, none of the "
        "virtio options)");
    object_class_property_set_description(klass, "total-vfs",
        "SR-IOV TotalVFs: how many VFs the guest may enable (up to 255 "
        "behind a pcie-root-port; 63 with personality=ixgbe). Not given "
        "(65535): 8, and with personality=ixgbe behind a pcie-root-port "
        "the 82599's 63");
    object_class_property_set_description(klass, "mtu",
        "largest MTU of the PF and every VF (VIRTIO_NET_F_MTU, 68..65535); "
        "Linux's virtio_net starts at it and may set anything up to it");
    object_class_property_set_description(klass, "speed",
        "link speed in Mb/s that PF and VFs report (ethtool), full duplex");
    object_class_property_set_description(klass, "offloads",
        "offer checksum and segmentation offloads (virtio-net CSUM, "
        "HOST_TSO4/6, HOST_USO and the GUEST_* receive side); off: the "
        "guest checksums and segments every frame itself");
    object_class_property_set_description(klass, "queue-size",
        "entries of each virtqueue, a power of two");
    object_class_property_set_description(klass, "queue-pairs",
        "receive/transmit queue pairs of the PF and of every VF, 1..16 "
        "(more than 1: VIRTIO_NET_F_MQ and RSS); MSI-X vectors: 2 per "
        "pair + 2");
    object_class_property_set_description(klass, "vf-netdev",
        "VFs bound to a netdev of their own, bypassing the switch: "
        "N=NETDEV/... (e.g. 2=tap2/3=tap3); host policy still applies to "
        "them, their link-state auto follows their own netdev");
    object_class_property_set_description(klass, "packed",
        "offer packed virtqueues (VIRTIO_F_RING_PACKED) on the PF and every "
        "VF besides split ones; the driver chooses");
    sriov_nic_class_add_admin_props(klass);
    set_bit(DEVICE_CATEGORY_NETWORK, dc->categories);
}

static const TypeInfo sriov_nic_info = {
    .name = TYPE_SRIOV_NIC,
    .parent = TYPE_PCI_DEVICE,
    .instance_size = sizeof(SriovNicState),
    .instance_init = sriov_nic_instance_init,
    .class_init = sriov_nic_class_init,
    .interfaces = (InterfaceInfo[]) {
        { INTERFACE_PCIE_DEVICE },
        { }
    },
};

static void sriov_nic_register_types(void)
{
    type_register_static(&sriov_nic_info);
}

type_init(sriov_nic_register_types)
