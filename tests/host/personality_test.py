#!/usr/bin/env python3
"""Host-side tests of the personality property on the QEMU command line:
the values it takes, its help text, and the clear refusal of every value
and combination personality=ixgbe cannot have (no guest; see cli_test.py).
"""
import os
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cli_test import NET, QEMU, run  # noqa: E402

ROOT_PORT = ["-device", "pcie-root-port,id=rp0,slot=1,chassis=1"]


def ixgbe(props="", bus=True):
    dev = "sriov-nic,id=pf0,netdev=n0,personality=ixgbe"
    if bus:
        dev += ",bus=rp0"
    if props:
        dev += "," + props
    return (ROOT_PORT if bus else []) + ["-device", dev] + NET


class Personality(unittest.TestCase):

    def test_help_documents_it_with_its_values_and_default(self):
        p = subprocess.run([QEMU, "-device", "sriov-nic,help"],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)
        line = [l for l in p.stdout.splitlines()
                if l.strip().startswith("personality=")]
        self.assertEqual(len(line), 1, p.stdout)
        self.assertIn("virtio-net", line[0])
        self.assertIn("ixgbe", line[0])
        self.assertIn("82599", line[0])
        self.assertIn('(default: virtio-net)', line[0])

    def test_virtio_net_by_name_is_the_default(self):
        rc, out = run(["-device", "sriov-nic,netdev=n0,personality=virtio-net"]
                      + NET)
        self.assertEqual(rc, 0, out)

    def test_ixgbe_starts_with_63_vfs_behind_a_root_port(self):
        rc, out = run(ixgbe("total-vfs=63"), timeout=120)
        self.assertEqual(rc, 0, out)

    def test_ixgbe_starts_on_the_root_bus_with_the_default_vfs(self):
        rc, out = run(ixgbe(bus=False))
        self.assertEqual(rc, 0, out)

    def total_vfs(self, args):
        rc, out = run(args, monitor_input="qom-get /machine/peripheral/pf0 "
                      "total-vfs\nquit\n",
                      timeout=120)
        self.assertEqual(rc, 0, out)
        lines = [l.strip() for l in out.splitlines() if l.strip().isdigit()]
        self.assertEqual(len(lines), 1, out)
        return int(lines[0])

    def test_total_vfs_not_given_is_the_82599s_63_behind_a_root_port(self):
        self.assertEqual(self.total_vfs(ixgbe()), 63)
        # On the root bus its VFs' routing IDs (devfn + 0x80, stride 2)
        # would meet the chipset's devices: 8 there, as virtio-net's.
        self.assertEqual(self.total_vfs(ixgbe(bus=False)), 8)
        self.assertEqual(self.total_vfs(
            ROOT_PORT + ["-device", "sriov-nic,id=pf0,netdev=n0,bus=rp0"]
            + NET), 8)
        self.assertEqual(self.total_vfs(ixgbe("total-vfs=7")), 7)

    def test_unknown_personality_names_the_allowed_values(self):
        for bad in ("e1000", "IXGBE", ""):
            rc, out = run(["-device",
                           "sriov-nic,netdev=n0,personality=" + bad] + NET)
            self.assertNotEqual(rc, 0, bad)
            self.assertIn("personality=%s is not known: it is virtio-net "
                          "(the default) or ixgbe" % bad, out)

    def test_ixgbe_total_vfs_beyond_63(self):
        for n in (64, 255):
            rc, out = run(ixgbe("total-vfs=%d" % n))
            self.assertNotEqual(rc, 0, n)
            self.assertIn("total-vfs=%d is out of range for personality=ixgbe "
                          "(0 to 63, the 82599's TotalVFs)" % n, out)

    def test_ixgbe_refuses_the_virtio_options_by_name(self):
        cases = {
            "queue-pairs=4": "queue-pairs is a virtio-net option: "
                             "personality=ixgbe does not take it",
            "queue-pairs=1": "queue-pairs is a virtio-net option",
            "queue-size=512": "queue-size is a virtio-net option: "
                              "personality=ixgbe does not take it",
            "packed=on": "packed is a virtio-net option: personality=ixgbe "
                         "does not take it",
            "speed=1000": "speed=1000: personality=ixgbe is a 10 Gb/s 82599 "
                          "KX4, speed must be 10000",
        }
        for props, msg in cases.items():
            rc, out = run(ixgbe(props))
            self.assertNotEqual(rc, 0, props)
            self.assertIn(msg, out, props)

    def test_ixgbe_refuses_vf_netdev(self):
        rc, out = run(ixgbe("vf-netdev=0=n1") +
                      ["-netdev", "user,id=n1,restrict=on"])
        self.assertNotEqual(rc, 0)
        self.assertIn("vf-netdev is not supported with personality=ixgbe", out)

    def test_ixgbe_placement_uses_the_82599_vf_offset(self):
        # At 00:05.0 the VFs start at devfn 0x28 + 0x80, stride 2: 44 fit.
        rc, out = run(ixgbe("addr=5.0,total-vfs=45", bus=False))
        self.assertNotEqual(rc, 0)
        self.assertIn("total-vfs=45 does not fit", out)
        self.assertIn("room for 44 VF routing IDs", out)
        self.assertIn("up to 63 VFs", out)
        # 40 VFs end at devfn 0xf6, below the ICH9 functions at 1f.x.
        rc, out = run(ixgbe("addr=5.0,total-vfs=40", bus=False))
        self.assertEqual(rc, 0, out)

    def test_ixgbe_is_migratable(self):
        # No migration blocker: -only-migratable accepts the device.
        rc, out = run(ixgbe() + ["-only-migratable"])
        self.assertEqual(rc, 0, out)

    def test_qom_reads_it_back(self):
        rc, out = run(ixgbe(), monitor_input="qom-get /machine/peripheral/pf0 "
                      "personality\nquit\n")
        self.assertEqual(rc, 0, out)
        self.assertIn('"ixgbe"', out)


if __name__ == "__main__":
    unittest.main(verbosity=2)
