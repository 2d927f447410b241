// libFuzzer target for the sriov-nic core, over the C ABI only
// (include/sriov_nic/sriov_nic.h). See docs/fuzzing.md.
//
// From the input bytes (format: fuzz_format.h) it builds a device (4-8
// VFs), guest RAM (256 KiB - 1 MiB), and runs a sequence of operations:
// MMIO on any region/offset/width, a model of the Linux virtio-net driver
// (rings laid out in guest RAM, as tests/unit/fakes/fake_driver.h) that
// initializes functions, posts RX buffers, sends frames and control
// commands, hostile mutations of rings, registers and memory, SR-IOV
// NumVFs, Bus Master Enable, FLR, uplink frames through a model of QEMU's
// NetQueue, VF policy changes, timers with a fake clock, and the TX bottom
// half. Then a drain phase: no new input, the clock moves to each armed
// deadline, until nothing is scheduled.
//
// Besides ASan/UBSan, it checks invariants and abort()s on a violation
// (libFuzzer reports it as a crash):
//  - every DMA write of function F lands in F's used rings (avail_event
//    included), in a device-writable descriptor F's driver posted (as the
//    device read it), or in a BAR window;
//  - no DMA for a function while it is disabled, its Bus Master Enable is
//    off, or it is not DRIVER_OK (before and after the operation);
//  - MSI-X vectors < the layout's msix_vectors, only from enabled
//    functions; INTx only for the PF;
//  - the uplink is not sent to while a send is queued or its link is down;
//  - snic_core_run returns false within a bounded number of calls unless
//    the device fed itself (a DMA write it later read) or re-entry added
//    work;
//  - counters never decrease; per operation, a clean function's
//    rx_packets grows by exactly the frames its driver found in its RX
//    ring, tx_packets + tx_drop_malformed by exactly the TX chains it got
//    back, and never past the chains it made available;
//  - frames (identified by a signature in their payload) reach no VF whose
//    link-state is disable, never come from one, never cross port VLANs,
//    carry the sender's MAC when it has spoofchk on, reach an untrusted VF
//    only when unicast to its own MAC, are tagged/untagged as the port
//    VLAN says and never hairpin;
//  - enabled functions have pairwise distinct MACs;
//  - without a rate limit the timer is never armed more than 10 ms ahead,
//    and after the drain nothing is held: the uplink can receive, QEMU's
//    queue is empty, every running clean function's TX ring is consumed.
//
// Environment: SNIC_FUZZ_TRACE=1 prints every operation (decode a
// reproducer); SNIC_FUZZ_STRICT=1 aborts on a suspicious DMA write at the
// write itself (a stack inside the core) instead of after the operation.
//
// SPDX-License-Identifier: GPL-2.0-or-later
#include <algorithm>
#include <array>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <string>
#include <vector>

#include "fuzz_format.h"
#include "fuzz_host.h"
#include "sriov_nic/sriov_nic.h"

namespace snic::fuzz {
namespace {

// ---- constants --------------------------------------------------------------

constexpr uint64_t kBarBase = 0x200000;      // BAR 0 of fn f at + f * bar_size
constexpr uint64_t kForeignBase = 0x300000;  // another device's doorbell
constexpr uint64_t kForeignSize = 0x1000;
constexpr uint64_t kEcamBase = 0x400000;   // PCI config space (MMCONFIG)
constexpr uint64_t kApic = 0xfee00000;
constexpr uint64_t kFiller = 0x1000;         // read-only pattern for big frames
constexpr uint64_t kFillerSize = 65536 + 256;
constexpr uint64_t kScratch = kFiller + kFillerSize;  // hostile playground
constexpr uint64_t kScratchSize = 0x4000;
constexpr uint64_t kFnAreaBase = kScratch + kScratchSize;
constexpr uint64_t kHoldNs = 10'000'000;
constexpr uint8_t kMagic[4] = {'S', 'N', 'F', 'Z'};
constexpr uint8_t kUplinkSender = 0xfe;
constexpr size_t kSigLen = 9;  // magic, sender, seq
constexpr unsigned kMaxOps = 3000;
constexpr uint32_t kTxSlot = 256;  // per TX head: header + first frame bytes
constexpr uint32_t kAux = 128;     // per head: an indirect table (8 entries)
constexpr uint32_t kCtrlArea = 1024 + 64;

// virtio constants, spelled out independently of the core.
constexpr uint64_t F(unsigned b) { return uint64_t{1} << b; }
constexpr uint64_t kLinuxFeatures = F(32) | F(28) | F(29) | F(33) | F(3) |
                                    F(5) | F(15) | F(16) | F(17) | F(18) |
                                    F(19) | F(21) | F(23);
// The checksum and segmentation offloads (virtio 1.2 5.1.3): CSUM,
// GUEST_CSUM, CTRL_GUEST_OFFLOADS, GUEST_TSO4/6, GUEST_ECN, HOST_TSO4/6,
// HOST_ECN, GUEST_USO4/6, HOST_USO.
constexpr uint64_t kOffloadFeatures = F(0) | F(1) | F(2) | F(7) | F(8) |
                                      F(9) | F(11) | F(12) | F(13) | F(54) |
                                      F(55) | F(56);
// The receive offloads CTRL_GUEST_OFFLOADS turns on and off.
constexpr uint64_t kGuestOffloadBits =
    F(1) | F(7) | F(8) | F(9) | F(54) | F(55);
// L4 frames (kSendOffload, kUplinkOffload): TCP/UDP over IPv4/IPv6 with
// these ports; the IP addresses carry sender and sequence number.
constexpr uint16_t kL4Sport = 0x534e, kL4Dport = 0x4f46;
constexpr uint8_t kHdrNeedsCsum = 1, kHdrDataValid = 2;
constexpr uint8_t kTcpFin = 0x01, kTcpPsh = 0x08, kTcpAck = 0x10,
                  kTcpCwr = 0x80;
constexpr uint8_t kAck = 1, kDrv = 2, kDrvOk = 4, kFeatOk = 8,
                  kNeedsReset = 0x40, kFailed = 0x80;
constexpr uint16_t kDNext = 1, kDWrite = 2, kDIndirect = 4;
constexpr uint32_t kRegCommon = 0, kRegDevice = 2, kRegNotify = 3;

using Mac = std::array<uint8_t, 6>;

using fuzz_host::Input;
using fuzz_host::Trace;

bool g_strict = false;
// SNIC_FUZZ_AVOID: comma-separated known findings the harness steers
// around, so a long run looks for new ones (docs/fuzzing.md).
bool g_avoid_empty_frame = false;
bool g_avoid_mac_dup = false;
bool g_avoid_nested_ctl = false;
bool g_avoid_announce_link = false;
bool g_avoid_stopped_mmio = false;
bool g_avoid_status_bits = false;

unsigned g_op_index = 0;

[[noreturn]] void Violation(const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fuzz_host::Report("core_fuzz", g_op_index,
                    "(run the input with SNIC_FUZZ_TRACE=1 to see the "
                    "operations)",
                    fmt, ap);
}

std::string MacStr(const uint8_t* m) {
  char b[20];
  std::snprintf(b, sizeof(b), "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1],
                m[2], m[3], m[4], m[5]);
  return b;
}

// ---- small helpers ----------------------------------------------------------

struct Range {
  uint64_t a = 0, len = 0;
  bool Contains(uint64_t x, uint64_t l) const {
    return x >= a && l <= len && x - a <= len - l;
  }
  bool Overlaps(uint64_t x, uint64_t l) const {
    return l > 0 && len > 0 && x < a + len && a < x + l && x + l > x;
  }
};

struct QueueCfg {
  bool enabled = false;
  uint16_t size = 0;
  uint64_t desc = 0, driver = 0, device = 0;
  bool operator==(const QueueCfg&) const = default;
};

struct FnCache {
  QueueCfg q[3];
  uint8_t status = 0;
  Mac mac{};
  bool ready() const {
    return (status & kDrvOk) && !(status & (kFailed | kNeedsReset));
  }
};

// A sent frame, identified by the sequence number in its signature.
struct SentFrame {
  uint8_t sender = 0;  // fn, or kUplinkSender
  Mac dst{}, src{};
  uint16_t tpid = 0, tci = 0;  // outer tag as sent (tpid 0: untagged)
  uint32_t len = 0;
  uint32_t readers = 0;  // bit fn: fn's DMA read the signature
  // L4 frames (BuildL4): TCP/UDP over IPv4/IPv6, the signature at the
  // start of the payload, payload byte p >= kSigLen the filler's byte p.
  bool l4 = false;
  bool honest = false;   // headers and checksum as a stack makes them
  bool must_drop = false;  // its virtio_net_hdr is malformed
  bool ipv6 = false, tcp = false, gso = false, ecn = false;
  bool partial = false;  // L4 checksum field holds the pseudo-header sum
  uint16_t gso_size = 0;
  uint16_t l3 = 0, l4off = 0, pay = 0;
  uint32_t plen = 0;
  std::vector<uint8_t> head;  // bytes [0, pay + kSigLen)
};

// The driver's view of one split virtqueue (fake_driver.h's DriverQueue).
struct DQ {
  bool live = false;
  uint16_t size = 0;
  uint64_t desc = 0, avail = 0, used = 0, aux = 0;
  bool event_idx = false;
  uint16_t avail_idx = 0, kicked_idx = 0, last_used = 0;
  std::vector<uint16_t> free_ids;
  std::vector<std::vector<uint16_t>> chain;  // by head, empty: not in flight
  std::vector<int32_t> tag;                  // by head: RX buffer index
};

// TX tags (DQ::tag of the TX queue): what the device must make of a chain.
constexpr int32_t kTxUnknown = -1, kTxExpectOk = -2, kTxExpectBad = -3;

struct Drv {
  bool managed = false;  // the driver model owns the function's rings
  bool tainted = false;  // a hostile operation touched them since
  Range area;            // this function's share of guest RAM
  uint64_t features = 0;
  bool mrg = false;
  DQ q[3];
  uint64_t tx_slots = 0;
  uint64_t rx_pool = 0;
  uint32_t rx_len = 0;
  uint16_t rx_count = 0;
  std::vector<uint8_t> rx_posted;
  uint64_t ctrl = 0;
  // Counters since the driver took the function over.
  uint64_t tx_published = 0;
  uint64_t tx_count_base = 0;
  // This operation: what the driver saw, and the counters it compares
  // with (reset by a re-init in the middle of the operation).
  uint64_t op_base_rx = 0, op_base_tx = 0;
  uint64_t op_rx_frames = 0;
  uint64_t op_tx_used = 0;
  // Offloads: the GUEST_* bits that may be on now (negotiated, narrowed by
  // CTRL_GUEST_OFFLOADS_SET; a union while a SET may be in flight), and
  // this operation's TX chains whose fate the harness knows.
  uint64_t rx_maybe = 0;
  uint64_t op_base_txp = 0, op_base_bad = 0;
  uint64_t op_tx_ok = 0, op_tx_bad = 0;
  bool clean() const { return managed && !tainted; }
};

struct MsixEntry {
  uint64_t addr = 0;
  uint32_t data = 0;
  bool masked = true;
  bool pending = false;
};

struct ReadRec {
  uint16_t fn;
  uint64_t addr;
  uint8_t d[16];
};

struct Frame {
  std::vector<uint8_t> b;
  bool raw = false;  // off-contract: bypassed QEMU's queue
  bool has_hdr = false;  // with a virtio_net_hdr (vnet-header uplink)
  SnicNetHdr hdr{};
};

// The 10 bytes of virtio_net_hdr a receiver gets (num_buffers aside).
struct RxHdr {
  uint8_t flags = 0, gso_type = 0;
  uint16_t hdr_len = 0, gso_size = 0, csum_start = 0, csum_offset = 0;
};

// ---- the environment: host ops, driver model, checks -----------------------

class Env {
 public:
  Env(const uint8_t* data, size_t size) : in_(data, size) {}
  ~Env() {
    if (core_ != nullptr) snic_core_free(core_);
  }
  void Main();

 private:
  // -- setup and the loop
  bool Setup();
  void Step(uint8_t op);
  void Drain();
  void BeginOp();
  void EndOp();

  // -- host ops
  friend struct fuzz_host::FakeHost<Env>;  // calls the Host* members
  int HostDmaRead(SnicFn fn, uint64_t a, uint8_t* b, size_t l) {
    return DmaRead(fn, a, b, l);
  }
  int HostDmaWrite(SnicFn fn, uint64_t a, const uint8_t* b, size_t l) {
    return DmaWrite(fn, a, b, l);
  }
  int HostDmaReadU16(SnicFn fn, uint64_t a, uint16_t* v) {
    if (a & 1) {
      Violation("dma_read_u16 of fn %u at odd address 0x%llx", fn,
                static_cast<unsigned long long>(a));
    }
    uint8_t b[2];
    const int r = DmaRead(fn, a, b, 2);
    *v = static_cast<uint16_t>(b[0] | b[1] << 8);
    return r;
  }
  void HostMsix(SnicFn fn, uint16_t v) { MsixNotify(fn, v); }
  void HostIntx(SnicFn fn, bool level) {
    if (fn != 0) Violation("set_intx for function %u (only the PF has INTx)", fn);
    intx_ = level;
  }
  bool HostMsixEnabled(SnicFn fn) {
    if (fn >= nfns_) Violation("msix_enabled for invalid function %u", fn);
    return msix_on_[fn];
  }
  bool HostUplinkSend(const uint8_t* f, size_t l) {
    return UplinkSend(f, l, nullptr);
  }
  bool HostUplinkSendHdr(const SnicNetHdr* h, const uint8_t* f, size_t l) {
    if (!uplink_vnet_) {
      Violation("uplink_send_hdr while the uplink has no vnet header");
    }
    return UplinkSend(f, l, h);
  }
  void HostUplinkFlush() { QemuFlush(); }
  void HostUplinkPurge() { Purge(); }
  void HostScheduleRun() { run_scheduled_ = true; }
  void HostTimerArm(uint64_t d) { TimerArm(d); }
  uint64_t HostNow() { return now_; }
  void HostLog(SnicFn fn, const char* msg) {
    const size_t n = std::strlen(msg);
    log_count_++;
    Trace("      guest error fn %u: %.*s\n", fn, static_cast<int>(n), msg);
  }

  int DmaRead(SnicFn fn, uint64_t a, uint8_t* b, size_t l);
  int DmaWrite(SnicFn fn, uint64_t a, const uint8_t* b, size_t l);
  void CheckDmaFunction(SnicFn fn, bool write, uint64_t a, size_t l);
  bool WriteAllowed(SnicFn fn, uint64_t a, size_t l, const FnCache& c,
                    bool use_log);
  void NoteDescRead(SnicFn fn, uint64_t a, const uint8_t* d,
                    const FnCache& c, std::vector<Range>& indirect,
                    std::vector<Range>& writable);
  // Accesses a BAR window (DMA or the MSI target): 0 ok, 1 failed.
  int BarAccess(uint64_t addr, uint8_t* buf, size_t len, bool write,
                bool from_dma);
  void MsixNotify(SnicFn fn, uint16_t v);
  // A write into MMCONFIG (q35 maps it in system memory, so a DMA or an
  // MSI can reach it): the config write handlers of that function run,
  // which call the core (nested, if it came from the core's DMA).
  void EcamWrite(uint64_t a, const uint8_t* b, size_t l);
  bool InEcam(uint64_t a) const {
    return a >= kEcamBase && a - kEcamBase < 0x1000ull * nfns_;
  }
  bool UplinkSend(const uint8_t* f, size_t l, const SnicNetHdr* h);
  void QemuFlush();
  // the netdev sends us a frame (with a header on a vnet-header uplink)
  void QemuSend(std::vector<uint8_t> f, const SnicNetHdr* h = nullptr);
  size_t ReceiveGuarded(const uint8_t* f, size_t l,
                        const SnicNetHdr* h = nullptr) {
    Engaged g(*this);
    if (uplink_vnet_) {
      // QEMU hands a vnet-header peer's frames over with their header
      const SnicNetHdr zero{};
      return snic_core_uplink_receive_hdr(core_, h != nullptr ? h : &zero, f,
                                          l);
    }
    return snic_core_uplink_receive(core_, f, l);
  }
  size_t ReceiveFrame(const Frame& fr) {
    return ReceiveGuarded(fr.b.data(), fr.b.size(),
                          fr.has_hdr ? &fr.hdr : nullptr);
  }
  void Purge();
  void TimerArm(uint64_t d);

  // -- model refresh and checks
  void RefreshFn(SnicFn fn);
  void RefreshAll();
  void CheckAfterOp();
  void CheckCounters();
  // @hdr: the virtio_net_hdr the receiver got (nullptr: none, a plain
  // uplink).
  void CheckFrame(const uint8_t* f, size_t len, int dst_fn,
                  const RxHdr* hdr = nullptr);
  void CheckRxHdr(const RxHdr& h, const uint8_t* f, size_t len, int dst_fn);
  void CheckL4(const SentFrame& s, uint32_t seq, const uint8_t* f,
               size_t len, long expect, const RxHdr& h, const char* dname);
  bool FindL4(const uint8_t* f, size_t len, uint32_t* seq,
              uint8_t* sender) const;
  uint8_t L4Byte(const SentFrame& s, size_t pos) const;  // frame byte
  // Builds an L4 frame and records it (SentFrame::l4).
  struct L4Spec {
    Mac dst{}, src{};
    uint16_t tpid = 0, tci = 0;
    bool ipv6 = false, tcp = false, gso = false, ecn = false, finpsh = false;
    bool partial = false;
    uint16_t gso_size = 0;
    uint32_t plen = 0;
    uint8_t sender = 0;
  };
  std::vector<uint8_t> BuildL4(const L4Spec& sp, uint32_t* seq_out);
  // The virtio_net_hdr for an L4 frame, honest or with fuzzed fields;
  // *honest says whether the frame still is what a stack would send.
  SnicNetHdr L4Header(const L4Spec& sp, std::vector<uint8_t>& f,
                      uint8_t fuzz, uint16_t fval, bool* honest);
  // True if a device with these HOST_* caps must refuse @h for @f.
  bool HdrMalformed(const SnicNetHdr& h, const uint8_t* f, size_t len,
                    bool csum, bool tso4, bool tso6, bool ecn,
                    bool uso) const;
  L4Spec L4Pick(const Mac& dst, const Mac& src, uint8_t vsel, uint16_t lsel,
                uint8_t kind, uint16_t mss, uint8_t sender);
  void SendOffload(SnicFn fn, uint8_t dsel, uint8_t vsel, uint16_t lsel,
                   uint8_t kind, uint16_t mss, uint8_t fuzz, uint16_t fval);
  void UplinkOffload(uint8_t dsel, uint8_t vsel, uint16_t lsel, uint8_t kind,
                     uint16_t mss, uint8_t fuzz, uint16_t fval);
  bool RateLimited() const;
  void ReadPolicies();
  bool Enabled(SnicFn fn) const { return fn == 0 || (fn <= total_vfs_ && fn - 1 < num_vfs_); }
  void RunLoop();
  void FireTimer();
  void CompleteSend();
  void Taint(uint64_t a, uint64_t l, int except_fn);

  // -- MMIO helpers (harness-issued)
  uint64_t Rd(SnicFn fn, uint32_t r, uint64_t off, unsigned sz) {
    Engaged g(*this);
    uint64_t v = 0;
    snic_core_mmio_read(core_, fn, r, off, sz, &v);
    return v;
  }
  void Wr(SnicFn fn, uint32_t r, uint64_t off, uint64_t v, unsigned sz) {
    Engaged g(*this);
    snic_core_mmio_write(core_, fn, r, off, v, sz);
    if (r == kRegCommon) dirty_[fn] = true;
  }

  // -- the driver model
  void Bme(SnicFn fn, bool on);
  void DriverInit(SnicFn fn, uint8_t variant, uint8_t qsel, uint8_t rxsel);
  void WriteDesc(uint64_t table, uint16_t i, uint64_t addr, uint32_t len,
                 uint16_t flags, uint16_t next);
  struct Seg {
    uint64_t addr;
    uint32_t len;
    bool w;
  };
  int AddChain(Drv& d, DQ& q, const std::vector<Seg>& segs, bool indirect,
               int32_t tag);
  bool KickNeeded(DQ& q);
  void Kick(SnicFn fn, uint16_t q) {
    Wr(fn, kRegNotify, uint64_t{q} * layout_->notify_off_multiplier, q, 2);
  }
  void PostRx(SnicFn fn, uint8_t count, uint8_t mode);
  void Send(SnicFn fn, uint8_t dst, uint8_t src, uint8_t vlan, uint16_t len,
            uint8_t mode);
  void Control(SnicFn fn, uint8_t kind, uint8_t a, uint8_t b);
  void Harvest(SnicFn fn);
  std::vector<uint8_t> BuildFrame(const Mac& dst, const Mac& src,
                                  uint16_t tpid, uint16_t tci, uint32_t len,
                                  uint8_t sender, uint32_t* seq_out);
  Mac PickMac(uint8_t sel);
  uint64_t PickAddr(uint8_t where, uint32_t v);
  void UplinkFrame(uint8_t dst, uint8_t vlan, uint16_t len, uint8_t mode);
  void VfSetting(uint8_t vf, uint8_t sel, uint8_t vsel);
  std::string SettingValue(uint8_t which, uint8_t vsel);
  void VfSpec(uint8_t sel, uint8_t n);
  std::string FuzzString(size_t max);

  Input in_;
  SnicCore* core_ = nullptr;
  const SnicLayout* layout_ = nullptr;
  uint16_t total_vfs_ = 0, nfns_ = 0, dev_qsize_ = 256, mtu_ = 1500;
  uint16_t num_vfs_ = 0;
  fuzz_host::GuestRam ram_;  // guest RAM (fuzz_host.h)
  std::vector<bool> bme_, msix_on_, dma_blocked_, dirty_;
  std::vector<uint8_t> dma_mode_;    // kDmaBlock modes (fuzz_format.h)
  std::vector<int> dma_countdown_;   // DMAs that succeed before all fail
  bool DmaFails(SnicFn fn, bool write) {
    if (!dma_blocked_[fn]) return false;
    if (dma_countdown_[fn] > 0) {
      dma_countdown_[fn]--;
      return false;
    }
    switch (dma_mode_[fn]) {
      case 2: return write;
      case 3: return !write;
      default: return true;
    }
  }
  void QueueHack(SnicFn fn, uint8_t q, uint8_t ring, uint8_t where,
                 uint32_t addr, uint8_t flags);
  std::vector<std::array<MsixEntry, 2 * SNIC_MAX_QUEUE_PAIRS + 2>> msix_;
  std::vector<FnCache> cache_, pre_cache_;
  std::vector<bool> pre_ready_;
  std::vector<Drv> drv_;
  std::vector<SnicStats> stats_;
  SnicUplinkStats ustats_{};
  std::vector<SnicVfPolicy> pol_;
  std::vector<SentFrame> sent_;
  // netdev and QEMU's NetQueue for our NIC
  std::deque<Frame> qemu_queue_;
  bool delivering_ = false;
  bool receive_disabled_ = false;
  bool raw_uplink_used_ = false;
  bool link_up_ = true;
  bool send_pending_ = false;
  // Frames QEMU queued for the netdev (each gets a send_done): the
  // segments of one GSO frame all go even when the first is queued.
  unsigned send_queued_ = 0;
  bool pending_l4_ = false;  // the queued frame is an L4 frame:
  uint32_t pending_seq_ = 0;  // its seq and sender
  uint8_t pending_sender_ = 0;
  uint8_t accept_mode_ = 0;
  unsigned send_count_ = 0;
  uint8_t sync_answer_ = 0;
  bool intx_ = false;
  // the uplink exchanges virtio_net_hdr (snic_core_set_uplink_vnet_hdr)
  bool uplink_vnet_ = false, uplink_uso_ = false;
  // a DMA write landed in the filler (hostile rings): L4 payloads are no
  // longer known
  bool filler_dirty_ = false;
  // clock and timer, bottom half
  uint64_t now_ = 1'000'000'000;
  bool timer_armed_ = false;
  uint64_t deadline_ = 0;
  bool run_scheduled_ = false;
  // per operation
  std::vector<ReadRec> reads_;
  std::vector<std::vector<Range>> op_indirect_, op_writable_;
  struct Deferred {
    uint16_t fn;
    uint64_t a;
    size_t l;
  };
  std::vector<Deferred> deferred_;
  std::vector<bool> op_dma_;
  // A config write (through MMCONFIG, from the core's own DMA) turned BME
  // off or disabled the function during this op: the core may only learn
  // of it when its current entry ends, so DMA is tolerated until the op
  // ends and checked from the next one on.
  std::vector<bool> op_bme_off_;
  bool op_reentered_ = false;
  unsigned reentries_ = 0;
  unsigned depth_ = 0;
  // QEMU's MemReentrancyGuard of the PF (the glue guards every region, the
  // bottom half and the NIC with it): engaged while a harness MMIO, the
  // bottom half or a receive runs; an MSI aimed at a BAR is then refused
  // by QEMU before the core sees it. sync_answer_ bit 2: a QEMU without
  // that guard.
  unsigned guard_ = 0;
  struct Engaged {
    explicit Engaged(Env& e) : e_(e) { e_.guard_++; }
    ~Engaged() { e_.guard_--; }
    Env& e_;
  };
  // run-loop self-feeding detection (16-byte granules of RAM)
  bool in_run_loop_ = false;
  bool self_fed_ = false;
  std::vector<uint64_t> written_;
  unsigned log_count_ = 0;
  bool draining_ = false;
  uint8_t start_flags_ = 0;
  bool vm_running_ = true;
  bool in_announce_ = false;
  std::vector<bool> announced_;  // fn sent its RARP in this announce
  void Migrate(uint8_t mode);
  // The VM stops: the device's vm change state handler, then QEMU's
  // net_vm_change_state_handler (net/net.c), which completes every queued
  // packet: ours at the netdev (sent callback) and the netdev's for us
  // (flushed, the rest purged).
  void VmStop() {
    vm_running_ = false;
    snic_core_set_running(core_, false);
    CompleteSend();
    QemuFlush();
    qemu_queue_.clear();
  }
  void CheckAnnounceFrame(const uint8_t* f, size_t l);
};

// ---- setup --------------------------------------------------------------------

bool Env::Setup() {
  const uint8_t h0 = in_.u8(), h1 = in_.u8(), h2 = in_.u8(), h3 = in_.u8();
  const uint8_t h4 = in_.u8(), h5 = in_.u8(), h6 = in_.u8(), h7 = in_.u8();
  total_vfs_ = static_cast<uint16_t>(4 + h0 % 5);
  nfns_ = static_cast<uint16_t>(1 + total_vfs_);
  dev_qsize_ = kQueueSizes[h1 & 7];
  mtu_ = kMtus[h2 % 5];
  ram_.Assign(256 * 1024 * (1 + h3 % 4));
  if (h4 != 0) {
    uint64_t x = 0x9e3779b97f4a7c15ull * h4;
    for (size_t i = kFnAreaBase; i < ram_.size(); ++i) {
      x ^= x << 13;
      x ^= x >> 7;
      x ^= x << 17;
      ram_[i] = static_cast<uint8_t>(x);
    }
  }
  // A pattern where every 8 bytes say where they are (L4 payloads are
  // compared with it), and never the signature's magic.
  {
    uint64_t x = 0x243f6a8885a308d3ull;
    for (uint64_t i = 0; i < kFillerSize; ++i) {
      x ^= x << 13;
      x ^= x >> 7;
      x ^= x << 17;
      ram_[kFiller + i] = static_cast<uint8_t>(x >> 24);
      if (i >= 3 && std::memcmp(&ram_[kFiller + i - 3], kMagic, 4) == 0) {
        ram_[kFiller + i] ^= 0x55;
      }
    }
  }
  start_flags_ = h5;

  SnicConfig cfg{};
  cfg.total_vfs = total_vfs_;
  const uint8_t mac[6] = {0x52, 0x54, 0x00, 0x12, 0x34, h6};
  std::memcpy(cfg.pf_mac, mac, 6);
  cfg.mtu = mtu_;
  cfg.queue_size = dev_qsize_;
  // One or two queue pairs: the driver model negotiates no MQ, so queue
  // 2 stays the control queue and the second pair's doorbells are
  // hostile writes to queues no driver set up.
  cfg.queue_pairs = static_cast<uint16_t>(1 + (h6 & 1));
  // Packed rings offered: the driver model stays split, raw register
  // writes may negotiate them and aim the device at anything.
  cfg.packed = (h6 & 2) != 0;
  char err[128] = {};
  core_ = snic_core_new(&cfg, &fuzz_host::FakeHost<Env>::Ops(), this, err,
                        sizeof(err));
  if (core_ == nullptr) {
    Violation("snic_core_new refused a valid configuration: %s", err);
  }
  layout_ = snic_core_layout(core_);
  if (layout_->msix_vectors != 2u * cfg.queue_pairs + 2 ||
      layout_->num_regions < 4) {
    Violation("unexpected layout (%u vectors, %u regions)",
              layout_->msix_vectors, layout_->num_regions);
  }
  bme_.assign(nfns_, false);
  msix_on_.assign(nfns_, !(h5 & kStartNoMsix));
  dma_blocked_.assign(nfns_, false);
  dma_mode_.assign(nfns_, 0);
  dma_countdown_.assign(nfns_, -1);
  dirty_.assign(nfns_, false);
  msix_.assign(nfns_, {});
  cache_.assign(nfns_, {});
  pre_cache_.assign(nfns_, {});
  pre_ready_.assign(nfns_, false);
  drv_.assign(nfns_, {});
  stats_.assign(nfns_, {});
  pol_.assign(total_vfs_, {});
  op_indirect_.assign(nfns_, {});
  op_writable_.assign(nfns_, {});
  op_dma_.assign(nfns_, false);
  op_bme_off_.assign(nfns_, false);
  written_.assign(ram_.size() / 16 / 64 + 1, 0);
  const uint64_t span =
      ram_.size() > kFnAreaBase
          ? ((ram_.size() - kFnAreaBase) / nfns_) & ~uint64_t{4095}
          : 0;
  for (uint16_t f = 0; f < nfns_; ++f) {
    drv_[f].area = Range{kFnAreaBase + f * span, span};
  }
  accept_mode_ = (h5 & kStartUplinkBusy) ? 3 : 0;
  ReadPolicies();
  Trace("setup: total_vfs %u queue_size %u queue_pairs %u mtu %u ram %zu KiB "
        "flags 0x%x variant 0x%x\n",
        total_vfs_, dev_qsize_, 1u + (h6 & 1), mtu_, ram_.size() / 1024, h5, h7);

  // header[1] bit 6: the uplink exchanges virtio_net_hdr (bit 7: with USO)
  if (h1 & 0x40) {
    uplink_uso_ = h1 & 0x80;
    if (!snic_core_set_uplink_vnet_hdr(core_, uplink_uso_)) {
      Violation("snic_core_set_uplink_vnet_hdr refused with uplink_send_hdr");
    }
    uplink_vnet_ = true;
  }
  BeginOp();
  if (h5 & kStartEnableVfs) {
    num_vfs_ = total_vfs_;
    snic_core_set_num_vfs(core_, total_vfs_);
  }
  EndOp();
  if (h5 & kStartInit) {
    for (uint16_t f = 0; f < nfns_; ++f) {
      if (!Enabled(f)) continue;
      BeginOp();
      // header[1] bits 3-5: the offload driver variants (kDriverInit rx
      // bits 5-7)
      DriverInit(f, h7, 3, static_cast<uint8_t>((h1 & 0x38) << 2));
      if (h5 & kStartPostRx) PostRx(f, 255, 0);
      EndOp();
    }
  }
  return true;
}

void Env::Main() {
  g_op_index = 0;
  if (!Setup()) return;
  unsigned n = 0;
  while (!in_.done() && n++ < kMaxOps) {
    const uint8_t op = static_cast<uint8_t>(in_.u8() % kNumOps);
    g_op_index = n;
    BeginOp();
    Step(op);
    EndOp();
  }
  Drain();
}

// ---- per-operation bookkeeping ---------------------------------------------

void Env::BeginOp() {
  for (uint16_t f = 0; f < nfns_; ++f) {
    pre_cache_[f] = cache_[f];
    pre_ready_[f] = cache_[f].ready() && Enabled(f);
    op_indirect_[f].clear();
    op_writable_[f].clear();
    op_dma_[f] = false;
    op_bme_off_[f] = false;
    drv_[f].op_rx_frames = 0;
    drv_[f].op_tx_used = 0;
    drv_[f].op_base_rx = stats_[f].rx_packets;
    drv_[f].op_base_tx = stats_[f].tx_packets + stats_[f].tx_drop_malformed;
    drv_[f].op_base_txp = stats_[f].tx_packets;
    drv_[f].op_base_bad = stats_[f].tx_drop_malformed;
    drv_[f].op_tx_ok = 0;
    drv_[f].op_tx_bad = 0;
  }
  reads_.clear();
  deferred_.clear();
  op_reentered_ = false;
}

void Env::EndOp() {
  // MACs and status as the operation left them, then the driver looks at
  // what the device did.
  RefreshAll();
  for (uint16_t f = 0; f < nfns_; ++f) {
    if (drv_[f].clean()) Harvest(f);
  }
  for (uint16_t f = 0; f < nfns_; ++f) {
    if (dirty_[f]) RefreshFn(f);
  }
  // DMA writes that the configuration before the op did not allow:
  // re-check them against the configuration after it.
  for (const Deferred& d : deferred_) {
    if (!WriteAllowed(d.fn, d.a, d.l, cache_[d.fn], true) &&
        !WriteAllowed(d.fn, d.a, d.l, pre_cache_[d.fn], true)) {
      Violation(
          "DMA write of fn %u at 0x%llx len %zu lands outside the memory its "
          "driver gave it (used rings, posted writable buffers) and outside "
          "any BAR",
          d.fn, static_cast<unsigned long long>(d.a), d.l);
    }
  }
  for (uint16_t f = 0; f < nfns_; ++f) {
    if (op_dma_[f] && !pre_ready_[f] && !(cache_[f].ready() && Enabled(f))) {
      Violation("DMA by fn %u during an operation before and after which it "
                "was not DRIVER_OK (status 0x%x -> 0x%x)",
                f, pre_cache_[f].status, cache_[f].status);
    }
  }
  CheckAfterOp();
}

void Env::RefreshFn(SnicFn fn) {
  // The core refuses register access while the VM is stopped (reads give
  // 0) and nothing can change a queue's registers then: keep the cache.
  if (!vm_running_) return;
  dirty_[fn] = false;
  FnCache& c = cache_[fn];
  if (!Enabled(fn)) {
    c = FnCache{};
    return;
  }
  const uint64_t sel = Rd(fn, kRegCommon, 0x16, 2);
  for (uint16_t q = 0; q < 3; ++q) {
    snic_core_mmio_write(core_, fn, kRegCommon, 0x16, q, 2);
    QueueCfg& qc = c.q[q];
    qc.size = static_cast<uint16_t>(Rd(fn, kRegCommon, 0x18, 2));
    qc.enabled = Rd(fn, kRegCommon, 0x1c, 2) == 1;
    qc.desc = Rd(fn, kRegCommon, 0x20, 8);
    qc.driver = Rd(fn, kRegCommon, 0x28, 8);
    qc.device = Rd(fn, kRegCommon, 0x30, 8);
  }
  snic_core_mmio_write(core_, fn, kRegCommon, 0x16, sel, 2);
}

void Env::RefreshAll() {
  if (!vm_running_) return;  // (see RefreshFn)
  for (uint16_t f = 0; f < nfns_; ++f) {
    FnCache& c = cache_[f];
    if (!Enabled(f)) {
      c = FnCache{};
      continue;
    }
    c.status = static_cast<uint8_t>(Rd(f, kRegCommon, 0x14, 1));
    const uint64_t lo = Rd(f, kRegDevice, 0, 4);
    const uint64_t hi = Rd(f, kRegDevice, 4, 2);
    for (int i = 0; i < 4; ++i) c.mac[i] = static_cast<uint8_t>(lo >> (8 * i));
    c.mac[4] = static_cast<uint8_t>(hi);
    c.mac[5] = static_cast<uint8_t>(hi >> 8);
  }
}

void Env::ReadPolicies() {
  for (uint16_t vf = 0; vf < total_vfs_; ++vf) {
    if (!snic_core_get_vf_policy(core_, vf, &pol_[vf])) {
      Violation("get_vf_policy failed for VF %u", vf);
    }
  }
}

bool Env::RateLimited() const {
  for (const SnicVfPolicy& p : pol_) {
    if (p.max_tx_rate != 0) return true;
  }
  return false;
}

void Env::Taint(uint64_t a, uint64_t l, int except_fn) {
  for (uint16_t f = 0; f < nfns_; ++f) {
    if (f != except_fn && drv_[f].managed && drv_[f].area.Overlaps(a, l)) {
      if (!drv_[f].tainted) Trace("      (fn %u tainted)\n", f);
      drv_[f].tainted = true;
    }
  }
}

// ---- DMA ------------------------------------------------------------------------

void Env::CheckDmaFunction(SnicFn fn, bool write, uint64_t a, size_t l) {
  if (fn >= nfns_) {
    Violation("DMA %s for invalid function %u", write ? "write" : "read", fn);
  }
  if (!Enabled(fn) && !op_bme_off_[fn]) {
    Violation("DMA %s by fn %u at 0x%llx len %zu while the function is not "
              "enabled (NumVFs %u)",
              write ? "write" : "read", fn, static_cast<unsigned long long>(a),
              l, num_vfs_);
  }
  if (!bme_[fn] && !op_bme_off_[fn]) {
    Violation("DMA %s by fn %u at 0x%llx len %zu while its Bus Master Enable "
              "is off",
              write ? "write" : "read", fn, static_cast<unsigned long long>(a),
              l);
  }
  if (!vm_running_) {
    Violation("DMA %s by fn %u at 0x%llx len %zu while the VM is stopped",
              write ? "write" : "read", fn, static_cast<unsigned long long>(a), l);
  }
  op_dma_[fn] = true;
}

void Env::NoteDescRead(SnicFn fn, uint64_t a, const uint8_t* d,
                       const FnCache& c, std::vector<Range>& indirect,
                       std::vector<Range>& writable) {
  bool is_desc = false;
  for (const QueueCfg& q : c.q) {
    if (q.enabled && a >= q.desc && (a - q.desc) % 16 == 0 &&
        (a - q.desc) / 16 < q.size) {
      is_desc = true;
    }
  }
  bool in_indirect = false;
  for (const Range& r : indirect) {
    if (r.Contains(a, 16) && (a - r.a) % 16 == 0) in_indirect = true;
  }
  if (!is_desc && !in_indirect) return;
  uint64_t addr = 0;
  for (int i = 0; i < 8; ++i) addr |= uint64_t{d[i]} << (8 * i);
  const uint32_t len = d[8] | d[9] << 8 | d[10] << 16 | uint32_t{d[11]} << 24;
  const uint16_t flags = static_cast<uint16_t>(d[12] | d[13] << 8);
  (void)fn;
  if (flags & kDIndirect) {
    if (is_desc && indirect.size() < 4096) indirect.push_back(Range{addr, len});
  } else if ((flags & kDWrite) && writable.size() < 65536) {
    writable.push_back(Range{addr, len});
  }
}

bool Env::WriteAllowed(SnicFn fn, uint64_t a, size_t l, const FnCache& c,
                       bool use_log) {
  const uint64_t bar_end = kBarBase + uint64_t{nfns_} * layout_->bar_size;
  if (a >= kBarBase && l <= bar_end - kBarBase && a - kBarBase <= bar_end - kBarBase - l) {
    return true;
  }
  if (a >= kForeignBase && a - kForeignBase < kForeignSize) return true;
  for (const QueueCfg& q : c.q) {
    if (q.enabled && Range{q.device, 6 + 8ull * q.size}.Contains(a, l)) {
      return true;
    }
  }
  if (!use_log) {
    for (const Range& r : op_writable_[fn]) {
      if (r.Contains(a, l)) return true;
    }
    return false;
  }
  std::vector<Range> ind, wr;
  for (const ReadRec& r : reads_) {
    if (r.fn == fn) NoteDescRead(fn, r.addr, r.d, c, ind, wr);
  }
  for (const Range& r : wr) {
    if (r.Contains(a, l)) return true;
  }
  for (const Range& r : op_writable_[fn]) {
    if (r.Contains(a, l)) return true;
  }
  return false;
}

int Env::DmaRead(SnicFn fn, uint64_t a, uint8_t* b, size_t l) {
  CheckDmaFunction(fn, false, a, l);
  std::memset(b, 0, l);
  if (DmaFails(fn, false)) return -1;
  const uint64_t bar_end = kBarBase + uint64_t{nfns_} * layout_->bar_size;
  if (a >= kBarBase && a < bar_end) return BarAccess(a, b, l, false, true);
  if (a >= kForeignBase && a - kForeignBase < kForeignSize) return 0;
  if (InEcam(a)) return 0;
  if (!ram_.Contains(a, l)) return -1;
  std::memcpy(b, ram_.data() + a, l);
  if (in_run_loop_ && !self_fed_ && l > 0) {
    for (uint64_t g = a / 16; g <= (a + l - 1) / 16; ++g) {
      if (written_[g / 64] & (uint64_t{1} << (g % 64))) {
        self_fed_ = true;
        break;
      }
    }
  }
  if (l == 16) {
    if (reads_.size() < 100000) {
      ReadRec r{fn, a, {}};
      std::memcpy(r.d, b, 16);
      reads_.push_back(r);
    }
    NoteDescRead(fn, a, b, pre_cache_[fn], op_indirect_[fn], op_writable_[fn]);
  }
  // Which function read a frame signature (the real sender of a frame).
  if (l >= kSigLen) {
    for (size_t i = 0; i + kSigLen <= l; ++i) {
      if (b[i] == kMagic[0] && std::memcmp(b + i, kMagic, 4) == 0) {
        const uint32_t seq = b[i + 5] | b[i + 6] << 8 | b[i + 7] << 16 |
                             uint32_t{b[i + 8]} << 24;
        if (seq < sent_.size()) sent_[seq].readers |= 1u << fn;
      }
    }
  }
  return 0;
}

int Env::DmaWrite(SnicFn fn, uint64_t a, const uint8_t* b, size_t l) {
  CheckDmaFunction(fn, true, a, l);
  if (!WriteAllowed(fn, a, l, pre_cache_[fn], false)) {
    if (g_strict) {
      Violation("(strict) DMA write of fn %u at 0x%llx len %zu outside the "
                "memory given to it",
                fn, static_cast<unsigned long long>(a), l);
    }
    if (deferred_.size() < 4096) deferred_.push_back({fn, a, l});
  }
  if (DmaFails(fn, true)) return -1;
  const uint64_t bar_end = kBarBase + uint64_t{nfns_} * layout_->bar_size;
  if (a >= kBarBase && a < bar_end) {
    std::vector<uint8_t> tmp(b, b + l);
    return BarAccess(a, tmp.data(), l, true, true);
  }
  if (InEcam(a)) {
    // (nested-ctl: config writes from the core's own DMA go nowhere)
    if (!g_avoid_nested_ctl) EcamWrite(a, b, l);
    return 0;
  }
  if (a >= kForeignBase && a - kForeignBase < kForeignSize) {
    // Another NIC's RX doorbell on the same hub: it flushes the hub, which
    // completes the frame we had queued there (our sent callback, from
    // inside our DMA) ...
    if ((sync_answer_ & 8) && send_pending_ && !g_avoid_nested_ctl) {
      Trace("      (foreign device: our queued frames are sent, send_done)\n");
      CompleteSend();
    }
    // ... and it answers with a frame to our uplink at once (QEMU delivers
    // it or queues it).
    if (sync_answer_ & 2) {
      const Mac bc = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
      const Mac rm = {0x52, 0x54, 0x00, 0xaa, 0xbb, 0xcd};
      uint32_t seq = 0;
      QemuSend(BuildFrame(bc, rm, 0, 0, 60, kUplinkSender, &seq));
    }
    return 0;
  }
  if (!ram_.Contains(a, l)) return -1;
  std::memcpy(ram_.data() + a, b, l);
  Taint(a, l, fn);
  if (Range{kFiller, kFillerSize}.Overlaps(a, l)) filler_dirty_ = true;
  if (in_run_loop_ && l > 0) {
    for (uint64_t g = a / 16; g <= (a + l - 1) / 16; ++g) {
      written_[g / 64] |= uint64_t{1} << (g % 64);
    }
  }
  return 0;
}

int Env::BarAccess(uint64_t addr, uint8_t* buf, size_t len, bool write,
                   bool from_dma) {
  const uint64_t rel = addr - kBarBase;
  const SnicFn target = static_cast<SnicFn>(rel / layout_->bar_size);
  uint64_t off = rel % layout_->bar_size;
  if (target >= nfns_ || !Enabled(target)) return 1;  // no BAR there
  if (depth_ > 8) return 1;
  depth_++;
  int rc = 0;
  size_t pos = 0;
  while (pos < len && rc == 0) {
    size_t sz = 8;
    while (sz > len - pos || (off + pos) % sz != 0) sz /= 2;
    const uint64_t o = off + pos;
    bool done = false;
    for (uint32_t r = 0; r < layout_->num_regions && !done; ++r) {
      const SnicRegionInfo& ri = layout_->regions[r];
      if (o < ri.offset || o - ri.offset >= ri.size) continue;
      done = true;
      uint64_t v = 0;
      bool ok;
      if (write) {
        std::memcpy(&v, buf + pos, sz);
        ok = snic_core_mmio_write(core_, target, r, o - ri.offset, v,
                                  static_cast<unsigned>(sz));
        if (ok && r == kRegCommon) dirty_[target] = true;
      } else {
        ok = snic_core_mmio_read(core_, target, r, o - ri.offset,
                                 static_cast<unsigned>(sz), &v);
        std::memcpy(buf + pos, &v, sz);
      }
      if (from_dma && ok) {
        Violation("a DMA of the device aimed at its own register (fn %u "
                  "region %u offset 0x%llx) was not refused",
                  target, r, static_cast<unsigned long long>(o - ri.offset));
      }
      if (!from_dma) {
        reentries_++;
        op_reentered_ = true;
        if (!ok) {
          Violation("MMIO from an MSI-X write (fn %u region %u) refused: "
                    "effects must run outside the guard",
                    target, r);
        }
      }
      if (!ok) rc = 1;
    }
    if (!done) {
      const uint64_t t = layout_->msix_table_offset;
      const uint64_t p = layout_->msix_pba_offset;
      if (o >= t && o - t < 16ull * layout_->msix_vectors) {
        // QEMU's msix table: plain registers, no core involved.
        MsixEntry& e = msix_[target][(o - t) / 16];
        const unsigned field = static_cast<unsigned>((o - t) % 16);
        uint64_t v = 0;
        if (write) {
          std::memcpy(&v, buf + pos, sz);
          if (field == 0) e.addr = (e.addr & ~0xffffffffull) | (v & 0xffffffffu);
          if (field == 0 && sz == 8) e.addr = v;
          if (field == 4) e.addr = (e.addr & 0xffffffffull) | (v << 32);
          if (field == 8) e.data = static_cast<uint32_t>(v);
          if (field == 12 || (field == 8 && sz == 8)) {
            e.masked = (field == 12 ? v : v >> 32) & 1;
          }
        } else {
          if (field == 0) v = e.addr;
          if (field == 4) v = e.addr >> 32;
          if (field == 8) v = e.data | (uint64_t{e.masked} << 32);
          if (field == 12) v = e.masked;
          std::memcpy(buf + pos, &v, sz);
        }
      } else if (o >= p && o - p < 8) {
        if (!write) {
          uint64_t v = 0;
          for (unsigned i = 0; i < layout_->msix_vectors; ++i) {
            v |= uint64_t{msix_[target][i].pending} << i;
          }
          v >>= 8 * (o - p);
          std::memcpy(buf + pos, &v, sz);
        }
      } else {
        rc = 1;  // a hole in the BAR: unassigned, the access fails
      }
    }
    pos += sz;
  }
  depth_--;
  return rc;
}

void Env::EcamWrite(uint64_t a, const uint8_t* b, size_t l) {
  const uint64_t rel = a - kEcamBase;
  const SnicFn target = static_cast<SnicFn>(rel / 0x1000);
  const uint64_t off = rel % 0x1000;
  if (!Enabled(target)) return;  // no config space: the write goes nowhere
  auto byte = [&](uint64_t o, int* out) {
    if (o >= off && o - off < l) {
      *out = b[o - off];
      return true;
    }
    return false;
  };
  int lo = 0, hi = 0;
  // Fake layout: 0x04 command (bit 2 Bus Master Enable), 0x09 bit 7
  // Initiate FLR (as PCIe Device Control bit 15), 0x10 NumVFs with VF
  // Enable (PF only).
  if (byte(4, &lo)) {
    const bool on = lo & 4;
    Trace("      (config write fn %u: command 0x%02x, BME %d)\n", target, lo, on);
    bme_[target] = on;
    if (!on) op_bme_off_[target] = true;
    snic_core_set_bus_master(core_, target, on);
  }
  if (byte(9, &hi) && (hi & 0x80)) {
    Trace("      (config write fn %u: FLR)\n", target);
    bme_[target] = false;
    op_bme_off_[target] = true;
    msix_on_[target] = false;
    msix_[target] = {};
    drv_[target].managed = false;
    dirty_[target] = true;
    snic_core_reset_function(core_, target);
  }
  if (target == 0 && byte(0x10, &lo)) {
    const uint16_t n = static_cast<uint16_t>(lo % (total_vfs_ + 2u));
    const uint16_t next = n > total_vfs_ ? 0 : n;
    Trace("      (config write PF: NumVFs %u)\n", n);
    for (uint16_t vf = 0; vf < total_vfs_; ++vf) {
      if ((vf < num_vfs_) != (vf < next)) {
        bme_[1 + vf] = false;
        msix_on_[1 + vf] = false;
        msix_[1 + vf] = {};
        drv_[1 + vf].managed = false;
        dma_blocked_[1 + vf] = false;
        dirty_[1 + vf] = true;
        op_bme_off_[1 + vf] = true;
      }
    }
    num_vfs_ = std::min(num_vfs_, next);
    snic_core_set_num_vfs(core_, n);
    num_vfs_ = next;
  }
}

void Env::MsixNotify(SnicFn fn, uint16_t v) {
  if (fn >= nfns_) Violation("MSI-X for invalid function %u", fn);
  if (v >= layout_->msix_vectors) {
    Violation("MSI-X vector %u of fn %u >= msix_vectors %u", v, fn,
              layout_->msix_vectors);
  }
  if (!Enabled(fn)) Violation("MSI-X vector %u from disabled fn %u", v, fn);
  Trace("      msix fn %u vector %u\n", fn, v);
  if (!msix_on_[fn] || !bme_[fn]) return;  // QEMU drops it
  MsixEntry& e = msix_[fn][v];
  if (e.masked) {
    e.pending = true;
    return;
  }
  // The MSI is a memory write on the function's bus-master address space:
  // aimed at a BAR it becomes an MMIO write, re-entering the core.
  const uint64_t bar_end = kBarBase + uint64_t{nfns_} * layout_->bar_size;
  const bool qemu_refuses = guard_ > 0 && !(sync_answer_ & 4);
  if (e.addr >= kBarBase && e.addr < bar_end && !draining_ && !qemu_refuses) {
    uint8_t b[4];
    std::memcpy(b, &e.data, 4);
    (void)BarAccess(e.addr, b, 4, true, false);
  } else if (InEcam(e.addr) && !draining_) {
    uint8_t b[4];
    std::memcpy(b, &e.data, 4);
    EcamWrite(e.addr, b, 4);
  } else if (e.addr >= kForeignBase && e.addr - kForeignBase < kForeignSize &&
             (sync_answer_ & 2) && !draining_) {
    const Mac bc = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    const Mac rm = {0x52, 0x54, 0x00, 0xaa, 0xbb, 0xce};
    uint32_t seq = 0;
    QemuSend(BuildFrame(bc, rm, 0, 0, 64, kUplinkSender, &seq));
  }
}

// ---- the uplink: netdev + QEMU's NetQueue ---------------------------------------

bool Env::UplinkSend(const uint8_t* f, size_t l, const SnicNetHdr* h) {
  if (uplink_vnet_ && h == nullptr) {
    Violation("uplink_send (no header) while the uplink has a vnet header");
  }
  uint32_t l4seq = 0;
  uint8_t l4sender = 0;
  const bool l4 = FindL4(f, l, &l4seq, &l4sender);
  if (send_pending_ && !(pending_l4_ && l4 && l4seq == pending_seq_ &&
                         l4sender == pending_sender_)) {
    Violation("uplink_send while the previous frame is still queued (no "
              "send_done yet), and not the next segment of the same GSO "
              "frame");
  }
  if (!link_up_) Violation("uplink_send while the uplink link is down");
  if (!vm_running_) Violation("uplink_send while the VM is stopped");
  if (in_announce_) CheckAnnounceFrame(f, l);
  if (l < 14) Violation("uplink_send of a %zu-byte frame", l);
  {
    RxHdr rh;
    if (h != nullptr) {
      rh = RxHdr{h->flags, h->gso_type, h->hdr_len, h->gso_size,
                 h->csum_start, h->csum_offset};
    }
    CheckRxHdr(rh, f, l, -1);
    CheckFrame(f, l, -1, &rh);
  }
  send_count_++;
  bool accept = true;
  switch (accept_mode_ % 4) {
    case 0: accept = true; break;
    case 1: accept = false; accept_mode_ = 0; break;
    case 2: accept = false; break;
    case 3: accept = send_count_ % 2 == 0; break;
  }
  if (draining_) accept = true;
  if (send_pending_) accept = false;  // QEMU queues it behind the first
  if (!accept) {
    if (!send_pending_) {
      pending_l4_ = l4;
      pending_seq_ = l4seq;
      pending_sender_ = l4sender;
    }
    send_pending_ = true;
    send_queued_++;
  }
  Trace("      uplink_send %zu bytes -> %s\n", l, accept ? "sent" : "queued");
  // slirp answers at once (an ARP reply, say): a frame for our NIC from
  // inside the send.
  if ((sync_answer_ & 1) && depth_ < 4) {
    depth_++;
    std::vector<uint8_t> answer(f, f + std::min<size_t>(l, 200));
    // back to the sender, from the remote end
    std::memcpy(answer.data(), f + 6, 6);
    const uint8_t rm[6] = {0x52, 0x54, 0x00, 0xaa, 0xbb, 0xcf};
    std::memcpy(answer.data() + 6, rm, 6);
    // it carries the sender's signature: make it unrecognizable
    for (size_t i = 0; i + 4 <= answer.size(); ++i) {
      if (std::memcmp(answer.data() + i, kMagic, 4) == 0) answer[i] = 'X';
    }
    uint32_t aseq = 0;
    uint8_t asender = 0;
    if (FindL4(answer.data(), answer.size(), &aseq, &asender)) {
      answer[12] ^= 0x40;  // (an L4 frame's addresses would name it too)
    }
    QemuSend(std::move(answer));
    depth_--;
  }
  return accept;
}

// qemu_net_queue_send() for a frame the netdev sends to our NIC.
void Env::QemuSend(std::vector<uint8_t> f, const SnicNetHdr* h) {
  if (!link_up_) return;  // QEMU drops frames for a NIC whose link is down
  if (f.empty() && g_avoid_empty_frame) return;
  Frame fr{std::move(f), false, h != nullptr, h != nullptr ? *h : SnicNetHdr{}};
  if (delivering_ || receive_disabled_ || !vm_running_ ||
      !snic_core_uplink_can_receive(core_)) {
    qemu_queue_.push_back(std::move(fr));
    return;
  }
  delivering_ = true;
  const size_t r = ReceiveFrame(fr);
  delivering_ = false;
  // Consumed: len, or 1 for an empty frame (0 would mean "queue it").
  if (r != 0 && r != std::max<size_t>(fr.b.size(), 1)) Violation("uplink_receive returned %zu for %zu", r, fr.b.size());
  if (r == 0) {
    receive_disabled_ = true;
    qemu_queue_.push_back(std::move(fr));
    return;
  }
  QemuFlush();
}

// qemu_flush_queued_packets(): receive_disabled = 0, then the queue
// (not while a delivery is in progress).
void Env::QemuFlush() {
  receive_disabled_ = false;
  if (delivering_) return;
  if (!link_up_) {
    qemu_queue_.clear();  // QEMU delivers to a link-down NIC by dropping
    return;
  }
  while (!qemu_queue_.empty()) {
    Frame fr = std::move(qemu_queue_.front());
    qemu_queue_.pop_front();
    delivering_ = true;
    const size_t r = ReceiveFrame(fr);
    delivering_ = false;
    if (r == 0) {
      receive_disabled_ = true;
      qemu_queue_.push_front(std::move(fr));
      return;
    }
  }
}

void Env::Purge() {
  Trace("      uplink_purge\n");
  CompleteSend();  // QEMU's purge calls sent_cb for each queued frame
}

void Env::CompleteSend() {
  if (send_pending_) {
    send_pending_ = false;
    const unsigned n = send_queued_;
    send_queued_ = 0;
    for (unsigned i = 0; i < n; ++i) snic_core_uplink_send_done(core_);
  }
}

void Env::TimerArm(uint64_t d) {
  if (!RateLimited() && d > now_ + kHoldNs) {
    Violation("timer armed %llu ns ahead with no rate limit (holds end "
              "within %llu ns)",
              static_cast<unsigned long long>(d - now_),
              static_cast<unsigned long long>(kHoldNs));
  }
  timer_armed_ = true;
  deadline_ = d;
}

void Env::FireTimer() {
  timer_armed_ = false;
  snic_core_timer(core_);
}

// ---- frame checks ------------------------------------------------------------

std::vector<uint8_t> Env::BuildFrame(const Mac& dst, const Mac& src,
                                     uint16_t tpid, uint16_t tci,
                                     uint32_t len, uint8_t sender,
                                     uint32_t* seq_out) {
  std::vector<uint8_t> f(len, 0);
  uint8_t hdr[18];
  std::memcpy(hdr, dst.data(), 6);
  std::memcpy(hdr + 6, src.data(), 6);
  size_t h = 12;
  if (tpid != 0) {
    hdr[12] = static_cast<uint8_t>(tpid >> 8);
    hdr[13] = static_cast<uint8_t>(tpid);
    hdr[14] = static_cast<uint8_t>(tci >> 8);
    hdr[15] = static_cast<uint8_t>(tci);
    h = 16;
  }
  hdr[h] = 0x08;
  hdr[h + 1] = 0x00;
  h += 2;
  if (len > 0) std::memcpy(f.data(), hdr, std::min<size_t>(h, len));
  const uint32_t seq = static_cast<uint32_t>(sent_.size());
  *seq_out = seq;
  if (len >= h + kSigLen) {
    uint8_t sig[kSigLen] = {kMagic[0], kMagic[1], kMagic[2], kMagic[3], sender,
                            static_cast<uint8_t>(seq),
                            static_cast<uint8_t>(seq >> 8),
                            static_cast<uint8_t>(seq >> 16),
                            static_cast<uint8_t>(seq >> 24)};
    std::memcpy(f.data() + h, sig, kSigLen);
    for (size_t i = h + kSigLen; i < len; ++i) {
      f[i] = static_cast<uint8_t>(i * 7 + 3);
    }
    SentFrame s;
    s.sender = sender;
    s.dst = dst;
    s.src = src;
    s.tpid = tpid;
    s.tci = tci;
    s.len = len;
    if (sent_.size() < 1'000'000) sent_.push_back(s);
  }
  return f;
}

// @dst_fn: the function whose RX ring held the frame, -1 for the uplink.
void Env::CheckFrame(const uint8_t* f, size_t len, int dst_fn,
                     const RxHdr* hdr) {
  size_t at = SIZE_MAX;
  for (size_t i = 12; i + kSigLen <= len && i < 40; ++i) {
    if (std::memcmp(f + i, kMagic, 4) == 0) {
      at = i;
      break;
    }
  }
  uint8_t sender = 0;
  uint32_t seq = 0;
  if (at != SIZE_MAX) {
    sender = f[at + 4];
    seq = f[at + 5] | f[at + 6] << 8 | f[at + 7] << 16 |
          uint32_t{f[at + 8]} << 24;
  } else if (!FindL4(f, len, &seq, &sender)) {
    return;
  }
  if (seq >= sent_.size()) return;
  const SentFrame& s = sent_[seq];
  if (s.sender != sender) return;  // not what we sent: hostile bytes
  if (s.l4 != (at == SIZE_MAX)) return;
  // Who really sent it: the function whose DMA read it (replays of old
  // frames through hostile rings are not checked).
  if (sender == kUplinkSender) {
    if (s.readers != 0) return;
  } else if (s.readers != (1u << sender)) {
    return;
  }
  const bool from_vf = sender != kUplinkSender && sender != 0;
  const SnicVfPolicy* sp = from_vf ? &pol_[sender - 1] : nullptr;
  const bool to_vf = dst_fn > 0;
  const SnicVfPolicy* dp = to_vf ? &pol_[dst_fn - 1] : nullptr;
  const char* where = dst_fn < 0 ? "the uplink" : "an RX ring";
  char dname[16];
  std::snprintf(dname, sizeof(dname), dst_fn < 0 ? "uplink" : "fn %d", dst_fn);

  if (dst_fn == sender || (dst_fn < 0 && sender == kUplinkSender)) {
    Violation("frame seq %u from %u came back to its source (%s)", seq, sender,
              dname);
  }
  if (sp != nullptr && sp->link_state == SNIC_LINK_DISABLE) {
    Violation("frame seq %u from VF %u (link-state disable) reached %s (%s)",
              seq, sender - 1, where, dname);
  }
  if (dp != nullptr && dp->link_state == SNIC_LINK_DISABLE) {
    Violation("frame seq %u from %u delivered to VF %u whose link-state is "
              "disable",
              seq, sender, dst_fn - 1);
  }
  if (len < 14) Violation("frame seq %u delivered with %zu bytes", seq, len);
  if (std::memcmp(f, s.dst.data(), 6) != 0 ||
      std::memcmp(f + 6, s.src.data(), 6) != 0) {
    Violation("frame seq %u reached %s with dst %s src %s, sent as dst %s "
              "src %s",
              seq, dname, MacStr(f).c_str(), MacStr(f + 6).c_str(),
              MacStr(s.dst.data()).c_str(), MacStr(s.src.data()).c_str());
  }
  if (sp != nullptr && sp->spoofchk && !op_reentered_ &&
      std::memcmp(f + 6, cache_[sender].mac.data(), 6) != 0) {
    Violation("frame seq %u from VF %u (spoofchk on, MAC %s) with source MAC "
              "%s reached %s",
              seq, sender - 1, MacStr(cache_[sender].mac.data()).c_str(),
              MacStr(f + 6).c_str(), dname);
  }
  // VLANs. The frame's VLAN: the sender's port VLAN, or its 802.1Q tag.
  const uint16_t vs = sp ? sp->vlan : 0;
  const uint16_t vd = dp ? dp->vlan : 0;
  if (vs != 0 && s.tpid != 0) {
    Violation("tagged frame seq %u from VF %u (port VLAN %u) reached %s", seq,
              sender - 1, vs, dname);
  }
  const uint16_t vid = vs != 0 ? vs : s.tpid == 0x8100 ? (s.tci & 0xfff) : 0;
  if (vd != 0 && vid != vd) {
    Violation("frame seq %u of VLAN %u (from %u) reached VF %u of port VLAN "
              "%u",
              seq, vid, sender, dst_fn - 1, vd);
  }
  const uint16_t et = static_cast<uint16_t>(f[12] << 8 | f[13]);
  long expect = s.len;
  if (vs != 0 && vd == 0) {
    // an access port's frame on a trunk (or the uplink): tagged
    const uint16_t tci = static_cast<uint16_t>(f[14] << 8 | f[15]);
    const uint16_t want = static_cast<uint16_t>(sp->qos << 13 | vs);
    if (et != 0x8100 || tci != want) {
      Violation("frame seq %u from VF %u (vlan %u qos %u) reached %s with "
                "ethertype 0x%04x tci 0x%04x (want 8100/%04x)",
                seq, sender - 1, vs, sp->qos, dname, et, tci, want);
    }
    expect += 4;
  } else if (vd != 0 && s.tpid == 0x8100) {
    expect -= 4;  // untagged for the access port
  }
  if (s.must_drop) {
    Violation("frame seq %u from %u with a malformed virtio_net_hdr reached "
              "%s (%zu bytes)",
              seq, sender, dname, len);
  }
  if (s.l4) {
    CheckL4(s, seq, f, len, expect, hdr != nullptr ? *hdr : RxHdr{}, dname);
  } else if (static_cast<long>(len) != expect) {
    Violation("frame seq %u (sent %u bytes, tpid 0x%04x) reached %s with %zu "
              "bytes, expected %ld",
              seq, s.len, s.tpid, dname, len, expect);
  }
  if (to_vf && !dp->trust && !(f[0] & 1) && !op_reentered_ &&
      std::memcmp(f, cache_[dst_fn].mac.data(), 6) != 0) {
    Violation("unicast frame seq %u for %s reached untrusted VF %u (MAC %s)",
              seq, MacStr(f).c_str(), dst_fn - 1,
              MacStr(cache_[dst_fn].mac.data()).c_str());
  }
}

void Env::CheckCounters() {
  for (uint16_t f = 0; f < nfns_; ++f) {
    SnicStats s{};
    if (!snic_core_get_stats(core_, f, &s)) {
      Violation("get_stats failed for fn %u", f);
    }
    const uint64_t* now = reinterpret_cast<const uint64_t*>(&s);
    const uint64_t* old = reinterpret_cast<const uint64_t*>(&stats_[f]);
    for (size_t i = 0; i < sizeof(SnicStats) / 8; ++i) {
      if (now[i] < old[i]) {
        Violation("counter #%zu of fn %u went down from %llu to %llu", i, f,
                  static_cast<unsigned long long>(old[i]),
                  static_cast<unsigned long long>(now[i]));
      }
    }
    Drv& d = drv_[f];
    if (d.clean()) {
      const uint64_t drx = s.rx_packets - d.op_base_rx;
      if (drx != d.op_rx_frames) {
        Violation("fn %u: rx_packets grew by %llu but its driver found %llu "
                  "frames in its RX ring",
                  f, static_cast<unsigned long long>(drx),
                  static_cast<unsigned long long>(d.op_rx_frames));
      }
      const uint64_t dtx = s.tx_packets + s.tx_drop_malformed - d.op_base_tx;
      if (dtx != d.op_tx_used) {
        Violation("fn %u: tx_packets + tx_drop_malformed grew by %llu but %llu "
                  "TX chains came back",
                  f, static_cast<unsigned long long>(dtx),
                  static_cast<unsigned long long>(d.op_tx_used));
      }
      if (s.tx_drop_malformed - d.op_base_bad < d.op_tx_bad) {
        Violation("fn %u: %llu TX chains with a malformed virtio_net_hdr "
                  "came back, tx_drop_malformed grew by %llu",
                  f, static_cast<unsigned long long>(d.op_tx_bad),
                  static_cast<unsigned long long>(s.tx_drop_malformed -
                                                  d.op_base_bad));
      }
      if (s.tx_packets - d.op_base_txp < d.op_tx_ok) {
        Violation("fn %u: %llu TX chains with a valid virtio_net_hdr came "
                  "back, tx_packets grew by %llu (dropped as malformed?)",
                  f, static_cast<unsigned long long>(d.op_tx_ok),
                  static_cast<unsigned long long>(s.tx_packets -
                                                  d.op_base_txp));
      }
      if (s.tx_packets + s.tx_drop_malformed - d.tx_count_base >
          d.tx_published) {
        Violation("fn %u: %llu TX chains counted, only %llu made available",
                  f,
                  static_cast<unsigned long long>(s.tx_packets +
                                                  s.tx_drop_malformed -
                                                  d.tx_count_base),
                  static_cast<unsigned long long>(d.tx_published));
      }
    }
    if (f > 0 && pol_[f - 1].link_state == SNIC_LINK_DISABLE &&
        s.rx_packets != stats_[f].rx_packets) {
      Violation("VF %u (link-state disable) received %llu frames", f - 1,
                static_cast<unsigned long long>(s.rx_packets -
                                                stats_[f].rx_packets));
    }
    stats_[f] = s;
  }
  SnicUplinkStats u{};
  snic_core_get_uplink_stats(core_, &u);
  const uint64_t* now = reinterpret_cast<const uint64_t*>(&u);
  const uint64_t* old = reinterpret_cast<const uint64_t*>(&ustats_);
  for (size_t i = 0; i < sizeof(SnicUplinkStats) / 8; ++i) {
    if (now[i] < old[i]) Violation("uplink counter #%zu went down", i);
  }
  ustats_ = u;
}

void Env::CheckAfterOp() {
  CheckCounters();
  // Enabled functions have distinct MACs (known only while the VM runs:
  // the core refuses register reads while it is stopped).
  for (uint16_t a = 0; a < nfns_ && vm_running_; ++a) {
    for (uint16_t b = static_cast<uint16_t>(a + 1); b < nfns_; ++b) {
      if (Enabled(a) && Enabled(b) && cache_[a].mac == cache_[b].mac) {
        Violation("fn %u and fn %u both have MAC %s", a, b,
                  MacStr(cache_[a].mac.data()).c_str());
      }
    }
  }
  if (snic_core_num_vfs(core_) != num_vfs_) {
    Violation("num_vfs %u, expected %u", snic_core_num_vfs(core_), num_vfs_);
  }
}

// ---- the driver model -------------------------------------------------------------

void Env::Bme(SnicFn fn, bool on) {
  if (fn < nfns_) bme_[fn] = on;
  snic_core_set_bus_master(core_, fn, on);
}

void Env::WriteDesc(uint64_t table, uint16_t i, uint64_t addr, uint32_t len,
                    uint16_t flags, uint16_t next) {
  ram_.PutLe<uint64_t>(table + 16ull * i, addr);
  ram_.PutLe<uint32_t>(table + 16ull * i + 8, len);
  ram_.PutLe<uint16_t>(table + 16ull * i + 12, flags);
  ram_.PutLe<uint16_t>(table + 16ull * i + 14, next);
}

void Env::DriverInit(SnicFn fn, uint8_t variant, uint8_t qsel, uint8_t rxsel) {
  if (fn >= nfns_ || !Enabled(fn)) return;
  if (!vm_running_) return;  // guest code: no vCPU runs while stopped
  Drv& d = drv_[fn];
  static constexpr uint16_t kQs[8] = {256, 128, 64, 32, 16, 8, 4, 2};
  static constexpr uint32_t kRxLens[8] = {1536, 2048, 64, 128, 256, 512, 4096, 100};
  uint16_t qs = std::min<uint16_t>(dev_qsize_, kQs[qsel % 8]);
  uint32_t rx_len = kRxLens[rxsel % 8];
  uint16_t rx_count = static_cast<uint16_t>(8u << ((rxsel >> 3) % 4));
  auto ring = [](uint16_t n) {
    return ((16ull * n + 63) & ~63ull) + ((6 + 2ull * n + 63) & ~63ull) +
           ((6 + 8ull * n + 63) & ~63ull);
  };
  auto need = [&]() {
    return 3 * ring(qs) + uint64_t{qs} * kTxSlot + 3ull * qs * kAux +
           uint64_t{std::min(rx_count, qs)} * ((rx_len + 63) & ~63u) +
           kCtrlArea + 64;
  };
  while (need() > d.area.len) {
    if (rx_count > 1) {
      rx_count /= 2;
    } else if (qs > 2) {
      qs /= 2;
    } else if (rx_len > 64) {
      rx_len /= 2;
    } else {
      return;
    }
  }
  rx_count = std::min(rx_count, qs);
  Trace("  driver init fn %u variant 0x%x qsize %u rx %u x %u\n", fn, variant,
        qs, rx_count, rx_len);

  uint64_t feat = kLinuxFeatures;
  // rx bit 5: the checksum/segmentation offloads, bits 6-7 which
  // (kOffload*: fuzz_format.h)
  if (rxsel & 0x20) {
    uint64_t off = kOffloadFeatures;
    switch (rxsel >> 6) {
      case kOffloadHostOnly: off &= ~kGuestOffloadBits; break;
      case kOffloadCsumOnly: off = F(0) | F(1) | F(2); break;
      case kOffloadNoEcnUso: off &= ~(F(9) | F(13) | F(54) | F(55) | F(56)); break;
      default: break;
    }
    feat |= off;
  }
  if (variant & kVarNoMrg) feat &= ~F(15);
  if (variant & kVarNoEventIdx) feat &= ~F(29);
  if (variant & kVarNoIndirect) feat &= ~F(28);
  if (variant & kVarNoCtrl) {
    feat &= ~(F(17) | F(18) | F(19) | F(21) | F(23) | F(2));
  }
  Bme(fn, !(variant & kVarNoBme));
  msix_on_[fn] = !(start_flags_ & kStartNoMsix);
  for (uint16_t v = 0; v < layout_->msix_vectors; ++v) {
    msix_[fn][v] = MsixEntry{kApic, v, false, false};
  }
  Wr(fn, kRegCommon, 0x14, 0, 1);  // reset: the old rings are dead
  d = Drv{.area = d.area};
  SnicStats s0{};
  snic_core_get_stats(core_, fn, &s0);
  d.op_base_rx = s0.rx_packets;
  d.op_base_tx = s0.tx_packets + s0.tx_drop_malformed;
  std::memset(ram_.data() + d.area.a, 0, d.area.len);
  Wr(fn, kRegCommon, 0x14, kAck, 1);
  Wr(fn, kRegCommon, 0x14, kAck | kDrv, 1);
  Wr(fn, kRegCommon, 0x08, 0, 4);
  Wr(fn, kRegCommon, 0x0c, static_cast<uint32_t>(feat), 4);
  Wr(fn, kRegCommon, 0x08, 1, 4);
  Wr(fn, kRegCommon, 0x0c, static_cast<uint32_t>(feat >> 32), 4);
  Wr(fn, kRegCommon, 0x14, kAck | kDrv | kFeatOk, 1);
  if (!(Rd(fn, kRegCommon, 0x14, 1) & kFeatOk)) {
    Violation("fn %u refused FEATURES_OK for features 0x%llx", fn,
              static_cast<unsigned long long>(feat));
  }
  d.features = feat;
  d.mrg = feat & F(15);
  d.rx_maybe = feat & kGuestOffloadBits;  // all on at DRIVER_OK
  d.op_base_txp = s0.tx_packets;
  d.op_base_bad = s0.tx_drop_malformed;
  Wr(fn, kRegCommon, 0x10, 0, 2);
  uint64_t p = d.area.a;
  auto alloc = [&p](uint64_t n) {
    const uint64_t a = p;
    p += (n + 63) & ~63ull;
    return a;
  };
  const bool cvq = (feat & F(17)) && !(variant & kVarNoCtrlQueue);
  for (uint16_t qi = 0; qi < 3; ++qi) {
    DQ& q = d.q[qi];
    q.size = qs;
    q.desc = alloc(16ull * qs);
    q.avail = alloc(6 + 2ull * qs);
    q.used = alloc(6 + 8ull * qs);
    q.aux = alloc(uint64_t{qs} * kAux);
    q.event_idx = feat & F(29);
    q.chain.assign(qs, {});
    q.tag.assign(qs, -1);
    for (uint16_t i = 0; i < qs; ++i) q.free_ids.push_back(i);
    if (qi == 2 && !cvq) continue;
    Wr(fn, kRegCommon, 0x16, qi, 2);
    Wr(fn, kRegCommon, 0x18, qs, 2);
    Wr(fn, kRegCommon, 0x1a, qi + 1u, 2);
    if (variant & kVarWide) {
      Wr(fn, kRegCommon, 0x20, q.desc, 8);
      Wr(fn, kRegCommon, 0x28, q.avail, 8);
      Wr(fn, kRegCommon, 0x30, q.used, 8);
    } else {
      Wr(fn, kRegCommon, 0x20, static_cast<uint32_t>(q.desc), 4);
      Wr(fn, kRegCommon, 0x24, q.desc >> 32, 4);
      Wr(fn, kRegCommon, 0x28, static_cast<uint32_t>(q.avail), 4);
      Wr(fn, kRegCommon, 0x2c, q.avail >> 32, 4);
      Wr(fn, kRegCommon, 0x30, static_cast<uint32_t>(q.used), 4);
      Wr(fn, kRegCommon, 0x34, q.used >> 32, 4);
    }
    Wr(fn, kRegCommon, 0x1c, 1, 2);
    q.live = true;
  }
  d.tx_slots = alloc(uint64_t{qs} * kTxSlot);
  d.rx_len = rx_len;
  d.rx_count = rx_count;
  d.rx_pool = alloc(uint64_t{rx_count} * ((rx_len + 63) & ~63u));
  d.rx_posted.assign(rx_count, 0);
  d.ctrl = alloc(kCtrlArea);
  // The device may DMA into the new rings from here on (DRIVER_OK picks
  // up held uplink frames): know them now.
  RefreshFn(fn);
  for (uint16_t f = 0; f < nfns_; ++f) pre_cache_[f] = cache_[f];
  if (!(variant & kVarNoDriverOk)) {
    Wr(fn, kRegCommon, 0x14, kAck | kDrv | kFeatOk | kDrvOk, 1);
  }
  SnicStats s{};
  snic_core_get_stats(core_, fn, &s);
  d.tx_count_base = s.tx_packets + s.tx_drop_malformed;
  d.managed = true;
  d.tainted = false;
}

// A probe like DriverInit's, over the driver model's rings where it has
// them, with one ring of one queue at a hostile address (a BAR, MMCONFIG,
// past RAM, misaligned ...) and maybe some queues left disabled.
void Env::QueueHack(SnicFn fn, uint8_t q, uint8_t ring, uint8_t where,
                    uint32_t addr, uint8_t flags) {
  if (fn >= nfns_ || !Enabled(fn)) return;
  if (!vm_running_) return;  // guest code: no vCPU runs while stopped
  Drv& d = drv_[fn];
  d.tainted = d.managed;
  uint64_t bad = PickAddr(where, addr);
  if (flags & kQhackMisalign) bad += (addr >> 24) & 15;
  Trace("  queue hack fn %u queue %u ring %u at 0x%llx flags 0x%x\n", fn, q % 3,
        ring % 3, static_cast<unsigned long long>(bad), flags);
  Wr(fn, kRegCommon, 0x14, 0, 1);
  Wr(fn, kRegCommon, 0x14, kAck | kDrv, 1);
  Wr(fn, kRegCommon, 0x08, 0, 4);
  Wr(fn, kRegCommon, 0x0c, static_cast<uint32_t>(kLinuxFeatures), 4);
  Wr(fn, kRegCommon, 0x08, 1, 4);
  Wr(fn, kRegCommon, 0x0c, static_cast<uint32_t>(kLinuxFeatures >> 32), 4);
  Wr(fn, kRegCommon, 0x14, kAck | kDrv | kFeatOk, 1);
  for (uint16_t qi = 0; qi < 3; ++qi) {
    if (flags & (0x10 << qi)) continue;
    const DQ& dq = d.q[qi];
    const uint16_t size = dq.size != 0 ? dq.size : 8;
    uint64_t rings[3] = {dq.desc, dq.avail, dq.used};
    if (dq.size == 0) {
      rings[0] = kScratch + 0x1000ull * qi;
      rings[1] = rings[0] + 0x200;
      rings[2] = rings[0] + 0x400;
    }
    if (qi == q % 3) rings[ring % 3] = bad;
    Wr(fn, kRegCommon, 0x16, qi, 2);
    Wr(fn, kRegCommon, 0x18, size, 2);
    Wr(fn, kRegCommon, 0x1a, qi + 1u, 2);
    Wr(fn, kRegCommon, 0x20, rings[0], 8);
    Wr(fn, kRegCommon, 0x28, rings[1], 8);
    Wr(fn, kRegCommon, 0x30, rings[2], 8);
    Wr(fn, kRegCommon, 0x1c, 1, 2);
  }
  RefreshFn(fn);
  for (uint16_t f = 0; f < nfns_; ++f) pre_cache_[f] = cache_[f];
  if (!(flags & kQhackNoDriverOk)) {
    Wr(fn, kRegCommon, 0x14, kAck | kDrv | kFeatOk | kDrvOk, 1);
  }
}

int Env::AddChain(Drv& d, DQ& q, const std::vector<Seg>& segs, bool indirect,
                  int32_t tag) {
  (void)d;
  if (!q.live || segs.empty()) return -1;
  uint16_t head;
  if (indirect && segs.size() <= kAux / 16) {
    if (q.free_ids.empty()) return -1;
    head = q.free_ids.front();
    q.free_ids.erase(q.free_ids.begin());
    const uint64_t table = q.aux + uint64_t{head} * kAux;
    for (size_t i = 0; i < segs.size(); ++i) {
      const bool last = i + 1 == segs.size();
      WriteDesc(table, static_cast<uint16_t>(i), segs[i].addr, segs[i].len,
                static_cast<uint16_t>((segs[i].w ? kDWrite : 0) |
                                      (last ? 0 : kDNext)),
                static_cast<uint16_t>(last ? 0 : i + 1));
    }
    WriteDesc(q.desc, head, table, static_cast<uint32_t>(16 * segs.size()),
              kDIndirect, 0);
    q.chain[head] = {head};
  } else {
    if (q.free_ids.size() < segs.size()) return -1;
    std::vector<uint16_t> ids(q.free_ids.begin(),
                              q.free_ids.begin() + static_cast<long>(segs.size()));
    q.free_ids.erase(q.free_ids.begin(),
                     q.free_ids.begin() + static_cast<long>(segs.size()));
    for (size_t i = 0; i < segs.size(); ++i) {
      const bool last = i + 1 == segs.size();
      WriteDesc(q.desc, ids[i], segs[i].addr, segs[i].len,
                static_cast<uint16_t>((segs[i].w ? kDWrite : 0) |
                                      (last ? 0 : kDNext)),
                last ? 0 : ids[i + 1]);
    }
    head = ids[0];
    q.chain[head] = ids;
  }
  q.tag[head] = tag;
  ram_.PutLe<uint16_t>(q.avail + 4 + 2ull * (q.avail_idx % q.size), head);
  q.avail_idx++;
  ram_.PutLe<uint16_t>(q.avail + 2, q.avail_idx);
  return head;
}

bool Env::KickNeeded(DQ& q) {
  const uint16_t old = q.kicked_idx, now = q.avail_idx;
  q.kicked_idx = now;
  if (q.event_idx) {
    const uint16_t ev = ram_.GetLe<uint16_t>(q.used + 4 + 8ull * q.size);
    return static_cast<uint16_t>(now - ev - 1) < static_cast<uint16_t>(now - old);
  }
  return !(ram_.GetLe<uint16_t>(q.used) & 1);
}

void Env::PostRx(SnicFn fn, uint8_t count, uint8_t mode) {
  if (fn >= nfns_) return;
  if (!vm_running_) return;  // guest code: no vCPU runs while stopped
  Drv& d = drv_[fn];
  if (!d.clean() || !d.q[0].live) return;
  const uint32_t stride = (d.rx_len + 63) & ~63u;
  unsigned posted = 0;
  for (uint16_t i = 0; i < d.rx_count && posted < count; ++i) {
    if (d.rx_posted[i]) continue;
    const uint64_t a = d.rx_pool + uint64_t{i} * stride;
    std::memset(ram_.data() + a, 0, d.rx_len);
    std::vector<Seg> segs;
    if ((mode & kRxSplit) && d.rx_len >= 2) {
      const uint32_t h = d.rx_len / 2;
      segs = {{a, h, true}, {a + h, d.rx_len - h, true}};
    } else {
      segs = {{a, d.rx_len, true}};
    }
    const bool ind = (mode & kRxIndirect) && (d.features & F(28));
    if (AddChain(d, d.q[0], segs, ind, i) < 0) break;
    d.rx_posted[i] = 1;
    posted++;
  }
  Trace("  post rx fn %u: %u buffers of %u\n", fn, posted, d.rx_len);
  if (posted > 0 && !(mode & kRxNoKick) && KickNeeded(d.q[0])) Kick(fn, 0);
}

Mac Env::PickMac(uint8_t sel) {
  switch (sel % 8) {
    case 0: return {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    case 1: return {0x01, 0x00, 0x5e, 0x00, 0x00, static_cast<uint8_t>(sel >> 3)};
    case 2: return {0x52, 0x54, 0x00, 0xaa, 0xbb, 0xcc};
    case 3: return {0x02, 0x00, 0x00, 0x00, 0x00, static_cast<uint8_t>(sel)};
    default: {
      const uint16_t f = static_cast<uint16_t>((sel >> 3) % nfns_);
      if (Enabled(f)) return cache_[f].mac;
      return {0x02, 0x00, 0x00, 0x00, 0x01, static_cast<uint8_t>(sel)};
    }
  }
}

void Env::Send(SnicFn fn, uint8_t dsel, uint8_t ssel, uint8_t vsel,
               uint16_t lsel, uint8_t mode) {
  if (fn >= nfns_) return;
  if (!vm_running_) return;  // guest code: no vCPU runs while stopped
  Drv& d = drv_[fn];
  if (!d.clean() || !d.q[1].live) return;
  DQ& q = d.q[1];
  if (q.free_ids.empty()) return;
  const Mac dst = PickMac(dsel);
  Mac src = cache_[fn].mac;
  if (mode & kSendSpoof) src = PickMac(static_cast<uint8_t>(ssel | 3));
  static constexpr uint16_t kVids[8] = {1, 10, 20, 100, 4094, 4095, 0, 2};
  uint16_t tpid = 0, tci = 0;
  switch (vsel % 8) {
    case 4: tpid = 0x8100; tci = static_cast<uint16_t>((vsel >> 5) << 13 | kVids[(vsel >> 3) % 8]); break;
    case 5: tpid = 0x8100; tci = static_cast<uint16_t>((vsel >> 5) << 13); break;
    case 6: tpid = 0x88a8; tci = kVids[(vsel >> 3) % 8]; break;
    case 7: tpid = 0x8100; tci = static_cast<uint16_t>(pol_[(vsel >> 3) % total_vfs_].vlan); break;
    default: break;
  }
  uint32_t len;
  const uint32_t r = lsel >> 4;
  switch (lsel % 16) {
    case 0: len = r % 14; break;
    case 1: len = 14 + r % 9; break;
    case 10: len = 1514; break;
    case 11: len = 1518; break;
    case 12: len = 9014; break;
    case 13: len = 65554; break;
    case 14: len = 65555; break;
    case 15: len = 2000 + (r * 16) % 63000; break;
    default: len = 60 + r % 1455; break;
  }
  uint32_t seq = 0;
  const std::vector<uint8_t> frame =
      BuildFrame(dst, src, tpid, tci, len, static_cast<uint8_t>(fn), &seq);
  const uint32_t first = std::min<uint32_t>(len, kTxSlot - 12);
  // The slot of the head descriptor we are about to get.
  const uint16_t head_guess = q.free_ids.front();
  const uint64_t slot = d.tx_slots + uint64_t{head_guess} * kTxSlot;
  uint8_t hdr[12] = {};
  if (mode & kSendBadHdr) hdr[0] = 1;
  ram_.Put(slot, hdr, 12);
  ram_.Put(slot + 12, frame.data(), first);
  std::vector<Seg> segs;
  if (mode & kSendSplitHdr) {
    segs.push_back({slot, 12, false});
    if (first > 0) segs.push_back({slot + 12, first, false});
  } else {
    segs.push_back({slot, 12 + first, false});
  }
  if (len > first) {
    // the rest from the shared pattern (the frame past the slot is not
    // checked byte for byte)
    segs.push_back({kFiller, len - first, false});
  }
  const bool ind = (mode & kSendIndirect) && (d.features & F(28));
  if (!ind && q.free_ids.size() < segs.size()) return;
  const int head = AddChain(d, q, segs, ind, -1);
  if (head < 0) return;
  if (head != head_guess) Violation("harness: TX slot mismatch");
  d.tx_published++;
  Trace("  send fn %u seq %u len %u dst %s src %s tpid 0x%x tci 0x%x mode 0x%x head %d\n",
        fn, seq, len, MacStr(dst.data()).c_str(), MacStr(src.data()).c_str(),
        tpid, tci, mode, head);
  if (mode & kSendNoKick) return;
  if (KickNeeded(q) || (mode & kSendForceKick)) Kick(fn, 1);
}

void Env::Control(SnicFn fn, uint8_t kind, uint8_t a, uint8_t b) {
  if (fn >= nfns_) return;
  if (!vm_running_) return;  // guest code: no vCPU runs while stopped
  Drv& d = drv_[fn];
  if (!d.clean() || !d.q[2].live) return;
  DQ& q = d.q[2];
  std::vector<uint8_t> data;
  uint8_t cls = 0, cmd = 0;
  auto mac_bytes = [&](const Mac& m) { data.insert(data.end(), m.begin(), m.end()); };
  // CTRL_GUEST_OFFLOADS_SET (class 5 command 0, le64 of GUEST_* bits)
  bool offloads_set = false;
  uint64_t want = 0;
  if (kind >= 0xf0) {
    static constexpr unsigned kBits[6] = {1, 7, 8, 9, 54, 55};
    for (int i = 0; i < 6; ++i) {
      if (a & (1u << i)) want |= F(kBits[i]);
    }
    if (a & 0x40) want |= F(b % 64);
    cls = 5;
    cmd = (b & 0x40) ? static_cast<uint8_t>(1 + (b & 1)) : 0;
    const unsigned n = (b & 0x20) ? 4 : 8;
    for (unsigned i = 0; i < n; ++i) data.push_back(static_cast<uint8_t>(want >> (8 * i)));
    offloads_set = cmd == 0 && n == 8;
    if (offloads_set) d.rx_maybe |= want & kGuestOffloadBits;
  }
  switch (kind >= 0xf0 ? 8 : kind % 8) {
    case 8:
      break;
    case 0:
      cls = 0;
      cmd = a % 6;
      data.push_back(b & 1);
      break;
    case 1: {
      cls = 1;
      cmd = 0;
      const uint32_t nu = a % 70, nm = b % 70;
      for (int i = 0; i < 4; ++i) data.push_back(static_cast<uint8_t>(nu >> (8 * i)));
      for (uint32_t i = 0; i < nu; ++i) mac_bytes(PickMac(static_cast<uint8_t>(i * 8 + 3 + (a & 4 ? 1 : 0))));
      for (int i = 0; i < 4; ++i) data.push_back(static_cast<uint8_t>(nm >> (8 * i)));
      for (uint32_t i = 0; i < nm; ++i) mac_bytes({0x01, 0x00, 0x5e, 0, 0, static_cast<uint8_t>(i)});
      break;
    }
    case 2:
      cls = 1;
      cmd = 1;
      mac_bytes(a % 4 == 0 ? Mac{0x02, 0x11, 0x22, 0x33, 0x44, b}
                           : PickMac(b));
      break;
    case 3:
    case 4:
      cls = 2;
      cmd = kind % 8 == 3 ? 0 : 1;
      data.push_back(a);
      data.push_back(b % 17);
      break;
    case 5:
      cls = 3;
      cmd = 0;
      break;
    case 6:
      cls = a;
      cmd = b;
      data.push_back(a);
      break;
    default:
      cls = a % 3;
      cmd = b % 3;
      for (uint8_t i = 0; i < b % 9; ++i) data.push_back(i);
      break;
  }
  const uint64_t h = d.ctrl;
  const uint8_t hb[2] = {cls, cmd};
  ram_.Put(h, hb, 2);
  std::vector<Seg> segs = {{h, 2, false}};
  if (!data.empty()) {
    ram_.Put(h + 16, data.data(), std::min<size_t>(data.size(), kCtrlArea - 32));
    segs.push_back({h + 16, static_cast<uint32_t>(std::min<size_t>(data.size(), kCtrlArea - 32)), false});
  }
  const uint64_t ack = h + kCtrlArea - 8;
  ram_.PutLe<uint8_t>(ack, 0xee);
  segs.push_back({ack, 1, true});
  if (AddChain(d, q, segs, false, -1) < 0) return;
  Trace("  control fn %u class %u cmd %u (%zu bytes)\n", fn, cls, cmd, data.size());
  Kick(fn, 2);
  // Every command in flight was answered now: they all read this one's
  // buffer, so an OK means these offloads are on and nothing else.
  if (offloads_set && ram_.GetLe<uint16_t>(q.used + 2) == q.avail_idx &&
      ram_.GetLe<uint8_t>(ack) == 0) {
    d.rx_maybe = want & kGuestOffloadBits;
    Trace("      (guest offloads now 0x%llx)\n",
          static_cast<unsigned long long>(d.rx_maybe));
  }
}

void Env::Harvest(SnicFn fn) {
  Drv& d = drv_[fn];
  for (uint16_t qi = 0; qi < 3; ++qi) {
    DQ& q = d.q[qi];
    if (!q.live) continue;
    unsigned guard = 0;
    while (ram_.GetLe<uint16_t>(q.used + 2) != q.last_used && guard++ < 4 * q.size) {
      auto take = [&](uint32_t* len_out) -> int {
        const uint64_t e = q.used + 4 + 8ull * (q.last_used % q.size);
        const uint32_t id = ram_.GetLe<uint32_t>(e);
        *len_out = ram_.GetLe<uint32_t>(e + 4);
        q.last_used++;
        if (id >= q.size || q.chain[id].empty()) {
          Violation("fn %u queue %u: used ring returned id %u, which the "
                    "driver did not make available",
                    fn, qi, id);
        }
        for (uint16_t x : q.chain[id]) q.free_ids.push_back(x);
        q.chain[id].clear();
        return static_cast<int>(id);
      };
      uint32_t len = 0;
      const int id = take(&len);
      if (qi == 1) {
        d.op_tx_used++;
        if (q.tag[id] == kTxExpectOk) d.op_tx_ok++;
        if (q.tag[id] == kTxExpectBad) d.op_tx_bad++;
        continue;
      }
      if (qi == 2) continue;
      // RX: one frame in one or (mergeable) more buffers.
      const int32_t b = q.tag[id];
      if (b < 0 || b >= d.rx_count) Violation("harness: bad RX tag");
      d.rx_posted[b] = 0;
      const uint32_t stride = (d.rx_len + 63) & ~63u;
      uint64_t a = d.rx_pool + uint64_t(b) * stride;
      if (len > d.rx_len || len < 12) {
        Violation("fn %u: RX used length %u for a %u-byte buffer", fn, len,
                  d.rx_len);
      }
      const uint16_t nb = ram_.GetLe<uint16_t>(a + 10);
      const RxHdr rh{ram_[a], ram_[a + 1], ram_.GetLe<uint16_t>(a + 2),
                     ram_.GetLe<uint16_t>(a + 4), ram_.GetLe<uint16_t>(a + 6),
                     ram_.GetLe<uint16_t>(a + 8)};
      if (nb == 0 || (!d.mrg && nb != 1) || nb > q.size) {
        Violation("fn %u: RX num_buffers %u", fn, nb);
      }
      std::vector<uint8_t> frame(ram_.begin() + static_cast<long>(a + 12),
                                 ram_.begin() + static_cast<long>(a + len));
      for (uint16_t k = 1; k < nb; ++k) {
        if (ram_.GetLe<uint16_t>(q.used + 2) == q.last_used) {
          Violation("fn %u: RX frame announces %u buffers, %u published", fn,
                    nb, k);
        }
        uint32_t l2 = 0;
        const int id2 = take(&l2);
        const int32_t b2 = q.tag[id2];
        if (b2 < 0 || b2 >= d.rx_count) Violation("harness: bad RX tag");
        d.rx_posted[b2] = 0;
        if (l2 > d.rx_len || l2 == 0) {
          Violation("fn %u: RX used length %u for a %u-byte buffer", fn, l2,
                    d.rx_len);
        }
        a = d.rx_pool + uint64_t(b2) * stride;
        frame.insert(frame.end(), ram_.begin() + static_cast<long>(a),
                     ram_.begin() + static_cast<long>(a + l2));
      }
      d.op_rx_frames++;
      Trace("      fn %u received %zu bytes in %u buffer(s), hdr flags %u gso "
            "0x%x size %u csum %u+%u\n",
            fn, frame.size(), nb, rh.flags, rh.gso_type, rh.gso_size,
            rh.csum_start, rh.csum_offset);
      CheckRxHdr(rh, frame.data(), frame.size(), fn);
      CheckFrame(frame.data(), frame.size(), fn, &rh);
    }
    if (q.event_idx) ram_.PutLe<uint16_t>(q.avail + 4 + 2ull * q.size, q.last_used);
  }
}


// ---- offloads: L4 frames, their headers, and what receivers get -------------

namespace {
uint16_t Be16(const uint8_t* p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }
uint32_t Be32(const uint8_t* p) {
  return uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 | uint32_t{p[2]} << 8 | p[3];
}
void SetBe16(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v >> 8);
  p[1] = static_cast<uint8_t>(v);
}
// RFC 1071, written independently of the core.
uint32_t CsumAdd(const uint8_t* p, size_t n, uint32_t sum) {
  uint64_t s = sum;
  size_t i = 0;
  for (; i + 1 < n; i += 2) s += uint32_t{p[i]} << 8 | p[i + 1];
  if (i < n) s += uint32_t{p[i]} << 8;
  while (s >> 32) s = (s & 0xffffffff) + (s >> 32);
  return static_cast<uint32_t>(s);
}
uint16_t CsumFold(uint32_t s) {
  while (s >> 16) s = (s & 0xffff) + (s >> 16);
  return static_cast<uint16_t>(s);
}
// The L2 header's length with up to two tags (0: not Ethernet + IP).
size_t L2Of(const uint8_t* f, size_t len, uint16_t* et) {
  size_t l2 = 14;
  if (len < 14) return 0;
  uint16_t t = Be16(f + 12);
  for (int tags = 0; t == 0x8100 || t == 0x88a8; ++tags) {
    if (tags == 2 || len < l2 + 4) return 0;
    t = Be16(f + l2 + 2);
    l2 += 4;
  }
  *et = t;
  return l2;
}
uint32_t PseudoSum(const uint8_t* ip, bool v6, uint8_t proto, uint32_t l4len) {
  uint32_t s = v6 ? CsumAdd(ip + 8, 32, 0) : CsumAdd(ip + 12, 8, 0);
  return s + (l4len >> 16) + (l4len & 0xffff) + proto;
}
// As a receiver checks a frame: the IPv4 header checksum, the IP lengths
// against the frame, and the TCP/UDP checksum. Empty string: valid.
std::string VerifyL4(const uint8_t* f, size_t len, size_t l3) {
  if (len < l3 + 20) return "no IP header";
  const bool v6 = (f[l3] >> 4) == 6;
  size_t l4;
  uint8_t proto;
  if (v6) {
    if (len < l3 + 40) return "short IPv6 header";
    if (Be16(f + l3 + 4) != len - l3 - 40) return "IPv6 payload length != frame";
    proto = f[l3 + 6];
    l4 = l3 + 40;
  } else {
    const size_t ihl = (f[l3] & 15) * 4u;
    if (ihl < 20 || len < l3 + ihl) return "bad IPv4 header length";
    if (CsumFold(CsumAdd(f + l3, ihl, 0)) != 0xffff) return "IPv4 header checksum wrong";
    if (Be16(f + l3 + 2) != len - l3) return "IPv4 total length != frame";
    proto = f[l3 + 9];
    l4 = l3 + ihl;
  }
  const uint32_t l4len = static_cast<uint32_t>(len - l4);
  if (proto == 6) {
    if (l4len < 20) return "short TCP header";
  } else if (proto == 17) {
    if (l4len < 8) return "short UDP header";
    if (Be16(f + l4 + 4) != l4len) return "UDP length != frame";
    if (Be16(f + l4 + 6) == 0) return "UDP checksum 0 (none)";
  } else {
    return "not TCP or UDP";
  }
  const uint32_t sum = CsumAdd(f + l4, l4len, PseudoSum(f + l3, v6, proto, l4len));
  if (CsumFold(sum) != 0xffff) return proto == 6 ? "TCP checksum wrong" : "UDP checksum wrong";
  return "";
}
}  // namespace

uint8_t Env::L4Byte(const SentFrame& s, size_t pos) const {
  if (pos < s.head.size()) return s.head[pos];
  return ram_[kFiller + (pos - s.pay)];
}

Env::L4Spec Env::L4Pick(const Mac& dst, const Mac& src, uint8_t vsel,
                        uint16_t lsel, uint8_t kind, uint16_t mss,
                        uint8_t sender) {
  L4Spec sp;
  sp.dst = dst;
  sp.src = src;
  static constexpr uint16_t kVids[4] = {1, 10, 20, 4094};
  switch (vsel % 8) {
    case 4: sp.tpid = 0x8100; sp.tci = static_cast<uint16_t>((vsel >> 5) << 13 | kVids[(vsel >> 3) % 4]); break;
    case 5: sp.tpid = 0x88a8; sp.tci = kVids[(vsel >> 3) % 4]; break;
    case 6: sp.tpid = 0x8100; sp.tci = static_cast<uint16_t>(pol_[(vsel >> 3) % total_vfs_].vlan); break;
    default: break;
  }
  sp.ipv6 = kind & kL4Ipv6;
  sp.tcp = !(kind & kL4Udp);
  sp.gso = (kind & kL4Gso) && !(kind & kL4Full);
  sp.partial = !(kind & kL4Full);
  sp.ecn = sp.tcp && sp.gso && (kind & kL4Ecn);
  sp.finpsh = sp.tcp && (kind & kL4FinPsh);
  sp.gso_size = static_cast<uint16_t>((mss & 0x8000) ? 1 + mss % 128 : 64 + mss % 9000);
  static constexpr uint32_t kMax[4] = {200, 4000, 16000, 64500};
  sp.plen = kSigLen + (lsel >> 2) * (lsel % 4 == 3 ? 4u : 1u) % kMax[lsel % 4];
  sp.sender = sender;
  return sp;
}

std::vector<uint8_t> Env::BuildL4(const L4Spec& sp, uint32_t* seq_out) {
  const uint32_t seq = static_cast<uint32_t>(sent_.size());
  *seq_out = seq;
  std::vector<uint8_t> f;
  f.insert(f.end(), sp.dst.begin(), sp.dst.end());
  f.insert(f.end(), sp.src.begin(), sp.src.end());
  auto be16 = [&f](uint16_t v) {
    f.push_back(static_cast<uint8_t>(v >> 8));
    f.push_back(static_cast<uint8_t>(v));
  };
  if (sp.tpid != 0) {
    be16(sp.tpid);
    be16(sp.tci);
  }
  be16(sp.ipv6 ? 0x86dd : 0x0800);
  const size_t l3 = f.size();
  const uint8_t proto = sp.tcp ? 6 : 17;
  const size_t l4hdr = sp.tcp ? 20 : 8;
  const size_t iphdr = sp.ipv6 ? 40 : 20;
  const size_t total = l3 + iphdr + l4hdr + sp.plen;
  if (sp.ipv6) {
    const uint8_t ip[40] = {
        0x60, 0, 0, 0, 0, 0, proto, 64,
        0xfd, 0x53, 0x4e, 0x46, 0x5a, 0x4f, 0, 0, 0, 0, 0, 0,
        static_cast<uint8_t>(seq >> 24), static_cast<uint8_t>(seq >> 16),
        static_cast<uint8_t>(seq >> 8), static_cast<uint8_t>(seq),
        0xfd, 0x53, 0x4e, 0x46, 0x5a, 0x4f, 0, 0, 0, 0, 0, 0, 0, 0, 0, sp.sender};
    f.insert(f.end(), ip, ip + 40);
    SetBe16(&f[l3 + 4], static_cast<uint16_t>(total - l3 - 40));
  } else {
    const uint8_t ip[20] = {
        0x45, 0, 0, 0, static_cast<uint8_t>(seq >> 3), static_cast<uint8_t>(seq * 29),
        0x40, 0, 64, proto, 0, 0,
        10, static_cast<uint8_t>(seq >> 16), static_cast<uint8_t>(seq >> 8),
        static_cast<uint8_t>(seq), 10, 254, sp.sender, 1};
    f.insert(f.end(), ip, ip + 20);
    SetBe16(&f[l3 + 2], static_cast<uint16_t>(total - l3));
    SetBe16(&f[l3 + 10], static_cast<uint16_t>(~CsumFold(CsumAdd(&f[l3], 20, 0))));
  }
  const size_t l4 = f.size();
  be16(kL4Sport);
  be16(kL4Dport);
  if (sp.tcp) {
    const uint32_t tseq = 0x10000000u + seq * 0x9e37u;
    const uint8_t rest[16] = {
        static_cast<uint8_t>(tseq >> 24), static_cast<uint8_t>(tseq >> 16),
        static_cast<uint8_t>(tseq >> 8), static_cast<uint8_t>(tseq),
        0, 0, 0x12, 0x34, 0x50,
        static_cast<uint8_t>(kTcpAck | (sp.finpsh ? kTcpFin | kTcpPsh : 0) |
                             (sp.ecn ? kTcpCwr : 0)),
        0xff, 0xff, 0, 0, 0, 0};
    f.insert(f.end(), rest, rest + 16);
  } else {
    be16(static_cast<uint16_t>(total - l4));
    be16(0);
  }
  const size_t pay = f.size();
  const uint8_t sig[kSigLen] = {kMagic[0], kMagic[1], kMagic[2], kMagic[3], sp.sender,
                                static_cast<uint8_t>(seq), static_cast<uint8_t>(seq >> 8),
                                static_cast<uint8_t>(seq >> 16), static_cast<uint8_t>(seq >> 24)};
  f.insert(f.end(), sig, sig + kSigLen);
  SentFrame s;
  s.sender = sp.sender;
  s.dst = sp.dst;
  s.src = sp.src;
  s.tpid = sp.tpid;
  s.tci = sp.tci;
  s.len = static_cast<uint32_t>(total);
  s.l4 = true;
  s.honest = true;
  s.ipv6 = sp.ipv6;
  s.tcp = sp.tcp;
  s.gso = sp.gso;
  s.ecn = sp.ecn;
  s.partial = sp.partial;
  s.gso_size = sp.gso_size;
  s.l3 = static_cast<uint16_t>(l3);
  s.l4off = static_cast<uint16_t>(l4);
  s.pay = static_cast<uint16_t>(pay);
  s.plen = sp.plen;
  s.head = f;
  f.resize(total);
  for (size_t p = kSigLen; p < sp.plen; ++p) f[pay + p] = ram_[kFiller + p];
  // The L4 checksum: complete, or the pseudo-header sum Linux leaves for
  // CHECKSUM_PARTIAL.
  const uint32_t l4len = static_cast<uint32_t>(total - l4);
  const size_t at = l4 + (sp.tcp ? 16 : 6);
  const uint32_t ps = PseudoSum(&f[l3], sp.ipv6, proto, l4len);
  uint16_t c;
  if (sp.partial) {
    c = CsumFold(ps);
  } else {
    c = static_cast<uint16_t>(~CsumFold(CsumAdd(&f[l4], l4len, ps)));
    if (!sp.tcp && c == 0) c = 0xffff;
  }
  SetBe16(&f[at], c);
  s.head[at] = f[at];
  s.head[at + 1] = f[at + 1];
  if (sent_.size() < 1'000'000) sent_.push_back(std::move(s));
  return f;
}

SnicNetHdr Env::L4Header(const L4Spec& sp, std::vector<uint8_t>& f,
                         uint8_t fuzz, uint16_t fval, bool* honest) {
  const SentFrame& s = sent_.back();
  SnicNetHdr h{};
  if (sp.partial) {
    h.flags = kHdrNeedsCsum;
    h.csum_start = s.l4off;
    h.csum_offset = sp.tcp ? 16 : 6;
  }
  if (sp.gso) {
    h.gso_type = static_cast<uint8_t>((sp.tcp ? (sp.ipv6 ? 4 : 1) : 5) | (sp.ecn ? 0x80 : 0));
    h.gso_size = sp.gso_size;
    h.hdr_len = s.pay;
  }
  *honest = true;
  switch (fuzz % 8) {
    case 1:
      switch (fval & 3) {
        case 0: h.gso_size = 0; break;
        case 1: h.gso_size = static_cast<uint16_t>(1 + (fval >> 2) % 8); break;
        case 2: h.gso_size = 0xffff; break;
        default: h.gso_size = fval; break;
      }
      break;
    case 2: h.csum_start = fval; *honest = false; break;
    case 3: h.csum_offset = fval; *honest = false; break;
    case 4: h.gso_type = static_cast<uint8_t>(fval); h.gso_size = static_cast<uint16_t>(fval >> 8 | 1); *honest = false; break;
    case 5: h.flags = static_cast<uint8_t>(fval); *honest = false; break;
    case 6: h.hdr_len = fval; break;
    case 7: f.resize(std::min<size_t>(f.size(), fval)); *honest = false; break;
    default: break;
  }
  return h;
}

bool Env::HdrMalformed(const SnicNetHdr& h, const uint8_t* f, size_t len,
                       bool csum, bool tso4, bool tso6, bool ecn,
                       bool uso) const {
  const bool needs = h.flags & kHdrNeedsCsum;
  const uint8_t type = h.gso_type & 0x7f;
  const bool e = h.gso_type & 0x80;
  if (needs && !csum) return true;
  if (type != 0 && type != 1 && type != 4 && type != 5) return true;
  if (type == 0 && e) return true;
  if (type == 5 && e) return true;
  if (type != 0 && !needs) return true;
  if ((type == 1 && !tso4) || (type == 4 && !tso6) || (type == 5 && !uso)) return true;
  if (e && !ecn) return true;
  uint16_t et = 0;
  const size_t l2 = L2Of(f, len, &et);
  if (needs) {
    if (l2 == 0 || h.csum_start < l2) return true;
    if (h.csum_start >= len || size_t{h.csum_start} + h.csum_offset + 2 > len) return true;
  }
  if (type != 0) {
    if (h.gso_size == 0) return true;
    // (the frame is an intact L4 frame here: only type and size matter)
    const SentFrame& s = sent_.back();
    if (len != s.len) return false;  // cut: not known
    if ((type == 1 && !(s.tcp && !s.ipv6)) || (type == 4 && !(s.tcp && s.ipv6)) ||
        (type == 5 && s.tcp)) {
      return true;
    }
    if (h.csum_start != s.l4off) return true;
    if ((s.plen + h.gso_size - 1) / h.gso_size > 1024) return true;
  }
  return false;
}

void Env::SendOffload(SnicFn fn, uint8_t dsel, uint8_t vsel, uint16_t lsel,
                      uint8_t kind, uint16_t mss, uint8_t fuzz,
                      uint16_t fval) {
  if (fn >= nfns_ || !vm_running_) return;
  Drv& d = drv_[fn];
  if (!d.clean() || !d.q[1].live) return;
  DQ& q = d.q[1];
  if (q.free_ids.empty()) return;
  L4Spec sp = L4Pick(PickMac(dsel), cache_[fn].mac, vsel, lsel, kind, mss,
                     static_cast<uint8_t>(fn));
  uint32_t seq = 0;
  std::vector<uint8_t> f = BuildL4(sp, &seq);
  bool honest = true;
  const SnicNetHdr h = L4Header(sp, f, fuzz, fval, &honest);
  SentFrame& s = sent_.back();
  s.honest = honest;
  s.gso_size = h.gso_size;
  auto has = [&d](unsigned b) { return (d.features & F(b)) != 0; };
  const bool bad = HdrMalformed(h, f.data(), f.size(), has(0), has(11), has(12),
                                has(13), has(56)) ||
                   f.size() < 14;
  s.must_drop = bad;
  const int32_t tag = bad ? kTxExpectBad : honest ? kTxExpectOk : kTxUnknown;
  // header + the frame's head in the TX slot, the rest from the filler
  const uint32_t len = static_cast<uint32_t>(f.size());
  const uint32_t first = std::min<uint32_t>(len, kTxSlot - 12);
  const uint16_t head_guess = q.free_ids.front();
  const uint64_t slot = d.tx_slots + uint64_t{head_guess} * kTxSlot;
  uint8_t hb[12] = {h.flags, h.gso_type};
  const uint16_t hv[4] = {h.hdr_len, h.gso_size, h.csum_start, h.csum_offset};
  for (int i = 0; i < 4; ++i) {
    hb[2 + 2 * i] = static_cast<uint8_t>(hv[i]);
    hb[3 + 2 * i] = static_cast<uint8_t>(hv[i] >> 8);
  }
  ram_.Put(slot, hb, 12);
  ram_.Put(slot + 12, f.data(), first);
  std::vector<Seg> segs;
  if (kind & kL4Split) {
    segs.push_back({slot, 12, false});
    if (first > 0) segs.push_back({slot + 12, first, false});
  } else {
    segs.push_back({slot, 12 + first, false});
  }
  if (len > first) {
    // frame byte x >= first is payload byte x - pay: the filler's
    segs.push_back({kFiller + (first - s.pay), len - first, false});
  }
  if (q.free_ids.size() < segs.size()) return;
  const int head = AddChain(d, q, segs, false, tag);
  if (head < 0) return;
  if (head != head_guess) Violation("harness: TX slot mismatch");
  d.tx_published++;
  Trace("  send offload fn %u seq %u len %u %s%s%s dst %s tpid 0x%x hdr flags %u "
        "gso 0x%x size %u hdr_len %u csum %u+%u%s%s head %d\n",
        fn, seq, len, sp.ipv6 ? "ipv6" : "ipv4", sp.tcp ? "/tcp" : "/udp",
        sp.gso ? " gso" : "", MacStr(sp.dst.data()).c_str(), sp.tpid, h.flags,
        h.gso_type, h.gso_size, h.hdr_len, h.csum_start, h.csum_offset,
        honest ? "" : " (fuzzed)", bad ? " (malformed)" : "", head);
  if (kind & kL4NoKick) return;
  if (KickNeeded(q)) Kick(fn, 1);
}

void Env::UplinkOffload(uint8_t dsel, uint8_t vsel, uint16_t lsel, uint8_t kind,
                        uint16_t mss, uint8_t fuzz, uint16_t fval) {
  const Mac src = {0x52, 0x54, 0x00, 0xaa, 0xbb, 0xc8};
  // A plain uplink carries wire frames: complete checksums, no GSO.
  if (!uplink_vnet_) kind |= kL4Full;
  L4Spec sp = L4Pick(PickMac(dsel), src, vsel, lsel, kind, mss, kUplinkSender);
  if (sp.tpid == 0x8100 && (vsel & 0x80)) sp.tci = static_cast<uint16_t>(pol_[(vsel >> 3) % total_vfs_].vlan);
  uint32_t seq = 0;
  std::vector<uint8_t> f = BuildL4(sp, &seq);
  SentFrame& s = sent_.back();
  if (!uplink_vnet_) {
    if (fuzz % 8 != 0) {
      // a wire error in the payload (not in what names the frame)
      f[s.pay + fval % (f.size() - s.pay)] ^= static_cast<uint8_t>(fuzz | 1);
      s.honest = false;
    }
    Trace("  uplink offload seq %u len %zu (plain)%s\n", seq, f.size(),
          s.honest ? "" : " (corrupted)");
    QemuSend(std::move(f));
    return;
  }
  bool honest = true;
  SnicNetHdr h = L4Header(sp, f, fuzz, fval, &honest);
  // a tap says DATA_VALID for a frame whose checksums it checked
  if (honest && !sp.partial && (kind & kL4Ecn)) h.flags = kHdrDataValid;
  s.honest = honest;
  s.gso_size = h.gso_size;
  s.must_drop = HdrMalformed(h, f.data(), f.size(), true, true, true, true, uplink_uso_);
  Trace("  uplink offload seq %u len %zu hdr flags %u gso 0x%x size %u csum %u+%u%s%s\n",
        seq, f.size(), h.flags, h.gso_type, h.gso_size, h.csum_start, h.csum_offset,
        honest ? "" : " (fuzzed)", s.must_drop ? " (malformed)" : "");
  QemuSend(std::move(f), &h);
}

bool Env::FindL4(const uint8_t* f, size_t len, uint32_t* seq,
                 uint8_t* sender) const {
  uint16_t et = 0;
  const size_t l3 = L2Of(f, len, &et);
  if (l3 == 0) return false;
  static const uint8_t kPre[14] = {0xfd, 0x53, 0x4e, 0x46, 0x5a, 0x4f, 0, 0, 0, 0, 0, 0, 0, 0};
  size_t l4;
  if (et == 0x0800 && len >= l3 + 28 && f[l3] == 0x45) {
    if (f[l3 + 12] != 10 || f[l3 + 16] != 10 || f[l3 + 17] != 254 || f[l3 + 19] != 1) return false;
    *seq = uint32_t{f[l3 + 13]} << 16 | uint32_t{f[l3 + 14]} << 8 | f[l3 + 15];
    *sender = f[l3 + 18];
    l4 = l3 + 20;
  } else if (et == 0x86dd && len >= l3 + 48 && (f[l3] >> 4) == 6) {
    if (std::memcmp(f + l3 + 8, kPre, 12) != 0 || std::memcmp(f + l3 + 24, kPre, 14) != 0) return false;
    *seq = Be32(f + l3 + 20);
    *sender = f[l3 + 39];
    l4 = l3 + 40;
  } else {
    return false;
  }
  return Be16(f + l4) == kL4Sport && Be16(f + l4 + 2) == kL4Dport;
}

// What a receiver may find in its virtio_net_hdr: only offloads it has on
// (for a function: negotiated and not turned off by CTRL_GUEST_OFFLOADS;
// for the uplink: what its vnet header takes), flags NEEDS_CSUM or
// DATA_VALID, GSO only with NEEDS_CSUM.
void Env::CheckRxHdr(const RxHdr& h, const uint8_t* f, size_t len, int dst_fn) {
  bool csum, tso4, tso6, ecn, uso4, uso6;
  char who[16];
  std::snprintf(who, sizeof(who), dst_fn < 0 ? "uplink" : "fn %d", dst_fn);
  if (dst_fn < 0) {
    csum = tso4 = tso6 = ecn = uplink_vnet_;
    uso4 = uso6 = uplink_vnet_ && uplink_uso_;
  } else {
    const Drv& d = drv_[dst_fn];
    const uint64_t on = d.rx_maybe & d.features;
    csum = on & F(1);
    tso4 = csum && (on & F(7));
    tso6 = csum && (on & F(8));
    ecn = (tso4 || tso6) && (on & F(9));
    uso4 = csum && (on & F(54));
    uso6 = csum && (on & F(55));
  }
  if (!csum && (h.flags != 0 || h.gso_type != 0)) {
    Violation("%s without GUEST_CSUM got header flags 0x%x gso_type 0x%x", who, h.flags,
              h.gso_type);
  }
  if (h.flags != 0 && h.flags != kHdrNeedsCsum && h.flags != kHdrDataValid) {
    Violation("%s got header flags 0x%x", who, h.flags);
  }
  const uint8_t type = h.gso_type & 0x7f;
  const bool e = h.gso_type & 0x80;
  uint16_t et = 0;
  const size_t l2 = L2Of(f, len, &et);
  const bool v6 = et == 0x86dd;
  const bool ok_type = type == 0 || (type == 1 && tso4) || (type == 4 && tso6) ||
                       (type == 5 && (v6 ? uso6 : uso4));
  if (!ok_type || (e && (!ecn || (type != 1 && type != 4)))) {
    Violation("%s got gso_type 0x%x it did not turn on (tso4 %d tso6 %d ecn %d uso4 %d "
              "uso6 %d)",
              who, h.gso_type, tso4, tso6, ecn, uso4, uso6);
  }
  if (type != 0 && (h.flags != kHdrNeedsCsum || h.gso_size == 0)) {
    Violation("%s got a GSO header (type 0x%x) with flags 0x%x gso_size %u", who, h.gso_type,
              h.flags, h.gso_size);
  }
  if (h.flags == kHdrNeedsCsum &&
      (l2 == 0 || h.csum_start < l2 || size_t{h.csum_start} + h.csum_offset + 2 > len)) {
    Violation("%s got NEEDS_CSUM with csum_start %u csum_offset %u for a %zu-byte frame",
              who, h.csum_start, h.csum_offset, len);
  }
}

// An L4 frame we sent (@s, seq @seq) arrived as @f: whole (@expect bytes,
// the sender's length with the tag the port VLANs add or remove) or as one
// segment of a GSO frame.
void Env::CheckL4(const SentFrame& s, uint32_t seq, const uint8_t* f, size_t len,
                  long expect, const RxHdr& h, const char* dname) {
  if (len < 14 || static_cast<long>(len) > expect) {
    Violation("L4 frame seq %u (sent %u bytes) reached %s with %zu bytes, at most %ld",
              seq, s.len, dname, len, expect);
  }
  const long delta = expect - static_cast<long>(s.len);
  const size_t rl3 = static_cast<size_t>(s.l3 + delta);
  uint16_t et = 0;
  if (L2Of(f, len, &et) != rl3) {
    Violation("L4 frame seq %u reached %s with an L2 header of %zu bytes, expected %zu", seq,
              dname, L2Of(f, len, &et), rl3);
  }
  if (!s.honest) return;  // its header was fuzzed: only lengths and policy
  const size_t rl4 = static_cast<size_t>(s.l4off + delta);
  const size_t rpay = static_cast<size_t>(s.pay + delta);
  // A frame with a fuzzed csum_start whose checksum the device completed
  // over its IP addresses may name another frame: its signature says.
  if (len >= rpay + kSigLen && std::memcmp(f + rpay, kMagic, 4) == 0) {
    const uint32_t sseq = f[rpay + 5] | f[rpay + 6] << 8 | f[rpay + 7] << 16 |
                          uint32_t{f[rpay + 8]} << 24;
    if (sseq != seq && sseq < sent_.size() && !sent_[sseq].honest) return;
  }
  const size_t csum_at = rl4 + (s.tcp ? 16 : 6);
  const uint8_t type = h.gso_type & 0x7f;
  const bool whole = static_cast<long>(len) == expect;
  std::vector<uint8_t> g(f, f + len);
  if (h.flags == kHdrNeedsCsum) {
    if (!whole || !s.partial) {
      Violation("L4 frame seq %u reached %s %s with NEEDS_CSUM but its checksum is not "
                "partial",
                seq, dname, whole ? "whole" : "as a segment");
    }
    if (h.csum_start != rl4 || h.csum_offset != (s.tcp ? 16 : 6)) {
      Violation("L4 frame seq %u reached %s with csum_start %u csum_offset %u, its L4 header "
                "is at %zu",
                seq, dname, h.csum_start, h.csum_offset, rl4);
    }
    // complete it as the receiver's stack would
    SetBe16(&g[csum_at], 0);
    const uint32_t part = CsumAdd(f + h.csum_start, len - h.csum_start, 0);
    SetBe16(&g[csum_at], static_cast<uint16_t>(~CsumFold(part)));
    if (!s.tcp && Be16(&g[csum_at]) == 0) SetBe16(&g[csum_at], 0xffff);
  }
  if (whole) {
    if (type != 0) {
      const uint8_t want = s.tcp ? (s.ipv6 ? 4 : 1) : 5;
      if (!s.gso || type != want || h.gso_size != s.gso_size || ((h.gso_type & 0x80) != 0) != s.ecn) {
        Violation("L4 frame seq %u reached %s with gso_type 0x%x gso_size %u, sent with gso %d "
                  "size %u ecn %d",
                  seq, dname, h.gso_type, h.gso_size, s.gso, s.gso_size, s.ecn);
      }
    } else if (s.gso && s.plen > s.gso_size) {
      Violation("GSO frame seq %u (%u payload bytes, gso_size %u) reached %s whole without "
                "its GSO type",
                seq, s.plen, s.gso_size, dname);
    }
    const bool skip_csum = s.partial && h.flags != kHdrNeedsCsum;
    if (!filler_dirty_) {
      for (size_t i = rl3; i < len; ++i) {
        if (skip_csum && (i == csum_at || i == csum_at + 1)) continue;
        if (f[i] != L4Byte(s, i - delta)) {
          Violation("L4 frame seq %u reached %s whole with byte %zu 0x%02x, sent 0x%02x", seq,
                    dname, i, f[i], L4Byte(s, i - delta));
        }
      }
    }
    // (a whole GSO frame's partial sum covers all of it: completed as is)
    const std::string why = VerifyL4(g.data(), len, rl3);
    if (!why.empty()) {
      Violation("L4 frame seq %u reached %s whole (header flags %u gso_type 0x%x) and a "
                "receiver finds: %s",
                seq, dname, h.flags, h.gso_type, why.c_str());
    }
    return;
  }
  // A segment: must come from a GSO frame, never say GSO itself.
  if (!s.gso || type != 0) {
    Violation("L4 frame seq %u (gso %d) reached %s cut to %zu of %ld bytes (header gso_type "
              "0x%x)",
              seq, s.gso, dname, len, expect, h.gso_type);
  }
  if (len < rpay) {
    Violation("segment of seq %u at %s has %zu bytes, its headers %zu", seq, dname, len, rpay);
  }
  const size_t n = len - rpay;
  const uint16_t gs = s.gso_size;
  if (gs == 0 || n == 0 || n > gs) {
    Violation("segment of seq %u at %s carries %zu payload bytes (gso_size %u)", seq, dname, n,
              gs);
  }
  // Where its payload came from.
  size_t off = SIZE_MAX;
  const uint8_t* ip = f + rl3;
  const uint8_t* sip = s.head.data() + s.l3;
  if (s.tcp) {
    off = static_cast<uint32_t>(Be32(f + rl4 + 4) - Be32(s.head.data() + s.l4off + 4));
  } else if (!s.ipv6) {
    off = size_t{static_cast<uint16_t>(Be16(ip + 4) - Be16(sip + 4))} * gs;
  } else if (!filler_dirty_) {
    for (size_t k = 0; k * gs < s.plen; ++k) {
      bool m = true;
      for (size_t i = 0; i < n && i < 16 && m; ++i) {
        m = f[rpay + i] == L4Byte(s, s.pay + k * gs + i);
      }
      if (m) {
        off = k * gs;
        break;
      }
    }
    if (off == SIZE_MAX) {
      Violation("segment of seq %u at %s: its payload is no piece of the frame sent", seq,
                dname);
    }
  } else {
    return;
  }
  if (off % gs != 0 || off >= s.plen || n != std::min<size_t>(gs, s.plen - off)) {
    Violation("segment of seq %u at %s: payload offset %zu, %zu bytes (gso_size %u, %u sent)",
              seq, dname, off, n, gs, s.plen);
  }
  const size_t index = off / gs;
  const bool last = off + n >= s.plen;
  // Its headers: the sent ones with lengths, IPv4 ID, TCP sequence and
  // flags, and checksums rewritten.
  for (size_t i = rl3; i < rpay; ++i) {
    const size_t si = i - delta;
    const size_t r3 = si - s.l3, r4 = si - s.l4off;
    if (si < s.l4off) {
      if (s.ipv6 ? (r3 == 4 || r3 == 5) : (r3 >= 2 && r3 <= 5) || r3 == 10 || r3 == 11) continue;
    } else {
      if (s.tcp ? ((r4 >= 4 && r4 <= 7) || r4 == 13 || r4 == 16 || r4 == 17) : r4 >= 4) continue;
    }
    if (f[i] != s.head[si]) {
      Violation("segment %zu of seq %u at %s: header byte %zu is 0x%02x, sent 0x%02x", index,
                seq, dname, i, f[i], s.head[si]);
    }
  }
  if (!s.ipv6 && Be16(ip + 4) != static_cast<uint16_t>(Be16(sip + 4) + index)) {
    Violation("segment %zu of seq %u at %s: IPv4 ID 0x%04x, first 0x%04x", index, seq, dname,
              Be16(ip + 4), Be16(sip + 4));
  }
  if (s.tcp) {
    uint8_t want = s.head[s.l4off + 13];
    if (!last) want &= static_cast<uint8_t>(~(kTcpFin | kTcpPsh));
    if (index > 0) want &= static_cast<uint8_t>(~kTcpCwr);
    if (f[rl4 + 13] != want) {
      Violation("segment %zu%s of seq %u at %s: TCP flags 0x%02x, want 0x%02x", index,
                last ? " (last)" : "", seq, dname, f[rl4 + 13], want);
    }
  }
  if (!filler_dirty_) {
    for (size_t i = 0; i < n; ++i) {
      if (f[rpay + i] != L4Byte(s, s.pay + off + i)) {
        Violation("segment %zu of seq %u at %s: payload byte %zu differs from the frame sent",
                  index, seq, dname, off + i);
      }
    }
  }
  const std::string why = VerifyL4(g.data(), len, rl3);
  if (!why.empty()) {
    Violation("segment %zu of seq %u at %s (header flags %u): a receiver finds: %s", index, seq,
              dname, h.flags, why.c_str());
  }
}

// ---- hostile helpers ------------------------------------------------------------

uint64_t Env::PickAddr(uint8_t where, uint32_t v) {
  const uint16_t f = static_cast<uint16_t>((where >> 3) % nfns_);
  switch (where % 8) {
    case 0: return v % ram_.size();
    case 1: return drv_[f].area.a + v % std::max<uint64_t>(drv_[f].area.len, 1);
    case 2: {
      // a register of some function: often a doorbell or the common config
      const uint64_t bar = kBarBase + uint64_t{f} * layout_->bar_size;
      switch (v % 4) {
        case 0: return bar + 0x3000 + 4 * ((v >> 2) % 3);
        case 1: return bar + (v >> 2) % 0x38;
        case 2: return bar + layout_->msix_table_offset + (v >> 2) % 64;
        default: return bar + (v >> 2) % layout_->bar_size;
      }
    }
    case 3:
      return (v & 1) ? kForeignBase + (v >> 1) % kForeignSize
                     : kEcamBase + 0x1000ull * f + (v >> 1) % 0x20;
    case 4: return ram_.size() - 1 - v % 64;
    case 5: return UINT64_MAX - v % 64;
    case 6: return kScratch + v % kScratchSize;
    default: {
      const DQ& q = drv_[f].q[v % 3];
      const uint64_t base = (v >> 2) % 3 == 0 ? q.desc : (v >> 2) % 3 == 1 ? q.avail : q.used;
      return base + (v >> 4) % 64;
    }
  }
}

std::string Env::FuzzString(size_t max) {
  const size_t n = in_.u8() % (max + 1);
  std::string s;
  for (size_t i = 0; i < n && !in_.done(); ++i) {
    const char c = static_cast<char>(in_.u8());
    s.push_back(c == 0 ? '0' : c);
  }
  return s;
}

static const char* const kSettingNames[7] = {
    "mac", "vlan", "qos", "spoofchk", "trust", "link-state", "max-tx-rate"};

std::string Env::SettingValue(uint8_t which, uint8_t vsel) {
  switch (which % 7) {
    case 0: {
      const Mac m = (vsel & 0x80) ? Mac{0x02, 0x5e, 0x00, 0x00, 0x00, static_cast<uint8_t>(vsel)}
                                  : PickMac(static_cast<uint8_t>(vsel | 3));
      return MacStr(m.data());
    }
    case 1: {
      static const char* const v[8] = {"0", "1", "10", "20", "4094", "4095", "100", "010"};
      return v[vsel % 8];
    }
    case 2: return std::to_string(vsel % 9);
    case 3:
    case 4: {
      static const char* const v[6] = {"on", "off", "true", "no", "yes", "maybe"};
      return v[vsel % 6];
    }
    case 5: {
      static const char* const v[4] = {"auto", "enable", "disable", "down"};
      return v[vsel % 4];
    }
    default: {
      static const char* const v[8] = {"0", "1", "10", "100", "1000", "400000", "400001", "99999999999"};
      return v[vsel % 8];
    }
  }
}

void Env::VfSetting(uint8_t vf, uint8_t sel, uint8_t vsel) {
  std::string name = (sel & 0x80) ? FuzzString(16) : kSettingNames[sel % 7];
  std::string value = (vsel == 0xff) ? FuzzString(24) : SettingValue(sel, vsel);
  char err[256] = {};
  const bool ok = snic_core_set_vf_setting(core_, vf % (total_vfs_ + 1u),
                                           name.c_str(), value.c_str(), err,
                                           sizeof(err));
  Trace("  set_vf_setting vf %u %s=%s -> %s %s\n", vf % (total_vfs_ + 1u),
        name.c_str(), value.c_str(), ok ? "ok" : "refused", err);
  if (!ok && err[0] == 0) Violation("set_vf_setting failed without a message");
  ReadPolicies();
}

void Env::VfSpec(uint8_t sel, uint8_t n) {
  std::string setting = (sel & 0x80) ? FuzzString(16) : kSettingNames[sel % 7];
  std::string spec;
  if (n == 0xff) {
    spec = FuzzString(64);
  } else {
    for (uint8_t i = 0; i < n % 5; ++i) {
      const uint8_t who = in_.u8(), v = in_.u8();
      if (i > 0) spec += "/";
      spec += (who % 10 == 9) ? std::string("*") : std::to_string(who % 10);
      // (mac-dup: no MAC another function uses now)
      spec += "=" + SettingValue(sel, g_avoid_mac_dup ? (v | 0x80) : v);
    }
  }
  char err[256] = {};
  const bool ok = snic_core_apply_vf_spec(core_, setting.c_str(), spec.c_str(),
                                          err, sizeof(err));
  Trace("  apply_vf_spec %s \"%s\" -> %s %s\n", setting.c_str(), spec.c_str(),
        ok ? "ok" : "refused", err);
  if (!ok && err[0] == 0) Violation("apply_vf_spec failed without a message");
  ReadPolicies();
}

void Env::UplinkFrame(uint8_t dsel, uint8_t vsel, uint16_t lsel, uint8_t mode) {
  const Mac dst = PickMac(dsel);
  const Mac src = {0x52, 0x54, 0x00, 0xaa, 0xbb, static_cast<uint8_t>(0xc0 | (mode & 7))};
  uint16_t tpid = 0, tci = 0;
  switch (vsel % 6) {
    case 3: tpid = 0x8100; tci = static_cast<uint16_t>(pol_[(vsel >> 3) % total_vfs_].vlan | (vsel >> 5) << 13); break;
    case 4: tpid = 0x8100; tci = static_cast<uint16_t>(vsel >> 3); break;
    case 5: tpid = 0x88a8; tci = 10; break;
    default: break;
  }
  uint32_t len;
  switch (lsel % 8) {
    case 0: len = lsel >> 3 & 15; break;
    case 5: len = 1514; break;
    case 6: len = 65554 + (lsel >> 3 & 1); break;
    case 7: len = 9014; break;
    default: len = 60 + (lsel >> 3) % 1455; break;
  }
  uint32_t seq = 0;
  std::vector<uint8_t> f = BuildFrame(dst, src, tpid, tci, len, kUplinkSender, &seq);
  Trace("  uplink frame seq %u len %u dst %s tpid 0x%x tci 0x%x mode %u (can_receive %d)\n",
        seq, len, MacStr(dst.data()).c_str(), tpid, tci, mode,
        snic_core_uplink_can_receive(core_));
  if (mode & 0x10) {
    // Regardless of can_receive (a flush does that), but through QEMU's
    // receive_disabled gate.
    if (!link_up_ || (f.empty() && g_avoid_empty_frame)) return;
    if (receive_disabled_ || delivering_) {
      qemu_queue_.push_back({std::move(f), false});
      return;
    }
    delivering_ = true;
    const size_t r = ReceiveGuarded(f.data(), f.size());
    delivering_ = false;
    if (r == 0) {
      receive_disabled_ = true;
      qemu_queue_.push_back({std::move(f), false});
      return;
    }
    // As QEMU goes on (qemu_net_queue_send's flush, or the flush loop it
    // is in): frames queued during the delivery (another device's answer
    // to our DMA) are delivered next.
    QemuFlush();
    return;
  }
  QemuSend(std::move(f));
}

// ---- migration and announce -----------------------------------------------------

// During snic_core_announce every uplink frame is a RARP (ethertype
// 0x8035) from a running function that is not link-disabled, in its port
// VLAN, at most one per function.
void Env::CheckAnnounceFrame(const uint8_t* f, size_t l) {
  if (l < 14) Violation("announce sent a %zu-byte frame", l);
  uint16_t et = static_cast<uint16_t>(f[12] << 8 | f[13]);
  uint16_t tci = 0;
  bool tagged = false;
  if (et == 0x8100 && l >= 18) {
    tagged = true;
    tci = static_cast<uint16_t>(f[14] << 8 | f[15]);
    et = static_cast<uint16_t>(f[16] << 8 | f[17]);
  }
  if (et != 0x8035) Violation("announce sent ethertype 0x%04x, not RARP", et);
  int who = -1;
  for (uint16_t fn = 0; fn < nfns_; ++fn) {
    if (Enabled(fn) && std::memcmp(f + 6, cache_[fn].mac.data(), 6) == 0) who = fn;
  }
  if (who < 0) Violation("announce sent a RARP from %s, no function's MAC", MacStr(f + 6).c_str());
  if (announced_[who]) Violation("announce sent two RARPs for fn %d", who);
  announced_[who] = true;
  if (who > 0) {
    const SnicVfPolicy& p = pol_[who - 1];
    if (p.link_state == SNIC_LINK_DISABLE) {
      Violation("announce sent a RARP for VF %d, whose link-state is disable", who - 1);
    }
    const uint16_t want = static_cast<uint16_t>(p.qos << 13 | p.vlan);
    if ((p.vlan != 0) != tagged || (tagged && tci != want)) {
      Violation("announce RARP of VF %d (vlan %u qos %u) went out %s tci 0x%04x", who - 1,
                p.vlan, p.qos, tagged ? "tagged" : "untagged", tci);
    }
  } else if (tagged) {
    Violation("announce RARP of the PF went out tagged");
  }
}

void Env::Migrate(uint8_t mode) {
  const bool was = vm_running_;
  if (was) VmStop();
  uint8_t* buf = nullptr;
  const size_t len = snic_core_save_state(core_, &buf);
  if (len == 0 || buf == nullptr) Violation("save_state returned nothing");
  std::vector<uint8_t> saved(buf, buf + len);
  std::free(buf);
  std::vector<uint8_t> load = saved;
  bool mutated = false;
  if (mode % 4 == 1) {
    const uint8_t n = in_.u8();
    for (uint8_t i = 0; i < n % 9; ++i) {
      const uint16_t pos = in_.u16();
      const uint8_t x = in_.u8();
      if (!load.empty()) load[pos % load.size()] ^= x;
    }
    mutated = n % 9 != 0;
  } else if (mode % 4 == 2) {
    load.resize(in_.u16() % (load.size() + 1));
    mutated = load.size() != saved.size();
  } else if (mode % 4 == 3) {
    const std::vector<uint8_t> tail = in_.bytes(in_.u8());
    load.insert(load.end(), tail.begin(), tail.end());
    mutated = !tail.empty();
  }
  char err[256] = {};
  const bool ok = snic_core_load_state(core_, load.data(), load.size(), err, sizeof(err));
  Trace("  migrate mode %u: %zu-byte state, load of %zu bytes -> %s %s\n", mode % 4,
        saved.size(), load.size(), ok ? "ok" : "refused", err);
  if (!ok && err[0] == 0) Violation("load_state failed without a message");
  if (!mutated && !ok) Violation("load_state refused the state just saved: %s", err);
  buf = nullptr;
  const size_t len2 = snic_core_save_state(core_, &buf);
  std::vector<uint8_t> again(buf, buf + len2);
  std::free(buf);
  if ((!ok || !mutated) && again != saved) {
    Violation("save/load not identity: %s load, the state saved again differs "
              "(%zu vs %zu bytes)",
              ok ? "a successful round-trip" : "a refused", again.size(), saved.size());
  }
  if (ok && mutated) {
    // Another state: the driver model no longer knows the rings, counters
    // start from what was loaded, PCI state is pushed back in by the glue.
    for (uint16_t f = 0; f < nfns_; ++f) {
      drv_[f].tainted = drv_[f].managed;
      dirty_[f] = true;
    }
    num_vfs_ = snic_core_num_vfs(core_);
    for (uint16_t f = 0; f < nfns_; ++f) {
      snic_core_get_stats(core_, f, &stats_[f]);
    }
    snic_core_get_uplink_stats(core_, &ustats_);
    ReadPolicies();
  }
  // The glue re-syncs Bus Master Enable from config space.
  for (uint16_t f = 0; f < nfns_; ++f) {
    if (Enabled(f)) snic_core_set_bus_master(core_, f, bme_[f]);
  }
  if (was) {
    vm_running_ = true;
    snic_core_set_running(core_, true);
  }
}

// ---- operations -----------------------------------------------------------------

void Env::RunLoop() {
  const unsigned re0 = reentries_;
  std::fill(written_.begin(), written_.end(), 0);
  self_fed_ = false;
  in_run_loop_ = true;
  unsigned calls = 0;
  run_scheduled_ = false;
  Engaged g(*this);
  while (snic_core_run(core_)) {
    run_scheduled_ = false;
    calls++;
    const unsigned limit = 4 + 2u * nfns_ + 2 * (reentries_ - re0);
    if (calls > limit) {
      if (self_fed_ || calls > 2000) break;
      in_run_loop_ = false;
      Violation("snic_core_run still returns true after %u calls with no new "
                "input, a frozen clock and no DMA feeding the device its own "
                "output",
                calls);
    }
  }
  in_run_loop_ = false;
  Trace("      run: %u more call(s)%s\n", calls, self_fed_ ? " (self-fed)" : "");
}

void Env::Step(uint8_t op) {
  // (Operations read all their arguments first, so that an input decodes
  // the same whatever they then do.)
  switch (op) {
    case kMmioRead:
    case kMmioWrite: {
      const uint16_t fn = static_cast<uint16_t>(in_.u8() % (nfns_ + 1u));
      const uint8_t rsel = in_.u8();
      const uint16_t off = in_.u16();
      const uint8_t ssel = in_.u8();
      const uint64_t v = op == kMmioWrite ? in_.u64() : 0;
      static constexpr unsigned kSizes[4] = {1, 2, 4, 8};
      const unsigned size = ssel >= 0xf0 ? (ssel & 15u) : kSizes[ssel % 4];
      const uint32_t r = rsel % 7;
      // (stopped-mmio: vCPUs do not run while the VM is stopped)
      if (op == kMmioWrite && !vm_running_ && g_avoid_stopped_mmio) break;
      if (r >= 4 && r <= 5) {
        // QEMU's MSI-X table / PBA of that BAR (not the core)
        const uint64_t base = r == 4 ? layout_->msix_table_offset : layout_->msix_pba_offset;
        uint8_t b[8] = {};
        std::memcpy(b, &v, 8);
        if (size >= 1 && size <= 8 && fn < nfns_) {
          (void)BarAccess(kBarBase + uint64_t{fn} * layout_->bar_size + base + off % 72, b,
                          size, op == kMmioWrite, false);
        }
        Trace("  msix-area %s fn %u off 0x%x size %u\n", op == kMmioWrite ? "write" : "read", fn, off % 72, size);
        break;
      }
      const uint32_t region = r == 6 ? (rsel >> 3) % 3 + 4 : r;
      const uint64_t rsize = region < layout_->num_regions ? layout_->regions[region].size : 64;
      const uint64_t offset = off % (rsize + 16);
      uint64_t out = 0;
      bool ok;
      if (op == kMmioWrite) {
        if (fn < nfns_ && region == kRegCommon) {
          if (drv_[fn].managed && !drv_[fn].tainted) Trace("      (fn %u tainted)\n", fn);
          drv_[fn].tainted = drv_[fn].managed;
          dirty_[fn] = true;
        }
        Engaged g(*this);
        // (status-bits: no undefined device_status bits)
        const uint64_t wv =
            g_avoid_status_bits && region == kRegCommon && offset == 0x14 ? v & ~0x30ull : v;
        ok = snic_core_mmio_write(core_, fn, region, offset, wv, size);
      } else {
        Engaged g(*this);
        ok = snic_core_mmio_read(core_, fn, region, offset, size, &out);
      }
      Trace("  mmio %s fn %u region %u off 0x%llx size %u value 0x%llx\n",
            op == kMmioWrite ? "write" : "read", fn, region,
            static_cast<unsigned long long>(offset), size,
            static_cast<unsigned long long>(op == kMmioWrite ? v : out));
      if (!ok) Violation("a top-level MMIO access was refused");
      break;
    }
    case kMmioRaw: {
      const uint16_t fn = in_.u8();
      const uint32_t region = in_.u32();
      const uint64_t off = in_.u64();
      const unsigned size = in_.u8();
      const uint64_t v = in_.u64();
      const bool w = in_.u8() & 1;
      if (w && !vm_running_ && g_avoid_stopped_mmio) break;
      uint64_t out = 0;
      Trace("  mmio raw %s fn %u region %u off 0x%llx size %u\n", w ? "write" : "read", fn, region,
            static_cast<unsigned long long>(off), size);
      if (w && fn < nfns_) {
        drv_[fn].tainted = drv_[fn].managed;
        dirty_[fn] = true;
      }
      Engaged g(*this);
      const uint64_t wv = g_avoid_status_bits && region == kRegCommon && off == 0x14 ? v & ~0x30ull : v;
      const bool ok = w ? snic_core_mmio_write(core_, fn, region, off, wv, size)
                        : snic_core_mmio_read(core_, fn, region, off, size, &out);
      if (!ok) Violation("a top-level MMIO access was refused");
      break;
    }
    case kDriverInit: {
      const uint16_t fn = static_cast<uint16_t>(in_.u8() % nfns_);
      const uint8_t v = in_.u8(), q = in_.u8(), rx = in_.u8();
      DriverInit(fn, v, q, rx);
      break;
    }
    case kPostRx: {
      const uint16_t fn = static_cast<uint16_t>(in_.u8() % nfns_);
      const uint8_t c = in_.u8(), m = in_.u8();
      PostRx(fn, c, m);
      break;
    }
    case kSend: {
      const uint16_t fn = static_cast<uint16_t>(in_.u8() % nfns_);
      const uint8_t dsel = in_.u8(), ssel = in_.u8(), vsel = in_.u8();
      const uint16_t lsel = in_.u16();
      const uint8_t mode = in_.u8();
      Send(fn, dsel, ssel, vsel, lsel, mode);
      break;
    }
    case kControl: {
      const uint16_t fn = static_cast<uint16_t>(in_.u8() % nfns_);
      const uint8_t k = in_.u8(), a = in_.u8(), b = in_.u8();
      Control(fn, k, a, b);
      break;
    }
    case kKick: {
      const uint16_t fn = static_cast<uint16_t>(in_.u8() % (nfns_ + 1u));
      const uint8_t q = in_.u8();
      if (!vm_running_ && g_avoid_stopped_mmio) break;
      Trace("  kick fn %u queue %u\n", fn, q % 4);
      Engaged g(*this);
      snic_core_mmio_write(core_, fn, kRegNotify, uint64_t{q % 4u} * layout_->notify_off_multiplier, q % 4u, 2);
      break;
    }
    case kSetNumVfs: {
      const uint16_t n = static_cast<uint16_t>(in_.u8() % (total_vfs_ + 2u));
      const uint16_t next = n > total_vfs_ ? 0 : n;
      Trace("  set_num_vfs %u\n", n);
      const uint16_t keep = std::min(num_vfs_, next);
      for (uint16_t vf = 0; vf < total_vfs_; ++vf) {
        const bool was = vf < num_vfs_, will = vf < next;
        if (was != will) {
          bme_[1 + vf] = false;
          msix_on_[1 + vf] = false;
          msix_[1 + vf] = {};
          drv_[1 + vf].managed = false;
          dma_blocked_[1 + vf] = false;
        }
      }
      num_vfs_ = keep;  // during the call: only VFs that stay enabled
      snic_core_set_num_vfs(core_, n);
      num_vfs_ = next;
      for (uint16_t f = 1; f < nfns_; ++f) dirty_[f] = true;
      break;
    }
    case kBusMaster: {
      const uint16_t fn = static_cast<uint16_t>(in_.u8() % (nfns_ + 1u));
      const bool on = in_.u8() & 1;
      if (!vm_running_ && g_avoid_stopped_mmio) break;
      Trace("  bus master fn %u %s\n", fn, on ? "on" : "off");
      Bme(fn, on);
      break;
    }
    case kReset: {
      const uint16_t fn = static_cast<uint16_t>(in_.u8() % (nfns_ + 1u));
      Trace("  FLR fn %u\n", fn);
      if (fn < nfns_) {
        bme_[fn] = false;
        msix_on_[fn] = false;
        msix_[fn] = {};
        drv_[fn].managed = false;
        dirty_[fn] = true;
      }
      snic_core_reset_function(core_, fn);
      break;
    }
    case kUplinkFrame: {
      const uint8_t dsel = in_.u8(), vsel = in_.u8();
      const uint16_t lsel = in_.u16();
      const uint8_t mode = in_.u8();
      UplinkFrame(dsel, vsel, lsel, mode);
      break;
    }
    case kUplinkRaw: {
      const uint8_t mode = in_.u8();
      const uint8_t n = in_.u8();
      std::vector<uint8_t> f = in_.bytes(n);
      for (size_t i = 0; i + 4 <= f.size(); ++i) {
        if (std::memcmp(f.data() + i, kMagic, 4) == 0) f[i] = 'X';
      }
      Trace("  uplink raw %zu bytes mode %u\n", f.size(), mode);
      if (f.empty() && g_avoid_empty_frame) break;
      if (mode & 1) {
        // off-contract: straight into receive, whatever QEMU's state
        raw_uplink_used_ = true;
        delivering_ = true;
        const size_t r = ReceiveGuarded(f.data(), f.size());
        delivering_ = false;
        if (r != 0 && r != std::max<size_t>(f.size(), 1)) Violation("uplink_receive returned %zu", r);
      } else {
        QemuSend(std::move(f));
      }
      break;
    }
    case kFlush:
      Trace("  netdev flush\n");
      QemuFlush();
      break;
    case kSendDone: {
      const uint8_t m = in_.u8();
      Trace("  send_done%s\n", send_pending_ ? "" : " (nothing queued)");
      if (send_pending_) {
        CompleteSend();
      } else if (m == 0xff) {
        snic_core_uplink_send_done(core_);  // spurious (off-contract)
      }
      break;
    }
    case kUplinkMode:
      accept_mode_ = in_.u8();
      Trace("  uplink accept mode %u\n", accept_mode_ % 4);
      break;
    case kVfSetting: {
      const uint8_t vf = in_.u8(), s = in_.u8(), v = in_.u8();
      VfSetting(vf, s, v);
      break;
    }
    case kVfSpec: {
      const uint8_t s = in_.u8(), n = in_.u8();
      VfSpec(s, n);
      break;
    }
    case kVfPolicy: {
      const uint8_t vf = in_.u8(), msel = in_.u8();
      const uint16_t vlan = in_.u16();
      const uint8_t qos = in_.u8(), fl = in_.u8();
      const uint32_t rate = in_.u32();
      SnicVfPolicy p{};
      const uint16_t v = vf % (total_vfs_ + 1u);
      if (v < total_vfs_) p = pol_[v];
      if (msel & 1) {
        const Mac m = PickMac(static_cast<uint8_t>(msel >> 1 | 3));
        std::memcpy(p.mac, m.data(), 6);
      }
      if (fl & 1) p.vlan = vlan % 4097;
      if (fl & 2) p.qos = qos % 9;
      if (fl & 4) p.spoofchk = fl & 8;
      if (fl & 16) p.trust = fl & 32;
      if (fl & 64) p.link_state = static_cast<uint8_t>(qos >> 4) % 4;
      if (fl & 128) p.max_tx_rate = rate % 3 == 0 ? rate % 1000 : rate % 500000;
      char err[256] = {};
      const bool ok = snic_core_set_vf_policy(core_, v, &p, err, sizeof(err));
      Trace("  set_vf_policy vf %u mac %s vlan %u qos %u spoof %d trust %d link %u rate %u -> %s %s\n",
            v, MacStr(p.mac).c_str(), p.vlan, p.qos, p.spoofchk, p.trust, p.link_state,
            p.max_tx_rate, ok ? "ok" : "refused", err);
      if (!ok && err[0] == 0) Violation("set_vf_policy failed without a message");
      ReadPolicies();
      break;
    }
    case kTimer:
    case kClock: {
      static constexpr uint64_t kDeltas[16] = {
          0,          1000,       100000,     1000000,
          5000000,    9999999,    10000000,   10000001,
          11000000,   20000000,   100000000,  1000000000,
          10000000000ull, 3, 50000000, 2000000};
      const uint8_t ds = in_.u8();
      const uint8_t mode = op == kTimer ? in_.u8() : 0;
      if (!vm_running_) break;  // QEMU_CLOCK_VIRTUAL stands still
      now_ += kDeltas[ds % 16];
      if (op == kClock) {
        Trace("  clock +%llu\n", static_cast<unsigned long long>(kDeltas[ds % 16]));
        break;
      }
      if (mode % 8 == 1 && timer_armed_) now_ = std::max(now_, deadline_);
      const bool due = timer_armed_ && now_ >= deadline_;
      Trace("  timer +%llu (%s)\n", static_cast<unsigned long long>(kDeltas[ds % 16]),
            due ? "due" : mode % 8 == 7 ? "spurious" : "not due");
      if (due || mode % 8 == 7) FireTimer();
      break;
    }
    case kRun:
      Trace("  run\n");
      RunLoop();
      break;
    case kLink: {
      const bool up = in_.u8() & 1;
      Trace("  uplink link %s\n", up ? "up" : "down");
      link_up_ = up;
      snic_core_set_uplink_link(core_, up);
      break;
    }
    case kMsixOn: {
      const uint16_t fn = static_cast<uint16_t>(in_.u8() % nfns_);
      msix_on_[fn] = in_.u8() & 1;
      Trace("  msix enable fn %u = %d\n", fn, static_cast<int>(msix_on_[fn]));
      break;
    }
    case kDmaBlock: {
      const uint16_t fn = static_cast<uint16_t>(in_.u8() % nfns_);
      const uint8_t m = in_.u8() % 6;
      dma_blocked_[fn] = m != 0;
      dma_mode_[fn] = m;
      dma_countdown_[fn] = m >= 4 ? in_.u8() : -1;
      Trace("  dma faults fn %u mode %u countdown %d\n", fn, m, dma_countdown_[fn]);
      break;
    }
    case kRunState: {
      const bool on = in_.u8() & 1;
      Trace("  vm %s\n", on ? "runs" : "stops");
      if (!on) {
        VmStop();
        break;
      }
      vm_running_ = true;
      snic_core_set_running(core_, true);
      {
        // QEMU's net_vm_change_state_handler flushes the NIC's queue
        if (snic_core_uplink_can_receive(core_)) QemuFlush();
      }
      break;
    }
    case kMigrate:
      Migrate(in_.u8());
      break;
    case kAnnounce:
      Trace("  announce\n");
      if (g_avoid_announce_link &&
          std::any_of(pol_.begin(), pol_.end(), [](const SnicVfPolicy& p) {
            return p.link_state == SNIC_LINK_DISABLE;
          })) {
        break;  // (announce-link: not while a VF is link-disabled)
      }
      announced_.assign(nfns_, false);
      in_announce_ = true;
      snic_core_announce(core_);
      in_announce_ = false;
      break;
    case kSendOffload:
    case kUplinkOffload: {
      const uint8_t fn = op == kSendOffload ? in_.u8() : 0;
      const uint8_t dsel = in_.u8(), vsel = in_.u8();
      const uint16_t lsel = in_.u16();
      const uint8_t kind = in_.u8();
      const uint16_t mss = in_.u16();
      const uint8_t fuzz = in_.u8();
      const uint16_t fval = in_.u16();
      if (op == kSendOffload) {
        SendOffload(static_cast<uint16_t>(fn % nfns_), dsel, vsel, lsel, kind,
                    mss, fuzz, fval);
      } else {
        UplinkOffload(dsel, vsel, lsel, kind, mss, fuzz, fval);
      }
      break;
    }
    case kQueueHack: {
      const uint16_t fn = static_cast<uint16_t>(in_.u8() % nfns_);
      const uint8_t q = in_.u8(), ring = in_.u8(), where = in_.u8();
      const uint32_t addr = in_.u32();
      const uint8_t flags = in_.u8();
      QueueHack(fn, q, ring, where, addr, flags);
      break;
    }
    case kMemWrite: {
      const uint8_t where = in_.u8();
      const uint32_t av = in_.u32();
      const uint8_t n = in_.u8();
      const std::vector<uint8_t> b = in_.bytes(n % 65);
      const uint64_t a = PickAddr(where, av);
      Trace("  memwrite 0x%llx %zu bytes\n", static_cast<unsigned long long>(a), b.size());
      if (ram_.Contains(a, b.size()) && a >= kScratch) {
        ram_.Put(a, b.data(), b.size());
        Taint(a, b.size(), -1);
      }
      break;
    }
    case kRingHack: {
      const uint16_t fn = static_cast<uint16_t>(in_.u8() % nfns_);
      const uint8_t qsel = in_.u8(), what = in_.u8();
      const uint16_t idx = in_.u16();
      const uint8_t where = in_.u8();
      const uint32_t av = in_.u32(), len = in_.u32();
      const uint16_t flags = in_.u16(), next = in_.u16();
      Drv& d = drv_[fn];
      DQ& q = d.q[qsel % 3];
      if (q.size == 0) break;
      d.tainted = d.managed;
      const uint64_t addr = PickAddr(where, av);
      Trace("  ring hack fn %u q %u what %u idx %u addr 0x%llx len %u flags 0x%x next %u\n",
            fn, qsel % 3, what % 6, idx, static_cast<unsigned long long>(addr), len, flags, next);
      switch (what % 6) {
        case 0: WriteDesc(q.desc, idx % q.size, addr, len, flags, next); break;
        case 1:  // publish a head
          ram_.PutLe<uint16_t>(q.avail + 4 + 2ull * (q.avail_idx % q.size), idx);
          q.avail_idx++;
          ram_.PutLe<uint16_t>(q.avail + 2, q.avail_idx);
          break;
        case 2: q.avail_idx = idx; ram_.PutLe<uint16_t>(q.avail + 2, idx); break;
        case 3: ram_.PutLe<uint16_t>(q.avail, idx); break;                     // avail flags
        case 4: ram_.PutLe<uint16_t>(q.avail + 4 + 2ull * q.size, idx); break;  // used_event
        default:  // a descriptor of an indirect table
          WriteDesc(q.aux + (idx % q.size) * uint64_t{kAux}, (idx >> 8) % 8, addr, len, flags, next);
          break;
      }
      break;
    }
    case kMsixEntry: {
      const uint16_t fn = static_cast<uint16_t>(in_.u8() % nfns_);
      const uint8_t v = in_.u8(), t = in_.u8();
      const uint32_t av = in_.u32(), data = in_.u32();
      MsixEntry& e = msix_[fn][v % layout_->msix_vectors];
      switch (t % 4) {
        case 0: e = MsixEntry{kApic, data, false, false}; break;
        case 1: e.addr = PickAddr(2 | (t & 0xf8), av); e.data = data; e.masked = false; break;
        case 2: e.masked = !e.masked; break;
        default: e.addr = kForeignBase; e.masked = false; break;
      }
      Trace("  msix entry fn %u vector %u -> 0x%llx data 0x%x masked %d\n", fn,
            v % layout_->msix_vectors, static_cast<unsigned long long>(e.addr), e.data,
            static_cast<int>(e.masked));
      break;
    }
    case kSyncAnswer:
      sync_answer_ = in_.u8();
      Trace("  netdev answers synchronously: 0x%x\n", sync_answer_ & 15);
      break;
    case kGetters: {
      const uint16_t fn = in_.u8();
      const uint8_t s = in_.u8();
      SnicStats st;
      const bool ok = snic_core_get_stats(core_, fn, &st);
      if (ok != (fn < nfns_)) Violation("get_stats(%u) returned %d", fn, ok);
      if (!ok) {
        const uint64_t* p = reinterpret_cast<const uint64_t*>(&st);
        for (size_t i = 0; i < sizeof(st) / 8; ++i) {
          if (p[i] != 0) Violation("get_stats(%u) failed but did not zero", fn);
        }
      }
      if (snic_core_function_enabled(core_, fn) != (fn < nfns_ && Enabled(fn))) {
        Violation("function_enabled(%u) disagrees", fn);
      }
      char buf[64];
      const std::string name = (s & 0x80) ? FuzzString(12) : kSettingNames[s % 7];
      const bool g = snic_core_get_vf_setting(core_, static_cast<uint16_t>(fn % (total_vfs_ + 1u)),
                                              name.c_str(), buf, (s & 0x40) ? 3 : sizeof(buf));
      if (std::memchr(buf, 0, (s & 0x40) ? 3 : sizeof(buf)) == nullptr) {
        Violation("get_vf_setting left no NUL in the buffer");
      }
      (void)g;
      SnicVfPolicy p;
      if (snic_core_get_vf_policy(core_, fn, &p) != (fn < total_vfs_)) {
        Violation("get_vf_policy(%u) disagrees with total_vfs", fn);
      }
      Trace("  getters fn %u\n", fn);
      break;
    }
    default:
      break;
  }
}

// ---- the drain --------------------------------------------------------------------

void Env::Drain() {
  g_op_index = 100000;
  Trace("drain\n");
  draining_ = true;
  BeginOp();
  if (!vm_running_) {
    vm_running_ = true;
    snic_core_set_running(core_, true);
  }
  accept_mode_ = 0;
  CompleteSend();
  // A driver with frames queued rings its TX doorbell.
  for (uint16_t f = 0; f < nfns_; ++f) {
    if (drv_[f].clean() && drv_[f].q[1].live && cache_[f].q[1].enabled) Kick(f, 1);
  }
  EndOp();
  unsigned round = 0, idle_rounds = 0;
  const unsigned max_rounds = 4000;
  for (;;) {
    BeginOp();
    run_scheduled_ = false;
    bool worked;
    {
      Engaged g(*this);
      worked = snic_core_run(core_);
    }
    if (worked) RunLoop();
    const bool fired = timer_armed_;
    if (timer_armed_) {
      now_ = std::max(now_, deadline_);
      FireTimer();
    }
    EndOp();
    g_op_index++;
    if (!fired && !run_scheduled_ && !timer_armed_) break;
    // A bottom half that asks to run again and again with nothing to do
    // (and no timer) would spin QEMU's main loop.
    idle_rounds = (!worked && !fired) ? idle_rounds + 1 : 0;
    if (idle_rounds > 16) {
      Violation("schedule_run requested again and again with no TX work "
                "and no timer");
    }
    if (++round >= max_rounds) {
      Violation("the drain did not settle in %u rounds (a hold or a timer "
                "that never ends)",
                max_rounds);
    }
  }
  // Nothing is held forever.
  if (!snic_core_uplink_can_receive(core_)) {
    Violation("after the drain the uplink still cannot receive (a frame held "
              "with no timer armed)");
  }
  if (send_pending_) Violation("after the drain a send is still pending");
  if (!raw_uplink_used_ && !qemu_queue_.empty() && link_up_) {
    Violation("after the drain %zu frame(s) are still queued in QEMU for the "
              "NIC (receive_disabled %d): the core never flushed them",
              qemu_queue_.size(), static_cast<int>(receive_disabled_));
  }
  for (uint16_t f = 0; f < nfns_; ++f) {
    const Drv& d = drv_[f];
    if (!d.clean() || !d.q[1].live || !cache_[f].q[1].enabled) continue;
    if (!cache_[f].ready() || !bme_[f] || !Enabled(f) || dma_blocked_[f]) continue;
    const uint16_t used = ram_.GetLe<uint16_t>(d.q[1].used + 2);
    if (used != d.q[1].avail_idx) {
      Violation("after the drain fn %u (running) still has %u TX chain(s) "
                "not consumed",
                f, static_cast<uint16_t>(d.q[1].avail_idx - used));
    }
  }
}

}  // namespace
}  // namespace snic::fuzz

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  snic::fuzz_host::g_trace = std::getenv("SNIC_FUZZ_TRACE") != nullptr;
  snic::fuzz::g_strict = std::getenv("SNIC_FUZZ_STRICT") != nullptr;
  if (const char* a = std::getenv("SNIC_FUZZ_AVOID")) {
    const std::string s = a;
    snic::fuzz::g_avoid_empty_frame = s.find("empty-frame") != std::string::npos;
    snic::fuzz::g_avoid_mac_dup = s.find("mac-dup") != std::string::npos;
    snic::fuzz::g_avoid_nested_ctl = s.find("nested-ctl") != std::string::npos;
    snic::fuzz::g_avoid_announce_link = s.find("announce-link") != std::string::npos;
    snic::fuzz::g_avoid_stopped_mmio = s.find("stopped-mmio") != std::string::npos;
    snic::fuzz::g_avoid_status_bits = s.find("status-bits") != std::string::npos;
  }
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 8) return 0;
  snic::fuzz::Env env(data, size);
  env.Main();
  return 0;
}
