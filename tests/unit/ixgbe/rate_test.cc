// Unit tests: RTTDQSEL/RTTBCNRC as Mb/s (ixgbe/rate.h), against the
// writes of ixgbe_set_vf_rate_limit (sriov_driver_model.h).
// SPDX-License-Identifier: GPL-2.0-or-later
#include "ixgbe/rate.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>

#include "ixgbe/sriov_driver_model.h"

namespace snic::testing {
namespace {

const eth::MacAddress kPfMac = {0x00, 0x1b, 0x21, 0x00, 0x00, 0x01};

// ip link set <pf> vf N max_tx_rate R, in both pool modes: every queue of
// the pool gets (10000 << 14) / R | RS_ENA; the rate comes back within
// 1 Mb/s, and no other pool's queue is limited.
TEST(Rate, MaxTxRateRoundTrips) {
  for (unsigned vfs : {7u, 40u}) {
    ixgbe::PoolRegs r;
    IxgbeSriovModel drv(r, vfs, kPfMac);
    drv.Up();
    const unsigned qpp = ixgbe::QueuesPerPool(r);
    for (int rate : {11, 100, 500, 777, 1000, 3000, 9999, 10000}) {
      ASSERT_EQ(drv.NdoSetVfBw(3, 0, rate), 0);
      for (unsigned q = 0; q < qpp; ++q) {
        EXPECT_NE(r.RateControl(3 * qpp + q) & ixgbe::reg::RTTBCNRC_RS_ENA,
                  0u);
      }
      const std::optional<uint32_t> got =
          ixgbe::PoolRateMbps(r, 3, qpp, IxgbeSriovModel::kLinkMbps);
      ASSERT_TRUE(got.has_value()) << rate;
      EXPECT_LE(std::abs(static_cast<int>(*got) - rate), 1) << rate;
      EXPECT_EQ(ixgbe::PoolRateMbps(r, 2, qpp, 10000), std::nullopt);
      EXPECT_EQ(ixgbe::PoolRateMbps(r, 4, qpp, 10000), std::nullopt);
    }
    EXPECT_EQ(r.Read(ixgbe::reg::RTTBCNRM), 0x4u);
    ASSERT_EQ(drv.NdoSetVfBw(3, 0, 0), 0);
    EXPECT_EQ(ixgbe::PoolRateMbps(r, 3, qpp, 10000), std::nullopt);
  }
}

TEST(Rate, FiveHundredAtTenGig) {
  ixgbe::PoolRegs r;
  r.Write(ixgbe::reg::RTTDQSEL, 8);
  r.Write(ixgbe::reg::RTTBCNRC,
          ((10000u << 14) / 500) | ixgbe::reg::RTTBCNRC_RS_ENA);
  EXPECT_EQ(ixgbe::QueueRateMbps(r, 8, 10000), 500u);
  EXPECT_EQ(ixgbe::PoolRateMbps(r, 2, 4, 10000), 500u);
  // The factor is relative to the link: the same register at 1G.
  EXPECT_EQ(ixgbe::QueueRateMbps(r, 8, 1000), 50u);
}

// The strictest enabled queue of a pool counts; hostile values give no
// limit or the link speed, never a division by zero.
TEST(Rate, HandWrittenFactors) {
  ixgbe::PoolRegs r;
  auto set = [&](unsigned q, uint32_t v) {
    r.Write(ixgbe::reg::RTTDQSEL, q);
    r.Write(ixgbe::reg::RTTBCNRC, v);
  };
  set(0, ((10000u << 14) / 2000) | ixgbe::reg::RTTBCNRC_RS_ENA);
  set(1, ((10000u << 14) / 800) | ixgbe::reg::RTTBCNRC_RS_ENA);
  EXPECT_EQ(ixgbe::PoolRateMbps(r, 0, 2, 10000), 800u);
  set(1, (10000u << 14) / 800);  // RS_ENA clear: that queue is unlimited
  EXPECT_EQ(ixgbe::PoolRateMbps(r, 0, 2, 10000), 2000u);
  set(4, ixgbe::reg::RTTBCNRC_RS_ENA);  // RF 0
  EXPECT_EQ(ixgbe::QueueRateMbps(r, 4, 10000), std::nullopt);
  set(5, ixgbe::reg::RTTBCNRC_RS_ENA | 1);  // RF far below 1.0
  EXPECT_EQ(ixgbe::QueueRateMbps(r, 5, 10000), 10000u);
  EXPECT_EQ(ixgbe::QueueRateMbps(r, 0, 0), std::nullopt);  // no link
  EXPECT_EQ(ixgbe::QueueRateMbps(r, 128, 10000), std::nullopt);
  EXPECT_EQ(ixgbe::PoolRateMbps(r, 64, 2, 10000), std::nullopt);
  EXPECT_EQ(ixgbe::PoolRateMbps(r, 32, 4, 10000), std::nullopt);
  EXPECT_EQ(ixgbe::PoolRateMbps(r, 0, 0, 10000), std::nullopt);
}

}  // namespace
}  // namespace snic::testing
