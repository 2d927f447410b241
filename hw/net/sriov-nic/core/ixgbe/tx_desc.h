// sriov-nic core: the 82599's transmit descriptors (82599 datasheet
// 7.2.3.2: legacy, advanced context and advanced data), parsed by value,
// and the frame they describe turned into a port::TxFrame whose
// eth::Offload is what virtio-net and Linux's GSO frames carry.
//
// A frame is one or more data descriptors, the last with EOP, preceded by
// any number of context descriptors that fill one of the queue's two
// context slots (IDX). The first data descriptor says which offloads
// apply (POPTS, DCMD.TSE/VLE, IDX); the context says where the headers
// are. What ixgbe asks for (ixgbe_main.c ixgbe_tx_csum, ixgbe_tso;
// ixgbevf_main.c ixgbevf_tx_csum, ixgbevf_tso) and how it maps:
//  - TXSM: a partial checksum at MACLEN + IPLEN, offset 16 (TCP) or 6
//    (UDP); the driver left the pseudo-header sum there (CHECKSUM_PARTIAL).
//    With L4T SCTP the device computes the CRC32c itself (NETIF_F_SCTP_CRC).
//  - IXSM without TSE: the device computes the IPv4 header checksum.
//  - TSE: a GSO frame (gso_size MSS, hdr_len MACLEN + IPLEN + L4LEN). The
//    driver zeroed IPv4 tot_len / IPv6 payload_len and removed the
//    payload length from the L4 pseudo-header sum; the frame handed on
//    has both back, and a valid IPv4 header checksum, as Linux's own GSO
//    frames (what eth::Segment and a receiving stack expect).
//  - VLE: an 802.1Q tag (the context's VLAN field; a legacy descriptor's
//    own) inserted after the MAC addresses; offsets move with it.
// The device keeps no state a frame's descriptors do not give it, other
// than the context slots (TxContexts), which the queue owns.
//
// SPDX-License-Identifier: GPL-2.0-or-later
#ifndef SNIC_CORE_IXGBE_TX_DESC_H
#define SNIC_CORE_IXGBE_TX_DESC_H

#include <array>
#include <cstddef>
#include <cstdint>

#include "../base/status.h"
#include "../port/port.h"

namespace snic::ixgbe {

// Every 82599 descriptor, TX or RX, is 16 bytes.
inline constexpr size_t kDescLen = 16;
using RawDesc = std::array<uint8_t, kDescLen>;
static_assert(sizeof(RawDesc) == kDescLen);

// cmd_type_len (dword 2) of advanced descriptors (ixgbe_type.h).
inline constexpr uint32_t kTxdDtalenMask = 0x0000ffff;
inline constexpr uint32_t kTxdDtypMask = 0x00f00000;
inline constexpr uint32_t kTxdDtypCtxt = 0x00200000;
inline constexpr uint32_t kTxdDtypData = 0x00300000;
inline constexpr uint32_t kTxdCmdEop = 0x01000000;
inline constexpr uint32_t kTxdCmdIfcs = 0x02000000;
inline constexpr uint32_t kTxdCmdIc = 0x04000000;  // legacy only
inline constexpr uint32_t kTxdCmdRs = 0x08000000;
inline constexpr uint32_t kTxdCmdDext = 0x20000000;
inline constexpr uint32_t kTxdCmdVle = 0x40000000;
inline constexpr uint32_t kTxdCmdTse = 0x80000000;
// olinfo_status (dword 3) of an advanced data descriptor.
inline constexpr uint32_t kTxdStatDd = 0x00000001;
inline constexpr unsigned kTxdIdxShift = 4;
inline constexpr uint32_t kTxdCc = 0x00000080;
inline constexpr uint32_t kTxdPoptsIxsm = 0x00000100;
inline constexpr uint32_t kTxdPoptsTxsm = 0x00000200;
inline constexpr unsigned kTxdPaylenShift = 14;
// Context descriptor: vlan_macip_lens (dword 0), type_tucmd_mlhl (dword
// 2), mss_l4len_idx (dword 3).
inline constexpr uint32_t kCtxIplenMask = 0x1ff;
inline constexpr unsigned kCtxMaclenShift = 9;
inline constexpr uint32_t kCtxMaclenMask = 0x7f;
inline constexpr unsigned kCtxVlanShift = 16;
inline constexpr uint32_t kCtxTucmdIpv4 = 0x00000400;
inline constexpr uint32_t kCtxTucmdL4tMask = 0x00001800;
inline constexpr uint32_t kCtxTucmdL4tUdp = 0x00000000;
inline constexpr uint32_t kCtxTucmdL4tTcp = 0x00000800;
inline constexpr uint32_t kCtxTucmdL4tSctp = 0x00001000;
inline constexpr unsigned kCtxL4lenShift = 8;
inline constexpr unsigned kCtxMssShift = 16;

// 82599 datasheet 7.2.1.2: two context slots per queue.
inline constexpr unsigned kTxContexts = 2;

enum class TxDescType : uint8_t {
  kLegacy,      // DEXT clear
  kAdvContext,  // DEXT, DTYP 0x2
  kAdvData,     // DEXT, DTYP 0x3
  kReserved,    // DEXT with another DTYP: malformed
};
TxDescType TxDescTypeOf(const RawDesc& d);

enum class L4Type : uint8_t { kUdp, kTcp, kSctp, kReserved };

// An advanced context descriptor.
struct TxContext {
  uint16_t vlan_tci = 0;
  uint8_t maclen = 0;
  uint16_t iplen = 0;
  bool ipv4 = false;
  L4Type l4t = L4Type::kUdp;
  uint8_t l4len = 0;
  uint16_t mss = 0;
  uint8_t idx = 0;  // the slot it fills (bits 4-7; 0 or 1 are valid)
};
TxContext ParseTxContext(const RawDesc& d);

// The queue's context slots; empty until a context descriptor fills one.
struct TxContexts {
  std::array<TxContext, kTxContexts> slot{};
  std::array<bool, kTxContexts> valid{};
};

// A data descriptor, legacy or advanced.
struct TxData {
  bool legacy = false;
  uint64_t addr = 0;
  uint16_t len = 0;
  bool eop = false;
  bool rs = false;
  bool vle = false;
  // Advanced only (the first descriptor of a frame counts).
  bool tse = false;
  bool ixsm = false;
  bool txsm = false;
  uint8_t idx = 0;  // context slot
  uint32_t paylen = 0;
  // Legacy only: insert a checksum (IC) computed from css to the end at
  // cso; the 802.1Q tag VLE inserts.
  bool ic = false;
  uint8_t cso = 0;
  uint8_t css = 0;
  uint16_t vlan_tci = 0;
};
TxData ParseTxData(const RawDesc& d);

// What a frame's descriptors asked for, gathered from its first and last
// data descriptors.
struct TxRequest {
  TxData first;
  TxData last;
};

// Turns the @len bytes a frame's data descriptors gathered at @buf (which
// holds eth::kMaxFrameLen bytes) into *@out, in place: offloads applied or
// converted as above, the VLAN tag inserted. An invalid request (bad
// context index, an offload without a context, headers past the data, TSE
// without MSS, a frame that does not match its context, too long with its
// tag) is a guest error: the frame is to be dropped, the Status says why.
Status BuildTxFrame(const TxRequest& req, const TxContexts& ctx, uint8_t* buf,
                    size_t len, port::TxFrame* out);

// CRC32c (Castagnoli, as SCTP: reflected, ~0 in and out) of @len bytes;
// Crc32cUpdate carries the raw register across pieces (start with ~0u,
// complement at the end).
uint32_t Crc32cUpdate(uint32_t crc, const uint8_t* p, size_t len);
inline uint32_t Crc32c(const uint8_t* p, size_t len) {
  return ~Crc32cUpdate(0xffffffffu, p, len);
}

// The write-back of a descriptor with RS: DD in the status at byte 12
// (advanced: olinfo_status's STA; legacy: STA), which ixgbe_clean_tx_irq
// polls on the frame's EOP descriptor. The bytes to write there.
inline constexpr size_t kTxWbOffset = 12;
inline constexpr size_t kTxWbLenAdv = 4;
inline constexpr size_t kTxWbLenLegacy = 1;

}  // namespace snic::ixgbe

#endif  // SNIC_CORE_IXGBE_TX_DESC_H
