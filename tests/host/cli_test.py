#!/usr/bin/env python3
"""Host-side tests of the QEMU command line: properties, errors, help.

Runs the built qemu-system-x86_64 without booting a guest (-S, QMP 'quit'
or immediate exit on error). Standard library only.
"""
import os
import subprocess
import sys
import unittest

QEMU = os.environ.get("SNIC_QEMU",
                      "/var/cache/sriov-nic/qemu-build/qemu-system-x86_64")
BASE = [QEMU, "-M", "q35", "-accel", "tcg", "-nodefaults", "-display", "none",
        "-S", "-L", "/usr/share/seabios", "-L", "/usr/share/qemu"]
NET = ["-netdev", "user,id=n0,restrict=on"]


def run(args, monitor_input="quit\n", timeout=60):
    """Start QEMU paused with an HMP monitor on stdio and quit at once."""
    p = subprocess.run(BASE + ["-monitor", "stdio"] + args,
                       input=monitor_input, capture_output=True, text=True,
                       timeout=timeout)
    return p.returncode, p.stdout + p.stderr


class DeviceCli(unittest.TestCase):

    def test_help_lists_properties(self):
        p = subprocess.run([QEMU, "-device", "sriov-nic,help"],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)
        for prop in ("total-vfs", "mac", "netdev", "mtu", "speed", "queue-size"):
            self.assertIn(prop, p.stdout)

    def test_device_list_shows_pf_not_vf_as_creatable(self):
        p = subprocess.run([QEMU, "-device", "help"], capture_output=True,
                           text=True, timeout=60)
        self.assertIn('"sriov-nic"', p.stdout)
        self.assertNotIn('"sriov-nic-vf"', p.stdout)

    def test_default_starts(self):
        rc, out = run(["-device", "sriov-nic,netdev=n0"] + NET)
        self.assertEqual(rc, 0, out)

    def test_vf_not_user_creatable(self):
        rc, out = run(["-device", "sriov-nic-vf"])
        self.assertNotEqual(rc, 0)
        self.assertIn("sriov-nic-vf", out)

    def test_total_vfs_out_of_range(self):
        rc, out = run(["-device", "pcie-root-port,id=rp0,slot=1,chassis=1",
                       "-device", "sriov-nic,netdev=n0,bus=rp0,total-vfs=256"]
                      + NET)
        self.assertNotEqual(rc, 0)
        self.assertIn("total-vfs=256 is out of range", out)

    def test_total_vfs_not_a_number(self):
        rc, out = run(["-device", "sriov-nic,netdev=n0,total-vfs=many"] + NET)
        self.assertNotEqual(rc, 0)
        self.assertIn("total-vfs", out)

    def test_255_vfs_behind_root_port(self):
        rc, out = run(["-device", "pcie-root-port,id=rp0,slot=1,chassis=1",
                       "-device", "sriov-nic,netdev=n0,bus=rp0,total-vfs=255"]
                      + NET, timeout=120)
        self.assertEqual(rc, 0, out)

    def test_too_many_vfs_for_root_bus_slot(self):
        # At 00:1e.0 the PF leaves 255 - 0xf1 + 1 = 15 routing IDs.
        rc, out = run(["-device",
                       "sriov-nic,netdev=n0,addr=1e.0,total-vfs=64"] + NET)
        self.assertNotEqual(rc, 0)
        self.assertIn("total-vfs=64 does not fit", out)
        self.assertIn("pcie-root-port", out)

    def test_pf_not_function_zero(self):
        rc, out = run(["-device",
                       "sriov-nic,netdev=n0,addr=5.2,total-vfs=2"] + NET)
        self.assertNotEqual(rc, 0)
        self.assertIn("function 0", out)

    def test_vf_collides_with_other_device(self):
        rc, out = run(["-device", "sriov-nic,netdev=n0,addr=5.0,total-vfs=8",
                       "-device", "e1000e,addr=6.0,netdev=n1",
                       "-netdev", "user,id=n1,restrict=on"] + NET)
        # 8 VFs at 05.1..05.7 and 06.0 collide with the e1000e at 06.0, or
        # the e1000e cannot take its slot: either way a clear error.
        self.assertNotEqual(rc, 0)
        self.assertRegex(out, r"06\.0|slot 6|in use")

    def test_bad_mtu(self):
        rc, out = run(["-device", "sriov-nic,netdev=n0,mtu=10"] + NET)
        self.assertNotEqual(rc, 0)
        self.assertIn("mtu", out)

    def test_bad_speed(self):
        for speed in ("0", "4294967295"):
            rc, out = run(["-device", f"sriov-nic,netdev=n0,speed={speed}"] + NET)
            self.assertNotEqual(rc, 0, speed)
            self.assertIn("speed must be a link speed in Mb/s", out)

    def test_jumbo_mtu_and_speed_are_the_defaults(self):
        p = subprocess.run([QEMU, "-device", "sriov-nic,help"], capture_output=True,
                           text=True, timeout=60)
        self.assertRegex(p.stdout, r"mtu=<uint16> .*\(default: 9000\)")
        self.assertRegex(p.stdout, r"speed=<uint32> .*\(default: 10000\)")

    def test_bad_queue_size(self):
        rc, out = run(["-device", "sriov-nic,netdev=n0,queue-size=100"] + NET)
        self.assertNotEqual(rc, 0)
        self.assertIn("queue-size", out)

    def test_zero_vfs_is_plain_nic(self):
        rc, out = run(["-device", "sriov-nic,netdev=n0,total-vfs=0"] + NET)
        self.assertEqual(rc, 0, out)

    def test_two_pfs_behind_root_ports(self):
        rc, out = run(["-device", "pcie-root-port,id=rp0,slot=1,chassis=1",
                       "-device", "pcie-root-port,id=rp1,slot=2,chassis=2",
                       "-device", "sriov-nic,netdev=n0,bus=rp0,total-vfs=16",
                       "-device", "sriov-nic,netdev=n1,bus=rp1,total-vfs=16",
                       "-netdev", "user,id=n1,restrict=on"] + NET)
        self.assertEqual(rc, 0, out)


if __name__ == "__main__":
    unittest.main(verbosity=2)
