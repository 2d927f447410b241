// Regression tests for defects found in review, by fuzzing and with real
// guests (issue 8, "Why" 4 and 5): each asserts the safe behaviour at the
// lowest layer that reproduces the defect.
// SPDX-License-Identifier: GPL-2.0-or-later
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <random>
#include <set>
#include <string>

#include "fakes/switch_fixture.h"

namespace snic::testing {
namespace {

// A guest-physical address that is no RAM: BAR 0 of some function.
constexpr uint64_t kBar = 0x4000'0000;
constexpr uint64_t kBarStride = 0x10'0000;
constexpr uint64_t kStatusOff = 0x14;    // common cfg device_status
constexpr uint64_t kNotifyBase = 0x3000;  // notify region in BAR 0

const std::array<uint8_t, 6> kGateway = {0x52, 0x55, 0x0a, 0x00, 0x02, 0x02};

std::string eth_string(const std::array<uint8_t, 6>& m) {
  char b[18];
  std::snprintf(b, sizeof(b), "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2],
                m[3], m[4], m[5]);
  return b;
}

class Regression : public SwitchBed {
 protected:
  SnicStats Stats(SnicFn fn) { return bed_.Stats(fn); }
  uint16_t TxUsed(Port& p) { return p.drv().tx().used_idx(); }
  void SetTrustTable(Port& p, const std::vector<std::array<uint8_t, 6>>& uni,
                     const std::vector<std::array<uint8_t, 6>>& multi = {}) {
    ASSERT_EQ(p.drv().Control(kClassMac, kMacTableSet, MacTableData(uni, multi)),
              kCtrlOk);
  }
  // A BAR window for @fn at kBar + fn * kBarStride (as QEMU maps BARs).
  uint64_t MapBar(SnicFn fn) {
    const uint64_t base = kBar + fn * kBarStride;
    bed_.host.bar_windows.push_back({base, fn});
    return base;
  }
  uint8_t Status(Port& p) { return p.drv().status(); }
  // Runs the device as QEMU's main loop would for @ns of virtual time in
  // 1 ms steps: bottom half, then the timer when due; @each runs first in
  // every step.
  template <typename F>
  void RunFor(uint64_t ns, F&& each) {
    const uint64_t end = bed_.host.now + ns;
    while (bed_.host.now < end) {
      each();
      bed_.RunAll();
      bed_.host.now += 1'000'000;
      if (bed_.host.timer_deadline != 0 &&
          bed_.host.timer_deadline <= bed_.host.now) {
        snic_core_timer(core());
        bed_.RunAll();
      }
    }
  }
};

// ---- isolation -----------------------------------------------------------

// An untrusted VF put an off-box MAC (the gateway's) in its unicast table:
// unicast from the PF and the other VFs to it was delivered to that VF and
// never reached the uplink.
TEST_F(Regression, UntrustedTableCannotCaptureOffBoxMac) {
  Start(2);
  SetTrustTable(vf(0), {kGateway});
  const auto from_pf = Frame(kGateway, pf().mac());
  const auto from_vf = Frame(kGateway, vf(1).mac());
  pf().Send(from_pf);
  vf(1).Send(from_vf);
  bed_.RunAll();
  EXPECT_TRUE(vf(0).Received().empty());
  EXPECT_EQ(UplinkOut(), (Frames{from_pf, from_vf}));
  // From the uplink itself it is for nobody here either.
  FromUplink(Frame(kGateway, kRemote));
  EXPECT_TRUE(vf(0).Received().empty());
}

// Revoking trust took nothing away: the table still captured the MAC.
TEST_F(Regression, RevokingTrustEndsTableCaptureAtOnce) {
  Start(2);
  SetTrust(0, true);
  SetTrustTable(vf(0), {kGateway});
  pf().Send(Frame(kGateway, pf().mac()));
  bed_.RunAll();
  EXPECT_EQ(vf(0).Received().size(), 1u);  // trusted macvlan: its MAC
  EXPECT_TRUE(UplinkOut().empty());
  SetTrust(0, false);
  const auto f = Frame(kGateway, pf().mac());
  pf().Send(f);
  bed_.RunAll();
  EXPECT_TRUE(vf(0).Received().empty());
  EXPECT_EQ(UplinkOut(), Frames{f});
}

// A table entry naming another VF's MAC stole that VF's traffic while it
// was resetting (only running ports' MACs were protected).
TEST_F(Regression, TableCannotStealResettingVfTraffic) {
  Start(2);
  SetTrust(0, true);
  SetTrustTable(vf(0), {vf(1).mac()});
  const auto mac1 = vf(1).mac();
  vf(1).drv().set_status(0);  // VF 1's driver resets it
  pf().Send(Frame(mac1, pf().mac()));
  FromUplink(Frame(mac1, kRemote));
  bed_.RunAll();
  EXPECT_TRUE(vf(0).Received().empty());
  EXPECT_TRUE(UplinkOut().empty());  // a local MAC: does not leak out
  EXPECT_EQ(Stats(vf(1).fn()).rx_drop_no_buffers, 2u);
}

// Refusing ALLMULTI to an untrusted VF was undone by a MAC_TABLE_SET with
// more than 64 groups (overflow acted as ALLMULTI) and by a reset (whose
// state is ALLMULTI on). The rule: an untrusted VF that can program its
// filter receives the groups it listed (up to 64), nothing more.
TEST_F(Regression, UntrustedMulticastIsItsTableOnly) {
  Start(2);
  const std::array<uint8_t, 6> other = {0x01, 0x00, 0x5e, 0x00, 0x00, 0x99};
  // Reset state: ALLMULTI on, but untrusted: listed groups only (none).
  pf().Send(Frame(other, pf().mac()));
  bed_.RunAll();
  EXPECT_TRUE(vf(0).Received().empty());
  EXPECT_EQ(vf(0).Rx(kRxAllmulti, true), kCtrlErr);
  std::vector<std::array<uint8_t, 6>> many;
  for (int i = 0; i < 70; ++i) {
    many.push_back({0x01, 0x00, 0x5e, 0x01, 0x00, uint8_t(i)});
  }
  SetTrustTable(vf(0), {}, many);
  EXPECT_EQ(Stats(vf(0).fn()).mac_table_overflows, 1u);
  pf().Send(Frame(other, pf().mac()));     // not listed
  pf().Send(Frame(many[5], pf().mac()));   // listed
  pf().Send(Frame(many[69], pf().mac()));  // beyond the 64 kept
  bed_.RunAll();
  EXPECT_EQ(vf(0).Received(), Frames{Frame(many[5], pf().mac())});
  // Broadcast is always received.
  pf().Send(Frame(kBroadcast, pf().mac()));
  bed_.RunAll();
  EXPECT_EQ(vf(0).Received().size(), 1u);
  // Trusted, the overflow means all groups, as ALLMULTI.
  SetTrust(0, true);
  pf().Send(Frame(other, pf().mac()));
  bed_.RunAll();
  EXPECT_EQ(vf(0).Received().size(), 1u);
}

// A VF without a port VLAN sent 802.1Q frames with any VID, reaching
// access-port VFs of that VLAN.
TEST_F(Regression, VlanAntiSpoofLimitsUntrustedTxToItsVlanFilter) {
  Start(2);
  SetVlan(1, 10);  // VF 1: access port of VLAN 10
  const auto t = TaggedFrame(vf(1).mac(), vf(0).mac(), 10);
  vf(0).Send(t);
  bed_.RunAll();
  EXPECT_TRUE(vf(1).Received().empty());
  EXPECT_TRUE(UplinkOut().empty());
  EXPECT_EQ(Stats(vf(0).fn()).tx_drop_vlan, 1u);
  // Registered in its VLAN filter (ip link add ... type vlan id 10): ok.
  ASSERT_EQ(vf(0).AddVlan(10), kCtrlOk);
  vf(0).Send(t);
  bed_.RunAll();
  EXPECT_EQ(vf(1).Received(), Frames{Untagged(t)});
  // Priority tags (VID 0) are not VLANs.
  const auto prio = TaggedFrame(kRemote, vf(0).mac(), 0, 5);
  vf(0).Send(prio);
  bed_.RunAll();
  EXPECT_EQ(UplinkOut(), Frames{prio});
  // 802.1ad service tags from an untrusted VF: dropped.
  auto qinq = TaggedFrame(kRemote, vf(0).mac(), 10);
  qinq[12] = 0x88;
  qinq[13] = 0xa8;
  vf(0).Send(qinq);
  bed_.RunAll();
  EXPECT_TRUE(UplinkOut().empty());
  // Trusted: any VID.
  SetTrust(0, true);
  const auto any = TaggedFrame(kRemote, vf(0).mac(), 77);
  vf(0).Send(any);
  bed_.RunAll();
  EXPECT_EQ(UplinkOut(), Frames{any});
}

// The host could give two functions the same MAC.
TEST_F(Regression, HostCannotGiveTwoFunctionsOneMac) {
  Start(2);
  char err[256] = {};
  const std::string pf_mac = eth_string(pf().mac());
  EXPECT_FALSE(snic_core_set_vf_setting(core(), 0, "mac", pf_mac.c_str(), err,
                                        sizeof(err)));
  EXPECT_NE(std::string(err).find("already used by the PF"), std::string::npos)
      << err;
  const std::string vf1_mac = eth_string(vf(1).mac());
  EXPECT_FALSE(snic_core_set_vf_setting(core(), 0, "mac", vf1_mac.c_str(), err,
                                        sizeof(err)));
  EXPECT_NE(std::string(err).find("already used by VF 1"), std::string::npos)
      << err;
  // A startup spec giving two VFs one MAC fails as a whole.
  EXPECT_FALSE(snic_core_apply_vf_spec(
      core(), "mac", "0=02:00:00:00:00:10/1=02:00:00:00:00:10", err,
      sizeof(err)));
  EXPECT_NE(std::string(err).find("already used"), std::string::npos) << err;
  SnicVfPolicy p0 = Policy(0);
  EXPECT_NE(p0.mac[5], 0x10);  // nothing changed
  // The guest cannot either: a trusted VF's MAC_ADDR_SET to another VF's MAC.
  SetTrust(0, true);
  const auto m1 = vf(1).mac();
  EXPECT_EQ(vf(0).drv().Control(kClassMac, kMacAddrSet,
                                std::vector<uint8_t>(m1.begin(), m1.end())),
            kCtrlErr);
  EXPECT_NE(vf(0).mac(), m1);
}

// ---- cross-VF hang ---------------------------------------------------------

// A VF that rang its RX doorbell without posting buffers, more often than
// every 10 ms, held another VF's TX ring forever: each doorbell released
// the hold and the retry held again with a fresh deadline.
TEST_F(Regression, EmptyRxDoorbellsCannotHoldAnotherVfForever) {
  Start(2, /*post=*/false);
  vf(1).Post(32);
  pf().Post(32);
  bed_.host.now = 1'000'000'000;
  for (int i = 0; i < 20; ++i) vf(1).Send(Frame(vf(0).mac(), vf(1).mac()));
  uint64_t last_progress = bed_.host.now;
  uint16_t used = 0;
  uint64_t longest = 0;
  RunFor(100'000'000, [&] {
    vf(0).drv().rx().Kick();  // doorbell, nothing posted
    if (TxUsed(vf(1)) != used || TxUsed(vf(1)) == 20) {
      used = TxUsed(vf(1));
      last_progress = bed_.host.now;
    }
    longest = std::max(longest, bed_.host.now - last_progress);
  });
  EXPECT_EQ(TxUsed(vf(1)), 20u);       // every frame went (dropped)
  EXPECT_LE(longest, kHoldNs + 1'000'000);  // each waited at most ~10 ms
  EXPECT_EQ(Stats(vf(0).fn()).rx_drop_no_buffers, 20u);
  // Once it posts real buffers, it receives again.
  vf(0).Post(4);
  const auto f = Frame(vf(0).mac(), vf(1).mac());
  vf(1).Send(f);
  bed_.RunAll();
  EXPECT_EQ(vf(0).Received(), Frames{f});
}

// The same trick kept the uplink throttled: nobody received from it.
TEST_F(Regression, EmptyRxDoorbellsCannotThrottleTheUplinkForever) {
  Start(2, /*post=*/false);
  vf(1).Post(32);
  bed_.host.now = 1'000'000'000;
  std::vector<std::vector<uint8_t>> backlog;
  for (int i = 0; i < 10; ++i) {
    backlog.push_back(Frame(vf(0).mac(), kRemote, 46, 0x0800, uint8_t(i)));
    backlog.push_back(Frame(vf(1).mac(), kRemote, 46, 0x0800, uint8_t(i)));
  }
  size_t next = 0;
  RunFor(300'000'000, [&] {
    vf(0).drv().rx().Kick();
    // QEMU offers the head of its queue whenever we can receive.
    while (next < backlog.size() && snic_core_uplink_can_receive(core())) {
      const auto& f = backlog[next];
      if (snic_core_uplink_receive(core(), f.data(), f.size()) == 0) break;
      next++;
    }
  });
  EXPECT_EQ(next, backlog.size());
  EXPECT_EQ(vf(1).Received().size(), 10u);
  EXPECT_EQ(Stats(vf(0).fn()).rx_drop_no_buffers, 10u);
}

// Every release path of a hold, in random interleavings of doorbells,
// timer callbacks, bottom halves and uplink frames on the fake clock: a
// held frame never waits longer than the deadline, and the timer is armed
// whenever something waits.
class HoldInterleavings : public Regression,
                          public ::testing::WithParamInterface<int> {};

TEST_P(HoldInterleavings, HoldsAlwaysEnd) {
  Start(3, /*post=*/false);
  bed_.host.timer_deadline = 0;
  std::mt19937 rng(GetParam());
  bed_.host.now = 1'000'000'000;
  uint16_t used = 0;
  uint64_t last_progress = bed_.host.now;
  uint64_t longest = 0;
  int queued = 0;
  for (int step = 0; step < 4000; ++step) {
    switch (rng() % 9) {
      case 0:
        vf(0).Send(Frame(vf(1 + rng() % 2).mac(), vf(0).mac()));
        queued = vf(0).drv().tx().avail_idx();  // a full ring takes none
        bed_.RunAll();  // the doorbell's bottom half
        break;
      case 1:
        vf(1 + rng() % 2).drv().rx().Kick();  // empty doorbell
        break;
      case 2:
        if (rng() % 4 == 0) vf(1 + rng() % 2).Post(1);
        break;
      case 3:
        bed_.RunAll();
        break;
      case 4: {
        const auto f = Frame(vf(1 + rng() % 2).mac(), kRemote);
        if (snic_core_uplink_can_receive(core())) {
          snic_core_uplink_receive(core(), f.data(), f.size());
        }
        break;
      }
      case 5:
        if (rng() % 50 == 0) {
          const uint16_t v = uint16_t(1 + rng() % 2);
          SnicVfPolicy p = Policy(v);
          p.link_state = rng() % 2 ? SNIC_LINK_DISABLE : SNIC_LINK_AUTO;
          SetPolicy(v, p);
        }
        break;
      case 6:
        if (rng() % 100 == 0) {
          snic_core_reset_function(core(), vf(1 + rng() % 2).fn());
        }
        break;
      default:
        bed_.host.now += rng() % 3'000'000;
        if (bed_.host.timer_deadline != 0 &&
            bed_.host.timer_deadline <= bed_.host.now) {
          bed_.host.timer_deadline = 0;  // fired: nothing pending
          snic_core_timer(core());
          bed_.RunAll();  // the bottom half it scheduled runs next
        }
        break;
    }
    // Drain what the destinations received, as their drivers would.
    for (int v = 1; v <= 2; ++v) vf(v).Received();
    if (TxUsed(vf(0)) != used || TxUsed(vf(0)) == queued) {
      used = TxUsed(vf(0));
      last_progress = bed_.host.now;
    }
    longest = std::max(longest, bed_.host.now - last_progress);
    // After the bottom half, whatever is left waits: a timer must be
    // pending that fires within the hold time.
    if (step % 9 == 3) bed_.RunAll();
    if (step % 9 == 3 && TxUsed(vf(0)) != queued) {
      ASSERT_NE(bed_.host.timer_deadline, 0u)
          << step << " queued " << queued << " used " << TxUsed(vf(0))
          << " holds " << Stats(vf(0).fn()).tx_holds << " avail "
          << vf(0).drv().tx().avail_idx() << " armed " << bed_.host.timers_armed
          << " now " << bed_.host.now;
      ASSERT_LE(bed_.host.timer_deadline, bed_.host.now + kHoldNs) << step;
    }
  }
  bed_.host.now += 2 * kHoldNs;
  snic_core_timer(core());
  bed_.RunAll();
  EXPECT_EQ(TxUsed(vf(0)), queued);
  EXPECT_LE(longest, kHoldNs + 3'000'000);
}

INSTANTIATE_TEST_SUITE_P(Seeds, HoldInterleavings, ::testing::Range(1, 41));

// ---- DMA re-entrancy -------------------------------------------------------

// A VF whose RX buffer started at its own device_status was reset in the
// middle of delivery; the core then wrote used.idx and a used element at
// guest address 0x2-0xc.
TEST_F(Regression, RxBufferAtOwnStatusRegisterIsRefused) {
  Start(1, /*post=*/false);
  const uint64_t bar = MapBar(vf(0).fn());
  bed_.host.record_dma_writes = true;
  vf(0).drv().rx().AddAndKick({{bar + kStatusOff, 64, true}});
  FromUplink(Frame(vf(0).mac(), kRemote));
  bed_.RunAll();
  // The access was refused (a guest error), the DMA failed, the function
  // is in NEEDS_RESET with its other status bits intact.
  EXPECT_EQ(Status(vf(0)), kAck | kDriver | kFeaturesOk | kDriverOk |
                               kNeedsReset);
  for (const auto& [fn, addr] : bed_.host.dma_writes) {
    EXPECT_GE(addr, 0x1000u) << "DMA write of fn " << fn << " at " << addr;
  }
  EXPECT_EQ(Stats(vf(0).fn()).needs_reset, 1u);
  // The rest of the device works.
  pf().Post(4);
  const auto f = Frame(pf().mac(), kRemote);
  FromUplink(f);
  EXPECT_EQ(pf().Received(), Frames{f});
}

// A VF's RX buffer aimed at a sibling's doorbell rang it: the sibling sent
// a frame nobody had kicked.
TEST_F(Regression, RxBufferAtSiblingDoorbellIsRefused) {
  Start(2, /*post=*/false);
  bed_.RunAll();  // DRIVER_OK's pick-up of queued TX is done
  const uint64_t bar1 = MapBar(vf(1).fn());
  // VF 1 has a frame queued but does not kick it (EVENT_IDX: the driver
  // may queue without kicking while the device works).
  auto& tx1 = vf(1).drv().tx();
  const auto held = Frame(kRemote, vf(1).mac());
  const uint64_t h = bed_.ram.Alloc(12, 16), d = bed_.ram.Alloc(held.size());
  bed_.ram.Put(h, std::vector<uint8_t>(12, 0).data(), 12);
  bed_.ram.Put(d, held.data(), held.size());
  tx1.Add({{h, 12, false}, {d, uint32_t(held.size()), false}});
  vf(0).drv().rx().AddAndKick({{bar1 + kNotifyBase + 4, 64, true}});
  FromUplink(Frame(vf(0).mac(), kRemote));
  bed_.RunAll();
  EXPECT_TRUE(UplinkOut().empty());
  EXPECT_EQ(tx1.used_idx(), 0u);
  EXPECT_TRUE(Status(vf(0)) & kNeedsReset);
  EXPECT_FALSE(Status(vf(1)) & kNeedsReset);
}

// A control command whose ack buffer is a sibling's device_status.
TEST_F(Regression, ControlAckAtSiblingRegisterIsRefused) {
  Start(2);
  const uint64_t bar1 = MapBar(vf(1).fn());
  auto& cq = vf(0).drv().ctrl();
  const uint64_t hdr = bed_.ram.Alloc(2, 16);
  const uint8_t cmd[2] = {kClassRx, kRxNobcast};
  bed_.ram.Put(hdr, cmd, 2);
  const uint64_t arg = bed_.ram.Alloc(1, 16);
  bed_.ram.Put<uint8_t>(arg, 0);
  cq.AddAndKick({{hdr, 2, false}, {arg, 1, false}, {bar1 + kStatusOff, 1, true}});
  EXPECT_TRUE(Status(vf(0)) & kNeedsReset);
  EXPECT_EQ(Status(vf(1)), kAck | kDriver | kFeaturesOk | kDriverOk);
}

// A frame the netdev delivered while the device was sending a broadcast
// (slirp answers synchronously) overwrote the switch decision being
// performed: the sender got its own broadcast, a VF and the uplink none.
TEST_F(Regression, SynchronousUplinkReplyDuringBroadcast) {
  Start(2);
  const auto reply = Frame(vf(0).mac(), kRemote);
  bool replied = false;
  bed_.host.on_send = [&](const std::vector<uint8_t>&) {
    if (!replied) {
      replied = true;
      EXPECT_EQ(snic_core_uplink_receive(core(), reply.data(), reply.size()),
                reply.size());
    }
  };
  const auto b = Frame(kBroadcast, vf(0).mac());
  vf(0).Send(b);
  bed_.RunAll();
  EXPECT_EQ(vf(0).Received(), Frames{reply});  // not its own broadcast
  EXPECT_EQ(vf(1).Received(), Frames{b});
  EXPECT_EQ(pf().Received(), Frames{b});
  EXPECT_EQ(UplinkOut(), Frames{b});
  EXPECT_EQ(Uplink().rx_packets, 1u);
}

// ---- robustness ------------------------------------------------------------

// Region numbers outside the layout were undefined behaviour in the core.
TEST_F(Regression, RegionOutOfRangeIsAGuestError) {
  Start(0);
  for (uint32_t r : {4u, 7u, 0x7fffffffu, 0xffffffffu}) {
    uint64_t v = 1;
    EXPECT_TRUE(snic_core_mmio_read(core(), 0, r, 0, 4, &v));
    EXPECT_EQ(v, 0u);
    EXPECT_TRUE(snic_core_mmio_write(core(), 0, r, 0, 0, 4));
  }
  EXPECT_EQ(bed_.host.TakeErrors().size(), 8u);
}

// A frame the netdev queued (backend busy) went out after its function had
// been reset.
TEST_F(Regression, QueuedUplinkFrameIsPurgedWhenItsFunctionResets) {
  Start(1);
  bed_.host.uplink_accepts = false;
  vf(0).Send(Frame(kRemote, vf(0).mac()));
  bed_.RunAll();
  ASSERT_EQ(bed_.host.uplink_frames.size(), 1u);  // queued in "QEMU"
  snic_core_reset_function(core(), vf(0).fn());
  EXPECT_EQ(bed_.host.purges, 1);
  EXPECT_TRUE(bed_.host.uplink_frames.empty());
  EXPECT_EQ(Uplink().tx_purged, 1u);
  // The purge's send-done callback unblocked the uplink.
  bed_.host.uplink_accepts = true;
  pf().Send(Frame(kRemote, pf().mac()));
  bed_.RunAll();
  EXPECT_EQ(UplinkOut().size(), 1u);
}

// Linux clears Bus Master Enable before an FLR; the device's pending TX
// work then failed its DMA and the VF went to NEEDS_RESET. A function with
// bus mastering off issues no DMA and waits.
TEST_F(Regression, BusMasterOffStopsDmaWithoutError) {
  Start(1);
  bed_.host.record_dma_writes = true;
  vf(0).drv().SetBusMaster(false);
  bed_.host.dma_writes.clear();
  const auto f = Frame(kRemote, vf(0).mac());
  vf(0).Send(f);
  FromUplink(Frame(vf(0).mac(), kRemote));  // dropped: it cannot DMA
  bed_.RunAll();
  for (const auto& [fn, addr] : bed_.host.dma_writes) {
    EXPECT_NE(fn, vf(0).fn()) << "DMA write at " << addr;
  }
  EXPECT_FALSE(Status(vf(0)) & kNeedsReset);
  EXPECT_EQ(Stats(vf(0).fn()).needs_reset, 0u);
  EXPECT_TRUE(UplinkOut().empty());
  vf(0).drv().SetBusMaster(true);
  bed_.RunAll();
  EXPECT_EQ(UplinkOut(), Frames{f});
  EXPECT_EQ(TxUsed(vf(0)), 1u);
  // FLR (the glue's reset of the function) is a clean reset.
  snic_core_reset_function(core(), vf(0).fn());
  EXPECT_EQ(Status(vf(0)), 0);
  FakeDriver again = bed_.Driver(vf(0).fn());
  EXPECT_TRUE(again.Init());
  const std::vector<uint64_t> bufs = again.PostRx(2, 2048);
  const auto g = Frame(vf(0).mac(), kRemote);
  FromUplink(g);
  const auto u = again.rx().GetUsed();
  ASSERT_TRUE(u);
  EXPECT_EQ(bed_.ram.Bytes(bufs[0] + 12, u->len - 12), g);
}

// ---- fuzz findings (tests/fuzz/regressions/) -------------------------------

// empty-uplink-frame-stalls-rx: a zero-length frame from the netdev was
// dropped but reported as 0 bytes consumed, which QEMU reads as "queue it
// and stop delivering": receive was disabled for good.
TEST_F(Regression, EmptyUplinkFrameIsConsumed) {
  Start(1);
  const uint8_t none[1] = {0};
  EXPECT_NE(snic_core_uplink_receive(core(), none, 0), 0u);
  EXPECT_EQ(Uplink().rx_drop_malformed, 1u);
  EXPECT_TRUE(snic_core_uplink_can_receive(core()));
  const auto f = Frame(vf(0).mac(), kRemote);
  FromUplink(f);
  EXPECT_EQ(vf(0).Received(), Frames{f});
}

// apply-vf-spec-duplicate-mac: a host spec gave a VF the MAC another VF's
// driver had set (checked only against policies): after the first VF's
// next reset two functions shared one MAC.
TEST_F(Regression, VfSpecCannotTakeADriverSetMac) {
  Start(2);
  SetTrust(1, true);
  const std::array<uint8_t, 6> set = {0x02, 0x00, 0x00, 0x00, 0x00, 0x77};
  ASSERT_EQ(vf(1).drv().Control(kClassMac, kMacAddrSet,
                                std::vector<uint8_t>(set.begin(), set.end())),
            kCtrlOk);
  ASSERT_EQ(vf(1).mac(), set);
  char err[256] = {};
  EXPECT_FALSE(snic_core_apply_vf_spec(
      core(), "mac", ("0=" + eth_string(set)).c_str(), err, sizeof(err)));
  EXPECT_NE(std::string(err).find("already used by VF 1"), std::string::npos)
      << err;
  EXPECT_NE(Policy(0).mac[5], 0x77);  // nothing changed
  // Nor a swap: until both reset, both would have one MAC.
  const std::string m0 = eth_string(vf(0).mac());
  EXPECT_FALSE(snic_core_apply_vf_spec(
      core(), "mac", ("0=" + eth_string(set) + "/1=" + m0).c_str(), err,
      sizeof(err)));
  // A MAC nobody uses is fine, for one VF or several.
  EXPECT_TRUE(snic_core_apply_vf_spec(
      core(), "mac", "0=02:00:00:00:00:78/1=02:00:00:00:00:79", err,
      sizeof(err)))
      << err;
  EXPECT_EQ(Policy(0).mac[5], 0x78);
}

// nested-bus-master-off-lost: a DMA of VF 0 also cleared its Bus Master
// Enable (it landed in config space); the core dropped the call made from
// inside its own DMA and went on DMAing for VF 0.
TEST_F(Regression, BusMasterOffFromInsideOwnDmaTakesEffect) {
  Start(1);
  const SnicFn fn = vf(0).fn();
  bool done = false;
  bed_.host.on_dma_write = [&](SnicFn from, uint64_t) {
    if (from == fn && !done) {
      done = true;
      snic_core_set_bus_master(core(), fn, false);
    }
  };
  FromUplink(Frame(vf(0).mac(), kRemote));
  ASSERT_TRUE(done);
  bed_.host.on_dma_write = nullptr;
  bed_.host.record_dma_writes = true;
  bed_.host.dma_writes.clear();
  FromUplink(Frame(vf(0).mac(), kRemote));
  vf(0).Send(Frame(kRemote, vf(0).mac()));
  bed_.RunAll();
  for (const auto& [from, addr] : bed_.host.dma_writes) {
    EXPECT_NE(from, fn) << "DMA write at " << addr;
  }
  EXPECT_TRUE(UplinkOut().empty());
  EXPECT_FALSE(Status(vf(0)) & kNeedsReset);
}

// nested-num-vfs-lost: the PF's NumVFs written from inside the core's DMA
// was dropped: PCI had no VFs, the core still had one, forwarding to it.
TEST_F(Regression, NumVfsFromInsideOwnDmaTakesEffect) {
  Start(1);
  bool done = false;
  bed_.host.on_dma_write = [&](SnicFn from, uint64_t) {
    if (from == vf(0).fn() && !done) {
      done = true;
      snic_core_set_num_vfs(core(), 0);
    }
  };
  const auto f = Frame(vf(0).mac(), kRemote);
  FromUplink(f);
  ASSERT_TRUE(done);
  EXPECT_EQ(snic_core_num_vfs(core()), 0u);
  EXPECT_FALSE(snic_core_function_enabled(core(), vf(0).fn()));
  vf(0).Received();  // the frame whose DMA it was
  bed_.host.on_dma_write = nullptr;
  FromUplink(f);
  EXPECT_TRUE(vf(0).Received().empty());
}

// nested-send-done-lost: our frame that QEMU had queued was sent from
// inside the core's DMA (another NIC on the hub flushed); the send-done
// was dropped and the uplink stayed busy for good.
TEST_F(Regression, SendDoneFromInsideOwnDmaTakesEffect) {
  Start(1);
  bed_.host.uplink_accepts = false;
  vf(0).Send(Frame(kRemote, vf(0).mac()));
  bed_.RunAll();
  ASSERT_EQ(UplinkOut().size(), 1u);  // queued in "QEMU"
  bed_.host.uplink_accepts = true;
  bool done = false;
  bed_.host.on_dma_write = [&](SnicFn from, uint64_t) {
    if (from == pf().fn() && !done) {
      done = true;
      snic_core_uplink_send_done(core());
    }
  };
  const auto in = Frame(pf().mac(), kRemote);
  FromUplink(in);
  ASSERT_TRUE(done);
  EXPECT_EQ(pf().Received(), Frames{in});
  const auto out = Frame(kRemote, vf(0).mac());
  vf(0).Send(out);
  bed_.RunAll();
  EXPECT_EQ(UplinkOut(), Frames{out});
}

// Default VF MACs dropped the first two bytes of the PF MAC and XORed the
// last two: every VM with QEMU's default PF MAC got the same VF MACs, and
// PF MACs ..:0a:01 and ..:01:0a collided.
TEST(RegressionMacs, DefaultVfMacsOfDistinctPfsNeverCollide) {
  std::set<std::array<uint8_t, 6>> seen;
  size_t total = 0;
  for (const auto& pf : std::vector<std::array<uint8_t, 6>>{
           {0x52, 0x54, 0x00, 0x12, 0x34, 0x56},
           {0x52, 0x54, 0x00, 0x12, 0x34, 0x57},  // QEMU's next default
           {0x52, 0x54, 0x00, 0x12, 0x0a, 0x01},
           {0x52, 0x54, 0x00, 0x12, 0x01, 0x0a},
           {0x02, 0x00, 0x00, 0x00, 0x00, 0x01},
           {0x52, 0x54, 0x00, 0x00, 0x00, 0x01}}) {
    FakeHost host;
    SnicConfig cfg = TestConfig(SNIC_MAX_VFS);
    std::copy(pf.begin(), pf.end(), cfg.pf_mac);
    char err[128];
    CorePtr core(snic_core_new(&cfg, &host.ops(), host.opaque(), err,
                               sizeof(err)));
    ASSERT_TRUE(core);
    seen.insert(pf);
    total++;
    for (uint16_t vf = 0; vf < SNIC_MAX_VFS; ++vf) {
      SnicVfPolicy p{};
      ASSERT_TRUE(snic_core_get_vf_policy(core.get(), vf, &p));
      std::array<uint8_t, 6> m;
      std::copy(p.mac, p.mac + 6, m.begin());
      EXPECT_EQ(m[0] & 3, 2) << "locally administered unicast";
      seen.insert(m);
      total++;
    }
  }
  EXPECT_EQ(seen.size(), total);
}

}  // namespace
}  // namespace snic::testing
