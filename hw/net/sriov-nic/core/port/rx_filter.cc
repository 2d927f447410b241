// sriov-nic core: the receive filter of one port.
// SPDX-License-Identifier: GPL-2.0-or-later
#include "rx_filter.h"

#include <algorithm>

namespace snic::port {

namespace {

bool Listed(const std::vector<MacAddress>& table, const uint8_t* mac) {
  return std::any_of(table.begin(), table.end(),
                     [mac](const MacAddress& m) { return eth::SameMac(m, mac); });
}

}  // namespace

RxFilter::RxFilter() {
  uni_.reserve(kMaxMacEntries);
  multi_.reserve(kMaxMacEntries);
}

void RxFilter::Reset(const MacAddress& mac) {
  mac_ = mac;
  promisc = false;
  allmulti = true;
  alluni = false;
  nomulti = false;
  nouni = false;
  nobcast = false;
  programmable = false;
  vlan_filtering = false;
  registers = false;
  mc_hash_on = false;
  mc_hash_type = 0;
  mc_hash.reset();
  ClearTables();
  vlans_.reset();
}

void RxFilter::ClearTables() {
  uni_.clear();
  multi_.clear();
  uni_overflow = false;
  multi_overflow = false;
}

bool RxFilter::AddUnicast(const MacAddress& mac) {
  if (uni_.size() >= kMaxMacEntries) {
    uni_overflow = true;
    return false;
  }
  uni_.push_back(mac);
  return true;
}

bool RxFilter::AddMulticast(const MacAddress& mac) {
  if (multi_.size() >= kMaxMacEntries) {
    multi_overflow = true;
    return false;
  }
  multi_.push_back(mac);
  return true;
}

bool RxFilter::SetTables(const std::vector<MacAddress>& uni,
                         const std::vector<MacAddress>& multi,
                         const std::bitset<4096>& vlans) {
  if (uni.size() > kMaxMacEntries || multi.size() > kMaxMacEntries) {
    return false;
  }
  uni_ = uni;
  multi_ = multi;
  vlans_ = vlans;
  return true;
}

bool RxFilter::ListsUnicast(const uint8_t* dst) const {
  return Listed(uni_, dst);
}

uint16_t RxFilter::McHashIndex(const uint8_t* dst, uint8_t type) {
  // ixgbe_mta_vector (ixgbe_common.c): 12 bits of the address's last two
  // bytes, at an offset the filter type picks.
  unsigned v = 0;
  switch (type & 3) {
    case 0:
      v = dst[4] >> 4 | dst[5] << 4;
      break;
    case 1:
      v = dst[4] >> 3 | dst[5] << 5;
      break;
    case 2:
      v = dst[4] >> 2 | dst[5] << 6;
      break;
    case 3:
      v = dst[4] | dst[5] << 8;
      break;
  }
  return static_cast<uint16_t>(v & 0xfff);
}

bool RxFilter::Accepts(const uint8_t* dst, bool tagged, uint16_t vid,
                       bool trusted) const {
  trusted = trusted || registers;
  if (promisc && trusted) {
    return true;
  }
  if (vlan_filtering && tagged && !HasVlan(vid)) {
    return false;
  }
  if (eth::IsBroadcast(dst)) {
    return !nobcast;
  }
  if (eth::IsMulticast(dst)) {
    if (nomulti) return false;
    if ((allmulti || multi_overflow) && (trusted || !programmable)) {
      return true;
    }
    if (mc_hash_on && mc_hash.test(McHashIndex(dst, mc_hash_type))) {
      return true;
    }
    return Listed(multi_, dst);
  }
  if (nouni) return false;
  if (eth::SameMac(mac_, dst)) return true;
  if (!trusted) return false;
  return alluni || uni_overflow || Listed(uni_, dst);
}

}  // namespace snic::port
