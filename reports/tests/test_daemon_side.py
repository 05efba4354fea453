"""The daemon's side in the HTML report (issue 13): which daemon ran, each sampled daemon process's growth per
minute and per 1,000 follow streams with its CPU, its plots; a result without daemon samples keeps its plots."""

import sys
import unittest
import warnings

from .support import REPORTS, load_json, modified

sys.path.insert(0, REPORTS)
from leakbench_report.errors import ReportError  # noqa: E402
from leakbench_report.html_report import render as render_html  # noqa: E402
from leakbench_report.plots import render_all  # noqa: E402
from leakbench_report.result import Result  # noqa: E402
from leakbench_report.schema import validate  # noqa: E402


def growth(per_minute, per_1000):
    return {"per_minute": per_minute, "per_minute_ci": [per_minute - 1, per_minute + 1], "intercept": 200.0,
            "per_1000_streams": per_1000, "per_1000_streams_ci": [per_1000 - 1, per_1000 + 1],
            "trend_p_value": 0.5, "trend_direction": 0, "points": 30}


def with_daemon(doc):
    n = len(doc["samples"]["t"])
    doc["daemon"] = {"kind": "real", "version": "20.10.24", "api_version": "1.41", "storage_driver": "vfs",
                     "started_by_leakbench": True, "notes": "", "processes_sampled": [
                         {"name": "dockerd", "pid": 100}, {"name": "containerd", "pid": 101}],
                     "unsampled_reason": ""}
    doc["samples"]["daemon"] = {
        name: {"threads": [30] * n, "fds": [base + i for i in range(n)], "rss_bytes": [80 << 20] * n,
               "cpu_seconds": [0.05 * i for i in range(n)]}
        for name, base in (("dockerd", 200), ("containerd", 40))}
    doc["figures"]["daemon"] = [
        {"name": "dockerd", "pid": 100, "threads": growth(0, 0), "fds": growth(60, 100), "rss_mib": growth(0, 0),
         "cpu_cores": 0.05, "cpu_s_per_1000_streams": 5.0, "threads_max": 30, "fds_max": 244, "rss_mib_max": 80},
        {"name": "containerd", "pid": 101, "threads": growth(0, 0), "fds": growth(0, 0), "rss_mib": growth(0, 0),
         "cpu_cores": 0.01, "cpu_s_per_1000_streams": 1.0, "threads_max": 30, "fds_max": 84, "rss_mib_max": 80}]
    doc["criteria"].append({"id": "daemon_fd_growth", "description": "the daemon's open fds", "status": "fail",
                            "judged": True, "pass": False, "bound": 20, "measured": 60, "unit": "fds/min",
                            "detail": "dockerd: 60.00 fds/min"})


class DaemonSideTest(unittest.TestCase):
    def setUp(self):
        self.doc = modified(load_json("v2", "gate-steady.json"), with_daemon)
        validate(self.doc, "daemon.json")
        self.r = Result(self.doc, "daemon.json")

    def test_the_run_table_names_the_daemon_and_the_figures_table_its_processes(self):
        text = render_html(self.r, plots=[])[0]
        self.assertIn("<dt>daemon</dt><dd>real 20.10.24 (API 1.41, storage driver vfs, started by leakbench)</dd>",
                      text)
        self.assertIn('<table id="daemon-figures">', text)
        self.assertIn("<td><code>dockerd</code> (pid 100)</td><td>+60 fds/min [59 .. 61]; +100 per 1,000 follow "
                      "streams; max 244</td>", text)
        self.assertIn("<td>0.050 cores; 5 CPU-s per 1,000 follow streams</td>", text)

    def test_daemon_plots_are_drawn_without_warnings(self):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            plots = render_all(self.r)
        ids = [p.id for p in plots]
        self.assertEqual(ids[-3:], ["daemon_fds", "daemon_threads", "daemon_memory"])
        self.assertEqual([p.note for p in plots if p.id.startswith("daemon") and p.png is None], [])

    def test_a_result_without_daemon_samples_has_no_daemon_plots(self):
        r = Result(load_json("v2", "gate-steady.json"), "x")
        self.assertFalse([p for p in render_all(r) if p.id.startswith("daemon")])

    def test_an_unsampled_daemon_says_why(self):
        doc = modified(self.doc, lambda d: (d["figures"].pop("daemon"), d["samples"].pop("daemon"),
                                            d["daemon"].update(unsampled_reason="another pid namespace")))
        validate(doc, "x")
        self.assertIn('<p class="na" id="daemon-unsampled">Daemon not sampled: another pid namespace</p>',
                      render_html(Result(doc, "x"), plots=[])[0])

    def test_a_daemon_column_of_the_wrong_length_is_refused(self):
        doc = modified(self.doc, lambda d: d["samples"]["daemon"]["dockerd"]["fds"].pop())
        with self.assertRaisesRegex(ReportError, "samples.daemon.dockerd.fds' has 44 entries"):
            validate(doc, "x")


if __name__ == "__main__":
    unittest.main()
