"""Item 1: every access width (1, 2, 4, 8) at every offset of every BAR 0
region (common, ISR, device, notify), directly and through the
VIRTIO_PCI_CAP_PCI_CFG window, on the PF and on a VF, while the function
is live (DRIVER_OK, RX buffers posted).

What must hold (virtio 1.2 4.1.3.1, 4.1.4; the core's documented contract
in core/virtio/common_config.h):
  - QEMU survives every access;
  - reads that touch no field return 0; a wrong-width read of a field
    returns 0 or the field's own bytes, never anything else;
  - writes other than a field at its natural width change nothing (every
    field read back with the right width, for every queue);
  - afterwards the function still works: frames go out and come in.
"""
import virtio as V
from common import (expect_no_uplink, expect_snapshot, expect_uplink,
                    roundtrip, tx_to_uplink)
from harness import Failure, check, eq, test

REGION = 0x1000
WIDTHS = (1, 2, 4, 8)
ONES = 0xffffffffffffffff


def live(ctx, which):
    r = ctx.rig(total_vfs=4)
    pf = r.pf().init()
    if which == "pf":
        f = pf
    else:
        vfs = r.enable_vfs(2)
        for v in vfs:
            v.init()
        f = vfs[1]
    f.post_rx()
    roundtrip(r, f, "before")
    f.cc_write("device_feature_select", 0)
    f.cc_write("driver_feature_select", 0)
    f.cc_write("queue_select", 0)
    return r, f


def common_bytes(f, snap):
    """virtio_pci_common_cfg as bytes, selects at 0 (feature) and queue 0."""
    b = bytearray(V.COMMON_END)

    def put(off, width, value):
        b[off:off + width] = value.to_bytes(width, "little")
    for name, (off, w, _, perq) in V.COMMON.items():
        if name in ("device_feature_select", "driver_feature_select", "queue_select"):
            put(off, w, 0)
        elif name == "device_feature":
            put(off, w, snap["device_feature[0]"])
        elif name == "driver_feature":
            put(off, w, snap["driver_feature[0]"])
        elif perq:
            put(off, w, snap["q0." + name])
        else:
            put(off, w, snap[name])
    return bytes(b)


def net_bytes(f):
    return bytes(f.q.read(f.device + i, 1) for i in range(V.NETCFG_END))


def compose(model, off, width):
    v = 0
    for i in range(width):
        if off + i < len(model):
            v |= model[off + i] << (8 * i)
    return v


def read_allowed(region, off, width, cmodel, nmodel):
    """The values a read of @width at @off inside @region may return
    (None: any)."""
    if region == 0:
        if (off, width) in V.COMMON_VALID:
            return {compose(cmodel, off, width)}  # a proper field read
        if off >= V.COMMON_END:
            return {0}
        return {0, compose(cmodel, off, width)}
    if region == 1:
        # ISR: with MSI-X enabled and no configuration change pending,
        # nothing is set; every other byte of the region is no field.
        return {0}
    if region == 2:
        if off >= V.NETCFG_END:
            return {0}
        return {0, compose(nmodel, off, width)}
    # notify: the doorbells (2 bytes at queue_notify_off * 4) have no
    # defined read value; everything else reads 0.
    for qi in range(3):
        if off < 4 * qi + 2 and off + width > 4 * qi:
            return None
    return {0}


def check_reads(q, label, region, meta, answers, cmodel, nmodel, mask=False):
    """meta: [(offset, width, index of the answer)]."""
    bad = []
    for off, w, i in meta:
        got = q.value(answers[i])
        if mask:
            got &= (1 << 8 * w) - 1
        allowed = read_allowed(region, off, w, cmodel, nmodel)
        if allowed is not None and got not in allowed:
            bad.append("%s read %d bytes at +%#x = %#x, allowed %s"
                       % (label, w, off, got, sorted(hex(a) for a in allowed)))
    check(not bad, "%d bad reads, first: %s" % (len(bad), "; ".join(bad[:6])))


def sweep_reads(q, f, region, cmodel, nmodel, label):
    cmds, meta = [], []
    for w in WIDTHS:
        for off in range(REGION - w + 1):
            meta.append((off, w, len(cmds)))
            cmds.append(q.read_cmd(f.bar + region * REGION + off, w))
    check_reads(q, label, region, meta, q.batch(cmds), cmodel, nmodel)
    return len(meta)


def sweep_writes(q, f, region, base, label, widths, prep, one, skip_valid,
                 offsets=None):
    """For each width w (offsets inner): prep(w) commands, then
    one(addr, w, value) at every offset of the region (or offsets(w)) for
    all-ones and zero, except proper field writes of the common
    configuration when skip_valid. All device state must still be as in
    @base after every 4 offsets in the first 0x40 bytes (where the fields
    are) and after every 0x100 bytes elsewhere."""
    pending = []
    count = 0

    def flush(what):
        if pending:
            q.batch(pending)
            del pending[:]
        expect_snapshot(f, base, what)
    for w in widths:
        span = w if w in WIDTHS else 1
        pending += prep(w)
        offs = offsets(w) if offsets else range(REGION - span + 1)
        for off in offs:
            if not (skip_valid and region == 0 and (off, w) in V.COMMON_VALID):
                for val in (ONES, 0):
                    pending += one(f.bar + region * REGION + off, w, val)
                    count += 1
            if (off < 0x40 and off % 4 == 3) or off % 0x100 == 0xff:
                flush("%s %s-byte writes of ones and zero at region offsets "
                      "%#x-%#x" % (label, w, off & ~3 if off < 0x40 else off & ~0xff, off))
        flush("%s %s-byte writes up to the region end" % (label, w))
    return count


REGIONS = {0: "common", 1: "isr", 2: "device", 3: "notify"}


def direct_sweep(ctx, which):
    r, f = live(ctx, which)
    q = r.q
    base = f.snapshot()
    cmodel = common_bytes(f, base)
    nmodel = net_bytes(f)
    n_reads = n_writes = 0
    for region, name in REGIONS.items():
        label = "%r %s" % (f, name)
        n_reads += sweep_reads(q, f, region, cmodel, nmodel, label)
        n_writes += sweep_writes(
            q, f, region, base, label, WIDTHS, lambda w: [],
            lambda a, w, v: [q.write_cmd(a, w, v)], skip_valid=True)
    # Accesses that straddle two regions: QEMU splits them; nothing may
    # change. (Into the MSI-X table at 0x4000 only reads: writing there is
    # programming vector 0.)
    cross = []
    for b in (0x1000, 0x2000, 0x3000, 0x4000):
        for w in (2, 4, 8):
            for off in range(b - w + 1, b):
                cross.append(q.read_cmd(f.bar + off, w))
                if b != 0x4000:
                    cross += [q.write_cmd(f.bar + off, w, ONES),
                              q.write_cmd(f.bar + off, w, 0)]
    q.batch(cross)
    expect_snapshot(f, base, "accesses across region boundaries")
    ctx.note("%d reads, %d writes checked" % (n_reads, n_writes))
    # State afterwards: DRIVER_OK, not NEEDS_RESET, and the NIC works.
    eq(f.status(), V.S_ACKNOWLEDGE | V.S_DRIVER | V.S_FEATURES_OK | V.S_DRIVER_OK,
       "%r device_status after the sweep" % f)
    roundtrip(r, f, "after-sweep")
    st = r.vf_stats(f.fn - 1) if f.fn else r.pf_stats()
    eq(st["needs-reset"], 0, "%r needs-reset count" % f)


@test("bar0-sweep/direct-pf")
def _(ctx):
    direct_sweep(ctx, "pf")


@test("bar0-sweep/direct-vf")
def _(ctx):
    direct_sweep(ctx, "vf")


# ---- VIRTIO_PCI_CAP_PCI_CFG window (4.1.4.9) -----------------------------

def window(f):
    c = f.cap(V.CAP_PCI_CFG)
    check(c is not None, "%r: no VIRTIO_PCI_CAP_PCI_CFG capability" % f)
    return c["pos"]


def win_setup(q, f, pos, bar, offset, length):
    a = f.pcifn.cfg_addr
    return [q.write_cmd(a(pos + V.VCAP_BAR), 1, bar),
            q.write_cmd(a(pos + V.VCAP_OFFSET), 4, offset),
            q.write_cmd(a(pos + V.VCAP_LENGTH), 4, length)]


def win_read(q, f, pos, bar, offset, length, width=4):
    return win_setup(q, f, pos, bar, offset, length) + \
        [q.read_cmd(f.pcifn.cfg_addr(pos + V.VCAP_PCI_CFG_DATA), width)]


def win_write(q, f, pos, bar, offset, length, value, width=4):
    return win_setup(q, f, pos, bar, offset, length) + \
        [q.write_cmd(f.pcifn.cfg_addr(pos + V.VCAP_PCI_CFG_DATA), width,
                     value & 0xffffffff)]


GOOD_LENGTHS = (1, 2, 4)
BAD_LENGTHS = (8, 0, 3, 0xffffffff)


def window_offsets(L):
    """Every offset for the lengths a driver may use; for the bad ones
    every offset where the fields are and every 0x40th beyond."""
    if L in GOOD_LENGTHS:
        return range(REGION - L + 1)
    return [o for o in range(REGION) if o < 0x40 or o % 0x40 == 0]


def window_sweep(ctx, which):
    r, f = live(ctx, which)
    q = r.q
    pos = window(f)
    cfg = f.pcifn.cfg_addr
    a_off, a_len, a_data = (cfg(pos + V.VCAP_OFFSET), cfg(pos + V.VCAP_LENGTH),
                            cfg(pos + V.VCAP_PCI_CFG_DATA))
    base = f.snapshot()
    cmodel = common_bytes(f, base)
    nmodel = net_bytes(f)

    # 1. The capability itself, every width at every offset: the header,
    # cfg_type, id and padding are read-only; bar, offset, length and data
    # are the driver's to write.
    rw = set([4]) | set(range(8, 20))
    orig = bytes(f.pcifn.read8(pos + i) for i in range(20))
    for off in range(20):
        for w in WIDTHS:
            if off + w > 20:
                continue
            q.write(cfg(pos + off), w, ONES)
            now = bytes(f.pcifn.read8(pos + i) for i in range(20))
            for i in range(20):
                inside = off <= i < off + w
                if i in rw and not inside:
                    continue
                want = 0xff if (inside and i in rw) else orig[i]
                if now[i] != want:
                    raise Failure("%r PCI_CFG cap byte %d = %#x after a %d-byte "
                                  "write of ones at +%d, expected %#x"
                                  % (f, i, now[i], w, off, want))
            q.batch([q.write_cmd(cfg(pos + i), 1, orig[i]) for i in sorted(rw)])
    expect_snapshot(f, base, "writes to the PCI_CFG capability fields")

    # 2. Reads through the window, cap.bar = 0: every offset of every region
    # with cap.length 1, 2, 4 (the value is checked like a direct read of
    # that width; misaligned ones are driver errors and only survived) and
    # with the bad lengths 8, 0, 3, ~0 (survived).
    n = 0
    q.batch([q.write_cmd(cfg(pos + V.VCAP_BAR), 1, 0)])
    for region, name in REGIONS.items():
        cmds, meta = [], []
        for L in GOOD_LENGTHS + BAD_LENGTHS:
            cmds.append(q.write_cmd(a_len, 4, L))
            for off in window_offsets(L):
                checked = L in GOOD_LENGTHS and off % L == 0 and off + L <= REGION
                if checked and off < 0x40:
                    # Where the fields are, poison pci_cfg_data first (with
                    # cap.length 0 the window does nothing) so that a read
                    # the device did not perform cannot pass on stale data.
                    cmds += [q.write_cmd(a_len, 4, 0),
                             q.write_cmd(a_data, 4, 0xa5a5a5a5),
                             q.write_cmd(a_len, 4, L)]
                cmds.append(q.write_cmd(a_off, 4, region * REGION + off))
                if checked:
                    meta.append((off, L, len(cmds)))
                cmds.append(q.read_cmd(a_data, 4))
        answers = q.batch(cmds)
        check_reads(q, "%r window %s" % (f, name), region, meta, answers,
                    cmodel, nmodel, mask=True)
        n += len(cmds) // 2
    expect_snapshot(f, base, "reads through the PCI_CFG window")

    # 3. Writes through the window: everything but proper field writes of
    # the common configuration, with cap.length 1, 2, 4 and the bad ones;
    # nothing may change.
    for region, name in REGIONS.items():
        n += sweep_writes(
            q, f, region, base, "%r window %s" % (f, name),
            GOOD_LENGTHS + BAD_LENGTHS,
            lambda L: [q.write_cmd(a_len, 4, L)],
            lambda a, L, v: [q.write_cmd(a_off, 4, a - f.bar),
                             q.write_cmd(a_data, 4, v & 0xffffffff)],
            skip_valid=True, offsets=window_offsets)

    # 4. Bad cap.bar (1-5 are no BAR of this function, 6+ no BAR at all)
    # and offsets outside BAR 0: writes that would reset the device, move
    # queue_select or ring the TX doorbell must do nothing; reads are only
    # survived.
    t = tx_to_uplink(r, f, "must-not-be-kicked", kick=False)
    cmds = []
    for bar in (1, 2, 3, 4, 5, 6, 7, 0x80, 0xff):
        cmds += win_write(q, f, pos, bar, 0x14, 1, 0)
        cmds += win_write(q, f, pos, bar, 0x16, 2, 2)
        cmds += win_write(q, f, pos, bar, 0x3000 + 4 * V.TXQ, 2, V.TXQ)
        cmds += win_read(q, f, pos, bar, 0x14, 1)
    for off in (0x8000, 0x8014, 0xb014, 0xfffffffc, 0xffffffff, 0x80000014):
        for L in GOOD_LENGTHS:
            cmds += win_write(q, f, pos, 0, off, L, 0)
            cmds += win_read(q, f, pos, 0, off, L)
    # The MSI-X table and PBA are in BAR 0 too: reads only.
    for off in (0x4000, 0x4004, 0x400c, 0x6000, 0x7ffc):
        for L in GOOD_LENGTHS:
            cmds += win_read(q, f, pos, 0, off, L)
    # pci_cfg_data accessed with 8 bytes (QEMU splits it) and at +1..+3.
    for L in GOOD_LENGTHS:
        cmds += win_read(q, f, pos, 0, 0x12, L, width=8)
        for d in (1, 2, 3):
            cmds += win_setup(q, f, pos, 0, 0x12, L)
            cmds.append(q.read_cmd(a_data + d, 1))
    q.batch(cmds)
    expect_no_uplink(r, t, what="though only bad window writes rang the doorbell")
    expect_snapshot(f, base, "bad cap.bar / cap.offset combinations")
    eq(f.vqs[V.TXQ].pending(), 1, "%r TX chains pending after bad doorbells" % f)

    # 5. The window does work for proper accesses: queue_select written
    # through it, and the TX doorbell rung through it.
    q.batch(win_write(q, f, pos, 0, 0x16, 2, 1))
    eq(f.cc_read("queue_select"), 1, "%r queue_select written through the window" % f)
    q.batch(win_write(q, f, pos, 0, 0x16, 2, 0))
    eq(f.cc_read("queue_select"), 0, "%r queue_select restored through the window" % f)
    q.batch(win_write(q, f, pos, 0, 0x3000 + 4 * V.TXQ, 2, V.TXQ))
    expect_uplink(r, t, what="kicked through the PCI_CFG window")
    ctx.note("%d window accesses checked" % n)

    eq(f.status(), V.S_ACKNOWLEDGE | V.S_DRIVER | V.S_FEATURES_OK | V.S_DRIVER_OK,
       "%r device_status after the window sweep" % f)
    roundtrip(r, f, "after-window")


@test("pci-cfg-window/sweep-pf")
def _(ctx):
    window_sweep(ctx, "pf")


@test("pci-cfg-window/sweep-vf")
def _(ctx):
    window_sweep(ctx, "vf")


@test("pci-cfg-window/data-access-width-equals-length")
def _(ctx):
    """Virtio 1.2 4.1.4.9.1: upon detecting a driver read (write) access to
    pci_cfg_data the device MUST execute the read (write) of cap.length
    bytes at cap.offset. SeaBIOS's virtio driver accesses pci_cfg_data with
    the width of cap.length (1, 2 or 4 bytes); that must work too."""
    r = ctx.rig(total_vfs=4)
    r.pf().init()
    vfs = r.enable_vfs(1)
    q = r.q
    for f in (r.pf(), vfs[0]):
        pos = window(f)
        data = f.pcifn.cfg_addr(pos + V.VCAP_PCI_CFG_DATA)
        f.reset()
        # 1-byte: device_status written then read through the window.
        q.batch(win_setup(q, f, pos, 0, 0x14, 1) + [q.write_cmd(data, 1, V.S_ACKNOWLEDGE)])
        ctx.soft(eq, f.status(), V.S_ACKNOWLEDGE, "%r device_status after a 1-byte window write" % f)
        f.set_status(V.S_ACKNOWLEDGE)

        def poison():
            # pci_cfg_data is plain config space too: fill it with a value
            # no register has (cap.length 0: the window does nothing) so a
            # read that is not performed cannot pass by accident.
            return win_setup(q, f, pos, 0, 0, 0) + [q.write_cmd(data, 4, 0xa5a5a5a5)]
        got = q.value(q.batch(poison() + win_setup(q, f, pos, 0, 0x14, 1) +
                              [q.read_cmd(data, 1)])[-1])
        ctx.soft(eq, got, V.S_ACKNOWLEDGE, "%r device_status by a 1-byte window read" % f)
        got = q.value(q.batch(poison() + win_setup(q, f, pos, 0, 0x2000, 1) +
                              [q.read_cmd(data, 1)])[-1])
        ctx.soft(eq, got, f.mac()[0], "%r mac[0] by a 1-byte window read" % f)
        # 2-byte: num_queues read, queue_select written.
        got = q.value(q.batch(poison() + win_setup(q, f, pos, 0, 0x12, 2) +
                              [q.read_cmd(data, 2)])[-1])
        ctx.soft(eq, got, 3, "%r num_queues by a 2-byte window read" % f)
        q.batch(win_setup(q, f, pos, 0, 0x16, 2) + [q.write_cmd(data, 2, 2)])
        ctx.soft(eq, f.cc_read("queue_select"), 2, "%r queue_select after a 2-byte window write" % f)
        f.cc_write("queue_select", 0)
        # 4-byte, for reference (the width the device handles today).
        f.cc_write("device_feature_select", 1)
        got = q.value(q.batch(poison() + win_setup(q, f, pos, 0, 0x04, 4) +
                              [q.read_cmd(data, 4)])[-1])
        ctx.soft(eq, got, f.cc_read("device_feature"), "%r device_feature[1] by a 4-byte window read" % f)
        f.cc_write("device_feature_select", 0)
        f.reset()
        f.init()
        roundtrip(r, f)
