"""html: every plot drawn or replaced by its note, criteria order, self-contained page, escaping."""

import base64
import os
import re
import sys
import unittest

from .support import REPORTS, TempDir, data, load_json, modified, run_cli

sys.path.insert(0, REPORTS)
from leakbench_report.html_report import render  # noqa: E402
from leakbench_report.plots import CATALOGUE  # noqa: E402
from leakbench_report.result import Result  # noqa: E402
from leakbench_report.schema import validate  # noqa: E402

PLOT_IDS = [c[0] for c in CATALOGUE]
_cache = {}


def page_of(doc, name="fixture.json", plots=None):
    validate(doc, name)
    return render(Result(doc, name), plots)


def fixture_page(*parts):
    if parts not in _cache:
        _cache[parts] = page_of(load_json(*parts), data(*parts))
    return _cache[parts]


def drawn_and_missing(page):
    drawn = re.findall(r'<img class="plot" id="plot-([a-z_]+)"', page)
    missing = dict(re.findall(r'data-plot-missing="([a-z_]+)">Not available in this result: ([^<]*)<', page))
    return drawn, missing


class HtmlPlotsTest(unittest.TestCase):
    def test_every_plot_drawn_for_a_current_result(self):
        for name in ("gate-steady", "gate-oversubscribed"):
            with self.subTest(name=name):
                page, plots = fixture_page("gate-v2", name + ".json")
                drawn, missing = drawn_and_missing(page)
                self.assertEqual(drawn, PLOT_IDS, missing)
                self.assertIn(f'data-plots-expected="{len(PLOT_IDS)}"', page)
                self.assertFalse(any(p.error for p in plots))

    def test_each_plot_is_there_or_explained(self):
        for sub, name in (("v1", "gate-churn"), ("v1", "negative-never-rotates"), ("gate-v2", "negative-never-rotates")):
            with self.subTest(fixture=f"{sub}/{name}"):
                page, plots = fixture_page(sub, name + ".json")
                drawn, missing = drawn_and_missing(page)
                self.assertEqual(sorted(drawn + list(missing)), sorted(PLOT_IDS))
                self.assertEqual(len(drawn) + len(missing), len(PLOT_IDS))
                self.assertIn(f'data-plots-expected="{len(drawn)}"', page)
                self.assertFalse(any(p.error for p in plots), [p.note for p in plots if p.error])
                for why in missing.values():
                    self.assertNotIn("could not be drawn", why)

    def test_notes_say_why(self):
        _, missing = drawn_and_missing(fixture_page("v1", "gate-churn.json")[0])
        self.assertIn("no per-stream rotation records", missing["rotation"])
        self.assertIn("no capture-lag samples", missing["capture_lag"])
        _, missing = drawn_and_missing(fixture_page("gate-v2", "negative-never-rotates.json")[0])
        self.assertEqual(missing["metric_series"], "the target has no /metrics")
        self.assertEqual(missing["capture_lag"], "the target has no /metrics")
        self.assertIn("closed no follow stream (0 rotations)", missing["rotation"])

    def test_images_are_real_pngs(self):
        page, _ = fixture_page("gate-v2", "gate-steady.json")
        images = re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', page)
        self.assertEqual(len(images), len(PLOT_IDS))
        for b64 in images:
            png = base64.b64decode(b64)
            self.assertEqual(png[:8], b"\x89PNG\r\n\x1a\n")
            width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
            self.assertGreater(width, 500)
            self.assertGreater(height, 200)

    def test_self_contained(self):
        page, _ = fixture_page("gate-v2", "gate-steady.json")
        self.assertNotRegex(page, r'(?i)(src|href)\s*=\s*"(?!data:)')
        self.assertNotRegex(page, r"(?i)<link\b|@import|url\(|https?://")
        self.assertIn("window.addEventListener('load'", page)
        self.assertIn("document.body.dataset.plotsRendered", page)

    def test_missing_columns_give_notes_not_crashes(self):
        doc = load_json("gate-v2", "gate-steady.json")
        stripped = modified(doc, lambda d: [d["samples"].pop(k) for k in (
            "streams_open", "fds_socket", "fds_pipe", "fds_file", "fds_other", "pss_bytes", "capture_lag_max_s",
            "capture_lag_median_s", "metric_series", "metric_streams_active")] and d.pop("rotations"))
        page, plots = page_of(stripped)
        drawn, missing = drawn_and_missing(page)
        self.assertEqual(drawn, ["threads", "fds", "memory"])
        self.assertEqual(missing["streams"], "this result has no samples.streams_open")
        self.assertFalse(any(p.error for p in plots))

    def test_tiny_results_draw_without_errors_or_warnings(self):
        import warnings
        doc = load_json("gate-v2", "gate-steady.json")
        for n in (1, 2, 3):
            def cut(d):
                for k in d["samples"]:
                    d["samples"][k] = d["samples"][k][:n]
                d["samples"]["t"][0] = 0.0
                d["rotations"].update(t=d["rotations"]["t"][:n], age_s=d["rotations"]["age_s"][:n], total=n)
            with self.subTest(samples=n), warnings.catch_warnings():
                warnings.simplefilter("error")
                _, plots = page_of(modified(doc, cut))
                self.assertEqual([p.note for p in plots if p.error], [])

    def test_all_null_values(self):
        doc = modified(load_json("gate-v2", "gate-steady.json"),
                       lambda d: d["samples"].__setitem__("threads", [None] * len(d["samples"]["t"])))
        page, plots = page_of(doc)
        _, missing = drawn_and_missing(page)
        self.assertEqual(missing["threads"], "samples.threads holds no values")


class HtmlContentTest(unittest.TestCase):
    def criteria_rows(self, page):
        return re.findall(r'<tr class="(failed|passed|notjudged)" data-criterion="([a-z_]+)"', page)

    def test_failed_criteria_first(self):
        for sub, name, first in (("v1", "gate-churn.json", ["log_loss"]),
                                 ("gate-v2", "negative-never-rotates.json", ["threads_baseline", "rotation",
                                                                             "concurrency"])):
            with self.subTest(name=name):
                doc = load_json(sub, name)
                rows = self.criteria_rows(fixture_page(sub, name)[0])
                self.assertEqual(sorted(i for _, i in rows), sorted(c["id"] for c in doc["criteria"]))
                self.assertEqual([i for cls, i in rows if cls == "failed"], first)
                ranks = [{"failed": 0, "passed": 1, "notjudged": 2}[cls] for cls, _ in rows]
                self.assertEqual(ranks, sorted(ranks))
                # Within a group, the file's order is kept.
                file_order = [c["id"] for c in doc["criteria"]]
                for group in ("failed", "passed", "notjudged"):
                    ids = [i for cls, i in rows if cls == group]
                    self.assertEqual(ids, sorted(ids, key=file_order.index))
        # The failed criterion in gate-churn is 8th in the file: the order really changed.
        self.assertEqual([c["id"] for c in load_json("v1", "gate-churn.json")["criteria"]].index("log_loss"), 7)

    def test_header_and_verdict(self):
        page, _ = fixture_page("v1", "gate-churn.json")
        self.assertIn('id="verdict">FAIL<', page)
        self.assertIn("60 containers, churn 5 every 3 s, 20 streams", page)
        self.assertIn("2026-11-28T18:56:58Z", page)
        self.assertIn("log-capturer", page)
        page, _ = fixture_page("gate-v2", "negative-never-rotates.json")
        self.assertIn('id="verdict">PASS<', page)
        self.assertIn("negative control: failed on rotation as expected", page)
        self.assertIn("FAIL (expected)", page)

    def test_text_is_escaped(self):
        doc = modified(load_json("gate-v2", "gate-steady.json"), lambda d: d["scenario"].update(
            description='<script>alert("x")</script> & more', name="a<b>"))
        page, _ = page_of(doc, plots=[])
        self.assertNotIn('<script>alert("x")', page)
        self.assertIn("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; more", page)
        self.assertIn("leakbench: a&lt;b&gt;", page)

    def test_intercept_recomputed_for_older_results_matches_the_judge(self):
        from leakbench_report.result import Result
        doc = load_json("gate-v2", "negative-leak-thread.json")
        with_icpt = Result(doc, "x")
        without = Result(modified(doc, lambda d: d["figures"]["threads"].pop("intercept")), "y")
        s1, i1, recomputed1 = with_icpt.fit_line("threads")
        s2, i2, recomputed2 = without.fit_line("threads")
        self.assertFalse(recomputed1)
        self.assertTrue(recomputed2)
        self.assertEqual(s1, s2)
        self.assertAlmostEqual(i1, i2, delta=0.5)  # same definition; the judge drops unreadable samples

    def test_cli_writes_report_beside_the_result(self):
        tmp = TempDir()
        self.addCleanup(tmp.cleanup)
        path = tmp.write("run/result.json", load_json("v1", "gate-steady.json"))
        p = run_cli("html", os.path.dirname(path))
        self.assertEqual(p.returncode, 0, p.stderr)
        out = os.path.join(os.path.dirname(path), "report.html")
        self.assertIn(f"wrote {out} (5 of 7 plots drawn)", p.stderr)
        with open(out, encoding="utf-8") as f:
            self.assertIn('data-plots-expected="5"', f.read())


if __name__ == "__main__":
    unittest.main()
