#!/usr/bin/env python3
"""Tests of tests/guest/runner.py's header parsing, initramfs
composition and verdict rules (no guest).  Standard library only."""
import gzip
import os
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "guest"))
import runner  # noqa: E402


def scenario(text):
    f = tempfile.NamedTemporaryFile("w", suffix=".sh", delete=False)
    f.write(text)
    f.close()
    return f.name


class Header(unittest.TestCase):

    def test_image_names(self):
        p = scenario("# a test\n# image: python dpdk\n# image: extra-3\nfoo\n# image: late\n")
        try:
            self.assertEqual(runner.parse_header(p)["image"], ["python", "dpdk", "extra-3"])
        finally:
            os.unlink(p)

    def test_no_image(self):
        p = scenario("# qemu: -m 1G\ntrue\n")
        try:
            self.assertEqual(runner.parse_header(p)["image"], [])
        finally:
            os.unlink(p)

    def test_bad_image_name_refused(self):
        for bad in ("../x", "Py", "a/b", "-x"):
            p = scenario(f"# image: {bad}\n")
            try:
                with self.assertRaisesRegex(runner.SetupError, "bad '# image:' name"):
                    runner.parse_header(p)
            finally:
                os.unlink(p)

    def test_missing_extra_named(self):
        with self.assertRaisesRegex(runner.SetupError, "no-such-extra.cpio.gz"):
            runner.extras_paths(["no-such-extra"])


class ComposeInitrd(unittest.TestCase):

    def test_archives_concatenated_in_order(self):
        # What Linux unpacks: every member of every archive, later ones last.
        with tempfile.TemporaryDirectory() as d:
            parts = []
            for i, name in enumerate(("base", "extra")):
                root = os.path.join(d, name)
                os.makedirs(root)
                with open(os.path.join(root, f"{name}.txt"), "w") as f:
                    f.write(f"{i}\n")
                out = os.path.join(d, f"{name}.cpio.gz")
                cpio = subprocess.run(["cpio", "-o", "-H", "newc", "--quiet"], cwd=root,
                                      input=f"{name}.txt\n".encode(), capture_output=True,
                                      check=True).stdout
                with gzip.open(out, "wb") as f:
                    f.write(cpio)
                parts.append(out)
            composed = os.path.join(d, "initrd")
            runner.compose_initrd(parts[0], parts[1:], composed)
            with open(composed, "rb") as f:
                data = f.read()
            sizes = [os.path.getsize(p) for p in parts]
            self.assertEqual(len(data), sum(sizes))
            with open(parts[0], "rb") as f:
                self.assertEqual(data[:sizes[0]], f.read())
            # gzip reads concatenated members as one stream: both archives.
            stream = gzip.decompress(data)
            self.assertIn(b"base.txt", stream)
            self.assertIn(b"extra.txt", stream)
            self.assertLess(stream.index(b"base.txt"), stream.index(b"extra.txt"))


class Judge(unittest.TestCase):
    """runner.judge(): the verdict rules, shared by run-scenario and
    tests/libvirt/run."""

    def res(self, console=()):
        r = runner.Result("x", "6.12")
        r.console = [(1.0, l) for l in console]
        return r

    def test_pass(self):
        r = runner.judge(self.res(), ["SNIC-BOOT kernel=k uptime=2.5", "SNIC-PASS a",
                                      "SNIC-RESULT k=v", "SNIC-DONE pass=1 fail=0",
                                      "SNIC-EXIT rc=0"], False, 0, 60)
        self.assertTrue(r.ok, r.problems)
        self.assertEqual((r.results, r.uptime, r.verdict_source), ({"k": "v"}, 2.5, "ttyS1"))

    def test_failures(self):
        r = runner.judge(self.res(), ["SNIC-BOOT kernel=k uptime=1", "SNIC-FAIL a: no"],
                         True, None, 60, ["the caller's own"])
        self.assertEqual(r.fails, ["SNIC-FAIL a: no"])
        self.assertEqual(r.problems, ["timeout: QEMU killed after 60s", "1 check(s) failed",
                                      "the caller's own",
                                      "no SNIC-DONE: the scenario did not run to its end"])
        r = runner.judge(self.res(["junk SNIC-BOOT kernel=k", "SNIC-DONE pass=0 fail=0"]),
                         [], False, 0, 60)
        self.assertEqual(r.verdict_source, "console")
        self.assertEqual(r.problems, ["the scenario made no checks"])


if __name__ == "__main__":
    unittest.main()
