// sriov-nic core: interrupt throttling of the 82599's MSI-X vectors
// (82599 datasheet 7.3.2.1, EITR; VTEITR for a VF).
//
// A vector's ITR interval (EITR bits 11:3 in 2 us units, so (EITR & 0xFF8)
// >> 2 microseconds: ixgbe and ixgbevf write q_vector->itr, which is
// usecs << 2) is the least time between two of its messages. A vector
// whose message would come sooner waits: its causes stay pending in EICR
// (EIAC and EIAM act when the message goes), more causes meanwhile join
// the one message, and at the end of the interval the function looks at
// the vector again (the device's timer: Device::ArmTimer asks
// Nic::HeldIrqDeadline, Device::Timer calls Nic::ReleaseHeldIrqs). A
// vector masked by then (EIMC, VTEIMC) sends nothing and keeps its cause
// for the unmask, as on the chip. An interval of 0 never waits.
//  - An EITR write without CNT_WDIS clears the vector's ITR counter: a
//    waiting message goes at once (ixgbe_write_eitr: CNT_WDIS set means
//    "not clear the timer bits and cause an immediate assertion"; ixgbe
//    and ixgbevf always set it).
//  - A function's reset clears its counters.
// Only MSI-X messages wait; the PF's INTx/MSI line does not.
//
// Which vectors wait migrates (Nic::Encode); the counters do not: on the
// destination a waiting vector is looked at again at the first timer.
//
// SPDX-License-Identifier: GPL-2.0-or-later
#ifndef SNIC_CORE_IXGBE_ITR_H
#define SNIC_CORE_IXGBE_ITR_H

#include <algorithm>
#include <array>
#include <cstdint>

namespace snic::ixgbe {

// The interval in ns of an EITR / VTEITR value.
inline uint64_t ItrIntervalNs(uint32_t eitr) {
  return uint64_t{(eitr & 0x00000FF8u) >> 2} * 1000;
}

// The ITR counters of a function's @N vectors (N <= 64).
template <unsigned N>
class ItrGate {
 public:
  static_assert(N >= 1 && N <= 64);
  static constexpr uint64_t kNone = UINT64_MAX;
  static constexpr uint64_t kAll = N == 64 ? ~uint64_t{0} : (uint64_t{1} << N) - 1;

  // Of @candidates (bit v: vector v would send a message at @now), the
  // vectors that may: no message within their interval (@eitr(v), the
  // vector's EITR value). The others wait (held(), Deadline()).
  template <class Eitr>
  uint64_t Admit(uint64_t now, uint64_t candidates, Eitr eitr) {
    uint64_t go = 0;
    for (uint64_t m = candidates & kAll; m != 0; m &= m - 1) {
      const unsigned v = static_cast<unsigned>(__builtin_ctzll(m));
      const uint64_t bit = uint64_t{1} << v;
      const uint64_t interval = ItrIntervalNs(eitr(v));
      if (interval == 0 || now >= next_[v]) {
        next_[v] = now + interval;
        go |= bit;
        held_ &= ~bit;
      } else {
        held_ |= bit;
      }
    }
    return go;
  }

  // The waiting vectors, and the earliest end of their intervals.
  uint64_t held() const { return held_; }
  uint64_t Deadline() const {
    uint64_t d = kNone;
    for (uint64_t m = held_; m != 0; m &= m - 1) {
      d = std::min(d, next_[static_cast<unsigned>(__builtin_ctzll(m))]);
    }
    return d;
  }
  // The waiting vectors whose interval is over at @now; they no longer
  // wait (the function offers them to Admit again if they still fire).
  uint64_t TakeDue(uint64_t now) {
    uint64_t due = 0;
    for (uint64_t m = held_; m != 0; m &= m - 1) {
      const unsigned v = static_cast<unsigned>(__builtin_ctzll(m));
      if (now >= next_[v]) due |= uint64_t{1} << v;
    }
    held_ &= ~due;
    return due;
  }
  // EITR written without CNT_WDIS.
  void ClearCounter(unsigned v) {
    if (v < N) next_[v] = 0;
  }
  void Reset() {
    held_ = 0;
    next_.fill(0);
  }
  // Migration: @held waits, due at once on this host's clock.
  void Restore(uint64_t held) {
    held_ = held & kAll;
    next_.fill(0);
  }

 private:
  uint64_t held_ = 0;
  std::array<uint64_t, N> next_{};  // earliest time of the next message
};

}  // namespace snic::ixgbe

#endif  // SNIC_CORE_IXGBE_ITR_H
