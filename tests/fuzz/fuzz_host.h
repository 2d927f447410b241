// What the fuzz targets (core_fuzz.cc: virtio-net, ixgbe_fuzz.cc: the
// Intel 82599 personality) share besides the C ABI: the input reader,
// tracing and invariant reports, the guest RAM, and the fake host (the
// SnicHostOps table whose callbacks forward to the target's environment).
// Lives in tests/ only.
//
// SPDX-License-Identifier: GPL-2.0-or-later
#ifndef SNIC_TESTS_FUZZ_FUZZ_HOST_H
#define SNIC_TESTS_FUZZ_FUZZ_HOST_H

#include <cstdarg>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "sriov_nic/sriov_nic.h"

namespace snic::fuzz_host {

// SNIC_FUZZ_TRACE=1: Trace prints every operation.
inline bool g_trace = false;

inline void Trace(const char* fmt, ...) {
  if (!g_trace) return;
  va_list ap;
  va_start(ap, fmt);
  std::vfprintf(stderr, fmt, ap);
  va_end(ap);
}

// An invariant failed: @target's report (op #@op), then abort(), which
// libFuzzer reports as a crash. @hint ends the report.
[[noreturn]] inline void Report(const char* target, unsigned op,
                                const char* hint, const char* fmt,
                                va_list ap) {
  std::fprintf(stderr, "\n%s: INVARIANT VIOLATED (op #%u): ", target, op);
  std::vfprintf(stderr, fmt, ap);
  std::fprintf(stderr, "\n%s\n", hint);
  std::abort();
}

// The input: bytes from the front; reading past the end gives zeros.
class Input {
 public:
  Input(const uint8_t* d, size_t n) : d_(d), n_(n) {}
  bool done() const { return i_ >= n_; }
  uint8_t u8() { return i_ < n_ ? d_[i_++] : 0; }
  uint16_t u16() { return static_cast<uint16_t>(u8() | u8() << 8); }
  uint32_t u32() { return u16() | static_cast<uint32_t>(u16()) << 16; }
  uint64_t u64() { return u32() | static_cast<uint64_t>(u32()) << 32; }
  std::vector<uint8_t> bytes(size_t n) {
    std::vector<uint8_t> v;
    while (n-- > 0 && !done()) v.push_back(u8());
    return v;
  }

 private:
  const uint8_t* d_;
  size_t n_;
  size_t i_ = 0;
};

// Guest RAM at guest-physical address 0. Accesses past it are refused
// (Read/Write false) or ignored (Put), never performed.
class GuestRam {
 public:
  void Assign(size_t bytes) { b_.assign(bytes, 0); }
  size_t size() const { return b_.size(); }
  uint8_t* data() { return b_.data(); }
  const uint8_t* data() const { return b_.data(); }
  uint8_t& operator[](size_t i) { return b_[i]; }
  uint8_t operator[](size_t i) const { return b_[i]; }
  std::vector<uint8_t>::iterator begin() { return b_.begin(); }
  std::vector<uint8_t>::iterator end() { return b_.end(); }
  std::vector<uint8_t>::const_iterator begin() const { return b_.begin(); }
  std::vector<uint8_t>::const_iterator end() const { return b_.end(); }

  bool Contains(uint64_t a, uint64_t l) const {
    return a <= b_.size() && l <= b_.size() - a;
  }
  bool Read(uint64_t a, void* p, size_t l) const {
    if (!Contains(a, l)) return false;
    if (l > 0) std::memcpy(p, b_.data() + a, l);
    return true;
  }
  bool Write(uint64_t a, const void* p, size_t l) {
    if (!Contains(a, l)) return false;
    if (l > 0) std::memcpy(b_.data() + a, p, l);
    return true;
  }
  void Put(uint64_t a, const void* p, size_t n) {
    if (n > 0) (void)Write(a, p, n);
  }
  template <typename T>
  void PutLe(uint64_t a, T v) {
    uint8_t b[sizeof(T)];
    for (size_t i = 0; i < sizeof(T); ++i) {
      b[i] = uint8_t(uint64_t(v) >> (8 * i));
    }
    Put(a, b, sizeof(T));
  }
  template <typename T>
  T GetLe(uint64_t a) const {
    if (!Contains(a, sizeof(T))) return 0;
    uint64_t v = 0;
    for (size_t i = 0; i < sizeof(T); ++i) v |= uint64_t(b_[a + i]) << (8 * i);
    return T(v);
  }

 private:
  std::vector<uint8_t> b_;
};

// The fake host: SnicHostOps for an environment @Env whose members (it
// befriends FakeHost<Env>) answer the core:
//   int HostDmaRead(SnicFn, uint64_t, uint8_t*, size_t);
//   int HostDmaWrite(SnicFn, uint64_t, const uint8_t*, size_t);
//   int HostDmaReadU16(SnicFn, uint64_t, uint16_t*);
//   void HostMsix(SnicFn, uint16_t);  void HostIntx(SnicFn, bool);
//   bool HostMsixEnabled(SnicFn);
//   bool HostUplinkSend(const uint8_t*, size_t);
//   void HostUplinkFlush();  void HostUplinkPurge();
//   void HostScheduleRun();  void HostTimerArm(uint64_t);
//   uint64_t HostNow();  void HostLog(SnicFn, const char*);
// and, when the uplink may carry a vnet header,
//   bool HostUplinkSendHdr(const SnicNetHdr*, const uint8_t*, size_t);
// No VF netdevs. Pass `this` as the opaque pointer.
template <class Env>
struct FakeHost {
  static Env& E(void* o) { return *static_cast<Env*>(o); }
  static int DmaRead(void* o, SnicFn fn, uint64_t a, void* b, size_t l) {
    return E(o).HostDmaRead(fn, a, static_cast<uint8_t*>(b), l);
  }
  static int DmaWrite(void* o, SnicFn fn, uint64_t a, const void* b,
                      size_t l) {
    return E(o).HostDmaWrite(fn, a, static_cast<const uint8_t*>(b), l);
  }
  static int DmaReadU16(void* o, SnicFn fn, uint64_t a, uint16_t* v) {
    return E(o).HostDmaReadU16(fn, a, v);
  }
  static void Msix(void* o, SnicFn fn, uint16_t v) { E(o).HostMsix(fn, v); }
  static void Intx(void* o, SnicFn fn, bool level) {
    E(o).HostIntx(fn, level);
  }
  static bool MsixEnabled(void* o, SnicFn fn) {
    return E(o).HostMsixEnabled(fn);
  }
  static bool UplinkSend(void* o, const uint8_t* f, size_t l) {
    return E(o).HostUplinkSend(f, l);
  }
  static void UplinkFlush(void* o) { E(o).HostUplinkFlush(); }
  static void UplinkPurge(void* o) { E(o).HostUplinkPurge(); }
  static void ScheduleRun(void* o) { E(o).HostScheduleRun(); }
  static void TimerArm(void* o, uint64_t d) { E(o).HostTimerArm(d); }
  static uint64_t Now(void* o) { return E(o).HostNow(); }
  static void Log(void* o, SnicFn fn, const char* msg) {
    E(o).HostLog(fn, msg);
  }
  static bool UplinkSendHdr(void* o, const SnicNetHdr* h, const uint8_t* f,
                            size_t l) {
    return E(o).HostUplinkSendHdr(h, f, l);
  }
  // UplinkSendHdr, or null for an Env without HostUplinkSendHdr.
  static constexpr decltype(&UplinkSendHdr) SendHdrOp() {
    if constexpr (requires(Env& e) {
                    e.HostUplinkSendHdr(nullptr, nullptr, size_t{0});
                  }) {
      return UplinkSendHdr;
    } else {
      return nullptr;
    }
  }

  static const SnicHostOps& Ops() {
    static const SnicHostOps ops = {
        DmaRead,     DmaWrite,    DmaReadU16, Msix,
        Intx,        MsixEnabled, UplinkSend, UplinkFlush,
        UplinkPurge, ScheduleRun, TimerArm,   Now,
        Log,         SendHdrOp(),
        nullptr,     nullptr,     nullptr};  // no VF netdevs
    return ops;
  }
};

}  // namespace snic::fuzz_host

#endif  // SNIC_TESTS_FUZZ_FUZZ_HOST_H
