// Unit tests: the 82599 pool registers (ixgbe/pools.h): the register table,
// then RX classification, TX anti-spoof and PolicyForPool against the
// register writes of the stock PF driver (sriov_driver_model.h) for each
// `ip link set <pf> vf N ...` knob and the VF's mailbox requests.
// SPDX-License-Identifier: GPL-2.0-or-later
#include "ixgbe/pools.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <vector>

#include "base/host.h"
#include "fakes/fake_host.h"
#include "ixgbe/rate.h"
#include "ixgbe/sriov_driver_model.h"
#include "migration/stream.h"
#include "port/rx_filter.h"

namespace snic::testing {
namespace {

using eth::MacAddress;

const MacAddress kPfMac = {0x00, 0x1b, 0x21, 0x00, 0x00, 0x01};
const MacAddress kVf0Mac = {0x02, 0x00, 0x00, 0x00, 0x01, 0x00};
const MacAddress kVf1Mac = {0x02, 0x00, 0x00, 0x00, 0x01, 0x01};
const MacAddress kRemote = {0x02, 0xee, 0x00, 0x00, 0x00, 0x09};
const MacAddress kBcast = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
const MacAddress kAllNodes = {0x33, 0x33, 0x00, 0x00, 0x00, 0x01};
const MacAddress kGroup = {0x01, 0x00, 0x5e, 0x01, 0x02, 0x03};

// An Ethernet frame, 802.1Q-tagged with @tci when @tci >= 0.
std::vector<uint8_t> Frame(const MacAddress& dst, const MacAddress& src,
                           int tci = -1) {
  std::vector<uint8_t> f(dst.begin(), dst.end());
  f.insert(f.end(), src.begin(), src.end());
  if (tci >= 0) {
    f.insert(f.end(), {0x81, 0x00, uint8_t(tci >> 8), uint8_t(tci)});
  }
  f.insert(f.end(), {0x08, 0x00});
  f.resize(f.size() + 46, 0);
  return f;
}

uint64_t Rx(const ixgbe::PoolRegs& r, const MacAddress& dst, int tci = -1) {
  const auto f = Frame(dst, kRemote, tci);
  return ixgbe::RxPools(r, f.data(), f.size());
}
ixgbe::TxDecision Tx(const ixgbe::PoolRegs& r, unsigned pool,
                     const MacAddress& src, int tci = -1,
                     std::optional<uint16_t> desc = std::nullopt) {
  const auto f = Frame(kRemote, src, tci);
  return ixgbe::CheckTx(r, pool, f.data(), f.size(), desc);
}
uint64_t Bit(unsigned p) { return uint64_t{1} << p; }

// ---- The register table ----

// Every address of every row is owned and maps back to its own element:
// writing a distinct value there is read back only there.
TEST(PoolRegs, EveryRowRoundTrips) {
  size_t rows = 0;
  const ixgbe::RegSpec* t = ixgbe::RegTable(&rows);
  ASSERT_GT(rows, 20u);
  for (size_t i = 0; i < rows; ++i) {
    const ixgbe::RegSpec& s = t[i];
    if (s.access != ixgbe::Access::kRw) continue;
    for (unsigned k = 0; k < s.count; ++k) {
      const uint32_t off = s.base + k * s.stride;
      ASSERT_TRUE(ixgbe::PoolRegs::Owns(off)) << s.name << " " << k;
      ixgbe::PoolRegs r;
      r.Write(off, 0xFFFFFFFF);
      EXPECT_EQ(r.Read(off), s.writable) << s.name << " " << k;
      EXPECT_EQ(r.Get(s.reg, s.first + k), s.writable) << s.name << " " << k;
    }
  }
  EXPECT_FALSE(ixgbe::PoolRegs::Owns(0x05402));  // unaligned
  EXPECT_FALSE(ixgbe::PoolRegs::Owns(0x05480));  // PSRTYPE, after RAR15
  EXPECT_FALSE(ixgbe::PoolRegs::Owns(0x0A200));  // RAL16 is at 0xA280
  EXPECT_FALSE(ixgbe::PoolRegs::Owns(0x0F600));  // after UTA
  ixgbe::PoolRegs r;
  r.Write(0x0F600, 1);  // not ours: ignored
  EXPECT_EQ(r.Read(0x0F600), 0u);
}

TEST(PoolRegs, DriverAddressesAreTheTableAddresses) {
  using namespace ixgbe;
  ixgbe::PoolRegs r;
  r.Write(reg::RAL(15), 0x15);
  r.Write(reg::RAL(16), 0x16);
  r.Write(reg::RAH(127), 0x127);
  r.Write(reg::MPSAR_HI(127), 0x8000);
  r.Write(reg::VLVFB(127), 7);
  EXPECT_EQ(r.Get(Reg::kRal, 15), 0x15u);
  EXPECT_EQ(r.Get(Reg::kRal, 16), 0x16u);
  EXPECT_EQ(r.Get(Reg::kRah, 127), 0x127u);
  EXPECT_EQ(r.Get(Reg::kMpsarHi, 127), 0x8000u);
  EXPECT_EQ(r.Get(Reg::kVlvfb, 127), 7u);
  EXPECT_EQ(r.Get(Reg::kVlvfb, 128), 0u);  // past the array
}

TEST(PoolRegs, ResetValues) {
  ixgbe::PoolRegs r;
  r.Write(ixgbe::reg::VMOLR(3), ixgbe::reg::VMOLR_BAM);
  r.Reset();
  EXPECT_EQ(r.Read(ixgbe::reg::VLNCTRL), 0x8100u);  // VET
  EXPECT_EQ(r.Read(ixgbe::reg::VMOLR(3)), 0u);
  EXPECT_EQ(r.Read(ixgbe::reg::RAH(0)), 0u);
  r.LoadPermanentMac(kPfMac);
  EXPECT_EQ(r.Read(ixgbe::reg::RAL(0)), 0x00211b00u);
  EXPECT_EQ(r.Read(ixgbe::reg::RAH(0)), 0x80000100u);
}

// SSVPC: read-to-clear, counted only for pools VMECM enables, read-only.
TEST(PoolRegs, SpoofCounter) {
  ixgbe::PoolRegs r;
  r.CountSpoofed(3);
  EXPECT_EQ(r.Read(ixgbe::reg::SSVPC), 0u);
  r.Write(ixgbe::reg::VMECM(0), 1u << 3);
  r.Write(ixgbe::reg::SSVPC, 55);  // read-only
  r.CountSpoofed(3);
  r.CountSpoofed(3);
  r.CountSpoofed(4);
  r.CountSpoofed(200);  // out of range: ignored
  EXPECT_EQ(r.Read(ixgbe::reg::SSVPC), 2u);
  EXPECT_EQ(r.Read(ixgbe::reg::SSVPC), 0u);
  r.Write(ixgbe::reg::VMECM(1), 1u << 31);
  r.CountSpoofed(63);
  EXPECT_EQ(r.Read(ixgbe::reg::SSVPC), 1u);
}

// RTTBCNRC is one register per TX queue behind RTTDQSEL; a queue index
// past 127 is masked to the 7-bit field and logged.
TEST(PoolRegs, RateControlIsPerQueue) {
  FakeHost fake;
  Host host(fake.ops(), fake.opaque());
  ixgbe::PoolRegs r(&host);
  r.Write(ixgbe::reg::RTTDQSEL, 5);
  r.Write(ixgbe::reg::RTTBCNRC, 0x80000111);
  r.Write(ixgbe::reg::RTTDQSEL, 6);
  r.Write(ixgbe::reg::RTTBCNRC, 0xFFFFFFFF);
  EXPECT_EQ(r.Read(ixgbe::reg::RTTBCNRC), 0x8FFFFFFFu);
  r.Write(ixgbe::reg::RTTDQSEL, 5);
  EXPECT_EQ(r.Read(ixgbe::reg::RTTBCNRC), 0x80000111u);
  EXPECT_EQ(r.RateControl(5), 0x80000111u);
  EXPECT_TRUE(fake.TakeErrors().empty());
  r.Write(ixgbe::reg::RTTDQSEL, 128 + 9);
  EXPECT_EQ(r.Read(ixgbe::reg::RTTDQSEL), 9u);
  EXPECT_EQ(fake.TakeErrors().size(), 1u);
  r.Write(ixgbe::reg::RTTBCNRC, 0x80000222);
  EXPECT_EQ(r.RateControl(9), 0x80000222u);
  EXPECT_EQ(r.RateControl(200), 0u);
}

TEST(PoolRegs, MigrationRoundTrip) {
  ixgbe::PoolRegs a;
  IxgbeSriovModel drv(a, 7, kPfMac);
  drv.Up();
  drv.NdoSetVfMac(2, kVf0Mac);
  drv.VfResetMsg(2);
  drv.NdoSetVfBw(2, 0, 500);
  a.Write(ixgbe::reg::VMECM(0), 4);
  a.CountSpoofed(2);
  migration::Encoder e;
  a.Encode(e);

  ixgbe::PoolRegs b;
  migration::Decoder d(e.bytes().data(), e.bytes().size());
  b.Decode(d);
  ASSERT_TRUE(d.ok()) << d.status().message();
  EXPECT_EQ(d.remaining(), 0u);
  migration::Encoder e2;
  b.Encode(e2);
  EXPECT_EQ(e.bytes(), e2.bytes());
  EXPECT_EQ(ixgbe::PolicyForPool(b, 2).policy,
            ixgbe::PolicyForPool(a, 2).policy);
  EXPECT_EQ(b.Read(ixgbe::reg::SSVPC), 1u);
}

TEST(PoolRegs, MigrationRefusesBadStreams) {
  ixgbe::PoolRegs a;
  a.Write(ixgbe::reg::VMOLR(1), ixgbe::reg::VMOLR_AUPE);
  migration::Encoder e;
  a.Encode(e);
  auto bytes = e.bytes();

  ixgbe::PoolRegs b;
  b.Write(ixgbe::reg::VMOLR(1), ixgbe::reg::VMOLR_BAM);
  {  // short
    migration::Decoder d(bytes.data(), bytes.size() - 1);
    b.Decode(d);
    EXPECT_FALSE(d.ok());
  }
  {  // wrong slot count
    auto bad = bytes;
    bad[0] ^= 1;
    migration::Decoder d(bad.data(), bad.size());
    b.Decode(d);
    EXPECT_FALSE(d.ok());
  }
  {  // a reserved VLVF bit (VLVF(0) is slot 128*7)
    auto bad = bytes;
    bad[4 + 4 * (128 * 7) + 2] = 0x01;  // bit 16
    migration::Decoder d(bad.data(), bad.size());
    b.Decode(d);
    EXPECT_FALSE(d.ok());
    EXPECT_NE(std::string(d.status().message()).find("VLVF"),
              std::string::npos);
  }
  EXPECT_EQ(b.Read(ixgbe::reg::VMOLR(1)), ixgbe::reg::VMOLR_BAM);
}

// ---- The driver's bring-up ----

TEST(PoolModes, ConfigureVirtualization) {
  for (unsigned vfs : {7u, 31u, 32u, 63u}) {
    ixgbe::PoolRegs r;
    IxgbeSriovModel drv(r, vfs, kPfMac);
    drv.Up();
    const unsigned qpp = vfs < 32 ? 4 : 2;
    EXPECT_TRUE(ixgbe::VtEnabled(r));
    EXPECT_EQ(ixgbe::QueuesPerPool(r), qpp) << vfs;
    EXPECT_EQ(ixgbe::MrqcQueuesPerPool(r), qpp) << vfs;
    EXPECT_EQ(ixgbe::NumPools(r), 128 / qpp);
    EXPECT_EQ(ixgbe::DefaultPool(r), vfs);
    EXPECT_TRUE(ixgbe::LoopbackEnabled(r));
    // ixgbe_configure_virtualization enables the PF's pool (and those
    // above it); ixgbe_up_complete -> ixgbe_set_all_vfs then the VFs'.
    {
      ixgbe::PoolRegs c;
      IxgbeSriovModel cfg(c, vfs, kPfMac);
      cfg.ConfigureVirtualization();
      EXPECT_TRUE(ixgbe::RxEnabled(c, vfs) && ixgbe::TxEnabled(c, vfs));
      EXPECT_FALSE(ixgbe::RxEnabled(c, vfs - 1));
      EXPECT_FALSE(ixgbe::TxEnabled(c, 0));
    }
    EXPECT_TRUE(ixgbe::RxEnabled(r, vfs - 1) && ixgbe::TxEnabled(r, 0));
    EXPECT_FALSE(ixgbe::RxEnabled(r, 64));
    // The PF's MAC reaches the PF pool; broadcast too (VFs not up).
    EXPECT_EQ(Rx(r, kPfMac), Bit(vfs));
    EXPECT_EQ(Rx(r, kBcast), Bit(vfs));
    const ixgbe::PoolPolicy pf = ixgbe::PolicyForPool(r, vfs);
    EXPECT_TRUE(pf.is_default_pool);
    EXPECT_EQ(pf.policy, policy::PfPolicy(kPfMac));
    EXPECT_EQ(pf.rx.mac, kPfMac);
  }
}

TEST(PoolModes, VtOffIsTheLegacyFilter) {
  ixgbe::PoolRegs r;
  r.LoadPermanentMac(kPfMac);
  EXPECT_EQ(Rx(r, kPfMac), 1u);
  EXPECT_EQ(Rx(r, kRemote), 0u);
  EXPECT_EQ(Rx(r, kBcast), 0u);
  r.Write(ixgbe::reg::FCTRL, ixgbe::reg::FCTRL_BAM | ixgbe::reg::FCTRL_UPE);
  EXPECT_EQ(Rx(r, kBcast), 1u);
  EXPECT_EQ(Rx(r, kRemote), 1u);
  r.Write(ixgbe::reg::VLNCTRL, 0x8100 | ixgbe::reg::VLNCTRL_VFE);
  EXPECT_EQ(Rx(r, kPfMac, 5), 0u);
  r.Write(ixgbe::reg::VFTA(0), 1u << 5);
  EXPECT_EQ(Rx(r, kPfMac, 5), 1u);
  EXPECT_EQ(Tx(r, 0, kRemote).verdict, ixgbe::TxVerdict::kAllow);
  EXPECT_EQ(ixgbe::QueuesPerPool(r), 0u);
  EXPECT_EQ(ixgbe::DefaultPool(r), std::nullopt);
}

// A PF with 7 VFs (32 pools x 4 queues), VF 0 with an admin MAC, VF 1
// with its own MAC (it asks with SET_MAC_ADDR), both reset by ixgbevf.
class Sriov : public ::testing::Test {
 protected:
  void SetUp() override {
    drv.pf_mc = {kAllNodes};
    drv.Up();
    ASSERT_GE(drv.NdoSetVfMac(0, kVf0Mac), 0);
    drv.VfResetMsg(0);
    drv.VfResetMsg(1);
    ASSERT_EQ(drv.SetVfMacAddrMsg(1, kVf1Mac), 0);
  }
  ixgbe::PoolPolicy Policy(unsigned pool) {
    return ixgbe::PolicyForPool(r, pool);
  }
  static constexpr unsigned kPf = 7;
  ixgbe::PoolRegs r;
  IxgbeSriovModel drv{r, 7, kPfMac};
};

TEST_F(Sriov, UnicastGoesToTheOwner) {
  EXPECT_EQ(Rx(r, kVf0Mac), Bit(0));
  EXPECT_EQ(Rx(r, kVf1Mac), Bit(1));
  EXPECT_EQ(Rx(r, kPfMac), Bit(kPf));
  EXPECT_EQ(Rx(r, kRemote), 0u);  // unknown unicast, PF not promiscuous
  // PF promiscuous (FCTRL.UPE): unknown unicast to the default pool.
  r.Write(ixgbe::reg::FCTRL,
          r.Read(ixgbe::reg::FCTRL) | ixgbe::reg::FCTRL_UPE);
  EXPECT_EQ(Rx(r, kRemote), Bit(kPf));
  EXPECT_EQ(Rx(r, kVf0Mac), Bit(0));
  EXPECT_TRUE(Policy(kPf).rx.promisc);
}

TEST_F(Sriov, BroadcastAndMulticast) {
  // Broadcast: every pool with VMOLR.BAM and RX enabled (0, 1, PF).
  EXPECT_EQ(Rx(r, kBcast), Bit(0) | Bit(1) | Bit(kPf));
  // 33:33:00:00:00:01 is in the PF's list: PF only until a VF hashes it.
  EXPECT_EQ(Rx(r, kAllNodes), Bit(kPf));
  drv.SetVfMulticasts(0, {ixgbe::MtaVector(r, kAllNodes.data())});
  EXPECT_EQ(Rx(r, kAllNodes), Bit(0) | Bit(kPf));
  const ixgbe::PoolPolicy p0 = Policy(0);
  EXPECT_TRUE(p0.rx.multicast_hash);
  EXPECT_FALSE(p0.rx.allmulti);  // the hash filter, not every group
  EXPECT_TRUE(p0.rx.mta.test(ixgbe::MtaVector(r, kAllNodes.data())));
  EXPECT_FALSE(p0.rx.nomulti);
  // Without REPLEN multicast goes to the default pool only.
  r.Write(ixgbe::reg::VT_CTL,
          r.Read(ixgbe::reg::VT_CTL) & ~ixgbe::reg::VT_CTL_REPLEN);
  EXPECT_EQ(Rx(r, kAllNodes), Bit(kPf));
  EXPECT_EQ(Rx(r, kBcast), Bit(kPf));
}

// IXGBE_VF_UPDATE_XCAST_MODE: ALLMULTI needs trust (the PF downgrades it
// to MULTI, ixgbe_update_vf_xcast_mode); NONE drops multicast.
TEST_F(Sriov, XcastModesAndTrust) {
  EXPECT_EQ(Rx(r, kGroup), 0u);
  drv.UpdateVfXcastMode(1, IxgbeSriovModel::kAllMulti);  // untrusted
  EXPECT_EQ(Rx(r, kGroup), 0u);
  EXPECT_FALSE(Policy(1).rx.allmulti);
  EXPECT_TRUE(Policy(1).rx.nomulti);
  const uint32_t vmolr_before = r.Read(ixgbe::reg::VMOLR(1));
  drv.NdoSetVfTrust(1, true);  // no register
  EXPECT_EQ(r.Read(ixgbe::reg::VMOLR(1)), vmolr_before);
  drv.UpdateVfXcastMode(1, IxgbeSriovModel::kAllMulti);
  EXPECT_EQ(Rx(r, kGroup), Bit(1));
  EXPECT_TRUE(Policy(1).rx.allmulti);
  drv.UpdateVfXcastMode(1, IxgbeSriovModel::kNone);
  EXPECT_EQ(Rx(r, kGroup), 0u);
  EXPECT_EQ(Rx(r, kBcast) & Bit(1), Bit(1));  // NONE keeps broadcast
  EXPECT_EQ(Rx(r, kVf1Mac), Bit(1));
}

// ip link set <pf> vf 0 mac M: the RAR moves, the old address is gone.
TEST_F(Sriov, IpLinkMac) {
  const MacAddress next = {0x02, 0x00, 0x00, 0x00, 0x0a, 0x0b};
  ASSERT_GE(drv.NdoSetVfMac(0, next), 0);
  EXPECT_EQ(Rx(r, next), Bit(0));
  EXPECT_EQ(Rx(r, kVf0Mac), 0u);
  const ixgbe::PoolPolicy p = Policy(0);
  EXPECT_EQ(p.policy.mac, next);
  EXPECT_EQ(p.rx.mac, next);
  EXPECT_TRUE(p.rx.unicast.empty());
  // The VF may not override it (the PF NACKs), its MAC stays.
  EXPECT_EQ(drv.SetVfMacAddrMsg(0, kRemote), -1);
  EXPECT_EQ(Policy(0).policy.mac, next);
  // mac 00:00:00:00:00:00 removes the filter.
  drv.NdoSetVfMac(0, MacAddress{});
  EXPECT_EQ(Rx(r, next), 0u);
  EXPECT_EQ(Policy(0).policy.mac, MacAddress{});
}

// ip link set <pf> vf 0 vlan 10 qos 3, then vlan 0.
TEST_F(Sriov, IpLinkPortVlan) {
  ASSERT_EQ(drv.NdoSetVfVlan(0, 10, 3), 0);
  ixgbe::PoolPolicy p = Policy(0);
  EXPECT_EQ(p.policy.vlan, 10);
  EXPECT_EQ(p.policy.qos, 3);
  EXPECT_FALSE(p.rx.accept_untagged);
  EXPECT_TRUE(p.rx.vlans.test(10));
  EXPECT_FALSE(p.rx.vlans.test(0));  // tagless access via VLAN 0 revoked
  EXPECT_TRUE(policy::Validate(p.policy).ok());
  // RX: only its VLAN, tagged on the wire; untagged frames no longer.
  EXPECT_EQ(Rx(r, kVf0Mac), 0u);
  EXPECT_EQ(Rx(r, kVf0Mac, 10), Bit(0));
  EXPECT_EQ(Rx(r, kVf0Mac, 3 << 13 | 10), Bit(0));
  EXPECT_EQ(Rx(r, kVf0Mac, 11), 0u);
  EXPECT_EQ(Rx(r, kBcast) & Bit(0), 0u);
  EXPECT_EQ(Rx(r, kBcast, 10), Bit(0));
  // TX: VMVIR inserts 3:10 whatever the descriptor asks.
  EXPECT_EQ(ixgbe::TxVlanInsertion(r, 0, std::nullopt), (3 << 13) | 10);
  EXPECT_EQ(ixgbe::TxVlanInsertion(r, 0, 99), (3 << 13) | 10);
  const ixgbe::TxDecision d = Tx(r, 0, kVf0Mac);
  EXPECT_EQ(d.verdict, ixgbe::TxVerdict::kAllow);
  EXPECT_EQ(d.insert_tci, (3 << 13) | 10);
  // A VF reset keeps it (ixgbe_vf_reset_event re-adds pf_vlan).
  drv.VfResetMsg(0);
  EXPECT_EQ(Policy(0).policy, p.policy);
  EXPECT_EQ(Rx(r, kVf0Mac, 10), Bit(0));

  ASSERT_EQ(drv.NdoSetVfVlan(0, 0, 0), 0);
  p = Policy(0);
  EXPECT_EQ(p.policy.vlan, 0);
  EXPECT_EQ(p.policy.qos, 0);
  EXPECT_TRUE(p.rx.accept_untagged);
  EXPECT_EQ(Rx(r, kVf0Mac), Bit(0));
  EXPECT_EQ(Rx(r, kVf0Mac, 10), 0u);
  EXPECT_EQ(ixgbe::TxVlanInsertion(r, 0, std::nullopt), std::nullopt);
  EXPECT_EQ(ixgbe::TxVlanInsertion(r, 0, 0x0064), 0x0064);  // VLE
}

// The VF's own VLANs (IXGBE_VF_SET_VLAN): RX filter and VLAN anti-spoof.
TEST_F(Sriov, VfVlansFilterRxAndTx) {
  EXPECT_EQ(Rx(r, kVf1Mac, 100), 0u);
  ASSERT_EQ(drv.SetVfVlanMsg(1, true, 100), 0);
  EXPECT_EQ(Rx(r, kVf1Mac, 100), Bit(1));
  EXPECT_EQ(Rx(r, kVf1Mac, 101), 0u);
  EXPECT_EQ(Rx(r, kVf1Mac, 0), Bit(1));  // priority tag: VLAN 0
  EXPECT_EQ(Rx(r, kBcast, 100), Bit(1));
  const ixgbe::PoolPolicy p = Policy(1);
  EXPECT_TRUE(p.rx.vlan_filtering);
  EXPECT_TRUE(p.rx.vlans.test(100));
  EXPECT_TRUE(p.rx.vlans.test(0));
  EXPECT_FALSE(p.policy.trust);  // VLAN anti-spoof on

  EXPECT_EQ(Tx(r, 1, kVf1Mac, 100).verdict, ixgbe::TxVerdict::kAllow);
  EXPECT_EQ(Tx(r, 1, kVf1Mac, -1, uint16_t{100}).verdict,
            ixgbe::TxVerdict::kAllow);  // descriptor VLE tag
  const ixgbe::TxDecision bad = Tx(r, 1, kVf1Mac, 300);
  EXPECT_EQ(bad.verdict, ixgbe::TxVerdict::kSpoofed);
  EXPECT_TRUE(bad.vlan_spoof);
  EXPECT_FALSE(bad.mac_spoof);
  EXPECT_EQ(Tx(r, 1, kVf1Mac, -1, uint16_t{300}).verdict,
            ixgbe::TxVerdict::kSpoofed);
  EXPECT_EQ(Tx(r, 1, kVf1Mac).verdict, ixgbe::TxVerdict::kAllow);

  ASSERT_EQ(drv.SetVfVlanMsg(1, false, 100), 0);
  EXPECT_EQ(Rx(r, kVf1Mac, 100), 0u);
  EXPECT_EQ(Tx(r, 1, kVf1Mac, 100).verdict, ixgbe::TxVerdict::kSpoofed);
}

// A VID left in VFTA without a VLVF entry leaks into the default pool
// (the ordering comment of ixgbe_set_vfta_generic).
TEST_F(Sriov, VftaWithoutVlvfGoesToTheDefaultPool) {
  r.Write(ixgbe::reg::VFTA(200 / 32), 1u << (200 % 32));
  EXPECT_EQ(Rx(r, kVf0Mac, 200), Bit(kPf));
  EXPECT_EQ(Rx(r, kRemote, 200), 0u);  // unknown unicast: no L2 pass
  r.Write(ixgbe::reg::VFTA(200 / 32), 0);
  EXPECT_EQ(Rx(r, kVf0Mac, 200), 0u);
}

// ip link set <pf> vf N spoofchk on|off.
TEST_F(Sriov, IpLinkSpoofchk) {
  ixgbe::TxDecision d = Tx(r, 0, kRemote);
  EXPECT_EQ(d.verdict, ixgbe::TxVerdict::kSpoofed);
  EXPECT_TRUE(d.mac_spoof);
  EXPECT_EQ(Tx(r, 0, kVf1Mac).verdict, ixgbe::TxVerdict::kSpoofed);  // VF 1's
  EXPECT_EQ(Tx(r, 0, kVf0Mac).verdict, ixgbe::TxVerdict::kAllow);
  // ixgbe_vf_reset_msg enabled SSVPC counting for the VF.
  r.CountSpoofed(0);
  EXPECT_EQ(drv.SpoofCheck(), 1u);
  EXPECT_EQ(drv.SpoofCheck(), 0u);
  ixgbe::PoolPolicy p = Policy(0);
  EXPECT_TRUE(p.mac_spoofchk && p.vlan_spoofchk);
  EXPECT_TRUE(p.policy.spoofchk);
  EXPECT_FALSE(p.policy.trust);

  drv.NdoSetVfSpoofchk(0, false);
  EXPECT_EQ(Tx(r, 0, kRemote).verdict, ixgbe::TxVerdict::kAllow);
  EXPECT_EQ(Tx(r, 0, kVf0Mac, 999).verdict, ixgbe::TxVerdict::kAllow);
  p = Policy(0);
  EXPECT_FALSE(p.mac_spoofchk || p.vlan_spoofchk);
  EXPECT_FALSE(p.policy.spoofchk);
  EXPECT_TRUE(p.policy.trust);  // no VLAN anti-spoof
  // Other pools keep theirs (PFVFSPOOF bits pool % 8, 8 + pool % 8).
  EXPECT_EQ(Tx(r, 1, kRemote).verdict, ixgbe::TxVerdict::kSpoofed);
  drv.NdoSetVfSpoofchk(0, true);
  EXPECT_EQ(Tx(r, 0, kRemote).verdict, ixgbe::TxVerdict::kSpoofed);
}

// ip link set <pf> vf N trust on|off writes nothing: the PF driver applies
// trust to the VF's later requests (macvlans here).
TEST_F(Sriov, IpLinkTrust) {
  migration::Encoder before;
  r.Encode(before);
  drv.NdoSetVfTrust(0, true);
  migration::Encoder after;
  r.Encode(after);
  EXPECT_EQ(before.bytes(), after.bytes());
  // VF 0 has an admin MAC: a macvlan needs trust.
  const MacAddress mv = {0x02, 0x00, 0x00, 0x00, 0x0c, 0x01};
  ASSERT_EQ(drv.SetVfMacvlanMsg(0, 1, mv), 0);
  EXPECT_EQ(Rx(r, mv), Bit(0));
  EXPECT_EQ(Tx(r, 0, mv).verdict, ixgbe::TxVerdict::kAllow);
  const ixgbe::PoolPolicy p = Policy(0);
  EXPECT_EQ(p.rx.mac, kVf0Mac);
  ASSERT_EQ(p.rx.unicast.size(), 1u);
  EXPECT_EQ(p.rx.unicast[0], mv);
  // Untrusted again: further macvlans are refused; a reset clears them.
  drv.NdoSetVfTrust(0, false);
  EXPECT_EQ(drv.SetVfMacvlanMsg(0, 1, kRemote), -1);
  drv.VfResetMsg(0);
  EXPECT_EQ(Rx(r, mv), 0u);
  EXPECT_TRUE(Policy(0).rx.unicast.empty());
  EXPECT_EQ(Rx(r, kVf0Mac), Bit(0));
}

// ip link set <pf> vf N state disable|auto: VFRE/VFTE.
TEST_F(Sriov, IpLinkState) {
  drv.NdoSetVfLinkState(1, IxgbeSriovModel::kDisable);
  EXPECT_FALSE(ixgbe::RxEnabled(r, 1));
  EXPECT_FALSE(ixgbe::TxEnabled(r, 1));
  EXPECT_EQ(Policy(1).policy.link_state, policy::LinkState::kDisable);
  EXPECT_EQ(Rx(r, kVf1Mac), 0u);
  EXPECT_EQ(Rx(r, kBcast) & Bit(1), 0u);
  EXPECT_EQ(Tx(r, 1, kVf1Mac).verdict, ixgbe::TxVerdict::kTxDisabled);
  EXPECT_EQ(Rx(r, kVf0Mac), Bit(0));  // others unaffected
  // enable: "not supported", nothing written.
  drv.NdoSetVfLinkState(1, IxgbeSriovModel::kEnable);
  EXPECT_FALSE(ixgbe::RxEnabled(r, 1));
  drv.NdoSetVfLinkState(1, IxgbeSriovModel::kAuto);
  EXPECT_TRUE(ixgbe::RxEnabled(r, 1) && ixgbe::TxEnabled(r, 1));
  EXPECT_EQ(Policy(1).policy.link_state, policy::LinkState::kAuto);
  EXPECT_EQ(Rx(r, kVf1Mac), Bit(1));
}

// ip link set <pf> vf N max_tx_rate R.
TEST_F(Sriov, IpLinkMaxTxRate) {
  ASSERT_EQ(drv.NdoSetVfBw(1, 0, 500), 0);
  EXPECT_EQ(Policy(1).policy.max_tx_rate, 500u);
  EXPECT_EQ(Policy(0).policy.max_tx_rate, 0u);
  EXPECT_EQ(Policy(2).policy.max_tx_rate, 0u);
  ASSERT_EQ(drv.NdoSetVfBw(1, 0, 0), 0);
  EXPECT_EQ(Policy(1).policy.max_tx_rate, 0u);
}

// PolicyForPool's RX settings drive a port::RxFilter as the switch uses it.
TEST_F(Sriov, ApplyRxFilter) {
  drv.SetVfVlanMsg(1, true, 100);
  port::RxFilter f;
  ixgbe::ApplyRxFilter(Policy(1).rx, &f);
  const bool trusted = Policy(1).policy.trust;
  EXPECT_EQ(f.mac(), kVf1Mac);
  EXPECT_TRUE(f.Accepts(kVf1Mac.data(), false, 0, trusted));
  EXPECT_TRUE(f.Accepts(kBcast.data(), false, 0, trusted));
  EXPECT_TRUE(f.Accepts(kVf1Mac.data(), true, 100, trusted));
  EXPECT_FALSE(f.Accepts(kVf1Mac.data(), true, 101, trusted));
  EXPECT_FALSE(f.Accepts(kGroup.data(), false, 0, trusted));
  EXPECT_TRUE(f.AllowsTxVid(100));
  EXPECT_FALSE(f.AllowsTxVid(300));
}

// ---- Hostile programming ----

TEST(PoolHostile, OutOfRangeAndInvalidEntries) {
  ixgbe::PoolRegs r;
  IxgbeSriovModel drv(r, 7, kPfMac);
  drv.Up();
  drv.NdoSetVfMac(0, kVf0Mac);
  drv.VfResetMsg(0);
  // A VLVF with a huge VLAN id keeps 12 bits; reserved bits are dropped.
  r.Write(ixgbe::reg::VLVF(5), 0xFFFFFFFF);
  EXPECT_EQ(r.Read(ixgbe::reg::VLVF(5)), 0x80000FFFu);
  // A RAR without AV is ignored by RX and by MAC anti-spoof.
  r.Write(ixgbe::reg::RAL(40), 0x00000002);
  r.Write(ixgbe::reg::RAH(40), 0x0005);
  r.Write(ixgbe::reg::MPSAR_LO(40), 1);
  const MacAddress inval = {0x02, 0, 0, 0, 0x05, 0};
  EXPECT_EQ(Rx(r, inval), 0u);
  EXPECT_EQ(Tx(r, 0, inval).verdict, ixgbe::TxVerdict::kSpoofed);
  EXPECT_EQ(ixgbe::PolicyForPool(r, 0).rx.unicast.size(), 0u);
  r.Write(ixgbe::reg::RAH(40), 0x0005 | ixgbe::reg::RAH_AV);
  EXPECT_EQ(Rx(r, inval), Bit(0));
  // Pools past 63.
  EXPECT_EQ(Tx(r, 64, kVf0Mac).verdict, ixgbe::TxVerdict::kTxDisabled);
  EXPECT_EQ(ixgbe::PolicyForPool(r, 64).policy, policy::PortPolicy{});
  EXPECT_EQ(ixgbe::TxVlanInsertion(r, 99, 7), 7);
  // Runts and null frames reach nobody; a runt TX is refused.
  const auto f = Frame(kVf0Mac, kRemote);
  EXPECT_EQ(ixgbe::RxPools(r, f.data(), 13), 0u);
  EXPECT_EQ(ixgbe::RxPools(r, nullptr, 64), 0u);
  EXPECT_EQ(ixgbe::CheckTx(r, 0, f.data(), 10, std::nullopt).verdict,
            ixgbe::TxVerdict::kTxDisabled);
  // A 14-byte frame with a VLAN TPID is untagged (no room for the tag).
  EXPECT_EQ(ixgbe::RxPools(r, Frame(kVf0Mac, kRemote, 5).data(), 14), Bit(0));
  // VLANA 11 (reserved) behaves as 00.
  r.Write(ixgbe::reg::VMVIR(0), 0xC0000005);
  EXPECT_EQ(ixgbe::TxVlanInsertion(r, 0, std::nullopt), std::nullopt);
  EXPECT_EQ(ixgbe::TxVlanInsertion(r, 0, 9), 9);
  EXPECT_EQ(ixgbe::PolicyForPool(r, 0).policy.vlan, 0);
}

TEST(PoolHostile, ManyMacvlansAreCapped) {
  ixgbe::PoolRegs r;
  IxgbeSriovModel drv(r, 7, kPfMac);
  drv.Up();
  drv.VfResetMsg(3);
  for (int i = 0; i < 100; ++i) {
    drv.SetVfMacvlanMsg(3, 2, {0x02, 0, 0, 0, 0x10, uint8_t(i)});
  }
  const ixgbe::PoolPolicy p = ixgbe::PolicyForPool(r, 3);
  EXPECT_EQ(p.rx.unicast.size(), port::RxFilter::kMaxMacEntries);
  port::RxFilter f;
  ixgbe::ApplyRxFilter(p.rx, &f);
  EXPECT_EQ(f.unicast_count(), port::RxFilter::kMaxMacEntries);
  // The hardware still receives for all 100.
  EXPECT_EQ(Rx(r, {0x02, 0, 0, 0, 0x10, 99}), Bit(3));
}

}  // namespace
}  // namespace snic::testing
