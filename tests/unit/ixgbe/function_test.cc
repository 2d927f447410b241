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
#include "ixgbe/nic.h"
#include "ixgbe/regs.h"
#include "ixgbe/vf.h"
#include "migration/stream.h"
#include "sriov_nic/sriov_nic.h"

namespace snic::testing {
namespace {

namespace reg = ixgbe::reg;

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
  for (uint32_t bit : {reg::CTRL_RST, reg::CTRL_LNK_RST}) {
    const uint32_t ctrl = Read(SNIC_FN_PF, reg::CTRL);
    Write(SNIC_FN_PF, reg::CTRL, ctrl | bit);
    bool done = false;
    for (int i = 0; i < 10 && !done; ++i) {
      done = (Read(SNIC_FN_PF, reg::CTRL) & reg::CTRL_RST_MASK) == 0;
    }
    EXPECT_TRUE(done) << "bit " << bit;
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
      {reg::CTRL, 2, 0}, {0x1, 4, 0},       {reg::CTRL, 8, 0},
      {0x20000, 4, 0},   {~0ull - 3, 4, 0}, {reg::CTRL, 4, 1},
      {reg::CTRL, 4, 0xffffffffu},
  };
  for (const Bad& b : bad) {
    host_.guest_errors.clear();
    Write(SNIC_FN_PF, b.off, reg::CTRL_GIO_DIS, b.size, b.region);
    EXPECT_EQ(Read(SNIC_FN_PF, b.off, b.size, b.region), 0u) << b.off;
    EXPECT_EQ(host_.guest_errors.size(), 2u) << b.off << " " << b.size;
  }
  // None of them reached CTRL.
  EXPECT_EQ(Read(SNIC_FN_PF, reg::CTRL) & reg::CTRL_GIO_DIS, 0u);
  SnicStats st;
  ASSERT_TRUE(snic_core_get_stats(core_.get(), SNIC_FN_PF, &st));
  EXPECT_EQ(st.guest_errors, 2u * std::size(bad));
}

TEST_F(Ixgbe, VfResetAndHostileAccesses) {
  snic_core_set_num_vfs(core_.get(), 63);
  for (SnicFn fn : {SnicFn{1}, SnicFn{63}}) {
    // ixgbevf_reset_hw_vf: VFCTRL = RST, self-clearing.
    Write(fn, ixgbe::kVfCtrl, ixgbe::kVfCtrlRst);
    EXPECT_EQ(Read(fn, ixgbe::kVfCtrl) & ixgbe::kVfCtrlRst, 0u);
    EXPECT_EQ(Read(fn, 0x3ffc), 0u);
  }
  // The VF's reset is reported to the PF (PFVFLRE: VF 0 and VF 62).
  EXPECT_EQ(Read(SNIC_FN_PF, reg::PFVFLRE(0)) & 1u, 1u);
  EXPECT_EQ(Read(SNIC_FN_PF, reg::PFVFLRE(1)) & (1u << 30), 1u << 30);
  EXPECT_TRUE(host_.guest_errors.empty());
  // The VF's BAR 0 is 16 KiB: beyond it, and misaligned, is an error.
  EXPECT_EQ(Read(1, 0x4000), 0u);
  EXPECT_EQ(Read(1, 0x2, 4), 0u);
  Write(1, 0x0, ixgbe::kVfCtrlRst, 1);
  EXPECT_EQ(host_.guest_errors.size(), 3u);
  SnicStats st;
  ASSERT_TRUE(snic_core_get_stats(core_.get(), 1, &st));
  EXPECT_EQ(st.guest_errors, 3u);
}

// The mailbox end to end, through the functions as the glue drives them:
// a VF's request interrupts the PF on its "other" vector (EICR.MAILBOX,
// IVAR_MISC), the PF's answer interrupts the VF on its mailbox vector
// (VTIVAR_MISC), and CTRL_EXT.PFRSTD is RSTD in every VF.
TEST_F(Ixgbe, MailboxDoorbellsInterruptTheOtherFunction) {
  snic_core_set_num_vfs(core_.get(), 2);
  for (SnicFn fn = 0; fn <= 2; ++fn) {
    snic_core_set_bus_master(core_.get(), fn, true);  // MSI-X is a DMA write
  }
  // PF: MSI-X mode, the other causes on vector 5, EICR.MAILBOX unmasked.
  Write(SNIC_FN_PF, reg::GPIE, reg::GPIE_MSIX_MODE);
  Write(SNIC_FN_PF, reg::IVAR_MISC, (reg::IVAR_ALLOC_VAL | 5u) << 8);
  Write(SNIC_FN_PF, reg::EIMS, reg::EICR_MAILBOX);
  // VF 1 (function 2): mailbox on vector 2, unmasked.
  Write(2, ixgbe::kVtIvarMisc, ixgbe::kIvarValid | 2u);
  Write(2, ixgbe::kVtEims, 1u << 2);
  // Creating the VFs is no FLR the PF is told about.
  EXPECT_EQ(Read(SNIC_FN_PF, reg::PFVFLRE(0)), 0u);
  EXPECT_TRUE(host_.msix.empty());
  // An FLR of VF 0 is: PFVFLRE behind EICR.MAILBOX, on vector 5. The
  // driver's handler (ixgbe_msix_other, ixgbe_check_for_rst_pf) clears
  // both.
  snic_core_reset_function(core_.get(), 1);
  EXPECT_EQ(Read(SNIC_FN_PF, reg::PFVFLRE(0)), 0x1u);
  EXPECT_EQ(host_.msix,
            (std::vector<std::pair<SnicFn, uint16_t>>{{SNIC_FN_PF, 5}}));
  Write(SNIC_FN_PF, reg::PFVFLREC(0), 0x1u);
  Write(SNIC_FN_PF, reg::EICR, reg::EICR_MAILBOX);
  EXPECT_EQ(Read(SNIC_FN_PF, reg::PFVFLRE(0)), 0u);
  snic_core_set_bus_master(core_.get(), 1, true);  // the FLR cleared it
  host_.msix.clear();

  // ixgbe_up_complete: CTRL_EXT |= PFRSTD. Both VFs see RSTD (once).
  Write(SNIC_FN_PF, reg::CTRL_EXT,
        Read(SNIC_FN_PF, reg::CTRL_EXT) | reg::CTRL_EXT_PFRSTD);
  EXPECT_NE(Read(1, ixgbe::kVfMailbox) & ixgbe::kVfMbxRstd, 0u);
  EXPECT_NE(Read(2, ixgbe::kVfMailbox) & ixgbe::kVfMbxRstd, 0u);
  EXPECT_EQ(host_.msix, (std::vector<std::pair<SnicFn, uint16_t>>{{2, 2}}));
  host_.msix.clear();
  Write(SNIC_FN_PF, reg::CTRL_EXT, Read(SNIC_FN_PF, reg::CTRL_EXT));
  EXPECT_EQ(Read(2, ixgbe::kVfMailbox) & ixgbe::kVfMbxRstd, 0u);

  // VF 1 writes a message and rings REQ (ixgbevf mbx.c write_mbx_vf).
  Write(2, ixgbe::kVfMailbox, ixgbe::kVfMbxVfu);
  Write(2, ixgbe::kVfMbMem, 0x00000001);  // IXGBE_VF_RESET
  Write(2, ixgbe::kVfMailbox, ixgbe::kVfMbxReq);
  EXPECT_EQ(host_.msix,
            (std::vector<std::pair<SnicFn, uint16_t>>{{SNIC_FN_PF, 5}}));
  EXPECT_EQ(Read(SNIC_FN_PF, reg::MBVFICR(0)) & 0x2u, 0x2u);  // VFREQ VF 1
  EXPECT_EQ(Read(SNIC_FN_PF, reg::PFMBMEM(1)), 0x00000001u);
  Write(SNIC_FN_PF, reg::MBVFICR(0), 0x2u);
  EXPECT_EQ(Read(SNIC_FN_PF, reg::MBVFICR(0)) & 0x2u, 0u);

  // The PF answers (ixgbe_mbx.c ixgbe_write_mbx_pf): PFU, data, STS.
  host_.msix.clear();
  Write(SNIC_FN_PF, reg::PFMAILBOX(1), ixgbe::kPfMbxPfu);
  EXPECT_NE(Read(SNIC_FN_PF, reg::PFMAILBOX(1)) & ixgbe::kPfMbxPfu, 0u);
  Write(SNIC_FN_PF, reg::PFMBMEM(1), 0x80000001);  // VF_RESET | ACK
  Write(SNIC_FN_PF, reg::PFMAILBOX(1), ixgbe::kPfMbxSts);
  EXPECT_EQ(host_.msix, (std::vector<std::pair<SnicFn, uint16_t>>{{2, 2}}));
  EXPECT_NE(Read(2, ixgbe::kVfMailbox) & ixgbe::kVfMbxPfSts, 0u);
  EXPECT_EQ(Read(2, ixgbe::kVfMbMem), 0x80000001u);
  // VF 0 saw nothing of it.
  EXPECT_EQ(Read(1, ixgbe::kVfMailbox) & ixgbe::kVfMbxPfSts, 0u);
  EXPECT_TRUE(host_.guest_errors.empty());
}

// A PF reset (CTRL.RST) is RSTI in every VF mailbox, until PFRSTD.
TEST_F(Ixgbe, PfResetIsSeenByEveryVf) {
  snic_core_set_num_vfs(core_.get(), 3);
  Write(SNIC_FN_PF, reg::CTRL_EXT, reg::CTRL_EXT_PFRSTD);
  for (SnicFn fn = 1; fn <= 3; ++fn) {
    EXPECT_EQ(Read(fn, ixgbe::kVfMailbox) & ixgbe::kVfMbxRsti, 0u);
  }
  Write(SNIC_FN_PF, reg::CTRL, reg::CTRL_RST);
  for (SnicFn fn = 1; fn <= 3; ++fn) {
    EXPECT_NE(Read(fn, ixgbe::kVfMailbox) & ixgbe::kVfMbxRsti, 0u) << fn;
  }
  // A PCI reset of the PF is the same.
  Write(SNIC_FN_PF, reg::CTRL_EXT, reg::CTRL_EXT_PFRSTD);
  EXPECT_EQ(Read(1, ixgbe::kVfMailbox) & ixgbe::kVfMbxRsti, 0u);
  snic_core_reset_function(core_.get(), SNIC_FN_PF);
  EXPECT_NE(Read(1, ixgbe::kVfMailbox) & ixgbe::kVfMbxRsti, 0u);
}

// The uplink's link is the PF's LINKS and every VF's VFLINKS, for a VF
// whose pool the PF driver turned on (VFRE/VFTE, ixgbe_set_vf_rx_tx); off
// in both directions (`ip link set <pf> vf 0 state disable`) it is down.
TEST_F(Ixgbe, UplinkLinkReachesPfAndVfs) {
  snic_core_set_num_vfs(core_.get(), 1);
  EXPECT_EQ(Read(1, ixgbe::kVfLinks) & reg::LINKS_UP, 0u);
  Write(SNIC_FN_PF, reg::VFRE(0), 0x1);
  Write(SNIC_FN_PF, reg::VFTE(0), 0x1);
  EXPECT_NE(Read(SNIC_FN_PF, reg::LINKS) & reg::LINKS_UP, 0u);
  EXPECT_NE(Read(1, ixgbe::kVfLinks) & reg::LINKS_UP, 0u);
  snic_core_set_uplink_link(core_.get(), false);
  EXPECT_EQ(Read(SNIC_FN_PF, reg::LINKS) & reg::LINKS_UP, 0u);
  EXPECT_EQ(Read(1, ixgbe::kVfLinks) & reg::LINKS_UP, 0u);
  snic_core_set_uplink_link(core_.get(), true);
  EXPECT_NE(Read(1, ixgbe::kVfLinks) & reg::LINKS_UP, 0u);
  Write(SNIC_FN_PF, reg::VFRE(0), 0);
  EXPECT_NE(Read(1, ixgbe::kVfLinks) & reg::LINKS_UP, 0u);  // TX still on
  Write(SNIC_FN_PF, reg::VFTE(0), 0);
  EXPECT_EQ(Read(1, ixgbe::kVfLinks) & reg::LINKS_UP, 0u);
}

TEST_F(Ixgbe, DisabledVfsReadZero) {
  // VF 1 is not enabled (NumVFs 0): its accesses go nowhere.
  EXPECT_FALSE(snic_core_function_enabled(core_.get(), 1));
  EXPECT_EQ(Read(1, ixgbe::kVfStatus), 0u);
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

TEST_F(Ixgbe, MigrationLoadsOnlyIntoTheSamePersonality) {
  uint8_t* buf = nullptr;
  const size_t len = snic_core_save_state(core_.get(), &buf);
  ASSERT_GT(len, 0u);
  char err[256] = {};
  // Into a device like it (here: itself), the stream loads.
  EXPECT_TRUE(snic_core_load_state(core_.get(), buf, len, err, sizeof(err)))
      << err;
  // Not into a virtio-net device, which names both.
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

// ixgbe::Nic::Encode/Decode: a chip's state decodes into a fresh chip of
// the same size and encodes to the same bytes; not into one of another
// size, and not when it is cut short.
TEST(IxgbeRegs, NicStateRoundTrips) {
  FakeHost host;
  Host h(host.ops(), host.opaque());
  const uint8_t mac[6] = {0x52, 0x54, 0, 0x82, 0x59, 1};
  ixgbe::Nic nic(h, 2, mac);
  ixgbe::NicIrqs irqs;
  nic.PfWrite(ixgbe::reg::VFRE(0), 0x3, irqs);
  nic.PfWrite(ixgbe::reg::EIMS, 0x00100000, irqs);
  nic.PfWrite(ixgbe::reg::RAL(1), 0x00000002, irqs);
  nic.PfWrite(0x06000 + ixgbe::kRingLen, 0x400, irqs);  // TDLEN(0)
  nic.VfWrite(1, ixgbe::kVtEims, 0x2, irqs);
  migration::Encoder e;
  nic.Encode(e);

  ixgbe::Nic copy(h, 2, mac);
  migration::Decoder d(e.bytes().data(), e.bytes().size());
  copy.Decode(d);
  ASSERT_TRUE(d.ok()) << d.status().message();
  EXPECT_EQ(d.remaining(), 0u);
  migration::Encoder again;
  copy.Encode(again);
  EXPECT_EQ(again.bytes(), e.bytes());
  EXPECT_EQ(copy.PfRead(ixgbe::reg::VFRE(0), irqs), 0x3u);
  EXPECT_EQ(copy.PfRead(0x06000 + ixgbe::kRingLen, irqs), 0x400u);

  ixgbe::Nic bigger(h, 3, mac);
  migration::Decoder d3(e.bytes().data(), e.bytes().size());
  bigger.Decode(d3);
  EXPECT_FALSE(d3.ok());
  EXPECT_NE(std::string(d3.status().message()).find("ixgbe VF count"),
            std::string::npos)
      << d3.status().message();

  ixgbe::Nic cut(h, 2, mac);
  migration::Decoder dc(e.bytes().data(), e.bytes().size() - 1);
  cut.Decode(dc);
  EXPECT_FALSE(dc.ok());
  EXPECT_NE(std::string(dc.status().message()).find("ends inside"),
            std::string::npos)
      << dc.status().message();
  EXPECT_TRUE(host.guest_errors.empty());
}

}  // namespace
}  // namespace snic::testing

namespace snic::testing {
namespace {

// personality=ixgbe: the guest's PF driver owns VF policy. The host reads
// what the pool registers say and cannot write it, at runtime or at start.
TEST_F(Ixgbe, HostReadsTheGuestsVfPolicyAndCannotWriteIt) {
  snic_core_set_num_vfs(core_.get(), 2);
  char err[256] = {};
  EXPECT_FALSE(snic_core_set_vf_setting(core_.get(), 0, "spoofchk", "off", err,
                                        sizeof(err)));
  EXPECT_NE(std::string(err).find("belongs to the guest's PF driver"),
            std::string::npos)
      << err;
  EXPECT_FALSE(
      snic_core_apply_vf_spec(core_.get(), "mac", "0=02:00:00:00:00:01", err,
                              sizeof(err)));
  EXPECT_NE(std::string(err).find("personality=ixgbe"), std::string::npos);
  // ixgbe_ndo_set_vf_spoofchk: PFVFSPOOF bit 1 (MAC anti-spoof, pool 1).
  char buf[64] = {};
  Write(SNIC_FN_PF, reg::PFVFSPOOF(0), 0x2);
  ASSERT_TRUE(snic_core_get_vf_setting(core_.get(), 1, "spoofchk", buf,
                                       sizeof(buf)));
  EXPECT_STREQ(buf, "on");
  ASSERT_TRUE(snic_core_get_vf_setting(core_.get(), 0, "spoofchk", buf,
                                       sizeof(buf)));
  EXPECT_STREQ(buf, "off");
}

}  // namespace
}  // namespace snic::testing

namespace snic::testing {
namespace {

// ixgbe_fuzz finding: with VT off every queue is the PF's, but only the
// PF's first Nic::kLanes queues are TX lanes; a TDT write to queue 127 once
// computed 1u << 127 for its doorbell (UBSan). It kicks no lane now, and a
// lane's doorbell still kicks it.
TEST_F(Ixgbe, PfTailWriteBeyondItsLanesKicksNothing) {
  snic_core_set_bus_master(core_.get(), SNIC_FN_PF, true);
  for (uint32_t q : {127u, 8u, 0u}) {
    const uint64_t ring = 0x10000 + q * 0x1000;
    Write(SNIC_FN_PF, 0x6000 + 0x40 * q + 0x00, ring);  // TDBAL
    Write(SNIC_FN_PF, 0x6000 + 0x40 * q + 0x08, 0x400);  // TDLEN: 64
    Write(SNIC_FN_PF, 0x6000 + 0x40 * q + 0x28, 1u << 25);  // TXDCTL.ENABLE
    Write(SNIC_FN_PF, 0x6000 + 0x40 * q + 0x18, 1);  // TDT: a doorbell
    EXPECT_EQ(Read(SNIC_FN_PF, 0x6000 + 0x40 * q + 0x18), 1u) << q;
  }
  EXPECT_TRUE(host_.guest_errors.empty());
}

}  // namespace
}  // namespace snic::testing
