// sriov-nic core: who transmits next, and who waits for what.
//
// The TX scheduler owns the state of every TX lane (one per TX queue of a
// function): whether its doorbell was rung (pending), whether its head
// frame is held, and the function's rate limiter. The device's Run() loop
// asks it for the next lane round-robin and tells it what became of the
// lane's head frame.
//
// Holds (TX backpressure). A lane's head frame is held, not consumed, when
//  - its only destination is a function whose RX ring has no room for it
//    (the uplink's frames are held the same way, see uplink.h), or
//  - it must go out of the uplink (or the VF's own netdev link) while that
//    netdev is busy.
// A hold on a function has a deadline, fixed when that head frame was first
// held (kHoldNs) and never renewed while the same frame waits. Every hold
// has one way out that cannot be lost: the device arms its timer for the
// earliest deadline at the end of every entry point (NextDeadline), and an
// expired hold is retried once more with waiting forbidden, so the frame
// is delivered or dropped (counted) and the destination is marked starved:
// frames for it are then dropped without waiting until a delivery to it
// succeeds again. Events only bring the retry forward: the destination's
// RX doorbell, its state changing (reset, disable, error, link), the
// netdev finishing a send. A doorbell that posted nothing makes the retry
// hold again with the same deadline, so it cannot stall anyone. A hold for
// the busy netdev has no deadline: the netdev's send-done callback (or a
// purge) releases it, as QEMU guarantees for queued packets.
//
// Rate limit: while a function's token bucket is in debt its lanes are not
// eligible (the frames stay in the guest's ring) until ready_ns, and the
// function keeps its place among its lanes, so each lane gets its turn.
//
// SPDX-License-Identifier: GPL-2.0-or-later
#ifndef SNIC_CORE_DEVICE_TX_SCHEDULER_H
#define SNIC_CORE_DEVICE_TX_SCHEDULER_H

#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "../base/types.h"
#include "../policy/token_bucket.h"

namespace snic::device {

inline constexpr uint64_t kHoldNs = 10'000'000;  // 10 ms
inline constexpr uint64_t kNever = UINT64_MAX;

// What a held frame waits for.
struct Hold {
  enum class For : uint8_t { kNothing, kRxBuffers, kUplink };
  For what = For::kNothing;
  FnId dst = 0;               // kRxBuffers: the destination function
  LinkId link = kUplink;      // kUplink: the netdev link it waits for
  uint64_t deadline = kNever; // kRxBuffers only
  bool release = false;       // an event came: retry the head frame
  bool expired = false;       // the deadline passed: retry without waiting

  bool active() const { return what != For::kNothing; }
  // Not eligible to run: waiting and nothing happened yet.
  bool blocking() const { return active() && !release; }
  void Clear() { *this = Hold{}; }
};

struct LaneRef {
  FnId fn;
  uint16_t lane;
};

class TxScheduler {
 public:
  explicit TxScheduler(size_t num_functions);

  // Doorbells: lanes in @mask of @fn have work.
  void Kick(FnId fn, uint32_t mask);
  // The lane's queue is empty (or the port cannot work): not pending; its
  // hold, if any, is over (no head frame is waited on).
  void Idle(LaneRef l);
  // The head frame was consumed (sent or dropped).
  void Consumed(LaneRef l) { hold(l).Clear(); }
  // Function reset or disabled: nothing pending, no holds, not starved.
  void Forget(FnId fn);
  void SetLanes(FnId fn, uint16_t lanes);

  // Holds the head frame of @l for @dst's RX buffers (deadline kept if the
  // same frame is held again).
  void HoldForRx(LaneRef l, FnId dst, uint64_t now);
  void HoldForUplink(LaneRef l, LinkId link = kUplink);
  // Retries every hold waiting on @dst; true if any.
  bool ReleaseWaitersOn(FnId dst);
  // Retries every hold waiting for the netdev of @link; true if any.
  bool ReleaseUplinkWaiters(LinkId link = kUplink);
  // Retries every hold waiting on a destination for which @pred is true.
  template <typename Pred>
  bool ReleaseWaitersIf(Pred&& pred) {
    bool any = false;
    for (FnLanes& f : fns_) {
      for (Lane& l : f.lanes) {
        if (l.hold.what == Hold::For::kRxBuffers && !l.hold.release &&
            pred(l.hold.dst)) {
          l.hold.release = true;
          any = true;
        }
      }
    }
    return any;
  }
  // Expires holds and wakes rate-limited functions at @now; true if a lane
  // became eligible.
  bool Expire(uint64_t now);
  // The earliest hold deadline or rate-limit wake-up, or kNever.
  uint64_t NextDeadline() const;
  // Whether a deadline may have changed since the last call.
  bool TakeDeadlineChange() {
    const bool c = deadlines_changed_;
    deadlines_changed_ = false;
    return c;
  }

  // The waits a hold may still make: false once its deadline passed, or
  // when @dst is starved.
  bool MayHoldFor(LaneRef l, FnId dst) const;
  void Starve(FnId dst) { starved_[dst] = true; }
  void Fed(FnId dst) { starved_[dst] = false; }
  bool starved(FnId dst) const { return starved_[dst]; }

  // Rate limit of @fn (0 = none), configured at @now.
  void ConfigureRate(FnId fn, uint32_t mbps, uint64_t max_frame,
                     uint64_t now);
  // False (and @fn waits, counted by the caller) when @fn is in debt.
  bool RateReady(FnId fn, uint64_t now);
  void Charge(FnId fn, uint64_t bytes) { fns_[fn].bucket.Charge(bytes); }
  // Migration: the rate limiter of @fn.
  policy::TokenBucket& bucket(FnId fn) { return fns_[fn].bucket; }
  const policy::TokenBucket& bucket(FnId fn) const { return fns_[fn].bucket; }

  // Round-robin: the next eligible lane after the last one picked.
  std::optional<LaneRef> Next();
  // Any lane that Next() could return.
  bool HasWork() const;
  const Hold& hold_of(LaneRef l) const { return fns_[l.fn].lanes[l.lane].hold; }

 private:
  struct Lane {
    bool pending = false;
    Hold hold;
  };
  struct FnLanes {
    std::vector<Lane> lanes;
    policy::TokenBucket bucket;
    bool rate_waiting = false;
    uint64_t ready_ns = 0;
    uint16_t next_lane = 0;  // where its turn continues (Next)
  };
  Hold& hold(LaneRef l) { return fns_[l.fn].lanes[l.lane].hold; }
  bool Eligible(FnId fn, uint16_t lane) const;

  std::vector<FnLanes> fns_;
  std::vector<bool> starved_;
  bool deadlines_changed_ = false;
  FnId rr_fn_ = 0;  // the function whose turn it is (Next)
};

}  // namespace snic::device

#endif  // SNIC_CORE_DEVICE_TX_SCHEDULER_H
