// sriov-nic core: host-administered per-VF policy (the control plane of a
// DPU-style NIC, the settings of `ip link set <pf> vf N ...`).
//
// VfPolicy is plain data; Validate() checks one policy and ApplyVfSpec()
// parses a startup property string ("0=10/1=20", "*=off/3=on") into a
// list of policies. Both are pure and return a message for the user (the
// glue shows it as a QEMU error), empty when valid. Enforcement lives in
// the switch and the TX path (Device).
//
// SPDX-License-Identifier: GPL-2.0-or-later
#ifndef SNIC_CORE_POLICY_VF_POLICY_H
#define SNIC_CORE_POLICY_VF_POLICY_H

#include <cstdint>
#include <string>
#include <vector>

#include "../virtio_net/spec.h"
#include "sriov_nic/sriov_nic.h"

namespace snic::policy {

inline constexpr uint16_t kMaxVlan = 4094;
inline constexpr uint8_t kMaxQos = 7;
// 400 Gbit/s: beyond any uplink QEMU can feed; keeps token math in range.
inline constexpr uint32_t kMaxTxRateMbps = 400'000;

struct VfPolicy {
  net::MacAddress mac{};  // applied at the VF's next reset
  uint16_t vlan = 0;      // port VLAN, 0 = none
  uint8_t qos = 0;        // PCP of the port VLAN tag
  bool spoofchk = true;
  bool trust = false;
  uint8_t link_state = SNIC_LINK_AUTO;  // SnicLinkState
  uint32_t max_tx_rate = 0;             // Mbit/s, 0 = unlimited

  bool operator==(const VfPolicy&) const = default;
};

// The policy of the PF: trusted, no spoof check, no port VLAN, no limit.
VfPolicy PfPolicy(const net::MacAddress& mac);

// Empty when @p is acceptable, otherwise why not (user-facing).
std::string Validate(const VfPolicy& p);

// @next replaces @cur. Removing the port VLAN (vlan to 0, qos left as it
// was) also removes its priority, as `ip link set ... vf N vlan 0` does, so
// a property-at-a-time client can clear the VLAN with one write. Setting a
// qos without a VLAN stays an error (Validate).
VfPolicy Normalize(const VfPolicy& cur, const VfPolicy& next);

std::string FormatMac(const net::MacAddress& mac);

// Applies "N=VALUE/..." for @setting to @policies (one per VF, indexed by
// VF number). On success returns empty and @changed lists the VFs touched
// (ascending, unique); on error returns the message and @policies may be
// partly modified: callers pass a copy (all or nothing).
std::string ApplyVfSpec(const char* setting, const char* spec,
                        std::vector<VfPolicy>& policies,
                        std::vector<uint16_t>* changed);

}  // namespace snic::policy

#endif  // SNIC_CORE_POLICY_VF_POLICY_H
