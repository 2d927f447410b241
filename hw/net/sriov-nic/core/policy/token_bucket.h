// sriov-nic core: the max-tx-rate token bucket of one VF.
//
// Pure arithmetic on a caller-supplied clock (Host::NowNs). Tokens are
// kept in 1/8000 byte so that a rate of R Mbit/s refills exactly R tokens
// per nanosecond (R * 10^6 / 8 bytes/s = R / 8000 bytes/ns): no rounding
// drift over time. A frame may be sent while the bucket is not in debt;
// its length is then charged, possibly into debt (at most one frame), so
// the frame length never has to be known before it is popped and a frame
// larger than the bucket still goes. Once in debt, sending waits until the
// bucket is a tenth full again (ReadyAt, 10 ms at the rate), so a VF at its
// limit is resumed in batches (about 100 timer wake-ups per second) rather
// than once per frame; the long-run rate is unchanged because the refill
// never stops below the depth. Depth is max(2 * max frame, 100 ms at the
// rate): deep enough that a main loop running timers late (TCG vCPUs hold
// the BQL for milliseconds; a loaded host delays the main loop by tens of
// milliseconds) loses no tokens, short enough that a 10 s iperf3 run
// measures the configured rate (a full bucket adds 1% to it).
//
// SPDX-License-Identifier: GPL-2.0-or-later
#ifndef SNIC_CORE_POLICY_TOKEN_BUCKET_H
#define SNIC_CORE_POLICY_TOKEN_BUCKET_H

#include <algorithm>
#include <cstdint>

namespace snic::policy {

class TokenBucket {
 public:
  static constexpr int64_t kUnitsPerByte = 8000;
  static constexpr uint64_t kDepthNs = 100'000'000;  // 100 ms

  // @rate_mbps 0 = unlimited. Starts full at @now_ns.
  void Configure(uint32_t rate_mbps, uint64_t max_frame, uint64_t now_ns) {
    rate_ = rate_mbps;
    depth_ = std::max<int64_t>(
        static_cast<int64_t>(2 * max_frame) * kUnitsPerByte,
        static_cast<int64_t>(rate_mbps) * static_cast<int64_t>(kDepthNs));
    tokens_ = depth_;
    last_ns_ = now_ns;
  }
  bool limited() const { return rate_ != 0; }

  // Migration: the bucket's state (depth follows from the rate).
  struct State {
    uint32_t rate = 0;
    int64_t tokens = 0;
    uint64_t last_ns = 0;
  };
  State Export() const { return State{rate_, tokens_, last_ns_}; }
  // A state a bucket configured for @max_frame can be in: tokens at most
  // the depth, debt at most one frame of any length (kMaxDebtBytes).
  static constexpr int64_t kMaxDebtBytes = 65536 + 18 + 4;
  static bool Valid(const State& s, uint64_t max_frame) {
    TokenBucket b;
    b.Configure(s.rate, max_frame, 0);
    return s.tokens <= b.depth_ && s.tokens >= -kMaxDebtBytes * kUnitsPerByte;
  }
  void Import(const State& s, uint64_t max_frame) {
    Configure(s.rate, max_frame, s.last_ns);
    tokens_ = s.tokens;
  }
  uint32_t rate() const { return rate_; }

  // True when a frame may be sent now.
  bool Ready(uint64_t now_ns) {
    Refill(now_ns);
    return !limited() || tokens_ >= 0;
  }
  // Charges a sent frame of @bytes.
  void Charge(uint64_t bytes) {
    if (limited()) {
      tokens_ -= static_cast<int64_t>(bytes) * kUnitsPerByte;
    }
  }
  // When a waiting sender should resume: a tenth of the bucket is back.
  uint64_t ReadyAt(uint64_t now_ns) const {
    const int64_t resume = depth_ / 10;
    if (!limited() || tokens_ >= resume) {
      return now_ns;
    }
    const uint64_t missing = static_cast<uint64_t>(resume - tokens_);
    return now_ns + (missing + rate_ - 1) / rate_;
  }

 private:
  void Refill(uint64_t now_ns) {
    if (!limited()) {
      return;
    }
    if (now_ns > last_ns_) {
      // Bounded so the product cannot overflow (rate <= 400000).
      const uint64_t dt =
          std::min<uint64_t>(now_ns - last_ns_, 1'000'000'000'000);
      tokens_ =
          std::min<int64_t>(depth_, tokens_ + static_cast<int64_t>(dt * rate_));
    }
    last_ns_ = now_ns;
  }

  uint32_t rate_ = 0;
  int64_t depth_ = 0;
  int64_t tokens_ = 0;
  uint64_t last_ns_ = 0;
};

}  // namespace snic::policy

#endif  // SNIC_CORE_POLICY_TOKEN_BUCKET_H
