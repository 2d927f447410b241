// Unit tests: the device as a whole (functions, SR-IOV NumVFs, MACs) through
// the C ABI, as the QEMU glue drives it.
// SPDX-License-Identifier: GPL-2.0-or-later
#include <gtest/gtest.h>

#include <array>
#include <set>
#include <string>

#include "fakes/fake_driver.h"
#include "fakes/fake_host.h"
#include "sriov_nic/sriov_nic.h"

namespace {

using snic::testing::CorePtr;
using snic::testing::FakeHost;
using snic::testing::TestConfig;

CorePtr NewCore(FakeHost& host, const SnicConfig& cfg, std::string* err) {
  char buf[256] = {};
  SnicCore* c =
      snic_core_new(&cfg, &host.ops(), host.opaque(), buf, sizeof(buf));
  if (err) *err = buf;
  return CorePtr(c);
}

TEST(Device, CreatesPfPlusTotalVfsFunctions) {
  FakeHost host;
  CorePtr core = NewCore(host, TestConfig(8), nullptr);
  ASSERT_NE(core, nullptr);
  EXPECT_EQ(snic_core_num_vfs(core.get()), 0);
  EXPECT_TRUE(snic_core_function_enabled(core.get(), SNIC_FN_PF));
  for (SnicFn fn = 1; fn <= 8; ++fn) {
    EXPECT_FALSE(snic_core_function_enabled(core.get(), fn)) << fn;
  }
  EXPECT_FALSE(snic_core_function_enabled(core.get(), 9));
  EXPECT_FALSE(snic_core_function_enabled(core.get(), 0xffff));
}

TEST(Device, RejectsInvalidConfigWithMessage) {
  FakeHost host;
  std::string err;
  SnicConfig cfg = TestConfig(256);
  EXPECT_EQ(NewCore(host, cfg, &err), nullptr);
  EXPECT_NE(err.find("total-vfs"), std::string::npos) << err;

  cfg = TestConfig(1);
  cfg.pf_mac[0] = 0x01;  // multicast
  EXPECT_EQ(NewCore(host, cfg, &err), nullptr);
  EXPECT_NE(err.find("unicast"), std::string::npos) << err;

  cfg = TestConfig(1);
  cfg.queue_size = 100;
  EXPECT_EQ(NewCore(host, cfg, &err), nullptr);
  EXPECT_NE(err.find("queue-size"), std::string::npos) << err;

  cfg = TestConfig(1);
  cfg.mtu = 10;
  EXPECT_EQ(NewCore(host, cfg, &err), nullptr);
  EXPECT_NE(err.find("mtu"), std::string::npos) << err;
}

// SPEED_DUPLEX: every function reports the configured speed, full duplex;
// 0 in the C ABI is the default, 0xFFFFFFFF ("unknown" in virtio) is
// refused.
TEST(Device, SpeedIsConfiguredOfferedAndChecked) {
  FakeHost host(1 << 20);
  snic::testing::GuestRam ram(host.mem);
  SnicConfig cfg = TestConfig(2);
  cfg.speed = 25000;
  CorePtr core = NewCore(host, cfg, nullptr);
  ASSERT_NE(core, nullptr);
  snic_core_set_num_vfs(core.get(), 1);
  for (SnicFn fn : {SnicFn{0}, SnicFn{1}}) {
    snic::testing::FakeDriver d(ram, core.get(), fn);
    EXPECT_EQ(d.Read(snic::testing::kRegionDevice, 12, 4), 25000u) << fn;
    EXPECT_EQ(d.Read(snic::testing::kRegionDevice, 16, 1), 1u) << fn;
    EXPECT_TRUE(d.DeviceFeatures() & (uint64_t{1} << 63)) << fn;
  }
  cfg.speed = 0;
  core = NewCore(host, cfg, nullptr);
  ASSERT_NE(core, nullptr);
  snic::testing::FakeDriver d(ram, core.get(), 0);
  EXPECT_EQ(d.Read(snic::testing::kRegionDevice, 12, 4), 10000u);
  std::string err;
  cfg.speed = 0xFFFFFFFFu;
  EXPECT_EQ(NewCore(host, cfg, &err), nullptr);
  EXPECT_NE(err.find("speed"), std::string::npos) << err;
}

TEST(Device, RejectsIncompleteOps) {
  FakeHost host;
  SnicHostOps ops = host.ops();
  ops.dma_read = nullptr;
  SnicConfig cfg = TestConfig(1);
  char err[128] = {};
  EXPECT_EQ(snic_core_new(&cfg, &ops, host.opaque(), err, sizeof(err)),
            nullptr);
  EXPECT_STRNE(err, "");
}

TEST(Device, AcceptsMaximumVfs) {
  FakeHost host;
  CorePtr core = NewCore(host, TestConfig(SNIC_MAX_VFS), nullptr);
  ASSERT_NE(core, nullptr);
  snic_core_set_num_vfs(core.get(), SNIC_MAX_VFS);
  EXPECT_EQ(snic_core_num_vfs(core.get()), SNIC_MAX_VFS);
  EXPECT_TRUE(snic_core_function_enabled(core.get(), SNIC_MAX_VFS));
}

TEST(Device, NumVfsEnablesExactlyTheFirstN) {
  FakeHost host;
  CorePtr core = NewCore(host, TestConfig(8), nullptr);
  snic_core_set_num_vfs(core.get(), 3);
  EXPECT_EQ(snic_core_num_vfs(core.get()), 3);
  for (SnicFn fn = 1; fn <= 8; ++fn) {
    EXPECT_EQ(snic_core_function_enabled(core.get(), fn), fn <= 3) << fn;
  }
  snic_core_set_num_vfs(core.get(), 0);
  EXPECT_EQ(snic_core_num_vfs(core.get()), 0);
  for (SnicFn fn = 1; fn <= 8; ++fn) {
    EXPECT_FALSE(snic_core_function_enabled(core.get(), fn)) << fn;
  }
}

TEST(Device, EnableDisableCyclesLeaveNoStaleFunctions) {
  FakeHost host;
  CorePtr core = NewCore(host, TestConfig(8), nullptr);
  for (uint16_t n : {1, 8, 2, 8, 3, 0, 5}) {
    snic_core_set_num_vfs(core.get(), n);
    int enabled = 0;
    for (SnicFn fn = 1; fn <= 8; ++fn) {
      enabled += snic_core_function_enabled(core.get(), fn);
    }
    EXPECT_EQ(enabled, n);
  }
}

TEST(Device, NumVfsAboveTotalIsAGuestErrorAndEnablesNone) {
  FakeHost host;
  CorePtr core = NewCore(host, TestConfig(4), nullptr);
  snic_core_set_num_vfs(core.get(), 2);
  snic_core_set_num_vfs(core.get(), 5);
  EXPECT_EQ(snic_core_num_vfs(core.get()), 0);
  EXPECT_FALSE(snic_core_function_enabled(core.get(), 1));
  ASSERT_EQ(host.guest_errors.size(), 1u);
  EXPECT_NE(host.guest_errors[0].find("TotalVFs"), std::string::npos);
}

std::array<uint8_t, 6> VfMac(SnicCore* core, uint16_t vf) {
  SnicVfPolicy p{};
  EXPECT_TRUE(snic_core_get_vf_policy(core, vf, &p));
  std::array<uint8_t, 6> m{};
  std::copy(p.mac, p.mac + 6, m.begin());
  return m;
}

TEST(Device, PfMacAsConfiguredAndVfMacsDistinctStableLocal) {
  FakeHost host;
  SnicConfig cfg = TestConfig(SNIC_MAX_VFS);
  CorePtr core = NewCore(host, cfg, nullptr);
  std::array<uint8_t, 6> mac{};
  std::copy(cfg.pf_mac, cfg.pf_mac + 6, mac.begin());
  std::set<std::array<uint8_t, 6>> seen{mac};
  for (uint16_t vf = 0; vf < SNIC_MAX_VFS; ++vf) {
    const SnicFn fn = SnicFn(1 + vf);
    mac = VfMac(core.get(), vf);
    EXPECT_EQ(mac[0] & 0x01, 0) << "VF MAC must be unicast";
    EXPECT_EQ(mac[0] & 0x02, 0x02) << "VF MAC must be locally administered";
    EXPECT_TRUE(seen.insert(mac).second) << "duplicate MAC for fn " << fn;
  }
  // Stable: a second core from the same config yields the same MACs.
  CorePtr again = NewCore(host, cfg, nullptr);
  EXPECT_EQ(VfMac(core.get(), 6), VfMac(again.get(), 6));
}

TEST(Device, VfMacsDifferAcrossPfs) {
  FakeHost host;
  SnicConfig c1 = TestConfig(2), c2 = TestConfig(2);
  c2.pf_mac[5] ^= 0x01;
  CorePtr a = NewCore(host, c1, nullptr), b = NewCore(host, c2, nullptr);
  EXPECT_NE(VfMac(a.get(), 0), VfMac(b.get(), 0));
}

TEST(Device, DisabledVfIgnoresMmio) {
  FakeHost host;
  CorePtr core = NewCore(host, TestConfig(2), nullptr);
  // VF 0 (fn 1) is not enabled: reads float to 0, writes do nothing.
  uint64_t v = 1;
  EXPECT_TRUE(snic_core_mmio_read(core.get(), 1, 0, 0, 4, &v));
  EXPECT_EQ(v, 0u);
  EXPECT_TRUE(snic_core_mmio_write(core.get(), 1, 0, 0, 1, 4));
  EXPECT_TRUE(host.guest_errors.empty());
  // Out-of-range function numbers are absorbed too.
  v = 1;
  EXPECT_TRUE(snic_core_mmio_read(core.get(), 200, 0, 0, 4, &v));
  EXPECT_EQ(v, 0u);
  snic_core_reset_function(core.get(), 200);
}

}  // namespace
