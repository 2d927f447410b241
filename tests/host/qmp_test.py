#!/usr/bin/env python3
"""Tests of the shared QMP client (scripts/snic_qmp.py), of sriov-nic-ctl
run in-process (scripts/snic_ctl.py), and of the guest runner's host-control
channel (tests/guest/runner.py) against a paused QEMU.  Standard library
only; the fakes need no QEMU."""
import io
import json
import os
import socket
import stat
import subprocess
import sys
import tempfile
import threading
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
sys.path.insert(0, os.path.join(ROOT, "tests", "guest"))
import snic_ctl  # noqa: E402
import snic_qmp  # noqa: E402
import runner  # noqa: E402

QEMU = os.environ.get("SNIC_QEMU",
                      "/var/cache/sriov-nic/qemu-build/qemu-system-x86_64")


class FakeQmpServer:
    """A QMP unix socket server that answers from a table and sends an event
    before every reply (the client must skip it)."""

    def __init__(self, answers, greeting=None):
        self.dir = tempfile.mkdtemp(prefix="snic-qmp-")
        self.path = os.path.join(self.dir, "qmp.sock")
        self.answers = answers
        self.greeting = greeting or {"QMP": {"version": {}, "capabilities": []}}
        self.received = []
        self.srv = socket.socket(socket.AF_UNIX)
        self.srv.bind(self.path)
        self.srv.listen(4)
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.srv.accept()
            except OSError:
                return
            with conn:
                f = conn.makefile("rw")
                f.write(json.dumps(self.greeting) + "\n")
                f.flush()
                for line in f:
                    msg = json.loads(line)
                    self.received.append(msg)
                    f.write(json.dumps({"event": "SOMETHING", "data": {}}) + "\n")
                    reply = self.answers.get(msg["execute"],
                                             {"error": {"class": "CommandNotFound",
                                                        "desc": "no such command"}})
                    f.write(json.dumps(reply) + "\n")
                    f.flush()

    def close(self):
        self.srv.close()


class SocketClient(unittest.TestCase):

    def setUp(self):
        self.srv = FakeQmpServer({
            "qmp_capabilities": {"return": {}},
            "qom-get": {"return": 4},
            "qom-set": {"error": {"class": "GenericError", "desc": "vlan must be 0"}},
        })
        self.addCleanup(self.srv.close)

    def test_cmd_returns_value_and_skips_events(self):
        with snic_qmp.connect(self.srv.path) as q:
            self.assertEqual(q.cmd("qom-get", path="/x", property="total-vfs"), 4)
            self.assertTrue(q.events)
        self.assertEqual(self.srv.received[0], {"execute": "qmp_capabilities"})
        self.assertEqual(self.srv.received[1],
                         {"execute": "qom-get",
                          "arguments": {"path": "/x", "property": "total-vfs"}})

    def test_error_reply(self):
        with snic_qmp.connect(self.srv.path) as q:
            with self.assertRaises(snic_qmp.QmpError) as cm:
                q.cmd("qom-set", path="/x", property="vlan", value=5000)
            self.assertEqual(cm.exception.desc, "vlan must be 0")
            self.assertEqual(cm.exception.cls, "GenericError")
            self.assertIn("error", q.execute("qom-set"))

    def test_no_socket(self):
        with self.assertRaises(snic_qmp.QmpError) as cm:
            snic_qmp.connect(os.path.join(self.srv.dir, "missing"))
        self.assertIn("cannot connect", str(cm.exception))

    def test_wait_for_socket(self):
        late = os.path.join(self.srv.dir, "late.sock")

        def bind_later():
            time.sleep(0.3)
            os.symlink(self.srv.path, late)
        threading.Thread(target=bind_later).start()
        with snic_qmp.connect(late, wait=5) as q:
            self.assertEqual(q.cmd("qom-get"), 4)

    def test_not_qmp(self):
        srv = FakeQmpServer({}, greeting={"hello": 1})
        self.addCleanup(srv.close)
        with self.assertRaises(snic_qmp.QmpError) as cm:
            snic_qmp.connect(srv.path)
        self.assertIn("not a QMP socket", str(cm.exception))


class Virsh(unittest.TestCase):
    """VirshTransport against a fake virsh that logs its argv."""

    def fake_virsh(self, script):
        d = tempfile.mkdtemp(prefix="snic-virsh-")
        path = os.path.join(d, "virsh")
        with open(path, "w") as f:
            f.write("#!/bin/sh\nprintf '%s\\n' \"$@\" > \"$(dirname \"$0\")/argv\"\n" + script)
        os.chmod(path, stat.S_IRWXU)
        return path

    def test_command_and_reply(self):
        v = self.fake_virsh('echo \'{"return":7,"id":"libvirt-12"}\'\n')
        q = snic_qmp.connect_libvirt("guest1", uri="qemu:///system", virsh=v)
        self.assertEqual(q.cmd("qom-get", path="/p", property="num-vfs"), 7)
        with open(os.path.join(os.path.dirname(v), "argv")) as f:
            argv = f.read().splitlines()
        self.assertEqual(argv[:4], ["-c", "qemu:///system", "qemu-monitor-command", "guest1"])
        self.assertEqual(json.loads(argv[4]),
                         {"execute": "qom-get",
                          "arguments": {"path": "/p", "property": "num-vfs"}})

    def test_error_reply_and_failure(self):
        v = self.fake_virsh('echo \'{"error":{"class":"GenericError","desc":"nope"}}\'\n')
        with self.assertRaisesRegex(snic_qmp.QmpError, "nope"):
            snic_qmp.connect_libvirt("g", virsh=v).cmd("x")
        v = self.fake_virsh("echo 'error: failed to get domain' >&2; exit 1\n")
        with self.assertRaisesRegex(snic_qmp.QmpError, "failed to get domain"):
            snic_qmp.connect_libvirt("g", virsh=v).cmd("x")


class FakeClient:
    """A snic_qmp.Qmp stand-in: qom-get from a dict, records qom-set."""

    def __init__(self, props):
        self.props = props
        self.sets = []

    def cmd(self, name, path=None, property=None, value=None):
        if name == "qom-set":
            self.sets.append((path, property, value))
            return {}
        try:
            return self.props[(path, property)]
        except KeyError:
            raise snic_qmp.QmpError(f"Property '{property}' not found") from None


class CtlInProcess(unittest.TestCase):

    def run_ctl(self, client, *argv):
        out, err = io.StringIO(), io.StringIO()
        rc = snic_ctl.main(list(argv), out=out, err=err, client=client)
        return rc, out.getvalue(), err.getvalue()

    def test_set_and_stats(self):
        c = FakeClient({("/machine/peripheral/pf0/vf1", "stats"): {"rx-dropped": 3}})
        rc, out, err = self.run_ctl(c, "pf0", "vf", "1", "vlan", "10", "trust", "on")
        self.assertEqual((rc, err), (0, ""))
        self.assertEqual(c.sets, [("/machine/peripheral/pf0/vf1", "vlan", 10),
                                  ("/machine/peripheral/pf0/vf1", "trust", True)])
        rc, out, _ = self.run_ctl(c, "pf0", "stats", "vf", "1")
        self.assertEqual((rc, out), (0, "rx-dropped 3\n"))

    def test_errors_go_to_err_not_sys_exit(self):
        c = FakeClient({})
        rc, _, err = self.run_ctl(c, "pf0", "vf", "0", "colour", "red")
        self.assertEqual(rc, 1)
        self.assertIn("sriov-nic-ctl: unknown setting 'colour'", err)
        rc, _, err = self.run_ctl(c, "pf0", "stats", "vf", "9")
        self.assertEqual(rc, 1)
        self.assertIn("not found", err)
        rc, _, err = self.run_ctl(c, "--bogus")
        self.assertEqual(rc, 2)
        self.assertIn("usage:", err)
        rc, out, _ = self.run_ctl(c, "--help")
        self.assertEqual(rc, 0)
        self.assertIn("usage:", out)


@unittest.skipUnless(os.access(QEMU, os.X_OK), f"no QEMU at {QEMU}")
class RunnerHostControl(unittest.TestCase):
    """runner.serve_host_control answers CTL requests with sriov-nic-ctl's
    output, like the guest's host_ctl sees it, on a paused QEMU."""

    def test_ctl_round_trip(self):
        d = tempfile.mkdtemp(prefix="snic-hc-")
        qmp, ctl = os.path.join(d, "qmp"), os.path.join(d, "ctl")
        srv = socket.socket(socket.AF_UNIX)  # plays QEMU's ttyS2 chardev
        srv.bind(ctl)
        srv.listen(1)
        proc = subprocess.Popen(
            [QEMU, "-M", "q35", "-accel", "tcg", "-nodefaults", "-display", "none", "-S",
             "-L", "/usr/share/seabios", "-L", "/usr/share/qemu",
             "-netdev", "user,id=n0,restrict=on",
             "-device", "pcie-root-port,id=rp0,slot=1,chassis=1",
             "-device", "sriov-nic,id=pf0,bus=rp0,netdev=n0,total-vfs=2",
             "-qmp", f"unix:{qmp},server=on,wait=off"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.addCleanup(proc.wait)
        self.addCleanup(proc.kill)
        snic_qmp.connect(qmp, wait=30).close()
        th = threading.Thread(target=runner.serve_host_control, args=(proc, ctl, qmp),
                              daemon=True)
        th.start()
        conn, _ = srv.accept()
        conn.settimeout(30)
        f = conn.makefile("rw")

        def ask(rid, words):
            f.write(f"CTL {rid} {words}\r\n")
            f.flush()
            out = []
            for line in f:
                tag, got, rest = (line.rstrip("\n").split(" ", 2) + [""])[:3]
                self.assertEqual(got, str(rid))
                if tag == "END":
                    return int(rest), out
                out.append(rest)
            self.fail("no END")

        rc, out = ask(1, "pf0 vf 1 vlan 12")
        self.assertEqual((rc, out), (0, []))
        rc, out = ask(2, "pf0 show vf 1")
        self.assertEqual(rc, 0)
        self.assertIn("vlan 12", "\n".join(out))
        rc, out = ask(3, "pf0 stats vf 0")
        self.assertEqual(rc, 0)
        self.assertIn("rx-dropped 0", out)
        rc, out = ask(4, "pf0 vf 0 vlan 5000")
        self.assertEqual(rc, 1)
        self.assertTrue(out and out[0].startswith("sriov-nic-ctl: "), out)
        conn.close()
        srv.close()


class RunnerHostControlHook(unittest.TestCase):
    """serve_host_control(..., ctl=): requests go to the caller's function
    (tests/libvirt/run: sriov-nic-ctl --libvirt), not to a QMP socket."""

    def test_ctl_function_answers(self):
        d = tempfile.mkdtemp(prefix="snic-hc-")
        self.addCleanup(os.rmdir, d)
        ctl = os.path.join(d, "ctl")
        srv = socket.socket(socket.AF_UNIX)  # plays QEMU's ttyS2 chardev
        srv.bind(ctl)
        self.addCleanup(os.unlink, ctl)
        srv.listen(1)

        class Guest:  # a running guest: all serve_host_control asks of it
            ended = False

            def poll(self):
                return 0 if self.ended else None
        guest = Guest()
        seen = []

        def run_ctl(argv):
            seen.append(argv)
            if argv[:1] == ["boom"]:
                raise RuntimeError("bug")
            return 3, ["line one", "line two"]
        th = threading.Thread(target=runner.serve_host_control, args=(guest, ctl, None),
                              kwargs={"ctl": run_ctl}, daemon=True)
        th.start()
        conn, _ = srv.accept()
        conn.settimeout(30)
        f = conn.makefile("rw")

        def ask(rid, words):
            f.write(f"CTL {rid} {words}\n")
            f.flush()
            out = []
            for line in f:
                tag, got, rest = (line.rstrip("\n").split(" ", 2) + [""])[:3]
                if tag == "END":
                    return int(rest), out
                out.append(rest)
            self.fail("no END")
        self.assertEqual(ask(1, "pf0 vf 1 state disable"), (3, ["line one", "line two"]))
        rc, out = ask(2, "boom")
        self.assertEqual(rc, 70)
        self.assertIn("internal error", out[0])
        rc, out = ask(3, "@migrate unix")
        self.assertEqual(rc, 2)  # one fixed machine: refused, ctl not asked
        self.assertEqual(seen, [["pf0", "vf", "1", "state", "disable"], ["boom"]])
        guest.ended = True
        f.close()
        conn.close()
        srv.close()
        th.join(timeout=10)
        self.assertFalse(th.is_alive())


class Header(unittest.TestCase):

    def test_parse_header(self):
        with tempfile.NamedTemporaryFile("w", suffix=".sh", delete=False) as f:
            f.write("# a scenario\n# var: X=1\n# qemu: -device foo,x=@X@\n"
                    "# kernels: 6.12\n# host-control: yes\n# timeout: 99\n"
                    "# exclusive: yes\n"
                    "echo hi\n# qemu: ignored\n")
        self.addCleanup(os.unlink, f.name)
        h = runner.parse_header(f.name)
        self.assertEqual(h["vars"], {"X": "1"})
        self.assertEqual(h["qemu"], ["-device foo,x=@X@"])
        self.assertEqual(h["kernels"], ["6.12"])
        self.assertTrue(h["host_control"])
        self.assertEqual(h["timeout"], 99)
        self.assertTrue(h["exclusive"])


if __name__ == "__main__":
    unittest.main(verbosity=2)
