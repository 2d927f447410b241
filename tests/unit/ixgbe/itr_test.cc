// Interrupt throttling (core/ixgbe/itr.h): EITR / VTEITR hold a vector's
// next MSI-X message until its interval has passed, the device's timer
// sends it, masking drops it, migration keeps it.
// SPDX-License-Identifier: GPL-2.0-or-later
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "core_fixture.h"
#include "ixgbe/itr.h"
#include "ixgbe/regs.h"
#include "ixgbe/vf.h"

namespace snic::testing {
namespace {

namespace reg = ixgbe::reg;

constexpr uint64_t kUs = 1000;
// ixgbe's IXGBE_20K_ITR (200: 50 us) with CNT_WDIS, as ixgbe_write_eitr
// and ixgbevf_write_eitr write it.
constexpr uint32_t k50Us = 200 | reg::EITR_CNT_WDIS;

class IxgbeItr : public IxgbeCore {
 protected:
  // VF 0 (function 1) with vector 0 unmasked and auto-cleared.
  void StartVf(uint32_t vteitr) {
    Start(1);
    Write(1, ixgbe::kVtEiac, 0x7);
    Write(1, ixgbe::kVtEitr0, vteitr);
    Write(1, ixgbe::kVtEims, 0x1);
    Run();
    host_.msix.clear();
  }
  // The PF in MSI-X mode, vector 0 unmasked and auto-cleared (ixgbe's
  // ixgbe_configure_msix: EIAC for the queue vectors).
  void StartPf(uint32_t eitr) {
    Start(0);
    Write(0, reg::GPIE, reg::GPIE_MSIX_MODE);
    Write(0, reg::EIAC, 0xFFFF);
    Write(0, reg::EITR(0), eitr);
    Write(0, reg::EIMS, 0x1);
    Run();
    host_.msix.clear();
  }
  // The cause: software's EICS / VTEICS for vector 0.
  void Cause(SnicFn fn) {
    Write(fn, fn == 0 ? reg::EICS : ixgbe::kVtEics, 0x1);
    Run();
  }
  size_t Messages(SnicFn fn) const {
    size_t n = 0;
    for (const auto& [f, v] : host_.msix) n += f == fn && v == 0;
    return n;
  }
  // Time goes on to @ns; the core's timer fires if it was armed by then.
  void AdvanceTo(uint64_t ns) {
    host_.now = ns;
    if (host_.timers_armed > armed_seen_ && host_.timer_deadline <= ns) {
      armed_seen_ = host_.timers_armed;
      snic_core_timer(core_.get());
      Run();
    }
  }
  // At 1000 us a cause and its message; at 1010 us a second cause, whose
  // message waits for the end of the interval.
  void OneSentOneWaiting(SnicFn fn) {
    host_.now = 1000 * kUs;
    Cause(fn);
    AdvanceTo(1010 * kUs);
    Cause(fn);
  }
  int armed_seen_ = 0;
};

TEST(ItrInterval, IsTheEitrFieldInQuarterMicroseconds) {
  EXPECT_EQ(ixgbe::ItrIntervalNs(0), 0u);
  EXPECT_EQ(ixgbe::ItrIntervalNs(k50Us), 50 * kUs);  // CNT_WDIS ignored
  EXPECT_EQ(ixgbe::ItrIntervalNs(40), 10 * kUs);     // IXGBE_100K_ITR
  EXPECT_EQ(ixgbe::ItrIntervalNs(0x7), 0u);          // bits 2:0 are not it
  EXPECT_EQ(ixgbe::ItrIntervalNs(0xFFFFFFFF), 1022 * kUs);  // 0xFF8 >> 2
  // ixgbe_configure_msix's 1950 for the "other" vector: 486 us.
  EXPECT_EQ(ixgbe::ItrIntervalNs(1950), 486 * kUs);
}

TEST_F(IxgbeItr, WithoutAnIntervalEveryCauseIsAMessage) {
  StartVf(0);
  host_.now = 1000 * kUs;
  for (int i = 0; i < 3; ++i) Cause(1);
  EXPECT_EQ(Messages(1), 3u);
}

TEST_F(IxgbeItr, AVfMessageTooSoonWaitsForTheIntervalAndCausesMeanwhileJoinIt) {
  StartVf(k50Us);
  host_.now = 1000 * kUs;
  Cause(1);
  EXPECT_EQ(Messages(1), 1u);
  // 10 us later: held, and the device's timer is armed for 1050 us.
  AdvanceTo(1010 * kUs);
  Cause(1);
  AdvanceTo(1020 * kUs);
  Cause(1);
  EXPECT_EQ(Messages(1), 1u);
  EXPECT_EQ(host_.timer_deadline, 1050 * kUs);
  AdvanceTo(1049 * kUs);
  EXPECT_EQ(Messages(1), 1u);
  // At 1050 us the two causes are one message.
  AdvanceTo(1050 * kUs);
  EXPECT_EQ(Messages(1), 2u);
  // The next interval runs from that message.
  AdvanceTo(1060 * kUs);
  Cause(1);
  EXPECT_EQ(Messages(1), 2u);
  AdvanceTo(1100 * kUs);
  EXPECT_EQ(Messages(1), 3u);
  // Quiet for longer than the interval: the next cause goes at once.
  AdvanceTo(2000 * kUs);
  Cause(1);
  EXPECT_EQ(Messages(1), 4u);
}

TEST_F(IxgbeItr, APfVectorIsThrottledByItsEitr) {
  StartPf(k50Us);
  host_.now = 1000 * kUs;
  Cause(0);
  AdvanceTo(1001 * kUs);
  Cause(0);
  EXPECT_EQ(Messages(0), 1u);
  EXPECT_EQ(host_.timer_deadline, 1050 * kUs);
  AdvanceTo(1050 * kUs);
  EXPECT_EQ(Messages(0), 2u);
}

TEST_F(IxgbeItr, AVectorMaskedWhileItWaitsSendsNothingAndKeepsItsCause) {
  StartVf(k50Us);
  OneSentOneWaiting(1);
  // ixgbevf_irq_disable: VTEIMC. At the end of the interval the vector
  // is masked: no message, the cause stays in VTEICR.
  Write(1, ixgbe::kVtEimc, 0x7);
  AdvanceTo(1050 * kUs);
  EXPECT_EQ(Messages(1), 1u);
  EXPECT_EQ(Read(1, ixgbe::kVtEics) & 0x1, 0x1u);  // VTEICS reads VTEICR
  // The unmask sends it.
  AdvanceTo(1060 * kUs);
  Write(1, ixgbe::kVtEims, 0x1);
  Run();
  EXPECT_EQ(Messages(1), 2u);
}

TEST_F(IxgbeItr, APfVectorMaskedWhileItWaitsFiresOnItsUnmask) {
  StartPf(k50Us);
  OneSentOneWaiting(0);
  // ixgbe_irq_disable: EIMC_EX.
  Write(0, reg::EIMC_EX(0), 0xFFFFFFFF);
  AdvanceTo(1050 * kUs);
  EXPECT_EQ(Messages(0), 1u);
  AdvanceTo(1060 * kUs);
  Write(0, reg::EIMS, 0x1);
  Run();
  EXPECT_EQ(Messages(0), 2u);
}

TEST_F(IxgbeItr, AnEitrWriteWithoutCntWdisSendsTheHeldMessageAtOnce) {
  StartVf(k50Us);
  OneSentOneWaiting(1);
  EXPECT_EQ(Messages(1), 1u);
  // With CNT_WDIS the counter runs on.
  Write(1, ixgbe::kVtEitr0, k50Us);
  AdvanceTo(1011 * kUs);
  EXPECT_EQ(Messages(1), 1u);
  // Without it the counter is cleared: the timer is due now.
  Write(1, ixgbe::kVtEitr0, 200);
  EXPECT_LE(host_.timer_deadline, 1011 * kUs);
  AdvanceTo(1011 * kUs);
  EXPECT_EQ(Messages(1), 2u);
}

TEST_F(IxgbeItr, AVfResetLeavesNothingToSend) {
  StartVf(k50Us);
  OneSentOneWaiting(1);
  // VFCTRL.RST: VTEICR and the counters are reset, the cause is gone.
  Write(1, ixgbe::kVfCtrl, ixgbe::kVfCtrlRst);
  Run();
  host_.msix.clear();
  AdvanceTo(1050 * kUs);
  EXPECT_EQ(Messages(1), 0u);
}

TEST_F(IxgbeItr, AHeldMessageMigratesAndGoesAtTheDestinationsFirstTimer) {
  StartVf(k50Us);
  OneSentOneWaiting(1);
  EXPECT_EQ(Messages(1), 1u);
  const std::vector<uint8_t> state = Save();
  ASSERT_FALSE(state.empty());
  // The destination's clock is its own (here far behind the source's).
  host_.now = 5 * kUs;
  CorePtr dst = NewDevice(1, /*running=*/false);
  ASSERT_TRUE(dst);
  char err[512] = {};
  ASSERT_TRUE(snic_core_load_state(dst.get(), state.data(), state.size(), err,
                                   sizeof(err)))
      << err;
  core_ = std::move(dst);
  host_.core = core_.get();
  host_.msix.clear();
  snic_core_set_running(core_.get(), true);
  Run();
  EXPECT_LE(host_.timer_deadline, host_.now);
  AdvanceTo(host_.now);
  EXPECT_EQ(Messages(1), 1u);
}

TEST_F(IxgbeItr, AStreamWithAVfWaitingOnAFourthVectorIsRefused) {
  StartVf(0);
  std::vector<uint8_t> state = Save();
  ASSERT_GT(state.size(), 5u);
  // The chip ends the stream before the 4-byte end marker; its last
  // bytes are each VF's waiting vectors (the last VF's last).
  state[state.size() - 5] = 0x08;
  CorePtr dst = NewDevice(1, /*running=*/false);
  ASSERT_TRUE(dst);
  char err[512] = {};
  EXPECT_FALSE(snic_core_load_state(dst.get(), state.data(), state.size(),
                                    err, sizeof(err)));
  EXPECT_NE(std::string(err).find("VF 62 waits on a vector past its 3"),
            std::string::npos)
      << err;
}

TEST(ItrGate, AdmitsHoldsAndReleasesByTheVectorsInterval) {
  ixgbe::ItrGate<3> g;
  const auto eitr = [](unsigned v) { return v == 2 ? 0u : k50Us; };
  EXPECT_EQ(g.Admit(1000 * kUs, 0x7, eitr), 0x7u);
  EXPECT_EQ(g.held(), 0u);
  // 10 us on: vectors 0 and 1 wait until 1050 us; vector 2 has no
  // interval.
  EXPECT_EQ(g.Admit(1010 * kUs, 0x7, eitr), 0x4u);
  EXPECT_EQ(g.held(), 0x3u);
  EXPECT_EQ(g.Deadline(), 1050 * kUs);
  EXPECT_EQ(g.TakeDue(1049 * kUs), 0u);
  EXPECT_EQ(g.TakeDue(1050 * kUs), 0x3u);
  EXPECT_EQ(g.held(), 0u);
  EXPECT_EQ(g.Deadline(), ixgbe::ItrGate<3>::kNone);
  // A cleared counter lets the next message go at once.
  EXPECT_EQ(g.Admit(1050 * kUs, 0x1, eitr), 0x1u);
  EXPECT_EQ(g.Admit(1051 * kUs, 0x1, eitr), 0u);
  g.ClearCounter(0);
  EXPECT_EQ(g.Deadline(), 0u);
  EXPECT_EQ(g.TakeDue(1051 * kUs), 0x1u);
  EXPECT_EQ(g.Admit(1051 * kUs, 0x1, eitr), 0x1u);
  // Bits past the gate's vectors are never admitted or held.
  EXPECT_EQ(g.Admit(5000 * kUs, 0xF8, eitr), 0u);
  EXPECT_EQ(g.held(), 0u);
  g.Restore(0xFF);
  EXPECT_EQ(g.held(), 0x7u);
  EXPECT_EQ(g.Deadline(), 0u);
}

}  // namespace
}  // namespace snic::testing
