"""Boot a test guest under QEMU (TCG) and run one scenario script in it.

usage: run-scenario [--kernel 6.1|6.12] [--qemu PATH] [--timeout S]
                    [--qemu-args "..."] [--set NAME=VALUE]... [--append ARGS]
                    [--log-dir DIR] [-v] [--interactive] SCENARIO.sh

The scenario (busybox sh) is sent to the guest through fw_cfg file
opt/snic/scenario, after tests/guest/lib.sh and its variables; the guest's
/init runs it and powers off.  The verdict comes back as SNIC-* lines (see
tests/guest/lib.sh and docs/testing.md).

Header lines in the scenario (anywhere in the leading comment block):
  # qemu: ARGS          QEMU arguments (shell-quoted), may use @NAME@
  # var: NAME=VALUE     a variable: default value, overridable with --set;
                        substituted for @NAME@ in qemu args and defined as a
                        shell variable in the guest
  # timeout: SECONDS    default timeout for this scenario
  # kernels: 6.1 6.12   kernels the scenario applies to (run-all)
  # host-control: yes   give the scenario a QMP socket and a control serial
                        port (ttyS2): `host_ctl ARGS` in the guest runs
                        scripts/sriov-nic-ctl --qmp SOCK ARGS on the host
                        and returns its output and exit status;
                        `host_migrate ARGS` moves the running guest to a
                        new QEMU (tests/guest/migrate.py)
  # append: ARGS        extra kernel command line (e.g. snic.coldplug=0)
  # exclusive: yes      run-all runs it alone, with no other guest beside it
  # image: NAME...      guest image extras the scenario needs (programs
                        beyond the base initramfs, e.g. python3): the
                        runner appends each $SNIC_CACHE/guest/extras/NAME.cpio.gz
                        (built by scripts/build-guest.sh from
                        scripts/guest-extras/NAME.sh) to the initramfs
  # peer: ARGS          QEMU arguments of a second VM (a peer): the runner
                        boots it beside the guest with the same kernel and
                        scenario, SNIC_ROLE=peer (the guest has
                        SNIC_ROLE=main); its SNIC-FAIL lines fail the run;
                        it is stopped when the guest is done. PORT0, PORT1
                        and PORT2 (free loopback ports) and RUNID help join
                        the two VMs' netdevs
                        (benchmarks, timing-sensitive checks)
Built-in variables: DEVICE (env SNIC_DEVICE, default sriov-nic), KERNEL.

Exit status: 0 pass, 1 fail, 2 setup error (missing QEMU, images, ...).

This module is the runner; tests/guest/run-scenario is its command line.
Other programs import it (tests/guest/run-all, scripts/soak.py):
  run_scenario(path, kernel=, qemu=, sets=[...], log_dir=, out=) -> Result
  report(result)            print what run-scenario prints
  parse_header(path)        the scenario's header lines
"""

import argparse
import io
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
CACHE = os.environ.get("SNIC_CACHE", "/var/cache/sriov-nic")
KERNELS = ("6.1", "6.12")
DEFAULT_TIMEOUT = 180
BIOS_DIRS = ("/usr/share/seabios", "/usr/share/qemu")
MARKER = re.compile(r"SNIC-(BOOT|PASS|FAIL|SKIP|RESULT|DONE|EXIT)\b.*")
# A guest vCPU that stops getting timer interrupts (RCU: "Possible timer
# handling issue on cpu=N"): seen about once in 100 TCG boots on these
# machines, right after VFs were enabled, with the device and the scenario
# in no particular state (docs/testing.md). The run is stopped when the
# line shows (instead of at the timeout) and marked with VCPU_STALL_TAG,
# which run-all retries once.
VCPU_STALL = "Possible timer handling issue on cpu="
VCPU_STALL_TAG = "VCPU-STALL"

HEADER = re.compile(r"^#\s*(qemu|peer|var|timeout|kernels|append|host-control|exclusive|image):\s*(.*?)\s*$")
PLACEHOLDER = re.compile(r"@([A-Za-z_][A-Za-z0-9_]*)@")
ANSI = re.compile(r"\x1b(\[[0-9;?]*[A-Za-z]|[()][0-9A-Za-z]|[A-Za-z])")

sys.path.insert(0, os.path.join(ROOT, "scripts"))
import snic_ctl  # noqa: E402  (scripts/snic_ctl.py: sriov-nic-ctl)
sys.path.insert(0, HERE)
import migrate  # noqa: E402  (tests/guest/migrate.py)


class SetupError(Exception):
    pass


def default_qemu():
    return os.environ.get("SNIC_QEMU") or os.path.join(
        CACHE, "qemu-build", "qemu-system-x86_64")


def parse_header(path):
    """Return dict(qemu=[str], vars={}, timeout=int|None, kernels=[...],
    append=[str], host_control=bool, exclusive=bool, image=[str])."""
    hdr = {"qemu": [], "peer": [], "vars": {}, "timeout": None, "kernels": list(KERNELS),
           "append": [], "host_control": False, "exclusive": False, "image": []}
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            s = line.strip()
            if n == 1 and s.startswith("#!"):
                continue
            if s and not s.startswith("#"):
                break  # end of the leading comment block
            m = HEADER.match(s)
            if not m:
                continue
            key, val = m.groups()
            if key == "qemu":
                hdr["qemu"].append(val)
            elif key == "peer":
                hdr["peer"].append(val)
            elif key == "var":
                name, eq, value = val.partition("=")
                if not eq or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
                    raise SetupError(f"{path}:{n}: bad '# var:' line (want NAME=VALUE)")
                hdr["vars"][name] = value
            elif key == "timeout":
                hdr["timeout"] = int(val)
            elif key == "kernels":
                hdr["kernels"] = val.split()
            elif key == "append":
                hdr["append"].append(val)
            elif key == "host-control":
                hdr["host_control"] = val.lower() in ("yes", "on", "1", "true")
            elif key == "exclusive":
                hdr["exclusive"] = val.lower() in ("yes", "on", "1", "true")
            elif key == "image":
                for extra in val.split():
                    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", extra):
                        raise SetupError(f"{path}:{n}: bad '# image:' name '{extra}'")
                    hdr["image"].append(extra)
    return hdr


def extras_paths(names):
    """The cpio archives of the guest image extras NAMES, checked."""
    paths = []
    for extra in names:
        f = os.path.join(CACHE, "guest", "extras", f"{extra}.cpio.gz")
        if not os.path.isfile(f):
            raise SetupError(f"missing guest image extra {f}: run scripts/build-guest.sh")
        paths.append(f)
    return paths


def compose_initrd(base, extras, out_path):
    """BASE followed by the EXTRAS archives, as one file: Linux unpacks
    concatenated (separately compressed) cpio archives in order, later
    files adding to the earlier ones."""
    with open(out_path, "wb") as out:
        for f in [base] + extras:
            with open(f, "rb") as src:
                shutil.copyfileobj(src, out, 1 << 20)


def substitute(text, variables, where):
    def rep(m):
        if m.group(1) not in variables:
            raise SetupError(f"{where}: unknown placeholder @{m.group(1)}@ "
                             f"(known: {', '.join(sorted(variables))})")
        return variables[m.group(1)]
    return PLACEHOLDER.sub(rep, text)


def shell_quote(v):
    return "'" + v.replace("'", "'\\''") + "'"


def compose_script(scenario, variables, out_path, finish=True):
    """variables + lib.sh + scenario + finish -> out_path."""
    with open(os.path.join(HERE, "lib.sh"), encoding="utf-8") as f:
        lib = f.read()
    with open(scenario, encoding="utf-8") as f:
        body = f.read()
    lines = ["#!/bin/sh", f"# generated by run-scenario from {scenario}",
             f"SNIC_SCENARIO={shell_quote(os.path.basename(scenario))}"]
    lines += [f"{k}={shell_quote(v)}" for k, v in sorted(variables.items())]
    text = "\n".join(lines) + "\n\n" + lib + "\n# ---- scenario ----\n" + body
    if finish:
        text += "\n# ---- end of scenario ----\nfinish\n"
    with open(out_path, "w", encoding="utf-8") as f:
        f.write(text)


def fmt_s(t):
    return "-" if t is None else f"{t:.1f}s"


def serve_host_control(proc, ctl_path, qmp_path, machine=None, ctl=None):
    """Serve the guest's host_ctl requests on the control serial port.

    Request (guest -> host): "CTL <id> <args...>". Reply: one "OUT <id> <line>"
    per output line of `sriov-nic-ctl --qmp SOCK <args>`, then "END <id> <rc>".
    sriov-nic-ctl (scripts/snic_ctl.py) runs in this process, with its own
    QMP connection per request so the socket is free in between; nothing
    else is run and no shell is involved.  "CTL <id> @migrate ARGS" (the
    guest's host_migrate) migrates the guest to another QEMU
    (tests/guest/migrate.py); the reply then comes on the control port of
    the QEMU the guest runs in afterwards, and later requests are read
    there.  Without a machine (one fixed QEMU) @migrate is refused.
    ctl: a function argv -> (exit status, output lines) that runs
    sriov-nic-ctl ARGV some other way instead (tests/libvirt/run: through
    libvirt, `--libvirt DOMAIN`); qmp_path is not used then.  proc only
    needs poll() (None while the guest runs).
    """
    machine = machine or _Fixed(proc, ctl_path, qmp_path)
    sock = _connect_ctl(machine.current)
    while sock is not None:
        nxt = None
        try:
            nxt = _serve_ctl(machine, sock, ctl)
        finally:
            if nxt is not sock:
                sock.close()
        sock = nxt


class _Fixed:
    """A machine that is one QEMU and cannot migrate."""

    def __init__(self, proc, ctl_path, qmp_path):
        self.current = _Qemu(proc, "", ctl_path, qmp_path)

    def migrate(self, words):
        return 2, ["host_migrate: this runner cannot migrate"]


def _connect_ctl(qemu):
    for _ in range(200):
        if qemu.proc.poll() is not None:
            return None
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.connect(qemu.ctl_path)
            return sock
        except OSError:
            sock.close()
            time.sleep(0.05)
    return None


def _send(sock, text):
    try:
        sock.sendall(text.encode())
        return True
    except OSError:
        return False


def _reply(rid, rc, lines):
    return "".join(f"OUT {rid} {l}\n" for l in lines) + f"END {rid} {rc}\n"


def _serve_ctl(machine, sock, ctl=None):
    """Answer requests on the current QEMU's control port.  Returns the
    socket to serve next (the destination's, after a migration) or None
    at the end."""
    qemu = machine.current
    buf = b""
    while qemu.proc.poll() is None:
        try:
            chunk = sock.recv(4096)
        except OSError:
            return None
        if not chunk:
            return None
        buf += chunk.replace(b"\r", b"\n")
        while b"\n" in buf:
            raw, buf = buf.split(b"\n", 1)
            words = raw.decode("utf-8", "replace").split()
            if len(words) < 2 or words[0] != "CTL":
                continue
            rid, argv = words[1], words[2:]
            if argv[:1] == ["@migrate"]:
                try:
                    rc, out = machine.migrate(argv[1:])
                except Exception as e:  # a bug here must not end the run
                    rc, out = 70, [f"host_migrate: internal error: {e!r}"]
                if machine.current is not qemu:
                    # The guest runs on the destination now: answer there.
                    new = _connect_ctl(machine.current)
                    if new is not None and not _send(new, _reply(rid, rc, out)):
                        new.close()
                        new = None
                    return new
            elif ctl is not None:
                try:
                    rc, out = ctl(argv)
                except Exception as e:  # a bug there must not end the run
                    rc, out = 70, [f"sriov-nic-ctl: internal error: {e!r}"]
            else:
                text = io.StringIO()
                try:
                    rc = snic_ctl.main(["--qmp", qemu.qmp_path] + argv, out=text,
                                       err=text)
                except Exception as e:  # a bug in sriov-nic-ctl must not end the run
                    text.write(f"sriov-nic-ctl: internal error: {e!r}\n")
                    rc = 70
                out = text.getvalue().splitlines()
            if not _send(sock, _reply(rid, rc, out)):
                return None
    return None


class _Qemu:
    """One QEMU process of a run."""

    def __init__(self, proc, base, ctl_path, qmp_path):
        self.proc = proc
        self.base = base          # path prefix for its files (sockets, state)
        self.ctl_path = ctl_path
        self.qmp_path = qmp_path
        self.output = []          # what it printed (console and QEMU's stderr)
        self.reader = None


class Machine:
    """The QEMU the guest runs in and, around a migration, the others.

    The run ends when the QEMU the guest runs in (current) exits while no
    migration is under way.  Every QEMU's output goes to the run's console
    log; after a migration the destination's continues it."""

    def __init__(self, cfg, res, verbose, out):
        self.cfg, self.res, self.verbose, self.out = cfg, res, verbose, out
        self.lock = threading.Lock()
        self.qemus = []
        self.current = None
        self.peer = None          # a "# peer:" VM
        self.peer_died = None     # its exit status, if it ended first
        self.migrating = False
        self.count = 0
        self.t0 = time.monotonic()
        self.log_file = open(cfg.tmp["console.log"], "w", encoding="utf-8")

    def start(self, cmd, base, qmp_path, ctl_path, prefix=""):
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, start_new_session=True)
        q = _Qemu(proc, base, ctl_path, qmp_path)
        q.prefix = prefix
        q.reader = threading.Thread(target=self._read, args=(q,), daemon=True)
        q.reader.start()
        with self.lock:
            self.qemus.append(q)
            if self.current is None:
                self.current = q
        return q

    def _read(self, q):
        for raw in q.proc.stdout:
            line = ANSI.sub("", raw.decode("utf-8", "replace")).rstrip("\r\n")
            line = line.replace("\r", "")
            q.output.append(line)
            self._console(getattr(q, "prefix", "") + line)

    def _console(self, line):
        res = self.res
        with self.lock:
            t = time.monotonic() - self.t0
            res.console.append((t, line))
            self.log_file.write(f"[{t:7.2f}] {line}\n")
            self.log_file.flush()
            if res.boot is None and "SNIC-BOOT" in line and not line.startswith("peer| "):
                res.boot = t
            if res.vcpu_stall is None and VCPU_STALL in line:
                res.vcpu_stall = line
        if self.verbose:
            print(f"  | {line}", file=self.out, flush=True)

    def log(self, msg):
        """A line of the runner's own in the console log."""
        self._console(f"run-scenario: {msg}")

    # -- migration (tests/guest/migrate.py) --
    def migrate(self, words):
        with self.lock:
            self.migrating = True
        try:
            return migrate.migrate(self, words)
        finally:
            with self.lock:
                self.migrating = False

    def spawn_destination(self, sets, tag):
        self.count += 1
        cmd, base = self.cfg.destination(sets, f"{tag}{self.count}")
        self.log("destination: " + " ".join(shlex.quote(c) for c in cmd))
        return self.start(cmd, base, base + ".qmp", base + ".ctl")

    def make_current(self, q):
        with self.lock:
            self.current = q

    def stop(self, q, grace=5):
        """Give q grace seconds to exit, then SIGTERM, then SIGKILL."""
        try:
            q.proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            pass
        for sig in (signal.SIGTERM, signal.SIGKILL):
            if q.proc.poll() is not None:
                break
            try:
                os.killpg(q.proc.pid, sig)
                q.proc.wait(timeout=5)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                pass

    def wait(self, timeout):
        """Until the guest's QEMU exits: (timed_out, its exit status).  A
        guest whose kernel reports a vCPU without timer interrupts (see
        VCPU_STALL) never recovers: its QEMU is stopped at once."""
        deadline = self.t0 + timeout
        while True:
            if self.res.vcpu_stall is not None:
                self.kill_all()
                return False, None
            with self.lock:
                cur, busy = self.current, self.migrating
            rc = cur.proc.poll()
            if rc is not None and not busy:
                with self.lock:
                    if cur is self.current:
                        return False, rc
                continue
            if self.peer is not None and self.peer_died is None:
                prc = self.peer.proc.poll()
                if prc is not None:
                    # The guest would wait for it in vain: end the run.
                    self.peer_died = prc
                    self.log(f"the peer VM's QEMU exited with status {prc} "
                             "before the guest was done; stopping the guest")
                    self.kill_all()
                    continue
            if time.monotonic() > deadline:
                self.kill_all()
                return True, cur.proc.returncode
            time.sleep(0.1)

    def kill_all(self):
        for q in list(self.qemus):
            self.stop(q, grace=0)

    def join(self):
        for q in list(self.qemus):
            if q.reader is not None:
                q.reader.join(timeout=5)
        with self.lock:
            self.log_file.close()


class Result:
    """What one run of a scenario produced."""

    def __init__(self, stem, kernel):
        self.stem = stem
        self.kernel = kernel
        self.problems = []      # why the run failed (empty: it passed)
        self.passes = []        # SNIC-PASS lines
        self.fails = []         # SNIC-FAIL lines
        self.skips = []         # SNIC-SKIP lines
        self.results = {}       # SNIC-RESULT key -> value (last one wins)
        self.result_lines = []  # "key=value", in order
        self.boot = None        # host seconds until SNIC-BOOT
        self.uptime = None      # guest uptime at SNIC-BOOT
        self.total = None       # host seconds until QEMU exited
        self.console = []       # (t, line)
        self.console_path = None
        self.verdict_source = "ttyS1"
        self.rc = None          # QEMU's exit status
        self.vcpu_stall = None  # the guest kernel's line, if a vCPU stalled

    @property
    def ok(self):
        return not self.problems

    @property
    def exit_status(self):
        return 0 if self.ok else 1


def run_scenario(scenario, kernel=None, qemu=None, timeout=None, qemu_args="",
                 sets=(), append=None, log_dir=None, verbose=False,
                 verbose_kernel=False, out=None):
    """Boot a guest, run scenario in it; return a Result.  Progress lines
    (the command line; with verbose, the console) go to out (default
    sys.stdout).  Raises SetupError for missing images, QEMU, bad headers."""
    out = out or sys.stdout
    kernel = kernel or os.environ.get("SNIC_KERNEL", "6.12")
    cfg = _prepare(scenario, kernel, qemu, qemu_args, sets, append, log_dir,
                   verbose_kernel, interactive=False)
    timeout = timeout or cfg.hdr["timeout"] or DEFAULT_TIMEOUT
    res = Result(cfg.stem, kernel)
    print(f"run-scenario: {cfg.stem} on {kernel} ({cfg.krel}), timeout {timeout}s",
          file=out, flush=True)
    print("run-scenario: " + " ".join(shlex.quote(c) for c in cfg.cmd), file=out,
          flush=True)

    machine = Machine(cfg, res, verbose, out)
    src = machine.start(cfg.cmd, os.path.join(cfg.work, "src"), cfg.qmp_path,
                        cfg.ctl_path)
    if cfg.peer_cmd:
        print("run-scenario: peer: " + " ".join(shlex.quote(c) for c in cfg.peer_cmd),
              file=out, flush=True)
        machine.peer = machine.start(cfg.peer_cmd, os.path.join(cfg.work, "peer"),
                                     None, None, prefix="peer| ")
    if cfg.ctl_path:
        threading.Thread(target=serve_host_control,
                         args=(src.proc, cfg.ctl_path, cfg.qmp_path, machine),
                         daemon=True).start()
    try:
        timed_out, rc = machine.wait(timeout)
    except BaseException:  # KeyboardInterrupt (SIGINT, SIGTERM: interrupt())
        machine.kill_all()
        cfg.publish()
        raise
    machine.kill_all()  # a source or destination left behind
    machine.join()
    _remove_host_netns(cfg.runid)
    res.rc = rc
    res.total = time.monotonic() - machine.t0
    peer_fails = []
    peer_done = False
    if cfg.peer_cmd and os.path.exists(cfg.tmp["peer-verdict.log"]):
        with open(cfg.tmp["peer-verdict.log"], encoding="utf-8", errors="replace") as f:
            for l in f:
                peer_fails += [l.strip()] if l.startswith("SNIC-FAIL") else []
                peer_done |= l.startswith("SNIC-PASS")
    vlines_raw = []
    if os.path.exists(cfg.tmp["verdict.log"]):
        with open(cfg.tmp["verdict.log"], encoding="utf-8", errors="replace") as f:
            vlines_raw = [l.rstrip("\r\n") for l in f if l.strip()]
    cfg.publish()
    res.console_path = cfg.final["console.log"]
    peer_problems = []
    if machine.peer_died is not None:
        peer_problems.append(f"peer: its QEMU exited with status {machine.peer_died} "
                             "before the guest was done (see the peer| lines)")
    if cfg.peer_cmd:
        for l in peer_fails:
            peer_problems.append("peer: " + l)
        if not peer_done and not peer_fails:
            peer_problems.append("peer: the peer VM made no check (did it boot?)")
    judge(res, vlines_raw, timed_out, rc, timeout, peer_problems)
    return res


def judge(res, vlines_raw, timed_out, rc, timeout, more_problems=()):
    """Fill in res (a Result) from what a run left: vlines_raw, the lines of
    the verdict port (ttyS1), and res.console, (t, line) pairs of the
    console; timed_out, rc: whether the run was stopped at its timeout of
    timeout seconds, the QEMU exit status (None: unknown); more_problems:
    the caller's own reasons to fail (a peer VM's).  Also used by
    tests/libvirt/run, whose guest runs under libvirt."""
    # Verdict lines: the dedicated serial port if the guest used it, else
    # whatever SNIC-* text the console shows.
    vlines = vlines_raw
    if not any(l.startswith("SNIC-BOOT") for l in vlines):
        res.verdict_source = "console"
        vlines = [m.group(0) for _, l in res.console for m in [MARKER.search(l)] if m]

    res.passes = [l for l in vlines if l.startswith("SNIC-PASS")]
    res.fails = [l for l in vlines if l.startswith("SNIC-FAIL")]
    res.skips = [l for l in vlines if l.startswith("SNIC-SKIP")]
    res.result_lines = [l[len("SNIC-RESULT "):] for l in vlines
                        if l.startswith("SNIC-RESULT ")]
    for r in res.result_lines:
        k, _, v = r.partition("=")
        res.results[k] = v
    done = [l for l in vlines if l.startswith("SNIC-DONE")]
    exits = [l for l in vlines if l.startswith("SNIC-EXIT")]

    problems = res.problems
    if res.vcpu_stall is not None:
        problems.append(f"{VCPU_STALL_TAG}: the guest kernel reports a vCPU that gets "
                        f"no timer interrupts, stopped ({res.vcpu_stall.strip()})")
    if timed_out:
        problems.append(f"timeout: QEMU killed after {timeout}s")
    elif rc not in (0, None):
        problems.append(f"QEMU exited with status {rc}")
    if res.boot is None and not any(l.startswith("SNIC-BOOT") for l in vlines):
        problems.append("the guest never started the scenario (no SNIC-BOOT)")
    if res.fails:
        problems.append(f"{len(res.fails)} check(s) failed")
    problems.extend(more_problems)
    if not done:
        problems.append("no SNIC-DONE: the scenario did not run to its end")
    for e in exits:
        m = re.search(r"rc=(\d+)", e)
        if m and m.group(1) != "0" and not res.fails:
            problems.append(f"scenario shell exited with status {m.group(1)}")
    if done and not res.passes and not res.fails:
        problems.append("the scenario made no checks")
    for l in vlines:
        m = re.match(r"SNIC-BOOT .*uptime=([0-9.]+)", l)
        if m:
            res.uptime = float(m.group(1))
    return res


def report(res, out=None):
    """Print a Result the way run-scenario does (other scripts parse it)."""
    out = out or sys.stdout
    boot = f"boot {fmt_s(res.boot)}"
    if res.uptime is not None:
        boot += f" (guest uptime {res.uptime:.1f}s)"
    timing = f"{boot}, total {fmt_s(res.total)}"
    counts = (f"{len(res.passes)} passed, {len(res.fails)} failed, "
              f"{len(res.skips)} skipped checks")
    w = lambda s: print(s, file=out)  # noqa: E731
    for r in res.result_lines:
        w(f"  RESULT {r}")
    for s in res.skips:
        w(f"  {s}")
    w(f"TIMING {res.stem} {res.kernel} boot={fmt_s(res.boot)} total={fmt_s(res.total)}")
    if res.ok:
        w(f"PASS {res.stem} [{res.kernel}] {timing}; {counts}")
        out.flush()
        return
    w(f"FAIL {res.stem} [{res.kernel}] {timing}; {counts}")
    for p in res.problems:
        w(f"  - {p}")
    if res.fails:
        w(f"  failing checks (from {res.verdict_source}):")
        for l in res.fails:
            w(f"    {l}")
    w(f"  last 40 console lines ({res.console_path}):")
    for t, l in res.console[-40:]:
        w(f"    [{t:7.2f}] {l}")
    out.flush()


class _Config:
    pass


def _prepare(scenario_arg, kernel, qemu, qemu_args, sets, append_arg, log_dir,
             verbose_kernel, interactive):
    """Check inputs, compose the guest script and the QEMU command line."""
    c = _Config()
    scenario = os.path.abspath(scenario_arg)
    if not os.path.isfile(scenario):
        raise SetupError(f"no such scenario: {scenario_arg}")
    name = os.path.basename(scenario)
    c.stem = name[:-3] if name.endswith(".sh") else name
    c.hdr = hdr = parse_header(scenario)

    kdir = os.path.join(CACHE, "guest", kernel)
    vmlinuz, initrd = os.path.join(kdir, "vmlinuz"), os.path.join(kdir, "initrd.gz")
    for f in (vmlinuz, initrd):
        if not os.path.isfile(f):
            raise SetupError(f"missing {f}: run scripts/build-guest.sh")
    extras = extras_paths(hdr["image"])
    qemu = qemu or default_qemu()
    if not (os.path.isfile(qemu) and os.access(qemu, os.X_OK)):
        raise SetupError(f"QEMU binary not found or not executable: {qemu} "
                         "(--qemu PATH or SNIC_QEMU)")
    try:
        with open(os.path.join(kdir, "kernel-release")) as f:
            c.krel = f.read().strip()
    except OSError:
        c.krel = "?"

    variables = {"DEVICE": os.environ.get("SNIC_DEVICE", "sriov-nic"),
                 "KERNEL": kernel,
                 "HOSTDIR": os.path.join(ROOT, "tests", "guest", "host"),
                 # Unique to the run: names of host objects (tap devices,
                 # their namespaces) of runs side by side must not meet.
                 "RUNID": uuid.uuid4().hex[:6],
                 "PORT0": str(_free_port()), "PORT1": str(_free_port()),
                 "PORT2": str(_free_port()),
                 "SNIC_ROLE": "main"}
    variables.update(hdr["vars"])
    for s in sets:
        k, eq, v = s.partition("=")
        if not eq:
            raise SetupError(f"--set wants NAME=VALUE, got '{s}'")
        variables[k] = v

    def extra_args(values):
        extra = []
        for i, a in enumerate(hdr["qemu"]):
            extra += shlex.split(substitute(a, values, f"{name}: '# qemu:' line {i + 1}"))
        if qemu_args:
            extra += shlex.split(substitute(qemu_args, values, "--qemu-args"))
        return extra
    extra = extra_args(variables)

    log_dir = log_dir or os.environ.get("SNIC_LOG_DIR") or os.path.join(
        CACHE, "guest", "logs")
    os.makedirs(log_dir, exist_ok=True)
    base = os.path.join(log_dir, f"{c.stem}.{kernel}")
    # Concurrent runs of the same scenario (several users, CI) share the log
    # names: each run works in a private directory and moves its files to
    # the shared names only when it is done.
    work = tempfile.mkdtemp(prefix=f".{c.stem}.{kernel}.", dir=log_dir)
    if "," in work:
        shutil.rmtree(work, ignore_errors=True)
        raise SetupError(f"log directory must not contain ',': {log_dir}")
    c.final = {k: f"{base}.{k}" for k in ("scenario.sh", "console.log", "verdict.log")}
    c.tmp = {k: os.path.join(work, k) for k in c.final}
    compose_script(scenario, variables, c.tmp["scenario.sh"])
    if hdr["image"]:
        # Private to the run, like the scenario file; removed with `work`.
        composed = os.path.join(work, "initrd")
        compose_initrd(initrd, extras, composed)
        initrd = composed

    def publish():
        for k, path in c.tmp.items():
            if os.path.exists(path):
                os.replace(path, c.final[k])
            elif os.path.exists(c.final[k]):
                os.unlink(c.final[k])  # stale, from an earlier run
        shutil.rmtree(work, ignore_errors=True)
    c.publish = publish

    kargs = "console=ttyS0 panic=-1 snic.verdict=ttyS1"
    if not verbose_kernel:
        kargs += " quiet"
    for a in hdr["append"] + ([append_arg] if append_arg else []):
        kargs += " " + substitute(a, variables, "kernel command line")

    # -nodefaults: no default CD-ROM (SeaBIOS 1.16.2 spends ~30 s probing the
    # empty drive under TCG), VGA, NIC (an unrestricted slirp!), monitor or
    # serial; the two serial ports are given explicitly below.
    cmd = [qemu, "-M", "q35", "-accel", "tcg", "-smp", "2", "-m", "1G",
           "-nographic", "-nodefaults", "-no-reboot", "-vga", "none", "-nic", "none"]
    for d in BIOS_DIRS:
        if os.path.isdir(d):
            cmd += ["-L", d]
    cmd += ["-kernel", vmlinuz, "-initrd", initrd, "-append", kargs,
            "-serial", "mon:stdio", "-serial", f"file:{c.tmp['verdict.log']}"]
    if interactive:
        lib_copy = os.path.join(work, "lib.sh")
        compose_script(os.devnull, variables, lib_copy, finish=False)
        cmd += ["-fw_cfg", f"name=opt/snic/lib,file={lib_copy}"]
    else:
        cmd += ["-fw_cfg", f"name=opt/snic/scenario,file={c.tmp['scenario.sh']}"]
    c.qmp_path = c.ctl_path = None
    if hdr["host_control"] and not interactive:
        # In the run's private directory: runs side by side do not meet.
        c.qmp_path, c.ctl_path = os.path.join(work, "qmp"), os.path.join(work, "ctl")
        cmd += _control_args(c.qmp_path, c.ctl_path)
    c.cmd = cmd + extra
    c.peer_cmd = None
    if hdr["peer"] and not interactive:
        pvars = dict(variables, SNIC_ROLE="peer")
        c.tmp["peer-scenario.sh"] = os.path.join(work, "peer-scenario.sh")
        c.tmp["peer-verdict.log"] = os.path.join(work, "peer-verdict.log")
        c.final["peer-scenario.sh"] = f"{base}.peer-scenario.sh"
        c.final["peer-verdict.log"] = f"{base}.peer-verdict.log"
        compose_script(scenario, pvars, c.tmp["peer-scenario.sh"])
        pcmd = []
        for a in cmd:
            if a == f"file:{c.tmp['verdict.log']}":
                a = f"file:{c.tmp['peer-verdict.log']}"
            elif a == f"name=opt/snic/scenario,file={c.tmp['scenario.sh']}":
                a = f"name=opt/snic/scenario,file={c.tmp['peer-scenario.sh']}"
            pcmd.append(a)
        if "-qmp" in pcmd:  # host control is the guest's only
            i = pcmd.index("-qmp")
            pcmd = pcmd[:i] + pcmd[i + 6:]
        for i, a in enumerate(hdr["peer"]):
            pcmd += shlex.split(substitute(a, pvars, f"{name}: '# peer:' line {i + 1}"))
        c.peer_cmd = pcmd

    def destination(sets, tag):
        """A migration destination's command line: the same machine (the
        scenario's variables with sets applied), the verdict port appended
        to the same file, its own sockets under tag, -incoming defer."""
        values = dict(variables)
        values.update(sets)
        dbase = os.path.join(work, tag)
        dcmd = []
        for a in cmd:
            if a == f"file:{c.tmp['verdict.log']}":
                a = "chardev:snicverdict"
            dcmd.append(a)
        i = dcmd.index("-qmp")
        dcmd = dcmd[:i] + _control_args(dbase + ".qmp", dbase + ".ctl")
        dcmd += ["-chardev", f"file,id=snicverdict,path={c.tmp['verdict.log']},append=on"]
        return dcmd + extra_args(values) + ["-incoming", "defer"], dbase
    c.destination = destination
    c.work = work
    c.runid = variables["RUNID"]
    return c


def _free_port():
    """A loopback port free for both TCP and UDP now (a peer scenario joins
    two QEMUs' netdevs on it)."""
    for _ in range(50):
        t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            t.bind(("127.0.0.1", 0))
            port = t.getsockname()[1]
            u.bind(("127.0.0.1", port))
            return port
        except OSError:
            continue
        finally:
            t.close()
            u.close()
    raise SetupError("no free loopback port")


def _remove_host_netns(runid):
    """Network namespaces tests/guest/host/tap-peer-up made for this run
    (named after its taps, snic-...<RUNID>...) that a killed QEMU's
    downscript did not remove."""
    try:
        names = os.listdir("/run/netns")
    except OSError:
        return
    for n in names:
        if n.startswith("snic-") and runid in n:
            pids = subprocess.run(["ip", "netns", "pids", n], capture_output=True,
                                  text=True).stdout.split()
            for pid in pids:
                try:
                    os.kill(int(pid), signal.SIGTERM)
                except (OSError, ValueError):
                    pass
            subprocess.run(["ip", "netns", "del", n], capture_output=True)


def _control_args(qmp_path, ctl_path):
    return ["-qmp", f"unix:{qmp_path},server=on,wait=off",
            "-chardev", f"socket,id=snicctl,path={ctl_path},server=on,wait=off",
            "-serial", "chardev:snicctl"]


def run(args):
    """run-scenario's command line (argparse namespace) -> exit status."""
    if args.interactive:
        cfg = _prepare(args.scenario, args.kernel, args.qemu, args.qemu_args, args.set,
                       args.append, args.log_dir, args.verbose_kernel, interactive=True)
        print(f"run-scenario: {cfg.stem} on {args.kernel} ({cfg.krel}), interactive",
              flush=True)
        print("run-scenario: " + " ".join(shlex.quote(c) for c in cfg.cmd), flush=True)
        try:
            return subprocess.call(cfg.cmd)
        finally:
            cfg.publish()
    res = run_scenario(args.scenario, kernel=args.kernel, qemu=args.qemu,
                       timeout=args.timeout, qemu_args=args.qemu_args, sets=args.set,
                       append=args.append, log_dir=args.log_dir, verbose=args.verbose,
                       verbose_kernel=args.verbose_kernel)
    report(res)
    return res.exit_status


def interrupt(signum, frame):
    """A SIGTERM handler: end like Ctrl-C, so QEMU is killed and logs kept."""
    raise KeyboardInterrupt


def main(argv=None):
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--kernel", choices=KERNELS,
                    default=os.environ.get("SNIC_KERNEL", "6.12"))
    ap.add_argument("--qemu", help="QEMU binary (default: $SNIC_QEMU or "
                    "$SNIC_CACHE/qemu-build/qemu-system-x86_64)")
    ap.add_argument("--timeout", type=int, help=f"seconds (default: scenario's "
                    f"'# timeout:' or {DEFAULT_TIMEOUT})")
    ap.add_argument("--qemu-args", default="", help="extra QEMU arguments "
                    "(shell-quoted, @NAME@ placeholders allowed)")
    ap.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                    help="override a scenario variable")
    ap.add_argument("--append", help="extra kernel command line")
    ap.add_argument("--log-dir", help="default: $SNIC_LOG_DIR or "
                    "$SNIC_CACHE/guest/logs")
    ap.add_argument("-v", "--verbose", action="store_true",
                    help="echo the console while the guest runs")
    ap.add_argument("--verbose-kernel", action="store_true",
                    help="do not pass 'quiet' to the kernel")
    ap.add_argument("--interactive", action="store_true",
                    help="boot to a shell on this terminal (lib.sh is in "
                    "/tmp/lib.sh); Ctrl-A X quits")
    ap.add_argument("scenario")
    args = ap.parse_args(argv)
    signal.signal(signal.SIGTERM, interrupt)
    try:
        return run(args)
    except SetupError as e:
        print(f"run-scenario: error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("run-scenario: interrupted (QEMU killed)", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
