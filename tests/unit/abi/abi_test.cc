// Unit tests: the C ABI facade (core/capi/) as the glue sees it: the BAR
// layout it exports, the conversions between the core's types and the
// ABI's structs, and the error and output buffers of every call that has
// one.
// SPDX-License-Identifier: GPL-2.0-or-later
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "capi/abi_convert.h"
#include "fakes/fake_host.h"
#include "policy/port_policy.h"
#include "port/stats.h"
#include "sriov_nic/sriov_nic.h"
#include "virtio_net/layout.h"

extern "C" int snic_c_abi_compiles(void);

namespace snic::testing {
namespace {

// c_abi_test.c is compiled as C99 with -pedantic-errors; calling it makes
// the C translation unit part of the test run, not only of the build.
TEST(CAbi, HeaderCompilesAsC99) { EXPECT_GT(snic_c_abi_compiles(), 0); }

class Abi : public ::testing::Test {
 protected:
  Abi() {
    SnicConfig cfg = TestConfig(4);
    core_.reset(snic_core_new(&cfg, &host_.ops(), host_.opaque(), nullptr, 0));
    host_.core = core_.get();
  }
  FakeHost host_;
  CorePtr core_;
};

// ---- the layout ----

TEST_F(Abi, LayoutIsTheCoresTable) {
  ASSERT_TRUE(core_);
  const SnicLayout* l = snic_core_layout(core_.get());
  ASSERT_NE(l, nullptr);
  EXPECT_EQ(l->bar_size, virtio_net::kBarSize);
  ASSERT_EQ(l->num_regions, virtio_net::kNumRegions);
  for (uint32_t r = 0; r < l->num_regions; ++r) {
    const virtio_net::RegionSpec& want = virtio_net::kRegions[r];
    EXPECT_STREQ(l->regions[r].name, want.name);
    EXPECT_EQ(l->regions[r].offset, want.offset) << want.name;
    EXPECT_EQ(l->regions[r].size, want.size) << want.name;
    EXPECT_EQ(l->regions[r].virtio_cap_type, want.cap_type) << want.name;
    EXPECT_LE(l->regions[r].offset + l->regions[r].size, l->msix_table_offset);
  }
  // Config change + 2 * queue_pairs + controlq (the default 2 pairs).
  EXPECT_EQ(l->msix_vectors, 2 * SNIC_DEFAULT_QUEUE_PAIRS + 2);
  EXPECT_EQ(l->msix_table_offset, virtio_net::kMsixTableOffset);
  EXPECT_EQ(l->msix_pba_offset, virtio_net::kMsixPbaOffset);
  EXPECT_EQ(l->notify_off_multiplier, virtio_net::kNotifyOffMultiplier);
  // The region indices the glue passes to snic_core_mmio_* are these.
  EXPECT_EQ(virtio_net::kRegionCommon, 0u);
  EXPECT_EQ(virtio_net::kRegionNotify, 3u);
  // The same regions for every core; the MSI-X table follows queue-pairs.
  FakeHost other;
  SnicConfig cfg = TestConfig(0);
  cfg.queue_pairs = 1;
  CorePtr c(snic_core_new(&cfg, &other.ops(), other.opaque(), nullptr, 0));
  ASSERT_TRUE(c);
  const SnicLayout* one = snic_core_layout(c.get());
  EXPECT_EQ(one->msix_vectors, 4u);
  EXPECT_EQ(one->bar_size, l->bar_size);
  EXPECT_EQ(one->msix_pba_offset, l->msix_pba_offset);
  cfg.queue_pairs = SNIC_MAX_QUEUE_PAIRS;
  CorePtr big(snic_core_new(&cfg, &other.ops(), other.opaque(), nullptr, 0));
  ASSERT_TRUE(big);
  EXPECT_EQ(snic_core_layout(big.get())->msix_vectors,
            2 * SNIC_MAX_QUEUE_PAIRS + 2);
}

TEST_F(Abi, VirtioVfsHaveThePfsLayoutWithMsixInBar0) {
  const SnicLayout* pf = snic_core_layout(core_.get());
  const SnicLayout* vf = snic_core_vf_layout(core_.get());
  ASSERT_NE(vf, nullptr);
  EXPECT_EQ(pf->msix_bar, 0u);
  EXPECT_EQ(pf->msix_bar_size, 0u);
  EXPECT_EQ(std::memcmp(pf, vf, sizeof(*pf)), 0);
}

TEST(AbiIxgbe, LayoutsOfThePfAndOfEveryVf) {
  FakeHost host;
  SnicConfig cfg = TestConfig(63);
  cfg.personality = SNIC_PERSONALITY_IXGBE;
  char err[256] = {};
  CorePtr c(snic_core_new(&cfg, &host.ops(), host.opaque(), err, sizeof(err)));
  ASSERT_TRUE(c) << err;
  const SnicLayout* pf = snic_core_layout(c.get());
  EXPECT_EQ(pf->bar_size, 128u * 1024);
  ASSERT_EQ(pf->num_regions, 1u);
  EXPECT_EQ(pf->regions[0].offset, 0u);
  EXPECT_EQ(pf->regions[0].size, 128u * 1024);
  EXPECT_EQ(pf->regions[0].virtio_cap_type, 0u);
  EXPECT_EQ(pf->msix_vectors, 64u);
  EXPECT_EQ(pf->msix_bar, 4u);
  EXPECT_EQ(pf->msix_bar_size, 16u * 1024);
  EXPECT_EQ(pf->msix_table_offset, 0u);
  EXPECT_EQ(pf->msix_pba_offset, 0x2000u);
  const SnicLayout* vf = snic_core_vf_layout(c.get());
  EXPECT_EQ(vf->bar_size, 16u * 1024);
  ASSERT_EQ(vf->num_regions, 1u);
  EXPECT_EQ(vf->regions[0].offset, 0u);
  EXPECT_EQ(vf->regions[0].size, 16u * 1024);
  EXPECT_EQ(vf->msix_vectors, 3u);
  EXPECT_EQ(vf->msix_bar, 3u);
  EXPECT_EQ(vf->msix_bar_size, 16u * 1024);
  EXPECT_EQ(vf->msix_table_offset, 0u);
  EXPECT_EQ(vf->msix_pba_offset, 0x2000u);
  // The virtio options do not change it.
  cfg.queue_pairs = 16;
  CorePtr c2(snic_core_new(&cfg, &host.ops(), host.opaque(), err, sizeof(err)));
  ASSERT_TRUE(c2) << err;
  EXPECT_EQ(snic_core_layout(c2.get())->msix_vectors, 64u);
}

TEST(AbiIxgbe, ConfigurationsItCannotHaveAreRefused) {
  FakeHost host;
  static constexpr uint16_t kVfs[] = {0};
  struct Case {
    void (*change)(SnicConfig*);
    const char* message;
  };
  const Case cases[] = {
      {[](SnicConfig* c) { c->total_vfs = 64; },
       "total-vfs must be at most 63 with personality=ixgbe"},
      {[](SnicConfig* c) { c->packed = true; },
       "packed is a virtio option: personality=ixgbe has none"},
      {[](SnicConfig* c) {
         c->num_vf_netdevs = 1;
         c->vf_netdevs = kVfs;
       },
       "vf-netdev is not supported with personality=ixgbe"},
      {[](SnicConfig* c) { c->personality = 7; },
       "personality 7 is not known (0: virtio-net, 1: ixgbe)"},
      {[](SnicConfig* c) {
         c->personality = 0x101;
       },
       "personality 257 is not known (0: virtio-net, 1: ixgbe)"},
  };
  for (const Case& k : cases) {
    SnicConfig cfg = TestConfig(63);
    cfg.personality = SNIC_PERSONALITY_IXGBE;
    k.change(&cfg);
    char err[256] = {};
    CorePtr c(
        snic_core_new(&cfg, &host.ops(), host.opaque(), err, sizeof(err)));
    EXPECT_FALSE(c) << k.message;
    EXPECT_NE(std::string(err).find(k.message), std::string::npos) << err;
  }
  // 63 VFs, and the virtio options it does not use, are fine.
  SnicConfig cfg = TestConfig(63);
  cfg.personality = SNIC_PERSONALITY_IXGBE;
  cfg.queue_size = 0;
  cfg.queue_pairs = 0;
  CorePtr c(snic_core_new(&cfg, &host.ops(), host.opaque(), nullptr, 0));
  EXPECT_TRUE(c);
  // virtio-net keeps its 255.
  SnicConfig v = TestConfig(255);
  CorePtr big(snic_core_new(&v, &host.ops(), host.opaque(), nullptr, 0));
  EXPECT_TRUE(big);
}

TEST_F(Abi, QueuePairsOutOfRangeIsRefused) {
  FakeHost other;
  SnicConfig cfg = TestConfig(0);
  char err[128] = {};
  cfg.queue_pairs = SNIC_MAX_QUEUE_PAIRS + 1;
  EXPECT_EQ(snic_core_new(&cfg, &other.ops(), other.opaque(), err,
                          sizeof(err)),
            nullptr);
  EXPECT_STREQ(err, "queue-pairs must be between 1 and 16");
}

// ---- conversions ----

TEST(AbiConvert, PolicyRoundTrip) {
  policy::PortPolicy p;
  p.mac = {0x02, 0x11, 0x22, 0x33, 0x44, 0x55};
  p.vlan = 4094;
  p.qos = 7;
  p.spoofchk = false;
  p.trust = true;
  p.link_state = policy::LinkState::kDisable;
  p.max_tx_rate = 400'000;
  const SnicVfPolicy c = capi::ToC(p);
  EXPECT_EQ(std::memcmp(c.mac, p.mac.data(), 6), 0);
  EXPECT_EQ(c.vlan, 4094u);
  EXPECT_EQ(c.qos, 7u);
  EXPECT_FALSE(c.spoofchk);
  EXPECT_TRUE(c.trust);
  EXPECT_EQ(c.link_state, SNIC_LINK_DISABLE);
  EXPECT_EQ(c.max_tx_rate, 400'000u);
  EXPECT_EQ(capi::FromC(c), p);
  // The enum values are the ABI's.
  for (auto [core, abi] :
       {std::pair{policy::LinkState::kAuto, SNIC_LINK_AUTO},
        std::pair{policy::LinkState::kEnable, SNIC_LINK_ENABLE},
        std::pair{policy::LinkState::kDisable, SNIC_LINK_DISABLE}}) {
    p.link_state = core;
    EXPECT_EQ(capi::ToC(p).link_state, abi);
  }
  // An out-of-range value from C stays out of range, so Validate names it.
  SnicVfPolicy bad = c;
  bad.link_state = 9;
  EXPECT_FALSE(policy::Validate(capi::FromC(bad)).ok());
}

// Every counter reaches its ABI field (and no new counter is forgotten:
// the structs must keep the same number of fields).
TEST(AbiConvert, EveryPortCounter) {
  static_assert(sizeof(port::PortStats) == 25 * sizeof(uint64_t));
  static_assert(sizeof(SnicStats) == 25 * sizeof(uint64_t));
  const std::vector<
      std::pair<uint64_t port::PortStats::*, uint64_t SnicStats::*>>
      fields = {
          {&port::PortStats::rx_packets, &SnicStats::rx_packets},
          {&port::PortStats::rx_bytes, &SnicStats::rx_bytes},
          {&port::PortStats::tx_packets, &SnicStats::tx_packets},
          {&port::PortStats::tx_bytes, &SnicStats::tx_bytes},
          {&port::PortStats::rx_drop_no_buffers,
           &SnicStats::rx_drop_no_buffers},
          {&port::PortStats::rx_drop_filtered, &SnicStats::rx_drop_filtered},
          {&port::PortStats::rx_drop_too_small, &SnicStats::rx_drop_too_small},
          {&port::PortStats::rx_drop_link_down, &SnicStats::rx_drop_link_down},
          {&port::PortStats::tx_drop_malformed, &SnicStats::tx_drop_malformed},
          {&port::PortStats::tx_drop_policy, &SnicStats::tx_drop_policy},
          {&port::PortStats::tx_drop_spoof, &SnicStats::tx_drop_spoof},
          {&port::PortStats::tx_drop_vlan, &SnicStats::tx_drop_vlan},
          {&port::PortStats::tx_drop_link_down, &SnicStats::tx_drop_link_down},
          {&port::PortStats::tx_rate_waits, &SnicStats::tx_rate_waits},
          {&port::PortStats::tx_holds, &SnicStats::tx_holds},
          {&port::PortStats::ctrl_commands, &SnicStats::ctrl_commands},
          {&port::PortStats::ctrl_errors, &SnicStats::ctrl_errors},
          {&port::PortStats::ctrl_refused_untrusted,
           &SnicStats::ctrl_refused_untrusted},
          {&port::PortStats::mac_table_overflows,
           &SnicStats::mac_table_overflows},
          {&port::PortStats::guest_errors, &SnicStats::guest_errors},
          {&port::PortStats::needs_reset, &SnicStats::needs_reset},
          {&port::PortStats::tx_gso, &SnicStats::tx_gso},
          {&port::PortStats::tx_csum_completed, &SnicStats::tx_csum_completed},
          {&port::PortStats::rx_gso, &SnicStats::rx_gso},
          {&port::PortStats::rx_segmented, &SnicStats::rx_segmented},
      };
  ASSERT_EQ(fields.size(), 25u);
  port::PortStats s;
  uint64_t v = 1000;
  for (const auto& [core, abi] : fields) s.*core = ++v;
  const SnicStats c = capi::ToC(s);
  v = 1000;
  for (const auto& [core, abi] : fields) EXPECT_EQ(c.*abi, ++v);
}

TEST(AbiConvert, UplinkCounters) {
  static_assert(sizeof(port::UplinkStats) == 12 * sizeof(uint64_t));
  static_assert(sizeof(SnicUplinkStats) == 12 * sizeof(uint64_t));
  port::UplinkStats s;
  s.rx_frames = 100;
  s.rx_bytes = 2;
  s.rx_dropped_malformed = 7;
  s.rx_unclaimed = 3;
  s.rx_dropped_no_buffers = 4;
  s.rx_holds = 5;
  s.tx_frames = 6;
  s.tx_bytes = 8;
  s.tx_queued = 9;
  s.tx_dropped_link_down = 10;
  s.tx_purged = 11;
  s.tx_segmented = 12;
  const SnicUplinkStats c = capi::ToC(s);
  EXPECT_EQ(c.rx_packets, 93u);  // malformed frames are not packets
  EXPECT_EQ(c.rx_bytes, 2u);
  EXPECT_EQ(c.rx_drop_malformed, 7u);
  EXPECT_EQ(c.rx_drop_unclaimed, 3u);
  EXPECT_EQ(c.rx_drop_no_buffers, 4u);
  EXPECT_EQ(c.rx_holds, 5u);
  EXPECT_EQ(c.tx_packets, 6u);
  EXPECT_EQ(c.tx_bytes, 8u);
  EXPECT_EQ(c.tx_queued, 9u);
  EXPECT_EQ(c.tx_drop_link_down, 10u);
  EXPECT_EQ(c.tx_purged, 11u);
  EXPECT_EQ(c.tx_segmented, 12u);
}

// ---- error and output buffers ----

TEST(AbiErrors, NewReportsIntoTheBufferItIsGiven) {
  FakeHost host;
  SnicConfig cfg = TestConfig(1);
  cfg.mtu = 10;
  char err[8];
  std::memset(err, 'x', sizeof(err));
  EXPECT_EQ(snic_core_new(&cfg, &host.ops(), host.opaque(), err, sizeof(err)),
            nullptr);
  EXPECT_EQ(std::strlen(err), 7u);  // truncated and terminated
  EXPECT_STREQ(err, "mtu mus");
  // No buffer, or an empty one: nothing is written.
  EXPECT_EQ(snic_core_new(&cfg, &host.ops(), host.opaque(), nullptr, 0),
            nullptr);
  err[0] = 'x';
  EXPECT_EQ(snic_core_new(&cfg, &host.ops(), host.opaque(), err, 0), nullptr);
  EXPECT_EQ(err[0], 'x');
  char msg[128] = {};
  EXPECT_EQ(
      snic_core_new(nullptr, &host.ops(), host.opaque(), msg, sizeof(msg)),
      nullptr);
  EXPECT_STREQ(msg, "internal error: incomplete core configuration");
  msg[0] = 0;
  EXPECT_EQ(snic_core_new(&cfg, nullptr, host.opaque(), msg, sizeof(msg)),
            nullptr);
  EXPECT_STRNE(msg, "");
}

TEST_F(Abi, SettingsIntoSmallBuffers) {
  char full[32];
  ASSERT_TRUE(
      snic_core_get_vf_setting(core_.get(), 0, "mac", full, sizeof(full)));
  EXPECT_EQ(std::strlen(full), 17u);
  char buf[4];
  EXPECT_TRUE(
      snic_core_get_vf_setting(core_.get(), 0, "mac", buf, sizeof(buf)));
  EXPECT_EQ(std::string(buf), std::string(full, 3));  // truncated, ended
  EXPECT_TRUE(snic_core_get_vf_setting(core_.get(), 0, "link-state", full,
                                       sizeof(full)));
  EXPECT_STREQ(full, "auto");
  std::strcpy(full, "stale");
  EXPECT_FALSE(
      snic_core_get_vf_setting(core_.get(), 0, "colour", full, sizeof(full)));
  EXPECT_STREQ(full, "");
  std::strcpy(full, "stale");
  EXPECT_FALSE(
      snic_core_get_vf_setting(core_.get(), 4, "vlan", full, sizeof(full)));
  EXPECT_STREQ(full, "");
  EXPECT_FALSE(
      snic_core_get_vf_setting(core_.get(), 0, nullptr, full, sizeof(full)));
  EXPECT_FALSE(
      snic_core_get_vf_setting(nullptr, 0, "vlan", full, sizeof(full)));
  char err[16];
  EXPECT_FALSE(snic_core_set_vf_setting(core_.get(), 0, "vlan", "5000", err,
                                        sizeof(err)));
  EXPECT_EQ(std::strlen(err), 15u);
  EXPECT_TRUE(
      snic_core_set_vf_setting(core_.get(), 0, "vlan", "5", nullptr, 0));
  EXPECT_FALSE(
      snic_core_set_vf_setting(core_.get(), 0, "vlan", "x", nullptr, 0));
}

TEST_F(Abi, InvalidFunctionsAndVfsReadZero) {
  SnicStats s;
  std::memset(&s, 0xab, sizeof(s));
  EXPECT_FALSE(snic_core_get_stats(core_.get(), 5, &s));  // PF + 4 VFs
  const SnicStats zero{};
  EXPECT_EQ(std::memcmp(&s, &zero, sizeof(s)), 0);
  EXPECT_TRUE(snic_core_get_stats(core_.get(), 4, &s));
  SnicVfPolicy p;
  std::memset(&p, 0xab, sizeof(p));
  EXPECT_FALSE(snic_core_get_vf_policy(core_.get(), 4, &p));
  const SnicVfPolicy none{};
  EXPECT_EQ(std::memcmp(&p, &none, sizeof(p)), 0);
  EXPECT_FALSE(snic_core_get_vf_policy(nullptr, 0, &p));
  EXPECT_TRUE(snic_core_get_vf_policy(core_.get(), 3, &p));
}

TEST_F(Abi, PolicyCallsWithoutACoreOrPolicy) {
  char err[64] = {};
  EXPECT_FALSE(
      snic_core_set_vf_policy(core_.get(), 0, nullptr, err, sizeof(err)));
  EXPECT_STREQ(err, "internal error: no core or policy");
  SnicVfPolicy p{};
  EXPECT_FALSE(snic_core_set_vf_policy(nullptr, 0, &p, err, sizeof(err)));
  err[0] = 0;
  EXPECT_FALSE(
      snic_core_set_vf_setting(nullptr, 0, "vlan", "1", err, sizeof(err)));
  EXPECT_STREQ(err, "internal error: no core");
  err[0] = 0;
  EXPECT_FALSE(
      snic_core_apply_vf_spec(nullptr, "vlan", "0=1", err, sizeof(err)));
  EXPECT_STREQ(err, "internal error: no core");
  // A null setting or spec is an error, not a crash.
  EXPECT_FALSE(
      snic_core_apply_vf_spec(core_.get(), nullptr, "0=1", err, sizeof(err)));
  EXPECT_TRUE(snic_core_apply_vf_spec(core_.get(), "vlan", nullptr, err,
                                      sizeof(err)));  // nothing to do
  EXPECT_FALSE(
      snic_core_set_vf_setting(core_.get(), 0, nullptr, "1", err, sizeof(err)));
  EXPECT_FALSE(snic_core_set_vf_setting(core_.get(), 0, "vlan", nullptr, err,
                                        sizeof(err)));
}

}  // namespace
}  // namespace snic::testing
