// Migration state (migration/device_state.cc): save/load round trips in the
// middle of traffic, and every validation rule of a load.
// SPDX-License-Identifier: GPL-2.0-or-later
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "fakes/switch_fixture.h"

namespace snic::testing {
namespace {

std::vector<uint8_t> Save(SnicCore* core) {
  uint8_t* buf = nullptr;
  const size_t n = snic_core_save_state(core, &buf);
  std::vector<uint8_t> out(buf, buf + n);
  std::free(buf);
  return out;
}

// Where the fields of the stream are (the layout documented in
// migration/device_state.cc), for tests that corrupt one of them.
struct Layout {
  static constexpr size_t kHeader = 4 + 4 + 1 + 2 + 2 + 2 + 1 + 2 + 1 + 6 + 2;
  static constexpr size_t kDevice = 2 + 1 + 12 * 8;
  static constexpr size_t kPolicy = 6 + 2 + 1 + 1 + 1 + 1 + 4;
  static constexpr size_t kQueue = 2 + 2 + 1 + 8 + 8 + 8 + 2 + 2 + 2 + 1 + 1;
  static constexpr size_t kTransportFixed = 4 + 4 + 8 + 2 + 1 + 1 + 2 + 1;

  Layout(const std::vector<uint8_t>& s, uint16_t total_vfs) {
    size_t p = kHeader + kDevice + total_vfs * kPolicy;
    for (size_t fn = 0; fn <= total_vfs; ++fn) {
      Fn f;
      f.start = p;
      p += 3;  // enabled, bus_master, link_up
      f.mac = p;
      p += 6;
      f.flags = p;
      p += 2;
      f.uni = p;
      p += 2 + 6 * Le16(s, p);
      f.multi = p;
      p += 2 + 6 * Le16(s, p);
      p += 512 + 25 * 8;  // VLAN bitmap, counters
      f.broken = p;
      p += 2;  // needs_reset, announce
      f.guest_offloads = p;
      p += 8;
      f.pairs = p;
      p += 2;
      f.rss = p;  // steering, hash_types, table_mask, unclassified
      p += 1 + 4;
      p += 2 + 2 + 2 * (size_t{Le16(s, p)} + 1);  // mask, unclassified, table
      p += 1 + s[p];                                // key_len, key
      f.transport = p;
      f.status = p + 4 + 4 + 8 + 2;
      f.driver_features = p + 8;
      const size_t queues = Le16(s, p + kTransportFixed);
      p += kTransportFixed + 2;
      for (size_t q = 0; q < queues; ++q) {
        if (q < 3) f.queue[q] = p;
        p += kQueue;
      }
      f.rate = p;
      p += 20 + 1;
      fns.push_back(f);
    }
    end = p + 4;  // end marker
  }
  static uint16_t Le16(const std::vector<uint8_t>& s, size_t p) {
    return uint16_t(s[p] | s[p + 1] << 8);
  }
  struct Fn {
    size_t start, mac, flags, uni, multi, broken, guest_offloads, pairs, rss,
        transport, status, driver_features, rate;
    size_t queue[3];
  };
  // Offsets of one queue's fields.
  static size_t Size(size_t q) { return q; }
  static size_t Vector(size_t q) { return q + 2; }
  static size_t Enabled(size_t q) { return q + 4; }
  static size_t Desc(size_t q) { return q + 5; }
  static size_t LastAvail(size_t q) { return q + 29; }
  static size_t UsedIdx(size_t q) { return q + 31; }

  std::vector<Fn> fns;
  size_t end;
};

void Put16(std::vector<uint8_t>& s, size_t p, uint16_t v) {
  s[p] = uint8_t(v);
  s[p + 1] = uint8_t(v >> 8);
}

class Migration : public SwitchBed {
 protected:
  SnicStats Stats(SnicFn fn) { return bed_.Stats(fn); }
  // A destination core with the same configuration and a copy of the
  // source's guest RAM (what QEMU's RAM migration gives it).
  struct Dest {
    explicit Dest(const FakeHost& src, SnicConfig cfg) : host(src.mem.size()) {
      host.mem = src.mem;
      char err[128];
      core.reset(snic_core_new(&cfg, &host.ops(), host.opaque(), err,
                               sizeof(err)));
      host.core = core.get();
    }
    FakeHost host;
    CorePtr core;
  };
  SnicConfig Config() { return TestConfig(4); }
  std::string Load(SnicCore* core, const std::vector<uint8_t>& s) {
    char err[256] = {};
    return snic_core_load_state(core, s.data(), s.size(), err, sizeof(err))
               ? std::string()
               : std::string(err);
  }
};

// The state of a busy device loads into a fresh one and saves back to the
// same bytes; the destination then carries on with the guest's rings.
TEST_F(Migration, RoundTripInTheMiddleOfTraffic) {
  Start(2);
  SetVlan(1, 10, 3);
  SetTrust(0, true);
  ASSERT_EQ(vf(0).Rx(kRxPromisc, true), kCtrlOk);
  ASSERT_EQ(vf(1).AddVlan(5), kCtrlOk);
  SnicVfPolicy p = Policy(0);
  p.max_tx_rate = 100;
  SetPolicy(0, p);
  for (int i = 0; i < 5; ++i) {
    vf(0).Send(Frame(pf().mac(), vf(0).mac(), 100, 0x0800, uint8_t(i)));
  }
  bed_.RunAll();
  EXPECT_EQ(pf().Received().size(), 5u);
  // Frames queued and not yet processed when the VM stops.
  const auto late = Frame(pf().mac(), vf(0).mac(), 60);
  snic_core_set_running(core(), false);
  vf(0).Send(late);
  EXPECT_FALSE(snic_core_run(core()));  // stopped: nothing moves
  EXPECT_EQ(vf(0).drv().tx().used_idx(), 5u);
  const std::vector<uint8_t> state = Save(core());
  const SnicStats before = bed_.Stats(vf(0).fn());

  Dest dst(bed_.host, Config());
  ASSERT_EQ(Load(dst.core.get(), state), "");
  EXPECT_EQ(Save(dst.core.get()), state);
  // In place (same RAM): the destination runs what the source left.
  ASSERT_EQ(MigrateCore(), "");
  bed_.RunAll();
  EXPECT_EQ(pf().Received(), Frames{late});
  const SnicStats after = bed_.Stats(vf(0).fn());
  EXPECT_EQ(after.tx_packets, before.tx_packets + 1);  // counters go on
  EXPECT_EQ(Policy(1).vlan, 10u);
  EXPECT_EQ(Policy(1).qos, 3u);
  EXPECT_EQ(Policy(0).max_tx_rate, 100u);
  // Filters came along: VF 1's VLAN 5, VF 0's promiscuous mode.
  FromUplink(Frame(kOther, kRemote));
  EXPECT_EQ(vf(0).Received().size(), 1u);
}

// reserved-status-bit-breaks-migration (fuzz): a driver wrote a
// device_status bit virtio does not define; the device kept it and then
// refused its own saved state, so the VM could not be migrated. It keeps
// the bit, and the state loads.
TEST_F(Migration, UndefinedStatusBitMigrates) {
  Start(1);
  const uint8_t st = uint8_t(vf(0).drv().status() | 0x10);
  vf(0).drv().set_status(st);
  ASSERT_EQ(vf(0).drv().status(), st);
  ASSERT_EQ(MigrateCore(), "");
  EXPECT_EQ(vf(0).drv().status(), st);
  const auto f = Frame(vf(0).mac(), kRemote);
  FromUplink(f);
  EXPECT_EQ(vf(0).Received(), Frames{f});
}

// A frame held for a full RX ring at the stop is in the TX ring again on
// the destination and goes once buffers are posted there.
TEST_F(Migration, HeldFrameIsDeliveredOnTheDestination) {
  Start(2, /*post=*/false);
  const auto f = Frame(vf(1).mac(), vf(0).mac());
  vf(0).Send(f);
  bed_.RunAll();
  ASSERT_EQ(vf(0).drv().tx().used_idx(), 0u);  // held
  snic_core_set_running(core(), false);
  ASSERT_EQ(MigrateCore(), "");
  bed_.RunAll();
  vf(1).Post(4);
  bed_.RunAll();
  EXPECT_EQ(vf(1).Received(), Frames{f});
  EXPECT_EQ(vf(0).drv().tx().used_idx(), 1u);
}

// While stopped the device does not touch guest memory, and frames from the
// uplink stay queued in QEMU.
TEST_F(Migration, StoppedDeviceIssuesNoDmaAndRefusesUplinkFrames) {
  Start(1);
  const auto mac = vf(0).mac();  // (register reads are refused when stopped)
  snic_core_set_running(core(), false);
  bed_.host.record_dma_writes = true;
  vf(0).Send(Frame(kRemote, mac));  // its doorbell is not heard
  EXPECT_FALSE(snic_core_run(core()));
  EXPECT_FALSE(snic_core_uplink_can_receive(core()));
  const auto f = Frame(mac, kRemote);
  EXPECT_EQ(snic_core_uplink_receive(core(), f.data(), f.size()), 0u);
  EXPECT_TRUE(bed_.host.dma_writes.empty());
  const int flushes = bed_.host.flushes;
  snic_core_set_running(core(), true);
  EXPECT_EQ(bed_.host.flushes, flushes + 1);  // QEMU's queue is flushed
  bed_.RunAll();
  EXPECT_EQ(UplinkOut().size(), 1u);  // the ring was looked at again
  EXPECT_EQ(Stats(vf(0).fn()).tx_drop_policy, 0u);
}

// A Bus Master Enable turned on while the VM is stopped (a migration's
// load re-syncs it from config space) must not start DMA: the control
// queue and the rings are picked up when the VM runs.
TEST_F(Migration, BusMasterOnWhileStoppedWaitsForTheRun) {
  Start(1);
  vf(0).drv().SetBusMaster(false);
  snic_core_set_running(core(), false);
  bed_.host.record_dma_writes = true;
  vf(0).drv().SetBusMaster(true);
  EXPECT_TRUE(bed_.host.dma_writes.empty());
  snic_core_set_running(core(), true);
  bed_.RunAll();
  EXPECT_FALSE(vf(0).drv().status() & kNeedsReset);
}

// After the migration every function is announced: by its driver where it
// negotiated GUEST_ANNOUNCE (status bit + config interrupt, cleared by the
// driver's ACK), else by a RARP the device sends from the function's MAC,
// in its port VLAN; the PF's own configured MAC is QEMU's to announce.
TEST_F(Migration, AnnounceAfterLoad) {
  snic_core_set_num_vfs(core(), 2);
  ports_.push_back(std::make_unique<Port>(bed_, 0));
  ports_.push_back(std::make_unique<Port>(bed_, 1));
  ports_.push_back(std::make_unique<Port>(bed_, 2));
  ASSERT_TRUE(pf().drv().Init());
  ASSERT_TRUE(vf(0).drv().Init());  // GUEST_ANNOUNCE, as Linux
  ASSERT_TRUE(vf(1).drv().Init(kLinuxNetFeatures & ~F(kGuestAnnounce)));
  SetVlan(1, 42, 1);
  ASSERT_EQ(MigrateCore(), "");
  bed_.host.msix.clear();
  snic_core_announce(core());
  // VF 0: ANNOUNCE in its status, config interrupt (vector 0).
  EXPECT_EQ(vf(0).drv().Read(kRegionDevice, 6, 2) & 2, 2u);
  EXPECT_NE(std::find(bed_.host.msix.begin(), bed_.host.msix.end(),
                      std::make_pair(vf(0).fn(), uint16_t{0})),
            bed_.host.msix.end());
  EXPECT_EQ(vf(0).drv().Control(3, 0, {}), kCtrlOk);  // ANNOUNCE_ACK
  EXPECT_EQ(vf(0).drv().Read(kRegionDevice, 6, 2) & 2, 0u);
  // VF 1: a RARP from its MAC, tagged with its port VLAN; nothing for the
  // PF (QEMU announces the PF's configured MAC itself).
  const Frames out = UplinkOut();
  ASSERT_EQ(out.size(), 1u);
  const auto& r = out[0];
  ASSERT_EQ(r.size(), 64u);
  EXPECT_TRUE(std::equal(r.begin(), r.begin() + 6, kBroadcast.begin()));
  const auto m1 = vf(1).mac();
  EXPECT_TRUE(std::equal(r.begin() + 6, r.begin() + 12, m1.begin()));
  EXPECT_EQ(r[12], 0x81);
  EXPECT_EQ((r[14] << 8 | r[15]), 1 << 13 | 42);
  EXPECT_EQ((r[16] << 8 | r[17]), 0x8035);
}

// ---- every rule of a load ------------------------------------------------

class MigrationLoad : public Migration {
 protected:
  void SetUp() override {
    Start(2);
    vf(0).Send(Frame(vf(1).mac(), vf(0).mac()));
    bed_.RunAll();
    snic_core_set_running(core(), false);
    state_ = Save(core());
    dst_ = std::make_unique<Dest>(bed_.host, Config());
    layout_ = std::make_unique<Layout>(state_, 4);
    ASSERT_EQ(layout_->end, state_.size());
    pristine_ = Save(dst_->core.get());  // a fresh device's state
  }
  // Loads a corrupted copy; expects an error containing @want and the
  // destination unchanged.
  void ExpectRefused(const std::function<void(std::vector<uint8_t>&)>& edit,
                     const std::string& want) {
    std::vector<uint8_t> s = state_;
    edit(s);
    const std::string err = Load(dst_->core.get(), s);
    EXPECT_NE(err.find(want), std::string::npos)
        << "error '" << err << "' lacks '" << want << "'";
    EXPECT_EQ(Save(dst_->core.get()), pristine_) << "the load changed state";
  }
  std::vector<uint8_t> state_, pristine_;
  std::unique_ptr<Dest> dst_;
  std::unique_ptr<Layout> layout_;
};

TEST_F(MigrationLoad, GoodStreamLoads) {
  EXPECT_EQ(Load(dst_->core.get(), state_), "");
}

TEST_F(MigrationLoad, EveryTruncationIsRefused) {
  for (size_t n = 0; n < state_.size(); n += (n < 64 ? 1 : 37)) {
    std::vector<uint8_t> s(state_.begin(), state_.begin() + n);
    EXPECT_NE(Load(dst_->core.get(), s), "") << n;
  }
  EXPECT_EQ(Save(dst_->core.get()), pristine_);
}

TEST_F(MigrationLoad, MagicVersionAndTrailingBytes) {
  ExpectRefused([](auto& s) { s[0] ^= 1; }, "magic");
  ExpectRefused([](auto& s) { s[4] = 9; }, "version is 9");
  ExpectRefused([](auto& s) { s.push_back(0); }, "followed by 1 bytes");
  ExpectRefused([](auto& s) { s[s.size() - 1] ^= 1; }, "end marker");
}

TEST_F(MigrationLoad, ConfigurationMustMatch) {
  ExpectRefused([](auto& s) { s[8] = 2; }, "personality is 2");
  ExpectRefused([](auto& s) { Put16(s, 9, 8); },
                "total-vfs differs: the source has 8, this device 4");
  ExpectRefused([](auto& s) { Put16(s, 11, 128); }, "queue-size differs");
  ExpectRefused([](auto& s) { Put16(s, 13, 9000); }, "mtu differs");
  ExpectRefused([](auto& s) { s[15] = 0; },
                "offloads differs: the source has 0, this device 1");
  ExpectRefused([](auto& s) { s[20] ^= 1; }, "mac differs");
}

TEST_F(MigrationLoad, NumVfsAndEnabledAgree) {
  const size_t num_vfs = Layout::kHeader;
  ExpectRefused([&](auto& s) { Put16(s, num_vfs, 5); },
                "NumVFs is 5, more than TotalVFs 4");
  // NumVFs 1 while VF 1 says it is enabled.
  ExpectRefused([&](auto& s) { Put16(s, num_vfs, 1); },
                "fn 2 (VF 1): enabled is 1 with NumVFs 1");
  ExpectRefused([&](auto& s) { s[num_vfs + 2] = 3; },
                "uplink link is 3, not 0 or 1");
}

TEST_F(MigrationLoad, PoliciesAreValidated) {
  const size_t p0 = Layout::kHeader + Layout::kDevice;
  ExpectRefused([&](auto& s) { Put16(s, p0 + 6, 5000); },
                "VF 0 policy: vlan must be 0 (none) to 4094, not 5000");
  ExpectRefused([&](auto& s) { s[p0] |= 1; },
                "VF 0 policy: mac must be a unicast address");
  ExpectRefused(
      [&](auto& s) {
        std::memcpy(&s[p0 + Layout::kPolicy], &s[p0], 6);  // VF 1 = VF 0
      },
      "VF 1 policy: mac is VF 0's too");
  ExpectRefused([&](auto& s) { s[p0 + 11] = 7; }, "link-state must be");
  // The rate limiter must follow the policy.
  ExpectRefused([&](auto& s) { s[layout_->fns[1].rate] = 50; },
                "fn 1 (VF 0): rate limit is 50 Mbit/s, the policy says 0");
}

TEST_F(MigrationLoad, RingIndicesAndLayout) {
  const Layout::Fn& f = layout_->fns[1];  // VF 0, running, queues enabled
  const size_t tx = f.queue[1];
  ExpectRefused(
      [&](auto& s) {
        Put16(s, Layout::UsedIdx(tx), uint16_t(Layout::Le16(s,
                                               Layout::LastAvail(tx)) - 65));
      },
      "fn 1 (VF 0): virtio: queue 1: last_avail_idx");
  ExpectRefused([&](auto& s) { Put16(s, Layout::Size(tx), 48); },
                "queue 1: queue_size 48 is not a power of two up to 256");
  ExpectRefused([&](auto& s) { Put16(s, Layout::Vector(tx), 10); },
                "queue 1: queue_msix_vector 10 is not below 6");
  ExpectRefused([&](auto& s) { s[Layout::Desc(tx)] |= 8; },
                "queue 1: ring layout: queue_enable with misaligned");
  ExpectRefused([&](auto& s) { s[Layout::Enabled(tx)] = 2; },
                "queue 1: queue_enable is 2, not 0 or 1");
  // A disabled queue (of VF 3) with indices.
  const size_t q3 = layout_->fns[4].queue[0];
  ExpectRefused([&](auto& s) { Put16(s, Layout::LastAvail(q3), 1); },
                "fn 4 (VF 3): virtio: queue 0: ring indices of a disabled");
}

TEST_F(MigrationLoad, TransportState) {
  const Layout::Fn& f = layout_->fns[1];
  ExpectRefused([&](auto& s) { s[f.status] = 0x07; },  // DRIVER_OK, no FEAT_OK
                "DRIVER_OK without FEATURES_OK");
  ExpectRefused([&](auto& s) { s[f.driver_features + 7] |= 0x40; },  // bit 62: not offered
                "driver_features has bits this device does not offer");
  ExpectRefused([&](auto& s) { s[f.broken] = 1; },
                "needs_reset is set but device_status lacks NEEDS_RESET");
  ExpectRefused([&](auto& s) { s[f.guest_offloads] = 2; },  // GUEST_CSUM
                "guest_offloads names offloads the driver did not negotiate");
}

TEST_F(MigrationLoad, FilterState) {
  const Layout::Fn& f = layout_->fns[1];
  ExpectRefused([&](auto& s) { s[f.mac] |= 1; }, "fn 1 (VF 0): mac is a");
  ExpectRefused([&](auto& s) { s[f.flags + 1] |= 0x80; },
                "rx filter flags has undefined bits");
  ExpectRefused([&](auto& s) { Put16(s, f.uni, 65); },
                "unicast table has 65 entries, more than 64");
}

}  // namespace
}  // namespace snic::testing
