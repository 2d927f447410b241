// sriov-nic core: the 82599's per-queue TX rate limiters.
// SPDX-License-Identifier: GPL-2.0-or-later
#include "rate.h"

#include <algorithm>

namespace snic::ixgbe {

std::optional<uint32_t> QueueRateMbps(const PoolRegs& r, unsigned q,
                                      uint32_t link_mbps) {
  if (q >= kTxQueues || link_mbps == 0) return std::nullopt;
  const uint32_t v = r.RateControl(q);
  const uint64_t rf =
      v & (reg::RTTBCNRC_RF_INT_MASK | reg::RTTBCNRC_RF_DEC_MASK);
  if (!(v & reg::RTTBCNRC_RS_ENA) || rf == 0) return std::nullopt;
  const uint64_t scaled = uint64_t{link_mbps} << reg::RTTBCNRC_RF_INT_SHIFT;
  const uint64_t mbps = (scaled + rf / 2) / rf;
  return static_cast<uint32_t>(std::min<uint64_t>(mbps, link_mbps));
}

std::optional<uint32_t> PoolRateMbps(const PoolRegs& r, unsigned pool,
                                     unsigned queues_per_pool,
                                     uint32_t link_mbps) {
  if (queues_per_pool == 0 || pool >= kTxQueues / queues_per_pool) {
    return std::nullopt;
  }
  std::optional<uint32_t> best;
  for (unsigned i = 0; i < queues_per_pool; ++i) {
    const std::optional<uint32_t> q =
        QueueRateMbps(r, pool * queues_per_pool + i, link_mbps);
    if (q && (!best || *q < *best)) best = q;
  }
  return best;
}

}  // namespace snic::ixgbe
