// sriov-nic core: C++ types <-> the C ABI's structs (sriov_nic.h).
//
// SPDX-License-Identifier: GPL-2.0-or-later
#ifndef SNIC_CORE_CAPI_ABI_CONVERT_H
#define SNIC_CORE_CAPI_ABI_CONVERT_H

#include "../policy/port_policy.h"
#include "../port/stats.h"
#include "../virtio_net/spec.h"
#include "sriov_nic/sriov_nic.h"

namespace snic::capi {

policy::PortPolicy FromC(const SnicVfPolicy& c);
virtio_net::NetHdr FromC(const SnicNetHdr& c);
SnicNetHdr ToC(const virtio_net::NetHdr& h);
SnicVfPolicy ToC(const policy::PortPolicy& p);
SnicStats ToC(const port::PortStats& s);
SnicUplinkStats ToC(const port::UplinkStats& s);

}  // namespace snic::capi

#endif  // SNIC_CORE_CAPI_ABI_CONVERT_H
