// sriov-nic core: an Intel 82599 function (the PF or a VF) as a Port of
// the embedded switch.
//
// The adapters between the device (device/device.h: the switch, the TX
// scheduler, policy, migration) and a register file. They keep no register
// state of their own: MmioRead/MmioWrite and the function reset go to the
// member register file, so the full 82599 register files (pf.h class Pf,
// vf.h class Vf, with the mailbox, queues and pools) replace the two small
// ones below without changing the device or the glue.
//
// Until the register files have rings, a function moves no frames: it has
// no TX lanes and Deliver() says kNotReady (the port never becomes
// ready(), so the switch does not pick it either). Its link follows the
// device's (SetLink). It cannot announce itself (the device sends a RARP
// from its MAC). Migration: the state stream carries only the common port
// state, and Decode() refuses it, so a stream from an ixgbe device never
// loads into anything (the glue also registers a migration blocker).
//
// SPDX-License-Identifier: GPL-2.0-or-later
#ifndef SNIC_CORE_IXGBE_FUNCTION_H
#define SNIC_CORE_IXGBE_FUNCTION_H

#include <cstdint>
#include <memory>

#include "../base/effects.h"
#include "../base/host.h"
#include "../port/port.h"

namespace snic::ixgbe {

// The message of every refused ixgbe migration.
inline constexpr const char* kNoMigration =
    "migration is not supported for personality=ixgbe";

// The PF registers served so far (the rest of the 128 KiB read 0 and
// ignore writes):
//   CTRL   0x00000  GIO_DIS (bit 2) read-write; RST (bit 26) and LNK_RST
//                   (bit 3) reset the register file and read back clear:
//                   ixgbe_reset_hw_82599 polls CTRL & IXGBE_CTRL_RST_MASK
//                   until it is 0.
//   STATUS 0x00008  read-only: LAN_ID 0 (function 0), GIO (bit 19, primary
//                   requests enabled) while CTRL.GIO_DIS is clear, so
//                   ixgbe_disable_pcie_primary sees requests stop at once.
// Accesses are 32 bits wide and aligned (ixgbe's readl/writel); others are
// guest errors, absorbed (reads give 0).
class BasicPfRegs {
 public:
  static constexpr uint32_t kCtrl = 0x00000;
  static constexpr uint32_t kStatus = 0x00008;
  static constexpr uint32_t kCtrlGioDis = 1u << 2;
  static constexpr uint32_t kCtrlLnkRst = 1u << 3;
  static constexpr uint32_t kCtrlRst = 1u << 26;
  static constexpr uint32_t kStatusGio = 1u << 19;

  BasicPfRegs(const Host& host, FnId fn, port::PortStats& stats)
      : host_(&host), fn_(fn), stats_(&stats) {}

  void Reset() { ctrl_ = 0; }
  uint64_t Read(uint64_t offset, unsigned size, Effects& fx);
  port::PortEvents Write(uint64_t offset, uint64_t value, unsigned size,
                         Effects& fx);

 private:
  bool Checked(uint64_t offset, unsigned size, const char* what) const;

  const Host* host_;
  FnId fn_;
  port::PortStats* stats_;  // guest_errors
  uint32_t ctrl_ = 0;
};

// The VF registers served so far (the rest of the 16 KiB read 0):
//   VFCTRL   0x00000  write-only RST (bit 26): resets the VF's register
//                     file (ixgbevf_reset_hw_vf); reads 0.
//   VFSTATUS 0x00008  read-only 0. ixgbevf reads it to flush posted
//                     writes and, after an all-ones read, to tell a
//                     removed device (ixgbevf_check_remove): it must never
//                     read all-ones.
class BasicVfRegs {
 public:
  static constexpr uint32_t kVfCtrl = 0x00000;
  static constexpr uint32_t kVfStatus = 0x00008;
  static constexpr uint32_t kCtrlRst = 1u << 26;

  BasicVfRegs(const Host& host, FnId fn, port::PortStats& stats)
      : host_(&host), fn_(fn), stats_(&stats) {}

  void Reset() {}  // no state yet: VFCTRL.RST has nothing to reset
  uint64_t Read(uint64_t offset, unsigned size, Effects& fx);
  port::PortEvents Write(uint64_t offset, uint64_t value, unsigned size,
                         Effects& fx);

 private:
  bool Checked(uint64_t offset, unsigned size, const char* what) const;

  const Host* host_;
  FnId fn_;
  port::PortStats* stats_;  // guest_errors
};

// What PfFunction and VfFunction share: everything but the register file.
class FunctionBase : public port::Port {
 public:
  FunctionBase(FnId fn, const Host& host) : port::Port(fn), host_(&host) {}

  void SetLink(bool up, Effects& fx) override;
  port::PortEvents Resume(Effects& fx) override;
  uint16_t num_tx_lanes() const override { return 0; }
  port::TxStatus PeekTx(uint16_t lane, uint8_t* buf, port::TxFrame* frame,
                        Effects& fx) override;
  void ConsumeTx(uint16_t lane, Effects& fx) override;
  void EndTxBatch(uint16_t lane, Effects& fx) override;
  port::RxResult Deliver(const uint8_t* frame, size_t len,
                         const eth::Offload& offload, Effects& fx) override;
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

  const Host* host_;
};

class PfFunction final : public FunctionBase {
 public:
  explicit PfFunction(const Host& host)
      : FunctionBase(kPfFn, host), regs_(host, kPfFn, stats_) {}

  uint64_t MmioRead(uint32_t region, uint64_t offset, unsigned size,
                    Effects& fx) override;
  port::PortEvents MmioWrite(uint32_t region, uint64_t offset, uint64_t value,
                             unsigned size, Effects& fx) override;

 protected:
  void ResetFunction(Effects& fx) override;

 private:
  BasicPfRegs regs_;
};

class VfFunction final : public FunctionBase {
 public:
  VfFunction(FnId fn, const Host& host)
      : FunctionBase(fn, host), regs_(host, fn, stats_) {}

  uint64_t MmioRead(uint32_t region, uint64_t offset, unsigned size,
                    Effects& fx) override;
  port::PortEvents MmioWrite(uint32_t region, uint64_t offset, uint64_t value,
                             unsigned size, Effects& fx) override;
 protected:
  void ResetFunction(Effects& fx) override;

 private:
  BasicVfRegs regs_;
};

}  // namespace snic::ixgbe

#endif  // SNIC_CORE_IXGBE_FUNCTION_H
