// Unit tests: the virtio-net control virtqueue (virtio 1.2 5.1.6.5) and
// the RX filter it programs, observed through frames from the uplink.
// SPDX-License-Identifier: GPL-2.0-or-later
#include <gtest/gtest.h>

#include "fakes/fake_driver.h"

namespace snic::testing {
namespace {

constexpr uint8_t kOk = 0, kErr = 1;
constexpr uint8_t kClassRx = 0, kClassMac = 1, kClassVlan = 2,
                  kClassAnnounce = 3;
constexpr std::array<uint8_t, 6> kMcast = {0x01, 0x00, 0x5e, 0x00, 0x00, 0x01};
constexpr std::array<uint8_t, 6> kMcast2 = {0x33, 0x33, 0x00, 0x00, 0x00, 0x01};
constexpr std::array<uint8_t, 6> kExtra = {0x02, 0x00, 0x00, 0x00, 0x00, 0x99};

std::vector<uint8_t> MacTable(
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

class Control : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(d_.Init());
    d_.PostRx(64, 1536);
  }
  // Feeds @frame from the uplink; true if the PF received it.
  bool Receives(const std::vector<uint8_t>& frame) {
    const uint16_t before = d_.rx().used_idx();
    snic_core_uplink_receive(bed_.core.get(), frame.data(), frame.size());
    return d_.rx().used_idx() != before;
  }
  bool Receives(const std::array<uint8_t, 6>& dst) {
    return Receives(Frame(dst, kRemote));
  }
  uint8_t Rx(uint8_t cmd, bool on) {
    return d_.Control(kClassRx, cmd, {uint8_t(on)});
  }
  std::array<uint8_t, 6> Own() { return MacOf(bed_.core.get(), 0); }

  Bed bed_{2};
  FakeDriver d_ = bed_.Driver(0);
};

TEST_F(Control, DefaultFilterOwnMacBroadcastAllMulticast) {
  EXPECT_TRUE(Receives(Own()));
  EXPECT_TRUE(Receives(kBroadcast));
  EXPECT_TRUE(Receives(kMcast));
  EXPECT_FALSE(Receives(kExtra));
}

TEST_F(Control, Promisc) {
  EXPECT_EQ(Rx(0, true), kOk);
  EXPECT_TRUE(Receives(kExtra));
  EXPECT_EQ(Rx(0, false), kOk);
  EXPECT_FALSE(Receives(kExtra));
}

TEST_F(Control, AllmultiAndMulticastTable) {
  EXPECT_EQ(Rx(1, false), kOk);
  EXPECT_FALSE(Receives(kMcast));
  EXPECT_EQ(d_.Control(kClassMac, 0, MacTable({}, {kMcast})), kOk);
  EXPECT_TRUE(Receives(kMcast));
  EXPECT_FALSE(Receives(kMcast2));
  EXPECT_EQ(Rx(1, true), kOk);
  EXPECT_TRUE(Receives(kMcast2));
}

TEST_F(Control, Alluni) {
  EXPECT_EQ(Rx(2, true), kOk);
  EXPECT_TRUE(Receives(kExtra));
}

TEST_F(Control, Nomulti) {
  EXPECT_EQ(Rx(3, true), kOk);
  EXPECT_FALSE(Receives(kMcast));
  EXPECT_TRUE(Receives(kBroadcast));
}

TEST_F(Control, Nouni) {
  EXPECT_EQ(Rx(4, true), kOk);
  EXPECT_FALSE(Receives(Own()));
  EXPECT_EQ(bed_.Stats(0).rx_drop_filtered, 1u);
  EXPECT_TRUE(Receives(kBroadcast));
}

TEST_F(Control, Nobcast) {
  EXPECT_EQ(Rx(5, true), kOk);
  EXPECT_FALSE(Receives(kBroadcast));
  EXPECT_TRUE(Receives(Own()));
}

TEST_F(Control, UnknownRxCommandAndMissingArgument) {
  EXPECT_EQ(Rx(9, true), kErr);
  EXPECT_EQ(d_.Control(kClassRx, 0, {}), kErr);
  EXPECT_EQ(bed_.Stats(0).ctrl_errors, 2u);
  EXPECT_EQ(d_.status() & kNeedsReset, 0);
}

TEST_F(Control, MacTableUnicastEntry) {
  EXPECT_EQ(d_.Control(kClassMac, 0, MacTable({kExtra}, {})), kOk);
  EXPECT_TRUE(Receives(kExtra));
  EXPECT_EQ(d_.Control(kClassMac, 0, MacTable({}, {})), kOk);
  EXPECT_FALSE(Receives(kExtra));
}

TEST_F(Control, MacTableOverflowBehavesAsAlluni) {
  std::vector<std::array<uint8_t, 6>> many;
  for (int i = 0; i < 65; ++i) {
    many.push_back({0x02, 0, 0, 0, 1, uint8_t(i)});
  }
  EXPECT_EQ(d_.Control(kClassMac, 0, MacTable(many, {})), kOk);
  EXPECT_EQ(bed_.Stats(0).mac_table_overflows, 1u);
  EXPECT_TRUE(Receives(kExtra));  // not in any table: overflow accepts all
  EXPECT_EQ(d_.Control(kClassMac, 0, MacTable({}, {})), kOk);
  EXPECT_FALSE(Receives(kExtra));
}

TEST_F(Control, MacTableMalformed) {
  std::vector<uint8_t> bad = MacTable({kExtra}, {});
  bad.resize(bad.size() - 3);  // truncated
  EXPECT_EQ(d_.Control(kClassMac, 0, bad), kErr);
  std::vector<uint8_t> huge = {0xff, 0xff, 0xff, 0xff};  // 4G entries
  EXPECT_EQ(d_.Control(kClassMac, 0, huge), kErr);
  EXPECT_EQ(d_.status() & kNeedsReset, 0);
}

TEST_F(Control, MacAddrSetUpdatesConfigAndFilter) {
  const uint64_t gen = d_.Common(kGen, 1);
  EXPECT_EQ(d_.Control(kClassMac, 1,
                       std::vector<uint8_t>(kExtra.begin(), kExtra.end())),
            kOk);
  EXPECT_EQ(MacOf(bed_.core.get(), 0), kExtra);
  EXPECT_EQ(d_.Read(kRegionDevice, 5, 1), 0x99u);
  EXPECT_NE(d_.Common(kGen, 1), gen);
  EXPECT_TRUE(Receives(kExtra));
  // Multicast or wrong length: ERR.
  EXPECT_EQ(d_.Control(kClassMac, 1,
                       std::vector<uint8_t>(kMcast.begin(), kMcast.end())),
            kErr);
  EXPECT_EQ(d_.Control(kClassMac, 1, {1, 2, 3}), kErr);
  // Reset restores the configured MAC.
  ASSERT_TRUE(d_.Init());
  EXPECT_NE(MacOf(bed_.core.get(), 0), kExtra);
}

TEST_F(Control, VlanFilter) {
  auto tagged = [&](uint16_t vid) {
    auto f = Frame(Own(), kRemote, 46, 0x8100);
    f[14] = uint8_t(vid >> 8);
    f[15] = uint8_t(vid);
    return f;
  };
  EXPECT_FALSE(Receives(tagged(100)));  // CTRL_VLAN acked: empty filter
  EXPECT_EQ(bed_.Stats(0).rx_drop_filtered, 1u);
  EXPECT_TRUE(Receives(Frame(Own(), kRemote)));  // untagged always
  EXPECT_EQ(d_.Control(kClassVlan, 0, {100, 0}), kOk);
  EXPECT_TRUE(Receives(tagged(100)));
  EXPECT_FALSE(Receives(tagged(101)));
  EXPECT_EQ(d_.Control(kClassVlan, 1, {100, 0}), kOk);
  EXPECT_FALSE(Receives(tagged(100)));
  EXPECT_EQ(d_.Control(kClassVlan, 0, {0x00, 0x10}), kErr);  // vid 4096
  EXPECT_EQ(d_.Control(kClassVlan, 0, {1}), kErr);
}

TEST_F(Control, VlanNotFilteredWithoutCtrlVlan) {
  ASSERT_TRUE(d_.Init(kLinuxNetFeatures & ~F(kCtrlVlan)));
  d_.PostRx(4, 1536);
  auto f = Frame(Own(), kRemote, 46, 0x8100);
  f[15] = 7;
  EXPECT_TRUE(Receives(f));
  EXPECT_EQ(d_.Control(kClassVlan, 0, {7, 0}), kErr);
}

// ANNOUNCE needs GUEST_ANNOUNCE; ACK is its only command.
TEST_F(Control, AnnounceAck) {
  EXPECT_EQ(d_.Control(kClassAnnounce, 0, {}), kOk);
  EXPECT_EQ(d_.Control(kClassAnnounce, 1, {}), kErr);
  ASSERT_TRUE(d_.Init(kLinuxNetFeatures & ~F(kGuestAnnounce)));
  EXPECT_EQ(d_.Control(kClassAnnounce, 0, {}), kErr);
}

TEST_F(Control, BadClassIsErr) {
  EXPECT_EQ(d_.Control(42, 0, {}), kErr);
  EXPECT_EQ(bed_.Stats(0).ctrl_commands, 1u);
  EXPECT_EQ(bed_.Stats(0).ctrl_errors, 1u);
}

TEST_F(Control, RxClassWithoutCtrlRxIsErr) {
  ASSERT_TRUE(d_.Init(F(kVersion1) | F(kCtrlVq)));
  EXPECT_EQ(Rx(0, true), kErr);
  EXPECT_EQ(d_.Control(kClassMac, 0, MacTable({}, {})), kErr);
  EXPECT_EQ(d_.Control(kClassMac, 1,
                       std::vector<uint8_t>(kExtra.begin(), kExtra.end())),
            kErr);
}

TEST_F(Control, InterruptOnControlQueueVector) {
  bed_.host.msix.clear();
  EXPECT_EQ(Rx(0, true), kOk);
  ASSERT_EQ(bed_.host.msix.size(), 1u);
  EXPECT_EQ(bed_.host.msix[0], std::make_pair(SnicFn{0}, uint16_t{3}));
}

TEST_F(Control, MacTableMakesSwitchDeliverInsteadOfUplink) {
  snic_core_set_num_vfs(bed_.core.get(), 1);
  FakeDriver vf = bed_.Driver(1);
  ASSERT_TRUE(vf.Init());
  EXPECT_EQ(d_.Control(kClassMac, 0, MacTable({kExtra}, {})), kOk);
  const uint16_t before = d_.rx().used_idx();
  vf.Send(Frame(kExtra, MacOf(bed_.core.get(), 1)));
  bed_.RunAll();
  EXPECT_EQ(d_.rx().used_idx(), before + 1);
  EXPECT_TRUE(bed_.host.uplink_frames.empty());
}

TEST_F(Control, PromiscVfSeesOtherFunctionsUnicast) {
  snic_core_set_num_vfs(bed_.core.get(), 2);
  SnicVfPolicy p;
  ASSERT_TRUE(snic_core_get_vf_policy(bed_.core.get(), 1, &p));
  p.trust = true;  // promisc needs trust (issue 5)
  ASSERT_TRUE(snic_core_set_vf_policy(bed_.core.get(), 1, &p, nullptr, 0));
  FakeDriver a = bed_.Driver(1), b = bed_.Driver(2);
  ASSERT_TRUE(a.Init());
  ASSERT_TRUE(b.Init());
  b.PostRx(4, 1536);
  EXPECT_EQ(b.Control(kClassRx, 0, {1}), kOk);
  const uint16_t before = d_.rx().used_idx();
  a.Send(Frame(Own(), MacOf(bed_.core.get(), 1)));
  bed_.RunAll();
  EXPECT_EQ(d_.rx().used_idx(), before + 1);
  EXPECT_EQ(b.rx().used_idx(), 1u);
  EXPECT_EQ(a.rx().used_idx(), 0u);
}

}  // namespace
}  // namespace snic::testing
