"""personality=ixgbe on PCI: the PF and its 63 VFs look like an Intel
82599 and its VFs (IDs, capability chains, BARs, SR-IOV), as the guest's
ixgbe/ixgbevf and the Linux PCI core read them; the small register set
served so far answers through BAR 0; the PF's MSI (ixgbe's fallback when
MSI-X fails) is sent where INTx would be asserted; the device migrates.

The PF sits at 01:00.0 behind a pcie-root-port, so 82599's VF offset 0x80
and stride 2 put VF n at 01:10.0 + 2n (devfn 0x80 + 2n): all 63 fit."""
import pci as P
import rig as R
from harness import check, eq, test, wait_until
from qtest import QTest

PM, MSI = 0x01, 0x05
EXT_AER = 0x01

# BARs behind the root port: the PF's are 64-bit non-prefetchable (the
# register file has read side effects), in the 32-bit window; the VFs'
# are 64-bit prefetchable, above 4 GiB.
PF_BAR0 = R.MEM32_BASE                  # 128 KiB
PF_BAR4 = R.MEM32_BASE + 0x20000        # 16 KiB, MSI-X
VF_BAR0 = R.PREF_BASE                   # 63 x 16 KiB
VF_BAR3 = R.PREF_BASE + 0x0100_0000     # 63 x 16 KiB, MSI-X
KIB16 = 0x4000

STATUS_GIO = 1 << 19
CTRL_RST = 1 << 26


class IxgbeRig:
    """QEMU with one sriov-nic,personality=ixgbe PF behind rp0 (the
    harness closes it and checks it is alive like any rig)."""

    def __init__(self, name, total_vfs=63, extra=""):
        self.name = name
        self.uplink = R.Uplink()
        dev = ("sriov-nic,id=pf0,bus=rp0,netdev=n0,personality=ixgbe,"
               "total-vfs=%d" % total_vfs)
        if extra:
            dev += "," + extra
        try:
            self.q = QTest(["-M", "q35", "-m", "%dM" % R.RAM_MB,
                            "-L", "/usr/share/seabios", "-L", "/usr/share/qemu",
                            "-netdev", self.uplink.netdev_arg(),
                            "-device", "pcie-root-port,id=rp0,slot=1,chassis=1",
                            "-device", dev], name=name)
        except BaseException:
            self.uplink.close()
            raise
        self.pci = P.Pci(self.q)
        self.pci.enable_ecam()
        self.rp = self.pci.function(0, P.devfn(1, 0))
        P.setup_bridge(self.rp, 1, R.MEM32_BASE,
                       R.MEM32_BASE + R.MEM32_SIZE - 1,
                       R.PREF_BASE, R.PREF_BASE + R.PREF_SIZE - 1)
        self.pf = self.pci.function(1, 0)
        self.sriov = self.pf.find_ext_cap(P.EXT_CAP_ID_SRIOV)

    def vf(self, n):
        dfn = 0x80 + 2 * n
        return self.pci.function(1, dfn)

    def close(self):
        if getattr(self, "q", None) is not None:
            self.q.close()
        self.uplink.close()


def ixgbe_rig(ctx, **kw):
    r = IxgbeRig("%s-%d" % (ctx.name.replace("/", "-"), len(ctx.rigs)), **kw)
    ctx.rigs.append(r)
    return r


def bar_type(f, n):
    return f.read32(P.BAR0 + 4 * n) & 0xf


def sriov_bar_size(f, s, n):
    """Size of 64-bit VF BAR n in the SR-IOV capability (all-ones probe)."""
    reg = s + P.SRIOV_BAR + 4 * n
    lo0, hi0 = f.read32(reg), f.read32(reg + 4)
    f.write32(reg, 0xffffffff)
    f.write32(reg + 4, 0xffffffff)
    lo, hi = f.read32(reg), f.read32(reg + 4)
    f.write32(reg, lo0)
    f.write32(reg + 4, hi0)
    mask = ((hi << 32) | (lo & ~0xf)) & (2**64 - 1)
    return ((~mask) + 1) & (2**64 - 1)


def check_msix(f, vectors, bir, what):
    pos = f.find_cap(P.CAP_ID_MSIX)
    eq(pos, 0x70, "%s MSI-X offset" % what)
    eq((f.read16(pos + P.MSIX_FLAGS) & 0x7ff) + 1, vectors,
       "%s MSI-X table size" % what)
    eq(f.read32(pos + P.MSIX_TABLE), 0x0000 | bir, "%s MSI-X table BIR/offset" % what)
    eq(f.read32(pos + P.MSIX_PBA), 0x2000 | bir, "%s MSI-X PBA BIR/offset" % what)


def check_exp(f, what):
    exp = f.find_cap(P.CAP_ID_EXP)
    eq(exp, 0xa0, "%s PCIe capability offset" % what)
    flags = f.read16(exp + 2)
    eq(flags & 0xf, 2, "%s PCIe capability version" % what)
    eq((flags >> 4) & 0xf, 0, "%s device/port type (endpoint)" % what)
    check(f.read32(exp + P.EXP_DEVCAP) & P.EXP_DEVCAP_FLR, "%s: no FLR" % what)


@test("ixgbe/pf-identity-caps-and-bars")
def _(ctx):
    r = ixgbe_rig(ctx)
    f = r.pf
    eq((f.read16(P.VENDOR_ID), f.read16(P.DEVICE_ID)), (0x8086, 0x10f7),
       "PF vendor:device (82599 KX4)")
    eq((f.read16(0x2c), f.read16(0x2e)), (0x8086, 0x000c), "PF subsystem")
    eq(f.read8(P.REVISION), 1, "PF revision")
    eq(f.read32(P.REVISION) >> 8, 0x020000, "PF class")
    eq(f.read8(0x3d), 1, "PF interrupt pin INTA")
    # Standard chain 0x40 PM -> 0x50 MSI -> 0x70 MSI-X -> 0xA0 PCIe.
    eq(f.read8(P.CAP_PTR), 0x40, "capabilities pointer")
    eq(f.caps(), [(0x40, PM), (0x50, MSI), (0x70, P.CAP_ID_MSIX),
                  (0xa0, P.CAP_ID_EXP)], "PF capability chain")
    # Extended chain 0x100 AER -> 0x150 ARI -> 0x160 SR-IOV, then the end.
    eq(f.ext_caps(), [(0x100, EXT_AER), (0x150, P.EXT_CAP_ID_ARI),
                      (0x160, P.EXT_CAP_ID_SRIOV)], "PF extended chain")
    eq(f.read32(0x160) >> 20, 0, "SR-IOV is the last extended capability")
    msi_flags = f.read16(0x52)
    check(msi_flags & (1 << 7), "MSI is not 64-bit", hex(msi_flags))
    check(msi_flags & (1 << 8), "MSI has no per-vector masking", hex(msi_flags))
    eq((msi_flags >> 1) & 7, 0, "MSI Multiple Message Capable (1 vector)")
    eq(f.read16(0x42) & 7, 2, "PM version 1.1")
    check_msix(f, 64, 4, "PF")
    check_exp(f, "PF")
    # BAR 0: 128 KiB registers, BAR 4: 16 KiB MSI-X, both 64-bit memory;
    # nothing else.
    eq(bar_type(f, 0), 0x4, "PF BAR0 type (64-bit memory)")
    eq(f.bar_size(0), 0x20000, "PF BAR0 size")
    eq(bar_type(f, 4), 0x4, "PF BAR4 type (64-bit memory)")
    eq(f.bar_size(4), KIB16, "PF BAR4 size")
    eq(f.read32(P.BAR0 + 8), 0, "PF BAR2 (none)")


@test("ixgbe/sriov-capability")
def _(ctx):
    r = ixgbe_rig(ctx)
    f, s = r.pf, r.sriov
    eq(s, 0x160, "SR-IOV offset")
    eq(f.read16(s + P.SRIOV_TOTAL_VF), 63, "TotalVFs")
    eq(f.read16(s + P.SRIOV_INITIAL_VF), 63, "InitialVFs")
    eq(f.read16(s + P.SRIOV_VF_OFFSET), 0x80, "First VF Offset")
    eq(f.read16(s + P.SRIOV_VF_STRIDE), 2, "VF Stride")
    eq(f.read16(s + P.SRIOV_VF_DID), 0x10ed, "VF device ID")
    eq(f.read32(s + P.SRIOV_SUP_PGSIZE), 0x553, "supported page sizes")
    eq(f.read32(s + P.SRIOV_SYS_PGSIZE), 1, "system page size (4 KiB)")
    eq(f.read32(s + P.SRIOV_BAR) & 0xf, 0xc, "VF BAR0 type (64-bit prefetchable)")
    eq(sriov_bar_size(f, s, 0), KIB16, "VF BAR0 size")
    eq(f.read32(s + P.SRIOV_BAR + 12) & 0xf, 0xc, "VF BAR3 type (64-bit prefetchable)")
    eq(sriov_bar_size(f, s, 3), KIB16, "VF BAR3 size")
    for n in (2, 4, 5):
        eq(f.read32(s + P.SRIOV_BAR + 4 * n), 0, "VF BAR%d (none)" % n)


@test("ixgbe/enable-63-vfs")
def _(ctx):
    r = ixgbe_rig(ctx)
    q, f, s = r.q, r.pf, r.sriov
    f.write32(s + P.SRIOV_BAR, VF_BAR0 & 0xffffffff | 0xc)
    f.write32(s + P.SRIOV_BAR + 4, VF_BAR0 >> 32)
    f.write32(s + P.SRIOV_BAR + 12, VF_BAR3 & 0xffffffff | 0xc)
    f.write32(s + P.SRIOV_BAR + 16, VF_BAR3 >> 32)
    check(not r.vf(0).present(), "VF0 answers before VF Enable")
    f.write16(s + P.SRIOV_NUM_VF, 63)
    f.write16(s + P.SRIOV_CTRL, P.SRIOV_CTRL_VFE | P.SRIOV_CTRL_MSE)
    eq(q.qom_get("/machine/peripheral/pf0", "num-vfs"), 63, "QOM num-vfs")
    for n in range(63):
        v = r.vf(n)
        what = "VF%d (%r)" % (n, v)
        check(v.present(), "%s does not answer" % what)
        # SR-IOV: a VF's own vendor/device read ffff; the IDs are the PF's
        # vendor and the capability's VF device ID (checked above).
        eq((v.read16(P.VENDOR_ID), v.read16(P.DEVICE_ID)), (0xffff, 0xffff),
           "%s vendor:device" % what)
        eq(v.read32(P.REVISION) >> 8, 0x020000, "%s class" % what)
        eq(v.read8(P.REVISION), 1, "%s revision" % what)
        if n in (0, 1, 31, 62):
            eq(v.caps(), [(0x70, P.CAP_ID_MSIX), (0xa0, P.CAP_ID_EXP)],
               "%s capability chain" % what)
            eq(v.ext_caps(), [(0x100, EXT_AER), (0x150, P.EXT_CAP_ID_ARI)],
               "%s extended chain" % what)
            check_msix(v, 3, 3, what)
            check_exp(v, what)
            for b in range(6):
                eq(v.read32(P.BAR0 + 4 * b), 0, "%s BAR%d register (VF BARs live "
                   "in the PF)" % (what, b))
    check(not r.pci.function(1, 0x80 + 2 * 63).present(),
          "a 64th VF answers at devfn 0xfe")
    # Each VF's BARs are its slice of the PF's VF BARs: its registers at
    # BAR0, its MSI-X table at BAR3.
    for n in (0, 62):
        v = r.vf(n)
        v.set_command(P.CMD_MEMORY)
        regs = VF_BAR0 + n * KIB16
        msix = VF_BAR3 + n * KIB16
        eq(q.readl(regs + 0x8), 0, "VF%d VFSTATUS" % n)
        q.writel(regs + 0x0, CTRL_RST)
        eq(q.readl(regs + 0x0), 0, "VF%d VFCTRL after RST" % n)
        q.writel(msix + 0x0, 0xfee01000 + n)
        eq(q.readl(msix + 0x0), 0xfee01000 + n, "VF%d MSI-X entry 0 address" % n)
    # VF Enable off: they are gone again.
    f.write16(s + P.SRIOV_CTRL, 0)
    check(not r.vf(0).present(), "VF0 still answers after VF Enable off")
    eq(q.qom_get("/machine/peripheral/pf0", "num-vfs"), 0, "QOM num-vfs after")


@test("ixgbe/pf-registers-through-bar0")
def _(ctx):
    r = ixgbe_rig(ctx, total_vfs=0)
    q, f = r.q, r.pf
    check(not f.find_ext_cap(P.EXT_CAP_ID_SRIOV), "SR-IOV with total-vfs=0")
    f.set_bar64(0, PF_BAR0)
    f.set_bar64(4, PF_BAR4)
    f.set_command(P.CMD_MEMORY | P.CMD_MASTER)
    eq(q.readl(PF_BAR0 + 0x8), STATUS_GIO, "STATUS (GIO primary enable)")
    q.writel(PF_BAR0 + 0x0, 0x4)                 # GIO_DIS
    eq(q.readl(PF_BAR0 + 0x8) & STATUS_GIO, 0, "STATUS.GIO after GIO_DIS")
    q.writel(PF_BAR0 + 0x0, q.readl(PF_BAR0) | CTRL_RST)
    eq(q.readl(PF_BAR0 + 0x0), 0, "CTRL after RST (self-clearing)")
    eq(q.readl(PF_BAR0 + 0x8), STATUS_GIO, "STATUS after RST")
    eq(q.readl(PF_BAR0 + 0x1fffc), 0, "an unserved register")
    # The MSI-X table is in BAR 4.
    q.writel(PF_BAR4 + 63 * 16, 0xfee02000)
    eq(q.readl(PF_BAR4 + 63 * 16), 0xfee02000, "MSI-X entry 63 address")
    # A misaligned access is a guest error, logged and absorbed.
    eq(q.readw(PF_BAR0 + 0x2), 0, "a 16-bit read")
    q.settle(0.01)
    check(any("not 32 bits wide" in l for l in q.log_lines()),
          "no guest error logged for a 16-bit read")


@test("ixgbe/migration-saves-the-chip")
def _(ctx):
    # No blocker: the 82599's state (registers, mailboxes, pools, queues)
    # is in the device's section; a save completes.
    r = ixgbe_rig(ctx, total_vfs=2)
    r.q.qmp("migrate", uri="exec:cat > /dev/null")
    status = None
    for _ in range(400):
        status = r.q.qmp("query-migrate").get("status")
        if status in ("completed", "failed"):
            break
        r.q.settle(0.05)
    eq(status, "completed", "the migration of personality=ixgbe")


# The PF's MSI capability (64-bit, per-vector masking) and the registers
# ixgbe's MSI handler uses (ixgbe_intr: EIMC, EICR read-to-clear, EIMS).
MSI_CAP = 0x50
MSI_FLAGS, MSI_ADDR_LO, MSI_ADDR_HI, MSI_DATA = 0x02, 0x04, 0x08, 0x0c
MSI_MASK, MSI_PENDING = 0x10, 0x14
MSI_ENABLE = 0x1
PCI_STATUS, STATUS_INTERRUPT = 0x06, 0x08
EICR, EICS, EIMS = 0x00800, 0x00808, 0x00880
MSI_TARGET = 0x200000          # guest RAM: the message is a DMA write there


@test("ixgbe/pf-msi-on-the-intx-condition")
def _(ctx):
    r = ixgbe_rig(ctx, total_vfs=0)
    q, f = r.q, r.pf
    f.set_bar64(0, PF_BAR0)
    f.set_bar64(4, PF_BAR4)
    f.set_command(P.CMD_MEMORY | P.CMD_MASTER)
    intx = lambda: f.read16(PCI_STATUS) & STATUS_INTERRUPT
    # Without MSI (nor MSI-X): a cause that EIMS enables asserts INTx; the
    # EICR read of ixgbe_intr lowers it.
    q.writel(PF_BAR0 + EIMS, 0x1)
    q.writel(PF_BAR0 + EICS, 0x1)
    check(intx(), "INTx not asserted for EICS with EIMS")
    eq(q.readl(PF_BAR0 + EICR), 0x1, "EICR")
    check(not intx(), "INTx still asserted after the EICR read")
    # MSI as pci_enable_msi programs it.
    q.writel(MSI_TARGET, 0)
    f.write32(MSI_CAP + MSI_ADDR_LO, MSI_TARGET)
    f.write32(MSI_CAP + MSI_ADDR_HI, 0)
    f.write16(MSI_CAP + MSI_DATA, 0x4a5b)
    f.write16(MSI_CAP + MSI_FLAGS, f.read16(MSI_CAP + MSI_FLAGS) | MSI_ENABLE)
    q.settle(0.01)
    eq(q.readl(MSI_TARGET), 0, "a message before any cause")
    # A masked cause sends nothing.
    q.writel(PF_BAR0 + 0x00888, 0x7fffffff)     # EIMC: everything masked
    q.writel(PF_BAR0 + EICS, 0x1)
    q.settle(0.01)
    eq(q.readl(MSI_TARGET), 0, "a message for a masked cause")
    # Unmasking the pending cause is the rising edge: one message, INTx
    # stays deasserted.
    q.writel(PF_BAR0 + EIMS, 0x1)
    wait_until(q, lambda: q.readl(MSI_TARGET) == 0x4a5b, "the MSI write")
    check(not intx(), "INTx asserted with MSI enabled")
    # Another cause while the level is high is no new edge.
    q.writel(MSI_TARGET, 0)
    q.writel(PF_BAR0 + EICS, 0x2)
    q.settle(0.01)
    eq(q.readl(MSI_TARGET), 0, "a message without a new edge")
    eq(q.readl(PF_BAR0 + EICR), 0x3, "EICR (both causes; cause 1 not enabled)")
    # Cleared, then a new cause: a new message.
    q.writel(PF_BAR0 + EICS, 0x1)
    wait_until(q, lambda: q.readl(MSI_TARGET) == 0x4a5b, "the second MSI")
    q.readl(PF_BAR0 + EICR)
    # The capability's mask bit holds the message pending until unmasked.
    q.writel(MSI_TARGET, 0)
    f.write32(MSI_CAP + MSI_MASK, 1)
    q.writel(PF_BAR0 + EICS, 0x1)
    q.settle(0.01)
    eq(q.readl(MSI_TARGET), 0, "a message while the vector is masked")
    eq(f.read32(MSI_CAP + MSI_PENDING) & 1, 1, "MSI pending bit")
    f.write32(MSI_CAP + MSI_MASK, 0)
    wait_until(q, lambda: q.readl(MSI_TARGET) == 0x4a5b,
               "the pending MSI after unmasking")
    check(not intx(), "INTx asserted with MSI enabled")
