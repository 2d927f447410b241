/* The C ABI header must compile as plain C99 (it is included by QEMU's C). */
#include "sriov_nic/sriov_nic.h"

int snic_c_abi_compiles(void);
int snic_c_abi_compiles(void)
{
    SnicConfig cfg = { 0 };
    return (int)sizeof(cfg) + SNIC_FN_PF;
}
