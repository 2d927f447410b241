// Unit tests: the modern virtio-pci transport (virtio 1.2 4.1.4.3-4.1.4.6)
// of the PF and the VFs, driven through the C ABI like virtio_pci_modern.
// SPDX-License-Identifier: GPL-2.0-or-later
#include <gtest/gtest.h>

#include "fakes/fake_driver.h"

namespace snic::testing {
namespace {

TEST(Transport, PfOffersSrIovVfsDoNot) {
  Bed bed(2);
  snic_core_set_num_vfs(bed.core.get(), 1);
  FakeDriver pf = bed.Driver(0), vf = bed.Driver(1);
  const uint64_t pff = pf.DeviceFeatures(), vff = vf.DeviceFeatures();
  EXPECT_TRUE(pff & F(kSrIov));
  EXPECT_FALSE(vff & F(kSrIov));
  for (unsigned bit :
       {kVersion1, kIndirect, kEventIdx, kAccessPlatform, kMac, kStatus, kMtu,
        kCtrlVq, kCtrlRx, kCtrlVlan, kCtrlMacAddr, kMrgRxbuf}) {
    EXPECT_TRUE(pff & F(bit)) << bit;
    EXPECT_TRUE(vff & F(bit)) << bit;
  }
  // Checksum, TSO, ECN and USO both ways and CTRL_GUEST_OFFLOADS; never
  // UFO (bits 10 and 14), which Linux no longer sends.
  for (unsigned bit : {0u, 1u, 2u, 7u, 8u, 9u, 11u, 12u, 13u, 54u, 55u, 56u}) {
    EXPECT_TRUE(pff & F(bit)) << bit;
    EXPECT_TRUE(vff & F(bit)) << bit;
  }
  for (unsigned bit : {10u, 14u}) {
    EXPECT_FALSE(pff & F(bit)) << bit;
  }
  // Selects beyond the 64 bits read 0.
  pf.SetCommon(kDfSelect, 2, 4);
  EXPECT_EQ(pf.Common(kDf, 4), 0u);
}

TEST(Transport, OffloadsOffOffersNone) {
  Bed bed(2, 256, /*offloads=*/false);
  snic_core_set_num_vfs(bed.core.get(), 1);
  for (SnicFn fn : {0, 1}) {
    const uint64_t f = bed.Driver(fn).DeviceFeatures();
    for (unsigned bit : {0u, 1u, 2u, 7u, 8u, 9u, 10u, 11u, 12u, 13u, 14u, 54u,
                         55u, 56u}) {
      EXPECT_FALSE(f & F(bit)) << fn << " " << bit;
    }
    EXPECT_TRUE(f & F(kMrgRxbuf));
  }
}

TEST(Transport, FeaturesOkSticksForAcceptableSet) {
  Bed bed;
  FakeDriver d = bed.Driver(0);
  EXPECT_TRUE(d.Negotiate(kLinuxNetFeatures | F(kSrIov)));
  EXPECT_TRUE(d.Negotiate(F(kVersion1)));
  EXPECT_TRUE(bed.host.guest_errors.empty());
}

TEST(Transport, FeaturesOkRefusedForImpossibleSets) {
  Bed bed(1);
  snic_core_set_num_vfs(bed.core.get(), 1);
  FakeDriver pf = bed.Driver(0), vf = bed.Driver(1);
  EXPECT_FALSE(pf.Negotiate(F(kMac)));                    // no VERSION_1
  EXPECT_FALSE(pf.Negotiate(F(kVersion1) | F(10)));       // not offered
  EXPECT_FALSE(pf.Negotiate(F(kVersion1) | F(kCtrlRx)));  // needs CVQ
  EXPECT_FALSE(pf.Negotiate(F(kVersion1) | F(kCtrlVlan)));
  EXPECT_FALSE(pf.Negotiate(F(kVersion1) | F(kCtrlMacAddr)));
  EXPECT_FALSE(vf.Negotiate(F(kVersion1) | F(kSrIov)));  // PF only
  // 5.1.3.1: offloads need the features they build on.
  EXPECT_FALSE(pf.Negotiate(F(kVersion1) | F(11)));          // TSO4, no CSUM
  EXPECT_FALSE(pf.Negotiate(F(kVersion1) | F(0) | F(13)));   // ECN, no TSO
  EXPECT_FALSE(pf.Negotiate(F(kVersion1) | F(0) | F(56) | F(12) | F(13) |
                            F(7)));                          // GUEST_TSO4
  EXPECT_FALSE(pf.Negotiate(F(kVersion1) | F(1) | F(9)));    // GUEST_ECN
  EXPECT_FALSE(pf.Negotiate(F(kVersion1) | F(1) | F(2)));    // no CVQ
  EXPECT_TRUE(pf.Negotiate(F(kVersion1) | F(0) | F(11) | F(13) | F(1) |
                           F(7) | F(9) | F(kCtrlVq) | F(2)));
  EXPECT_TRUE(vf.Negotiate(F(kVersion1) | F(kCtrlVq) | F(kCtrlRx)));
  EXPECT_GE(bed.host.guest_errors.size(), 11u);
}

TEST(Transport, DriverFeaturesFrozenAfterFeaturesOk) {
  Bed bed;
  FakeDriver d = bed.Driver(0);
  ASSERT_TRUE(d.Negotiate(F(kVersion1)));
  d.SetCommon(kGfSelect, 0, 4);
  d.SetCommon(kGf, F(kMac), 4);
  EXPECT_EQ(d.Common(kGf, 4), 0u);
  EXPECT_FALSE(bed.host.guest_errors.empty());
}

TEST(Transport, StatusStateMachine) {
  Bed bed;
  FakeDriver d = bed.Driver(0);
  d.set_status(kAck);
  EXPECT_EQ(d.status(), kAck);
  d.set_status(kAck | kDriver);
  // DRIVER_OK without FEATURES_OK is ignored.
  d.set_status(kAck | kDriver | kDriverOk);
  EXPECT_EQ(d.status(), kAck | kDriver);
  // Clearing bits without a reset is ignored.
  d.set_status(kAck);
  EXPECT_EQ(d.status(), kAck | kDriver);
  // The driver cannot set NEEDS_RESET.
  d.set_status(kAck | kDriver | kNeedsReset);
  EXPECT_EQ(d.status(), kAck | kDriver);
  d.set_status(kAck | kDriver | kFailed);
  EXPECT_EQ(d.status(), kAck | kDriver | kFailed);
  d.set_status(0);
  EXPECT_EQ(d.status(), 0);
}

TEST(Transport, ResetClearsQueuesFeaturesVectors) {
  Bed bed;
  FakeDriver d = bed.Driver(0);
  ASSERT_TRUE(d.Init());
  d.set_status(0);
  EXPECT_EQ(d.status(), 0);
  EXPECT_EQ(d.Common(kMsixConfig, 2), 0xffffu);
  d.SetCommon(kGfSelect, 0, 4);
  EXPECT_EQ(d.Common(kGf, 4), 0u);
  for (uint16_t q = 0; q < 3; ++q) {
    d.SetCommon(kQSelect, q, 2);
    EXPECT_EQ(d.Common(kQEnable, 2), 0u);
    EXPECT_EQ(d.Common(kQSize, 2), 256u);
    EXPECT_EQ(d.Common(kQMsix, 2), 0xffffu);
    EXPECT_EQ(d.Common(kQDesc, 8), 0u);
  }
}

TEST(Transport, QueueRegisters) {
  Bed bed;
  FakeDriver d = bed.Driver(0);
  // 2 queue pairs (the default) and the controlq.
  EXPECT_EQ(d.Common(kNumQueues, 2), 5u);
  for (uint16_t q = 0; q < 5; ++q) {
    d.SetCommon(kQSelect, q, 2);
    EXPECT_EQ(d.Common(kQSelect, 2), q);
    EXPECT_EQ(d.Common(kQNotifyOff, 2), q);
    EXPECT_EQ(d.Common(kQSize, 2), 256u);
  }
  d.SetCommon(kQSelect, 0, 2);
  d.SetCommon(kQDesc, 0x12345000, 4);
  d.SetCommon(kQDesc + 4, 0x1, 4);
  EXPECT_EQ(d.Common(kQDesc, 4), 0x12345000u);
  EXPECT_EQ(d.Common(kQDesc + 4, 4), 1u);
  EXPECT_EQ(d.Common(kQDesc, 8), 0x112345000ull);
  d.SetCommon(kQDriver, 0xabcdef0000001000ull, 8);
  EXPECT_EQ(d.Common(kQDriver + 4, 4), 0xabcdef00u);
  // Nonexistent queue reads size 0.
  d.SetCommon(kQSelect, 9, 2);
  EXPECT_EQ(d.Common(kQSize, 2), 0u);
  EXPECT_EQ(d.Common(kQMsix, 2), 0xffffu);
}

TEST(Transport, QueueSizeValidation) {
  Bed bed;
  FakeDriver d = bed.Driver(0);
  d.SetCommon(kQSelect, 1, 2);
  d.SetCommon(kQSize, 64, 2);
  EXPECT_EQ(d.Common(kQSize, 2), 64u);
  for (uint64_t bad : {0ull, 3ull, 100ull, 512ull, 0xffffull}) {
    const size_t errs = bed.host.guest_errors.size();
    d.SetCommon(kQSize, bad, 2);
    EXPECT_EQ(d.Common(kQSize, 2), 64u) << bad;
    EXPECT_GT(bed.host.guest_errors.size(), errs) << bad;
  }
}

TEST(Transport, MsixVectorOutOfRangeReadsNoVector) {
  Bed bed;
  FakeDriver d = bed.Driver(0);
  // 6 vectors (2 pairs): config change, one per queue and a spare.
  d.SetCommon(kMsixConfig, 5, 2);
  EXPECT_EQ(d.Common(kMsixConfig, 2), 5u);
  d.SetCommon(kMsixConfig, 6, 2);
  EXPECT_EQ(d.Common(kMsixConfig, 2), 0xffffu);
  d.SetCommon(kQSelect, 2, 2);
  d.SetCommon(kQMsix, 2, 2);
  EXPECT_EQ(d.Common(kQMsix, 2), 2u);
  d.SetCommon(kQMsix, 77, 2);
  EXPECT_EQ(d.Common(kQMsix, 2), 0xffffu);
}

TEST(Transport, QueueConfigFrozenWhileEnabled) {
  Bed bed;
  FakeDriver d = bed.Driver(0);
  ASSERT_TRUE(d.Init());
  d.SetCommon(kQSelect, 0, 2);
  const uint64_t desc = d.Common(kQDesc, 8);
  d.SetCommon(kQDesc, 0x9000, 4);
  d.SetCommon(kQSize, 32, 2);
  EXPECT_EQ(d.Common(kQDesc, 8), desc);
  EXPECT_EQ(d.Common(kQSize, 2), 64u);
  d.SetCommon(kQEnable, 0, 2);  // drivers must not write 0
  EXPECT_EQ(d.Common(kQEnable, 2), 1u);
}

TEST(Transport, MisalignedRingRefusesEnable) {
  Bed bed;
  FakeDriver d = bed.Driver(0);
  d.SetCommon(kQSelect, 0, 2);
  d.SetCommon(kQDesc, 0x1008, 4);  // descriptor table must be 16-aligned
  d.SetCommon(kQEnable, 1, 2);
  EXPECT_EQ(d.Common(kQEnable, 2), 0u);
  EXPECT_FALSE(bed.host.guest_errors.empty());
}

TEST(Transport, WrongWidthAccessIsLoggedAndIgnored) {
  Bed bed;
  FakeDriver d = bed.Driver(0);
  d.SetCommon(kQSelect, 1, 4);  // 16-bit field, 32-bit write
  EXPECT_EQ(d.Common(kQSelect, 2), 0u);
  EXPECT_EQ(d.Common(kNumQueues, 4), 0u);
  d.SetCommon(kStatusReg, kAck, 2);
  EXPECT_EQ(d.status(), 0);
  EXPECT_EQ(bed.host.guest_errors.size(), 3u);
}

TEST(Transport, ReadOnlyFieldsIgnoreWrites) {
  Bed bed;
  FakeDriver d = bed.Driver(0);
  d.SetCommon(kNumQueues, 3, 2);
  d.SetCommon(kGen, 9, 1);
  d.SetCommon(kDf, 0, 4);
  EXPECT_EQ(d.Common(kNumQueues, 2), 5u);
  EXPECT_EQ(bed.host.guest_errors.size(), 3u);
}

TEST(Transport, DeviceConfigLayout) {
  Bed bed;
  FakeDriver d = bed.Driver(0);
  const SnicConfig cfg = TestConfig(4);
  for (unsigned i = 0; i < 6; ++i) {
    EXPECT_EQ(d.Read(kRegionDevice, i, 1), cfg.pf_mac[i]);
  }
  EXPECT_EQ(d.Read(kRegionDevice, 6, 2), 1u);  // LINK_UP
  EXPECT_EQ(d.Read(kRegionDevice, 8, 2), 2u);  // max_virtqueue_pairs
  EXPECT_EQ(d.Read(kRegionDevice, 10, 2), 1500u);
  EXPECT_EQ(d.Read(kRegionDevice, 0, 4), 0x12005452u);
  EXPECT_EQ(d.Read(kRegionDevice, 12, 4), 10000u);  // speed (SPEED_DUPLEX)
  EXPECT_EQ(d.Read(kRegionDevice, 16, 1), 1u);      // duplex: full
  EXPECT_EQ(d.Read(kRegionDevice, 17, 1), 40u);     // rss_max_key_size
  EXPECT_EQ(d.Read(kRegionDevice, 18, 2), 128u);    // rss_max_indirection_table_length
  EXPECT_EQ(d.Read(kRegionDevice, 20, 4), 0x3fu);   // supported_hash_types
  EXPECT_EQ(d.Read(kRegionDevice, 24, 4), 0u);      // nothing after it
  EXPECT_EQ(d.Read(kRegionDevice, 0xffc, 8), 0u);
}

TEST(Transport, LinkChangeBumpsGenerationAndInterrupts) {
  Bed bed;
  FakeDriver d = bed.Driver(0);
  ASSERT_TRUE(d.Init());
  const uint64_t gen = d.Common(kGen, 1);
  bed.host.msix.clear();
  snic_core_set_uplink_link(bed.core.get(), false);
  EXPECT_EQ(d.Read(kRegionDevice, 6, 2), 0u);
  EXPECT_NE(d.Common(kGen, 1), gen);
  ASSERT_EQ(bed.host.msix.size(), 1u);
  EXPECT_EQ(bed.host.msix[0], std::make_pair(SnicFn{0}, uint16_t{0}));
  snic_core_set_uplink_link(bed.core.get(), false);  // no change
  EXPECT_EQ(bed.host.msix.size(), 1u);
  snic_core_set_uplink_link(bed.core.get(), true);
  EXPECT_EQ(d.Read(kRegionDevice, 6, 2), 1u);
  EXPECT_EQ(bed.host.msix.size(), 2u);
}

TEST(Transport, IsrAndIntxWhenMsixDisabled) {
  Bed bed;
  bed.host.msix_on = false;
  FakeDriver d = bed.Driver(0);
  ASSERT_TRUE(d.Init());
  snic_core_set_uplink_link(bed.core.get(), false);
  ASSERT_FALSE(bed.host.intx.empty());
  EXPECT_EQ(bed.host.intx.back(), std::make_pair(SnicFn{0}, true));
  EXPECT_EQ(d.Read(kRegionIsr, 0, 1), 2u);  // config change
  EXPECT_EQ(bed.host.intx.back(), std::make_pair(SnicFn{0}, false));
  EXPECT_EQ(d.Read(kRegionIsr, 0, 1), 0u);  // read clears
  EXPECT_TRUE(bed.host.msix.empty());
}

TEST(Transport, VfResetOnDisableAndVfMacAtNextReset) {
  Bed bed(2);
  snic_core_set_num_vfs(bed.core.get(), 2);
  FakeDriver vf = bed.Driver(2);
  ASSERT_TRUE(vf.Init());
  char err[128];
  EXPECT_TRUE(snic_core_set_vf_setting(bed.core.get(), 1, "mac",
                                       "02:11:22:33:44:55", err, sizeof(err)))
      << err;
  EXPECT_NE(MacOf(bed.core.get(), 2)[1], 0x11);  // not yet
  EXPECT_FALSE(snic_core_set_vf_setting(bed.core.get(), 1, "mac",
                                        "03:00:00:00:00:01", err, sizeof(err)));
  EXPECT_FALSE(snic_core_set_vf_setting(bed.core.get(), 2, "mac",
                                        "02:11:22:33:44:55", err, sizeof(err)));
  snic_core_set_num_vfs(bed.core.get(), 1);  // VF 1 disabled: fully reset
  snic_core_set_num_vfs(bed.core.get(), 2);
  EXPECT_EQ(vf.status(), 0);
  vf.SetCommon(kQSelect, 0, 2);
  EXPECT_EQ(vf.Common(kQEnable, 2), 0u);
  EXPECT_EQ(MacOf(bed.core.get(), 2),
            (std::array<uint8_t, 6>{0x02, 0x11, 0x22, 0x33, 0x44, 0x55}));
  EXPECT_EQ(vf.Read(kRegionDevice, 1, 1), 0x11u);
}

TEST(Transport, ResetFunctionRestoresState) {
  Bed bed;
  FakeDriver d = bed.Driver(0);
  ASSERT_TRUE(d.Init());
  snic_core_reset_function(bed.core.get(), 0);
  EXPECT_EQ(d.status(), 0);
  EXPECT_TRUE(d.Init());
}

}  // namespace
}  // namespace snic::testing
