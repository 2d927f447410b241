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

}  // namespace
}  // namespace snic::testing
