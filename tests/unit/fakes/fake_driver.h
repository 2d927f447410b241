// A model of a virtio-net driver for the unit tests: drives the modern PCI
// transport through the C ABI like virtio_pci_modern, with its queues laid
// out in FakeHost::mem by DriverQueue (driver_queue.h) as Linux's
// virtio_ring does. Bed is the usual fixture: a core, its host and guest
// RAM. Lives in tests/ only.
// SPDX-License-Identifier: GPL-2.0-or-later
#ifndef SNIC_TESTS_FAKES_FAKE_DRIVER_H
#define SNIC_TESTS_FAKES_FAKE_DRIVER_H

#include <array>
#include <cstdint>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "driver_queue.h"
#include "fake_host.h"
#include "frames.h"
#include "guest_ram.h"
#include "sriov_nic/sriov_nic.h"

namespace snic::testing {

// Spec constants, spelled out independently of the core's headers.
inline constexpr uint64_t F(unsigned bit) { return uint64_t{1} << bit; }
inline constexpr unsigned kVersion1 = 32, kSrIov = 37, kIndirect = 28,
                          kEventIdx = 29, kAccessPlatform = 33, kMtu = 3,
                          kMac = 5, kMrgRxbuf = 15, kStatus = 16, kCtrlVq = 17,
                          kCtrlRx = 18, kCtrlVlan = 19, kGuestAnnounce = 21,
                          kCtrlMacAddr = 23;
// Multiqueue, RSS and hash reports (5.1.3).
inline constexpr unsigned kMq = 22, kHashReport = 57, kRss = 60;
// Packed virtqueues and single-queue reset (6).
inline constexpr unsigned kRingPacked = 34, kRingReset = 40;
// Offloads (5.1.3).
inline constexpr unsigned kCsum = 0, kGuestCsum = 1, kCtrlGuestOffloads = 2,
                          kGuestTso4 = 7, kGuestTso6 = 8, kGuestEcn = 9,
                          kHostTso4 = 11, kHostTso6 = 12, kHostEcn = 13,
                          kGuestUso4 = 54, kGuestUso6 = 55, kHostUso = 56;
// What Linux 6.12's virtio_net acks of them (all but UFO).
inline constexpr uint64_t kLinuxOffloads =
    F(kCsum) | F(kGuestCsum) | F(kCtrlGuestOffloads) | F(kGuestTso4) |
    F(kGuestTso6) | F(kGuestEcn) | F(kHostTso4) | F(kHostTso6) |
    F(kHostEcn) | F(kGuestUso4) | F(kGuestUso6) | F(kHostUso);
// BAR 0 regions as the core numbers them (snic_core_layout).
inline constexpr uint32_t kRegionCommon = 0, kRegionIsr = 1, kRegionDevice = 2,
                          kRegionNotify = 3;
inline constexpr uint64_t kNotifyMult = 4;
inline constexpr uint8_t kAck = 1, kDriver = 2, kDriverOk = 4, kFeaturesOk = 8,
                         kNeedsReset = 0x40, kFailed = 0x80;
// Common config offsets (4.1.4.3).
enum : uint64_t {
  kDfSelect = 0x00,
  kDf = 0x04,
  kGfSelect = 0x08,
  kGf = 0x0c,
  kMsixConfig = 0x10,
  kNumQueues = 0x12,
  kStatusReg = 0x14,
  kGen = 0x15,
  kQSelect = 0x16,
  kQSize = 0x18,
  kQMsix = 0x1a,
  kQEnable = 0x1c,
  kQNotifyOff = 0x1e,
  kQDesc = 0x20,
  kQDriver = 0x28,
  kQDevice = 0x30,
  kQReset = 0x3a,
};
inline constexpr uint64_t kLinuxNetFeatures =
    F(kVersion1) | F(kIndirect) | F(kEventIdx) | F(kAccessPlatform) | F(kMtu) |
    F(kMac) | F(kMrgRxbuf) | F(kStatus) | F(kCtrlVq) | F(kCtrlRx) |
    F(kCtrlVlan) | F(kGuestAnnounce) | F(kCtrlMacAddr);

// The driver of one function: transport setup like virtio_pci_modern.
class FakeDriver {
 public:
  FakeDriver(GuestRam& ram, SnicCore* core, SnicFn fn)
      : ram_(ram), core_(core), fn_(fn) {}

  uint64_t Read(uint32_t r, uint64_t off, unsigned size) {
    uint64_t v = 0;
    snic_core_mmio_read(core_, fn_, r, off, size, &v);
    return v;
  }
  void Write(uint32_t r, uint64_t off, uint64_t v, unsigned size) {
    snic_core_mmio_write(core_, fn_, r, off, v, size);
  }
  uint64_t Common(uint64_t off, unsigned size) {
    return Read(kRegionCommon, off, size);
  }
  void SetCommon(uint64_t off, uint64_t v, unsigned size) {
    Write(kRegionCommon, off, v, size);
  }
  // The device moved (a migration): the same rings, another core.
  void set_core(SnicCore* core) {
    core_ = core;
    for (auto& q : queues_) {
      if (q) q->set_doorbell(Doorbell(q->index()));
    }
  }
  // pci_set_master(): Bus Master Enable in the command register.
  void SetBusMaster(bool on) { snic_core_set_bus_master(core_, fn_, on); }
  uint8_t status() { return uint8_t(Common(kStatusReg, 1)); }
  void set_status(uint8_t s) { SetCommon(kStatusReg, s, 1); }
  uint64_t DeviceFeatures() {
    SetCommon(kDfSelect, 0, 4);
    uint64_t lo = Common(kDf, 4);
    SetCommon(kDfSelect, 1, 4);
    return lo | (Common(kDf, 4) << 32);
  }
  void SetDriverFeatures(uint64_t f) {
    SetCommon(kGfSelect, 0, 4);
    SetCommon(kGf, uint32_t(f), 4);
    SetCommon(kGfSelect, 1, 4);
    SetCommon(kGf, uint32_t(f >> 32), 4);
  }
  // Reset, ACKNOWLEDGE, DRIVER, features; returns whether FEATURES_OK stuck.
  bool Negotiate(uint64_t features) {
    set_status(0);
    set_status(kAck);
    set_status(kAck | kDriver);
    SetDriverFeatures(features);
    set_status(kAck | kDriver | kFeaturesOk);
    features_ = features;
    return status() & kFeaturesOk;
  }
  // Programs queue @q (size @size, MSI-X vector @vector) and enables it.
  DriverQueue& SetupQueue(uint16_t q, uint16_t size, uint16_t vector) {
    queues_[q] = std::make_unique<DriverQueue>(
        ram_, q, size, Doorbell(q), (features_ & F(kRingPacked)) != 0);
    DriverQueue& dq = *queues_[q];
    dq.event_idx = features_ & F(kEventIdx);
    SetCommon(kQSelect, q, 2);
    SetCommon(kQSize, size, 2);
    SetCommon(kQMsix, vector, 2);
    SetCommon(kQDesc, uint32_t(dq.desc), 4);
    SetCommon(kQDesc + 4, dq.desc >> 32, 4);
    SetCommon(kQDriver, uint32_t(dq.avail), 4);
    SetCommon(kQDriver + 4, dq.avail >> 32, 4);
    SetCommon(kQDevice, uint32_t(dq.used), 4);
    SetCommon(kQDevice + 4, dq.used >> 32, 4);
    SetCommon(kQEnable, 1, 2);
    return dq;
  }
  // The whole Linux probe: negotiate, 3 queues, vectors 0 (config) and
  // 1..3 (queues), DRIVER_OK. Returns false if anything did not stick.
  bool Init(uint64_t features = kLinuxNetFeatures, uint16_t qsize = 64) {
    SetBusMaster(true);
    if (!Negotiate(features)) return false;
    SetCommon(kMsixConfig, 0, 2);
    for (uint16_t q = 0; q < 3; ++q) SetupQueue(q, qsize, uint16_t(q + 1));
    set_status(kAck | kDriver | kFeaturesOk | kDriverOk);
    return status() == (kAck | kDriver | kFeaturesOk | kDriverOk);
  }
  // Like Linux with MQ or RSS: negotiate, receiveqN/transmitqN for every
  // one of the device's max_virtqueue_pairs, the controlq at 2 * max,
  // vector 0 for config changes and one per queue, DRIVER_OK. The header is
  // 20 bytes on both queues with HASH_REPORT (hdr_len()).
  bool InitMq(uint64_t features, uint16_t qsize = 64) {
    SetBusMaster(true);
    if (!Negotiate(features)) return false;
    const uint16_t max = uint16_t(Read(kRegionDevice, 8, 2));
    const bool mq = features & (F(kMq) | F(kRss));
    const uint16_t pairs = mq ? max : 1;
    ctrl_index_ = uint16_t(2 * pairs);
    SetCommon(kMsixConfig, 0, 2);
    for (uint16_t q = 0; q <= ctrl_index_; ++q) {
      SetupQueue(q, qsize, uint16_t(q + 1));
    }
    set_status(kAck | kDriver | kFeaturesOk | kDriverOk);
    return status() == (kAck | kDriver | kFeaturesOk | kDriverOk);
  }
  DriverQueue& rx() { return *queues_[0]; }
  DriverQueue& tx() { return *queues_[1]; }
  DriverQueue& ctrl() { return *queues_[ctrl_index_]; }
  DriverQueue& rxq(uint16_t pair) { return *queues_[2 * pair]; }
  DriverQueue& txq(uint16_t pair) { return *queues_[2 * pair + 1]; }
  uint32_t hdr_len() const { return features_ & F(kHashReport) ? 20 : 12; }
  GuestRam& ram() { return ram_; }
  SnicFn fn() const { return fn_; }

  // Posts @n RX buffers of @len bytes each (one writable descriptor).
  std::vector<uint64_t> PostRx(int n, uint32_t len) {
    std::vector<uint64_t> addrs;
    for (int i = 0; i < n; ++i) {
      const uint64_t a = ram_.Alloc(len, 64);
      rx().Add({{a, len, true}});
      addrs.push_back(a);
      rx_bufs_[a] = len;
    }
    if (rx().KickNeeded()) rx().Kick();
    return addrs;
  }
  // Posts @n RX buffers of @len bytes on receiveq @pair.
  std::vector<uint64_t> PostRxOn(uint16_t pair, int n, uint32_t len) {
    std::vector<uint64_t> addrs;
    for (int i = 0; i < n; ++i) {
      const uint64_t a = ram_.Alloc(len, 64);
      rxq(pair).Add({{a, len, true}});
      addrs.push_back(a);
    }
    if (rxq(pair).KickNeeded()) rxq(pair).Kick();
    return addrs;
  }
  // Queues @frame on transmitq @pair behind a zero header of hdr_len().
  void SendOn(uint16_t pair, const std::vector<uint8_t>& frame) {
    const uint32_t hl = hdr_len();
    const uint64_t h = ram_.Alloc(hl, 16);
    std::vector<uint8_t> zero(hl, 0);
    ram_.Put(h, zero.data(), hl);
    const uint64_t d = ram_.Alloc(frame.size(), 16);
    ram_.Put(d, frame.data(), frame.size());
    txq(pair).AddAndKick({{h, hl, false}, {d, uint32_t(frame.size()), false}});
  }
  // Queues @frame for TX behind a 12-byte header (two descriptors, or an
  // indirect table) and kicks if needed.
  void Send(const std::vector<uint8_t>& frame, bool indirect = false) {
    const uint64_t h = ram_.Alloc(12, 16);
    std::vector<uint8_t> zero(12, 0);
    ram_.Put(h, zero.data(), 12);
    const uint64_t d = ram_.Alloc(frame.size(), 16);
    ram_.Put(d, frame.data(), frame.size());
    tx().AddAndKick({{h, 12, false}, {d, uint32_t(frame.size()), false}},
                    indirect);
  }
  // Queues @frame behind the virtio_net_hdr @hdr (offloads) and kicks.
  void SendWithHeader(const std::array<uint8_t, 12>& hdr,
                      const std::vector<uint8_t>& frame) {
    const uint64_t h = ram_.Alloc(12, 16);
    ram_.Put(h, hdr.data(), 12);
    const uint64_t d = ram_.Alloc(frame.size(), 16);
    ram_.Put(d, frame.data(), frame.size());
    tx().AddAndKick({{h, 12, false}, {d, uint32_t(frame.size()), false}});
  }
  // Sends one control command; returns the ack byte (0xee if unanswered).
  uint8_t Control(uint8_t cls, uint8_t cmd, const std::vector<uint8_t>& data) {
    const uint64_t h = ram_.Alloc(2, 16);
    const uint8_t hdr[2] = {cls, cmd};
    ram_.Put(h, hdr, 2);
    std::vector<Buf> bufs{{h, 2, false}};
    if (!data.empty()) {
      const uint64_t d = ram_.Alloc(data.size(), 16);
      ram_.Put(d, data.data(), data.size());
      bufs.push_back({d, uint32_t(data.size()), false});
    }
    const uint64_t ack = ram_.Alloc(1, 16);
    ram_.Put<uint8_t>(ack, 0xee);
    bufs.push_back({ack, 1, true});
    ctrl().AddAndKick(bufs);
    ctrl().GetUsed();
    return ram_.Get<uint8_t>(ack);
  }

 private:
  // Queue @q's doorbell: a 16-bit write of its index at its notify offset.
  std::function<void()> Doorbell(uint16_t q) const {
    return [core = core_, fn = fn_, q] {
      snic_core_mmio_write(core, fn, kRegionNotify, uint64_t(q) * kNotifyMult,
                           q, 2);
    };
  }

  GuestRam& ram_;
  SnicCore* core_;
  SnicFn fn_;
  uint64_t features_ = 0;
  uint16_t ctrl_index_ = 2;
  std::unique_ptr<DriverQueue> queues_[2 * 16 + 1];
  std::map<uint64_t, uint32_t> rx_bufs_;
};

// The MAC the function's device config reports (virtio_net_config.mac).
inline std::array<uint8_t, 6> MacOf(SnicCore* core, SnicFn fn) {
  std::array<uint8_t, 6> m{};
  for (size_t i = 0; i < 6; ++i) {
    uint64_t v = 0;
    snic_core_mmio_read(core, fn, kRegionDevice, i, 1, &v);
    m[i] = uint8_t(v);
  }
  return m;
}

// What a driver finds in an RX buffer at @addr used for @len bytes: the
// frame after the 12-byte virtio_net_hdr.
inline std::vector<uint8_t> RxPayload(const GuestRam& ram, uint64_t addr,
                                      uint32_t len) {
  return ram.Bytes(addr + 12, len - 12);
}

// A core plus guest RAM: the usual fixture.
struct Bed {
  explicit Bed(uint16_t total_vfs = 4, uint16_t queue_size = 256,
               bool offloads = true, uint16_t queue_pairs = 0,
               bool packed = false)
      : host(4 << 20), ram(host.mem) {
    SnicConfig cfg = TestConfig(total_vfs);
    cfg.queue_size = queue_size;
    cfg.no_offloads = !offloads;
    cfg.queue_pairs = queue_pairs;
    cfg.packed = packed;
    char err[128] = {};
    core.reset(
        snic_core_new(&cfg, &host.ops(), host.opaque(), err, sizeof(err)));
    host.core = core.get();
  }
  FakeDriver Driver(SnicFn fn) { return FakeDriver(ram, core.get(), fn); }
  SnicStats Stats(SnicFn fn) {
    SnicStats s{};
    snic_core_get_stats(core.get(), fn, &s);
    return s;
  }
  void RunAll() {
    for (int i = 0; i < 1000 && snic_core_run(core.get()); ++i) {
    }
  }

  FakeHost host;
  GuestRam ram;
  CorePtr core;
};

}  // namespace snic::testing

#endif  // SNIC_TESTS_FAKES_FAKE_DRIVER_H
