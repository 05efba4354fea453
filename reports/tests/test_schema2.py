"""Schema version 2 in every output: inconclusive is never shown as pass, 'off' is never shown as passed,
repeated runs, the new figures; version-1 results still render, their unjudged criteria as 'not judged'."""

import os
import re
import sys
import unittest

from .support import REPORTS, TempDir, data, load_json, modified, run_main

sys.path.insert(0, REPORTS)
from leakbench_report.html_report import render as render_html  # noqa: E402
from leakbench_report.result import Result, criterion_status  # noqa: E402
from leakbench_report.schema import validate  # noqa: E402

_pages = {}


def result(*parts):
    doc = load_json(*parts)
    validate(doc, data(*parts))
    return Result(doc, data(*parts))


def page(*parts):
    """The HTML of a fixture (cached: drawing the plots is the slow part)."""
    if parts not in _pages:
        _pages[parts] = render_html(result(*parts))[0]
    return _pages[parts]


def html_rows(text):
    """[(row class, criterion id, status cell text)] of the criteria table, in page order."""
    return re.findall(r'<tr class="([a-z]+)" data-criterion="([a-z_]+)" data-status="[^"]*">'
                      r'<td class="st [a-z]+">([^<]*)</td>', text)


RANK = {"failed": 0, "inconclusive": 1, "passed": 2, "notjudged": 3, "off": 4}


class StatusTest(unittest.TestCase):
    def test_v1_status_is_derived(self):
        crit = {c["id"]: criterion_status(c) for c in load_json("v1", "negative-never-rotates.json")["criteria"]}
        self.assertEqual(crit["rotation"], "fail")
        self.assertEqual(crit["thread_growth"], "pass")
        self.assertEqual([k for k, v in crit.items() if v == "not judged"], ["log_loss", "capture", "metrics"])

    def test_v2_status_wins(self):
        r = result("v2", "gate-churn-inconclusive.json")
        self.assertEqual([c["id"] for c in r.criteria_with("inconclusive")], ["log_loss", "capture"])
        self.assertEqual(r.outcome, "inconclusive")
        self.assertFalse(r.outcome_ok)
        self.assertEqual(r.criteria_counts(), "2 inconclusive, 10 passed, 2 off")

    def test_fixture_outcomes(self):
        want = {"gate-steady.json": "pass", "gate-churn-inconclusive.json": "inconclusive",
                "negative-never-rotates.json": "pass", "negative-leak-thread.json": "pass",
                "leak-fd-fail.json": "fail", "negative-leak-memory-inconclusive.json": "inconclusive",
                "go-multiprocess.json": "pass", "repeat-erratic.json": "fail"}
        self.assertEqual(sorted(os.listdir(data("v2"))), sorted(want))
        exit_codes = {"pass": 0, "fail": 1, "inconclusive": 3}
        for name, outcome in want.items():
            with self.subTest(name=name):
                r = result("v2", name)
                self.assertEqual(r.doc["schema_version"], 2)
                self.assertEqual(r.outcome, outcome)
                self.assertEqual(r.exit_code, exit_codes[outcome])
                for c in r.criteria:  # the version-1 booleans agree with the status
                    self.assertEqual(c["judged"], c["status"] in ("pass", "fail"), c["id"])
                    self.assertEqual(c["pass"], c["status"] == "pass", c["id"])


class HtmlV2Test(unittest.TestCase):
    def test_inconclusive_is_not_rendered_as_pass(self):
        text = page("v2", "gate-churn-inconclusive.json")
        self.assertIn('<span class="badge inconclusive" id="verdict">INCONCLUSIVE</span>', text)
        self.assertNotIn('id="verdict">PASS<', text)
        self.assertIn('data-verdict="inconclusive"', text)
        rows = html_rows(text)
        self.assertEqual(rows[:2], [("inconclusive", "log_loss", "INCONCLUSIVE"),
                                    ("inconclusive", "capture", "INCONCLUSIVE")])
        for cls, cid, word in rows:
            if cid in ("log_loss", "capture"):
                self.assertNotIn(word.lower(), ("pass", "not judged"))
        self.assertIn("cannot count: docker logs cut the history of 12 of 60 containers", text)
        self.assertIn('<p id="criteria-counts">14 criteria: 2 inconclusive, 10 passed, 2 off</p>', text)
        self.assertIn("<dt>exit code</dt><dd>3 (verdict inconclusive)</dd>", text)

    def test_order_fail_inconclusive_pass_off(self):
        for name in sorted(os.listdir(data("v2"))):
            with self.subTest(name=name):
                rows = html_rows(page("v2", name))
                doc = load_json("v2", name)
                self.assertEqual(sorted(cid for _, cid, _ in rows), sorted(c["id"] for c in doc["criteria"]))
                ranks = [RANK[cls] for cls, _, _ in rows]
                self.assertEqual(ranks, sorted(ranks))
                status = {c["id"]: c["status"] for c in doc["criteria"]}
                for cls, cid, _ in rows:
                    self.assertEqual(cls, {"fail": "failed", "pass": "passed"}.get(status[cid], status[cid]))
                order = [c["id"] for c in doc["criteria"]]
                for group in RANK:
                    ids = [cid for cls, cid, _ in rows if cls == group]
                    self.assertEqual(ids, sorted(ids, key=order.index))

    def test_off_criteria_are_listed_as_off(self):
        rows = html_rows(page("v2", "negative-never-rotates.json"))
        off = [(cid, word) for cls, cid, word in rows if cls == "off"]
        self.assertEqual(off, [("log_loss", "off"), ("capture", "off"), ("metrics", "off"),
                               ("goroutines_baseline", "off"), ("goroutine_growth", "off")])
        self.assertEqual([cid for cls, cid, _ in rows if cls == "failed"], ["threads_baseline", "rotation",
                                                                            "concurrency"])
        self.assertEqual(rows[-5:], [("off", cid, "off") for cid, _ in off])  # last
        text = page("v2", "negative-never-rotates.json")
        self.assertIn('id="verdict">PASS<', text)  # a negative control that failed where it had to
        self.assertIn("switched off by the scenario: the target sends the logs to /dev/null", text)

    def test_v1_unjudged_criteria_still_say_not_judged(self):
        rows = html_rows(page("v1", "negative-never-rotates.json"))
        self.assertEqual([(cid, word) for cls, cid, word in rows if cls == "notjudged"],
                         [("log_loss", "not judged"), ("capture", "not judged"), ("metrics", "not judged")])
        self.assertNotIn("INCONCLUSIVE", page("v1", "negative-never-rotates.json"))

    def test_negative_control_can_be_inconclusive(self):
        text = page("v2", "negative-leak-memory-inconclusive.json")
        self.assertIn('id="verdict">INCONCLUSIVE<', text)
        self.assertIn("negative control: expected to fail on memory_growth; the result is inconclusive", text)
        self.assertEqual(html_rows(text)[0], ("inconclusive", "memory_growth", "INCONCLUSIVE"))

    def test_repeat(self):
        text = page("v2", "repeat-erratic.json")
        self.assertIn('<p id="repeat">5 runs: 3 pass, 1 fail, 1 inconclusive (figures and plots from run 2)</p>',
                      text)
        row = re.search(r'<tr data-erratic="thread_growth">(.*?)</tr>', text).group(1)
        cells = re.findall(r'<span class="st ([a-z]+)">([^<]*)</span> ([^<]*)</td>', row)
        self.assertEqual(cells, [("passed", "pass", "0"), ("failed", "FAIL", "2.61"), ("passed", "pass", "0.400"),
                                 ("passed", "pass", "0"), ("passed", "pass", "0")])
        self.assertIn("<tr><td>verdict</td><td>pass</td><td>fail</td><td>pass</td><td>inconclusive</td>"
                      "<td>pass</td></tr>", text)
        self.assertLess(text.index('id="repeat"'), text.index('id="criteria"'))
        self.assertNotIn('id="repeat"', page("v2", "gate-steady.json"))

    def test_new_figures(self):
        text = page("v2", "go-multiprocess.json")
        self.assertIn("<tr><td>goroutines</td><td class='n'>0 goroutines/min</td><td class='n'>[0 .. 0]</td>", text)
        self.assertIn("<dt>delivery</dt><dd>18,200 lines emitted, 18,200 delivered, 0 lost at the source, "
                      "0 delivered twice; 200 of 200 containers delivered</dd>", text)
        self.assertIn("<dt>processes</dt><dd>2 at most at once</dd>", text)
        self.assertIn("<td class='n'>31337</td><td><code>go-capturer</code></td>", text)
        self.assertIn("<code>go-capturer-wk</code></td><td class='n'>5</td><td class='n'>4</td>"
                      "<td class='n'>3 MiB</td>", text)
        self.assertIn('data-plots-expected="7"', text)  # the goroutines share the threads plot
        self.assertNotIn("could not be drawn", text)
        self.assertNotIn('id="processes"', page("v2", "gate-steady.json"))
        doc = modified(load_json("v2", "go-multiprocess.json"),
                       lambda d: d["figures"]["delivery"].update(containers_delivered=196, containers_too_young=3,
                                                                 containers_gone=1))
        validate(doc, "x")
        self.assertIn("196 of 200 containers delivered (3 too young to judge, 1 gone)</dd>",
                      render_html(Result(doc, "x"), plots=[])[0])

    def test_new_columns_draw_without_warnings(self):
        import warnings
        from leakbench_report.plots import render_all
        r = result("v2", "go-multiprocess.json")
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            plots = render_all(r)
        self.assertEqual([p.note for p in plots if p.error or p.png is None], [])
        # All-null goroutines: the threads plot is drawn without them.
        doc = modified(r.doc, lambda d: d["samples"].__setitem__("goroutines", [None] * len(d["samples"]["t"])))
        self.assertIsNotNone(render_all(Result(doc, "x"))[0].png)


class RepeatV2Test(unittest.TestCase):
    """The pooled result of --repeat as the reports read it (the Markdown summary is leakbench's own,
    tested in harness/run/summary_markdown_test.cc)."""

    def test_repeat_counts(self):
        """errors when the result counts them, else the runs left over; no shown_run, no mention of it."""
        base = load_json("v2", "repeat-erratic.json")

        def line(runs, drop, **values):
            doc = modified(base, lambda d: [d["repeat"].update(runs=runs, **values)] + [d["repeat"].pop(k) for k in drop])
            validate(doc, "x")
            return Result(doc, "x").repeat_line()
        self.assertEqual(line(7, ("shown_run", "per_run"), errors=2), "7 runs: 3 pass, 1 fail, 1 inconclusive, 2 error")
        self.assertEqual(line(6, ("errors", "shown_run", "per_run")), "6 runs: 3 pass, 1 fail, 1 inconclusive, 1 error")
        self.assertEqual(line(5, ()), "5 runs: 3 pass, 1 fail, 1 inconclusive (figures and plots from run 2)")
        self.assertIsNone(result("v2", "gate-steady.json").repeat_line())

    def test_repeat_without_per_run_values(self):
        doc = modified(load_json("v2", "repeat-erratic.json"), lambda d: d["repeat"].pop("per_run"))
        validate(doc, "x")
        text = render_html(Result(doc, "x"), plots=[])[0]
        self.assertIn("no per-run values in this result", text)


class CompareV2Test(unittest.TestCase):
    def test_inconclusive_candidate_is_compared(self):
        p = run_main("compare", data("gate-v2", "gate-churn.json"), "--candidate",
                     data("v2", "gate-churn-inconclusive.json"))
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertTrue(p.stdout.startswith("leakbench compare: no regression beyond noise (candidate inconclusive) "
                                            "(gate-churn)"), p.stdout[:200])
        self.assertIn("verdict: baseline pass → candidate inconclusive: inconclusive", p.stdout)
        self.assertIn("  criterion changed: log_loss: pass → inconclusive\n", p.stdout)
        self.assertIn("  criterion changed: capture: pass → inconclusive\n", p.stdout)
        self.assertIn("  criterion changed: goroutines_baseline: absent → off\n", p.stdout)
        self.assertNotIn("criterion changed: rotation", p.stdout)
        self.assertRegex(p.stdout, r"\nthread growth +threads/min +0 \[0 \.\. 0\] +0 \[0 \.\. 0\] ")
        self.assertRegex(p.stdout, r"\nlines lost \+ duplicated +lines +0 +n/a ")

    def test_markdown_lists_status_changes(self):
        p = run_main("compare", data("gate-v2", "gate-churn.json"), "--candidate",
                     data("v2", "gate-churn-inconclusive.json"), "--format", "md")
        self.assertEqual(p.returncode, 0, p.stdout)
        self.assertTrue(p.stdout.startswith("## leakbench compare: ❔ no regression beyond noise (candidate "
                                            "inconclusive) — `gate-churn`"))
        self.assertIn("**Verdict:** baseline pass → candidate inconclusive", p.stdout)
        self.assertIn("**Criteria whose status changed** (baseline → candidate):\n- `log_loss`: pass → inconclusive\n"
                      "- `capture`: pass → inconclusive\n", p.stdout)

    def test_several_baselines(self):
        p = run_main("compare", data("gate-v2", "gate-churn.json"), data("v2", "gate-churn-inconclusive.json"),
                     "--candidate", data("gate-v2", "gate-churn.json"))
        self.assertEqual(p.returncode, 0, p.stdout)
        self.assertIn("verdict: baseline pass, inconclusive → candidate pass: unchanged", p.stdout)
        self.assertIn("criterion changed: log_loss: pass, inconclusive → pass", p.stdout)

    def test_a_v2_failure_is_a_regression(self):
        tmp = TempDir()
        self.addCleanup(tmp.cleanup)

        def fail(d):
            d.update(verdict="fail", exit_code=1)
            c = next(c for c in d["criteria"] if c["id"] == "goroutine_growth")
            c.update(status="fail", judged=True, measured=25.0, bound=20.0, **{"pass": False})
        base = data("v2", "go-multiprocess.json")
        cand = tmp.write("cand.json", modified(load_json("v2", "go-multiprocess.json"), fail))
        p = run_main("compare", base, "--candidate", cand)
        self.assertEqual(p.returncode, 1, p.stdout)
        self.assertIn("verdict: baseline pass → candidate fail: regression", p.stdout)
        self.assertIn("now failing: goroutine_growth", p.stdout)
        self.assertIn("criterion changed: goroutine_growth: pass → fail", p.stdout)

    def test_same_statuses_list_nothing(self):
        p = run_main("compare", data("v2", "gate-steady.json"), "--candidate", data("v2", "gate-steady.json"))
        self.assertEqual(p.returncode, 0, p.stdout)
        self.assertNotIn("criterion changed", p.stdout)
        self.assertIn("verdict: baseline pass → candidate pass: unchanged", p.stdout)


if __name__ == "__main__":
    unittest.main()
