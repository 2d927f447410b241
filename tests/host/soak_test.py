#!/usr/bin/env python3
"""Tests of scripts/soak.py's bookkeeping (no guest): the rows it makes from
a runner result and the table it prints.  Standard library only."""
import io
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
import soak  # noqa: E402
import runner  # noqa: E402  (soak put tests/guest on sys.path)


def result(results, fails=(), problems=()):
    r = runner.Result("soak-vf-iperf3", "6.12")
    r.results = dict(results)
    r.fails = list(fails)
    r.problems = list(problems)
    r.boot, r.total = 8.0, 70.0
    return r


META = {"date": "2025-01-01 00:00", "log_dir": "logs/6.12.run1", "load_now": "0.5",
        "others_now": 0}


class Rows(unittest.TestCase):

    def test_all_modes_ok(self):
        res = result({
            "soak_single_mbit": "812.3", "soak_single_retr": "0",
            "soak_single_watchdog": "0", "soak_single_vf0_rx_drop": "0",
            "soak_single_vf0_tx_drop": "0", "soak_single_vf1_rx_drop": "29",
            "soak_single_vf1_tx_drop": "0",
            "soak_bidir_mbit": "905.1", "soak_bidir_fwd_mbit": "455.0",
            "soak_bidir_rev_mbit": "450.1", "soak_bidir_retr": "3",
            "soak_bidir_watchdog": "0"})
        rows = soak.rows_of(res, 1, "6.12", ["single", "bidir"], META)
        self.assertEqual([r["status"] for r in rows], ["ok", "ok"])
        self.assertEqual(rows[0]["vf1_rx_drop"], "29")
        line = soak.fmt_row(rows[1])
        self.assertIn("905.1 (455.0+450.1)", line)
        self.assertTrue(line.endswith("ok"))
        out = io.StringIO()
        soak.summary(rows, ["6.12"], ["single", "bidir"], out)
        self.assertRegex(out.getvalue(), r"6\.12 +single +1/1 +812\.3 .* 29\n")

    def test_failed_mode_and_failed_boot(self):
        res = result({"soak_single_mbit": "none", "soak_p4_mbit": "700.0",
                      "soak_p4_watchdog": "1"},
                     fails=["SNIC-FAIL iperf3 single VF0 -> VF1: iperf3 exited 1",
                            "SNIC-FAIL p4: no NETDEV WATCHDOG / TX timeout: got 1, "
                            "expected -eq 0"],
                     problems=["2 check(s) failed"])
        rows = soak.rows_of(res, 2, "6.1", ["single", "p4"], META)
        self.assertEqual([r["status"] for r in rows], ["fail", "fail"])
        self.assertIn("iperf3 exited 1", rows[0]["failure"])
        self.assertIn("WATCHDOG", rows[1]["failure"])
        res = result({}, problems=["the guest never started the scenario (no SNIC-BOOT)"])
        rows = soak.rows_of(res, 3, "6.1", ["single"], META)
        self.assertEqual(rows[0]["status"], "fail")
        self.assertIn("SNIC-BOOT", rows[0]["failure"])


if __name__ == "__main__":
    unittest.main(verbosity=2)
