// libFuzzer target for the sriov-nic core's Intel 82599 personality
// (SnicConfig.personality = SNIC_PERSONALITY_IXGBE), over the C ABI only
// (include/sriov_nic/sriov_nic.h). See docs/fuzzing.md.
//
// The input drives a PF (0..8 VFs) as hostile ixgbe/ixgbevf drivers
// would: MMIO reads and writes anywhere in the PF's and the VFs' BAR 0,
// biased towards the registers that matter (interrupts, VT/pool enables,
// MAC filters, the 128 queue blocks, the mailboxes); ring descriptors and
// buffers in guest RAM that the input writes; SR-IOV NumVFs, FLR, Bus
// Master Enable; uplink frames; the TX bottom half; the timer; the link.
// Rings may point anywhere: past RAM (the DMA fails) or at a BAR (the DMA
// becomes a nested MMIO, which the core must refuse).
//
// Input: a 4-byte header, then operations (an opcode byte modulo kNumOps
// and its arguments; reading past the end gives zeros):
//   [0] total_vfs = b % 9        [1] RAM fill seed (0: zeros)
//   [2] bit 0: start with the PF's well-formed VT bring-up (ixgbe_probe ..
//       ixgbe_sriov_enable: PFRSTD, GPIE, VT_CTL, GCR_EXT, VFRE/VFTE,
//       RXCTRL, DMATXCTL) and total_vfs VFs enabled with Bus Master on
//   [3] last byte of the PF MAC
//
// Invariants (abort, which libFuzzer reports as a crash), besides ASan
// and UBSan:
//  - no DMA for a function whose Bus Master Enable is off, or a VF that is
//    not enabled (NumVFs), or an invalid function;
//  - a DMA that lands in a BAR is refused as a nested MMIO;
//  - MSI-X vectors < the function's layout's msix_vectors; INTx only for
//    the PF;
//  - frames sent to the uplink are 1..eth max frame (65536 + 18) bytes;
//  - snic_core_run settles in a bounded number of calls;
//  - a saved state loads back; a refused load changes nothing and says
//    why; saving after a round trip gives the same bytes.
//
// Environment: SNIC_FUZZ_TRACE=1 prints every operation.
//
// SPDX-License-Identifier: GPL-2.0-or-later
#include <algorithm>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "fuzz_host.h"
#include "sriov_nic/sriov_nic.h"

namespace snic::ixfuzz {
namespace {

// Guest physical map.
constexpr uint64_t kRamSize = 512 * 1024;
constexpr uint64_t kPfBar = 0xfe000000;    // PF BAR 0 (128 KiB)
constexpr uint64_t kVfBars = 0xfe100000;   // VF n's BAR 0 at + n * 16 KiB
constexpr uint64_t kPfBarSize = 0x20000, kVfBarSize = 0x4000;
constexpr size_t kMaxUplinkFrame = 65536 + 18;  // eth::kMaxFrameLen
constexpr unsigned kMaxVfs = 8;

using fuzz_host::Input;
using fuzz_host::Trace;

unsigned g_op = 0;

[[noreturn]] void Violation(const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fuzz_host::Report("ixgbe_fuzz", g_op,
                    "(SNIC_FUZZ_TRACE=1 shows the operations)", fmt, ap);
}

// ---- register offsets (ixgbe_type.h, as the drivers spell them) ---------

// PF registers worth hitting; a queue or array register takes an index
// from the operation (Index below).
enum class Ix : uint8_t { kNone, kQueue, kVec, kPool, kPool2, kRar, kWord };
struct PfReg {
  uint32_t off;
  Ix ix;
  uint32_t stride;
  uint32_t count;
};
constexpr PfReg kPfRegs[] = {
    {0x00000, Ix::kNone, 0, 1},      // CTRL
    {0x00008, Ix::kNone, 0, 1},      // STATUS
    {0x00018, Ix::kNone, 0, 1},      // CTRL_EXT (PFRSTD 0x4000)
    {0x00800, Ix::kNone, 0, 1},      // EICR
    {0x00808, Ix::kNone, 0, 1},      // EICS
    {0x00810, Ix::kNone, 0, 1},      // EIAC
    {0x00880, Ix::kNone, 0, 1},      // EIMS
    {0x00888, Ix::kNone, 0, 1},      // EIMC
    {0x00890, Ix::kNone, 0, 1},      // EIAM
    {0x00898, Ix::kNone, 0, 1},      // GPIE
    {0x00A00, Ix::kNone, 0, 1},      // IVAR_MISC
    {0x00A90, Ix::kWord, 4, 2},      // EICS_EX
    {0x00AA0, Ix::kWord, 4, 2},      // EIMS_EX
    {0x00AB0, Ix::kWord, 4, 2},      // EIMC_EX
    {0x00900, Ix::kVec, 4, 64},      // IVAR
    {0x00820, Ix::kVec, 4, 24},      // EITR 0..23
    {0x012300, Ix::kVec, 4, 104},    // EITR 24..127
    {0x00600, Ix::kNone, 0, 1},      // PFVFLRE
    {0x001C0, Ix::kNone, 0, 1},      // PFVFLRE (32..63)
    {0x00700, Ix::kWord, 4, 2},      // PFVFLREC
    {0x00710, Ix::kWord, 4, 4},      // MBVFICR
    {0x00720, Ix::kWord, 4, 2},      // MBVFIMR
    {0x03000, Ix::kNone, 0, 1},      // RXCTRL (RXEN)
    {0x04A80, Ix::kNone, 0, 1},      // DMATXCTL (TE)
    {0x051B0, Ix::kNone, 0, 1},      // PFVTCTL
    {0x11050, Ix::kNone, 0, 1},      // GCR_EXT
    {0x051E0, Ix::kWord, 4, 2},      // VFRE
    {0x08110, Ix::kWord, 4, 2},      // VFTE
    {0x0A200, Ix::kRar, 8, 128},     // RAL
    {0x0A204, Ix::kRar, 8, 128},     // RAH
    {0x0A600, Ix::kRar, 4, 256},     // MPSAR
    {0x04B00, Ix::kPool, 4, 64},     // PFMAILBOX
    {0x13000, Ix::kPool2, 4, 1024},  // PFMBMEM (64 words per pool x 16)
    {0x05080, Ix::kNone, 0, 1},      // FCTRL
    {0x04240, Ix::kNone, 0, 1},      // HLREG0
    {0x04268, Ix::kNone, 0, 1},      // MAXFRS
    {0x042A0, Ix::kNone, 0, 1},      // AUTOC
    {0x042A4, Ix::kNone, 0, 1},      // LINKS
    {0x10010, Ix::kNone, 0, 1},      // EEC
    {0x10014, Ix::kNone, 0, 1},      // EERD
    {0x10160, Ix::kNone, 0, 1},      // SWFW_SYNC
    {0x10140, Ix::kNone, 0, 1},      // SWSM
    {0x08000, Ix::kPool, 4, 64},     // PFVMVIR
    {0x0F000, Ix::kPool, 4, 64},     // PFVML2FLT (VMOLR)
    {0x0F100, Ix::kPool, 4, 64},     // VLVF
    {0x0F200, Ix::kPool, 4, 128},    // VLVFB
    {0x0A000, Ix::kRar, 4, 128},     // VFTA
    {0x05200, Ix::kRar, 4, 128},     // MTA
    {0x08200, Ix::kWord, 4, 8},      // PFVFSPOOF
    {0x08220, Ix::kNone, 0, 1},      // PFDTXGSWC
    {0x05180, Ix::kWord, 4, 8},      // VMTXSW
    {0x0EC80, Ix::kNone, 0, 1},      // MRQC
    {0x08120, Ix::kNone, 0, 1},      // MTQC
    {0x04900, Ix::kNone, 0, 1},      // RTTDCS
    {0x02F00, Ix::kNone, 0, 1},      // RDRXCTL
    {0x02F04, Ix::kNone, 0, 1},      // PFQDE
    {0x0EA00, Ix::kPool, 4, 64},     // PFVFPSRTYPE
    {0x0EB00, Ix::kWord, 4, 32},     // RETA
    {0x0EB80, Ix::kWord, 4, 10},     // RSSRK
    {0x04904, Ix::kNone, 0, 1},      // RTTDQSEL
    {0x04908, Ix::kNone, 0, 1},      // RTTDT1C
    {0x04984, Ix::kNone, 0, 1},      // RTTBCNRC
    {0x08600, Ix::kPool, 4, 64},     // the PF's view of VF statistics
};
constexpr unsigned kNumPfRegs = sizeof(kPfRegs) / sizeof(kPfRegs[0]);

// Offsets within a queue block (RX 0x1000 + 0x40 n / 0xD000 + 0x40 (n - 64),
// TX 0x6000 + 0x40 n; VF: RX 0x1000, TX 0x2000 + 0x40 n).
constexpr uint32_t kQBAL = 0x00, kQBAH = 0x04, kQLEN = 0x08, kQSRRCTL = 0x14,
                   kQH = 0x10, kQT = 0x18, kQDCTL = 0x28, kQWBAL = 0x38,
                   kQWBAH = 0x3C;
constexpr uint32_t kQRegs[] = {kQBAL, kQBAH, kQLEN, kQH, kQSRRCTL, kQT, kQDCTL,
                               kQWBAL, kQWBAH, 0x0C, 0x20, 0x24, 0x30};
constexpr uint32_t kDctlEnable = 1u << 25;

uint32_t PfRxQ(unsigned n) {
  n %= 128;
  return n < 64 ? 0x1000 + 0x40 * n : 0xD000 + 0x40 * (n - 64);
}
uint32_t PfTxQ(unsigned n) { return 0x6000 + 0x40 * (n % 128); }

constexpr uint32_t kVfRegs[] = {
    0x000,  // VFCTRL
    0x008,  // VFSTATUS
    0x010,  // VFLINKS
    0x100,  // VFEICR
    0x104,  // VFEICS
    0x108,  // VFEIMS
    0x10C,  // VFEIMC
    0x110,  // VFEIAC
    0x114,  // VFEIAM
    0x120, 0x124, 0x128, 0x12C,  // VFIVAR 0..3
    0x140,  // VFIVAR_MISC
    0x820, 0x824, 0x828,  // VFEITR
    0x2FC,  // VFMAILBOX
    0x200, 0x204, 0x208, 0x23C,  // VFMBMEM
    0x300,  // VFPSRTYPE
    0x048,  // VFFRTIMER
    0x3000, 0x3010,  // VFRETA, VFRSSRK (ixgbevf 82599 has neither)
    0x1014, // VFSRRCTL(0)
};

// ---- the environment ------------------------------------------------------

class Env {
 public:
  Env(const uint8_t* d, size_t n) : in_(d, n) {}
  ~Env() {
    if (core_ != nullptr) snic_core_free(core_);
  }
  void Main();

 private:
  // The fake host (fuzz_host.h).
  friend struct fuzz_host::FakeHost<Env>;
  int HostDmaRead(SnicFn fn, uint64_t a, uint8_t* b, size_t l) {
    return Dma(fn, a, b, l, false);
  }
  int HostDmaWrite(SnicFn fn, uint64_t a, const uint8_t* b, size_t l) {
    return Dma(fn, a, const_cast<uint8_t*>(b), l, true);
  }
  int HostDmaReadU16(SnicFn fn, uint64_t a, uint16_t* v) {
    uint8_t b[2] = {};
    const int r = Dma(fn, a, b, 2, false);
    *v = static_cast<uint16_t>(b[0] | b[1] << 8);
    return r;
  }
  void HostMsix(SnicFn fn, uint16_t v) { Msix(fn, v); }
  void HostIntx(SnicFn fn, bool level) {
    if (fn != 0) Violation("set_intx for function %u", fn);
    intx_ = level;
  }
  bool HostMsixEnabled(SnicFn fn) {
    if (fn > total_vfs_) Violation("msix_enabled for invalid function %u", fn);
    return msix_on_[fn];
  }
  bool HostUplinkSend(const uint8_t* f, size_t l) { return Send(f, l); }
  void HostUplinkFlush() {}
  // QEMU's qemu_net_queue_purge calls the sent callback of what it drops.
  void HostUplinkPurge() {
    if (send_pending_ > 0) {
      send_pending_--;
      snic_core_uplink_send_done(core_);
    }
  }
  void HostScheduleRun() { run_scheduled_ = true; }
  void HostTimerArm(uint64_t d) {
    timer_armed_ = true;
    deadline_ = d;
  }
  uint64_t HostNow() { return now_; }
  void HostLog(SnicFn fn, const char* msg) {
    Trace("      guest error fn %u: %s\n", fn, msg);
  }

  int Dma(SnicFn fn, uint64_t a, uint8_t* b, size_t l, bool write);
  void Msix(SnicFn fn, uint16_t v);
  bool Send(const uint8_t* f, size_t l);
  void Setup();
  void Bringup();
  void Step(uint8_t op);
  void Run();
  void Wr(SnicFn fn, uint32_t off, uint32_t v, unsigned size = 4);
  uint32_t Rd(SnicFn fn, uint32_t off, unsigned size = 4);
  uint32_t PickPf(uint8_t sel, uint16_t raw);
  uint32_t PickVf(uint8_t sel, uint16_t raw);
  uint64_t PickAddr(uint8_t where, uint32_t v);
  void SetBme(SnicFn fn, bool on);
  void SetNumVfs(uint16_t n);
  void Migrate(uint8_t mode);
  bool Enabled(SnicFn fn) const { return fn == 0 || fn <= num_vfs_; }

  Input in_;
  SnicCore* core_ = nullptr;
  const SnicLayout* pf_layout_ = nullptr;
  const SnicLayout* vf_layout_ = nullptr;
  uint16_t total_vfs_ = 0, num_vfs_ = 0;
  fuzz_host::GuestRam ram_;
  bool bme_[kMaxVfs + 1] = {};
  bool msix_on_[kMaxVfs + 1] = {};
  bool dma_fail_[kMaxVfs + 1] = {};
  bool intx_ = false;
  bool run_scheduled_ = false;
  bool timer_armed_ = false;
  bool link_up_ = true;
  uint64_t deadline_ = 0, now_ = 1'000'000'000;
  unsigned send_pending_ = 0;
  unsigned migrations_ = 0;
  uint8_t accept_ = 0;
  unsigned depth_ = 0;
  uint64_t sent_ = 0;
};

int Env::Dma(SnicFn fn, uint64_t a, uint8_t* b, size_t l, bool write) {
  if (fn > total_vfs_) Violation("DMA for invalid function %u", fn);
  if (!Enabled(fn)) {
    Violation("DMA %s by VF fn %u at 0x%llx len %zu while not enabled (NumVFs %u)",
              write ? "write" : "read", fn, static_cast<unsigned long long>(a), l,
              num_vfs_);
  }
  if (!bme_[fn]) {
    Violation("DMA %s by fn %u at 0x%llx len %zu while its Bus Master Enable is off",
              write ? "write" : "read", fn, static_cast<unsigned long long>(a), l);
  }
  if (dma_fail_[fn]) return 1;
  if (a < ram_.size() && ram_.Contains(a, l)) {
    if (write) {
      (void)ram_.Write(a, b, l);
    } else {
      (void)ram_.Read(a, b, l);
    }
    return 0;
  }
  // A BAR: the access becomes MMIO on the device, from inside its own DMA.
  SnicFn target;
  uint64_t off;
  if (a >= kPfBar && a - kPfBar < kPfBarSize) {
    target = 0;
    off = a - kPfBar;
  } else if (a >= kVfBars && a - kVfBars < kVfBarSize * kMaxVfs) {
    target = static_cast<SnicFn>(1 + (a - kVfBars) / kVfBarSize);
    off = (a - kVfBars) % kVfBarSize;
    if (target > num_vfs_) return 1;
  } else {
    return 1;  // unmapped
  }
  if (depth_ > 4) return 1;
  depth_++;
  const unsigned sz = l >= 4 && off % 4 == 0 ? 4 : 1;
  uint64_t v = 0;
  bool ok;
  if (write) {
    std::memcpy(&v, b, sz);
    ok = snic_core_mmio_write(core_, target, 0, off, v, sz);
  } else {
    ok = snic_core_mmio_read(core_, target, 0, off, sz, &v);
    std::memcpy(b, &v, sz);
  }
  depth_--;
  if (ok) {
    Violation("a DMA of fn %u aimed at fn %u's register 0x%llx was not refused",
              fn, target, static_cast<unsigned long long>(off));
  }
  return 1;
}

void Env::Msix(SnicFn fn, uint16_t v) {
  if (fn > total_vfs_ || !Enabled(fn)) {
    Violation("MSI-X from function %u (NumVFs %u)", fn, num_vfs_);
  }
  const SnicLayout* l = fn == 0 ? pf_layout_ : vf_layout_;
  if (v >= l->msix_vectors) {
    Violation("MSI-X vector %u of fn %u >= %u", v, fn, l->msix_vectors);
  }
  if (!msix_on_[fn]) Violation("MSI-X notify for fn %u with MSI-X disabled", fn);
  Trace("      msix fn %u vector %u\n", fn, v);
}

bool Env::Send(const uint8_t* f, size_t l) {
  if (l == 0 || l > kMaxUplinkFrame) {
    Violation("frame of %zu bytes sent to the uplink (max %zu)", l,
              kMaxUplinkFrame);
  }
  sent_++;
  Trace("      uplink send %zu bytes\n", l);
  if (accept_ % 4 == 3) {
    send_pending_++;
    return false;
  }
  return true;
}

void Env::Wr(SnicFn fn, uint32_t off, uint32_t v, unsigned size) {
  Trace("  wr fn %u 0x%05x = 0x%08x (%u)\n", fn, off, v, size);
  snic_core_mmio_write(core_, fn, 0, off, v, size);
}

uint32_t Env::Rd(SnicFn fn, uint32_t off, unsigned size) {
  uint64_t v = 0;
  snic_core_mmio_read(core_, fn, 0, off, size, &v);
  Trace("  rd fn %u 0x%05x -> 0x%08llx (%u)\n", fn, off,
        static_cast<unsigned long long>(v), size);
  return static_cast<uint32_t>(v);
}

uint32_t Env::PickPf(uint8_t sel, uint16_t raw) {
  if (sel >= 0xf0) return (static_cast<uint32_t>(sel & 1) << 16 | raw) % kPfBarSize;
  if (sel >= 0xa0) {  // a queue block register
    const uint32_t q = sel & 1 ? PfTxQ(raw >> 8) : PfRxQ(raw >> 8);
    return q + kQRegs[raw % (sizeof(kQRegs) / 4)];
  }
  const PfReg& r = kPfRegs[sel % kNumPfRegs];
  if (r.ix == Ix::kNone) return r.off;
  return r.off + r.stride * (raw % r.count);
}

uint32_t Env::PickVf(uint8_t sel, uint16_t raw) {
  if (sel >= 0xf0) return raw % kVfBarSize;
  if (sel >= 0xa0) {
    const uint32_t q = (sel & 1 ? 0x2000 : 0x1000) + 0x40 * ((raw >> 8) % 8);
    return q + kQRegs[raw % (sizeof(kQRegs) / 4)];
  }
  return kVfRegs[sel % (sizeof(kVfRegs) / 4)];
}

uint64_t Env::PickAddr(uint8_t where, uint32_t v) {
  switch (where % 8) {
    case 0: case 1: case 2: case 3:
      return v % kRamSize;                      // anywhere in RAM
    case 4: return kRamSize - 16 + v % 64;      // straddling its end
    case 5: return kPfBar + v % kPfBarSize;     // the PF's registers
    case 6: return kVfBars + v % (kVfBarSize * kMaxVfs);
    default: return 0x100000000ull + v;         // unmapped
  }
}

void Env::SetBme(SnicFn fn, bool on) {
  bme_[fn] = on;
  snic_core_set_bus_master(core_, fn, on);
}

void Env::SetNumVfs(uint16_t n) {
  // PCI: VF Enable clear removes the VFs' config space (and their BME).
  for (uint16_t f = n + 1; f <= total_vfs_; ++f) {
    bme_[f] = false;
    msix_on_[f] = false;
  }
  num_vfs_ = n;
  snic_core_set_num_vfs(core_, n);
}

void Env::Run() {
  for (unsigned i = 0; i < 256; ++i) {
    run_scheduled_ = false;
    if (!snic_core_run(core_) && !run_scheduled_) return;
  }
  // A ring that loops on itself can keep the bottom half busy while the
  // guest keeps moving the tail; here the guest does nothing, so the
  // device must run out of descriptors.
  Violation("snic_core_run did not settle in 256 calls");
}

void Env::Setup() {
  total_vfs_ = in_.u8() % (kMaxVfs + 1);
  const uint8_t seed = in_.u8(), start = in_.u8(), mac5 = in_.u8();
  ram_.Assign(kRamSize);
  if (seed != 0) {
    uint64_t x = 0x9e3779b97f4a7c15ull * seed;
    for (auto& b : ram_) {
      x ^= x << 13;
      x ^= x >> 7;
      x ^= x << 17;
      b = static_cast<uint8_t>(x);
    }
  }
  SnicConfig cfg{};
  cfg.total_vfs = total_vfs_;
  const uint8_t mac[6] = {0x52, 0x54, 0x00, 0x12, 0x34, mac5};
  std::memcpy(cfg.pf_mac, mac, 6);
  cfg.mtu = 1500;
  cfg.personality = SNIC_PERSONALITY_IXGBE;
  char err[128] = {};
  core_ = snic_core_new(&cfg, &fuzz_host::FakeHost<Env>::Ops(), this, err,
                        sizeof(err));
  if (core_ == nullptr) Violation("snic_core_new refused ixgbe: %s", err);
  pf_layout_ = snic_core_layout(core_);
  vf_layout_ = snic_core_vf_layout(core_);
  if (pf_layout_->bar_size != kPfBarSize || vf_layout_->bar_size != kVfBarSize) {
    Violation("unexpected BAR sizes 0x%x / 0x%x", pf_layout_->bar_size,
              vf_layout_->bar_size);
  }
  for (auto& m : msix_on_) m = true;
  if (start & 1) Bringup();
}

// The PF driver's VT bring-up (ixgbe_probe, ixgbe_up, ixgbe_sriov_enable,
// ixgbe_configure_virtualization), shortened, then the VFs with BME on.
void Env::Bringup() {
  Trace("bringup\n");
  SetBme(0, true);
  Wr(0, 0x00000, 0x04000008);  // CTRL.RST | LNK_RST
  Wr(0, 0x00018, 0x10004000);  // CTRL_EXT.DRV_LOAD | PFRSTD
  Wr(0, 0x00898, 0x80000030 | 0x4000);  // GPIE: PBA_SUPPORT, MSIX, OCD, VTMODE 64
  Wr(0, 0x00A00, 0x80);        // IVAR_MISC: other causes -> vector 0
  Wr(0, 0x00900, 0x8181);      // IVAR(0): RX0 -> 1, TX0 -> 1
  Wr(0, 0x00880, 0xffffffff);  // EIMS
  Wr(0, 0x051B0, 0x40000000 | 0x7F);  // PFVTCTL: VT_ENA, DEF_PL 127? (pool)
  Wr(0, 0x11050, 0x40000003);  // GCR_EXT: VT mode 64
  Wr(0, 0x051E0, 0xffffffff);
  Wr(0, 0x08110, 0xffffffff);
  Wr(0, 0x00720, 0xffffffff);  // MBVFIMR
  // PF queue 0: rings at 0x10000 (RX) / 0x11000 (TX), 8 descriptors.
  Wr(0, PfRxQ(0) + kQBAL, 0x10000);
  Wr(0, PfRxQ(0) + kQLEN, 128);
  Wr(0, PfRxQ(0) + kQSRRCTL, 0x02000002);  // adv one buffer, 2 KiB
  Wr(0, PfRxQ(0) + kQDCTL, kDctlEnable);
  Wr(0, PfTxQ(0) + kQBAL, 0x11000);
  Wr(0, PfTxQ(0) + kQLEN, 128);
  Wr(0, PfTxQ(0) + kQDCTL, kDctlEnable);
  Wr(0, 0x03000, 1);           // RXCTRL.RXEN
  Wr(0, 0x04A80, 1);           // DMATXCTL.TE
  SetNumVfs(total_vfs_);
  for (uint16_t v = 1; v <= total_vfs_; ++v) SetBme(v, true);
}

void Env::Main() {
  Setup();
  while (!in_.done() && g_op < 2000) {
    Step(in_.u8());
    g_op++;
  }
  // Drain: the bottom half and the timer until nothing is armed.
  g_op = 100000;
  accept_ = 0;
  while (send_pending_ > 0) {
    send_pending_--;
    snic_core_uplink_send_done(core_);
  }
  for (unsigned i = 0; i < 64; ++i) {
    Run();
    if (!timer_armed_) break;
    now_ = std::max(now_, deadline_);
    timer_armed_ = false;
    snic_core_timer(core_);
  }
}

enum Op : uint8_t {
  kPfWrite,    // sel(u8) raw(u16) value(u32)
  kPfRead,     // sel(u8) raw(u16)
  kVfWrite,    // vf(u8) sel(u8) raw(u16) value(u32)
  kVfRead,     // vf(u8) sel(u8) raw(u16)
  kRawMmio,    // fn(u8) off(u32) size(u8) value(u32) write(u8)
  kRing,       // fn(u8) q(u8) tx(u8) where(u8) addr(u32) len(u8) enable(u8)
  kTail,       // fn(u8) q(u8) tx(u8) value(u16)
  kTxDesc,     // slot(u16) where(u8) addr(u32) len(u16) cmd(u8) olinfo(u32)
  kRxDesc,     // slot(u16) where(u8) addr(u32)
  kMemWrite,   // addr(u32) n(u8) bytes
  kMailbox,    // vf(u8) dir(u8) w0(u32) w1(u32)
  kSetNumVfs,  // n(u8)
  kReset,      // fn(u8)
  kBme,        // fn(u8) on(u8)
  kUplink,     // dst(u8) len(u16) fill(u8)
  kRun,        //
  kTimer,      // delta(u8)
  kLink,       // up(u8)
  kMsixOn,     // fn(u8) on(u8)
  kDmaFail,    // fn(u8) on(u8)
  kSendDone,   // accept(u8)
  kMigrate,    // mode(u8): 0 as saved, 1 flips (n(u8), pos(u32) x(u8)...),
               // 2 cuts to len(u32), 3 appends n(u8) bytes
  kNumOps,
};

// Rings live in RAM from 0x10000; a descriptor "slot" is 16 bytes there.
constexpr uint64_t kRingArea = 0x10000;

void Env::Step(uint8_t op) {
  const uint16_t nfns = static_cast<uint16_t>(total_vfs_ + 1);
  switch (op % kNumOps) {
    case kPfWrite: {
      const uint8_t sel = in_.u8();
      const uint16_t raw = in_.u16();
      Wr(0, PickPf(sel, raw), in_.u32());
      break;
    }
    case kPfRead: {
      const uint8_t sel = in_.u8();
      Rd(0, PickPf(sel, in_.u16()));
      break;
    }
    case kVfWrite: {
      const SnicFn fn = static_cast<SnicFn>(1 + in_.u8() % kMaxVfs);
      const uint8_t sel = in_.u8();
      const uint16_t raw = in_.u16();
      const uint32_t v = in_.u32();
      Wr(fn, PickVf(sel, raw), v);  // fn may be past NumVFs: refused
      break;
    }
    case kVfRead: {
      const SnicFn fn = static_cast<SnicFn>(1 + in_.u8() % kMaxVfs);
      const uint8_t sel = in_.u8();
      Rd(fn, PickVf(sel, in_.u16()));
      break;
    }
    case kRawMmio: {
      const SnicFn fn = in_.u8() % (nfns + 1);
      const uint32_t off = in_.u32();
      const uint8_t size = in_.u8();
      const uint32_t v = in_.u32();
      const bool write = in_.u8() & 1;
      const unsigned sizes[] = {1, 2, 4, 8, 0, 3, 16};
      const unsigned sz = sizes[size % 7];
      const uint32_t region = size & 0x80 ? 1 : 0;
      uint64_t o = size & 0x40 ? off : off % (fn == 0 ? kPfBarSize : kVfBarSize);
      Trace("  raw mmio fn %u region %u off 0x%llx size %u %s 0x%x\n", fn, region,
            static_cast<unsigned long long>(o), sz, write ? "write" : "read", v);
      uint64_t val = v;
      if (write) {
        snic_core_mmio_write(core_, fn, region, o, val, sz);
      } else {
        snic_core_mmio_read(core_, fn, region, o, sz, &val);
      }
      break;
    }
    case kRing: {
      const SnicFn fn = in_.u8() % nfns;
      const uint8_t q = in_.u8(), tx = in_.u8(), where = in_.u8();
      const uint32_t av = in_.u32();
      const uint8_t len = in_.u8(), en = in_.u8();
      const uint64_t a = (where & 0x80) ? kRingArea + 0x1000 * (av % 16)
                                        : PickAddr(where, av);
      const uint32_t base = fn == 0 ? (tx & 1 ? PfTxQ(q) : PfRxQ(q))
                                    : (tx & 1 ? 0x2000u : 0x1000u) + 0x40 * (q % 8);
      Trace("  ring fn %u %s q %u at 0x%llx len %u\n", fn, tx & 1 ? "tx" : "rx", q,
            static_cast<unsigned long long>(a), len);
      Wr(fn, base + kQDCTL, 0);
      Wr(fn, base + kQBAL, static_cast<uint32_t>(a));
      Wr(fn, base + kQBAH, static_cast<uint32_t>(a >> 32));
      Wr(fn, base + kQLEN, len & 0x80 ? av : 128u * (1 + len % 16));
      if (tx & 2) Wr(fn, base + (tx & 1 ? kQWBAL : kQSRRCTL),
                     tx & 1 ? static_cast<uint32_t>(a + 0x800) | 1 : 0x02000000u | (len & 0x1f));
      Wr(fn, base + kQH, 0);
      Wr(fn, base + kQT, 0);
      Wr(fn, base + kQDCTL, en & 1 ? kDctlEnable | (en & 0x7e) : en);
      break;
    }
    case kTail: {
      const SnicFn fn = in_.u8() % nfns;
      const uint8_t q = in_.u8(), tx = in_.u8();
      const uint16_t v = in_.u16();
      const uint32_t base = fn == 0 ? (tx & 1 ? PfTxQ(q) : PfRxQ(q))
                                    : (tx & 1 ? 0x2000u : 0x1000u) + 0x40 * (q % 8);
      Wr(fn, base + kQT, v);
      break;
    }
    case kTxDesc: {
      const uint16_t slot = in_.u16();
      const uint8_t where = in_.u8();
      const uint32_t av = in_.u32();
      const uint16_t len = in_.u16();
      const uint8_t cmd = in_.u8();
      const uint32_t olinfo = in_.u32();
      const uint64_t d = kRingArea + 16ull * (slot % 4096);
      const uint64_t buf = (where & 0x80) ? 0x20000 + av % 0x40000 : PickAddr(where, av);
      // cmd bits: 0 EOP, 1 IFCS, 2 RS, 3 DEXT, 4 VLE, 5 TSE, 6-7 DTYP
      // (data, context, legacy, raw)
      uint32_t ctl = len;
      if (cmd & 1) ctl |= 0x01000000;
      if (cmd & 2) ctl |= 0x02000000;
      if (cmd & 4) ctl |= 0x08000000;
      if (cmd & 8) ctl |= 0x20000000;
      if (cmd & 16) ctl |= 0x40000000;
      if (cmd & 32) ctl |= 0x80000000;
      switch (cmd >> 6) {
        case 0: ctl |= 0x00300000; break;
        case 1: ctl |= 0x00200000; break;
        case 2: ctl &= ~0x20000000u; break;
        default: ctl ^= olinfo & 0x00f00000; break;
      }
      std::memcpy(&ram_[d], &buf, 8);
      std::memcpy(&ram_[d + 8], &ctl, 4);
      std::memcpy(&ram_[d + 12], &olinfo, 4);
      Trace("  txdesc 0x%llx buf 0x%llx ctl 0x%08x olinfo 0x%08x\n",
            static_cast<unsigned long long>(d), static_cast<unsigned long long>(buf),
            ctl, olinfo);
      break;
    }
    case kRxDesc: {
      const uint16_t slot = in_.u16();
      const uint8_t where = in_.u8();
      const uint32_t av = in_.u32();
      const uint64_t d = kRingArea + 16ull * (slot % 4096);
      const uint64_t buf = (where & 0x80) ? 0x20000 + av % 0x40000 : PickAddr(where, av);
      const uint64_t hdr = (where & 0x40) ? buf + 0x400 : 0;
      std::memcpy(&ram_[d], &buf, 8);
      std::memcpy(&ram_[d + 8], &hdr, 8);
      Trace("  rxdesc 0x%llx buf 0x%llx\n", static_cast<unsigned long long>(d),
            static_cast<unsigned long long>(buf));
      break;
    }
    case kMemWrite: {
      const uint32_t a = in_.u32() % kRamSize;
      const uint8_t n = in_.u8();
      for (unsigned i = 0; i < n % 65 && a + i < kRamSize; ++i) ram_[a + i] = in_.u8();
      Trace("  memwrite 0x%x %u\n", a, n % 65);
      break;
    }
    case kMailbox: {
      // The drivers' mailbox write (ixgbe_write_mbx_pf / ixgbevf's
      // ixgbe_write_mbx_vf): lock, fill the buffer, post.
      const unsigned vf = in_.u8() % kMaxVfs;
      const uint8_t dir = in_.u8();
      const uint32_t w0 = in_.u32(), w1 = in_.u32();
      Trace("  mailbox vf %u %s 0x%08x 0x%08x\n", vf, dir & 1 ? "pf->vf" : "vf->pf",
            w0, w1);
      if (dir & 1) {
        Wr(0, 0x04B00 + 4 * vf, 8);  // PFU
        Wr(0, 0x13000 + 64 * vf, w0);
        Wr(0, 0x13000 + 64 * vf + 4, w1);
        Wr(0, 0x04B00 + 4 * vf, (dir & 2) ? 2 | 8 : 1 | 8);  // ACK or STS
        if (dir & 4) Wr(0, 0x04B00 + 4 * vf, 0);           // unlock
        if (dir & 8) Rd(static_cast<SnicFn>(1 + vf), 0x2FC);
      } else {
        const SnicFn fn = static_cast<SnicFn>(1 + vf);
        Wr(fn, 0x2FC, 4);  // VFU
        Wr(fn, 0x200, w0);
        Wr(fn, 0x204, w1);
        Wr(fn, 0x2FC, (dir & 2) ? 2 | 4 : 1 | 4);  // ACK or REQ
        if (dir & 8) Rd(0, 0x00710 + 4 * ((vf >> 4) & 3));  // MBVFICR
        if (dir & 16) Rd(0, 0x04B00 + 4 * vf);
      }
      break;
    }
    case kSetNumVfs: {
      const uint16_t n = in_.u8() % (total_vfs_ + 1);
      Trace("  set_num_vfs %u\n", n);
      SetNumVfs(n);
      break;
    }
    case kReset: {
      const SnicFn fn = in_.u8() % (nfns + 1);
      Trace("  FLR fn %u\n", fn);
      if (fn < nfns) {
        bme_[fn] = false;
        msix_on_[fn] = false;
      }
      snic_core_reset_function(core_, fn);
      break;
    }
    case kBme: {
      const SnicFn fn = in_.u8() % nfns;
      const bool on = in_.u8() & 1;
      if (!Enabled(fn)) break;  // no config space: QEMU cannot call this
      Trace("  bus master fn %u %s\n", fn, on ? "on" : "off");
      SetBme(fn, on);
      break;
    }
    case kUplink: {
      const uint8_t dst = in_.u8();
      const uint16_t len = in_.u16();
      const uint8_t fill = in_.u8();
      static constexpr uint16_t kLens[] = {60, 64, 1514, 1518, 1522, 9018, 14, 0};
      const size_t l = (len & 0x8000) ? len & 0x7fff : kLens[len % 8];
      std::vector<uint8_t> f(l, fill);
      uint8_t mac[6] = {0x52, 0x54, 0x00, 0x12, 0x34, 0};
      switch (dst % 4) {
        case 0: mac[5] = dst; break;  // perhaps the PF's or a VF's MAC
        case 1: std::memset(mac, 0xff, 6); break;
        case 2: mac[0] = 0x01; mac[1] = 0x00; mac[2] = 0x5e; break;
        default: for (int i = 0; i < 6; ++i) mac[i] = in_.u8(); break;
      }
      for (size_t i = 0; i < 6 && i < l; ++i) f[i] = mac[i];
      if (l >= 14) {
        f[12] = (dst & 0x10) ? 0x81 : 0x08;
        f[13] = 0x00;
      }
      Trace("  uplink frame %zu bytes to %02x:..:%02x\n", l, mac[0], mac[5]);
      if (snic_core_uplink_can_receive(core_)) {
        const size_t r = snic_core_uplink_receive(core_, f.data(), f.size());
        if (r != 0 && r != std::max<size_t>(l, 1)) {
          Violation("uplink_receive returned %zu for %zu bytes", r, l);
        }
      }
      break;
    }
    case kRun:
      Trace("  run\n");
      Run();
      break;
    case kTimer: {
      static constexpr uint64_t kDeltas[8] = {0, 1000, 100000, 1000000,
                                              10000000, 100000000, 1000000000, 3};
      now_ += kDeltas[in_.u8() % 8];
      Trace("  timer (%s)\n", timer_armed_ && now_ >= deadline_ ? "due" : "early");
      if (timer_armed_ && now_ >= deadline_) {
        timer_armed_ = false;
        snic_core_timer(core_);
      }
      break;
    }
    case kLink: {
      link_up_ = in_.u8() & 1;
      Trace("  link %d\n", link_up_);
      snic_core_set_uplink_link(core_, link_up_);
      break;
    }
    case kMsixOn: {
      const SnicFn fn = in_.u8() % nfns;
      msix_on_[fn] = in_.u8() & 1;
      Trace("  msix fn %u %d\n", fn, msix_on_[fn]);
      break;
    }
    case kDmaFail: {
      const SnicFn fn = in_.u8() % nfns;
      dma_fail_[fn] = in_.u8() & 1;
      Trace("  dma faults fn %u %d\n", fn, dma_fail_[fn]);
      break;
    }
    case kSendDone: {
      accept_ = in_.u8();
      Trace("  send_done (%u queued), accept mode %u\n", send_pending_, accept_ % 4);
      if (send_pending_ > 0) {
        send_pending_--;
        snic_core_uplink_send_done(core_);
      }
      break;
    }
    case kMigrate:
      // A save and a load cost ~1000 other operations (the 82599's
      // 128 KiB register file): two per input keep the fuzzer fast.
      if (migrations_ < 2) {
        migrations_++;
        Migrate(in_.u8());
      }
      break;
    default:
      break;
  }
}

// A save with the VM stopped and a load of that state (mutated or not)
// into the same device, as a failed or repeated incoming migration would.
// An intact state loads; a refused one changes nothing (saving again gives
// the same bytes); a refusal has a message.
void Env::Migrate(uint8_t mode) {
  snic_core_set_running(core_, false);
  uint8_t* buf = nullptr;
  const size_t len = snic_core_save_state(core_, &buf);
  if (len == 0 || buf == nullptr) Violation("save_state returned nothing");
  const std::vector<uint8_t> saved(buf, buf + len);
  std::free(buf);
  std::vector<uint8_t> load = saved;
  bool mutated = false;
  switch (mode % 4) {
    case 1: {
      const uint8_t n = in_.u8() % 9;
      for (uint8_t i = 0; i < n; ++i) {
        const uint32_t pos = in_.u32() % load.size();
        const uint8_t x = in_.u8();
        load[pos] ^= x;
        mutated |= x != 0;
      }
      break;
    }
    case 2:
      load.resize(in_.u32() % (load.size() + 1));
      mutated = load.size() != saved.size();
      break;
    case 3: {
      const uint8_t n = in_.u8();
      for (uint8_t i = 0; i < n; ++i) load.push_back(in_.u8());
      mutated = n != 0;
      break;
    }
    default:
      break;
  }
  char err[256] = {};
  const bool ok =
      snic_core_load_state(core_, load.data(), load.size(), err, sizeof(err));
  Trace("  migrate mode %u: %zu-byte state, load of %zu bytes -> %s %s\n",
        mode % 4, saved.size(), load.size(), ok ? "ok" : "refused", err);
  if (!ok && err[0] == 0) Violation("load_state failed without a message");
  if (!mutated && !ok) {
    Violation("load_state refused the state just saved: %s", err);
  }
  if (!ok || !mutated) {
    buf = nullptr;
    const size_t len2 = snic_core_save_state(core_, &buf);
    const bool same = len2 == saved.size() &&
                      std::memcmp(buf, saved.data(), saved.size()) == 0;
    if (!same) {
      size_t at = 0;
      while (at < len2 && at < saved.size() && buf[at] == saved[at]) ++at;
      Trace("  saved again: %zu bytes, first difference at byte %zu of %zu "
            "(0x%02x, was 0x%02x)\n", len2, at, saved.size(),
            at < len2 ? buf[at] : 0, at < saved.size() ? saved[at] : 0);
    }
    std::free(buf);
    if (!same) {
      Violation("a %s load changed the device: the state saved again differs",
                ok ? "round-trip" : "refused");
    }
  }
  // A state that loaded is the device's now: the NumVFs it says, and PCI
  // config space (Bus Master Enable) pushed back in, as the glue does.
  num_vfs_ = static_cast<uint16_t>(snic_core_num_vfs(core_));
  for (SnicFn fn = 0; fn <= total_vfs_; ++fn) {
    if (Enabled(fn)) snic_core_set_bus_master(core_, fn, bme_[fn]);
  }
  snic_core_set_running(core_, true);
}

}  // namespace
}  // namespace snic::ixfuzz

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  snic::fuzz_host::g_trace = std::getenv("SNIC_FUZZ_TRACE") != nullptr;
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 4) return 0;
  snic::ixfuzz::g_op = 0;
  snic::ixfuzz::Env env(data, size);
  env.Main();
  return 0;
}
