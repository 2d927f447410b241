// Shared helpers for the switch, policy, backpressure and regression
// suites: a device with the PF and a few VFs all driven by FakeDrivers, and
// access to what each function received (frames: frames.h). Lives in
// tests/ only.
// SPDX-License-Identifier: GPL-2.0-or-later
#ifndef SNIC_TESTS_FAKES_SWITCH_FIXTURE_H
#define SNIC_TESTS_FAKES_SWITCH_FIXTURE_H

#include <gtest/gtest.h>

#include <cstdlib>
#include <deque>
#include <string>
#include <vector>

#include "fake_driver.h"
#include "frames.h"

namespace snic::testing {

// A frame waiting for a destination's RX buffers waits at most this long
// (device/tx_scheduler.h kHoldNs).
inline constexpr uint64_t kHoldNs = 10'000'000;

// One function under test: its driver and the RX buffers it posted, in
// the order the device uses them.
class Port {
 public:
  Port(Bed& bed, SnicFn fn) : bed_(bed), drv_(bed.Driver(fn)) {}
  FakeDriver& drv() { return drv_; }
  SnicFn fn() const { return drv_.fn(); }
  std::array<uint8_t, 6> mac() const { return MacOf(bed_.core.get(), fn()); }

  bool Init() { return drv_.Init(); }
  void Post(int n) {
    for (uint64_t a : drv_.PostRx(n, 2048)) bufs_.push_back(a);
  }
  // Frames received since the last call (virtio_net_hdr stripped).
  std::vector<std::vector<uint8_t>> Received() {
    std::vector<std::vector<uint8_t>> out;
    while (auto u = drv_.rx().GetUsed()) {
      const uint64_t a = bufs_.front();
      bufs_.pop_front();
      out.push_back(RxPayload(bed_.ram, a, u->len));
    }
    return out;
  }
  void Send(const std::vector<uint8_t>& frame) { drv_.Send(frame); }
  void set_core(SnicCore* core) { drv_.set_core(core); }
  uint8_t Rx(uint8_t cmd, bool on) {
    return drv_.Control(kClassRx, cmd, {uint8_t(on)});
  }
  // The guest's own VLAN filter (CTRL_VLAN ADD), as `ip link add ... vlan`.
  uint8_t AddVlan(uint16_t vid) {
    return drv_.Control(kClassVlan, kVlanAdd,
                        {uint8_t(vid), uint8_t(vid >> 8)});
  }

 private:
  Bed& bed_;
  FakeDriver drv_;
  std::deque<uint64_t> bufs_;
};

// PF + @vfs VFs, all initialised with 32 RX buffers each.
class SwitchBed : public ::testing::Test {
 protected:
  void Start(uint16_t vfs, bool post = true) {
    snic_core_set_num_vfs(core(), vfs);
    for (SnicFn fn = 0; fn <= vfs; ++fn) {
      ports_.push_back(std::make_unique<Port>(bed_, fn));
      ASSERT_TRUE(ports_.back()->Init()) << fn;
      if (post) ports_.back()->Post(32);
    }
  }
  SnicCore* core() { return bed_.core.get(); }
  // A core of configuration @cfg instead of the default one (before
  // Start()).
  void UseConfig(const SnicConfig& cfg) {
    char err[256] = {};
    bed_.core.reset(snic_core_new(&cfg, &bed_.host.ops(), bed_.host.opaque(),
                                  err, sizeof(err)));
    ASSERT_TRUE(bed_.core) << err;
    bed_.host.core = bed_.core.get();
  }
  // Live migration in place: the state moves to a new core (same
  // configuration) over the same guest RAM, the drivers follow. Returns
  // the load's error, empty on success.
  std::string MigrateCore(SnicConfig cfg = TestConfig(4)) {
    uint8_t* buf = nullptr;
    const size_t n = snic_core_save_state(core(), &buf);
    char err[256] = {};
    CorePtr next(snic_core_new(&cfg, &bed_.host.ops(), bed_.host.opaque(),
                               err, sizeof(err)));
    const bool ok = next && snic_core_load_state(next.get(), buf, n, err,
                                                 sizeof(err));
    std::free(buf);
    if (!ok) return err;
    bed_.core = std::move(next);
    bed_.host.core = bed_.core.get();
    for (auto& p : ports_) p->set_core(core());
    return {};
  }
  Port& pf() { return *ports_[0]; }
  Port& vf(uint16_t n) { return *ports_[1 + n]; }
  SnicVfPolicy Policy(uint16_t vf) {
    SnicVfPolicy p{};
    EXPECT_TRUE(snic_core_get_vf_policy(core(), vf, &p));
    return p;
  }
  void SetPolicy(uint16_t vf, const SnicVfPolicy& p) {
    char err[256] = {};
    ASSERT_TRUE(snic_core_set_vf_policy(core(), vf, &p, err, sizeof(err)))
        << err;
  }
  void SetVlan(uint16_t vf, uint16_t vlan, uint8_t qos = 0) {
    SnicVfPolicy p = Policy(vf);
    p.vlan = vlan;
    p.qos = qos;
    SetPolicy(vf, p);
  }
  void SetTrust(uint16_t vf, bool on) {
    SnicVfPolicy p = Policy(vf);
    p.trust = on;
    SetPolicy(vf, p);
  }
  void FromUplink(const std::vector<uint8_t>& f) {
    EXPECT_EQ(snic_core_uplink_receive(core(), f.data(), f.size()), f.size());
  }
  SnicUplinkStats Uplink() {
    SnicUplinkStats s{};
    snic_core_get_uplink_stats(core(), &s);
    return s;
  }
  // Frames the uplink got since the last call.
  std::vector<std::vector<uint8_t>> UplinkOut() {
    auto out = std::move(bed_.host.uplink_frames);
    bed_.host.uplink_frames.clear();
    return out;
  }

  Bed bed_{4};
  std::vector<std::unique_ptr<Port>> ports_;
};

}  // namespace snic::testing

#endif  // SNIC_TESTS_FAKES_SWITCH_FIXTURE_H
