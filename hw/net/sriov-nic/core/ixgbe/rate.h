// sriov-nic core: the 82599's per-queue TX rate limiters as Mb/s.
//
// RTTDQSEL selects a TX queue (0-127); RTTBCNRC then reads and writes that
// queue's rate control: RS_ENA (bit 31) and the rate factor RF = link speed
// / rate in 10.14 fixed point (RF_INT bits 27:14, RF_DEC bits 13:0).
// ixgbe_set_vf_rate_limit (ixgbe_sriov.c) writes
// (link_mbps << 14) / max_tx_rate | RS_ENA to every queue of the VF's pool
// (pool * queues_per_pool + i), or 0 to remove the limit.
//
// SPDX-License-Identifier: GPL-2.0-or-later
#ifndef SNIC_CORE_IXGBE_RATE_H
#define SNIC_CORE_IXGBE_RATE_H

#include <cstdint>
#include <optional>

#include "pools.h"

namespace snic::ixgbe {

// The limit of TX queue @q at a link of @link_mbps, rounded to the nearest
// Mb/s; none when the queue's limiter is off, @q > 127, @link_mbps is 0, or
// the factor is 0 (no rate; the datasheet's RF must be >= 1). A factor
// below 1.0 (faster than the link) is capped at the link speed.
std::optional<uint32_t> QueueRateMbps(const PoolRegs& r, unsigned q,
                                      uint32_t link_mbps);

// The pool's limit: its queues [pool * qpp, (pool + 1) * qpp). The driver
// writes one factor to all of them; when they differ (a PF writing by
// hand) the strictest enabled queue counts. None when no queue of the pool
// is limited or the range is outside the 128 queues.
std::optional<uint32_t> PoolRateMbps(const PoolRegs& r, unsigned pool,
                                     unsigned queues_per_pool,
                                     uint32_t link_mbps);

}  // namespace snic::ixgbe

#endif  // SNIC_CORE_IXGBE_RATE_H
