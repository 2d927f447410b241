// Ethernet frames and virtio-net control-queue data for the unit tests:
// frame builders (untagged, 802.1Q tagged), the MAC_TABLE_SET payload, a
// few well-known addresses, and the control-queue constants (virtio 1.2
// 5.1.6.5), spelled out independently of the core's headers. Lives in
// tests/ only.
// SPDX-License-Identifier: GPL-2.0-or-later
#ifndef SNIC_TESTS_FAKES_FRAMES_H
#define SNIC_TESTS_FAKES_FRAMES_H

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace snic::testing {

using Frames = std::vector<std::vector<uint8_t>>;

inline constexpr std::array<uint8_t, 6> kBroadcast = {0xff, 0xff, 0xff,
                                                      0xff, 0xff, 0xff};
// A host beyond the uplink.
inline constexpr std::array<uint8_t, 6> kRemote = {0x52, 0x54, 0x00,
                                                   0xaa, 0xbb, 0xcc};
// A multicast group and a unicast address nobody owns.
inline constexpr std::array<uint8_t, 6> kGroup = {0x01, 0x00, 0x5e,
                                                  0x00, 0x00, 0x42};
inline constexpr std::array<uint8_t, 6> kOther = {0x02, 0x00, 0x00,
                                                  0x00, 0x00, 0x77};

// 5.1.6.5: ack values, classes and commands of the control virtqueue.
inline constexpr uint8_t kCtrlOk = 0, kCtrlErr = 1;
inline constexpr uint8_t kClassRx = 0, kClassMac = 1, kClassVlan = 2,
                         kClassAnnounce = 3;
inline constexpr uint8_t kRxPromisc = 0, kRxAllmulti = 1, kRxAlluni = 2,
                         kRxNomulti = 3, kRxNouni = 4, kRxNobcast = 5;
inline constexpr uint8_t kMacTableSet = 0, kMacAddrSet = 1;
inline constexpr uint8_t kVlanAdd = 0, kVlanDel = 1;

// Ethernet frame: dst, src, ethertype, then @payload_len pattern bytes.
inline std::vector<uint8_t> Frame(const std::array<uint8_t, 6>& dst,
                                  const std::array<uint8_t, 6>& src,
                                  size_t payload_len = 46,
                                  uint16_t ethertype = 0x0800,
                                  uint8_t seed = 0) {
  std::vector<uint8_t> f(dst.begin(), dst.end());
  f.insert(f.end(), src.begin(), src.end());
  f.push_back(uint8_t(ethertype >> 8));
  f.push_back(uint8_t(ethertype));
  for (size_t i = 0; i < payload_len; ++i) f.push_back(uint8_t(i * 7 + seed));
  return f;
}

// @frame with a tag (TPID @tpid, PCP @pcp, VID @vid) inserted after the
// MAC addresses.
inline std::vector<uint8_t> Tagged(const std::vector<uint8_t>& frame,
                                   uint16_t vid, uint8_t pcp = 0,
                                   uint16_t tpid = 0x8100) {
  std::vector<uint8_t> f = frame;
  const uint16_t tci = uint16_t(pcp << 13 | vid);
  const uint8_t tag[4] = {uint8_t(tpid >> 8), uint8_t(tpid), uint8_t(tci >> 8),
                          uint8_t(tci)};
  f.insert(f.begin() + 12, tag, tag + 4);
  return f;
}

// Ethernet frame with an 802.1Q tag (TPID 0x8100, @pcp, @vid).
inline std::vector<uint8_t> TaggedFrame(const std::array<uint8_t, 6>& dst,
                                        const std::array<uint8_t, 6>& src,
                                        uint16_t vid, uint8_t pcp = 0,
                                        size_t payload_len = 46) {
  return Tagged(Frame(dst, src, payload_len), vid, pcp);
}

// The untagged frame a tagged one carries.
inline std::vector<uint8_t> Untagged(const std::vector<uint8_t>& tagged) {
  // Sized first and copied (GCC 12 -O2 warns, wrongly, on the insert).
  std::vector<uint8_t> f(tagged.size() - 4);
  std::copy(tagged.begin(), tagged.begin() + 12, f.begin());
  std::copy(tagged.begin() + 16, tagged.end(), f.begin() + 12);
  return f;
}

// The data of VIRTIO_NET_CTRL_MAC_TABLE_SET: two virtio_net_ctrl_mac
// lists (le32 entries, then the MACs), unicast first.
inline std::vector<uint8_t> MacTableData(
    const std::vector<std::array<uint8_t, 6>>& uni,
    const std::vector<std::array<uint8_t, 6>>& multi) {
  std::vector<uint8_t> d;
  for (const auto* list : {&uni, &multi}) {
    const uint32_t n = uint32_t(list->size());
    for (int i = 0; i < 4; ++i) d.push_back(uint8_t(n >> (8 * i)));
    for (const auto& m : *list) d.insert(d.end(), m.begin(), m.end());
  }
  return d;
}

}  // namespace snic::testing

#endif  // SNIC_TESTS_FAKES_FRAMES_H
