#!/usr/bin/env python3
"""The checked-in diagram (docs/diagrams/sriov-nic.svg) is what its source
(sriov-nic.dot) renders to with this machine's graphviz: edit the .dot,
then re-render with
    dot -Tsvg docs/diagrams/sriov-nic.dot -o docs/diagrams/sriov-nic.svg
Standard library only; needs graphviz (scripts/install-deps.sh)."""
import os
import subprocess
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DIAGRAMS = os.path.join(ROOT, "docs", "diagrams")


class Diagram(unittest.TestCase):

    def test_svg_is_rendered_from_the_dot_source(self):
        src = os.path.join(DIAGRAMS, "sriov-nic.dot")
        with open(os.path.join(DIAGRAMS, "sriov-nic.svg"), encoding="utf-8") as f:
            checked_in = f.read()
        p = subprocess.run(["dot", "-Tsvg", src], capture_output=True, text=True,
                           timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stdout, checked_in,
                         "docs/diagrams/sriov-nic.svg is stale: re-render it")

    def test_relative_links_resolve(self):
        # Every [text](path) in README.md and docs/*.md that is not a URL
        # names a file of the repository (an #anchor is not checked).
        import re
        docs = ["README.md"] + [os.path.join("docs", f)
                                for f in sorted(os.listdir(os.path.join(ROOT, "docs")))
                                if f.endswith(".md")]
        for doc in docs:
            with open(os.path.join(ROOT, doc), encoding="utf-8") as f:
                text = f.read()
            for target in re.findall(r"\]\(([^)\s]+)\)", text):
                if re.match(r"[a-z]+:", target) or target.startswith("#"):
                    continue
                path = target.split("#", 1)[0]
                full = os.path.normpath(os.path.join(ROOT, os.path.dirname(doc), path))
                self.assertTrue(os.path.exists(full), f"{doc}: link to {target}")

    def test_readme_and_architecture_show_it(self):
        for doc in ("README.md", os.path.join("docs", "architecture.md")):
            with open(os.path.join(ROOT, doc), encoding="utf-8") as f:
                self.assertIn("diagrams/sriov-nic.svg", f.read(), doc)


if __name__ == "__main__":
    unittest.main(verbosity=2)
