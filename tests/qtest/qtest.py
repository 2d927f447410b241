"""A small qtest client: drives one QEMU process (-accel qtest) over the
qtest line protocol (system/qtest.c) and QMP. Standard library only.

    q = QTest(["-M", "q35", ...])
    q.writel(addr, v); q.readl(addr); q.clock_step(ns); q.qmp("query-status")
    q.close()

QEMU connects to two unix sockets the client listens on (as libqtest does):
-qtest unix:PATH and -chardev socket,path=PATH -mon mode=control. Its stderr
and the -D log (guest errors, unimplemented features) go to files in a
private temporary directory; log_lines() returns them for reports.

Every command waits for its answer with a timeout: QEMU hanging is reported
as QTestError, and so is QEMU dying (with the tail of its log). batch()
pipelines many commands and then reads all the answers, which is what makes
sweeps over every offset of a BAR fast enough.
"""
import base64
import collections
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time

QEMU = os.environ.get("SNIC_QEMU",
                      "/var/cache/sriov-nic/qemu-build/qemu-system-x86_64")

# Answers slower than this mean QEMU is stuck (the main loop is not running).
REPLY_TIMEOUT = float(os.environ.get("SNIC_QTEST_TIMEOUT", "20"))


class QTestError(Exception):
    pass


# Every QEMU this process started and has not reaped yet: the runner kills
# them on any exit path (atexit, signals).
LIVE = set()


def kill_all():
    for q in list(LIVE):
        q.close()


class QTest:
    def __init__(self, args, name="qtest", keep_dir=False):
        self.dir = tempfile.mkdtemp(prefix="snic-qtest-%s-" % name)
        self.keep_dir = keep_dir
        self.qtest_path = os.path.join(self.dir, "qtest.sock")
        self.qmp_path = os.path.join(self.dir, "qmp.sock")
        self.log_path = os.path.join(self.dir, "qemu.log")
        self.stderr_path = os.path.join(self.dir, "stderr.log")
        self.proc = None
        self.sock = None
        self.qmp_sock = None
        self._rx = b""
        self._lines = collections.deque()
        self._qmp_rx = b""
        self.clock_ns = 0
        self.commands = 0
        ls = self._listen(self.qtest_path)
        lq = self._listen(self.qmp_path)
        try:
            self.argv = [QEMU, "-accel", "qtest",
                         "-qtest", "unix:" + self.qtest_path,
                         "-chardev", "socket,path=%s,id=qmp0" % self.qmp_path,
                         "-mon", "chardev=qmp0,mode=control",
                         "-qtest-log", "/dev/null",
                         "-display", "none", "-nodefaults",
                         "-d", "guest_errors,unimp", "-D", self.log_path,
                         ] + list(args)
            self._stderr = open(self.stderr_path, "wb")
            self.proc = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL,
                                         stdout=self._stderr,
                                         stderr=subprocess.STDOUT)
            LIVE.add(self)
            self.sock = self._accept(ls)
            self.qmp_sock = self._accept(lq)
        except BaseException:
            ls.close()
            lq.close()
            self.close()
            raise
        ls.close()
        lq.close()
        greeting = self._qmp_recv()
        if "QMP" not in greeting:
            raise QTestError("no QMP greeting: %r" % greeting)
        self.qmp("qmp_capabilities")

    # ---- process -------------------------------------------------------
    @staticmethod
    def _listen(path):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.bind(path)
        s.listen(1)
        return s

    def _accept(self, ls):
        deadline = time.monotonic() + REPLY_TIMEOUT
        ls.settimeout(0.05)
        while True:
            try:
                c, _ = ls.accept()
                c.settimeout(None)
                return c
            except socket.timeout:
                pass
            if self.proc.poll() is not None:
                raise QTestError("QEMU exited (status %s) before connecting:\n%s"
                                 % (self.proc.returncode, self.log_tail()))
            if time.monotonic() > deadline:
                raise QTestError("QEMU did not connect to %s" % ls.getsockname())

    def close(self):
        """Kill QEMU (it has no guest to shut down) and wait for it."""
        for s in (self.sock, self.qmp_sock):
            if s is not None:
                try:
                    s.close()
                except OSError:
                    pass
        self.sock = self.qmp_sock = None
        if self.proc is not None and self.proc.poll() is None:
            try:
                os.kill(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
        if getattr(self, "_stderr", None) is not None:
            self._stderr.close()
            self._stderr = None
        LIVE.discard(self)

    def remove_dir(self):
        if not self.keep_dir:
            shutil.rmtree(self.dir, ignore_errors=True)

    def exited(self):
        return self.proc is None or self.proc.poll() is not None

    def log_lines(self):
        """QEMU's -D log (guest errors, unimp) and stderr, as lines."""
        out = []
        for p in (self.stderr_path, self.log_path):
            try:
                with open(p, "rb") as f:
                    out += f.read().decode("utf-8", "replace").splitlines()
            except OSError:
                pass
        return out

    def log_tail(self, n=30):
        return "\n".join(self.log_lines()[-n:])

    def _dead(self, what):
        status = self.proc.poll() if self.proc else None
        if status is not None:
            sig = ""
            if status < 0:
                try:
                    sig = " (%s)" % signal.Signals(-status).name
                except ValueError:
                    pass
            return QTestError("QEMU died%s with status %s %s; log:\n%s"
                              % (sig, status, what, self.log_tail()))
        return QTestError("QEMU did not answer %s within %.0f s (hung?); log:\n%s"
                          % (what, REPLY_TIMEOUT, self.log_tail()))

    # ---- qtest line protocol ---------------------------------------------
    def _recv_line(self, what):
        deadline = time.monotonic() + REPLY_TIMEOUT
        while True:
            while self._lines:
                line = self._lines.popleft()
                if line.startswith("IRQ "):
                    continue  # asynchronous, only with irq_intercept
                return line
            left = deadline - time.monotonic()
            if left <= 0 or self.sock is None:
                raise self._dead(what)
            self.sock.settimeout(min(left, 0.5))
            try:
                data = self.sock.recv(1 << 18)
            except socket.timeout:
                if self.proc.poll() is not None:
                    raise self._dead(what)
                continue
            except OSError:
                raise self._dead(what)
            if not data:
                raise self._dead(what)
            parts = (self._rx + data).split(b"\n")
            self._rx = parts.pop()
            self._lines.extend(p.decode() for p in parts)

    def _send(self, text, what):
        try:
            self.sock.settimeout(REPLY_TIMEOUT)
            self.sock.sendall(text.encode())
        except (OSError, AttributeError):
            raise self._dead(what)

    def cmd(self, line):
        self._send(line + "\n", repr(line))
        self.commands += 1
        r = self._recv_line(repr(line))
        if not r.startswith("OK"):
            raise QTestError("qtest %r answered %r" % (line, r))
        return r

    def batch(self, lines, chunk=256):
        """Send many commands, pipelined (two chunks in flight, so QEMU
        works on one while we read the other's answers); return their
        answers in order."""
        out = []
        chunks = [lines[i:i + chunk] for i in range(0, len(lines), chunk)]
        sent = 0
        for k, part in enumerate(chunks):
            while sent < len(chunks) and sent <= k + 1:
                self._send("".join(l + "\n" for l in chunks[sent]), "a batch")
                sent += 1
            for l in part:
                r = self._recv_line(repr(l))
                if not r.startswith("OK"):
                    raise QTestError("qtest %r answered %r" % (l, r))
                out.append(r)
            self.commands += len(part)
        return out

    @staticmethod
    def value(answer):
        return int(answer.split()[1], 16)

    def readb(self, a): return self.value(self.cmd("readb 0x%x" % a))
    def readw(self, a): return self.value(self.cmd("readw 0x%x" % a))
    def readl(self, a): return self.value(self.cmd("readl 0x%x" % a))
    def readq(self, a): return self.value(self.cmd("readq 0x%x" % a))
    def writeb(self, a, v): self.cmd("writeb 0x%x 0x%x" % (a, v & 0xff))
    def writew(self, a, v): self.cmd("writew 0x%x 0x%x" % (a, v & 0xffff))
    def writel(self, a, v): self.cmd("writel 0x%x 0x%x" % (a, v & 0xffffffff))
    def writeq(self, a, v): self.cmd("writeq 0x%x 0x%x" % (a, v & (2**64 - 1)))

    SUFFIX = {1: "b", 2: "w", 4: "l", 8: "q"}

    def read_cmd(self, addr, width):
        return "read%s 0x%x" % (self.SUFFIX[width], addr)

    def write_cmd(self, addr, width, value):
        return "write%s 0x%x 0x%x" % (self.SUFFIX[width], addr,
                                      value & ((1 << (8 * width)) - 1))

    def read(self, addr, width):
        return self.value(self.cmd(self.read_cmd(addr, width)))

    def write(self, addr, width, value):
        self.cmd(self.write_cmd(addr, width, value))

    def memread(self, addr, length):
        if length == 0:
            return b""
        r = self.cmd("b64read 0x%x 0x%x" % (addr, length))
        return base64.b64decode(r.split()[1]) if len(r.split()) > 1 else b""

    def memwrite(self, addr, data):
        data = bytes(data)
        if not data:
            return
        self.cmd("b64write 0x%x 0x%x %s"
                 % (addr, len(data), base64.b64encode(data).decode()))

    def memset(self, addr, length, byte):
        self.cmd("memset 0x%x 0x%x 0x%x" % (addr, length, byte))

    def clock_step(self, ns):
        """Advance QEMU_CLOCK_VIRTUAL by ns (timers due by then fire)."""
        r = self.cmd("clock_step %d" % ns)
        self.clock_ns = int(r.split()[1])
        return self.clock_ns

    def settle(self, seconds=0.002):
        """Let QEMU's main loop run (bottom halves, socket input) without
        moving virtual time: a real-time pause and a round trip."""
        time.sleep(seconds)
        self.cmd("endianness")

    # ---- QMP -------------------------------------------------------------
    def _qmp_recv(self):
        deadline = time.monotonic() + REPLY_TIMEOUT
        while True:
            nl = self._qmp_rx.find(b"\n")
            if nl >= 0:
                line = self._qmp_rx[:nl]
                self._qmp_rx = self._qmp_rx[nl + 1:]
                return json.loads(line)
            left = deadline - time.monotonic()
            if left <= 0 or self.qmp_sock is None:
                raise self._dead("on QMP")
            self.qmp_sock.settimeout(min(left, 0.5))
            try:
                data = self.qmp_sock.recv(1 << 16)
            except socket.timeout:
                if self.proc.poll() is not None:
                    raise self._dead("on QMP")
                continue
            except OSError:
                raise self._dead("on QMP")
            if not data:
                raise self._dead("on QMP")
            self._qmp_rx += data

    def qmp(self, command, **arguments):
        msg = {"execute": command}
        if arguments:
            msg["arguments"] = arguments
        try:
            self.qmp_sock.sendall((json.dumps(msg) + "\n").encode())
        except (OSError, AttributeError):
            raise self._dead("on QMP")
        while True:
            r = self._qmp_recv()
            if "event" in r:
                continue
            if "error" in r:
                raise QTestError("QMP %s: %s" % (command, r["error"]))
            return r.get("return")

    def qom_get(self, path, prop):
        return self.qmp("qom-get", path=path, property=prop)

    # ---- health ----------------------------------------------------------
    def check_alive(self):
        """QEMU is running and both the qtest and QMP channels answer."""
        if self.exited():
            raise self._dead("(process gone)")
        r = self.cmd("endianness")
        if r != "OK little":
            raise QTestError("qtest endianness answered %r" % r)
        st = self.qmp("query-status")
        if not isinstance(st, dict) or "status" not in st:
            raise QTestError("query-status answered %r" % st)
        if self.exited():
            raise self._dead("(process gone)")
