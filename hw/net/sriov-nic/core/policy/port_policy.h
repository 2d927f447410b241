// sriov-nic core: the policy of one port (the settings of `ip link set <pf>
// vf N ...`), as the host administers it for a VF; the PF's is fixed
// (PfPolicy).
//
// Plain data plus pure validation with user-facing messages. Who enforces
// what: the TX checks (vswitch/tx_checks.h) and the switch
// (vswitch/switch.h) on the data path; the personality gates the guest's own requests that need
// trust (a virtio-net control command, an Intel mailbox message).
//
// SPDX-License-Identifier: GPL-2.0-or-later
#ifndef SNIC_CORE_POLICY_PORT_POLICY_H
#define SNIC_CORE_POLICY_PORT_POLICY_H

#include <cstdint>

#include "../base/status.h"
#include "../eth/frame.h"

namespace snic::policy {

inline constexpr uint16_t kMaxVlan = 4094;
inline constexpr uint8_t kMaxQos = 7;
// 400 Gbit/s: beyond any uplink QEMU can feed; keeps token math in range.
inline constexpr uint32_t kMaxTxRateMbps = 400'000;

enum class LinkState : uint8_t { kAuto = 0, kEnable = 1, kDisable = 2 };

struct PortPolicy {
  eth::MacAddress mac{};  // the MAC a reset gives the port
  uint16_t vlan = 0;      // port VLAN, 0 = none
  uint8_t qos = 0;        // PCP of the port VLAN tag
  bool spoofchk = true;
  bool trust = false;
  LinkState link_state = LinkState::kAuto;
  uint32_t max_tx_rate = 0;  // Mbit/s, 0 = unlimited

  bool operator==(const PortPolicy&) const = default;
};

// A VF's default: spoof check on, untrusted, no VLAN, no limit.
PortPolicy VfDefaultPolicy(const eth::MacAddress& mac);
// The PF: trusted, no spoof check, no port VLAN, no limit.
PortPolicy PfPolicy(const eth::MacAddress& mac);

// OK when @p is acceptable, otherwise why not (user-facing).
Status Validate(const PortPolicy& p);

// @next replaces @cur. Removing the port VLAN (vlan to 0, qos left as it
// was) also removes its priority, as `ip link set ... vf N vlan 0` does, so
// a property-at-a-time client can clear the VLAN with one write. Setting a
// qos without a VLAN stays an error (Validate).
PortPolicy Normalize(const PortPolicy& cur, const PortPolicy& next);

}  // namespace snic::policy

#endif  // SNIC_CORE_POLICY_PORT_POLICY_H
