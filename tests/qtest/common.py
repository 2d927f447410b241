"""Helpers shared by the tests: traffic checks over the uplink and between
functions, and the 'device still works' check every test ends with."""
import itertools

import virtio as V
from harness import Failure, check, eq, wait_until

# A MAC that no function owns: the switch sends it out of the uplink.
FAR_MAC = bytes.fromhex("02eeeeeeee01")

_seq = itertools.count(1)


def tag(label):
    return ("<%s#%d>" % (label, next(_seq))).encode()


def ensure_rx_buffers(f, want=4):
    vq = f.vqs[V.RXQ]
    free = vq.size - vq.pending()
    if vq.pending() < want and free > 0:
        f.post_rx(min(free, vq.size - vq.pending()))


def wait_rx(r, f, t, timeout=2.0, step_ns=0):
    """Wait until f received a frame containing tag t; returns the frame."""
    inbox = f.__dict__.setdefault("inbox", [])

    def look():
        inbox.extend(f.received())
        ensure_rx_buffers(f)
        for fr in inbox:
            if t in fr:
                inbox.remove(fr)
                return fr
        return None
    return wait_until(r.q, look, "%r to receive %s" % (f, t.decode()),
                      timeout=timeout, step_ns=step_ns)


def saw_rx(f, t):
    """Did f receive a frame with tag t (without waiting)?"""
    inbox = f.__dict__.setdefault("inbox", [])
    inbox.extend(f.received())
    return any(t in fr for fr in inbox)


def tx_to_uplink(r, f, label="out", kick=True):
    t = tag("%r-%s" % (f, label))
    f.queue_tx(V.frame(FAR_MAC, f.mac(), t), kick=kick)
    return t


def expect_uplink(r, t, timeout=2.0, what=""):
    got = r.uplink.wait_for(lambda fr: t in fr, timeout=timeout)
    check(got is not None, "frame %s %sdid not come out of the uplink"
          % (t.decode(), what + " " if what else ""))
    return got


def expect_no_uplink(r, t, wait=0.2, what=""):
    got = r.uplink.wait_for(lambda fr: t in fr, timeout=wait)
    check(got is None, "frame %s came out of the uplink %s"
          % (t.decode(), what))


def roundtrip(r, f, label="works"):
    """f is a working NIC: a frame goes out through the uplink and one
    comes in from it, and f's TX ring is completed."""
    check(not f.status() & V.S_NEEDS_RESET,
          "%r is in NEEDS_RESET (status %#x)" % (f, f.status()))
    ensure_rx_buffers(f)
    vq = f.vqs[V.TXQ]
    t = tx_to_uplink(r, f, label)
    expect_uplink(r, t, what="sent by %r" % f)
    wait_until(r.q, lambda: vq.pending() == 0,
               "%r's TX ring to be completed" % f)
    t2 = tag("%r-%s-in" % (f, label))
    r.uplink.send(V.frame(f.mac(), FAR_MAC, t2))
    wait_rx(r, f, t2)


def vf_to_vf(r, src, dst, label="v2v"):
    ensure_rx_buffers(dst)
    t = tag("%r>%r-%s" % (src, dst, label))
    src.queue_tx(V.frame(dst.mac(), src.mac(), t))
    wait_rx(r, dst, t)


def expect_reset_state(f, max_qsize=256):
    """The function is as after a reset (virtio 1.2 2.4, 4.1.4.3)."""
    eq(f.cc_read("device_status"), 0, "%r device_status" % f)
    eq(f.cc_read("msix_config"), V.NO_VECTOR, "%r msix_config" % f)
    f.cc_write("driver_feature_select", 0)
    eq(f.cc_read("driver_feature"), 0, "%r driver_feature[0]" % f)
    f.cc_write("driver_feature_select", 1)
    eq(f.cc_read("driver_feature"), 0, "%r driver_feature[1]" % f)
    f.cc_write("driver_feature_select", 0)
    for qi in range(3):
        f.cc_write("queue_select", qi)
        eq(f.cc_read("queue_enable"), 0, "%r queue %d queue_enable" % (f, qi))
        eq(f.cc_read("queue_msix_vector"), V.NO_VECTOR,
           "%r queue %d queue_msix_vector" % (f, qi))
        eq(f.cc_read("queue_size"), max_qsize, "%r queue %d queue_size" % (f, qi))
        for a in ("queue_desc_lo", "queue_desc_hi", "queue_driver_lo",
                  "queue_driver_hi", "queue_device_lo", "queue_device_hi"):
            eq(f.cc_read(a), 0, "%r queue %d %s" % (f, qi, a))
    f.cc_write("queue_select", 0)


def diff(a, b):
    keys = sorted(set(a) | set(b), key=str)
    return ", ".join("%s: %s -> %s" % (k, _h(a.get(k)), _h(b.get(k)))
                     for k in keys if a.get(k) != b.get(k))


def _h(v):
    return hex(v) if isinstance(v, int) else repr(v)


def expect_snapshot(f, base, what):
    now = f.snapshot()
    if now != base:
        raise Failure("%r: %s changed device state: %s" % (f, what, diff(base, now)))


def expect_canaries(r, what):
    bad = r.canary_damage()
    check(not bad, "%s wrote guest RAM no function was given: %s"
          % (what, ", ".join("%#x=%#x" % (a, b) for a, b in bad)))


def memory_diff(before, after, base):
    """First addresses where two dumps differ, as text."""
    out = []
    for i in range(min(len(before), len(after))):
        if before[i] != after[i]:
            out.append("%#x: %#x -> %#x" % (base + i, before[i], after[i]))
            if len(out) >= 6:
                break
    return ", ".join(out)


def expect_memory_unchanged(r, fn, before, what):
    after = r.fn_memory(fn)
    if after != before:
        import rig as R
        raise Failure("%s: function %d's memory was written: %s"
                      % (what, fn, memory_diff(before, after, R.FN_MEM + fn * 0x100000)))
