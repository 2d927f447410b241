// Unit tests: packed virtqueues and queue_reset through the whole core,
// driven like Linux's virtio_ring (issue 9): offered only with the packed
// property; traffic both ways over many laps of small rings; mergeable
// frames over several packed buffers; the control queue; a packed VF
// talking to a split one; a transmitq and a receiveq reset alone
// (RING_RESET, as ethtool -G does) while traffic is held; migration of
// packed rings mid-lap; a looped packed chain puts only its function in
// NEEDS_RESET.
// SPDX-License-Identifier: GPL-2.0-or-later
#include <gtest/gtest.h>

#include <cstdlib>
#include <deque>
#include <string>
#include <vector>

#include "fakes/fake_driver.h"
#include "fakes/frames.h"

namespace snic::testing {
namespace {

constexpr uint64_t kPackedFeatures = kLinuxNetFeatures | F(kRingPacked);
constexpr uint8_t kNeedsReset = 0x40;

using Frames = std::vector<std::vector<uint8_t>>;

SnicConfig PackedConfig() {
  SnicConfig c = TestConfig(4);
  c.queue_pairs = 1;
  c.packed = true;
  return c;
}

// One function: its driver and posted RX buffers (mergeable: a frame may
// take several, num_buffers says how many).
class Fn {
 public:
  Fn(Bed& bed, SnicFn fn) : bed_(bed), d_(bed.Driver(fn)) {}
  bool Init(uint64_t features, uint16_t qsize = 16) {
    return d_.Init(features, qsize);
  }
  void Post(int n, uint32_t len = 2048) {
    for (uint64_t a : d_.PostRx(n, len)) bufs_.push_back({a, len});
  }
  Frames Received() {
    Frames out;
    while (auto u = d_.rx().GetUsed()) {
      auto [a, len] = bufs_.front();
      bufs_.pop_front();
      const uint16_t nb = bed_.ram.Get<uint16_t>(a + 10);
      auto b = bed_.ram.Bytes(a + 12, u->len - 12);
      std::vector<uint8_t> f(b.begin(), b.end());
      for (uint16_t i = 1; i < nb; ++i) {
        auto more = d_.rx().GetUsed();
        EXPECT_TRUE(more);
        if (!more) break;
        auto [m, mlen] = bufs_.front();
        bufs_.pop_front();
        auto c = bed_.ram.Bytes(m, more->len);
        f.insert(f.end(), c.begin(), c.end());
      }
      out.push_back(std::move(f));
    }
    return out;
  }
  void Send(const std::vector<uint8_t>& f) { d_.Send(f); }
  // Transmit chains the device has given back.
  int TxDone() {
    int n = 0;
    while (d_.tx().GetUsed()) ++n;
    return n;
  }
  FakeDriver& d() { return d_; }
  std::array<uint8_t, 6> mac() { return MacOf(bed_.core.get(), d_.fn()); }
  // queue_reset of queue @q, then the queue set up again like
  // virtio_pci_modern's vp_modern_enable_vq_after_reset.
  void ResetQueue(uint16_t q, uint16_t size) {
    d_.SetCommon(kQSelect, q, 2);
    d_.SetCommon(kQReset, 1, 2);
    EXPECT_EQ(d_.Common(kQReset, 2), 0u);
    EXPECT_EQ(d_.Common(kQEnable, 2), 0u);
    d_.SetupQueue(q, size, uint16_t(q + 1));
    if (q == 0) bufs_.clear();
  }
  void set_core(SnicCore* core) { d_.set_core(core); }

 private:
  Bed& bed_;
  FakeDriver d_;
  std::deque<std::pair<uint64_t, uint32_t>> bufs_;
};

class PackedRings : public ::testing::Test {
 protected:
  PackedRings() : bed_(4, 256, true, 1, true) {}
  void Start(uint64_t vf0 = kPackedFeatures, uint64_t vf1 = kPackedFeatures) {
    snic_core_set_num_vfs(bed_.core.get(), 2);
    ASSERT_TRUE(pf_.Init(kPackedFeatures));
    ASSERT_TRUE(a_.Init(vf0));
    ASSERT_TRUE(b_.Init(vf1));
  }
  std::string MigrateCore() {
    SnicConfig cfg = PackedConfig();
    uint8_t* buf = nullptr;
    const size_t n = snic_core_save_state(bed_.core.get(), &buf);
    std::vector<uint8_t> state(buf, buf + n);
    std::free(buf);
    char err[256] = {};
    CorePtr next(snic_core_new(&cfg, &bed_.host.ops(), bed_.host.opaque(),
                               err, sizeof(err)));
    if (!next ||
        !snic_core_load_state(next.get(), state.data(), n, err, sizeof(err))) {
      return err;
    }
    buf = nullptr;
    const size_t n2 = snic_core_save_state(next.get(), &buf);
    EXPECT_EQ(std::vector<uint8_t>(buf, buf + n2), state);
    std::free(buf);
    bed_.core = std::move(next);
    bed_.host.core = bed_.core.get();
    for (Fn* f : {&pf_, &a_, &b_}) f->set_core(bed_.core.get());
    return {};
  }

  Bed bed_;
  Fn pf_{bed_, 0}, a_{bed_, 1}, b_{bed_, 2};
};

TEST(PackedOffer, OnlyWithThePackedProperty) {
  Bed split(2);
  FakeDriver d = split.Driver(0);
  EXPECT_FALSE(d.DeviceFeatures() & F(kRingPacked));
  EXPECT_TRUE(d.DeviceFeatures() & F(kRingReset));
  EXPECT_FALSE(d.Negotiate(kPackedFeatures));
  Bed packed(2, 256, true, 1, true);
  FakeDriver p = packed.Driver(0);
  EXPECT_TRUE(p.DeviceFeatures() & F(kRingPacked));
  EXPECT_TRUE(p.Negotiate(kPackedFeatures));
}

// 16-entry rings, 300 frames: both positions go round many times.
TEST_F(PackedRings, TrafficBothWaysOverManyLaps) {
  Start();
  Frames sent_ab, sent_ba, got_ab, got_ba;
  for (int round = 0; round < 30; ++round) {
    a_.Post(5);
    b_.Post(5);
    for (int i = 0; i < 5; ++i) {
      sent_ab.push_back(Frame(b_.mac(), a_.mac(), 60 + round * 7 + i, 0x0800,
                              uint8_t(round * 5 + i)));
      a_.Send(sent_ab.back());
      sent_ba.push_back(Frame(a_.mac(), b_.mac(), 1400 - round, 0x86dd,
                              uint8_t(i)));
      b_.Send(sent_ba.back());
    }
    bed_.RunAll();
    for (auto& f : b_.Received()) got_ab.push_back(f);
    for (auto& f : a_.Received()) got_ba.push_back(f);
    EXPECT_EQ(a_.TxDone(), 5) << round;
    EXPECT_EQ(b_.TxDone(), 5) << round;
  }
  EXPECT_TRUE(got_ab == sent_ab);
  EXPECT_TRUE(got_ba == sent_ba);
  EXPECT_TRUE(bed_.host.guest_errors.empty());
  EXPECT_EQ(bed_.Stats(2).rx_packets, 150u);
}

TEST_F(PackedRings, AMergeableFrameTakesSeveralPackedBuffers) {
  Start();
  b_.Post(12, 1024);
  const auto big = Frame(b_.mac(), a_.mac(), 5000);
  a_.Send(big);
  bed_.RunAll();
  const Frames got = b_.Received();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0], big);
}

TEST_F(PackedRings, ControlQueueAndASplitPeer) {
  Start(kPackedFeatures, kLinuxNetFeatures);  // VF 1 split
  EXPECT_EQ(a_.d().Control(kClassVlan, kVlanAdd, {5, 0}), kCtrlOk);
  EXPECT_EQ(a_.d().Control(kClassVlan, kVlanDel, {5, 0}), kCtrlOk);
  EXPECT_EQ(a_.d().Control(kClassVlan, 9, {5, 0}), kCtrlErr);
  a_.Post(4);
  b_.Post(4);
  const auto ab = Frame(b_.mac(), a_.mac());
  const auto ba = Frame(a_.mac(), b_.mac(), 300);
  a_.Send(ab);
  b_.Send(ba);
  bed_.RunAll();
  EXPECT_EQ(b_.Received(), Frames{ab});
  EXPECT_EQ(a_.Received(), Frames{ba});
}

// ethtool -G: the driver resets one queue and sets it up again while the
// function runs. A frame held in the old transmitq is gone with it; the
// new ring works; the other queues never stopped.
TEST_F(PackedRings, TransmitqResetWhileAFrameIsHeld) {
  Start(kPackedFeatures | F(kRingReset));
  a_.Send(Frame(b_.mac(), a_.mac(), 100, 0x0800, 1));  // B has no buffers
  bed_.RunAll();
  EXPECT_EQ(a_.TxDone(), 0);
  a_.ResetQueue(1, 32);
  const auto next = Frame(b_.mac(), a_.mac(), 100, 0x0800, 2);
  a_.Send(next);
  bed_.RunAll();
  b_.Post(4);
  bed_.RunAll();
  EXPECT_EQ(b_.Received(), Frames{next});
  EXPECT_EQ(a_.TxDone(), 1);
  EXPECT_EQ(a_.d().status() & kNeedsReset, 0);
  EXPECT_TRUE(bed_.host.guest_errors.empty());
}

TEST_F(PackedRings, ReceiveqResetTakesNewBuffers) {
  Start(kPackedFeatures, kPackedFeatures | F(kRingReset));
  b_.Post(4);
  b_.ResetQueue(0, 64);  // the 4 buffers are the driver's again
  const auto f = Frame(b_.mac(), a_.mac(), 200);
  a_.Send(f);
  bed_.RunAll();
  EXPECT_TRUE(b_.Received().empty());  // no buffers on the new ring yet
  b_.Post(4);
  bed_.RunAll();
  EXPECT_EQ(b_.Received(), Frames{f});
}

TEST_F(PackedRings, QueueResetWithoutTheFeatureChangesNothing) {
  Start();
  a_.d().SetCommon(kQSelect, 1, 2);
  a_.d().SetCommon(kQReset, 1, 2);
  EXPECT_EQ(a_.d().Common(kQEnable, 2), 1u);
  EXPECT_FALSE(bed_.host.guest_errors.empty());
  b_.Post(2);
  const auto f = Frame(b_.mac(), a_.mac());
  a_.Send(f);
  bed_.RunAll();
  EXPECT_EQ(b_.Received(), Frames{f});
}

TEST_F(PackedRings, MigrationMidLap) {
  Start();
  for (int i = 0; i < 21; ++i) {  // 21 of 16: the second lap
    b_.Post(1);
    a_.Send(Frame(b_.mac(), a_.mac(), 80, 0x0800, uint8_t(i)));
    bed_.RunAll();
    ASSERT_EQ(b_.Received().size(), 1u) << i;
    ASSERT_EQ(a_.TxDone(), 1);
  }
  // In the ring when the VM stops (its doorbell never rang): the
  // destination finds it. (MACs read before: no register access while
  // stopped.)
  const auto late = Frame(b_.mac(), a_.mac(), 90, 0x0800, 99);
  b_.Post(3);
  snic_core_set_running(bed_.core.get(), false);
  const uint64_t h = bed_.ram.Alloc(12, 16);
  const std::vector<uint8_t> zero(12, 0);
  bed_.ram.Put(h, zero.data(), 12);
  const uint64_t d = bed_.ram.Alloc(late.size(), 16);
  bed_.ram.Put(d, late.data(), late.size());
  a_.d().tx().Add({{h, 12, false}, {d, uint32_t(late.size()), false}});
  ASSERT_EQ(MigrateCore(), "");
  bed_.RunAll();
  EXPECT_EQ(b_.Received(), Frames{late});
  EXPECT_EQ(a_.TxDone(), 1);
  for (int i = 0; i < 20; ++i) {
    b_.Post(1);
    const auto f = Frame(b_.mac(), a_.mac(), 70, 0x0800, uint8_t(i));
    a_.Send(f);
    bed_.RunAll();
    const Frames got = b_.Received();
    ASSERT_EQ(got.size(), 1u) << i;
    EXPECT_TRUE(got[0] == f);
    EXPECT_EQ(a_.TxDone(), 1);
  }
  EXPECT_TRUE(bed_.host.guest_errors.empty());
}

TEST_F(PackedRings, ALoopedChainBreaksOnlyItsFunction) {
  Start();
  DriverQueue& tx = a_.d().tx();
  const uint16_t pos = tx.next_avail();
  for (uint16_t i = 0; i < tx.size(); ++i) {
    tx.PutPacked(uint16_t((pos + i) % tx.size()), bed_.ram.Alloc(64), 64, 0,
                 uint16_t(DriverQueue::AvailBits(tx.avail_wrap()) | kDescNext));
  }
  tx.Kick();
  bed_.RunAll();
  EXPECT_TRUE(a_.d().status() & kNeedsReset);
  ASSERT_FALSE(bed_.host.guest_errors.empty());
  // B and the PF go on.
  pf_.Post(2);
  const auto f = Frame(pf_.mac(), b_.mac());
  b_.Send(f);
  bed_.RunAll();
  EXPECT_EQ(pf_.Received(), Frames{f});
  EXPECT_EQ(b_.d().status() & kNeedsReset, 0);
}

}  // namespace
}  // namespace snic::testing
