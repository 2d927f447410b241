// Unit tests: the embedded switch (issue 4) end to end through the C ABI:
// ports, unicast / unknown unicast / broadcast / multicast forwarding, RX
// modes, port VLANs, drops under load, disabled VFs, the uplink port.
// The switch's decisions alone are table tests in switch_test.cc (a row
// per behaviour here, named after the test).
// SPDX-License-Identifier: GPL-2.0-or-later
#include <random>

#include "fakes/switch_fixture.h"

namespace snic::testing {
namespace {

class Veb : public SwitchBed {};

TEST_F(Veb, UnicastHitGoesToTheOwnerOnly) {
  Start(3);
  const auto f = Frame(vf(2).mac(), vf(0).mac());
  vf(0).Send(f);
  bed_.RunAll();
  EXPECT_EQ(vf(2).Received(), Frames{f});
  EXPECT_TRUE(pf().Received().empty());
  EXPECT_TRUE(vf(0).Received().empty());
  EXPECT_TRUE(vf(1).Received().empty());
  EXPECT_TRUE(UplinkOut().empty());
  // Uplink -> owner only.
  const auto g = Frame(vf(1).mac(), kRemote);
  FromUplink(g);
  EXPECT_EQ(vf(1).Received(), Frames{g});
  EXPECT_TRUE(pf().Received().empty());
  EXPECT_TRUE(vf(2).Received().empty());
}

TEST_F(Veb, UnknownUnicastFloodsToUplinkAndPromiscPorts) {
  Start(2);
  ASSERT_EQ(pf().Rx(kRxPromisc, true), kCtrlOk);  // the PF is trusted
  const auto f = Frame(kRemote, vf(0).mac());
  vf(0).Send(f);
  bed_.RunAll();
  EXPECT_EQ(UplinkOut(), Frames{f});
  EXPECT_EQ(pf().Received(), Frames{f});
  EXPECT_TRUE(vf(1).Received().empty());
  EXPECT_TRUE(vf(0).Received().empty());  // no hairpin, even promisc
  // A known destination is not flooded to the uplink, but the promisc PF
  // still gets a copy.
  const auto g = Frame(vf(1).mac(), vf(0).mac());
  vf(0).Send(g);
  bed_.RunAll();
  EXPECT_TRUE(UplinkOut().empty());
  EXPECT_EQ(vf(1).Received(), Frames{g});
  EXPECT_EQ(pf().Received(), Frames{g});
}

TEST_F(Veb, AlluniTrustedVfGetsUnknownUnicast) {
  Start(2);
  SetTrust(1, true);
  ASSERT_EQ(vf(1).Rx(kRxAlluni, true), kCtrlOk);
  const auto f = Frame(kRemote, pf().mac());
  pf().Send(f);
  bed_.RunAll();
  EXPECT_EQ(vf(1).Received(), Frames{f});
  EXPECT_TRUE(vf(0).Received().empty());
  EXPECT_EQ(UplinkOut(), Frames{f});
}

TEST_F(Veb, BroadcastReplicatedToEveryOtherPortAndUplink) {
  Start(3);
  const auto f = Frame(kBroadcast, vf(1).mac(), 46, 0x0806);
  vf(1).Send(f);
  bed_.RunAll();
  EXPECT_EQ(pf().Received(), Frames{f});
  EXPECT_EQ(vf(0).Received(), Frames{f});
  EXPECT_EQ(vf(2).Received(), Frames{f});
  EXPECT_TRUE(vf(1).Received().empty());
  EXPECT_EQ(UplinkOut(), Frames{f});
  // From the uplink: every function, nothing back out.
  FromUplink(f);
  for (SnicFn fn = 0; fn <= 3; ++fn) {
    EXPECT_EQ(ports_[fn]->Received().size(), 1u) << fn;
  }
  EXPECT_TRUE(UplinkOut().empty());
}

TEST_F(Veb, MulticastFollowsEachPortsRxMode) {
  Start(3);
  // VF 0: ALLMULTI off, group in its table. VF 1: ALLMULTI off, no table.
  // VF 2: trusted, reset state (ALLMULTI on). Turning ALLMULTI off needs
  // no trust. (An untrusted VF in reset state gets only listed groups:
  // policy_test.cc, UntrustedMulticastIsItsTableOnly.)
  SetTrust(2, true);
  ASSERT_EQ(vf(0).Rx(kRxAllmulti, false), kCtrlOk);
  ASSERT_EQ(
      vf(0).drv().Control(kClassMac, kMacTableSet, MacTableData({}, {kGroup})),
      kCtrlOk);
  ASSERT_EQ(vf(1).Rx(kRxAllmulti, false), kCtrlOk);
  const auto f = Frame(kGroup, pf().mac());
  pf().Send(f);
  bed_.RunAll();
  EXPECT_EQ(vf(0).Received(), Frames{f});
  EXPECT_TRUE(vf(1).Received().empty());
  EXPECT_EQ(vf(2).Received(), Frames{f});
  EXPECT_TRUE(pf().Received().empty());
  EXPECT_EQ(UplinkOut(), Frames{f});
}

TEST_F(Veb, RxModesFilterPerPort) {
  Start(2);
  ASSERT_EQ(vf(0).Rx(kRxNobcast, true), kCtrlOk);
  ASSERT_EQ(vf(1).Rx(kRxNouni, true), kCtrlOk);
  FromUplink(Frame(kBroadcast, kRemote));
  EXPECT_TRUE(vf(0).Received().empty());
  EXPECT_EQ(vf(1).Received().size(), 1u);
  FromUplink(Frame(vf(1).mac(), kRemote));
  EXPECT_TRUE(vf(1).Received().empty());
  SnicStats s{};
  snic_core_get_stats(core(), vf(1).fn(), &s);
  EXPECT_EQ(s.rx_drop_filtered, 1u);
}

TEST_F(Veb, NoHairpinForUnicastToOwnMac) {
  Start(1);
  const auto f = Frame(vf(0).mac(), vf(0).mac());
  vf(0).Send(f);
  bed_.RunAll();
  EXPECT_TRUE(vf(0).Received().empty());
  // Not a port of its own: the frame is unknown unicast from its view.
  EXPECT_EQ(UplinkOut(), Frames{f});
}

TEST_F(Veb, PortVlansIsolateAndTagOnTrunks) {
  Start(4);
  SetVlan(0, 10, 5);
  SetVlan(1, 20);
  SetVlan(2, 10, 5);
  // VF 3 and the PF have no port VLAN: trunks, with their guest VLAN
  // filter (CTRL_VLAN) open for VLAN 10 only.
  ASSERT_EQ(pf().AddVlan(10), kCtrlOk);
  ASSERT_EQ(vf(3).AddVlan(10), kCtrlOk);
  const auto f = Frame(kBroadcast, vf(0).mac(), 46, 0x0806);
  vf(0).Send(f);
  bed_.RunAll();
  const auto tagged = Tagged(f, 10, 5);
  EXPECT_EQ(vf(2).Received(), Frames{f});  // same VLAN: untagged
  EXPECT_TRUE(vf(1).Received().empty());   // other VLAN: never
  EXPECT_EQ(pf().Received(), Frames{tagged});
  EXPECT_EQ(vf(3).Received(), Frames{tagged});
  EXPECT_EQ(UplinkOut(), Frames{tagged});

  // Unicast to a VF of another VLAN: that VF is not there, so it is
  // unknown unicast of VLAN 20, tagged on the uplink.
  const auto u = Frame(vf(0).mac(), vf(1).mac());
  vf(1).Send(u);
  bed_.RunAll();
  EXPECT_TRUE(vf(0).Received().empty());
  EXPECT_TRUE(pf().Received().empty());  // its VLAN filter lacks 20
  EXPECT_EQ(UplinkOut(), Frames{Tagged(u, 20)});

  // Same VLAN: plain unicast, untagged both ways.
  const auto v = Frame(vf(2).mac(), vf(0).mac());
  vf(0).Send(v);
  bed_.RunAll();
  EXPECT_EQ(vf(2).Received(), Frames{v});
  EXPECT_TRUE(UplinkOut().empty());
}

TEST_F(Veb, UplinkVlanTrafficReachesOnlyItsVlanStripped) {
  Start(3);
  SetVlan(0, 10);
  SetVlan(1, 20);
  ASSERT_EQ(pf().AddVlan(10), kCtrlOk);
  ASSERT_EQ(vf(2).AddVlan(10), kCtrlOk);
  const auto t10 = TaggedFrame(kBroadcast, kRemote, 10, 3);
  FromUplink(t10);
  EXPECT_EQ(vf(0).Received(), Frames{Untagged(t10)});
  EXPECT_TRUE(vf(1).Received().empty());
  EXPECT_EQ(vf(2).Received(), Frames{t10});  // trunk: as on the wire
  EXPECT_EQ(pf().Received(), Frames{t10});
  // Untagged traffic is not in any port VLAN.
  FromUplink(Frame(kBroadcast, kRemote));
  EXPECT_TRUE(vf(0).Received().empty());
  EXPECT_TRUE(vf(1).Received().empty());
  EXPECT_EQ(pf().Received().size(), 1u);
  // Unicast tagged with VF 1's VLAN to VF 1's MAC.
  const auto u20 = TaggedFrame(vf(1).mac(), kRemote, 20);
  FromUplink(u20);
  EXPECT_EQ(vf(1).Received(), Frames{Untagged(u20)});
  // VF 0's MAC in the wrong VLAN: not delivered.
  FromUplink(TaggedFrame(vf(0).mac(), kRemote, 20));
  EXPECT_TRUE(vf(0).Received().empty());
}

TEST_F(Veb, PortVlanVfCannotSendTagged) {
  Start(2);
  SetVlan(0, 10);
  vf(0).Send(TaggedFrame(kRemote, vf(0).mac(), 10));
  vf(0).Send(TaggedFrame(kBroadcast, vf(0).mac(), 30));
  bed_.RunAll();
  EXPECT_TRUE(UplinkOut().empty());
  EXPECT_TRUE(vf(1).Received().empty());
  SnicStats s{};
  snic_core_get_stats(core(), vf(0).fn(), &s);
  EXPECT_EQ(s.tx_drop_vlan, 2u);
  EXPECT_EQ(s.tx_drop_policy, 2u);
  EXPECT_EQ(s.tx_packets, 2u);  // taken from the ring, then dropped
  // A VF without port VLAN may send tagged frames (trunk) of the VLANs
  // it registered (VLAN anti-spoof for untrusted VFs).
  const auto t = TaggedFrame(kRemote, vf(1).mac(), 30);
  ASSERT_EQ(vf(1).AddVlan(30), kCtrlOk);
  vf(1).Send(t);
  bed_.RunAll();
  EXPECT_EQ(UplinkOut(), Frames{t});
}

TEST_F(Veb, VlanChangeTakesEffectOnNextFrame) {
  Start(2);
  const auto f = Frame(kBroadcast, vf(0).mac());
  vf(0).Send(f);
  bed_.RunAll();
  EXPECT_EQ(vf(1).Received().size(), 1u);
  SetVlan(0, 7);
  vf(0).Send(f);
  bed_.RunAll();
  EXPECT_TRUE(vf(1).Received().empty());  // guest VLAN filter: no 7 yet
  ASSERT_EQ(vf(1).AddVlan(7), kCtrlOk);
  vf(0).Send(f);
  bed_.RunAll();
  EXPECT_EQ(vf(1).Received(), Frames{Tagged(f, 7)});
  SetVlan(1, 7);
  vf(0).Send(f);
  bed_.RunAll();
  EXPECT_EQ(vf(1).Received(), Frames{f});
}

// Many frames to a port without RX buffers: the sender waits for it at
// most 10 ms (backpressure_test.cc), then each is dropped and counted
// there, the sender's ring drains, other ports keep receiving.
TEST_F(Veb, FloodToPortWithoutBuffersIsBoundedAndIsolated) {
  Start(2, /*post=*/false);
  pf().Post(64);
  int sent = 0;
  vf(0).Send(Frame(vf(1).mac(), vf(0).mac()));
  sent++;
  bed_.RunAll();
  bed_.host.now = bed_.host.timer_deadline;
  snic_core_timer(core());
  bed_.RunAll();
  while (vf(0).drv().tx().GetUsed()) {
  }
  // 2 descriptors per frame in a 64-entry ring: 25 + 1 frames per round.
  for (int round = 0; round < 40; ++round) {
    for (int i = 0; i < 25; ++i, ++sent) {
      vf(0).Send(Frame(vf(1).mac(), vf(0).mac()));
    }
    vf(0).Send(Frame(pf().mac(), vf(0).mac()));
    bed_.RunAll();
    while (vf(0).drv().tx().GetUsed()) {
    }
    EXPECT_EQ(pf().Received().size(), 1u) << round;
    pf().Post(1);
  }
  SnicStats s{};
  snic_core_get_stats(core(), vf(1).fn(), &s);
  EXPECT_EQ(s.rx_drop_no_buffers, uint64_t(sent));
  EXPECT_EQ(s.rx_packets, 0u);
  EXPECT_TRUE(UplinkOut().empty());
  EXPECT_FALSE(snic_core_run(core()));
}

// From the uplink: the single-destination hold is bounded (10 ms), then
// frames for the starving port are dropped without stalling the others.
TEST_F(Veb, UplinkFloodToStarvingPortIsBounded) {
  Start(2, /*post=*/false);
  pf().Post(8);
  const auto f = Frame(vf(1).mac(), kRemote);
  EXPECT_EQ(snic_core_uplink_receive(core(), f.data(), f.size()), 0u);
  EXPECT_FALSE(snic_core_uplink_can_receive(core()));
  bed_.host.now = bed_.host.timer_deadline;
  snic_core_timer(core());
  EXPECT_TRUE(snic_core_uplink_can_receive(core()));
  for (int i = 0; i < 1000; ++i) FromUplink(f);
  FromUplink(Frame(pf().mac(), kRemote));
  EXPECT_EQ(pf().Received().size(), 1u);
  SnicStats s{};
  snic_core_get_stats(core(), vf(1).fn(), &s);
  EXPECT_EQ(s.rx_drop_no_buffers, 1000u);
  EXPECT_EQ(Uplink().rx_drop_no_buffers, 1000u);
  EXPECT_TRUE(snic_core_uplink_can_receive(core()));
}

TEST_F(Veb, DisabledVfIsNotAPort) {
  Start(3);
  const auto vf2 = vf(2).mac();
  snic_core_set_num_vfs(core(), 2);  // VF 2 disabled
  pf().Send(Frame(kBroadcast, pf().mac()));
  pf().Send(Frame(vf2, pf().mac()));
  bed_.RunAll();
  EXPECT_TRUE(vf(2).Received().empty());
  EXPECT_EQ(vf(0).Received().size(), 1u);
  EXPECT_EQ(UplinkOut().size(), 2u);  // broadcast and the unknown unicast
  FromUplink(Frame(vf2, kRemote));
  EXPECT_TRUE(vf(2).Received().empty());
  EXPECT_EQ(Uplink().rx_drop_unclaimed, 1u);  // nobody took it
}

TEST_F(Veb, NeedsResetVfIsNotAPort) {
  Start(2);
  // Break VF 0: avail idx far beyond the ring.
  vf(0).drv().tx().SetAvailIdx(999);
  vf(0).drv().tx().Kick();
  bed_.RunAll();
  ASSERT_TRUE(vf(0).drv().status() & kNeedsReset);
  pf().Send(Frame(kBroadcast, pf().mac()));
  bed_.RunAll();
  EXPECT_TRUE(vf(0).Received().empty());
  EXPECT_EQ(vf(1).Received().size(), 1u);
}

// While the netdev is busy (it queued a frame), frames that must go out
// of the uplink wait in their ring, whole (not even their local copies
// are delivered); frames between functions do not wait for it.
TEST_F(Veb, UplinkBusyHoldsOnlyFramesForTheUplink) {
  Start(1);
  bed_.host.uplink_accepts = false;
  pf().Send(Frame(kRemote, pf().mac()));     // queued by the netdev
  pf().Send(Frame(vf(0).mac(), pf().mac()));  // local: goes at once
  pf().Send(Frame(kBroadcast, pf().mac()));  // needs the uplink: waits
  pf().Send(Frame(vf(0).mac(), pf().mac()));  // behind it in the ring
  EXPECT_FALSE(snic_core_run(core()));
  EXPECT_EQ(UplinkOut().size(), 1u);
  EXPECT_EQ(vf(0).Received().size(), 1u);
  EXPECT_EQ(pf().drv().tx().used_idx(), 2u);
  bed_.host.uplink_accepts = true;
  snic_core_uplink_send_done(core());
  bed_.RunAll();
  EXPECT_EQ(UplinkOut().size(), 1u);
  EXPECT_EQ(vf(0).Received().size(), 2u);
  EXPECT_EQ(pf().drv().tx().used_idx(), 4u);
}

TEST_F(Veb, UplinkPortCounters) {
  Start(1);
  pf().Send(Frame(kRemote, pf().mac(), 100));
  bed_.RunAll();
  FromUplink(Frame(vf(0).mac(), kRemote, 200));
  FromUplink(Frame(kOther, kRemote, 50));  // nobody
  const uint8_t runt[8] = {};
  snic_core_uplink_receive(core(), runt, sizeof(runt));
  SnicUplinkStats s = Uplink();
  EXPECT_EQ(s.tx_packets, 1u);
  EXPECT_EQ(s.tx_bytes, 114u);
  EXPECT_EQ(s.rx_packets, 2u);
  EXPECT_EQ(s.rx_bytes, 214u + 64u);
  EXPECT_EQ(s.rx_drop_unclaimed, 1u);
  EXPECT_EQ(s.rx_drop_malformed, 1u);
  // Uplink link down: nothing goes out, counted.
  snic_core_set_uplink_link(core(), false);
  pf().Send(Frame(kRemote, pf().mac()));
  bed_.RunAll();
  EXPECT_EQ(UplinkOut().size(), 1u);  // only the first one
  EXPECT_EQ(Uplink().tx_drop_link_down, 1u);
}

TEST_F(Veb, DeferredUplinkFrameCountedOnce) {
  Start(1, /*post=*/false);
  const auto f = Frame(vf(0).mac(), kRemote);
  EXPECT_EQ(snic_core_uplink_receive(core(), f.data(), f.size()), 0u);
  vf(0).Post(1);
  FromUplink(f);
  EXPECT_EQ(Uplink().rx_packets, 1u);
  EXPECT_EQ(vf(0).Received().size(), 1u);
}

// Random frames (short, tagged, double-tagged, any destination) from every
// port under random port VLANs, trust and link states: nothing crashes
// (run under ASan/UBSan), every TX chain is returned, and the counters add
// up.
TEST_F(Veb, RandomTrafficUnderRandomPolicies) {
  Start(4);
  std::mt19937 rng(42);
  const std::array<uint8_t, 6> dsts[] = {pf().mac(),  vf(0).mac(), vf(1).mac(),
                                         vf(2).mac(), vf(3).mac(), kBroadcast,
                                         kGroup,      kRemote,     kOther};
  const uint16_t types[] = {0x0800, 0x0806, 0x8100, 0x88a8, 0x86dd};
  uint64_t from_uplink = 0;
  for (int round = 0; round < 200; ++round) {
    const uint16_t v = uint16_t(rng() % 4);
    SnicVfPolicy p = Policy(v);
    p.vlan = uint16_t(rng() % 3 * 5);  // 0, 5 or 10
    p.qos = p.vlan ? uint8_t(rng() % 8) : 0;
    p.trust = rng() % 2;
    p.spoofchk = rng() % 2;
    p.link_state = uint8_t(rng() % 3);
    SetPolicy(v, p);
    for (int i = 0; i < 8; ++i) {
      std::vector<uint8_t> f =
          Frame(dsts[rng() % 9], ports_[rng() % 5]->mac(), rng() % 80,
                types[rng() % 5], uint8_t(rng()));
      if (rng() % 4 == 0) f.resize(14 + rng() % 6);  // runt tags
      if (rng() % 2) {
        ports_[rng() % 5]->Send(f);
      } else {
        FromUplink(f);
        from_uplink++;
      }
    }
    bed_.RunAll();
    for (auto& port : ports_) {
      port->Received();
      while (port->drv().tx().GetUsed()) {
      }
      port->Post(8);
    }
    UplinkOut();
  }
  EXPECT_EQ(Uplink().rx_packets, from_uplink);
  for (SnicFn fn = 0; fn <= 4; ++fn) {
    const SnicStats s = bed_.Stats(fn);
    EXPECT_EQ(s.tx_drop_policy,
              s.tx_drop_spoof + s.tx_drop_vlan + s.tx_drop_link_down)
        << fn;
    EXPECT_EQ(s.needs_reset, 0u) << fn;
    EXPECT_EQ(ports_[fn]->drv().tx().used_idx(),
              ports_[fn]->drv().tx().avail_idx())
        << fn;
  }
}

}  // namespace
}  // namespace snic::testing
