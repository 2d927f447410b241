// Unit tests: offloads through the whole core, driven like Linux's
// virtio_net (issue 9): a TSO/USO frame from one function reaches a
// function that negotiated the matching GUEST_* offloads whole (one
// frame, header carried), and one that did not (or turned them off with
// CTRL_GUEST_OFFLOADS) as wire frames whose checksums verify; partial
// checksums are completed for destinations without GUEST_CSUM; the uplink
// (no vnet header) gets segments; policy acts on GSO frames; bogus
// headers are guest errors that drop the frame and nothing else.
// SPDX-License-Identifier: GPL-2.0-or-later
#include <gtest/gtest.h>

#include <deque>

#include "fakes/fake_driver.h"
#include "fakes/gso_frames.h"

namespace snic::testing {
namespace {

constexpr uint8_t kNeedsCsum = 1, kDataValid = 2;
constexpr uint8_t kGsoTcp4 = 1, kGsoUdp = 3, kGsoTcp6 = 4, kGsoUdpL4 = 5,
                  kGsoEcn = 0x80;

struct Received {
  uint8_t flags, gso_type;
  uint16_t hdr_len, gso_size, csum_start, csum_offset, num_buffers;
  std::vector<uint8_t> frame;
};

// One function with its RX buffers (mergeable, 4 KiB each, in order).
class Fn {
 public:
  Fn(Bed& bed, SnicFn fn) : bed_(bed), d_(bed.Driver(fn)) {}
  bool Init(uint64_t features) { return d_.Init(features, 256); }
  void Post(int n) {
    for (uint64_t a : d_.PostRx(n, 4096)) bufs_.push_back(a);
  }
  std::vector<Received> Drain() {
    std::vector<Received> out;
    while (auto u = d_.rx().GetUsed()) {
      const uint64_t a = bufs_.front();
      bufs_.pop_front();
      Received r{};
      GuestRam& ram = bed_.ram;
      r.flags = ram.Get<uint8_t>(a);
      r.gso_type = ram.Get<uint8_t>(a + 1);
      r.hdr_len = ram.Get<uint16_t>(a + 2);
      r.gso_size = ram.Get<uint16_t>(a + 4);
      r.csum_start = ram.Get<uint16_t>(a + 6);
      r.csum_offset = ram.Get<uint16_t>(a + 8);
      r.num_buffers = ram.Get<uint16_t>(a + 10);
      auto b = ram.Bytes(a + 12, u->len - 12);
      r.frame.assign(b.begin(), b.end());
      for (uint16_t i = 1; i < r.num_buffers; ++i) {
        auto more = d_.rx().GetUsed();
        EXPECT_TRUE(more);
        if (!more) break;
        const uint64_t m = bufs_.front();
        bufs_.pop_front();
        auto c = ram.Bytes(m, more->len);
        r.frame.insert(r.frame.end(), c.begin(), c.end());
      }
      out.push_back(std::move(r));
    }
    return out;
  }
  FakeDriver& d() { return d_; }
  std::array<uint8_t, 6> mac() { return MacOf(bed_.core.get(), d_.fn()); }
  uint8_t SetGuestOffloads(uint64_t v) {
    std::vector<uint8_t> le(8);
    for (int i = 0; i < 8; ++i) le[i] = uint8_t(v >> (8 * i));
    return d_.Control(5, 0, le);
  }

 private:
  Bed& bed_;
  FakeDriver d_;
  std::deque<uint64_t> bufs_;
};

class Offloads : public ::testing::Test {
 protected:
  void Start(uint64_t src_features, uint64_t dst_features) {
    snic_core_set_num_vfs(bed_.core.get(), 2);
    src_ = std::make_unique<Fn>(bed_, 1);
    dst_ = std::make_unique<Fn>(bed_, 2);
    ASSERT_TRUE(src_->Init(src_features));
    ASSERT_TRUE(dst_->Init(dst_features));
    dst_->Post(200);
  }
  // A TSO frame of @payload bytes from VF 0 to VF 1, as Linux sends it.
  std::vector<uint8_t> SendTso(bool ipv6, size_t payload, uint16_t mss,
                               bool ecn = false) {
    const auto f = L4Frame(dst_->mac(), src_->mac(), ipv6, kProtoTcp, payload);
    const uint16_t l4 = L4Offset(ipv6);
    src_->d().SendWithHeader(
        TxHeader(kNeedsCsum,
                 uint8_t((ipv6 ? kGsoTcp6 : kGsoTcp4) | (ecn ? kGsoEcn : 0)),
                 uint16_t(l4 + 20), mss, l4, 16),
        f);
    bed_.RunAll();
    return f;
  }
  // Checks that @got are the wire frames of @sent cut at @mss.
  void ExpectSegmentsOf(const std::vector<Received>& got,
                        const std::vector<uint8_t>& sent, size_t hdr,
                        size_t mss) {
    const size_t payload = sent.size() - hdr;
    ASSERT_EQ(got.size(), (payload + mss - 1) / mss);
    std::vector<uint8_t> joined;
    for (const Received& r : got) {
      EXPECT_TRUE(ChecksumsVerify(r.frame));
      EXPECT_EQ(r.gso_type, 0);
      EXPECT_LE(r.frame.size(), hdr + mss);
      joined.insert(joined.end(), r.frame.begin() + hdr, r.frame.end());
    }
    EXPECT_EQ(joined, std::vector<uint8_t>(sent.begin() + hdr, sent.end()));
  }

  Bed bed_{4};
  std::unique_ptr<Fn> src_, dst_;
};

TEST_F(Offloads, TsoFrameReachesAGuestTsoFunctionWhole) {
  Start(kLinuxNetFeatures | kLinuxOffloads, kLinuxNetFeatures | kLinuxOffloads);
  for (bool ipv6 : {false, true}) {
    SCOPED_TRACE(ipv6 ? "IPv6" : "IPv4");
    const auto sent = SendTso(ipv6, 60000, 1448);
    const auto got = dst_->Drain();
    ASSERT_EQ(got.size(), 1u);
    const Received& r = got[0];
    EXPECT_EQ(r.frame, sent);  // one copy, bytes untouched
    EXPECT_EQ(r.flags, kNeedsCsum);
    EXPECT_EQ(r.gso_type, ipv6 ? kGsoTcp6 : kGsoTcp4);
    EXPECT_EQ(r.gso_size, 1448);
    EXPECT_EQ(r.csum_start, L4Offset(ipv6));
    EXPECT_EQ(r.csum_offset, 16);
    EXPECT_EQ(r.hdr_len, L4Offset(ipv6) + 20);
    EXPECT_GT(r.num_buffers, 1);
  }
  EXPECT_EQ(bed_.Stats(1).tx_gso, 2u);
  EXPECT_EQ(bed_.Stats(2).rx_gso, 2u);
  EXPECT_EQ(bed_.Stats(2).rx_segmented, 0u);
  EXPECT_TRUE(bed_.host.guest_errors.empty());
}

TEST_F(Offloads, TsoFrameIsSegmentedForAFunctionWithoutGuestTso) {
  Start(kLinuxNetFeatures | kLinuxOffloads, kLinuxNetFeatures);
  for (bool ipv6 : {false, true}) {
    SCOPED_TRACE(ipv6 ? "IPv6" : "IPv4");
    const auto sent = SendTso(ipv6, 20000, 1448);
    const auto got = dst_->Drain();
    ExpectSegmentsOf(got, sent, L4Offset(ipv6) + 20, 1448);
    for (const Received& r : got) {
      EXPECT_EQ(r.flags, 0);  // no GUEST_CSUM: the guest checks itself
    }
  }
  EXPECT_EQ(bed_.Stats(2).rx_segmented, 2u);
  EXPECT_EQ(bed_.Stats(2).rx_packets, 2u * 14);
}

TEST_F(Offloads, EcnTsoNeedsGuestEcnToPassWhole) {
  Start(kLinuxNetFeatures | kLinuxOffloads,
        kLinuxNetFeatures | F(kGuestCsum) | F(kGuestTso4));
  const auto sent = SendTso(false, 5000, 1000, /*ecn=*/true);
  const auto got = dst_->Drain();
  ExpectSegmentsOf(got, sent, L4Offset(false) + 20, 1000);
  for (const Received& r : got) {
    EXPECT_EQ(r.flags, kDataValid);  // the device computed them
  }
}

TEST_F(Offloads, CtrlGuestOffloadsTurnsReceiveOffloadsOffAndOn) {
  Start(kLinuxNetFeatures | kLinuxOffloads, kLinuxNetFeatures | kLinuxOffloads);
  // ethtool -K rx-gro-hw off: checksum only.
  ASSERT_EQ(dst_->SetGuestOffloads(F(kGuestCsum)), 0);
  auto sent = SendTso(false, 8000, 1448);
  auto got = dst_->Drain();
  ExpectSegmentsOf(got, sent, L4Offset(false) + 20, 1448);
  for (const Received& r : got) EXPECT_EQ(r.flags, kDataValid);
  // ethtool -K rx off: nothing; a partial checksum is completed.
  ASSERT_EQ(dst_->SetGuestOffloads(0), 0);
  auto small = L4Frame(dst_->mac(), src_->mac(), false, kProtoUdp, 300);
  src_->d().SendWithHeader(
      TxHeader(kNeedsCsum, 0, 0, 0, L4Offset(false), 6), small);
  bed_.RunAll();
  got = dst_->Drain();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].flags, 0);
  EXPECT_TRUE(ChecksumsVerify(got[0].frame));
  EXPECT_EQ(bed_.Stats(1).tx_csum_completed, 1u);
  // Back on: whole again.
  ASSERT_EQ(dst_->SetGuestOffloads(kLinuxOffloads & ~F(kCtrlGuestOffloads) &
                                   ~F(kCsum) & ~F(kHostTso4) & ~F(kHostTso6) &
                                   ~F(kHostEcn) & ~F(kHostUso)),
            0);
  sent = SendTso(false, 8000, 1448);
  got = dst_->Drain();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].frame, sent);
  // Offloads it did not negotiate, or another command: VIRTIO_NET_ERR.
  EXPECT_EQ(dst_->SetGuestOffloads(F(10)), 1);  // GUEST_UFO
  EXPECT_EQ(dst_->SetGuestOffloads(F(kHostTso4)), 1);
  EXPECT_EQ(dst_->d().Control(5, 1, std::vector<uint8_t>(8, 0)), 1);
  EXPECT_EQ(dst_->d().Control(5, 0, std::vector<uint8_t>(4, 0)), 1);
}

TEST_F(Offloads, CtrlGuestOffloadsNeedsTheFeature) {
  Start(kLinuxNetFeatures | kLinuxOffloads,
        kLinuxNetFeatures | F(kGuestCsum) | F(kGuestTso4));
  EXPECT_EQ(dst_->SetGuestOffloads(0), 1);
  const auto sent = SendTso(false, 3000, 1448);
  EXPECT_EQ(dst_->Drain().size(), 1u);  // still whole
}

// A frame delivered whole gets a complete checksum, as from a NIC's wire,
// even to a driver that negotiated GUEST_CSUM (found by the kernel's
// hw/csum.py VF -> VF: its packet-socket receiver skips frames whose
// checksum is not ready, and counted none).
TEST_F(Offloads, PartialChecksumIsCompletedForAReceiverWithGuestCsum) {
  Start(kLinuxNetFeatures | kLinuxOffloads, kLinuxNetFeatures | kLinuxOffloads);
  for (const uint8_t proto : {kProtoTcp, kProtoUdp}) {
    const auto f = L4Frame(dst_->mac(), src_->mac(), true, proto, 500);
    src_->d().SendWithHeader(TxHeader(kNeedsCsum, 0, 0, 0, L4Offset(true),
                                      proto == kProtoTcp ? 16 : 6),
                             f);
    bed_.RunAll();
    auto got = dst_->Drain();
    ASSERT_EQ(got.size(), 1u);
    EXPECT_NE(got[0].frame, f);  // the checksum field was filled in
    EXPECT_TRUE(ChecksumsVerify(got[0].frame));
    EXPECT_EQ(got[0].flags, kDataValid);
  }
  EXPECT_EQ(bed_.Stats(1).tx_csum_completed, 2u);
  // To the uplink (no vnet header): completed.
  const auto up = L4Frame(kRemote, src_->mac(), false, kProtoTcp, 500);
  src_->d().SendWithHeader(
      TxHeader(kNeedsCsum, 0, 0, 0, L4Offset(false), 16), up);
  bed_.RunAll();
  ASSERT_EQ(bed_.host.uplink_frames.size(), 1u);
  EXPECT_TRUE(ChecksumsVerify(bed_.host.uplink_frames[0]));
}

TEST_F(Offloads, TsoAndUsoToTheUplinkAreSegmented) {
  Start(kLinuxNetFeatures | kLinuxOffloads, kLinuxNetFeatures);
  const auto tcp = L4Frame(kRemote, src_->mac(), false, kProtoTcp, 10000);
  src_->d().SendWithHeader(TxHeader(kNeedsCsum, kGsoTcp4, 54, 1448, 34, 16),
                           tcp);
  bed_.RunAll();
  EXPECT_EQ(bed_.host.uplink_frames.size(), 7u);
  for (const auto& s : bed_.host.uplink_frames) {
    EXPECT_TRUE(ChecksumsVerify(s));
    EXPECT_LE(s.size(), 54u + 1448);
  }
  bed_.host.uplink_frames.clear();
  const auto udp = L4Frame(kRemote, src_->mac(), true, kProtoUdp, 4000);
  src_->d().SendWithHeader(
      TxHeader(kNeedsCsum, kGsoUdpL4, 62, 1400, L4Offset(true), 6), udp);
  bed_.RunAll();
  EXPECT_EQ(bed_.host.uplink_frames.size(), 3u);
  for (const auto& s : bed_.host.uplink_frames) {
    EXPECT_TRUE(ChecksumsVerify(s));
  }
  SnicUplinkStats u{};
  snic_core_get_uplink_stats(bed_.core.get(), &u);
  EXPECT_EQ(u.tx_segmented, 2u);
  EXPECT_EQ(u.tx_packets, 2u);  // frames the switch sent, before cutting
}

// core_fuzz (tests/fuzz/regressions/gso-segments-queued-one-send-done):
// when QEMU queues the segments of a GSO frame it calls the sent callback
// for each; the uplink stays busy until the last one, and only then does
// the next frame go out.
TEST_F(Offloads, QueuedSegmentsKeepTheUplinkBusyUntilEachIsDone) {
  Start(kLinuxNetFeatures | kLinuxOffloads, kLinuxNetFeatures);
  bed_.host.uplink_accepts = false;
  const auto tcp = L4Frame(kRemote, src_->mac(), false, kProtoTcp, 10000);
  src_->d().SendWithHeader(TxHeader(kNeedsCsum, kGsoTcp4, 54, 1448, 34, 16),
                           tcp);
  bed_.RunAll();
  ASSERT_EQ(bed_.host.uplink_frames.size(), 7u);  // all queued, in order
  bed_.host.uplink_accepts = true;
  const auto next = L4Frame(kRemote, src_->mac(), false, kProtoTcp, 100);
  src_->d().SendWithHeader(TxHeader(0, 0, 0, 0, 0, 0), next);
  bed_.RunAll();
  for (int i = 0; i < 6; ++i) {
    snic_core_uplink_send_done(bed_.core.get());
    bed_.RunAll();
    EXPECT_EQ(bed_.host.uplink_frames.size(), 7u) << "after send_done " << i;
  }
  snic_core_uplink_send_done(bed_.core.get());
  bed_.RunAll();
  ASSERT_EQ(bed_.host.uplink_frames.size(), 8u);
  EXPECT_EQ(bed_.host.uplink_frames.back(), next);
  SnicUplinkStats u{};
  snic_core_get_uplink_stats(bed_.core.get(), &u);
  EXPECT_EQ(u.tx_queued, 7u);
}

TEST_F(Offloads, PortVlanTagsEverySegment) {
  Start(kLinuxNetFeatures | kLinuxOffloads, kLinuxNetFeatures);
  SnicVfPolicy p{};
  ASSERT_TRUE(snic_core_get_vf_policy(bed_.core.get(), 0, &p));
  p.vlan = 10;
  char err[128];
  ASSERT_TRUE(snic_core_set_vf_policy(bed_.core.get(), 0, &p, err, sizeof(err)));
  const auto tcp = L4Frame(kRemote, src_->mac(), false, kProtoTcp, 5000);
  src_->d().SendWithHeader(TxHeader(kNeedsCsum, kGsoTcp4, 54, 1448, 34, 16),
                           tcp);
  bed_.RunAll();
  ASSERT_EQ(bed_.host.uplink_frames.size(), 4u);
  for (const auto& s : bed_.host.uplink_frames) {
    ASSERT_GE(s.size(), 18u);
    EXPECT_EQ(s[12], 0x81);
    EXPECT_EQ(s[15], 10);
    EXPECT_TRUE(ChecksumsVerify(s));
  }
}

TEST_F(Offloads, SpoofedGsoFrameIsDroppedWhole) {
  Start(kLinuxNetFeatures | kLinuxOffloads, kLinuxNetFeatures | kLinuxOffloads);
  const std::array<uint8_t, 6> forged = {0x02, 0, 0, 0, 0, 0x99};
  const auto f = L4Frame(dst_->mac(), forged, false, kProtoTcp, 10000);
  src_->d().SendWithHeader(TxHeader(kNeedsCsum, kGsoTcp4, 54, 1448, 34, 16),
                           f);
  bed_.RunAll();
  EXPECT_TRUE(dst_->Drain().empty());
  EXPECT_EQ(bed_.Stats(1).tx_drop_spoof, 1u);
}

TEST_F(Offloads, ASegmentedFrameLosesWhatDoesNotFit) {
  Start(kLinuxNetFeatures | kLinuxOffloads, kLinuxNetFeatures);
  const auto sent = SendTso(false, 60000, 100);  // 600 segments of 154 B
  EXPECT_EQ(dst_->Drain().size(), 200u);  // its 200 buffers, the rest lost
  EXPECT_EQ(bed_.Stats(2).rx_drop_no_buffers, 1u);
}

// Every malformed header is a guest error: the frame is dropped and
// counted, the function keeps working.
TEST_F(Offloads, BogusHeadersAreDroppedAndCounted) {
  Start(kLinuxNetFeatures | F(kCsum) | F(kHostTso4),
        kLinuxNetFeatures | kLinuxOffloads);
  const auto f4 = L4Frame(dst_->mac(), src_->mac(), false, kProtoTcp, 3000);
  const auto f6 = L4Frame(dst_->mac(), src_->mac(), true, kProtoTcp, 3000);
  struct Case {
    const char* what;
    std::array<uint8_t, 12> hdr;
    const std::vector<uint8_t>* frame;
  } cases[] = {
      {"GSO without NEEDS_CSUM", TxHeader(0, kGsoTcp4, 54, 1448, 0, 0), &f4},
      {"gso_size 0", TxHeader(kNeedsCsum, kGsoTcp4, 54, 0, 34, 16), &f4},
      {"gso_size 1", TxHeader(kNeedsCsum, kGsoTcp4, 54, 1, 34, 16), &f4},
      {"TSO6 not negotiated", TxHeader(kNeedsCsum, kGsoTcp6, 74, 1448, 54, 16),
       &f6},
      {"ECN not negotiated",
       TxHeader(kNeedsCsum, kGsoTcp4 | kGsoEcn, 54, 1448, 34, 16), &f4},
      {"UFO", TxHeader(kNeedsCsum, kGsoUdp, 42, 1448, 34, 6), &f4},
      {"USO not negotiated", TxHeader(kNeedsCsum, kGsoUdpL4, 42, 1448, 34, 6),
       &f4},
      {"unknown type", TxHeader(kNeedsCsum, 7, 54, 1448, 34, 16), &f4},
      {"TCPv4 on an IPv6 frame",
       TxHeader(kNeedsCsum, kGsoTcp4, 54, 1448, 54, 16), &f6},
      {"csum_start past the end",
       TxHeader(kNeedsCsum, 0, 0, 0, 60000, 16), &f4},
      {"csum_offset past the end",
       TxHeader(kNeedsCsum, 0, 0, 0, 34, 3100), &f4},
      {"csum_start in the Ethernet header",
       TxHeader(kNeedsCsum, 0, 0, 0, 4, 2), &f4},
      {"csum_start not the TCP header",
       TxHeader(kNeedsCsum, kGsoTcp4, 54, 1448, 30, 16), &f4},
      {"ECN bit alone", TxHeader(kNeedsCsum, kGsoEcn, 0, 0, 34, 16), &f4},
  };
  uint64_t dropped = 0;
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    const size_t errors = bed_.host.guest_errors.size();
    src_->d().SendWithHeader(c.hdr, *c.frame);
    bed_.RunAll();
    EXPECT_TRUE(dst_->Drain().empty());
    EXPECT_EQ(bed_.Stats(1).tx_drop_malformed, ++dropped);
    EXPECT_EQ(bed_.host.guest_errors.size(), errors + 1);
  }
  // Still working: a good TSO frame after them.
  const auto sent = SendTso(false, 3000, 1448);
  EXPECT_EQ(dst_->Drain().size(), 1u);
  EXPECT_EQ(bed_.Stats(1).needs_reset, 0u);
}

// Every combination of what a source sends (partial checksum, TSO4, TSO6
// with and without ECN, USO over IPv4 and IPv6, each plain or VLAN-tagged
// by a port VLAN on the way) and what a destination takes (each GUEST_*
// set a Linux driver can end up with): the destination gets the frame
// whole exactly when its features take it, otherwise wire frames whose
// checksums verify and whose payloads add up to the original.
struct Combo {
  const char* what;
  bool ipv6;
  uint8_t proto;
  uint8_t gso_type;  // 0: a partial checksum only
};
constexpr Combo kSources[] = {
    {"csum4", false, kProtoTcp, 0},      {"csum6udp", true, kProtoUdp, 0},
    {"tso4", false, kProtoTcp, kGsoTcp4}, {"tso6", true, kProtoTcp, kGsoTcp6},
    {"tso4ecn", false, kProtoTcp, kGsoTcp4 | kGsoEcn},
    {"uso4", false, kProtoUdp, kGsoUdpL4}, {"uso6", true, kProtoUdp, kGsoUdpL4},
};
constexpr uint64_t kDests[] = {
    0,
    F(kGuestCsum),
    F(kGuestCsum) | F(kGuestTso4),
    F(kGuestCsum) | F(kGuestTso4) | F(kGuestTso6),
    F(kGuestCsum) | F(kGuestTso4) | F(kGuestTso6) | F(kGuestEcn),
    F(kGuestCsum) | F(kGuestUso4) | F(kGuestUso6),
    F(kGuestCsum) | F(kGuestTso4) | F(kGuestTso6) | F(kGuestEcn) |
        F(kGuestUso4) | F(kGuestUso6),
};

class OffloadCombos
    : public Offloads,
      public ::testing::WithParamInterface<std::tuple<int, int, bool>> {};

TEST_P(OffloadCombos, DestinationGetsWhatItTakes) {
  const auto [si, di, vlan] = GetParam();
  const Combo& c = kSources[si];
  const uint64_t dst = kDests[di];
  Start(kLinuxNetFeatures | kLinuxOffloads,
        kLinuxNetFeatures | dst | (dst ? F(kCtrlGuestOffloads) : 0));
  if (vlan) {
    // Both VFs access ports of VLAN 7: the frames travel tagged inside
    // the switch (and untagged at both ends): offsets must follow.
    for (uint16_t vf : {0, 1}) {
      SnicVfPolicy p{};
      ASSERT_TRUE(snic_core_get_vf_policy(bed_.core.get(), vf, &p));
      p.vlan = 7;
      char err[128];
      ASSERT_TRUE(
          snic_core_set_vf_policy(bed_.core.get(), vf, &p, err, sizeof(err)));
    }
  }
  const size_t payload = c.gso_type ? 7000 : 900;
  const uint16_t mss = c.proto == kProtoTcp ? 1448 : 1200;
  const auto f = L4Frame(dst_->mac(), src_->mac(), c.ipv6, c.proto, payload);
  const uint16_t l4 = L4Offset(c.ipv6);
  const uint16_t hdr = uint16_t(l4 + (c.proto == kProtoTcp ? 20 : 8));
  src_->d().SendWithHeader(
      TxHeader(kNeedsCsum, c.gso_type, c.gso_type ? hdr : 0,
               c.gso_type ? mss : 0, l4, c.proto == kProtoTcp ? 16 : 6),
      f);
  bed_.RunAll();
  const auto got = dst_->Drain();
  const uint8_t base = c.gso_type & uint8_t(~kGsoEcn);
  const bool ecn = c.gso_type & kGsoEcn;
  bool whole = false;  // a frame without GSO: its checksum is completed
  if (base == kGsoTcp4) whole = (dst & F(kGuestTso4)) && (!ecn || (dst & F(kGuestEcn)));
  if (base == kGsoTcp6) whole = (dst & F(kGuestTso6)) && (!ecn || (dst & F(kGuestEcn)));
  if (base == kGsoUdpL4) whole = dst & F(c.ipv6 ? kGuestUso6 : kGuestUso4);
  EXPECT_EQ(bed_.Stats(1).tx_drop_malformed, 0u);
  if (whole) {
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].frame, f);
    EXPECT_EQ(got[0].flags, kNeedsCsum);
    EXPECT_EQ(got[0].csum_start, l4);
    EXPECT_EQ(got[0].gso_type, c.gso_type ? (base | (ecn ? kGsoEcn : 0)) : 0);
    return;
  }
  if (!c.gso_type) {
    ASSERT_EQ(got.size(), 1u);
    EXPECT_TRUE(ChecksumsVerify(got[0].frame));
    // No GUEST_CSUM: no DATA_VALID either.
    EXPECT_EQ(got[0].flags, (dst & F(kGuestCsum)) ? kDataValid : 0);
    return;
  }
  ExpectSegmentsOf(got, f, hdr, mss);
  for (const Received& r : got) {
    EXPECT_EQ(r.flags, (dst & F(kGuestCsum)) ? kDataValid : 0);
  }
}

INSTANTIATE_TEST_SUITE_P(
    AllCombinations, OffloadCombos,
    ::testing::Combine(::testing::Range(0, int(std::size(kSources))),
                       ::testing::Range(0, int(std::size(kDests))),
                       ::testing::Bool()));

// ---- an uplink with a vnet header (a tap) ----

TEST_F(Offloads, VnetHeaderUplinkTakesGsoFramesAndPartialChecksumsWhole) {
  Start(kLinuxNetFeatures | kLinuxOffloads, kLinuxNetFeatures);
  ASSERT_TRUE(snic_core_set_uplink_vnet_hdr(bed_.core.get(), /*uso=*/true));
  const auto tcp = L4Frame(kRemote, src_->mac(), true, kProtoTcp, 30000);
  src_->d().SendWithHeader(
      TxHeader(kNeedsCsum, kGsoTcp6, 74, 1440, L4Offset(true), 16), tcp);
  const auto small = L4Frame(kRemote, src_->mac(), false, kProtoUdp, 200);
  src_->d().SendWithHeader(TxHeader(kNeedsCsum, 0, 0, 0, 34, 6), small);
  bed_.RunAll();
  ASSERT_EQ(bed_.host.uplink_frames.size(), 2u);
  ASSERT_EQ(bed_.host.uplink_hdrs.size(), 2u);
  EXPECT_EQ(bed_.host.uplink_frames[0], tcp);
  const SnicNetHdr& h = bed_.host.uplink_hdrs[0];
  EXPECT_EQ(h.flags, kNeedsCsum);
  EXPECT_EQ(h.gso_type, kGsoTcp6);
  EXPECT_EQ(h.gso_size, 1440);
  EXPECT_EQ(h.hdr_len, 74);
  EXPECT_EQ(h.csum_start, L4Offset(true));
  EXPECT_EQ(h.csum_offset, 16);
  EXPECT_EQ(bed_.host.uplink_frames[1], small);  // not completed
  EXPECT_EQ(bed_.host.uplink_hdrs[1].flags, kNeedsCsum);
  EXPECT_EQ(bed_.host.uplink_hdrs[1].gso_type, 0);
  EXPECT_EQ(bed_.Stats(1).tx_csum_completed, 0u);
}

// A port VLAN's tag goes with the GSO frame: the header's offsets are the
// tagged frame's (Linux's tun takes tagged GSO frames; two VMs on bridged
// taps with VLAN-44 VFs moved 2 Gbit/s).
TEST_F(Offloads, VnetHeaderUplinkGetsTaggedGsoFramesWhole) {
  Start(kLinuxNetFeatures | kLinuxOffloads, kLinuxNetFeatures);
  ASSERT_TRUE(snic_core_set_uplink_vnet_hdr(bed_.core.get(), true));
  SnicVfPolicy p{};
  ASSERT_TRUE(snic_core_get_vf_policy(bed_.core.get(), 0, &p));
  p.vlan = 44;
  char err[128];
  ASSERT_TRUE(snic_core_set_vf_policy(bed_.core.get(), 0, &p, err, sizeof(err)));
  const auto tcp = L4Frame(kRemote, src_->mac(), false, kProtoTcp, 4000);
  src_->d().SendWithHeader(TxHeader(kNeedsCsum, kGsoTcp4, 54, 1448, 34, 16),
                           tcp);
  bed_.RunAll();
  ASSERT_EQ(bed_.host.uplink_frames.size(), 1u);
  EXPECT_EQ(bed_.host.uplink_frames[0], Tagged(tcp, 44, 0));
  const SnicNetHdr& h = bed_.host.uplink_hdrs[0];
  EXPECT_EQ(h.gso_type, kGsoTcp4);
  EXPECT_EQ(h.csum_start, 38);
  EXPECT_EQ(h.hdr_len, 58);
}

TEST_F(Offloads, VnetHeaderUplinkWithoutUsoGetsUdpSegments) {
  Start(kLinuxNetFeatures | kLinuxOffloads, kLinuxNetFeatures);
  ASSERT_TRUE(snic_core_set_uplink_vnet_hdr(bed_.core.get(), /*uso=*/false));
  const auto udp = L4Frame(kRemote, src_->mac(), false, kProtoUdp, 3000);
  src_->d().SendWithHeader(TxHeader(kNeedsCsum, kGsoUdpL4, 42, 1000, 34, 6),
                           udp);
  bed_.RunAll();
  ASSERT_EQ(bed_.host.uplink_frames.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_TRUE(ChecksumsVerify(bed_.host.uplink_frames[i]));
    EXPECT_EQ(bed_.host.uplink_hdrs[i].flags, kDataValid);
    EXPECT_EQ(bed_.host.uplink_hdrs[i].gso_type, 0);
  }
}

TEST_F(Offloads, VnetHeaderUplinkDeliversGsoFramesAsEachFunctionTakesThem) {
  Start(kLinuxNetFeatures | kLinuxOffloads, kLinuxNetFeatures);
  src_->Post(100);
  ASSERT_TRUE(snic_core_set_uplink_vnet_hdr(bed_.core.get(), true));
  auto deliver = [&](const std::array<uint8_t, 6>& to, bool partial_only) {
    const auto f = L4Frame(to, kRemote, false, kProtoTcp, 9000);
    SnicNetHdr h{};
    h.flags = kNeedsCsum;
    h.csum_start = 34;
    h.csum_offset = 16;
    if (!partial_only) {
      h.gso_type = kGsoTcp4;
      h.gso_size = 1448;
      h.hdr_len = 54;
    }
    EXPECT_EQ(snic_core_uplink_receive_hdr(bed_.core.get(), &h, f.data(),
                                           f.size()),
              f.size());
    return f;
  };
  // VF 0 takes TSO: whole. VF 1 takes nothing: segments, checksums done.
  auto sent = deliver(src_->mac(), false);
  auto got = src_->Drain();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].frame, sent);
  EXPECT_EQ(got[0].gso_type, kGsoTcp4);
  sent = deliver(dst_->mac(), false);
  ExpectSegmentsOf(dst_->Drain(), sent, 54, 1448);
  // A partial checksum: completed for VF 1, on a copy of QEMU's buffer.
  sent = deliver(dst_->mac(), true);
  got = dst_->Drain();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_TRUE(ChecksumsVerify(got[0].frame));
  EXPECT_FALSE(ChecksumsVerify(sent));
  // A header that does not fit: dropped as malformed.
  SnicNetHdr bad{};
  bad.flags = kNeedsCsum;
  bad.gso_type = kGsoTcp4;
  bad.gso_size = 0;
  bad.csum_start = 34;
  bad.csum_offset = 16;
  const auto f = L4Frame(dst_->mac(), kRemote, false, kProtoTcp, 3000);
  EXPECT_EQ(snic_core_uplink_receive_hdr(bed_.core.get(), &bad, f.data(),
                                         f.size()),
            f.size());
  EXPECT_TRUE(dst_->Drain().empty());
  SnicUplinkStats u{};
  snic_core_get_uplink_stats(bed_.core.get(), &u);
  EXPECT_EQ(u.rx_drop_malformed, 1u);
}

TEST_F(Offloads, WithoutCsumAPartialChecksumIsMalformed) {
  Start(kLinuxNetFeatures, kLinuxNetFeatures);
  const auto f = L4Frame(dst_->mac(), src_->mac(), false, kProtoTcp, 100);
  src_->d().SendWithHeader(TxHeader(kNeedsCsum, 0, 0, 0, 34, 16), f);
  bed_.RunAll();
  EXPECT_TRUE(dst_->Drain().empty());
  EXPECT_EQ(bed_.Stats(1).tx_drop_malformed, 1u);
}

}  // namespace
}  // namespace snic::testing
