#!/usr/bin/env python3
"""Count passed and failed test cases of a `meson test` run from meson's own
logs (BUILDDIR/meson-logs/testlog.junit.xml and testlog.json).

usage: meson_counts.py BUILDDIR

Prints the failing cases (with the first lines of their failure messages)
and sanitizer reports, then a last line "PASSED FAILED" for scripts/test.sh.

- Every <testcase> of the JUnit file is one case: meson puts each GoogleTest
  case there (protocol 'gtest'), and a test binary that crashed before
  writing its results as one failed case.
- A meson test whose result is not OK (testlog.json) although none of its
  cases failed (e.g. LeakSanitizer failing the exit status after GoogleTest
  wrote its results) counts as one more failure.
- So does an AddressSanitizer, LeakSanitizer or UndefinedBehaviorSanitizer
  report in a test's output when the test still passed (a report in a child
  process, or a sanitizer told not to halt).
Missing logs count as one failure.  Standard library only.
"""
import json
import os
import re
import sys
import xml.etree.ElementTree as ET

BAD = {"FAIL", "ERROR", "TIMEOUT", "UNEXPECTEDPASS", "INTERRUPT"}
SANITIZER = re.compile(r"ERROR: (AddressSanitizer|LeakSanitizer)|"
                       r"runtime error: |SUMMARY: UndefinedBehaviorSanitizer")


def count(builddir, out=sys.stdout):
    logs = os.path.join(builddir, "meson-logs")
    junit = os.path.join(logs, "testlog.junit.xml")
    jlog = os.path.join(logs, "testlog.json")
    passed = failed = 0
    failing_suites = set()   # "<project>.<test>.<suite>" of gtest cases
    failing_plain = set()    # tests without subtests: suite "<project>", case "<test>"
    try:
        root = ET.parse(junit).getroot()
    except (OSError, ET.ParseError) as e:
        print(f"meson_counts: cannot read {junit}: {e}", file=out)
        return 0, 1
    for suite in root.iter("testsuite"):
        sname = suite.get("name", "")
        for case in suite.iter("testcase"):
            if case.find("skipped") is not None or case.get("status") == "notrun":
                continue
            bad = case.find("failure")
            if bad is None:
                bad = case.find("error")
            if bad is None:
                passed += 1
                continue
            failed += 1
            failing_suites.add(sname)
            if "." not in sname:
                failing_plain.add(case.get("name"))
            cls = case.get("classname") or sname
            print(f"  FAILED {cls}.{case.get('name')}", file=out)
            msg = (bad.get("message") or bad.text or "").strip().splitlines()
            for line in msg[:8]:
                print(f"      {line}", file=out)

    try:
        with open(jlog, encoding="utf-8", errors="replace") as f:
            tests = [json.loads(l) for l in f if l.strip()]
    except (OSError, ValueError) as e:
        print(f"meson_counts: cannot read {jlog}: {e}", file=out)
        return passed, failed + 1
    for t in tests:
        name = t.get("name", "?")
        text = (t.get("stdout") or "") + (t.get("stderr") or "")
        # meson names a test's JUnit suites "<project>.<test>[.<suite>]",
        # or files a test without subtests under the project with its name.
        mine = name in failing_plain or any(
            re.match(rf"[^.]+\.{re.escape(name)}(\.|$)", s) for s in failing_suites)
        if t.get("result") in BAD and not mine:
            failed += 1
            print(f"  FAILED {name}: meson says {t.get('result')} "
                  f"(exit status {t.get('returncode')}) although no case failed", file=out)
            mine = True
        reports = [l for l in text.splitlines() if SANITIZER.search(l)]
        if reports:
            print(f"  sanitizer report in {name}:", file=out)
            for line in reports[:10]:
                print(f"      {line.strip()}", file=out)
            if not mine:
                failed += 1
    return passed, failed


def main(argv):
    if len(argv) != 2:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    p, f = count(argv[1])
    print(f"{p} {f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
