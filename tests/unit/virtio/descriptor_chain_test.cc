// Unit tests: descriptor chains (virtio 1.2 2.7.5, 2.7.5.3) walked,
// validated and flattened, then read and written through Reader / Writer,
// against FakeMemory guest RAM.
// SPDX-License-Identifier: GPL-2.0-or-later
#include <gtest/gtest.h>

#include <cstring>

#include "base/status.h"
#include "fakes/driver_queue.h"
#include "fakes/fake_memory.h"
#include "virtio/queue/descriptor_chain.h"

namespace snic::testing {
namespace {

using Code = Status::Code;

class ChainTest : public ::testing::Test {
 protected:
  void Desc(uint16_t i, uint64_t addr, uint32_t len, uint16_t flags,
            uint16_t next) {
    PutDesc(ram_, table_, i, addr, len, flags, next);
  }
  Status Walk(uint16_t head, bool indirect_ok = true) {
    return chain_.Walk(fake_.Mem(), table_, 8, head, indirect_ok);
  }

  FakeMemory fake_;
  GuestRam& ram_ = fake_.ram;
  uint64_t table_ = ram_.Alloc(16 * 8, 16);
  virtio::DescriptorChain chain_;
};

TEST_F(ChainTest, ReaderThenWriterAcrossSegments) {
  const uint64_t a = ram_.Alloc(4), b = ram_.Alloc(6), w1 = ram_.Alloc(3),
                 w2 = ram_.Alloc(7);
  const uint8_t src[10] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
  ram_.Put(a, src, 4);
  ram_.Put(b, src + 4, 6);
  Desc(0, a, 4, kDescNext, 5);
  Desc(5, b, 6, kDescNext, 2);
  Desc(2, w1, 3, kDescNext | kDescWrite, 7);
  Desc(7, w2, 7, kDescWrite, 0);
  ASSERT_TRUE(Walk(0).ok());
  EXPECT_EQ(chain_.head(), 0u);
  EXPECT_EQ(chain_.num_readable(), 2u);
  EXPECT_EQ(chain_.num_writable(), 2u);
  EXPECT_EQ(chain_.readable_bytes(), 10u);
  EXPECT_EQ(chain_.writable_bytes(), 10u);
  const virtio::GuestMemory mem = fake_.Mem();
  virtio::Reader r(mem, chain_);
  uint8_t got[10];
  ASSERT_TRUE(r.Read(got, 3).ok());
  ASSERT_TRUE(r.Read(got + 3, 7).ok());
  EXPECT_EQ(0, memcmp(got, src, 10));
  EXPECT_EQ(r.Read(got, 1).code(), Code::kShort);  // exhausted
  virtio::Writer w(mem, chain_);
  ASSERT_TRUE(w.Write(src, 5).ok());
  EXPECT_EQ(w.written(), 5u);
  ASSERT_TRUE(w.WriteAt(2, src + 8, 2).ok());
  EXPECT_EQ(w.Write(src, 6).code(), Code::kShort);  // only 5 left
  EXPECT_EQ(ram_.Get<uint8_t>(w1 + 2), 9);
  EXPECT_EQ(ram_.Get<uint8_t>(w2 + 0), 10);
  EXPECT_EQ(ram_.Get<uint8_t>(w2 + 1), 5);
}

TEST_F(ChainTest, Errors) {
  const uint64_t a = ram_.Alloc(64);
  Desc(0, a, 8, kDescNext, 1);
  Desc(1, a, 8, kDescNext, 0);
  EXPECT_STREQ(Walk(0).message(), "looped descriptor chain");
  EXPECT_STREQ(Walk(8).message(), "descriptor head index out of range");
  Desc(0, a, 0, 0, 0);
  EXPECT_STREQ(Walk(0).message(), "zero sized buffers are not allowed");
  Desc(0, ~0ull, 2, 0, 0);
  EXPECT_STREQ(Walk(0).message(), "descriptor address + length overflows");
  Desc(0, a, 8, kDescWrite | kDescNext, 1);
  Desc(1, a, 8, 0, 0);
  EXPECT_STREQ(Walk(0).message(),
               "device-readable descriptor after a device-writable one");
  Desc(0, a, 8, kDescNext, 1);
  Desc(1, a, 16, kDescIndirect, 0);
  EXPECT_STREQ(Walk(0).message(),
               "indirect descriptor not at the head of the chain");
  Desc(0, a, 16, kDescIndirect, 0);
  EXPECT_FALSE(Walk(0, /*indirect_ok=*/false).ok());
  Desc(0, 1ull << 40, 8, 0, 0);
  ASSERT_TRUE(Walk(0).ok());  // the walk does not touch buffers...
  virtio::Reader r(fake_.Mem(), chain_);
  uint8_t b;
  EXPECT_EQ(r.Read(&b, 1).code(), Code::kDma);  // ...the reader does
}

// Every guest mistake is kInvalid; only a failed descriptor read is kDma.
TEST_F(ChainTest, ErrorCodes) {
  const uint64_t a = ram_.Alloc(64);
  Desc(0, a, 8, kDescNext, 0);
  EXPECT_EQ(Walk(0).code(), Code::kInvalid);  // loop
  Desc(0, a, 8, kDescNext, 8);
  EXPECT_EQ(Walk(0).code(), Code::kInvalid);
  EXPECT_STREQ(Walk(0).message(), "descriptor next index out of range");
  fake_.read_faults.push_back({table_, table_ + 16});
  const Status s = Walk(0);
  EXPECT_EQ(s.code(), Code::kDma);
  EXPECT_STREQ(s.message(), "cannot read descriptor (DMA failed)");
  fake_.read_faults.clear();
  // The next descriptor's read fails.
  Desc(0, a, 8, kDescNext, 3);
  fake_.read_faults.push_back({table_ + 3 * 16, table_ + 4 * 16});
  EXPECT_EQ(Walk(0).code(), Code::kDma);
}

TEST_F(ChainTest, IndirectTableIsFlattenedInOrder) {
  const uint64_t t = ram_.Alloc(16 * 3, 16);
  const uint64_t a = ram_.Alloc(12), b = ram_.Alloc(100), c = ram_.Alloc(50);
  PutDesc(ram_, t, 0, a, 12, kDescNext, 2);
  PutDesc(ram_, t, 2, b, 100, kDescNext, 1);
  PutDesc(ram_, t, 1, c, 50, kDescWrite, 0);
  Desc(4, t, 48, kDescIndirect, 0);
  ASSERT_TRUE(Walk(4).ok());
  EXPECT_EQ(chain_.head(), 4u);
  ASSERT_EQ(chain_.num_readable(), 2u);
  ASSERT_EQ(chain_.num_writable(), 1u);
  EXPECT_EQ(chain_.readable(0).addr, a);
  EXPECT_EQ(chain_.readable(1).addr, b);
  EXPECT_EQ(chain_.readable(1).len, 100u);
  EXPECT_EQ(chain_.writable(0).addr, c);
  EXPECT_EQ(chain_.readable_bytes(), 112u);
  EXPECT_EQ(chain_.writable_bytes(), 50u);
}

TEST_F(ChainTest, IndirectTableRules) {
  const uint64_t t = ram_.Alloc(16 * 300, 16);
  const uint64_t a = ram_.Alloc(64);
  for (uint16_t i = 0; i < 300; ++i) PutDesc(ram_, t, i, a, 8, 0, 0);
  Desc(0, t, 16, kDescIndirect | kDescNext, 1);
  EXPECT_STREQ(Walk(0).message(), "indirect descriptor with NEXT set");
  for (uint32_t len : {0u, 8u, 17u, 16u * 257}) {
    Desc(0, t, len, kDescIndirect, 0);
    EXPECT_STREQ(Walk(0).message(), "invalid indirect table size") << len;
  }
  Desc(0, t, 16 * 256, kDescIndirect, 0);  // kMaxIndirectEntries: fine
  EXPECT_TRUE(Walk(0).ok());
  Desc(0, ~0ull - 15, 32, kDescIndirect, 0);
  EXPECT_STREQ(Walk(0).message(), "indirect table address + length overflows");
  PutDesc(ram_, t, 0, t + 16, 16, kDescIndirect, 0);
  Desc(0, t, 16, kDescIndirect, 0);
  EXPECT_STREQ(Walk(0).message(), "nested indirect descriptor");
  // A NEXT loop inside the table ends at the table's size.
  PutDesc(ram_, t, 0, a, 8, kDescNext, 1);
  PutDesc(ram_, t, 1, a, 8, kDescNext, 0);
  Desc(0, t, 32, kDescIndirect, 0);
  EXPECT_STREQ(Walk(0).message(), "looped descriptor chain");
  // NEXT indices are bounded by the table (3 entries here), not by the
  // queue (8).
  PutDesc(ram_, t, 1, a, 8, kDescNext, 5);
  Desc(0, t, 48, kDescIndirect, 0);
  EXPECT_STREQ(Walk(0).message(), "descriptor next index out of range");
  PutDesc(ram_, t, 1, a, 8, 0, 0);
  fake_.read_faults.push_back({t, t + 16});
  EXPECT_EQ(Walk(0).code(), Code::kDma);
}

// The longest legal chain visits every table entry once.
TEST_F(ChainTest, ChainOfTheWholeTable) {
  const uint64_t a = ram_.Alloc(8);
  for (uint16_t i = 0; i < 8; ++i) {
    Desc(i, a, 1, uint16_t(i < 7 ? kDescNext : 0), uint16_t(i + 1));
  }
  ASSERT_TRUE(Walk(0).ok());
  EXPECT_EQ(chain_.num_readable(), 8u);
  // Starting in the middle, it is shorter.
  ASSERT_TRUE(Walk(5).ok());
  EXPECT_EQ(chain_.num_readable(), 3u);
}

TEST_F(ChainTest, SkipAndShortReadsLeaveThePosition) {
  const uint64_t a = ram_.Alloc(4), b = ram_.Alloc(4);
  const uint8_t src[8] = {1, 2, 3, 4, 5, 6, 7, 8};
  ram_.Put(a, src, 4);
  ram_.Put(b, src + 4, 4);
  Desc(0, a, 4, kDescNext, 1);
  Desc(1, b, 4, 0, 0);
  ASSERT_TRUE(Walk(0).ok());
  virtio::Reader r(fake_.Mem(), chain_);
  EXPECT_TRUE(r.Skip(3).ok());
  EXPECT_EQ(r.remaining(), 5u);
  uint8_t got[8] = {};
  EXPECT_EQ(r.Read(got, 6).code(), Code::kShort);
  EXPECT_EQ(r.remaining(), 5u);  // nothing consumed
  EXPECT_EQ(r.Skip(6).code(), Code::kShort);
  ASSERT_TRUE(r.Read(got, 2).ok());
  EXPECT_EQ(got[0], 4);
  EXPECT_EQ(got[1], 5);
  // A read that fails in its second segment is kDma.
  fake_.read_faults.push_back({b + 2, b + 3});
  EXPECT_EQ(r.Read(got, 3).code(), Code::kDma);
}

TEST_F(ChainTest, WriterErrors) {
  const uint64_t w1 = ram_.Alloc(4), w2 = ram_.Alloc(4);
  Desc(0, w1, 4, kDescWrite | kDescNext, 1);
  Desc(1, w2, 4, kDescWrite, 0);
  ASSERT_TRUE(Walk(0).ok());
  virtio::Writer w(fake_.Mem(), chain_);
  const uint8_t data[8] = {9, 9, 9, 9, 9, 9, 9, 9};
  ASSERT_TRUE(w.Write(data, 3).ok());
  // WriteAt beyond the writable part: kShort, and the position stays.
  const uint8_t two[2] = {1, 2};
  EXPECT_EQ(w.WriteAt(7, two, 2).code(), Code::kShort);
  EXPECT_EQ(w.WriteAt(9, two, 1).code(), Code::kShort);
  EXPECT_EQ(w.written(), 3u);
  // WriteAt across a segment boundary, then back where it was.
  ASSERT_TRUE(w.WriteAt(3, two, 2).ok());
  EXPECT_EQ(w.written(), 3u);
  EXPECT_EQ(ram_.Get<uint8_t>(w1 + 3), 1);
  EXPECT_EQ(ram_.Get<uint8_t>(w2 + 0), 2);
  fake_.write_faults.push_back({w2, w2 + 4});
  EXPECT_EQ(w.Write(data, 3).code(), Code::kDma);
  // Reading-only chains have no room at all.
  Desc(0, w1, 4, 0, 0);
  ASSERT_TRUE(Walk(0).ok());
  virtio::Writer none(fake_.Mem(), chain_);
  EXPECT_EQ(none.remaining(), 0u);
  EXPECT_EQ(none.Write(data, 1).code(), Code::kShort);
}

// Every DMA is made on behalf of the chain's function.
TEST_F(ChainTest, DmaNamesTheFunction) {
  const uint64_t a = ram_.Alloc(4);
  Desc(0, a, 4, 0, 0);
  ASSERT_TRUE(chain_.Walk(fake_.Mem(7), table_, 8, 0, true).ok());
  EXPECT_EQ(fake_.last_fn, 7u);
  virtio::Reader r(fake_.Mem(9), chain_);
  uint8_t b[4];
  ASSERT_TRUE(r.Read(b, 4).ok());
  EXPECT_EQ(fake_.last_fn, 9u);
  EXPECT_EQ(fake_.unexpected, 0);
}

}  // namespace
}  // namespace snic::testing
