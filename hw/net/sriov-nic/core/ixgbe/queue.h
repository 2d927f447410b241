// sriov-nic core: one 82599 transmit or receive queue: its ring registers
// and the engine that moves frames through its descriptors, shared by the
// PF and the VFs.
//
// Registers are addressed by their offset inside the queue's 0x40-byte
// block, the same for every mapping (ixgbe_type.h, ixgbevf/regs.h):
//   RX: PF 0x1000 + 0x40n (n < 64), 0xD000 + 0x40(n - 64); VF 0x1000 +
//       0x40n. BAL 0x00, BAH 0x04, LEN 0x08, SRRCTL 0x14 (the PF's
//       queues 0-15 also at 0x2100 + 4n), H 0x10, T 0x18, RXDCTL 0x28.
//   TX: PF 0x6000 + 0x40n; VF 0x2000 + 0x40n. BAL 0x00, BAH 0x04, LEN
//       0x08, H 0x10, T 0x18, TXDCTL 0x28, TDWBAL 0x38, TDWBAH 0x3C.
// The rest of a block (DCA, RSCCTL, the VF's statistics at 0x1C/0x20/...)
// belongs to the register file: Handles() says which offsets are the
// queue's.
//
// Semantics (ixgbe_configure_tx_ring/rx_ring, ixgbevf_configure_*_ring):
//  - ENABLE reads back as soon as it is written (the drivers poll it for
//    about 10 ms); clearing it stops the queue at once. SWFLSH
//    (ixgbevf writes it alone to disable a TX queue) flushes nothing we
//    hold and reads 0.
//  - The ring base is 128-byte aligned and its length a multiple of 128
//    (the low 7 bits are read-only 0; a guest that sets them is logged).
//  - The base, length and head are the driver's only while the queue is
//    disabled; writes while enabled are logged and ignored. A tail past
//    the ring is logged and ignored.
//  - Enabling a ring with no descriptors or a head or tail past it, or a
//    descriptor DMA that fails, puts the queue into its error state
//    (broken(): logged; it does no work until disabled and enabled).
// The engines return what they wrote back so the register file can set
// the queue's interrupt cause; they raise nothing themselves.
//
// SPDX-License-Identifier: GPL-2.0-or-later
#ifndef SNIC_CORE_IXGBE_QUEUE_H
#define SNIC_CORE_IXGBE_QUEUE_H

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "../base/host.h"
#include "../eth/offload.h"
#include "../migration/stream.h"
#include "../port/port.h"
#include "rx_desc.h"
#include "tx_desc.h"

namespace snic::ixgbe {

// Offsets inside a queue's block.
inline constexpr uint32_t kRingBal = 0x00;
inline constexpr uint32_t kRingBah = 0x04;
inline constexpr uint32_t kRingLen = 0x08;
inline constexpr uint32_t kRingHead = 0x10;
inline constexpr uint32_t kRxSrrctl = 0x14;
inline constexpr uint32_t kRingTail = 0x18;
inline constexpr uint32_t kRingCtl = 0x28;  // RXDCTL / TXDCTL
inline constexpr uint32_t kTxWbal = 0x38;
inline constexpr uint32_t kTxWbah = 0x3c;
// Not the ring's (the register file stores them): DCA_RXCTRL/TXCTRL and
// RSCCTL.
inline constexpr uint32_t kRingDcaCtrl = 0x0C;
inline constexpr uint32_t kRxRscctl = 0x2C;
inline constexpr uint32_t kQueueBlockLen = 0x40;

// RXDCTL / TXDCTL.
inline constexpr uint32_t kDctlEnable = 0x02000000;
inline constexpr uint32_t kDctlSwflsh = 0x04000000;
inline constexpr uint32_t kRxdctlVme = 0x40000000;
// TDWBAL.
inline constexpr uint32_t kTdwbalHeadWbEnable = 0x1;

class Ring;

// One row of a queue's register table (queue.cc kRxRegs / kTxRegs): the
// register at @off, its reset value and writable bits, and, for a
// direction's own plain register (SRRCTL, TDWBAL/H), its storage @own
// (null for the ring registers and RXDCTL/TXDCTL).
struct RingRegSpec {
  uint32_t off;
  uint32_t reset;
  uint32_t writable;
  uint32_t Ring::*own = nullptr;
};

// The ring state both directions share.
class Ring {
 public:
  uint16_t head() const { return head_; }
  uint16_t tail() const { return tail_; }
  bool enabled() const { return (ctl_ & kDctlEnable) != 0; }
  bool broken() const { return broken_; }
  // Descriptors in the ring (RDLEN/TDLEN / 16).
  uint32_t size() const { return len_ / kDescLen; }
  uint64_t base() const { return uint64_t{bah_} << 32 | bal_; }

  // Migration: the ring registers. DecodeRing checks them (@ctl_mask: the
  // direction's writable RXDCTL/TXDCTL bits) and applies them only if
  // they are a state the ring can be in.
  void EncodeRing(migration::Encoder& e) const;
  void DecodeRing(migration::Decoder& d, uint32_t ctl_mask);

 protected:
  friend struct RingTables;  // queue.cc: its rows name the own registers

  // What a register write did, for the direction to act on.
  enum class RegWrite : uint8_t {
    kNone,      // stored, ignored (logged) or not a register of the table
    kDoorbell,  // the tail was written while the queue is enabled
    kEnabled,   // RXDCTL/TXDCTL.ENABLE went on (the ring was checked)
    kDisabled,  // ENABLE went off (the error state is left)
  };
  // The register access both directions share, driven by the direction's
  // table @regs: BAL/BAH/LEN/H/T, RXDCTL/TXDCTL (writable bits), then the
  // rows' own registers (writable bits). An offset not in @regs reads 0
  // and is not written.
  uint32_t ReadReg(std::span<const RingRegSpec> regs, uint32_t off) const;
  RegWrite WriteReg(const Host& host, FnId fn,
                    std::span<const RingRegSpec> regs, uint32_t off,
                    uint32_t value);
  // The ENABLE transition to on: checks the ring (error state if bad).
  void CheckOnEnable(const Host& host, FnId fn);
  void Break(const Host& host, FnId fn, const char* msg);
  void ResetRing();
  uint64_t DescAddr(uint32_t index) const {
    return base() + uint64_t{index} * kDescLen;
  }
  uint32_t Next(uint32_t index) const {
    return index + 1 == size() ? 0 : index + 1;
  }

  uint32_t bal_ = 0, bah_ = 0, len_ = 0, ctl_ = 0;
  uint16_t head_ = 0, tail_ = 0;
  bool broken_ = false;
  // A direction's own registers (RingRegSpec::own).
  uint32_t wbal_ = 0, wbah_ = 0;  // TX: TDWBAL/H
  uint32_t srrctl_ = 0;           // RX: SRRCTL

 private:
  // A write to BAL/BAH/LEN/H/T; false if @off is not one of them.
  bool WriteRingReg(const Host& host, FnId fn, uint32_t off, uint32_t value,
                    bool* doorbell);
  bool ReadRingReg(uint32_t off, uint32_t* value) const;
};

// A transmit queue (port::Port's PeekTx/ConsumeTx for one lane).
class TxQueue : public Ring {
 public:
  static bool Handles(uint32_t off);
  uint32_t Read(uint32_t off) const;
  // True for a doorbell: TDT written while the queue is enabled.
  bool Write(const Host& host, FnId fn, uint32_t off, uint32_t value);
  // Power-on / function reset state; ResetKeepWriteback keeps TDWBAL/H
  // (they survive a VF reset).
  void Reset();
  void ResetKeepWriteback();

  struct PeekResult {
    port::TxStatus status = port::TxStatus::kEmpty;
    bool wrote_back = false;  // a dropped frame's descriptors were done
  };
  // Copies the frame at the head into @buf (eth::kMaxFrameLen bytes) as
  // *@frame (kFrame), without consuming it; the next Peek returns it
  // again until Consume. kEmpty: no complete frame before the tail (a
  // chain without EOP waits for the rest, unless it fills the ring: then
  // it is dropped). kDropped: a malformed frame was consumed (logged).
  // Disabled: kEmpty; broken: kBroken.
  PeekResult Peek(const Host& host, FnId fn, uint8_t* buf,
                  port::TxFrame* frame);
  // Consumes the frame Peek returned: DD written back into its
  // descriptors with RS (or the head to TDWBAL when enabled there), TDH
  // past it. True if something was written back.
  bool Consume(const Host& host, FnId fn);
  // Forgets a peeked, unconsumed frame (it stays in the ring).
  void Quiesce() { pending_.valid = false; }

  // Migration: the registers and the context slots; a peeked
  // frame is not state (Quiesce first). Decode applies only a checked
  // whole; on failure the queue is unchanged.
  void Encode(migration::Encoder& e) const;
  void Decode(migration::Decoder& d);

  const TxContexts& contexts() const { return ctx_; }

 private:
  struct RsMark {
    uint32_t index;
    bool legacy;
  };
  struct Pending {
    bool valid = false;
    uint32_t next_head = 0;
    TxContexts ctx;
  };
  // Done with [head, @next_head): contexts @ctx, RS descriptors in rs_.
  bool Retire(const Host& host, FnId fn, uint32_t next_head,
              const TxContexts& ctx);

  TxContexts ctx_;
  Pending pending_;
  std::vector<RsMark> rs_;  // of the frame being peeked (<= ring size)
};

// A receive queue (port::Port's Deliver for one queue).
class RxQueue : public Ring {
 public:
  static bool Handles(uint32_t off);
  uint32_t Read(uint32_t off) const;
  // True for a doorbell: RDT written while the queue is enabled.
  bool Write(const Host& host, FnId fn, uint32_t off, uint32_t value);
  void Reset();

  bool vlan_strip() const { return (ctl_ & kRxdctlVme) != 0; }
  // The packet buffer size (SRRCTL.BSIZEPACKET).
  uint32_t buffer_size() const {
    return (srrctl_ & kSrrctlBsizePktMask) * kSrrctlBsizeUnit;
  }

  // Migration, as TxQueue's.
  void Encode(migration::Encoder& e) const;
  void Decode(migration::Decoder& d);

  // What comes with a frame besides its bytes.
  struct Meta {
    RxHash hash;
    // The frame's 802.1Q tag was taken off already (the switch's
    // port-VLAN form): with VME it goes to the descriptor, else back into
    // the frame.
    bool has_tag = false;
    uint16_t tag_tci = 0;
  };
  struct DeliverResult {
    port::RxResult result = port::RxResult::kNotReady;
    bool wrote_back = false;
  };
  // Writes @frame into the buffers at the head, as many as it needs
  // (kNoBuffers if fewer are posted: nothing is consumed), with VME's tag
  // stripped, and writes their descriptors back. Disabled: kNotReady;
  // broken (or a buffer DMA failed): kBroken; a buffer size of 0 or a
  // descriptor type other than legacy or advanced one-buffer: kTooSmall
  // (logged).
  DeliverResult Deliver(const Host& host, FnId fn, const uint8_t* frame,
                        size_t len, const eth::Offload& offload,
                        const Meta& meta);
  // How many frames of up to @frame_len bytes (a tag put back included)
  // the posted buffers take now, and a full ring at most (Port::RoomFor).
  // Unknown ({}) while the queue cannot receive at all.
  port::Port::RxRoom Room(size_t frame_len) const;
};

}  // namespace snic::ixgbe

#endif  // SNIC_CORE_IXGBE_QUEUE_H
