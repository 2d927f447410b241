// sriov-nic core: the receive filter of one port.
//
// What a driver programs (virtio-net: the control queue, virtio 1.2
// 5.1.6.5.1-3; an Intel personality: RAR/MTA/VLVF registers) and the switch
// queries: the port's MAC, RX modes, capped unicast and multicast tables
// and a VLAN filter. Decisions follow QEMU's virtio-net receive_filter(),
// with the host's trust policy applied at decision time, so granting or
// revoking trust takes effect on the next frame:
//  - PROMISC (trusted only) accepts everything, VLAN filter included;
//  - a tagged frame whose VID is not in the VLAN filter is rejected when
//    the driver has a VLAN filter (vlan_filtering);
//  - broadcast unless NOBCAST;
//  - multicast unless NOMULTI; then, trusted or not programmable: ALLMULTI
//    or a table overflow accepts all; otherwise only table entries. An
//    untrusted port that can program its table (programmable) receives only
//    the groups it listed, up to kMaxMacEntries, as an untrusted VF on real
//    NICs (ixgbe caps an untrusted VF at its own multicast list);
//  - unicast unless NOUNI; the port's own MAC; then, trusted only, ALLUNI,
//    a table overflow, or a table entry. An untrusted port's unicast table
//    is inert: it neither receives for those MACs nor takes them from their
//    owner or the uplink.
// Reset state: own MAC, broadcast, ALLMULTI on (so a driver that cannot
// program filters still gets ARP/ND), nothing promiscuous.
//
// An Intel personality's pool filter is hardware (`registers`): its guest
// PF driver decided what an untrusted VF may have before it wrote the
// registers (ixgbe_update_vf_xcast_mode, ixgbe_set_vf_macvlan), so the
// switch honours the modes and tables as written, trusted or not, and
// adds the imperfect multicast filter those NICs have: a 4096-bit hash
// table (MTA) indexed by 12 bits of the destination address.
//
// SPDX-License-Identifier: GPL-2.0-or-later
#ifndef SNIC_CORE_PORT_RX_FILTER_H
#define SNIC_CORE_PORT_RX_FILTER_H

#include <bitset>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "../eth/frame.h"

namespace snic::port {

using eth::MacAddress;

class RxFilter {
 public:
  static constexpr size_t kMaxMacEntries = 64;

  RxFilter();
  // Reset state (see above) with @mac as the port's address.
  void Reset(const MacAddress& mac);

  // Would a frame to @dst, seen with an 802.1Q tag of @vid when @tagged,
  // pass this filter, given the host's @trusted?
  bool Accepts(const uint8_t* dst, bool tagged, uint16_t vid,
               bool trusted) const;
  // @dst is in the unicast table. The table itself knows nothing of trust:
  // the switch consults it for trusted ports only (vswitch/switch.cc).
  bool ListsUnicast(const uint8_t* dst) const;
  // VLAN anti-spoof: the port registered @vid (priority tags, VID 0, pass).
  bool AllowsTxVid(uint16_t vid) const {
    return vid == 0 || (vlan_filtering && HasVlan(vid));
  }

  const MacAddress& mac() const { return mac_; }
  void set_mac(const MacAddress& mac) { mac_ = mac; }

  bool promisc = false;
  bool allmulti = true;
  bool alluni = false;
  bool nomulti = false;
  bool nouni = false;
  bool nobcast = false;
  // The driver can program the tables (virtio: CTRL_RX negotiated).
  bool programmable = false;
  bool vlan_filtering = false;  // the driver has a VLAN filter
  bool uni_overflow = false;
  bool multi_overflow = false;
  // Hardware filter registers (see above): trust is not applied again.
  bool registers = false;
  // The multicast hash filter: on, the table, and which 12 address bits
  // index it (MCSTCTRL.MO, ixgbe_mta_vector: 0 = bits 47:36 .. 3 = 43:32).
  bool mc_hash_on = false;
  uint8_t mc_hash_type = 0;
  std::bitset<4096> mc_hash;
  // The table index of multicast address @dst for @type.
  static uint16_t McHashIndex(const uint8_t* dst, uint8_t type);

  // Empties both tables and clears the overflow flags. Add* append one
  // entry; past kMaxMacEntries they set the overflow flag and return false.
  void ClearTables();
  bool AddUnicast(const MacAddress& mac);
  bool AddMulticast(const MacAddress& mac);
  size_t unicast_count() const { return uni_.size(); }
  size_t multicast_count() const { return multi_.size(); }

  // Migration: the tables and VLAN bitmap as data (the flags above are
  // plain members).
  const std::vector<MacAddress>& unicast() const { return uni_; }
  const std::vector<MacAddress>& multicast() const { return multi_; }
  const std::bitset<4096>& vlans() const { return vlans_; }
  // False if a table is longer than kMaxMacEntries (nothing changes).
  bool SetTables(const std::vector<MacAddress>& uni,
                 const std::vector<MacAddress>& multi,
                 const std::bitset<4096>& vlans);

  void SetVlan(uint16_t vid, bool on) { vlans_.set(vid & 0xfff, on); }
  bool HasVlan(uint16_t vid) const { return vlans_.test(vid & 0xfff); }
  void ClearVlans() { vlans_.reset(); }

 private:
  MacAddress mac_{};
  std::vector<MacAddress> uni_;
  std::vector<MacAddress> multi_;
  std::bitset<4096> vlans_;
};

}  // namespace snic::port

#endif  // SNIC_CORE_PORT_RX_FILTER_H
