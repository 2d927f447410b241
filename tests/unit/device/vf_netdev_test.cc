// VFs bound to a netdev of their own (DeviceConfig::vf_netdevs, device.h):
// they bypass the switch, their link's traffic is theirs alone, and host
// policy (spoof check, port VLAN, link-state, rate) still applies.
// SPDX-License-Identifier: GPL-2.0-or-later
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "fakes/switch_fixture.h"

namespace snic::testing {
namespace {

constexpr uint16_t kLink = 1;  // VF 1's own netdev

class VfNetdev : public SwitchBed {
 protected:
  void SetUp() override { UseConfig(Config()); }
  static SnicConfig Config() {
    SnicConfig c = TestConfig(4);
    c.num_vf_netdevs = 1;
    c.vf_netdevs = kBound;
    return c;
  }
  SnicStats Stats(SnicFn fn) { return bed_.Stats(fn); }
  // Frames VF 1's netdev got since the last call.
  Frames LinkOut() {
    Frames out;
    for (const auto& f : bed_.host.link_frames) {
      EXPECT_EQ(f.link, kLink);
      out.push_back(f.frame);
    }
    bed_.host.link_frames.clear();
    return out;
  }
  void FromLink(const std::vector<uint8_t>& f) {
    EXPECT_EQ(snic_core_link_receive(core(), kLink, f.data(), f.size()),
              f.size());
  }
  SnicUplinkStats Link() {
    SnicUplinkStats s{};
    EXPECT_TRUE(snic_core_get_link_stats(core(), kLink, &s));
    return s;
  }
  void SetSetting(uint16_t vf, const char* name, const char* value) {
    char err[256] = {};
    ASSERT_TRUE(snic_core_set_vf_setting(core(), vf, name, value, err,
                                         sizeof(err)))
        << err;
  }
  static constexpr uint16_t kBound[1] = {1};
};

TEST_F(VfNetdev, ItsTxLeavesByItsLinkOnly) {
  Start(3);
  // To a switch port's MAC: not through the device, out of its own link.
  const auto to_vf0 = Frame(vf(0).mac(), vf(1).mac());
  vf(1).Send(to_vf0);
  const auto bcast = Frame(kBroadcast, vf(1).mac(), 60);
  vf(1).Send(bcast);
  bed_.RunAll();
  EXPECT_EQ(LinkOut(), (Frames{to_vf0, bcast}));
  EXPECT_TRUE(vf(0).Received().empty());
  EXPECT_TRUE(pf().Received().empty());
  EXPECT_TRUE(vf(2).Received().empty());
  EXPECT_TRUE(UplinkOut().empty());
  EXPECT_EQ(Stats(vf(1).fn()).tx_packets, 2u);
  EXPECT_EQ(Link().tx_packets, 2u);
  EXPECT_EQ(Uplink().tx_packets, 0u);
}

TEST_F(VfNetdev, SwitchPortsDoNotReachIt) {
  Start(3);
  // Its MAC is unknown to the switch: unicast for it goes to the uplink.
  const auto to_vf1 = Frame(vf(1).mac(), vf(0).mac());
  vf(0).Send(to_vf1);
  const auto bcast = Frame(kBroadcast, vf(0).mac(), 60);
  vf(0).Send(bcast);
  bed_.RunAll();
  EXPECT_TRUE(vf(1).Received().empty());
  EXPECT_EQ(UplinkOut(), (Frames{to_vf1, bcast}));
  EXPECT_EQ(pf().Received(), Frames{bcast});
  EXPECT_EQ(vf(2).Received(), Frames{bcast});
  // Nor does the uplink.
  FromUplink(Frame(vf(1).mac(), kRemote));
  FromUplink(Frame(kBroadcast, kRemote, 50));
  EXPECT_TRUE(vf(1).Received().empty());
  EXPECT_TRUE(LinkOut().empty());
}

TEST_F(VfNetdev, ItsLinkReachesItAlone) {
  Start(3);
  const auto to_vf1 = Frame(vf(1).mac(), kRemote);
  const auto bcast = Frame(kBroadcast, kRemote, 70);
  FromLink(to_vf1);
  FromLink(bcast);
  // Another function's MAC, or unknown unicast: nobody (its RX filter).
  FromLink(Frame(vf(0).mac(), kRemote));
  FromLink(Frame(kOther, kRemote));
  EXPECT_EQ(vf(1).Received(), (Frames{to_vf1, bcast}));
  EXPECT_TRUE(vf(0).Received().empty());
  EXPECT_TRUE(pf().Received().empty());
  EXPECT_TRUE(vf(2).Received().empty());
  EXPECT_TRUE(UplinkOut().empty());
  const SnicUplinkStats s = Link();
  EXPECT_EQ(s.rx_packets, 4u);
  EXPECT_EQ(s.rx_drop_unclaimed, 2u);
  EXPECT_EQ(Uplink().rx_packets, 0u);
  EXPECT_EQ(Stats(vf(1).fn()).rx_packets, 2u);
}

TEST_F(VfNetdev, PortVlanTagsOnTheWayOutAndFiltersOnTheWayIn) {
  Start(2);
  SetVlan(1, 100, 3);
  const auto f = Frame(kRemote, vf(1).mac());
  vf(1).Send(f);
  bed_.RunAll();
  EXPECT_EQ(LinkOut(), Frames{Tagged(f, 100, 3)});
  // The guest may not tag (VLAN anti-spoof of an access port).
  vf(1).Send(TaggedFrame(kRemote, vf(1).mac(), 7));
  bed_.RunAll();
  EXPECT_TRUE(LinkOut().empty());
  EXPECT_EQ(Stats(vf(1).fn()).tx_drop_vlan, 1u);
  // In: only its VLAN, untagged.
  const auto in = Frame(vf(1).mac(), kRemote);
  FromLink(Tagged(in, 100, 5));
  FromLink(in);                  // untagged: not its VLAN
  FromLink(Tagged(in, 200));     // another VLAN
  EXPECT_EQ(vf(1).Received(), Frames{in});
}

TEST_F(VfNetdev, SpoofCheckApplies) {
  Start(2);
  vf(1).Send(Frame(kRemote, kOther));
  bed_.RunAll();
  EXPECT_TRUE(LinkOut().empty());
  EXPECT_EQ(Stats(vf(1).fn()).tx_drop_spoof, 1u);
  SetSetting(1, "spoofchk", "off");
  const auto forged = Frame(kRemote, kOther);
  vf(1).Send(forged);
  bed_.RunAll();
  EXPECT_EQ(LinkOut(), Frames{forged});
}

TEST_F(VfNetdev, LinkStateAutoFollowsItsOwnLink) {
  Start(2);
  // The uplink going down leaves it alone...
  snic_core_set_uplink_link(core(), false);
  const auto f = Frame(kRemote, vf(1).mac());
  vf(1).Send(f);
  bed_.RunAll();
  EXPECT_EQ(LinkOut(), Frames{f});
  vf(0).Send(Frame(kRemote, vf(0).mac()));
  bed_.RunAll();
  EXPECT_EQ(Stats(vf(0).fn()).tx_drop_link_down, 1u);
  // ...its own link going down takes it down.
  snic_core_set_uplink_link(core(), true);
  snic_core_set_link_up(core(), kLink, false);
  vf(1).Send(f);
  bed_.RunAll();
  EXPECT_TRUE(LinkOut().empty());
  EXPECT_EQ(Stats(vf(1).fn()).tx_drop_link_down, 1u);
  FromLink(Frame(vf(1).mac(), kRemote));
  EXPECT_EQ(Stats(vf(1).fn()).rx_drop_link_down, 1u);
  EXPECT_TRUE(vf(1).Received().empty());
  vf(0).Send(Frame(kRemote, vf(0).mac()));
  bed_.RunAll();
  EXPECT_EQ(UplinkOut().size(), 1u);
  // link-state disable wins over an up link; enable over a down one.
  snic_core_set_link_up(core(), kLink, true);
  SetSetting(1, "link-state", "disable");
  vf(1).Send(f);
  bed_.RunAll();
  EXPECT_TRUE(LinkOut().empty());
  EXPECT_EQ(Stats(vf(1).fn()).tx_drop_link_down, 2u);
  SetSetting(1, "link-state", "enable");
  snic_core_set_link_up(core(), kLink, false);
  vf(1).Send(f);
  bed_.RunAll();
  // Enabled, but its netdev's link is down: counted there.
  EXPECT_TRUE(LinkOut().empty());
  EXPECT_EQ(Link().tx_drop_link_down, 1u);
}

TEST_F(VfNetdev, ABusyLinkHoldsOnlyItsVf) {
  Start(2);
  bed_.host.link_accepts = false;  // the netdev queues the first frame
  const auto a = Frame(kRemote, vf(1).mac(), 46, 0x0800, 1);
  const auto b = Frame(kRemote, vf(1).mac(), 46, 0x0800, 2);
  vf(1).Send(a);
  vf(1).Send(b);
  const auto c = Frame(kRemote, vf(0).mac());
  vf(0).Send(c);
  bed_.RunAll();
  EXPECT_EQ(LinkOut(), Frames{a});  // b waits for the netdev
  EXPECT_EQ(UplinkOut(), Frames{c});  // the uplink is not busy
  EXPECT_EQ(Link().tx_queued, 1u);
  EXPECT_EQ(vf(1).drv().tx().used_idx(), 1u);
  bed_.host.link_accepts = true;
  snic_core_uplink_send_done(core());  // another link's: not a release
  bed_.RunAll();
  EXPECT_TRUE(LinkOut().empty());
  snic_core_link_send_done(core(), kLink);
  bed_.RunAll();
  EXPECT_EQ(LinkOut(), Frames{b});
}

TEST_F(VfNetdev, AResetPurgesTheFrameQueuedOnItsLink) {
  Start(2);
  bed_.host.link_accepts = false;
  vf(1).Send(Frame(kRemote, vf(1).mac()));
  bed_.RunAll();
  EXPECT_EQ(bed_.host.LinkFrameCount(kLink), 1u);
  snic_core_reset_function(core(), vf(1).fn());
  EXPECT_EQ(bed_.host.link_purges, 1);
  EXPECT_EQ(bed_.host.purges, 0);
  EXPECT_EQ(Link().tx_purged, 1u);
  EXPECT_EQ(bed_.host.LinkFrameCount(kLink), 0u);
}

TEST_F(VfNetdev, RateLimitApplies) {
  Start(2);
  SetSetting(1, "max-tx-rate", "1");  // 1 Mbit/s
  for (int i = 0; i < 40; ++i) {
    vf(1).Send(Frame(kRemote, vf(1).mac(), 1400, 0x0800, uint8_t(i)));
  }
  bed_.RunAll();
  EXPECT_LT(LinkOut().size(), 40u);
  EXPECT_GT(Stats(vf(1).fn()).tx_rate_waits, 0u);
}

TEST_F(VfNetdev, VnetHeadersPerLink) {
  Start(2);
  ASSERT_TRUE(snic_core_set_link_vnet_hdr(core(), kLink, false));
  vf(1).Send(Frame(kRemote, vf(1).mac()));
  vf(0).Send(Frame(kRemote, vf(0).mac()));
  bed_.RunAll();
  ASSERT_EQ(bed_.host.link_frames.size(), 1u);
  EXPECT_TRUE(bed_.host.link_frames[0].has_hdr);
  EXPECT_TRUE(bed_.host.uplink_hdrs.empty());  // the uplink has none
  EXPECT_EQ(UplinkOut().size(), 1u);
  // A frame with a header from that link.
  const auto in = Frame(vf(1).mac(), kRemote);
  const SnicNetHdr none{};
  EXPECT_EQ(snic_core_link_receive_hdr(core(), kLink, &none, in.data(),
                                       in.size()),
            in.size());
  EXPECT_EQ(vf(1).Received(), Frames{in});
}

TEST_F(VfNetdev, LinksThatDoNotExistAreIgnored) {
  Start(2);
  const auto f = Frame(kBroadcast, kRemote);
  EXPECT_EQ(snic_core_link_receive(core(), 2, f.data(), f.size()), f.size());
  EXPECT_FALSE(snic_core_link_can_receive(core(), 2));
  EXPECT_FALSE(snic_core_set_link_vnet_hdr(core(), 2, false));
  snic_core_link_send_done(core(), 2);
  snic_core_set_link_up(core(), 2, false);
  SnicUplinkStats s;
  EXPECT_FALSE(snic_core_get_link_stats(core(), 2, &s));
  EXPECT_TRUE(snic_core_link_can_receive(core(), kLink));
  for (int fn = 0; fn < 3; ++fn) {
    EXPECT_TRUE(ports_[fn]->Received().empty());
  }
  // A disabled VF's link delivers to nobody.
  snic_core_set_num_vfs(core(), 1);
  FromLink(Frame(vf(1).mac(), kRemote));
  EXPECT_EQ(Link().rx_drop_unclaimed, 1u);
}

TEST_F(VfNetdev, MigrationCarriesTheLinksAndWantsTheSameBinding) {
  Start(2);
  snic_core_set_link_up(core(), kLink, false);
  vf(1).Send(Frame(kRemote, vf(1).mac()));
  bed_.RunAll();
  FromLink(Frame(vf(1).mac(), kRemote));
  const SnicUplinkStats before = Link();
  // Another binding, or none, is refused by name.
  SnicConfig none = TestConfig(4);
  EXPECT_NE(MigrateCore(none).find("vf-netdev differs"), std::string::npos);
  SnicConfig other = Config();
  static constexpr uint16_t kOtherVf[1] = {2};
  other.vf_netdevs = kOtherVf;
  EXPECT_NE(MigrateCore(other).find("vf-netdev"), std::string::npos);
  ASSERT_EQ(MigrateCore(Config()), "");
  const SnicUplinkStats after = Link();
  EXPECT_EQ(after.rx_packets, before.rx_packets);
  EXPECT_EQ(after.tx_drop_link_down, before.tx_drop_link_down);
  // Still down after the move; up again, traffic flows.
  vf(1).Send(Frame(kRemote, vf(1).mac()));
  bed_.RunAll();
  EXPECT_TRUE(LinkOut().empty());
  snic_core_set_link_up(core(), kLink, true);
  const auto f = Frame(kRemote, vf(1).mac(), 80);
  vf(1).Send(f);
  bed_.RunAll();
  EXPECT_EQ(LinkOut(), Frames{f});
}

TEST(VfNetdevConfig, BadBindingsAreRefusedByName) {
  FakeHost host;
  auto make = [&](SnicConfig c) {
    char err[256] = {};
    CorePtr core(snic_core_new(&c, &host.ops(), host.opaque(), err,
                               sizeof(err)));
    EXPECT_FALSE(core);
    return std::string(err);
  };
  SnicConfig c = TestConfig(4);
  static constexpr uint16_t kOut[1] = {4};
  c.num_vf_netdevs = 1;
  c.vf_netdevs = kOut;
  EXPECT_EQ(make(c), "vf-netdev: VF 4 does not exist (total-vfs is 4)");
  static constexpr uint16_t kTwice[2] = {1, 1};
  c.num_vf_netdevs = 2;
  c.vf_netdevs = kTwice;
  EXPECT_EQ(make(c), "vf-netdev: VF 1 is given a netdev twice");
  // Without the link operations.
  static constexpr uint16_t kOne[1] = {1};
  c.num_vf_netdevs = 1;
  c.vf_netdevs = kOne;
  SnicHostOps ops = host.ops();
  ops.link_send = nullptr;
  char err[256] = {};
  CorePtr core(snic_core_new(&c, &ops, host.opaque(), err, sizeof(err)));
  EXPECT_FALSE(core);
  EXPECT_NE(std::string(err).find("link_send"), std::string::npos);
}

}  // namespace
}  // namespace snic::testing
