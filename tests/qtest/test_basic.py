"""The basics the other tests build on: what the PF and a VF look like
from PCI config space, and frames through the uplink and between VFs."""
import pci as P
import virtio as V
from common import roundtrip, vf_to_vf
from harness import check, eq, test
from qtest import QTestError

LAYOUT = {V.CAP_COMMON: (0x0000, 0x1000), V.CAP_ISR: (0x1000, 0x1000),
          V.CAP_DEVICE: (0x2000, 0x1000), V.CAP_NOTIFY: (0x3000, 0x1000)}


def check_layout(f, queues=3, vectors=4):
    caps = f.parse_caps()
    types = [c["cfg_type"] for c in caps]
    for t, (off, length) in LAYOUT.items():
        check(types.count(t) == 1, "%r: %d virtio caps of type %d" % (f, types.count(t), t))
        c = f.cap(t)
        eq((c["bar"], c["offset"], c["length"]), (0, off, length),
           "%r cap type %d (bar, offset, length)" % (f, t))
    eq(f.cap(V.CAP_NOTIFY)["extra"], 4, "%r notify_off_multiplier" % f)
    check(f.cap(V.CAP_PCI_CFG) is not None, "%r has no VIRTIO_PCI_CAP_PCI_CFG" % f)
    check(f.cap(V.CAP_PCI_CFG)["len"] >= 20, "%r PCI_CFG cap too short" % f)
    exp = f.pcifn.find_cap(P.CAP_ID_EXP)
    check(exp, "%r has no PCIe capability" % f)
    check(f.pcifn.read32(exp + P.EXP_DEVCAP) & P.EXP_DEVCAP_FLR, "%r: no FLR" % f)
    eq(f.pcifn.read8(P.REVISION) >= 1, True, "%r revision >= 1" % f)
    eq(f.pcifn.read32(P.REVISION) >> 8, 0x020000, "%r class" % f)
    eq(f.cc_read("num_queues"), queues, "%r num_queues" % f)
    pos = f.pcifn.find_cap(P.CAP_ID_MSIX)
    eq((f.pcifn.read16(pos + P.MSIX_FLAGS) & 0x7ff) + 1, vectors,
       "%r MSI-X table size" % f)
    for qi in range(queues):
        f.cc_write("queue_select", qi)
        eq(f.cc_read("queue_notify_off"), qi, "%r queue %d notify_off" % (f, qi))
    f.cc_write("queue_select", 0)


@test("basic/layout-pf-and-vf")
def _(ctx):
    r = ctx.rig(total_vfs=4)
    check_layout(r.pf())
    eq(r.pf_pci.read16(r.sriov + P.SRIOV_VF_DID), 0x1041, "VF device ID")
    eq((r.vf_offset, r.vf_stride), (1, 1), "VF offset/stride")
    vfs = r.enable_vfs(4)
    for f in vfs:
        check_layout(f)
        eq(f.pcifn.bar64(0), 0, "%r BAR0 register (VF BARs live in the PF)" % f)
    eq(r.q.qom_get("/machine/peripheral/pf0", "num-vfs"), 4, "QOM num-vfs")
    # State afterwards: every function answers and is in reset state.
    for f in [r.pf()] + vfs:
        eq(f.status(), 0, "%r device_status" % f)


@test("basic/queue-pairs-size-queues-and-vectors")
def _(ctx):
    # The default (2 pairs), one and the most: 2 queues per pair and the
    # controlq, 2 vectors per pair + 2, the same on the PF and every VF;
    # max_virtqueue_pairs in the device config says it.
    for pairs, want in ((None, 2), (1, 1), (16, 16)):
        r = ctx.rig(total_vfs=2, queue_pairs=pairs)
        fns = [r.pf()] + r.enable_vfs(2)
        for f in fns:
            check_layout(f, queues=2 * want + 1, vectors=2 * want + 2)
            eq(f.q.read(f.device + 8, 2), want, "%r max_virtqueue_pairs" % f)


@test("basic/queue-pairs-out-of-range-is-refused")
def _(ctx):
    for bad in (0, 17, 65535):
        try:
            r = ctx.rig(total_vfs=2, queue_pairs=bad)
        except QTestError as e:
            check("queue-pairs must be between 1 and 16" in str(e),
                  "queue-pairs=%d: QEMU's message names the range" % bad, str(e)[-400:])
        else:
            r.close()
            check(False, "queue-pairs=%d was accepted" % bad)


@test("basic/traffic-pf-vfs-uplink")
def _(ctx):
    r = ctx.rig(total_vfs=4)
    pf = r.pf().init()
    a, b = r.enable_vfs(2)
    a.init()
    b.init()
    for f in (pf, a, b):
        roundtrip(r, f)
    vf_to_vf(r, a, b)
    vf_to_vf(r, b, a)
    # Interrupts arrive as MSI-X writes into each function's RAM.
    check(b.msi_fired(1), "VF1 RX vector did not fire")
    check(a.msi_fired(2), "VF0 TX vector did not fire")
    st = r.vf_stats(1)
    check(st["rx-packets"] >= 2, "VF1 rx-packets", st["rx-packets"])
    eq(st["needs-reset"], 0, "VF1 needs-reset count")
