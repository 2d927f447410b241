"""DMA behind QEMU's emulated IOMMU (-device intel-iommu; QEMU 10 gives PCI
devices their DMA address space when the machine is done, so it need not
come before them on the command line): with translation off the functions work as without it; once the
"guest" turns translation on with an empty root table, every DMA of every
function faults (no context entry), as a ring or buffer address the
driver never mapped would.

Expected: QEMU survives; a function whose ring read (TX kick) or RX
delivery faults ends in NEEDS_RESET (device_status bit 0x40) with a guest
error counted, the IOMMU recorded the fault with that function's requester
ID (so the DMA did go through it), nothing lands in guest RAM (canaries), a function that
did no DMA meanwhile keeps running; with translation off again each
faulted function works after a reset and re-initialisation.

The VT-d registers (VT-d 3.x, 11.4): the remapping unit of QEMU's q35 at
0xfed90000; GCMD 0x18 (bit 31 TE, bit 30 SRTP), GSTS 0x1c (TES, RTPS),
RTADDR 0x20 (the root table, 4 KiB of 16-byte root entries, present bit 0
clear in every entry here), CAP 0x08 (FRO bits 33:24, the fault recording
registers' offset / 16; NFR bits 47:40, their number - 1); each fault
recording register is 128 bits, F (fault, write 1 to clear) bit 127, SID
(the requester ID) bits 79:64."""
import virtio as V
from common import (FAR_MAC, expect_canaries, expect_no_uplink, roundtrip, tag,
                    tx_to_uplink, vf_to_vf)
from harness import check, eq, test, wait_until

DMAR = 0xfed90000
CAP, GCMD, GSTS, RTADDR = 0x08, 0x18, 0x1c, 0x20
TE, SRTP = 1 << 31, 1 << 30
ROOT_TABLE = 0x0080_0000   # guest RAM nobody else uses (rig.py: FN_MEM at 16 MiB)
RUNNING = V.S_ACKNOWLEDGE | V.S_DRIVER | V.S_FEATURES_OK | V.S_DRIVER_OK


def translation(r, on):
    """Turn DMA remapping on (empty root table) or off, as a driver does:
    one command bit per GCMD write, then wait for GSTS to follow."""
    q = r.q
    if on:
        q.memset(ROOT_TABLE, 4096, 0)
        q.writeq(DMAR + RTADDR, ROOT_TABLE)
        q.writel(DMAR + GCMD, SRTP)
        wait_until(q, lambda: q.readl(DMAR + GSTS) & SRTP, "GSTS.RTPS")
        q.writel(DMAR + GCMD, TE)
    else:
        q.writel(DMAR + GCMD, 0)
    wait_until(q, lambda: bool(q.readl(DMAR + GSTS) & TE) == on,
               "GSTS.TES to become %d" % on)


def fault_sources(r):
    """The requester IDs of the recorded faults; clears the records."""
    q = r.q
    cap = q.readq(DMAR + CAP)
    fro, nfr = ((cap >> 24) & 0x3ff) * 16, ((cap >> 40) & 0xff) + 1
    sids = set()
    for i in range(nfr):
        hi = q.readq(DMAR + fro + 16 * i + 8)
        if hi >> 63:
            sids.add(hi & 0xffff)
            q.writel(DMAR + fro + 16 * i + 12, 1 << 31)
    return sids


def rid(f):
    return f.pcifn.bus << 8 | f.pcifn.devfn


@test("iommu/fault-on-ring-or-buffer-is-needs-reset")
def _(ctx):
    r = ctx.rig(total_vfs=4, extra_args=["-device", "intel-iommu"])
    q = r.q
    pf = r.pf().init()
    pf.post_rx()
    a, b, c = r.enable_vfs(3)
    for f in (a, b, c):
        f.init()
        f.post_rx()
    # Translation off: the IOMMU passes DMA through.
    roundtrip(r, a, "before")
    roundtrip(r, b, "before")
    vf_to_vf(r, a, b)

    translation(r, True)
    before = {k: r.vf_stats(k) for k in range(3)}
    # VF0 kicks a TX chain: reading its avail ring faults.
    t = tx_to_uplink(r, a, "faulting-tx")
    wait_until(q, lambda: a.status() & V.S_NEEDS_RESET,
               "VF0 NEEDS_RESET after its TX ring read faulted",
               step_ns=1_000_000)
    expect_no_uplink(r, t, what="while VF0's DMA faulted")
    eq(fault_sources(r), {rid(a)}, "requester IDs of the IOMMU's fault records")
    # A frame from the uplink for VF1: taking an RX buffer faults.
    r.uplink.send(V.frame(b.mac(), FAR_MAC, tag("faulting-rx")))
    wait_until(q, lambda: b.status() & V.S_NEEDS_RESET,
               "VF1 NEEDS_RESET after its RX delivery faulted",
               step_ns=1_000_000)
    eq(fault_sources(r), {rid(b)}, "requester IDs of the IOMMU's fault records")
    q.check_alive()
    for k, f in ((0, a), (1, b)):
        s = r.vf_stats(k)
        eq(s["needs-reset"] - before[k]["needs-reset"], 1,
           "%r needs-reset count" % f)
        check(s["guest-errors"] > before[k]["guest-errors"],
              "%r: no guest error counted for the fault" % f)
    # VF2 did no DMA: still running, nothing counted.
    eq(c.status(), RUNNING, "VF2 device_status (no DMA while faulting)")
    eq(r.vf_stats(2)["needs-reset"], before[2]["needs-reset"],
       "VF2 needs-reset count")
    eq(pf.status(), RUNNING, "PF device_status (no DMA while faulting)")
    expect_canaries(r, "faulting DMA")

    translation(r, False)
    for f in (a, b):
        f.reset()
        f.init()
    roundtrip(r, a, "after")
    roundtrip(r, b, "after")
    roundtrip(r, c, "sibling")
    roundtrip(r, pf, "pf")
    vf_to_vf(r, a, c)
