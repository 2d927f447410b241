// sriov-nic core: the 82599's receive-side scaling hash (82599 datasheet
// 7.1.2.8): Toeplitz over the 40-byte key in RSSRK(0..9), the input
// fields MRQC enables, and the 128-entry redirection table RETA(0..31)
// indexed by the hash's 7 low bits (ixgbe_setup_reta, ixgbe_store_reta:
// one 4-bit queue index per byte on 82599).
//
// The hash type is the first of these the frame has and MRQC enables:
// TCP or UDP over IPv4 (addresses, then ports), IPv4 (addresses); the
// same over IPv6. IPv4 fragments hash as IPv4; IPv6 frames with
// extension headers as IPv6 (the _EX types are not supported). The
// result goes to the RX descriptor (RxHash: hash and RSS type); which
// queue it selects (RetaEntry, plus the pool's queue offset in VMDq+RSS
// modes) is the register file's.
//
// SPDX-License-Identifier: GPL-2.0-or-later
#ifndef SNIC_CORE_IXGBE_RSS_H
#define SNIC_CORE_IXGBE_RSS_H

#include <array>
#include <cstddef>
#include <cstdint>

#include "rx_desc.h"

namespace snic::ixgbe {

// MRQC (ixgbe_type.h).
inline constexpr uint32_t kMrqcMrqeMask = 0xf;
inline constexpr uint32_t kMrqcFieldIpv4Tcp = 0x00010000;
inline constexpr uint32_t kMrqcFieldIpv4 = 0x00020000;
inline constexpr uint32_t kMrqcFieldIpv6 = 0x00100000;
inline constexpr uint32_t kMrqcFieldIpv6Tcp = 0x00200000;
inline constexpr uint32_t kMrqcFieldIpv4Udp = 0x00400000;
inline constexpr uint32_t kMrqcFieldIpv6Udp = 0x00800000;

// RXCSUM.PCSD: the descriptor carries the RSS hash, not the fragment
// checksum (ixgbe_setup_mrqc sets it).
inline constexpr uint32_t kRxcsumPcsd = 0x00002000;
// PSRTYPE.RQPL: log2 of the pool's RSS queues (0, 1, 2: 1, 2, 4 queues;
// ixgbe_setup_psrtype, ixgbevf_setup_psrtype).
inline constexpr unsigned kPsrtypeRqplShift = 29;
inline constexpr uint32_t kPsrtypeRqplMask = 0x7;

inline constexpr size_t kRssKeyLen = 40;
inline constexpr size_t kRetaEntries = 128;

// The registers as the driver wrote them.
struct RssRegs {
  uint32_t mrqc = 0;
  std::array<uint32_t, kRssKeyLen / 4> rssrk{};  // key byte 4i in bits 7:0
  std::array<uint32_t, kRetaEntries / 4> reta{};  // entry 4i in bits 7:0
};

// MRQE selects a mode with RSS (RSS only, DCB + RSS, VMDq + RSS).
bool RssEnabled(uint32_t mrqc);

// Toeplitz hash of @len bytes of @input under the 40-byte @key.
uint32_t Toeplitz(const std::array<uint8_t, kRssKeyLen>& key,
                  const uint8_t* input, size_t len);

// The hash of @frame (Ethernet, up to two VLAN tags) under @regs; type
// none (hash 0) when RSS is off or no enabled type applies.
RxHash RssHash(const RssRegs& regs, const uint8_t* frame, size_t len);

// The redirection table's entry for @hash (its 4-bit queue index).
uint8_t RetaEntry(const RssRegs& regs, uint32_t hash);

// How many of a pool's @queues_per_pool queues RSS spreads over in the
// VMDq+RSS modes: 2^RQPL of the pool's @psrtype, at most the pool's (an
// RQPL the pool cannot hold is cut to it, never past the pool).
unsigned PoolRssQueues(uint32_t psrtype, unsigned queues_per_pool);

}  // namespace snic::ixgbe

#endif  // SNIC_CORE_IXGBE_RSS_H
