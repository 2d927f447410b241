"""A virtio-pci modern driver for qtest: capability parsing, common config,
feature negotiation, split virtqueues laid out in guest RAM, notify, MSI-X
with the message address in guest RAM (so an interrupt is a memory write
the test can see, as libqos does), and virtio-net framing."""
import struct

import pci as P

# Virtio PCI capability types (virtio 1.2, 4.1.4).
CAP_COMMON = 1
CAP_NOTIFY = 2
CAP_ISR = 3
CAP_DEVICE = 4
CAP_PCI_CFG = 5

# struct virtio_pci_cap field offsets.
VCAP_LEN = 2
VCAP_CFG_TYPE = 3
VCAP_BAR = 4
VCAP_ID = 5
VCAP_OFFSET = 8
VCAP_LENGTH = 12
VCAP_NOTIFY_MULT = 16
VCAP_PCI_CFG_DATA = 16

# Device status (2.1).
S_ACKNOWLEDGE = 1
S_DRIVER = 2
S_DRIVER_OK = 4
S_FEATURES_OK = 8
S_NEEDS_RESET = 0x40
S_FAILED = 0x80

# Feature bits.
F_MTU = 3
F_MAC = 5
F_MRG_RXBUF = 15
F_STATUS = 16
F_CTRL_VQ = 17
F_RING_INDIRECT_DESC = 28
F_RING_EVENT_IDX = 29
F_VERSION_1 = 32
F_ACCESS_PLATFORM = 33

NO_VECTOR = 0xffff

# virtio_pci_common_cfg: name -> (offset, width, writable, per_queue).
COMMON = {
    "device_feature_select": (0x00, 4, True, False),
    "device_feature": (0x04, 4, False, False),
    "driver_feature_select": (0x08, 4, True, False),
    "driver_feature": (0x0c, 4, True, False),
    "msix_config": (0x10, 2, True, False),
    "num_queues": (0x12, 2, False, False),
    "device_status": (0x14, 1, True, False),
    "config_generation": (0x15, 1, False, False),
    "queue_select": (0x16, 2, True, False),
    "queue_size": (0x18, 2, True, True),
    "queue_msix_vector": (0x1a, 2, True, True),
    "queue_enable": (0x1c, 2, True, True),
    "queue_notify_off": (0x1e, 2, False, True),
    "queue_desc_lo": (0x20, 4, True, True),
    "queue_desc_hi": (0x24, 4, True, True),
    "queue_driver_lo": (0x28, 4, True, True),
    "queue_driver_hi": (0x2c, 4, True, True),
    "queue_device_lo": (0x30, 4, True, True),
    "queue_device_hi": (0x34, 4, True, True),
}
COMMON_END = 0x38
# The accesses the spec defines: each field at its natural width, and the
# 64-bit queue addresses also as one 8-byte access.
COMMON_VALID = {(o, w) for (o, w, _, _) in COMMON.values()} | \
    {(0x20, 8), (0x28, 8), (0x30, 8)}

# virtio_net_config with MAC, STATUS, MTU, SPEED_DUPLEX and the RSS /
# HASH_REPORT fields (5.1.4): name -> (offset, width).
NETCFG = {"mac": (0, 6), "status": (6, 2), "max_virtqueue_pairs": (8, 2),
          "mtu": (10, 2), "speed": (12, 4), "duplex": (16, 1),
          "rss_max_key_size": (17, 1),
          "rss_max_indirection_table_length": (18, 2),
          "supported_hash_types": (20, 4)}
NETCFG_END = 24

NET_HDR_LEN = 12  # virtio_net_hdr with num_buffers (VERSION_1)

RXQ, TXQ, CTRLQ = 0, 1, 2

DESC_F_NEXT = 1
DESC_F_WRITE = 2


class VirtQueue:
    """A split virtqueue in guest RAM (2.7)."""

    def __init__(self, q, index, size, desc, avail, used):
        self.q = q
        self.index = index
        self.size = size
        self.desc = desc
        self.avail = avail
        self.used = used
        self.avail_idx = 0
        self.last_used = 0
        self.next_desc = 0

    def clear(self, used=True):
        self.q.memset(self.desc, 16 * self.size, 0)
        self.q.memset(self.avail, 6 + 2 * self.size, 0)
        if used:
            self.q.memset(self.used, 6 + 8 * self.size, 0)
        self.avail_idx = 0
        self.last_used = 0
        self.next_desc = 0

    def add(self, segments, publish=True):
        """Add one chain of (addr, len, device_writable) segments; returns
        the head descriptor index. publish=False only writes the ring entry
        (avail.idx is moved later by publish())."""
        n = len(segments)
        head = self.next_desc
        idxs = [(head + i) % self.size for i in range(n)]
        self.next_desc = (head + n) % self.size
        for i, (addr, length, writable) in enumerate(segments):
            flags = (DESC_F_WRITE if writable else 0) | \
                (DESC_F_NEXT if i + 1 < n else 0)
            nxt = idxs[i + 1] if i + 1 < n else 0
            self.q.memwrite(self.desc + 16 * idxs[i],
                            struct.pack("<QIHH", addr, length, flags, nxt))
        self.q.memwrite(self.avail + 4 + 2 * (self.avail_idx % self.size),
                        struct.pack("<H", head))
        self.avail_idx = (self.avail_idx + 1) & 0xffff
        if publish:
            self.publish()
        return head

    def publish(self):
        self.q.memwrite(self.avail + 2, struct.pack("<H", self.avail_idx))

    def used_idx(self):
        return struct.unpack("<H", self.q.memread(self.used + 2, 2))[0]

    def pop_used(self):
        """[(id, len)] of the used entries since the last call."""
        now = self.used_idx()
        out = []
        while self.last_used != now:
            e = self.q.memread(self.used + 4 + 8 * (self.last_used % self.size), 8)
            out.append(struct.unpack("<II", e))
            self.last_used = (self.last_used + 1) & 0xffff
        return out

    def pending(self):
        """Chains made available and not yet used by the device."""
        return (self.avail_idx - self.used_idx()) & 0xffff


class VirtioPciFunction:
    """One modern virtio-pci function (the PF or a VF) and its BAR 0.

    mem is the base of a guest RAM area of MEM_SIZE bytes that belongs to
    this function: rings, buffers and the MSI-X message targets live there.
    """

    MEM_SIZE = 0x100000
    QUEUE_STRIDE = 0x4000     # desc + avail + used of one queue
    BUF_BASE = 0x10000        # buffers: queue q, slot i at BUF_BASE + ...
    BUF_QUEUE_STRIDE = 0x40000
    BUF_SIZE = 0x800
    MSI_OFF = 0xff000         # MSI-X message v lands at mem + MSI_OFF + 4 v
    MSI_DATA = 0x5a5a0000

    def __init__(self, rig, pcifn, fn, bar, mem):
        self.rig = rig
        self.q = rig.q
        self.pcifn = pcifn
        self.fn = fn
        self.bar = bar
        self.mem = mem
        self.vqs = {}
        self.caps = None
        self.features = 0

    def __repr__(self):
        return "PF" if self.fn == 0 else "VF%d" % (self.fn - 1)

    # ---- layout ----------------------------------------------------------
    def parse_caps(self):
        """Walk the capability list: [(pos, cfg_type, bar, offset, length,
        extra)] of the virtio vendor capabilities."""
        out = []
        for pos, cid in self.pcifn.caps():
            if cid != P.CAP_ID_VNDR:
                continue
            f = self.pcifn
            out.append(dict(pos=pos, len=f.read8(pos + VCAP_LEN),
                            cfg_type=f.read8(pos + VCAP_CFG_TYPE),
                            bar=f.read8(pos + VCAP_BAR),
                            offset=f.read32(pos + VCAP_OFFSET),
                            length=f.read32(pos + VCAP_LENGTH),
                            extra=f.read32(pos + 16)))
        self.caps = out
        return out

    def cap(self, cfg_type):
        if self.caps is None:
            self.parse_caps()
        for c in self.caps:
            if c["cfg_type"] == cfg_type:
                return c
        return None

    @property
    def common(self): return self.bar + 0x0000
    @property
    def isr(self): return self.bar + 0x1000
    @property
    def device(self): return self.bar + 0x2000
    @property
    def notify_base(self): return self.bar + 0x3000
    @property
    def msix_table(self): return self.bar + 0x4000

    def notify_addr(self, queue):
        return self.notify_base + 4 * queue

    # ---- common config -------------------------------------------------
    def cc_read(self, name):
        off, w, _, _ = COMMON[name]
        return self.q.read(self.common + off, w)

    def cc_write(self, name, value):
        off, w, _, _ = COMMON[name]
        self.q.write(self.common + off, w, value)

    def status(self):
        return self.cc_read("device_status")

    def set_status(self, s):
        self.cc_write("device_status", s)

    def reset(self):
        self.set_status(0)
        s = self.status()
        if s != 0:
            raise AssertionError("%r: device_status %#x after reset" % (self, s))

    def snapshot(self):
        """Every readable common-config field (the queue fields for each
        queue, both feature words) and the device config, in one pipelined
        batch. Reads the select registers first, then leaves
        device_feature_select, driver_feature_select and queue_select at 0:
        tests keep them there while they compare snapshots."""
        q = self.q
        cmds, keys = [], []

        def rd(name, off, w):
            cmds.append(q.read_cmd(self.common + off, w))
            keys.append(name)

        def wr(off, w, v):
            cmds.append(q.write_cmd(self.common + off, w, v))
            keys.append(None)
        for name, (off, w, _, perq) in COMMON.items():
            if not perq:
                rd(name, off, w)
        for fsel in (0, 1):
            wr(0x00, 4, fsel)
            rd("device_feature[%d]" % fsel, 0x04, 4)
            wr(0x08, 4, fsel)
            rd("driver_feature[%d]" % fsel, 0x0c, 4)
        wr(0x00, 4, 0)
        wr(0x08, 4, 0)
        for qi in range(3):
            wr(0x16, 2, qi)
            for name, (off, w, _, perq) in COMMON.items():
                if perq:
                    rd("q%d.%s" % (qi, name), off, w)
        wr(0x16, 2, 0)
        for i in range(6):
            cmds.append(q.read_cmd(self.device + i, 1))
            keys.append("net.mac[%d]" % i)
        for name in ("status", "max_virtqueue_pairs", "mtu", "speed", "duplex"):
            cmds.append(q.read_cmd(self.device + NETCFG[name][0], NETCFG[name][1]))
            keys.append("net." + name)
        answers = q.batch(cmds)
        return {k: q.value(a) for k, a in zip(keys, answers) if k is not None}

    def mac(self):
        return bytes(self.q.read(self.device + i, 1) for i in range(6))

    def net_status(self):
        return self.q.read(self.device + 6, 2)

    # ---- MSI-X -----------------------------------------------------------
    def msi_addr(self, vector):
        return self.mem + self.MSI_OFF + 4 * vector

    def msi_data(self, vector):
        return self.MSI_DATA | (self.fn << 8) | vector

    def setup_msix(self, vectors=4):
        f = self.pcifn
        pos = f.find_cap(P.CAP_ID_MSIX)
        if not pos:
            raise AssertionError("%r: no MSI-X capability" % self)
        flags = f.read16(pos + P.MSIX_FLAGS)
        if (flags & 0x7ff) + 1 != vectors:
            raise AssertionError("%r: MSI-X table size %d, expected %d"
                                 % (self, (flags & 0x7ff) + 1, vectors))
        table = f.read32(pos + P.MSIX_TABLE)
        if table & 7 != 0 or (table & ~7) != 0x4000:
            raise AssertionError("%r: MSI-X table at BIR %d offset %#x"
                                 % (self, table & 7, table & ~7))
        cmds = []
        for v in range(vectors):
            e = self.msix_table + 16 * v
            a = self.msi_addr(v)
            cmds += [self.q.write_cmd(e, 4, a & 0xffffffff),
                     self.q.write_cmd(e + 4, 4, a >> 32),
                     self.q.write_cmd(e + 8, 4, self.msi_data(v)),
                     self.q.write_cmd(e + 12, 4, 0)]
        self.q.batch(cmds)
        self.clear_msi()
        f.write16(pos + P.MSIX_FLAGS,
                  (flags | P.MSIX_FLAGS_ENABLE) & ~P.MSIX_FLAGS_MASKALL)

    def msix_enabled(self):
        pos = self.pcifn.find_cap(P.CAP_ID_MSIX)
        return bool(self.pcifn.read16(pos + P.MSIX_FLAGS) & P.MSIX_FLAGS_ENABLE)

    def clear_msi(self, vectors=4):
        self.q.memset(self.mem + self.MSI_OFF, 4 * vectors, 0)

    def msi_fired(self, vector):
        v = self.q.readl(self.msi_addr(vector))
        if v not in (0, self.msi_data(vector)):
            raise AssertionError("%r: MSI-X vector %d wrote %#x, expected %#x"
                                 % (self, vector, v, self.msi_data(vector)))
        return v != 0

    # ---- initialisation ----------------------------------------------------
    def queue_area(self, qi):
        base = self.mem + qi * self.QUEUE_STRIDE
        return base, base + 0x1000, base + 0x2000

    def buf(self, qi, slot):
        return self.mem + self.BUF_BASE + qi * self.BUF_QUEUE_STRIDE + \
            slot * self.BUF_SIZE

    def init(self, features=(F_VERSION_1, F_MAC, F_STATUS, F_MTU),
             queues=(RXQ, TXQ), qsize=16, msix=True, addrs=None,
             driver_ok=True):
        """Reset and bring the function up as a driver does (3.1.1).
        addrs may override {queue: (desc, driver, device)}."""
        if msix and not self.msix_enabled():
            self.setup_msix()
        self.reset()
        self.set_status(S_ACKNOWLEDGE)
        self.set_status(S_ACKNOWLEDGE | S_DRIVER)
        self.cc_write("device_feature_select", 0)
        lo = self.cc_read("device_feature")
        self.cc_write("device_feature_select", 1)
        hi = self.cc_read("device_feature")
        offered = lo | (hi << 32)
        want = 0
        for b in features:
            want |= 1 << b
        if want & ~offered:
            raise AssertionError("%r: features %#x not offered (offered %#x)"
                                 % (self, want & ~offered, offered))
        self.cc_write("driver_feature_select", 0)
        self.cc_write("driver_feature", want & 0xffffffff)
        self.cc_write("driver_feature_select", 1)
        self.cc_write("driver_feature", want >> 32)
        self.set_status(S_ACKNOWLEDGE | S_DRIVER | S_FEATURES_OK)
        st = self.status()
        if not st & S_FEATURES_OK:
            raise AssertionError("%r: FEATURES_OK refused (status %#x)" % (self, st))
        self.features = want
        if msix:
            self.cc_write("msix_config", 0)
        self.vqs = {}
        for qi in queues:
            self.cc_write("queue_select", qi)
            maxsize = self.cc_read("queue_size")
            size = min(qsize, maxsize)
            desc, drv, dev = (addrs or {}).get(qi, self.queue_area(qi))
            vq = VirtQueue(self.q, qi, size, desc, drv, dev)
            # Overridden addresses: the used ring may be anywhere (even a
            # BAR); only the driver's own areas are cleared.
            vq.clear(used=(addrs or {}).get(qi) is None)
            self.cc_write("queue_size", size)
            self.cc_write("queue_desc_lo", desc & 0xffffffff)
            self.cc_write("queue_desc_hi", desc >> 32)
            self.cc_write("queue_driver_lo", drv & 0xffffffff)
            self.cc_write("queue_driver_hi", drv >> 32)
            self.cc_write("queue_device_lo", dev & 0xffffffff)
            self.cc_write("queue_device_hi", dev >> 32)
            if msix:
                self.cc_write("queue_msix_vector", qi + 1)
                got = self.cc_read("queue_msix_vector")
                if got != qi + 1:
                    raise AssertionError("%r: queue %d vector %#x" % (self, qi, got))
            self.cc_write("queue_enable", 1)
            if self.cc_read("queue_enable") != 1:
                raise AssertionError("%r: queue %d did not enable" % (self, qi))
            self.vqs[qi] = vq
        if driver_ok:
            self.set_status(S_ACKNOWLEDGE | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK)
            st = self.status()
            if st != S_ACKNOWLEDGE | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK:
                raise AssertionError("%r: status %#x after DRIVER_OK" % (self, st))
        return self

    def kick(self, qi):
        self.q.writew(self.notify_addr(qi), qi)

    # ---- virtio-net data path ------------------------------------------------
    def post_rx(self, count=None, kick=True):
        vq = self.vqs[RXQ]
        count = vq.size if count is None else count
        for _ in range(count):
            slot = vq.next_desc
            vq.add([(self.buf(RXQ, slot), self.BUF_SIZE, True)], publish=False)
        vq.publish()
        if kick:
            self.kick(RXQ)

    def queue_tx(self, frame, kick=True):
        """Put one frame (virtio_net_hdr + frame in one buffer) in the TX
        ring; returns its head."""
        vq = self.vqs[TXQ]
        slot = vq.next_desc
        addr = self.buf(TXQ, slot)
        data = bytes(NET_HDR_LEN) + frame
        self.q.memwrite(addr, data)
        head = vq.add([(addr, len(data), False)])
        if kick:
            self.kick(TXQ)
        return head

    def received(self):
        """Frames the device put in the RX ring since the last call."""
        vq = self.vqs[RXQ]
        out = []
        for head, length in vq.pop_used():
            data = self.q.memread(self.buf(RXQ, head), length)
            out.append(data[NET_HDR_LEN:])
        return out


def frame(dst, src, payload, ethertype=0x88b5):
    f = bytes(dst) + bytes(src) + struct.pack(">H", ethertype) + payload
    return f + bytes(max(0, 60 - len(f)))


def mac_str(m):
    return ":".join("%02x" % b for b in m)
