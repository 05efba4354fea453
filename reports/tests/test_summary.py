"""summary: verdict lines, failures first, an overview table for a gate run, and the byte budget."""

import copy
import glob
import os
import re
import sys
import unittest

from .support import REPORTS, TempDir, data, load_json, run_cli

sys.path.insert(0, REPORTS)
from leakbench_report.result import Result  # noqa: E402
from leakbench_report.schema import validate  # noqa: E402
from leakbench_report.summary_md import render  # noqa: E402


def results(docs):
    out = []
    for i, d in enumerate(docs):
        validate(d, f"r{i}")
        out.append(Result(d, f"r{i}"))
    return out


def gate_set():
    return [load_json("gate-v2", os.path.basename(p)) for p in sorted(glob.glob(data("gate-v2", "*.json")))]


def synthetic(n):
    """n results made from real ones: unique names, a third failing with long error details."""
    base = gate_set()
    docs = []
    for i in range(n):
        d = copy.deepcopy(base[i % len(base)])
        d.pop("samples")  # the summary does not read samples; keeps the test fast
        d["samples"] = {"t": [], "threads": [], "fds": [], "rss_bytes": []}
        d["scenario"]["name"] = f"synthetic-{i:03d}-" + d["scenario"]["name"]
        if i % 3 == 0:
            d["verdict"] = "fail"
            d.pop("expectation", None)
            c = d["criteria"][-2]
            c.update(judged=True, **{"pass": False})
            c["detail"] = f"{i} error lines; " + "E1128 sink: connection refused | retrying\n" * 200
        docs.append(d)
    return results(docs)


class SummaryTest(unittest.TestCase):
    def test_single_result(self):
        md, left = render(results([load_json("v1", "gate-churn.json")]))
        self.assertEqual(left, 0)
        self.assertTrue(md.startswith("## leakbench: FAIL — `gate-churn`"))
        self.assertIn("❌ **FAIL** `gate-churn`", md)
        # Key figures: slopes with CI, loss, peak vs cap, oldest stream vs bound.
        self.assertIn("RSS +0.158 MiB/min [0.117 .. 0.210]", md)
        self.assertIn("lost+duplicated lines 90", md)
        self.assertIn("peak streams 20/20", md)
        self.assertIn("oldest stream 0.501 s / 12 s", md)
        # The failed criterion is detailed before the full table, and first in it.
        failed = md.index("Failed criteria:\n- `log_loss`: measured 90 lines, bound 0 — 7915 emitted")
        self.assertLess(failed, md.index("<details>"))
        table = md[md.index("| criterion |"):]
        self.assertEqual(re.findall(r"^\| `([a-z_]+)` \|", table, re.M)[0], "log_loss")

    def test_gate_run_overview(self):
        docs = gate_set()
        docs[4] = copy.deepcopy(docs[4])  # gate-steady: make it fail
        docs[4]["verdict"] = "fail"
        docs[4]["criteria"][1].update(**{"pass": False}, detail="8.57 threads/min")
        md, left = render(results(docs))
        self.assertEqual(left, 0)
        self.assertTrue(md.startswith("## leakbench: 10 of 11 results as expected, 1 failed"))
        rows = re.findall(r"^\| (✅ PASS|❌ FAIL|⚠️ ERROR) \| `([^`]+)` \|", md, re.M)
        self.assertEqual(len(rows), 11)
        self.assertEqual(rows[0], ("❌ FAIL", "gate-steady"))  # what went wrong first
        self.assertEqual(sum(1 for w, _ in rows if w == "✅ PASS"), 10)
        self.assertIn("### Details", md)
        self.assertEqual(md.count("<details><summary>All criteria</summary>"), 11)
        self.assertLess(md.index("### ❌ **FAIL** `gate-steady`"), md.index("### ✅ **PASS**"))

    def test_500_results_fit_in_1_mib(self):
        rs = synthetic(500)
        md, left = render(rs, 1048576)
        size = len(md.encode("utf-8"))
        self.assertLessEqual(size, 1048576)
        self.assertGreater(size, 900_000)  # the budget is used, not thrown away
        rows = re.findall(r"^\| (?:✅ PASS|❌ FAIL|⚠️ ERROR) \| `synthetic-", md, re.M)
        self.assertEqual(len(rows), 500)  # every result keeps its overview line
        m = re.search(r"\*\*(\d+) of 500 results without details\*\*", md)
        self.assertIsNotNone(m, "no truncation note at the end: " + md[-300:])
        detailed = md.count("<details><summary>All criteria</summary>")
        self.assertEqual(detailed + int(m.group(1)), 500)
        self.assertGreater(int(m.group(1)), 0)

    def test_small_budgets_never_exceeded(self):
        rs = synthetic(500)
        for max_bytes in (200_000, 20_000, 3_000, 600, 100, 10, 1):
            with self.subTest(max_bytes=max_bytes):
                md, left = render(rs, max_bytes)
                self.assertLessEqual(len(md.encode("utf-8")), max_bytes)
                md.encode("utf-8").decode("utf-8")  # whole characters only
                if max_bytes >= 3_000:
                    rows = len(re.findall(r"^\| (?:✅ PASS|❌ FAIL|⚠️ ERROR) \| `synthetic-", md, re.M))
                    self.assertGreater(rows, 0)
                    self.assertEqual(rows + left, 500)
                    if left:
                        self.assertIn(f"**{left} of 500 results left out**", md)
                    else:  # the whole table fits; details were dropped
                        self.assertRegex(md, r"\*\*\d+ of 500 results without details\*\*")

    def test_budget_sweep_on_a_gate_run(self):
        rs = results(gate_set())
        full, _ = render(rs, 10**9)
        for max_bytes in range(1, len(full.encode("utf-8")) + 200, 997):
            md, _ = render(rs, max_bytes)
            self.assertLessEqual(len(md.encode("utf-8")), max_bytes)

    def test_single_huge_result_is_cut_to_its_headline(self):
        rs = synthetic(1)
        md, _ = render(rs, 900)
        self.assertLessEqual(len(md.encode("utf-8")), 900)
        self.assertIn("synthetic-000", md)
        self.assertIn("summarised in one line only", md)

    def test_table_cells_cannot_break_the_table(self):
        rs = synthetic(3)
        md, _ = render(rs)
        for line in md.splitlines():
            if line.startswith("| `") and "error lines" in line:
                cells = re.split(r"(?<!\\)\|", line)
                self.assertEqual(len(cells), 8, line[:200])  # 6 columns
                self.assertLess(len(line), 2000)

    def test_cli_writes_file_and_takes_directories(self):
        tmp = TempDir()
        self.addCleanup(tmp.cleanup)
        out = os.path.join(tmp.path, "summary.md")
        p = run_cli("summary", data("gate-v2"), "--max-bytes", "5000", "-o", out)
        self.assertEqual(p.returncode, 0, p.stderr)
        with open(out, "rb") as f:
            body = f.read()
        self.assertLessEqual(len(body), 5000)
        self.assertIn("11 results".encode(), body)
        p = run_cli("summary", data("gate-v2", "gate-steady.json"), "--max-bytes", "0")
        self.assertEqual(p.returncode, 2)
        self.assertIn("--max-bytes 0: must be at least 1", p.stderr)


if __name__ == "__main__":
    unittest.main()
