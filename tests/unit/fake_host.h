// Test double for SnicHostOps: guest memory as a byte vector, recorded
// interrupts, uplink frames and log lines. Lives in tests/, never in the core.
// SPDX-License-Identifier: GPL-2.0-or-later
#ifndef SNIC_TESTS_FAKE_HOST_H
#define SNIC_TESTS_FAKE_HOST_H

#include <cstdint>
#include <cstring>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "sriov_nic/sriov_nic.h"

namespace snic::testing {

class FakeHost {
 public:
  explicit FakeHost(size_t mem_size = 1 << 20) : mem(mem_size, 0) {}

  // Guest RAM: [0, mem.size()). Accesses outside fail like an unmapped DMA.
  std::vector<uint8_t> mem;
  // Functions whose DMA fails (bus mastering off / disabled VF).
  std::vector<SnicFn> dma_blocked;
  std::vector<std::pair<SnicFn, uint16_t>> msix;
  std::vector<std::pair<SnicFn, bool>> intx;
  std::vector<std::vector<uint8_t>> uplink_frames;
  std::vector<std::string> guest_errors;
  std::vector<std::string> unimp;
  bool msix_on = true;
  bool uplink_accepts = true;
  int flushes = 0;
  // Runs inside uplink_flush, as QEMU delivers queued frames synchronously
  // (qemu_flush_queued_packets -> receive): exercises core re-entrancy.
  std::function<void()> on_flush;
  int runs_scheduled = 0;
  uint64_t now = 0;
  uint64_t timer_deadline = 0;

  const SnicHostOps& ops() const { return ops_; }
  void* opaque() { return this; }

  bool InRange(uint64_t addr, size_t len) const {
    return addr <= mem.size() && len <= mem.size() - addr;
  }
  bool Blocked(SnicFn fn) const {
    for (SnicFn b : dma_blocked) {
      if (b == fn) return true;
    }
    return false;
  }

 private:
  static FakeHost* Self(void* o) { return static_cast<FakeHost*>(o); }

  static int DmaRead(void* o, SnicFn fn, uint64_t addr, void* buf, size_t len) {
    FakeHost* h = Self(o);
    if (h->Blocked(fn) || !h->InRange(addr, len)) return -1;
    std::memcpy(buf, h->mem.data() + addr, len);
    return 0;
  }
  static int DmaWrite(void* o, SnicFn fn, uint64_t addr, const void* buf,
                      size_t len) {
    FakeHost* h = Self(o);
    if (h->Blocked(fn) || !h->InRange(addr, len)) return -1;
    std::memcpy(h->mem.data() + addr, buf, len);
    return 0;
  }
  static void MsixNotify(void* o, SnicFn fn, uint16_t v) {
    Self(o)->msix.emplace_back(fn, v);
  }
  static void SetIntx(void* o, SnicFn fn, bool level) {
    Self(o)->intx.emplace_back(fn, level);
  }
  static bool MsixEnabled(void* o, SnicFn) { return Self(o)->msix_on; }
  static bool UplinkSend(void* o, const uint8_t* f, size_t len) {
    Self(o)->uplink_frames.emplace_back(f, f + len);
    return Self(o)->uplink_accepts;
  }
  static void UplinkFlush(void* o) {
    Self(o)->flushes++;
    if (Self(o)->on_flush) Self(o)->on_flush();
  }
  static void ScheduleRun(void* o) { Self(o)->runs_scheduled++; }
  static void TimerArm(void* o, uint64_t d) { Self(o)->timer_deadline = d; }
  static uint64_t NowNs(void* o) { return Self(o)->now; }
  static void GuestError(void* o, SnicFn, const char* m) {
    Self(o)->guest_errors.emplace_back(m);
  }
  static void Unimp(void* o, SnicFn, const char* m) {
    Self(o)->unimp.emplace_back(m);
  }

  SnicHostOps ops_{DmaRead,     DmaWrite,   MsixNotify,  SetIntx,
                   MsixEnabled, UplinkSend, UplinkFlush, ScheduleRun,
                   TimerArm,    NowNs,      GuestError,  Unimp};
};

}  // namespace snic::testing

#endif  // SNIC_TESTS_FAKE_HOST_H
