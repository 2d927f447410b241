"""PCI(e) access for qtest on q35, with no firmware: ECAM enabled by hand,
bridges and BARs programmed by hand, capability walking, SR-IOV.

Config space: MMCONFIG is off until firmware writes the MCH's PCIEXBAR
(q35 register 0x60), so enable_ecam() does that through 0xcf8/0xcfc first;
afterwards every config access (including extended space at 0x100+) goes
through ECAM at 0xb0000000.
"""

ECAM_BASE = 0xb0000000
CF8 = 0xcf8
CFC = 0xcfc

# Standard header.
VENDOR_ID = 0x00
DEVICE_ID = 0x02
COMMAND = 0x04
STATUS = 0x06
REVISION = 0x08
CLASS = 0x09
HEADER_TYPE = 0x0e
BAR0 = 0x10
CAP_PTR = 0x34
PRIMARY_BUS = 0x18
SECONDARY_BUS = 0x19
SUBORDINATE_BUS = 0x1a
MEMORY_BASE = 0x20
MEMORY_LIMIT = 0x22
PREF_MEMORY_BASE = 0x24
PREF_MEMORY_LIMIT = 0x26
PREF_BASE_UPPER32 = 0x28
PREF_LIMIT_UPPER32 = 0x2c
BRIDGE_CONTROL = 0x3e

CMD_IO = 0x1
CMD_MEMORY = 0x2
CMD_MASTER = 0x4
CMD_INTX_DISABLE = 0x400
STATUS_CAP_LIST = 0x10

CAP_ID_MSIX = 0x11
CAP_ID_EXP = 0x10
CAP_ID_VNDR = 0x09
EXT_CAP_ID_SRIOV = 0x10
EXT_CAP_ID_ARI = 0x0e

# PCIe capability.
EXP_DEVCAP = 0x04
EXP_DEVCTL = 0x08
EXP_DEVCAP_FLR = 1 << 28
EXP_DEVCTL_BCR_FLR = 0x8000

# MSI-X capability.
MSIX_FLAGS = 0x02
MSIX_TABLE = 0x04
MSIX_PBA = 0x08
MSIX_FLAGS_ENABLE = 0x8000
MSIX_FLAGS_MASKALL = 0x4000

# SR-IOV extended capability.
SRIOV_CAP = 0x04
SRIOV_CTRL = 0x08
SRIOV_STATUS = 0x0a
SRIOV_INITIAL_VF = 0x0c
SRIOV_TOTAL_VF = 0x0e
SRIOV_NUM_VF = 0x10
SRIOV_VF_OFFSET = 0x14
SRIOV_VF_STRIDE = 0x16
SRIOV_VF_DID = 0x1a
SRIOV_SUP_PGSIZE = 0x1c
SRIOV_SYS_PGSIZE = 0x20
SRIOV_BAR = 0x24
SRIOV_CTRL_VFE = 0x1
SRIOV_CTRL_MSE = 0x8
SRIOV_CTRL_ARI = 0x10

Q35_PCIEXBAR = 0x60


def devfn(slot, fn):
    return (slot << 3) | fn


class Pci:
    """Config-space access to every function of one q35 machine."""

    def __init__(self, q):
        self.q = q
        self.ecam = False

    def _cf8(self, bus, dfn, reg):
        return 0x80000000 | (bus << 16) | (dfn << 8) | (reg & 0xfc)

    def enable_ecam(self):
        # MCH is 00:00.0; PCIEXBAR = base | length 256 MiB (0) | enable.
        q = self.q
        q.cmd("outl 0x%x 0x%x" % (CF8, self._cf8(0, 0, Q35_PCIEXBAR + 4)))
        q.cmd("outl 0x%x 0x0" % CFC)
        q.cmd("outl 0x%x 0x%x" % (CF8, self._cf8(0, 0, Q35_PCIEXBAR)))
        q.cmd("outl 0x%x 0x%x" % (CFC, ECAM_BASE | 1))
        self.ecam = True
        if self.read(0, 0, VENDOR_ID, 2) != 0x8086:
            raise RuntimeError("ECAM did not come up at 0x%x" % ECAM_BASE)

    def addr(self, bus, dfn, reg):
        return ECAM_BASE + ((bus << 20) | (dfn << 12) | reg)

    def read(self, bus, dfn, reg, width):
        return self.q.read(self.addr(bus, dfn, reg), width)

    def write(self, bus, dfn, reg, width, value):
        self.q.write(self.addr(bus, dfn, reg), width, value)

    def function(self, bus, dfn):
        return PciFunction(self, bus, dfn)


class PciFunction:
    def __init__(self, pci, bus, dfn):
        self.pci = pci
        self.q = pci.q
        self.bus = bus
        self.devfn = dfn

    def __repr__(self):
        return "%02x:%02x.%x" % (self.bus, self.devfn >> 3, self.devfn & 7)

    def cfg_addr(self, reg):
        return self.pci.addr(self.bus, self.devfn, reg)

    def read8(self, reg): return self.pci.read(self.bus, self.devfn, reg, 1)
    def read16(self, reg): return self.pci.read(self.bus, self.devfn, reg, 2)
    def read32(self, reg): return self.pci.read(self.bus, self.devfn, reg, 4)
    def write8(self, reg, v): self.pci.write(self.bus, self.devfn, reg, 1, v)
    def write16(self, reg, v): self.pci.write(self.bus, self.devfn, reg, 2, v)
    def write32(self, reg, v): self.pci.write(self.bus, self.devfn, reg, 4, v)

    def present(self):
        """Something answers config reads (VFs report vendor/device ffff,
        so look at the revision/class dword: all-ones means no function)."""
        return self.read32(REVISION) != 0xffffffff

    # ---- capabilities ----------------------------------------------------
    def caps(self):
        """[(offset, id)] of the standard capability list, walked by hand."""
        out = []
        if not self.read16(STATUS) & STATUS_CAP_LIST:
            return out
        pos = self.read8(CAP_PTR) & 0xfc
        seen = set()
        while pos and pos not in seen and len(out) < 48:
            seen.add(pos)
            out.append((pos, self.read8(pos)))
            pos = self.read8(pos + 1) & 0xfc
        return out

    def find_cap(self, cap_id):
        for pos, cid in self.caps():
            if cid == cap_id:
                return pos
        return 0

    def ext_caps(self):
        out = []
        pos = 0x100
        seen = set()
        while pos and pos not in seen and len(out) < 64:
            seen.add(pos)
            hdr = self.read32(pos)
            if hdr in (0, 0xffffffff):
                break
            out.append((pos, hdr & 0xffff))
            pos = (hdr >> 20) & 0xffc
        return out

    def find_ext_cap(self, cap_id):
        for pos, cid in self.ext_caps():
            if cid == cap_id:
                return pos
        return 0

    # ---- command register --------------------------------------------------
    def command(self):
        return self.read16(COMMAND)

    def set_command(self, bits, on=True):
        c = self.read16(COMMAND)
        self.write16(COMMAND, (c | bits) if on else (c & ~bits))

    # ---- BARs --------------------------------------------------------------
    def bar_size(self, n=0):
        """Size of a 64-bit memory BAR n, probed with all-ones."""
        reg = BAR0 + 4 * n
        lo0, hi0 = self.read32(reg), self.read32(reg + 4)
        self.write32(reg, 0xffffffff)
        self.write32(reg + 4, 0xffffffff)
        lo, hi = self.read32(reg), self.read32(reg + 4)
        self.write32(reg, lo0)
        self.write32(reg + 4, hi0)
        mask = ((hi << 32) | (lo & ~0xf)) & (2**64 - 1)
        return ((~mask) + 1) & (2**64 - 1)

    def set_bar64(self, n, addr):
        reg = BAR0 + 4 * n
        self.write32(reg, addr & 0xffffffff)
        self.write32(reg + 4, addr >> 32)

    def bar64(self, n=0):
        reg = BAR0 + 4 * n
        return ((self.read32(reg + 4) << 32) | self.read32(reg)) & ~0xf

    # ---- PCIe --------------------------------------------------------------
    def flr(self):
        exp = self.find_cap(CAP_ID_EXP)
        if not exp:
            raise RuntimeError("%r has no PCIe capability" % self)
        if not self.read32(exp + EXP_DEVCAP) & EXP_DEVCAP_FLR:
            raise RuntimeError("%r does not advertise FLR" % self)
        ctl = self.read16(exp + EXP_DEVCTL)
        self.write16(exp + EXP_DEVCTL, ctl | EXP_DEVCTL_BCR_FLR)


def setup_bridge(fn, secondary, mem_base, mem_limit, pref_base, pref_limit):
    """Program a PCI-PCI bridge (a pcie-root-port) as firmware would: bus
    numbers, a 32-bit memory window, a 64-bit prefetchable window, then
    memory decoding and bus mastering."""
    fn.write8(PRIMARY_BUS, fn.bus)
    fn.write8(SECONDARY_BUS, secondary)
    fn.write8(SUBORDINATE_BUS, secondary)
    fn.write16(MEMORY_BASE, (mem_base >> 16) & 0xfff0)
    fn.write16(MEMORY_LIMIT, (mem_limit >> 16) & 0xfff0)
    ptype = fn.read16(PREF_MEMORY_BASE) & 0xf
    if ptype != 1:
        raise RuntimeError("bridge %r has no 64-bit prefetchable window" % fn)
    fn.write16(PREF_MEMORY_BASE, ((pref_base >> 16) & 0xfff0) | 1)
    fn.write16(PREF_MEMORY_LIMIT, ((pref_limit >> 16) & 0xfff0) | 1)
    fn.write32(PREF_BASE_UPPER32, pref_base >> 32)
    fn.write32(PREF_LIMIT_UPPER32, pref_limit >> 32)
    fn.set_command(CMD_MEMORY | CMD_MASTER)
