#!/usr/bin/env python3
"""Runs the qtest suite: every test in a child process of its own (its own
process group, so a timeout kills the child and its QEMU together), one
line per test, then exactly `N passed, M failed`.

    run.py [-k SUBSTRING]... [-j JOBS] [-v] [--list]
"""
import argparse
import atexit
import glob
import importlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import harness  # noqa: E402
import qtest  # noqa: E402


def load_tests():
    for path in sorted(glob.glob(os.path.join(HERE, "test_*.py"))):
        importlib.import_module(os.path.basename(path)[:-3])
    return harness.TESTS


def child(name, out_path, verbose):
    atexit.register(qtest.kill_all)
    signal.signal(signal.SIGTERM, lambda *a: sys.exit(143))
    load_tests()
    res = harness.run_one(name, verbose)
    with open(out_path, "w") as f:
        json.dump(res, f)
    return 0


def print_result(res, out):
    status = "PASS" if res["ok"] else "FAIL"
    print("%s  %-48s %6.2fs" % (status, res["name"], res["seconds"]), flush=True)
    for n in res.get("notes", []):
        print("      " + n)
    if res["ok"]:
        return
    for line in res["reason"].rstrip().splitlines():
        print("      " + line)
    for d, lines, _ in res.get("logs", []):
        interesting = [l for l in lines if l.strip()]
        print("      QEMU log (%s, last %d of %d lines):"
              % (d, min(25, len(interesting)), len(interesting)))
        for l in interesting[-25:]:
            print("        " + l)
    if out and out.strip():
        print("      test output:")
        for l in out.rstrip().splitlines()[-20:]:
            print("        " + l)
    sys.stdout.flush()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-k", action="append", default=[],
                    help="run tests whose name contains this (repeatable)")
    ap.add_argument("-j", type=int, default=int(os.environ.get("SNIC_QTEST_JOBS", "2")))
    ap.add_argument("-v", action="store_true")
    ap.add_argument("--list", action="store_true")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--out", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child:
        return child(a.child, a.out, a.v)

    tests = load_tests()
    names = [n for n in tests if not a.k or any(k in n for k in a.k)]
    if a.list:
        print("\n".join(names))
        return 0
    if not os.access(qtest.QEMU, os.X_OK):
        print("QEMU binary %s not found (set SNIC_QEMU)" % qtest.QEMU)
        print("0 passed, 1 failed")
        return 1

    tmp = tempfile.mkdtemp(prefix="snic-qtest-run-")
    running = {}   # name -> (proc, out_path, started, out_file)
    results = []
    pending = list(names)
    t0 = time.monotonic()

    def kill_children():
        for name, (p, _, _, _) in running.items():
            if p.poll() is None:
                try:
                    os.killpg(p.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                p.wait()

    atexit.register(kill_children)
    signal.signal(signal.SIGTERM, lambda *x: sys.exit(143))
    try:
        while pending or running:
            while pending and len(running) < max(1, a.j):
                name = pending.pop(0)
                safe = name.replace("/", "_")
                out_path = os.path.join(tmp, safe + ".json")
                log = open(os.path.join(tmp, safe + ".out"), "w+")
                argv = [sys.executable, os.path.abspath(__file__),
                        "--child", name, "--out", out_path] + (["-v"] if a.v else [])
                p = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
                running[name] = (p, out_path, time.monotonic(), log)
            time.sleep(0.02)
            for name in list(running):
                p, out_path, started, log = running[name]
                timeout = tests[name][1]
                if p.poll() is None and time.monotonic() - started > timeout:
                    try:
                        os.killpg(p.pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
                    p.wait()
                if p.poll() is None:
                    continue
                del running[name]
                # The child is gone; anything left in its group is its QEMU.
                try:
                    os.killpg(p.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                log.seek(0)
                out = log.read()
                log.close()
                try:
                    with open(out_path) as f:
                        res = json.load(f)
                except (OSError, ValueError):
                    res = dict(name=name, ok=False,
                               seconds=time.monotonic() - started,
                               reason="test process ended with status %s without"
                                      " a result (timeout %ds?)" % (p.returncode, timeout),
                               logs=[], notes=[])
                results.append(res)
                print_result(res, out if (not res["ok"] or a.v) else "")
    except KeyboardInterrupt:
        kill_children()
        print("interrupted")
    import shutil
    shutil.rmtree(tmp, ignore_errors=True)
    passed = sum(1 for r in results if r["ok"])
    failed = len(names) - passed
    print("qtest suite: %.1fs wall, QEMU %s" % (time.monotonic() - t0, qtest.QEMU))
    print("%d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
