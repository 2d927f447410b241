// Unit tests: core/ixgbe/function.h, the 82599 functions as ports of the
// device, through the C ABI as the glue drives them: the register set
// served so far (PF CTRL/STATUS, VF VFCTRL/VFSTATUS), hostile accesses,
// the data path refusing frames until rings exist, and migration refused
// with a message that names the personality.
// SPDX-License-Identifier: GPL-2.0-or-later
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "fakes/fake_host.h"
#include "ixgbe/function.h"
#include "ixgbe/layout.h"
#include "migration/stream.h"
#include "sriov_nic/sriov_nic.h"

namespace snic::testing {
namespace {

using ixgbe::BasicPfRegs;
using ixgbe::BasicVfRegs;

SnicConfig IxgbeConfig(uint16_t total_vfs) {
  SnicConfig c = TestConfig(total_vfs);
  c.personality = SNIC_PERSONALITY_IXGBE;
  return c;
}

class Ixgbe : public ::testing::Test {
 protected:
  Ixgbe() {
    SnicConfig cfg = IxgbeConfig(63);
    char err[256] = {};
    core_.reset(
        snic_core_new(&cfg, &host_.ops(), host_.opaque(), err, sizeof(err)));
    EXPECT_TRUE(core_) << err;
    host_.core = core_.get();
  }

  uint32_t Read(SnicFn fn, uint64_t off, unsigned size = 4,
                uint32_t region = 0) {
    uint64_t v = ~0ull;
    EXPECT_TRUE(snic_core_mmio_read(core_.get(), fn, region, off, size, &v));
    return static_cast<uint32_t>(v);
  }
  void Write(SnicFn fn, uint64_t off, uint64_t v, unsigned size = 4,
             uint32_t region = 0) {
    EXPECT_TRUE(snic_core_mmio_write(core_.get(), fn, region, off, v, size));
  }

  FakeHost host_;
  CorePtr core_;
};

// ixgbe_reset_hw_82599: CTRL |= RST (or LNK_RST), then poll until
// CTRL & IXGBE_CTRL_RST_MASK reads 0, at most 10 times 1 us apart.
TEST_F(Ixgbe, PfResetBitsSelfClearAsTheDriversPollWants) {
  for (uint32_t bit : {BasicPfRegs::kCtrlRst, BasicPfRegs::kCtrlLnkRst}) {
    Write(SNIC_FN_PF, BasicPfRegs::kCtrl, BasicPfRegs::kCtrlGioDis);
    const uint32_t ctrl = Read(SNIC_FN_PF, BasicPfRegs::kCtrl);
    Write(SNIC_FN_PF, BasicPfRegs::kCtrl, ctrl | bit);
    bool done = false;
    for (int i = 0; i < 10 && !done; ++i) {
      done = (Read(SNIC_FN_PF, BasicPfRegs::kCtrl) &
              (BasicPfRegs::kCtrlRst | BasicPfRegs::kCtrlLnkRst)) == 0;
    }
    EXPECT_TRUE(done) << "bit " << bit;
    // The reset cleared GIO_DIS too: primary requests are enabled again.
    EXPECT_EQ(Read(SNIC_FN_PF, BasicPfRegs::kCtrl), 0u);
    EXPECT_EQ(Read(SNIC_FN_PF, BasicPfRegs::kStatus), BasicPfRegs::kStatusGio);
  }
  EXPECT_TRUE(host_.guest_errors.empty());
}

TEST_F(Ixgbe, PfGioDisableStopsPrimaryRequestsAtOnce) {
  // ixgbe_disable_pcie_primary: write CTRL = GIO_DIS, poll CTRL for it,
  // then STATUS.GIO must read clear.
  EXPECT_EQ(Read(SNIC_FN_PF, BasicPfRegs::kStatus), BasicPfRegs::kStatusGio);
  Write(SNIC_FN_PF, BasicPfRegs::kCtrl, BasicPfRegs::kCtrlGioDis);
  EXPECT_EQ(Read(SNIC_FN_PF, BasicPfRegs::kCtrl), BasicPfRegs::kCtrlGioDis);
  EXPECT_EQ(Read(SNIC_FN_PF, BasicPfRegs::kStatus) & BasicPfRegs::kStatusGio,
            0u);
  // LAN ID 0: the PF is function 0.
  EXPECT_EQ(Read(SNIC_FN_PF, BasicPfRegs::kStatus) & 0xcu, 0u);
  // STATUS is read-only; other CTRL bits are not kept.
  Write(SNIC_FN_PF, BasicPfRegs::kStatus, 0xffffffffu);
  Write(SNIC_FN_PF, BasicPfRegs::kCtrl, 0xffffffffu & ~BasicPfRegs::kCtrlRst &
                                            ~BasicPfRegs::kCtrlLnkRst);
  EXPECT_EQ(Read(SNIC_FN_PF, BasicPfRegs::kCtrl), BasicPfRegs::kCtrlGioDis);
  // A PCI function reset (FLR) resets the register file.
  snic_core_reset_function(core_.get(), SNIC_FN_PF);
  EXPECT_EQ(Read(SNIC_FN_PF, BasicPfRegs::kCtrl), 0u);
}

TEST_F(Ixgbe, PfUnservedRegistersReadZeroAndKeepNothing) {
  for (uint64_t off : {0x4ull, 0x18ull, 0x10200ull, 0x1fffcull}) {
    Write(SNIC_FN_PF, off, 0xdeadbeef);
    EXPECT_EQ(Read(SNIC_FN_PF, off), 0u) << off;
  }
  EXPECT_TRUE(host_.guest_errors.empty());
}

TEST_F(Ixgbe, PfHostileAccessesAreLoggedAndAbsorbed) {
  struct Bad {
    uint64_t off;
    unsigned size;
    uint32_t region;
  };
  const Bad bad[] = {
      {0x0, 2, 0},       {0x1, 4, 0},       {0x8, 8, 0},
      {0x20000, 4, 0},   {~0ull - 3, 4, 0}, {0x0, 4, 1},
      {0x0, 4, 0xffffffffu},
  };
  for (const Bad& b : bad) {
    host_.guest_errors.clear();
    Write(SNIC_FN_PF, b.off, BasicPfRegs::kCtrlGioDis, b.size, b.region);
    EXPECT_EQ(Read(SNIC_FN_PF, b.off, b.size, b.region), 0u) << b.off;
    EXPECT_EQ(host_.guest_errors.size(), 2u) << b.off << " " << b.size;
  }
  // None of them reached CTRL.
  EXPECT_EQ(Read(SNIC_FN_PF, BasicPfRegs::kCtrl), 0u);
  SnicStats st;
  ASSERT_TRUE(snic_core_get_stats(core_.get(), SNIC_FN_PF, &st));
  EXPECT_EQ(st.guest_errors, 2u * std::size(bad));
}

TEST_F(Ixgbe, VfControlAndStatus) {
  snic_core_set_num_vfs(core_.get(), 63);
  for (SnicFn fn : {SnicFn{1}, SnicFn{63}}) {
    // ixgbevf_reset_hw_vf: VFCTRL = RST; ixgbevf_check_remove reads
    // VFSTATUS, which must not read all-ones.
    Write(fn, BasicVfRegs::kVfCtrl, BasicVfRegs::kCtrlRst);
    EXPECT_EQ(Read(fn, BasicVfRegs::kVfCtrl), 0u);
    EXPECT_EQ(Read(fn, BasicVfRegs::kVfStatus), 0u);
    EXPECT_EQ(Read(fn, 0x3ffc), 0u);
  }
  EXPECT_TRUE(host_.guest_errors.empty());
  // The VF's BAR 0 is 16 KiB: beyond it, and misaligned, is an error.
  EXPECT_EQ(Read(1, 0x4000), 0u);
  EXPECT_EQ(Read(1, 0x2, 4), 0u);
  Write(1, 0x0, BasicVfRegs::kCtrlRst, 1);
  EXPECT_EQ(host_.guest_errors.size(), 3u);
  SnicStats st;
  ASSERT_TRUE(snic_core_get_stats(core_.get(), 1, &st));
  EXPECT_EQ(st.guest_errors, 3u);
}

TEST_F(Ixgbe, DisabledVfsReadZero) {
  // VF 1 is not enabled (NumVFs 0): its accesses go nowhere.
  EXPECT_FALSE(snic_core_function_enabled(core_.get(), 1));
  EXPECT_EQ(Read(1, BasicVfRegs::kVfStatus), 0u);
  EXPECT_TRUE(host_.guest_errors.empty());
}

TEST_F(Ixgbe, NoFramesMoveUntilRingsExist) {
  snic_core_set_num_vfs(core_.get(), 2);
  for (SnicFn fn = 0; fn <= 2; ++fn) {
    snic_core_set_bus_master(core_.get(), fn, true);
  }
  // A broadcast from the uplink: no ixgbe function is ready to take it.
  std::vector<uint8_t> frame(64, 0);
  std::memset(frame.data(), 0xff, 6);
  const uint8_t src[6] = {0x02, 0, 0, 0, 0, 9};
  std::memcpy(frame.data() + 6, src, 6);
  frame[12] = 0x08;
  EXPECT_EQ(snic_core_uplink_receive(core_.get(), frame.data(), frame.size()),
            frame.size());
  EXPECT_FALSE(snic_core_run(core_.get()));
  EXPECT_TRUE(host_.msix.empty());
  EXPECT_TRUE(host_.uplink_frames.empty());
  for (SnicFn fn = 0; fn <= 2; ++fn) {
    SnicStats st;
    ASSERT_TRUE(snic_core_get_stats(core_.get(), fn, &st));
    EXPECT_EQ(st.rx_packets, 0u);
    EXPECT_EQ(st.tx_packets, 0u);
  }
  // An announce (after a migration) makes the device send RARPs itself;
  // a function that is not running is not announced.
  snic_core_announce(core_.get());
  EXPECT_TRUE(host_.guest_errors.empty());
}

TEST_F(Ixgbe, MigrationIsRefusedNamingThePersonality) {
  uint8_t* buf = nullptr;
  const size_t len = snic_core_save_state(core_.get(), &buf);
  ASSERT_GT(len, 0u);
  char err[256] = {};
  EXPECT_FALSE(snic_core_load_state(core_.get(), buf, len, err, sizeof(err)));
  EXPECT_NE(std::string(err).find(
                "migration is not supported for personality=ixgbe"),
            std::string::npos)
      << err;
  // Nor does it load into a virtio-net device, which names both.
  FakeHost other;
  SnicConfig cfg = TestConfig(63);
  CorePtr virtio(snic_core_new(&cfg, &other.ops(), other.opaque(), nullptr, 0));
  ASSERT_TRUE(virtio);
  EXPECT_FALSE(snic_core_load_state(virtio.get(), buf, len, err, sizeof(err)));
  EXPECT_NE(std::string(err).find("(ixgbe), this device is virtio-net"),
            std::string::npos)
      << err;
  std::free(buf);
  // And a virtio-net stream does not load into an ixgbe device.
  const size_t vlen = snic_core_save_state(virtio.get(), &buf);
  ASSERT_GT(vlen, 0u);
  EXPECT_FALSE(snic_core_load_state(core_.get(), buf, vlen, err, sizeof(err)));
  EXPECT_NE(std::string(err).find("(virtio-net), this device is ixgbe"),
            std::string::npos)
      << err;
  std::free(buf);
}

TEST(IxgbeRegs, PortDecodeRefusesItsOwnState) {
  // The second line behind the stream's personality check: a port image
  // never decodes.
  FakeHost host;
  Host h(host.ops(), host.opaque());
  ixgbe::VfFunction vf(1, h);
  migration::Encoder e;
  vf.Encode(e);
  migration::Decoder d(e.bytes().data(), e.bytes().size());
  (void)vf.Decode(d);
  EXPECT_FALSE(d.ok());
  EXPECT_NE(std::string(d.status().message()).find(ixgbe::kNoMigration),
            std::string::npos);
}

}  // namespace
}  // namespace snic::testing
