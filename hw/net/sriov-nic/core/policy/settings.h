// sriov-nic core: VF settings by name, one parser for every front end.
//
// The runtime QOM properties of a VF (qom-set <pf>/vfN vlan 10) and the
// startup PF properties (vf-vlan=0=10/1=20, '*' = every VF) both go
// through SetSetting, so a value means the same everywhere and gets the
// same message when it is wrong.
//
// Settings and values: mac (xx:xx:xx:xx:xx:xx), vlan (0-4094), qos (0-7),
// spoofchk and trust (on/off, true/false, yes/no), link-state
// (auto/enable/disable), max-tx-rate (Mbit/s, 0 = unlimited).
//
// SPDX-License-Identifier: GPL-2.0-or-later
#ifndef SNIC_CORE_POLICY_SETTINGS_H
#define SNIC_CORE_POLICY_SETTINGS_H

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "../base/status.h"
#include "port_policy.h"

namespace snic::policy {

// Sets @setting of @p from @value (the rest of @p unchanged). Does not
// validate the policy as a whole (Validate does).
Status SetSetting(std::string_view setting, std::string_view value,
                  PortPolicy* p);
// The value of @setting in the same syntax; empty for an unknown setting.
std::string GetSetting(std::string_view setting, const PortPolicy& p);

// Applies "N=VALUE/..." for @setting to @policies (one per VF, indexed by
// VF number); later entries win. On success @changed lists the VFs touched
// (ascending) and every one of them passed Validate. On error @policies may
// be partly modified: callers pass a copy (all or nothing).
Status ApplySpec(std::string_view setting, std::string_view spec,
                 std::vector<PortPolicy>& policies,
                 std::vector<uint16_t>* changed);

}  // namespace snic::policy

#endif  // SNIC_CORE_POLICY_SETTINGS_H
