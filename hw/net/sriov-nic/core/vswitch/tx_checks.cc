// sriov-nic core: the policy checks a frame passes before the switch.
// SPDX-License-Identifier: GPL-2.0-or-later
#include "tx_checks.h"

namespace snic::vswitch {

TxVerdict CheckTx(const port::PortState& p, const eth::EthView& eth) {
  if (!p.is_pf && !p.link_up) {
    return TxVerdict::kLinkDown;
  }
  if (p.policy.spoofchk && !eth::SameMac(p.mac(), eth.src)) {
    return TxVerdict::kSpoof;
  }
  if (eth.tagged()) {
    if (p.policy.vlan != 0) {
      return TxVerdict::kVlan;
    }
    if (!p.trusted() && !(eth.dot1q() && p.filter.AllowsTxVid(eth.vid()))) {
      return TxVerdict::kVlan;
    }
  }
  return TxVerdict::kPass;
}

void CountTxDrop(port::PortStats& s, TxVerdict v) {
  switch (v) {
    case TxVerdict::kPass:
      return;
    case TxVerdict::kLinkDown:
      s.tx_drop_link_down++;
      break;
    case TxVerdict::kSpoof:
      s.tx_drop_spoof++;
      break;
    case TxVerdict::kVlan:
      s.tx_drop_vlan++;
      break;
  }
  s.tx_drop_policy++;
}

}  // namespace snic::vswitch
