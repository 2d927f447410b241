// Unit tests: one packed virtqueue (virtio/queue/virtqueue.h, virtio 1.2
// 2.8) against a packed DriverQueue laid out in FakeMemory guest RAM:
// Enable's layout checks, chains across the ring's end and both wrap
// counters, Unpop, batched used descriptors (first flags last), indirect
// tables, hostile rings (loops around the ring, indirect inside a chain,
// bad tables, DMA faults), event suppression both ways, migration state;
// and queue_reset in the transport (VIRTIO_F_RING_RESET).
// SPDX-License-Identifier: GPL-2.0-or-later
#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <vector>

#include "base/status.h"
#include "fakes/driver_queue.h"
#include "fakes/fake_memory.h"
#include "virtio/queue/descriptor_chain.h"
#include "virtio/queue/virtqueue.h"
#include "virtio/spec.h"
#include "virtio/transport.h"

namespace snic::testing {
namespace {

using Code = Status::Code;
using virtio::QueueFeatures;
using virtio::Virtqueue;

constexpr QueueFeatures kPacked{.indirect = true, .event_idx = false,
                                .packed = true};
constexpr QueueFeatures kPackedEventIdx{.indirect = true, .event_idx = true,
                                        .packed = true};

struct Popped {
  uint16_t id;
  size_t readable, writable;
  uint64_t readable_bytes, writable_bytes;
};

class Packed : public ::testing::Test {
 protected:
  void Configure(uint16_t size) {
    drv_.emplace(fake_.ram, 0, size, std::function<void()>{}, true);
    q_.Reset(256);
    q_.set_size(size);
    q_.set_desc(drv_->desc);
    q_.set_driver(drv_->avail);
    q_.set_device(drv_->used);
    ASSERT_TRUE(q_.Enable(true).ok());
  }
  void SetUp() override { Configure(8); }
  DriverQueue& drv() { return *drv_; }
  uint16_t AddBuffer(uint32_t len = 64, bool writable = false) {
    return *drv().Add({{fake_.ram.Alloc(len), len, writable}});
  }
  std::optional<Popped> Pop(QueueFeatures f = kPacked) {
    virtio::DescriptorChain c;
    bool got = true;
    const Status s = q_.Pop(fake_.Mem(), f, &c, &got);
    EXPECT_TRUE(s.ok()) << s.message();
    if (!got) return std::nullopt;
    return Popped{c.head(), c.num_readable(), c.num_writable(),
                  c.readable_bytes(), c.writable_bytes()};
  }
  Status PopStatus() {
    virtio::DescriptorChain c;
    bool got = true;
    Status s = q_.Pop(fake_.Mem(), kPacked, &c, &got);
    EXPECT_FALSE(s.ok() && got) << "a chain came with an error";
    return s;
  }
  void Push(uint16_t id, uint32_t len = 0) {
    ASSERT_TRUE(q_.Push(fake_.Mem(), id, len).ok());
  }
  bool Notify(QueueFeatures f = kPacked) {
    bool n = false;
    const Status s = q_.ShouldNotify(fake_.Mem(), f, &n);
    EXPECT_TRUE(s.ok()) << s.message();
    return n;
  }

  FakeMemory fake_;
  std::optional<DriverQueue> drv_;
  Virtqueue q_;
};

// ---- Enable ----

TEST(PackedConfig, AnySizeUpToTheMaximumAndItsAlignment) {
  for (uint16_t size : {1, 3, 100, 256}) {
    Virtqueue q;
    q.Reset(256);
    q.set_size(size);
    EXPECT_TRUE(q.Enable(true).ok()) << size;
    EXPECT_TRUE(q.packed());
  }
  struct Layout {
    uint64_t desc, driver, device;
    bool ok;
  };
  for (const Layout& l : {Layout{0x1000, 0x2000, 0x3000, true},
                          Layout{0x1010, 0x2004, 0x3004, true},
                          Layout{0x1008, 0x2000, 0x3000, false},
                          Layout{0x1000, 0x2002, 0x3000, false},
                          Layout{0x1000, 0x2000, 0x3002, false},
                          Layout{~0ull - 15, 0x2000, 0x3000, false},
                          Layout{0x1000, ~0ull - 1, 0x3000, false}}) {
    Virtqueue q;
    q.Reset(16);
    q.set_desc(l.desc);
    q.set_driver(l.driver);
    q.set_device(l.device);
    EXPECT_EQ(q.Enable(true).ok(), l.ok)
        << std::hex << l.desc << " " << l.driver << " " << l.device;
  }
  Virtqueue q;
  q.Reset(16);
  q.set_size(0);
  EXPECT_FALSE(q.Enable(true).ok());
}

// ---- taking and giving back chains ----

TEST_F(Packed, ChainsComeInOrderWithTheirIds) {
  EXPECT_EQ(Pop(), std::nullopt);
  const uint16_t a = AddBuffer(100);
  const uint64_t w = fake_.ram.Alloc(200);
  const uint16_t b = *drv().Add({{fake_.ram.Alloc(14), 14, false},
                                 {fake_.ram.Alloc(50), 50, false},
                                 {w, 200, true}});
  auto p = Pop();
  ASSERT_TRUE(p);
  EXPECT_EQ(p->id, a);
  EXPECT_EQ(p->readable_bytes, 100u);
  p = Pop();
  ASSERT_TRUE(p);
  EXPECT_EQ(p->id, b);
  EXPECT_EQ(p->readable, 2u);
  EXPECT_EQ(p->writable, 1u);
  EXPECT_EQ(p->readable_bytes, 64u);
  EXPECT_EQ(p->writable_bytes, 200u);
  EXPECT_EQ(Pop(), std::nullopt);
  EXPECT_EQ(q_.last_avail(), 4u);
}

// Round after round through a ring of 8 with chains of 1..3 descriptors:
// both positions wrap, the wrap counters flip, the driver gets every id
// back with its length, and recycles the descriptors.
TEST_F(Packed, ManyLapsAroundTheRing) {
  int completed = 0;
  for (int round = 0; round < 40; ++round) {
    const size_t n = 1 + round % 3;
    std::vector<Buf> bufs;
    for (size_t i = 0; i < n; ++i) {
      bufs.push_back({fake_.ram.Alloc(32), 32, i + 1 == n});
    }
    const auto id = drv().Add(bufs);
    ASSERT_TRUE(id) << round;
    auto p = Pop();
    ASSERT_TRUE(p) << round;
    EXPECT_EQ(p->id, *id);
    EXPECT_EQ(p->readable + p->writable, n);
    Push(p->id, uint32_t(round));
    auto u = drv().GetUsed();
    ASSERT_TRUE(u) << round;
    EXPECT_EQ(u->id, *id);
    EXPECT_EQ(u->len, uint32_t(round));
    EXPECT_EQ(drv().GetUsed(), std::nullopt);
    ++completed;
  }
  EXPECT_EQ(completed, 40);
  EXPECT_EQ(q_.last_avail(), q_.used_idx());
  EXPECT_EQ(q_.avail_wrap(), drv().avail_wrap());
  EXPECT_EQ(q_.used_wrap(), drv().used_wrap());
}

TEST_F(Packed, UnpopGivesBackAcrossTheRingsEnd) {
  // Move both sides to position 6 of 8.
  for (int i = 0; i < 3; ++i) {
    drv().Add({{fake_.ram.Alloc(8), 8, false}, {fake_.ram.Alloc(8), 8, true}});
    auto p = Pop();
    ASSERT_TRUE(p);
    Push(p->id);
    ASSERT_TRUE(drv().GetUsed());
  }
  ASSERT_EQ(q_.last_avail(), 6u);
  // A 3-descriptor chain crossing the end, then a single one.
  const uint16_t a = *drv().Add({{fake_.ram.Alloc(8), 8, false},
                                 {fake_.ram.Alloc(8), 8, false},
                                 {fake_.ram.Alloc(8), 8, true}});
  const uint16_t b = AddBuffer();
  ASSERT_TRUE(Pop());
  ASSERT_TRUE(Pop());
  EXPECT_EQ(q_.last_avail(), 2u);
  EXPECT_FALSE(q_.avail_wrap());
  q_.Unpop(2);
  EXPECT_EQ(q_.last_avail(), 6u);
  EXPECT_TRUE(q_.avail_wrap());
  auto p = Pop();
  ASSERT_TRUE(p);
  EXPECT_EQ(p->id, a);
  q_.Unpop(1);
  p = Pop();
  EXPECT_EQ(p->id, a);
  p = Pop();
  EXPECT_EQ(p->id, b);
}

// Fill records, Flush writes: a chain given back after a Fill of the one
// before it is intact, and a batch appears at once: the first element's
// flags are the last bytes written.
TEST_F(Packed, FillTouchesNothingFlushWritesTheFirstFlagsLast) {
  const uint16_t a = AddBuffer(64, true);
  const uint16_t b = *drv().Add({{fake_.ram.Alloc(64), 64, true},
                                 {fake_.ram.Alloc(64), 64, true}});
  const uint16_t c = AddBuffer(64, true);
  virtio::DescriptorChain ch;
  bool got = false;
  ASSERT_TRUE(q_.Pop(fake_.Mem(), kPacked, &ch, &got).ok() && got);
  ASSERT_TRUE(q_.Pop(fake_.Mem(), kPacked, &ch, &got).ok() && got);
  const size_t writes = fake_.writes;
  ASSERT_TRUE(q_.Fill(fake_.Mem(), 0, a, 10).ok());
  ASSERT_TRUE(q_.Fill(fake_.Mem(), 1, b, 20).ok());
  EXPECT_EQ(fake_.writes, writes);
  EXPECT_FALSE(q_.Fill(fake_.Mem(), 2, c, 30).ok());  // never taken
  std::vector<uint64_t> order;
  fake_.on_write = [&](uint64_t addr, size_t) { order.push_back(addr); };
  ASSERT_TRUE(q_.Flush(fake_.Mem(), 2).ok());
  fake_.on_write = nullptr;
  ASSERT_FALSE(order.empty());
  EXPECT_EQ(order.back(), drv().desc + 14);  // slot 0's flags, last
  auto u = drv().GetUsed();
  ASSERT_TRUE(u);
  EXPECT_EQ(u->id, a);
  EXPECT_EQ(u->len, 10u);
  u = drv().GetUsed();
  ASSERT_TRUE(u);  // at slot 1: past a's one descriptor
  EXPECT_EQ(u->id, b);
  EXPECT_EQ(u->len, 20u);
  EXPECT_EQ(drv().GetUsed(), std::nullopt);
  // c is still there for the device.
  auto p = Pop();
  ASSERT_TRUE(p);
  EXPECT_EQ(p->id, c);
}

TEST_F(Packed, IndirectTables) {
  const uint64_t w = fake_.ram.Alloc(100);
  const auto id = drv().Add({{fake_.ram.Alloc(12), 12, false},
                             {fake_.ram.Alloc(60), 60, false},
                             {w, 100, true}},
                            /*indirect=*/true);
  auto p = Pop();
  ASSERT_TRUE(p);
  EXPECT_EQ(p->id, *id);
  EXPECT_EQ(p->readable, 2u);
  EXPECT_EQ(p->writable_bytes, 100u);
  Push(p->id, 5);
  auto u = drv().GetUsed();
  ASSERT_TRUE(u);
  EXPECT_EQ(u->id, *id);
  // Without VIRTIO_F_RING_INDIRECT_DESC it is the driver's error.
  drv().Add({{fake_.ram.Alloc(12), 12, false}}, true);
  virtio::DescriptorChain c;
  bool got = false;
  const Status s = q_.Pop(fake_.Mem(), {.indirect = false, .packed = true},
                          &c, &got);
  EXPECT_EQ(s.code(), Code::kInvalid);
  EXPECT_FALSE(got);
}

// ---- hostile rings ----

TEST_F(Packed, AChainAroundTheWholeRingIsALoop) {
  for (uint16_t i = 0; i < 8; ++i) {
    drv().PutPacked(i, fake_.ram.Alloc(8), 8, 0,
                    uint16_t(DriverQueue::AvailBits(true) | kDescNext));
  }
  const Status s = PopStatus();
  EXPECT_EQ(s.code(), Code::kInvalid);
  EXPECT_STREQ(s.message(), "packed descriptor chain longer than the ring");
}

TEST_F(Packed, HostileDescriptorsAreTheDriversError) {
  const uint16_t avail = DriverQueue::AvailBits(true);
  struct Case {
    const char* what;
    std::vector<std::pair<uint32_t, uint16_t>> descs;  // len, extra flags
    uint64_t table_len;  // for INDIRECT (0: none)
  };
  const uint64_t tbl = fake_.ram.Alloc(64);
  // A table whose entry is itself indirect.
  fake_.ram.Put<uint64_t>(tbl, tbl);
  fake_.ram.Put<uint32_t>(tbl + 8, 16);
  fake_.ram.Put<uint16_t>(tbl + 14, kDescIndirect);
  for (const Case& c : std::vector<Case>{
           {"zero length", {{0, 0}}, 0},
           {"readable after writable", {{8, kDescWrite | kDescNext}, {8, 0}}, 0},
           {"indirect inside a chain", {{8, kDescNext}, {16, kDescIndirect}}, 0},
           {"indirect with NEXT", {{16, kDescIndirect | kDescNext}, {8, 0}}, 0},
           {"indirect table not whole descriptors", {{20, kDescIndirect}}, 0},
           {"nested indirect", {{16, kDescIndirect}}, tbl},
       }) {
    Configure(8);
    uint16_t pos = 0;
    for (auto [len, flags] : c.descs) {
      const uint64_t addr = (flags & kDescIndirect) && c.table_len
                                ? c.table_len
                                : fake_.ram.Alloc(64);
      drv().PutPacked(pos++, addr, len, 3, uint16_t(avail | flags));
    }
    const Status s = PopStatus();
    EXPECT_EQ(s.code(), Code::kInvalid) << c.what;
  }
  // A descriptor whose AVAIL/USED bits say "used" (or the other lap) is
  // not available: the ring is empty, not broken.
  Configure(8);
  drv().PutPacked(0, fake_.ram.Alloc(8), 8, 0, kDescAvail | kDescUsed);
  EXPECT_EQ(Pop(), std::nullopt);
  drv().PutPacked(0, fake_.ram.Alloc(8), 8, 0, 0);
  EXPECT_EQ(Pop(), std::nullopt);
  // An address range that wraps the 64-bit space.
  drv().PutPacked(0, ~0ull - 3, 8, 0, avail);
  EXPECT_EQ(PopStatus().code(), Code::kInvalid);
}

// A driver that re-publishes slots the device still holds cannot make it
// hold more chains than the ring has.
TEST_F(Packed, MoreChainsThanTheRingIsRefused) {
  Configure(4);
  for (int i = 0; i < 4; ++i) AddBuffer();
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(Pop());
  // Slot 0 again, marked available in the next lap.
  drv().PutPacked(0, fake_.ram.Alloc(8), 8, 0, DriverQueue::AvailBits(false));
  EXPECT_EQ(PopStatus().code(), Code::kInvalid);
}

TEST_F(Packed, RingDmaFailuresAreKDma) {
  AddBuffer();
  fake_.read_faults = {{drv().desc + 14, drv().desc + 16}};
  EXPECT_EQ(PopStatus().code(), Code::kDma);
  fake_.read_faults = {{drv().desc, drv().desc + 8}};
  EXPECT_EQ(PopStatus().code(), Code::kDma);
  fake_.read_faults.clear();
  auto p = Pop();  // nothing was consumed by the failures
  ASSERT_TRUE(p);
  fake_.write_faults = {{drv().desc, drv().desc + 16}};
  EXPECT_EQ(q_.Push(fake_.Mem(), p->id, 0).code(), Code::kDma);
  fake_.write_faults.clear();
  // An empty ring writes the device's event structure once: a fault there
  // is a DMA failure too.
  Configure(8);
  fake_.write_faults = {{drv().used, drv().used + 4}};
  EXPECT_EQ(PopStatus().code(), Code::kDma);
}

// ---- notifications ----

TEST_F(Packed, TheDeviceAsksForKicksOnceWhenTheRingRunsDry) {
  fake_.mem[drv().used + 2] = 0xff;  // garbage before the device writes
  fake_.mem[drv().used + 3] = 0xff;
  EXPECT_EQ(Pop(), std::nullopt);
  EXPECT_EQ(fake_.ram.Get<uint16_t>(drv().used + 2), kEventEnable);
  const size_t writes = fake_.writes;
  EXPECT_EQ(Pop(), std::nullopt);
  EXPECT_EQ(fake_.writes, writes);
  AddBuffer();
  EXPECT_TRUE(drv().KickNeeded());
  EXPECT_TRUE(Pop());
}

TEST_F(Packed, DriverEventSuppression) {
  // ENABLE: every batch interrupts.
  for (int i = 0; i < 3; ++i) {
    AddBuffer();
    auto p = Pop();
    Push(p->id);
    EXPECT_TRUE(Notify());
  }
  // DISABLE: none.
  drv().SetNoInterrupt(true);
  AddBuffer();
  Push(Pop()->id);
  EXPECT_FALSE(Notify());
  // DESC without EVENT_IDX negotiated: treated as ENABLE.
  drv().SetUsedEvent(0);
  AddBuffer();
  Push(Pop()->id);
  EXPECT_TRUE(Notify());
  // DESC with EVENT_IDX: only when the used position passes off_wrap.
  // Used position is 5 (wrap 1): ask for position 7 of this lap.
  drv().SetUsedEvent(uint16_t(7 | 1 << 15));
  EXPECT_FALSE(Notify(kPackedEventIdx));  // nothing new
  AddBuffer();
  Push(Pop()->id);  // used -> 6
  EXPECT_FALSE(Notify(kPackedEventIdx));
  AddBuffer();
  Push(Pop()->id);  // used -> 7
  EXPECT_FALSE(Notify(kPackedEventIdx));
  AddBuffer();
  Push(Pop()->id);  // used -> 0, next lap: passed 7
  EXPECT_TRUE(Notify(kPackedEventIdx));
}

// ---- migration ----

TEST_F(Packed, ExportCheckImport) {
  for (int i = 0; i < 11; ++i) {
    AddBuffer();
    Push(Pop()->id);
    ASSERT_TRUE(drv().GetUsed());
  }
  Virtqueue::State s = q_.Export();
  EXPECT_TRUE(s.packed);
  EXPECT_EQ(s.last_avail, 3u);
  EXPECT_FALSE(s.avail_wrap);
  EXPECT_TRUE(Virtqueue::Check(s, 256, 4).ok());
  Virtqueue d;
  d.Import(s, 256);
  AddBuffer();
  virtio::DescriptorChain c;
  bool got = false;
  ASSERT_TRUE(d.Pop(fake_.Mem(), kPacked, &c, &got).ok());
  ASSERT_TRUE(got);
  ASSERT_TRUE(d.Push(fake_.Mem(), c.head(), 7).ok());
  auto u = drv().GetUsed();
  ASSERT_TRUE(u);
  EXPECT_EQ(u->len, 7u);

  Virtqueue::State bad = s;
  bad.last_avail = 8;
  bad.used_idx = 8;
  EXPECT_FALSE(Virtqueue::Check(bad, 256, 4).ok());
  bad = s;
  bad.last_avail = 4;  // a chain in flight
  EXPECT_FALSE(Virtqueue::Check(bad, 256, 4).ok());
  bad = s;
  bad.avail_wrap = !bad.avail_wrap;
  EXPECT_FALSE(Virtqueue::Check(bad, 256, 4).ok());
  bad = s;
  bad.driver = 0x1002;  // misaligned event structure
  EXPECT_FALSE(Virtqueue::Check(bad, 256, 4).ok());
  bad = s;
  bad.packed = false;  // wrap counters on a split ring
  EXPECT_FALSE(Virtqueue::Check(bad, 256, 4).ok());
}

// ---- queue_reset (VIRTIO_F_RING_RESET) ----

virtio::TransportConfig ResetConfig() {
  virtio::TransportConfig c;
  c.device_features = virtio::Bit(virtio::kFVersion1) |
                      virtio::Bit(virtio::kFRingReset) |
                      virtio::Bit(virtio::kFRingPacked);
  c.num_queues = 3;
  c.num_vectors = 4;
  return c;
}

void Start(virtio::Transport& t, uint64_t features) {
  t.WriteCommon(0x14, 1, 1);
  t.WriteCommon(0x14, 1, 3);
  t.WriteCommon(0x08, 4, 0);
  t.WriteCommon(0x0c, 4, uint32_t(features));
  t.WriteCommon(0x08, 4, 1);
  t.WriteCommon(0x0c, 4, uint32_t(features >> 32));
  ASSERT_TRUE(t.WriteCommon(0x14, 1, 11).error.ok());
}

TEST(QueueReset, ResetsOneQueueWhichMayBeEnabledAgain) {
  virtio::Transport t(ResetConfig());
  Start(t, virtio::Bit(virtio::kFVersion1) | virtio::Bit(virtio::kFRingReset));
  for (uint16_t q = 0; q < 2; ++q) {
    t.WriteCommon(0x16, 2, q);
    t.WriteCommon(0x18, 2, 64);
    t.WriteCommon(0x1a, 2, q + 1);
    t.WriteCommon(0x20, 8, 0x10000 * (q + 1));
    t.WriteCommon(0x28, 8, 0x10000 * (q + 1) + 0x1000);
    t.WriteCommon(0x30, 8, 0x10000 * (q + 1) + 0x2000);
    ASSERT_TRUE(t.WriteCommon(0x1c, 2, 1).error.ok());
  }
  ASSERT_TRUE(t.WriteCommon(0x14, 1, 15).error.ok());
  t.WriteCommon(0x16, 2, 1);
  const virtio::WriteResult r = t.WriteCommon(0x3a, 2, 1);
  EXPECT_TRUE(r.error.ok()) << r.error.message();
  EXPECT_TRUE(r.events & virtio::kEventQueueReset);
  EXPECT_EQ(r.queue, 1u);
  Status err;
  EXPECT_EQ(t.ReadCommon(0x3a, 2, &err), 0u);  // done at once
  EXPECT_EQ(t.ReadCommon(0x1c, 2, &err), 0u);  // queue_enable
  EXPECT_EQ(t.ReadCommon(0x18, 2, &err), 256u);  // queue_size: the maximum
  EXPECT_EQ(t.ReadCommon(0x1a, 2, &err), virtio::kNoVector);
  EXPECT_FALSE(t.queue(1).enabled());
  EXPECT_TRUE(t.queue(0).enabled());  // the other queues keep going
  EXPECT_TRUE(t.driver_ok());
  // Set up again (another size) and enable, with DRIVER_OK set.
  t.WriteCommon(0x18, 2, 128);
  t.WriteCommon(0x20, 8, 0x50000);
  t.WriteCommon(0x28, 8, 0x51000);
  t.WriteCommon(0x30, 8, 0x52000);
  EXPECT_TRUE(t.WriteCommon(0x1c, 2, 1).error.ok());
  EXPECT_TRUE(t.queue(1).enabled());
  EXPECT_EQ(t.queue(1).size(), 128u);
  // Values other than 1 are the driver's error and change nothing.
  EXPECT_FALSE(t.WriteCommon(0x3a, 2, 2).error.ok());
  EXPECT_TRUE(t.queue(1).enabled());
}

TEST(QueueReset, WithoutTheFeatureItIsAGuestError) {
  virtio::Transport t(ResetConfig());
  Start(t, virtio::Bit(virtio::kFVersion1));
  t.WriteCommon(0x16, 2, 0);
  t.WriteCommon(0x20, 8, 0x10000);
  t.WriteCommon(0x28, 8, 0x11000);
  t.WriteCommon(0x30, 8, 0x12000);
  ASSERT_TRUE(t.WriteCommon(0x1c, 2, 1).error.ok());
  const virtio::WriteResult r = t.WriteCommon(0x3a, 2, 1);
  EXPECT_FALSE(r.error.ok());
  EXPECT_FALSE(r.events & virtio::kEventQueueReset);
  EXPECT_TRUE(t.queue(0).enabled());
}

TEST(QueueReset, PackedQueuesTakeAnySize) {
  virtio::Transport t(ResetConfig());
  Start(t, virtio::Bit(virtio::kFVersion1) | virtio::Bit(virtio::kFRingPacked));
  t.WriteCommon(0x16, 2, 0);
  EXPECT_TRUE(t.WriteCommon(0x18, 2, 100).error.ok());
  EXPECT_EQ(t.queue(0).size(), 100u);
  EXPECT_FALSE(t.WriteCommon(0x18, 2, 300).error.ok());
  t.WriteCommon(0x20, 8, 0x10000);
  t.WriteCommon(0x28, 8, 0x11000);
  t.WriteCommon(0x30, 8, 0x12000);
  ASSERT_TRUE(t.WriteCommon(0x1c, 2, 1).error.ok());
  EXPECT_TRUE(t.queue(0).packed());
}

}  // namespace
}  // namespace snic::testing
