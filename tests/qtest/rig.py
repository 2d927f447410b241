"""One test machine: QEMU (q35, -accel qtest) with a pcie-root-port, an
sriov-nic PF behind it and a dgram netdev whose other end is a UDP socket
of the test (loopback only), programmed by hand as firmware and an OS
would: ECAM, bridge windows, PF BAR, SR-IOV VF BAR, NumVFs, VF Enable."""
import os
import select
import socket
import time

import pci as P
import virtio as V
from qtest import QTest, QTestError

RAM_MB = 256
PF_MAC = bytes.fromhex("525400123456")

# Windows of the root port and the BARs behind it. prefetchable 64-bit,
# above 4 GiB as OVMF places them (the layout the device must work with).
PREF_BASE = 0x8_0000_0000
PREF_SIZE = 0x1000_0000
MEM32_BASE = 0xc000_0000
MEM32_SIZE = 0x0100_0000
PF_BAR = PREF_BASE
VF_BAR = PREF_BASE + 0x0100_0000   # VF n at VF_BAR + n * 0x8000

# Guest RAM: function fn owns FN_MEM + fn * 1 MiB. Canaries nobody is
# given: the low 64 KiB (where rings whose address was reset to 0 would
# write), the MiB below the functions' memory and the MiB after it.
FN_MEM = 0x0100_0000
CANARY_BYTE = 0xa5

BAR_SIZE = 0x8000


def free_udp_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Uplink:
    """The far end of -netdev dgram: raw Ethernet frames, one per datagram."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.setblocking(False)
        self.port = self.sock.getsockname()[1]
        self.qemu_port = free_udp_port()
        self.inbox = []

    def netdev_arg(self, nid="n0"):
        return ("dgram,id=%s,local.type=inet,local.host=127.0.0.1,"
                "local.port=%d,remote.type=inet,remote.host=127.0.0.1,"
                "remote.port=%d" % (nid, self.qemu_port, self.port))

    def send(self, frame):
        self.sock.sendto(bytes(frame), ("127.0.0.1", self.qemu_port))

    def drain(self):
        while True:
            try:
                data = self.sock.recv(65536)
            except BlockingIOError:
                return self.inbox
            self.inbox.append(data)

    def wait_for(self, pred, timeout=2.0):
        """Wait (real time) until some received frame satisfies pred;
        returns it or None."""
        deadline = time.monotonic() + timeout
        while True:
            self.drain()
            for f in self.inbox:
                if pred(f):
                    self.inbox.remove(f)
                    return f
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            select.select([self.sock], [], [], min(left, 0.05))

    def close(self):
        self.sock.close()


class Rig:
    # queue_pairs: 1 (three queues, four vectors: what the register tests
    # are written for) unless a test asks for more; None: the default.
    def __init__(self, name, total_vfs=4, extra_device="", extra_args=(),
                 queue_pairs=1):
        self.name = name
        self.uplink = Uplink()
        self.total_vfs = total_vfs
        dev = ("sriov-nic,id=pf0,bus=rp0,netdev=n0,total-vfs=%d,mac=%s"
               % (total_vfs, V.mac_str(PF_MAC)))
        if queue_pairs is not None:
            dev += ",queue-pairs=%d" % queue_pairs
        if extra_device:
            dev += "," + extra_device
        for attempt in range(3):
            args = ["-M", "q35", "-m", "%dM" % RAM_MB,
                    "-L", "/usr/share/seabios", "-L", "/usr/share/qemu",
                    "-netdev", self.uplink.netdev_arg(),
                    "-device", "pcie-root-port,id=rp0,slot=1,chassis=1",
                    "-device", dev] + list(extra_args)
            try:
                self.q = QTest(args, name=name)
                break
            except QTestError as e:
                # The free port we picked for QEMU may have been taken.
                if attempt < 2 and "Address already in use" in str(e):
                    self.uplink.close()
                    self.uplink = Uplink()
                    continue
                self.uplink.close()
                raise
            except BaseException:
                self.uplink.close()
                raise
        self.pci = P.Pci(self.q)
        self.fns = {}
        self.num_vfs = 0
        try:
            self._bring_up()
        except BaseException:
            self.close()
            raise

    def _bring_up(self):
        q = self.q
        self.pci.enable_ecam()
        # Canaries: RAM that no function is given.
        for base, size in self.canaries():
            q.memset(base, size, CANARY_BYTE)
        self.rp = self.pci.function(0, P.devfn(1, 0))
        P.setup_bridge(self.rp, 1, MEM32_BASE, MEM32_BASE + MEM32_SIZE - 1,
                       PREF_BASE, PREF_BASE + PREF_SIZE - 1)
        self.pf_pci = self.pci.function(1, 0)
        vid, did = self.pf_pci.read16(P.VENDOR_ID), self.pf_pci.read16(P.DEVICE_ID)
        if (vid, did) != (0x1af4, 0x1041):
            raise AssertionError("PF is %04x:%04x, not 1af4:1041" % (vid, did))
        size = self.pf_pci.bar_size(0)
        if size != BAR_SIZE:
            raise AssertionError("PF BAR0 is %#x bytes, not %#x" % (size, BAR_SIZE))
        self.pf_pci.set_bar64(0, PF_BAR)
        self.pf_pci.set_command(P.CMD_MEMORY | P.CMD_MASTER)
        self.sriov = self.pf_pci.find_ext_cap(P.EXT_CAP_ID_SRIOV)
        if not self.sriov:
            raise AssertionError("PF has no SR-IOV capability")
        s = self.sriov
        f = self.pf_pci
        self.vf_offset = f.read16(s + P.SRIOV_VF_OFFSET)
        self.vf_stride = f.read16(s + P.SRIOV_VF_STRIDE)
        if f.read16(s + P.SRIOV_TOTAL_VF) != self.total_vfs:
            raise AssertionError("TotalVFs %d" % f.read16(s + P.SRIOV_TOTAL_VF))
        f.write32(s + P.SRIOV_BAR, VF_BAR & 0xffffffff)
        f.write32(s + P.SRIOV_BAR + 4, VF_BAR >> 32)
        self.fns[0] = V.VirtioPciFunction(self, self.pf_pci, 0, PF_BAR,
                                          FN_MEM)

    # ---- SR-IOV ------------------------------------------------------------
    def sriov_ctrl(self):
        return self.pf_pci.read16(self.sriov + P.SRIOV_CTRL)

    def set_sriov_ctrl(self, value):
        self.pf_pci.write16(self.sriov + P.SRIOV_CTRL, value)

    def set_num_vfs_reg(self, n):
        self.pf_pci.write16(self.sriov + P.SRIOV_NUM_VF, n)

    def num_vfs_reg(self):
        return self.pf_pci.read16(self.sriov + P.SRIOV_NUM_VF)

    def vf_pci(self, n):
        dfn = self.pf_pci.devfn + self.vf_offset + n * self.vf_stride
        return self.pci.function(1 + (dfn >> 8), dfn & 0xff)

    def enable_vfs(self, n, setup=True):
        """NumVFs = n, VF Enable + VF MSE, then memory decoding and bus
        mastering on each VF (QEMU maps a VF BAR when the VF's own Memory
        Space bit is set as well)."""
        ctrl = self.sriov_ctrl()
        if ctrl & P.SRIOV_CTRL_VFE:
            self.set_sriov_ctrl(ctrl & ~P.SRIOV_CTRL_VFE)
        self.set_num_vfs_reg(n)
        self.set_sriov_ctrl(P.SRIOV_CTRL_VFE | P.SRIOV_CTRL_MSE)
        self.num_vfs = n
        if not setup:
            return []
        for k in range(n):
            self.setup_vf(k)
        return [self.fns[1 + k] for k in range(n)]

    def setup_vf(self, k, command=P.CMD_MEMORY | P.CMD_MASTER):
        vp = self.vf_pci(k)
        if not vp.present():
            raise AssertionError("VF%d (%r) does not answer config reads" % (k, vp))
        vid, did = vp.read16(P.VENDOR_ID), vp.read16(P.DEVICE_ID)
        if (vid, did) != (0xffff, 0xffff):
            raise AssertionError("VF%d vendor/device %04x:%04x, SR-IOV wants ffff:ffff"
                                 % (k, vid, did))
        if command:
            vp.set_command(command)
        self.fns[1 + k] = V.VirtioPciFunction(
            self, vp, 1 + k, VF_BAR + k * BAR_SIZE, FN_MEM + (1 + k) * 0x100000)
        return self.fns[1 + k]

    def disable_vfs(self):
        self.set_sriov_ctrl(self.sriov_ctrl() & ~P.SRIOV_CTRL_VFE)

    def pf(self):
        return self.fns[0]

    def vf(self, k):
        return self.fns[1 + k]

    # ---- checks --------------------------------------------------------------
    def fn_memory(self, fn):
        """The guest RAM function fn was given, as bytes."""
        return self.q.memread(FN_MEM + fn * 0x100000, 0x100000)

    def canaries(self):
        end = FN_MEM + (1 + self.total_vfs) * 0x100000
        return [(0x0, 0x10000), (FN_MEM - 0x100000, 0x100000), (end, 0x100000)]

    def canary_damage(self):
        """[(address, byte)] of canary bytes something wrote (first 8)."""
        bad = []
        for base, size in self.canaries():
            data = self.q.memread(base, size)
            if data.count(CANARY_BYTE) != size:
                bad += [(base + i, b) for i, b in enumerate(data)
                        if b != CANARY_BYTE][:8]
        return bad[:8]

    def vf_stats(self, k):
        return self.q.qom_get("/machine/peripheral/pf0/vf%d" % k, "stats")

    def pf_stats(self):
        return self.q.qom_get("/machine/peripheral/pf0", "stats")

    def uplink_stats(self):
        return self.q.qom_get("/machine/peripheral/pf0", "uplink-stats")

    def close(self):
        if getattr(self, "q", None) is not None:
            self.q.close()
        self.uplink.close()
