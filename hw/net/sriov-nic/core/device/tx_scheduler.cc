// sriov-nic core: who transmits next, and who waits for what.
// SPDX-License-Identifier: GPL-2.0-or-later
#include "tx_scheduler.h"

#include <algorithm>

namespace snic::device {

TxScheduler::TxScheduler(size_t num_functions)
    : fns_(num_functions), starved_(num_functions, false) {
  for (FnLanes& f : fns_) {
    f.lanes.resize(1);
  }
}

void TxScheduler::SetLanes(FnId fn, uint16_t lanes) {
  fns_[fn].lanes.assign(std::max<uint16_t>(lanes, 1), Lane{});
  fns_[fn].next_lane = 0;
}

void TxScheduler::Kick(FnId fn, uint32_t mask) {
  std::vector<Lane>& lanes = fns_[fn].lanes;
  for (size_t i = 0; i < lanes.size() && i < 32; ++i) {
    if (mask & (1u << i)) {
      lanes[i].pending = true;
    }
  }
}

void TxScheduler::Idle(LaneRef l) {
  Lane& lane = fns_[l.fn].lanes[l.lane];
  lane.pending = false;
  lane.hold.Clear();
}

void TxScheduler::Forget(FnId fn) {
  FnLanes& f = fns_[fn];
  for (Lane& l : f.lanes) {
    l = Lane{};
  }
  f.next_lane = 0;
  f.rate_waiting = false;
  starved_[fn] = false;
}

void TxScheduler::HoldForRx(LaneRef l, FnId dst, uint64_t now) {
  Hold& h = hold(l);
  if (h.what != Hold::For::kRxBuffers || h.dst != dst) {
    h.deadline = now + kHoldNs;
  }
  deadlines_changed_ = true;
  h.what = Hold::For::kRxBuffers;
  h.dst = dst;
  h.release = false;
  h.expired = false;
}

void TxScheduler::HoldForUplink(LaneRef l, LinkId link) {
  Hold& h = hold(l);
  h = Hold{};
  h.what = Hold::For::kUplink;
  h.link = link;
}

bool TxScheduler::MayHoldFor(LaneRef l, FnId dst) const {
  const Hold& h = hold_of(l);
  return !starved_[dst] && !h.expired;
}

bool TxScheduler::ReleaseWaitersOn(FnId dst) {
  return ReleaseWaitersIf([dst](FnId d) { return d == dst; });
}

bool TxScheduler::ReleaseUplinkWaiters(LinkId link) {
  bool any = false;
  for (FnLanes& f : fns_) {
    for (Lane& l : f.lanes) {
      if (l.hold.what == Hold::For::kUplink && l.hold.link == link) {
        l.hold.Clear();
        any = true;
      }
    }
  }
  return any;
}

bool TxScheduler::Expire(uint64_t now) {
  bool any = false;
  for (FnLanes& f : fns_) {
    if (f.rate_waiting && now >= f.ready_ns) {
      f.rate_waiting = false;
      any = true;
    }
    for (Lane& l : f.lanes) {
      Hold& h = l.hold;
      if (h.what == Hold::For::kRxBuffers && !h.expired &&
          now >= h.deadline) {
        // The destination did not make room in time.
        h.expired = true;
        h.release = true;
        starved_[h.dst] = true;
        any = true;
      }
    }
  }
  return any;
}

uint64_t TxScheduler::NextDeadline() const {
  uint64_t d = kNever;
  for (const FnLanes& f : fns_) {
    if (f.rate_waiting) {
      d = std::min(d, f.ready_ns);
    }
    for (const Lane& l : f.lanes) {
      if (l.hold.blocking() && l.hold.what == Hold::For::kRxBuffers) {
        d = std::min(d, l.hold.deadline);
      }
    }
  }
  return d;
}

void TxScheduler::ConfigureRate(FnId fn, uint32_t mbps, uint64_t max_frame,
                                uint64_t now) {
  FnLanes& f = fns_[fn];
  f.bucket.Configure(mbps, max_frame, now);
  f.rate_waiting = false;
  deadlines_changed_ = true;
}

bool TxScheduler::RateReady(FnId fn, uint64_t now) {
  FnLanes& f = fns_[fn];
  if (f.bucket.Ready(now)) {
    return true;
  }
  f.rate_waiting = true;
  f.ready_ns = f.bucket.ReadyAt(now);
  deadlines_changed_ = true;
  return false;
}

bool TxScheduler::Eligible(FnId fn, uint16_t lane) const {
  const FnLanes& f = fns_[fn];
  const Lane& l = f.lanes[lane];
  return l.pending && !l.hold.blocking() && !f.rate_waiting;
}

std::optional<LaneRef> TxScheduler::Next() {
  const size_t n = fns_.size();
  FnId fn = rr_fn_;
  for (size_t i = 0; i <= n; ++i) {
    FnLanes& f = fns_[fn];
    const FnId after = static_cast<FnId>((fn + 1) % n);
    // A rate-limited function keeps its place among its lanes while it
    // waits: the others' turns in between must not bring it back to its
    // first lane each time it wakes (that starved its later lanes).
    if (!f.rate_waiting) {
      for (uint16_t lane = f.next_lane; lane < f.lanes.size(); ++lane) {
        if (Eligible(fn, lane)) {
          // Next time, start after this lane.
          f.next_lane = static_cast<uint16_t>(lane + 1);
          rr_fn_ = fn;
          if (f.next_lane >= f.lanes.size()) {
            f.next_lane = 0;
            rr_fn_ = after;
          }
          return LaneRef{fn, lane};
        }
      }
      f.next_lane = 0;  // its turn is over
    }
    fn = after;
  }
  return std::nullopt;
}

bool TxScheduler::HasWork() const {
  for (size_t fn = 0; fn < fns_.size(); ++fn) {
    for (uint16_t l = 0; l < fns_[fn].lanes.size(); ++l) {
      if (Eligible(static_cast<FnId>(fn), l)) return true;
    }
  }
  return false;
}

}  // namespace snic::device
