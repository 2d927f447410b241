// Unit tests: the virtio_pci_common_cfg layout as data (virtio 1.2
// 4.1.4.3), row by row against virtio::Transport.
// SPDX-License-Identifier: GPL-2.0-or-later
#include <gtest/gtest.h>

#include <string>

#include "base/status.h"
#include "virtio/common_config.h"
#include "virtio/transport.h"

namespace snic::testing {
namespace {

using virtio::CommonReg;
using virtio::kCommonRegs;
using virtio::RegSpec;

// A transport shaped like a virtio-net PF's: 3 queues, 4 MSI-X vectors.
virtio::TransportConfig PfLikeConfig() {
  virtio::TransportConfig c;
  c.fn = kPfFn;
  c.has_intx = true;
  c.device_features = virtio::Bit(virtio::kFVersion1) | 0x20;
  c.num_queues = 3;
  c.max_queue_size = 256;
  c.num_vectors = 4;
  return c;
}

// Each row of kCommonRegs: a natural-width read is fine, any other width
// is a guest error (a non-OK Status, which the function logs) reading 0,
// and read-only rows reject writes.
class CommonRegRow : public ::testing::TestWithParam<RegSpec> {};

TEST_P(CommonRegRow, WidthAndAccess) {
  const RegSpec r = GetParam();
  virtio::Transport t(PfLikeConfig());
  Status err;
  (void)t.ReadCommon(r.offset, r.width, &err);
  EXPECT_TRUE(err.ok()) << r.name;
  for (unsigned w : {1u, 2u, 4u, 8u}) {
    if (w == r.width || (w == 8 && r.low_of_64)) continue;
    EXPECT_EQ(t.ReadCommon(r.offset, w, &err), 0u) << r.name << " width " << w;
    EXPECT_FALSE(err.ok()) << r.name << " " << w;
    EXPECT_FALSE(t.WriteCommon(r.offset, w, 1).error.ok())
        << r.name << " " << w;
  }
  if (r.access == virtio::Access::kReadOnly) {
    const uint64_t before = t.ReadCommon(r.offset, r.width, &err);
    const virtio::WriteResult res = t.WriteCommon(r.offset, r.width, ~before);
    EXPECT_EQ(t.ReadCommon(r.offset, r.width, &err), before) << r.name;
    EXPECT_FALSE(res.error.ok()) << r.name;
  } else if (r.reg != CommonReg::kDeviceStatus &&
             r.reg != CommonReg::kQueueEnable &&
             r.reg != CommonReg::kQueueSize &&
             r.reg != CommonReg::kQueueReset) {  // its own tests
    // Writable rows read back what was written (vectors: a valid one).
    const uint64_t v = r.width == 2 ? 1 : r.width == 1 ? 1 : 0x1000;
    EXPECT_TRUE(t.WriteCommon(r.offset, r.width, v).error.ok()) << r.name;
    EXPECT_EQ(t.ReadCommon(r.offset, r.width, &err), v) << r.name;
  }
}

INSTANTIATE_TEST_SUITE_P(AllRows, CommonRegRow,
                         ::testing::ValuesIn(kCommonRegs),
                         [](const ::testing::TestParamInfo<RegSpec>& info) {
                           return std::string(info.param.name);
                         });

TEST(CommonRegTable, LookupFindsExactOffsetsOnly) {
  for (const RegSpec& r : kCommonRegs) {
    ASSERT_NE(virtio::FindCommonReg(r.offset), nullptr);
    EXPECT_EQ(virtio::FindCommonReg(r.offset)->reg, r.reg);
  }
  EXPECT_EQ(virtio::FindCommonReg(0x01), nullptr);
  EXPECT_EQ(virtio::FindCommonReg(0x39), nullptr);
  EXPECT_EQ(virtio::FindCommonReg(0x3c), nullptr);
  EXPECT_EQ(virtio::FindCommonReg(~0ull), nullptr);
}

// 4.1.3.1: a 64-bit field may be accessed as one 8-byte access at its low
// half; both halves are written and read.
TEST(CommonRegTable, SixtyFourBitRowsTakeBothHalves) {
  for (const RegSpec& r : kCommonRegs) {
    if (!r.low_of_64) continue;
    virtio::Transport t(PfLikeConfig());
    const uint64_t v = 0xabcdef0012345000ull;
    EXPECT_TRUE(t.WriteCommon(r.offset, 8, v).error.ok()) << r.name;
    Status err;
    EXPECT_EQ(t.ReadCommon(r.offset, 8, &err), v) << r.name;
    EXPECT_TRUE(err.ok()) << r.name;
    EXPECT_EQ(t.ReadCommon(r.offset + 4, 4, &err), v >> 32) << r.name;
  }
}

// Beyond the layout reads 0 without an error; inside it, an offset that is
// no field's start is an error.
TEST(CommonRegTable, OutsideTheLayoutAndBetweenFields) {
  virtio::Transport t(PfLikeConfig());
  Status err;
  EXPECT_EQ(t.ReadCommon(virtio::kCommonCfgSize, 4, &err), 0u);
  EXPECT_TRUE(err.ok());
  EXPECT_EQ(t.ReadCommon(0xffc, 4, &err), 0u);
  EXPECT_TRUE(err.ok());
  EXPECT_EQ(t.ReadCommon(0x02, 2, &err), 0u);
  EXPECT_FALSE(err.ok());
  EXPECT_FALSE(t.WriteCommon(virtio::kCommonCfgSize, 4, 0).error.ok());
  EXPECT_FALSE(t.WriteCommon(0x02, 2, 0).error.ok());
}

}  // namespace
}  // namespace snic::testing
