#!/usr/bin/env python3
"""Migration of a paused QEMU with the device through a file, no guest:
the stream loads into a QEMU with the same properties, is refused (with the
property or field named) by one with other properties or when a ring index
in it is corrupted (tests/guest/migrate.py's helper, which the guest test
uses too).  Standard library only."""
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
sys.path.insert(0, os.path.join(ROOT, "tests", "guest"))
import migrate  # noqa: E402
import snic_qmp  # noqa: E402

QEMU = os.environ.get("SNIC_QEMU",
                      "/var/cache/sriov-nic/qemu-build/qemu-system-x86_64")


def machine(total_vfs=4, extra=(), personality=None):
    dev = f"sriov-nic,id=pf0,bus=rp0,netdev=n0,total-vfs={total_vfs}"
    if personality:
        dev += f",personality={personality}"
    return [QEMU, "-M", "q35", "-accel", "tcg", "-nodefaults", "-display", "none",
            "-S", "-L", "/usr/share/seabios", "-L", "/usr/share/qemu", "-m", "128M",
            "-netdev", "user,id=n0,restrict=on",
            "-device", "pcie-root-port,id=rp0,slot=1,chassis=1",
            "-device", dev, *extra]


class SavedVm:
    """A paused QEMU saved to a file (cls.state), and restores of it."""

    @classmethod
    def save(cls, argv, before):
        """Start a paused QEMU from @argv, call @before(qmp), save it to
        cls.state."""
        cls.dir = tempfile.mkdtemp(prefix="snic-mig-")
        cls.state = os.path.join(cls.dir, "vm.state")
        q, proc = cls.start(cls, argv)
        try:
            before(q)
            q.cmd("migrate", uri=f"file:{cls.state}")
            info = migrate._wait_migration(q, timeout=60)
            assert info["status"] == "completed", info
        finally:
            q.close()
            proc.kill()
            proc.wait()
            proc.log.close()

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir, ignore_errors=True)

    def start(self, argv):
        qmp = os.path.join(self.dir, f"qmp{time.monotonic_ns()}")
        log = open(qmp + ".log", "w+")
        proc = subprocess.Popen(argv + ["-qmp", f"unix:{qmp},server=on,wait=off"],
                                stdout=log, stderr=subprocess.STDOUT)
        proc.log = log
        return snic_qmp.connect(qmp, timeout=30, wait=30), proc

    def restore(self, path, total_vfs=4, personality=None):
        """Load path into a new paused QEMU: (status, its output, qmp, proc)."""
        q, proc = self.start(machine(total_vfs, ["-incoming", "defer"],
                                     personality))
        self.addCleanup(proc.log.close)
        self.addCleanup(proc.wait)
        self.addCleanup(proc.kill)
        self.addCleanup(q.close)
        q.cmd("migrate-incoming", uri=f"file:{path}", **{"exit-on-error": False})
        info = migrate._wait_migration(q, timeout=60)
        time.sleep(0.2)
        proc.log.seek(0)
        return info["status"], proc.log.read(), q, proc


@unittest.skipUnless(os.access(QEMU, os.X_OK), f"no QEMU at {QEMU}")
class FileMigration(SavedVm, unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.save(machine(), lambda q: q.cmd(
            "qom-set", path="/machine/peripheral/pf0/vf1", property="vlan",
            value=42))

    def test_same_properties_load_with_the_policy(self):
        status, out, q, _ = self.restore(self.state)
        self.assertEqual(status, "completed", out)
        self.assertEqual(q.cmd("qom-get", path="/machine/peripheral/pf0/vf1",
                               property="vlan"), 42)

    def test_other_total_vfs_is_refused_naming_it(self):
        status, out, _, _ = self.restore(self.state, total_vfs=2)
        self.assertEqual(status, "failed")
        self.assertIn("total-vfs", out)

    def test_corrupted_ring_index_is_refused_naming_it(self):
        bad = os.path.join(self.dir, "bad.state")
        what = migrate.corrupt_ring_index(self.state, bad)
        self.assertIn("last_avail_idx 0 -> 1", what)
        status, out, _, _ = self.restore(bad)
        self.assertEqual(status, "failed")
        self.assertIn("the incoming device state is refused", out)
        self.assertIn("queue 0", out)
        self.assertIn("ring indices of a disabled queue are not 0", out)

    def test_the_helper_finds_exactly_one_core_state(self):
        with open(self.state, "rb") as f:
            data = f.read()
        at, n = migrate.find_core_state(data)
        self.assertEqual(data[at:at + 4], b"SNIC")
        self.assertEqual(data[at + n - 4:at + n], b"END!")
        with self.assertRaises(ValueError):
            migrate.find_core_state(data[:at] + data[at + n:])


@unittest.skipUnless(os.access(QEMU, os.X_OK), f"no QEMU at {QEMU}")
class IxgbeFileMigration(SavedVm, unittest.TestCase):
    """The same for personality=ixgbe: the stream holds the 82599 too (the
    refusals of corrupted ixgbe state are unit-tested:
    tests/unit/ixgbe/state_test.cc)."""

    @classmethod
    def setUpClass(cls):
        cls.save(machine(personality="ixgbe"), lambda q: None)

    def restore(self, path, total_vfs=4, personality="ixgbe"):
        return SavedVm.restore(self, path, total_vfs, personality)

    def test_same_properties_load(self):
        status, out, q, _ = self.restore(self.state)
        self.assertEqual(status, "completed", out)
        # The host reads the guest PF driver's policy (none yet: defaults).
        self.assertEqual(q.cmd("qom-get", path="/machine/peripheral/pf0/vf1",
                               property="vlan"), 0)

    def test_other_total_vfs_is_refused_naming_it(self):
        status, out, _, _ = self.restore(self.state, total_vfs=2)
        self.assertEqual(status, "failed")
        self.assertIn("total-vfs", out)

    def test_a_virtio_net_destination_is_refused_naming_it(self):
        status, out, _, _ = self.restore(self.state, personality="virtio-net")
        self.assertEqual(status, "failed")
        self.assertIn("personality=ixgbe", out)
        self.assertIn("start the destination with the same personality", out)


class Requests(unittest.TestCase):

    def test_parse(self):
        self.assertEqual(migrate.parse_request([]),
                         {"transport": "unix", "corrupt": False, "sets": {}})
        self.assertEqual(migrate.parse_request(["file", "corrupt-ring", "TOTAL_VFS=4"]),
                         {"transport": "file", "corrupt": True,
                          "sets": {"TOTAL_VFS": "4"}})
        for bad in (["tcp"], ["corrupt-ring"], ["1X=2"]):
            with self.assertRaises(migrate.BadRequest):
                migrate.parse_request(bad)


if __name__ == "__main__":
    unittest.main(verbosity=2)
