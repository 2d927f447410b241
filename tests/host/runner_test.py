#!/usr/bin/env python3
"""Tests of tests/guest/runner.py's header parsing and initramfs
composition (no guest).  Standard library only."""
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


if __name__ == "__main__":
    unittest.main()
