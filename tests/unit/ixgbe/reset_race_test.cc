// Unit tests: a re-bound ixgbevf's reset handshake against a whole chip
// (ixgbe::Nic), in every interleaving with the PF's interrupt handler.
//
// ixgbe-policy.sh unbinds and re-binds ixgbevf. The new driver instance
// starts with hw->mbx.vf_mailbox = 0 while the earlier one may have
// consumed RSTD; its probe (ixgbevf_sw_init -> vf.c ixgbevf_reset_hw_vf)
// writes VFCTRL.RST, polls check_for_rst 200 x 5 us, sends IXGBE_VF_RESET
// with the legacy write (VFU, buffer, REQ), and polls PFSTS 2000 x 500 us.
// The PF answers from ixgbe_msix_other (EICS read, EICR write, msg_task,
// EIMS re-enable; ixgbe_main.c), which runs only when the chip sends its
// "other" MSI-X vector. Here the PF's handler runs step by step between
// the VF's register accesses, starting at every point of the VF's sequence,
// and a PF that answers later than the VF waits leaves nothing behind that
// breaks the next reset (ixgbevf_open -> ixgbevf_reset).
// SPDX-License-Identifier: GPL-2.0-or-later
#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "fakes/fake_host.h"
#include "ixgbe/nic.h"
#include "ixgbe/regs.h"
#include "ixgbe/vf.h"
#include "mbx_driver_model.h"

namespace snic::testing {
namespace {

namespace reg = ixgbe::reg;
using ixgbe::model::kOk;

constexpr uint8_t kPfMac[6] = {0x52, 0x54, 0x00, 0x82, 0x59, 0x01};
constexpr unsigned kOtherVector = 3;  // ixgbe: the vector after the queues'
constexpr unsigned kVfs = 3;
constexpr unsigned kVf = 0;

// The chip, the PF driver's mailbox code on its BAR0, and ixgbe_msix_other
// as a sequence of steps (so a VF access can fall between any two).
struct Chip {
  FakeHost fake;
  Host host{fake.ops(), fake.opaque()};
  ixgbe::Nic nic{host, kVfs, kPfMac};
  ixgbe::Mailboxes unused;  // PfDriver's direct path, not taken here
  ixgbe::model::PfDriver pf{unused};
  unsigned edges = 0;       // "other" MSI-X messages not yet handled
  int handler_step = -1;    // -1: not running
  uint32_t eicr = 0;
  unsigned handled = 0;

  Chip() {
    pf.num_vfs = kVfs;
    pf.rd = [this](uint32_t off) { return PfRead(off); };
    pf.wr = [this](uint32_t off, uint32_t v) { PfWrite(off, v); };
    // ixgbe_setup_gpie, ixgbe_configure_msix, ixgbe_irq_enable,
    // ixgbe_up_complete (PFRSTD: RSTD in every VF mailbox).
    PfWrite(reg::GPIE, reg::GPIE_MSIX_MODE | reg::GPIE_PBA_SUPPORT |
                           reg::GPIE_OCD | reg::GPIE_EIAME);
    PfWrite(reg::IVAR_MISC, (reg::IVAR_ALLOC_VAL | kOtherVector) << 8);
    PfWrite(reg::EIAC, 0xFFFF);
    PfWrite(reg::EIMS, kEnable);
    PfWrite(reg::CTRL_EXT, reg::CTRL_EXT_PFRSTD);
  }
  static constexpr uint32_t kEnable =
      reg::EICR_OTHER | reg::EICR_MAILBOX | reg::EICR_LSC;

  void Take(const ixgbe::NicIrqs& irqs) {
    if (irqs.pf_msix & (uint64_t{1} << kOtherVector)) ++edges;
  }
  uint32_t PfRead(uint32_t off) {
    ixgbe::NicIrqs irqs;
    const uint32_t v = nic.PfRead(off, irqs);
    Take(irqs);
    return v;
  }
  void PfWrite(uint32_t off, uint32_t v) {
    ixgbe::NicIrqs irqs;
    nic.PfWrite(off, v, irqs);
    Take(irqs);
  }
  uint32_t VfRead(unsigned vf, uint32_t off) {
    ixgbe::NicIrqs irqs;
    const uint32_t v = nic.VfRead(vf, off, irqs);
    Take(irqs);
    return v;
  }
  void VfWrite(unsigned vf, uint32_t off, uint32_t v) {
    ixgbe::NicIrqs irqs;
    nic.VfWrite(vf, off, v, irqs);
    Take(irqs);
  }

  // One step of ixgbe_msix_other; false when it is not running and no
  // message is pending.
  bool Step() {
    if (handler_step < 0) {
      if (edges == 0) return false;
      --edges;
      handler_step = 0;
    }
    switch (handler_step++) {
      case 0:  // "Use clear-by-write instead of clear-by-read"
        eicr = PfRead(reg::EICS) & 0xFFFF0000;
        break;
      case 1:
        PfWrite(reg::EICR, eicr);
        break;
      case 2:  // under vfs_lock: one pass over the VFs
        if (eicr & reg::EICR_MAILBOX) pf.MsgTask();
        break;
      default:  // ixgbe_irq_enable(adapter, false, false)
        PfWrite(reg::EIMS, kEnable);
        handler_step = -1;
        ++handled;
        break;
    }
    return true;
  }
  void RunPf() {
    while (Step()) {
    }
  }
};

// The VF driver on the chip's VF BAR; before each register access the PF
// may take steps (`pf_turn`), and each udelay lets it run to completion
// unless it is stalled for `stall_ticks` polls.
struct VfSide {
  Chip& chip;
  unsigned index;
  ixgbe::model::VfDriver drv;
  unsigned accesses = 0;
  std::function<void()> pf_turn = [] {};
  int stall_ticks = 0;

  VfSide(Chip& c, unsigned n) : chip(c), index(n), drv(c.unused, n) {
    drv.rd = [this](uint32_t off) {
      Turn();
      return chip.VfRead(index, off);
    };
    drv.wr = [this](uint32_t off, uint32_t v) {
      Turn();
      chip.VfWrite(index, off, v);
    };
    drv.vfctrl_rst = [this] {
      Turn();
      chip.VfWrite(index, ixgbe::kVfCtrl, ixgbe::kVfCtrlRst);
    };
    drv.tick = [this] {
      if (stall_ticks > 0) {
        --stall_ticks;
      } else {
        chip.RunPf();
      }
    };
  }
  void Turn() {
    ++accesses;
    pf_turn();
  }
};

// ixgbe_ndo_set_vf_mac, then the VF's first probe: reset, API 1.4 (the
// stock PF's highest), queues; the PF ran after each access.
void FirstProbe(Chip& c, VfSide& v) {
  c.pf.info[v.index].mac = {0x02, 0, 0, 0x82, 0, uint8_t(1 + v.index)};
  c.pf.info[v.index].pf_set_mac = true;
  ASSERT_EQ(v.drv.ResetHw(), kOk);
  ASSERT_EQ(v.drv.NegotiateApi(ixgbe::model::kApi14), kOk);
  ASSERT_EQ(v.drv.GetQueues(), kOk);
  c.RunPf();
}

TEST(IxgbeRebind, ARebindFindsRstdConsumedAndStillResets) {
  Chip c;
  {
    VfSide first(c, kVf);
    FirstProbe(c, first);
  }
  // The earlier instance read RSTD away; the new one starts from 0.
  EXPECT_EQ(c.VfRead(kVf, ixgbe::kVfMailbox) &
                (ixgbe::kVfMbxRsti | ixgbe::kVfMbxRstd),
            0u);
  VfSide again(c, kVf);
  ASSERT_EQ(again.drv.sw, 0u);
  ASSERT_EQ(again.drv.ResetHw(), kOk);
  EXPECT_TRUE(again.drv.perm_addr_valid);
  EXPECT_EQ(again.drv.perm_addr, c.pf.info[kVf].mac);
  EXPECT_EQ(c.pf.info[kVf].read_errors, 0);
}

TEST(IxgbeRebind, ARebindBeforeRstdWasReadResetsToo) {
  Chip c;  // PFRSTD set RSTD for every VF; nobody read it
  VfSide v(c, kVf);
  c.pf.info[kVf].pf_set_mac = true;
  ASSERT_EQ(v.drv.ResetHw(), kOk);
  EXPECT_TRUE(v.drv.perm_addr_valid);
}

// The PF's handler starts `start` VF accesses after the VF's first access
// of the reset and then takes one step every `stride` accesses (0: runs
// to completion at once); the VF polls meanwhile. Every interleaving
// completes the handshake with the PF-set MAC and no dropped request.
TEST(IxgbeRebind, EveryInterleavingWithThePfHandlerCompletes) {
  for (unsigned stride = 0; stride <= 3; ++stride) {
    for (unsigned start = 0; start <= 40; ++start) {
      SCOPED_TRACE("stride " + std::to_string(stride) + " start " +
                   std::to_string(start));
      Chip c;
      {
        VfSide first(c, kVf);
        FirstProbe(c, first);
      }
      VfSide v(c, kVf);
      v.pf_turn = [&] {
        if (v.accesses < start) return;
        if (stride == 0) {
          c.RunPf();
        } else if ((v.accesses - start) % stride == 0) {
          c.Step();
        }
      };
      ASSERT_EQ(v.drv.ResetHw(), kOk);
      EXPECT_EQ(v.drv.perm_addr, c.pf.info[kVf].mac);
      EXPECT_EQ(c.pf.info[kVf].read_errors, 0);
      c.RunPf();
      EXPECT_EQ(c.edges, 0u);
      EXPECT_EQ(c.nic.pf().Read(reg::EICS) & reg::EICR_MAILBOX, 0u);
    }
  }
}

// The same with the other VFs re-bound right after (the scenario's order)
// and the earlier VFs' handler passes still running: each VF's request is
// answered, none is lost to a cause that had already been signalled.
TEST(IxgbeRebind, ThreeVfsReboundInARowWithTheHandlerLagging) {
  for (unsigned stride = 1; stride <= 3; ++stride) {
    SCOPED_TRACE("stride " + std::to_string(stride));
    Chip c;
    for (unsigned n = 0; n < kVfs; ++n) {
      VfSide first(c, n);
      FirstProbe(c, first);
    }
    for (unsigned n = 0; n < kVfs; ++n) {
      VfSide v(c, n);
      v.pf_turn = [&] {
        if (v.accesses % stride == 0) c.Step();
      };
      ASSERT_EQ(v.drv.ResetHw(), kOk) << "VF " << n;
      EXPECT_EQ(v.drv.perm_addr, c.pf.info[n].mac);
    }
    c.RunPf();
    for (unsigned n = 0; n < kVfs; ++n) EXPECT_EQ(c.pf.info[n].read_errors, 0);
  }
}

// Two VFs re-bound at once on two CPUs: VF 1 has posted its VF_RESET
// when VF 0 starts its own, and the PF's passes over both (clearing VF 0's
// MBVFICR bits, writing VF 0's reply) must leave VF 1's request to be
// answered, wherever they fall in VF 0's sequence.
TEST(IxgbeRebind, AnotherVfsPendingResetIsAnsweredToo) {
  for (unsigned stride = 1; stride <= 3; ++stride) {
    for (unsigned start = 0; start <= 40; start += 4) {
      SCOPED_TRACE("stride " + std::to_string(stride) + " start " +
                   std::to_string(start));
      Chip c;
      for (unsigned n = 0; n < 2; ++n) {
        VfSide first(c, n);
        FirstProbe(c, first);
      }
      VfSide other(c, 1);
      other.drv.vfctrl_rst();  // ixgbevf_reset_hw_vf up to the VF_RESET
      while (other.drv.CheckForRst() == kOk) {
      }
      other.drv.timeout = 2000;
      const uint32_t reset = ixgbe::model::kVfReset;
      ASSERT_EQ(other.drv.WriteMbx(&reset, 1), kOk);
      VfSide v(c, kVf);
      v.pf_turn = [&] {
        if (v.accesses >= start && (v.accesses - start) % stride == 0) {
          c.Step();
        }
      };
      ASSERT_EQ(v.drv.ResetHw(), kOk);
      EXPECT_EQ(v.drv.perm_addr, c.pf.info[kVf].mac);
      c.RunPf();
      uint32_t reply[4] = {};
      ASSERT_EQ(other.drv.PollMbx(reply, 4), kOk);
      EXPECT_EQ(reply[0], ixgbe::model::kVfReset | ixgbe::model::kMsgSuccess);
    }
  }
}

// A PF that answers only after the VF's 2000 polls: the probe fails ("PF
// still in reset state", the driver's own limit), the late reply lands,
// and the next reset (ixgbevf_open) completes without a stale reply,
// lock or cause getting in its way.
TEST(IxgbeRebind, ALateAnswerLeavesNothingThatBreaksTheNextReset) {
  Chip c;
  {
    VfSide first(c, kVf);
    FirstProbe(c, first);
  }
  VfSide v(c, kVf);
  v.stall_ticks = 2001;
  EXPECT_NE(v.drv.ResetHw(), kOk);
  c.RunPf();  // the PF catches up: answers the reset nobody waits for
  EXPECT_EQ(c.nic.pf().Read(reg::EICS) & reg::EICR_MAILBOX, 0u);
  ASSERT_EQ(v.drv.ResetHw(), kOk);
  EXPECT_TRUE(v.drv.perm_addr_valid);
  EXPECT_EQ(v.drv.perm_addr, c.pf.info[kVf].mac);
  EXPECT_EQ(c.pf.info[kVf].read_errors, 0);
}

// A PF that lags by most of the VF's budget still makes it.
TEST(IxgbeRebind, APfStalledForMostOfTheBudgetIsWaitedFor) {
  Chip c;
  {
    VfSide first(c, kVf);
    FirstProbe(c, first);
  }
  VfSide v(c, kVf);
  v.stall_ticks = 1990;
  ASSERT_EQ(v.drv.ResetHw(), kOk);
  EXPECT_EQ(v.drv.perm_addr, c.pf.info[kVf].mac);
}

}  // namespace
}  // namespace snic::testing
