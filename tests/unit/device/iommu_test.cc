// Unit tests: IOMMU faults. Behind a vIOMMU (QEMU's intel-iommu) a VF's DMA
// is translated through the mappings its driver made; an address the
// driver did not map, or mapped read-only, makes that one DMA fail (the
// glue's pci_dma_read/write return an error). Whatever ring or buffer it
// hits, the function must end in NEEDS_RESET with a guest error logged,
// and only that function: its siblings, which the same addresses are
// mapped for (or not), keep working. (tests/qtest/test_iommu_fault.py does
// the same through QEMU's intel-iommu.)
// SPDX-License-Identifier: GPL-2.0-or-later
#include <gtest/gtest.h>

#include "fakes/switch_fixture.h"

namespace snic::testing {
namespace {

class IommuFault : public SwitchBed {
 protected:
  void SetUp() override { Start(2); }
  bool NeedsReset(Port& p) { return p.drv().status() & kNeedsReset; }
  // @p faulted once: NEEDS_RESET, one needs_reset, a guest error; then
  // with the mappings fixed (faults cleared) a reset and re-initialisation
  // bring it back: it sends to and receives from the PF.
  void ExpectFaultedAndRecovers(Port& p) {
    EXPECT_TRUE(NeedsReset(p));
    EXPECT_EQ(bed_.Stats(p.fn()).needs_reset, 1u);
    EXPECT_GE(bed_.Stats(p.fn()).guest_errors, 1u);
    EXPECT_FALSE(bed_.host.guest_errors.empty());
    bed_.host.dma_faults.clear();
    pf().Received();
    Port again(bed_, p.fn());  // a new driver instance: new rings, buffers
    ASSERT_TRUE(again.Init());
    again.Post(8);
    const auto out = Frame(pf().mac(), again.mac());
    again.Send(out);
    const auto in = Frame(again.mac(), pf().mac());
    pf().Send(in);
    bed_.RunAll();
    EXPECT_FALSE(NeedsReset(again));
    EXPECT_EQ(pf().Received(), Frames{out});
    EXPECT_EQ(again.Received(), Frames{in});
  }
  // The other VF and the PF still trade frames.
  void ExpectSiblingsWork(Port& faulted, Port& sibling) {
    EXPECT_FALSE(NeedsReset(sibling));
    EXPECT_FALSE(NeedsReset(pf()));
    EXPECT_EQ(bed_.Stats(sibling.fn()).needs_reset, 0u);
    const auto f = Frame(sibling.mac(), pf().mac());
    pf().Send(f);
    bed_.RunAll();
    EXPECT_EQ(sibling.Received(), Frames{f});
    EXPECT_TRUE(faulted.Received().empty());
  }
  FakeHost::DmaFault All(Port& p, bool write_only) {
    return {p.fn(), 0, bed_.host.mem.size(), write_only};
  }
};

// VF0's RX buffers are mapped read-only: delivering a frame to it faults
// on the buffer write.
TEST_F(IommuFault, RxBufferWriteFault) {
  bed_.host.dma_faults.push_back(All(vf(0), true));
  pf().Send(Frame(vf(0).mac(), pf().mac()));
  bed_.RunAll();
  ExpectSiblingsWork(vf(0), vf(1));
  EXPECT_EQ(bed_.Stats(vf(0).fn()).rx_packets, 0u);
  ExpectFaultedAndRecovers(vf(0));
}

// Only VF0's TX used ring is read-only: the frame goes out, the
// completion faults.
TEST_F(IommuFault, UsedRingWriteFault) {
  auto& q = vf(0).drv().tx();
  bed_.host.dma_faults.push_back({vf(0).fn(), q.used, 6 + 8ull * q.size(), true});
  vf(0).Send(Frame(pf().mac(), vf(0).mac()));
  bed_.RunAll();
  EXPECT_EQ(q.used_idx(), 0u);
  ExpectSiblingsWork(vf(0), vf(1));
  ExpectFaultedAndRecovers(vf(0));
}

// VF0's TX avail ring is not mapped: the kick's read of avail.idx faults
// (the 16-bit read, dma_read_u16).
TEST_F(IommuFault, AvailRingReadFault) {
  auto& q = vf(0).drv().tx();
  bed_.host.dma_faults.push_back({vf(0).fn(), q.avail, 6 + 2ull * q.size(), false});
  vf(0).Send(Frame(pf().mac(), vf(0).mac()));
  bed_.RunAll();
  EXPECT_TRUE(pf().Received().empty());
  ExpectSiblingsWork(vf(0), vf(1));
  ExpectFaultedAndRecovers(vf(0));
}

// VF0's descriptor table is not mapped.
TEST_F(IommuFault, DescriptorTableReadFault) {
  auto& q = vf(0).drv().tx();
  bed_.host.dma_faults.push_back({vf(0).fn(), q.desc, 16ull * q.size(), false});
  vf(0).Send(Frame(pf().mac(), vf(0).mac()));
  bed_.RunAll();
  EXPECT_TRUE(pf().Received().empty());
  ExpectSiblingsWork(vf(0), vf(1));
  ExpectFaultedAndRecovers(vf(0));
}

// A TX buffer VF0 did not map: nothing of the frame goes anywhere, though
// the same address is mapped for VF1 (faults are per requester).
TEST_F(IommuFault, TxBufferReadFaultIsPerFunction) {
  const auto f = Frame(pf().mac(), vf(0).mac());
  const uint64_t hdr = bed_.ram.Alloc(12, 16);
  const std::vector<uint8_t> zero(12, 0);
  bed_.ram.Put(hdr, zero.data(), 12);
  const uint64_t data = bed_.ram.Alloc(f.size(), 16);
  bed_.ram.Put(data, f.data(), f.size());
  bed_.host.dma_faults.push_back({vf(0).fn(), data, f.size(), false});
  vf(0).drv().tx().AddAndKick(
      {{hdr, 12, false}, {data, uint32_t(f.size()), false}});
  bed_.RunAll();
  EXPECT_TRUE(pf().Received().empty());
  EXPECT_TRUE(UplinkOut().empty());
  EXPECT_EQ(bed_.Stats(vf(0).fn()).tx_packets, 0u);
  // VF1 sends the very same buffer (its own frame there): it goes out.
  const auto g = Frame(pf().mac(), vf(1).mac());
  bed_.ram.Put(data, g.data(), g.size());
  vf(1).drv().tx().AddAndKick(
      {{hdr, 12, false}, {data, uint32_t(g.size()), false}});
  bed_.RunAll();
  EXPECT_EQ(pf().Received(), Frames{g});
  ExpectSiblingsWork(vf(0), vf(1));
  ExpectFaultedAndRecovers(vf(0));
}

// A VF whose every DMA faults (its IOMMU domain has no mappings at all,
// e.g. vfio attached it and the user program mapped nothing yet) and that
// gets frames from every side: one NEEDS_RESET, no more DMA attempts
// logged without bound, the others unaffected.
TEST_F(IommuFault, EverythingUnmappedFaultsOnceAndStops) {
  bed_.host.dma_faults.push_back(All(vf(0), false));
  for (int i = 0; i < 8; ++i) {
    pf().Send(Frame(vf(0).mac(), pf().mac()));
    vf(1).Send(Frame(vf(0).mac(), vf(1).mac()));
    FromUplink(Frame(vf(0).mac(), kRemote));
    vf(0).drv().tx().Kick();
    bed_.RunAll();
  }
  EXPECT_TRUE(NeedsReset(vf(0)));
  EXPECT_EQ(bed_.Stats(vf(0).fn()).needs_reset, 1u);
  EXPECT_LE(bed_.host.guest_errors.size(), 4u);
  ExpectSiblingsWork(vf(0), vf(1));
  ExpectFaultedAndRecovers(vf(0));
}

}  // namespace
}  // namespace snic::testing
