// sriov-nic core: the receive filter of one function.
// SPDX-License-Identifier: GPL-2.0-or-later
#include "rx_filter.h"

#include <algorithm>
#include <cstring>

namespace snic::net {

namespace {

bool Equal(const MacAddress& a, const uint8_t* b) {
  return std::memcmp(a.data(), b, 6) == 0;
}

}  // namespace

RxFilter::RxFilter() {
  uni_.reserve(kMaxMacEntries);
  multi_.reserve(kMaxMacEntries);
}

void RxFilter::Reset(const MacAddress& mac, bool vlan_filter) {
  mac_ = mac;
  promisc = false;
  allmulti = true;
  alluni = false;
  nomulti = false;
  nouni = false;
  nobcast = false;
  vlan_filtering = vlan_filter;
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

bool RxFilter::OwnsUnicast(const uint8_t* dst) const {
  if (Equal(mac_, dst)) {
    return true;
  }
  return std::any_of(uni_.begin(), uni_.end(),
                     [dst](const MacAddress& m) { return Equal(m, dst); });
}

bool RxFilter::Accepts(const uint8_t* frame, size_t len) const {
  if (len < kEthHeaderLen) {
    return false;
  }
  // The TPID and TCI are big-endian (network order).
  const bool tagged = len >= kEthHeaderLen + 4 &&
                      ((frame[12] << 8) | frame[13]) == kEthTypeVlan;
  const uint16_t vid =
      tagged ? static_cast<uint16_t>(((frame[14] << 8) | frame[15]) & 0xfff)
             : 0;
  return Accepts(frame, tagged, vid);
}

bool RxFilter::Accepts(const uint8_t* dst, bool tagged, uint16_t vid) const {
  if (promisc && !untrusted) {
    return true;
  }
  if (vlan_filtering && tagged && !HasVlan(vid)) {
    return false;
  }
  if (IsBroadcast(dst)) {
    return !nobcast;
  }
  if (IsMulticast(dst)) {
    if (nomulti) return false;
    if (allmulti || multi_overflow) return true;
    return std::any_of(multi_.begin(), multi_.end(),
                       [dst](const MacAddress& m) { return Equal(m, dst); });
  }
  if (nouni) return false;
  if ((alluni || uni_overflow) && !untrusted) return true;
  return OwnsUnicast(dst);
}

}  // namespace snic::net
