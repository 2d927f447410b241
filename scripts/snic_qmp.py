"""The project's one QMP client (standard library only).

Used by scripts/sriov-nic-ctl (scripts/snic_ctl.py), tests/host/*_test.py
and tests/guest/runner.py.  A client sends QMP commands through a
*transport*; two exist:

  SocketTransport(path)      a QMP unix socket (-qmp unix:PATH,server=on,wait=off):
                             reads the greeting, negotiates capabilities,
                             skips asynchronous events (kept in .events)
  VirshTransport(domain)     a libvirt domain, one `virsh qemu-monitor-command
                             DOMAIN JSON` per command (libvirt owns the monitor)

A transport has execute(message: dict) -> reply dict (the QMP reply object:
{"return": ...} or {"error": {...}}) and close().  Anything that offers those
two methods works (tests use fakes).

    with snic_qmp.connect("/tmp/qmp.sock") as q:
        q.cmd("qom-get", path="/machine/peripheral/pf0", property="num-vfs")

cmd() returns the "return" value and raises QmpError (with .cls, .desc as
QEMU sent them) for an error reply; execute() returns the reply as it is.
A QEMU socket server accepts one client at a time: close the client before
another program (sriov-nic-ctl) needs the same socket.
"""

import json
import os
import socket
import subprocess
import time

__all__ = ["QmpError", "Qmp", "SocketTransport", "VirshTransport", "connect",
           "connect_libvirt"]


class QmpError(Exception):
    """A QMP error reply (cls, desc from QEMU) or a transport failure (cls None)."""

    def __init__(self, desc, cls=None):
        super().__init__(desc)
        self.desc = desc
        self.cls = cls


class SocketTransport:
    """QMP over a unix socket.  wait: seconds to wait for the socket to
    appear and accept (QEMU creates it shortly after it starts)."""

    def __init__(self, path, timeout=10.0, wait=0.0):
        self.path = path
        self.events = []
        self.buf = b""
        self.sock = None
        deadline = time.monotonic() + wait
        while True:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.settimeout(timeout)
            try:
                s.connect(path)
                break
            except OSError as e:
                s.close()
                if time.monotonic() >= deadline:
                    raise QmpError(f"cannot connect to QMP socket {path}: "
                                   f"{e.strerror or e}") from None
                time.sleep(0.05)
        self.sock = s
        try:
            greeting = self._recv()
            if "QMP" not in greeting:
                raise QmpError(f"{path} is not a QMP socket")
            reply = self.execute({"execute": "qmp_capabilities"})
            if "error" in reply:
                raise QmpError(reply["error"].get("desc", "qmp_capabilities failed"))
        except (QmpError, OSError, ValueError) as e:
            self.close()
            if isinstance(e, QmpError):
                raise
            raise QmpError(f"QMP handshake on {path} failed: {e}") from None

    def _recv(self):
        while True:
            nl = self.buf.find(b"\n")
            if nl >= 0:
                line, self.buf = self.buf[:nl], self.buf[nl + 1:]
                if line.strip():
                    return json.loads(line)
                continue
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                raise QmpError(f"no answer from QEMU on {self.path}") from None
            except OSError as e:
                raise QmpError(f"QMP socket {self.path}: {e.strerror or e}") from None
            if not chunk:
                raise QmpError("QEMU closed the QMP connection")
            self.buf += chunk

    def execute(self, message):
        try:
            self.sock.sendall(json.dumps(message).encode() + b"\n")
        except OSError as e:
            raise QmpError(f"QMP socket {self.path}: {e.strerror or e}") from None
        while True:
            r = self._recv()
            if "event" in r:
                self.events.append(r)
                continue
            return r

    def close(self):
        if self.sock is not None:
            self.sock.close()
            self.sock = None


class VirshTransport:
    """QMP through libvirt: `virsh [-c URI] qemu-monitor-command DOMAIN JSON`.
    libvirt has already negotiated capabilities and prints the reply object."""

    def __init__(self, domain, uri=None, virsh="virsh", timeout=30.0):
        self.argv = [virsh] + (["-c", uri] if uri else []) + [
            "qemu-monitor-command", domain]
        self.domain = domain
        self.timeout = timeout
        self.events = []

    def execute(self, message):
        try:
            p = subprocess.run(self.argv + [json.dumps(message)], capture_output=True,
                               text=True, timeout=self.timeout)
        except FileNotFoundError:
            raise QmpError(f"{self.argv[0]} not found (is libvirt-clients installed?)") from None
        except subprocess.TimeoutExpired:
            raise QmpError(f"virsh qemu-monitor-command {self.domain} timed out") from None
        if p.returncode != 0:
            msg = (p.stderr.strip() or p.stdout.strip()).splitlines()
            raise QmpError(msg[-1] if msg else f"virsh exited {p.returncode}")
        try:
            reply = json.loads(p.stdout)
        except ValueError:
            raise QmpError(f"virsh printed no QMP reply: {p.stdout.strip()[:200]}") from None
        reply.pop("id", None)
        return reply

    def close(self):
        pass


class Qmp:
    """A QMP client over any transport."""

    def __init__(self, transport):
        self.transport = transport

    def execute(self, name, **args):
        """Send one command; return QEMU's reply object unchanged."""
        msg = {"execute": name}
        if args:
            msg["arguments"] = args
        return self.transport.execute(msg)

    def cmd(self, name, **args):
        """Send one command; return its "return" value or raise QmpError."""
        r = self.execute(name, **args)
        if "error" in r:
            err = r["error"]
            raise QmpError(err.get("desc", str(err)), err.get("class"))
        return r.get("return")

    @property
    def events(self):
        return getattr(self.transport, "events", [])

    def close(self):
        self.transport.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def connect(path, timeout=10.0, wait=0.0):
    """A client on the QMP unix socket at path."""
    return Qmp(SocketTransport(path, timeout=timeout, wait=wait))


def connect_libvirt(domain, uri=None, virsh=None):
    """A client for a libvirt domain (virsh qemu-monitor-command)."""
    return Qmp(VirshTransport(domain, uri=uri,
                              virsh=virsh or os.environ.get("SNIC_VIRSH", "virsh")))
