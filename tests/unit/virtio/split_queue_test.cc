// Unit tests: one split virtqueue (virtio/queue/virtqueue.h) against a
// DriverQueue laid out in FakeMemory guest RAM: Enable's layout checks,
// Pop / Unpop, Fill / Flush / Push, and ShouldNotify with and without
// VIRTIO_F_RING_EVENT_IDX (virtio 1.2 2.7.7, 2.7.10).
// SPDX-License-Identifier: GPL-2.0-or-later
#include "virtio/queue/virtqueue.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <vector>

#include "base/status.h"
#include "fakes/driver_queue.h"
#include "fakes/fake_memory.h"
#include "virtio/queue/descriptor_chain.h"
#include "virtio/spec.h"

namespace snic::testing {
namespace {

using Code = Status::Code;
using virtio::QueueFeatures;
using virtio::Virtqueue;

constexpr QueueFeatures kPlain{};
constexpr QueueFeatures kEventIdx{.indirect = false, .event_idx = true};
constexpr QueueFeatures kIndirect{.indirect = true, .event_idx = false};

// A queue of @size entries as the driver programmed it, enabled.
class Queue : public ::testing::Test {
 protected:
  void Configure(uint16_t size, bool event_idx) {
    drv_.emplace(fake_.ram, 0, size);
    drv_->event_idx = event_idx;
    features_ = event_idx ? kEventIdx : kPlain;
    q_.Reset(256);
    q_.set_size(size);
    q_.set_desc(drv_->desc);
    q_.set_driver(drv_->avail);
    q_.set_device(drv_->used);
    ASSERT_TRUE(q_.Enable().ok());
  }
  void SetUp() override { Configure(8, false); }
  DriverQueue& drv() { return *drv_; }
  // One readable buffer of @len bytes.
  uint16_t AddBuffer(uint32_t len = 64) {
    return *drv().Add({{fake_.ram.Alloc(len), len, false}});
  }
  std::optional<uint16_t> Pop() {
    virtio::DescriptorChain chain;
    bool got = true;
    const Status s = q_.Pop(fake_.Mem(), features_, &chain, &got);
    EXPECT_TRUE(s.ok()) << s.message();
    if (!got) return std::nullopt;
    return chain.head();
  }
  Status PopStatus() {
    virtio::DescriptorChain chain;
    bool got = true;
    Status s = q_.Pop(fake_.Mem(), features_, &chain, &got);
    EXPECT_FALSE(s.ok() && got) << "a chain came with an error";
    return s;
  }
  bool Notify() {
    bool n = false;
    const Status s = q_.ShouldNotify(fake_.Mem(), features_, &n);
    EXPECT_TRUE(s.ok()) << s.message();
    return n;
  }
  void Push(uint16_t head, uint32_t len = 0) {
    ASSERT_TRUE(q_.Push(fake_.Mem(), head, len).ok());
  }

  FakeMemory fake_;
  std::optional<DriverQueue> drv_;
  QueueFeatures features_ = kPlain;
  Virtqueue q_;
};

// ---- configuration and Enable ----

TEST(VirtqueueConfig, ResetState) {
  Virtqueue q;
  q.Reset(128);
  EXPECT_EQ(q.max_size(), 128u);
  EXPECT_EQ(q.size(), 128u);  // 4.1.4.3: queue_size reads the maximum
  EXPECT_FALSE(q.enabled());
  EXPECT_EQ(q.msix_vector(), virtio::kNoVector);
  EXPECT_EQ(q.desc(), 0u);
  EXPECT_EQ(q.driver(), 0u);
  EXPECT_EQ(q.device(), 0u);
  EXPECT_EQ(q.last_avail(), 0u);
  EXPECT_EQ(q.used_idx(), 0u);
}

TEST(VirtqueueConfig, EnableChecksTheSize) {
  for (uint16_t bad : {0, 3, 12, 100, 256}) {
    Virtqueue q;
    q.Reset(128);
    q.set_size(bad);
    const Status s = q.Enable();
    EXPECT_EQ(s.code(), Code::kInvalid) << bad;
    EXPECT_STREQ(s.message(), "queue_enable with an invalid queue_size");
    EXPECT_FALSE(q.enabled());
  }
  for (uint16_t good : {1, 2, 64, 128}) {
    Virtqueue q;
    q.Reset(128);
    q.set_size(good);
    EXPECT_TRUE(q.Enable().ok()) << good;
    EXPECT_TRUE(q.enabled());
  }
}

// 2.7: descriptor table 16-byte, driver area 2-byte, device area 4-byte
// aligned.
TEST(VirtqueueConfig, EnableChecksAlignment) {
  struct Layout {
    uint64_t desc, driver, device;
    bool ok;
  };
  for (const Layout& l : {Layout{0x1000, 0x2000, 0x3000, true},
                          Layout{0x1010, 0x2002, 0x3004, true},
                          Layout{0x1008, 0x2000, 0x3000, false},
                          Layout{0x1001, 0x2000, 0x3000, false},
                          Layout{0x1000, 0x2001, 0x3000, false},
                          Layout{0x1000, 0x2000, 0x3002, false},
                          Layout{0x1000, 0x2000, 0x3001, false}}) {
    Virtqueue q;
    q.Reset(16);
    q.set_desc(l.desc);
    q.set_driver(l.driver);
    q.set_device(l.device);
    const Status s = q.Enable();
    EXPECT_EQ(s.ok(), l.ok)
        << std::hex << l.desc << " " << l.driver << " " << l.device;
    if (!l.ok) {
      EXPECT_STREQ(s.message(), "queue_enable with misaligned ring addresses");
    }
  }
}

TEST(VirtqueueConfig, EnableRefusesRingsThatWrap) {
  struct Layout {
    uint64_t desc, driver, device;
  };
  // Each area of a 256-entry ring (4096, 518 and 2054 bytes) starting
  // this close to the top of the address space would wrap around it.
  for (const Layout& l :
       {Layout{~0x7ffull & ~0xfull, 0x2000, 0x3000},
        Layout{0x1000, ~0x1ull, 0x3000}, Layout{0x1000, 0x2000, ~0x3ull}}) {
    Virtqueue q;
    q.Reset(256);
    q.set_desc(l.desc);
    q.set_driver(l.driver);
    q.set_device(l.device);
    const Status s = q.Enable();
    EXPECT_EQ(s.code(), Code::kInvalid);
    EXPECT_STREQ(s.message(),
                 "queue_enable with ring addresses that wrap around");
  }
}

// Areas that end exactly at the top of the address space (last byte at
// 2^64 - 1) do not wrap: CheckLayout was off by one there.
TEST(VirtqueueConfig, EnableAcceptsRingsEndingAtTheTop) {
  Virtqueue q;
  q.Reset(256);
  q.set_desc(0ull - 4096);   // 4096 bytes: [2^64 - 4096, 2^64)
  q.set_driver(0ull - 518);  // 6 + 2 * 256
  q.set_device(0ull - 2056); // 6 + 8 * 256 = 2054, 4-aligned start below it
  EXPECT_TRUE(q.Enable().ok());
  q.Reset(256);
  q.set_desc(0x1000);
  q.set_driver(0ull - 516);  // 2 bytes too high: its last 2 bytes wrap
  q.set_device(0x3000);
  EXPECT_EQ(q.Enable().code(), Code::kInvalid);
}

// Enable starts the cursors afresh (a queue re-enabled after a reset).
TEST_F(Queue, EnableStartsTheCursorsAfresh) {
  AddBuffer();
  ASSERT_TRUE(Pop());
  Push(0);
  EXPECT_EQ(q_.last_avail(), 1u);
  EXPECT_EQ(q_.used_idx(), 1u);
  ASSERT_TRUE(q_.Enable().ok());
  EXPECT_EQ(q_.last_avail(), 0u);
  EXPECT_EQ(q_.used_idx(), 0u);
}

TEST(VirtqueueConfig, DisabledQueueIsEmptyAndTouchesNothing) {
  FakeMemory fake;
  Virtqueue q;
  q.Reset(8);
  virtio::DescriptorChain chain;
  bool got = true;
  EXPECT_TRUE(q.Pop(fake.Mem(), kEventIdx, &chain, &got).ok());
  EXPECT_FALSE(got);
  EXPECT_EQ(fake.reads + fake.writes, 0u);
}

// ---- Pop / Unpop ----

TEST_F(Queue, PopsChainsInTheOrderTheDriverMadeThemAvailable) {
  EXPECT_EQ(Pop(), std::nullopt);
  const uint16_t a = AddBuffer(), b = AddBuffer(), c = AddBuffer();
  EXPECT_EQ(Pop(), a);
  EXPECT_EQ(Pop(), b);
  EXPECT_EQ(Pop(), c);
  EXPECT_EQ(Pop(), std::nullopt);
  EXPECT_EQ(q_.last_avail(), 3u);
}

TEST_F(Queue, PopWalksTheChain) {
  const uint64_t h = fake_.ram.Alloc(12), d = fake_.ram.Alloc(100),
                 w = fake_.ram.Alloc(50);
  const uint16_t head =
      *drv().Add({{h, 12, false}, {d, 100, false}, {w, 50, true}});
  virtio::DescriptorChain chain;
  bool got = false;
  ASSERT_TRUE(q_.Pop(fake_.Mem(), kPlain, &chain, &got).ok());
  ASSERT_TRUE(got);
  EXPECT_EQ(chain.head(), head);
  EXPECT_EQ(chain.readable_bytes(), 112u);
  EXPECT_EQ(chain.writable_bytes(), 50u);
}

TEST_F(Queue, IndirectChainsNeedTheFeature) {
  drv().Add({{fake_.ram.Alloc(64), 64, false}}, /*indirect=*/true);
  virtio::DescriptorChain chain;
  bool got = false;
  const Status s = q_.Pop(fake_.Mem(), kPlain, &chain, &got);
  EXPECT_STREQ(s.message(),
               "indirect descriptor without VIRTIO_F_RING_INDIRECT_DESC");
  EXPECT_FALSE(got);
  q_.Unpop(0);
  ASSERT_TRUE(q_.Enable().ok());
  EXPECT_TRUE(q_.Pop(fake_.Mem(), kIndirect, &chain, &got).ok());
  EXPECT_TRUE(got);
  EXPECT_EQ(chain.readable_bytes(), 64u);
}

TEST_F(Queue, UnpopGivesChainsBack) {
  const uint16_t a = AddBuffer(), b = AddBuffer();
  EXPECT_EQ(Pop(), a);
  EXPECT_EQ(Pop(), b);
  q_.Unpop(2);
  EXPECT_EQ(q_.last_avail(), 0u);
  EXPECT_EQ(Pop(), a);
  q_.Unpop(1);
  EXPECT_EQ(Pop(), a);
  EXPECT_EQ(Pop(), b);
}

// The ring index wraps at the queue size, the 16-bit indices at 65536.
TEST_F(Queue, RingAndIndexWrap) {
  Configure(4, false);
  for (int i = 0; i < 70000; ++i) {
    const uint16_t head = AddBuffer(8);
    ASSERT_EQ(Pop(), head) << i;
    Push(head, 1);
    ASSERT_TRUE(drv().GetUsed()) << i;
  }
  EXPECT_EQ(q_.last_avail(), uint16_t(70000));
  EXPECT_EQ(q_.used_idx(), uint16_t(70000));
}

TEST_F(Queue, AvailIdxMayLeadByTheQueueSizeAtMost) {
  for (int i = 0; i < 8; ++i) AddBuffer();  // a full ring is fine
  for (int i = 0; i < 8; ++i) ASSERT_TRUE(Pop()) << i;
  drv().SetAvailIdx(uint16_t(8 + 9));  // 9 past the cursor: impossible
  const Status s = PopStatus();
  EXPECT_EQ(s.code(), Code::kInvalid);
  EXPECT_STREQ(s.message(), "avail.idx moved further than the queue size");
  EXPECT_EQ(q_.last_avail(), 8u);
}

TEST_F(Queue, ABadHeadIsTheChainsError) {
  drv().PublishHead(8);  // the table has entries 0-7
  const Status s = PopStatus();
  EXPECT_STREQ(s.message(), "descriptor head index out of range");
  EXPECT_EQ(q_.last_avail(), 0u);  // not consumed
}

TEST_F(Queue, RingDmaFailuresAreKDma) {
  AddBuffer();
  fake_.read_faults = {{drv().avail + 2, drv().avail + 4}};  // avail.idx
  EXPECT_STREQ(PopStatus().message(), "cannot read avail.idx (DMA failed)");
  fake_.read_faults = {{drv().avail + 4, drv().avail + 6}};  // avail.ring[0]
  const Status s = PopStatus();
  EXPECT_EQ(s.code(), Code::kDma);
  EXPECT_STREQ(s.message(), "cannot read avail.ring (DMA failed)");
  fake_.read_faults = {{drv().desc, drv().desc + 16}};
  EXPECT_EQ(PopStatus().code(), Code::kDma);
  fake_.read_faults.clear();
  EXPECT_TRUE(Pop());  // nothing was consumed by the failures
}

// ---- EVENT_IDX: avail_event ----

// Without EVENT_IDX the device never writes the rings on Pop.
TEST_F(Queue, PopWithoutEventIdxOnlyReads) {
  AddBuffer();
  const size_t writes = fake_.writes;
  EXPECT_TRUE(Pop());
  EXPECT_EQ(Pop(), std::nullopt);
  EXPECT_EQ(fake_.writes, writes);
  EXPECT_EQ(drv().avail_event(), 0u);
}

// With it, finding the ring empty publishes avail_event = the cursor, so
// the driver kicks for the very next buffer; while the device is behind,
// avail_event stays where it was.
TEST_F(Queue, EmptyRingAsksForTheNextKick) {
  Configure(8, true);
  drv().SetUsedEvent(0);
  const uint16_t a = AddBuffer(), b = AddBuffer();
  EXPECT_TRUE(drv().KickNeeded());
  EXPECT_EQ(Pop(), a);
  EXPECT_EQ(drv().avail_event(), 0u);  // not dry: not moved
  AddBuffer();
  EXPECT_FALSE(drv().KickNeeded());  // the device is still working
  EXPECT_EQ(Pop(), b);
  EXPECT_TRUE(Pop());
  EXPECT_EQ(Pop(), std::nullopt);
  EXPECT_EQ(drv().avail_event(), 3u);
  AddBuffer();
  EXPECT_TRUE(drv().KickNeeded());
}

// The driver may add a buffer between the device's empty read and its
// avail_event write: the device looks again after publishing it.
TEST_F(Queue, EventIdxLooksAgainAfterPublishing) {
  Configure(8, true);
  bool raced = false;
  const uint64_t avail_event = drv().used + 4 + 8 * 8;
  fake_.on_write = [&](uint64_t addr, size_t) {
    if (addr == avail_event && !raced) {
      raced = true;
      AddBuffer();  // lands after the first avail.idx read
    }
  };
  EXPECT_TRUE(Pop());
  EXPECT_TRUE(raced);
  EXPECT_EQ(q_.last_avail(), 1u);
}

TEST_F(Queue, AvailEventWriteFailureIsKDma) {
  Configure(8, true);
  fake_.write_faults = {{drv().used + 4 + 8 * 8, drv().used + 4 + 8 * 8 + 2}};
  const Status s = PopStatus();
  EXPECT_EQ(s.code(), Code::kDma);
  EXPECT_STREQ(s.message(), "cannot write avail_event (DMA failed)");
}

// ---- Fill / Flush / Push ----

TEST_F(Queue, FillWritesElementsFlushPublishesThem) {
  const uint16_t a = AddBuffer(), b = AddBuffer(), c = AddBuffer();
  ASSERT_TRUE(Pop() && Pop() && Pop());
  ASSERT_TRUE(q_.Fill(fake_.Mem(), 0, a, 10).ok());
  ASSERT_TRUE(q_.Fill(fake_.Mem(), 2, c, 30).ok());  // out of order
  ASSERT_TRUE(q_.Fill(fake_.Mem(), 1, b, 20).ok());
  EXPECT_EQ(drv().used_idx(), 0u);  // nothing visible yet
  EXPECT_EQ(q_.used_idx(), 0u);
  ASSERT_TRUE(q_.Flush(fake_.Mem(), 3).ok());
  EXPECT_EQ(drv().used_idx(), 3u);
  EXPECT_EQ(q_.used_idx(), 3u);
  for (auto [head, len] :
       {std::pair<uint16_t, uint32_t>{a, 10}, {b, 20}, {c, 30}}) {
    const std::optional<UsedElem> u = drv().GetUsed();
    ASSERT_TRUE(u);
    EXPECT_EQ(u->id, head);
    EXPECT_EQ(u->len, len);
  }
  // Push is one Fill and one Flush, after what was published.
  const uint16_t d = AddBuffer();
  ASSERT_TRUE(Pop());
  Push(d, 40);
  EXPECT_EQ(drv().used_idx(), 4u);
  const std::optional<UsedElem> u = drv().GetUsed();
  ASSERT_TRUE(u);
  EXPECT_EQ(u->id, d);
  EXPECT_EQ(u->len, 40u);
}

TEST_F(Queue, UsedRingWraps) {
  for (int round = 0; round < 3; ++round) {
    std::vector<uint16_t> heads;
    for (int i = 0; i < 8; ++i) heads.push_back(AddBuffer());
    for (int i = 0; i < 8; ++i) ASSERT_TRUE(Pop());
    for (int i = 0; i < 8; ++i) {
      ASSERT_TRUE(q_.Fill(fake_.Mem(), uint16_t(i), heads[i], i).ok());
    }
    ASSERT_TRUE(q_.Flush(fake_.Mem(), 8).ok());
    for (int i = 0; i < 8; ++i) {
      const std::optional<UsedElem> u = drv().GetUsed();
      ASSERT_TRUE(u);
      EXPECT_EQ(u->id, heads[i]) << round << " " << i;
      EXPECT_EQ(u->len, uint32_t(i));
    }
  }
  EXPECT_EQ(q_.used_idx(), 24u);
}

TEST_F(Queue, UsedRingDmaFailuresPublishNothing) {
  AddBuffer();
  ASSERT_TRUE(Pop());
  fake_.write_faults = {{drv().used + 4, drv().used + 12}};  // used.ring[0]
  Status s = q_.Push(fake_.Mem(), 0, 1);
  EXPECT_EQ(s.code(), Code::kDma);
  EXPECT_STREQ(s.message(), "cannot write used.ring (DMA failed)");
  EXPECT_EQ(q_.used_idx(), 0u);
  fake_.write_faults = {{drv().used + 2, drv().used + 4}};  // used.idx
  ASSERT_TRUE(q_.Fill(fake_.Mem(), 0, 0, 1).ok());
  s = q_.Flush(fake_.Mem(), 1);
  EXPECT_EQ(s.code(), Code::kDma);
  EXPECT_STREQ(s.message(), "cannot write used.idx (DMA failed)");
  EXPECT_EQ(q_.used_idx(), 0u);
  EXPECT_EQ(drv().used_idx(), 0u);
}

// ---- ShouldNotify ----

// Without EVENT_IDX: VRING_AVAIL_F_NO_INTERRUPT, read at every decision.
TEST_F(Queue, NoInterruptFlagWithoutEventIdx) {
  const uint16_t a = AddBuffer();
  ASSERT_TRUE(Pop());
  Push(a);
  EXPECT_TRUE(Notify());
  EXPECT_TRUE(Notify());  // no memory of the last one
  drv().SetNoInterrupt(true);
  EXPECT_FALSE(Notify());
  drv().SetNoInterrupt(false);
  EXPECT_TRUE(Notify());
  fake_.read_faults = {{drv().avail, drv().avail + 2}};
  bool n = true;
  const Status s = q_.ShouldNotify(fake_.Mem(), kPlain, &n);
  EXPECT_STREQ(s.message(), "cannot read avail.flags (DMA failed)");
  EXPECT_FALSE(n);
}

// With EVENT_IDX: used_event decides (vring_need_event), the flag does
// not; the first decision after Enable always notifies.
TEST_F(Queue, UsedEventWithEventIdx) {
  Configure(8, true);
  drv().SetNoInterrupt(true);  // ignored with EVENT_IDX
  drv().SetUsedEvent(2);       // "interrupt me when used.idx passes 2"
  std::vector<bool> notified;
  for (int i = 0; i < 5; ++i) {
    const uint16_t h = AddBuffer();
    ASSERT_TRUE(Pop());
    Push(h);
    notified.push_back(Notify());
  }
  // used.idx 1: first one; 2: not past 2; 3: crosses it; 4, 5: not again.
  EXPECT_EQ(notified, (std::vector<bool>{true, false, true, false, false}));
  // Several published at once: one decision over the whole batch.
  drv().SetUsedEvent(6);
  for (int i = 0; i < 3; ++i) {
    const uint16_t h = AddBuffer();
    ASSERT_TRUE(Pop());
    ASSERT_TRUE(q_.Fill(fake_.Mem(), uint16_t(i), h, 0).ok());
  }
  ASSERT_TRUE(q_.Flush(fake_.Mem(), 3).ok());  // 5 -> 8 crosses 6
  EXPECT_TRUE(Notify());
  EXPECT_FALSE(Notify());  // nothing new since
  fake_.read_faults = {{drv().avail + 4 + 2 * 8, drv().avail + 6 + 2 * 8}};
  bool n = true;
  const Status s = q_.ShouldNotify(fake_.Mem(), kEventIdx, &n);
  EXPECT_STREQ(s.message(), "cannot read used_event (DMA failed)");
}

// Once used.idx ran half the index space past the last interrupt, the
// old value means nothing any more: the next decision notifies (QEMU's
// signalled_used_valid).
TEST_F(Queue, UsedIndexFarPastTheLastInterruptNotifies) {
  Configure(8, true);
  const uint16_t h = AddBuffer();
  ASSERT_TRUE(Pop());
  Push(h);
  EXPECT_TRUE(Notify());  // signalled at 1
  for (int i = 0; i < 0x8000 - 1; ++i) {
    ASSERT_TRUE(q_.Flush(fake_.Mem(), 1).ok());  // no decision meanwhile
  }
  drv().SetUsedEvent(q_.used_idx());  // need_event alone would say no
  ASSERT_TRUE(q_.Flush(fake_.Mem(), 1).ok());
  drv().SetUsedEvent(q_.used_idx());
  EXPECT_TRUE(Notify());
  EXPECT_FALSE(Notify());
}

// ---- migration state ----

// A queue in the middle of traffic, exported and imported into a fresh
// one, carries on where it was: the next chain, the used index, and the
// EVENT_IDX memory of the last interrupt.
TEST_F(Queue, ExportImportCarriesOn) {
  Configure(8, true);
  drv().SetUsedEvent(0);
  const uint16_t a = AddBuffer(), b = AddBuffer();
  EXPECT_EQ(Pop(), a);
  Push(a);
  EXPECT_TRUE(Notify());  // signalled at used 1
  q_.set_msix_vector(2);
  const Virtqueue::State st = q_.Export();
  EXPECT_TRUE(Virtqueue::Check(st, 256, 4).ok());
  Virtqueue moved;
  moved.Import(st, 256);
  EXPECT_EQ(moved.size(), 8u);
  EXPECT_EQ(moved.msix_vector(), 2u);
  EXPECT_TRUE(moved.enabled());
  EXPECT_EQ(moved.last_avail(), 1u);
  EXPECT_EQ(moved.used_idx(), 1u);
  virtio::DescriptorChain chain;
  bool got = false;
  ASSERT_TRUE(moved.Pop(fake_.Mem(), kEventIdx, &chain, &got).ok());
  ASSERT_TRUE(got);
  EXPECT_EQ(chain.head(), b);
  ASSERT_TRUE(moved.Push(fake_.Mem(), b, 0).ok());
  bool n = true;
  ASSERT_TRUE(moved.ShouldNotify(fake_.Mem(), kEventIdx, &n).ok());
  EXPECT_FALSE(n);  // used_event 0 was passed at 1: remembered
  const Virtqueue::State again = moved.Export();
  EXPECT_EQ(again.used_idx, 2u);
  EXPECT_EQ(again.signalled_used, 2u);
  EXPECT_TRUE(again.signalled_used_valid);
}

TEST(VirtqueueState, CheckRefusesWhatNoQueueCanBe) {
  Virtqueue::State good;
  good.size = 64;
  good.enabled = true;
  good.desc = 0x10000;
  good.driver = 0x20000;
  good.device = 0x30000;
  good.last_avail = 70;
  good.used_idx = 10;  // 60 chains in flight
  EXPECT_TRUE(Virtqueue::Check(good, 256, 4).ok());
  struct Case {
    const char* what;
    void (*change)(Virtqueue::State&);
  };
  for (const Case& c : {
           Case{"size 0", [](Virtqueue::State& s) { s.size = 0; }},
           Case{"size 48", [](Virtqueue::State& s) { s.size = 48; }},
           Case{"size 512", [](Virtqueue::State& s) { s.size = 512; }},
           Case{"vector 4", [](Virtqueue::State& s) { s.msix_vector = 4; }},
           Case{"misaligned", [](Virtqueue::State& s) { s.desc = 0x10008; }},
           Case{"wraps", [](Virtqueue::State& s) { s.device = ~0x3ull; }},
           Case{"in flight", [](Virtqueue::State& s) { s.used_idx = 5; }},
           Case{"disabled with indices",
                [](Virtqueue::State& s) { s.enabled = false; }},
       }) {
    Virtqueue::State s = good;
    c.change(s);
    EXPECT_FALSE(Virtqueue::Check(s, 256, 4).ok()) << c.what;
  }
  Virtqueue::State s = good;
  s.msix_vector = virtio::kNoVector;  // no vector is fine
  EXPECT_TRUE(Virtqueue::Check(s, 256, 4).ok());
  s.last_avail = 10 + 64;  // a whole ring in flight is fine
  EXPECT_TRUE(Virtqueue::Check(s, 256, 4).ok());
  s.last_avail = 2;  // indices wrap at 16 bits: 2 - 65530 = 8 in flight
  s.used_idx = 65530;
  EXPECT_TRUE(Virtqueue::Check(s, 256, 4).ok());
  Virtqueue::State off;  // a disabled queue's addresses are not checked
  off.size = 256;
  off.desc = 0x8;
  EXPECT_TRUE(Virtqueue::Check(off, 256, 4).ok());
}

// The fields a driver stores while the device reads them (avail.idx,
// avail.flags, used_event) are read with one atomic 16-bit load each,
// never with a DMA a memcpy could tear (virtio/torn_index_test.cc has the
// tear itself).
TEST_F(Queue, FieldsTheDriverStoresAreReadAtomically) {
  auto atomically = [&](uint64_t addr) {
    return std::count(fake_.atomic_reads.begin(), fake_.atomic_reads.end(),
                      addr);
  };
  const uint16_t h = AddBuffer();
  ASSERT_TRUE(Pop());
  EXPECT_EQ(atomically(drv().avail + 2), 1);  // avail.idx
  Push(h);
  Notify();
  EXPECT_EQ(atomically(drv().avail), 1);  // avail.flags
  Configure(8, true);
  const uint64_t avail_idx = drv().avail + 2,
                 used_event = drv().avail + 4 + 2 * 8;
  fake_.atomic_reads.clear();
  EXPECT_EQ(Pop(), std::nullopt);  // empty: read, publish, read again
  EXPECT_EQ(atomically(avail_idx), 2);
  Notify();
  EXPECT_EQ(atomically(used_event), 1);
  // Nothing else is read that way (the avail ring entry, descriptors).
  EXPECT_EQ(fake_.atomic_reads.size(), 3u);
  // A failed atomic load is a failed DMA like any other.
  fake_.read_faults = {{avail_idx, avail_idx + 2}};
  EXPECT_EQ(PopStatus().code(), Code::kDma);
}

// Every ring access is a DMA of the queue's function.
TEST_F(Queue, DmaNamesTheFunction) {
  AddBuffer();
  virtio::DescriptorChain chain;
  bool got = false;
  ASSERT_TRUE(q_.Pop(fake_.Mem(5), kPlain, &chain, &got).ok());
  EXPECT_EQ(fake_.last_fn, 5u);
  ASSERT_TRUE(q_.Push(fake_.Mem(6), chain.head(), 0).ok());
  EXPECT_EQ(fake_.last_fn, 6u);
  EXPECT_EQ(fake_.unexpected, 0);
}

}  // namespace
}  // namespace snic::testing
