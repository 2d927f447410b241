// The byte format of a core_fuzz input, shared by the fuzz target
// (core_fuzz.cc, the decoder) and the seed generator (seedgen.cc, the
// encoder). Lives in tests/ only.
//
// An input is an 8-byte header, then operations until the input ends:
// one opcode byte (taken modulo kNumOps) and its argument bytes, read in
// order from the front. Reading past the end gives zeros, so every prefix
// of an input is an input. After the last operation the target runs a
// drain phase (no new input, the clock advancing to each armed deadline)
// and checks that everything held was delivered or dropped.
//
// Header:
//   [0] total_vfs = 4 + b % 5                (4..8)
//   [1] bits 0-2: device queue_size index     (kQueueSizes)
//       bits 3-5: kStartInit's driver offloads (kDriverInit rx bits 5-7)
//       bit 6: the uplink has a vnet header (bit 7: with USO)
//   [2] mtu index                             (kMtus)
//   [3] guest RAM = 256 KiB * (1 + b % 4)
//   [4] RAM fill seed (0: zeros, else xorshift garbage)
//   [5] start flags (kStart*)
//   [6] last byte of the PF MAC
//   [7] driver variant used by kStartInit (see kDriverInit)
//
// SPDX-License-Identifier: GPL-2.0-or-later
#ifndef SNIC_TESTS_FUZZ_FUZZ_FORMAT_H
#define SNIC_TESTS_FUZZ_FUZZ_FORMAT_H

#include <cstdint>
#include <string>
#include <vector>

namespace snic::fuzz {

inline constexpr uint16_t kQueueSizes[8] = {256, 64, 128, 32, 16, 8, 256, 4};
inline constexpr uint16_t kMtus[5] = {1500, 9000, 68, 1280, 65535};

enum StartFlags : uint8_t {
  kStartEnableVfs = 1,   // set_num_vfs(total_vfs)
  kStartInit = 2,        // well-formed driver init of every enabled function
  kStartPostRx = 4,      // ... and RX buffers posted on each
  kStartNoMsix = 8,      // MSI-X disabled everywhere (INTx for the PF)
  kStartUplinkBusy = 16, // the netdev queues every other frame
};

// Opcodes. Arguments in order; "fn" is one byte (modulo functions + 1 for
// ABI calls, so one invalid function is reachable; modulo functions for
// driver-model operations).
enum Op : uint8_t {
  kMmioRead,      // fn region(u8) offset(u16) size(u8)
  kMmioWrite,     // fn region(u8) offset(u16) size(u8) value(u64)
  kMmioRaw,       // fn region(u32) offset(u64) size(u8) value(u64) write(u8)
  kDriverInit,    // fn variant(u8) qsize(u8) rx(u8)
  kPostRx,        // fn count(u8) mode(u8)
  kSend,          // fn dst(u8) src(u8) vlan(u8) len(u16) mode(u8)
  kControl,       // fn kind(u8) a(u8) b(u8)
  kKick,          // fn queue(u8)
  kSetNumVfs,     // n(u8)
  kBusMaster,     // fn on(u8)
  kReset,         // fn
  kUplinkFrame,   // dst(u8) vlan(u8) len(u16) mode(u8)
  kUplinkRaw,     // mode(u8) n(u8) bytes[n]
  kFlush,         //
  kSendDone,      // mode(u8)
  kUplinkMode,    // mode(u8)
  kVfSetting,     // vf(u8) setting(u8) value(u8) [n(u8) bytes[n] if raw]
  kVfSpec,        // setting(u8) n(u8) then n x (who(u8) value(u8)), or raw
  kVfPolicy,      // vf(u8) mac(u8) vlan(u16) qos(u8) flags(u8) rate(u32)
  kTimer,         // delta(u8) mode(u8)
  kClock,         // delta(u8)
  kRun,           //
  kLink,          // up(u8)
  kMsixOn,        // fn on(u8)
  kDmaBlock,      // fn on(u8)
  kMemWrite,      // where(u8) addr(u32) n(u8) bytes[n]
  kRingHack,      // fn queue(u8) what(u8) index(u16) where(u8) addr(u32)
                  //   len(u32) flags(u16) next(u16)
  kMsixEntry,     // fn vector(u8) target(u8) addr(u32) data(u32)
  kSyncAnswer,    // mode(u8)
  kGetters,       // fn setting(u8)
  kQueueHack,     // fn queue(u8) ring(u8) where(u8) addr(u32) flags(u8):
                  //   re-probe with one ring address hostile (kQhack*)
  kRunState,      // running(u8): the VM stops or runs (snic_core_set_running)
  kMigrate,       // mode(u8) [n(u8) then n x (pos(u16) xor(u8))]: save and
                  //   load back (mode 0), a mutated or truncated stream (1)
  kAnnounce,      //
  kSendOffload,   // fn dst(u8) vlan(u8) len(u16) kind(u8) mss(u16) fuzz(u8)
                  //   fval(u16): a TCP/UDP frame with a virtio_net_hdr
  kUplinkOffload, // dst(u8) vlan(u8) len(u16) kind(u8) mss(u16) fuzz(u8)
                  //   fval(u16): the same from the uplink (with its header
                  //   on a vnet-header uplink)
  kNumOps,
};

// Driver variant bits (kDriverInit.variant, header[7]).
enum DriverVariant : uint8_t {
  kVarNoMrg = 1,        // without VIRTIO_NET_F_MRG_RXBUF
  kVarNoEventIdx = 2,   // without VIRTIO_F_RING_EVENT_IDX
  kVarNoIndirect = 4,   // without VIRTIO_F_RING_INDIRECT_DESC
  kVarNoCtrl = 8,       // without CTRL_VQ (and the CTRL_* that need it)
  kVarWide = 16,        // 8-byte writes of the 64-bit queue addresses
  kVarNoCtrlQueue = 32, // leave the control queue disabled
  kVarNoDriverOk = 64,  // stop before DRIVER_OK
  kVarNoBme = 128,      // leave Bus Master Enable off
};

// kDriverInit.rx bit 5 (header[1] bit 3): negotiate the offloads; bits 6-7
// (header[1] bits 4-5) say which.
enum OffloadVariant : uint8_t {
  kOffloadAll = 0,       // CSUM, GUEST_CSUM, CTRL_GUEST_OFFLOADS, TSO/ECN/USO
  kOffloadHostOnly = 1,  // the HOST_* (transmit) ones only
  kOffloadCsumOnly = 2,  // CSUM and GUEST_CSUM (and CTRL_GUEST_OFFLOADS)
  kOffloadNoEcnUso = 3,  // all but ECN and USO
};
inline constexpr uint8_t kRxOffloads = 0x20;

// kSendOffload / kUplinkOffload.kind bits.
enum L4Kind : uint8_t {
  kL4Ipv6 = 1,     // IPv6 (else IPv4)
  kL4Udp = 2,      // UDP (else TCP)
  kL4Gso = 4,      // TSO / USO (gso_type, gso_size)
  kL4Full = 8,     // no offload: the checksum is complete, no header flags
  kL4Ecn = 16,     // TCP CWR set, gso_type | ECN
  kL4FinPsh = 32,  // TCP FIN and PSH set
  kL4Split = 64,   // (TX) header and frame in separate descriptors
  kL4NoKick = 128, // (TX) never ring the doorbell
};
// kSendOffload.fuzz % 8: 0 honest header; 1 gso_size (fval & 3: 0, tiny,
// 0xffff, fval); 2 csum_start = fval; 3 csum_offset = fval; 4 gso_type =
// fval; 5 flags = fval; 6 hdr_len = fval; 7 the frame cut to fval bytes.
// kSendOffload.len: payload 9 + (len >> 2) % 200 / 4000 / 16000 (len % 4
// = 0 / 1 / 2), or 9 + (len >> 2) * 4 % 64500 (3).
// kSendOffload.mss: bit 15: gso_size 1 + mss % 128, else 64 + mss % 9000.
// kControl.kind >= 0xf0: CTRL_GUEST_OFFLOADS_SET, a bits 0-5 the GUEST_*
// offloads (CSUM, TSO4, TSO6, ECN, USO4, USO6), a bit 6: also bit b % 64;
// b bit 5: a 4-byte value, b bit 6: command 1 + (b & 1).

// kQueueHack.flags bits; bits 4-6: leave queue 0/1/2 disabled.
enum QueueHackFlags : uint8_t {
  kQhackMisalign = 1,   // add (addr >> 24) & 15 to the address
  kQhackNoDriverOk = 2,
};

// kDmaBlock.mode % 6: 0 none, 1 every DMA fails, 2 writes fail, 3 reads
// fail, 4/5: the next byte counts DMAs that still succeed, then all fail.

// kSend.mode bits.
enum SendMode : uint8_t {
  kSendSplitHdr = 1,    // header and frame in separate descriptors
  kSendIndirect = 2,    // one indirect descriptor
  kSendNoKick = 4,      // never ring the doorbell
  kSendForceKick = 8,   // ring it even if EVENT_IDX says no
  kSendBadHdr = 16,     // NEEDS_CSUM in the header (dropped as malformed)
  kSendSpoof = 32,      // source MAC not the function's own
};

// kPostRx.mode bits.
enum RxMode : uint8_t {
  kRxSplit = 1,     // two writable descriptors per buffer
  kRxIndirect = 2,  // through an indirect table
  kRxNoKick = 4,
};

// An encoder for seeds.
class Encoder {
 public:
  explicit Encoder(std::vector<uint8_t> header) : b_(std::move(header)) {}
  Encoder& op(Op o) { return u8(o); }
  Encoder& u8(unsigned v) {
    b_.push_back(static_cast<uint8_t>(v));
    return *this;
  }
  Encoder& u16(unsigned v) { return u8(v).u8(v >> 8); }
  Encoder& u32(uint32_t v) { return u16(v & 0xffff).u16(v >> 16); }
  Encoder& u64(uint64_t v) {
    return u32(static_cast<uint32_t>(v)).u32(static_cast<uint32_t>(v >> 32));
  }
  Encoder& bytes(const std::string& s) {
    for (char c : s) u8(static_cast<uint8_t>(c));
    return *this;
  }
  const std::vector<uint8_t>& data() const { return b_; }

 private:
  std::vector<uint8_t> b_;
};

}  // namespace snic::fuzz

#endif  // SNIC_TESTS_FUZZ_FUZZ_FORMAT_H
