// A model of a virtio-net driver for the unit tests: lays out split rings in
// FakeHost::mem and publishes descriptors the way Linux's virtio_ring does
// (free-list descriptors, avail idx published after the ring entry,
// indirect tables, EVENT_IDX kick suppression), and drives the modern PCI
// transport through the C ABI like virtio_pci_modern. Lives in tests/ only.
// SPDX-License-Identifier: GPL-2.0-or-later
#ifndef SNIC_TESTS_FAKES_FAKE_DRIVER_H
#define SNIC_TESTS_FAKES_FAKE_DRIVER_H

#include <array>
#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "fake_host.h"
#include "sriov_nic/sriov_nic.h"

namespace snic::testing {

// Spec constants, spelled out independently of the core's headers.
inline constexpr uint64_t F(unsigned bit) { return uint64_t{1} << bit; }
inline constexpr unsigned kVersion1 = 32, kSrIov = 37, kIndirect = 28,
                          kEventIdx = 29, kAccessPlatform = 33, kMtu = 3,
                          kMac = 5, kMrgRxbuf = 15, kStatus = 16, kCtrlVq = 17,
                          kCtrlRx = 18, kCtrlVlan = 19, kGuestAnnounce = 21,
                          kCtrlMacAddr = 23;
// BAR 0 regions as the core numbers them (snic_core_layout).
inline constexpr uint32_t kRegionCommon = 0, kRegionIsr = 1, kRegionDevice = 2,
                          kRegionNotify = 3;
inline constexpr uint64_t kNotifyMult = 4;
inline constexpr uint8_t kAck = 1, kDriver = 2, kDriverOk = 4, kFeaturesOk = 8,
                         kNeedsReset = 0x40, kFailed = 0x80;
inline constexpr uint16_t kDescNext = 1, kDescWrite = 2, kDescIndirect = 4;
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
};
inline constexpr uint64_t kLinuxNetFeatures =
    F(kVersion1) | F(kIndirect) | F(kEventIdx) | F(kAccessPlatform) | F(kMtu) |
    F(kMac) | F(kMrgRxbuf) | F(kStatus) | F(kCtrlVq) | F(kCtrlRx) |
    F(kCtrlVlan) | F(kGuestAnnounce) | F(kCtrlMacAddr);

struct CoreDeleter {
  void operator()(SnicCore* c) const { snic_core_free(c); }
};
using CorePtr = std::unique_ptr<SnicCore, CoreDeleter>;

inline SnicConfig TestConfig(uint16_t total_vfs) {
  SnicConfig c{};
  c.total_vfs = total_vfs;
  const uint8_t mac[6] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
  std::memcpy(c.pf_mac, mac, 6);
  c.mtu = 1500;
  c.queue_size = 256;
  return c;
}

// Guest RAM allocator over FakeHost::mem.
class GuestRam {
 public:
  explicit GuestRam(FakeHost& host) : host_(host) {}
  uint64_t Alloc(uint64_t len, uint64_t align = 64) {
    next_ = (next_ + align - 1) & ~(align - 1);
    const uint64_t a = next_;
    next_ += len;
    if (next_ > host_.mem.size()) host_.mem.resize(next_ + 4096, 0);
    return a;
  }
  void Put(uint64_t a, const void* p, size_t n) {
    std::memcpy(host_.mem.data() + a, p, n);
  }
  void Get(uint64_t a, void* p, size_t n) const {
    std::memcpy(p, host_.mem.data() + a, n);
  }
  template <typename T>
  void Put(uint64_t a, T v) {
    uint8_t b[sizeof(T)];
    for (size_t i = 0; i < sizeof(T); ++i)
      b[i] = uint8_t(uint64_t(v) >> (8 * i));
    Put(a, b, sizeof(T));
  }
  template <typename T>
  T Get(uint64_t a) const {
    uint64_t v = 0;
    for (size_t i = 0; i < sizeof(T); ++i)
      v |= uint64_t(host_.mem[a + i]) << (8 * i);
    return T(v);
  }
  std::vector<uint8_t> Bytes(uint64_t a, size_t n) const {
    return std::vector<uint8_t>(host_.mem.begin() + a,
                                host_.mem.begin() + a + n);
  }

 private:
  FakeHost& host_;
  uint64_t next_ = 0x10000;
};

struct Buf {
  uint64_t addr;
  uint32_t len;
  bool writable;
};

struct UsedElem {
  uint32_t id;
  uint32_t len;
};

// The driver's view of one split virtqueue.
class DriverQueue {
 public:
  DriverQueue(GuestRam& ram, SnicCore* core, SnicFn fn, uint16_t index,
              uint16_t size)
      : ram_(ram), core_(core), fn_(fn), index_(index), size_(size) {
    desc = ram.Alloc(16ull * size, 4096);
    avail = ram.Alloc(6 + 2ull * size, 64);
    used = ram.Alloc(6 + 8ull * size, 64);
    for (uint16_t i = 0; i < size; ++i) free_.push_back(i);
  }

  uint16_t size() const { return size_; }
  uint16_t index() const { return index_; }
  // The device moved (a migration): doorbells go to @core.
  void set_core(SnicCore* core) { core_ = core; }
  bool event_idx = false;

  // Raw descriptor write (hostile tests build anything with this).
  void WriteDesc(uint64_t table, uint16_t i, uint64_t addr, uint32_t len,
                 uint16_t flags, uint16_t next) {
    ram_.Put<uint64_t>(table + 16ull * i, addr);
    ram_.Put<uint32_t>(table + 16ull * i + 8, len);
    ram_.Put<uint16_t>(table + 16ull * i + 12, flags);
    ram_.Put<uint16_t>(table + 16ull * i + 14, next);
  }
  // Puts @head in the next avail slot and publishes the index.
  void PublishHead(uint16_t head) {
    ram_.Put<uint16_t>(avail + 4 + 2ull * (avail_idx_ % size_), head);
    avail_idx_++;
    ram_.Put<uint16_t>(avail + 2, avail_idx_);
  }
  void SetAvailIdx(uint16_t idx) {
    avail_idx_ = idx;
    ram_.Put<uint16_t>(avail + 2, idx);
  }

  // Adds a chain like virtqueue_add(): readable buffers first. With
  // @indirect, one ring descriptor points at a table of the buffers.
  // Returns the head, or nullopt when the ring is full.
  std::optional<uint16_t> Add(const std::vector<Buf>& bufs,
                              bool indirect = false) {
    if (indirect) {
      if (free_.empty()) return std::nullopt;
      const uint64_t table = ram_.Alloc(16ull * bufs.size(), 16);
      for (size_t i = 0; i < bufs.size(); ++i) {
        const bool last = i + 1 == bufs.size();
        WriteDesc(table, uint16_t(i), bufs[i].addr, bufs[i].len,
                  uint16_t((bufs[i].writable ? kDescWrite : 0) |
                           (last ? 0 : kDescNext)),
                  uint16_t(last ? 0 : i + 1));
      }
      const uint16_t head = Take();
      WriteDesc(desc, head, table, uint32_t(16 * bufs.size()), kDescIndirect,
                0);
      chains_[head] = {head};
      PublishHead(head);
      return head;
    }
    if (free_.size() < bufs.size()) return std::nullopt;
    std::vector<uint16_t> ids;
    for (size_t i = 0; i < bufs.size(); ++i) ids.push_back(Take());
    for (size_t i = 0; i < bufs.size(); ++i) {
      const bool last = i + 1 == bufs.size();
      WriteDesc(desc, ids[i], bufs[i].addr, bufs[i].len,
                uint16_t((bufs[i].writable ? kDescWrite : 0) |
                         (last ? 0 : kDescNext)),
                last ? 0 : ids[i + 1]);
    }
    chains_[ids[0]] = ids;
    PublishHead(ids[0]);
    return ids[0];
  }

  // virtqueue_kick_prepare(): does the device want a notification?
  bool KickNeeded() {
    const uint16_t old = kicked_idx_, now = avail_idx_;
    kicked_idx_ = now;
    if (event_idx) {
      const uint16_t ev = ram_.Get<uint16_t>(used + 4 + 8ull * size_);
      return uint16_t(now - ev - 1) < uint16_t(now - old);
    }
    return !(ram_.Get<uint16_t>(used) & 1);
  }
  void Kick() {
    snic_core_mmio_write(core_, fn_, kRegionNotify, uint64_t(index_) * kNotifyMult,
                         index_, 2);
  }
  void AddAndKick(const std::vector<Buf>& bufs, bool indirect = false) {
    Add(bufs, indirect);
    if (KickNeeded()) Kick();
  }

  // virtqueue_get_buf(): next used element, recycling its descriptors.
  std::optional<UsedElem> GetUsed() {
    const uint16_t idx = ram_.Get<uint16_t>(used + 2);
    if (idx == last_used_) return std::nullopt;
    const uint64_t e = used + 4 + 8ull * (last_used_ % size_);
    UsedElem u{ram_.Get<uint32_t>(e), ram_.Get<uint32_t>(e + 4)};
    last_used_++;
    if (event_idx) ram_.Put<uint16_t>(avail + 4 + 2ull * size_, last_used_);
    auto it = chains_.find(uint16_t(u.id));
    if (it != chains_.end()) {
      for (uint16_t d : it->second) free_.push_back(d);
      chains_.erase(it);
    }
    return u;
  }
  uint16_t used_idx() const { return ram_.Get<uint16_t>(used + 2); }
  uint16_t avail_idx() const { return avail_idx_; }
  // VRING_AVAIL_F_NO_INTERRUPT / used_event for interrupt suppression.
  void SetNoInterrupt(bool on) { ram_.Put<uint16_t>(avail, on ? 1 : 0); }
  void SetUsedEvent(uint16_t v) {
    ram_.Put<uint16_t>(avail + 4 + 2ull * size_, v);
  }

  uint64_t desc = 0, avail = 0, used = 0;

 private:
  uint16_t Take() {
    const uint16_t d = free_.front();
    free_.erase(free_.begin());
    return d;
  }

  GuestRam& ram_;
  SnicCore* core_;
  SnicFn fn_;
  uint16_t index_;
  uint16_t size_;
  uint16_t avail_idx_ = 0;
  uint16_t kicked_idx_ = 0;
  uint16_t last_used_ = 0;
  std::vector<uint16_t> free_;
  std::map<uint16_t, std::vector<uint16_t>> chains_;
};

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
      if (q) q->set_core(core);
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
    queues_[q] = std::make_unique<DriverQueue>(ram_, core_, fn_, q, size);
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
  DriverQueue& rx() { return *queues_[0]; }
  DriverQueue& tx() { return *queues_[1]; }
  DriverQueue& ctrl() { return *queues_[2]; }
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
  GuestRam& ram_;
  SnicCore* core_;
  SnicFn fn_;
  uint64_t features_ = 0;
  std::unique_ptr<DriverQueue> queues_[3];
  std::map<uint64_t, uint32_t> rx_bufs_;
};

// Ethernet frame: dst, src, ethertype, then @payload_len pattern bytes.
inline std::vector<uint8_t> Frame(const std::array<uint8_t, 6>& dst,
                                  const std::array<uint8_t, 6>& src,
                                  size_t payload_len = 46,
                                  uint16_t ethertype = 0x0800,
                                  uint8_t seed = 0) {
  std::vector<uint8_t> f(dst.begin(), dst.end());
  f.insert(f.end(), src.begin(), src.end());
  f.push_back(uint8_t(ethertype >> 8));
  f.push_back(uint8_t(ethertype));
  for (size_t i = 0; i < payload_len; ++i) f.push_back(uint8_t(i * 7 + seed));
  return f;
}

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

inline constexpr std::array<uint8_t, 6> kBroadcast = {0xff, 0xff, 0xff,
                                                      0xff, 0xff, 0xff};
inline constexpr std::array<uint8_t, 6> kRemote = {0x52, 0x54, 0x00,
                                                   0xaa, 0xbb, 0xcc};

// A core plus guest RAM: the usual fixture.
struct Bed {
  explicit Bed(uint16_t total_vfs = 4, uint16_t queue_size = 256)
      : host(4 << 20), ram(host) {
    SnicConfig cfg = TestConfig(total_vfs);
    cfg.queue_size = queue_size;
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
