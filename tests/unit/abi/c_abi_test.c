/* The C ABI header must compile as plain C99 (it is included by QEMU's C). */
#include <string.h>

#include "sriov_nic/sriov_nic.h"

int snic_c_abi_compiles(void);
int snic_c_abi_compiles(void)
{
    SnicConfig cfg = { 0 };
    SnicStats stats = { 0 };
    bool (*mmio_read)(SnicCore *, SnicFn, uint32_t, uint64_t, unsigned,
                      uint64_t *) = snic_core_mmio_read;
    bool (*get_stats)(const SnicCore *, SnicFn, SnicStats *) =
        snic_core_get_stats;
    SnicVfPolicy policy;
    bool (*set_policy)(SnicCore *, uint16_t, const SnicVfPolicy *, char *,
                       size_t) = snic_core_set_vf_policy;
    bool (*get_policy)(const SnicCore *, uint16_t, SnicVfPolicy *) =
        snic_core_get_vf_policy;
    bool (*apply_spec)(SnicCore *, const char *, const char *, char *,
                       size_t) = snic_core_apply_vf_spec;
    void (*uplink_stats)(const SnicCore *, SnicUplinkStats *) =
        snic_core_get_uplink_stats;
    const SnicLayout *(*layout)(const SnicCore *) = snic_core_layout;
    const SnicLayout *(*vf_layout)(const SnicCore *) = snic_core_vf_layout;
    SnicLayout l = { 0 };

    memset(&policy, 0, sizeof(policy));
    policy.link_state = SNIC_LINK_DISABLE;
    cfg.personality = SNIC_PERSONALITY_IXGBE;
    l.msix_bar = 4;
    return (int)sizeof(cfg) + (int)sizeof(stats) + SNIC_FN_PF +
           (mmio_read != 0) + (get_stats != 0) + (layout != 0) + (int)sizeof(policy) +
           (set_policy != 0) + (get_policy != 0) + (apply_spec != 0) +
           (uplink_stats != 0) + policy.link_state + (vf_layout != 0) +
           (int)cfg.personality + l.msix_bar + SNIC_IXGBE_MAX_VFS;
}
