#!/usr/bin/env python3
"""Tests of scripts/sriov-nic-ctl and the per-VF QOM properties against a
running QEMU (paused with -S: no guest needed for the control plane).
Standard library only."""
import json
import os
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
CTL = os.path.join(ROOT, "scripts", "sriov-nic-ctl")
sys.path.insert(0, os.path.join(ROOT, "scripts"))
import snic_qmp  # noqa: E402
QEMU = os.environ.get("SNIC_QEMU",
                      "/var/cache/sriov-nic/qemu-build/qemu-system-x86_64")
BASE = [QEMU, "-M", "q35", "-accel", "tcg", "-nodefaults", "-display", "none",
        "-S", "-L", "/usr/share/seabios", "-L", "/usr/share/qemu",
        "-netdev", "user,id=n0,restrict=on",
        "-device", "pcie-root-port,id=rp0,slot=1,chassis=1"]


class Qemu:
    def __init__(self, device, extra=()):
        self.dir = tempfile.mkdtemp(prefix="snic-ctl-")
        self.sock = os.path.join(self.dir, "qmp.sock")
        self.proc = subprocess.Popen(
            BASE + list(extra) + ["-qmp", f"unix:{self.sock},server=on,wait=off",
                                  "-device", device],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        for _ in range(200):
            if os.path.exists(self.sock) or self.proc.poll() is not None:
                break
            time.sleep(0.05)

    def ctl(self, *args):
        p = subprocess.run([sys.executable, CTL, "--qmp", self.sock] +
                           list(args), capture_output=True, text=True,
                           timeout=60)
        return p.returncode, p.stdout, p.stderr

    def qmp(self, cmd, **arguments):
        """One command on a connection of its own (QEMU serves one QMP
        client at a time; sriov-nic-ctl needs the socket in between)."""
        with snic_qmp.connect(self.sock) as q:
            return q.execute(cmd, **arguments)

    def close(self):
        self.proc.kill()
        self.proc.wait()
        self.proc.stdout.close()


class CtlTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.q = Qemu("sriov-nic,id=pf0,bus=rp0,netdev=n0,total-vfs=4,"
                     "mac=52:54:00:00:00:01,"
                     "vf-vlan=0=10/1=20,vf-qos=0=3,vf-spoofchk=*=on/3=off,"
                     "vf-trust=2=on,vf-link-state=1=disable,"
                     "vf-max-tx-rate=*=100,vf-mac=3=02:00:00:00:00:33")
        if cls.q.proc.poll() is not None:
            raise RuntimeError(cls.q.proc.stdout.read())

    @classmethod
    def tearDownClass(cls):
        cls.q.close()

    def get(self, vf, prop):
        r = self.q.qmp("qom-get", path=f"/machine/peripheral/pf0/vf{vf}",
                       property=prop)
        self.assertIn("return", r, r)
        return r["return"]

    def test_json_show_and_ranges(self):
        rc, out, err = self.q.ctl("-j", "pf0", "show")
        self.assertEqual(rc, 0, err)
        j = json.loads(out)
        self.assertEqual(len(j), 1)
        pf = j[0]
        self.assertEqual((pf["ifname"], pf["total_vfs"], pf["num_vfs"]), ("pf0", 4, 0))
        vfs = pf["vfinfo_list"]
        self.assertEqual([v["vf"] for v in vfs], [0, 1, 2, 3])
        self.assertEqual(vfs[0]["vlan_list"], [{"vlan": 10, "qos": 3}])
        self.assertEqual(vfs[3]["address"], "02:00:00:00:00:33")
        self.assertEqual(vfs[1]["link_state"], "disable")
        self.assertIn("rx-packets", vfs[0]["stats"])
        rc, out, err = self.q.ctl("-j", "pf0", "show", "vf", "1,3")
        self.assertEqual(rc, 0, err)
        self.assertEqual([v["vf"] for v in json.loads(out)[0]["vfinfo_list"]], [1, 3])
        rc, out, err = self.q.ctl("-j", "pf0", "stats", "vf", "0-1")
        self.assertEqual(rc, 0, err)
        self.assertEqual([e["vf"] for e in json.loads(out)], [0, 1])
        rc, out, err = self.q.ctl("pf0", "stats", "vf", "2-3")
        self.assertEqual(rc, 0, err)
        self.assertIn("vf 3 rx-packets 0", out.splitlines())
        rc, out, err = self.q.ctl("-j", "pf0", "stats", "uplink")
        self.assertEqual(rc, 0, err)
        self.assertIn("tx-segmented", json.loads(out))
        for bad, why in (("3-1", "runs backwards"), ("0-9", "VF 4 does not exist"),
                         ("x", "VF number expected")):
            rc, out, err = self.q.ctl("pf0", "show", "vf", bad)
            self.assertEqual(rc, 1, out)
            self.assertIn(why, err)

    def test_setting_a_range(self):
        before = [self.get(n, "max-tx-rate") for n in range(4)]
        try:
            rc, out, err = self.q.ctl("pf0", "vf", "0-1,3", "max-tx-rate", "55")
            self.assertEqual(rc, 0, err)
            self.assertEqual([self.get(n, "max-tx-rate") for n in range(4)],
                             [55, 55, before[2], 55])
            rc, out, err = self.q.ctl("pf0", "vf", "all", "max-tx-rate", "77")
            self.assertEqual(rc, 0, err)
            self.assertEqual([self.get(n, "max-tx-rate") for n in range(4)], [77] * 4)
        finally:
            for n, v in enumerate(before):
                self.q.qmp("qom-set", path=f"/machine/peripheral/pf0/vf{n}",
                           property="max-tx-rate", value=v)

    def test_libvirt_transport_through_virsh(self):
        """--libvirt runs `virsh qemu-monitor-command DOMAIN JSON`; a stand-in
        virsh (SNIC_VIRSH) forwards it to this QEMU's QMP socket as libvirt
        would, and prints the reply."""
        fake = os.path.join(self.q.dir, "virsh")
        with open(fake, "w") as f:
            f.write(f"""#!{sys.executable}
import json, sys
sys.path.insert(0, {os.path.join(ROOT, "scripts")!r})
import snic_qmp
assert sys.argv[1:3] == ["qemu-monitor-command", "dom1"], sys.argv
msg = json.loads(sys.argv[3])
with snic_qmp.connect({self.q.sock!r}) as q:
    r = q.execute(msg["execute"], **msg.get("arguments", {{}}))
r["id"] = "libvirt-42"
print(json.dumps(r))
""")
        os.chmod(fake, 0o755)
        env = dict(os.environ, SNIC_VIRSH=fake)
        p = subprocess.run([sys.executable, CTL, "--libvirt", "dom1", "pf0", "show",
                            "vf", "0"], capture_output=True, text=True, env=env,
                           timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("vf 0", p.stdout)
        self.assertIn("vlan 10, qos 3", p.stdout)
        p = subprocess.run([sys.executable, CTL, "--libvirt", "dom1", "pf0", "vf", "0",
                            "vlan", "5000"], capture_output=True, text=True, env=env,
                           timeout=60)
        self.assertEqual(p.returncode, 1)
        self.assertIn("vlan", p.stderr)
        p = subprocess.run([sys.executable, CTL, "--qmp", self.q.sock, "--libvirt",
                            "dom1", "pf0", "show"], capture_output=True, text=True,
                           timeout=60)
        self.assertEqual(p.returncode, 2)

    def test_show_table(self):
        rc, out, err = self.q.ctl("pf0", "show")
        self.assertEqual(rc, 0, err)
        lines = out.splitlines()
        self.assertIn("pf0: sriov-nic link/ether 52:54:00:00:00:01 "
                      "total-vfs 4 num-vfs 0", lines[0])
        self.assertRegex(out, r"vf 0 +link/ether [0-9a-f]{2}:[0-9a-f]{2}:00:00:01:00, vlan 10, "
                              r"qos 3, spoof checking on, link-state auto, "
                              r"trust off, max_tx_rate 100Mbps, disabled")
        self.assertIn("RX:", out)
        self.assertEqual(sum(1 for l in lines if l.strip().startswith("vf ")),
                         4)

    def test_set_every_setting_then_read_back(self):
        rc, _, err = self.q.ctl("pf0", "vf", "2", "mac", "02:00:00:00:00:22",
                                "vlan", "30", "qos", "5", "spoofchk", "off",
                                "trust", "off", "state", "enable",
                                "max-tx-rate", "250")
        self.assertEqual(rc, 0, err)
        self.assertEqual(self.get(2, "mac"), "02:00:00:00:00:22")
        self.assertEqual(self.get(2, "vlan"), 30)
        self.assertEqual(self.get(2, "qos"), 5)
        self.assertFalse(self.get(2, "spoofchk"))
        self.assertFalse(self.get(2, "trust"))
        self.assertEqual(self.get(2, "link-state"), "enable")
        self.assertEqual(self.get(2, "max-tx-rate"), 250)
        rc, out, _ = self.q.ctl("pf0", "show", "vf", "2")
        self.assertIn("vlan 30, qos 5, spoof checking off, link-state enable, "
                      "trust off, max_tx_rate 250Mbps", out)

    def test_qemu_errors_shown_as_is(self):
        for args, msg in (
                (("vf", "0", "vlan", "5000"),
                 "VF 0: vlan must be 0 (none) to 4094, not '5000'"),
                (("vf", "0", "qos", "9"), "qos must be 0 to 7"),
                (("vf", "0", "mac", "01:00:00:00:00:01"),
                 "mac must be a unicast address"),
                (("vf", "0", "mac", "zz"), "is not a MAC address"),
                (("vf", "0", "state", "sideways"),
                 "link-state must be auto, enable or disable"),
                (("vf", "7", "trust", "on"), "vf7"),
        ):
            rc, out, err = self.q.ctl("pf0", *args)
            self.assertEqual(rc, 1, (args, out, err))
            self.assertIn(msg, err, args)

    def test_failed_set_changes_nothing(self):
        before = self.get(1, "vlan")
        rc, _, _ = self.q.ctl("pf0", "vf", "1", "vlan", "4095")
        self.assertNotEqual(rc, 0)
        self.assertEqual(self.get(1, "vlan"), before)

    def test_cli_usage_errors(self):
        for args in (("vf", "0"), ("vf", "0", "colour", "red"),
                     ("vf", "0", "spoofchk", "maybe"), ("frobnicate",),
                     ("vf", "x", "trust", "on")):
            rc, out, err = self.q.ctl("pf0", *args)
            self.assertNotEqual(rc, 0, args)
            self.assertIn("sriov-nic-ctl", err)

    def test_stats_and_readonly(self):
        rc, out, err = self.q.ctl("pf0", "stats", "vf", "0")
        self.assertEqual(rc, 0, err)
        keys = dict(l.split() for l in out.splitlines())
        for k in ("rx-packets", "tx-bytes", "drop-tx-spoof",
                  "ctrl-refused-untrusted", "tx-rate-waits"):
            self.assertIn(k, keys)
        rc, out, err = self.q.ctl("pf0", "stats", "uplink")
        self.assertEqual(rc, 0, err)
        r = self.q.qmp("qom-set", path="/machine/peripheral/pf0/vf0",
                       property="stats", value={})
        self.assertIn("error", r)
        self.assertFalse(self.get(0, "enabled"))
        r = self.q.qmp("qom-get", path="/machine/peripheral/pf0",
                       property="num-vfs")
        self.assertEqual(r["return"], 0)

    def test_bad_qmp_socket(self):
        p = subprocess.run([sys.executable, CTL, "--qmp", "/nonexistent",
                            "pf0", "show"], capture_output=True, text=True)
        self.assertEqual(p.returncode, 1)
        self.assertIn("cannot connect", p.stderr)


class StartupApplied(unittest.TestCase):
    """The same startup properties, on a QEMU no other test has changed."""

    setUpClass = classmethod(CtlTest.setUpClass.__func__)
    tearDownClass = classmethod(CtlTest.tearDownClass.__func__)
    get = CtlTest.get

    def test_startup_properties_applied(self):
        self.assertEqual(self.get(0, "vlan"), 10)
        self.assertEqual(self.get(0, "qos"), 3)
        self.assertEqual(self.get(1, "vlan"), 20)
        self.assertEqual(self.get(1, "link-state"), "disable")
        self.assertTrue(self.get(2, "trust"))
        self.assertFalse(self.get(3, "spoofchk"))
        self.assertTrue(self.get(2, "spoofchk"))
        self.assertEqual(self.get(2, "max-tx-rate"), 100)
        self.assertEqual(self.get(3, "mac"), "02:00:00:00:00:33")



class VfNetdevTest(unittest.TestCase):
    """vf-netdev: a VF bound to a netdev of its own, as the host sees it."""

    @classmethod
    def setUpClass(cls):
        cls.q = Qemu("sriov-nic,id=pf0,bus=rp0,netdev=n0,total-vfs=4,"
                     "vf-netdev=1=n1/3=n3",
                     extra=["-netdev", "hubport,id=n1,hubid=1",
                            "-netdev", "hubport,id=n3,hubid=3"])
        if cls.q.proc.poll() is not None:
            raise RuntimeError(cls.q.proc.stdout.read())

    @classmethod
    def tearDownClass(cls):
        cls.q.close()

    def test_show_names_the_netdev(self):
        rc, out, err = self.q.ctl("pf0", "show")
        self.assertEqual(rc, 0, err)
        lines = {l.split()[1]: l for l in out.splitlines() if l.startswith("    vf ")}
        self.assertIn("netdev n1", lines["1"])
        self.assertIn("netdev n3", lines["3"])
        self.assertNotIn("netdev", lines["0"])
        rc, out, err = self.q.ctl("-j", "pf0", "show")
        self.assertEqual(rc, 0, err)
        self.assertEqual([v["netdev"] for v in json.loads(out)[0]["vfinfo_list"]],
                         [None, "n1", None, "n3"])

    def test_netdev_stats(self):
        r = self.q.qmp("qom-get", path="/machine/peripheral/pf0/vf1",
                       property="netdev-stats")
        self.assertEqual(r["return"]["tx-packets"], 0)
        r = self.q.qmp("qom-get", path="/machine/peripheral/pf0/vf0",
                       property="netdev-stats")
        self.assertIn("no netdev of its own", r["error"]["desc"])

    def test_host_policy_still_settable(self):
        rc, out, err = self.q.ctl("pf0", "vf", "1", "vlan", "100", "spoofchk", "off")
        self.assertEqual(rc, 0, err)
        r = self.q.qmp("qom-get", path="/machine/peripheral/pf0/vf1", property="vlan")
        self.assertEqual(r["return"], 100)


class StartupErrors(unittest.TestCase):

    def start(self, props, extra=()):
        p = subprocess.run(BASE + list(extra) +
                           ["-device", "sriov-nic,bus=rp0,netdev=n0,"
                            "total-vfs=4," + props],
                           input="", capture_output=True, text=True,
                           timeout=60)
        return p.returncode, p.stdout + p.stderr

    def test_bad_specs(self):
        for props, msg in (
                ("vf-vlan=0=5000", "vf-vlan=0=5000: "),
                ("vf-vlan=9=20", "VF 9 does not exist (total-vfs is 4)"),
                ("vf-vlan=x=20", "'x=20'"),
                ("vf-spoofchk=*=maybe", "vf-spoofchk"),
                ("vf-mac=*=02:00:00:00:00:01", "vf-mac"),
                ("vf-link-state=0=down", "link-state"),
                ("vf-qos=0=3", "qos"),
        ):
            rc, out = self.start(props)
            self.assertNotEqual(rc, 0, props)
            self.assertIn(msg, out, props)

    def test_bad_vf_netdev(self):
        extra = ["-netdev", "hubport,id=h1,hubid=1", "-netdev", "hubport,id=h2,hubid=2",
                 "-netdev", "hubport,id=used,hubid=3",
                 "-device", "virtio-net-pci,netdev=used,romfile=,bus=pcie.0"]
        for props, msg in (
                ("vf-netdev=4=h1", "vf-netdev: VF 4 does not exist (total-vfs is 4)"),
                ("vf-netdev=1", "vf-netdev: '1' is not VF=NETDEV"),
                ("vf-netdev=-1=h1", "vf-netdev: '-1=h1' is not VF=NETDEV"),
                ("vf-netdev=1=nope", "vf-netdev: VF 1: no netdev 'nope'"),
                ("vf-netdev=1=n0", "vf-netdev: VF 1: netdev 'n0' is the PF's"),
                ("vf-netdev=1=used", "vf-netdev: VF 1: netdev 'used' is already in use"),
                ("vf-netdev=1=h1/1=h2", "vf-netdev: VF 1 is given a netdev twice"),
                ("vf-netdev=1=h1/2=h1", "vf-netdev: netdev 'h1' is given to VF 1 and VF 2"),
                ("vf-netdev=0=h1/1=h2/2=h1/3=h2/0=h1", "vf-netdev binds 5 VFs, total-vfs is 4"),
        ):
            rc, out = self.start(props, extra)
            self.assertNotEqual(rc, 0, props)
            self.assertIn(msg, out, props)
            self.assertNotIn("Assertion", out, props)


if __name__ == "__main__":
    unittest.main(verbosity=2)
