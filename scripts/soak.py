#!/usr/bin/env python3
"""Soak benchmark: VF -> VF iperf3 through sriov-nic, many times, both kernels.

usage: scripts/soak.sh [-n N] [--kernels "6.1 6.12"] [--modes single,p4,bidir]
                       [--seconds S] [--load [PROCS]] [--qemu PATH]
                       [--out DIR] [-v]

Boots one TCG guest per (repetition, kernel) with tests/guest/runner.py and
runs tests/guest/bench/soak-vf-iperf3.sh in it: iperf3 TCP between two VFs,
each in a network namespace of its own, once per mode:

  single   one stream           p4   iperf3 -P 4
  bidir    --bidir: one stream each way at the same time

It prints one row per (repetition, kernel, mode) as soon as the guest is
done: Mbit/s (bidir: both directions, and each), TCP retransmits, the
number of new "NETDEV WATCHDOG" / "TX timeout" lines in the guest's dmesg,
and the device's drop counters of both VFs (rx/tx, read with sriov-nic-ctl
stats over the host-control channel), then a summary per kernel and mode.
--load starts PROCS busy-looping processes (default: one per CPU) beside the
guest for the whole soak.

Not part of scripts/test.sh.  Writes DIR/results.csv (one row per
repetition, kernel and mode) and DIR/logs/<kernel>.run<N>/ (default DIR
build/soak).  Exit status: 0 when every run passed (iperf3 ran in every mode
and no watchdog fired), 1 otherwise, 2 on setup errors.  See docs/testing.md.
"""

import argparse
import csv
import datetime
import io
import os
import signal
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(ROOT, "tests", "guest"))
import runner  # noqa: E402  (tests/guest/runner.py)
from benchmark import guest_kernel, host_info, loadavg, other_guests, qemu_version  # noqa: E402

SCENARIO = os.path.join(ROOT, "tests", "guest", "bench", "soak-vf-iperf3.sh")
MODES = ("single", "p4", "bidir")
COLUMNS = ["date", "run", "kernel", "mode", "status", "mbit", "fwd_mbit", "rev_mbit",
           "retransmits", "watchdog_lines", "vf0_rx_drop", "vf0_tx_drop",
           "vf1_rx_drop", "vf1_tx_drop", "vf0_drops", "vf1_drops", "load",
           "other_qemu", "boot_s", "total_s", "failure", "log_dir"]


def num(v):
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


def rows_of(res, rep, kernel, modes, meta):
    """One row per mode from a runner.Result."""
    rows = []
    failed_checks = [f[len("SNIC-FAIL "):] for f in res.fails]
    for mode in modes:
        g = lambda k: res.results.get(f"soak_{mode}_{k}")  # noqa: E731
        mine = [f for f in failed_checks if f.startswith(f"iperf3 {mode} ")
                or f.startswith(f"{mode}: ")]
        ok = g("mbit") not in (None, "none") and not mine
        reason = ""
        if not ok:
            reason = (mine or failed_checks or res.problems or ["no result"])[0]
        rows.append({
            "date": meta["date"], "run": rep, "kernel": kernel, "mode": mode,
            "status": "ok" if ok else "fail", "mbit": g("mbit"),
            "fwd_mbit": g("fwd_mbit"), "rev_mbit": g("rev_mbit"),
            "retransmits": g("retr"), "watchdog_lines": g("watchdog"),
            "vf0_rx_drop": g("vf0_rx_drop"), "vf0_tx_drop": g("vf0_tx_drop"),
            "vf1_rx_drop": g("vf1_rx_drop"), "vf1_tx_drop": g("vf1_tx_drop"),
            "vf0_drops": g("vf0_drops"), "vf1_drops": g("vf1_drops"),
            "load": meta.get("load_now"), "other_qemu": meta.get("others_now"),
            "boot_s": f"{res.boot:.1f}" if res.boot is not None else "",
            "total_s": f"{res.total:.1f}" if res.total is not None else "",
            "failure": reason, "log_dir": meta.get("log_dir"),
        })
    if res.problems and all(r["status"] == "ok" for r in rows):
        # The run failed for a reason outside the modes (boot, host_ctl...).
        for r in rows:
            r["status"], r["failure"] = "fail", res.problems[0]
    return rows


HEADER = (f"{'run':>4} {'kernel':<6} {'mode':<7} {'Mbit/s':>21} {'retr':>6} "
          f"{'wdog':>5} {'vf0 drop rx/tx':>15} {'vf1 drop rx/tx':>15}  status")


def fmt_row(r):
    mbit = r["mbit"] if r["mbit"] not in (None, "none") else "-"
    if r["mode"] == "bidir" and r["fwd_mbit"] not in (None, "none"):
        mbit = f"{mbit} ({r['fwd_mbit']}+{r['rev_mbit']})"
    d = lambda a, b: f"{r[a] or '-'}/{r[b] or '-'}"  # noqa: E731
    line = (f"{r['run']:>4} {r['kernel']:<6} {r['mode']:<7} {mbit:>21} "
            f"{r['retransmits'] or '-':>6} {r['watchdog_lines'] or '-':>5} "
            f"{d('vf0_rx_drop', 'vf0_tx_drop'):>15} {d('vf1_rx_drop', 'vf1_tx_drop'):>15}  "
            f"{r['status']}")
    if r["status"] != "ok":
        line += f": {r['failure']}"
    return line


def summary(rows, kernels, modes, out):
    out.write("\nsummary (Mbit/s over the runs that passed; sums of retransmits, "
              "watchdog lines and VF drops)\n")
    out.write(f"{'kernel':<6} {'mode':<7} {'ok':>6} {'median':>8} {'min':>8} {'max':>8} "
              f"{'retr':>7} {'wdog':>5} {'drops':>7}\n")
    for k in kernels:
        for m in modes:
            rs = [r for r in rows if r["kernel"] == k and r["mode"] == m]
            if not rs:
                continue
            vals = [num(r["mbit"]) for r in rs if r["status"] == "ok" and num(r["mbit"]) is not None]
            tot = lambda key: sum(int(num(r[key]) or 0) for r in rs)  # noqa: E731
            drops = sum(tot(f"vf{n}_{d}_drop") for n in (0, 1) for d in ("rx", "tx"))
            if vals:
                med, mn, mx = (f"{statistics.median(vals):.1f}", f"{min(vals):.1f}",
                               f"{max(vals):.1f}")
            else:
                med = mn = mx = "n/a"
            ok = sum(r["status"] == "ok" for r in rs)
            out.write(f"{k:<6} {m:<7} {ok:>3}/{len(rs):<2} {med:>8} {mn:>8} {mx:>8} "
                      f"{tot('retransmits'):>7} {tot('watchdog_lines'):>5} {drops:>7}\n")


class Hogs:
    """CPU hogs beside the guest: PROCS busy loops, ended by their pids."""

    def __init__(self, procs):
        self.procs = [subprocess.Popen([sys.executable, "-c", "while True: pass"],
                                       stdin=subprocess.DEVNULL)
                      for _ in range(procs)]

    def stop(self):
        for p in self.procs:
            p.kill()
        for p in self.procs:
            p.wait()


def main(argv=None):
    ap = argparse.ArgumentParser(prog="scripts/soak.sh", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-n", "--repeat", type=int, default=20,
                    help="repetitions per kernel (default 20)")
    ap.add_argument("--kernels", default=os.environ.get("SNIC_KERNELS", "6.1 6.12"),
                    help='guest kernels (default "$SNIC_KERNELS" or "6.1 6.12")')
    ap.add_argument("--modes", default=",".join(MODES),
                    help="comma-separated subset of single,p4,bidir (default all)")
    ap.add_argument("--seconds", type=int, default=10, help="iperf3 -t per mode (10)")
    ap.add_argument("--load", type=int, nargs="?", const=os.cpu_count() or 1, default=0,
                    metavar="PROCS", help="busy-loop processes beside the guest "
                    "(default without PROCS: one per CPU)")
    ap.add_argument("--qemu", default=None, help="QEMU binary (default $SNIC_QEMU or "
                    "$SNIC_CACHE/qemu-build/qemu-system-x86_64)")
    ap.add_argument("--out", default=os.path.join(ROOT, "build", "soak"),
                    help="results.csv and logs/ go here (default build/soak)")
    ap.add_argument("-v", "--verbose", action="store_true",
                    help="show the runner's output and the guest console")
    args = ap.parse_args(argv)
    kernels = args.kernels.split()
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    bad = [m for m in modes if m not in MODES] + [k for k in kernels if k not in runner.KERNELS]
    if bad or not modes or not kernels:
        ap.error(f"unknown mode(s)/kernel(s): {' '.join(bad) or '(none given)'}")
    if args.repeat < 1 or args.seconds < 1:
        ap.error("-n and --seconds must be >= 1")
    qemu = args.qemu or runner.default_qemu()
    if not (os.path.isfile(qemu) and os.access(qemu, os.X_OK)):
        print(f"soak: error: QEMU binary not found: {qemu}", file=sys.stderr)
        return 2

    signal.signal(signal.SIGTERM, runner.interrupt)
    os.makedirs(args.out, exist_ok=True)
    csv_path = os.path.join(args.out, "results.csv")
    meta = {"date": datetime.datetime.now().strftime("%Y-%m-%d %H:%M")}
    print(f"soak: QEMU {qemu_version(qemu)} ({qemu}); host {host_info()}; "
          f"load {loadavg()}; other QEMU processes: {other_guests()}")
    for k in kernels:
        print(f"soak: kernel {k}: {guest_kernel(k)}")
    print(f"soak: {args.repeat} x {len(kernels)} boot(s), modes {' '.join(modes)}, "
          f"{args.seconds} s each" + (f", {args.load} CPU hog(s) beside the guest"
                                      if args.load else "") + f"; logs in {args.out}/logs",
          flush=True)
    timeout = 150 + len(modes) * (args.seconds + 75)
    rows = []
    t0 = time.monotonic()
    hogs = Hogs(args.load) if args.load else None
    interrupted = False
    header_shown = False
    try:
        with open(csv_path, "w", newline="", encoding="utf-8") as f:
            wr = csv.DictWriter(f, fieldnames=COLUMNS)
            wr.writeheader()
            for rep in range(1, args.repeat + 1):
                for k in kernels:
                    log_dir = os.path.join(args.out, "logs", f"{k}.run{rep}")
                    meta.update(log_dir=log_dir, others_now=other_guests(),
                                load_now=loadavg().split()[0])
                    sink = sys.stdout if args.verbose else io.StringIO()
                    try:
                        res = runner.run_scenario(
                            SCENARIO, kernel=k, qemu=qemu, timeout=timeout,
                            sets=[f"SECONDS_IPERF={args.seconds}", f"MODES={' '.join(modes)}"],
                            log_dir=log_dir, verbose=args.verbose, out=sink)
                    except runner.SetupError as e:
                        print(f"soak: error: {e}", file=sys.stderr)
                        return 2
                    with open(os.path.join(log_dir, "runner.txt"), "w") as rf:
                        runner.report(res, rf)
                    if not header_shown:
                        print(HEADER)
                        header_shown = True
                    for r in rows_of(res, rep, k, modes, meta):
                        rows.append(r)
                        wr.writerow(r)
                        print(fmt_row(r), flush=True)
                    f.flush()
    except KeyboardInterrupt:
        interrupted = True
        print("\nsoak: interrupted; summary of the runs so far:")
    finally:
        if hogs:
            hogs.stop()
    summary(rows, kernels, modes, sys.stdout)
    el = time.monotonic() - t0
    print(f"\nCSV: {csv_path}; wall time {int(el) // 60}m{int(el) % 60:02d}s; "
          f"load now {loadavg()}")
    if interrupted:
        return 130
    return 0 if rows and all(r["status"] == "ok" for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
