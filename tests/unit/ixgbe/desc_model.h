// Test helpers: 82599 descriptors as ixgbe/ixgbevf write them
// (ixgbe_tx_ctxtdesc, ixgbe_tx_cmd_type, ixgbe_tx_olinfo_status) and the
// frame changes ixgbe_tso makes before handing a GSO frame to the device.
// SPDX-License-Identifier: GPL-2.0-or-later
#ifndef SNIC_TESTS_UNIT_IXGBE_DESC_MODEL_H
#define SNIC_TESTS_UNIT_IXGBE_DESC_MODEL_H

#include <cstdint>
#include <vector>

#include "eth/frame.h"
#include "ixgbe/tx_desc.h"

namespace snic::testing {

using ixgbe::RawDesc;

inline void PutLe32(RawDesc& d, size_t at, uint32_t v) {
  for (size_t i = 0; i < 4; ++i) d[at + i] = uint8_t(v >> (8 * i));
}
inline uint32_t GetLe32(const RawDesc& d, size_t at) {
  return uint32_t(d[at]) | uint32_t(d[at + 1]) << 8 |
         uint32_t(d[at + 2]) << 16 | uint32_t(d[at + 3]) << 24;
}

// ixgbe_tx_ctxtdesc.
inline RawDesc CtxDesc(uint32_t vlan_macip_lens, uint32_t type_tucmd,
                       uint32_t mss_l4len_idx) {
  RawDesc d{};
  PutLe32(d, 0, vlan_macip_lens);
  PutLe32(d, 8, type_tucmd | ixgbe::kTxdCmdDext | ixgbe::kTxdDtypCtxt);
  PutLe32(d, 12, mss_l4len_idx);
  return d;
}
inline uint32_t MacIpLens(uint32_t maclen, uint32_t iplen, uint16_t vlan = 0) {
  return iplen | maclen << ixgbe::kCtxMaclenShift |
         uint32_t(vlan) << ixgbe::kCtxVlanShift;
}
inline uint32_t MssL4lenIdx(uint32_t mss, uint32_t l4len, uint32_t idx = 0) {
  return mss << ixgbe::kCtxMssShift | l4len << ixgbe::kCtxL4lenShift |
         idx << 4;
}

// An advanced data descriptor: DTYP data, DEXT, IFCS, @dcmd (EOP, RS, VLE,
// TSE) and @olinfo (POPTS, IDX, PAYLEN).
inline RawDesc DataDesc(uint64_t addr, uint16_t len, uint32_t dcmd,
                        uint32_t olinfo) {
  RawDesc d{};
  PutLe32(d, 0, uint32_t(addr));
  PutLe32(d, 4, uint32_t(addr >> 32));
  PutLe32(d, 8,
          ixgbe::kTxdDtypData | ixgbe::kTxdCmdDext | ixgbe::kTxdCmdIfcs |
              dcmd | len);
  PutLe32(d, 12, olinfo);
  return d;
}
inline uint32_t Olinfo(uint32_t paylen, uint32_t popts = 0,
                       uint32_t idx = 0) {
  return paylen << ixgbe::kTxdPaylenShift | popts | idx << 4;
}

// A legacy descriptor (datasheet 7.2.3.2.2).
inline RawDesc LegacyDesc(uint64_t addr, uint16_t len, uint32_t cmd,
                          uint8_t cso = 0, uint8_t css = 0,
                          uint16_t vlan = 0) {
  RawDesc d{};
  PutLe32(d, 0, uint32_t(addr));
  PutLe32(d, 4, uint32_t(addr >> 32));
  PutLe32(d, 8, cmd | len);
  d[10] = cso;
  d[13] = css;
  d[14] = uint8_t(vlan);
  d[15] = uint8_t(vlan >> 8);
  return d;
}

// What ixgbe_tso does to a Linux GSO frame (IP header at @l3, L4 at
// @l4): tot_len / payload_len 0, the IPv4 checksum 0, the payload length
// taken out of the L4 pseudo-header sum (csum_replace_by_diff).
inline void DriverTso(std::vector<uint8_t>& f, size_t l3, size_t l4,
                      bool tcp) {
  const bool v4 = (f[l3] >> 4) == 4;
  if (v4) {
    f[l3 + 2] = f[l3 + 3] = 0;
    f[l3 + 10] = f[l3 + 11] = 0;
  } else {
    f[l3 + 4] = f[l3 + 5] = 0;
  }
  const uint32_t paylen = uint32_t(f.size() - l4);
  const size_t at = l4 + (tcp ? 16 : 6);
  const uint16_t old = eth::LoadBe16(&f[at]);
  uint32_t s = uint32_t(uint16_t(~old)) + (paylen >> 16) + (paylen & 0xffff);
  while (s >> 16) s = (s & 0xffff) + (s >> 16);
  eth::StoreBe16(&f[at], uint16_t(~s));
}

}  // namespace snic::testing

#endif  // SNIC_TESTS_UNIT_IXGBE_DESC_MODEL_H
