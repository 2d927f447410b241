"""Item 2: NumVFs and VF Enable changed while the VFs' queues are live and
have TX pending. A disabled VF does no DMA; a re-enabled VF is in its reset
state (device_status 0, queues disabled, MSI-X off, command register 0)
and works after the driver initialises it again.

TX pending: VF0 has max-tx-rate 1 Mbit/s (token bucket 100 ms deep:
12.5 KB; with mtu=1500, as the bucket holds at least two frames of the
MTU, so 18 KB at the default 9000) and
queues 1400-byte frames; under -accel qtest virtual time only moves with
clock_step, so all but the first few wait in the ring. VF1 has its RX queue
enabled with no buffers, so frames from the uplink for it wait too."""
import pci as P
import virtio as V
from common import (FAR_MAC, expect_canaries, expect_memory_unchanged,
                    expect_reset_state, roundtrip, tag, vf_to_vf)
from harness import check, eq, test, wait_until

RATE_LIMITED = "vf-max-tx-rate=0=1,mtu=1500"
BIG = 1400


def pending_tx(r, a, n=24, label="pending"):
    """Queue n big frames on a (rate-limited) for the uplink; returns their
    tags after checking that some are still waiting."""
    tags = []
    for i in range(n):
        t = tag("%s-%d" % (label, i))
        a.queue_tx(V.frame(FAR_MAC, a.mac(), t + bytes(BIG)))
        tags.append(t)
    r.q.settle(0.02)
    left = a.vqs[V.TXQ].pending()
    check(left >= n // 2, "precondition: only %d of %d rate-limited frames left in "
          "VF0's TX ring" % (left, n))
    return tags


def live_pair(r, n_vfs=2):
    r.pf().init()
    vfs = r.enable_vfs(n_vfs)
    for f in vfs:
        f.init()
    a, b = vfs[0], vfs[1]
    a.post_rx()
    return vfs


@test("sriov/vf-disable-with-tx-pending-then-reenable")
def _(ctx):
    r = ctx.rig(total_vfs=4, extra_device=RATE_LIMITED)
    q = r.q
    a, b = live_pair(r)
    tags = pending_tx(r, a)
    # RX in flight for VF1: it has no buffers; the uplink holds the frame.
    r.uplink.send(V.frame(b.mac(), FAR_MAC, tag("for-vf1")))
    q.settle(0.02)
    r.uplink.drain()
    sent = [t for t in tags if any(t in f for f in r.uplink.inbox)]
    tags = [t for t in tags if t not in sent]
    r.uplink.inbox.clear()
    eq(len(tags), a.vqs[V.TXQ].pending(), "TX chains pending vs frames not sent")
    before = {fn: r.fn_memory(fn) for fn in (1, 2)}

    r.disable_vfs()
    eq(q.qom_get("/machine/peripheral/pf0", "num-vfs"), 0, "QOM num-vfs after VF Enable off")
    eq(q.qom_get("/machine/peripheral/pf0/vf0", "enabled"), False, "VF0 enabled")
    check(not r.vf_pci(0).present(), "VF0 still answers config reads after VF Enable off")
    # Give everything that was pending its chance: timers, the BH, the uplink.
    for _ in range(10):
        q.clock_step(10_000_000)
        q.settle(0.005)
    r.uplink.send(V.frame(a.mac(), FAR_MAC, tag("for-disabled-vf0")))
    q.settle(0.05)
    for fn in (1, 2):
        expect_memory_unchanged(r, fn, before[fn], "a disabled VF")
    expect_canaries(r, "VF disable with TX pending")
    r.uplink.drain()
    late = [t for t in tags if any(t in f for f in r.uplink.inbox)]
    check(not late, "frames of a disabled VF came out of the uplink:",
          b" ".join(late).decode())

    # Re-enable with a different NumVFs: every VF comes back reset.
    r.set_num_vfs_reg(3)
    r.set_sriov_ctrl(P.SRIOV_CTRL_VFE | P.SRIOV_CTRL_MSE)
    eq(q.qom_get("/machine/peripheral/pf0", "num-vfs"), 3, "QOM num-vfs")
    vfs = []
    for k in range(3):
        vp = r.vf_pci(k)
        check(vp.present(), "VF%d absent after re-enable" % k)
        eq(vp.command(), 0, "VF%d command register after re-enable" % k)
        f = r.setup_vf(k)
        expect_reset_state(f)
        check(not f.msix_enabled(), "VF%d MSI-X still enabled after re-enable" % k)
        vfs.append(f)
    a, b, c = vfs
    for f in vfs:
        f.init()
    for _ in range(5):
        q.clock_step(10_000_000)
    for f in vfs:
        roundtrip(r, f, "reenabled")
    vf_to_vf(r, b, a)
    vf_to_vf(r, c, b)
    r.uplink.drain()
    late = [t for t in tags if any(t in f for f in r.uplink.inbox)]
    check(not late, "frames queued before VF disable came out after re-enable:",
          b" ".join(late).decode())
    expect_canaries(r, "VF re-enable")


@test("sriov/numvfs-written-while-vf-enable-set")
def _(ctx):
    """Changing NumVFs with VF Enable set is undefined for the driver; the
    device must stay consistent with what config space says is enabled."""
    r = ctx.rig(total_vfs=4, extra_device=RATE_LIMITED)
    q = r.q
    a, b = live_pair(r)
    pending_tx(r, a)
    for n in (1, 4, 0, 3):
        r.set_num_vfs_reg(n)
        now = r.num_vfs_reg()
        eq(q.qom_get("/machine/peripheral/pf0", "num-vfs"), now,
           "QOM num-vfs vs the NumVFs register after writing %d" % n)
        for k in range(4):
            eq(r.vf_pci(k).present(), k < now,
               "VF%d present after NumVFs write %d (register reads %d)" % (k, n, now))
    now = r.num_vfs_reg()
    check(now >= 2, "NumVFs changed under VF Enable to %d" % now)
    # The live VFs were not disturbed.
    for f in (a, b):
        eq(f.status(), V.S_ACKNOWLEDGE | V.S_DRIVER | V.S_FEATURES_OK | V.S_DRIVER_OK,
           "%r device_status" % f)
    roundtrip(r, b, "after-numvfs")
    # VF Enable off, NumVFs 1, on: VF0 reset, VF1 gone.
    r.disable_vfs()
    r.set_num_vfs_reg(1)
    r.set_sriov_ctrl(P.SRIOV_CTRL_VFE | P.SRIOV_CTRL_MSE)
    eq(q.qom_get("/machine/peripheral/pf0", "num-vfs"), 1, "QOM num-vfs")
    check(not r.vf_pci(1).present(), "VF1 present with NumVFs 1")
    a = r.setup_vf(0)
    expect_reset_state(a)
    a.init()
    q.clock_step(50_000_000)
    roundtrip(r, a, "numvfs-1")
    roundtrip(r, r.pf(), "pf")
    expect_canaries(r, "NumVFs changes")


@test("sriov/vf-enable-cycles-with-live-queues")
def _(ctx):
    """VF Enable cleared and set 12 times, each time with both VFs live,
    TX pending on VF0 and an uplink frame waiting for VF1."""
    r = ctx.rig(total_vfs=4, extra_device=RATE_LIMITED)
    q = r.q
    r.pf().init()
    for cycle in range(12):
        vfs = r.enable_vfs(2)
        for f in vfs:
            expect_reset_state(f)
            f.init()
        a, b = vfs
        a.post_rx()
        pending_tx(r, a, label="cycle%d" % cycle)
        r.uplink.send(V.frame(b.mac(), FAR_MAC, tag("cycle%d-vf1" % cycle)))
        q.settle(0.005)
        if cycle % 3 == 2:
            q.clock_step(5_000_000)   # let some timers run mid-flight
        r.disable_vfs()
        q.settle(0.002)
    for _ in range(5):
        q.clock_step(10_000_000)
        q.settle(0.002)
    expect_canaries(r, "VF Enable cycles")
    a, b = r.enable_vfs(2)
    expect_reset_state(a)
    expect_reset_state(b)
    a.init()
    b.init()
    roundtrip(r, a, "after-cycles")
    vf_to_vf(r, a, b)
    roundtrip(r, r.pf(), "pf")
