#!/usr/bin/env python3
"""The checked-in diagram (docs/diagrams/sriov-nic.svg) is what its source
(sriov-nic.dot) renders to with this machine's graphviz: edit the .dot,
then re-render with
    dot -Tsvg docs/diagrams/sriov-nic.dot -o docs/diagrams/sriov-nic.svg
and docs/libvirt.md shows tests/libvirt/domain.xml as it is.
Standard library only; needs graphviz (scripts/install-deps.sh)."""
import os
import re
import subprocess
import unittest
import xml.etree.ElementTree as ET

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



class LibvirtDoc(unittest.TestCase):
    """docs/libvirt.md shows the domain XML tests/libvirt/run runs."""

    def test_doc_shows_the_template_verbatim(self):
        with open(os.path.join(ROOT, "docs", "libvirt.md"), encoding="utf-8") as f:
            doc = f.read()
        with open(os.path.join(ROOT, "tests", "libvirt", "domain.xml"),
                  encoding="utf-8") as f:
            template = f.read()
        m = re.search(r"^```xml\n(.*?)^```$", doc, re.S | re.M)
        self.assertIsNotNone(m, "docs/libvirt.md has no ```xml block")
        self.assertEqual(m.group(1), template,
                         "docs/libvirt.md's domain XML differs from "
                         "tests/libvirt/domain.xml: copy the file into the doc")

    def test_template_is_well_formed_with_every_placeholder_known(self):
        with open(os.path.join(ROOT, "tests", "libvirt", "domain.xml"),
                  encoding="utf-8") as f:
            template = f.read()
        names = set(re.findall(r"@([A-Z_]+)@", template))
        self.assertEqual(names, {"NAME", "QEMU", "KERNEL", "INITRD", "CMDLINE",
                                 "SCENARIO", "CONSOLE", "VERDICT", "CTL"})
        root = ET.fromstring(re.sub(r"@([A-Z_]+)@", "x", template))
        self.assertEqual(root.tag, "domain")
        self.assertEqual(root.get("type"), "qemu")
        args = [a.get("value") for a in root.iter(
            "{http://libvirt.org/schemas/domain/qemu/1.0}arg")]
        self.assertIn("-device", args)
        self.assertTrue(any(a.startswith('{"driver":"sriov-nic"') for a in args), args)

    def test_readme_and_architecture_link_it(self):
        for doc, link in (("README.md", "docs/libvirt.md"),
                          (os.path.join("docs", "architecture.md"), "(libvirt.md)")):
            with open(os.path.join(ROOT, doc), encoding="utf-8") as f:
                self.assertIn(link, f.read(), doc)


if __name__ == "__main__":
    unittest.main(verbosity=2)
