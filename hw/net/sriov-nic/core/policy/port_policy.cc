// sriov-nic core: the policy of one port.
// SPDX-License-Identifier: GPL-2.0-or-later
#include "port_policy.h"

#include <string>

namespace snic::policy {

PortPolicy VfDefaultPolicy(const eth::MacAddress& mac) {
  PortPolicy p;
  p.mac = mac;
  return p;
}

PortPolicy PfPolicy(const eth::MacAddress& mac) {
  PortPolicy p;
  p.mac = mac;
  p.spoofchk = false;
  p.trust = true;
  return p;
}

Status Validate(const PortPolicy& p) {
  if (eth::IsMulticast(p.mac)) {
    return Status::Invalid("mac must be a unicast address, not " +
                           eth::FormatMac(p.mac));
  }
  if (eth::IsZero(p.mac)) {
    return Status::Invalid(std::string("mac must not be 00:00:00:00:00:00"));
  }
  if (p.vlan > kMaxVlan) {
    return Status::Invalid("vlan must be 0 (none) to 4094, not " +
                           std::to_string(p.vlan));
  }
  if (p.qos > kMaxQos) {
    return Status::Invalid("qos must be 0 to 7, not " + std::to_string(p.qos));
  }
  if (p.qos != 0 && p.vlan == 0) {
    // As `ip link set ... vf N vlan 0 qos 3`: the priority lives in the
    // port VLAN tag, so there is nothing to put it in.
    return Status::Invalid(
        "qos " + std::to_string(p.qos) +
        " needs a port VLAN (vlan is 0): set qos to 0 or choose a vlan");
  }
  if (p.link_state != LinkState::kAuto && p.link_state != LinkState::kEnable &&
      p.link_state != LinkState::kDisable) {
    return Status::Invalid(
        std::string("link-state must be auto, enable or disable"));
  }
  if (p.max_tx_rate > kMaxTxRateMbps) {
    return Status::Invalid("max-tx-rate must be 0 (unlimited) to " +
                           std::to_string(kMaxTxRateMbps) + " Mbit/s, not " +
                           std::to_string(p.max_tx_rate));
  }
  return Status::Ok();
}

PortPolicy Normalize(const PortPolicy& cur, const PortPolicy& next) {
  PortPolicy p = next;
  if (cur.vlan != 0 && p.vlan == 0 && p.qos == cur.qos) {
    p.qos = 0;
  }
  return p;
}

}  // namespace snic::policy
