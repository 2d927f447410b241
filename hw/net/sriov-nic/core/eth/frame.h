// sriov-nic core: Ethernet frames (the one parser every layer uses).
//
// IEEE 802.3 header, IEEE 802.1Q customer tags (TPID 0x8100) and 802.1ad
// service tags (TPID 0x88a8). The embedded switch places frames in VLANs by
// their 802.1Q tag; any tag counts for the "tagged" rules of policy
// (port-VLAN ports and VLAN anti-spoof).
//
// SPDX-License-Identifier: GPL-2.0-or-later
#ifndef SNIC_CORE_ETH_FRAME_H
#define SNIC_CORE_ETH_FRAME_H

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace snic::eth {

using MacAddress = std::array<uint8_t, 6>;

inline constexpr size_t kHeaderLen = 14;
inline constexpr size_t kVlanTagLen = 4;
inline constexpr uint16_t kTpid8021Q = 0x8100;
inline constexpr uint16_t kTpid8021AD = 0x88a8;
// Largest frame the device moves: 64 KiB of payload plus Ethernet and VLAN
// headers (a GSO frame travels whole between functions). Larger is
// malformed.
inline constexpr size_t kMaxFrameLen = 65536 + 18;
// A buffer that holds any frame in either VLAN form.
inline constexpr size_t kFrameBufferLen = kMaxFrameLen + kVlanTagLen;

inline uint16_t LoadBe16(const uint8_t* p) {
  return static_cast<uint16_t>((p[0] << 8) | p[1]);
}
inline void StoreBe16(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v >> 8);
  p[1] = static_cast<uint8_t>(v);
}

inline bool IsMulticast(const uint8_t* mac) { return (mac[0] & 1) != 0; }
inline bool IsBroadcast(const uint8_t* mac) {
  return (mac[0] & mac[1] & mac[2] & mac[3] & mac[4] & mac[5]) == 0xff;
}
inline bool IsMulticast(const MacAddress& mac) { return IsMulticast(mac.data()); }
inline bool SameMac(const MacAddress& a, const uint8_t* b) {
  return a[0] == b[0] && a[1] == b[1] && a[2] == b[2] && a[3] == b[3] &&
         a[4] == b[4] && a[5] == b[5];
}
inline bool IsZero(const MacAddress& mac) { return mac == MacAddress{}; }

// xx:xx:xx:xx:xx:xx
std::string FormatMac(const MacAddress& mac);
// Parses xx:xx:xx:xx:xx:xx (hex digits, either case).
bool ParseMac(const char* s, MacAddress* out);

// A parsed view of a frame in the caller's buffer.
struct EthView {
  const uint8_t* dst = nullptr;
  const uint8_t* src = nullptr;
  uint16_t tpid = 0;  // outer tag's TPID (0x8100 / 0x88a8), 0 if untagged
  uint16_t tci = 0;   // outer tag control (PCP, DEI, VID)

  bool tagged() const { return tpid != 0; }
  // Carries an 802.1Q customer tag (the switch's VLANs).
  bool dot1q() const { return tpid == kTpid8021Q; }
  uint16_t vid() const { return tci & 0xfff; }
  bool multicast() const { return IsMulticast(dst); }

  // nullopt when @len is shorter than an Ethernet header.
  static std::optional<EthView> Parse(const uint8_t* frame, size_t len);
};

// Writes the 802.1Q-tagged form of untagged @frame (tag @tci) to @out,
// which holds @len + kVlanTagLen bytes; returns the new length.
size_t Tag(const uint8_t* frame, size_t len, uint16_t tci, uint8_t* out);
// Writes the untagged form of tagged @frame (len >= 18) to @out.
size_t Untag(const uint8_t* frame, size_t len, uint8_t* out);

// The RARP request QEMU announces a NIC's MAC with after a migration
// (net/announce.c): broadcast, ethertype 0x8035, padded to 60 bytes.
// Writes it to @out (60 bytes) and returns its length.
size_t BuildRarp(const MacAddress& mac, uint8_t* out);

}  // namespace snic::eth

#endif  // SNIC_CORE_ETH_FRAME_H
