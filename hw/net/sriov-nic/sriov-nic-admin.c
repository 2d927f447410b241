/*
 * sriov-nic: host-side VF administration as QOM properties.
 *
 * Runtime (QMP qom-get/qom-set), on each VF, reachable from the PF as the
 * link <pf-path>/vfN:
 *   mac, vlan, qos, spoofchk, trust, link-state, max-tx-rate  (read-write,
 *     validated by the core: snic_core_set_vf_setting)
 *   enabled, stats                                            (read-only)
 * Startup, on the PF: vf-mac, vf-vlan, vf-qos, vf-spoofchk, vf-trust,
 * vf-link-state, vf-max-tx-rate, each "N=VALUE/N=VALUE" ('*' = every VF),
 * parsed and validated by the core (snic_core_apply_vf_spec).
 * The PF also has read-only num-vfs, stats and uplink-stats.
 *
 * Copyright (c) 2026 The sriov-nic authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "hw/pci/pcie_sriov.h"
#include "net/net.h"
#include "qapi/error.h"
#include "qapi/visitor.h"
#include "sriov-nic.h"

static SnicCore *sriov_nic_vf_core(Object *obj, uint16_t *vf)
{
    PCIDevice *dev = PCI_DEVICE(obj);
    PCIDevice *pf = pcie_sriov_get_pf(dev);

    if (!pf || !object_dynamic_cast(OBJECT(pf), TYPE_SRIOV_NIC)) {
        return NULL;
    }
    *vf = pcie_sriov_vf_number(dev);
    return SRIOV_NIC(pf)->core;
}

/*
 * The VF settings, one row each. Values cross the seam as text in the
 * syntax of the startup specs, so the core's one parser validates every
 * front end alike (snic_core_set_vf_setting); the QOM type is what QMP
 * clients see.
 */
typedef enum {
    SRIOV_NIC_SETTING_STR,
    SRIOV_NIC_SETTING_BOOL,
    SRIOV_NIC_SETTING_UINT,
} SriovNicSettingType;

typedef struct SriovNicSetting {
    const char *name;
    const char *qom_type;
    SriovNicSettingType type;
    const char *desc;
} SriovNicSetting;

static const SriovNicSetting sriov_nic_settings[] = {
    { "mac", "str", SRIOV_NIC_SETTING_STR,
      "MAC the VF reports (applies at the VF's next reset/bind)" },
    { "vlan", "uint16", SRIOV_NIC_SETTING_UINT,
      "port VLAN (0 = none, 1-4094): untagged TX is tagged, RX stripped" },
    { "qos", "uint8", SRIOV_NIC_SETTING_UINT,
      "802.1p priority of the port VLAN tag (0-7)" },
    { "spoofchk", "bool", SRIOV_NIC_SETTING_BOOL,
      "drop frames whose source MAC is not the VF's (default on)" },
    { "trust", "bool", SRIOV_NIC_SETTING_BOOL,
      "allow promiscuous/all-multicast, extra MACs and MAC changes "
      "(default off)" },
    { "link-state", "str", SRIOV_NIC_SETTING_STR,
      "auto (follow the uplink), enable or disable" },
    { "max-tx-rate", "uint32", SRIOV_NIC_SETTING_UINT,
      "TX rate limit in Mbit/s (0 = unlimited); excess waits" },
};

static void sriov_nic_vf_get_setting(Object *obj, Visitor *v,
                                     const char *name, void *opaque,
                                     Error **errp)
{
    const SriovNicSetting *st = opaque;
    uint16_t vf;
    SnicCore *core = sriov_nic_vf_core(obj, &vf);
    char buf[64];
    char *str = buf;
    bool b;
    uint32_t u;

    if (!core || !snic_core_get_vf_setting(core, vf, st->name, buf,
                                           sizeof(buf))) {
        error_setg(errp, "this VF has no sriov-nic PF");
        return;
    }
    switch (st->type) {
    case SRIOV_NIC_SETTING_STR:
        visit_type_str(v, name, &str, errp);
        break;
    case SRIOV_NIC_SETTING_BOOL:
        b = !strcmp(buf, "on");
        visit_type_bool(v, name, &b, errp);
        break;
    case SRIOV_NIC_SETTING_UINT:
        u = strtoul(buf, NULL, 10);
        visit_type_uint32(v, name, &u, errp);
        break;
    }
}

static void sriov_nic_vf_set_setting(Object *obj, Visitor *v,
                                     const char *name, void *opaque,
                                     Error **errp)
{
    const SriovNicSetting *st = opaque;
    uint16_t vf;
    SnicCore *core = sriov_nic_vf_core(obj, &vf);
    g_autofree char *value = NULL;
    char err[256];
    bool b;
    uint32_t u;

    if (!core) {
        error_setg(errp, "this VF has no sriov-nic PF");
        return;
    }
    switch (st->type) {
    case SRIOV_NIC_SETTING_STR:
        if (!visit_type_str(v, name, &value, errp)) {
            return;
        }
        break;
    case SRIOV_NIC_SETTING_BOOL:
        if (!visit_type_bool(v, name, &b, errp)) {
            return;
        }
        value = g_strdup(b ? "on" : "off");
        break;
    case SRIOV_NIC_SETTING_UINT:
        if (!visit_type_uint32(v, name, &u, errp)) {
            return;
        }
        value = g_strdup_printf("%u", u);
        break;
    }
    if (!snic_core_set_vf_setting(core, vf, st->name, value, err,
                                  sizeof(err))) {
        error_setg(errp, "VF %u: %s", vf, err);
    }
}

static bool sriov_nic_vf_get_enabled(Object *obj, Error **errp)
{
    uint16_t vf;
    SnicCore *core = sriov_nic_vf_core(obj, &vf);

    return core && snic_core_function_enabled(core, 1 + vf);
}

typedef struct SriovNicCounter {
    const char *name;
    uint64_t val;
} SriovNicCounter;

/* Counters as a QAPI-style struct: {"rx-packets": N, ...}. */
static void sriov_nic_visit_counters(Visitor *v, const char *name,
                                     const SriovNicCounter *c, size_t n,
                                     Error **errp)
{
    size_t i;

    if (!visit_start_struct(v, name, NULL, 0, errp)) {
        return;
    }
    for (i = 0; i < n; i++) {
        uint64_t val = c[i].val;

        if (!visit_type_uint64(v, c[i].name, &val, errp)) {
            goto out;
        }
    }
    visit_check_struct(v, errp);
out:
    visit_end_struct(v, NULL);
}

static void sriov_nic_visit_stats(Visitor *v, const char *name,
                                  const SnicStats *st, Error **errp)
{
    const SriovNicCounter c[] = {
        { "rx-packets", st->rx_packets },
        { "rx-bytes", st->rx_bytes },
        { "tx-packets", st->tx_packets },
        { "tx-bytes", st->tx_bytes },
        { "rx-dropped", st->rx_drop_no_buffers + st->rx_drop_filtered +
                        st->rx_drop_too_small + st->rx_drop_link_down },
        { "tx-dropped", st->tx_drop_malformed + st->tx_drop_policy },
        { "drop-rx-no-buffers", st->rx_drop_no_buffers },
        { "drop-rx-filtered", st->rx_drop_filtered },
        { "drop-rx-too-small", st->rx_drop_too_small },
        { "drop-rx-link-down", st->rx_drop_link_down },
        { "drop-tx-malformed", st->tx_drop_malformed },
        { "drop-tx-policy", st->tx_drop_policy },
        { "drop-tx-spoof", st->tx_drop_spoof },
        { "drop-tx-vlan", st->tx_drop_vlan },
        { "drop-tx-link-down", st->tx_drop_link_down },
        { "tx-rate-waits", st->tx_rate_waits },
        { "tx-holds", st->tx_holds },
        { "ctrl-commands", st->ctrl_commands },
        { "ctrl-errors", st->ctrl_errors },
        { "ctrl-refused-untrusted", st->ctrl_refused_untrusted },
        { "mac-table-overflows", st->mac_table_overflows },
        { "guest-errors", st->guest_errors },
        { "needs-reset", st->needs_reset },
        { "tx-gso", st->tx_gso },
        { "tx-csum-completed", st->tx_csum_completed },
        { "rx-gso", st->rx_gso },
        { "rx-segmented", st->rx_segmented },
    };

    sriov_nic_visit_counters(v, name, c, ARRAY_SIZE(c), errp);
}

static void sriov_nic_visit_uplink_stats(Visitor *v, const char *name,
                                         const SnicUplinkStats *st,
                                         Error **errp)
{
    const SriovNicCounter c[] = {
        { "rx-packets", st->rx_packets },
        { "rx-bytes", st->rx_bytes },
        { "tx-packets", st->tx_packets },
        { "tx-bytes", st->tx_bytes },
        { "rx-dropped", st->rx_drop_malformed + st->rx_drop_unclaimed +
                        st->rx_drop_no_buffers },
        { "tx-dropped", st->tx_drop_link_down + st->tx_purged },
        { "drop-rx-malformed", st->rx_drop_malformed },
        { "drop-rx-unclaimed", st->rx_drop_unclaimed },
        { "drop-rx-no-buffers", st->rx_drop_no_buffers },
        { "rx-holds", st->rx_holds },
        { "tx-queued", st->tx_queued },
        { "drop-tx-link-down", st->tx_drop_link_down },
        { "drop-tx-purged", st->tx_purged },
        { "tx-segmented", st->tx_segmented },
    };

    sriov_nic_visit_counters(v, name, c, ARRAY_SIZE(c), errp);
}

static void sriov_nic_vf_get_stats(Object *obj, Visitor *v, const char *name,
                                   void *opaque, Error **errp)
{
    SnicStats st;
    uint16_t vf;
    SnicCore *core = sriov_nic_vf_core(obj, &vf);

    if (!core || !snic_core_get_stats(core, 1 + vf, &st)) {
        error_setg(errp, "this VF has no sriov-nic PF");
        return;
    }
    sriov_nic_visit_stats(v, name, &st, errp);
}

/* vf-netdev: the VF's own netdev, "" when it is a port of the switch. */
static char *sriov_nic_vf_get_netdev(Object *obj, Error **errp)
{
    PCIDevice *pf = pcie_sriov_get_pf(PCI_DEVICE(obj));
    SriovNicLink *l;

    if (!pf || !object_dynamic_cast(OBJECT(pf), TYPE_SRIOV_NIC)) {
        error_setg(errp, "this VF has no sriov-nic PF");
        return NULL;
    }
    l = sriov_nic_vf_link(SRIOV_NIC(pf),
                          pcie_sriov_vf_number(PCI_DEVICE(obj)));
    return g_strdup(l && l->conf.peers.ncs[0] ? l->conf.peers.ncs[0]->name
                                              : "");
}

static void sriov_nic_vf_get_netdev_stats(Object *obj, Visitor *v,
                                          const char *name, void *opaque,
                                          Error **errp)
{
    PCIDevice *pf = pcie_sriov_get_pf(PCI_DEVICE(obj));
    SnicUplinkStats st = { 0 };
    SriovNicLink *l;

    if (!pf || !object_dynamic_cast(OBJECT(pf), TYPE_SRIOV_NIC)) {
        error_setg(errp, "this VF has no sriov-nic PF");
        return;
    }
    l = sriov_nic_vf_link(SRIOV_NIC(pf),
                          pcie_sriov_vf_number(PCI_DEVICE(obj)));
    if (!l) {
        error_setg(errp, "this VF has no netdev of its own (vf-netdev)");
        return;
    }
    snic_core_get_link_stats(SRIOV_NIC(pf)->core, l->link, &st);
    sriov_nic_visit_uplink_stats(v, name, &st, errp);
}

void sriov_nic_vf_class_add_admin_props(ObjectClass *klass)
{
    size_t i;

    for (i = 0; i < ARRAY_SIZE(sriov_nic_settings); i++) {
        const SriovNicSetting *st = &sriov_nic_settings[i];

        object_class_property_add(klass, st->name, st->qom_type,
                                  sriov_nic_vf_get_setting,
                                  sriov_nic_vf_set_setting, NULL,
                                  (void *)st);
        object_class_property_set_description(klass, st->name, st->desc);
    }
    object_class_property_add_bool(klass, "enabled",
                                   sriov_nic_vf_get_enabled, NULL);
    object_class_property_add(klass, "stats", "SriovNicStats",
                              sriov_nic_vf_get_stats, NULL, NULL, NULL);
    object_class_property_set_description(klass, "stats",
        "per-VF counters of the embedded switch (read-only)");
    object_class_property_add_str(klass, "netdev", sriov_nic_vf_get_netdev,
                                  NULL);
    object_class_property_set_description(klass, "netdev",
        "the VF's own netdev (the PF's vf-netdev), empty when the VF is a "
        "port of the switch (read-only)");
    object_class_property_add(klass, "netdev-stats", "SriovNicUplinkStats",
                              sriov_nic_vf_get_netdev_stats, NULL, NULL,
                              NULL);
    object_class_property_set_description(klass, "netdev-stats",
        "counters of the VF's own netdev link, as uplink-stats (read-only)");
}

/* ---- PF side ---- */

static void sriov_nic_get_num_vfs(Object *obj, Visitor *v, const char *name,
                                  void *opaque, Error **errp)
{
    SriovNicState *s = SRIOV_NIC(obj);
    uint16_t n = s->core ? snic_core_num_vfs(s->core) : 0;

    visit_type_uint16(v, name, &n, errp);
}

static void sriov_nic_get_stats(Object *obj, Visitor *v, const char *name,
                                void *opaque, Error **errp)
{
    SriovNicState *s = SRIOV_NIC(obj);

    if (opaque) {
        SnicUplinkStats st = { 0 };

        if (s->core) {
            snic_core_get_uplink_stats(s->core, &st);
        }
        sriov_nic_visit_uplink_stats(v, name, &st, errp);
    } else {
        SnicStats st = { 0 };

        if (s->core) {
            snic_core_get_stats(s->core, SNIC_FN_PF, &st);
        }
        sriov_nic_visit_stats(v, name, &st, errp);
    }
}

void sriov_nic_class_add_admin_props(ObjectClass *klass)
{
    object_class_property_add(klass, "num-vfs", "uint16",
                              sriov_nic_get_num_vfs, NULL, NULL, NULL);
    object_class_property_set_description(klass, "num-vfs",
        "VFs the guest enabled (SR-IOV NumVFs with VF Enable), read-only");
    object_class_property_add(klass, "stats", "SriovNicStats",
                              sriov_nic_get_stats, NULL, NULL, NULL);
    object_class_property_add(klass, "uplink-stats", "SriovNicUplinkStats",
                              sriov_nic_get_stats, NULL, NULL, (void *)1);
}

bool sriov_nic_apply_startup_policy(SriovNicState *s, Error **errp)
{
    const struct {
        const char *setting;
        const char *spec;
    } specs[] = {
        { "mac", s->vf_spec.mac },
        { "vlan", s->vf_spec.vlan },
        { "qos", s->vf_spec.qos },
        { "spoofchk", s->vf_spec.spoofchk },
        { "trust", s->vf_spec.trust },
        { "link-state", s->vf_spec.link_state },
        { "max-tx-rate", s->vf_spec.max_tx_rate },
    };
    char err[256];
    int i;

    for (i = 0; i < ARRAY_SIZE(specs); i++) {
        if (specs[i].spec &&
            !snic_core_apply_vf_spec(s->core, specs[i].setting, specs[i].spec,
                                     err, sizeof(err))) {
            error_setg(errp, "vf-%s=%s: %s", specs[i].setting, specs[i].spec,
                       err);
            return false;
        }
    }
    return true;
}

void sriov_nic_add_vf_links(SriovNicState *s)
{
    PCIDevice *dev = PCI_DEVICE(s);
    int i;

    for (i = 0; i < s->total_vfs; i++) {
        g_autofree char *name = g_strdup_printf("vf%d", i);

        object_property_add_const_link(OBJECT(s), name,
                                       OBJECT(dev->exp.sriov_pf.vf[i]));
    }
}

void sriov_nic_del_vf_links(SriovNicState *s)
{
    int i;

    for (i = 0; i < s->total_vfs; i++) {
        g_autofree char *name = g_strdup_printf("vf%d", i);

        if (object_property_find(OBJECT(s), name)) {
            object_property_del(OBJECT(s), name);
        }
    }
}
