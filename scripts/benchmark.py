#!/usr/bin/env python3
"""iperf3 TCP throughput of sriov-nic VFs against two stock QEMU references.

usage: scripts/benchmark.sh [--repeat N] [--seconds S] [--kernel 6.1|6.12]
                            [--csv FILE] [--qemu PATH] [--only CFG,...]
                            [--strict] [-v]

Boots one TCG guest (-smp 2 -m 1G) per run with the same QEMU binary and
measures iperf3 TCP throughput between two network namespaces of that guest,
each holding one interface of the configuration:

  sriov-nic        two VFs of one sriov-nic PF (embedded switch)
  sriov-nic-no-offloads  the same with offloads=off
  sriov-nic-mq     the same with queue-pairs=2 and iperf3 -P 4 (four
                   streams over two queue pairs on the two vCPUs; sriov-nic
                   itself runs queue-pairs=1 and one stream)
  sriov-nic-p4     four streams over one queue pair (what the second pair
                   adds is sriov-nic-mq / sriov-nic-p4)
  virtio-net-pair  two virtio-net-pci NICs joined by a QEMU hub
  tap-bridge       two virtio-net-pci NICs on taps bridged in a network
                   namespace this script creates (vnet_hdr: CSUM/TSO on)
  igb-vfs          two VFs of QEMU's igb (82576) PF (VMDq loopback)
  sriov-nic-ixgbe  two VFs of sriov-nic with personality=ixgbe (stock
                   ixgbe/ixgbevf, offloads on)
  veth             a veth pair inside the guest (no device: the guest
                   stack's own limit)
  sriov-nic-uplink-tap  VF 0 -> the device's uplink (a tap) -> iperf3 -s in
                   a network namespace this script creates, on the host

Configurations with "# host-netns: bridge|peer" run QEMU inside a network
namespace made for the run (needs root and iperf3 on the host for "peer").

Runs are interleaved (A B C, A B C, ...) so that machine noise hits every
configuration alike.  Prints each run as it finishes, then a table (median,
min, max Mbit/s and the ratios sriov-nic / each reference) and writes it as
CSV (default build/benchmark/results.csv; per-run rows in
<csv stem>-runs.csv).  Guest scenarios: tests/guest/bench/ (a configuration
file with tests/guest/bench/iperf-pair.sh appended).  See docs/benchmark.md.

Exit status: 0 when at least one configuration was measured (with --strict:
every configuration), 1 otherwise, 2 on setup errors (no QEMU, no images).
"""

import argparse
import csv
import datetime
import os
import re
import shlex
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
BENCH = os.path.join(ROOT, "tests", "guest", "bench")
RUN_SCENARIO = os.path.join(ROOT, "tests", "guest", "run-scenario")
CACHE = os.environ.get("SNIC_CACHE", "/var/cache/sriov-nic")
COMMON_TAIL = "iperf-pair.sh"

# (key, scenario file, label)
CONFIGS = [
    ("sriov-nic", "sriov-nic.sh", "sriov-nic VFs"),
    ("sriov-nic-no-offloads", "sriov-nic.sh", "sriov-nic offloads=off"),
    ("sriov-nic-mq", "sriov-nic.sh", "sriov-nic MQ -P 4"),
    ("sriov-nic-p4", "sriov-nic.sh", "sriov-nic 1 pair -P 4"),
    ("virtio-net-pair", "virtio-net-pair.sh", "virtio-net-pci pair"),
    ("tap-bridge", "tap-bridge.sh", "virtio-net-pci taps"),
    ("igb-vfs", "igb-vfs.sh", "igb VFs"),
    ("sriov-nic-ixgbe", "sriov-nic-ixgbe.sh", "sriov-nic ixgbe VFs"),
    ("veth", "veth-pair.sh", "in-guest veth"),
    ("sriov-nic-uplink-tap", "sriov-nic-uplink-tap.sh", "VF->tap uplink"),
]
REFERENCE = "sriov-nic"  # the numerator of every ratio
# Variables a configuration sets on a shared scenario file.
SETS = {"sriov-nic-no-offloads": ["OFFLOADS=off"],
        "sriov-nic-mq": ["QUEUE_PAIRS=2", "PARALLEL=4"],
        "sriov-nic-p4": ["QUEUE_PAIRS=1", "PARALLEL=4"]}


class SetupError(Exception):
    pass


class Run:
    def __init__(self, config, index):
        self.config = config
        self.index = index
        self.ok = False
        self.mbit = None
        self.retr = None
        self.boot = None
        self.total = None
        self.reason = ""
        self.log = ""
        self.results = {}
        self.udp_mbit = None
        self.udp_loss = None
        self.others = 0  # other QEMU processes seen when the run started or ended


def qemu_version(qemu):
    try:
        out = subprocess.run([qemu, "--version"], capture_output=True, text=True,
                             timeout=30).stdout
    except (OSError, subprocess.SubprocessError) as e:
        raise SetupError(f"cannot run {qemu} --version: {e}")
    first = out.splitlines()[0] if out else "?"
    m = re.search(r"version\s+(\S+)", first)
    return m.group(1) if m else first.strip()


def guest_kernel(kernel):
    try:
        with open(os.path.join(CACHE, "guest", kernel, "kernel-release")) as f:
            return f.read().strip()
    except OSError:
        return "?"


def host_info():
    model = "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return f"{os.cpu_count()} CPUs, {model}"


def loadavg():
    try:
        with open("/proc/loadavg") as f:
            return " ".join(f.read().split()[:3])
    except OSError:
        return "?"


def other_guests():
    """How many qemu-system processes run now (none of ours is running when
    this is called): each one competes for the host's CPUs."""
    n = 0
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                argv0 = f.read().split(b"\0", 1)[0]
        except OSError:
            continue
        if b"qemu-system" in os.path.basename(argv0):
            n += 1
    return n


def compose(key, filename, outdir):
    """Configuration part + common tail -> outdir/scenarios/<key>.sh."""
    sdir = os.path.join(outdir, "scenarios")
    os.makedirs(sdir, exist_ok=True)
    path = os.path.join(sdir, key + ".sh")
    with open(os.path.join(BENCH, filename), encoding="utf-8") as f:
        head = f.read()
    with open(os.path.join(BENCH, COMMON_TAIL), encoding="utf-8") as f:
        tail = f.read()
    with open(path, "w", encoding="utf-8") as f:
        f.write(head.rstrip("\n") + "\n\n# ---- tests/guest/bench/" + COMMON_TAIL +
                " ----\n" + tail)
    return path


def parse_output(run, text):
    """Fill run from run-scenario's stdout."""
    fails, problems = [], []
    passed = False
    for line in text.splitlines():
        s = line.strip()
        m = re.match(r"RESULT (\w+)=(.*)$", s)
        if m and line.startswith("  RESULT "):
            run.results[m.group(1)] = m.group(2)
            continue
        m = re.match(r"TIMING \S+ \S+ boot=(\S+) total=(\S+)", s)
        if m:
            run.boot, run.total = (None if v == "-" else float(v.rstrip("s"))
                                   for v in m.groups())
            continue
        if re.match(r"PASS \S+ \[", s):
            passed = True
        elif s.startswith("SNIC-FAIL "):
            fails.append(s[len("SNIC-FAIL "):])
        elif line.startswith("  - "):
            problems.append(s[2:])
    mbit = run.results.get("bench_mbit")
    try:
        run.mbit = float(mbit) if mbit is not None else None
    except ValueError:
        run.mbit = None
    run.retr = run.results.get("bench_retr")
    for attr, key in (("udp_mbit", "bench_udp_mbit"), ("udp_loss", "bench_udp_loss")):
        try:
            setattr(run, attr, float(run.results[key]))
        except (KeyError, ValueError):
            pass
    run.ok = passed and run.mbit is not None
    if not run.ok:
        # An abort after a failed `require` repeats that check's name; the
        # check's own line says why.
        real = [f for f in fails if not f.startswith("abort: required step failed")]
        if fails:
            run.reason = re.sub(r"^abort: (required step failed: )?", "",
                                (real or fails)[0])
        elif problems:
            run.reason = problems[0]
        elif passed:
            run.reason = "no bench_mbit result"
        else:
            run.reason = "run-scenario failed (see log)"


def sh(*cmd):
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.PIPE)


class HostNetns:
    """The network namespace a "# host-netns:" configuration runs QEMU in:
    "bridge" (taps snicb0 and snicb1 on a bridge) or "peer" (tap snicb0
    with 169.254.10.2/24 and an iperf3 server)."""

    def __init__(self, kind, qemu, outdir):
        self.kind = kind
        self.name = f"snic-bench-{os.getpid()}"
        self.iperf = None
        self.wrapper = os.path.join(outdir, "qemu-in-netns.sh")
        self.qemu = qemu

    def __enter__(self):
        n = self.name
        try:
            sh("ip", "netns", "add", n)
            sh("ip", "-n", n, "link", "set", "lo", "up")
            if self.kind == "bridge":
                sh("ip", "-n", n, "link", "add", "br0", "type", "bridge")
                sh("ip", "-n", n, "link", "set", "br0", "up")
                for t in ("snicb0", "snicb1"):
                    sh("ip", "-n", n, "tuntap", "add", "dev", t, "mode", "tap")
                    sh("ip", "-n", n, "link", "set", t, "master", "br0")
                    sh("ip", "-n", n, "link", "set", t, "up")
            else:
                sh("ip", "-n", n, "tuntap", "add", "dev", "snicb0", "mode", "tap")
                sh("ip", "-n", n, "addr", "add", "169.254.10.2/24", "dev", "snicb0")
                sh("ip", "-n", n, "link", "set", "snicb0", "up")
                self.iperf = subprocess.Popen(
                    ["ip", "netns", "exec", n, "iperf3", "-s"],
                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        except (OSError, subprocess.CalledProcessError) as e:
            self.__exit__()
            err = getattr(e, "stderr", b"") or b""
            raise SetupError(f"cannot set up network namespace {n}: {e} "
                             f"{err.decode(errors='replace').strip()}")
        with open(self.wrapper, "w", encoding="utf-8") as f:
            f.write(f"#!/bin/sh\nexec ip netns exec {n} {shlex.quote(self.qemu)} \"$@\"\n")
        os.chmod(self.wrapper, 0o755)
        return self

    def __exit__(self, *exc):
        if self.iperf:
            self.iperf.terminate()
            self.iperf.wait()
        subprocess.run(["ip", "netns", "del", self.name], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)


def host_netns_kind(scenario):
    with open(scenario, encoding="utf-8") as f:
        for line in f:
            m = re.match(r"#\s*host-netns:\s*(\w+)", line)
            if m:
                return m.group(1)
    return None


def one_run(args, key, scenario, index, outdir):
    kind = host_netns_kind(scenario)
    if kind is None:
        return _one_run(args, args.qemu, key, scenario, index, outdir)
    with HostNetns(kind, args.qemu, outdir) as ns:
        return _one_run(args, ns.wrapper, key, scenario, index, outdir)


def _one_run(args, qemu, key, scenario, index, outdir):
    run = Run(key, index)
    run.others = other_guests()
    log_dir = os.path.join(outdir, "logs", f"{key}.run{index}")
    os.makedirs(log_dir, exist_ok=True)
    cmd = [sys.executable, RUN_SCENARIO, "--kernel", args.kernel, "--qemu", qemu,
           "--log-dir", log_dir, "--set", f"SECONDS_IPERF={args.seconds}",
           "--set", f"UDP_MBIT={args.udp}",
           *[a for s in SETS.get(key, []) for a in ("--set", s)],
           "--timeout", str(300 + 2 * args.seconds), scenario]
    if args.verbose:
        cmd.insert(2, "-v")
    out_path = os.path.join(log_dir, "run-scenario.txt")
    run.log = show(log_dir)
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL, text=True, errors="replace")
    lines = []
    with open(out_path, "w", encoding="utf-8") as f:
        for line in proc.stdout:
            lines.append(line)
            f.write(line)
            if args.verbose:
                sys.stdout.write("    " + line)
                sys.stdout.flush()
    rc = proc.wait()
    run.others = max(run.others, other_guests())
    text = "".join(lines)
    if rc == 2:
        raise SetupError("run-scenario: " + text.strip().splitlines()[-1]
                         if text.strip() else "run-scenario setup error")
    parse_output(run, text)
    return run


def show(path):
    """path relative to the current directory when below it, else absolute."""
    rel = os.path.relpath(path)
    return os.path.abspath(path) if rel.startswith("..") else rel


def fmt(v, nd=1):
    return "-" if v is None else f"{v:.{nd}f}"


def summarize(runs_by_cfg, configs):
    """Per configuration: dict(ok, n, median, min, max, values, reason)."""
    summary = {}
    for key, _, label in configs:
        runs = runs_by_cfg.get(key, [])
        vals = [r.mbit for r in runs if r.ok]
        reasons = []
        for r in runs:
            if not r.ok and r.reason not in reasons:
                reasons.append(r.reason)
        udp = [r.udp_mbit for r in runs if r.udp_mbit is not None]
        loss = [r.udp_loss for r in runs if r.udp_loss is not None]
        summary[key] = {
            "udp_mbit": statistics.median(udp) if udp else None,
            "udp_loss": statistics.median(loss) if loss else None,
            "label": label, "ok": len(vals), "n": len(runs), "values": vals,
            "median": statistics.median(vals) if vals else None,
            "min": min(vals) if vals else None,
            "max": max(vals) if vals else None,
            "reason": "; ".join(reasons),
            "runs": runs,
        }
    return summary


def ratio(summary, key):
    a = summary.get(REFERENCE, {}).get("median")
    b = summary.get(key, {}).get("median")
    if a is None or b is None or b == 0:
        return None
    return a / b


def print_table(meta, summary, configs, out=sys.stdout):
    w = out.write
    w("\n")
    w(f"iperf3 TCP, netns to netns in one guest; {meta['seconds']} s per run, "
      f"runs per configuration: {meta['repeat']} (interleaved)\n")
    w(f"QEMU {meta['qemu_version']} ({meta['qemu']}), TCG -smp 2 -m 1G\n")
    w(f"guest kernel {meta['kernel_release']} ({meta['kernel']}); "
      f"host {meta['host']}; load {meta['load_start']} -> {meta['load_end']}\n")
    busy = [r for s in summary.values() for r in s["runs"] if r.others]
    if busy:
        total = sum(len(s["runs"]) for s in summary.values())
        w(f"NOTE: {len(busy)} of {total} runs shared the host with other QEMU "
          f"processes; expect noisy numbers\n")
    w("\n")
    hdr = (f"{'configuration':<21} {'runs':>5} {'median':>9} {'min':>9} {'max':>9} "
           f"{'sriov-nic/this':>14}   per run (Mbit/s)\n")
    w(hdr)
    w("-" * (len(hdr) + 8) + "\n")
    for key, _, _ in configs:
        s = summary[key]
        runs = ", ".join(fmt(r.mbit) if r.ok else "fail" for r in s["runs"])
        if s["median"] is None:
            med = mn = mx = "n/a"
        else:
            med, mn, mx = fmt(s["median"]), fmt(s["min"]), fmt(s["max"])
        r = "" if key == REFERENCE else (fmt(ratio(summary, key), 2)
                                          if ratio(summary, key) is not None else "n/a")
        w(f"{s['label']:<21} {s['ok']:>2}/{s['n']:<2} {med:>9} {mn:>9} {mx:>9} "
          f"{r:>14}   {runs}\n")
    w("(Mbit/s; median/min/max over the successful runs)\n")
    for key, _, _ in configs:
        s = summary[key]
        if s["ok"] < s["n"]:
            w(f"  {s['label']}: {s['n'] - s['ok']} run(s) failed: {s['reason']}\n")
    if any(summary[k]["udp_mbit"] is not None for k, _, _ in configs):
        w(f"\nUDP at {meta['udp']} Mbit/s offered (1400-byte datagrams), median of "
          "the runs:\n")
        for key, _, _ in configs:
            s = summary[key]
            if s["udp_mbit"] is not None:
                w(f"  {s['label']:<21} {fmt(s['udp_mbit']):>9} Mbit/s received, "
                  f"loss {fmt(s['udp_loss'], 2)} %\n")
    w("\n")
    keys = [k for k, _, _ in configs]
    if REFERENCE in keys:
        for key, _, label in configs:
            if key == REFERENCE:
                continue
            rv = ratio(summary, key)
            if rv is None:
                why = []
                for k in (REFERENCE, key):
                    if summary[k]["median"] is None:
                        why.append(f"{summary[k]['label']} not measured")
                w(f"ratio sriov-nic / {label}: n/a ({', '.join(why)})\n")
            elif key == "sriov-nic-mq":
                # The multiqueue row is ours too: the target is its gain.
                w(f"ratio {label} / sriov-nic (one stream, one pair): "
                  f"{1 / rv:.2f} (target 1.3)\n")
                p4 = ratio(summary, "sriov-nic-p4") if "sriov-nic-p4" in keys else None
                if p4 is not None:
                    w(f"ratio {label} / sriov-nic 1 pair -P 4: {p4 / rv:.2f}\n")
            elif key == "sriov-nic-p4":
                w(f"ratio {label} / sriov-nic (one stream, one pair): "
                  f"{1 / rv:.2f}\n")
            else:
                w(f"ratio sriov-nic / {label}: {rv:.2f}\n")


def write_csv(path, meta, summary, configs):
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    cols = ["date", "qemu_version", "kernel", "kernel_release", "seconds", "repeat",
            "config", "label", "runs_ok", "runs", "median_mbit", "min_mbit",
            "max_mbit", "ratio_sriov_nic_over_this", "per_run_mbit",
            "udp_offered_mbit", "udp_median_mbit", "udp_median_loss_pct", "failure"]
    with open(path, "w", newline="", encoding="utf-8") as f:
        wr = csv.writer(f)
        wr.writerow(cols)
        for key, _, label in configs:
            s = summary[key]
            rv = None if key == REFERENCE else ratio(summary, key)
            wr.writerow([meta["date"], meta["qemu_version"], meta["kernel"],
                         meta["kernel_release"], meta["seconds"], meta["repeat"],
                         key, label, s["ok"], s["n"],
                         fmt(s["median"]) if s["median"] is not None else "n/a",
                         fmt(s["min"]) if s["min"] is not None else "",
                         fmt(s["max"]) if s["max"] is not None else "",
                         "" if key == REFERENCE else (f"{rv:.3f}" if rv is not None else "n/a"),
                         " ".join(fmt(r.mbit) if r.ok else "fail" for r in s["runs"]),
                         meta["udp"], fmt(s["udp_mbit"]) if s["udp_mbit"] is not None else "",
                         fmt(s["udp_loss"], 2) if s["udp_loss"] is not None else "",
                         s["reason"]])
    root, ext = os.path.splitext(path)
    runs_path = root + "-runs" + (ext or ".csv")
    with open(runs_path, "w", newline="", encoding="utf-8") as f:
        wr = csv.writer(f)
        wr.writerow(["date", "config", "run", "status", "mbit", "retransmits",
                     "boot_s", "total_s", "other_qemu", "failure", "log_dir"])
        for key, _, _ in configs:
            for r in summary[key]["runs"]:
                wr.writerow([meta["date"], key, r.index, "ok" if r.ok else "fail",
                             fmt(r.mbit) if r.ok else "", r.retr or "",
                             fmt(r.boot), fmt(r.total), r.others, r.reason, r.log])
    return runs_path


def main(argv=None):
    ap = argparse.ArgumentParser(
        prog="scripts/benchmark.sh",
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=3, help="runs per configuration (3)")
    ap.add_argument("--seconds", type=int, default=10, help="iperf3 -t per run (10)")
    ap.add_argument("--udp", type=int, default=300, metavar="MBIT",
                    help="after the TCP run, UDP at this offered load (Mbit/s, "
                         "1400-byte datagrams); 0: none (default 300)")
    ap.add_argument("--kernel", choices=("6.1", "6.12"),
                    default=os.environ.get("SNIC_KERNEL", "6.12"),
                    help="guest kernel (default $SNIC_KERNEL or 6.12)")
    ap.add_argument("--csv", default=os.path.join(ROOT, "build", "benchmark", "results.csv"),
                    help="summary CSV (default build/benchmark/results.csv)")
    ap.add_argument("--qemu", default=os.environ.get("SNIC_QEMU") or os.path.join(
        CACHE, "qemu-build", "qemu-system-x86_64"),
        help="QEMU binary (default $SNIC_QEMU or $SNIC_CACHE/qemu-build/...)")
    ap.add_argument("--only", help="comma-separated subset of: " +
                    ", ".join(k for k, _, _ in CONFIGS))
    ap.add_argument("--strict", action="store_true",
                    help="exit 1 unless every configuration was measured")
    ap.add_argument("-v", "--verbose", action="store_true",
                    help="show run-scenario's output and the guest console")
    args = ap.parse_args(argv)
    if args.repeat < 1 or args.seconds < 1:
        ap.error("--repeat and --seconds must be >= 1")

    configs = CONFIGS
    if args.only:
        want = [w.strip() for w in args.only.split(",") if w.strip()]
        known = {k for k, _, _ in CONFIGS}
        bad = [w for w in want if w not in known]
        if bad:
            ap.error(f"unknown configuration(s) {', '.join(bad)}; known: "
                     + ", ".join(k for k, _, _ in CONFIGS))
        configs = [c for c in CONFIGS if c[0] in want]

    outdir = os.path.dirname(os.path.abspath(args.csv))
    t0 = time.monotonic()
    try:
        if not (os.path.isfile(args.qemu) and os.access(args.qemu, os.X_OK)):
            raise SetupError(f"QEMU binary not found: {args.qemu} "
                             "(scripts/build-qemu.sh, or --qemu PATH)")
        for f in ("vmlinuz", "initrd.gz"):
            p = os.path.join(CACHE, "guest", args.kernel, f)
            if not os.path.isfile(p):
                raise SetupError(f"missing {p} (scripts/build-guest.sh {args.kernel})")
        meta = {
            "date": datetime.datetime.now().strftime("%Y-%m-%d %H:%M"),
            "qemu": args.qemu, "qemu_version": qemu_version(args.qemu),
            "kernel": args.kernel, "kernel_release": guest_kernel(args.kernel),
            "seconds": args.seconds, "repeat": args.repeat, "host": host_info(),
            "udp": args.udp,
            "load_start": loadavg(), "load_end": "?",
        }
        scenarios = {k: compose(k, f, outdir) for k, f, _ in configs}
        print(f"benchmark: QEMU {meta['qemu_version']} ({args.qemu}), guest kernel "
              f"{meta['kernel_release']}, {args.repeat} x {args.seconds} s per "
              f"configuration, logs in {show(outdir)}/logs", flush=True)
        runs_by_cfg = {k: [] for k, _, _ in configs}
        interrupted = False
        try:
            for i in range(1, args.repeat + 1):
                for key, _, label in configs:
                    r = one_run(args, key, scenarios[key], i, outdir)
                    runs_by_cfg[key].append(r)
                    el = time.monotonic() - t0
                    stamp = f"[{int(el) // 60:3d}m{int(el) % 60:02d}s]"
                    if r.ok:
                        extra = f"retr {r.retr}, " if r.retr is not None else ""
                        if r.others:
                            extra += f"{r.others} other QEMU running, "
                        print(f"{stamp} run {i}/{args.repeat} {label:<21} "
                              f"{r.mbit:8.1f} Mbit/s  ({extra}boot {fmt(r.boot)} s, "
                              f"total {fmt(r.total)} s)", flush=True)
                    else:
                        print(f"{stamp} run {i}/{args.repeat} {label:<21} "
                              f"FAILED: {r.reason}  (log {r.log})", flush=True)
        except KeyboardInterrupt:
            interrupted = True
            print("\nbenchmark: interrupted; table of the runs so far:", flush=True)
        meta["load_end"] = loadavg()
    except SetupError as e:
        print(f"benchmark: error: {e}", file=sys.stderr)
        return 2

    summary = summarize(runs_by_cfg, configs)
    print_table(meta, summary, configs)
    runs_csv = write_csv(args.csv, meta, summary, configs)
    el = time.monotonic() - t0
    print(f"\nCSV: {show(args.csv)} (runs: {show(runs_csv)}); "
          f"wall time {int(el) // 60}m{int(el) % 60:02d}s")
    if interrupted:
        return 130
    measured = [k for k, _, _ in configs if summary[k]["median"] is not None]
    if not measured:
        print("benchmark: no configuration could be measured", file=sys.stderr)
        return 1
    if args.strict and len(measured) < len(configs):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
