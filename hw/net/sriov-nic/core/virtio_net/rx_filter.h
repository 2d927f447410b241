// sriov-nic core: the receive filter of one function.
//
// The state the control virtqueue programs (virtio 1.2 section 5.1.6.5.1
// packet receive filtering, 5.1.6.5.2 MAC address filtering, 5.1.6.5.3 VLAN
// filtering), queried by the switch: "does this function accept a frame
// with this destination MAC and VLAN tag?". Decisions follow QEMU's
// virtio-net receive_filter():
//  - PROMISC accepts everything (VLAN filter included);
//  - a tagged frame whose VID is not in the VLAN filter is rejected when
//    VIRTIO_NET_F_CTRL_VLAN was negotiated;
//  - broadcast unless NOBCAST; multicast unless NOMULTI, then ALLMULTI or a
//    multicast table overflow or a table match; unicast unless NOUNI, then
//    ALLUNI or a unicast table overflow or the function's own MAC or a
//    table match.
// The tables are capped at kMaxMacEntries each; a longer list from the
// driver sets the overflow flag (behaves as ALLUNI/ALLMULTI) and is counted.
//
// Reset state differs from QEMU (which starts promiscuous): a function
// accepts its own MAC, broadcast and all multicast (ALLMULTI on), so a
// driver without VIRTIO_NET_F_CTRL_RX still gets ARP/ND while VFs do not
// see each other's unicast traffic.
//
// SPDX-License-Identifier: GPL-2.0-or-later
#ifndef SNIC_CORE_NET_RX_FILTER_H
#define SNIC_CORE_NET_RX_FILTER_H

#include <bitset>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "spec.h"

namespace snic::net {

class RxFilter {
 public:
  static constexpr size_t kMaxMacEntries = 64;

  RxFilter();
  // Reset state (see above) with @mac as the function's address.
  void Reset(const MacAddress& mac, bool vlan_filtering);

  bool Accepts(const uint8_t* frame, size_t len) const;
  // The same decision for a frame to @dst carrying an 802.1Q tag with
  // @vid when @tagged.
  bool Accepts(const uint8_t* dst, bool tagged, uint16_t vid) const;
  // @dst is the function's own MAC or in its unicast table: the switch
  // sends unicast to it instead of the uplink.
  bool OwnsUnicast(const uint8_t* dst) const;

  const MacAddress& mac() const { return mac_; }
  void set_mac(const MacAddress& mac) { mac_ = mac; }

  bool promisc = false;
  bool allmulti = true;
  bool alluni = false;
  bool nomulti = false;
  bool nouni = false;
  bool nobcast = false;
  bool vlan_filtering = false;  // VIRTIO_NET_F_CTRL_VLAN negotiated
  bool uni_overflow = false;
  bool multi_overflow = false;
  // Host policy, not guest state (Reset keeps it): an untrusted VF
  // (policy trust off) never gets unicast for MACs it does not own, even
  // with PROMISC, ALLUNI or a unicast table overflow.
  bool untrusted = false;

  // Empties both tables and clears the overflow flags. Add* append one
  // entry; past kMaxMacEntries they set the overflow flag and return false.
  void ClearTables();
  bool AddUnicast(const MacAddress& mac);
  bool AddMulticast(const MacAddress& mac);
  size_t unicast_count() const { return uni_.size(); }
  size_t multicast_count() const { return multi_.size(); }

  void SetVlan(uint16_t vid, bool on) { vlans_.set(vid & 0xfff, on); }
  bool HasVlan(uint16_t vid) const { return vlans_.test(vid & 0xfff); }

 private:
  MacAddress mac_{};
  std::vector<MacAddress> uni_;
  std::vector<MacAddress> multi_;
  std::bitset<4096> vlans_;
};

}  // namespace snic::net

#endif  // SNIC_CORE_NET_RX_FILTER_H
