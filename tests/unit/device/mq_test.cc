// Unit tests: multiqueue, RSS and hash reports through the whole core,
// driven like Linux's virtio_net (issue 9): the queue-pairs property sizes
// queues and vectors; VQ_PAIRS_SET, RSS_CONFIG and HASH_CONFIG on the
// controlq at 2 * max_virtqueue_pairs; the switch delivers each frame to
// the receiveq its RSS picks, with the hash in the header; TX is drained
// from every transmitq; hostile MQ commands are refused and change
// nothing; the RSS state migrates.
// SPDX-License-Identifier: GPL-2.0-or-later
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <string>
#include <map>
#include <set>
#include <vector>

#include "fakes/fake_driver.h"
#include "fakes/gso_frames.h"
#include "virtio_net/rss.h"
#include "virtio_net/spec.h"

namespace snic::testing {
namespace {

namespace vn = snic::virtio_net;

constexpr uint8_t kClassMq = 4, kVqPairsSet = 0, kRssConfig = 1,
                  kHashConfig = 2;
constexpr uint64_t kMqFeatures =
    kLinuxNetFeatures | F(kMq) | F(kRss) | F(kHashReport);

// A TCP/IPv4 frame of flow @sport -> 5201 (L4Frame with another source
// port).
std::vector<uint8_t> Flow(const std::array<uint8_t, 6>& dst,
                          const std::array<uint8_t, 6>& src, uint16_t sport,
                          uint8_t proto = kProtoTcp) {
  auto f = L4Frame(dst, src, false, proto, 100);
  const size_t l4 = L4Offset(false);
  f[l4] = uint8_t(sport >> 8);
  f[l4 + 1] = uint8_t(sport);
  return f;
}

std::vector<uint8_t> Le16s(std::initializer_list<uint16_t> v) {
  std::vector<uint8_t> out;
  for (uint16_t x : v) {
    out.push_back(uint8_t(x));
    out.push_back(uint8_t(x >> 8));
  }
  return out;
}

// struct virtio_net_rss_config (5.1.6.5.7.1).
std::vector<uint8_t> RssCommand(uint32_t types,
                                const std::vector<uint16_t>& table,
                                uint16_t unclassified, uint16_t max_tx,
                                const std::vector<uint8_t>& key) {
  std::vector<uint8_t> c = {uint8_t(types), uint8_t(types >> 8),
                            uint8_t(types >> 16), uint8_t(types >> 24)};
  const uint16_t mask = uint16_t(table.size() - 1);
  c.insert(c.end(), {uint8_t(mask), uint8_t(mask >> 8), uint8_t(unclassified),
                     uint8_t(unclassified >> 8)});
  for (uint16_t q : table) c.insert(c.end(), {uint8_t(q), uint8_t(q >> 8)});
  c.insert(c.end(), {uint8_t(max_tx), uint8_t(max_tx >> 8)});
  c.push_back(uint8_t(key.size()));
  c.insert(c.end(), key.begin(), key.end());
  return c;
}

// struct virtio_net_hash_config: types, reserved[4] (le16), key.
std::vector<uint8_t> HashCommand(uint32_t types,
                                 const std::vector<uint8_t>& key) {
  std::vector<uint8_t> c = {uint8_t(types), uint8_t(types >> 8),
                            uint8_t(types >> 16), uint8_t(types >> 24)};
  c.insert(c.end(), 8, 0);
  c.push_back(uint8_t(key.size()));
  c.insert(c.end(), key.begin(), key.end());
  return c;
}

std::vector<uint8_t> Key() {
  return {vn::kDefaultRssKey.begin(), vn::kDefaultRssKey.end()};
}

struct Got {
  uint16_t pair;
  uint32_t hash_value;
  uint16_t hash_report;
  std::vector<uint8_t> frame;
};

// PF sends, VF 0 (the multiqueue function under test) receives.
class Mq : public ::testing::Test {
 protected:
  explicit Mq(uint16_t pairs = 4) : bed_(4, 256, true, pairs) {}
  void Start(uint64_t vf_features = kMqFeatures) {
    snic_core_set_num_vfs(bed_.core.get(), 2);
    ASSERT_TRUE(pf_.Init(kLinuxNetFeatures, 256));
    ASSERT_TRUE(vf_.InitMq(vf_features, 256));
    pairs_ = uint16_t(vf_.Read(kRegionDevice, 8, 2));
    for (uint16_t p = 0; p < pairs_; ++p) {
      for (uint64_t a : vf_.PostRxOn(p, 64, 2048)) bufs_[p].push_back(a);
    }
  }
  void SendToVf(const std::vector<uint8_t>& f) {
    pf_.Send(f);
    bed_.RunAll();
  }
  // Everything VF 0 received, queue by queue.
  std::vector<Got> Drain() {
    std::vector<Got> out;
    const uint32_t hl = vf_.hdr_len();
    for (uint16_t p = 0; p < pairs_; ++p) {
      while (auto u = vf_.rxq(p).GetUsed()) {
        const uint64_t a = bufs_[p].front();
        bufs_[p].erase(bufs_[p].begin());
        Got g{p, 0, 0, {}};
        if (hl == 20) {
          g.hash_value = bed_.ram.Get<uint32_t>(a + 12);
          g.hash_report = bed_.ram.Get<uint16_t>(a + 16);
        }
        auto b = bed_.ram.Bytes(a + hl, u->len - hl);
        g.frame.assign(b.begin(), b.end());
        out.push_back(std::move(g));
      }
    }
    return out;
  }
  std::array<uint8_t, 6> vf_mac() { return MacOf(bed_.core.get(), 1); }
  std::array<uint8_t, 6> pf_mac() { return MacOf(bed_.core.get(), 0); }

  Bed bed_;
  FakeDriver pf_ = bed_.Driver(0);
  FakeDriver vf_ = bed_.Driver(1);
  uint16_t pairs_ = 0;
  std::map<uint16_t, std::vector<uint64_t>> bufs_;
};

class Mq1 : public Mq {
 protected:
  Mq1() : Mq(1) {}
};

TEST(MqLayout, QueuePairsSizeQueuesVectorsAndFeatures) {
  for (uint16_t pairs : {1, 2, 4, 16}) {
    Bed bed(2, 256, true, pairs);
    ASSERT_TRUE(bed.core) << pairs;
    EXPECT_EQ(snic_core_layout(bed.core.get())->msix_vectors, 2u * pairs + 2);
    FakeDriver d = bed.Driver(0);
    EXPECT_EQ(d.Common(kNumQueues, 2), 2u * pairs + 1);
    EXPECT_EQ(d.Read(kRegionDevice, 8, 2), pairs);
    d.SetCommon(kDfSelect, 0, 4);
    uint64_t offered = d.Common(kDf, 4);
    d.SetCommon(kDfSelect, 1, 4);
    offered |= d.Common(kDf, 4) << 32;
    // One pair: nothing to steer between, so no MQ and no RSS; the hash
    // report is useful on one queue too.
    EXPECT_EQ((offered >> kMq) & 1, pairs > 1 ? 1u : 0u) << pairs;
    EXPECT_EQ((offered >> kRss) & 1, pairs > 1 ? 1u : 0u) << pairs;
    EXPECT_EQ((offered >> kHashReport) & 1, 1u) << pairs;
  }
}

TEST(MqLayout, MqRssAndHashReportNeedTheControlQueue) {
  Bed bed(2, 256, true, 4);
  const uint64_t no_cvq = kLinuxNetFeatures & ~(F(kCtrlVq) | F(kCtrlRx) |
                                                F(kCtrlVlan) | F(kCtrlMacAddr) |
                                                F(kGuestAnnounce) |
                                                F(kCtrlGuestOffloads));
  for (unsigned bit : {kMq, kRss, kHashReport}) {
    FakeDriver d = bed.Driver(0);
    d.SetCommon(kStatusReg, 0, 1);
    EXPECT_FALSE(d.Negotiate(no_cvq | F(bit))) << bit;
    EXPECT_FALSE(bed.host.guest_errors.empty()) << bit;
    bed.host.guest_errors.clear();
  }
}

TEST_F(Mq, BeforeVqPairsSetEverythingArrivesOnTheFirstPair) {
  Start();
  for (uint16_t s = 1000; s < 1032; ++s) SendToVf(Flow(vf_mac(), pf_mac(), s));
  const auto got = Drain();
  ASSERT_EQ(got.size(), 32u);
  for (const Got& g : got) EXPECT_EQ(g.pair, 0u);
}

TEST_F(Mq, VqPairsSetSpreadsFlowsAndKeepsEachFlowOnOneQueue) {
  Start();
  EXPECT_EQ(vf_.Control(kClassMq, kVqPairsSet, Le16s({4})), kCtrlOk);
  std::map<uint16_t, uint16_t> queue_of;
  for (int round = 0; round < 2; ++round) {
    for (uint16_t s = 1000; s < 1032; ++s) {
      SendToVf(Flow(vf_mac(), pf_mac(), s));
    }
    auto got = Drain();
    ASSERT_EQ(got.size(), 32u);
    for (const Got& g : got) {
      const uint16_t sport = uint16_t(g.frame[34] << 8 | g.frame[35]);
      if (round == 0) {
        queue_of[sport] = g.pair;
      } else {
        EXPECT_EQ(queue_of[sport], g.pair) << sport;
      }
      // Automatic steering: the Toeplitz hash under the default key, as
      // an RSS table of one entry per pair would.
      const auto h = vn::HashFrame(g.frame.data(), g.frame.size(),
                                   vn::kSupportedHashTypes,
                                   vn::kDefaultRssKey.data(),
                                   vn::kDefaultRssKey.size());
      EXPECT_EQ(g.pair, h.value % 4) << sport;
      // Hash report negotiated but not configured: none.
      EXPECT_EQ(g.hash_report, vn::kReportNone);
    }
  }
  std::set<uint16_t> used;
  for (auto& [sport, q] : queue_of) used.insert(q);
  EXPECT_GE(used.size(), 3u);
  const SnicStats s = bed_.Stats(1);
  EXPECT_EQ(s.rx_packets, 64u);
}

TEST_F(Mq, RssConfigTableSteersAndTheHeaderCarriesTheHash) {
  Start();
  // TCPv4 and IPv4 hashed; table: every hash to pair 2 or 3 by its low
  // bit; anything unhashable to pair 1.
  const std::vector<uint16_t> table = {2, 3, 2, 3, 2, 3, 2, 3};
  ASSERT_EQ(vf_.Control(kClassMq, kRssConfig,
                        RssCommand(vn::kHashTcpv4 | vn::kHashIpv4, table, 1, 4,
                                   Key())),
            kCtrlOk);
  for (uint16_t s = 2000; s < 2016; ++s) SendToVf(Flow(vf_mac(), pf_mac(), s));
  SendToVf(Frame(vf_mac(), pf_mac(), 46, 0x0806));  // ARP: no hash
  auto got = Drain();
  ASSERT_EQ(got.size(), 17u);
  std::set<uint16_t> used;
  for (const Got& g : got) {
    if (g.frame[12] == 0x08 && g.frame[13] == 0x06) {
      EXPECT_EQ(g.pair, 1u);
      EXPECT_EQ(g.hash_report, vn::kReportNone);
      continue;
    }
    // The TCP 4-tuple under the guest's key, independently of the core's
    // frame parser: src IP, dst IP, src port, dst port.
    std::vector<uint8_t> in(g.frame.begin() + 26, g.frame.begin() + 34);
    in.insert(in.end(), g.frame.begin() + 34, g.frame.begin() + 38);
    const uint32_t want = vn::Toeplitz(vn::kDefaultRssKey.data(), 40,
                                       in.data(), in.size());
    EXPECT_EQ(g.hash_value, want);
    EXPECT_EQ(g.hash_report, vn::kReportTcpv4);
    EXPECT_EQ(g.pair, table[want & 7]);
    used.insert(g.pair);
  }
  EXPECT_EQ(used, (std::set<uint16_t>{2, 3}));
}

// Linux's RSS command since struct virtio_net_rss_config_trailer (6.12
// stable): struct_size() of the trailer puts its padding byte between
// hash_key_length and the key. Accepted, with the key after the padding
// (the hash is the guest's key's); any other length is refused.
TEST_F(Mq, LinuxTrailerPaddingBeforeTheKey) {
  Start();
  auto padded = RssCommand(vn::kHashTcpv4, {0, 1, 2, 3}, 0, 4, Key());
  const size_t key_at = padded.size() - 40;
  padded.insert(padded.begin() + long(key_at), 0);  // the padding byte
  ASSERT_EQ(vf_.Control(kClassMq, kRssConfig, padded), kCtrlOk);
  SendToVf(Flow(vf_mac(), pf_mac(), 7000));
  auto got = Drain();
  ASSERT_EQ(got.size(), 1u);
  std::vector<uint8_t> in(got[0].frame.begin() + 26,
                          got[0].frame.begin() + 38);
  const uint32_t want =
      vn::Toeplitz(vn::kDefaultRssKey.data(), 40, in.data(), in.size());
  EXPECT_EQ(got[0].hash_value, want);
  EXPECT_EQ(got[0].pair, want & 3);
  auto two = padded;
  two.insert(two.begin() + long(key_at), 0);
  EXPECT_EQ(vf_.Control(kClassMq, kRssConfig, two), kCtrlErr);
  // HASH_CONFIG the same way.
  auto hash = HashCommand(vn::kHashTcpv4, Key());
  hash.insert(hash.begin() + long(hash.size() - 40), 0);
  EXPECT_EQ(vf_.Control(kClassMq, kHashConfig, hash), kCtrlOk);
}

TEST_F(Mq, UdpNotHashedFallsBackToTheIpv4Hash) {
  Start();
  ASSERT_EQ(vf_.Control(kClassMq, kRssConfig,
                        RssCommand(vn::kHashIpv4, {0, 1, 2, 3}, 0, 4, Key())),
            kCtrlOk);
  SendToVf(Flow(vf_mac(), pf_mac(), 3000, kProtoUdp));
  auto got = Drain();
  ASSERT_EQ(got.size(), 1u);
  std::vector<uint8_t> in(got[0].frame.begin() + 26,
                          got[0].frame.begin() + 34);
  const uint32_t want =
      vn::Toeplitz(vn::kDefaultRssKey.data(), 40, in.data(), in.size());
  EXPECT_EQ(got[0].hash_report, vn::kReportIpv4);
  EXPECT_EQ(got[0].hash_value, want);
  EXPECT_EQ(got[0].pair, want & 3);
}

TEST_F(Mq, HashConfigReportsWithoutSteering) {
  Start(kLinuxNetFeatures | F(kMq) | F(kHashReport));
  ASSERT_EQ(vf_.Control(kClassMq, kHashConfig,
                        HashCommand(vn::kHashTcpv4, Key())),
            kCtrlOk);
  SendToVf(Flow(vf_mac(), pf_mac(), 4000));
  auto got = Drain();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].pair, 0u);
  EXPECT_EQ(got[0].hash_report, vn::kReportTcpv4);
  EXPECT_NE(got[0].hash_value, 0u);
}

TEST_F(Mq, HostileMqCommandsAreRefusedAndChangeNothing) {
  Start();
  ASSERT_EQ(vf_.Control(kClassMq, kRssConfig,
                        RssCommand(vn::kHashTcpv4, {3}, 3, 4, Key())),
            kCtrlOk);
  bed_.host.guest_errors.clear();
  const std::vector<std::vector<uint8_t>> bad_rss = {
      RssCommand(vn::kHashTcpv4, {0, 1, 2}, 0, 4, Key()),    // not 2^n
      RssCommand(vn::kHashTcpv4, {0, 4}, 0, 4, Key()),       // queue 4
      RssCommand(vn::kHashTcpv4, {0, 1}, 9, 4, Key()),       // unclassified
      RssCommand(vn::kHashTcpv4, {0, 1}, 0, 0, Key()),       // max_tx 0
      RssCommand(vn::kHashTcpv4, {0, 1}, 0, 5, Key()),       // max_tx 5
      RssCommand(vn::kHashTcpv4, {0, 1}, 0, 4, {}),          // no key
      RssCommand(vn::kHashTcpv4, {0, 1}, 0, 4,
                 std::vector<uint8_t>(41, 1)),               // key too long
      std::vector<uint8_t>(RssCommand(vn::kHashTcpv4, std::vector<uint16_t>(
                                          256, 0), 0, 4, Key())),  // > 128
      {1, 2, 3},                                             // truncated
      {},
  };
  for (const auto& c : bad_rss) {
    EXPECT_EQ(vf_.Control(kClassMq, kRssConfig, c), kCtrlErr) << c.size();
  }
  for (uint16_t n : {0, 5, 0xffff}) {
    EXPECT_EQ(vf_.Control(kClassMq, kVqPairsSet, Le16s({n})), kCtrlErr) << n;
  }
  EXPECT_EQ(vf_.Control(kClassMq, kVqPairsSet, {4}), kCtrlErr);  // 1 byte
  EXPECT_EQ(vf_.Control(kClassMq, 7, Le16s({1})), kCtrlErr);
  EXPECT_GE(bed_.host.guest_errors.size(), bad_rss.size() + 5);
  // The last good configuration still steers; the function works.
  for (uint16_t s = 5000; s < 5008; ++s) SendToVf(Flow(vf_mac(), pf_mac(), s));
  auto got = Drain();
  ASSERT_EQ(got.size(), 8u);
  for (const Got& g : got) EXPECT_EQ(g.pair, 3u);
  EXPECT_EQ(vf_.Common(kStatusReg, 1) & 0x40, 0u);  // no NEEDS_RESET
}

TEST_F(Mq1, OnePairRefusesMqCommands) {
  Start(kLinuxNetFeatures | F(kHashReport));
  EXPECT_EQ(pairs_, 1u);
  EXPECT_EQ(vf_.Control(kClassMq, kVqPairsSet, Le16s({1})), kCtrlErr);
  EXPECT_EQ(vf_.Control(kClassMq, kRssConfig,
                        RssCommand(vn::kHashTcpv4, {0}, 0, 1, Key())),
            kCtrlErr);
  EXPECT_EQ(vf_.Control(kClassMq, kHashConfig,
                        HashCommand(vn::kHashTcpv4, Key())),
            kCtrlOk);
  SendToVf(Flow(vf_mac(), pf_mac(), 6000));
  auto got = Drain();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].hash_report, vn::kReportTcpv4);
}

TEST_F(Mq, TxIsDrainedFromEveryTransmitq) {
  Start();
  ASSERT_EQ(vf_.Control(kClassMq, kVqPairsSet, Le16s({4})), kCtrlOk);
  for (uint64_t a : pf_.PostRx(64, 2048)) (void)a;
  for (int i = 0; i < 8; ++i) {
    for (uint16_t p = 0; p < 4; ++p) {
      vf_.SendOn(p, Frame(pf_mac(), vf_mac(), 60, 0x0800, uint8_t(p)));
    }
  }
  bed_.RunAll();
  int got = 0;
  while (pf_.rx().GetUsed()) ++got;
  EXPECT_EQ(got, 32);
  for (uint16_t p = 0; p < 4; ++p) {
    int used = 0;
    while (vf_.txq(p).GetUsed()) ++used;
    EXPECT_EQ(used, 8) << "transmitq " << p;
  }
  EXPECT_EQ(bed_.Stats(1).tx_packets, 32u);
  EXPECT_TRUE(bed_.host.guest_errors.empty());
}

TEST_F(Mq, RssStateMigrates) {
  Start();
  const std::vector<uint16_t> table = {1, 2, 1, 2};
  ASSERT_EQ(vf_.Control(kClassMq, kRssConfig,
                        RssCommand(vn::kHashTcpv4, table, 3, 4, Key())),
            kCtrlOk);
  snic_core_set_running(bed_.core.get(), false);
  uint8_t* buf = nullptr;
  const size_t n = snic_core_save_state(bed_.core.get(), &buf);
  std::vector<uint8_t> state(buf, buf + n);
  std::free(buf);

  Bed dst(4, 256, true, 4);
  char err[256] = {};
  ASSERT_TRUE(snic_core_load_state(dst.core.get(), state.data(), state.size(),
                                   err, sizeof(err)))
      << err;
  // Loaded as a whole: saving again gives the same stream, table and key
  // included.
  buf = nullptr;
  const size_t n2 = snic_core_save_state(dst.core.get(), &buf);
  std::vector<uint8_t> again(buf, buf + n2);
  std::free(buf);
  EXPECT_EQ(again, state);
  // A destination with other queue pairs is refused, naming them.
  Bed other(4, 256, true, 2);
  EXPECT_FALSE(snic_core_load_state(other.core.get(), state.data(),
                                    state.size(), err, sizeof(err)));
  EXPECT_NE(std::string(err).find("queue-pairs"), std::string::npos) << err;
  // A stream whose table names a queue past the pairs is refused whole.
  const std::vector<uint8_t> pattern = {3, 0, 3, 0, 1, 0, 2, 0, 1, 0, 2, 0};
  auto at = std::search(state.begin(), state.end(), pattern.begin(),
                        pattern.end());
  ASSERT_NE(at, state.end());
  std::vector<uint8_t> bad = state;
  bad[size_t(at - state.begin()) + 6] = 9;
  Bed victim(4, 256, true, 4);
  EXPECT_FALSE(snic_core_load_state(victim.core.get(), bad.data(), bad.size(),
                                    err, sizeof(err)));
  EXPECT_NE(std::string(err).find("queue"), std::string::npos) << err;
  // ... and so is an unclassified queue past them.
  bad = state;
  bad[size_t(at - state.begin()) + 2] = 4;
  EXPECT_FALSE(snic_core_load_state(victim.core.get(), bad.data(), bad.size(),
                                    err, sizeof(err)));
}

}  // namespace
}  // namespace snic::testing
