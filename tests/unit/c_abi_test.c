/* The C ABI header must compile as plain C99 (it is included by QEMU's C). */
#include "sriov_nic/sriov_nic.h"

int snic_c_abi_compiles(void);
int snic_c_abi_compiles(void)
{
    SnicConfig cfg = { 0 };
    SnicStats stats = { 0 };
    bool (*set_mac)(SnicCore *, uint16_t, const uint8_t *) =
        snic_core_set_vf_mac;
    bool (*get_stats)(const SnicCore *, SnicFn, SnicStats *) =
        snic_core_get_stats;
    return (int)sizeof(cfg) + (int)sizeof(stats) + SNIC_FN_PF +
           (set_mac != 0) + (get_stats != 0);
}
