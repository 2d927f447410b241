"""Item 4: a ring aimed at a BAR. VF0 (the offender) is given, in turn, an
RX buffer, a used ring and a TX buffer whose guest-physical address is a
register of a BAR: its own TX doorbell or device_status, or those of its
sibling VF1.

Expected: QEMU survives; the targeted register does not change (a doorbell
is not rung, a device_status is not rewritten); VF0 ends in NEEDS_RESET
(device_status bit 0x40); nothing is written outside the memory VF0 was
given (canaries, VF1's and the PF's memory unchanged); VF1 and the PF keep
working; VF0 works again after a reset and re-initialisation.

How each target is hit: an RX buffer or TX buffer is a descriptor of the
register's own width at its address (in a chain with ordinary RAM), so a
device that performs the DMA writes (reads) exactly that register; a used
ring is placed so that used.ring[0] (8 bytes, id and len) lands on it.
A doorbell hit is observable: the doorbell's owner has a TX chain made
available but not kicked, which must not go out."""
import rig as R
import virtio as V
from common import (FAR_MAC, expect_canaries, expect_no_uplink, expect_uplink,
                    memory_diff, roundtrip, tag, tx_to_uplink, vf_to_vf)
from harness import check, eq, test, wait_until

RUNNING = V.S_ACKNOWLEDGE | V.S_DRIVER | V.S_FEATURES_OK | V.S_DRIVER_OK
TARGETS = {
    # name: (function index of the owner in 'vfs', offset in BAR, width)
    "own-notify": (0, 0x3000 + 4 * V.TXQ, 2),
    "own-status": (0, 0x14, 1),
    "sibling-notify": (1, 0x3000 + 4 * V.TXQ, 2),
    "sibling-status": (1, 0x14, 1),
}


def ring_at_bar(ctx, part, target):
    r = ctx.rig(total_vfs=4)
    q = r.q
    pf = r.pf().init()
    pf.post_rx()
    vfs = r.enable_vfs(2)
    a, b = vfs
    owner_i, reg, width = TARGETS[target]
    owner = vfs[owner_i]
    gpa = owner.bar + reg
    b.init()
    b.post_rx()

    if part == "used-ring":
        # used.ring[0] at the register: the used area starts 4 bytes before
        # (4-byte aligned as 2.7 requires).
        dev = gpa - 4
        check(dev % 4 == 0, "used ring address %#x not 4-byte aligned" % dev)
        desc, drv, _ = a.queue_area(V.RXQ)
        a.init(addrs={V.RXQ: (desc, drv, dev)})
    else:
        a.init()

    # The doorbell's owner has a TX chain it has not kicked.
    unkicked = None
    if target.endswith("notify") and part != "tx-buffer":
        unkicked = tx_to_uplink(r, owner, "unkicked", kick=False)
    q.settle(0.01)
    status_before = {f.fn: f.status() for f in (pf, a, b)}
    mem_before = {fn: r.fn_memory(fn) for fn in (0, 2)}   # PF and VF1
    r.uplink.drain()
    r.uplink.inbox.clear()

    t_tx = None
    if part == "rx-buffer":
        vq = a.vqs[V.RXQ]
        vq.add([(gpa, width, True), (a.buf(V.RXQ, 1), 2048, True)])
        a.kick(V.RXQ)
        r.uplink.send(V.frame(a.mac(), FAR_MAC, tag("trigger-rx")))
    elif part == "used-ring":
        a.post_rx(4)
        r.uplink.send(V.frame(a.mac(), FAR_MAC, tag("trigger-rx")))
    else:
        t_tx = tag("tx-with-bar-tail")
        data = bytes(V.NET_HDR_LEN) + V.frame(FAR_MAC, a.mac(), t_tx)
        addr = a.buf(V.TXQ, 0)
        q.memwrite(addr, data)
        a.vqs[V.TXQ].add([(addr, len(data), False), (gpa, width, False)])
        a.kick(V.TXQ)
    for _ in range(3):
        q.settle(0.01)
        q.clock_step(10_000_000)
    q.settle(0.02)
    q.check_alive()

    # Independent expectations, all reported.
    def own_status():
        eq(a.status(), status_before[a.fn] | V.S_NEEDS_RESET,
           "VF0 device_status (own, targeted): only NEEDS_RESET may be added")

    def sibling_status():
        eq(b.status(), status_before[b.fn], "VF1 device_status (targeted by VF0)")
    if target == "own-status":
        ctx.soft(own_status)
    if target == "sibling-status":
        ctx.soft(sibling_status)
    if unkicked is not None:
        ctx.soft(expect_no_uplink, r, unkicked, wait=0.1,
                 what="though nobody kicked it (doorbell rung by VF0's DMA)")
    if t_tx is not None:
        ctx.soft(expect_no_uplink, r, t_tx, wait=0.05,
                 what="with a tail read from a BAR register")

    def needs_reset():
        st = a.status()
        check(st & V.S_NEEDS_RESET, "VF0 is not in NEEDS_RESET: device_status %#x" % st)
    ctx.soft(needs_reset)
    # Nothing written outside VF0's memory.
    ctx.soft(expect_canaries, r, "VF0's DMA at a BAR")

    def others_memory():
        for fn, before in mem_before.items():
            after = r.fn_memory(fn)
            check(after == before, "memory of function %d (not VF0's) was written: %s"
                  % (fn, memory_diff(before, after, R.FN_MEM + fn * 0x100000)))
    ctx.soft(others_memory)
    # The others keep working.
    eq(pf.status(), status_before[pf.fn], "PF device_status")
    if target != "sibling-status":
        eq(b.status(), status_before[b.fn], "VF1 device_status")
    else:
        b.reset()   # reported above; bring VF1 back to see the rest
        b.init()
        b.post_rx()
    if unkicked is not None and owner is b and b.vqs[V.TXQ].pending() == 1:
        b.kick(V.TXQ)
        expect_uplink(r, unkicked, what="once VF1 kicked it")
    roundtrip(r, b, "sibling")
    roundtrip(r, pf, "pf")
    vf_to_vf(r, b, pf)
    # VF0 recovers: reset, ordinary rings, traffic.
    a.reset()
    a.init()
    roundtrip(r, a, "recovered")
    vf_to_vf(r, a, b)


for _part in ("rx-buffer", "used-ring", "tx-buffer"):
    for _target in TARGETS:
        def _t(ctx, part=_part, target=_target):
            ring_at_bar(ctx, part, target)
        test("ring-at-bar/%s/%s" % (_part, _target))(_t)


def ring_in_ram(ctx, part):
    """Control: the same chain shapes with the odd piece in VF0's own RAM
    instead of a BAR. They are legal (VERSION_1 implies any layout), so
    VF0 must not enter NEEDS_RESET and the frame must get through."""
    r = ctx.rig(total_vfs=4)
    q = r.q
    pf = r.pf().init()
    a, b = r.enable_vfs(2)
    b.init()
    b.post_rx()
    spot = a.mem + 0x3010          # free RAM inside VF0's memory
    if part == "used-ring":
        desc, drv, _ = a.queue_area(V.RXQ)
        a.init(addrs={V.RXQ: (desc, drv, spot - 4)})
        q.memset(spot - 4, 6 + 8 * 16, 0)
    else:
        a.init()
    status_before = a.status()
    if part == "rx-buffer":
        t = tag("trigger-rx")
        a.vqs[V.RXQ].add([(spot, 1, True), (a.buf(V.RXQ, 1), 2048, True)])
        a.kick(V.RXQ)
        r.uplink.send(V.frame(a.mac(), FAR_MAC, t))
        wait_until(q, lambda: a.vqs[V.RXQ].used_idx() == 1, "VF0 to use the RX chain")
        data = q.memread(a.buf(V.RXQ, 1), 2048)
        check(t in data, "the frame is not in the second RX segment")
    elif part == "used-ring":
        t = tag("trigger-rx")
        a.post_rx(4)
        r.uplink.send(V.frame(a.mac(), FAR_MAC, t))
        wait_until(q, lambda: a.vqs[V.RXQ].used_idx() == 1, "VF0's used ring at %#x" % spot)
        head, length = a.vqs[V.RXQ].pop_used()[0]
        check(t in q.memread(a.buf(V.RXQ, head), length), "the frame is not in the RX buffer")
    else:
        t = tag("tx-with-ram-tail")
        data = bytes(V.NET_HDR_LEN) + V.frame(FAR_MAC, a.mac(), t)
        addr = a.buf(V.TXQ, 0)
        q.memwrite(addr, data)
        q.memwrite(spot, b"\x11\x22")
        a.vqs[V.TXQ].add([(addr, len(data), False), (spot, 2, False)])
        a.kick(V.TXQ)
        got = expect_uplink(r, t, what="with a 2-byte tail in RAM")
        check(got.endswith(b"\x11\x22"), "the tail segment is not at the end of the frame")
    eq(a.status(), status_before, "VF0 device_status (must not be NEEDS_RESET)")
    expect_canaries(r, "a legal chain")
    roundtrip(r, a, "control")
    roundtrip(r, b, "sibling")


for _part in ("rx-buffer", "used-ring", "tx-buffer"):
    def _c(ctx, part=_part):
        ring_in_ram(ctx, part)
    test("ring-at-bar/%s/control-in-ram" % _part)(_c)
