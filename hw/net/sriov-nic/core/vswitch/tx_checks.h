// sriov-nic core: the policy checks a frame passes before it reaches the
// switch (the TX side of per-VF policy; the RX side is in switch.h).
//
// In order:
//  - link-state: a VF whose link is down sends nothing (kLinkDown);
//  - spoofchk: the source MAC must be the port's current MAC (kSpoof);
//  - VLAN: a port with a port VLAN may only send untagged frames (the
//    switch tags them); an untrusted port without one may send tagged
//    frames only with an 802.1Q VID it registered in its VLAN filter, or
//    priority tags (VID 0), as VLAN anti-spoof on real NICs (kVlan).
// The PF is trusted, has no port VLAN and no spoof check; it is never
// dropped for its link either (its link is the uplink's; PF to VF traffic
// does not need it).
//
// SPDX-License-Identifier: GPL-2.0-or-later
#ifndef SNIC_CORE_VSWITCH_TX_CHECKS_H
#define SNIC_CORE_VSWITCH_TX_CHECKS_H

#include <cstdint>

#include "../eth/frame.h"
#include "../port/port.h"

namespace snic::vswitch {

enum class TxVerdict : uint8_t { kPass, kLinkDown, kSpoof, kVlan };

TxVerdict CheckTx(const port::PortState& p, const eth::EthView& eth);
// Books a dropped frame on the sender's counters.
void CountTxDrop(port::PortStats& s, TxVerdict v);

}  // namespace snic::vswitch

#endif  // SNIC_CORE_VSWITCH_TX_CHECKS_H
