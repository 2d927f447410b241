// Unit tests: frames between functions and the uplink through the C ABI:
// VF to VF, VF to PF and back, broadcast replication without hairpin,
// unknown unicast, a MAC whose function is not running. The decisions
// themselves are table tests of vswitch::Decide (switch_test.cc).
// SPDX-License-Identifier: GPL-2.0-or-later
#include <gtest/gtest.h>

#include "fakes/fake_driver.h"

namespace snic::testing {
namespace {

TEST(Datapath, VfToVf) {
  Bed bed(4);
  snic_core_set_num_vfs(bed.core.get(), 2);
  FakeDriver a = bed.Driver(1), b = bed.Driver(2);
  ASSERT_TRUE(a.Init());
  ASSERT_TRUE(b.Init());
  const auto bbufs = b.PostRx(4, 1536);
  a.PostRx(4, 1536);
  const auto frame = Frame(MacOf(bed.core.get(), 2), MacOf(bed.core.get(), 1));
  a.Send(frame);
  bed.RunAll();
  EXPECT_TRUE(bed.host.uplink_frames.empty());  // never leaves the device
  auto u = b.rx().GetUsed();
  ASSERT_TRUE(u);
  EXPECT_EQ(RxPayload(bed.ram, bbufs[0], u->len), frame);
  EXPECT_FALSE(a.rx().GetUsed());
  EXPECT_EQ(bed.Stats(1).tx_packets, 1u);
  EXPECT_EQ(bed.Stats(2).rx_packets, 1u);
}

TEST(Datapath, VfToPfAndPfToVf) {
  Bed bed(2);
  snic_core_set_num_vfs(bed.core.get(), 1);
  FakeDriver pf = bed.Driver(0), vf = bed.Driver(1);
  ASSERT_TRUE(pf.Init());
  ASSERT_TRUE(vf.Init());
  const auto pbufs = pf.PostRx(2, 1536);
  const auto vbufs = vf.PostRx(2, 1536);
  const auto up = Frame(MacOf(bed.core.get(), 0), MacOf(bed.core.get(), 1));
  vf.Send(up);
  const auto down = Frame(MacOf(bed.core.get(), 1), MacOf(bed.core.get(), 0));
  pf.Send(down);
  bed.RunAll();
  auto u = pf.rx().GetUsed();
  ASSERT_TRUE(u);
  EXPECT_EQ(RxPayload(bed.ram, pbufs[0], u->len), up);
  u = vf.rx().GetUsed();
  ASSERT_TRUE(u);
  EXPECT_EQ(RxPayload(bed.ram, vbufs[0], u->len), down);
  EXPECT_TRUE(bed.host.uplink_frames.empty());
}

// A VF that is enabled but not running (no driver yet, reset, NEEDS_RESET)
// keeps its MAC in the switch, as a NIC whose VF queues are stopped: the
// frame is counted there (rx_drop_no_buffers, "queue not ready") and does
// not leak to the uplink. A VF that is not enabled is no port: its MAC is
// unknown unicast.
TEST(Datapath, FrameToNotReadyVfMacStaysInside) {
  Bed bed(4);
  snic_core_set_num_vfs(bed.core.get(), 2);
  FakeDriver pf = bed.Driver(0);
  ASSERT_TRUE(pf.Init());
  // VF 1 (fn 2) enabled but no driver.
  pf.Send(Frame(MacOf(bed.core.get(), 2), MacOf(bed.core.get(), 0)));
  bed.RunAll();
  EXPECT_TRUE(bed.host.uplink_frames.empty());
  EXPECT_EQ(bed.Stats(2).rx_drop_no_buffers, 1u);
  // VF 3 (fn 4) is not enabled: unknown, nothing counted on it.
  SnicVfPolicy p3{};
  ASSERT_TRUE(snic_core_get_vf_policy(bed.core.get(), 3, &p3));
  std::array<uint8_t, 6> mac3;
  std::copy(p3.mac, p3.mac + 6, mac3.begin());
  pf.Send(Frame(mac3, MacOf(bed.core.get(), 0)));
  bed.RunAll();
  EXPECT_EQ(bed.host.uplink_frames.size(), 1u);
  EXPECT_EQ(bed.Stats(4).rx_drop_no_buffers, 0u);
}

TEST(Datapath, BroadcastReplicatedWithoutHairpin) {
  Bed bed(4);
  snic_core_set_num_vfs(bed.core.get(), 3);
  std::vector<FakeDriver> drv;
  for (SnicFn fn = 0; fn <= 3; ++fn) {
    drv.push_back(bed.Driver(fn));
    ASSERT_TRUE(drv.back().Init());
    drv.back().PostRx(2, 1536);
  }
  const auto frame = Frame(kBroadcast, MacOf(bed.core.get(), 2), 60, 0x0806);
  drv[2].Send(frame);
  bed.RunAll();
  for (SnicFn fn = 0; fn <= 3; ++fn) {
    EXPECT_EQ(drv[fn].rx().used_idx(), fn == 2 ? 0u : 1u) << fn;
  }
  ASSERT_EQ(bed.host.uplink_frames.size(), 1u);
  EXPECT_EQ(bed.host.uplink_frames[0], frame);
  // From the uplink: every function, nothing back out.
  snic_core_uplink_receive(bed.core.get(), frame.data(), frame.size());
  for (SnicFn fn = 0; fn <= 3; ++fn) {
    EXPECT_EQ(drv[fn].rx().used_idx(), fn == 2 ? 1u : 2u) << fn;
  }
  EXPECT_EQ(bed.host.uplink_frames.size(), 1u);
}

TEST(Datapath, UnknownUnicastFromVfGoesToUplinkOnly) {
  Bed bed(2);
  snic_core_set_num_vfs(bed.core.get(), 1);
  FakeDriver pf = bed.Driver(0), vf = bed.Driver(1);
  ASSERT_TRUE(pf.Init());
  ASSERT_TRUE(vf.Init());
  pf.PostRx(2, 1536);
  vf.Send(Frame(kRemote, MacOf(bed.core.get(), 1)));
  bed.RunAll();
  EXPECT_EQ(bed.host.uplink_frames.size(), 1u);
  EXPECT_EQ(pf.rx().used_idx(), 0u);
}

TEST(Switch, NeverHairpinsAndFloodsUnknownUnicastToUplink) {
  Bed bed(2);
  snic_core_set_num_vfs(bed.core.get(), 2);
  FakeDriver pf = bed.Driver(0), a = bed.Driver(1), b = bed.Driver(2);
  ASSERT_TRUE(pf.Init());
  ASSERT_TRUE(a.Init());
  ASSERT_TRUE(b.Init());
  // Own MAC as destination from itself goes to the uplink only (the
  // decision itself: switch_test.cc, NoHairpinForUnicastToOwnMac).
  a.Send(Frame(MacOf(bed.core.get(), 1), MacOf(bed.core.get(), 1)));
  bed.RunAll();
  EXPECT_EQ(bed.host.uplink_frames.size(), 1u);
}

}  // namespace
}  // namespace snic::testing
