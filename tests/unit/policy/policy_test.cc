// Unit tests: host-administered per-VF policy (issue 5) through the C ABI:
// validation and storage, startup spec parsing, spoof check, trust, link
// state, max-tx-rate, and the counters each one feeds.
// SPDX-License-Identifier: GPL-2.0-or-later
#include <string>

#include "fakes/switch_fixture.h"

namespace snic::testing {
namespace {

class VfAdmin : public SwitchBed {
 protected:
  SnicStats Stats(SnicFn fn) { return bed_.Stats(fn); }
  // set_vf_policy's error, or "" when accepted.
  std::string TrySet(uint16_t vf, const SnicVfPolicy& p) {
    char err[256] = {};
    if (snic_core_set_vf_policy(core(), vf, &p, err, sizeof(err))) return "";
    EXPECT_NE(err[0], '\0');
    return err;
  }
  std::string Spec(const char* setting, const char* spec) {
    char err[256] = {};
    if (snic_core_apply_vf_spec(core(), setting, spec, err, sizeof(err))) {
      return "";
    }
    EXPECT_NE(err[0], '\0');
    return err;
  }
  uint16_t NetStatus(Port& p) {
    return uint16_t(p.drv().Read(kRegionDevice, 6, 2));
  }
  uint8_t Generation(Port& p) { return uint8_t(p.drv().Common(kGen, 1)); }
};

// ---- storage and validation ----

TEST_F(VfAdmin, Defaults) {
  snic_core_set_num_vfs(core(), 4);
  const SnicVfPolicy p = Policy(2);
  EXPECT_TRUE(p.spoofchk);
  EXPECT_FALSE(p.trust);
  EXPECT_EQ(p.link_state, SNIC_LINK_AUTO);
  EXPECT_EQ(p.vlan, 0u);
  EXPECT_EQ(p.qos, 0u);
  EXPECT_EQ(p.max_tx_rate, 0u);
  std::array<uint8_t, 6> mac;
  std::memcpy(mac.data(), p.mac, 6);
  EXPECT_EQ(mac, MacOf(core(), 3));
  SnicVfPolicy q{};
  EXPECT_FALSE(snic_core_get_vf_policy(core(), 4, &q));  // total-vfs is 4
}

TEST_F(VfAdmin, ValidationMessagesAndNothingChangesOnError) {
  const SnicVfPolicy good = Policy(0);
  SnicVfPolicy p = good;
  p.vlan = 4095;
  EXPECT_EQ(TrySet(0, p), "vlan must be 0 (none) to 4094, not 4095");
  p = good;
  p.vlan = 5;
  p.qos = 8;
  EXPECT_EQ(TrySet(0, p), "qos must be 0 to 7, not 8");
  p = good;
  p.qos = 3;
  EXPECT_NE(TrySet(0, p).find("qos 3 needs a port VLAN"), std::string::npos);
  p = good;
  p.mac[0] = 0x01;
  EXPECT_NE(TrySet(0, p).find("mac must be a unicast address"),
            std::string::npos);
  p = good;
  std::memset(p.mac, 0, 6);
  EXPECT_NE(TrySet(0, p), "");
  p = good;
  p.link_state = 3;
  EXPECT_EQ(TrySet(0, p), "link-state must be auto, enable or disable");
  p = good;
  p.max_tx_rate = 400001;
  EXPECT_NE(TrySet(0, p).find("max-tx-rate must be 0 (unlimited) to 400000"),
            std::string::npos);
  EXPECT_EQ(TrySet(9, good), "VF 9 does not exist (total-vfs is 4)");
  const SnicVfPolicy after = Policy(0);
  EXPECT_EQ(std::memcmp(&after, &good, sizeof(after)), 0);
  // And a valid one sticks.
  p = good;
  p.vlan = 100;
  p.qos = 7;
  p.trust = true;
  p.spoofchk = false;
  p.link_state = SNIC_LINK_ENABLE;
  p.max_tx_rate = 1000;
  EXPECT_EQ(TrySet(0, p), "");
  const SnicVfPolicy q = Policy(0);
  EXPECT_EQ(std::memcmp(&q, &p, sizeof(q)), 0);
}

TEST_F(VfAdmin, MacTakesEffectAtNextReset) {
  Start(1);
  const std::array<uint8_t, 6> m = {0x02, 0x11, 0x22, 0x33, 0x44, 0x55};
  SnicVfPolicy p = Policy(0);
  std::memcpy(p.mac, m.data(), 6);
  SetPolicy(0, p);
  EXPECT_NE(MacOf(core(), 1), m);  // not until the VF resets
  EXPECT_EQ(std::memcmp(Policy(0).mac, m.data(), 6), 0);
  snic_core_reset_function(core(), 1);
  EXPECT_EQ(MacOf(core(), 1), m);
}

TEST_F(VfAdmin, RemovingTheVlanRemovesItsQos) {
  SnicVfPolicy p = Policy(1);
  p.vlan = 10;
  p.qos = 3;
  SetPolicy(1, p);
  p.vlan = 0;  // one property write, qos left as read
  EXPECT_EQ(TrySet(1, p), "");
  EXPECT_EQ(Policy(1).qos, 0u);
  EXPECT_EQ(Policy(1).vlan, 0u);
  // A qos without VLAN is still refused.
  p.qos = 2;
  EXPECT_NE(TrySet(1, p), "");
  // The spec too.
  EXPECT_EQ(Spec("vlan", "2=5"), "");
  EXPECT_EQ(Spec("qos", "2=4"), "");
  EXPECT_EQ(Spec("vlan", "2=0"), "");
  EXPECT_EQ(Policy(2).qos, 0u);
}

// ---- apply_vf_spec ----

TEST_F(VfAdmin, SpecGoodEntries) {
  EXPECT_EQ(Spec("vlan", "0=10/1=20"), "");
  EXPECT_EQ(Policy(0).vlan, 10u);
  EXPECT_EQ(Policy(1).vlan, 20u);
  EXPECT_EQ(Spec("qos", "1=6"), "");
  EXPECT_EQ(Policy(1).qos, 6u);
  EXPECT_EQ(Spec("spoofchk", "*=off/3=on"), "");
  EXPECT_FALSE(Policy(0).spoofchk);
  EXPECT_FALSE(Policy(2).spoofchk);
  EXPECT_TRUE(Policy(3).spoofchk);
  EXPECT_EQ(Spec("trust", "2=on"), "");
  EXPECT_TRUE(Policy(2).trust);
  EXPECT_EQ(Spec("link-state", "0=disable/1=enable/2=auto"), "");
  EXPECT_EQ(Policy(0).link_state, SNIC_LINK_DISABLE);
  EXPECT_EQ(Policy(1).link_state, SNIC_LINK_ENABLE);
  EXPECT_EQ(Spec("max-tx-rate", "3=250"), "");
  EXPECT_EQ(Policy(3).max_tx_rate, 250u);
  EXPECT_EQ(Spec("mac", "0=02:00:00:00:00:10/1=02:AB:cd:00:00:11"), "");
  const uint8_t m1[6] = {0x02, 0xab, 0xcd, 0x00, 0x00, 0x11};
  EXPECT_EQ(std::memcmp(Policy(1).mac, m1, 6), 0);
  EXPECT_EQ(Spec("vlan", ""), "");  // nothing to do
}

TEST_F(VfAdmin, SpecErrorsNameTheEntryAndChangeNothing) {
  EXPECT_EQ(Spec("vlan", "0=10/1=4095"),
            "'1=4095': vlan must be 0 (none) to 4094, not '4095'");
  EXPECT_EQ(Policy(0).vlan, 0u);  // all or nothing
  EXPECT_EQ(Spec("vlan", "0=10/9=20"),
            "'9=20': VF 9 does not exist (total-vfs is 4)");
  EXPECT_EQ(Policy(0).vlan, 0u);
  EXPECT_EQ(Spec("vlan", "0=10/x=20"),
            "'x=20': the VF must be a decimal number or '*'");
  EXPECT_EQ(Spec("vlan", "0=10/1"),
            "'1': expected N=VALUE, N a VF number or '*'");
  EXPECT_EQ(Spec("vlan", "0=ten"),
            "'0=ten': vlan must be 0 (none) to 4094, not 'ten'");
  EXPECT_EQ(Spec("vlan", "0=-1"),
            "'0=-1': vlan must be 0 (none) to 4094, not '-1'");
  EXPECT_EQ(Spec("vlan", "0=10//1=2"),
            "'': expected N=VALUE, N a VF number "
            "or '*'");
  EXPECT_EQ(Spec("spoofchk", "0=maybe"),
            "'0=maybe': spoofchk must be on or off, not 'maybe'");
  EXPECT_EQ(Spec("link-state", "0=up"),
            "'0=up': link-state must be auto, enable or disable, not 'up'");
  EXPECT_EQ(Spec("mac", "0=02:00:00:00:00"),
            "'0=02:00:00:00:00': mac '02:00:00:00:00' is not a MAC address "
            "(xx:xx:xx:xx:xx:xx)");
  EXPECT_EQ(Spec("mac", "0=01:00:5e:00:00:01"),
            "VF 0: mac must be a unicast address, not 01:00:5e:00:00:01");
  EXPECT_EQ(Spec("mac", "*=02:00:00:00:00:10"),
            "'*=02:00:00:00:00:10': one MAC cannot be given to every VF");
  EXPECT_NE(Spec("qos", "0=3").find("qos 3 needs a port VLAN"),
            std::string::npos);
  EXPECT_EQ(Spec("max-tx-rate", "0=99999999999"),
            "'0=99999999999': max-tx-rate must be a number of Mbit/s from 0 "
            "(unlimited) to 400000, not '99999999999'");
  EXPECT_NE(Spec("colour", "0=red").find("unknown VF setting 'colour'"),
            std::string::npos);
  for (uint16_t vf = 0; vf < 4; ++vf) {
    const SnicVfPolicy p = Policy(vf);
    EXPECT_EQ(p.vlan, 0u);
    EXPECT_EQ(p.qos, 0u);
    EXPECT_TRUE(p.spoofchk);
    EXPECT_EQ(p.link_state, SNIC_LINK_AUTO);
  }
}

TEST_F(VfAdmin, SpecLaterEntriesWin) {
  EXPECT_EQ(Spec("vlan", "*=5/2=6/*=7/3=8"), "");
  EXPECT_EQ(Policy(0).vlan, 7u);
  EXPECT_EQ(Policy(2).vlan, 7u);
  EXPECT_EQ(Policy(3).vlan, 8u);
}

// ---- spoofchk ----

TEST_F(VfAdmin, SpoofCheckDropsForeignSourceMac) {
  Start(2);
  vf(0).Send(Frame(kRemote, kOther));
  vf(0).Send(Frame(vf(1).mac(), pf().mac()));  // posing as the PF
  bed_.RunAll();
  EXPECT_TRUE(UplinkOut().empty());
  EXPECT_TRUE(vf(1).Received().empty());
  SnicStats s = Stats(vf(0).fn());
  EXPECT_EQ(s.tx_drop_spoof, 2u);
  EXPECT_EQ(s.tx_drop_policy, 2u);
  // Its own MAC passes.
  vf(0).Send(Frame(kRemote, vf(0).mac()));
  bed_.RunAll();
  EXPECT_EQ(UplinkOut().size(), 1u);
  // The PF is never spoof-checked.
  pf().Send(Frame(kRemote, kOther));
  bed_.RunAll();
  EXPECT_EQ(UplinkOut().size(), 1u);
}

TEST_F(VfAdmin, SpoofCheckOffAllowsAnySource) {
  Start(1);
  SnicVfPolicy p = Policy(0);
  p.spoofchk = false;
  SetPolicy(0, p);
  const auto f = Frame(kRemote, kOther);
  vf(0).Send(f);
  bed_.RunAll();
  EXPECT_EQ(UplinkOut(), Frames{f});
  EXPECT_EQ(Stats(vf(0).fn()).tx_drop_spoof, 0u);
}

TEST_F(VfAdmin, SpoofCheckFollowsTrustedMacChange) {
  Start(1);
  SetTrust(0, true);
  ASSERT_EQ(
      vf(0).drv().Control(kClassMac, kMacAddrSet,
                          std::vector<uint8_t>(kOther.begin(), kOther.end())),
      kCtrlOk);
  vf(0).Send(Frame(kRemote, kOther));
  bed_.RunAll();
  EXPECT_EQ(UplinkOut().size(), 1u);
}

// ---- trust ----

TEST_F(VfAdmin, UntrustedRequestsAreRefusedAndCounted) {
  Start(1);
  EXPECT_EQ(vf(0).Rx(kRxPromisc, true), kCtrlErr);
  EXPECT_EQ(vf(0).Rx(kRxAllmulti, true), kCtrlErr);
  EXPECT_EQ(vf(0).Rx(kRxAlluni, true), kCtrlErr);
  const std::vector<uint8_t> other(kOther.begin(), kOther.end());
  EXPECT_EQ(vf(0).drv().Control(kClassMac, kMacAddrSet, other), kCtrlErr);
  // Turning things off and setting the same MAC are fine.
  EXPECT_EQ(vf(0).Rx(kRxPromisc, false), kCtrlOk);
  EXPECT_EQ(vf(0).Rx(kRxAllmulti, false), kCtrlOk);
  const auto own = vf(0).mac();
  EXPECT_EQ(vf(0).drv().Control(kClassMac, kMacAddrSet,
                                std::vector<uint8_t>(own.begin(), own.end())),
            kCtrlOk);
  const SnicStats s = Stats(vf(0).fn());
  EXPECT_EQ(s.ctrl_refused_untrusted, 4u);
  EXPECT_EQ(s.ctrl_errors, 4u);
  EXPECT_EQ(s.guest_errors, 0u);  // policy, not a guest mistake
  EXPECT_EQ(MacOf(core(), vf(0).fn()), own);
  // Not promiscuous: unknown unicast does not reach it.
  FromUplink(Frame(kOther, kRemote));
  EXPECT_TRUE(vf(0).Received().empty());
}

TEST_F(VfAdmin, TrustedRequestsAreGranted) {
  Start(1);
  SetTrust(0, true);
  EXPECT_EQ(vf(0).Rx(kRxPromisc, true), kCtrlOk);
  FromUplink(Frame(kOther, kRemote));
  EXPECT_EQ(vf(0).Received().size(), 1u);
  const std::vector<uint8_t> other(kOther.begin(), kOther.end());
  EXPECT_EQ(vf(0).drv().Control(kClassMac, kMacAddrSet, other), kCtrlOk);
  EXPECT_EQ(MacOf(core(), vf(0).fn()), kOther);
  EXPECT_EQ(Stats(vf(0).fn()).ctrl_refused_untrusted, 0u);
}

TEST_F(VfAdmin, TrustOffEndsPromiscAtOnce) {
  Start(2);
  SetTrust(0, true);
  ASSERT_EQ(vf(0).Rx(kRxPromisc, true), kCtrlOk);
  ASSERT_EQ(vf(0).Rx(kRxAlluni, true), kCtrlOk);
  const auto f = Frame(vf(1).mac(), kRemote);
  FromUplink(f);
  EXPECT_EQ(vf(0).Received().size(), 1u);
  SetTrust(0, false);
  FromUplink(f);
  FromUplink(Frame(kOther, kRemote));
  EXPECT_TRUE(vf(0).Received().empty());
  EXPECT_EQ(vf(1).Received().size(), 2u);
  // Its own traffic and broadcast still arrive.
  FromUplink(Frame(vf(0).mac(), kRemote));
  FromUplink(Frame(kBroadcast, kRemote));
  EXPECT_EQ(vf(0).Received().size(), 2u);
  // And it cannot turn promisc back on.
  EXPECT_EQ(vf(0).Rx(kRxPromisc, true), kCtrlErr);
}

TEST_F(VfAdmin, UntrustedUnicastTableOverflowIsNotAlluni) {
  Start(2);
  std::vector<std::array<uint8_t, 6>> many;
  for (int i = 0; i < 65; ++i) {
    many.push_back({0x02, 0x00, 0x00, 0x00, 0x01, uint8_t(i)});
  }
  ASSERT_EQ(
      vf(0).drv().Control(kClassMac, kMacTableSet, MacTableData(many, {})),
      kCtrlOk);
  FromUplink(Frame(vf(1).mac(), kRemote));
  EXPECT_TRUE(vf(0).Received().empty());
  // An untrusted VF's unicast table counts for nothing (it neither
  // receives for those MACs nor takes them from the uplink); trusted, it
  // does.
  FromUplink(Frame(many[3], kRemote));
  EXPECT_TRUE(vf(0).Received().empty());
  SetTrust(0, true);
  FromUplink(Frame(many[3], kRemote));
  EXPECT_EQ(vf(0).Received().size(), 1u);
}

TEST_F(VfAdmin, UntrustedTableCannotClaimAnotherPortsMac) {
  Start(2);
  ASSERT_EQ(vf(0).drv().Control(kClassMac, kMacTableSet,
                                MacTableData({vf(1).mac(), pf().mac()}, {})),
            kCtrlOk);
  const auto f = Frame(vf(1).mac(), kRemote);
  FromUplink(f);
  pf().Send(Frame(vf(1).mac(), pf().mac()));
  vf(1).Send(Frame(pf().mac(), vf(1).mac()));
  bed_.RunAll();
  EXPECT_TRUE(vf(0).Received().empty());
  EXPECT_EQ(vf(1).Received().size(), 2u);
  EXPECT_EQ(pf().Received().size(), 1u);
  // Trusted, a table never takes another port's own MAC either, but an
  // address nobody owns is honoured (macvlan on a trusted VF).
  SetTrust(0, true);
  FromUplink(f);
  EXPECT_TRUE(vf(0).Received().empty());
  EXPECT_EQ(vf(1).Received().size(), 1u);
  ASSERT_EQ(
      vf(0).drv().Control(kClassMac, kMacTableSet, MacTableData({kOther}, {})),
      kCtrlOk);
  FromUplink(Frame(kOther, kRemote));
  EXPECT_EQ(vf(0).Received().size(), 1u);
}

// ---- link-state ----

TEST_F(VfAdmin, LinkStateDisableAndEnable) {
  Start(2);
  EXPECT_EQ(NetStatus(vf(0)) & 1, 1);
  const uint8_t gen = Generation(vf(0));
  bed_.host.msix.clear();
  SnicVfPolicy p = Policy(0);
  p.link_state = SNIC_LINK_DISABLE;
  SetPolicy(0, p);
  EXPECT_EQ(NetStatus(vf(0)) & 1, 0);
  EXPECT_NE(Generation(vf(0)), gen);
  // Config-change interrupt on the VF's config vector (0).
  ASSERT_EQ(bed_.host.msix.size(), 1u);
  EXPECT_EQ(bed_.host.msix[0], std::make_pair(vf(0).fn(), uint16_t{0}));
  // Traffic in and out is dropped and counted.
  vf(0).Send(Frame(kRemote, vf(0).mac()));
  vf(0).Send(Frame(vf(1).mac(), vf(0).mac()));
  bed_.RunAll();
  EXPECT_TRUE(UplinkOut().empty());
  EXPECT_TRUE(vf(1).Received().empty());
  FromUplink(Frame(vf(0).mac(), kRemote));
  pf().Send(Frame(vf(0).mac(), pf().mac()));
  bed_.RunAll();
  EXPECT_TRUE(vf(0).Received().empty());
  EXPECT_TRUE(UplinkOut().empty());  // owned, not flooded
  SnicStats s = Stats(vf(0).fn());
  EXPECT_EQ(s.tx_drop_link_down, 2u);
  EXPECT_EQ(s.tx_drop_policy, 2u);
  EXPECT_EQ(s.rx_drop_link_down, 2u);
  // Enabling again: up, interrupt, traffic flows.
  bed_.host.msix.clear();
  p.link_state = SNIC_LINK_ENABLE;
  SetPolicy(0, p);
  EXPECT_EQ(NetStatus(vf(0)) & 1, 1);
  EXPECT_EQ(bed_.host.msix.size(), 1u);
  FromUplink(Frame(vf(0).mac(), kRemote));
  EXPECT_EQ(vf(0).Received().size(), 1u);
  // No change, no interrupt.
  bed_.host.msix.clear();
  SetPolicy(0, p);
  EXPECT_TRUE(bed_.host.msix.empty());
}

TEST_F(VfAdmin, LinkStateAutoFollowsUplink) {
  Start(2);
  SnicVfPolicy p = Policy(1);
  p.link_state = SNIC_LINK_ENABLE;
  SetPolicy(1, p);
  bed_.host.msix.clear();
  snic_core_set_uplink_link(core(), false);
  EXPECT_EQ(NetStatus(vf(0)) & 1, 0);  // auto
  EXPECT_EQ(NetStatus(pf()) & 1, 0);
  EXPECT_EQ(NetStatus(vf(1)) & 1, 1);  // enable
  // PF and VF 0 got a config interrupt, VF 1 did not.
  EXPECT_EQ(bed_.host.msix.size(), 2u);
  for (const auto& [fn, vec] : bed_.host.msix) {
    EXPECT_NE(fn, vf(1).fn());
    EXPECT_EQ(vec, 0u);
  }
  // VF 1 still talks to the PF through the switch.
  const auto f = Frame(pf().mac(), vf(1).mac());
  vf(1).Send(f);
  bed_.RunAll();
  EXPECT_EQ(pf().Received(), Frames{f});
  snic_core_set_uplink_link(core(), true);
  EXPECT_EQ(NetStatus(vf(0)) & 1, 1);
}

// ---- max-tx-rate ----

class RateLimit : public VfAdmin {
 protected:
  // Keeps VF 0's TX ring full of @frame_len-byte frames and runs the
  // device as the main loop would (bottom half + core timer) on the fake
  // clock for @duration_ns. Returns the bytes that reached the uplink.
  uint64_t Drive(uint64_t duration_ns, size_t frame_len) {
    const auto f = Frame(kRemote, vf(0).mac(), frame_len - 14);
    // One header and one frame buffer, reused by every chain (the device
    // only reads them), so simulated seconds do not grow guest RAM.
    const uint64_t h = bed_.ram.Alloc(12, 16);
    const std::vector<uint8_t> zero(12, 0);
    bed_.ram.Put(h, zero.data(), zero.size());
    const uint64_t d = bed_.ram.Alloc(f.size(), 16);
    bed_.ram.Put(d, f.data(), f.size());
    DriverQueue& tx = vf(0).drv().tx();
    const uint64_t end = bed_.host.now + duration_ns;
    uint64_t bytes = 0;
    while (bed_.host.now < end) {
      while (tx.GetUsed()) {
      }
      while (tx.Add({{h, 12, false}, {d, uint32_t(f.size()), false}})) {
      }
      if (tx.KickNeeded()) tx.Kick();
      bed_.RunAll();
      for (const auto& out : UplinkOut()) bytes += out.size();
      // Waiting for tokens: nothing left to run until the timer.
      if (bed_.host.timer_deadline > bed_.host.now) {
        bed_.host.now = std::min(bed_.host.timer_deadline, end);
        snic_core_timer(core());
      } else {
        bed_.host.now += 1000;
      }
    }
    return bytes;
  }
  void SetRate(uint16_t vf, uint32_t mbps) {
    SnicVfPolicy p = Policy(vf);
    p.max_tx_rate = mbps;
    SetPolicy(vf, p);
  }
};

TEST_F(RateLimit, ExcessWaitsInTheRingAndResumesOnTimer) {
  Start(1);
  bed_.host.now = 1'000'000'000;
  SetRate(0, 2);  // 0.25 bytes/us; bucket 100 ms = 25000 bytes
  const auto f = Frame(kRemote, vf(0).mac(), 1500);  // 1514 bytes
  for (int i = 0; i < 30; ++i) vf(0).Send(f);
  EXPECT_FALSE(snic_core_run(core()));  // waiting is not "more work"
  const size_t first = UplinkOut().size();
  // 25000 / 1514 = 16.5: 17 frames (the last one into debt).
  EXPECT_EQ(first, 17u);
  EXPECT_EQ(Stats(vf(0).fn()).tx_rate_waits, 1u);
  // The rest are still in the ring, not dropped.
  EXPECT_EQ(vf(0).drv().tx().used_idx(), 17u);
  ASSERT_GT(bed_.host.timer_deadline, bed_.host.now);
  // Resumes at a tenth of the bucket: 738 bytes of debt + 2500 bytes at
  // 0.25 bytes/us = 12952 us.
  EXPECT_EQ(bed_.host.timer_deadline - bed_.host.now, 12'952'000u);
  // A doorbell while waiting does not send early.
  snic_core_run(core());
  EXPECT_TRUE(UplinkOut().empty());
  const int runs = bed_.host.runs_scheduled;
  bed_.host.now = bed_.host.timer_deadline;
  snic_core_timer(core());
  EXPECT_EQ(bed_.host.runs_scheduled, runs + 1);
  snic_core_run(core());
  // 2500 bytes of tokens: 2 frames (the 2nd into debt), a batch per wake.
  EXPECT_EQ(UplinkOut().size(), 2u);
  EXPECT_EQ(Stats(vf(0).fn()).tx_rate_waits, 2u);
  const SnicStats s = Stats(vf(0).fn());
  EXPECT_EQ(s.tx_drop_policy, 0u);
}

TEST_F(RateLimit, ThroughputMatchesRateOverSimulatedTime) {
  Start(1);
  for (uint32_t mbps : {10u, 100u, 1000u}) {
    bed_.host.now += 1'000'000'000;  // let the bucket refill in between
    SetRate(0, mbps);
    Drive(100'000'000, 1514);  // settle past the initial burst
    const uint64_t t0 = bed_.host.now;
    const uint64_t bytes = Drive(1'000'000'000, 1514);
    const double secs = double(bed_.host.now - t0) / 1e9;
    const double got_mbps = double(bytes) * 8 / 1e6 / secs;
    EXPECT_NEAR(got_mbps, mbps, mbps * 0.03) << mbps;
  }
  const SnicStats s = Stats(vf(0).fn());
  EXPECT_EQ(s.tx_drop_policy, 0u);
  EXPECT_EQ(s.tx_drop_malformed, 0u);
  EXPECT_GT(s.tx_rate_waits, 0u);
}

TEST_F(RateLimit, TenSecondRunWithinFifteenPercentIncludingBurst) {
  Start(1);
  SetRate(0, 50);
  const uint64_t t0 = bed_.host.now;
  const uint64_t bytes = Drive(10'000'000'000, 1514);
  const double got =
      double(bytes) * 8 / 1e6 / (double(bed_.host.now - t0) / 1e9);
  EXPECT_NEAR(got, 50.0, 50 * 0.15);
  EXPECT_NEAR(got, 50.0, 50 * 0.01);
  // Resumed in batches: about one timer wake-up per millisecond at most.
  const uint64_t waits = Stats(vf(0).fn()).tx_rate_waits;
  EXPECT_GT(waits, 100u);
  EXPECT_LE(waits, 10'050u);
}

TEST_F(RateLimit, OtherFunctionsAreNotSlowedAndUnlimitedResumes) {
  Start(2);
  SetRate(0, 2);
  for (int i = 0; i < 30; ++i) vf(0).Send(Frame(kRemote, vf(0).mac(), 1500));
  for (int i = 0; i < 30; ++i) vf(1).Send(Frame(kRemote, vf(1).mac(), 1500));
  bed_.RunAll();
  EXPECT_EQ(Stats(vf(1).fn()).tx_packets, 30u);
  EXPECT_LT(Stats(vf(0).fn()).tx_packets, 30u);
  // Removing the limit resumes at once, no timer needed.
  SetRate(0, 0);
  bed_.RunAll();
  EXPECT_EQ(Stats(vf(0).fn()).tx_packets, 30u);
}

TEST_F(RateLimit, SharesTheTimerWithTheUplinkHold) {
  Start(2, /*post=*/false);
  SetRate(0, 2);
  for (int i = 0; i < 30; ++i) vf(0).Send(Frame(kRemote, vf(0).mac(), 1500));
  bed_.RunAll();
  const uint64_t rate_deadline = bed_.host.timer_deadline;
  ASSERT_GT(rate_deadline, bed_.host.now + 10'000'000);
  // Uplink frame for VF 1 without buffers: hold for 10 ms, before the
  // rate deadline: the one timer moves to the earlier deadline.
  const auto g = Frame(vf(1).mac(), kRemote);
  EXPECT_EQ(snic_core_uplink_receive(core(), g.data(), g.size()), 0u);
  const uint64_t hold_deadline = bed_.host.now + 10'000'000;
  EXPECT_EQ(bed_.host.timer_deadline, hold_deadline);
  bed_.host.now = hold_deadline;
  snic_core_timer(core());
  EXPECT_TRUE(snic_core_uplink_can_receive(core()));  // hold expired
  // Re-armed for the rate deadline, still pending.
  EXPECT_EQ(bed_.host.timer_deadline, rate_deadline);
  EXPECT_EQ(UplinkOut().size(), 17u);
  bed_.host.now = rate_deadline;
  snic_core_timer(core());
  bed_.RunAll();
  EXPECT_EQ(UplinkOut().size(), 2u);
}

}  // namespace
}  // namespace snic::testing
