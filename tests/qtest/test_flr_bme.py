"""Item 3: Function Level Reset of a VF with TX and RX DMA in flight, and
Bus Master Enable cleared and set again on a VF with TX pending.

Expected (PCIe 6.6.2, virtio 1.2 2.1.2 / 4.1.5.3):
  - FLR: the function is in its reset state afterwards (device_status 0,
    queues disabled, MSI-X off, command register 0), issues no DMA to the
    memory it had been given, and works again once re-initialised; its
    siblings and the PF are not disturbed;
  - BME off: the function issues no DMA at all (nothing is written to its
    rings, no MSI-X message) and does NOT enter NEEDS_RESET; when BME comes
    back the TX that was kicked meanwhile is processed."""
import pci as P
import virtio as V
from common import (FAR_MAC, expect_canaries, expect_memory_unchanged,
                    expect_no_uplink, expect_reset_state, expect_uplink,
                    roundtrip, tag, tx_to_uplink, vf_to_vf)
from harness import check, eq, test, wait_until

RUNNING = V.S_ACKNOWLEDGE | V.S_DRIVER | V.S_FEATURES_OK | V.S_DRIVER_OK
BIG = 1400


@test("vf-flr/with-tx-and-rx-in-flight")
def _(ctx):
    r = ctx.rig(total_vfs=4, extra_device="vf-max-tx-rate=0=1")
    q = r.q
    r.pf().init()
    a, b, c = r.enable_vfs(3)
    for f in (a, b, c):
        f.init()
    # VF0 (a): RX queue enabled with no buffers; rate-limited TX pending to
    # the uplink; a frame held for VF1 (b), whose RX ring is empty too.
    tags = []
    for i in range(16):  # more than the 12.5 KB bucket lets through
        t = tag("a-pending-%d" % i)
        a.queue_tx(V.frame(FAR_MAC, a.mac(), t + bytes(BIG)))
        tags.append(t)
    t_held = tag("a-to-b")
    a.queue_tx(V.frame(b.mac(), a.mac(), t_held))
    for i in range(3):
        r.uplink.send(V.frame(a.mac(), FAR_MAC, tag("up-for-a-%d" % i)))
    q.settle(0.03)
    r.uplink.drain()
    left = a.vqs[V.TXQ].pending()
    check(left >= 3, "precondition: only %d TX chains pending on VF0" % left)
    r.uplink.inbox.clear()
    before = r.fn_memory(1)

    a.pcifn.flr()
    exp = a.pcifn.find_cap(P.CAP_ID_EXP)
    eq(a.pcifn.read16(exp + P.EXP_DEVCTL) & P.EXP_DEVCTL_BCR_FLR, 0,
       "Initiate FLR reads back 0")
    eq(a.pcifn.command(), 0, "VF0 command register after FLR")
    check(not a.msix_enabled(), "VF0 MSI-X enabled after FLR")
    # Look at the virtio state with memory decoding only (no bus mastering).
    a.pcifn.set_command(P.CMD_MEMORY)
    expect_reset_state(a)
    # Time for everything that was in flight: timers, the BH, the uplink.
    for _ in range(10):
        q.clock_step(10_000_000)
        q.settle(0.003)
    r.uplink.send(V.frame(a.mac(), FAR_MAC, tag("up-after-flr")))
    q.settle(0.03)
    expect_memory_unchanged(r, 1, before, "VF0 after FLR")
    expect_canaries(r, "FLR with DMA in flight")
    r.uplink.drain()
    late = [t for t in tags if any(t in f for f in r.uplink.inbox)]
    check(not late, "TX queued before FLR came out of the uplink afterwards:",
          b" ".join(late).decode())
    expect_reset_state(a)
    # Siblings and the PF are undisturbed.
    for f in (b, c):
        eq(f.status(), RUNNING, "%r device_status after VF0's FLR" % f)
    roundtrip(r, b, "sibling")
    roundtrip(r, c, "sibling")
    roundtrip(r, r.pf(), "pf")
    # VF0 works again once re-initialised.
    a = r.setup_vf(0)
    a.init()
    roundtrip(r, a, "after-flr")
    vf_to_vf(r, a, c)
    vf_to_vf(r, c, a)
    check(not a.status() & V.S_NEEDS_RESET, "VF0 NEEDS_RESET after re-init")


@test("vf-flr/repeated-while-traffic")
def _(ctx):
    """FLR a VF 8 times, each while its sibling floods it and the uplink
    sends it frames; every time it comes back reset and then works."""
    r = ctx.rig(total_vfs=4)
    q = r.q
    r.pf().init()
    a, b = r.enable_vfs(2)
    b.init()
    b.post_rx()
    for cycle in range(8):
        a = r.setup_vf(0)
        a.init()
        a.post_rx(4)
        for i in range(8):
            b.queue_tx(V.frame(a.mac(), b.mac(), tag("b-to-a-%d" % cycle)))
            r.uplink.send(V.frame(a.mac(), FAR_MAC, tag("up-to-a-%d" % cycle)))
        a.queue_tx(V.frame(FAR_MAC, a.mac(), tag("a-out-%d" % cycle)))
        q.settle(0.001 * (cycle % 3))
        a.pcifn.flr()
        eq(a.pcifn.command(), 0, "VF0 command after FLR %d" % cycle)
        a.pcifn.set_command(P.CMD_MEMORY)
        expect_reset_state(a)
        q.clock_step(15_000_000)
        q.settle(0.002)
        b.vqs[V.TXQ].pop_used()
    wait_until(q, lambda: b.vqs[V.TXQ].pending() == 0, "VF1's TX ring to drain",
               step_ns=1_000_000)
    expect_canaries(r, "repeated FLR")
    a = r.setup_vf(0)
    a.init()
    roundtrip(r, a, "after-flrs")
    roundtrip(r, b, "sibling")
    eq(b.status(), RUNNING, "VF1 device_status")


@test("vf-bme/off-then-on-with-tx-pending")
def _(ctx):
    r = ctx.rig(total_vfs=4)
    q = r.q
    r.pf().init()
    a, b = r.enable_vfs(2)
    a.init()
    b.init()
    a.post_rx()
    roundtrip(r, a, "before")
    a.clear_msi()

    a.pcifn.set_command(P.CMD_MASTER, on=False)
    eq(a.pcifn.command() & P.CMD_MASTER, 0, "VF0 BME after clearing it")
    t = tx_to_uplink(r, a, "while-bme-off")          # queued and kicked
    before = r.fn_memory(1)                          # after the driver's writes
    r.uplink.send(V.frame(a.mac(), FAR_MAC, tag("up-while-bme-off")))
    for _ in range(5):
        q.clock_step(10_000_000)
        q.settle(0.005)
    ctx.soft(expect_no_uplink, r, t, wait=0.1,
             what="while VF0's Bus Master Enable was off")
    ctx.soft(eq, a.status(), RUNNING, "VF0 device_status with BME off (no NEEDS_RESET)")
    ctx.soft(expect_memory_unchanged, r, 1, before, "VF0 with BME off")
    ctx.soft(expect_canaries, r, "BME off")
    ctx.soft(eq, r.vf_stats(0)["needs-reset"], 0, "VF0 needs-reset count with BME off")

    a.pcifn.set_command(P.CMD_MASTER, on=True)
    # The TX kicked while BME was off goes out now, without another kick.
    got = None
    for _ in range(100):
        got = r.uplink.wait_for(lambda fr: t in fr, timeout=0.01)
        if got:
            break
        q.clock_step(1_000_000)
    ctx.soft(check, got is not None,
             "TX kicked while BME was off was not sent within 100 ms (virtual) "
             "after BME came back")
    if got is not None:
        wait_until(q, lambda: a.vqs[V.TXQ].pending() == 0,
                   "VF0's TX ring to complete", step_ns=1_000_000)
        wait_until(q, lambda: a.msi_fired(2), "VF0's TX MSI-X message",
                   step_ns=1_000_000)
    ctx.soft(eq, a.status(), RUNNING, "VF0 device_status after BME back on")
    if a.status() & V.S_NEEDS_RESET:
        a.reset()       # reported above; see whether the rest holds
        a.init()
    roundtrip(r, a, "after-bme")
    vf_to_vf(r, a, b)
    vf_to_vf(r, b, a)
