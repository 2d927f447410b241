/*
 * sriov-nic: host-side VF administration as QOM properties.
 *
 * Runtime (QMP qom-get/qom-set), on each VF, reachable from the PF as the
 * link <pf-path>/vfN:
 *   mac, vlan, qos, spoofchk, trust, link-state, max-tx-rate  (read-write)
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

static const char *const sriov_nic_link_states[] = {
    [SNIC_LINK_AUTO] = "auto",
    [SNIC_LINK_ENABLE] = "enable",
    [SNIC_LINK_DISABLE] = "disable",
};

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

static bool sriov_nic_vf_policy_get(Object *obj, uint16_t *vf,
                                    SnicVfPolicy *p, Error **errp)
{
    SnicCore *core = sriov_nic_vf_core(obj, vf);

    if (!core || !snic_core_get_vf_policy(core, *vf, p)) {
        error_setg(errp, "this VF has no sriov-nic PF");
        return false;
    }
    return true;
}

static void sriov_nic_vf_policy_set(Object *obj, uint16_t vf,
                                    const SnicVfPolicy *p, Error **errp)
{
    char err[256];
    uint16_t unused;

    if (!snic_core_set_vf_policy(sriov_nic_vf_core(obj, &unused), vf, p,
                                 err, sizeof(err))) {
        error_setg(errp, "VF %u: %s", vf, err);
    }
}

static char *sriov_nic_vf_get_mac(Object *obj, Error **errp)
{
    SnicVfPolicy p;
    uint16_t vf;

    if (!sriov_nic_vf_policy_get(obj, &vf, &p, errp)) {
        return NULL;
    }
    return g_strdup_printf("%02x:%02x:%02x:%02x:%02x:%02x", p.mac[0],
                           p.mac[1], p.mac[2], p.mac[3], p.mac[4], p.mac[5]);
}

static void sriov_nic_vf_set_mac(Object *obj, const char *str, Error **errp)
{
    SnicVfPolicy p;
    uint8_t mac[6];
    uint16_t vf;
    int n = -1;

    if (!sriov_nic_vf_policy_get(obj, &vf, &p, errp)) {
        return;
    }
    if (sscanf(str, "%2hhx:%2hhx:%2hhx:%2hhx:%2hhx:%2hhx%n", &mac[0], &mac[1],
               &mac[2], &mac[3], &mac[4], &mac[5], &n) != 6 ||
        n != 17 || str[n]) {
        error_setg(errp, "VF %u: mac '%s' is not a MAC address "
                   "(xx:xx:xx:xx:xx:xx)", vf, str);
        return;
    }
    memcpy(p.mac, mac, sizeof(p.mac));
    sriov_nic_vf_policy_set(obj, vf, &p, errp);
}

static char *sriov_nic_vf_get_link_state(Object *obj, Error **errp)
{
    SnicVfPolicy p;
    uint16_t vf;

    if (!sriov_nic_vf_policy_get(obj, &vf, &p, errp)) {
        return NULL;
    }
    return g_strdup(p.link_state < ARRAY_SIZE(sriov_nic_link_states) ?
                    sriov_nic_link_states[p.link_state] : "?");
}

static void sriov_nic_vf_set_link_state(Object *obj, const char *str,
                                        Error **errp)
{
    SnicVfPolicy p;
    uint16_t vf;
    int i;

    if (!sriov_nic_vf_policy_get(obj, &vf, &p, errp)) {
        return;
    }
    for (i = 0; i < ARRAY_SIZE(sriov_nic_link_states); i++) {
        if (!strcmp(str, sriov_nic_link_states[i])) {
            p.link_state = i;
            sriov_nic_vf_policy_set(obj, vf, &p, errp);
            return;
        }
    }
    error_setg(errp, "VF %u: link-state must be auto, enable or disable, "
               "not '%s'", vf, str);
}

static bool sriov_nic_vf_get_enabled(Object *obj, Error **errp)
{
    uint16_t vf;
    SnicCore *core = sriov_nic_vf_core(obj, &vf);

    return core && snic_core_function_enabled(core, 1 + vf);
}

/* Numeric and on/off settings: the field is named by the opaque. */
typedef enum {
    SRIOV_NIC_NUM_VLAN,
    SRIOV_NIC_NUM_QOS,
    SRIOV_NIC_NUM_MAX_TX_RATE,
    SRIOV_NIC_BOOL_SPOOFCHK,
    SRIOV_NIC_BOOL_TRUST,
} SriovNicNumField;

static bool *sriov_nic_policy_bool(SnicVfPolicy *p, void *opaque)
{
    return (SriovNicNumField)(uintptr_t)opaque == SRIOV_NIC_BOOL_TRUST ?
           &p->trust : &p->spoofchk;
}

static void sriov_nic_vf_get_bool(Object *obj, Visitor *v, const char *name,
                                  void *opaque, Error **errp)
{
    SnicVfPolicy p;
    uint16_t vf;

    if (sriov_nic_vf_policy_get(obj, &vf, &p, errp)) {
        visit_type_bool(v, name, sriov_nic_policy_bool(&p, opaque), errp);
    }
}

static void sriov_nic_vf_set_bool(Object *obj, Visitor *v, const char *name,
                                  void *opaque, Error **errp)
{
    SnicVfPolicy p;
    uint16_t vf;

    if (sriov_nic_vf_policy_get(obj, &vf, &p, errp) &&
        visit_type_bool(v, name, sriov_nic_policy_bool(&p, opaque), errp)) {
        sriov_nic_vf_policy_set(obj, vf, &p, errp);
    }
}

static void sriov_nic_vf_get_num(Object *obj, Visitor *v, const char *name,
                                 void *opaque, Error **errp)
{
    SnicVfPolicy p;
    uint16_t vf;
    uint32_t val = 0;

    if (!sriov_nic_vf_policy_get(obj, &vf, &p, errp)) {
        return;
    }
    switch ((SriovNicNumField)(uintptr_t)opaque) {
    case SRIOV_NIC_NUM_VLAN:
        val = p.vlan;
        break;
    case SRIOV_NIC_NUM_QOS:
        val = p.qos;
        break;
    case SRIOV_NIC_NUM_MAX_TX_RATE:
    default:
        val = p.max_tx_rate;
        break;
    }
    visit_type_uint32(v, name, &val, errp);
}

static void sriov_nic_vf_set_num(Object *obj, Visitor *v, const char *name,
                                 void *opaque, Error **errp)
{
    SnicVfPolicy p;
    uint16_t vf;
    uint32_t val;
    uint32_t max = UINT32_MAX;

    if (!sriov_nic_vf_policy_get(obj, &vf, &p, errp) ||
        !visit_type_uint32(v, name, &val, errp)) {
        return;
    }
    switch ((SriovNicNumField)(uintptr_t)opaque) {
    case SRIOV_NIC_NUM_VLAN:
        max = UINT16_MAX;
        p.vlan = val;
        break;
    case SRIOV_NIC_NUM_QOS:
        max = UINT8_MAX;
        p.qos = val;
        break;
    case SRIOV_NIC_NUM_MAX_TX_RATE:
    default:
        p.max_tx_rate = val;
        break;
    }
    if (val > max) {
        error_setg(errp, "VF %u: %s=%u is out of range", vf, name, val);
        return;
    }
    sriov_nic_vf_policy_set(obj, vf, &p, errp);
}

/* Counters as a QAPI-style struct: {"rx-packets": N, ...}. */
static void sriov_nic_visit_stats(Visitor *v, const char *name,
                                  const SnicStats *st, Error **errp)
{
    const struct {
        const char *name;
        uint64_t val;
    } f[] = {
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
        { "ctrl-commands", st->ctrl_commands },
        { "ctrl-errors", st->ctrl_errors },
        { "ctrl-refused-untrusted", st->ctrl_refused_untrusted },
        { "mac-table-overflows", st->mac_table_overflows },
        { "guest-errors", st->guest_errors },
        { "needs-reset", st->needs_reset },
    };
    int i;

    if (!visit_start_struct(v, name, NULL, 0, errp)) {
        return;
    }
    for (i = 0; i < ARRAY_SIZE(f); i++) {
        uint64_t val = f[i].val;

        if (!visit_type_uint64(v, f[i].name, &val, errp)) {
            goto out;
        }
    }
    visit_check_struct(v, errp);
out:
    visit_end_struct(v, NULL);
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

void sriov_nic_vf_class_add_admin_props(ObjectClass *klass)
{
    object_class_property_add_str(klass, "mac", sriov_nic_vf_get_mac,
                                  sriov_nic_vf_set_mac);
    object_class_property_set_description(klass, "mac",
        "MAC the VF reports (applies at the VF's next reset/bind)");
    object_class_property_add(klass, "vlan", "uint16",
                                   sriov_nic_vf_get_num, sriov_nic_vf_set_num,
                                   NULL, (void *)SRIOV_NIC_NUM_VLAN);
    object_class_property_set_description(klass, "vlan",
        "port VLAN (0 = none, 1-4094): untagged TX is tagged, RX stripped");
    object_class_property_add(klass, "qos", "uint8", sriov_nic_vf_get_num,
                              sriov_nic_vf_set_num, NULL,
                              (void *)SRIOV_NIC_NUM_QOS);
    object_class_property_set_description(klass, "qos",
        "802.1p priority of the port VLAN tag (0-7)");
    object_class_property_add(klass, "spoofchk", "bool",
                              sriov_nic_vf_get_bool, sriov_nic_vf_set_bool,
                              NULL, (void *)SRIOV_NIC_BOOL_SPOOFCHK);
    object_class_property_set_description(klass, "spoofchk",
        "drop frames whose source MAC is not the VF's (default on)");
    object_class_property_add(klass, "trust", "bool",
                              sriov_nic_vf_get_bool, sriov_nic_vf_set_bool,
                              NULL, (void *)SRIOV_NIC_BOOL_TRUST);
    object_class_property_set_description(klass, "trust",
        "allow promiscuous/all-multicast and MAC changes (default off)");
    object_class_property_add_str(klass, "link-state",
                                  sriov_nic_vf_get_link_state,
                                  sriov_nic_vf_set_link_state);
    object_class_property_set_description(klass, "link-state",
        "auto (follow the uplink), enable or disable");
    object_class_property_add(klass, "max-tx-rate", "uint32",
                              sriov_nic_vf_get_num, sriov_nic_vf_set_num,
                              NULL, (void *)SRIOV_NIC_NUM_MAX_TX_RATE);
    object_class_property_set_description(klass, "max-tx-rate",
        "TX rate limit in Mbit/s (0 = unlimited); excess waits");
    object_class_property_add_bool(klass, "enabled",
                                   sriov_nic_vf_get_enabled, NULL);
    object_class_property_add(klass, "stats", "SriovNicStats",
                              sriov_nic_vf_get_stats, NULL, NULL, NULL);
    object_class_property_set_description(klass, "stats",
        "per-VF counters of the embedded switch (read-only)");
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
    SnicStats st = { 0 };
    bool uplink = opaque != NULL;

    if (s->core) {
        if (uplink) {
            snic_core_get_uplink_stats(s->core, &st);
        } else {
            snic_core_get_stats(s->core, SNIC_FN_PF, &st);
        }
    }
    sriov_nic_visit_stats(v, name, &st, errp);
}

void sriov_nic_class_add_admin_props(ObjectClass *klass)
{
    object_class_property_add(klass, "num-vfs", "uint16",
                              sriov_nic_get_num_vfs, NULL, NULL, NULL);
    object_class_property_set_description(klass, "num-vfs",
        "VFs the guest enabled (SR-IOV NumVFs with VF Enable), read-only");
    object_class_property_add(klass, "stats", "SriovNicStats",
                              sriov_nic_get_stats, NULL, NULL, NULL);
    object_class_property_add(klass, "uplink-stats", "SriovNicStats",
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
