// sriov-nic core: the 82599's receive descriptors (82599 datasheet
// 7.1.6): the advanced one-buffer format (SRRCTL.DESCTYPE 001) that ixgbe
// and ixgbevf program (ixgbe_configure_srrctl, ixgbevf_configure_srrctl),
// and the legacy format (DESCTYPE 000, the reset value), written back by
// value.
//
// Read format (both): the packet buffer's address in bytes 0-7 (the
// advanced format's header address in 8-15 is unused in one-buffer mode).
// Advanced write-back: pkt_info (RSS type, packet type), hdr_info (RSCCNT
// 0: the device never coalesces), the RSS hash, status/error, length,
// VLAN. A frame longer than one buffer (SRRCTL.BSIZEPACKET, 1 KiB units)
// takes several descriptors, EOP on the last (ixgbe_is_non_eop); each
// carries the frame's status.
//
// What the status says, as ixgbe_rx_checksum/ixgbevf_rx_checksum read it:
// IPCS (an IPv4 header checksum was checked) with IPE if it was wrong;
// L4CS (a TCP, UDP or SCTP checksum was checked, UDPCS too for UDP) with
// TCPE if it was wrong. A frame whose checksums are known good
// (eth::Offload data_valid, or a partial checksum, which is good by
// construction) is not summed again. VP: the queue stripped an 802.1Q
// tag into the VLAN field (RXDCTL.VME); ixgbevf_process_skb_fields takes
// VP as "the tag is in the descriptor", so VP is never set for a tag left
// in the frame.
//
// SPDX-License-Identifier: GPL-2.0-or-later
#ifndef SNIC_CORE_IXGBE_RX_DESC_H
#define SNIC_CORE_IXGBE_RX_DESC_H

#include <cstddef>
#include <cstdint>

#include "../eth/offload.h"
#include "tx_desc.h"

namespace snic::ixgbe {

// SRRCTL (ixgbe_type.h).
inline constexpr uint32_t kSrrctlBsizePktMask = 0x0000001f;
inline constexpr uint32_t kSrrctlBsizeUnit = 1024;
inline constexpr uint32_t kSrrctlDesctypeMask = 0x0e000000;
inline constexpr uint32_t kSrrctlDesctypeLegacy = 0x00000000;
inline constexpr uint32_t kSrrctlDesctypeAdvOneBuf = 0x02000000;

// Status (advanced: status_error bits 0-19; legacy: the status byte).
inline constexpr uint32_t kRxStatDd = 0x01;
inline constexpr uint32_t kRxStatEop = 0x02;
inline constexpr uint32_t kRxStatVp = 0x08;
inline constexpr uint32_t kRxStatUdpcs = 0x10;
inline constexpr uint32_t kRxStatL4cs = 0x20;
inline constexpr uint32_t kRxStatIpcs = 0x40;
// Errors: advanced status_error bits 20-31; legacy: the errors byte.
inline constexpr uint32_t kRxAdvErrTcpe = 0x40000000;
inline constexpr uint32_t kRxAdvErrIpe = 0x80000000;
inline constexpr uint8_t kRxLegacyErrTcpe = 0x40;
inline constexpr uint8_t kRxLegacyErrIpe = 0x80;

// pkt_info: RSS type (bits 0-3) and packet type (bits 4-15).
inline constexpr uint16_t kRssTypeNone = 0x0;
inline constexpr uint16_t kRssTypeIpv4Tcp = 0x1;
inline constexpr uint16_t kRssTypeIpv4 = 0x2;
inline constexpr uint16_t kRssTypeIpv6Tcp = 0x3;
inline constexpr uint16_t kRssTypeIpv6 = 0x5;
inline constexpr uint16_t kRssTypeIpv4Udp = 0x7;
inline constexpr uint16_t kRssTypeIpv6Udp = 0x8;
inline constexpr uint16_t kPktTypeIpv4 = 0x0010;
inline constexpr uint16_t kPktTypeIpv4Ex = 0x0020;  // IPv4 with options
inline constexpr uint16_t kPktTypeIpv6 = 0x0040;
inline constexpr uint16_t kPktTypeTcp = 0x0100;
inline constexpr uint16_t kPktTypeUdp = 0x0200;
inline constexpr uint16_t kPktTypeSctp = 0x0400;

// The RSS result the caller computed for the frame (rss_type kRssType*;
// none: the hash field is 0).
struct RxHash {
  uint32_t value = 0;
  uint16_t type = kRssTypeNone;
};

// What the device reports for one frame, on each of its descriptors.
struct RxInfo {
  uint16_t pkt_type = 0;   // kPktType*
  uint32_t status = 0;     // kRxStat* (not DD/EOP)
  bool ip_error = false;   // IPE
  bool l4_error = false;   // TCPE
  uint16_t vlan_tci = 0;   // with kRxStatVp
  RxHash hash;
};

// The packet type and checksum status of @frame (as it arrived, tags
// included), verifying the IPv4 header and TCP/UDP/SCTP checksums unless
// @offload says they are good. IPv4 fragments and IPv6 frames with
// extension headers get their IP type only.
RxInfo ClassifyRxFrame(const uint8_t* frame, size_t len,
                       const eth::Offload& offload);

// The write-back of one descriptor holding @len bytes of the frame.
RawDesc AdvRxWriteback(const RxInfo& info, uint16_t len, bool eop);
RawDesc LegacyRxWriteback(const RxInfo& info, uint16_t len, bool eop);

}  // namespace snic::ixgbe

#endif  // SNIC_CORE_IXGBE_RX_DESC_H
