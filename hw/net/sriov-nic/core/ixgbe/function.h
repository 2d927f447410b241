// sriov-nic core: an Intel 82599 function (the PF or a VF) as a Port of
// the embedded switch.
//
// The adapters between the device (device/device.h: the switch, the TX
// scheduler, policy, migration) and the 82599 they share (nic.h: the PF
// and VF register files and the mailboxes). They keep no register state of
// their own: MmioRead/MmioWrite and the function resets go to the Nic, and
// what an access resolves to (MSI-X vectors of any function: a VF's
// mailbox doorbell interrupts the PF) is signalled through the Effects.
//
// A function's TX lanes are its queues (Nic::QueueOf); it is ready() once
// the driver enabled a ring and the PF allowed TX or RX. The PF's link is the
// uplink's (LINKS); a VF reads the PF's (VFLINKS). It cannot announce
// itself (the device sends a RARP from its MAC). Migration: a port's part
// of the stream is the common port state; the registers, rings and
// mailboxes are the Nic's (Nic::Encode), which the device saves once for
// all functions.
//
// SPDX-License-Identifier: GPL-2.0-or-later
#ifndef SNIC_CORE_IXGBE_FUNCTION_H
#define SNIC_CORE_IXGBE_FUNCTION_H

#include <array>
#include <cstdint>
#include <memory>

#include "../base/effects.h"
#include "../base/host.h"
#include "../port/port.h"
#include "nic.h"

namespace snic::ixgbe {

// Signals @irqs: MSI-X vectors of the PF and the VFs (of functions with
// MSI-X enabled), the PF's INTx level when it has no MSI-X.
void SignalIrqs(const Host& host, const NicIrqs& irqs, Effects& fx);

class FunctionBase : public port::Port, public NicFunction {
 public:
  // A function's BAR0 as MmioRead/MmioWrite check it: its size and the
  // guest errors of an access not 32 bits wide and aligned.
  struct Bar0 {
    uint32_t size;
    const char* bad_read;
    const char* bad_write;
  };
  FunctionBase(FnId fn, const Host& host, Nic& nic)
      : port::Port(fn), host_(&host), nic_(&nic) {
    nic.Attach(fn, this);
  }

  void SetLink(bool up, Effects& fx) override;
  port::PortEvents Resume(Effects& fx) override;
  uint16_t num_tx_lanes() const override { return Nic::kLanes; }
  port::TxStatus PeekTx(uint16_t lane, uint8_t* buf, port::TxFrame* frame,
                        Effects& fx) override;
  void ConsumeTx(uint16_t lane, Effects& fx) override;
  void EndTxBatch(uint16_t lane, Effects& fx) override;
  port::RxResult Deliver(const uint8_t* frame, size_t len,
                         const eth::Offload& offload, Effects& fx) override;
  RxRoom RoomFor(const uint8_t* frame, size_t len,
                 size_t seg_len) const override {
    return running() ? nic_->RxRoom(fn(), frame, len, seg_len) : RxRoom{};
  }
  bool Announce(Effects& fx) override;
  void Quiesce() override;
  void Encode(migration::Encoder& e) const override;
  std::unique_ptr<port::PortImage> Decode(
      migration::Decoder& d) const override;
  void Commit(const port::PortImage& image) override;

 protected:
  // The common part of a function reset: the RX filter back to the
  // policy's MAC, nothing offloaded.
  void ResetPort();
  // Region 0 only; false (logged) for any other.
  bool RegsRegion(uint32_t region);
  // 32-bit aligned accesses inside BAR0 (ixgbe and ixgbevf use
  // readl/writel); anything else is a guest error, absorbed.
  bool Dword(uint64_t offset, unsigned size, uint32_t bar_size,
             const char* what);
  // The MmioRead/MmioWrite body both functions share: region 0 and a
  // Dword access inside @bar, then the Nic's access @nic_read(offset,
  // irqs) / @nic_write(offset, value, irqs), then what it resolved to
  // (Perform / Finish).
  template <class NicRead>
  uint64_t RegsRead(const Bar0& bar, uint32_t region, uint64_t offset,
                    unsigned size, Effects& fx, NicRead nic_read);
  template <class NicWrite>
  port::PortEvents RegsWrite(const Bar0& bar, uint32_t region,
                             uint64_t offset, uint64_t value, unsigned size,
                             Effects& fx, NicWrite nic_write);
  // Signals what an access resolved to (SignalIrqs).
  void Perform(const NicIrqs& irqs, Effects& fx);
  // Perform(), then the PortEvents of an access: doorbells, and every
  // lane kicked once the data path changed (TX enabled: what the driver
  // queued before goes now).
  port::PortEvents Finish(const NicIrqs& irqs, Effects& fx);
  // ready: a ring enabled and TX or RX allowed (NicFunction).
  bool SyncFromNic(bool pools_changed) override;
  uint64_t TxSpoofDrops() const override { return stats_.tx_drop_spoof; }
  // The personality's part of SyncFromNic() (the RX filter).
  virtual bool SyncFilter(bool pools_changed) = 0;

  const Host* host_;
  Nic* nic_;
  // The filter and policy were set by something other than SyncFilter
  // (ResetPort, Commit) or not kept while disabled: the next SyncFilter
  // recomputes them even with no pool register changed.
  bool filter_stale_ = true;
  std::array<size_t, Nic::kLanes> peeked_len_{};  // PeekTx -> ConsumeTx
};

class PfFunction final : public FunctionBase {
 public:
  PfFunction(const Host& host, Nic& nic) : FunctionBase(kPfFn, host, nic) {}
  // The PF's link is the uplink's: LINKS and the link-change cause.
  void SetLink(bool up, Effects& fx) override;

 protected:
  bool SyncFilter(bool pools_changed) override;

  uint64_t MmioRead(uint32_t region, uint64_t offset, unsigned size,
                    Effects& fx) override;
  port::PortEvents MmioWrite(uint32_t region, uint64_t offset, uint64_t value,
                             unsigned size, Effects& fx) override;

 protected:
  void ResetFunction(Effects& fx) override;

};

class VfFunction final : public FunctionBase {
 public:
  VfFunction(FnId fn, const Host& host, Nic& nic)
      : FunctionBase(fn, host, nic) {}

  uint64_t MmioRead(uint32_t region, uint64_t offset, unsigned size,
                    Effects& fx) override;
  port::PortEvents MmioWrite(uint32_t region, uint64_t offset, uint64_t value,
                             unsigned size, Effects& fx) override;
 protected:
  void ResetFunction(Effects& fx) override;
  // The pool's filter and policy, as the guest's PF driver programmed
  // them (pools.h PolicyForPool): the switch enforces them. Recomputed
  // only when the pool registers changed (or filter_stale_).
  bool SyncFilter(bool pools_changed) override;

 private:
  unsigned vf() const { return fn() - 1u; }
};

}  // namespace snic::ixgbe

#endif  // SNIC_CORE_IXGBE_FUNCTION_H
